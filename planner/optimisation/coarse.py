"""Coarse to fine: solve on coarse time blocks, return a plan checked on the hourly model.

The weighted and cost-only ladders solve a year in these steps (:func:`coarse_to_fine`):

1. **Coarse model** (``build_problem(inputs, coarse=True)``): slots that differ only in grid
   headroom are merged into one block whose grid rows hold the *mean* of the slots' headroom
   (hours where a dwell window or a site's availability starts or ends stay apart).  Every
   coarse row is the mean of hourly rows and a peak is at least a mean, so the hourly plan
   averaged over each block is a coarse plan of the same cost: the coarse model is a
   relaxation and its proven bound is a bound for the hourly model.
2. **Ladder certificate** (weighted ladder): upper bounds on the energy private sites could
   charge, and private and semi-public together, from two small LPs over the pairs
   (:func:`tier_energy_maxima`, :class:`LadderCertificate`).
3. **Coarse MIP** with the weighted objective, from the rounded LP relaxation; it stops at
   :data:`COARSE_GAP_SHARE` of the scenario's MIP gap or at :data:`COARSE_NODES` nodes
   (deterministic), the time limit being only a safety net.  A large coarse model (more
   than :data:`DIVE_COLUMNS` power columns) is dived into instead (:func:`_dive`): its LP
   gives the bound; the sites are decided by rounding the LP round by round, each LP
   warm-started from the last (:class:`SiteDive`); and the MIP searches only around the
   last relaxation (whole vehicles between its values rounded down and up, chargers at
   least rounded down): on the large region a few thousand integers instead of 37,000,
   which HiGHS's root cut loop could not get through in five minutes.  When the start
   completed around the relaxation is already within the coarse gap of the coarse LP's
   optimum, that start is the coarse plan and the MIP is not run (the LP bounds it).  When
   the dived plan lies further above the coarse LP than the coarse gap, the MIP runs once
   more around the needs it serves worse than the LP does, their competitors and sites
   freed and the rest held (:func:`_widened`, :mod:`planner.optimisation.widening`):
   whole trucks that the relaxation split between depots find a depot again; where its
   plan is still further above the LP than the coarse gap, once more with the sites where
   the relaxation charges those needs.  Where it
   lies further above the LP than the scenario's gap, which the LP then cannot prove, the
   relaxation of the coarse MIP as HiGHS presolves it gives a stronger bound first.  A
   *first plan* (``SolveOptions.first_plan``: the first round of a one-year plan of several
   vervoerregio's, :func:`planner.workflows.plan_case.plan_case`) stops at the completed
   start whatever its gap: no MIP around the relaxation, no widened MIPs.
4. **Hourly repair**: the hourly model with the coarse plan's sites and whole vehicles per
   pair held and at least its chargers (:class:`RepairHold`): a MIP over the chargers, so
   the plan it returns satisfies every hourly row and every plan rule.  Started from the
   coarse plan's integers completed on the hourly model; when that start is within the MIP
   gap of the coarse bound it is the repair's plan and the MIP is not run.  Should that
   leave no plan, the vehicles are freed, then the sites may close again (never open).
   Solved ahead (:func:`solve_coarse_ahead`), the coarse plan decides the pairs the hourly
   model is built on (:func:`repair_pairs`): those it gives vehicles; the model over every
   pair is built only for the holds after the first (:func:`with_every_pair`).
5. **Polish** with the repair's power, unmet energy and reinforcement held: sites and
   chargers chosen again, so nothing is kept that the hourly plan does not use.

The gap reported is proven: (hourly objective − coarse bound) ÷ hourly objective.  Where the
coarse model has as many blocks as the hourly one (no headroom-only hours to merge), the
hourly model is solved directly and its own bound is used.
"""

from __future__ import annotations

import enum
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import partial

import highspy
import numpy as np
import numpy.typing as npt
import pulp

from charging_sites import Tier
from planner.optimisation.base import (
    START_PROVEN,
    SolveOptions,
    Solver,
    SolveStatus,
    Stage,
    StageRun,
    gap_to,
)
from planner.optimisation.highs import new_highs, problem_variables
from planner.optimisation.inputs import PlanInputs
from planner.optimisation.model import PlanProblem, build_problem, pair_caps_kwh
from planner.optimisation.structure import PlanStructure, charger_kw, make_structure
from planner.optimisation.timeblocks import BoolArray, FloatArray, minute_mask
from planner.optimisation.warmstart import INTEGER_TOLERANCE, rounded_start, rounded_units
from planner.optimisation.widening import NEED_SHARE, widening
from planner.scenario import LadderPolicy

#: Name of the coarse MIP stage.
COARSE = "coarse"
#: Name of the stage that gives the plan: minimise cost (the hourly repair, or the hourly MIP
#: itself; the last tier stage of the lexicographic ladder before it).
COST = "cost"
#: Name of the last stage: with the power, unmet energy and reinforcement of the cost stage
#: held, it re-chooses sites and chargers, so that a plan accepted within the MIP gap keeps
#: no site open and no charger bought that it does not use.
POLISH = "polish"
#: Name of a repair that found no plan with what it held (:class:`RepairHold`); the next
#: one holds less.
REPAIR_RETRIED = "repair_held"
#: Name of the coarse LP of a dive (:func:`_dive`).
COARSE_LP = "coarse_lp"
#: Name of the coarse MIP around the needs a dived plan serves worse than its LP
#: (:func:`_widened`).
COARSE_WIDENED = "coarse_widened"
#: Name of the widened MIP that also frees the sites where the relaxation charges the needs
#: (:func:`_widened`).
COARSE_WIDENED_RELAXED = "coarse_widened_relaxed"
#: Name of the relaxation of the presolved coarse MIP, the stronger bound a dived plan
#: above its LP is measured against where its integers are free (:func:`_widened`).
COARSE_BOUND = "coarse_bound"
#: Coarse models with more power columns than this are dived into (:func:`_dive`) instead
#: of solved as a whole MIP: the whole MIP's root cut loop costs minutes on a large region.
DIVE_COLUMNS = 5_000
#: A site whose LP ``open`` is within this of 1 (of 0) is held open (closed) in the dive.
DIVE_TOLERANCE = 1e-3
#: A dived problem with more pairs than this searches only around its relaxation
#: (:class:`SiteDive`): the demo region (2,473 pairs) keeps its integers free, a large
#: region (34,551) would leave HiGHS in its root cut loop.  Measured on the Flanders
#: benchmark's vervoerregio 3 and 4 (8,626 and 9,849 pairs): with their integers free the
#: coarse MIP ran into a 120 s safety net; around the relaxation it stops on its gap in 8
#: and 10 s (hourly plans 0.73 % and 1.76 % above the bound).  Such a plan is measured
#: against the coarse LP alone (no ``coarse_bound``, :func:`_widened`).
NEIGHBOURHOOD_PAIRS = 5_000
#: A site at least this open in a dive's relaxation is held open.
DIVE_OPEN_LEVEL = 0.5
#: Share of the scenario's MIP gap the coarse MIP stops at (the rest is for the repair), and
#: how far above the coarse LP's optimum a completed start or a dived plan is kept without
#: the MIP around the relaxation or the widened MIPs.  The MIP's own gap is against the bound
#: of the MIP it solves, which around a dived relaxation is not the coarse LP's: at 0.9 the
#: Antwerpen benchmark case's coarse plan was 0.90 % above its own bound and 1.04 % above the
#: coarse LP's.  At 0.8 (0.5 until 5 December 2026) the repair has kept within the scenario's
#: gap: the hourly plan cost at most 0.003 % more than the coarse plan on the benchmark cases
#: in 2030 (the demo and the large region nothing).
#: `make bench` rows, 0.5 → 0.8, back to back on one machine (5 December 2026): the large
#: region's completed start, 0.78 % above the LP, is its plan (0.43 % after 16 s of MIP at
#: 0.5), 56.4 → 39.4 s; all Flanders 2030 0.59 → 0.88 % (target 2 %), 215.3 → 181.4 s; the
#: demo the same plan, 8.2 → 6.5 s.  Vervoerregio 6 over 2027–2035: the same plans until
#: 2033, then 1.70 → 2.02 % (2034) and 2.23 → 2.43 % (2035), 592 → 570 CPU s.
COARSE_GAP_SHARE = 0.8
#: Node limit of the coarse MIP where its integers are free, and of the hourly repair (a
#: deterministic stop).
COARSE_NODES = 2000
REPAIR_NODES = 500
#: Chargers of a type at a site that the MIP completing a start around a dived relaxation
#: may add above the relaxation's count rounded up (:func:`neighbourhood_start`); the MIP
#: around the relaxation after it, where the start is not within the gap, has no such bound.
#: Measured back to back (6 December 2026, 13th session; before, the completion had none):
#: the Antwerpen benchmark case's completed start 0.62 → 0.45 % above the coarse LP (unmet
#: 57 → 30 kWh/day), the command 35.4 / 37.5 → 36.6 / 37.1 s; with two more 0.57 %, with
#: none 2.4 %.  All Flanders 2030: 137.7 / 137.8 → 132.1 / 127.2 s (the tasks 244 / 241 →
#: 229 / 225 worker-s), the whole's proven gap 1.03 → 0.96 %, the largest region's 2.62 →
#: 2.04 %.  Vervoerregio 6 over 2027–2035 (alone): 93.63 → 93.49 M EUR over the nine years,
#: 529 → 469 CPU s; with the bound in the MIP around the relaxation too, 93.73 M.
NEIGHBOURHOOD_CHARGERS_UP = 1
#: Node limit of the coarse MIP around a dived relaxation (:func:`_dive`, where its integers
#: are not free).  It has a large root (with heuristic sub-MIPs), then nodes whose sub-MIPs
#: find less and less.  The Flanders benchmark's vervoerregio 6 in 2033 (after 2027–2032 as
#: planned, one thread, beside another solve, at the heuristic effort of 0.3 then): with
#: 2,000 nodes it reached node 478 at the 400 s safety net (97.79 M EUR, 1.09 % above its own
#: bound, 5.4 % above the coarse LP's); at 100 nodes it stops at 149 s with 97.91 M.
NEIGHBOURHOOD_NODES = 100
#: The MIP around a dived relaxation, and the MIP completing its start, stop once this many
#: nodes have brought no better plan (:attr:`~planner.optimisation.base.SolveOptions.stall_nodes`).
#: In the later years the nodes after the root mostly find nothing: vervoerregio 7 of the
#: Flanders benchmark in 2032 (after 2027–2031 as planned, one thread) spent 97 s on 99
#: nodes and kept its root's plan; with this stop, 48 s less for the same plan.  Where
#: nodes find plans they find them soon: vervoerregio 6 in 2029 at nodes 24 and 35.
NEIGHBOURHOOD_STALL_NODES = 30
#: MIP gap and node limit of the widened MIP (:func:`_widened`): it stops within
#: :data:`~planner.optimisation.widening.NEED_SHARE` of its own bound (what one troubled need
#: may add to the objective) or after its root node.  It frees only the troubled needs, their
#: competitors and the contested sites, and finds its plans in its root's heuristic sub-MIPs.
#: At the coarse gap (1 % of a vervoerregio's objective for the Flanders benchmark, more
#: than the troubled needs' whole penalty) it stopped at its root before those ran:
#: vervoerregio 13 in 2030 kept its dived plan, 1.28 % above the coarse LP, where the root's
#: sub-MIP gives 0.69 %; vervoerregio 9 1.20 % where it gives 0.33 %.  Its nodes after the
#: root found little for their time: vervoerregio 7 in 2030 (one thread, beside other solves,
#: at a gap of 0.1 %, the larger neighbourhood) 59.49 M EUR at the root (32 s), 59.44 M after
#: 100 nodes (97 s).
WIDENED_GAP = NEED_SHARE
WIDENED_NODES = 1


@dataclass(frozen=True)
class LadderCertificate:
    """How close the weighted ladder came to the lexicographic levels, kWh/day.

    Attributes
    ----------
    private_kwh_per_day, private_max_kwh_per_day
        Energy the plan charges on private sites, and the most any plan could
        (:func:`tier_energy_maxima`: an upper bound on the lexicographic level).
    semi_public_kwh_per_day, semi_public_max_kwh_per_day
        Energy on semi-public sites, and an upper bound on the lexicographic level: the LP
        maximum of private and semi-public together less the plan's private energy.
    """

    private_kwh_per_day: float
    private_max_kwh_per_day: float
    semi_public_kwh_per_day: float
    semi_public_max_kwh_per_day: float

    def as_dict(self) -> dict[str, dict[str, float]]:
        """JSON-ready: per tier, the plan's energy, its bound and the share reached."""
        return {
            Tier.PRIVATE.value: _tier(self.private_kwh_per_day, self.private_max_kwh_per_day),
            Tier.SEMI_PUBLIC.value: _tier(
                self.semi_public_kwh_per_day, self.semi_public_max_kwh_per_day
            ),
        }


def _tier(energy: float, bound: float) -> dict[str, float]:
    reached = 1.0 if bound <= 1e-9 else min(energy / bound, 1.0)
    return {
        "energy_kwh_per_day": round(energy, 2),
        "lp_max_kwh_per_day": round(max(bound, 0.0), 2),
        "share_of_lp_max": round(reached, 6),
    }


@dataclass(frozen=True)
class CoarseOutcome:
    """Stage runs of a coarse-to-fine solve and the energy maxima of the certificate.

    Attributes
    ----------
    runs
        Every stage run (coarse MIP, repair as ``cost``, polish).
    maxima
        Upper bounds on private, and on private + semi-public energy, kWh/day
        (:func:`tier_energy_maxima`; ``None`` when not worked out).
    problem
        The problem holding the plan: the one given, or the model over every candidate
        pair, built when the repair needed more pairs than it was given
        (:func:`repair_pairs`); ``None`` where no solve returned one.
    coarse_build_s
        Wall-clock seconds of making the coarse model (:attr:`CoarseAhead.build_s`).
    """

    runs: list[StageRun]
    maxima: tuple[float, float] | None = None
    problem: PlanProblem | None = None
    coarse_build_s: float = 0.0

    def certificate(self, energy_by_tier: dict[str, float]) -> LadderCertificate | None:
        """The certificate for a plan's energy per tier (``None`` without the maxima)."""
        if self.maxima is None:
            return None
        private_max, ladder_max = self.maxima
        private = energy_by_tier.get(Tier.PRIVATE, 0.0)
        return LadderCertificate(
            private_kwh_per_day=private,
            private_max_kwh_per_day=private_max,
            semi_public_kwh_per_day=energy_by_tier.get(Tier.SEMI_PUBLIC, 0.0),
            semi_public_max_kwh_per_day=max(ladder_max - private, 0.0),
        )


def coarse_to_fine(
    solver: Solver,
    problem: PlanProblem,
    options: SolveOptions,
    ahead: CoarseAhead | None = None,
) -> CoarseOutcome:
    """Solve a year coarse to fine (see the module docstring).

    Parameters
    ----------
    solver
        The MILP solver.
    problem
        The hourly problem; its variables hold the plan afterwards.
    options
        The scenario's solver options.
    ahead
        The coarse model already solved, before the hourly model was built
        (:func:`solve_coarse_ahead`); by default it is solved here.
    """
    if ahead is None:
        ahead = solve_coarse_ahead(solver, problem.inputs, problem.structure.blocks.count, options)
    solved, coarse_build_s = ahead.solved, ahead.build_s
    maxima = tier_energy_maxima(problem, options)
    if solved is None:
        problem = with_every_pair(problem)
        outcome = _hourly_only(solver, problem, options)
        return replace(outcome, maxima=maxima, problem=problem, coarse_build_s=coarse_build_s)
    coarse_runs, plan = solved
    if plan is None:
        problem = with_every_pair(problem)
        hourly = _hourly_only(solver, problem, options)
        runs = [*coarse_runs, *hourly.runs]
        return CoarseOutcome(runs, maxima=maxima, problem=problem, coarse_build_s=coarse_build_s)
    bound = coarse_runs[-1].bound
    repair_options = replace(options, max_nodes=_nodes(options, REPAIR_NODES))
    runs = []
    for held in RepairHold:
        if held != RepairHold.SITES_AND_VEHICLES:  # the vehicles are free: every pair
            problem = with_every_pair(problem)
        stages = _repair_stages(problem, plan, held, bound)
        tried = solver.run_stages(problem.prob, stages, repair_options)
        if tried[0].has_solution or held == RepairHold.NOTHING:
            runs += tried
            break
        runs.append(replace(tried[0], name=REPAIR_RETRIED))
    runs = [_proven(run, bound, options) if run.name == COST else run for run in runs]
    return CoarseOutcome(
        [*coarse_runs, *runs], maxima=maxima, problem=problem, coarse_build_s=coarse_build_s
    )


def repair_pairs(structure: PlanStructure, ahead: CoarseAhead | None) -> BoolArray | None:
    """The pairs the hourly repair is built on (``None``: every pair).

    The repair first holds the coarse plan's whole vehicles per pair (:class:`RepairHold`),
    and a pair held at no vehicle charges nothing (``vehicle-energy-{need}-{site}``).  So
    the hourly model is built on the pairs the coarse plan gives vehicles, the pairs it
    does not hold (none, as its pairs are the hourly model's), and one pair of every site
    (each site keeps its variables: the chargers in place, the sites held open): it has the
    plans of the whole model under that hold, and no more variables than they use.  On
    the Antwerpen benchmark case in 2030, 3,156 of 34,551 pairs.  Should the hold leave no
    plan, the model over every pair is built for the holds after it
    (:func:`with_every_pair`).  Every pair without a coarse plan (``ahead`` solved none,
    or none ahead).
    """
    if ahead is None or ahead.solved is None or ahead.solved[1] is None:
        return None
    vehicles = ahead.solved[1].vehicles
    ids = structure.pairs[["need_id", "site_id"]].astype(str).itertuples(index=False, name=None)
    keep = np.array([vehicles.get(pair, 1) > 0 for pair in ids], dtype=bool)
    _, first_of_site = np.unique(structure.pair_site, return_index=True)
    keep[first_of_site] = True
    return None if keep.all() else keep


def with_every_pair(problem: PlanProblem) -> PlanProblem:
    """The problem over every candidate pair: itself, or built (its seconds added)."""
    if problem.all_pairs is None:
        return problem
    whole = build_problem(problem.inputs, structure=problem.all_pairs)
    whole.build_s += problem.build_s
    return whole


#: The coarse model's stage runs and its plan's integers (``None``: it found no plan).
CoarseSolved = tuple[list[StageRun], "CoarsePlan | None"]


@dataclass(frozen=True)
class CoarseAhead:
    """The coarse model, solved before the hourly model is built (:func:`solve_coarse_ahead`).

    Attributes
    ----------
    solved
        Its runs and plan; ``None`` when it would have as many blocks as the hourly model.
    seconds
        Wall-clock seconds of building and solving it.
    build_s
        Of those, the seconds of making its structure and model: a year's ``build_s``
        counts them, its ``solve_s`` the rest (:func:`~planner.optimisation.solve.solve`).
    """

    solved: CoarseSolved | None
    seconds: float
    build_s: float = 0.0


def solve_coarse_ahead(
    solver: Solver, inputs: PlanInputs, hourly_blocks: int, options: SolveOptions
) -> CoarseAhead:
    """Build, solve and drop the coarse model before the hourly one is built.

    Only the coarse plan's integers are kept (:class:`CoarsePlan`), so the two models are
    never in memory together: the hourly PuLP model took 550 MB on the Antwerpen benchmark
    case, beside the coarse model's 400 MB and the solver's own memory in the coarse MIP.

    Parameters
    ----------
    solver
        The MILP solver.
    inputs
        The year's inputs.
    hourly_blocks
        Blocks of the hourly model (its structure's ``blocks.count``).
    options
        The scenario's solver options.
    """
    began = time.perf_counter()
    structure = make_structure(inputs, coarse=True)
    if structure.blocks.count >= hourly_blocks:  # nothing is built
        return CoarseAhead(solved=None, seconds=time.perf_counter() - began)
    coarse = build_problem(inputs, coarse=True, structure=structure)
    build_s = time.perf_counter() - began
    solved = _solve_coarse(solver, coarse, options)
    return CoarseAhead(solved=solved, seconds=time.perf_counter() - began, build_s=build_s)


def _solve_coarse(solver: Solver, coarse: PlanProblem, options: SolveOptions) -> CoarseSolved:
    """Solve the coarse model; its runs and its plan's integers (``None``: no plan).

    Only the integers leave :func:`solve_coarse_ahead`: the coarse model is gone before the
    hourly repair is passed to the solver.
    """
    coarse_options = replace(
        options,
        mip_gap=options.mip_gap * COARSE_GAP_SHARE,
        max_nodes=_nodes(options, COARSE_NODES),
    )
    if len(coarse.power) > DIVE_COLUMNS:
        runs = _dive(solver, coarse, coarse_options)
    else:
        stage = Stage(COARSE, coarse.prob.objective, rounding=partial(rounded_start, coarse))
        runs = solver.run_stages(coarse.prob, [stage], coarse_options)
    plan_runs = [run for run in runs if run.name not in (COARSE_LP, COARSE_BOUND)]
    found = bool(plan_runs) and plan_runs[-1].has_solution
    return runs, CoarsePlan.of(coarse) if found else None


def tier_energy_maxima(
    problem: PlanProblem, options: SolveOptions | None = None
) -> tuple[float, float] | None:
    """Upper bounds on private, and on private + semi-public energy, kWh/day (or ``None``).

    Each is the optimum of a small LP, a relaxation of the hourly model: one variable per
    pair of the tiers, at most what the pair can charge in its windows (and the need's
    energy); per need at most its energy; per site at most what its connection and its
    largest number of the most powerful suitable chargers give in its open hours.  Every
    hourly plan is a plan of it, so its maxima bound the lexicographic levels.  Its pairs
    are every candidate pair (:attr:`~planner.optimisation.model.PlanProblem.candidates`).
    ``options`` give the solver's threads (:func:`~planner.optimisation.highs.new_highs`).
    """
    if problem.inputs.settings.ladder_policy != LadderPolicy.WEIGHTED:
        return None
    quiet = replace(options or SolveOptions(), log=False)
    tiers = problem.inputs.sites["tier"].astype(str).to_numpy()[problem.candidates.pair_site]
    private = _max_energy(problem, tiers == Tier.PRIVATE, quiet)
    both = _max_energy(problem, (tiers == Tier.PRIVATE) | (tiers == Tier.SEMI_PUBLIC), quiet)
    return None if private is None or both is None else (private, both)


def _max_energy(
    problem: PlanProblem, chosen: npt.NDArray[np.bool_], options: SolveOptions
) -> float | None:
    """The most energy the chosen pairs can charge together (see :func:`tier_energy_maxima`)."""
    s = problem.candidates
    pairs = np.flatnonzero(chosen)
    if pairs.size == 0:
        return 0.0
    caps = pair_caps_kwh(problem, candidates=True)[pairs]
    needs_of, need_rows = np.unique(s.pair_need[pairs], return_inverse=True)
    sites_of, site_rows = np.unique(s.pair_site[pairs], return_inverse=True)
    energy = problem.inputs.needs["energy_kwh_per_day"].to_numpy(float)[needs_of]
    highs = new_highs(options)
    n = pairs.size
    none = np.zeros(0, np.int32)
    highs.addCols(n, -np.ones(n), np.zeros(n), caps, 0, none, none, np.zeros(0))
    rows = np.concatenate([need_rows, needs_of.size + site_rows]).astype(np.int32)
    upper = np.concatenate([energy, _site_daily_kwh(problem, sites_of)])
    order = np.argsort(rows, kind="stable")
    columns = np.concatenate([np.arange(n), np.arange(n)])[order].astype(np.int32)
    starts = np.searchsorted(rows[order], np.arange(upper.size)).astype(np.int32)
    lower = np.full(upper.size, -highspy.kHighsInf)
    highs.addRows(upper.size, lower, upper, columns.size, starts, columns, np.ones(columns.size))
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return -float(highs.getInfo().objective_function_value)


def _site_daily_kwh(problem: PlanProblem, sites: npt.NDArray[np.intp]) -> FloatArray:
    """Per site: the most it can deliver a day, kWh (connection, and its chargers' power)."""
    inputs, s = problem.inputs, problem.candidates
    table = inputs.sites
    result = np.zeros(sites.size)
    for i, site in enumerate(sites.tolist()):
        row = table.iloc[site]
        hours = minute_mask(str(row["available_from"]), str(row["available_to"])).sum() / 60
        best_kw = max(
            (
                charger_kw(inputs.chargers[k], cat, kw)
                for k in s.site_types[site]
                for cat, kw in s.site_categories[site].items()
            ),
            default=0.0,
        )
        limit = max(int(row["max_chargers"]), int(row["existing_chargers"]))
        result[i] = hours * min(float(row["max_power_kw"]), limit * best_kw)
    return result


def _dive(solver: Solver, coarse: PlanProblem, options: SolveOptions) -> list[StageRun]:
    """The coarse LP (its optimum is the bound), then a coarse MIP around its dived relaxation.

    The sites are decided by LP rounding, and the MIP chooses whole vehicles and chargers
    near the last relaxation (:class:`SiteDive`), from a start made of it
    (:func:`neighbourhood_start`; :func:`dive_start` where its integers are free).  Every
    relaxation is solved to optimality and the MIP stops on gap or nodes (at most
    :data:`NEIGHBOURHOOD_NODES` where the integers are held near the relaxation): the plan
    does not depend on the machine's load.  A dived plan further above the LP's optimum
    than the coarse gap is widened (:func:`_widened`), and, where the integers are free, one
    further above it than the target gap (the scenario's, which the LP's optimum cannot
    prove) is first measured against a stronger bound.  The returned runs carry the best
    bound: the LP's optimum, or the stronger one.  For a first plan
    (:attr:`~planner.optimisation.base.SolveOptions.first_plan`) the completed start is the
    plan whatever its gap, and nothing is widened.
    """
    objective = coarse.prob.objective
    free = len(coarse.vehicles) <= NEIGHBOURHOOD_PAIRS
    dive = SiteDive(coarse, free_integers=free)
    stages = [
        Stage(COARSE_LP, objective, relax=True),
        Stage(
            COARSE,
            objective,
            dive=dive,
            rounding=partial(dive_start if free else neighbourhood_start, coarse),
            bounded_by_relaxation=True,
            keep_start=options.first_plan,
        ),
    ]
    runs = solver.run_stages(coarse.prob, stages, options if free else _around(options))
    bound = runs[0].objective
    if runs[0].status != SolveStatus.OPTIMAL or bound is None:
        return runs
    above = _above(runs[-1], bound)
    if dive.relaxed is not None and above > options.mip_gap and not options.first_plan:
        # the LP cannot prove the target; where the integers are held around the relaxation
        # (large problems) the presolved relaxation is not sought (see :func:`_widened`)
        stronger = free and above > options.mip_gap / COARSE_GAP_SHARE
        runs += _widened(solver, coarse, dive.relaxed, runs[-1], options, bound, stronger)
        bound = max([bound, *_stronger_bounds(runs)])
    return [replace(run, bound=bound) for run in runs]


def _stronger_bounds(runs: list[StageRun]) -> list[float]:
    """The optima of the solved ``coarse_bound`` stages among the runs."""
    return [
        run.objective
        for run in runs
        if run.name == COARSE_BOUND
        and run.status == SolveStatus.OPTIMAL
        and run.objective is not None
    ]


def _above(run: StageRun, bound: float | None) -> float:
    """How far a run's plan lies above a bound, as a share of it (0 without either)."""
    if not run.has_solution or run.objective is None or bound is None:
        return 0.0
    return gap_to(run.objective, bound)


def _widened(
    solver: Solver,
    coarse: PlanProblem,
    relaxed: Mapping[str, float],
    dived: StageRun,
    options: SolveOptions,
    bound: float,
    stronger: bool = True,
) -> list[StageRun]:
    """A stronger bound, then the coarse MIP again around the needs the dived plan serves worse.

    The bound (when ``stronger``) is the relaxation of the presolved coarse MIP (stage
    ``coarse_bound``, :attr:`Stage.presolved`): on vervoerregio 6 of the Flanders benchmark
    in 2029 it lay 2.8 % above the coarse LP, most of what the whole coarse MIP's root
    proved (4.6 %), in 5 s instead of 20 s; the site caps in the model
    (:func:`~planner.optimisation.model.pair_site_cap_kw`) now give the LP that lift, and
    there the stage adds at most 0.002 % (2030–2035), while on small truck-depot cases
    presolve still finds more than the caps.  So :func:`_dive` asks for it only where the
    integers are free (at most :data:`NEIGHBOURHOOD_PAIRS` pairs): on the larger problems
    it solved an LP hardly smaller than the coarse one for next to nothing (5 December 2026:
    vervoerregio 6 in 2029 8.5 of the year's 75.5 CPU s for the LP's own optimum, in 2030
    6.3 s for 0.002 %; vervoerregio 7 in all Flanders 2030 25.9 s for 0.0005 %).  The
    widened MIP (see :mod:`planner.optimisation.widening`) starts from the dived plan, is
    not run when that plan is already within the gap of the stronger bound
    (:attr:`Stage.bounded_by_relaxation`), stops on :data:`WIDENED_GAP` or after
    :data:`WIDENED_NODES` nodes, and keeps the dived plan when it finds nothing better.
    It frees the troubled needs' sites on their best tier; when its plan still lies further
    above ``bound`` (the coarse LP's optimum, or the stronger bound) than the coarse gap, the
    sites where the relaxation charges them too (stage ``coarse_widened_relaxed``).  The
    problem's variables hold the plan afterwards (the dived one, or better).
    """
    objective = coarse.prob.objective
    stages = [Stage(COARSE_BOUND, objective, relax=True, presolved=True)] if stronger else []
    widened = None if dived.objective is None else widening(coarse, relaxed, dived.objective)
    if widened is not None:
        stages.append(
            Stage(
                COARSE_WIDENED,
                objective,
                bounds=widened.bounds,
                start=widened.start,
                bounded_by_relaxation=True,
            )
        )
    if not stages:
        return []
    # Only a relaxation (the bound stage) writes values that are not a plan: keep the dived
    # plan's to put back should the widened MIP find none.
    variables = problem_variables(coarse.prob) if stronger else []
    plan = [variable.varValue for variable in variables]
    runs = solver.run_stages(coarse.prob, stages, _widened_options(options))
    if runs[-1].name != COARSE_WIDENED or not runs[-1].has_solution:
        for variable, value in zip(variables, plan, strict=True):
            variable.varValue = value
        runs = [run for run in runs if run.name == COARSE_BOUND]
    best = runs[-1] if runs and runs[-1].name == COARSE_WIDENED else dived
    above = _above(best, max([bound, *_stronger_bounds(runs)]))
    if best.objective is None or above <= options.mip_gap:
        return runs
    contested = frozenset() if widened is None else widened.contested
    return runs + _widened_around_relaxation(
        solver, coarse, relaxed, best.objective, contested, options
    )


def _widened_around_relaxation(
    solver: Solver,
    coarse: PlanProblem,
    relaxed: Mapping[str, float],
    objective_eur: float,
    contested: frozenset[int],
    options: SolveOptions,
) -> list[StageRun]:
    """The widened MIP once more, with the sites where the relaxation charges the needs.

    Run on the plan held in the problem's variables (of objective ``objective_eur``), when
    that contests more sites than ``contested`` (the first widening's); the plan is kept
    when it finds no better one.
    """
    wider = widening(coarse, relaxed, objective_eur, around_relaxation=True)
    if wider is None or wider.contested == contested:
        return []
    stage = Stage(
        COARSE_WIDENED_RELAXED, coarse.prob.objective, bounds=wider.bounds, start=wider.start
    )
    runs = solver.run_stages(coarse.prob, [stage], _widened_options(options))
    return [run for run in runs if run.has_solution]


class SiteDive:
    """Decide a coarse problem's sites by rounding its relaxation, then bound its integers.

    Each call gets a relaxation's values and gives the bounds to hold before the next one.
    Sites first, round by round: a site whose ``open`` is within :data:`DIVE_TOLERANCE` of
    0 or 1 is held there; of the others, those at least :data:`DIVE_OPEN_LEVEL` open are
    held open, or, when none is, the most open one.  Once every site is decided, the
    neighbourhood: each pair's whole vehicles between the relaxation's value rounded down
    and up; each charger count at least its value rounded down; the sites held open or ever
    fractional free again (one left without vehicles must close); and a need whose vehicles
    the relaxation splits fractionally may move one more to any of those sites.  The MIP
    that follows searches only that neighbourhood of the relaxation (as in
    relaxation-enforced neighbourhood search): a few thousand integers on a large region
    instead of tens of thousands.  A problem with at most :data:`NEIGHBOURHOOD_PAIRS` pairs
    (``free_integers``) has only its sites at 0 or 1 held, once: there the MIP over the
    fractional sites, whole vehicles and chargers is quick.

    Parameters
    ----------
    problem
        The problem whose integers are dived.
    free_integers
        Hold only the sites the first relaxation opens or closes; leave the rest to the MIP.
    """

    def __init__(self, problem: PlanProblem, free_integers: bool = False) -> None:
        self.problem = problem
        self.free_integers = free_integers
        self.sites = {site: var for site, var in problem.open.items() if var.lowBound != 1}
        self.decided: set[int] = set()
        self.fractional: set[int] = set()
        self.bounded = False
        self.relaxed: Mapping[str, float] | None = None

    def __call__(self, values: Mapping[str, float]) -> dict[pulp.LpVariable, tuple[float, float]]:
        """Bounds to hold after this relaxation (none when the dive is over)."""
        if self.relaxed is None:
            self.relaxed = values
        held = self._sites(values)
        if held or self.bounded:
            return held
        self.bounded = True
        return self._neighbourhood(values)

    def _sites(self, values: Mapping[str, float]) -> dict[pulp.LpVariable, tuple[float, float]]:
        levels = {
            site: float(values.get(str(var.name), 0.0))
            for site, var in self.sites.items()
            if site not in self.decided
        }
        held: dict[int, float] = {}
        for site, level in levels.items():
            if level <= DIVE_TOLERANCE:
                held[site] = 0.0
            elif level >= 1 - DIVE_TOLERANCE:
                held[site] = 1.0
        fractional = [site for site in levels if site not in held]
        self.fractional.update(fractional)
        if self.free_integers:  # the MIP chooses the fractional sites
            self.decided.update(levels)
        elif fractional:
            opened = [site for site in fractional if levels[site] >= DIVE_OPEN_LEVEL]
            opened = opened or [max(fractional, key=lambda site: (levels[site], -site))]
            held.update(dict.fromkeys(opened, 1.0))
        self.decided.update(held)
        return {self.sites[site]: (level, level) for site, level in held.items()}

    def _neighbourhood(
        self, values: Mapping[str, float]
    ) -> dict[pulp.LpVariable, tuple[float, float]]:
        if self.free_integers:
            return {}
        problem = self.problem
        s = problem.structure
        units = {pair: values.get(str(var.name), 0.0) for pair, var in problem.vehicles.items()}
        floors = {pair: math.floor(x + INTEGER_TOLERANCE) for pair, x in units.items()}
        loose = {
            int(s.pair_need[pair]) for pair, x in units.items() if x - floors[pair] > 0
        }  # needs split fractionally: free to move a unit to any open site of theirs
        opened = self.fractional | dived_open(problem, values)
        bounds = {self.sites[site]: (0.0, 1.0) for site in opened if site in self.sites}
        for pair, var in problem.vehicles.items():
            low = float(floors[pair])
            high = float(max(math.ceil(units[pair] - INTEGER_TOLERANCE), floors[pair]))
            if int(s.pair_need[pair]) in loose and int(s.pair_site[pair]) in opened:
                high = max(high, low + 1.0)
            top = float(var.upBound or 0.0)
            bounds[var] = (min(low, top), min(high, top))
        for var in problem.chargers.values():
            value = values.get(str(var.name), 0.0)
            low = max(float(math.floor(value + INTEGER_TOLERANCE)), float(var.lowBound or 0))
            bounds[var] = (low, float(var.upBound))
        return bounds


def dived_open(problem: PlanProblem, values: Mapping[str, float]) -> set[int]:
    """The sites open in a dived relaxation: always open, or at least :data:`DIVE_OPEN_LEVEL`."""
    return {
        site
        for site, var in problem.open.items()
        if var.lowBound == 1 or values.get(str(var.name), 0.0) >= DIVE_OPEN_LEVEL
    }


def dive_start(coarse: PlanProblem, relaxed: Mapping[str, float]) -> dict[pulp.LpVariable, float]:
    """Start values of sites and whole vehicles from the dived relaxation (sites decided).

    Whole vehicles rounded per need (:func:`rounded_units`, every site the dive opened
    given a unit where a need has one to spare), and open the sites that must be or that
    hold vehicles.  The chargers are left for the solver to complete: rounded up on their
    own, they may not give the rounded vehicles their connectors.
    """
    units = rounded_units(coarse, relaxed, dived_open(coarse, relaxed))
    pair_site = coarse.structure.pair_site.tolist()
    holding = {pair_site[pair] for pair, var in coarse.vehicles.items() if units[var] > 0}
    start = {var: float(var.lowBound == 1 or site in holding) for site, var in coarse.open.items()}
    start.update(units)
    return start


def neighbourhood_start(
    coarse: PlanProblem, relaxed: Mapping[str, float]
) -> dict[pulp.LpVariable, float | tuple[float, float]]:
    """Start values around a dived relaxation: the whole vehicles it already has whole.

    The start is completed by a MIP with these held (``highs._completed``): it chooses the
    vehicles the relaxation splits (within the neighbourhood's bounds), the sites and the
    chargers, each charger count then at most :data:`NEIGHBOURHOOD_CHARGERS_UP` above the
    relaxation's rounded up (a bound, not a value:
    :data:`~planner.optimisation.base.Rounding`).  Rounding instead (:func:`dive_start`)
    drops the units rounded up at a depot whose connectors they overfill, and those vans are
    then left unmet in the start (on the Antwerpen benchmark case 83.0 M EUR against 46.9 M;
    measurements in ``docs/optimiser.md``).
    """
    start: dict[pulp.LpVariable, float | tuple[float, float]] = {}
    for var in coarse.vehicles.values():
        value = relaxed.get(str(var.name), 0.0)
        if abs(value - round(value)) <= INTEGER_TOLERANCE:
            start[var] = float(round(value))
    for var in coarse.chargers.values():
        value = relaxed.get(str(var.name), 0.0)
        top = math.ceil(value - INTEGER_TOLERANCE) + NEIGHBOURHOOD_CHARGERS_UP
        start[var] = (float(var.lowBound or 0), float(top))
    return start


def _nodes(options: SolveOptions, default: int) -> int:
    return default if options.max_nodes is None else options.max_nodes


def _around(options: SolveOptions) -> SolveOptions:
    """The options of the MIP around a dived relaxation.

    At most :data:`NEIGHBOURHOOD_NODES` nodes, and :data:`NEIGHBOURHOOD_STALL_NODES` since
    its last better plan; it branches on pseudocosts from its first node
    (:attr:`~planner.optimisation.base.SolveOptions.strong_branching` off).  Its first nodes
    strong-branched for minutes on a large region: vervoerregio 7 of the Flanders benchmark
    in 2034 (after 2027–2033 as planned, one thread) took 100 s for 30 nodes that found
    nothing, 75 s of it for nodes 1–5; on pseudocosts its 92 nodes took 5 s, the same plan (the
    year 261 → 166 CPU s).  Vervoerregio 6 in 2029 lost the plans its strong-branched
    nodes found (1.03 → 1.65 % above the bound).
    """
    nodes = min(_nodes(options, NEIGHBOURHOOD_NODES), NEIGHBOURHOOD_NODES)
    return replace(
        options, max_nodes=nodes, stall_nodes=NEIGHBOURHOOD_STALL_NODES, strong_branching=False
    )


def _widened_options(options: SolveOptions) -> SolveOptions:
    """The options of the widened MIP (:data:`WIDENED_GAP`, :data:`WIDENED_NODES`)."""
    nodes = min(_nodes(options, WIDENED_NODES), WIDENED_NODES)
    return replace(options, mip_gap=min(options.mip_gap, WIDENED_GAP), max_nodes=nodes)


def _hourly_only(solver: Solver, problem: PlanProblem, options: SolveOptions) -> CoarseOutcome:
    """The hourly MIP itself, from its rounded relaxation, then the polish."""
    rounding = partial(rounded_start, problem)
    fixed = (*problem.power, *problem.unmet, *problem.reinforcement.values())
    stages = [
        Stage(COST, problem.prob.objective, rounding=rounding),
        Stage(POLISH, problem.prob.objective, fixed=fixed),
    ]
    hourly_options = replace(options, max_nodes=_nodes(options, COARSE_NODES))
    return CoarseOutcome(runs=solver.run_stages(problem.prob, stages, hourly_options))


class RepairHold(enum.Enum):
    """What the hourly repair holds of the coarse plan, tried in this order."""

    #: Sites, whole vehicles per pair, and at least the chargers: a MIP over chargers only.
    SITES_AND_VEHICLES = "sites and vehicles"
    #: Sites and at least the chargers; vehicles free.
    SITES = "sites"
    #: Only no site opened that the coarse plan keeps closed.
    NOTHING = "nothing"


@dataclass(frozen=True)
class CoarsePlan:
    """A coarse plan's integers, all the hourly repair takes of the coarse model.

    Attributes
    ----------
    opened
        Per site (index), whether the plan opens it (0 or 1).
    chargers
        Per (site, charger type) index, the chargers bought.
    vehicles
        Per pair, as ``(need_id, site_id)``, the whole vehicles assigned.
    """

    opened: dict[int, int]
    chargers: dict[tuple[int, int], int]
    vehicles: dict[tuple[str, str], int]

    @classmethod
    def of(cls, coarse: PlanProblem) -> CoarsePlan:
        """The integers of the coarse problem's solution, rounded."""
        pairs = coarse.structure.pairs[["need_id", "site_id"]].itertuples(index=False)
        return cls(
            opened={site: _rounded(var) for site, var in coarse.open.items()},
            chargers={key: _rounded(var) for key, var in coarse.chargers.items()},
            vehicles={
                (str(need), str(site)): _rounded(coarse.vehicles[pair])
                for pair, (need, site) in enumerate(pairs)
            },
        )


def _rounded(var: pulp.LpVariable) -> int:
    return round(var.varValue or 0.0)


def _repair_stages(
    problem: PlanProblem, coarse: CoarsePlan, held: RepairHold, bound: float | None = None
) -> list[Stage]:
    """The hourly repair (holding ``held`` of the coarse plan) and the polish.

    ``bound`` is the coarse bound, a bound of every hourly plan: a completed start within
    the MIP gap of it is the repair's plan without its MIP.
    """
    bounds: dict[pulp.LpVariable, tuple[float, float]] = {}
    for site, var in problem.open.items():
        opened = coarse.opened[site]
        low = float(var.lowBound or 0)
        closing = held == RepairHold.NOTHING
        bounds[var] = (low, max(low, opened)) if closing else (max(low, opened), float(opened))
    if held != RepairHold.NOTHING:
        for key, var in problem.chargers.items():
            count = coarse.chargers[key]
            bounds[var] = (max(float(var.lowBound or 0), count), float(var.upBound))
    start = _integer_start(problem, coarse)
    if held == RepairHold.SITES_AND_VEHICLES:
        kept = [var for var in problem.vehicles.values() if var in start]  # (by identity)
        bounds.update({var: (start[var], start[var]) for var in kept})
    fixed = (*problem.power, *problem.unmet, *problem.reinforcement.values())
    return [
        Stage(COST, problem.prob.objective, bounds=bounds, start=start, known_bound=bound),
        Stage(POLISH, problem.prob.objective, fixed=fixed),
    ]


def _integer_start(problem: PlanProblem, coarse: CoarsePlan) -> dict[pulp.LpVariable, float]:
    """Each integer variable of the hourly problem at the coarse plan's value."""
    start = {var: float(coarse.opened[site]) for site, var in problem.open.items()}
    start.update({var: float(coarse.chargers[key]) for key, var in problem.chargers.items()})
    hourly_pairs = problem.structure.pairs[["need_id", "site_id"]].itertuples(index=False)
    for pair, (need_id, site_id) in enumerate(hourly_pairs):
        count = coarse.vehicles.get((str(need_id), str(site_id)))
        if count is not None:
            start[problem.vehicles[pair]] = float(count)
    return start


def _proven(run: StageRun, bound: float | None, options: SolveOptions) -> StageRun:
    """The repair's run with the gap against the coarse bound (optimal when within the gap).

    The solver's notes after its status (``; …``: a start kept, HiGHS's own objective where
    its plan's differs) stay in the message.
    """
    if not run.has_solution or run.objective is None or bound is None:
        return replace(run, gap=None, bound=bound)
    gap = gap_to(run.objective, bound)
    status = SolveStatus.OPTIMAL if gap <= options.mip_gap + 1e-12 else SolveStatus.FEASIBLE
    text = f"{COST}: hourly plan {gap:.2%} above the coarse bound (limit {options.mip_gap:.2%})"
    message = run.message
    if message.endswith(START_PROVEN):
        text, message = f"{text}: {START_PROVEN}", message.removesuffix(START_PROVEN)
    _, said, notes = message.partition("; ")  # what the solver added (a kept start, …)
    return replace(run, gap=gap, bound=bound, status=status, message=text + said + notes)
