"""Plan page layout."""

from __future__ import annotations

from typing import Any

from dash import html

from dashboards.components import download_bar, dropdown, field, graph, heading, label
from dashboards.plan_sources import plan_sources


def layout(context: Any) -> Any:
    """The plan page: a note when there is no plan yet."""
    sources = plan_sources(context.store.plan, context.jobs, context.runs)
    if not sources:
        return html.Div(
            [
                heading("plan.title"),
                html.Div(label("plan.none"), className="message info", id="pl-none"),
            ],
            className="page",
        )
    return html.Div(
        [
            heading("plan.title"),
            html.Div(
                [
                    field(
                        "scen.runs", dropdown("pl-source", sources, sources[0][0], clearable=False)
                    ),
                    field("filter.year", dropdown("pl-year", [], None, clearable=False)),
                ],
                className="filters",
            ),
            html.Div(id="pl-status", className="message info"),
            heading("plan.map", 3),
            graph("pl-map"),
            download_bar("pl-map", ("geojson", "csv", "xlsx")),
            html.Div([graph("pl-ladder"), graph("pl-municipality-chart")], className="two-columns"),
            heading("plan.sites", 3),
            html.Div(id="pl-sites"),
            download_bar("pl-sites"),
            heading("plan.per_municipality", 3),
            html.Div(id="pl-municipalities"),
            download_bar("pl-municipalities"),
            heading("plan.reinforcement", 3),
            html.Div(id="pl-reinforcement"),
            download_bar("pl-reinforcement"),
            heading("plan.unmet", 3),
            html.Div(id="pl-unmet"),
            download_bar("pl-unmet"),
        ],
        className="page",
    )
