"""The regional charging plan (*bovenlokaal laadplan*) of one vervoerregio, as HTML or PDF.

:func:`build_region_report` gathers the figures of a region from a case and the results folder
of ``laadplan run`` / ``laadplan plan`` (:mod:`._content`); :func:`render_html` lays them out
with the dashboard's Plotly figures (:mod:`._render`); :func:`print_pdf` prints the page with
headless Chromium (:mod:`._pdf`).  :func:`write_report` chains the three.

Only figures from files that already passed the disclosure rule leave through the report: the
charger aggregates and the operator's capacity requests as the plan wrote them.
"""

from __future__ import annotations

from pathlib import Path

from dashboards.report._content import RegionReport, build_region_report
from dashboards.report._pdf import ReportError, print_pdf
from dashboards.report._render import render_html
from dashboards.store import CaseStore

__all__ = [
    "RegionReport",
    "ReportError",
    "build_region_report",
    "print_pdf",
    "render_html",
    "write_report",
]

#: Output formats of :func:`write_report`.
FORMATS = ("pdf", "html")


def write_report(
    data_dir: Path,
    results_dir: Path,
    region: str,
    out: Path,
    fmt: str = "pdf",
    lang: str = "nl",
) -> Path:
    """Write the report of ``region`` (name or code) to ``out``; return ``out``."""
    store = CaseStore(Path(data_dir), Path(results_dir))
    report = build_region_report(store, region)
    html = render_html(report, lang)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "html":
        out.write_text(html, encoding="utf-8")
        return out
    if fmt != "pdf":
        raise ReportError(f"unknown report format {fmt!r}; valid: {', '.join(FORMATS)}")
    print_pdf(html, out)
    return out
