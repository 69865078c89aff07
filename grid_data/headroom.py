"""Headroom per node and time slot: capacity − base load(slot).

Per node, in this order:

1. a node profile (:func:`grid_data.profiles.read_grid_profiles`) gives the base load per slot;
   capacity is ``firm_capacity_kva``, else the profile's largest load + ``headroom_kva``;
2. otherwise the base load is the typical MV weekday shape
   (:data:`grid_data.profiles.TYPICAL_MV_WEEKDAY`) scaled to the node's peak: ``peak_load_kva``,
   else ``firm_capacity_kva − headroom_kva`` (not when that headroom is only an estimate from
   the status); capacity is ``firm_capacity_kva``, else peak + ``headroom_kva``;
3. a node with neither (known only by its headroom or status) keeps ``headroom_kva`` in every
   slot: nothing is known of its daily swing, so no off-peak bonus is assumed.

Headroom is not clipped at 0: a negative value is a shortfall that already exists without new
load, and the overlay must see it as such.
"""

from __future__ import annotations

from collections.abc import Hashable

import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd
import xarray as xr

from grid_data.profiles import profile_matrix, slot_starts, typical_shape
from grid_data.topology import path_minimum
from validation.timeofday import parse_hhmm

FloatArray = npt.NDArray[np.float64]

DEFAULT_OFFPEAK_START = "22:00"
DEFAULT_OFFPEAK_END = "07:00"


def make_base_load(
    grid: pd.DataFrame, slot_minutes: int = 60, profiles: pd.DataFrame | None = None
) -> xr.DataArray:
    """Base load per node and slot, kVA (NaN for nodes with neither profile nor peak).

    Parameters
    ----------
    grid
        The canonical grid table.
    slot_minutes
        Slot length: 15, 30 or 60 minutes.
    profiles
        Validated node profiles (``node_id``, ``slot``, ``load_kva``), or ``None``.
    """
    base_kva, _ = _base_and_capacity(grid, slot_minutes, profiles)
    return _as_node_slot(base_kva, grid, slot_minutes, "base_load_kva")


def make_headroom(
    grid: pd.DataFrame, slot_minutes: int = 60, profiles: pd.DataFrame | None = None
) -> xr.DataArray:
    """Headroom per node and slot: capacity − base load(slot), kVA.

    Parameters
    ----------
    grid
        The canonical grid table (:func:`grid_data.read_grid`).
    slot_minutes
        Slot length: 15, 30 or 60 minutes.
    profiles
        Validated node profiles, or ``None`` to use the typical shape for every node.

    Returns
    -------
    xarray.DataArray
        ``headroom_kva`` with dims (``node``, ``slot``); coordinates ``node`` (node ids),
        ``slot`` (0-based index) and ``slot_start`` (``HH:MM``, along ``slot``).  Negative
        values are existing shortfalls.
    """
    base_kva, capacity_kva = _base_and_capacity(grid, slot_minutes, profiles)
    headroom = capacity_kva[:, None] - base_kva
    constant = grid["headroom_kva"].to_numpy(dtype=np.float64)
    no_daily_shape = np.isnan(base_kva).all(axis=1) | np.isnan(capacity_kva)
    headroom[no_daily_shape] = constant[no_daily_shape, None]
    return _as_node_slot(headroom, grid, slot_minutes, "headroom_kva")


def _base_and_capacity(
    grid: pd.DataFrame, slot_minutes: int, profiles: pd.DataFrame | None
) -> tuple[FloatArray, FloatArray]:
    firm = grid["firm_capacity_kva"].to_numpy(dtype=np.float64)
    head = grid["headroom_kva"].to_numpy(dtype=np.float64)
    peak = grid["peak_load_kva"].to_numpy(dtype=np.float64)
    estimated = grid["headroom_estimated"].to_numpy(dtype=bool)
    peak = np.where(np.isnan(peak) & ~estimated, firm - head, peak)
    base = peak[:, None] * typical_shape(slot_minutes)[None, :]
    capacity = np.where(np.isnan(firm), peak + head, firm)
    if profiles is not None:
        node_ids = [str(node) for node in grid["node_id"]]
        loads, has_profile = profile_matrix(profiles, node_ids, slot_minutes)
        base[has_profile] = loads[has_profile]
        from_profile = loads.max(axis=1, initial=-np.inf) + head
        capacity = np.where(has_profile & np.isnan(firm), from_profile, capacity)
    return base, capacity


def _as_node_slot(
    values: FloatArray, grid: pd.DataFrame, slot_minutes: int, name: str
) -> xr.DataArray:
    starts = slot_starts(slot_minutes)
    return xr.DataArray(
        values,
        dims=("node", "slot"),
        coords={
            "node": [str(node) for node in grid["node_id"]],
            "slot": np.arange(len(starts)),
            "slot_start": ("slot", starts),
        },
        name=name,
        attrs={"units": "kVA", "slot_minutes": slot_minutes},
    )


def path_headroom_by_slot(graph: nx.DiGraph[Hashable], headroom: xr.DataArray) -> xr.DataArray:
    """Minimum headroom along each node's path to its root, per slot, kVA.

    Parameters
    ----------
    graph
        The feeding tree (:func:`grid_data.topology.build_topology`).
    headroom
        Headroom per (``node``, ``slot``) (:func:`make_headroom`).

    Returns
    -------
    xarray.DataArray
        ``path_headroom_kva``, same dims and coordinates: what a new load at the node can take
        in each slot without overloading anything upstream.
    """
    ordered = headroom.transpose("node", "slot")
    node_ids = [str(node) for node in ordered["node"].values]
    minimum = path_minimum(graph, node_ids, ordered.to_numpy())
    return ordered.copy(data=minimum).rename("path_headroom_kva")


def offpeak_mask(
    starts: list[str], start: str = DEFAULT_OFFPEAK_START, end: str = DEFAULT_OFFPEAK_END
) -> npt.NDArray[np.bool_]:
    """Tell which slots start within the off-peak window (which may wrap midnight).

    Examples
    --------
    >>> offpeak_mask(["06:00", "07:00", "21:00", "22:00"]).tolist()
    [True, False, False, True]
    """
    begin_min, end_min = parse_hhmm(start), parse_hhmm(end)
    minutes = np.array([parse_hhmm(text) for text in starts])
    if begin_min <= end_min:
        return np.asarray((minutes >= begin_min) & (minutes < end_min))
    return np.asarray((minutes >= begin_min) | (minutes < end_min))
