"""The widened coarse MIP: around the needs a dived plan serves worse than its relaxation.

A truck that the plan sends to a public site while the relaxation charges it at its depot is
*troubled*; the depot is *contested*; the needs with vehicles there, whatever charger type
they use, are *competitors* (they share its charger slots and its connection).  Those are
freed, everything else is held at the plan (:mod:`planner.optimisation.widening`), and the
MIP started from the plan brings the truck back to its depot.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pulp
import pytest

from planner.optimisation import coarse
from planner.optimisation.base import START_KEPT, gap_to
from planner.optimisation.inputs import ChargerOption, PlanInputs
from planner.optimisation.model import PlanProblem, build_problem
from planner.optimisation.solvers import (
    SolveOptions,
    Solver,
    SolveStatus,
    Stage,
    StageRun,
    make_solver,
)
from planner.optimisation.widening import NEED_SHARE, widening
from tests._plan_fixtures import DC40, DC150, micro_inputs, need, pair, site

#: An AC charger for vans only (beside the truck chargers of the fixtures).
AC11 = ChargerOption("AC11", 11.0, 2_500.0, frozenset({"N1"}))
OPTIONS = SolveOptions(mip_gap=0.0, time_limit_s=60.0)


def depot_case() -> PlanInputs:
    """Trucks A and C and van B at their company's depot; D only reaches the public site."""
    needs = [
        need("A", energy=200.0, category="N3"),
        need("B", energy=50.0, max_kw=11.0),
        need("C", energy=150.0, category="N3"),
        need("D", organisation="ORG-D", energy=80.0, category="N3"),
    ]
    sites = [
        site("DEPOT", tier="private", owner="ORG-A", max_chargers=4, fixed_cost=1_000.0),
        site("PUB", fixed_cost=1_000.0),
    ]
    pairs = [pair(n, "DEPOT", own=True) for n in "ABC"] + [pair(n, "PUB") for n in "ABCD"]
    return micro_inputs(needs, sites, pairs, chargers=(DC40, AC11), ladder_policy="weighted")


def forced_plan(problem: PlanProblem) -> tuple[StageRun, dict[str, float], float]:
    """A plan with truck A kept away from its depot, the relaxation's values and optimum."""
    objective = problem.prob.objective
    solver = make_solver("highs")
    (relaxation,) = solver.run_stages(problem.prob, [Stage("lp", objective, relax=True)], OPTIONS)
    assert relaxation.status == SolveStatus.OPTIMAL
    relaxed = {str(v.name): float(v.varValue or 0.0) for v in problem.prob.variables()}
    away = {vehicles_at(problem, "A", "DEPOT"): (0.0, 0.0)}
    (plan,) = solver.run_stages(problem.prob, [Stage("plan", objective, bounds=away)], OPTIONS)
    assert plan.status == SolveStatus.OPTIMAL and relaxation.objective is not None
    return plan, relaxed, relaxation.objective


def vehicles_at(problem: PlanProblem, need_id: str, site_id: str) -> Any:
    """The whole-vehicles variable of a need at a site."""
    pairs = problem.structure.pairs
    mask = (pairs["need_id"] == need_id).to_numpy() & (pairs["site_id"] == site_id).to_numpy()
    (position,) = np.flatnonzero(mask)
    return problem.vehicles[int(position)]


def site_index(problem: PlanProblem, site_id: str) -> int:
    return int(problem.inputs.sites.index[problem.inputs.sites["site_id"] == site_id][0])


def need_index(problem: PlanProblem, need_id: str) -> int:
    return int(problem.inputs.needs.index[problem.inputs.needs["need_id"] == need_id][0])


def test_the_widening_frees_the_troubled_truck_and_its_competitor_and_holds_the_rest() -> None:
    problem = build_problem(depot_case(), coarse=True)
    plan, relaxed, _ = forced_plan(problem)
    assert plan.objective is not None
    assert round(vehicles_at(problem, "A", "PUB").varValue) == 1  # the plan sent it public
    widened = widening(problem, relaxed, plan.objective)
    assert widened is not None
    depot, public = site_index(problem, "DEPOT"), site_index(problem, "PUB")
    assert widened.troubled == {need_index(problem, "A")}
    assert widened.contested == {depot}
    # truck C shares the depot's DC chargers with A, van B its charger slots
    assert widened.competitors == {need_index(problem, "B"), need_index(problem, "C")}
    s = problem.structure
    for pair_index, var in problem.vehicles.items():
        need_id = str(problem.inputs.needs["need_id"].iloc[s.pair_need[pair_index]])
        plan_value = float(round(var.varValue or 0.0))
        assert widened.start[var] == plan_value
        if need_id in ("A", "B", "C"):
            assert widened.bounds[var] == (0.0, float(var.upBound))
        else:
            assert widened.bounds[var] == (plan_value, plan_value)
    assert widened.bounds[problem.open[depot]] == (0.0, 1.0)
    opened = float(round(problem.open[public].varValue or 0.0))
    assert widened.bounds[problem.open[public]] == (opened, opened)
    for (site_position, _), var in problem.chargers.items():
        low, high = widened.bounds[var]
        assert high == float(var.upBound)
        assert low == (0.0 if site_position == depot else round(var.varValue or 0.0))


def test_the_widened_mip_brings_the_truck_back_to_its_depot_and_keeps_the_rest() -> None:
    problem = build_problem(depot_case(), coarse=True)
    plan, relaxed, lp = forced_plan(problem)
    held_d = {str(v.name): v.varValue for v in (vehicles_at(problem, "D", "PUB"),)}
    runs = coarse._widened(make_solver("highs"), problem, relaxed, plan, OPTIONS, lp)
    assert [run.name for run in runs] == [coarse.COARSE_BOUND, coarse.COARSE_WIDENED]
    bound, run = runs
    assert bound.objective is not None and run.objective is not None
    assert bound.objective <= run.objective + 1e-6 and plan.objective is not None
    assert run.objective < plan.objective - 1_000.0  # the public premium of 200 kWh/day
    assert round(vehicles_at(problem, "A", "DEPOT").varValue) == 1
    assert {str(v.name): v.varValue for v in (vehicles_at(problem, "D", "PUB"),)} == held_d


def test_a_plan_that_serves_every_need_as_its_relaxation_does_is_not_widened() -> None:
    problem = build_problem(depot_case(), coarse=True)
    objective = problem.prob.objective
    solver = make_solver("highs")
    (relaxation,) = solver.run_stages(problem.prob, [Stage("lp", objective, relax=True)], OPTIONS)
    relaxed = {str(v.name): float(v.varValue or 0.0) for v in problem.prob.variables()}
    (plan,) = solver.run_stages(problem.prob, [Stage("plan", objective)], OPTIONS)
    assert plan.objective is not None
    assert widening(problem, relaxed, plan.objective) is None
    assert widening(problem, relaxed, plan.objective, around_relaxation=True) is None
    values = {str(v.name): v.varValue for v in problem.prob.variables()}
    assert relaxation.objective is not None
    runs = coarse._widened(solver, problem, relaxed, plan, OPTIONS, relaxation.objective)
    assert [run.name for run in runs] == [coarse.COARSE_BOUND]
    assert {str(v.name): v.varValue for v in problem.prob.variables()} == values


#: The dive's own neighbourhood, before any test replaces it.
NEIGHBOURHOOD = coarse.SiteDive._neighbourhood


def keep_truck_a_from_its_depot(problem: PlanProblem, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the dive's neighbourhood hold truck A away from its depot: a plan above its LP."""
    away = vehicles_at(problem, "A", "DEPOT")

    def keep_a_away(dive: coarse.SiteDive, values: Any) -> Any:
        return {**NEIGHBOURHOOD(dive, values), away: (0.0, 0.0)}

    monkeypatch.setattr(coarse.SiteDive, "_neighbourhood", keep_a_away)


@pytest.mark.parametrize("gap", [0.0, 1.0])
def test_a_dive_widens_only_a_plan_above_its_gap_and_gives_every_run_its_best_bound(
    gap: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem = build_problem(depot_case(), coarse=True)
    monkeypatch.setattr(coarse, "NEIGHBOURHOOD_PAIRS", 0)
    keep_truck_a_from_its_depot(problem, monkeypatch)
    runs = coarse._dive(make_solver("highs"), problem, SolveOptions(mip_gap=gap))
    names = [run.name for run in runs]
    lp = runs[0].objective
    widened = [coarse.COARSE_WIDENED]  # around a relaxation: against the LP's bound
    assert names == [coarse.COARSE_LP, coarse.COARSE] + widened * (gap == 0.0)
    bound = runs[-1].bound
    assert all(run.bound == bound for run in runs)
    assert lp is not None and bound is not None and bound >= lp - 1e-6
    if gap == 0.0:
        assert runs[-1].objective is not None and runs[1].objective is not None
        assert lp is not None and lp - 1e-6 <= runs[-1].objective < runs[1].objective
        assert round(vehicles_at(problem, "A", "DEPOT").varValue) == 1


def test_two_widened_dives_of_the_same_inputs_give_the_same_plan(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(coarse, "NEIGHBOURHOOD_PAIRS", 0)
    plans = []
    for _ in range(2):
        problem = build_problem(depot_case(), coarse=True)
        keep_truck_a_from_its_depot(problem, monkeypatch)
        runs = coarse._dive(make_solver("highs"), problem, SolveOptions(mip_gap=0.0))
        assert runs[-1].name == coarse.COARSE_WIDENED
        plans.append({str(v.name): v.varValue for v in problem.prob.variables()})
    assert plans[0] == plans[1]


def test_a_first_plan_keeps_its_completed_start_above_the_gap_and_widens_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Truck A held away from its depot: a completed start above the LP, kept as it is."""
    problem = build_problem(depot_case(), coarse=True)
    monkeypatch.setattr(coarse, "NEIGHBOURHOOD_PAIRS", 0)
    keep_truck_a_from_its_depot(problem, monkeypatch)
    options = SolveOptions(mip_gap=0.0, first_plan=True)
    runs = coarse._dive(make_solver("highs"), problem, options)
    assert [run.name for run in runs] == [coarse.COARSE_LP, coarse.COARSE]
    lp, kept = runs
    assert kept.status is SolveStatus.FEASIBLE and kept.message.endswith(START_KEPT)
    assert lp.objective is not None and kept.objective is not None and kept.gap is not None
    assert kept.bound == lp.objective and kept.gap > 0
    assert kept.gap == pytest.approx(gap_to(kept.objective, lp.objective))
    assert round(vehicles_at(problem, "A", "DEPOT").varValue) == 0


class NodeRecorder(Solver):
    """HiGHS, recording the node limit and MIP gap each call's stages were given."""

    name = "highs"

    def __init__(self) -> None:
        self.highs = make_solver("highs")
        self.calls: list[tuple[list[str], int | None, float]] = []

    def run_stages(
        self, prob: pulp.LpProblem, stages: Sequence[Stage], options: SolveOptions
    ) -> list[StageRun]:
        self.calls.append(([stage.name for stage in stages], options.max_nodes, options.mip_gap))
        return self.highs.run_stages(prob, stages, options)


@pytest.mark.parametrize("free", [False, True])
def test_a_mip_around_a_relaxation_or_a_plan_stops_at_its_node_limit_and_the_widened_one_on_its_gap(
    free: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dived MIP stops at the neighbourhood's nodes, the widened one after its root.

    The widened MIP's gap is the share one troubled need may add, not the region's gap.
    """
    problem = build_problem(depot_case(), coarse=True)
    monkeypatch.setattr(coarse, "NEIGHBOURHOOD_PAIRS", 10_000 if free else 0)
    keep_truck_a_from_its_depot(problem, monkeypatch)
    recorder = NodeRecorder()
    coarse._dive(recorder, problem, SolveOptions(mip_gap=0.02, max_nodes=2_000))
    limit = coarse.NEIGHBOURHOOD_NODES
    dived = ([coarse.COARSE_LP, coarse.COARSE], 2_000 if free else limit, 0.02)
    bound = [coarse.COARSE_BOUND] if free else []  # sought only where the integers are free
    widened = ([*bound, coarse.COARSE_WIDENED], coarse.WIDENED_NODES, NEED_SHARE)
    assert recorder.calls == [dived, widened]
    assert coarse.WIDENED_NODES < limit < 2_000 and NEED_SHARE < 0.02


#: Dwell windows of the trucks of :func:`truck_depots`.
TRUCK_WINDOWS = [("20:00", "06:00"), ("22:00", "05:00"), ("09:30", "15:30"), ("18:00", "04:00")]


def truck_depots(seed: int) -> PlanInputs:
    """Three to six truck fleets (some of half a truck more), two small depots, shared sites."""
    rng = np.random.default_rng(seed)
    needs = [
        need(
            f"T{i}",
            organisation=f"ORG-{i % 2}",
            energy=float(rng.integers(150, 600)),
            vehicles=float(rng.integers(1, 3)) - float(rng.choice([0.0, 0.5])),
            category="N3",
            max_kw=150.0,
            dwell=TRUCK_WINDOWS[int(rng.integers(len(TRUCK_WINDOWS)))],
        )
        for i in range(int(rng.integers(3, 7)))
    ]
    sites = [
        site(
            f"DEP{j}",
            tier="private",
            owner=f"ORG-{j}",
            max_chargers=int(rng.integers(1, 4)),
            max_power_kw=float(rng.integers(60, 400)),
            fixed_cost=float(rng.integers(0, 30_000)),
        )
        for j in range(2)
    ]
    sites += [
        site(
            "SEMI",
            tier="semi_public",
            max_power_kw=float(rng.integers(100, 600)),
            fixed_cost=float(rng.integers(0, 30_000)),
            max_chargers=3,
        ),
        site("PUB", fixed_cost=float(rng.integers(0, 30_000))),
    ]
    pairs = [
        pair(n["need_id"], s["site_id"], own=s["owner_organisation_id"] == n["organisation_id"])
        for n in needs
        for s in sites
        if s["tier"] != "private"
        or s["owner_organisation_id"] == n["organisation_id"]
        or rng.random() < 0.5
    ]
    return micro_inputs(
        needs,
        sites,
        pairs,
        chargers=(DC40, DC150),
        ladder_policy="weighted",
        unmet_penalty_eur_per_kwh=10.0,
        capex_annuity_factor=0.1,
    )


def coarse_optima(problem: PlanProblem) -> tuple[float, float, float]:
    """The coarse model's LP optimum, its presolved relaxation's, and its MIP optimum."""
    objective = problem.prob.objective
    stages = [
        Stage("lp", objective, relax=True),
        Stage("presolved", objective, relax=True, presolved=True),
        Stage("mip", objective),
    ]
    found = []
    for stage in stages:
        (run,) = make_solver("highs").run_stages(problem.prob, [stage], OPTIONS)
        assert run.status == SolveStatus.OPTIMAL and run.objective is not None, run.message
        found.append(run.objective)
    lp, presolved, mip = found
    return lp, presolved, mip


@pytest.mark.parametrize("seed", range(12))
def test_the_presolved_relaxation_bounds_the_coarse_mip_at_least_as_well_as_its_lp(
    seed: int,
) -> None:
    lp, presolved, mip = coarse_optima(build_problem(truck_depots(seed), coarse=True))
    assert lp - 1e-6 <= presolved <= mip + 1e-6


def test_the_presolved_relaxation_knows_the_whole_trucks_the_lp_splits() -> None:
    lp, presolved, mip = coarse_optima(build_problem(truck_depots(20), coarse=True))
    assert presolved > lp * 1.005  # HiGHS's presolve tightens the whole-truck rows
    assert presolved <= mip + 1e-6


def test_a_dived_plan_above_its_lp_is_measured_against_the_stronger_bound() -> None:
    problem = build_problem(truck_depots(20), coarse=True)
    assert len(problem.vehicles) <= coarse.NEIGHBOURHOOD_PAIRS  # its integers are free
    options = SolveOptions(mip_gap=0.002)  # the coarse gap: the target is twice that
    runs = coarse._dive(make_solver("highs"), problem, options)
    assert [run.name for run in runs][:3] == [coarse.COARSE_LP, coarse.COARSE, coarse.COARSE_BOUND]
    lp, dived, stronger = runs[0].objective, runs[1].objective, runs[2].objective
    assert lp is not None and dived is not None and stronger is not None
    target = options.mip_gap / coarse.COARSE_GAP_SHARE
    assert dived - lp > target * dived  # the LP cannot prove the target gap: a bound is sought
    assert all(run.bound == stronger for run in runs) and stronger > lp
    plan = runs[-1].objective if runs[-1].name == coarse.COARSE_WIDENED else dived
    assert float(pulp.value(problem.prob.objective)) == pytest.approx(plan)


def test_a_plan_dived_around_its_relaxation_is_measured_against_the_lp_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem = build_problem(truck_depots(20), coarse=True)
    monkeypatch.setattr(coarse, "NEIGHBOURHOOD_PAIRS", 0)  # as a large problem is dived
    options = SolveOptions(mip_gap=0.002)
    runs = coarse._dive(make_solver("highs"), problem, options)
    lp, dived = runs[0].objective, runs[1].objective
    assert lp is not None and dived is not None
    assert dived - lp > options.mip_gap / coarse.COARSE_GAP_SHARE * dived  # beyond the target
    assert coarse.COARSE_BOUND not in [run.name for run in runs]
    assert all(run.bound == lp for run in runs)
    _, presolved, _ = coarse_optima(problem)
    assert presolved > lp  # the bound not sought is stronger here; on large regions it was not


def test_a_dived_plan_the_lp_proves_within_the_target_gap_gets_no_stronger_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem = build_problem(truck_depots(20), coarse=True)
    monkeypatch.setattr(coarse, "NEIGHBOURHOOD_PAIRS", 0)
    options = SolveOptions(mip_gap=0.008)
    runs = coarse._dive(make_solver("highs"), problem, options)
    lp, dived = runs[0].objective, runs[1].objective
    assert lp is not None and dived is not None
    target = options.mip_gap / coarse.COARSE_GAP_SHARE
    assert options.mip_gap * dived < dived - lp <= target * dived
    assert coarse.COARSE_BOUND not in [run.name for run in runs]
    assert all(run.bound == lp for run in runs)


def test_cbc_without_a_mip_presolve_gives_the_plain_relaxation_as_the_presolved_one() -> None:
    problem = build_problem(truck_depots(20), coarse=True)
    objective = problem.prob.objective
    found = []
    for presolved in (False, True):
        stage = Stage("lp", objective, relax=True, presolved=presolved)
        (run,) = make_solver("cbc").run_stages(problem.prob, [stage], OPTIONS)
        assert run.status == SolveStatus.OPTIMAL and run.objective is not None, run.message
        found.append(run.objective)
    assert found[1] == pytest.approx(found[0])


def semi_public_case() -> PlanInputs:
    """Truck T's company depot is full with truck A; T and B's truck share one semi-public slot.

    SEMI has one charger and is open four hours: T's 150 kWh (3.75 h at 40 kW) and B's
    30 kWh (0.75 h) do not both fit there, so one of them goes public.
    """
    needs = [
        need("A", energy=900.0, category="N3"),
        need("T", energy=150.0, category="N3"),
        need("B", organisation="ORG-B", energy=30.0, category="N3"),
    ]
    sites = [
        site("DEPOT", tier="private", owner="ORG-A", max_chargers=1),
        site("SEMI", tier="semi_public", max_chargers=1, available=("20:00", "00:00")),
        site("PUB"),
    ]
    pairs = [pair("A", "DEPOT", own=True), pair("T", "DEPOT", own=True)]
    pairs += [pair(n, s) for n in "TB" for s in ("SEMI", "PUB")]
    return micro_inputs(needs, sites, pairs, chargers=(DC40,), ladder_policy="weighted")


def truck_sent_public(problem: PlanProblem, rival: str) -> tuple[float, dict[str, float], StageRun]:
    """The relaxation's optimum (truck T at SEMI), its values, and a plan giving SEMI to ``rival``.

    The plan holds ``rival`` at SEMI and T away from it, so T charges at the public site.
    """
    objective = problem.prob.objective
    solver = make_solver("highs")
    (relaxation,) = solver.run_stages(problem.prob, [Stage("lp", objective, relax=True)], OPTIONS)
    assert relaxation.status == SolveStatus.OPTIMAL and relaxation.objective is not None
    relaxed = {str(v.name): float(v.varValue or 0.0) for v in problem.prob.variables()}
    assert relaxed[str(vehicles_at(problem, "T", "SEMI").name)] > 0.5
    held = {
        vehicles_at(problem, "T", "SEMI"): (0.0, 0.0),
        vehicles_at(problem, rival, "SEMI"): (1.0, 1.0),
    }
    (plan,) = solver.run_stages(problem.prob, [Stage("plan", objective, bounds=held)], OPTIONS)
    assert plan.objective is not None
    assert round(vehicles_at(problem, "T", "PUB").varValue) == 1
    return relaxation.objective, relaxed, plan


def test_a_widening_that_finds_nothing_on_the_best_tier_contests_the_relaxation_s_sites() -> None:
    """T's best tier is its full depot; the relaxation charges it at SEMI.

    The plan puts B's truck at SEMI and T at the public site.  Freeing the depot (the first
    widened MIP) leaves SEMI's one slot to B; the second also frees SEMI and B, and T gets
    the slot back.
    """
    problem = build_problem(semi_public_case(), coarse=True)
    solver = make_solver("highs")
    lp, relaxed, plan = truck_sent_public(problem, "B")
    assert plan.objective is not None
    assert relaxed[str(vehicles_at(problem, "T", "DEPOT").name)] < 0.5  # A holds the depot
    depot, semi = site_index(problem, "DEPOT"), site_index(problem, "SEMI")
    best_tier = widening(problem, relaxed, plan.objective)
    assert best_tier is not None and best_tier.contested == {depot}
    assert best_tier.troubled == {need_index(problem, "T")}
    wider = widening(problem, relaxed, plan.objective, around_relaxation=True)
    assert wider is not None and wider.troubled == best_tier.troubled
    charged = {
        site_index(problem, site_id)
        for site_id in ("DEPOT", "SEMI", "PUB")
        if relaxed[str(vehicles_at(problem, "T", site_id).name)] > 1e-6
    }
    assert wider.contested == {depot} | charged and semi in wider.contested
    assert need_index(problem, "B") in wider.competitors - best_tier.competitors
    runs = coarse._widened(solver, problem, relaxed, plan, OPTIONS, lp)
    names = [run.name for run in runs]
    assert names == [coarse.COARSE_BOUND, coarse.COARSE_WIDENED, coarse.COARSE_WIDENED_RELAXED]
    first, second = runs[1].objective, runs[2].objective
    assert first is not None and second is not None
    assert first >= plan.objective - 1e-6  # the depot alone gives nothing better
    assert second < plan.objective - 1_000.0
    assert round(vehicles_at(problem, "T", "SEMI").varValue) == 1
    assert round(vehicles_at(problem, "B", "PUB").varValue) == 1


def slot_case() -> PlanInputs:
    """Truck T and van V reach a semi-public site with one charger slot, and a public one."""
    needs = [
        need("T", organisation="ORG-T", energy=150.0, category="N3"),
        need("V", organisation="ORG-V", energy=30.0, max_kw=11.0),
    ]
    sites = [site("SEMI", tier="semi_public", max_chargers=1), site("PUB")]
    pairs = [pair(n, s) for n in "TV" for s in ("SEMI", "PUB")]
    return micro_inputs(needs, sites, pairs, chargers=(DC40, AC11), ladder_policy="weighted")


def test_a_need_on_another_charger_type_is_freed_where_it_takes_the_troubled_need_s_slot() -> None:
    """The plan gives SEMI's one slot to van V's AC charger and sends truck T public.

    V cannot use T's DC charger, but it holds the slot T needs: the widening frees it, and
    the widened MIP gives the slot to T and sends V public (the relaxation's choice: T's
    premium on 150 kWh/day weighs more than V's on 30).
    """
    problem = build_problem(slot_case(), coarse=True)
    solver = make_solver("highs")
    lp, relaxed, plan = truck_sent_public(problem, "V")
    assert plan.objective is not None
    widened = widening(problem, relaxed, plan.objective)
    assert widened is not None
    assert widened.troubled == {need_index(problem, "T")}
    assert widened.contested == {site_index(problem, "SEMI")}
    assert widened.competitors == {need_index(problem, "V")}
    runs = coarse._widened(solver, problem, relaxed, plan, OPTIONS, lp)
    assert [run.name for run in runs] == [coarse.COARSE_BOUND, coarse.COARSE_WIDENED]
    assert runs[-1].objective is not None and runs[-1].objective < plan.objective - 1_000.0
    assert round(vehicles_at(problem, "T", "SEMI").varValue) == 1
    assert round(vehicles_at(problem, "V", "PUB").varValue) == 1
