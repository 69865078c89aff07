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

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from planner.optimisation.case import PlanCase, inputs_for_year
from planner.optimisation.inputs import BuiltCapacity
from planner.optimisation.model import build_problem
from planner.optimisation.results import COST_KEYS, PlanResult
from planner.optimisation.solve import solve
from planner.optimisation.solvers import SolveOptions, SolveStatus
from planner.workflows.progress import stage

#: Statuses from best to worst: the status of several years is the worst of theirs.
STATUS_ORDER = (
    SolveStatus.OPTIMAL,
    SolveStatus.FEASIBLE,
    SolveStatus.TIME_LIMIT,
    SolveStatus.INFEASIBLE,
)


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

        With one year the top-level figures are that year's.  With several:
        ``objective_eur`` and the costs are sums of the years' annual costs,
        ``unmet_kwh_per_day`` and ``mip_gap`` the largest of a year, the tier shares those of
        the last year, model sizes the largest, timings sums.
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
            "unmet_kwh_per_day": _max(y["unmet_kwh_per_day"] for y in planned),
            "costs_eur_per_year": {
                key: _sum(y["costs_eur_per_year"].get(key) for y in planned)
                for key in (*COST_KEYS, "unmet_penalty_eur", "ladder_premium_eur")
            },
            "energy_share_by_tier": last["energy_share_by_tier"],
            "sites_open": last["sites_open"],
            "chargers": last["chargers"],
            "reinforcement_kva": last["reinforcement_kva"],
            "solver": last["solver"],
            "mip_gap": _max(y["mip_gap"] for y in years),
            "build_s": round(sum(y["build_s"] for y in years), 3),
            "solve_s": round(sum(y["solve_s"] for y in years), 3),
            "model": {k: max(y["model"][k] for y in years) for k in last["model"]},
            "years": years,
        }


def _sum(numbers: Any) -> float:
    return round(sum(float(n) for n in numbers if n is not None), 2)


def _max(numbers: Any) -> float | None:
    given = [float(n) for n in numbers if n is not None]
    return max(given) if given else None


def plan_years(
    case: PlanCase, years: Sequence[int], options: SolveOptions | None = None
) -> MultiYearPlan:
    """Plan the years in order, carrying each year's build into the next.

    Parameters
    ----------
    case
        The case (:func:`planner.optimisation.case.read_plan_case`).
    years
        The years, in increasing order.
    options
        Solver options; by default those of the scenario.
    """
    built = BuiltCapacity()
    results = []
    for year in years:
        result = plan_year(case, year, built, options)
        results.append(result)
        built = result.built
    return MultiYearPlan(tuple(results))


def plan_year(
    case: PlanCase, year: int, built: BuiltCapacity, options: SolveOptions | None = None
) -> PlanResult:
    """Build and solve one year on top of what earlier years built."""
    inputs = inputs_for_year(case, year, built)
    with stage(f"{year}: building the model ({len(inputs.needs)} needs)"):
        problem = build_problem(inputs)
    sizes = problem.sizes()
    with stage(
        f"{year}: {sizes['variables']} variables ({sizes['integers']} integer), "
        f"{sizes['constraints']} constraints, {sizes['blocks']} time blocks"
    ):
        return solve(problem, options)
