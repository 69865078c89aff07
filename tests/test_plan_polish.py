"""The polish: power, unmet energy and reinforcement held, the integers chosen again.

HiGHS solves it on the model without the held columns (``highs._run_apart``); its plan is
a plan of the whole model, keeps the held columns at the start's values exactly, is never
dearer than its start, and is the optimum of the whole model with those columns held.
"""

from __future__ import annotations

import highspy
import numpy as np
import pytest

from planner.optimisation import highs as highs_module
from planner.optimisation.base import SolveOptions, Stage
from planner.optimisation.highs import _pass_model, _run_stage
from planner.optimisation.model import PlanProblem, build_problem
from tests._plan_fixtures import micro_inputs, need, site
from tests.test_plan_coarse import timed_case

OPTIONS = SolveOptions(solver="highs", mip_gap=0.0)


def held_variables(problem: PlanProblem) -> tuple[object, ...]:
    return (*problem.power, *problem.unmet, *problem.reinforcement.values())


def whole_model_optimum(problem: PlanProblem, start: np.ndarray) -> float:
    """The optimum of the whole model with the held columns' bounds at the start's values."""
    model = _pass_model(problem.prob, OPTIONS)
    columns = np.array([model.position[id(v)] for v in held_variables(problem)], np.int32)
    model.highs.changeColsBounds(columns.size, columns, start[columns], start[columns])
    model.highs.changeColsCost(
        len(model.variables), np.arange(len(model.variables), dtype=np.int32),
        model.vector(problem.prob.objective),
    )  # fmt: skip
    model.highs.setOptionValue("mip_rel_gap", 0.0)
    model.highs.run()
    assert model.highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return float(model.highs.getInfo().objective_function_value) + float(
        problem.prob.objective.constant
    )


def violations(model_lp: highspy.HighsLp, x: np.ndarray) -> float:
    """The largest violation of a row or column bound of the whole model at ``x``."""
    matrix = model_lp.a_matrix_
    starts = np.asarray(matrix.start_)
    outer = np.repeat(np.arange(starts.size - 1), np.diff(starts))
    inner = np.asarray(matrix.index_)
    colwise = matrix.format_ == highspy.MatrixFormat.kColwise
    column, row = (outer, inner) if colwise else (inner, outer)
    activity = np.bincount(row, np.asarray(matrix.value_) * x[column], model_lp.num_row_)
    rows = np.maximum(
        np.asarray(model_lp.row_lower_) - activity, activity - np.asarray(model_lp.row_upper_)
    )
    columns = np.maximum(np.asarray(model_lp.col_lower_) - x, x - np.asarray(model_lp.col_upper_))
    return float(max(rows.max(initial=0.0), columns.max(initial=0.0)))


@pytest.mark.parametrize(("seed", "chunk"), [(0, 7), (1, 20_000), (2, 7), (3, 20_000), (4, 1)])
def test_the_polish_apart_is_the_whole_models_optimum_with_the_power_held(
    seed: int, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``chunk``: held columns read at a time (7 and 1: many reads; 20,000: one)."""
    monkeypatch.setattr(highs_module, "_HELD_CHUNK", chunk)
    problem = build_problem(timed_case(seed, mip_gap=0.0))
    objective = problem.prob.objective
    model = _pass_model(problem.prob, OPTIONS)
    whole_lp = model.highs.getLp()
    cost_run, plan = _run_stage(model, Stage("cost", objective), OPTIONS, None)
    assert plan is not None and cost_run.objective is not None
    vector = model.vector(objective)
    constant = float(objective.constant)

    # A start with one charger more of every type at every site that allows it: the
    # polish, holding the power, must take them away again.
    start = plan.copy()
    upper = np.asarray(whole_lp.col_upper_)
    for variable in problem.chargers.values():
        column = model.position[id(variable)]
        start[column] = min(start[column] + 1.0, upper[column])
    assert vector @ start > vector @ plan

    polish = Stage("polish", objective, fixed=held_variables(problem))
    run, polished = _run_stage(model, polish, OPTIONS, start)

    assert polished is not None and run.objective is not None
    held = np.array([model.position[id(v)] for v in held_variables(problem)])
    assert np.array_equal(polished[held], start[held])
    assert violations(whole_lp, polished) <= 1e-6
    integers = model.integer_columns
    assert np.allclose(polished[integers], np.round(polished[integers]), atol=1e-6)
    assert run.objective == pytest.approx(float(vector @ polished) + constant, rel=1e-9)
    assert run.objective <= float(vector @ start) + constant + 1e-6
    assert run.objective == pytest.approx(cost_run.objective, rel=1e-6, abs=1e-6)
    assert run.objective == pytest.approx(whole_model_optimum(problem, start), rel=1e-6)


def test_a_polish_with_every_column_held_keeps_its_start() -> None:
    """A need whose dwell window misses the only site's hours: one column, unmet, held."""
    night = need("N1", energy=100.0, dwell=("20:00", "06:00"))
    day_site = site("S1", available=("08:00", "18:00"))
    problem = build_problem(micro_inputs([night], [day_site]))
    objective = problem.prob.objective
    model = _pass_model(problem.prob, OPTIONS)
    assert len(model.variables) == len(held_variables(problem)) == 1
    _, plan = _run_stage(model, Stage("cost", objective), OPTIONS, None)
    assert plan is not None and plan.tolist() == [100.0]

    run, polished = _run_stage(model, Stage("polish", objective, fixed=held_variables(problem)),
                               OPTIONS, plan)  # fmt: skip

    assert polished is not None and polished.tolist() == plan.tolist()
    assert run.objective == pytest.approx(float(model.vector(objective) @ plan) + float(
        objective.constant
    ))  # fmt: skip
    assert run.has_solution and run.gap == 0.0
