"""Coarse to fine: solve on coarse time blocks, return a plan checked on the hourly model.

The weighted and cost-only ladders solve a year in these steps (:func:`coarse_to_fine`):

1. **Coarse model** (``build_problem(inputs, coarse=True)``): slots that differ only in grid
   headroom are merged into one block whose grid rows hold the *mean* of the slots' headroom
   (hours where a dwell window or a site's availability starts or ends stay apart).  Every
   coarse row is the mean of hourly rows and a peak is at least a mean, so the hourly plan
   averaged over each block is a coarse plan of the same cost: the coarse model is a
   relaxation and its proven bound is a bound for the hourly model.
2. **Ladder certificate** (weighted ladder): two LPs on the one-block relaxation (the whole
   day one block, mean data), the most energy private sites could charge, and the most
   private and semi-public together (:class:`LadderCertificate`).
3. **Coarse MIP** with the weighted objective, from the rounded LP relaxation; it stops at
   half the scenario's MIP gap or at :data:`COARSE_NODES` nodes (deterministic), the time
   limit being only a safety net.
4. **Hourly repair**: the hourly model with the coarse plan's sites held (open or closed),
   at least its chargers, and every other integer free (whole vehicles per pair, charger
   counts): a MIP, so the plan it returns satisfies every hourly row and every plan rule.
   Started from the coarse plan's integers completed on the hourly model.  Should the held
   sites leave no plan, the sites may close again (never open).
5. **Polish** with the repair's power, unmet energy and reinforcement held: sites and
   chargers chosen again, so nothing is kept that the hourly plan does not use.

The gap reported is proven: (hourly objective − coarse bound) ÷ hourly objective.  Where the
coarse model has as many blocks as the hourly one (no headroom-only hours to merge), the
hourly model is solved directly and its own bound is used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import partial

import pulp

from charging_sites import Tier
from planner.optimisation.base import SolveOptions, Solver, SolveStatus, Stage, StageRun
from planner.optimisation.model import PlanProblem, build_problem
from planner.optimisation.warmstart import rounded_start
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
#: Names of the certificate's LP stages.
PRIVATE_LP = "private_lp"
LADDER_LP = "ladder_lp"
#: Share of the scenario's MIP gap the coarse MIP stops at (the rest is for the repair).
COARSE_GAP_SHARE = 0.9
#: Node limit of the coarse MIP and of the hourly repair (a deterministic stop).
COARSE_NODES = 2000
REPAIR_NODES = 500


@dataclass(frozen=True)
class LadderCertificate:
    """How close the weighted ladder came to the lexicographic levels, kWh/day.

    Attributes
    ----------
    private_kwh_per_day, private_max_kwh_per_day
        Energy the plan charges on private sites, and the most any plan could (LP maximum
        over the one-block relaxation: an upper bound on the lexicographic level).
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
    """Stage runs of a coarse-to-fine solve and the LP maxima of the certificate.

    Attributes
    ----------
    runs
        Every stage run (certificate LPs, coarse MIP, repair as ``cost``, polish).
    private_max_kwh_per_day, ladder_max_kwh_per_day
        LP maxima of private, and of private + semi-public energy (``None`` when not solved).
    """

    runs: list[StageRun]
    private_max_kwh_per_day: float | None = None
    ladder_max_kwh_per_day: float | None = None

    def certificate(self, energy_by_tier: dict[str, float]) -> LadderCertificate | None:
        """The certificate for a plan's energy per tier (``None`` without the LP maxima)."""
        if self.private_max_kwh_per_day is None or self.ladder_max_kwh_per_day is None:
            return None
        private = energy_by_tier.get(Tier.PRIVATE, 0.0)
        return LadderCertificate(
            private_kwh_per_day=private,
            private_max_kwh_per_day=self.private_max_kwh_per_day,
            semi_public_kwh_per_day=energy_by_tier.get(Tier.SEMI_PUBLIC, 0.0),
            semi_public_max_kwh_per_day=max(self.ladder_max_kwh_per_day - private, 0.0),
        )


def certificate_stages(problem: PlanProblem) -> list[Stage]:
    """LP stages maximising private, then private + semi-public energy (weighted ladder)."""
    if problem.inputs.settings.ladder_policy != LadderPolicy.WEIGHTED:
        return []
    both = problem.private_energy + problem.semi_public_energy
    return [
        Stage(PRIVATE_LP, problem.private_energy, maximise=True, relax=True),
        Stage(LADDER_LP, pulp.LpAffineExpression(both), maximise=True, relax=True),
    ]


def coarse_to_fine(solver: Solver, problem: PlanProblem, options: SolveOptions) -> CoarseOutcome:
    """Solve a year coarse to fine (see the module docstring).

    Parameters
    ----------
    solver
        The MILP solver.
    problem
        The hourly problem; its variables hold the plan afterwards.
    options
        The scenario's solver options.
    """
    certificate = certificate_runs(solver, problem, options)
    coarse = build_problem(problem.inputs, coarse=True)
    if coarse.structure.blocks.count >= problem.structure.blocks.count:
        hourly = _hourly_only(solver, problem, options)
        return replace(_maxima(certificate), runs=[*certificate, *hourly.runs])
    coarse_options = replace(
        options,
        mip_gap=options.mip_gap * COARSE_GAP_SHARE,
        max_nodes=_nodes(options, COARSE_NODES),
    )
    stage = Stage(COARSE, coarse.prob.objective, rounding=partial(rounded_start, coarse))
    coarse_runs = solver.run_stages(coarse.prob, [stage], coarse_options)
    outcome = _maxima(certificate)
    if not coarse_runs[-1].has_solution:
        hourly = _hourly_only(solver, problem, options)
        return replace(outcome, runs=[*certificate, *coarse_runs, *hourly.runs])
    bound = coarse_runs[-1].bound
    repair_options = replace(options, max_nodes=_nodes(options, REPAIR_NODES))
    runs = solver.run_stages(
        problem.prob, _repair_stages(problem, coarse, held_sites=True), repair_options
    )
    if not runs[0].has_solution:
        retry = solver.run_stages(
            problem.prob, _repair_stages(problem, coarse, held_sites=False), repair_options
        )
        runs = [replace(runs[0], name="repair_held_sites"), *retry]
    runs = [_proven(run, bound, options) if run.name == COST else run for run in runs]
    return replace(outcome, runs=[*certificate, *coarse_runs, *runs])


def certificate_runs(solver: Solver, problem: PlanProblem, options: SolveOptions) -> list[StageRun]:
    """The certificate's two LPs on the one-block relaxation (weighted ladder only).

    With the whole day as one block (mean bounds and headroom) every plan of the hourly
    model averages to a plan of this model, so its LP maxima bound the tier levels; it has
    one column per pair, so the two LPs are cheap.
    """
    if problem.inputs.settings.ladder_policy != LadderPolicy.WEIGHTED:
        return []
    day = build_problem(problem.inputs, coarse=True, max_blocks=1)
    stages = certificate_stages(day)
    return solver.run_stages(day.prob, stages, options) if stages else []


def _nodes(options: SolveOptions, default: int) -> int:
    return default if options.max_nodes is None else options.max_nodes


def _hourly_only(solver: Solver, problem: PlanProblem, options: SolveOptions) -> CoarseOutcome:
    """The hourly MIP itself, from its rounded relaxation, then the polish."""
    rounding = partial(rounded_start, problem)
    fixed = (*problem.power, *problem.unmet, *problem.reinforcement.values())
    stages = [
        Stage(COST, problem.prob.objective, rounding=rounding),
        Stage(POLISH, problem.prob.objective, fixed=fixed),
    ]
    hourly_options = replace(options, max_nodes=_nodes(options, COARSE_NODES))
    runs = solver.run_stages(problem.prob, stages, hourly_options)
    return replace(_maxima(runs), runs=runs)


def _maxima(runs: Sequence[StageRun]) -> CoarseOutcome:
    found = {run.name: run.objective for run in runs if run.status == SolveStatus.OPTIMAL}
    return CoarseOutcome(
        runs=list(runs),
        private_max_kwh_per_day=found.get(PRIVATE_LP),
        ladder_max_kwh_per_day=found.get(LADDER_LP),
    )


def _repair_stages(problem: PlanProblem, coarse: PlanProblem, held_sites: bool) -> list[Stage]:
    """The hourly repair (coarse sites held, or only kept from opening) and the polish."""
    bounds: dict[pulp.LpVariable, tuple[float, float]] = {}
    for site, var in problem.open.items():
        opened = round(coarse.open[site].varValue or 0.0)
        low = float(var.lowBound or 0)
        bounds[var] = (max(low, opened), float(opened)) if held_sites else (low, max(low, opened))
    if held_sites:
        for key, var in problem.chargers.items():
            count = round(coarse.chargers[key].varValue or 0.0)
            bounds[var] = (max(float(var.lowBound or 0), count), float(var.upBound))
    start = {
        var: float(round(source.varValue or 0.0)) for var, source in _integer_pairs(problem, coarse)
    }
    fixed = (*problem.power, *problem.unmet, *problem.reinforcement.values())
    return [
        Stage(COST, problem.prob.objective, bounds=bounds, start=start),
        Stage(POLISH, problem.prob.objective, fixed=fixed),
    ]


def _integer_pairs(
    problem: PlanProblem, coarse: PlanProblem
) -> list[tuple[pulp.LpVariable, pulp.LpVariable]]:
    """Each integer variable of the hourly problem with its coarse counterpart."""
    result = [(var, coarse.open[site]) for site, var in problem.open.items()]
    result += [(var, coarse.chargers[key]) for key, var in problem.chargers.items()]
    hourly_pairs = problem.structure.pairs[["need_id", "site_id"]].itertuples(index=False)
    coarse_pair = {
        (str(n), str(s)): i
        for i, (n, s) in enumerate(
            coarse.structure.pairs[["need_id", "site_id"]].itertuples(index=False)
        )
    }
    for pair, (need_id, site_id) in enumerate(hourly_pairs):
        at = coarse_pair.get((str(need_id), str(site_id)))
        if at is not None:
            result.append((problem.vehicles[pair], coarse.vehicles[at]))
    return result


def _proven(run: StageRun, bound: float | None, options: SolveOptions) -> StageRun:
    """The repair's run with the gap against the coarse bound (optimal when within the gap)."""
    if not run.has_solution or run.objective is None or bound is None:
        return replace(run, gap=None, bound=bound)
    gap = max(run.objective - bound, 0.0) / max(abs(run.objective), 1e-9)
    status = SolveStatus.OPTIMAL if gap <= options.mip_gap + 1e-12 else SolveStatus.FEASIBLE
    text = f"{COST}: hourly plan {gap:.2%} above the coarse bound (limit {options.mip_gap:.2%})"
    return replace(run, gap=gap, bound=bound, status=status, message=text)
