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

from grid_data.disclosure import Contributions, Hierarchy, guard_change

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
