"""The needs template: Excel's checks are in it, and filled in it passes validation."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest

from planner.cli import main
from planner.intake.needs import validate_needs_file
from planner.intake.needs_schema import NEEDS_COLUMNS
from planner.intake.needs_template import (
    DATA_SHEET,
    EXPLANATION_SHEET,
    TemplateError,
    needs_template,
)
from tests._needs_fixtures import VALID_ROWS


def _excel_value(column: str, text: str) -> object:
    """A cell as a person fills it in Excel: times, numbers and yes/no as Excel keeps them."""
    if text == "":
        return None
    if column in ("dwell_start", "dwell_end"):
        hours, minutes = (int(part) for part in text.split(":"))
        return dt.time(hours, minutes)
    if column in ("vehicles", "first_registration_year", "working_days_per_week"):
        return int(text)
    if column in ("lat", "lon", "daily_km", "kwh_per_km", "energy_kwh_per_day"):
        return float(text)
    if column in ("private_terrain", "share_willing"):
        return "ja" if text in ("true", "ja", "1", "yes") else "nee"
    return text


def test_workbook_template_has_dropdowns_ranges_and_an_explanation() -> None:
    book = openpyxl.load_workbook(io.BytesIO(needs_template("xlsx")))
    assert book.sheetnames == [DATA_SHEET, EXPLANATION_SHEET]
    sheet = book[DATA_SHEET]
    assert [cell.value for cell in sheet[1]] == list(NEEDS_COLUMNS)
    rules = {str(v.sqref).split(":")[0]: v for v in sheet.data_validations.dataValidation}
    assert rules["H2"].type == "list" and rules["H2"].formula1 == '"N1,N2L,N2H,N3,T"'
    assert rules["K2"].formula1 == '"diesel,petrol,cng,electric,hydrogen,phev"'
    assert rules["R2"].formula1 == '"ja,nee"' and rules["S2"].formula1 == '"ja,nee"'
    assert "F5" in rules["U2"].formula1 and "T_LT_130KW" in rules["U2"].formula1
    assert (rules["I2"].type, rules["I2"].formula1, rules["I2"].formula2) == ("whole", "1", "10000")
    assert (rules["M2"].type, rules["M2"].formula1, rules["M2"].formula2) == (
        "decimal",
        "0",
        "1500",
    )
    explained = [row[0].value for row in book[EXPLANATION_SHEET].iter_rows(min_row=2, max_row=23)]
    assert explained == list(NEEDS_COLUMNS)


def test_workbook_template_filled_in_passes_validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = openpyxl.load_workbook(io.BytesIO(needs_template("xlsx")))
    sheet = book[DATA_SHEET]
    for row_number, row in enumerate(VALID_ROWS, start=2):
        for column_number, column in enumerate(NEEDS_COLUMNS, start=1):
            sheet.cell(row_number, column_number, _excel_value(column, row[column]))
    path = tmp_path / "needs.xlsx"
    book.save(path)
    assert main(["validate", str(path)]) == 0
    assert "3 needs, 19 vehicles, 2 organisations" in capsys.readouterr().out
    table, _ = validate_needs_file(path)
    assert table is not None and table["dwell_start"].tolist() == ["18:00", "17:00", "09:00"]


def test_csv_template_filled_in_passes_validate(tmp_path: Path) -> None:
    path = tmp_path / "needs.csv"
    assert main(["template", "needs", "--out", str(path)]) == 0
    text = path.read_bytes().decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].split(";") == list(NEEDS_COLUMNS) and lines[1].startswith("# ")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows([row[c] for c in NEEDS_COLUMNS] for row in VALID_ROWS)
    path.write_bytes((text + buffer.getvalue()).encode("utf-8-sig"))
    table, report = validate_needs_file(path)
    assert report.ok, report.format()
    assert table is not None and table["need_id"].tolist() == ["N-001", "N-002", "N-003"]


def test_unknown_template_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="valid: xlsx, csv"):
        needs_template("ods")
    assert main(["template", "needs", "--out", str(tmp_path / "needs.ods")]) == 1
