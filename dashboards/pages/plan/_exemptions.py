"""Plan page: candidates for a grid-congestion exemption per ZES city (pandas only).

The planner's view of :func:`planner.workflows.exemptions.congestion_exemptions`: the
dashboard is for planners, so the figures are not k-filtered here (the report's are).
"""

from __future__ import annotations

import pandas as pd

from dashboards.plan_data import PlanOutputs
from planner.workflows.exemptions import ZesMembership, congestion_exemptions

#: Columns of :func:`exemptions_by_city`, in order.
CITY_COLUMNS = [
    "zes_city",
    "name",
    "zes_start_year",
    "vehicles_unmet",
    "organisations",
    "needs",
    "unmet_kwh_per_day",
]


def exemptions_by_city(plan: PlanOutputs, zes: ZesMembership, year: int) -> pd.DataFrame:
    """Per ZES city in ``year``: whole vehicles the grid's headroom leaves uncharged, and who.

    ``organisations`` counts the organisations, ``needs`` their needs; most vehicles first.
    """
    table = congestion_exemptions(plan.unmet, zes)
    rows = table[table["year"] == year]
    if rows.empty:
        return pd.DataFrame(columns=CITY_COLUMNS)
    cities = rows.groupby(["zes_city", "name", "zes_start_year"], as_index=False).agg(
        vehicles_unmet=("vehicles_unmet", "sum"),
        organisations=("organisation_id", "nunique"),
        needs=("needs", "sum"),
        unmet_kwh_per_day=("unmet_kwh_per_day", "sum"),
    )
    ordered = cities.sort_values(["vehicles_unmet", "name"], ascending=[False, True])
    return ordered[CITY_COLUMNS].reset_index(drop=True)
