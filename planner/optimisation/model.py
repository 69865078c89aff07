"""Build one year's site-selection MILP in PuLP: :func:`build_problem` (no solving).

Variables (names carry positions; the tables in :class:`PlanProblem` map them back):

* ``power_{row}`` ≥ 0, kW: power of a need at a site in each slot of a block (pair–block
  rows of :class:`~planner.optimisation.structure.PlanStructure`), at most vehicles ×
  ``max_kw_per_vehicle`` × the open share of the slot;
* ``unmet_{need}`` ≥ 0, kWh per working day;
* ``open_{site}`` binary (fixed to 1 where chargers exist or were built earlier; those pay
  no fixed cost again);
* ``chargers_{site}_{type}`` integer within ``max_chargers``, at least the chargers in place;
* ``reinforce_{node}`` ≥ 0, kVA of new reinforcement (only at nodes with a binding row, and
  only when ``allow_reinforcement``).

Constraint families (``define_*_constraints``), with structured names:

* ``energy-{need}``: Σ hours × power + unmet = daily energy;
* ``link-{need}-{site}``: energy at a site ≤ min(daily energy, what fits) × open — the
  disaggregated linking that makes the relaxation tight;
* ``clink-{need}-{site}``: energy at a site ≤ min(daily energy, what fits) × Σ chargers of
  the types suiting the need's category — the same disaggregation on the chargers, which
  closes most of the LP–MIP gap (:func:`define_charger_link_constraints`);
* ``vehicles-{need}-{slot}``: a need's power over all its sites ≤ vehicles × max kW;
* ``chargers-{site}-{category}[-{slot}]``: power of a category ≤ Σ over the types suiting
  it of chargers × min(type kW, vehicle kW) — a vehicle draws at most its own maximum, so
  this also counts plugs;
* ``power-{site}[-{slot}]``: total power ≤ Σ chargers × the most one charger gives any
  category at the site (sites serving several categories);
* ``connection-{site}``: peak power ≤ ``max_power_kw`` × open;
* ``max-chargers-{site}``: Σ chargers ≤ ``max_chargers`` × open;
* ``grid-{node}-{slot}``: load of every site fed below the node (kW ÷ power factor) ≤ its
  headroom + new reinforcement, kVA (every node on the path binds);
* whole vehicles (and cuts that count them whole), no dust and connectors: see
  :mod:`planner.optimisation.plan_rules`
  (``vehicles_{pair}`` integer units per need–site pair).

``{slot}`` is the first slot of the block.  A site used in several blocks has a peak
variable per category (and for its total): the rows with ``-{slot}`` bound it from below by
the power in each block, the rows without bound it by the chargers
(:func:`define_site_constraints`).  PuLP writes ``-`` in names as ``_``.

Objective: annualised cost (see :class:`CostCoefficients`) + unmet penalty (+ ladder premium
under ``weighted``).
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt
import pandas as pd
import pulp

from charging_sites import Tier
from planner.optimisation.inputs import PlanInputs, charger_floors
from planner.optimisation.rows import PlanLpProblem
from planner.optimisation.structure import (
    IntArray,
    PlanStructure,
    charger_kw,
    make_structure,
    only_pairs,
)
from planner.optimisation.timeblocks import FloatArray
from planner.scenario import LadderPolicy

Terms = list[tuple[pulp.LpVariable, float]]
LE = pulp.LpConstraintLE


@dataclass(frozen=True)
class CostCoefficients:
    """Annual cost per unit of each variable, EUR (what the objective is made of).

    Attributes
    ----------
    power_energy, power_access, power_premium
        Per pair–block row and kW: operating days × hours × energy price, × access cost,
        × ladder premium (``weighted`` only).
    unmet
        Per need and kWh/day: operating days × penalty.
    unmet_premium
        Per need and kWh/day, ``weighted`` only: operating days × the highest tier premium,
        so that the premium never makes leaving energy unmet cheaper, against serving it on
        the dearest tier, than it is without a ladder.
    open
        Per modelled site: annuity × fixed cost (0 where already open).
    chargers
        Per charger variable: annuity × capex.
    reinforcement
        Per reinforcement variable and kVA: annual reinforcement cost.
    """

    power_energy: FloatArray
    power_access: FloatArray
    power_premium: FloatArray
    unmet: FloatArray
    unmet_premium: FloatArray
    open: dict[int, float]
    chargers: dict[tuple[int, int], float]
    reinforcement: dict[int, float]

    @property
    def power_eur_per_kw(self) -> FloatArray:
        """Per pair–block row and kW: energy, access and premium together."""
        return self.power_energy + self.power_access + self.power_premium

    @property
    def unmet_eur_per_kwh(self) -> FloatArray:
        """Per need and kWh/day left unmet: penalty and premium together."""
        return self.unmet + self.unmet_premium


@dataclass
class PlanProblem:
    """A built, unsolved problem and the maps from its variables back to the inputs.

    Attributes
    ----------
    inputs, structure
        What it was built from.
    prob
        The PuLP problem, objective = cost + penalty (+ premium).
    power, unmet
        Variables per pair–block row and per need.
    open, chargers, reinforcement
        Variables by site position, (site, type) positions and node position.
    peaks
        Peak-power variables of sites used in several blocks (see
        :func:`define_site_constraints`).
    charger_floor
        Chargers in place per (site, type) positions (lower bounds, no capex).
    costs
        The objective's coefficients.
    private_energy, semi_public_energy
        Energy per day on private and on semi-public sites (ladder stages), kWh.
    build_s
        Wall-clock seconds to build.
    vehicles
        Whole units (vehicles) of each need charging at each site, by pair position
        (:mod:`planner.optimisation.plan_rules`).
    pair_energy
        Per pair: the terms of its daily energy, kWh (:func:`define_pair_energy`).
    energy_vars
        The pair-energy variables (pairs charging in several blocks).
    site_cap_kw
        Per pair: the most power its site can give the need's category
        (:func:`pair_site_cap_kw`, computed once from the bounds the build gives).
    all_pairs
        The structure over every candidate pair of the year where the model was built on
        some of them (:func:`build_problem`'s ``keep_pairs``), else ``None``; see
        :attr:`candidates`.
    """

    inputs: PlanInputs
    structure: PlanStructure
    prob: PlanLpProblem
    power: list[pulp.LpVariable]
    unmet: list[pulp.LpVariable]
    open: dict[int, pulp.LpVariable]
    chargers: dict[tuple[int, int], pulp.LpVariable]
    reinforcement: dict[int, pulp.LpVariable]
    peaks: list[pulp.LpVariable]
    charger_floor: dict[tuple[int, int], int]
    costs: CostCoefficients
    private_energy: pulp.LpAffineExpression
    semi_public_energy: pulp.LpAffineExpression
    build_s: float
    vehicles: dict[int, pulp.LpVariable] = field(default_factory=dict)
    pair_energy: list[Terms] = field(default_factory=list)
    energy_vars: list[pulp.LpVariable] = field(default_factory=list)
    all_pairs: PlanStructure | None = None

    @cached_property
    def site_cap_kw(self) -> FloatArray:
        """See the class docstring."""
        return pair_site_cap_kw(self)

    @property
    def candidates(self) -> PlanStructure:
        """The structure over every candidate pair of the year (the model's own by default).

        What a plan could use whatever the model holds: the figures that speak of every
        plan (the structural unmet energy, the ladder's energy maxima, a need's candidate
        sites) are read from it.
        """
        return self.structure if self.all_pairs is None else self.all_pairs

    @cached_property
    def candidate_site_cap_kw(self) -> FloatArray:
        """Per candidate pair: :attr:`site_cap_kw` (:func:`pair_site_cap_kw`)."""
        if self.all_pairs is None:
            return self.site_cap_kw
        return pair_site_cap_kw(self, self.all_pairs)

    def sizes(self) -> dict[str, int]:
        """Variables, constraints and integer variables of the model."""
        integers = len(self.open) + len(self.chargers) + len(self.vehicles)
        return {
            "variables": len(self.power)
            + len(self.unmet)
            + integers
            + len(self.reinforcement)
            + len(self.peaks)
            + len(self.energy_vars),
            "constraints": self.prob.numConstraints(),
            "integers": integers,
            "blocks": self.structure.blocks.count,
            "pairs": len(self.structure.pairs),
            "candidate_pairs": len(self.candidates.pairs),
        }


def build_problem(
    inputs: PlanInputs,
    coarse: bool = False,
    max_blocks: int | None = None,
    structure: PlanStructure | None = None,
    keep_pairs: npt.NDArray[np.bool_] | None = None,
) -> PlanProblem:
    """Build the year's MILP (see the module docstring); nothing is solved.

    Parameters
    ----------
    inputs
        The year's inputs.
    coarse
        Build the coarse-block relaxation instead of the hourly model
        (:func:`~planner.optimisation.structure.make_structure`).
    max_blocks
        Most blocks of the coarse model.
    structure
        The structure already made of these inputs with the same ``coarse`` and
        ``max_blocks`` (it is made here by default).
    keep_pairs
        Build the model on these of the structure's pairs only (:func:`only_pairs`); every
        site must keep one.  The structure stays the problem's :attr:`PlanProblem.candidates`.
    """
    started = time.perf_counter()
    with no_garbage_collection():
        structure = structure or make_structure(inputs, coarse, max_blocks)
        if keep_pairs is None:
            problem = _build(inputs, structure)
        else:
            problem = _build(inputs, only_pairs(structure, keep_pairs))
            problem.all_pairs = structure
    problem.build_s = time.perf_counter() - started
    return problem


@contextlib.contextmanager
def no_garbage_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector while a model is built (and a year is planned).

    A build allocates millions of PuLP objects, none in a reference cycle; the collector's
    passes over them took a third of the build time (Antwerpen case: 12 s → 8 s without),
    and while the year was solved another 3–5 s (:func:`~planner.workflows.multiyear.plan_year`
    pauses it for the whole year).  Nested uses leave it to the outermost to resume.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build(inputs: PlanInputs, structure: PlanStructure) -> PlanProblem:
    prob = PlanLpProblem(f"laadplan_{inputs.year}", pulp.LpMinimize)
    power = [
        prob.add_variable(f"power_{row}", 0.0, float(ub))
        for row, ub in enumerate(structure.row_ub_kw)
    ]
    unmet = [prob.add_variable(f"unmet_{n}", 0.0) for n in range(len(inputs.needs))]
    open_vars, chargers, floor = _define_site_variables(prob, inputs, structure)
    reinforcement = _define_reinforcement_variables(prob, inputs, structure)
    problem = PlanProblem(
        inputs=inputs,
        structure=structure,
        prob=prob,
        power=power,
        unmet=unmet,
        open=open_vars,
        chargers=chargers,
        reinforcement=reinforcement,
        peaks=[],
        charger_floor=floor,
        costs=_cost_coefficients(inputs, structure, open_vars, chargers, reinforcement),
        private_energy=pulp.LpAffineExpression(),
        semi_public_energy=pulp.LpAffineExpression(),
        build_s=0.0,
    )
    define_pair_energy(problem)
    define_energy_constraints(problem)
    define_link_constraints(problem)
    define_charger_link_constraints(problem)
    define_vehicle_constraints(problem)
    define_site_constraints(problem)
    define_grid_constraints(problem)
    define_plan_rules(problem)
    prob.setObjective(make_objective(problem))
    problem.private_energy = tier_energy(problem, Tier.PRIVATE)
    problem.semi_public_energy = tier_energy(problem, Tier.SEMI_PUBLIC)
    return problem


def define_plan_rules(problem: PlanProblem) -> None:
    """Whole vehicles, no dust and connectors (:mod:`planner.optimisation.plan_rules`)."""
    from planner.optimisation import plan_rules  # it builds on this module's helpers

    plan_rules.define_vehicle_split_constraints(problem)
    plan_rules.define_whole_unit_cuts(problem)
    plan_rules.define_min_energy_constraints(problem)
    plan_rules.define_connector_constraints(problem)


def _define_site_variables(
    prob: pulp.LpProblem, inputs: PlanInputs, structure: PlanStructure
) -> tuple[
    dict[int, pulp.LpVariable], dict[tuple[int, int], pulp.LpVariable], dict[tuple[int, int], int]
]:
    floor = charger_floors(inputs)
    in_place_at: dict[int, dict[int, int]] = defaultdict(dict)
    for (s, k), n in floor.items():
        in_place_at[s][k] = n
    site_ids = inputs.sites["site_id"].astype(str).to_numpy()
    max_chargers = inputs.sites["max_chargers"].to_numpy()
    opened = inputs.built.opened
    open_vars: dict[int, pulp.LpVariable] = {}
    chargers: dict[tuple[int, int], pulp.LpVariable] = {}
    for site in np.unique(structure.pair_site).tolist():
        in_place = in_place_at.get(site, {})
        fixed_open = site_ids[site] in opened or sum(in_place.values()) > 0
        open_vars[site] = prob.add_variable(
            f"open_{site}", 1 if fixed_open else 0, 1, pulp.LpInteger
        )
        limit = max(int(max_chargers[site]), sum(in_place.values()))
        for k in sorted(set(structure.site_types[site]) | set(in_place)):
            chargers[(site, k)] = prob.add_variable(
                f"chargers_{site}_{k}", in_place.get(k, 0), limit, pulp.LpInteger
            )
    return open_vars, chargers, {key: n for key, n in floor.items() if key in chargers}


def _define_reinforcement_variables(
    prob: pulp.LpProblem, inputs: PlanInputs, structure: PlanStructure
) -> dict[int, pulp.LpVariable]:
    if not inputs.settings.allow_reinforcement:
        return {}
    binding_nodes = np.flatnonzero(~np.isnan(structure.binding_kva).all(axis=1))
    return {int(v): prob.add_variable(f"reinforce_{v}", 0.0) for v in binding_nodes}


def _cost_coefficients(
    inputs: PlanInputs,
    structure: PlanStructure,
    open_vars: dict[int, pulp.LpVariable],
    chargers: dict[tuple[int, int], pulp.LpVariable],
    reinforcement: dict[int, pulp.LpVariable],
) -> CostCoefficients:
    s = inputs.settings
    days, annuity = s.operating_days_per_year, s.capex_annuity_factor
    unit = days * structure.row_hours
    access = structure.pairs["access_cost_eur_per_kwh"].to_numpy(float)[structure.row_pair]
    tier = inputs.sites["tier"].to_numpy()[structure.pair_site[structure.row_pair]]
    premium = np.array([s.tier_premium_eur_per_kwh.get(str(t), 0.0) for t in tier])
    highest = max(s.tier_premium_eur_per_kwh.values(), default=0.0)
    if s.ladder_policy != LadderPolicy.WEIGHTED:
        premium, highest = np.zeros(len(tier)), 0.0
    fixed = inputs.sites["fixed_cost_eur"].to_numpy(float)
    return CostCoefficients(
        power_energy=unit * structure.row_price_eur_per_kwh,
        power_access=unit * access,
        power_premium=unit * premium,
        unmet=np.full(len(inputs.needs), days * s.unmet_penalty_eur_per_kwh),
        unmet_premium=np.full(len(inputs.needs), days * highest),
        open={
            site: 0.0 if var.lowBound == 1 else annuity * fixed[site]
            for site, var in open_vars.items()
        },
        chargers={key: annuity * inputs.chargers[key[1]].capex_eur for key in chargers},
        reinforcement={v: s.reinforcement_cost_eur_per_kva for v in reinforcement},
    )


def make_objective(problem: PlanProblem) -> pulp.LpAffineExpression:
    """Annualised cost + unmet penalty (+ premium): the objective of the cost stage.

    Chargers already in place are sunk: their capex is taken off as a constant.
    """
    c = problem.costs
    terms: Terms = list(zip(problem.power, c.power_eur_per_kw.tolist(), strict=True))
    terms += list(zip(problem.unmet, c.unmet_eur_per_kwh.tolist(), strict=True))
    terms += [(problem.open[s], cost) for s, cost in c.open.items() if cost]
    terms += [(problem.chargers[key], cost) for key, cost in c.chargers.items() if cost]
    terms += [(problem.reinforcement[v], cost) for v, cost in c.reinforcement.items() if cost]
    sunk = sum(c.chargers[key] * n for key, n in problem.charger_floor.items())
    return pulp.LpAffineExpression(terms, constant=-sunk)


def tier_energy(problem: PlanProblem, tier: str) -> pulp.LpAffineExpression:
    """Energy per day charged on sites of a tier, kWh (an expression of the power rows)."""
    return pulp.LpAffineExpression(
        [term for part in tier_energy_by_need(problem, tier) for term in part.items()]
    )


def tier_energy_by_need(problem: PlanProblem, tier: str) -> tuple[pulp.LpAffineExpression, ...]:
    """Energy per day each need charges on sites of a tier, kWh (needs with such sites)."""
    s = problem.structure
    site_tier = problem.inputs.sites["tier"].to_numpy()[s.pair_site[s.row_pair]]
    rows = np.flatnonzero(site_tier == tier)
    grouped = _Grouped(s.pair_need[s.row_pair[rows]], problem.power, s.row_hours, rows)
    return tuple(pulp.LpAffineExpression(grouped.terms(g)) for g in range(grouped.count))


def _add(problem: PlanProblem, name: str, terms: Terms, sense: int, rhs: float) -> None:
    """Add a row to the problem's rows (:mod:`planner.optimisation.rows`).

    ``addConstraint`` would also register every variable of every row (millions of calls on
    a large case); the ``define_*`` functions :func:`_register` each variable once instead.
    """
    problem.prob.add_row(name, terms, sense, rhs)


def _register(problem: PlanProblem, variables: Iterable[pulp.LpVariable]) -> None:
    """Register variables that rows hold (see :func:`_add`); each family registers its own."""
    problem.prob._add_variables(variables)


def _groups(keys: IntArray) -> Iterable[tuple[int, IntArray]]:
    """Positions of equal keys, per key (in key order)."""
    if keys.size == 0:
        return []
    order = np.argsort(keys, kind="stable")
    bounds = [0, *(np.flatnonzero(np.diff(keys[order])) + 1).tolist(), keys.size]
    return ((int(keys[order[a]]), order[a:b]) for a, b in itertools.pairwise(bounds))


class _Grouped:
    """Terms (variable, coefficient) grouped by a key, ready to slice into rows.

    Parameters
    ----------
    keys
        One key per term.
    variables, coefficients
        Indexed by ``positions`` (or by term when ``positions`` is ``None``); one number is
        the coefficient of every term.
    positions
        Position of each term's variable and coefficient.

    Attributes
    ----------
    keys
        The distinct keys, ascending (group ``g`` is ``keys[g]``).
    sizes
        Terms per group.

    Within a group the terms keep their order (stable sort).
    """

    def __init__(
        self,
        keys: IntArray,
        variables: Sequence[pulp.LpVariable],
        coefficients: FloatArray | float,
        positions: IntArray | None = None,
    ) -> None:
        order = np.argsort(keys, kind="stable")
        at = order if positions is None else positions[order]
        sorted_keys = keys[order]
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        if keys.size == 0:
            starts = np.zeros(0, dtype=np.intp)
        self.keys: list[int] = sorted_keys[starts].tolist()
        self._bounds: list[int] = [*starts.tolist(), int(keys.size)]
        self.sizes: list[int] = np.diff(self._bounds).tolist() if self.keys else []
        self._variables = [variables[i] for i in at.tolist()]
        self._coefficients: list[float] = (
            [coefficients] * len(self._variables)
            if isinstance(coefficients, float)
            else np.asarray(coefficients, dtype=np.float64)[at].tolist()
        )

    @property
    def count(self) -> int:
        """Number of groups."""
        return len(self.keys)

    def terms(self, group: int) -> Terms:
        """The terms of a group."""
        a, b = self._bounds[group], self._bounds[group + 1]
        return list(zip(self._variables[a:b], self._coefficients[a:b], strict=True))


def _ids(frame_column: pd.Series) -> list[str]:
    """A table column as a list of strings (ids in row names)."""
    return [str(value) for value in frame_column.tolist()]


def define_pair_energy(problem: PlanProblem) -> None:
    """``pair-energy-{need}-{site}``: the daily energy of a pair charging in several blocks.

    One continuous variable ``energy_{pair}`` = Σ hours × power over the pair's blocks; the
    rows on a pair's energy (link, charger link, whole vehicles, no dust, the need's energy)
    hold it instead of every block's power, which keeps the matrix about half as dense.  A
    pair charging in one block keeps its one power term.
    """
    s = problem.structure
    grouped = _Grouped(s.row_pair, problem.power, s.row_hours)
    need_ids, site_ids = _ids(s.pairs["need_id"]), _ids(s.pairs["site_id"])
    problem.pair_energy = [[] for _ in range(len(s.pairs))]
    for g, pair in enumerate(grouped.keys):
        terms = grouped.terms(g)
        if len(terms) == 1:
            problem.pair_energy[pair] = terms
            continue
        var = problem.prob.add_variable(f"energy_{pair}", 0.0)
        problem.energy_vars.append(var)
        terms.append((var, -1.0))
        name = f"pair-energy-{need_ids[pair]}-{site_ids[pair]}"
        _add(problem, name, terms, pulp.LpConstraintEQ, 0.0)
        problem.pair_energy[pair] = [(var, 1.0)]
    _register(problem, itertools.chain(problem.power, problem.energy_vars))


def pair_energy_terms(problem: PlanProblem, pairs: Iterable[int]) -> Terms:
    """The terms of the daily energy of some pairs together, kWh."""
    return [term for pair in pairs for term in problem.pair_energy[pair]]


def define_energy_constraints(problem: PlanProblem) -> None:
    """``energy-{need}``: energy charged at all sites + unmet = the need's daily energy."""
    s, needs = problem.structure, problem.inputs.needs
    pairs_of: dict[int, list[int]] = defaultdict(list)
    for pair, need in enumerate(s.pair_need.tolist()):
        pairs_of[need].append(pair)
    energy = needs["energy_kwh_per_day"].to_numpy(float).tolist()
    for n, need_id in enumerate(_ids(needs["need_id"])):
        terms = pair_energy_terms(problem, pairs_of.get(n, []))
        terms.append((problem.unmet[n], 1.0))
        _add(problem, f"energy-{need_id}", terms, pulp.LpConstraintEQ, energy[n])
    _register(problem, problem.unmet)


def define_link_constraints(problem: PlanProblem) -> None:
    """``link-{need}-{site}``: energy of a pair ≤ min(daily energy, what fits) × open."""
    s = problem.structure
    caps = pair_caps_kwh(problem).tolist()
    need_ids, site_ids = _ids(s.pairs["need_id"]), _ids(s.pairs["site_id"])
    for pair, site in enumerate(s.pair_site.tolist()):
        site_open = problem.open[site]
        if site_open.lowBound == 1:
            continue
        terms = pair_energy_terms(problem, [pair])
        terms.append((site_open, -caps[pair]))
        _add(problem, f"link-{need_ids[pair]}-{site_ids[pair]}", terms, LE, 0.0)


def pair_caps_kwh(problem: PlanProblem, candidates: bool = False) -> FloatArray:
    """Per pair: the most it can charge a day, kWh (the need's energy, and what fits).

    What fits is, block by block, the pair's power bound within what its site can give the
    need's category (:func:`pair_site_cap_kw`).  Over the model's pairs, or with
    ``candidates`` over every candidate pair (:attr:`PlanProblem.candidates`).
    """
    inputs = problem.inputs
    s = problem.candidates if candidates else problem.structure
    site_cap_kw = problem.candidate_site_cap_kw if candidates else problem.site_cap_kw
    row_kw = np.minimum(s.row_ub_kw, site_cap_kw[s.row_pair])
    fits = np.bincount(s.row_pair, weights=s.row_hours * row_kw, minlength=len(s.pairs))
    energy = inputs.needs["energy_kwh_per_day"].to_numpy(float)[s.pair_need]
    caps: FloatArray = np.minimum(energy, fits)
    return caps


def pair_site_cap_kw(problem: PlanProblem, structure: PlanStructure | None = None) -> FloatArray:
    """Per pair: the most power its site can give the need's category in any plan, kW.

    The chargers in place (or bought in earlier years) stay, the rest of the site's
    ``max_chargers`` holds the type that gives the category most (:func:`charger_kw`, at the
    site's highest vehicle kW of the category, as ``chargers-{site}-{category}`` counts), and
    the connection (``max_power_kw``) caps the sum.  The power of every pair of that
    category at the site is part of it, so this bounds each pair's power in every block: a
    depot whose ``max_chargers`` are all taken by chargers in place gives a truck no more
    than those chargers do, whatever its own energy.  The pairs are the problem's, or those
    of ``structure`` (with the same sites).

    Examples
    --------
    One DC 40 kW charger in place, two AC 11 kW ones, and room for one more charger of any
    type: a truck (N3, 150 kW) gets at most 40 kW plus the best type's 150 kW, a van (N1,
    11 kW) 11 + 11 + 11.

    >>> import pulp
    >>> from types import SimpleNamespace
    >>> from planner.optimisation.inputs import ChargerOption
    >>> chargers = [
    ...     ChargerOption("AC 11 kW", 11.0, 1.0, frozenset({"N1"})),
    ...     ChargerOption("AC 22 kW", 22.0, 1.0, frozenset({"N1"})),
    ...     ChargerOption("DC 40 kW", 40.0, 1.0, frozenset({"N3"})),
    ...     ChargerOption("DC 150 kW", 150.0, 1.0, frozenset({"N3"})),
    ... ]
    >>> needs = pd.DataFrame({"category": ["N3", "N1"]})
    >>> sites = pd.DataFrame({"max_power_kw": [1000.0]})
    >>> count = {0: (2, 4), 1: (0, 4), 2: (1, 4), 3: (0, 4)}  # in place, max_chargers
    >>> prob = pulp.LpProblem("site")
    >>> problem = SimpleNamespace(
    ...     inputs=SimpleNamespace(needs=needs, sites=sites, chargers=chargers),
    ...     structure=SimpleNamespace(
    ...         pair_need=np.array([0, 1]), pair_site=np.array([0, 0]),
    ...         site_categories=[{"N3": 150.0, "N1": 11.0}],
    ...     ),
    ...     chargers={(0, k): prob.add_variable(f"c{k}", *count[k]) for k in count},
    ... )
    >>> pair_site_cap_kw(problem).tolist()
    [190.0, 33.0]
    """
    s, inputs = structure or problem.structure, problem.inputs
    category = inputs.needs["category"].astype(str).to_numpy()[s.pair_need].tolist()
    connection = inputs.sites["max_power_kw"].to_numpy(float)
    types: dict[int, list[int]] = defaultdict(list)
    for site, k in problem.chargers:
        types[site].append(k)
    cache: dict[tuple[int, str], float] = {}
    caps = np.empty(len(category))
    for pair, key in enumerate(zip(s.pair_site.tolist(), category, strict=True)):
        if key not in cache:
            site, cat = key
            vehicle_kw = s.site_categories[site].get(cat, 0.0)
            gives = {k: charger_kw(inputs.chargers[k], cat, vehicle_kw) for k in types[site]}
            counts = {k: problem.chargers[(site, k)] for k in types[site]}
            in_place = sum(int(var.lowBound or 0) for var in counts.values())
            limit = max((int(var.upBound or 0) for var in counts.values()), default=0)
            chargers_kw = sum(gives[k] * int(var.lowBound or 0) for k, var in counts.items())
            chargers_kw += max(limit - in_place, 0) * max(gives.values(), default=0.0)
            cache[key] = float(np.fmin(connection[site], chargers_kw))
        caps[pair] = cache[key]
    return caps


def define_charger_link_constraints(problem: PlanProblem) -> None:
    """``clink-{need}-{site}``: energy of a pair ≤ min(daily energy, what fits) × suitable chargers.

    Valid for every integer plan: a category draws power at a site only when at least one
    charger suiting it is there (``chargers-{site}-{category}``), and with one or more the
    right side is at least the pair's largest energy.  The LP relaxation, which otherwise
    buys a sliver of a charger per kW, must buy one whole charger's worth per need served.
    Skipped where a suitable charger is already in place (the row could never bind).
    """
    s, inputs = problem.structure, problem.inputs
    caps = pair_caps_kwh(problem).tolist()
    category = inputs.needs["category"].astype(str).to_numpy()[s.pair_need].tolist()
    need_ids, site_ids = _ids(s.pairs["need_id"]), _ids(s.pairs["site_id"])
    suiting: dict[tuple[int, str], list[pulp.LpVariable]] = {}
    for (site, k), var in problem.chargers.items():
        for cat in inputs.chargers[k].categories:
            suiting.setdefault((site, cat), []).append(var)
    for pair, site in enumerate(s.pair_site.tolist()):
        chargers = suiting.get((site, category[pair]), [])
        if not chargers or any(var.lowBound >= 1 for var in chargers):
            continue
        terms = pair_energy_terms(problem, [pair])
        terms += [(var, -caps[pair]) for var in chargers]
        _add(problem, f"clink-{need_ids[pair]}-{site_ids[pair]}", terms, LE, 0.0)


def define_vehicle_constraints(problem: PlanProblem) -> None:
    """``vehicles-{need}-{slot}``: a need's power over its sites ≤ vehicles × max kW.

    Only where the need can charge at two or more sites in the block (else the variable's
    bound says it).
    """
    s = problem.structure
    n_blocks = s.blocks.count
    key = s.pair_need[s.row_pair] * n_blocks + s.row_block
    grouped = _Grouped(key, problem.power, 1.0)
    first = s.blocks.first_slot
    need_ids = _ids(problem.inputs.needs["need_id"])
    for g, k in enumerate(grouped.keys):
        if grouped.sizes[g] < 2:
            continue
        need, block = divmod(k, n_blocks)
        cap = float(s.need_block_cap_kw[need, block])
        _add(problem, f"vehicles-{need_ids[need]}-{first[block]}", grouped.terms(g), LE, cap)


@dataclass(frozen=True)
class _SiteData:
    """Columns the site rows read, as lists (one lookup per site instead of a table access)."""

    site_ids: list[str]
    max_power_kw: list[float]
    row_category: npt.NDArray[np.object_]
    chargers_at: dict[int, list[tuple[pulp.LpVariable, float]]]


def define_site_constraints(problem: PlanProblem) -> None:
    """Per site: chargers per category, installed power, connection cap, max chargers.

    A site used in several blocks gets a continuous peak variable per category (and one for
    its total when it serves several categories): the power in each block is at most the
    peak, and the peak is at most what the chargers give.  Only the peak rows hold integer
    variables, one per site and category instead of one per block, which keeps the MIP's cut
    loop small.
    """
    s, inputs = problem.structure, problem.inputs
    chargers_at: dict[int, list[tuple[pulp.LpVariable, float]]] = defaultdict(list)
    for (site, _), var in problem.chargers.items():
        chargers_at[site].append((var, 1.0))
    data = _SiteData(
        site_ids=_ids(inputs.sites["site_id"]),
        max_power_kw=inputs.sites["max_power_kw"].to_numpy(float).tolist(),
        row_category=inputs.needs["category"].to_numpy()[s.pair_need[s.row_pair]],
        chargers_at=chargers_at,
    )
    for site, rows in _groups(s.pair_site[s.row_pair]):
        _define_site(problem, site, rows, data)
    for site, site_open in problem.open.items():
        terms = list(chargers_at[site])
        limit = max(float(var.upBound) for var, _ in terms)
        terms.append((site_open, -limit))
        _add(problem, f"max-chargers-{data.site_ids[site]}", terms, LE, 0.0)
    _register(problem, itertools.chain(problem.open.values(), problem.chargers.values()))


def _define_site(problem: PlanProblem, site: int, rows: IntArray, data: _SiteData) -> None:
    s, inputs = problem.structure, problem.inputs
    site_id = data.site_ids[site]
    category = data.row_category[rows]
    types = [(inputs.chargers[k], problem.chargers[(site, k)]) for k in s.site_types[site]]
    vehicle_kw = s.site_categories[site]
    categories = sorted(set(category.tolist()))
    peaks: dict[str, Terms] = {}
    for cat in categories:
        peaks[cat] = _peak(
            problem, site, f"{site_id}-{cat}", f"chargers_{site}_{cat}", rows[category == cat]
        )
        supply = [(var, -charger_kw(o, cat, vehicle_kw[cat])) for o, var in types if o.suits(cat)]
        _add(problem, f"chargers-{site_id}-{cat}", [*peaks[cat], *supply], LE, 0.0)
    total = peaks[categories[0]]
    if len(categories) > 1:
        total = _peak(problem, site, f"{site_id}", f"load_{site}", rows, "power")
        best = [
            (var, -max(charger_kw(o, c, kw) for c, kw in vehicle_kw.items())) for o, var in types
        ]
        _add(problem, f"power-{site_id}", [*total, *best], LE, 0.0)
    cap = data.max_power_kw[site]
    site_open = problem.open[site]
    if site_open.lowBound == 1:
        _add(problem, f"connection-{site_id}", total, LE, cap)
    else:
        _add(problem, f"connection-{site_id}", [*total, (site_open, -cap)], LE, 0.0)


def _peak(
    problem: PlanProblem,
    site: int,
    label: str,
    var_name: str,
    rows: IntArray,
    family: str = "chargers",
) -> Terms:
    """Terms of the peak power of some rows of a site over its blocks.

    With one block the peak is the power itself; with several, a continuous variable bounded
    below by the power in each block (rows ``{family}-{label}-{slot}``).
    """
    s = problem.structure
    grouped = _Grouped(s.row_block[rows], problem.power, 1.0, rows)
    if grouped.count == 1:
        return grouped.terms(0)
    peak = problem.prob.add_variable(f"peak_{var_name}", 0.0)
    problem.peaks.append(peak)
    _register(problem, [peak])
    for g, block in enumerate(grouped.keys):
        terms = grouped.terms(g)
        terms.append((peak, -1.0))
        _add(problem, f"{family}-{label}-{s.blocks.first_slot[block]}", terms, LE, 0.0)
    return [(peak, 1.0)]


def define_grid_constraints(problem: PlanProblem) -> None:
    """``grid-{node}-{slot}``: load below a node ≤ its headroom + new reinforcement."""
    s, inputs = problem.structure, problem.inputs
    rows, nodes = _rows_below_nodes(s)
    binding = s.binding_kva
    n_blocks = s.blocks.count
    blocks = s.row_block[rows]
    binds = ~np.isnan(binding[nodes, blocks]) if rows.size else np.zeros(0, dtype=bool)
    key = nodes[binds] * n_blocks + blocks[binds]
    kva_per_kw = 1.0 / inputs.power_factor
    grouped = _Grouped(key, problem.power, kva_per_kw, rows[binds])
    node_ids = _ids(inputs.grid.nodes["node_id"])
    first = s.blocks.first_slot
    for g, k in enumerate(grouped.keys):
        node, block = divmod(k, n_blocks)
        terms = grouped.terms(g)
        if node in problem.reinforcement:
            terms.append((problem.reinforcement[node], -1.0))
            _register(problem, [problem.reinforcement[node]])
        name = f"grid-{node_ids[node]}-{first[block]}"
        _add(problem, name, terms, LE, float(binding[node, block]))


def _rows_below_nodes(s: PlanStructure) -> tuple[IntArray, IntArray]:
    """Every (pair–block row, grid node on its site's path), rows ascending.

    Within a row the nodes keep the order of ``site_nodes``.
    """
    counts = np.array([len(path) for path in s.site_nodes], dtype=np.intp)
    flat = np.array([n for path in s.site_nodes for n in path], dtype=np.intp)
    start = np.r_[0, np.cumsum(counts)[:-1]].astype(np.intp) if counts.size else counts
    row_site = s.pair_site[s.row_pair]
    per_row = counts[row_site] if counts.size else np.zeros(len(row_site), dtype=np.intp)
    rows = np.repeat(np.arange(len(row_site), dtype=np.intp), per_row)
    offset = np.arange(rows.size, dtype=np.intp) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    nodes = flat[np.repeat(start[row_site], per_row) + offset] if rows.size else rows
    return rows, nodes


def variable_values(variables: Sequence[pulp.LpVariable]) -> FloatArray:
    """Solution values of variables (0 where the solver gave none)."""
    return np.array([v.varValue or 0.0 for v in variables], dtype=np.float64)
