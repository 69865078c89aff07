"""Every command that writes a plan, on every degenerate case: it finishes and its files agree.

The cases (:mod:`tests._degenerate_cases`): all energy servable, a grid of substations only,
no grid file, no private terrain, one site, a year without needs and all vehicles exempt.
The commands: ``laadplan plan``, ``laadplan run`` and ``laadplan sweep``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import xarray as xr

from planner.demand.projection import project_demand
from planner.intake.needs import load_needs
from planner.rules.zones import load_zones
from planner.scenario import load_scenario
from tests._cli import restore_logging, run_cli
from tests._degenerate_cases import CASES, write_degenerate_case

__all__ = ["restore_logging"]  # the fixture, used by every test here
COMMANDS = ("plan", "run", "sweep")
VARIANTS = 'years = [2027, 2028]\n[axes.ladder.none]\noptimisation = { ladder_policy = "none" }\n'


def _run(command: str, case: Path, out: Path) -> tuple[int, Path]:
    """Run ``command`` on the case; return its exit code and the folder of its plan files."""
    arguments = ["-q", command, "--data", str(case), "--out", str(out), "--workers", "1"]
    if command == "sweep":
        variants = case.parent / "variants.toml"
        variants.write_text(VARIANTS, encoding="utf-8")
        return run_cli([*arguments, "--grid-of", str(variants)]), out / "ladder-none"
    return run_cli(arguments), out / "plan" if command == "run" else out


def _energy_by_year(case: Path) -> dict[int, float]:
    """Energy per working day the projection gives each year, kWh (recomputed from the files)."""
    scenario = load_scenario(case / "scenario.toml")
    demand = project_demand(
        load_needs(case / "needs.csv"), load_zones(case / "zones.csv"), scenario
    )
    energy = demand["energy_kwh_per_day"].sum("need")
    return {int(year): float(energy.sel(year=year)) for year in energy["year"].values}


@pytest.mark.slow
@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("kind", sorted(CASES))
def test_every_command_writes_a_consistent_plan_on_a_degenerate_case(
    kind: str, command: str, tmp_path: Path
) -> None:
    case = write_degenerate_case(tmp_path / "case", kind)
    code, plan = _run(command, case, tmp_path / "out")
    assert code == 0
    summary: dict[str, Any] = json.loads((plan / "summary.json").read_text(encoding="utf-8"))
    assert summary["planned_years"] == [2027, 2028]
    energy = _energy_by_year(case)
    unmet = pd.read_csv(plan / "unmet.csv")
    assignments = pd.read_csv(plan / "assignments.csv")
    with xr.open_dataset(plan / "plan.nc") as dataset:
        unmet_nc = dataset["unmet_kwh_per_day"].sum("need").to_series()
    for year in summary["years"]:
        y = year["year"]
        served = float(assignments.loc[assignments["year"] == y, "energy_kwh_per_day"].sum())
        left = float(unmet.loc[unmet["year"] == y, "unmet_kwh_per_day"].sum())
        assert year["energy_kwh_per_day"] == pytest.approx(energy[y], abs=0.01)
        assert served + left == pytest.approx(energy[y], abs=0.01)
        assert year["unmet_kwh_per_day"] == pytest.approx(left, abs=0.01)
        assert float(unmet_nc.get(y, 0.0)) == pytest.approx(left, abs=0.01)
        assert year["unmet_structural_kwh_per_day"] <= left + 0.01
    assert summary["basis"]["objective_eur"] == "sum over the years"
    planned = [y["objective_eur"] for y in summary["years"]]
    assert summary["objective_eur"] == pytest.approx(sum(planned), abs=0.05)
    assert summary["chargers"] == summary["years"][-1]["chargers"]  # basis: last year
    if kind in ("year_without_needs", "all_vehicles_exempt"):
        assert energy[2027] == 0.0 and summary["years"][0]["sites_open"] == 0
    if kind == "all_vehicles_exempt":
        assert sum(energy.values()) == 0.0
    else:
        assert energy[2028] > 0 and len(assignments) > 0
    if kind == "all_energy_servable":
        assert unmet.empty
