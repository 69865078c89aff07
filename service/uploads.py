"""Bounded reading of uploaded tables: limits checked before parsing and while streaming.

An XLSX workbook is a zip archive whose sheet XML can expand a thousandfold, so it is never
handed to a parser before its zip central directory has been checked: every member's declared
(uncompressed) size, their sum and their number must stay within :class:`UploadLimits`. The
sheet is then streamed row by row (openpyxl's read-only mode) and counted: more rows or columns
than allowed, or a cancel signal (the client went away, the time limit passed), stops the read
at once. :mod:`zipfile` never yields more bytes of a member than the directory declares, so a
directory that understates a member ends the read with a checksum or XML error, not a bomb.

A CSV upload is already bounded by the upload cap (``LAADPLAN_MAX_UPLOAD_MB``); its rows and
columns are checked against the same limits.

Everything wrong with a file is an :class:`UploadRefusedError` carrying the HTTP status (413 for a
limit, 422 for a file that is not what it claims to be) and a message naming what is wrong.
"""

from __future__ import annotations

import io
import logging
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, TypeVar
from xml.etree.ElementTree import ParseError
from xml.parsers.expat import ExpatError

import anyio
import pandas as pd
from starlette.requests import Request

from service.config import Settings
from validation import LaadplanError
from validation.reading import ReadError, read_raw_table

LOGGER = logging.getLogger("laadplan")

#: First bytes of a zip archive (an XLSX workbook is one).
ZIP_MAGIC = b"PK"
#: Default limits (settings ``LAADPLAN_MAX_UPLOAD_ROWS``, ``…_COLUMNS``, ``…_UNPACKED_MB``).
DEFAULT_MAX_ROWS = 100_000
DEFAULT_MAX_COLUMNS = 200
DEFAULT_MAX_UNPACKED_MB = 200.0
DEFAULT_PARSE_TIMEOUT_S = 120.0
#: Most members a workbook may have (a real one has a few dozen).
MAX_ZIP_MEMBERS = 10_000
#: How often a running read looks at the cancel signal, rows.
CANCEL_CHECK_ROWS = 256
#: How often the disconnect watcher asks the server whether the client is still there, s.
DISCONNECT_POLL_S = 0.25

Result = TypeVar("Result")


@dataclass(frozen=True)
class UploadLimits:
    """How much an uploaded table may hold.

    Attributes
    ----------
    max_rows
        Data rows (the header not counted).
    max_columns
        Columns of the header (and cells of any row).
    max_unpacked_bytes
        Sum of the uncompressed sizes of a workbook's zip members, bytes.
    parse_timeout_s
        Longest a read may take before it is cancelled, s.
    """

    max_rows: int = DEFAULT_MAX_ROWS
    max_columns: int = DEFAULT_MAX_COLUMNS
    max_unpacked_bytes: int = int(DEFAULT_MAX_UNPACKED_MB * 1024 * 1024)
    parse_timeout_s: float = DEFAULT_PARSE_TIMEOUT_S


class UploadRefusedError(LaadplanError):
    """An upload that is refused before or while it is read.

    Parameters
    ----------
    status_code
        413 for a limit passed, 422 for a file that cannot be read, 499 when cancelled.
    message
        What is wrong, for a person.
    """

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


class UploadCancelledError(UploadRefusedError):
    """The read was stopped: the client went away or the time limit passed."""

    def __init__(self, message: str) -> None:
        super().__init__(499, message)


def is_workbook(content: bytes) -> bool:
    """Whether uploaded bytes look like a zip archive (and so must be an XLSX workbook)."""
    return content.startswith(ZIP_MAGIC)


def read_bounded_upload(
    content: bytes, filename: str, limits: UploadLimits, cancel: threading.Event | None = None
) -> pd.DataFrame:
    """Read an uploaded CSV or XLSX as a raw text table within ``limits``.

    Returns
    -------
    pandas.DataFrame
        As :func:`validation.reading.read_raw_table`: stripped text cells, ``attrs["delimiter"]``.

    Raises
    ------
    UploadRefusedError
        A limit is passed (413) or the file is malformed (422); the message names what.
    UploadCancelledError
        ``cancel`` was set while reading.
    """
    cancel = cancel or threading.Event()
    if is_workbook(content):
        return read_bounded_workbook(content, filename, limits, cancel)
    return _read_bounded_csv(content, filename, limits)


def check_zip_directory(archive: zipfile.ZipFile, filename: str, limits: UploadLimits) -> None:
    """Refuse a workbook by its central directory alone: too many members, too large unpacked.

    Raises
    ------
    UploadRefusedError
        413 naming the member count or the unpacked size and the limit; 422 when the archive
        is not a workbook (no ``xl/workbook.xml``).
    """
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise UploadRefusedError(
            413, f"{filename}: the archive has {len(members)} members; a workbook has at most "
            f"{MAX_ZIP_MEMBERS}",
        )  # fmt: skip
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.max_unpacked_bytes:
        largest = max(members, key=lambda member: member.file_size)
        raise UploadRefusedError(
            413,
            f"{filename}: the workbook unpacks to {_mb(unpacked)} MB ({largest.filename}: "
            f"{_mb(largest.file_size)} MB); at most {_mb(limits.max_unpacked_bytes)} MB "
            "(LAADPLAN_MAX_UNPACKED_MB)",
        )
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names:
        raise UploadRefusedError(
            422, f"{filename}: a zip archive but not an XLSX workbook (no xl/workbook.xml); "
            "save the sheet as 'Excel Workbook (.xlsx)' or 'CSV UTF-8'",
        )  # fmt: skip


def _mb(size_bytes: int) -> str:
    return f"{size_bytes / (1024 * 1024):.1f}"


def read_bounded_workbook(
    content: bytes, filename: str, limits: UploadLimits, cancel: threading.Event
) -> pd.DataFrame:
    """Read the first sheet of an XLSX upload, streaming, within ``limits``.

    Raises
    ------
    UploadRefusedError, UploadCancelledError
        See :func:`read_bounded_upload`.
    """
    import openpyxl

    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise UploadRefusedError(
            422, f"{filename}: starts like an XLSX (zip) file but is not a readable one ({exc}); "
            "it may be truncated or damaged: save it again as 'Excel Workbook (.xlsx)'",
        ) from exc  # fmt: skip
    with archive:
        check_zip_directory(archive, filename, limits)
        try:
            book = openpyxl.load_workbook(archive.fp, read_only=True, data_only=True)
            try:
                rows = list(_bounded_rows(book.worksheets[0], filename, limits, cancel))
            finally:
                book.close()
        except UploadRefusedError:
            raise
        except (zipfile.BadZipFile, KeyError, ParseError, ExpatError, ValueError, TypeError,
                IndexError, OSError, EOFError) as exc:  # fmt: skip
            raise UploadRefusedError(
                422, f"{filename}: the workbook is damaged or not a worksheet "
                f"({type(exc).__name__}: {exc}); save it again as 'Excel Workbook (.xlsx)'",
            ) from exc  # fmt: skip
    return _rows_to_frame(rows, filename)


def _bounded_rows(
    sheet: Any, filename: str, limits: UploadLimits, cancel: threading.Event
) -> Iterator[list[str]]:
    declared_rows, declared_columns = sheet.max_row, sheet.max_column
    _check_shape(filename, (declared_rows or 1) - 1, declared_columns or 0, limits, "declares")
    for count, row in enumerate(sheet.iter_rows(values_only=True)):
        if count % CANCEL_CHECK_ROWS == 0 and cancel.is_set():
            raise UploadCancelledError(f"{filename}: reading stopped (client gone or time limit)")
        _check_shape(filename, count, len(row), limits, "has")
        yield [_cell_text(value) for value in row]


def _check_shape(
    filename: str, data_rows: int, columns: int, limits: UploadLimits, verb: str
) -> None:
    if data_rows > limits.max_rows:
        raise UploadRefusedError(
            413, f"{filename}: the sheet {verb} more than {limits.max_rows} data rows "
            "(LAADPLAN_MAX_UPLOAD_ROWS); split the file",
        )  # fmt: skip
    if columns > limits.max_columns:
        raise UploadRefusedError(
            413, f"{filename}: the sheet {verb} {columns} columns; at most "
            f"{limits.max_columns} (LAADPLAN_MAX_UPLOAD_COLUMNS)",
        )  # fmt: skip


def _cell_text(value: object) -> str:
    """A workbook cell as the text pandas' ``read_excel(dtype=str)`` gives."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date, time)):
        return str(value)
    return str(value).strip()


def _rows_to_frame(rows: list[list[str]], filename: str) -> pd.DataFrame:
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        raise UploadRefusedError(422, f"{filename}: the sheet is empty; expected a header row")
    header = _header(rows[0], filename)
    width = len(header)
    records = [(row + [""] * width)[:width] for row in rows[1:]]
    frame = pd.DataFrame.from_records(records, columns=header).astype(str)
    frame.attrs["delimiter"] = ","
    return frame


def _header(cells: list[str], filename: str) -> list[str]:
    while cells and not cells[-1]:
        cells = cells[:-1]
    header = [cell.strip() or f"Unnamed: {index}" for index, cell in enumerate(cells)]
    doubled = sorted({name for name in header if header.count(name) > 1})
    if doubled:
        raise UploadRefusedError(
            422, f"{filename}: the header names column(s) {', '.join(doubled)} more than once"
        )
    return header


def _read_bounded_csv(content: bytes, filename: str, limits: UploadLimits) -> pd.DataFrame:
    with tempfile.TemporaryDirectory(prefix="laadplan-upload-") as folder:
        path = Path(folder) / filename
        path.write_bytes(content)
        try:
            frame = read_raw_table(path)
        except ReadError as exc:
            raise UploadRefusedError(422, str(exc).replace(f"{folder}/", "")) from exc
    _check_shape(filename, len(frame), len(frame.columns), limits, "has")
    return frame


async def run_cancellable(
    request: Request, work: Callable[[threading.Event], Result], timeout_s: float
) -> Result:
    """Run ``work(cancel)`` in a worker thread, cancelled when the client goes away.

    ``cancel`` is set when the client disconnects or ``timeout_s`` passes, so the work stops
    instead of running on for nobody.

    Raises
    ------
    UploadCancelledError
        When the work noticed the cancel signal (re-raised from the thread).
    """
    cancel = threading.Event()
    outcome: list[Result] = []
    failure: list[BaseException] = []

    async def do_work() -> None:
        try:
            outcome.append(await anyio.to_thread.run_sync(work, cancel))
        except Exception as exc:
            failure.append(exc)
        finally:
            group.cancel_scope.cancel()

    async def watch() -> None:
        with anyio.move_on_after(timeout_s):
            while not await request.is_disconnected():
                await anyio.sleep(DISCONNECT_POLL_S)
            LOGGER.warning("upload cancelled: the client disconnected")
            cancel.set()
            return
        LOGGER.warning("upload cancelled: reading took longer than %g s", timeout_s)
        cancel.set()

    async with anyio.create_task_group() as group:
        group.start_soon(do_work)
        group.start_soon(watch)
    if failure:
        raise failure[0]
    return outcome[0]


def limits_from(settings: Settings) -> UploadLimits:
    """The upload limits of the service's settings."""
    return UploadLimits(
        max_rows=settings.max_upload_rows,
        max_columns=settings.max_upload_columns,
        max_unpacked_bytes=int(settings.max_unpacked_mb * 1024 * 1024),
        parse_timeout_s=settings.upload_timeout_s,
    )
