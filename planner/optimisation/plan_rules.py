"""Rules that make a plan acceptable to a depot manager: whole vehicles, connectors, no dust.

Added to the model of :mod:`planner.optimisation.model` as separate constraint families:

* **Whole vehicles** (:func:`define_vehicle_split_constraints`).  A need's vehicles are split
  between its sites in whole *units*: one integer ``vehicles_{pair}`` per need–site pair
  counts the units charging there.  A unit is one vehicle; where one vehicle's daily energy is
  below ``min_assignment_kwh_per_day`` the unit is the whole need (its vehicles charge at one
  site).  Rows ``vehicle-energy-{need}-{site}``: energy at the pair ≤ units × what one unit
  takes (its daily energy, and what fits in the pair's blocks); ``vehicle-split-{need}``:
  Σ units over the need's sites ≤ its units (vehicles rounded up), only where the need has
  several sites.
* **Whole-unit cuts** (:func:`define_whole_unit_cuts`): valid rows that make the relaxation
  count whole units, as every plan must.  Without them a need of 1.2 vehicles charging all
  its energy at its depot takes 1.2 connectors there in the relaxation, where a plan takes 2
  (or sends a second vehicle elsewhere).  ``vehicle-round-{need}-{site}``: per pair, the
  mixed-integer rounding of ``energy ≤ unit × units`` with ``energy ≤ cap`` (the hull of the
  pair's own whole units); ``vehicle-count-{need}``: per need, Σ units + unmet ÷ (f × unit)
  ≥ its units, f the fractional part of its vehicles; ``vehicle-private-{need}``: the same
  with only the units at its private sites counted and the energy it charges elsewhere
  beside the unmet (a second van's remainder goes to a semi-public site whole, or takes a
  second connector at a depot).
* **No dust** (:func:`define_min_energy_constraints`).  ``min-energy-{need}-{site}``: energy
  at a pair ≥ units × min(``min_assignment_kwh_per_day``, the need's energy), so a need is
  assigned to a site for at least the minimum, or for its whole energy when that is less;
  ``min-site-energy-{site}``: energy at a site ≥ the minimum × open (no site opened for
  less).  A pair that cannot carry the minimum gets no units.
* **Connectors** (:func:`define_connector_constraints`).  At a private site the vehicles
  parked at the same time each need a connector, unless the scenario plans
  ``replug_rounds`` per dwell window: ``connectors-{site}-{slot}``: Σ vehicles of the needs
  parked in the slot ≤ ``replug_rounds`` × Σ connectors × chargers (one row per distinct,
  maximal set of needs parked together).  At a semi-public or public site vehicles come and
  go: ``connector-hours-{site}``: Σ charging hours (energy ÷ the vehicle's charging power)
  ≤ the site's open hours × Σ connectors × chargers.

The integers added are one per pair.  On the Antwerpen benchmark case (2030) the cuts raise
the coarse relaxation's optimum from 43.76 to 44.23 M EUR (measurements in
``docs/optimiser.md``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import pulp

from charging_sites import Tier
from planner.optimisation.inputs import PlanInputs
from planner.optimisation.model import (
    LE,
    PlanProblem,
    Terms,
    _add,
    _ids,
    _register,
    pair_caps_kwh,
    pair_energy_terms,
)
from planner.optimisation.structure import IntArray, charger_kw
from planner.optimisation.timeblocks import FloatArray, minute_mask, slot_share

GE = pulp.LpConstraintGE
#: Relative slack below which a pair cannot carry a need's minimum energy.
_FIT_TOLERANCE = 1e-9
#: A unit count within this of a whole number is whole (:func:`whole_and_share`).
_WHOLE_TOLERANCE = 1e-6


@dataclass(frozen=True)
class VehicleUnits:
    """How each need's vehicles are split between sites (see the module docstring).

    Attributes
    ----------
    units
        Per need: units its vehicles form (whole vehicles, rounded up; 1 for a whole need).
    vehicles_per_unit
        Per need: whole vehicles in one unit.
    unit_kwh
        Per need: daily energy of one unit, kWh.
    min_kwh
        Per need: least energy one unit charges at a site, kWh/day.
    """

    units: IntArray
    vehicles_per_unit: IntArray
    unit_kwh: FloatArray
    min_kwh: FloatArray


def vehicle_units(needs: pd.DataFrame, min_kwh_per_day: float) -> VehicleUnits:
    """The units of each need (see :class:`VehicleUnits`).

    Examples
    --------
    >>> needs = pd.DataFrame({"vehicles": [2.3, 4.0], "energy_kwh_per_day": [46.0, 2.0]})
    >>> u = vehicle_units(needs, 1.0)
    >>> u.units.tolist(), u.vehicles_per_unit.tolist(), u.unit_kwh.tolist()
    ([3, 1], [1, 4], [20.0, 2.0])
    """
    vehicles = needs["vehicles"].to_numpy(float)
    energy = needs["energy_kwh_per_day"].to_numpy(float)
    whole = np.maximum(np.ceil(vehicles - 1e-9), 1).astype(np.intp)
    per_vehicle = np.minimum(energy / np.where(vehicles > 0, vehicles, 1.0), energy)
    one_unit = per_vehicle < min_kwh_per_day
    return VehicleUnits(
        units=np.where(one_unit, 1, whole).astype(np.intp),
        vehicles_per_unit=np.where(one_unit, whole, 1).astype(np.intp),
        unit_kwh=np.where(one_unit, energy, per_vehicle),
        min_kwh=np.minimum(min_kwh_per_day, energy),
    )


def pair_unit_kwh(
    problem: PlanProblem, units: VehicleUnits, candidates: bool = False
) -> FloatArray:
    """Per pair: the most one unit charges there per day, kWh (its energy, and what fits).

    What fits is, block by block, the unit's share of the pair's power bound within what
    the site can give the need's category (:attr:`PlanProblem.site_cap_kw`): every plan's energy
    at the pair is within that cap, so a unit's row taking no more than it cuts off no plan
    (one unit or more reach the cap anyway).  Over the model's pairs, or with ``candidates``
    over every candidate pair (:attr:`PlanProblem.candidates`).
    """
    s = problem.candidates if candidates else problem.structure
    site_cap_kw = problem.candidate_site_cap_kw if candidates else problem.site_cap_kw
    vehicles = problem.inputs.needs["vehicles"].to_numpy(float)[s.pair_need]
    share = np.minimum(1.0, units.vehicles_per_unit[s.pair_need] / np.maximum(vehicles, 1e-9))
    row_kw = np.minimum(s.row_ub_kw * share[s.row_pair], site_cap_kw[s.row_pair])
    fits = np.bincount(s.row_pair, weights=s.row_hours * row_kw, minlength=len(s.pairs))
    result: FloatArray = np.minimum(units.unit_kwh[s.pair_need], fits)
    return result


def pair_unit_tops(
    units: VehicleUnits, pair_need: IntArray, per_unit_kwh: FloatArray
) -> npt.NDArray[np.intp]:
    """Per pair: the most units it may take (its need's units; 0 where one falls short).

    A pair where one unit's energy (``per_unit_kwh``, :func:`pair_unit_kwh`) falls short of
    the need's minimum takes none (no dust).  ``pair_need``: each pair's need.
    """
    usable = per_unit_kwh >= units.min_kwh[pair_need] * (1 - _FIT_TOLERANCE)
    tops: npt.NDArray[np.intp] = np.where(usable, units.units[pair_need], 0).astype(np.intp)
    return tops


def define_vehicle_split_constraints(problem: PlanProblem) -> None:
    """Integer units per pair, ``vehicle-energy-{need}-{site}`` and ``vehicle-split-{need}``."""
    s, inputs = problem.structure, problem.inputs
    units = vehicle_units(inputs.needs, inputs.settings.min_assignment_kwh_per_day)
    per_unit = pair_unit_kwh(problem, units)
    tops = pair_unit_tops(units, s.pair_need, per_unit).tolist()
    need_ids, site_ids = _ids(s.pairs["need_id"]), _ids(s.pairs["site_id"])
    for pair in range(len(s.pairs)):
        problem.vehicles[pair] = problem.prob.add_variable(
            f"vehicles_{pair}", 0, tops[pair], pulp.LpInteger
        )
    _register(problem, problem.vehicles.values())
    for pair in range(len(s.pairs)):
        terms = pair_energy_terms(problem, [pair])
        terms.append((problem.vehicles[pair], -float(per_unit[pair])))
        _add(problem, f"vehicle-energy-{need_ids[pair]}-{site_ids[pair]}", terms, LE, 0.0)
    need_names = _ids(inputs.needs["need_id"])
    for need, pairs in _positions_by_key(s.pair_need):
        if pairs.size > 1:
            terms = [(problem.vehicles[int(p)], 1.0) for p in pairs]
            cap = float(units.units[need])
            _add(problem, f"vehicle-split-{need_names[need]}", terms, LE, cap)


def define_whole_unit_cuts(problem: PlanProblem) -> None:
    """``vehicle-round-{need}-{site}`` per pair; ``vehicle-count-``, ``vehicle-private-{need}``.

    All three are mixed-integer rounding (MIR) cuts of rows the model has, so every plan
    satisfies them.  Write a pair's energy e ≤ c (``cap``: the need's energy and what fits)
    and e ≤ u × x (``vehicle-energy``: u what one unit takes there, x its whole units); with
    c ÷ u = (k − 1) + f, 0 < f < 1, reaching more than (k − 1) × u takes k units, so
    x ≥ e ÷ (f u) − (k − 1)(1 − f) ÷ f: the line through (e, x) = ((k − 1) u, k − 1) and
    (c, k).  Per need, with E = Σ e + unmet (``energy``), Σ e ≤ u × Σ x and E ÷ u = (k − 1)
    + f: Σ x + unmet ÷ (f u) ≥ k.  The same holds for the units of any set of its pairs,
    with the energy of its other pairs beside the unmet; the set taken is its private
    pairs, where units take connectors (only where it has other pairs too).  A pair or need
    whose count is whole gets no row (the relaxation counts it right already).
    """
    units = vehicle_units(problem.inputs.needs, problem.inputs.settings.min_assignment_kwh_per_day)
    _define_pair_rounding_cuts(problem, units)
    _define_need_count_cuts(problem, units)


def _define_pair_rounding_cuts(problem: PlanProblem, units: VehicleUnits) -> None:
    """``vehicle-round-{need}-{site}``: x ≥ e ÷ (f u) − (k − 1)(1 − f) ÷ f per pair."""
    s = problem.structure
    per_unit = pair_unit_kwh(problem, units)
    caps = pair_caps_kwh(problem)
    need_ids, site_ids = _ids(s.pairs["need_id"]), _ids(s.pairs["site_id"])
    for pair, var in problem.vehicles.items():
        usable = bool(var.upBound) and per_unit[pair] > 0
        rounding = whole_and_share(caps[pair] / per_unit[pair]) if usable else None
        if rounding is None:
            continue
        whole, share = rounding
        slope = 1.0 / (share * float(per_unit[pair]))
        terms = [(v, c * slope) for v, c in pair_energy_terms(problem, [pair])]
        terms.append((var, -1.0))
        rhs = (whole - 1) * (1 - share) / share
        _add(problem, f"vehicle-round-{need_ids[pair]}-{site_ids[pair]}", terms, LE, rhs)


def _define_need_count_cuts(problem: PlanProblem, units: VehicleUnits) -> None:
    """``vehicle-count-{need}`` and ``vehicle-private-{need}``: Σ x + … ÷ (f u) ≥ k."""
    s, inputs = problem.structure, problem.inputs
    energy = inputs.needs["energy_kwh_per_day"].to_numpy(float)
    need_names = _ids(inputs.needs["need_id"])
    private = inputs.sites["tier"].to_numpy()[s.pair_site] == Tier.PRIVATE
    for need, pairs in _positions_by_key(s.pair_need):
        unit_kwh = float(units.unit_kwh[need])
        rounding = whole_and_share(energy[need] / unit_kwh) if unit_kwh > 0 else None
        if rounding is None:
            continue
        whole, share = rounding
        slope = 1.0 / (share * unit_kwh)
        terms = [(problem.vehicles[int(p)], 1.0) for p in pairs]
        terms.append((problem.unmet[need], slope))
        _add(problem, f"vehicle-count-{need_names[need]}", terms, GE, float(whole))
        at_depots = private[pairs]
        if at_depots.any() and not at_depots.all():
            terms = [(problem.vehicles[int(p)], 1.0) for p in pairs[at_depots]]
            elsewhere = pair_energy_terms(problem, sorted(pairs[~at_depots].tolist()))
            terms += [(v, c * slope) for v, c in elsewhere]
            terms.append((problem.unmet[need], slope))
            _add(problem, f"vehicle-private-{need_names[need]}", terms, GE, float(whole))


def whole_and_share(count: float) -> tuple[int, float] | None:
    """A count as (k, f) with count = (k − 1) + f, 0 < f < 1; ``None`` when it is whole.

    Within 1e-6 of a whole number counts as whole (a row of ``1 ÷ f`` would be ill-scaled).

    Examples
    --------
    A need of 3 vehicles is counted right by the relaxation; one of 1.25 vehicles takes 2:

    >>> whole_and_share(3.0), whole_and_share(1.25)
    (None, (2, 0.25))
    """
    whole = math.ceil(count - _WHOLE_TOLERANCE)
    share = count - (whole - 1)
    if not _WHOLE_TOLERANCE < share < 1 - _WHOLE_TOLERANCE or whole < 1:
        return None
    return whole, float(share)


def _positions_by_key(keys_of: IntArray) -> list[tuple[int, IntArray]]:
    """Positions of equal keys (e.g. the pairs of each need), per key in key order."""
    order = np.argsort(keys_of, kind="stable")
    keys = keys_of[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if keys.size else keys
    bounds = [*starts.tolist(), int(keys.size)]
    return [(int(keys[a]), order[a:b]) for a, b in itertools.pairwise(bounds)]


def define_min_energy_constraints(problem: PlanProblem) -> None:
    """``min-energy-{need}-{site}`` per pair and ``min-site-energy-{site}`` per closable site."""
    s, inputs = problem.structure, problem.inputs
    minimum = inputs.settings.min_assignment_kwh_per_day
    if minimum <= 0:
        return
    units = vehicle_units(inputs.needs, minimum)
    need_ids, site_ids = _ids(s.pairs["need_id"]), _ids(s.pairs["site_id"])
    for pair in range(len(s.pairs)):
        terms = pair_energy_terms(problem, [pair])
        terms.append((problem.vehicles[pair], -float(units.min_kwh[s.pair_need[pair]])))
        _add(problem, f"min-energy-{need_ids[pair]}-{site_ids[pair]}", terms, GE, 0.0)
    names = _ids(inputs.sites["site_id"])
    for site, pairs in _positions_by_key(s.pair_site):
        site_open = problem.open[site]
        if site_open.lowBound == 1:
            continue
        terms = pair_energy_terms(problem, sorted(pairs.tolist()))
        terms.append((site_open, -minimum))
        _add(problem, f"min-site-energy-{names[site]}", terms, GE, 0.0)


def define_connector_constraints(problem: PlanProblem) -> None:
    """``connectors-{site}-{slot}`` at private sites, ``connector-hours-{site}`` elsewhere."""
    s, inputs = problem.structure, problem.inputs
    tiers = inputs.sites["tier"].to_numpy()
    units = vehicle_units(inputs.needs, inputs.settings.min_assignment_kwh_per_day)
    plugs = _plug_terms(problem)
    hours_per_kw = s.row_hours / charging_kw(problem)
    rows_at = dict(_positions_by_key(s.pair_site[s.row_pair]))
    for site, pairs in _positions_by_key(s.pair_site):
        if not plugs.get(site):
            continue
        if tiers[site] == Tier.PRIVATE:
            _define_parked(problem, site, pairs, plugs[site], units)
        else:
            _define_connector_hours(problem, site, plugs[site], rows_at[site], hours_per_kw)


def _plug_terms(problem: PlanProblem) -> dict[int, Terms]:
    """Per site: its connectors as terms, connectors × chargers per charger variable."""
    options = problem.inputs.chargers
    plugs: dict[int, Terms] = {}
    for (site, k), var in problem.chargers.items():
        plugs.setdefault(site, []).append((var, float(options[k].connectors)))
    return plugs


def parked_slots(problem: PlanProblem, pairs: Sequence[int] | IntArray) -> npt.NDArray[np.bool_]:
    """Per pair (rows) and slot: whether the need's vehicles stand at the site then.

    They stand there in their dwell window while the site is available.
    """
    s = problem.structure
    at = np.asarray(pairs, dtype=np.intp)
    return parked_masks(problem.inputs, s.pair_need[at], s.pair_site[at])


def parked_masks(
    inputs: PlanInputs, needs_at: IntArray, sites_at: IntArray
) -> npt.NDArray[np.bool_]:
    """Per row (a need's position and a site's) and slot: whether the vehicles stand there.

    In the need's dwell window while the site is available; each distinct pair of windows
    is worked out once.
    """
    needs, sites = inputs.needs, inputs.sites
    keys = zip(
        needs["dwell_start"].astype(str).to_numpy()[needs_at],
        needs["dwell_end"].astype(str).to_numpy()[needs_at],
        sites["available_from"].astype(str).to_numpy()[sites_at],
        sites["available_to"].astype(str).to_numpy()[sites_at],
        strict=True,
    )
    cache: dict[tuple[str, str, str, str], npt.NDArray[np.bool_]] = {}
    masks = []
    for key in keys:
        if key not in cache:
            window = minute_mask(key[0], key[1]) & minute_mask(key[2], key[3])
            cache[key] = slot_share(window, inputs.slot_minutes) > 0
        masks.append(cache[key])
    return np.array(masks, dtype=bool).reshape(len(masks), inputs.n_slots)


def maximal_sets(parked: npt.NDArray[np.bool_]) -> list[tuple[int, frozenset[int]]]:
    """The distinct sets of rows parked together that no other slot's set contains.

    Returns (first slot, rows) per set, in slot order.  Below, row 0 alone (slot 0) is
    inside rows 0 and 1 together (slot 1), so it needs no row of its own.

    Examples
    --------
    >>> parked = np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 0]], dtype=bool)
    >>> maximal_sets(parked)
    [(1, frozenset({0, 1})), (2, frozenset({1, 2}))]
    """
    first: dict[frozenset[int], int] = {}
    for slot in range(parked.shape[1]):
        rows = frozenset(np.flatnonzero(parked[:, slot]).tolist())
        if rows and rows not in first:
            first[rows] = slot
    kept = [(slot, rows) for rows, slot in first.items() if not any(rows < o for o in first)]
    return sorted(kept, key=lambda item: item[0])


def _define_parked(
    problem: PlanProblem, site: int, pairs: IntArray, plugs: Terms, units: VehicleUnits
) -> None:
    s, settings = problem.structure, problem.inputs.settings
    site_id = str(problem.inputs.sites["site_id"].iloc[site])
    rounds = float(settings.replug_rounds)
    parked = parked_slots(problem, pairs)
    for slot, rows in maximal_sets(parked):
        terms: Terms = [
            (problem.vehicles[int(pairs[r])], float(units.vehicles_per_unit[s.pair_need[pairs[r]]]))
            for r in sorted(rows)
        ]
        terms += [(var, -rounds * n) for var, n in plugs]
        _add(problem, f"connectors-{site_id}-{slot}", terms, LE, 0.0)


def _define_connector_hours(
    problem: PlanProblem, site: int, plugs: Terms, rows: IntArray, hours_per_kw: FloatArray
) -> None:
    """``connector-hours-{site}`` over the site's pair–block rows (``rows``, ascending)."""
    row = problem.inputs.sites.iloc[site]
    hours = minute_mask(str(row["available_from"]), str(row["available_to"])).sum() / 60
    at = np.sort(rows)
    terms: Terms = list(
        zip([problem.power[r] for r in at.tolist()], hours_per_kw[at].tolist(), strict=True)
    )
    terms += [(var, -float(hours) * n) for var, n in plugs]
    _add(problem, f"connector-hours-{row['site_id']}", terms, LE, 0.0)


def charging_kw(problem: PlanProblem) -> FloatArray:
    """Per pair–block row: the power one vehicle charges at, kW.

    Its own maximum, capped by the most any charger type the site may have gives it.
    """
    s, inputs = problem.structure, problem.inputs
    needs = inputs.needs
    types: dict[int, list[int]] = {}
    for at_site, k in problem.chargers:
        types.setdefault(at_site, []).append(k)
    need = s.pair_need[s.row_pair]
    site = s.pair_site[s.row_pair]
    category = needs["category"].astype(str).to_numpy()[need]
    vehicle_kw = needs["max_kw_per_vehicle"].to_numpy(float)[need]
    cache: dict[tuple[int, str, float], float] = {}
    result = np.empty(len(s.row_pair))
    for i, key in enumerate(
        zip(site.tolist(), category.tolist(), vehicle_kw.tolist(), strict=True)
    ):
        if key not in cache:
            at, cat, kw = key
            offered = [charger_kw(inputs.chargers[k], cat, kw) for k in types.get(at, [])]
            cache[key] = max([*offered, 0.0]) or kw
        result[i] = cache[key]
    kw_per_row: FloatArray = np.maximum(result, 1e-6)
    return kw_per_row


def connectors_needed(vehicles: float, rounds: int) -> int:
    """Connectors that ``vehicles`` parked together need with ``rounds`` re-plugging rounds.

    Examples
    --------
    >>> connectors_needed(14, 1), connectors_needed(14, 4)
    (14, 4)
    """
    return math.ceil(vehicles / rounds - 1e-9)
