"""``laadplan plan --propose-sites N``: hubs where unmet energy clusters lower it, by how much."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from charging_sites import Tier
from dashboards.report import build_region_report, render_html
from dashboards.scenario_runs import knobs_of, run_plan
from dashboards.store import CaseStore
from geography import municipalities_of
from planner.cli.plan import PROPOSALS_FILE
from planner.workflows.case import read_case
from planner.workflows.datafolder import resolve_data_folder
from tests._cli import run_cli
from tests._dashboard_fixtures import LAST_YEAR, generate_case


@pytest.fixture(scope="module")
def case_without_public_sites(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small Leuven case whose needs without private terrain have no site: unmet energy."""
    folder = generate_case(tmp_path_factory.mktemp("propose") / "case")
    sites = pd.read_csv(folder / "sites.csv", dtype=str, keep_default_na=False)
    sites[sites["tier"] == Tier.PRIVATE].to_csv(folder / "sites.csv", index=False)
    return folder


def last_unmet(out: Path) -> float:
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    year = next(item for item in summary["years"] if item["year"] == LAST_YEAR)
    return float(year["unmet_kwh_per_day"])


def test_proposed_hubs_lower_unmet_energy_and_say_by_how_much(
    case_without_public_sites: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["plan", "--data", str(case_without_public_sites), "--year", str(LAST_YEAR)]
    assert run_cli(["-q", *base, "--out", str(tmp_path / "before")]) == 0
    before = last_unmet(tmp_path / "before")
    assert before > 0
    capsys.readouterr()
    assert run_cli(["-q", *base, "--out", str(tmp_path / "after"), "--propose-sites", "2"]) == 0
    printed = capsys.readouterr().out
    after = last_unmet(tmp_path / "after")
    assert after < before
    said = re.search(r"unmet energy in (\d+) from ([\d,]+) to ([\d,]+) kWh/day", printed)
    assert said is not None, printed
    assert int(said[1]) == LAST_YEAR
    assert float(said[2].replace(",", "")) == pytest.approx(before, abs=0.5)
    assert float(said[3].replace(",", "")) == pytest.approx(after, abs=0.5)
    proposals = pd.read_csv(tmp_path / "after" / PROPOSALS_FILE)
    assert 1 <= len(proposals) <= 2
    assert proposals["site_id"].str.startswith("PROPOSED-").all()
    opened = proposals[proposals["opened"]]
    assert not opened.empty and (opened["energy_kwh_per_day"] > 0).all()
    assert (opened["investment_eur_per_year"] > 0).all()
    sites = pd.read_csv(tmp_path / "after" / "sites.csv")
    assert set(opened["site_id"]) <= set(sites["site_id"])


def test_a_dashboard_run_proposes_hubs_and_says_by_how_much(
    case_without_public_sites: Path,
) -> None:
    case = read_case(resolve_data_folder(case_without_public_sites))
    knobs = dataclasses.replace(knobs_of(case.scenario, LAST_YEAR), propose_sites=2)
    messages: list[str] = []
    outputs = run_plan(case, knobs, lambda _, message: messages.append(message), "hubs")
    said = re.search(r"unmet energy in (\d+) from ([\d,]+) to ([\d,]+) kWh/day", messages[-1])
    assert said is not None, messages[-1]
    after = float(outputs.summaries[LAST_YEAR]["unmet_kwh_per_day"])
    before = float(outputs.settings["unmet_before_proposals_kwh_per_day"])
    assert int(said[1]) == LAST_YEAR and after < before
    assert float(said[2].replace(",", "")) == pytest.approx(before, abs=0.5)
    assert float(said[3].replace(",", "")) == pytest.approx(after, abs=0.5)
    assert outputs.settings["propose_sites"] == 2
    assert outputs.sites["site_id"].str.startswith("PROPOSED-").any()


def test_the_report_lists_the_proposed_hubs(
    case_without_public_sites: Path, tmp_path: Path
) -> None:
    out = tmp_path / "plan"
    arguments = ["-q", "plan", "--data", str(case_without_public_sites), "--out", str(out)]
    assert run_cli([*arguments, "--year", str(LAST_YEAR), "--propose-sites", "2"]) == 0
    proposals = pd.read_csv(out / PROPOSALS_FILE, dtype={"nis_code": str})
    report = build_region_report(CaseStore(case_without_public_sites, out), "Leuven")
    leuven = set(municipalities_of(7)["nis_code"].astype(str))
    expected = proposals[proposals["nis_code"].isin(leuven)]
    assert not expected.empty
    assert list(report.proposed_hubs["site_id"]) == list(expected["site_id"])
    assert list(report.proposed_hubs["chargers"]) == list(expected["chargers"])
    assert "Voorgestelde laadpleinen" in render_html(report, "nl")
