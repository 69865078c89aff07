"""The ``[optimisation]`` section of ``scenario.toml``: defaults, partial tables, clear errors."""

from __future__ import annotations

import doctest

import pytest

from planner.optimisation import base, structure, timeblocks
from planner.optimisation.case import catalogue
from planner.scenario import OptimisationSettings, ScenarioError, scenario_from_mapping


def test_an_empty_section_gives_the_documented_defaults() -> None:
    settings = scenario_from_mapping({}).optimisation
    assert settings == OptimisationSettings()
    assert settings.ladder_policy == "weighted" and settings.offpeak_policy == "soft"
    assert settings.tier_premium_eur_per_kwh == {"private": 0.0, "semi_public": 2.5, "public": 5.0}
    assert settings.solver == "highs" and settings.mip_gap == 0.01
    assert settings.energy_price_eur_per_kwh == {"peak": 0.25, "offpeak": 0.15}
    names = [c.name for c in catalogue(scenario_from_mapping({}))]
    assert names[0] == "AC 11 kW" and "MCS 1000 kW" in names


def test_tables_given_in_part_keep_the_other_defaults() -> None:
    raw = {
        "optimisation": {"detour_km_max": {"public": 3}, "energy_price_eur_per_kwh": {"peak": 0.4}}
    }
    settings = scenario_from_mapping(raw).optimisation
    assert settings.detour_km_max == {"private": 5.0, "semi_public": 10.0, "public": 3}
    assert settings.energy_price_eur_per_kwh == {"peak": 0.4, "offpeak": 0.15}


def test_a_charger_catalogue_replaces_the_default_one() -> None:
    chargers = [
        {"name": "DC 90 kW", "power_kw": 90, "capex_eur": 45_000, "categories": ["N2H", "N3"]}
    ]
    scenario = scenario_from_mapping({"optimisation": {"chargers": chargers}})
    (only,) = catalogue(scenario)
    assert (only.name, only.power_kw, only.suits("N3"), only.suits("N1")) == (
        "DC 90 kW",
        90.0,
        True,
        False,
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {"ladder_policy": "lexicografic"},
            "ladder_policy 'lexicografic': valid: lexicographic, "
            "weighted, none — did you mean 'lexicographic'?",
        ),
        ({"offpeak_policy": "strict"}, "offpeak_policy 'strict': valid: hard, soft, none"),
        ({"solver": "gurobi"}, "solver 'gurobi': valid: highs, cbc"),
        ({"mip_gap": 2}, "mip_gap 2: valid: a number at least 0, at most 1"),
        ({"operating_days_per_year": 0}, "operating_days_per_year 0: valid: a number above 0"),
        ({"detour_km_max": {"publc": 3}}, "unknown key in [optimisation.detour_km_max] 'publc'"),
        (
            {"energy_price_eur_per_kwh": {"peak": -1}},
            "energy_price_eur_per_kwh.peak -1: valid: a number >= 0",
        ),
        ({"sharing": "yes"}, "sharing 'yes': valid: true or false"),
        ({"max_sites_per_tier": 2.5}, "max_sites_per_tier 2.5: valid: a whole number"),
        (
            {"chargers": [{"name": "X", "power_kw": 0, "capex_eur": 1, "categories": ["N4"]}]},
            "chargers: charger 1 ('X'): power_kw 0 is not a positive number",
        ),
        ({"ladder": "none"}, "unknown key in [optimisation] 'ladder'"),
    ],
)
def test_invalid_values_are_refused_with_what_is_valid(
    raw: dict[str, object], message: str
) -> None:
    with pytest.raises(ScenarioError) as caught:
        scenario_from_mapping({"optimisation": raw})
    assert message in str(caught.value)


@pytest.mark.parametrize("module", [timeblocks, structure, base])
def test_docstring_examples_run(module: object) -> None:
    failures, tried = doctest.testmod(module)  # type: ignore[arg-type]
    assert tried > 0 and failures == 0
