"""Demand page layout."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboards.components import area_filters, download_bar, field, graph, heading, option_labels
from dashboards.pages.demand import _ids as ids

PREFIX = "dm"
GROUP_OPTIONS = (("category", "demand.category"), ("sector", "demand.sector"))


def layout(context: Any) -> Any:
    """The demand page."""
    years = context.store.years
    group_by = dcc.RadioItems(
        id=ids.GROUP,
        options=option_labels(GROUP_OPTIONS, "nl"),
        value="category",
        inline=True,
    )
    return html.Div(
        [
            heading("demand.title"),
            html.Div(
                [area_filters(PREFIX, years, years[-1]), field("filter.group_by", group_by)],
                className="filters",
            ),
            html.Div([graph(ids.VEHICLES), graph(ids.ENERGY)], className="two-columns"),
            graph(ids.CURVE),
            download_bar(ids.CURVE),
            heading("demand.by_region", 3),
            html.Div(id=ids.TABLE),
            download_bar(ids.TABLE),
        ],
        className="page",
    )
