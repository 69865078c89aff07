"""Candidate sites: every check and its wording, typed loading, and availability per slot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import charging_sites
from charging_sites import ChargingSitesError, Tier, check_sites, read_sites, site_availability
from charging_sites.sites_schema import SITES_COLUMNS
from tests._sites_fixtures import VALID_ROWS, broken, write_sites
from validation import TableValidationError
from validation.reading import read_raw_table


def issues_for(tmp_path: Path, rows: list[dict[str, str]], **kwargs: object) -> list[str]:
    path = write_sites(tmp_path / "sites.csv", rows, **kwargs)  # type: ignore[arg-type]
    table, report = check_sites(read_raw_table(path), source=path.name)
    assert table is None, "a bad file must load nothing"
    return [issue.message() for issue in report.sorted_issues()]


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    return read_sites(write_sites(tmp_path_factory.mktemp("sites") / "sites.csv"))


# --- loading ------------------------------------------------------------------------------


def test_valid_file_loads_typed(sites: pd.DataFrame) -> None:
    assert sites["site_id"].tolist() == [row["site_id"] for row in VALID_ROWS]
    assert sites["tier"].tolist() == [
        "private", "private", "semi_public", "semi_public", "semi_public", "public"
    ]  # fmt: skip
    assert sites["max_chargers"].dtype == np.int64
    assert sites["existing_chargers"].tolist() == [4, 0, 0, 0, 0, 2]  # empty cell = 0
    assert sites["max_power_kw"].tolist()[-1] == pytest.approx(1200.5)
    assert sites["lat"].dtype.kind == "f" and sites["fixed_cost_eur"].dtype.kind == "f"
    assert sites["grid_node_id"].tolist()[:3] == ["CAB-LEU-01", "", "CAB-LEU-07"]
    assert {Tier(value) for value in sites["tier"]} == set(Tier)


def test_shared_defaults_by_tier(sites: pd.DataFrame) -> None:
    # "false", "ja", "true", empty on a semi-public site, "1", "true"
    assert sites["shared"].tolist() == [False, True, True, True, True, True]
    assert sites["shared"].dtype == bool


def test_times_become_minutes_and_24_00_is_midnight(sites: pd.DataFrame) -> None:
    assert sites["available_from_min"].tolist() == [0, 0, 420, 360, 1320, 0]
    assert sites["available_to_min"].tolist() == [0, 0, 1140, 1320, 360, 0]
    assert sites.loc[1, "available_to"] == "00:00"  # written as 24:00: all day


def test_empty_nis_code_is_filled_from_the_nearest_municipality(sites: pd.DataFrame) -> None:
    antwerp = sites.set_index("site_id").loc["S-PARK-ANT"]
    assert antwerp["nis_code"] == "11002"
    assert bool(antwerp["nis_code_estimated"]) is True
    assert sites["nis_code_estimated"].sum() == 1
    assert sites["vervoerregio_name"].tolist() == [
        "Leuven", "Gent", "Leuven", "Antwerpen", "Limburg", "Mechelen"
    ]  # fmt: skip
    assert sites["vervoerregio_code"].dtype == np.int64


def test_output_columns_are_the_contract_then_derived(sites: pd.DataFrame) -> None:
    assert list(sites.columns) == [
        *SITES_COLUMNS,
        "available_from_min",
        "available_to_min",
        "nis_code_estimated",
        "vervoerregio_code",
        "vervoerregio_name",
    ]


def test_semicolon_file_with_decimal_commas(tmp_path: Path) -> None:
    rows = broken(5, max_power_kw="1200,5", lat="51,0259")
    table = read_sites(write_sites(tmp_path / "sites.csv", rows, delimiter=";"))
    assert table.loc[5, "max_power_kw"] == pytest.approx(1200.5)
    assert table.loc[5, "lat"] == pytest.approx(51.0259)


def test_xlsx_is_read_like_csv(tmp_path: Path) -> None:
    path = tmp_path / "sites.xlsx"
    pd.DataFrame(VALID_ROWS, columns=list(SITES_COLUMNS)).to_excel(path, index=False)
    assert read_sites(path)["max_chargers"].tolist() == [20, 8, 24, 30, 6, 12]


def test_optional_columns_may_be_left_out(tmp_path: Path) -> None:
    rows = [row for row in VALID_ROWS if row["tier"] != "private"]
    optional = {"owner_organisation_id", "nis_code", "grid_node_id", "existing_chargers"}
    columns = [c for c in SITES_COLUMNS if c not in optional]
    table = read_sites(write_sites(tmp_path / "sites.csv", rows, columns=columns))
    assert table["existing_chargers"].tolist() == [0, 0, 0, 0]
    assert table["nis_code_estimated"].all()
    assert table["nis_code"].tolist() == ["24062", "11002", "71072", "12025"]


def test_operator_of_a_public_site_is_kept_for_information(sites: pd.DataFrame) -> None:
    assert sites.set_index("site_id").loc["S-PARK-ANT", "owner_organisation_id"] == "POM-ANT"


# --- the wording of every check -----------------------------------------------------------


def test_tier_near_misses_are_suggested(tmp_path: Path) -> None:
    rows = broken(0, tier="Private")
    rows[2]["tier"] = "semi-public"
    rows[5]["tier"] = "openbaar"
    valid = "valid: one of private, semi_public, public"
    assert issues_for(tmp_path, rows) == [
        f"row 2, column 'tier': 'Private' is not a site tier; {valid} — did you mean 'private'?",
        f"row 4, column 'tier': 'semi-public' is not a site tier; {valid} — did you mean "
        "'semi_public'?",
        f"row 7, column 'tier': 'openbaar' is not a site tier; {valid}",
    ]


def test_site_id_must_be_unique_and_not_empty(tmp_path: Path) -> None:
    rows = broken(3, site_id="S-PRIV-A")
    rows[4]["site_id"] = ""
    assert issues_for(tmp_path, rows) == [
        "row 5, column 'site_id': 'S-PRIV-A' is a duplicate (first used on row 2); valid: unique",
        "row 6, column 'site_id': (empty) is empty; valid: a non-empty text",
    ]


def test_name_must_not_be_empty(tmp_path: Path) -> None:
    assert issues_for(tmp_path, broken(2, name="")) == [
        "row 4, column 'name': (empty) is empty; valid: a non-empty text"
    ]


def test_private_site_needs_an_owner(tmp_path: Path) -> None:
    assert issues_for(tmp_path, broken(1, owner_organisation_id="")) == [
        "row 3, column 'owner_organisation_id': (empty) is empty on a private site; valid: the "
        "organisation_id (as in needs.csv) of the company whose terrain it is"
    ]


def test_coordinates_must_be_numbers_in_flanders(tmp_path: Path) -> None:
    rows = broken(0, lat="x")
    rows[1].update(lat="50.8467", lon="4.3525")  # Brussels, Grand-Place
    rows[2].update(lat="50.6326", lon="5.5797")  # Liège
    rows[3].update(lon="200")
    outside = "places the site outside Flanders; valid: lat/lon (WGS84 degrees) of a point in "
    assert issues_for(tmp_path, rows) == [
        "row 2, column 'lat': 'x' is not a number; valid: a number from -90 to 90 (degrees north)",
        f"row 3, column 'lat': '50.8467' {outside}the Flemish Region",
        f"row 4, column 'lat': '50.6326' {outside}the Flemish Region",
        "row 5, column 'lon': '200' is out of range; valid: a number from -180 to 180 "
        "(degrees east)",
    ]


def test_nis_code_must_be_flemish_and_a_name_is_translated(tmp_path: Path) -> None:
    rows = broken(0, nis_code="Leuven")
    rows[1]["nis_code"] = "21004"  # Brussels
    valid = "valid: a 5-digit NIS code of one of the 285 Flemish municipalities (2025), or empty"
    assert issues_for(tmp_path, rows) == [
        "row 2, column 'nis_code': 'Leuven' is not the NIS code of a Flemish municipality; "
        f"{valid} — did you mean '24062'?",
        f"row 3, column 'nis_code': '21004' is not the NIS code of a Flemish municipality; {valid}",
    ]


def test_charger_counts(tmp_path: Path) -> None:
    rows = broken(0, max_chargers="0")
    rows[1]["max_chargers"] = "2.5"
    rows[2]["existing_chargers"] = "25"  # max 24
    rows[3]["existing_chargers"] = "-1"
    assert issues_for(tmp_path, rows) == [
        "row 2, column 'max_chargers': '0' is out of range; valid: a whole number from 1 to 1000",
        "row 3, column 'max_chargers': '2.5' is not a whole number; valid: a whole number from "
        "1 to 1000",
        "row 4, column 'existing_chargers': '25' is more than max_chargers on this row; valid: "
        "a whole number from 0 to max_chargers",
        "row 5, column 'existing_chargers': '-1' is out of range; valid: a whole number from 0 "
        "to 1000, or empty",
    ]


def test_power_and_cost(tmp_path: Path) -> None:
    rows = broken(0, max_power_kw="0")
    rows[1]["max_power_kw"] = "30000"
    rows[2]["fixed_cost_eur"] = "-1"
    rows[3]["fixed_cost_eur"] = ""
    assert issues_for(tmp_path, rows) == [
        "row 2, column 'max_power_kw': '0' is out of range; valid: a number > 0 and ≤ 25000 (kW)",
        "row 3, column 'max_power_kw': '30000' is out of range; valid: a number > 0 and ≤ 25000 "
        "(kW)",
        "row 4, column 'fixed_cost_eur': '-1' is out of range; valid: a number ≥ 0 (EUR)",
        "row 5, column 'fixed_cost_eur': (empty) is not a number; valid: a number ≥ 0 (EUR)",
    ]


def test_times_of_day_with_a_padded_suggestion(tmp_path: Path) -> None:
    rows = broken(2, available_from="7:00")
    rows[3]["available_to"] = "25:00"
    valid = "valid: HH:MM from 00:00 to 24:00, e.g. 07:30"
    assert issues_for(tmp_path, rows) == [
        f"row 4, column 'available_from': '7:00' is not a time of day; {valid} — did you mean "
        "'07:00'?",
        f"row 5, column 'available_to': '25:00' is not a time of day; {valid}",
    ]


def test_shared_is_yes_no_and_never_false_on_shared_tiers(tmp_path: Path) -> None:
    rows = broken(0, shared="maybe")
    rows[5]["shared"] = "nee"
    assert issues_for(tmp_path, rows) == [
        "row 2, column 'shared': 'maybe' is not a yes/no value; valid: true or false (also 1/0, "
        "yes/no, ja/nee), or empty",
        "row 7, column 'shared': 'nee' closes a semi-public or public site to other "
        "organisations; valid: true or empty: semi-public and public sites serve every "
        "organisation; only private sites can be closed to others",
    ]


def test_missing_and_misspelt_columns_are_named(tmp_path: Path) -> None:
    columns = [c if c != "max_power_kw" else "max_power" for c in SITES_COLUMNS]
    rows = [
        {("max_power" if k == "max_power_kw" else k): v for k, v in r.items()} for r in VALID_ROWS
    ]
    assert issues_for(tmp_path, rows, columns=columns) == [
        "column 'max_power_kw': (empty) required column is missing; valid: the contract header "
        "— did you mean 'max_power'?"
    ]


def test_every_bad_row_is_reported_and_nothing_loaded(tmp_path: Path) -> None:
    rows = broken(0, tier="privat", max_chargers="x")
    rows[2]["available_to"] = "19u"
    rows[5]["lat"] = "48.85"  # Paris
    path = write_sites(tmp_path / "sites.csv", rows)
    with pytest.raises(TableValidationError) as caught:
        read_sites(path)
    report = caught.value.report
    assert report.bad_rows == [2, 4, 7]
    assert len(report.issues) == 4
    assert "sites.csv: 4 problem(s) in 3 row(s) of 6; nothing was loaded." in str(caught.value)
    assert "did you mean '19:00'?" in str(caught.value)


def test_an_extra_column_is_allowed(tmp_path: Path) -> None:
    columns = [*SITES_COLUMNS, "remarks"]
    rows = [{**row, "remarks": "anything"} for row in VALID_ROWS]
    table = read_sites(write_sites(tmp_path / "sites.csv", rows, columns=columns))
    assert "remarks" not in table.columns
    assert len(table) == len(VALID_ROWS)


def test_public_api_is_reexported() -> None:
    for name in charging_sites.__all__:
        assert getattr(charging_sites, name) is not None


# --- availability ---------------------------------------------------------------------------


def _window(start: str, end: str, slot_minutes: int) -> list[float]:
    frame = pd.DataFrame({"site_id": ["x"], "available_from": [start], "available_to": [end]})
    return [float(v) for v in site_availability(frame, slot_minutes).values[0]]


def test_de_lijn_depot_is_available_by_day_not_at_night(sites: pd.DataFrame) -> None:
    share = site_availability(sites, 60)
    de_lijn = share.sel(site="S-DELIJN-LEU").values.tolist()
    assert de_lijn == [0.0] * 7 + [1.0] * 12 + [0.0] * 5  # 07:00–19:00
    assert share.sel(site="S-DELIJN-LEU", slot=2).item() == 0.0  # 02:00, night
    assert share.sel(site="S-DELIJN-LEU", slot=12).item() == 1.0  # noon


def test_window_wrapping_midnight() -> None:
    assert _window("22:00", "06:00", 60) == [1.0] * 6 + [0.0] * 16 + [1.0] * 2


def test_equal_times_mean_all_day() -> None:
    assert _window("00:00", "00:00", 60) == [1.0] * 24
    assert _window("13:30", "13:30", 30) == [1.0] * 48
    assert _window("00:00", "24:00", 60) == [1.0] * 24


def test_partial_hour_is_proportional() -> None:
    hourly = _window("07:30", "19:00", 60)
    assert hourly[7] == 0.5 and hourly[6] == 0.0 and hourly[8] == 1.0 and hourly[19] == 0.0
    assert _window("18:00", "18:45", 60)[18] == 0.75
    assert _window("07:45", "09:00", 30)[15] == 0.5  # the 07:30 slot


def test_quarter_hour_slots() -> None:
    quarters = _window("07:30", "19:00", 15)
    assert len(quarters) == 96
    assert quarters[29] == 0.0 and quarters[30] == 1.0  # 07:15 closed, 07:30 open
    assert quarters[75] == 1.0 and quarters[76] == 0.0  # 18:45 open, 19:00 closed
    assert sum(quarters) == 46.0  # 11.5 h


def test_availability_coordinates(sites: pd.DataFrame) -> None:
    share = site_availability(sites, 30)
    assert share.dims == ("site", "slot")
    assert share.shape == (6, 48)
    assert share["slot_start"].values[:3].tolist() == ["00:00", "00:30", "01:00"]
    assert share["tier"].values.tolist() == sites["tier"].tolist()
    assert share.attrs["slot_minutes"] == 30
    retail = share.sel(site="S-RETAIL-HAS").values
    assert retail.sum() * 0.5 == 8.0  # 22:00–06:00


def test_typed_minutes_and_raw_times_agree(sites: pd.DataFrame) -> None:
    raw = pd.DataFrame(VALID_ROWS)
    np.testing.assert_array_equal(
        site_availability(sites, 15).values, site_availability(raw, 15).values
    )


@pytest.mark.parametrize("slot_minutes", [0, 7, -15, 1441])
def test_slot_length_must_divide_the_day(sites: pd.DataFrame, slot_minutes: int) -> None:
    with pytest.raises(ChargingSitesError, match="does not cut the day into whole slots"):
        site_availability(sites, slot_minutes)


times = st.integers(0, 24 * 60 - 1).map(lambda m: f"{m // 60:02d}:{m % 60:02d}")


@given(start=times, end=times, slot_minutes=st.sampled_from([15, 30, 60, 120]))
def test_open_hours_add_up_to_the_window(start: str, end: str, slot_minutes: int) -> None:
    share = np.array(_window(start, end, slot_minutes))
    a = int(start[:2]) * 60 + int(start[3:])
    b = int(end[:2]) * 60 + int(end[3:])
    window_min = (b - a) % 1440 or 1440
    assert share.min() >= 0.0 and share.max() <= 1.0 + 1e-12
    assert share.sum() * slot_minutes == pytest.approx(window_min)


def test_charging_sites_imports_neither_planner_nor_dashboards() -> None:
    code = (
        "import sys, charging_sites; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('planner', 'dashboards')); "
        "print(','.join(bad))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_generated_case_sites_are_accepted(tmp_path: Path) -> None:
    from planner.cli import main

    out = tmp_path / "case"
    args = ["generate", "--region", "Leuven", "--seed", "3", "--out", str(out)]
    assert main([*args, "--needs", "40", "--sites", "25"]) == 0
    sites = read_sites(out / "sites.csv")
    assert len(sites) == 25
    assert set(sites["tier"]) <= {tier.value for tier in Tier}
    assert (sites["existing_chargers"] <= sites["max_chargers"]).all()
