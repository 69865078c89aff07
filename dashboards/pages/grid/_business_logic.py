"""Grid: headroom against demand per node and slot, congestion, capacity requests (pandas only).

The node load of the overlay is internal to the planner (it is not k-filtered); with
``shared_only`` only the nodes whose figures may go to the grid operator (``disclosed``) are
kept, as in the operator's own files.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from dashboards.selection import nearest_year

#: Nodes shown in the heat map (the tightest first).
HEATMAP_NODES = 30


def overlay_year(node_load: xr.Dataset, year: int) -> int:
    """The overlay year to show for ``year``."""
    return nearest_year([int(y) for y in node_load["year"].to_numpy()], year)


def node_frame(node_load: xr.Dataset, year: int, shared_only: bool) -> pd.DataFrame:
    """Per node with demand in the year: name, level, peak demand, least margin, disclosed.

    Sorted by least margin (headroom − demand over the slots, kW), the tightest first.
    """
    year = overlay_year(node_load, year)
    demand = node_load["demand_kw"].sel(year=year).to_numpy()
    margin = node_load["headroom_kw"].to_numpy() - demand
    frame = pd.DataFrame(
        {
            "node_id": node_load["node"].to_numpy().astype(str),
            "name": node_load["name"].to_numpy().astype(str),
            "level": node_load["level"].to_numpy().astype(str),
            "peak_demand_kw": demand.max(axis=1).round(1),
            "least_margin_kw": margin.min(axis=1).round(1),
            "disclosed": node_load["disclosed"].sel(year=year).to_numpy().astype(bool),
        }
    )
    frame = frame[frame["peak_demand_kw"] > 0]
    if shared_only:
        frame = frame[frame["disclosed"]]
    return frame.sort_values(["least_margin_kw", "node_id"], ignore_index=True)


def hidden_nodes(node_load: xr.Dataset, year: int) -> int:
    """Nodes with demand in the year whose figures are below the k threshold."""
    every = node_frame(node_load, year, shared_only=False)
    return int((~every["disclosed"]).sum())


def margin_matrix(
    node_load: xr.Dataset, year: int, shared_only: bool, nodes: int = HEATMAP_NODES
) -> pd.DataFrame:
    """Margin (headroom − demand, kW) of the tightest nodes (rows) per slot (columns)."""
    chosen = node_frame(node_load, year, shared_only).head(nodes)
    positions = pd.Index(node_load["node"].to_numpy().astype(str)).get_indexer(chosen["node_id"])
    demand = node_load["demand_kw"].sel(year=overlay_year(node_load, year)).to_numpy()[positions]
    margin = node_load["headroom_kw"].to_numpy()[positions] - demand
    labels = [
        f"{name} ({node})" for name, node in zip(chosen["name"], chosen["node_id"], strict=True)
    ]
    columns = node_load["slot_start"].to_numpy().astype(str)
    return pd.DataFrame(np.round(margin, 1), index=pd.Index(labels, name="node"), columns=columns)


def node_curve(node_load: xr.Dataset, node_id: str, year: int) -> pd.DataFrame:
    """Demand and headroom of one node per slot in the year, kW."""
    year = overlay_year(node_load, year)
    node = node_load.sel(node=node_id)
    return pd.DataFrame(
        {
            "slot_start": node_load["slot_start"].to_numpy().astype(str),
            "demand_kw": node["demand_kw"].sel(year=year).to_numpy().round(1),
            "headroom_kw": node["headroom_kw"].to_numpy().round(1),
        }
    )


def congestion_rows(congestion: pd.DataFrame, year: int) -> pd.DataFrame:
    """Congested (node, slot) rows of the year, largest shortfall first."""
    return congestion[congestion["year"] == year].reset_index(drop=True)


def request_rows(requests: pd.DataFrame, year: int | None) -> pd.DataFrame:
    """Capacity requests of a year (every year when ``None``)."""
    rows = requests if year is None else requests[requests["year"] == year]
    return rows.reset_index(drop=True)
