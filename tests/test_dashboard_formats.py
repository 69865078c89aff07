"""Numbers and words as the dashboard writes them: Belgian formats, labels, planner messages."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboards.components import data_table, long_table, table_cell
from dashboards.formatting import format_cell, format_number, format_year
from dashboards.i18n import LABELS, column_label, has_column_label, translate_message
from planner.optimisation.tables import (
    ASSIGNMENT_COLUMNS,
    REINFORCEMENT_COLUMNS,
    SITE_BASE_COLUMNS,
    SITE_TAIL_COLUMNS,
    UNMET_COLUMNS,
)


def read_dutch(text: str) -> float:
    """A number written the Belgian way, read back."""
    return float(text.replace(".", "").replace(",", "."))


@given(st.floats(-1e9, 1e9, allow_nan=False), st.integers(0, 3))
def test_a_dutch_number_reads_back_as_the_value(value: float, digits: int) -> None:
    text = format_number(value, "nl", digits)
    assert re.fullmatch(r"-?\d{1,3}(\.\d{3})*(,\d+)?", text), text
    assert read_dutch(text) == pytest.approx(round(value, digits), abs=10**-digits)
    english = format_number(value, "en", digits)
    assert float(english.replace(",", "")) == read_dutch(text)


@given(st.integers(1900, 2100))
def test_a_year_is_four_digits_in_every_column_that_holds_one(year: int) -> None:
    for column in ("year", "first_registration_year", "earliest_year", "zes_start_year"):
        assert format_cell(column, float(year), "nl") == str(year) == format_year(year)


def test_vehicles_and_chargers_are_whole_and_measures_keep_their_decimals() -> None:
    assert format_cell("ze_vehicles", 50.8, "nl") == "51"  # not "Holsbeek 50.8"
    assert format_cell("chargers_private", 1234.0, "nl") == "1.234"
    assert format_cell("unmet_kwh_per_day", 3.2, "nl") == "3,2"  # not "3.200"
    assert format_cell("energy_kwh_per_day", 1826.44, "nl") == "1.826,4"
    assert format_cell("utilisation", 0.126, "en") == "13%"


def test_the_plan_tables_have_a_dutch_header_for_every_column() -> None:
    columns = [
        *SITE_BASE_COLUMNS, *SITE_TAIL_COLUMNS, *ASSIGNMENT_COLUMNS, *REINFORCEMENT_COLUMNS,
        *UNMET_COLUMNS, "chargers_AC 22 kW",
    ]  # fmt: skip
    assert [column for column in columns if not has_column_label(column)] == []
    assert column_label("chargers_AC 22 kW", "nl") == "Laadpunten AC 22 kW"


def test_every_label_has_dutch_and_english_and_fills_the_same_fields() -> None:
    for key, (dutch, english) in LABELS.items():
        assert dutch and english, key
        assert re.findall(r"{(\w+)}", dutch) == re.findall(r"{(\w+)}", english), key


def test_a_table_shows_labels_translated_words_and_belgian_numbers() -> None:
    table = pd.DataFrame(
        {"year": [2030], "tier": ["semi_public"], "newly_opened": [True],
         "energy_kwh_per_day": [1234.5], "cause": ["no_site_in_reach"]}
    )  # fmt: skip
    markup = data_table(table, "nl").children[0].children
    for text in (
        "<th>Jaar</th>",
        "<th>Trede</th>",
        "<th>Energie (kWh/dag)</th>",
        "<th>Oorzaak</th>",
    ):
        assert text in markup
    for text in ("<td>2030</td>", "<td>semipubliek</td>", "<td>ja</td>", "<td>1.234,5</td>"):
        assert text in markup
    assert "<td>geen locatie binnen bereik</td>" in markup


def test_a_comparison_formats_each_row_as_its_quantity() -> None:
    table = pd.DataFrame(
        {"quantity": ["year", "objective_eur", "status", "setting:ladder_policy"],
         "A": [2030, 1234567.8, "optimal", "none"], "B": [2030, 1000.0, "feasible", "weighted"]}
    )  # fmt: skip
    shown = long_table(table, "quantity", "nl")
    assert shown["A"].tolist() == ["2030", "1.234.567,8", "optimaal", "geen"]
    assert shown["quantity"].tolist()[:2] == ["Jaar", "Kost (EUR/jaar)"]
    assert table_cell("reported_as", "merged:C7", "nl") == "samengevoegd in C7"


@pytest.mark.parametrize(
    ("english", "dutch"),
    [
        (
            "nearest semi-public site S9 10.66 km, limit 10 km",
            "dichtstbijzijnde semipublieke locatie S9 op 10,66 km, grens 10 km",
        ),
        (
            "dwell window 20:00–06:30; the 1 site(s) in reach open 07:00–19:00",
            "standtijd 20:00–06:30; de 1 locatie(s) binnen bereik zijn open 07:00–19:00",
        ),
        (
            "site P1 holds 4 of its 4 chargers",
            "locatie P1 heeft 4 van haar 4 laadpunten",
        ),
        (
            "cost: optimal (gap 0.12%, limit 1.00%)",
            "kost: optimaal (kloof 0,12%, grens 1,00%)",
        ),
    ],
)
def test_the_planners_messages_read_dutch(english: str, dutch: str) -> None:
    assert translate_message(english, "nl") == dutch
    assert translate_message(english, "en") == english
