"""Solvers behind one interface; statuses that tell optimal from feasible; no tracebacks."""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Mapping, Sequence

import highspy
import numpy as np
import pulp
import pytest

from planner.optimisation.cbc import cbc_available
from planner.optimisation.highs import HighsSolver
from planner.optimisation.inputs import PlanInputs
from planner.optimisation.model import build_problem
from planner.optimisation.results import ASSIGNMENT_COLUMNS, make_result
from planner.optimisation.solve import ladder_stages, overall_status, solve
from planner.optimisation.solvers import (
    SolveOptions,
    SolverError,
    SolveStatus,
    Stage,
    StageRun,
    make_solver,
)
from planner.workflows.multiyear import MultiYearPlan
from tests._plan_checks import check_invariants
from tests._plan_fixtures import micro_inputs, need, pair, site

CBC_AVAILABLE = cbc_available()
#: The modules (``planner.optimisation.solve`` is also the name of the function it exports).
solve_module = importlib.import_module("planner.optimisation.solve")
solvers_module = importlib.import_module("planner.optimisation.solvers")


def small_case() -> PlanInputs:
    needs = [
        need("A", energy=150.0, private_terrain=True),
        need("B", organisation="ORG-B", energy=90.0, dwell=("20:00", "06:00")),
    ]
    sites = [
        site("DEPOT", tier="private", owner="ORG-A", fixed_cost=30_000.0, shared=False),
        site("PARK", tier="semi_public", fixed_cost=8_000.0, available=("07:00", "19:00")),
        site("HUB", tier="public", fixed_cost=1_000.0),
    ]
    pairs = [pair("A", "DEPOT", own=True), pair("A", "PARK", 0.05), pair("A", "HUB", 0.02)]
    pairs += [pair("B", "PARK", 0.05), pair("B", "HUB", 0.01)]
    return micro_inputs(needs, sites, pairs, ladder_policy="lexicographic")


@pytest.mark.skipif(not CBC_AVAILABLE, reason="PuLP's bundled CBC binary is not installed")
def test_cbc_and_highs_find_the_same_plan_cost() -> None:
    inputs = small_case()
    highs = solve(build_problem(inputs), SolveOptions(solver="highs", mip_gap=0.0))
    problem = build_problem(inputs)
    before = problem.prob.numConstraints()
    cbc = solve(problem, SolveOptions(solver="cbc", mip_gap=0.0))
    assert highs.status == cbc.status == SolveStatus.OPTIMAL
    assert all(run.has_solution for run in (*highs.stages, *cbc.stages))
    assert cbc.objective_eur == pytest.approx(highs.objective_eur, rel=1e-6)
    assert cbc.energy_by_tier_kwh_per_day == pytest.approx(highs.energy_by_tier_kwh_per_day)
    check_invariants(problem, cbc)
    assert problem.prob.numConstraints() == before  # the hold rows are taken out again


def infeasible_problem() -> tuple[pulp.LpProblem, pulp.LpVariable]:
    prob = pulp.LpProblem("impossible", pulp.LpMinimize)
    x = prob.add_variable("x", 0, 10, pulp.LpInteger)
    prob.addConstraint(
        pulp.LpConstraint(pulp.LpAffineExpression([(x, 1.0)]), pulp.LpConstraintGE, "low", 5)
    )
    prob.addConstraint(
        pulp.LpConstraint(pulp.LpAffineExpression([(x, 1.0)]), pulp.LpConstraintLE, "high", 3)
    )
    prob.setObjective(pulp.LpAffineExpression([(x, 1.0)]))
    return prob, x


@pytest.mark.parametrize("name", ["highs", "cbc"])
def test_an_infeasible_model_is_a_status_not_an_exception(name: str) -> None:
    if name == "cbc" and not CBC_AVAILABLE:
        pytest.skip("PuLP's bundled CBC binary is not installed")
    prob, x = infeasible_problem()
    runs = make_solver(name).run_stages(prob, [Stage("cost", prob.objective)], SolveOptions())
    assert [run.status for run in runs] == [SolveStatus.INFEASIBLE]
    assert runs[0].objective is None and not runs[0].has_solution
    assert x.varValue is None


def run(name: str, status: SolveStatus) -> StageRun:
    has_plan = status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    return StageRun(name, status, 1.0 if has_plan else None, None, 0.1, f"{name}: {status}")


def test_overall_status_is_optimal_only_when_every_stage_is() -> None:
    optimal, feasible = SolveStatus.OPTIMAL, SolveStatus.FEASIBLE
    assert overall_status([run("a", optimal), run("cost", optimal)])[0] == optimal
    assert overall_status([run("cost", optimal), run("polish", feasible)])[0] == optimal
    assert overall_status([run("a", optimal), run("cost", feasible)])[0] == feasible
    status, message = overall_status([run("a", optimal), run("cost", SolveStatus.TIME_LIMIT)])
    assert status == feasible
    assert "kept the plan of stage 'a' (not cost-optimised)" in message
    assert overall_status([run("a", SolveStatus.TIME_LIMIT)])[0] == SolveStatus.TIME_LIMIT
    assert overall_status([run("cost", SolveStatus.INFEASIBLE)])[0] == SolveStatus.INFEASIBLE


def test_a_solve_without_plan_gives_a_result_with_empty_tables() -> None:
    problem = build_problem(small_case())
    runs = [run("private", SolveStatus.TIME_LIMIT)]
    outcome = (SolveStatus.TIME_LIMIT, "private: time limit of 1 s reached before any plan")
    result = make_result(problem, runs, outcome, "highs", 1.0)
    assert not result.has_plan
    assert result.objective_eur is None and result.unmet_kwh_per_day is None
    assert list(result.assignments.columns) == ASSIGNMENT_COLUMNS and result.assignments.empty
    assert result.built == problem.inputs.built
    summary = result.summary()
    assert summary["status"] == "time_limit" and "time limit" in summary["message"]


def test_ladder_stages_follow_the_policy() -> None:
    lexicographic = build_problem(small_case())
    names = [s.name for s in ladder_stages(lexicographic)]
    assert names == ["private", "semi_public", "cost", "polish"]
    assert all(len(s.parts) >= 1 for s in ladder_stages(lexicographic)[:2])
    inputs = small_case()
    weighted = dataclasses.replace(
        inputs, settings=dataclasses.replace(inputs.settings, ladder_policy="weighted")
    )
    assert [s.name for s in ladder_stages(build_problem(weighted))] == ["cost", "polish"]


def test_a_year_without_charging_needs_is_an_empty_optimal_plan() -> None:
    inputs = small_case()
    empty = dataclasses.replace(inputs, needs=inputs.needs.iloc[0:0], pairs=inputs.pairs.iloc[0:0])
    result = solve(build_problem(empty))
    assert result.status == SolveStatus.OPTIMAL and result.objective_eur == 0.0
    assert result.assignments.empty and result.sites.empty
    assert "nothing to plan" in result.message


def test_sites_with_chargers_in_place_are_listed_even_when_unused() -> None:
    inputs = micro_inputs([need("A")], [site("HUB"), site("OLD", existing=2)], [pair("A", "HUB")])
    result = solve(build_problem(inputs))
    old = result.sites.set_index("site_id").loc["OLD"]
    assert old["chargers"] == 2 and old["new_chargers"] == 0 and old["energy_kwh_per_day"] == 0
    assert old["investment_eur_per_year"] == 0


def test_unknown_solver_names_the_valid_ones() -> None:
    with pytest.raises(
        SolverError, match=r"unknown solver 'higs' \(valid: highs, cbc\) — did you mean 'highs'\?"
    ):
        make_solver("higs")


def test_ids_that_differ_only_by_dash_or_underscore_get_rows_of_their_own() -> None:
    needs = [need("N-1", energy=50.0), need("N_1", organisation="ORG-B", energy=70.0)]
    problem = build_problem(micro_inputs(needs, [site("HUB")]))
    energy_rows = [name for name in problem.prob._constraints if name.startswith("energy")]
    assert sorted(energy_rows) == ["energy_N_1", "energy_N_1~2"]
    result = solve(problem)
    check_invariants(problem, result)
    assert result.unmet_kwh_per_day == pytest.approx(0.0, abs=1e-5)


class CrashingSolver(HighsSolver):
    """HiGHS that fails as a crashed or killed solver process does."""

    def run_stages(
        self, prob: pulp.LpProblem, stages: Sequence[Stage], options: SolveOptions
    ) -> list[StageRun]:
        raise OSError("HiGHS terminated: simulated crash in presolve")


def test_a_crashing_solver_is_an_error_with_its_message_never_infeasible(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(solve_module, "make_solver", lambda name: CrashingSolver())
    result = solve(build_problem(small_case()))
    assert result.status == SolveStatus.ERROR and not result.has_plan
    assert "simulated crash in presolve" in result.message
    assert result.summary()["status"] == "error" and result.objective_eur is None
    plan = MultiYearPlan((result,))
    assert plan.status == SolveStatus.ERROR  # the worst status of the years: error


def test_a_missing_solver_is_an_error_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(solvers_module, "cbc_available", lambda: False)
    result = solve(build_problem(small_case()), SolveOptions(solver="cbc"))
    assert result.status == SolveStatus.ERROR and not result.has_plan
    assert "PuLP's bundled CBC binary is missing" in result.message
    assert result.solver == "cbc"


def test_a_completed_start_better_than_the_solvers_plan_is_kept() -> None:
    """HiGHS may keep a worse plan than the start it was given (it maps the start into its
    presolved model); the stage then returns the start, with its own objective and gap."""
    from planner.optimisation.highs import _kept_start, _pass_model

    prob = pulp.LpProblem("kept", pulp.LpMinimize)
    x = prob.add_variable("x", 0, 10, pulp.LpInteger)
    y = prob.add_variable("y", 0, 10)
    prob += 3 * x + y + 1
    prob += x + y >= 4
    model = _pass_model(prob, SolveOptions())
    stage = Stage("cost", prob.objective)
    order = [str(v.name) for v in model.variables]
    worse, better = (
        np.array([{"x": 4.0, "y": 0.0}[n] for n in order]),
        np.array([{"x": 0.0, "y": 4.0}[n] for n in order]),
    )
    run = StageRun("cost", SolveStatus.OPTIMAL, 13.0, 0.5, 1.0, "cost: optimal", bound=4.5)
    kept, values = _kept_start(model.vector(stage.objective), stage, run, worse, better)
    assert values is better and kept.objective == pytest.approx(5.0)
    assert kept.gap == pytest.approx((5.0 - 4.5) / 5.0) and kept.status == SolveStatus.OPTIMAL
    same, values = _kept_start(model.vector(stage.objective), stage, run, better, worse)
    assert values is better and same == run
    none = dataclasses.replace(run, status=SolveStatus.TIME_LIMIT, objective=None, gap=None)
    found, values = _kept_start(model.vector(stage.objective), stage, none, None, better)
    assert values is better and found.status == SolveStatus.FEASIBLE


def start_problem() -> tuple[pulp.LpProblem, pulp.LpVariable]:
    """Minimise 3x + y + 1 with x + y ≥ 4, x whole: optimum 5 (x = 0); from x = 1 it is 7."""
    prob = pulp.LpProblem("started", pulp.LpMinimize)
    x = prob.add_variable("x", 0, 10, pulp.LpInteger)
    y = prob.add_variable("y", 0, 10)
    prob += 3 * x + y + 1
    prob += x + y >= 4
    return prob, x


@pytest.mark.parametrize(("mip_gap", "kept"), [(0.5, 7.0), (0.3, 5.0)])
def test_a_start_within_the_gap_of_a_known_bound_is_the_plan_without_the_mip(
    mip_gap: float, kept: float
) -> None:
    """Known bound 4: the start (7) is 3/7 = 43 % above it.  Within a 50 % gap it is kept,
    proven, and the MIP that would find 5 is not run; within 30 % the MIP runs."""
    prob, x = start_problem()
    stage = Stage("cost", prob.objective, start={x: 1.0}, known_bound=4.0)
    [run] = HighsSolver().run_stages(prob, [stage], SolveOptions(mip_gap=mip_gap))
    assert run.status == SolveStatus.OPTIMAL and run.objective == pytest.approx(kept)
    assert pulp.value(prob.objective) == pytest.approx(kept)
    if kept == 7.0:
        assert run.bound == 4.0 and run.gap == pytest.approx(3 / 7)
        assert "MIP not run" in run.message
    else:
        assert "MIP not run" not in run.message


@pytest.mark.parametrize(("mip_gap", "kept"), [(0.5, 7.0), (0.3, 5.0)])
def test_a_rounding_may_bound_a_variable_only_while_its_start_is_completed(
    mip_gap: float, kept: float
) -> None:
    """The relaxation has x = 0; the rounding bounds x to [1, 2] instead of holding it.  The
    completed start has x = 1 (7, 43 % above the known bound 4): within a 50 % gap it is the
    plan; within 30 % the MIP runs with x free again and finds 5 (x = 0)."""
    prob, x = start_problem()
    seen: list[float] = []

    def bound_x(values: Mapping[str, float]) -> dict[pulp.LpVariable, tuple[float, float]]:
        seen.append(values["x"])
        return {x: (1.0, 2.0)}

    stage = Stage("cost", prob.objective, rounding=bound_x, known_bound=4.0)
    [run] = HighsSolver().run_stages(prob, [stage], SolveOptions(mip_gap=mip_gap))
    assert seen == [0.0]  # the relaxation's x
    assert run.objective == pytest.approx(kept)
    assert x.varValue == pytest.approx(1.0 if kept == 7.0 else 0.0)
    assert ("MIP not run" in run.message) == (kept == 7.0)


@pytest.mark.parametrize(("mip_gap", "kept"), [(0.3, 7.0), (0.2, 5.0)])
def test_the_relaxation_before_a_stage_can_be_its_known_bound(mip_gap: float, kept: float) -> None:
    """The LP optimum (5, at x = 0) bounds the MIP: the start (7) is 2/7 = 29 % above it."""
    prob, x = start_problem()
    stages = [
        Stage("lp", prob.objective, relax=True),
        Stage("cost", prob.objective, start={x: 1.0}, bounded_by_relaxation=True),
    ]
    runs = HighsSolver().run_stages(prob, stages, SolveOptions(mip_gap=mip_gap))
    assert runs[0].objective == pytest.approx(5.0)
    assert runs[1].objective == pytest.approx(kept)
    assert ("MIP not run" in runs[1].message) == (kept == 7.0)
    unbounded = Stage("cost", prob.objective, start={x: 1.0})
    [alone] = HighsSolver().run_stages(prob, [unbounded], SolveOptions(mip_gap=mip_gap))
    assert alone.objective == pytest.approx(5.0)  # no bound known: the MIP is run


def test_the_rows_reach_highs_with_their_senses_bounds_and_entries() -> None:
    """≤, ≥ and = rows with constants on both sides, passed in bulk, in their order."""
    from planner.optimisation.highs import _pass_model

    prob = pulp.LpProblem("rows", pulp.LpMinimize)
    x, y = prob.add_variable("x", 0, 5), prob.add_variable("y", None, 3, pulp.LpInteger)
    prob += x + y
    prob += 2 * x - y + 1 <= 7, "le"
    prob += x + 3 <= 2 * y + 4, "le_both_sides"
    prob += 4 * y >= -2, "ge"
    prob += x + y == 3, "eq"
    model = _pass_model(prob, SolveOptions())
    lp = model.highs.getLp()
    inf = np.inf
    assert model.names == ["x", "y"]
    assert np.asarray(lp.row_lower_).tolist() == [-inf, -inf, -2.0, 3.0]
    assert np.asarray(lp.row_upper_).tolist() == [6.0, 1.0, inf, 3.0]
    assert np.asarray(lp.col_lower_).tolist() == [0.0, -inf]
    assert np.asarray(lp.col_upper_).tolist() == [5.0, 3.0]
    matrix = lp.a_matrix_
    rowwise = matrix.format_ == highspy.MatrixFormat.kRowwise
    outer = 4 if rowwise else 2
    dense = np.zeros((4, 2) if rowwise else (2, 4))
    for line in range(outer):
        for k in range(matrix.start_[line], matrix.start_[line + 1]):
            dense[line, matrix.index_[k]] = matrix.value_[k]
    dense = dense if rowwise else dense.T
    assert dense.tolist() == [[2.0, -1.0], [1.0, -2.0], [0.0, 4.0], [1.0, 1.0]]


def knapsack(
    seed: int = 1, items: int = 30, rows: int = 5
) -> tuple[pulp.LpProblem, list[pulp.LpVariable]]:
    """A multi-dimensional 0-1 knapsack that HiGHS proves optimal only after many nodes."""
    rng = np.random.default_rng(seed)
    weights = rng.integers(20, 100, size=(rows, items))
    values = weights.sum(axis=0) + rng.integers(0, 40, items)
    prob = pulp.LpProblem("knapsack", pulp.LpMaximize)
    chosen = [prob.add_variable(f"x{i:02d}", 0, 1, pulp.LpInteger) for i in range(items)]
    prob += pulp.lpSum(int(values[i]) * chosen[i] for i in range(items))
    for row in range(rows):
        terms = pulp.lpSum(int(weights[row, i]) * chosen[i] for i in range(items))
        prob += terms <= int(weights[row].sum() // 2), f"capacity_{row}"
    return prob, chosen


def stopped_at(run: StageRun) -> int:
    """The node a stalled stage stopped at, read from its message."""
    return int(run.message.split("stopped at node ")[1].split(")")[0])


def test_a_mip_without_a_better_plan_for_its_stall_nodes_stops_with_the_plan_it_has() -> None:
    """``stall_nodes``: the search stops once that many nodes bring no better plan; the plan
    it has is kept (it satisfies every row), the stop is named, and it is deterministic."""
    options = SolveOptions(mip_gap=0.0)

    def solved(stall_nodes: int | None) -> tuple[StageRun, list[float], pulp.LpProblem]:
        prob, chosen = knapsack()
        stage = Stage("cost", prob.objective, maximise=True)
        given = dataclasses.replace(options, stall_nodes=stall_nodes)
        [run] = HighsSolver().run_stages(prob, [stage], given)
        return run, [float(x.varValue or 0.0) for x in chosen], prob

    proven, _, _ = solved(None)
    stalled, plan, prob = solved(10)
    assert proven.status == SolveStatus.OPTIMAL
    assert stalled.status == SolveStatus.FEASIBLE and stalled.gap is not None
    assert "no better plan in 10 nodes" in stalled.message and stopped_at(stalled) >= 10
    assert stalled.objective is not None and proven.objective is not None
    assert stalled.objective <= proven.objective + 1e-6
    assert all(constraint.valid(1e-6) for constraint in prob.constraints())
    assert pulp.value(prob.objective) == pytest.approx(stalled.objective)
    again, same_plan, _ = solved(10)
    assert same_plan == plan and again.message == stalled.message


def strong_branching_iterations(log: str) -> int:
    """The LP iterations HiGHS's report gives to strong branching."""
    return int(log.split("(strong br.)")[0].split()[-1])


def test_a_mip_without_strong_branching_branches_on_pseudocosts_to_the_same_optimum(
    capfd: pytest.CaptureFixture[str],
) -> None:
    """``strong_branching=False``: no LP iteration goes to strong branching (HiGHS's report),
    and the search still proves the same optimum; the default strong-branches."""

    def solved(strong: bool) -> tuple[StageRun, int]:
        prob, _ = knapsack()
        stage = Stage("cost", prob.objective, maximise=True)
        options = SolveOptions(mip_gap=0.0, strong_branching=strong, log=True)
        [run] = HighsSolver().run_stages(prob, [stage], options)
        return run, strong_branching_iterations(capfd.readouterr().out)

    strong, strong_iterations = solved(True)
    pseudocosts, pseudocost_iterations = solved(False)
    assert strong.status == pseudocosts.status == SolveStatus.OPTIMAL
    assert pseudocosts.objective == pytest.approx(strong.objective)
    assert strong_iterations > 0 and pseudocost_iterations == 0


def test_a_stalled_mip_does_not_stop_the_next_one_on_the_same_model() -> None:
    """HiGHS keeps an interrupt asked for in one run: the stage after a stalled one (same
    model, re-solved) still searches its own nodes before it is stopped."""
    prob, _ = knapsack()
    stages = [Stage(name, prob.objective, maximise=True) for name in ("first", "second")]
    runs = HighsSolver().run_stages(prob, stages, SolveOptions(mip_gap=0.0, stall_nodes=10))
    for run in runs:
        assert "no better plan in 10 nodes" in run.message and stopped_at(run) >= 10


class _ReportsLess:
    """A HiGHS instance whose info reports its MIP below the plan it returns (HiGHS#2439).

    HiGHS reports its incumbent's objective (and its bound) in its presolved model; the plan
    it maps back to the model may cost more (or less).  Everything else is the real instance's.
    """

    def __init__(self, highs: highspy.Highs, less: float, bound_less: float) -> None:
        self.highs, self.less, self.bound_less = highs, less, bound_less

    def __getattr__(self, name: str) -> object:
        return getattr(self.highs, name)

    def getInfo(self) -> highspy.HighsInfo:  # noqa: N802 (HiGHS's name)
        info = self.highs.getInfo()
        info.objective_function_value -= self.less
        info.mip_dual_bound -= self.bound_less
        return info


def _cover_model() -> tuple[pulp.LpProblem, Stage]:
    """Whole items covering 7 units (3, 4, 7 units for 4, 5, 10 EUR) and a constant of 2 EUR.

    Its optimum takes the first two: 4 + 5 + 2 = 11 EUR.
    """
    prob = pulp.LpProblem("cover", pulp.LpMinimize)
    x = [prob.add_variable(f"x{i}", 0, 1, cat=pulp.LpInteger) for i in range(3)]
    prob += 4 * x[0] + 5 * x[1] + 10 * x[2] + 2
    prob += 3 * x[0] + 4 * x[1] + 7 * x[2] >= 7
    return prob, Stage("cost", prob.objective)


@pytest.mark.parametrize(
    ("less", "bound_less", "status", "gap"),
    [
        (0.0, 0.0, SolveStatus.OPTIMAL, 0.0),
        # HiGHS reports 10 EUR, proven: its plan costs 11, at its bound of 11.
        (1.0, 0.0, SolveStatus.OPTIMAL, 0.0),
        # HiGHS reports 10 EUR, proven optimal at 10: its plan, at 11, is 1/11 above that
        # bound, outside the 1 % asked for.
        (1.0, 1.0, SolveStatus.FEASIBLE, 1.0 / 11.0),
    ],
)
def test_a_mip_reports_the_objective_and_gap_of_the_plan_highs_returns(
    less: float, bound_less: float, status: SolveStatus, gap: float
) -> None:
    highs_module = importlib.import_module("planner.optimisation.highs")
    prob, stage = _cover_model()
    options = SolveOptions(solver="highs", mip_gap=0.01)
    model = highs_module._pass_model(prob, options)
    vector = highs_module._set_objective(model, stage)
    model.highs.run()
    assert model.highs.getInfo().objective_function_value == pytest.approx(11.0)

    reporting = _ReportsLess(model.highs, less, bound_less)
    run, values = highs_module._outcome(reporting, stage, 0.0, options, vector=vector)

    assert values is not None
    assert float(vector @ values) + 2.0 == pytest.approx(11.0)
    assert run.objective == pytest.approx(11.0)
    assert run.bound == pytest.approx(11.0 - bound_less)
    assert run.gap == pytest.approx(gap)
    assert run.status == status
    reported = "HiGHS reported 10.00, its plan's objective is 11.00"
    assert (reported in run.message) == (less > 0)
