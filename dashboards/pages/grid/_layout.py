"""Grid page layout."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboards.components import download_bar, dropdown, field, graph, heading, label


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
        id="gr-shared", options=[{"value": "shared", "label": ""}], value=[], inline=True
    )
    return html.Div(
        [
            heading("grid.title"),
            html.Div(
                [
                    field(
                        "filter.year",
                        dropdown(
                            "gr-year", [(y, str(y)) for y in years], years[-1], clearable=False
                        ),
                    ),
                    field("filter.shared_only", shared),
                ],
                className="filters",
            ),
            html.Div(
                [label("grid.internal"), " ", html.Span(id="gr-hidden")], className="message info"
            ),
            graph("gr-heatmap"),
            field("filter.node", dropdown("gr-node", [], None, clearable=False)),
            graph("gr-curve"),
            heading("grid.congestion", 3),
            html.Div(id="gr-congestion"),
            download_bar("gr-congestion"),
            heading("grid.requests", 3),
            graph("gr-map"),
            html.Div(id="gr-requests"),
            download_bar("gr-requests", ("csv", "xlsx", "geojson")),
        ],
        className="page",
    )
