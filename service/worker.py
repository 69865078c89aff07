"""The worker: claims queued runs and carries them out, one at a time.

Each run is solved in a child process (fork) while this process renews the run's lease and
records the child's progress.  The child plans through the one planning workflow
(:func:`service.planning.execute_snapshot`): a run of several vervoerregio's is split per
vervoerregio and solved on the engine of the settings (``dask_workers``, ``dask_scheduler``).
If the worker itself dies, the lease runs out and the run is marked failed
(:func:`service.runs.expire_stale_runs`); the child notices its parent is gone and stops.
``LAADPLAN_WORKER_PAUSE_S`` makes the child wait that many seconds before planning (for tests
and demonstrations of a lost worker; unset in production).
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import queue
import socket
import tempfile
import threading
import time
import traceback
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue as ProcessQueue
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from planner.workflows.parallel import Engine
from service.config import Settings
from service.db import make_engine, make_session_factory, transaction
from service.runs import claim_next_run, expire_stale_runs, fail_run, finish_run, renew_lease
from validation import LaadplanError

LOGGER = logging.getLogger("laadplan")
PAUSE_VARIABLE = "LAADPLAN_WORKER_PAUSE_S"
#: Set by ``laadplan serve`` for the workers it starts: they stop when it is gone.
PARENT_VARIABLE = "LAADPLAN_WORKER_PARENT_PID"
#: How often the worker looks at its child, s.
CHECK_EVERY_S = 0.25


def worker_name() -> str:
    """A name for this worker process: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def run_worker(settings: Settings, once: bool = False, stop: threading.Event | None = None) -> int:
    """Claim and carry out runs until stopped; with ``once``, stop when the queue is empty.

    Returns the number of runs carried out.
    """
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    stop = stop or threading.Event()
    name = worker_name()
    handled = 0
    LOGGER.info("worker %s polling %s", name, engine.url.render_as_string(hide_password=True))
    try:
        while not stop.is_set() and _parent_alive():
            with transaction(sessions) as session:
                for run_id in expire_stale_runs(session):
                    LOGGER.warning("run %d: lease expired, marked failed", run_id)
                run = claim_next_run(session, name, settings.lease_s)
                claimed = None if run is None else (run.id, run.input_snapshot)
            if claimed is None:
                if once:
                    break
                stop.wait(settings.poll_s)
                continue
            carry_out(sessions, settings, name, *claimed)
            handled += 1
    finally:
        engine.dispose()
    return handled


def _parent_alive() -> bool:
    """False once the ``laadplan serve`` that started this worker has gone."""
    parent = os.environ.get(PARENT_VARIABLE)
    return parent is None or os.getppid() == int(parent)


def carry_out(
    sessions: sessionmaker[Session],
    settings: Settings,
    name: str,
    run_id: int,
    snapshot: dict[str, Any],
) -> None:
    """Solve one claimed run in a child process, renewing its lease until the child ends."""
    LOGGER.info("run %d: started by %s", run_id, name)
    context = multiprocessing.get_context("fork")
    progress: ProcessQueue[tuple[float, str]] = context.Queue()
    with tempfile.TemporaryDirectory(prefix=f"laadplan-run-{run_id}-") as folder:
        out = Path(folder) / "result.json"
        engine = Engine(workers=settings.dask_workers, scheduler=settings.dask_scheduler)
        child = context.Process(
            target=_child, args=(snapshot, str(out), progress, os.getpid(), engine)
        )
        child.start()
        _watch(sessions, settings, name, run_id, child, progress)
        _record_outcome(sessions, name, run_id, child, out)


def _watch(
    sessions: sessionmaker[Session],
    settings: Settings,
    name: str,
    run_id: int,
    child: BaseProcess,
    progress: ProcessQueue[tuple[float, str]],
) -> None:
    share, message = 0.0, "started"
    renew_every_s = max(settings.lease_s / 3.0, 0.2)
    renewed_at = 0.0
    while child.is_alive():
        latest = _latest(progress, CHECK_EVERY_S, (share, message))
        changed = latest != (share, message)
        share, message = latest
        if not changed and time.monotonic() - renewed_at < renew_every_s:
            continue
        with transaction(sessions) as session:
            ours = renew_lease(session, run_id, name, settings.lease_s, share, message)
        renewed_at = time.monotonic()
        if not ours:
            LOGGER.warning("run %d: no longer ours (expired or retried); stopping it", run_id)
            child.kill()
    child.join()


def _latest(
    progress: ProcessQueue[tuple[float, str]], wait_s: float, last: tuple[float, str]
) -> tuple[float, str]:
    """Wait for progress, then drain the queue; the newest message wins."""
    try:
        last = progress.get(timeout=wait_s)
        while True:
            last = progress.get_nowait()
    except queue.Empty:
        return last


def _record_outcome(
    sessions: sessionmaker[Session], name: str, run_id: int, child: BaseProcess, out: Path
) -> None:
    outcome = json.loads(out.read_text(encoding="utf-8")) if out.is_file() else None
    with transaction(sessions) as session:
        if outcome is not None and "tables" in outcome:
            stored = finish_run(session, run_id, name, outcome["tables"])
            LOGGER.info("run %d: %s", run_id, "done" if stored else "done, but no longer ours")
            return
        error = (outcome or {}).get(
            "error"
        ) or f"the planning process ended with code {child.exitcode}"
        fail_run(session, run_id, name, error)
        LOGGER.warning("run %d failed: %s", run_id, error)


def _child(
    snapshot: dict[str, Any],
    out: str,
    progress: ProcessQueue[tuple[float, str]],
    parent: int,
    engine: Engine,
) -> None:
    from service.planning import execute_snapshot

    def report(share: float, message: str) -> None:
        if os.getppid() != parent:
            os._exit(3)  # the worker is gone: nobody will record this run
        progress.put((share, message))

    pause_s = float(os.environ.get(PAUSE_VARIABLE, "0") or 0)
    for _ in range(int(pause_s * 10)):
        report(0.0, "paused before planning")
        time.sleep(0.1)  # 0.1 s steps: the child stops soon after its worker is gone
    try:
        outcome: dict[str, Any] = {"tables": execute_snapshot(snapshot, report, engine)}
    except LaadplanError as exc:
        outcome = {"error": str(exc)}
    except Exception as exc:  # any failure must reach the run record
        LOGGER.error("%s", traceback.format_exc())
        outcome = {"error": f"internal error: {type(exc).__name__}: {exc}"}
    Path(out).write_text(json.dumps(outcome), encoding="utf-8")
