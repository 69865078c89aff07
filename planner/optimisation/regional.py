"""Plan a case as its vervoerregio sub-problems, solved as parallel tasks and merged.

:func:`plan_case` is what ``laadplan plan`` runs: it splits the case
(:func:`~planner.workflows.decompose.decompose_case`), plans each part's years in order on
the :class:`~planner.workflows.parallel.Engine` (one Dask task per vervoerregio), and merges
the plans
(:func:`~planner.workflows.decompose.merge_plans`).  A case within one vervoerregio, or one
planned undivided, is a single task whose plan is returned as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from planner.optimisation.base import SolveOptions
from planner.optimisation.case import PlanCase
from planner.workflows.decompose import SubCase, decompose_case, merge_plans, whole_case
from planner.workflows.multiyear import MultiYearPlan, plan_years
from planner.workflows.parallel import Engine, TaskResults, run_tasks
from validation import LaadplanError


class PlanTaskError(LaadplanError):
    """No sub-problem of a case could be planned."""


@dataclass(frozen=True)
class RegionalPlan:
    """A plan and how its tasks went.

    Attributes
    ----------
    plan
        The merged plan (the single task's plan when there was one).
    tasks
        Per sub-problem (vervoerregio code, or ``all``), its task report and plan.
    """

    plan: MultiYearPlan
    tasks: TaskResults[MultiYearPlan]


def sub_cases(case: PlanCase, decompose: bool = True) -> list[SubCase]:
    """The sub-problems of a case: one per vervoerregio, or the whole case."""
    return decompose_case(case) if decompose else whole_case(case)


def plan_case(
    case: PlanCase,
    years: Sequence[int],
    options: SolveOptions | None = None,
    engine: Engine | None = None,
    decompose: bool = True,
) -> RegionalPlan:
    """Plan the years of a case, one task per vervoerregio, and merge the plans.

    Parameters
    ----------
    case
        The case.
    years
        The years, in increasing order.
    options
        Solver options; by default the scenario's.
    engine
        Where the tasks run (:class:`~planner.workflows.parallel.Engine`).
    decompose
        Split the case per vervoerregio (``False``: one undivided problem).

    Raises
    ------
    PlanTaskError
        When every task failed twice; a failure of some is reported in the plan instead.
    """
    parts = sub_cases(case, decompose)
    arguments = {part.region: (part.case, list(years), options) for part in parts}
    tasks = run_tasks(plan_years, arguments, engine, label="planning vervoerregio")
    if len(tasks.failed) == len(parts):
        errors = "; ".join(f"{key}: {tasks.reports[key].errors[-1]}" for key in tasks.failed)
        raise PlanTaskError(f"every planning task failed (tried twice each): {errors}")
    if len(parts) == 1 and not tasks.failed:
        return RegionalPlan(tasks.values[parts[0].region], tasks)
    plans = {part.region: tasks.values.get(part.region) for part in parts}
    return RegionalPlan(merge_plans(case, plans), tasks)
