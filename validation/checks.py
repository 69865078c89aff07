"""Builders of the pandera checks that contract tables share (needs, sites, zones, access cost …).

Each builder returns the :class:`~validation.schema.CheckSpec` (what a person reads) together
with the vectorised pandera check made by :func:`validation.schema.cell_check`.  As in the needs
schema, a cell that is not even a number fails only its "is a number" check: range checks treat
unreadable values as passing, so one mistake gives one message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa

from validation import RowIssue, describe_valid
from validation.reading import parse_booleans, parse_numbers
from validation.report import FIRST_DATA_ROW, suggest
from validation.schema import CheckSpec, cell_check
from validation.timeofday import is_hhmm

Checks = list[tuple[CheckSpec, pa.Check]]


@dataclass(frozen=True)
class NumberRule:
    """A numeric column: bounds, whole numbers or not, empty allowed or not.

    Attributes
    ----------
    low, high
        Bounds; ``None`` for no bound.
    low_open
        Whether ``low`` itself is refused (``> low`` rather than ``≥ low``).
    integer
        Whether the value must be a whole number.
    optional
        Whether the cell may be empty.
    unit
        Unit shown after the valid range, e.g. ``"kW"``.
    """

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    integer: bool = False
    optional: bool = False
    unit: str = ""

    def describe(self) -> str:
        """What a valid value looks like, e.g. ``"a whole number from 1 to 500"``."""
        kind = "a whole number" if self.integer else "a number"
        if self.low is not None and self.high is not None and not self.low_open:
            text = f"{kind} from {self.low:g} to {self.high:g}"
        elif self.low is not None and self.high is not None:
            text = f"{kind} > {self.low:g} and ≤ {self.high:g}"
        elif self.low is not None:
            text = f"{kind} {'>' if self.low_open else '≥'} {self.low:g}"
        else:
            text = kind
        text += f" ({self.unit})" if self.unit else ""
        return text + (", or empty" if self.optional else "")

    def in_range(self, parsed: pd.Series) -> pd.Series:
        """True where a parsed value respects the bounds (NaN counts as passing)."""
        ok: pd.Series = parsed.isna() | np.isfinite(parsed)
        if self.low is not None:
            ok &= parsed.isna() | ((parsed > self.low) if self.low_open else (parsed >= self.low))
        if self.high is not None:
            ok &= parsed.isna() | (parsed <= self.high)
        return ok


def number_checks(column: str, rule: NumberRule, delimiter: str) -> Checks:
    """Checks that a column holds a number (or whole number) within the rule's bounds."""
    kind = "a whole number" if rule.integer else "a number"
    valid = rule.describe()
    readable = CheckSpec(f"{column}:number", column, f"is not {kind}", valid)
    bounded = CheckSpec(f"{column}:range", column, "is out of range", valid)

    def readable_number(s: pd.Series) -> pd.Series:
        parsed = parse_numbers(s, delimiter)
        ok = parsed.notna() | ((s == "") if rule.optional else False)
        if rule.integer:
            ok &= parsed.isna() | (parsed == np.floor(parsed))
        return ok

    def within_bounds(s: pd.Series) -> pd.Series:
        return rule.in_range(parse_numbers(s, delimiter))

    return [
        (readable, cell_check(readable, readable_number)),
        (bounded, cell_check(bounded, within_bounds)),
    ]


def closed_set_check(
    column: str, options: Sequence[str], problem: str, *, optional: bool = False
) -> Checks:
    """The column holds one of ``options`` (near misses are suggested)."""
    valid = describe_valid(list(options)) + (", or empty" if optional else "")
    spec = CheckSpec(f"{column}:closed", column, problem, valid, options=tuple(options))
    allowed = set(options) | ({""} if optional else set())
    return [(spec, cell_check(spec, lambda s: s.isin(allowed)))]


def required_text_check(column: str) -> Checks:
    """The column is not empty."""
    spec = CheckSpec(f"{column}:empty", column, "is empty", "a non-empty text")
    return [(spec, cell_check(spec, lambda s: s != ""))]


def padded_time(text: str) -> str | None:
    """Suggest the ``HH:MM`` form of a time written as ``7:00``, ``7.30``, ``0700`` or ``7u``.

    Examples
    --------
    >>> padded_time("7:00"), padded_time("19.30"), padded_time("0700"), padded_time("7u")
    ('07:00', '19:30', '07:00', '07:00')
    >>> padded_time("noon") is None
    True
    """
    match = re.fullmatch(r"(\d{1,2})(?:[:.hu](\d{2})?|(\d{2}))", text.strip().lower())
    if match is None:
        return None
    minutes = match.group(2) or match.group(3) or "00"
    candidate = f"{int(match.group(1)):02d}:{minutes}"
    return candidate if is_hhmm(candidate) and candidate != text else None


def time_check(column: str) -> Checks:
    """The column holds an ``HH:MM`` time of day."""
    spec = CheckSpec(
        f"{column}:time",
        column,
        "is not a time of day",
        "HH:MM from 00:00 to 24:00, e.g. 07:30",
        suggester=padded_time,
    )
    return [(spec, cell_check(spec, lambda s: s.map(is_hhmm).astype(bool)))]


def bool_check(column: str, *, optional: bool = False) -> Checks:
    """The column holds a yes/no word understood by :func:`validation.reading.parse_booleans`."""
    spec = CheckSpec(
        f"{column}:bool",
        column,
        "is not a yes/no value",
        "true or false (also 1/0, yes/no, ja/nee)" + (", or empty" if optional else ""),
        options=("true", "false"),
    )
    allowed_empty: Callable[[pd.Series], pd.Series] = (
        (lambda s: s == "") if optional else (lambda s: pd.Series(False, index=s.index))
    )
    return [(spec, cell_check(spec, lambda s: parse_booleans(s).notna() | allowed_empty(s)))]


def column_issues(
    raw: pd.DataFrame, required: Sequence[str], known: Sequence[str]
) -> list[RowIssue]:
    """Missing required columns (naming the misspelt column present) and misspelt extra columns.

    Extra columns that resemble no contract column (notes, internal codes) are allowed.
    """
    issues = []
    unknown = [column for column in raw.columns if column not in known]
    for column in required:
        if column not in raw.columns:
            hint = suggest(column, unknown) if unknown else None
            issues.append(
                RowIssue(
                    None, column, None, "required column is missing", "the contract header", hint
                )
            )
    for column in unknown:
        hint = suggest(column, known)
        if hint is not None and hint in raw.columns:
            issues.append(
                RowIssue(None, column, None, "is not a column of the contract", None, hint)
            )
    return issues


def with_columns(raw: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Add the given optional columns as empty text where the file left them out."""
    missing = [column for column in columns if column not in raw.columns]
    if not missing:
        return raw
    extra = pd.DataFrame("", index=raw.index, columns=missing, dtype=str)
    combined = pd.concat([raw, extra], axis=1)
    combined.attrs = dict(raw.attrs)
    return combined


def duplicate_issues(raw: pd.DataFrame, keys: Sequence[str], report_column: str) -> list[RowIssue]:
    """One issue per row repeating the key of an earlier row, naming that earlier row."""
    repeated = raw.duplicated(list(keys), keep="first")
    if not repeated.any():
        return []
    first_rows = raw.reset_index().groupby(list(keys), sort=False)["index"].transform("min")
    issues = []
    for index in raw.index[repeated]:
        value = " / ".join(str(raw.at[index, key]) for key in keys)
        first = int(first_rows.loc[index]) + FIRST_DATA_ROW
        issues.append(
            RowIssue(
                int(index) + FIRST_DATA_ROW,
                report_column,
                value,
                f"repeats the {' and '.join(keys)} of row {first}",
                f"each {' and '.join(keys)} once",
            )
        )
    return issues
