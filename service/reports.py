"""A finished run's regional charging plan as PDF or HTML: ``GET /runs/{id}/report``.

The report is :func:`dashboards.report.report_bytes` on a :class:`RunStore`: the run's frozen
input files (its snapshot) as the case, its result tables as the plan, the service's
k-anonymity for every figure made from them.  So the service's report is the one ``laadplan
report`` writes for the same inputs and plan.

Printing a PDF starts headless Chromium; it must never hold the server up.  At most
:data:`REPORT_SLOTS` reports are made at once (a request beyond them gets 503 with
``Retry-After`` at once); a print taking longer than the time limit is stopped with its whole
process group and answers 503 with the reason, as does a server without Chromium.
"""

from __future__ import annotations

import dataclasses
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from dashboards.plan_data import PlanOutputs
from dashboards.report import report_bytes
from dashboards.store import CaseStore
from service.dashboard import TEXT_COLUMNS, outputs_of_run

#: Reports made at the same time, at most (each may run a Chromium).
REPORT_SLOTS = 2
#: Longest a PDF print may take in the service, s.
REPORT_TIMEOUT_S = 60.0
#: Seconds a client is asked to wait before trying again when every slot is taken.
RETRY_AFTER_S = 10
_SLOTS = threading.BoundedSemaphore(REPORT_SLOTS)


class ReportsBusyError(Exception):
    """Every report slot is taken."""


@contextmanager
def report_slot() -> Iterator[None]:
    """Hold one of the :data:`REPORT_SLOTS` while a report is made (else ``ReportsBusyError``)."""
    if not _SLOTS.acquire(blocking=False):
        raise ReportsBusyError(
            f"{REPORT_SLOTS} reports are being made; try again in {RETRY_AFTER_S} s"
        )
    try:
        yield
    finally:
        _SLOTS.release()


class RunStore(CaseStore):
    """A finished run as a case store: its snapshot's files as the case, its tables as the plan.

    Parameters
    ----------
    folder
        An empty folder to write the snapshot's files into.
    run_id, snapshot, tables
        The run's id, frozen inputs and result tables (``{"columns", "records"}`` by name).
    """

    def __init__(
        self, folder: Path, run_id: int, snapshot: dict[str, Any], tables: dict[str, Any]
    ) -> None:
        for name, text in snapshot["files"].items():
            (folder / name).write_text(text, encoding="utf-8")
        super().__init__(folder, None)
        self._outputs = run_outputs(run_id, tables)

    @property
    def plan(self) -> PlanOutputs | None:
        """The run's plan, with the grid operator's capacity requests of the plan."""
        return self._outputs


def run_outputs(run_id: int, tables: dict[str, Any]) -> PlanOutputs:
    """A run's tables as :class:`~dashboards.plan_data.PlanOutputs`, capacity requests included."""
    outputs = outputs_of_run(run_id, tables)
    requests = tables.get("grid_requests") or {}
    frame = pd.DataFrame(requests.get("records", []), columns=requests.get("columns", ["year"]))
    for column in TEXT_COLUMNS:
        if column in frame.columns:
            frame[column] = frame[column].fillna("").astype(str)
    return dataclasses.replace(outputs, capacity_requests=frame)


def run_report(
    run_id: int,
    snapshot: dict[str, Any],
    tables: dict[str, Any],
    region: int,
    fmt: str,
    lang: str,
    timeout_s: float = REPORT_TIMEOUT_S,
) -> bytes:
    """The report of vervoerregio ``region`` of a finished run, as PDF or HTML bytes.

    Raises
    ------
    ReportsBusyError
        When every report slot is taken.
    dashboards.report.ReportError
        When the PDF cannot be printed (no Chromium, a failure, the time limit).
    """
    with report_slot(), tempfile.TemporaryDirectory(prefix="laadplan-run-report-") as folder:
        store = RunStore(Path(folder), run_id, snapshot, tables)
        k = int(snapshot["k_anonymity"])
        return report_bytes(store, region, fmt, lang, k=k, timeout_s=timeout_s)
