"""Tolerant reading of cells (validation.tolerance): properties over many written forms."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from validation.tolerance import (
    COMMA,
    POINT,
    NumberConvention,
    canonical_choices,
    canonical_numbers,
    canonical_times,
    number_convention,
)


def written(value: int, decimals: str, decimal: str, grouped: bool) -> str:
    """A number as a locale writes it: thousands grouped with the other mark."""
    thousands = COMMA if decimal == POINT else POINT
    whole = f"{value:,}".replace(",", thousands) if grouped else str(value)
    return whole + (decimal + decimals if decimals else "")


@given(
    value=st.integers(min_value=0, max_value=10_000_000),
    decimals=st.from_regex(r"[0-9]{0,2}[1-9]|", fullmatch=True),
    decimal=st.sampled_from([POINT, COMMA]),
    grouped=st.booleans(),
)
def test_a_number_written_in_the_files_convention_reads_back(
    value: int, decimals: str, decimal: str, grouped: bool
) -> None:
    text = written(value, decimals, decimal, grouped)
    read, _, issues = canonical_numbers(pd.Series([text]), "x", NumberConvention(decimal))
    assert issues == []
    expected = float(f"{value}.{decimals}" if decimals else value)
    assert float(read.iloc[0]) == expected


@given(
    value=st.integers(min_value=1000, max_value=999_999), decimal=st.sampled_from([POINT, COMMA])
)
def test_one_group_of_three_in_a_mixed_file_is_refused_naming_both(
    value: int, decimal: str
) -> None:
    text = written(value, "", decimal, grouped=True)
    _, _, issues = canonical_numbers(pd.Series([text]), "x", NumberConvention(COMMA, mixed=True))
    assert len(issues) == 1
    assert f"{value} (" in issues[0].problem and f"{value / 1000:g} (" in issues[0].problem


@given(hours=st.integers(0, 23), minutes=st.integers(0, 59), seconds=st.booleans())
def test_clock_times_read_as_hhmm(hours: int, minutes: int, seconds: bool) -> None:
    text = f"{hours}:{minutes:02d}" + (":00" if seconds else "")
    read, _ = canonical_times(pd.Series([text]), "dwell_start")
    assert read.iloc[0] == f"{hours:02d}:{minutes:02d}"


@given(minutes=st.integers(0, 24 * 60))
def test_excel_fractions_of_a_day_read_as_hhmm_only_from_workbooks(minutes: int) -> None:
    text = repr(minutes / 1440)
    from_workbook, _ = canonical_times(pd.Series([text]), "t", excel_fractions=True)
    from_csv, _ = canonical_times(pd.Series([text]), "t")
    assert from_workbook.iloc[0] == f"{minutes // 60:02d}:{minutes % 60:02d}"
    assert from_csv.iloc[0] == text


def test_choices_ignore_case_accents_and_spaces_and_say_so() -> None:
    read, warnings = canonical_choices(
        pd.Series(["Électrique", " N2-h ", "n1", "N1", "x"]),
        "c",
        ["electric", "N2H", "N1"],
        {"électrique": "electric"},
    )
    assert read.tolist() == ["electric", "N2H", "N1", "N1", "x"]
    assert len(warnings) == 3


def test_the_convention_comes_from_the_file() -> None:
    frame = pd.DataFrame({"a": ["12,5", "1.200"], "b": ["", "7"]})
    assert number_convention(frame, ["a", "b"], ";") == NumberConvention(COMMA)
    frame = pd.DataFrame({"a": ["12.5", "1,200"]})
    assert number_convention(frame, ["a"], ";") == NumberConvention(POINT)
    assert number_convention(frame, ["a"], ",") == NumberConvention(POINT)


def test_the_largest_number_with_three_decimals_keeps_them() -> None:
    """Found by hypothesis: 10 significant digits read 10,000,000.001 as 10,000,000."""
    read, _, issues = canonical_numbers(pd.Series(["10.000.000,001"]), "x", NumberConvention(COMMA))
    assert issues == [] and read.tolist() == ["10000000.001"]
