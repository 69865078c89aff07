"""The stronger, coarse-to-fine optimiser (issue 12) on small random cases, against exact optima.

* charger-link rows are valid: the integer optimum with them is the one without them (and the
  brute-force optimum), while their LP relaxation is at least as tight; so are the whole-unit
  cuts, on fleets of a fractional number of vehicles;
* the coarse-block model is a relaxation: its MIP optimum is at most the hourly optimum;
* the plan the product returns satisfies every row of the hourly model (plan rules included),
  its reported bound is at most the hourly optimum, and the same inputs give the same plan;
* the weighted ladder's certificate holds: no tier above its LP maximum.
"""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
import pulp
import pytest

from planner.optimisation import coarse, highs, model, plan_rules
from planner.optimisation.case import PlanCase
from planner.optimisation.cbc import cbc_available
from planner.optimisation.inputs import BuiltCapacity, ChargerOption, GridInputs, PlanInputs
from planner.optimisation.model import PlanProblem, build_problem
from planner.optimisation.solve import solve, solve_ahead
from planner.optimisation.solvers import SolveOptions, SolveStatus, Stage, make_solver
from planner.optimisation.structure import make_structure
from planner.workflows import multiyear
from tests._plan_checks import check_every_row, check_invariants
from tests._plan_fixtures import ALL, DC40, DC50, DC150, grid, micro_inputs, need, pair, site
from tests.test_plan_bruteforce import brute_force, random_case

EXACT = SolveOptions(mip_gap=0.0, time_limit_s=60.0)
#: Two plugs, 22 kW: a depot charger that several parked vehicles share.
AC22 = ChargerOption("AC22x2", 22.0, 4_000.0, ALL, connectors=2)
WINDOWS = [("18:00", "07:00"), ("08:00", "17:00"), ("00:00", "00:00"), ("21:00", "05:00")]


#: How a coarse MIP is solved: whole, dived with its integers free, or around the relaxation.
COARSE_PATHS = ["whole", "dive", "neighbourhood"]


def take_path(path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make a tiny case take one of :data:`COARSE_PATHS` (the large cases' ways)."""
    if path in ("dive", "neighbourhood"):
        monkeypatch.setattr(coarse, "DIVE_COLUMNS", 0)
    if path == "neighbourhood":
        monkeypatch.setattr(coarse, "NEIGHBOURHOOD_PAIRS", 0)


#: Columns of the plan's tables that tell in which hours it charges (not what it builds).
HOURLY_COLUMNS = ["peak_kw", "slots", "utilisation"]


def timed_case(seed: int, **settings: Any) -> PlanInputs:
    """Dwell windows, two cabins whose headroom changes every hour, a private depot."""
    rng = np.random.default_rng(seed)
    headroom: dict[str, float | Sequence[float]] = {"SUB": 5_000.0}
    for cabin in ("CAB-1", "CAB-2"):
        headroom[cabin] = rng.integers(15, 90, size=24).astype(float).tolist()
    the_grid: GridInputs = grid([("SUB", ""), ("CAB-1", "SUB"), ("CAB-2", "SUB")], headroom)
    needs = [
        need(
            f"N{i}",
            organisation=f"ORG-{i % 2}",
            energy=float(rng.integers(40, 260)),
            vehicles=float(rng.integers(1, 4)),
            max_kw=float(rng.choice([22.0, 50.0])),
            dwell=WINDOWS[int(rng.integers(len(WINDOWS)))],
        )
        for i in range(int(rng.integers(3, 6)))
    ]
    sites = [
        site("DEPOT", tier="private", owner="ORG-0", node="CAB-1", max_chargers=3),
        site("SEMI", tier="semi_public", node="CAB-1", fixed_cost=float(rng.integers(0, 3000))),
        site("PUB", node="CAB-2", fixed_cost=float(rng.integers(0, 3000)), max_chargers=4),
        site("FAR", max_power_kw=60.0, fixed_cost=float(rng.integers(0, 3000))),
    ]
    pairs = [
        pair(n["need_id"], s["site_id"], cost=float(rng.integers(0, 3)) / 10)
        for n in needs
        for s in sites
        if s["site_id"] != "DEPOT" or n["organisation_id"] == "ORG-0"
    ]
    base: dict[str, Any] = {
        "allow_reinforcement": bool(seed % 2),
        "reinforcement_cost_eur_per_kva": 300.0,
        "unmet_penalty_eur_per_kwh": 10.0,
        "operating_days_per_year": 260.0,
        "capex_annuity_factor": 0.1,
        "energy_price_eur_per_kwh": {"peak": 0.25, "offpeak": 0.15},
        "offpeak_policy": "soft",
    }
    return micro_inputs(
        needs, sites, pairs, chargers=(DC50, AC22), grid_inputs=the_grid, **{**base, **settings}
    )


def optimum(problem: PlanProblem, relax: bool = False) -> float:
    """The exact optimum of the problem's own objective (LP relaxation when ``relax``)."""
    stage = Stage("cost", problem.prob.objective, relax=relax)
    (run,) = make_solver("highs").run_stages(problem.prob, [stage], EXACT)
    assert run.status == SolveStatus.OPTIMAL and run.objective is not None, run.message
    return run.objective


def without_rows(problem: PlanProblem, *families: str) -> PlanProblem:
    """The same problem with the rows of some families taken out (stored names, ``_``)."""
    for name in [n for n in problem.prob._constraints if n.startswith(families)]:
        del problem.prob._constraints[name]
    return problem


def without_charger_links(problem: PlanProblem) -> PlanProblem:
    """The same problem with its ``clink`` rows taken out."""
    return without_rows(problem, "clink")


#: The row families of the whole-unit cuts (``plan_rules.define_whole_unit_cuts``).
WHOLE_UNIT_CUTS = ("vehicle_round", "vehicle_count", "vehicle_private")


def fractional_fleets(seed: int) -> PlanInputs:
    """:func:`timed_case` with fleets of a fractional number of vehicles (0.2 to 2.75)."""
    inputs = timed_case(seed)
    rng = np.random.default_rng(seed + 100)
    less = rng.choice([0.0, 0.25, 0.5, 0.8], size=len(inputs.needs))
    return replace(inputs, needs=inputs.needs.assign(vehicles=inputs.needs["vehicles"] - less))


@pytest.mark.parametrize("seed", range(6))
def test_charger_links_keep_the_integer_optimum_and_tighten_the_relaxation(seed: int) -> None:
    inputs = random_case(seed)
    linked = build_problem(inputs)
    assert any(name.startswith("clink") for name in linked.prob._constraints)
    plain = without_charger_links(build_problem(inputs))
    assert optimum(linked) == pytest.approx(optimum(plain), abs=1e-4)
    assert optimum(linked) == pytest.approx(brute_force(inputs), abs=1e-3)
    assert optimum(plain, relax=True) <= optimum(linked, relax=True) + 1e-6
    assert optimum(linked, relax=True) <= optimum(linked) + 1e-6


def test_charger_links_make_the_relaxation_buy_a_whole_charger() -> None:
    # 10 kWh a day at a public 50 kW charger: without the link the relaxation buys 1/120 of
    # a charger (its peak ÷ 50 kW); with it, the whole charger the plan must buy.
    inputs = micro_inputs([need("N", energy=10.0)], [site("S")])
    linked, plain = build_problem(inputs), without_charger_links(build_problem(inputs))
    capex = 0.1 * DC50.capex_eur
    assert optimum(linked, relax=True) == pytest.approx(optimum(linked)) == pytest.approx(capex)
    assert optimum(plain, relax=True) == pytest.approx(capex * 10 / 24 / 50)


@pytest.mark.parametrize("seed", range(6))
def test_whole_unit_cuts_keep_the_integer_optimum_and_tighten_the_relaxation(seed: int) -> None:
    inputs = fractional_fleets(seed)
    cut = build_problem(inputs)
    assert any(name.startswith(WHOLE_UNIT_CUTS) for name in cut.prob._constraints)
    plain = without_rows(build_problem(inputs), *WHOLE_UNIT_CUTS)
    best = optimum(plain)
    assert optimum(cut) == pytest.approx(best, rel=1e-6)
    assert optimum(plain, relax=True) <= optimum(cut, relax=True) + 1e-6
    assert optimum(cut, relax=True) <= best + 1e-6 * abs(best)
    coarse_cut = build_problem(inputs, coarse=True)
    coarse_plain = without_rows(build_problem(inputs, coarse=True), *WHOLE_UNIT_CUTS)
    assert optimum(coarse_cut) == pytest.approx(optimum(coarse_plain), rel=1e-6)


#: A one-plug depot charger.
ONE_PLUG = ChargerOption("AC11", 11.0, 1_000.0, ALL)


def van_depot(max_chargers: int) -> PlanInputs:
    """1.5 vans (30 kWh a day, 20 kWh a van) parked all day at their own depot."""
    return micro_inputs(
        [need("N", energy=30.0, vehicles=1.5, max_kw=11.0)],
        [site("DEPOT", tier="private", owner="ORG-A", max_chargers=max_chargers)],
        chargers=(ONE_PLUG,),
    )


def test_whole_unit_cuts_make_the_relaxation_give_a_fleet_its_whole_vehicles() -> None:
    # Two vans take two connectors: two one-plug chargers.  Without the cuts the relaxation
    # takes 1.5 vans and 1.5 chargers.
    inputs = van_depot(max_chargers=2)
    cut = build_problem(inputs)
    plain = without_rows(build_problem(inputs), *WHOLE_UNIT_CUTS)
    assert optimum(cut, relax=True) == pytest.approx(optimum(cut))
    half_a_charger = 0.5 * inputs.settings.capex_annuity_factor * ONE_PLUG.capex_eur
    assert optimum(cut, relax=True) - optimum(plain, relax=True) == pytest.approx(half_a_charger)


def test_whole_unit_cuts_make_the_relaxation_send_a_whole_van_to_a_second_depot() -> None:
    # 1.5 vans: one at depot A, which has one plug; the second van's 10 kWh go to depot B
    # (a second plug there) or to a semi-public site.  Without the depots' cut the relaxation
    # sends half a van to B and half a van, with 0.5 kWh, to the semi-public site.
    inputs = micro_inputs(
        [need("N", energy=30.0, vehicles=1.5, max_kw=11.0)],
        [
            site("A", tier="private", owner="ORG-A", max_chargers=1),
            site("B", tier="private", owner="ORG-A", max_chargers=1),
            site("SEMI", tier="semi_public", fixed_cost=5_000.0),
        ],
        chargers=(ONE_PLUG,),
    )
    cut = build_problem(inputs)
    assert any(name.startswith("vehicle_private") for name in cut.prob._constraints)
    plain = without_rows(build_problem(inputs), "vehicle_private")
    assert optimum(cut) == pytest.approx(optimum(plain))
    assert optimum(plain, relax=True) < optimum(cut, relax=True) - 1.0
    assert optimum(cut, relax=True) == pytest.approx(optimum(cut))


def test_whole_unit_cuts_keep_a_plan_that_leaves_part_of_a_fleet_unmet() -> None:
    # One plug: one van charges its 20 kWh and 10 kWh are left unmet, which the per-need cut
    # (1 van + 10 kWh ÷ (0.5 × 20 kWh) ≥ 2) must allow exactly.
    inputs = van_depot(max_chargers=1)
    cut = build_problem(inputs)
    plain = without_rows(build_problem(inputs), *WHOLE_UNIT_CUTS)
    assert any(name.startswith("vehicle_count") for name in cut.prob._constraints)
    assert optimum(cut) == pytest.approx(optimum(plain))
    penalty = inputs.settings.operating_days_per_year * inputs.settings.unmet_penalty_eur_per_kwh
    assert optimum(cut) > 10.0 * penalty


def full_depots(seed: int) -> PlanInputs:
    """Trucks whose depots' ``max_chargers`` are all taken by DC 40 kW chargers in place.

    A truck at its depot then draws at most what those chargers give, and at a public site
    with a small connection at most that connection: less than its daily energy.
    """
    rng = np.random.default_rng(seed)
    needs = [
        need(
            f"N{i}",
            organisation=f"ORG-{i % 2}",
            energy=float(rng.integers(250, 600)) * trucks,
            vehicles=float(trucks),
            max_kw=150.0,
            dwell=("09:30", "15:30") if i % 2 else ("19:00", "05:00"),
            category="N3",
            private_terrain=True,
        )
        for i, trucks in enumerate(rng.integers(1, 3, size=int(rng.integers(2, 5))).tolist())
    ]
    depots = {f"ORG-{o}": int(rng.integers(1, 3)) for o in range(2)}
    sites = [
        *(site(f"D-{org}", tier="private", owner=org, max_chargers=n) for org, n in depots.items()),
        site("PUB", max_power_kw=float(rng.integers(1, 4) * 50), fixed_cost=2_000.0),
        site("FAST", fixed_cost=float(rng.integers(5_000, 40_000)), max_chargers=2),
    ]
    pairs = [
        pair(n["need_id"], s["site_id"])
        for n in needs
        for s in sites
        if s["tier"] != "private" or s["owner_organisation_id"] == n["organisation_id"]
    ]
    built = BuiltCapacity(
        chargers={(f"D-{org}", "DC40"): n for org, n in depots.items()},
        opened=frozenset(f"D-{org}" for org in depots),
    )
    return micro_inputs(
        needs,
        sites,
        pairs,
        chargers=(DC40, DC150),
        built=built,
        unmet_penalty_eur_per_kwh=2.0,
        operating_days_per_year=260.0,
        capex_annuity_factor=0.1,
    )


def without_site_caps(
    inputs: PlanInputs, monkeypatch: pytest.MonkeyPatch, coarse_blocks: bool = False
) -> PlanProblem:
    """The problem built as if every site could give any category unlimited power."""
    with monkeypatch.context() as patch:
        patch.setattr(model, "pair_site_cap_kw", lambda p: np.full(len(p.structure.pairs), np.inf))
        return build_problem(inputs, coarse=coarse_blocks)


@pytest.mark.parametrize("seed", range(8))
def test_site_caps_keep_the_integer_optimum_and_tighten_the_relaxation(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = full_depots(seed)
    capped, plain = build_problem(inputs), without_site_caps(inputs, monkeypatch)
    best = optimum(plain)
    assert optimum(capped) == pytest.approx(best, rel=1e-6)
    assert optimum(plain, relax=True) <= optimum(capped, relax=True) + 1e-6
    assert optimum(capped, relax=True) <= best + 1e-6 * abs(best)
    coarse_capped = build_problem(inputs, coarse=True)
    coarse_plain = without_site_caps(inputs, monkeypatch, coarse_blocks=True)
    assert optimum(coarse_capped) == pytest.approx(optimum(coarse_plain), rel=1e-6)


def test_site_caps_make_the_relaxation_count_the_trucks_a_full_depot_can_charge(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Two trucks of 500 kWh a day park 6 hours at a depot whose one charger place holds a
    # DC 40 kW charger: one truck takes at most 240 kWh there, so a unit there counts as a
    # whole truck for 240 kWh.  With the cap the relaxation, like the plan, sends both trucks
    # to the fast site; without it, it counts 0.48 of a truck at the depot and 1.52 there.
    inputs = micro_inputs(
        [
            need(
                "N",
                energy=1000.0,
                vehicles=2.0,
                max_kw=150.0,
                dwell=("09:00", "15:00"),
                category="N3",
                private_terrain=True,
            )
        ],
        [site("D", tier="private", owner="ORG-A", max_chargers=1), site("FAST", max_chargers=4)],
        [pair("N", "D"), pair("N", "FAST")],
        chargers=(DC40, DC150),
        built=BuiltCapacity(chargers={("D", "DC40"): 1}, opened=frozenset({"D"})),
        unmet_penalty_eur_per_kwh=2.0,
        operating_days_per_year=260.0,
        capex_annuity_factor=0.1,
    )
    problem = build_problem(inputs)
    assert model.pair_site_cap_kw(problem).tolist() == [40.0, 600.0]
    units = plan_rules.vehicle_units(inputs.needs, inputs.settings.min_assignment_kwh_per_day)
    assert plan_rules.pair_unit_kwh(problem, units).tolist() == pytest.approx([240.0, 500.0])
    plain = without_site_caps(inputs, monkeypatch)
    best = optimum(problem)
    assert optimum(plain) == pytest.approx(best)
    assert optimum(plain, relax=True) < optimum(problem, relax=True) - 1.0
    assert optimum(problem, relax=True) <= best + 1e-6 * best


@pytest.mark.parametrize("seed", range(6))
def test_the_coarse_model_is_a_relaxation_of_the_hourly_model(seed: int) -> None:
    inputs = timed_case(seed)
    hourly = build_problem(inputs)
    coarse = build_problem(inputs, coarse=True)
    assert coarse.structure.blocks.count < hourly.structure.blocks.count
    assert optimum(coarse) <= optimum(hourly) + 1e-6 * max(1.0, abs(optimum(hourly)))
    assert optimum(coarse, relax=True) <= optimum(hourly, relax=True) + 1e-6


@pytest.mark.parametrize(("seed", "path"), [(s, p) for s in range(6) for p in COARSE_PATHS])
def test_the_returned_plan_satisfies_every_hourly_row_and_its_bound_is_valid(
    seed: int, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    take_path(path, monkeypatch)
    inputs = timed_case(seed, mip_gap=0.01)
    best = optimum(build_problem(inputs))
    problem = build_problem(inputs)
    result = solve(problem)
    assert result.has_plan, result.message
    check_every_row(problem)
    check_invariants(problem, result)
    (cost,) = [run for run in result.stages if run.name == "cost"]
    assert cost.objective is not None and cost.bound is not None and result.mip_gap is not None
    assert cost.bound <= best + 1e-6 * abs(best)
    assert cost.objective >= best - 1e-6 * abs(best)
    assert result.mip_gap == pytest.approx((cost.objective - cost.bound) / abs(cost.objective))
    assert result.status == (
        SolveStatus.OPTIMAL if result.mip_gap <= 0.01 + 1e-12 else SolveStatus.FEASIBLE
    )
    assert ("coarse_lp" in [run.name for run in result.stages]) == (path != "whole")


def test_a_relaxation_runs_the_parallel_dual_to_the_serial_dual_s_solution(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With HiGHS's default threads (one task in this process) a relaxation stage's LP runs
    the parallel dual simplex (HiGHS's log says so), to the serial dual's optimum and values:
    the plan does not change by it."""

    def relaxed() -> tuple[float | None, list[float | None], str]:
        problem = build_problem(timed_case(3), coarse=True)
        stage = Stage("coarse_lp", problem.prob.objective, relax=True)
        [run] = make_solver("highs").run_stages(problem.prob, [stage], SolveOptions(log=True))
        values = [variable.varValue for variable in problem.prob.variables()]
        return run.objective, values, capfd.readouterr().out

    objective, values, log = relaxed()
    assert objective is not None and "parallel dual simplex" in log
    monkeypatch.setattr(highs, "SIMPLEX_PARALLEL_DUAL", 1)  # HiGHS's serial dual
    serial_objective, serial_values, serial_log = relaxed()
    assert "dual simplex" in serial_log and "parallel dual simplex" not in serial_log
    assert objective == pytest.approx(serial_objective, rel=1e-12)
    assert values == pytest.approx(serial_values, abs=1e-9)


@pytest.mark.parametrize("seed", range(3))
def test_a_stage_s_mips_run_in_a_new_instance_with_the_lps_memory_gone_and_the_same_plan(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once LPs ran in a model's HiGHS instance, its stage's MIPs run in a new one: nothing
    keeps the old one (and its simplex memory) alive through them, and the plan is the one
    the old instance gives."""
    left_behind: list[weakref.ref[Any]] = []
    move = highs._leave_simplex_behind

    def moved(model: Any) -> None:
        before = model.highs
        move(model)
        if model.highs is not before:
            left_behind.append(weakref.ref(before))
            del before
            assert left_behind[-1]() is None  # freed before the stage's MIPs run
            assert not model.simplex_run

    monkeypatch.setattr(highs, "_leave_simplex_behind", moved)
    result = solve(build_problem(timed_case(seed, mip_gap=0.01)))
    assert left_behind and "coarse" in {run.name for run in result.stages}
    monkeypatch.setattr(highs, "_leave_simplex_behind", lambda model: None)
    kept = solve(build_problem(timed_case(seed, mip_gap=0.01)))
    assert result.objective_eur == pytest.approx(kept.objective_eur, rel=1e-9)
    for name in ("sites", "assignments", "unmet"):
        pd.testing.assert_frame_equal(getattr(result, name), getattr(kept, name), obj=name)


def test_the_coarse_stage_runs_where_headroom_changes_by_the_hour() -> None:
    result = solve(build_problem(timed_case(1, ladder_policy="weighted", mip_gap=0.01)))
    assert [run.name for run in result.stages] == ["coarse", "cost", "polish"]


@pytest.mark.parametrize("seed", range(3))
def test_the_weighted_ladder_stays_within_its_certificate(seed: int) -> None:
    inputs = timed_case(seed, ladder_policy="weighted", mip_gap=0.01)
    result = solve(build_problem(inputs))
    certificate = result.summary()["ladder_certificate"]
    assert certificate is not None
    for tier in ("private", "semi_public"):
        figures = certificate[tier]
        assert figures["energy_kwh_per_day"] == pytest.approx(
            result.energy_by_tier_kwh_per_day[tier], abs=0.01
        )
        assert figures["energy_kwh_per_day"] <= figures["lp_max_kwh_per_day"] + 0.01
        assert 0.0 <= figures["share_of_lp_max"] <= 1.0


def test_other_policies_give_no_certificate() -> None:
    result = solve(build_problem(timed_case(0, ladder_policy="none", mip_gap=0.01)))
    assert result.has_plan and result.summary()["ladder_certificate"] is None


def plan_tables(inputs: PlanInputs) -> dict[str, pd.DataFrame]:
    result = solve(build_problem(inputs))
    assert result.has_plan, result.message
    return {
        "sites": result.sites,
        "assignments": result.assignments,
        "site_power": result.site_power,
        "node_load": result.node_load,
        "unmet": result.unmet,
    }


@pytest.mark.parametrize("path", COARSE_PATHS)
def test_the_same_inputs_give_the_same_plan(path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    take_path(path, monkeypatch)
    inputs = timed_case(4, mip_gap=0.01)
    first, second = plan_tables(inputs), plan_tables(replace(inputs))
    for name, table in first.items():
        pd.testing.assert_frame_equal(table, second[name], check_exact=True, obj=name)


def dived(problem: PlanProblem, values: dict[str, float]) -> list[dict[Any, tuple[float, float]]]:
    """Every call of a fresh :class:`coarse.SiteDive` on the same values, until it is over."""
    dive = coarse.SiteDive(problem)
    calls: list[dict[Any, tuple[float, float]]] = []
    for _ in range(len(problem.open) + 3):
        held = dive(values)
        if not held:
            return calls
        calls.append(dict(held))
    raise AssertionError("the dive did not end")


def test_the_site_dive_rounds_sites_then_bounds_the_integers_around_the_relaxation() -> None:
    problem = build_problem(timed_case(2, mip_gap=0.01), coarse=True)
    closable = [var for var in problem.open.values() if var.lowBound != 1]
    assert len(closable) >= 3
    levels = [0.0, 0.3, 0.7, 1.0, 0.2][: len(closable)]
    values = {str(var.name): level for var, level in zip(closable, levels, strict=False)}
    values |= {str(v.name): min(1.4, float(v.upBound or 0)) for v in problem.vehicles.values()}
    values |= {str(v.name): 0.6 for v in problem.chargers.values()}
    first, *later = dived(problem, values)
    # round one: 0 closed, 1 and 0.7 open (at least half open), 0.3 left to the next LP
    assert {str(v.name): bounds for v, bounds in first.items()} == {
        str(var.name): (float(level >= 0.5), float(level >= 0.5))
        for var, level in zip(closable, levels, strict=False)
        if level <= 1e-3 or level >= 0.5
    }
    # with the same values again, the most open of the rest opens, then the neighbourhood
    neighbourhood = later[-1]
    vehicles, chargers = ({id(v) for v in d.values()} for d in (problem.vehicles, problem.chargers))
    sites = {id(v) for v in closable}
    assert vehicles | chargers <= {id(v) for v in neighbourhood}
    for var, (low, high) in neighbourhood.items():  # (PuLP variables compare by building rows)
        if id(var) in vehicles:  # whole vehicles next to the relaxation's, within bounds
            value = values[str(var.name)]
            assert low <= value <= high <= float(var.upBound or 0) and high - low <= 1.0
        elif id(var) in chargers:
            assert (low, high) == (max(0.0, float(var.lowBound or 0)), float(var.upBound))
        else:  # a site held open may close again
            assert id(var) in sites and (low, high) == (0.0, 1.0)


@pytest.mark.parametrize("name", ["highs", "cbc"])
def test_a_stage_holds_its_dive_and_the_next_stage_is_free_of_it(name: str) -> None:
    if name == "cbc" and not cbc_available():
        pytest.skip("PuLP's bundled CBC binary is missing on this platform")
    problem = build_problem(timed_case(0, mip_gap=0.0))
    used = {site for site, var in problem.open.items() if var.lowBound != 1}
    seen: list[dict[str, float]] = []

    def close_all(values: Any) -> dict[Any, tuple[float, float]]:
        seen.append(dict(values))
        return {} if len(seen) > 1 else {problem.open[s]: (0.0, 0.0) for s in used}

    objective = problem.prob.objective
    stages = [Stage("cost", objective, dive=close_all), Stage("free", objective)]
    first, second = make_solver(name).run_stages(problem.prob, stages, EXACT)
    assert len(seen) == 2  # relaxed, held, relaxed again: nothing more to hold
    assert all(seen[1][str(problem.open[s].name)] == 0.0 for s in used)
    assert first.objective is not None and second.objective is not None
    assert second.objective <= first.objective + 1e-6  # the free stage may open them again
    assert second.objective == pytest.approx(optimum(build_problem(timed_case(0))), rel=1e-6)


@pytest.mark.parametrize("seed", range(3))
def test_the_certificate_bounds_the_most_energy_any_plan_charges_on_the_tiers(seed: int) -> None:
    problem = build_problem(timed_case(seed, ladder_policy="weighted"))
    maxima = coarse.tier_energy_maxima(problem)
    assert maxima is not None
    both = pulp.LpAffineExpression(problem.private_energy + problem.semi_public_energy)
    for bound, expression in zip(maxima, (problem.private_energy, both), strict=True):
        stage = Stage("tier", expression, maximise=True)
        (run,) = make_solver("highs").run_stages(problem.prob, [stage], EXACT)
        assert run.objective is not None and run.objective <= bound + 1e-6


def test_a_small_dive_holds_only_the_sites_its_relaxation_decides() -> None:
    problem = build_problem(timed_case(2, mip_gap=0.01), coarse=True)
    closable = [var for var in problem.open.values() if var.lowBound != 1]
    levels = [0.0, 0.3, 0.7, 1.0, 0.2][: len(closable)]
    values = {str(v.name): 0.5 for v in problem.prob.variables()}
    values |= {str(var.name): level for var, level in zip(closable, levels, strict=False)}
    dive = coarse.SiteDive(problem, free_integers=True)
    held = dive(values)
    assert {str(v.name): bounds for v, bounds in held.items()} == {
        str(var.name): (level, level)
        for var, level in zip(closable, levels, strict=False)
        if level in (0.0, 1.0)
    }
    assert dive(values) == {}  # the fractional sites, vehicles and chargers: the MIP's


@pytest.mark.parametrize("dive", [False, True])
def test_the_coarse_model_is_released_before_the_hourly_repair(
    dive: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The repair takes only the coarse plan's integers, so its model's memory goes back."""
    if dive:
        monkeypatch.setattr(coarse, "DIVE_COLUMNS", 0)
    built: list[weakref.ref[PlanProblem]] = []
    alive_at_repair: list[bool] = []

    def build(inputs: PlanInputs, coarse: bool = False, **kwargs: Any) -> PlanProblem:
        problem = build_problem(inputs, coarse=coarse, **kwargs)
        if coarse:
            built.append(weakref.ref(problem))
        return problem

    def repair(
        problem: PlanProblem, plan: coarse.CoarsePlan, held: coarse.RepairHold, bound: Any
    ) -> Any:
        gc.collect()
        alive_at_repair.append(built[0]() is not None)
        return repair_stages(problem, plan, held, bound)

    repair_stages = coarse._repair_stages
    monkeypatch.setattr(coarse, "build_problem", build)
    monkeypatch.setattr(coarse, "_repair_stages", repair)
    inputs = timed_case(2, mip_gap=0.01)
    problem = build_problem(inputs)
    result = solve(problem)
    assert result.has_plan, result.message
    check_every_row(problem)
    assert len(built) == 1 and alive_at_repair and not any(alive_at_repair)


def test_a_solve_prints_nothing_on_standard_output() -> None:
    """HiGHS greets on its first instance; ``laadplan -q`` must print only what it is asked."""
    code = (
        "from planner.optimisation.model import build_problem\n"
        "from planner.optimisation.solve import solve\n"
        "from tests.test_plan_coarse import timed_case\n"
        "result = solve(build_problem(timed_case(0, ladder_policy='weighted', mip_gap=0.01)))\n"
        "assert result.has_plan and result.ladder_certificate is not None\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
        check=True,
    )
    assert done.stdout == ""


def test_a_year_builds_its_hourly_model_only_once_its_coarse_model_is_gone_and_released(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The two models are never in memory together, and the plan is the one ``solve`` gives.

    The year runs with the garbage collector paused: the coarse model must be gone by
    reference counting alone, and each model's heap is released once it is gone.
    """
    inputs = timed_case(2, mip_gap=0.01)
    coarse_models: list[weakref.ref[PlanProblem]] = []
    hourly_models: list[weakref.ref[PlanProblem]] = []
    events: list[str] = []

    def release() -> None:
        alive = any(model() is not None for model in (*coarse_models, *hourly_models))
        events.append("released beside a model" if alive else "released")

    def build_coarse(inputs: PlanInputs, coarse: bool = False, **kwargs: Any) -> PlanProblem:
        problem = build_problem(inputs, coarse=coarse, **kwargs)
        coarse_models.append(weakref.ref(problem))
        events.append("coarse built")
        return problem

    def build_hourly(inputs: PlanInputs, **kwargs: Any) -> PlanProblem:
        alive = any(model() is not None for model in coarse_models)
        events.append("hourly built beside the coarse model" if alive else "hourly built")
        events.append("collector running" if gc.isenabled() else "collector paused")
        problem = build_problem(inputs, **kwargs)
        hourly_models.append(weakref.ref(problem))
        return problem

    monkeypatch.setattr(coarse, "build_problem", build_coarse)
    monkeypatch.setattr(multiyear, "build_problem", build_hourly)
    monkeypatch.setattr(multiyear, "inputs_for_year", lambda case, year, built: inputs)
    monkeypatch.setattr(multiyear, "release_memory", release)
    result = multiyear.plan_year(cast(PlanCase, None), inputs.year, BuiltCapacity())
    assert events == ["coarse built", "released", "hourly built", "collector paused", "released"]
    assert gc.isenabled()  # resumed after the year
    assert coarse.COARSE in {run.name for run in result.stages}
    monkeypatch.undo()
    expected = solve(build_problem(inputs))
    assert result.objective_eur == pytest.approx(expected.objective_eur, rel=1e-9)
    for name in ("sites", "assignments", "unmet"):
        # the hours a pair charges in may be another optimum of the same cost: the hourly
        # model plan_year repairs on holds only the pairs the coarse plan uses
        mine, theirs = (
            table.drop(columns=HOURLY_COLUMNS, errors="ignore")
            for table in (getattr(result, name), getattr(expected, name))
        )
        pd.testing.assert_frame_equal(mine, theirs, obj=name)
    coarse_s = sum(run.runtime_s for run in result.stages if run.name == coarse.COARSE)
    assert result.solve_s >= coarse_s  # the coarse model's seconds count in the solve's


def test_no_coarse_model_is_solved_ahead_under_the_lexicographic_ladder_or_without_a_solver() -> (
    None
):
    inputs = timed_case(2, mip_gap=0.01)
    structure = make_structure(inputs)
    lexicographic = timed_case(2, mip_gap=0.01, ladder_policy="lexicographic")
    assert solve_ahead(lexicographic, make_structure(lexicographic)) is None
    missing = SolveOptions(solver="nonesuch")
    assert solve_ahead(inputs, structure, missing) is None
    result = solve(build_problem(inputs, structure=structure), missing)
    assert result.status == SolveStatus.ERROR and "nonesuch" in result.message


def test_the_neighbourhood_start_holds_only_the_vehicles_the_relaxation_has_whole() -> None:
    problem = build_problem(timed_case(2, mip_gap=0.01), coarse=True)
    variables = list(problem.vehicles.values())
    assert len(variables) >= 3
    relaxed = {str(v.name): [2.0, 0.4, 1.0 + 1e-9][i % 3] for i, v in enumerate(variables)}
    chargers = list(problem.chargers.values())
    relaxed |= {str(v.name): [0.6, 2.0][i % 2] for i, v in enumerate(chargers)}
    start = coarse.neighbourhood_start(problem, relaxed)
    vehicles = {id(v) for v in variables}  # (PuLP variables compare by building rows)
    assert {str(v.name): x for v, x in start.items() if id(v) in vehicles} == {
        str(v.name): [2.0, None, 1.0][i % 3] for i, v in enumerate(variables) if i % 3 != 1
    }
    # chargers are bounded, not held: at most one above the relaxation's rounded up
    assert {str(v.name): x for v, x in start.items() if id(v) not in vehicles} == {
        str(v.name): (float(v.lowBound or 0), [2.0, 3.0][i % 2]) for i, v in enumerate(chargers)
    }


def test_a_coarse_model_that_fails_ahead_is_the_year_s_error_not_a_crash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fail(*args: Any) -> Any:
        raise RuntimeError("the solver broke down")

    monkeypatch.setattr(coarse, "_solve_coarse", fail)
    inputs = timed_case(2, mip_gap=0.01)
    structure = make_structure(inputs)
    assert solve_ahead(inputs, structure) is None  # left to solve, which reports it
    result = solve(build_problem(inputs, structure=structure))
    assert result.status == SolveStatus.ERROR and not result.has_plan
    assert "the solver broke down" in result.message


@pytest.mark.parametrize("ahead", [True, False])
def test_making_the_coarse_model_counts_as_building_not_solving(
    monkeypatch: pytest.MonkeyPatch, ahead: bool
) -> None:
    """Making the coarse model takes a (simulated) hour: the year's ``build_s`` holds it."""
    import time
    import types

    solve_module = sys.modules[solve.__module__]  # the package's ``solve`` is the function
    hour = 3600.0
    offset = [0.0]
    clock = types.SimpleNamespace(perf_counter=lambda: time.perf_counter() + offset[0])
    built = build_problem

    def slow_build(*args: Any, **kwargs: Any) -> PlanProblem:
        problem = built(*args, **kwargs)
        if kwargs.get("coarse"):
            offset[0] += hour
        return problem

    monkeypatch.setattr(coarse, "build_problem", slow_build)
    monkeypatch.setattr(coarse, "time", clock)
    monkeypatch.setattr(solve_module, "time", clock)
    inputs = timed_case(2, mip_gap=0.01)
    structure = make_structure(inputs)
    solved_ahead = solve_ahead(inputs, structure) if ahead else None
    result = solve(build_problem(inputs, structure=structure), ahead=solved_ahead)
    assert offset == [hour]  # the coarse model was made once
    assert result.has_plan and "coarse" in result.message
    assert result.build_s >= hour > result.solve_s > 0


@pytest.mark.parametrize("skipped", [True, False])
def test_the_repair_s_proven_gap_still_says_when_its_mip_was_not_run(skipped: bool) -> None:
    """The repair's message is rewritten with the gap against the coarse bound; a repair whose
    completed start was kept without its MIP still says so."""
    from planner.optimisation.base import START_PROVEN, StageRun

    text = f"cost: optimal (gap 0.50%, limit 1.00%): {START_PROVEN}" if skipped else "cost: optimal"
    run = StageRun(coarse.COST, SolveStatus.OPTIMAL, 100.0, 0.005, 1.0, text, 99.5)
    proven = coarse._proven(run, 99.0, SolveOptions(mip_gap=0.01))
    assert proven.gap == pytest.approx(0.01) and proven.bound == 99.0
    assert proven.status == SolveStatus.OPTIMAL
    assert "1.00% above the coarse bound" in proven.message
    assert proven.message.endswith(START_PROVEN) == skipped


def test_the_repair_s_proven_gap_keeps_the_solver_s_notes() -> None:
    """A note after the solver's status (HiGHS's own objective, a kept start) stays."""
    from planner.optimisation.base import StageRun

    note = "HiGHS reported 99.80, its plan's objective is 100.00"
    text = f"cost: optimal (gap 0.00%, limit 1.00%); {note}"
    run = StageRun(coarse.COST, SolveStatus.OPTIMAL, 100.0, 0.0, 1.0, text, 100.0)
    proven = coarse._proven(run, 98.0, SolveOptions(mip_gap=0.01))
    assert proven.status == SolveStatus.FEASIBLE
    assert proven.message == f"cost: hourly plan 2.00% above the coarse bound (limit 1.00%); {note}"
