"""Parallel tasks on Dask: a local cluster of 2 workers, a failing task retried once, a task
failing twice reported while the other tasks' results are kept, and the inline engine."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import cloudpickle
import pytest
from distributed import LocalCluster

from planner.optimisation.base import SolveOptions
from planner.optimisation.solve import options_from
from planner.scenario import OptimisationSettings
from planner.workflows import parallel
from planner.workflows.parallel import ATTEMPTS, Engine, EngineError, TaskResults, run_tasks
from planner.workflows.plan_case import with_threads

# The workers are other processes: send this module's task functions by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def square_in_worker(x: int) -> tuple[int, int]:
    """x², and the process that computed it."""
    return x * x, os.getpid()


def fail_once(marker: str) -> tuple[str, int]:
    """Fail on the first call (leaving ``marker``), succeed on the second."""
    path = Path(marker)
    if not path.exists():
        path.write_text("failed once", encoding="utf-8")
        raise RuntimeError("first attempt fails")
    return "second attempt", os.getpid()


def always_fail(x: int) -> tuple[int, int]:
    """Never succeeds."""
    raise ValueError(f"task {x} cannot be done")


def tasks(tmp_path: Path) -> dict[str, tuple[object, ...]]:
    arguments: dict[str, tuple[object, ...]] = {f"square-{x}": (x,) for x in range(6)}
    arguments["flaky"] = (str(tmp_path / "flaky-marker"),)
    arguments["broken"] = (7,)
    return arguments


def function_of(key: str) -> Callable[..., tuple[object, int]]:
    functions: dict[str, Callable[..., tuple[object, int]]] = {
        "flaky": fail_once,
        "broken": always_fail,
    }
    return functions.get(key, square_in_worker)


def dispatch(key: str, *arguments: object) -> tuple[object, int]:
    """One function for every task (``run_tasks`` runs one function)."""
    result: tuple[object, int] = function_of(key)(*arguments)
    return result


def keyed(arguments: dict[str, tuple[object, ...]]) -> dict[str, tuple[object, ...]]:
    return {key: (key, *args) for key, args in arguments.items()}


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A Dask cluster of 2 worker processes that the tests reach by its address."""
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        yield str(cluster.scheduler_address)


def check_results(results: TaskResults[tuple[object, int]]) -> set[int]:
    """The squares are right, the flaky task succeeded on its retry, the broken one is reported."""
    for x in range(6):
        assert results.values[f"square-{x}"][0] == x * x
        assert results.reports[f"square-{x}"].attempts == 1
        assert not results.reports[f"square-{x}"].failed
    assert results.values["flaky"][0] == "second attempt"
    assert results.reports["flaky"].attempts == 2
    assert results.reports["flaky"].errors == ("RuntimeError: first attempt fails",)
    assert "broken" not in results.values
    broken = results.reports["broken"]
    assert broken.failed and broken.attempts == ATTEMPTS
    assert broken.errors == ("ValueError: task 7 cannot be done",) * ATTEMPTS
    assert results.failed == ["broken"]
    assert results.retried == ["broken", "flaky"]
    return {pid for value, pid in results.values.values()}


def test_tasks_on_an_existing_cluster_retry_once_and_keep_the_others(
    scheduler: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="laadplan")
    results = run_tasks(dispatch, keyed(tasks(tmp_path)), Engine(scheduler=scheduler), "test")
    processes = check_results(results)
    assert os.getpid() not in processes  # computed on the workers
    assert "test: broken failed (attempt 2/2): ValueError: task 7 cannot be done; giving up" in (
        caplog.text
    )
    assert "test: flaky failed (attempt 1/2): RuntimeError: first attempt fails; retrying" in (
        caplog.text
    )
    assert "(8/8)" in caplog.text  # progress counts every task once


def test_a_local_cluster_of_two_workers_is_started_and_stopped(tmp_path: Path) -> None:
    results = run_tasks(dispatch, keyed(tasks(tmp_path)), Engine(workers=2), "local")
    processes = check_results(results)
    assert os.getpid() not in processes
    assert 1 <= len(processes) <= 2


def test_one_worker_runs_the_tasks_here_with_the_same_retry(tmp_path: Path) -> None:
    engine = Engine(workers=1)
    assert engine.runs_inline(8)
    processes = check_results(run_tasks(dispatch, keyed(tasks(tmp_path)), engine, "inline"))
    assert processes == {os.getpid()}


def test_an_unreachable_scheduler_is_a_clear_error() -> None:
    engine = Engine(scheduler="tcp://127.0.0.1:9", connect_timeout_s=2)  # nothing listens there
    with pytest.raises(EngineError, match=r"cannot use the Dask scheduler at tcp://127\.0\.0\.1:9"):
        run_tasks(dispatch, {"a": ("square-1", 1)}, engine)


RSS_AFTER_FRAGMENTING = """
import resource, sys
from planner.optimisation.memory import release_memory

def rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20

blocks = [bytes(1000) for _ in range(300_000)]  # 300 MB on the C heap
kept = blocks[::100]  # a live block every 100 KB keeps the heap from shrinking on its own
del blocks
before = rss_mb()
release_memory()
print(before, rss_mb(), len(kept))
"""


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs Linux's /proc")
def test_release_memory_gives_a_fragmented_heap_back_to_the_system() -> None:
    done = subprocess.run(
        [sys.executable, "-c", RSS_AFTER_FRAGMENTING], capture_output=True, text=True, check=True
    )
    before_mb, after_mb, kept = done.stdout.split()
    assert float(before_mb) > 250 and int(kept) == 3000
    assert float(after_mb) < float(before_mb) - 200


def test_each_task_on_a_worker_releases_its_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    released: list[int] = []
    monkeypatch.setattr(parallel, "release_memory", lambda: released.append(1))
    assert parallel._call_scattered(square_in_worker, (3,))[0][0] == 9
    with pytest.raises(ValueError, match="task 7"):
        parallel._call_scattered(always_fail, (7,))
    assert released == [1, 1]  # after a failed task too


def blocked_until(marker: str, timeout_s: float) -> tuple[bool, int]:
    """Wait for ``marker`` to exist; whether it came within ``timeout_s``, and this process."""
    path, deadline = Path(marker), time.monotonic() + timeout_s
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    return path.exists(), os.getpid()


def leave_marker(marker: str) -> tuple[str, int]:
    """Leave ``marker`` behind."""
    Path(marker).write_text("ran", encoding="utf-8")
    return marker, os.getpid()


def run_in_order(key: str, *arguments: object) -> tuple[object, int]:
    """The first task waits for the last one; the others leave their markers."""
    if key == "first":
        return blocked_until(str(arguments[0]), float(str(arguments[1])))
    return leave_marker(str(arguments[0]))


@pytest.mark.parametrize("where", ["local", "scheduler"])
def test_a_free_worker_takes_the_next_task_while_another_is_busy(
    where: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """List scheduling: with one worker held by the first task (until the last has run),
    every other task runs on the other worker.  Handed out all at once, round robin, every
    second task queued behind the first on its worker (this test failed so)."""
    last = tmp_path / "last"
    arguments: dict[str, tuple[object, ...]] = {"first": ("first", str(last), 60.0)}
    arguments |= {f"task-{i}": (f"task-{i}", str(tmp_path / f"task-{i}")) for i in range(4)}
    arguments["last"] = ("last", str(last))
    engine = (
        Engine(workers=2)
        if where == "local"
        else Engine(scheduler=request.getfixturevalue("scheduler"))
    )
    results = run_tasks(run_in_order, arguments, engine, "ordered")
    came, first_process = results.values["first"]
    assert came is True
    others = {process for key, (_, process) in results.values.items() if key != "first"}
    assert others and first_process not in others


@pytest.mark.parametrize("workers", [1, 2, 3, 64])
def test_the_cores_are_shared_out_over_the_local_workers_solvers(workers: int) -> None:
    cores = os.cpu_count() or 1
    engine = Engine(workers=workers)
    threads = engine.solver_threads(tasks=15)
    if workers == 1:  # every task runs here: the solver's own default
        assert threads is None
    else:
        assert threads == max(1, cores // workers)
        assert threads * workers <= max(cores, workers)  # never more threads than cores
    assert engine.solver_threads(tasks=1) is None  # one task runs here too
    assert Engine(scheduler="tcp://127.0.0.1:9").solver_threads(tasks=15) is None


def test_the_solver_threads_go_into_the_scenarios_options() -> None:
    settings = OptimisationSettings(mip_gap=0.02, time_limit_s=77.0)
    assert with_threads(None, settings, None) is None  # the scenario's, made per year
    shared = with_threads(None, settings, 1)
    assert shared == replace(options_from(settings), threads=1)
    given = SolveOptions(mip_gap=0.05, max_nodes=9)
    assert with_threads(given, settings, 3) == replace(given, threads=3)
    assert with_threads(given, settings, None) is given
