"""The grid overlay: demand up the tree, shortfall per slot, capacity requests, the k rule.

The hand-computed case (``small_case``): substation S feeds cabins C1, C2, C3; two slots a day
(00:00 off-peak, 12:00 peak); power factor 0.8.

=====  =================  ================  =======================================
node   headroom kVA       headroom kW       depots (organisation: kW 2030 | 2031)
=====  =================  ================  =======================================
S      100, 50            80, 40            P3 (ORG-CHARLIE, explicit): 0,0 | 20,0
C1     50, 25             40, 20            P1 (ORG-ALPHA): 30,30 | 30,30
C2     100, -10           80, -8            P2 (ORG-BRAVO): 0,10 | 50,10
C3     -5, -5             -4, -4            none
=====  =================  ================  =======================================

Node demand: C1 30,30 both years; C2 0,10 | 50,10; S 30,40 | 100,40.  Shortfall (demand −
headroom where there is demand): C1 10 at 12:00 both years; C2 18 at 12:00 both years (8 of it
an existing overload); S 20 at 00:00 in 2031.  Extra capacity = shortfall / 0.8: C1 12.5,
C2 22.5 (existing overload 10 kVA), S 25.  C3 is overloaded without any demand: not reported.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from grid_data import read_grid
from grid_data.disclosure import Bundle, disclose_year
from grid_data.overlay import (
    OverlayResult,
    OverlaySettings,
    map_depots,
    overlay_demand,
    select_year,
    sum_up_tree,
)
from grid_data.overlay_tables import CONGESTION_COLUMNS, REQUEST_COLUMNS
from grid_data.reports import OVERLAY_FILES, requests_geojson, write_overlay_files
from planner.cli import main
from planner.scenario import ScenarioError, scenario_from_mapping
from tests._needs_fixtures import write_needs
from validation import LaadplanError

GRID_HEADER = (
    "node_id,name,level,parent_id,lat,lon,firm_capacity_kva,peak_load_kva,headroom_kva,"
    "status,as_of,source\n"
)
GRID_ROWS = (
    "S,Substation S,hv_mv_substation,,50.8850,4.7050,,,100,green,,test\n"
    "C1,Cabin 1,mv_cabin,S,50.8800,4.7000,,,50,green,,test\n"
    "C2,Cabin 2,mv_cabin,S,50.8900,4.7100,,,100,green,,test\n"
    "C3,Cabin 3,mv_cabin,S,50.8700,4.6900,,,-5,red,,test\n"
)
HEADROOM_KVA = {"S": [100, 50], "C1": [50, 25], "C2": [100, -10], "C3": [-5, -5]}
ORGANISATIONS = ("ORG-ALPHA", "ORG-BRAVO", "ORG-CHARLIE", "ORG-DELTA", "ORG-ECHO", "ORG-FOX")
#: id, organisation, lat, lon, private terrain, grid_node_id, location estimated,
#: kW per slot in 2030 and 2031.
POINTS = [
    ("P1", "ORG-ALPHA", 50.8800, 4.7000, True, "", False, [30, 30], [30, 30]),
    ("P2", "ORG-BRAVO", 50.8900, 4.7100, True, "", False, [0, 10], [50, 10]),
    ("P3", "ORG-CHARLIE", 50.8700, 4.6900, True, "S", False, [0, 0], [20, 0]),
    ("P4", "ORG-DELTA", 50.8800, 4.7000, False, "", False, [500, 500], [500, 500]),
    ("P5", "ORG-ECHO", 51.0500, 3.7200, True, "", False, [5, 5], [5, 5]),
    ("P6", "ORG-FOX", 50.8700, 4.6900, True, "", True, [7, 0], [7, 0]),
]
PF = 0.8


def write_grid(folder: Path) -> Path:
    path = folder / "grid.csv"
    path.write_text(GRID_HEADER + GRID_ROWS)
    return path


@pytest.fixture
def grid(tmp_path: Path) -> pd.DataFrame:
    return read_grid(write_grid(tmp_path))


def make_headroom_kva(nodes: list[str]) -> xr.DataArray:
    return xr.DataArray(
        np.array([HEADROOM_KVA[node] for node in nodes], dtype=float),
        dims=("node", "slot"),
        coords={"node": nodes, "slot": [0, 1], "slot_start": ("slot", ["00:00", "12:00"])},
    )


def make_points() -> tuple[xr.DataArray, pd.DataFrame]:
    columns = ["id", "organisation_id", "lat", "lon", "private_terrain", "grid_node_id"]
    points = pd.DataFrame([row[:6] for row in POINTS], columns=columns)
    points["location_estimated"] = [row[6] for row in POINTS]
    demand = xr.DataArray(
        np.array([[row[7], row[8]] for row in POINTS], dtype=float),
        dims=("need", "year", "slot"),
        coords={"need": points["id"].tolist(), "year": [2030, 2031], "slot": [0, 1]},
    )
    return demand, points


def small_case(grid: pd.DataFrame, k: int) -> OverlayResult:
    demand, points = make_points()
    settings = OverlaySettings(power_factor=PF, k_anonymity=k, max_distance_km=2.0)
    headroom = make_headroom_kva(["S", "C1", "C2", "C3"])
    return overlay_demand(grid, headroom, demand, points, settings)


def records(frame: pd.DataFrame, columns: list[str]) -> list[tuple[object, ...]]:
    return [tuple(row) for row in frame[columns].itertuples(index=False)]


# --- aggregation, shortfall, requests (k = 1: everything disclosed) --------------------------


def test_demand_is_summed_up_the_tree_per_slot(grid: pd.DataFrame) -> None:
    load = small_case(grid, k=1).node_load
    demand = load["demand_kw"].sel(node=["S", "C1", "C2", "C3"]).transpose("node", "year", "slot")
    expected = [
        [[30, 40], [100, 40]],
        [[30, 30], [30, 30]],
        [[0, 10], [50, 10]],
        [[0, 0], [0, 0]],
    ]
    np.testing.assert_allclose(demand.to_numpy(), expected)
    assert load["organisations"].sel(node="S").values.tolist() == [2, 3]
    assert load["headroom_kw"].sel(node="C2").values.tolist() == pytest.approx([80, -8])


def test_sum_up_tree_adds_every_descendant_once() -> None:
    # root 0 feeds 1 and 2; 1 feeds 3
    parents = np.array([-1, 0, 0, 1])
    generations = [np.array([0]), np.array([1, 2]), np.array([3])]
    summed = sum_up_tree(parents, generations, np.array([1.0, 10.0, 100.0, 1000.0]))
    assert summed.tolist() == [1111.0, 1010.0, 100.0, 1000.0]


def test_congestion_rows_are_the_hand_computed_shortfalls_largest_first(
    grid: pd.DataFrame,
) -> None:
    congestion = small_case(grid, k=1).congestion
    assert list(congestion.columns) == list(CONGESTION_COLUMNS)
    assert records(congestion, list(CONGESTION_COLUMNS)) == [
        ("S", 2031, "00:00", 100.0, 80.0, 20.0, True),
        ("C2", 2030, "12:00", 10.0, -8.0, 18.0, False),
        ("C2", 2031, "12:00", 10.0, -8.0, 18.0, False),
        ("C1", 2030, "12:00", 30.0, 20.0, 10.0, False),
        ("C1", 2031, "12:00", 30.0, 20.0, 10.0, False),
    ]


def test_capacity_requests_divide_by_the_power_factor_and_name_the_earliest_year(
    grid: pd.DataFrame,
) -> None:
    requests = small_case(grid, k=1).requests
    assert list(requests.columns) == list(REQUEST_COLUMNS)
    columns = [
        "node_id",
        "year",
        "extra_capacity_kva",
        "peak_slot",
        "existing_overload_kva",
        "organisations",
        "earliest_year",
        "disclosure",
    ]
    assert records(requests, columns) == [
        ("C2", 2030, 22.5, "12:00", 10.0, 1, 2030, "own"),
        ("C1", 2030, 12.5, "12:00", 0.0, 1, 2030, "own"),
        ("S", 2031, 25.0, "00:00", 0.0, 3, 2031, "own"),
        ("C2", 2031, 22.5, "12:00", 10.0, 1, 2030, "own"),
        ("C1", 2031, 12.5, "12:00", 0.0, 1, 2030, "own"),
    ]
    s_row = requests[requests["node_id"] == "S"].iloc[0]
    assert (s_row["lat"], s_row["lon"], s_row["level"]) == (50.885, 4.705, "hv_mv_substation")


def test_a_node_overloaded_without_demand_is_not_reported(grid: pd.DataFrame) -> None:
    result = small_case(grid, k=1)
    assert "C3" not in set(result.congestion["node_id"]) | set(result.requests["node_id"])
    assert float(result.node_load["shortfall_kw"].sel(node="C3").sum()) == 0.0


def test_depots_without_private_terrain_far_away_or_estimated_stay_off_the_grid(
    grid: pd.DataFrame,
) -> None:
    result = small_case(grid, k=1)
    mapping = result.depots.set_index("id")
    assert mapping["mapping"].to_dict() == {
        "P1": "nearest",
        "P2": "nearest",
        "P3": "explicit",
        "P4": "no_private_terrain",
        "P5": "unmapped",
        "P6": "estimated_location",
    }
    assert mapping.loc["P3", "grid_node_id"] == "S"
    unmapped = result.node_load["unmapped_demand_kw"].transpose("year", "slot")
    np.testing.assert_allclose(unmapped.to_numpy(), [[12, 5], [12, 5]])  # P5 + P6, not P4


def test_map_depots_names_missing_columns() -> None:
    with pytest.raises(LaadplanError, match="lack column"):
        map_depots(pd.DataFrame({"id": ["P1"]}), pd.DataFrame())


def test_mismatched_points_and_slots_are_refused(grid: pd.DataFrame) -> None:
    demand, points = make_points()
    headroom = make_headroom_kva(["S", "C1", "C2", "C3"])
    with pytest.raises(LaadplanError, match="differ"):
        overlay_demand(grid, headroom, demand, points.iloc[::-1].reset_index(drop=True))
    with pytest.raises(LaadplanError, match="slots per day"):
        overlay_demand(grid, headroom.isel(slot=[0]), demand, points)
    with pytest.raises(LaadplanError, match="power factor"):
        overlay_demand(grid, headroom, demand, points, OverlaySettings(power_factor=1.5))


def test_select_year_keeps_the_earliest_year_of_all_years(grid: pd.DataFrame) -> None:
    chosen = select_year(small_case(grid, k=1), 2031)
    assert set(chosen.requests["year"]) == set(chosen.congestion["year"]) == {2031}
    assert chosen.requests.set_index("node_id")["earliest_year"].to_dict() == {
        "S": 2031,
        "C2": 2030,
        "C1": 2030,
    }
    assert chosen.node_load["year"].values.tolist() == [2031]
    with pytest.raises(LaadplanError, match="2040 is not projected"):
        select_year(chosen, 2040)


# --- the k rule on the small case -------------------------------------------------------------


def test_k3_suppresses_cabins_of_one_organisation_and_discloses_exactly_three(
    grid: pd.DataFrame,
) -> None:
    result = small_case(grid, k=3)
    # 2030: S's group is {ALPHA, BRAVO} (CHARLIE has no demand) -> nothing named;
    # 2031: S's own group {ALPHA, BRAVO, CHARLIE} is exactly k -> its own figures are shown;
    # the cabins' requests (groups {ALPHA} and {BRAVO}) never reach k -> suppressed.
    assert records(result.congestion, ["node_id", "year", "slot", "shortfall_kw"]) == [
        ("S", 2031, "00:00", 20.0)
    ]
    requests = result.requests
    assert records(requests, ["node_id", "year", "disclosure", "merged_nodes"]) == [
        ("", 2030, "suppressed", 2),
        ("S", 2031, "own", 0),
        ("", 2031, "suppressed", 2),
    ]
    assert requests.loc[1, "extra_capacity_kva"] == 25.0
    assert requests.loc[1, "organisations"] == 3
    suppressed = requests[requests["disclosure"] == "suppressed"]
    assert suppressed["extra_capacity_kva"].isna().all()
    assert suppressed["organisations"].isna().all()
    assert result.node_load["reported_as"].sel(year=2031).to_series().to_dict() == {
        "S": "own",
        "C1": "suppressed",
        "C2": "suppressed",
        "C3": "",
    }


def test_k2_merges_the_cabins_into_the_substation_request(grid: pd.DataFrame) -> None:
    requests = small_case(grid, k=2).requests
    columns = [
        "node_id",
        "year",
        "extra_capacity_kva",
        "peak_slot",
        "organisations",
        "earliest_year",
        "disclosure",
        "merged_nodes",
    ]
    # 2031: S is named with its own request (ALPHA, BRAVO, CHARLIE); a bundle of C1 and C2
    # (ALPHA, BRAVO) beside it would leave S minus the bundle = CHARLIE alone: suppressed
    assert records(requests, columns)[:2] == [
        ("S", 2030, 35.0, "", 2, 2030, "merged_from_children", 2),
        ("S", 2031, 25.0, "00:00", 3, 2030, "own", 0),
    ]
    suppressed = requests.iloc[2]
    assert (suppressed["year"], suppressed["disclosure"], suppressed["merged_nodes"]) == (
        2031,
        "suppressed",
        2,
    )


def test_a_cabin_with_two_organisations_is_merged_into_its_substation() -> None:
    # S (0) feeds C1 (1: a, b) and C2 (2: c); both cabins congested; k = 3
    result = disclose_year(
        np.array([-1, 0, 0]), [1, 2, 0], [set(), {"a", "b"}, {"c"}], np.array([0, 1, 1], bool), 3
    )
    assert result.disclosed.tolist() == [True, False, False]  # S's group is exactly 3
    assert result.bundles == (Bundle(node=0, members=(1, 2), organisations=3),)


def test_a_substation_with_fewer_than_k_in_total_is_suppressed() -> None:
    result = disclose_year(
        np.array([-1, 0, 0]), [1, 2, 0], [set(), {"a"}, {"b"}], np.array([1, 1, 0], bool), 3
    )
    assert result.disclosed.tolist() == [False, False, False]
    assert result.bundles == (Bundle(node=-1, members=(1, 0), organisations=0),)


def test_exactly_k_is_disclosed_and_k_minus_one_is_not() -> None:
    for group, expected in (({"a", "b", "c"}, True), ({"a", "b"}, False)):
        result = disclose_year(np.array([-1]), [0], [group], np.array([True]), 3)
        assert bool(result.disclosed[0]) is expected
        assert (result.bundles == ()) is expected


def test_a_parent_is_not_disclosed_when_the_rest_beside_a_disclosed_child_is_below_k() -> None:
    # S (0, direct d) feeds C1 (1: a, b, c, disclosed) and C2 (2: e). Five organisations stand
    # behind S, but S minus C1 would be {d, e}: S's own figures stay hidden.
    result = disclose_year(
        np.array([-1, 0, 0]),
        [1, 2, 0],
        [{"d"}, {"a", "b", "c"}, {"e"}],
        np.array([1, 1, 0], bool),
        3,
    )
    assert result.disclosed.tolist() == [False, True, False]
    assert result.bundles == (Bundle(node=-1, members=(0,), organisations=0),)


def test_a_node_whose_load_is_all_in_disclosed_children_is_disclosed() -> None:
    result = disclose_year(
        np.array([-1, 0]), [1, 0], [set(), {"a", "b", "c"}], np.array([1, 1], bool), 3
    )
    assert result.disclosed.tolist() == [True, True]
    assert result.bundles == ()


def test_a_bundle_travels_up_until_it_reaches_k() -> None:
    # R (0) feeds S1 (1) and S2 (2); S1 feeds C1 (3: a); S2 feeds C2 (4: b, c)
    result = disclose_year(
        np.array([-1, 0, 0, 1, 2]),
        [3, 4, 1, 2, 0],
        [set(), set(), set(), {"a"}, {"b", "c"}],
        np.array([0, 0, 0, 1, 1], bool),
        3,
    )
    assert result.bundles == (Bundle(node=0, members=(3, 4), organisations=3),)


def test_k_must_be_a_whole_number_of_at_least_one() -> None:
    with pytest.raises(LaadplanError, match="k-anonymity 0"):
        disclose_year(np.array([-1]), [0], [set()], np.array([False]), 0)


# --- files ------------------------------------------------------------------------------------


def test_operator_files_hold_no_organisation_id(grid: pd.DataFrame, tmp_path: Path) -> None:
    for k in (1, 2, 3):
        paths = write_overlay_files(small_case(grid, k=k), tmp_path / f"k{k}")
        assert [path.name for path in paths] == list(OVERLAY_FILES)
        for path in paths[:3]:
            text = path.read_text(encoding="utf-8")
            assert not [org for org in ORGANISATIONS if org in text], path.name
        with xr.open_dataset(paths[3]) as stored:
            values = [str(v) for var in stored.variables.values() for v in np.ravel(var.values)]
            attrs = str(stored.attrs)
        assert not [org for org in ORGANISATIONS if org in attrs or org in values]


def test_geojson_is_a_feature_collection_of_points_in_lon_lat_order(
    grid: pd.DataFrame, tmp_path: Path
) -> None:
    paths = write_overlay_files(small_case(grid, k=3), tmp_path)
    geojson = json.loads(paths[2].read_text(encoding="utf-8"))
    assert geojson["type"] == "FeatureCollection"
    [feature] = geojson["features"]  # the suppressed rows have no location
    assert feature["type"] == "Feature"
    assert feature["geometry"] == {"type": "Point", "coordinates": [4.705, 50.885]}
    assert feature["properties"]["node_id"] == "S"
    assert feature["properties"]["extra_capacity_kva"] == 25.0
    assert set(feature["properties"]) == set(REQUEST_COLUMNS)


def test_operator_csv_files_hold_no_live_formula(grid: pd.DataFrame, tmp_path: Path) -> None:
    formula = '=HYPERLINK("http://attacker.example","open")'
    grid.loc[grid["node_id"] == "S", "name"] = formula
    paths = write_overlay_files(small_case(grid, k=3), tmp_path)
    requests = pd.read_csv(paths[1], dtype=str, keep_default_na=False)
    assert requests.loc[requests["node_id"] == "S", "name"].tolist() == ["'" + formula]
    for path in paths[:2]:
        cells = pd.read_csv(path, dtype=str, keep_default_na=False).to_numpy().ravel()
        assert not [cell for cell in cells if str(cell).startswith(("=", "@"))], path.name


def test_geojson_turns_missing_values_into_null() -> None:
    frame = pd.DataFrame(
        {
            "node_id": ["S"],
            "lat": [50.9],
            "lon": [4.7],
            "peak": [np.nan],
            "n": pd.array([None], "Int64"),
        }
    )
    properties = requests_geojson(frame)["features"][0]["properties"]
    assert properties["peak"] is None and properties["n"] is None
    json.dumps(properties, allow_nan=False)


def test_node_load_file_reads_back(grid: pd.DataFrame, tmp_path: Path) -> None:
    paths = write_overlay_files(small_case(grid, k=3), tmp_path)
    with xr.open_dataset(paths[3]) as stored:
        assert stored["demand_kw"].sel(node="S", year=2031).values.tolist() == [100.0, 40.0]
        assert stored["disclosed"].sel(year=2031).to_series().to_dict() == {
            "S": 1,
            "C1": 0,
            "C2": 0,
            "C3": 1,
        }
        assert stored.attrs["k_anonymity"] == 3


# --- scenario ---------------------------------------------------------------------------------


def test_grid_section_of_the_scenario() -> None:
    scenario = scenario_from_mapping({"grid": {"k_anonymity": 5, "power_factor": 0.9}})
    assert (scenario.grid.k_anonymity, scenario.grid.power_factor) == (5, 0.9)
    assert scenario.grid.max_mapping_distance_km == 2.0
    with pytest.raises(ScenarioError) as caught:
        scenario_from_mapping(
            {"grid": {"k_anonymity": 0, "power_factor": 0, "status_headroom_kva": {"gren": 1}}}
        )
    message = str(caught.value)
    assert "[grid] k_anonymity 0: valid: a whole number >= 1" in message
    assert "[grid] power_factor 0: valid: above 0, at most 1" in message
    assert "did you mean 'green'?" in message


# --- command line -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def leuven(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated Leuven demo case and a short scenario: 2027–2029, charging at arrival."""
    folder = tmp_path_factory.mktemp("leuven") / "case"
    assert main(["-q", "generate", "--region", "Leuven", "--seed", "1", "--out", str(folder)]) == 0
    text = (folder / "scenario.toml").read_text(encoding="utf-8")
    short = text.replace("last_year = 2035", "last_year = 2029")
    short = short.replace('charging_strategy = "offpeak_first"', 'charging_strategy = "immediate"')
    assert short.count("2029") >= 1 and "immediate" in short
    (folder.parent / "short.toml").write_text(short, encoding="utf-8")
    return folder


def run_overlay(case: Path, out: Path, *extra: str) -> int:
    scenario = case.parent / "short.toml"
    arguments = ["grid", "overlay", "--data", str(case), "--scenario", str(scenario)]
    return main([*arguments, "--out", str(out), *extra])


def organisation_ids(case: Path) -> set[str]:
    return set(pd.read_csv(case / "needs.csv", dtype=str)["organisation_id"])


def test_overlay_command_writes_the_four_files_under_the_k_rule(
    leuven: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_overlay(leuven, tmp_path) == 0
    captured = capsys.readouterr()
    nodes = len(pd.read_csv(leuven / "grid.csv"))
    assert f"Grid overlay: {nodes} nodes" in captured.out
    assert "Top congested nodes" in captured.out
    assert f"overlaying demand on {nodes} grid nodes: done in" in captured.err
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(OVERLAY_FILES)
    requests = pd.read_csv(tmp_path / "capacity_requests.csv")
    named = requests[requests["disclosure"] != "suppressed"]
    assert (named["organisations"] >= 3).all()
    with xr.open_dataset(tmp_path / "node_load.nc") as load:
        disclosed = load["disclosed"].to_series()
        congested = int((load["extra_capacity_kva"] > 0).sum())
    congestion = pd.read_csv(tmp_path / "congestion.csv")
    assert all(
        disclosed[(node, year)] == 1
        for node, year in zip(congestion["node_id"], congestion["year"], strict=True)
    )
    assert congested > 0  # the demand meets the evening-congested cabins
    ids = organisation_ids(leuven)
    for name in ("congestion.csv", "capacity_requests.csv", "capacity_requests.geojson"):
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert not [org for org in ids if org in text], name


def test_overlay_command_with_k1_lists_congestion_including_existing_overloads(
    leuven: Path, tmp_path: Path
) -> None:
    assert run_overlay(leuven, tmp_path, "--k", "1") == 0
    congestion = pd.read_csv(tmp_path / "congestion.csv")
    assert not congestion.empty
    assert (congestion["shortfall_kw"] > 0).all()
    gap = congestion["demand_kw"] - congestion["headroom_kw"]
    np.testing.assert_allclose(congestion["shortfall_kw"], gap, atol=0.11)
    assert congestion["shortfall_kw"].is_monotonic_decreasing
    assert (congestion["headroom_kw"] < 0).any()  # overloads that exist before any charging
    grid_nodes = set(pd.read_csv(leuven / "grid.csv")["node_id"])
    assert set(congestion["node_id"]) <= grid_nodes
    with xr.open_dataset(tmp_path / "node_load.nc") as load:
        for row in congestion.head(20).itertuples():
            slot = int(np.flatnonzero(load["slot_start"].values == row.slot)[0])
            stored = float(load["shortfall_kw"].sel(node=row.node_id, year=row.year)[slot])
            assert stored == pytest.approx(row.shortfall_kw, abs=0.06)


def test_overlay_command_for_one_year(leuven: Path, tmp_path: Path) -> None:
    assert run_overlay(leuven, tmp_path, "--year", "2028", "--k", "1") == 0
    for name in ("congestion.csv", "capacity_requests.csv"):
        assert set(pd.read_csv(tmp_path / name)["year"]) <= {2028}
    with xr.open_dataset(tmp_path / "node_load.nc") as load:
        assert load["year"].values.tolist() == [2028]


def test_overlay_command_refuses_bad_arguments(
    leuven: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_overlay(leuven, tmp_path / "a", "--year", "2040") == 1
    assert "--year 2040: valid: 2027–2029" in capsys.readouterr().err
    assert run_overlay(leuven, tmp_path / "b", "--k", "0") == 1
    assert "k-anonymity 0" in capsys.readouterr().err
    assert run_overlay(leuven, tmp_path / "c", "--grid-profiles", str(tmp_path / "no.csv")) == 1
    assert "--grid-profiles" in capsys.readouterr().err
    assert not (tmp_path / "a").exists()


def test_overlay_command_needs_a_grid(
    leuven: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = tmp_path / "case"
    shutil.copytree(leuven, case)
    shutil.copy(leuven.parent / "short.toml", tmp_path / "short.toml")
    (case / "grid.csv").unlink()
    assert run_overlay(case, tmp_path / "out") == 1
    assert "no grid.csv in" in capsys.readouterr().err


def test_run_without_a_grid_skips_the_overlay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = tmp_path / "case"
    case.mkdir()
    write_needs(case / "needs.csv")
    (case / "zones.csv").write_text("nis_code,zes_start_year\n24062,2027\n")
    (case / "scenario.toml").write_text("[projection]\nlast_year = 2028\n")
    assert main(["run", "--data", str(case), "--out", str(tmp_path / "out")]) == 0
    captured = capsys.readouterr()
    assert "grid overlay is skipped" in captured.err
    assert "Grid overlay" not in captured.out
    assert not (tmp_path / "out" / "congestion.csv").exists()


def test_a_node_of_unknown_headroom_is_not_checked_and_is_logged(
    grid: pd.DataFrame, caplog: pytest.LogCaptureFixture
) -> None:
    demand, points = make_points()
    headroom = make_headroom_kva(["S", "C1", "C2", "C3"])
    headroom.loc["C1"] = np.nan
    result = overlay_demand(
        grid, headroom, demand, points, OverlaySettings(power_factor=PF, k_anonymity=1)
    )
    assert "C1" not in set(result.congestion["node_id"])
    assert set(result.congestion["node_id"]) == {"S", "C2"}
    assert "1 node(s) carry demand but their headroom is unknown in some slot" in caplog.text
    assert ": C1" in caplog.text
