"""Business logic of the dashboard pages: plain functions on hand-made tables (no Dash)."""

from __future__ import annotations

import base64
import re

import pandas as pd
import pytest

from dashboards.pages.demand import _business_logic as demand_logic
from dashboards.pages.grid import _business_logic as grid_logic
from dashboards.pages.intake import _business_logic as intake_logic
from dashboards.pages.intake import _figures as intake_figures
from dashboards.pages.overview import _business_logic as overview_logic
from dashboards.pages.plan import _business_logic as plan_logic
from dashboards.pages.scenarios import _business_logic as scenario_logic
from dashboards.plan_data import chargers_by_tier, energy_by_tier, located_sites, rows_of_year
from dashboards.scenario_runs import Knobs, apply_knobs, knobs_of, planned_years
from dashboards.selection import Selection, area_mask, make_selection, nearest_year, need_mask
from planner.domain import ChargingStrategy, values
from planner.scenario import ScenarioError
from tests._dashboard_fixtures import (
    break_needs,
    generate_case,
    hand_demand,
    hand_overlay,
    hand_plan,
    hand_scenario,
)

# --- selection ---------------------------------------------------------------------------------


def test_selection_reads_empty_controls_as_all():
    assert make_selection(None, "", None, None, default_year=2031) == Selection(2031)
    assert make_selection("2030", "7", "24062", ["N1"]) == Selection(2030, 7, "24062", ("N1",))


def test_need_mask_combines_area_and_category():
    demand = hand_demand()
    assert need_mask(demand, Selection(2027)).tolist() == [True, True, True]
    assert need_mask(demand, Selection(2027, municipality="24107")).tolist() == [False, False, True]
    assert need_mask(demand, Selection(2027, region=7, categories=("N3",))).tolist() == [
        False,
        True,
        False,
    ]
    assert not area_mask(["24062"], [7], Selection(2027, region=1)).any()


def test_nearest_year_prefers_the_year_itself_then_the_closest():
    assert nearest_year([2027, 2030, 2035], 2030) == 2030
    assert nearest_year([2027, 2030, 2035], 2033) == 2035
    assert nearest_year([2027, 2030], 2020) == 2027


# --- overview ----------------------------------------------------------------------------------


def test_headline_sums_the_selection_and_takes_the_coincident_peak():
    headline = overview_logic.make_headline(hand_demand(), Selection(2028))
    assert headline.ze_vehicles == pytest.approx(7)
    assert headline.energy_mwh_per_day == pytest.approx(0.42)
    # N3 charges 200 kWh over 09:00-15:00 (33.3 kW) while the vans charge at night (18.3 kW):
    # the coincident peak is the day peak, not the sum of the needs' peaks (51.7 kW).
    assert headline.peak_kw == pytest.approx(200 / 6)
    assert headline.chargers_by_tier is None and headline.shortfall_kva is None
    assert not headline.unmet_from_plan


def test_headline_takes_plan_and_grid_figures_of_the_area():
    plan, overlay = hand_plan(), hand_overlay()
    grid = pd.DataFrame({"node_id": ["C1"], "nis_code": ["24062"], "vervoerregio_code": [7]})
    leuven = Selection(2028, municipality="24062")
    headline = overview_logic.make_headline(hand_demand(), leuven, plan, overlay, grid)
    assert headline.chargers_by_tier == {"private": 3, "semi_public": 0, "public": 2}
    assert headline.energy_share_by_tier == pytest.approx(
        {"private": 0.4, "semi_public": 0.0, "public": 0.6}
    )
    assert headline.unmet_kwh_per_day == 0.0  # the unmet need N-3 is in Tienen
    assert headline.shortfall_kva == pytest.approx(10.5)  # the suppressed request has no place
    everywhere = overview_logic.make_headline(hand_demand(), Selection(2028), plan, overlay, grid)
    assert everywhere.unmet_kwh_per_day == 70.0
    assert everywhere.shortfall_kva == pytest.approx(14.5)


def test_a_year_after_the_plan_shows_the_last_planned_year():
    assert hand_plan().year_of(2035) == 2028
    assert hand_plan().year_of(2020) is None


def test_depot_table_adds_up_the_needs_of_one_depot():
    table = overview_logic.depot_table(hand_demand(), Selection(2027))
    assert table.set_index("depot_id")["energy_kwh_per_day"].to_dict() == pytest.approx(
        {"D-1": 300.0, "D-2": 120.0}
    )
    assert table["ze_vehicles"].sum() == pytest.approx(7)


def test_municipality_table_sums_energy_and_keeps_the_coincident_peak():
    table = overview_logic.municipality_table(hand_demand(), Selection(2027)).set_index("nis_code")
    assert table.loc["24062", "energy_kwh_per_day"] == pytest.approx(300.0)
    assert table.loc["24062", "peak_kw"] == pytest.approx(33.3, abs=0.05)
    assert table.loc["24107", "municipality"] == "Tienen"


def test_site_table_marks_the_chosen_sites_of_the_plan():
    sites = pd.DataFrame(
        {"site_id": ["P1", "X9"], "name": ["Depot", "Other"], "tier": ["private", "public"],
         "lat": [50.88, 50.87], "lon": [4.70, 4.71], "nis_code": ["24062", "24062"],
         "vervoerregio_code": [7, 7], "existing_chargers": [0, 5]}
    )  # fmt: skip
    table = overview_logic.site_table(sites, hand_plan(), Selection(2028)).set_index("site_id")
    assert table.loc["P1", "chosen"] and table.loc["P1", "chargers"] == 3
    assert not table.loc["X9", "chosen"] and table.loc["X9", "chargers"] == 5


# --- demand ------------------------------------------------------------------------------------


@pytest.mark.parametrize("by", demand_logic.GROUPINGS)
def test_yearly_totals_add_up_to_the_projection(by):
    demand = hand_demand()
    totals = demand_logic.yearly_totals(demand, Selection(2027), by)
    per_year = totals.groupby("year")["energy_kwh_per_day"].sum()
    assert per_year.to_dict() == pytest.approx({2027: 420.0, 2028: 420.0, 2029: 420.0})
    assert set(totals["group"]) == set(demand[by].values.astype(str))


def test_yearly_totals_refuse_an_unknown_grouping():
    with pytest.raises(ValueError, match="valid: category, sector"):
        demand_logic.yearly_totals(hand_demand(), Selection(2027), "colour")


def test_load_curves_of_every_strategy_deliver_the_daily_energy():
    datasets = {strategy: hand_demand(strategy) for strategy in values(ChargingStrategy)}
    curves = demand_logic.load_curves(datasets, Selection(2028))
    assert set(curves["strategy"]) == set(values(ChargingStrategy))
    energy = curves.groupby("strategy")["power_kw"].sum()  # one-hour slots: kW x 1 h = kWh
    assert energy.to_dict() == pytest.approx(
        dict.fromkeys(values(ChargingStrategy), 420.0), abs=0.1
    )
    immediate = curves[curves["strategy"] == "immediate"]
    spread = curves[curves["strategy"] == "spread"]
    assert immediate["power_kw"].max() > spread["power_kw"].max()


def test_region_table_keeps_only_the_selected_categories():
    table = demand_logic.region_table(hand_demand(), Selection(2027, categories=("N3",)))
    assert set(table["category"]) == {"N3"}
    assert table["energy_kwh_per_day"].tolist() == [200.0, 200.0, 200.0]


# --- grid --------------------------------------------------------------------------------------


def test_node_frame_puts_the_tightest_node_first_and_can_hide_nodes_below_k():
    node_load = hand_overlay().node_load
    every = grid_logic.node_frame(node_load, 2028, shared_only=False)
    assert every["node_id"].tolist() == ["C1", "C2"]  # S1 has no demand
    assert every["least_margin_kw"].tolist() == [-10.0, 35.0]
    assert grid_logic.node_frame(node_load, 2028, shared_only=True)["node_id"].tolist() == ["C1"]
    assert grid_logic.hidden_nodes(node_load, 2028) == 1


def test_margin_matrix_is_headroom_minus_demand_per_slot():
    matrix = grid_logic.margin_matrix(hand_overlay().node_load, 2028, shared_only=False)
    assert list(matrix.columns) == ["00:00", "12:00"]
    assert matrix.iloc[0].tolist() == [80.0, -10.0]
    assert matrix.index[0] == "Cabin 1 (C1)"


def test_node_curve_and_rows_of_a_year():
    overlay = hand_overlay()
    curve = grid_logic.node_curve(overlay.node_load, "C1", 2027)
    assert curve["demand_kw"].tolist() == [10.0, 50.0] and curve["headroom_kw"].tolist() == [
        100.0,
        80.0,
    ]
    assert len(grid_logic.congestion_rows(overlay.congestion, 2027)) == 0
    assert len(grid_logic.request_rows(overlay.requests, 2028)) == 2
    assert len(grid_logic.request_rows(overlay.requests, None)) == 2


# --- plan --------------------------------------------------------------------------------------


def test_ladder_shares_add_up_to_one_per_year():
    ladder = plan_logic.ladder_by_year(hand_plan())
    assert ladder.groupby("year")["share"].sum().tolist() == pytest.approx([1.0, 1.0])
    assert ladder.set_index(["year", "tier"]).loc[(2028, "semi_public"), "share"] == pytest.approx(
        50 / 300
    )


def test_chargers_per_municipality_count_every_tier():
    table = plan_logic.chargers_per_municipality(hand_plan()).set_index(["year", "nis_code"])
    columns = ["chargers_private", "chargers_semi_public", "chargers_public", "chargers"]
    counts = {
        key: list(row) for key, row in zip(table.index, table[columns].to_numpy(), strict=True)
    }
    assert counts[(2027, "24062")] == [2, 0, 1, 3]
    assert counts[(2028, "24062")] == [3, 0, 2, 5]
    assert counts[(2028, "24107")] == [0, 4, 0, 4]
    assert table.loc[(2028, "24107"), "municipality"] == "Tienen"


def test_plan_tables_of_a_year():
    plan = hand_plan()
    sites = plan_logic.chosen_sites(plan, 2028)
    assert sites["tier"].tolist() == ["private", "semi_public", "public"]  # ladder order
    assert sites["shared_by_organisations"].tolist() == [False, True, True]
    assert chargers_by_tier(rows_of_year(plan.sites, 2027)) == {
        "private": 2,
        "semi_public": 0,
        "public": 1,
    }
    assert energy_by_tier(rows_of_year(plan.assignments, 2028))["public"] == 150.0
    assert plan_logic.unmet_of(plan, 2028)["cause"].tolist() == ["no_site_in_reach"]
    assert plan_logic.reinforcement_of(plan, 2027).empty
    places = pd.DataFrame({"site_id": ["P1"], "lat": [50.9], "lon": [4.7]})
    located = located_sites(sites, places).set_index("site_id")
    assert located.loc["P1", "lat"] == 50.9 and located.loc[["PUB1"], "lat"].isna().all()


# --- scenarios ---------------------------------------------------------------------------------


def test_knobs_come_from_the_controls_and_reach_the_scenario():
    controls = {
        "year": 2028, "ladder_policy": "weighted", "offpeak_policy": "hard", "sharing": [],
        "reinforcement": ["on"], "price_peak": 0.3, "price_offpeak": "0.1", "detour_private": 2,
        "detour_semi_public": 4, "detour_public": 6, "time_limit": 20, "chain": ["on"],
    }  # fmt: skip
    knobs = scenario_logic.knobs_from_controls(controls, 2029)
    scenario = apply_knobs(hand_scenario(), knobs)
    settings = scenario.optimisation
    assert (settings.ladder_policy, settings.offpeak_policy, settings.sharing) == (
        "weighted",
        "hard",
        False,
    )
    assert settings.energy_price_eur_per_kwh == {"peak": 0.3, "offpeak": 0.1}
    assert settings.detour_km_max == {"private": 2, "semi_public": 4, "public": 6}
    assert settings.time_limit_s == 20 and knobs.chain_years
    assert knobs_of(scenario, 2028).detour_km_max == settings.detour_km_max


def test_knobs_with_a_missing_number_say_which():
    controls = dict.fromkeys(scenario_logic.NUMBER_FIELDS, 1.0) | {
        "price_peak": "",
        "time_limit": "soon",
    }
    expected = "peak price: '' is not a number; time limit: 'soon' is not a number"
    with pytest.raises(ValueError, match=re.escape(expected)):
        scenario_logic.knobs_from_controls(controls, 2029)


def test_invalid_knobs_are_refused_by_the_scenario_checks():
    knobs = Knobs(
        2028,
        "strictest",
        "soft",
        True,
        True,
        0.25,
        0.15,
        {"private": 5.0, "semi_public": 5.0, "public": 5.0},
    )
    with pytest.raises(ScenarioError, match="ladder_policy 'strictest'"):
        apply_knobs(hand_scenario(), knobs)


def test_planned_years_picks_the_closest_year_alone():
    knobs = Knobs(2040, "none", "soft", True, True, 0.25, 0.15, {})
    assert planned_years([2027, 2028, 2029], knobs) == [2029]


def test_compare_table_puts_two_plans_side_by_side():
    a, b = hand_plan("a"), hand_plan("b")
    b.summaries[2028]["objective_eur"] = 1200.0
    table = scenario_logic.compare_table(a, b).set_index("quantity")
    assert table.loc["objective_eur", "B_minus_A"] == pytest.approx(-300.0)
    assert table.loc["chargers_semi_public", "A"] == 4
    assert table.loc[["status"], "B_minus_A"].isna().all()
    assert table.loc["setting:ladder_policy", "B"] == "none"
    assert "setting:capex_annuity_factor" not in table.index  # only what the knobs change
    tiers = scenario_logic.tier_comparison({"A": a, "B": b})
    assert len(tiers) == 6 and tiers["energy_kwh_per_day"].sum() == pytest.approx(600.0)
    costs = scenario_logic.cost_comparison({"A": a})
    assert costs["eur_per_year"].sum() == pytest.approx(1500.0)


# --- intake ------------------------------------------------------------------------------------


def test_decode_upload_reads_a_data_url():
    encoded = "data:text/csv;base64," + base64.b64encode(b"a,b\n1,2\n").decode()
    assert intake_logic.decode_upload(encoded) == b"a,b\n1,2\n"
    with pytest.raises(ValueError, match="not base64"):
        intake_logic.decode_upload("data:text/csv;base64,@@@")


def test_an_invalid_upload_lists_every_bad_row_and_takes_nothing_in(small_case, tmp_path):
    bad_rows = break_needs(small_case / "needs.csv", tmp_path / "bad.csv")
    result = intake_logic.validate_upload("mine.csv", (tmp_path / "bad.csv").read_bytes())
    errors = intake_logic.error_table(result)
    assert result.table is None and not result.valid
    assert sorted(set(errors["row"])) == bad_rows
    assert "did you mean 'N2H'" in " ".join(errors["message"])
    assert result.report is not None and result.report.source == "mine.csv"


def test_a_valid_upload_says_what_it_adds(small_case):
    content = (small_case / "needs.csv").read_bytes()
    result = intake_logic.validate_upload("needs.csv", content)
    assert result.table is not None
    demand = hand_demand()
    added = intake_logic.additions(
        result.table, pd.Series({"24062": 2027}), hand_scenario(), demand
    )
    table = added.set_index("quantity")
    assert table.loc["vehicles", "upload"] == result.table["vehicles"].sum()
    assert table.loc["vehicles", "case"] == 7
    assert added.attrs["year"] == 2029
    assert len(intake_logic.preview(result.table)) == min(20, len(result.table))
    shown = intake_figures.additions_table(added, "nl")
    values = dict(zip(shown["quantity"], shown["upload"], strict=True))
    raw = dict(zip(added["quantity"], added["upload"].astype(float), strict=True))
    assert values["ZE-voertuigen in 2029"] == round(raw["ze_vehicles"])  # whole vehicles
    assert values["Energie per werkdag in 2029 (MWh)"] == raw["energy_mwh_per_day"]


def test_an_upload_of_another_type_or_unreadable_is_refused():
    assert intake_logic.validate_upload("needs.pdf", b"%PDF").error == "wrong_type:needs.pdf"
    unreadable = intake_logic.validate_upload("needs.csv", b"\xff\xfe\x00garbage")
    assert unreadable.report is None and "needs.csv" in unreadable.error
    assert "/tmp" not in unreadable.error


@pytest.fixture(scope="module")
def small_case(tmp_path_factory):
    return generate_case(tmp_path_factory.mktemp("dashboard-logic") / "case")


def test_hubs_to_propose_are_a_whole_number_of_zero_or_more():
    numbers = dict.fromkeys(scenario_logic.NUMBER_FIELDS, 1.0)
    for given, expected in ((None, 0), ("", 0), ("3", 3), (2.0, 2)):
        knobs = scenario_logic.knobs_from_controls(numbers | {"propose_sites": given}, 2029)
        assert knobs.propose_sites == expected and knobs.describe()["propose_sites"] == expected
    for wrong in ("-1", "2.5"):
        message = f"hubs to propose: '{wrong}' is not a whole number of 0 or more"
        with pytest.raises(ValueError, match=re.escape(message)):
            scenario_logic.knobs_from_controls(numbers | {"propose_sites": wrong}, 2029)
