"""Micro-cases solvable by hand, one per rule of the site-selection model.

Each case is a few needs and sites whose optimal plan can be worked out on paper; every solved
plan is also checked against the invariants of :mod:`tests._plan_checks`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from planner.optimisation.inputs import PlanInputs
from planner.optimisation.model import PlanProblem
from planner.optimisation.results import PlanResult
from tests._plan_checks import check_invariants
from tests._plan_fixtures import (
    energy_at,
    grid,
    micro_inputs,
    need,
    pair,
    power_by_slot,
    site,
    solve_micro,
)

DAYS = 260.0


# --- the charging ladder ----------------------------------------------------------------------


def ladder_case(policy: str, **settings: Any) -> PlanInputs:
    """A vehicle group with its own (costly) depot site; one without, near a semi-public and a
    public site.  Cost alone picks the public site (no fixed cost) for both."""
    needs = [
        need("OWN", organisation="ORG-A", energy=100.0, private_terrain=True),
        need("NONE", organisation="ORG-B", energy=100.0),
    ]
    sites = [
        site("DEPOT", tier="private", owner="ORG-A", fixed_cost=50_000.0, shared=False),
        site("PARK", tier="semi_public", fixed_cost=5_000.0),
        site("HUB", tier="public", fixed_cost=0.0),
    ]
    pairs = [
        pair("OWN", "DEPOT", own=True),
        pair("OWN", "PARK"),
        pair("OWN", "HUB"),
        pair("NONE", "PARK"),
        pair("NONE", "HUB"),
    ]
    return micro_inputs(needs, sites, pairs, ladder_policy=policy, **settings)


def test_lexicographic_ladder_fills_private_then_semi_public_before_cost() -> None:
    problem, result = solve_micro(ladder_case("lexicographic"))
    check_invariants(problem, result)
    # levels are held within the ladder tolerance (1e-4 relative)
    assert energy_at(result, "DEPOT", "OWN") == pytest.approx(100.0, rel=2e-4)
    assert energy_at(result, "PARK", "NONE") == pytest.approx(100.0, rel=2e-4)
    assert energy_at(result, "HUB") == pytest.approx(0.0, abs=0.03)
    assert [run.name for run in result.stages] == ["private", "semi_public", "cost", "polish"]


def test_without_ladder_cost_alone_decides() -> None:
    problem, result = solve_micro(ladder_case("none"))
    check_invariants(problem, result)
    assert energy_at(result, "HUB") == pytest.approx(200.0)
    # one DC50 charger (10 000 EUR × 0.1) and no fixed cost: 1 000 EUR/year
    assert result.objective_eur == pytest.approx(1_000.0)


def test_weighted_ladder_trades_premium_against_cost_and_reports_it_apart() -> None:
    premiums = {"private": 0.0, "semi_public": 0.0, "public": 0.5}
    problem, result = solve_micro(ladder_case("weighted", tier_premium_eur_per_kwh=premiums))
    check_invariants(problem, result)
    # 100 kWh/day on the public hub would cost a premium of 0.5 × 100 × 260 = 13 000 EUR/year,
    # more than the park's fixed cost (500 EUR/year): both groups go to the park ...
    assert energy_at(result, "PARK") == pytest.approx(200.0)
    # ... the private depot (5 000 EUR/year) stays closed: private energy is not forced
    assert energy_at(result, "DEPOT") == pytest.approx(0.0, abs=1e-4)
    assert result.costs["ladder_premium_eur"] == pytest.approx(0.0, abs=1e-4)
    assert result.objective_eur == pytest.approx(500.0 + 1_000.0)


# --- off-peak ---------------------------------------------------------------------------------


def offpeak_case(policy: str, energy: float = 100.0) -> PlanInputs:
    """One van parked 18:00–08:00 at one site; off-peak 22:00–07:00 (9 h)."""
    return micro_inputs(
        [need("VAN", energy=energy, max_kw=50.0, dwell=("18:00", "08:00"))],
        [site("HUB", max_chargers=2)],
        offpeak_policy=policy,
        energy_price_eur_per_kwh={"peak": 0.30, "offpeak": 0.10},
    )


OFFPEAK_SLOTS = [22, 23, 0, 1, 2, 3, 4, 5, 6]


def test_hard_offpeak_charges_only_in_the_offpeak_window() -> None:
    problem, result = solve_micro(offpeak_case("hard"))
    check_invariants(problem, result)
    power = power_by_slot(result, "HUB")
    assert power.sum() == pytest.approx(100.0)
    outside = np.delete(power, OFFPEAK_SLOTS)
    assert outside == pytest.approx(np.zeros(15), abs=1e-4)
    assert result.costs["energy_eur"] == pytest.approx(100.0 * 0.10 * DAYS)


def test_hard_offpeak_keeps_the_whole_window_when_offpeak_is_too_short() -> None:
    # 500 kWh do not fit in 9 off-peak hours at 50 kW (450 kWh): the whole window is used
    problem, result = solve_micro(offpeak_case("hard", energy=500.0))
    check_invariants(problem, result)
    assert result.unmet_kwh_per_day == pytest.approx(0.0, abs=1e-4)
    assert np.delete(power_by_slot(result, "HUB"), OFFPEAK_SLOTS).sum() == pytest.approx(50.0)


def test_soft_offpeak_prices_move_charging_to_cheap_hours() -> None:
    problem, result = solve_micro(offpeak_case("soft"))
    check_invariants(problem, result)
    assert result.costs["energy_eur"] == pytest.approx(100.0 * 0.10 * DAYS)
    assert np.delete(power_by_slot(result, "HUB"), OFFPEAK_SLOTS).sum() == pytest.approx(
        0.0, abs=1e-4
    )


def test_no_offpeak_policy_prices_every_hour_at_the_peak_price() -> None:
    problem, result = solve_micro(offpeak_case("none"))
    check_invariants(problem, result)
    assert result.costs["energy_eur"] == pytest.approx(100.0 * 0.30 * DAYS)


# --- sharing ----------------------------------------------------------------------------------


def sharing_case(second: tuple[str, str]) -> tuple[PlanProblem, PlanResult]:
    """Two organisations, 300 kWh each, one vehicle each at 50 kW, on one public site; the
    first parks 08:00–16:00."""
    needs = [
        need("DAY", organisation="ORG-A", energy=300.0, dwell=("08:00", "16:00")),
        need("OTHER", organisation="ORG-B", energy=300.0, dwell=second),
    ]
    return solve_micro(micro_inputs(needs, [site("HUB", max_chargers=4)]))


def test_two_organisations_share_one_charger_across_day_and_night() -> None:
    problem, result = sharing_case(("20:00", "06:00"))  # no overlap with 08–16
    check_invariants(problem, result)
    hub = result.sites.set_index("site_id").loc["HUB"]
    assert hub["chargers"] == 1
    assert hub["organisations"] == 2
    assert hub["utilisation"] == pytest.approx(600.0 / (50.0 * 24.0))


def test_overlapping_windows_need_a_charger_each() -> None:
    problem, result = sharing_case(("08:00", "16:00"))
    check_invariants(problem, result)
    # both charge 300 kWh in the same 8 hours: 2 × 37.5 kW > one 50 kW charger
    assert result.sites.set_index("site_id").loc["HUB", "chargers"] == 2


# --- the grid ---------------------------------------------------------------------------------


def grid_case(**settings: Any) -> PlanInputs:
    """A van needing 20 kW all day; the free hub sits under a cabin with 10 kVA headroom, a
    second site (20 000 EUR) under a cabin with room."""
    the_grid = grid(
        [("SUB", ""), ("CAB-1", "SUB"), ("CAB-2", "SUB")],
        {"SUB": 5_000.0, "CAB-1": 10.0, "CAB-2": 1_000.0},
    )
    sites = [
        site("CHEAP", node="CAB-1", fixed_cost=0.0),
        site("OTHER", node="CAB-2", fixed_cost=20_000.0),
    ]
    return micro_inputs([need("VAN", energy=480.0)], sites, grid_inputs=the_grid, **settings)


def test_a_congested_node_pushes_charging_to_another_node() -> None:
    problem, result = solve_micro(grid_case(allow_reinforcement=False))
    check_invariants(problem, result)
    assert power_by_slot(result, "CHEAP").max() <= 10.0 + 1e-4
    assert energy_at(result, "OTHER") >= 480.0 - 24 * 10.0 - 1e-4
    assert result.unmet_kwh_per_day == pytest.approx(0.0, abs=1e-4)
    assert result.reinforcement.empty


def test_a_congested_node_is_reinforced_when_that_is_cheaper() -> None:
    inputs = grid_case(allow_reinforcement=True, reinforcement_cost_eur_per_kva=1.0)
    problem, result = solve_micro(inputs)
    check_invariants(problem, result)
    assert energy_at(result, "CHEAP") == pytest.approx(480.0)
    row = result.reinforcement.set_index("node_id").loc["CAB-1"]
    assert row["new_kva"] == pytest.approx(10.0)  # 20 kW load − 10 kVA headroom
    assert result.costs["reinforcement_eur"] == pytest.approx(10.0)
    margin = result.node_load[result.node_load["node_id"] == "CAB-1"]["margin_kva"]
    assert margin.min() == pytest.approx(0.0, abs=1e-4)


def test_every_node_on_the_path_binds() -> None:
    the_grid = grid(
        [("SUB", ""), ("CAB-1", "SUB"), ("CAB-2", "SUB")],
        {"SUB": 30.0, "CAB-1": 1_000.0, "CAB-2": 1_000.0},
    )
    needs = [need("A", energy=480.0), need("B", organisation="ORG-B", energy=480.0)]
    sites = [site("S1", node="CAB-1"), site("S2", node="CAB-2")]
    pairs = [pair("A", "S1"), pair("B", "S2")]
    inputs = micro_inputs(needs, sites, pairs, grid_inputs=the_grid, allow_reinforcement=False)
    problem, result = solve_micro(inputs)
    check_invariants(problem, result)
    # the substation carries 30 of the 40 kW the two vans want, all day
    assert result.unmet_kwh_per_day == pytest.approx(24 * 10.0)
    load = result.node_load[result.node_load["node_id"] == "SUB"]["load_kw"]
    assert load.max() == pytest.approx(30.0)


def test_power_factor_turns_charging_kw_into_grid_kva() -> None:
    inputs = grid_case(allow_reinforcement=True, reinforcement_cost_eur_per_kva=1.0)
    problem, result = solve_micro(replace(inputs, power_factor=0.8))
    check_invariants(problem, result)
    row = result.reinforcement.set_index("node_id").loc["CAB-1"]
    assert row["new_kva"] == pytest.approx(20.0 / 0.8 - 10.0)


# --- a De Lijn depot open to logistics in daytime ---------------------------------------------


def test_de_lijn_depot_is_used_only_in_daytime() -> None:
    needs = [
        need("ALLDAY", energy=240.0),  # parked all day: can use 07–19
        need("NIGHT", organisation="ORG-B", energy=100.0, dwell=("20:00", "06:00")),
    ]
    depot = site("DE-LIJN", tier="semi_public", available=("07:00", "19:00"))
    problem, result = solve_micro(micro_inputs(needs, [depot]))
    check_invariants(problem, result)
    power = power_by_slot(result, "DE-LIJN")
    assert power[7:19].sum() == pytest.approx(240.0)
    assert np.concatenate([power[:7], power[19:]]) == pytest.approx(np.zeros(12), abs=1e-4)
    unmet = result.unmet.set_index("need_id")
    assert unmet.loc["NIGHT", "unmet_kwh_per_day"] == pytest.approx(100.0)
    assert unmet.loc["NIGHT", "candidate_sites"] == 0
    assert unmet.loc["NIGHT", "cause"] == "dwell_window_outside_site_availability"
    assert "20:00–06:00" in str(unmet.loc["NIGHT", "binding"])
