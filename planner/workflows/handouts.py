"""The plan's files for others, against the ones handed out last time (``--previous``).

``laadplan plan``/``run`` write files that the planner hands out: the aggregates per
municipality and vervoerregio (:data:`~planner.workflows.plan_files.AGGREGATE_FILES`) and the
grid operator's ``capacity_requests.csv``.  Each passes the disclosure rule on its own; handed
out again with new values, the difference would reveal what changed.  Given the plan folder
handed out last time, :func:`guard_handout` withholds what would reveal a change of fewer than
``k`` organisations, with the rule of :mod:`grid_data.disclosure`:

* aggregates: :func:`~grid_data.disclosure.guard_change` on municipality → vervoerregio →
  Flanders per year and tier, for each family of :mod:`planner.workflows.area_figures`: a
  withheld area's energy and organisations are left blank (each organisation's contribution:
  its energy at the area's sites of the tier), and on the private tier its counts (each
  owner's sites, chargers, connectors and kW there), from ``sites.csv`` and
  ``assignments.csv`` of both folders;
* capacity requests: :func:`grid_data.request_versions.republish_plan_requests` (the same as
  the service's when a run is published), the grid of this plan standing in for last time's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from charging_sites import Tier
from grid_data.disclosure import Contributions, Hierarchy, guard_change
from grid_data.request_versions import republish_plan_requests
from planner.optimisation.vocabulary import PlanFile
from planner.workflows.area_figures import COUNT_COLUMNS, ENERGY_FIGURES, site_owners
from planner.workflows.capacity_requests import REQUESTS_BY_NODE_FILE, REQUESTS_FILE
from validation import LaadplanError

#: The area files and the column of their area code.
AREA_FILES = {
    str(PlanFile.CHARGERS_BY_MUNICIPALITY): "nis_code",
    str(PlanFile.CHARGERS_BY_VERVOERREGIO): "vervoerregio_code",
}
#: The planner's files of the last hand-out that the comparison reads.
BASIS_FILES = (str(PlanFile.SITES), str(PlanFile.ASSIGNMENTS))
#: The unpublished root of the area hierarchy.
FLANDERS = "flanders"
#: Columns of an area row left blank when the area is withheld (the energy family).
WITHHELD_COLUMNS = ENERGY_FIGURES


def read_handout(folder: Path) -> dict[str, pd.DataFrame]:
    """The files of a plan folder handed out before (those it has of the ones compared).

    Raises
    ------
    LaadplanError
        When the folder lacks ``sites.csv`` or ``assignments.csv`` (not a plan folder).
    """
    missing = [name for name in BASIS_FILES if not (folder / name).is_file()]
    if missing:
        raise LaadplanError(
            f"--previous {folder}: no {', '.join(missing)}; valid: the plan folder of the "
            "files handed out last time (OUT of laadplan plan, OUT/plan of laadplan run)"
        )
    names = [*BASIS_FILES, *AREA_FILES, REQUESTS_FILE, REQUESTS_BY_NODE_FILE]
    text = {"node_id": str, "nis_code": str, "vervoerregio_code": str, "site_id": str}
    return {
        name: pd.read_csv(folder / name, dtype=text, keep_default_na=False, na_values=[""])
        for name in names
        if (folder / name).is_file()
    }


def guard_handout(
    tables: dict[str, pd.DataFrame],
    previous: dict[str, pd.DataFrame],
    k: int,
    grid_nodes: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """The plan's ``tables`` (by file name) with what the last hand-out would reveal withheld.

    ``previous`` is :func:`read_handout` of the folder handed out last time; ``grid_nodes``
    (``node_id``, ``parent_id``) the plan's grid.
    """
    guarded = dict(tables)
    guarded.update(guard_aggregates(tables, previous, k))
    if REQUESTS_FILE in tables and grid_nodes is not None:
        requests, by_node = guard_requests(tables, previous, k, grid_nodes)
        guarded[REQUESTS_FILE], guarded[REQUESTS_BY_NODE_FILE] = requests, by_node
    return guarded


def guard_aggregates(
    tables: dict[str, pd.DataFrame], previous: dict[str, pd.DataFrame], k: int
) -> dict[str, pd.DataFrame]:
    """The area files, each area withheld whose figures would reveal a change below ``k``.

    Energy and organisations (every tier) and, on the private tier, the owners' counts are
    guarded apart: each family's figures are sums of its own contributions.
    """
    energy = _withheld(tables, previous, k, "energy_kwh_per_day", _energy_contributions)
    counts = _withheld(tables, previous, k, "chargers", _owner_contributions, Tier.PRIVATE)
    guarded = {}
    for name, by in AREA_FILES.items():
        if name not in tables:
            continue
        table = tables[name].copy()
        cells = [
            (int(y), str(t), f"{by}:{c}")
            for y, t, c in zip(table["year"], table["tier"], table[by].astype(str), strict=True)
        ]
        for withheld, columns in ((energy, ENERGY_FIGURES), (counts, COUNT_COLUMNS)):
            hidden = np.array([cell in withheld for cell in cells], dtype=bool)
            for column in (c for c in columns if c in table.columns):
                table[column] = table[column].where(~hidden)
        guarded[name] = table
    return guarded


#: Per area node of a year and tier, each organisation's contribution to a family's figures.
ContributionsOf = Callable[[dict[str, pd.DataFrame], int, str, tuple[str, ...]], Contributions]


def _withheld(
    tables: dict[str, pd.DataFrame],
    previous: dict[str, pd.DataFrame],
    k: int,
    shown_by: str,
    contributions_of: ContributionsOf,
    tier_only: str | None = None,
) -> set[tuple[int, str, str]]:
    """(year, tier, area) cells of one family whose figures must be withheld this time."""
    shown_now = _shown_areas(tables, shown_by, tier_only)
    shown_before = _shown_areas(previous, shown_by, tier_only)
    withheld: set[tuple[int, str, str]] = set()
    for year, tier in sorted({(y, t) for y, t, _ in shown_now}):
        hierarchy = _areas(tables, previous, year, tier)
        ids = hierarchy.ids
        now = contributions_of(tables, year, tier, ids)
        before = contributions_of(previous, year, tier, ids)
        published = np.array([(year, tier, node) in shown_now for node in ids])
        was_shown = np.array([(year, tier, node) in shown_before for node in ids])
        disclosed = guard_change(hierarchy, now, published, before, was_shown, k)
        withheld |= {(year, tier, ids[n]) for n in np.flatnonzero(published & ~disclosed)}
    return withheld


def _shown_areas(
    tables: dict[str, pd.DataFrame],
    shown_by: str = "energy_kwh_per_day",
    tier_only: str | None = None,
) -> set[tuple[int, str, str]]:
    """(year, tier, ``by:code``) of every area row whose ``shown_by`` figure a file shows."""
    shown: set[tuple[int, str, str]] = set()
    for name, by in AREA_FILES.items():
        if name in tables and shown_by in tables[name].columns:
            rows = tables[name][tables[name][shown_by].notna()]
            if tier_only is not None:
                rows = rows[rows["tier"].astype(str) == tier_only]
            for year, tier, code in zip(rows["year"], rows["tier"], rows[by], strict=True):
                shown.add((int(year), str(tier), f"{by}:{code}"))
    return shown


def _areas(
    tables: dict[str, pd.DataFrame], previous: dict[str, pd.DataFrame], year: int, tier: str
) -> Hierarchy:
    """Municipalities below their vervoerregio below Flanders: every area of both plans."""
    region_of: dict[str, str] = {}
    for source in (previous, tables):
        sites = _sites_of(source, year, tier)
        region_of.update(
            zip(sites["nis_code"], sites["vervoerregio_code"].fillna("").astype(str), strict=True)
        )
    regions = sorted({region for region in region_of.values() if region})
    ids = [FLANDERS, *(f"vervoerregio_code:{r}" for r in regions)]
    parents: list[str | None] = [None, *([FLANDERS] * len(regions))]
    for municipality, region in sorted(region_of.items()):
        ids.append(f"nis_code:{municipality}")
        parents.append(f"vervoerregio_code:{region}" if region else FLANDERS)
    return Hierarchy.from_parents(ids, parents)


def _sites_of(tables: dict[str, pd.DataFrame], year: int, tier: str) -> pd.DataFrame:
    sites = tables.get(str(PlanFile.SITES))
    if sites is None or not len(sites):
        return pd.DataFrame(columns=["site_id", "nis_code", "vervoerregio_code"])
    chosen = sites[(sites["year"].astype(int) == year) & (sites["tier"].astype(str) == tier)]
    return chosen.assign(nis_code=chosen["nis_code"].astype(str))


def _owner_contributions(
    tables: dict[str, pd.DataFrame], year: int, tier: str, ids: tuple[str, ...]
) -> Contributions:
    """Per area node, each owner's sites, chargers, connectors and kW at its private sites."""
    position = {node: i for i, node in enumerate(ids)}
    counts: list[dict[str, tuple[float, ...]]] = [{} for _ in ids]
    sites = _sites_of(tables, year, tier)
    if not len(sites):
        return counts
    owned = sites.merge(site_owners(sites)[["site_id", "organisation_id"]], on="site_id")
    summed = [c for c in COUNT_COLUMNS[1:] if c in owned.columns]
    per_owner = owned.groupby(["nis_code", "organisation_id"]).agg(
        sites=("site_id", "nunique"), **{c: (c, "sum") for c in summed}
    )
    keys = zip(
        per_owner.index.get_level_values(0), per_owner.index.get_level_values(1), strict=True
    )
    for (code, owner), values in zip(keys, per_owner.to_numpy(float), strict=True):
        node = position.get(f"nis_code:{code}")
        if node is not None:
            counts[node][str(owner)] = tuple(round(float(v), 1) for v in values)
    return counts


def _energy_contributions(
    tables: dict[str, pd.DataFrame], year: int, tier: str, ids: tuple[str, ...]
) -> Contributions:
    """Per area node, each organisation's energy at the municipality's sites of the tier."""
    position = {node: i for i, node in enumerate(ids)}
    energy: list[dict[str, float]] = [{} for _ in ids]
    sites = _sites_of(tables, year, tier)
    assignments = tables.get(str(PlanFile.ASSIGNMENTS))
    if assignments is not None and len(assignments) and len(sites):
        place = dict(zip(sites["site_id"].astype(str), sites["nis_code"], strict=True))
        chosen = assignments[assignments["year"].astype(int) == year]
        columns = ["site_id", "organisation_id", "energy_kwh_per_day"]
        for site, organisation, kwh in chosen[columns].itertuples(index=False):
            node = position.get(f"nis_code:{place.get(str(site), '')}")
            if node is not None and float(kwh) > 0:
                at_node = energy[node]
                at_node[str(organisation)] = at_node.get(str(organisation), 0.0) + float(kwh)
    return [{o: (round(kwh, 1),) for o, kwh in at_node.items()} for at_node in energy]


def guard_requests(
    tables: dict[str, pd.DataFrame],
    previous: dict[str, pd.DataFrame],
    k: int,
    grid_nodes: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``capacity_requests.csv`` and ``capacity_requests_by_node.csv`` against last time's."""
    hierarchy = [
        {"node_id": str(node), "parent_id": "" if pd.isna(parent) else str(parent)}
        for node, parent in zip(grid_nodes["node_id"], grid_nodes["parent_id"], strict=True)
    ]
    now = {
        "grid_requests": _records(tables[REQUESTS_FILE]),
        "grid_requests_by_node": _records(tables[REQUESTS_BY_NODE_FILE]),
        "grid_plan_hierarchy": hierarchy,
        "sites": _records(tables[str(PlanFile.SITES)]),
        "assignments": _records(tables[str(PlanFile.ASSIGNMENTS)]),
    }
    before = {
        "grid_requests": _records(previous.get(REQUESTS_FILE)),
        "grid_requests_by_node": _records(previous.get(REQUESTS_BY_NODE_FILE)),
        "sites": _records(previous.get(str(PlanFile.SITES))),
        "assignments": _records(previous.get(str(PlanFile.ASSIGNMENTS))),
    }
    requests, by_node = republish_plan_requests(now, before, k)
    if requests == now["grid_requests"] and by_node == now["grid_requests_by_node"]:
        return tables[REQUESTS_FILE], tables[REQUESTS_BY_NODE_FILE]  # nothing withheld
    columns = list(tables[REQUESTS_FILE].columns)
    guarded = pd.DataFrame(requests, columns=columns).astype(tables[REQUESTS_FILE].dtypes)
    labels = pd.DataFrame(by_node, columns=list(tables[REQUESTS_BY_NODE_FILE].columns))
    return guarded, labels


def _records(table: pd.DataFrame | None) -> list[dict[str, Any]]:
    """A table as records, blank text cells as ''."""
    if table is None or not len(table):
        return []
    text = table.select_dtypes(exclude="number").columns
    filled = table.assign(**{str(c): table[c].fillna("") for c in text})
    return [{str(key): value for key, value in row.items()} for row in filled.to_dict("records")]
