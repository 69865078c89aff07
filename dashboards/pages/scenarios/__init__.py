"""Scenario's / Scenarios: change the knobs, run the plan in the background, compare two runs."""

from dashboards.context import Page
from dashboards.pages.scenarios._callbacks import register
from dashboards.pages.scenarios._layout import layout

PAGE = Page(
    module="laadplan.scenarios",
    path="/scenarios",
    nav_key="nav.scenarios",
    layout=layout,
    register=register,
)
