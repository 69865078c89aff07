"""Plan year by year: what a year builds is carried into the next, never removed.

Each year is its own problem (:func:`planner.optimisation.model.build_problem`) whose
:class:`~planner.optimisation.inputs.BuiltCapacity` holds the sites opened, chargers bought
and reinforcement requested in the years before: they are lower bounds at no new cost, while
their annuity stays in the year's cost (``carried_investment_eur``).  A year without a plan
(time limit, infeasible) carries nothing new and the next year starts from the same build.

A one-shot model over all years would share the structure (:class:`PlanInputs` already
carries the year and the build); it is not built here.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from planner.optimisation.case import PlanCase, inputs_for_year
from planner.optimisation.coarse import repair_pairs
from planner.optimisation.inputs import BuiltCapacity, GridInputs
from planner.optimisation.memory import release_memory
from planner.optimisation.model import build_problem, no_garbage_collection
from planner.optimisation.results import PlanResult
from planner.optimisation.solve import solve, solve_ahead
from planner.optimisation.solvers import SolveOptions, SolveStatus
from planner.optimisation.structure import make_structure
from planner.optimisation.vocabulary import COST_KEYS, REPORTED_APART_KEYS
from planner.workflows.progress import stage

SUM, LARGEST, LAST = "sum over the years", "largest of a year", "last year"
#: How the years make each top-level figure of :meth:`MultiYearPlan.summary`.
SUMMARY_BASIS = {
    "objective_eur": SUM,
    "costs_eur_per_year": SUM,
    "energy_kwh_per_day": LAST,
    "unmet_kwh_per_day": LARGEST,
    "unmet_structural_kwh_per_day": LAST,
    "energy_share_by_tier": LAST,
    "sites_open": LAST,
    "chargers": LAST,
    "reinforcement_kva": LAST,
    "mip_gap": LARGEST,
    "mip_gap_eur": SUM,
    "mip_gap_largest_region": LARGEST,
    "build_s": SUM,
    "solve_s": SUM,
    "wall_s": SUM,
    "cpu_s": SUM,
    "model": LARGEST,
}
#: Statuses from best to worst: the status of several years is the worst of theirs.
STATUS_ORDER = (
    SolveStatus.OPTIMAL,
    SolveStatus.FEASIBLE,
    SolveStatus.TIME_LIMIT,
    SolveStatus.INFEASIBLE,
    SolveStatus.ERROR,
)

#: Headroom added to nodes from a year on: node id → ((first year, kVA), …).  The grid
#: operator's acknowledged capacity ("available from year Y") enters a plan this way.
HeadroomAdditions = Mapping[str, Sequence[tuple[int, float]]]
#: Called with the year about to be planned.
YearCallback = Callable[[int], None]


@dataclass(frozen=True)
class MultiYearPlan:
    """The plans of one or more consecutive years.

    Attributes
    ----------
    results
        One result per year, in year order.
    """

    results: tuple[PlanResult, ...]

    @property
    def years(self) -> list[int]:
        """The years planned."""
        return [result.year for result in self.results]

    @property
    def status(self) -> SolveStatus:
        """The worst status of the years."""
        return max((r.status for r in self.results), key=STATUS_ORDER.index)

    def summary(self) -> dict[str, Any]:
        """Headline figures of all years, and each year's own (``years``, a list).

        With one year the top-level figures are that year's.  With several, ``basis`` says
        for each top-level figure how the years make it: ``objective_eur``, the costs,
        ``mip_gap_eur`` and the timings are sums over the years; ``unmet_kwh_per_day``,
        ``mip_gap`` and the model sizes the largest of a year; ``energy_kwh_per_day``, the
        structural unmet, the tier shares, sites, chargers and reinforcement those of the
        last year.
        """
        years = [result.summary() for result in self.results]
        planned = [y for y in years if y["objective_eur"] is not None]
        last = years[-1]
        return {
            "planned_years": self.years,
            "status": self.status.value,
            "message": "; ".join(f"{y['year']}: {y['status']}" for y in years),
            "objective_eur": _sum(y["objective_eur"] for y in planned) if planned else None,
            "objective_basis": "sum over the years of each year's annualised cost, EUR",
            "basis": SUMMARY_BASIS,
            "energy_kwh_per_day": last["energy_kwh_per_day"],
            "unmet_kwh_per_day": _max(y["unmet_kwh_per_day"] for y in planned),
            "unmet_structural_kwh_per_day": last["unmet_structural_kwh_per_day"],
            "costs_eur_per_year": {
                key: _sum(y["costs_eur_per_year"].get(key) for y in planned)
                for key in (*COST_KEYS, *REPORTED_APART_KEYS)
            },
            "energy_share_by_tier": last["energy_share_by_tier"],
            "sites_open": last["sites_open"],
            "chargers": last["chargers"],
            "reinforcement_kva": last["reinforcement_kva"],
            "solver": last["solver"],
            "mip_gap": _max(y["mip_gap"] for y in years),
            "mip_gap_eur": _sum_or_none(y["mip_gap_eur"] for y in years),
            **_largest_region_gap(years),
            "build_s": round(sum(y["build_s"] for y in years), 3),
            "solve_s": round(sum(y["solve_s"] for y in years), 3),
            "wall_s": round(sum(y["wall_s"] for y in years), 3),
            "cpu_s": round(sum(y["cpu_s"] for y in years), 3),
            "model": {k: max(y["model"][k] for y in years) for k in last["model"]},
            "years": years,
        }


def _largest_region_gap(years: list[dict[str, Any]]) -> dict[str, float | None]:
    """``mip_gap_largest_region`` over the years, where a year was merged from regions."""
    gaps = [y["mip_gap_largest_region"] for y in years if "mip_gap_largest_region" in y]
    return {"mip_gap_largest_region": _max(gaps)} if gaps else {}


def _sum(numbers: Any) -> float:
    return round(sum(float(n) for n in numbers if n is not None), 2)


def _sum_or_none(numbers: Any) -> float | None:
    given = list(numbers)
    return None if any(n is None for n in given) else _sum(given)


def _max(numbers: Any) -> float | None:
    given = [float(n) for n in numbers if n is not None]
    return max(given) if given else None


def plan_years(
    case: PlanCase,
    years: Sequence[int],
    options: SolveOptions | None = None,
    additions: HeadroomAdditions | None = None,
    on_year: YearCallback | None = None,
) -> MultiYearPlan:
    """Plan the years in order, carrying each year's build into the next.

    This is the one loop over a case's years (every way of planning runs it, per
    vervoerregio sub-problem: :func:`planner.workflows.plan_case.plan_case`).

    Parameters
    ----------
    case
        The case (:func:`planner.workflows.case.prepare_plan`, or one of its sub-problems).
    years
        The years, in increasing order.
    options
        Solver options; by default those of the scenario.
    additions
        Headroom added to nodes from a year on (:data:`HeadroomAdditions`); nodes the case's
        grid does not have are ignored.
    on_year
        Called with each year before it is planned (progress).
    """
    built = BuiltCapacity()
    results = []
    for year in years:
        if on_year is not None:
            on_year(year)
        grid = grid_of_year(case.grid, additions or {}, year)
        result = plan_year(dataclasses.replace(case, grid=grid), year, built, options)
        results.append(result)
        built = result.built
    return MultiYearPlan(tuple(results))


def grid_of_year(grid: GridInputs, additions: HeadroomAdditions, year: int) -> GridInputs:
    """The grid with the headroom added from ``year`` or earlier, in every slot."""
    if not additions:
        return grid
    added = added_headroom(grid, additions, year)
    if not added:
        return grid
    position = {str(node): i for i, node in enumerate(grid.nodes["node_id"])}
    headroom = grid.headroom_kva.copy()
    for node, kva in added.items():
        headroom[position[node]] += kva
    return dataclasses.replace(grid, headroom_kva=headroom)


def added_headroom(grid: GridInputs, additions: HeadroomAdditions, year: int) -> dict[str, float]:
    """Per node of ``grid``, the headroom added by ``year``, kVA (nodes with none left out).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> grid = GridInputs(pd.DataFrame({"node_id": ["a", "b"]}), np.zeros((2, 1)))
    >>> added_headroom(grid, {"a": [(2030, 50.0)], "c": [(2027, 9.0)]}, 2031)
    {'a': 50.0}
    >>> added_headroom(grid, {"a": [(2030, 50.0)]}, 2029)
    {}
    """
    nodes = {str(node) for node in grid.nodes["node_id"]}
    added: dict[str, float] = {}
    for node, steps in additions.items():
        kva = sum(float(value) for first, value in steps if int(first) <= year)
        if str(node) in nodes and kva:
            added[str(node)] = kva
    return added


def plan_year(
    case: PlanCase, year: int, built: BuiltCapacity, options: SolveOptions | None = None
) -> PlanResult:
    """Build and solve one year on top of what earlier years built.

    The cyclic garbage collector is paused for the year (:func:`no_garbage_collection`):
    its passes over the models' millions of PuLP objects took seconds of a large region's
    year, and the models are freed by reference counting (the coarse one before the hourly
    one is built); the collector runs again once the year is planned.  The heap each model
    freed goes back to the system before the next is built (:func:`release_memory`), so
    the years of a vervoerregio planned one after the other on a worker do not each keep
    the last one's peak.  The hourly model is built on the pairs the coarse plan uses
    (:func:`~planner.optimisation.coarse.repair_pairs`).
    """
    cpu_started = time.process_time()
    with no_garbage_collection():
        inputs = inputs_for_year(case, year, built)
        structure = make_structure(inputs)
        ahead = solve_ahead(inputs, structure, options)
        release_memory()  # the coarse model's
        with stage(f"{year}: building the model ({len(inputs.needs)} needs)"):
            problem = build_problem(
                inputs, structure=structure, keep_pairs=repair_pairs(structure, ahead)
            )
        sizes = problem.sizes()
        with stage(
            f"{year}: {sizes['variables']} variables ({sizes['integers']} integer), "
            f"{sizes['constraints']} constraints, {sizes['blocks']} time blocks"
        ):
            result = solve(problem, options, ahead)
        del problem, ahead
        release_memory()  # the hourly model's
    return replace(result, cpu_s=time.process_time() - cpu_started)
