"""Plan: chosen sites, ladder split, chargers per municipality, reinforcement, unmet needs."""

from dashboards.context import Page
from dashboards.pages.plan._callbacks import register
from dashboards.pages.plan._layout import layout

PAGE = Page(
    module="laadplan.plan", path="/plan", nav_key="nav.plan", layout=layout, register=register
)
