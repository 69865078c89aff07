"""The rules a ``sites.csv`` must satisfy, as a pandera schema over the raw text table.

Every check carries a :class:`~validation.schema.CheckSpec` saying, for a person, what is wrong
and what would be valid.  Cross-column rules (location in Flanders, existing ≤ maximum chargers,
an owner for private sites, semi-public and public sites open to all) treat cells that are not
readable as passing: those are reported once, by their own column check.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pandera.pandas as pa

import geography
from charging_sites.tiers import TIER_VALUES, Tier
from validation.checks import (
    Checks,
    NumberRule,
    bool_check,
    closed_set_check,
    number_checks,
    required_text_check,
    time_check,
)
from validation.reading import parse_booleans, parse_numbers
from validation.schema import CheckSpec, cell_check, row_check

#: The contract's columns, in order.
SITES_COLUMNS = (
    "site_id",
    "name",
    "tier",
    "owner_organisation_id",
    "lat",
    "lon",
    "nis_code",
    "grid_node_id",
    "max_chargers",
    "existing_chargers",
    "max_power_kw",
    "fixed_cost_eur",
    "available_from",
    "available_to",
    "shared",
)

#: Columns that may be left out of the file altogether (read as empty cells).
OPTIONAL_COLUMNS = ("owner_organisation_id", "nis_code", "grid_node_id", "existing_chargers")

#: More charge points than this on one site is taken for a typing error.
MAX_CHARGERS_PER_SITE = 1000
#: Highest connection cap, kW: from 25 MVA a connection is on the transmission grid (Elia).
MAX_POWER_KW = 25_000.0

NUMBER_RULES: dict[str, NumberRule] = {
    "lat": NumberRule(-90, 90, unit="degrees north"),
    "lon": NumberRule(-180, 180, unit="degrees east"),
    "max_chargers": NumberRule(1, MAX_CHARGERS_PER_SITE, integer=True),
    "existing_chargers": NumberRule(0, MAX_CHARGERS_PER_SITE, integer=True, optional=True),
    "max_power_kw": NumberRule(0, MAX_POWER_KW, low_open=True, unit="kW"),
    "fixed_cost_eur": NumberRule(0, unit="EUR"),
}
#: The numeric columns of the contract: whole numbers, and decimals.
INTEGER_COLUMNS: tuple[str, ...] = tuple(c for c, rule in NUMBER_RULES.items() if rule.integer)
FLOAT_COLUMNS: tuple[str, ...] = tuple(c for c in NUMBER_RULES if c not in INTEGER_COLUMNS)


def municipality_code_for_name(text: str) -> str | None:
    """Suggest the NIS code of a municipality written by name (``"Leuven"`` → ``"24062"``)."""
    table = geography.municipalities()
    names = dict(zip(table["name_nl"].str.lower(), table["nis_code"], strict=True))
    return names.get(text.strip().lower())


def _nis_code_ok(s: pd.Series) -> pd.Series:
    return (s == "") | s.isin(geography.flemish_nis_codes())


def column_checks(delimiter: str) -> dict[str, Checks]:
    """Per-column checks of the sites contract, keyed by column."""
    checks: dict[str, Checks] = {column: [] for column in SITES_COLUMNS}
    for column in ("site_id", "name"):
        checks[column] += required_text_check(column)
    checks["tier"] += closed_set_check("tier", TIER_VALUES, "is not a site tier")
    for column, rule in NUMBER_RULES.items():
        checks[column] += number_checks(column, rule, delimiter)
    for column in ("available_from", "available_to"):
        checks[column] += time_check(column)
    checks["shared"] += bool_check("shared", optional=True)
    nis_spec = CheckSpec(
        "nis_code:flemish",
        "nis_code",
        "is not the NIS code of a Flemish municipality",
        "a 5-digit NIS code of one of the 285 Flemish municipalities (2025), or empty",
        suggester=municipality_code_for_name,
    )
    checks["nis_code"].append((nis_spec, cell_check(nis_spec, _nis_code_ok)))
    return checks


def row_checks(delimiter: str) -> Checks:
    """Checks that need several columns of a row."""

    def number(df: pd.DataFrame, column: str) -> pd.Series:
        return parse_numbers(df[column], delimiter)

    rules: list[tuple[CheckSpec, Callable[[pd.DataFrame], pd.Series]]] = [
        (
            CheckSpec(
                "location:flanders",
                "lat",
                "places the site outside Flanders",
                "lat/lon (WGS84 degrees) of a point in the Flemish Region",
            ),
            lambda df: _in_flanders(number(df, "lat"), number(df, "lon")),
        ),
        (
            CheckSpec(
                "existing_chargers:max",
                "existing_chargers",
                "is more than max_chargers on this row",
                "a whole number from 0 to max_chargers",
            ),
            lambda df: _existing_within_max(
                number(df, "existing_chargers"), number(df, "max_chargers")
            ),
        ),
        (
            CheckSpec(
                "owner_organisation_id:private",
                "owner_organisation_id",
                "is empty on a private site",
                "the organisation_id (as in needs.csv) of the company whose terrain it is",
            ),
            lambda df: (df["tier"] != Tier.PRIVATE.value) | (df["owner_organisation_id"] != ""),
        ),
        (
            CheckSpec(
                "shared:open_to_all",
                "shared",
                "closes a semi-public or public site to other organisations",
                "true or empty: semi-public and public sites serve every organisation; "
                "only private sites can be closed to others",
            ),
            _open_to_all,
        ),
    ]
    return [(spec, row_check(spec, test)) for spec, test in rules]


def _in_flanders(lat: pd.Series, lon: pd.Series) -> pd.Series:
    known = lat.notna() & lon.notna() & lat.between(-90, 90) & lon.between(-180, 180)
    inside = pd.Series(True, index=lat.index)
    if known.any():
        inside[known] = geography.points_in_flanders(lat[known].to_numpy(), lon[known].to_numpy())
    return inside


def _existing_within_max(existing: pd.Series, maximum: pd.Series) -> pd.Series:
    """Compare only counts that pass their own checks (one mistake, one message)."""
    usable = NUMBER_RULES["max_chargers"].in_range(maximum) & maximum.notna()
    return existing.isna() | ~usable | (existing <= maximum)


def _open_to_all(df: pd.DataFrame) -> pd.Series:
    closed = parse_booleans(df["shared"]).eq(False).fillna(False).astype(bool)
    return ~closed | (df["tier"] == Tier.PRIVATE.value) | ~df["tier"].isin(TIER_VALUES)


def sites_schema(delimiter: str) -> tuple[pa.DataFrameSchema, list[CheckSpec]]:
    """The whole sites schema and the specs of its checks.

    Parameters
    ----------
    delimiter
        The file's delimiter; decimal commas are accepted when it is not ``","``.
    """
    per_column = column_checks(delimiter)
    columns = {
        column: pa.Column(str, checks=[check for _, check in pairs])
        for column, pairs in per_column.items()
    }
    columns["site_id"] = pa.Column(
        str,
        checks=[check for _, check in per_column["site_id"]],
        unique=True,
        report_duplicates="exclude_first",
    )
    frame_checks = row_checks(delimiter)
    schema = pa.DataFrameSchema(
        columns, checks=[check for _, check in frame_checks], strict=False, coerce=False
    )
    specs = [spec for pairs in per_column.values() for spec, _ in pairs]
    return schema, specs + [spec for spec, _ in frame_checks]
