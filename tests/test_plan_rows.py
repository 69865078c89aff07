"""A plan's rows, kept as they are built: HiGHS gets them as arrays, PuLP as its constraints.

One builder (:mod:`planner.optimisation.rows`): the model HiGHS is given straight from the
rows is the model it is given from PuLP's constraints made of them, entry for entry, with
the same LP optimum; PuLP's constraints keep the build's names and order.
"""

from __future__ import annotations

from pathlib import Path

import highspy
import numpy as np
import pulp
import pytest

from planner.optimisation import warmstart
from planner.optimisation.highs import _pass_model
from planner.optimisation.model import PlanProblem, build_problem
from planner.optimisation.rows import PlanLpProblem
from planner.optimisation.solvers import SolveOptions
from tests.test_plan_coarse import timed_case


def built(seed: int, coarse: bool = False) -> PlanProblem:
    problem = build_problem(timed_case(seed, mip_gap=0.01), coarse=coarse)
    assert problem.prob.rows_pending
    return problem


@pytest.mark.parametrize(("seed", "coarse"), [(0, False), (1, False), (2, True), (3, True)])
def test_highs_gets_the_same_model_from_the_rows_as_from_pulps_constraints(
    seed: int, coarse: bool
) -> None:
    problem = built(seed, coarse)
    objective = problem.prob.objective
    from_rows = _pass_model(problem.prob, SolveOptions())
    assert problem.prob.rows_pending  # HiGHS needed no constraint object
    made = problem.prob.constraints()
    assert not problem.prob.rows_pending and len(made) == len(problem.prob.rows)
    from_constraints = _pass_model(problem.prob, SolveOptions())
    assert from_rows.names == from_constraints.names
    lps = [model.highs.getLp() for model in (from_rows, from_constraints)]
    for attr in ("col_lower_", "col_upper_", "row_lower_", "row_upper_"):
        assert np.array_equal(getattr(lps[0], attr), getattr(lps[1], attr)), attr
    for attr in ("start_", "index_", "value_"):
        first, second = (np.asarray(getattr(lp.a_matrix_, attr)) for lp in lps)
        assert np.array_equal(first, second), attr
    optima = []
    for model in (from_rows, from_constraints):
        highs = model.highs
        columns = np.arange(len(model.variables), dtype=np.int32)
        highs.changeColsCost(columns.size, columns, model.vector(objective))
        integers = columns[[v.cat == pulp.LpInteger for v in model.variables]]
        kinds = np.array([highspy.HighsVarType.kContinuous] * integers.size)
        highs.changeColsIntegrality(integers.size, integers, kinds)
        highs.run()
        assert highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
        optima.append(highs.getInfo().objective_function_value)
    assert optima[0] == pytest.approx(optima[1], rel=1e-9)


def test_every_variable_of_a_row_is_registered_with_the_problem() -> None:
    """HiGHS takes its columns from the registered variables alone (no scan of the rows)."""
    for coarse in (False, True):
        problem = built(4, coarse)
        registered = {id(v) for v in problem.prob._variables}
        in_rows = {id(v) for v in problem.prob.rows.variables()}
        assert in_rows <= registered
        assert {id(v) for v in problem.prob.objective} <= registered


def test_pulps_constraints_keep_the_builds_names_order_and_entries() -> None:
    prob = PlanLpProblem("rows", pulp.LpMinimize)
    x, y = prob.add_variable("x", 0, 5), prob.add_variable("y", 0, 3)
    prob.add_row("cap-a", [(x, 2.0), (y, -1.0)], pulp.LpConstraintLE, 7.0)
    prob.add_row("cap_a", [(y, 4.0)], pulp.LpConstraintGE, -2.0)  # PuLP names it cap_a too
    prob.add_row("sum", [(x, 1.0), (y, 1.0)], pulp.LpConstraintEQ, 3.0)
    assert prob.numConstraints() == 3 and prob.rows_pending
    made = prob.constraints()
    assert [str(c.name) for c in made] == ["cap_a", "cap_a~2", "sum"]
    assert [dict(c.items()) for c in made] == [{x: 2.0, y: -1.0}, {y: 4.0}, {x: 1.0, y: 1.0}]
    assert [(c.sense, -c.constant) for c in made] == [(-1, 7.0), (1, -2.0), (0, 3.0)]
    prob.add_row("sum", [(x, 1.0)], pulp.LpConstraintLE, 1.0)  # after: straight in
    assert [str(c.name) for c in prob.constraints()][-1] == "sum~2"
    assert prob.numConstraints() == 4 == len(prob.rows)


def test_a_built_problem_writes_every_row_to_an_mps_file(tmp_path: Path) -> None:
    problem = built(5)
    path = tmp_path / "plan.mps"
    problem.prob.writeMPS(str(path))
    _, read = pulp.LpProblem.fromMPS(str(path))
    assert read.numConstraints() == len(problem.prob.rows)
    assert read.numVariables() == problem.prob.numVariables()


def test_the_rounding_reads_the_same_rows_before_and_after_pulps_constraints_are_made() -> None:
    problem = built(6)
    chargers = list(problem.chargers.values())
    before = (
        warmstart._constraints_holding(problem, chargers),
        warmstart._constraints_named(problem, "connectors_"),
        warmstart._constraints_named(problem, "max_chargers"),
    )
    assert problem.prob.rows_pending and all(before)
    problem.prob.constraints()
    after = (
        warmstart._constraints_holding(problem, chargers),
        warmstart._constraints_named(problem, "connectors_"),
        warmstart._constraints_named(problem, "max_chargers"),
    )
    for found, made in zip(before, after, strict=True):
        assert [str(c.name).split("~")[0] for c in found] == [
            str(c.name).split("~")[0] for c in made
        ]
        assert [dict(c.items()) for c in found] == [dict(c.items()) for c in made]
        assert [c.constant for c in found] == [c.constant for c in made]


def test_a_row_with_a_variable_that_has_no_column_is_refused() -> None:
    prob = PlanLpProblem("rows", pulp.LpMinimize)
    x, y = prob.add_variable("x", 0, 5), prob.add_variable("y", 0, 3)
    prob.add_row("cap", [(y, 2.0), (x, -1.0), (y, 1.0)], pulp.LpConstraintLE, 7.0)
    starts, index, values = prob.rows.matrix({id(x): 0, id(y): 1})
    assert starts.tolist() == [0] and index.tolist() == [1, 0, 1]
    assert values.tolist() == [2.0, -1.0, 1.0]
    with pytest.raises(KeyError, match="no column"):
        prob.rows.matrix({id(x): 0})
    with pytest.raises(KeyError, match="no column"):
        prob.rows.matrix({})
