"""A road graph from an edge list, and road distances between depots and sites on it.

Edge list format (``roads.csv``; CSV or XLSX, one row per road segment): ``from_lat``,
``from_lon``, ``to_lat``, ``to_lon`` (WGS84 degrees of the segment's ends) and ``length_km``
(its length along the road).  Ends at the same position (to 6 decimals, about 0.1 m) are the
same node, so segments that share an end are connected; no node ids are needed.  Every segment
can be driven both ways; of parallel segments between the same ends the shortest counts.

Depots and sites are snapped to their nearest graph node; the legs from a point to its node
count as straight line × detour factor.  The road distance between a depot and a site is
depot leg + shortest path + site leg, found with Dijkstra from each site's node, cut off at the
tier's maximum detour.  Depots in another component of the graph than a site get no pair.

Dijkstra runs in Python (networkx): this suits a simplified road graph (main roads, up to some
tens of thousands of segments), not a full street network of Flanders.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pandera.pandas as pa

import geography
from charging_sites._geometry import (
    FloatArray,
    IntArray,
    local_km,
    make_tree,
    nearest_in_tree,
    reference_latitude,
)
from validation import ValidationReport
from validation.checks import Checks, NumberRule, number_checks
from validation.reading import parse_numbers
from validation.schema import (
    CheckSpec,
    check_contract_table,
    delimiter_of,
    load_checked_table,
    row_check,
)

ROAD_EDGE_COLUMNS = ("from_lat", "from_lon", "to_lat", "to_lon", "length_km")
#: Decimals of a coordinate that identify a node (1e-6 degree is about 0.1 m).
NODE_DECIMALS = 6
#: A segment may be this much shorter than the straight line between its ends (rounding).
LENGTH_TOLERANCE_KM = 0.005

_LAT_RULE = NumberRule(-90, 90, unit="degrees north")
_LON_RULE = NumberRule(-180, 180, unit="degrees east")
_NUMBER_RULES = {
    "from_lat": _LAT_RULE,
    "from_lon": _LON_RULE,
    "to_lat": _LAT_RULE,
    "to_lon": _LON_RULE,
    "length_km": NumberRule(0, low_open=True, unit="km"),
}


def read_road_edges(path: Path) -> pd.DataFrame:
    """Read and validate a road edge list (format in the module docstring).

    Returns
    -------
    pandas.DataFrame
        Float columns ``from_lat``, ``from_lon``, ``to_lat``, ``to_lon``, ``length_km``.

    Raises
    ------
    validation.TableValidationError
        Listing every bad row; nothing is loaded.
    validation.reading.ReadError
        When the file cannot be read as a table at all.
    """
    return load_checked_table(path, check_road_edges)


def check_road_edges(
    raw: pd.DataFrame, source: str = "roads"
) -> tuple[pd.DataFrame | None, ValidationReport]:
    """Validate a raw (all-text) edge list and convert it when valid."""
    prepared, report = check_contract_table(
        raw, source, required=ROAD_EDGE_COLUMNS, known=ROAD_EDGE_COLUMNS, schema_for=_edge_schema
    )
    if prepared is None:
        return None, report
    raw, delimiter = prepared, delimiter_of(prepared)
    table = pd.DataFrame({c: parse_numbers(raw[c], delimiter) for c in ROAD_EDGE_COLUMNS})
    return table, report


def _edge_schema(delimiter: str) -> tuple[pa.DataFrameSchema, list[CheckSpec]]:
    per_column = {c: number_checks(c, rule, delimiter) for c, rule in _NUMBER_RULES.items()}
    frame_checks = _edge_row_checks(delimiter)
    schema = pa.DataFrameSchema(
        {
            c: pa.Column(str, checks=[check for _, check in pairs])
            for c, pairs in per_column.items()
        },
        checks=[check for _, check in frame_checks],
        strict=False,
    )
    specs = [spec for pairs in per_column.values() for spec, _ in pairs]
    return schema, specs + [spec for spec, _ in frame_checks]


def _edge_row_checks(delimiter: str) -> Checks:
    def ends_and_length(df: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
        numbers = {c: parse_numbers(df[c], delimiter) for c in ROAD_EDGE_COLUMNS}
        straight = geography.haversine_km(
            numbers["from_lat"], numbers["from_lon"], numbers["to_lat"], numbers["to_lon"]
        )
        return pd.Series(straight, index=df.index), numbers["length_km"]

    def distinct_ends(df: pd.DataFrame) -> pd.Series:
        keys = [parse_numbers(df[c], delimiter).round(NODE_DECIMALS) for c in ROAD_EDGE_COLUMNS[:4]]
        same = (keys[0] == keys[2]) & (keys[1] == keys[3])
        return ~same

    def not_shorter(df: pd.DataFrame) -> pd.Series:
        straight, length = ends_and_length(df)
        unknown = straight.isna() | length.isna()
        return unknown | (length >= straight - LENGTH_TOLERANCE_KM)

    rules: list[tuple[CheckSpec, Callable[[pd.DataFrame], pd.Series]]] = [
        (
            CheckSpec(
                "edge:ends",
                "to_lat",
                "makes the segment end where it starts",
                "to_lat/to_lon different from from_lat/from_lon",
            ),
            distinct_ends,
        ),
        (
            CheckSpec(
                "length_km:straight",
                "length_km",
                "is shorter than the straight line between the segment's ends",
                "at least the great-circle distance from (from_lat, from_lon) to "
                "(to_lat, to_lon), in km",
            ),
            not_shorter,
        ),
    ]
    return [(spec, row_check(spec, test)) for spec, test in rules]


@dataclass(frozen=True)
class RoadGraph:
    """An undirected road graph with node positions.

    Attributes
    ----------
    graph
        Nodes ``0..n-1``; every edge has ``length_km``.
    node_lat, node_lon
        Position of node ``i``, degrees.
    """

    graph: nx.Graph[int]
    node_lat: FloatArray
    node_lon: FloatArray

    def snap(self, lat: FloatArray, lon: FloatArray) -> tuple[IntArray, FloatArray]:
        """Nearest node of every point and the straight-line distance to it, km."""
        reference = reference_latitude(self.node_lat, lat)
        tree = make_tree(local_km(self.node_lat, self.node_lon, reference))
        node = nearest_in_tree(tree, local_km(lat, lon, reference))
        distance_km = geography.haversine_km(lat, lon, self.node_lat[node], self.node_lon[node])
        return node, np.asarray(distance_km, dtype=np.float64)


def make_road_graph(edges: pd.DataFrame) -> RoadGraph:
    """Build the road graph of a validated edge list (see :func:`read_road_edges`)."""
    ends = np.vstack(
        [
            edges[["from_lat", "from_lon"]].to_numpy(dtype=np.float64),
            edges[["to_lat", "to_lon"]].to_numpy(dtype=np.float64),
        ]
    ).round(NODE_DECIMALS)
    positions, node_of_end = np.unique(ends, axis=0, return_inverse=True)
    node_of_end = node_of_end.ravel()
    n_edges = len(edges)
    segments = pd.DataFrame(
        {
            "u": np.minimum(node_of_end[:n_edges], node_of_end[n_edges:]),
            "v": np.maximum(node_of_end[:n_edges], node_of_end[n_edges:]),
            "length_km": edges["length_km"].to_numpy(dtype=np.float64),
        }
    )
    shortest = segments.groupby(["u", "v"], as_index=False)["length_km"].min()
    graph: nx.Graph[int] = nx.Graph()
    graph.add_nodes_from(range(len(positions)))
    graph.add_weighted_edges_from(
        zip(
            shortest["u"].tolist(),
            shortest["v"].tolist(),
            shortest["length_km"].tolist(),
            strict=True,
        ),
        weight="length_km",
    )
    return RoadGraph(graph, positions[:, 0].copy(), positions[:, 1].copy())


def road_pairs(
    road: RoadGraph,
    points: tuple[FloatArray, FloatArray],
    sites: tuple[FloatArray, FloatArray],
    cutoff_km: FloatArray,
    detour_factor: float,
) -> tuple[IntArray, IntArray, FloatArray]:
    """Every (point, site) pair whose road distance is within the site's cut-off.

    Parameters
    ----------
    road
        The graph.
    points, sites
        (lat, lon) arrays of the depots and of the sites, degrees.
    cutoff_km
        Longest road distance per site, km.
    detour_factor
        Factor on the straight legs between a point and its nearest node.

    Returns
    -------
    tuple of numpy.ndarray
        Point index, site index and road distance (km) of every pair.
    """
    point_node, point_leg = road.snap(*points)
    site_node, site_leg = road.snap(*sites)
    point_leg, site_leg = point_leg * detour_factor, site_leg * detour_factor
    budget = cutoff_km - site_leg  # what is left for the path and the depot leg
    reached = _reach_from_sites(road.graph, site_node, budget, np.unique(point_node))
    site_table = pd.DataFrame(
        {"site": np.arange(len(site_node)), "source": site_node, "site_leg": site_leg,
         "cutoff": cutoff_km}
    )  # fmt: skip
    point_table = pd.DataFrame(
        {"point": np.arange(len(point_node)), "node": point_node, "point_leg": point_leg}
    )
    pairs = reached.merge(point_table, on="node").merge(site_table, on="source")
    distance = pairs["site_leg"] + pairs["path_km"] + pairs["point_leg"]
    keep = (distance <= pairs["cutoff"]).to_numpy()
    return (
        pairs["point"].to_numpy(dtype=np.int64)[keep],
        pairs["site"].to_numpy(dtype=np.int64)[keep],
        distance.to_numpy(dtype=np.float64)[keep],
    )


def _reach_from_sites(
    graph: nx.Graph[int], site_node: IntArray, budget_km: FloatArray, targets: IntArray
) -> pd.DataFrame:
    """Shortest path (km) from each site node to every target node within its largest budget."""
    radius = pd.Series(budget_km).groupby(site_node).max()
    radius = radius[radius >= 0]
    parts = []
    for source, radius_km in zip(radius.index.to_numpy(dtype=np.int64), radius, strict=True):
        lengths = nx.single_source_dijkstra_path_length(
            graph, int(source), cutoff=float(radius_km), weight="length_km"
        )
        nodes = np.fromiter(lengths.keys(), dtype=np.int64, count=len(lengths))
        path_km = np.fromiter(lengths.values(), dtype=np.float64, count=len(lengths))
        wanted = np.isin(nodes, targets)
        parts.append(
            pd.DataFrame({"source": int(source), "node": nodes[wanted], "path_km": path_km[wanted]})
        )
    if not parts:
        return pd.DataFrame(
            {"source": pd.Series(dtype=np.int64), "node": pd.Series(dtype=np.int64),
             "path_km": pd.Series(dtype=np.float64)}
        )  # fmt: skip
    return pd.concat(parts, ignore_index=True)
