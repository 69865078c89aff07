"""The frozen inputs of a planning run: every file it reads, stored with the run.

A snapshot is a JSON object: ``files`` (name → text: ``needs.csv``, ``sites.csv``,
``zones.csv``, ``scenario.toml`` and, when there is grid data, ``grid.csv`` with the reference
case's ``grid_profiles.csv`` when that grid is used), ``acknowledgements`` (the grid
operator's answers), ``years``, ``regions`` and ``k_anonymity``.  Its SHA-256 over a canonical
JSON form is the run's ``input_sha256``: two runs with the same hash had the same inputs, and a
run can be repeated from its snapshot alone (:func:`service.planning.execute_snapshot`).

Need ids are prefixed with the organisation code (``ORG/need``) so that ids of different
organisations never collide; :data:`NEED_ID_SEPARATOR` separates them.
"""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.intake.needs_schema import NEEDS_COLUMNS
from planner.scenario import load_scenario
from planner.workflows.datafolder import GRID_PROFILES_FILE
from service.models import (
    CapacityAcknowledgement,
    GridUpload,
    NeedsRow,
    NeedsSubmission,
    Organisation,
)
from validation import LaadplanError

NEED_ID_SEPARATOR = "/"
#: Files taken from the reference case folder when present (besides the grid).
CASE_FILES = ("sites.csv", "zones.csv", "roads.csv")
GRID_FILE = "grid.csv"
SCENARIO_FILE = "scenario.toml"


class SnapshotError(LaadplanError):
    """A run cannot be assembled (no needs in scope, no reference case …)."""


@dataclass(frozen=True)
class RunRequest:
    """What a planner asked for."""

    regions: list[str] | None
    years: list[int] | None
    scenario_toml: str | None


def snapshot_sha256(snapshot: dict[str, Any]) -> str:
    """SHA-256 of a snapshot in canonical JSON, hex."""
    text = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def make_snapshot(
    session: Session, case_dir: Path, request: RunRequest, k_anonymity: int
) -> dict[str, Any]:
    """Assemble a run's inputs from the database and the reference case folder.

    Raises
    ------
    SnapshotError
        When there are no needs in scope or the reference case lacks sites or zones.
    LaadplanError
        When the scenario text is not valid.
    """
    files = _case_files(case_dir)
    scenario_text = request.scenario_toml
    if scenario_text is None:
        path = case_dir / SCENARIO_FILE
        scenario_text = path.read_text(encoding="utf-8") if path.is_file() else ""
    _check_scenario(scenario_text, request.years)
    files[SCENARIO_FILE] = scenario_text
    files["needs.csv"] = needs_csv(session, request.regions)
    files.update(_grid_files(session, case_dir))
    return {
        "files": files,
        "acknowledgements": acknowledgements(session),
        "years": request.years,
        "regions": request.regions,
        "k_anonymity": k_anonymity,
    }


def _case_files(case_dir: Path) -> dict[str, str]:
    missing = [name for name in ("sites.csv", "zones.csv") if not (case_dir / name).is_file()]
    if missing:
        raise SnapshotError(
            f"the reference case has no {' or '.join(missing)}; put the candidate sites and "
            "the ZES cities in the service's case folder (LAADPLAN_CASE_DIR)"
        )
    return {
        name: (case_dir / name).read_text(encoding="utf-8-sig")
        for name in CASE_FILES
        if (case_dir / name).is_file()
    }


def _check_scenario(text: str, years: list[int] | None) -> None:
    with tempfile.TemporaryDirectory(prefix="laadplan-scenario-") as folder:
        path = Path(folder) / SCENARIO_FILE
        path.write_text(text, encoding="utf-8")
        try:
            projection = load_scenario(path).projection
        except LaadplanError as exc:
            raise LaadplanError(str(exc).replace(f"{folder}/", "")) from exc
    valid = range(projection.first_year, projection.last_year + 1)
    wrong = [year for year in years or [] if year not in valid]
    if wrong:
        raise SnapshotError(
            f"year(s) {wrong} not projected; valid: {projection.first_year}–{projection.last_year}"
        )


def needs_csv(session: Session, regions: list[str] | None) -> str:
    """The current needs of every organisation in scope as one ``needs.csv`` text.

    Raises
    ------
    SnapshotError
        When no need is in scope.
    """
    query = (
        select(Organisation.code, NeedsRow.values)
        .join(NeedsSubmission, NeedsRow.submission_id == NeedsSubmission.id)
        .join(Organisation, NeedsSubmission.organisation_id == Organisation.id)
        .where(NeedsSubmission.current.is_(True))
        .order_by(Organisation.code, NeedsRow.row_number)
    )
    if regions is not None:
        query = query.where(NeedsRow.vervoerregio_code.in_(regions))
    records = [
        {**values, "need_id": f"{code}{NEED_ID_SEPARATOR}{values['need_id']}"}
        for code, values in session.execute(query)
    ]
    if not records:
        scope = "all of Flanders" if regions is None else f"vervoerregio's {', '.join(regions)}"
        raise SnapshotError(f"no needs have been submitted in {scope}")
    frame = pd.DataFrame.from_records(records)
    columns = [column for column in NEEDS_COLUMNS if column in frame.columns]
    buffer = io.StringIO()
    frame[columns].fillna("").to_csv(buffer, index=False)
    return buffer.getvalue()


def _grid_files(session: Session, case_dir: Path) -> dict[str, str]:
    upload = session.scalars(select(GridUpload).order_by(GridUpload.id.desc()).limit(1)).first()
    if upload is not None:
        return {GRID_FILE: upload.canonical_csv}
    return {
        name: (case_dir / name).read_text(encoding="utf-8-sig")
        for name in (GRID_FILE, GRID_PROFILES_FILE)
        if (case_dir / GRID_FILE).is_file() and (case_dir / name).is_file()
    }


def acknowledgements(session: Session) -> list[dict[str, Any]]:
    """The newest acknowledgement per grid node, ordered by node."""
    rows = session.scalars(
        select(CapacityAcknowledgement).order_by(
            CapacityAcknowledgement.node_id, CapacityAcknowledgement.id
        )
    ).all()
    newest = {row.node_id: row for row in rows}
    return [
        {
            "node_id": row.node_id,
            "available_from_year": row.available_from_year,
            "capacity_kva": row.capacity_kva,
        }
        for row in newest.values()
    ]
