"""Figure functions of the dashboard: plain Plotly figures with data, no browser needed."""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboards.geo import municipality_outlines, outline_paths
from dashboards.maps import (
    PointLayer,
    make_map_figure,
    map_bounds,
    marker_sizes,
    rings_of,
    value_classes,
)
from dashboards.pages.demand import _business_logic as demand_logic
from dashboards.pages.demand import _figures as demand_figures
from dashboards.pages.grid import _business_logic as grid_logic
from dashboards.pages.grid import _figures as grid_figures
from dashboards.pages.intake import _figures as intake_figures
from dashboards.pages.intake._business_logic import IntakeResult
from dashboards.pages.overview import _business_logic as overview_logic
from dashboards.pages.overview import _figures as overview_figures
from dashboards.pages.plan import _business_logic as plan_logic
from dashboards.pages.plan import _figures as plan_figures
from dashboards.pages.scenarios import _business_logic as scenario_logic
from dashboards.pages.scenarios import _figures as scenario_figures
from dashboards.plan_figures import make_plan_map, plan_geojson
from dashboards.selection import Selection
from planner.demand.projection import project_demand
from planner.domain import ChargingStrategy, values
from tests._dashboard_fixtures import (
    HAND_NEEDS,
    hand_demand,
    hand_overlay,
    hand_plan,
    hand_scenario,
    hand_zones,
)
from tests._demand_fixtures import make_needs
from validation import RowIssue, ValidationReport

POINTS = pd.DataFrame({"lat": [50.88, 50.81], "lon": [4.70, 4.94], "hover": ["a", "b"]})


def data_traces(figure: go.Figure) -> list[Any]:
    """Traces with at least one point (x/y, z or lat/lon)."""
    return [trace for trace in figure.data if _size(trace) > 0]


def _size(trace: Any) -> int:
    for name in ("x", "z", "lat"):
        values = getattr(trace, name, None)
        if values is not None and len(values) > 0:
            return len(values)
    return 0


def names(figure: go.Figure) -> list[str]:
    return [trace.name for trace in figure.data]


# --- maps --------------------------------------------------------------------------------------


def test_offline_map_draws_outlines_and_points_at_the_true_aspect():
    figure = make_map_figure(municipality_outlines(), [PointLayer("depots", POINTS, "#000")], "en")
    outline, points = figure.data[0], figure.data[-1]
    assert outline.fill == "toself" and sum(x is None for x in outline.x) >= 285
    assert list(points.x) == [4.70, 4.94] and list(points.y) == [50.88, 50.81]
    assert (
        figure.layout.yaxis.scaleanchor == "x"
        and figure.layout.yaxis.scaleratio == pytest.approx(1.589, abs=0.01)
    )
    assert "approximate" in figure.layout.annotations[0].text.lower()
    assert not any(isinstance(trace, go.Scattermap) for trace in figure.data)  # no tiles needed


def test_map_zooms_on_the_points_or_the_focus_area():
    outlines = municipality_outlines()
    lon_min, lon_max, lat_min, lat_max = map_bounds(
        outlines, [PointLayer("p", POINTS, "#000")], None
    )
    assert lon_min < 4.70 < 4.94 < lon_max and lat_min < 50.81 < 50.88 < lat_max
    assert lon_max - lon_min < 1.0  # not all of Flanders
    everything = map_bounds(outlines, [], None)
    assert everything[1] - everything[0] > 2.5


def test_choropleth_classes_cover_every_positive_value():
    values = pd.Series([0.0, 1.0, 2.0, 3.0, 10.0, 50.0])
    classes = value_classes(values)
    positive = values[values > 0]
    assert all(any(low < v <= high for low, high in classes) for v in positive)
    assert value_classes(pd.Series([0.0, 0.0])) == []
    figure = make_map_figure(
        municipality_outlines(), [], "nl", values=pd.Series({"24062": 100.0, "24107": 5.0})
    )
    assert any("energie per gemeente" in name for name in names(figure))


def test_marker_sizes_grow_with_the_value_and_rings_split_paths():
    sizes = marker_sizes(pd.DataFrame({"size_value": [1.0, 4.0, 0.0]}), 20.0)
    assert isinstance(sizes, list) and sizes[1] == 20.0 and sizes[2] == 4.0 and sizes[0] < sizes[1]
    assert rings_of([0.0, 1.0, None, 2.0, None], [0.0, 1.0, None, 2.0, None]) == [
        [[0.0, 0.0], [1.0, 1.0]],
        [[2.0, 2.0]],
    ]
    xs, ys = outline_paths(list(municipality_outlines()["geometry"].head(2)))
    assert len(xs) == len(ys) and xs.count(None) >= 2


def test_tile_map_puts_the_same_layers_on_tiles():
    figure = make_map_figure(
        municipality_outlines(),
        [PointLayer("depots", POINTS, "#000")],
        "en",
        values=pd.Series({"24062": 1.0}),
        tiles=True,
    )
    assert figure.layout.map.style == "open-street-map"
    assert figure.layout.map.layers[0].source["type"] == "MultiLineString"
    assert len(data_traces(figure)) == 2  # choropleth and the points


# --- overview ----------------------------------------------------------------------------------


def test_overview_map_has_depots_sites_and_grid_nodes():
    demand, selection = hand_demand(), Selection(2028)
    sites = pd.DataFrame(
        {"site_id": ["P1", "S1"], "name": ["a", "b"], "tier": ["private", "public"],
         "lat": [50.88, 50.87], "lon": [4.70, 4.72], "nis_code": ["24062"] * 2,
         "chosen": [True, False], "chargers": [3, 0]}
    )  # fmt: skip
    nodes = pd.DataFrame(
        {"node_id": ["C1"], "name": ["Cabin"], "level": ["mv_cabin"], "status": ["red"],
         "headroom_kva": [0.0], "lat": [50.86], "lon": [4.71]}
    )  # fmt: skip
    municipalities = overview_logic.municipality_table(demand, selection)
    depots = overview_logic.depot_table(demand, selection)
    figure = overview_figures.make_overview_map(
        municipality_outlines(), municipalities, depots, sites, nodes, "en"
    )
    legend = names(figure)
    assert "depots (size = energy, kWh/day)" in legend
    assert "chosen site: private" in legend and "candidate site: public" in legend
    assert "grid node: full (red)" in legend
    depot_trace = figure.data[legend.index("depots (size = energy, kWh/day)")]
    assert len(depot_trace.x) == 2
    collection = overview_figures.overview_geojson(
        municipality_outlines(), municipalities, depots, sites, nodes
    )
    layers = pd.Series(
        [feature["properties"]["layer"] for feature in collection["features"]]
    ).value_counts()
    assert layers.to_dict() == {"municipality": 285, "depot": 2, "site": 2, "grid_node": 1}


def test_headline_texts_say_when_there_is_no_plan_or_grid():
    headline = overview_logic.make_headline(hand_demand(), Selection(2028))
    texts = overview_figures.headline_texts(headline, "en")
    assert texts[0] == "7" and texts[1] == "0.4 MWh/day" and texts[2] == "33 kW"
    assert texts[3] == "no plan" and texts[6] == "no grid data"
    planned = overview_logic.make_headline(hand_demand(), Selection(2028), hand_plan())
    assert overview_figures.headline_texts(planned, "en")[4] == "33% · 17% · 50%"
    dutch = overview_figures.headline_texts(planned, "nl")
    assert dutch[1] == "0,4 MWh/dag" and dutch[4] == "33\xa0% · 17\xa0% · 50\xa0%"
    assert dutch[5] == "70,0 kWh/dag"  # the plan's unmet need, a decimal comma


# --- demand ------------------------------------------------------------------------------------


def test_yearly_figure_stacks_one_trace_per_group():
    totals = demand_logic.yearly_totals(hand_demand(), Selection(2027), "category")
    figure = demand_figures.make_yearly_figure(
        totals, "ze_vehicles", "demand.vehicles_per_year", "q.ze_vehicles", "en"
    )
    assert sorted(names(figure)) == ["N1", "N3"] and figure.layout.barmode == "stack"
    assert sum(sum(trace.y) for trace in figure.data) == pytest.approx(21)  # 7 vehicles x 3 years


def test_energy_figure_shows_the_estimate_with_unreported_fleets_as_the_range_top():
    reported_only = hand_demand()
    scenario = hand_scenario()
    settings = dataclasses.replace(scenario.projection, unreported_share=0.2)
    with_estimate = project_demand(
        make_needs(*HAND_NEEDS), hand_zones(), dataclasses.replace(scenario, projection=settings)
    )
    figures = {}
    for name, demand in (("reported", reported_only), ("estimate", with_estimate)):
        totals = demand_logic.yearly_totals(demand, Selection(2027), "category")
        bars = demand_figures.make_yearly_figure(
            totals, "energy_kwh_per_day", "demand.energy_per_year", "q.energy_kwh_day", "en"
        )
        figures[name] = demand_figures.add_unreported_estimate(
            bars, totals, "energy_kwh_per_day", demand_logic.ESTIMATE, "en"
        )
    assert "Estimated total, with the fleets that did not report" not in names(figures["reported"])
    line = next(trace for trace in figures["estimate"].data if trace.type == "scatter")
    assert line.name == "Estimated total, with the fleets that did not report"
    assert list(line.y) == pytest.approx([420.0 * 1.25] * 3)  # 420 kWh reported, share 0.2


def test_load_curve_figure_has_one_line_per_strategy():
    datasets = {strategy: hand_demand(strategy) for strategy in values(ChargingStrategy)}
    curves = demand_logic.load_curves(datasets, Selection(2028))
    figure = demand_figures.make_load_curve_figure(curves, "en", 2028)
    assert len(data_traces(figure)) == 3 and all(len(trace.x) == 24 for trace in figure.data)
    assert "off-peak hours first" in names(figure)
    assert len(figure.layout.shapes) == 9  # 22:00-07:00 shaded


# --- grid --------------------------------------------------------------------------------------


def test_heatmap_shows_the_margin_per_node_and_hour():
    matrix = grid_logic.margin_matrix(hand_overlay().node_load, 2028, shared_only=False)
    figure = grid_figures.make_heatmap_figure(matrix, "en")
    heatmap = figure.data[0]
    assert [list(row) for row in heatmap.z] == [[80.0, -10.0], [35.0, 35.0]]
    assert heatmap.zmin == -heatmap.zmax == -35.0  # the median margin: white is zero
    assert list(heatmap.y) == ["Cabin 1 (C1)", "Cabin 2 (C2)"]


def test_node_curve_and_requests_map():
    overlay = hand_overlay()
    curve = grid_figures.make_node_curve_figure(
        grid_logic.node_curve(overlay.node_load, "C1", 2028), "C1", "nl"
    )
    assert [list(trace.y) for trace in curve.data] == [[20.0, 90.0], [100.0, 80.0]]
    requests = grid_figures.make_requests_map(municipality_outlines(), overlay.requests, "en")
    request_trace = requests.data[-1]
    assert request_trace.name == "capacity request (size = kVA)" and list(request_trace.x) == [4.70]


# --- plan and scenarios ------------------------------------------------------------------------


def test_plan_map_and_geojson_show_sites_and_reinforcement():
    sites = pd.DataFrame(
        {"site_id": ["P1", "PUB1"], "name": ["Depot", "Square"], "tier": ["private", "public"],
         "nis_code": ["24062", "24062"], "chargers": [3, 2], "lat": [50.88, 50.87],
         "lon": [4.70, 4.72]}
    )  # fmt: skip
    reinforcement = pd.DataFrame(
        {"node_id": ["C1"], "name": ["Cabin"], "total_kva": [20.0], "lat": [50.86], "lon": [4.71]}
    )
    figure = make_plan_map(municipality_outlines(), sites, reinforcement, "en")
    assert {
        "chosen site: private (size = chargers)",
        "chosen site: public (size = chargers)",
        "Grid reinforcement (kVA)",
    } <= set(names(figure))
    collection = plan_geojson(sites, reinforcement)
    assert [feature["geometry"]["coordinates"] for feature in collection["features"]][-1] == [
        4.71,
        50.86,
    ]


def test_ladder_and_municipality_figures():
    plan = hand_plan()
    ladder = plan_figures.make_ladder_figure(plan_logic.ladder_by_year(plan), "en")
    assert names(ladder) == ["private", "semi-public", "public"]
    assert sum(trace.y[1] for trace in ladder.data) == pytest.approx(1.0)
    chart = plan_figures.make_municipality_figure(
        plan_logic.chargers_per_municipality(plan), 2028, "en"
    )
    assert names(chart) == ["private", "semi-public", "public"]  # stacked per tier
    assert list(chart.data[0].y) == ["Leuven", "Tienen"]  # the most chargers first
    assert [list(trace.x) for trace in chart.data] == [[3, 0], [0, 4], [2, 0]]
    assert chart.layout.separators == ".," and chart.layout.xaxis.title.text == "Chargers (number)"


def test_scenario_comparison_figures_have_a_trace_per_run():
    plans = {"A: one": hand_plan(), "B: two": hand_plan()}
    tiers = scenario_logic.tier_comparison(plans)
    figure = scenario_figures.make_tier_figure(tiers, "chargers", "q.chargers_by_tier", "en")
    assert names(figure) == ["A: one", "B: two"] and list(figure.data[0].y) == [3, 4, 2]
    costs = scenario_figures.make_cost_figure(scenario_logic.cost_comparison(plans), "en")
    assert len(data_traces(costs)) == 2


def test_intake_texts():
    report = ValidationReport(
        "needs.csv", rows_checked=10, issues=[RowIssue(3, "fuel", "disel", "is not a fuel")]
    )
    invalid = IntakeResult("needs.csv", None, report)
    assert (
        intake_figures.outcome_text(invalid, "en")
        == "1 problem(s) in 1 row(s) of 10; nothing was taken in."
    )
    wrong = IntakeResult("a.pdf", None, None, "wrong_type:a.pdf")
    assert "not 'a.pdf'" in intake_figures.outcome_text(wrong, "en")
