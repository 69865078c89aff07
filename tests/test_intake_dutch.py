"""The needs validation's texts in Dutch on the dashboard's intake page (and unchanged in English).

A corpus of broken needs files drives the real validators (header, text rules, every cell and
row check, tolerant reading, numbers that read two ways, files that cannot be read, the zone
warning); every problem, valid value, suggestion and warning they produce must read Dutch after
:func:`dashboards.i18n.translate_issue`: no English phrase left, decimals with a comma.  In
English each text is returned as the validators wrote it (the CLI and the service say so too).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from dashboards.i18n import translate_issue
from dashboards.pages.intake import _business_logic as logic
from dashboards.pages.intake import _figures as figures
from dashboards.pages.intake._business_logic import ERROR_COLUMNS
from planner.intake.needs import validate_needs_file
from planner.intake.needs_schema import NEEDS_COLUMNS
from planner.rules.zones import zone_warnings
from tests._needs_fixtures import VALID_ROWS, broken, write_needs
from tests.test_needs_intake import write_belgian_excel_csv, write_belgian_excel_xlsx
from validation import LaadplanError, RowIssue

#: English words and phrases that no Dutch text holds (padded: whole words only).
ENGLISH = re.compile(
    r"\b(is not|not|one of|must|did you mean|the|and|or|a|an|was|with|for|from|to|this|"
    r"empty|row|rows|holds|only|number|read|file|column|missing|valid|outside|characters|"
    r"each|every|reads|ways|separator|decimal point|decimal comma|which|no|of row)\b"
)
#: Identifiers quoted in the Dutch texts (column names, codes), left out of the English check.
QUOTED = re.compile(
    r"'[^']*'|\b[a-z]+(?:_[a-z0-9]+)+\b|\b[\w-]+\.(?:csv|xlsx)\b|\b(?:yes/no|true)\b"
)

#: Changes to one data row (0-based) of the valid file, each giving issues of its own.
CELL_CASES: list[tuple[int, dict[str, str]]] = [
    (1, {"vehicle_category": "N2HH"}),
    (0, {"fuel": "diesl", "daily_km": "2000"}),
    (0, {"exemption": "F99"}),
    (0, {"vehicles": "abc"}),
    (0, {"vehicles": "2.5"}),
    (0, {"vehicles": "0"}),
    (0, {"daily_km": "x", "lat": "95"}),
    (0, {"dwell_start": "noon", "dwell_end": "7u"}),
    (0, {"private_terrain": "maybe"}),
    (0, {"sector": "", "organisation_id": ""}),
    (2, {"need_id": "N-001"}),
    (1, {"nis_code": "Gent"}),
    (1, {"nis_code": "9000"}),
    (1, {"nis_code": "21004"}),
    (0, {"zes_cities": "24062;Leuven"}),
    (0, {"zes_cities": "24062;21004"}),
    (0, {"lat": "", "lon": "", "nis_code": ""}),
    (0, {"lat": "48.85", "lon": "2.35"}),
    (0, {"euro_norm": "banana"}),
    (0, {"exemption": "F8"}),
    (0, {"kwh_per_km": "5"}),
    (0, {"daily_km": ""}),
    (0, {"energy_kwh_per_day": "0"}),
    (0, {"sector": "par\u200bcel"}),
    (0, {"sector": "x" * 1001}),
    (0, {"need_id": "=N-001"}),
    (0, {"need_id": "\uff2e-001"}),
    (0, {"fuel": "Diesel", "dwell_start": "18:00:00"}),
]


def _cells(folder: Path) -> list[Path]:
    paths = []
    for number, (index, changes) in enumerate(CELL_CASES):
        paths.append(write_needs(folder / f"cells-{number}.csv", broken(index, **changes)))
    return paths


def _times(folder: Path) -> list[Path]:
    rows = broken(0, dwell_start="7:30")
    rows[1]["dwell_start"] = "17:00:00"
    rows[2]["dwell_start"] = "9:00:00"
    return [write_needs(folder / "times.csv", rows)]


def _numbers(folder: Path) -> list[Path]:
    ambiguous = broken(0, daily_km="1.200", lat="50.8798", lon="4.7005")
    ambiguous[1]["kwh_per_km"] = "1,3"
    in_range = broken(0, lat="50.880", lon="4.7005")
    in_range[1]["kwh_per_km"] = "1,3"
    commas = broken(0, daily_km="1.200,5", lat="50,8798", lon="4,7005")
    points = broken(0, daily_km="1,200.5")
    decimal_comma = broken(1, kwh_per_km="1,3")
    return [
        write_needs(folder / "ambiguous.csv", ambiguous, delimiter=";"),
        write_needs(folder / "in-range.csv", in_range, delimiter=";"),
        write_needs(folder / "commas.csv", commas, delimiter=";"),
        write_needs(folder / "points.csv", points),
        write_needs(folder / "decimal-comma.csv", decimal_comma),
        write_belgian_excel_csv(folder / "excel.csv"),
        write_belgian_excel_xlsx(folder / "excel.xlsx"),
    ]


def _headers(folder: Path) -> list[Path]:
    misspelt = [c if c != "fuel" else "fuell" for c in NEEDS_COLUMNS]
    rows = [{("fuell" if k == "fuel" else k): v for k, v in row.items()} for row in VALID_ROWS]
    twice = folder / "twice.csv"
    twice.write_text("need_id,need_id ,fuel\nN-1,N-2,diesel\n", encoding="utf-8")
    extra = write_needs(folder / "extra.csv", columns=[*NEEDS_COLUMNS, "daily_kmm"])
    return [write_needs(folder / "misspelt.csv", rows, columns=misspelt), twice, extra]


def _encodings(folder: Path) -> list[Path]:
    cp1252 = write_needs(folder / "cp1252.csv", broken(0, sector="horeca"))
    cp1252.write_bytes(cp1252.read_bytes().replace(b"horeca", "hôreca".encode("cp1252")))
    unreadable = folder / "unreadable.csv"
    unreadable.write_bytes(b"need_id,sector\nN-1,hor\xc3\x81\x81ca\n")
    nul = folder / "nul.csv"
    nul.write_bytes("need_id;sector\nN-1;x\n".encode("utf-16"))
    empty = folder / "empty.csv"
    empty.write_bytes(b"")
    return [cp1252, unreadable, nul, empty]


CORPUS: list[Callable[[Path], list[Path]]] = [_cells, _times, _numbers, _headers, _encodings]


@pytest.fixture(scope="module")
def validated(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[RowIssue], list[str]]:
    """Every issue and warning the corpus produces, and every message of an unreadable file."""
    folder = tmp_path_factory.mktemp("intake-dutch")
    issues: list[RowIssue] = []
    errors: list[str] = []
    for make in CORPUS:
        for path in make(folder):
            try:
                table, report = validate_needs_file(path)
            except LaadplanError as exc:
                errors.append(str(exc).replace(str(path), path.name))
                continue
            issues += report.issues + report.warnings
            if table is not None:
                issues += zone_warnings(table, pd.Series({"24062": 2030}, name="zes_start_year"))
    return issues, errors


def texts_of(issues: list[RowIssue]) -> list[str]:
    """Every problem, valid value and suggestion, once each."""
    found = [issue.problem for issue in issues]
    found += [text for issue in issues for text in (issue.valid, issue.suggestion) if text]
    return sorted(set(found))


def english_left(dutch: str) -> list[str]:
    """English words of a translated text outside quoted values and identifiers."""
    return ENGLISH.findall(QUOTED.sub(" ", dutch))


#: A phrase of each kind of issue and warning the corpus must reach.
REACHED = (
    "is not a vehicle category", "is out of range", "is not a whole number",
    "is a duplicate", "is the postcode of", "holds 21004", "places the depot outside",
    "is not an emission norm", "does not apply", "is not plausible", "is empty while",
    "holds invisible", "characters long", "spreadsheet formula", "full-width",
    "was read as 'diesel'", "as were the other times", "reads two ways",
    "(thousands separator)", "(decimal comma)", "(an Excel time)",
    "(the only reading in range)", "required column is missing",
    "is not a column of the contract", "more than once", "is not UTF-8",
    "is not in zones.csv", "is not a time of day", "is not a yes/no value",
)  # fmt: skip


def test_the_corpus_reaches_every_kind_of_issue(validated) -> None:
    issues, errors = validated
    problems = " | ".join(texts_of(issues))
    for phrase in REACHED:
        assert phrase in problems, phrase
    assert len(errors) == 3, errors  # neither UTF-8 nor Windows-1252, NUL bytes, empty


def test_every_text_of_the_validation_reads_dutch(validated) -> None:
    issues, errors = validated
    for text in texts_of(issues) + errors:
        dutch = translate_issue(text, "nl")
        assert english_left(dutch) == [], (text, dutch)
        assert not re.search(r"(?<![\w.'])\d+\.\d+(?![\w.])", QUOTED.sub(" ", dutch)), dutch


def test_in_english_every_text_stays_as_the_validators_wrote_it(validated) -> None:
    issues, errors = validated
    for text in texts_of(issues) + errors:
        assert translate_issue(text, "en") == text


def test_the_shown_issue_lines_read_dutch_and_stay_english_in_english(validated) -> None:
    issues, _ = validated
    dutch = figures.issue_table(issues, "nl", ERROR_COLUMNS)
    english = figures.issue_table(issues, "en", ERROR_COLUMNS)
    assert english["issue"].tolist() == [issue.message() for issue in issues]
    for line, issue in zip(dutch["issue"], issues, strict=True):
        assert line.startswith(("rij ", "kolom ", "bestand: ")), line
        assert english_left(line) == [], line
        if issue.suggestion is not None:
            assert line.endswith(f" — bedoelde u '{issue.suggestion}'?"), line
    assert (dutch["value"].tolist(), dutch["suggestion"].tolist()) == (
        english["value"].tolist(),
        english["suggestion"].tolist(),
    )  # values and suggestions as written


def test_a_dutch_issue_line_names_row_column_value_and_suggestion() -> None:
    issue = RowIssue(3, "vehicle_category", "N2h", "is not a vehicle category",
                     "one of N1, N2L, N2H, N3, T", "N2H")  # fmt: skip
    assert figures.issue_message(issue, "nl") == (
        "rij 3, kolom 'vehicle_category': 'N2h' is geen voertuigcategorie; geldig: een van N1, "
        "N2L, N2H, N3, T — bedoelde u 'N2H'?"
    )
    assert figures.issue_message(issue, "en") == issue.message()


def test_an_unreadable_upload_says_why_in_dutch() -> None:
    empty = logic.validate_upload("needs.csv", b"")
    assert figures.outcome_text(empty, "nl") == (
        "Het bestand kan niet gelezen worden: needs.csv: het bestand is leeg; er hoort een kopregel"
    )
    assert figures.outcome_text(empty, "en") == (
        "The file cannot be read: needs.csv: the file is empty; expected a header row"
    )
    with pytest.raises(ValueError, match="not base64") as raised:
        logic.decode_upload("data:text/csv;base64,@@")
    assert translate_issue(str(raised.value), "nl") == "de upload is geen base64-inhoud"
