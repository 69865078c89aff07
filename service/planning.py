"""Carry out a planning run from its snapshot, through the one planning workflow.

The snapshot's files are read once into a case (:func:`planner.workflows.case.read_case`) and
planned by :func:`planner.workflows.plan_case.plan_case` exactly as ``laadplan plan`` plans
them: a scope of several vervoerregio's is split into one sub-problem per vervoerregio, solved
on the worker's engine (in its process, a local Dask cluster or a scheduler; see
:class:`service.config.Settings`) and merged.  Then the grid overlay and the aggregates that
may leave the planner role are made.

Acknowledged capacity (the grid operator's answer "capacity available from year Y") enters the
run as extra headroom: from year Y on, the node's headroom in every slot is raised by the
acknowledged kVA (:data:`planner.workflows.multiyear.HeadroomAdditions`; a node shared by
vervoerregio's is raised by each one's share of it).  The MILP has no other input for a
promised reinforcement, and the grid overlay (capacity requests) compares with today's grid,
so its requests still show the need; the API marks them as acknowledged.

Result tables (JSON records, see :func:`execute_snapshot`): ``summary``, ``sites``,
``assignments``, ``reinforcement``, ``unmet``, ``congestion_exemptions`` (planner only: the
vehicles the grid's headroom leaves uncharged per year, ZES city and organisation,
:mod:`planner.workflows.exemptions`), ``grid_adjustments``, ``node_load`` (planner
only: every node, not k-filtered), ``grid_requests_by_node`` and ``public_demand_basis``
(planner only: how each reinforced node reaches the operator; each organisation's share of
the public demand), ``grid_demand_basis`` and ``grid_hierarchy`` (planner only, for comparing
``grid_node_demand`` with the next publication), ``grid_plan_hierarchy`` (planner only: the
plan's grid, for comparing ``grid_requests`` with the next publication), and the disclosed ones
(:mod:`grid_data.disclosure`): ``grid_requests``
(the capacity requests from the plan's own node loads,
:mod:`planner.workflows.capacity_requests`),
``grid_requests_before_planning`` (the overlay of the reported depot demand),
``grid_node_demand`` (disclosed nodes only) and ``public_demand`` (per vervoerregio and year,
groups below k merged or suppressed; guarded against the last publication when published).
"""

from __future__ import annotations

import dataclasses
import logging
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from grid_data.disclosure import check_k
from grid_data.overlay import OverlayResult
from planner.optimisation.case import PlanCase
from planner.workflows.capacity_requests import plan_requests, with_locations
from planner.workflows.case import read_case
from planner.workflows.datafolder import resolve_data_folder
from planner.workflows.exemptions import ZesMembership, congestion_exemptions
from planner.workflows.multiyear import HeadroomAdditions, MultiYearPlan
from planner.workflows.overlay import overlay_of, overlay_points, overlay_settings
from planner.workflows.parallel import Engine
from planner.workflows.plan_case import CasePlan, headroom_adjustments, plan_case
from service.grid_figures import grid_demand_basis
from service.public_figures import as_table, public_demand_basis, public_demand_rows

LOGGER = logging.getLogger("laadplan")

#: Called with the share done (0–1) and a message.
ProgressCallback = Callable[[float, str], None]
#: Share of the progress bar for the plan (the rest: reading, overlay, aggregates).
PLAN_SHARE = 0.9


def execute_snapshot(
    snapshot: dict[str, Any], progress: ProgressCallback, engine: Engine | None = None
) -> dict[str, Any]:
    """Run the plan of a snapshot; return the result tables by name.

    Every table is ``{"columns": [...], "records": [...]}`` except ``summary`` (years,
    sub-problems, engine, timings).  ``engine`` is where the sub-problems are solved (by
    default in this process).
    """
    with tempfile.TemporaryDirectory(prefix="laadplan-run-") as folder:
        root = Path(folder)
        for name, text in snapshot["files"].items():
            (root / name).write_text(text, encoding="utf-8")
        return _execute(root, snapshot, progress, engine or Engine(workers=1))


def _execute(
    root: Path, snapshot: dict[str, Any], progress: ProgressCallback, engine: Engine
) -> dict[str, Any]:
    started = time.perf_counter()
    progress(0.01, "reading the case")
    case = read_case(resolve_data_folder(root))
    additions = headroom_additions(list(snapshot.get("acknowledgements") or []))
    planned = plan_case(
        case,
        snapshot.get("years") or None,
        engine=engine,
        additions=additions,
        progress=lambda share, message: progress(0.02 + PLAN_SHARE * share, message),
    )
    years = planned.plan.years
    tables = plan_tables(planned.plan)
    unmet = _concat([result.unmet.assign(year=result.year) for result in planned.plan.results])
    exemptions = congestion_exemptions(unmet, ZesMembership.of(case.needs, case.zones))
    tables["congestion_exemptions"] = as_table(exemptions)
    k = int(snapshot["k_anonymity"])
    check_k(k)
    if case.grid is not None:
        progress(0.95, "grid overlay and capacity requests")
        settings = dataclasses.replace(overlay_settings(case.scenario), k_anonymity=k)
        overlay = overlay_of(case, planned.demand, settings)
        tables.update(grid_tables(overlay.requests, overlay.node_load, years))
        tables["grid_requests_before_planning"] = tables.pop("grid_requests")
        nodes = with_locations(planned.prepared.grid.nodes, case.grid)
        requests = plan_requests(planned.plan, nodes, k)
        tables["grid_requests"] = as_table(requests.requests)
        tables["grid_requests_by_node"] = as_table(requests.by_node)
        tables["grid_plan_hierarchy"] = as_table(nodes[["node_id", "parent_id"]].fillna(""))
        tables.update(grid_bases(planned.prepared, overlay, years))
    basis = public_demand_basis(planned.demand, years)
    tables["public_demand_basis"] = as_table(basis)
    tables["public_demand"] = as_table(public_demand_rows(basis, k))
    adjustments = headroom_adjustments(planned, additions)
    tables["grid_adjustments"] = as_table(pd.DataFrame(adjustments, columns=ADJUSTMENT_COLUMNS))
    tables["summary"] = run_summary(planned, time.perf_counter() - started)
    return tables


ADJUSTMENT_COLUMNS = ["year", "node_id", "added_headroom_kva"]


def headroom_additions(acknowledgements: list[dict[str, Any]]) -> HeadroomAdditions:
    """The grid operator's acknowledgements as headroom added from their year on.

    Examples
    --------
    >>> headroom_additions([{"node_id": "C1", "available_from_year": 2030, "capacity_kva": 500}])
    {'C1': [(2030, 500.0)]}
    """
    added: dict[str, list[tuple[int, float]]] = {}
    for answer in acknowledgements:
        steps = added.setdefault(str(answer["node_id"]), [])
        steps.append((int(answer["available_from_year"]), float(answer["capacity_kva"])))
    return added


def run_summary(planned: CasePlan, run_s: float) -> dict[str, Any]:
    """The run's ``summary`` table: per year, the case's sizes, the sub-problems and timing."""
    summary = planned.summary()
    return {
        "years": summary["years"],
        "status": summary["status"],
        "sub_problems": summary["sub_problems"],
        "planned_again": summary["planned_again"],
        "engine": summary["engine"],
        "tasks": summary["tasks"],
        "needs": int(planned.demand.sizes["need"]),
        "sites": len(planned.prepared.sites),
        "grid_nodes": len(planned.prepared.grid.nodes),
        "run_s": round(run_s, 3),
    }


def grid_bases(case: PlanCase, overlay: OverlayResult, years: Sequence[int]) -> dict[str, Any]:
    """What a later publication compares ``grid_node_demand`` with (planner only).

    ``grid_demand_basis`` (:func:`service.grid_figures.grid_demand_basis`) and
    ``grid_hierarchy`` (each node and the node it is fed from).
    """
    demand_kw, points = overlay_points(case.demand)
    hours = int(case.demand.attrs["slot_minutes"]) / 60
    basis = grid_demand_basis(demand_kw.sel(year=list(years)), points, overlay.depots, hours)
    load = overlay.node_load
    hierarchy = pd.DataFrame(
        {
            "node_id": load["node"].values.astype(str),
            "parent_id": load["parent_id"].values.astype(str),
        }
    )
    return {"grid_demand_basis": as_table(basis), "grid_hierarchy": as_table(hierarchy)}


#: Tables of :class:`~planner.optimisation.results.PlanResult` kept per year.
PLAN_TABLES = ("sites", "assignments", "reinforcement", "unmet")


def plan_tables(plan: MultiYearPlan) -> dict[str, Any]:
    """The plan's tables over its years, each with a ``year`` column, as JSON tables."""
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in PLAN_TABLES}
    for result in plan.results:
        for name in PLAN_TABLES:
            parts[name].append(getattr(result, name).assign(year=result.year))
    return {name: as_table(_concat(frames)) for name, frames in parts.items()}


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [frame for frame in frames if len(frame.columns)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def grid_tables(
    requests: pd.DataFrame, node_load: xr.Dataset, years: Sequence[int]
) -> dict[str, Any]:
    """The overlay's tables: requests as published, node demand (disclosed), node load (all)."""
    load = node_load.sel(year=[year for year in years if year in node_load["year"].values])
    peak_kw = load["demand_kw"].max("slot")
    frame = pd.DataFrame(
        {
            "node_id": np.repeat(load["node"].values.astype(str), load.sizes["year"]),
            "name": np.repeat(load["name"].values.astype(str), load.sizes["year"]),
            "level": np.repeat(load["level"].values.astype(str), load.sizes["year"]),
            "year": np.tile(load["year"].values.astype(int), load.sizes["node"]),
            "peak_demand_kw": peak_kw.values.reshape(-1).round(1),
            "min_headroom_kw": np.repeat(
                load["headroom_kw"].min("slot").values, load.sizes["year"]
            ).round(1),
            "extra_capacity_kva": load["extra_capacity_kva"].values.reshape(-1).round(1),
            "organisations": load["organisations"].values.reshape(-1).astype(int),
            "disclosed": load["disclosed"].values.reshape(-1).astype(bool),
        }
    )
    published = requests[requests["year"].isin(list(years))]
    shown = frame[frame["disclosed"] & (frame["peak_demand_kw"] > 0)].drop(columns="disclosed")
    return {
        "grid_requests": as_table(published),
        "grid_node_demand": as_table(shown),
        "node_load": as_table(frame),
    }
