"""Which plans can be shown: the results folder's and the finished Scenarios-page runs."""

from __future__ import annotations

from dashboards.jobs import JobRegistry, JobState
from dashboards.plan_data import PlanOutputs

#: Source value of the results folder's plan.
RESULTS = "results"


def plan_sources(results_plan: PlanOutputs | None, jobs: JobRegistry) -> list[tuple[str, str]]:
    """(value, label) of every plan to show: the results folder's first, then finished runs."""
    sources = [(RESULTS, f"{RESULTS}: {results_plan.label}")] if results_plan is not None else []
    for job in jobs.jobs():
        if job.state == JobState.DONE and isinstance(job.result, PlanOutputs):
            sources.append((job.job_id, f"{job.job_id}: {job.name}"))
    return sources


def plan_of(
    source: object, results_plan: PlanOutputs | None, jobs: JobRegistry
) -> PlanOutputs | None:
    """The plan of a source value (``None`` when it has none)."""
    if source == RESULTS:
        return results_plan
    job = jobs.snapshot(str(source)) if source else None
    if job is None or not isinstance(job.result, PlanOutputs):
        return None
    return job.result
