"""The grid overlay of a planning case: projected demand against the grid's headroom.

The planner's side of :mod:`grid_data.overlay`: it reads ``grid.csv`` (and
``grid_profiles.csv`` when the data folder has one) with the scenario's ``[grid]`` settings,
turns the demand projection into points with their power per year and slot, runs the overlay
and writes its files (:mod:`grid_data.reports`).  Used by ``laadplan grid overlay`` and by
``laadplan run``.

A depot's explicit grid node is taken from ``sites.csv`` when the data folder has one: the
``grid_node_id`` of a private site of the same organisation within
:data:`DEPOT_SITE_MAX_KM` of the depot (its own connection).  Other depots are mapped to the
nearest MV cabin within ``[grid] max_mapping_distance_km``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

import charging_sites
from geography import haversine_km
from grid_data import make_headroom, read_grid, read_grid_profiles
from grid_data.overlay import OverlayResult, OverlaySettings, overlay_demand
from grid_data.reports import write_overlay_files
from planner.scenario import Scenario
from planner.workflows.datafolder import GRID_PROFILES_FILE, DataFolder, DataFolderError
from planner.workflows.progress import stage

#: Optional node profiles of a data folder (``node_id``, ``slot``, ``load_kva``).
#: Farthest a private site of the depot's organisation may be from the depot to lend the
#: depot its ``grid_node_id``, km.
DEPOT_SITE_MAX_KM = 0.1
#: Rows of the top-congested-nodes table in the summary.
TOP_NODES = 10


def overlay_settings(
    scenario: Scenario, k: int | None = None, max_distance_km: float | None = None
) -> OverlaySettings:
    """The overlay settings of a scenario, with command-line overrides.

    ``[grid]`` gives the power factor, k and the mapping distance; ``[projection]`` the
    off-peak window.
    """
    grid = scenario.grid
    settings = OverlaySettings(
        power_factor=grid.power_factor,
        k_anonymity=grid.k_anonymity,
        max_distance_km=grid.max_mapping_distance_km,
        offpeak_start=scenario.projection.offpeak_start,
        offpeak_end=scenario.projection.offpeak_end,
    )
    if k is not None:
        settings = dataclasses.replace(settings, k_anonymity=k)
    if max_distance_km is not None:
        settings = dataclasses.replace(settings, max_distance_km=max_distance_km)
    return settings


def overlay_case(
    folder: DataFolder,
    demand: xr.Dataset,
    scenario: Scenario,
    settings: OverlaySettings | None = None,
    profiles: Path | None = None,
) -> OverlayResult:
    """Run the grid overlay on a data folder whose demand has been projected.

    Parameters
    ----------
    folder
        The data folder; its ``grid`` is required, ``sites`` is used when present.
    demand
        The projection (:func:`planner.demand.projection.project_demand`).
    scenario
        The scenario (``[grid]`` settings; the slot length is the demand's).
    settings
        Overlay settings; :func:`overlay_settings` of the scenario when ``None``.
    profiles
        Node profiles file; ``None`` uses ``grid_profiles.csv`` of the folder when present.
    """
    settings = settings or overlay_settings(scenario)
    grid_path = folder.require("grid")
    profiles_path = profiles or _folder_profiles(folder)
    label = grid_path.name + (f" and {profiles_path.name}" if profiles_path else "")
    with stage(f"reading {label}"):
        grid = read_grid(
            grid_path,
            power_factor=scenario.grid.power_factor,
            status_headroom_kva=scenario.grid.status_headroom_kva or None,
        )
        node_ids = [str(node) for node in grid["node_id"]]
        table = read_grid_profiles(profiles_path, node_ids) if profiles_path else None
        headroom = make_headroom(grid, int(demand.attrs["slot_minutes"]), table)
    with stage("finding the grid nodes of depots"):
        explicit = depot_nodes_from_sites(demand, _read_sites(folder))
        demand_kw, points = overlay_points(demand, explicit)
    with stage(f"overlaying demand on {len(grid)} grid nodes"):
        return overlay_demand(grid, headroom, demand_kw, points, settings)


def _folder_profiles(folder: DataFolder) -> Path | None:
    return folder.companion(GRID_PROFILES_FILE)


def _read_sites(folder: DataFolder) -> pd.DataFrame | None:
    return None if folder.sites is None else charging_sites.read_sites(folder.sites)


def check_profiles_file(path: Path | None) -> Path | None:
    """Raise :class:`~.datafolder.DataFolderError` when a given profiles file is absent."""
    if path is not None and not Path(path).is_file():
        raise DataFolderError(f"--grid-profiles {path}: no such file")
    return path


def overlay_points(
    demand: xr.Dataset, explicit_nodes: pd.Series[str] | None = None
) -> tuple[xr.DataArray, pd.DataFrame]:
    """The demand as the overlay takes it: power per (need, year, slot) and a points table.

    Parameters
    ----------
    demand
        The projection.
    explicit_nodes
        Grid node of some needs, indexed by need id ('' or absent: map by distance).
    """
    need_ids = demand["need"].values.astype(str)
    points = pd.DataFrame({"id": need_ids})
    for name in ("organisation_id", "depot_id", "lat", "lon", "private_terrain"):
        points[name] = demand[name].values
    points["location_estimated"] = demand["location_estimated"].values.astype(bool)
    explicit = pd.Series(need_ids).map(explicit_nodes) if explicit_nodes is not None else None
    points["grid_node_id"] = "" if explicit is None else explicit.fillna("").astype(str).values
    return demand["power_kw"], points


def depot_nodes_from_sites(demand: xr.Dataset, sites: pd.DataFrame | None) -> pd.Series[str]:
    """Grid node of the needs whose depot is a private site with a ``grid_node_id``.

    The site must belong to the need's organisation and lie within :data:`DEPOT_SITE_MAX_KM`
    of the depot (the nearest such site counts).  Returns the node ids indexed by need id.
    """
    empty = pd.Series(dtype="str", name="grid_node_id")
    if sites is None:
        return empty
    owned = sites[(sites["tier"] == "private") & (sites["grid_node_id"].fillna("") != "")]
    needs = pd.DataFrame(
        {
            "need": demand["need"].values.astype(str),
            "owner_organisation_id": demand["organisation_id"].values.astype(str),
            "need_lat": demand["lat"].values.astype(float),
            "need_lon": demand["lon"].values.astype(float),
        }
    )
    pairs = needs.merge(owned, on="owner_organisation_id")
    if pairs.empty:
        return empty
    pairs["km"] = haversine_km(pairs["need_lat"], pairs["need_lon"], pairs["lat"], pairs["lon"])
    near = pairs[pairs["km"] <= DEPOT_SITE_MAX_KM].sort_values("km").drop_duplicates("need")
    return pd.Series(
        near["grid_node_id"].astype(str).to_numpy(),
        index=pd.Index(near["need"], name="need"),
        dtype="str",
        name="grid_node_id",
    )


def write_overlay(result: OverlayResult, out: Path) -> list[Path]:
    """Write the overlay files into ``out`` (:func:`grid_data.reports.write_overlay_files`)."""
    with stage(f"writing the grid overlay to {out}"):
        return write_overlay_files(result, out)


def format_overlay_summary(result: OverlayResult, paths: list[Path] | None = None) -> str:
    """The lines printed after an overlay: mapping, congestion, requests, top nodes, files."""
    lines = [_head_line(result), _mapping_line(result), _congestion_line(result)]
    lines += _top_nodes(result)
    if paths:
        lines.append("Wrote " + ", ".join(str(path) for path in paths) + ".")
    return "\n".join(lines)


def _head_line(result: OverlayResult) -> str:
    load = result.node_load
    levels = pd.Series(load["level"].values.astype(str)).value_counts()
    years = result.years
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "none")
    return (
        f"Grid overlay: {load.sizes['node']} nodes ({levels.get('hv_mv_substation', 0)} "
        f"substations, {levels.get('mv_cabin', 0)} cabins), years {span}, "
        f"k = {result.settings.k_anonymity}, power factor {result.settings.power_factor:g}."
    )


def _mapping_line(result: OverlayResult) -> str:
    counts = result.depots["mapping"].value_counts()
    private = int(len(result.depots) - counts.get("no_private_terrain", 0))
    unmapped = int(counts.get("unmapped", 0) + counts.get("estimated_location", 0))
    unmapped_kw = result.node_load["unmapped_demand_kw"]
    peak = float(unmapped_kw.isel(year=-1).max()) if result.years else 0.0
    return (
        f"Depot needs with private terrain: {private} — {counts.get('explicit', 0)} by "
        f"grid_node_id, {counts.get('nearest', 0)} to the nearest cabin within "
        f"{result.settings.max_distance_km:g} km, {unmapped} not on the grid "
        f"({counts.get('estimated_location', 0)} with an estimated location; "
        f"{peak:.0f} kW at the {result.years[-1] if result.years else '-'} peak)."
    )


def _congestion_line(result: OverlayResult) -> str:
    requests = result.requests["disclosure"].value_counts()
    suppressed = result.requests.loc[result.requests["disclosure"] == "suppressed", "merged_nodes"]
    congested = int((result.node_load["extra_capacity_kva"] > 0).sum())
    return (
        f"Congested node-years: {congested}. For the grid operator: {len(result.congestion)} "
        f"congestion rows at {result.congestion['node_id'].nunique()} nodes; "
        f"{len(result.requests)} capacity requests ({requests.get('own', 0)} own, "
        f"{requests.get('merged_from_children', 0)} merged from children, "
        f"{int(suppressed.sum())} node-years suppressed)."
    )


def _top_nodes(result: OverlayResult) -> list[str]:
    """The nodes with the largest shortfall (internal view), and how the files show them."""
    load = result.node_load.transpose("node", "year", "slot")
    shortfall = load["shortfall_kw"].to_numpy().reshape(load.sizes["node"], -1)
    ranked = np.argsort(-shortfall.max(axis=1, initial=0.0), kind="stable")[:TOP_NODES]
    worst = [int(node) for node in ranked if shortfall[node].max(initial=0.0) > 0]
    if not worst:
        return ["No congestion: the demand fits the headroom of every node in every slot."]
    ids = load["node"].values.astype(str)
    width = max(12, *(len(ids[node]) for node in worst))
    lines = [
        "Top congested nodes (planner's view; 'files' tells how the operator's files show it):",
        f"  {'node':<{width}}  {'name':<34}  year  {'shortfall kW':>12}  slot   files",
    ]
    for node in worst:
        year, slot = divmod(int(shortfall[node].argmax()), load.sizes["slot"])
        name = str(load["name"].values[node])[:34]
        lines.append(
            f"  {ids[node]:<{width}}  {name:<34}  {int(load['year'].values[year])}  "
            f"{shortfall[node].max():>12.1f}  {load['slot_start'].values[slot]!s:<5}  "
            f"{load['reported_as'].values[node, year]}"
        )
    return lines
