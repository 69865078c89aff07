"""Signatories' needs: upload (file or JSON rows), list and read versions, see the plan.

Who sees what is decided by :func:`service.authorisation.scope_of`: a signatory only ever sees
its own organisation's data, a planner the needs in its vervoerregio's; anything else answers
404, so existence does not leak.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import (
    APIRouter,
    Depends,
    File,
    HTTPException,
    Query,
    Request,
    Response,
    UploadFile,
    status,
)
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from service.authorisation import Scope, scope_of
from service.db import transaction
from service.intake import (
    CheckedNeeds,
    ShrinkNotConfirmedError,
    check_upload,
    content_sha256,
    rows_sha256,
    rows_to_raw,
    safe_filename,
    store_submission,
)
from service.models import NeedsRow, NeedsSubmission, Organisation, PlanningRun, Role, RunResult
from service.principal import Principal, audit, not_found, require, sessions_of, settings_of
from service.routes.common import (
    ERRORS,
    NOT_FOUND,
    UPLOAD_422,
    Id,
    Message,
    RowProblem,
    file_failure,
    iso,
    report_warnings,
    validation_failure,
)
from service.snapshot import own_need_id
from service.uploads import UploadRefusedError, limits_from, read_bounded_upload, run_cancellable

router = APIRouter(tags=["needs"])
Signatory = Annotated[Principal, Depends(require(Role.SIGNATORY))]
NeedsReader = Annotated[Principal, Depends(require(Role.SIGNATORY, Role.PLANNER, Role.ADMIN))]
UPLOAD_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    409: {"model": Message, "description": "much smaller than the current version; confirm"},
    413: {"model": Message, "description": "beyond an upload limit (size, rows, columns)"},
    422: UPLOAD_422,
}
ConfirmShrink = Annotated[
    bool,
    Query(description="replace the current version even when the upload has far fewer rows"),
]
MAX_JSON_ROWS = 100_000


class SubmissionOut(BaseModel):
    """A version of an organisation's needs."""

    id: int
    organisation: str
    version: int
    current: bool
    rows: int
    source_format: str
    filename: str
    content_sha256: str
    submitted_at: str | None
    superseded_at: str | None
    created: bool = Field(True, description="false when the same content was already current")
    warnings: list[RowProblem] = Field(
        default_factory=list, description="what this upload's validation read tolerantly"
    )


class SubmissionDetail(SubmissionOut):
    """A version with its rows."""

    needs: list[dict[str, Any]]


class NeedsRowsIn(BaseModel):
    """Needs as JSON: one object per row, keys = the needs.csv columns."""

    rows: list[dict[str, str | int | float | bool | None]] = Field(
        min_length=1, max_length=MAX_JSON_ROWS
    )


def _out(
    submission: NeedsSubmission, code: str, created: bool = True, rows: int | None = None
) -> SubmissionOut:
    return SubmissionOut(
        id=submission.id,
        organisation=code,
        version=submission.version,
        current=submission.current,
        rows=submission.rows if rows is None else rows,
        source_format=submission.source_format,
        filename=submission.filename,
        content_sha256=submission.content_sha256,
        submitted_at=iso(submission.submitted_at),
        superseded_at=iso(submission.superseded_at),
        created=created,
    )


def _store(
    request: Request,
    response: Response,
    principal: Principal,
    checked: CheckedNeeds,
    confirm_shrink: bool = False,
) -> SubmissionOut:
    if not checked.report.ok:
        raise validation_failure(checked.report)
    ratio = settings_of(request).shrink_confirm_ratio
    with transaction(sessions_of(request)) as session:
        try:
            submission, created = store_submission(
                session, principal, checked, ratio, confirm_shrink
            )
        except ShrinkNotConfirmedError as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from exc
        detail = {"version": submission.version, "rows": submission.rows, "created": created}
        target = f"needs/submissions/{submission.id}"
        audit(session, principal, "write" if created else "read", target, detail)
        response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        out = _out(submission, principal.organisation_code, created)
        out.warnings = report_warnings(checked.report)
        return out


@router.post(
    "/needs",
    status_code=status.HTTP_201_CREATED,
    responses={
        **UPLOAD_ERRORS,
        200: {"model": SubmissionOut, "description": "same content as the current version"},
    },
    summary="Upload needs as a CSV or XLSX file",
)
async def upload_needs_file(
    request: Request,
    response: Response,
    principal: Signatory,
    file: Annotated[UploadFile, File(description="needs.csv (UTF-8; , ; or tab) or needs.xlsx")],
    confirm_shrink: ConfirmShrink = False,
) -> SubmissionOut:
    """Validate every row like ``laadplan validate``; store a new version when all are valid.

    The file is read within the upload limits (rows, columns, unpacked size) and the reading
    stops when the client disconnects (:mod:`service.uploads`).
    """
    content = await file.read()
    filename = safe_filename(file.filename, content)
    limits = limits_from(settings_of(request))
    read = partial(read_bounded_upload, content, filename, limits)
    try:
        raw = await run_cancellable(request, read, limits.parse_timeout_s)
    except UploadRefusedError as exc:
        raise refused_upload(filename, exc) from exc
    source_format = "xlsx" if filename.endswith(".xlsx") else "csv"
    checked = await run_in_threadpool(
        check_upload, raw, principal, filename, source_format, content_sha256(content)
    )
    return await run_in_threadpool(_store, request, response, principal, checked, confirm_shrink)


def refused_upload(filename: str, refused: UploadRefusedError) -> HTTPException:
    """The HTTP error of an upload refused while reading (413 for limits, 422 malformed)."""
    if refused.status_code == status.HTTP_422_UNPROCESSABLE_CONTENT:
        return file_failure(filename, refused.message)
    return HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, detail=refused.message)


@router.post(
    "/needs/rows",
    status_code=status.HTTP_201_CREATED,
    responses={
        **UPLOAD_ERRORS,
        200: {"model": SubmissionOut, "description": "same content as the current version"},
    },
    summary="Upload needs as JSON rows",
)
def upload_needs_rows(
    request: Request,
    response: Response,
    principal: Signatory,
    body: NeedsRowsIn,
    confirm_shrink: ConfirmShrink = False,
) -> SubmissionOut:
    """As ``POST /needs``; rows are numbered as file lines (the first row is row 2)."""
    raw = rows_to_raw(body.rows)
    checked = check_upload(raw, principal, "needs.json", "json", rows_sha256(body.rows))
    return _store(request, response, principal, checked, confirm_shrink)


@router.get("/needs/submissions", responses=ERRORS, summary="List needs versions")
def list_submissions(request: Request, principal: NeedsReader) -> list[SubmissionOut]:
    """Versions in the caller's scope, newest first.

    A signatory's own; a planner's with rows in its vervoerregio's (``rows`` counts those rows
    only); an admin's all.
    """
    scope = scope_of(principal)
    query = (
        select(NeedsSubmission, Organisation.code)
        .join(Organisation, NeedsSubmission.organisation_id == Organisation.id)
        .where(scope.submissions())
        .order_by(NeedsSubmission.id.desc())
    )
    with transaction(sessions_of(request)) as session:
        found = session.execute(query).all()
        counts = _rows_in_scope(session, scope, [submission.id for submission, _ in found])
        audit(session, principal, "read", "needs/submissions", {"count": len(found)})
        return [_out(item, code, rows=counts.get(item.id)) for item, code in found]


def _rows_in_scope(session: Session, scope: Scope, ids: list[int]) -> dict[int, int]:
    """Rows per submission within a scoped planner's regions (empty when unscoped)."""
    if scope.regions is None or not ids:
        return {}
    counted = session.execute(
        select(NeedsRow.submission_id, func.count())
        .where(NeedsRow.submission_id.in_(ids), scope.needs_rows())
        .group_by(NeedsRow.submission_id)
    ).all()
    return {int(submission_id): int(count) for submission_id, count in counted}


@router.get(
    "/needs/submissions/{submission_id}",
    responses={**ERRORS, **NOT_FOUND},
    summary="Read one needs version",
)
def read_submission(
    request: Request, principal: NeedsReader, submission_id: Id
) -> SubmissionDetail:
    """One version with its rows in scope (404 when it is not in the caller's scope)."""
    scope = scope_of(principal)
    with transaction(sessions_of(request)) as session:
        found = session.execute(
            select(NeedsSubmission, Organisation.code)
            .join(Organisation, NeedsSubmission.organisation_id == Organisation.id)
            .where(NeedsSubmission.id == submission_id, scope.submissions())
        ).first()
        if found is None:
            raise not_found("submission")
        submission, code = found
        rows = session.scalars(
            select(NeedsRow)
            .where(NeedsRow.submission_id == submission.id, scope.needs_rows())
            .order_by(NeedsRow.row_number)
        ).all()
        audit(session, principal, "read", f"needs/submissions/{submission.id}")
        base = _out(submission, code, rows=len(rows)).model_dump()
        return SubmissionDetail(**base, needs=[_row_out(row) for row in rows])


def _row_out(row: NeedsRow) -> dict[str, Any]:
    return {"row": row.row_number, "vervoerregio_code": row.vervoerregio_code, **row.values}


@router.get("/needs", responses=ERRORS, summary="Current needs in scope")
def current_needs(request: Request, principal: NeedsReader) -> list[dict[str, Any]]:
    """The current version's rows: a signatory's own; a planner's in its vervoerregio's."""
    scope = scope_of(principal)
    query = (
        select(NeedsRow, Organisation.code, NeedsSubmission.version)
        .join(NeedsSubmission, NeedsRow.submission_id == NeedsSubmission.id)
        .join(Organisation, NeedsSubmission.organisation_id == Organisation.id)
        .where(NeedsSubmission.current.is_(True), scope.submissions(), scope.needs_rows())
        .order_by(Organisation.code, NeedsRow.row_number)
    )
    with transaction(sessions_of(request)) as session:
        found = session.execute(query).all()
        audit(session, principal, "read", "needs", {"rows": len(found)})
        return [
            {"organisation": code, "version": version, **_row_out(row)}
            for row, code, version in found
        ]


class ServedNeed(BaseModel):
    """Where one of the caller's needs is charged in a published plan."""

    year: int
    need_id: str
    site_id: str
    site_name: str | None
    tier: str | None
    nis_code: str | None
    energy_kwh_per_day: float | None
    share_of_need: float | None


class MyPlan(BaseModel):
    """The caller's needs in the latest published plan."""

    run_id: int | None
    published_at: str | None
    served: list[ServedNeed]
    unmet: list[dict[str, Any]]


@router.get("/me/plan", responses=ERRORS, summary="Where my needs are served")
def my_plan(request: Request, principal: Signatory) -> MyPlan:
    """The caller's own needs in the latest published plan (site, tier, energy per year).

    Rows are the caller's by their ``organisation_id`` (the organisation's code, compared
    whole), never by a need-id prefix.
    """
    scope = scope_of(principal)
    with transaction(sessions_of(request)) as session:
        run = latest_published(session)
        audit(session, principal, "read", "me/plan", {"run": None if run is None else run.id})
        if run is None:
            return MyPlan(run_id=None, published_at=None, served=[], unmet=[])
        tables = result_tables(session, run.id, ("assignments", "sites", "unmet"))
    sites = {(r["site_id"], r["year"]): r for r in tables["sites"]}
    served = [
        _served(record, sites.get((record["site_id"], record["year"]), {}))
        for record in tables["assignments"]
        if scope.owns_record(record)
    ]
    unmet = [
        {"year": r["year"], "need_id": own_need_id(r["need_id"]),
         "unmet_kwh_per_day": r.get("unmet_kwh_per_day"), "reason": r.get("reason")}
        for r in tables["unmet"] if scope.owns_record(r)
    ]  # fmt: skip
    return MyPlan(run_id=run.id, published_at=iso(run.published_at), served=served, unmet=unmet)


def _served(record: dict[str, Any], site: dict[str, Any]) -> ServedNeed:
    return ServedNeed(
        year=int(record["year"]),
        need_id=own_need_id(record["need_id"]),
        site_id=str(record["site_id"]),
        site_name=site.get("name"),
        tier=record.get("tier"),
        nis_code=site.get("nis_code"),
        energy_kwh_per_day=record.get("energy_kwh_per_day"),
        share_of_need=record.get("share_of_need"),
    )


def latest_published(session: Session) -> PlanningRun | None:
    """The most recently published run, if any."""
    return session.scalars(
        select(PlanningRun)
        .where(PlanningRun.published_at.is_not(None))
        .order_by(PlanningRun.published_at.desc(), PlanningRun.id.desc())
        .limit(1)
    ).first()


def result_tables(
    session: Session, run_id: int, names: tuple[str, ...]
) -> dict[str, list[dict[str, Any]]]:
    """Records of some result tables of a run (empty lists for absent tables)."""
    found = session.scalars(
        select(RunResult).where(RunResult.run_id == run_id, RunResult.name.in_(names))
    ).all()
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for result in found:
        tables[result.name] = list(result.content.get("records", []))
    return tables


def http_error(code: int, message: str) -> HTTPException:
    """An error with a plain message."""
    return HTTPException(code, detail=message)
