"""Validated needs tables built directly, as ``planner.intake.needs.load_needs`` returns."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from planner.rules.access import parse_norm

#: One need as the validated table holds it: an N1 diesel Euro 6 van of 2024 in Leuven.
BASE_NEED: dict[str, Any] = {
    "need_id": "N-1",
    "organisation_id": "ORG-A",
    "sector": "parcel",
    "depot_id": "D-1",
    "lat": 50.88,
    "lon": 4.70,
    "location_estimated": False,
    "nis_code": "24062",
    "vervoerregio_code": 7,
    "vervoerregio_name": "Leuven",
    "vehicle_category": "N1",
    "vehicles": 1,
    "first_registration_year": 2024,
    "fuel": "diesel",
    "euro_norm": "6",
    "daily_km": 100.0,
    "kwh_per_km": np.nan,
    "working_days_per_week": 5,
    "dwell_start": "18:00",
    "dwell_end": "06:00",
    "private_terrain": True,
    "share_willing": False,
    "zes_cities": "24062",
    "exemption": "",
    "energy_kwh_per_day": np.nan,
}


def make_needs(*changes: dict[str, Any]) -> pd.DataFrame:
    """A validated needs table: one row per dict of changes to :data:`BASE_NEED`.

    ``need_id`` defaults to ``N-<row>``; ``norm_level`` follows ``euro_norm``.
    """
    rows = []
    for index, change in enumerate(changes or ({},), start=1):
        row = {**BASE_NEED, "need_id": f"N-{index}", **change}
        row["norm_level"] = (
            0 if row["euro_norm"] == "" else parse_norm(row["vehicle_category"], row["euro_norm"])
        )
        rows.append(row)
    table = pd.DataFrame(rows)
    for column in ("vehicles", "first_registration_year", "working_days_per_week"):
        table[column] = table[column].astype(int)
    table["vervoerregio_code"] = table["vervoerregio_code"].astype(int)
    for column in ("lat", "lon", "daily_km", "kwh_per_km", "energy_kwh_per_day"):
        table[column] = table[column].astype(float)
    for column in ("private_terrain", "share_willing", "location_estimated"):
        table[column] = table[column].astype(bool)
    return table
