"""Public, unauthenticated: health and the k-anonymous demand per vervoerregio."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text

from service.db import transaction
from service.principal import audit, sessions_of
from service.routes.needs import latest_published, result_tables

router = APIRouter(tags=["public"])


class Health(BaseModel):
    """Liveness and database reachability."""

    status: str
    database: str


@router.get("/health")
def health(request: Request) -> Health:
    """``ok`` when the database answers."""
    with transaction(sessions_of(request)) as session:
        session.execute(text("SELECT 1"))
    return Health(status="ok", database="ok")


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
        audit(session, None, "read", "public/demand")
        if run is None:
            return PublicDemand(run_id=None, k_anonymity=None, records=[])
        records = result_tables(session, run.id, ("public_demand",))["public_demand"]
        k = int(run.input_snapshot.get("k_anonymity", 0))
        return PublicDemand(run_id=run.id, k_anonymity=k, records=records)
