"""Needs intake: every check, the wording of its message, and all-or-nothing loading."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from planner.cli import main
from planner.intake.needs import load_needs, validate_needs_file
from planner.intake.needs_schema import NEEDS_COLUMNS
from tests._needs_fixtures import VALID_ROWS, broken, write_needs
from validation import TableValidationError
from validation.reading import ReadError


def issues_for(tmp_path: Path, rows: list[dict[str, str]], **kwargs: object) -> list[str]:
    path = write_needs(tmp_path / "needs.csv", rows, **kwargs)  # type: ignore[arg-type]
    table, report = validate_needs_file(path)
    assert table is None, "a bad file must load nothing"
    return [issue.message() for issue in report.sorted_issues()]


def test_valid_file_loads_typed_and_enriched(tmp_path: Path) -> None:
    table = load_needs(write_needs(tmp_path / "needs.csv"))
    assert list(table["need_id"]) == ["N-001", "N-002", "N-003"]
    assert table["vehicles"].dtype.kind == "i"
    assert table["daily_km"].dtype.kind == "f"
    assert table["private_terrain"].tolist() == [True, True, True]
    assert table["share_willing"].tolist() == [False, False, True]
    assert table["zes_cities"].tolist() == ["24062", "44021;24062", ""]
    assert table["vervoerregio_name"].tolist() == ["Leuven", "Gent", "Leuven"]
    assert table["location_estimated"].tolist() == [False, True, False]
    assert table.loc[2, "nis_code"] == "24062"  # placed from its coordinates
    assert table.loc[1, "lat"] == pytest.approx(51.05, abs=0.1)  # Gent, from its NIS code
    assert table["norm_level"].tolist() == [6, 6, 0]
    assert table["kwh_per_km"].isna().tolist() == [True, False, True]
    assert table.loc[1, "exemption"] == "F5"


def test_xlsx_is_read_like_csv(tmp_path: Path) -> None:
    frame = pd.DataFrame(VALID_ROWS, columns=list(NEEDS_COLUMNS))
    path = tmp_path / "needs.xlsx"
    frame.to_excel(path, index=False)
    table = load_needs(path)
    assert table["vehicles"].tolist() == [12, 3, 4]


def test_semicolon_file_with_decimal_commas(tmp_path: Path) -> None:
    rows = broken(1, kwh_per_km="1,3")
    table = load_needs(write_needs(tmp_path / "needs.csv", rows, delimiter=";"))
    assert table.loc[1, "kwh_per_km"] == pytest.approx(1.3)


def test_near_miss_category_is_suggested(tmp_path: Path) -> None:
    messages = issues_for(tmp_path, broken(1, vehicle_category="N2h"))
    assert messages == [
        "row 3, column 'vehicle_category': 'N2h' is not a vehicle category; "
        "valid: one of N1, N2L, N2H, N3, T — did you mean 'N2H'?"
    ]


def test_every_bad_row_is_reported_at_once(tmp_path: Path) -> None:
    rows = broken(0, fuel="diesl", daily_km="2000")
    rows[2].update(dwell_start="7h", working_days_per_week="8")
    messages = issues_for(tmp_path, rows)
    assert messages == [
        "row 2, column 'daily_km': '2000' is out of range; "
        "valid: a number from 0 to 1500 (km), or empty",
        "row 2, column 'fuel': 'diesl' is not a fuel; valid: one of diesel, petrol, cng, "
        "electric, hydrogen, phev — did you mean 'diesel'?",
        "row 4, column 'dwell_start': '7h' is not a time of day; "
        "valid: HH:MM from 00:00 to 24:00, e.g. 07:30 — did you mean '07:00'?",
        "row 4, column 'working_days_per_week': '8' is out of range; "
        "valid: a whole number from 1 to 7",
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"vehicles": "-3"}, "row 2, column 'vehicles': '-3' is out of range"),
        ({"vehicles": "2.5"}, "row 2, column 'vehicles': '2.5' is not a whole number"),
        ({"vehicles": "many"}, "row 2, column 'vehicles': 'many' is not a whole number"),
        ({"daily_km": "-1"}, "row 2, column 'daily_km': '-1' is out of range"),
        ({"euro_norm": "7"}, "row 2, column 'euro_norm': '7' is not an emission norm"),
        ({"euro_norm": ""}, "row 2, column 'euro_norm': (empty) is not an emission norm"),
        ({"euro_norm": "", "fuel": "electric"}, None),
        ({"euro_norm": "", "exemption": "F7"}, None),
        ({"exemption": "F6"}, "row 2, column 'exemption': 'F6' is not an exemption code"),
        ({"exemption": "F8"}, "row 2, column 'exemption': 'F8' does not apply to this vehicle"),
        ({"kwh_per_km": "1.2"}, "row 2, column 'kwh_per_km': '1.2' is not plausible"),
        ({"dwell_end": "25:00"}, "row 2, column 'dwell_end': '25:00' is not a time of day"),
        ({"private_terrain": "maybe"}, "row 2, column 'private_terrain': 'maybe' is not a yes/no"),
        ({"need_id": ""}, "row 2, column 'need_id': (empty) is empty"),
        (
            {"first_registration_year": "1890"},
            "row 2, column 'first_registration_year': '1890' is out",
        ),
        ({"lat": "50.85", "lon": "4.35"}, "row 2, column 'lat': '50.85' places the depot outside"),
        ({"lat": "48.85", "lon": "2.35"}, "row 2, column 'lat': '48.85' places the depot outside"),
        (
            {"lat": "", "lon": "", "nis_code": ""},
            "row 2, column 'lat': (empty) is empty, and so are lon and nis_code",
        ),
        ({"daily_km": ""}, "row 2, column 'daily_km': (empty) is empty while energy_kwh_per_day"),
        ({"energy_kwh_per_day": "0"}, "row 2, column 'energy_kwh_per_day': '0' is out of range"),
    ],
)
def test_each_check_names_row_column_and_value(
    tmp_path: Path, changes: dict[str, str], expected: str | None
) -> None:
    path = write_needs(tmp_path / "needs.csv", broken(0, **changes))
    if expected is None:  # a valid variation
        assert validate_needs_file(path)[1].ok
        return
    messages = issues_for(tmp_path, broken(0, **changes))
    assert len(messages) == 1, messages
    assert messages[0].startswith(expected)
    assert "valid:" in messages[0]


def test_non_flemish_nis_code_suggests_the_code_for_a_name(tmp_path: Path) -> None:
    messages = issues_for(tmp_path, broken(1, nis_code="21004"))
    assert messages[0].startswith(
        "row 3, column 'nis_code': '21004' is not the NIS code of a Flemish municipality"
    )
    (message,) = issues_for(tmp_path, broken(1, nis_code="Gent"))
    assert message.endswith("did you mean '44021'?")


def test_zes_cities_must_be_flemish_codes(tmp_path: Path) -> None:
    (message,) = issues_for(tmp_path, broken(0, zes_cities="24062;Leuven"))
    assert message.startswith("row 2, column 'zes_cities': '24062;Leuven' holds a code that is")
    assert message.endswith("did you mean '24062'?")


def test_duplicate_need_id_points_to_the_first(tmp_path: Path) -> None:
    (message,) = issues_for(tmp_path, broken(2, need_id="N-001"))
    assert message == (
        "row 4, column 'need_id': 'N-001' is a duplicate (first used on row 2); valid: unique"
    )


def test_missing_column_suggests_the_misspelt_header(tmp_path: Path) -> None:
    columns = [c if c != "vehicle_category" else "vehicle_categry" for c in NEEDS_COLUMNS]
    rows = [
        {("vehicle_categry" if k == "vehicle_category" else k): v for k, v in r.items()}
        for r in VALID_ROWS
    ]
    messages = issues_for(tmp_path, rows, columns=columns)
    assert messages == [
        "column 'vehicle_category': (empty) required column is missing; "
        "valid: the contract header — did you mean 'vehicle_categry'?"
    ]


def test_optional_columns_may_be_left_out(tmp_path: Path) -> None:
    columns = [c for c in NEEDS_COLUMNS if c not in ("kwh_per_km", "exemption")]
    rows = [dict(r, kwh_per_km="", exemption="") for r in VALID_ROWS]
    table = load_needs(write_needs(tmp_path / "needs.csv", rows, columns=columns))
    assert table["exemption"].tolist() == ["", "", ""]


def test_load_raises_with_the_report_and_loads_nothing(tmp_path: Path) -> None:
    path = write_needs(tmp_path / "needs.csv", broken(0, vehicle_category="X"))
    with pytest.raises(TableValidationError) as caught:
        load_needs(path)
    assert caught.value.report.bad_rows == [2]
    assert "nothing was loaded" in str(caught.value)


def test_not_utf8_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "needs.csv"
    write_needs(path, broken(0, sector="horeca"))
    path.write_bytes(path.read_bytes().replace(b"horeca", "hôreca".encode("latin-1")))
    with pytest.raises(ReadError, match=r"not UTF-8 text .* save the file as 'CSV UTF-8'"):
        validate_needs_file(path)


def test_validate_command_exit_codes_and_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_needs(tmp_path / "good.csv")
    assert main(["validate", str(good)]) == 0
    out = capsys.readouterr().out
    assert "3 rows checked, no problems found" in out
    assert "3 needs, 19 vehicles, 2 organisations" in out
    bad = write_needs(tmp_path / "bad.csv", broken(1, vehicle_category="N2h"))
    assert main(["validate", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "bad.csv: 1 problem(s) in 1 row(s) of 3; nothing was loaded." in out
    assert "did you mean 'N2H'?" in out


def test_validate_command_on_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(tmp_path / "nope.csv")]) == 1
    assert "nope.csv: no such file" in capsys.readouterr().err


def test_all_rows_with_coordinates_and_all_rows_by_code(tmp_path: Path) -> None:
    with_points = [dict(r, lat="50.88", lon="4.70") for r in VALID_ROWS]
    table = load_needs(write_needs(tmp_path / "a.csv", with_points))
    assert not table["location_estimated"].any()
    by_code = [dict(r, lat="", lon="", nis_code="24062") for r in VALID_ROWS]
    table = load_needs(write_needs(tmp_path / "b.csv", by_code))
    assert table["location_estimated"].all()
    assert table["lat"].between(50.8, 50.95).all()
