"""Download a dataset export from an Opendatasoft portal such as opendata.fluvius.be.

Only the standard library is used (:mod:`urllib`).  The export is written to a temporary file
beside the target and renamed into place when complete, so a failed or interrupted download
never leaves a half file (and never clobbers an earlier good one).
"""

from __future__ import annotations

import http.client
import logging
import os
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from validation import LaadplanError, describe_valid

LOGGER = logging.getLogger("laadplan")

DEFAULT_BASE_URL = "https://opendata.fluvius.be"
#: Export formats of the Opendatasoft explore API v2.1 that we download.
EXPORT_FORMATS: tuple[str, ...] = ("csv", "json", "geojson")
_CHUNK_BYTES = 64 * 1024
_USER_AGENT = "laadplan (ZES charging and grid planning)"


class FetchError(LaadplanError):
    """A dataset could not be downloaded."""


class _RetryableError(Exception):
    """A failure worth another attempt: server error, timeout, dropped connection."""


def export_url(dataset_id: str, base_url: str, fmt: str = "csv", where: str | None = None) -> str:
    """Return the export URL of a dataset.

    Parameters
    ----------
    dataset_id
        The dataset id on the portal (ids change without notice).
    base_url
        The portal, e.g. ``https://opendata.fluvius.be``.
    fmt
        ``csv`` (``;``-separated), ``json`` or ``geojson``.
    where
        An ODSQL filter; text comparisons are case-sensitive.

    Examples
    --------
    >>> export_url("cap", "https://portal.example/")
    'https://portal.example/api/explore/v2.1/catalog/datasets/cap/exports/csv?delimiter=%3B'
    >>> export_url("cap", "https://portal.example", "json", "a = 'B'").split("/exports")[1]
    '/json?where=a%20%3D%20%27B%27'
    """
    _check_request(dataset_id, base_url, fmt)
    path = f"/api/explore/v2.1/catalog/datasets/{urllib.parse.quote(dataset_id, safe='')}"
    query: dict[str, str] = {"delimiter": ";"} if fmt == "csv" else {}
    if where:
        query["where"] = where
    encoded = urllib.parse.urlencode(query, quote_via=urllib.parse.quote)
    return f"{base_url.rstrip('/')}{path}/exports/{fmt}" + (f"?{encoded}" if encoded else "")


def _check_request(dataset_id: str, base_url: str, fmt: str) -> None:
    if not dataset_id.strip():
        raise FetchError("no dataset id given; look it up in the portal's catalogue")
    if fmt not in EXPORT_FORMATS:
        raise FetchError(f"export format '{fmt}': valid: {describe_valid(EXPORT_FORMATS)}")
    if urllib.parse.urlsplit(base_url).scheme not in ("http", "https"):
        raise FetchError(f"base URL '{base_url}': valid: an http:// or https:// address")


def fetch_dataset(
    dataset_id: str,
    out: Path,
    base_url: str = DEFAULT_BASE_URL,
    fmt: str = "csv",
    where: str | None = None,
    timeout_s: float = 30.0,
    retries: int = 3,
    backoff_s: float = 1.0,
) -> Path:
    """Download a dataset export to a file.

    Parameters
    ----------
    dataset_id, base_url, fmt, where
        See :func:`export_url`.
    out
        The file to write; its folder is created when missing.
    timeout_s
        Seconds to wait for the connection and for each read, s.
    retries
        Further attempts after a server error (5xx, 429), a timeout or a dropped connection.
    backoff_s
        Wait before the first retry, s; doubled before each next one.

    Returns
    -------
    pathlib.Path
        ``out``, complete.

    Raises
    ------
    FetchError
        When the dataset does not exist (404), the request is refused, or every attempt failed.
    """
    url = export_url(dataset_id, base_url, fmt, where)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    last_problem = ""
    for attempt in range(retries + 1):
        try:
            return _download(url, out, timeout_s, dataset_id, base_url)
        except _RetryableError as exc:
            last_problem = str(exc)
        if attempt < retries:
            wait_s = backoff_s * 2**attempt
            LOGGER.warning("%s: %s; retrying in %.1f s", url, last_problem, wait_s)
            time.sleep(wait_s)
    raise FetchError(f"could not download {url} in {retries + 1} attempt(s): {last_problem}")


def _download(url: str, out: Path, timeout_s: float, dataset_id: str, base_url: str) -> Path:
    started = time.perf_counter()
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    with _replace_when_done(out) as handle:
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:
                size_bytes = _copy(response, handle)
        except urllib.error.HTTPError as exc:
            with exc:
                raise _http_error(exc, url, dataset_id, base_url) from exc
        except (OSError, http.client.HTTPException) as exc:
            raise _RetryableError(_describe(exc)) from exc
    elapsed_s = time.perf_counter() - started
    LOGGER.info("downloaded %s (%d bytes) to %s in %.1f s", url, size_bytes, out, elapsed_s)
    return out


def _copy(response: http.client.HTTPResponse, handle: IO[bytes]) -> int:
    size_bytes = 0
    while chunk := response.read(_CHUNK_BYTES):
        handle.write(chunk)
        size_bytes += len(chunk)
    expected = response.getheader("Content-Length")
    if expected is not None and expected.isdigit() and int(expected) != size_bytes:
        raise _RetryableError(f"incomplete download: {size_bytes} of {expected} bytes")
    return size_bytes


@contextmanager
def _replace_when_done(out: Path) -> Iterator[IO[bytes]]:
    """Yield a temporary file beside ``out``; rename it to ``out`` only when the block succeeds."""
    try:
        descriptor, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.")
    except OSError as exc:
        raise FetchError(f"cannot write in {out.parent}: {exc.strerror}") from exc
    try:
        with os.fdopen(descriptor, "wb") as handle:
            yield handle
        os.replace(temporary, out)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _http_error(exc: urllib.error.HTTPError, url: str, dataset_id: str, base_url: str) -> Exception:
    if exc.code == 404:
        return FetchError(
            f"dataset '{dataset_id}' not found at {base_url}; dataset ids change without notice "
            f"— check the portal's catalogue ({base_url.rstrip('/')}/explore/)"
        )
    if exc.code >= 500 or exc.code == 429:
        return _RetryableError(f"HTTP {exc.code} {exc.reason}")
    return FetchError(f"{url}: refused with HTTP {exc.code} {exc.reason}: {_body_excerpt(exc)}")


def _body_excerpt(exc: urllib.error.HTTPError) -> str:
    try:
        body = exc.read(2000).decode("utf-8", errors="replace")
    except (OSError, http.client.HTTPException):
        return "(no details)"
    return " ".join(body.split())[:300] or "(no details)"


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError) or "timed out" in str(exc):
        return "timed out"
    if isinstance(exc, urllib.error.URLError):
        return f"connection failed: {exc.reason}"
    return f"{type(exc).__name__}: {exc}"
