"""MILP solvers behind one interface (:class:`~planner.optimisation.base.Solver`), by name.

* ``highs`` (default): :class:`~planner.optimisation.highs.HighsSolver`, HiGHS via ``highspy``;
* ``cbc``: :class:`~planner.optimisation.cbc.CbcSolver`, PuLP's bundled CBC.

The solver is a parameter of a solve (:class:`~planner.optimisation.base.SolveOptions`),
never an ``if`` in the model code.
"""

from __future__ import annotations

from planner.optimisation.base import (
    SolveOptions,
    Solver,
    SolverError,
    SolveStatus,
    Stage,
    StageRun,
    hold_level,
)
from planner.optimisation.cbc import CbcSolver, cbc_available
from planner.optimisation.highs import HighsSolver
from planner.scenario import SolverName
from validation import suggest

__all__ = [
    "SOLVERS",
    "CbcSolver",
    "HighsSolver",
    "SolveOptions",
    "SolveStatus",
    "Solver",
    "SolverError",
    "Stage",
    "StageRun",
    "hold_level",
    "make_solver",
]

SOLVERS: dict[str, type[Solver]] = {
    SolverName.HIGHS.value: HighsSolver,
    SolverName.CBC.value: CbcSolver,
}


def make_solver(name: str) -> Solver:
    """Return the solver called ``name``.

    Raises
    ------
    SolverError
        For an unknown name (with the valid ones), or CBC without its binary.
    """
    if name not in SOLVERS:
        hint = suggest(name, list(SOLVERS))
        text = f"unknown solver '{name}' (valid: {', '.join(SOLVERS)})"
        raise SolverError(text + (f" — did you mean '{hint}'?" if hint else ""))
    solver = SOLVERS[name]()
    if isinstance(solver, CbcSolver) and not cbc_available():
        raise SolverError(
            "solver 'cbc' is not available: PuLP's bundled CBC binary is missing; use 'highs'"
        )
    return solver
