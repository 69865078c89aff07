"""The report as one self-contained HTML page: Jinja2 template, Belgian number formats, figures.

Figures are Plotly figures drawn by the same functions as the dashboard (maps) or in the
dashboard's colours, embedded as static plots with the plotly.js shipped in the ``plotly``
package (no network).  Numbers follow the language's locale through Babel: Dutch (Belgium)
writes ``1.234,5``, English ``1,234.5``; years are written without grouping.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

import jinja2
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from babel.numbers import format_decimal
from plotly.offline import get_plotlyjs

from charging_sites import TIER_VALUES as TIERS
from charging_sites import Tier
from charging_sites.categories import VehicleCategory
from dashboards.geo import municipality_outlines
from dashboards.i18n import t
from dashboards.maps import make_map_figure
from dashboards.plan_figures import TIER_COLOURS
from dashboards.report._content import RegionReport
from dashboards.report._texts import wording

#: Babel locale of each report language.
LOCALES = {"nl": "nl_BE", "en": "en_GB"}
TEMPLATE = "template.html.j2"
CATEGORY_COLOURS = dict(
    zip(VehicleCategory, ("#66c2a5", "#fc8d62", "#8da0cb", "#e78ac3", "#a6d854"), strict=True)
)


def format_number(value: object, lang: str, digits: int = 0) -> str:
    """A number in the language's convention; an empty cell for a missing value.

    Examples
    --------
    >>> format_number(1234.5, "nl", 1), format_number(1234.5, "en", 1)
    ('1.234,5', '1,234.5')
    >>> format_number(float("nan"), "nl")
    ''
    """
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return ""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return str(format_decimal(float(value), format=pattern, locale=LOCALES[lang]))  # type: ignore[arg-type]


def render_html(report: RegionReport, lang: str = "nl") -> str:
    """The report of one region as a self-contained HTML page in ``lang`` (``nl`` or ``en``)."""
    if lang not in LOCALES:
        raise ValueError(f"unknown language {lang!r}; valid: {', '.join(LOCALES)}")
    template = _environment().get_template(TEMPLATE)
    return template.render(
        report=report,
        lang=lang,
        today=dt.date.today().isoformat(),
        tx=lambda key, **values: wording(key, lang, **values),
        t=lambda key: t(key, lang),
        num=lambda value, digits=0: format_number(value, lang, digits),
        headline=headline(report),
        demand_years=demand_by_year(report),
        rollout_table=rollout_table(report),
        municipality_table=municipality_table(report),
        municipality_years=municipality_years,
        figures=figures(report, lang),
        plotly_js=get_plotlyjs(),
        tiers=TIERS,
    )


@cache
def _environment() -> jinja2.Environment:
    source = resources.files("dashboards.report").joinpath(TEMPLATE).read_text("utf-8")
    return jinja2.Environment(
        loader=jinja2.DictLoader({TEMPLATE: source}),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def headline(report: RegionReport) -> dict[str, Any]:
    """The last year's headline figures of the region."""
    last = max(report.years) if report.years else None
    demand = report.demand[report.demand["year"] == last]
    rollout = report.rollout[report.rollout["year"] == last] if last is not None else report.rollout
    chargers = (
        rollout.groupby("tier")["chargers"].sum(min_count=1) if not rollout.empty else pd.Series()
    )
    return {
        "year": last,
        "ze_vehicles": int(demand["ze_vehicles"].sum()),
        "energy_mwh_per_day": float(demand["energy_kwh_per_day"].sum()) / 1000.0,
        "zes_cities": len(report.zes_calendar),
        "chargers": {tier: int(chargers.get(tier, 0)) for tier in TIERS},
        "requests_kva": float(
            report.requests[report.requests["year"] == last]["extra_capacity_kva"].sum()
        )
        if "extra_capacity_kva" in report.requests
        else 0.0,
    }


def demand_by_year(report: RegionReport) -> pd.DataFrame:
    """ZE vehicles, energy and the largest category peak per year (one row per year)."""
    table = report.demand.pivot_table(
        index="year", columns="category", values="ze_vehicles", aggfunc="sum", fill_value=0
    )
    table["energy_kwh_per_day"] = report.demand.groupby("year")["energy_kwh_per_day"].sum()
    return table.reset_index()


def rollout_table(report: RegionReport) -> pd.DataFrame:
    """Roll-out per year (rows) with sites, chargers, connectors and kW per tier."""
    ladder = report.rollout["tier"].map({tier: rank for rank, tier in enumerate(TIERS)})
    ordered = report.rollout.assign(ladder=ladder).sort_values(["year", "ladder"])
    return ordered.drop(columns="ladder").reset_index(drop=True)


def municipality_table(report: RegionReport) -> pd.DataFrame:
    """Chargers per municipality (rows) and year (columns), all tiers the plan's files hold.

    Columns ``withheld:<year>`` say where a tier's count was withheld by the disclosure rule
    (private chargers of fewer than k owners): the figure shown is then the disclosed tiers'
    only, and the report marks it.
    """
    rows = report.rollout_by_municipality
    if rows.empty:
        return pd.DataFrame(columns=["name"])
    chargers = rows.assign(
        shown=rows["chargers"].astype(float).fillna(0.0), withheld=rows["chargers"].isna()
    )
    shown = chargers.pivot_table(
        index="name", columns="year", values="shown", aggfunc="sum", fill_value=0
    )
    withheld = chargers.pivot_table(
        index="name", columns="year", values="withheld", aggfunc="any", fill_value=False
    ).reindex_like(shown)
    table = shown.round().astype(int)
    for year in shown.columns:
        table[f"withheld:{year}"] = withheld[year].fillna(False).astype(bool)
    return table.reset_index().sort_values("name", ignore_index=True)


def municipality_years(table: pd.DataFrame) -> list[object]:
    """The year columns of :func:`municipality_table`."""
    return [c for c in table.columns[1:] if not str(c).startswith("withheld:")]


def figures(report: RegionReport, lang: str) -> dict[str, str]:
    """Every figure of the report as an HTML fragment (static Plotly plots)."""
    makers: dict[str, Callable[[RegionReport, str], go.Figure]] = {
        "vehicles": make_vehicles_figure,
        "energy": make_energy_figure,
        "rollout": make_rollout_figure,
        "map": make_region_map,
    }
    return {name: _embed(make(report, lang)) for name, make in makers.items()}


def _embed(figure: go.Figure) -> str:
    html: str = pio.to_html(
        figure,
        include_plotlyjs=False,
        full_html=False,
        config={"staticPlot": True, "displayModeBar": False},
    )
    return html


def _layout(figure: go.Figure, title: str, y_title: str, lang: str) -> go.Figure:
    figure.update_layout(
        title={"text": title, "font": {"size": 14}},
        barmode="stack",
        xaxis={"title": t("q.year", lang), "type": "category"},
        yaxis={"title": y_title, "separatethousands": True},
        separators=",." if lang == "nl" else ".,",
        margin={"l": 70, "r": 10, "t": 40, "b": 40},
        legend={"orientation": "h", "y": -0.2},
        height=320,
        width=720,
        template="simple_white",
    )
    return figure


def make_vehicles_figure(report: RegionReport, lang: str) -> go.Figure:
    """Zero-emission vehicles per category and year (stacked bars, whole vehicles)."""
    figure = _bars_by_category(report.demand, "ze_vehicles", 1.0)
    return _layout(figure, wording("fig.vehicles", lang), t("q.ze_vehicles", lang), lang)


def make_energy_figure(report: RegionReport, lang: str) -> go.Figure:
    """Energy per working day per year, MWh (stacked by category)."""
    figure = _bars_by_category(report.demand, "energy_kwh_per_day", 1 / 1000.0)
    return _layout(figure, wording("fig.energy", lang), t("q.energy_mwh_day", lang), lang)


def _bars_by_category(demand: pd.DataFrame, column: str, scale: float) -> go.Figure:
    """One bar trace per vehicle category of ``column`` × ``scale`` per year."""
    figure = go.Figure()
    for category, colour in CATEGORY_COLOURS.items():
        rows = demand[demand["category"] == category]
        if not rows.empty:
            values = rows[column].astype(float) * scale
            figure.add_trace(
                go.Bar(x=rows["year"].astype(str), y=values, name=category, marker_color=colour)
            )
    return figure


def make_rollout_figure(report: RegionReport, lang: str) -> go.Figure:
    """Chargers per tier and year: the roll-out timeline."""
    figure = go.Figure()
    for tier in TIERS:
        rows = report.rollout[report.rollout["tier"] == tier]
        if rows.empty:
            continue
        figure.add_trace(
            go.Bar(x=rows["year"].astype(str), y=rows["chargers"], name=t(f"tier.{tier}", lang),
                   marker_color=TIER_COLOURS[Tier(tier)])
        )  # fmt: skip
    return _layout(figure, wording("fig.rollout", lang), t("q.chargers", lang), lang)


def make_region_map(report: RegionReport, lang: str) -> go.Figure:
    """Chargers per municipality in the last planned year on the map of the region."""
    outlines = municipality_outlines()
    rows = report.rollout_by_municipality
    last = rows["year"].max() if not rows.empty else None
    values = rows[rows["year"] == last].groupby("nis_code")["chargers"].sum().astype(float)
    focus = outlines[outlines["nis_code"].isin(set(report.municipalities["nis_code"]))]
    figure = make_map_figure(outlines, [], lang, values=values, focus=focus)
    title = wording("fig.map", lang, year=str(last) if last is not None else "")
    figure.update_layout(title={"text": title, "font": {"size": 14}}, height=480, width=720)
    return figure
