"""When each site is open to charging, as a share of every time slot of the day.

The day is cut into slots of ``slot_minutes`` (a divisor of 1440); slot ``s`` covers minutes
``[s × slot_minutes, (s + 1) × slot_minutes)``, the same slots as the demand projection.  A site
open ``available_from``–``available_to`` is available in a slot for the share of the slot the
window covers: a De Lijn depot open 07:30–19:00 has half of the 07:00 hourly slot.  Equal times
mean all day; a window whose end is earlier than its start wraps midnight (22:00–06:00).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
import xarray as xr

from charging_sites.errors import ChargingSitesError
from validation.timeofday import MINUTES_PER_DAY, parse_hhmm

FloatArray = npt.NDArray[np.float64]


def site_availability(sites: pd.DataFrame, slot_minutes: int) -> xr.DataArray:
    """Return the share (0–1) of each slot during which each site is available.

    Parameters
    ----------
    sites
        Sites with ``site_id`` and either ``available_from_min``/``available_to_min``
        (minutes after midnight, as :func:`charging_sites.read_sites` gives them) or
        ``available_from``/``available_to`` (``HH:MM``).
    slot_minutes
        Slot length in minutes; must divide 1440 (15, 30 and 60 are usual).

    Returns
    -------
    xarray.DataArray
        ``available_share`` with dimensions ``(site, slot)``; coordinates ``site`` (site ids),
        ``slot`` (0, 1, …), ``slot_start`` (``HH:MM``) and, when given, ``tier`` per site.

    Raises
    ------
    ChargingSitesError
        When ``slot_minutes`` does not divide the day or a time cannot be read.

    Examples
    --------
    >>> sites = pd.DataFrame(
    ...     {"site_id": ["depot"], "available_from": ["07:30"], "available_to": ["18:00"]}
    ... )
    >>> site_availability(sites, 360).values.tolist()
    [[0.0, 0.75, 1.0, 0.0]]
    """
    check_slot_minutes(slot_minutes)
    start_min, end_min = window_minutes(sites)
    share = window_share_per_slot(start_min, end_min, slot_minutes)
    coords: dict[str, tuple[str, npt.ArrayLike]] = {
        "site": ("site", sites["site_id"].astype(str).to_numpy()),
        "slot": ("slot", np.arange(share.shape[1], dtype=np.int64)),
        "slot_start": ("slot", np.array(_slot_starts(slot_minutes), dtype=str)),
    }
    if "tier" in sites.columns:
        coords["tier"] = ("site", sites["tier"].astype(str).to_numpy())
    return xr.DataArray(
        share,
        dims=("site", "slot"),
        coords=coords,
        name="available_share",
        attrs={"units": "1", "slot_minutes": slot_minutes, "long_name": "share of the slot open"},
    )


def check_slot_minutes(slot_minutes: int) -> None:
    """Refuse a slot length that does not cut the day into whole slots.

    Raises
    ------
    ChargingSitesError
        When ``slot_minutes`` is not a positive divisor of 1440.
    """
    if (
        isinstance(slot_minutes, bool)
        or not isinstance(slot_minutes, int | np.integer)
        or slot_minutes <= 0
        or MINUTES_PER_DAY % slot_minutes
    ):
        raise ChargingSitesError(
            f"slot_minutes {slot_minutes!r} does not cut the day into whole slots; valid: a "
            "divisor of 1440 minutes such as 15, 30 or 60"
        )


def window_minutes(sites: pd.DataFrame) -> tuple[FloatArray, FloatArray]:
    """Start and end of every site's window in minutes, the end after the start.

    An all-day window is ``(0, 1440)``; a window wrapping midnight ends after 1440.
    """
    if {"available_from_min", "available_to_min"} <= set(sites.columns):
        start = sites["available_from_min"].to_numpy(dtype=np.float64) % MINUTES_PER_DAY
        end = sites["available_to_min"].to_numpy(dtype=np.float64) % MINUTES_PER_DAY
    else:
        start = _parse_times(sites["available_from"]) % MINUTES_PER_DAY
        end = _parse_times(sites["available_to"]) % MINUTES_PER_DAY
    all_day = start == end
    start = np.where(all_day, 0.0, start)
    end = np.where(
        all_day, float(MINUTES_PER_DAY), np.where(end < start, end + MINUTES_PER_DAY, end)
    )
    return start, end


def _parse_times(values: pd.Series) -> FloatArray:
    try:
        return np.array([parse_hhmm(str(text)) for text in values], dtype=np.float64)
    except ValueError as error:
        raise ChargingSitesError(f"site availability: {error}") from None


def window_share_per_slot(
    start_min: FloatArray, end_min: FloatArray, slot_minutes: int
) -> FloatArray:
    """Share of each slot covered by windows ``[start, end)``, ``end`` up to 2 × 1440.

    Returns
    -------
    numpy.ndarray
        Shape (windows, slots), values 0–1.

    Examples
    --------
    >>> window_share_per_slot(np.array([1320.0]), np.array([1800.0]), 360).tolist()
    [[1.0, 0.0, 0.0, 0.3333333333333333]]
    """
    slot_start = np.arange(0, MINUTES_PER_DAY, slot_minutes, dtype=np.float64)[None, :]
    slot_end = slot_start + slot_minutes
    covered = np.zeros((len(start_min), slot_start.shape[1]))
    for shift in (0.0, float(MINUTES_PER_DAY)):  # the part before and after midnight
        first = np.maximum(start_min[:, None] - shift, slot_start)
        last = np.minimum(end_min[:, None] - shift, slot_end)
        covered += np.clip(last - first, 0.0, None)
    share: FloatArray = covered / slot_minutes
    return share


def _slot_starts(slot_minutes: int) -> list[str]:
    return [f"{m // 60:02d}:{m % 60:02d}" for m in range(0, MINUTES_PER_DAY, slot_minutes)]
