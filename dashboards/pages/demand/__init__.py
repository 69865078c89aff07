"""Vraag / Demand: ZE vehicles and energy per year, load curves per charging strategy."""

from dashboards.context import Page
from dashboards.pages.demand._callbacks import register
from dashboards.pages.demand._layout import layout

PAGE = Page(
    module="laadplan.demand", path="/vraag", nav_key="nav.demand", layout=layout, register=register
)
