"""Feeding tree, path-minimum headroom and mapping points to grid nodes (hand-computed cases).

The fixture ``topology.csv``::

    S1 (500 kVA) ─┬─ C1 (300) ── C3 (800)        S2 (2000) ─┬─ C4 (−50)
                  └─ C2 (900)                               └─ C5 (100, parent inferred)
    C6 (700, no parent, in Ghent: no substation within 15 km)
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from grid_data import read_grid
from grid_data.topology import (
    GridTopologyError,
    apply_inferred_parents,
    build_topology,
    map_points_to_nodes,
    path_headroom_kva,
    path_minimum,
)
from validation import LaadplanError, TableValidationError

FIXTURES = Path(__file__).parent / "fixtures" / "grid"
#: Great-circle length of 0.001° of latitude on the mean-radius sphere, km.
KM_PER_MILLIDEGREE_LAT = 6371.0088 * math.radians(0.001)


@pytest.fixture(scope="module")
def grid() -> pd.DataFrame:
    return read_grid(FIXTURES / "topology.csv")


def test_tree_follows_parent_ids(grid: pd.DataFrame) -> None:
    graph = build_topology(grid)
    assert set(graph.successors("S1")) == {"C1", "C2"}
    assert list(graph.successors("C1")) == ["C3"]
    assert graph.edges["S1", "C1"]["parent_inferred"] is False


def test_cabin_without_parent_goes_to_nearest_substation(grid: pd.DataFrame) -> None:
    graph = build_topology(grid)
    assert list(graph.predecessors("C5")) == ["S2"]  # 0.66 km away; S1 is 16 km away
    assert graph.edges["S2", "C5"]["parent_inferred"] is True
    assert graph.nodes["C5"]["parent_inferred"] is True
    assert graph.graph["unattached"] == ["C6"]
    assert graph.in_degree("C6") == 0


def test_max_parent_distance_is_respected(grid: pd.DataFrame) -> None:
    graph = build_topology(grid, max_parent_km=0.5)
    assert graph.graph["unattached"] == ["C5", "C6"]
    assert graph.in_degree("C5") == 0


def test_apply_inferred_parents_fills_the_table(grid: pd.DataFrame) -> None:
    table = apply_inferred_parents(grid, build_topology(grid)).set_index("node_id")
    assert table.loc["C5", "parent_id"] == "S2"
    assert table.loc["C5", "parent_inferred"]
    assert not table.loc["C1", "parent_inferred"]
    assert table["parent_id"].isna()["C6"]


def test_path_headroom_is_the_minimum_up_to_the_root(grid: pd.DataFrame) -> None:
    path = path_headroom_kva(build_topology(grid), grid)
    expected = {
        "S1": 500,  # root
        "C1": 300,  # min(300, 500)
        "C3": 300,  # min(800, 300, 500): bound two levels up
        "C2": 500,  # min(900, 500): bound by the substation
        "S2": 2000,
        "C4": -50,  # an existing shortfall stays visible
        "C5": 100,  # min(100, 2000) via the inferred parent
        "C6": 700,  # unattached root
    }
    assert path.name == "path_headroom_kva"
    assert path.to_dict() == expected


def test_unknown_headroom_does_not_bind(grid: pd.DataFrame) -> None:
    table = grid.copy()
    table.loc[table["node_id"] == "C1", "headroom_kva"] = np.nan
    table.loc[table["node_id"] == "S2", "headroom_kva"] = np.nan
    path = path_headroom_kva(build_topology(table), table)
    assert path["C1"] == 500 and path["C3"] == 500  # S1 binds
    assert np.isnan(path["S2"]) and path["C4"] == -50


def test_path_minimum_per_column() -> None:
    table = pd.DataFrame(
        {
            "node_id": ["r", "a", "b"],
            "parent_id": pd.array([None, "r", "a"], dtype="str"),
            "level": ["hv_mv_substation", "mv_cabin", "mv_cabin"],
            "lat": [50.9, 50.9, 50.9],
            "lon": [4.7, 4.7, 4.7],
        }
    )
    graph = build_topology(table)
    values = np.array([[5.0, 1.0], [3.0, 4.0], [9.0, 0.5]])
    result = path_minimum(graph, ["r", "a", "b"], values)
    assert result.tolist() == [[5.0, 1.0], [3.0, 1.0], [3.0, 0.5]]


def test_path_minimum_needs_every_node(grid: pd.DataFrame) -> None:
    with pytest.raises(GridTopologyError, match="do not cover"):
        path_minimum(build_topology(grid), ["S1"], np.zeros((1, 1)))


def test_hand_made_table_with_cycle_or_unknown_parent_is_refused() -> None:
    base = {"level": ["mv_cabin"] * 2, "lat": [50.9] * 2, "lon": [4.7] * 2}
    cycle = pd.DataFrame({"node_id": ["a", "b"], "parent_id": ["b", "a"], **base})
    with pytest.raises(GridTopologyError, match="cycle"):
        build_topology(cycle)
    orphan = pd.DataFrame({"node_id": ["a", "b"], "parent_id": ["x", "a"], **base})
    with pytest.raises(GridTopologyError, match="parent 'x' is not a node"):
        build_topology(orphan)


def test_map_points_explicit_nearest_and_unmapped(grid: pd.DataFrame) -> None:
    points = pd.DataFrame(
        {
            "id": ["P1", "P2", "P3", "P4", "P5", "P6"],
            "lat": [50.884, 50.873, 50.800, 51.220, np.nan, 50.873],
            "lon": [4.704, 4.690, 4.900, 4.400, np.nan, 4.690],
            "grid_node_id": ["C3", None, "", None, None, " C1 "],
        }
    )
    mapped = map_points_to_nodes(points, grid, max_distance_km=2.0).set_index("id")
    assert mapped["mapping"].to_dict() == {
        "P1": "explicit",
        "P2": "nearest",
        "P3": "nearest",
        "P4": "unmapped",
        "P5": "unmapped",
        "P6": "explicit",
    }
    assert mapped.loc["P1", "grid_node_id"] == "C3"
    assert mapped.loc["P1", "distance_km"] == pytest.approx(0.0)
    # 0.003° north of C2.
    assert mapped.loc["P2", "grid_node_id"] == "C2"
    assert mapped.loc["P2", "distance_km"] == pytest.approx(3 * KM_PER_MILLIDEGREE_LAT)
    # On top of substation S2, but only cabins are candidates: C5 (0.66 km) beats C4 (1.11 km).
    assert mapped.loc["P3", "grid_node_id"] == "C5"
    north_km = 5 * KM_PER_MILLIDEGREE_LAT
    east_km = north_km * math.cos(math.radians(50.8025))  # 0.005° of longitude at that latitude
    assert mapped.loc["P3", "distance_km"] == pytest.approx(math.hypot(north_km, east_km), rel=1e-4)
    assert mapped["grid_node_id"].isna()["P4"]
    distance_km = mapped["distance_km"]
    assert distance_km["P4"] > 2.0  # how far the nearest cabin was
    assert np.isnan(distance_km["P5"])
    assert mapped.loc["P6", "grid_node_id"] == "C1"  # explicit id is stripped


def test_map_points_any_level_and_distance_limit(grid: pd.DataFrame) -> None:
    points = pd.DataFrame({"id": ["P3"], "lat": [50.800], "lon": [4.900]})
    anywhere = map_points_to_nodes(points, grid, level=None)
    assert anywhere.loc[0, "grid_node_id"] == "S2"
    strict = map_points_to_nodes(points, grid, max_distance_km=0.5)
    assert strict.loc[0, "mapping"] == "unmapped"


def test_a_grid_of_substations_only_maps_by_explicit_id_and_leaves_the_rest_unmapped(
    grid: pd.DataFrame,
) -> None:
    substations = grid[grid["level"] == "hv_mv_substation"].reset_index(drop=True)
    points = pd.DataFrame(
        {"id": ["P1", "P2"], "lat": [50.800, 50.800], "lon": [4.900, 4.900]}
    ).assign(grid_node_id=["S2", ""])
    mapped = map_points_to_nodes(points, substations).set_index("id")
    assert mapped["mapping"].to_dict() == {"P1": "explicit", "P2": "unmapped"}
    assert mapped.loc["P1", "grid_node_id"] == "S2"
    assert mapped["grid_node_id"].isna()["P2"]


def test_unknown_explicit_node_lists_every_point(grid: pd.DataFrame) -> None:
    points = pd.DataFrame(
        {
            "id": ["A", "B", "C"],
            "lat": [50.9] * 3,
            "lon": [4.7] * 3,
            "grid_node_id": ["C33", "C1", "X"],
        }
    )
    with pytest.raises(TableValidationError) as excinfo:
        map_points_to_nodes(points, grid)
    messages = [issue.message() for issue in excinfo.value.report.issues]
    assert len(messages) == 2
    assert "'C33' (of 'A') is not a node of the grid — did you mean 'C3'?" in messages[0]
    assert "'X' (of 'C')" in messages[1]


def test_points_need_id_and_coordinates(grid: pd.DataFrame) -> None:
    with pytest.raises(LaadplanError, match="lack column"):
        map_points_to_nodes(pd.DataFrame({"id": ["A"], "lat": [50.9]}), grid)
