"""Small needs tables for tests: one valid file and ways to break it."""

from __future__ import annotations

import csv
from pathlib import Path

from planner.intake.needs_schema import NEEDS_COLUMNS

#: Three valid rows: a Leuven parcel depot, a Gent construction depot placed by NIS code only,
#: and an electric van with its energy given directly.
VALID_ROWS: list[dict[str, str]] = [
    {
        "need_id": "N-001",
        "organisation_id": "ORG-A",
        "sector": "parcel",
        "depot_id": "D-A1",
        "lat": "50.8798",
        "lon": "4.7005",
        "nis_code": "24062",
        "vehicle_category": "N1",
        "vehicles": "12",
        "first_registration_year": "2021",
        "fuel": "diesel",
        "euro_norm": "6",
        "daily_km": "120",
        "kwh_per_km": "",
        "working_days_per_week": "5",
        "dwell_start": "18:00",
        "dwell_end": "06:30",
        "private_terrain": "true",
        "share_willing": "false",
        "zes_cities": "24062",
        "exemption": "",
        "energy_kwh_per_day": "",
    },
    {
        "need_id": "N-002",
        "organisation_id": "ORG-B",
        "sector": "construction",
        "depot_id": "D-B1",
        "lat": "",
        "lon": "",
        "nis_code": "44021",
        "vehicle_category": "N3",
        "vehicles": "3",
        "first_registration_year": "2019",
        "fuel": "diesel",
        "euro_norm": "VI",
        "daily_km": "180",
        "kwh_per_km": "1.3",
        "working_days_per_week": "5",
        "dwell_start": "17:00",
        "dwell_end": "07:00",
        "private_terrain": "ja",
        "share_willing": "nee",
        "zes_cities": "44021;24062",
        "exemption": "F5",
        "energy_kwh_per_day": "",
    },
    {
        "need_id": "N-003",
        "organisation_id": "ORG-A",
        "sector": "parcel",
        "depot_id": "D-A1",
        "lat": "50.8798",
        "lon": "4.7005",
        "nis_code": "",
        "vehicle_category": "N1",
        "vehicles": "4",
        "first_registration_year": "2024",
        "fuel": "electric",
        "euro_norm": "",
        "daily_km": "",
        "kwh_per_km": "",
        "working_days_per_week": "6",
        "dwell_start": "09:00",
        "dwell_end": "09:00",
        "private_terrain": "1",
        "share_willing": "yes",
        "zes_cities": "",
        "exemption": "",
        "energy_kwh_per_day": "35",
    },
]


def write_needs(
    path: Path,
    rows: list[dict[str, str]] | None = None,
    columns: tuple[str, ...] | list[str] = NEEDS_COLUMNS,
    delimiter: str = ",",
) -> Path:
    """Write rows (default: the valid ones) as a needs CSV and return the path."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), delimiter=delimiter)
        writer.writeheader()
        for row in VALID_ROWS if rows is None else rows:
            writer.writerow({column: row.get(column, "") for column in columns})
    return path


def broken(index: int, **changes: str) -> list[dict[str, str]]:
    """The valid rows with some cells of row ``index`` (0-based data row) changed."""
    rows = [dict(row) for row in VALID_ROWS]
    rows[index].update(changes)
    return rows
