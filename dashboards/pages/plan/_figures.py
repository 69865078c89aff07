"""Plan figures: the map of the plan, the ladder split, chargers per municipality and tier."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboards.formatting import locale_layout
from dashboards.i18n import t
from dashboards.plan_figures import TIER_COLOURS


def make_ladder_figure(ladder: pd.DataFrame, lang: str) -> go.Figure:
    """Share of energy per ladder tier per planned year (stacked to 100 %)."""
    figure = go.Figure()
    for tier, colour in TIER_COLOURS.items():
        rows = ladder[ladder["tier"] == tier]
        figure.add_trace(
            go.Bar(
                x=rows["year"].astype(str),
                y=rows["share"],
                name=t(f"tier.{tier}", lang),
                marker_color=colour,
                customdata=rows["energy_kwh_per_day"],
                hovertemplate=f"%{{y:.0%}} (%{{customdata:,.0f}} {t('unit.kwh_day', lang)})"
                "<extra></extra>",
            )
        )
    figure.update_layout(
        barmode="stack",
        title=t("plan.ladder", lang),
        yaxis={"title": t("q.share", lang), "tickformat": ".0%", "range": [0, 1]},
        xaxis={"title": t("q.year", lang), "type": "category"},
        margin={"l": 60, "r": 10, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.2},
        height=360,
        **locale_layout(lang),
    )
    return figure


def make_municipality_figure(
    table: pd.DataFrame, year: int, lang: str, rows: int = 20
) -> go.Figure:
    """Chargers per tier (stacked) of the municipalities with the most chargers, in one year."""
    top = table[table["year"] == year].sort_values("chargers", ascending=False).head(rows)
    figure = go.Figure()
    for tier, colour in TIER_COLOURS.items():
        figure.add_trace(
            go.Bar(
                x=top[f"chargers_{tier}"],
                y=top["municipality"],
                orientation="h",
                name=t(f"tier.{tier}", lang),
                marker_color=colour,
                hovertemplate="%{y}: %{x:,d}<extra></extra>",
            )
        )
    figure.update_layout(
        barmode="stack",
        title={"text": f"{t('plan.per_municipality', lang)} — {year}", "font": {"size": 13}},
        xaxis={"title": t("q.chargers", lang), "tickformat": ",d"},
        yaxis={"autorange": "reversed", "type": "category", "title": t("col.municipality", lang)},
        margin={"l": 160, "r": 10, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.15},
        height=max(300, 24 * len(top) + 140),
        **locale_layout(lang),
    )
    return figure
