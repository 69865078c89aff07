"""Grid page layout."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboards.components import download_bar, dropdown, field, graph, heading, label
from dashboards.pages.grid import _ids as ids


def layout(context: Any) -> Any:
    """The grid page (a note when the case has no grid)."""
    store = context.store
    if store.overlay is None:
        return html.Div(
            [heading("grid.title"), html.Div(label("grid.no_grid"), className="message info")],
            className="page",
        )
    years = store.years
    shared = dcc.Checklist(
        id=ids.SHARED, options=[{"value": "shared", "label": ""}], value=[], inline=True
    )
    return html.Div(
        [
            heading("grid.title"),
            html.Div(
                [
                    field(
                        "filter.year",
                        dropdown(
                            ids.YEAR, [(y, str(y)) for y in years], years[-1], clearable=False
                        ),
                    ),
                    field("filter.shared_only", shared),
                ],
                className="filters",
            ),
            html.Div(
                [label("grid.internal"), " ", html.Span(id=ids.HIDDEN)], className="message info"
            ),
            graph(ids.HEATMAP),
            field("filter.node", dropdown(ids.NODE, [], None, clearable=False)),
            graph(ids.CURVE),
            heading("grid.congestion", 3),
            html.Div(id=ids.CONGESTION),
            download_bar(ids.CONGESTION),
            heading("grid.requests", 3),
            graph(ids.MAP),
            html.Div(id=ids.REQUESTS),
            download_bar(ids.REQUESTS, ("csv", "xlsx", "geojson")),
        ],
        className="page",
    )
