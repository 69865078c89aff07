"""Solve a built problem: :func:`solve` → :class:`PlanResult`.

The charging ladder decides the stages (:mod:`planner.optimisation.solvers`):

* ``lexicographic``: maximise energy on private sites; holding that (within
  ``ladder_tolerance``), maximise energy on semi-public sites; holding both, minimise cost;
* ``weighted`` and ``none``: minimise cost (with the tier premium under ``weighted``).

An infeasible or timed-out solve is a :class:`PlanResult` with a status and a message, never
an exception.  When a later ladder stage finds no plan in time, the previous stage's plan is
kept (``feasible``: it honours the ladder but is not cost-optimised).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from functools import partial

import pulp

from planner.optimisation.model import PlanProblem, tier_energy_by_need
from planner.optimisation.results import PlanResult, make_result
from planner.optimisation.solvers import (
    SolveOptions,
    Solver,
    SolveStatus,
    Stage,
    StageRun,
    make_solver,
)
from planner.optimisation.warmstart import rounded_start
from planner.scenario import LadderPolicy, OptimisationSettings
from planner.workflows.progress import stage as progress_stage

LOGGER = logging.getLogger("laadplan")
#: Name of the last stage: with the power, unmet energy and reinforcement of the cost stage
#: held, it re-chooses sites and chargers, so that a plan accepted within the MIP gap keeps
#: no site open and no charger bought that it does not use.
POLISH = "polish"
#: Name of the stage that minimises cost.
COST = "cost"


def options_from(settings: OptimisationSettings) -> SolveOptions:
    """Solver options of a scenario's ``[optimisation]`` section."""
    return SolveOptions(
        solver=settings.solver,
        time_limit_s=settings.time_limit_s,
        mip_gap=settings.mip_gap,
        hold_tolerance=settings.ladder_tolerance,
    )


def ladder_stages(problem: PlanProblem) -> list[Stage]:
    """The stages of the problem's ladder policy (tiers without pairs are skipped).

    The lexicographic levels are held need by need: each need keeps at least the energy it
    charged on the tier in that stage (within the tolerance), so the total is held too.  The
    many short rows let the MIP solve far faster than one row over every variable (Leuven
    demo: optimal within 1 % in 20 s instead of a 16 % gap after 120 s); the price is that
    needs competing for one private site keep the split that stage found.
    """
    rounding = partial(rounded_start, problem)
    cost = Stage(COST, problem.prob.objective, rounding=rounding)
    fixed = (*problem.power, *problem.unmet, *problem.reinforcement.values())
    polish = Stage(POLISH, problem.prob.objective, fixed=fixed)
    if problem.inputs.settings.ladder_policy != LadderPolicy.LEXICOGRAPHIC:
        return [cost, polish]
    stages = []
    for tier in ("private", "semi_public"):
        parts = tier_energy_by_need(problem, tier)
        if parts:
            total = problem.private_energy if tier == "private" else problem.semi_public_energy
            stages.append(Stage(tier, total, maximise=True, hold=True, parts=parts))
    return [*stages, cost, polish]


def solve(problem: PlanProblem, options: SolveOptions | None = None) -> PlanResult:
    """Solve the problem and read the plan back.

    Parameters
    ----------
    problem
        A problem from :func:`planner.optimisation.model.build_problem`.
    options
        Solver options; by default those of the problem's scenario.

    Returns
    -------
    PlanResult
        Status, objective, gap, timings and the plan's tables (empty without a plan).
    """
    options = options or options_from(problem.inputs.settings)
    solver = make_solver(options.solver)
    stages = ladder_stages(problem)
    year = problem.inputs.year
    with progress_stage(f"{year}: solving with {solver.name} ({len(stages)} stage(s))"):
        began = time.perf_counter()
        runs = run_solver(solver, problem, stages, options)
        solve_s = time.perf_counter() - began
    for run in runs:
        LOGGER.info("%d: %s (%.2f s)", year, run.message, run.runtime_s)
    status, message = overall_status(runs)
    return make_result(problem, runs, (status, message), solver.name, solve_s)


def run_solver(
    solver: Solver, problem: PlanProblem, stages: Sequence[Stage], options: SolveOptions
) -> list[StageRun]:
    """Run the stages; a model with nothing to decide or a failing solver is a status too."""
    if problem.prob.numVariables() == 0:
        text = "cost: nothing to plan (no need charges this year and nothing is in place)"
        constant = float(problem.prob.objective.constant) if problem.prob.objective else 0.0
        return [StageRun(COST, SolveStatus.OPTIMAL, constant, 0.0, 0.0, text)]
    try:
        return solver.run_stages(problem.prob, stages, options)
    except (pulp.PulpSolverError, RuntimeError, OSError) as exc:
        LOGGER.error("%d: solver %s failed: %s", problem.inputs.year, solver.name, exc)
        message = f"cost: solver {solver.name} failed ({exc}); no plan"
        return [StageRun(COST, SolveStatus.INFEASIBLE, None, None, 0.0, message)]


def overall_status(runs: Sequence[StageRun]) -> tuple[SolveStatus, str]:
    """Status and explanation of a whole solve from its stage runs.

    ``optimal`` only when the cost stage and every stage before it are; a plan kept from an
    earlier stage is ``feasible``.  The polish stage never changes the status.
    """
    messages = "; ".join(run.message for run in runs)
    runs = [run for run in runs if run.name != POLISH]
    solved = [run for run in runs if run.has_solution]
    if not solved:
        status = runs[-1].status if runs else SolveStatus.INFEASIBLE
        return status, messages or "no stage was run"
    if solved[-1].name != COST:
        return SolveStatus.FEASIBLE, messages + (
            f"; kept the plan of stage '{solved[-1].name}' (not cost-optimised)"
        )
    if all(run.status == SolveStatus.OPTIMAL for run in runs):
        return SolveStatus.OPTIMAL, messages
    return SolveStatus.FEASIBLE, messages
