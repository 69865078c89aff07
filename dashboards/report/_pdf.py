"""Print an HTML page to PDF with headless Chromium (the browser the dashboard tests use).

Chromium is looked up as ``$LAADPLAN_CHROMIUM``, else ``chromium``, ``chromium-browser`` or
``google-chrome`` on the ``PATH`` (Debian's package ``chromium``; ``make browser`` installs it).
It runs with no network, a fresh profile and a time budget that lets the page's scripts (the
Plotly figures) draw before printing.  It runs in a process group of its own: when the print
takes longer than its time limit, the whole group (browser, renderer, GPU and zygote
processes) is killed and :class:`ReportError` says so.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from validation import LaadplanError

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
#: Flags of a headless Chromium that reaches nothing but the page.
HEADLESS_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-pdf-header-footer",
)
#: Virtual time the page gets to draw its figures before it is printed, ms.
DRAW_BUDGET_MS = 10_000
#: Safety net on the whole print, s.
PRINT_TIMEOUT_S = 180.0


class ReportError(LaadplanError):
    """The report could not be made (no browser, a failed print, a bad option)."""


def find_browser() -> str:
    """The Chromium executable, or :class:`ReportError` naming what was looked for."""
    configured = os.environ.get("LAADPLAN_CHROMIUM")
    candidates = (configured,) if configured else BROWSERS
    for name in candidates:
        found = shutil.which(name)
        if found:
            return found
    raise ReportError(
        f"a PDF report needs headless Chromium; none of {', '.join(candidates)} was found "
        "(install Debian's 'chromium', e.g. with 'make browser', or use --format html)"
    )


def print_pdf(html: str, out: Path, timeout_s: float = PRINT_TIMEOUT_S) -> Path:
    """Print ``html`` to the PDF file ``out`` within ``timeout_s`` seconds; return ``out``.

    Raises
    ------
    ReportError
        Without Chromium, when it fails, or when it takes longer than ``timeout_s``.
    """
    browser = find_browser()
    with tempfile.TemporaryDirectory(prefix="laadplan-report-") as work:
        page = Path(work) / "report.html"
        page.write_text(html, encoding="utf-8")
        command = [
            browser,
            *HEADLESS_FLAGS,
            f"--user-data-dir={Path(work) / 'profile'}",
            f"--virtual-time-budget={DRAW_BUDGET_MS}",
            f"--print-to-pdf={out.resolve()}",
            page.as_uri(),
        ]
        returncode, stderr = _run_in_own_group(command, timeout_s)
    if returncode != 0 or not out.is_file() or out.stat().st_size == 0:
        raise ReportError(
            f"Chromium could not print the report (exit {returncode}): {stderr.strip()[-500:]}"
        )
    return out


def _run_in_own_group(command: list[str], timeout_s: float) -> tuple[int, str]:
    """Run ``command`` in a new process group; kill the group after ``timeout_s`` seconds."""
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _, stderr = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired as exc:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise ReportError(
            f"Chromium did not print the report within {timeout_s:g} s; it was stopped"
        ) from exc
    return process.returncode, stderr
