"""Print an HTML page to PDF with headless Chromium (the browser the dashboard tests use).

Chromium is looked up as ``$LAADPLAN_CHROMIUM``, else ``chromium``, ``chromium-browser`` or
``google-chrome`` on the ``PATH`` (Debian's package ``chromium``; ``make browser`` installs it).
It runs with no network, a fresh profile and a time budget that lets the page's scripts (the
Plotly figures) draw before printing.
"""

from __future__ import annotations

import os
import shutil
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


def print_pdf(html: str, out: Path) -> Path:
    """Print ``html`` to the PDF file ``out``; return ``out``."""
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
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=PRINT_TIMEOUT_S, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise ReportError(
                f"Chromium did not print the report in {PRINT_TIMEOUT_S:.0f} s"
            ) from exc
    if done.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
        raise ReportError(
            f"Chromium could not print the report (exit {done.returncode}): "
            f"{done.stderr.strip()[-500:]}"
        )
    return out
