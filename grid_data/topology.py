"""The feeding tree of the grid, the headroom that binds a node, and mapping points to nodes.

The tree is a :class:`networkx.DiGraph` with an edge from each node to every node it feeds
(substation → cabin).  A node's headroom binds everything fed below it, so the capacity
available for a new load at a node is the minimum headroom over its path up to the root.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Hashable

import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from geography import haversine_km
from grid_data.raw import NearMiss
from grid_data.schema import GridLevel
from validation import (
    LaadplanError,
    RowIssue,
    TableValidationError,
    ValidationReport,
    suggest,
)

LOGGER = logging.getLogger("laadplan")

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

#: Farthest a cabin without a parent is attached to the nearest substation, km.  An HV/MV
#: substation in Flanders typically feeds an area a few km across; beyond 15 km the guess is
#: more likely wrong than right, and the cabin stays a root of its own.
DEFAULT_MAX_PARENT_KM = 15.0
#: Farthest a site or depot is mapped to the nearest cabin, km.
DEFAULT_MAX_DISTANCE_KM = 2.0
_KM_PER_DEGREE = 111.195
_REFERENCE_LAT_DEG = 50.8


class GridTopologyError(LaadplanError):
    """The grid cannot form a feeding tree (a node fed from two parents, or a cycle)."""


def build_topology(
    grid: pd.DataFrame, max_parent_km: float = DEFAULT_MAX_PARENT_KM
) -> nx.DiGraph[Hashable]:
    """Build the feeding tree from the canonical grid table.

    Parameters
    ----------
    grid
        The canonical grid table (:func:`grid_data.read_grid`).
    max_parent_km
        Cabins without ``parent_id`` are attached to the nearest HV/MV substation within this
        distance, km; the edge and the node get ``parent_inferred=True``.  Cabins with no
        substation that near stay roots and are listed in ``graph.graph["unattached"]``.

    Returns
    -------
    networkx.DiGraph
        Edges parent → child; node attributes are the grid table's columns.

    Raises
    ------
    GridTopologyError
        When the parents do not form a forest (a cycle or an unknown parent).
    """
    graph: nx.DiGraph[Hashable] = nx.DiGraph()
    for record in grid.to_dict("records"):
        graph.add_node(record["node_id"], **{str(key): value for key, value in record.items()})
    for node, parent in zip(grid["node_id"], grid["parent_id"], strict=True):
        if isinstance(parent, str) and parent:
            _check_known_parent(graph, node, parent)
            graph.add_edge(parent, node, parent_inferred=False)
    _attach_orphans(graph, grid, max_parent_km)
    if graph.number_of_nodes() and not nx.is_branching(graph):
        raise GridTopologyError("the grid's parent links contain a cycle; read it with read_grid")
    return graph


def _check_known_parent(graph: nx.DiGraph[Hashable], node: str, parent: str) -> None:
    if parent not in graph:
        hint = suggest(parent, [str(n) for n in graph.nodes])
        text = f"node '{node}': parent '{parent}' is not a node of the grid"
        raise GridTopologyError(text + (f" — did you mean '{hint}'?" if hint else ""))


def _attach_orphans(graph: nx.DiGraph[Hashable], grid: pd.DataFrame, max_parent_km: float) -> None:
    is_cabin = grid["level"] == GridLevel.MV_CABIN.value
    orphans = grid[is_cabin & grid["parent_id"].isna()]
    substations = grid[grid["level"] == GridLevel.HV_MV_SUBSTATION.value]
    graph.graph["unattached"] = []
    if orphans.empty:
        return
    nearest, distance_km = nearest_nodes(orphans, substations)
    for node, position, km in zip(orphans["node_id"], nearest, distance_km, strict=True):
        if position < 0 or not km <= max_parent_km:
            graph.graph["unattached"].append(node)
            continue
        parent = substations["node_id"].iloc[position]
        graph.add_edge(parent, node, parent_inferred=True)
        graph.nodes[node]["parent_inferred"] = True
        graph.nodes[node]["parent_id"] = parent
    if graph.graph["unattached"]:
        LOGGER.warning(
            "%d cabin(s) without parent have no substation within %.1f km and stay roots: %s",
            len(graph.graph["unattached"]),
            max_parent_km,
            ", ".join(graph.graph["unattached"][:10]),
        )


def nearest_nodes(points: pd.DataFrame, nodes: pd.DataFrame) -> tuple[IntArray, FloatArray]:
    """Find, for each point, the nearest node.

    Candidates are ranked in a local planar projection (an STR tree), which is exact for
    ranking up to near-ties at Belgian distances; the distance returned is the great-circle
    distance.

    Parameters
    ----------
    points, nodes
        Tables with ``lat`` and ``lon`` columns, degrees.

    Returns
    -------
    positions, distance_km
        Position (0-based, into ``nodes``) of the nearest node, -1 where the point has no
        coordinates or there are no nodes; distance in km (NaN there).
    """
    lat = points["lat"].to_numpy(dtype=np.float64)
    lon = points["lon"].to_numpy(dtype=np.float64)
    positions = np.full(len(points), -1, dtype=np.intp)
    distance_km = np.full(len(points), np.nan)
    node_lat = nodes["lat"].to_numpy(dtype=np.float64)
    node_lon = nodes["lon"].to_numpy(dtype=np.float64)
    known = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon))
    if known.size == 0 or len(nodes) == 0:
        return positions, distance_km
    tree = shapely.STRtree(_planar_points(node_lat, node_lon))
    query = _planar_points(lat[known], lon[known])
    found = tree.query_nearest(query, all_matches=False)
    positions[known[found[0]]] = found[1]
    chosen = positions[known]
    distance_km[known] = haversine_km(lat[known], lon[known], node_lat[chosen], node_lon[chosen])
    return positions, distance_km


def _planar_points(lat: FloatArray, lon: FloatArray) -> npt.NDArray[np.object_]:
    x_km = lon * _KM_PER_DEGREE * math.cos(math.radians(_REFERENCE_LAT_DEG))
    return np.asarray(shapely.points(x_km, lat * _KM_PER_DEGREE))


def apply_inferred_parents(grid: pd.DataFrame, graph: nx.DiGraph[Hashable]) -> pd.DataFrame:
    """Return a copy of the grid table with the parents inferred by :func:`build_topology`."""
    result = grid.copy()
    inferred = [bool(graph.nodes[n].get("parent_inferred", False)) for n in grid["node_id"]]
    parents = [graph.nodes[n].get("parent_id") for n in grid["node_id"]]
    result["parent_inferred"] = inferred
    result["parent_id"] = pd.Series(parents, index=grid.index, dtype="str")
    return result


def path_minimum(
    graph: nx.DiGraph[Hashable], node_ids: list[str], values: FloatArray
) -> FloatArray:
    """Minimum of a value over each node's path to its root, per column.

    Parameters
    ----------
    graph
        The feeding tree.
    node_ids
        Node of each row of ``values``; must be every node of the graph.
    values
        Array of shape (nodes, k); NaN does not bind (the minimum of the other values is kept).

    Returns
    -------
    numpy.ndarray
        Same shape: ``result[i, j]`` = min of ``values[a, j]`` over node ``i`` and its ancestors.
    """
    position: dict[Hashable, int] = {node: i for i, node in enumerate(node_ids)}
    missing = [str(node) for node in graph.nodes if node not in position]
    if missing or len(position) != graph.number_of_nodes():
        raise GridTopologyError(f"values do not cover the grid's nodes (e.g. {missing[:5]})")
    result = np.array(values, dtype=np.float64, copy=True)
    for generation in nx.topological_generations(graph):
        children = [node for node in generation if graph.in_degree(node) == 1]
        if not children:
            continue
        rows = np.array([position[node] for node in children])
        parent_rows = np.array([position[next(iter(graph.pred[node]))] for node in children])
        result[rows] = np.fmin(result[rows], result[parent_rows])
    return result


def path_headroom_kva(graph: nx.DiGraph[Hashable], grid: pd.DataFrame) -> pd.Series[float]:
    """Available capacity for a new load at each node: the minimum headroom up to the root.

    Parameters
    ----------
    graph
        The feeding tree (:func:`build_topology`).
    grid
        The canonical grid table; its ``headroom_kva`` is used, kVA.

    Returns
    -------
    pandas.Series
        ``path_headroom_kva`` indexed by ``node_id``, kVA.  A node whose headroom is unknown
        (NaN) does not bind; a path with no known headroom gives NaN.
    """
    node_ids = [str(node) for node in grid["node_id"]]
    headroom = grid["headroom_kva"].to_numpy(dtype=np.float64)[:, None]
    minimum = path_minimum(graph, node_ids, headroom)[:, 0]
    return pd.Series(minimum, index=pd.Index(node_ids, name="node_id"), name="path_headroom_kva")


def map_points_to_nodes(
    points: pd.DataFrame,
    grid: pd.DataFrame,
    max_distance_km: float = DEFAULT_MAX_DISTANCE_KM,
    level: str | None = GridLevel.MV_CABIN.value,
) -> pd.DataFrame:
    """Map sites or depots to grid nodes.

    An explicit ``grid_node_id`` wins (and must exist); otherwise the nearest node of ``level``
    within ``max_distance_km`` is taken; otherwise the point is unmapped.

    Parameters
    ----------
    points
        Columns ``id``, ``lat``, ``lon`` (degrees) and optionally ``grid_node_id``.
    grid
        The canonical grid table.
    max_distance_km
        Farthest a point is mapped to the nearest node, km.
    level
        Level of the nodes a point may be mapped to by distance; ``None`` allows any.

    Returns
    -------
    pandas.DataFrame
        One row per point, in order: ``id``, ``grid_node_id`` (NaN when unmapped), ``mapping``
        (``explicit``, ``nearest`` or ``unmapped``) and ``distance_km`` (to the node mapped
        to; for an unmapped point, to the nearest candidate; NaN without coordinates).

    Raises
    ------
    TableValidationError
        When an explicit ``grid_node_id`` is not a node of the grid (every one listed).
    """
    _check_point_columns(points)
    explicit = _explicit_ids(points)
    _check_explicit_ids(points, explicit, grid)
    candidates = grid if level is None else grid[grid["level"] == level]
    nearest, distance_km = nearest_nodes(points, candidates)
    close = (nearest >= 0) & (distance_km <= max_distance_km)
    by_distance = _ids_at(candidates["node_id"].to_numpy(dtype=object), nearest, close)
    has_explicit = (explicit != "").to_numpy()
    node_ids = np.where(has_explicit, explicit.to_numpy(dtype=object), by_distance)
    mapping = np.select([has_explicit, close], ["explicit", "nearest"], "unmapped")
    explicit_km = _explicit_distance_km(points, explicit, grid)
    result = pd.DataFrame(
        {
            "id": points["id"].to_numpy(),
            "grid_node_id": pd.array(node_ids, dtype="str"),
            "mapping": pd.array(mapping, dtype="str"),
            "distance_km": np.where(has_explicit, explicit_km, distance_km),
        }
    )
    _log_mapping(result, max_distance_km)
    return result


def _ids_at(
    candidate_ids: npt.NDArray[np.object_], nearest: IntArray, close: npt.NDArray[np.bool_]
) -> npt.NDArray[np.object_]:
    """The id of each point's nearest candidate where it is close, NaN elsewhere.

    A grid without candidates of the level (e.g. substations only) maps nothing by distance.
    """
    if candidate_ids.size == 0:
        return np.full(nearest.size, np.nan, dtype=object)
    return np.where(close, candidate_ids[np.maximum(nearest, 0)], np.nan)


def _check_point_columns(points: pd.DataFrame) -> None:
    missing = [column for column in ("id", "lat", "lon") if column not in points.columns]
    if missing:
        raise LaadplanError(
            f"points to map lack column(s) {', '.join(missing)}; "
            "valid: id, lat, lon and optionally grid_node_id"
        )


def _explicit_ids(points: pd.DataFrame) -> pd.Series[str]:
    if "grid_node_id" not in points.columns:
        return pd.Series([""] * len(points), index=points.index, dtype="str")
    return points["grid_node_id"].astype("str").fillna("").str.strip()


def _check_explicit_ids(points: pd.DataFrame, explicit: pd.Series[str], grid: pd.DataFrame) -> None:
    known = set(grid["node_id"])
    near_miss = NearMiss(known)
    report = ValidationReport(source="grid_node_id of sites/depots", rows_checked=len(points))
    for point_id, node in zip(points["id"], explicit, strict=True):
        if node and node not in known:
            problem = f"(of '{point_id}') is not a node of the grid"
            report.add(RowIssue(None, "grid_node_id", node, problem, None, near_miss(node)))
    if not report.ok:
        raise TableValidationError(report)


def _explicit_distance_km(
    points: pd.DataFrame, explicit: pd.Series[str], grid: pd.DataFrame
) -> FloatArray:
    coordinates = grid.set_index("node_id")[["lat", "lon"]]
    node_lat = explicit.map(coordinates["lat"]).to_numpy(dtype=np.float64)
    node_lon = explicit.map(coordinates["lon"]).to_numpy(dtype=np.float64)
    lat = points["lat"].to_numpy(dtype=np.float64)
    lon = points["lon"].to_numpy(dtype=np.float64)
    return haversine_km(lat, lon, node_lat, node_lon)


def _log_mapping(result: pd.DataFrame, max_distance_km: float) -> None:
    counts = result["mapping"].value_counts()
    LOGGER.info(
        "mapped %d point(s) to grid nodes: %d explicit, %d nearest within %.1f km, %d unmapped",
        len(result),
        counts.get("explicit", 0),
        counts.get("nearest", 0),
        max_distance_km,
        counts.get("unmapped", 0),
    )
