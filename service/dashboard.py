"""The Dash dashboard inside ``laadplan serve``, for planners and admins only.

The dashboard shows a whole case, organisation-level rows included, so it is a planner's tool:
:class:`DashboardGuard` admits a request only with the token of a ``planner`` or ``admin`` user,
sent as ``Authorization: Bearer …`` or as the ``laadplan_token`` cookie that the small login
form at ``/dashboard-login`` sets (``Secure``, ``HttpOnly``, ``SameSite=Strict``; the form
carries a CSRF token, checks the token before setting the cookie, and counts failures like the
API does). Everyone else gets 401 and never reaches the app.

It is mounted when the service's case folder (``LAADPLAN_CASE_DIR``) holds a ``needs.csv``:
the dashboard reads a data folder, while the service keeps submitted needs in its database.
"""

from __future__ import annotations

import html
from http.cookies import SimpleCookie
from typing import Annotated

from a2wsgi import WSGIMiddleware
from fastapi import APIRouter, FastAPI, Form, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from service.accounts import find_user_by_token
from service.config import Settings
from service.db import transaction
from service.models import Role
from service.principal import (
    client_address,
    record_auth_failure,
    refuse_if_limited,
    sessions_of,
    settings_of,
)
from service.security import csrf_ok, dashboard_csp, new_csrf_token, same_origin

DASHBOARD_PATH = "/dashboard"
COOKIE = "laadplan_token"
ALLOWED_ROLES = frozenset({Role.PLANNER.value, Role.ADMIN.value})

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
        return _login_page(request, "not the token of a planner or admin", 401)
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
        return user is not None and user.role in ALLOWED_ROLES


class DashboardGuard:
    """An ASGI wrapper admitting only planner and admin tokens.

    Parameters
    ----------
    app
        The dashboard (as ASGI).
    sessions
        The service's database sessions, to look the token up.
    """

    def __init__(self, app: ASGIApp, sessions: sessionmaker[Session]) -> None:
        self.app = app
        self.sessions = sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, or answer 401."""
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
            allowed = token is not None and await run_in_threadpool(self._allowed, token)
            if not allowed:
                if token is not None:
                    target = f"{scope['method']} {scope['path']}"
                    await run_in_threadpool(record_auth_failure, request, client, target)
                text = "the dashboard is for planners and admins: log in at /dashboard-login"
                await PlainTextResponse(text, status_code=401)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _allowed(self, token: str) -> bool:
        return _allowed_token(self.sessions, token)


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


def mount_dashboard(app: FastAPI, settings: Settings, sessions: sessionmaker[Session]) -> bool:
    """Mount the guarded dashboard on ``/dashboard`` when the case folder has needs.

    Returns
    -------
    bool
        Whether it was mounted.
    """
    if not (settings.case_dir / "needs.csv").is_file():
        return False
    from dashboards.app import create_app as create_dashboard

    results = settings.case_dir / "results"
    dashboard = create_dashboard(
        settings.case_dir,
        results if results.is_dir() else None,
        url_prefix=f"{DASHBOARD_PATH}/",
    )
    guarded = DashboardGuard(WSGIMiddleware(dashboard.server), sessions)  # type: ignore[arg-type]
    # Dash adds the inline script of its clientside callbacks when it first renders its page:
    # render it once now, so that the first page served is already covered by the policy.
    dashboard.server.test_client().get("/")
    app.state.dashboard_csp = lambda: dashboard_csp(dashboard.csp_hashes())
    app.mount(DASHBOARD_PATH, guarded)
    app.include_router(router)
    return True
