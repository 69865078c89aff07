"""Daily charging profiles: each strategy by hand, partial and wrapping slots, conservation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.demand.profiles import (
    make_vehicle_profiles,
    offpeak_share_per_slot,
    slot_starts,
    window_bounds,
)


def profile(
    start: str,
    end: str,
    energy_kwh: float,
    max_kw: float,
    strategy: str,
    slot_minutes: int = 60,
    offpeak: tuple[str, str] = ("22:00", "07:00"),
) -> tuple[np.ndarray, float]:
    result = make_vehicle_profiles(
        [start], [end], np.array([energy_kwh]), np.array([max_kw]), strategy, slot_minutes, offpeak
    )
    return result.power_kw[0], float(result.unserved_kwh[0])


def hours(*ranges: tuple[int, int]) -> list[int]:
    return [h for low, high in ranges for h in range(low, high)]


def test_spread_is_constant_over_a_window_that_wraps_midnight() -> None:
    power, unserved = profile("18:00", "06:00", 24.0, 11.0, "spread")
    expected = np.zeros(24)
    expected[hours((18, 24), (0, 6))] = 2.0  # 24 kWh over 12 hours
    np.testing.assert_allclose(power, expected)
    assert unserved == 0.0


def test_immediate_charges_at_full_power_from_plug_in_with_a_half_slot() -> None:
    power, unserved = profile("17:30", "07:00", 30.0, 11.0, "immediate")
    expected = np.zeros(24)
    expected[17] = 5.5  # plugged in for half of the 17:00 slot: 11 kW for 30 minutes
    expected[18] = expected[19] = 11.0
    expected[20] = 30.0 - 5.5 - 22.0  # the remaining 2.5 kWh in the 20:00 slot
    np.testing.assert_allclose(power, expected)
    assert unserved == 0.0


def test_offpeak_first_uses_only_offpeak_slots_when_they_suffice() -> None:
    power, unserved = profile("18:00", "06:00", 24.0, 11.0, "offpeak_first")
    expected = np.zeros(24)
    expected[hours((22, 24), (0, 6))] = 3.0  # 24 kWh over the 8 off-peak hours of the window
    np.testing.assert_allclose(power, expected)
    assert unserved == 0.0


def test_offpeak_first_spreads_the_remainder_over_the_other_slots() -> None:
    power, unserved = profile("18:00", "06:00", 100.0, 11.0, "offpeak_first")
    expected = np.zeros(24)
    expected[hours((22, 24), (0, 6))] = 11.0  # 88 kWh at full power off-peak
    expected[hours((18, 22))] = 3.0  # the other 12 kWh over the 4 peak hours
    np.testing.assert_allclose(power, expected)
    assert unserved == 0.0


def test_offpeak_first_without_offpeak_overlap_spreads() -> None:
    power, _ = profile("09:00", "13:00", 8.0, 11.0, "offpeak_first")
    spread, _ = profile("09:00", "13:00", 8.0, 11.0, "spread")
    np.testing.assert_allclose(power, spread)
    assert power[hours((9, 13))].tolist() == [2.0] * 4


def test_energy_beyond_the_window_at_full_power_is_unserved() -> None:
    for strategy in ("immediate", "spread", "offpeak_first"):
        power, unserved = profile("18:00", "06:00", 200.0, 11.0, strategy)
        assert unserved == pytest.approx(200.0 - 12 * 11.0), strategy
        assert power.max() == pytest.approx(11.0), strategy


def test_quarter_hour_slots_count_partial_coverage() -> None:
    power, unserved = profile("08:10", "08:50", 2.0, 11.0, "spread", slot_minutes=15)
    # 2 kWh over 40 minutes = 3 kW; the 08:00 and 08:45 slots are covered 5 of 15 minutes.
    assert power[32] == pytest.approx(1.0)
    assert power[33] == pytest.approx(3.0)
    assert power[34] == pytest.approx(3.0)
    assert power[35] == pytest.approx(1.0)
    assert power.sum() * 0.25 == pytest.approx(2.0)
    assert unserved == 0.0


def test_quarter_hour_window_around_midnight() -> None:
    power, unserved = profile("23:45", "00:15", 10.0, 20.0, "immediate", slot_minutes=15)
    assert power[95] == pytest.approx(20.0)  # 23:45–24:00: 5 kWh
    assert power[0] == pytest.approx(20.0)  # 00:00–00:15: 5 kWh
    assert np.count_nonzero(power) == 2
    assert unserved == pytest.approx(0.0)


def test_equal_start_and_end_means_plugged_in_all_day() -> None:
    power, unserved = profile("09:00", "09:00", 24.0, 11.0, "spread")
    np.testing.assert_allclose(power, np.ones(24))
    immediate, _ = profile("09:00", "09:00", 24.0, 11.0, "immediate")
    assert immediate[9] == immediate[10] == 11.0
    assert immediate[11] == pytest.approx(2.0)
    assert unserved == 0.0


def test_half_hour_slots_and_offpeak_shares() -> None:
    assert slot_starts(30)[:3] == ["00:00", "00:30", "01:00"]
    share = offpeak_share_per_slot(60, "22:30", "06:00")
    assert share[22] == 0.5
    assert share[23] == share[0] == share[5] == 1.0
    assert share[6] == share[12] == 0.0
    assert offpeak_share_per_slot(60, "00:00", "00:00").tolist() == [1.0] * 24


def test_window_bounds_wrap_and_whole_day() -> None:
    start, end = window_bounds(["22:00", "06:00", "00:00"], ["06:00", "22:00", "00:00"])
    assert start.tolist() == [1320.0, 360.0, 0.0]
    assert end.tolist() == [1800.0, 1320.0, 1440.0]


def test_unknown_strategy_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown charging strategy"):
        profile("18:00", "06:00", 10.0, 11.0, "greedy")


times = st.builds(lambda m: f"{m // 60:02d}:{m % 60:02d}", st.integers(0, 1439))


@settings(max_examples=300, deadline=None)
@given(
    start=times,
    end=times,
    energy=st.floats(0, 800),
    max_kw=st.floats(1, 150),
    strategy=st.sampled_from(["immediate", "spread", "offpeak_first"]),
    slot_minutes=st.sampled_from([15, 30, 60]),
    offpeak=st.tuples(times, times),
)
def test_energy_is_conserved_and_power_respects_window_and_maximum(
    start: str,
    end: str,
    energy: float,
    max_kw: float,
    strategy: str,
    slot_minutes: int,
    offpeak: tuple[str, str],
) -> None:
    power, unserved = profile(start, end, energy, max_kw, strategy, slot_minutes, offpeak)
    slot_hours = slot_minutes / 60
    delivered = power.sum() * slot_hours
    assert delivered + unserved == pytest.approx(energy, rel=1e-9, abs=1e-9)
    assert (power >= 0).all()
    assert (power <= max_kw * (1 + 1e-9)).all()
    a, b = (float(x[0]) for x in window_bounds([start], [end]))
    window_hours = (b - a) / 60
    assert unserved == pytest.approx(max(0.0, energy - max_kw * window_hours), abs=1e-6)
    covered = np.zeros(len(power), dtype=bool)
    for minute in range(int(a), int(b)):
        covered[(minute % 1440) // slot_minutes] = True
    assert (power[~covered] == 0).all()
