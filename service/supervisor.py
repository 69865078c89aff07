"""Supervision of the worker processes that ``laadplan serve`` starts.

:class:`WorkerSupervisor` starts the workers and watches them from a thread: a worker that exits
while the server runs is logged and started again after a back-off that doubles (from
``backoff_initial_s`` up to ``backoff_max_s``) while workers keep dying young, and starts over
once a worker has lived ``stable_after_s``. :meth:`WorkerSupervisor.status` is what ``/health``
reports; :func:`queue_status` tells how long the oldest queued run has waited.
"""

from __future__ import annotations

import logging
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.models import PlanningRun, RunStatus

LOGGER = logging.getLogger("laadplan")

#: First wait before restarting a worker that exited, s.
BACKOFF_INITIAL_S = 1.0
#: Longest wait before a restart, s.
BACKOFF_MAX_S = 60.0
#: A worker that ran this long before exiting was healthy: the back-off starts over, s.
STABLE_AFTER_S = 60.0
#: How often the supervisor looks at its workers, s.
WATCH_INTERVAL_S = 0.5


@dataclass
class _Slot:
    """One supervised worker: its process, when it started, when to restart it."""

    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restart_at: float | None = None
    backoff_s: float = BACKOFF_INITIAL_S
    restarts: int = 0


@dataclass
class WorkerStatus:
    """What ``/health`` says about the workers."""

    supervised: bool
    expected: int
    alive: int
    restarts: int
    pids: list[int] = field(default_factory=list)


class WorkerSupervisor:
    """Start ``count`` worker processes and keep them running.

    Parameters
    ----------
    command
        The worker's command line.
    environment
        Its environment.
    count
        Workers to keep alive.
    backoff_initial_s, backoff_max_s, stable_after_s
        Restart back-off (see the module docstring), s.
    """

    def __init__(
        self,
        command: Sequence[str],
        environment: Mapping[str, str],
        count: int,
        backoff_initial_s: float = BACKOFF_INITIAL_S,
        backoff_max_s: float = BACKOFF_MAX_S,
        stable_after_s: float = STABLE_AFTER_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.command = list(command)
        self.environment = dict(environment)
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self.stable_after_s = stable_after_s
        self.clock = clock
        self.slots = [_Slot(backoff_s=backoff_initial_s) for _ in range(max(count, 0))]
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start every worker and the watching thread."""
        with self._lock:
            for number, slot in enumerate(self.slots):
                self._launch(number, slot)
        self._thread = threading.Thread(target=self._watch, name="worker-supervisor", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        """Stop watching, then terminate the workers and wait for them."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout_s)
        with self._lock:
            running = [slot.process for slot in self.slots if slot.process is not None]
        for process in running:
            if process.poll() is None:
                process.terminate()
        for process in running:
            try:
                process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()

    def status(self) -> WorkerStatus:
        """How many workers should run, how many do, how often they were restarted."""
        with self._lock:
            alive = [
                slot.process.pid
                for slot in self.slots
                if slot.process is not None and slot.process.poll() is None
            ]
            restarts = sum(slot.restarts for slot in self.slots)
        return WorkerStatus(bool(self.slots), len(self.slots), len(alive), restarts, alive)

    def check_once(self) -> None:
        """Look at every worker once: note exits, restart those whose back-off has passed."""
        with self._lock:
            now = self.clock()
            for number, slot in enumerate(self.slots):
                if slot.restart_at is not None:
                    if now >= slot.restart_at:
                        slot.restarts += 1
                        self._launch(number, slot)
                    continue
                code = None if slot.process is None else slot.process.poll()
                if slot.process is not None and code is not None:
                    self._schedule_restart(number, slot, code, now)

    def _watch(self) -> None:
        while not self._stop.wait(WATCH_INTERVAL_S):
            try:
                self.check_once()
            except Exception:
                LOGGER.exception("the worker supervisor failed to check its workers")

    def _schedule_restart(self, number: int, slot: _Slot, code: int, now: float) -> None:
        lived_s = now - slot.started_at
        if lived_s >= self.stable_after_s:
            slot.backoff_s = self.backoff_initial_s
        LOGGER.warning(
            "worker %d (pid %s) exited with code %s after %.0f s; restarting it in %g s",
            number, slot.process.pid if slot.process else "?", code, lived_s, slot.backoff_s,
        )  # fmt: skip
        slot.restart_at = now + slot.backoff_s
        slot.backoff_s = min(slot.backoff_s * 2, self.backoff_max_s)

    def _launch(self, number: int, slot: _Slot) -> None:
        slot.process = subprocess.Popen(self.command, env=self.environment)
        slot.started_at = self.clock()
        slot.restart_at = None
        LOGGER.info("worker %d started (pid %d)", number, slot.process.pid)


@dataclass(frozen=True)
class QueueStatus:
    """Runs waiting and running, and how long the oldest queued run has waited."""

    queued: int
    running: int
    oldest_queued_age_s: float | None


def queue_status(session: Session, now: datetime | None = None) -> QueueStatus:
    """Count queued and running runs; the age of the oldest queued one, s."""
    counts = dict(
        session.execute(
            select(PlanningRun.status, func.count())
            .where(PlanningRun.status.in_([RunStatus.QUEUED.value, RunStatus.RUNNING.value]))
            .group_by(PlanningRun.status)
        ).all()
    )
    oldest = session.scalar(
        select(func.min(PlanningRun.created_at)).where(PlanningRun.status == RunStatus.QUEUED.value)
    )
    age_s = None
    if oldest is not None:
        oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC)
        age_s = max(((now or datetime.now(UTC)) - oldest).total_seconds(), 0.0)
    return QueueStatus(
        int(counts.get(RunStatus.QUEUED.value, 0)),
        int(counts.get(RunStatus.RUNNING.value, 0)),
        age_s,
    )
