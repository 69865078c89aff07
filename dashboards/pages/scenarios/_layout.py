"""Scenarios page layout: knobs, run progress, the runs, and two runs side by side."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from charging_sites import TIER_VALUES
from dashboards.components import (
    download_bar,
    dropdown,
    field,
    graph,
    heading,
    label,
    option_labels,
)
from dashboards.pages.scenarios import _ids as ids
from dashboards.scenario_runs import knobs_of

LADDER_OPTIONS = (
    ("lexicographic", "ladder.lexicographic"),
    ("weighted", "ladder.weighted"),
    ("none", "ladder.none"),
)
OFFPEAK_OPTIONS = (("hard", "offpeak.hard"), ("soft", "offpeak.soft"), ("none", "offpeak.none"))
POLL_MS = 700


def number(control_id: str, value: float, step: float) -> dcc.Input:
    """A number input."""
    return dcc.Input(id=control_id, type="number", value=value, step=step, min=0, debounce=True)


def switch(control_id: str, on: bool) -> dcc.Checklist:
    """A single checkbox (value ``["on"]`` when ticked)."""
    return dcc.Checklist(
        id=control_id, options=[{"value": "on", "label": ""}], value=["on"] if on else []
    )


def knob_controls(context: Any) -> html.Div:
    """The scenario knobs, set as the case's scenario sets them."""
    years = context.store.years
    knobs = knobs_of(context.store.scenario, years[-1])
    fields = [
        field(
            "filter.year",
            dropdown(ids.YEAR, [(y, str(y)) for y in years], knobs.year, clearable=False),
        ),
        field(
            "scen.ladder_policy",
            dcc.RadioItems(
                id=ids.LADDER,
                options=option_labels(LADDER_OPTIONS, "nl"),
                value=knobs.ladder_policy,
            ),
        ),
        field(
            "scen.offpeak_policy",
            dcc.RadioItems(
                id=ids.OFFPEAK,
                options=option_labels(OFFPEAK_OPTIONS, "nl"),
                value=knobs.offpeak_policy,
            ),
        ),
        field("scen.sharing", switch(ids.SHARING, knobs.sharing)),
        field("scen.reinforcement", switch(ids.REINFORCEMENT, knobs.allow_reinforcement)),
        field("scen.price_peak", number(ids.PRICE_PEAK, knobs.price_peak_eur_per_kwh, 0.01)),
        field(
            "scen.price_offpeak", number(ids.PRICE_OFFPEAK, knobs.price_offpeak_eur_per_kwh, 0.01)
        ),
        *[
            field(f"scen.detour.{tier}", number(ids.DETOUR[tier], knobs.detour_km_max[tier], 0.5))
            for tier in TIER_VALUES
        ],
        field("scen.time_limit", number(ids.TIME_LIMIT, knobs.time_limit_s, 5)),
        field("scen.chain", switch(ids.CHAIN, False)),
        field("scen.propose_sites", number(ids.PROPOSE, 0, 1)),
        field("scen.name", dcc.Input(id=ids.NAME, type="text", value="", debounce=True)),
    ]
    return html.Div(fields, className="filters")


def layout(context: Any) -> Any:
    """The scenarios page."""
    return html.Div(
        [
            heading("scen.title"),
            heading("scen.knobs", 3),
            knob_controls(context),
            html.Button(label("scen.run"), id=ids.RUN, className="action"),
            html.Div(id=ids.ERROR),
            dcc.Store(id=ids.CURRENT),
            dcc.Interval(id=ids.POLL, interval=POLL_MS, disabled=True),
            html.Progress(id=ids.PROGRESS, value="0", max="1"),
            html.Div(id=ids.RUN_STATUS, className="run-line"),
            heading("scen.runs", 3),
            html.Div(id=ids.RUNS),
            heading("scen.compare", 3),
            html.Div(
                [
                    field("scen.run_a", dropdown(ids.RUN_A, [], None)),
                    field("scen.run_b", dropdown(ids.RUN_B, [], None)),
                ],
                className="filters",
            ),
            html.Div(id=ids.COMPARE_TABLE),
            download_bar(ids.COMPARE),
            html.Div([graph(ids.ENERGY), graph(ids.CHARGERS)], className="two-columns"),
            graph(ids.COSTS),
            html.Div([graph(ids.MAP_A), graph(ids.MAP_B)], className="two-columns"),
        ],
        className="page",
    )
