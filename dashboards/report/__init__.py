"""The regional charging plan (*bovenlokaal laadplan*) of one vervoerregio, as HTML or PDF.

:func:`build_region_report` gathers the figures of a region from a case and the results folder
of ``laadplan run`` / ``laadplan plan`` (:mod:`._content`); :func:`render_html` lays them out
with the dashboard's Plotly figures (:mod:`._render`); :func:`print_pdf` prints the page with
headless Chromium (:mod:`._pdf`).  :func:`write_report` chains the three.

Only figures from files that already passed the disclosure rule leave through the report: the
charger aggregates and the operator's capacity requests as the plan wrote them.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from dashboards.plan_data import PlanOutputs
from dashboards.report._content import RegionReport, build_region_report
from dashboards.report._pdf import PRINT_TIMEOUT_S, ReportError, print_pdf
from dashboards.report._render import render_html
from dashboards.store import CaseStore

__all__ = [
    "MEDIA_TYPES",
    "RegionReport",
    "ReportError",
    "build_region_report",
    "print_pdf",
    "render_html",
    "report_bytes",
    "write_report",
]

#: Output formats of :func:`write_report`.
FORMATS = ("pdf", "html")


#: Media type of each format.
MEDIA_TYPES = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}


def report_bytes(
    store: CaseStore,
    region: str | int,
    fmt: str = "pdf",
    lang: str = "nl",
    k: int | None = None,
    timeout_s: float = PRINT_TIMEOUT_S,
    plan: PlanOutputs | None = None,
) -> bytes:
    """The report of ``region`` from a case store, as the bytes of a PDF or HTML file.

    ``k`` overrides the scenario's k-anonymity (the service's setting); a PDF print taking
    longer than ``timeout_s`` is stopped (:class:`ReportError`); ``plan`` replaces the store's
    plan (:func:`build_region_report`).
    """
    if fmt not in FORMATS:
        raise ReportError(f"unknown report format {fmt!r}; valid: {', '.join(FORMATS)}")
    html = render_html(build_region_report(store, region, k, plan), lang)
    if fmt == "html":
        return html.encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="laadplan-pdf-") as folder:
        return print_pdf(html, Path(folder) / "report.pdf", timeout_s).read_bytes()


def write_report(
    data_dir: Path,
    results_dir: Path,
    region: str,
    out: Path,
    fmt: str = "pdf",
    lang: str = "nl",
) -> Path:
    """Write the report of ``region`` (name or code) to ``out``; return ``out``."""
    content = report_bytes(CaseStore(Path(data_dir), Path(results_dir)), region, fmt, lang)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(content)
    return out
