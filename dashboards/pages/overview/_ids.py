"""Component ids of the Overview page, shared by its layout and its callbacks."""

from __future__ import annotations

KPI_CHARGERS = "ov-kpi-chargers"
KPI_ENERGY = "ov-kpi-energy"
KPI_LADDER = "ov-kpi-ladder"
KPI_PEAK = "ov-kpi-peak"
KPI_SHORTFALL = "ov-kpi-shortfall"
KPI_UNMET = "ov-kpi-unmet"
KPI_VEHICLES = "ov-kpi-vehicles"
MAP = "ov-map"
ROLLOUT = "ov-rollout"
TABLE = "ov-table"
