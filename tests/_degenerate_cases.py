"""Tiny case folders at the edges of what a plan handles, for the degenerate-case matrix.

Every case is two or three needs near Leuven and one or two sites, written as the contract
files (``needs.csv``, ``zones.csv``, ``sites.csv``, optional ``grid.csv``) with a
``scenario.toml`` over 2027–2028, so that each command that writes a plan runs in seconds.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from charging_sites.sites_schema import SITES_COLUMNS
from planner.intake.needs_schema import NEEDS_COLUMNS

SCENARIO = """name = "degenerate"
[projection]
first_year = 2027
last_year = 2028
slot_minutes = 60
[optimisation]
time_limit_s = 60
"""
GRID_COLUMNS = (
    "node_id",
    "name",
    "level",
    "parent_id",
    "lat",
    "lon",
    "firm_capacity_kva",
    "peak_load_kva",
    "headroom_kva",
    "status",
    "as_of",
    "source",
)
#: Depot of ORG-A in Leuven; the public hub is 0.8 km away.
DEPOT = ("50.8798", "4.7005")
HUB = ("50.8860", "4.7080")


def need_row(need_id: str, organisation: str, **changes: str) -> dict[str, str]:
    """One needs row: electric N1 vans with their energy given, at ORG-A's depot."""
    row = {
        "need_id": need_id,
        "organisation_id": organisation,
        "sector": "parcel",
        "depot_id": f"D-{organisation}",
        "lat": DEPOT[0],
        "lon": DEPOT[1],
        "nis_code": "24062",
        "vehicle_category": "N1",
        "vehicles": "4",
        "first_registration_year": "2024",
        "fuel": "electric",
        "euro_norm": "",
        "daily_km": "",
        "kwh_per_km": "",
        "working_days_per_week": "5",
        "dwell_start": "18:00",
        "dwell_end": "06:30",
        "private_terrain": "true",
        "share_willing": "false",
        "zes_cities": "24062",
        "exemption": "",
        "energy_kwh_per_day": "30",
    }
    row.update(changes)
    return row


def site_row(site_id: str, tier: str, where: tuple[str, str], **changes: str) -> dict[str, str]:
    """One sites row, tied to cabin CAB-1 unless changed."""
    row = {
        "site_id": site_id,
        "name": f"site {site_id}",
        "tier": tier,
        "owner_organisation_id": "ORG-A" if tier == "private" else "",
        "lat": where[0],
        "lon": where[1],
        "nis_code": "24062",
        "grid_node_id": "",
        "max_chargers": "10",
        "existing_chargers": "0",
        "max_power_kw": "500",
        "fixed_cost_eur": "5000",
        "available_from": "00:00",
        "available_to": "00:00",
        "shared": "true",
    }
    row.update(changes)
    return row


def grid_row(node_id: str, level: str, parent: str, where: tuple[str, str]) -> dict[str, str]:
    """One canonical grid row with ample headroom."""
    return {
        "node_id": node_id,
        "name": f"node {node_id}",
        "level": level,
        "parent_id": parent,
        "lat": where[0],
        "lon": where[1],
        "firm_capacity_kva": "2000",
        "peak_load_kva": "500",
        "headroom_kva": "1500",
        "status": "green",
        "as_of": "2025-06-30",
        "source": "test",
    }


def _write(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns))
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in columns})


def _base(folder: Path) -> dict[str, list[dict[str, str]]]:
    return {
        "needs": [
            need_row("N-1", "ORG-A"),
            need_row(
                "N-2", "ORG-B", vehicles="2", private_terrain="false", energy_kwh_per_day="60"
            ),
        ],
        "sites": [
            site_row("S-DEPOT-A", "private", DEPOT),
            site_row("S-HUB", "public", HUB),
        ],
        "grid": [
            grid_row("SUB-1", "hv_mv_substation", "", ("50.8890", "4.7050")),
            grid_row("CAB-1", "mv_cabin", "SUB-1", HUB),
        ],
    }


def _all_servable(tables: dict[str, list[dict[str, str]]]) -> None:
    """The base case: ample sites and headroom, every kWh can be charged."""


def _substations_only(tables: dict[str, list[dict[str, str]]]) -> None:
    tables["grid"] = tables["grid"][:1]


def _no_grid(tables: dict[str, list[dict[str, str]]]) -> None:
    tables["grid"] = []


def _no_private_terrain(tables: dict[str, list[dict[str, str]]]) -> None:
    tables["needs"] = [{**row, "private_terrain": "false"} for row in tables["needs"]]
    tables["sites"] = [row for row in tables["sites"] if row["tier"] != "private"]


def _one_site(tables: dict[str, list[dict[str, str]]]) -> None:
    tables["sites"] = tables["sites"][1:]


def _year_without_needs(tables: dict[str, list[dict[str, str]]]) -> None:
    """Diesel vans in a zone that starts in 2028: no energy in 2027."""
    diesel = {"fuel": "diesel", "euro_norm": "6", "first_registration_year": "2020"}
    tables["needs"] = [
        {**row, **diesel, "energy_kwh_per_day": "", "daily_km": "100", "zes_cities": "24062"}
        for row in tables["needs"]
    ]


def _all_exempt(tables: dict[str, list[dict[str, str]]]) -> None:
    _year_without_needs(tables)
    tables["needs"] = [{**row, "exemption": "F5"} for row in tables["needs"]]


#: The cases of the matrix and how each changes the base case.
CASES: dict[str, Callable[[dict[str, list[dict[str, str]]]], None]] = {
    "all_energy_servable": _all_servable,
    "substations_only_grid": _substations_only,
    "no_grid_file": _no_grid,
    "no_private_terrain": _no_private_terrain,
    "one_site": _one_site,
    "year_without_needs": _year_without_needs,
    "all_vehicles_exempt": _all_exempt,
}


def write_degenerate_case(folder: Path, kind: str) -> Path:
    """Write the case ``kind`` (a key of :data:`CASES`) into ``folder`` and return it."""
    folder.mkdir(parents=True)
    tables = _base(folder)
    CASES[kind](tables)
    _write(folder / "needs.csv", NEEDS_COLUMNS, tables["needs"])
    _write(folder / "sites.csv", SITES_COLUMNS, tables["sites"])
    if tables["grid"]:
        _write(folder / "grid.csv", GRID_COLUMNS, tables["grid"])
    start = "2028" if kind in ("year_without_needs", "all_vehicles_exempt") else "2027"
    (folder / "zones.csv").write_text(f"nis_code,zes_start_year\n24062,{start}\n")
    (folder / "scenario.toml").write_text(SCENARIO, encoding="utf-8")
    return folder
