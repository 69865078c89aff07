"""Grid figures: margin heat map, one node's load curve, the capacity requests on a map."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboards.formatting import format_number, locale_layout
from dashboards.i18n import t
from dashboards.maps import PointLayer, make_map_figure

REQUEST_COLOUR = "#d62728"


def colour_limit(matrix: pd.DataFrame) -> float:
    """Half-width of the colour scale, kW: the worst shortfall, at least the median margin.

    So that shortfalls stand out even next to nodes with a lot of headroom.
    """
    values = np.abs(matrix.to_numpy(dtype=float))
    worst = float(-matrix.to_numpy(dtype=float).min(initial=0.0))
    return max(worst, float(np.median(values)) if values.size else 0.0, 1.0)


def make_heatmap_figure(matrix: pd.DataFrame, lang: str) -> go.Figure:
    """Margin per node (rows) and hour (columns); red where demand exceeds the headroom."""
    figure = go.Figure(
        go.Heatmap(
            z=matrix.to_numpy(),
            x=list(matrix.columns),
            y=list(matrix.index),
            colorscale="RdBu",
            zmin=-colour_limit(matrix),
            zmax=colour_limit(matrix),
            colorbar={"title": {"text": t("q.margin_kw", lang)}},
            hovertemplate="%{y}<br>%{x}: %{z:.0f} kW<extra></extra>",
        )
    )
    figure.update_layout(
        title=t("grid.heatmap", lang),
        xaxis={"title": t("q.hour", lang), "type": "category"},
        yaxis={"autorange": "reversed", "type": "category", "title": t("col.node_id", lang)},
        margin={"l": 260, "r": 10, "t": 50, "b": 40},
        height=max(320, 22 * len(matrix) + 120),
        **locale_layout(lang),
    )
    return figure


def make_node_curve_figure(curve: pd.DataFrame, node_label: str, lang: str) -> go.Figure:
    """Demand of one node per hour against its headroom."""
    figure = go.Figure()
    figure.add_trace(
        go.Bar(
            x=curve["slot_start"],
            y=curve["demand_kw"],
            name=t("q.demand_kw", lang),
            marker_color="#1f77b4",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=curve["slot_start"],
            y=curve["headroom_kw"],
            name=t("q.headroom_kw", lang),
            mode="lines",
            line={"color": "#d62728", "shape": "hv", "width": 2},
        )
    )
    figure.update_layout(
        title=f"{t('grid.node_curve', lang)}: {node_label}",
        xaxis={"title": t("q.hour", lang), "type": "category"},
        yaxis={"title": t("q.power_kw", lang)},
        margin={"l": 60, "r": 10, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.2},
        height=360,
        **locale_layout(lang),
    )
    return figure


def make_requests_map(
    outlines: pd.DataFrame, requests: pd.DataFrame, lang: str, tiles: bool = False
) -> go.Figure:
    """The located capacity requests, sized by the extra capacity asked."""
    located = requests[requests["lat"].notna() & requests["lon"].notna()]
    points = located.assign(
        size_value=located["extra_capacity_kva"].fillna(0.0),
        hover=[
            f"{name} ({year}): +{format_number(kva, lang)} kVA"
            for name, year, kva in zip(
                located["name"],
                located["year"],
                located["extra_capacity_kva"].fillna(0.0),
                strict=True,
            )
        ],
    )
    layer = PointLayer(t("map.requests", lang), points, REQUEST_COLOUR, "circle", 24.0)
    focus = outlines if located.empty else None
    return make_map_figure(outlines, [layer], lang, focus=focus, tiles=tiles)
