"""Demand: ZE vehicles and energy per year by category or sector, load curves per strategy."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import xarray as xr

from dashboards.selection import Selection, nearest_year, need_mask
from planner.demand.aggregation import demand_by_region_table

#: Groupings of the yearly charts.
GROUPINGS = ("category", "sector")


def selected_needs(demand: xr.Dataset, selection: Selection) -> xr.Dataset:
    """The needs of the selection (every year)."""
    return demand.isel(need=np.flatnonzero(need_mask(demand, selection)))


def yearly_totals(demand: xr.Dataset, selection: Selection, by: str) -> pd.DataFrame:
    """ZE vehicles and energy per working day per year and group of the selection.

    Raises
    ------
    ValueError
        For a grouping other than :data:`GROUPINGS`.
    """
    if by not in GROUPINGS:
        raise ValueError(f"cannot group by {by!r}; valid: {', '.join(GROUPINGS)}")
    chosen = selected_needs(demand, selection)
    years = chosen["year"].to_numpy().astype(int)
    frame = pd.DataFrame(
        {
            "year": np.tile(years, chosen.sizes["need"]),
            "group": np.repeat(chosen[by].to_numpy().astype(str), len(years)),
            "ze_vehicles": chosen["ze_vehicles"].to_numpy().reshape(-1),
            "energy_kwh_per_day": chosen["energy_kwh_per_day"].to_numpy().reshape(-1),
        }
    )
    return frame.groupby(["year", "group"], as_index=False).sum().round(2)


def region_table(demand: xr.Dataset, selection: Selection) -> pd.DataFrame:
    """Vervoerregio × year × category of the selection (:func:`demand_by_region_table`)."""
    return demand_by_region_table(selected_needs(demand, selection)).round(1)


def load_curves(datasets: Mapping[str, xr.Dataset], selection: Selection) -> pd.DataFrame:
    """Summed charging power per slot of the selection in the year, per charging strategy.

    Returns
    -------
    pandas.DataFrame
        ``strategy``, ``slot``, ``slot_start``, ``is_offpeak``, ``power_kw``.
    """
    frames = []
    for strategy, demand in datasets.items():
        chosen = selected_needs(demand, selection)
        year = nearest_year([int(y) for y in chosen["year"].to_numpy()], selection.year)
        power = chosen["power_kw"].sel(year=year).sum("need")
        frames.append(
            pd.DataFrame(
                {
                    "strategy": strategy,
                    "slot": chosen["slot"].to_numpy().astype(int),
                    "slot_start": chosen["slot_start"].to_numpy().astype(str),
                    "is_offpeak": chosen["is_offpeak"].to_numpy().astype(bool),
                    "power_kw": power.to_numpy().astype(float).round(2),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
