"""Which plans can be shown: the case's plan, the service's runs and the Scenarios-page runs.

The case's plan is the results folder's (``laadplan dashboard``) or, inside ``laadplan serve``,
the published run's from the database.  A :class:`RunCatalogue` (given by the service) adds
every finished run of the database, so the dashboard shows the plans the API serves.
"""

from __future__ import annotations

from typing import Protocol

from dashboards.jobs import JobRegistry, JobState
from dashboards.plan_data import PlanOutputs

#: Source value of the case's own plan (results folder, or the published run).
RESULTS = "results"
#: Prefix of the source values of a catalogue's runs.
RUN_PREFIX = "run:"


class RunCatalogue(Protocol):
    """Finished plan runs stored elsewhere (the service's database)."""

    def runs(self) -> list[tuple[str, str]]:
        """(key, label) of every finished run, newest first."""
        ...

    def plan(self, key: str) -> PlanOutputs | None:
        """The plan of a run (``None`` when there is no such finished run)."""
        ...


def plan_sources(
    results_plan: PlanOutputs | None, jobs: JobRegistry, runs: RunCatalogue | None = None
) -> list[tuple[str, str]]:
    """(value, label) of every plan to show: the case's first, the catalogue's, the jobs'."""
    sources = [(RESULTS, f"{RESULTS}: {results_plan.label}")] if results_plan is not None else []
    if runs is not None:
        sources += [(RUN_PREFIX + key, text) for key, text in runs.runs()]
    for job in jobs.jobs():
        if job.state == JobState.DONE and isinstance(job.result, PlanOutputs):
            sources.append((job.job_id, f"{job.job_id}: {job.name}"))
    return sources


def plan_of(
    source: object,
    results_plan: PlanOutputs | None,
    jobs: JobRegistry,
    runs: RunCatalogue | None = None,
) -> PlanOutputs | None:
    """The plan of a source value (``None`` when it has none)."""
    if source == RESULTS:
        return results_plan
    if isinstance(source, str) and source.startswith(RUN_PREFIX):
        return None if runs is None else runs.plan(source.removeprefix(RUN_PREFIX))
    job = jobs.snapshot(str(source)) if source else None
    if job is None or not isinstance(job.result, PlanOutputs):
        return None
    return job.result
