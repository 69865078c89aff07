"""The grid operator's capacity requests across versions: what a new file may show.

A capacity request is a figure over grid nodes: a named row the load below its node, a merged
row the loads below its members.  Each organisation's contribution at a node is its energy at
the plan's sites tied to that node.  :func:`republish_plan_requests` withholds the requests of
a new version that :func:`~grid_data.disclosure.guard_cells` finds unsafe next to the last
version published or handed out, and counts their nodes as suppressed.  Used when the service
publishes a run (:mod:`service.runs`) and when ``laadplan plan``/``run`` is given the last
hand-out (``--previous``).  Records are plain dicts, as the service stores them.
"""

from __future__ import annotations

from typing import Any

from grid_data.disclosure import Contributions, Disclosure, guard_cells
from grid_data.overlay_tables import REQUEST_COLUMNS

#: ``disclosure`` of the rows of ``grid_requests`` (:class:`grid_data.disclosure.Disclosure`).
OWN, MERGED, SUPPRESSED = (kind.value for kind in Disclosure)


def republish_plan_requests(
    tables: dict[str, list[dict[str, Any]]],
    previous: dict[str, list[dict[str, Any]]] | None,
    k: int,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The ``grid_requests`` and ``grid_requests_by_node`` records about to be published.

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
