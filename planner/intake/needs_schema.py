"""The rules a ``needs.csv`` must satisfy, as a pandera schema over the raw text table.

Each check carries a :class:`~validation.schema.CheckSpec` that says, for a person, what is wrong
and what would be valid.  A cell that is not even a number fails only its "is a number" check:
range and cross-column checks treat unreadable values as passing, so one mistake gives one message.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pandera.pandas as pa

import geography
from planner.domain import (
    EXEMPTION_CATEGORIES,
    ZERO_EMISSION_FUELS,
    Exemption,
    Fuel,
    VehicleCategory,
    values,
)
from planner.rules.access import NormError, parse_norm
from validation.checks import (
    Checks,
    NumberRule,
    bool_check,
    closed_set_check,
    number_checks,
    required_text_check,
    time_check,
)
from validation.reading import parse_numbers
from validation.schema import CheckSpec, cell_check, row_check

#: The contract's columns, in order.
NEEDS_COLUMNS = (
    "need_id",
    "organisation_id",
    "sector",
    "depot_id",
    "lat",
    "lon",
    "nis_code",
    "vehicle_category",
    "vehicles",
    "first_registration_year",
    "fuel",
    "euro_norm",
    "daily_km",
    "kwh_per_km",
    "working_days_per_week",
    "dwell_start",
    "dwell_end",
    "private_terrain",
    "share_willing",
    "zes_cities",
    "exemption",
    "energy_kwh_per_day",
)

#: ``attrs`` key of the validated needs table: the file row number of each of its rows
#: (:class:`FileRows`).
FILE_ROWS_ATTR = "file_rows"


class FileRows(tuple[int, ...]):
    """The file row number of each row of a table (``attrs[FILE_ROWS_ATTR]``), never copied.

    pandas deep-copies a frame's ``attrs`` into every frame or column an operation makes of
    it (``NDFrame.__finalize__``): a list of the 20,000 row numbers of the Flanders
    benchmark's needs was copied element by element thousands of times while a case was
    projected and planned.  The numbers never change after the table is read, so a deep
    copy is the same object.

    Examples
    --------
    >>> import copy
    >>> rows = FileRows([2, 3, 5])
    >>> copy.deepcopy(rows) is rows, list(rows)
    (True, [2, 3, 5])
    """

    __slots__ = ()

    def __deepcopy__(self, memo: dict[int, object]) -> FileRows:
        """The same object: the row numbers are immutable."""
        return self


#: Columns that may be left out of the file altogether.
OPTIONAL_COLUMNS = ("lat", "lon", "nis_code", "kwh_per_km", "exemption", "energy_kwh_per_day")

MAX_DAILY_KM = 1500.0
MAX_VEHICLES_PER_ROW = 10_000
FIRST_REGISTRATION_YEARS = (1980, 2035)
MAX_ENERGY_KWH_PER_DAY = 1500.0

#: Plausible consumption of battery-electric vehicles, kWh/km, per category (inclusive bounds).
KWH_PER_KM_RANGE: dict[str, tuple[float, float]] = {
    VehicleCategory.N1: (0.10, 0.50),
    VehicleCategory.N2L: (0.15, 0.70),
    VehicleCategory.N2H: (0.30, 1.20),
    VehicleCategory.N3: (0.60, 2.50),
    VehicleCategory.T: (0.60, 3.00),
}


def _numbers(delimiter: str) -> Callable[[pd.Series], pd.Series]:
    return lambda s: parse_numbers(s, delimiter)


def municipality_code_for_name(text: str) -> str | None:
    """Suggest the NIS code of a municipality written by name or by postcode.

    ``"Leuven"`` and ``"3000"`` both give ``"24062"``.
    """
    table = geography.municipalities()
    names = dict(zip(table["name_nl"].str.lower(), table["nis_code"], strict=True))
    return names.get(text.strip().lower()) or flemish_code_for_postcode(text)


def flemish_code_for_postcode(text: str) -> str | None:
    """The NIS code of the Flemish municipality a postcode belongs to, if it is one.

    Examples
    --------
    >>> flemish_code_for_postcode("3000"), flemish_code_for_postcode("1000")
    ('24062', None)
    """
    flemish = [
        (code, name)
        for code, name, _ in geography.municipalities_for_postcode(text)
        if geography.is_flemish_nis(code)
    ]
    return flemish[0][0] if len(flemish) == 1 else None


def _postcode_problem(text: str) -> str | None:
    found = geography.municipalities_for_postcode(text)
    if len(found) != 1:
        return None
    return f"is the postcode of {found[0][1]}, not a NIS code"


def _brussels_problem(text: str) -> str:
    codes = [code for code in split_codes(text) if geography.is_brussels_nis(code)]
    return (
        f"holds {', '.join(codes)}, a municipality of the Brussels-Capital Region: Brussels is "
        "outside the Flemish ZES framework (the agreement covers zones of Flemish cities only)"
    )


def split_codes(text: str) -> list[str]:
    """Split a ``;``-separated list of NIS codes.

    Examples
    --------
    >>> split_codes("24062; 44021;")
    ['24062', '44021']
    >>> split_codes("")
    []
    """
    return [part.strip() for part in str(text).split(";") if part.strip()]


def _zes_cities_ok(s: pd.Series) -> pd.Series:
    flemish = geography.flemish_nis_codes()

    def known(code: str) -> bool:  # Brussels codes are refused by their own check
        return code in flemish or geography.is_brussels_nis(code)

    return _per_distinct(s, lambda text: all(known(code) for code in split_codes(text)))


def _zes_cities_not_brussels(s: pd.Series) -> pd.Series:
    return _per_distinct(
        s, lambda text: not any(geography.is_brussels_nis(code) for code in split_codes(text))
    )


def _per_distinct(s: pd.Series, test: Callable[[str], bool]) -> pd.Series:
    """``test`` of each cell, computed once per distinct value."""
    verdict = {text: bool(test(str(text))) for text in s.unique()}
    return s.map(verdict).astype(bool)


def _first_bad_zes_code(text: str) -> str | None:
    flemish = geography.flemish_nis_codes()
    for code in split_codes(text):
        if code not in flemish:
            return municipality_code_for_name(code)
    return None


def _nis_code_ok(s: pd.Series) -> pd.Series:
    flemish = geography.flemish_nis_codes()
    return (s == "") | s.isin(flemish) | _is_flemish_postcode(s)


def _is_flemish_postcode(s: pd.Series) -> pd.Series:
    return _per_distinct(s, lambda text: flemish_code_for_postcode(text) is not None)


def _nis_code_not_postcode(s: pd.Series) -> pd.Series:
    return ~_is_flemish_postcode(s)


#: Numeric columns and their rules.
NUMBER_RULES: dict[str, NumberRule] = {
    "lat": NumberRule(-90, 90, optional=True, unit="degrees"),
    "lon": NumberRule(-180, 180, optional=True, unit="degrees"),
    "vehicles": NumberRule(1, MAX_VEHICLES_PER_ROW, integer=True),
    "first_registration_year": NumberRule(*FIRST_REGISTRATION_YEARS, integer=True),
    "daily_km": NumberRule(0, MAX_DAILY_KM, optional=True, unit="km"),
    "kwh_per_km": NumberRule(0.01, 10, optional=True, unit="kWh/km"),
    "working_days_per_week": NumberRule(1, 7, integer=True),
    "energy_kwh_per_day": NumberRule(0.1, MAX_ENERGY_KWH_PER_DAY, optional=True, unit="kWh"),
}

#: The numeric columns of the contract: whole numbers, and decimals.
NUMERIC_COLUMNS: tuple[str, ...] = tuple(NUMBER_RULES)
INTEGER_COLUMNS: tuple[str, ...] = tuple(c for c, rule in NUMBER_RULES.items() if rule.integer)
FLOAT_COLUMNS: tuple[str, ...] = tuple(c for c in NUMBER_RULES if c not in INTEGER_COLUMNS)


def column_checks(delimiter: str) -> tuple[dict[str, pa.Column], list[CheckSpec]]:
    """Per-column checks of the needs contract."""
    checks: dict[str, Checks] = {column: [] for column in NEEDS_COLUMNS}
    for column in ("need_id", "organisation_id", "sector", "depot_id"):
        checks[column] += required_text_check(column)
    checks["vehicle_category"] += closed_set_check(
        "vehicle_category", values(VehicleCategory), "is not a vehicle category"
    )
    checks["fuel"] += closed_set_check("fuel", values(Fuel), "is not a fuel")
    checks["exemption"] += closed_set_check(
        "exemption", values(Exemption), "is not an exemption code", optional=True
    )
    for column, rule in NUMBER_RULES.items():
        checks[column] += number_checks(column, rule, delimiter)
    for column in ("dwell_start", "dwell_end"):
        checks[column] += time_check(column)
    for column in ("private_terrain", "share_willing"):
        checks[column] += bool_check(column)
    checks["nis_code"] += _nis_code_check()
    checks["zes_cities"] += _zes_cities_check()
    columns = {
        column: pa.Column(
            str,
            checks=[check for _, check in checks[column]],
            required=column not in OPTIONAL_COLUMNS,
            unique=column == "need_id",
            report_duplicates="exclude_first",
        )
        for column in NEEDS_COLUMNS
    }
    return columns, [spec for column in NEEDS_COLUMNS for spec, _ in checks[column]]


def _nis_code_check() -> Checks:
    spec = CheckSpec(
        "nis_code:flemish",
        "nis_code",
        "is not the NIS code of a Flemish municipality",
        "a 5-digit NIS code of one of the 285 Flemish municipalities (2025), or empty",
        suggester=municipality_code_for_name,
    )
    postcode = CheckSpec(
        "nis_code:postcode",
        "nis_code",
        "is a postcode, not a NIS code",
        "the 5-digit NIS code of the municipality, or empty",
        suggester=flemish_code_for_postcode,
        explainer=_postcode_problem,
    )
    return [
        (spec, cell_check(spec, _nis_code_ok)),
        (postcode, cell_check(postcode, _nis_code_not_postcode)),
    ]


def _zes_cities_check() -> Checks:
    valid = "NIS codes of Flemish municipalities separated by ';' (or empty)"
    spec = CheckSpec(
        "zes_cities:codes",
        "zes_cities",
        "holds a code that is not a Flemish municipality",
        valid,
        suggester=_first_bad_zes_code,
    )
    brussels = CheckSpec(
        "zes_cities:brussels",
        "zes_cities",
        "holds a Brussels-Capital municipality, outside the Flemish ZES framework",
        valid,
        explainer=_brussels_problem,
    )
    return [
        (spec, cell_check(spec, _zes_cities_ok)),
        (brussels, cell_check(brussels, _zes_cities_not_brussels)),
    ]


def row_checks(delimiter: str) -> tuple[list[pa.Check], list[CheckSpec]]:
    """Checks that need several columns of a row."""
    to_number = _numbers(delimiter)
    pairs: list[tuple[CheckSpec, Callable[[pd.DataFrame], pd.Series]]] = [
        (
            CheckSpec(
                "location:missing",
                "lat",
                "is empty, and so are lon and nis_code",
                "lat and lon, or a nis_code to place the depot at the municipality",
            ),
            lambda df: _has_location(df, to_number),
        ),
        (
            CheckSpec(
                "location:flanders",
                "lat",
                "places the depot outside Flanders",
                "lat/lon (WGS84 degrees) of a point in the Flemish Region",
            ),
            lambda df: _location_in_flanders(df, to_number),
        ),
        (
            CheckSpec(
                "euro_norm:parse",
                "euro_norm",
                "is not an emission norm for this category and fuel",
                "a Euro norm 0–6 or 0–VI (e.g. 6, VI, Euro 6); for T a stage "
                "I, II, IIIa, IIIb, IV or V; empty only for electric, hydrogen or exempt vehicles",
            ),
            _norm_ok,
        ),
        (
            CheckSpec(
                "exemption:category",
                "exemption",
                "does not apply to this vehicle category",
                "F8 only for N2L, N2H, N3; T_LT_130KW only for T",
            ),
            _exemption_fits_category,
        ),
        (
            CheckSpec(
                "kwh_per_km:plausible",
                "kwh_per_km",
                "is not plausible for this vehicle category",
                ", ".join(f"{c} {lo:g}–{hi:g}" for c, (lo, hi) in KWH_PER_KM_RANGE.items()),
            ),
            lambda df: _kwh_per_km_plausible(df, to_number),
        ),
        (
            CheckSpec(
                "daily_km:needed",
                "daily_km",
                "is empty while energy_kwh_per_day is empty too",
                "daily_km, or energy_kwh_per_day to give the energy directly",
            ),
            _energy_or_km_given,
        ),
    ]
    specs = [spec for spec, _ in pairs]
    return [row_check(spec, test) for spec, test in pairs], specs


def _column(df: pd.DataFrame, name: str) -> pd.Series:
    return df[name] if name in df.columns else pd.Series("", index=df.index, dtype=str)


def _has_location(df: pd.DataFrame, to_number: Callable[[pd.Series], pd.Series]) -> pd.Series:
    lat_given = _column(df, "lat") != ""
    lon_given = _column(df, "lon") != ""
    return (lat_given & lon_given) | (_column(df, "nis_code") != "")


def _location_in_flanders(
    df: pd.DataFrame, to_number: Callable[[pd.Series], pd.Series]
) -> pd.Series:
    lat, lon = to_number(_column(df, "lat")), to_number(_column(df, "lon"))
    known = lat.notna() & lon.notna() & lat.between(-90, 90) & lon.between(-180, 180)
    inside = pd.Series(True, index=df.index)
    if known.any():
        inside[known] = geography.points_in_flanders(lat[known].to_numpy(), lon[known].to_numpy())
    return inside


def _norm_ok(df: pd.DataFrame) -> pd.Series:
    rows = list(
        zip(
            df["vehicle_category"],
            df["fuel"],
            df["euro_norm"],
            _column(df, "exemption"),
            strict=True,
        )
    )
    verdict = {row: _one_norm_ok(*row) for row in set(rows)}  # few distinct combinations
    return pd.Series([verdict[row] for row in rows], index=df.index, dtype=bool)


def _one_norm_ok(category: str, fuel: str, norm: str, exemption: str) -> bool:
    if category not in values(VehicleCategory) or fuel not in values(Fuel):
        return True  # reported by the column checks
    if norm == "":
        return Fuel(fuel) in ZERO_EMISSION_FUELS or exemption != ""
    try:
        parse_norm(category, norm)
    except NormError:
        return False
    return True


def _exemption_fits_category(df: pd.DataFrame) -> pd.Series:
    exemption = _column(df, "exemption")
    ok = pd.Series(True, index=df.index)
    for code, categories in EXEMPTION_CATEGORIES.items():
        rows = exemption == code.value
        ok[rows] = df.loc[rows, "vehicle_category"].isin([c.value for c in categories])
    return ok | ~df["vehicle_category"].isin(values(VehicleCategory))


def _kwh_per_km_plausible(
    df: pd.DataFrame, to_number: Callable[[pd.Series], pd.Series]
) -> pd.Series:
    kwh_per_km = to_number(_column(df, "kwh_per_km"))
    low = df["vehicle_category"].map(lambda c: KWH_PER_KM_RANGE.get(c, (0.0, np.inf))[0])
    high = df["vehicle_category"].map(lambda c: KWH_PER_KM_RANGE.get(c, (0.0, np.inf))[1])
    return kwh_per_km.isna() | kwh_per_km.between(low.astype(float), high.astype(float))


def _energy_or_km_given(df: pd.DataFrame) -> pd.Series:
    return (_column(df, "daily_km") != "") | (_column(df, "energy_kwh_per_day") != "")


def needs_schema(delimiter: str) -> tuple[pa.DataFrameSchema, list[CheckSpec]]:
    """The whole needs schema and the specs of its checks.

    Parameters
    ----------
    delimiter
        The file's delimiter; decimal commas are accepted when it is not ``","``.
    """
    columns, column_specs = column_checks(delimiter)
    frame_checks, frame_specs = row_checks(delimiter)
    schema = pa.DataFrameSchema(columns, checks=frame_checks, strict=False, coerce=False)
    return schema, column_specs + frame_specs
