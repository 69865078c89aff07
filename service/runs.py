"""The run queue in the database: create, claim, renew, finish, fail, expire, retry.

Claiming is safe with several workers: on PostgreSQL the candidate row is locked with
``SELECT … FOR UPDATE SKIP LOCKED``; on SQLite every transaction is ``BEGIN IMMEDIATE`` (one
writer at a time).  Either way the claim itself is a guarded ``UPDATE … WHERE status =
'queued'`` that succeeds for exactly one worker.  A running run holds a lease that its worker
renews; a run whose lease expired (the worker died) is marked failed with the reason by
:func:`expire_stale_runs` — called by every worker loop and by the API before it shows runs —
and can be queued again with :func:`retry_run`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from grid_data.request_versions import republish_plan_requests
from service.grid_figures import republish_node_demand
from service.models import PlanningRun, RunResult, RunStatus, utc_now
from service.public_figures import republish_public_demand


def claim_next_run(session: Session, worker_id: str, lease_s: float) -> PlanningRun | None:
    """Take the oldest queued run for this worker, or ``None`` when there is none."""
    candidate = session.scalars(
        select(PlanningRun.id)
        .where(PlanningRun.status == RunStatus.QUEUED.value)
        .order_by(PlanningRun.created_at, PlanningRun.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()
    if candidate is None:
        return None
    now = utc_now()
    claimed = session.execute(
        update(PlanningRun)
        .where(PlanningRun.id == candidate, PlanningRun.status == RunStatus.QUEUED.value)
        .values(
            status=RunStatus.RUNNING.value,
            worker_id=worker_id,
            started_at=now,
            finished_at=None,
            heartbeat_at=now,
            lease_expires_at=now + timedelta(seconds=lease_s),
            attempts=PlanningRun.attempts + 1,
            progress=0.0,
            progress_message="claimed by a worker",
            error=None,
        )
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return session.get(PlanningRun, candidate)


def renew_lease(
    session: Session, run_id: int, worker_id: str, lease_s: float, progress: float, message: str
) -> bool:
    """Renew a run's lease and record progress; ``False`` when the run is no longer ours."""
    now = utc_now()
    result = session.execute(
        update(PlanningRun)
        .where(_ours(run_id, worker_id))
        .values(
            heartbeat_at=now,
            lease_expires_at=now + timedelta(seconds=lease_s),
            progress=progress,
            progress_message=message[:500],
        )
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _ours(run_id: int, worker_id: str) -> Any:
    return (
        (PlanningRun.id == run_id)
        & (PlanningRun.worker_id == worker_id)
        & (PlanningRun.status == RunStatus.RUNNING.value)
    )


def finish_run(session: Session, run_id: int, worker_id: str, tables: dict[str, Any]) -> bool:
    """Store the results and mark the run done, in one transaction; ``False`` if not ours."""
    result = session.execute(
        update(PlanningRun)
        .where(_ours(run_id, worker_id))
        .values(
            status=RunStatus.DONE.value,
            finished_at=utc_now(),
            progress=1.0,
            progress_message="done",
        )
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.execute(delete(RunResult).where(RunResult.run_id == run_id))
    records = [
        {"run_id": run_id, "name": name, "content": content} for name, content in tables.items()
    ]
    session.execute(insert(RunResult), records)
    return True


def fail_run(session: Session, run_id: int, worker_id: str, error: str) -> bool:
    """Mark a run failed with the reason; ``False`` when it is not ours any more."""
    result = session.execute(
        update(PlanningRun)
        .where(_ours(run_id, worker_id))
        .values(status=RunStatus.FAILED.value, finished_at=utc_now(), error=error)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def expire_stale_runs(session: Session) -> list[int]:
    """Fail every running run whose lease has expired; return their ids."""
    now = utc_now()
    stale = session.scalars(
        select(PlanningRun).where(
            PlanningRun.status == RunStatus.RUNNING.value, PlanningRun.lease_expires_at < now
        )
    ).all()
    expired: list[int] = []
    for run in stale:
        reason = (
            f"worker {run.worker_id} stopped renewing its lease (last heartbeat "
            f"{_iso(run.heartbeat_at)}); the worker was lost mid-run. Retry with "
            f"POST /runs/{run.id}/retry"
        )
        done = session.execute(
            update(PlanningRun)
            .where(
                PlanningRun.id == run.id,
                PlanningRun.status == RunStatus.RUNNING.value,
                PlanningRun.lease_expires_at < now,
            )
            .values(status=RunStatus.FAILED.value, finished_at=now, error=reason)
        )
        if done.rowcount == 1:  # type: ignore[attr-defined]
            expired.append(run.id)
    return expired


def _iso(moment: Any) -> str:
    return "never" if moment is None else f"{moment.isoformat(timespec='seconds')} UTC"


def retry_run(session: Session, run_id: int) -> bool:
    """Queue a failed run again; ``False`` unless it is failed."""
    result = session.execute(
        update(PlanningRun)
        .where(PlanningRun.id == run_id, PlanningRun.status == RunStatus.FAILED.value)
        .values(
            status=RunStatus.QUEUED.value,
            progress=0.0,
            progress_message="queued again",
            worker_id=None,
            lease_expires_at=None,
        )
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


#: Result tables compared between successive publications.
GUARDED_TABLES = (
    "public_demand",
    "public_demand_basis",
    "grid_node_demand",
    "grid_demand_basis",
    "grid_hierarchy",
    "grid_requests",
    "grid_requests_by_node",
    "grid_plan_hierarchy",
    "sites",
    "assignments",
)


def guard_publication(session: Session, run: PlanningRun) -> None:
    """Make the run's public figures safe against the last published run, before publishing.

    The public demand (:func:`~service.public_figures.republish_public_demand`), the grid
    node demand (:func:`~service.grid_figures.republish_node_demand`) and the capacity
    requests from the plan (:func:`~service.grid_figures.republish_plan_requests`) are
    recomputed from the run's bases and the last published run's bases and rows, so that the
    difference of the two publications reveals no change of fewer than k organisations.
    """
    previous = session.scalars(
        select(PlanningRun)
        .where(PlanningRun.published_at.is_not(None), PlanningRun.id != run.id)
        .order_by(PlanningRun.published_at.desc(), PlanningRun.id.desc())
        .limit(1)
    ).first()
    k = int(run.input_snapshot["k_anonymity"])
    tables = _tables(session, run.id)
    if not tables.get("public_demand_basis") and tables.get("public_demand"):
        return  # a run from before the basis was kept: its figures stay as they are
    before = None if previous is None else _tables(session, previous.id)
    _store(session, run.id, "public_demand", republish_public_demand(tables, before, k))
    _store(session, run.id, "grid_node_demand", republish_node_demand(tables, before, k))
    requests, by_node = republish_plan_requests(tables, before, k)
    _store(session, run.id, "grid_requests", requests)
    _store(session, run.id, "grid_requests_by_node", by_node)


def _store(session: Session, run_id: int, name: str, records: list[dict[str, Any]]) -> None:
    """Replace the records of a stored result table (a run without the table keeps none)."""
    stored = session.scalars(
        select(RunResult).where(RunResult.run_id == run_id, RunResult.name == name)
    ).first()
    if stored is not None:
        stored.content = {"columns": list(stored.content.get("columns", [])), "records": records}


def _tables(session: Session, run_id: int) -> dict[str, list[dict[str, Any]]]:
    found = session.scalars(
        select(RunResult).where(RunResult.run_id == run_id, RunResult.name.in_(GUARDED_TABLES))
    ).all()
    return {result.name: list(result.content.get("records", [])) for result in found}
