"""Bounded reading of uploads (:mod:`service.uploads`): limits from the zip central directory,
limits while streaming, malformed files named, and cancellation when the client goes away."""

from __future__ import annotations

import threading
import time

import anyio
import pytest

from service.config import Settings, load_settings
from service.uploads import (
    UploadCancelledError,
    UploadLimits,
    UploadRefusedError,
    limits_from,
    read_bounded_upload,
    run_cancellable,
)
from tests._hostile_files import (
    bomb_workbook,
    not_a_zip,
    rows_workbook,
    small_workbook,
    truncated_workbook,
    understated_workbook,
    zip_without_workbook,
)

SMALL = UploadLimits(max_rows=1000, max_columns=50, max_unpacked_bytes=10 * 1024 * 1024)


def refusal(content: bytes, limits: UploadLimits = SMALL) -> UploadRefusedError:
    with pytest.raises(UploadRefusedError) as caught:
        read_bounded_upload(content, "needs.xlsx", limits)
    return caught.value


def test_a_workbook_is_read_as_text_like_pandas_reads_it() -> None:
    content = small_workbook([["need_id", "vehicles", "daily_km"], ["a", 3, 2.5], ["b", 4.0, None]])
    frame = read_bounded_upload(content, "needs.xlsx", SMALL)
    assert list(frame.columns) == ["need_id", "vehicles", "daily_km"]
    assert frame.to_dict("records") == [
        {"need_id": "a", "vehicles": "3", "daily_km": "2.5"},
        {"need_id": "b", "vehicles": "4", "daily_km": ""},
    ]
    assert frame.attrs["delimiter"] == ","


def test_a_zip_bomb_is_refused_by_its_central_directory_before_parsing() -> None:
    content = bomb_workbook(300)
    assert len(content) < 2 * 1024 * 1024  # about a MB on the wire
    error = refusal(content, UploadLimits())  # the default 200 MB unpacked
    assert error.status_code == 413
    assert "unpacks to 300.0 MB" in error.message
    assert (
        "xl/worksheets/sheet1.xml" in error.message and "LAADPLAN_MAX_UNPACKED_MB" in error.message
    )


def test_rows_beyond_the_limit_stop_the_stream() -> None:
    error = refusal(rows_workbook(1200))
    assert error.status_code == 413
    assert "more than 1000 data rows" in error.message


def test_a_declared_dimension_beyond_the_limit_is_refused_before_streaming() -> None:
    error = refusal(rows_workbook(3, dimension="A1:A50000"))
    assert error.status_code == 413 and "declares more than 1000 data rows" in error.message


def test_too_many_columns_are_refused() -> None:
    error = refusal(rows_workbook(3, columns=60))
    assert error.status_code == 413 and "60 columns; at most 50" in error.message


def test_a_directory_that_understates_a_member_ends_in_a_422_not_a_bomb() -> None:
    error = refusal(understated_workbook())
    assert error.status_code == 422
    assert "sheet1.xml" in error.message and "CRC" in error.message


@pytest.mark.parametrize(
    ("content", "named"),
    [
        (not_a_zip(), "not a readable one"),
        (truncated_workbook(), "truncated or damaged"),
        (zip_without_workbook(), "no xl/workbook.xml"),
    ],
)
def test_malformed_zip_files_are_a_422_naming_the_problem(content: bytes, named: str) -> None:
    error = refusal(content)
    assert error.status_code == 422
    assert named in error.message and error.message.startswith("needs.xlsx: ")


def test_a_doubled_header_is_named() -> None:
    error = refusal(small_workbook([["need_id", "need_id"], ["a", "b"]]))
    assert error.status_code == 422 and "need_id more than once" in error.message


def test_csv_rows_are_limited_too() -> None:
    content = ("need_id\n" + "".join(f"n{i}\n" for i in range(1001))).encode()
    with pytest.raises(UploadRefusedError, match="more than 1000 data rows"):
        read_bounded_upload(content, "needs.csv", SMALL)


def test_a_set_cancel_signal_stops_the_read() -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(UploadCancelledError):
        read_bounded_upload(rows_workbook(10), "needs.xlsx", SMALL, cancel)


class GoneClient:
    """A request whose client disconnects after ``after_s``."""

    def __init__(self, after_s: float) -> None:
        self.gone_at = time.monotonic() + after_s

    async def is_disconnected(self) -> bool:
        return time.monotonic() >= self.gone_at


def wait_for_cancel(cancel: threading.Event) -> str:
    """Work that runs until it is cancelled (at most 30 s)."""
    if not cancel.wait(timeout=30):
        return "ran to the end"
    raise UploadCancelledError("stopped")


def test_the_work_is_cancelled_when_the_client_disconnects() -> None:
    async def main() -> None:
        with pytest.raises(UploadCancelledError):
            await run_cancellable(GoneClient(0.3), wait_for_cancel, timeout_s=60)  # type: ignore[arg-type]

    anyio.run(main)


def test_the_work_is_cancelled_at_the_time_limit() -> None:
    async def main() -> None:
        with pytest.raises(UploadCancelledError):
            await run_cancellable(GoneClient(3600), wait_for_cancel, timeout_s=0.3)  # type: ignore[arg-type]

    anyio.run(main)


def test_finished_work_returns_its_result() -> None:
    async def main() -> str:
        return await run_cancellable(GoneClient(3600), lambda _: "done", timeout_s=60)  # type: ignore[arg-type]

    assert anyio.run(main) == "done"


def test_limits_are_settings_with_sane_defaults() -> None:
    defaults = limits_from(load_settings({}))
    assert (defaults.max_rows, defaults.max_unpacked_bytes) == (100_000, 200 * 1024 * 1024)
    settings: Settings = load_settings(
        {"LAADPLAN_MAX_UPLOAD_ROWS": "50", "LAADPLAN_MAX_UNPACKED_MB": "1.5"}
    )
    assert limits_from(settings).max_rows == 50
    assert limits_from(settings).max_unpacked_bytes == int(1.5 * 1024 * 1024)
