"""Decomposition per vervoerregio: the split, the merge, the cost against one undivided solve."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from planner.optimisation.case import PlanCase
from planner.optimisation.solvers import SolveStatus
from planner.workflows.case import prepare_plan, read_case
from planner.workflows.datafolder import resolve_data_folder
from planner.workflows.decompose import (
    decompose_case,
    merge_plans,
    reach_energy_by_region,
    split_chargers,
)
from planner.workflows.multiyear import MultiYearPlan, plan_years
from tests._cli import run_cli
from tests._plan_checks import TOLERANCE, check_energy_balance, check_site_power

#: Pure cost (no ladder stages): the decomposed plan is a plan of the undivided case, so its
#: cost can only be higher than the undivided optimum, by the price of the split.
SCENARIO = """name = "decomposition"
[projection]
first_year = 2030
last_year = 2031
slot_minutes = 60
charging_strategy = "offpeak_first"
[projection.voluntary_uptake]
2030 = 0.2
[optimisation]
ladder_policy = "none"
offpeak_policy = "soft"
mip_gap = 0.002
"""
YEARS = [2030, 2031]


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> PlanCase:
    """A generated Leuven case cut in two regions at the median longitude of the depots.

    Leuven's depots and sites lie close together, so many sites are within reach of needs on
    both sides of the cut: the border the decomposition has to handle.
    """
    folder = tmp_path_factory.mktemp("decompose") / "case"
    sizes = ["--needs", "120", "--sites", "50", "--substations", "3", "--cabins", "30"]
    arguments = ["-q", "generate", "--region", "Leuven", "--seed", "4", "--out", str(folder)]
    assert run_cli([*arguments, *sizes]) == 0
    (folder / "scenario.toml").write_text(SCENARIO, encoding="utf-8")
    whole = prepare_plan(read_case(resolve_data_folder(folder)))
    cut = float(whole.needs["lon"].median())
    return replace(
        whole,
        needs=whole.needs.assign(vervoerregio_code=np.where(whole.needs["lon"] < cut, "W", "E")),
        sites=whole.sites.assign(vervoerregio_code=np.where(whole.sites["lon"] < cut, "W", "E")),
    )


@pytest.fixture(scope="module")
def undivided(case: PlanCase) -> MultiYearPlan:
    return plan_years(case, YEARS)


@pytest.fixture(scope="module")
def region_plans(case: PlanCase) -> dict[str, MultiYearPlan]:
    return {part.region: plan_years(part.case, YEARS) for part in decompose_case(case)}


@pytest.fixture(scope="module")
def decomposed(case: PlanCase, region_plans: dict[str, MultiYearPlan]) -> MultiYearPlan:
    return merge_plans(case, dict(region_plans))


def test_every_need_lands_in_exactly_one_sub_problem(case: PlanCase) -> None:
    parts = decompose_case(case)
    assert [part.region for part in parts] == ["E", "W"]
    need_ids = pd.concat([part.case.needs["need_id"] for part in parts])
    assert sorted(need_ids) == sorted(case.needs["need_id"])
    for part in parts:
        assert set(part.case.needs["vervoerregio_code"]) == {part.region}
        assert list(part.case.demand["need"].values) == list(part.case.needs["need_id"])
        assert set(part.case.pairs["site_id"]) <= set(part.case.sites["site_id"])


def test_border_sites_are_offered_to_both_sides_within_their_capacity(case: PlanCase) -> None:
    parts = decompose_case(case)
    sides = pd.concat([part.case.sites.assign(side=part.region) for part in parts])
    offered = sides.groupby("site_id")["side"].nunique()
    assert (offered > 1).any(), "the case should have sites reached across a border"
    original = case.sites.set_index("site_id")
    totals = sides.groupby("site_id")[["max_chargers", "existing_chargers", "max_power_kw"]].sum()
    limit = original[["max_chargers", "existing_chargers"]].max(axis=1)
    assert (totals["max_chargers"] <= limit.loc[totals.index]).all()
    assert (totals["existing_chargers"] == original.loc[totals.index, "existing_chargers"]).all()
    assert np.allclose(totals["max_power_kw"], original.loc[totals.index, "max_power_kw"])
    reach = reach_energy_by_region(case)
    for site_id in offered[offered > 1].index:  # each side offered the site can reach it
        for side in sides.loc[sides["site_id"] == site_id, "side"]:
            assert reach.loc[site_id, side] > 0


def test_shared_grid_headroom_is_divided_not_copied(case: PlanCase) -> None:
    parts = decompose_case(case)
    position = {node: i for i, node in enumerate(case.grid.nodes["node_id"])}
    total = np.zeros_like(case.grid.headroom_kva)
    for part in parts:
        for i, node in enumerate(part.case.grid.nodes["node_id"]):
            total[position[node]] += np.nan_to_num(part.case.grid.headroom_kva[i])
    used = total.any(axis=1)
    assert np.allclose(total[used], np.nan_to_num(case.grid.headroom_kva[used]))


def test_split_chargers_keeps_the_total_and_the_existing_chargers_home() -> None:
    rng = np.random.default_rng(3)
    for _ in range(200):
        sides = int(rng.integers(1, 5))
        weights = rng.random(sides) * (rng.random(sides) > 0.3)
        total, home = int(rng.integers(1, 30)), int(rng.integers(0, sides))
        existing = int(rng.integers(0, total + 1))
        counts = split_chargers(total, existing, weights, home)
        assert counts.sum() == total and counts.min() >= 0
        assert counts[home] >= existing
        if weights.sum() == 0:
            assert counts[home] == total


def test_merged_plan_is_a_feasible_plan_of_the_whole_case(
    case: PlanCase, decomposed: MultiYearPlan
) -> None:
    assert decomposed.status is SolveStatus.OPTIMAL
    for result in decomposed.results:
        energy = case.demand["energy_kwh_per_day"].sel(year=result.year).values
        needs = case.needs.assign(energy_kwh_per_day=energy)
        check_energy_balance(needs[needs["energy_kwh_per_day"] > 0], result)
        check_site_power(case.sites, result)
        assert result.sites["site_id"].is_unique
        check_merged_grid(case, result.site_power, result.reinforcement)


def check_merged_grid(case: PlanCase, power: pd.DataFrame, reinforcement: pd.DataFrame) -> None:
    """Load of every site below a node ≤ its undivided headroom + reinforcement, per slot."""
    node_of_site = dict(zip(case.sites["site_id"], case.sites["grid_node_id"], strict=True))
    paths = case.grid.ancestors()
    position = {node: i for i, node in enumerate(case.grid.nodes["node_id"])}
    load = np.zeros_like(case.grid.headroom_kva)
    for site_id, slot, kw in zip(power["site_id"], power["slot"], power["power_kw"], strict=True):
        for node in paths.get(node_of_site[site_id], []):
            load[position[node], int(slot)] += kw / case.scenario.grid.power_factor
    extra = reinforcement.set_index("node_id")["total_kva"]
    for node, i in position.items():
        allowed = np.clip(case.grid.headroom_kva[i], 0, None) + extra.get(node, 0.0)
        allowed = np.where(np.isnan(allowed), np.inf, allowed)
        assert np.all(load[i] <= allowed + TOLERANCE), node


def test_merged_costs_add_up(case: PlanCase, decomposed: MultiYearPlan) -> None:
    annuity = case.scenario.optimisation.capex_annuity_factor
    fixed = case.sites.set_index("site_id")["fixed_cost_eur"]
    carried = 0.0
    for result in decomposed.results:
        new_sites = result.sites[result.sites["newly_opened"]]
        assert result.costs["sites_eur"] == pytest.approx(
            annuity * fixed.loc[new_sites["site_id"]].sum()
        )
        assert result.costs["carried_investment_eur"] == pytest.approx(carried)
        apart = ("unmet_penalty_eur", "ladder_premium_eur")
        assert result.objective_eur == pytest.approx(
            sum(v for k, v in result.costs.items() if k not in apart)
        )
        assert result.sites["investment_eur_per_year"].sum() == pytest.approx(
            result.costs["sites_eur"] + result.costs["chargers_eur"]
        )
        carried += result.costs["sites_eur"] + result.costs["chargers_eur"]


def test_decomposed_cost_is_close_to_one_undivided_solve(
    undivided: MultiYearPlan, decomposed: MultiYearPlan
) -> None:
    for whole, merged in zip(undivided.results, decomposed.results, strict=True):
        assert whole.has_plan and merged.has_plan
        assert merged.unmet_kwh_per_day == pytest.approx(whole.unmet_kwh_per_day, abs=1e-3)
        gap = max(whole.mip_gap or 0.0, merged.mip_gap or 0.0)
        assert merged.objective_eur is not None and whole.objective_eur is not None
        difference = (merged.objective_eur - whole.objective_eur) / whole.objective_eur
        # never cheaper than the optimum beyond the solvers' gap; the split costs little
        # (measured: +1.9 % in 2030 and +1.4 % in 2031, 3 of the 50 sites on the border)
        assert -gap - 1e-6 <= difference <= 0.03, difference


def test_the_merged_gap_is_the_plan_s_gap_against_the_regions_summed_bounds(
    region_plans: dict[str, MultiYearPlan], decomposed: MultiYearPlan
) -> None:
    """Independent regions: Σ bounds bounds Σ objectives; the largest region's gap is kept."""
    for i, merged in enumerate(decomposed.results):
        parts = [plan.results[i] for plan in region_plans.values()]
        objectives = [next(r.objective for r in p.stages if r.name == "cost") for p in parts]
        bounds = [next(r.bound for r in p.stages if r.name == "cost") for p in parts]
        assert None not in objectives and None not in bounds
        total = sum(o for o in objectives if o is not None)
        summed_bound = sum(b for b in bounds if b is not None)
        assert merged.mip_gap == pytest.approx((total - summed_bound) / total, rel=1e-6)
        assert merged.mip_gap_eur == pytest.approx(total - summed_bound, rel=1e-6)
        largest = max(p.mip_gap for p in parts if p.mip_gap is not None)
        assert merged.mip_gap_largest_region == largest
        assert merged.mip_gap is not None and merged.mip_gap <= largest + 1e-12
    summary = decomposed.summary()
    assert summary["mip_gap_largest_region"] == pytest.approx(
        max(r.mip_gap_largest_region or 0.0 for r in decomposed.results), abs=1e-6
    )
    assert summary["years"][0]["mip_gap_largest_region"] is not None


def test_a_case_in_one_vervoerregio_is_one_sub_problem(case: PlanCase) -> None:
    part = decompose_case(case)[0].case
    assert len(decompose_case(part)) == 1
    assert decompose_case(part)[0].case is part


def test_a_failed_region_is_reported_and_the_others_kept(
    case: PlanCase, decomposed: MultiYearPlan
) -> None:
    parts = decompose_case(case)
    plans: dict[str, MultiYearPlan | None] = {
        p.region: plan_years(p.case, [2030]) for p in parts[1:]
    }
    plans[parts[0].region] = None
    merged = merge_plans(case, plans).results[0]
    assert merged.status is SolveStatus.ERROR and merged.objective_eur is None
    assert f"vervoerregio {parts[0].region}: the task failed" in merged.message
    kept = set(merged.assignments["need_id"])
    assert kept and not kept & set(parts[0].case.needs["need_id"])
