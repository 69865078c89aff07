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
from dataclasses import replace
from functools import partial

import pulp

from charging_sites import Tier
from planner.optimisation.coarse import (
    COARSE,
    COARSE_BOUND,
    COARSE_LP,
    COARSE_WIDENED,
    COARSE_WIDENED_RELAXED,
    COST,
    POLISH,
    REPAIR_RETRIED,
    CoarseAhead,
    CoarseOutcome,
    coarse_to_fine,
    solve_coarse_ahead,
)
from planner.optimisation.inputs import PlanInputs
from planner.optimisation.model import PlanProblem, tier_energy_by_need
from planner.optimisation.results import PlanResult, make_result
from planner.optimisation.solvers import (
    SolveOptions,
    Solver,
    SolverError,
    SolveStatus,
    Stage,
    StageRun,
    make_solver,
)
from planner.optimisation.structure import PlanStructure
from planner.optimisation.warmstart import rounded_start
from planner.scenario import LadderPolicy, OptimisationSettings
from planner.workflows.progress import stage as progress_stage

LOGGER = logging.getLogger("laadplan")
#: Stages that never decide a solve's status: the polish, the coarse MIP (its plan is only a
#: start; the repair's gap is proven against its bound) and a repair with held sites that
#: was retried with sites free to close.
AUXILIARY_STAGES = frozenset(
    {
        POLISH,
        COARSE,
        COARSE_LP,
        COARSE_BOUND,
        COARSE_WIDENED,
        COARSE_WIDENED_RELAXED,
        REPAIR_RETRIED,
    }
)
#: Weight of a kWh/day left unmet in the tier stages of the lexicographic ladder, against one
#: kWh/day charged on the tier: large, so that serving comes first.
LADDER_UNMET_WEIGHT = 100.0


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

    A tier stage maximises the tier's energy less :data:`LADDER_UNMET_WEIGHT` × the unmet
    energy: serving a need comes before the tier it charges on.  A need's vehicles charge at
    one site each (whole vehicles), so without the weight the private stage would keep every
    vehicle at its depot, partly charged, rather than send some whole to a public site.

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
    unmet = pulp.LpAffineExpression([(v, -LADDER_UNMET_WEIGHT) for v in problem.unmet])
    for tier in (Tier.PRIVATE, Tier.SEMI_PUBLIC):
        parts = tier_energy_by_need(problem, tier)
        if parts:
            total = problem.private_energy if tier == Tier.PRIVATE else problem.semi_public_energy
            stages.append(Stage(tier, total + unmet, maximise=True, hold=True, parts=parts))
    return [*stages, cost, polish]


def solve_ahead(
    inputs: PlanInputs, structure: PlanStructure, options: SolveOptions | None = None
) -> CoarseAhead | None:
    """Solve a year's coarse model before its hourly model is built (then pass it to :func:`solve`).

    Keeps the two models from being in memory together
    (:func:`~planner.optimisation.coarse.solve_coarse_ahead`).  ``None`` where :func:`solve`
    is left to do it all: under the lexicographic ladder, with nothing to plan, and with a
    solver that is missing or fails (:func:`solve` reports it as the year's status).

    Parameters
    ----------
    inputs
        The year's inputs.
    structure
        The hourly model's structure (``make_structure(inputs)``).
    options
        Solver options; by default those of the scenario.
    """
    options = options or options_from(inputs.settings)
    if inputs.settings.ladder_policy == LadderPolicy.LEXICOGRAPHIC or len(structure.pairs) == 0:
        return None
    try:
        solver = make_solver(options.solver)
        with progress_stage(f"{inputs.year}: solving the coarse model ({len(inputs.needs)} needs)"):
            return solve_coarse_ahead(solver, inputs, structure.blocks.count, options)
    except (SolverError, pulp.PulpSolverError, RuntimeError, OSError) as exc:
        LOGGER.warning("%d: the coarse model was not solved ahead: %s", inputs.year, exc)
        return None


def solve(
    problem: PlanProblem, options: SolveOptions | None = None, ahead: CoarseAhead | None = None
) -> PlanResult:
    """Solve the problem and read the plan back.

    Parameters
    ----------
    problem
        A problem from :func:`planner.optimisation.model.build_problem`.
    options
        Solver options; by default those of the problem's scenario.
    ahead
        Its coarse model, solved before it was built (:func:`solve_ahead`).  The seconds of
        making the coarse model count in the result's ``build_s``, the rest of it in its
        ``solve_s`` (as where the coarse model is made and solved here).

    Returns
    -------
    PlanResult
        Status, objective, gap, timings and the plan's tables (empty without a plan).
    """
    options = options or options_from(problem.inputs.settings)
    year = problem.inputs.year
    try:
        solver = make_solver(options.solver)
    except SolverError as exc:  # a missing solver is this year's error, not a crash
        LOGGER.error("%d: %s", year, exc)
        runs = [StageRun(COST, SolveStatus.ERROR, None, None, 0.0, f"cost: {exc}; no plan")]
        return make_result(problem, runs, overall_status(runs), str(options.solver), 0.0)
    lexicographic = problem.inputs.settings.ladder_policy == LadderPolicy.LEXICOGRAPHIC
    how = "the lexicographic ladder" if lexicographic else "coarse to fine"
    outcome = CoarseOutcome(runs=[])
    with progress_stage(f"{year}: solving with {solver.name} ({how})"):
        began = time.perf_counter()
        if lexicographic:
            runs = run_solver(solver, problem, ladder_stages(problem), options)
        else:
            outcome = run_coarse_to_fine(solver, problem, options, ahead)
            runs = outcome.runs
        solved_s = time.perf_counter() - began + (ahead.seconds if ahead else 0.0)
    solve_s = solved_s - outcome.coarse_build_s
    for run in runs:
        LOGGER.info("%d: %s (%.2f s)", year, run.message, run.runtime_s)
    status, message = overall_status(runs)
    planned = outcome.problem or problem  # the repair may have built every pair's model
    result = make_result(planned, runs, (status, message), solver.name, solve_s)
    certificate = (
        outcome.certificate(result.energy_by_tier_kwh_per_day) if result.has_plan else None
    )
    return replace(
        result,
        build_s=result.build_s + outcome.coarse_build_s,
        ladder_certificate=certificate.as_dict() if certificate else None,
    )


def run_coarse_to_fine(
    solver: Solver, problem: PlanProblem, options: SolveOptions, ahead: CoarseAhead | None = None
) -> CoarseOutcome:
    """:func:`~planner.optimisation.coarse.coarse_to_fine`, a failing solver as a status."""
    if problem.prob.numVariables() == 0:
        return CoarseOutcome(runs=run_solver(solver, problem, [], options))
    try:
        return coarse_to_fine(solver, problem, options, ahead)
    except (pulp.PulpSolverError, RuntimeError, OSError) as exc:
        LOGGER.error("%d: solver %s failed: %s", problem.inputs.year, solver.name, exc)
        message = f"cost: solver {solver.name} failed ({type(exc).__name__}: {exc}); no plan"
        return CoarseOutcome(runs=[StageRun(COST, SolveStatus.ERROR, None, None, 0.0, message)])


def run_solver(
    solver: Solver, problem: PlanProblem, stages: Sequence[Stage], options: SolveOptions
) -> list[StageRun]:
    """Run the stages; a model with nothing to decide or a failing solver is a status too.

    A solver that raises is status ``error`` with its message, never ``infeasible``: only a
    solver's proof makes a year infeasible.
    """
    if problem.prob.numVariables() == 0:
        text = "cost: nothing to plan (no need charges this year and nothing is in place)"
        constant = float(problem.prob.objective.constant) if problem.prob.objective else 0.0
        return [StageRun(COST, SolveStatus.OPTIMAL, constant, 0.0, 0.0, text)]
    try:
        return solver.run_stages(problem.prob, stages, options)
    except (pulp.PulpSolverError, RuntimeError, OSError) as exc:
        LOGGER.error("%d: solver %s failed: %s", problem.inputs.year, solver.name, exc)
        message = f"cost: solver {solver.name} failed ({type(exc).__name__}: {exc}); no plan"
        return [StageRun(COST, SolveStatus.ERROR, None, None, 0.0, message)]


def overall_status(runs: Sequence[StageRun]) -> tuple[SolveStatus, str]:
    """Status and explanation of a whole solve from its stage runs.

    ``optimal`` only when the cost stage and every stage before it are; a plan kept from an
    earlier stage is ``feasible``.  The polish stage never changes the status.
    """
    messages = "; ".join(run.message for run in runs)
    runs = [run for run in runs if run.name not in AUXILIARY_STAGES]
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
