"""Invariants recomputed from a solved plan, independently of the model's own bookkeeping.

Each check starts from the plan's tables (and, where a table does not hold the figure, from the
solution values of the power variables) and from the inputs, and asserts a rule of the issue:
energy balance per need, power ≤ chargers and connection cap per slot, load ≤ headroom
(+ reinforcement) per node and slot, power ≤ vehicles × max kW, charging only in the windows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pulp

from planner.optimisation.model import PlanProblem
from planner.optimisation.results import PlanResult
from planner.optimisation.timeblocks import minute_mask, slot_share

TOLERANCE = 1e-4


def check_invariants(problem: PlanProblem, result: PlanResult) -> None:
    """Assert every invariant on a solved problem and its result."""
    assert result.has_plan, result.message
    check_energy_balance(problem.inputs.needs, result)
    check_site_power(problem.inputs.sites, result)
    check_grid(problem, result)
    check_need_power_and_windows(problem)


def check_energy_balance(needs: pd.DataFrame, result: PlanResult) -> None:
    """Energy at all sites + unmet = the need's daily energy, for every need."""
    served = result.assignments.groupby("need_id")["energy_kwh_per_day"].sum()
    unmet = result.unmet.set_index("need_id")["unmet_kwh_per_day"]
    for need_id, energy in zip(needs["need_id"], needs["energy_kwh_per_day"], strict=True):
        total = float(served.get(need_id, 0.0)) + float(unmet.get(need_id, 0.0))
        assert abs(total - energy) <= TOLERANCE * max(1.0, energy), (need_id, total, energy)


def check_site_power(sites: pd.DataFrame, result: PlanResult) -> None:
    """Per site and slot: power ≤ installed charger power and ≤ the connection cap; only open
    sites charge, within ``max_chargers``; a site opened or given chargers is used."""
    plan = result.sites.set_index("site_id")
    installed = dict(zip(result.sites["site_id"], result.sites["installed_kw"], strict=True))
    cap = sites.set_index("site_id")["max_power_kw"]
    limit = sites.set_index("site_id")["max_chargers"]
    peaks = result.site_power.groupby("site_id")["power_kw"].max()
    for site_id, peak in zip(peaks.index, peaks.to_numpy(float), strict=True):
        assert site_id in plan.index, f"{site_id} charges but is not open"
        assert peak <= float(installed[site_id]) + TOLERANCE, site_id
        assert peak <= float(cap[str(site_id)]) + TOLERANCE, site_id
    for site_id in plan.index:
        row = plan.loc[site_id]
        assert row["chargers"] <= max(limit[site_id], row["existing_chargers"]), site_id
        if row["newly_opened"] or row["new_chargers"] > 0:  # nothing bought without use
            assert row["energy_kwh_per_day"] > 0, site_id


def check_grid(problem: PlanProblem, result: PlanResult) -> None:
    """Per node and slot: load of every site below ÷ power factor ≤ max(headroom, 0) +
    reinforcement, with the load summed here from the site powers and the feeding tree."""
    inputs = problem.inputs
    nodes = inputs.grid.nodes["node_id"].tolist()
    if not nodes:
        return
    node_of_site = dict(zip(inputs.sites["site_id"], inputs.sites["grid_node_id"], strict=True))
    paths = inputs.grid.ancestors()
    load = np.zeros((len(nodes), inputs.n_slots))
    position = {node: i for i, node in enumerate(nodes)}
    power = result.site_power
    for site_id, slot, kw in zip(power["site_id"], power["slot"], power["power_kw"], strict=True):
        for node in paths.get(node_of_site[site_id], []):
            load[position[node], int(slot)] += float(kw) / inputs.power_factor
    reinforcement = result.reinforcement.set_index("node_id")["total_kva"]
    for node, i in position.items():
        allowed = np.clip(inputs.grid.headroom_kva[i], 0, None) + reinforcement.get(node, 0.0)
        allowed = np.where(np.isnan(allowed), np.inf, allowed)
        assert np.all(load[i] <= allowed + TOLERANCE), (node, load[i], allowed)


def check_need_power_and_windows(problem: PlanProblem) -> None:
    """Per need and slot: power over its sites ≤ vehicles × max kW, and no power outside its
    dwell window ∩ the site's availability (recomputed from the minute masks)."""
    s, inputs = problem.structure, problem.inputs
    power = np.array([v.varValue or 0.0 for v in problem.power])
    slots_of = [list(block) for block in s.blocks.slots]
    need_slot = np.zeros((len(inputs.needs), inputs.n_slots))
    for row in np.flatnonzero(power > TOLERANCE):
        need, site = s.pair_need[s.row_pair[row]], s.pair_site[s.row_pair[row]]
        n, st = inputs.needs.iloc[need], inputs.sites.iloc[site]
        window = minute_mask(n["dwell_start"], n["dwell_end"])
        window = window & minute_mask(st["available_from"], st["available_to"])
        open_share = slot_share(window, inputs.slot_minutes)[slots_of[s.row_block[row]]]
        assert np.all(open_share > 0), (n["need_id"], st["site_id"], slots_of[s.row_block[row]])
        need_slot[need, slots_of[s.row_block[row]]] += power[row]
    cap = (inputs.needs["vehicles"] * inputs.needs["max_kw_per_vehicle"]).to_numpy(float)
    assert np.all(need_slot <= cap[:, None] + TOLERANCE)


def check_every_row(problem: PlanProblem, tolerance: float = 1e-6) -> None:
    """Every row, bound and integrality of the (hourly) PuLP problem holds at the plan's values.

    The tolerance is relative to the row's largest term (or its right side), as a solver's.
    """
    for constraint in problem.prob.constraints():
        name = constraint.name
        terms = [coefficient * (var.varValue or 0.0) for var, coefficient in constraint.items()]
        activity, rhs = sum(terms), -float(constraint.constant)
        slack = tolerance * max([1.0, abs(rhs), *map(abs, terms)])
        if constraint.sense == pulp.LpConstraintLE:
            assert activity <= rhs + slack, (name, activity, rhs)
        elif constraint.sense == pulp.LpConstraintGE:
            assert activity >= rhs - slack, (name, activity, rhs)
        else:
            assert abs(activity - rhs) <= slack, (name, activity, rhs)
    for var in problem.prob.variables():
        value = var.varValue or 0.0
        scale = tolerance * max(1.0, abs(value))
        assert var.lowBound is None or value >= var.lowBound - scale, (var.name, value)
        assert var.upBound is None or value <= var.upBound + scale, (var.name, value)
        if var.cat == pulp.LpInteger:
            assert abs(value - round(value)) <= 1e-6, (var.name, value)
