"""Synthetic vehicle groups (the rows of ``needs.csv``), drawn per depot and sector."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from planner.generate import catalogue as cat
from planner.generate.places import FloatArray, IntArray, choose_rows, make_ids, weighted_choice
from planner.intake.needs_schema import NEEDS_COLUMNS
from planner.scenario import ProjectionSettings

#: Share of the groups that state their own consumption, and their own daily energy.
OWN_KWH_PER_KM_SHARE = 0.10
OWN_ENERGY_SHARE = 0.05
#: Parcel companies run the largest van fleets.
PARCEL_FLEET_FACTOR = 2.0
#: Spread of the group sizes around the median (log scale).
VEHICLES_SIGMA = 0.7

StrArray = npt.NDArray[np.str_]


def make_needs(rng: np.random.Generator, depots: pd.DataFrame, n_needs: int) -> pd.DataFrame:
    """Return ``needs.csv``: ``n_needs`` vehicle groups spread over the depots.

    Every depot gets at least one group; larger sectors (parcel, retail, waste) get more.
    """
    depot = _depot_of_each_group(rng, depots["sector_index"].to_numpy(), n_needs)
    sector = depots["sector_index"].to_numpy()[depot]
    category = choose_rows(rng, cat.CATEGORY_MIX, sector)
    exemption = _exemptions(rng, sector, category)
    fuel = np.where(exemption != "", 0, choose_rows(rng, cat.FUEL_MIX, category))
    norm, year = _norms_and_years(rng, category, fuel)
    daily_km = _daily_km(rng, category)
    start, end = _dwell_windows(rng, sector)
    kwh_per_km, energy = _own_consumption(rng, category, daily_km, exemption)
    needs = pd.DataFrame(
        {
            "need_id": make_ids("SYN-NEED", n_needs),
            "vehicle_category": np.array(cat.CATEGORIES)[category],
            "vehicles": _vehicles(rng, sector, category),
            "first_registration_year": year,
            "fuel": np.array(cat.FUELS)[fuel],
            "euro_norm": norm,
            "daily_km": daily_km,
            "kwh_per_km": kwh_per_km,
            "working_days_per_week": np.array(cat.WORKING_DAYS)[
                choose_rows(rng, cat.WORKING_DAYS_MIX, sector)
            ],
            "dwell_start": start,
            "dwell_end": end,
            "exemption": exemption,
            "energy_kwh_per_day": energy,
        }
    )
    from_depot = depots.iloc[depot].reset_index(drop=True)
    for column in [c for c in NEEDS_COLUMNS if c not in needs.columns]:
        needs[column] = from_depot[column].to_numpy()
    return needs[list(NEEDS_COLUMNS)]


def _depot_of_each_group(rng: np.random.Generator, sector: IntArray, n_needs: int) -> IntArray:
    extra = weighted_choice(rng, cat.GROUP_WEIGHTS[sector], n_needs - len(sector))
    return np.sort(np.concatenate([np.arange(len(sector)), extra])).astype(np.int64)


def _exemptions(rng: np.random.Generator, sector: IntArray, category: IntArray) -> StrArray:
    exemption = np.full(len(sector), "", dtype=object)
    names = np.array(cat.SECTORS)[sector]
    categories = np.array(cat.CATEGORIES)[category]
    for rule in cat.EXEMPTION_RULES:
        draw = rng.random(len(sector)) < rule.probability
        applies = (names == rule.sector) & np.isin(categories, list(rule.categories))
        exemption[applies & draw] = rule.code.value
    return exemption.astype(str)


def _norms_and_years(
    rng: np.random.Generator, category: IntArray, fuel: IntArray
) -> tuple[StrArray, IntArray]:
    """Emission norm and year of first registration, consistent with each other."""
    fuels = np.array(cat.FUELS)[fuel]
    zero_emission = np.isin(fuels, ["electric", "hydrogen"])
    old = (fuels == "diesel") & (rng.random(len(fuel)) < cat.OLD_NORM_SHARE)
    norm = np.where(old, np.array(cat.OLD_NORM)[category], np.array(cat.NEW_NORM)[category])
    norm = np.where(zero_emission, "", norm)
    year = np.select(
        [zero_emission, old],
        [
            _years(rng, cat.YEARS_ZERO_EMISSION, len(fuel)),
            _years(rng, cat.YEARS_OLD_NORM, len(fuel)),
        ],
        _years(rng, cat.YEARS_NEW_NORM, len(fuel)),
    )
    return norm.astype(str), year.astype(np.int64)


def _years(rng: np.random.Generator, span: tuple[int, int], size: int) -> IntArray:
    return rng.integers(span[0], span[1] + 1, size=size)


def _vehicles(rng: np.random.Generator, sector: IntArray, category: IntArray) -> IntArray:
    factor = np.where(np.array(cat.SECTORS)[sector] == "parcel", PARCEL_FLEET_FACTOR, 1.0)
    median = cat.VEHICLES_MEDIAN[category] * factor
    drawn = np.rint(median * np.exp(rng.normal(0.0, VEHICLES_SIGMA, len(sector))))
    vehicles: IntArray = np.clip(drawn, 1, cat.VEHICLES_MAX[category]).astype(np.int64)
    return vehicles


def _daily_km(rng: np.random.Generator, category: IntArray) -> IntArray:
    """Kilometres per vehicle per working day, whole multiples of 5."""
    low, high = cat.DAILY_KM_RANGE[category, 0], cat.DAILY_KM_RANGE[category, 1]
    km: IntArray = (np.round(rng.uniform(low, high) / 5.0) * 5.0).astype(np.int64)
    return km


def _dwell_windows(rng: np.random.Generator, sector: IntArray) -> tuple[StrArray, StrArray]:
    """Dwell start and end as ``HH:MM``: overnight, during the day, or all day (equal times)."""
    kind = np.array(cat.DWELL_KINDS)[choose_rows(rng, cat.DWELL_MIX, sector)]
    early = np.array(cat.SECTORS)[sector] == cat.EARLY_SHIFT_SECTOR
    steps = rng.integers(0, 7, size=(2, len(sector)))  # half hours of jitter
    start = np.where(early, 14 * 60 + 30 + 30 * (steps[0] % 4), 17 * 60 + 30 * steps[0])
    end = np.where(early, 5 * 60 + 30 * (steps[1] % 3), 5 * 60 + 30 + 30 * (steps[1] % 5))
    start = np.where(kind == "daytime", 9 * 60 + 30 * (steps[0] % 3), start)
    end = np.where(kind == "daytime", 15 * 60 + 30 + 30 * (steps[1] % 3), end)
    start = np.where(kind == "all_day", 0, start)
    end = np.where(kind == "all_day", 0, end)
    return _hhmm(start), _hhmm(end)


def _hhmm(minutes: IntArray) -> StrArray:
    labels = np.array([f"{m // 60:02d}:{m % 60:02d}" for m in range(0, 24 * 60, 30)])
    return labels[minutes // 30]


def _own_consumption(
    rng: np.random.Generator, category: IntArray, daily_km: IntArray, exemption: StrArray
) -> tuple[FloatArray, FloatArray]:
    """Stated kWh per km and stated daily energy per vehicle for a few groups; NaN elsewhere."""
    defaults = ProjectionSettings().kwh_per_km
    default = np.array([defaults[c] for c in cat.CATEGORIES])[category]
    draw = rng.random(len(category))
    own_rate = draw < OWN_KWH_PER_KM_SHARE
    own_energy = (draw >= 1.0 - OWN_ENERGY_SHARE) & (exemption == "")
    rate = np.round(default * rng.uniform(0.85, 1.15, len(category)), 2)
    energy = np.round(daily_km * default * rng.uniform(1.0, 1.2, len(category)), 1)
    return np.where(own_rate, rate, np.nan), np.where(own_energy, energy, np.nan)
