"""Tables leaving the product as CSV or Excel: formula-like text neutralised (CSV injection).

Following the OWASP rule, a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is prefixed with a single quote, so that a spreadsheet shows it as text instead
of running it as a formula (``=cmd|' /C calc'!A0``). Numbers are left alone, also when they are
held as text (``-3.5``): a number cannot be a formula.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

#: XlsxWriter options: text is always written as text, never turned into a formula or a link.
XLSX_TEXT_ONLY = {"strings_to_formulas": False, "strings_to_urls": False}
#: How dates and times are shown (as pandas' ``to_excel`` showed them).
DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"
#: Cell values XlsxWriter writes as they are; others are written as their text.
_CELL_TYPES = (str, bool, int, float, datetime.date, datetime.time, datetime.timedelta)

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

    XlsxWriter writes the file with :data:`XLSX_TEXT_ONLY`, so a text cell stays text even
    when it looks like a formula or an address; a bold header row, then one column at a time
    (:func:`_write_column`): numbers as numbers, missing values as empty cells.  Writing the
    cells straight took half the time of pandas' ``to_excel`` (Flanders plan: 8.5 s instead
    of 17.7 s for 900,000 cells).
    """
    book = xlsxwriter.Workbook(target, {**XLSX_TEXT_ONLY, "default_date_format": DATE_FORMAT})
    header = book.add_format({"bold": True})
    try:
        for name, table in sheets.items():
            sheet = book.add_worksheet(name)
            safe = neutralise_formulas(table)
            sheet.write_row(0, 0, [str(column) for column in safe.columns], header)
            for position in range(safe.shape[1]):
                _write_column(sheet, position, safe.iloc[:, position])
    finally:
        book.close()


def _write_column(sheet: Worksheet, position: int, column: pd.Series) -> None:
    """One column below the header: numbers as numbers, ±inf as text, missing values empty."""
    if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype):
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        rows = np.flatnonzero(np.isfinite(values))
        write_number = sheet.write_number
        for row, value in zip((rows + 1).tolist(), values[rows].tolist(), strict=True):
            write_number(row, position, value)
        for row in np.flatnonzero(np.isinf(values)).tolist():
            sheet.write_string(row + 1, position, "inf" if values[row] > 0 else "-inf")
        return
    write = sheet.write
    for row, value in enumerate(column.tolist(), start=1):
        if value is None or value is pd.NA or value is pd.NaT:
            continue
        if isinstance(value, float) and math.isnan(value):
            continue
        write(row, position, value if isinstance(value, _CELL_TYPES) else str(value))
