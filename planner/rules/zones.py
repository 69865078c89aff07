"""The zones table: when each city starts its zero-emission zone (ZES).

``zones.csv`` holds one row per city with a ZES: ``nis_code`` (5-digit NIS code of a Flemish
municipality) and ``zes_start_year`` (whole year, 2027 to 2050; a ZES starts on 1 January).
An optional ``name`` column may hold the city's name for people reading the file; it is ignored.
A city that is not in the table has no ZES.

The table is validated as a whole: every bad row is reported at once (unknown or missing
columns, codes that are not Flemish municipalities, years that are not whole numbers in range,
the same city twice) and nothing is loaded when anything is wrong.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

import geography
from planner.intake.needs_schema import FILE_ROWS_ATTR, municipality_code_for_name, split_codes
from validation import RowIssue, TableValidationError, ValidationReport
from validation.reading import parse_numbers, read_raw_table
from validation.report import FIRST_DATA_ROW
from validation.schema import CheckSpec, cell_check, unknown_columns, validate_table
from validation.tolerance import row_list

LOG = logging.getLogger(__name__)

#: Required columns of ``zones.csv``, in order.
ZONES_COLUMNS = ("nis_code", "zes_start_year")
#: Columns that may be present and are ignored.
OPTIONAL_ZONES_COLUMNS = ("name",)
#: Earliest and latest accepted ZES start year (inclusive).
ZES_START_YEARS = (2027, 2050)


def load_zones(path: Path) -> pd.Series:
    """Read and validate ``zones.csv``.

    Parameters
    ----------
    path
        The zones file (CSV, ``,`` ``;`` or tab separated, UTF-8).

    Returns
    -------
    pandas.Series
        ``zes_start_year`` (int) indexed by ``nis_code`` (str), in file order.

    Raises
    ------
    validation.TableValidationError
        With every problem of the file; nothing is loaded.
    validation.reading.ReadError
        When the file cannot be read as a table at all.
    """
    raw = read_raw_table(Path(path))
    return zones_from_frame(raw, source=Path(path).name)


def zones_from_frame(raw: pd.DataFrame, source: str = "zones.csv") -> pd.Series:
    """Validate a raw (all-text) zones table and convert it.

    Parameters
    ----------
    raw
        Cells as stripped strings, index 0..n-1 (data row ``i`` is file row ``i + 2``).
    source
        Name of the table for the report.

    Raises
    ------
    validation.TableValidationError
        With every problem of the table.
    """
    report = check_zones(raw, source)
    if not report.ok:
        raise TableValidationError(report)
    delimiter = str(raw.attrs.get("delimiter", ","))
    years = parse_numbers(raw["zes_start_year"], delimiter).astype("int64")
    codes = pd.Index(raw["nis_code"].astype(str), name="nis_code")
    return pd.Series(years.to_numpy(), index=codes, name="zes_start_year")


def check_zones(raw: pd.DataFrame, source: str = "zones.csv") -> ValidationReport:
    """Return the validation report of a raw (all-text) zones table.

    Parameters
    ----------
    raw
        Cells as stripped strings, index 0..n-1.
    source
        Name of the table for the report.
    """
    delimiter = str(raw.attrs.get("delimiter", ","))
    schema, specs = _zones_schema(delimiter)
    known = (*ZONES_COLUMNS, *OPTIONAL_ZONES_COLUMNS)
    report = validate_table(raw, schema, specs, source, known_columns=known)
    report.extend(unknown_columns(raw, known, source))
    return report


def _zones_schema(delimiter: str) -> tuple[pa.DataFrameSchema, list[CheckSpec]]:
    low, high = ZES_START_YEARS
    nis_spec = CheckSpec(
        "nis_code:flemish",
        "nis_code",
        "is not the NIS code of a Flemish municipality",
        "a 5-digit NIS code of one of the 285 Flemish municipalities (2025)",
        suggester=municipality_code_for_name,
    )
    year_spec = CheckSpec(
        "zes_start_year:year",
        "zes_start_year",
        "is not a ZES start year",
        f"a whole year from {low} to {high}",
    )

    def year_ok(s: pd.Series) -> pd.Series:
        years = parse_numbers(s, delimiter)
        return years.notna() & (years == years.round()) & years.between(low, high)

    brussels_spec = CheckSpec(
        "nis_code:brussels",
        "nis_code",
        "is a municipality of the Brussels-Capital Region: Brussels is outside the Flemish ZES "
        "framework (the agreement covers zones of Flemish cities only)",
        "a 5-digit NIS code of one of the 285 Flemish municipalities (2025)",
    )

    def nis_ok(s: pd.Series) -> pd.Series:  # Brussels codes are refused by their own check
        return s.map(lambda code: geography.is_flemish_nis(code) or _brussels(code)).astype(bool)

    def not_brussels(s: pd.Series) -> pd.Series:
        return ~s.map(_brussels).astype(bool)

    columns = {
        "nis_code": pa.Column(
            str,
            checks=[cell_check(nis_spec, nis_ok), cell_check(brussels_spec, not_brussels)],
            unique=True,
            report_duplicates="exclude_first",
        ),
        "zes_start_year": pa.Column(str, checks=[cell_check(year_spec, year_ok)]),
    }
    schema = pa.DataFrameSchema(columns, strict=False, coerce=False)
    return schema, [nis_spec, brussels_spec, year_spec]


def _brussels(code: object) -> bool:
    return geography.is_brussels_nis(code)


def cities_without_zone(zes_cities: pd.Series, zones: pd.Series) -> list[RowIssue]:
    """Warnings for ZES cities that needs name but ``zones.csv`` does not list.

    A city missing from the zones table has no ZES start year, so the rows naming it get no
    zero-emission obligation from it: probably a forgotten line in ``zones.csv`` (or a wrong
    code in the needs).

    Parameters
    ----------
    zes_cities
        The needs' ``zes_cities`` (codes separated by ``;``), indexed by file row number.
    zones
        ``zes_start_year`` indexed by ``nis_code`` (:func:`load_zones`).

    Returns
    -------
    list
        One warning per missing city, naming it and the needs rows.
    """
    rows_of: dict[str, list[int]] = {}
    for row, text in zes_cities.items():
        for code in split_codes(str(text)):
            if code not in zones.index:
                rows_of.setdefault(code, []).append(int(str(row)))
    names = dict(zip(*_municipality_names(), strict=True))
    return [
        RowIssue(
            None,
            "zes_cities",
            code,
            f"({names.get(code, 'unknown')}) is not in zones.csv, so it has no ZES start year "
            f"and these rows get no zero-emission obligation from it: "
            f"{row_list(row - FIRST_DATA_ROW for row in rows)}",
            "add the city to zones.csv with its zes_start_year, or correct the code",
        )
        for code, rows in sorted(rows_of.items())
    ]


def _municipality_names() -> tuple[list[str], list[str]]:
    table = geography.municipalities()
    return table["nis_code"].tolist(), table["name_nl"].tolist()


def zone_warnings(needs: pd.Series | pd.DataFrame, zones: pd.Series) -> list[RowIssue]:
    """:func:`cities_without_zone` for a validated needs table (its file rows in ``attrs``)."""
    table = needs if isinstance(needs, pd.DataFrame) else needs.to_frame("zes_cities")
    rows = table.attrs.get(FILE_ROWS_ATTR) or [i + FIRST_DATA_ROW for i in range(len(table))]
    cities = pd.Series(table["zes_cities"].to_numpy(), index=rows)
    return cities_without_zone(cities, zones)


def log_zone_warnings(needs: pd.DataFrame, zones: pd.Series) -> None:
    """Log :func:`zone_warnings` (for commands reading a whole case)."""
    for warning in zone_warnings(needs, zones):
        LOG.warning("needs: %s", warning.message())


def zes_start_for(codes: Iterable[str], zones: pd.Series) -> int | None:
    """Return the earliest ZES start year among cities, or ``None`` when none has a ZES.

    A vehicle falls under the rules in a year when any ZES city it serves has started, so a
    need serving several cities follows the earliest of them.

    Examples
    --------
    >>> zones = pd.Series([2029, 2027], index=["24062", "44021"], name="zes_start_year")
    >>> zes_start_for(["24062", "44021", "11002"], zones), zes_start_for(["11002"], zones)
    (2027, None)
    """
    starts = [int(zones[code]) for code in codes if code in zones.index]
    return min(starts) if starts else None
