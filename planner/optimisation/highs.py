"""HiGHS through ``highspy``: the model is passed once, in bulk, and re-solved per stage.

The PuLP problem is handed to HiGHS as two bulk calls (all columns, all rows) rather than one
call per variable and row; each stage then only changes the objective, adds its hold rows and
starts from the previous stage's solution.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import itertools
import math
import os
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

import highspy
import numpy as np
import numpy.typing as npt
import pulp
from highspy.highs import HighsCallbackEvent

from planner.optimisation.base import (
    DIVE_ROUNDS,
    START_KEPT,
    START_PROVEN,
    Dive,
    FloatArray,
    SolveOptions,
    Solver,
    SolveStatus,
    Stage,
    StageRun,
    describe_run,
    gap_to,
    hold_level,
)
from planner.optimisation.model import no_garbage_collection
from planner.optimisation.rows import PlanLpProblem, Rows, sense_bounds
from planner.optimisation.warmstart import INTEGER_TOLERANCE
from planner.scenario import SolverName

#: HiGHS ``mip_heuristic_effort`` (HiGHS's default).  0.3 once found good plans early on
#: these models (Leuven demo, before the coarse model and its dive: within 1 % after 35 s
#: instead of 42 % after 30 s); since, the starts come from the relaxation, and the large
#: roots of the MIPs around it spend that effort in sub-MIPs that find little: Flanders's
#: vervoerregio 6 in 2033 (after 2027–2032 as planned) took 161 s for its coarse stage at
#: 0.05 against 290 s at 0.3, with a plan 0.01 % dearer (97.73 against 97.72 M EUR).
HEURISTIC_EFFORT = 0.05
#: HiGHS's root reduced-cost sub-MIP, off in every MIP the plan runs.  Off in a stage's MIP,
#: the demo's coarse MIP took 4.6 s instead of 5.8 s (its hourly plan 0.75 % above the bound
#: either way), and Flanders's vervoerregio 7 47 s instead of 58 s.  Off where a start is
#: completed too (on there until 6 December 2026): Flanders's vervoerregio 7 over 2027–2035
#: 958 → 877 CPU s, its mean proven gap over 2029–2035 2.35 → 2.24 % (``docs/benchmarks.md``).
ROOT_REDUCED_COST = "mip_heuristic_run_root_reduced_cost"
#: Share of a stage's time limit for the LP relaxation, and again for completing a rounded
#: start that left sites open; a relaxation not solved in its share gives no start.
START_SHARE = 0.25
#: Relative change of the incumbent's objective that :class:`StallStop` counts as a better
#: plan: HiGHS reports the same plan's objective with rounding noise (vervoerregio 6 of the
#: Flanders benchmark in 2035: 145,966,006.10959208 and then …172 at the root).
INCUMBENT_CHANGE = 1e-9
#: HiGHS ``primal_solution_status`` of a feasible solution.
_FEASIBLE = 2


@dataclass
class _Model:
    """A PuLP problem passed to HiGHS, with the position and name of each variable.

    ``highs`` is the instance the model is in now: a stage's MIPs run in a new one when LPs
    ran in the old (:func:`_leave_simplex_behind`); ``simplex_run`` says whether they did.
    """

    highs: highspy.Highs
    variables: list[pulp.LpVariable]
    position: dict[int, int]
    names: list[str]
    simplex_run: bool = False

    def vector(self, expression: pulp.LpAffineExpression) -> FloatArray:
        """Coefficients of an expression over the columns."""
        vector = np.zeros(len(self.variables))
        count = len(expression)
        if count:
            index = np.fromiter(
                map(self.position.__getitem__, map(id, expression.keys())), np.intp, count
            )
            vector[index] = np.fromiter(expression.values(), np.float64, count)
        return vector

    def named(self, values: FloatArray) -> Mapping[str, float]:
        """Column values by variable name (what a dive or a rounding reads), a copy's view.

        A dictionary of every column (300,970 on the large region's coarse model) took 76 ms
        to make, seven times a year there, where a dive reads a few thousand of them.
        """
        return _NamedValues(self.column_of, values.copy())

    @functools.cached_property
    def column_of(self) -> dict[str, int]:
        """Each variable's column by its name."""
        return {name: column for column, name in enumerate(self.names)}

    @functools.cached_property
    def integer_columns(self) -> npt.NDArray[np.int32]:
        """The columns of the problem's integer variables (HiGHS may relax them for a while)."""
        return np.array(
            [i for i, v in enumerate(self.variables) if v.cat == pulp.LpInteger], dtype=np.int32
        )


class _NamedValues(Mapping[str, float]):
    """Values over the columns, read by variable name (:meth:`_Model.named`)."""

    def __init__(self, column_of: dict[str, int], values: FloatArray) -> None:
        self._column_of = column_of
        self._values = values

    def __getitem__(self, name: str) -> float:
        return float(self._values[self._column_of[name]])

    def __iter__(self) -> Iterator[str]:
        return iter(self._column_of)

    def __len__(self) -> int:
        return len(self._column_of)


class HighsSolver(Solver):
    """HiGHS through ``highspy``: one model, re-solved per stage with a warm start."""

    name = SolverName.HIGHS.value

    def run_stages(
        self, prob: pulp.LpProblem, stages: Sequence[Stage], options: SolveOptions
    ) -> list[StageRun]:
        """See :meth:`planner.optimisation.base.Solver.run_stages`."""
        model = _pass_model(prob, options)
        runs: list[StageRun] = []
        best: FloatArray | None = None
        relaxed: FloatArray | None = None
        relaxation_bound: float | None = None
        for stage in stages:
            bound = _known_bound(stage, relaxation_bound)
            run, values = _run_stage(model, stage, options, best, bound)
            runs.append(run)
            if values is None:
                break
            if stage.relax:
                relaxed = values
                relaxation_bound = run.objective if run.status == SolveStatus.OPTIMAL else None
                continue
            best = values
            if stage.hold:
                _add_holds(model, stage, values, options)
        kept = best if best is not None else relaxed
        if kept is not None:
            for variable, value in zip(model.variables, kept.tolist(), strict=True):
                variable.varValue = value
        return runs


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    """Silence the C library's standard output (HiGHS prints a banner on first use).

    The output goes into a pipe that is then dropped (a few hundred bytes; no file opened).
    """
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):
        yield
        return
    drain, sink = os.pipe()
    os.dup2(sink, 1)
    try:
        yield
    finally:
        ctypes.CDLL(None).fflush(None)
        os.dup2(saved, 1)
        for descriptor in (saved, sink, drain):
            os.close(descriptor)


def new_highs(options: SolveOptions) -> highspy.Highs:
    """A HiGHS instance with the options' log, limits and threads (every one the plan makes).

    A process's HiGHS instances share one thread scheduler, made for the thread count of the
    first that runs; an instance asking for another count fails (``kError``).  So every
    instance is made here, with the options' threads.
    """
    with quiet_stdout():
        highs = highspy.Highs()  # type: ignore[no-untyped-call]
    highs.setOptionValue("output_flag", bool(options.log))
    highs.setOptionValue("mip_heuristic_effort", HEURISTIC_EFFORT)
    highs.setOptionValue(ROOT_REDUCED_COST, False)
    highs.setOptionValue("time_limit", float(options.time_limit_s))
    if options.threads:
        highs.setOptionValue("threads", int(options.threads))
    if options.max_nodes is not None:
        highs.setOptionValue("mip_max_nodes", int(options.max_nodes))
    return highs


def _pass_model(prob: pulp.LpProblem, options: SolveOptions) -> _Model:
    """Pass the PuLP problem to HiGHS: all columns in one call, all rows in another."""
    with no_garbage_collection():
        highs = new_highs(options)
        variables = problem_variables(prob)
        inf = highspy.kHighsInf
        lower = np.array([-inf if v.lowBound is None else v.lowBound for v in variables], float)
        upper = np.array([inf if v.upBound is None else v.upBound for v in variables], float)
        n = len(variables)
        no_entries = np.zeros(0, dtype=np.int32)
        highs.addCols(n, np.zeros(n), lower, upper, 0, no_entries, no_entries, np.zeros(0))
        position = {id(v): i for i, v in enumerate(variables)}
        model = _Model(highs, variables, position, [_name(v) for v in variables])
        integers = model.integer_columns
        if integers.size:
            kinds = np.array([highspy.HighsVarType.kInteger] * integers.size)
            highs.changeColsIntegrality(integers.size, integers, kinds)
        built = _built_rows(prob)
        if built is None:
            _pass_rows(model, prob.constraints())
        else:
            _pass_built_rows(model, built)
    return model


def _built_rows(prob: pulp.LpProblem) -> Rows | None:
    """The rows of a plan's problem whose PuLP constraints are not made (``None`` otherwise)."""
    return prob.rows if isinstance(prob, PlanLpProblem) and prob.rows_pending else None


def problem_variables(prob: pulp.LpProblem) -> list[pulp.LpVariable]:
    """The problem's variables in the order ``prob.variables()`` gives them (by name).

    PuLP's own method registers every variable of every row one call at a time; here each
    row's variables are merged in one dictionary update (Antwerpen case: 2.2 s → 0.3 s).
    """
    found: dict[int, pulp.LpVariable] = {id(v): v for v in prob._variables}
    expressions: list[Iterable[pulp.LpVariable]] = [prob.objective] if prob.objective else []
    if _built_rows(prob) is None:  # a plan's build registers the variables of its rows
        expressions += [constraint.keys() for constraint in prob.constraints()]
    for expression in expressions:
        keys = list(expression)
        found.update(zip(map(id, keys), keys, strict=True))
    return sorted(found.values(), key=_name)


def _name(variable: pulp.LpVariable) -> str:
    return str(variable.name)


def _pass_rows(model: _Model, constraints: Sequence[pulp.LpConstraint]) -> None:
    """Pass the rows in one call, their entries gathered with numpy (no loop per row)."""
    inf = highspy.kHighsInf
    count = len(constraints)
    lengths = np.fromiter((len(constraint.keys()) for constraint in constraints), np.intp, count)
    starts = np.zeros(count, dtype=np.int32)
    np.cumsum(lengths[:-1], out=starts[1:])
    entries = int(lengths.sum())
    keys = itertools.chain.from_iterable(constraint.keys() for constraint in constraints)
    index = np.fromiter(map(model.position.__getitem__, map(id, keys)), np.int32, entries)
    values = itertools.chain.from_iterable(constraint.values() for constraint in constraints)
    value = np.fromiter(values, np.float64, entries)
    sense = np.fromiter((constraint.sense for constraint in constraints), np.int8, count)
    rhs = -np.fromiter((constraint.constant for constraint in constraints), np.float64, count)
    lower, upper = sense_bounds(sense, rhs, inf)
    model.highs.addRows(count, lower, upper, entries, starts, index, value)


def _pass_built_rows(model: _Model, rows: Rows) -> None:
    """Pass a plan's rows in one call, straight from the arrays they were built into."""
    starts, index, values = rows.matrix(model.position)
    lower, upper = rows.bounds(highspy.kHighsInf)
    model.highs.addRows(len(rows), lower, upper, index.size, starts, index, values)


def _known_bound(stage: Stage, relaxation_bound: float | None) -> float | None:
    """The bound on the stage's optimum known before it is run (see :class:`Stage`)."""
    if stage.known_bound is not None:
        return stage.known_bound
    return relaxation_bound if stage.bounded_by_relaxation else None


def _run_stage(
    model: _Model,
    stage: Stage,
    options: SolveOptions,
    start: FloatArray | None,
    bound: float | None = None,
) -> tuple[StageRun, FloatArray | None]:
    """Run one stage with its own bounds and integrality, then restore the model's."""
    if stage.relax and stage.presolved:
        with _stage_bounds(model, stage.bounds):
            presolved = _presolved_relaxation(model, stage, options)
        if presolved is not None:
            return presolved
    with (
        _stage_bounds(model, stage.bounds),
        _relaxed(model, stage.relax),
        _dived(model, stage),
        branching(model, options.strong_branching),
    ):
        return _run_in_bounds(model, stage, options, start, bound)


def _presolved_relaxation(
    model: _Model, stage: Stage, options: SolveOptions
) -> tuple[StageRun, FloatArray | None] | None:
    """The LP relaxation of the MIP HiGHS's presolve makes of the model (:attr:`Stage.presolved`).

    The model (the stage's objective and bounds, its integers) is presolved in a second
    instance; the presolved model, its integers made continuous, is solved to optimality in a
    third, and that solution is mapped back to the model's columns (postsolve) as the
    relaxed values.  The presolved MIP has the model's optimum, so the LP's optimum bounds it.
    ``None`` where presolve did not reduce the model to one with columns, or the LP or the
    postsolve failed: the caller solves the plain relaxation instead.
    """
    _set_objective(model, stage)
    began = time.perf_counter()
    mip = new_highs(options)
    mip.passModel(model.highs.getLp())
    mip.presolve()
    if mip.getModelPresolveStatus() != highspy.HighsPresolveStatus.kReduced:
        return None
    presolved = mip.getPresolvedLp()
    presolved.integrality_ = []
    relaxation = new_highs(options)
    relaxation.passModel(presolved)
    relaxation.run()
    run, _ = _outcome(relaxation, stage, time.perf_counter() - began, options)
    if run.status != SolveStatus.OPTIMAL:
        return None
    mip.postsolve(relaxation.getSolution())
    values = np.asarray(mip.getSolution().col_value, dtype=np.float64)
    if values.size != len(model.variables):
        return None
    return replace(run, runtime_s=time.perf_counter() - began), values


@contextlib.contextmanager
def _dived(model: _Model, stage: Stage) -> Iterator[None]:
    """The stage's dive (:attr:`Stage.dive`): its bounds held for the stage, then restored.

    The restore goes to the instance the model is in by then (:func:`_leave_simplex_behind`).
    """
    saved = {} if stage.dive is None else _dive(model, stage, stage.dive)
    try:
        yield
    finally:
        if saved:
            columns = np.array(list(saved), dtype=np.int32)
            kept = np.array(list(saved.values()), dtype=np.float64)
            model.highs.changeColsBounds(columns.size, columns, kept[:, 0], kept[:, 1])


def _dive(model: _Model, stage: Stage, dive: Dive) -> dict[int, tuple[float, float]]:
    """Run the stage's dive on its relaxation; the bounds it changed, by column, as they were."""
    highs = model.highs
    _set_objective(model, stage)
    saved: dict[int, tuple[float, float]] = {}
    with _relaxed(model, not stage.relax):  # a relaxation stage is relaxed already
        for _ in range(DIVE_ROUNDS):
            highs.run()
            if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                break
            values = np.asarray(highs.getSolution().col_value, dtype=np.float64)
            more = dive(model.named(values))
            if not more:
                break
            index = np.array([model.position[id(v)] for v in more], dtype=np.int32)
            low, high = _column_bounds(model, index)
            for i, column in enumerate(index.tolist()):
                saved.setdefault(column, (float(low[i]), float(high[i])))
            held = np.array(list(more.values()), dtype=np.float64).reshape(-1, 2)
            highs.changeColsBounds(index.size, index, held[:, 0], held[:, 1])
    return saved


def _set_objective(model: _Model, stage: Stage) -> FloatArray:
    """Give HiGHS the stage's objective and sense; its coefficients over the columns."""
    highs = model.highs
    n = len(model.variables)
    vector = model.vector(stage.objective)
    highs.changeColsCost(n, np.arange(n, dtype=np.int32), vector)
    highs.changeObjectiveOffset(float(stage.objective.constant))
    sense = highspy.ObjSense.kMaximize if stage.maximise else highspy.ObjSense.kMinimize
    highs.changeObjectiveSense(sense)
    return vector


@contextlib.contextmanager
def _stage_bounds(
    model: _Model, bounds: Mapping[pulp.LpVariable, tuple[float, float]]
) -> Iterator[None]:
    """Give some columns other bounds for one stage (restored afterwards)."""
    if not bounds:
        yield
        return
    index = np.array([model.position[id(v)] for v in bounds], dtype=np.int32)
    low = np.array([b[0] for b in bounds.values()], dtype=np.float64)
    high = np.array([b[1] for b in bounds.values()], dtype=np.float64)
    saved = _column_bounds(model, index)
    model.highs.changeColsBounds(index.size, index, low, high)
    try:
        yield
    finally:
        model.highs.changeColsBounds(index.size, index, *saved)


def _column_bounds(model: _Model, index: npt.NDArray[np.int32]) -> tuple[FloatArray, FloatArray]:
    """Current lower and upper bounds of some columns in the HiGHS model (in ``index``'s order).

    Read for those columns alone (``getCols``, which wants them sorted and once each), not
    from a copy of the whole model.
    """
    if index.size == 0:
        return np.zeros(0), np.zeros(0)
    columns, back = np.unique(index, return_inverse=True)
    status, _, _, low, high, _ = model.highs.getCols(columns.size, columns.astype(np.int32))
    _checked(status, "reading column bounds")
    return low[back], high[back]


def _checked(status: highspy.HighsStatus, what: str) -> None:
    """Raise when HiGHS did not do what was asked (its arrays are then not to be read)."""
    if status != highspy.HighsStatus.kOk:
        raise RuntimeError(f"HiGHS failed {what} ({status})")


@contextlib.contextmanager
def _relaxed(model: _Model, relax: bool) -> Iterator[None]:
    """Make every integer column continuous for one stage (an LP relaxation).

    Its LPs are solved by the parallel dual simplex where HiGHS has threads for it
    (:func:`parallel_dual`).
    """
    if not relax:
        yield
        return
    highs, integers = model.highs, model.integer_columns
    kinds = highspy.HighsVarType
    highs.changeColsIntegrality(
        integers.size, integers, np.array([kinds.kContinuous] * integers.size)
    )
    model.simplex_run = True
    try:
        with parallel_dual(highs):
            yield
    finally:
        model.highs.changeColsIntegrality(
            integers.size, integers, np.array([kinds.kInteger] * integers.size)
        )


#: HiGHS's option choosing the simplex variant.
SIMPLEX_STRATEGY = "simplex_strategy"
#: HiGHS's dual simplex with its pricing and updates spread over the threads (SIP).  On the
#: large region's coarse LP (Antwerpen benchmark, 2030; two threads) it makes the same
#: 72,127 iterations to the same solution as the serial dual (HiGHS's default), in
#: 8.9–10.2 s instead of 11.5–12.8 s (15–17 CPU s instead of 12–13): ``docs/benchmarks.md``,
#: 5 December 2026.
SIMPLEX_PARALLEL_DUAL = 2


@contextlib.contextmanager
def parallel_dual(highs: highspy.Highs) -> Iterator[None]:
    """Solve the LPs run in this block with the parallel dual simplex, unless on one thread.

    Where the plan gives HiGHS one thread (a worker of a local cluster, one per core:
    :meth:`~planner.workflows.parallel.Engine.solver_threads`) nothing changes; where it
    leaves HiGHS its default (one task in this process), the LP uses the core the task
    would otherwise leave idle.  The option is put back afterwards.

    Examples
    --------
    >>> highs = new_highs(SolveOptions())
    >>> with parallel_dual(highs):
    ...     highs.getOptionValue(SIMPLEX_STRATEGY)[1]
    2
    >>> highs.getOptionValue(SIMPLEX_STRATEGY)[1]
    1
    >>> single = new_highs(SolveOptions(threads=1))
    >>> with parallel_dual(single):
    ...     single.getOptionValue(SIMPLEX_STRATEGY)[1]
    1
    """
    if highs.getOptionValue("threads")[1] == 1:
        yield
        return
    _, saved = highs.getOptionValue(SIMPLEX_STRATEGY)
    highs.setOptionValue(SIMPLEX_STRATEGY, SIMPLEX_PARALLEL_DUAL)
    try:
        yield
    finally:
        highs.setOptionValue(SIMPLEX_STRATEGY, saved)


def _leave_simplex_behind(model: _Model) -> None:
    """Move the model to a new HiGHS instance once LPs ran in its instance (before MIPs).

    An instance keeps its last LP's factorisation and simplex work arrays for as long as it
    lives (HiGHS 1.16: neither ``clearSolver`` nor ``releaseMemory`` frees them), and a MIP
    never uses them: it solves its own relaxation of its presolved model.  On the large
    region (Antwerpen 2030) they held about 600 MB of the 2.1 GB heap its coarse MIP peaked
    at; moved, the command's peak went from about 1.8 to 1.36 GB, the plan the same.  The new
    instance gets the model as it is now (bounds, integrality, objective, the rows held) and
    the options as they are now; the old one is freed with its memory (nothing may keep it:
    the contexts around a stage restore bounds and options on ``model.highs``).
    """
    if not model.simplex_run:
        return
    fresh = _instance_like(model.highs)
    fresh.passModel(model.highs.getLp())
    model.highs, model.simplex_run = fresh, False


def _instance_like(highs: highspy.Highs) -> highspy.Highs:
    """A new, empty HiGHS instance with ``highs``'s options as they are now."""
    with quiet_stdout():
        fresh = highspy.Highs()  # type: ignore[no-untyped-call]
    fresh.passOptions(highs.getOptions())
    return fresh


def _given_start(
    model: _Model, stage: Stage, limit_s: float, stall_nodes: int | None = None
) -> FloatArray | None:
    """The stage's start values completed into a plan (``None`` when they give none)."""
    columns = np.array([model.position[id(v)] for v in stage.start], dtype=np.int32)
    values = np.zeros(len(model.variables))
    values[columns] = np.array(list(stage.start.values()), dtype=np.float64)
    order = np.argsort(columns)
    return _completed(model, _Rounded(values, columns[order]), limit_s, stall_nodes)


def _run_in_bounds(
    model: _Model,
    stage: Stage,
    options: SolveOptions,
    start: FloatArray | None,
    bound: float | None = None,
) -> tuple[StageRun, FloatArray | None]:
    vector = _set_objective(model, stage)
    model.highs.setOptionValue("mip_rel_gap", float(stage.mip_gap(options)))
    if stage.fixed and start is not None:
        return _run_apart(model, stage, options, start, vector)
    began = time.perf_counter()
    limit_s = START_SHARE * float(options.time_limit_s)
    rounded = (
        _rounded_relaxation(model, stage, limit_s)
        if stage.rounding and not stage.fixed and not stage.relax
        else None
    )
    if not stage.relax:
        _leave_simplex_behind(model)  # before the MIPs
    highs = model.highs
    stall_nodes = options.stall_nodes
    checked = None if rounded is None else _completed(model, rounded, limit_s, stall_nodes)
    if stage.start and not stage.relax:
        given = _given_start(model, stage, limit_s, stall_nodes)
        checked = _better_start(vector, stage, checked, given)
    start = _better_start(vector, stage, start, checked)
    proven = _start_within_gap(vector, stage, checked, bound, options)
    if proven is not None:
        highs.setOptionValue("time_limit", float(options.time_limit_s))
        return replace(proven, runtime_s=time.perf_counter() - began), checked
    if start is not None:
        _set_start(highs, start)
    spent = time.perf_counter() - began
    highs.setOptionValue("time_limit", max(float(options.time_limit_s) - spent, 1.0))
    with stall_stop(highs, stall_nodes) as stall:
        highs.run()
    highs.setOptionValue("time_limit", float(options.time_limit_s))
    run, values = _outcome(highs, stage, time.perf_counter() - began, options, stall, vector)
    return _kept_start(vector, stage, run, values, checked)


def _set_start(highs: highspy.Highs, values: FloatArray) -> None:
    """Give HiGHS's MIP a start: a value for every column."""
    solution = highspy.HighsSolution()
    solution.col_value = values.tolist()
    solution.value_valid = True
    highs.setSolution(solution)


def _kept_start(
    vector: FloatArray,
    stage: Stage,
    run: StageRun,
    values: FloatArray | None,
    checked: FloatArray | None,
) -> tuple[StageRun, FloatArray | None]:
    """The stage's solution, or its completed start where that is better.

    HiGHS maps a start into its presolved model and may keep a worse plan than the start
    itself (seen on a large region: a start of 44.71 M EUR kept as 44.87 M); a start
    completed within the stage's bounds (:func:`_completed`) is a plan of the stage.
    ``vector`` holds the stage objective's coefficients over the columns.
    """
    if checked is None or stage.relax:
        return run, values
    if values is not None:
        gain = float(vector @ checked - vector @ values)
        if (gain <= 0) if stage.maximise else (gain >= 0):
            return run, values
    objective = float(vector @ checked) + float(stage.objective.constant)
    gap = run.gap
    if run.bound is not None and math.isfinite(run.bound):
        gap = gap_to(objective, run.bound, stage.maximise)
    status = run.status if run.has_solution else SolveStatus.FEASIBLE
    text = f"{run.message}; its start kept (objective {objective:,.2f})"
    return replace(run, status=status, objective=objective, gap=gap, message=text), checked


def _start_within_gap(
    vector: FloatArray,
    stage: Stage,
    checked: FloatArray | None,
    bound: float | None,
    options: SolveOptions,
) -> StageRun | None:
    """The stage's run when its completed start is proven within its MIP gap of ``bound``.

    The MIP would only confirm it: a start completed within the stage's bounds is a plan of
    the stage, and ``bound`` bounds every plan of the stage (:attr:`Stage.known_bound`).
    A stage that keeps its start (:attr:`Stage.keep_start`) takes it further above the bound
    too, as ``feasible`` with its proven gap.  ``None`` when there is no such start or it is
    not within the gap.  ``vector`` holds the stage objective's coefficients over the columns.
    """
    if checked is None or bound is None or stage.relax or not math.isfinite(bound):
        return None
    objective = float(vector @ checked) + float(stage.objective.constant)
    gap = gap_to(objective, bound, stage.maximise)
    if gap <= stage.mip_gap(options):
        text = describe_run(stage, SolveStatus.OPTIMAL, "", gap, options)
        message = f"{text}: {START_PROVEN}"
        return StageRun(stage.name, SolveStatus.OPTIMAL, objective, gap, 0.0, message, bound)
    if not stage.keep_start:
        return None
    text = f"{stage.name}: {gap:.2%} above the bound (limit {stage.mip_gap(options):.2%})"
    message = f"{text}: {START_KEPT}"
    return StageRun(stage.name, SolveStatus.FEASIBLE, objective, gap, 0.0, message, bound)


class StallStop:
    """HiGHS's MIP interrupt callback that stops a search no longer finding better plans.

    HiGHS calls it whenever it checks its limits (never from its sub-MIPs), with the nodes
    searched so far and the incumbent's objective.  It interrupts the search once ``nodes``
    nodes have been searched since the incumbent last changed (or since the root, where
    there was none): a stop counted in nodes, as deterministic as ``mip_max_nodes``, and
    the plan found is kept.  (HiGHS's own ``mip_max_stall_nodes`` counts something else:
    nodes whose estimate lies above the cutoff.)

    Examples
    --------
    >>> stop = StallStop(30)
    >>> def call(node, incumbent):
    ...     out, given = highspy.cb.HighsCallbackOutput(), highspy.cb.HighsCallbackInput()
    ...     out.mip_node_count, out.mip_primal_bound = node, incumbent
    ...     kind = highspy.cb.kCallbackMipInterrupt
    ...     stop(HighsCallbackEvent(kind, "", out, given, None))
    ...     return given.user_interrupt
    >>> call(0, 100.0), call(29, 100.0), call(31, 90.0), call(60, 90.0), call(61, 90.0)
    (False, False, False, False, True)
    >>> stop.stopped_at
    61
    >>> stop = StallStop(30)
    >>> call(0, 100.0), call(20, 100.0 + 1e-8), call(30, 100.0)  # rounding noise: no new plan
    (False, False, True)
    """

    def __init__(self, nodes: int) -> None:
        self.nodes = nodes
        self.incumbent = math.nan
        self.since = 0
        self.stopped_at: int | None = None

    def __call__(self, event: HighsCallbackEvent) -> None:
        """Note a changed incumbent, or interrupt after ``nodes`` nodes without one."""
        count = int(event.data_out.mip_node_count)
        incumbent = float(event.data_out.mip_primal_bound)
        if not math.isclose(incumbent, self.incumbent, rel_tol=INCUMBENT_CHANGE):
            self.incumbent, self.since = incumbent, count  # the first call too (NaN)
        stop = count - self.since >= self.nodes
        if stop:
            self.stopped_at = count
        event.interrupt(stop)  # HiGHS keeps the flag from an earlier interrupted run


@contextlib.contextmanager
def stall_stop(highs: highspy.Highs, nodes: int | None) -> Iterator[StallStop | None]:
    """Stop the MIPs HiGHS runs in this block after ``nodes`` nodes without a better plan.

    ``None`` (nothing is stopped) when ``nodes`` is ``None``.
    """
    if not nodes:
        yield None
        return
    stop = StallStop(nodes)
    highs.cbMipInterrupt.subscribe(stop)
    try:
        yield stop
    finally:
        highs.cbMipInterrupt.unsubscribe(stop)


#: HiGHS's option: observations of a variable's branchings before its pseudocosts are
#: trusted instead of strong branching (:attr:`SolveOptions.strong_branching`).
PSEUDOCOST_RELIABLE = "mip_pscost_minreliable"


@contextlib.contextmanager
def branching(model: _Model, strong: bool) -> Iterator[None]:
    """Branch on pseudocosts from the first node in this block, unless ``strong``.

    HiGHS's reliability branching strong-branches a variable until it has been branched on
    :data:`PSEUDOCOST_RELIABLE` times; with that at 0 every pseudocost counts as reliable.
    The option is put back afterwards.  A stage holds it for its dive, its start's
    completion and its MIP (:func:`_run_stage`).

    Examples
    --------
    >>> prob = pulp.LpProblem("one_column")
    >>> prob += prob.add_variable("x", 0, 1, cat=pulp.LpInteger)
    >>> model = _pass_model(prob, SolveOptions())
    >>> with branching(model, strong=False):
    ...     model.highs.getOptionValue(PSEUDOCOST_RELIABLE)[1]
    0
    >>> model.highs.getOptionValue(PSEUDOCOST_RELIABLE)[1]
    8
    """
    if strong:
        yield
        return
    _, saved = model.highs.getOptionValue(PSEUDOCOST_RELIABLE)
    model.highs.setOptionValue(PSEUDOCOST_RELIABLE, 0)
    try:
        yield
    finally:
        model.highs.setOptionValue(PSEUDOCOST_RELIABLE, saved)


@dataclass(frozen=True)
class _Rounded:
    """A start made from the LP relaxation.

    Every column's value, and which integer columns got a rounded value.  The other columns
    are solved for with these held (:func:`_completed`): rounded integers with the
    relaxation's continuous values need not satisfy every row (whole vehicles, connectors).
    While they are, the ``bounded`` columns keep within ``low`` and ``high`` (and their
    stage's bounds).
    """

    values: FloatArray
    columns: npt.NDArray[np.int32]
    bounded: npt.NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, np.int32))
    low: FloatArray = field(default_factory=lambda: np.zeros(0))
    high: FloatArray = field(default_factory=lambda: np.zeros(0))


def _completed(
    model: _Model, rounded: _Rounded, limit_s: float, stall_nodes: int | None = None
) -> FloatArray | None:
    """A whole plan from a partial start: its integer values held, the rest solved for.

    The start's bounded columns (:attr:`_Rounded.bounded`) keep within their bounds while it
    is; the model's bounds are as before afterwards.  Solved within ``limit_s`` seconds, and
    stopped like the stage's MIP once ``stall_nodes`` nodes bring no better plan
    (:func:`stall_stop`); ``None`` when no plan is found.  A start that holds every integer
    at a whole value leaves an LP, solved as one (:func:`_every_integer_held`).
    """
    highs, columns, bounded = model.highs, rounded.columns, rounded.bounded
    lower, upper = _column_bounds(model, columns)
    held = np.clip(rounded.values[columns], lower, upper)
    bounded_lower, bounded_upper = _column_bounds(model, bounded)
    low = np.clip(rounded.low, bounded_lower, bounded_upper)
    high = np.clip(rounded.high, low, bounded_upper)
    highs.changeColsBounds(columns.size, columns, held, held)
    if bounded.size:
        highs.changeColsBounds(bounded.size, bounded, low, high)
    highs.setOptionValue("time_limit", max(limit_s, 1.0))
    try:
        with (
            _relaxed(model, _every_integer_held(model, columns, held)),
            stall_stop(highs, stall_nodes),
        ):
            highs.run()
        found = highs.getInfo().primal_solution_status == _FEASIBLE
        values = np.array(highs.getSolution().col_value, dtype=np.float64) if found else None
    finally:
        if bounded.size:
            highs.changeColsBounds(bounded.size, bounded, bounded_lower, bounded_upper)
        highs.changeColsBounds(columns.size, columns, lower, upper)
    return values


def _every_integer_held(model: _Model, columns: npt.NDArray[np.int32], held: FloatArray) -> bool:
    """Whether ``columns``, held at ``held``, are every integer column at a whole value.

    What is left to solve for is then an LP.  HiGHS solved it as a MIP, presolve and all,
    in 2.3 s on the hourly model of the large region (Antwerpen benchmark, 2030: the repair's
    start), as an LP in 1.4 s, to the same objective.
    """
    integers = model.integer_columns
    is_integer = np.isin(columns, integers)
    values = held[is_integer]
    return (
        integers.size > 0
        and int(is_integer.sum()) == integers.size
        and bool(np.all(np.abs(values - np.round(values)) <= INTEGER_TOLERANCE))
    )


def _rounded_relaxation(model: _Model, stage: Stage, limit_s: float) -> _Rounded | None:
    """The stage's LP relaxation with its integers rounded by ``stage.rounding``.

    ``None`` when the model has no integers or the relaxation is not solved within
    ``limit_s`` seconds.
    """
    highs = model.highs
    if model.integer_columns.size == 0 or stage.rounding is None:
        return None
    highs.setOptionValue("time_limit", max(limit_s, 1.0))
    with _relaxed(model, relax=True):
        highs.run()
        relaxed_ok = highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
        values = np.array(highs.getSolution().col_value, dtype=np.float64)
    if not relaxed_ok:
        return None
    rounded = stage.rounding(model.named(values))
    held = {model.position[id(v)]: x for v, x in rounded.items() if not isinstance(x, tuple)}
    bounds = {model.position[id(v)]: x for v, x in rounded.items() if isinstance(x, tuple)}
    for column, value in held.items():
        values[column] = value
    columns = np.array(sorted(held), dtype=np.int32)
    bounded = np.array(sorted(bounds), dtype=np.int32)
    low_high = np.array([bounds[c] for c in bounded.tolist()], dtype=np.float64).reshape(-1, 2)
    return _Rounded(values, columns, bounded, low_high[:, 0], low_high[:, 1])


def _better_start(
    vector: FloatArray, stage: Stage, start: FloatArray | None, rounded: FloatArray | None
) -> FloatArray | None:
    """Of two starts, the one with the better objective (``vector``; a start may be ``None``)."""
    if rounded is None or start is None:
        return rounded if start is None else start
    better = (
        (vector @ rounded > vector @ start)
        if stage.maximise
        else (vector @ rounded < vector @ start)
    )
    return rounded if better else start


def _run_apart(
    model: _Model, stage: Stage, options: SolveOptions, start: FloatArray, vector: FloatArray
) -> tuple[StageRun, FloatArray | None]:
    """A stage holding ``stage.fixed`` at their start values (a polish), in its own instance.

    The held columns are taken out of the model (:func:`_without_held`) and the MIP over the
    others runs in a new HiGHS instance with the model's options, started from the start;
    the plan is the start with the other columns HiGHS's.  On the whole model (held by
    their bounds, the model copied into a new instance first) the large region's polish
    (Antwerpen 2030: power, unmet energy and reinforcement held, of 434,159 columns) took
    1.37–1.71 s, most of it HiGHS's presolve removing the held columns; apart 0.63–0.85 s,
    the same plan (three runs each, 6 December 2026).  The start is a plan of the stage, so
    it is kept where HiGHS returns a dearer one (:func:`_kept_start`).
    """
    began = time.perf_counter()
    held = np.zeros(len(model.variables), dtype=bool)
    held[[model.position[id(v)] for v in stage.fixed]] = True
    if held.all():  # nothing left to choose: the start is the stage's one plan
        objective = float(vector @ start) + float(stage.objective.constant)
        message = describe_run(stage, SolveStatus.OPTIMAL, "", 0.0, options)
        runtime = time.perf_counter() - began
        return StageRun(stage.name, SolveStatus.OPTIMAL, objective, 0.0, runtime, message), start
    apart = _without_held(model, held, start)
    highs = _instance_like(model.highs)
    sense = highspy.ObjSense.kMaximize if stage.maximise else highspy.ObjSense.kMinimize
    held_part = float(vector[held] @ start[held])
    offset = float(stage.objective.constant) + held_part
    apart.pass_to(highs, sense, offset, vector[~held])
    _set_start(highs, start[~held])
    with stall_stop(highs, options.stall_nodes) as stall:
        highs.run()
    runtime = time.perf_counter() - began
    run, free = _outcome(highs, stage, runtime, options, stall, vector[~held], held_part)
    values = None
    if free is not None:
        values = start.copy()
        values[~held] = free
    return _kept_start(vector, stage, run, values, start)


@dataclass
class _Apart:
    """A model without its held columns, as ``passModel`` takes it (columnwise)."""

    column_lower: FloatArray
    column_upper: FloatArray
    row_lower: FloatArray
    row_upper: FloatArray
    starts: npt.NDArray[np.int32]
    index: npt.NDArray[np.int32]
    values: FloatArray
    integrality: npt.NDArray[np.int32]

    def pass_to(
        self, highs: highspy.Highs, sense: highspy.ObjSense, offset: float, costs: FloatArray
    ) -> None:
        """Pass this model to ``highs`` with its objective."""
        highs.passModel(
            self.column_lower.size, self.row_lower.size, self.index.size,
            int(highspy.MatrixFormat.kColwise), int(sense), offset, costs,
            self.column_lower, self.column_upper, self.row_lower, self.row_upper,
            self.starts, self.index, self.values, self.integrality,
        )  # fmt: skip


#: Held columns read from HiGHS at a time (their entries' arrays stay small).
_HELD_CHUNK = 20_000


def _without_held(model: _Model, held: npt.NDArray[np.bool_], start: FloatArray) -> _Apart:
    """The model without the ``held`` columns, each held at its value in ``start``.

    A held column's part of each row moves to the row's bounds; a row left without a free
    column is dropped (the start satisfies it).  The columns keep their order.  The model
    is read column by column as numpy arrays (``getColsEntries``), the held columns
    :data:`_HELD_CHUNK` at a time: on the large region (Antwerpen 2030) reading it raised
    the command's peak by 21 MB, where ``getLp`` (Python lists) raised it by 102 MB and
    all held columns at once by 144 MB.
    """
    highs = model.highs
    count_rows = highs.getNumRow()
    free = np.flatnonzero(~held).astype(np.int32)
    fixed = np.flatnonzero(held).astype(np.int32)
    status, _, row_lower, row_upper, _ = highs.getRows(
        count_rows, np.arange(count_rows, dtype=np.int32)
    )
    _checked(status, "reading the rows")
    column_lower, column_upper = _column_bounds(model, free)
    status, starts, rows, values = highs.getColsEntries(free.size, free)
    _checked(status, "reading the free columns")
    activity = np.zeros(count_rows)
    for first in range(0, fixed.size, _HELD_CHUNK):
        chunk = fixed[first : first + _HELD_CHUNK]
        status, chunk_starts, chunk_rows, chunk_values = highs.getColsEntries(chunk.size, chunk)
        _checked(status, "reading the held columns")
        chunk_column = np.repeat(chunk, np.diff(np.append(chunk_starts, chunk_rows.size)))
        weights = chunk_values * start[chunk_column]
        activity += np.bincount(chunk_rows, weights=weights, minlength=count_rows)
    kept_row = np.zeros(count_rows, dtype=bool)
    kept_row[rows] = True
    new_row = (np.cumsum(kept_row) - 1).astype(np.int32)
    integrality = np.zeros(len(model.variables), dtype=np.int32)
    integrality[model.integer_columns] = int(highspy.HighsVarType.kInteger)
    return _Apart(
        column_lower=column_lower,
        column_upper=column_upper,
        row_lower=(row_lower - activity)[kept_row],
        row_upper=(row_upper - activity)[kept_row],
        starts=np.append(starts, rows.size).astype(np.int32),
        index=new_row[rows],
        values=values,
        integrality=integrality[free],
    )


def _outcome(
    highs: highspy.Highs,
    stage: Stage,
    runtime: float,
    options: SolveOptions,
    stall: StallStop | None = None,
    vector: FloatArray | None = None,
    elsewhere: float = 0.0,
) -> tuple[StageRun, FloatArray | None]:
    """The stage's status from HiGHS's model status (not PuLP's) and its solution.

    A MIP that ``stall`` stopped says so in its message (HiGHS only reports an interrupt).
    With ``vector`` (the stage objective's coefficients over HiGHS's columns) a MIP's
    objective and gap are those of the plan HiGHS returns (:func:`_returned_plan`);
    ``elsewhere`` is the objective's part over columns held outside HiGHS's model.
    """
    model_status = highs.getModelStatus()
    info = highs.getInfo()
    has_solution = info.primal_solution_status == _FEASIBLE
    statuses = highspy.HighsModelStatus
    if model_status == statuses.kOptimal:
        status = SolveStatus.OPTIMAL
    elif model_status in (statuses.kInfeasible, statuses.kUnboundedOrInfeasible):
        status, has_solution = SolveStatus.INFEASIBLE, False
    elif has_solution:
        status = SolveStatus.FEASIBLE
    elif model_status == statuses.kTimeLimit:
        status = SolveStatus.TIME_LIMIT
    else:  # a solve or model error, an interrupt: not a proof that no plan exists
        status = SolveStatus.ERROR
    objective = float(info.objective_function_value) if has_solution else None
    gap = _gap(info.mip_gap, status) if has_solution else None
    text = highs.modelStatusToString(model_status)
    if stall is not None and stall.stopped_at is not None:
        text = f"no better plan in {stall.nodes} nodes, stopped at node {stall.stopped_at}"
    bound = _bound(info.mip_dual_bound, objective, status, stage.relax)
    values = np.array(highs.getSolution().col_value, dtype=np.float64) if has_solution else None
    run, note = StageRun(stage.name, status, objective, gap, runtime, "", bound), ""
    if values is not None and vector is not None and not stage.relax:
        run, note = _returned_plan(run, float(vector @ values) + elsewhere, stage, options)
        if run.status != status:
            text = "optimal in HiGHS's presolved model, not its plan"
    message = describe_run(stage, run.status, text, run.gap, options) + note
    return replace(run, message=message), values


#: Relative difference between HiGHS's objective and its plan's beyond which the message
#: gives both (rounding noise lies far below).
_REPORTED_OBJECTIVE_SLACK = 1e-7


def _returned_plan(
    run: StageRun, over_columns: float, stage: Stage, options: SolveOptions
) -> tuple[StageRun, str]:
    """The MIP's run with the objective and gap of the plan HiGHS returns, and a note.

    ``over_columns`` is the plan's objective over the columns (its constant not included).
    HiGHS reports the objective of its incumbent in its presolved model, and the plan it
    maps back may cost otherwise (ERGO-Code/HiGHS#2439): on Flanders's vervoerregio 6 in
    2032 (after 2027–2031 as planned) the hourly repair reported 37,839,885 EUR, optimal,
    while the plan it returned costs 37,943,736 EUR (the same with its dispatch re-solved as
    an LP), so the year's gap read 0.27 points too low; on vervoerregio 7 in 2032 it reported
    122,115,632 EUR for a plan of 121,667,614 EUR, 0.36 points too high.  The gap is
    measured from the plan to HiGHS's bound, and a plan outside the stage's gap is not
    ``optimal``; the note (for the stage's message) gives both objectives where they differ.
    """
    objective = over_columns + float(stage.objective.constant)
    reported = run.objective
    if reported is None or run.bound is None or not math.isfinite(run.bound):
        return replace(run, objective=objective), ""
    gap = gap_to(objective, run.bound, stage.maximise)
    status = run.status
    if status == SolveStatus.OPTIMAL and gap > stage.mip_gap(options) + 1e-12:
        status = SolveStatus.FEASIBLE
    note = ""
    if abs(objective - reported) > _REPORTED_OBJECTIVE_SLACK * max(abs(objective), 1.0):
        note = f"; HiGHS reported {reported:,.2f}, its plan's objective is {objective:,.2f}"
    return replace(run, objective=objective, gap=gap, status=status), note


def _bound(dual: float, objective: float | None, status: SolveStatus, relax: bool) -> float | None:
    """The proven bound: HiGHS's dual bound of a MIP, the optimum of a solved LP."""
    if status == SolveStatus.OPTIMAL and (relax or not math.isfinite(dual)):
        return objective
    return float(dual) if math.isfinite(dual) else None


def _gap(raw: float, status: SolveStatus) -> float | None:
    """HiGHS's relative MIP gap; an LP (no integers) has none and is exact when optimal."""
    if math.isfinite(raw) and raw >= 0:
        return float(raw)
    return 0.0 if status == SolveStatus.OPTIMAL else None


def _add_holds(model: _Model, stage: Stage, values: FloatArray, options: SolveOptions) -> None:
    inf = highspy.kHighsInf
    for expression in stage.held_rows():
        vector = model.vector(expression)
        index = np.flatnonzero(vector).astype(np.int32)
        achieved = float(vector @ values)
        if index.size == 0 or (stage.maximise and achieved <= 0):
            continue
        level = hold_level(achieved, stage.maximise, options.hold_tolerance)
        low, high = (level, inf) if stage.maximise else (-inf, level)
        model.highs.addRow(low, high, index.size, index, vector[index])
