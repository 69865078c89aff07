"""Hostile input against the real server on both databases: malformed workbooks, identifiers
that PostgreSQL used to refuse with a 500, empty and destructive uploads, security headers,
OPTIONS and 405 with ``Allow``, the login form's CSRF check and counted public reads."""

from __future__ import annotations

import io
import re

import httpx
import pandas as pd
import pytest
from sqlalchemy import create_engine, func, select

from service.models import AuditEntry
from tests._hostile_files import not_a_zip, truncated_workbook, zip_without_workbook
from tests._service_fixtures import BACKENDS, Server, service_server, upload

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="session", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Server:
    return service_server(request.param, tmp_path_factory)


def first_org(server: Server) -> str:
    counts = server.needs["organisation_id"].value_counts()
    return str(counts[counts >= 3].index.sort_values()[0])


def org_rows(server: Server, org: str) -> pd.DataFrame:
    return server.needs[server.needs["organisation_id"] == org].reset_index(drop=True)


def as_csv(rows: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    rows.to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")


def current_version(server: Server, org: str) -> int | None:
    with server.client(org) as client:
        versions = client.get("/needs/submissions").json()
    current = [v["version"] for v in versions if v["current"]]
    return current[0] if current else None


@pytest.mark.parametrize(
    ("content", "named"),
    [
        (not_a_zip(), "not a readable one"),
        (truncated_workbook(), "truncated or damaged"),
        (zip_without_workbook(), "no xl/workbook.xml"),
    ],
)
def test_malformed_workbooks_are_a_422_naming_the_problem(
    server: Server, content: bytes, named: str
) -> None:
    org = first_org(server)
    with server.client(org) as client:
        answer = client.post("/needs", files={"file": ("needs.xlsx", content, XLSX)})
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert named in detail["message"] and detail["source"] == "needs.xlsx"


@pytest.mark.parametrize(
    ("need_id", "problem"),
    [
        ("N" * 201, "is 201 characters long"),
        ("N-\x00-1", "invisible or control characters (\\u0000)"),
        ("N-\u200b-1", "invisible or control characters (\\u200b)"),
        ("N-\u202e-1", "invisible or control characters (\\u202e)"),
        ("ＮＥＥＤ-1", "full-width or other compatibility characters"),
    ],
)
def test_bad_identifiers_are_a_422_naming_row_column_value_on_both_databases(
    server: Server, need_id: str, problem: str
) -> None:
    org = first_org(server)
    rows = org_rows(server, org)
    rows.loc[1, "need_id"] = need_id
    before = current_version(server, org)
    for answer in (
        upload(server, org, as_csv(rows)),
        _post_rows(server, org, rows),
    ):
        assert answer.status_code == 422, answer.text
        issues = answer.json()["detail"]["issues"]
        found = [i for i in issues if i["column"] == "need_id" and problem in i["problem"]]
        assert len(found) == 1, issues
        assert found[0]["row"] == 3 and found[0]["value"]
    assert current_version(server, org) == before  # nothing stored


def _post_rows(server: Server, org: str, rows: pd.DataFrame) -> httpx.Response:
    with server.client(org) as client:
        return client.post("/needs/rows", json={"rows": rows.to_dict("records")})


def test_a_header_only_upload_is_refused_and_says_why(server: Server) -> None:
    org = first_org(server)
    header = ",".join(server.needs.columns).encode() + b"\n"
    before = current_version(server, org)
    answer = upload(server, org, header)
    assert answer.status_code == 422, answer.text
    assert "header but no rows" in answer.json()["detail"]["message"]
    with server.client(org) as client:
        empty_rows = client.post("/needs/rows", json={"rows": []})
    assert empty_rows.status_code == 422
    assert current_version(server, org) == before


def test_replacing_needs_by_a_much_smaller_version_needs_confirmation(server: Server) -> None:
    org = first_org(server)
    rows = org_rows(server, org)
    full = as_csv(rows)
    assert upload(server, org, full).status_code in (200, 201)
    kept = current_version(server, org)
    try:
        smaller = as_csv(rows.iloc[:1])
        refused = upload(server, org, smaller)
        assert refused.status_code == 409, refused.text
        assert f"would replace your current version of {len(rows)} row(s)" in refused.text
        assert "confirm_shrink=true" in refused.text
        assert current_version(server, org) == kept
        with server.client(org) as client:
            confirmed = client.post(
                "/needs",
                params={"confirm_shrink": "true"},
                files={"file": ("needs.csv", smaller, "text/csv")},
            )
        assert confirmed.status_code == 201, confirmed.text
        assert confirmed.json()["rows"] == 1
    finally:
        assert upload(server, org, full).status_code in (200, 201)  # as the other tests expect


def test_responses_carry_the_security_headers(server: Server) -> None:
    with server.client("planner") as client:
        for answer in (client.get("/health"), client.get("/needs"), client.get("/nowhere")):
            headers = answer.headers
            assert headers["x-content-type-options"] == "nosniff"
            assert headers["referrer-policy"] == "same-origin"
            assert headers["x-frame-options"] == "DENY"
            assert "frame-ancestors 'none'" in headers["content-security-policy"]
        page = client.get("/dashboard/")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "script-src 'self' 'sha256-" in policy and "unsafe-eval" not in policy


def test_options_and_unsupported_methods_answer_with_allow(server: Server) -> None:
    with server.client("planner") as client:
        options = client.options("/needs")
        wrong = client.delete("/needs")
        unknown = client.options("/no-such-path")
    assert options.status_code == 204
    assert options.headers["allow"] == "GET, HEAD, OPTIONS, POST"
    assert wrong.status_code == 405 and wrong.headers["allow"] == "GET, HEAD, OPTIONS, POST"
    assert unknown.status_code == 404


def test_the_login_form_refuses_cross_site_posts(server: Server) -> None:
    token = server.tokens["admin"]
    with server.client() as client:
        form = client.get("/dashboard-login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert csrf is not None
        set_cookie = form.headers["set-cookie"]
        assert "Secure" in set_cookie and "SameSite=strict" in set_cookie
        cookie = {"Cookie": f"laadplan_login_csrf={form.cookies['laadplan_login_csrf']}"}
        no_token = client.post("/dashboard-login", data={"token": token})
        foreign = client.post(
            "/dashboard-login",
            data={"token": token, "csrf": csrf.group(1)},
            headers={**cookie, "Origin": "https://evil.example"},
        )
        wrong = client.post(
            "/dashboard-login", data={"token": "guess", "csrf": csrf.group(1)}, headers=cookie
        )
        same = client.post(
            "/dashboard-login", data={"token": token, "csrf": csrf.group(1)}, headers=cookie
        )
    assert no_token.status_code == 403 and foreign.status_code == 403
    assert wrong.status_code == 401 and "laadplan_token" not in wrong.headers.get("set-cookie", "")
    assert "laadplan_token" not in no_token.headers.get("set-cookie", "")
    assert same.status_code == 303
    session_cookie = same.headers["set-cookie"]
    assert "laadplan_token=" in session_cookie
    assert all(flag in session_cookie for flag in ("Secure", "HttpOnly", "SameSite=strict"))


def test_anonymous_public_reads_are_counted_not_audited_one_by_one(server: Server) -> None:
    engine = create_engine(server.database_url)
    query = select(func.count()).select_from(AuditEntry).where(AuditEntry.target == "public/demand")
    try:
        with engine.connect() as connection:
            rows_before = connection.scalar(query) or 0
        with server.client() as client:
            counted_before = client.get("/health").json()["public_reads"].get("public/demand", 0)
            for _ in range(20):
                assert client.get("/public/demand").status_code == 200
            counted_after = client.get("/health").json()["public_reads"]["public/demand"]
        with engine.connect() as connection:
            rows_after = connection.scalar(query) or 0
    finally:
        engine.dispose()
    assert counted_after - counted_before == 20
    assert rows_after - rows_before <= 1  # at most one summary row a minute


def test_a_deeply_nested_json_capacity_map_is_a_422(server: Server) -> None:
    with server.client("grid") as client:
        answer = client.post(
            "/grid/uploads",
            files={"file": ("capacity.json", b"[" * 200_000, "application/json")},
        )
    assert answer.status_code == 422, answer.text
    assert "nested too deeply" in answer.json()["detail"]["message"]
