"""Row-level validation reports shared by every reader of the project.

Readers in ``planner``, ``grid_data`` and ``charging_sites`` validate a whole table at once and
collect every problem as a :class:`RowIssue`.  When anything is wrong they raise
:class:`TableValidationError`, which carries the full :class:`ValidationReport`, and load nothing.

Row numbers are the line numbers a person sees when opening the file in a spreadsheet or editor:
the header is row 1, the first data row is row 2.
"""

from validation.report import (
    LaadplanError,
    RowIssue,
    TableValidationError,
    ValidationReport,
    describe_valid,
    suggest,
)

__all__ = [
    "LaadplanError",
    "RowIssue",
    "TableValidationError",
    "ValidationReport",
    "describe_valid",
    "suggest",
]
