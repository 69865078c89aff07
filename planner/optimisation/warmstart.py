"""A first plan from the LP relaxation, rounded up: the MIP's starting point.

On a large vervoerregio the MIP solver's own heuristics find poor first plans (Antwerpen-size
sub-problems: twice the cost of the LP bound after two minutes), while the LP relaxation
solves in seconds and is close to the optimum.  Rounding its integer variables **up** keeps
every row satisfied — more chargers and open sites only add capacity — except a site's
``max-chargers`` row when several charger types were rounded up at once.  Such a site gets
its chargers chosen again: start from the rounded-down counts and add the charger that gives
the most power to the row (a category's peak, the site's total) most short of the relaxation's
peak, until none is short, within ``max_chargers``.  A site where that
fails keeps no start values: the solver completes it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pulp

from planner.optimisation.model import PlanProblem

#: Values closer than this to an integer are that integer.
INTEGER_TOLERANCE = 1e-6


def rounded_start(
    problem: PlanProblem, relaxed: Mapping[str, float]
) -> dict[pulp.LpVariable, float]:
    """Integer values for the problem's sites and chargers from a relaxed solution.

    Parameters
    ----------
    problem
        The built problem.
    relaxed
        Values of the LP relaxation by variable name.

    Returns
    -------
    dict
        Per integer variable, its start value; variables of a site that could not be repaired
        are absent.
    """
    start: dict[pulp.LpVariable, float] = {
        variable: _up(variable, relaxed)
        for variable in [*problem.open.values(), *problem.chargers.values()]
    }
    types_at: dict[int, list[pulp.LpVariable]] = {}
    for (site, _), variable in problem.chargers.items():
        types_at.setdefault(site, []).append(variable)
    too_many = {
        site: variables
        for site, variables in types_at.items()
        if sum(start[v] for v in variables) > _limit(variables)
    }
    if too_many:
        rows = _rows_holding(problem, too_many)
        for site, variables in too_many.items():
            counts = _chosen_again(variables, rows[site], relaxed, _limit(variables))
            for variable in variables:
                if counts is None:
                    del start[variable]
                else:
                    start[variable] = float(counts[variable])
    return start


def _up(variable: pulp.LpVariable, relaxed: Mapping[str, float]) -> float:
    value = relaxed.get(str(variable.name), 0.0)
    high = math.inf if variable.upBound is None else float(variable.upBound)
    return float(min(math.ceil(value - INTEGER_TOLERANCE), high))


def _limit(variables: Sequence[pulp.LpVariable]) -> int:
    return max(int(v.upBound or 0) for v in variables)


def _rows_holding(
    problem: PlanProblem, sites: Mapping[int, Sequence[pulp.LpVariable]]
) -> dict[int, list[pulp.LpConstraint]]:
    """Per site, the rows (other than its ``max-chargers`` row) holding its charger variables."""
    site_of = {id(v): site for site, variables in sites.items() for v in variables}
    rows: dict[int, list[pulp.LpConstraint]] = {site: [] for site in sites}
    for constraint in _constraints_holding(problem, [v for vs in sites.values() for v in vs]):
        if str(constraint.name).startswith("max_chargers"):
            continue
        for variable in constraint:
            site = site_of.get(id(variable))
            if site is not None:
                rows[site].append(constraint)
                break
    return rows


def _constraints_holding(
    problem: PlanProblem, variables: Sequence[pulp.LpVariable]
) -> list[pulp.LpConstraint]:
    """The problem's constraints with a term in one of ``variables``, in order.

    Made from the built rows alone while the problem's PuLP constraints are not made
    (:mod:`planner.optimisation.rows`).
    """
    prob = problem.prob
    if prob.rows_pending:
        return list(prob.rows.constraints_at(prob.rows.holding(variables)))
    wanted = {id(variable) for variable in variables}
    return [c for c in prob.constraints() if any(id(variable) in wanted for variable in c)]


def _constraints_named(problem: PlanProblem, prefix: str) -> list[pulp.LpConstraint]:
    """The problem's constraints whose name starts with ``prefix`` (PuLP's names), in order."""
    prob = problem.prob
    if prob.rows_pending:
        return list(prob.rows.constraints_at(prob.rows.named(prefix)))
    return [c for c in prob.constraints() if str(c.name).startswith(prefix)]


def _chosen_again(
    variables: Sequence[pulp.LpVariable],
    rows: Sequence[pulp.LpConstraint],
    relaxed: Mapping[str, float],
    limit: int,
) -> dict[pulp.LpVariable, int] | None:
    """Charger counts that satisfy the site's rows with the relaxation's other values.

    From the rounded-down counts (never below a variable's lower bound), add the charger with
    the largest power in the row short by the most, until no row is short; ``None`` when that
    needs more than ``limit`` chargers.
    """
    counts = {
        v: max(math.floor(relaxed.get(str(v.name), 0.0) + INTEGER_TOLERANCE), int(v.lowBound or 0))
        for v in variables
    }
    while sum(counts.values()) <= limit:
        shortfalls = [(_shortfall(row, counts, relaxed), row) for row in rows]
        worst, row = max(shortfalls, key=lambda item: item[0], default=(0.0, None))
        if row is None or worst <= INTEGER_TOLERANCE:
            return counts
        room = [v for v in variables if counts[v] < int(v.upBound or 0) and row.get(v, 0.0) < 0]
        if not room:
            return None
        counts[min(room, key=lambda v: row[v])] += 1
    return None


def _shortfall(
    row: pulp.LpConstraint, counts: Mapping[pulp.LpVariable, int], relaxed: Mapping[str, float]
) -> float:
    """How far a ``≤ 0`` row is violated with these counts and the relaxation's other values."""
    activity = row.constant + sum(
        coefficient * (counts[v] if v in counts else relaxed.get(str(v.name), 0.0))
        for v, coefficient in row.items()
    )
    return float(activity) if row.sense == pulp.LpConstraintLE else 0.0


def rounded_units(
    problem: PlanProblem, relaxed: Mapping[str, float], open_sites: set[int]
) -> dict[pulp.LpVariable, float]:
    """Whole-vehicle units per pair from a relaxed solution.

    Per need, its relaxed units rounded up in total (within its units) and handed out to the
    pairs at the sites the relaxation opens most (then by largest remainder); then, at a
    site whose ``connectors`` rows the counts break even with the most chargers it may get,
    the counts rounded up there go back down.  An open site
    (``open_sites``) left without units gets one at its pair with the most relaxed units
    whose need has a unit to spare, so that it can charge its minimum.
    """
    s = problem.structure
    values = {p: relaxed.get(str(v.name), 0.0) for p, v in problem.vehicles.items()}
    floors = {p: float(max(math.floor(x + INTEGER_TOLERANCE), 0)) for p, x in values.items()}
    counts = dict(floors)
    spare = _spare_units(problem, counts)
    pairs_of: dict[int, list[int]] = {}
    pairs_at: dict[int, list[int]] = {}
    for pair, (need, site) in enumerate(
        zip(s.pair_need.tolist(), s.pair_site.tolist(), strict=True)
    ):
        pairs_of.setdefault(need, []).append(pair)
        pairs_at.setdefault(site, []).append(pair)
    level = {
        site: 1.0 if var.lowBound == 1 else relaxed.get(str(var.name), 0.0)
        for site, var in problem.open.items()
    }
    for need, pairs in pairs_of.items():
        extra = math.ceil(sum(values[p] - floors[p] for p in pairs) - INTEGER_TOLERANCE)
        order = sorted(pairs, key=lambda p: (-level[int(s.pair_site[p])], floors[p] - values[p], p))
        for p in order[: max(min(extra, int(spare[need])), 0)]:
            if counts[p] + 1 <= (problem.vehicles[p].upBound or 0):
                counts[p] += 1
                spare[need] -= 1
    for site in _over_connected(problem, counts):
        for p in pairs_at[site]:
            spare[int(s.pair_need[p])] += counts[p] - floors[p]
            counts[p] = floors[p]
    for site in sorted(open_sites):
        usable = [
            p
            for p in pairs_at.get(site, [])
            if (problem.vehicles[p].upBound or 0) >= 1 and spare[int(s.pair_need[p])] >= 1
        ]
        if usable and not any(counts[p] for p in pairs_at[site]):
            chosen = max(usable, key=lambda p: (values[p], -p))
            counts[chosen] = 1.0
            spare[int(s.pair_need[chosen])] -= 1
    return {problem.vehicles[p]: n for p, n in counts.items()}


def _over_connected(problem: PlanProblem, counts: Mapping[int, float]) -> set[int]:
    """Sites with a ``connectors`` row the counts break even with the most chargers it may get.

    Every type's count and their sum are within the site's ``max_chargers``, so the most
    connectors are that many chargers of the type with the most.
    """
    pair_of = {id(v): p for p, v in problem.vehicles.items()}
    site_of = problem.structure.pair_site
    broken: set[int] = set()
    for constraint in _constraints_named(problem, "connectors_"):
        load, room, site = 0.0, 0.0, -1
        for variable, coefficient in constraint.items():
            pair = pair_of.get(id(variable))
            if pair is not None:
                load += coefficient * counts[pair]
                site = int(site_of[pair])
            else:  # a site's chargers of all types together are at most its largest bound
                room = max(room, -coefficient * float(variable.upBound or 0))
        if site >= 0 and load > room + INTEGER_TOLERANCE:
            broken.add(site)
    return broken


def _spare_units(problem: PlanProblem, counts: Mapping[int, float]) -> dict[int, float]:
    """Per need: its units (the ``vehicle-split`` row's right side) not yet given a pair."""
    from planner.optimisation.plan_rules import vehicle_units  # builds on the model module

    inputs = problem.inputs
    units = vehicle_units(inputs.needs, inputs.settings.min_assignment_kwh_per_day).units
    spare = {need: float(n) for need, n in enumerate(units.tolist())}
    for pair, n in counts.items():
        spare[int(problem.structure.pair_need[pair])] -= n
    return spare
