"""The disclosure rule across files served together and across successive publications.

Figures that are not all nodes of one hierarchy — the grid operator's merged capacity requests
sum several nodes' loads, and the grid may change between runs — pass
:func:`grid_data.disclosure.guard_cells`.  The attacker (tests/_disclosure_attack.py) sees
every figure of two successive publications; an unknown is shared by both where the
contribution did not change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grid_data.disclosure import (
    Contributions,
    Disclosure,
    Hierarchy,
    YearDisclosure,
    disclose_year,
    guard_cells,
    guard_change,
    organisations_of,
)
from grid_data.overlay_tables import reported_as
from grid_data.request_versions import republish_plan_requests
from planner.optimisation.vocabulary import PlanFile
from planner.workflows.handouts import guard_aggregates
from planner.workflows.plan_files import AGGREGATE_FILES, aggregate_tables
from service.grid_figures import republish_node_demand
from tests._disclosure_attack import Cell, leaked_groups, subtree, unknown
from tests.test_disclosure import (
    MUNICIPALITY_REGION,
    ORGANISATIONS,
    changed,
    contributions,
    hierarchies,
)

VERSIONS = settings(
    max_examples=50, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
BoolArray = npt.NDArray[np.bool_]


def request_sets(tree: Hierarchy, outcome: YearDisclosure, congested: BoolArray) -> list[set[int]]:
    """The nodes whose loads each request sums: a named node's subtree, a bundle's members'."""
    parents = tree.parents.tolist()
    named = np.flatnonzero(outcome.disclosed & congested)
    sets = [set(subtree(parents, int(node))) for node in named]
    for bundle in outcome.bundles:
        if bundle.node >= 0:
            sets.append({n for member in bundle.members for n in subtree(parents, member)})
    return sets


def cell(nodes: set[int], version: int, versions: Sequence[Contributions]) -> Cell:
    """A figure of one version over ``nodes``, as the attacker's unknowns."""
    return frozenset(
        unknown(o, n, version, versions) for n in sorted(nodes) for o in versions[version][n]
    )


def outcome_of(tree: Hierarchy, now: Contributions, congested: BoolArray, k: int) -> YearDisclosure:
    return disclose_year(tree.parents, tree.children_first(), organisations_of(now), congested, k)


def flags(data: st.DataObject, count: int) -> BoolArray:
    return np.array(data.draw(st.lists(st.booleans(), min_size=count, max_size=count)))


def same_size_hierarchy(data: st.DataObject, count: int) -> Hierarchy:
    """Another grid over the same nodes: each node's parent an earlier node or none."""
    parents = [-1] + [data.draw(st.integers(-1, node - 1)) for node in range(1, count)]
    ids = [f"n{node}" for node in range(count)]
    return Hierarchy.from_parents(ids, [ids[p] if p >= 0 else None for p in parents])


@VERSIONS
@given(st.data(), hierarchies(), st.integers(2, 4))
def test_two_successive_capacity_request_files_isolate_no_group_below_k(
    data: st.DataObject, tree: Hierarchy, k: int
) -> None:
    count = len(tree.ids)
    before = contributions(data.draw, count)
    after = changed(data.draw, before)
    later_tree = tree if data.draw(st.booleans()) else same_size_hierarchy(data, count)
    first = request_sets(tree, outcome_of(tree, before, c0 := flags(data, count), k), c0)
    candidates = request_sets(
        later_tree, outcome_of(later_tree, after, c1 := flags(data, count), k), c1
    )
    shown = guard_cells(candidates, after, first, before, k)
    versions = [before, after]
    cells = [cell(s, 0, versions) for s in first]
    cells += [cell(s, 1, versions) for s, ok in zip(candidates, shown, strict=True) if ok]
    assert leaked_groups(cells, k) == []
    for insider in ORGANISATIONS:  # one operator-side signatory knows its own loads
        assert leaked_groups(cells, k - 1, insider) == []


@VERSIONS
@given(st.data(), hierarchies(), st.integers(1, 4))
def test_the_overlay_files_written_together_isolate_no_group_below_k(
    data: st.DataObject, tree: Hierarchy, k: int
) -> None:
    # congestion.csv and the node demand carry every disclosed node's load, capacity_requests
    # the named nodes and the bundles: all of them together
    now = contributions(data.draw, len(tree.ids))
    congested = flags(data, len(tree.ids))
    outcome = outcome_of(tree, now, congested, k)
    parents = tree.parents.tolist()
    demand = [set(subtree(parents, int(n))) for n in np.flatnonzero(outcome.disclosed)]
    cells = [cell(s, 0, [now]) for s in demand + request_sets(tree, outcome, congested)]
    assert leaked_groups(cells, k) == []
    assert guard_cells(request_sets(tree, outcome, congested), now, k=k).all()


def test_a_bundle_of_last_time_and_a_node_named_now_do_not_give_a_lone_cabin() -> None:
    # S feeds C1 (a, b) and C2 (c), both congested; k = 3.  First the bundle C1 + C2 is
    # published at S.  Then d charges at C1 too, so C1 alone is named: C1 before and after
    # share a and b, so the bundle minus C1 is c's load minus d's, and d knows its own.
    tree = Hierarchy.from_parents(["S", "C1", "C2"], [None, "S", "S"])
    before: list[dict[str, tuple[float, ...]]] = [{}, {"a": (5.0,), "b": (6.0,)}, {"c": (7.0,)}]
    after = [{}, {**before[1], "d": (1.0,)}, before[2]]
    congested = np.array([False, True, True])
    first = request_sets(tree, outcome_of(tree, before, congested, 3), congested)
    assert first == [{1, 2}]
    naive = request_sets(tree, outcome_of(tree, after, congested, 3), congested)
    assert naive == [{1}]
    versions: list[Contributions] = [before, after]
    attack = [cell(first[0], 0, versions), cell(naive[0], 1, versions)]
    assert frozenset({"c"}) in leaked_groups(attack, 3, insider="d")
    assert guard_cells(naive, after, first, before, 3).tolist() == [False]


# --- the service: the plan's requests when a run is published --------------------------------


def plan_tables(
    tree: Hierarchy, now: Contributions, congested: BoolArray, k: int
) -> dict[str, list[dict[str, Any]]]:
    """A run's stored tables for one year (2030): requests as disclose_year makes them.

    One site per node; an organisation's energy there is its contribution.
    """
    outcome = outcome_of(tree, now, congested, k)
    labels = reported_as(list(tree.ids), congested[:, None], [outcome])[:, 0]
    requests: list[dict[str, Any]] = [
        request_row(tree.ids[int(n)], Disclosure.OWN, 0)
        for n in np.flatnonzero(outcome.disclosed & congested)
    ]
    for bundle in outcome.bundles:
        node = tree.ids[bundle.node] if bundle.node >= 0 else ""
        kind = Disclosure.MERGED_FROM_CHILDREN if node else Disclosure.SUPPRESSED
        requests.append(request_row(node, kind, len(bundle.members)))
    return {
        "grid_requests": requests,
        "grid_requests_by_node": [
            {"year": 2030, "node_id": tree.ids[n], "reported_as": str(labels[n])}
            for n in np.flatnonzero(congested)
        ],
        "grid_plan_hierarchy": [
            {"node_id": node, "parent_id": tree.ids[p] if p >= 0 else ""}
            for node, p in zip(tree.ids, tree.parents.tolist(), strict=True)
        ],
        "sites": [{"year": 2030, "site_id": f"S{n}", "grid_node_id": n} for n in tree.ids],
        "assignments": [
            assignment(node, organisation, values[0])
            for node, at_node in zip(tree.ids, now, strict=True)
            for organisation, values in at_node.items()
        ],
    }


def assignment(node: str, organisation: str, kwh: float) -> dict[str, Any]:
    return {"year": 2030, "site_id": f"S{node}", "organisation_id": organisation,
            "energy_kwh_per_day": kwh}  # fmt: skip


def request_row(node: str, kind: Disclosure, merged: int) -> dict[str, Any]:
    return {"year": 2030, "node_id": node, "disclosure": kind.value, "merged_nodes": merged,
            "extra_capacity_kva": 1.0, "basis": "plan"}  # fmt: skip


def shown_sets(tables: Mapping[str, list[dict[str, Any]]], tree: Hierarchy) -> list[set[int]]:
    """What the attacker adds up for each published row, from the planner's by-node labels."""
    parents = tree.parents.tolist()
    position = {node: i for i, node in enumerate(tree.ids)}
    sets = []
    for row in tables["grid_requests"]:
        if row["disclosure"] == Disclosure.OWN:
            members = [row["node_id"]]
        elif row["disclosure"] == Disclosure.MERGED_FROM_CHILDREN:
            label = f"merged:{row['node_id']}"
            members = [
                r["node_id"] for r in tables["grid_requests_by_node"] if r["reported_as"] == label
            ]
        else:
            continue
        sets.append({n for m in members for n in subtree(parents, position[m])})
    return sets


@VERSIONS
@given(st.data(), hierarchies(), st.integers(2, 4))
def test_a_published_run_s_requests_with_the_last_ones_isolate_no_group_below_k(
    data: st.DataObject, tree: Hierarchy, k: int
) -> None:
    count = len(tree.ids)
    before = contributions(data.draw, count)
    after = changed(data.draw, before)
    previous = plan_tables(tree, before, flags(data, count), k)
    congested = flags(data, count)
    new = plan_tables(tree, after, congested, k)
    requests, by_node = republish_plan_requests(new, previous, k)
    published = {"grid_requests": requests, "grid_requests_by_node": by_node}
    versions = [before, after]
    cells = [cell(s, 0, versions) for s in shown_sets(previous, tree)]
    cells += [cell(s, 1, versions) for s in shown_sets(published, tree)]
    assert leaked_groups(cells, k) == []
    # every congested node is still named, merged or counted as suppressed
    labels = {r["node_id"]: r["reported_as"] for r in by_node}
    assert sorted(labels) == sorted(tree.ids[n] for n in np.flatnonzero(congested))
    suppressed = [r for r in requests if r["disclosure"] == Disclosure.SUPPRESSED]
    counted = sum(int(r["merged_nodes"]) for r in suppressed)
    assert counted == sum(label == Disclosure.SUPPRESSED for label in labels.values())
    assert len(suppressed) <= 1
    named = {r["node_id"] for r in requests if r["disclosure"] == Disclosure.OWN}
    assert named == {node for node, label in labels.items() if label == Disclosure.OWN}


def test_a_run_published_after_the_bundle_keeps_the_lone_cabin_hidden() -> None:
    tree = Hierarchy.from_parents(["S", "C1", "C2"], [None, "S", "S"])
    before: list[dict[str, tuple[float, ...]]] = [{}, {"a": (5.0,), "b": (6.0,)}, {"c": (7.0,)}]
    after = [{}, {**before[1], "d": (1.0,)}, before[2]]
    congested = np.array([False, True, True])
    previous = plan_tables(tree, before, congested, 3)
    new = plan_tables(tree, after, congested, 3)
    assert republish_plan_requests(new, None, 3) == (
        new["grid_requests"],
        new["grid_requests_by_node"],
    )
    requests, by_node = republish_plan_requests(new, previous, 3)
    assert [(r["node_id"], r["disclosure"], r["merged_nodes"]) for r in requests] == [
        ("", "suppressed", 2)
    ]
    assert {r["node_id"]: r["reported_as"] for r in by_node} == {
        "C1": "suppressed",
        "C2": "suppressed",
    }
    unchanged, _ = republish_plan_requests(previous, previous, 3)
    assert unchanged == previous["grid_requests"]  # the same figures again reveal nothing


def test_a_figure_the_last_version_did_not_show_is_not_held_back_by_it() -> None:
    # r1 held a alone last time, so nothing was shown (k = 2); now a and b: r1 and the total
    # may be shown, as the old figure of r1 is in no published cell
    tree = Hierarchy.from_parents(["F", "r1"], [None, "F"])
    before: list[dict[str, tuple[float, ...]]] = [{}, {"a": (4.0,)}]
    after = [{}, {"a": (4.0,), "b": (2.0,)}]
    everything = np.ones(2, dtype=bool)
    shown_before = guard_change(tree, before, everything, k=2)
    assert shown_before.tolist() == [False, False]
    shown = guard_change(tree, after, everything, before, shown_before, 2)
    assert shown.tolist() == [True, True]
    versions: list[Contributions] = [before, after]
    cells = [cell({0, 1}, 1, versions), cell({1}, 1, versions)]
    assert leaked_groups(cells, 2) == []


# --- the plan's aggregate files, handed out again (laadplan plan/run --previous) ---------------


@st.composite
def two_versions_of_shared_plans(
    draw: st.DrawFn,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Shared sites (their places fixed) and who charges there, in two successive plans."""
    count = draw(st.integers(1, 6))
    places = [
        (draw(st.sampled_from(sorted(MUNICIPALITY_REGION))), draw(st.sampled_from(SHARED)))
        for _ in range(count)
    ]
    first = {
        (site, organisation): float(draw(st.integers(1, 50)))
        for site in range(count)
        for organisation in draw(st.sets(st.sampled_from(ORGANISATIONS), max_size=4))
    }
    second = dict(first)
    for site, organisation in draw(
        st.sets(st.tuples(st.integers(0, count - 1), st.sampled_from(ORGANISATIONS)), max_size=3)
    ):
        if draw(st.booleans()):
            second.pop((site, organisation), None)
        else:
            second[(site, organisation)] = float(draw(st.integers(1, 50)))
    return (*shared_plan(places, first), *shared_plan(places, second))


SHARED = ["semi_public", "public"]


def shared_plan(
    places: list[tuple[str, str]], energy: dict[tuple[int, str], float]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``sites`` and ``assignments`` of one plan (2030) from {(site, organisation): kWh/day}."""
    columns = ["year", "site_id", "tier", "organisation_id", "energy_kwh_per_day"]
    rows = [
        (2030, f"S{site}", places[site][1], organisation, kwh)
        for (site, organisation), kwh in sorted(energy.items())
    ]
    assignments = pd.DataFrame(rows, columns=columns)
    site_energy = assignments.groupby("site_id")["energy_kwh_per_day"].sum()
    sites = pd.DataFrame(
        {
            "year": 2030,
            "site_id": [f"S{site}" for site in range(len(places))],
            "tier": [tier for _, tier in places],
            "nis_code": [municipality for municipality, _ in places],
            "vervoerregio_code": [MUNICIPALITY_REGION[m] for m, _ in places],
            "chargers": 2,
            "new_chargers": 1,
            "installed_kw": 44.0,
            "energy_kwh_per_day": [
                float(site_energy.get(f"S{site}", 0.0)) for site in range(len(places))
            ],
        }
    )
    return sites, assignments


def area_cells(
    tables: dict[str, pd.DataFrame], version: int, plans: list[tuple[pd.DataFrame, pd.DataFrame]]
) -> list[Cell]:
    """Each energy figure shown, as (organisation, site, version) unknowns (shared if equal)."""
    sites, assignments = plans[version]
    values = [
        dict(zip(zip(a["site_id"], a["organisation_id"], strict=True), a["energy_kwh_per_day"],
                 strict=True))
        for _, a in plans
    ]  # fmt: skip

    def unknown_of(site: str, organisation: str) -> tuple[str, int, int]:
        same = len({v.get((site, organisation)) for v in values}) == 1
        return (organisation, int(site[1:]), -1 if same else version)

    cells = []
    for name, by in AGGREGATE_FILES.items():
        shown = tables[name][tables[name]["energy_kwh_per_day"].notna()]
        for code, tier in zip(shown[by].astype(str), shown["tier"], strict=True):
            area = sites[(sites[by].astype(str) == code) & (sites["tier"] == tier)]["site_id"]
            used = assignments[assignments["site_id"].isin(area)]
            pairs = zip(used["site_id"], used["organisation_id"], strict=True)
            cells.append(frozenset(unknown_of(str(s), str(o)) for s, o in pairs))
    return cells


@VERSIONS
@given(two_versions_of_shared_plans(), st.integers(2, 4))
def test_two_hand_outs_of_the_aggregate_files_isolate_no_group_below_k(
    plans: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame], k: int
) -> None:
    sites0, assignments0, sites1, assignments1 = plans
    first = {
        **aggregate_tables(sites0, assignments0, k),
        PlanFile.SITES: sites0, PlanFile.ASSIGNMENTS: assignments0,
    }  # fmt: skip
    second = {
        **aggregate_tables(sites1, assignments1, k),
        PlanFile.SITES: sites1, PlanFile.ASSIGNMENTS: assignments1,
    }  # fmt: skip
    guarded = guard_aggregates(second, first, k)
    versions = [(sites0, assignments0), (sites1, assignments1)]
    cells = area_cells(first, 0, versions) + area_cells(guarded, 1, versions)
    assert leaked_groups(cells, k) == []
    for insider in ORGANISATIONS:
        assert leaked_groups(cells, k - 1, insider) == []
    for name in AGGREGATE_FILES:  # only energy and organisations are withheld, nothing added
        kept = guarded[name][guarded[name]["energy_kwh_per_day"].notna()]
        shown = second[name][second[name]["energy_kwh_per_day"].notna()]
        assert len(kept) <= len(shown)
        assert guarded[name]["chargers"].tolist() == second[name]["chargers"].tolist()


@st.composite
def two_versions_of_private_sites(
    draw: st.DrawFn,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Private sites (place and owner fixed) whose chargers may grow, in two plans."""
    count = draw(st.integers(1, 6))
    places = [
        (draw(st.sampled_from(sorted(MUNICIPALITY_REGION))), draw(st.sampled_from(ORGANISATIONS)))
        for _ in range(count)
    ]
    first = [draw(st.integers(1, 5)) for _ in range(count)]
    grown = draw(st.sets(st.integers(0, count - 1), max_size=2))
    second = [n + (site in grown) * draw(st.integers(1, 3)) for site, n in enumerate(first)]
    return (*private_plan(places, first), *private_plan(places, second))


def private_plan(
    places: list[tuple[str, str]], chargers: list[int]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``sites`` and ``assignments`` of one plan (2030): each owner charges at its own site."""
    sites = pd.DataFrame(
        {
            "year": 2030,
            "site_id": [f"P{site}" for site in range(len(places))],
            "tier": "private",
            "owner_organisation_id": [owner for _, owner in places],
            "nis_code": [municipality for municipality, _ in places],
            "vervoerregio_code": [MUNICIPALITY_REGION[m] for m, _ in places],
            "chargers": chargers,
            "new_chargers": 0,
            "connectors": chargers,
            "installed_kw": [22.0 * n for n in chargers],
            "energy_kwh_per_day": 10.0,
        }
    )
    assignments = pd.DataFrame(
        {"year": 2030, "site_id": sites["site_id"], "tier": "private",
         "organisation_id": sites["owner_organisation_id"], "energy_kwh_per_day": 10.0}
    )  # fmt: skip
    return sites, assignments


def count_cells(
    tables: dict[str, pd.DataFrame], version: int, plans: list[tuple[pd.DataFrame, pd.DataFrame]]
) -> list[Cell]:
    """Each private charger count shown, as (owner, site, version) unknowns (shared if equal)."""
    sites = plans[version][0]
    counts = [dict(zip(s["site_id"], s["chargers"], strict=True)) for s, _ in plans]
    cells = []
    for name, by in AGGREGATE_FILES.items():
        shown = tables[name][tables[name]["chargers"].notna()]
        for code in shown[by].astype(str):
            area = sites[sites[by].astype(str) == code]
            cells.append(
                frozenset(
                    (str(owner), int(site[1:]),
                     -1 if len({c.get(site) for c in counts}) == 1 else version)
                    for site, owner in zip(area["site_id"], area["owner_organisation_id"],
                                           strict=True)
                )
            )  # fmt: skip
    return cells


@VERSIONS
@given(two_versions_of_private_sites(), st.integers(2, 4))
def test_two_hand_outs_of_private_charger_counts_isolate_no_owner_below_k(
    plans: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame], k: int
) -> None:
    sites0, assignments0, sites1, assignments1 = plans
    first = {
        **aggregate_tables(sites0, assignments0, k),
        PlanFile.SITES: sites0, PlanFile.ASSIGNMENTS: assignments0,
    }  # fmt: skip
    second = {
        **aggregate_tables(sites1, assignments1, k),
        PlanFile.SITES: sites1, PlanFile.ASSIGNMENTS: assignments1,
    }  # fmt: skip
    guarded = guard_aggregates(second, first, k)
    versions = [(sites0, assignments0), (sites1, assignments1)]
    cells = count_cells(first, 0, versions) + count_cells(guarded, 1, versions)
    assert leaked_groups(cells, k) == []
    for name in AGGREGATE_FILES:  # only withheld, never added
        kept = guarded[name]["chargers"].notna()
        assert second[name].loc[kept, "chargers"].notna().all()


def test_one_owners_new_chargers_are_not_read_off_two_hand_outs() -> None:
    # 11001 holds the sites of a, b, c; only c adds chargers: 11001 shown twice would give
    # c's new chargers (k = 3)
    places = [("11001", "a"), ("11001", "b"), ("11001", "c"), ("12001", "d")]
    first = private_plan(places, [2, 2, 2, 1])
    second = private_plan(places, [2, 2, 5, 1])
    before = {**aggregate_tables(*first, 3), PlanFile.SITES: first[0],
              PlanFile.ASSIGNMENTS: first[1]}  # fmt: skip
    after = {**aggregate_tables(*second, 3), PlanFile.SITES: second[0],
             PlanFile.ASSIGNMENTS: second[1]}  # fmt: skip
    municipality = str(PlanFile.CHARGERS_BY_MUNICIPALITY)
    naive = after[municipality].set_index("nis_code")["chargers"]
    assert naive["11001"] == 9  # shown by the rule of one hand-out: 9 − 6 is c's 3
    versions = [first, second]
    attack = count_cells(before, 0, versions) + count_cells(after, 1, versions)
    assert leaked_groups(attack, 3) == [frozenset({"c"})]
    guarded = guard_aggregates(after, before, 3)
    assert guarded[municipality]["chargers"].isna().all()
    cells = count_cells(before, 0, versions) + count_cells(guarded, 1, versions)
    assert leaked_groups(cells, 3) == []


# --- the grid operator's node demand (before planning), published twice ----------------------


def node_demand_tables(
    tree: Hierarchy, now: Contributions, shown: BoolArray
) -> dict[str, list[dict[str, Any]]]:
    """A run's ``grid_hierarchy``, ``grid_demand_basis`` and ``grid_node_demand`` (2030)."""
    return {
        "grid_hierarchy": [
            {"node_id": node, "parent_id": tree.ids[p] if p >= 0 else ""}
            for node, p in zip(tree.ids, tree.parents.tolist(), strict=True)
        ],
        "grid_demand_basis": [
            {
                "year": 2030,
                "node_id": node,
                "organisation_id": organisation,
                "peak_kw": values[0],
                "energy_kwh_per_day": 10 * values[0],
            }
            for node, at_node in zip(tree.ids, now, strict=True)
            for organisation, values in at_node.items()
        ],
        "grid_node_demand": [
            {"year": 2030, "node_id": tree.ids[int(n)]} for n in np.flatnonzero(shown)
        ],
    }


@VERSIONS
@given(st.data(), hierarchies(), st.integers(2, 4))
def test_two_successive_node_demands_of_the_service_isolate_no_group_below_k(
    data: st.DataObject, tree: Hierarchy, k: int
) -> None:
    count = len(tree.ids)
    before = contributions(data.draw, count)
    after = changed(data.draw, before)
    everything = np.ones(count, dtype=bool)
    first = guard_change(tree, before, everything, k=k)  # each run's own rule (disclose_nodes)
    candidates = guard_change(tree, after, everything, k=k)
    previous = node_demand_tables(tree, before, first)
    published = republish_node_demand(node_demand_tables(tree, after, candidates), previous, k)
    position = {node: i for i, node in enumerate(tree.ids)}
    second = np.zeros(count, dtype=bool)
    second[[position[row["node_id"]] for row in published]] = True
    assert not (second & ~candidates).any()  # only withheld, never added
    parents = tree.parents.tolist()
    versions = [before, after]
    cells = [cell(set(subtree(parents, int(n))), 0, versions) for n in np.flatnonzero(first)]
    cells += [cell(set(subtree(parents, int(n))), 1, versions) for n in np.flatnonzero(second)]
    assert leaked_groups(cells, k) == []
