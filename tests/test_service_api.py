"""The HTTP API against the real server process, on SQLite and on PostgreSQL."""

from __future__ import annotations

import io
import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import openpyxl
import pandas as pd
import pytest

from planner.intake.needs import validate_needs_file
from tests._service_fixtures import (
    BACKENDS,
    TEST_UPLOAD_MB,
    K,
    Server,
    add_user_via_api,
    org_csv,
    service_server,
    upload,
    upload_all,
)


@pytest.fixture(scope="session", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Server:
    return service_server(request.param, tmp_path_factory)


def organisations(server: Server) -> list[str]:
    return sorted(server.needs["organisation_id"].unique())


def test_health_and_openapi(server: Server) -> None:
    with server.client() as client:
        health = client.get("/health").json()
        assert (health["status"], health["database"]) == ("ok", "ok")
        assert health["workers"]["supervised"] is False  # served with --workers 0
        paths = client.get("/openapi.json").json()["paths"]
    assert {"/needs", "/needs/rows", "/runs", "/grid/uploads", "/admin/users"} <= set(paths)


def test_no_token_is_401_and_wrong_role_is_403(server: Server) -> None:
    with server.client() as client:
        assert client.get("/needs").status_code == 401
    with server.client("grid") as client:
        assert client.get("/needs").status_code == 403
        assert client.post("/runs", json={}).status_code == 403


def test_upload_versions_and_idempotent_resubmission(server: Server) -> None:
    org = organisations(server)[0]
    content = org_csv(server, org)
    first = upload(server, org, content)
    assert first.status_code in (200, 201), first.text
    again = upload(server, org, content)
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"] and again.json()["created"] is False
    changed = content.replace(b"\n", b"\r\n")  # same rows, different bytes: a new version
    second = upload(server, org, changed)
    assert second.status_code == 201
    assert second.json()["version"] == first.json()["version"] + 1
    with server.client(org) as client:
        history = client.get("/needs/submissions").json()
    current = [s for s in history if s["current"]]
    assert [s["id"] for s in current] == [second.json()["id"]]
    older = next(s for s in history if s["id"] == first.json()["id"])
    assert older["current"] is False and older["superseded_at"] is not None


def test_bad_rows_give_422_with_the_messages_of_validate(server: Server, tmp_path: Path) -> None:
    org = organisations(server)[1]
    rows = server.needs[server.needs["organisation_id"] == org].copy()
    rows.loc[rows.index[0], "vehicle_category"] = "N2HH"
    rows.loc[rows.index[-1], "daily_km"] = "2000"
    path = tmp_path / "needs.csv"
    rows.to_csv(path, index=False)
    with server.client(org) as client:
        before = client.get("/needs/submissions").json()
        answer = client.post("/needs", files={"file": ("needs.csv", path.read_bytes())})
        after = client.get("/needs/submissions").json()
    assert answer.status_code == 422
    _, report = validate_needs_file(path)
    detail = answer.json()["detail"]
    assert [i["message"] for i in detail["issues"]] == [i.message() for i in report.sorted_issues()]
    assert detail["message"] == report.format()
    assert {i["row"] for i in detail["issues"]} == {2, len(rows) + 1}
    assert after == before  # nothing stored


def test_json_rows_are_validated_and_stored(server: Server) -> None:
    org = organisations(server)[2]
    records = server.needs[server.needs["organisation_id"] == org].to_dict("records")
    for record in records:
        record["organisation_id"] = ""  # filled with the caller's organisation
    with server.client(org) as client:
        bad = [{**records[0], "fuel": "diesl"}, *records[1:]]
        refused = client.post("/needs/rows", json={"rows": bad})
        stored = client.post("/needs/rows", json={"rows": records})
        own = client.get("/needs").json()
    assert refused.status_code == 422
    issue = refused.json()["detail"]["issues"][0]
    assert (issue["row"], issue["column"], issue["suggestion"]) == (2, "fuel", "diesel")
    assert stored.status_code in (200, 201) and stored.json()["rows"] == len(records)
    assert {row["organisation"] for row in own} == {org}
    assert len(own) == len(records)


def test_rows_of_another_organisation_are_refused(server: Server) -> None:
    mine, other = organisations(server)[:2]
    answer = upload(server, mine, org_csv(server, other))
    assert answer.status_code == 422
    problems = {(i["column"], i["problem"]) for i in answer.json()["detail"]["issues"]}
    assert problems == {("organisation_id", "is not your organisation")}


def test_semicolon_file_with_decimal_commas_is_read(server: Server) -> None:
    org = organisations(server)[3]
    rows = server.needs[server.needs["organisation_id"] == org].copy()
    rows["lat"] = rows["lat"].str.replace(".", ",", regex=False)
    buffer = io.StringIO()
    rows.to_csv(buffer, index=False, sep=";")
    answer = upload(server, org, buffer.getvalue().encode("utf-8-sig"))
    assert answer.status_code in (200, 201), answer.text
    with server.client(org) as client:
        stored = client.get(f"/needs/submissions/{answer.json()['id']}").json()
    assert stored["needs"][0]["lat"] == rows.iloc[0]["lat"].replace(",", ".")


def test_unreadable_and_oversized_uploads_are_refused_clearly(server: Server) -> None:
    org = organisations(server)[0]
    garbled = "need_id,organisation_id,sector\nA,B,café\n".encode("latin-1") + b"\x81"
    answer = upload(server, org, garbled)
    assert answer.status_code == 422
    assert "neither UTF-8 nor Windows-1252" in answer.json()["detail"]["message"]
    assert "laadplan-upload" not in answer.json()["detail"]["message"]  # no server path
    huge = b"x" * (TEST_UPLOAD_MB * 1024 * 1024 + 10)
    assert upload(server, org, huge).status_code == 413


def test_belgian_excel_csv_is_stored_canonical_with_its_warnings(server: Server) -> None:
    org = organisations(server)[5]
    rows = server.needs[server.needs["organisation_id"] == org].copy()
    rows["fuel"] = rows["fuel"].str.capitalize()
    rows["dwell_start"] = rows["dwell_start"] + ":00"
    rows["lat"] = rows["lat"].str.replace(".", ",", regex=False)
    rows["sector"] = "bouw — é"
    buffer = io.StringIO()
    rows.to_csv(buffer, index=False, sep=";", lineterminator="\r\n")
    content = buffer.getvalue().encode("cp1252") + b";" * (len(rows.columns) - 1) + b"\r\n"
    answer = upload(server, org, content)
    assert answer.status_code in (200, 201), answer.text
    warnings = [w["message"] for w in answer.json()["warnings"]]
    assert any("read as Windows-1252" in message for message in warnings)
    assert any(message.startswith("column 'dwell_start': '") for message in warnings)
    with server.client(org) as client:
        stored = client.get(f"/needs/submissions/{answer.json()['id']}").json()["needs"]
    assert len(stored) == len(rows)
    assert stored[0]["dwell_start"] == rows.iloc[0]["dwell_start"][:5]
    assert stored[0]["fuel"] == rows.iloc[0]["fuel"].lower()
    assert stored[0]["sector"] == "bouw — é"


def test_the_template_downloads_and_uploads_filled_in(server: Server) -> None:
    org = organisations(server)[6]
    rows = server.needs[server.needs["organisation_id"] == org]
    with server.client() as client:
        template = client.get("/templates/needs.xlsx")
        csv_template = client.get("/templates/needs.csv")
        unknown = client.get("/templates/needs.ods")
    assert template.status_code == 200 and csv_template.status_code == 200
    assert csv_template.content.decode("utf-8-sig").startswith("need_id;organisation_id;")
    assert unknown.status_code == 404  # no such template: a path that names nothing is a 404
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    sheet = book["needs"]
    header = [cell.value for cell in sheet[1]]
    for row_number, record in enumerate(rows.to_dict("records"), start=2):
        for column_number, column in enumerate(header, start=1):
            sheet.cell(row_number, column_number, record.get(column) or None)
    buffer = io.BytesIO()
    book.save(buffer)
    answer = upload(server, org, buffer.getvalue(), name="needs.xlsx")
    assert answer.status_code in (200, 201), answer.text
    assert answer.json()["rows"] == len(rows)


def test_xlsx_upload(server: Server) -> None:
    org = organisations(server)[4]
    rows = server.needs[server.needs["organisation_id"] == org]
    buffer = io.BytesIO()
    rows.to_excel(buffer, index=False)
    answer = upload(server, org, buffer.getvalue(), name="needs.xlsx")
    assert answer.status_code in (200, 201), answer.text
    assert answer.json()["source_format"] == "xlsx" and answer.json()["rows"] == len(rows)


def test_grid_uploads_validate_every_row(server: Server) -> None:
    grid = (server.case_dir / "grid.csv").read_bytes()
    with server.client("grid") as client:
        stored = client.post("/grid/uploads", files={"file": ("grid.csv", grid)})
        broken = grid.replace(b"mv_cabin", b"mv_cabine", 2)
        refused = client.post("/grid/uploads", files={"file": ("grid.csv", broken)})
        listed = client.get("/grid/uploads").json()
    assert stored.status_code == 201, stored.text
    assert stored.json()["nodes"] == grid.count(b"\n") - 1
    assert refused.status_code == 422
    issues = refused.json()["detail"]["issues"]
    assert len(issues) == 2 and all(i["column"] == "level" for i in issues)
    assert listed[0]["id"] == stored.json()["id"]


def test_fifty_parallel_uploads_from_fifty_organisations_lose_nothing(server: Server) -> None:
    template = server.needs[server.needs["organisation_id"] == organisations(server)[0]]
    tag = f"PAR-{server.backend}-{int(time.time())}"
    orgs = [f"{tag}-{n:02d}" for n in range(50)]
    tokens = {org: add_user_via_api(server, org, "signatory") for org in orgs}
    for org, token in tokens.items():
        server.tokens[org] = token

    def send(org: str) -> int:
        rows = template.assign(organisation_id=org)
        buffer = io.StringIO()
        rows.to_csv(buffer, index=False)
        return upload(server, org, buffer.getvalue().encode()).status_code

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=50) as pool:
        codes = list(pool.map(send, orgs))
    elapsed_s = time.perf_counter() - started
    assert codes == [201] * 50, codes
    with server.client("admin") as client:
        submissions = client.get("/needs/submissions").json()
    ours = [s for s in submissions if s["organisation"].startswith(tag)]
    assert sorted(s["organisation"] for s in ours) == orgs
    assert all(s["version"] == 1 and s["rows"] == len(template) for s in ours)
    print(f"50 parallel uploads on {server.backend}: {elapsed_s:.1f} s")


def test_admin_tokens_can_be_revoked(server: Server) -> None:
    token = add_user_via_api(server, "REVOKE-ME", "signatory")
    with server.client("admin") as admin:
        users = admin.get("/admin/users").json()
        user = next(u for u in users if u["organisation"] == "REVOKE-ME")
        extra = admin.post(f"/admin/users/{user['id']}/tokens").json()
        assert admin.delete(f"/admin/tokens/{extra['token_id']}").status_code == 204
        audit = admin.get("/admin/audit", params={"limit": 50}).json()
    with server.client() as client:
        revoked = client.get("/needs", headers={"Authorization": f"Bearer {extra['token']}"})
        still = client.get("/needs", headers={"Authorization": f"Bearer {token}"})
    assert revoked.status_code == 401 and still.status_code == 200
    assert any(entry["target"] == f"admin/tokens/{extra['token_id']}/revoke" for entry in audit)


def test_public_and_grid_aggregates_hold_k_organisations(server: Server) -> None:
    upload_all(server)
    with server.client() as client:
        public = client.get("/public/demand").json()
    assert all(row["organisations"] >= K for row in public["records"])
    assert json.dumps(public).count("organisation_id") == 0
    assert pd.DataFrame(public["records"]).empty or public["k_anonymity"] == K


def test_the_dashboard_is_served_to_planners_and_admins_only(server: Server) -> None:
    signatory = sorted(server.needs["organisation_id"].unique())[0]
    refusals = {None: 401, "grid": 403, signatory: 403, "planner_other": 403}
    for who, code in refusals.items():
        with server.client(who) as client:
            answer = client.get("/dashboard/")
            assert answer.status_code == code, who
            assert "planners" in answer.text and "admins" in answer.text
    with server.client("planner") as client:
        page = client.get("/dashboard/")
        assert page.status_code == 200
        scripts = re.findall(r'src="(/dashboard/_dash-component-suites/[^"]+)"', page.text)
        assert scripts, "the page loads its scripts through the mount"
        assert client.get(scripts[0]).status_code == 200
        layout = client.get("/dashboard/_dash-layout")
        assert layout.status_code == 200
        assert "nav-overview" in layout.text
    with httpx.Client(base_url=server.url, follow_redirects=False) as browser:
        form = browser.get("/dashboard-login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert csrf is not None
        login = browser.post(
            "/dashboard-login",
            data={"token": server.tokens["admin"], "csrf": csrf.group(1)},
            headers={"Cookie": f"laadplan_login_csrf={form.cookies['laadplan_login_csrf']}"},
        )
        assert login.status_code == 303
        assert login.headers["location"] == "/dashboard/"
        cookie = login.cookies["laadplan_token"]  # Secure: a browser sends it on localhost only
        page = browser.get("/dashboard/", headers={"Cookie": f"laadplan_token={cookie}"})
        assert page.status_code == 200  # the cookie carries the token
