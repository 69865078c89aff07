"""``laadplan sweep``: the variants file, its errors, and a sweep run as Dask tasks."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import xarray as xr

from planner.cli import main
from planner.workflows.sweep import SweepError, load_sweep_grid
from tests._cli import restore_logging, run_cli

SCENARIO = """name = "sweep case"
[projection]
first_year = 2027
last_year = 2029
slot_minutes = 60
charging_strategy = "offpeak_first"
[projection.voluntary_uptake]
2027 = 0.3
"""
__all__ = ["restore_logging"]  # the fixture, used by every test here
VARIANTS = """years = [2028, 2029]
[axes.ladder.lexicographic]
optimisation = { ladder_policy = "lexicographic" }
[axes.ladder.none]
optimisation = { ladder_policy = "none" }
[axes.prices.base]
[axes.prices.high]
optimisation = { energy_price_eur_per_kwh = { peak = 0.45 } }
"""


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small case over all of Flanders: needs in several vervoerregio's."""
    folder = tmp_path_factory.mktemp("sweep") / "case"
    sizes = ["--needs", "90", "--sites", "40", "--substations", "6", "--cabins", "40"]
    arguments = ["-q", "generate", "--region", "all", "--seed", "2", "--out", str(folder)]
    assert run_cli([*arguments, *sizes]) == 0
    (folder / "scenario.toml").write_text(SCENARIO, encoding="utf-8")
    (folder.parent / "variants.toml").write_text(VARIANTS, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def swept(case: Path) -> Path:
    out = case.parent / "sweep"
    arguments = ["-q", "sweep", "--data", str(case), "--out", str(out), "--workers", "2"]
    assert run_cli([*arguments, "--grid-of", str(case.parent / "variants.toml")]) == 0
    return out


def test_every_combination_is_a_variant_over_the_case_scenario(tmp_path: Path) -> None:
    path = tmp_path / "variants.toml"
    path.write_text(VARIANTS, encoding="utf-8")
    base = {"name": "x", "optimisation": {"energy_price_eur_per_kwh": {"offpeak": 0.11}}}
    grid = load_sweep_grid(path, base)
    assert grid.axes == {"ladder": ["lexicographic", "none"], "prices": ["base", "high"]}
    assert grid.years == [2028, 2029]
    labels = [v.label for v in grid.variants]
    assert labels == [
        "ladder-lexicographic_prices-base",
        "ladder-lexicographic_prices-high",
        "ladder-none_prices-base",
        "ladder-none_prices-high",
    ]
    high = grid.variants[3].scenario.optimisation
    assert high.ladder_policy == "none"
    assert high.energy_price_eur_per_kwh["peak"] == 0.45
    assert high.energy_price_eur_per_kwh["offpeak"] == 0.11  # the case's own value kept
    assert grid.variants[0].scenario.optimisation.energy_price_eur_per_kwh["offpeak"] == 0.11


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("yeers = [2030]\n[axes.a.b]\n", "unknown key(s) yeers; valid: years, axes"),
        ("years = [2030]\n", "[axes] must name at least one axis"),
        ("[axes.year.x]\n", "axis 'year': use letters, digits, '-' and '_' and not year"),
        ('[axes."a b".x]\n', "axis 'a b'"),
        ("years = ['2030']\n[axes.a.b]\n", "years = ['2030']: give a list of whole years"),
        (
            "[axes.ladder.odd]\noptimisation = { ladder_policy = 'sideways' }\n",
            "(ladder = odd)",
        ),
        ("[axes.ladder.odd]\noptimisaton = { x = 1 }\n", "optimisaton"),
    ],
)
def test_a_bad_variants_file_is_refused_with_what_is_wrong(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "variants.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SweepError) as error:
        load_sweep_grid(path, {})
    assert message in str(error.value)
    assert str(path) in str(error.value)


def test_the_sweep_writes_figures_per_axis_and_year(swept: Path) -> None:
    figures = xr.open_dataset(swept / "sweep.nc")
    assert dict(figures.sizes) == {"ladder": 2, "prices": 2, "year": 2, "tier": 3, "cost": 8}
    assert list(figures["ladder"].values) == ["lexicographic", "none"]
    assert set(figures["status"].values.ravel()) <= {"optimal", "feasible"}
    table = pd.read_csv(swept / "sweep.csv")
    assert len(table) == 2 * 2 * 2
    assert list(table.columns[:4]) == ["ladder", "prices", "year", "status"]
    shares = table[["share_private", "share_semi_public", "share_public"]].sum(axis=1)
    assert ((shares - 1).abs() < 1e-3).all()


def test_each_variant_has_its_plan_and_the_figures_are_its_own(swept: Path) -> None:
    figures = xr.open_dataset(swept / "sweep.nc")
    for ladder in ("lexicographic", "none"):
        for prices in ("base", "high"):
            summary = json.loads(
                (swept / f"ladder-{ladder}_prices-{prices}" / "summary.json").read_text()
            )
            assert summary["settings"]["ladder_policy"] == ladder
            assert summary["message"].startswith("2028: ")
            for year in summary["years"]:
                swept_cost = figures["objective_eur"].sel(
                    ladder=ladder, prices=prices, year=year["year"]
                )
                assert float(swept_cost) == pytest.approx(year["objective_eur"], abs=0.01)
                assert "merged from" in year["message"]  # planned per vervoerregio


def test_higher_prices_cost_more_and_pure_cost_is_cheapest(swept: Path) -> None:
    cost = xr.open_dataset(swept / "sweep.nc")["objective_eur"]
    gap = 0.01 + 1e-6  # each plan is optimal within the 1 % MIP gap
    assert (cost.sel(prices="high") >= cost.sel(prices="base") * (1 - gap)).all()
    cheapest = cost.sel(ladder="none") <= cost.sel(ladder="lexicographic") * (1 + gap)
    assert bool(cheapest.all())


def test_a_year_not_projected_stops_before_any_work(
    case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    variants = tmp_path / "variants.toml"
    variants.write_text("years = [2040]\n[axes.ladder.none]\n", encoding="utf-8")
    out = tmp_path / "out"
    arguments = ["-q", "sweep", "--data", str(case), "--grid-of", str(variants), "--out", str(out)]
    assert main(arguments) == 1
    assert "year(s) 2040 not projected; valid: 2027–2029" in capsys.readouterr().err
    assert not out.exists()
