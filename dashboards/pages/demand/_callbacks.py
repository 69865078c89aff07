"""Demand callbacks."""

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
    register_option_labels,
)
from dashboards.context import AppContext
from dashboards.downloads import table_download
from dashboards.i18n import language
from dashboards.pages.demand import _business_logic as logic
from dashboards.pages.demand import _figures as figures
from dashboards.pages.demand import _ids as ids
from dashboards.pages.demand._layout import GROUP_OPTIONS, PREFIX
from dashboards.selection import Selection, nearest_year
from planner.domain import ChargingStrategy, values


def strategy_curves(context: AppContext, selection: Selection) -> Any:
    """Load curves of every charging strategy for the selection."""
    datasets = {
        strategy: context.store.demand_for_strategy(strategy)
        for strategy in values(ChargingStrategy)
    }
    return logic.load_curves(datasets, selection)


def update_demand(
    context: AppContext, lang: Any, group: Any, *filter_values: Any
) -> tuple[Any, ...]:
    """The yearly charts, the load curves and the region table."""
    lang = language(lang)
    selection = context.selection(*filter_values)
    demand = context.store.demand
    totals = logic.yearly_totals(
        demand, selection, group if group in logic.GROUPINGS else "category"
    )
    year = nearest_year(context.store.years, selection.year)
    return (
        figures.make_yearly_figure(
            totals, "ze_vehicles", "demand.vehicles_per_year", "q.ze_vehicles", lang
        ),
        figures.add_unreported_estimate(
            figures.make_yearly_figure(
                totals, "energy_kwh_per_day", "demand.energy_per_year", "q.energy_kwh_day", lang
            ),
            totals,
            "energy_kwh_per_day",
            logic.ESTIMATE,
            lang,
        ),
        figures.make_load_curve_figure(strategy_curves(context, selection), lang, year),
        data_table(logic.region_table(demand, selection), lang),
    )


KINDS = ("csv", "xlsx")


def download_curves(context: AppContext, kind: str, *filter_values: Any) -> dict[str, Any]:
    """The load curves of the selection as CSV or Excel."""
    curves = strategy_curves(context, context.selection(*filter_values))
    return table_download(kind, curves, "load_curves")


def download_regions(context: AppContext, kind: str, *filter_values: Any) -> dict[str, Any]:
    """The region table of the selection as CSV or Excel."""
    table = logic.region_table(context.store.demand, context.selection(*filter_values))
    return table_download(kind, table, "demand_by_region")


def register(app: Dash, context: AppContext) -> None:
    """Add the demand page's callbacks."""
    register_area_filters(app, PREFIX)
    app.callback(
        Output(ids.VEHICLES, "figure"),
        Output(ids.ENERGY, "figure"),
        Output(ids.CURVE, "figure"),
        Output(ids.TABLE, "children"),
        Input(LANG_STORE, "data"),
        Input(ids.GROUP, "value"),
        *area_filter_values(PREFIX),
    )(lambda lang, group, *v: update_demand(context, lang, group, *v))
    states = area_filter_states(PREFIX)
    register_download(
        app, ids.CURVE, KINDS, states, lambda kind, *v: download_curves(context, kind, *v)
    )
    register_download(
        app, ids.TABLE, KINDS, states, lambda kind, *v: download_regions(context, kind, *v)
    )
    register_option_labels(app, ids.GROUP, GROUP_OPTIONS)
