"""Grid callbacks."""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, State

from dashboards.components import LANG_STORE, data_table, register_download
from dashboards.context import AppContext
from dashboards.downloads import geojson_download, table_download
from dashboards.geo import municipality_outlines
from dashboards.i18n import language, t
from dashboards.pages.grid import _business_logic as logic
from dashboards.pages.grid import _figures as figures
from dashboards.pages.grid import _ids as ids
from dashboards.store import GridOverlay
from grid_data.reports import requests_geojson


def overlay_of(context: AppContext) -> GridOverlay:
    """The case's overlay (the page is only built when there is one)."""
    overlay = context.store.overlay
    if overlay is None:
        raise RuntimeError("the case has no grid overlay")
    return overlay


def update_grid(context: AppContext, lang: Any, year: Any, shared: Any) -> tuple[Any, ...]:
    """Heat map, node choices, congestion and requests for the year."""
    lang, year = language(lang), int(year or context.store.years[-1])
    overlay, shared_only = overlay_of(context), bool(shared)
    nodes = logic.node_frame(overlay.node_load, year, shared_only)
    options = [
        {"value": n, "label": f"{name} ({n})"}
        for n, name in zip(nodes["node_id"], nodes["name"], strict=True)
    ]
    hidden = t("grid.hidden_nodes", lang, hidden=logic.hidden_nodes(overlay.node_load, year))
    requests = logic.request_rows(overlay.requests, year)
    return (
        figures.make_heatmap_figure(
            logic.margin_matrix(overlay.node_load, year, shared_only), lang
        ),
        options,
        options[0]["value"] if options else None,
        hidden,
        data_table(logic.congestion_rows(overlay.congestion, year), lang),
        figures.make_requests_map(municipality_outlines(), requests, lang, context.tiles),
        data_table(requests, lang),
    )


def update_curve(context: AppContext, lang: Any, node: Any, year: Any) -> Any:
    """The load curve of the chosen node."""
    lang, year = language(lang), int(year or context.store.years[-1])
    node_load = overlay_of(context).node_load
    if not node:
        return figures.make_node_curve_figure(
            logic.node_curve(node_load, str(node_load["node"].values[0]), year), "", lang
        )
    name = str(node_load["name"].sel(node=node).values)
    return figures.make_node_curve_figure(
        logic.node_curve(node_load, str(node), year), f"{name} ({node})", lang
    )


def download_congestion(context: AppContext, kind: str, year: Any) -> dict[str, Any]:
    """The congestion rows of the year."""
    rows = logic.congestion_rows(overlay_of(context).congestion, int(year))
    return table_download(kind, rows, f"congestion_{year}")


def download_requests(context: AppContext, kind: str, year: Any) -> dict[str, Any]:
    """The capacity requests of the year, as a table or GeoJSON."""
    rows = logic.request_rows(overlay_of(context).requests, int(year))
    if kind == "geojson":
        return geojson_download(requests_geojson(rows), f"capacity_requests_{year}")
    return table_download(kind, rows, f"capacity_requests_{year}")


def register(app: Dash, context: AppContext) -> None:
    """Add the grid page's callbacks."""
    app.callback(
        Output(ids.HEATMAP, "figure"),
        Output(ids.NODE, "options"),
        Output(ids.NODE, "value"),
        Output(ids.HIDDEN, "children"),
        Output(ids.CONGESTION, "children"),
        Output(ids.MAP, "figure"),
        Output(ids.REQUESTS, "children"),
        Input(LANG_STORE, "data"),
        Input(ids.YEAR, "value"),
        Input(ids.SHARED, "value"),
    )(lambda lang, year, shared: update_grid(context, lang, year, shared))
    app.callback(
        Output(ids.CURVE, "figure"),
        Input(LANG_STORE, "data"),
        Input(ids.NODE, "value"),
        Input(ids.YEAR, "value"),
    )(lambda lang, node, year: update_curve(context, lang, node, year))
    year = [State(ids.YEAR, "value")]
    register_download(
        app,
        ids.CONGESTION,
        ("csv", "xlsx"),
        year,
        lambda kind, y: download_congestion(context, kind, y),
    )
    register_download(
        app,
        ids.REQUESTS,
        ("csv", "xlsx", "geojson"),
        year,
        lambda kind, y: download_requests(context, kind, y),
    )
