"""``laadplan plan`` on a small generated case: the files, the figures, and invariants from them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xarray as xr

from planner.cli import main
from planner.demand.projection import project_demand
from planner.intake.needs import load_needs
from planner.rules.zones import load_zones
from planner.scenario import load_scenario
from tests._cli import restore_logging

SCENARIO = """name = "small"
[projection]
first_year = 2027
last_year = 2029
slot_minutes = 60
charging_strategy = "offpeak_first"
[projection.voluntary_uptake]
2027 = 0.1
[optimisation]
ladder_policy = "lexicographic"
offpeak_policy = "soft"
"""
__all__ = ["restore_logging"]  # the fixture, used by every test here
TABLES = ("sites", "assignments", "node_load", "reinforcement", "unmet")
TEXT = {c: str for c in ("need_id", "site_id", "node_id", "grid_node_id", "nis_code", "parent_id")}


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("plan") / "case"
    sizes = ["--needs", "40", "--sites", "20", "--substations", "2", "--cabins", "15"]
    assert (
        main(["-q", "generate", "--region", "Leuven", "--seed", "1", "--out", str(folder), *sizes])
        == 0
    )
    (folder / "scenario.toml").write_text(SCENARIO, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def all_years(case: Path) -> Path:
    out = case.parent / "all-years"
    assert main(["-q", "plan", "--data", str(case), "--out", str(out)]) == 0
    return out


def read(out: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(out / f"{name}.csv", dtype=TEXT, keep_default_na=False, na_values=[""])


def test_plan_of_one_year_writes_every_file(
    case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", "--data", str(case), "--out", str(tmp_path), "--year", "2028"]) == 0
    printed = capsys.readouterr().out
    assert "Plan written to" in printed and "2028  optimal" in printed
    for name in (*TABLES, "chargers_by_municipality", "chargers_by_vervoerregio"):
        assert set(read(tmp_path, name)["year"].dropna()) <= {2028}, name
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "optimal" and summary["planned_years"] == [2028]
    year = summary["years"][0]
    for key in (
        "objective_eur",
        "unmet_kwh_per_day",
        "costs_eur_per_year",
        "energy_share_by_tier",
        "solver",
        "mip_gap",
        "build_s",
        "solve_s",
        "model",
    ):
        assert summary[key] == year[key], key
    assert set(summary["model"]) >= {"variables", "constraints", "integers"}
    assert summary["settings"]["ladder_policy"] == "lexicographic"
    costs = year["costs_eur_per_year"]
    parts = (
        "sites_eur",
        "chargers_eur",
        "carried_investment_eur",
        "energy_eur",
        "access_eur",
        "reinforcement_eur",
    )
    assert sum(costs[k] for k in parts) == pytest.approx(year["objective_eur"], abs=0.1)
    sheets = openpyxl.load_workbook(tmp_path / "plan.xlsx", read_only=True).sheetnames
    assert sheets[0] == "summary" and set(TABLES) <= set(sheets)


def test_command_line_settings_are_the_settings_of_the_plan(case: Path, tmp_path: Path) -> None:
    words = ["-q", "plan", "--data", str(case), "--out", str(tmp_path), "--year", "2028"]
    assert main([*words, "--mip-gap", "0.05", "--time-limit", "60"]) == 0
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["settings"]["mip_gap"] == 0.05
    assert summary["settings"]["time_limit_s"] == 60.0
    assert summary["mip_gap"] is not None and summary["mip_gap"] <= 0.05


@pytest.mark.parametrize(
    ("option", "value", "key"),
    [("--mip-gap", "1.5", "mip_gap"), ("--time-limit", "-1", "time_limit_s")],
)
def test_an_invalid_command_line_setting_is_refused_before_planning(
    case: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    option: str,
    value: str,
    key: str,
) -> None:
    out = tmp_path / "plan"
    assert main(["plan", "--data", str(case), "--out", str(out), option, value]) != 0
    error = capsys.readouterr().err
    assert f"command line: [optimisation] {key} {float(value)!r}: valid: a number" in error
    assert not out.exists()


def test_energy_of_every_need_is_charged_or_counted_unmet(case: Path, all_years: Path) -> None:
    scenario = load_scenario(case / "scenario.toml")
    demand = project_demand(
        load_needs(case / "needs.csv"), load_zones(case / "zones.csv"), scenario
    )
    served = read(all_years, "assignments").groupby(["year", "need_id"])["energy_kwh_per_day"].sum()
    unmet = read(all_years, "unmet").groupby(["year", "need_id"])["unmet_kwh_per_day"].sum()
    for year in (2027, 2028, 2029):
        energy = demand["energy_kwh_per_day"].sel(year=year).to_series()
        for need_id, kwh in energy[energy > 0].items():
            total = served.get((year, need_id), 0.0) + unmet.get((year, need_id), 0.0)
            assert total == pytest.approx(kwh, rel=1e-4, abs=1e-4), (year, need_id)


def test_power_stays_within_chargers_connection_and_grid(case: Path, all_years: Path) -> None:
    sites = read(all_years, "sites")
    keys = list(zip(sites["year"], sites["site_id"], strict=True))
    usable = dict(zip(keys, np.minimum(sites["installed_kw"], sites["max_power_kw"]), strict=True))
    node_of = dict(zip(keys, sites["grid_node_id"], strict=True))
    grid = pd.read_csv(case / "grid.csv", dtype=TEXT, keep_default_na=False)
    parent = dict(zip(grid["node_id"], grid["parent_id"], strict=True))
    node_load = read(all_years, "node_load")
    reinforcement = read(all_years, "reinforcement").set_index(["year", "node_id"])["total_kva"]
    with xr.open_dataset(all_years / "plan.nc") as plan:
        power = plan["site_power_kw"].load()
    assert not np.isnan(power.values).any()
    for year in (2027, 2028, 2029):
        load: dict[str, np.ndarray] = {}
        for site_id in power["site"].values:
            kw = power.sel(year=year, site=site_id).values
            if kw.max() <= 1e-9:
                continue
            assert kw.max() <= usable[(year, str(site_id))] + 1e-4
            node = node_of[(year, str(site_id))]
            while isinstance(node, str) and node:
                load[node] = load.get(node, np.zeros(24)) + kw
                node = parent[node]
        stored = node_load[node_load["year"] == year]
        for node, kw in load.items():
            rows = stored[stored["node_id"] == node].sort_values("slot")
            np.testing.assert_allclose(rows["load_kw"].to_numpy(), kw, atol=1e-4)
            room = rows["headroom_kva"].clip(lower=0) + reinforcement.get((year, node), 0.0)
            assert np.all(kw <= room.to_numpy() + 1e-4), (year, node)


def test_what_a_year_builds_stays_in_the_years_after(all_years: Path) -> None:
    sites = read(all_years, "sites")
    chargers = sites.pivot_table(index="site_id", columns="year", values="chargers", fill_value=0)
    assert (chargers.diff(axis=1).fillna(0) >= 0).all().all()
    summary = json.loads((all_years / "summary.json").read_text(encoding="utf-8"))
    assert [y["year"] for y in summary["years"]] == [2027, 2028, 2029]
    objective = sum(y["objective_eur"] for y in summary["years"])
    assert summary["objective_eur"] == pytest.approx(objective, abs=0.1)


def test_aggregates_count_every_tier_and_hide_small_groups(all_years: Path) -> None:
    sites = read(all_years, "sites")
    for name, column in (
        ("chargers_by_municipality", "nis_code"),
        ("chargers_by_vervoerregio", "vervoerregio_code"),
    ):
        table = read(all_years, name)
        assert set(table["tier"]) == set(sites["tier"]), name  # private chargers too
        shared = table["tier"] != "private"
        shared_sites = sites[sites["tier"] != "private"]
        assert table.loc[shared, "chargers"].sum() == shared_sites["chargers"].sum(), name
        small = table["organisations"].isna()
        assert table.loc[small, "energy_kwh_per_day"].isna().all()
        hidden_private = table.loc[small & ~shared, ["sites", "chargers", "connectors"]]
        assert hidden_private.isna().all().all()  # a company's own chargers, below k
        shown = table[~small]
        assert ((shown["organisations"] >= 3) | (shown["energy_kwh_per_day"] == 0)).all()
        totals = sites.groupby(["year", column, "tier"])["chargers"].sum()
        for row in table[table["chargers"].notna()].to_dict("records"):
            assert row["chargers"] == totals[(row["year"], row[column], row["tier"])], row
    region = read(all_years, "chargers_by_vervoerregio")
    private = region[region["tier"] == "private"]
    # the small case's private chargers are shown for the region, summed over its sites
    assert private["chargers"].notna().all()
    assert private["chargers"].tolist() == (
        sites[sites["tier"] == "private"].groupby("year")["chargers"].sum().tolist()
    )


def test_a_year_outside_the_projection_is_refused(
    case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", "--data", str(case), "--out", str(tmp_path / "x"), "--year", "2040"]) == 1
    assert "--year 2040: not a projected year; valid: 2027–2029" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
