"""Needs files as Excel saves them in a Belgian locale: read tolerantly, with warnings."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from planner.cli import main
from planner.intake.needs import check_needs, load_needs, validate_needs_file
from planner.intake.needs_schema import FILE_ROWS_ATTR, NEEDS_COLUMNS
from tests._needs_fixtures import VALID_ROWS, broken, write_needs

#: The valid rows as a Belgian Excel writes them: Ja/Nee, capitalised fuels, lower-case
#: categories, times with seconds, decimal commas and a thousands separator.
EXCEL_ROWS: list[dict[str, str]] = [
    dict(
        VALID_ROWS[0],
        sector="pakjes & koeriers — é",
        lat="50,8798",
        lon="4,7005",
        vehicle_category="n1",
        fuel="Diesel",
        daily_km="1.200",
        dwell_start="20:00:00",
        dwell_end="6:30:00",
        private_terrain="Ja",
        share_willing="Nee",
    ),
    dict(VALID_ROWS[1], kwh_per_km="1,3", fuel="DIESEL", dwell_start="17:00:00"),
    dict(VALID_ROWS[2], fuel="Elektrisch", lat="50,8798", lon="4,7005", dwell_end="09:00:00"),
]


def write_belgian_excel_csv(path: Path, rows: list[dict[str, str]] = EXCEL_ROWS) -> Path:
    """Windows-1252, ``;``-separated, CRLF, and the empty trailing rows Excel leaves."""
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow(NEEDS_COLUMNS)
    writer.writerows([row.get(column, "") for column in NEEDS_COLUMNS] for row in rows)
    writer.writerows([[""] * len(NEEDS_COLUMNS)] * 14)
    path.write_bytes(text.getvalue().encode("cp1252"))
    return path


def write_belgian_excel_xlsx(path: Path) -> Path:
    """The same rows as a workbook: numbers as numbers, times as Excel time cells."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(NEEDS_COLUMNS))
    for row in EXCEL_ROWS:
        sheet.append([_cell(column, row[column]) for column in NEEDS_COLUMNS])
    fraction = sheet.cell(row=3, column=NEEDS_COLUMNS.index("dwell_end") + 1, value=7 / 24)
    fraction.number_format = "General"  # a time typed as a number: 07:00 as a fraction of a day
    for row_number in range(5, 19):  # empty trailing rows that still exist in the sheet
        sheet.cell(row=row_number, column=1, value="")
    book.save(path)
    return path


def _cell(column: str, text: str) -> object:
    if text == "":
        return None
    if column in ("dwell_start", "dwell_end"):
        hours, minutes = (int(part) for part in text.split(":")[:2])
        return dt.time(hours, minutes)
    if column in ("lat", "lon", "kwh_per_km", "daily_km"):
        return (
            float(text.replace(".", "").replace(",", "."))
            if column == "daily_km"
            else float(text.replace(",", "."))
        )
    if column in ("vehicles", "first_registration_year", "working_days_per_week"):
        return int(text)
    return text


def test_belgian_excel_csv_validates_with_warnings(tmp_path: Path) -> None:
    table, report = validate_needs_file(write_belgian_excel_csv(tmp_path / "needs.csv"))
    assert report.ok, report.format()
    assert table is not None and len(table) == 3
    assert table["vehicle_category"].tolist() == ["N1", "N3", "N1"]
    assert table["fuel"].tolist() == ["diesel", "diesel", "electric"]
    assert table["daily_km"].tolist()[:2] == [1200.0, 180.0]
    assert table["kwh_per_km"].tolist()[1] == pytest.approx(1.3)
    assert table["dwell_start"].tolist() == ["20:00", "17:00", "09:00"]
    assert table["dwell_end"].tolist() == ["06:30", "07:00", "09:00"]
    assert table["private_terrain"].tolist() == [True, True, True]
    assert table.loc[0, "sector"] == "pakjes & koeriers — é"
    messages = [warning.message() for warning in report.warnings]
    assert messages[0].startswith("file: is not UTF-8")
    assert "column 'fuel': 'Diesel' was read as 'diesel' (row 2)" in messages
    assert "column 'fuel': 'Elektrisch' was read as 'electric' (row 4)" in messages
    assert "column 'vehicle_category': 'n1' was read as 'N1' (row 2)" in messages
    assert (
        "column 'dwell_start': '20:00:00' was read as '20:00', as were the other times written "
        "so (rows 2–3)" in messages
    )
    assert "column 'daily_km': '1.200' was read as 1200 (thousands separator) (row 2)" in messages


def test_belgian_excel_workbook_validates_with_warnings(tmp_path: Path) -> None:
    table, report = validate_needs_file(write_belgian_excel_xlsx(tmp_path / "needs.xlsx"))
    assert report.ok, report.format()
    assert table is not None and len(table) == 3
    assert table["dwell_start"].tolist() == ["20:00", "17:00", "09:00"]
    assert table["dwell_end"].tolist() == ["06:30", "07:00", "09:00"]
    assert table["daily_km"].tolist()[0] == 1200.0
    messages = [warning.message() for warning in report.warnings]
    assert (
        "column 'dwell_end': '0.2916666666666667' was read as '07:00' (an Excel time) (row 3)"
        in messages
    )
    assert "column 'fuel': 'Diesel' was read as 'diesel' (row 2)" in messages


def test_validate_command_shows_the_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(write_belgian_excel_csv(tmp_path / "needs.csv"))]) == 0
    out = capsys.readouterr().out
    assert "needs.csv: 3 rows checked, no problems found." in out
    assert "warning(s), not blocking:" in out
    assert "warning: column 'vehicle_category': 'n1' was read as 'N1' (row 2)" in out


def test_row_numbers_stay_file_rows_after_an_empty_row(tmp_path: Path) -> None:
    rows = [dict(EXCEL_ROWS[0]), {}, dict(EXCEL_ROWS[1], vehicle_category="N9")]
    _, report = validate_needs_file(write_belgian_excel_csv(tmp_path / "needs.csv", rows))
    assert [issue.message() for issue in report.issues] == [
        "row 4, column 'vehicle_category': 'N9' is not a vehicle category; "
        "valid: one of N1, N2L, N2H, N3, T"
    ]


def test_the_file_rows_travel_with_the_table_shared_not_copied(tmp_path: Path) -> None:
    """Every frame pandas makes of the needs keeps the very same row numbers (pandas
    deep-copies ``attrs`` into each; copying 20,000 numbers each time cost seconds)."""
    rows = [dict(VALID_ROWS[0]), {}, dict(VALID_ROWS[1])]
    table = load_needs(write_needs(tmp_path / "needs.csv", rows))
    file_rows = table.attrs[FILE_ROWS_ATTR]
    assert list(file_rows) == [2, 4]
    derived = [table[["need_id"]], table["vehicles"].astype(float), table.copy(deep=True)]
    assert all(frame.attrs[FILE_ROWS_ATTR] is file_rows for frame in derived)


def test_a_postcode_in_nis_code_names_the_municipality_and_its_nis_code(tmp_path: Path) -> None:
    path = write_needs(tmp_path / "needs.csv", broken(1, nis_code="9000"))
    _, report = validate_needs_file(path)
    assert [issue.message() for issue in report.issues] == [
        "row 3, column 'nis_code': '9000' is the postcode of Gent, not a NIS code; "
        "valid: the 5-digit NIS code of the municipality, or empty — did you mean '44021'?"
    ]


def test_a_postcode_in_zes_cities_suggests_the_nis_code(tmp_path: Path) -> None:
    _, report = validate_needs_file(write_needs(tmp_path / "n.csv", broken(0, zes_cities="3000")))
    assert [issue.suggestion for issue in report.issues] == ["24062"]


def test_brussels_in_zes_cities_is_refused_with_the_reason(tmp_path: Path) -> None:
    path = write_needs(tmp_path / "needs.csv", broken(0, zes_cities="24062;21004"))
    _, report = validate_needs_file(path)
    assert [issue.message() for issue in report.issues] == [
        "row 2, column 'zes_cities': '24062;21004' holds 21004, a municipality of the "
        "Brussels-Capital Region: Brussels is outside the Flemish ZES framework (the agreement "
        "covers zones of Flemish cities only); valid: NIS codes of Flemish municipalities "
        "separated by ';' (or empty)"
    ]


def test_an_ambiguous_number_is_refused_naming_both_readings(tmp_path: Path) -> None:
    rows = broken(0, daily_km="1.200", lat="50.8798", lon="4.7005")
    rows[1]["kwh_per_km"] = "1,3"  # the file shows decimal points and decimal commas
    _, report = validate_needs_file(write_needs(tmp_path / "n.csv", rows, delimiter=";"))
    assert [issue.message() for issue in report.issues] == [
        "row 2, column 'daily_km': '1.200' reads two ways: 1200 ('.' as thousands separator) "
        "or 1.2 ('.' as decimal mark), and this file uses both decimal points and decimal "
        "commas; valid: the number without a thousands separator: 1200, or 1,2 for the decimal"
    ]


def test_in_a_mixed_file_the_only_reading_in_range_is_taken(tmp_path: Path) -> None:
    rows = broken(0, lat="50.880", lon="4.7005")
    rows[1]["kwh_per_km"] = "1,3"
    table, report = validate_needs_file(write_needs(tmp_path / "n.csv", rows, delimiter=";"))
    assert table is not None, report.format()
    assert table.loc[0, "lat"] == pytest.approx(50.88)
    assert "column 'lat': '50.880' was read as 50.88 (the only reading in range) (row 2)" in [
        warning.message() for warning in report.warnings
    ]


@pytest.mark.parametrize(
    ("written", "valid"),
    [("20:00:30", False), ("24:00", True), ("7:5", False), ("25:00:00", False), ("07:30", True)],
)
def test_times_with_seconds_only_on_the_minute(written: str, valid: bool) -> None:
    raw = pd.DataFrame([dict(VALID_ROWS[0], dwell_start=written)], columns=list(NEEDS_COLUMNS))
    table, _ = check_needs(raw.astype(str))
    assert (table is not None) is valid


def test_the_files_convention_decides_even_out_of_range(tmp_path: Path) -> None:
    rows = [dict(row) for row in EXCEL_ROWS]
    rows[0]["daily_km"] = "2.000"  # 2000 km in a decimal-comma file: out of range, not 2 km
    _, report = validate_needs_file(write_belgian_excel_csv(tmp_path / "needs.csv", rows))
    assert [issue.message() for issue in report.issues] == [
        "row 2, column 'daily_km': '2.000' is out of range; "
        "valid: a number from 0 to 1500 (km), or empty"
    ]


def test_a_column_named_twice_is_reported_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "needs.csv"
    path.write_text("need_id,need_id ,fuel\nN-1,N-2,Diesel\n", encoding="utf-8")
    table, report = validate_needs_file(path)
    assert table is None
    assert [issue.message() for issue in report.issues] == [
        "column 'need_id': 'need_id' is a column name that occurs more than once (after "
        "trimming); valid: every column once"
    ]
