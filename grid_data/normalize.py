"""Turn the cells of a source into canonical fields, one field at a time, collecting issues."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from grid_data.mapping import GridMapping, normalise_unit
from grid_data.raw import NearMiss, RawTable, add_row_issues
from grid_data.schema import (
    ACTIVE_POWER_UNITS,
    QUANTITY_FIELDS,
    REQUIRED_FIELDS,
    UNIT_FACTORS_TO_KVA,
    level_values,
    status_values,
)
from validation import RowIssue, ValidationReport, describe_valid, suggest

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_TRUE = frozenset({"true", "1", "yes", "y", "ja", "waar"})
_FALSE = frozenset({"false", "0", "no", "n", "nee", "onwaar", ""})


def cell_text(series: pd.Series[Any]) -> pd.Series[str]:
    """Return cells as stripped text; empty, ``None`` and NaN become ``""``."""
    return pd.Series([_text_of(value) for value in series], index=series.index, dtype="str")


def _text_of(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def source_column(raw: RawTable, mapping: GridMapping, field: str) -> str | None:
    """Return the mapped source column of a field when the file has it."""
    column = mapping.source_column(field)
    return column if column is not None and column in raw.frame.columns else None


def check_source_columns(raw: RawTable, mapping: GridMapping, report: ValidationReport) -> None:
    """Report mapped columns missing from the file, unmapped required fields and bad units."""
    for field, column in mapping.columns.items():
        if column not in raw.frame.columns and field not in mapping.optional:
            report.add(_missing_column(raw, mapping, field, column))
    for field in REQUIRED_FIELDS:
        if not _field_available(raw, mapping, field):
            report.add(_unmapped_field(raw, mapping, field))
    for field in QUANTITY_FIELDS:
        if source_column(raw, mapping, field) is not None:
            _check_unit_declaration(raw, mapping, field, report)


def _missing_column(raw: RawTable, mapping: GridMapping, field: str, column: str) -> RowIssue:
    return RowIssue(
        row=None,
        column=column,
        value=None,
        problem=(
            f"column is missing; {mapping.name} maps it to the canonical field '{field}' "
            "(edit the mapping if the source renamed it)"
        ),
        valid="columns in the file: " + ", ".join(raw.columns),
        suggestion=suggest(column, raw.columns),
    )


def _field_available(raw: RawTable, mapping: GridMapping, field: str) -> bool:
    if source_column(raw, mapping, field) is not None or field in mapping.defaults:
        return True
    if field in ("lat", "lon"):
        return source_column(raw, mapping, "geo_point") is not None
    return False


def _unmapped_field(raw: RawTable, mapping: GridMapping, field: str) -> RowIssue:
    mapped = mapping.source_column(field)
    if field in ("lat", "lon") and mapped is None:
        mapped = mapping.source_column("geo_point")
    where = f"its column '{mapped}' is not in the file" if mapped else "it has no column"
    return RowIssue(
        row=None,
        column=None,
        value=field,
        problem=f"is a required canonical field but {where} and {mapping.name} gives no default",
        valid="columns in the file: " + ", ".join(raw.columns),
    )


def _check_unit_declaration(
    raw: RawTable, mapping: GridMapping, field: str, report: ValidationReport
) -> None:
    unit_column = mapping.unit_columns.get(field)
    if unit_column is not None:
        if unit_column not in raw.frame.columns:
            report.add(_missing_column(raw, mapping, f"unit of {field}", unit_column))
        return
    unit = mapping.units.get(field)
    column = mapping.source_column(field)
    if unit is None:
        problem = f"has no unit: {mapping.name} needs [units] {field} or [unit_columns] {field}"
        report.add(RowIssue(None, column, None, problem, describe_valid(list(UNIT_FACTORS_TO_KVA))))
    elif normalise_unit(unit) is None:
        report.add(
            RowIssue(
                None,
                column,
                unit,
                f"is not a power unit ({mapping.name} [units] {field})",
                describe_valid(list(UNIT_FACTORS_TO_KVA)),
                suggest(unit, list(UNIT_FACTORS_TO_KVA)),
            )
        )


def read_text_field(raw: RawTable, mapping: GridMapping, field: str) -> pd.Series[str]:
    """Return a text field, with the mapping's default in empty cells (``""`` when none)."""
    column = source_column(raw, mapping, field)
    default = mapping.defaults.get(field, "")
    if column is None:
        return pd.Series([default] * len(raw.frame), index=raw.frame.index, dtype="str")
    text = cell_text(raw.frame[column])
    return text.where(text != "", default) if default else text


def parse_numbers(series: pd.Series[Any], mapping: GridMapping) -> tuple[FloatArray, BoolArray]:
    """Parse numbers written with the mapping's decimal and thousands separators.

    Returns
    -------
    values, bad
        Floats (NaN where empty or bad) and the mask of non-empty cells that are not finite
        numbers.
    """
    text = cell_text(series)
    normalised = text
    if mapping.thousands:
        normalised = normalised.str.replace(mapping.thousands, "", regex=False)
    if mapping.decimal != ".":
        normalised = normalised.str.replace(mapping.decimal, ".", regex=False)
    numbers = pd.to_numeric(normalised, errors="coerce").to_numpy(dtype=np.float64)
    bad = (text != "").to_numpy() & ~np.isfinite(numbers)
    return np.where(bad, np.nan, numbers), bad


def read_quantity(
    raw: RawTable,
    mapping: GridMapping,
    field: str,
    power_factor: float,
    report: ValidationReport,
) -> FloatArray:
    """Return a quantity field in kVA (NaN where empty or unreadable; issues reported)."""
    column = source_column(raw, mapping, field)
    if column is None:
        return np.full(len(raw.frame), np.nan)
    values, bad = parse_numbers(raw.frame[column], mapping)
    add_row_issues(report, raw, bad, column, raw.frame[column], f"is not a number ({field})")
    return values * _unit_factors(raw, mapping, field, power_factor, report)


def _unit_factors(
    raw: RawTable, mapping: GridMapping, field: str, power_factor: float, report: ValidationReport
) -> FloatArray:
    unit_column = mapping.unit_columns.get(field)
    if unit_column is None:
        unit = normalise_unit(mapping.units[field])
        return np.full(len(raw.frame), _factor(unit, power_factor))
    units = cell_text(raw.frame[unit_column])
    known = [normalise_unit(text) for text in units]
    for position, unit in enumerate(known):
        if unit is None:
            report.add(
                RowIssue(
                    int(raw.rows[position]),
                    unit_column,
                    units.iloc[position],
                    f"is not a power unit (unit of {field})",
                    describe_valid(list(UNIT_FACTORS_TO_KVA)),
                    suggest(units.iloc[position], list(UNIT_FACTORS_TO_KVA)),
                )
            )
    return np.array([_factor(unit, power_factor) for unit in known], dtype=np.float64)


def _factor(unit: str | None, power_factor: float) -> float:
    if unit is None:
        return math.nan
    factor = UNIT_FACTORS_TO_KVA[unit]
    return factor / power_factor if unit in ACTIVE_POWER_UNITS else factor


def read_coordinates(
    raw: RawTable, mapping: GridMapping, report: ValidationReport
) -> tuple[FloatArray, FloatArray]:
    """Return latitude and longitude (degrees) from lat/lon columns or a geo point column."""
    lat_column = source_column(raw, mapping, "lat")
    lon_column = source_column(raw, mapping, "lon")
    if lat_column is not None and lon_column is not None:
        lat, bad_lat = parse_numbers(raw.frame[lat_column], mapping)
        lon, bad_lon = parse_numbers(raw.frame[lon_column], mapping)
        add_row_issues(report, raw, bad_lat, lat_column, raw.frame[lat_column], "is not a number")
        add_row_issues(report, raw, bad_lon, lon_column, raw.frame[lon_column], "is not a number")
        return lat, lon
    geo_column = source_column(raw, mapping, "geo_point")
    if geo_column is None:
        nothing = np.full(len(raw.frame), np.nan)
        return nothing, nothing.copy()
    return _read_geo_points(raw, geo_column, report)


def _read_geo_points(
    raw: RawTable, column: str, report: ValidationReport
) -> tuple[FloatArray, FloatArray]:
    points = [_geo_point(value) for value in raw.frame[column]]
    lat = np.array([p[0] for p in points], dtype=np.float64)
    lon = np.array([p[1] for p in points], dtype=np.float64)
    bad = np.array([p[2] for p in points], dtype=bool)
    valid = '"lat, lon" text, [lat, lon] or {"lat": .., "lon": ..}'
    add_row_issues(report, raw, bad, column, raw.frame[column], "is not a point", valid)
    return lat, lon


def _geo_point(value: object) -> tuple[float, float, bool]:
    """Return (lat, lon, bad) for one geo point cell."""
    if isinstance(value, dict):
        pair: list[object] = [value.get("lat"), value.get("lon")]
    elif isinstance(value, list | tuple):
        pair = list(value)
    else:
        text = _text_of(value)
        if not text:
            return math.nan, math.nan, False
        pair = list(text.split(","))
    numbers = [_float_or_nan(item) for item in pair]
    if len(numbers) != 2 or not all(math.isfinite(n) for n in numbers):
        return math.nan, math.nan, True
    return numbers[0], numbers[1], False


def _float_or_nan(value: object) -> float:
    if isinstance(value, bool):
        return math.nan
    try:
        return float(str(value).strip())
    except ValueError:
        return math.nan


def read_code_field(
    raw: RawTable,
    mapping: GridMapping,
    field: str,
    translations: Mapping[str, str],
    report: ValidationReport,
) -> pd.Series[str]:
    """Return a level or status field translated to canonical values (``""`` where empty).

    Source values are looked up in ``translations`` and among the canonical values, exactly
    first and then ignoring case; anything else is reported with the near miss.
    """
    canonical = level_values() if field == "level" else status_values()
    text = read_text_field(raw, mapping, field)
    accepted = {**{value: value for value in canonical}, **translations}
    folded = {key.casefold(): value for key, value in accepted.items()}
    translated = [accepted.get(cell) or folded.get(cell.casefold(), "") for cell in text]
    column = source_column(raw, mapping, field)
    for position, cell in enumerate(text):
        if cell and not translated[position]:
            report.add(_bad_code(raw, position, column, cell, field, list(accepted)))
    return pd.Series(translated, index=raw.frame.index, dtype="str")


def _bad_code(
    raw: RawTable, position: int, column: str | None, cell: str, field: str, accepted: list[str]
) -> RowIssue:
    what = "grid level" if field == "level" else "capacity status"
    return RowIssue(
        int(raw.rows[position]),
        column,
        cell,
        f"is not a {what}",
        describe_valid(accepted),
        suggest(cell, accepted),
    )


def read_flag(
    raw: RawTable, mapping: GridMapping, field: str, report: ValidationReport
) -> BoolArray:
    """Return a boolean flag column (False where absent or empty)."""
    column = source_column(raw, mapping, field)
    if column is None:
        return np.zeros(len(raw.frame), dtype=bool)
    text = cell_text(raw.frame[column]).str.lower()
    bad = ~text.isin(_TRUE | _FALSE)
    add_row_issues(report, raw, bad, column, raw.frame[column], "is not true or false")
    return text.isin(_TRUE).to_numpy()


def read_dates(raw: RawTable, mapping: GridMapping, report: ValidationReport) -> pd.Series[str]:
    """Return ``as_of`` as ``YYYY-MM-DD`` text (NaN where empty)."""
    text = read_text_field(raw, mapping, "as_of")
    dates = pd.to_datetime(text.where(text != ""), format=mapping.date_format, errors="coerce")
    bad = (text != "") & dates.isna()
    valid = "a date in the format " + mapping.date_format
    add_row_issues(
        report, raw, bad, source_column(raw, mapping, "as_of"), text, "is not a date", valid
    )
    return dates.dt.strftime("%Y-%m-%d").astype("str")


def resolve_parent_names(
    raw: RawTable,
    mapping: GridMapping,
    node_id: pd.Series[str],
    name: pd.Series[str],
    report: ValidationReport,
) -> pd.Series[str]:
    """Return parent ids looked up from parent names (``""`` where no name is given)."""
    column = source_column(raw, mapping, "parent_name")
    if column is None:
        return pd.Series([""] * len(raw.frame), index=raw.frame.index, dtype="str")
    parent_names = cell_text(raw.frame[column])
    ids_by_name = _ids_by_name(node_id, name)
    resolved = [_lookup_one(n, ids_by_name) for n in parent_names]
    near_miss = NearMiss(ids_by_name)
    for position, (_, problem) in enumerate(resolved):
        if problem:
            hint = near_miss(parent_names.iloc[position])
            row = int(raw.rows[position])
            report.add(RowIssue(row, column, parent_names.iloc[position], problem, None, hint))
    return pd.Series([parent for parent, _ in resolved], index=raw.frame.index, dtype="str")


def _ids_by_name(node_id: pd.Series[str], name: pd.Series[str]) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for key, label in zip(node_id, name, strict=True):
        if label:
            table.setdefault(label, []).append(key)
    return table


def _lookup_one(parent_name: str, ids_by_name: dict[str, list[str]]) -> tuple[str, str]:
    if not parent_name:
        return "", ""
    ids = ids_by_name.get(parent_name, [])
    if not ids:
        return "", "is not the name of any node in the table (parent by name)"
    if len(ids) > 1:
        return "", f"names several nodes ({', '.join(ids)}); the parent is ambiguous"
    return ids[0], ""
