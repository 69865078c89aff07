"""Intake callbacks: validate the upload and show the outcome; nothing is taken in."""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, State, html

from dashboards.components import LANG_STORE, data_table, heading, register_download
from dashboards.context import AppContext
from dashboards.downloads import table_download
from dashboards.i18n import language
from dashboards.pages.intake import _business_logic as logic
from dashboards.pages.intake import _figures as figures
from dashboards.pages.intake import _ids as ids
from dashboards.pages.intake._layout import TEMPLATE_KINDS
from planner.workflows.datafolder import CaseFile

HIDDEN = {"display": "none"}


def result_of(contents: str | None, filename: str | None) -> logic.IntakeResult | None:
    """Validate the uploaded contents (``None`` before any upload)."""
    if not contents:
        return None
    try:
        content = logic.decode_upload(contents)
    except ValueError as exc:
        return logic.IntakeResult(filename or "", None, None, str(exc))
    return logic.validate_upload(filename or CaseFile.NEEDS, content)


def show_upload(
    context: AppContext, contents: Any, filename: Any, lang: Any
) -> tuple[Any, dict[str, str], dict[str, str]]:
    """The outcome block, and whether the error and the validated-table downloads are shown."""
    lang = language(lang)
    result = result_of(contents, filename)
    if result is None:
        return [], HIDDEN, HIDDEN
    text = figures.outcome_text(result, lang)
    if result.table is not None:
        store = context.store
        logic.add_zone_warnings(result, store.zones)
        added = logic.additions(result.table, store.zones, store.scenario, store.demand)
        return (
            [
                html.Div(text, className="message ok", id=ids.OUTCOME),
                *warning_block(result, lang),
                heading("intake.adds", 3),
                data_table(figures.additions_table(added, lang), lang),
                heading("intake.preview", 3),
                data_table(logic.preview(result.table), lang),
            ],
            HIDDEN,
            {},
        )
    issues = [] if result.report is None else result.report.sorted_issues()
    errors = figures.issue_table(issues, lang, logic.ERROR_COLUMNS)
    parts = [html.Div(text, className="message error", id=ids.OUTCOME)]
    if not errors.empty:
        parts += [
            heading("intake.errors", 3),
            html.Div(data_table(errors, lang, max_rows=500), id=ids.ERROR_TABLE),
        ]
    parts += warning_block(result, lang)
    return parts, ({} if not errors.empty else HIDDEN), HIDDEN


def warning_block(result: logic.IntakeResult, lang: str) -> list[Any]:
    """The warnings of an upload (what was read tolerantly), or nothing when there are none."""
    found = [] if result.report is None else result.report.sorted_warnings()
    warnings = figures.issue_table(found, lang, logic.WARNING_COLUMNS)
    if warnings.empty:
        return []
    return [
        heading("intake.warnings", 3),
        html.Div(data_table(warnings, lang, max_rows=200), id="in-warning-table"),
    ]


def download_template(kind: str) -> dict[str, Any]:
    """The needs template (``xlsx`` with dropdowns, or ``csv``)."""
    return logic.template_download(kind)


def download_errors(kind: str, contents: Any, filename: Any) -> dict[str, Any] | None:
    """The error table of the current upload as CSV or Excel."""
    result = result_of(contents, filename)
    if result is None:
        return None
    return table_download(kind, logic.error_table(result), "needs_errors")


def download_valid(kind: str, contents: Any, filename: Any) -> dict[str, Any] | None:
    """The validated table of the current upload (typed, with the derived columns)."""
    result = result_of(contents, filename)
    if result is None or result.table is None:
        return None
    return table_download(kind, result.table, "needs_validated")


def register(app: Dash, context: AppContext) -> None:
    """Add the intake page's callbacks."""
    app.callback(
        Output(ids.RESULT, "children"),
        Output(ids.ERRORS_BAR, "style"),
        Output(ids.VALID_BAR, "style"),
        Input(ids.UPLOAD, "contents"),
        State(ids.UPLOAD, "filename"),
        Input(LANG_STORE, "data"),
    )(lambda contents, filename, lang: show_upload(context, contents, filename, lang))
    states = [State(ids.UPLOAD, "contents"), State(ids.UPLOAD, "filename")]
    register_download(app, ids.ERRORS, ("csv", "xlsx"), states, download_errors)
    register_download(app, ids.VALID, ("csv", "xlsx"), states, download_valid)
    register_download(app, ids.TEMPLATE, TEMPLATE_KINDS, [], download_template)
