"""Candidate charging sites: read ``sites.csv`` / ``sites.xlsx``, validate every row, type it.

Validation reports every bad row at once (row number, column, value, what is valid, a near miss)
and loads nothing when anything is wrong: :func:`read_sites` either returns the whole typed table
or raises :class:`~validation.TableValidationError`.

Decisions on the contract (the README's data-contract table follows these):

- ``owner_organisation_id`` is required on private sites.  On semi-public and public sites it
  may name the operator, for information only: those sites serve every organisation alike.
- ``shared`` says whether a private site accepts other organisations (those that are
  ``share_willing``).  Empty means ``false`` on a private site and ``true`` elsewhere;
  ``false`` on a semi-public or public site is refused, because those serve everyone.
- ``nis_code`` may be empty: it is then filled from the nearest municipality
  (``nis_code_estimated`` is true).  A given code is kept as written.
- ``grid_node_id`` is free text, kept as written; the link to the grid table is checked where
  the grid topology is known (``grid_data``), not here.
- ``existing_chargers`` may be empty (0).  ``available_from`` equal to ``available_to`` means
  all day; ``available_to`` earlier than ``available_from`` wraps midnight; ``24:00`` is
  accepted as the end of the day.

The typed table has the contract columns plus ``available_from_min`` and ``available_to_min``
(minutes after midnight, 0–1439), ``nis_code_estimated``, ``vervoerregio_code`` and
``vervoerregio_name``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import geography
from charging_sites.sites_schema import (
    FLOAT_COLUMNS,
    OPTIONAL_COLUMNS,
    SITES_COLUMNS,
    sites_schema,
)
from charging_sites.tiers import Tier
from validation import ValidationReport
from validation.reading import parse_booleans, parse_numbers
from validation.schema import check_contract_table, delimiter_of, load_checked_table
from validation.timeofday import MINUTES_PER_DAY, parse_hhmm

__all__ = ["SITES_COLUMNS", "check_sites", "convert_sites", "read_sites"]

TEXT_COLUMNS = ("site_id", "name", "tier", "owner_organisation_id", "nis_code", "grid_node_id")
REQUIRED_COLUMNS = tuple(c for c in SITES_COLUMNS if c not in OPTIONAL_COLUMNS)


def read_sites(path: Path) -> pd.DataFrame:
    """Read and validate a sites file; raise with the full report when anything is wrong.

    Parameters
    ----------
    path
        A ``sites.csv`` (``,``, ``;`` or tab separated, UTF-8) or ``sites.xlsx`` file.

    Returns
    -------
    pandas.DataFrame
        The typed table, one row per site, in file order (see the module docstring).

    Raises
    ------
    validation.TableValidationError
        Listing every bad row; nothing is loaded.
    validation.reading.ReadError
        When the file cannot be read as a table at all.
    """
    return load_checked_table(path, check_sites)


def check_sites(
    raw: pd.DataFrame, source: str = "sites"
) -> tuple[pd.DataFrame | None, ValidationReport]:
    """Validate a raw (all-text) sites table and convert it when valid.

    Parameters
    ----------
    raw
        The table as read by :func:`validation.reading.read_raw_table`.
    source
        Name for the report, usually the file name.

    Returns
    -------
    tuple
        The typed table (``None`` when anything is wrong) and the report.
    """
    prepared, report = check_contract_table(
        raw,
        source,
        required=REQUIRED_COLUMNS,
        known=SITES_COLUMNS,
        optional=OPTIONAL_COLUMNS,
        schema_for=sites_schema,
    )
    if prepared is None:
        return None, report
    return convert_sites(prepared, delimiter_of(prepared)), report


def convert_sites(raw: pd.DataFrame, delimiter: str = ",") -> pd.DataFrame:
    """Turn a valid raw sites table into the typed, enriched table."""
    table = pd.DataFrame(index=raw.index)
    for column in TEXT_COLUMNS:
        table[column] = raw[column].astype(str)
    for column in FLOAT_COLUMNS:
        table[column] = parse_numbers(raw[column], delimiter)
    table["max_chargers"] = parse_numbers(raw["max_chargers"], delimiter).astype(np.int64)
    existing = parse_numbers(raw["existing_chargers"], delimiter).fillna(0.0)
    table["existing_chargers"] = existing.astype(np.int64)
    table["available_from_min"] = _minutes_of_day(raw["available_from"])
    table["available_to_min"] = _minutes_of_day(raw["available_to"])
    table["available_from"] = _as_hhmm(table["available_from_min"])
    table["available_to"] = _as_hhmm(table["available_to_min"])
    table["shared"] = _shared(raw["shared"], table["tier"])
    table = _place_sites(table)
    ordered = [*SITES_COLUMNS, "available_from_min", "available_to_min"]
    extra = ["nis_code_estimated", "vervoerregio_code", "vervoerregio_name"]
    return table[ordered + extra].reset_index(drop=True)


def _minutes_of_day(values: pd.Series) -> pd.Series:
    """Minutes after midnight, 0–1439 (``24:00`` is midnight, the end of the day)."""
    minutes = [parse_hhmm(text) % MINUTES_PER_DAY for text in values]
    return pd.Series(minutes, index=values.index, dtype=np.int64)


def _as_hhmm(minutes: pd.Series) -> pd.Series:
    return minutes.map(lambda m: f"{m // 60:02d}:{m % 60:02d}").astype(str)


def _shared(values: pd.Series, tier: pd.Series) -> pd.Series:
    """Empty means closed for private sites, open elsewhere (a valid table has no other NA)."""
    parsed = parse_booleans(values)
    default = tier != Tier.PRIVATE.value
    return parsed.fillna(default).astype(bool)


def _place_sites(table: pd.DataFrame) -> pd.DataFrame:
    """Fill empty NIS codes from the nearest municipality; add the vervoerregio."""
    municipalities = geography.municipalities().set_index("nis_code")
    no_code = table["nis_code"] == ""
    table["nis_code_estimated"] = no_code
    if no_code.any():
        nearest = geography.nearest_municipality(
            table.loc[no_code, "lat"].to_numpy(), table.loc[no_code, "lon"].to_numpy()
        )
        table.loc[no_code, "nis_code"] = np.asarray(nearest, dtype=str)
    region = table["nis_code"].map(municipalities["vervoerregio_code"])
    table["vervoerregio_code"] = region.astype(np.int64)
    table["vervoerregio_name"] = table["nis_code"].map(municipalities["vervoerregio_name"])
    return table
