"""Who is calling: the bearer token's user, role and scope, as FastAPI dependencies."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from service.accounts import find_user_by_token
from service.config import Settings
from service.db import transaction
from service.models import AuditEntry, Role, User
from service.security import AuthFailureLimiter

LOGGER = logging.getLogger("laadplan")
#: Audit action of a failed authentication.
AUTH_FAILURE = "auth-fail"

BEARER = HTTPBearer(auto_error=False, description="an API token from `laadplan users add`")


@dataclass(frozen=True)
class Principal:
    """The authenticated caller.

    Attributes
    ----------
    user_id, organisation_id, organisation_code
        The user and their organisation.
    role
        The user's role.
    regions
        Vervoerregio codes a planner is limited to; ``None`` = all of Flanders.
    """

    user_id: int
    organisation_id: int
    organisation_code: str
    role: Role
    regions: tuple[str, ...] | None = None


def principal_of(user: User) -> Principal:
    """The principal of an active user."""
    regions = tuple(user.regions) if user.regions else None
    code = user.organisation.code
    return Principal(user.id, user.organisation_id, code, Role(user.role), regions)


def sessions_of(request: Request) -> sessionmaker[Session]:
    """The app's session factory."""
    factory: sessionmaker[Session] = request.app.state.sessions
    return factory


def settings_of(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


def authenticate(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
) -> Principal:
    """The caller of a request; 401 without a valid token, 429 after too many failures."""
    client = client_address(request)
    refuse_if_limited(request, client)
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorised("send 'Authorization: Bearer <token>'")
    with transaction(sessions_of(request)) as session:
        user = find_user_by_token(session, credentials.credentials)
        if user is not None:
            return principal_of(user)
    record_auth_failure(request, client, f"{request.method} {request.url.path}")
    raise _unauthorised("the token is unknown or revoked")


def client_address(request: Request) -> str:
    """The address a request came from (the direct peer; no proxy headers are trusted)."""
    return request.client.host if request.client else "unknown"


def refuse_if_limited(request: Request, client: str) -> None:
    """Raise 429 with ``Retry-After`` when ``client`` failed authentication too often."""
    limiter: AuthFailureLimiter = request.app.state.auth_limiter
    wait_s = limiter.retry_after_s(client)
    if wait_s is not None:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail=f"too many failed authentications from {client}; try again in "
            f"{math.ceil(wait_s)} s",
            headers={"Retry-After": str(math.ceil(wait_s))},
        )


def record_auth_failure(request: Request, client: str, target: str) -> None:
    """Count a failed authentication of ``client`` and write it to the audit log."""
    limiter: AuthFailureLimiter = request.app.state.auth_limiter
    failures = limiter.failed(client)
    LOGGER.warning("failed authentication from %s on %s (%d in a minute)", client, target, failures)
    with transaction(sessions_of(request)) as session:
        audit(session, None, AUTH_FAILURE, target, {"client": client, "failures": failures})


def _unauthorised(message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=message, headers={"WWW-Authenticate": "Bearer"}
    )


class RoleGate:
    """A dependency admitting only some roles (403 for the others).

    Parameters
    ----------
    roles
        The roles admitted; kept so that the OpenAPI schema can list them.
    """

    def __init__(self, roles: frozenset[Role]) -> None:
        self.roles = roles

    def __call__(self, principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        """The caller, when its role is admitted."""
        if principal.role not in self.roles:
            names = ", ".join(sorted(role.value for role in self.roles))
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail=f"for the role(s) {names} only")
        return principal


def require(*roles: Role) -> RoleGate:
    """A dependency admitting only the given roles (403 for the others)."""
    return RoleGate(frozenset(roles))


def audit(
    session: Session,
    principal: Principal | None,
    action: str,
    target: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """Record a read or write in the audit log, in the caller's transaction."""
    session.add(
        AuditEntry(
            user_id=None if principal is None else principal.user_id,
            organisation_id=None if principal is None else principal.organisation_id,
            action=action,
            target=target[:300],
            detail=detail,
        )
    )


def not_found(what: str) -> HTTPException:
    """The 404 for anything missing or not the caller's (existence must not leak)."""
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=f"{what} not found")
