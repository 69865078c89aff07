"""ZES access rules (planner.rules.access) and the ``laadplan access`` command.

Expected answers are read off the table in DESIGN.md ("Vehicle categories and ZES access
rules"), one case per row, norm class and boundary date (31 December vs 1 January).
"""

from __future__ import annotations

import json
import logging
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner import cli
from planner.domain import EXEMPTION_CATEGORIES, Exemption, Fuel, VehicleCategory
from planner.rules.access import (
    Access,
    AccessDecision,
    AccessInputError,
    ExemptionCategoryError,
    NormError,
    access_decision,
    access_in_year,
    format_norm,
    new_vehicles_ze_from,
    parse_exemption,
    parse_norm,
    whole_fleet_ze_from,
    zero_emission_required,
)
from validation import LaadplanError

FREE, PERMIT, EXEMPT, NONE = Access.FREE, Access.PAID_PERMIT, Access.EXEMPT, Access.NO_ACCESS
OLD = date(2020, 3, 15)  # registered well before any ZES
MID = date(2030, 6, 1)  # a date inside every free-access period

# --- every row and boundary of the table -----------------------------------------------------

# (category, registered, fuel, norm, on, expected)
LIGHT_CASES = [
    # new vehicles must be ZE from DEI 2027-01-01
    ("N1", date(2026, 12, 31), "diesel", "6", MID, FREE),
    ("N1", date(2027, 1, 1), "diesel", "6", MID, NONE),
    ("N2L", date(2026, 12, 31), "diesel", "6", MID, FREE),
    ("N2L", date(2027, 1, 1), "diesel", "6", MID, NONE),
    ("N1", date(2027, 1, 1), "petrol", "6", MID, NONE),
    ("N1", date(2027, 1, 1), "phev", "6", MID, NONE),
    # free access until 2032-12-31, whole fleet ZE from 2033-01-01
    ("N1", OLD, "diesel", "6", date(2032, 12, 31), FREE),
    ("N1", OLD, "diesel", "6", date(2033, 1, 1), NONE),
    ("N2L", OLD, "petrol", "3", date(2032, 12, 31), FREE),
    ("N2L", OLD, "petrol", "3", date(2033, 1, 1), NONE),
    # paid permit until the same date
    ("N1", OLD, "diesel", "5", date(2032, 12, 31), PERMIT),
    ("N1", OLD, "diesel", "5", date(2033, 1, 1), NONE),
    ("N2L", OLD, "petrol", "2", date(2032, 12, 31), PERMIT),
    ("N2L", OLD, "petrol", "2", date(2033, 1, 1), NONE),
    # diesel norm classes: better, free level, permit level, worse
    ("N1", OLD, "diesel", "6d-TEMP", MID, FREE),
    ("N1", OLD, "diesel", "Euro 6", MID, FREE),
    ("N1", OLD, "diesel", "5", MID, PERMIT),
    ("N1", OLD, "diesel", "4", MID, NONE),
    ("N1", OLD, "diesel", "3", MID, NONE),  # free for petrol, not for diesel
    ("N1", OLD, "diesel", "0", MID, NONE),
    # petrol norm classes
    ("N1", OLD, "petrol", "6", MID, FREE),
    ("N1", OLD, "petrol", "3", MID, FREE),
    ("N1", OLD, "petrol", "2", MID, PERMIT),
    ("N1", OLD, "petrol", "1", MID, NONE),
    # plug-in hybrids and CNG follow the petrol thresholds
    ("N1", OLD, "phev", "3", MID, FREE),
    ("N1", OLD, "phev", "2", MID, PERMIT),
    ("N1", OLD, "phev", "1", MID, NONE),
    ("N2L", OLD, "cng", "3", MID, FREE),
    ("N2L", OLD, "cng", "2", MID, PERMIT),
    ("N2L", OLD, "cng", "1", MID, NONE),
]

HEAVY_CASES = [
    # new vehicles must be ZE from DEI 2029-01-01
    ("N3", date(2028, 12, 31), "diesel", "VI", MID, FREE),
    ("N3", date(2029, 1, 1), "diesel", "VI", MID, NONE),
    ("N2H", date(2028, 12, 31), "diesel", "VI", MID, FREE),
    ("N2H", date(2029, 1, 1), "diesel", "VI", MID, NONE),
    # 2027–2028: new vehicles need Euro VI diesel / Euro III petrol for free access; the
    # paid-permit column ("as above": diesel Euro 5/V, petrol Euro 2/II) applies to them too
    ("N3", date(2026, 12, 31), "diesel", "V", MID, PERMIT),
    ("N3", date(2027, 1, 1), "diesel", "V", MID, PERMIT),
    ("N3", date(2027, 1, 1), "diesel", "IV", MID, NONE),
    ("N3", date(2027, 1, 1), "diesel", "VI", MID, FREE),
    ("N2H", date(2028, 12, 31), "diesel", "V", MID, PERMIT),
    ("N2H", date(2028, 12, 31), "diesel", "V", date(2035, 1, 1), NONE),
    ("N2H", date(2028, 12, 31), "diesel", "VI-E", MID, FREE),
    ("N3", date(2027, 6, 1), "petrol", "III", MID, FREE),
    ("N3", date(2027, 6, 1), "petrol", "II", MID, PERMIT),
    ("N3", date(2027, 6, 1), "petrol", "I", MID, NONE),
    ("N3", date(2026, 6, 1), "petrol", "II", MID, PERMIT),
    ("N3", date(2028, 1, 1), "cng", "III", MID, FREE),
    ("N3", date(2028, 1, 1), "cng", "II", MID, PERMIT),
    ("N2H", date(2027, 3, 1), "phev", "III", MID, FREE),
    # free access until 2034-12-31, whole fleet ZE from 2035-01-01
    ("N3", OLD, "diesel", "VI", date(2034, 12, 31), FREE),
    ("N3", OLD, "diesel", "VI", date(2035, 1, 1), NONE),
    ("N3", date(2028, 6, 1), "diesel", "VI", date(2034, 12, 31), FREE),
    ("N3", date(2028, 6, 1), "diesel", "VI", date(2035, 1, 1), NONE),
    ("N2H", OLD, "diesel", "6", date(2033, 1, 1), FREE),  # heavy calendar, not light
    ("N2H", OLD, "petrol", "III", date(2034, 12, 31), FREE),
    ("N2H", OLD, "petrol", "III", date(2035, 1, 1), NONE),
    # paid permit until the same date
    ("N3", OLD, "diesel", "V", date(2034, 12, 31), PERMIT),
    ("N3", OLD, "diesel", "V", date(2035, 1, 1), NONE),
    ("N2H", OLD, "petrol", "II", date(2034, 12, 31), PERMIT),
    # norm classes
    ("N3", OLD, "diesel", "EURO VI", MID, FREE),
    ("N3", OLD, "diesel", "EEV", MID, PERMIT),
    ("N3", OLD, "diesel", "IV", MID, NONE),
    ("N3", OLD, "petrol", "IV", MID, FREE),
    ("N3", OLD, "petrol", "I", MID, NONE),
    ("N3", OLD, "phev", "II", MID, PERMIT),
]

TRACTOR_CASES = [
    # new vehicles must be ZE from DEI 2029-01-01; 2027–2028 must be Phase IV
    ("T", date(2028, 12, 31), "diesel", "IV", MID, FREE),
    ("T", date(2029, 1, 1), "diesel", "V", MID, NONE),
    ("T", date(2026, 12, 31), "diesel", "IIIb", MID, PERMIT),
    ("T", date(2027, 1, 1), "diesel", "IIIb", MID, PERMIT),  # the T row's permit column
    ("T", date(2027, 1, 1), "diesel", "IIIa", MID, NONE),
    ("T", date(2027, 1, 1), "diesel", "IV", MID, FREE),
    ("T", date(2028, 12, 31), "diesel", "Stage V", MID, FREE),
    # free access and permit until 2034-12-31
    ("T", OLD, "diesel", "IV", date(2034, 12, 31), FREE),
    ("T", OLD, "diesel", "IV", date(2035, 1, 1), NONE),
    ("T", OLD, "diesel", "IIIb", date(2034, 12, 31), PERMIT),
    ("T", OLD, "diesel", "IIIb", date(2035, 1, 1), NONE),
    # stage classes: better, free level, permit level, worse
    ("T", OLD, "diesel", "V", MID, FREE),
    ("T", OLD, "diesel", "Phase IV", MID, FREE),
    ("T", OLD, "diesel", "IIIB", MID, PERMIT),
    ("T", OLD, "diesel", "IIIa", MID, NONE),
    ("T", OLD, "diesel", "I", MID, NONE),
    # the fuel does not change a tractor's thresholds
    ("T", OLD, "petrol", "IIIb", MID, PERMIT),
    ("T", OLD, "petrol", "IIIa", MID, NONE),
    ("T", OLD, "cng", "IV", MID, FREE),
    ("T", OLD, "phev", "IIIb", MID, PERMIT),
]

BEFORE_FIRST_ZES_CASES = [
    ("N1", OLD, "diesel", "0", date(2026, 12, 31), FREE),
    ("N1", OLD, "diesel", "0", date(2027, 1, 1), NONE),
    ("N3", OLD, "diesel", "I", date(2026, 12, 31), FREE),
    ("N3", OLD, "diesel", "I", date(2027, 1, 1), NONE),
    ("T", OLD, "diesel", "I", date(2026, 12, 31), FREE),
    ("N1", OLD, "diesel", "5", date(2026, 12, 31), FREE),
    ("N1", OLD, "diesel", "5", date(2027, 1, 1), PERMIT),
]

ALL_CASES = LIGHT_CASES + HEAVY_CASES + TRACTOR_CASES + BEFORE_FIRST_ZES_CASES


@pytest.mark.parametrize(("category", "registered", "fuel", "norm", "on", "expected"), ALL_CASES)
def test_access_follows_the_table(category, registered, fuel, norm, on, expected):
    assert access_decision(category, registered, fuel, norm, on).access is expected


@pytest.mark.parametrize(("category", "registered", "fuel", "norm", "on", "expected"), ALL_CASES)
def test_zero_emission_is_required_exactly_without_access(
    category, registered, fuel, norm, on, expected
):
    required = zero_emission_required(category, registered, fuel, norm, on)
    assert required is (expected is NONE)


@pytest.mark.parametrize("category", list(VehicleCategory))
@pytest.mark.parametrize("fuel", ["electric", "hydrogen"])
@pytest.mark.parametrize("registered", [OLD, date(2027, 1, 1), date(2029, 1, 1), date(2034, 1, 1)])
@pytest.mark.parametrize("on", [date(2026, 12, 31), MID, date(2033, 1, 1), date(2035, 1, 1)])
def test_zero_emission_vehicles_always_have_free_access(category, fuel, registered, on):
    decision = access_decision(category, registered, fuel, None, on)
    assert decision.access is FREE
    assert "zero-emission" in decision.reason
    assert not zero_emission_required(category, registered, fuel, None, on)


def test_zero_emission_vehicles_ignore_the_norm_column():
    decision = access_decision("N1", OLD, "electric", "not a norm", MID)
    assert decision.access is FREE


# --- calendar dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "new_ze", "fleet_ze"),
    [
        ("N1", date(2027, 1, 1), date(2033, 1, 1)),
        ("N2L", date(2027, 1, 1), date(2033, 1, 1)),
        ("N2H", date(2029, 1, 1), date(2035, 1, 1)),
        ("N3", date(2029, 1, 1), date(2035, 1, 1)),
        ("T", date(2029, 1, 1), date(2035, 1, 1)),
    ],
)
def test_calendar_dates_per_category(category, new_ze, fleet_ze):
    assert new_vehicles_ze_from(category) == new_ze
    assert new_vehicles_ze_from(VehicleCategory(category)) == new_ze
    assert whole_fleet_ze_from(category) == fleet_ze


@pytest.mark.parametrize(
    ("category", "norm", "last_free_year"),
    [
        ("N1", "6", 2032),
        ("N2L", "6", 2032),
        ("N2H", "VI", 2034),
        ("N3", "VI", 2034),
        ("T", "IV", 2034),
    ],
)
def test_access_in_year_switches_between_31_december_and_1_january(category, norm, last_free_year):
    assert access_in_year(category, OLD, "diesel", norm, last_free_year).access is FREE
    assert access_in_year(category, OLD, "diesel", norm, last_free_year + 1).access is NONE


def test_access_in_year_before_2027_is_free():
    decision = access_in_year("N1", OLD, "diesel", "0", 2026)
    assert decision.access is FREE
    assert "2027-01-01" in decision.reason


def test_a_vehicle_registered_later_in_the_year_is_judged_by_its_own_registration():
    # Evaluated on 2030-01-01, before the vehicle exists: the rules for its DEI still apply.
    assert access_in_year("N3", date(2030, 6, 1), "diesel", "VI", 2030).access is NONE
    assert access_in_year("N3", date(2028, 6, 1), "diesel", "VI", 2028).access is FREE


# --- exemptions ---------------------------------------------------------------------------------


def _valid_pairs() -> list[tuple[Exemption, VehicleCategory]]:
    pairs: list[tuple[Exemption, VehicleCategory]] = []
    for exemption in Exemption:
        allowed = EXEMPTION_CATEGORIES.get(exemption, frozenset(VehicleCategory))
        pairs.extend((exemption, category) for category in VehicleCategory if category in allowed)
    return pairs


@pytest.mark.parametrize(("exemption", "category"), _valid_pairs())
def test_every_exemption_gives_exempt_even_after_the_whole_fleet_date(exemption, category):
    norm = "I" if category == "T" else "0"
    decision = access_decision(
        category, date(2030, 1, 1), "diesel", norm, date(2040, 1, 1), exemption
    )
    assert decision.access is EXEMPT
    assert str(exemption) in decision.reason
    assert not zero_emission_required(category, OLD, "diesel", norm, MID, exemption)


def test_every_exemption_code_is_covered():
    assert {e for e, _ in _valid_pairs()} == set(Exemption)


def test_exemption_reason_names_the_vehicle_type():
    decision = access_decision("N3", OLD, "diesel", "IV", MID, "F7")
    assert "F7" in decision.reason
    assert "refuse truck" in decision.reason


def test_exempt_vehicle_needs_no_norm():
    assert access_decision("N3", OLD, "diesel", None, MID, "F5").access is EXEMPT


def test_exempt_vehicle_with_an_unreadable_norm_is_still_an_error():
    with pytest.raises(NormError):
        access_decision("N3", OLD, "diesel", "Euro 9", MID, "F5")


def test_blank_exemption_means_none():
    assert access_decision("N1", OLD, "diesel", "6", MID, "  ").access is FREE
    assert parse_exemption("N1", "") is None


def test_zero_emission_wins_over_an_exemption():
    assert access_decision("N3", OLD, "electric", None, MID, "F7").access is FREE


@pytest.mark.parametrize(
    ("category", "exemption", "allowed"),
    [
        ("N1", "F8", "N2L, N2H, N3"),
        ("T", "F8", "N2L, N2H, N3"),
        ("N3", "T_LT_130KW", "category T"),
        ("N1", "T_LT_130KW", "category T"),
    ],
)
def test_exemption_for_the_wrong_category_is_refused(category, exemption, allowed):
    with pytest.raises(ExemptionCategoryError) as caught:
        access_decision(category, OLD, "diesel", "6" if category != "T" else "IV", MID, exemption)
    message = str(caught.value)
    assert f"category {category}" in message
    assert allowed in message
    assert isinstance(caught.value, LaadplanError)


def test_exemption_for_the_wrong_category_is_refused_for_zero_emission_vehicles_too():
    with pytest.raises(ExemptionCategoryError):
        access_decision("N1", OLD, "electric", None, MID, "F8")


@pytest.mark.parametrize("category", ["N2L", "N2H", "N3"])
def test_f8_applies_to_n2_and_n3(category):
    assert parse_exemption(category, "F8") is Exemption.F8


def test_unknown_exemption_code_suggests_the_near_miss():
    with pytest.raises(AccessInputError) as caught:
        parse_exemption("N3", "f8")
    assert "'f8'" in str(caught.value)
    assert "did you mean 'F8'" in str(caught.value)


# --- reasons ------------------------------------------------------------------------------------


def test_reason_of_the_design_example():
    decision = access_decision("N1", date(2026, 6, 1), "diesel", "6", date(2030, 1, 1))
    assert decision == AccessDecision(
        FREE, "N1 diesel Euro 6 registered before 2027-01-01: free access until 2032-12-31"
    )


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("N1", OLD, "diesel", "5", MID), ["paid individual permit", "2032-12-31", "Euro 6"]),
        (("N3", OLD, "diesel", "V", MID), ["paid individual permit", "2034-12-31", "Euro VI"]),
        (("T", OLD, "diesel", "IIIb", MID), ["Phase IIIb", "2034-12-31", "Phase IV"]),
        (("N1", OLD, "diesel", "4", MID), ["no access", "diesel Euro 5"]),
        (("N1", OLD, "petrol", "1", MID), ["no access", "petrol Euro 2"]),
        (("N1", date(2027, 1, 1), "diesel", "6", MID), ["2027-01-01", "zero-emission"]),
        (("N3", date(2029, 1, 1), "diesel", "VI", MID), ["2029-01-01", "zero-emission"]),
        (
            ("N3", date(2027, 5, 1), "diesel", "V", MID),
            ["paid individual permit", "2027-01-01", "2028-12-31", "Euro VI"],
        ),
        (("N3", date(2027, 5, 1), "diesel", "VI", MID), ["2028-12-31", "free access until"]),
        (("N1", OLD, "diesel", "6", date(2033, 1, 1)), ["2033-01-01", "zero-emission"]),
        (("T", OLD, "diesel", "V", date(2035, 1, 1)), ["2035-01-01", "zero-emission"]),
        (("N1", OLD, "diesel", "4", date(2026, 12, 31)), ["2026-12-31", "2027-01-01"]),
    ],
)
def test_reason_names_the_rule_and_its_dates(args, fragments):
    reason = access_decision(*args).reason
    for fragment in fragments:
        assert fragment in reason


# --- parse_norm ---------------------------------------------------------------------------------

EURO_SPELLINGS = [
    ("0", 0),
    ("Euro 0", 0),
    ("1", 1),
    ("I", 1),
    ("2", 2),
    ("II", 2),
    ("euro 3", 3),
    ("III", 3),
    ("4", 4),
    ("Euro IV", 4),
    ("5", 5),
    ("V", 5),
    ("Euro 5", 5),
    ("euro V", 5),
    ("Euro-5b", 5),
    ("EEV", 5),
    ("6", 6),
    ("VI", 6),
    ("EURO VI", 6),
    ("euro6", 6),
    ("6d", 6),
    ("6d-TEMP", 6),
    ("Euro 6d-ISC-FCM", 6),
    ("6c", 6),
    ("VI-E", 6),
    ("vi c", 6),
    ("  6  ", 6),
]

STAGE_SPELLINGS = [
    ("I", 1),
    ("II", 2),
    ("IIIa", 3),
    ("IIIA", 3),
    ("iiia", 3),
    ("IIIb", 4),
    ("IIIB", 4),
    ("Stage IIIb", 4),
    ("IV", 5),
    ("Phase IV", 5),
    ("stage iv", 5),
    ("V", 6),
    ("Stage V", 6),
    ("3a", 3),
    ("3b", 4),
    ("4", 5),
    ("5", 6),
]


@pytest.mark.parametrize(("text", "level"), EURO_SPELLINGS)
@pytest.mark.parametrize("category", ["N1", "N2L", "N2H", "N3"])
def test_parse_norm_accepts_euro_spellings(category, text, level):
    assert parse_norm(category, text) == level


@pytest.mark.parametrize(("text", "level"), STAGE_SPELLINGS)
def test_parse_norm_accepts_tractor_stages(text, level):
    assert parse_norm("T", text) == level
    assert parse_norm(VehicleCategory.T, text) == level


def test_stage_levels_are_ordered():
    levels = [parse_norm("T", stage) for stage in ["I", "II", "IIIa", "IIIb", "IV", "V"]]
    assert levels == sorted(levels) == list(range(1, 7))


@pytest.mark.parametrize(
    ("category", "text", "suggestion"),
    [
        ("T", "IIIc", "IIIb"),
        ("T", "Stage VI", "V"),
        ("T", "Euro IV", "IV"),
        ("N1", "VII", "VI"),
        ("N3", "Euro 6x", "6"),
        ("N1", "Euro 4b", "4"),
    ],
)
def test_parse_norm_error_names_value_valid_forms_and_near_miss(category, text, suggestion):
    with pytest.raises(NormError) as caught:
        parse_norm(category, text)
    message = str(caught.value)
    assert repr(text) in message
    assert f"category {category}" in message
    assert ("IIIa, IIIb" if category == "T" else "6d-TEMP") in message
    assert f"did you mean '{suggestion}'" in message
    assert caught.value.suggestion == suggestion


@pytest.mark.parametrize(("category", "text"), [("N1", "Euro 7"), ("T", "III"), ("N2H", "")])
def test_parse_norm_refuses_what_is_not_a_norm(category, text):
    with pytest.raises(NormError) as caught:
        parse_norm(category, text)
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, LaadplanError)
    assert "valid:" in str(caught.value)


def test_combustion_vehicle_without_norm_asks_for_it():
    with pytest.raises(NormError) as caught:
        access_decision("N1", OLD, "diesel", None, MID)
    message = str(caught.value)
    assert "--norm" in message
    assert "N1 diesel" in message


def test_blank_norm_counts_as_missing():
    with pytest.raises(NormError, match="missing"):
        access_decision("T", OLD, "diesel", " ", MID)


def test_empty_spreadsheet_cell_counts_as_missing():
    with pytest.raises(NormError, match="missing"):
        access_decision("N3", OLD, "diesel", float("nan"), MID)  # type: ignore[arg-type]


def test_norm_level_as_integer_is_a_level_of_the_scale():
    assert access_decision("T", OLD, "diesel", 4, MID).access is PERMIT  # level 4 = IIIb
    assert access_decision("N3", OLD, "diesel", 6, MID).access is FREE


@pytest.mark.parametrize(("category", "level"), [("N1", 7), ("N1", -1), ("T", 0)])
def test_norm_level_outside_the_scale_is_refused(category, level):
    with pytest.raises(NormError, match=f"'{level}'"):
        access_decision(category, OLD, "diesel", level, MID)


def test_float_norm_is_refused_as_ambiguous():
    with pytest.raises(NormError, match="neither text nor a norm level"):
        access_decision("T", OLD, "diesel", 4.0, MID)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("category", "level", "text"),
    [("N1", 6, "Euro 6"), ("N2L", 5, "Euro 5"), ("N3", 6, "Euro VI"), ("N2H", 0, "Euro 0")],
)
def test_format_norm(category, level, text):
    assert format_norm(category, level) == text


# --- unknown categories and fuels -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "fuel", "subject", "suggestion"),
    [
        ("N2h", "diesel", "category", "N2H"),
        ("N4", "diesel", "category", None),
        ("N1", "Diesel", "fuel", "diesel"),
        ("N1", "diesl", "fuel", "diesel"),
        ("N1", "LPG", "fuel", None),
    ],
)
def test_unknown_category_or_fuel_is_refused_with_valid_values(category, fuel, subject, suggestion):
    with pytest.raises(AccessInputError) as caught:
        access_decision(category, OLD, fuel, "6", MID)
    message = str(caught.value)
    assert message.startswith(subject)
    assert "valid: one of" in message
    assert caught.value.suggestion == suggestion
    if suggestion is not None:
        assert f"did you mean '{suggestion}'" in message


# --- properties -----------------------------------------------------------------------------------

RANK = {NONE: 0, PERMIT: 1, FREE: 2}
COMBUSTION = [Fuel.DIESEL, Fuel.PETROL, Fuel.CNG, Fuel.PHEV]
dates = st.dates(min_value=date(2015, 1, 1), max_value=date(2040, 12, 31))
categories = st.sampled_from(list(VehicleCategory))
combustion = st.sampled_from(COMBUSTION)


def _levels(category: VehicleCategory) -> st.SearchStrategy[int]:
    return st.integers(min_value=1 if category is VehicleCategory.T else 0, max_value=6)


with_level = categories.flatmap(lambda c: st.tuples(st.just(c), _levels(c)))
with_two_levels = categories.flatmap(lambda c: st.tuples(st.just(c), _levels(c), _levels(c)))


def _rank(category, registered, fuel, level, on) -> int:
    return RANK[access_decision(category, registered, fuel, level, on).access]


@given(with_two_levels, combustion, dates, dates)
def test_a_better_norm_never_gets_worse_access(category_levels, fuel, registered, on):
    category, level_a, level_b = category_levels
    low, high = sorted((level_a, level_b))
    assert _rank(category, registered, fuel, low, on) <= _rank(category, registered, fuel, high, on)


@given(with_level, combustion, dates, dates, dates)
def test_access_never_improves_with_a_later_date(category_level, fuel, registered, on_a, on_b):
    category, level = category_level
    early, late = sorted((on_a, on_b))
    assert _rank(category, registered, fuel, level, late) <= _rank(
        category, registered, fuel, level, early
    )


@given(with_level, combustion, dates, dates, dates)
def test_a_later_registration_never_gets_better_access(category_level, fuel, reg_a, reg_b, on):
    category, level = category_level
    early, late = sorted((reg_a, reg_b))
    assert _rank(category, late, fuel, level, on) <= _rank(category, early, fuel, level, on)


@given(st.sampled_from(["N1", "N2L", "N2H", "N3"]), st.integers(0, 6), dates, dates)
def test_petrol_thresholds_are_never_stricter_than_diesel(category, level, registered, on):
    diesel = _rank(category, registered, "diesel", level, on)
    for fuel in ("petrol", "cng", "phev"):
        assert _rank(category, registered, fuel, level, on) >= diesel


@given(categories, st.sampled_from(["electric", "hydrogen"]), dates, dates)
def test_zero_emission_is_always_free(category, fuel, registered, on):
    assert access_decision(category, registered, fuel, None, on).access is FREE


@given(with_level, combustion, dates, dates)
def test_every_day_of_a_year_gets_the_answer_of_1_january(category_level, fuel, registered, on):
    category, level = category_level
    day = access_decision(category, registered, fuel, level, on)
    assert access_in_year(category, registered, fuel, level, on.year).access is day.access


@given(with_level, combustion, dates)
def test_after_the_whole_fleet_date_no_combustion_vehicle_enters(category_level, fuel, registered):
    category, level = category_level
    on = whole_fleet_ze_from(category) + timedelta(days=1)
    assert zero_emission_required(category, registered, fuel, level, on)


@given(with_level)
def test_formatted_norms_parse_back(category_level):
    category, level = category_level
    assert parse_norm(category, format_norm(category, level)) == level


@given(st.sampled_from(EURO_SPELLINGS), st.randoms(use_true_random=False))
def test_euro_spellings_are_case_insensitive(spelling, rnd):
    text, level = spelling
    mixed = "".join(ch.upper() if rnd.random() < 0.5 else ch.lower() for ch in text)
    assert parse_norm("N3", mixed) == level


@given(categories, st.text(max_size=12))
def test_parse_norm_returns_a_level_or_raises_norm_error(category, text):
    try:
        level = parse_norm(category, text)
    except NormError as exc:
        assert "valid:" in str(exc)
    else:
        assert 0 <= level <= 6


# --- the command line ---------------------------------------------------------------------------


@pytest.fixture
def access_cli(monkeypatch):
    """The real ``laadplan`` entry point with only the access command registered.

    Isolates these tests from the other commands' modules, which other people are writing, and
    restores the root logger that ``main`` reconfigures onto the captured stderr.
    """
    monkeypatch.setattr(cli, "COMMAND_MODULES", {"access": "planner.cli.access"})
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield cli.main
    root.handlers[:] = handlers
    root.setLevel(level)


def test_access_command_is_registered():
    assert cli.COMMAND_MODULES["access"] == "planner.cli.access"


BASE = ["access", "--category", "N1", "--registered", "2026-06-01", "--fuel", "diesel"]


def test_cli_prints_access_and_reason(access_cli, capsys):
    code = access_cli([*BASE, "--norm", "6", "--year", "2030"])
    out = capsys.readouterr().out
    assert code == 0
    assert out == (
        "free: N1 diesel Euro 6 registered before 2027-01-01: free access until 2032-12-31\n"
    )


def test_cli_json_output(access_cli, capsys):
    code = access_cli([*BASE, "--norm", "V", "--year", "2032", "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 0
    assert set(payload) == {"access", "reason"}
    assert payload["access"] == "paid_permit"
    assert "2032-12-31" in payload["reason"]


def test_cli_on_a_date(access_cli, capsys):
    assert access_cli([*BASE, "--norm", "6", "--on", "2032-12-31", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["access"] == "free"
    assert access_cli([*BASE, "--norm", "6", "--on", "2033-01-01", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["access"] == "no_access"


def test_cli_exemption_and_tractor_stage(access_cli, capsys):
    args = ["access", "--category", "T", "--registered", "2020", "--fuel", "diesel"]
    assert access_cli([*args, "--norm", "IIIb", "--year", "2030"]) == 0
    assert capsys.readouterr().out.startswith("paid_permit: T diesel Phase IIIb")
    assert access_cli([*args, "--exemption", "T_LT_130KW", "--year", "2040", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["access"] == "exempt"


@pytest.mark.parametrize(
    ("changes", "fragments"),
    [
        (["--category", "N2h"], ["category 'N2h'", "did you mean 'N2H'"]),
        (["--fuel", "Diesel"], ["fuel 'Diesel'", "did you mean 'diesel'"]),
        (["--registered", "2026-13-01"], ["--registered '2026-13-01'", "YYYY-MM-DD"]),
        (["--registered", "1-6-2026"], ["--registered '1-6-2026'", "YYYY-MM-DD"]),
        (["--norm", "Euro 7"], ["norm 'Euro 7'", "valid:"]),
        (["--norm", ""], ["--norm"]),
        (["--year", "20x0"], ["--year '20x0'", "a year such as 2030"]),
        (["--exemption", "F8"], ["category N1", "N2L, N2H, N3"]),
    ],
)
def test_cli_bad_input_exits_1_with_a_message(access_cli, capsys, changes, fragments):
    options = {"--category": "N1", "--registered": "2026-06-01", "--fuel": "diesel"}
    options |= {"--norm": "6", "--year": "2030"}
    options |= dict(zip(changes[::2], changes[1::2], strict=True))
    argv = ["access", *(item for pair in options.items() for item in pair)]
    code = access_cli(argv)
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out == ""
    assert captured.err.startswith("error: ")
    for fragment in fragments:
        assert fragment in captured.err


def test_cli_bad_on_date_exits_1(access_cli, capsys):
    assert access_cli([*BASE, "--norm", "6", "--on", "2033"]) == 1
    assert "--on '2033'" in capsys.readouterr().err


@pytest.mark.parametrize("when", [[], ["--year", "2030", "--on", "2030-01-01"]])
def test_cli_needs_exactly_one_of_year_and_on(access_cli, capsys, when):
    with pytest.raises(SystemExit) as caught:
        access_cli([*BASE, "--norm", "6", *when])
    assert caught.value.code == 2
    assert "--year" in capsys.readouterr().err


# --- the 2027–2028 individual-permit level, cell by cell ------------------------------------

#: Each case quotes the DESIGN.md access-table cell it checks (row | column: "cell").
NEW_2027_2028_CELLS = [
    (
        'N2H, N3 | paid individual permit until the same date: "as above" (diesel Euro 5/V)',
        ("N2H", date(2027, 3, 1), "diesel", "V", date(2027, 6, 1)),
        PERMIT,
    ),
    (
        'N2H, N3 | paid individual permit until the same date: "as above" (petrol Euro 2/II)',
        ("N3", date(2028, 5, 1), "petrol", "II", date(2029, 1, 1)),
        PERMIT,
    ),
    (
        "N2H, N3 | new vehicles ... must be ZE from: "
        '"2029-01-01 (2027–2028: new must be Euro VI diesel / Euro III petrol)" — for free access',
        ("N2H", date(2027, 3, 1), "diesel", "VI", date(2027, 6, 1)),
        FREE,
    ),
    (
        'N2H, N3 | existing vehicles: free access until: "2034-12-31" — the permit ends too',
        ("N2H", date(2027, 3, 1), "diesel", "V", date(2035, 1, 1)),
        NONE,
    ),
    (
        'Plug-in hybrids ... "Worse than the paid-permit level: no access" (Euro IV diesel)',
        ("N3", date(2027, 3, 1), "diesel", "IV", date(2027, 6, 1)),
        NONE,
    ),
    (
        'T | paid individual permit until the same date: "Phase IIIb"',
        ("T", date(2027, 3, 1), "diesel", "IIIb", date(2028, 1, 1)),
        PERMIT,
    ),
    (
        'T | new vehicles ... must be ZE from: "2029-01-01 (2027–2028: new must be Phase IV)"',
        ("T", date(2028, 3, 1), "diesel", "IV", date(2028, 6, 1)),
        FREE,
    ),
    (
        'T | "Worse than the paid-permit level: no access" (Phase IIIa)',
        ("T", date(2028, 3, 1), "diesel", "IIIa", date(2028, 6, 1)),
        NONE,
    ),
]


@pytest.mark.parametrize(("cell", "args", "expected"), NEW_2027_2028_CELLS)
def test_new_heavy_vehicles_2027_2028_follow_the_table_cell(cell, args, expected):
    decision = access_decision(*args)
    assert decision.access is expected, f"{cell}: {decision.reason}"


def test_a_new_n2h_euro_v_diesel_of_2027_gets_the_paid_permit_with_the_reason():
    decision = access_in_year("N2H", date(2027, 3, 1), "diesel", "V", 2027)
    assert decision == AccessDecision(
        PERMIT,
        "N2H diesel Euro V registered from 2027-01-01 to 2028-12-31: paid individual permit "
        "until 2034-12-31 (free access needs diesel Euro VI or better); new N2H vehicles "
        "registered from 2027-01-01 to 2028-12-31 need diesel Euro VI or better for free access",
    )
