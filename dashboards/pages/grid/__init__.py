"""Net / Grid: headroom against demand per node and hour, congestion, capacity requests."""

from dashboards.context import Page
from dashboards.pages.grid._callbacks import register
from dashboards.pages.grid._layout import layout

PAGE = Page(
    module="laadplan.grid", path="/net", nav_key="nav.grid", layout=layout, register=register
)
