"""Overzicht / Overview: headline figures and the map for a year and area."""

from dashboards.context import Page
from dashboards.pages.overview._callbacks import register
from dashboards.pages.overview._layout import layout

PAGE = Page(
    module="laadplan.overview", path="/", nav_key="nav.overview", layout=layout, register=register
)
