"""The grid operator's file from the plan: capacity requests from the plan's own node loads.

The plan's loads per node and slot (every tier: private, semi-public and public sites under
the plan's charging schedule) and the reinforcement it chooses give, per node and year, the
extra capacity to ask of the operator::

    extra_capacity_kva = reinforcement in place (total_kva) + max(0, -least margin over slots)

— what the plan reinforces, plus any overload it leaves (margin = max(headroom, 0) +
reinforcement − load).  Every node with extra capacity passes the one disclosure rule
(:func:`grid_data.disclosure.disclose_year`, the same as the grid overlay's): it is named
(``own``), merged upward into an unnamed request of an ancestor (``merged_from_children``), or
counted as suppressed.  The rows have the overlay's columns
(:data:`grid_data.overlay_tables.REQUEST_COLUMNS`) with ``basis = "plan"``; the overlay of the
reported depot demand is the "before planning" view (``basis = "before_planning"``).

:func:`requests_by_node` tells the planner how each node reaches the operator's file.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from grid_data.disclosure import Hierarchy, YearDisclosure, disclose_year
from grid_data.overlay_tables import NodeLoads, make_requests, reported_as
from planner.workflows.multiyear import MultiYearPlan

#: The operator's file, in the plan folder.
REQUESTS_FILE = "capacity_requests.csv"
#: Every node the plan reinforces or overloads and how the operator's file shows it (planner).
REQUESTS_BY_NODE_FILE = "capacity_requests_by_node.csv"
#: ``basis`` of the plan's requests and of the overlay's.
PLAN_BASIS = "plan"
#: Extra capacity below this is solver noise, kVA.
TOLERANCE_KVA = 0.05
#: Columns of :data:`REQUESTS_BY_NODE_FILE`.
BY_NODE_COLUMNS = ["year", "node_id", "name", "level", "extra_capacity_kva", "reported_as"]


@dataclass(frozen=True)
class PlanRequests:
    """The operator's requests and, for the planner, how every node reaches them.

    Attributes
    ----------
    requests
        :data:`~grid_data.overlay_tables.REQUEST_COLUMNS` (``basis`` is ``"plan"``).
    by_node
        :data:`BY_NODE_COLUMNS`: ``reported_as`` is ``own``, ``merged:<node_id>`` or
        ``suppressed``.
    """

    requests: pd.DataFrame
    by_node: pd.DataFrame


def plan_requests(plan: MultiYearPlan, grid_nodes: pd.DataFrame, k: int) -> PlanRequests:
    """The capacity requests of a plan (module docstring).

    Parameters
    ----------
    plan
        The solved years.
    grid_nodes
        The plan's grid: ``node_id``, ``name``, ``level``, ``parent_id`` ('' for a root),
        optionally ``lat``, ``lon``.
    k
        Least number of organisations behind a published figure.
    """
    grid = _grid_table(grid_nodes)
    hierarchy = Hierarchy.from_parents(
        [str(n) for n in grid["node_id"]], [str(p) or None for p in grid["parent_id"]]
    )
    loads, starts = plan_node_loads(plan, grid, hierarchy)
    order = hierarchy.children_first()
    outcomes: list[YearDisclosure] = []
    for y, result in enumerate(plan.results):
        direct = _organisations_at_nodes(result.sites, result.assignments, grid)
        outcomes.append(
            disclose_year(hierarchy.parents, order, direct, loads.extra_kva[:, y] > 0, k)
        )
    requests = make_requests(grid, loads, plan.years, starts, outcomes, PLAN_BASIS)
    labels = reported_as(list(hierarchy.ids), loads.extra_kva > 0, outcomes)
    return PlanRequests(requests, _by_node(grid, loads, plan, labels))


def with_locations(nodes: pd.DataFrame, located: pd.DataFrame | None) -> pd.DataFrame:
    """The plan's grid nodes with ``lat`` and ``lon`` of the grid table ``located``."""
    if located is None or not {"node_id", "lat", "lon"} <= set(located.columns):
        return nodes
    places = located.assign(node_id=located["node_id"].astype(str))[["node_id", "lat", "lon"]]
    bare = nodes.drop(columns=[c for c in ("lat", "lon") if c in nodes.columns])
    return bare.assign(node_id=bare["node_id"].astype(str)).merge(places, on="node_id", how="left")


def _grid_table(grid_nodes: pd.DataFrame) -> pd.DataFrame:
    grid = grid_nodes.reset_index(drop=True).copy()
    grid["parent_id"] = grid["parent_id"].fillna("").astype(str)
    for column in ("lat", "lon"):
        if column not in grid.columns:
            grid[column] = np.nan
    return grid


def plan_node_loads(
    plan: MultiYearPlan, grid: pd.DataFrame, hierarchy: Hierarchy
) -> tuple[NodeLoads, list[str]]:
    """The plan's load, headroom and extra capacity of every node, as :class:`NodeLoads`.

    ``demand_kw`` is the plan's load below each node per year and slot; ``extra_kva`` the
    module docstring's extra capacity; ``organisations`` the organisations charging below.
    """
    position = {node: i for i, node in enumerate(hierarchy.ids)}
    slots, starts = _slots(plan)
    count, years = len(hierarchy.ids), len(plan.results)
    load = np.zeros((count, years, slots))
    headroom = np.full((count, slots), np.nan)
    extra = np.zeros((count, years))
    organisations = np.zeros((count, years), dtype=np.intp)
    for y, result in enumerate(plan.results):
        table = result.node_load
        if len(table):  # a plan without load (no needs, or no grid node charged) has no rows
            rows = table["node_id"].astype(str).map(position).to_numpy(dtype=np.intp)
            slot = table["slot"].to_numpy(dtype=np.intp)
            load[rows, y, slot] = table["load_kw"].to_numpy(float)
            headroom[rows, slot] = table["headroom_kva"].to_numpy(float)
        extra[:, y] = _extra_kva(result.node_load, result.reinforcement, position, count)
        direct = _organisations_at_nodes(result.sites, result.assignments, grid)
        organisations[:, y] = _below_counts(hierarchy, direct)
    peak = np.argmax(np.nan_to_num(load - np.nan_to_num(headroom)[:, None, :], nan=-np.inf), 2)
    return (
        NodeLoads(
            demand_kw=load,
            headroom_kva=headroom,
            headroom_kw=headroom,
            shortfall_kw=np.zeros_like(load),
            extra_kva=np.where(extra > TOLERANCE_KVA, extra, 0.0),
            peak_slot=peak.astype(np.intp),
            organisations=organisations,
            unmapped_kw=np.zeros((years, slots)),
        ),
        starts,
    )


def _slots(plan: MultiYearPlan) -> tuple[int, list[str]]:
    for result in plan.results:
        table = result.node_load
        if len(table):
            labels = table.drop_duplicates("slot").sort_values("slot")["slot_start"]
            return len(labels), [str(label) for label in labels]
    return 1, ["00:00"]


def _extra_kva(
    node_load: pd.DataFrame, reinforcement: pd.DataFrame, position: dict[str, int], count: int
) -> np.ndarray:
    """Reinforcement in place plus overload left, kVA, per node position."""
    extra = np.zeros(count)
    if len(reinforcement):
        rows = reinforcement["node_id"].astype(str).map(position).to_numpy()
        extra[rows] += reinforcement["total_kva"].to_numpy(float)
    if len(node_load):
        least = node_load.groupby(node_load["node_id"].astype(str))["margin_kva"].min()
        rows = least.index.map(position).to_numpy()
        extra[rows] += np.clip(-least.to_numpy(float), 0.0, None)
    return extra


def _organisations_at_nodes(
    sites: pd.DataFrame, assignments: pd.DataFrame, grid: pd.DataFrame
) -> list[set[str]]:
    """Per grid node, the organisations charging at sites tied to the node itself."""
    direct: list[set[str]] = [set() for _ in range(len(grid))]
    if not len(assignments) or not len(sites):
        return direct
    position = {str(node): i for i, node in enumerate(grid["node_id"])}
    node_of_site = dict(zip(sites["site_id"].astype(str), sites["grid_node_id"], strict=True))
    charged = assignments[assignments["energy_kwh_per_day"] > 0]
    for site, organisation in zip(
        charged["site_id"].astype(str), charged["organisation_id"].astype(str), strict=True
    ):
        node = position.get(str(node_of_site.get(site) or ""))
        if node is not None:
            direct[node].add(organisation)
    return direct


def _below_counts(hierarchy: Hierarchy, direct: list[set[str]]) -> list[int]:
    below = [set(group) for group in direct]
    for node in hierarchy.children_first():
        parent = int(hierarchy.parents[node])
        if parent >= 0:
            below[parent] |= below[node]
    return [len(group) for group in below]


def _by_node(
    grid: pd.DataFrame, loads: NodeLoads, plan: MultiYearPlan, labels: np.ndarray
) -> pd.DataFrame:
    node, year = np.nonzero(loads.extra_kva > 0)
    frame = pd.DataFrame(
        {
            "year": np.array(plan.years, dtype=np.int64)[year],
            "node_id": grid["node_id"].astype(str).to_numpy()[node],
            "name": grid["name"].astype(str).to_numpy()[node],
            "level": grid["level"].astype(str).to_numpy()[node],
            "extra_capacity_kva": loads.extra_kva[node, year].round(1),
            "reported_as": labels[node, year],
        }
    )
    return frame.sort_values(["year", "node_id"], ignore_index=True)[BY_NODE_COLUMNS]
