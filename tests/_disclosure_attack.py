"""An attacker of published figures: every linear combination of the cells it sees.

Each cell is a sum of unknowns, one per (organisation, node, version) contribution; an
organisation whose contribution at a node is the same in both versions has one unknown there
for both.  The attacker learns a figure of the organisations ``T`` when some combination of
the cells depends on ``T``'s unknowns only: exactly when dropping ``T``'s columns lowers the
rank of the cell matrix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import combinations

import numpy as np

#: An unknown: one (organisation, node, version) contribution (version -1: the same in all).
Unknown = tuple[str, int, int]
#: One cell: the unknowns it sums.
Cell = frozenset[Unknown]
#: A cell that sums some unknowns more than once.
WeightedCell = Mapping[Unknown, float]


def subtree(parents: Sequence[int], node: int) -> list[int]:
    """``node`` and every node below it."""
    below = [node]
    for other in range(len(parents)):
        current = other
        while current >= 0 and current != node:
            current = parents[current]
        if current == node and other != node:
            below.append(other)
    return below


def unknown(
    organisation: str,
    node: int,
    version: int,
    versions: Sequence[Sequence[Mapping[str, object]]],
) -> tuple[str, int, int]:
    """The unknown of a contribution: shared by the versions where it did not change."""
    first = versions[0][node].get(organisation)
    same = all(v[node].get(organisation) == first for v in versions)
    return (organisation, node, -1 if same else version)


def node_cell(
    parents: Sequence[int],
    node: int,
    version: int,
    versions: Sequence[Sequence[Mapping[str, object]]],
) -> Cell:
    """The cell of ``node``'s figure in one version: every contribution below it."""
    return frozenset(
        unknown(o, n, version, versions)
        for n in subtree(parents, node)
        for o in versions[version][n]
    )


def leaked_groups(
    cells: Iterable[Cell | WeightedCell], k: int, insider: str | None = None
) -> list[frozenset[str]]:
    """Groups of 1 … k-1 organisations of which some combination of the cells is a figure.

    An ``insider`` organisation attacks with its own contributions known: they are cells too,
    and groups are counted without it.
    """
    weighted = [_weights(cell) for cell in cells if cell]
    own = {u for cell in weighted for u in cell if u[0] == insider}
    weighted += [{u: 1.0} for u in sorted(own, key=str)]
    columns = sorted({u for cell in weighted for u in cell})
    if not weighted:
        return []
    index = {u: i for i, u in enumerate(columns)}
    matrix = np.zeros((len(weighted), len(columns)))
    for row, cell in enumerate(weighted):
        for u, weight in cell.items():
            matrix[row, index[u]] = weight
    full = np.linalg.matrix_rank(matrix)
    organisations = sorted({u[0] for u in columns} - {insider})
    leaks: list[frozenset[str]] = []
    for size in range(1, k):
        for group in combinations(organisations, size):
            if any(set(found) <= set(group) for found in leaks):
                continue
            keep = [i for i, u in enumerate(columns) if u[0] not in group]
            if np.linalg.matrix_rank(matrix[:, keep]) < full:
                leaks.append(frozenset(group))
    return leaks


def _weights(cell: Cell | WeightedCell) -> dict[Unknown, float]:
    if isinstance(cell, frozenset):
        return dict.fromkeys(cell, 1.0)
    return dict(cell)
