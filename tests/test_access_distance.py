"""Access distances: straight line × detour factor, tier cut-offs, road graphs, access costs."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from charging_sites import (
    AccessError,
    access_pairs,
    check_access_cost_ids,
    read_access_cost,
    read_road_edges,
)
from geography import haversine_km
from validation import TableValidationError

#: The mean Earth radius geography uses, km: along a meridian the distance is R × Δlatitude.
EARTH_RADIUS_KM = 6371.0088
ALL_TIERS_KM = {"private": 15.0, "semi_public": 15.0, "public": 15.0}


def meridian_km(delta_lat_deg: float) -> float:
    return EARTH_RADIUS_KM * math.radians(delta_lat_deg)


def table(rows: list[tuple[object, ...]], columns: str) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns.split())


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


# --- straight line --------------------------------------------------------------------------


def test_straight_line_times_detour_factor_along_a_meridian() -> None:
    depots = table([("N-1", 51.0, 4.0)], "need_id lat lon")
    sites = table([("S-1", 51.1, 4.0, "public")], "site_id lat lon tier")
    pairs = access_pairs(depots, sites, ALL_TIERS_KM, detour_factor=1.3)
    expected_km = 1.3 * meridian_km(0.1)  # 1.3 × 11.1195 km
    assert expected_km == pytest.approx(14.4554, abs=1e-4)
    assert pairs.to_dict("records") == [
        {
            "need_id": "N-1",
            "site_id": "S-1",
            "distance_km": pytest.approx(expected_km, rel=1e-12),
            "method": "straight_line",
        }
    ]


def test_east_west_distance_shrinks_with_latitude() -> None:
    # 0.1° of longitude at 51° N: R × cos(51°) × 0.1 rad-degrees (short, so arc ≈ chord)
    depots = table([("N-1", 51.0, 4.0)], "need_id lat lon")
    sites = table([("S-1", 51.0, 4.1, "private")], "site_id lat lon tier")
    pairs = access_pairs(depots, sites, ALL_TIERS_KM, detour_factor=1.0)
    expected_km = EARTH_RADIUS_KM * math.cos(math.radians(51.0)) * math.radians(0.1)
    assert pairs["distance_km"].item() == pytest.approx(expected_km, rel=1e-5)


def test_each_tier_has_its_own_cut_off() -> None:
    # Three sites 11.12 km north of the depot (14.46 km with the factor), one per tier.
    depots = table([("N-1", 51.0, 4.0)], "need_id lat lon")
    sites = table(
        [
            ("S-PRIV", 51.1, 4.0, "private"),
            ("S-SEMI", 51.1, 4.0, "semi_public"),
            ("S-PUB", 51.1, 4.0, "public"),
        ],
        "site_id lat lon tier",
    )
    limits = {"private": 14.0, "semi_public": 14.5, "public": 30.0}
    pairs = access_pairs(depots, sites, limits)
    assert sorted(pairs["site_id"]) == ["S-PUB", "S-SEMI"]  # 14.46 km > 14.0 for private


def test_a_pair_at_exactly_the_limit_is_kept_and_zero_means_same_place() -> None:
    depots = table([("N-1", 51.0, 4.0)], "need_id lat lon")
    sites = table(
        [("S-HERE", 51.0, 4.0, "private"), ("S-FAR", 51.1, 4.0, "public")],
        "site_id lat lon tier",
    )
    limit_km = float(1.3 * haversine_km(51.0, 4.0, 51.1, 4.0))
    pairs = access_pairs(depots, sites, {"private": 0.0, "semi_public": 1.0, "public": limit_km})
    assert pairs["site_id"].tolist() == ["S-HERE", "S-FAR"]
    assert pairs["distance_km"].tolist()[0] == 0.0


def test_needs_at_one_depot_share_it_and_come_out_in_need_order_then_distance() -> None:
    depots = table(
        [("N-B", 51.0, 4.0), ("N-A", 51.045, 4.0), ("N-C", 51.0, 4.0)], "need_id lat lon"
    )
    sites = table(
        [("S-1", 51.05, 4.0, "public"), ("S-2", 51.01, 4.0, "public")], "site_id lat lon tier"
    )
    pairs = access_pairs(depots, sites, {"public": 10.0})
    assert list(zip(pairs["need_id"], pairs["site_id"], strict=True)) == [
        ("N-B", "S-2"),
        ("N-B", "S-1"),
        ("N-A", "S-1"),
        ("N-A", "S-2"),
        ("N-C", "S-2"),
        ("N-C", "S-1"),
    ]
    assert pairs.dtypes.to_dict() == {
        "need_id": "str", "site_id": "str", "distance_km": "float64", "method": "str"
    }  # fmt: skip


def test_no_pairs_gives_an_empty_table_with_the_columns() -> None:
    depots = table([("N-1", 51.0, 4.0)], "need_id lat lon")
    sites = table([("S-1", 51.3, 4.0, "public")], "site_id lat lon tier")
    pairs = access_pairs(depots, sites, {"public": 5.0})
    assert pairs.empty
    assert list(pairs.columns) == ["need_id", "site_id", "distance_km", "method"]


def brute_force(
    depots: pd.DataFrame, sites: pd.DataFrame, limits: dict[str, float], factor: float
) -> dict[tuple[str, str], float]:
    distance_km = factor * haversine_km(
        depots["lat"].to_numpy()[:, None],
        depots["lon"].to_numpy()[:, None],
        sites["lat"].to_numpy()[None, :],
        sites["lon"].to_numpy()[None, :],
    )
    limit_km = sites["tier"].map(limits).to_numpy()[None, :]
    rows, cols = np.nonzero(distance_km <= limit_km)
    return {
        (depots["need_id"].iloc[r], sites["site_id"].iloc[c]): float(distance_km[r, c])
        for r, c in zip(rows, cols, strict=True)
    }


@pytest.mark.parametrize(
    ("seed", "centre_lat", "spread_deg", "limits"),
    [
        (1, 51.0, 0.6, {"private": 2.0, "semi_public": 10.0, "public": 15.0}),
        (2, 51.0, 1.5, {"private": 25.0, "semi_public": 0.5, "public": 7.0}),
        (3, 65.0, 0.8, {"private": 15.0, "semi_public": 15.0, "public": 15.0}),  # far north
        (4, -40.0, 0.5, {"private": 8.0, "semi_public": 3.0, "public": 12.0}),  # south
    ],
)
def test_prefilter_finds_exactly_the_brute_force_pairs(
    seed: int, centre_lat: float, spread_deg: float, limits: dict[str, float]
) -> None:
    rng = np.random.default_rng(seed)
    n_depots, n_sites = 400, 250
    depots = pd.DataFrame(
        {
            "need_id": [f"N-{i}" for i in range(n_depots)],
            "lat": centre_lat + rng.uniform(-spread_deg, spread_deg, n_depots),
            "lon": 4.0 + rng.uniform(-2 * spread_deg, 2 * spread_deg, n_depots),
        }
    )
    depots.loc[1::7, ["lat", "lon"]] = depots.loc[0, ["lat", "lon"]].to_numpy()  # shared depots
    sites = pd.DataFrame(
        {
            "site_id": [f"S-{i}" for i in range(n_sites)],
            "lat": centre_lat + rng.uniform(-spread_deg, spread_deg, n_sites),
            "lon": 4.0 + rng.uniform(-2 * spread_deg, 2 * spread_deg, n_sites),
            "tier": rng.choice(["private", "semi_public", "public"], n_sites),
        }
    )
    pairs = access_pairs(depots, sites, limits, detour_factor=1.25)
    expected = brute_force(depots, sites, limits, 1.25)
    assert len(expected) > 200, "the case must have pairs to compare"
    found = dict(
        zip(zip(pairs["need_id"], pairs["site_id"], strict=True), pairs["distance_km"], strict=True)
    )
    assert found.keys() == expected.keys()
    assert all(found[key] == pytest.approx(value, rel=1e-12) for key, value in expected.items())
    assert len(found) == len(pairs), "no pair twice"


# --- input errors ---------------------------------------------------------------------------


def test_input_problems_are_all_listed() -> None:
    depots = table([("N-1", 51.0, 4.0), ("N-2", None, 4.0)], "need_id lat lon")
    sites = table(
        [("S-1", 51.1, 4.0, "public"), ("S-2", 51.1, 4.0, "semi_public")], "site_id lat lon tier"
    )
    with pytest.raises(AccessError) as caught:
        access_pairs(depots, sites, {"publik": 5.0, "semi_public": -1.0}, detour_factor=0.9)
    assert str(caught.value).splitlines() == [
        "access distances cannot be computed:",
        "  depots: no lat/lon for N-2; valid: numbers in decimal degrees",
        "  max_detour_km: 'publik' is not a site tier; valid: one of private, semi_public, "
        "public — did you mean 'public'?",
        "  max_detour_km: semi_public -1.0 is not a distance; valid: a number ≥ 0 (km)",
        "  max_detour_km: no value for tier 'public'; valid: a number ≥ 0 (km)",
        "  detour_factor 0.9 is below 1; valid: a number ≥ 1 (a road is never shorter than the "
        "straight line)",
    ]


def test_missing_columns_are_named() -> None:
    depots = table([("N-1", 51.0)], "need_id lat")
    sites = table([("S-1", 51.1, 4.0)], "site_id lat lon")
    with pytest.raises(AccessError, match="depots: column\\(s\\) lon missing") as caught:
        access_pairs(depots, sites, ALL_TIERS_KM)
    assert "sites: column(s) tier missing; valid: a table with site_id, lat, lon, tier" in str(
        caught.value
    )


# --- road graph -----------------------------------------------------------------------------

# A (51.000, 4.000) — B (51.000, 4.050): 3.6 km road (3.50 km straight)
# B — C (51.010, 4.000): 4.0 km road, and a parallel 5.0 km road (the shorter counts)
# A — C: 20.0 km road, though C lies 1.11 km north of A
# E (51.200, 4.200) — F (51.210, 4.200): 1.2 km, a separate component
ROAD_ROWS: list[list[object]] = [
    [51.0, 4.0, 51.0, 4.05, 3.6],
    [51.0, 4.05, 51.01, 4.0, 4.0],
    [51.01, 4.0, 51.0, 4.05, 5.0],
    [51.0, 4.0, 51.01, 4.0, 20.0],
    [51.2, 4.2, 51.21, 4.2, 1.2],
]
ROAD_HEADER = ["from_lat", "from_lon", "to_lat", "to_lon", "length_km"]


@pytest.fixture
def roads(tmp_path: Path) -> pd.DataFrame:
    return read_road_edges(write_csv(tmp_path / "roads.csv", ROAD_HEADER, ROAD_ROWS))


def road_sites() -> pd.DataFrame:
    return table(
        [
            ("S-C", 51.01, 4.0, "public"),
            ("S-B", 51.0, 4.05, "private"),
            ("S-E", 51.2, 4.2, "public"),
        ],
        "site_id lat lon tier",
    )


def test_road_distance_follows_the_shortest_path_not_the_straight_line(
    roads: pd.DataFrame,
) -> None:
    depots = table([("N-A", 51.0, 4.0), ("N-F", 51.21, 4.2)], "need_id lat lon")
    pairs = access_pairs(depots, road_sites(), {"private": 10.0, "public": 10.0}, road_edges=roads)
    found = {
        (need, site): km
        for need, site, km in zip(
            pairs["need_id"], pairs["site_id"], pairs["distance_km"], strict=True
        )
    }
    assert found == {
        ("N-A", "S-B"): pytest.approx(3.6),
        ("N-A", "S-C"): pytest.approx(3.6 + 4.0),  # via B; straight line × 1.3 would be 1.45
        ("N-F", "S-E"): pytest.approx(1.2),
    }  # N-A cannot reach S-E: another component
    assert set(pairs["method"]) == {"road"}


def test_road_cut_off_per_tier(roads: pd.DataFrame) -> None:
    depots = table([("N-A", 51.0, 4.0)], "need_id lat lon")
    pairs = access_pairs(depots, road_sites(), {"private": 3.6, "public": 7.5}, road_edges=roads)
    assert pairs["site_id"].tolist() == ["S-B"]  # 7.6 km to S-C is beyond 7.5


def test_points_off_the_network_are_snapped_with_a_straight_leg(roads: pd.DataFrame) -> None:
    # 0.001° west of A: the leg to A is R × cos(51°) × 0.001°, times the detour factor.
    depots = table([("N-W", 51.0, 3.999)], "need_id lat lon")
    pairs = access_pairs(
        depots, road_sites(), {"private": 10.0, "public": 1.0}, detour_factor=1.5, road_edges=roads
    )
    leg_km = 1.5 * EARTH_RADIUS_KM * math.cos(math.radians(51.0)) * math.radians(0.001)
    assert pairs["site_id"].tolist() == ["S-B"]
    assert pairs["distance_km"].item() == pytest.approx(3.6 + leg_km, rel=1e-6)


def test_road_edges_are_validated(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        [51.0, 4.0, 51.0, 4.05, 3.6],
        [51.0, 4.0, 51.01, 4.0, 0.5],  # 1.11 km apart
        [51.0, 4.0, 51.0, 4.0, 1.0],
        [51.0, "x", 51.0, 4.05, -2],
    ]
    path = write_csv(tmp_path / "roads.csv", ROAD_HEADER, rows)
    with pytest.raises(TableValidationError) as caught:
        read_road_edges(path)
    assert [issue.message() for issue in caught.value.report.sorted_issues()] == [
        "row 3, column 'length_km': '0.5' is shorter than the straight line between the "
        "segment's ends; valid: at least the great-circle distance from (from_lat, from_lon) to "
        "(to_lat, to_lon), in km",
        "row 4, column 'to_lat': '51.0' makes the segment end where it starts; valid: "
        "to_lat/to_lon different from from_lat/from_lon",
        "row 5, column 'from_lon': 'x' is not a number; valid: a number from -180 to 180 "
        "(degrees east)",
        "row 5, column 'length_km': '-2' is out of range; valid: a number > 0 (km)",
    ]


def test_road_edges_need_every_column(tmp_path: Path) -> None:
    header = ["from_lat", "from_lon", "to_lat", "to_lon", "length"]
    path = write_csv(tmp_path / "roads.csv", header, [[51.0, 4.0, 51.0, 4.05, 3.6]])
    with pytest.raises(TableValidationError, match="did you mean 'length'"):
        read_road_edges(path)


# --- access_cost.csv ------------------------------------------------------------------------

COST_HEADER = ["need_id", "site_id", "cost_eur_per_kwh"]


def test_access_cost_is_read_typed(tmp_path: Path) -> None:
    rows: list[list[object]] = [["N-1", "S-1", "0.05"], ["N-1", "S-2", "0"], ["N-2", "S-1", "1.5"]]
    costs = read_access_cost(write_csv(tmp_path / "access_cost.csv", COST_HEADER, rows))
    assert costs["cost_eur_per_kwh"].tolist() == [0.05, 0.0, 1.5]
    assert costs["need_id"].tolist() == ["N-1", "N-1", "N-2"]


def test_access_cost_checks(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["N-1", "S-1", "0.05"],
        ["N-1", "S-1", "0.07"],
        ["N-2", "", "-0.1"],
        ["N-3", "S-1", "15"],
        ["N-4", "S-1", "cheap"],
    ]
    path = write_csv(tmp_path / "access_cost.csv", COST_HEADER, rows)
    with pytest.raises(TableValidationError) as caught:
        read_access_cost(path)
    valid = "valid: a number from 0 to 10 (EUR per kWh)"
    assert [issue.message() for issue in caught.value.report.sorted_issues()] == [
        "row 3, column 'site_id': 'N-1 / S-1' repeats the need_id and site_id of row 2; valid: "
        "each need_id and site_id once",
        f"row 4, column 'cost_eur_per_kwh': '-0.1' is out of range; {valid}",
        "row 4, column 'site_id': (empty) is empty; valid: a non-empty text",
        f"row 5, column 'cost_eur_per_kwh': '15' is out of range; {valid}",
        f"row 6, column 'cost_eur_per_kwh': 'cheap' is not a number; {valid}",
    ]


def test_unknown_ids_in_access_cost_are_reported_by_row(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["N-001", "S-1", "0.1"],
        ["N-01", "S-01", "0.1"],
        ["N-002", "S-2", "0"],
    ]
    costs = read_access_cost(write_csv(tmp_path / "access_cost.csv", COST_HEADER, rows))
    issues = check_access_cost_ids(costs, ["N-001", "N-002"], ["S-1", "S-2"])
    assert [issue.message() for issue in issues] == [
        "row 3, column 'need_id': 'N-01' is not a need_id of needs.csv; valid: an id listed in "
        "the need_id column of the case — did you mean 'N-001'?",
        "row 3, column 'site_id': 'S-01' is not a site_id of sites.csv; valid: an id listed in "
        "the site_id column of the case — did you mean 'S-1'?",
    ]


def test_numpy_numbers_are_accepted_as_settings() -> None:
    depots = table([("N-1", 51.0, 4.0)], "need_id lat lon")
    sites = table([("S-1", 51.05, 4.0, "public")], "site_id lat lon tier")
    limits = {"public": np.int64(10)}  # as a numpy-based caller may pass it
    pairs = access_pairs(depots, sites, limits, detour_factor=np.float64(1.0))  # type: ignore[arg-type]
    assert pairs["distance_km"].item() == pytest.approx(meridian_km(0.05))


def test_an_empty_road_edge_list_is_refused() -> None:
    depots = table([("N-1", 51.0, 4.0)], "need_id lat lon")
    sites = table([("S-1", 51.05, 4.0, "public")], "site_id lat lon tier")
    empty = pd.DataFrame(columns=ROAD_HEADER, dtype=float)
    with pytest.raises(AccessError, match="road_edges: the edge list is empty"):
        access_pairs(depots, sites, {"public": 10.0}, road_edges=empty)
