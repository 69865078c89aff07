"""Invoer / Intake: upload a needs file; see what it adds or every bad row."""

from dashboards.context import Page
from dashboards.pages.intake._callbacks import register
from dashboards.pages.intake._layout import layout

PAGE = Page(
    module="laadplan.intake", path="/invoer", nav_key="nav.intake", layout=layout, register=register
)
