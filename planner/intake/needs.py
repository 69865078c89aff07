"""Needs intake: read ``needs.csv`` / ``needs.xlsx``, validate every row, return the typed table.

Validation reports every bad row at once (row number, column, value, what is valid and a
suggestion for near misses) and loads nothing when anything is wrong: :func:`load_needs` either
returns the whole validated table or raises :class:`~validation.TableValidationError`.

The validated table has the contract columns with proper types plus derived columns:
``location_estimated`` (lat/lon filled from the municipality), ``vervoerregio_code``,
``vervoerregio_name`` and ``norm_level`` (see ``README.md``, "Data contracts");
``table.attrs["file_rows"]`` holds each row's line number in the file (a shared
:class:`~planner.intake.needs_schema.FileRows`).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd

import geography
from planner.intake.needs_schema import (
    FILE_ROWS_ATTR,
    FLOAT_COLUMNS,
    INTEGER_COLUMNS,
    NEEDS_COLUMNS,
    OPTIONAL_COLUMNS,
    FileRows,
    needs_schema,
    split_codes,
)
from planner.intake.needs_tolerance import prepare_needs
from planner.rules.access import parse_norm
from validation import RowIssue, ValidationReport
from validation.reading import parse_booleans, parse_numbers, read_raw_table
from validation.report import FIRST_DATA_ROW
from validation.schema import check_contract_table, delimiter_of, load_checked_table
from validation.text import visible

__all__ = [
    "NEEDS_COLUMNS",
    "canonical_needs_text",
    "check_needs",
    "load_needs",
    "split_codes",
    "validate_needs_file",
]

BOOL_COLUMNS = ("private_terrain", "share_willing")


def validate_needs_file(path: Path) -> tuple[pd.DataFrame | None, ValidationReport]:
    """Read and validate a needs file without raising on bad rows.

    Returns
    -------
    tuple
        The validated table (``None`` when anything is wrong) and the report.

    Raises
    ------
    validation.reading.ReadError
        When the file cannot be read as a table at all.
    """
    raw = read_raw_table(Path(path))
    return check_needs(raw, source=Path(path).name)


def load_needs(path: Path) -> pd.DataFrame:
    """Read and validate a needs file; raise with the full report when anything is wrong.

    Raises
    ------
    validation.TableValidationError
        Listing every bad row; nothing is loaded.
    """
    return load_checked_table(path, check_needs)


def check_needs(
    raw: pd.DataFrame, source: str = "needs"
) -> tuple[pd.DataFrame | None, ValidationReport]:
    """Validate a raw (all-text) needs table and convert it when valid.

    Parameters
    ----------
    raw
        The table as read by :func:`validation.reading.read_raw_table`.
    source
        Name for the report.

    Returns
    -------
    tuple
        The typed table (``None`` when anything is wrong) and the report, whose warnings say
        what was read tolerantly (:mod:`planner.intake.needs_tolerance`); values in issues are as
        written in the file.
    """
    tolerant = prepare_needs(raw)
    prepared, report = check_contract_table(
        tolerant.raw,
        source,
        required=NEEDS_COLUMNS,
        known=NEEDS_COLUMNS,
        optional=OPTIONAL_COLUMNS,
        schema_for=needs_schema,
    )
    report.extend(tolerant.issues)
    report.issues = [_as_written(issue, raw, tolerant.raw) for issue in report.issues]
    report.warn(tolerant.warnings)
    if prepared is None or not report.ok:
        return None, report
    return convert_needs(prepared, delimiter_of(prepared)), report


def canonical_needs_text(raw: pd.DataFrame) -> pd.DataFrame:
    """The rows of a raw needs table in the contract's canonical text (what gets stored).

    Numbers with a decimal point and no thousands separator, times as ``HH:MM``, closed sets
    in their canonical spelling; explanation rows left out (see
    :mod:`planner.intake.needs_tolerance`).
    """
    return prepare_needs(raw).raw


def _as_written(issue: RowIssue, raw: pd.DataFrame, prepared: pd.DataFrame) -> RowIssue:
    """The issue with the cell's value as written in the file when it shows the prepared text.

    Values the text rules show with escapes or cut short are kept as they are.
    """
    column = issue.column
    if issue.row is None or column is None or column not in raw.columns:
        return issue
    index = issue.row - FIRST_DATA_ROW
    if index not in raw.index or column not in prepared.columns or index not in prepared.index:
        return issue
    if str(issue.value) != str(prepared.at[index, column]):
        return issue
    return dataclasses.replace(issue, value=visible(str(raw.at[index, column])))


def convert_needs(raw: pd.DataFrame, delimiter: str = ",") -> pd.DataFrame:
    """Turn a valid raw needs table into the typed, enriched table."""
    table = pd.DataFrame(index=raw.index)
    for column in NEEDS_COLUMNS:
        table[column] = raw[column].astype(str)
    for column in FLOAT_COLUMNS:
        table[column] = parse_numbers(raw[column], delimiter)
    for column in INTEGER_COLUMNS:
        table[column] = parse_numbers(raw[column], delimiter).astype(int)
    for column in BOOL_COLUMNS:
        table[column] = parse_booleans(raw[column]).astype(bool)
    table["zes_cities"] = raw["zes_cities"].map(lambda text: ";".join(split_codes(text)))
    table = _place_depots(table)
    table["norm_level"] = _norm_levels(table)
    file_rows = FileRows(int(index) + FIRST_DATA_ROW for index in table.index)
    table = table.reset_index(drop=True)
    table.attrs[FILE_ROWS_ATTR] = file_rows
    return table


def _place_depots(table: pd.DataFrame) -> pd.DataFrame:
    """Fill lat/lon from the municipality, or the municipality from lat/lon."""
    municipalities = geography.municipalities().set_index("nis_code")
    no_point = table["lat"].isna() | table["lon"].isna()
    table["location_estimated"] = no_point
    if no_point.any():
        codes = table.loc[no_point, "nis_code"]
        table.loc[no_point, "lat"] = codes.map(municipalities["lat"]).astype(float)
        table.loc[no_point, "lon"] = codes.map(municipalities["lon"]).astype(float)
    no_code = table["nis_code"] == ""
    if no_code.any():
        nearest = geography.nearest_municipality(
            table.loc[no_code, "lat"].to_numpy(), table.loc[no_code, "lon"].to_numpy()
        )
        table.loc[no_code, "nis_code"] = np.asarray(nearest, dtype=str)
    table["vervoerregio_code"] = (
        table["nis_code"].map(municipalities["vervoerregio_code"]).astype(int)
    )
    table["vervoerregio_name"] = table["nis_code"].map(municipalities["vervoerregio_name"])
    return table


def _norm_levels(table: pd.DataFrame) -> pd.Series:
    levels = [
        0 if norm == "" else parse_norm(category, norm)
        for category, norm in zip(table["vehicle_category"], table["euro_norm"], strict=True)
    ]
    return pd.Series(levels, index=table.index, dtype=int)
