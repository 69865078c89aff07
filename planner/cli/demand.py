"""``laadplan demand``: project zero-emission vehicles, energy and power per need and year.

``laadplan demand --data DIR --out OUT`` reads ``needs.csv`` (or ``needs.xlsx``), ``zones.csv``
and, when present, ``scenario.toml`` from ``DIR`` (each overridable with ``--needs``,
``--zones``, ``--scenario``) and writes

* ``OUT/demand.nc``: the projection (dimensions need, year, slot; see
  :mod:`planner.demand.projection`);
* ``OUT/demand_by_region.csv``: vervoerregio × year × category with vehicles, energy per working
  day and the coincident peak power.

It prints the totals per year (ZE vehicles, MWh per working day, peak MW); progress goes to
standard error.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pandas as pd
import xarray as xr

from planner.cli.common import add_data_arguments, data_folder_from
from planner.demand.aggregation import demand_by_region_table, summary_by_year
from planner.demand.projection import project_demand, write_demand
from planner.intake.needs import load_needs
from planner.rules.zones import load_zones, log_zone_warnings
from planner.scenario import load_scenario
from planner.workflows.datafolder import DataFolder
from planner.workflows.progress import stage
from validation.export import neutralise_formulas

DEMAND_FILE = "demand.nc"
REGION_FILE = "demand_by_region.csv"


def register(subparsers: Any) -> None:
    """Add the ``demand`` command."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "demand",
        help="project ZE vehicles, energy and power per need, year and time slot",
        description=(
            "Project the zero-emission vehicles of every need per year from the ZES rules, "
            "fleet renewal and the scenario, with energy per working day and a power profile "
            f"per time slot. Writes OUT/{DEMAND_FILE} and OUT/{REGION_FILE}."
        ),
    )
    add_data_arguments(parser, "needs", "zones", "scenario")
    parser.add_argument(
        "--out", type=Path, required=True, metavar="OUT", help="folder to write the results to"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the projection and write its files; return 0."""
    dataset = project_case(data_folder_from(args))
    out = Path(args.out)
    with stage(f"writing {out / DEMAND_FILE} and {out / REGION_FILE}"):
        write_outputs(dataset, out)
    print(format_summary(dataset, out))
    return 0


def project_case(folder: DataFolder) -> xr.Dataset:
    """Read the needs, zones and scenario of a case and project its demand."""
    needs_path, zones_path = folder.require("needs"), folder.require("zones")
    with stage(f"reading {needs_path.name}, {zones_path.name} and the scenario"):
        needs = load_needs(needs_path)
        zones = load_zones(zones_path)
        log_zone_warnings(needs, zones)
        scenario = load_scenario(folder.scenario)
    with stage(f"projecting demand of {len(needs)} needs"):
        return project_demand(needs, zones, scenario)


def write_outputs(dataset: xr.Dataset, out: Path) -> None:
    """Write ``demand.nc`` and ``demand_by_region.csv`` into ``out`` (created when needed)."""
    out.mkdir(parents=True, exist_ok=True)
    write_demand(dataset, out / DEMAND_FILE)
    table = demand_by_region_table(dataset).round(3)
    neutralise_formulas(table).to_csv(out / REGION_FILE, index=False)


def format_summary(dataset: xr.Dataset, out: Path) -> str:
    """Return the lines printed after a run: totals per year and the files written."""
    vehicles = int(dataset["vehicles_total"].sum())
    head = (
        f"Demand projection, scenario '{dataset.attrs['scenario']}': {dataset.sizes['need']} "
        f"needs, {vehicles} vehicles; strategy {dataset.attrs['charging_strategy']}, "
        f"{dataset.attrs['slot_minutes']}-minute slots; energy per working day."
    )
    table = summary_by_year(dataset)
    lines = [head, _assumptions(dataset), _format_table(table)]
    if _has_unreported_estimate(dataset):
        lines.append(_format_range(table))
    lines.append(f"Wrote {out / DEMAND_FILE} and {out / REGION_FILE}.")
    return "\n".join(lines)


def _assumptions(dataset: xr.Dataset) -> str:
    uptake = str(dataset.attrs.get("uptake", "table"))
    curve = "the scenario's voluntary_uptake table" if uptake == "table" else f"'{uptake}'"
    return f"Voluntary uptake: {curve}."


def _has_unreported_estimate(dataset: xr.Dataset) -> bool:
    return "unreported_factor" in dataset.coords and bool((dataset["unreported_factor"] > 1).any())


def _format_range(table: pd.DataFrame) -> str:
    """Reported demand and the estimate with the fleets that did not report, per year."""
    lines = ["Range with the fleets that did not report (MWh per working day):"]
    for record in table.to_dict("records"):
        lines.append(
            f"{int(record['year']):>4}  reported {float(record['energy_mwh_per_day']):>9.2f}  "
            f"estimated total {float(record['energy_incl_unreported_mwh_per_day']):>9.2f}"
        )
    return "\n".join(lines)


def _format_table(table: pd.DataFrame) -> str:
    header = (
        f"{'year':>4}  {'ZE vehicles':>11}  {'BEV':>9}  {'MWh/day':>9}  {'peak MW':>8}  "
        f"{'unserved MWh/day':>16}"
    )
    lines = [header]
    for record in table.to_dict("records"):
        numbers = {key: float(value) for key, value in record.items()}
        line = (
            f"{int(numbers['year']):>4}  {numbers['ze_vehicles']:>11.1f}  "
            f"{numbers['bev_vehicles']:>9.1f}  {numbers['energy_mwh_per_day']:>9.2f}  "
            f"{numbers['peak_mw']:>8.2f}  {numbers['unserved_mwh_per_day']:>16.3f}"
        )
        lines.append(line)
    return "\n".join(lines)
