"""Fleet renewal: how many vehicles of each need are zero-emission (ZE) in each projected year.

The ZES access rules themselves live in :mod:`planner.rules.access`; this module only decides *when*
they bite for a need, under these assumptions (each covered by a test):

* **One registration date per need.** All vehicles of a need row are first registered (DEI) on
  1 July of ``first_registration_year`` (mid-year; the access rules only compare against
  1 January dates, so the day within the year changes no access answer).
* **Renewal cycle.** Vehicles are replaced at the scenario's replacement age ``A`` of their
  category and every ``A`` years after: on DEI + k·A years, k = 1, 2, … The cycle keeps its phase:
  a replacement that fell due before the first projected year is taken as not having happened
  (the reported vehicles are what drives in that year), and the next one is due k·A years after
  the DEI. A non-integer ``A`` is allowed (DEI + 7.5 years = 1 January).
* **When the rules apply.** A need falls under the rules in a year when any city in its
  ``zes_cities`` has a ZES start year (zones table) at or before that year. A city not in the
  zones table has no ZES; a need without ZES cities is never required to be ZE. The depot's own
  municipality counts only when it is listed in ``zes_cities``.
* **Replacements.** A replacement in a year when the rules apply, on or after the category's
  new-vehicles-ZE date (:func:`planner.rules.access.new_vehicles_ze_from`), is a battery-electric
  vehicle. A replacement in any other year (before that date, or before the need's ZES starts)
  is a combustion vehicle of the same fuel meeting the newest norm (Euro 6/VI, tractors
  Stage V) with the replacement date as its DEI; if that vehicle was registered on or after the
  new-vehicles-ZE date it has no access once the ZES starts and is then replaced (next rule).
  We chose this over anticipating a ZES that has not started yet: demand appears in the year the
  rules bite, never earlier, which is the conservative reading for a grid-capacity plan.
* **Forced replacement.** In a year when the rules apply, a vehicle that has neither free access
  nor a paid permit on 1 January (:func:`planner.rules.access.zero_emission_required`: norm too old,
  registered non-ZE after the new-vehicles date, or the whole-fleet date reached) is replaced by
  a battery-electric vehicle that year. Holders of a paid permit (diesel Euro 5/V, petrol
  Euro 2/II, Stage IIIb) are assumed to buy it and keep their vehicle until the permit ends.
* **Once ZE, always ZE.**
* **Exempt vehicles** (an ``exemption`` code) never become ZE, not even voluntarily.
* **Already zero-emission fuels.** Electric vehicles are battery-electric in every year;
  hydrogen vehicles are ZE but draw no charging energy (``bev_vehicles`` 0) and are assumed to
  be renewed by hydrogen vehicles.
* **Voluntary uptake.** In year Y a share S(Y) of the vehicles the rules do not (yet) require to
  be ZE is battery-electric anyway, with S(Y) the highest
  :meth:`~planner.scenario.ProjectionSettings.uptake_share` of the years up to Y (so a ZE vehicle
  stays ZE even if the listed shares fall). Fractional vehicles are kept as floats.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

import numpy as np
import pandas as pd

from planner.domain import Fuel, VehicleCategory
from planner.rules.access import new_vehicles_ze_from, parse_norm, zero_emission_required
from planner.rules.zones import zes_start_for
from planner.scenario import ProjectionSettings

#: Norm of a combustion vehicle bought as a replacement (the newest norm of each scale).
REPLACEMENT_NORM = {
    category.value: "V" if category is VehicleCategory.T else "6" for category in VehicleCategory
}
#: Day of the year assumed for a first registration given only as a year.
REGISTRATION_MONTH_DAY = (7, 1)


@dataclass(frozen=True)
class FleetProjection:
    """Zero-emission vehicles per need (rows, in needs order) and projected year (columns).

    Attributes
    ----------
    years
        The projected years.
    required
        Whether the rules require the need's vehicles to be ZE in the year (bool).
    ze_vehicles
        Zero-emission vehicles (battery-electric and hydrogen).
    bev_vehicles
        Battery-electric vehicles: the ones that draw charging energy.
    zes_start_year
        Earliest ZES start among the need's cities; NaN when none has a ZES.
    """

    years: list[int]
    required: np.ndarray
    ze_vehicles: np.ndarray
    bev_vehicles: np.ndarray
    zes_start_year: np.ndarray


def project_fleet(
    needs: pd.DataFrame, zones: pd.Series, settings: ProjectionSettings
) -> FleetProjection:
    """Project the zero-emission vehicles of every need over the scenario's years.

    Parameters
    ----------
    needs
        The validated needs table (:func:`planner.intake.needs.load_needs`).
    zones
        ``zes_start_year`` indexed by ``nis_code`` (:func:`planner.rules.zones.load_zones`).
    settings
        The scenario's projection settings.
    """
    years = settings.years
    starts = zes_start_years(needs["zes_cities"], zones)
    required = _required_matrix(needs, starts, settings)
    vehicles = needs["vehicles"].to_numpy(dtype=float)[:, None]
    fuel = needs["fuel"].astype(str).to_numpy()
    exempt = (needs["exemption"].astype(str).to_numpy() != "")[:, None]
    uptake = np.array(voluntary_share(settings, years))[None, :]
    combustion_ze = np.where(exempt, 0.0, np.where(required, 1.0, uptake))
    ze_fuel = np.isin(fuel, [Fuel.ELECTRIC.value, Fuel.HYDROGEN.value])[:, None]
    ze = vehicles * np.where(ze_fuel, 1.0, combustion_ze)
    bev = np.where((fuel == Fuel.HYDROGEN.value)[:, None], 0.0, ze)
    return FleetProjection(years, required & ~ze_fuel, ze, bev, starts)


def zes_start_years(zes_cities: pd.Series, zones: pd.Series) -> np.ndarray:
    """Return the earliest ZES start year of each need's cities (NaN when none has a ZES).

    Parameters
    ----------
    zes_cities
        The needs' ``;``-joined NIS codes.
    zones
        ``zes_start_year`` indexed by ``nis_code``.
    """
    texts = zes_cities.astype(str)
    starts: dict[str, float] = {}
    for text in texts.unique():
        start = zes_start_for(_split(text), zones)
        starts[text] = np.nan if start is None else float(start)
    return texts.map(starts).to_numpy(dtype=float)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def voluntary_share(settings: ProjectionSettings, years: list[int]) -> list[float]:
    """Return the voluntary ZE share per year: the highest listed uptake share up to it.

    Examples
    --------
    >>> settings = ProjectionSettings(voluntary_uptake={2028: 0.1, 2030: 0.05, 2031: 0.2})
    >>> voluntary_share(settings, [2027, 2028, 2030, 2031])
    [0.0, 0.1, 0.1, 0.2]
    """
    highest = 0.0
    shares = []
    for year in years:
        highest = max(highest, settings.uptake_share(year))
        shares.append(highest)
    return shares


def _required_matrix(
    needs: pd.DataFrame, starts: np.ndarray, settings: ProjectionSettings
) -> np.ndarray:
    """Whether the rules require ZE, per need and year, computed once per distinct vehicle group."""
    keys = pd.DataFrame(
        {
            "category": needs["vehicle_category"].astype(str).to_numpy(),
            "first_year": needs["first_registration_year"].astype(int).to_numpy(),
            "fuel": needs["fuel"].astype(str).to_numpy(),
            "norm": needs["norm_level"].astype(int).to_numpy(),
            "exempt": needs["exemption"].astype(str).to_numpy() != "",
            "start": np.nan_to_num(starts, nan=-1).astype(int),
        }
    )
    group = keys.groupby(list(keys.columns), sort=False).ngroup().to_numpy()
    firsts = keys.drop_duplicates().reset_index(drop=True)
    table = np.array(
        [
            _required_years(VehicleGroup(*row), settings.years, settings)
            for row in firsts.itertuples(index=False, name=None)
        ],
        dtype=bool,
    ).reshape(len(firsts), len(settings.years))
    return table[group]


@dataclass(frozen=True)
class VehicleGroup:
    """What decides when a need's vehicles must become ZE.

    Attributes
    ----------
    category, first_year, fuel, norm
        Vehicle category, year of first registration, fuel and norm level
        (:func:`planner.rules.access.parse_norm`).
    exempt
        Whether the vehicles carry an exemption code.
    zes_start
        Earliest ZES start year among the need's cities; negative when none.
    """

    category: str
    first_year: int
    fuel: str
    norm: int
    exempt: bool
    zes_start: int


def _required_years(
    group: VehicleGroup, years: list[int], settings: ProjectionSettings
) -> list[bool]:
    """Walk the projected years of one vehicle group; True once the rules make it ZE."""
    if group.exempt or group.zes_start < 0 or group.fuel in (Fuel.ELECTRIC, Fuel.HYDROGEN):
        return [False] * len(years)
    age_years = float(settings.replacement_age_years[group.category])
    registered = date(group.first_year, *REGISTRATION_MONTH_DAY)
    renewals = replacement_dates(registered, age_years, years[0], years[-1])
    new_ze_from = new_vehicles_ze_from(group.category)
    vehicle = (registered, group.norm)
    flags: list[bool] = []
    for year in years:
        applies = group.zes_start <= year
        ze = bool(flags and flags[-1]) or (applies and _no_access(group, vehicle, year))
        for renewal in (d for d in renewals if d.year == year):
            if ze:
                break
            if applies and renewal >= new_ze_from:
                ze = True
            else:
                vehicle = (renewal, max(group.norm, _replacement_norm(group.category)))
        flags.append(ze)
    return flags


def _no_access(group: VehicleGroup, vehicle: tuple[date, int], year: int) -> bool:
    registered, norm = vehicle
    return _zero_emission_required(group.category, registered, group.fuel, norm, year)


@cache
def _zero_emission_required(
    category: str, registered: date, fuel: str, norm: int, year: int
) -> bool:
    return zero_emission_required(category, registered, fuel, norm, date(year, 1, 1))


@cache
def _replacement_norm(category: str) -> int:
    return parse_norm(category, REPLACEMENT_NORM[category])


def replacement_dates(
    registered: date, age_years: float, first_year: int, last_year: int
) -> list[date]:
    """Return the replacement dates DEI + k·age (k ≥ 1) in ``first_year``..``last_year``.

    The age is rounded to whole months (7.5 years = 90 months).

    Parameters
    ----------
    registered
        Date of first registration (a first day of a month).
    age_years
        Replacement age (years, > 0).
    first_year, last_year
        The projected years; earlier or later replacements are left out.

    Examples
    --------
    >>> replacement_dates(date(2016, 7, 1), 8, 2027, 2035)
    [datetime.date(2032, 7, 1)]
    >>> replacement_dates(date(2024, 7, 1), 2.5, 2027, 2030)
    [datetime.date(2027, 1, 1), datetime.date(2029, 7, 1)]
    """
    step_months = max(1, round(age_years * 12))
    start_month = registered.year * 12 + registered.month - 1
    dates = []
    month = start_month + step_months
    while month // 12 <= last_year:
        if month // 12 >= first_year:
            dates.append(date(month // 12, month % 12 + 1, registered.day))
        month += step_months
    return dates
