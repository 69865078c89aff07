"""Reading contract tables as text, so that validation sees every value exactly as written.

Values are read as strings (empty cells as ``""``) and converted only after validation; a
number written as ``12,5`` in a semicolon-separated file (as Excel writes it in Belgian locales)
is understood as 12.5.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from validation.report import LaadplanError

#: Delimiters accepted when sniffing a CSV header.
DELIMITERS = (",", ";", "\t")


class ReadError(LaadplanError):
    """A table file cannot be read at all (missing, wrong encoding, not a table)."""


def read_raw_table(path: Path, sheet: str | None = None) -> pd.DataFrame:
    """Read a CSV or XLSX table with every value as a stripped string.

    Parameters
    ----------
    path
        A ``.csv`` (UTF-8, with or without BOM; ``,``, ``;`` or tab separated) or ``.xlsx`` file.
    sheet
        Worksheet to read from a workbook; the first sheet when ``None``.

    Returns
    -------
    pandas.DataFrame
        String cells, ``""`` for empty ones, index 0..n-1 (data row ``i`` is file row ``i + 2``).
        ``frame.attrs["delimiter"]`` records the CSV delimiter (``","`` for workbooks).

    Raises
    ------
    ReadError
        When the file does not exist, is not UTF-8 or has no header row.
    """
    path = Path(path)
    if not path.is_file():
        raise ReadError(f"{path}: no such file")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        frame = _read_workbook(path, sheet)
        frame.attrs["delimiter"] = ","
    else:
        text = _read_text(path)
        delimiter = sniff_delimiter(text, path)
        frame = _read_csv_text(path, delimiter)
        frame.attrs["delimiter"] = delimiter
    frame.columns = [str(column).strip() for column in frame.columns]
    return frame


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ReadError(
            f"{path}: not UTF-8 text (byte {exc.start}, line {line}); save the file as "
            "'CSV UTF-8' and try again"
        ) from exc


def sniff_delimiter(text: str, path: Path | str = "table") -> str:
    r"""Return the delimiter of a CSV text from its header line.

    Raises
    ------
    ReadError
        When the file is empty.

    Examples
    --------
    >>> sniff_delimiter("a;b;c\\n1;2;3\\n")
    ';'
    """
    header = text.splitlines()[0] if text.strip() else ""
    if not header:
        raise ReadError(f"{path}: the file is empty; expected a header row")
    counts = {delimiter: header.count(delimiter) for delimiter in DELIMITERS}
    return max(counts, key=lambda d: counts[d]) if max(counts.values()) else ","


def _read_csv_text(path: Path, delimiter: str) -> pd.DataFrame:
    try:
        frame = pd.read_csv(
            path,
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            encoding="utf-8-sig",
            skipinitialspace=True,
            quoting=csv.QUOTE_MINIMAL,
        )
    except pd.errors.ParserError as exc:
        raise ReadError(f"{path}: not a valid CSV table: {exc}") from exc
    return _stripped(frame)


def _stripped(frame: pd.DataFrame) -> pd.DataFrame:
    for column in frame.columns:
        frame[column] = frame[column].astype(str).str.strip()
    return frame


def _read_workbook(path: Path, sheet: str | None) -> pd.DataFrame:
    try:
        frame = pd.read_excel(path, sheet_name=sheet or 0, dtype=str, keep_default_na=False)
    except (ValueError, KeyError, OSError) as exc:
        raise ReadError(f"{path}: cannot read the workbook: {exc}") from exc
    return _stripped(frame)


def parse_numbers(values: pd.Series, delimiter: str = ",") -> pd.Series:
    """Convert text to floats; empty or unreadable cells become NaN.

    A decimal comma is accepted when the table is not comma-separated.

    Examples
    --------
    >>> parse_numbers(pd.Series(["1.5", "2,5", "", "x"]), delimiter=";").tolist()
    [1.5, 2.5, nan, nan]
    """
    text = values.astype(str).str.strip()
    if delimiter != ",":
        text = text.str.replace(",", ".", regex=False)
    return pd.to_numeric(text.where(text != ""), errors="coerce").astype(float)


TRUE_WORDS = ("true", "1", "yes", "y", "ja", "j", "waar")
FALSE_WORDS = ("false", "0", "no", "n", "nee", "onwaar")


def parse_booleans(values: pd.Series) -> pd.Series:
    """Convert yes/no words to booleans; anything else becomes ``<NA>``.

    Accepted (case-insensitive): true/false, 1/0, yes/no, y/n, ja/nee, waar/onwaar.

    Examples
    --------
    >>> parse_booleans(pd.Series(["TRUE", "nee", "maybe"])).tolist()
    [True, False, <NA>]
    """
    lowered = values.astype(str).str.strip().str.lower()
    result = pd.Series(pd.NA, index=values.index, dtype="boolean")
    result[lowered.isin(TRUE_WORDS)] = True
    result[lowered.isin(FALSE_WORDS)] = False
    return result
