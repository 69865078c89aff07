"""Charger catalogue: the default types and the checks on a catalogue from the scenario."""

from __future__ import annotations

import dataclasses
import tomllib
from typing import Any

import pytest

from charging_sites import (
    VEHICLE_CATEGORIES,
    ChargerCatalogueError,
    ChargerType,
    catalogue_from_records,
    default_catalogue,
)
from planner.domain import VehicleCategory, values
from validation import LaadplanError

CATEGORIES = "one of N1, N2L, N2H, N3, T"


def problems_of(records: list[dict[str, Any]]) -> list[str]:
    with pytest.raises(ChargerCatalogueError) as caught:
        catalogue_from_records(records)
    return caught.value.problems


def record(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": "DC 150 kW",
        "power_kw": 150,
        "capex_eur": 70_000,
        "categories": ["N2H", "N3", "T"],
    }
    base.update(changes)
    return base


def test_categories_match_the_planner_domain() -> None:
    assert list(VEHICLE_CATEGORIES) == values(VehicleCategory)


def test_default_catalogue_from_ac_to_megawatt() -> None:
    catalogue = default_catalogue()
    names = [charger.name for charger in catalogue]
    assert names == [
        "AC 11 kW",
        "AC 22 kW",
        "DC 40 kW depot",
        "DC 50 kW",
        "DC 150 kW",
        "DC 350 kW",
        "MCS 1000 kW",
    ]
    powers = [charger.power_kw for charger in catalogue]
    assert powers == sorted(powers)
    assert all(charger.capex_eur > 0 for charger in catalogue)
    covered = set().union(*(charger.categories for charger in catalogue))
    assert covered == set(VEHICLE_CATEGORIES)  # every category can be served


def test_default_catalogue_suits_light_and_heavy_vehicles_apart() -> None:
    by_name = {charger.name: charger for charger in default_catalogue()}
    assert by_name["AC 11 kW"].suits("N1") and not by_name["AC 11 kW"].suits("N3")
    assert by_name["MCS 1000 kW"].suits("T") and not by_name["MCS 1000 kW"].suits("N1")
    assert by_name["DC 50 kW"].categories == frozenset({"N1", "N2L", "N2H"})
    # overnight depot charging of trucks at about 40 kW (no 150 kW charger per truck needed)
    assert by_name["DC 40 kW depot"].categories == frozenset({"N2H", "N3", "T"})
    assert all(charger.connectors == 1 for charger in by_name.values())


def test_connectors_default_to_one_and_must_be_whole_numbers() -> None:
    catalogue = catalogue_from_records([record(), record(name="Duo AC", connectors=2)])
    assert [charger.connectors for charger in catalogue] == [1, 2]
    assert problems_of([record(connectors=0), record(name="B", connectors=1.5)]) == [
        "charger 1 ('DC 150 kW'): connectors 0 is not a whole number >= 1; valid: the plugs of "
        "one charge point, e.g. 2",
        "charger 2 ('B'): connectors 1.5 is not a whole number >= 1; valid: the plugs of "
        "one charge point, e.g. 2",
    ]


def test_charger_type_is_frozen() -> None:
    charger = default_catalogue()[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        charger.power_kw = 22.0  # type: ignore[misc]


def test_catalogue_from_scenario_toml() -> None:
    text = """
    [[chargers]]
    name = "AC 11 kW"
    power_kw = 11
    capex_eur = 2500.0
    categories = ["N1", "N2L"]

    [[chargers]]
    name = "DC 400 kW"
    power_kw = 400
    capex_eur = 160000
    categories = "N3; T"
    """
    catalogue = catalogue_from_records(tomllib.loads(text)["chargers"])
    assert catalogue == (
        ChargerType("AC 11 kW", 11.0, 2500.0, frozenset({"N1", "N2L"})),
        ChargerType("DC 400 kW", 400.0, 160_000.0, frozenset({"N3", "T"})),
    )
    assert isinstance(catalogue[1].power_kw, float)


def test_unknown_category_with_near_miss() -> None:
    assert problems_of([record(categories=["N2h", "N4x"])]) == [
        f"charger 1 ('DC 150 kW'): categories holds 'N2h', which is not a vehicle category; "
        f"valid: {CATEGORIES} — did you mean 'N2H'?",
        f"charger 1 ('DC 150 kW'): categories holds 'N4x', which is not a vehicle category; "
        f"valid: {CATEGORIES}",
    ]


def test_power_and_capex_must_be_positive_numbers() -> None:
    records = [record(power_kw=0), record(name="B", capex_eur=-5), record(name="C", power_kw=True)]
    records.append(record(name="D", capex_eur="lots"))
    assert problems_of(records) == [
        "charger 1 ('DC 150 kW'): power_kw 0 is not a positive number; valid: a number > 0 (kW)",
        "charger 2 ('B'): capex_eur -5 is not a positive number; valid: a number > 0 (EUR)",
        "charger 3 ('C'): power_kw True is not a positive number; valid: a number > 0 (kW)",
        "charger 4 ('D'): capex_eur 'lots' is not a positive number; valid: a number > 0 (EUR)",
    ]


def test_duplicate_names_are_refused_ignoring_case() -> None:
    assert problems_of([record(), record(power_kw=50), record(name="dc 150 kw")]) == [
        "charger 2: name 'DC 150 kW' is already used by charger 1; valid: a unique name per "
        "type (ignoring case)",
        "charger 3: name 'dc 150 kw' is already used by charger 1; valid: a unique name per "
        "type (ignoring case)",
    ]


def test_missing_and_unknown_keys_with_near_miss() -> None:
    entry = record()
    entry["powr_kw"] = entry.pop("power_kw")
    entry["colour"] = "blue"
    assert problems_of([entry]) == [
        "charger 1 ('DC 150 kW'): power_kw is missing — did you mean the key 'powr_kw'?",
        "charger 1 ('DC 150 kW'): 'powr_kw' is not a charger key; valid: one of name, power_kw, "
        "capex_eur, categories, connectors — did you mean 'power_kw'?",
        "charger 1 ('DC 150 kW'): 'colour' is not a charger key; valid: one of name, power_kw, "
        "capex_eur, categories, connectors",
    ]


def test_empty_name_and_empty_categories() -> None:
    assert problems_of([record(name="  ", categories=[])]) == [
        "charger 1: name '  ' is not a non-empty text",
        f"charger 1: categories [] names no vehicle category; valid: a list of {CATEGORIES}",
    ]


def test_every_problem_is_listed_in_the_message() -> None:
    with pytest.raises(ChargerCatalogueError) as caught:
        catalogue_from_records([record(power_kw=-1), record(name="X", categories=["N9"])])
    message = str(caught.value)
    assert message.startswith("charger catalogue: 2 problem(s)\n")
    assert "charger 1 ('DC 150 kW'): power_kw -1" in message
    assert "charger 2 ('X'): categories holds 'N9'" in message
    assert isinstance(caught.value, LaadplanError)


def test_empty_catalogue_is_refused() -> None:
    assert problems_of([]) == ["the catalogue is empty; valid: at least one charger type"]


def test_a_record_that_is_not_a_table() -> None:
    assert problems_of(["AC 11 kW"]) == [  # type: ignore[list-item]
        "charger 1: 'AC 11 kW' is not a table of name, power_kw, capex_eur, categories"
    ]
