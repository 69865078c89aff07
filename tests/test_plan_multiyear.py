"""Year by year: what a year builds is carried into the next, never removed, and paid once."""

from __future__ import annotations

from dataclasses import replace

import pytest

from planner.optimisation.inputs import BuiltCapacity
from planner.optimisation.model import build_problem
from planner.optimisation.results import CARRIED_KVA_DIGITS, built_after
from planner.optimisation.solve import solve
from planner.optimisation.tables import solution_values
from tests._plan_checks import check_invariants
from tests._plan_fixtures import micro_inputs, need, site, solve_micro
from tests.test_plan_coarse import timed_case

HUB = site("HUB", fixed_cost=5_000.0)  # annuity 0.1: 500 EUR/year; DC50: 1 000 EUR/year


def year(needs: list[dict[str, object]], built: BuiltCapacity, number: int):
    inputs = micro_inputs(needs, [HUB], built=built)
    problem, result = solve_micro(inputs)
    check_invariants(problem, result)
    assert result.year == 2030 and number >= 1
    return result


def test_chargers_and_sites_are_carried_forward_and_never_removed() -> None:
    first = year([need("A", energy=100.0)], BuiltCapacity(), 1)
    assert first.sites.set_index("site_id").loc["HUB", "chargers"] == 1
    assert first.costs["sites_eur"] == pytest.approx(500.0)
    assert first.costs["chargers_eur"] == pytest.approx(1_000.0)

    growing = [need("A", energy=100.0), need("B", organisation="ORG-B", energy=1_500.0)]
    second = year(growing, first.built, 2)
    hub = second.sites.set_index("site_id").loc["HUB"]
    assert hub["chargers"] == 2 and hub["new_chargers"] == 1 and not hub["newly_opened"]
    assert second.costs["sites_eur"] == pytest.approx(0.0)  # opened last year
    assert second.costs["chargers_eur"] == pytest.approx(1_000.0)  # one more charger
    assert second.costs["carried_investment_eur"] == pytest.approx(1_500.0)

    shrinking = [need("A", energy=10.0)]
    third = year(shrinking, second.built, 3)
    hub = third.sites.set_index("site_id").loc["HUB"]
    assert hub["chargers"] == 2 and hub["new_chargers"] == 0  # never removed
    assert third.costs["sites_eur"] == third.costs["chargers_eur"] == pytest.approx(0.0)
    assert third.objective_eur == pytest.approx(2_500.0)  # the annuity of all that was built
    assert third.built.chargers == {("HUB", "DC50"): 2}
    assert third.built.opened == frozenset({"HUB"})


def test_existing_chargers_cost_nothing_and_keep_the_site_open() -> None:
    inputs = micro_inputs([need("A", energy=100.0)], [site("HUB", existing=1, fixed_cost=5_000.0)])
    problem, result = solve_micro(inputs)
    check_invariants(problem, result)
    hub = result.sites.set_index("site_id").loc["HUB"]
    assert hub["chargers"] == 1 and hub["new_chargers"] == 0 and not hub["newly_opened"]
    assert result.objective_eur == pytest.approx(0.0)


def test_the_reinforcement_a_year_carries_on_is_free_of_the_solver_s_rounding_noise() -> None:
    """The next year's MIPs follow the carried kVA to its last bit: noise is rounded off.

    The same plan read with every reinforcement value a few units in the last place off
    (what another vertex of the same cost gives) carries the same capacity on.
    """
    problem = build_problem(timed_case(1, mip_gap=0.01))
    result = solve(problem)
    assert result.built.reinforcement_kva, "the case must reinforce a node"
    values = solution_values(problem)
    for noise in (1 + 3e-15, 1 - 3e-15):
        noisy = replace(
            values, reinforcement={n: kva * noise for n, kva in values.reinforcement.items()}
        )
        assert built_after(problem, noisy) == result.built
    for kva in result.built.reinforcement_kva.values():
        assert kva == round(kva, CARRIED_KVA_DIGITS)
