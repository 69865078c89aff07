"""Public, unauthenticated: health and the k-anonymous demand per vervoerregio.

Anonymous reads are counted (:class:`service.security.PublicReadCounter`), not audited one by
one: one audit row per minute carries the count.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from service.db import transaction
from service.principal import audit, sessions_of
from service.routes.needs import latest_published, result_tables
from service.supervisor import QueueStatus, WorkerStatus, WorkerSupervisor, queue_status

router = APIRouter(tags=["public"])


class WorkersHealth(BaseModel):
    """The workers ``laadplan serve`` supervises (none when started with ``--workers 0``)."""

    supervised: bool
    expected: int
    alive: int
    restarts: int


class QueueHealth(BaseModel):
    """Planning runs waiting and running."""

    queued: int
    running: int
    oldest_queued_age_s: float | None


class Health(BaseModel):
    """Liveness, database reachability, workers and queue."""

    status: str = Field(description="ok, or degraded when runs wait with no live worker")
    database: str
    workers: WorkersHealth
    queue: QueueHealth
    problems: list[str]
    public_reads: dict[str, int] = Field(description="anonymous reads since the server started")


@router.get("/health")
def health(request: Request) -> Health:
    """``ok`` when the database answers and, if runs are queued, a worker is alive."""
    with transaction(sessions_of(request)) as session:
        queue = queue_status(session)
    supervisor: WorkerSupervisor | None = request.app.state.supervisor
    workers = supervisor.status() if supervisor else WorkerStatus(False, 0, 0, 0)
    problems = health_problems(workers, queue)
    return Health(
        status="degraded" if problems else "ok",
        database="ok",
        workers=WorkersHealth(**{k: getattr(workers, k) for k in WorkersHealth.model_fields}),
        queue=QueueHealth(**asdict(queue)),
        problems=problems,
        public_reads=dict(request.app.state.public_reads.totals),
    )


def health_problems(workers: WorkerStatus, queue: QueueStatus) -> list[str]:
    """What is wrong: supervised workers down, runs queued with no live worker."""
    problems = []
    if workers.supervised and workers.alive < workers.expected:
        problems.append(
            f"{workers.expected - workers.alive} of {workers.expected} worker(s) not running "
            f"(restarted {workers.restarts} time(s) so far)"
        )
    if workers.supervised and workers.alive == 0 and queue.queued:
        age = queue.oldest_queued_age_s or 0.0
        problems.append(
            f"{queue.queued} run(s) queued and no live worker; the oldest has waited {age:.0f} s"
        )
    return problems


class PublicDemand(BaseModel):
    """Demand of the latest published plan per vervoerregio and year."""

    run_id: int | None
    k_anonymity: int | None
    records: list[dict[str, Any]]


@router.get("/public/demand")
def public_demand(request: Request) -> PublicDemand:
    """Per vervoerregio and year; groups below k organisations merged into ``other`` or left out."""
    with transaction(sessions_of(request)) as session:
        run = latest_published(session)
        due = request.app.state.public_reads.count("public/demand")
        if due:
            audit(session, None, "read", "public/demand", {"anonymous_reads": due})
        if run is None:
            return PublicDemand(run_id=None, k_anonymity=None, records=[])
        records = result_tables(session, run.id, ("public_demand",))["public_demand"]
        k = int(run.input_snapshot.get("k_anonymity", 0))
        return PublicDemand(run_id=run.id, k_anonymity=k, records=records)
