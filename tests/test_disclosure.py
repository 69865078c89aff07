"""The one disclosure rule (grid_data.disclosure) against an attacker who subtracts.

Property tests: for random hierarchies, contributions, published nodes and k, no linear
combination of the figures shown — in one publication, or in two successive ones — is a
figure of fewer than k organisations (tests/_disclosure_attack.py).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grid_data.disclosure import (
    Hierarchy,
    disclose_nodes,
    guard_change,
    organisations_of,
)
from tests._disclosure_attack import leaked_groups, node_cell
from validation import LaadplanError

ORGANISATIONS = ["a", "b", "c", "d", "e"]
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def hierarchies(draw: st.DrawFn) -> Hierarchy:
    """A forest of 2–7 nodes: each node's parent is an earlier node or none."""
    count = draw(st.integers(2, 7))
    parents = [-1] + [draw(st.integers(-1, node - 1)) for node in range(1, count)]
    ids = [f"n{node}" for node in range(count)]
    return Hierarchy.from_parents(ids, [ids[p] if p >= 0 else None for p in parents])


def contributions(draw: st.DrawFn, count: int) -> list[dict[str, tuple[float, ...]]]:
    """Per node, some organisations with a small whole value each."""
    return [
        {
            o: (float(draw(st.integers(1, 3))),)
            for o in draw(st.sets(st.sampled_from(ORGANISATIONS)))
        }
        for _ in range(count)
    ]


def changed(
    draw: st.DrawFn, before: list[dict[str, tuple[float, ...]]]
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


def shown_cells(tree: Hierarchy, disclosed: np.ndarray, version: int, versions: list) -> list:
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
