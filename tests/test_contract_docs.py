"""The data-contract tables in docs/ are the ones the checks render: the manual cannot drift."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.intake import contract_docs, needs_schema
from planner.intake.contract_docs import DOCUMENT, REGENERATE, render_tables, updated_document


def test_docs_data_contracts_is_up_to_date() -> None:
    text = DOCUMENT.read_text(encoding="utf-8")
    assert updated_document(text) == text, f"{DOCUMENT} is out of date; run: {REGENERATE}"


def test_the_tables_follow_the_checks() -> None:
    tables = render_tables()
    assert "| `vehicle_category` | yes | one of N1, N2L, N2H, N3, T |" in tables
    assert "| `tier` | yes | one of private, semi_public, public |" in tables
    assert "| `vehicles` | yes | a whole number from 1 to 10000 |" in tables
    assert "| `level` | yes | one of `hv_mv_substation`, `mv_cabin` |" in tables


def test_a_changed_check_makes_the_document_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    text = DOCUMENT.read_text(encoding="utf-8")
    monkeypatch.setattr(needs_schema, "OPTIONAL_COLUMNS", ())
    assert updated_document(text) != text


def test_check_mode_names_the_command_to_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "data-contracts.md"
    stale.write_text(
        f"intro\n{contract_docs.BEGIN}\nold table\n{contract_docs.END}\n", encoding="utf-8"
    )
    monkeypatch.setattr(contract_docs, "DOCUMENT", stale)
    assert contract_docs.main(["--check"]) == 1
    assert REGENERATE in capsys.readouterr().err
    assert contract_docs.main([]) == 0
    assert contract_docs.main(["--check"]) == 0
    assert stale.read_text(encoding="utf-8").startswith("intro\n")


def test_a_document_without_markers_is_refused() -> None:
    with pytest.raises(ValueError, match="lacks the markers"):
        updated_document("no markers here")
