"""HTTP hardening: security headers, failed-authentication limits, CSRF tokens, read counts.

- :class:`SecurityHeaders` adds ``X-Content-Type-Options``, ``Referrer-Policy``,
  ``X-Frame-Options`` and a ``Content-Security-Policy`` to every response: nothing may be loaded
  by the API's JSON, the dashboard may load only its own scripts (plus the hashes of Dash's
  inline scripts), the interactive docs their CDN. It also answers ``OPTIONS`` with ``Allow``.
- :class:`AuthFailureLimiter` counts failed authentications per client address in a sliding
  minute; past the limit the address gets 429 with ``Retry-After`` until the window clears.
- :func:`new_csrf_token` and :func:`csrf_ok` are the double-submit token of the login form.
- :class:`PublicReadCounter` counts anonymous reads and writes one audit row per target and
  minute instead of one per request.
"""

from __future__ import annotations

import hmac
import json
import re
import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from typing import Any

from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Content-Security-Policy of API responses (JSON, CSV): nothing to load, no framing.
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
#: Content-Security-Policy of the interactive API docs (Swagger UI and ReDoc from jsDelivr).
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "font-src 'self' https://fonts.gstatic.com; worker-src 'self' blob:; "
    "frame-ancestors 'none'; base-uri 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")
#: Headers every response carries.
COMMON_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
#: Length of the sliding window of failed authentications, s.
AUTH_WINDOW_S = 60.0
#: Most client addresses whose failures are remembered (oldest forgotten first).
MAX_TRACKED_CLIENTS = 10_000
#: How often the public read counts are written to the audit log, s.
READ_COUNT_FLUSH_S = 60.0


def dashboard_csp(script_hashes: Iterable[str]) -> str:
    """The dashboard's Content-Security-Policy, allowing the given inline-script hashes.

    Examples
    --------
    >>> dashboard_csp(["'sha256-abc='"]).split("; ")[1]
    "script-src 'self' 'sha256-abc='"
    """
    scripts = " ".join(["'self'", *script_hashes])
    return (
        f"default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
        "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    )


class SecurityHeaders:
    """ASGI middleware adding the security headers and answering ``OPTIONS``.

    Parameters
    ----------
    app
        The application to wrap.
    routes_of
        The FastAPI application whose routes give the ``Allow`` header of ``OPTIONS`` and 405.
    dashboard_prefix
        Path under which the dashboard is mounted.
    dashboard_policy
        The dashboard's CSP; ``None`` until the dashboard is mounted.
    """

    def __init__(
        self,
        app: ASGIApp,
        routes_of: Any,
        dashboard_prefix: str,
        dashboard_policy: Callable[[], str | None],
    ) -> None:
        self.app = app
        self.routes_of = routes_of
        self.dashboard_prefix = dashboard_prefix
        self.dashboard_policy = dashboard_policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer ``OPTIONS`` for API paths, add the headers to every other response."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        if scope["method"] == "OPTIONS" and not path.startswith(self.dashboard_prefix):
            await self._options(scope, send)
            return
        extra = [*COMMON_HEADERS, (b"content-security-policy", self._policy(path).encode())]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if message["status"] == 405:
                    headers = [(k, v) for k, v in headers if k.lower() != b"allow"]
                    allow = ", ".join(allowed_methods(self.routes_of, scope))
                    headers.append((b"allow", allow.encode()))
                names = {name.lower() for name, _ in headers}
                added = [(name, value) for name, value in extra if name not in names]
                message = {**message, "headers": [*headers, *added]}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _policy(self, path: str) -> str:
        if path.startswith(self.dashboard_prefix) or path.startswith("/dashboard-login"):
            return self.dashboard_policy() or API_CSP
        if path in DOCS_PATHS or path.startswith("/docs/"):
            return DOCS_CSP
        return API_CSP

    async def _options(self, scope: Scope, send: Send) -> None:
        methods = allowed_methods(self.routes_of, scope)
        status = 204 if methods else 404
        headers = [*COMMON_HEADERS, (b"content-security-policy", API_CSP.encode())]
        body = b""
        if methods:
            headers.append((b"allow", ", ".join(methods).encode()))
        else:
            body = json.dumps({"detail": "Not Found"}).encode()
            headers.append((b"content-type", b"application/json"))
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def allowed_methods(app: Any, scope: Scope) -> list[str]:
    """The methods the OpenAPI document gives the request's path, with OPTIONS.

    HEAD is added wherever GET is allowed; empty when the path is not in the document.
    """
    path = str(scope.get("path", ""))
    for pattern, methods in _path_patterns(app):
        if pattern.fullmatch(path):
            found = set(methods) | {"OPTIONS"}
            return sorted(found | ({"HEAD"} if "GET" in found else set()))
    return []


def _path_patterns(app: Any) -> list[tuple[re.Pattern[str], list[str]]]:
    cached: list[tuple[re.Pattern[str], list[str]]] | None = getattr(
        app.state, "path_patterns", None
    )
    if cached is None:
        paths: dict[str, dict[str, Any]] = app.openapi().get("paths", {})
        cached = [
            (compile_path(template)[0], [method.upper() for method in operations])
            for template, operations in paths.items()
        ]
        app.state.path_patterns = cached
    return cached


class AuthFailureLimiter:
    """Failed authentications per client address in a sliding window.

    Parameters
    ----------
    limit
        Failures allowed per window; the next attempt is refused.
    window_s
        Length of the window, s.
    clock
        Monotonic time source (replaceable in tests).
    """

    def __init__(
        self,
        limit: int,
        window_s: float = AUTH_WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self.clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after_s(self, client: str) -> float | None:
        """Seconds until ``client`` may try again, or ``None`` when it may now."""
        with self._lock:
            failures = self._recent(client)
            if len(failures) < self.limit:
                return None
            return max(failures[0] + self.window_s - self.clock(), 0.0) or None

    def failed(self, client: str) -> int:
        """Record a failure of ``client``; return its failures in the window."""
        with self._lock:
            failures = self._recent(client)
            failures.append(self.clock())
            self._failures.move_to_end(client)
            while len(self._failures) > MAX_TRACKED_CLIENTS:
                self._failures.popitem(last=False)
            return len(failures)

    def _recent(self, client: str) -> deque[float]:
        failures = self._failures.setdefault(client, deque())
        horizon = self.clock() - self.window_s
        while failures and failures[0] <= horizon:
            failures.popleft()
        return failures


def new_csrf_token() -> str:
    """A random token for the login form and its cookie."""
    return secrets.token_urlsafe(32)


def csrf_ok(form_token: str | None, cookie_token: str | None) -> bool:
    """Whether the form's CSRF token is the one its cookie carries (constant-time)."""
    if not form_token or not cookie_token:
        return False
    return hmac.compare_digest(form_token.encode(), cookie_token.encode())


def same_origin(headers: dict[str, str]) -> bool:
    """Whether a request's ``Origin`` (when sent) is the host it was sent to."""
    origin = headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    host = headers.get("host", "")
    return origin.split("://", 1)[-1].rstrip("/") == host


class PublicReadCounter:
    """Counts anonymous reads per target; hands out the counts at most once per interval.

    Parameters
    ----------
    interval_s
        How often :meth:`due` returns the counts to write, s.
    clock
        Monotonic time source (replaceable in tests).
    """

    def __init__(
        self, interval_s: float = READ_COUNT_FLUSH_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.interval_s = interval_s
        self.clock = clock
        self.totals: dict[str, int] = {}
        self._pending: dict[str, int] = {}
        self._last_flush = clock()
        self._lock = threading.Lock()

    def count(self, target: str) -> dict[str, int] | None:
        """Count one read; return the counts to write to the audit log when they are due."""
        with self._lock:
            self.totals[target] = self.totals.get(target, 0) + 1
            self._pending[target] = self._pending.get(target, 0) + 1
            first = sum(self.totals.values()) == 1
            if not first and self.clock() - self._last_flush < self.interval_s:
                return None
            due, self._pending = self._pending, {}
            self._last_flush = self.clock()
            return due
