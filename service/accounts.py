"""Organisations, users and API tokens: created by the admin API and ``laadplan users``.

A token is ``lp_`` followed by 43 random URL-safe characters; only its SHA-256 is stored, so
it is shown once, when it is made.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

import geography
from service.models import ApiToken, Organisation, Role, User, utc_now
from validation import LaadplanError, describe_valid, suggest

TOKEN_PREFIX = "lp_"


class AccountError(LaadplanError):
    """An organisation, user or token request that cannot be carried out."""


@dataclass(frozen=True)
class NewToken:
    """A token just made: the only moment its text is known."""

    user_id: int
    token_id: int
    token: str


def hash_token(token: str) -> str:
    """The stored form of a token (SHA-256, hex)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def make_token_text() -> str:
    """A new random token."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def check_role(role: str) -> Role:
    """Return the role, or raise with the valid roles and a near miss."""
    valid = [member.value for member in Role]
    if role not in valid:
        hint = suggest(role, valid)
        extra = f" — did you mean '{hint}'?" if hint else ""
        raise AccountError(f"role {role!r} is unknown; valid: {describe_valid(valid)}{extra}")
    return Role(role)


def check_regions(role: Role, regions: Sequence[str] | None) -> list[str] | None:
    """Planner scopes: vervoerregio codes (``None`` or empty = all of Flanders)."""
    if not regions:
        return None
    if role != Role.PLANNER:
        raise AccountError("only planners are scoped to vervoerregio's (--region)")
    known = sorted({str(code) for code in geography.municipalities()["vervoerregio_code"]}, key=int)
    unknown = [str(code) for code in regions if str(code) not in known]
    if unknown:
        raise AccountError(
            f"vervoerregio code(s) {', '.join(unknown)} unknown; valid: {', '.join(known)}"
        )
    return sorted({str(code) for code in regions}, key=int)


def get_or_create_organisation(
    session: Session, code: str, name: str | None = None
) -> Organisation:
    """The organisation with this code, created when new."""
    code = code.strip()
    if not code:
        raise AccountError("an organisation needs a non-empty code")
    found = session.scalars(select(Organisation).where(Organisation.code == code)).first()
    if found is not None:
        return found
    organisation = Organisation(code=code, name=name or code)
    session.add(organisation)
    session.flush()
    return organisation


def add_user(
    session: Session,
    organisation_code: str,
    role: str,
    email: str | None = None,
    regions: Sequence[str] | None = None,
) -> tuple[User, NewToken]:
    """Create a user (and its organisation when new) with a first token."""
    checked_role = check_role(role)
    scope = check_regions(checked_role, regions)
    organisation = get_or_create_organisation(session, organisation_code)
    user = User(
        organisation_id=organisation.id, role=checked_role.value, email=email, regions=scope
    )
    session.add(user)
    session.flush()
    return user, add_token(session, user, label="first token")


def add_token(session: Session, user: User, label: str | None = None) -> NewToken:
    """Make a new token for a user."""
    text = make_token_text()
    token = ApiToken(user_id=user.id, token_sha256=hash_token(text), label=label)
    session.add(token)
    session.flush()
    return NewToken(user_id=user.id, token_id=token.id, token=text)


def revoke_token(session: Session, token_id: int) -> bool:
    """Revoke a token; ``False`` when there is no such active token."""
    token = session.get(ApiToken, token_id)
    if token is None or token.revoked_at is not None:
        return False
    token.revoked_at = utc_now()
    return True


def find_user_by_token(session: Session, token: str) -> User | None:
    """The active user holding an unrevoked token, or ``None``."""
    found = session.scalars(
        select(ApiToken).where(
            ApiToken.token_sha256 == hash_token(token), ApiToken.revoked_at.is_(None)
        )
    ).first()
    if found is None or not found.user.active:
        return None
    return found.user
