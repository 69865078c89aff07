"""``laadplan run --previous``: the files handed out again reveal no change below k.

The generated Leuven case of tests/test_operator_file.py (cabins short of headroom, k = 3) is
run once; then one organisation's fleet grows and another's need is dropped, and the case is
run again, once with ``--previous`` (the first plan folder) and once without.  The attacker of
tests/_disclosure_attack.py sees both hand-outs: the aggregate files and the operator's
capacity requests.
"""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest

from grid_data.disclosure import Disclosure
from planner.cli import main
from planner.workflows.handouts import guard_handout, read_handout
from planner.workflows.plan_files import AGGREGATE_FILES
from tests._disclosure_attack import Cell, leaked_groups
from tests.test_operator_file import tighten_cabins
from validation import LaadplanError

K = 3
REQUESTS, BY_NODE = "capacity_requests.csv", "capacity_requests_by_node.csv"


def laadplan_run(case: Path, out: Path, *extra: str) -> Path:
    with contextlib.redirect_stdout(io.StringIO()):
        arguments = ["run", "--data", str(case), "--out", str(out), "--workers", "1", *extra]
        assert main(arguments) == 0
    return out / "plan"


@pytest.fixture(scope="module")
def hand_outs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("handouts")
    case = root / "case"
    sizes = ["--needs", "40", "--sites", "16", "--substations", "3", "--cabins", "24"]
    arguments = ["-q", "generate", "--region", "Leuven", "--seed", "3", "--out", str(case)]
    assert main([*arguments, *sizes]) == 0
    scenario = (case / "scenario.toml").read_text(encoding="utf-8")
    (case / "scenario.toml").write_text(scenario.replace("last_year = 2035", "last_year = 2028"))
    tighten_cabins(case)
    first = laadplan_run(case, root / "first")
    changed = root / "changed"
    shutil.copytree(case, changed)
    needs = pd.read_csv(changed / "needs.csv", dtype=str, keep_default_na=False)
    grown = needs["need_id"] == merged_need(first)  # a fleet charging in a merged request
    needs.loc[grown, "vehicles"] = [str(int(v) * 2) for v in needs.loc[grown, "vehicles"]]
    needs.iloc[:-1].to_csv(changed / "needs.csv", index=False)  # another need is dropped
    return {
        "first": first,
        "second": laadplan_run(changed, root / "second", "--previous", str(first)),
        "naive": laadplan_run(changed, root / "naive"),
        "grid": case / "grid.csv",
    }


def merged_need(plan: Path) -> str:
    """A need charged at a node that the first operator file merges into an unnamed request."""
    by_node = read(plan, BY_NODE)
    merged = by_node.loc[by_node["reported_as"].str.startswith("merged:"), "node_id"]
    sites = read(plan, "sites.csv")
    at = sites.loc[sites["grid_node_id"].isin(merged), "site_id"]
    assignments = read(plan, "assignments.csv")
    charged = assignments.loc[assignments["site_id"].isin(at), "need_id"]
    assert len(charged), "the case must merge some request, or this test proves little"
    return str(charged.iloc[0])


def read(folder: Path, name: str) -> pd.DataFrame:
    text = {c: str for c in ("node_id", "site_id", "nis_code", "vervoerregio_code", "grid_node_id")}
    return pd.read_csv(folder / name, dtype=text)


def values(folder: Path) -> dict[tuple[int, str, str], float]:
    """(year, site, organisation) → energy, kWh/day: one plan's contributions."""
    assignments = read(folder, "assignments.csv")
    keys = ["year", "site_id", "organisation_id"]
    summed = assignments.groupby(keys, as_index=False)["energy_kwh_per_day"].sum()
    rows = zip(summed["year"], summed["site_id"], summed["organisation_id"], strict=True)
    return {
        (int(y), str(s), str(o)): float(kwh)
        for (y, s, o), kwh in zip(rows, summed["energy_kwh_per_day"], strict=True)
    }


def area_cells(
    folder: Path, version: int, both: list[dict[tuple[int, str, str], float]]
) -> list[Cell]:
    """Each energy figure of the aggregate files, as (organisation, site, version) unknowns."""
    sites, assignments = read(folder, "sites.csv"), read(folder, "assignments.csv")
    cells = []
    for name, by in AGGREGATE_FILES.items():
        table = read(folder, name)
        for row in table[table["energy_kwh_per_day"].notna()].itertuples():
            area = sites[(sites["year"] == row.year) & (sites["tier"] == row.tier)]
            area = area[area[by].astype(str) == str(getattr(row, by))]
            used = assignments[
                (assignments["year"] == row.year) & assignments["site_id"].isin(area["site_id"])
            ]
            cells.append(
                frozenset(
                    _unknown((int(str(row.year)), str(s), str(o)), version, both)
                    for s, o in zip(used["site_id"], used["organisation_id"], strict=True)
                )
            )
    return cells


def _unknown(
    key: tuple[int, str, str], version: int, both: list[dict[tuple[int, str, str], float]]
) -> tuple[str, int, int]:
    same = _same(*(v.get(key) for v in both))
    return (f"{key[2]}@{key[1]}@{key[0]}", 0, -1 if same else version)


#: Differences the solver's tolerances make between two solves of unchanged data (its primal
#: feasibility tolerance, 1e-6 kWh/day seen here): noise, not a change of anyone's data.
NOISE_KWH_PER_DAY = 1e-4


def _same(before: float | None, after: float | None) -> bool:
    if before is None or after is None:
        return before is after
    return abs(before - after) <= NOISE_KWH_PER_DAY


def request_cells(
    folder: Path, version: int, both: list[dict[tuple[int, str, str], float]], grid: Path
) -> list[Cell]:
    """Each named or merged request, as the unknowns at the sites below its nodes."""
    nodes = pd.read_csv(grid, dtype=str, keep_default_na=False)
    parent = dict(zip(nodes["node_id"], nodes["parent_id"], strict=True))
    sites, assignments = read(folder, "sites.csv"), read(folder, "assignments.csv")
    requests, by_node = read(folder, REQUESTS), read(folder, BY_NODE)
    cells = []
    for row in requests[requests["disclosure"] != Disclosure.SUPPRESSED].itertuples():
        label = "own" if row.disclosure == Disclosure.OWN else f"merged:{row.node_id}"
        members = (
            {str(row.node_id)}
            if label == "own"
            else set(by_node[(by_node["year"] == row.year) & (by_node["reported_as"] == label)]
                     ["node_id"])
        )  # fmt: skip
        at = sites[(sites["year"] == row.year)]
        below = at[[_under(str(n), members, parent) for n in at["grid_node_id"].fillna("")]]
        used = assignments[
            (assignments["year"] == row.year) & assignments["site_id"].isin(below["site_id"])
        ]
        cells.append(
            frozenset(
                _unknown((int(str(row.year)), str(s), str(o)), version, both)
                for s, o in zip(used["site_id"], used["organisation_id"], strict=True)
            )
        )
    return cells


def _under(node: str, members: set[str], parent: dict[str, str]) -> bool:
    while node:
        if node in members:
            return True
        node = parent.get(node, "")
    return False


@pytest.mark.slow
def test_a_changed_plan_handed_out_again_isolates_no_group_below_k(
    hand_outs: dict[str, Path],
) -> None:
    first, second = hand_outs["first"], hand_outs["second"]
    both = [values(first), values(second)]
    assert both[0] != both[1]  # the plan changed: there is a difference to guard
    cells = area_cells(first, 0, both) + area_cells(second, 1, both)
    cells += request_cells(first, 0, both, hand_outs["grid"])
    cells += request_cells(second, 1, both, hand_outs["grid"])
    assert leaked_groups(cells, K) == []
    for organisation in {key[2] for version in both for key in version}:
        assert leaked_groups(cells, K - 1, organisation) == []
    # without --previous the same two hand-outs give the grown fleet away
    naive = [values(first), values(hand_outs["naive"])]
    plain = area_cells(first, 0, naive) + area_cells(hand_outs["naive"], 1, naive)
    plain += request_cells(first, 0, naive, hand_outs["grid"])
    plain += request_cells(hand_outs["naive"], 1, naive, hand_outs["grid"])
    assert leaked_groups(plain, K) != []


@pytest.mark.slow
def test_the_second_hand_out_only_withholds(hand_outs: dict[str, Path]) -> None:
    second, naive = hand_outs["second"], hand_outs["naive"]
    for name in AGGREGATE_FILES:
        guarded, plain = read(second, name), read(naive, name)
        shared = guarded["tier"] != "private"  # public infrastructure: never withheld
        assert guarded.loc[shared, "chargers"].tolist() == plain.loc[shared, "chargers"].tolist()
        for column in ("energy_kwh_per_day", "chargers"):  # what is shown is the plain figure
            shown = guarded[column].notna()
            assert plain.loc[shown, column].notna().all()
            assert (guarded.loc[shown, column] == plain.loc[shown, column]).all()
    guarded, plain = read(second, BY_NODE), read(naive, BY_NODE)
    assert guarded[["year", "node_id"]].equals(plain[["year", "node_id"]])  # every node counted
    changed = guarded["reported_as"] != plain["reported_as"]
    assert (guarded.loc[changed, "reported_as"] == Disclosure.SUPPRESSED).all()
    assert changed.any()  # the grown fleet's request would have revealed its growth
    requests = read(second, REQUESTS)
    suppressed = requests[requests["disclosure"] == Disclosure.SUPPRESSED]
    assert suppressed["merged_nodes"].sum() == (guarded["reported_as"] == "suppressed").sum()


@pytest.mark.slow
def test_the_same_files_handed_out_again_are_not_changed(hand_outs: dict[str, Path]) -> None:
    first = hand_outs["first"]
    tables = {name: read(first, name) for name in (*AGGREGATE_FILES, REQUESTS, BY_NODE)}
    tables.update(read_handout(first))
    grid = pd.read_csv(hand_outs["grid"], dtype=str, keep_default_na=False)
    again = guard_handout(tables, read_handout(first), K, grid[["node_id", "parent_id"]])
    for name in (*AGGREGATE_FILES, REQUESTS, BY_NODE):
        pd.testing.assert_frame_equal(again[name], tables[name], check_dtype=False)


def test_previous_must_be_a_plan_folder(tmp_path: Path) -> None:
    with pytest.raises(LaadplanError, match=r"--previous .*: no sites.csv, assignments.csv"):
        read_handout(tmp_path)
