"""Every unmet need gets one cause and the figure that binds, on micro cases made for each."""

from __future__ import annotations

import pandas as pd
import pytest

from geography import haversine_km
from planner.optimisation.unmet_causes import UnmetCause
from tests._plan_fixtures import DC50, grid, micro_inputs, need, site, solve_micro


def only_unmet_row(inputs_result: pd.DataFrame) -> dict[str, object]:
    assert len(inputs_result) == 1, inputs_result
    row: dict[str, object] = {str(k): v for k, v in inputs_result.iloc[0].items()}
    return row


def test_no_site_within_reach_names_the_nearest_site_and_the_limit() -> None:
    far = {**site("P1", tier="public"), "lat": 50.90, "lon": 4.90}
    nearer = {**site("S1", tier="semi_public"), "lat": 50.88, "lon": 4.80}
    depot = {**need("N1"), "lat": 50.88, "lon": 4.70}
    inputs = micro_inputs([depot], [far, nearer], pairs=[])
    _, result = solve_micro(inputs)
    row = only_unmet_row(result.unmet)
    assert row["cause"] == UnmetCause.NO_SITE_IN_REACH
    km = float(haversine_km(50.88, 4.70, 50.88, 4.80)) * inputs.settings.detour_factor
    limit = inputs.settings.detour_km_max["semi_public"]
    assert row["binding"] == f"nearest semi-public site S1 {km:.2f} km, limit {limit:g} km"


def test_dwell_window_outside_availability_names_both_windows() -> None:
    night = need("N1", dwell=("20:00", "06:00"))
    day_site = site("S1", available=("08:00", "18:00"))
    _, result = solve_micro(micro_inputs([night], [day_site]))
    row = only_unmet_row(result.unmet)
    assert row["cause"] == UnmetCause.OUTSIDE_AVAILABILITY
    assert "20:00–06:00" in str(row["binding"]) and "08:00–18:00" in str(row["binding"])
    assert row["unmet_kwh_per_day"] == pytest.approx(100.0)


def test_connection_cap_names_the_site_and_its_kw() -> None:
    hungry = need("N1", energy=1000.0, vehicles=2, max_kw=50.0)
    capped = site("S1", max_power_kw=20.0)
    _, result = solve_micro(micro_inputs([hungry], [capped]))
    row = only_unmet_row(result.unmet)
    assert row["cause"] == UnmetCause.CONNECTION_CAP
    assert "S1" in str(row["binding"]) and "20 kW" in str(row["binding"])
    assert row["unmet_kwh_per_day"] == pytest.approx(1000.0 - 20.0 * 24, rel=1e-4)


def test_grid_headroom_without_reinforcement_names_the_node() -> None:
    hungry = need("N1", energy=1000.0, vehicles=2, max_kw=50.0)
    fed = site("S1", node="C1")
    network = grid([("SUB", ""), ("C1", "SUB")], {"C1": 10.0})
    inputs = micro_inputs([hungry], [fed], grid_inputs=network, allow_reinforcement=False)
    _, result = solve_micro(inputs)
    row = only_unmet_row(result.unmet)
    assert row["cause"] == UnmetCause.GRID_HEADROOM
    assert "C1" in str(row["binding"]) and "not allowed" in str(row["binding"])


def test_charger_capacity_names_the_full_site() -> None:
    fleet = need("N1", energy=2000.0, vehicles=4, max_kw=50.0)
    small = site("S1", max_chargers=1)
    _, result = solve_micro(micro_inputs([fleet], [small], chargers=(DC50,)))
    row = only_unmet_row(result.unmet)
    assert row["cause"] == UnmetCause.CAPACITY
    assert str(row["binding"]) == "site S1 holds 1 of its 1 chargers"


def test_cost_above_the_penalty_says_so() -> None:
    cheap_penalty = micro_inputs(
        [need("N1", energy=10.0)], [site("S1", fixed_cost=1e6)], unmet_penalty_eur_per_kwh=0.01
    )
    _, result = solve_micro(cheap_penalty)
    row = only_unmet_row(result.unmet)
    assert row["cause"] == UnmetCause.COST
    assert "0.01 EUR/kWh" in str(row["binding"])
