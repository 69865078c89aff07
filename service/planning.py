"""Carry out a planning run from its snapshot.

The MILP runs year by year, then the grid overlay and the aggregates that may leave the
planner role are made.

Acknowledged capacity (the grid operator's answer "capacity available from year Y") enters the
run as extra headroom: from year Y on, the node's headroom in every slot is raised by the
acknowledged kVA.  The MILP has no other input for a promised reinforcement, and the grid
overlay (capacity requests) compares with today's grid, so its requests still show the need;
the API marks them as acknowledged.

Result tables (JSON records, see :func:`execute_snapshot`): ``summary``, ``sites``,
``assignments``, ``reinforcement``, ``unmet``, ``grid_adjustments``, ``node_load`` (planner
only: every node, not k-filtered), and the disclosed ones: ``grid_requests`` (the overlay's
k-anonymous capacity requests), ``grid_node_demand`` (disclosed nodes only) and
``public_demand`` (per vervoerregio and year, groups below k merged or suppressed).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from grid_data.disclosure import check_k
from planner.optimisation.case import PlanCase, inputs_for_year, read_plan_case
from planner.optimisation.inputs import BuiltCapacity, GridInputs
from planner.optimisation.model import build_problem
from planner.optimisation.solve import solve
from planner.scenario import load_scenario
from planner.workflows.datafolder import resolve_data_folder
from planner.workflows.overlay import overlay_case, overlay_settings

LOGGER = logging.getLogger("laadplan")

#: Called with the share done (0–1) and a message.
ProgressCallback = Callable[[float, str], None]
#: Name of the merged row of small groups in ``public_demand``.
OTHER_REGIONS = "other"


def execute_snapshot(snapshot: dict[str, Any], progress: ProgressCallback) -> dict[str, Any]:
    """Run the plan of a snapshot; return the result tables by name.

    Every table is ``{"columns": [...], "records": [...]}`` except ``summary`` (years,
    timings).
    """
    with tempfile.TemporaryDirectory(prefix="laadplan-run-") as folder:
        root = Path(folder)
        for name, text in snapshot["files"].items():
            (root / name).write_text(text, encoding="utf-8")
        return _execute(root, snapshot, progress)


def _execute(root: Path, snapshot: dict[str, Any], progress: ProgressCallback) -> dict[str, Any]:
    started = time.perf_counter()
    progress(0.02, "reading the case and projecting demand")
    folder = resolve_data_folder(root)
    scenario = load_scenario(folder.scenario)
    case = read_plan_case(folder, scenario)
    years = list(snapshot.get("years") or case.years)
    acknowledgements = list(snapshot.get("acknowledgements") or [])
    tables, year_summaries, adjustments = _plan_years(case, years, acknowledgements, progress)
    k = int(snapshot["k_anonymity"])
    check_k(k)
    if folder.grid is not None:
        progress(0.95, "grid overlay and capacity requests")
        settings = dataclasses.replace(overlay_settings(scenario), k_anonymity=k)
        overlay = overlay_case(folder, case.demand, scenario, settings)
        tables.update(grid_tables(overlay.requests, overlay.node_load, years))
    tables["public_demand"] = as_table(public_demand(case.demand, years, k))
    tables["grid_adjustments"] = as_table(pd.DataFrame(adjustments, columns=ADJUSTMENT_COLUMNS))
    tables["summary"] = {
        "years": year_summaries,
        "needs": int(case.demand.sizes["need"]),
        "sites": len(case.sites),
        "grid_nodes": len(case.grid.nodes),
        "run_s": round(time.perf_counter() - started, 3),
    }
    return tables


ADJUSTMENT_COLUMNS = ["year", "node_id", "added_headroom_kva"]


def _plan_years(
    case: PlanCase,
    years: Sequence[int],
    acknowledgements: list[dict[str, Any]],
    progress: ProgressCallback,
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    built: BuiltCapacity | None = None
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in PLAN_TABLES}
    summaries: list[dict[str, Any]] = []
    adjustments: list[dict[str, Any]] = []
    for position, year in enumerate(years):
        progress(0.05 + 0.9 * position / len(years), f"{year}: building and solving")
        grid, added = acknowledged_grid(case.grid, acknowledgements, year)
        adjustments += [{"year": year, "node_id": n, "added_headroom_kva": v} for n, v in added]
        inputs = inputs_for_year(dataclasses.replace(case, grid=grid), year, built)
        result = solve(build_problem(inputs))
        summaries.append(result.summary())
        for name in PLAN_TABLES:
            parts[name].append(getattr(result, name).assign(year=year))
        built = result.built if result.has_plan else built
    tables = {name: as_table(_concat(frames)) for name, frames in parts.items()}
    return tables, summaries, adjustments


#: Tables of :class:`~planner.optimisation.results.PlanResult` kept per year.
PLAN_TABLES = ("sites", "assignments", "reinforcement", "unmet")


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [frame for frame in frames if len(frame.columns)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def acknowledged_grid(
    grid: GridInputs, acknowledgements: list[dict[str, Any]], year: int
) -> tuple[GridInputs, list[tuple[str, float]]]:
    """The grid of one year with acknowledged capacity added as headroom.

    Returns the adjusted grid and the (node, kVA) pairs added; acknowledgements of nodes the
    grid does not have, or from a later year, add nothing.
    """
    position = {str(node): i for i, node in enumerate(grid.nodes["node_id"])}
    headroom = grid.headroom_kva.copy()
    added: list[tuple[str, float]] = []
    for answer in acknowledgements:
        node = str(answer["node_id"])
        if node in position and int(answer["available_from_year"]) <= year:
            headroom[position[node]] += float(answer["capacity_kva"])
            added.append((node, float(answer["capacity_kva"])))
    return dataclasses.replace(grid, headroom_kva=headroom), added


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


def public_demand(demand: xr.Dataset, years: Sequence[int], k: int) -> pd.DataFrame:
    """Demand per vervoerregio and year with at least ``k`` organisations per row.

    Regions with fewer organisations are merged into one ``other`` row per year when the merged
    group holds ``k`` or more; otherwise they are suppressed (no row).  No total is published,
    so a suppressed group cannot be recovered by subtraction.
    """
    needs = pd.DataFrame(
        {
            "organisation_id": demand["organisation_id"].values.astype(str),
            "vervoerregio_code": demand["vervoerregio_code"].values.astype(str),
            "vervoerregio": demand["vervoerregio"].values.astype(str),
        }
    )
    rows: list[dict[str, Any]] = []
    for year in years:
        energy = demand["energy_kwh_per_day"].sel(year=year).values.astype(float)
        vehicles = demand["bev_vehicles"].sel(year=year).values.astype(float)
        rows += _region_rows(needs.assign(energy=energy, vehicles=vehicles), int(year), k)
    return pd.DataFrame(rows, columns=PUBLIC_COLUMNS)


PUBLIC_COLUMNS = [
    "year", "vervoerregio_code", "vervoerregio", "organisations", "bev_vehicles",
    "energy_kwh_per_day",
]  # fmt: skip


def _region_rows(needs: pd.DataFrame, year: int, k: int) -> list[dict[str, Any]]:
    active = needs[needs["energy"] > 0]
    rows: list[dict[str, Any]] = []
    small: list[pd.DataFrame] = []
    for (code, name), group in active.groupby(["vervoerregio_code", "vervoerregio"]):
        if group["organisation_id"].nunique() >= k:
            rows.append(_public_row(group, year, str(code), str(name)))
        else:
            small.append(group)
    if small:
        merged = pd.concat(small)
        if merged["organisation_id"].nunique() >= k:
            rows.append(_public_row(merged, year, OTHER_REGIONS, "regions with fewer than k"))
    return rows


def _public_row(group: pd.DataFrame, year: int, code: str, name: str) -> dict[str, Any]:
    return {
        "year": year,
        "vervoerregio_code": code,
        "vervoerregio": name,
        "organisations": int(group["organisation_id"].nunique()),
        "bev_vehicles": round(float(group["vehicles"].sum()), 1),
        "energy_kwh_per_day": round(float(group["energy"].sum()), 1),
    }


def as_table(frame: pd.DataFrame) -> dict[str, Any]:
    """A table as JSON-ready ``{"columns", "records"}`` (NaN → null)."""
    records = [
        {str(key): _json_value(value) for key, value in record.items()}
        for record in frame.to_dict("records")
    ]
    return {"columns": [str(column) for column in frame.columns], "records": records}


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, int | float | str | bool):
        return value
    return str(value)
