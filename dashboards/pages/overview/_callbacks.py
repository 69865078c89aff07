"""Overview callbacks: thin glue between the filters and the business logic and figures."""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output

from dashboards.components import (
    LANG_STORE,
    area_filter_states,
    area_filter_values,
    data_table,
    register_area_filters,
    register_download,
)
from dashboards.context import AppContext
from dashboards.downloads import geojson_download, table_download
from dashboards.geo import municipality_outlines
from dashboards.i18n import language
from dashboards.pages.overview import _business_logic as logic
from dashboards.pages.overview import _figures as figures
from dashboards.pages.overview import _ids as ids
from dashboards.pages.overview._layout import KPIS, PREFIX
from dashboards.selection import Selection


def update_overview(context: AppContext, lang: Any, *values: Any) -> tuple[Any, ...]:
    """Headline texts, the map figure and the municipality table for the filters."""
    lang = language(lang)
    selection = context.selection(*values)
    store = context.store
    headline = logic.make_headline(store.demand, selection, store.plan, store.overlay, store.grid)
    tables = map_tables(context, selection)
    figure = figures.make_overview_map(
        municipality_outlines(), *tables, lang, focus=focus_outlines(selection), tiles=context.tiles
    )
    plan_year = store.plan.year_of(selection.year) if store.plan is not None else None
    rollout = figures.make_rollout_figure(
        logic.rollout_by_year(store.plan, selection), plan_year, lang
    )
    table = logic.municipality_table(store.demand, selection, store.plan)
    return (*figures.headline_texts(headline, lang), rollout, figure, data_table(table, lang))


def map_tables(context: AppContext, selection: Selection) -> tuple[Any, Any, Any, Any]:
    """Municipalities, depots, sites and grid nodes of the selection."""
    store = context.store
    return (
        logic.municipality_table(store.demand, selection),
        logic.depot_table(store.demand, selection),
        logic.site_table(store.sites, store.plan, selection),
        logic.grid_node_table(store.grid, selection),
    )


def focus_outlines(selection: Selection) -> Any:
    """Outlines of the selected area (``None`` for all of Flanders)."""
    outlines = municipality_outlines()
    if selection.municipality is not None:
        return outlines[outlines["nis_code"] == selection.municipality]
    if selection.region is not None:
        return outlines[outlines["vervoerregio_code"] == selection.region]
    return None


def download_map(context: AppContext, kind: str, *values: Any) -> dict[str, Any]:
    """The map as GeoJSON, or its municipality table as CSV/Excel."""
    selection = context.selection(*values)
    municipalities, depots, sites, nodes = map_tables(context, selection)
    stem = f"overview_{selection.year}"
    if kind == "geojson":
        collection = figures.overview_geojson(
            municipality_outlines(), municipalities, depots, sites, nodes
        )
        return geojson_download(collection, stem)
    return table_download(kind, depots, f"{stem}_depots")


def download_table(context: AppContext, kind: str, *values: Any) -> dict[str, Any]:
    """The per-municipality table as CSV or Excel."""
    selection = context.selection(*values)
    table = logic.municipality_table(context.store.demand, selection, context.store.plan)
    return table_download(kind, table, f"municipalities_{selection.year}")


def download_rollout(context: AppContext, kind: str, *values: Any) -> dict[str, Any]:
    """The roll-out per year and tier of the selected area as CSV or Excel."""
    selection = context.selection(*values)
    table = logic.rollout_by_year(context.store.plan, selection)
    return table_download(kind, table, "rollout")


def register(app: Dash, context: AppContext) -> None:
    """Add the overview's callbacks."""
    register_area_filters(app, PREFIX)
    outputs = [Output(kpi_id, "children") for _, kpi_id in KPIS]
    app.callback(
        *outputs,
        Output(ids.ROLLOUT, "figure"),
        Output(ids.MAP, "figure"),
        Output(ids.TABLE, "children"),
        Input(LANG_STORE, "data"),
        *area_filter_values(PREFIX),
    )(lambda lang, *values: update_overview(context, lang, *values))
    states = area_filter_states(PREFIX)
    register_download(
        app,
        ids.MAP,
        ("geojson", "csv", "xlsx"),
        states,
        lambda kind, *v: download_map(context, kind, *v),
    )
    register_download(
        app, ids.TABLE, ("csv", "xlsx"), states, lambda kind, *v: download_table(context, kind, *v)
    )
    register_download(
        app,
        ids.ROLLOUT,
        ("csv", "xlsx"),
        states,
        lambda kind, *v: download_rollout(context, kind, *v),
    )
