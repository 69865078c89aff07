"""The hourly repair is built on the pairs the coarse plan uses (``coarse.repair_pairs``).

A year planned by ``plan_year`` solves its coarse model first; the hourly model the repair
holds that plan's whole vehicles in is then built only on the pairs the plan gives
vehicles, and one pair of every site.  These tests hold it to what that must not change:
the plan is a plan of the model over every pair, at the same cost; the figures about every
plan (structural unmet energy, the ladder certificate, a need's candidate sites) are read
over every pair; and where the first hold leaves no plan, the holds after it get the model
over every pair.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, cast

import numpy as np
import pandas as pd
import pulp
import pytest

from planner.optimisation import coarse
from planner.optimisation.case import PlanCase
from planner.optimisation.inputs import BuiltCapacity, PlanInputs
from planner.optimisation.model import PlanProblem, build_problem
from planner.optimisation.results import PlanResult
from planner.optimisation.solvers import Stage
from planner.workflows import multiyear
from tests._plan_checks import check_every_row
from tests.test_plan_coarse import HOURLY_COLUMNS, timed_case

SEEDS = [0, 1, 2, 3, 4, 5]


def plan_year(
    inputs: PlanInputs, monkeypatch: pytest.MonkeyPatch, every_pair: bool = False
) -> tuple[PlanResult, list[PlanProblem]]:
    """``plan_year`` on these inputs; its result and the hourly problems it built.

    With ``every_pair`` the hourly model is built on every pair (as before the repair was
    built on the coarse plan's pairs).
    """
    built: list[PlanProblem] = []

    def build(inputs: PlanInputs, **kwargs: Any) -> PlanProblem:
        problem = build_problem(inputs, **kwargs)
        built.append(problem)
        return problem

    with monkeypatch.context() as patch:
        patch.setattr(multiyear, "build_problem", build)
        patch.setattr(multiyear, "inputs_for_year", lambda case, year, done: inputs)
        if every_pair:
            patch.setattr(multiyear, "repair_pairs", lambda structure, ahead: None)
        result = multiyear.plan_year(cast(PlanCase, None), inputs.year, BuiltCapacity())
    return result, built


def ids(pairs: pd.DataFrame) -> set[tuple[str, str]]:
    """The (need, site) of a table's rows."""
    frame = pairs[["need_id", "site_id"]].astype(str)
    return set(frame.itertuples(index=False, name=None))


@pytest.mark.parametrize("seed", SEEDS)
def test_the_hourly_model_holds_the_pairs_the_coarse_plan_uses_and_a_pair_of_every_site(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = timed_case(seed, mip_gap=0.01)
    result, [problem] = plan_year(inputs, monkeypatch)
    assert result.has_plan, result.message
    whole = problem.candidates
    assert problem.all_pairs is whole and len(problem.structure.pairs) < len(whole.pairs)
    assigned = result.assignments[result.assignments["vehicles"] > 0]
    used = ids(assigned)
    kept = ids(problem.structure.pairs)
    assert used <= kept
    assert set(problem.open) == set(np.unique(whole.pair_site).tolist())  # every site
    assert len(kept - used) <= len(problem.open)  # beside the plan's, one pair per site
    assert result.model["pairs"] == len(kept)
    assert result.model["candidate_pairs"] == len(whole.pairs)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_plan_is_a_plan_of_the_model_over_every_pair_at_the_same_cost(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its integers held on the model over every pair give a plan within every row, at its cost.

    And the year planned on every pair gives the same cost, builds and figures about
    every plan (the hours it charges in may be another optimum of the same cost).
    """
    inputs = timed_case(seed, mip_gap=0.01, ladder_policy="weighted")
    result, [problem] = plan_year(inputs, monkeypatch)
    everywhere, [whole_model] = plan_year(inputs, monkeypatch, every_pair=True)
    assert whole_model.all_pairs is None
    assert result.objective_eur == pytest.approx(everywhere.objective_eur, rel=1e-9)
    assert result.status == everywhere.status
    assert result.mip_gap == pytest.approx(everywhere.mip_gap, abs=1e-12)
    assert result.unmet_structural_kwh_per_day == everywhere.unmet_structural_kwh_per_day
    assert result.ladder_certificate is not None
    assert result.ladder_certificate == everywhere.ladder_certificate
    for name in ("sites", "unmet"):
        mine = getattr(result, name).drop(columns=HOURLY_COLUMNS, errors="ignore")
        theirs = getattr(everywhere, name).drop(columns=HOURLY_COLUMNS, errors="ignore")
        assert mine.equals(theirs), name

    whole = build_problem(inputs, structure=problem.candidates)
    hold_integers(whole, problem)
    whole.prob.solve(pulp.HiGHS(msg=False))
    assert pulp.LpStatus[whole.prob.status] == "Optimal"
    check_every_row(whole)
    cost = pulp.value(whole.prob.objective)
    assert cost == pytest.approx(pulp.value(problem.prob.objective), rel=1e-7)


def hold_integers(whole: PlanProblem, part: PlanProblem) -> None:
    """Hold the whole model's integers at the values the part's plan gives them (0 elsewhere)."""
    for site, var in whole.open.items():
        var.lowBound = var.upBound = round(part.open[site].varValue or 0.0)
    for key, var in whole.chargers.items():
        var.lowBound = var.upBound = round(part.chargers[key].varValue or 0.0)
    part_pairs = part.structure.pairs[["need_id", "site_id"]].astype(str)
    units = {
        pair: round(part.vehicles[i].varValue or 0.0)
        for i, pair in enumerate(part_pairs.itertuples(index=False, name=None))
    }
    whole_pairs = whole.structure.pairs[["need_id", "site_id"]].astype(str)
    for i, pair in enumerate(whole_pairs.itertuples(index=False, name=None)):
        var = whole.vehicles[i]
        var.lowBound = var.upBound = units.get(pair, 0)


def test_where_the_first_hold_leaves_no_plan_the_holds_after_it_have_every_pair(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The plan is then read from the model over every pair, as if it had been built so."""
    seen: list[tuple[coarse.RepairHold, bool]] = []
    repair_stages = coarse._repair_stages

    def first_hold_fails(
        problem: PlanProblem, plan: coarse.CoarsePlan, held: coarse.RepairHold, bound: Any
    ) -> list[Stage]:
        seen.append((held, problem.all_pairs is None))
        stages = repair_stages(problem, plan, held, bound)
        if held != coarse.RepairHold.SITES_AND_VEHICLES:
            return stages
        impossible = {**stages[0].bounds, problem.unmet[0]: (1.0, 0.0)}  # no value fits
        return [replace(stages[0], bounds=impossible), *stages[1:]]

    monkeypatch.setattr(coarse, "_repair_stages", first_hold_fails)
    inputs = timed_case(2, mip_gap=0.01)
    result, [problem] = plan_year(inputs, monkeypatch)
    assert seen[:2] == [
        (coarse.RepairHold.SITES_AND_VEHICLES, False),  # on the coarse plan's pairs
        (coarse.RepairHold.SITES, True),  # on every pair
    ]
    assert result.has_plan, result.message
    assert coarse.REPAIR_RETRIED in {run.name for run in result.stages}
    assert problem.all_pairs is not None
    assert result.model["pairs"] == result.model["candidate_pairs"] == len(problem.all_pairs.pairs)
    seen.clear()
    everywhere, _ = plan_year(inputs, monkeypatch, every_pair=True)
    assert [every for _, every in seen[:2]] == [True, True]
    assert result.objective_eur == pytest.approx(everywhere.objective_eur, rel=1e-9)
    for name in ("sites", "assignments", "unmet"):
        assert getattr(result, name).equals(getattr(everywhere, name)), name
