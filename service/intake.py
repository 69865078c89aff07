"""Needs uploads: read a file or JSON rows, validate like ``laadplan validate``, store a version.

Row numbers in messages are file lines (header = 1); JSON rows are numbered the same way (the
first row is row 2), so a message reads the same whichever way the rows came.

Rows must belong to the uploading organisation: an empty or missing ``organisation_id`` is
filled with the organisation's code, any other value is a row error.  A resubmission supersedes
the current version (history is kept); the same content again returns the current version
instead of making a new one.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from planner.intake.needs import canonical_needs_text, check_needs
from planner.intake.needs_schema import NEEDS_COLUMNS, NUMERIC_COLUMNS
from service.models import NeedsRow, NeedsSubmission, Organisation, utc_now
from service.principal import Principal
from service.uploads import is_workbook
from validation import LaadplanError, RowIssue, ValidationReport
from validation.text import normalise_table

XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class CheckedNeeds:
    """An upload after validation: the raw text rows, the typed table and the report."""

    raw: pd.DataFrame
    table: pd.DataFrame | None
    report: ValidationReport
    source_format: str
    filename: str
    content_sha256: str


def safe_filename(name: str | None, content: bytes) -> str:
    """A plain file name for an upload, with ``.xlsx`` or ``.csv`` by content."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name or "needs").name).strip("._") or "needs"
    suffix = ".xlsx" if is_workbook(content) else ".csv"
    if Path(stem).suffix.lower() in (".csv", ".txt", ".xlsx", ".xlsm"):
        stem = Path(stem).stem
    return stem + suffix


def rows_to_raw(rows: Sequence[Mapping[str, object]]) -> pd.DataFrame:
    """JSON rows as a raw (all-text) table, as if read from a comma-separated file."""
    columns: list[str] = []
    for row in rows:
        columns += [str(key) for key in row if str(key) not in columns]
    records = [{column: _text(row.get(column)) for column in columns} for row in rows]
    frame = pd.DataFrame.from_records(records, columns=columns).astype(str)
    frame.attrs["delimiter"] = ","
    return frame


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def check_upload(
    raw: pd.DataFrame, principal: Principal, filename: str, source_format: str, sha256: str
) -> CheckedNeeds:
    """Fill or check ``organisation_id``, then validate the rows with :func:`check_needs`."""
    raw = normalise_table(raw)
    own = principal.organisation_code
    if "organisation_id" not in raw.columns:
        raw["organisation_id"] = own
    raw.loc[raw["organisation_id"] == "", "organisation_id"] = own
    table, report = check_needs(raw, source=filename)
    if raw.empty:
        report.issues.insert(0, _no_rows_issue())
        canonical = raw
    else:
        canonical = canonical_needs_text(raw)  # stored as the contract writes it: 20:00, 1200, N1
        report.extend(_foreign_rows(canonical, own))
    return CheckedNeeds(
        canonical, table if report.ok else None, report, source_format, filename, sha256
    )


def _no_rows_issue() -> RowIssue:
    return RowIssue(
        row=None,
        column=None,
        value=None,
        problem="the file has a header but no rows; an empty upload would remove all your needs",
        valid="at least one row of needs",
    )


def _foreign_rows(raw: pd.DataFrame, own: str) -> list[RowIssue]:
    foreign = raw.index[raw["organisation_id"] != own]
    return [
        RowIssue(
            row=int(index) + 2,
            column="organisation_id",
            value=raw.at[index, "organisation_id"],
            problem="is not your organisation",
            valid=f"'{own}' or empty",
        )
        for index in foreign
    ]


def content_sha256(content: bytes) -> str:
    """SHA-256 of uploaded bytes, hex."""
    return hashlib.sha256(content).hexdigest()


def rows_sha256(rows: Sequence[Mapping[str, object]]) -> str:
    """SHA-256 of JSON rows in a canonical form, hex."""
    return content_sha256(
        json.dumps([dict(row) for row in rows], sort_keys=True, default=str).encode()
    )


def stored_values(raw: pd.DataFrame) -> list[dict[str, str]]:
    """The contract columns of each row as text, decimal commas made points."""
    delimiter = raw.attrs.get("delimiter", ",")
    columns = [column for column in NEEDS_COLUMNS if column in raw.columns]
    frame = raw[columns].astype(str)
    if delimiter != ",":
        # decimal commas of a `;` file are turned into points before storing
        for column in (c for c in NUMERIC_COLUMNS if c in frame.columns):
            frame[column] = frame[column].str.replace(",", ".", regex=False)
    return [
        {str(key): str(value) for key, value in row.items()} for row in frame.to_dict("records")
    ]


class ShrinkNotConfirmedError(LaadplanError):
    """A new version much smaller than the current one, sent without ``confirm_shrink``."""

    def __init__(self, current_rows: int, new_rows: int, ratio: float) -> None:
        super().__init__(
            f"this upload has {new_rows} row(s) and would replace your current version of "
            f"{current_rows} row(s) (fewer than {ratio:.0%} of them); if you mean to remove "
            "the other needs, send it again with confirm_shrink=true"
        )


def store_submission(
    session: Session,
    principal: Principal,
    checked: CheckedNeeds,
    shrink_ratio: float = 0.0,
    confirm_shrink: bool = False,
) -> tuple[NeedsSubmission, bool]:
    """Store a valid upload as the organisation's new current version.

    Returns the submission and whether it is new: the same content as the current version
    returns that version unchanged.  The organisation's row is locked first (``FOR UPDATE`` on
    PostgreSQL; SQLite transactions are serialised), so versions never collide.

    Raises
    ------
    ShrinkNotConfirmedError
        When the upload has fewer rows than ``shrink_ratio`` times the current version's and
        ``confirm_shrink`` is not set; nothing is stored.
    """
    assert checked.table is not None, "store only validated uploads"
    session.execute(
        select(Organisation.id)
        .where(Organisation.id == principal.organisation_id)
        .with_for_update()
    )
    current = session.scalars(
        select(NeedsSubmission).where(
            NeedsSubmission.organisation_id == principal.organisation_id,
            NeedsSubmission.current.is_(True),
        )
    ).first()
    if current is not None and current.content_sha256 == checked.content_sha256:
        return current, False
    new_rows = len(checked.raw)
    if current is not None and not confirm_shrink and new_rows < shrink_ratio * current.rows:
        raise ShrinkNotConfirmedError(current.rows, new_rows, shrink_ratio)
    submission = _new_version(session, principal, checked)
    _insert_rows(session, submission.id, checked)
    return submission, True


def _new_version(session: Session, principal: Principal, checked: CheckedNeeds) -> NeedsSubmission:
    org = principal.organisation_id
    latest = session.scalar(
        select(func.max(NeedsSubmission.version)).where(NeedsSubmission.organisation_id == org)
    )
    session.execute(
        update(NeedsSubmission)
        .where(NeedsSubmission.organisation_id == org, NeedsSubmission.current.is_(True))
        .values(current=False, superseded_at=utc_now())
    )
    submission = NeedsSubmission(
        organisation_id=org,
        version=(latest or 0) + 1,
        current=True,
        content_sha256=checked.content_sha256,
        source_format=checked.source_format,
        filename=checked.filename,
        rows=len(checked.raw),
        submitted_by=principal.user_id,
    )
    session.add(submission)
    session.flush()
    return submission


def _insert_rows(session: Session, submission_id: int, checked: CheckedNeeds) -> None:
    assert checked.table is not None
    regions = checked.table["vervoerregio_code"].astype(str).tolist()
    records = [
        {
            "submission_id": submission_id,
            "row_number": position + 2,
            "need_id": values["need_id"],
            "vervoerregio_code": regions[position],
            "values": values,
        }
        for position, values in enumerate(stored_values(checked.raw))
    ]
    if records:
        session.execute(insert(NeedsRow), records)
