"""The frozen inputs of a planning run: every file it reads, stored with the run.

A snapshot is a JSON object: ``files`` (name → text: ``needs.csv``, ``sites.csv``,
``zones.csv``, ``scenario.toml`` and, when there is grid data, ``grid.csv`` with the reference
case's ``grid_profiles.csv`` when that grid is used), ``acknowledgements`` (the grid
operator's answers), ``years``, ``regions`` and ``k_anonymity``.  Its SHA-256 over a canonical
JSON form is the run's ``input_sha256``: two runs with the same hash had the same inputs, and a
run can be repeated from its snapshot alone (:func:`service.planning.execute_snapshot`).

Need ids are prefixed with the organisation code (``ORG/need``) so that ids of different
organisations never collide; :data:`NEED_ID_SEPARATOR` separates them.  The code is
percent-encoded first (``ACME/EU`` becomes ``ACME%2FEU``), so the first separator always ends
it: ``ACME`` with need ``EU/1`` and ``ACME/EU`` with need ``1`` stay two needs.  Whose a need is
is read from the ``organisation_id`` column, never from this prefix.

The capacity map is the planner's choice (``grid_upload_id``); without one the reference case's
grid is used.  The grid operator's answers that enter the run are those of the organisation that
uploaded the chosen map; with the reference grid, the newest answer per node of every operator.
"""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.intake.needs_schema import NEEDS_COLUMNS
from planner.scenario import load_scenario
from planner.workflows.datafolder import GRID_PROFILES_FILE, CaseFile
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
CASE_FILES = (CaseFile.SITES, CaseFile.ZONES, CaseFile.ROADS)
GRID_FILE = CaseFile.GRID
SCENARIO_FILE = CaseFile.SCENARIO


class SnapshotError(LaadplanError):
    """A run cannot be assembled (no needs in scope, no reference case …)."""


@dataclass(frozen=True)
class RunRequest:
    """What a planner asked for."""

    regions: list[str] | None
    years: list[int] | None
    scenario_toml: str | None
    grid_upload_id: int | None = None


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
    files[CaseFile.NEEDS] = needs_csv(session, request.regions)
    upload = chosen_grid_upload(session, request.grid_upload_id)
    files.update(_grid_files(upload, case_dir))
    answers_of = None if upload is None else upload.organisation_id
    return {
        "files": files,
        "acknowledgements": acknowledgements(session, answers_of),
        "years": request.years,
        "regions": request.regions,
        "k_anonymity": k_anonymity,
    }


def _case_files(case_dir: Path) -> dict[str, str]:
    missing = [name for name in (CaseFile.SITES, CaseFile.ZONES) if not (case_dir / name).is_file()]
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
        {**values, "need_id": snapshot_need_id(code, values["need_id"])}
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


def snapshot_need_id(organisation_code: str, need_id: str) -> str:
    """A need id unique across organisations: ``<percent-encoded code>/<need id>``."""
    return f"{quote(organisation_code, safe='')}{NEED_ID_SEPARATOR}{need_id}"


def own_need_id(snapshot_id: object) -> str:
    """The organisation's own need id of a snapshot need id (after the first separator)."""
    return str(snapshot_id).split(NEED_ID_SEPARATOR, 1)[-1]


def chosen_grid_upload(session: Session, upload_id: int | None) -> GridUpload | None:
    """The capacity map a planner chose (``None``: the reference case's grid).

    Raises
    ------
    SnapshotError
        When there is no such map.
    """
    if upload_id is None:
        return None
    upload = session.get(GridUpload, upload_id)
    if upload is None:
        raise SnapshotError(
            f"grid_upload_id {upload_id}: no such capacity map; valid: an id of GET /grid/uploads, "
            "or none for the reference case's grid"
        )
    return upload


def _grid_files(upload: GridUpload | None, case_dir: Path) -> dict[str, str]:
    if upload is not None:
        return {GRID_FILE: upload.canonical_csv}
    return {
        name: (case_dir / name).read_text(encoding="utf-8-sig")
        for name in (GRID_FILE, GRID_PROFILES_FILE)
        if (case_dir / GRID_FILE).is_file() and (case_dir / name).is_file()
    }


def acknowledgements(session: Session, organisation_id: int | None) -> list[dict[str, Any]]:
    """The newest acknowledgement per grid node, ordered by node.

    Only one grid operator's answers when ``organisation_id`` is given (the owner of the chosen
    capacity map); every operator's otherwise.
    """
    query = select(CapacityAcknowledgement).order_by(
        CapacityAcknowledgement.node_id, CapacityAcknowledgement.id
    )
    if organisation_id is not None:
        query = query.where(CapacityAcknowledgement.organisation_id == organisation_id)
    rows = session.scalars(query).all()
    newest = {row.node_id: row for row in rows}
    return [
        {
            "node_id": row.node_id,
            "available_from_year": row.available_from_year,
            "capacity_kva": row.capacity_kva,
        }
        for row in newest.values()
    ]
