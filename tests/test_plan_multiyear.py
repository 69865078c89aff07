"""Year by year: what a year builds is carried into the next, never removed, and paid once."""

from __future__ import annotations

import pytest

from planner.optimisation.inputs import BuiltCapacity
from tests._plan_checks import check_invariants
from tests._plan_fixtures import micro_inputs, need, site, solve_micro

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
