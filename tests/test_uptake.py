"""Demand scenarios: named voluntary-uptake curves and the fleets that did not report."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner.demand.aggregation import summary_by_year
from planner.demand.projection import project_demand
from planner.demand.uptake import ANCHORS, UptakeLevel, stock_share, uptake_share
from planner.domain import CalendarGroup
from planner.scenario import Scenario, ScenarioError, scenario_from_mapping
from planner.workflows.sweep import load_sweep_grid
from tests._demand_fixtures import make_needs

ZONES = pd.Series({"24062": 2027}, name="zes_start_year")
#: Vans and trucks, inside a ZES and outside any (never required: uptake matters every year).
NEEDS = make_needs(
    {},
    {
        "vehicle_category": "N3",
        "euro_norm": "VI",
        "daily_km": 200.0,
        "first_registration_year": 2022,
    },
    {"zes_cities": "", "vehicles": 5},
    {"zes_cities": "", "vehicle_category": "N2H", "euro_norm": "VI", "vehicles": 3},
    {"zes_cities": "", "vehicle_category": "T", "euro_norm": "V", "nis_code": "44021"},
)


def energy_by_year(scenario: Scenario, variable: str = "energy_kwh_per_day") -> np.ndarray:
    return project_demand(NEEDS, ZONES, scenario)[variable].sum("need").to_numpy()


def with_projection(**settings: object) -> Scenario:
    return scenario_from_mapping({"projection": settings})


def test_low_and_high_uptake_move_the_energy_the_right_way_in_every_year() -> None:
    low, mid, high = (energy_by_year(with_projection(uptake=level)) for level in UptakeLevel)
    years = with_projection().projection.years
    assert len(low) == len(years) == 9  # 2027–2035
    assert (low < mid).all() and (mid < high).all(), (low, mid, high)
    none = energy_by_year(with_projection())  # no voluntary uptake at all
    assert (none < low).all()


def test_curves_rise_and_are_ordered_for_every_category() -> None:
    years = list(range(2025, 2036))
    for category in ("N1", "N2L", "N2H", "N3", "T"):
        curves = [[uptake_share(level, category, y) for y in years] for level in UptakeLevel]
        for curve in curves:
            assert all(a <= b for a, b in itertools.pairwise(curve))
            assert curve[0] > 0 and curve[-1] <= 1
        assert all(lo < mi < hi for lo, mi, hi in zip(*curves, strict=True) if hi < 1)


def test_a_curve_is_the_stock_turnover_of_its_anchors() -> None:
    anchors = ANCHORS[UptakeLevel.MID][CalendarGroup.LIGHT]
    # 2025: 2024 stock plus one year of new sales (linear from 6.1 % in 2024 to 50 % in 2030)
    expected = anchors.stock_share_2024 + anchors.new_sales_in(2025) / anchors.turnover_years
    assert stock_share(anchors, 2025) == pytest.approx(expected)
    assert anchors.new_sales_in(2030) == pytest.approx(0.50)


def test_unknown_uptake_level_is_refused_with_a_suggestion() -> None:
    with pytest.raises(ScenarioError, match=r"uptake 'hihg': valid: low, mid or high.*'high'"):
        with_projection(uptake="hihg")


def test_uptake_replaces_the_voluntary_uptake_table() -> None:
    table_and_curve = with_projection(uptake="high", voluntary_uptake={2027: 0.9})
    curve = with_projection(uptake="high")
    assert energy_by_year(table_and_curve) == pytest.approx(energy_by_year(curve))


def test_unreported_share_gives_a_range_per_municipality() -> None:
    scenario = with_projection(
        uptake="mid", unreported_share=0.2, unreported_share_by_nis={"44021": 0.5}
    )
    dataset = project_demand(NEEDS, ZONES, scenario)
    assert dataset["unreported_factor"].to_numpy().tolist() == [1.25, 1.25, 1.25, 1.25, 2.0]
    reported = dataset["energy_kwh_per_day"].to_numpy()
    estimated = dataset["energy_kwh_per_day_incl_unreported"].to_numpy()
    assert estimated[:4] == pytest.approx(reported[:4] * 1.25)
    assert estimated[4] == pytest.approx(reported[4] * 2.0)
    summary = summary_by_year(dataset)
    assert (summary["energy_incl_unreported_mwh_per_day"] > summary["energy_mwh_per_day"]).all()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"unreported_share": 1.0}, r"unreported_share 1.0: valid: a share from 0 to below 1"),
        (
            {"unreported_share_by_nis": {"3000": 0.2}},
            r"'3000' is not the NIS code of a Flemish municipality",
        ),
    ],
)
def test_bad_unreported_settings_are_refused(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        with_projection(**settings)


def test_a_sweep_axis_varies_uptake_and_unreported_share(tmp_path: Path) -> None:
    path = tmp_path / "variants.toml"
    path.write_text(
        '[axes.uptake.low]\nprojection = { uptake = "low" }\n'
        '[axes.uptake.high]\nprojection = { uptake = "high", unreported_share = 0.3 }\n',
        encoding="utf-8",
    )
    grid = load_sweep_grid(path, {"projection": {"voluntary_uptake": {"2027": 0.1}}})
    scenarios = {v.values["uptake"]: v.scenario for v in grid.variants}
    assert scenarios["high"].projection.unreported_share == 0.3
    low, high = energy_by_year(scenarios["low"]), energy_by_year(scenarios["high"])
    assert (low < high).all()
    assert dataclasses.replace(scenarios["low"].projection, uptake="").voluntary_uptake == {
        2027: 0.1
    }
