"""``laadplan run``: the grid operator's file comes from the plan, and the dashboard agrees.

A small generated Leuven case whose cabins have 1 kVA of headroom in every hour, so that the
plan reinforces several of them; k = 3 (the default) names, merges or suppresses them.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboards.pages.overview import _business_logic as overview_logic
from dashboards.pages.overview import _figures as overview_figures
from dashboards.pages.plan import _business_logic as plan_logic
from dashboards.plan_data import read_plan_outputs
from dashboards.selection import Selection
from planner.cli import main
from planner.demand.projection import read_demand

YEARS = (2027, 2028)


def tighten_cabins(case: Path) -> None:
    """Leave every MV cabin 1 kVA of headroom in every hour."""
    grid = pd.read_csv(case / "grid.csv", dtype={"parent_id": str})
    cabins = grid["level"] == "mv_cabin"
    grid.loc[cabins, "headroom_kva"] = 1.0
    grid.loc[cabins, "peak_load_kva"] = grid.loc[cabins, "firm_capacity_kva"] - 1.0
    grid.to_csv(case / "grid.csv", index=False)
    base_kva = np.where(cabins, grid["firm_capacity_kva"] - 1.0, grid["firm_capacity_kva"] / 2)
    profiles = pd.DataFrame(
        {
            "node_id": np.repeat(grid["node_id"].to_numpy(), 24),
            "slot": np.tile([f"{hour:02d}:00" for hour in range(24)], len(grid)),
            "load_kva": np.repeat(base_kva, 24),
        }
    )
    profiles.to_csv(case / "grid_profiles.csv", index=False)


@pytest.fixture(scope="module")
def run_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    case = tmp_path_factory.mktemp("operator") / "case"
    sizes = ["--needs", "40", "--sites", "16", "--substations", "3", "--cabins", "24"]
    arguments = ["-q", "generate", "--region", "Leuven", "--seed", "3", "--out", str(case)]
    assert main([*arguments, *sizes]) == 0
    scenario = (case / "scenario.toml").read_text(encoding="utf-8")
    (case / "scenario.toml").write_text(scenario.replace("last_year = 2035", "last_year = 2028"))
    tighten_cabins(case)
    out = case.parent / "out"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["run", "--data", str(case), "--out", str(out), "--workers", "1"]) == 0
    (out / "printed.txt").write_text(printed.getvalue(), encoding="utf-8")
    return out


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"node_id": str})


@pytest.mark.slow
def test_every_node_the_plan_reinforces_is_named_merged_or_counted(run_out: Path) -> None:
    plan = run_out / "plan"
    reinforcement = read(plan / "reinforcement.csv")
    requests = read(plan / "capacity_requests.csv")
    by_node = read(plan / "capacity_requests_by_node.csv")
    reinforced = reinforcement[reinforcement["total_kva"] > 0.05]
    assert len(reinforced) >= 4  # the case proves something: several cabins are reinforced
    labels = by_node.set_index(["year", "node_id"])["reported_as"]
    for row in reinforced.itertuples():
        assert (row.year, row.node_id) in labels.index, row.node_id
    load = read(plan / "node_load.csv")
    overloaded = load[load["margin_kva"] < -0.05].drop_duplicates(["year", "node_id"])
    for row in overloaded.itertuples():  # an overload the plan leaves is requested too
        assert (row.year, row.node_id) in labels.index, row.node_id
    assert set(requests["basis"]) == {"plan"}
    placed = requests[requests["disclosure"] != "suppressed"]
    assert len(placed) and placed[["lat", "lon"]].notna().all().all()  # the operator can map them
    assert not any(c in requests.columns for c in ("organisation_id", "need_id", "depot_id"))
    for year in YEARS:
        _check_year(requests[requests["year"] == year], by_node[by_node["year"] == year])
    before = read(run_out / "capacity_requests.csv")
    assert set(before["basis"]) <= {"before_planning"}
    printed = (run_out / "printed.txt").read_text(encoding="utf-8")
    assert "Before planning (reported depot demand only):" in printed
    named, merged = (requests["disclosure"] == kind for kind in ("own", "merged_from_children"))
    assert (
        f"Capacity requests from the plan for the grid operator: {int(named.sum())} named, "
        f"{int(requests.loc[merged, 'merged_nodes'].sum())} node-years merged into "
        f"{int(merged.sum())} rows"
    ) in printed


def _check_year(requests: pd.DataFrame, by_node: pd.DataFrame) -> None:
    named = requests[requests["disclosure"] == "own"].set_index("node_id")["extra_capacity_kva"]
    columns = ["node_id", "extra_capacity_kva", "reported_as"]
    for node, extra_kva, reported in by_node[columns].itertuples(index=False):
        if reported == "own":
            assert named[str(node)] == pytest.approx(float(extra_kva), abs=0.1)
        else:
            assert reported == "suppressed" or str(reported).startswith("merged:"), reported
    for reported_as, members in by_node.groupby("reported_as"):
        label = str(reported_as)
        if label.startswith("merged:"):
            bundle = requests[
                (requests["node_id"] == label.removeprefix("merged:"))
                & (requests["disclosure"] == "merged_from_children")
            ]
            assert bundle["merged_nodes"].sum() == len(members)
            assert bundle["extra_capacity_kva"].sum() == pytest.approx(
                members["extra_capacity_kva"].sum(), abs=0.1 * len(members)
            )
    suppressed = requests[requests["disclosure"] == "suppressed"]
    assert suppressed["merged_nodes"].sum() == (by_node["reported_as"] == "suppressed").sum()
    assert suppressed["extra_capacity_kva"].isna().all()
    shown = requests[requests["disclosure"] != "suppressed"]
    assert (shown["organisations"] >= 3).all()


@pytest.mark.slow
def test_the_dashboard_shows_the_numbers_of_the_operator_file(run_out: Path) -> None:
    plan = read_plan_outputs(run_out / "plan")
    assert plan is not None
    demand = read_demand(run_out / "demand.nc")
    requests = read(run_out / "plan" / "capacity_requests.csv")
    by_node = read(run_out / "plan" / "capacity_requests_by_node.csv")
    for year in YEARS:
        headline = overview_logic.make_headline(demand, Selection(year), plan)
        in_file = requests.loc[requests["year"] == year, "extra_capacity_kva"].fillna(0).sum()
        assert headline.shortfall_from_plan
        assert headline.shortfall_kva == pytest.approx(in_file)
        assert "before planning" not in overview_figures.headline_texts(headline, "en")[6]
        table = plan_logic.reinforcement_of(plan, year)
        expected = by_node[by_node["year"] == year].set_index("node_id")
        shown = table.set_index("node_id")
        assert (shown["reported_as"] == expected.loc[shown.index, "reported_as"]).all()
        assert shown["requested_kva"].to_numpy() == pytest.approx(
            shown["total_kva"].to_numpy(), abs=0.1
        )
        # one number per node and year: each row of the operator's file is what the Plan
        # page shows for the nodes reported as it (the node itself, or the merged ones)
        rows = requests[(requests["year"] == year) & (requests["disclosure"] != "suppressed")]
        assert len(rows)  # the case publishes some request: the numbers are compared
        for row in rows.itertuples():
            label = "own" if row.disclosure == "own" else f"merged:{row.node_id}"
            on_page = shown[shown["reported_as"] == label]
            if row.disclosure == "own":
                on_page = on_page.loc[[row.node_id]]
            assert on_page["requested_kva"].sum() == pytest.approx(
                row.extra_capacity_kva, abs=0.1 * len(on_page)
            ), (year, row.node_id)
