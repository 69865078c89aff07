"""Scenarios callbacks: start a run in the background, poll its progress, compare two runs."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from dash import Dash, Input, Output, State, html, no_update

from dashboards.components import (
    LANG_STORE,
    data_table,
    long_table,
    register_download,
    register_option_labels,
)
from dashboards.context import AppContext
from dashboards.downloads import table_download
from dashboards.geo import municipality_outlines
from dashboards.i18n import language, t, translate_message
from dashboards.jobs import JobState
from dashboards.pages.scenarios import _business_logic as logic
from dashboards.pages.scenarios import _figures as figures
from dashboards.pages.scenarios import _ids as ids
from dashboards.pages.scenarios._layout import LADDER_OPTIONS, OFFPEAK_OPTIONS
from dashboards.plan_data import PlanOutputs, located_reinforcement, located_sites, rows_of_year
from dashboards.plan_figures import make_plan_map
from dashboards.plan_sources import plan_of, plan_sources
from dashboards.scenario_runs import apply_knobs, run_plan
from validation import LaadplanError

FINISHED = (JobState.DONE, JobState.FAILED)


def start_run(
    context: AppContext, n_clicks: Any, name: Any, lang: Any, *knob_values: Any
) -> tuple[Any, Any, Any]:
    """Check the knobs and queue a plan run; return (current job, poll disabled, error)."""
    if not n_clicks:
        return no_update, no_update, ""
    store = context.store
    try:
        knobs = logic.knobs_from_controls(
            dict(zip(ids.KNOB_CONTROLS, knob_values, strict=True)), store.years[-1]
        )
        apply_knobs(store.scenario, knobs)
    except (ValueError, LaadplanError) as exc:
        return no_update, no_update, html_error(str(exc))
    years = f"–{knobs.year}" if knobs.chain_years else f" {knobs.year}"
    label = str(name or "").strip() or f"{knobs.ladder_policy}/{knobs.offpeak_policy}{years}"
    job_id = context.jobs.submit(
        label,
        knobs.describe(),
        lambda report: run_plan(store.case, knobs, report, label),
    )
    return job_id, False, ""


def html_error(text: str) -> Any:
    """An error message block."""
    return html.Div(text, className="message error", id=ids.ERROR_TEXT)


def poll(
    context: AppContext, _n: Any, current: Any, run_a: Any, run_b: Any, lang: Any
) -> tuple[Any, ...]:
    """Progress of the current run, the runs table, and the runs to compare."""
    lang = language(lang)
    job = context.jobs.snapshot(str(current)) if current else None
    running = job is not None and job.state not in FINISHED
    sources = plan_sources(context.store.plan, context.jobs, context.runs)
    options = [{"value": value, "label": text} for value, text in sources]
    new_a, new_b = pick_pair(
        [value for value, _ in sources],
        job.job_id if job and job.state == JobState.DONE else None,
        run_a,
        run_b,
    )
    return (
        str(round(job.progress, 3)) if job else "0",
        run_status(job, lang),
        data_table(logic.run_rows(context.jobs.jobs()), lang)
        if context.jobs.jobs()
        else t("scen.no_runs", lang),
        not running,
        running,
        options,
        options,
        new_a,
        new_b,
    )


def pick_pair(sources: list[str], finished: str | None, run_a: Any, run_b: Any) -> tuple[Any, Any]:
    """Runs to compare: a run that just finished becomes B, the previous B (or another) A.

    Examples
    --------
    >>> pick_pair(["results", "run-1"], "run-1", None, None)
    ('results', 'run-1')
    >>> pick_pair(["results", "run-1", "run-2"], "run-2", "results", "run-1")
    ('run-1', 'run-2')
    """
    if finished is None or run_b == finished:
        defaults = (sources[0] if sources else None, sources[1] if len(sources) > 1 else None)
        return (
            (run_a or defaults[0], run_b or defaults[1])
            if run_a is None and run_b is None
            else (no_update, no_update)
        )
    others = [source for source in sources if source != finished]
    new_a = run_b if run_b in others else (others[-1] if others else None)
    return new_a, finished


def run_status(job: Any, lang: str) -> str:
    """One line about the current run."""
    if job is None:
        return ""
    state = t(f"scen.{job.state}", lang)
    detail = translate_message(job.error if job.state == JobState.FAILED else job.message, lang)
    return f"{job.job_id} ({job.name}): {state}, {job.elapsed_s:.0f} s — {detail}"


def compare(context: AppContext, run_a: Any, run_b: Any, lang: Any) -> tuple[Any, ...]:
    """The comparison of two runs (or one, until a second exists): table, charts, maps."""
    lang = language(lang)
    plans = chosen_plans(context, run_a, run_b)
    if not plans:
        return (t("scen.no_runs", lang), *[go.Figure()] * 5)
    chosen = list(plans.values())
    tiers, costs = logic.tier_comparison(plans), logic.cost_comparison(plans)
    maps = [plan_map(context, plan, lang, name) for name, plan in plans.items()] + [go.Figure()]
    return (
        data_table(long_table(logic.compare_table(*chosen), "quantity", lang), lang, max_rows=200),
        figures.make_tier_figure(tiers, "energy_kwh_per_day", "q.energy_share_tier", lang),
        figures.make_tier_figure(tiers, "chargers", "q.chargers_by_tier", lang),
        figures.make_cost_figure(costs, lang),
        maps[0],
        maps[1],
    )


def chosen_plans(context: AppContext, run_a: Any, run_b: Any) -> dict[str, PlanOutputs]:
    """The plans of runs A and B by a display name (``A: …``, ``B: …``)."""
    plans = {}
    for letter, source in (("A", run_a), ("B", run_b)):
        plan = plan_of(source, context.store.plan, context.jobs, context.runs)
        if plan is not None:
            plans[f"{letter}: {source}"] = plan
    return plans


def plan_map(context: AppContext, plan: PlanOutputs, lang: str, title: str = "") -> Any:
    """The map of a plan's last year, titled with the run."""
    year = logic.last_year(plan)
    sites = located_sites(rows_of_year(plan.sites, year), context.store.sites)
    reinforcement = located_reinforcement(
        rows_of_year(plan.reinforcement, year), context.store.grid
    )
    figure = make_plan_map(municipality_outlines(), sites, reinforcement, lang, context.tiles)
    figure.update_layout(
        title={"text": f"{title} ({year})", "font": {"size": 13}}, margin={"t": 40}
    )
    return figure


def download_comparison(
    context: AppContext, kind: str, run_a: Any, run_b: Any
) -> dict[str, Any] | None:
    """The comparison table as CSV or Excel."""
    plans = list(chosen_plans(context, run_a, run_b).values())
    if len(plans) < 2:
        return None
    return table_download(kind, logic.compare_table(plans[0], plans[1]), "scenario_comparison")


def register(app: Dash, context: AppContext) -> None:
    """Add the scenarios page's callbacks."""
    app.callback(
        Output(ids.CURRENT, "data"),
        Output(ids.POLL, "disabled", allow_duplicate=True),
        Output(ids.ERROR, "children"),
        Input(ids.RUN, "n_clicks"),
        State(ids.NAME, "value"),
        State(LANG_STORE, "data"),
        *(State(control, "value") for control in ids.KNOB_CONTROLS.values()),
        prevent_initial_call=True,
    )(lambda n, name, lang, *knobs: start_run(context, n, name, lang, *knobs))
    app.callback(
        Output(ids.PROGRESS, "value"),
        Output(ids.RUN_STATUS, "children"),
        Output(ids.RUNS, "children"),
        Output(ids.POLL, "disabled"),
        Output(ids.RUN, "disabled"),
        Output(ids.RUN_A, "options"),
        Output(ids.RUN_B, "options"),
        Output(ids.RUN_A, "value"),
        Output(ids.RUN_B, "value"),
        Input(ids.POLL, "n_intervals"),
        Input(ids.CURRENT, "data"),
        State(ids.RUN_A, "value"),
        State(ids.RUN_B, "value"),
        State(LANG_STORE, "data"),
    )(lambda n, current, a, b, lang: poll(context, n, current, a, b, lang))
    app.callback(
        Output(ids.COMPARE_TABLE, "children"),
        Output(ids.ENERGY, "figure"),
        Output(ids.CHARGERS, "figure"),
        Output(ids.COSTS, "figure"),
        Output(ids.MAP_A, "figure"),
        Output(ids.MAP_B, "figure"),
        Input(ids.RUN_A, "value"),
        Input(ids.RUN_B, "value"),
        Input(LANG_STORE, "data"),
    )(lambda a, b, lang: compare(context, a, b, lang))
    register_option_labels(app, ids.LADDER, LADDER_OPTIONS)
    register_option_labels(app, ids.OFFPEAK, OFFPEAK_OPTIONS)
    states = [State(ids.RUN_A, "value"), State(ids.RUN_B, "value")]
    register_download(
        app,
        ids.COMPARE,
        ("csv", "xlsx"),
        states,
        lambda kind, a, b: download_comparison(context, kind, a, b),
    )
