"""Candidate charging sites, charger types, availability windows and access distances.

The inputs of the site-selection optimisation, read and validated where they enter:

- :func:`read_sites` / :func:`check_sites`: the candidate-site catalogue (``sites.csv``) in the
  three tiers of the charging ladder (:class:`Tier`);
- :func:`site_availability`: the share of every time slot in which each site is open;
- :class:`ChargerType`, :func:`default_catalogue`, :func:`catalogue_from_records`: charger types;
- :func:`access_pairs`: need–site pairs within the maximum detour per tier, by straight line ×
  detour factor or on a road graph (:func:`read_road_edges`);
- :func:`read_access_cost` / :func:`check_access_cost_ids`: the optional ``access_cost.csv``.

This package never imports ``planner`` or ``dashboards``; importing it reads nothing.
"""

from charging_sites.access import (
    ACCESS_COLUMNS,
    DEFAULT_DETOUR_FACTOR,
    AccessMethod,
    access_pairs,
    straight_line_pairs,
)
from charging_sites.access_cost import (
    ACCESS_COST_COLUMNS,
    check_access_cost,
    check_access_cost_ids,
    read_access_cost,
)
from charging_sites.availability import site_availability
from charging_sites.categories import VehicleCategory
from charging_sites.chargers import (
    VEHICLE_CATEGORIES,
    ChargerType,
    catalogue_from_records,
    default_catalogue,
)
from charging_sites.errors import AccessError, ChargerCatalogueError, ChargingSitesError
from charging_sites.roads import (
    ROAD_EDGE_COLUMNS,
    RoadGraph,
    check_road_edges,
    make_road_graph,
    read_road_edges,
)
from charging_sites.sites import SITES_COLUMNS, check_sites, read_sites
from charging_sites.tiers import SHARED_TIERS, TIER_ORDER, TIER_VALUES, Tier

__all__ = [
    "ACCESS_COLUMNS",
    "ACCESS_COST_COLUMNS",
    "DEFAULT_DETOUR_FACTOR",
    "ROAD_EDGE_COLUMNS",
    "SHARED_TIERS",
    "SITES_COLUMNS",
    "TIER_ORDER",
    "TIER_VALUES",
    "VEHICLE_CATEGORIES",
    "AccessError",
    "AccessMethod",
    "ChargerCatalogueError",
    "ChargerType",
    "ChargingSitesError",
    "RoadGraph",
    "Tier",
    "VehicleCategory",
    "access_pairs",
    "catalogue_from_records",
    "check_access_cost",
    "check_access_cost_ids",
    "check_road_edges",
    "check_sites",
    "default_catalogue",
    "make_road_graph",
    "read_access_cost",
    "read_road_edges",
    "read_sites",
    "site_availability",
    "straight_line_pairs",
]
