"""Overview page layout: year slider, filters, headlines, roll-out, map, municipality table."""

from __future__ import annotations

from typing import Any

from dash import html

from dashboards.components import area_filters, download_bar, graph, heading, kpi_card
from dashboards.context import AppContext
from dashboards.pages.overview import _ids as ids

PREFIX = "ov"
#: Headline figures: (label key, element id), in the order of ``headline_texts``.
KPIS = (
    ("kpi.ze_vehicles", ids.KPI_VEHICLES),
    ("kpi.energy", ids.KPI_ENERGY),
    ("kpi.peak", ids.KPI_PEAK),
    ("kpi.chargers", ids.KPI_CHARGERS),
    ("kpi.ladder", ids.KPI_LADDER),
    ("kpi.unmet", ids.KPI_UNMET),
    ("kpi.shortfall", ids.KPI_SHORTFALL),
)


def layout(context: AppContext) -> Any:
    """The overview page."""
    years = context.store.years
    return html.Div(
        [
            heading("overview.title"),
            area_filters(PREFIX, years, years[-1], slider=True),
            html.Div([kpi_card(key, kpi_id) for key, kpi_id in KPIS], className="kpis"),
            graph(ids.ROLLOUT),
            download_bar(ids.ROLLOUT),
            heading("overview.map", 3),
            graph(ids.MAP),
            download_bar(ids.MAP, ("geojson", "csv", "xlsx")),
            heading("overview.by_municipality", 3),
            html.Div(id=ids.TABLE),
            download_bar(ids.TABLE),
        ],
        className="page",
    )
