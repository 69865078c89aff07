"""The MIP start from the rounded LP relaxation: a feasible plan, or the sites it leaves open."""

from __future__ import annotations

import highspy
import numpy as np
import pulp
import pytest

from planner.optimisation.base import SolveOptions, Stage
from planner.optimisation.case import inputs_for_year
from planner.optimisation.highs import (
    _completed,
    _every_integer_held,
    _pass_model,
    _Rounded,
    _rounded_relaxation,
)
from planner.optimisation.model import PlanProblem, build_problem
from planner.optimisation.warmstart import rounded_start
from planner.workflows.case import prepare_plan, read_case
from planner.workflows.datafolder import resolve_data_folder
from tests._cli import run_cli

TOLERANCE = 1e-6
SCENARIO = """name = "warm start"
[projection]
first_year = 2030
last_year = 2030
[projection.voluntary_uptake]
2030 = 0.4
[optimisation]
ladder_policy = "none"
"""


@pytest.fixture(scope="module")
def problem(tmp_path_factory: pytest.TempPathFactory) -> PlanProblem:
    """A generated Leuven case: several charger types, shared and private sites, a grid."""
    folder = tmp_path_factory.mktemp("warmstart") / "case"
    sizes = ["--needs", "80", "--sites", "25", "--substations", "2", "--cabins", "20"]
    arguments = ["-q", "generate", "--region", "Leuven", "--seed", "3", "--out", str(folder)]
    assert run_cli([*arguments, *sizes]) == 0
    (folder / "scenario.toml").write_text(SCENARIO, encoding="utf-8")
    case = prepare_plan(read_case(resolve_data_folder(folder)))
    return build_problem(inputs_for_year(case, 2030))


def violations(problem: PlanProblem, values: dict[str, float]) -> list[str]:
    """Rows and bounds the values break."""
    broken = []
    for row in problem.prob.constraints():
        name = str(row.name)
        activity = row.constant + sum(c * values[v.name] for v, c in row.items())
        if (
            (row.sense == pulp.LpConstraintLE and activity > TOLERANCE)
            or (row.sense == pulp.LpConstraintEQ and abs(activity) > TOLERANCE)
            or (row.sense == pulp.LpConstraintGE and activity < -TOLERANCE)
        ):
            broken.append(name)
    for v in problem.prob.variables():
        low = -np.inf if v.lowBound is None else v.lowBound
        high = np.inf if v.upBound is None else v.upBound
        if not low - TOLERANCE <= values[v.name] <= high + TOLERANCE:
            broken.append(f"bound of {v.name}")
    return broken


def test_the_rounded_relaxation_is_a_feasible_whole_plan(problem: PlanProblem) -> None:
    model = _pass_model(problem.prob, SolveOptions())
    stage = Stage("cost", problem.prob.objective, rounding=lambda r: rounded_start(problem, r))
    rounded = _rounded_relaxation(model, stage, 60.0)
    assert rounded is not None
    values = {str(v.name): float(x) for v, x in zip(model.variables, rounded.values, strict=True)}
    # sites and chargers are rounded; the whole-vehicle counts are left to the solver
    integers = [
        v
        for v in model.variables
        if v.cat == pulp.LpInteger and not str(v.name).startswith("vehicles_")
    ]
    placed = {int(i) for i in rounded.columns}
    for position, variable in enumerate(model.variables):
        if variable.cat == pulp.LpInteger:
            assert float(values[variable.name]).is_integer() or position not in placed
    assert len(placed) > 0.9 * len(integers)
    # with the relaxation's other values, the sites left open are the only rows that may break
    broken = violations(problem, values)
    assert all(name.startswith(("max_chargers", "chargers", "power")) for name in broken)
    completed = _completed(model, rounded, 60.0)  # the start the solver is given
    assert completed is not None
    plan = {str(v.name): float(x) for v, x in zip(model.variables, completed, strict=True)}
    assert violations(problem, plan) == []
    assert all(
        plan[str(v.name)] == values[str(v.name)]
        for v in model.variables
        if model.position[id(v)] in placed
    )


def test_a_start_holding_every_integer_is_completed_as_an_lp_to_a_plan(
    problem: PlanProblem,
) -> None:
    """Every integer held at a whole value leaves an LP: solved as one, its plan keeps the
    held integers, breaks no row, costs no more than the MIP's completion of the same
    integers, and the model's integers are integers again afterwards."""
    model = _pass_model(problem.prob, SolveOptions())
    stage = Stage("cost", problem.prob.objective, rounding=lambda r: rounded_start(problem, r))
    rounded = _rounded_relaxation(model, stage, 60.0)
    assert rounded is not None
    assert not _every_integer_held(model, rounded.columns, rounded.values[rounded.columns])
    partly = _completed(model, rounded, 60.0)
    assert partly is not None
    integers = model.integer_columns
    whole = _Rounded(np.round(partly), integers)
    assert _every_integer_held(model, integers, whole.values[integers])
    nudged = whole.values[integers].copy()
    nudged[0] += 0.5
    assert not _every_integer_held(model, integers, nudged)
    model.simplex_run = False
    completed = _completed(model, whole, 60.0)
    assert completed is not None
    assert model.simplex_run  # solved as an LP (integers made continuous for it)
    plan = {str(v.name): float(x) for v, x in zip(model.variables, completed, strict=True)}
    assert violations(problem, plan) == []
    assert np.array_equal(completed[integers], whole.values[integers])
    vector = model.vector(problem.prob.objective)
    mip_eur = float(vector @ partly)
    assert float(vector @ completed) <= mip_eur + TOLERANCE * max(1.0, abs(mip_eur))
    kinds = model.highs.getLp().integrality_
    assert all(kinds[i] == highspy.HighsVarType.kInteger for i in integers.tolist())


def test_a_site_with_too_many_rounded_chargers_gets_them_chosen_again(
    problem: PlanProblem,
) -> None:
    """Two types each at 0.6 of a charger where the site takes one: rounding both up breaks
    max_chargers; the repair keeps one charger that covers the site's rows, or leaves the
    site's chargers to the solver."""
    model = _pass_model(problem.prob, SolveOptions())
    stage = Stage("cost", problem.prob.objective, rounding=lambda r: rounded_start(problem, r))
    rounded = _rounded_relaxation(model, stage, 60.0)
    assert rounded is not None
    relaxed = {str(v.name): float(x) for v, x in zip(model.variables, rounded.values, strict=True)}
    by_site: dict[int, list[pulp.LpVariable]] = {}
    for (site, _), variable in problem.chargers.items():
        by_site.setdefault(site, []).append(variable)
    variables = next(vs for vs in by_site.values() if len(vs) >= 2)
    for variable in variables:
        relaxed[variable.name] = 0.0
    relaxed[variables[0].name] = relaxed[variables[1].name] = 0.6
    saved = {variable.name: variable.upBound for variable in variables}
    for variable in variables:
        variable.upBound = 1
    try:
        start = rounded_start(problem, relaxed)
    finally:
        for variable in variables:
            variable.upBound = saved[variable.name]
    placed = [variable in start for variable in variables]
    assert all(placed) or not any(placed)
    if all(placed):
        assert sum(start[v] for v in variables) == 1
        values = {**relaxed, **{v.name: float(x) for v, x in start.items()}}
        names = {v.name for v in variables}
        site_rows = [
            str(row.name) for row in problem.prob.constraints() if any(v.name in names for v in row)
        ]
        assert not set(violations(problem, values)) & set(site_rows)
