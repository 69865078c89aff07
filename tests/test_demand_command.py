"""``laadplan demand``: a small data folder in, demand.nc and demand_by_region.csv out."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
import xarray as xr

from planner import cli
from planner.demand.aggregation import REGION_TABLE_COLUMNS
from planner.intake.needs_schema import NEEDS_COLUMNS

SCENARIO = """
name = "small"

[projection]
slot_minutes = 30
charging_strategy = "offpeak_first"
voluntary_uptake = { 2030 = 0.1 }
"""


#: 12 Euro 6 vans of 2021 at a Leuven depot serving Leuven; 3 exempt concrete mixers in Gent;
#: 4 electric vans with their energy given, serving no ZES city.
NEEDS = [
    {
        "need_id": "N-001",
        "organisation_id": "ORG-A",
        "sector": "parcel",
        "depot_id": "D-A1",
        "lat": "50.8798",
        "lon": "4.7005",
        "vehicle_category": "N1",
        "vehicles": "12",
        "first_registration_year": "2021",
        "fuel": "diesel",
        "euro_norm": "6",
        "daily_km": "120",
        "zes_cities": "24062",
    },
    {
        "need_id": "N-002",
        "organisation_id": "ORG-B",
        "sector": "construction",
        "depot_id": "D-B1",
        "nis_code": "44021",
        "vehicle_category": "N3",
        "vehicles": "3",
        "first_registration_year": "2019",
        "fuel": "diesel",
        "euro_norm": "VI",
        "daily_km": "180",
        "zes_cities": "44021;24062",
        "exemption": "F5",
    },
    {
        "need_id": "N-003",
        "organisation_id": "ORG-A",
        "sector": "parcel",
        "depot_id": "D-A1",
        "lat": "50.8798",
        "lon": "4.7005",
        "vehicle_category": "N1",
        "vehicles": "4",
        "first_registration_year": "2024",
        "fuel": "electric",
        "energy_kwh_per_day": "35",
    },
]
COMMON = {
    "working_days_per_week": "5",
    "dwell_start": "18:00",
    "dwell_end": "06:30",
    "private_terrain": "true",
    "share_willing": "false",
}


def write_needs(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(NEEDS_COLUMNS), restval="")
        writer.writeheader()
        writer.writerows({**COMMON, **row} for row in NEEDS)


@pytest.fixture(autouse=True)
def only_the_demand_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """Build the CLI with this command only, so the test does not depend on the others."""
    monkeypatch.setattr(cli, "COMMAND_MODULES", {"demand": "planner.cli.demand"})


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "case"
    folder.mkdir()
    write_needs(folder / "needs.csv")
    (folder / "zones.csv").write_text("nis_code,zes_start_year\n24062,2027\n44021,2029\n")
    (folder / "scenario.toml").write_text(SCENARIO)
    return folder


def test_demand_writes_both_files_and_prints_the_yearly_totals(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert cli.main(["demand", "--data", str(data), "--out", str(out)]) == 0
    printed = capsys.readouterr()
    with xr.open_dataset(out / "demand.nc", engine="netcdf4") as stored:
        ds = stored.load()
    assert dict(ds.sizes) == {"need": 3, "year": 9, "slot": 48}
    assert ds.attrs["scenario"] == "small"
    assert ds.attrs["charging_strategy"] == "offpeak_first"
    # N-001: 12 Euro 6 vans of 2021 in Leuven (ZES 2027) are replaced by ZE vans in 2029;
    # N-002 is exempt; N-003: 4 electric vans
    ze = ds["ze_vehicles"].sel(year=[2027, 2029]).to_numpy().tolist()
    assert ze == [[0.0, 12.0], [0.0, 0.0], [4.0, 4.0]]
    table = pd.read_csv(out / "demand_by_region.csv")
    assert list(table.columns) == list(REGION_TABLE_COLUMNS)
    leuven = table[(table.vervoerregio == "Leuven") & (table.year == 2029)]
    assert leuven["ze_vehicles"].item() == 16.0
    assert table["year"].min() == 2027 and table["year"].max() == 2035
    assert "Demand projection, scenario 'small': 3 needs, 19 vehicles" in printed.out
    assert any(line.split()[:2] == ["2029", "16.0"] for line in printed.out.splitlines())
    assert "demand_by_region.csv" in printed.out
    assert "projecting demand of 3 needs" in printed.err


def test_overrides_replace_files_of_the_folder(data: Path, tmp_path: Path) -> None:
    later = tmp_path / "later.csv"
    later.write_text("nis_code,zes_start_year\n24062,2033\n")
    out = tmp_path / "out"
    assert cli.main(["demand", "--data", str(data), "--zones", str(later), "--out", str(out)]) == 0
    with xr.open_dataset(out / "demand.nc", engine="netcdf4") as stored:
        ze = stored["ze_vehicles"].sel(need="N-001").to_numpy()
    assert ze[:6].tolist() == pytest.approx([0, 0, 0, 1.2, 1.2, 1.2])  # voluntary 10 % from 2030
    assert ze[6:].tolist() == [12.0] * 3  # whole fleet ZE from 2033, when the ZES starts


def test_missing_zones_file_names_the_flag(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (data / "zones.csv").unlink()
    assert cli.main(["demand", "--data", str(data), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "no zones.csv in" in err and "--zones FILE" in err
    assert not (tmp_path / "out").exists()


def test_bad_zones_rows_are_all_reported_and_nothing_is_written(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (data / "zones.csv").write_text("nis_code,zes_start_year\n21004,2027\n24062,2020\n")
    assert cli.main(["demand", "--data", str(data), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "row 2, column 'nis_code': '21004'" in err
    assert "row 3, column 'zes_start_year': '2020'" in err
    assert not (tmp_path / "out").exists()


def test_the_summary_shows_the_uptake_curve_and_the_range_with_unreported_fleets(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = SCENARIO.replace(
        "voluntary_uptake = { 2030 = 0.1 }",
        'uptake = "high"\nunreported_share = 0.2\nunreported_share_by_nis = { "44021" = 0.5 }',
    )
    (data / "scenario.toml").write_text(scenario)
    zones = tmp_path / "zones.csv"  # Gent (44021) is left out: a warning names it and its row
    zones.write_text("nis_code,zes_start_year\n24062,2027\n")
    out = tmp_path / "out"
    assert cli.main(["demand", "--data", str(data), "--zones", str(zones), "--out", str(out)]) == 0
    printed = capsys.readouterr()
    assert "Voluntary uptake: 'high'." in printed.out
    assert "Range with the fleets that did not report (MWh per working day):" in printed.out
    with xr.open_dataset(out / "demand.nc", engine="netcdf4") as stored:
        reported = stored["energy_kwh_per_day"].sum("need").to_numpy()
        estimated = stored["energy_kwh_per_day_incl_unreported"].sum("need").to_numpy()
    line_2030 = next(line for line in printed.out.splitlines() if line.startswith("2030  reported"))
    assert f"{reported[3] / 1000:.2f}" in line_2030 and f"{estimated[3] / 1000:.2f}" in line_2030
    assert estimated == pytest.approx(reported * 1.25)  # N-002 (Gent) is exempt
    assert "'44021' (Gent) is not in zones.csv" in printed.err and "row 3" in printed.err
