"""Plan page: what a vervoerregio hands in — its report as a PDF, and the congestion exemptions.

The report is the one ``laadplan report`` writes (:func:`dashboards.report.report_bytes`) for
the region chosen here and the plan chosen at the top of the page (a Scenarios-page run's plan
included); the language is the page's.  The exemptions table is
:func:`dashboards.pages.plan._exemptions.exemptions_by_city` of the chosen plan and year.
"""

from __future__ import annotations

import base64
from typing import Any

from dash import Dash, Input, Output, State, dcc, html

from dashboards.components import (
    LANG_STORE,
    data_table,
    download_bar,
    dropdown,
    field,
    heading,
    label,
    register_download,
)
from dashboards.context import AppContext
from dashboards.downloads import table_download
from dashboards.i18n import language, t
from dashboards.pages.plan import _ids as ids
from dashboards.pages.plan._exemptions import exemptions_by_city
from dashboards.plan_data import PlanOutputs
from dashboards.plan_sources import RESULTS, plan_of
from dashboards.report import MEDIA_TYPES, ReportError, report_bytes
from dashboards.selection import region_options
from dashboards.store import CaseStore
from planner.workflows.exemptions import ZesMembership


def handin_section(context: Any) -> list[Any]:
    """The exemptions table and the report download, below the plan's own tables."""
    regions = region_options()
    return [
        heading("plan.exemptions", 3),
        html.Div(label("plan.exemptions_note"), className="table-note"),
        html.Div(id=ids.EXEMPTIONS),
        download_bar(ids.EXEMPTIONS),
        heading("plan.report", 3),
        html.Div(
            [
                field(
                    "filter.region",
                    dropdown(
                        ids.REPORT_REGION, regions, default_region(context.store), clearable=False
                    ),
                    uid="report",
                ),
                html.Button(label("plan.report_pdf"), id=ids.REPORT_BUTTON, className="action"),
            ],
            className="filters",
        ),
        dcc.Loading(html.Div(id=ids.REPORT_STATUS)),
        dcc.Download(id=ids.REPORT_DOWNLOAD),
    ]


def default_region(store: CaseStore) -> int:
    """The vervoerregio most of the case's needs are in (Leuven without needs)."""
    codes: list[Any] = list(store.needs.get("vervoerregio_code", []))
    counts = [int(code) for code in codes if str(code).isdigit()]
    return max(set(counts), key=counts.count) if counts else 7


def chosen_plan(context: AppContext, source: Any) -> PlanOutputs | None:
    """The plan chosen at the top of the page."""
    return plan_of(source, context.store.plan, context.jobs, context.runs)


def exemptions_table(context: AppContext, source: Any, year: Any) -> Any:
    """The exemptions of the chosen plan and year, per ZES city."""
    plan = chosen_plan(context, source)
    if plan is None or year is None:
        return None
    store = context.store
    return exemptions_by_city(plan, ZesMembership.of(store.needs, store.zones), int(year))


def show_exemptions(context: AppContext, lang: Any, source: Any, year: Any) -> Any:
    """The exemptions table as the page shows it."""
    table = exemptions_table(context, source, year)
    return data_table(table, language(lang)) if table is not None else ""


def report_download(
    context: AppContext, n_clicks: Any, region: Any, source: Any, lang: Any
) -> tuple[Any, str]:
    """The PDF report of the region and plan as a download, and a line saying what happened."""
    lang = language(lang)
    if not n_clicks or region is None:
        return None, ""
    plan = chosen_plan(context, source)
    other = None if source == RESULTS else plan
    try:
        content = report_bytes(context.store, int(region), "pdf", lang, plan=other)
    except ReportError as exc:
        return None, t("plan.report_failed", lang, error=str(exc))
    name = report_filename(int(region), source)
    data = {
        "content": base64.b64encode(content).decode("ascii"),
        "filename": name,
        "type": MEDIA_TYPES["pdf"],
        "base64": True,
    }
    return data, t("plan.report_ready", lang, name=name)


def report_filename(region: int, source: Any) -> str:
    """The PDF's file name: the region and the plan it comes from.

    Examples
    --------
    >>> report_filename(7, "results"), report_filename(7, "run-2")
    ('laadplan-vervoerregio7.pdf', 'laadplan-vervoerregio7-run-2.pdf')
    """
    suffix = "" if source in (RESULTS, None) else f"-{str(source).replace(':', '-')}"
    return f"laadplan-vervoerregio{region}{suffix}.pdf"


def register_handin(app: Dash, context: AppContext) -> None:
    """Add the callbacks of the exemptions table and the report download."""
    app.callback(
        Output(ids.EXEMPTIONS, "children"),
        Input(LANG_STORE, "data"),
        Input(ids.SOURCE, "value"),
        Input(ids.YEAR, "value"),
    )(lambda lang, source, year: show_exemptions(context, lang, source, year))
    register_download(
        app,
        ids.EXEMPTIONS,
        ("csv", "xlsx"),
        [State(ids.SOURCE, "value"), State(ids.YEAR, "value")],
        lambda kind, source, year: _exemptions_file(context, kind, source, year),
    )
    app.callback(
        Output(ids.REPORT_DOWNLOAD, "data"),
        Output(ids.REPORT_STATUS, "children"),
        Input(ids.REPORT_BUTTON, "n_clicks"),
        State(ids.REPORT_REGION, "value"),
        State(ids.SOURCE, "value"),
        State(LANG_STORE, "data"),
        prevent_initial_call=True,
    )(lambda n, region, source, lang: report_download(context, n, region, source, lang))


def _exemptions_file(
    context: AppContext, kind: str, source: Any, year: Any
) -> dict[str, Any] | None:
    table = exemptions_table(context, source, year)
    return None if table is None else table_download(kind, table, f"plan_exemptions_{year}")
