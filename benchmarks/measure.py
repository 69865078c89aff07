"""Measure a command: wall-clock time and the peak memory of its whole process tree."""

from __future__ import annotations

import resource
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

#: How often the process tree's memory is sampled, s.
SAMPLE_S = 0.1


@dataclass(frozen=True)
class Measured:
    """What a command took.

    Attributes
    ----------
    wall_s
        Wall-clock seconds from start to exit.
    peak_rss_mb
        Largest sum of resident memory over the process and all its children (Dask workers
        included), MB, sampled every 0.1 s.
    returncode
        The exit code.
    cpu_s
        CPU seconds (user + system) of the process and every child it waited for (Dask
        workers included): what the work cost, whatever else the machine was doing.
    stderr_tail
        The last lines of standard error (progress and errors).
    """

    wall_s: float
    peak_rss_mb: float
    returncode: int
    stderr_tail: str
    cpu_s: float = 0.0


def run_measured(command: list[str], log: Path) -> Measured:
    """Run ``command``, writing its standard error to ``log`` as it goes."""
    started, cpu_before = time.perf_counter(), children_cpu_s()
    with log.open("w", encoding="utf-8") as stderr:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
        peak = _PeakMemory(process.pid)
        peak.start()
        returncode = process.wait()
        peak.stop()
    wall_s = time.perf_counter() - started
    lines = log.read_text(encoding="utf-8").splitlines()
    cpu_s = children_cpu_s() - cpu_before
    return Measured(wall_s, peak.peak_mb, returncode, "\n".join(lines[-15:]), cpu_s)


def children_cpu_s() -> float:
    """CPU seconds of every child process waited for so far (user + system)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return float(usage.ru_utime + usage.ru_stime)


class _PeakMemory(threading.Thread):
    """Samples the resident memory of a process tree until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_mb = 0.0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak_mb = max(self.peak_mb, _tree_rss_mb(self.pid))
            self._stop_event.wait(SAMPLE_S)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def _tree_rss_mb(pid: int) -> float:
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total / 1e6
