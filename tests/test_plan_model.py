"""How the MILP is put together: rows and variables registered as PuLP's own calls would."""

from __future__ import annotations

import numpy as np

from planner.optimisation.highs import problem_variables
from planner.optimisation.inputs import PlanInputs
from planner.optimisation.model import _Grouped, _rows_below_nodes, build_problem
from planner.optimisation.structure import make_structure
from tests._plan_fixtures import grid, micro_inputs, need, pair, site


def grid_case() -> PlanInputs:
    """Two needs, three sites under three cabins (two congested), reinforcement allowed."""
    the_grid = grid(
        [("SUB", ""), ("CAB-1", "SUB"), ("CAB-2", "SUB"), ("CAB-3", "SUB")],
        {"SUB": 5_000.0, "CAB-1": 10.0, "CAB-2": 15.0, "CAB-3": 1.0},
    )
    sites = [
        site("CHEAP", node="CAB-1", fixed_cost=0.0),
        site("OTHER", node="CAB-2", fixed_cost=20_000.0, available=("07:00", "19:00")),
        site("IDLE", node="CAB-3"),
    ]
    needs = [need("VAN", energy=480.0), need("TRUCK", organisation="ORG-B", energy=300.0)]
    pairs = [pair("VAN", "CHEAP"), pair("VAN", "OTHER"), pair("TRUCK", "OTHER")]
    return micro_inputs(
        needs, sites, pairs, grid_inputs=the_grid, allow_reinforcement=True,
        reinforcement_cost_eur_per_kva=0.0,
    )  # fmt: skip


def test_the_problem_registers_exactly_the_variables_of_its_rows() -> None:
    problem = build_problem(grid_case())
    prob = problem.prob
    in_rows = {v.name for constraint in prob.constraints() for v in constraint}
    registered = {v.name for v in prob._variables}  # before variables() adds the objective's
    assert registered == in_rows
    assert prob.numVariables() == len(in_rows)
    assert {"reinforce_1", "reinforce_2", "peak_chargers_0_N1"} <= registered


def test_grouped_terms_keep_the_order_of_their_positions() -> None:
    variables = [f"v{i}" for i in range(6)]
    grouped = _Grouped(
        np.array([2, 0, 2, 1, 0]), variables, np.arange(6.0), np.array([5, 4, 3, 2, 1])
    )
    assert grouped.keys == [0, 1, 2]
    assert grouped.sizes == [2, 1, 2]
    assert grouped.terms(0) == [("v4", 4.0), ("v1", 1.0)]
    assert grouped.terms(2) == [("v5", 5.0), ("v3", 3.0)]
    assert _Grouped(np.array([3, 3]), variables, 0.5).terms(0) == [("v0", 0.5), ("v1", 0.5)]
    assert _Grouped(np.zeros(0, dtype=np.intp), variables, 1.0).count == 0


def test_rows_below_nodes_follow_every_node_on_the_path() -> None:
    s = make_structure(grid_case())
    rows, nodes = _rows_below_nodes(s)
    expected = [
        (row, node)
        for row, site in enumerate(s.pair_site[s.row_pair].tolist())
        for node in s.site_nodes[site]
    ]
    assert list(zip(rows.tolist(), nodes.tolist(), strict=True)) == expected
    assert len(expected) > 0


def test_the_highs_pass_takes_pulps_columns_in_pulps_order() -> None:
    prob = build_problem(grid_case()).prob
    extra = prob.add_variable("zz_unused", 0.0, 1.0)
    prob._variables.append(extra)  # registered without a row, as addVariable would
    prob._variable_ids[extra.hash] = extra
    assert problem_variables(prob) == prob.variables()
