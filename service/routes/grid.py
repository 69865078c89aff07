"""The grid operator: capacity-map uploads, k-anonymous demand and requests, answers.

Demand and requests come from the latest published run and have passed the k-anonymity rule
of :mod:`grid_data.disclosure` (no organisation id, no group below k organisations).  Grid
operators are separate organisations (:func:`service.authorisation.scope_of`): each sees only
its own capacity maps and answers; planners see every map and answer and choose, per run, the
map that feeds it (``grid_upload_id`` of ``POST /runs``).
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile, status
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

import grid_data
from grid_data.schema import GRID_FILE_COLUMNS
from service.authorisation import Scope, scope_of
from service.db import transaction
from service.intake import content_sha256
from service.models import CapacityAcknowledgement, GridUpload, Organisation, Role
from service.principal import Principal, audit, require, sessions_of
from service.routes.common import (
    ERRORS,
    Message,
    ValidationFailureBody,
    file_failure,
    iso,
    validation_failure,
)
from service.routes.needs import latest_published, result_tables
from validation import LaadplanError, TableValidationError

router = APIRouter(tags=["grid"])
GridOperator = Annotated[Principal, Depends(require(Role.GRID_OPERATOR, Role.ADMIN))]
GridReader = Annotated[Principal, Depends(require(Role.GRID_OPERATOR, Role.PLANNER, Role.ADMIN))]
SHAPES = ("canonical", "opendatasoft_csv", "opendatasoft_json", "status_map", "uk_headroom")


class GridUploadOut(BaseModel):
    """A stored capacity map."""

    id: int
    operator: str = Field(description="code of the grid operator organisation that uploaded it")
    filename: str
    shape: str | None
    nodes: int
    content_sha256: str
    uploaded_at: str | None


def _upload_suffix(name: str | None) -> str:
    suffix = Path(name or "").suffix.lower()
    return suffix if suffix in (".csv", ".txt", ".json", ".geojson") else ".csv"


def read_capacity_map(content: bytes, filename: str, shape: str | None) -> Any:
    """Read an uploaded capacity map with :func:`grid_data.read_grid` (any shipped shape)."""
    with tempfile.TemporaryDirectory(prefix="laadplan-grid-") as folder:
        path = Path(folder) / filename
        path.write_bytes(content)
        try:
            return grid_data.read_grid(path, shape=shape)
        except TableValidationError as exc:
            exc.report.source = filename
            raise
        except LaadplanError as exc:
            raise LaadplanError(str(exc).replace(f"{folder}/", "")) from exc


@router.post(
    "/grid/uploads",
    status_code=status.HTTP_201_CREATED,
    responses={**ERRORS, 413: {"description": "too large"}, 422: {"model": ValidationFailureBody}},
    summary="Upload a capacity map",
)
def upload_grid(
    request: Request,
    principal: GridOperator,
    file: Annotated[
        UploadFile,
        File(
            description="capacity map: canonical grid.csv, Opendatasoft CSV/JSON, status map, "
            "UK headroom table"
        ),
    ],
    shape: Annotated[
        str | None, Form(description=f"one of {', '.join(SHAPES)}; detected when empty")
    ] = None,
) -> GridUploadOut:
    """Validate every row of the map; store it (and its canonical table) when valid."""
    content = file.file.read()
    filename = "capacity" + _upload_suffix(file.filename)
    try:
        grid = read_capacity_map(content, filename, shape or None)
    except TableValidationError as exc:
        raise validation_failure(exc.report) from exc
    except LaadplanError as exc:
        raise file_failure(filename, str(exc)) from exc
    buffer = io.StringIO()
    grid[[c for c in GRID_FILE_COLUMNS if c in grid.columns]].to_csv(buffer, index=False)
    with transaction(sessions_of(request)) as session:
        upload = GridUpload(
            organisation_id=principal.organisation_id,
            uploaded_by=principal.user_id,
            filename=Path(file.filename or filename).name[:300],
            shape=shape or None,
            content_sha256=content_sha256(content),
            nodes=len(grid),
            content=content,
            canonical_csv=buffer.getvalue(),
        )
        session.add(upload)
        session.flush()
        audit(session, principal, "write", f"grid/uploads/{upload.id}", {"nodes": len(grid)})
        return _upload_out(upload, principal.organisation_code)


def _upload_out(upload: GridUpload, operator: str) -> GridUploadOut:
    return GridUploadOut(
        id=upload.id,
        operator=operator,
        filename=upload.filename,
        shape=upload.shape,
        nodes=upload.nodes,
        content_sha256=upload.content_sha256,
        uploaded_at=iso(upload.uploaded_at),
    )


@router.get("/grid/uploads", responses=ERRORS, summary="List capacity maps")
def list_grid_uploads(request: Request, principal: GridReader) -> list[GridUploadOut]:
    """Capacity maps in scope, newest first.

    An operator sees its own; planners see every map and choose the one that feeds a run.
    """
    query = (
        select(GridUpload, Organisation.code)
        .join(Organisation, GridUpload.organisation_id == Organisation.id)
        .where(scope_of(principal).grid_uploads())
        .order_by(GridUpload.id.desc())
    )
    with transaction(sessions_of(request)) as session:
        uploads = session.execute(query).all()
        audit(session, principal, "read", "grid/uploads")
        return [_upload_out(upload, code) for upload, code in uploads]


class PublishedTable(BaseModel):
    """Rows of the latest published run that passed the k-anonymity rule."""

    run_id: int | None
    k_anonymity: int | None
    records: list[dict[str, Any]]


@router.get("/grid/demand", responses=ERRORS, summary="Demand per grid node (k-anonymous)")
def grid_demand(request: Request, principal: GridReader) -> PublishedTable:
    """Peak charging demand per disclosed grid node and year; no organisation-level rows."""
    return _published(request, principal, "grid_node_demand")


@router.get("/grid/requests", responses=ERRORS, summary="Capacity requests (k-anonymous)")
def grid_requests(request: Request, principal: GridReader) -> PublishedTable:
    """The published run's capacity requests, each with the newest answer for its node.

    Only answers the caller may see are attached (a grid operator's: its own).
    """
    table = _published(request, principal, "grid_requests")
    with transaction(sessions_of(request)) as session:
        answers = {a["node_id"]: a for a in _acknowledgement_records(session, scope_of(principal))}
    for record in table.records:
        record["acknowledgement"] = answers.get(str(record.get("node_id") or ""))
    return table


def _published(request: Request, principal: Principal, name: str) -> PublishedTable:
    with transaction(sessions_of(request)) as session:
        run = latest_published(session)
        audit(session, principal, "read", f"grid/{name}", {"run": None if run is None else run.id})
        if run is None:
            return PublishedTable(run_id=None, k_anonymity=None, records=[])
        records = result_tables(session, run.id, (name,))[name]
        k = int(run.input_snapshot.get("k_anonymity", 0))
        return PublishedTable(run_id=run.id, k_anonymity=k, records=records)


class AcknowledgementIn(BaseModel):
    """The operator's answer to a capacity request."""

    node_id: str = Field(min_length=1, max_length=200)
    available_from_year: int = Field(
        ge=2020, le=2100, description="capacity available from this year"
    )
    capacity_kva: float | None = Field(
        None,
        gt=0,
        le=1_000_000,
        description="kVA made available (default: the largest published request of the node)",
    )
    note: str | None = Field(None, max_length=2000)


class AcknowledgementOut(BaseModel):
    """A stored answer."""

    id: int
    operator: str = Field(description="code of the grid operator organisation that answered")
    node_id: str
    available_from_year: int
    capacity_kva: float
    note: str | None
    run_id: int | None
    created_at: str | None


@router.post(
    "/grid/acknowledgements",
    status_code=status.HTTP_201_CREATED,
    responses={**ERRORS, 422: {"model": Message, "description": "unknown node or no amount"}},
    summary="Answer a capacity request",
)
def acknowledge(
    request: Request, principal: GridOperator, body: AcknowledgementIn
) -> AcknowledgementOut:
    """Record capacity available at a node from a year; later runs add it as headroom."""
    with transaction(sessions_of(request)) as session:
        run = latest_published(session)
        requests = (
            result_tables(session, run.id, ("grid_requests",))["grid_requests"] if run else []
        )
        asked = [
            float(r["extra_capacity_kva"] or 0)
            for r in requests
            if r.get("node_id") == body.node_id
        ]
        capacity = body.capacity_kva if body.capacity_kva is not None else max(asked, default=0.0)
        if capacity <= 0:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                detail=f"node {body.node_id!r} has no published capacity request; "
                "give capacity_kva",
            )
        answer = CapacityAcknowledgement(
            node_id=body.node_id,
            available_from_year=body.available_from_year,
            capacity_kva=capacity,
            note=body.note,
            run_id=None if run is None else run.id,
            organisation_id=principal.organisation_id,
            acknowledged_by=principal.user_id,
        )
        session.add(answer)
        session.flush()
        audit(session, principal, "write", f"grid/acknowledgements/{answer.id}")
        return _answer_out(answer, principal.organisation_code)


def _answer_out(answer: CapacityAcknowledgement, operator: str) -> AcknowledgementOut:
    return AcknowledgementOut(
        id=answer.id,
        operator=operator,
        node_id=answer.node_id,
        available_from_year=answer.available_from_year,
        capacity_kva=answer.capacity_kva,
        note=answer.note,
        run_id=answer.run_id,
        created_at=iso(answer.created_at),
    )


def _acknowledgement_records(session: Session, scope: Scope) -> list[dict[str, Any]]:
    """The newest answer per operator and node that the scope shows, oldest first."""
    answers = session.execute(
        select(CapacityAcknowledgement, Organisation.code)
        .join(Organisation, CapacityAcknowledgement.organisation_id == Organisation.id)
        .where(scope.acknowledgements())
        .order_by(CapacityAcknowledgement.id)
    ).all()
    newest = {(answer.organisation_id, answer.node_id): (answer, code) for answer, code in answers}
    return [_answer_out(answer, code).model_dump() for answer, code in newest.values()]


@router.get("/grid/acknowledgements", responses=ERRORS, summary="Answers given")
def list_acknowledgements(request: Request, principal: GridReader) -> list[AcknowledgementOut]:
    """The newest answer per node of each operator: an operator sees only its own answers."""
    scope = scope_of(principal)
    with transaction(sessions_of(request)) as session:
        audit(session, principal, "read", "grid/acknowledgements")
        return [AcknowledgementOut(**record) for record in _acknowledgement_records(session, scope)]
