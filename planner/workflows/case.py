"""A planning case read once: :class:`Case` and :func:`read_case`.

Every way of planning (``laadplan plan``, ``laadplan run``, the service's worker, the
dashboard) reads a data folder here, once, into one :class:`Case`: the validated needs and
zones, the candidate sites, the grid (read with the scenario's ``[grid]`` settings:
``power_factor`` and ``status_headroom_kva``) with its ``grid_profiles.csv``, the optional
``access_cost.csv`` and ``roads.csv``, and the scenario.  The optimisation never sees a path:
:func:`prepare_plan` hands it tables (:func:`planner.optimisation.case.make_plan_case`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import xarray as xr

import charging_sites
from grid_data import read_grid
from grid_data.profiles import read_grid_profiles
from planner.demand.projection import project_demand
from planner.intake.needs import load_needs
from planner.optimisation.case import PlanCase, make_plan_case
from planner.rules.zones import load_zones, log_zone_warnings
from planner.scenario import Scenario, load_scenario
from planner.workflows.datafolder import GRID_PROFILES_FILE, ROADS_FILE, DataFolder, DataFolderError
from planner.workflows.progress import stage


@dataclass(frozen=True)
class Case:
    """The validated tables of one case and its scenario.

    Attributes
    ----------
    scenario
        The scenario (``scenario.toml`` of the folder, or the defaults).
    needs, zones
        The needs (:func:`planner.intake.needs.load_needs`) and the ZES start year per NIS code.
    sites
        The candidate sites; ``None`` when the folder has no ``sites.csv``.
    grid
        The canonical grid table, read with the scenario's ``[grid]`` settings; ``None``
        without ``grid.csv``.
    profiles
        Base load per node and slot (``grid_profiles.csv``); ``None`` when absent.
    access_cost, roads
        The optional ``access_cost.csv`` and ``roads.csv``.
    label
        Where the case was read from, for messages.
    """

    scenario: Scenario
    needs: pd.DataFrame
    zones: pd.Series
    sites: pd.DataFrame | None = None
    grid: pd.DataFrame | None = None
    profiles: pd.DataFrame | None = None
    access_cost: pd.DataFrame | None = None
    roads: pd.DataFrame | None = None
    label: str = ""

    def project(self) -> xr.Dataset:
        """The demand projection of the case under its scenario."""
        with stage(f"projecting demand of {len(self.needs)} needs"):
            return project_demand(self.needs, self.zones, self.scenario)

    def with_scenario(self, scenario: Scenario) -> Case:
        """The same tables under another scenario (the grid stays as it was read)."""
        return dataclasses.replace(self, scenario=scenario)


def read_case(folder: DataFolder, scenario: Scenario | None = None) -> Case:
    """Read every file of a case folder once.

    Parameters
    ----------
    folder
        The resolved data folder; needs and zones are required, the rest optional.
    scenario
        The scenario; by default the folder's ``scenario.toml`` (or the defaults).

    Raises
    ------
    planner.workflows.datafolder.DataFolderError
        When the needs or zones are missing.
    validation.TableValidationError
        When a table is invalid (every bad row listed).
    """
    scenario = scenario or load_scenario(folder.scenario)
    with stage("reading needs and zones"):
        needs = load_needs(folder.require("needs"))
        zones = load_zones(folder.require("zones"))
        log_zone_warnings(needs, zones)
    with stage("reading sites, grid and access data"):
        sites = charging_sites.read_sites(folder.sites) if folder.sites else None
        grid, profiles = read_grid_tables(folder, scenario)
        access_cost = (
            charging_sites.read_access_cost(folder.access_cost) if folder.access_cost else None
        )
        roads_path = folder.companion(ROADS_FILE)
        roads = charging_sites.read_road_edges(roads_path) if roads_path else None
    return Case(scenario, needs, zones, sites, grid, profiles, access_cost, roads, _label(folder))


def read_grid_tables(
    folder: DataFolder, scenario: Scenario, profiles_path: Path | None = None
) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """The grid table of a folder and its node profiles (``None`` each when absent).

    The grid is read with the scenario's ``[grid] power_factor`` and ``status_headroom_kva``
    — the one way the grid is read.  ``profiles_path`` replaces the folder's
    ``grid_profiles.csv``.
    """
    if folder.grid is None:
        return None, None
    settings = scenario.grid
    grid = read_grid(
        folder.grid,
        power_factor=settings.power_factor,
        status_headroom_kva=settings.status_headroom_kva or None,
    )
    path = profiles_path or folder.companion(GRID_PROFILES_FILE)
    profiles = read_grid_profiles(path, [str(node) for node in grid["node_id"]]) if path else None
    return grid, profiles


def prepare_plan(case: Case, demand: xr.Dataset | None = None) -> PlanCase:
    """The case as the optimisation takes it: tables, pairs and headroom, no paths.

    Parameters
    ----------
    case
        The case; it must have sites.
    demand
        Its demand projection when already made; projected here otherwise.

    Raises
    ------
    planner.workflows.datafolder.DataFolderError
        When the case has no sites.
    """
    sites = require_sites(case)
    demand = case.project() if demand is None else demand
    return make_plan_case(
        demand, sites, case.scenario, case.grid, case.profiles, case.access_cost, case.roads
    )


def require_sites(case: Case) -> pd.DataFrame:
    """The case's sites.

    Raises
    ------
    planner.workflows.datafolder.DataFolderError
        When it has none.
    """
    if case.sites is None:
        where = f"in {case.label}" if case.label else "in the case"
        raise DataFolderError(f"no sites.csv {where}; give a data folder with it or --sites FILE")
    return case.sites


def _label(folder: DataFolder) -> str:
    if folder.root is not None:
        return str(folder.root)
    return str(folder.needs.parent) if folder.needs is not None else ""
