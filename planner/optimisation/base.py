"""The interface every MILP solver implements, and what a solve is made of.

A solve is a sequence of :class:`Stage` objectives on the same PuLP problem (one stage for a
plain cost minimisation; three for the lexicographic charging ladder).  After each stage
whose level must be held, rows keep that level (within a relative tolerance) for the stages
that follow.  A :class:`Solver` leaves the values of the last stage that found a solution in
the PuLP variables and reports a :class:`StageRun` per stage.

PuLP reports ``LpStatusOptimal`` also when a time limit stopped the solver with an incumbent;
the statuses here come from the solver's own model status (HiGHS) or PuLP's ``sol_status``
(CBC), so a plan that is not proven optimal is ``feasible``, never ``optimal``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import numpy.typing as npt
import pulp

from planner.scenario import OptimisationSettings, SolverName
from validation import LaadplanError

FloatArray = npt.NDArray[np.float64]


#: Start values of integer variables made from an LP relaxation's values by variable name: a
#: number holds the variable there while the start is completed; a pair (low, high) only
#: bounds it then (within the stage's own bounds, which the stage's MIP keeps).
Rounding = Callable[[Mapping[str, float]], Mapping[pulp.LpVariable, float | tuple[float, float]]]
#: Bounds to hold from an LP relaxation's values by variable name (none: the dive is over).
Dive = Callable[[Mapping[str, float]], Mapping[pulp.LpVariable, tuple[float, float]]]
#: Most LP relaxations a dive solves before its stage's MIP.
DIVE_ROUNDS = 25


#: How a stage's message ends when its completed start was proven within its gap of a bound
#: known before and its MIP was not run (:attr:`Stage.known_bound`).
START_PROVEN = "its completed start, within the gap of a bound known before; MIP not run"
#: How a stage's message ends when its completed start was kept as the sub-problem's first
#: plan although it lies further above the known bound than the gap (:attr:`Stage.keep_start`).
START_KEPT = "its completed start, kept as the first plan; MIP not run"


class SolveStatus(StrEnum):
    """Outcome of a solve."""

    OPTIMAL = "optimal"  # proven optimal within the MIP gap
    FEASIBLE = "feasible"  # a plan, not proven optimal (time limit with an incumbent …)
    INFEASIBLE = "infeasible"  # proven: no plan exists
    TIME_LIMIT = "time_limit"  # the limit stopped the solver before any plan was found
    ERROR = "error"  # the solver crashed, is missing or gave up; the message says why


@dataclass(frozen=True)
class Stage:
    """One objective of a solve.

    Attributes
    ----------
    name
        Label (``private``, ``semi_public``, ``cost``).
    objective
        The expression to optimise.
    maximise
        Maximise (else minimise).
    hold
        Keep this stage's achieved level in the stages after it.
    parts
        When given, the level is held part by part (each part at least what it achieved,
        within the tolerance) instead of as one total: many short rows instead of one row
        over every variable of the objective, which the MIP solves far faster.
    fixed
        Variables held at the previous stage's values in this stage (a polish: only the
        others move).  A polish stage reports but never worsens the solve's status.
    rounding
        When given, the solver may first solve the stage's LP relaxation and start the MIP
        from the integer values this function makes of it (relaxed values by variable name
        → start values of integer variables, or bounds on them while the start is completed:
        :data:`Rounding`; see :mod:`planner.optimisation.warmstart`).
    relax
        Solve the LP relaxation (integers continuous) instead of the MIP; its optimum is a
        bound, never a plan a later stage starts from.
    presolved
        With ``relax``: relax the model the solver's MIP presolve makes of the MIP instead
        (HiGHS: bounds and coefficients tightened knowing which columns are integer).  The
        presolved MIP has the MIP's optimum, so its relaxation's optimum is a bound at least
        as strong as the plain relaxation's (vervoerregio 6 of the Flanders benchmark: 2.8 %
        higher in 2029 before the model's site caps, at most 0.002 % in 2030–2035 after).  A solver
        without such a presolve (CBC) relaxes the model itself.
    bounds
        Bounds (low, high) some variables take in this stage only (e.g. sites held open).
    start
        Start values of integer variables: the solver completes them (the other variables
        solved for with these held) into a first plan when it can.
    dive
        When given, before the MIP the solver solves the stage's LP relaxation, holds the
        bounds this function makes of its values, and solves it again, until the function
        gives no bounds (at most :data:`DIVE_ROUNDS` relaxations, each warm-started from the
        last); the bounds hold for the rest of the stage.  Deterministic: every relaxation
        is solved to optimality.
    known_bound
        A bound on the stage's optimum proven elsewhere (a relaxation of a model whose plans
        include the stage's).  A start completed within the stage's bounds that is already
        within the stage's MIP gap of it is the stage's plan, proven so, without the MIP
        (HiGHS; CBC, which completes no start, runs the MIP).
    bounded_by_relaxation
        The optimum of the last relaxation stage before this one is its known bound (the
        stage's plans are plans of that relaxation: same objective, bounds at most narrowed).
    keep_start
        With a known bound: the completed start is the stage's plan even where it lies
        further above the bound than the MIP gap (status ``feasible``, its proven gap
        reported); the MIP runs only where there is no completed start.  A sub-problem's
        first plan (:attr:`SolveOptions.first_plan`).  HiGHS only (CBC completes no start).
    """

    name: str
    objective: pulp.LpAffineExpression
    maximise: bool = False
    hold: bool = False
    parts: tuple[pulp.LpAffineExpression, ...] = ()
    fixed: tuple[pulp.LpVariable, ...] = ()
    rounding: Rounding | None = None
    relax: bool = False
    presolved: bool = False
    bounds: Mapping[pulp.LpVariable, tuple[float, float]] = field(default_factory=dict)
    start: Mapping[pulp.LpVariable, float] = field(default_factory=dict)
    dive: Dive | None = None
    known_bound: float | None = None
    bounded_by_relaxation: bool = False
    keep_start: bool = False

    def mip_gap(self, options: SolveOptions) -> float:
        """The MIP gap of this stage."""
        return min(options.mip_gap, options.hold_mip_gap) if self.hold else options.mip_gap

    def held_rows(self) -> tuple[pulp.LpAffineExpression, ...]:
        """The expressions whose achieved values are held."""
        return self.parts or (self.objective,)


@dataclass(frozen=True)
class SolveOptions:
    """Solver settings of one solve.

    Attributes
    ----------
    solver
        ``highs`` or ``cbc``.
    time_limit_s
        Time limit per stage, s.
    mip_gap
        Relative gap at which a MIP counts as solved.
    hold_tolerance
        Relative slack on held levels.
    hold_mip_gap
        MIP gap of the stages whose level is held (tighter: their level binds what follows).
    max_nodes
        Most branch-and-bound nodes of a MIP stage (``None``: no limit): with the gap, the
        stop that does not depend on machine load; the time limit is only a safety net.
    stall_nodes
        Stop a MIP stage once this many nodes have been searched since its last better plan
        (or since its root) without another (``None``: no such stop).  Counted in nodes,
        so deterministic like ``max_nodes``.  HiGHS only (CBC ignores it).
    strong_branching
        Branch on strong-branching estimates until a variable's pseudocosts are reliable
        (HiGHS's default); ``False`` branches on pseudocosts from the first node, where a
        large MIP's first nodes would spend most of their time in strong branching.  HiGHS
        only (CBC ignores it).
    threads
        Solver threads (``None``: the solver's default).
    log
        Show the solver's own log (on standard output).
    first_plan
        Stop a dived coarse model at its first plan: the start completed around the dived
        relaxation, whatever its gap against the coarse LP (no MIP around the relaxation,
        no widened MIPs; :func:`planner.optimisation.coarse.coarse_to_fine`).  Set for the
        first round of a one-year plan of several vervoerregio's, where only the whole
        plan's gap is asked for (:func:`planner.workflows.plan_case.plan_case`).
    """

    solver: str = SolverName.HIGHS.value
    time_limit_s: float = OptimisationSettings.time_limit_s
    mip_gap: float = OptimisationSettings.mip_gap
    hold_tolerance: float = OptimisationSettings.ladder_tolerance
    hold_mip_gap: float = 1e-3
    max_nodes: int | None = None
    stall_nodes: int | None = None
    strong_branching: bool = True
    threads: int | None = None
    log: bool = False
    first_plan: bool = False


@dataclass(frozen=True)
class StageRun:
    """What one stage gave.

    Attributes
    ----------
    name
        The stage.
    status
        Its outcome.
    objective
        Objective value of its solution (``None`` without one).
    gap
        Relative MIP gap reached (``None`` when unknown or without a solution).
    runtime_s
        Solver wall-clock time, s.
    message
        What happened, for people.
    bound
        The solver's proven bound on the objective (``None`` when unknown).
    """

    name: str
    status: SolveStatus
    objective: float | None
    gap: float | None
    runtime_s: float
    message: str
    bound: float | None = None

    @property
    def has_solution(self) -> bool:
        """Whether the stage found a plan."""
        return self.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)


class SolverError(LaadplanError):
    """An unknown solver was asked for, or a solver is not installed."""


def hold_level(achieved: float, maximise: bool, tolerance: float) -> float:
    """Level a later stage must keep: the achieved value, less a relative tolerance.

    Examples
    --------
    >>> hold_level(1000.0, True, 1e-3)
    999.0
    """
    slack = tolerance * max(abs(achieved), 1.0)
    return achieved - slack if maximise else achieved + slack


class Solver(ABC):
    """A MILP solver that runs a sequence of stages on a PuLP problem."""

    name: str

    @abstractmethod
    def run_stages(
        self, prob: pulp.LpProblem, stages: Sequence[Stage], options: SolveOptions
    ) -> list[StageRun]:
        """Solve the stages in order; leave the last solution found in the variables.

        Stops after a stage without a solution.  The problem is left as it was given
        (objective and constraints).  When every stage is an LP relaxation, the last one's
        values are left.
        """


#: Relative slack around the values a polish stage holds (solver tolerances).
FIX_SLACK = 1e-6


def fixed_ranges(
    variables: Sequence[pulp.LpVariable], values: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Bounds that hold variables at values, within :data:`FIX_SLACK` and their own bounds.

    Examples
    --------
    >>> prob = pulp.LpProblem()
    >>> x, y = prob.add_variable("x", 0, 10), prob.add_variable("y")
    >>> low, high = fixed_ranges([x, x, y], np.array([4.0, 0.0, -2.0]))
    >>> low.tolist(), high.tolist()
    ([3.999996, 0.0, -2.000002], [4.000004, 1e-06, -1.999998])
    """
    slack = FIX_SLACK * np.maximum(1.0, np.abs(values))
    inf = np.inf
    lower = np.array([-inf if v.lowBound is None else v.lowBound for v in variables], np.float64)
    upper = np.array([inf if v.upBound is None else v.upBound for v in variables], np.float64)
    return np.maximum(values - slack, lower), np.minimum(values + slack, upper)


def gap_to(objective: float, bound: float, maximise: bool = False) -> float:
    """How far a plan's objective lies from a bound, relative to the objective (≥ 0).

    The one definition of a proven gap: the solver's stages, the coarse plan against the
    coarse LP and the hourly repair against the coarse bound all measure it so.

    Examples
    --------
    >>> gap_to(102.0, 100.0), gap_to(98.0, 100.0, maximise=True)
    (0.0196078431372549, 0.02040816326530612)
    """
    short = bound - objective if maximise else objective - bound
    return max(short, 0.0) / max(abs(objective), 1e-9)


def describe_run(
    stage: Stage, status: SolveStatus, text: str, gap: float | None, options: SolveOptions
) -> str:
    """One line for people on how a stage ended (``text``: the solver's own status)."""
    name = stage.name
    if status == SolveStatus.OPTIMAL:
        shown = "" if gap is None else f"gap {gap:.2%}, "
        return f"{name}: optimal ({shown}limit {stage.mip_gap(options):.2%})"
    if status == SolveStatus.FEASIBLE:
        shown = "unknown" if gap is None else f"{gap:.2%}"
        return f"{name}: stopped before proving optimality ({text}); plan kept, gap {shown}"
    if status == SolveStatus.TIME_LIMIT:
        return f"{name}: time limit of {options.time_limit_s:g} s reached before any plan was found"
    return f"{name}: no plan ({text})"
