"""zones.csv: validation of every row at once, conversion, and which cities are active when."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from planner.rules.zones import load_zones, zes_active_cities, zes_start_for
from validation import TableValidationError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "zones.csv"
    path.write_text(text, encoding="utf-8")
    return path


def messages(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(TableValidationError) as caught:
        load_zones(write(tmp_path, text))
    return [issue.message() for issue in caught.value.report.sorted_issues()]


def test_valid_file_gives_start_years_by_nis_code(tmp_path: Path) -> None:
    zones = load_zones(write(tmp_path, "nis_code,zes_start_year\n24062,2027\n44021,2030\n"))
    assert zones.name == "zes_start_year"
    assert zones.index.name == "nis_code"
    assert zones.to_dict() == {"24062": 2027, "44021": 2030}
    assert zones.dtype.kind == "i"
    assert all(isinstance(code, str) for code in zones.index)


def test_semicolon_file_with_name_column_and_spaces(tmp_path: Path) -> None:
    text = "nis_code;name;zes_start_year\n 24062 ;Leuven; 2028\n11002;Antwerpen;2027\n"
    zones = load_zones(write(tmp_path, text))
    assert zones.to_dict() == {"24062": 2028, "11002": 2027}


def test_header_only_file_means_no_zes_anywhere(tmp_path: Path) -> None:
    zones = load_zones(write(tmp_path, "nis_code,zes_start_year\n"))
    assert zones.empty
    assert zes_active_cities(zones, 2035) == set()


def test_every_bad_row_is_reported_at_once(tmp_path: Path) -> None:
    text = (
        "nis_code,zes_start_year\n"
        "24062,2027\n"  # row 2: fine
        "21004,2028\n"  # row 3: Brussels, not Flemish
        "44021,2026\n"  # row 4: before the first possible start
        "11002,2030.5\n"  # row 5: not a whole year
        "24062,2029\n"  # row 6: Leuven again
        "Leuven,2027\n"  # row 7: a name, not a code
        "12025,\n"  # row 8: empty year
    )
    assert messages(tmp_path, text) == [
        "row 3, column 'nis_code': '21004' is not the NIS code of a Flemish municipality; "
        "valid: a 5-digit NIS code of one of the 285 Flemish municipalities (2025)",
        "row 4, column 'zes_start_year': '2026' is not a ZES start year; "
        "valid: a whole year from 2027 to 2050",
        "row 5, column 'zes_start_year': '2030.5' is not a ZES start year; "
        "valid: a whole year from 2027 to 2050",
        "row 6, column 'nis_code': '24062' is a duplicate (first used on row 2); valid: unique",
        "row 7, column 'nis_code': 'Leuven' is not the NIS code of a Flemish municipality; "
        "valid: a 5-digit NIS code of one of the 285 Flemish municipalities (2025) "
        "— did you mean '24062'?",
        "row 8, column 'zes_start_year': (empty) is not a ZES start year; "
        "valid: a whole year from 2027 to 2050",
    ]


def test_missing_column_suggests_the_misspelt_one(tmp_path: Path) -> None:
    found = messages(tmp_path, "nis_code,zes_start_yr\n24062,2027\n")
    assert any(
        "column 'zes_start_year'" in m and "required column is missing" in m and "zes_start_yr" in m
        for m in found
    ), found


def test_unknown_extra_column_is_refused(tmp_path: Path) -> None:
    found = messages(tmp_path, "nis_code,zes_start_year,comment\n24062,2027,x\n")
    assert found == ["column 'comment': (empty) is not a column of the contract"]


def test_active_cities_follow_the_start_year() -> None:
    zones = pd.Series([2027, 2030], index=["24062", "44021"], name="zes_start_year")
    assert zes_active_cities(zones, 2026) == set()
    assert zes_active_cities(zones, 2029) == {"24062"}
    assert zes_active_cities(zones, 2030) == {"24062", "44021"}


def test_a_need_follows_the_earliest_of_its_cities() -> None:
    zones = pd.Series([2031, 2029], index=["24062", "44021"], name="zes_start_year")
    assert zes_start_for(["24062", "44021"], zones) == 2029
    assert zes_start_for(["11002"], zones) is None
    assert zes_start_for([], zones) is None
