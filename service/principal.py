"""Who is calling: the bearer token's user, role and scope, as FastAPI dependencies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from service.accounts import find_user_by_token
from service.config import Settings
from service.db import transaction
from service.models import AuditEntry, Role, User

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
    """The caller of a request; 401 without a valid token."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorised("send 'Authorization: Bearer <token>'")
    with transaction(sessions_of(request)) as session:
        user = find_user_by_token(session, credentials.credentials)
        if user is None:
            raise _unauthorised("the token is unknown or revoked")
        return principal_of(user)


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
