"""Approximate municipality outlines and GeoJSON for the dashboard's maps.

The project ships no municipality polygons. The maps therefore draw *approximate* outlines:
the Voronoi cells of the 285 municipalities' representative points, clipped to the Flanders
polygon of :mod:`geography`. Each cell holds the part of Flanders nearer to its municipality's
point than to any other; it says so on every map. The cells are built in the local kilometre
grid of :mod:`geography` (an equirectangular map around 50.8° N, so distances are not
distorted by degrees of longitude), simplified to :data:`SIMPLIFY_KM` and returned in WGS84.

Building them takes about a tenth of a second; :func:`municipality_outlines` caches them.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

import geography
from grid_data.reports import json_value

#: Douglas–Peucker tolerance of the outlines, km (invisible at the scale of Flanders).
SIMPLIFY_KM = 0.15

FloatArray = npt.NDArray[np.float64]


to_km = geography.to_km
to_degrees = geography.to_degrees
flanders_outline = geography.flanders_outline_km


def municipality_outlines() -> pd.DataFrame:
    """Approximate outline of every Flemish municipality.

    Returns
    -------
    pandas.DataFrame
        ``nis_code``, ``name``, ``vervoerregio_code``, ``lat``, ``lon`` (the representative
        point) and ``geometry`` (a shapely (Multi)Polygon in WGS84 lon/lat), one row per
        municipality in the order of :func:`geography.municipalities`.
    """
    table = geography.municipalities()
    x_km, y_km = to_km(table["lon"].to_numpy(float), table["lat"].to_numpy(float))
    points = shapely.multipoints(np.column_stack([x_km, y_km]))
    flanders = flanders_outline()
    cells = shapely.voronoi_polygons(points, extend_to=shapely.envelope(flanders), ordered=True)
    clipped = shapely.intersection(np.asarray(shapely.get_parts(cells)), flanders)
    simplified = shapely.simplify(clipped, SIMPLIFY_KM)
    geometry = shapely.transform(simplified, _to_degrees_pairs)
    return pd.DataFrame(
        {
            "nis_code": table["nis_code"].astype(str),
            "name": table["name_nl"].astype(str),
            "vervoerregio_code": table["vervoerregio_code"].astype(int),
            "lat": table["lat"].astype(float),
            "lon": table["lon"].astype(float),
            "geometry": list(geometry),
        }
    )


def _to_degrees_pairs(pairs: FloatArray) -> FloatArray:
    lon, lat = to_degrees(pairs[:, 0], pairs[:, 1])
    return np.column_stack([lon, lat])


def outline_paths(
    geometries: list[shapely.Geometry],
) -> tuple[list[float | None], list[float | None]]:
    """Exterior rings of polygons as one ``x``/``y`` path, rings separated by ``None``.

    Plotly draws such a path as separate closed shapes in one trace (``fill="toself"``).
    """
    xs: list[float | None] = []
    ys: list[float | None] = []
    for geometry in geometries:
        for polygon in shapely.get_parts(geometry):
            ring = np.asarray(shapely.get_coordinates(shapely.get_exterior_ring(polygon)))
            xs.extend([*ring[:, 0].round(5).tolist(), None])
            ys.extend([*ring[:, 1].round(5).tolist(), None])
    return xs, ys


def outline_features(
    outlines: pd.DataFrame, values: pd.Series | None = None
) -> list[dict[str, Any]]:
    """GeoJSON features of outlines, with the municipality and an optional value per code."""
    features = []
    geometries: list[shapely.Geometry] = list(outlines["geometry"])
    codes = outlines["nis_code"].astype(str).tolist()
    names = outlines["name"].astype(str).tolist()
    for code, name, geometry in zip(codes, names, geometries, strict=True):
        properties: dict[str, Any] = {
            "layer": "municipality",
            "nis_code": code,
            "name": name,
            "outline": "approximate (Voronoi cell of the municipal point within Flanders)",
        }
        if values is not None:
            properties["value"] = _json_number(values.get(code))
        shape = json.loads(shapely.to_geojson(geometry))
        features.append({"type": "Feature", "geometry": shape, "properties": properties})
    return features


def point_features(points: pd.DataFrame, layer: str) -> list[dict[str, Any]]:
    """GeoJSON Point features of a table with ``lat``/``lon``; other columns become properties."""
    located = points[points["lat"].notna() & points["lon"].notna()]
    features = []
    for record in located.to_dict("records"):
        properties: dict[str, object] = {"layer": layer}
        properties.update(
            {str(k): json_value(v) for k, v in record.items() if k not in ("lat", "lon")}
        )
        geometry = {"type": "Point", "coordinates": [float(record["lon"]), float(record["lat"])]}
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return features


def feature_collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection (RFC 7946, WGS84)."""
    return {"type": "FeatureCollection", "features": features}


def _json_number(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number
