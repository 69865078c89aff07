"""Grid capacity data: readers onto the canonical grid table, fetch, topology and headroom.

- :func:`read_grid` reads a capacity-map source (canonical CSV, Opendatasoft CSV/JSON export,
  status-only map, UK headroom table) through a column mapping onto the canonical table of
  :mod:`grid_data.schema`, validating every row.
- :func:`grid_data.fetch.fetch_dataset` downloads an Opendatasoft dataset export.
- :mod:`grid_data.topology` builds the feeding tree and the path-minimum headroom, and maps
  sites and depots to nodes.
- :mod:`grid_data.headroom` gives headroom per node and time slot.
- :func:`overlay_demand` places the demand of depots on the grid and compares it with the
  headroom per slot; :mod:`grid_data.disclosure` holds the k-anonymity rule of the files for
  the grid operator, :func:`write_overlay_files` writes them.

This package never imports ``planner`` or ``dashboards``.
"""

from grid_data.disclosure import Disclosure, disclose_year
from grid_data.fetch import FetchError, fetch_dataset
from grid_data.headroom import make_base_load, make_headroom, path_headroom_by_slot
from grid_data.mapping import GridMapping, MappingError, default_mapping, load_mapping
from grid_data.overlay import OverlayResult, OverlaySettings, overlay_demand
from grid_data.profiles import read_grid_profiles
from grid_data.raw import GridReadError
from grid_data.readers import BACKENDS, detect_shape, read_grid
from grid_data.reports import write_overlay_files
from grid_data.schema import GRID_COLUMNS, GridLevel, GridShape, GridStatus
from grid_data.topology import (
    build_topology,
    map_points_to_nodes,
    path_headroom_kva,
    path_minimum,
)

__all__ = [
    "BACKENDS",
    "GRID_COLUMNS",
    "Disclosure",
    "FetchError",
    "GridLevel",
    "GridMapping",
    "GridReadError",
    "GridShape",
    "GridStatus",
    "MappingError",
    "OverlayResult",
    "OverlaySettings",
    "build_topology",
    "default_mapping",
    "detect_shape",
    "disclose_year",
    "fetch_dataset",
    "load_mapping",
    "make_base_load",
    "make_headroom",
    "map_points_to_nodes",
    "overlay_demand",
    "path_headroom_by_slot",
    "path_headroom_kva",
    "path_minimum",
    "read_grid",
    "read_grid_profiles",
    "write_overlay_files",
]
