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
4. for one year of several parts, where the gap is asked of the whole plan, first plans
   each part to its first plan (:attr:`~planner.optimisation.base.SolveOptions.first_plan`)
   and plans again, to the gap, only the parts the whole needs
   (:func:`~planner.workflows.decompose.regions_to_improve`);
5. merges the parts' plans (:func:`~planner.workflows.decompose.merge_plans`).

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
from planner.workflows.decompose import (
    SubCase,
    decompose_case,
    merge_plans,
    regions_to_improve,
    whole_case,
)
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
#: Task label of the second round (:func:`improve_first_plans`).
IMPROVE_LABEL = "improving vervoerregio"
#: Share of the progress bar reached after a first round of first plans.
FIRST_PLANS = 0.8


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
    planned_again
        The sub-problems planned a second time, to the gap, after their first plans left the
        whole above it (one year of several parts, :func:`improve_first_plans`).
    """

    case: Case
    prepared: PlanCase
    plan: MultiYearPlan
    tasks: TaskResults[MultiYearPlan]
    sub_problems: tuple[str, ...]
    engine: str
    planned_again: tuple[str, ...] = ()

    @property
    def demand(self) -> xr.Dataset:
        """The demand projection the plan was made for."""
        return self.prepared.demand

    def workflow(self) -> dict[str, Any]:
        """How the plan was made: its sub-problems, those planned again, the engine."""
        return {
            "sub_problems": list(self.sub_problems),
            "planned_again": list(self.planned_again),
            "engine": self.engine,
        }

    def summary(self) -> dict[str, Any]:
        """The plan's summary with :meth:`workflow` and the task reports."""
        return {
            **self.plan.summary(),
            **self.workflow(),
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
    settings = prepared.scenario.optimisation
    given, options = options, task_options(options, settings, engine, len(parts))
    first = first_plans_first(len(parts), len(planned))
    ordered = largest_first(parts)
    arguments = {
        part.region: (
            part.case,
            planned,
            replace(options, first_plan=first),
            part.additions(additions or {}),
            _year_reporter(report, index, len(parts), len(planned), part.region, first)
            if inline
            else None,
        )
        for index, part in enumerate(ordered)
    }
    done = _task_reporter(report, TASK_LABEL, PREPARED, FIRST_PLANS if first else 1.0)
    tasks = run_tasks(plan_years, arguments, engine, label=TASK_LABEL, on_done=done)
    log_retries(tasks)
    if len(tasks.failed) == len(parts):
        errors = "; ".join(f"{key}: {tasks.reports[key].errors[-1]}" for key in tasks.failed)
        raise PlanTaskError(f"every planning task failed (tried twice each): {errors}")
    again: list[SubCase] = []
    if first:
        wanted = _to_improve(tasks, options.mip_gap)
        again = [part for part in ordered if part.region in wanted]
        second = task_options(given, settings, engine, len(again))
        tasks = improve_first_plans(tasks, again, planned, second, additions, engine, report)
    if len(parts) == 1 and not tasks.failed:
        plan = tasks.values[parts[0].region]
    else:
        plan = merge_plans(
            prepared,
            {part.region: tasks.values.get(part.region) for part in parts},
            options.mip_gap,
        )
    where = "this process" if inline else engine.describe()
    report(1.0, f"{len(planned)} year(s) planned: {plan.status.value}")
    regions = tuple(p.region for p in parts)
    return CasePlan(case, prepared, plan, tasks, regions, where, tuple(p.region for p in again))


def first_plans_first(parts: int, years: int) -> bool:
    """Whether the parts are first planned to their first plans (see :func:`plan_case`).

    Only for one year of several parts: the gap is then asked of the whole, and a part
    whose first plan the whole does not need improved is left at it.  Over several years a
    part's build carries into its next year, so each part is planned to the gap in every
    year; a case planned as one problem is planned to the gap.

    >>> first_plans_first(15, 1), first_plans_first(15, 9), first_plans_first(1, 1)
    (True, False, False)
    """
    return parts > 1 and years == 1


def _to_improve(tasks: TaskResults[MultiYearPlan], mip_gap: float) -> set[str]:
    """The regions :func:`regions_to_improve` takes; none when a task failed."""
    if tasks.failed:
        return set()
    firsts = {region: plan.results[0] for region, plan in tasks.values.items()}
    return set(regions_to_improve(firsts, mip_gap))


def improve_first_plans(
    tasks: TaskResults[MultiYearPlan],
    again: Sequence[SubCase],
    planned: Sequence[int],
    options: SolveOptions,
    additions: HeadroomAdditions | None,
    engine: Engine,
    report: Progress,
) -> TaskResults[MultiYearPlan]:
    """Plan ``again`` once more to the gap (no first plan); their plans replace the first.

    A part whose second task fails keeps its first plan.  Each part's report adds up both
    rounds (attempts, seconds, errors).
    """
    if not again:
        return tasks
    names = ", ".join(part.region for part in again)
    LOGGER.info("the whole plan is above its gap: %s %s to the gap", IMPROVE_LABEL, names)
    report(FIRST_PLANS, f"{IMPROVE_LABEL} {names} to the gap of the whole plan")
    arguments = {
        part.region: (part.case, planned, options, part.additions(additions or {}), None)
        for part in again
    }
    done = _task_reporter(report, IMPROVE_LABEL, FIRST_PLANS, 1.0)
    improved = run_tasks(plan_years, arguments, engine, label=IMPROVE_LABEL, on_done=done)
    log_retries(improved)
    for key in improved.failed:
        LOGGER.warning("vervoerregio %s keeps its first plan", key)
    reports = dict(tasks.reports)
    for key, second in improved.reports.items():
        first = tasks.reports[key]
        reports[key] = replace(
            second,
            attempts=first.attempts + second.attempts,
            seconds=first.seconds + second.seconds,
            errors=first.errors + second.errors,
        )
    return TaskResults({**tasks.values, **improved.values}, reports)


def task_options(
    options: SolveOptions | None, settings: OptimisationSettings, engine: Engine, tasks: int
) -> SolveOptions:
    """The solver options of ``tasks`` tasks on ``engine`` (:meth:`Engine.solver_threads`).

    A second round of one task runs in this process with the solver's own threads, where the
    first round's tasks shared the cores:

    >>> from planner.scenario import OptimisationSettings
    >>> engine, settings = Engine(workers=2), OptimisationSettings()
    >>> task_options(None, settings, engine, 15).threads == engine.solver_threads(15)
    True
    >>> task_options(None, settings, engine, 1).threads is None
    True
    """
    return with_threads(options, settings, engine.solver_threads(tasks)) or options_from(settings)


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
    report: Progress, part: int, parts: int, years: int, region: str, first: bool = False
) -> YearCallback:
    """Progress per year of one part when the parts run one after the other here."""
    steps = max(parts * years, 1)
    counter = iter(range(part * years, steps))
    end = FIRST_PLANS if first else 1.0

    def on_year(year: int) -> None:
        done = next(counter, steps - 1)
        fraction = PREPARED + (end - PREPARED) * done / steps
        report(min(fraction, 0.99), f"{TASK_LABEL} {region}: {year}: building and solving")

    return on_year


def _task_reporter(
    report: Progress, label: str, start: float, end: float
) -> Callable[[str, int, int], None]:
    """Progress as tasks finish, from ``start`` to ``end`` of the bar."""

    def on_done(key: str, done: int, total: int) -> None:
        fraction = start + (end - start) * done / max(total, 1)
        report(min(fraction, 0.99), f"{label} {key} done ({done}/{total})")

    return on_done


def _ignore(fraction: float, message: str) -> None:
    """A progress callback that does nothing."""
