"""What every page's layout and callbacks receive: the case store and the app's options."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dash import Dash

from dashboards.jobs import JobRegistry
from dashboards.plan_sources import RunCatalogue
from dashboards.selection import Selection, make_selection
from dashboards.store import CaseStore


@dataclass(frozen=True)
class AppContext:
    """The case and options of one app.

    Attributes
    ----------
    store
        The case's tables.
    tiles
        Whether maps use OpenStreetMap tiles (only when reachable).
    jobs
        Plan runs started on the Scenarios page.
    runs
        Finished runs stored elsewhere (the service's database), shown as plans too.
    """

    store: CaseStore
    tiles: bool = False
    jobs: JobRegistry = field(default_factory=JobRegistry)
    runs: RunCatalogue | None = None

    def selection(self, *values: Any) -> Selection:
        """The selection of the area filters' values (year, region, municipality, categories).

        Missing values select everything; without a year, the case's last year.
        """
        year, region, municipality, categories = (*values, None, None, None, None)[:4]
        return make_selection(year, region, municipality, categories, self.store.years[-1])


@dataclass(frozen=True)
class Page:
    """One page of the dashboard.

    Attributes
    ----------
    module
        Name in Dash's page registry.
    path
        URL path.
    nav_key
        Label key of its navigation link.
    layout
        Builds the page's layout from the context (called on each visit).
    register
        Adds the page's callbacks to the app.
    """

    module: str
    path: str
    nav_key: str
    layout: Callable[[AppContext], Any]
    register: Callable[[Dash, AppContext], None]
