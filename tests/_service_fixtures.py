"""A real laadplan service process per database backend, shared by the service test modules.

``service_server(backend, tmp_path_factory)`` starts ``laadplan serve --workers 0`` (uvicorn)
on a free 127.0.0.1 port once per backend and test session: SQLite in a temporary data
directory, PostgreSQL in a database of its own on the server at
``LAADPLAN_TEST_POSTGRES_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``),
dropped at the end.  Workers are started by the tests that need them.
"""

from __future__ import annotations

import atexit
import io
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
from sqlalchemy import make_url

POSTGRES_URL = os.environ.get(
    "LAADPLAN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = ("sqlite", "postgresql")
#: The upload cap of the test servers, MB (small, to test 413 cheaply).
TEST_UPLOAD_MB = 1
#: Lease of a running run in the tests, s (short, to see a lost worker quickly).
TEST_LEASE_S = 3.0
K = 3


@dataclass
class Server:
    """A running service and what the tests know about it."""

    backend: str
    url: str
    database_url: str
    environment: dict[str, str]
    process: subprocess.Popen[bytes]
    case_dir: Path
    needs: pd.DataFrame
    tokens: dict[str, str] = field(default_factory=dict)
    log: Path | None = None

    def client(self, who: str | None = None, timeout: float = 60.0) -> httpx.Client:
        """An HTTP client, with the token of ``who`` when given."""
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def start_worker(self, **extra_env: str) -> subprocess.Popen[bytes]:
        """A ``laadplan worker`` process on this server's database."""
        env = {**self.environment, **extra_env}
        return subprocess.Popen(
            [sys.executable, "-m", "planner.cli", "-q", "worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


_SERVERS: dict[str, Server] = {}


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def postgres_reachable() -> str | None:
    """``None`` when the test PostgreSQL server answers, else why not."""
    import psycopg

    url = make_url(POSTGRES_URL)
    try:
        with psycopg.connect(_libpq(url), connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL at {POSTGRES_URL} is not reachable: {exc}"


def _libpq(url: Any) -> str:
    return str(url.set(drivername="postgresql").render_as_string(hide_password=False))


def _create_postgres_database() -> str:
    import psycopg

    base = make_url(POSTGRES_URL)
    name = f"laadplan_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_libpq(base), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(_libpq(base), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    atexit.register(drop)
    return base.set(database=name).render_as_string(hide_password=False)


#: The generated case of the shared servers: needs, sites, substations, cabins.
SHARED_CASE = (60, 20, 2, 30)


def make_case(folder: Path, size: tuple[int, int, int, int] = SHARED_CASE) -> Path:
    """A small generated Leuven case (by default 60 needs, 20 sites, 2 substations, 30 cabins)."""
    needs, sites, substations, cabins = (str(number) for number in size)
    subprocess.run(
        [sys.executable, "-m", "planner.cli", "-q", "generate", "--region", "Leuven",
         "--seed", "3", "--out", str(folder), "--needs", needs, "--sites", sites,
         "--substations", substations, "--cabins", cabins, "--force"],
        check=True, capture_output=True,
    )  # fmt: skip
    return folder


def service_server(
    backend: str,
    tmp_path_factory: pytest.TempPathFactory,
    make: Callable[[Path], Path] = make_case,
    name: str = "",
) -> Server:
    """The shared server of a backend, started on first use.

    ``make`` writes the reference case into the folder it is given; servers of another case
    are told apart by ``name``.
    """
    key = f"{backend}-{name}" if name else backend
    if key in _SERVERS:
        return _SERVERS[key]
    server = start_server(backend, tmp_path_factory, make=make, name=key)
    _SERVERS[key] = server
    _make_users(server)
    return server


def start_server(
    backend: str,
    tmp_path_factory: pytest.TempPathFactory,
    case_size: tuple[int, int, int, int] = SHARED_CASE,
    make: Callable[[Path], Path] | None = None,
    name: str = "",
) -> Server:
    """A server of its own on a new, empty database (only the admin token is known).

    For modules whose writes must not reach the shared servers; stop it with
    :func:`stop_server`.  The case is ``make``'s, else a generated case of ``case_size``.
    """
    key = name or backend
    if backend == "postgresql":
        reason = postgres_reachable()
        if reason:
            pytest.skip(reason)
        database_url = _create_postgres_database()
    root = tmp_path_factory.mktemp(f"service-{key}")
    if backend == "sqlite":
        database_url = f"sqlite:///{root / 'laadplan.db'}"
    maker = make if make is not None else (lambda folder: make_case(folder, case_size))
    server = _start(backend, root, database_url, maker)
    server.tokens["admin"] = _add_admin(server)
    return server


def stop_server(server: Server) -> None:
    """Stop a server started by :func:`start_server`."""
    _stop(server.process)


def _start(
    backend: str, root: Path, database_url: str, make: Callable[[Path], Path] = make_case
) -> Server:
    return launch_server(backend, root, database_url, make=make)


def launch_server(
    backend: str,
    root: Path,
    database_url: str,
    workers: int = 0,
    extra_env: dict[str, str] | None = None,
    make: Callable[[Path], Path] = make_case,
) -> Server:
    """Make a case in ``root`` and start ``laadplan serve`` on it (stopped at exit)."""
    from service.db import upgrade

    case_dir = make(root / "case")
    upgrade(database_url)
    port = free_port()
    environment = {
        **os.environ,
        "LAADPLAN_DATA_DIR": str(root),
        "LAADPLAN_DATABASE_URL": database_url,
        "LAADPLAN_CASE_DIR": str(case_dir),
        "LAADPLAN_MAX_UPLOAD_MB": str(TEST_UPLOAD_MB),
        "LAADPLAN_LEASE_S": str(TEST_LEASE_S),
        "LAADPLAN_POLL_S": "0.2",
        "LAADPLAN_K_ANONYMITY": str(K),
        # Every test client is 127.0.0.1, and schemathesis sends bad tokens on purpose: the
        # limit itself is tested on an app of its own (tests/test_service_auth_limits.py).
        "LAADPLAN_AUTH_FAILURES_PER_MINUTE": "100000",
        **(extra_env or {}),
    }
    log = root / "server.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "planner.cli", "serve", "--host", "127.0.0.1",
             "--port", str(port), "--workers", str(workers)],
            env=environment, stdout=log_file, stderr=subprocess.STDOUT,
        )  # fmt: skip
    atexit.register(_stop, process)
    url = f"http://127.0.0.1:{port}"
    _wait_for(url, process, log)
    needs = pd.read_csv(case_dir / "needs.csv", dtype=str, keep_default_na=False)
    return Server(backend, url, database_url, environment, process, case_dir, needs, log=log)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=30)


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped: {log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within 60 s: {log.read_text()[-3000:]}")


def make_users(server: Server) -> None:
    """An admin, planners, a grid operator and one signatory per generated organisation."""
    server.tokens["admin"] = _add_admin(server)
    _make_users(server)


def _add_admin(server: Server) -> str:
    from service.accounts import add_user
    from service.db import make_engine, make_session_factory, transaction

    engine = make_engine(server.database_url)
    with transaction(make_session_factory(engine)) as session:
        _, token = add_user(session, "ADMIN-ORG", "admin")
    engine.dispose()
    return token.token


def _make_users(server: Server) -> None:
    for who, org, role, regions in (
        ("planner", "MOW", "planner", None),
        ("planner_other", "MOW-LIMBURG", "planner", ["1"]),
        ("grid", "FLUVIUS", "grid_operator", None),
    ):
        server.tokens[who] = add_user_via_api(server, org, role, regions)
    for org in sorted(server.needs["organisation_id"].unique()):
        server.tokens[org] = add_user_via_api(server, org, "signatory")


def add_user_via_api(
    server: Server, organisation: str, role: str, regions: list[str] | None = None
) -> str:
    """Create a user through the admin API; return its token."""
    with server.client("admin") as client:
        answer = client.post(
            "/admin/users", json={"organisation": organisation, "role": role, "regions": regions}
        )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["token"]["token"])


def org_csv(server: Server, organisation: str) -> bytes:
    """The generated needs of one organisation as a CSV file."""
    rows = server.needs[server.needs["organisation_id"] == organisation]
    buffer = io.StringIO()
    rows.to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")


def upload(server: Server, who: str, content: bytes, name: str = "needs.csv") -> httpx.Response:
    """POST /needs as ``who``."""
    with server.client(who) as client:
        return client.post("/needs", files={"file": (name, content, "text/csv")})


def upload_all(server: Server) -> None:
    """Every generated organisation uploads its needs (idempotent)."""
    for org in sorted(server.needs["organisation_id"].unique()):
        answer = upload(server, org, org_csv(server, org))
        assert answer.status_code in (200, 201), answer.text


def wait_for_run(
    server: Server, run_id: int, states: tuple[str, ...], timeout_s: float = 120
) -> dict[str, Any]:
    """Poll a run until its status is one of ``states``."""
    deadline = time.monotonic() + timeout_s
    with server.client("planner") as client:
        while time.monotonic() < deadline:
            run: dict[str, Any] = client.get(f"/runs/{run_id}").json()
            if run["status"] in states:
                return run
            time.sleep(0.2)
    raise AssertionError(f"run {run_id} not {states} within {timeout_s} s: {run}")
