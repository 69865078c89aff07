"""Reading contract tables as text, so that validation sees every value exactly as written.

Values are read as strings (empty cells as ``""``) and converted only after validation; a
number written as ``12,5`` in a semicolon-separated file (as Excel writes it in Belgian locales)
is understood as 12.5.

Tolerance at the file level: a CSV that is not UTF-8 is read as Windows-1252 (what Excel saves as
"CSV" in Belgian locales) with a warning naming the encoding, and rows with no value at all
(Excel's empty trailing rows) are dropped.  The row index keeps the file's numbering: data row
with index ``i`` is file row ``i + 2`` even when empty rows were dropped before it.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from validation.report import LaadplanError, RowIssue

#: Delimiters accepted when sniffing a CSV header.
DELIMITERS = (",", ";", "\t")
#: The encoding tried when a CSV is not UTF-8: Excel's "CSV" in Belgian (Western) locales.
FALLBACK_ENCODING = "cp1252"
#: ``frame.attrs`` keys: warnings from reading, and where the table came from.
WARNINGS_ATTR = "read_warnings"
FORMAT_ATTR = "source_format"


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
        String cells, ``""`` for empty ones; data row with index ``i`` is file row ``i + 2``
        (rows without any value are dropped).  ``frame.attrs["delimiter"]`` records the CSV
        delimiter (``","`` for workbooks), ``frame.attrs["source_format"]`` ``"csv"`` or
        ``"xlsx"`` and ``frame.attrs["read_warnings"]`` a list of
        :class:`~validation.report.RowIssue` (e.g. the encoding used when it was not UTF-8).

    Raises
    ------
    ReadError
        When the file does not exist, is neither UTF-8 nor Windows-1252 or has no header row.
    """
    path = Path(path)
    if not path.is_file():
        raise ReadError(f"{path}: no such file")
    warnings: list[RowIssue] = []
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        frame = _read_workbook(path, sheet)
        frame.attrs.update(delimiter=",", source_format="xlsx")
    else:
        text, encoding_warning = _read_text(path)
        warnings += encoding_warning
        delimiter = sniff_delimiter(text, path)
        frame = _read_csv_text(text, path, delimiter)
        frame.attrs.update(delimiter=delimiter, source_format="csv")
    frame.columns = [str(column).strip() for column in frame.columns]
    frame = drop_empty_rows(frame)
    frame.attrs[WARNINGS_ATTR] = warnings
    return frame


def read_warnings(raw: pd.DataFrame) -> list[RowIssue]:
    """The warnings recorded while reading a raw table (none for tables not read from a file)."""
    return list(raw.attrs.get(WARNINGS_ATTR, []))


def drop_empty_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop rows in which every cell is empty, keeping the index (the file's row numbering)."""
    if frame.empty or len(frame.columns) == 0:
        return frame
    filled = (frame.astype(str).apply(lambda column: column.str.strip()) != "").any(axis=1)
    kept: pd.DataFrame = frame.loc[filled]
    kept.attrs = dict(frame.attrs)
    return kept


#: Share of NUL bytes from which a file is taken for UTF-16 or binary rather than text.
NUL_SHARE_NOT_TEXT = 0.05


def not_text(raw: bytes) -> bool:
    r"""Whether a file is UTF-16 (byte-order mark, or NUL bytes throughout) or binary.

    A stray NUL byte in a cell is left to the text rules, which name its row and column.

    Examples
    --------
    >>> rows = b"need_id;vehicles\n" + b"N-1;2\n" * 40
    >>> not_text("a;b\n".encode("utf-16")), not_text(rows + b"N\x001;2\n")
    (True, False)
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    return raw.count(b"\x00") > NUL_SHARE_NOT_TEXT * max(len(raw), 1)


def _read_text(path: Path) -> tuple[str, list[RowIssue]]:
    raw = path.read_bytes()
    if not_text(raw):
        raise ReadError(
            f"{path}: holds NUL bytes, so it is not a text table (UTF-16 'Unicode text' or a "
            "binary file); save the file as 'CSV UTF-8' and try again"
        )
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        where = f"byte {exc.start}, line {line}"
    try:
        text = raw.decode(FALLBACK_ENCODING)
    except UnicodeDecodeError as exc:
        raise ReadError(
            f"{path}: neither UTF-8 nor Windows-1252 text (not UTF-8 at {where}; "
            f"byte {exc.start} is not Windows-1252 either); save the file as 'CSV UTF-8' "
            "and try again"
        ) from exc
    warning = RowIssue(
        None,
        None,
        None,
        f"is not UTF-8 ({where}); it was read as Windows-1252, the encoding Excel uses for "
        "'CSV' in Belgian locales: check that accented names read right, or save the file as "
        "'CSV UTF-8'",
        show_value=False,
    )
    return text, [warning]


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


def _read_csv_text(text: str, path: Path, delimiter: str) -> pd.DataFrame:
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            skipinitialspace=True,
            skip_blank_lines=False,
            quoting=csv.QUOTE_MINIMAL,
        )
    except pd.errors.ParserError as exc:
        raise ReadError(f"{path}: not a valid CSV table: {exc}") from exc
    return _stripped(frame)


def _stripped(frame: pd.DataFrame) -> pd.DataFrame:
    for column in frame.columns:
        frame[column] = frame[column].fillna("").astype(str).str.strip()
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
