"""Scenarios figures: two runs side by side."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboards.formatting import locale_layout
from dashboards.i18n import t

RUN_COLOURS = ("#1f77b4", "#ff7f0e")
#: Axis title (with its unit) of each quantity drawn per tier.
AXIS_KEYS = {"energy_kwh_per_day": "q.energy_kwh_day", "chargers": "q.chargers"}


def make_tier_figure(table: pd.DataFrame, column: str, title_key: str, lang: str) -> go.Figure:
    """Grouped bars per tier, one colour per run."""
    figure = go.Figure()
    for index, (run, rows) in enumerate(table.groupby("run", sort=False)):
        figure.add_trace(
            go.Bar(
                x=[t(f"tier.{tier}", lang) for tier in rows["tier"]],
                y=rows[column],
                name=str(run),
                marker_color=RUN_COLOURS[index % 2],
            )
        )
    figure.update_layout(
        barmode="group",
        title=t(title_key, lang),
        xaxis={"title": t("q.tier", lang)},
        yaxis={"title": t(AXIS_KEYS.get(column, title_key), lang)},
        margin={"l": 60, "r": 10, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.25},
        height=340,
        **locale_layout(lang),
    )
    return figure


def make_cost_figure(table: pd.DataFrame, lang: str) -> go.Figure:
    """Grouped bars of the cost items, one colour per run."""
    figure = go.Figure()
    for index, (run, rows) in enumerate(table.groupby("run", sort=False)):
        label = [t(f"cost.{key}", lang) for key in rows["cost"]]
        figure.add_trace(
            go.Bar(
                x=label, y=rows["eur_per_year"], name=str(run), marker_color=RUN_COLOURS[index % 2]
            )
        )
    figure.update_layout(
        barmode="group",
        title=t("q.cost_eur_year", lang),
        xaxis={"title": t("q.cost_item", lang)},
        yaxis={"title": t("q.cost_eur_year", lang), "tickformat": ",d"},
        margin={"l": 70, "r": 10, "t": 50, "b": 60},
        legend={"orientation": "h", "y": -0.35},
        height=340,
        **locale_layout(lang),
    )
    return figure
