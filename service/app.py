"""The FastAPI application: ``create_app(settings)``; OpenAPI at ``/openapi.json``.

``make_asgi(settings)`` wraps it with the upload cap. The Dash dashboard is mounted under
``/dashboard`` for planners and admins when the case folder has a ``needs.csv``
(:mod:`service.dashboard`).
"""

from __future__ import annotations

import logging
from functools import partial

from fastapi import FastAPI
from starlette.types import ASGIApp

from service.authorisation import document_roles, install_path_id_handler
from service.config import Settings
from service.dashboard import DASHBOARD_PATH, mount_dashboard
from service.db import make_engine, make_session_factory
from service.limits import UploadLimit
from service.openapi import complete_openapi
from service.routes import admin, grid, needs, public, runs, templates
from service.security import AuthFailureLimiter, PublicReadCounter, SecurityHeaders
from service.supervisor import WorkerSupervisor

LOGGER = logging.getLogger("laadplan")

DESCRIPTION = """
Charging-needs intake, planning runs and grid-capacity exchange for the Flemish zero-emission
zones for city logistics (ZES). Bearer tokens carry one role: `signatory` (own needs only),
`planner` (needs and runs in its vervoerregio's), `grid_operator` (its own capacity maps and
answers, k-anonymous demand and requests) or `admin`; `x-roles` lists the roles of each
operation. Another organisation's or another region's data answers 404, like a missing or
malformed id.
"""


def create_app(settings: Settings, supervisor: WorkerSupervisor | None = None) -> FastAPI:
    """The API with its database sessions; the schema must be migrated (``service.db.upgrade``).

    ``supervisor`` is the one of ``laadplan serve``'s workers, reported by ``/health``.
    """
    app = FastAPI(title="laadplan", version="0.1.0", description=DESCRIPTION)
    engine = make_engine(settings.database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_session_factory(engine)
    app.state.supervisor = supervisor
    app.state.auth_limiter = AuthFailureLimiter(settings.auth_failures_per_minute)
    app.state.public_reads = PublicReadCounter()
    app.state.dashboard_csp = None
    for module in (public, needs, runs, grid, admin, templates):
        document_roles(module.router)
        app.include_router(module.router)
    install_path_id_handler(app)
    mount_dashboard(app, settings, app.state.sessions)
    LOGGER.info("dashboard of the published run at %s/ (planners and admins)", DASHBOARD_PATH)
    app.add_middleware(
        SecurityHeaders,
        routes_of=app,
        dashboard_prefix=DASHBOARD_PATH,
        dashboard_policy=lambda: app.state.dashboard_csp() if app.state.dashboard_csp else None,
    )
    app.openapi = partial(complete_openapi, app)  # type: ignore[method-assign]
    return app


def make_asgi(settings: Settings, supervisor: WorkerSupervisor | None = None) -> ASGIApp:
    """The served application: the API behind the upload cap."""
    return UploadLimit(create_app(settings, supervisor), settings.max_upload_bytes)
