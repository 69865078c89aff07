"""One text normalisation for every contract table (:mod:`validation.text`) and formula-like
cells neutralised in every CSV/Excel export (:mod:`validation.export`)."""

from __future__ import annotations

import base64
import datetime as dt
import io
import tracemalloc
from collections.abc import Callable

import numpy as np
import openpyxl
import pandas as pd
import pytest

from dashboards.downloads import csv_download, excel_download
from planner.intake.needs import check_needs
from planner.workflows import plan_files
from service.intake import rows_to_raw
from tests._needs_fixtures import VALID_ROWS, broken
from validation import RowIssue, export
from validation.export import neutralise_formulas, write_workbook
from validation.text import MAX_IDENTIFIER_CHARS, normalise_table

ATTACK = "=cmd|' /C calc'!A0"


def issues_of(rows: list[dict[str, str]]) -> list[RowIssue]:
    table, report = check_needs(pd.DataFrame(rows).astype(str), source="needs.csv")
    assert table is None and not report.ok
    return report.issues


def only_issue(rows: list[dict[str, str]], column: str) -> RowIssue:
    found = [issue for issue in issues_of(rows) if issue.column == column]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("need_id", "shown", "problem"),
    [
        ("N-\u200b001", "N-\\u200b001", "invisible or control characters (\\u200b)"),
        ("N-\u202e100", "N-\\u202e100", "invisible or control characters (\\u202e)"),
        ("N-0\x0001", "N-0\\u000001", "invisible or control characters (\\u0000)"),
        ("N-\ufeff9", "N-\\ufeff9", "invisible or control characters (\\ufeff)"),
    ],
)
def test_invisible_and_control_characters_are_named_with_row_column_value(
    need_id: str, shown: str, problem: str
) -> None:
    issue = only_issue(broken(1, need_id=need_id), "need_id")
    assert (issue.row, issue.value) == (3, shown)
    assert problem in issue.problem
    assert issue.valid is not None and "zero-width" in issue.valid


def test_a_zero_width_space_no_longer_passes_the_duplicate_check() -> None:
    rows = broken(1, need_id=VALID_ROWS[0]["need_id"] + "\u200b")
    issue = only_issue(rows, "need_id")
    assert issue.suggestion == VALID_ROWS[0]["need_id"]  # what it looked like


def test_full_width_identifiers_are_refused_with_the_plain_form_suggested() -> None:
    issue = only_issue(broken(0, need_id="ＮＯ１"), "need_id")
    assert issue.problem == "holds full-width or other compatibility characters"
    assert issue.suggestion == "NO1"


def test_an_identifier_over_the_limit_is_refused_whatever_the_database() -> None:
    issue = only_issue(broken(2, need_id="x" * (MAX_IDENTIFIER_CHARS + 1)), "need_id")
    assert issue.row == 4
    assert issue.problem == "is 201 characters long" and issue.valid == "at most 200 characters"
    assert str(issue.value).startswith("xxxx")


def test_an_identifier_may_not_start_like_a_formula() -> None:
    issue = only_issue(broken(0, depot_id="=HYPERLINK(1)"), "depot_id")
    assert issue.problem == "starts like a spreadsheet formula"


def test_text_is_put_in_nfc_and_trimmed_so_equal_looking_ids_are_equal() -> None:
    decomposed, composed = "Cafe\u0301-1", "Caf\u00e9-1"
    rows = [{**VALID_ROWS[0], "need_id": decomposed}, {**VALID_ROWS[1], "need_id": f" {composed} "}]
    issue = only_issue(rows, "need_id")
    assert issue.row == 3 and issue.value == composed  # the repeated id, as normalised
    frame = normalise_table(pd.DataFrame({"need_id": [decomposed, f" {composed} "]}))
    assert frame["need_id"].tolist() == [composed, composed]


def test_formula_like_text_is_accepted_as_free_text_and_neutralised_on_export() -> None:
    rows = [{**row} for row in VALID_ROWS]
    rows[0]["sector"] = ATTACK
    table, report = check_needs(pd.DataFrame(rows).astype(str), source="needs.csv")
    assert report.ok and table is not None
    safe = neutralise_formulas(table)
    assert safe.loc[0, "sector"] == "'" + ATTACK
    assert safe["lat"].tolist() == table["lat"].tolist()  # numbers untouched


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_owasp_formula_start_is_neutralised(start: str) -> None:
    frame = pd.DataFrame({"name": [f"{start}SUM(A1)", "plain", "-12.5"], "kw": [-1.0, 2.0, 3.0]})
    safe = neutralise_formulas(frame)
    assert safe["name"].tolist() == [f"'{start}SUM(A1)", "plain", "-12.5"]
    assert safe["kw"].tolist() == [-1.0, 2.0, 3.0]


def dangerous_table() -> pd.DataFrame:
    return pd.DataFrame(
        {"site": [ATTACK, "@SUM(1+1)", "Leuven"], "=head": ["+1+1", "x", "y"], "kw": [-5, 1, 2]}
    )


def test_the_dashboards_excel_export_holds_text_not_formulas() -> None:
    download = excel_download(dangerous_table(), "sites")
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(download["content"])))
    sheet = book.active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows() for cell in row]
    formulas = [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert formulas == []
    values = [cell.value for cell in cells]
    assert "'" + ATTACK in values and "'@SUM(1+1)" in values and "'=head" in values
    assert -5 in values  # numbers stay numbers


def test_a_workbook_keeps_each_cells_type_and_leaves_missing_values_empty() -> None:
    table = pd.DataFrame(
        {
            "site_id": ["s1", "=1+1", None],
            "kw": [1.5, np.nan, np.inf],
            "chargers": pd.array([2, None, 4], dtype="Int64"),
            "open": [True, False, True],
            "label": pd.array(["a", pd.NA, "c"], dtype="string"),
            "when": [pd.Timestamp("2030-01-01 22:00"), pd.NaT, pd.Timestamp("2030-01-02")],
        }
    )
    buffer = io.BytesIO()
    write_workbook(buffer, {"sites": table})
    rows = list(openpyxl.load_workbook(buffer).active.iter_rows(values_only=True))
    assert rows[0] == tuple(table.columns)
    assert rows[1] == ("s1", 1.5, 2, True, "a", dt.datetime(2030, 1, 1, 22))
    assert rows[2] == ("'=1+1", None, None, False, None, None)
    assert rows[3] == (None, "inf", 4, True, "c", dt.datetime(2030, 1, 2))
    assert len(rows) == 4


def _traced_peak_bytes(work: Callable[[], object]) -> int:
    """The most memory Python allocated while ``work`` ran (kept or not), bytes."""
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_workbook_is_written_row_by_row_never_holding_a_sheet_of_cells(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(export, "ROWS_AT_A_TIME", 1_000)  # 30 batches of rows
    rows = np.arange(30_000)
    table = pd.DataFrame(
        {
            "site_id": [f"s{i}" for i in rows],
            "kw": np.where(rows % 7 == 0, np.nan, rows / 4),
            "tier": np.where(rows % 2 == 0, "private", "public"),
        }
    )
    buffer = io.BytesIO()
    copy_bytes = _traced_peak_bytes(lambda: neutralise_formulas(table))  # the writer makes one
    written_bytes = _traced_peak_bytes(lambda: write_workbook(buffer, {"sites": table}))
    # held as cell objects, the sheet took 6.7 times the copy; written row by row, 1.0 times
    assert written_bytes < 2 * copy_bytes, (copy_bytes, written_bytes)
    read = list(openpyxl.load_workbook(buffer, read_only=True).active.iter_rows(values_only=True))
    expected = [
        (site, None if np.isnan(kw) else kw, tier)
        for site, kw, tier in zip(table["site_id"], table["kw"], table["tier"], strict=True)
    ]
    assert read == [("site_id", "kw", "tier"), *expected]  # every row, in order


def test_the_dashboards_csv_export_holds_no_formula_like_cell() -> None:
    content = csv_download(dangerous_table(), "sites")["content"]
    read = pd.read_csv(io.StringIO(content), dtype=str, keep_default_na=False)
    cells = [*read.columns, *read.to_numpy().ravel().tolist()]
    risky = [cell for cell in cells if cell.startswith(("=", "+", "@")) or cell.startswith("-x")]
    assert risky == []
    assert read.loc[0, "site"] == "'" + ATTACK


def test_a_column_named_twice_after_trimming_is_refused_by_name_not_a_crash() -> None:
    # found by schemathesis: JSON rows with the keys "need_id" and " need_id"
    raw = rows_to_raw([{**VALID_ROWS[0], " need_id": "other"}])
    table, report = check_needs(raw, source="needs.json")
    assert table is None
    problems = [(issue.column, issue.problem) for issue in report.issues]
    assert problems == [("need_id", "is a column name that occurs more than once (after trimming)")]


def test_a_table_longer_than_a_sheet_is_cut_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plan_files, "EXCEL_MAX_ROWS", 6)  # a sheet of 6 rows: header + 5
    table = pd.DataFrame({"node_id": [f"n{i}" for i in range(9)], "load_kw": range(9)})
    buffer = io.BytesIO()
    write_workbook(buffer, {"loads": plan_files._fit_sheet(table)})
    rows = list(openpyxl.load_workbook(buffer).active.iter_rows(values_only=True))
    assert rows[0] == ("node_id", "load_kw")
    assert [row[0] for row in rows[1:-1]] == ["n0", "n1", "n2", "n3"]
    assert rows[-1] == ("cut: 9 rows; see the CSV file", None)
    assert len(rows) == 6
