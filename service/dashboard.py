"""The Dash dashboard inside ``laadplan serve``, for planners and admins only.

The dashboard shows a whole case, every region's organisation-level rows included, so it is the
tool of planners of all of Flanders: :class:`DashboardGuard` admits a request only with the token
of an unscoped ``planner`` or an ``admin`` (:meth:`service.authorisation.Scope.may_open_dashboard`),
sent as ``Authorization: Bearer …`` or as the ``laadplan_token`` cookie that the small login
form at ``/dashboard-login`` sets. Without a valid token the answer is 401; a valid token of
another role, or of a planner scoped to vervoerregio's, gets 403. Neither reaches the app.

It is mounted when the service's case folder (``LAADPLAN_CASE_DIR``) holds a ``needs.csv``:
the dashboard reads a data folder, while the service keeps submitted needs in its database.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from typing import Annotated

from a2wsgi import WSGIMiddleware
from fastapi import APIRouter, FastAPI, Form
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from service.accounts import find_user_by_token
from service.authorisation import scope_of
from service.config import Settings
from service.db import transaction
from service.principal import principal_of

DASHBOARD_PATH = "/dashboard"
COOKIE = "laadplan_token"
REFUSALS = {
    401: "the dashboard is for planners and admins: log in at /dashboard-login",
    403: "the dashboard shows every vervoerregio: for planners of all of Flanders and admins only; "
    "planners scoped to vervoerregio's read their regions through the API",
}

router = APIRouter(include_in_schema=False)

LOGIN_FORM = """<!doctype html><title>laadplan — dashboard</title>
<form method="post" action="/dashboard-login">
<label>API token (planner or admin): <input name="token" type="password" size="50"></label>
<button type="submit">Open the dashboard</button></form>"""


@router.get("/dashboard-login", response_class=HTMLResponse)
def login_form() -> str:
    """A form asking for a token."""
    return LOGIN_FORM


@router.post("/dashboard-login")
def login(token: Annotated[str, Form()]) -> RedirectResponse:
    """Keep the token in an HTTP-only cookie for the dashboard's path and go there."""
    response = RedirectResponse(f"{DASHBOARD_PATH}/", status_code=303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path=DASHBOARD_PATH)
    return response


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
        """Pass the request on, or answer 401 (no valid token) or 403 (not allowed)."""
        if scope["type"] == "http":
            token = token_of(scope)
            code = 401 if token is None else await run_in_threadpool(self._refusal, token)
            if code is not None:
                text = REFUSALS[code]
                await PlainTextResponse(text, status_code=code)(scope, receive, send)
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
    app.mount(DASHBOARD_PATH, guarded)
    app.include_router(router)
    return True
