"""The upload cap: request bodies above ``max_upload_bytes`` are refused with 413.

Checked on ``Content-Length`` before anything is read, and again while the body streams in (a
chunked upload has no length: the route then answers 413 as soon as the cap is passed), so an
oversized upload is never held in full.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class UploadLimit:
    """ASGI middleware refusing bodies larger than ``max_bytes`` with 413."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, counting its body."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = _content_length(scope)
        if length is not None and length > self.max_bytes:
            await self._refuse(send)
            return
        seen = 0

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise HTTPException(413, detail=self.message())
            return message

        await self.app(scope, counted_receive, send)

    def message(self) -> str:
        """What a refused upload is told."""
        limit_mb = self.max_bytes / (1024 * 1024)
        return (
            f"the upload is larger than {limit_mb:g} MB (LAADPLAN_MAX_UPLOAD_MB); split it or "
            "ask the administrator to raise the limit"
        )

    async def _refuse(self, send: Send) -> None:
        body: dict[str, Any] = {"detail": self.message()}
        payload = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
