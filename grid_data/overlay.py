"""Projected charging demand on the grid: load per node and slot, shortfalls, capacity requests.

:func:`overlay_demand` takes the demand as plain data — power per point (a depot's need), year
and slot, and a table of the points — so that this package never needs the planner.  The rules:

* **Only depots with private terrain** are placed on the grid: their vehicles charge on their
  own connection.  Needs without private terrain charge at semi-public or public sites that the
  optimisation chooses; they are not part of the overlay.
* **Mapping.**  Each such depot is mapped with :func:`~grid_data.topology.map_points_to_nodes`:
  its explicit ``grid_node_id``, else the nearest MV cabin within ``max_distance_km``.  A depot
  whose location was estimated from its municipality (``location_estimated``) is not mapped by
  distance: a municipality's centre says nothing about the cabin.  Depots left unmapped are
  counted, logged and kept as ``unmapped_demand_kw`` in the node load — never dropped silently.
* **Up the tree.**  A node carries the demand of every depot mapped to it or to any node fed
  below it, summed per slot (the slot profiles already hold the coincidence of charging).
* **Shortfall** (node, year, slot) = demand − headroom where there is demand and it exceeds the
  headroom; headroom_kw = headroom_kva × power factor.  Each node is compared with its *own*
  headroom: its ancestors carry the same demand and are compared as nodes in their own right,
  so the path minimum (what a *new* load at one node could take) is not needed.  Shortfalls
  below :data:`SHORTFALL_TOLERANCE_KW` are rounding noise and ignored; a node whose headroom
  is unknown (NaN) is not checked, and the log says so.
* **Existing overloads.**  Headroom may be negative (the base load already exceeds capacity);
  a slot with demand then shows the whole gap, and ``existing_overload_kva`` of a request says
  which part of it exists without any new load.  Slots without demand are not reported: an
  overload without charging demand is the operator's own knowledge.
* **Capacity request** of a node and year: the largest shortfall over the slots ÷ power factor,
  kVA, at ``peak_slot``; ``earliest_year`` is the first year a node has a published request.
* **Privacy.**  The congestion rows and requests pass the k-anonymity rule of
  :mod:`grid_data.disclosure`; no organisation id enters them.  The node load (NetCDF) is for
  the planner and is not filtered (see :func:`~grid_data.overlay_tables.make_node_load`).
"""

from __future__ import annotations

import logging
from collections.abc import Hashable
from dataclasses import dataclass, field, replace

import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd
import xarray as xr

from grid_data.disclosure import DEFAULT_K_ANONYMITY, check_k, disclose_year
from grid_data.headroom import DEFAULT_OFFPEAK_END, DEFAULT_OFFPEAK_START, offpeak_mask
from grid_data.overlay_tables import (
    NodeLoads,
    make_congestion,
    make_node_load,
    make_requests,
    reported_as,
)
from grid_data.profiles import slot_starts
from grid_data.schema import DEFAULT_POWER_FACTOR
from grid_data.topology import (
    DEFAULT_MAX_DISTANCE_KM,
    apply_inferred_parents,
    build_topology,
    map_points_to_nodes,
)
from validation import LaadplanError
from validation.timeofday import is_hhmm

LOGGER = logging.getLogger("laadplan")

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

#: Shortfalls smaller than this are rounding noise, kW.
SHORTFALL_TOLERANCE_KW = 0.05
#: Columns of the points table; ``grid_node_id``, ``location_estimated`` and ``depot_id`` are
#: optional.
POINT_COLUMNS: tuple[str, ...] = ("id", "organisation_id", "lat", "lon", "private_terrain")
#: How a point was (not) placed on the grid.
DEPOT_MAPPINGS: tuple[str, ...] = (
    "explicit",
    "nearest",
    "unmapped",
    "estimated_location",
    "no_private_terrain",
)


@dataclass(frozen=True)
class OverlaySettings:
    """Settings of the overlay.

    Attributes
    ----------
    power_factor
        cos φ between the demand (kW) and the grid's capacities (kVA), in (0, 1].
    k_anonymity
        Least number of organisations behind a figure in the operator's files.
    max_distance_km
        Farthest a depot is mapped to the nearest MV cabin, km.
    offpeak_start, offpeak_end
        The off-peak window (``HH:MM``, may wrap midnight); congestion rows say whether their
        slot lies in it.
    """

    power_factor: float = DEFAULT_POWER_FACTOR
    k_anonymity: int = DEFAULT_K_ANONYMITY
    max_distance_km: float = DEFAULT_MAX_DISTANCE_KM
    offpeak_start: str = DEFAULT_OFFPEAK_START
    offpeak_end: str = DEFAULT_OFFPEAK_END

    def check(self) -> None:
        """Raise :class:`~validation.LaadplanError` naming every invalid setting."""
        problems: list[str] = []
        if not 0 < self.power_factor <= 1:
            problems.append(f"power factor {self.power_factor}: valid: above 0, at most 1")
        if not self.max_distance_km >= 0:
            problems.append(f"mapping distance {self.max_distance_km} km: valid: a number >= 0")
        for label in (self.offpeak_start, self.offpeak_end):
            if not is_hhmm(label):
                problems.append(f"off-peak bound '{label}': valid: HH:MM, e.g. 22:00")
        try:
            check_k(self.k_anonymity)
        except LaadplanError as exc:
            problems.append(str(exc))
        if problems:
            raise LaadplanError("grid overlay settings: " + "; ".join(problems))


@dataclass(frozen=True)
class OverlayResult:
    """Everything the overlay produces.

    Attributes
    ----------
    node_load
        Per node, year and slot (:func:`~grid_data.overlay_tables.make_node_load`);
        internal to the planner.
    congestion
        :data:`~grid_data.overlay_tables.CONGESTION_COLUMNS`, disclosed nodes only, largest
        shortfall first.
    requests
        :data:`~grid_data.overlay_tables.REQUEST_COLUMNS`, the capacity requests as the
        operator receives them.
    depots
        Per point: ``id``, ``grid_node_id``, ``mapping`` (:data:`DEPOT_MAPPINGS`),
        ``distance_km``; internal.
    settings
        The settings used.
    """

    node_load: xr.Dataset
    congestion: pd.DataFrame
    requests: pd.DataFrame
    depots: pd.DataFrame
    settings: OverlaySettings = field(default_factory=OverlaySettings)

    @property
    def years(self) -> list[int]:
        """The years of the overlay."""
        return [int(year) for year in self.node_load["year"].values]


@dataclass(frozen=True)
class _Tree:
    node_ids: list[str]
    parents: IntArray  # position of each node's parent, -1 for a root
    generations: list[IntArray]  # node positions by depth, roots first

    @property
    def children_first(self) -> list[int]:
        return [int(node) for layer in reversed(self.generations) for node in layer]


def overlay_demand(
    grid: pd.DataFrame,
    headroom_kva: xr.DataArray,
    demand_kw: xr.DataArray,
    points: pd.DataFrame,
    settings: OverlaySettings | None = None,
) -> OverlayResult:
    """Place the demand of depots on the grid and compare it with the headroom per slot.

    Parameters
    ----------
    grid
        The canonical grid table (:func:`grid_data.read_grid`).
    headroom_kva
        Headroom per (``node``, ``slot``), kVA (:func:`grid_data.make_headroom`), at the
        demand's slot length.
    demand_kw
        Charging power per (point, ``year``, ``slot``), kW; the point dimension may have any
        name, its coordinate must list ``points["id"]`` in order.
    points
        One row per point: :data:`POINT_COLUMNS` and optionally ``grid_node_id``,
        ``location_estimated``.
    settings
        :class:`OverlaySettings`; defaults when ``None``.

    Returns
    -------
    OverlayResult
        See the module docstring for the rules.

    Raises
    ------
    LaadplanError
        On invalid settings, mismatched inputs or a grid that is not a tree.
    TableValidationError
        When a point's explicit ``grid_node_id`` is not a node of the grid.
    """
    settings = settings or OverlaySettings()
    settings.check()
    values, years = point_demand(demand_kw, points)
    graph = build_topology(grid)
    grid = apply_inferred_parents(grid, graph)
    tree = _make_tree(graph, grid)
    depots = map_depots(points, grid, settings.max_distance_km)
    node_of_point = _positions(depots["grid_node_id"], tree.node_ids)
    headroom, starts = _aligned_headroom(headroom_kva, tree.node_ids, values.shape[2])
    organisations = points["organisation_id"].astype(str).to_numpy(dtype=object)
    direct = [
        _direct_organisations(len(tree.node_ids), node_of_point, organisations, year_kw)
        for year_kw in values.transpose(1, 0, 2)
    ]
    lost = depots["mapping"].isin(["unmapped", "estimated_location"]).to_numpy()
    loads = _make_loads(tree, values, (node_of_point, lost), direct, headroom, settings)
    _log_unmapped(depots, values, years)
    _log_unknown_headroom(tree.node_ids, loads)
    outcomes = [
        disclose_year(tree.parents, tree.children_first, groups, congested, settings.k_anonymity)
        for groups, congested in zip(direct, (loads.extra_kva > 0).T, strict=True)
    ]
    offpeak = offpeak_mask(starts, settings.offpeak_start, settings.offpeak_end)
    disclosed = np.stack([outcome.disclosed for outcome in outcomes], axis=1)
    labels = reported_as(tree.node_ids, loads.extra_kva > 0, outcomes)
    return OverlayResult(
        node_load=make_node_load(
            grid, loads, years, starts, offpeak, disclosed, labels, _node_load_attributes(settings)
        ),
        congestion=make_congestion(tree.node_ids, loads, years, starts, offpeak, disclosed),
        requests=make_requests(grid, loads, years, starts, outcomes),
        depots=depots,
        settings=settings,
    )


def point_demand(demand_kw: xr.DataArray, points: pd.DataFrame) -> tuple[FloatArray, list[int]]:
    """Return the demand as an array (point, year, slot) in the order of ``points``, kW.

    NaN counts as no demand.

    Raises
    ------
    LaadplanError
        When the dimensions are not (point, ``year``, ``slot``) or the points differ.
    """
    others = [str(dim) for dim in demand_kw.dims if dim not in ("year", "slot")]
    if len(others) != 1 or demand_kw.ndim != 3:
        dims = ", ".join(str(dim) for dim in demand_kw.dims)
        raise LaadplanError(f"demand has dimensions ({dims}); valid: (point, year, slot)")
    ordered = demand_kw.transpose(others[0], "year", "slot")
    ids = [str(value) for value in ordered[others[0]].values]
    if ids != [str(value) for value in points["id"]]:
        raise LaadplanError(
            f"the demand's '{others[0]}' coordinate and the points' ids differ; give one "
            "point row per demand entry, in the same order"
        )
    values = np.nan_to_num(ordered.to_numpy().astype(np.float64), nan=0.0)
    return values, [int(year) for year in ordered["year"].values]


def map_depots(
    points: pd.DataFrame, grid: pd.DataFrame, max_distance_km: float = DEFAULT_MAX_DISTANCE_KM
) -> pd.DataFrame:
    """Map the depots with private terrain to grid nodes.

    Parameters
    ----------
    points
        :data:`POINT_COLUMNS`, optionally ``grid_node_id`` and ``location_estimated``.
    grid
        The canonical grid table.
    max_distance_km
        Farthest a depot is mapped to the nearest MV cabin, km.

    Returns
    -------
    pandas.DataFrame
        One row per point, in order: ``id``, ``grid_node_id`` (missing when not mapped),
        ``mapping`` (one of :data:`DEPOT_MAPPINGS`), ``distance_km``.
    """
    missing = [column for column in POINT_COLUMNS if column not in points.columns]
    if missing:
        raise LaadplanError(
            f"depots to map lack column(s) {', '.join(missing)}; valid: "
            f"{', '.join(POINT_COLUMNS)} and optionally grid_node_id, location_estimated"
        )
    private = points["private_terrain"].astype(bool).to_numpy()
    estimated = _flag(points, "location_estimated")
    columns = [c for c in ("id", "lat", "lon", "grid_node_id") if c in points.columns]
    candidates = points.loc[private, columns].copy()
    candidates.loc[estimated[private], ["lat", "lon"]] = np.nan
    mapped = map_points_to_nodes(candidates, grid, max_distance_km)
    node = np.full(len(points), None, dtype=object)
    mapping = np.full(len(points), "no_private_terrain", dtype=object)
    distance_km = np.full(len(points), np.nan)
    node[private] = mapped["grid_node_id"].to_numpy(dtype=object)
    mapping[private] = mapped["mapping"].to_numpy(dtype=object)
    distance_km[private] = mapped["distance_km"].to_numpy(dtype=np.float64)
    mapping[private & estimated & (mapping == "unmapped")] = "estimated_location"
    return pd.DataFrame(
        {
            "id": points["id"].to_numpy(),
            "grid_node_id": pd.array(node, dtype="str"),
            "mapping": pd.array(mapping, dtype="str"),
            "distance_km": distance_km,
        }
    )


def _flag(points: pd.DataFrame, column: str) -> BoolArray:
    if column not in points.columns:
        return np.zeros(len(points), dtype=bool)
    return points[column].fillna(False).astype(bool).to_numpy()


def _make_tree(graph: nx.DiGraph[Hashable], grid: pd.DataFrame) -> _Tree:
    node_ids = [str(node) for node in grid["node_id"]]
    position = {node: i for i, node in enumerate(node_ids)}
    parents = np.array([position.get(str(p), -1) for p in grid["parent_id"].fillna("")])
    generations = [
        np.array([position[str(node)] for node in layer], dtype=np.intp)
        for layer in nx.topological_generations(graph)
    ]
    return _Tree(node_ids, parents.astype(np.intp), generations)


def _positions(node_ids: pd.Series[str], known: list[str]) -> IntArray:
    position = {node: i for i, node in enumerate(known)}
    return np.array([position.get(node, -1) for node in node_ids.fillna("")], dtype=np.intp)


def _aligned_headroom(
    headroom_kva: xr.DataArray, node_ids: list[str], slots: int
) -> tuple[FloatArray, list[str]]:
    ordered = headroom_kva.transpose("node", "slot")
    if ordered.sizes["slot"] != slots:
        raise LaadplanError(
            f"headroom has {ordered.sizes['slot']} slots per day and the demand {slots}; "
            "make the headroom at the demand's slot length"
        )
    missing = sorted(set(node_ids) - {str(node) for node in ordered["node"].values})
    if missing:
        raise LaadplanError(f"headroom lacks grid node(s) {', '.join(missing[:5])}")
    values = ordered.sel(node=node_ids).to_numpy().astype(np.float64)
    if "slot_start" in ordered.coords:
        return values, [str(start) for start in ordered["slot_start"].values]
    return values, slot_starts(24 * 60 // slots)


def sum_up_tree(parents: IntArray, generations: list[IntArray], values: FloatArray) -> FloatArray:
    """Add each node's values to all its ancestors: the load a node carries from below.

    Parameters
    ----------
    parents
        Position of each node's parent, -1 for a root.
    generations
        Node positions by depth, roots first.
    values
        Array whose first axis is the node.

    Examples
    --------
    >>> parents = np.array([-1, 0, 1])
    >>> sum_up_tree(parents, [np.array([0]), np.array([1]), np.array([2])], np.array([1.0, 2, 4]))
    array([7., 6., 4.])
    """
    result = np.array(values, dtype=np.float64, copy=True)
    for layer in reversed(generations[1:]):
        np.add.at(result, parents[layer], result[layer])
    return result


def _make_loads(
    tree: _Tree,
    values: FloatArray,
    placement: tuple[IntArray, BoolArray],
    direct: list[list[set[str]]],
    headroom_kva: FloatArray,
    settings: OverlaySettings,
) -> NodeLoads:
    count, (_, years, slots) = len(tree.node_ids), values.shape
    node_of_point, lost = placement
    mapped = node_of_point >= 0
    at_node = np.zeros((count, years, slots))
    np.add.at(at_node, node_of_point[mapped], values[mapped])
    demand = sum_up_tree(tree.parents, tree.generations, at_node)
    headroom_kw = headroom_kva * settings.power_factor
    gap = demand - headroom_kw[:, None, :]
    shortfall = np.where((demand > 0) & (gap >= SHORTFALL_TOLERANCE_KW), gap, 0.0)
    counts = [_subtree_count(tree, groups) for groups in direct]
    return NodeLoads(
        demand_kw=demand,
        headroom_kva=headroom_kva,
        headroom_kw=headroom_kw,
        shortfall_kw=shortfall,
        extra_kva=shortfall.max(axis=2, initial=0.0) / settings.power_factor,
        peak_slot=shortfall.argmax(axis=2) if slots else np.zeros((count, years), np.intp),
        organisations=np.array(counts, dtype=np.intp).reshape(years, count).T,
        unmapped_kw=values[lost].sum(axis=0),
    )


def _direct_organisations(
    count: int,
    node_of_point: IntArray,
    organisations: npt.NDArray[np.object_],
    year_kw: FloatArray,
) -> list[set[str]]:
    """Per node, the organisations with demand in one year at depots mapped to it."""
    groups: list[set[str]] = [set() for _ in range(count)]
    active = (node_of_point >= 0) & (year_kw.max(axis=1, initial=0.0) > 0)
    for node, organisation in zip(node_of_point[active], organisations[active], strict=True):
        groups[int(node)].add(str(organisation))
    return groups


def _subtree_count(tree: _Tree, direct: list[set[str]]) -> list[int]:
    below = [set(group) for group in direct]
    for node in tree.children_first:
        parent = int(tree.parents[node])
        if parent >= 0:
            below[parent] |= below[node]
    return [len(group) for group in below]


def _log_unmapped(depots: pd.DataFrame, values: FloatArray, years: list[int]) -> None:
    lost = depots["mapping"].isin(["unmapped", "estimated_location"]).to_numpy()
    if not lost.any() or not years:
        return
    peak_kw = values[lost, -1].sum(axis=0).max(initial=0.0)
    LOGGER.warning(
        "%d depot need(s) with private terrain are not on the grid (%d beyond the mapping "
        "distance, %d with an estimated location); their demand, %.0f kW at the %d peak, "
        "is kept as unmapped_demand_kw",
        int(lost.sum()),
        int((depots["mapping"] == "unmapped").sum()),
        int((depots["mapping"] == "estimated_location").sum()),
        peak_kw,
        years[-1],
    )


def _log_unknown_headroom(node_ids: list[str], loads: NodeLoads) -> None:
    unknown = np.isnan(loads.headroom_kw).any(axis=1) & (loads.demand_kw.max(axis=(1, 2)) > 0)
    if unknown.any():
        names = ", ".join(np.array(node_ids)[unknown][:10])
        LOGGER.warning(
            "%d node(s) carry demand but their headroom is unknown in some slot; they are not "
            "checked there: %s",
            int(unknown.sum()),
            names,
        )


def _node_load_attributes(settings: OverlaySettings) -> dict[str, str | int | float]:
    return {
        "title": "laadplan grid overlay: charging demand and headroom per grid node",
        "confidentiality": "internal to the planner: not k-filtered (see 'disclosed'); "
        "holds no organisation id",
        "power_factor": settings.power_factor,
        "k_anonymity": settings.k_anonymity,
        "max_distance_km": settings.max_distance_km,
        "offpeak_start": settings.offpeak_start,
        "offpeak_end": settings.offpeak_end,
    }


def select_year(result: OverlayResult, year: int) -> OverlayResult:
    """Keep one year of an overlay; ``earliest_year`` still looks at every year.

    Raises
    ------
    LaadplanError
        When the year was not projected.
    """
    if year not in result.years:
        span = f"{result.years[0]}–{result.years[-1]}" if result.years else "none"
        raise LaadplanError(f"year {year} is not projected (valid: {span})")
    return replace(
        result,
        node_load=result.node_load.sel(year=[year]),
        congestion=result.congestion[result.congestion["year"] == year].reset_index(drop=True),
        requests=result.requests[result.requests["year"] == year].reset_index(drop=True),
    )
