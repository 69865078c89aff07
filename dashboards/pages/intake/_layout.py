"""Intake page layout: the upload area and the outcome."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboards.components import download_bar, heading, label
from dashboards.pages.intake import _ids as ids

#: Formats of the needs template offered for download.
TEMPLATE_KINDS = ("xlsx", "csv")
#: Largest upload accepted, bytes.
MAX_UPLOAD_BYTES = 20_000_000


def layout(_context: Any) -> Any:
    """The intake page."""
    return html.Div(
        [
            heading("intake.title"),
            html.Div(
                [label("intake.template"), download_bar(ids.TEMPLATE, TEMPLATE_KINDS)],
                id=ids.TEMPLATE_BAR,
            ),
            dcc.Upload(
                id=ids.UPLOAD,
                children=html.Div(label("intake.upload")),
                className="upload",
                multiple=False,
                max_size=MAX_UPLOAD_BYTES,
                accept=".csv,.xlsx",
            ),
            dcc.Loading(html.Div(id=ids.RESULT)),
            html.Div(download_bar(ids.ERRORS), id=ids.ERRORS_BAR, style={"display": "none"}),
            html.Div(download_bar(ids.VALID), id=ids.VALID_BAR, style={"display": "none"}),
        ],
        className="page",
    )
