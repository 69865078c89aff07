"""A solved year as tidy tables: :class:`PlanResult` and :func:`make_result`.

Tables (empty, with their columns, when the solve found no plan):

* ``sites``: open sites: tier, chargers per type (in place, new), installed kW, energy,
  peak kW, organisations sharing, utilisation (energy ÷ (usable kW × available hours));
* ``assignments``: need, site, energy per day, share of the need, peak kW, time spans used;
* ``site_power``: power per site and slot, kW;
* ``node_load``: per grid node with load below it and slot: load, headroom, reinforcement
  and margin (max(headroom, 0) + reinforcement − load ÷ power factor), kW/kVA;
* ``reinforcement``: reinforcement per node (new this year and in total), kVA, with its cost;
* ``unmet``: needs not (fully) served: the need's vehicles, the whole vehicles left short
  (``vehicles_unmet``), the cause and the figure that binds.

Cost breakdown (EUR per year): ``sites_eur`` and ``chargers_eur`` (annuity of this year's
investments), ``carried_investment_eur`` (annuity of earlier plan years' investments),
``energy_eur``, ``access_eur``, ``reinforcement_eur`` (all reinforcement requested so far);
``objective_eur`` is their sum.  ``unmet_penalty_eur`` and ``ladder_premium_eur`` are
reported apart and are not part of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from planner.optimisation.inputs import BuiltCapacity
from planner.optimisation.model import PlanProblem
from planner.optimisation.solvers import SolveStatus, StageRun
from planner.optimisation.tables import (
    ASSIGNMENT_COLUMNS,
    EPSILON,
    NODE_LOAD_COLUMNS,
    REINFORCEMENT_COLUMNS,
    SITE_BASE_COLUMNS,
    SITE_TAIL_COLUMNS,
    UNMET_COLUMNS,
    SolutionValues,
    assignment_table,
    new_investment,
    node_load_table,
    reinforcement_table,
    site_power_table,
    site_table,
    solution_values,
    structural_unmet_kwh_per_day,
    unmet_table,
)
from planner.optimisation.unmet_causes import explain_unmet
from planner.optimisation.vocabulary import COST_KEYS, CostKey
from planner.scenario import SITE_TIERS

__all__ = ["ASSIGNMENT_COLUMNS", "COST_KEYS", "PlanResult", "make_result"]


@dataclass(frozen=True)
class PlanResult:
    """One solved year.

    Attributes
    ----------
    year, status, message
        The year, the outcome and its explanation.
    objective_eur
        Annualised cost of the plan without penalty and premium, EUR/year (``None`` without
        a plan).
    costs
        Cost breakdown, EUR/year (see the module docstring).
    unmet_kwh_per_day
        Energy not served per working day, kWh.
    energy_by_tier_kwh_per_day
        Energy per working day charged per tier, kWh.
    solver, mip_gap, build_s, solve_s, model, stages
        Solver name, gap reached (cost stage), build and solve wall-clock seconds, model sizes
        and the stage runs.
    sites, assignments, site_power, node_load, reinforcement, unmet
        The tables of the module docstring.
    built
        Capacity in place after this year, to carry into the next.
    energy_kwh_per_day
        The year's energy per working day over all needs, kWh (served + unmet).
    unmet_structural_kwh_per_day
        Energy no plan could charge (windows, reach, caps), kWh per working day; a lower
        bound on the unmet (:func:`~planner.optimisation.tables.structural_unmet_kwh_per_day`).
    mip_gap_eur
        The proven gap in EUR/year: ``mip_gap`` × the solver's objective (cost, unmet penalty
        and premium) of the cost stage; ``None`` without a bound.
    cpu_s
        Process CPU seconds of building and solving the year (solver threads included).
    mip_gap_largest_region
        A plan merged from vervoerregio sub-problems: the largest of their proven gaps
        (``mip_gap`` is the merged plan's); ``None`` otherwise.
    ladder_certificate
        Weighted ladder: per tier (private, semi-public) the plan's energy against an upper
        bound on its lexicographic level (:class:`~planner.optimisation.coarse.LadderCertificate`);
        ``None`` under the other policies.
    """

    year: int
    status: SolveStatus
    message: str
    objective_eur: float | None
    costs: dict[str, float]
    unmet_kwh_per_day: float | None
    energy_by_tier_kwh_per_day: dict[str, float]
    solver: str
    mip_gap: float | None
    build_s: float
    solve_s: float
    model: dict[str, int]
    stages: tuple[StageRun, ...]
    sites: pd.DataFrame
    assignments: pd.DataFrame
    site_power: pd.DataFrame
    node_load: pd.DataFrame
    reinforcement: pd.DataFrame
    unmet: pd.DataFrame
    built: BuiltCapacity = field(default_factory=BuiltCapacity)
    energy_kwh_per_day: float = 0.0
    unmet_structural_kwh_per_day: float | None = None
    mip_gap_eur: float | None = None
    cpu_s: float = 0.0
    ladder_certificate: dict[str, dict[str, float]] | None = None
    mip_gap_largest_region: float | None = None

    @property
    def investment_eur_per_year(self) -> float:
        """Annuity of the sites and chargers invested in up to this year, EUR/year."""
        keys = (CostKey.SITES, CostKey.CHARGERS, CostKey.CARRIED_INVESTMENT)
        return float(sum(self.costs.get(key, 0.0) for key in keys))

    @property
    def has_plan(self) -> bool:
        """Whether the solve produced a plan."""
        return self.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)

    def summary(self) -> dict[str, Any]:
        """The year's headline figures as JSON-ready values."""
        total = sum(self.energy_by_tier_kwh_per_day.values())
        share = {
            t: (e / total if total > 0 else 0.0) for t, e in self.energy_by_tier_kwh_per_day.items()
        }
        return {
            "year": self.year,
            "status": self.status.value,
            "message": self.message,
            "objective_eur": _round(self.objective_eur),
            "energy_kwh_per_day": _round(self.energy_kwh_per_day),
            "unmet_kwh_per_day": _round(self.unmet_kwh_per_day),
            "unmet_structural_kwh_per_day": _round(self.unmet_structural_kwh_per_day),
            "costs_eur_per_year": {k: _round(v) for k, v in self.costs.items()},
            "energy_kwh_per_day_by_tier": {
                k: _round(v) for k, v in self.energy_by_tier_kwh_per_day.items()
            },
            "energy_share_by_tier": {k: round(v, 4) for k, v in share.items()},
            "sites_open": len(self.sites),
            "chargers": int(self.sites["chargers"].sum()) if len(self.sites) else 0,
            "reinforcement_kva": _round(float(self.reinforcement["total_kva"].sum())),
            "solver": self.solver,
            "mip_gap": None if self.mip_gap is None else round(self.mip_gap, 6),
            "mip_gap_eur": _round(self.mip_gap_eur),
            **(
                {"mip_gap_largest_region": round(self.mip_gap_largest_region, 6)}
                if self.mip_gap_largest_region is not None
                else {}
            ),
            "investment_eur_per_year": _round(self.investment_eur_per_year),
            "mip_gap_share_of_investment": _share(self.mip_gap_eur, self.investment_eur_per_year),
            "build_s": round(self.build_s, 3),
            "solve_s": round(self.solve_s, 3),
            "wall_s": round(self.build_s + self.solve_s, 3),
            "cpu_s": round(self.cpu_s, 3),
            "model": dict(self.model),
            "ladder_certificate": self.ladder_certificate,
            "stages": [
                {
                    "name": r.name,
                    "status": r.status.value,
                    "objective": _round(r.objective),
                    "gap": r.gap,
                    "runtime_s": round(r.runtime_s, 3),
                }
                for r in self.stages
            ],
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


def _share(part: float | None, whole: float) -> float | None:
    """``part`` ÷ ``whole`` (``None`` without a part or a whole)."""
    return None if part is None or whole <= 0 else round(part / whole, 6)


def make_result(
    problem: PlanProblem,
    runs: Sequence[StageRun],
    outcome: tuple[SolveStatus, str],
    solver: str,
    solve_s: float,
) -> PlanResult:
    """Read the plan of a solved problem into a :class:`PlanResult`.

    Parameters
    ----------
    problem
        The solved problem (values in its variables).
    runs
        The stage runs.
    outcome
        Overall status and explanation.
    solver
        The solver's name.
    solve_s
        Wall-clock seconds of the solve, passing the model to the solver included.
    """
    inputs = problem.inputs
    status, message = outcome
    cost_run = next((run for run in runs if run.name == "cost"), None)
    base = PlanResult(
        year=inputs.year,
        status=status,
        message=message,
        objective_eur=None,
        costs={},
        unmet_kwh_per_day=None,
        energy_by_tier_kwh_per_day={},
        solver=solver,
        mip_gap=cost_run.gap if cost_run else None,
        build_s=problem.build_s,
        solve_s=solve_s,
        model=problem.sizes(),
        stages=tuple(runs),
        sites=_empty(SITE_BASE_COLUMNS + SITE_TAIL_COLUMNS),
        assignments=_empty(ASSIGNMENT_COLUMNS),
        site_power=_empty(["site_id", "slot", "power_kw"]),
        node_load=_empty(NODE_LOAD_COLUMNS),
        reinforcement=_empty(REINFORCEMENT_COLUMNS),
        unmet=_empty(UNMET_COLUMNS),
        built=inputs.built,
        energy_kwh_per_day=float(inputs.needs["energy_kwh_per_day"].sum()),
        unmet_structural_kwh_per_day=structural_unmet_kwh_per_day(problem),
        mip_gap_eur=_gap_eur(cost_run),
    )
    if status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        return base
    values = solution_values(problem)
    assignments = assignment_table(problem, values)
    costs, penalty, premium = _costs(problem, values)
    by_tier = assignments.groupby("tier")["energy_kwh_per_day"].sum()
    sites = site_table(problem, values, assignments)
    site_power = site_power_table(problem, values)
    node_load = node_load_table(problem, values)
    unmet = explain_unmet(inputs, unmet_table(problem, values), sites, site_power, node_load)
    return replace(
        base,
        objective_eur=sum(costs.values()),
        costs={**costs, CostKey.UNMET_PENALTY: penalty, CostKey.LADDER_PREMIUM: premium},
        unmet_kwh_per_day=float(values.unmet.sum()),
        energy_by_tier_kwh_per_day={t: float(by_tier.get(t, 0.0)) for t in SITE_TIERS},
        sites=sites,
        assignments=assignments,
        site_power=site_power,
        node_load=node_load,
        reinforcement=reinforcement_table(problem, values),
        unmet=unmet[UNMET_COLUMNS],
        built=built_after(problem, values),
    )


def _gap_eur(run: StageRun | None) -> float | None:
    """The proven gap of a stage in EUR/year (gap × |objective|), ``None`` without one."""
    if run is None or run.gap is None or run.objective is None:
        return None
    return float(run.gap * abs(run.objective))


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({column: [] for column in columns})


def _costs(problem: PlanProblem, values: SolutionValues) -> tuple[dict[str, float], float, float]:
    c, inputs = problem.costs, problem.inputs
    sites_eur, chargers_eur = new_investment(problem, values)
    new_kva = sum(values.reinforcement.values())
    total_kva = new_kva + sum(inputs.built.reinforcement_kva.values())
    costs: dict[str, float] = {
        CostKey.SITES: sites_eur,
        CostKey.CHARGERS: chargers_eur,
        CostKey.CARRIED_INVESTMENT: inputs.built.investment_eur_per_year,
        CostKey.ENERGY: float(c.power_energy @ values.power),
        CostKey.ACCESS: float(c.power_access @ values.power),
        CostKey.REINFORCEMENT: total_kva * inputs.settings.reinforcement_cost_eur_per_kva,
    }
    premium = float(c.power_premium @ values.power + c.unmet_premium @ values.unmet)
    return costs, float(c.unmet @ values.unmet), premium


#: Decimals of a kVA the reinforcement carried into the next year keeps (a milli-volt-ampere).
#: Below that a solver's value is rounding noise, and the next year's MIPs follow it: with
#: the hourly repair built on the coarse plan's pairs (6 December 2026), vervoerregio 6 of the
#: Flanders benchmark carried 16.686038011695892 kVA instead of …885 into 2029, and its plans
#: of 2029–2035 went another way (the same inputs otherwise, the same sites and chargers).
CARRIED_KVA_DIGITS = 6


def built_after(problem: PlanProblem, values: SolutionValues) -> BuiltCapacity:
    """Capacity in place after this year: earlier builds plus this year's.

    The reinforcement per node is rounded to :data:`CARRIED_KVA_DIGITS` decimals of a kVA.
    """
    inputs = problem.inputs
    site_ids = inputs.sites["site_id"].to_numpy()
    chargers = dict(inputs.built.chargers)
    for (site, k), n in values.chargers.items():
        if n > 0 or (str(site_ids[site]), inputs.chargers[k].name) in chargers:
            chargers[(str(site_ids[site]), inputs.chargers[k].name)] = int(n)
    opened = set(inputs.built.opened) | {str(site_ids[s]) for s, v in values.open.items() if v > 0}
    reinforcement = dict(inputs.built.reinforcement_kva)
    node_ids = inputs.grid.nodes["node_id"].to_numpy()
    for node, kva in values.reinforcement.items():
        if kva > EPSILON:
            total = reinforcement.get(str(node_ids[node]), 0.0) + kva
            reinforcement[str(node_ids[node])] = round(total, CARRIED_KVA_DIGITS)
    sites_eur, chargers_eur = new_investment(problem, values)
    return BuiltCapacity(
        chargers=chargers,
        opened=frozenset(opened),
        reinforcement_kva=reinforcement,
        investment_eur_per_year=inputs.built.investment_eur_per_year + sites_eur + chargers_eur,
    )
