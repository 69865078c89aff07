"""Congestion exemptions: the whole vehicles the grid's headroom leaves uncharged, per ZES city.

A micro case where one cabin feeds the only site (no reinforcement) checks the counting by
hand; a generated case whose grid has 2 kVA of headroom everywhere checks the file that
``laadplan plan`` writes against its own ``unmet.csv``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import geography
from dashboards.context import AppContext
from dashboards.pages.plan._exemptions import CITY_COLUMNS
from dashboards.pages.plan._handin import exemptions_table
from dashboards.plan_sources import RESULTS
from dashboards.report import build_region_report, render_html
from dashboards.report._render import format_number
from dashboards.report._texts import wording
from dashboards.store import CaseStore
from planner.optimisation.unmet_causes import UnmetCause
from planner.optimisation.vocabulary import PlanFile
from planner.workflows.exemptions import (
    EXEMPTION_COLUMNS,
    ZesMembership,
    congestion_exemptions,
    disclosed_exemptions,
)
from tests._cli import run_cli
from tests._dashboard_fixtures import LAST_YEAR, generate_case
from tests._plan_fixtures import grid, micro_inputs, need, site, solve_micro

LEUVEN, GENT, TIENEN = "24062", "44021", "24107"
ZONES = pd.Series({LEUVEN: 2027, GENT: 2028, TIENEN: 2031}, name="zes_start_year")
#: need → its ZES cities, as written in needs.csv.
ZES_CITIES = {
    "N1": LEUVEN,
    "N2": f"{GENT};{LEUVEN}",  # Leuven's zone started first: counted there
    "N3": TIENEN,  # Tienen's zone starts after the plan year: no exemption
    "N4": GENT,
    "N5": LEUVEN,  # served at a site off the grid
}


@pytest.fixture(scope="module")
def micro_unmet() -> pd.DataFrame:
    """The unmet table of 2030: N1–N4 share a site behind a cabin with 10 kVA of headroom."""
    needs = [
        need("N1", "ORG-A", energy=1000.0, vehicles=2),
        need("N2", "ORG-B", energy=600.0, vehicles=2.5),
        need("N3", "ORG-C", energy=300.0, vehicles=1),
        need("N4", "ORG-D", energy=300.0, vehicles=3),
        need("N5", "ORG-E", energy=50.0, vehicles=1),
    ]
    sites = [site("S1", node="C1"), site("S2")]
    pairs = [{"need_id": n, "site_id": "S1", "distance_km": 0.0, "access_cost_eur_per_kwh": 0.0,
              "own": False} for n in ("N1", "N2", "N3", "N4")]  # fmt: skip
    pairs.append({**pairs[0], "need_id": "N5", "site_id": "S2"})
    network = grid([("SUB", ""), ("C1", "SUB")], {"C1": 10.0})
    inputs = micro_inputs(needs, sites, pairs, grid_inputs=network, allow_reinforcement=False)
    _, result = solve_micro(inputs)
    return result.unmet.assign(year=inputs.year)


def records(table: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in table.to_dict("records")]


def membership() -> ZesMembership:
    needs = pd.DataFrame({"need_id": list(ZES_CITIES), "zes_cities": list(ZES_CITIES.values())})
    return ZesMembership.of(needs, ZONES)


def test_unmet_rows_count_whole_vehicles_from_the_unmet_energy(micro_unmet: pd.DataFrame) -> None:
    rows = micro_unmet.set_index("need_id")
    assert set(rows.index) == {"N1", "N2", "N3", "N4"}
    assert (rows["cause"] == UnmetCause.GRID_HEADROOM).all()
    for need_id, row in rows.iterrows():
        per_vehicle = row["energy_kwh_per_day"] / row["vehicles"]
        by_hand = min(math.ceil(row["unmet_kwh_per_day"] / per_vehicle - 1e-3),
                      math.ceil(row["vehicles"]))  # fmt: skip
        assert row["vehicles_unmet"] == by_hand, need_id
        assert float(row["vehicles_unmet"]).is_integer()
    assert rows["unmet_kwh_per_day"].sum() > 1000.0  # 2,250 kWh asked, about 240 kWh fit


def test_exemptions_per_started_zes_city_and_organisation(micro_unmet: pd.DataFrame) -> None:
    table = congestion_exemptions(micro_unmet, membership())
    assert list(table.columns) == EXEMPTION_COLUMNS
    got = {(r["zes_city"], r["organisation_id"]): r for r in records(table)}
    assert set(got) == {(LEUVEN, "ORG-A"), (LEUVEN, "ORG-B"), (GENT, "ORG-D")}
    unmet = micro_unmet.set_index("need_id")
    for (city, organisation), need_id in {
        (LEUVEN, "ORG-A"): "N1", (LEUVEN, "ORG-B"): "N2", (GENT, "ORG-D"): "N4"
    }.items():  # fmt: skip
        row = got[(city, organisation)]
        assert row["vehicles_unmet"] == unmet.loc[need_id, "vehicles_unmet"]
        assert row["unmet_kwh_per_day"] == pytest.approx(unmet.loc[need_id, "unmet_kwh_per_day"])
        assert row["year"] == 2030 and row["needs"] == 1 and row["categories"] == "N1"
        assert row["zes_start_year"] == ZONES[city]
        assert "grid node C1" in row["binding"]
    assert got[(LEUVEN, "ORG-A")]["name"] == "Leuven" and got[(GENT, "ORG-D")]["name"] == "Gent"


def test_disclosed_exemptions_hide_cities_below_k(micro_unmet: pd.DataFrame) -> None:
    table = congestion_exemptions(micro_unmet, membership())
    shown = {(r["level"], r["code"]): r for r in records(disclosed_exemptions(table, k=2))}
    leuven = shown[("zes_city", LEUVEN)]
    assert leuven["disclosed"] and leuven["organisations"] == 2
    assert leuven["vehicles_unmet"] == table[table["zes_city"] == LEUVEN]["vehicles_unmet"].sum()
    assert not shown[("zes_city", GENT)]["disclosed"]  # one organisation
    assert np.isnan(shown[("zes_city", GENT)]["vehicles_unmet"])
    assert not shown[("vervoerregio", "4")]["disclosed"]  # Gent's region: the same one
    assert shown[("vervoerregio", "7")]["disclosed"]  # Leuven's: nothing hidden below
    strict = disclosed_exemptions(table, k=3)
    assert not strict["disclosed"].any() and strict["vehicles_unmet"].isna().all()


@pytest.fixture(scope="module")
def congested_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``laadplan plan`` of a small generated case with 2 kVA headroom and no reinforcement."""
    root = tmp_path_factory.mktemp("congested")
    folder = congested_case(root / "case")
    out = root / "plan"
    arguments = ["-q", "plan", "--data", str(folder), "--out", str(out), "--year", str(LAST_YEAR)]
    assert run_cli(arguments) == 0
    return out


def congested_case(folder: Path) -> Path:
    """A generated Leuven case: every site on a grid node with 2 kVA of headroom in every slot."""
    generate_case(folder)
    grid_table = pd.read_csv(folder / "grid.csv", dtype={"node_id": str})
    firm = grid_table.set_index("node_id")["firm_capacity_kva"]
    profiles = pd.read_csv(folder / "grid_profiles.csv", dtype={"node_id": str})
    profiles["load_kva"] = profiles["node_id"].map(firm) - 2.0
    profiles.to_csv(folder / "grid_profiles.csv", index=False)
    with (folder / "scenario.toml").open("a", encoding="utf-8") as scenario:
        scenario.write("\n[optimisation]\nallow_reinforcement = false\n")
        scenario.write("\n[grid]\nmax_mapping_distance_km = 50.0\n")  # every site on a cabin
    return folder


def test_plan_writes_the_exemptions_of_its_grid_bound_unmet_rows(congested_plan: Path) -> None:
    unmet = pd.read_csv(congested_plan / PlanFile.UNMET, dtype={"need_id": str})
    table = pd.read_csv(congested_plan / PlanFile.CONGESTION_EXEMPTIONS, dtype={"zes_city": str})
    grid_bound = unmet[(unmet["cause"] == UnmetCause.GRID_HEADROOM) & (unmet["vehicles_unmet"] > 0)]
    assert len(grid_bound) > 0, unmet["cause"].value_counts()
    assert list(table.columns) == EXEMPTION_COLUMNS
    assert (table["vehicles_unmet"] > 0).all()
    assert table["vehicles_unmet"].dtype.kind == "i"
    needs = pd.read_csv(congested_plan.parent / "case" / "needs.csv", dtype=str)
    zones = pd.read_csv(congested_plan.parent / "case" / "zones.csv", dtype={"nis_code": str})
    started = set(zones[zones["zes_start_year"] <= LAST_YEAR]["nis_code"])
    cities = needs.set_index("need_id")["zes_cities"].fillna("").str.split(";")
    counted = grid_bound[[bool(set(cities[n]) & started) for n in grid_bound["need_id"]]]
    assert table["vehicles_unmet"].sum() == counted["vehicles_unmet"].sum()
    assert table["unmet_kwh_per_day"].sum() == pytest.approx(counted["unmet_kwh_per_day"].sum())
    assert set(table["zes_city"]) <= started


def test_the_report_shows_the_regions_disclosed_exemptions(
    congested_plan: Path, tmp_path: Path
) -> None:
    html = tmp_path / "leuven.html"
    case = congested_plan.parent / "case"
    arguments = ["-q", "report", "--data", str(case), "--results", str(congested_plan)]
    assert run_cli([*arguments, "--region", "Leuven", "--out", str(html), "--format", "html",
                    "--lang", "en"]) == 0  # fmt: skip
    page = html.read_text(encoding="utf-8")
    section = page[page.index('<section id="exemptions">') : page.index('<section id="methods">')]
    assert "Candidates for a grid-congestion exemption" in section
    table = pd.read_csv(congested_plan / PlanFile.CONGESTION_EXEMPTIONS, dtype={"zes_city": str})
    shown = disclosed_exemptions(table, k=3)
    leuven = shown[shown["vervoerregio_code"] == 7]
    assert not leuven.empty
    for row in records(leuven):
        region = row["level"] == "vervoerregio"
        label = "Transport region Leuven (total)" if region else row["name"]
        cell = f"<td>{row['year']}</td>\n      <td>{label}</td>"
        assert cell in section, cell
        after = section[section.index(cell) : section.index("</tr>", section.index(cell))]
        if row["disclosed"]:
            assert f'<td class="n">{format_number(row["vehicles_unmet"], "en")}</td>' in after
        else:
            assert "fewer than 3 organisations" in after


def test_the_plan_page_lists_the_exemptions_per_zes_city(congested_plan: Path) -> None:
    context = AppContext(CaseStore(congested_plan.parent / "case", congested_plan))
    shown = exemptions_table(context, RESULTS, LAST_YEAR)
    assert shown is not None and list(shown.columns) == CITY_COLUMNS
    table = pd.read_csv(congested_plan / PlanFile.CONGESTION_EXEMPTIONS, dtype={"zes_city": str})
    by_city = table[table["year"] == LAST_YEAR].groupby("zes_city")
    got = shown.set_index("zes_city")
    assert set(got.index) == set(by_city.groups)
    assert got["vehicles_unmet"].to_dict() == by_city["vehicles_unmet"].sum().to_dict()
    assert got["organisations"].to_dict() == by_city["organisation_id"].nunique().to_dict()
    assert list(shown["vehicles_unmet"]) == sorted(shown["vehicles_unmet"], reverse=True)
    assert exemptions_table(context, RESULTS, None) is None


def test_the_reports_unmet_causes_are_the_regions_disclosed_rows(
    congested_plan: Path, tmp_path: Path
) -> None:
    store = CaseStore(congested_plan.parent / "case", congested_plan)
    report = build_region_report(store, "Leuven")
    unmet = pd.read_csv(congested_plan / PlanFile.UNMET, dtype={"nis_code": str})
    leuven = set(geography.municipalities_of(7)["nis_code"].astype(str))
    mine = unmet[unmet["nis_code"].isin(leuven)]
    rows = {(r["year"], r["level"], r["code"]): r for r in records(report.unmet_causes)}
    total = rows[(LAST_YEAR, "vervoerregio", "7")]
    assert set(report.unmet_causes["code"]) - {"7"} == set(mine["cause"])
    if total["disclosed"]:
        assert total["unmet_kwh_per_day"] == pytest.approx(mine["unmet_kwh_per_day"].sum())
        assert total["vehicles_unmet"] == mine["vehicles_unmet"].sum()
    for cause, group in mine.groupby("cause"):
        row = rows[(LAST_YEAR, "cause", cause)]
        assert row["disclosed"] == (group["organisation_id"].nunique() >= 3)
        if row["disclosed"]:
            assert row["unmet_kwh_per_day"] == pytest.approx(group["unmet_kwh_per_day"].sum())
    for lang in ("nl", "en"):
        assert all(wording(f"cause.{cause}", lang) for cause in UnmetCause)
    page = render_html(report, "en")
    assert "Grid headroom without reinforcement" in page
