"""The one planning workflow: :func:`plan_case` plans a case and returns a :class:`CasePlan`.

``laadplan plan``, ``laadplan run``, the service's worker and the dashboard's background runs
all call it; nothing else loops over a case's years.  It

1. projects the demand (unless given) and prepares the optimisation's tables
   (:func:`planner.workflows.case.prepare_plan`);
2. splits a case of several vervoerregio's into one sub-problem per vervoerregio
   (:func:`~planner.workflows.decompose.decompose_case`; ``decompose=False`` keeps it whole);
3. plans each part's years in order (:func:`~planner.workflows.multiyear.plan_years`) as one
   task per part on the :class:`~.parallel.Engine`: in this process, on a local Dask
   cluster or on a scheduler;
4. merges the parts' plans (:func:`~planner.workflows.decompose.merge_plans`).

Progress goes to a callback ``progress(fraction, message)``: per year when the tasks run in
this process, per finished task on a cluster.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import xarray as xr

from planner.optimisation.base import SolveOptions
from planner.optimisation.case import PlanCase
from planner.optimisation.solve import options_from
from planner.scenario import OptimisationSettings
from planner.workflows.case import Case, prepare_plan
from planner.workflows.decompose import SubCase, decompose_case, merge_plans, whole_case
from planner.workflows.multiyear import (
    HeadroomAdditions,
    MultiYearPlan,
    YearCallback,
    added_headroom,
    plan_years,
)
from planner.workflows.parallel import Engine, TaskResults, run_tasks
from validation import LaadplanError

LOGGER = logging.getLogger("laadplan")

#: ``progress(fraction, message)``: how the workflow reports progress (fraction 0–1).
Progress = Callable[[float, str], None]
#: Share of the progress bar reached once the case is prepared (the rest is planning).
PREPARED = 0.1
#: Task label in the log and the progress messages.
TASK_LABEL = "planning vervoerregio"


class PlanTaskError(LaadplanError):
    """No sub-problem of a case could be planned."""


@dataclass(frozen=True)
class CasePlan:
    """A planned case: the merged plan and how it was made.

    Attributes
    ----------
    case
        The case as read.
    prepared
        The tables the optimisation received (demand, needs, sites, pairs, grid).
    plan
        The merged plan (the single task's plan when there was one).
    tasks
        Per sub-problem (vervoerregio code, or ``all``), its task report and plan.
    sub_problems
        The sub-problems' names, in order.
    engine
        Where the tasks ran, for the log and the summary.
    """

    case: Case
    prepared: PlanCase
    plan: MultiYearPlan
    tasks: TaskResults[MultiYearPlan]
    sub_problems: tuple[str, ...]
    engine: str

    @property
    def demand(self) -> xr.Dataset:
        """The demand projection the plan was made for."""
        return self.prepared.demand

    def summary(self) -> dict[str, Any]:
        """The plan's summary with its sub-problems, engine and task reports."""
        return {
            **self.plan.summary(),
            "sub_problems": list(self.sub_problems),
            "engine": self.engine,
            "tasks": {
                key: {
                    "attempts": report.attempts,
                    "seconds": round(report.seconds, 3),
                    "errors": list(report.errors),
                }
                for key, report in sorted(self.tasks.reports.items())
            },
        }


def sub_cases(case: PlanCase, decompose: bool = True) -> list[SubCase]:
    """The sub-problems of a case: one per vervoerregio, or the whole case."""
    return decompose_case(case) if decompose else whole_case(case)


def largest_first(parts: Sequence[SubCase]) -> list[SubCase]:
    """The sub-problems by decreasing size (need–site pairs), the order they are handed out.

    Longest processing time first: the large ones start early and the small ones fill in
    around them (in region-code order the Flanders benchmark's vervoerregio 7 came last and
    ran alone at the end).  Each worker takes the next one in this order as it frees up
    (:func:`~planner.workflows.parallel.run_tasks`).
    """
    return sorted(parts, key=lambda part: -len(part.case.pairs))


def plan_case(
    case: Case,
    years: Sequence[int] | None = None,
    *,
    demand: xr.Dataset | None = None,
    engine: Engine | None = None,
    decompose: bool = True,
    options: SolveOptions | None = None,
    additions: HeadroomAdditions | None = None,
    progress: Progress | None = None,
) -> CasePlan:
    """Plan the years of a case, one task per vervoerregio, and merge the plans.

    Parameters
    ----------
    case
        The case (:func:`planner.workflows.case.read_case`); it must have sites.
    years
        The years, in increasing order; by default every projected year.
    demand
        The case's demand projection when already made (``laadplan run``).
    engine
        Where the tasks run; by default a local cluster with one worker per core when there
        are several tasks.
    decompose
        Split the case per vervoerregio (``False``: one undivided problem).
    options
        Solver options; by default the scenario's.
    additions
        Headroom added to grid nodes from a year on (acknowledged capacity).
    progress
        Called with the fraction done and a message.

    Raises
    ------
    PlanTaskError
        When every task failed twice; a failure of some is reported in the plan instead.
    LaadplanError
        When a year is not projected or an input is invalid.
    """
    report = progress or _ignore
    engine = engine or Engine()
    report(0.02, "projecting demand and preparing the plan's tables")
    prepared = prepare_plan(case, demand)
    planned = check_years(years, prepared.years)
    parts = sub_cases(prepared, decompose)
    report(PREPARED, f"{len(parts)} sub-problem(s): {', '.join(p.region for p in parts)}")
    inline = engine.runs_inline(len(parts))
    threads = engine.solver_threads(len(parts))
    options = with_threads(options, prepared.scenario.optimisation, threads)
    arguments = {
        part.region: (
            part.case,
            planned,
            options,
            part.additions(additions or {}),
            _year_reporter(report, index, len(parts), len(planned), part.region)
            if inline
            else None,
        )
        for index, part in enumerate(largest_first(parts))
    }
    tasks = run_tasks(
        plan_years, arguments, engine, label=TASK_LABEL, on_done=_task_reporter(report)
    )
    log_retries(tasks)
    if len(tasks.failed) == len(parts):
        errors = "; ".join(f"{key}: {tasks.reports[key].errors[-1]}" for key in tasks.failed)
        raise PlanTaskError(f"every planning task failed (tried twice each): {errors}")
    if len(parts) == 1 and not tasks.failed:
        plan = tasks.values[parts[0].region]
    else:
        plan = merge_plans(prepared, {part.region: tasks.values.get(part.region) for part in parts})
    where = "this process" if inline else engine.describe()
    report(1.0, f"{len(planned)} year(s) planned: {plan.status.value}")
    return CasePlan(case, prepared, plan, tasks, tuple(p.region for p in parts), where)


def with_threads(
    options: SolveOptions | None, settings: OptimisationSettings, threads: int | None
) -> SolveOptions | None:
    """The solver options (by default those of ``settings``) with ``threads`` solver threads.

    Unchanged when ``threads`` is ``None`` (the solver's default, :meth:`Engine.solver_threads`).
    """
    if threads is None:
        return options
    return replace(options or options_from(settings), threads=threads)


def check_years(years: Sequence[int] | None, projected: list[int]) -> list[int]:
    """The years to plan: every projected year, or the ones asked for (all projected).

    Raises
    ------
    LaadplanError
        Naming a year that is not projected and the valid range.
    """
    if years is None:
        return list(projected)
    missing = [year for year in years if year not in projected]
    if missing:
        raise LaadplanError(
            f"year(s) {', '.join(map(str, missing))} not projected; valid: "
            f"{projected[0]}–{projected[-1]} ([projection] first_year and last_year)"
        )
    return sorted(set(years))


def headroom_adjustments(
    planned: CasePlan, additions: HeadroomAdditions | None
) -> list[dict[str, Any]]:
    """Per planned year and node, the headroom the additions added to the grid, kVA."""
    grid = planned.prepared.grid
    return [
        {"year": year, "node_id": node, "added_headroom_kva": kva}
        for year in planned.plan.years
        for node, kva in added_headroom(grid, additions or {}, year).items()
    ]


def log_retries(tasks: TaskResults[Any]) -> None:
    """Log the tasks that needed a retry or failed."""
    for key in tasks.retried:
        report = tasks.reports[key]
        outcome = "failed twice" if report.failed else "succeeded on the retry"
        LOGGER.warning("vervoerregio %s %s: %s", key, outcome, " | ".join(report.errors))


def _year_reporter(
    report: Progress, part: int, parts: int, years: int, region: str
) -> YearCallback:
    """Progress per year of one part when the parts run one after the other here."""
    steps = max(parts * years, 1)
    counter = iter(range(part * years, steps))

    def on_year(year: int) -> None:
        done = next(counter, steps - 1)
        fraction = PREPARED + (1.0 - PREPARED) * done / steps
        report(min(fraction, 0.99), f"{TASK_LABEL} {region}: {year}: building and solving")

    return on_year


def _task_reporter(report: Progress) -> Callable[[str, int, int], None]:
    def on_done(key: str, done: int, total: int) -> None:
        fraction = PREPARED + (1.0 - PREPARED) * done / max(total, 1)
        report(min(fraction, 0.99), f"{TASK_LABEL} {key} done ({done}/{total})")

    return on_done


def _ignore(fraction: float, message: str) -> None:
    """A progress callback that does nothing."""
