"""Publishing a run guards the grid operator's requests against the last published run.

Two finished runs are stored directly (their result tables as the worker stores them, for the
lone-cabin case of tests/test_disclosure_versions.py), the first published; publishing the
second through ``POST /runs/{id}/publish`` must not let the operator subtract C1's new request
from last time's bundle.  Against SQLite and PostgreSQL, in the app (no server process).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import httpx
import numpy as np
import pytest

from grid_data.disclosure import Hierarchy
from service.accounts import add_user
from service.app import create_app
from service.config import Settings
from service.db import make_engine, make_session_factory, transaction, upgrade
from service.models import PlanningRun, RunResult, RunStatus, utc_now
from tests._service_fixtures import BACKENDS, _create_postgres_database, postgres_reachable
from tests.test_disclosure_versions import plan_tables

K = 3


def database_url(backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'laadplan.db'}"
    reason = postgres_reachable()
    if reason:
        pytest.skip(reason)
    return _create_postgres_database()


def store_run(session: Any, user_id: int, tables: dict[str, list[dict[str, Any]]]) -> int:
    run = PlanningRun(
        created_by=user_id, regions=None, scenario_toml="", years=[2030],
        status=RunStatus.DONE.value, input_snapshot={"k_anonymity": K}, input_sha256="0" * 64,
        finished_at=utc_now(),
    )  # fmt: skip
    session.add(run)
    session.flush()
    for name, records in tables.items():
        columns = sorted({key for record in records for key in record})
        content = {"columns": columns, "records": records}
        session.add(RunResult(run_id=run.id, name=name, content=content))
    return int(run.id)


def lone_cabin_runs() -> tuple[dict[str, Any], dict[str, Any]]:
    """S feeds C1 (a, b) and C2 (c); then d joins C1, which is named on its own (k = 3)."""
    tree = Hierarchy.from_parents(["S", "C1", "C2"], [None, "S", "S"])
    before: list[dict[str, tuple[float, ...]]] = [{}, {"a": (5.0,), "b": (6.0,)}, {"c": (7.0,)}]
    after = [{}, {**before[1], "d": (1.0,)}, before[2]]
    congested = np.array([False, True, True])
    return plan_tables(tree, before, congested, K), plan_tables(tree, after, congested, K)


async def publish_and_read(settings: Settings, tokens: dict[str, str], run_id: int) -> Any:
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://laadplan") as client:
        planner = {"Authorization": f"Bearer {tokens['planner']}"}
        published = await client.post(f"/runs/{run_id}/publish", headers=planner)
        assert published.status_code == 200, published.text
        grid = {"Authorization": f"Bearer {tokens['grid']}"}
        requests = await client.get("/grid/requests", headers=grid)
        results = await client.get(f"/runs/{run_id}/results", headers=planner)
    assert requests.status_code == 200 and results.status_code == 200
    return requests.json(), results.json()["tables"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_publishing_a_run_withholds_the_requests_that_would_give_a_lone_cabin(
    backend: str, tmp_path: Path
) -> None:
    url = database_url(backend, tmp_path)
    upgrade(url)
    settings = Settings(data_dir=tmp_path, database_url=url, case_dir=tmp_path / "case")
    first, second = lone_cabin_runs()
    assert [r["disclosure"] for r in first["grid_requests"]] == ["merged_from_children"]
    unguarded = [(r["node_id"], r["merged_nodes"]) for r in second["grid_requests"]]
    assert unguarded == [("C1", 0), ("", 1)]  # C1 named, C2 alone suppressed
    engine = make_engine(url)
    with transaction(make_session_factory(engine)) as session:
        planner, planner_token = add_user(session, "MOW", "planner")
        _, grid_token = add_user(session, "FLUVIUS", "grid_operator")
        tokens = {"planner": planner_token.token, "grid": grid_token.token}
        earlier = store_run(session, planner.id, first)
        later = store_run(session, planner.id, second)
        session.flush()
        session.get(PlanningRun, earlier).published_at = utc_now()  # type: ignore[union-attr]
    engine.dispose()
    requests, tables = anyio.run(publish_and_read, settings, tokens, later)
    assert requests["run_id"] == later
    assert [(r["node_id"], r["disclosure"], r["merged_nodes"]) for r in requests["records"]] == [
        ("", "suppressed", 2)
    ]
    labels = {r["node_id"]: r["reported_as"] for r in tables["grid_requests_by_node"]["records"]}
    assert labels == {"C1": "suppressed", "C2": "suppressed"}
