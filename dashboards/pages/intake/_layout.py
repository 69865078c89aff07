"""Intake page layout: the upload area and the outcome."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboards.components import download_bar, heading, label

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
                [label("intake.template"), download_bar("in-template", TEMPLATE_KINDS)],
                id="in-template-bar",
            ),
            dcc.Upload(
                id="in-upload",
                children=html.Div(label("intake.upload")),
                className="upload",
                multiple=False,
                max_size=MAX_UPLOAD_BYTES,
                accept=".csv,.xlsx",
            ),
            dcc.Loading(html.Div(id="in-result")),
            html.Div(download_bar("in-errors"), id="in-errors-bar", style={"display": "none"}),
            html.Div(download_bar("in-valid"), id="in-valid-bar", style={"display": "none"}),
        ],
        className="page",
    )
