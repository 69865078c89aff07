"""Files of the grid overlay: what the grid operator receives, and the node load for the planner.

=============================== ===========================================================
file                            content
=============================== ===========================================================
``congestion.csv``              :data:`~grid_data.overlay_tables.CONGESTION_COLUMNS`
``capacity_requests.csv``       :data:`~grid_data.overlay_tables.REQUEST_COLUMNS`
``capacity_requests.geojson``   the requests with a node as a FeatureCollection of Points
``node_load.nc``                :func:`~grid_data.overlay_tables.make_node_load` (internal)
=============================== ===========================================================

The first three pass the k-anonymity rule (:mod:`grid_data.disclosure`) and hold no
organisation id; the GeoJSON leaves out the suppressed rows, which have no location.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from grid_data.overlay import OverlayResult
from validation.export import neutralise_formulas

CONGESTION_FILE = "congestion.csv"
REQUESTS_FILE = "capacity_requests.csv"
REQUESTS_GEOJSON_FILE = "capacity_requests.geojson"
NODE_LOAD_FILE = "node_load.nc"
#: Every file :func:`write_overlay_files` writes, in order.
OVERLAY_FILES: tuple[str, ...] = (
    CONGESTION_FILE,
    REQUESTS_FILE,
    REQUESTS_GEOJSON_FILE,
    NODE_LOAD_FILE,
)


def write_overlay_files(result: OverlayResult, out: Path) -> list[Path]:
    """Write the four overlay files into ``out`` (created when needed); return their paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / name for name in OVERLAY_FILES]
    neutralise_formulas(result.congestion).to_csv(paths[0], index=False)
    neutralise_formulas(result.requests).to_csv(paths[1], index=False)
    geojson = requests_geojson(result.requests)
    paths[2].write_text(json.dumps(geojson, ensure_ascii=False, indent=1) + "\n", "utf-8")
    encoding = {
        name: {"zlib": True, "complevel": 4}
        for name, variable in result.node_load.data_vars.items()
        if variable.dtype.kind == "f"
    }
    result.node_load.to_netcdf(paths[3], engine="netcdf4", encoding=encoding)
    return paths


def requests_geojson(requests: pd.DataFrame) -> dict[str, Any]:
    """The capacity requests with a location as a GeoJSON FeatureCollection (RFC 7946).

    Each feature is a Point at the node (``[lon, lat]``, WGS84) whose properties are the
    request's row; missing values become ``null``.

    Examples
    --------
    >>> row = {"node_id": "C1", "lat": 50.88, "lon": 4.70, "extra_capacity_kva": 40.0}
    >>> requests_geojson(pd.DataFrame([row]))["features"][0]["geometry"]
    {'type': 'Point', 'coordinates': [4.7, 50.88]}
    """
    located = requests[requests["lat"].notna() & requests["lon"].notna()]
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [record["lon"], record["lat"]]},
            "properties": record,
        }
        for record in (_json_record(row) for row in located.to_dict("records"))
    ]
    return {"type": "FeatureCollection", "features": features}


def _json_record(row: dict[Any, Any]) -> dict[str, Any]:
    return {str(key): json_value(value) for key, value in row.items()}


def json_value(value: object) -> object:
    """A table cell as a JSON value: NaN and NA become null, numpy scalars Python ones.

    Examples
    --------
    >>> json_value(np.int64(3)), json_value(float("nan")), json_value(np.bool_(True))
    (3, None, True)
    """
    if value is None or value is pd.NA:
        return None
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if math.isnan(float(value)) else float(value)
    return value if isinstance(value, str | int) else str(value)
