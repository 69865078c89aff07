"""Plan callbacks."""

from __future__ import annotations

from typing import Any

import pandas as pd
from dash import Dash, Input, Output, State

from dashboards.components import LANG_STORE, data_table, register_download
from dashboards.context import AppContext
from dashboards.downloads import geojson_download, table_download
from dashboards.formatting import format_quantity
from dashboards.geo import municipality_outlines
from dashboards.i18n import language, t, translate_message, value_label
from dashboards.pages.plan import _business_logic as logic
from dashboards.pages.plan import _figures as figures
from dashboards.pages.plan import _ids as ids
from dashboards.pages.plan._handin import register_handin
from dashboards.plan_data import PlanOutputs, located_reinforcement, located_sites
from dashboards.plan_figures import make_plan_map, plan_geojson
from dashboards.plan_sources import plan_of

TABLES = tuple(ids.TABLES)


def source_plan(context: AppContext, source: Any) -> PlanOutputs | None:
    """The plan chosen in the source dropdown."""
    return plan_of(source, context.store.plan, context.jobs, context.runs)


def year_choices(context: AppContext, source: Any) -> tuple[list[dict[str, Any]], Any]:
    """The planned years of the chosen plan, the last one selected."""
    plan = source_plan(context, source)
    years = plan.years if plan is not None else []
    return [{"value": y, "label": str(y)} for y in years], (years[-1] if years else None)


def tables_of(context: AppContext, plan: PlanOutputs, year: int) -> dict[str, Any]:
    """The page's tables for a plan and year."""
    return {
        "sites": logic.chosen_sites(plan, year),
        "municipalities": logic.chargers_per_municipality(plan),
        "reinforcement": logic.reinforcement_of(plan, year),
        "unmet": logic.unmet_of(plan, year),
    }


def status_text(plan: PlanOutputs, year: int, lang: str) -> str:
    """The solve status line of the year, in the language (status, cost, the solver's words)."""
    status = logic.status_of(plan, year)
    cost = status.get("objective_eur")
    cost_text = "–" if cost is None else format_quantity(cost, t("unit.eur_year", lang), lang)
    message = translate_message(str(status.get("message") or ""), lang)
    state = value_label("status", str(status.get("status")), lang)
    return f"{t('plan.status', lang)} {year}: {state} — {cost_text} — {message}"


def update_plan(context: AppContext, lang: Any, source: Any, year: Any) -> tuple[Any, ...]:
    """Status, map, charts and tables of the chosen plan and year."""
    lang = language(lang)
    plan = source_plan(context, source)
    if plan is None or year is None:
        return ("", {}, {}, {}, *([data_table(pd.DataFrame(), lang)] * len(TABLES)))
    year = int(year)
    tables = tables_of(context, plan, year)
    per_municipality = tables["municipalities"]
    tables["municipalities"] = per_municipality[per_municipality["year"] == year]
    sites = located_sites(tables["sites"], context.store.sites)
    reinforcement = located_reinforcement(tables["reinforcement"], context.store.grid)
    return (
        status_text(plan, year, lang),
        make_plan_map(municipality_outlines(), sites, reinforcement, lang, context.tiles),
        figures.make_ladder_figure(logic.ladder_by_year(plan), lang),
        figures.make_municipality_figure(per_municipality, year, lang),
        *(data_table(tables[name], lang) for name in TABLES),
    )


def download_table(
    context: AppContext, name: str, kind: str, source: Any, year: Any
) -> dict[str, Any] | None:
    """One of the page's tables as CSV or Excel."""
    plan = source_plan(context, source)
    if plan is None or year is None:
        return None
    return table_download(kind, tables_of(context, plan, int(year))[name], f"plan_{name}_{year}")


def download_map(context: AppContext, kind: str, source: Any, year: Any) -> dict[str, Any] | None:
    """The plan's map as GeoJSON, or its located sites as a table."""
    plan = source_plan(context, source)
    if plan is None or year is None:
        return None
    tables = tables_of(context, plan, int(year))
    sites = located_sites(tables["sites"], context.store.sites)
    if kind == "geojson":
        reinforcement = located_reinforcement(tables["reinforcement"], context.store.grid)
        return geojson_download(plan_geojson(sites, reinforcement), f"plan_{year}")
    return table_download(kind, sites, f"plan_sites_{year}")


def register(app: Dash, context: AppContext) -> None:
    """Add the plan page's callbacks."""
    app.callback(
        Output(ids.YEAR, "options"), Output(ids.YEAR, "value"), Input(ids.SOURCE, "value")
    )(lambda source: year_choices(context, source))
    app.callback(
        Output(ids.STATUS, "children"),
        Output(ids.MAP, "figure"),
        Output(ids.LADDER, "figure"),
        Output(ids.MUNICIPALITY_CHART, "figure"),
        *(Output(ids.TABLES[name], "children") for name in TABLES),
        Input(LANG_STORE, "data"),
        Input(ids.SOURCE, "value"),
        Input(ids.YEAR, "value"),
    )(lambda lang, source, year: update_plan(context, lang, source, year))
    states = [State(ids.SOURCE, "value"), State(ids.YEAR, "value")]
    register_download(
        app,
        ids.MAP,
        ("geojson", "csv", "xlsx"),
        states,
        lambda kind, s, y: download_map(context, kind, s, y),
    )
    for name in TABLES:
        register_download(
            app, ids.TABLES[name], ("csv", "xlsx"), states,
            lambda kind, s, y, name=name: download_table(context, name, kind, s, y),
        )  # fmt: skip
    register_handin(app, context)
