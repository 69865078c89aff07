"""The rows of a year's model, kept as they are built: one builder for PuLP and for HiGHS.

Every ``define_*`` family adds its rows through :meth:`PlanLpProblem.add_row`, which keeps
each row's name, sense, right-hand side and terms in a :class:`Rows` table.  The problem is
PuLP's (:class:`PlanLpProblem` is an ``LpProblem``): the first time anything asks it for its
constraints (CBC, an MPS file, a test), it makes PuLP's ``LpConstraint`` objects from the
table, with the names, order and entries the build gave them.  HiGHS takes the table as
arrays instead (:meth:`Rows.matrix`, ``highs._pass_model``) and no constraint object is ever
made: on the large region's two models (coarse and hourly) that is 463,768 expressions and
constraints less to make and to read back; building and passing both took 12.5–14.2 s
instead of 19.0–22.4 s (back to back, 3 December 2026).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from operator import itemgetter

import numpy as np
import numpy.typing as npt
import pulp

#: Terms of a row: (variable, coefficient).
Terms = Sequence[tuple[pulp.LpVariable, float]]


class Rows:
    """A model's rows in the order they were added (name, sense, right-hand side, terms).

    A row reads ``Σ coefficient × variable  sense  rhs`` with PuLP's senses (``-1`` ≤,
    ``0`` =, ``1`` ≥).
    """

    def __init__(self) -> None:
        self.names: list[str] = []
        self.senses: list[int] = []
        self.rhs: list[float] = []
        self.lengths: list[int] = []
        self.terms: list[tuple[pulp.LpVariable, float]] = []

    def __len__(self) -> int:
        return len(self.names)

    def add(self, name: str, terms: Terms, sense: int, rhs: float) -> None:
        """Add a row at the end."""
        self.names.append(name)
        self.senses.append(sense)
        self.rhs.append(float(rhs))
        self.lengths.append(len(terms))
        self.terms.extend(terms)

    def variables(self) -> Iterator[pulp.LpVariable]:
        """The variable of every term, row after row (a variable may come more than once)."""
        return map(itemgetter(0), self.terms)

    def starts(self) -> npt.NDArray[np.int32]:
        """Position of each row's first term."""
        starts = np.zeros(len(self), dtype=np.int32)
        np.cumsum(self.lengths[:-1], out=starts[1:])
        return starts

    def matrix(
        self, position: Mapping[int, int]
    ) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.float64]]:
        """The rows as a compressed sparse row matrix over the columns.

        ``position`` gives each variable's column by its ``id``.  Returns the row starts, the
        column of every term and its coefficient.  The terms' columns are looked up in
        ``position`` sorted (one binary search per term, in numpy) rather than one dictionary
        call per term: on the large region's two models (1.8 and 2.6 million terms) 0.8 s
        instead of 1.4 s (6 December 2026).

        Raises
        ------
        KeyError
            A term's variable has no column in ``position``.
        """
        count = len(self.terms)
        ids = np.fromiter(map(id, self.variables()), np.uintp, count)
        keys = np.fromiter(position.keys(), np.uintp, len(position))
        columns = np.fromiter(position.values(), np.int32, len(position))
        order = np.argsort(keys)
        keys, columns = keys[order], columns[order]
        found = np.minimum(np.searchsorted(keys, ids), max(len(keys) - 1, 0))
        if count and (len(keys) == 0 or not np.array_equal(keys[found], ids)):
            raise KeyError("a row has a variable with no column")
        values = np.fromiter(map(itemgetter(1), self.terms), np.float64, count)
        return self.starts(), columns[found], values

    def bounds(self, infinity: float) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Each row's lower and upper bound (``±infinity`` where it has none)."""
        return sense_bounds(np.array(self.senses), np.array(self.rhs, np.float64), infinity)

    def constraints_at(self, rows: Iterable[int]) -> Iterator[pulp.LpConstraint]:
        """These rows as PuLP constraints, named as PuLP names them (not added to a problem)."""
        starts = self.starts().tolist()
        for row in rows:
            first = starts[row]
            terms = self.terms[first : first + self.lengths[row]]
            yield pulp.LpConstraint(
                pulp.LpAffineExpression(terms), self.senses[row], self.names[row], self.rhs[row]
            )

    def constraints(self) -> Iterator[pulp.LpConstraint]:
        """Every row as a PuLP constraint, in order, named as PuLP names it."""
        return self.constraints_at(range(len(self)))

    def named(self, prefix: str) -> list[int]:
        """The rows whose PuLP name (``-`` written ``_``) starts with ``prefix``."""
        trans = pulp.LpAffineExpression.trans
        names = enumerate(self.names)
        return [row for row, name in names if name.translate(trans).startswith(prefix)]

    def holding(self, variables: Sequence[pulp.LpVariable]) -> list[int]:
        """The rows with a term in one of ``variables``, in order."""
        wanted = {id(variable) for variable in variables}
        rows = np.repeat(np.arange(len(self), dtype=np.int64), self.lengths)
        hits = np.fromiter(
            (id(variable) in wanted for variable in self.variables()), bool, len(self.terms)
        )
        found: list[int] = np.unique(rows[hits]).tolist()
        return found


def sense_bounds(
    senses: npt.NDArray[np.integer], rhs: npt.NDArray[np.float64], infinity: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Lower and upper bounds of rows ``Σ terms  sense  rhs`` (PuLP's senses).

    Examples
    --------
    >>> low, high = sense_bounds(np.array([-1, 0, 1]), np.array([6.0, 3.0, -2.0]), np.inf)
    >>> low.tolist(), high.tolist()
    ([-inf, 3.0, -2.0], [6.0, 3.0, inf])
    """
    lower = np.where(senses == pulp.LpConstraintLE, -infinity, rhs)
    upper = np.where(senses == pulp.LpConstraintGE, infinity, rhs)
    return lower, upper


class PlanLpProblem(pulp.LpProblem):  # type: ignore[misc]  # PuLP has no annotations
    """A PuLP problem whose built rows are made into constraints only when asked for.

    The rows are in :attr:`rows`.  PuLP keeps a problem's constraints in ``_constraints``;
    here that table is filled from :attr:`rows` on first use, each row named as before: a
    name PuLP's ``_`` for ``-`` makes equal to an earlier one gets a ``~n`` suffix.  Rows
    added after that (:meth:`add_row`, or PuLP's own ``addConstraint``) go straight into it.
    """

    def __init__(self, name: str, sense: int) -> None:
        self.rows = Rows()
        self._made: dict[str, pulp.LpConstraint] | None = None
        self._pending = True
        super().__init__(name, sense)

    @property
    def _constraints(self) -> dict[str, pulp.LpConstraint]:
        if self._pending:
            self._pending = False
            self._make_constraints()
        assert self._made is not None
        return self._made

    @_constraints.setter
    def _constraints(self, table: dict[str, pulp.LpConstraint]) -> None:
        self._made = table

    @property
    def rows_pending(self) -> bool:
        """Whether the rows are still only in :attr:`rows` (no constraint made yet)."""
        return self._pending

    def add_row(self, name: str, terms: Terms, sense: int, rhs: float) -> None:
        """Add a row (and its constraint, when the constraints are made already)."""
        self.rows.add(name, terms, sense, rhs)
        if not self._pending:
            (made,) = self.rows.constraints_at([len(self.rows) - 1])
            self._store(self._constraints, made)

    def numConstraints(self) -> int:  # noqa: N802 — PuLP's name
        """Number of constraints (the rows, before any is made)."""
        return len(self.rows) if self._pending else len(self._constraints)

    def _make_constraints(self) -> None:
        table = self._made if self._made is not None else {}
        for constraint in self.rows.constraints():
            self._store(table, constraint)
        self._made = table

    def _store(self, table: dict[str, pulp.LpConstraint], constraint: pulp.LpConstraint) -> None:
        name = stored = str(constraint.name)
        number = 1
        while stored in table:
            number += 1
            stored = f"{name}~{number}".translate(pulp.LpAffineExpression.trans)
        constraint.name = stored
        table[stored] = constraint
        self.modifiedConstraints.append(constraint)
