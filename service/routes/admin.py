"""Administrators: organisations, users, tokens and the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from pydantic import BaseModel, Field
from sqlalchemy import select

from service.accounts import (
    AccountError,
    add_token,
    add_user,
    get_or_create_organisation,
    revoke_token,
)
from service.db import transaction
from service.models import AuditEntry, Organisation, Role, User
from service.principal import Principal, audit, not_found, require, sessions_of
from service.routes.common import ERRORS, NOT_FOUND, Id, Message, iso

router = APIRouter(prefix="/admin", tags=["admin"])
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]


class OrganisationIn(BaseModel):
    """A new organisation."""

    code: str = Field(min_length=1, max_length=100, pattern=r"^\S(.*\S)?$")
    name: str | None = Field(None, max_length=300)


class OrganisationOut(BaseModel):
    """An organisation."""

    id: int
    code: str
    name: str


class UserIn(BaseModel):
    """A new user; the organisation is created when new."""

    organisation: str = Field(min_length=1, max_length=100, pattern=r"^\S(.*\S)?$")
    role: str
    email: str | None = Field(None, max_length=300)
    regions: list[str] | None = Field(
        None, description="vervoerregio codes (planners only)", max_length=15
    )


class UserOut(BaseModel):
    """A user."""

    id: int
    organisation: str
    role: str
    email: str | None
    regions: list[str] | None
    active: bool


class TokenOut(BaseModel):
    """A token, shown this once."""

    user_id: Id
    token_id: Id
    token: str


class NewUserOut(UserOut):
    """A user with its first token (shown once)."""

    token: TokenOut


@router.post("/organisations", status_code=status.HTTP_201_CREATED, responses=ERRORS)
def create_organisation(
    request: Request, principal: Admin, body: OrganisationIn
) -> OrganisationOut:
    """Create an organisation (or return the one with that code)."""
    with transaction(sessions_of(request)) as session:
        organisation = get_or_create_organisation(session, body.code, body.name)
        audit(session, principal, "write", f"admin/organisations/{organisation.id}")
        return OrganisationOut(id=organisation.id, code=organisation.code, name=organisation.name)


@router.get("/organisations", responses=ERRORS)
def list_organisations(request: Request, principal: Admin) -> list[OrganisationOut]:
    """Every organisation."""
    with transaction(sessions_of(request)) as session:
        found = session.scalars(select(Organisation).order_by(Organisation.code)).all()
        audit(session, principal, "read", "admin/organisations")
        return [OrganisationOut(id=o.id, code=o.code, name=o.name) for o in found]


def _user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        organisation=user.organisation.code,
        role=user.role,
        email=user.email,
        regions=user.regions,
        active=user.active,
    )


@router.post(
    "/users",
    status_code=status.HTTP_201_CREATED,
    responses={**ERRORS, 422: {"model": Message, "description": "unknown role or region"}},
)
def create_user(request: Request, principal: Admin, body: UserIn) -> NewUserOut:
    """Create a user with a first token; the token is shown only in this answer."""
    with transaction(sessions_of(request)) as session:
        try:
            user, token = add_user(session, body.organisation, body.role, body.email, body.regions)
        except AccountError as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(exc)) from exc
        session.refresh(user)
        audit(session, principal, "write", f"admin/users/{user.id}", {"role": user.role})
        token_out = TokenOut(user_id=token.user_id, token_id=token.token_id, token=token.token)
        return NewUserOut(**_user_out(user).model_dump(), token=token_out)


@router.get("/users", responses=ERRORS)
def list_users(request: Request, principal: Admin) -> list[UserOut]:
    """Every user."""
    with transaction(sessions_of(request)) as session:
        users = session.scalars(select(User).order_by(User.id)).all()
        audit(session, principal, "read", "admin/users")
        return [_user_out(user) for user in users]


@router.post(
    "/users/{user_id}/tokens",
    status_code=status.HTTP_201_CREATED,
    responses={**ERRORS, **NOT_FOUND},
)
def create_token(request: Request, principal: Admin, user_id: Id) -> TokenOut:
    """A new token for a user (shown once)."""
    with transaction(sessions_of(request)) as session:
        user = session.get(User, user_id)
        if user is None:
            raise not_found("user")
        token = add_token(session, user, label="admin API")
        audit(session, principal, "write", f"admin/users/{user_id}/tokens/{token.token_id}")
        return TokenOut(user_id=token.user_id, token_id=token.token_id, token=token.token)


@router.delete(
    "/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT, responses={**ERRORS, **NOT_FOUND}
)
def delete_token(request: Request, principal: Admin, token_id: Id) -> None:
    """Revoke a token."""
    with transaction(sessions_of(request)) as session:
        if not revoke_token(session, token_id):
            raise not_found("token")
        audit(session, principal, "write", f"admin/tokens/{token_id}/revoke")


@router.get("/audit", responses=ERRORS)
def read_audit(
    request: Request, principal: Admin, limit: Annotated[int, Query(ge=1, le=10_000)] = 200
) -> list[dict[str, Any]]:
    """The newest audit entries: who read or wrote what, when."""
    with transaction(sessions_of(request)) as session:
        entries = session.scalars(
            select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        ).all()
        return [
            {"id": e.id, "at": iso(e.at), "user_id": e.user_id,
             "organisation_id": e.organisation_id, "action": e.action, "target": e.target,
             "detail": e.detail}
            for e in entries
        ]  # fmt: skip
