"""The optional ``access_cost.csv``: a given access cost per need and site, overriding distances.

Columns ``need_id``, ``site_id``, ``cost_eur_per_kwh``.  Each pair may appear once; costs are
non-negative and at most :data:`MAX_COST_EUR_PER_KWH` (a larger figure is almost always a cost in
cents).  Whether the ids exist is checked against the needs and sites of the case by the caller,
with :func:`check_access_cost_ids`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from validation import RowIssue, ValidationReport
from validation.checks import (
    NumberRule,
    column_issues,
    duplicate_issues,
    number_checks,
    required_text_check,
)
from validation.reading import parse_numbers
from validation.report import FIRST_DATA_ROW, suggest
from validation.schema import load_checked_table, validate_table

ACCESS_COST_COLUMNS = ("need_id", "site_id", "cost_eur_per_kwh")
#: Highest plausible access cost, EUR per kWh charged.
MAX_COST_EUR_PER_KWH = 10.0
#: Near misses are looked up for this many distinct unknown ids at most (each look-up scans all
#: known ids).
MAX_SUGGESTED_IDS = 50


def read_access_cost(path: Path) -> pd.DataFrame:
    """Read and validate an ``access_cost.csv``.

    Returns
    -------
    pandas.DataFrame
        ``need_id``, ``site_id`` (text) and ``cost_eur_per_kwh`` (float); the index is the data
        row (file line − 2), which :func:`check_access_cost_ids` uses for its row numbers.

    Raises
    ------
    validation.TableValidationError
        Listing every bad row; nothing is loaded.
    validation.reading.ReadError
        When the file cannot be read as a table at all.
    """
    return load_checked_table(path, check_access_cost)


def check_access_cost(
    raw: pd.DataFrame, source: str = "access_cost"
) -> tuple[pd.DataFrame | None, ValidationReport]:
    """Validate a raw (all-text) access-cost table and convert it when valid."""
    raw = raw.reset_index(drop=True)
    report = ValidationReport(source=source, rows_checked=len(raw))
    report.extend(column_issues(raw, ACCESS_COST_COLUMNS, ACCESS_COST_COLUMNS))
    if not report.ok:
        return None, report
    delimiter = str(raw.attrs.get("delimiter", ","))
    cost_rule = NumberRule(0, MAX_COST_EUR_PER_KWH, unit="EUR per kWh")
    per_column = {
        "need_id": required_text_check("need_id"),
        "site_id": required_text_check("site_id"),
        "cost_eur_per_kwh": number_checks("cost_eur_per_kwh", cost_rule, delimiter),
    }
    schema = pa.DataFrameSchema(
        {
            c: pa.Column(str, checks=[check for _, check in pairs])
            for c, pairs in per_column.items()
        },
        strict=False,
    )
    specs = [spec for pairs in per_column.values() for spec, _ in pairs]
    report.extend(validate_table(raw, schema, specs, source, ACCESS_COST_COLUMNS).issues)
    report.extend(duplicate_issues(raw, ("need_id", "site_id"), "site_id"))
    if not report.ok:
        return None, report
    table = raw[["need_id", "site_id"]].astype(str)
    table["cost_eur_per_kwh"] = parse_numbers(raw["cost_eur_per_kwh"], delimiter)
    return table, report


def check_access_cost_ids(
    table: pd.DataFrame, need_ids: Iterable[str], site_ids: Iterable[str]
) -> list[RowIssue]:
    """Report rows of an access-cost table naming a need or site the case does not have.

    Parameters
    ----------
    table
        As returned by :func:`read_access_cost` (its index gives the row numbers).
    need_ids, site_ids
        The ids of the case's needs and sites.

    Returns
    -------
    list of RowIssue
        One issue per unknown id, with the near miss for the first
        :data:`MAX_SUGGESTED_IDS` distinct unknown values of each column.
    """
    issues = _unknown_ids(table, "need_id", need_ids, "is not a need_id of needs.csv")
    issues += _unknown_ids(table, "site_id", site_ids, "is not a site_id of sites.csv")
    return sorted(issues, key=lambda issue: (issue.row or 0, issue.column or ""))


def _unknown_ids(
    table: pd.DataFrame, column: str, known_ids: Iterable[str], problem: str
) -> list[RowIssue]:
    known = sorted(set(map(str, known_ids)))  # sorted: the same near miss on every run
    unknown = table[column].astype(str)
    unknown = unknown[~unknown.isin(known)]
    hints: dict[str, str | None] = {}
    for value in unknown.unique()[:MAX_SUGGESTED_IDS]:
        hints[value] = suggest(value, known)
    valid = f"an id listed in the {column} column of the case"
    rows = unknown.index.to_numpy(dtype=int) + FIRST_DATA_ROW
    return [
        RowIssue(int(row), column, value, problem, valid, hints.get(value))
        for row, value in zip(rows, unknown, strict=True)
    ]
