"""Files of a plan: ``summary.json``, one CSV per table, ``plan.nc`` and ``plan.xlsx``.

Every table has a ``year`` column (all years in one file).  The aggregates count the sites,
chargers, connectors and installed kW of every tier per municipality and per vervoerregio and
year; the figures that belong to companies (all of the private tier's, the energy and
organisations of the shared tiers) pass the disclosure rule (:mod:`grid_data.disclosure`)
for both files together, so that no company's figures can be read from them.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import xarray as xr

from charging_sites import TIER_VALUES, Tier
from geography import municipalities, vervoerregios
from grid_data.disclosure import Hierarchy, disclose_nodes
from planner.optimisation.results import PlanResult
from planner.optimisation.vocabulary import PlanFile
from planner.scenario import Scenario
from planner.workflows.area_figures import COUNT_COLUMNS, ENERGY_FIGURES, site_owners
from planner.workflows.capacity_requests import REQUESTS_BY_NODE_FILE, REQUESTS_FILE, plan_requests
from planner.workflows.exemptions import ZesMembership, congestion_exemptions
from planner.workflows.handouts import guard_handout, read_handout
from planner.workflows.multiyear import MultiYearPlan
from validation.export import neutralise_formulas, write_workbook

#: CSV file of each table, and how to get the table from one year's result.
TABLE_FILES: dict[str, Callable[[PlanResult], pd.DataFrame]] = {
    PlanFile.SITES: lambda r: r.sites,
    PlanFile.ASSIGNMENTS: lambda r: r.assignments,
    PlanFile.NODE_LOAD: lambda r: r.node_load,
    PlanFile.REINFORCEMENT: lambda r: r.reinforcement,
    PlanFile.UNMET: lambda r: r.unmet,
}
AGGREGATE_FILES = {
    PlanFile.CHARGERS_BY_MUNICIPALITY: "nis_code",
    PlanFile.CHARGERS_BY_VERVOERREGIO: "vervoerregio_code",
}
#: Rows an Excel sheet can hold (header included).
EXCEL_MAX_ROWS = 1_048_576


def plan_tables(plan: MultiYearPlan, k_anonymity: int) -> dict[str, pd.DataFrame]:
    """Every table of the plan by file name, with a ``year`` column."""
    tables = {name: _stack(plan, get) for name, get in TABLE_FILES.items()}
    tables.update(
        aggregate_tables(tables[PlanFile.SITES], tables[PlanFile.ASSIGNMENTS], k_anonymity)
    )
    return tables


def _stack(plan: MultiYearPlan, get: Callable[[PlanResult], pd.DataFrame]) -> pd.DataFrame:
    frames = [get(result).assign(year=result.year) for result in plan.results]
    table = pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)
    return table[["year", *[c for c in table.columns if c != "year"]]]


def aggregate_tables(
    sites: pd.DataFrame, assignments: pd.DataFrame, k_anonymity: int
) -> dict[str, pd.DataFrame]:
    """The files of :data:`AGGREGATE_FILES`, disclosed together.

    Sites, chargers, connectors, installed kW (:data:`COUNT_COLUMNS`), energy and
    organisations per municipality (vervoerregio), tier and year, for every tier.  Two families
    of figures pass :func:`grid_data.disclosure.disclose_nodes`, each on the hierarchy
    municipality → vervoerregio of each year and tier with *both* files' rows published, so
    that no vervoerregio row minus the municipality rows shown isolates fewer than
    ``k_anonymity`` organisations:

    * energy and organisations (:data:`ENERGY_FIGURES`), behind which stand the organisations
      charging at the area's sites;
    * on private sites, the counts too: a company's own chargers, behind which stand the
      sites' owners (``owner_organisation_id``).  The counts of shared sites are public
      infrastructure and always shown.

    Figures not disclosed are blank.
    """
    users = _located(sites, assignments[["year", "site_id", "tier", "organisation_id"]])
    owners = _located(sites, site_owners(sites))
    shown_energy = disclosed_areas(sites, users, k_anonymity)
    shown_counts = disclosed_areas(sites[sites["tier"] == Tier.PRIVATE], owners, k_anonymity)
    tables: dict[str, pd.DataFrame] = {}
    for name, by in AGGREGATE_FILES.items():
        table = _area_figures(sites, users, by)
        cells = [
            (int(y), str(t), f"{by}:{c}")
            for y, t, c in zip(table["year"], table["tier"], table[by].astype(str), strict=True)
        ]
        private = (table["tier"] == Tier.PRIVATE).to_numpy()
        energy_hidden = np.array([cell not in shown_energy for cell in cells], dtype=bool)
        counts_hidden = private & np.array([cell not in shown_counts for cell in cells], bool)
        table = _blank(table, ENERGY_FIGURES, energy_hidden)
        tables[name] = _with_names(_blank(table, COUNT_COLUMNS, counts_hidden), by)
    return tables


def _blank(
    table: pd.DataFrame, columns: tuple[str, ...], hidden: npt.NDArray[np.bool_]
) -> pd.DataFrame:
    """Blank ``columns`` in the ``hidden`` rows (whole numbers stay whole)."""
    for column in (c for c in columns if c in table.columns):
        values = table[column]
        kept = values.astype("Int64") if pd.api.types.is_integer_dtype(values) else values
        table[column] = kept.where(~hidden)
    return table


def _located(sites: pd.DataFrame, behind: pd.DataFrame) -> pd.DataFrame:
    """Organisations behind sites, with the site's municipality and vervoerregio.

    ``behind``: ``year``, ``site_id``, ``tier``, ``organisation_id``.
    """
    areas = sites[["year", "site_id", "nis_code", "vervoerregio_code"]]
    behind = behind.assign(organisation_id=behind["organisation_id"].astype(str))
    return behind.merge(areas, on=["year", "site_id"], how="inner")


def _area_figures(sites: pd.DataFrame, users: pd.DataFrame, by: str) -> pd.DataFrame:
    keys = ["year", by, "tier"]
    counts = {c: (c, "sum") for c in COUNT_COLUMNS[1:] if c in sites.columns}
    table = sites.groupby(keys, as_index=False).agg(
        sites=("site_id", "nunique"),
        **counts,
        energy_kwh_per_day=("energy_kwh_per_day", "sum"),
    )
    organisations = users.groupby(keys)["organisation_id"].nunique()
    table["organisations"] = pd.MultiIndex.from_frame(table[keys]).map(organisations.to_dict())
    table["organisations"] = table["organisations"].fillna(0).astype(int)
    return table


def disclosed_areas(
    sites: pd.DataFrame, contributors: pd.DataFrame, k_anonymity: int
) -> set[tuple[int, str, str]]:
    """The (year, tier, ``by:code``) cells of the aggregate files whose figures may be shown.

    ``contributors``: the organisations behind the figures, per ``year``, ``tier`` and
    ``nis_code`` (:func:`_located`).
    """
    shown: set[tuple[int, str, str]] = set()
    for key, at_sites in sites.groupby(["year", "tier"]):
        year, tier = int(str(key[0])), str(key[1])
        behind = contributors[(contributors["year"] == year) & (contributors["tier"] == tier)]
        hierarchy, direct = _area_hierarchy(at_sites, behind)
        published = np.array([node != FLANDERS for node in hierarchy.ids])
        disclosed = disclose_nodes(hierarchy, direct, published, k_anonymity)
        shown |= {(year, tier, hierarchy.ids[n]) for n in np.flatnonzero(disclosed)}
    return shown


#: The unpublished root of the area hierarchy.
FLANDERS = "flanders"


def _area_hierarchy(
    sites: pd.DataFrame, contributors: pd.DataFrame
) -> tuple[Hierarchy, list[set[str]]]:
    """Municipalities below their vervoerregio below Flanders, with the organisations per node."""
    region_of = dict(
        zip(
            sites["nis_code"].astype(str),
            sites["vervoerregio_code"].fillna("").astype(str),
            strict=True,
        )
    )
    regions = sorted({r for r in region_of.values() if r})
    ids = [FLANDERS, *(f"vervoerregio_code:{r}" for r in regions)]
    parents: list[str | None] = [None, *([FLANDERS] * len(regions))]
    for municipality, region in sorted(region_of.items()):
        ids.append(f"nis_code:{municipality}")
        parents.append(f"vervoerregio_code:{region}" if region else FLANDERS)
    direct: list[set[str]] = [set() for _ in ids]
    position = {node: i for i, node in enumerate(ids)}
    for code, organisation in zip(
        contributors["nis_code"].astype(str), contributors["organisation_id"], strict=True
    ):
        direct[position[f"nis_code:{code}"]].add(str(organisation))
    return Hierarchy.from_parents(ids, parents), direct


def _with_names(table: pd.DataFrame, by: str) -> pd.DataFrame:
    if by == "nis_code":
        names = municipalities().set_index("nis_code")["name_nl"]
        codes = table[by].astype(str)
    else:
        regions = vervoerregios()
        names = regions.set_index(regions["vervoerregio_code"].astype(str))["vervoerregio_name"]
        codes = table[by].astype(str)
    table.insert(2, "name", codes.map(names.to_dict()).fillna(""))
    return table


def write_plan(
    plan: MultiYearPlan,
    out: Path,
    scenario: Scenario,
    extra: Mapping[str, object] | None = None,
    grid_nodes: pd.DataFrame | None = None,
    previous: Path | None = None,
    zes: ZesMembership | None = None,
) -> list[Path]:
    """Write every file of the plan into ``out``; return the paths written.

    ``summary.json`` holds :meth:`MultiYearPlan.summary` (or ``extra``'s keys on top of it:
    the workflow's sub-problems and engine), the scenario's name and its ``[optimisation]``
    settings.  With the plan's grid (``grid_nodes``: ``node_id``, ``name``, ``level``,
    ``parent_id``) the grid operator's ``capacity_requests.csv`` and the planner's
    ``capacity_requests_by_node.csv`` are written too
    (:mod:`planner.workflows.capacity_requests`).  With ``previous``, the plan folder handed
    out last time, the files for others are guarded against it
    (:func:`planner.workflows.handouts.guard_handout`).  With the needs' ZES cities (``zes``) the
    planner's ``congestion_exemptions.csv`` is written too (:mod:`planner.workflows.exemptions`).
    """
    out.mkdir(parents=True, exist_ok=True)
    tables = plan_tables(plan, scenario.grid.k_anonymity)
    if zes is not None:
        tables[PlanFile.CONGESTION_EXEMPTIONS] = congestion_exemptions(tables[PlanFile.UNMET], zes)
    if grid_nodes is not None and len(grid_nodes):
        requests = plan_requests(plan, grid_nodes, scenario.grid.k_anonymity)
        tables[REQUESTS_FILE] = requests.requests
        tables[REQUESTS_BY_NODE_FILE] = requests.by_node
    if previous is not None:
        handed_out = read_handout(previous)
        tables = guard_handout(tables, handed_out, scenario.grid.k_anonymity, grid_nodes)
    summary = {
        **plan.summary(),
        **(extra or {}),
        "scenario": scenario.name,
        "settings": dataclasses.asdict(scenario.optimisation),
    }
    written = [_write_json(summary, out / PlanFile.SUMMARY)]
    for name, table in tables.items():
        safe = neutralise_formulas(table)
        safe.to_csv(out / name, index=False, lineterminator="\n", encoding="utf-8")
        written.append(out / name)
    plan_dataset(plan).to_netcdf(out / PlanFile.NETCDF, engine="netcdf4")
    written.append(out / PlanFile.NETCDF)
    write_plan_workbook(plan, tables, out / PlanFile.EXCEL)
    written.append(out / PlanFile.EXCEL)
    return written


def _write_json(summary: dict[str, object], path: Path) -> Path:
    path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def write_plan_workbook(plan: MultiYearPlan, tables: dict[str, pd.DataFrame], path: Path) -> None:
    """``plan.xlsx``: a summary sheet per year, then one sheet per table.

    A table longer than a sheet holds is cut, and says so in its last row.
    """
    summary = pd.DataFrame([_flat(year) for year in plan.summary()["years"]])
    sheets = {"summary": summary}
    sheets.update({name.removesuffix(".csv")[:31]: _fit_sheet(t) for name, t in tables.items()})
    write_workbook(path, sheets)


def _fit_sheet(table: pd.DataFrame) -> pd.DataFrame:
    limit = EXCEL_MAX_ROWS - 2
    if len(table) <= limit:
        return table
    note = pd.DataFrame({table.columns[0]: [f"cut: {len(table)} rows; see the CSV file"]})
    return pd.concat([table.iloc[:limit], note], ignore_index=True)


def _flat(summary: dict[str, object], prefix: str = "") -> dict[str, object]:
    flat: dict[str, object] = {}
    for key, value in summary.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{key}."))
        elif not isinstance(value, list):
            flat[f"{prefix}{key}"] = value
    return flat


def plan_dataset(plan: MultiYearPlan) -> xr.Dataset:
    """The plan as arrays: site power and node load per slot, chargers per type, unmet.

    Dimensions ``year``, ``site``, ``slot``, ``node``, ``charger_type``, ``need``, ``tier``.
    """
    years = plan.years
    site_power = _pivot(plan, lambda r: r.site_power, "site_id", "slot", "power_kw")
    node_load = _pivot(plan, lambda r: r.node_load, "node_id", "slot", "load_kw")
    unmet = _unmet_by_need(plan)
    data = {
        "site_power_kw": site_power.rename({"site_id": "site"}),
        "node_load_kw": node_load.rename({"node_id": "node"}),
        "unmet_kwh_per_day": unmet,
        "chargers": _chargers(plan),
        "energy_kwh_per_day_by_tier": xr.DataArray(
            [[r.energy_by_tier_kwh_per_day.get(t, 0.0) for t in TIER_VALUES] for r in plan.results],
            dims=("year", "tier"),
            coords={"year": years, "tier": list(TIER_VALUES)},
        ),
    }
    attrs = {"title": "laadplan site-selection plan", "status": plan.status.value}
    dataset = xr.Dataset(data, attrs=attrs).fillna(0.0)  # absent: nothing charged or built
    units = {
        "site_power_kw": "kW",
        "node_load_kw": "kW",
        "unmet_kwh_per_day": "kWh per working day",
        "chargers": "chargers",
        "energy_kwh_per_day_by_tier": "kWh per working day",
    }
    for name, unit in units.items():
        dataset[name].attrs["units"] = unit
    return dataset


def _pivot(
    plan: MultiYearPlan,
    get: Callable[[PlanResult], pd.DataFrame],
    row: str,
    column: str,
    value: str,
) -> xr.DataArray:
    frames = [get(r)[[row, column, value]].assign(year=r.year) for r in plan.results]
    frame = pd.concat(frames, ignore_index=True)
    frame[row] = frame[row].astype(str)
    array = frame.set_index(["year", row, column])[value].astype(float).to_xarray().fillna(0.0)
    return array.reindex(year=plan.years, fill_value=0.0)


def _unmet_by_need(plan: MultiYearPlan) -> xr.DataArray:
    """Unmet energy per year and need, kWh/day.

    The need dimension has length 0 when every need is served.
    """
    frames = [r.unmet[["need_id", "unmet_kwh_per_day"]].assign(year=r.year) for r in plan.results]
    frame = pd.concat(frames, ignore_index=True)
    needs = sorted(frame["need_id"].astype(str).unique().tolist())
    kwh = np.zeros((len(plan.years), len(needs)))
    rows = pd.Index(plan.years).get_indexer(pd.Index(frame["year"]))
    columns = pd.Index(needs).get_indexer(pd.Index(frame["need_id"].astype(str)))
    np.add.at(kwh, (rows, columns), frame["unmet_kwh_per_day"].to_numpy(float))
    return xr.DataArray(kwh, dims=("year", "need"), coords={"year": plan.years, "need": needs})


def _chargers(plan: MultiYearPlan) -> xr.DataArray:
    frames = []
    for result in plan.results:
        columns = [c for c in result.sites.columns if c.startswith("chargers_")]
        long = result.sites.melt(
            id_vars=["site_id"], value_vars=columns, var_name="charger_type", value_name="n"
        )
        frames.append(
            long.assign(
                year=result.year, charger_type=long["charger_type"].str.removeprefix("chargers_")
            )
        )
    frame = pd.concat(frames, ignore_index=True)
    frame["site_id"] = frame["site_id"].astype(str)
    array = (
        frame.set_index(["year", "site_id", "charger_type"])["n"]
        .astype(float)
        .to_xarray()
        .fillna(0.0)
    )
    return array.rename({"site_id": "site"}).reindex(year=plan.years, fill_value=0.0)
