"""Files of a plan: ``summary.json``, one CSV per table, ``plan.nc`` and ``plan.xlsx``.

Every table has a ``year`` column (all years in one file).  The aggregates count the
semi-public and public sites and chargers per municipality and per vervoerregio and year;
their energy and organisation counts are blanked where fewer organisations than
``[grid] k_anonymity`` charge, so that no company's figures can be read from them.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from geography import municipalities, vervoerregios
from planner.optimisation.results import PlanResult
from planner.scenario import Scenario
from planner.workflows.multiyear import MultiYearPlan
from validation.export import neutralise_formulas

SUMMARY_FILE = "summary.json"
NETCDF_FILE = "plan.nc"
EXCEL_FILE = "plan.xlsx"
#: CSV file of each table, and how to get the table from one year's result.
TABLE_FILES: dict[str, Callable[[PlanResult], pd.DataFrame]] = {
    "sites.csv": lambda r: r.sites,
    "assignments.csv": lambda r: r.assignments,
    "node_load.csv": lambda r: r.node_load,
    "reinforcement.csv": lambda r: r.reinforcement,
    "unmet.csv": lambda r: r.unmet,
}
AGGREGATE_FILES = {
    "chargers_by_municipality.csv": "nis_code",
    "chargers_by_vervoerregio.csv": "vervoerregio_code",
}
#: Rows an Excel sheet can hold (header included).
EXCEL_MAX_ROWS = 1_048_576
#: Tiers counted in the aggregates.
SHARED_TIERS = ("semi_public", "public")


def plan_tables(plan: MultiYearPlan, k_anonymity: int) -> dict[str, pd.DataFrame]:
    """Every table of the plan by file name, with a ``year`` column."""
    tables = {name: _stack(plan, get) for name, get in TABLE_FILES.items()}
    sites = tables["sites.csv"]
    for name, column in AGGREGATE_FILES.items():
        tables[name] = aggregate_chargers(sites, tables["assignments.csv"], column, k_anonymity)
    return tables


def _stack(plan: MultiYearPlan, get: Callable[[PlanResult], pd.DataFrame]) -> pd.DataFrame:
    frames = [get(result).assign(year=result.year) for result in plan.results]
    table = pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)
    return table[["year", *[c for c in table.columns if c != "year"]]]


def aggregate_chargers(
    sites: pd.DataFrame, assignments: pd.DataFrame, by: str, k_anonymity: int
) -> pd.DataFrame:
    """Semi-public and public sites and chargers per group, tier and year.

    ``by`` is ``nis_code`` or ``vervoerregio_code``.  Energy and organisations are blanked
    where fewer than ``k_anonymity`` organisations charge at the group's sites.
    """
    shared = sites[sites["tier"].isin(SHARED_TIERS)]
    keys = ["year", by, "tier"]
    table = shared.groupby(keys, as_index=False).agg(
        sites=("site_id", "nunique"),
        chargers=("chargers", "sum"),
        new_chargers=("new_chargers", "sum"),
        installed_kw=("installed_kw", "sum"),
        energy_kwh_per_day=("energy_kwh_per_day", "sum"),
    )
    site_group = shared.set_index(["year", "site_id"])[by]
    used = assignments[assignments["tier"].isin(SHARED_TIERS)]
    group = pd.MultiIndex.from_frame(used[["year", "site_id"]]).map(site_group.to_dict())
    organisations = (
        used.assign(**{by: np.asarray(group)}).groupby(keys)["organisation_id"].nunique()
    )
    table["organisations"] = pd.MultiIndex.from_frame(table[keys]).map(organisations.to_dict())
    table["organisations"] = table["organisations"].fillna(0).astype(int)
    hidden = table["organisations"] < k_anonymity
    table["energy_kwh_per_day"] = table["energy_kwh_per_day"].astype(float).where(~hidden)
    table["organisations"] = table["organisations"].astype("Int64").where(~hidden)
    return _with_names(table, by)


def _with_names(table: pd.DataFrame, by: str) -> pd.DataFrame:
    if by == "nis_code":
        names = municipalities().set_index("nis_code")["name_nl"]
        codes = table[by].astype(str)
    else:
        regions = vervoerregios()
        names = regions.set_index(regions["vervoerregio_code"].astype(str))["vervoerregio_name"]
        codes = table[by].astype(str)
    table.insert(2, "name", codes.map(names.to_dict()).fillna(""))
    return table


def write_plan(plan: MultiYearPlan, out: Path, scenario: Scenario) -> list[Path]:
    """Write every file of the plan into ``out``; return the paths written.

    ``summary.json`` holds :meth:`MultiYearPlan.summary`, the scenario's name and its
    ``[optimisation]`` settings.
    """
    out.mkdir(parents=True, exist_ok=True)
    tables = plan_tables(plan, scenario.grid.k_anonymity)
    summary = {
        **plan.summary(),
        "scenario": scenario.name,
        "settings": dataclasses.asdict(scenario.optimisation),
    }
    written = [_write_json(summary, out / SUMMARY_FILE)]
    for name, table in tables.items():
        safe = neutralise_formulas(table)
        safe.to_csv(out / name, index=False, lineterminator="\n", encoding="utf-8")
        written.append(out / name)
    plan_dataset(plan).to_netcdf(out / NETCDF_FILE, engine="netcdf4")
    written.append(out / NETCDF_FILE)
    write_workbook(plan, tables, out / EXCEL_FILE)
    written.append(out / EXCEL_FILE)
    return written


def _write_json(summary: dict[str, object], path: Path) -> Path:
    path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def write_workbook(plan: MultiYearPlan, tables: dict[str, pd.DataFrame], path: Path) -> None:
    """``plan.xlsx``: a summary sheet per year, then one sheet per table.

    A table longer than a sheet holds is cut, and says so in its last row.
    """
    summary = pd.DataFrame([_flat(year) for year in plan.summary()["years"]])
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        neutralise_formulas(summary).to_excel(writer, sheet_name="summary", index=False)
        for name, table in tables.items():
            _sheet(table, writer, name.removesuffix(".csv")[:31])


def _sheet(table: pd.DataFrame, writer: pd.ExcelWriter, sheet: str) -> None:
    limit = EXCEL_MAX_ROWS - 2
    if len(table) > limit:
        note = pd.DataFrame({table.columns[0]: [f"cut: {len(table)} rows; see the CSV file"]})
        table = pd.concat([table.iloc[:limit], note], ignore_index=True)
    neutralise_formulas(table).to_excel(writer, sheet_name=sheet, index=False)


def _flat(summary: dict[str, object], prefix: str = "") -> dict[str, object]:
    flat: dict[str, object] = {}
    for key, value in summary.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{key}."))
        elif not isinstance(value, list):
            flat[f"{prefix}{key}"] = value
    return flat


def plan_dataset(plan: MultiYearPlan) -> xr.Dataset:
    """The plan as arrays: site power and node load per slot, chargers per type, unmet.

    Dimensions ``year``, ``site``, ``slot``, ``node``, ``charger_type``, ``need``, ``tier``.
    """
    years = plan.years
    site_power = _pivot(plan, lambda r: r.site_power, "site_id", "slot", "power_kw")
    node_load = _pivot(plan, lambda r: r.node_load, "node_id", "slot", "load_kw")
    unmet = _pivot(plan, lambda r: r.unmet.assign(slot=0), "need_id", "slot", "unmet_kwh_per_day")
    data = {
        "site_power_kw": site_power.rename({"site_id": "site"}),
        "node_load_kw": node_load.rename({"node_id": "node"}),
        "unmet_kwh_per_day": unmet.rename({"need_id": "need"}).isel(slot=0, drop=True),
        "chargers": _chargers(plan),
        "energy_kwh_per_day_by_tier": xr.DataArray(
            [
                [r.energy_by_tier_kwh_per_day.get(t, 0.0) for t in SHARED_TIERS_ALL]
                for r in plan.results
            ],
            dims=("year", "tier"),
            coords={"year": years, "tier": list(SHARED_TIERS_ALL)},
        ),
    }
    attrs = {"title": "laadplan site-selection plan", "status": plan.status.value}
    dataset = xr.Dataset(data, attrs=attrs).fillna(0.0)  # absent: nothing charged or built
    units = {
        "site_power_kw": "kW",
        "node_load_kw": "kW",
        "unmet_kwh_per_day": "kWh per working day",
        "chargers": "chargers",
        "energy_kwh_per_day_by_tier": "kWh per working day",
    }
    for name, unit in units.items():
        dataset[name].attrs["units"] = unit
    return dataset


SHARED_TIERS_ALL = ("private", "semi_public", "public")


def _pivot(
    plan: MultiYearPlan,
    get: Callable[[PlanResult], pd.DataFrame],
    row: str,
    column: str,
    value: str,
) -> xr.DataArray:
    frames = [get(r)[[row, column, value]].assign(year=r.year) for r in plan.results]
    frame = pd.concat(frames, ignore_index=True)
    frame[row] = frame[row].astype(str)
    array = frame.set_index(["year", row, column])[value].astype(float).to_xarray().fillna(0.0)
    return array.reindex(year=plan.years, fill_value=0.0)


def _chargers(plan: MultiYearPlan) -> xr.DataArray:
    frames = []
    for result in plan.results:
        columns = [c for c in result.sites.columns if c.startswith("chargers_")]
        long = result.sites.melt(
            id_vars=["site_id"], value_vars=columns, var_name="charger_type", value_name="n"
        )
        frames.append(
            long.assign(
                year=result.year, charger_type=long["charger_type"].str.removeprefix("chargers_")
            )
        )
    frame = pd.concat(frames, ignore_index=True)
    frame["site_id"] = frame["site_id"].astype(str)
    array = (
        frame.set_index(["year", "site_id", "charger_type"])["n"]
        .astype(float)
        .to_xarray()
        .fillna(0.0)
    )
    return array.rename({"site_id": "site"}).reindex(year=plan.years, fill_value=0.0)
