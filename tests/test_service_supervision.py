"""A real ``laadplan serve`` with a supervised worker: a hostile workbook is refused with the
server's memory bounded, and a killed worker is restarted so that a new run still finishes.

Also the supervisor itself (back-off, logging) on a worker command that keeps failing.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from service.supervisor import WorkerSupervisor
from tests._hostile_files import bomb_workbook
from tests._service_fixtures import (
    Server,
    launch_server,
    make_users,
    upload_all,
    wait_for_run,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The memory the server's process tree must stay below while refusing a hostile workbook.
MEMORY_LIMIT_BYTES = 1024**3
#: First restart back-off of the test server's worker, s (long enough to see it down).
BACKOFF_S = 8.0
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
MEASUREMENTS = ARTIFACTS / "hardening.json"


def report_measurement(name: str, value: float) -> None:
    """Record a measurement in ``test-artifacts/hardening.json`` (reported, not asserted)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    found = json.loads(MEASUREMENTS.read_text()) if MEASUREMENTS.is_file() else {}
    MEASUREMENTS.write_text(json.dumps({**found, name: value}, indent=1) + "\n")


@pytest.fixture(scope="module")
def supervised(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("supervised")
    server = launch_server(
        "sqlite",
        root,
        f"sqlite:///{root / 'laadplan.db'}",
        workers=1,
        extra_env={"LAADPLAN_MAX_UPLOAD_MB": "20", "LAADPLAN_WORKER_BACKOFF_S": str(BACKOFF_S)},
    )
    make_users(server)
    yield server
    server.process.terminate()
    server.process.wait(timeout=60)


def tree_rss_bytes(root: psutil.Process) -> int:
    """Resident memory of a process and all its descendants."""
    total = 0
    for process in [root, *root.children(recursive=True)]:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            continue
    return total


class MemoryWatch:
    """Samples the resident memory of a process tree every 20 ms until stopped."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.peak_bytes = tree_rss_bytes(self.root)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak_bytes = max(self.peak_bytes, tree_rss_bytes(self.root))


@pytest.mark.slow
def test_a_hostile_workbook_is_refused_with_the_servers_memory_bounded(
    supervised: Server,
) -> None:
    content = bomb_workbook(300)
    assert len(content) < 2 * 1024 * 1024  # ~1 MB that unpacks to 300 MB
    org = sorted(supervised.needs["organisation_id"].unique())[0]
    with MemoryWatch(supervised.process.pid) as watch, supervised.client(org) as client:
        started = time.perf_counter()
        answer = client.post("/needs", files={"file": ("needs.xlsx", content, XLSX)})
        elapsed_s = time.perf_counter() - started
        health = client.get("/health")
    report_measurement("hostile_upload_s", round(elapsed_s, 2))
    report_measurement("hostile_upload_peak_tree_rss_mb", round(watch.peak_bytes / 1024**2))
    assert answer.status_code == 413, answer.text
    assert "unpacks to 300.0 MB" in answer.json()["detail"]
    assert watch.peak_bytes < MEMORY_LIMIT_BYTES
    assert health.status_code == 200  # still serving


def worker_processes(server: Server) -> list[psutil.Process]:
    children = psutil.Process(server.process.pid).children()
    return [child for child in children if "worker" in child.cmdline()]


def health_of(server: Server) -> dict[str, Any]:
    with server.client() as client:
        answer: dict[str, Any] = client.get("/health").json()
    return answer


def wait_for_health(server: Server, ok: Any, timeout_s: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        health = health_of(server)
        if ok(health):
            return health
        time.sleep(0.1)
    raise AssertionError(f"health not as expected within {timeout_s} s: {health_of(server)}")


@pytest.mark.slow
def test_a_killed_worker_is_restarted_and_a_new_run_finishes(supervised: Server) -> None:
    upload_all(supervised)
    wait_for_health(supervised, lambda h: h["workers"]["alive"] == 1)
    (worker,) = worker_processes(supervised)
    os.kill(worker.pid, signal.SIGKILL)
    down = wait_for_health(supervised, lambda h: h["workers"]["alive"] == 0, timeout_s=10)
    assert down["status"] == "degraded"
    with supervised.client("planner") as client:
        answer = client.post("/runs", json={"years": [2030]})
    assert answer.status_code == 202, answer.text
    waiting = health_of(supervised)  # still in the back-off: the waiting run is visible
    assert waiting["workers"]["alive"] == 0 and waiting["status"] == "degraded"
    assert waiting["queue"]["queued"] == 1 and waiting["queue"]["oldest_queued_age_s"] >= 0
    assert any("1 run(s) queued and no live worker" in p for p in waiting["problems"])
    queued_at = time.monotonic()
    done = wait_for_run(supervised, answer.json()["id"], ("done", "failed"), timeout_s=60)
    assert done["status"] == "done", done["error"]
    report_measurement("killed_worker_run_done_after_s", round(time.monotonic() - queued_at, 1))
    health = health_of(supervised)
    assert health["status"] == "ok"
    assert health["workers"] == {"supervised": True, "expected": 1, "alive": 1, "restarts": 1}
    assert health["queue"]["queued"] == 0
    (restarted,) = worker_processes(supervised)
    assert restarted.pid != worker.pid
    assert "exited with code -9" in (supervised.log.read_text() if supervised.log else "")


def test_the_supervisor_restarts_a_failing_worker_with_growing_back_off(
    caplog: pytest.LogCaptureFixture,
) -> None:
    command = [sys.executable, "-c", "import sys; sys.exit(3)"]
    supervisor = WorkerSupervisor(
        command, dict(os.environ), 1, backoff_initial_s=0.05, backoff_max_s=0.2
    )
    with caplog.at_level(logging.WARNING, logger="laadplan"):
        supervisor.start()
        try:
            deadline = time.monotonic() + 30
            while supervisor.status().restarts < 3 and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            supervisor.stop()
    assert supervisor.status().restarts >= 3
    exits = [r.getMessage() for r in caplog.records if "exited with code 3" in r.getMessage()]
    assert len(exits) >= 3
    waits = [float(m.rsplit("restarting it in ", 1)[1].split(" ")[0]) for m in exits[:4]]
    assert waits[:3] == [0.05, 0.1, 0.2]  # doubled, then capped
    assert supervisor.status().alive == 0  # stopped
