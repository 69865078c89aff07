"""Validation issues, reports and the domain's base exception."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

#: Data rows start on line 2 of a file: line 1 is the header.
FIRST_DATA_ROW = 2


class LaadplanError(Exception):
    """Base class of every error the project raises on purpose.

    The message is written for the person running the command: it says what is wrong and what
    would be valid.
    """


def suggest(value: object, options: Iterable[str]) -> str | None:
    """Return the closest valid option to a mistyped value, or ``None``.

    A case-insensitive exact match wins; otherwise :func:`difflib.get_close_matches` picks the
    nearest option with a similarity of at least 0.6.

    Examples
    --------
    >>> suggest("N2h", ["N1", "N2L", "N2H", "N3", "T"])
    'N2H'
    >>> suggest("diesl", ["diesel", "petrol"])
    'diesel'
    >>> suggest("xyz", ["diesel", "petrol"]) is None
    True
    """
    text = str(value).strip()
    choices = list(options)
    for option in choices:
        if option.lower() == text.lower():
            return option
    lowered = {option.lower(): option for option in choices}
    close = difflib.get_close_matches(text.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None


def describe_valid(options: Sequence[str]) -> str:
    """Join a closed set of valid values for a message.

    Examples
    --------
    >>> describe_valid(["N1", "N2L", "N3"])
    'one of N1, N2L, N3'
    """
    return "one of " + ", ".join(options)


@dataclass(frozen=True)
class RowIssue:
    """One problem in one cell (or one row, or the whole file).

    Parameters
    ----------
    row
        Line number in the file (header = 1, first data row = 2); ``None`` for file-level issues
        such as a missing column.
    column
        The column concerned, or ``None`` when the issue is about the row or file as a whole.
    value
        The offending value as read.
    problem
        What is wrong, e.g. ``"is not a vehicle category"``.
    valid
        What would be valid, e.g. ``"one of N1, N2L, N2H, N3, T"``.
    suggestion
        The near miss the person probably meant, if any.
    show_value
        Whether the message shows the value (``False`` for file-level notes without one).
    """

    row: int | None
    column: str | None
    value: object
    problem: str
    valid: str | None = None
    suggestion: str | None = None
    show_value: bool = True

    def message(self) -> str:
        """Return the issue as one readable line."""
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        location = ", ".join(where) if where else "file"
        value = f"{_show(self.value)} " if self.show_value else ""
        text = f"{location}: {value}{self.problem}"
        if self.valid:
            text += f"; valid: {self.valid}"
        if self.suggestion is not None:
            text += f" — did you mean '{self.suggestion}'?"
        return text

    def __str__(self) -> str:
        return self.message()


def _show(value: object) -> str:
    if value is None or value == "" or (isinstance(value, float) and pd.isna(value)):
        return "(empty)"
    return repr(value) if isinstance(value, str) else f"'{value}'"


@dataclass
class ValidationReport:
    """Every issue found in one table.

    Parameters
    ----------
    source
        What was validated, usually the file name.
    rows_checked
        How many data rows were read.
    issues
        Every problem found; empty when the table is valid.
    warnings
        What was read tolerantly (another encoding, ``Diesel`` as ``diesel``, ``20:00:00`` as
        ``20:00`` …): shown with the report, never blocking.
    """

    source: str
    rows_checked: int = 0
    issues: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the table is valid."""
        return not self.issues

    @property
    def bad_rows(self) -> list[int]:
        """Sorted line numbers of the rows with at least one issue."""
        return sorted({issue.row for issue in self.issues if issue.row is not None})

    def add(self, issue: RowIssue) -> None:
        """Record one issue."""
        self.issues.append(issue)

    def extend(self, issues: Iterable[RowIssue]) -> None:
        """Record several issues."""
        self.issues.extend(issues)

    def warn(self, warnings: Iterable[RowIssue]) -> None:
        """Record warnings: things read tolerantly that the sender should know about."""
        self.warnings.extend(warnings)

    def warning_lines(self) -> list[str]:
        """The warnings as text lines, file-level first."""
        return [f"  warning: {warning.message()}" for warning in self.sorted_warnings()]

    def sorted_warnings(self) -> list[RowIssue]:
        """Warnings ordered by row (file-level first), then column."""
        return sorted(self.warnings, key=lambda i: (i.row or 0, i.column or ""))

    def sorted_issues(self) -> list[RowIssue]:
        """Issues ordered by row (file-level first), then column."""
        return sorted(self.issues, key=lambda i: (i.row or 0, i.column or ""))

    def format(self, limit: int | None = None) -> str:
        """Return the report as text, one issue per line.

        Parameters
        ----------
        limit
            Show at most this many issues and say how many more there are.
        """
        warned = self.warning_lines()
        if warned:
            warned.insert(0, f"  {len(warned)} warning(s), not blocking:")
        if self.ok:
            head = f"{self.source}: {self.rows_checked} rows checked, no problems found."
            return "\n".join([head, *warned])
        issues = self.sorted_issues()
        shown = issues if limit is None else issues[:limit]
        head = (
            f"{self.source}: {len(self.issues)} problem(s) in {len(self.bad_rows)} row(s) "
            f"of {self.rows_checked}; nothing was loaded."
        )
        lines = [head, *(f"  {issue.message()}" for issue in shown)]
        if len(shown) < len(issues):
            lines.append(f"  … and {len(issues) - len(shown)} more")
        return "\n".join(lines + warned)

    def to_frame(self) -> pd.DataFrame:
        """Return the issues as a table, one row per issue."""
        return _issue_frame(self.sorted_issues())

    def warnings_frame(self) -> pd.DataFrame:
        """Return the warnings as a table, one row per warning (columns as :meth:`to_frame`)."""
        return _issue_frame(self.sorted_warnings())


def _issue_frame(issues: Iterable[RowIssue]) -> pd.DataFrame:
    records = [
        {
            "row": issue.row,
            "column": issue.column,
            "value": None if issue.value is None else str(issue.value),
            "problem": issue.problem,
            "valid": issue.valid,
            "suggestion": issue.suggestion,
            "message": issue.message(),
        }
        for issue in issues
    ]
    columns = ["row", "column", "value", "problem", "valid", "suggestion", "message"]
    return pd.DataFrame.from_records(records, columns=columns)


class TableValidationError(LaadplanError):
    """A table failed validation; nothing of it was loaded.

    Parameters
    ----------
    report
        The full report with every issue.
    """

    def __init__(self, report: ValidationReport) -> None:
        self.report = report
        super().__init__(report.format(limit=50))
