"""Plan results as the dashboard shows them: one set of tables over the planned years.

A plan comes either from the files ``laadplan plan`` writes into a results folder
(:func:`read_plan_outputs`) or from :class:`~planner.optimisation.results.PlanResult` objects
of a run started on the Scenarios page (:func:`plan_outputs_from_results`). Both give a
:class:`PlanOutputs`: every table has a ``year`` column.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from charging_sites import TIER_VALUES
from planner.optimisation.vocabulary import PlanFile
from planner.workflows.capacity_requests import REQUESTS_BY_NODE_FILE, REQUESTS_FILE

#: Files of ``laadplan plan`` read here (name → table).
PLAN_TABLE_FILES = {
    "sites": PlanFile.SITES,
    "assignments": PlanFile.ASSIGNMENTS,
    "reinforcement": PlanFile.REINFORCEMENT,
    "unmet": PlanFile.UNMET,
}
SUMMARY_FILE = PlanFile.SUMMARY
#: Columns read as text in the plan files.
TEXT_COLUMNS = ("site_id", "need_id", "node_id", "nis_code", "organisation_id", "grid_node_id")


@dataclass(frozen=True)
class PlanOutputs:
    """A plan over one or more years.

    Attributes
    ----------
    summaries
        Per year the headline figures (``status``, ``message``, ``objective_eur``,
        ``unmet_kwh_per_day``, ``energy_kwh_per_day_by_tier`` …), as in ``summary.json``.
    sites, assignments, reinforcement, unmet
        The plan's tables with a ``year`` column (see :mod:`planner.optimisation.results`).
    label
        Where the plan comes from (a folder or a run name).
    settings
        The ``[optimisation]`` settings of ``summary.json``.
    capacity_requests
        The grid operator's ``capacity_requests.csv`` of the plan (disclosed; empty without).
    requests_by_node
        ``capacity_requests_by_node.csv``: per node and year the extra capacity and how the
        operator's file shows it (``reported_as``); empty without.
    """

    summaries: dict[int, dict[str, Any]]
    sites: pd.DataFrame
    assignments: pd.DataFrame
    reinforcement: pd.DataFrame
    unmet: pd.DataFrame
    label: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    capacity_requests: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({"year": pd.Series(dtype="int64")})
    )
    requests_by_node: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({"year": pd.Series(dtype="int64")})
    )

    @property
    def years(self) -> list[int]:
        """The planned years, in order."""
        return sorted(self.summaries)

    def year_of(self, wanted: int) -> int | None:
        """The planned year to show for ``wanted``: itself, else the last one before it."""
        earlier = [year for year in self.years if year <= wanted]
        return earlier[-1] if earlier else None


def read_plan_outputs(results_dir: Path | None) -> PlanOutputs | None:
    """Read the files ``laadplan plan`` wrote; ``None`` when the folder has no plan."""
    if results_dir is None or not (Path(results_dir) / SUMMARY_FILE).is_file():
        return None
    folder = Path(results_dir)
    raw = json.loads((folder / SUMMARY_FILE).read_text(encoding="utf-8"))
    summaries = {int(item["year"]): dict(item) for item in summary_items(raw)}
    tables = {name: _read_table(folder / file) for name, file in PLAN_TABLE_FILES.items()}
    settings = raw.get("settings", {}) if isinstance(raw, Mapping) else {}
    outputs = make_outputs(summaries, tables, str(folder), dict(settings))
    return dataclasses.replace(
        outputs,
        capacity_requests=_read_table(folder / REQUESTS_FILE),
        requests_by_node=_read_table(folder / REQUESTS_BY_NODE_FILE),
    )


def make_outputs(
    summaries: dict[int, dict[str, Any]],
    tables: Mapping[str, pd.DataFrame],
    label: str,
    settings: dict[str, Any] | None = None,
) -> PlanOutputs:
    """Assemble :class:`PlanOutputs` from its tables by name."""
    return PlanOutputs(
        summaries=summaries,
        sites=tables["sites"],
        assignments=tables["assignments"],
        reinforcement=tables["reinforcement"],
        unmet=tables["unmet"],
        label=label,
        settings=settings or {},
    )


def summary_items(raw: object) -> list[Mapping[str, Any]]:
    """The per-year summaries of ``summary.json`` (a list, or an object with ``years``)."""
    if isinstance(raw, Mapping):
        if "year" in raw:
            return [raw]
        items = raw.get("years", [])
    else:
        items = raw
    return [item for item in items if isinstance(item, Mapping) and "year" in item]


def _read_table(path: Path) -> pd.DataFrame:
    if not path.is_file():
        return pd.DataFrame({"year": pd.Series(dtype="int64")})
    header = pd.read_csv(path, nrows=0).columns
    dtypes = {column: str for column in TEXT_COLUMNS if column in header}
    table = pd.read_csv(path, dtype=dtypes, keep_default_na=True)
    for column in dtypes:
        table[column] = table[column].fillna("")
    return table


def plan_outputs_from_results(results: Iterable[Any], label: str = "") -> PlanOutputs:
    """Gather :class:`~planner.optimisation.results.PlanResult` objects of several years."""
    results = list(results)
    tables: dict[str, pd.DataFrame] = {}
    for name in PLAN_TABLE_FILES:
        frames = [getattr(result, name).assign(year=result.year) for result in results]
        tables[name] = _concat(frames)
    summaries = {int(result.year): result.summary() for result in results}
    return make_outputs(summaries, tables, label)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    kept = [frame for frame in frames if len(frame)]
    if not kept:
        return frames[0] if frames else pd.DataFrame({"year": pd.Series(dtype="int64")})
    return pd.concat(kept, ignore_index=True)


def rows_of_year(table: pd.DataFrame, year: int | None) -> pd.DataFrame:
    """The rows of one year (none when ``year`` is ``None`` or the table has no year column)."""
    if year is None or "year" not in table.columns:
        return table.iloc[0:0]
    return table[table["year"] == year].reset_index(drop=True)


def chargers_by_tier(sites: pd.DataFrame) -> dict[str, int]:
    """Chargers in place per tier of a year's open sites (every tier, 0 when none)."""
    if sites.empty or "chargers" not in sites.columns:
        return dict.fromkeys(TIER_VALUES, 0)
    counts = sites.groupby("tier")["chargers"].sum()
    return {tier: int(counts.get(tier, 0)) for tier in TIER_VALUES}


def energy_by_tier(assignments: pd.DataFrame) -> dict[str, float]:
    """Energy per working day per tier of a year's assignments, kWh."""
    if assignments.empty:
        return dict.fromkeys(TIER_VALUES, 0.0)
    energy = assignments.groupby("tier")["energy_kwh_per_day"].sum()
    return {tier: float(energy.get(tier, 0.0)) for tier in TIER_VALUES}


def located_sites(chosen: pd.DataFrame, catalogue: pd.DataFrame | None) -> pd.DataFrame:
    """Chosen sites with ``lat``/``lon`` from the candidate-site catalogue."""
    if chosen.empty or catalogue is None:
        return chosen.assign(lat=pd.Series(dtype=float), lon=pd.Series(dtype=float))
    places = catalogue.set_index("site_id")[["lat", "lon"]]
    return chosen.join(places, on="site_id")


def located_reinforcement(reinforcement: pd.DataFrame, grid: pd.DataFrame | None) -> pd.DataFrame:
    """Reinforcement rows with the node's ``lat``/``lon``."""
    if reinforcement.empty or grid is None:
        return reinforcement.assign(lat=pd.Series(dtype=float), lon=pd.Series(dtype=float))
    return reinforcement.join(grid.set_index("node_id")[["lat", "lon"]], on="node_id")
