"""``laadplan run``: every stage on a small case, results as the stage commands write them."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from planner.cli import main
from planner.demand.projection import read_demand
from tests._needs_fixtures import write_needs


def write_case(folder: Path) -> Path:
    folder.mkdir()
    write_needs(folder / "needs.csv")
    (folder / "zones.csv").write_text("nis_code,zes_start_year\n24062,2027\n44021,2029\n")
    (folder / "scenario.toml").write_text('name = "tiny"\n[projection]\nlast_year = 2030\n')
    return folder


def test_run_writes_demand_and_prints_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = write_case(tmp_path / "case")
    assert main(["run", "--data", str(case), "--out", str(tmp_path / "out")]) == 0
    captured = capsys.readouterr()
    assert "scenario 'tiny': 3 needs, 19 vehicles" in captured.out
    assert "projecting demand of 3 needs: done in" in captured.err
    dataset = read_demand(tmp_path / "out" / "demand.nc")
    assert dataset["year"].values.tolist() == [2027, 2028, 2029, 2030]
    by_region = pd.read_csv(tmp_path / "out" / "demand_by_region.csv")
    energy_by_year = by_region.groupby("year")["energy_kwh_per_day"].sum()
    summed = dataset["energy_kwh_per_day"].sum("need").to_series()
    assert energy_by_year.to_numpy() == pytest.approx(summed.to_numpy(), abs=1e-2)


def test_run_with_a_bad_needs_file_stops_with_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = write_case(tmp_path / "case")
    text = (case / "needs.csv").read_text().replace(",N3,", ",N4,")
    (case / "needs.csv").write_text(text)
    assert main(["run", "--data", str(case), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "row 3, column 'vehicle_category': 'N4' is not a vehicle category" in err
    assert not (tmp_path / "out").exists()


def test_run_names_the_missing_contract_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = write_case(tmp_path / "case")
    (case / "zones.csv").unlink()
    assert main(["run", "--data", str(case), "--out", str(tmp_path / "out")]) == 1
    assert "no zones.csv in" in capsys.readouterr().err


@pytest.fixture(scope="module")
def small_generated_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated Leuven case planned over 2027–2028 only."""
    folder = tmp_path_factory.mktemp("small") / "case"
    sizes = ["--needs", "40", "--sites", "16", "--substations", "3", "--cabins", "24"]
    arguments = ["-q", "generate", "--region", "Leuven", "--seed", "3", "--out", str(folder)]
    assert main([*arguments, *sizes]) == 0
    scenario = (folder / "scenario.toml").read_text(encoding="utf-8")
    (folder / "scenario.toml").write_text(scenario.replace("last_year = 2035", "last_year = 2028"))
    return folder


def test_run_chains_demand_overlay_and_plan(
    small_generated_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--data", str(small_generated_case), "--out", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    out = captured.out
    assert out.index("Demand projection") < out.index("Grid overlay") < out.index("Plan written")
    assert captured.err.count("projecting demand") == 2  # once, start and end line
    for name in ("demand.nc", "congestion.csv", "capacity_requests.csv", "node_load.nc"):
        assert (tmp_path / name).is_file(), name
    summary = json.loads((tmp_path / "plan" / "summary.json").read_text())
    assert summary["planned_years"] == [2027, 2028]
    demand = read_demand(tmp_path / "demand.nc")
    for year_summary in summary["years"]:
        year = year_summary["year"]
        served = sum(year_summary["energy_kwh_per_day_by_tier"].values())
        needed = float(demand["energy_kwh_per_day"].sel(year=year).sum())
        assert served + year_summary["unmet_kwh_per_day"] == pytest.approx(needed, rel=1e-3)
