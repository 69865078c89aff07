"""A case without time structure is the capacitated facility location model, solved to optimality.

All windows are the whole day and nothing binds the grid, so the model must be no larger than
the classic capacitated facility location model (one assignment variable per need–site pair,
one binary per site) plus the whole-vehicle count of each pair, and HiGHS must prove the
optimum.  Each vehicle takes 1 kWh a day, so a split in whole vehicles is a split in whole kWh,
which the integer min-cost flow also gives: the optimum is that of the divisible model.  The
optimum is checked by brute force: every choice of charger counts per site, each followed by
an exact min-cost flow for the energy (networkx network simplex on integer data).
"""

from __future__ import annotations

import itertools
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from planner.optimisation.inputs import ChargerOption, PlanInputs
from planner.optimisation.solvers import SolveStatus
from tests._plan_checks import check_invariants
from tests._plan_fixtures import micro_inputs, need, pair, site, solve_micro

CHARGER_KW = 5
PENALTY = 20
HOURS = 24


def random_case(seed: int) -> PlanInputs:
    """Integer data: energy, costs per kWh, fixed costs, capex; annuity and days are 1."""
    rng = np.random.default_rng(seed)
    n_needs, n_sites = int(rng.integers(3, 6)), int(rng.integers(3, 5))
    needs = [
        need(
            f"N{i}", organisation=f"ORG-{i % 2}", energy=float(kwh), vehicles=float(kwh), max_kw=100
        )
        for i, kwh in enumerate(rng.integers(10, 200, size=n_needs).tolist())
    ]
    sites = [
        site(
            f"S{j}",
            max_chargers=int(rng.integers(1, 4)),
            max_power_kw=float(rng.integers(1, 4) * CHARGER_KW),
            fixed_cost=float(rng.integers(0, 800)),
        )
        for j in range(n_sites)
    ]
    pairs = [
        pair(n["need_id"], s["site_id"], cost=float(rng.integers(0, 6)))
        for n in needs
        for s in sites
        if rng.random() < 0.75
    ]
    charger = ChargerOption(
        "DC5", float(CHARGER_KW), float(rng.integers(100, 500)), frozenset({"N1"})
    )
    return micro_inputs(
        needs,
        sites,
        pairs,
        chargers=(charger,),
        capex_annuity_factor=1.0,
        operating_days_per_year=1.0,
        unmet_penalty_eur_per_kwh=float(PENALTY),
    )


def brute_force(inputs: PlanInputs) -> float:
    """Least total cost (penalty included) over every charger count per site."""
    sites = inputs.sites.reset_index(drop=True)
    capex = inputs.chargers[0].capex_eur
    best = float("inf")
    for counts in itertools.product(*[range(int(m) + 1) for m in sites["max_chargers"]]):
        capacity = [
            int(min(cap, n * CHARGER_KW) * HOURS)
            for cap, n in zip(sites["max_power_kw"], counts, strict=True)
        ]
        fixed = sum(f for f, n in zip(sites["fixed_cost_eur"], counts, strict=True) if n > 0)
        best = min(best, fixed + capex * sum(counts) + flow_cost(inputs, sites, capacity))
    return float(best)


def flow_cost(inputs: PlanInputs, sites: pd.DataFrame, capacity: list[int]) -> int:
    graph: nx.DiGraph[Any] = nx.DiGraph()
    needs, pairs = inputs.needs, inputs.pairs
    energy = needs["energy_kwh_per_day"].to_numpy(int)
    for need_id, kwh in zip(needs["need_id"], energy.tolist(), strict=True):
        graph.add_node(("need", need_id), demand=-kwh)
        graph.add_edge(("need", need_id), "unmet", weight=PENALTY)
    for site_id, cap in zip(sites["site_id"], capacity, strict=True):
        graph.add_edge(("site", site_id), "sink", capacity=cap, weight=0)
    costs = pairs["access_cost_eur_per_kwh"].to_numpy(int).tolist()
    for need_id, site_id, cost in zip(pairs["need_id"], pairs["site_id"], costs, strict=True):
        graph.add_edge(("need", need_id), ("site", site_id), weight=cost)
    graph.add_edge("unmet", "sink", weight=0)
    graph.add_node("sink", demand=int(energy.sum()))
    return int(nx.min_cost_flow_cost(graph))


@pytest.mark.parametrize("seed", range(10))
def test_no_time_structure_is_solved_to_the_brute_force_optimum(seed: int) -> None:
    inputs = random_case(seed)
    problem, result = solve_micro(inputs)
    assert result.status == SolveStatus.OPTIMAL, result.message
    check_invariants(problem, result)
    assert result.objective_eur is not None
    total = result.objective_eur + result.costs["unmet_penalty_eur"]
    assert total == pytest.approx(brute_force(inputs), abs=1e-3)


@pytest.mark.parametrize("seed", range(3))
def test_no_time_structure_builds_no_more_than_the_facility_location_model(seed: int) -> None:
    inputs = random_case(seed)
    problem, _ = solve_micro(inputs)
    n_pairs, n_sites, n_needs = len(inputs.pairs), len(inputs.sites), len(inputs.needs)
    used_sites = inputs.pairs["site_id"].nunique()
    assert problem.structure.blocks.count == 1
    assert len(problem.power) == n_pairs  # one assignment variable per need–site pair
    assert len(problem.open) == used_sites <= n_sites  # one binary per site
    assert all(v.upBound == 1 for v in problem.open.values())
    assert problem.peaks == [] and problem.reinforcement == {}
    # besides: one charger count per site (one type), one unmet variable per need and one
    # whole-vehicle count per pair
    assert problem.sizes()["variables"] == 2 * n_pairs + 2 * used_sites + n_needs
    assert not [name for name in problem.prob._constraints if name.startswith("grid")]
