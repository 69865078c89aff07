"""Split a case into one sub-problem per vervoerregio, and merge their plans into one.

A vervoerregio is the unit of a charging plan, so a Flanders case is planned as 15
independent sub-problems (:func:`decompose_case`) that can be solved in parallel
(:mod:`planner.workflows.parallel`) and merged into one plan with the outputs of a single solve
(:func:`merge_plans`).

How a sub-problem is cut
------------------------
* **Needs** go to the vervoerregio of their depot.
* **Sites** go to every vervoerregio whose needs can reach them (a need–site pair exists):
  a site near a border is offered to both sides.  Its home side (the site's own vervoerregio,
  or the side that can bring it the most energy when its own has no needs) keeps its
  ``existing_chargers``.
* **The overlap is resolved by splitting capacity before the solve**: a border site's
  ``max_chargers`` and ``max_power_kw``, and the headroom of every grid node that feeds sites
  of more than one side, are divided between the sides in proportion to the energy each
  side's needs could bring there (each need's largest daily energy over the projected years,
  summed over its pairs with sites below the node).  Chargers are divided as whole numbers
  (largest remainder, the home side never below its existing chargers); a side left with no
  charger is not offered the site.  The merged plan is then feasible for the undivided case by
  construction: chargers per site, connection power and node load stay within the undivided
  limits.
* **Costs**: each side pays a site's full fixed cost when it opens it (the plan of a side is
  right when it alone uses the site, the usual case); when both sides open a site, the merged
  plan counts its fixed cost once.

The price of the split is that a side cannot use capacity the other side leaves idle; on
small cases the merged cost is compared with one undivided solve (``tests``, ``benchmarks``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
import pandas as pd

from planner.optimisation.base import SolveStatus
from planner.optimisation.case import PlanCase
from planner.optimisation.coarse import COST
from planner.optimisation.inputs import BuiltCapacity, GridInputs
from planner.optimisation.results import PlanResult
from planner.optimisation.tables import (
    ASSIGNMENT_COLUMNS,
    NODE_LOAD_COLUMNS,
    REINFORCEMENT_COLUMNS,
    SITE_BASE_COLUMNS,
    SITE_IDENTITY_COLUMNS,
    SITE_TAIL_COLUMNS,
    UNMET_COLUMNS,
    node_margin_kva,
    site_utilisation,
)
from planner.optimisation.vocabulary import REPORTED_APART_KEYS, CostKey
from planner.scenario import SITE_TIERS
from planner.workflows.multiyear import STATUS_ORDER, HeadroomAdditions, MultiYearPlan

#: Columns of a result's ``site_power`` table.
SITE_POWER_COLUMNS = ["site_id", "slot", "power_kw"]
#: The label of the one sub-problem of an undivided case.
WHOLE_CASE = "all"


@dataclass(frozen=True)
class SubCase:
    """One vervoerregio's part of a case.

    Attributes
    ----------
    region
        The vervoerregio code (:data:`WHOLE_CASE` for an undivided case).
    case
        The sub-problem: the region's needs, the sites they can reach (border sites with
        their share of capacity) and the grid nodes above those sites (shared nodes with
        their share of headroom).
    """

    region: str
    case: PlanCase
    headroom_share: Mapping[str, float] | None = None

    def additions(self, added: HeadroomAdditions) -> HeadroomAdditions:
        """Headroom added to the undivided grid, as this part's share of it.

        Nodes outside the part are left out; the whole case (``headroom_share`` ``None``)
        takes all of it.
        """
        if self.headroom_share is None:
            return added
        share = self.headroom_share
        return {
            node: [(year, kva * share[node]) for year, kva in steps]
            for node, steps in added.items()
            if node in share
        }


def whole_case(case: PlanCase) -> list[SubCase]:
    """The case as one sub-problem (no decomposition)."""
    return [SubCase(WHOLE_CASE, case)]


def decompose_case(case: PlanCase) -> list[SubCase]:
    """Split the case into one sub-problem per vervoerregio of its needs (see the module).

    A case whose needs all lie in one vervoerregio gives one sub-problem equal to the case.
    """
    regions = sorted(case.needs["vervoerregio_code"].astype(str).unique())
    if len(regions) <= 1:
        return [SubCase(regions[0] if regions else WHOLE_CASE, case)]
    reach = reach_energy_by_region(case)
    sites_of = split_sites(case.sites, reach)
    node_share = node_shares(case.grid, case.sites, reach, sites_of)
    return [
        SubCase(
            region,
            _sub_case(case, region, sites_of[region], node_share[region]),
            node_share[region],
        )
        for region in regions
    ]


def reach_energy_by_region(case: PlanCase) -> pd.DataFrame:
    """Energy each region's needs could bring to each site, kWh per day (sites × regions).

    Per pair, the need's largest daily energy over the projected years; summed per site over
    the needs of each region.
    """
    energy_kwh = case.demand["energy_kwh_per_day"].max("year").to_series()
    energy_kwh.index = energy_kwh.index.astype(str)
    region = case.needs.set_index("need_id")["vervoerregio_code"].astype(str)
    pairs = case.pairs[["need_id", "site_id"]].assign(
        region=case.pairs["need_id"].map(region),
        energy_kwh=case.pairs["need_id"].map(energy_kwh).fillna(0.0),
    )
    table = pairs.pivot_table(
        index="site_id", columns="region", values="energy_kwh", aggfunc="sum", fill_value=0.0
    )
    regions = sorted(region.unique())
    return table.reindex(index=case.sites["site_id"], columns=regions, fill_value=0.0).astype(float)


def split_sites(sites: pd.DataFrame, reach: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each region's sites, with border sites' capacity divided between the sides.

    Parameters
    ----------
    sites
        The case's sites (``site_id``, ``vervoerregio_code``, ``max_chargers``,
        ``existing_chargers``, ``max_power_kw`` …).
    reach
        :func:`reach_energy_by_region`.

    Returns
    -------
    dict
        Per region, its sites (rows of ``sites`` with ``max_chargers``, ``max_power_kw`` and
        ``existing_chargers`` of its side).
    """
    regions = list(reach.columns)
    picked: dict[str, list[tuple[int, int, int, float]]] = {region: [] for region in regions}
    weights_of = reach.to_numpy(float)
    for position, (own, max_chargers, existing) in enumerate(
        zip(
            sites["vervoerregio_code"].astype(str),
            sites["max_chargers"].astype(int),
            sites["existing_chargers"].astype(int),
            strict=True,
        )
    ):
        weights = weights_of[position]
        home = home_region(own, weights, regions)
        counts = split_chargers(max_chargers, existing, weights, regions.index(home))
        for index, region in enumerate(regions):
            if counts[index] > 0:
                share = float(counts[index] / counts.sum())
                picked[region].append(
                    (position, int(counts[index]), existing * (region == home), share)
                )
    return {region: _side_sites(sites, picked[region]) for region in regions}


def _side_sites(sites: pd.DataFrame, picked: Sequence[tuple[int, int, int, float]]) -> pd.DataFrame:
    """Rows of ``sites`` at the given positions with their side's chargers and power.

    ``picked`` holds (position, chargers, existing chargers, share of the site's places).
    """
    side = sites.iloc[[p[0] for p in picked]].reset_index(drop=True)
    share = np.array([p[3] for p in picked], dtype=float)
    side["max_power_kw"] = side["max_power_kw"].to_numpy(float) * share
    side["max_chargers"] = np.array([p[1] for p in picked], dtype=np.int64)
    side["existing_chargers"] = np.array([p[2] for p in picked], dtype=np.int64)
    return side


def home_region(own: str, weights: npt.NDArray[np.float64], regions: Sequence[str]) -> str:
    """The side that keeps a site's existing chargers.

    Its own region when that has needs, else the region that could bring it the most energy.

    Examples
    --------
    >>> home_region("7", np.array([0.0, 5.0]), ["3", "7"])
    '7'
    >>> home_region("9", np.array([1.0, 5.0]), ["3", "7"])
    '7'
    """
    if own in regions:
        return own
    return regions[int(np.argmax(weights))]


def split_chargers(
    max_chargers: int, existing: int, weights: npt.NDArray[np.float64], home: int
) -> npt.NDArray[np.int64]:
    """Divide a site's charger places between the sides in proportion to ``weights``.

    Whole numbers by largest remainder; the ``home`` side gets at least the ``existing``
    chargers (taken from the sides with the most).  Without weights, all go home.

    Examples
    --------
    >>> split_chargers(10, 0, np.array([3.0, 1.0]), 0).tolist()
    [8, 2]
    >>> split_chargers(10, 4, np.array([1.0, 9.0]), 0).tolist()
    [4, 6]
    >>> split_chargers(3, 0, np.array([0.0, 0.0]), 1).tolist()
    [0, 3]
    """
    total = max(max_chargers, existing)
    counts = np.zeros(len(weights), dtype=np.int64)
    if weights.sum() <= 0:
        counts[home] = total
        return counts
    quota = total * weights / weights.sum()
    counts = np.asarray(np.floor(quota), dtype=np.int64)
    remainder_order = np.argsort(-(quota - counts), kind="stable")
    for index in remainder_order[: total - int(counts.sum())]:
        counts[index] += 1
    while counts[home] < existing:
        donor = int(np.argmax(np.where(np.arange(len(counts)) == home, -1, counts)))
        counts[donor] -= 1
        counts[home] += 1
    return counts


def node_shares(
    grid: GridInputs,
    sites: pd.DataFrame,
    reach: pd.DataFrame,
    sites_of: Mapping[str, pd.DataFrame],
) -> dict[str, dict[str, float]]:
    """Each region's share of the headroom of each node above its sites.

    A node's headroom is divided between the regions whose sites it feeds, in proportion to
    the energy their needs could bring to the sites below it; equally when none can bring any.
    """
    paths = grid.ancestors()
    node_of_site = dict(zip(sites["site_id"], sites["grid_node_id"], strict=True))
    weight: dict[str, dict[str, float]] = {}
    for region, region_sites in sites_of.items():
        column = reach[region]
        for site_id in region_sites["site_id"]:
            for node in paths.get(str(node_of_site[site_id]), []):
                by_region = weight.setdefault(node, {})
                by_region[region] = by_region.get(region, 0.0) + float(column[site_id])
    shares: dict[str, dict[str, float]] = {region: {} for region in sites_of}
    for node, by_region in weight.items():
        total = sum(by_region.values())
        for region, value in by_region.items():
            shares[region][node] = value / total if total > 0 else 1.0 / len(by_region)
    return shares


def _sub_case(
    case: PlanCase, region: str, sites: pd.DataFrame, node_share: Mapping[str, float]
) -> PlanCase:
    needs = case.needs[case.needs["vervoerregio_code"].astype(str) == region]
    need_ids = set(needs["need_id"])
    site_ids = set(sites["site_id"])
    pairs = case.pairs[case.pairs["need_id"].isin(need_ids) & case.pairs["site_id"].isin(site_ids)]
    positions = np.flatnonzero(np.isin(case.demand["need"].values.astype(str), list(need_ids)))
    return replace(
        case,
        demand=case.demand.isel(need=positions),
        needs=needs.reset_index(drop=True),
        sites=sites.reset_index(drop=True),
        pairs=pairs.reset_index(drop=True),
        grid=_sub_grid(case.grid, node_share),
    )


def _sub_grid(grid: GridInputs, node_share: Mapping[str, float]) -> GridInputs:
    nodes = grid.nodes["node_id"].astype(str)
    keep = nodes.isin(set(node_share)).to_numpy()
    share = nodes[keep].map(node_share).to_numpy(float)
    headroom = grid.headroom_kva[keep] * share[:, np.newaxis]
    return GridInputs(grid.nodes[keep].reset_index(drop=True), headroom)


# --------------------------------------------------------------------------- merging


def merge_plans(
    case: PlanCase, plans: Mapping[str, MultiYearPlan | None], mip_gap: float | None = None
) -> MultiYearPlan:
    """Merge the sub-problems' plans into one plan of the whole case, year by year.

    Parameters
    ----------
    case
        The undivided case.
    plans
        Per region, its plan; ``None`` for a region whose task failed: each year then has
        status ``error``, no objective, and a message naming the region; the tables
        hold the other regions' plans only.
    mip_gap
        The gap asked of the whole: a year whose merged proven gap is within it is
        ``optimal`` even where a region's own gap is not (:func:`merge_year`).
    """
    years = sorted({year for plan in plans.values() if plan for year in plan.years})
    merged: list[PlanResult] = []
    built = BuiltCapacity()
    for year in years:
        results = {
            region: next(r for r in plan.results if r.year == year)
            for region, plan in plans.items()
            if plan is not None and year in plan.years
        }
        failed = sorted(region for region, plan in plans.items() if plan is None)
        result = merge_year(case, year, results, built, failed, mip_gap)
        merged.append(result)
        built = result.built
    return MultiYearPlan(tuple(merged))


def merge_year(
    case: PlanCase,
    year: int,
    results: Mapping[str, PlanResult],
    built: BuiltCapacity,
    failed: Sequence[str] = (),
    mip_gap: float | None = None,
) -> PlanResult:
    """One year's merged result (see :func:`merge_plans`).

    Its status is the worst of the regions', except that a plan of every region whose merged
    proven gap (:func:`merged_gap`) is within ``mip_gap`` is ``optimal``: the gap is asked of
    the whole plan, and the regions' messages still say which of them stopped above it.

    Parameters
    ----------
    case
        The undivided case.
    year
        The year.
    results
        Per region, its result of the year.
    built
        The merged capacity in place before the year.
    failed
        Regions without a result (their task failed).
    mip_gap
        The gap asked of the whole (``None``: the status is the worst of the regions').
    """
    planned = {r: result for r, result in results.items() if result.has_plan}
    parts = list(planned.values())
    status = _merged_status(results, failed, merged_gap(parts), mip_gap)
    assignments = _concat(
        [p.assignments for p in parts], ASSIGNMENT_COLUMNS, sort=["need_id", "site_id"]
    )
    site_power = _merge_site_power([p.site_power for p in parts])
    node_load = _merge_node_load(case, [p.node_load for p in parts])
    sites, sites_eur = _merge_sites(case, parts, assignments, site_power, built)
    chargers_eur = sum(p.costs.get(CostKey.CHARGERS, 0.0) for p in parts)
    costs: dict[str, float] = {
        CostKey.SITES: sites_eur,
        CostKey.CHARGERS: chargers_eur,
        CostKey.CARRIED_INVESTMENT: built.investment_eur_per_year,
        **{
            key: sum(p.costs.get(key, 0.0) for p in parts)
            for key in (CostKey.ENERGY, CostKey.ACCESS, CostKey.REINFORCEMENT)
        },
    }
    complete = status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    by_tier = {t: sum(p.energy_by_tier_kwh_per_day.get(t, 0.0) for p in parts) for t in SITE_TIERS}
    any_result = next(iter(results.values()), None)
    return PlanResult(
        year=year,
        status=status,
        message=_merged_message(results, failed),
        objective_eur=sum(costs.values()) if complete else None,
        costs={
            **costs,
            **{key: sum(p.costs.get(key, 0.0) for p in parts) for key in REPORTED_APART_KEYS},
        }
        if complete
        else {},
        unmet_kwh_per_day=sum(p.unmet_kwh_per_day or 0.0 for p in parts) if complete else None,
        energy_by_tier_kwh_per_day=by_tier if complete else {},
        solver=any_result.solver if any_result else "",
        mip_gap=merged_gap(parts) if complete else None,
        mip_gap_largest_region=max(
            (p.mip_gap for p in parts if p.mip_gap is not None), default=None
        ),
        build_s=sum(r.build_s for r in results.values()),
        solve_s=sum(r.solve_s for r in results.values()),
        model=_merged_sizes([r.model for r in results.values()]),
        stages=tuple(
            replace(stage, name=f"{region}:{stage.name}")
            for region, result in sorted(results.items())
            for stage in result.stages
        ),
        sites=sites,
        assignments=assignments,
        site_power=site_power,
        node_load=node_load,
        reinforcement=_merge_reinforcement(case, [p.reinforcement for p in parts], node_load),
        unmet=_concat([p.unmet for p in parts], UNMET_COLUMNS, sort=["need_id"]),
        built=_merged_built(parts, built, sites_eur + chargers_eur),
        energy_kwh_per_day=sum(r.energy_kwh_per_day for r in results.values()),
        unmet_structural_kwh_per_day=_sum_known(
            [r.unmet_structural_kwh_per_day for r in results.values()]
        ),
        mip_gap_eur=_sum_known([r.mip_gap_eur for r in results.values()]) if complete else None,
        cpu_s=sum(r.cpu_s for r in results.values()),
    )


def merged_gap(parts: Sequence[PlanResult]) -> float | None:
    """The proven gap of a plan merged from sub-problems: Σ gaps in EUR ÷ Σ objectives.

    The sub-problems are independent, so the sum of their bounds bounds the sum of their
    objectives (cost, unmet penalty and premium, :attr:`PlanResult.mip_gap_eur`).  The
    merged plan counts a site two sides open once, so its cost is at most that sum and its
    gap against the summed bounds at most this figure.  ``None`` when a part has no bound.
    """
    objectives = [_solver_objective(p) for p in parts]
    gaps = [p.mip_gap_eur for p in parts]
    if any(o is None for o in objectives) or any(g is None for g in gaps):
        return None
    total = sum(abs(o) for o in objectives if o is not None)
    return sum(g for g in gaps if g is not None) / total if total > 0 else 0.0


def _solver_objective(result: PlanResult) -> float | None:
    """The objective of the cost stage, whose gap is the result's (``None`` without one)."""
    return next((run.objective for run in result.stages if run.name == COST), None)


def _sum_known(numbers: Sequence[float | None]) -> float | None:
    """The sum, or ``None`` when a number is unknown."""
    return None if any(n is None for n in numbers) else sum(n for n in numbers if n is not None)


def regions_to_improve(results: Mapping[str, PlanResult], mip_gap: float) -> list[str]:
    """The regions to plan again so that the whole may come within ``mip_gap`` of its bound.

    The whole's proven gap is Σ gaps in EUR ÷ Σ objectives (:func:`merged_gap`).  While it
    lies above ``mip_gap``, the region with the largest gap in EUR among those whose own gap
    is above ``mip_gap`` is taken and counted at ``mip_gap`` (what planning it to the gap
    aims at), then the next (ties by region code): the fewest regions whose improvement can
    bring the whole within the gap.  None when the whole is within it, or when a region has
    no plan or no proven gap (planning it again gives it no bound either).

    Two regions of objective 100 at gaps of 5 % and 0.5 % make a whole at 2.75 %; asked for
    2 %, the first is taken (counted at 2 %, the whole would be at 1.25 %).  At 3 % and
    0.5 % the whole is at 1.75 % and none is taken.

    Parameters
    ----------
    results
        Per region, its result of the year (each region's first plan).
    mip_gap
        The gap asked of the whole.
    """
    if merged_gap(list(results.values())) is None or not all(r.has_plan for r in results.values()):
        return []
    objective = {
        region: abs(_solver_objective(result) or 0.0) for region, result in results.items()
    }
    gap_eur = {region: result.mip_gap_eur or 0.0 for region, result in results.items()}
    target_eur = mip_gap * sum(objective.values())
    above = [r for r in sorted(results) if gap_eur[r] > mip_gap * objective[r] + 1e-9]
    taken: list[str] = []
    for region in sorted(above, key=lambda r: -gap_eur[r]):
        if sum(gap_eur.values()) <= target_eur + 1e-9:
            break
        taken.append(region)
        gap_eur[region] = mip_gap * objective[region]
    return taken


def _merged_status(
    results: Mapping[str, PlanResult],
    failed: Sequence[str],
    gap: float | None = None,
    mip_gap: float | None = None,
) -> SolveStatus:
    if failed:
        return SolveStatus.ERROR
    statuses = [result.status for result in results.values()] or [SolveStatus.ERROR]
    worst = max(statuses, key=STATUS_ORDER.index)
    within = gap is not None and mip_gap is not None and gap <= mip_gap + 1e-12
    return SolveStatus.OPTIMAL if worst == SolveStatus.FEASIBLE and within else worst


def _merged_message(results: Mapping[str, PlanResult], failed: Sequence[str]) -> str:
    parts = [f"merged from {len(results)} vervoerregio sub-problem(s)"]
    parts += [
        f"vervoerregio {region}: {result.status.value}: {result.message}"
        for region, result in sorted(results.items())
        if result.status is not SolveStatus.OPTIMAL
    ]
    parts += [f"vervoerregio {region}: the task failed, no plan" for region in failed]
    return "; ".join(parts)


def _merged_sizes(sizes: Sequence[Mapping[str, int]]) -> dict[str, int]:
    if not sizes:
        return {}
    return {
        key: max(s[key] for s in sizes) if key == "blocks" else sum(s[key] for s in sizes)
        for key in sizes[0]
    }


def _concat(
    frames: Sequence[pd.DataFrame], columns: Sequence[str], sort: Sequence[str] = ()
) -> pd.DataFrame:
    """The frames one below the other; an empty table with ``columns`` when there are none."""
    given = [frame for frame in frames if len(frame)]
    if not given:
        return pd.DataFrame({column: [] for column in columns})
    table = pd.concat(given, ignore_index=True)
    return table.sort_values(list(sort), kind="stable", ignore_index=True) if sort else table


def _merge_sites(
    case: PlanCase,
    parts: Sequence[PlanResult],
    assignments: pd.DataFrame,
    site_power: pd.DataFrame,
    built: BuiltCapacity,
) -> tuple[pd.DataFrame, float]:
    """Sites of all sides, one row per site; and the annuity of the sites newly opened."""
    frames = [p.sites for p in parts if len(p.sites)]
    if not frames:
        columns = parts[0].sites.columns if parts else SITE_BASE_COLUMNS + SITE_TAIL_COLUMNS
        return pd.DataFrame({column: [] for column in columns}), 0.0
    table = pd.concat(frames, ignore_index=True)
    annuity = case.scenario.optimisation.capex_annuity_factor
    fixed_of = case.sites.set_index("site_id")["fixed_cost_eur"]
    fixed_eur = table["site_id"].map(fixed_of).astype(float)
    table["capex_eur_per_year"] = table["investment_eur_per_year"] - annuity * fixed_eur * table[
        "newly_opened"
    ].astype(float)
    counts = [
        c
        for c in table.columns
        if c.startswith("chargers") or c in ("new_chargers", "connectors", "vehicles_peak")
    ]
    merged = table.groupby("site_id", as_index=False, sort=True).agg(
        **{c: (c, "sum") for c in [*counts, "installed_kw", "capex_eur_per_year"]},
        opened_here=("newly_opened", "any"),
    )
    inputs = case.sites.set_index("site_id").loc[merged["site_id"]].reset_index()
    for column in SITE_IDENTITY_COLUMNS:
        merged[column] = inputs[column].to_numpy()
    merged["existing_chargers"] = inputs["existing_chargers"].to_numpy()
    merged["max_power_kw"] = inputs["max_power_kw"].to_numpy(float)
    merged["newly_opened"] = merged["opened_here"] & ~merged["site_id"].isin(built.opened)
    fixed = inputs["fixed_cost_eur"].to_numpy(float) * merged["newly_opened"].to_numpy(float)
    merged["investment_eur_per_year"] = merged["capex_eur_per_year"] + annuity * fixed
    grouped = assignments.groupby("site_id")
    ids = merged["site_id"]
    merged["energy_kwh_per_day"] = ids.map(grouped["energy_kwh_per_day"].sum()).fillna(0.0)
    merged["organisations"] = ids.map(grouped["organisation_id"].nunique()).fillna(0).astype(int)
    merged["needs"] = ids.map(grouped["need_id"].nunique()).fillna(0).astype(int)
    merged["peak_kw"] = ids.map(site_power.groupby("site_id")["power_kw"].max()).fillna(0.0)
    merged["utilisation"] = site_utilisation(merged, inputs)
    return merged[list(parts[0].sites.columns)], float(annuity * fixed.sum())


def _merge_site_power(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    table = _concat(frames, SITE_POWER_COLUMNS)
    if table.empty:
        return table
    return table.groupby(["site_id", "slot"], as_index=False, sort=True).agg(
        power_kw=("power_kw", "sum")
    )


def _merge_node_load(case: PlanCase, frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    table = _concat(frames, NODE_LOAD_COLUMNS)
    if table.empty:
        return table
    merged = table.groupby(["node_id", "slot"], as_index=False, sort=True).agg(
        name=("name", "first"),
        level=("level", "first"),
        slot_start=("slot_start", "first"),
        load_kw=("load_kw", "sum"),
        reinforcement_kva=("reinforcement_kva", "sum"),
    )
    headroom = _full_headroom(case.grid)
    merged["headroom_kva"] = [
        headroom[node][slot] for node, slot in zip(merged["node_id"], merged["slot"], strict=True)
    ]
    merged["margin_kva"] = node_margin_kva(merged, case.scenario.grid.power_factor)
    return merged[NODE_LOAD_COLUMNS]


def _full_headroom(grid: GridInputs) -> dict[str, npt.NDArray[np.float64]]:
    return dict(zip(grid.nodes["node_id"].astype(str), grid.headroom_kva, strict=True))


def _merge_reinforcement(
    case: PlanCase, frames: Sequence[pd.DataFrame], node_load: pd.DataFrame
) -> pd.DataFrame:
    table = _concat(frames, REINFORCEMENT_COLUMNS)
    if table.empty:
        return table
    merged = table.groupby("node_id", as_index=False, sort=True).agg(
        name=("name", "first"),
        level=("level", "first"),
        new_kva=("new_kva", "sum"),
        total_kva=("total_kva", "sum"),
        cost_eur_per_year=("cost_eur_per_year", "sum"),
    )
    peak = node_load.groupby("node_id")["load_kw"].max()
    merged["peak_load_kw"] = merged["node_id"].map(peak).fillna(0.0)
    headroom = _full_headroom(case.grid)
    merged["min_headroom_kva"] = [
        float(np.nanmin(headroom[node], initial=np.inf)) for node in merged["node_id"]
    ]
    return merged[REINFORCEMENT_COLUMNS]


def _merged_built(
    parts: Sequence[PlanResult], before: BuiltCapacity, new_investment_eur: float
) -> BuiltCapacity:
    chargers: dict[tuple[str, str], int] = {}
    reinforcement: dict[str, float] = {}
    opened: set[str] = set(before.opened)
    for part in parts:
        for key, count in part.built.chargers.items():
            chargers[key] = chargers.get(key, 0) + int(count)
        for node, kva in part.built.reinforcement_kva.items():
            reinforcement[node] = reinforcement.get(node, 0.0) + float(kva)
        opened |= set(part.built.opened)
    return BuiltCapacity(
        chargers=chargers,
        opened=frozenset(opened),
        reinforcement_kva=reinforcement,
        investment_eur_per_year=before.investment_eur_per_year + new_investment_eur,
    )
