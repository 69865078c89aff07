"""The tables of a solved year, read from the solution values (see :mod:`.results`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from planner.optimisation.inputs import PlanInputs, charger_floors
from planner.optimisation.model import PlanProblem, variable_values
from planner.optimisation.plan_rules import (
    pair_unit_kwh,
    pair_unit_tops,
    parked_masks,
    vehicle_units,
)
from planner.optimisation.timeblocks import (
    FloatArray,
    describe_slots,
    minute_mask,
    slot_labels,
)

#: Energy and power below this are read as zero (solver tolerance), kWh or kW.
EPSILON = 1e-6

ASSIGNMENT_COLUMNS = [
    "need_id",
    "organisation_id",
    "category",
    "site_id",
    "tier",
    "own",
    "energy_kwh_per_day",
    "share_of_need",
    "vehicles",
    "peak_kw",
    "slots",
    "distance_km",
    "access_cost_eur_per_kwh",
]
#: What a site is and where it stands: the sites table takes these from the inputs as they are.
SITE_IDENTITY_COLUMNS = [
    "name",
    "tier",
    "owner_organisation_id",
    "nis_code",
    "vervoerregio_code",
    "grid_node_id",
]
SITE_BASE_COLUMNS = [
    "site_id",
    *SITE_IDENTITY_COLUMNS,
    "newly_opened",
    "existing_chargers",
    "chargers",
    "new_chargers",
]
#: Columns of the sites table taken from the inputs.
SITE_INPUT_COLUMNS = [
    "site_id",
    "name",
    "tier",
    "owner_organisation_id",
    "nis_code",
    "vervoerregio_code",
    "grid_node_id",
    "existing_chargers",
    "max_power_kw",
]
SITE_TAIL_COLUMNS = [
    "connectors",
    "vehicles_peak",
    "installed_kw",
    "max_power_kw",
    "energy_kwh_per_day",
    "peak_kw",
    "organisations",
    "needs",
    "utilisation",
    "investment_eur_per_year",
]
NODE_LOAD_COLUMNS = [
    "node_id",
    "name",
    "level",
    "slot",
    "slot_start",
    "load_kw",
    "headroom_kva",
    "reinforcement_kva",
    "margin_kva",
]
REINFORCEMENT_COLUMNS = [
    "node_id",
    "name",
    "level",
    "new_kva",
    "total_kva",
    "cost_eur_per_year",
    "peak_load_kw",
    "min_headroom_kva",
]
UNMET_COLUMNS = [
    "need_id",
    "organisation_id",
    "category",
    "nis_code",
    "energy_kwh_per_day",
    "unmet_kwh_per_day",
    "vehicles",
    "vehicles_unmet",
    "candidate_sites",
    "cause",
    "binding",
]


@dataclass(frozen=True)
class SolutionValues:
    """Solution values in arrays (integers rounded, tiny negatives clipped)."""

    power: FloatArray
    unmet: FloatArray
    open: dict[int, int]
    chargers: dict[tuple[int, int], int]
    reinforcement: dict[int, float]
    vehicles: npt.NDArray[np.int64]  # per pair: whole vehicles charging there
    site_block: FloatArray  # (sites, blocks) kW
    node_block: FloatArray  # (nodes, blocks) kW


def solution_values(problem: PlanProblem) -> SolutionValues:
    """Read the solution values of a solved problem, with site and node loads per block."""
    s = problem.structure
    power = np.clip(variable_values(problem.power), 0.0, None)
    pair_kwh = np.bincount(s.row_pair, weights=s.row_hours * power, minlength=len(s.pairs))
    power[pair_kwh[s.row_pair] <= EPSILON] = 0.0  # solver noise, not a pair that charges
    site_block = np.zeros((len(problem.inputs.sites), s.blocks.count))
    np.add.at(site_block, (s.pair_site[s.row_pair], s.row_block), power)
    node_block = np.zeros((len(problem.inputs.grid.nodes), s.blocks.count))
    for site, nodes in enumerate(s.site_nodes):
        for node in nodes:
            node_block[node] += site_block[site]
    chargers = {k: round(v.varValue or 0.0) for k, v in problem.chargers.items()}
    return SolutionValues(
        power=power,
        unmet=np.clip(variable_values(problem.unmet), 0.0, None),
        open=_open_sites(problem, chargers, site_block),
        chargers=chargers,
        reinforcement={k: max(v.varValue or 0.0, 0.0) for k, v in problem.reinforcement.items()},
        vehicles=_pair_vehicles(problem),
        site_block=site_block,
        node_block=node_block,
    )


def _pair_vehicles(problem: PlanProblem) -> npt.NDArray[np.int64]:
    """Whole vehicles of each pair's need charging at its site (units × vehicles per unit)."""
    inputs, s = problem.inputs, problem.structure
    units = vehicle_units(inputs.needs, inputs.settings.min_assignment_kwh_per_day)
    counts = np.zeros(len(s.pairs), dtype=np.int64)
    for pair, var in problem.vehicles.items():
        counts[pair] = round(var.varValue or 0.0)
    result: npt.NDArray[np.int64] = counts * units.vehicles_per_unit[s.pair_need]
    return result


def _open_sites(
    problem: PlanProblem, chargers: dict[tuple[int, int], int], site_block: FloatArray
) -> dict[int, int]:
    """Open (1) or not per modelled site.

    A site the solver left open at no cost (zero fixed cost, a tie) with no charger and no
    power is read as closed: it is not part of the plan.
    """
    equipped = {site for (site, _), n in chargers.items() if n > 0}
    result = {}
    for site, var in problem.open.items():
        used = site in equipped or site_block[site].max(initial=0.0) > EPSILON
        result[site] = round(var.varValue or 0.0) if used or var.lowBound == 1 else 0
    return result


def assignment_table(problem: PlanProblem, values: SolutionValues) -> pd.DataFrame:
    """Energy per day, peak and time spans of every need–site pair that is used."""
    s, inputs = problem.structure, problem.inputs
    energy = np.bincount(s.row_pair, weights=values.power * s.row_hours, minlength=len(s.pairs))
    peak = np.zeros(len(s.pairs))
    np.maximum.at(peak, s.row_pair, values.power)
    used = np.flatnonzero(energy > EPSILON)
    needs = inputs.needs.iloc[s.pair_need[used]]
    need_energy = needs["energy_kwh_per_day"].to_numpy(float)
    table = pd.DataFrame(
        {
            "need_id": needs["need_id"].to_numpy(),
            "organisation_id": needs["organisation_id"].to_numpy(),
            "category": needs["category"].to_numpy(),
            "site_id": s.pairs["site_id"].to_numpy()[used],
            "tier": inputs.sites["tier"].to_numpy()[s.pair_site[used]],
            "own": s.pairs["own"].to_numpy()[used],
            "energy_kwh_per_day": energy[used],
            "share_of_need": energy[used] / np.where(need_energy > 0, need_energy, 1.0),
            "vehicles": values.vehicles[used],
            "peak_kw": peak[used],
            "slots": _spans(problem, values, used),
            "distance_km": s.pairs["distance_km"].to_numpy()[used],
            "access_cost_eur_per_kwh": s.pairs["access_cost_eur_per_kwh"].to_numpy()[used],
        }
    )
    return table[ASSIGNMENT_COLUMNS]


def _spans(problem: PlanProblem, values: SolutionValues, pairs: np.ndarray) -> list[str]:
    """The time spans in which each pair charges."""
    s = problem.structure
    slots: dict[int, list[int]] = {int(p): [] for p in pairs}
    for row in np.flatnonzero(values.power > EPSILON):
        pair = int(s.row_pair[row])
        if pair in slots:
            slots[pair].extend(s.blocks.slots[s.row_block[row]])
    return [describe_slots(slots[int(p)], s.blocks.slot_minutes) for p in pairs]


def site_table(
    problem: PlanProblem, values: SolutionValues, assignments: pd.DataFrame
) -> pd.DataFrame:
    """The open sites with their chargers, energy, peak, sharing and utilisation.

    Open are the sites the plan opens or keeps open, and sites with chargers in place that no
    need of the year can use (listed with their chargers and no energy).
    """
    inputs = problem.inputs
    in_place = charger_floors(inputs)
    counts_of = {**in_place, **values.chargers}
    idle = {s for s, _ in in_place if s not in problem.open}
    idle |= {
        s for s, site_id in enumerate(inputs.sites["site_id"]) if site_id in inputs.built.opened
    }
    sites = sorted({s for s, v in values.open.items() if v > 0} | (idle - set(problem.open)))
    counts, floors = _charger_counts(len(inputs.chargers), counts_of, in_place, sites)
    table = inputs.sites.iloc[sites][SITE_INPUT_COLUMNS].reset_index(drop=True)
    table["newly_opened"] = [s in problem.open and problem.open[s].lowBound == 0 for s in sites]
    table["chargers"] = counts.sum(axis=1)
    table["new_chargers"] = (counts - floors).sum(axis=1)
    for k, option in enumerate(inputs.chargers):
        table[f"chargers_{option.name}"] = counts[:, k]
    table["installed_kw"] = counts @ np.array([o.power_kw for o in inputs.chargers])
    table["connectors"] = counts @ np.array([o.connectors for o in inputs.chargers])
    table["vehicles_peak"] = vehicles_peak(table["site_id"], assignments, inputs)
    site_block = values.site_block[sites] if sites else np.zeros((0, 1))
    _add_use(table, site_block, assignments)
    table["utilisation"] = site_utilisation(table, inputs.sites.iloc[sites])
    fixed = inputs.sites["fixed_cost_eur"].to_numpy(float)[sites] * table["newly_opened"]
    capex = (counts - floors) @ np.array([o.capex_eur for o in inputs.chargers])
    table["investment_eur_per_year"] = inputs.settings.capex_annuity_factor * (fixed + capex)
    names = [f"chargers_{o.name}" for o in inputs.chargers]
    return table[SITE_BASE_COLUMNS + names + SITE_TAIL_COLUMNS]


def _charger_counts(
    n_types: int,
    counts_of: dict[tuple[int, int], int],
    in_place: dict[tuple[int, int], int],
    sites: list[int],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Chargers per (site, type) in the plan, and those in place before the year."""
    counts = np.zeros((len(sites), n_types), dtype=np.int64)
    floors = np.zeros((len(sites), n_types), dtype=np.int64)
    row_of = {site: i for i, site in enumerate(sites)}
    for (site, k), n in counts_of.items():
        if site in row_of:
            counts[row_of[site], k] = n
            floors[row_of[site], k] = in_place.get((site, k), 0)
    return counts, floors


def _add_use(table: pd.DataFrame, site_block: FloatArray, assignments: pd.DataFrame) -> None:
    grouped = assignments.groupby("site_id")
    ids = table["site_id"]
    table["energy_kwh_per_day"] = ids.map(grouped["energy_kwh_per_day"].sum()).fillna(0.0)
    table["organisations"] = ids.map(grouped["organisation_id"].nunique()).fillna(0).astype(int)
    table["needs"] = ids.map(grouped["need_id"].nunique()).fillna(0).astype(int)
    table["peak_kw"] = site_block.max(axis=1, initial=0.0)


def vehicles_peak(
    site_ids: pd.Series, assignments: pd.DataFrame, inputs: PlanInputs
) -> npt.NDArray[np.int64]:
    """Per site: the most vehicles standing there at one time.

    A need's vehicles stand at a site in their dwell window while it is available (as the
    connector rows of :mod:`planner.optimisation.plan_rules` count them).
    """
    need_at = _positions(inputs.needs["need_id"], assignments["need_id"])
    site_at = _positions(inputs.sites["site_id"], assignments["site_id"])
    stands = parked_masks(inputs, need_at, site_at).astype(np.int64)
    vehicles = assignments["vehicles"].to_numpy(dtype=np.int64)
    parked = np.zeros((len(inputs.sites), inputs.n_slots), dtype=np.int64)
    np.add.at(parked, site_at, vehicles[:, None] * stands)
    peak: npt.NDArray[np.int64] = parked.max(axis=1, initial=0)
    return peak[_positions(inputs.sites["site_id"], site_ids)]


def _positions(ids: pd.Series, wanted: pd.Series) -> npt.NDArray[np.intp]:
    """Each wanted id's row in ``ids``.

    Raises
    ------
    KeyError
        A wanted id is not in ``ids``.
    """
    at: npt.NDArray[np.intp] = pd.Index(ids).get_indexer(wanted)
    if (at < 0).any():
        raise KeyError(f"not found: {sorted(set(wanted[at < 0].astype(str)))}")
    return at


def site_utilisation(table: pd.DataFrame, sites: pd.DataFrame) -> npt.NDArray[np.float64]:
    """Energy ÷ (usable kW × hours open): usable kW is the chargers' capped by the connection."""
    hours = np.array(
        [
            minute_mask(str(a), str(b)).sum() / 60
            for a, b in zip(sites["available_from"], sites["available_to"], strict=True)
        ]
    )
    usable = np.minimum(
        table["installed_kw"].to_numpy(float), table["max_power_kw"].to_numpy(float)
    )
    capacity = usable * hours
    energy = table["energy_kwh_per_day"].to_numpy(float)
    return np.where(capacity > 0, energy / np.where(capacity > 0, capacity, 1.0), 0.0)


def site_power_table(problem: PlanProblem, values: SolutionValues) -> pd.DataFrame:
    """Power per used site and slot, kW."""
    s, inputs = problem.structure, problem.inputs
    used = np.flatnonzero(values.site_block.max(axis=1) > EPSILON)
    by_slot = values.site_block[used][:, s.blocks.block_of_slot()]
    n_slots = by_slot.shape[1] if used.size else inputs.n_slots
    return pd.DataFrame(
        {
            "site_id": np.repeat(inputs.sites["site_id"].to_numpy()[used], n_slots),
            "slot": np.tile(np.arange(n_slots), used.size),
            "power_kw": by_slot.reshape(-1),
        }
    )


def node_load_table(problem: PlanProblem, values: SolutionValues) -> pd.DataFrame:
    """Load, headroom, reinforcement and margin per loaded grid node and slot."""
    s, inputs = problem.structure, problem.inputs
    nodes = inputs.grid.nodes
    loaded = (
        np.flatnonzero(values.node_block.max(axis=1) > EPSILON) if len(nodes) else np.zeros(0, int)
    )
    n_slots = inputs.n_slots
    load = (
        values.node_block[loaded][:, s.blocks.block_of_slot()]
        if loaded.size
        else np.zeros((0, n_slots))
    )
    headroom = inputs.grid.headroom_kva[loaded]
    reinforcement = _total_reinforcement(problem, values)[loaded]
    table = pd.DataFrame(
        {
            "node_id": np.repeat(nodes["node_id"].to_numpy()[loaded], n_slots),
            "name": np.repeat(nodes["name"].to_numpy()[loaded], n_slots),
            "level": np.repeat(nodes["level"].to_numpy()[loaded], n_slots),
            "slot": np.tile(np.arange(n_slots), loaded.size),
            "slot_start": np.tile(slot_labels(inputs.slot_minutes), loaded.size),
            "load_kw": load.reshape(-1),
            "headroom_kva": headroom.reshape(-1),
            "reinforcement_kva": np.repeat(reinforcement, n_slots),
        }
    )
    table["margin_kva"] = node_margin_kva(table, inputs.power_factor)
    return table[NODE_LOAD_COLUMNS]


def node_margin_kva(node_load: pd.DataFrame, power_factor: float) -> pd.Series:
    """max(headroom, 0) + reinforcement − load ÷ power factor, kVA (the grid rows' slack)."""
    margin: pd.Series = (
        node_load["headroom_kva"].clip(lower=0)
        + node_load["reinforcement_kva"]
        - node_load["load_kw"] / power_factor
    )
    return margin


def _total_reinforcement(problem: PlanProblem, values: SolutionValues) -> FloatArray:
    nodes = problem.inputs.grid.nodes
    carried = (
        nodes["node_id"].map(problem.inputs.built.reinforcement_kva).fillna(0.0).to_numpy(float)
    )
    new = np.zeros(len(nodes))
    for node, kva in values.reinforcement.items():
        new[node] = kva
    total: FloatArray = carried + new
    return total


def reinforcement_table(problem: PlanProblem, values: SolutionValues) -> pd.DataFrame:
    """Reinforcement requested per node: new this year and in total, with its annual cost."""
    inputs = problem.inputs
    nodes = inputs.grid.nodes
    total = _total_reinforcement(problem, values)
    rows = np.flatnonzero(total > EPSILON)
    new = np.array([values.reinforcement.get(int(v), 0.0) for v in rows])
    peak = values.node_block[rows].max(axis=1) if rows.size else np.zeros(0)
    table = pd.DataFrame(
        {
            "node_id": nodes["node_id"].to_numpy()[rows],
            "name": nodes["name"].to_numpy()[rows],
            "level": nodes["level"].to_numpy()[rows],
            "new_kva": new,
            "total_kva": total[rows],
            "cost_eur_per_year": total[rows] * inputs.settings.reinforcement_cost_eur_per_kva,
            "peak_load_kw": peak,
            "min_headroom_kva": np.nanmin(inputs.grid.headroom_kva[rows], axis=1, initial=np.inf)
            if rows.size
            else np.zeros(0),
        }
    )
    return table[REINFORCEMENT_COLUMNS]


def unmet_table(problem: PlanProblem, values: SolutionValues) -> pd.DataFrame:
    """Needs not (fully) served and their candidate sites (causes: :mod:`.unmet_causes`)."""
    inputs, s = problem.inputs, problem.candidates
    rows = np.flatnonzero(values.unmet > EPSILON)
    candidates = np.bincount(s.pair_need, minlength=len(inputs.needs))[rows]
    needs = inputs.needs.iloc[rows]
    table = pd.DataFrame(
        {
            "need_id": needs["need_id"].to_numpy(),
            "organisation_id": needs["organisation_id"].to_numpy(),
            "category": needs["category"].to_numpy(),
            "nis_code": needs["nis_code"].to_numpy(),
            "energy_kwh_per_day": needs["energy_kwh_per_day"].to_numpy(float),
            "unmet_kwh_per_day": values.unmet[rows],
            "vehicles": needs["vehicles"].to_numpy(float),
            "candidate_sites": candidates,
        }
    )
    table["vehicles_unmet"] = whole_vehicles_unmet(
        table["vehicles"].to_numpy(float),
        table["energy_kwh_per_day"].to_numpy(float),
        table["unmet_kwh_per_day"].to_numpy(float),
    )
    return table


#: Share of one vehicle's energy below which an unmet remainder counts no vehicle.
VEHICLE_TOLERANCE = 1e-3


def whole_vehicles_unmet(
    vehicles: FloatArray, energy_kwh_per_day: FloatArray, unmet_kwh_per_day: FloatArray
) -> npt.NDArray[np.int64]:
    """Whole vehicles whose energy stays unmet: the unmet energy in vehicle-days, rounded up.

    A vehicle draws the need's energy ÷ its vehicles per working day (at most the need's
    energy, as in :func:`~planner.optimisation.plan_rules.vehicle_units`); the count is at most
    the need's whole vehicles.  A remainder below :data:`VEHICLE_TOLERANCE` of one vehicle's
    energy counts no vehicle (solver tolerance).

    Examples
    --------
    >>> whole_vehicles_unmet(np.array([2.3, 4.0]), np.array([46.0, 80.0]), np.array([6.0, 80.0]))
    array([1, 4])
    """
    whole = np.maximum(np.ceil(vehicles - 1e-9), 1.0)
    per_vehicle = np.minimum(energy_kwh_per_day / np.where(vehicles > 0, vehicles, 1.0),
                             energy_kwh_per_day)  # fmt: skip
    share = unmet_kwh_per_day / np.where(per_vehicle > 0, per_vehicle, 1.0)
    counted = np.minimum(np.ceil(share - VEHICLE_TOLERANCE), whole)
    return np.clip(counted, 0, None).astype(np.int64)


def new_investment(problem: PlanProblem, values: SolutionValues) -> tuple[float, float]:
    """Annuity of the sites opened and chargers bought this year, EUR/year."""
    c = problem.costs
    sites_eur = sum(c.open[s] * values.open[s] for s in c.open)
    chargers_eur = sum(
        c.chargers[k] * (values.chargers[k] - problem.charger_floor.get(k, 0)) for k in c.chargers
    )
    return float(sites_eur), float(chargers_eur)


def structural_unmet_kwh_per_day(problem: PlanProblem) -> float:
    """Energy per working day that no plan could charge, kWh: a lower bound on the unmet.

    Need by need, the most it could charge if it had every site to itself: in each block, the
    least of its vehicles' power and, summed over its sites, what the pair may draw within
    what the site's chargers and connection can give its category (:attr:`PlanProblem.site_cap_kw`:
    the chargers in place, the rest of ``max_chargers`` of the best suiting type) and,
    without reinforcement, the binding headroom on the site's path; per site at most its whole
    vehicles times what one takes there.  What stays short of the need's energy is
    structural: windows, reach and caps, whatever the other needs do.  Read over every
    candidate pair (:attr:`PlanProblem.candidates`), whichever of them the model holds.
    """
    s, inputs = problem.candidates, problem.inputs
    energy = inputs.needs["energy_kwh_per_day"].to_numpy(float)
    if not len(s.row_pair):
        return float(energy.sum())
    row_cap = np.minimum(s.row_ub_kw, _row_site_cap_kw(problem))
    row_need = s.pair_need[s.row_pair]
    by_block = np.zeros((len(energy), s.blocks.count))
    np.add.at(by_block, (row_need, s.row_block), row_cap)
    by_block = np.minimum(by_block, s.need_block_cap_kw)
    over_blocks = by_block @ s.blocks.hours
    units = vehicle_units(inputs.needs, inputs.settings.min_assignment_kwh_per_day)
    pair_fits = np.bincount(s.row_pair, weights=s.row_hours * row_cap, minlength=len(s.pairs))
    per_unit = pair_unit_kwh(problem, units, candidates=True)
    pair_max = np.minimum(pair_fits, pair_unit_tops(units, s.pair_need, per_unit) * per_unit)
    over_pairs = np.bincount(s.pair_need, weights=pair_max, minlength=len(energy))
    servable = np.minimum(energy, np.minimum(over_blocks, over_pairs))
    return float(np.clip(energy - servable, 0.0, None).sum())


def _row_site_cap_kw(problem: PlanProblem) -> FloatArray:
    """Per candidate pair–block row: the most the site could give the need's category, kW.

    What its chargers and connection allow (:attr:`PlanProblem.site_cap_kw`), and without
    reinforcement the binding headroom on the site's path.
    """
    cap = problem.candidate_site_cap_kw[problem.candidates.row_pair]
    if not problem.inputs.settings.allow_reinforcement:
        cap = np.minimum(cap, _row_headroom_kw(problem))
    return cap


def _row_headroom_kw(problem: PlanProblem) -> FloatArray:
    """Per candidate pair–block row: the least binding headroom on its site's path, kW."""
    s, inputs = problem.candidates, problem.inputs
    site = s.pair_site[s.row_pair]
    per_site = np.full((len(inputs.sites), s.blocks.count), np.inf)
    for st, path in enumerate(s.site_nodes):
        for node in path:
            kva = np.where(np.isnan(s.binding_kva[node]), np.inf, s.binding_kva[node])
            per_site[st] = np.minimum(per_site[st], kva * inputs.power_factor)
    headroom: FloatArray = per_site[site, s.row_block]
    return headroom
