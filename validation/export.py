"""Tables leaving the product as CSV or Excel: formula-like text neutralised (CSV injection).

Following the OWASP rule, a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is prefixed with a single quote, so that a spreadsheet shows it as text instead
of running it as a formula (``=cmd|' /C calc'!A0``). Numbers are left alone, also when they are
held as text (``-3.5``): a number cannot be a formula.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import BinaryIO

import pandas as pd

#: XlsxWriter options: text is always written as text, never turned into a formula or a link.
XLSX_TEXT_ONLY = {"strings_to_formulas": False, "strings_to_urls": False}

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


def write_workbook(target: Path | BinaryIO, sheets: Mapping[str, pd.DataFrame]) -> None:
    """Write tables as the sheets of one ``.xlsx`` workbook, each neutralised, no index.

    XlsxWriter writes the file (about three times faster than openpyxl on large sheets) with
    :data:`XLSX_TEXT_ONLY`, so a text cell stays text even when it looks like a formula or
    an address.
    """
    options = {"options": XLSX_TEXT_ONLY}
    with pd.ExcelWriter(target, engine="xlsxwriter", engine_kwargs=options) as writer:
        for sheet, table in sheets.items():
            neutralise_formulas(table).to_excel(writer, sheet_name=sheet, index=False)
