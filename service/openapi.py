"""The OpenAPI document, completed with the answers the framework gives before a route runs.

FastAPI documents what the routes return; :func:`complete_openapi` adds what Starlette answers
on its own, so that the document matches every response:

- 400 on operations with a request body (a multipart body that cannot be parsed);
- FastAPI's request-validation body on every 422 a route documents with its own schema;
- the ``Message`` schema those answers use.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from service.routes.common import Message

BAD_BODY: dict[str, Any] = {
    "description": "the request body cannot be parsed (malformed multipart form)",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Message"}}},
}


REQUEST_VALIDATION: dict[str, Any] = {"$ref": "#/components/schemas/HTTPValidationError"}


def complete_openapi(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document with the framework's own answers added (cached)."""
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = document.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Message", Message.model_json_schema())
    for methods in document.get("paths", {}).values():
        for operation in methods.values():
            if "requestBody" in operation:
                operation["responses"].setdefault("400", BAD_BODY)
            _admit_request_validation(operation)
    app.openapi_schema = document
    return document


def _admit_request_validation(operation: dict[str, Any]) -> None:
    """Let a route's own 422 schema also admit FastAPI's request-validation body.

    A route that documents its own 422 (an unknown node, a validation report) still answers
    FastAPI's ``{"detail": [...]}`` when the request does not match its parameters.
    """
    if not (operation.get("parameters") or operation.get("requestBody")):
        return
    content = operation["responses"].get("422", {}).get("content", {}).get("application/json")
    if content is None or content.get("schema") == REQUEST_VALIDATION:
        return
    known = content["schema"].get("anyOf", [content["schema"]])
    if REQUEST_VALIDATION not in known:
        content["schema"] = {"anyOf": [*known, REQUEST_VALIDATION]}
