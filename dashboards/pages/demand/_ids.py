"""Component ids of the Demand page, shared by its layout and its callbacks."""

from __future__ import annotations

CURVE = "dm-curve"
ENERGY = "dm-energy"
GROUP = "dm-group"
TABLE = "dm-table"
VEHICLES = "dm-vehicles"
