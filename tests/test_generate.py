"""The synthetic case generator: contracts, determinism, plausibility and the command."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import geography
from grid_data.profiles import read_grid_profiles
from grid_data.readers import read_grid
from grid_data.schema import DEFAULT_STATUS_THRESHOLDS
from planner.cli import generate as generate_command
from planner.domain import EXEMPTION_CATEGORIES, Exemption, VehicleCategory, values
from planner.generate import GenerateError, SizeRequest, generate_case, write_case
from planner.generate.places import choose_rows
from planner.generate.sizes import CaseSizes, split_sites
from planner.scenario import load_scenario
from validation import LaadplanError

# Headers as written in the data contracts of DESIGN.md (and the brief for grid_profiles.csv).
NEEDS_HEADER = (
    "need_id,organisation_id,sector,depot_id,lat,lon,nis_code,vehicle_category,vehicles,"
    "first_registration_year,fuel,euro_norm,daily_km,kwh_per_km,working_days_per_week,"
    "dwell_start,dwell_end,private_terrain,share_willing,zes_cities,exemption,energy_kwh_per_day"
)
SITES_HEADER = (
    "site_id,name,tier,owner_organisation_id,lat,lon,nis_code,grid_node_id,max_chargers,"
    "existing_chargers,max_power_kw,fixed_cost_eur,available_from,available_to,shared"
)
GRID_HEADER = (
    "node_id,name,level,parent_id,lat,lon,firm_capacity_kva,peak_load_kva,headroom_kva,status,"
    "as_of,source"
)
HEADERS = {
    "needs.csv": NEEDS_HEADER,
    "sites.csv": SITES_HEADER,
    "grid.csv": GRID_HEADER,
    "grid_profiles.csv": "node_id,slot,load_kva",
    "zones.csv": "nis_code,zes_start_year",
}
ALL_FILES = [*HEADERS, "scenario.toml", "README.txt"]
EVENING_HOURS = [17, 18, 19, 20]
NIGHT_HOURS = [0, 1, 2, 3, 4, 5]


def read(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / name, dtype=str, keep_default_na=False)


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="laadplan")
    generate_command.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["generate", *argv])
    code: int = args.func(args)
    return code


@pytest.fixture(scope="module")
def leuven(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("leuven") / "case"
    assert run_cli("--region", "Leuven", "--seed", "1", "--out", str(folder)) == 0
    return folder


# --- contracts and labels -------------------------------------------------------------------


def test_every_file_is_written_with_the_contract_header(leuven: Path) -> None:
    assert sorted(p.name for p in leuven.iterdir()) == sorted(ALL_FILES)
    for name, header in HEADERS.items():
        assert (leuven / name).read_text(encoding="utf-8").splitlines()[0] == header, name


def test_needs_header_matches_the_validator_contract() -> None:
    from planner.intake.needs import NEEDS_COLUMNS

    assert ",".join(NEEDS_COLUMNS) == NEEDS_HEADER


def test_data_are_labelled_synthetic(leuven: Path) -> None:
    needs, sites, grid = (
        read(leuven, "needs.csv"),
        read(leuven, "sites.csv"),
        read(leuven, "grid.csv"),
    )
    assert needs["organisation_id"].str.match(r"^SYN-ORG-\d{4}$").all()
    assert sites["name"].str.startswith("Synthetic").all()
    assert grid["name"].str.startswith("Synthetic").all()
    assert (grid["source"] == "synthetic (laadplan generate, seed 1)").all()
    assert "SYNTHETIC" in (leuven / "README.txt").read_text(encoding="utf-8")
    assert (leuven / "scenario.toml").read_text(encoding="utf-8").startswith("# Synthetic")


def test_scenario_loads_with_the_scenario_reader(leuven: Path) -> None:
    scenario = load_scenario(leuven / "scenario.toml")
    assert scenario.name == "Leuven (synthetic)"
    assert scenario.projection.charging_strategy == "offpeak_first"
    assert scenario.projection.uptake_share(2031) == 0.15


def test_needs_pass_the_needs_validator(leuven: Path) -> None:
    from planner.intake.needs import load_needs

    table = load_needs(leuven / "needs.csv")
    assert len(table) == len(read(leuven, "needs.csv"))
    assert not table["location_estimated"].any()


def test_zones_pass_the_zones_validator_with_centrumsteden_in_2027(leuven: Path) -> None:
    from planner.rules.zones import load_zones

    zones = load_zones(leuven / "zones.csv")
    assert zones["24062"] == 2027  # Leuven, the centrumstad
    others = zones.drop("24062")
    assert len(others) >= 1
    assert others.between(2028, 2030).all()


# --- determinism ------------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_files(leuven: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert run_cli("--region", "Leuven", "--seed", "1", "--out", str(again)) == 0
    for name in ALL_FILES:
        assert (again / name).read_bytes() == (leuven / name).read_bytes(), name


def test_another_seed_gives_another_case(leuven: Path, tmp_path: Path) -> None:
    write_case(generate_case("Leuven", 2), tmp_path / "other")
    for name in ("needs.csv", "sites.csv", "grid.csv", "grid_profiles.csv"):
        assert (tmp_path / "other" / name).read_bytes() != (leuven / name).read_bytes(), name


# --- geography ----------------------------------------------------------------------------


def test_places_are_real_municipalities_of_the_region(leuven: Path) -> None:
    region = set(geography.municipalities_of("Leuven")["nis_code"])
    zones = set(read(leuven, "zones.csv")["nis_code"])
    needs, sites = read(leuven, "needs.csv"), read(leuven, "sites.csv")
    assert set(needs["nis_code"]) <= region
    assert set(sites["nis_code"]) <= region
    assert zones <= region
    served = {code for text in needs["zes_cities"] for code in text.split(";") if code}
    assert served <= zones
    assert (needs["zes_cities"] != "").mean() > 0.5


@pytest.mark.parametrize("name", ["needs.csv", "sites.csv"])
def test_points_lie_in_flanders_nearest_to_their_municipality(leuven: Path, name: str) -> None:
    table = read(leuven, name)
    lat, lon = table["lat"].astype(float).to_numpy(), table["lon"].astype(float).to_numpy()
    assert geography.points_in_flanders(lat, lon).all()
    assert (geography.nearest_municipality(lat, lon) == table["nis_code"].to_numpy()).all()


# --- needs plausibility ---------------------------------------------------------------------


def test_fleets_are_mostly_vans_with_some_trucks(leuven: Path) -> None:
    needs = read(leuven, "needs.csv")
    vehicles = needs["vehicles"].astype(int).groupby(needs["vehicle_category"]).sum()
    assert vehicles["N1"] > vehicles.sum() / 2
    assert vehicles.get("N2H", 0) + vehicles.get("N3", 0) > 0
    assert set(needs["vehicle_category"]) <= set(values(VehicleCategory))
    assert needs["sector"].nunique() >= 6


def test_exemptions_are_few_and_respect_their_categories(leuven: Path) -> None:
    needs = read(leuven, "needs.csv")
    exempt = needs[needs["exemption"] != ""]
    assert 0 < len(exempt) < 0.15 * len(needs)
    for code, category in zip(exempt["exemption"], exempt["vehicle_category"], strict=True):
        allowed = EXEMPTION_CATEGORIES.get(Exemption(code), frozenset(VehicleCategory))
        assert category in allowed, (code, category)
    assert (exempt.loc[exempt["exemption"] == "F7", "sector"] == "waste").all()


def test_exemption_categories_hold_for_all_of_flanders() -> None:
    needs = generate_case("all", 3, SizeRequest(needs=4000, sites=400)).needs
    exempt = needs[needs["exemption"] != ""]
    assert {"F5", "F7", "F8", "T_LT_130KW"} <= set(exempt["exemption"])
    assert (exempt.loc[exempt["exemption"] == "T_LT_130KW", "vehicle_category"] == "T").all()
    f8 = exempt.loc[exempt["exemption"] == "F8", "vehicle_category"]
    assert f8.isin(["N2L", "N2H", "N3"]).all()


def test_numbers_are_in_plausible_ranges(leuven: Path) -> None:
    needs = read(leuven, "needs.csv")
    km = needs["daily_km"].astype(float)
    assert km[needs["vehicle_category"] == "N1"].between(60, 200).all()
    assert km[needs["vehicle_category"] == "N3"].between(100, 400).all()
    assert needs["first_registration_year"].astype(int).between(2012, 2026).all()
    electric = needs["fuel"] == "electric"
    assert electric.any() and (needs.loc[electric, "euro_norm"] == "").all()
    assert (needs["private_terrain"] == "true").mean() > 0.5
    assert (needs["kwh_per_km"] == "").mean() > 0.7
    assert (needs["energy_kwh_per_day"] == "").mean() > 0.8


def test_dwell_windows_are_mostly_overnight_with_some_daytime(leuven: Path) -> None:
    needs = read(leuven, "needs.csv")
    start = needs["dwell_start"].str[:2].astype(int)
    end = needs["dwell_end"].str[:2].astype(int)
    overnight = start > end
    daytime = (start >= 9) & (end <= 17) & (start < end)
    assert overnight.mean() > 0.6
    assert daytime.any()


# --- sites ----------------------------------------------------------------------------------


def test_all_tiers_are_present_with_a_de_lijn_depot_open_by_day(leuven: Path) -> None:
    sites = read(leuven, "sites.csv")
    assert set(sites["tier"]) == {"private", "semi_public", "public"}
    de_lijn = sites[sites["name"].str.contains("De Lijn")]
    assert len(de_lijn) >= 1
    assert (de_lijn["tier"] == "semi_public").all()
    assert (de_lijn["available_from"] == "07:00").all() and (
        de_lijn["available_to"] == "19:00"
    ).all()
    assert (de_lijn["shared"] == "true").all()
    public = sites[sites["tier"] == "public"]
    assert public["name"].str.endswith("centre").any() and public["name"].str.endswith("edge").any()


def test_one_private_site_per_depot_with_own_terrain(leuven: Path) -> None:
    needs, sites = read(leuven, "needs.csv"), read(leuven, "sites.csv")
    own = needs.loc[needs["private_terrain"] == "true", ["depot_id", "organisation_id"]]
    own = own.drop_duplicates()
    private = sites[sites["tier"] == "private"]
    assert sorted(private["site_id"]) == sorted("SITE-DEPOT-" + own["depot_id"])
    owner = dict(zip("SITE-DEPOT-" + own["depot_id"], own["organisation_id"], strict=True))
    assert (private["owner_organisation_id"] == private["site_id"].map(owner)).all()
    assert (sites.loc[sites["tier"] != "private", "owner_organisation_id"] == "").all()
    assert sites["site_id"].is_unique


def test_site_capacities_are_consistent(leuven: Path) -> None:
    sites = read(leuven, "sites.csv")
    chargers = sites["max_chargers"].astype(int)
    assert (chargers >= 1).all()
    assert sites["existing_chargers"].astype(int).between(0, chargers).all()
    assert (sites["max_power_kw"].astype(float) >= 50).all()
    assert (sites["fixed_cost_eur"].astype(float) > 0).all()
    assert set(sites["shared"]) == {"true", "false"}
    assert (sites.loc[sites["tier"] != "private", "shared"] == "true").all()


# --- grid -----------------------------------------------------------------------------------


def test_grid_passes_the_canonical_grid_reader(leuven: Path) -> None:
    grid = read_grid(leuven / "grid.csv")
    assert len(grid) == len(read(leuven, "grid.csv"))
    assert not grid["headroom_estimated"].any() and not grid["parent_inferred"].any()


def test_grid_tree_is_consistent(leuven: Path) -> None:
    grid = read(leuven, "grid.csv")
    assert grid["node_id"].is_unique
    stations = grid[grid["level"] == "hv_mv_substation"]
    cabins = grid[grid["level"] == "mv_cabin"]
    assert len(stations) + len(cabins) == len(grid)
    assert (stations["parent_id"] == "").all()
    assert cabins["parent_id"].isin(stations["node_id"]).all()
    assert 8 <= len(stations) <= 12 and 100 <= len(cabins) <= 200
    assert cabins["firm_capacity_kva"].astype(float).between(400, 1600).all()
    assert stations["firm_capacity_kva"].astype(float).between(20_000, 60_000).all()
    sites = read(leuven, "sites.csv")
    stated = sites.loc[sites["grid_node_id"] != "", "grid_node_id"]
    assert len(stated) > 0 and stated.isin(cabins["node_id"]).all()


def test_status_agrees_with_headroom_and_profiles(leuven: Path) -> None:
    grid = read(leuven, "grid.csv").set_index("node_id")
    firm, peak = grid["firm_capacity_kva"].astype(float), grid["peak_load_kva"].astype(float)
    headroom = grid["headroom_kva"].astype(float)
    assert np.allclose(headroom, firm - peak, atol=0.051)
    share = headroom / firm
    green_min = DEFAULT_STATUS_THRESHOLDS["green_min_share"]
    orange_min = DEFAULT_STATUS_THRESHOLDS["orange_min_share"]
    orange = (share >= orange_min) & (headroom > 0)
    expected = np.where(share >= green_min, "green", np.where(orange, "orange", "red"))
    assert (grid["status"].to_numpy() == expected).all()
    assert set(grid["status"]) == {"green", "orange", "red"}
    profiles = read(leuven, "grid_profiles.csv")
    load = profiles.pivot(index="node_id", columns="slot", values="load_kva").astype(float)
    assert load.shape == (len(grid), 24)
    assert np.allclose(load.max(axis=1).loc[grid.index], peak)


def test_profiles_are_read_by_the_grid_reader(leuven: Path) -> None:
    grid = read_grid(leuven / "grid.csv")
    profiles = read_grid_profiles(leuven / "grid_profiles.csv", node_ids=grid["node_id"])
    assert len(profiles) == 24 * len(grid)
    assert sorted(set(profiles["slot"]))[:2] == ["00:00", "01:00"]


def test_some_cabins_are_congested_at_the_evening_peak_but_free_at_night(leuven: Path) -> None:
    grid = read(leuven, "grid.csv").set_index("node_id")
    cabins = grid[grid["level"] == "mv_cabin"]
    firm = cabins["firm_capacity_kva"].astype(float)
    profiles = read(leuven, "grid_profiles.csv")
    profiles["slot"] = profiles["slot"].str[:2].astype(int)
    load = profiles.pivot(index="node_id", columns="slot", values="load_kva").astype(float)
    load = load.loc[cabins.index]
    evening = load[EVENING_HOURS].max(axis=1) / firm
    night = load[NIGHT_HOURS].max(axis=1) / firm
    congested = evening >= 0.95
    assert congested.sum() >= 3
    assert (night[congested] <= 0.6).all()
    assert (night < 1.0).all()


# --- sizes and regions ----------------------------------------------------------------------


def test_size_flags_are_honoured(tmp_path: Path) -> None:
    out = tmp_path / "sized"
    flags = ["--needs", "123", "--sites", "37", "--substations", "5", "--cabins", "44"]
    assert run_cli("--region", "7", "--seed", "4", "--out", str(out), *flags) == 0
    assert len(read(out, "needs.csv")) == 123
    assert len(read(out, "sites.csv")) == 37
    grid = read(out, "grid.csv")
    assert (grid["level"] == "hv_mv_substation").sum() == 5
    assert (grid["level"] == "mv_cabin").sum() == 44
    assert len(read(out, "grid_profiles.csv")) == 24 * 49


def test_region_all_covers_flanders(tmp_path: Path) -> None:
    out = tmp_path / "flanders"
    flags = ["--needs", "500", "--sites", "100", "--substations", "20", "--cabins", "200"]
    assert run_cli("--region", "all", "--seed", "1", "--out", str(out), *flags) == 0
    needs, sites = read(out, "needs.csv"), read(out, "sites.csv")
    assert len(needs) == 500 and len(sites) == 100
    region_of = geography.municipalities().set_index("nis_code")["vervoerregio_code"]
    assert needs["nis_code"].map(region_of).nunique() >= 10
    de_lijn = sites[sites["name"].str.contains("De Lijn")]
    assert de_lijn["nis_code"].map(region_of).nunique() == 15  # one per vervoerregio
    zones = read(out, "zones.csv")
    centra = set(geography.centrumsteden()["nis_code"])
    assert centra <= set(zones.loc[zones["zes_start_year"] == "2027", "nis_code"])
    assert load_scenario(out / "scenario.toml").name == "Flanders (synthetic)"


@pytest.mark.slow
def test_flanders_benchmark_size_is_generated_in_seconds() -> None:
    geography.points_in_flanders([50.9], [4.7])  # build the outline before timing
    started = time.perf_counter()
    case = generate_case(
        "all", 1, SizeRequest(needs=20000, sites=3000, substations=300, cabins=5000)
    )
    assert time.perf_counter() - started < 30
    assert (len(case.needs), len(case.sites), len(case.grid)) == (20000, 3000, 5300)


def test_choose_rows_never_draws_an_impossible_column() -> None:
    table = np.array([[0.5, 0.5, 0.0], [0.0, 0.0, 1.0], [0.2, 0.0, 0.8]])
    rows = np.repeat(np.arange(3), 20000)
    chosen = choose_rows(np.random.default_rng(0), table, rows)
    for row in range(3):
        drawn = np.bincount(chosen[rows == row], minlength=3) / 20000
        assert np.all(drawn[table[row] == 0] == 0)
        assert np.allclose(drawn, table[row], atol=0.02)


def test_site_split_gives_every_private_site_a_depot() -> None:
    for sizes in (CaseSizes(1, 4, 1, 1), CaseSizes(10, 100, 2, 5), CaseSizes(20000, 3000, 3, 5)):
        split = split_sites(sizes)
        assert split.private_sites + split.shared_sites == sizes.sites
        assert split.private_sites <= split.depots <= sizes.needs
        assert split.shared_sites >= 4


def test_too_small_sizes_are_refused_with_the_minimum() -> None:
    with pytest.raises(GenerateError, match="--sites 2: valid: at least 4"):
        generate_case("Leuven", 1, SizeRequest(sites=2))


# --- command behaviour ----------------------------------------------------------------------


def test_command_prints_what_was_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "printed"
    flags = ["--needs", "40", "--sites", "12", "--substations", "2", "--cabins", "10"]
    assert run_cli("--region", "Brugge", "--out", str(out), *flags) == 0
    text = capsys.readouterr().out
    assert "needs.csv" in text and "40 rows" in text
    assert "sites.csv" in text and "12 rows" in text
    assert "Brugge" in text


def test_non_empty_folder_is_refused_without_force(tmp_path: Path) -> None:
    out = tmp_path / "busy"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    flags = ["--needs", "20", "--sites", "8", "--substations", "1", "--cabins", "4"]
    with pytest.raises(GenerateError, match=r"not empty.*--force"):
        run_cli("--region", "Leuven", "--out", str(out), *flags)
    assert not (out / "needs.csv").exists()
    assert run_cli("--region", "Leuven", "--out", str(out), "--force", *flags) == 0
    assert len(read(out, "needs.csv")) == 20
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_unknown_region_suggests_the_near_miss(tmp_path: Path) -> None:
    with pytest.raises(LaadplanError, match="did you mean 'Leuven'"):
        run_cli("--region", "Leuvn", "--out", str(tmp_path / "x"))
    assert not (tmp_path / "x").exists()
