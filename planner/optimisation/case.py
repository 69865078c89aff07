"""A planning case read once, and the :class:`PlanInputs` of each of its years.

:func:`read_plan_case` reads a data folder: the needs and zones (projected with
:func:`planner.demand.projection.project_demand`), ``sites.csv``
(:func:`charging_sites.read_sites`),
``grid.csv`` with the optional ``grid_profiles.csv`` (:mod:`grid_data`), the optional
``access_cost.csv`` and ``roads.csv``.  :func:`make_plan_case` does the same from tables, and
:func:`inputs_for_year` cuts out one year.

Sites without ``grid_node_id`` are tied to the nearest MV cabin within
``[grid] max_mapping_distance_km``; a site further away is not constrained by the grid (it
is counted in the log).  Without ``grid.csv`` nothing is.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

import charging_sites
from grid_data import read_grid
from grid_data.headroom import make_headroom
from grid_data.profiles import read_grid_profiles
from grid_data.topology import apply_inferred_parents, build_topology, map_points_to_nodes
from planner.demand.projection import project_demand
from planner.intake.needs import load_needs
from planner.optimisation.inputs import (
    NODE_COLUMNS,
    SITE_COLUMNS,
    BuiltCapacity,
    ChargerOption,
    GridInputs,
    PlanInputError,
    PlanInputs,
    chargers_from,
)
from planner.optimisation.pairs import make_pairs
from planner.rules.zones import load_zones
from planner.scenario import Scenario, load_scenario
from planner.workflows.datafolder import GRID_PROFILES_FILE, ROADS_FILE, DataFolder
from planner.workflows.progress import stage
from validation import RowIssue, TableValidationError, ValidationReport

LOGGER = logging.getLogger("laadplan")

#: Optional files of a case folder read by the plan besides the contract files.
#: Need coordinates of the demand dataset used by the plan (plan name: dataset name).
NEED_FIELDS = {
    "organisation_id": "organisation_id",
    "depot_id": "depot_id",
    "category": "category",
    "dwell_start": "dwell_start",
    "dwell_end": "dwell_end",
    "nis_code": "nis_code",
    "vervoerregio_code": "vervoerregio_code",
    "share_willing": "share_willing",
    "private_terrain": "private_terrain",
    "lat": "lat",
    "lon": "lon",
}


@dataclass(frozen=True)
class PlanCase:
    """A case ready to plan, year by year.

    Attributes
    ----------
    scenario
        The scenario.
    demand
        The demand projection (dims need, year, slot).
    needs
        Per need, independent of the year: the plan's need columns, ``lat``, ``lon`` and
        ``energy_per_vehicle_kwh_per_day``.
    sites
        The plan's site columns plus ``lat``, ``lon``.
    pairs
        Need–site pairs that may exist (any year).
    chargers
        The charger catalogue.
    grid
        Grid nodes and headroom per slot.
    """

    scenario: Scenario
    demand: xr.Dataset
    needs: pd.DataFrame
    sites: pd.DataFrame
    pairs: pd.DataFrame
    chargers: tuple[ChargerOption, ...]
    grid: GridInputs

    @property
    def years(self) -> list[int]:
        """The years of the projection."""
        return [int(year) for year in self.demand["year"].values]


@dataclass(frozen=True)
class CaseTables:
    """The validated tables of a case folder that a plan is made from.

    Attributes
    ----------
    needs, sites
        The contract tables.
    zones
        The zones, as :func:`planner.rules.zones.load_zones` gives them.
    grid, profiles, access_cost, roads
        The optional ones (``None`` when the folder has no such file).
    """

    needs: pd.DataFrame
    zones: pd.Series
    sites: pd.DataFrame
    grid: pd.DataFrame | None = None
    profiles: pd.DataFrame | None = None
    access_cost: pd.DataFrame | None = None
    roads: pd.DataFrame | None = None


def read_plan_case(
    folder: DataFolder, scenario: Scenario | None = None, demand: xr.Dataset | None = None
) -> PlanCase:
    """Read every file of a case folder that the plan uses.

    Parameters
    ----------
    folder
        The resolved data folder (needs, zones and sites are required).
    scenario
        The scenario; by default the folder's ``scenario.toml`` (or the defaults).
    demand
        The demand projection of this folder and scenario when already made (``laadplan run``);
        projected here otherwise.
    """
    scenario = scenario or load_scenario(folder.scenario)
    return case_from_tables(read_case_tables(folder, scenario), scenario, demand)


def read_case_tables(folder: DataFolder, scenario: Scenario) -> CaseTables:
    """Read and validate the tables of a case folder (see :func:`read_plan_case`).

    The scenario's ``[grid]`` settings say how the grid file is read.
    """
    with stage("reading needs and zones"):
        needs = load_needs(folder.require("needs"))
        zones = load_zones(folder.require("zones"))
    with stage("reading sites, grid and access data"):
        sites = charging_sites.read_sites(folder.require("sites"))
        grid = _read_grid(folder, scenario)
        profiles_path = folder.companion(GRID_PROFILES_FILE)
        profiles = (
            read_grid_profiles(profiles_path, grid["node_id"].tolist())
            if profiles_path and grid is not None
            else None
        )
        access_cost = (
            charging_sites.read_access_cost(folder.access_cost) if folder.access_cost else None
        )
        roads_path = folder.companion(ROADS_FILE)
        roads = charging_sites.read_road_edges(roads_path) if roads_path else None
    return CaseTables(needs, zones, sites, grid, profiles, access_cost, roads)


def case_from_tables(
    tables: CaseTables, scenario: Scenario, demand: xr.Dataset | None = None
) -> PlanCase:
    """The case of ``tables`` under ``scenario``; the demand is projected unless given."""
    if demand is None:
        with stage("projecting demand"):
            demand = project_demand(tables.needs, tables.zones, scenario)
    return make_plan_case(
        demand,
        tables.sites,
        scenario,
        tables.grid,
        tables.profiles,
        tables.access_cost,
        tables.roads,
    )


def _read_grid(folder: DataFolder, scenario: Scenario) -> pd.DataFrame | None:
    if folder.grid is None:
        return None
    settings = scenario.grid
    return read_grid(
        folder.grid,
        power_factor=settings.power_factor,
        status_headroom_kva=settings.status_headroom_kva or None,
    )


def make_plan_case(
    demand: xr.Dataset,
    sites: pd.DataFrame,
    scenario: Scenario,
    grid: pd.DataFrame | None = None,
    profiles: pd.DataFrame | None = None,
    access_cost: pd.DataFrame | None = None,
    roads: pd.DataFrame | None = None,
) -> PlanCase:
    """Assemble a case from validated tables (see :func:`read_plan_case`).

    Raises
    ------
    TableValidationError
        When ``access_cost`` names a need or site the case does not have.
    """
    settings = scenario.optimisation
    needs = _static_needs(demand, scenario)
    plan_sites = sites.copy()
    with stage("mapping sites to the grid" if grid is not None else "preparing sites"):
        grid_inputs, plan_sites["grid_node_id"] = _grid_inputs(grid, profiles, plan_sites, scenario)
    for column in ("owner_organisation_id", "nis_code", "vervoerregio_code"):
        plan_sites[column] = plan_sites[column].fillna("").astype(str)
    if access_cost is not None:
        _check_access_cost(access_cost, needs, plan_sites)
    with stage(f"finding need–site pairs for {len(needs)} needs and {len(sites)} sites"):
        depots = needs[["need_id", "lat", "lon"]]
        distances = charging_sites.access_pairs(
            depots, plan_sites, settings.detour_km_max, settings.detour_factor, roads
        )
        pairs = make_pairs(
            needs, plan_sites, settings, distances=distances, access_cost=access_cost
        )
    LOGGER.info("%d need–site pairs may exist", len(pairs))
    return PlanCase(
        scenario=scenario,
        demand=demand,
        needs=needs,
        sites=plan_sites[[*SITE_COLUMNS, "lat", "lon"]].reset_index(drop=True),
        pairs=pairs,
        chargers=catalogue(scenario),
        grid=grid_inputs,
    )


def catalogue(scenario: Scenario) -> tuple[ChargerOption, ...]:
    """The scenario's charger catalogue, or the default one."""
    records = scenario.optimisation.chargers
    types = (
        charging_sites.catalogue_from_records(records)
        if records
        else charging_sites.default_catalogue()
    )
    return chargers_from(types)


def _static_needs(demand: xr.Dataset, scenario: Scenario) -> pd.DataFrame:
    frame = pd.DataFrame({"need_id": demand["need"].values.astype(str)})
    for name, coordinate in NEED_FIELDS.items():
        frame[name] = demand[coordinate].values
    for name in ("organisation_id", "depot_id", "category", "nis_code", "vervoerregio_code"):
        frame[name] = frame[name].astype(str)
    frame["max_kw_per_vehicle"] = (
        frame["category"].map(scenario.projection.max_charge_kw).astype(float)
    )
    frame["energy_per_vehicle_kwh_per_day"] = demand[
        "energy_per_vehicle_kwh_per_day"
    ].values.astype(float)
    return frame


def _grid_inputs(
    grid: pd.DataFrame | None,
    profiles: pd.DataFrame | None,
    sites: pd.DataFrame,
    scenario: Scenario,
) -> tuple[GridInputs, pd.Series]:
    slot_minutes = scenario.projection.slot_minutes
    if grid is None:
        stated = int((sites["grid_node_id"].fillna("").astype(str) != "").sum())
        if stated:
            LOGGER.warning("no grid.csv: the grid_node_id of %d site(s) is not used", stated)
        empty = pd.Series([""] * len(sites), index=sites.index, dtype="str")
        return GridInputs.empty(24 * 60 // slot_minutes), empty
    graph = build_topology(grid)
    grid = apply_inferred_parents(grid, graph)
    headroom = make_headroom(grid, slot_minutes, profiles).transpose("node", "slot")
    nodes = grid[["node_id", "name", "level", "parent_id"]].copy()
    nodes["parent_id"] = nodes["parent_id"].fillna("").astype(str)
    points = pd.DataFrame(
        {
            "id": sites["site_id"],
            "lat": sites["lat"],
            "lon": sites["lon"],
            "grid_node_id": sites["grid_node_id"].fillna("").astype(str),
        }
    )
    mapped = map_points_to_nodes(points, grid, scenario.grid.max_mapping_distance_km)
    node_of_site = pd.Series(
        mapped["grid_node_id"].fillna("").astype(str).to_numpy(), index=sites.index
    )
    return GridInputs(
        nodes[list(NODE_COLUMNS)].reset_index(drop=True), headroom.to_numpy().astype(np.float64)
    ), node_of_site


def _check_access_cost(access_cost: pd.DataFrame, needs: pd.DataFrame, sites: pd.DataFrame) -> None:
    issues: list[RowIssue] = charging_sites.check_access_cost_ids(
        access_cost, needs["need_id"], sites["site_id"]
    )
    if issues:
        report = ValidationReport(source="access_cost.csv", rows_checked=len(access_cost))
        report.extend(issues)
        raise TableValidationError(report)


def inputs_for_year(case: PlanCase, year: int, built: BuiltCapacity | None = None) -> PlanInputs:
    """The inputs of one year: needs with energy in that year, and every site.

    Raises
    ------
    PlanInputError
        When the year is not in the projection.
    """
    if year not in case.years:
        raise PlanInputError(
            f"year {year} is not projected (valid: {case.years[0]}–{case.years[-1]})"
        )
    energy = case.demand["energy_kwh_per_day"].sel(year=year).values.astype(float)
    vehicles = case.demand["bev_vehicles"].sel(year=year).values.astype(float)
    needs = case.needs.assign(energy_kwh_per_day=energy, vehicles=vehicles)
    needs = needs[(energy > 0) & (vehicles > 0)].reset_index(drop=True)
    pairs = case.pairs[case.pairs["need_id"].isin(set(needs["need_id"]))].reset_index(drop=True)
    projection = case.scenario.projection
    return PlanInputs(
        year=year,
        needs=needs,
        sites=case.sites,
        pairs=pairs,
        chargers=case.chargers,
        grid=case.grid,
        settings=case.scenario.optimisation,
        slot_minutes=projection.slot_minutes,
        offpeak_window=(projection.offpeak_start, projection.offpeak_end),
        power_factor=case.scenario.grid.power_factor,
        built=built or BuiltCapacity(),
    )


def folder_label(folder: DataFolder) -> str:
    """A short name of the case for messages."""
    return str(folder.root) if folder.root else str(Path(folder.require("needs")).parent)
