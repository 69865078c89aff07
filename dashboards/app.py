"""The Dash app: :func:`create_app` builds it for one case; nothing is read at import time.

The app uses Dash's pages API with the pages of :mod:`dashboards.pages` registered
explicitly (no pages folder is scanned). Its context (the case store, the tile option, the job
registry) is kept on the Flask server, so a page layout always finds the context of the app
that serves the request, even when a process (a test run) builds several apps.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import dash
import flask
from dash import Dash, Input, Output, dcc, html

from dashboards.components import LANG_STORE, label, register_i18n_callbacks
from dashboards.context import AppContext, Page
from dashboards.geo import municipality_outlines
from dashboards.i18n import DEFAULT_LANGUAGE, t
from dashboards.pages.demand import PAGE as DEMAND
from dashboards.pages.grid import PAGE as GRID
from dashboards.pages.intake import PAGE as INTAKE
from dashboards.pages.overview import PAGE as OVERVIEW
from dashboards.pages.plan import PAGE as PLAN
from dashboards.pages.scenarios import PAGE as SCENARIOS
from dashboards.plan_sources import RunCatalogue
from dashboards.store import CaseStore, open_store

#: The pages, in the order of the navigation.
PAGES: tuple[Page, ...] = (OVERVIEW, DEMAND, GRID, PLAN, SCENARIOS, INTAKE)
CONTEXT_KEY = "laadplan_context"
ASSETS = Path(__file__).resolve().parent / "assets"


def create_app(
    data_dir: Path,
    results_dir: Path | None = None,
    tiles: bool = False,
    url_prefix: str = "/",
    store: CaseStore | None = None,
    runs: RunCatalogue | None = None,
) -> dash.Dash:
    """Build the dashboard of one case.

    Parameters
    ----------
    data_dir
        The case's data folder (``needs.csv``, ``zones.csv``, ``sites.csv``, ``grid.csv`` …).
    results_dir
        Where ``laadplan run`` / ``laadplan plan`` wrote their results, if anywhere.
    tiles
        Draw maps on OpenStreetMap tiles (only when they are reachable); otherwise maps are
        drawn from data alone.
    url_prefix
        Path under which the browser reaches the app (``"/dashboard/"`` when mounted inside
        ``laadplan serve``, which strips it before the request reaches the app).
    store
        The case's tables when they do not come from ``data_dir`` and ``results_dir`` (the
        service gives the published run's, from its database).
    runs
        Finished runs to offer as plans besides the case's (the service's database).

    Returns
    -------
    dash.Dash
        The app; ``app.server`` is its Flask server. Tables are read on first use (or by
        :meth:`dashboards.store.CaseStore.warm`) and kept.
    """
    store = store or open_store(Path(data_dir), results_dir)
    context = AppContext(store=store, tiles=tiles, runs=runs)
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder="",
        assets_folder=str(ASSETS),
        suppress_callback_exceptions=True,
        title="laadplan",
        update_title="",
        requests_pathname_prefix=url_prefix,
        routes_pathname_prefix="/",
    )
    app.server.config[CONTEXT_KEY] = context
    for order, page in enumerate(PAGES):
        dash.register_page(  # type: ignore[no-untyped-call]
            page.module,
            path=page.path,
            name=t(page.nav_key, DEFAULT_LANGUAGE),
            title=f"laadplan — {t(page.nav_key, DEFAULT_LANGUAGE)}",
            order=order,
            layout=functools.partial(page_layout, page),
        )
    app.layout = shell_layout(context, PAGES)
    register_shell_callbacks(app)
    for page in PAGES:
        page.register(app, context)
    return app


def current_context() -> AppContext:
    """The context of the app serving the current request."""
    context: AppContext = flask.current_app.config[CONTEXT_KEY]
    return context


def current_store(app: Dash) -> CaseStore:
    """The case store of an app built by :func:`create_app`."""
    context: AppContext = app.server.config[CONTEXT_KEY]
    return context.store


def warm_app(app: Dash) -> None:
    """Read every table of the app's case and build the map outlines now, before serving."""
    current_store(app).warm()
    municipality_outlines()


def page_layout(page: Page, **_query: Any) -> Any:
    """A page's layout for the app of the current request (query parameters are ignored)."""
    return page.layout(current_context())


def shell_layout(context: AppContext, pages: Sequence[Page]) -> html.Div:
    """Header with navigation and language switch, the case line and the page container."""
    links = [
        dcc.Link(
            label(page.nav_key, "nav"),
            href=dash.get_relative_path(page.path),  # type: ignore[no-untyped-call]
            id=f"nav-{page.module.split('.')[-1]}",
        )
        for page in pages
    ]
    switch = dcc.RadioItems(
        id="lang-switch",
        options=[{"label": "NL", "value": "nl"}, {"label": "EN", "value": "en"}],
        value=DEFAULT_LANGUAGE,
        inline=True,
        persistence=True,
        persistence_type="local",
        className="lang",
    )
    header = html.Header(
        [
            html.Div(
                [
                    html.Div("laadplan", className="brand"),
                    html.Div(label("app.title"), className="subtitle"),
                ]
            ),
            html.Nav(links),
            switch,
        ],
        className="top",
    )
    return html.Div(
        [
            dcc.Store(id=LANG_STORE, data=DEFAULT_LANGUAGE),
            header,
            case_line(context),
            dash.page_container,
        ]
    )


def case_line(context: AppContext) -> html.Div:
    """The case shown: data folder, results folder, scenario name."""
    store = context.store
    parts = [f"{store.data_dir}"]
    if store.results_dir is not None:
        parts.append(f"→ {store.results_dir}")
    return html.Div([label("app.case"), html.Span(": " + " ".join(parts))], className="case-line")


def register_shell_callbacks(app: Dash) -> None:
    """Language switch → language store → every translatable text."""
    app.callback(Output(LANG_STORE, "data"), Input("lang-switch", "value"))(choose_language)
    register_i18n_callbacks(app)


def choose_language(value: str | None) -> str:
    """The language to store for the switch's value."""
    return value if value in ("nl", "en") else DEFAULT_LANGUAGE
