"""Which grid nodes' figures may leave the planner: the k-anonymity rule of the operator's files.

The framework agreement (§5.2) forbids data exchange that lets one party see another's
competitively sensitive information; aggregates shown to others must hide groups too small to
be anonymous.  The congestion and capacity-request files go to the grid operator, so a figure
reaches them only when at least ``k`` organisations stand behind it.

The rule, applied per year from the cabins up to the substations
-----------------------------------------------------------------

**Own figures.**  Each node has a *group*: the organisations with demand at depots mapped to
the node itself, plus the groups of its children that were not disclosed.  A node is
**disclosed** — its own congestion rows and capacity request may be published under its id —
when its group holds at least ``k`` organisations, or when the group is empty (then its load is
the sum of disclosed groups below it).  A node that is not disclosed passes its group to its
parent.

Why the group and not every organisation below the node: a parent's load is the sum of its
children's.  With a child published on its own, the parent's load minus the child's is the load
of the rest, so the rest must itself hold ``k`` organisations (or none); counting only the total
would let anyone subtract one published figure from another and read off one company's demand.

**Merged requests.**  A congested node that is not disclosed is *merged upward*: its capacity
request joins a bundle that travels to its parent, and on up the tree, until the organisations
of the groups in the bundle number at least ``k``; the bundle is then published at that
ancestor as one row labelled ``merged_from_children``, with the sum of the merged requests and
the number of merged nodes, none of them named.  A bundle that reaches a root still short of
``k`` is **suppressed**: only the number of suppressed nodes per year is published.

Not covered: dominance (one organisation making up nearly all of a group's load, the "p %
rule" of statistical disclosure control) and differences between years.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from validation import LaadplanError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

#: Default least number of organisations behind a published figure.
DEFAULT_K_ANONYMITY = 3


class Disclosure(StrEnum):
    """How a row of the operator's files came about."""

    OWN = "own"  # the node's own figures; its group holds >= k organisations (or none)
    MERGED_FROM_CHILDREN = "merged_from_children"  # requests of unnamed nodes below the node
    SUPPRESSED = "suppressed"  # requests whose groups stayed below k up to the root


@dataclass(frozen=True)
class Bundle:
    """Capacity requests of nodes that cannot be named, published together.

    Attributes
    ----------
    node
        Position of the node the bundle is published at; -1 when suppressed.
    members
        Positions of the merged nodes.
    organisations
        Organisations in the merged nodes' groups (at least ``k`` unless suppressed).
    """

    node: int
    members: tuple[int, ...]
    organisations: int


@dataclass(frozen=True)
class YearDisclosure:
    """The outcome of :func:`disclose_year`.

    Attributes
    ----------
    disclosed
        Per node: its own figures may be published under its id.
    bundles
        The merged requests, children before parents, then the suppressed ones (at most one
        bundle with ``node == -1``).
    """

    disclosed: BoolArray
    bundles: tuple[Bundle, ...]


def check_k(k: int) -> None:
    """Raise :class:`~validation.LaadplanError` unless ``k`` is a whole number of at least 1."""
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise LaadplanError(f"k-anonymity {k!r}: valid: a whole number of organisations >= 1")


def disclose_year(
    parents: IntArray,
    children_first: Sequence[int],
    direct_organisations: Sequence[Set[str]],
    congested: BoolArray,
    k: int = DEFAULT_K_ANONYMITY,
) -> YearDisclosure:
    """Apply the k-anonymity rule (module docstring) to the nodes of one year.

    Parameters
    ----------
    parents
        Position of each node's parent, -1 for a root.
    children_first
        Every node position, each node after all nodes fed below it.
    direct_organisations
        Per node, the organisations with demand this year at depots mapped to the node itself.
    congested
        Per node, whether its own load needs extra capacity this year.
    k
        Least number of organisations behind a published figure.

    Returns
    -------
    YearDisclosure
        Which nodes are disclosed and how the others' requests are published.

    Examples
    --------
    Two congested cabins with one organisation each (k = 2) are merged into their substation,
    which is disclosed itself: together the two make a group of two.

    >>> result = disclose_year(
    ...     np.array([-1, 0, 0]), [2, 1, 0], [set(), {"a"}, {"b"}], np.array([0, 1, 1], bool), 2
    ... )
    >>> result.disclosed.tolist()
    [True, False, False]
    >>> result.bundles
    (Bundle(node=0, members=(2, 1), organisations=2),)
    """
    check_k(k)
    state = _State(direct_organisations)
    for node in children_first:
        state.visit(node, int(parents[node]), bool(congested[node]), k)
    bundles = list(state.published)
    if state.suppressed:
        bundles.append(Bundle(-1, tuple(state.suppressed), 0))
    return YearDisclosure(state.disclosed, tuple(bundles))


class _State:
    """Groups and travelling bundles while :func:`disclose_year` walks up the tree."""

    def __init__(self, direct_organisations: Sequence[Set[str]]) -> None:
        count = len(direct_organisations)
        self.groups: list[set[str]] = [set(group) for group in direct_organisations]
        self.members: list[list[int]] = [[] for _ in range(count)]
        self.contributors: list[set[str]] = [set() for _ in range(count)]
        self.disclosed = np.zeros(count, dtype=bool)
        self.published: list[Bundle] = []
        self.suppressed: list[int] = []

    def visit(self, node: int, parent: int, congested: bool, k: int) -> None:
        group = self.groups[node]
        self.disclosed[node] = len(group) >= k or not group
        members, contributors = self.members[node], self.contributors[node]
        if members and len(contributors) >= k:
            self.published.append(Bundle(node, tuple(members), len(contributors)))
            members, contributors = [], set()
        if congested and not self.disclosed[node]:
            members, contributors = [*members, node], contributors | group
        if parent < 0:
            self.suppressed += members
            return
        if not self.disclosed[node]:
            self.groups[parent] |= group
        self.members[parent] += members
        self.contributors[parent] |= contributors
