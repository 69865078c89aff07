"""Long work (plan runs) in a background thread, with progress the page polls.

:class:`JobRegistry` runs one job at a time in a worker thread (the machine's cores go to the
solver) and keeps every job with its state, progress and result. A job reports progress
through the function it is given; in addition, every line the job logs to the ``laadplan``
logger (the stage lines of :mod:`planner.workflows.progress`) becomes its current message. The page
asks :meth:`JobRegistry.snapshot` on a timer (``dcc.Interval``), so a run never blocks it.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

LOGGER = logging.getLogger("laadplan")

#: ``report(fraction, message)``: how a job tells its progress (fraction 0–1).
Progress = Callable[[float, str], None]


class JobState(StrEnum):
    """Where a job is."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass
class Job:
    """One job and what is known about it.

    Attributes
    ----------
    job_id, name
        Identifier and the name the person gave it.
    settings
        What the job was started with (shown next to its results).
    state, progress, message
        Where it is, the fraction done (0–1) and the latest progress line.
    result, error
        The job's return value when done; the error text when it failed.
    submitted_s, started_s, finished_s
        Wall-clock times (``time.time()``).
    """

    job_id: str
    name: str
    settings: dict[str, Any]
    state: JobState = JobState.QUEUED
    progress: float = 0.0
    message: str = ""
    result: Any = None
    error: str = ""
    submitted_s: float = field(default_factory=time.time)
    started_s: float | None = None
    finished_s: float | None = None

    @property
    def elapsed_s(self) -> float:
        """Seconds since the job started (its whole run time when finished)."""
        if self.started_s is None:
            return 0.0
        return (self.finished_s or time.time()) - self.started_s


class _ThreadLogHandler(logging.Handler):
    """Copies the log lines of one thread into a job's message."""

    def __init__(self, registry: JobRegistry, job_id: str) -> None:
        super().__init__(level=logging.INFO)
        self.registry = registry
        self.job_id = job_id
        self.thread_id = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread_id:
            self.registry.update(self.job_id, message=record.getMessage())


class JobRegistry:
    """Jobs run one at a time in a background thread; state kept for the page to poll."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._counter = itertools.count(1)
        self._executor: ThreadPoolExecutor | None = None

    def submit(self, name: str, settings: dict[str, Any], work: Callable[[Progress], Any]) -> str:
        """Queue ``work(report)``; return the job's id at once."""
        with self._lock:
            job_id = f"run-{next(self._counter)}"
            self._jobs[job_id] = Job(job_id, name or job_id, dict(settings))
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    max_workers=1, thread_name_prefix="laadplan-job"
                )
            executor = self._executor
        executor.submit(self._run, job_id, work)
        return job_id

    def _run(self, job_id: str, work: Callable[[Progress], Any]) -> None:
        self.update(job_id, state=JobState.RUNNING, started_s=time.time())
        handler = _ThreadLogHandler(self, job_id)
        LOGGER.addHandler(handler)
        try:
            result = work(
                lambda fraction, message: self.update(job_id, progress=fraction, message=message)
            )
        except Exception as exc:  # a failed run is shown on the page, never lost
            LOGGER.exception("job %s failed", job_id)
            self.update(
                job_id,
                state=JobState.FAILED,
                error=str(exc) or type(exc).__name__,
                finished_s=time.time(),
            )
        else:
            self.update(
                job_id, state=JobState.DONE, progress=1.0, result=result, finished_s=time.time()
            )
        finally:
            LOGGER.removeHandler(handler)

    def update(self, job_id: str, **changes: Any) -> None:
        """Change fields of a job (used by the worker)."""
        with self._lock:
            job = self._jobs[job_id]
            for key, value in changes.items():
                setattr(job, key, value)

    def snapshot(self, job_id: str) -> Job | None:
        """A copy of a job as it is now, or ``None`` for an unknown id."""
        with self._lock:
            job = self._jobs.get(job_id)
            return None if job is None else dataclasses.replace(job)

    def jobs(self) -> list[Job]:
        """Copies of every job, in the order they were submitted."""
        with self._lock:
            return [dataclasses.replace(job) for job in self._jobs.values()]

    def wait(self, job_id: str, timeout_s: float) -> Job | None:
        """Wait until a job has finished or ``timeout_s`` passed; return its snapshot."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            job = self.snapshot(job_id)
            if job is None or job.state in (JobState.DONE, JobState.FAILED):
                return job
            time.sleep(0.05)
        return self.snapshot(job_id)

    def shutdown(self) -> None:
        """Stop taking jobs and wait for the running one."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
