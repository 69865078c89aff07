"""Tables leaving the product as CSV or Excel: formula-like text neutralised (CSV injection).

Following the OWASP rule, a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is prefixed with a single quote, so that a spreadsheet shows it as text instead
of running it as a formula (``=cmd|' /C calc'!A0``). Numbers are left alone, also when they are
held as text (``-3.5``): a number cannot be a formula.
"""

from __future__ import annotations

import re

import pandas as pd

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")


def neutralise_cell(value: object) -> object:
    """A cell made safe for a spreadsheet: formula-like text gets a leading ``'``.

    Examples
    --------
    >>> neutralise_cell("=1+1")
    "'=1+1"
    >>> neutralise_cell("-3.5"), neutralise_cell(-3.5), neutralise_cell("Leuven")
    ('-3.5', -3.5, 'Leuven')
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if _NUMBER.fullmatch(value):
        return value
    return "'" + value


def neutralise_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of a table whose text cells (and column names) are neutralised."""
    safe = table.copy()
    safe.columns = [neutralise_cell(column) for column in safe.columns]
    for position in range(safe.shape[1]):
        column = safe.iloc[:, position]
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            safe.isetitem(position, column.map(neutralise_cell).tolist())
    return safe
