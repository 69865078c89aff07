"""The Dash dashboard inside ``laadplan serve``, for planners and admins only.

The dashboard shows a whole case, every region's organisation-level rows included, so it is the
tool of planners of all of Flanders: :class:`DashboardGuard` admits a request only with the token
of an unscoped ``planner`` or an ``admin`` (:meth:`service.authorisation.Scope.may_open_dashboard`),
sent as ``Authorization: Bearer …`` or as the ``laadplan_token`` cookie that the small login
form at ``/dashboard-login`` sets (``Secure``, ``HttpOnly``, ``SameSite=Strict``; the form
carries a CSRF token, checks the token before setting the cookie, and counts failures like the
API does). Without a valid token the answer is 401; a valid token of another role, or of a
planner scoped to vervoerregio's, gets 403. Neither reaches the app.

It shows what the database holds, so the API and the dashboard agree: the case and plan of
the published run (:class:`PublishedRunStore`; before any run is published, the newest finished
run; before any run at all, the reference case folder when it holds a ``needs.csv``), and every
finished run as a plan to choose (:class:`DatabaseRuns`).  A planner limited to some
vervoerregio's does not see whole runs here; the API serves it its scope.
"""

from __future__ import annotations

import html
import math
import threading
import time
from collections.abc import Callable
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Annotated, Any, TypeVar

import pandas as pd
from a2wsgi import WSGIMiddleware
from fastapi import APIRouter, FastAPI, Form, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from dashboards.app import create_app as create_dashboard
from dashboards.plan_data import PLAN_TABLE_FILES, PlanOutputs, make_outputs
from dashboards.store import CaseStore
from planner.workflows.datafolder import resolve_data_folder
from service.accounts import find_user_by_token
from service.authorisation import scope_of
from service.config import Settings
from service.db import transaction
from service.models import PlanningRun, RunResult, RunStatus
from service.principal import (
    client_address,
    principal_of,
    record_auth_failure,
    refuse_if_limited,
    sessions_of,
    settings_of,
)
from service.security import csrf_ok, dashboard_csp, new_csrf_token, same_origin

T = TypeVar("T")

DASHBOARD_PATH = "/dashboard"
COOKIE = "laadplan_token"
REFUSALS = {
    401: "the dashboard is for planners and admins: log in at /dashboard-login",
    403: "the dashboard shows every vervoerregio: for planners of all of Flanders and admins only; "
    "planners scoped to vervoerregio's read their regions through the API",
}

router = APIRouter(include_in_schema=False)

CSRF_COOKIE = "laadplan_login_csrf"
LOGIN_PATH = "/dashboard-login"
#: Longest token the login form takes (tokens are 43 URL-safe characters).
MAX_TOKEN_CHARS = 200
LOGIN_FORM = """<!doctype html><title>laadplan — dashboard</title>{message}
<form method="post" action="/dashboard-login">
<input type="hidden" name="csrf" value="{csrf}">
<label>API token (planner or admin): <input name="token" type="password" size="50"
 maxlength="200" autocomplete="off"></label>
<button type="submit">Open the dashboard</button></form>"""


def _login_page(request: Request, message: str = "", status_code: int = 200) -> HTMLResponse:
    csrf = new_csrf_token()
    shown = f"<p role=alert>{html.escape(message)}</p>" if message else ""
    page = HTMLResponse(LOGIN_FORM.format(message=shown, csrf=csrf), status_code=status_code)
    page.set_cookie(
        CSRF_COOKIE, csrf, httponly=True, samesite="strict", path=LOGIN_PATH,
        secure=settings_of(request).secure_cookies,
    )  # fmt: skip
    return page


@router.get(LOGIN_PATH, response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    """A form asking for a token, with its CSRF token (also set as a cookie)."""
    return _login_page(request)


@router.post(LOGIN_PATH, response_model=None)
def login(
    request: Request,
    token: Annotated[str, Form(max_length=MAX_TOKEN_CHARS)] = "",
    csrf: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Check the CSRF token and the API token; keep the token in a cookie for the dashboard.

    A cross-site post (no matching CSRF cookie, or a foreign ``Origin``) gets 403; an unknown
    token or another role 401, counted and audited like any failed authentication.
    """
    headers = {key.lower(): value for key, value in request.headers.items()}
    if not csrf_ok(csrf, request.cookies.get(CSRF_COOKIE)) or not same_origin(headers):
        return _login_page(request, "the form expired or came from another site", 403)
    client = client_address(request)
    refuse_if_limited(request, client)
    if not _allowed_token(sessions_of(request), token):
        record_auth_failure(request, client, f"POST {LOGIN_PATH}")
        return _login_page(request, "not the token of a planner of all Flanders or an admin", 401)
    response = RedirectResponse(f"{DASHBOARD_PATH}/", status_code=303)
    response.set_cookie(
        COOKIE, token, httponly=True, samesite="strict", path=DASHBOARD_PATH,
        secure=settings_of(request).secure_cookies,
    )  # fmt: skip
    response.delete_cookie(CSRF_COOKIE, path=LOGIN_PATH)
    return response


def _allowed_token(sessions: sessionmaker[Session], token: str) -> bool:
    if not token:
        return False
    with transaction(sessions) as session:
        user = find_user_by_token(session, token)
        return user is not None and scope_of(principal_of(user)).may_open_dashboard()


class DashboardGuard:
    """An ASGI wrapper admitting only planner and admin tokens.

    Parameters
    ----------
    app
        The dashboard (as ASGI).
    sessions
        The service's database sessions, to look the token up.
    """

    def __init__(
        self, app: ASGIApp, sessions: sessionmaker[Session], store: PublishedRunStore | None = None
    ) -> None:
        self.app = app
        self.sessions = sessions
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, or answer 401 (no valid token) or 403 (not allowed)."""
        if scope["type"] == "http":
            request = Request(scope)
            client = client_address(request)
            token = token_of(scope)
            try:
                refuse_if_limited(request, client)
            except HTTPException as exc:
                text, headers = str(exc.detail), exc.headers
                await PlainTextResponse(text, exc.status_code, headers)(scope, receive, send)
                return
            code = 401 if token is None else await run_in_threadpool(self._refusal, token)
            if code is not None:
                if token is not None and code == 401:
                    target = f"{scope['method']} {scope['path']}"
                    await run_in_threadpool(record_auth_failure, request, client, target)
                text = REFUSALS[code]
                await PlainTextResponse(text, status_code=code)(scope, receive, send)
                return
            if self.store is not None and not await run_in_threadpool(self.store.has_case):
                text = "no finished run to show yet: start one with POST /runs"
                await PlainTextResponse(text, status_code=404)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _refusal(self, token: str) -> int | None:
        with transaction(self.sessions) as session:
            user = find_user_by_token(session, token)
            if user is None:
                return 401
            return None if scope_of(principal_of(user)).may_open_dashboard() else 403


def token_of(scope: Scope) -> str | None:
    """The bearer token of a request, from its Authorization header or its cookie."""
    headers = {
        key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope["headers"]
    }
    authorization = headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        return authorization[7:].strip() or None
    cookie = SimpleCookie(headers.get("cookie", ""))
    return cookie[COOKIE].value if COOKIE in cookie else None


def mount_dashboard(app: FastAPI, settings: Settings, sessions: sessionmaker[Session]) -> None:
    """Mount the guarded dashboard of the database's runs on ``/dashboard``."""
    store = PublishedRunStore(settings, sessions)
    dashboard = create_dashboard(
        settings.case_dir,
        url_prefix=f"{DASHBOARD_PATH}/",
        store=store,
        runs=DatabaseRuns(sessions),
    )
    guarded = DashboardGuard(WSGIMiddleware(dashboard.server), sessions, store)  # type: ignore[arg-type]
    # Dash adds the inline script of its clientside callbacks when it first renders its page:
    # render it once now, so that the first page served is already covered by the policy.
    dashboard.server.test_client().get("/")
    app.state.dashboard_csp = lambda: dashboard_csp(dashboard.csp_hashes())
    app.mount(DASHBOARD_PATH, guarded)
    app.include_router(router)


#: Columns read as text in a run's result tables.
TEXT_COLUMNS = ("site_id", "need_id", "node_id", "nis_code", "organisation_id", "grid_node_id")


def outputs_of_run(run_id: int, tables: dict[str, Any]) -> PlanOutputs:
    """A finished run's result tables as the dashboard's :class:`PlanOutputs`."""
    years = (tables.get("summary") or {}).get("years", [])
    summaries = {int(item["year"]): dict(item) for item in years}
    frames = {name: _frame(tables.get(name)) for name in PLAN_TABLE_FILES}
    return make_outputs(summaries, frames, f"run {run_id}")


def _frame(content: dict[str, Any] | None) -> pd.DataFrame:
    if not content or not content.get("columns"):
        return pd.DataFrame({"year": pd.Series(dtype="int64")})
    frame = pd.DataFrame(content["records"], columns=content["columns"])
    for column in TEXT_COLUMNS:
        if column in frame.columns:
            frame[column] = frame[column].fillna("").astype(str)
    return frame


class DatabaseRuns:
    """The service's finished runs as plans for the dashboard (a run catalogue).

    Parameters
    ----------
    sessions
        The service's database sessions.
    """

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def runs(self) -> list[tuple[str, str]]:
        """(run id, label) of every finished run, newest first; the published one says so."""
        with transaction(self.sessions) as session:
            rows = session.execute(
                select(PlanningRun.id, PlanningRun.published_at, PlanningRun.regions)
                .where(PlanningRun.status == RunStatus.DONE.value)
                .order_by(PlanningRun.id.desc())
            ).all()
        return [
            (str(run_id), _run_label(run_id, published, regions))
            for run_id, published, regions in rows
        ]

    def plan(self, key: str) -> PlanOutputs | None:
        """The plan of a finished run, or ``None``."""
        if not key.isdigit():
            return None
        with transaction(self.sessions) as session:
            run = session.get(PlanningRun, int(key))
            if run is None or run.status != RunStatus.DONE.value:
                return None
            found = session.scalars(select(RunResult).where(RunResult.run_id == run.id)).all()
            tables = {result.name: result.content for result in found}
        return outputs_of_run(int(key), tables)


def _run_label(run_id: int, published: Any, regions: list[str] | None) -> str:
    scope = "all Flanders" if not regions else "vervoerregio " + ", ".join(regions)
    return f"run {run_id} ({scope})" + (" — published" if published is not None else "")


def shown_run(session: Session) -> PlanningRun | None:
    """The run the dashboard shows: the published one, else the newest finished one."""
    published = session.scalars(
        select(PlanningRun)
        .where(PlanningRun.published_at.is_not(None))
        .order_by(PlanningRun.published_at.desc(), PlanningRun.id.desc())
        .limit(1)
    ).first()
    if published is not None:
        return published
    return session.scalars(
        select(PlanningRun)
        .where(PlanningRun.status == RunStatus.DONE.value)
        .order_by(PlanningRun.id.desc())
        .limit(1)
    ).first()


def _existing_folder(settings: Settings) -> Path:
    """The reference case folder, or an empty folder when it does not exist (yet)."""
    if settings.case_dir.is_dir():
        return settings.case_dir
    empty = settings.data_dir / "dashboard" / "no-case"
    empty.mkdir(parents=True, exist_ok=True)
    return empty


class PublishedRunStore(CaseStore):
    """The dashboard's case and plan: those of the run :func:`shown_run` picks, from the database.

    The run's frozen input files are written once to ``DATA_DIR/dashboard/run-ID`` and read
    from there like any case folder; its plan comes from its result tables.  Every
    ``check_every_s`` the store looks whether another run is to be shown and then starts
    afresh.  Before any run has finished it shows the reference case folder (when that holds a
    ``needs.csv``).

    Parameters
    ----------
    settings
        The service's settings (data and case folders).
    sessions
        The service's database sessions.
    check_every_s
        How often to look for a newly published run, s.
    """

    def __init__(
        self, settings: Settings, sessions: sessionmaker[Session], check_every_s: float = 2.0
    ) -> None:
        super().__init__(_existing_folder(settings), None)
        self.settings = settings
        self.sessions = sessions
        self.check_every_s = check_every_s
        self.run_id: int | None = None
        self._checked_at = -math.inf
        self._follow_lock = threading.Lock()

    def has_case(self) -> bool:
        """Whether there is anything to show (a finished run, or needs in the case folder)."""
        self.follow()
        return self.run_id is not None or self.folder.needs is not None

    def _once(self, key: str, build: Callable[[], T]) -> T:
        self.follow()
        value: T = super()._once(key, build)
        return value

    def follow(self) -> None:
        """Switch to the run to show when it changed (looked up every ``check_every_s``)."""
        with self._follow_lock:
            now = time.monotonic()
            if now - self._checked_at < self.check_every_s:
                return
            self._checked_at = now
            with transaction(self.sessions) as session:
                run = shown_run(session)
                found = None if run is None else (run.id, run.input_snapshot)
            if found is None or found[0] == self.run_id:
                return
            folder = self._write_inputs(*found)
        with self._lock:
            self.data_dir = folder
            self.folder = resolve_data_folder(folder)
            self.run_id = found[0]
            self._cache.clear()

    def _write_inputs(self, run_id: int, snapshot: dict[str, Any]) -> Path:
        folder = self.settings.data_dir / "dashboard" / f"run-{run_id}"
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in snapshot["files"].items():
            path = folder / name
            if not path.is_file():
                path.write_text(text, encoding="utf-8")
        return folder

    @property
    def plan(self) -> PlanOutputs | None:
        """The shown run's plan (``None`` before any run has finished)."""
        return self._once("plan", self._run_plan)

    def _run_plan(self) -> PlanOutputs | None:
        return None if self.run_id is None else DatabaseRuns(self.sessions).plan(str(self.run_id))
