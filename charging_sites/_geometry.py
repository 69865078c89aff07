"""Local kilometre coordinates and spatial indexes for neighbour searches.

Great-circle distances (:func:`geography.haversine_km`) are exact but cannot be indexed; the
searches here therefore run on an equirectangular projection in kilometres and are confirmed
with the haversine distance afterwards.  With the reference latitude set to the largest
absolute latitude of the points involved, east–west distances are never overstated, so a
projected search radius a little above the true radius finds every true neighbour.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import shapely

import geography

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Relative margin on projected search radii: covers the projection's error over the few tens
#: of kilometres searched here (below 1e-4) many times over.
RADIUS_MARGIN = 0.01
#: Kilometres per radian of latitude, on the sphere :func:`geography.haversine_km` uses.
_KM_PER_RADIAN = float(geography.haversine_km(0.0, 0.0, 1.0, 0.0)) * 180.0 / math.pi


def reference_latitude(*latitudes: FloatArray) -> float:
    """The largest absolute latitude among the arrays (0 when all are empty), in degrees."""
    largest = [float(np.max(np.abs(lat))) for lat in latitudes if lat.size]
    return max(largest, default=0.0)


def local_km(lat: FloatArray, lon: FloatArray, reference_lat_deg: float) -> FloatArray:
    """Project degrees to an (n, 2) array of kilometres east and north."""
    scale = math.cos(math.radians(min(reference_lat_deg, 89.9)))
    east = np.radians(lon) * _KM_PER_RADIAN * scale
    north = np.radians(lat) * _KM_PER_RADIAN
    return np.column_stack([east, north])


def make_tree(points_km: FloatArray) -> shapely.STRtree:
    """A spatial index (R-tree) over projected points."""
    geometries: npt.NDArray[np.object_] = np.asarray(shapely.points(points_km), dtype=object)
    return shapely.STRtree(geometries)


def candidates_within(
    tree: shapely.STRtree, query_km: FloatArray, radius_km: float
) -> tuple[IntArray, IntArray]:
    """Indices (query, tree point) of every pair whose projected distance is ≤ the radius.

    The radius is widened by :data:`RADIUS_MARGIN`; callers confirm with the exact distance.
    """
    if not len(query_km) or radius_km < 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    search_km = radius_km * (1.0 + RADIUS_MARGIN) + 1e-6
    pairs = tree.query(shapely.points(query_km), predicate="dwithin", distance=search_km)
    return pairs[0].astype(np.int64), pairs[1].astype(np.int64)


def nearest_in_tree(tree: shapely.STRtree, query_km: FloatArray) -> IntArray:
    """Index of the nearest tree point (in projected kilometres) for every query point."""
    if not len(query_km):
        return np.empty(0, dtype=np.int64)
    query_index, tree_index = tree.query_nearest(shapely.points(query_km), all_matches=False)
    nearest = np.empty(len(query_km), dtype=np.int64)
    nearest[query_index] = tree_index
    return nearest
