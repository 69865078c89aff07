"""Demand figures: stacked bars per year and the daily load curves."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboards.formatting import locale_layout
from dashboards.i18n import t

PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
#: Decimals shown on hover per quantity: whole vehicles, energy to the kWh.
HOVER_DIGITS = {"ze_vehicles": 0, "energy_kwh_per_day": 0}
STRATEGY_COLOURS = {"immediate": "#d62728", "spread": "#1f77b4", "offpeak_first": "#2ca02c"}


def make_yearly_figure(
    table: pd.DataFrame, column: str, title_key: str, axis_key: str, lang: str
) -> go.Figure:
    """Stacked bars of ``column`` per year, one colour per group."""
    figure = go.Figure()
    for index, (group, rows) in enumerate(table.groupby("group", sort=True)):
        figure.add_trace(
            go.Bar(
                x=rows["year"].astype(str),
                y=rows[column],
                name=str(group),
                marker_color=PALETTE[index % len(PALETTE)],
                hovertemplate=f"{group} %{{x}}: %{{y:,.{HOVER_DIGITS.get(column, 1)}f}}"
                "<extra></extra>",
            )
        )
    figure.update_layout(
        barmode="stack",
        title=t(title_key, lang),
        xaxis={"title": t("q.year", lang), "type": "category"},
        yaxis={"title": t(axis_key, lang)},
        margin={"l": 60, "r": 10, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.2},
        height=380,
        **locale_layout(lang),
    )
    return figure


def add_unreported_estimate(
    figure: go.Figure, table: pd.DataFrame, column: str, estimate: str, lang: str
) -> go.Figure:
    """Draw the estimated total with the fleets that did not report over the reported bars.

    Nothing is drawn when the table has no estimate or it adds nothing: the bars are then the
    whole range.
    """
    if estimate not in table:
        return figure
    totals = table.groupby("year", as_index=False)[[column, estimate]].sum()
    if not (totals[estimate] > totals[column] + 1e-9).any():
        return figure
    figure.add_trace(
        go.Scatter(
            x=totals["year"].astype(str),
            y=totals[estimate],
            name=t("demand.incl_unreported", lang),
            mode="lines+markers",
            line={"color": "#333333", "dash": "dash"},
        )
    )
    return figure


def make_load_curve_figure(curves: pd.DataFrame, lang: str, year: int) -> go.Figure:
    """The daily load per slot for each charging strategy, off-peak hours shaded."""
    figure = go.Figure()
    for strategy, rows in curves.groupby("strategy", sort=False):
        figure.add_trace(
            go.Scatter(
                x=rows["slot_start"],
                y=rows["power_kw"],
                mode="lines+markers",
                line={"shape": "hv", "color": STRATEGY_COLOURS.get(str(strategy), "#333333")},
                name=t(f"strategy.{strategy}", lang),
            )
        )
    first = curves.drop_duplicates("slot")
    for start in first.loc[first["is_offpeak"], "slot_start"]:
        figure.add_vrect(
            x0=start, x1=start, line_width=8, line_color="rgba(120,120,200,0.12)", layer="below"
        )
    figure.update_layout(
        title=f"{t('demand.load_curve', lang)} — {year} ({t('demand.offpeak', lang)}: ▒)",
        xaxis={"title": t("q.hour", lang), "type": "category"},
        yaxis={"title": t("q.power_kw", lang)},
        margin={"l": 60, "r": 10, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.2},
        height=380,
        **locale_layout(lang),
    )
    return figure
