"""Layout pieces every page uses: translatable labels, tables, downloads, filters, KPI cards.

Translatable text is an ``html.Span`` with the id ``{"type": "i18n", "key": KEY, "uid": UID}``;
one callback of the app (:func:`register_i18n_callbacks`) fills every such span in the chosen
language. ``uid`` tells apart two spans of the same key on one page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html

from dashboards.formatting import format_cell
from dashboards.i18n import column_label, t, value_label, yes_no
from dashboards.selection import municipality_options, region_options
from planner.domain import VehicleCategory, values

#: Rows of a table shown on a page; the download holds them all.
MAX_ROWS = 100
LANG_STORE = "lang"


def label(key: str, uid: str = "") -> html.Span:
    """A text in the chosen language (Dutch until the language callback has run)."""
    return html.Span(t(key, "nl"), id={"type": "i18n", "key": key, "uid": uid})


def heading(key: str, level: int = 2, uid: str = "") -> Any:
    """A heading ``h2``/``h3`` holding a translatable label."""
    tag = html.H2 if level == 2 else html.H3
    return tag(label(key, uid))


def graph(graph_id: str, height_px: int | None = None) -> dcc.Graph:
    """A chart area; the figure comes from a callback."""
    style = {"height": f"{height_px}px"} if height_px else {}
    return dcc.Graph(id=graph_id, config={"displaylogo": False}, style=style)


def download_bar(prefix: str, kinds: Sequence[str] = ("csv", "xlsx")) -> html.Div:
    """Download buttons ``{prefix}-dl-{kind}`` and their ``dcc.Download`` ``{prefix}-download``."""
    buttons = [
        html.Button(label(f"dl.{kind}", prefix), id=f"{prefix}-dl-{kind}", className="download")
        for kind in kinds
    ]
    return html.Div(
        [label("dl.download", prefix), *buttons, dcc.Download(id=f"{prefix}-download")],
        className="download-bar",
    )


def data_table(table: pd.DataFrame, lang: str, max_rows: int = MAX_ROWS) -> html.Div:
    """An HTML table of the first ``max_rows`` rows, with a note when rows are left out.

    Headers are the columns' labels in ``lang`` (:func:`dashboards.i18n.column_label`), words
    of closed sets are translated (:func:`dashboards.i18n.value_label`) and numbers written as
    the language does (:func:`dashboards.formatting.format_cell`: ``1.234,5``, years as
    ``2030``, vehicles and chargers whole).  The table is one ``dcc.Markdown`` holding escaped
    HTML: a Dash component per cell makes the browser's renderer crawl (a 100 × 27 table took
    14 s), plain HTML takes milliseconds.
    """
    if table.empty:
        return html.Div(t("table.empty", lang), className="table-note")
    head = table.head(max_rows)
    shown = pd.DataFrame(
        {i: [table_cell(str(c), v, lang) for v in head[c]] for i, c in enumerate(head.columns)}
    )
    shown.columns = pd.Index([column_label(str(c), lang) for c in head.columns])
    html_text = shown.to_html(index=False, escape=True, classes="data-table", border=0)
    markup = "".join(line.strip() for line in html_text.splitlines())  # one HTML block
    parts: list[Any] = [dcc.Markdown(markup, dangerously_allow_html=True, className="table-wrap")]
    if len(table) > max_rows:
        note = t("table.rows_shown", lang, shown=max_rows, total=len(table))
        parts.append(html.Div(note, className="table-note"))
    return html.Div(parts)


def table_cell(column: str, value: object, lang: str) -> str:
    """One cell as shown: yes/no, a translated word, or a number in the language's format.

    Examples
    --------
    >>> table_cell("tier", "private", "nl"), table_cell("year", 2030, "nl")
    ('privé', '2030')
    >>> table_cell("newly_opened", True, "en"), table_cell("ze_vehicles", 50.8, "nl")
    ('yes', '51')
    """
    if isinstance(value, bool | np.bool_):
        return yes_no(bool(value), lang)
    if isinstance(value, str):
        return value_label(column, value, lang)
    return format_cell(column, value, lang)


def long_table(table: pd.DataFrame, key: str, lang: str) -> pd.DataFrame:
    """A table with one quantity per row (``key``): each row's cells formatted as its quantity.

    For tables such as the scenario comparison, where a column holds a year in one row and
    a cost in the next.  The result holds text, ready for :func:`data_table`.
    """
    rows = []
    for record in table.to_dict("records"):
        quantity = str(record[key])
        row = {column: table_cell(quantity, value, lang) for column, value in record.items()}
        rows.append({**row, key: value_label(key, quantity, lang)})
    return pd.DataFrame(rows, columns=table.columns)


def kpi_card(title_key: str, kpi_id: str) -> html.Div:
    """A headline figure: a title and a value filled by a callback (``{kpi_id}``)."""
    return html.Div(
        [
            html.Div(label(title_key), className="kpi-title"),
            html.Div("–", id=kpi_id, className="kpi-value"),
        ],
        className="kpi",
    )


def dropdown(
    control_id: str, options: Sequence[tuple[Any, str]], value: Any, **kwargs: Any
) -> dcc.Dropdown:
    """A dropdown of (value, label) pairs."""
    return dcc.Dropdown(
        id=control_id,
        options=[{"value": option, "label": text} for option, text in options],
        value=value,
        **kwargs,
    )


def field(key: str, control: Any, uid: str = "") -> html.Div:
    """A labelled control in a filter bar."""
    return html.Div([html.Label(label(key, uid)), control], className="field")


def register_download(
    app: Dash,
    prefix: str,
    kinds: Sequence[str],
    states: Sequence[State],
    make: Callable[..., dict[str, Any] | None],
) -> None:
    """Serve the downloads of one download bar.

    ``make(kind, *state_values)`` returns the ``dcc.Download`` data for the clicked kind.
    """
    inputs = [Input(f"{prefix}-dl-{kind}", "n_clicks") for kind in kinds]

    def download(*values: Any) -> dict[str, Any] | None:
        kind = str(ctx.triggered_id).rsplit("-", 1)[-1]
        return make(kind, *values[len(kinds) :])

    app.callback(Output(f"{prefix}-download", "data"), *inputs, *states, prevent_initial_call=True)(
        download
    )


def translate_outputs(lang: str, ids: Sequence[dict[str, str]]) -> list[str]:
    """The texts of the translatable spans ``ids`` in ``lang``."""
    return [t(item["key"], lang) for item in ids]


def register_i18n_callbacks(app: Dash) -> None:
    """Fill every translatable span when the language or the page changes."""

    def fill(lang: str | None, _page: object) -> list[str]:
        ids = [output["id"] for output in ctx.outputs_list]
        return translate_outputs(lang or "nl", ids)

    app.callback(
        Output({"type": "i18n", "key": ALL, "uid": ALL}, "children"),
        Input(LANG_STORE, "data"),
        Input("_pages_content", "children"),
    )(fill)


def area_filters(
    prefix: str, years: Sequence[int], year: int, categories: bool = True, slider: bool = False
) -> html.Div:
    """Year, vervoerregio, municipality and (optionally) category filters ``{prefix}-year`` ….

    With ``slider`` the year is a slider over the years (marks ``2027`` … ``2035``) instead of
    a dropdown; its ``value`` is read the same way.
    """
    if slider:
        year_control: Any = year_slider(f"{prefix}-year", years, year)
    else:
        year_control = dropdown(
            f"{prefix}-year", [(y, str(y)) for y in years], year, clearable=False
        )
    fields = [
        field("filter.year", year_control, prefix),
        field(
            "filter.region",
            dropdown(f"{prefix}-region", region_options(), None, placeholder="—"),
            prefix,
        ),
        field(
            "filter.municipality",
            dropdown(f"{prefix}-municipality", [], None, placeholder="—"),
            prefix,
        ),
    ]
    if categories:
        options = [(category, category) for category in values(VehicleCategory)]
        control = dropdown(f"{prefix}-category", options, [], multi=True, placeholder="—")
        fields.append(field("filter.category", control, prefix))
    return html.Div(fields, className="filters")


def year_slider(control_id: str, years: Sequence[int], year: int) -> html.Div:
    """A slider over ``years`` (one step per year, each year a mark written ``2030``)."""
    marks = {int(y): str(y) for y in years}
    control = dcc.Slider(
        id=control_id,
        min=int(min(years)),
        max=int(max(years)),
        step=None,
        marks=marks,
        value=int(year),
        included=False,
    )
    return html.Div(control, className="year-slider")


def area_filter_values(prefix: str, categories: bool = True) -> list[Input]:
    """The inputs of :func:`area_filters`, in order."""
    names = ["year", "region", "municipality"] + (["category"] if categories else [])
    return [Input(f"{prefix}-{name}", "value") for name in names]


def area_filter_states(prefix: str, categories: bool = True) -> list[State]:
    """The same controls as states (for downloads)."""
    names = ["year", "region", "municipality"] + (["category"] if categories else [])
    return [State(f"{prefix}-{name}", "value") for name in names]


def municipality_choices(region: object) -> list[dict[str, str]]:
    """Options of the municipality filter for a chosen vervoerregio (all when none)."""
    code = int(str(region)) if region not in (None, "") else None
    return [{"value": nis, "label": name} for nis, name in municipality_options(code)]


def register_area_filters(app: Dash, prefix: str) -> None:
    """Keep the municipality filter to the chosen vervoerregio."""
    app.callback(
        Output(f"{prefix}-municipality", "options"),
        Output(f"{prefix}-municipality", "value"),
        Input(f"{prefix}-region", "value"),
    )(lambda region: (municipality_choices(region), None))


def option_labels(pairs: Sequence[tuple[str, str]], lang: str) -> list[dict[str, str]]:
    """Options of (value, label key) pairs in a language."""
    return [{"value": value, "label": t(key, lang)} for value, key in pairs]


def register_option_labels(app: Dash, control_id: str, pairs: Sequence[tuple[str, str]]) -> None:
    """Translate the option labels of a dropdown or radio control with the language."""
    app.callback(Output(control_id, "options"), Input(LANG_STORE, "data"))(
        lambda lang: option_labels(pairs, str(lang or "nl"))
    )
