"""Response shapes and helpers shared by the routes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import pandas as pd
from fastapi import HTTPException, Path, status
from pydantic import BaseModel, Field

from validation import ValidationReport

#: A row id in a path: a positive 32-bit integer (larger ones cannot exist in the database).
Id = Annotated[int, Path(ge=1, le=2_147_483_647)]


class RowProblem(BaseModel):
    """One problem of an upload, as ``laadplan validate`` reports it."""

    row: int | None = Field(description="file line (header = 1); null for the whole file")
    column: str | None
    value: str | None
    problem: str
    valid: str | None
    suggestion: str | None
    message: str


class ValidationFailure(BaseModel):
    """A 422 body: every problem, nothing stored."""

    message: str
    source: str
    rows_checked: int
    issues: list[RowProblem]
    warnings: list[RowProblem] = Field(
        default_factory=list, description="what was read tolerantly; never blocking"
    )


class ValidationFailureBody(BaseModel):
    """The 422 response of an upload."""

    detail: ValidationFailure


class Message(BaseModel):
    """An error body."""

    detail: str


#: The 422 of an upload: a validation report (or, like every 422, FastAPI's own body for a
#: request that does not fit the API at all: see :mod:`service.openapi`).
UPLOAD_422: dict[str, Any] = {
    "model": ValidationFailureBody,
    "description": "every row error, nothing stored; or a malformed request",
}


def validation_failure(report: ValidationReport) -> HTTPException:
    """The 422 of an upload that failed validation: every issue with its message."""
    detail = {
        "message": report.format(),
        "source": report.source,
        "rows_checked": report.rows_checked,
        "issues": [problem.model_dump() for problem in row_problems(report.to_frame())],
        "warnings": [problem.model_dump() for problem in report_warnings(report)],
    }
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=detail)


def report_warnings(report: ValidationReport) -> list[RowProblem]:
    """The warnings of a validation report (what was read tolerantly), in the issues' shape."""
    return row_problems(report.warnings_frame())


def row_problems(frame: pd.DataFrame) -> list[RowProblem]:
    """Rows of :meth:`ValidationReport.to_frame` as response models."""
    return [
        RowProblem(**{str(key): _clean(value) for key, value in record.items()})
        for record in frame.astype(object).to_dict("records")
    ]


def file_failure(source: str, message: str) -> HTTPException:
    """A 422 for a file that cannot be read at all (encoding, not a table …)."""
    detail = {
        "message": message,
        "source": source,
        "rows_checked": 0,
        "issues": [
            {"row": None, "column": None, "value": None, "problem": message, "valid": None,
             "suggestion": None, "message": message}
        ],
    }  # fmt: skip
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=detail)


def _clean(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def iso(moment: datetime | None) -> str | None:
    """A stored time as ISO 8601 in UTC (SQLite returns naive UTC times)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat(timespec="seconds")


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Message, "description": "no or unknown token"},
    403: {"model": Message, "description": "not for this role"},
    429: {"model": Message, "description": "too many failed authentications; see Retry-After"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": Message, "description": "absent, or not yours"}
}
