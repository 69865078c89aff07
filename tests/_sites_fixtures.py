"""Small sites tables for tests: one valid file of every tier and ways to break it."""

from __future__ import annotations

import csv
from pathlib import Path

from charging_sites.sites_schema import SITES_COLUMNS

#: Six valid sites: two private depots (one shared), a De Lijn depot open to logistics by day,
#: a business park placed without a NIS code, a retail car park open at night (wrapping
#: midnight) and a public hub with two existing chargers, open all day.
VALID_ROWS: list[dict[str, str]] = [
    {
        "site_id": "S-PRIV-A",
        "name": "Pakjes NV depot Leuven",
        "tier": "private",
        "owner_organisation_id": "ORG-A",
        "lat": "50.8798",
        "lon": "4.7005",
        "nis_code": "24062",
        "grid_node_id": "CAB-LEU-01",
        "max_chargers": "20",
        "existing_chargers": "4",
        "max_power_kw": "400",
        "fixed_cost_eur": "15000",
        "available_from": "00:00",
        "available_to": "00:00",
        "shared": "false",
    },
    {
        "site_id": "S-PRIV-B",
        "name": "Bouw BV depot Gent",
        "tier": "private",
        "owner_organisation_id": "ORG-B",
        "lat": "51.0543",
        "lon": "3.7174",
        "nis_code": "44021",
        "grid_node_id": "",
        "max_chargers": "8",
        "existing_chargers": "0",
        "max_power_kw": "600",
        "fixed_cost_eur": "12000",
        "available_from": "00:00",
        "available_to": "24:00",
        "shared": "ja",
    },
    {
        "site_id": "S-DELIJN-LEU",
        "name": "De Lijn stelplaats Leuven",
        "tier": "semi_public",
        "owner_organisation_id": "",
        "lat": "50.8670",
        "lon": "4.7150",
        "nis_code": "24062",
        "grid_node_id": "CAB-LEU-07",
        "max_chargers": "24",
        "existing_chargers": "0",
        "max_power_kw": "2000",
        "fixed_cost_eur": "40000",
        "available_from": "07:00",
        "available_to": "19:00",
        "shared": "true",
    },
    {
        "site_id": "S-PARK-ANT",
        "name": "Bedrijvenpark Antwerpen-Noord",
        "tier": "semi_public",
        "owner_organisation_id": "POM-ANT",
        "lat": "51.2194",
        "lon": "4.4025",
        "nis_code": "",
        "grid_node_id": "",
        "max_chargers": "30",
        "existing_chargers": "",
        "max_power_kw": "1500",
        "fixed_cost_eur": "30000",
        "available_from": "06:00",
        "available_to": "22:00",
        "shared": "",
    },
    {
        "site_id": "S-RETAIL-HAS",
        "name": "Retail car park Hasselt",
        "tier": "semi_public",
        "owner_organisation_id": "",
        "lat": "50.9307",
        "lon": "5.3325",
        "nis_code": "71072",
        "grid_node_id": "",
        "max_chargers": "6",
        "existing_chargers": "0",
        "max_power_kw": "350",
        "fixed_cost_eur": "18000",
        "available_from": "22:00",
        "available_to": "06:00",
        "shared": "1",
    },
    {
        "site_id": "S-HUB-MEC",
        "name": "Public charging hub Mechelen centre",
        "tier": "public",
        "owner_organisation_id": "",
        "lat": "51.0259",
        "lon": "4.4776",
        "nis_code": "12025",
        "grid_node_id": "CAB-MEC-02",
        "max_chargers": "12",
        "existing_chargers": "2",
        "max_power_kw": "1200.5",
        "fixed_cost_eur": "0",
        "available_from": "00:00",
        "available_to": "00:00",
        "shared": "true",
    },
]


def broken(index: int, **changes: str) -> list[dict[str, str]]:
    """The valid rows with some cells of row ``index`` (0-based) changed."""
    rows = [dict(row) for row in VALID_ROWS]
    rows[index].update(changes)
    return rows


def write_sites(
    path: Path,
    rows: list[dict[str, str]] | None = None,
    columns: list[str] | None = None,
    delimiter: str = ",",
) -> Path:
    """Write rows as a sites CSV (all contract columns unless ``columns`` is given)."""
    header = list(SITES_COLUMNS) if columns is None else columns
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=header, delimiter=delimiter, extrasaction="ignore"
        )
        writer.writeheader()
        for row in VALID_ROWS if rows is None else rows:
            writer.writerow({column: row.get(column, "") for column in header})
    return path
