"""Object-level authorisation of every route, against a real server on SQLite and PostgreSQL.

One server per backend (module-scoped, a database of its own) holds a small world: signatories
``ACME`` and ``ACME/EU`` (whose need ids collide once prefixed), ``ANTW`` in vervoerregio 2
(Antwerpen), ``MIXED`` with rows in vervoerregio's 2 and 7 (Leuven); an unscoped planner and
planners scoped to 7 and to 2; two grid operators; an admin; a solved and published
Flanders-wide plan, a queued Leuven run and a queued Antwerp run.

:func:`test_every_route_answers_404_or_403_outside_the_principals_scope` walks every operation
of ``/openapi.json`` (its ``x-roles`` say who is admitted) × every principal × own, other
organisation, other region, missing and malformed ids; lists are compared with the admin's
view filtered by the same rules.  Failures are collected and reported at once.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import pandas as pd
import pytest

from tests._service_fixtures import (
    BACKENDS,
    Server,
    add_user_via_api,
    start_server,
    stop_server,
    upload,
)

YEAR = 2030
#: needs, sites, substations, cabins of the generated Leuven case.
CASE_SIZE = (12, 8, 1, 6)
LEUVEN, ANTWERPEN = "7", "2"
ANTWERPEN_PLACE = {"nis_code": "11002", "lat": "51.22047", "lon": "4.40026"}
MISSING_IDS = ("2147483647",)
#: The capacity each grid operator answers for the same node, kVA.
ANSWERED_KVA = {"grid_a": 100.0, "grid_b": 250.0}
MALFORMED_IDS = ("0", "abc", "99999999999999999999", "1%20OR%201=1")


@dataclass(frozen=True)
class Who:
    """A principal of the world: token key, role, organisation code, planner scope."""

    key: str
    role: str
    organisation: str
    regions: frozenset[str] | None = None


PRINCIPALS = (
    Who("admin", "admin", "ADMIN-ORG"),
    Who("planner", "planner", "MOW"),
    Who("planner_leuven", "planner", "VR-LEUVEN", frozenset({LEUVEN})),
    Who("planner_antwerpen", "planner", "VR-ANTWERPEN", frozenset({ANTWERPEN})),
    Who("grid_a", "grid_operator", "FLUVIUS"),
    Who("grid_b", "grid_operator", "OTHER-DSO"),
    Who("ACME", "signatory", "ACME"),
    Who("ACME/EU", "signatory", "ACME/EU"),
    Who("ANTW", "signatory", "ANTW"),
    Who("MIXED", "signatory", "MIXED"),
)


@dataclass
class World:
    """The server and what was made on it."""

    server: Server
    runs: dict[str, int]
    uploads: dict[str, int]
    node_id: str

    def client(self, who: str | None = None) -> httpx.Client:
        return self.server.client(who, timeout=30.0)


# --- the world ---------------------------------------------------------------------------------


def _needs_of(server: Server, generated: str, organisation: str, **changes: Any) -> pd.DataFrame:
    rows = server.needs[server.needs["organisation_id"] == generated].copy()
    return rows.assign(organisation_id=organisation, **changes).reset_index(drop=True)


def _csv(rows: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    rows.to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")


def world_needs(server: Server) -> dict[str, pd.DataFrame]:
    """Each signatory's needs: ACME's ids ``EU/…`` collide with ACME/EU's once prefixed."""
    orgs = sorted(server.needs["organisation_id"].unique())
    acme = _needs_of(server, orgs[0], "ACME")
    acme["need_id"] = [f"EU/N{n}" for n in range(1, len(acme) + 1)]
    acme_eu = _needs_of(server, orgs[2], "ACME/EU")
    acme_eu["need_id"] = [f"N{n}" for n in range(1, len(acme_eu) + 1)]
    antw = _needs_of(server, orgs[1], "ANTW", **ANTWERPEN_PLACE)
    mixed = _needs_of(server, orgs[3], "MIXED")
    for column, value in ANTWERPEN_PLACE.items():
        mixed.loc[0, column] = value
    return {"ACME": acme, "ACME/EU": acme_eu, "ANTW": antw, "MIXED": mixed}


def _make_principals(server: Server) -> None:
    for who in PRINCIPALS[1:]:
        regions = None if who.regions is None else sorted(who.regions)
        server.tokens[who.key] = add_user_via_api(server, who.organisation, who.role, regions)


def _upload_maps(world_server: Server) -> tuple[dict[str, int], str]:
    grid = pd.read_csv(world_server.case_dir / "grid.csv", dtype=str, keep_default_na=False)
    cabin = grid.index[grid["level"] == "mv_cabin"][0]
    other = grid.copy()
    other.loc[cabin, "name"] = "OTHER-DSO cabin"
    uploads = {}
    for key, table in (("grid_a", grid), ("grid_b", other)):
        with world_server.client(key) as client:
            answer = client.post("/grid/uploads", files={"file": ("grid.csv", _csv(table))})
        assert answer.status_code == 201, answer.text
        uploads[key] = int(answer.json()["id"])
    return uploads, str(grid.loc[cabin, "node_id"])


def _answer(server: Server, who: str, node_id: str, note: str, capacity_kva: float) -> None:
    body = {"node_id": node_id, "available_from_year": YEAR, "capacity_kva": capacity_kva,
            "note": note}  # fmt: skip
    with server.client(who) as client:
        answer = client.post("/grid/acknowledgements", json=body)
    assert answer.status_code == 201, answer.text


def _start_run(server: Server, who: str, body: dict[str, Any]) -> int:
    with server.client(who) as client:
        answer = client.post("/runs", json={"years": [YEAR], **body})
    assert answer.status_code == 202, answer.text
    return int(answer.json()["id"])


def _wait_done(server: Server, run_ids: list[int], timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    with server.client("admin") as client:
        while time.monotonic() < deadline:
            runs = [client.get(f"/runs/{run_id}").json() for run_id in run_ids]
            if all(run["status"] in ("done", "failed") for run in runs):
                assert all(run["status"] == "done" for run in runs), runs
                return
            time.sleep(0.3)
    raise AssertionError(f"runs {run_ids} not done within {timeout_s} s")


def _solve(server: Server, runs: dict[str, int]) -> None:
    worker = server.start_worker()
    try:
        _wait_done(server, list(runs.values()))
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def build_world(server: Server) -> World:
    """Principals, needs, maps, answers, runs; the Flanders-wide run published."""
    _make_principals(server)
    for organisation, rows in world_needs(server).items():
        answer = upload(server, organisation, _csv(rows))
        assert answer.status_code == 201, answer.text
    uploads, node_id = _upload_maps(server)
    _answer(server, "grid_a", node_id, "FLUVIUS: cabin works planned", ANSWERED_KVA["grid_a"])
    _answer(server, "grid_b", node_id, "OTHER-DSO: other works", ANSWERED_KVA["grid_b"])
    solved = {"all": _start_run(server, "planner", {})}
    _solve(server, solved)
    runs = {
        **solved,
        "leuven": _start_run(server, "planner_leuven", {}),
        "antwerpen": _start_run(server, "planner_antwerpen", {}),
    }
    with server.client("planner") as client:
        assert client.post(f"/runs/{runs['all']}/publish").status_code == 200
    return World(server, runs, uploads, node_id)


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    server = start_server(request.param, tmp_path_factory, CASE_SIZE)
    try:
        yield build_world(server)
    finally:
        stop_server(server)


# --- the rules, applied to the admin's view ----------------------------------------------------


def sees_submission(who: Who, submission: dict[str, Any]) -> bool:
    if who.role == "signatory":
        return bool(submission["organisation"] == who.organisation)
    if who.role == "planner" and who.regions is not None:
        return bool(set(submission["regions"]) & who.regions)
    return who.role in ("planner", "admin")


def sees_needs_row(who: Who, row: dict[str, Any]) -> bool:
    if who.role == "signatory":
        return bool(row["organisation"] == who.organisation)
    if who.role == "planner" and who.regions is not None:
        return row["vervoerregio_code"] in who.regions
    return who.role in ("planner", "admin")


def sees_run(who: Who, run: dict[str, Any]) -> bool:
    if who.role == "planner" and who.regions is not None:
        return run["regions"] is not None and set(run["regions"]) <= who.regions
    return who.role in ("planner", "admin")


def sees_operator_object(who: Who, item: dict[str, Any]) -> bool:
    if who.role == "grid_operator":
        return bool(item["operator"] == who.organisation)
    return who.role in ("planner", "admin")


def admin_view(world: World) -> dict[str, list[dict[str, Any]]]:
    """Every object, as the admin sees it (submissions with the regions of their rows).

    The only token in it is a throw-away user's, for the admin to revoke.
    """
    token = {"id": spare_token(world)}
    with world.client("admin") as client:
        submissions = client.get("/needs/submissions").json()
        for submission in submissions:
            detail = client.get(f"/needs/submissions/{submission['id']}").json()
            submission["regions"] = sorted({row["vervoerregio_code"] for row in detail["needs"]})
        return {
            "submission": submissions,
            "run": client.get("/runs").json(),
            "upload": client.get("/grid/uploads").json(),
            "acknowledgement": client.get("/grid/acknowledgements").json(),
            "user": client.get("/admin/users").json(),
            "token": [token],
            "needs_row": client.get("/needs").json(),
        }


RULES: dict[str, Callable[[Who, dict[str, Any]], bool]] = {
    "submission": sees_submission,
    "run": sees_run,
    "upload": sees_operator_object,
    "acknowledgement": sees_operator_object,
    "user": lambda who, _: who.role == "admin",
    "token": lambda who, _: who.role == "admin",
    "needs_row": sees_needs_row,
}
#: Path parameter → object kind.
ID_KINDS = {"submission_id": "submission", "run_id": "run", "user_id": "user", "token_id": "token"}
#: List operations → the kind of their items.
LIST_KINDS = {
    "/needs/submissions": "submission",
    "/runs": "run",
    "/grid/uploads": "upload",
    "/grid/acknowledgements": "acknowledgement",
    "/admin/users": "user",
    "/needs": "needs_row",
}


def key_of(item: dict[str, Any]) -> tuple[Any, ...]:
    """What identifies a listed item: its id, or a needs row's organisation, need and region."""
    if "id" in item:
        return (item["id"],)
    return (item["organisation"], item["need_id"], item["vervoerregio_code"])


# --- the walk ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    """One operation of the OpenAPI schema."""

    method: str
    path: str
    roles: frozenset[str] | None  # None: public

    @property
    def parameter(self) -> str | None:
        names = [part[1:-1] for part in self.path.split("/") if part.startswith("{")]
        return names[0] if names else None


def operations(world: World, failures: list[str]) -> list[Operation]:
    with world.client() as client:
        schema = client.get("/openapi.json").json()
    found: list[Operation] = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            roles = operation.get("x-roles")
            if operation.get("security") and roles is None:
                failures.append(f"{method.upper()} {path}: authenticated but no x-roles")
            found.append(Operation(method, path, None if roles is None else frozenset(roles)))
    return found


def _call(client: httpx.Client, operation: Operation, path: str) -> httpx.Response:
    if operation.method == "get":
        return client.get(path)
    # An invalid body: an operation without ids must refuse it, never store anything.
    return client.request(operation.method.upper(), path, json=[])


def _expect(
    failures: list[str], who: Who, operation: Operation, path: str, answer: httpx.Response,
    visible: bool,
) -> None:  # fmt: skip
    label = f"{who.key:18} {operation.method.upper():6} {path}: {answer.status_code}"
    code = answer.status_code
    if code >= 500 or code == 401:
        failures.append(f"{label} (never 5xx or 401 with a valid token)")
    elif operation.roles is not None and who.role not in operation.roles:
        if code != 403:
            failures.append(f"{label}, expected 403 for the role")
    elif not visible and code != 404:
        failures.append(f"{label}, expected 404: not the principal's")
    elif visible and code in (403, 404):
        failures.append(f"{label}, expected access to the principal's own object")


def spare_token(world: World) -> str:
    """A token of a throw-away user, for the admin to revoke."""
    with world.client("admin") as client:
        made = client.post("/admin/users", json={"organisation": "SPARE", "role": "signatory"})
    return str(made.json()["token"]["token_id"])


def object_ids(
    who: Who, kind: str, view: dict[str, list[dict[str, Any]]], admitted: bool
) -> list[tuple[str, bool]]:
    """(id, whether ``who`` may see it): every object of a kind, missing and malformed ids.

    A role the operation does not admit gets 403 whatever the id: one of each sort is tried.
    """
    own = [(str(item["id"]), RULES[kind](who, item)) for item in view[kind]]
    ids = [*own, *((i, False) for i in MISSING_IDS), *((i, False) for i in MALFORMED_IDS)]
    return ids if admitted else [own[0], ids[-1], ids[-2]]


def principals_for(operation: Operation) -> list[Who]:
    """Every principal of an admitted role; one per role the operation refuses (403 by role)."""
    chosen: list[Who] = []
    refused_roles: set[str] = set()
    for who in PRINCIPALS:
        if operation.roles is None or who.role in operation.roles:
            chosen.append(who)
        elif who.role not in refused_roles:
            refused_roles.add(who.role)
            chosen.append(who)
    return chosen


def walk_objects(
    world: World, operation: Operation, view: dict[str, list[dict[str, Any]]], failures: list[str]
) -> None:
    kind = ID_KINDS.get(str(operation.parameter))
    if kind is None:
        failures.append(f"{operation.path}: id {operation.parameter} unknown to this test")
        return
    for who in principals_for(operation):
        admitted = operation.roles is None or who.role in operation.roles
        with world.client(who.key) as client:
            for object_id, visible in object_ids(who, kind, view, admitted):
                path = operation.path.replace(f"{{{operation.parameter}}}", object_id)
                _expect(failures, who, operation, path, _call(client, operation, path), visible)


def walk(
    world: World, operation: Operation, view: dict[str, list[dict[str, Any]]], failures: list[str]
) -> None:
    """Call one operation as every principal and record what is not as the rules say."""
    if operation.parameter:
        walk_objects(world, operation, view, failures)
    else:
        walk_collection(world, operation, view, failures)


def walk_collection(
    world: World, operation: Operation, view: dict[str, list[dict[str, Any]]], failures: list[str]
) -> None:
    for who in principals_for(operation):
        with world.client(who.key) as client:
            answer = _call(client, operation, operation.path)
        _expect(failures, who, operation, operation.path, answer, True)
        kind = LIST_KINDS.get(operation.path)
        if operation.method == "get" and answer.status_code == 200 and kind is not None:
            expected = {key_of(item) for item in view[kind] if RULES[kind](who, item)}
            shown = {key_of(item) for item in answer.json()}
            if shown != expected:
                failures.append(f"{who.key} GET {operation.path}: ids {shown}, expected {expected}")


@pytest.mark.slow
def test_every_route_answers_404_or_403_outside_the_principals_scope(world: World) -> None:
    failures: list[str] = []
    view = admin_view(world)
    assert {s["organisation"] for s in view["submission"]} == {"ACME", "ACME/EU", "ANTW", "MIXED"}
    # public operations (health, public demand) hold no object of anyone's
    walked = [op for op in operations(world, failures) if op.roles is not None]
    with ThreadPoolExecutor(max_workers=4) as pool:  # failures.append is atomic
        list(pool.map(lambda op: walk(world, op, view, failures), walked))
    assert len(walked) >= 20, "the schema lost its operations"
    assert not failures, f"{len(failures)} authorisation failures:\n" + "\n".join(failures)


# --- regressions -------------------------------------------------------------------------------


def test_acme_and_acme_eu_see_only_their_own_needs_in_the_plan(world: World) -> None:
    with world.client("planner") as client:
        tables = client.get(f"/runs/{world.runs['all']}/results").json()["tables"]
    planned = tables["assignments"]["records"] + tables["unmet"]["records"]
    by_organisation = {org: {r["need_id"] for r in planned if r["organisation_id"] == org}
                       for org in ("ACME", "ACME/EU")}  # fmt: skip
    assert all(by_organisation.values()), "both organisations must be in the plan"
    assert not by_organisation["ACME"] & by_organisation["ACME/EU"]  # prefixed ids stay apart
    for organisation in ("ACME", "ACME/EU"):
        with world.client(organisation) as client:
            plan = client.get("/me/plan").json()
            listed = client.get("/needs/submissions").json()
        seen = {s["need_id"] for s in plan["served"]} | {u["need_id"] for u in plan["unmet"]}
        own = {need_id.split("/", 1)[1] for need_id in by_organisation[organisation]}
        assert plan["run_id"] == world.runs["all"]
        assert seen == own, organisation
        assert {s["organisation"] for s in listed} == {organisation}


def test_a_scoped_publish_replaces_no_other_regions_plan(world: World) -> None:
    leuven = world.runs["leuven"]  # refused for what it covers, whatever its state
    for who in ("planner_leuven", "planner"):
        with world.client(who) as client:
            refused = client.post(f"/runs/{leuven}/publish")
        assert refused.status_code == 409, refused.text
        assert f"run {leuven} covers vervoerregio's 7 only" in refused.json()["detail"]
        assert "every other vervoerregio" in refused.json()["detail"]
    with world.client("ANTW") as client:
        plan = client.get("/me/plan").json()
    with world.client() as client:
        public = client.get("/public/demand").json()
    assert plan["run_id"] == world.runs["all"] and plan["served"] + plan["unmet"]
    assert public["run_id"] == world.runs["all"]
    with world.client("planner_leuven") as client:
        assert client.get(f"/runs/{world.runs['all']}").status_code == 404
        assert client.post(f"/runs/{world.runs['all']}/publish").status_code == 404


def test_scoped_planners_see_only_their_regions_rows(world: World) -> None:
    mixed = world_needs(world.server)["MIXED"]
    cases = (
        ("planner_leuven", LEUVEN, len(mixed) - 1, {"ACME", "ACME/EU", "MIXED"}),
        ("planner_antwerpen", ANTWERPEN, 1, {"ANTW", "MIXED"}),
    )
    for who, region, rows, organisations in cases:
        with world.client(who) as client:
            listed = {s["organisation"]: s for s in client.get("/needs/submissions").json()}
            detail = client.get(f"/needs/submissions/{listed['MIXED']['id']}").json()
            current = client.get("/needs").json()
        assert listed.keys() == organisations == {row["organisation"] for row in current}
        assert listed["MIXED"]["rows"] == rows == len(detail["needs"])
        assert {row["vervoerregio_code"] for row in detail["needs"] + current} == {region}


def test_two_grid_operators_keep_their_maps_and_answers_apart(world: World) -> None:
    for who, other in (("grid_a", "grid_b"), ("grid_b", "grid_a")):
        with world.client(who) as client:
            maps = client.get("/grid/uploads").json()
            answers = client.get("/grid/acknowledgements").json()
            requests = client.get("/grid/requests").json()
        assert [m["id"] for m in maps] == [world.uploads[who]]  # not the other's map
        assert [a["capacity_kva"] for a in answers] == [ANSWERED_KVA[who]]  # nor its answer
        assert answers[0]["note"].startswith(answers[0]["operator"])
        assert ANSWERED_KVA[other] not in {a["capacity_kva"] for a in answers}
        attached = [r["acknowledgement"] for r in requests["records"] if r["acknowledgement"]]
        assert all(a["operator"] == answers[0]["operator"] for a in attached)
    with world.client("planner") as client:
        assert {m["id"] for m in client.get("/grid/uploads").json()} == set(world.uploads.values())
        assert len(client.get("/grid/acknowledgements").json()) == 2


def test_the_planner_chooses_the_map_that_feeds_a_run(world: World) -> None:
    inputs = {}
    with world.client("planner") as client:
        for key, body in (("reference", {}), *((k, {"grid_upload_id": i})
                                               for k, i in world.uploads.items())):  # fmt: skip
            run_id = _start_run(world.server, "planner", {"regions": [LEUVEN], **body})
            inputs[key] = client.get(f"/runs/{run_id}/inputs").json()["snapshot"]
        unknown = client.post("/runs", json={"years": [YEAR], "grid_upload_id": 999_999})
    reference = (world.server.case_dir / "grid.csv").read_text(encoding="utf-8-sig")
    assert inputs["reference"]["files"]["grid.csv"] == reference  # not the newest upload
    assert "OTHER-DSO cabin" in inputs["grid_b"]["files"]["grid.csv"]
    assert "OTHER-DSO cabin" not in inputs["grid_a"]["files"]["grid.csv"]
    for key in ("grid_a", "grid_b"):  # only the map owner's answer enters the run
        answers = [(a["node_id"], a["capacity_kva"]) for a in inputs[key]["acknowledgements"]]
        assert answers == [(world.node_id, ANSWERED_KVA[key])]
    assert unknown.status_code == 422 and "grid_upload_id 999999" in unknown.json()["detail"]


#: The dashboard's page and the Dash routes behind it (layout, callbacks' graph, a callback).
DASHBOARD_GETS = ("/dashboard/", "/dashboard/_dash-layout", "/dashboard/_dash-dependencies")


def test_the_dashboard_refuses_scoped_planners_and_other_roles(world: World) -> None:
    expected = {None: 401, "planner_leuven": 403, "grid_a": 403, "ACME": 403, "planner": 200}
    for who, code in expected.items():
        with world.client(who) as client:
            for path in DASHBOARD_GETS:  # every route behind the mount, not only the page
                assert client.get(path).status_code == code, (who, path)
            callback = client.post("/dashboard/_dash-update-component", json={})
        if code != 200:
            assert callback.status_code == code, who
            assert "Flanders" in callback.text or code == 401, callback.text


def test_a_scoped_planner_runs_only_within_its_regions(world: World) -> None:
    with world.client("admin") as client:
        before = {run["id"] for run in client.get("/runs").json()}
    with world.client("planner_leuven") as client:
        own = client.get(f"/runs/{world.runs['leuven']}").json()
        for asked in ([ANTWERPEN], [LEUVEN, ANTWERPEN]):
            refused = client.post("/runs", json={"years": [YEAR], "regions": asked})
            assert refused.status_code == 403, refused.text
            assert f"['{ANTWERPEN}'] are outside your scope" in refused.json()["detail"]
    assert own["regions"] == [LEUVEN]  # a run without regions covers the planner's scope
    with world.client("admin") as client:
        assert {run["id"] for run in client.get("/runs").json()} == before  # nothing queued
