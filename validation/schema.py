"""Declarative table checks on pandera, reported as :class:`~validation.report.RowIssue` lines.

A contract table is validated in its raw text form (see :mod:`validation.reading`) against a
pandera ``DataFrameSchema`` whose checks each carry a :class:`CheckSpec`: the column it is about,
what is wrong when it fails, what would be valid, and how to suggest a near miss.  Pandera runs
every check lazily over the whole table; :func:`validate_table` turns its failure cases into one
readable issue per offending cell, with the file row number.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from validation.reading import read_raw_table, read_warnings
from validation.report import (
    FIRST_DATA_ROW,
    RowIssue,
    TableValidationError,
    ValidationReport,
    suggest,
)
from validation.text import normalise_table, text_issues

SeriesTest = Callable[[pd.Series], pd.Series]
FrameTest = Callable[[pd.DataFrame], pd.Series]


@dataclass(frozen=True)
class CheckSpec:
    """What one check means to a person.

    Parameters
    ----------
    key
        Unique name of the check (also its pandera ``error`` text).
    column
        The column the issue is reported on.
    problem
        What is wrong when the check fails, e.g. ``"is not a vehicle category"``.
    valid
        What would be valid, e.g. ``"one of N1, N2L, N2H, N3, T"``.
    options
        Valid values to suggest a near miss from.
    suggester
        A function proposing a correction for a bad value (used when ``options`` is empty).
    explainer
        A function giving the problem for a particular value when it says more than
        ``problem`` (e.g. which municipality a postcode belongs to).
    """

    key: str
    column: str
    problem: str
    valid: str | None = None
    options: tuple[str, ...] = ()
    suggester: Callable[[str], str | None] | None = field(default=None, compare=False)
    explainer: Callable[[str], str | None] | None = field(default=None, compare=False)

    def problem_for(self, value: object) -> str:
        """The problem as said for one bad value."""
        told = self.explainer(str(value)) if self.explainer is not None else None
        return told or self.problem

    def suggestion_for(self, value: object) -> str | None:
        """Return the near miss for a bad value, if there is one."""
        if self.options:
            hint = suggest(value, self.options)
            return hint if hint != value else None
        if self.suggester is not None:
            return self.suggester(str(value))
        return None


def cell_check(spec: CheckSpec, test: SeriesTest) -> pa.Check:
    """A vectorised check on one column; ``test`` returns True where a value is valid.

    Pandera dispatches some checks by function name: never name ``test`` like a built-in
    check (``in_range``, ``isin`` …).
    """
    return pa.Check(test, name=spec.key, error=spec.key, ignore_na=False)


def row_check(spec: CheckSpec, test: FrameTest) -> pa.Check:
    """A vectorised check across columns; ``test`` returns True per valid row."""
    return pa.Check(test, name=spec.key, error=spec.key, ignore_na=False)


def validate_table(
    frame: pd.DataFrame,
    schema: pa.DataFrameSchema,
    specs: Iterable[CheckSpec],
    source: str,
    known_columns: Sequence[str] = (),
) -> ValidationReport:
    """Run a schema over a raw table and report every failure as a row issue.

    Parameters
    ----------
    frame
        The raw table (strings), index 0..n-1.
    schema
        Pandera schema whose checks were made with :func:`cell_check` / :func:`row_check`.
    specs
        The specs of those checks.
    source
        Name of the file, for the report.
    known_columns
        Every column the contract knows, to suggest the intended name of a missing column.
    """
    report = ValidationReport(source=source, rows_checked=len(frame))
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as errors:
        by_key = {spec.key: spec for spec in specs}
        report.extend(_issues_from(errors.failure_cases, frame, by_key, known_columns))
    return report


def _issues_from(
    cases: pd.DataFrame,
    frame: pd.DataFrame,
    specs: dict[str, CheckSpec],
    known_columns: Sequence[str],
) -> list[RowIssue]:
    issues: list[RowIssue] = []
    seen: set[tuple[str, int | None]] = set()
    for case in cases.to_dict("records"):
        check = str(case["check"])
        index = None if case["index"] is None or pd.isna(case["index"]) else int(case["index"])
        if (check, index) in seen:
            continue
        seen.add((check, index))
        issues.append(_issue(check, case, index, frame, specs, known_columns))
    return issues


def _issue(
    check: str,
    case: dict[Hashable, Any],
    index: int | None,
    frame: pd.DataFrame,
    specs: dict[str, CheckSpec],
    known_columns: Sequence[str],
) -> RowIssue:
    row = None if index is None else index + FIRST_DATA_ROW
    if check == "column_in_dataframe":
        return _missing_column(str(case.get("failure_case", "")), frame, known_columns)
    if check == "field_uniqueness":
        column = str(case.get("column", ""))
        value = frame.at[index, column] if index is not None else None
        first = _first_row_with(frame[column], value)
        return RowIssue(row, column, value, f"is a duplicate (first used on row {first})", "unique")
    spec = specs.get(check)
    if spec is not None and index is None:
        detail = case.get("failure_case", "")
        raise RuntimeError(f"check {check} could not run: {detail}")
    if spec is None:
        other = case.get("column")
        return RowIssue(
            row, None if other is None else str(other), case.get("failure_case"), f"fails {check}"
        )
    value = frame.at[index, spec.column] if index is not None else None
    return RowIssue(
        row, spec.column, value, spec.problem_for(value), spec.valid, spec.suggestion_for(value)
    )


def _missing_column(column: str, frame: pd.DataFrame, known: Sequence[str]) -> RowIssue:
    unknown_present = [c for c in frame.columns if c not in known]
    hint = suggest(column, unknown_present) if unknown_present else None
    return RowIssue(
        None,
        column,
        None,
        "required column is missing",
        "a header row with every required column",
        hint,
    )


def _first_row_with(column: pd.Series, value: object) -> int:
    matches = column.index[column == value]
    return int(matches[0]) + FIRST_DATA_ROW if len(matches) else FIRST_DATA_ROW


def unknown_columns(frame: pd.DataFrame, known: Sequence[str], source: str) -> list[RowIssue]:
    """Report columns the contract does not know (often a typo of a known one)."""
    issues = []
    for column in frame.columns:
        if column not in known:
            hint = suggest(column, known)
            issues.append(
                RowIssue(None, column, None, "is not a column of the contract", None, hint)
            )
    return issues


SchemaFactory = Callable[[str], tuple[pa.DataFrameSchema, list[CheckSpec]]]


def delimiter_of(raw: pd.DataFrame) -> str:
    """The delimiter a raw table was read with (``","`` when unknown)."""
    return str(raw.attrs.get("delimiter", ","))


def check_contract_table(
    raw: pd.DataFrame,
    source: str,
    *,
    required: Sequence[str],
    known: Sequence[str],
    schema_for: SchemaFactory,
    optional: Sequence[str] = (),
) -> tuple[pd.DataFrame | None, ValidationReport]:
    """Check a raw contract table: its header first, then every cell and row.

    Every cell is normalised first (NFC, trimmed) and checked for control, bidirectional and
    zero-width characters and for length (:mod:`validation.text`).

    Parameters
    ----------
    raw
        The table as read by :func:`validation.reading.read_raw_table`.
    source
        Name for the report, usually the file name.
    required
        Columns the file must have.
    known
        Every column of the contract (to spot misspelt headers).
    schema_for
        Builds the pandera schema and its specs for the file's delimiter.
    optional
        Columns that may be left out; they are added as empty text.

    Returns
    -------
    tuple
        The raw table with the optional columns added (``None`` when anything is wrong) and the
        report, which carries the warnings from reading the file. A header problem stops the
        check before the cells are looked at. The index is kept (index ``i`` is file row
        ``i + 2``).
    """
    # Imported here: validation.checks builds on this module.
    from validation.checks import column_issues, with_columns

    normalised = normalise_table(raw)
    report = ValidationReport(source=source, rows_checked=len(normalised))
    report.warn(read_warnings(raw))
    report.extend(duplicate_column_issues(normalised))
    if not report.ok:  # a column twice: the cells cannot be told apart
        return None, report
    prepared = with_columns(normalised, optional)
    report.extend(column_issues(prepared, required, known))
    report.extend(text_issues(prepared))
    if report.ok:
        schema, specs = schema_for(delimiter_of(prepared))
        report.extend(validate_table(prepared, schema, specs, source, known).issues)
    return (prepared if report.ok else None), report


def duplicate_column_issues(table: pd.DataFrame) -> list[RowIssue]:
    """A column name that occurs twice (after trimming and Unicode normalisation).

    Examples
    --------
    >>> [issue.column for issue in duplicate_column_issues(pd.DataFrame(columns=["a", "a", "b"]))]
    ['a']
    """
    names = [str(column) for column in table.columns]
    twice = sorted({name for name in names if names.count(name) > 1})
    problem = "is a column name that occurs more than once (after trimming)"
    return [RowIssue(None, name, name, problem, "every column once", None) for name in twice]


Checked = TypeVar("Checked")


def load_checked_table(
    path: Path, check: Callable[[pd.DataFrame, str], tuple[Checked | None, ValidationReport]]
) -> Checked:
    """Read a contract file as text, check it, and return the typed result.

    Parameters
    ----------
    path
        A CSV or XLSX file.
    check
        Validates the raw table (named by the file name) and converts it when valid.

    Raises
    ------
    validation.TableValidationError
        Listing every bad row; nothing is loaded.
    validation.reading.ReadError
        When the file cannot be read as a table at all.
    """
    table, report = check(read_raw_table(Path(path)), Path(path).name)
    if table is None:
        raise TableValidationError(report)
    return table
