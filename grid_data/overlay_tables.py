"""The tables of the grid overlay: congestion rows, capacity requests and the node load.

Built by :func:`grid_data.overlay.overlay_demand` from the loads of every node
(:class:`NodeLoads`) and the outcome of the k-anonymity rule (:mod:`grid_data.disclosure`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import xarray as xr

from grid_data.disclosure import Bundle, Disclosure, YearDisclosure

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

#: Columns of ``congestion.csv``, in order.
CONGESTION_COLUMNS: tuple[str, ...] = (
    "node_id",
    "year",
    "slot",
    "demand_kw",
    "headroom_kw",
    "shortfall_kw",
    "offpeak",
)
#: Columns of ``capacity_requests.csv``, in order.
REQUEST_COLUMNS: tuple[str, ...] = (
    "node_id",
    "name",
    "level",
    "lat",
    "lon",
    "year",
    "extra_capacity_kva",
    "peak_slot",
    "existing_overload_kva",
    "organisations",
    "earliest_year",
    "disclosure",
    "merged_nodes",
    "basis",
)
#: ``basis`` of the overlay's requests: the reported depot demand, before any planning.
BEFORE_PLANNING = "before_planning"


@dataclass(frozen=True)
class NodeLoads:
    """Load, headroom and shortfall of every node (arrays; node = position in the grid table)."""

    demand_kw: FloatArray  # (node, year, slot)
    headroom_kva: FloatArray  # (node, slot)
    headroom_kw: FloatArray  # (node, slot)
    shortfall_kw: FloatArray  # (node, year, slot)
    extra_kva: FloatArray  # (node, year)
    peak_slot: IntArray  # (node, year)
    organisations: IntArray  # (node, year), distinct organisations below the node
    unmapped_kw: FloatArray  # (year, slot)


def make_congestion(
    node_ids: list[str],
    loads: NodeLoads,
    years: list[int],
    starts: list[str],
    offpeak: BoolArray,
    disclosed: BoolArray,
) -> pd.DataFrame:
    """The congestion rows of disclosed nodes (:data:`CONGESTION_COLUMNS`), largest first."""
    node, year, slot = np.nonzero((loads.shortfall_kw > 0) & disclosed[:, :, None])
    frame = pd.DataFrame(
        {
            "node_id": pd.array(np.array(node_ids, dtype=object)[node], dtype="str"),
            "year": np.array(years, dtype=np.int64)[year],
            "slot": pd.array(np.array(starts, dtype=object)[slot], dtype="str"),
            "demand_kw": loads.demand_kw[node, year, slot].round(1),
            "headroom_kw": loads.headroom_kw[node, slot].round(1),
            "shortfall_kw": loads.shortfall_kw[node, year, slot].round(1),
            "offpeak": offpeak[slot],
        }
    )
    order = ["shortfall_kw", "node_id", "year", "slot"]
    return frame.sort_values(order, ascending=[False, True, True, True], ignore_index=True)


def make_requests(
    grid: pd.DataFrame,
    loads: NodeLoads,
    years: list[int],
    starts: list[str],
    outcomes: list[YearDisclosure],
    basis: str = BEFORE_PLANNING,
) -> pd.DataFrame:
    """The capacity requests as published (:data:`REQUEST_COLUMNS`), by year, largest first.

    ``basis`` says what the loads are: the overlay's reported depot demand
    (:data:`BEFORE_PLANNING`) or a plan's loads (``"plan"``).

    A disclosed congested node gives an ``own`` row; each bundle of merged nodes a
    ``merged_from_children`` row at the node it is published at (its extra capacity is the
    sum of the merged nodes' own, ``peak_slot`` and ``existing_overload_kva`` stay empty);
    each year with suppressed nodes one ``suppressed`` row with their count only.
    """
    records: list[dict[str, object]] = []
    for y, (year, outcome) in enumerate(zip(years, outcomes, strict=True)):
        own = np.flatnonzero(outcome.disclosed & (loads.extra_kva[:, y] > 0))
        records += [_own_record(grid, loads, y, year, starts, int(node)) for node in own]
        records += [_bundle_record(grid, loads, y, year, bundle) for bundle in outcome.bundles]
    columns = [column for column in REQUEST_COLUMNS if column not in ("earliest_year", "basis")]
    frame = pd.DataFrame(records, columns=columns)
    for column in ("node_id", "name", "level", "peak_slot", "disclosure"):
        frame[column] = frame[column].astype("str")
    for column in ("lat", "lon", "extra_capacity_kva", "existing_overload_kva"):
        frame[column] = frame[column].astype(np.float64)
    named = frame["node_id"] != ""
    first = frame[named].groupby("node_id")["year"].min()
    frame["earliest_year"] = frame["node_id"].map(first).astype("Int64")
    frame["organisations"] = frame["organisations"].astype("Int64")
    frame = frame.astype({"year": np.int64, "merged_nodes": np.int64}).assign(basis=basis)
    frame = frame.sort_values(
        ["year", "extra_capacity_kva", "node_id", "disclosure"],
        ascending=[True, False, True, True],
        na_position="last",
        ignore_index=True,
    )
    return frame[list(REQUEST_COLUMNS)]


def _node_record(grid: pd.DataFrame, node: int, year: int) -> dict[str, object]:
    record: dict[str, object] = {"node_id": "", "name": "", "level": "", "lat": math.nan}
    record.update({"lon": math.nan, "year": year, "peak_slot": "", "existing_overload_kva": None})
    if node >= 0:
        row = grid.iloc[node]
        record.update({key: row[key] for key in ("node_id", "name", "level", "lat", "lon")})
    return record


def _own_record(
    grid: pd.DataFrame, loads: NodeLoads, y: int, year: int, starts: list[str], node: int
) -> dict[str, object]:
    slot = int(loads.peak_slot[node, y])
    return {
        **_node_record(grid, node, year),
        "extra_capacity_kva": round(float(loads.extra_kva[node, y]), 1),
        "peak_slot": starts[slot],
        "existing_overload_kva": round(max(0.0, -float(loads.headroom_kva[node, slot])), 1),
        "organisations": int(loads.organisations[node, y]),
        "disclosure": Disclosure.OWN.value,
        "merged_nodes": 0,
    }


def _bundle_record(
    grid: pd.DataFrame, loads: NodeLoads, y: int, year: int, bundle: Bundle
) -> dict[str, object]:
    suppressed = bundle.node < 0
    extra_kva = float(loads.extra_kva[list(bundle.members), y].sum())
    return {
        **_node_record(grid, bundle.node, year),
        "extra_capacity_kva": math.nan if suppressed else round(extra_kva, 1),
        "organisations": None if suppressed else bundle.organisations,
        "disclosure": (
            Disclosure.SUPPRESSED if suppressed else Disclosure.MERGED_FROM_CHILDREN
        ).value,
        "merged_nodes": len(bundle.members),
    }


def reported_as(
    node_ids: list[str], congested: BoolArray, outcomes: list[YearDisclosure]
) -> npt.NDArray[np.str_]:
    """How each congested (node, year) reaches the operator's files.

    ``own``, ``merged:<node_id>`` (merged into the request of that node), ``suppressed``, or
    ``''`` for a node without shortfall.
    """
    labels = np.full(congested.shape, "", dtype=object)
    for y, outcome in enumerate(outcomes):
        labels[congested[:, y] & outcome.disclosed, y] = Disclosure.OWN.value
        for bundle in outcome.bundles:
            label = f"merged:{node_ids[bundle.node]}" if bundle.node >= 0 else "suppressed"
            labels[list(bundle.members), y] = label
    return labels.astype(str)


def make_node_load(
    grid: pd.DataFrame,
    loads: NodeLoads,
    years: list[int],
    starts: list[str],
    offpeak: BoolArray,
    disclosed: BoolArray,
    labels: npt.NDArray[np.str_],
    attrs: dict[str, str | int | float],
) -> xr.Dataset:
    """The load of every node per year and slot, for the planner (``node_load.nc``).

    Not k-filtered: the planner that runs the overlay already holds every organisation's
    needs, and the optimisation needs the load of every node.  It holds no organisation id,
    only counts; ``disclosed`` tells which (node, year) figures the operator's files may carry,
    so anything shared beyond the planner must be filtered on it.
    """
    node = [str(node_id) for node_id in grid["node_id"]]
    node_coords = {
        name: ("node", grid[name].fillna("").astype(str).to_numpy(dtype=str))
        for name in ("name", "level", "parent_id")
    }
    for name in ("lat", "lon"):
        node_coords[name] = ("node", grid[name].to_numpy(dtype=np.float64))
    data = {
        "demand_kw": (("node", "year", "slot"), loads.demand_kw),
        "headroom_kw": (("node", "slot"), loads.headroom_kw),
        "shortfall_kw": (("node", "year", "slot"), loads.shortfall_kw),
        "extra_capacity_kva": (("node", "year"), loads.extra_kva),
        "organisations": (("node", "year"), loads.organisations.astype(np.int64)),
        "disclosed": (("node", "year"), disclosed.astype(np.int8)),
        "reported_as": (("node", "year"), labels),
        "unmapped_demand_kw": (("year", "slot"), loads.unmapped_kw),
    }
    dataset = xr.Dataset(
        data,
        coords={
            "node": ("node", np.array(node, dtype=str)),
            **node_coords,
            "year": ("year", np.array(years, dtype=np.int64)),
            "slot": ("slot", np.arange(len(starts), dtype=np.int64)),
            "slot_start": ("slot", np.array(starts, dtype=str)),
            "offpeak": ("slot", offpeak.astype(np.int8)),
        },
        attrs=attrs,
    )
    for name, (units, text) in NODE_LOAD_VARIABLES.items():
        dataset[name].attrs.update({"units": units, "description": text})
    return dataset


#: Variables of the node load: units and meaning.
NODE_LOAD_VARIABLES: dict[str, tuple[str, str]] = {
    "demand_kw": ("kW", "charging demand of the depots mapped to the node or below it"),
    "headroom_kw": ("kW", "headroom of the node itself (capacity - base load) x power factor"),
    "shortfall_kw": ("kW", "demand - headroom where there is demand and it exceeds the headroom"),
    "extra_capacity_kva": ("kVA", "largest shortfall over the slots / power factor"),
    "organisations": ("1", "distinct organisations with demand at or below the node"),
    "disclosed": ("1", "1 when the node's own figures pass the k-anonymity rule"),
    "reported_as": (
        "",
        "how a congested node reaches the operator's files: own, "
        "merged:<node_id>, suppressed ('' without shortfall)",
    ),
    "unmapped_demand_kw": ("kW", "demand of depots with private terrain not mapped to a node"),
}
