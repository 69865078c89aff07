"""The canonical grid table: its columns, closed value sets and defaults.

Every reader in :mod:`grid_data` returns this table, one row per grid node:

==================== ======= ===========================================================
column               dtype   meaning
==================== ======= ===========================================================
node_id              str     unique key of the node
name                 str     label shown to people (the id when the source has none)
level                str     ``hv_mv_substation`` or ``mv_cabin``
parent_id            str     the node this one is fed from; missing for a root
lat, lon             float   WGS84 degrees, inside Belgium
firm_capacity_kva    float   firm (n-1) capacity, kVA; NaN when unknown
peak_load_kva        float   measured peak load, kVA; NaN when unknown
headroom_kva         float   capacity available for new offtake at the peak, kVA
status               str     ``green``, ``orange``, ``red`` or ``unknown``
as_of                str     date of the figures, ``YYYY-MM-DD``; missing when not given
source               str     where the row comes from (mapping default or file name)
headroom_estimated   bool    headroom_kva is a conservative figure derived from status
parent_inferred      bool    parent_id was not given but inferred (nearest substation)
==================== ======= ===========================================================
"""

from __future__ import annotations

from enum import StrEnum


class GridLevel(StrEnum):
    """Level of a node in the distribution grid."""

    HV_MV_SUBSTATION = "hv_mv_substation"
    MV_CABIN = "mv_cabin"


class GridStatus(StrEnum):
    """Traffic-light status of a node's available offtake capacity."""

    GREEN = "green"
    ORANGE = "orange"
    RED = "red"
    UNKNOWN = "unknown"


class GridShape(StrEnum):
    """Source shapes that :func:`grid_data.read_grid` reads."""

    CANONICAL = "canonical"
    OPENDATASOFT_CSV = "opendatasoft_csv"
    OPENDATASOFT_JSON = "opendatasoft_json"
    STATUS_MAP = "status_map"
    UK_HEADROOM = "uk_headroom"


#: Columns of a canonical ``grid.csv`` file (DESIGN.md), in order.
GRID_FILE_COLUMNS: tuple[str, ...] = (
    "node_id",
    "name",
    "level",
    "parent_id",
    "lat",
    "lon",
    "firm_capacity_kva",
    "peak_load_kva",
    "headroom_kva",
    "status",
    "as_of",
    "source",
)

#: Columns of the canonical grid table as read: the file's plus two flags.
GRID_COLUMNS: tuple[str, ...] = (*GRID_FILE_COLUMNS, "headroom_estimated", "parent_inferred")

#: Power quantities, all in kVA once read.
QUANTITY_FIELDS: tuple[str, ...] = ("firm_capacity_kva", "peak_load_kva", "headroom_kva")

#: Quantities that can never be negative (headroom can: a node already overloaded).
NON_NEGATIVE_FIELDS: tuple[str, ...] = ("firm_capacity_kva", "peak_load_kva")

#: Boolean flags of the canonical table.
FLAG_FIELDS: tuple[str, ...] = ("headroom_estimated", "parent_inferred")

#: Fields a source must provide (directly, through a mapping default or via ``geo_point``).
REQUIRED_FIELDS: tuple[str, ...] = ("node_id", "level", "lat", "lon")

#: Conservative headroom given to a node known only by its status, kVA.  A green node is
#: assumed to take a small MV connection (1 MVA), an orange one a large LV/small MV one
#: (250 kVA); red and unknown nodes are assumed to take nothing until the operator says so.
DEFAULT_STATUS_HEADROOM_KVA: dict[str, float] = {
    GridStatus.GREEN.value: 1000.0,
    GridStatus.ORANGE.value: 250.0,
    GridStatus.RED.value: 0.0,
    GridStatus.UNKNOWN.value: 0.0,
}

#: Thresholds to derive a missing status from headroom / firm capacity: at least
#: ``green_min_share`` is green, at least ``orange_min_share`` (and above 0 kVA) is orange,
#: anything less is red.
DEFAULT_STATUS_THRESHOLDS: dict[str, float] = {"green_min_share": 0.20, "orange_min_share": 0.05}

#: Power units accepted in a source, with their factor to kVA (kW and MW divide by the power
#: factor as well).
UNIT_FACTORS_TO_KVA: dict[str, float] = {"kVA": 1.0, "MVA": 1000.0, "kW": 1.0, "MW": 1000.0}

#: Units that measure active power and need the power factor to become apparent power.
ACTIVE_POWER_UNITS: frozenset[str] = frozenset({"kW", "MW"})

DEFAULT_POWER_FACTOR = 0.95


def level_values() -> list[str]:
    """Return the valid levels, in order."""
    return [level.value for level in GridLevel]


def status_values() -> list[str]:
    """Return the valid statuses, in order."""
    return [status.value for status in GridStatus]
