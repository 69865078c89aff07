"""The one disclosure rule: which figures may leave the planner role (k-anonymity).

The framework agreement (§5.2) forbids data exchange that lets one party see another's
competitively sensitive information; aggregates shown to others must hide groups too small to
be anonymous.  Every figure that leaves the planner — the grid operator's files, the public
demand, the plan's aggregates, the API and the dashboard for non-planners — passes this module.
``docs/privacy.md`` states the rule, what it protects against and its limits.

Figures along a hierarchy
-------------------------

Figures are sums over the leaves of a :class:`Hierarchy` (cabin → substation; municipality →
vervoerregio → Flanders).  Each node has a *group*: the organisations that contribute at the
node itself (its direct contributions), plus the groups of its children that are not disclosed.
A node whose figure some file carries (``published``) is **disclosed** when its group holds at
least ``k`` organisations or is empty; a node that is not disclosed — or that no file carries —
passes its group to its parent (:func:`disclose_nodes`).

Why the group and not every organisation below the node: a parent's figure is the sum of its
children's.  With a child published on its own, the parent minus the child is the rest, so the
rest must itself hold ``k`` organisations (or none); counting only the total would let anyone
subtract one published figure from another and read off one company's.  The rule is applied to
*all* files written or served together in one call: a node published by any of them counts,
so no difference between files isolates a small group.  The root of a hierarchy (Flanders)
published as a row of "the rest" is the same as publishing the total.

**Merged requests.**  A capacity request (not a sum of its children's) of a node that is not
disclosed is *merged upward* (:func:`disclose_year`): it joins a bundle that travels to its
parent, and on up the tree, until the organisations of the groups in the bundle number at least
``k``; the bundle is then published at that ancestor as one row labelled
``merged_from_children``, with the sum of the merged requests and the number of merged nodes,
none of them named.  A bundle that reaches a root still short of ``k`` is **suppressed**: only
the number of suppressed nodes per year is published.

Successive versions
-------------------

A figure published again with a new value reveals the change: the contributions of the
organisations whose data changed.  :func:`guard_change` takes the previous publication (its
contributions per node and organisation, and what it disclosed) and withholds nodes of the new
one until, for every piece the two publications together can isolate (the residuals of the
union of both disclosed sets), the organisations before (when the previous version showed a
figure holding it), after (when the new one does) and *whose contribution changed* (when both
do) are each none or at least ``k``.  :func:`guard_cells` does the same for figures that are
sums over sets of nodes (merged requests, a grid that changed between versions).

Not covered: dominance (one organisation making up nearly all of a group's load, the "p %
rule" of statistical disclosure control), differences between years of one publication, more
than two versions taken together, and collusion of ``k - 1`` organisations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
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
    regions = _Regions(parents, children_first, direct_organisations, state.disclosed)
    bundles, unsafe = regions.safe_bundles(state.published, k)
    suppressed = [*unsafe, *state.suppressed]
    if suppressed:
        bundles.append(Bundle(-1, tuple(suppressed), 0))
    return YearDisclosure(state.disclosed, tuple(bundles))


class _Regions:
    """Which (organisation, node) contributions each published figure holds apart.

    A bundle's figure is the sum of its members' loads; the loads of disclosed nodes below a
    member are published on their own and can be subtracted, so what the bundle adds is its
    members' *regions*: the nodes below each member not inside a disclosed node.  A bundle is
    published only when subtraction isolates no group below k:

    * its members share the nearest disclosed node above them (one residual, see
      :func:`disclose_nodes`), or have none (their residual is never published);
    * no member lies below another (a nested member would count twice);
    * in a disclosed node's residual, what the bundles published there leave over holds no
      organisation or at least ``k``.

    The other bundles are suppressed.
    """

    def __init__(
        self,
        parents: IntArray,
        children_first: Sequence[int],
        direct_organisations: Sequence[Set[str]],
        disclosed: BoolArray,
    ) -> None:
        self.parents = parents
        self.disclosed = disclosed
        self.pairs: list[set[tuple[str, int]]] = [
            {(organisation, node) for organisation in group}
            for node, group in enumerate(direct_organisations)
        ]
        for node in children_first:  # each node's region: itself and undisclosed nodes below
            parent = int(parents[node])
            if parent >= 0 and not disclosed[node]:
                self.pairs[parent] |= self.pairs[node]

    def residual_of(self, node: int) -> int:
        """The nearest disclosed node above ``node`` (-1: none)."""
        parent = int(self.parents[node])
        while parent >= 0 and not self.disclosed[parent]:
            parent = int(self.parents[parent])
        return parent

    def safe_bundles(self, bundles: list[Bundle], k: int) -> tuple[list[Bundle], list[int]]:
        """The bundles that may be published, and the members of those that may not."""
        kept: list[Bundle] = []
        unsafe: list[int] = []
        by_residual: dict[int, list[Bundle]] = {}
        for bundle in bundles:
            residuals = {self.residual_of(member) for member in bundle.members}
            if len(residuals) == 1 and not self._nested(bundle.members):
                by_residual.setdefault(residuals.pop(), []).append(bundle)
            else:
                unsafe += bundle.members
        for residual, group in by_residual.items():
            if residual < 0 or self._remainder_safe(residual, group, k):
                kept += group
            else:
                unsafe += [member for bundle in group for member in bundle.members]
        order = {id(bundle): i for i, bundle in enumerate(bundles)}
        return sorted(kept, key=lambda b: order[id(b)]), unsafe

    def _nested(self, members: tuple[int, ...]) -> bool:
        chosen = set(members)
        for member in members:
            parent = int(self.parents[member])
            while parent >= 0:
                if parent in chosen:
                    return True
                parent = int(self.parents[parent])
        return False

    def _remainder_safe(self, residual: int, bundles: list[Bundle], k: int) -> bool:
        merged = {pair for b in bundles for member in b.members for pair in self.pairs[member]}
        left = {organisation for organisation, _ in self.pairs[residual] - merged}
        return not left or len(left) >= k


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


#: Per node, what each organisation contributes at the node itself (any comparable values,
#: e.g. ``(energy_kwh_per_day, vehicles)``).
Contributions = Sequence[Mapping[str, tuple[float, ...]]]


@dataclass(frozen=True)
class Hierarchy:
    """A forest of nodes along which figures are summed (cabin → substation, …).

    Attributes
    ----------
    ids
        Node ids, in position order.
    parents
        Position of each node's parent, -1 for a root.
    """

    ids: tuple[str, ...]
    parents: IntArray

    @classmethod
    def from_parents(cls, ids: Sequence[str], parent_ids: Sequence[str | None]) -> Hierarchy:
        """The hierarchy of nodes ``ids`` whose parents are ``parent_ids`` (``None``/'': root).

        Raises
        ------
        LaadplanError
            When a parent is not one of the nodes, or the parents form a cycle.
        """
        position = {node: i for i, node in enumerate(ids)}
        unknown = sorted({str(p) for p in parent_ids if p and p not in position})
        if unknown:
            raise LaadplanError(f"hierarchy: parent(s) {', '.join(unknown[:5])} are not nodes")
        parents = np.array([position[p] if p else -1 for p in parent_ids], dtype=np.intp)
        hierarchy = cls(tuple(ids), parents)
        hierarchy.children_first()  # raises on a cycle
        return hierarchy

    def children_first(self) -> list[int]:
        """Every node position, each after all nodes below it."""
        depth = np.zeros(len(self.ids), dtype=np.intp)
        for node in range(len(self.ids)):
            current, steps = node, 0
            while self.parents[current] >= 0:
                current, steps = int(self.parents[current]), steps + 1
                if steps > len(self.ids):
                    raise LaadplanError(f"hierarchy: node {self.ids[node]} lies on a cycle")
            depth[node] = steps
        return [int(node) for node in np.argsort(-depth, kind="stable")]

    def ancestors(self, node: int) -> list[int]:
        """The positions above ``node``, nearest first."""
        above: list[int] = []
        while self.parents[node] >= 0:
            node = int(self.parents[node])
            above.append(node)
        return above


def disclose_nodes(
    hierarchy: Hierarchy,
    direct_organisations: Sequence[Set[str]],
    published: BoolArray,
    k: int = DEFAULT_K_ANONYMITY,
) -> BoolArray:
    """Which published nodes' figures may be shown: the group rule of the module docstring.

    Parameters
    ----------
    hierarchy
        The nodes and their parents.
    direct_organisations
        Per node, the organisations contributing at the node itself.
    published
        Per node, whether any file written or served together carries its figure.
    k
        Least number of organisations behind a published figure.

    Examples
    --------
    Municipalities m1 (a, b, c) and m2 (d) in vervoerregio V: with both V and m1 in the files,
    V minus m1 would be d's figure, so V is withheld (k = 3).

    >>> tree = Hierarchy.from_parents(["V", "m1", "m2"], [None, "V", "V"])
    >>> disclose_nodes(tree, [set(), {"a", "b", "c"}, {"d"}], np.ones(3, bool), 3).tolist()
    [False, True, False]
    """
    check_k(k)
    groups = [set(group) for group in direct_organisations]
    disclosed = np.zeros(len(groups), dtype=bool)
    for node in hierarchy.children_first():
        group = groups[node]
        disclosed[node] = bool(published[node]) and (len(group) >= k or not group)
        parent = int(hierarchy.parents[node])
        if not disclosed[node] and parent >= 0:
            groups[parent] |= group
    return disclosed


def organisations_of(contributions: Contributions) -> list[set[str]]:
    """Per node, the organisations contributing there."""
    return [set(at_node) for at_node in contributions]


def guard_change(
    hierarchy: Hierarchy,
    current: Contributions,
    published: BoolArray,
    previous: Contributions | None = None,
    previous_disclosed: BoolArray | None = None,
    k: int = DEFAULT_K_ANONYMITY,
) -> BoolArray:
    """What a new version may disclose, given what the previous one disclosed.

    Without a previous version this is :func:`disclose_nodes`.  With one, nodes are withheld
    (taken out of ``published``, and the group rule re-applied) until every residual of the
    two disclosed sets together passes :func:`_residual_problem`.

    Parameters
    ----------
    hierarchy
        The nodes (the same for both versions).
    current, previous
        Per node, each organisation's contribution there, now and in the previous version.
    published
        Per node, whether the new version's files carry its figure.
    previous_disclosed
        Per node, whether the previous version showed its figure.
    k
        Least number of organisations behind a published figure or change.

    Examples
    --------
    A municipality shown before and now whose only change is one company's new need would
    reveal that need by difference: it is withheld, and with it its region (k = 2).

    >>> tree = Hierarchy.from_parents(["V", "m"], [None, "V"])
    >>> before = [{}, {"a": (5.0,), "b": (7.0,)}]
    >>> after = [{}, {"a": (5.0,), "b": (7.0,), "c": (1.0,)}]
    >>> shown = disclose_nodes(tree, organisations_of(before), np.ones(2, bool), 2)
    >>> guard_change(tree, after, np.ones(2, bool), before, shown, 2).tolist()
    [False, False]
    """
    allowed = np.asarray(published, dtype=bool).copy()
    disclosed = disclose_nodes(hierarchy, organisations_of(current), allowed, k)
    if previous is None or previous_disclosed is None:
        return disclosed
    before = np.asarray(previous_disclosed, dtype=bool)
    accepted: set[int] = set()
    while True:
        problem = _first_problem(hierarchy, current, previous, disclosed, before, k, accepted)
        if problem is None:
            return disclosed
        withheld = _to_withhold(hierarchy, problem, disclosed, before)
        if not withheld:
            accepted.add(problem[0])  # the previous version's own residual: nothing to withhold
            continue
        allowed[withheld] = False
        disclosed = disclose_nodes(hierarchy, organisations_of(current), allowed, k)


def _first_problem(
    hierarchy: Hierarchy,
    current: Contributions,
    previous: Contributions,
    disclosed: BoolArray,
    before: BoolArray,
    k: int,
    accepted: set[int],
) -> tuple[int, str] | None:
    """The first residual of both versions together that isolates a group below k."""
    union = disclosed | before
    residual: list[list[int]] = [[node] for node in range(len(hierarchy.ids))]
    for node in hierarchy.children_first():
        parent = int(hierarchy.parents[node])
        if not union[node] and parent >= 0:
            residual[parent] += residual[node]
    for node in (int(n) for n in np.flatnonzero(union)):
        above = [node, *hierarchy.ancestors(node)]
        covered = (any(disclosed[a] for a in above), any(before[a] for a in above))
        problem = _residual_problem(residual[node], current, previous, covered, k)
        if problem and node not in accepted:
            return node, problem
    return None


def _residual_problem(
    nodes: list[int],
    current: Contributions,
    previous: Contributions,
    covered: tuple[bool, bool],
    k: int,
) -> str:
    """Why a residual of both versions is unsafe ('' when it is safe).

    ``covered`` says whether a figure of the new and of the previous version holds the
    residual.  Its figure in a version that covers it may be isolated, so the organisations of
    that version there must be none or at least k; when both cover it, so must the
    organisations whose contribution changed (the difference of the two figures).  A version
    that shows no figure holding the residual reveals nothing of it.
    """
    before = {o for n in nodes for o in previous[n]}
    after = {o for n in nodes for o in current[n]}
    changed = {o for n in nodes for o in before | after if previous[n].get(o) != current[n].get(o)}
    now, then = covered
    checks = (("before", before, then), ("after", after, now), ("changed", changed, now and then))
    for label, group, shown in checks:
        if shown and 0 < len(group) < k:
            return label
    return ""


def _to_withhold(
    hierarchy: Hierarchy, problem: tuple[int, str], disclosed: BoolArray, before: BoolArray
) -> list[int]:
    """Nodes of the new version to withhold so that the residual of ``problem`` is safe."""
    node, label = problem
    if label == "before":  # the new version cuts a previous residual finer: undo the cut
        union = disclosed | before
        below = [
            other
            for other in range(len(hierarchy.ids))
            if disclosed[other] and not before[other] and _nearest(hierarchy, other, union) == node
        ]
        return below or ([node] if disclosed[node] and not before[node] else [])
    if disclosed[node]:
        return [node]
    return [a for a in hierarchy.ancestors(node) if disclosed[a]][:1]


def _nearest(hierarchy: Hierarchy, node: int, among: BoolArray) -> int:
    """The nearest node above ``node`` that is in ``among`` (-1: none)."""
    return next((above for above in hierarchy.ancestors(node) if among[above]), -1)


#: A published figure as the atoms (e.g. grid nodes) whose contributions it sums.
Cell = frozenset[int]


def guard_cells(
    cells: Sequence[Set[int]],
    current: Contributions,
    previous_cells: Sequence[Set[int]] = (),
    previous: Contributions | None = None,
    k: int = DEFAULT_K_ANONYMITY,
) -> BoolArray:
    """Which figures of a new version may be shown, each a sum over a set of atoms.

    The general form of :func:`guard_change` for figures that are not all nodes of one
    hierarchy — a merged capacity request sums several nodes' loads, and the grid may differ
    between versions.  The figures of both versions must form a laminar family (any two sets
    disjoint or nested); a new figure that overlaps a previous one partly is withheld.  The
    family is then a hierarchy (each set below the smallest set holding it, under an
    unpublished root of all atoms) and :func:`guard_change` decides.

    Parameters
    ----------
    cells
        Per figure of the new version, the atoms it sums.
    current, previous
        Per atom, each organisation's contribution there, now and in the previous version
        (the same atoms).
    previous_cells
        The figures the previous version showed, as atoms.
    k
        Least number of organisations behind a published figure or change.

    Returns
    -------
    numpy.ndarray
        Per figure of ``cells``, whether it may be shown.

    Examples
    --------
    Before, a bundle of atoms 1 (organisations a, b) and 2 (c) was shown; now, with nothing
    changed, atom 1 alone and the bundle again.  The bundle minus atom 1 would be c's figure,
    so atom 1 is withheld; the bundle, unchanged, is shown (k = 2).  Had c's contribution
    changed, the bundle would be withheld too: its change would be c's alone.

    >>> before = [{}, {"a": (1.0,), "b": (1.0,)}, {"c": (1.0,)}]
    >>> guard_cells([{1}, {1, 2}], before, [{1, 2}], before, 2).tolist()
    [False, True]
    >>> after = [{}, before[1], {"c": (2.0,)}]
    >>> guard_cells([{1, 2}], after, [{1, 2}], before, 2).tolist()
    [False]
    """
    check_k(k)
    earlier = [frozenset(cell) for cell in previous_cells if cell]
    if not _laminar_family(earlier):
        return np.zeros(len(cells), dtype=bool)  # no reasoning about them: show nothing new
    family = list(dict.fromkeys(earlier))
    new: list[Cell | None] = []
    for cell in (frozenset(c) for c in cells):
        fits = bool(cell) and all(_nested_or_apart(cell, other) for other in family)
        new.append(cell if fits else None)
        if fits and cell not in family:
            family.append(cell)
    tree, direct = _family_tree(family, len(current))
    node_of = {cell: i + 1 for i, cell in enumerate(family)}
    published = np.zeros(len(family) + 1, dtype=bool)
    published[[node_of[cell] for cell in new if cell is not None]] = True
    before = np.zeros(len(family) + 1, dtype=bool)
    before[[node_of[cell] for cell in earlier]] = True
    now = _merged_contributions(direct, current)
    if previous is None:
        disclosed = guard_change(tree, now, published, k=k)
    else:
        then = _merged_contributions(direct, previous)
        disclosed = guard_change(tree, now, published, then, before, k)
    return np.array([cell is not None and bool(disclosed[node_of[cell]]) for cell in new])


def _nested_or_apart(one: Cell, other: Cell) -> bool:
    return one <= other or other <= one or not one & other


def _laminar_family(cells: Sequence[Cell]) -> bool:
    return all(_nested_or_apart(a, b) for i, a in enumerate(cells) for b in cells[i + 1 :])


def _family_tree(family: Sequence[Cell], atoms: int) -> tuple[Hierarchy, list[list[int]]]:
    """The laminar ``family`` as a hierarchy under a root of every atom, and each node's atoms.

    Position 0 is the root; the set ``family[i]`` is position ``i + 1``.  A node's own atoms
    are those of its set that no smaller set of the family holds.
    """
    order = sorted(range(len(family)), key=lambda i: -len(family[i]))
    parents = np.full(len(family) + 1, -1, dtype=np.intp)
    owner = np.zeros(atoms, dtype=np.intp)  # the smallest set holding each atom so far
    for i in order:  # larger sets first: a set's parent is already placed
        members = sorted(family[i])
        parents[i + 1] = owner[members[0]]
        owner[members] = i + 1
    direct: list[list[int]] = [[] for _ in range(len(family) + 1)]
    for atom in range(atoms):
        direct[int(owner[atom])].append(atom)
    ids = tuple(str(node) for node in range(len(family) + 1))
    return Hierarchy(ids, parents), direct


def _merged_contributions(direct: list[list[int]], contributions: Contributions) -> Contributions:
    """Per node of a family tree, each organisation's contributions at its atoms, atom by atom."""
    merged: list[dict[str, tuple[float, ...]]] = []
    for atoms in direct:
        at_node: dict[str, tuple[float, ...]] = {}
        for atom in atoms:
            for organisation, values in contributions[atom].items():
                at_node[organisation] = (*at_node.get(organisation, ()), float(atom), *values)
        merged.append(at_node)
    return merged
