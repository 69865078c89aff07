"""Widen a dived coarse plan's neighbourhood around the needs it serves worse than its LP.

The dive's MIP (:class:`~planner.optimisation.coarse.SiteDive`) searches whole vehicles
between their relaxation's values rounded down and up and chargers at least rounded down.
Where whole vehicles do not fit a depot's chargers as the relaxation's fractions do, no plan
of that neighbourhood serves them there.  On the Flanders benchmark's vervoerregio 6 in 2029
(after 2027–2028 as planned) the relaxation splits a 395 kWh truck 0.65/0.35 between two
depots, each with one DC charger and at its cap on chargers; the dived plan sends it whole to
a semi-public site, and with the other needs it moves, 1,191 kWh/day of private charging
goes to the shared tiers: the plan costs 10.44 M EUR against the LP's 9.21 M (11.7 % above
it, while the MIP was "optimal" within its own neighbourhood).

:func:`widening` frees what those needs compete with, all else held at the plan:

* the *troubled* needs: those whose part of the objective (their power and unmet energy) the
  plan raises above the relaxation's by more than :data:`NEED_SHARE` of the plan's
  objective;
* the *contested* sites: the troubled needs' sites on the best tier of the ladder they can
  reach (open or closed, chargers from those in place up), and, ``around_relaxation``, the
  sites where the relaxation gives them vehicles too.  On the Flanders benchmark's
  vervoerregio 7 in 2030 the relaxation charges a truck whose company's depots are full at
  a semi-public site, where the dived plan spends the site's last charger slot on a type the
  truck cannot use: it leaves 59 of the truck's 60 kWh/day unmet.  With only the depots
  contested the widened MIP cannot give the slot back (plan 59.85 M EUR, 1.76 % above the
  LP; 745,000 EUR of unmet penalty against the LP's 55,000); with the site contested too,
  59.49 M (1.16 %; 171,000 EUR of penalty).  The larger neighbourhood is not always the
  better one: on vervoerregio 6 in 2029 (after 2027–2028 as planned) the best tier's alone
  gives a plan 1.23 % above the LP at its root, the larger one 1.68 % — so the coarse MIP
  searches the larger one second, and only when the smaller one's plan still lies further
  above the LP than the coarse gap (:func:`planner.optimisation.coarse._widened`);
* the *competitors*: the needs with vehicles at a contested site (in the relaxation or the
  plan), whatever charger type they use: they share its charger slots (``max_chargers``) and
  its connection with the troubled needs.  On the Flanders benchmark's vervoerregio 6 in 2030
  (after 2027–2029 as planned) the dived plan leaves 145 kWh/day unmet, trucks at
  semi-public sites whose slots vans' AC chargers fill; HiGHS alone on the whole coarse MIP
  found, after 200 s, a plan that swaps AC slots for DC ones there and leaves 48.  With only
  the needs on a type the trucks can use freed, the widened MIP found nothing (nor with 300
  nodes); with every need there, 23.48 M EUR against 23.71 M (the coarse LP: 22.89 M);
* every vehicle of the troubled needs and the competitors, at any of their sites.

Sites elsewhere stay as the plan has them, chargers elsewhere at least as many, other
needs' vehicles where the plan put them.  The MIP starts from the plan, so its plan is never
worse.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pulp

from charging_sites.tiers import TIER_VALUES
from planner.optimisation.model import PlanProblem, variable_values
from planner.optimisation.timeblocks import FloatArray

#: A need is troubled when the plan raises its part of the objective above the relaxation's
#: by more than this share of the plan's objective.
NEED_SHARE = 5e-4

#: A pair has vehicles in the relaxation when its value exceeds this.
_IN_RELAXATION = 1e-6

Bounds = dict[pulp.LpVariable, tuple[float, float]]


@dataclass(frozen=True)
class Widening:
    """A widened neighbourhood of a plan (:func:`widening`).

    Attributes
    ----------
    bounds
        Bounds of every integer variable.
    start
        The plan's integers (the MIP's start).
    troubled, competitors, contested
        Needs served worse than the relaxation, needs freed beside them, and sites freed.
    """

    bounds: Bounds
    start: dict[pulp.LpVariable, float]
    troubled: frozenset[int]
    competitors: frozenset[int]
    contested: frozenset[int]


def need_objective_eur(
    problem: PlanProblem, power_kw: FloatArray, unmet_kwh_per_day: FloatArray
) -> FloatArray:
    """Per need: its power's and its unmet energy's part of the objective, EUR per year."""
    c, s = problem.costs, problem.structure
    power = np.bincount(
        s.pair_need[s.row_pair], weights=c.power_eur_per_kw * power_kw, minlength=len(problem.unmet)
    )
    return power + c.unmet_eur_per_kwh * unmet_kwh_per_day


def widening(
    problem: PlanProblem,
    relaxed: Mapping[str, float],
    objective_eur: float,
    around_relaxation: bool = False,
) -> Widening | None:
    """The neighbourhood to search around the plan held in ``problem``'s variables.

    ``relaxed`` holds the relaxation's values by variable name, ``objective_eur`` the
    plan's objective.  ``around_relaxation`` contests the sites where the relaxation gives
    the troubled needs vehicles too.  ``None`` when no need is troubled (see the module
    docstring).
    """
    troubled = _troubled(problem, relaxed, objective_eur)
    if not troubled:
        return None
    contested = _contested(problem, troubled)
    if around_relaxation:
        contested |= _relaxation_sites(problem, troubled, relaxed)
    units = _units_anywhere(problem, relaxed)
    competitors = _competitors(problem, contested, units) - troubled
    freed = troubled | competitors
    s = problem.structure
    start: dict[pulp.LpVariable, float] = {}
    bounds: Bounds = {}
    for site, var in problem.open.items():
        start[var] = float(round(var.varValue or 0.0))
        bounds[var] = (float(var.lowBound or 0), 1.0) if site in contested else _held(start[var])
    for (site, _), var in problem.chargers.items():
        start[var] = float(round(var.varValue or 0.0))
        low = float(var.lowBound or 0) if site in contested else start[var]
        bounds[var] = (low, float(var.upBound))
    for pair, var in problem.vehicles.items():
        start[var] = float(round(var.varValue or 0.0))
        free = int(s.pair_need[pair]) in freed
        bounds[var] = (float(var.lowBound or 0), float(var.upBound)) if free else _held(start[var])
    return Widening(bounds, start, troubled, frozenset(competitors), frozenset(contested))


def _held(value: float) -> tuple[float, float]:
    return value, value


def _troubled(
    problem: PlanProblem, relaxed: Mapping[str, float], objective_eur: float
) -> frozenset[int]:
    """Needs whose part of the objective the plan raises by more than :data:`NEED_SHARE`."""
    plan = need_objective_eur(
        problem, variable_values(problem.power), variable_values(problem.unmet)
    )
    relaxation = need_objective_eur(
        problem, _named(problem.power, relaxed), _named(problem.unmet, relaxed)
    )
    raised = plan - relaxation
    return frozenset(np.flatnonzero(raised > NEED_SHARE * abs(objective_eur)).tolist())


def _named(variables: list[pulp.LpVariable], values: Mapping[str, float]) -> FloatArray:
    return np.array([values.get(str(v.name), 0.0) for v in variables], dtype=np.float64)


def _contested(problem: PlanProblem, troubled: frozenset[int]) -> frozenset[int]:
    """The troubled needs' sites on the best tier of the ladder each can reach."""
    s = problem.structure
    rank = {tier: i for i, tier in enumerate(TIER_VALUES)}
    tiers = problem.inputs.sites["tier"].astype(str).to_numpy()
    pair_rank = np.array([rank[tier] for tier in tiers[s.pair_site]], dtype=np.intp)
    sites: set[int] = set()
    for need in troubled:
        pairs = np.flatnonzero(s.pair_need == need)
        best = pairs[pair_rank[pairs] == pair_rank[pairs].min()] if pairs.size else pairs
        sites.update(int(site) for site in s.pair_site[best])
    return frozenset(sites)


def _relaxation_sites(
    problem: PlanProblem, troubled: frozenset[int], relaxed: Mapping[str, float]
) -> frozenset[int]:
    """The sites where the relaxation gives the troubled needs vehicles."""
    s = problem.structure
    return frozenset(
        int(s.pair_site[pair])
        for pair, var in problem.vehicles.items()
        if int(s.pair_need[pair]) in troubled and relaxed.get(str(var.name), 0.0) > _IN_RELAXATION
    )


def _units_anywhere(problem: PlanProblem, relaxed: Mapping[str, float]) -> set[int]:
    """Pairs with vehicles in the relaxation or in the plan."""
    return {
        pair
        for pair, var in problem.vehicles.items()
        if (var.varValue or 0.0) >= 0.5 or relaxed.get(str(var.name), 0.0) > _IN_RELAXATION
    }


def _competitors(problem: PlanProblem, contested: frozenset[int], units: set[int]) -> set[int]:
    """Needs with vehicles at a contested site (they share its slots and its connection)."""
    s = problem.structure
    return {int(s.pair_need[pair]) for pair in units if int(s.pair_site[pair]) in contested}
