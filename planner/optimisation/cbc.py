"""CBC through PuLP's command-line interface: one call per stage.

PuLP 3.3 deprecates ``PULP_CBC_CMD`` (PuLP 4 no longer bundles CBC); the bundled binary is
called through ``COIN_CMD`` with its path, which works on both.  Without a CBC binary
:func:`cbc_available` is false and ``highs`` remains.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace

import numpy as np
import pulp

from planner.optimisation.base import (
    DIVE_ROUNDS,
    SolveOptions,
    Solver,
    SolveStatus,
    Stage,
    StageRun,
    describe_run,
    fixed_ranges,
    hold_level,
)
from planner.scenario import SolverName

#: PuLP's bundled CBC binary.
CBC_PATH: str = pulp.PULP_CBC_CMD.pulp_cbc_path


def cbc_available() -> bool:
    """Whether the CBC binary can be run."""
    return bool(pulp.COIN_CMD(path=CBC_PATH, msg=False).available())


class CbcSolver(Solver):
    """CBC through PuLP's command-line interface, one call per stage."""

    name = SolverName.CBC.value

    def run_stages(
        self, prob: pulp.LpProblem, stages: Sequence[Stage], options: SolveOptions
    ) -> list[StageRun]:
        """See :meth:`Solver.run_stages`."""
        objective, sense = prob.objective, prob.sense
        runs: list[StageRun] = []
        best: dict[pulp.LpVariable, float | None] | None = None
        relaxed: dict[pulp.LpVariable, float | None] | None = None
        holds: list[str] = []
        try:
            for number, stage in enumerate(stages):
                with (
                    _held_at_values(stage.fixed),
                    _bounded(stage.bounds),
                    _bounded(self._dive(prob, stage, options)),
                ):
                    for variable, start in stage.start.items():
                        variable.varValue = start
                    warm = (number > 0 or bool(stage.start)) and not stage.relax
                    run = self._stage(prob, stage, options, warm=warm)
                runs.append(run)
                if not run.has_solution:
                    break
                if stage.relax:
                    relaxed = {v: v.varValue for v in prob.variables()}
                    continue
                best = {v: v.varValue for v in prob.variables()}
                if stage.hold:
                    holds += _pulp_hold(prob, stage, options)
        finally:
            for name in holds:
                del prob._constraints[name]
            prob.setObjective(objective)
            prob.sense = sense
        best = best or relaxed
        if best is None:  # CBC leaves values behind even when it found no solution
            best = dict.fromkeys(prob.variables())
        for variable, value in best.items():
            variable.varValue = value
        return runs

    def _dive(
        self, prob: pulp.LpProblem, stage: Stage, options: SolveOptions
    ) -> dict[pulp.LpVariable, tuple[float, float]]:
        """The bounds of the stage's dive (:attr:`Stage.dive`), the stage's bounds held."""
        held: dict[pulp.LpVariable, tuple[float, float]] = {}
        if stage.dive is None:
            return held
        relaxation = replace(stage, relax=True, dive=None, fixed=(), start={})
        for _ in range(DIVE_ROUNDS):
            with _bounded(held):
                run = self._stage(prob, relaxation, options, warm=False)
                named = {str(v.name): float(v.varValue or 0.0) for v in prob.variables()}
            more = stage.dive(named) if run.status == SolveStatus.OPTIMAL else {}
            if not more:
                break
            held.update(more)
        return held

    def _stage(
        self, prob: pulp.LpProblem, stage: Stage, options: SolveOptions, warm: bool
    ) -> StageRun:
        prob.setObjective(stage.objective)
        prob.sense = pulp.LpMaximize if stage.maximise else pulp.LpMinimize
        command = pulp.COIN_CMD(
            path=CBC_PATH,
            msg=options.log,
            timeLimit=options.time_limit_s,
            gapRel=stage.mip_gap(options),
            warmStart=warm,
            threads=options.threads,
            mip=not stage.relax,
            maxNodes=options.max_nodes,
        )
        began = time.perf_counter()
        prob.solve(command)
        runtime = time.perf_counter() - began
        status = _cbc_status(prob.status, prob.sol_status)
        has_solution = status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
        objective = float(pulp.value(prob.objective)) if has_solution else None
        gap = 0.0 if status == SolveStatus.OPTIMAL else None
        text = pulp.LpSolution.get(prob.sol_status, "unknown")
        bound = _proven_bound(stage, status, objective, options)
        message = describe_run(stage, status, text, gap, options)
        return StageRun(stage.name, status, objective, gap, runtime, message, bound)


@contextlib.contextmanager
def _held_at_values(variables: Sequence[pulp.LpVariable]) -> Iterator[None]:
    """Bound variables to their current values for one stage, then restore their bounds."""
    bounds = [(v, v.lowBound, v.upBound) for v in variables]
    values = np.array([v.varValue or 0.0 for v in variables], dtype=np.float64)
    for variable, low, high in zip(variables, *fixed_ranges(variables, values), strict=True):
        variable.lowBound, variable.upBound = float(low), float(high)
    try:
        yield
    finally:
        for variable, low, high in bounds:
            variable.lowBound, variable.upBound = low, high


def _proven_bound(
    stage: Stage, status: SolveStatus, objective: float | None, options: SolveOptions
) -> float | None:
    """What CBC proved: an LP's optimum; for a MIP solved within its gap, that gap off."""
    if status != SolveStatus.OPTIMAL or objective is None:
        return None
    if stage.relax:
        return objective
    slack = stage.mip_gap(options) * abs(objective)
    return objective + slack if stage.maximise else objective - slack


@contextlib.contextmanager
def _bounded(bounds: Mapping[pulp.LpVariable, tuple[float, float]]) -> Iterator[None]:
    """Give some variables other bounds for one stage, then restore their own."""
    saved = [(v, v.lowBound, v.upBound) for v in bounds]
    for variable, (low, high) in bounds.items():
        variable.lowBound, variable.upBound = low, high
    try:
        yield
    finally:
        for variable, low, high in saved:
            variable.lowBound, variable.upBound = low, high


def _cbc_status(status: int, sol_status: int) -> SolveStatus:
    if sol_status == pulp.LpSolutionOptimal and status == pulp.LpStatusOptimal:
        return SolveStatus.OPTIMAL
    if sol_status == pulp.LpSolutionIntegerFeasible:
        return SolveStatus.FEASIBLE
    if status == pulp.LpStatusNotSolved:
        return SolveStatus.TIME_LIMIT
    return SolveStatus.INFEASIBLE


def _pulp_hold(prob: pulp.LpProblem, stage: Stage, options: SolveOptions) -> list[str]:
    names = []
    sense = pulp.LpConstraintGE if stage.maximise else pulp.LpConstraintLE
    for number, expression in enumerate(stage.held_rows()):
        achieved = sum(c * (v.varValue or 0.0) for v, c in expression.items())
        if len(expression) == 0 or (stage.maximise and achieved <= 0):
            continue
        name = f"hold-{stage.name}-{number}"
        level = hold_level(achieved, stage.maximise, options.hold_tolerance)
        terms = pulp.LpAffineExpression(expression.items())
        prob.addConstraint(pulp.LpConstraint(terms, sense, name, level))
        names.append(prob.constraints()[-1].name)
    return names
