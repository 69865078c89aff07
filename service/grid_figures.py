"""The grid operator's node demand across publications: what each organisation adds per node.

``grid_node_demand`` (the peak demand of each disclosed node, before planning) passes the rule
of :mod:`grid_data.disclosure` within a run.  When a run is published, :func:`republish_node_demand`
compares it with the last published run through :func:`~grid_data.disclosure.guard_change`, so
that a node's figure does not change by the contribution of fewer than k organisations.  The
basis (each organisation's peak and energy at the node it is mapped to) and the grid's
hierarchy are kept with the run, for the planner only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from grid_data.disclosure import Contributions, Disclosure, Hierarchy, guard_cells, guard_change
from grid_data.overlay_tables import REQUEST_COLUMNS

#: Columns of ``grid_demand_basis``.
GRID_BASIS_COLUMNS = ["year", "node_id", "organisation_id", "peak_kw", "energy_kwh_per_day"]
#: Columns of ``grid_hierarchy``.
HIERARCHY_COLUMNS = ["node_id", "parent_id"]


def grid_demand_basis(
    demand_kw: xr.DataArray, points: pd.DataFrame, depots: pd.DataFrame, slot_hours: float
) -> pd.DataFrame:
    """Each organisation's demand at the node its depots are mapped to, per year (planner only).

    ``demand_kw`` is (need, year, slot) in the order of ``points`` (``id``,
    ``organisation_id``); ``depots`` the overlay's mapping (``id``, ``grid_node_id``).
    """
    node = depots.set_index(depots["id"].astype(str))["grid_node_id"]
    frame = demand_kw.transpose(..., "year", "slot").to_dataframe("kw").reset_index()
    need = str(demand_kw.dims[0])
    frame["node_id"] = frame[need].astype(str).map(node)
    organisation = dict(
        zip(points["id"].astype(str), points["organisation_id"].astype(str), strict=True)
    )
    frame["organisation_id"] = frame[need].astype(str).map(organisation)
    frame = frame[frame["node_id"].fillna("").astype(str).ne("") & (frame["kw"] > 0)]
    per_slot = frame.groupby(["year", "node_id", "organisation_id", "slot"])["kw"].sum()
    grouped = per_slot.groupby(level=["year", "node_id", "organisation_id"])
    basis = pd.DataFrame(
        {"peak_kw": grouped.max(), "energy_kwh_per_day": grouped.sum() * slot_hours}
    ).reset_index()
    return basis.round({"peak_kw": 1, "energy_kwh_per_day": 1})[GRID_BASIS_COLUMNS]


def republish_node_demand(
    tables: dict[str, list[dict[str, Any]]],
    previous: dict[str, list[dict[str, Any]]] | None,
    k: int,
) -> list[dict[str, Any]]:
    """The ``grid_node_demand`` records of a run about to be published.

    Rows of nodes that :func:`~grid_data.disclosure.guard_change` withholds against the last
    publication (its ``grid_demand_basis`` and ``grid_node_demand``) are left out.
    """
    rows = list(tables.get("grid_node_demand") or [])
    nodes = pd.DataFrame(tables.get("grid_hierarchy") or [], columns=HIERARCHY_COLUMNS)
    if previous is None or not rows or nodes.empty:
        return rows
    ids = [str(node) for node in nodes["node_id"]]
    known = set(ids)
    parents = [str(p) if str(p) in known else None for p in nodes["parent_id"].fillna("")]
    hierarchy = Hierarchy.from_parents(ids, parents)
    now = pd.DataFrame(tables.get("grid_demand_basis") or [], columns=GRID_BASIS_COLUMNS)
    before = pd.DataFrame(previous.get("grid_demand_basis") or [], columns=GRID_BASIS_COLUMNS)
    shown_before = pd.DataFrame(previous.get("grid_node_demand") or [])
    kept: list[dict[str, Any]] = []
    for year in sorted({int(row["year"]) for row in rows}):
        allowed = _allowed_nodes(hierarchy, now, before, shown_before, year, k)
        kept += [r for r in rows if int(r["year"]) == year and str(r["node_id"]) in allowed]
    return kept


def _allowed_nodes(
    hierarchy: Hierarchy,
    now: pd.DataFrame,
    before: pd.DataFrame,
    shown_before: pd.DataFrame,
    year: int,
    k: int,
) -> set[str]:
    current = _contributions(hierarchy, now[now["year"] == year])
    previous = _contributions(hierarchy, before[before["year"] == year])
    was_shown = np.zeros(len(hierarchy.ids), dtype=bool)
    if {"year", "node_id"} <= set(shown_before.columns):
        shown = set(shown_before.loc[shown_before["year"] == year, "node_id"].astype(str))
        was_shown = np.array([node in shown for node in hierarchy.ids])
    published = np.ones(len(hierarchy.ids), dtype=bool)
    disclosed = guard_change(hierarchy, current, published, previous, was_shown, k)
    return {hierarchy.ids[n] for n in np.flatnonzero(disclosed)}


def _contributions(hierarchy: Hierarchy, basis: pd.DataFrame) -> Contributions:
    position = {node: i for i, node in enumerate(hierarchy.ids)}
    contributions: list[dict[str, tuple[float, ...]]] = [{} for _ in hierarchy.ids]
    columns = ["node_id", "organisation_id", "peak_kw", "energy_kwh_per_day"]
    for node, organisation, peak_kw, energy in basis[columns].itertuples(index=False):
        if str(node) in position:
            contributions[position[str(node)]][str(organisation)] = (float(peak_kw), float(energy))
    return contributions


#: ``disclosure`` of the rows of ``grid_requests`` (:class:`grid_data.disclosure.Disclosure`).
OWN, MERGED, SUPPRESSED = (kind.value for kind in Disclosure)


def republish_plan_requests(
    tables: dict[str, list[dict[str, Any]]],
    previous: dict[str, list[dict[str, Any]]] | None,
    k: int,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The ``grid_requests`` and ``grid_requests_by_node`` records of a run about to be published.

    Each request is a figure over grid nodes: a named row the load below its node, a merged
    row the loads below its members; each organisation's contribution at a node is its energy
    at the plan's sites tied to that node (``sites``, ``assignments``).  Requests that
    :func:`~grid_data.disclosure.guard_cells` withholds against the last publication (its
    requests, ``grid_requests_by_node``, ``grid_plan_hierarchy``, sites and assignments) leave
    the file and their nodes are counted in the year's ``suppressed`` row; the planner's
    ``grid_requests_by_node`` says ``suppressed`` for them.
    """
    requests = list(tables.get("grid_requests") or [])
    by_node = list(tables.get("grid_requests_by_node") or [])
    now_tree = _parents_of(tables.get("grid_plan_hierarchy"))
    if previous is None or not requests or not now_tree:
        return requests, by_node
    before_tree = _parents_of(previous.get("grid_plan_hierarchy")) or now_tree
    atoms = {node: i for i, node in enumerate(sorted(now_tree.keys() | before_tree.keys()))}
    withheld: dict[tuple[int, str, str], list[str]] = {}
    for year in sorted({int(row["year"]) for row in requests}):
        now = _request_cells(requests, by_node, year, now_tree)
        before = _request_cells(
            list(previous.get("grid_requests") or []),
            list(previous.get("grid_requests_by_node") or []),
            year,
            before_tree,
        )
        shown = guard_cells(
            [{atoms[n] for n in nodes} for nodes in now.values()],
            _plan_contributions(tables, year, atoms),
            [{atoms[n] for n in nodes} for nodes in before.values()],
            _plan_contributions(previous, year, atoms),
            k,
        )
        for key, ok in zip(now, shown, strict=True):
            if not ok:
                withheld[key] = _members(by_node, key)
    if not withheld:
        return requests, by_node
    return _without(requests, withheld), _relabelled(by_node, withheld)


RequestKey = tuple[int, str, str]  # year, node_id, disclosure


def _parents_of(records: list[dict[str, Any]] | None) -> dict[str, str]:
    """Each node of a stored hierarchy and its parent ('' for a root)."""
    nodes = {str(r["node_id"]): str(r.get("parent_id") or "") for r in records or []}
    return {node: parent if parent in nodes else "" for node, parent in nodes.items()}


def _below(tree: dict[str, str], node: str) -> set[str]:
    """``node`` and every node fed from it."""
    children: dict[str, list[str]] = {}
    for child, parent in tree.items():
        children.setdefault(parent, []).append(child)
    found, todo = {node}, [node]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _request_cells(
    requests: list[dict[str, Any]], by_node: list[dict[str, Any]], year: int, tree: dict[str, str]
) -> dict[RequestKey, set[str]]:
    """The nodes whose loads each published request of ``year`` sums (suppressed: none)."""
    cells: dict[RequestKey, set[str]] = {}
    for row in requests:
        key = (int(row["year"]), str(row.get("node_id") or ""), str(row["disclosure"]))
        if key[0] != year or key[2] == SUPPRESSED or key[1] not in tree:
            continue
        members = _members(by_node, key)
        cells[key] = {n for member in members if member in tree for n in _below(tree, member)}
    return cells


def _members(by_node: list[dict[str, Any]], key: RequestKey) -> list[str]:
    """The nodes a request stands for: its own node, or the nodes merged into it."""
    year, node, kind = key
    if kind == OWN:
        return [node]
    label = f"merged:{node}"
    return [
        str(r["node_id"]) for r in by_node if int(r["year"]) == year and r["reported_as"] == label
    ]


def _plan_contributions(
    tables: dict[str, list[dict[str, Any]]], year: int, atoms: dict[str, int]
) -> Contributions:
    """Per node, each organisation's energy at the plan's sites tied to it, kWh/day."""
    node_of = {
        str(site["site_id"]): str(site.get("grid_node_id") or "")
        for site in tables.get("sites") or []
        if int(site["year"]) == year
    }
    energy: list[dict[str, float]] = [{} for _ in atoms]
    for row in tables.get("assignments") or []:
        atom = atoms.get(node_of.get(str(row["site_id"]), ""))
        kwh = float(row.get("energy_kwh_per_day") or 0.0)
        if int(row["year"]) == year and atom is not None and kwh > 0:
            organisation = str(row["organisation_id"])
            energy[atom][organisation] = energy[atom].get(organisation, 0.0) + kwh
    return [{o: (round(kwh, 1),) for o, kwh in at_node.items()} for at_node in energy]


def _without(
    requests: list[dict[str, Any]], withheld: dict[RequestKey, list[str]]
) -> list[dict[str, Any]]:
    """The requests without the withheld rows, their nodes counted in each year's suppressed row."""
    kept = [
        dict(r)
        for r in requests
        if (int(r["year"]), str(r.get("node_id") or ""), str(r["disclosure"])) not in withheld
    ]
    counts: dict[int, int] = {}
    for (year, _, _), members in withheld.items():
        counts[year] = counts.get(year, 0) + len(members)
    for year, count in counts.items():
        row = next((r for r in kept if r["year"] == year and r["disclosure"] == SUPPRESSED), None)
        if row is None:
            row = _suppressed_row(year, requests[0].get("basis"))
            kept.append(row)
        row["merged_nodes"] = int(row.get("merged_nodes") or 0) + count
    first: dict[str, int] = {}
    for row in kept:
        if row.get("node_id"):
            node = str(row["node_id"])
            first[node] = min(first.get(node, int(row["year"])), int(row["year"]))
    for row in kept:
        if row.get("node_id"):
            row["earliest_year"] = first.get(str(row["node_id"]))
    return sorted(kept, key=lambda r: int(r["year"]))


def _suppressed_row(year: int, basis: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(REQUEST_COLUMNS)
    row.update({"node_id": "", "name": "", "level": "", "peak_slot": "", "year": year})
    row.update({"disclosure": SUPPRESSED, "merged_nodes": 0, "basis": basis})
    return row


def _relabelled(
    by_node: list[dict[str, Any]], withheld: dict[RequestKey, list[str]]
) -> list[dict[str, Any]]:
    hidden = {(year, node) for (year, _, _), members in withheld.items() for node in members}
    return [
        {**r, "reported_as": SUPPRESSED} if (int(r["year"]), str(r["node_id"])) in hidden else r
        for r in by_node
    ]
