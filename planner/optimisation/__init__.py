"""Site selection: the MILP that chooses charging sites, chargers and who charges where.

Build, solve and read back are separate steps (as PyPSA's ``create_model`` /
``solve_model`` / ``assign_solution``):

1. :func:`read_plan_case` (or :func:`make_plan_case`) reads a case once;
   :func:`inputs_for_year` cuts out one year's :class:`PlanInputs`;
2. :func:`build_problem` builds the PuLP model (:class:`PlanProblem`), nothing solved;
3. :func:`solve` runs the charging-ladder stages with a solver chosen by name
   (:class:`SolveOptions`) and returns a frozen :class:`PlanResult`;
4. :func:`plan_years` chains the years, carrying what each builds into the next;
   :func:`write_plan` writes the files of ``laadplan plan``.

Modules: :mod:`.inputs` (the inputs), :mod:`.pairs` (who may charge where),
:mod:`.timeblocks` and :mod:`.structure` (time blocks and the variables that exist),
:mod:`.model` (constraint families), :mod:`.base`, :mod:`.highs`, :mod:`.cbc` and
:mod:`.solvers` (solvers behind one interface), :mod:`.solve`, :mod:`.results` and
:mod:`.tables` (the plan as tables), :mod:`.multiyear`, :mod:`.writers`, :mod:`.case`.
"""

from planner.optimisation.base import SolveOptions, SolveStatus
from planner.optimisation.case import PlanCase, inputs_for_year, make_plan_case, read_plan_case
from planner.optimisation.inputs import BuiltCapacity, ChargerOption, GridInputs, PlanInputs
from planner.optimisation.model import PlanProblem, build_problem
from planner.optimisation.results import PlanResult
from planner.optimisation.solve import solve
from planner.optimisation.solvers import make_solver
from planner.workflows.multiyear import MultiYearPlan, plan_years
from planner.workflows.plan_files import write_plan

__all__ = [
    "BuiltCapacity",
    "ChargerOption",
    "GridInputs",
    "MultiYearPlan",
    "PlanCase",
    "PlanInputs",
    "PlanProblem",
    "PlanResult",
    "SolveOptions",
    "SolveStatus",
    "build_problem",
    "inputs_for_year",
    "make_plan_case",
    "make_solver",
    "plan_years",
    "read_plan_case",
    "solve",
    "write_plan",
]
