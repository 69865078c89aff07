"""Parallel work on Dask: sub-problem solves and scenario sweeps as Dask tasks.

:func:`run_tasks` runs one function over a set of named argument tuples:

* on a local Dask cluster of ``workers`` processes (one thread each: a MILP solve holds the
  GIL-free solver and its Python model; processes keep them apart), started and stopped here;
* on an existing Dask distributed cluster when ``scheduler`` names its address
  (``tcp://host:8786``), so the same work goes to more machines unchanged;
* in this process, one task after the other, when there is one worker (or one task) and no
  scheduler — starting a cluster for that would only cost time.

Each worker takes the next task, in the order given, as it frees up (list scheduling: give
the largest first and the small ones fill in around them).  A task that raises is submitted
once more; when the second attempt fails too, its error is reported (:class:`TaskReport`)
and the other tasks' results are kept.  Progress is logged as tasks finish.  After each task
on a worker the heap it freed goes back to the operating system (:func:`release_memory`): a
worker otherwise keeps the peak of its largest task for the rest of the run, and two
workers' leftovers add up.
"""

from __future__ import annotations

import logging
import os
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from planner.optimisation.memory import release_memory
from validation import LaadplanError

LOGGER = logging.getLogger("laadplan")

T = TypeVar("T")

#: Attempts per task: the first and one retry.
ATTEMPTS = 2
#: ``on_done(key, done, total)``: called as each task finishes.
DoneCallback = Callable[[str, int, int], None]


class EngineError(LaadplanError):
    """The Dask cluster could not be started or reached."""


@dataclass(frozen=True)
class Engine:
    """Where tasks run.

    Attributes
    ----------
    workers
        Worker processes of the local cluster (``None``: one per CPU core).
    scheduler
        Address of an existing Dask scheduler; the local cluster is not started then.
    connect_timeout_s
        How long to try to reach the scheduler, s.
    """

    workers: int | None = None
    scheduler: str | None = None
    connect_timeout_s: float = 20.0

    @property
    def local_workers(self) -> int:
        """Worker processes of the local cluster."""
        return self.workers if self.workers is not None else (os.cpu_count() or 1)

    def runs_inline(self, tasks: int) -> bool:
        """Whether ``tasks`` tasks run in this process (no cluster)."""
        return self.scheduler is None and (self.local_workers <= 1 or tasks <= 1)

    def solver_threads(self, tasks: int) -> int | None:
        """Solver threads per task: the cores shared out over the local cluster's workers.

        ``None`` (the solver's default) where the tasks run in this process or on a cluster
        this machine does not know.  On two cores with two workers, HiGHS's default of
        two threads per solve put four threads on the cores; one each planned the Flanders
        benchmark 2030 in 287 and 277 s against 317 and 294 s, the same plan
        (``docs/benchmarks.md``).

        Examples
        --------
        >>> Engine(workers=2).solver_threads(15) == max(1, (os.cpu_count() or 1) // 2)
        True
        >>> Engine(workers=2).solver_threads(1) is None
        True
        """
        if self.scheduler is not None or self.runs_inline(tasks):
            return None
        return max(1, (os.cpu_count() or 1) // self.local_workers)

    def describe(self) -> str:
        """Where the tasks run, for the log."""
        if self.scheduler:
            return f"the Dask scheduler at {self.scheduler}"
        return f"a local Dask cluster of {self.local_workers} worker process(es)"


@dataclass(frozen=True)
class TaskReport:
    """How one task went.

    Attributes
    ----------
    key
        The task's name.
    attempts
        Attempts made (2 when the first failed).
    seconds
        Wall-clock seconds of the last attempt on its worker (0 when it failed).
    errors
        The error of each failed attempt, in order.
    """

    key: str
    attempts: int
    seconds: float
    errors: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        """Whether every attempt failed."""
        return len(self.errors) >= self.attempts


@dataclass(frozen=True)
class TaskResults(Generic[T]):
    """The results of :func:`run_tasks`.

    Attributes
    ----------
    values
        Per task key, its value (failed tasks are absent).
    reports
        Per task key, its :class:`TaskReport`.
    """

    values: dict[str, T] = field(default_factory=dict)
    reports: dict[str, TaskReport] = field(default_factory=dict)

    @property
    def failed(self) -> list[str]:
        """Keys of the tasks whose every attempt failed."""
        return sorted(key for key, report in self.reports.items() if report.failed)

    @property
    def retried(self) -> list[str]:
        """Keys of the tasks that needed a second attempt."""
        return sorted(key for key, report in self.reports.items() if report.attempts > 1)


def timed_call(function: Callable[..., T], arguments: tuple[Any, ...]) -> tuple[T, float]:
    """Call ``function(*arguments)``; return its value and its wall-clock seconds."""
    started = time.perf_counter()
    value = function(*arguments)
    return value, time.perf_counter() - started


def run_tasks(
    function: Callable[..., T],
    arguments: Mapping[str, tuple[Any, ...]],
    engine: Engine | None = None,
    label: str = "tasks",
    on_done: DoneCallback | None = None,
) -> TaskResults[T]:
    """Run ``function(*arguments[key])`` for every key, in parallel where the engine allows.

    Parameters
    ----------
    function
        A module-level function (workers import it by name).
    arguments
        Per task key, the positional arguments.
    engine
        Where to run; by default a local cluster with one worker per core.
    label
        What the tasks do, for the progress log.
    on_done
        Called as each task finishes (or fails for good) with its key, the number of tasks
        finished and their total (progress).

    Raises
    ------
    EngineError
        When the scheduler cannot be reached or the local cluster cannot start.
    """
    engine = engine or Engine()
    if engine.runs_inline(len(arguments)):
        LOGGER.info("%s: %d task(s) in this process", label, len(arguments))
        return _run_inline(function, arguments, label, on_done or _nothing)
    with _client(engine) as client:
        LOGGER.info("%s: %d task(s) on %s", label, len(arguments), engine.describe())
        return _run_on_cluster(client, function, arguments, label, on_done or _nothing)


def _nothing(key: str, done: int, total: int) -> None:
    """A :data:`DoneCallback` that does nothing."""


def _run_inline(
    function: Callable[..., T],
    arguments: Mapping[str, tuple[Any, ...]],
    label: str,
    on_done: DoneCallback,
) -> TaskResults[T]:
    results: TaskResults[T] = TaskResults()
    for done, (key, args) in enumerate(arguments.items(), start=1):
        errors: list[str] = []
        for attempt in range(1, ATTEMPTS + 1):
            try:
                value, seconds = timed_call(function, args)
            except Exception as exc:  # a task's failure is reported, never fatal to the others
                errors.append(_describe(exc))
                _log_failure(label, key, attempt, errors[-1])
                continue
            results.values[key] = value
            results.reports[key] = TaskReport(key, attempt, seconds, tuple(errors))
            break
        else:
            results.reports[key] = TaskReport(key, ATTEMPTS, 0.0, tuple(errors))
        _log_done(label, key, results.reports[key], done, len(arguments))
        on_done(key, done, len(arguments))
    return results


@contextmanager
def _client(engine: Engine) -> Iterator[Any]:
    from distributed import Client, LocalCluster

    distributed_log = logging.getLogger("distributed")
    level = distributed_log.level
    distributed_log.setLevel(logging.WARNING)  # the cluster's own chatter stays out of progress
    try:
        if engine.scheduler:
            client = Client(engine.scheduler, timeout=engine.connect_timeout_s)
            cluster = None
        else:
            cluster = LocalCluster(
                n_workers=engine.local_workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # any free port: never clash with another cluster
                silence_logs=logging.ERROR,
            )
            client = Client(cluster)
    except (OSError, TimeoutError, RuntimeError, ValueError) as exc:  # unreachable, bad address
        raise EngineError(f"cannot use {engine.describe()}: {exc}") from exc
    try:
        yield client
    finally:
        distributed_log.setLevel(logging.CRITICAL)  # connections closing at shutdown are expected
        client.close()
        if cluster is not None:
            cluster.close()
        distributed_log.setLevel(level)


def _run_on_cluster(
    client: Any,
    function: Callable[..., T],
    arguments: Mapping[str, tuple[Any, ...]],
    label: str,
    on_done: DoneCallback,
) -> TaskResults[T]:
    """Run the tasks on the cluster's workers, one task per worker at a time, in order.

    List scheduling: each worker gets the next task in ``arguments``' order as it frees up
    (a retry goes first), its arguments scattered to that worker just then.  Handed out all
    at once, Dask placed each task with its scattered arguments, round robin: the order
    held per worker only, and a large task could wait behind another on one worker while
    the other worker idled (the Flanders benchmark's largest vervoerregio ran alone at the
    end).  A cluster that has no workers yet gets every task at once and places them itself.
    """
    from distributed import as_completed

    results: TaskResults[T] = TaskResults()
    errors: dict[str, list[str]] = {key: [] for key in arguments}
    waiting: deque[tuple[str, int]] = deque((key, 1) for key in arguments)
    placed: dict[Any, tuple[str, int, str | None]] = {}

    def submit(worker: str | None) -> Any:
        key, attempt = waiting.popleft()
        if worker not in _worker_addresses(client):  # gone (or none known)
            worker = None
        where = None if worker is None else [worker]
        [data] = client.scatter([arguments[key]], workers=where, hash=False)
        future = client.submit(
            _call_scattered,
            function,
            data,
            key=f"{label}:{key}:{attempt}",
            pure=False,
            workers=where,
            allow_other_workers=True,  # a worker that leaves does not strand its task
        )
        placed[future.key] = (key, attempt, worker)
        return future

    known = _worker_addresses(client)
    workers: list[str | None] = [*known] if known else [None] * len(waiting)
    pending = as_completed([submit(worker) for worker in workers[: len(waiting)]])
    done = 0
    for future in pending:
        key, attempt, worker = placed.pop(future.key)
        try:
            value, seconds = future.result()
        except Exception as exc:  # reported per task; the other tasks go on
            errors[key].append(_describe(exc))
            _log_failure(label, key, attempt, errors[key][-1])
            if attempt < ATTEMPTS:
                waiting.appendleft((key, attempt + 1))
            else:
                results.reports[key] = TaskReport(key, attempt, 0.0, tuple(errors[key]))
        else:
            results.values[key] = value
            results.reports[key] = TaskReport(key, attempt, seconds, tuple(errors[key]))
        future.release()
        if waiting:
            pending.add(submit(worker))
        if key not in results.reports:  # retried
            continue
        done += 1
        _log_done(label, key, results.reports[key], done, len(arguments))
        on_done(key, done, len(arguments))
    return results


def _worker_addresses(client: Any) -> list[str]:
    """The addresses of the cluster's workers now, sorted (every worker, on any version)."""
    return sorted(client.ncores())


def _call_scattered(function: Callable[..., T], arguments: tuple[Any, ...]) -> tuple[T, float]:
    try:
        return timed_call(function, arguments)
    finally:
        release_memory()


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _log_failure(label: str, key: str, attempt: int, error: str) -> None:
    then = "retrying once" if attempt < ATTEMPTS else "giving up"
    LOGGER.warning(
        "%s: %s failed (attempt %d/%d): %s; %s", label, key, attempt, ATTEMPTS, error, then
    )


def _log_done(label: str, key: str, report: TaskReport, done: int, total: int) -> None:
    outcome = "failed" if report.failed else f"done in {report.seconds:.1f} s"
    LOGGER.info("%s: %s %s (%d/%d)", label, key, outcome, done, total)
