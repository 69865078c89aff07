"""Background runs, confidentiality of every read endpoint, and acknowledgements, against the
real server and worker processes (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest

from planner.intake.needs_template import needs_template
from service.snapshot import NEED_ID_SEPARATOR
from tests._service_fixtures import BACKENDS, K, Server, service_server, upload_all, wait_for_run

YEAR = 2030
#: Keys that would identify an organisation's own rows.
ORGANISATION_KEYS = ("organisation_id", "need_id", "depot_id", "organisation")


@pytest.fixture(scope="session", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Server:
    started = service_server(request.param, tmp_path_factory)
    upload_all(started)
    return started


@pytest.fixture
def worker(server: Server) -> Iterator[subprocess.Popen[bytes]]:
    process = server.start_worker()
    yield process
    process.terminate()
    process.wait(timeout=30)


def start_run(server: Server, body: dict[str, Any] | None = None) -> dict[str, Any]:
    with server.client("planner") as client:
        started = time.perf_counter()
        answer = client.post("/runs", json=body or {"years": [YEAR]})
        elapsed_s = time.perf_counter() - started
    assert answer.status_code == 202, answer.text
    assert elapsed_s < 5.0  # returns at once: no solving in the request
    run: dict[str, Any] = answer.json()
    assert run["status"] == "queued"
    return run


@pytest.fixture(scope="session")
def published(server: Server, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    process = server.start_worker()
    try:
        run = start_run(server)
        done = wait_for_run(server, run["id"], ("done", "failed"))
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert done["status"] == "done", done["error"]
    with server.client("planner") as client:
        assert client.post(f"/runs/{run['id']}/publish").status_code == 200
        results: dict[str, Any] = client.get(f"/runs/{run['id']}/results").json()
    return results


def test_run_is_solved_in_the_background_and_published(published: dict[str, Any]) -> None:
    run, tables = published["run"], published["tables"]
    assert run["status"] == "done" and run["attempts"] == 1 and run["progress"] == 1.0
    assert run["duration_s"] is not None and run["duration_s"] > 0
    years = tables["summary"]["years"]
    assert [y["year"] for y in years] == [YEAR]
    assert years[0]["status"] in ("optimal", "feasible")
    served = tables["assignments"]["records"]
    assert served and all(NEED_ID_SEPARATOR in r["need_id"] for r in served)
    # the plan's grid is kept (planner only) to guard the next publication's requests
    grid = {r["node_id"] for r in tables["grid_plan_hierarchy"]["records"]}
    requested = {r["node_id"] for r in tables["grid_requests_by_node"]["records"]}
    assert grid and requested <= grid


def test_same_inputs_give_the_same_snapshot_and_plan(
    server: Server, published: dict[str, Any], worker: subprocess.Popen[bytes]
) -> None:
    again = start_run(server)
    assert again["input_sha256"] == published["run"]["input_sha256"]
    done = wait_for_run(server, again["id"], ("done", "failed"))
    assert done["status"] == "done", done["error"]
    with server.client("planner") as client:
        tables = client.get(f"/runs/{again['id']}/results").json()["tables"]
    # The solve stops on gap and node limits, never on the clock: the same inputs give the
    # same plan, stage by stage and site by site.
    first = {
        s["name"]: s["objective"] for s in published["tables"]["summary"]["years"][0]["stages"]
    }
    second = {s["name"]: s["objective"] for s in tables["summary"]["years"][0]["stages"]}
    assert second == first
    assert tables["sites"] == published["tables"]["sites"]


def test_worker_killed_mid_run_leaves_a_failed_retryable_run(server: Server) -> None:
    stuck = server.start_worker(LAADPLAN_WORKER_PAUSE_S="60")
    try:
        run = start_run(server)
        wait_for_run(server, run["id"], ("running",))
        stuck.send_signal(signal.SIGKILL)
        stuck.wait(timeout=10)
        failed = wait_for_run(server, run["id"], ("failed", "done"), timeout_s=60)
    finally:
        if stuck.poll() is None:
            stuck.kill()
    assert failed["status"] == "failed"
    assert "lease" in failed["error"] and f"/runs/{run['id']}/retry" in failed["error"]
    with server.client("planner") as client:
        assert client.post(f"/runs/{run['id']}/retry").status_code == 202
        assert client.post(f"/runs/{run['id']}/retry").status_code == 409  # queued, not failed
    healthy = server.start_worker()
    try:
        done = wait_for_run(server, run["id"], ("done", "failed"))
    finally:
        healthy.terminate()
        healthy.wait(timeout=30)
    assert done["status"] == "done" and done["attempts"] == 2


def test_acknowledged_capacity_enters_later_runs_from_its_year(
    server: Server, published: dict[str, Any], worker: subprocess.Popen[bytes]
) -> None:
    nodes = [r["node_id"] for r in published["tables"]["node_load"]["records"]][:2]
    with server.client("grid") as client:
        for node, year in zip(nodes, (YEAR, YEAR + 1), strict=True):
            body = {"node_id": node, "available_from_year": year, "capacity_kva": 400.0}
            assert client.post("/grid/acknowledgements", json=body).status_code == 201
        answers = client.get("/grid/acknowledgements").json()
    assert {a["node_id"] for a in answers} >= set(nodes)
    run = start_run(server)
    assert run["input_sha256"] != published["run"]["input_sha256"]
    done = wait_for_run(server, run["id"], ("done", "failed"))
    assert done["status"] == "done", done["error"]
    with server.client("planner") as client:
        tables = client.get(f"/runs/{run['id']}/results").json()["tables"]
    added = tables["grid_adjustments"]["records"]
    assert added == [{"year": YEAR, "node_id": nodes[0], "added_headroom_kva": 400.0}]


# --- confidentiality: every GET endpoint ------------------------------------------------------


def _orgs(server: Server) -> tuple[str, str]:
    orgs = sorted(server.needs["organisation_id"].unique())
    return orgs[0], orgs[1]


def _submission_of(server: Server, org: str) -> int:
    with server.client(org) as client:
        return int(client.get("/needs/submissions").json()[0]["id"])


def check_signatory_sees_only_its_own(server: Server, published: dict[str, Any]) -> set[str]:
    """Signatory B against A's data on every endpoint a signatory may call."""
    served = {r["organisation_id"] for r in published["tables"]["assignments"]["records"]}
    b = sorted(served)[0]  # an organisation with needs in the plan
    a = next(org for org in _orgs(server) if org != b)
    a_submission = _submission_of(server, a)
    with server.client(b) as client:
        assert client.get(f"/needs/submissions/{a_submission}").status_code == 404
        assert client.get("/needs/submissions/999999").status_code == 404  # same answer
        listed = client.get("/needs/submissions").json()
        needs = client.get("/needs").json()
        plan = client.get("/me/plan").json()
        run_paths = (f"/runs/{published['run']['id']}", f"/runs/{published['run']['id']}/report")
        for path in ("/runs", *run_paths, "/grid/demand", "/admin/users"):
            assert client.get(path).status_code == 403, path
    assert listed and {s["organisation"] for s in listed} == {b}
    assert needs and {row["organisation"] for row in needs} == {b}
    own_ids = set(server.needs.loc[server.needs["organisation_id"] == b, "need_id"])
    assert plan["served"] and {s["need_id"] for s in plan["served"]} <= own_ids
    assert {u["need_id"] for u in plan["unmet"]} <= own_ids
    return {"/needs/submissions/{submission_id}", "/needs/submissions", "/needs", "/me/plan"}


def check_grid_operator_sees_k_groups_only(server: Server, published: dict[str, Any]) -> set[str]:
    internal = published["tables"]["node_load"]["records"]
    small = [r for r in internal if 0 < r["organisations"] < K]
    assert small, "the test case must have grid nodes below k, or this check proves nothing"
    with server.client("grid") as client:
        demand = client.get("/grid/demand").json()
        requests = client.get("/grid/requests").json()
        uploads = client.get("/grid/uploads").json()
        answers = client.get("/grid/acknowledgements").json()
        for path in ("/needs", "/needs/submissions", "/runs", "/admin/audit", "/me/plan"):
            assert client.get(path).status_code == 403, path
    assert demand["k_anonymity"] == K and demand["records"]
    assert all(r["organisations"] >= K for r in demand["records"])
    shown = {r["node_id"] for r in demand["records"]}
    assert not shown & {r["node_id"] for r in small if r["year"] == YEAR}
    for record in requests["records"]:
        assert record["disclosure"] == "suppressed" or record["organisations"] >= K
    text = json.dumps([demand, requests, uploads, answers])
    assert not any(f'"{key}"' in text for key in ORGANISATION_KEYS)
    assert not any(org in text for org in server.needs["organisation_id"].unique())
    return {"/grid/demand", "/grid/requests", "/grid/uploads", "/grid/acknowledgements"}


def check_public_aggregates(server: Server) -> set[str]:
    with server.client() as client:
        public = client.get("/public/demand").json()
        health = client.get("/health")
    assert public["records"] and all(r["organisations"] >= K for r in public["records"])
    assert not any(org in json.dumps(public) for org in server.needs["organisation_id"].unique())
    assert health.status_code == 200
    return {"/public/demand", "/health"} | check_templates_hold_no_data(server)


def check_templates_hold_no_data(server: Server) -> set[str]:
    """The public templates are the contract only: the same bytes whatever is stored."""
    with server.client() as client:
        csv_answer = client.get("/templates/needs.csv")
        xlsx_answer = client.get("/templates/needs.xlsx")
    assert csv_answer.content == needs_template("csv")
    assert _cells(xlsx_answer.content) == _cells(needs_template("xlsx"))
    return {"/templates/needs.{file_format}"}


def _cells(workbook: bytes) -> list[list[object]]:
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    return [[cell.value for row in sheet.iter_rows() for cell in row] for sheet in book]


def check_planner_scope(server: Server, published: dict[str, Any]) -> set[str]:
    run_id = published["run"]["id"]
    with server.client("planner_other") as client:  # scoped to vervoerregio 1, not Leuven
        assert client.get("/needs").json() == []
        assert client.get("/runs").json() == []
        for path in (f"/runs/{run_id}", f"/runs/{run_id}/results", f"/runs/{run_id}/inputs",
                     f"/runs/{run_id}/report", f"/runs/{run_id}/report?region=1"):  # fmt: skip
            assert client.get(path).status_code == 404, path
        submission = client.get(f"/needs/submissions/{_submission_of(server, _orgs(server)[0])}")
        assert submission.status_code == 404  # an organisation with no rows in the scope
        assert client.get("/needs/submissions").json() == []
    with server.client("planner") as client:  # the report is handed in: no organisation in it
        report = client.get(f"/runs/{run_id}/report?region=7&format=html")
    assert report.status_code == 200 and "vervoerregio Leuven" in report.text
    assert not any(org in report.text for org in server.needs["organisation_id"].unique())
    return {
        "/runs", "/runs/{run_id}", "/runs/{run_id}/results", "/runs/{run_id}/inputs",
        "/runs/{run_id}/report",
    }  # fmt: skip


def check_admin_only(server: Server) -> set[str]:
    paths = {"/admin/organisations", "/admin/users", "/admin/audit"}
    a, _ = _orgs(server)
    for who in (a, "planner", "grid"):
        with server.client(who) as client:
            assert all(client.get(path).status_code == 403 for path in paths), who
    return paths


def test_every_read_endpoint_is_confidential(server: Server, published: dict[str, Any]) -> None:
    checked = (
        check_signatory_sees_only_its_own(server, published)
        | check_grid_operator_sees_k_groups_only(server, published)
        | check_public_aggregates(server)
        | check_planner_scope(server, published)
        | check_admin_only(server)
    )
    with server.client() as client:
        schema = client.get("/openapi.json").json()
    reads = {path for path, operations in schema["paths"].items() if "get" in operations}
    assert reads - checked == set(), "a read endpoint without a confidentiality check"
