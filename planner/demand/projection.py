"""The demand projection: zero-emission vehicles, energy and power per need, year and time slot.

From the validated needs table, the ZES start years per city and a scenario,
:func:`project_demand` builds an :class:`xarray.Dataset` with dimensions ``need``, ``year`` and
``slot``. The fleet model (which vehicles are zero-emission when) is in
:mod:`planner.rules.fleet`, the daily charging profile in :mod:`planner.demand.profiles`; each
documents its assumptions. Here:

* **Energy per working day** of one battery-electric vehicle is the need's
  ``energy_kwh_per_day`` when given (energy drawn from the charger), otherwise
  ``daily_km × kwh_per_km ÷ charging_efficiency``, with the scenario's ``kwh_per_km`` for the
  category when the need gives none. Hydrogen vehicles draw no charging energy.
* **Per-vehicle profile once per need.** The profile's shape does not depend on the year, so it
  is computed once per need and scaled by the battery-electric vehicles of each year: the
  vehicles of one need charge alike, each at most at ``max_charge_kw`` of the category.
* **Working days.** Energy and power are for a working day of the need; the need's
  ``working_days_per_week`` is kept as a coordinate for annual figures.
* **Slots.** ``slot_start`` (HH:MM) labels each slot; ``offpeak_share`` is the share of the
  slot in the scenario's off-peak window and ``is_offpeak`` is true when that share is at
  least one half.
* Energy that does not fit the dwell window at maximum power is ``unserved_kwh_per_day``, so
  ``Σ_slot power_kw × slot_hours + unserved_kwh_per_day = energy_kwh_per_day`` for every need
  and year.

:func:`write_demand` and :func:`read_demand` store the dataset as NetCDF (netCDF4 engine).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import xarray as xr

import geography
from planner.demand.profiles import (
    VehicleProfiles,
    make_vehicle_profiles,
    offpeak_share_per_slot,
    slot_starts,
)
from planner.rules.fleet import FleetProjection, project_fleet
from planner.scenario import ProjectionSettings, Scenario

#: Units (and meaning) of the dataset's variables, stored as their ``units`` attribute.
UNITS: dict[str, str] = {
    "vehicles_total": "vehicles",
    "ze_vehicles": "vehicles",
    "bev_vehicles": "vehicles",
    "energy_per_vehicle_kwh_per_day": "kWh per vehicle per working day",
    "energy_kwh_per_day": "kWh per working day",
    "unserved_kwh_per_day": "kWh per working day",
    "power_kw": "kW",
}

DESCRIPTIONS: dict[str, str] = {
    "vehicles_total": "vehicles of the need (the whole group, ZE or not)",
    "ze_vehicles": "zero-emission vehicles (battery-electric and hydrogen)",
    "bev_vehicles": "battery-electric vehicles: the ones that charge",
    "ze_required": "1 when the ZES rules require the need's vehicles to be zero-emission",
    "energy_per_vehicle_kwh_per_day": "energy drawn from the charger by one battery-electric "
    "vehicle per working day",
    "energy_kwh_per_day": "energy drawn from chargers per working day",
    "unserved_kwh_per_day": "energy that does not fit the dwell window at maximum power",
    "power_kw": "average charging power in the time slot",
}

#: Needs-table columns carried as coordinates on ``need`` (dataset name: needs column).
NEED_COORDINATES: dict[str, str] = {
    "organisation_id": "organisation_id",
    "depot_id": "depot_id",
    "sector": "sector",
    "category": "vehicle_category",
    "fuel": "fuel",
    "nis_code": "nis_code",
    "vervoerregio_code": "vervoerregio_code",
    "vervoerregio": "vervoerregio_name",
    "lat": "lat",
    "lon": "lon",
    "private_terrain": "private_terrain",
    "share_willing": "share_willing",
    "zes_cities": "zes_cities",
    "working_days_per_week": "working_days_per_week",
    "dwell_start": "dwell_start",
    "dwell_end": "dwell_end",
    "location_estimated": "location_estimated",
}


def project_demand(needs: pd.DataFrame, zones: pd.Series, scenario: Scenario) -> xr.Dataset:
    """Project zero-emission vehicles, daily energy and the slot power profile of every need.

    Parameters
    ----------
    needs
        The validated needs table (:func:`planner.intake.needs.load_needs`).
    zones
        ``zes_start_year`` indexed by ``nis_code`` (:func:`planner.rules.zones.load_zones`).
    scenario
        The scenario; its ``projection`` settings are used.

    Returns
    -------
    xarray.Dataset
        Dimensions ``need``, ``year``, ``slot``; see the module docstring and :data:`UNITS`.
    """
    settings = scenario.projection
    fleet = project_fleet(needs, zones, settings)
    energy = energy_per_vehicle_kwh(needs, settings)
    profiles = make_vehicle_profiles(
        needs["dwell_start"].astype(str).tolist(),
        needs["dwell_end"].astype(str).tolist(),
        energy,
        needs["vehicle_category"].map(settings.max_charge_kw).to_numpy(dtype=np.float64),
        settings.charging_strategy,
        settings.slot_minutes,
        (settings.offpeak_start, settings.offpeak_end),
    )
    data = _data_variables(needs, fleet, energy, profiles)
    coords = {**_need_coordinates(needs, fleet), **_slot_coordinates(settings)}
    coords["year"] = ("year", np.array(fleet.years, dtype=np.int64))
    dataset = xr.Dataset(data, coords=coords, attrs=_attributes(scenario))
    for name, units in UNITS.items():
        dataset[name].attrs["units"] = units
    for name, text in DESCRIPTIONS.items():
        dataset[name].attrs["description"] = text
    return dataset


def energy_per_vehicle_kwh(
    needs: pd.DataFrame, settings: ProjectionSettings
) -> npt.NDArray[np.float64]:
    """Energy drawn from the charger by one battery-electric vehicle per working day, kWh.

    ``energy_kwh_per_day`` when given, else ``daily_km × kwh_per_km ÷ charging_efficiency``
    (the scenario's ``kwh_per_km`` of the category where the need gives none).
    """
    default = needs["vehicle_category"].map(settings.kwh_per_km).astype(float)
    kwh_per_km = needs["kwh_per_km"].astype(float).fillna(default)
    from_km = needs["daily_km"].astype(float) * kwh_per_km / settings.charging_efficiency
    given = needs["energy_kwh_per_day"].astype(float)
    return np.asarray(given.where(given.notna(), from_km), dtype=np.float64)


def _data_variables(
    needs: pd.DataFrame, fleet: FleetProjection, energy: np.ndarray, profiles: VehicleProfiles
) -> dict[str, tuple[tuple[str, ...], np.ndarray]]:
    bev = fleet.bev_vehicles
    return {
        "vehicles_total": (("need",), needs["vehicles"].to_numpy(dtype=np.int64)),
        "ze_vehicles": (("need", "year"), fleet.ze_vehicles),
        "bev_vehicles": (("need", "year"), bev),
        "ze_required": (("need", "year"), fleet.required.astype(bool)),
        "energy_per_vehicle_kwh_per_day": (("need",), energy),
        "energy_kwh_per_day": (("need", "year"), bev * energy[:, None]),
        "unserved_kwh_per_day": (("need", "year"), bev * profiles.unserved_kwh[:, None]),
        "power_kw": (("need", "year", "slot"), bev[:, :, None] * profiles.power_kw[:, None, :]),
    }


def _need_coordinates(
    needs: pd.DataFrame, fleet: FleetProjection
) -> dict[str, tuple[str, np.ndarray]]:
    coords: dict[str, tuple[str, np.ndarray]] = {
        "need": ("need", _text(needs["need_id"])),
        "municipality": ("need", _text(needs["nis_code"].map(municipality_names()).fillna(""))),
        "zes_start_year": ("need", fleet.zes_start_year),
    }
    for name, column in NEED_COORDINATES.items():
        coords[name] = ("need", _column_values(needs[column]))
    return coords


def _column_values(column: pd.Series) -> np.ndarray:
    if pd.api.types.is_bool_dtype(column):
        return column.to_numpy(dtype=bool)
    if pd.api.types.is_integer_dtype(column):
        return column.to_numpy(dtype=np.int64)
    if pd.api.types.is_float_dtype(column):
        return column.to_numpy(dtype=float)
    return _text(column)


def _text(column: pd.Series) -> np.ndarray:
    return column.astype(str).to_numpy(dtype=str)


def municipality_names() -> dict[str, str]:
    """Return the Dutch name of every Flemish municipality by NIS code."""
    table = geography.municipalities()
    return dict(zip(table["nis_code"].astype(str), table["name_nl"].astype(str), strict=True))


def _slot_coordinates(settings: ProjectionSettings) -> dict[str, tuple[str, np.ndarray]]:
    share = offpeak_share_per_slot(
        settings.slot_minutes, settings.offpeak_start, settings.offpeak_end
    )
    return {
        "slot": ("slot", np.arange(len(share), dtype=np.int64)),
        "slot_start": ("slot", np.array(slot_starts(settings.slot_minutes), dtype=str)),
        "offpeak_share": ("slot", share),
        "is_offpeak": ("slot", share >= 0.5),
    }


def _attributes(scenario: Scenario) -> dict[str, str | int | float]:
    settings = scenario.projection
    return {
        "title": "laadplan charging-demand projection",
        "scenario": scenario.name,
        "slot_minutes": settings.slot_minutes,
        "charging_strategy": settings.charging_strategy,
        "charging_efficiency": settings.charging_efficiency,
        "offpeak_start": settings.offpeak_start,
        "offpeak_end": settings.offpeak_end,
        "first_year": settings.first_year,
        "last_year": settings.last_year,
        "energy_basis": "per working day of each need",
    }


def write_demand(dataset: xr.Dataset, path: Path) -> None:
    """Write the demand dataset as NetCDF-4 (compressed); booleans are stored as int8.

    Parameters
    ----------
    dataset
        A dataset from :func:`project_demand`.
    path
        The ``.nc`` file to write (replaced when it exists).
    """
    encoding = {
        name: {"zlib": True, "complevel": 4}
        for name, variable in dataset.data_vars.items()
        if variable.dtype.kind == "f"
    }
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    dataset.to_netcdf(path, engine="netcdf4", encoding=encoding)


def read_demand(path: Path) -> xr.Dataset:
    """Read a demand dataset written by :func:`write_demand` fully into memory.

    Parameters
    ----------
    path
        The ``.nc`` file.
    """
    with xr.open_dataset(path, engine="netcdf4") as stored:
        return stored.load()
