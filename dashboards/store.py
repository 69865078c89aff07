"""The tables of one planning case, loaded once and kept for every page and callback.

:class:`CaseStore` reads lazily: each table is read (or computed) on first use, under a lock,
and kept; ``laadplan dashboard`` calls :meth:`CaseStore.warm` before serving so that the first
page is as fast as the next. :func:`open_store` keeps one store per (data, results) pair.

Where a table comes from:

* **the case** (needs, zones, sites, grid with its profiles, scenario): read once by the
  planning workflow (:func:`planner.workflows.case.read_case`), so the grid is read the way the
  overlay and the plan read it (``[grid] power_factor`` and ``status_headroom_kva``);
* **demand**: ``RESULTS/demand.nc`` when the results folder has it (written by
  ``laadplan run``), else the projection of the case's needs, zones and scenario;
* **grid overlay**: ``RESULTS/node_load.nc``, ``congestion.csv`` and ``capacity_requests.csv``
  when present, else computed from ``grid.csv``
  (:func:`planner.workflows.overlay.overlay_case`); none without ``grid.csv``;
* **plan**: the files of ``laadplan plan`` in the results folder (:mod:`dashboards.plan_data`);
  none when absent.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import xarray as xr

import geography
from dashboards.plan_data import SUMMARY_FILE, PlanOutputs, read_plan_outputs
from grid_data.reports import CONGESTION_FILE, NODE_LOAD_FILE, REQUESTS_FILE
from planner.demand.projection import project_demand, read_demand
from planner.optimisation.vocabulary import PLAN_FOLDER
from planner.scenario import Scenario
from planner.workflows.case import Case, read_case
from planner.workflows.datafolder import DataFolder, resolve_data_folder
from planner.workflows.overlay import overlay_of

LOGGER = logging.getLogger("laadplan")
T = TypeVar("T")

DEMAND_FILE = "demand.nc"


@dataclass(frozen=True)
class GridOverlay:
    """The grid overlay as the dashboard shows it.

    Attributes
    ----------
    node_load
        Per node, year and slot: ``demand_kw``, ``headroom_kw``, ``shortfall_kw``,
        ``disclosed`` (see :func:`grid_data.overlay.make_node_load`).
    congestion, requests
        ``congestion.csv`` and ``capacity_requests.csv``.
    source
        ``"results"`` (read from the results folder) or ``"computed"``.
    """

    node_load: xr.Dataset
    congestion: pd.DataFrame
    requests: pd.DataFrame
    source: str


class CaseStore:
    """Every table of a case, each loaded on first use and kept.

    Parameters
    ----------
    data_dir
        The data folder of the case.
    results_dir
        The folder ``laadplan run`` / ``laadplan plan`` wrote to, if any.
    """

    def __init__(self, data_dir: Path, results_dir: Path | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.results_dir = None if results_dir is None else Path(results_dir)
        self.folder: DataFolder = resolve_data_folder(self.data_dir)
        self._lock = threading.RLock()
        self._cache: dict[str, Any] = {}

    def _once(self, key: str, build: Callable[[], T]) -> T:
        with self._lock:
            if key not in self._cache:
                self._cache[key] = build()
            value: T = self._cache[key]
            return value

    def _result_file(self, name: str) -> Path | None:
        if self.results_dir is None:
            return None
        path = self.results_dir / name
        return path if path.is_file() else None

    @property
    def case(self) -> Case:
        """The case's tables and scenario, read once (:func:`planner.workflows.case.read_case`)."""
        return self._once("case", lambda: read_case(self.folder))

    @property
    def scenario(self) -> Scenario:
        """The case's scenario (``scenario.toml`` or the defaults)."""
        return self.case.scenario

    @property
    def needs(self) -> pd.DataFrame:
        """The validated needs table."""
        return self.case.needs

    @property
    def zones(self) -> pd.Series:
        """ZES start year per NIS code."""
        return self.case.zones

    @property
    def demand(self) -> xr.Dataset:
        """The demand projection (dims need, year, slot)."""
        return self._once("demand", self._load_demand)

    def _load_demand(self) -> xr.Dataset:
        stored = self._result_file(DEMAND_FILE)
        if stored is not None:
            LOGGER.info("dashboard: demand from %s", stored)
            return read_demand(stored)
        return project_demand(self.needs, self.zones, self.scenario)

    def demand_for_strategy(self, strategy: str) -> xr.Dataset:
        """The projection of the case with another charging strategy (kept per strategy)."""
        return self._once(f"demand:{strategy}", lambda: self._project_with(strategy))

    def _project_with(self, strategy: str) -> xr.Dataset:
        projection = dataclasses.replace(self.scenario.projection, charging_strategy=strategy)
        scenario = dataclasses.replace(self.scenario, projection=projection)
        return project_demand(self.needs, self.zones, scenario)

    @property
    def years(self) -> list[int]:
        """The projected years."""
        return [int(year) for year in self.demand["year"].to_numpy()]

    @property
    def sites(self) -> pd.DataFrame | None:
        """The candidate sites (``sites.csv``); ``None`` when the case has none."""
        return self.case.sites

    @property
    def grid(self) -> pd.DataFrame | None:
        """The canonical grid table (as the case read it) with each node's municipality."""
        return self._once("grid", self._locate_grid)

    def _locate_grid(self) -> pd.DataFrame | None:
        grid = self.case.grid
        if grid is None:
            return None
        codes = geography.nearest_municipality(grid["lat"].to_numpy(), grid["lon"].to_numpy())
        return with_region(grid, pd.Series(np.asarray(codes, dtype=str), index=grid.index))

    @property
    def overlay(self) -> GridOverlay | None:
        """The grid overlay, or ``None`` when the case has no grid."""
        return self._once("overlay", self._load_overlay)

    def _load_overlay(self) -> GridOverlay | None:
        files = [
            self._result_file(name) for name in (NODE_LOAD_FILE, CONGESTION_FILE, REQUESTS_FILE)
        ]
        if all(path is not None for path in files):
            node_path, congestion_path, requests_path = (Path(str(path)) for path in files)
            with xr.open_dataset(node_path, engine="netcdf4") as stored:
                node_load = stored.load()
            congestion = pd.read_csv(congestion_path, dtype={"node_id": str, "slot": str})
            requests = pd.read_csv(requests_path, dtype={"node_id": str, "name": str})
            return GridOverlay(node_load, congestion, requests, "results")
        if self.case.grid is None:
            return None
        result = overlay_of(self.case, self.demand)
        return GridOverlay(result.node_load, result.congestion, result.requests, "computed")

    @property
    def plan(self) -> PlanOutputs | None:
        """The plan in the results folder, if any.

        ``laadplan run`` writes it to ``OUT/plan/``; ``laadplan plan --out OUT`` to ``OUT``.
        """
        return self._once("plan", lambda: read_plan_outputs(self.plan_folder()))

    def plan_folder(self) -> Path | None:
        """The folder of the plan's files: ``OUT/plan`` of ``laadplan run``, else ``OUT``."""
        if self.results_dir is None:
            return None
        nested = self.results_dir / PLAN_FOLDER
        return nested if (nested / SUMMARY_FILE).is_file() else self.results_dir

    def warm(self) -> None:
        """Load every table now, so that no page waits for a first read."""
        for name in ("case", "demand", "grid", "overlay", "plan"):
            getattr(self, name)


def with_region(table: pd.DataFrame, nis_codes: pd.Series) -> pd.DataFrame:
    """Add ``nis_code`` and ``vervoerregio_code`` (int, 0 when unknown) to a table."""
    regions = geography.municipalities().set_index("nis_code")["vervoerregio_code"]
    result = table.copy()
    result["nis_code"] = nis_codes.astype(str).to_numpy()
    codes = result["nis_code"].map(regions)
    result["vervoerregio_code"] = codes.fillna(0).astype(int)
    return result


@functools.cache
def open_store(data_dir: Path, results_dir: Path | None = None) -> CaseStore:
    """The one store of a (data folder, results folder) pair in this process."""
    return CaseStore(Path(data_dir), None if results_dir is None else Path(results_dir))
