"""Plan page layout."""

from __future__ import annotations

from typing import Any

from dash import html

from dashboards.components import download_bar, dropdown, field, graph, heading, label
from dashboards.pages.plan import _ids as ids
from dashboards.pages.plan._handin import handin_section
from dashboards.plan_sources import plan_sources


def layout(context: Any) -> Any:
    """The plan page: a note when there is no plan yet."""
    sources = plan_sources(context.store.plan, context.jobs, context.runs)
    if not sources:
        return html.Div(
            [
                heading("plan.title"),
                html.Div(label("plan.none"), className="message info", id=ids.NONE),
            ],
            className="page",
        )
    return html.Div(
        [
            heading("plan.title"),
            html.Div(
                [
                    field(
                        "scen.runs", dropdown(ids.SOURCE, sources, sources[0][0], clearable=False)
                    ),
                    field("filter.year", dropdown(ids.YEAR, [], None, clearable=False)),
                ],
                className="filters",
            ),
            html.Div(id=ids.STATUS, className="message info"),
            heading("plan.map", 3),
            graph(ids.MAP),
            download_bar(ids.MAP, ("geojson", "csv", "xlsx")),
            html.Div([graph(ids.LADDER), graph(ids.MUNICIPALITY_CHART)], className="two-columns"),
            heading("plan.sites", 3),
            html.Div(id=ids.SITES),
            download_bar(ids.SITES),
            heading("plan.per_municipality", 3),
            html.Div(id=ids.MUNICIPALITIES),
            download_bar(ids.MUNICIPALITIES),
            heading("plan.reinforcement", 3),
            html.Div(id=ids.REINFORCEMENT),
            download_bar(ids.REINFORCEMENT),
            heading("plan.unmet", 3),
            html.Div(id=ids.UNMET),
            download_bar(ids.UNMET),
            *handin_section(context),
        ],
        className="page",
    )
