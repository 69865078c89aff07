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

from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

import geography
from planner.intake.needs_schema import municipality_code_for_name
from validation import TableValidationError, ValidationReport
from validation.reading import parse_numbers, read_raw_table
from validation.schema import CheckSpec, cell_check, unknown_columns, validate_table

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

    def nis_ok(s: pd.Series) -> pd.Series:
        return s.map(geography.is_flemish_nis).astype(bool)

    columns = {
        "nis_code": pa.Column(
            str,
            checks=[cell_check(nis_spec, nis_ok)],
            unique=True,
            report_duplicates="exclude_first",
        ),
        "zes_start_year": pa.Column(str, checks=[cell_check(year_spec, year_ok)]),
    }
    schema = pa.DataFrameSchema(columns, strict=False, coerce=False)
    return schema, [nis_spec, year_spec]


def zes_active_cities(zones: pd.Series, year: int) -> set[str]:
    """Return the NIS codes of the cities whose ZES applies in a year.

    Parameters
    ----------
    zones
        ``zes_start_year`` indexed by ``nis_code``, as returned by :func:`load_zones`.
    year
        The calendar year.

    Examples
    --------
    >>> zones = pd.Series([2027, 2030], index=["24062", "44021"], name="zes_start_year")
    >>> sorted(zes_active_cities(zones, 2028))
    ['24062']
    """
    return {str(code) for code, start in zones.items() if int(start) <= year}


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
