"""The one disclosure rule (grid_data.disclosure) against an attacker who subtracts.

Property tests: for random hierarchies, contributions, published nodes and k, no linear
combination of the figures shown — in one publication, or in two successive ones — is a
figure of fewer than k organisations (tests/_disclosure_attack.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grid_data.disclosure import (
    Contributions,
    Hierarchy,
    disclose_nodes,
    disclose_year,
    guard_change,
    organisations_of,
)
from planner.workflows.plan_files import AGGREGATE_FILES, aggregate_tables
from service.grid_figures import grid_demand_basis, republish_node_demand
from service.public_figures import (
    BASIS_COLUMNS,
    OTHER_REGIONS,
    PUBLIC_COLUMNS,
    public_demand_rows,
    republish_public_demand,
)
from tests._disclosure_attack import Cell, Unknown, WeightedCell, leaked_groups, node_cell
from validation import LaadplanError

ORGANISATIONS = ["a", "b", "c", "d", "e"]
#: Draws a value from a strategy (``st.DataObject.draw`` or a composite's ``draw``).
Draw = Callable[[st.SearchStrategy[Any]], Any]
PROPERTY = settings(
    max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def hierarchies(draw: st.DrawFn) -> Hierarchy:
    """A forest of 2–7 nodes: each node's parent is an earlier node or none."""
    count = draw(st.integers(2, 7))
    parents = [-1] + [draw(st.integers(-1, node - 1)) for node in range(1, count)]
    ids = [f"n{node}" for node in range(count)]
    return Hierarchy.from_parents(ids, [ids[p] if p >= 0 else None for p in parents])


def contributions(draw: Draw, count: int) -> list[dict[str, tuple[float, ...]]]:
    """Per node, some organisations with a small whole value each."""
    return [
        {
            o: (float(draw(st.integers(1, 3))),)
            for o in draw(st.sets(st.sampled_from(ORGANISATIONS)))
        }
        for _ in range(count)
    ]


def changed(
    draw: Draw, before: list[dict[str, tuple[float, ...]]]
) -> list[dict[str, tuple[float, ...]]]:
    """The contributions of a later version: some organisations added, dropped or changed."""
    after = []
    for at_node in before:
        node = dict(at_node)
        for organisation in draw(st.sets(st.sampled_from(ORGANISATIONS), max_size=2)):
            action = draw(st.sampled_from(["add", "drop", "change"]))
            if action == "drop":
                node.pop(organisation, None)
            else:
                node[organisation] = (float(draw(st.integers(1, 3))) + (action == "change"),)
        after.append(node)
    return after


def shown_cells(
    tree: Hierarchy,
    disclosed: npt.NDArray[np.bool_],
    version: int,
    versions: Sequence[Contributions],
) -> list[Cell]:
    parents = tree.parents.tolist()
    return [node_cell(parents, int(n), version, versions) for n in np.flatnonzero(disclosed)]


@PROPERTY
@given(st.data(), hierarchies(), st.integers(1, 4))
def test_no_combination_of_one_publication_isolates_fewer_than_k(
    data: st.DataObject, tree: Hierarchy, k: int
) -> None:
    current = contributions(data.draw, len(tree.ids))
    published = np.array(
        data.draw(st.lists(st.booleans(), min_size=len(tree.ids), max_size=len(tree.ids)))
    )
    disclosed = disclose_nodes(tree, organisations_of(current), published, k)
    assert not (disclosed & ~published).any()
    assert leaked_groups(shown_cells(tree, disclosed, 0, [current]), k) == []


@PROPERTY
@given(st.data(), hierarchies(), st.integers(2, 4))
def test_no_combination_of_two_successive_publications_isolates_fewer_than_k(
    data: st.DataObject, tree: Hierarchy, k: int
) -> None:
    before = contributions(data.draw, len(tree.ids))
    after = changed(data.draw, before)
    everything = np.ones(len(tree.ids), dtype=bool)
    shown_before = disclose_nodes(tree, organisations_of(before), everything, k)
    shown_after = guard_change(tree, after, everything, before, shown_before, k)
    versions = [before, after]
    cells = shown_cells(tree, shown_before, 0, versions) + shown_cells(
        tree, shown_after, 1, versions
    )
    assert leaked_groups(cells, k) == []


def test_the_attacker_finds_the_difference_of_a_region_and_its_shown_municipality() -> None:
    # V holds m1 (a, b, c) and m2 (d): the k rule of one file per level shows V and m1
    tree = Hierarchy.from_parents(["V", "m1", "m2"], [None, "V", "V"])
    current = [{}, {"a": (1.0,), "b": (1.0,), "c": (1.0,)}, {"d": (123.0,)}]
    naive = np.array([True, True, False])
    assert leaked_groups(shown_cells(tree, naive, 0, [current]), 3) == [frozenset({"d"})]
    disclosed = disclose_nodes(tree, organisations_of(current), np.ones(3, bool), 3)
    assert disclosed.tolist() == [False, True, False]


def test_one_changed_need_is_not_revealed_by_the_next_version() -> None:
    # r1 holds a, b, c in both versions; only c's need changes, so r1 after minus r1 before
    # would be c's change alone
    tree = Hierarchy.from_parents(["F", "r1", "r2"], [None, "F", "F"])
    before = [{}, {"a": (4.0,), "b": (5.0,), "c": (6.0,)}, {"d": (1.0,), "e": (1.0,), "f": (1.0,)}]
    after = [{}, {"a": (4.0,), "b": (5.0,), "c": (7.0,)}, before[2]]
    everything = np.ones(3, bool)
    shown_before = disclose_nodes(tree, organisations_of(before), everything, 3)
    naive_after = disclose_nodes(tree, organisations_of(after), everything, 3)
    versions = [before, after]
    naive = shown_cells(tree, shown_before, 0, versions) + shown_cells(
        tree, naive_after, 1, versions
    )
    assert leaked_groups(naive, 3) == [frozenset({"c"})]
    guarded = guard_change(tree, after, everything, before, shown_before, 3)
    cells = shown_cells(tree, shown_before, 0, versions) + shown_cells(tree, guarded, 1, versions)
    assert leaked_groups(cells, 3) == []
    assert guarded.tolist() == [False, False, True]  # r1 and the total withheld, r2 unchanged


def test_a_hierarchy_names_an_unknown_parent_and_a_cycle() -> None:
    with pytest.raises(LaadplanError, match=r"parent\(s\) X are not nodes"):
        Hierarchy.from_parents(["a"], ["X"])
    with pytest.raises(LaadplanError, match="cycle"):
        Hierarchy.from_parents(["a", "b"], ["b", "a"])


# --- the plan's aggregate files, written together -------------------------------------------

MUNICIPALITY_REGION = {"11001": "A", "11002": "A", "12001": "B", "12002": "B"}


@st.composite
def aggregate_plans(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Open sites of every tier (one year), their owners and chargers, and who charges there."""
    site_rows, assignment_rows = [], []
    for number in range(draw(st.integers(1, 6))):
        municipality = draw(st.sampled_from(sorted(MUNICIPALITY_REGION)))
        tier = draw(st.sampled_from(["private", "semi_public", "public"]))
        owner = draw(st.sampled_from(ORGANISATIONS)) if tier == "private" else ""
        site = f"S{number}"
        energy = 0.0
        for organisation in draw(st.sets(st.sampled_from(ORGANISATIONS), max_size=4)):
            kwh = float(draw(st.integers(1, 200)))
            energy += kwh
            assignment_rows.append(
                {"year": 2030, "site_id": site, "tier": tier, "organisation_id": organisation,
                 "energy_kwh_per_day": kwh}
            )  # fmt: skip
        chargers = draw(st.integers(1, 9))
        site_rows.append(
            {"year": 2030, "site_id": site, "tier": tier, "owner_organisation_id": owner,
             "nis_code": municipality, "vervoerregio_code": MUNICIPALITY_REGION[municipality],
             "chargers": chargers, "new_chargers": 1, "connectors": 2 * chargers,
             "installed_kw": 22.0 * chargers, "energy_kwh_per_day": energy}
        )  # fmt: skip
    return pd.DataFrame(site_rows), pd.DataFrame(
        assignment_rows,
        columns=["year", "site_id", "tier", "organisation_id", "energy_kwh_per_day"],
    )


#: Offset of a site's charger unknown from its energy unknowns (another figure of the owner).
CHARGERS = 100


def aggregate_cells(
    tables: dict[str, pd.DataFrame], sites: pd.DataFrame, assignments: pd.DataFrame
) -> list[frozenset[tuple[str, int, int]]]:
    """Each shown figure as the contributions it sums.

    Energy: the (organisation, site) contributions of those charging there.  Chargers of a
    private site: one unknown of its owner (the counts of shared sites are public).
    """
    position = {site: i for i, site in enumerate(sites["site_id"])}
    cells = []
    for name, by in AGGREGATE_FILES.items():
        for row in tables[name].to_dict("records"):
            area = sites[(sites[by].astype(str) == str(row[by])) & (sites["tier"] == row["tier"])]
            if pd.notna(row["energy_kwh_per_day"]):
                used = assignments[assignments["site_id"].isin(area["site_id"])]
                cells.append(
                    frozenset(
                        (o, position[s], -1)
                        for o, s in zip(used["organisation_id"], used["site_id"], strict=True)
                    )
                )
            if row["tier"] == "private" and pd.notna(row["chargers"]):
                cells.append(
                    frozenset(
                        (o, CHARGERS + position[s], -1)
                        for o, s in zip(area["owner_organisation_id"], area["site_id"], strict=True)
                    )
                )
    return cells


@settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(aggregate_plans(), st.integers(1, 4))
def test_no_combination_of_the_aggregate_files_isolates_fewer_than_k(
    plan: tuple[pd.DataFrame, pd.DataFrame], k: int
) -> None:
    sites, assignments = plan
    tables = aggregate_tables(sites, assignments, k)
    assert leaked_groups(aggregate_cells(tables, sites, assignments), k) == []
    for table in tables.values():
        shown = table[table["energy_kwh_per_day"].notna()]
        assert (
            shown["organisations"].isna()
            | (shown["organisations"] >= k)
            | (shown["organisations"] == 0)
        ).all()
        shared = table[table["tier"] != "private"]
        assert shared[["sites", "chargers", "connectors"]].notna().all().all()  # public


def test_the_attacker_reads_a_lone_owner_from_chargers_counted_with_the_users() -> None:
    # one private site of "a" in 11001 used by a, b, c (shared charging): counting the users
    # would show the municipality's chargers, which are a's alone (k = 3)
    sites = pd.DataFrame(
        {"year": 2030, "site_id": ["P1", "P2", "P3", "P4"], "tier": "private",
         "owner_organisation_id": ["a", "b", "c", "d"],
         "nis_code": ["11001", "11002", "11002", "11002"], "vervoerregio_code": "A",
         "chargers": [4, 1, 2, 3], "new_chargers": 0, "connectors": [4, 1, 2, 3],
         "installed_kw": 22.0, "energy_kwh_per_day": [30.0, 1.0, 1.0, 1.0]}
    )  # fmt: skip
    assignments = pd.DataFrame(
        {"year": 2030, "site_id": ["P1", "P1", "P1", "P2", "P3", "P4"], "tier": "private",
         "organisation_id": ["a", "b", "c", "b", "c", "d"],
         "energy_kwh_per_day": [10.0, 10.0, 10.0, 1.0, 1.0, 1.0]}
    )  # fmt: skip
    tables = aggregate_tables(sites, assignments, 3)
    by_municipality = tables["chargers_by_municipality.csv"].set_index("nis_code")
    assert by_municipality.loc["11001", "energy_kwh_per_day"] == 30.0  # three users
    assert by_municipality["chargers"].isna().tolist() == [True, False]  # 11001: one owner
    assert by_municipality.loc["11002", "chargers"] == 6  # owners b, c, d
    region = tables["chargers_by_vervoerregio.csv"]
    assert region["chargers"].isna().all()  # 10 − 6 would be a's 4
    naive = {  # chargers shown wherever the users' energy is
        name: table.assign(chargers=table["chargers"].where(table["energy_kwh_per_day"].isna(), 1))
        for name, table in tables.items()
    }
    assert leaked_groups(aggregate_cells(naive, sites, assignments), 3) == [frozenset({"a"})]
    assert leaked_groups(aggregate_cells(tables, sites, assignments), 3) == []


def test_a_region_minus_its_shown_municipalities_no_longer_gives_a_lone_company() -> None:
    # the case: 11001 has three organisations, 11002 one (123 kWh/day), both in A
    sites = pd.DataFrame(
        {"year": 2030, "site_id": ["S1", "S2"], "tier": "public", "nis_code": ["11001", "11002"],
         "vervoerregio_code": "A", "chargers": 2, "new_chargers": 0, "installed_kw": 44.0,
         "energy_kwh_per_day": [30.0, 123.0]}
    )  # fmt: skip
    assignments = pd.DataFrame(
        {"year": 2030, "site_id": ["S1", "S1", "S1", "S2"], "tier": "public",
         "organisation_id": ["a", "b", "c", "d"], "energy_kwh_per_day": [10.0, 10.0, 10.0, 123.0]}
    )  # fmt: skip
    tables = aggregate_tables(sites, assignments, 3)
    by_region = tables["chargers_by_vervoerregio.csv"]
    by_municipality = tables["chargers_by_municipality.csv"].set_index("nis_code")
    assert by_municipality.loc["11001", "energy_kwh_per_day"] == 30.0
    assert np.isnan(float(str(by_municipality.loc["11002", "energy_kwh_per_day"])))
    assert by_region["energy_kwh_per_day"].isna().all()  # 153 − 30 would be 123
    assert by_region["chargers"].tolist() == [4]  # infrastructure is still counted


# --- the public demand, and two successive publications of it ------------------------------

REGIONS = ["r1", "r2", "r3"]


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A table as JSON-like records."""
    return [{str(key): value for key, value in row.items()} for row in frame.to_dict("records")]


def basis_of(contributions: dict[tuple[str, str], float]) -> pd.DataFrame:
    """A public-demand basis for 2030 from {(region, organisation): energy}."""
    rows = [
        {"year": 2030, "vervoerregio_code": region, "vervoerregio": region.upper(),
         "organisation_id": organisation, "bev_vehicles": 1.0, "energy_kwh_per_day": energy}
        for (region, organisation), energy in sorted(contributions.items())
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=BASIS_COLUMNS)


def public_cells(
    rows: pd.DataFrame, version: int, versions: list[dict[tuple[str, str], float]]
) -> list[frozenset[tuple[str, int, int]]]:
    """Each published row as the (organisation, region, version) unknowns it sums."""
    shown = set(rows["vervoerregio_code"])
    now = versions[version]
    cells = []
    for code in shown:
        regions = [code] if code != OTHER_REGIONS else [r for r in REGIONS if r not in shown]
        cells.append(
            frozenset(
                (
                    o,
                    REGIONS.index(r),
                    -1 if all(v.get((r, o)) == now[(r, o)] for v in versions) else version,
                )
                for (r, o) in now
                if r in regions
            )
        )
    return cells


contribution_maps = st.dictionaries(
    st.tuples(st.sampled_from(REGIONS), st.sampled_from(ORGANISATIONS)),
    st.integers(1, 3).map(float),
    max_size=10,
)


@PROPERTY
@given(contribution_maps, contribution_maps, st.integers(2, 4))
def test_two_successive_public_demands_isolate_no_change_below_k(
    before: dict[tuple[str, str], float], edits: dict[tuple[str, str], float], k: int
) -> None:
    after = {**before, **edits}
    first = public_demand_rows(basis_of(before), k)
    second_records = republish_public_demand(
        {"public_demand_basis": basis_of(after).pipe(records)},
        {"public_demand_basis": basis_of(before).pipe(records),
         "public_demand": first.pipe(records)},
        k,
    )  # fmt: skip
    second = pd.DataFrame(second_records, columns=PUBLIC_COLUMNS)
    versions = [before, after]
    cells = public_cells(first, 0, versions) + public_cells(second, 1, versions)
    assert leaked_groups(cells, k) == []
    for insider in ORGANISATIONS:  # one signatory knows its own needs: k - 1 others still hide
        assert leaked_groups(cells, k - 1, insider) == []
    assert (pd.concat([first, second])["organisations"] >= k).all()


def test_a_lone_organisation_is_not_recovered_from_the_other_row_of_two_publications() -> None:
    # the attack: "other" before (r2: x alone, r3: d, e), then the attacker's own tiny
    # need moves r3 past k and "other" is x alone after; k = 3
    before = {("r1", "a"): 5.0, ("r1", "b"): 5.0, ("r1", "c"): 5.0, ("r2", "x"): 40.0,
              ("r3", "d"): 1.0, ("r3", "e"): 1.0}  # fmt: skip
    after = {**before, ("r3", "f"): 0.1}
    first = public_demand_rows(basis_of(before), 3)
    assert set(first["vervoerregio_code"]) == {"r1", OTHER_REGIONS}
    naive = public_demand_rows(basis_of(after), 3)
    versions = [before, after]
    attack = public_cells(first, 0, versions) + public_cells(naive, 1, versions)
    assert frozenset({"x"}) in leaked_groups(attack, 3, insider="f")
    guarded = pd.DataFrame(
        republish_public_demand(
            {"public_demand_basis": basis_of(after).pipe(records)},
            {
                "public_demand_basis": basis_of(before).pipe(records),
                "public_demand": first.pipe(records),
            },
            3,
        ),
        columns=PUBLIC_COLUMNS,
    )
    assert (
        leaked_groups(public_cells(first, 0, versions) + public_cells(guarded, 1, versions), 3)
        == []
    )


# --- the operator's capacity requests: named rows and merged bundles -------------------------


def request_cells(
    tree: Hierarchy, current: Contributions, congested: npt.NDArray[np.bool_], k: int
) -> list[Cell | WeightedCell]:
    """The operator's rows as sums of loads: a named node's load, a bundle's members' loads.

    The operator knows every node's headroom, so a request tells it the load at the peak:
    the attacker takes each request as the load below the node (a bundle: the sum of its
    members' loads).
    """
    parents = tree.parents.tolist()
    outcome = disclose_year(
        tree.parents, tree.children_first(), organisations_of(current), congested, k
    )
    cells: list[Cell | WeightedCell] = [
        node_cell(parents, int(n), 0, [current])
        for n in np.flatnonzero(outcome.disclosed & congested)
    ]
    for bundle in outcome.bundles:
        if bundle.node >= 0:
            counted: dict[Unknown, float] = {}
            for member in bundle.members:
                for unknown in node_cell(parents, member, 0, [current]):
                    counted[unknown] = counted.get(unknown, 0.0) + 1.0
            cells.append(counted)  # nested members count twice
    return cells


@PROPERTY
@given(st.data(), hierarchies(), st.integers(1, 4))
def test_no_combination_of_the_capacity_requests_isolates_fewer_than_k(
    data: st.DataObject, tree: Hierarchy, k: int
) -> None:
    current = contributions(data.draw, len(tree.ids))
    size = len(tree.ids)
    congested = np.array(data.draw(st.lists(st.booleans(), min_size=size, max_size=size)))
    assert leaked_groups(request_cells(tree, current, congested, k), k) == []


def test_a_bundle_beside_a_named_node_is_suppressed_when_the_rest_is_below_k() -> None:
    # P (named, congested) feeds C1 (a, b) and C2 (c), both congested, and C3 (d): the bundle
    # C1 + C2 next to P's own request would leave P minus the bundle = d alone (k = 3)
    tree = Hierarchy.from_parents(["P", "C1", "C2", "C3"], [None, "P", "P", "P"])
    current = [{}, {"a": (1.0,), "b": (1.0,)}, {"c": (1.0,)}, {"d": (1.0,)}]
    congested = np.array([True, True, True, False])
    outcome = disclose_year(
        tree.parents, tree.children_first(), organisations_of(current), congested, 3
    )
    assert outcome.disclosed.tolist() == [True, False, False, False]
    assert [(b.node, sorted(b.members)) for b in outcome.bundles] == [(-1, [1, 2])]
    assert leaked_groups(request_cells(tree, current, congested, 3), 3) == []


# --- the grid operator's node demand across publications ----------------------------------


def node_demand_tables(
    basis: list[tuple[str, str, float]], shown: list[str]
) -> dict[str, list[dict[str, Any]]]:
    """Tables of a run: S feeds C1 and C2; basis rows (node, organisation, peak kW) in 2030."""
    return {
        "grid_hierarchy": [
            {"node_id": "S", "parent_id": ""},
            {"node_id": "C1", "parent_id": "S"},
            {"node_id": "C2", "parent_id": "S"},
        ],
        "grid_demand_basis": [
            {
                "year": 2030,
                "node_id": n,
                "organisation_id": o,
                "peak_kw": kw,
                "energy_kwh_per_day": 10 * kw,
            }
            for n, o, kw in basis
        ],
        "grid_node_demand": [{"year": 2030, "node_id": node} for node in shown],
    }


def test_a_node_whose_demand_changes_by_one_organisation_is_withheld_next_time() -> None:
    before = [("C1", "a", 5.0), ("C1", "b", 6.0), ("C1", "c", 7.0), ("C2", "d", 1.0)]
    after = [*before[:2], ("C1", "c", 9.0), before[3]]  # only c's depot changed
    previous = node_demand_tables(before, ["C1"])
    new = node_demand_tables(after, ["C1"])
    assert republish_node_demand(new, None, 3) == [{"year": 2030, "node_id": "C1"}]
    assert republish_node_demand(new, previous, 3) == []
    unchanged = node_demand_tables(before, ["C1"])
    assert republish_node_demand(unchanged, previous, 3) == [{"year": 2030, "node_id": "C1"}]


def test_the_grid_basis_sums_each_organisation_at_its_depot_node() -> None:
    demand_kw = xr.DataArray(
        np.array([[[2.0, 4.0]], [[1.0, 1.0]], [[3.0, 0.0]]]),
        dims=("need", "year", "slot"),
        coords={"need": ["n1", "n2", "n3"], "year": [2030], "slot": [0, 1]},
    )
    points = pd.DataFrame({"id": ["n1", "n2", "n3"], "organisation_id": ["a", "a", "b"]})
    depots = pd.DataFrame({"id": ["n1", "n2", "n3"], "grid_node_id": ["C1", "C1", None]})
    basis = grid_demand_basis(demand_kw, points, depots, slot_hours=12.0)
    assert basis.to_dict("records") == [
        {"year": 2030, "node_id": "C1", "organisation_id": "a", "peak_kw": 5.0,
         "energy_kwh_per_day": 96.0}
    ]  # fmt: skip
