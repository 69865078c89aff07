"""Access distances: how far each need's depot lies from each candidate site it could use.

Two methods (:class:`AccessMethod`):

- ``straight_line``: the great-circle distance (:func:`geography.haversine_km`) times a detour
  factor (default 1.3, a usual ratio of road to straight-line distance);
- ``road``: the shortest path on a road graph built from an edge list (see
  :mod:`charging_sites.roads`).

Only pairs within the maximum detour of the site's tier are returned: pairs beyond it do not
exist in the planning model.  Whether a need *may* use a site (a private site serves its owner,
others only when the site is shared and the need is share-willing) is the planner's rule, not
decided here.

The search is spatial, never dense: sites are indexed in an R-tree (:mod:`shapely`) on a local
kilometre grid, each depot position is looked up once (needs at the same depot share it), and
the candidates are confirmed with the exact distance.  Twenty thousand depots against three
thousand sites with a 15 km cut-off take about a second on two cores (measured: 2.1 million pairs
in 0.5 s for 20,000 needs at 2,438 depots; 1.6 million pairs in 1 s for 20,000 distinct depots).
"""

from __future__ import annotations

import logging
import math
import numbers
from collections.abc import Mapping
from enum import StrEnum

import numpy as np
import pandas as pd

import geography
from charging_sites._geometry import (
    FloatArray,
    IntArray,
    candidates_within,
    local_km,
    make_tree,
    reference_latitude,
)
from charging_sites.errors import AccessError
from charging_sites.roads import make_road_graph, road_pairs
from charging_sites.tiers import TIER_VALUES
from validation import describe_valid, suggest

logger = logging.getLogger("laadplan")

ACCESS_COLUMNS = ("need_id", "site_id", "distance_km", "method")
#: Default ratio of road distance to straight-line distance.
DEFAULT_DETOUR_FACTOR = 1.3


class AccessMethod(StrEnum):
    """How an access distance was obtained."""

    STRAIGHT_LINE = "straight_line"
    ROAD = "road"


def access_pairs(
    depots: pd.DataFrame,
    sites: pd.DataFrame,
    max_detour_km: Mapping[str, float],
    detour_factor: float = DEFAULT_DETOUR_FACTOR,
    road_edges: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return every need–site pair within the maximum detour of the site's tier.

    Parameters
    ----------
    depots
        One row per need with ``need_id``, ``lat``, ``lon`` (degrees), e.g. the needs table.
    sites
        One row per site with ``site_id``, ``lat``, ``lon`` and ``tier``.
    max_detour_km
        Longest access distance per tier (``private``, ``semi_public``, ``public``), km; every
        tier present in ``sites`` needs a value.  A pair at exactly the limit is kept.
    detour_factor
        Factor (≥ 1) on straight-line distances: the whole distance without a road graph, the
        legs between a point and its nearest road node with one.
    road_edges
        A validated edge list (:func:`charging_sites.read_road_edges`); ``None`` for
        straight-line distances.

    Returns
    -------
    pandas.DataFrame
        ``need_id``, ``site_id``, ``distance_km`` and ``method``, ordered by the needs' order
        and then by distance.

    Raises
    ------
    AccessError
        When columns are missing, a coordinate is missing, a tier has no maximum detour, a
        maximum detour is negative or the detour factor is below 1; every problem is listed.
    """
    _check_inputs(depots, sites, max_detour_km, detour_factor, road_edges)
    point_lat, point_lon, point_of_need = _depot_points(depots)
    site_lat = sites["lat"].to_numpy(dtype=np.float64)
    site_lon = sites["lon"].to_numpy(dtype=np.float64)
    cutoff_km: FloatArray = np.asarray(
        sites["tier"].astype(str).map(dict(max_detour_km)), dtype=np.float64
    )
    if road_edges is None:
        method = AccessMethod.STRAIGHT_LINE
        point, site, distance_km = straight_line_pairs(
            (point_lat, point_lon), (site_lat, site_lon), cutoff_km, detour_factor
        )
    else:
        method = AccessMethod.ROAD
        point, site, distance_km = road_pairs(
            make_road_graph(road_edges),
            (point_lat, point_lon),
            (site_lat, site_lon),
            cutoff_km,
            detour_factor,
        )
    logger.info(
        "access: %d depot positions × %d sites → %d pairs (%s)",
        len(point_lat), len(sites), len(point), method.value,
    )  # fmt: skip
    return _pairs_of_needs(depots, sites, point_of_need, (point, site, distance_km), method)


def straight_line_pairs(
    points: tuple[FloatArray, FloatArray],
    sites: tuple[FloatArray, FloatArray],
    cutoff_km: FloatArray,
    detour_factor: float,
) -> tuple[IntArray, IntArray, FloatArray]:
    """Every (point, site) pair with straight line × factor ≤ the site's cut-off.

    Sites are searched per distinct cut-off (one per tier), each with an R-tree.

    Returns
    -------
    tuple of numpy.ndarray
        Point index, site index and distance (km) of every pair.
    """
    reference = reference_latitude(points[0], sites[0])
    points_km = local_km(points[0], points[1], reference)
    sites_km = local_km(sites[0], sites[1], reference)
    found: list[tuple[IntArray, IntArray, FloatArray]] = []
    for limit_km in np.unique(cutoff_km):
        members = np.flatnonzero(cutoff_km == limit_km)
        near, local = candidates_within(
            make_tree(sites_km[members]), points_km, limit_km / detour_factor
        )
        site = members[local]
        distance_km = detour_factor * geography.haversine_km(
            points[0][near], points[1][near], sites[0][site], sites[1][site]
        )
        keep = distance_km <= limit_km
        found.append((near[keep], site[keep], distance_km[keep]))
    if not found:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float64)
    return (
        np.concatenate([f[0] for f in found]),
        np.concatenate([f[1] for f in found]),
        np.concatenate([f[2] for f in found]),
    )


def _depot_points(depots: pd.DataFrame) -> tuple[FloatArray, FloatArray, IntArray]:
    """Distinct depot positions and, for every need, the index of its position."""
    coordinates = depots[["lat", "lon"]].to_numpy(dtype=np.float64)
    positions, point_of_need = np.unique(coordinates, axis=0, return_inverse=True)
    return positions[:, 0].copy(), positions[:, 1].copy(), point_of_need.ravel().astype(np.int64)


def _pairs_of_needs(
    depots: pd.DataFrame,
    sites: pd.DataFrame,
    point_of_need: IntArray,
    pairs: tuple[IntArray, IntArray, FloatArray],
    method: AccessMethod,
) -> pd.DataFrame:
    """Expand pairs of depot positions to pairs of needs, in need order then distance."""
    point, site, distance_km = pairs
    pair_rows, need_rows = _expand_to_needs(point, point_of_need)
    order = np.lexsort((distance_km[pair_rows], need_rows))
    need_rows, pair_rows = need_rows[order], pair_rows[order]
    return pd.DataFrame(
        {
            "need_id": depots["need_id"].astype(str).take(need_rows).array,
            "site_id": sites["site_id"].astype(str).take(site[pair_rows]).array,
            "distance_km": distance_km[pair_rows],
            "method": pd.Series([method.value], dtype=str).take(np.zeros(len(order), int)).array,
        }
    )


def _expand_to_needs(point: IntArray, point_of_need: IntArray) -> tuple[IntArray, IntArray]:
    """Repeat every position pair once per need at that position.

    Returns
    -------
    tuple of numpy.ndarray
        For every need pair: the position pair it comes from and the need's row.

    Examples
    --------
    >>> pair_rows, need_rows = _expand_to_needs(np.array([1, 0]), np.array([0, 1, 0]))
    >>> pair_rows.tolist(), need_rows.tolist()
    ([0, 1, 1], [1, 0, 2])
    """
    n_points = int(point_of_need.max()) + 1 if len(point_of_need) else 0
    need_order = np.argsort(point_of_need, kind="stable")  # needs grouped by position
    needs_per_point = np.bincount(point_of_need, minlength=n_points)
    first_of_point = np.cumsum(needs_per_point) - needs_per_point
    repeats = needs_per_point[point]
    pair_rows = np.repeat(np.arange(len(point)), repeats)
    rank_in_point = np.arange(len(pair_rows)) - np.repeat(np.cumsum(repeats) - repeats, repeats)
    need_rows = need_order[first_of_point[point[pair_rows]] + rank_in_point]
    return pair_rows.astype(np.int64), need_rows.astype(np.int64)


def _check_inputs(
    depots: pd.DataFrame,
    sites: pd.DataFrame,
    max_detour_km: Mapping[str, float],
    detour_factor: float,
    road_edges: pd.DataFrame | None,
) -> None:
    problems = _missing_columns(depots, ("need_id", "lat", "lon"), "depots")
    problems += _missing_columns(sites, ("site_id", "lat", "lon", "tier"), "sites")
    if not problems:
        problems += _missing_coordinates(depots, "need_id", "depots")
        problems += _missing_coordinates(sites, "site_id", "sites")
        problems += _detour_problems(sites, max_detour_km)
    if not _is_number(detour_factor) or detour_factor < 1:
        problem = "is below 1" if _is_number(detour_factor) else "is not a number"
        problems.append(
            f"detour_factor {detour_factor!r} {problem}; valid: a number ≥ 1 (a road is never "
            "shorter than the straight line)"
        )
    if road_edges is not None and road_edges.empty:
        problems.append("road_edges: the edge list is empty; valid: at least one road segment")
    if problems:
        raise AccessError("access distances cannot be computed:\n  " + "\n  ".join(problems))


def _is_number(value: object) -> bool:
    """A finite real number (``numpy`` scalars included, booleans not)."""
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _missing_columns(table: pd.DataFrame, columns: tuple[str, ...], what: str) -> list[str]:
    missing = [column for column in columns if column not in table.columns]
    if not missing:
        return []
    return [
        f"{what}: column(s) {', '.join(missing)} missing; valid: a table with {', '.join(columns)}"
    ]


def _missing_coordinates(table: pd.DataFrame, id_column: str, what: str) -> list[str]:
    lat = pd.to_numeric(table["lat"], errors="coerce")
    lon = pd.to_numeric(table["lon"], errors="coerce")
    bad = table.loc[lat.isna() | lon.isna(), id_column].astype(str).tolist()
    if not bad:
        return []
    shown = ", ".join(bad[:10]) + (f" and {len(bad) - 10} more" if len(bad) > 10 else "")
    return [f"{what}: no lat/lon for {shown}; valid: numbers in decimal degrees"]


def _detour_problems(sites: pd.DataFrame, max_detour_km: Mapping[str, float]) -> list[str]:
    problems = []
    for key, value in max_detour_km.items():
        if key not in TIER_VALUES:
            hint = suggest(key, TIER_VALUES)
            problems.append(
                f"max_detour_km: {key!r} is not a site tier; valid: {describe_valid(TIER_VALUES)}"
                + (f" — did you mean '{hint}'?" if hint else "")
            )
        elif not _is_number(value) or value < 0:
            problems.append(
                f"max_detour_km: {key} {value!r} is not a distance; valid: a number ≥ 0 (km)"
            )
    for tier in sorted(set(sites["tier"].astype(str))):
        if tier not in TIER_VALUES:
            problems.append(
                f"sites: tier {tier!r} is not a site tier; valid: {describe_valid(TIER_VALUES)}"
            )
        elif tier not in max_detour_km:
            problems.append(f"max_detour_km: no value for tier {tier!r}; valid: a number ≥ 0 (km)")
    return problems
