"""Map figures of Flanders drawn from data: outlines, a choropleth and point layers.

Without tiles (the default, and always in the tests) a map is a plain x/y figure: longitude
on x, latitude on y at the true aspect ratio of 51° N, municipality outlines as filled traces.
It needs no internet and no WebGL. With ``tiles=True`` the same layers go on an
OpenStreetMap background (``go.Scattermap``), for when tile servers are reachable.
Every map says that its municipality outlines are approximate (:mod:`dashboards.geo`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboards.formatting import format_number, locale_layout
from dashboards.geo import feature_collection, outline_features, outline_paths
from dashboards.i18n import t

#: Aspect ratio of a degree of latitude to one of longitude at 51° N.
Y_SCALE = 1.0 / math.cos(math.radians(51.0))
CHOROPLETH_COLOURS = ("#f1eef6", "#d0d1e6", "#a6bddb", "#74a9cf", "#2b8cbe", "#045a8d")
OUTLINE_FILL = "#f7f7f4"
OUTLINE_LINE = "#a0a0a0"
MAP_HEIGHT_PX = 560
Bounds = tuple[float, float, float, float]


@dataclass(frozen=True)
class PointLayer:
    """Points drawn on a map.

    Attributes
    ----------
    name
        Legend entry.
    points
        ``lat``, ``lon`` and ``hover`` (text); optional ``size_value`` scales the markers.
    colour, symbol
        Marker colour and symbol.
    size_px
        Marker size, or the largest size when the points have ``size_value``.
    """

    name: str
    points: pd.DataFrame
    colour: str
    symbol: str = "circle"
    size_px: float = 8.0


def marker_sizes(points: pd.DataFrame, size_px: float) -> list[float] | float:
    """Marker sizes: by the square root of ``size_value`` (area ∝ value), else one size."""
    if "size_value" not in points.columns or points.empty:
        return size_px
    values = points["size_value"].to_numpy(dtype=float).clip(min=0)
    largest = float(values.max()) if len(values) else 0.0
    if largest <= 0:
        return size_px / 3
    sizes: list[float] = (4 + (size_px - 4) * np.sqrt(values / largest)).round(1).tolist()
    return sizes


def value_classes(values: pd.Series, n_classes: int = 5) -> list[tuple[float, float]]:
    """Class bounds (low, high] over the positive values, at quantiles, without duplicates."""
    positive = values[values > 0]
    if positive.empty:
        return []
    edges = np.unique(np.quantile(positive.to_numpy(float), np.linspace(0, 1, n_classes + 1)))
    if len(edges) == 1:
        return [(0.0, float(edges[0]))]
    return [
        (0.0 if i == 0 else float(edges[i]), float(edges[i + 1])) for i in range(len(edges) - 1)
    ]


def map_bounds(
    outlines: pd.DataFrame, layers: Sequence[PointLayer], focus: pd.DataFrame | None
) -> Bounds:
    """Longitude and latitude range to show: the focus area, else the points, else Flanders.

    The outlines' representative points stand for their area; a margin is added.
    """
    frames = [layer.points[["lat", "lon"]] for layer in layers if not layer.points.empty]
    if focus is not None and not focus.empty:
        frames = [focus[["lat", "lon"]]]
    return _padded(pd.concat(frames) if frames else outlines[["lat", "lon"]])


def _padded(points: pd.DataFrame) -> Bounds:
    located = points.dropna()
    lon_min, lon_max = located["lon"].min(), located["lon"].max()
    lat_min, lat_max = located["lat"].min(), located["lat"].max()
    pad_lon, pad_lat = 0.08 + 0.05 * (lon_max - lon_min), 0.05 + 0.05 * (lat_max - lat_min)
    return lon_min - pad_lon, lon_max + pad_lon, lat_min - pad_lat, lat_max + pad_lat


def make_map_figure(
    outlines: pd.DataFrame,
    layers: Sequence[PointLayer],
    lang: str,
    values: pd.Series | None = None,
    focus: pd.DataFrame | None = None,
    tiles: bool = False,
) -> go.Figure:
    """A map of Flanders.

    Parameters
    ----------
    outlines
        :func:`dashboards.geo.municipality_outlines` (all municipalities are drawn).
    layers
        Point layers, drawn in order.
    lang
        Language of the legend and the note.
    values
        A value per NIS code for a choropleth (e.g. energy per day), optional.
    focus
        Outlines to zoom on (the selected area); all of ``outlines`` when ``None``.
    tiles
        Draw on OpenStreetMap tiles instead of the offline x/y map.
    """
    bounds = map_bounds(outlines, layers, focus)
    if tiles:
        return _tile_map(outlines, layers, lang, values, bounds)
    figure = go.Figure()
    xs, ys = outline_paths(list(outlines["geometry"]))
    figure.add_trace(_outline_trace(xs, ys, OUTLINE_FILL, t("map.outlines", lang)))
    if values is not None:
        _add_choropleth(figure, outlines, values, lang)
    for layer in layers:
        figure.add_trace(_point_trace(layer))
    _style_xy(figure, bounds, lang)
    return figure


def _outline_trace(
    xs: list[float | None], ys: list[float | None], fill: str, name: str
) -> go.Scatter:
    return go.Scatter(
        x=xs,
        y=ys,
        mode="lines",
        fill="toself",
        fillcolor=fill,
        line={"color": OUTLINE_LINE, "width": 0.6},
        hoverinfo="skip",
        name=name,
    )


def _add_choropleth(
    figure: go.Figure, outlines: pd.DataFrame, values: pd.Series, lang: str
) -> None:
    by_code = outlines["nis_code"].map(values).fillna(0.0).astype(float)
    for index, (low, high) in enumerate(value_classes(by_code)):
        members = outlines[(by_code > low) & (by_code <= high)]
        xs, ys = outline_paths(list(members["geometry"]))
        name = f"{t('map.demand_class', lang)} ≤ {format_number(high, lang)}"
        figure.add_trace(_outline_trace(xs, ys, CHOROPLETH_COLOURS[index + 1], name))
    hover = [
        f"{name}: {format_number(value, lang)} {t('unit.kwh_day', lang)}"
        for name, value in zip(outlines["name"], by_code, strict=True)
    ]
    figure.add_trace(
        go.Scatter(
            x=outlines["lon"],
            y=outlines["lat"],
            mode="markers",
            marker={"size": 6, "opacity": 0},
            hovertext=hover,
            hoverinfo="text",
            showlegend=False,
            name="municipality",
        )
    )


def _point_trace(layer: PointLayer) -> go.Scatter:
    points = layer.points
    return go.Scatter(
        x=points["lon"],
        y=points["lat"],
        mode="markers",
        name=layer.name,
        hovertext=points["hover"] if "hover" in points.columns else None,
        hoverinfo="text",
        marker={
            "color": layer.colour,
            "symbol": layer.symbol,
            "size": marker_sizes(points, layer.size_px),
            "line": {"width": 0.5, "color": "#333333"},
            "opacity": 0.85,
        },
    )


def _style_xy(figure: go.Figure, bounds: Bounds, lang: str) -> None:
    lon_min, lon_max, lat_min, lat_max = bounds
    axis = {"visible": False, "showgrid": False, "zeroline": False}
    figure.update_layout(
        xaxis={**axis, "range": [lon_min, lon_max]},
        yaxis={**axis, "range": [lat_min, lat_max], "scaleanchor": "x", "scaleratio": Y_SCALE},
        plot_bgcolor="#dfe9f2",
        paper_bgcolor="white",
        margin={"l": 4, "r": 4, "t": 4, "b": 4},
        height=MAP_HEIGHT_PX,
        legend={"orientation": "h", "yanchor": "top", "y": -0.01, "x": 0},
        uirevision="map",
        annotations=[_outline_note(lang)],
        **locale_layout(lang),
    )


def _outline_note(lang: str) -> dict[str, object]:
    return {
        "text": t("map.outlines_note", lang),
        "xref": "paper",
        "yref": "paper",
        "x": 0.0,
        "y": 1.0,
        "xanchor": "left",
        "yanchor": "top",
        "showarrow": False,
        "font": {"size": 10, "color": "#555555"},
        "bgcolor": "rgba(255,255,255,0.7)",
    }


def _tile_map(
    outlines: pd.DataFrame,
    layers: Sequence[PointLayer],
    lang: str,
    values: pd.Series | None,
    bounds: Bounds,
) -> go.Figure:
    figure = go.Figure()
    for layer in layers:
        points = layer.points
        figure.add_trace(
            go.Scattermap(
                lat=points["lat"],
                lon=points["lon"],
                mode="markers",
                name=layer.name,
                hovertext=points["hover"] if "hover" in points.columns else None,
                hoverinfo="text",
                marker={"color": layer.colour, "size": marker_sizes(points, layer.size_px)},
            )
        )
    if values is not None:
        figure.add_trace(_tile_choropleth(outlines, values, lang))
    xs, ys = outline_paths(list(outlines["geometry"]))
    line = {"type": "MultiLineString", "coordinates": rings_of(xs, ys)}
    lon_min, lon_max, lat_min, lat_max = bounds
    zoom = math.log2(360 / max(lon_max - lon_min, 1e-3)) - 0.6
    figure.update_layout(
        map={
            "style": "open-street-map",
            "center": {"lon": (lon_min + lon_max) / 2, "lat": (lat_min + lat_max) / 2},
            "zoom": zoom,
            "layers": [{"source": line, "type": "line", "color": OUTLINE_LINE}],
        },
        margin={"l": 4, "r": 4, "t": 4, "b": 4},
        height=MAP_HEIGHT_PX,
        annotations=[_outline_note(lang)],
        uirevision="map",
        **locale_layout(lang),
    )
    return figure


def _tile_choropleth(outlines: pd.DataFrame, values: pd.Series, lang: str) -> go.Choroplethmap:
    codes = outlines["nis_code"].astype(str)
    return go.Choroplethmap(
        geojson=feature_collection(outline_features(outlines)),
        featureidkey="properties.nis_code",
        locations=codes,
        z=codes.map(values).fillna(0.0).astype(float),
        text=outlines["name"],
        colorscale="Blues",
        marker={"opacity": 0.5},
        name=t("map.demand_class", lang),
    )


def rings_of(xs: Sequence[float | None], ys: Sequence[float | None]) -> list[list[list[float]]]:
    """Split a ``None``-separated path into rings of ``[x, y]`` pairs.

    Examples
    --------
    >>> rings_of([0.0, 1.0, None, 2.0], [0.0, 1.0, None, 2.0])
    [[[0.0, 0.0], [1.0, 1.0]], [[2.0, 2.0]]]
    """
    rings: list[list[list[float]]] = [[]]
    for x, y in zip(xs, ys, strict=True):
        if x is None or y is None:
            rings.append([])
        else:
            rings[-1].append([x, y])
    return [ring for ring in rings if ring]
