"""Planners' runs: start (202 at once), status, results, report, publish, retry."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

import geography
from dashboards.report import MEDIA_TYPES, ReportError
from planner.workflows.datafolder import CaseFile
from service.authorisation import Scope, publish_refusal, scope_of
from service.db import transaction
from service.models import PlanningRun, Role, RunResult, RunStatus, utc_now
from service.principal import Principal, audit, not_found, require, sessions_of, settings_of
from service.reports import RETRY_AFTER_S, ReportsBusyError, run_report
from service.routes.common import ERRORS, NOT_FOUND, Id, Message, iso
from service.runs import expire_stale_runs, guard_publication, retry_run
from service.snapshot import RunRequest, make_snapshot, snapshot_sha256
from validation import LaadplanError

router = APIRouter(tags=["runs"])
Planner = Annotated[Principal, Depends(require(Role.PLANNER, Role.ADMIN))]
CONFLICT: dict[int | str, dict[str, Any]] = {409: {"model": Message, "description": "wrong state"}}


class RunIn(BaseModel):
    """What to plan."""

    regions: list[str] | None = Field(
        None, description="vervoerregio codes (default: the planner's scope, or all Flanders)"
    )
    years: list[int] | None = Field(
        None, description="plan years (default: every projected year)", max_length=30
    )
    scenario_toml: str | None = Field(
        None, description="scenario.toml text (default: the reference case's)", max_length=200_000
    )
    grid_upload_id: int | None = Field(
        None,
        ge=1,
        le=2_147_483_647,
        description="the capacity map that feeds the run (an id of GET /grid/uploads; default: "
        "the reference case's grid); its operator's answers enter the run",
    )


class RunOut(BaseModel):
    """A run's state."""

    id: int
    status: str
    progress: float
    progress_message: str
    regions: list[str] | None
    years: list[int] | None
    input_sha256: str
    attempts: int
    error: str | None
    created_at: str | None
    started_at: str | None
    finished_at: str | None
    published_at: str | None
    duration_s: float | None


def run_out(run: PlanningRun) -> RunOut:
    """The public view of a run."""
    duration = None
    if run.started_at is not None and run.finished_at is not None:
        duration = round((run.finished_at - run.started_at).total_seconds(), 3)
    return RunOut(
        id=run.id,
        status=run.status,
        progress=round(run.progress, 4),
        progress_message=run.progress_message,
        regions=run.regions,
        years=run.years,
        input_sha256=run.input_sha256,
        attempts=run.attempts,
        error=run.error,
        created_at=iso(run.created_at),
        started_at=iso(run.started_at),
        finished_at=iso(run.finished_at),
        published_at=iso(run.published_at),
        duration_s=duration,
    )


def _scope(principal: Principal, asked: list[str] | None) -> list[str] | None:
    scope = scope_of(principal)
    if asked is None:
        return None if scope.regions is None else sorted(scope.regions, key=lambda c: (len(c), c))
    regions = sorted({str(code) for code in asked}, key=lambda c: (len(c), c))
    outside = scope.regions_outside(regions)
    if outside:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail=f"vervoerregio's {outside} are outside your scope"
        )
    return regions


@router.post(
    "/runs",
    status_code=status.HTTP_202_ACCEPTED,
    responses={
        **ERRORS,
        422: {"model": Message, "description": "nothing to plan, a bad scenario or map id"},
    },
    summary="Start a planning run",
)
def start_run(request: Request, principal: Planner, body: RunIn) -> RunOut:
    """Freeze the inputs (needs in scope, reference case, grid, acknowledgements) and queue."""
    settings = settings_of(request)
    regions = _scope(principal, body.regions)
    years = sorted(set(body.years)) if body.years else None
    asked = RunRequest(regions, years, body.scenario_toml, body.grid_upload_id)
    with transaction(sessions_of(request)) as session:
        try:
            snapshot = make_snapshot(session, settings.case_dir, asked, settings.k_anonymity)
        except LaadplanError as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(exc)) from exc
        run = PlanningRun(
            created_by=principal.user_id,
            regions=regions,
            years=years,
            scenario_toml=snapshot["files"][CaseFile.SCENARIO],
            status=RunStatus.QUEUED.value,
            progress_message="queued",
            input_snapshot=snapshot,
            input_sha256=snapshot_sha256(snapshot),
        )
        session.add(run)
        session.flush()
        audit(session, principal, "write", f"runs/{run.id}", {"input_sha256": run.input_sha256})
        return run_out(run)


def visible_run(session: Session, principal: Principal, run_id: Id) -> PlanningRun:
    """A run the planner may see (404 otherwise, also for runs outside its scope)."""
    run = session.get(PlanningRun, run_id)
    if run is None or not scope_of(principal).sees_run(run):
        raise not_found("run")
    return run


@router.get("/runs", responses=ERRORS, summary="List runs")
def list_runs(request: Request, principal: Planner) -> list[RunOut]:
    """Runs in the planner's scope, newest first."""
    with transaction(sessions_of(request)) as session:
        expire_stale_runs(session)
        runs = session.scalars(select(PlanningRun).order_by(PlanningRun.id.desc())).all()
        scope = scope_of(principal)
        shown = [run_out(run) for run in runs if scope.sees_run(run)]
        audit(session, principal, "read", "runs", {"count": len(shown)})
        return shown


@router.get("/runs/{run_id}", responses={**ERRORS, **NOT_FOUND}, summary="Run status")
def read_run(request: Request, principal: Planner, run_id: Id) -> RunOut:
    """Status, progress, timings, error and attempts of a run."""
    with transaction(sessions_of(request)) as session:
        expire_stale_runs(session)
        run = visible_run(session, principal, run_id)
        audit(session, principal, "read", f"runs/{run_id}")
        return run_out(run)


@router.get("/runs/{run_id}/results", responses={**ERRORS, **NOT_FOUND}, summary="Run results")
def read_results(request: Request, principal: Planner, run_id: Id) -> dict[str, Any]:
    """Every result table of a finished run (``{"name": {"columns", "records"}}``)."""
    with transaction(sessions_of(request)) as session:
        run = visible_run(session, principal, run_id)
        found = session.scalars(select(RunResult).where(RunResult.run_id == run.id)).all()
        audit(session, principal, "read", f"runs/{run_id}/results")
        return {"run": run_out(run).model_dump(), "tables": {r.name: r.content for r in found}}


@router.get("/runs/{run_id}/inputs", responses={**ERRORS, **NOT_FOUND}, summary="Run inputs")
def read_inputs(request: Request, principal: Planner, run_id: Id) -> dict[str, Any]:
    """The frozen inputs of a run and their hash: enough to repeat it."""
    with transaction(sessions_of(request)) as session:
        run = visible_run(session, principal, run_id)
        audit(session, principal, "read", f"runs/{run_id}/inputs")
        return {"input_sha256": run.input_sha256, "snapshot": run.input_snapshot}


@router.post(
    "/runs/{run_id}/publish", responses={**ERRORS, **NOT_FOUND, **CONFLICT}, summary="Publish a run"
)
def publish_run(request: Request, principal: Planner, run_id: Id) -> RunOut:
    """Make a finished run of all of Flanders the published plan.

    Signatories, the grid operator and the public read it.  A regional run is refused (409):
    it would replace the plan of every other vervoerregio.
    """
    with transaction(sessions_of(request)) as session:
        run = visible_run(session, principal, run_id)
        refusal = publish_refusal(run)
        if refusal is not None:
            raise HTTPException(status.HTTP_409_CONFLICT, detail=refusal)
        if run.status != RunStatus.DONE.value:
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                detail=f"run {run_id} is {run.status}; only done runs are published",
            )
        guard_publication(session, run)
        run.published_at = utc_now()
        run.published_by = principal.user_id
        audit(session, principal, "write", f"runs/{run_id}/publish")
        session.flush()
        return run_out(run)


@router.post(
    "/runs/{run_id}/retry",
    status_code=status.HTTP_202_ACCEPTED,
    responses={**ERRORS, **NOT_FOUND, **CONFLICT},
    summary="Queue a failed run again",
)
def retry(request: Request, principal: Planner, run_id: Id) -> RunOut:
    """Queue a failed run again with the same inputs."""
    with transaction(sessions_of(request)) as session:
        expire_stale_runs(session)
        run = visible_run(session, principal, run_id)
        if not retry_run(session, run.id):
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                detail=f"run {run_id} is {run.status}; only failed runs are retried",
            )
        audit(session, principal, "write", f"runs/{run_id}/retry")
        session.refresh(run)
        return run_out(run)


#: The report's formats and languages.
ReportFormat = Literal["pdf", "html"]
ReportLanguage = Literal["nl", "en"]


@router.get(
    "/runs/{run_id}/report",
    response_class=Response,
    responses={
        200: {
            "content": {"application/pdf": {}, "text/html": {}},
            "description": "the report of one vervoerregio, as a file to hand in",
        },
        **ERRORS,
        **NOT_FOUND,
        **CONFLICT,
        422: {"model": Message, "description": "an unknown vervoerregio, or none named"},
        503: {
            "model": Message,
            "description": "the PDF could not be printed in time, or every report slot is "
            "taken (see Retry-After), or the server has no Chromium: try again, or ask HTML",
        },
    },
    summary="The regional charging plan of a run (PDF or HTML)",
)
def read_report(
    request: Request,
    principal: Planner,
    run_id: Id,
    region: Annotated[
        str | None,
        Query(
            max_length=100,
            description="vervoerregio name or code 1–15 (default: the run's only one)",
        ),
    ] = None,
    fmt: Annotated[ReportFormat, Query(alias="format")] = "pdf",
    lang: ReportLanguage = "nl",
) -> Response:
    """The supra-local charging plan of one vervoerregio of a finished run, to hand in.

    The same document as ``laadplan report``: ZES calendar, demand, roll-out per tier and
    municipality, the grid operator's requests, unmet energy, congestion exemptions and methods;
    figures made from the plan pass the disclosure rule with the service's k.  The vervoerregio
    must be in the planner's scope and in the run (404 otherwise).
    """
    with transaction(sessions_of(request)) as session:
        run = visible_run(session, principal, run_id)
        code = report_region(run, scope_of(principal), region)
        if run.status != RunStatus.DONE.value:
            raise HTTPException(
                status.HTTP_409_CONFLICT, detail=f"run {run_id} is {run.status}; not done yet"
            )
        found = session.scalars(select(RunResult).where(RunResult.run_id == run.id)).all()
        tables = {result.name: result.content for result in found}
        snapshot = dict(run.input_snapshot)
        audit(session, principal, "read", f"runs/{run_id}/report", {"region": code, "format": fmt})
    try:
        content = run_report(run_id, snapshot, tables, code, fmt, lang)
    except ReportsBusyError as exc:
        headers = {"Retry-After": str(RETRY_AFTER_S)}
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc), headers) from exc
    except ReportError as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=str(exc)) from exc
    name = f"laadplan-run{run_id}-vervoerregio{code}.{fmt}"
    return Response(
        content,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def report_region(run: PlanningRun, scope: Scope, region: str | None) -> int:
    """The vervoerregio code a report is asked for: named, or the run's only one.

    Raises
    ------
    HTTPException
        422 for an unknown name or none named when the run covers several; 404 when the
        region is outside the caller's scope or not in the run.
    """
    if region is None:
        if run.regions is None or len(run.regions) != 1:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                detail="name the vervoerregio: region=NAME or code 1–15",
            )
        region = run.regions[0]
    try:
        code = geography.resolve_vervoerregio(region)
    except LaadplanError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(exc)) from exc
    in_run = run.regions is None or str(code) in run.regions
    if not scope.sees_region(str(code)) or not in_run:
        raise not_found("vervoerregio of this run")
    return code
