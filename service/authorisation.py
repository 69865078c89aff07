"""What a principal may see and do: one place, :func:`scope_of`, for every route.

Every route that reads or writes an object asks the caller's :class:`Scope` — built by
:func:`scope_of` from the role, the organisation and the vervoerregio scope — instead of
deciding by itself.  The rules:

- a **signatory** sees its own organisation's needs and its own needs in the published plan;
- a **grid operator** sees its own organisation's capacity maps and answers, and the disclosed
  aggregates of the published plan;
- a **planner** sees needs, submissions and runs in its vervoerregio's (all of Flanders when
  unscoped) and every capacity map and answer (it chooses which map feeds a run); a
  submission is in scope when at least one of its rows is, and only those rows are shown;
- an **admin** sees everything.

Organisations are compared by key (database id, or the exact organisation code in result
tables), never by a string prefix.  Anything outside the scope answers 404, like anything that
does not exist.  A published plan is the plan of all of Flanders, so only a run that covers every
vervoerregio may be published: a regional run would replace the other regions' plans.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI, Request, status
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import InstrumentedAttribute

import geography
from service.models import (
    CapacityAcknowledgement,
    GridUpload,
    NeedsRow,
    NeedsSubmission,
    PlanningRun,
    Role,
)
from service.principal import Principal, RoleGate

#: The OpenAPI extension listing the roles admitted to an operation.
ROLES_EXTENSION = "x-roles"


@functools.cache
def flanders_regions() -> frozenset[str]:
    """Every vervoerregio code."""
    return frozenset(str(code) for code in geography.municipalities()["vervoerregio_code"])


@dataclass(frozen=True)
class Scope:
    """What one principal may see.

    Attributes
    ----------
    principal
        The caller.
    organisation_id
        Only this organisation's objects (signatories, grid operators); ``None`` = any.
    regions
        Only these vervoerregio's (scoped planners); ``None`` = all of Flanders.
    """

    principal: Principal
    organisation_id: int | None
    regions: frozenset[str] | None

    def _own(self, column: InstrumentedAttribute[int]) -> ColumnElement[bool]:
        if self.organisation_id is None:
            return true()
        return column == self.organisation_id

    def submissions(self) -> ColumnElement[bool]:
        """A WHERE clause on ``NeedsSubmission``: the versions the caller may read."""
        clause = self._own(NeedsSubmission.organisation_id)
        if self.regions is not None:
            in_scope = select(NeedsRow.submission_id).where(self.needs_rows())
            clause = clause & NeedsSubmission.id.in_(in_scope)
        return clause

    def needs_rows(self) -> ColumnElement[bool]:
        """A WHERE clause on ``NeedsRow``: the rows the caller may read (within a submission)."""
        if self.regions is None:
            return true()
        return NeedsRow.vervoerregio_code.in_(sorted(self.regions))

    def grid_uploads(self) -> ColumnElement[bool]:
        """A WHERE clause on ``GridUpload``: an operator's own maps; planners see every map."""
        return self._own(GridUpload.organisation_id)

    def acknowledgements(self) -> ColumnElement[bool]:
        """A WHERE clause on ``CapacityAcknowledgement``: an operator's own answers."""
        return self._own(CapacityAcknowledgement.organisation_id)

    def sees_region(self, code: str) -> bool:
        """Whether a vervoerregio is in scope."""
        return self.regions is None or str(code) in self.regions

    def sees_run(self, run: PlanningRun) -> bool:
        """Whether the caller may see a run: every region it covers must be in scope."""
        if self.organisation_id is not None:
            return False
        if self.regions is None:
            return True
        return run.regions is not None and set(run.regions) <= self.regions

    def regions_outside(self, codes: Iterable[str]) -> list[str]:
        """The asked vervoerregio codes outside the scope."""
        return [str(code) for code in codes if not self.sees_region(str(code))]

    def owns_record(self, record: Mapping[str, Any]) -> bool:
        """Whether a result row (``organisation_id`` = organisation code) is the caller's own.

        The code is compared whole: ``ACME`` does not own rows of ``ACME/EU``.
        """
        return str(record.get("organisation_id")) == self.principal.organisation_code

    def may_open_dashboard(self) -> bool:
        """Whether the caller may open the dashboard (unscoped planners and admins).

        It shows every region's organisation-level rows.
        """
        allowed = self.principal.role in (Role.PLANNER, Role.ADMIN)
        return allowed and self.regions is None


def scope_of(principal: Principal) -> Scope:
    """What a principal may see: the one answer every route asks for."""
    if principal.role in (Role.SIGNATORY, Role.GRID_OPERATOR):
        return Scope(principal, principal.organisation_id, None)
    if principal.role == Role.PLANNER and principal.regions is not None:
        return Scope(principal, None, frozenset(principal.regions))
    return Scope(principal, None, None)


def publish_refusal(run: PlanningRun) -> str | None:
    """Why a run may not be published (``None`` when it may).

    A published plan is read by every signatory, the grid operator and the public for all of
    Flanders; a run limited to some vervoerregio's would empty the plan of the others.
    """
    if run.regions is None or set(run.regions) >= flanders_regions():
        return None
    covered = ", ".join(run.regions)
    return (
        f"run {run.id} covers vervoerregio's {covered} only; publishing it would replace the "
        "published plan of every other vervoerregio. Publish a run of all of Flanders "
        "(an unscoped planner's run without 'regions')"
    )


def install_path_id_handler(app: FastAPI) -> None:
    """Answer 404 for a malformed id in a path (``/runs/abc``), like for a missing one.

    Other validation errors keep FastAPI's 422.
    """

    async def handler(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = exc.errors()
        if errors and all(error.get("loc", ("",))[0] == "path" for error in errors):
            return JSONResponse({"detail": "not found"}, status_code=status.HTTP_404_NOT_FOUND)
        return await request_validation_exception_handler(request, exc)

    app.add_exception_handler(RequestValidationError, handler)


def document_roles(router: APIRouter) -> None:
    """List the roles admitted to every authenticated operation as ``x-roles`` in OpenAPI.

    The roles are read from the operation's :class:`~service.principal.RoleGate`, so the schema
    says what the code enforces.  Call it on a router before it is included.
    """
    for route in router.routes:
        if not isinstance(route, APIRoute):
            continue
        gates = [d.call for d in route.dependant.dependencies if isinstance(d.call, RoleGate)]
        if gates:
            roles = sorted(role.value for role in gates[0].roles)
            route.openapi_extra = {**(route.openapi_extra or {}), ROLES_EXTENSION: roles}
