"""Overview page layout: filters, headline figures, the map and the per-municipality table."""

from __future__ import annotations

from typing import Any

from dash import html

from dashboards.components import area_filters, download_bar, graph, heading, kpi_card
from dashboards.context import AppContext

PREFIX = "ov"
#: Headline figures: (label key, element id), in the order of ``headline_texts``.
KPIS = (
    ("kpi.ze_vehicles", "ov-kpi-vehicles"),
    ("kpi.energy", "ov-kpi-energy"),
    ("kpi.peak", "ov-kpi-peak"),
    ("kpi.chargers", "ov-kpi-chargers"),
    ("kpi.ladder", "ov-kpi-ladder"),
    ("kpi.unmet", "ov-kpi-unmet"),
    ("kpi.shortfall", "ov-kpi-shortfall"),
)


def layout(context: AppContext) -> Any:
    """The overview page."""
    years = context.store.years
    return html.Div(
        [
            heading("overview.title"),
            area_filters(PREFIX, years, years[-1]),
            html.Div([kpi_card(key, kpi_id) for key, kpi_id in KPIS], className="kpis"),
            heading("overview.map", 3),
            graph("ov-map"),
            download_bar("ov-map", ("geojson", "csv", "xlsx")),
            heading("overview.by_municipality", 3),
            html.Div(id="ov-table"),
            download_bar("ov-table"),
        ],
        className="page",
    )
