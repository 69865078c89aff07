"""Daily charging profiles: the power one vehicle draws in each time slot of a working day.

The day is cut into slots of ``slot_minutes`` (15, 30 or 60); slot ``s`` covers minutes
``[s·len, (s+1)·len)`` after midnight. A vehicle is plugged in during its dwell window
(``dwell_start`` to ``dwell_end``, HH:MM; the window wraps midnight when the end is not after the
start, and equal times mean all day). Charging happens only within the window, at most at the
category's ``max_charge_kw``; a slot the window covers only partly offers only that part of it
(plugged in 17:30–07:00 gives half of the 17:00 slot). The power in a slot is its average
over the slot, so ``Σ power_kw × slot_hours`` is the energy delivered.

Strategies (:class:`planner.domain.ChargingStrategy`):

* ``immediate``: full power from the moment of plug-in until the energy is delivered;
* ``spread``: one constant power over the whole window (capped at the maximum);
* ``offpeak_first``: the part of the window in the off-peak window is filled first, evenly, up
  to the maximum power; what remains is spread evenly over the rest of the window (capped).

Energy that does not fit the window at maximum power is returned as ``unserved_kwh`` instead of
being dropped, so ``Σ power_kw × slot_hours + unserved_kwh = energy_kwh`` holds for every vehicle.
Everything is vectorised over vehicles (numpy arrays, one row per need).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from planner.domain import ChargingStrategy
from validation.timeofday import MINUTES_PER_DAY, parse_hhmm

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class VehicleProfiles:
    """Per-vehicle daily charging profiles of a set of needs.

    Attributes
    ----------
    power_kw
        Average power per slot, shape (needs, slots), kW.
    unserved_kwh
        Energy that does not fit the dwell window at maximum power, shape (needs,), kWh.
    """

    power_kw: FloatArray
    unserved_kwh: FloatArray


def slot_starts(slot_minutes: int) -> list[str]:
    """Return the start time (HH:MM) of every slot of the day.

    Examples
    --------
    >>> slot_starts(360)
    ['00:00', '06:00', '12:00', '18:00']
    """
    return [f"{m // 60:02d}:{m % 60:02d}" for m in range(0, MINUTES_PER_DAY, slot_minutes)]


def window_bounds(start: Sequence[str], end: Sequence[str]) -> tuple[FloatArray, FloatArray]:
    """Return windows as minute intervals ``[a, b)``, ``0 <= a < 1440``, ``a < b <= a + 1440``.

    A window whose end is not after its start wraps midnight; equal times mean the whole day.

    Examples
    --------
    >>> window_bounds(["17:30", "08:00", "06:00"], ["07:00", "12:00", "06:00"])
    (array([1050.,  480.,  360.]), array([1860.,  720., 1800.]))
    """
    a = np.array([parse_hhmm(t) % MINUTES_PER_DAY for t in start], dtype=float)
    b = np.array([parse_hhmm(t) % MINUTES_PER_DAY for t in end], dtype=float)
    return a, np.where(b <= a, b + MINUTES_PER_DAY, b)


def offpeak_intervals(start: str, end: str) -> list[tuple[float, float]]:
    """Return the off-peak window as minute intervals on a two-day timeline ``[0, 2880)``.

    Equal start and end mean the whole day is off-peak.

    Examples
    --------
    >>> offpeak_intervals("22:00", "07:00")
    [(0.0, 420.0), (1320.0, 1860.0), (2760.0, 2880.0)]
    >>> offpeak_intervals("01:00", "05:00")
    [(60.0, 300.0), (1500.0, 1740.0)]
    """
    a, b = (float(parse_hhmm(t) % MINUTES_PER_DAY) for t in (start, end))
    day = float(MINUTES_PER_DAY)
    if a == b:
        return [(0.0, 2 * day)]
    if b < a:
        return [(0.0, b), (a, b + day), (a + day, 2 * day)]
    return [(a, b), (a + day, b + day)]


def offpeak_share_per_slot(slot_minutes: int, start: str, end: str) -> FloatArray:
    """Return the share (0–1) of each slot of the day that lies in the off-peak window.

    Examples
    --------
    >>> offpeak_share_per_slot(360, "22:00", "07:00")
    array([1.        , 0.16666667, 0.        , 0.33333333])
    """
    n_slots = MINUTES_PER_DAY // slot_minutes
    full_day = np.array([0.0]), np.array([float(MINUTES_PER_DAY)])
    minutes = _offpeak_minutes(*full_day, slot_minutes, offpeak_intervals(start, end))
    share: FloatArray = _fold(minutes, n_slots)[0] / slot_minutes
    return share


def make_vehicle_profiles(
    dwell_start: Sequence[str],
    dwell_end: Sequence[str],
    energy_kwh: npt.ArrayLike,
    max_kw: npt.ArrayLike,
    strategy: str,
    slot_minutes: int,
    offpeak: tuple[str, str] = ("22:00", "07:00"),
) -> VehicleProfiles:
    """Compute the daily charging profile of one vehicle of each need.

    Parameters
    ----------
    dwell_start, dwell_end
        Dwell window per need (HH:MM).
    energy_kwh
        Energy drawn from the charger per vehicle and working day, kWh.
    max_kw
        Highest charging power of one vehicle, kW.
    strategy
        A :class:`planner.domain.ChargingStrategy` value.
    slot_minutes
        Slot length: a divisor of 1440 (15, 30 or 60 in scenarios).
    offpeak
        Off-peak window (start, end), HH:MM; used by ``offpeak_first``.
    """
    a, b = window_bounds(dwell_start, dwell_end)
    window_minutes = _overlap_minutes(a, b, slot_minutes)
    energy = np.asarray(energy_kwh, dtype=np.float64)
    power = np.asarray(max_kw, dtype=np.float64)
    if strategy == ChargingStrategy.IMMEDIATE:
        delivered = _immediate(window_minutes, energy, power)
    elif strategy == ChargingStrategy.SPREAD:
        delivered = _spread(window_minutes, energy, power)
    elif strategy == ChargingStrategy.OFFPEAK_FIRST:
        offpeak_minutes = _offpeak_minutes(a, b, slot_minutes, offpeak_intervals(*offpeak))
        delivered = _offpeak_first(window_minutes, offpeak_minutes, energy, power)
    else:
        raise ValueError(f"unknown charging strategy {strategy!r}")
    n_slots = MINUTES_PER_DAY // slot_minutes
    delivered_kwh = _fold(delivered, n_slots)
    unserved = np.clip(energy - delivered_kwh.sum(axis=1), 0.0, None)
    return VehicleProfiles(delivered_kwh / (slot_minutes / 60), unserved)


def _timeline(slot_minutes: int) -> tuple[FloatArray, FloatArray]:
    """Start and end minute of every slot of a two-day timeline."""
    starts = np.arange(0, 2 * MINUTES_PER_DAY, slot_minutes, dtype=float)
    return starts, starts + slot_minutes


def _overlap_minutes(a: FloatArray, b: FloatArray, slot_minutes: int) -> FloatArray:
    """Minutes of each window ``[a, b)`` in each slot of the two-day timeline, (needs, 2·slots)."""
    starts, ends = _timeline(slot_minutes)
    overlap = np.minimum(b[:, None], ends[None, :]) - np.maximum(a[:, None], starts[None, :])
    minutes: FloatArray = np.clip(overlap, 0.0, None)
    return minutes


def _offpeak_minutes(
    a: FloatArray, b: FloatArray, slot_minutes: int, intervals: list[tuple[float, float]]
) -> FloatArray:
    """Minutes of each window that are off-peak, per slot of the two-day timeline."""
    total = np.zeros((len(a), 2 * MINUTES_PER_DAY // slot_minutes))
    for low, high in intervals:
        total += _overlap_minutes(np.maximum(a, low), np.minimum(b, high), slot_minutes)
    return total


def _fold(two_days: FloatArray, n_slots: int) -> FloatArray:
    """Add the second day of a two-day timeline onto the first."""
    return np.asarray(two_days[:, :n_slots] + two_days[:, n_slots:])


def _immediate(window_minutes: FloatArray, energy: FloatArray, power: FloatArray) -> FloatArray:
    """Energy per slot at full power from plug-in (timeline order = charging order)."""
    capacity = power[:, None] * window_minutes / 60
    before = np.cumsum(capacity, axis=1) - capacity
    return np.clip(energy[:, None] - before, 0.0, capacity)


def _spread(window_minutes: FloatArray, energy: FloatArray, power: FloatArray) -> FloatArray:
    """Energy per slot at one constant power over the window."""
    hours = window_minutes.sum(axis=1) / 60
    level = _level_kw(energy, hours, power)
    return level[:, None] * window_minutes / 60


def _offpeak_first(
    window_minutes: FloatArray, offpeak_minutes: FloatArray, energy: FloatArray, power: FloatArray
) -> FloatArray:
    """Energy per slot: off-peak part of the window first (evenly, capped), the rest spread."""
    peak_minutes = window_minutes - offpeak_minutes
    offpeak_hours = offpeak_minutes.sum(axis=1) / 60
    offpeak_kwh = np.minimum(energy, power * offpeak_hours)
    offpeak_kw = _level_kw(offpeak_kwh, offpeak_hours, power)
    peak_kw = _level_kw(energy - offpeak_kwh, peak_minutes.sum(axis=1) / 60, power)
    return (offpeak_kw[:, None] * offpeak_minutes + peak_kw[:, None] * peak_minutes) / 60


def _level_kw(energy: FloatArray, hours: FloatArray, power: FloatArray) -> FloatArray:
    """Constant power delivering ``energy`` over ``hours``, capped; 0 where there are no hours."""
    safe_hours = np.where(hours > 0, hours, 1.0)
    return np.where(hours > 0, np.minimum(power, energy / safe_hours), 0.0)
