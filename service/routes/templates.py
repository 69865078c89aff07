"""Templates to fill in, unauthenticated: they hold the contract, never anyone's data."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response

from planner.intake.needs_template import needs_template
from service.routes.common import NOT_FOUND

router = APIRouter(tags=["templates"])

MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@router.get(
    "/templates/needs.{file_format}",
    response_class=Response,
    responses={
        200: {"content": {media: {} for media in MEDIA_TYPES.values()}},
        **NOT_FOUND,  # a format other than xlsx or csv names no template
    },
    summary="The needs template (xlsx with dropdowns, or csv)",
)
def download_needs_template(file_format: Literal["xlsx", "csv"]) -> Response:
    """The needs template as ``laadplan template needs`` writes it; filled in, it uploads."""
    return Response(
        content=needs_template(file_format),
        media_type=MEDIA_TYPES[file_format],
        headers={"Content-Disposition": f'attachment; filename="needs.{file_format}"'},
    )
