"""Service settings, from ``LAADPLAN_*`` environment variables with command-line overrides."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from grid_data.disclosure import DEFAULT_K_ANONYMITY, check_k
from validation import LaadplanError

#: Default data directory (relative to the working directory).
DEFAULT_DATA_DIR = Path("laadplan-data")
#: Name of the embedded SQLite database inside the data directory.
SQLITE_FILE = "laadplan.db"
#: Default upload cap, MB.
DEFAULT_MAX_UPLOAD_MB = 20.0
#: Default limits of an uploaded table: data rows, columns, unpacked workbook size (MB).
DEFAULT_MAX_UPLOAD_ROWS = 100_000
DEFAULT_MAX_UPLOAD_COLUMNS = 200
DEFAULT_MAX_UNPACKED_MB = 200.0
#: Default time limit of reading one upload, s.
DEFAULT_UPLOAD_TIMEOUT_S = 120.0
#: A new needs version with fewer rows than this share of the current one needs
#: ``confirm_shrink=true``.
DEFAULT_SHRINK_CONFIRM_RATIO = 0.5
#: Default failed authentications allowed per client address and minute.
DEFAULT_AUTH_FAILURES_PER_MINUTE = 10
#: Default lease of a running run, s: a run whose worker has not renewed it for this long is
#: taken as abandoned.
DEFAULT_LEASE_S = 60.0


class ConfigError(LaadplanError):
    """A setting has a value that cannot be used."""


@dataclass(frozen=True)
class Settings:
    """Everything the API and the worker are configured with.

    Attributes
    ----------
    data_dir
        Holds the embedded database and, in ``case/``, the reference case (``sites.csv``,
        ``zones.csv``, ``scenario.toml``, optionally ``grid.csv``, ``grid_profiles.csv``).
    database_url
        SQLAlchemy URL (``LAADPLAN_DATABASE_URL``); a SQLite file in ``data_dir`` by default.
    case_dir
        The reference case folder (``LAADPLAN_CASE_DIR``; default ``data_dir/case``).
    max_upload_mb
        Largest request body accepted, MB (``LAADPLAN_MAX_UPLOAD_MB``).
    k_anonymity
        Least number of organisations behind any aggregate shown outside the planner role
        (``LAADPLAN_K_ANONYMITY``).
    lease_s
        Lease of a running run, s (``LAADPLAN_LEASE_S``); the worker renews it every third.
    poll_s
        How often an idle worker looks for queued runs, s (``LAADPLAN_POLL_S``).
    dask_workers
        Processes of the local Dask cluster a worker solves a run's vervoerregio
        sub-problems on (``LAADPLAN_DASK_WORKERS``; 1: one after the other in the worker's
        own process, no cluster).
    dask_scheduler
        Address of an existing Dask scheduler the sub-problems go to instead
        (``LAADPLAN_DASK_SCHEDULER``, ``tcp://host:8786``).
    max_upload_rows, max_upload_columns
        Most data rows and columns of an uploaded table (``LAADPLAN_MAX_UPLOAD_ROWS``,
        ``LAADPLAN_MAX_UPLOAD_COLUMNS``).
    max_unpacked_mb
        Largest unpacked size of an uploaded workbook, MB (``LAADPLAN_MAX_UNPACKED_MB``).
    upload_timeout_s
        Longest time reading one upload may take, s (``LAADPLAN_UPLOAD_TIMEOUT_S``).
    shrink_confirm_ratio
        A needs upload with fewer rows than this share of the current version is refused
        without ``confirm_shrink=true`` (``LAADPLAN_SHRINK_CONFIRM_RATIO``).
    auth_failures_per_minute
        Failed authentications a client address may make per minute before it gets 429
        (``LAADPLAN_AUTH_FAILURES_PER_MINUTE``).
    worker_backoff_s
        First wait before ``laadplan serve`` restarts a worker that exited, s; doubled while
        workers keep dying young, up to a minute (``LAADPLAN_WORKER_BACKOFF_S``).
    secure_cookies
        Whether the dashboard's login cookie is ``Secure`` (``LAADPLAN_SECURE_COOKIES``, on by
        default; browsers accept it over plain HTTP on localhost only).
    """

    data_dir: Path
    database_url: str
    case_dir: Path
    max_upload_mb: float = DEFAULT_MAX_UPLOAD_MB
    k_anonymity: int = DEFAULT_K_ANONYMITY
    lease_s: float = DEFAULT_LEASE_S
    poll_s: float = 1.0
    dask_workers: int = 1
    dask_scheduler: str | None = None
    max_upload_rows: int = DEFAULT_MAX_UPLOAD_ROWS
    max_upload_columns: int = DEFAULT_MAX_UPLOAD_COLUMNS
    max_unpacked_mb: float = DEFAULT_MAX_UNPACKED_MB
    upload_timeout_s: float = DEFAULT_UPLOAD_TIMEOUT_S
    shrink_confirm_ratio: float = DEFAULT_SHRINK_CONFIRM_RATIO
    auth_failures_per_minute: int = DEFAULT_AUTH_FAILURES_PER_MINUTE
    worker_backoff_s: float = 1.0
    secure_cookies: bool = True

    @property
    def max_upload_bytes(self) -> int:
        """The upload cap in bytes."""
        return int(self.max_upload_mb * 1024 * 1024)

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with the given fields replaced (``None`` values are ignored)."""
        given = {key: value for key, value in changes.items() if value is not None}
        return replace(self, **given)  # type: ignore[arg-type]


def sqlite_url(data_dir: Path) -> str:
    """The URL of the embedded SQLite database in a data directory."""
    return f"sqlite:///{(Path(data_dir) / SQLITE_FILE).resolve()}"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from the environment.

    Raises
    ------
    ConfigError
        When a number cannot be read or is out of range, naming the variable.
    """
    env = os.environ if environ is None else environ
    data_dir = Path(env.get("LAADPLAN_DATA_DIR", str(DEFAULT_DATA_DIR)))
    k = int(_number(env, "LAADPLAN_K_ANONYMITY", DEFAULT_K_ANONYMITY))
    check_k(k)
    return Settings(
        data_dir=data_dir,
        database_url=env.get("LAADPLAN_DATABASE_URL") or sqlite_url(data_dir),
        case_dir=Path(env.get("LAADPLAN_CASE_DIR") or data_dir / "case"),
        max_upload_mb=_number(env, "LAADPLAN_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB),
        k_anonymity=k,
        lease_s=_number(env, "LAADPLAN_LEASE_S", DEFAULT_LEASE_S),
        poll_s=_number(env, "LAADPLAN_POLL_S", 1.0),
        dask_workers=_whole_number(env, "LAADPLAN_DASK_WORKERS", 1),
        dask_scheduler=env.get("LAADPLAN_DASK_SCHEDULER", "").strip() or None,
        max_upload_rows=int(_number(env, "LAADPLAN_MAX_UPLOAD_ROWS", DEFAULT_MAX_UPLOAD_ROWS)),
        max_upload_columns=int(
            _number(env, "LAADPLAN_MAX_UPLOAD_COLUMNS", DEFAULT_MAX_UPLOAD_COLUMNS)
        ),
        max_unpacked_mb=_number(env, "LAADPLAN_MAX_UNPACKED_MB", DEFAULT_MAX_UNPACKED_MB),
        upload_timeout_s=_number(env, "LAADPLAN_UPLOAD_TIMEOUT_S", DEFAULT_UPLOAD_TIMEOUT_S),
        shrink_confirm_ratio=_number(
            env, "LAADPLAN_SHRINK_CONFIRM_RATIO", DEFAULT_SHRINK_CONFIRM_RATIO
        ),
        auth_failures_per_minute=int(
            _number(env, "LAADPLAN_AUTH_FAILURES_PER_MINUTE", DEFAULT_AUTH_FAILURES_PER_MINUTE)
        ),
        worker_backoff_s=_number(env, "LAADPLAN_WORKER_BACKOFF_S", 1.0),
        secure_cookies=_flag(env, "LAADPLAN_SECURE_COOKIES", default=True),
    )


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    text = env.get(name, "").strip().lower()
    if not text:
        return default
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}={text!r}: valid: true or false")


def _whole_number(env: Mapping[str, str], name: str, default: int) -> int:
    value = _number(env, name, default)
    if value != int(value):
        raise ConfigError(f"{name}={env[name]!r}: valid: a whole number of 1 or more")
    return int(value)


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    text = env.get(name, "").strip()
    if not text:
        return float(default)
    try:
        value = float(text)
    except ValueError as exc:
        raise ConfigError(f"{name}={text!r} is not a number") from exc
    if value <= 0:
        raise ConfigError(f"{name}={text!r}: valid: a number above 0")
    return value
