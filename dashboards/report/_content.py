"""The figures of one vervoerregio's charging plan, gathered from a case and its results (pandas).

Every table here is either about the whole region (demand per category, the plan's status) or
passed the disclosure rule (:mod:`grid_data.disclosure`): the charger aggregates
(``chargers_by_municipality.csv``, ``chargers_by_vervoerregio.csv`` as the plan wrote them, or
made the same way from the plan's tables when the plan comes from the service's database), the
grid operator's capacity requests, and the candidates for a grid-congestion exemption per ZES
city (:func:`planner.workflows.exemptions.disclosed_exemptions`).  No figure of a single need or
organisation is taken.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import geography
from dashboards.plan_data import PlanOutputs
from dashboards.store import CaseStore
from planner.demand.aggregation import demand_by_region_table
from planner.optimisation.vocabulary import PlanFile
from planner.workflows.exemptions import (
    DISCLOSED_COLUMNS,
    ZesMembership,
    congestion_exemptions,
    disclosed_by_region,
    disclosed_exemptions,
)
from planner.workflows.plan_files import aggregate_tables

#: The plan's aggregate files, by the column they group on.
MUNICIPALITY_FILE = PlanFile.CHARGERS_BY_MUNICIPALITY
REGION_FILE = PlanFile.CHARGERS_BY_VERVOERREGIO
#: What the report tells of each proposed hub (no energy: a hub's load is one site's).
HUB_COLUMNS = ["site_id", "name", "year", "opened", "chargers"]
#: Columns of the roll-out tables (summed per group, year and tier).
ROLLOUT_COLUMNS = ("sites", "chargers", "new_chargers", "connectors", "installed_kw")


@dataclass(frozen=True)
class RegionReport:
    """What the report of one vervoerregio shows.

    Attributes
    ----------
    region_code, region_name
        The vervoerregio (code 1–15 and Dutch name).
    municipalities
        ``nis_code``, ``name_nl``, ``is_centrumstad`` of the region's municipalities.
    zes_calendar
        ``nis_code``, ``municipality``, ``zes_start_year`` of the region's ZES cities.
    demand
        Per ``year`` and ``category``: ``ze_vehicles`` (whole vehicles), ``energy_kwh_per_day``,
        ``peak_kw``.
    rollout
        Per ``year`` and ``tier``: the columns of :data:`ROLLOUT_COLUMNS` present in the plan.
    rollout_by_municipality
        Per ``nis_code``, ``name``, ``year`` and ``tier``: the same columns.
    requests
        The operator's capacity requests at nodes in the region (as written, k-anonymous).
    suppressed_requests
        Per year, node-years the operator's file counts as suppressed (all of Flanders: a
        suppressed request has no place).
    plan_years
        Per planned year: ``status``, ``unmet_kwh_per_day`` of the whole plan.
    unmet_causes
        Unmet energy of the region's needs per year and cause (:class:`UnmetCause`): the
        region's row and one per cause (:data:`~planner.workflows.exemptions.DISCLOSED_COLUMNS`),
        figures blank where not disclosed.
    proposed_hubs
        The hubs ``--propose-sites`` placed in the region: ``site_id``, ``name`` (municipality),
        ``year``, ``opened``, ``chargers``.
    exemptions
        Candidates for a grid-congestion exemption: per year the region's row and its ZES
        cities' rows (:data:`~planner.workflows.exemptions.DISCLOSED_COLUMNS`), figures blank
        where not disclosed.
    scenario, settings
        The scenario's name and the settings the report states under methods.
    """

    region_code: int
    region_name: str
    municipalities: pd.DataFrame
    zes_calendar: pd.DataFrame
    demand: pd.DataFrame
    rollout: pd.DataFrame
    rollout_by_municipality: pd.DataFrame
    requests: pd.DataFrame
    suppressed_requests: pd.DataFrame
    plan_years: pd.DataFrame
    scenario: str
    settings: dict[str, Any] = field(default_factory=dict)
    exemptions: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=DISCLOSED_COLUMNS)
    )
    unmet_causes: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=DISCLOSED_COLUMNS)
    )
    proposed_hubs: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=HUB_COLUMNS))

    @property
    def years(self) -> list[int]:
        """The projected years."""
        return sorted(int(year) for year in self.demand["year"].unique())


def build_region_report(
    store: CaseStore, region: str | int, k: int | None = None, plan: PlanOutputs | None = None
) -> RegionReport:
    """Gather the report of ``region`` (name, alias or code 1–15) from a case store.

    ``k`` is the least number of organisations behind a figure made here (the exemptions, and
    the charger aggregates when made from the plan's tables); by default the scenario's
    ``[grid] k_anonymity``.  ``plan`` is another plan of the case than the store's (a run of
    the dashboard's Scenarios page); its aggregates are made from its tables.
    """
    code = geography.resolve_vervoerregio(region)
    k = store.scenario.grid.k_anonymity if k is None else k
    folder = store.plan_folder() if plan is None else None
    plan = store.plan if plan is None else plan
    members = geography.municipalities_of(code)
    municipalities = members[["nis_code", "name_nl", "is_centrumstad"]].reset_index(drop=True)
    aggregates = plan_aggregates(folder, plan, k)
    return RegionReport(
        region_code=code,
        region_name=region_name(code),
        municipalities=municipalities,
        zes_calendar=zes_calendar(store.zones, municipalities),
        demand=region_demand(demand_by_region_table(store.demand), code),
        rollout=region_rollout(aggregates[REGION_FILE], "vervoerregio_code", code),
        rollout_by_municipality=municipality_rollout(aggregates[MUNICIPALITY_FILE], municipalities),
        requests=region_requests(store, plan, code),
        suppressed_requests=suppressed_requests(store, plan),
        plan_years=plan_years(plan),
        scenario=store.scenario.name,
        settings={**scenario_settings(store), "k_anonymity": k},
        exemptions=region_exemptions(store, plan, code, k),
        unmet_causes=region_unmet_causes(plan, code, k),
        proposed_hubs=region_hubs(folder, municipalities),
    )


def plan_aggregates(
    plan_dir: Path | None, plan: PlanOutputs | None, k: int
) -> dict[str, pd.DataFrame]:
    """The plan's charger aggregates: its files, else made from its tables (the service's).

    Both are :func:`planner.workflows.plan_files.aggregate_tables` of the plan's sites and
    assignments (the files with the scenario's k, the tables with ``k``).
    """
    if plan_dir is not None and (plan_dir / REGION_FILE).is_file():
        return {name: read_aggregate(plan_dir, name) for name in (REGION_FILE, MUNICIPALITY_FILE)}
    needed = {"tier", "site_id", "nis_code", "vervoerregio_code"}
    if plan is None or plan.sites.empty or not needed <= set(plan.sites.columns):
        return {name: read_aggregate(None, name) for name in (REGION_FILE, MUNICIPALITY_FILE)}
    sites = plan.sites.assign(
        nis_code=plan.sites["nis_code"].astype(str),
        vervoerregio_code=plan.sites["vervoerregio_code"].astype(str),
    )
    return aggregate_tables(sites, plan.assignments, k)


def region_unmet_causes(plan: PlanOutputs | None, code: int, k: int) -> pd.DataFrame:
    """The region's unmet energy and whole vehicles per year and cause, as others may see them.

    A need belongs to the vervoerregio of its municipality; the figures pass the disclosure
    rule on cause → vervoerregio → Flanders (:func:`disclosed_by_region`).
    """
    needed = {"year", "nis_code", "cause", "organisation_id", "unmet_kwh_per_day"}
    if plan is None or plan.unmet.empty or not needed <= set(plan.unmet.columns):
        return pd.DataFrame(columns=DISCLOSED_COLUMNS)
    unmet = plan.unmet
    table = geography.municipalities()
    region_of = dict(zip(table["nis_code"].astype(str), table["vervoerregio_code"], strict=True))
    rows = pd.DataFrame(
        {
            "year": unmet["year"],
            "vervoerregio_code": unmet["nis_code"].astype(str).map(region_of).fillna(0).astype(int),
            "cause": unmet["cause"].astype(str),
            "name": unmet["cause"].astype(str),
            "organisation_id": unmet["organisation_id"].astype(str),
            "vehicles_unmet": unmet.get("vehicles_unmet", pd.Series(0, index=unmet.index)),
            "unmet_kwh_per_day": unmet["unmet_kwh_per_day"],
        }
    )
    shown = disclosed_by_region(rows, "cause", k)
    return _region_rows(shown, code)


def region_hubs(plan_dir: Path | None, municipalities: pd.DataFrame) -> pd.DataFrame:
    """The proposed hubs (``proposed_sites.csv`` of ``--propose-sites``) in the region."""
    path = None if plan_dir is None else plan_dir / PlanFile.PROPOSED_SITES
    if path is None or not path.is_file():
        return pd.DataFrame(columns=HUB_COLUMNS)
    hubs = pd.read_csv(path, dtype={"nis_code": str, "site_id": str})
    names = municipalities.set_index("nis_code")["name_nl"]
    rows = hubs[hubs["nis_code"].isin(names.index)]
    table = rows.assign(name=rows["nis_code"].map(names.to_dict()))
    return table[HUB_COLUMNS].reset_index(drop=True)


def _region_rows(shown: pd.DataFrame, code: int) -> pd.DataFrame:
    """The rows of one vervoerregio, per year its total first."""
    in_region = shown[shown["vervoerregio_code"] == code]
    ladder = (in_region["level"] != "vervoerregio").astype(int)
    ordered = in_region.assign(ladder=ladder).sort_values(["year", "ladder", "name"])
    return ordered.drop(columns="ladder").reset_index(drop=True)


def region_exemptions(
    store: CaseStore, plan: PlanOutputs | None, code: int, k: int
) -> pd.DataFrame:
    """The region's candidates for a grid-congestion exemption, as others may see them."""
    if plan is None:
        return pd.DataFrame(columns=DISCLOSED_COLUMNS)
    exemptions = congestion_exemptions(plan.unmet, ZesMembership.of(store.needs, store.zones))
    return _region_rows(disclosed_exemptions(exemptions, k), code)


def region_name(code: int) -> str:
    """The Dutch name of vervoerregio ``code``."""
    regions = geography.vervoerregios().set_index("vervoerregio_code")["vervoerregio_name"]
    return str(regions.loc[code])


def zes_calendar(zones: pd.Series, municipalities: pd.DataFrame) -> pd.DataFrame:
    """The region's cities with a zero-emission zone and the year it starts, by start year."""
    names = municipalities.set_index("nis_code")["name_nl"]
    starts = zones[zones.index.astype(str).isin(names.index)]
    table = pd.DataFrame(
        {
            "nis_code": starts.index.astype(str),
            "municipality": starts.index.astype(str).map(names.to_dict()),
            "zes_start_year": starts.to_numpy().astype(int),
        }
    )
    return table.sort_values(["zes_start_year", "municipality"], ignore_index=True)


def region_demand(by_region: pd.DataFrame, code: int) -> pd.DataFrame:
    """Vehicles (whole), energy and peak per year and category of one region."""
    rows = by_region[by_region["vervoerregio_code"] == code]
    table = rows[["year", "category", "ze_vehicles", "energy_kwh_per_day", "peak_kw"]].copy()
    table["ze_vehicles"] = np.floor(table["ze_vehicles"].astype(float) + 1e-9).astype(int)
    return table.reset_index(drop=True)


def read_aggregate(plan_dir: Path | None, name: str) -> pd.DataFrame:
    """One of the plan's aggregate files; an empty table without a plan."""
    path = None if plan_dir is None else plan_dir / name
    if path is None or not path.is_file():
        return pd.DataFrame(columns=["year", "tier", *ROLLOUT_COLUMNS])
    return pd.read_csv(path, dtype={"nis_code": str, "vervoerregio_code": str})


def region_rollout(aggregate: pd.DataFrame, by: str, code: int) -> pd.DataFrame:
    """Sites, chargers, connectors and kW per year and tier in one region."""
    rows = aggregate[aggregate[by].astype(str) == str(code)] if by in aggregate else aggregate
    return _sum_rollout(rows, ["year", "tier"])


def municipality_rollout(aggregate: pd.DataFrame, municipalities: pd.DataFrame) -> pd.DataFrame:
    """Sites, chargers, connectors and kW per municipality of the region, year and tier."""
    if "nis_code" not in aggregate:
        return pd.DataFrame(columns=["nis_code", "name", "year", "tier", *ROLLOUT_COLUMNS])
    names = municipalities.set_index("nis_code")["name_nl"]
    rows = aggregate[aggregate["nis_code"].astype(str).isin(names.index)]
    table = _sum_rollout(rows, ["nis_code", "year", "tier"])
    table.insert(1, "name", table["nis_code"].map(names.to_dict()))
    return table


def _sum_rollout(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    columns = [column for column in ROLLOUT_COLUMNS if column in rows]
    if rows.empty:
        return pd.DataFrame(columns=[*keys, *columns])
    # min_count=1: a figure the disclosure rule withheld (blank in the file) stays missing
    # instead of reading as zero
    table = rows.groupby(keys, as_index=False)[columns].sum(min_count=1)
    for column in columns:
        if column != "installed_kw":
            table[column] = table[column].round().astype("Int64")
    return table


def operator_requests(store: CaseStore, plan: PlanOutputs | None) -> pd.DataFrame:
    """The grid operator's capacity requests: the plan's file, else the overlay's (before planning).

    Both passed the disclosure rule when they were written.
    """
    if plan is not None and not plan.capacity_requests.empty:
        return plan.capacity_requests
    overlay = store.overlay
    return pd.DataFrame() if overlay is None else overlay.requests


def region_requests(store: CaseStore, plan: PlanOutputs | None, code: int) -> pd.DataFrame:
    """The operator's capacity requests at named nodes in the region (merged rows included)."""
    columns = ["year", "node_id", "name", "extra_capacity_kva", "disclosure", "merged_nodes"]
    requests = operator_requests(store, plan)
    if requests.empty or not {"lat", "lon"} <= set(requests.columns):
        return pd.DataFrame(columns=columns)
    placed = requests.dropna(subset=["lat", "lon"])
    if placed.empty:
        return pd.DataFrame(columns=columns)
    nis = geography.nearest_municipality(placed["lat"].to_numpy(), placed["lon"].to_numpy())
    regions = geography.municipalities().set_index("nis_code")["vervoerregio_code"]
    in_region = pd.Series(np.asarray(nis, dtype=str)).map(regions.to_dict()).to_numpy() == code
    rows = placed[in_region]
    present = [column for column in columns if column in rows]
    table: pd.DataFrame = rows[present].sort_values(["year", "node_id"], ignore_index=True)
    return table


def suppressed_requests(store: CaseStore, plan: PlanOutputs | None) -> pd.DataFrame:
    """Per year, the node-years the operator's file counts as suppressed."""
    requests = operator_requests(store, plan)
    if "disclosure" not in requests:
        return pd.DataFrame(columns=["year", "nodes"])
    rows = requests[requests["disclosure"] == "suppressed"]
    counts = rows.groupby("year")["merged_nodes"].sum() if "merged_nodes" in rows else None
    if counts is None or counts.empty:
        return pd.DataFrame(columns=["year", "nodes"])
    return counts.astype(int).rename("nodes").reset_index()


def plan_years(plan: PlanOutputs | None) -> pd.DataFrame:
    """Status and unmet energy of every planned year (the whole plan)."""
    if plan is None:
        return pd.DataFrame(columns=["year", "status", "unmet_kwh_per_day"])
    rows = [
        {
            "year": year,
            "status": str(summary.get("status", "")),
            "unmet_kwh_per_day": float(summary.get("unmet_kwh_per_day") or 0.0),
        }
        for year, summary in sorted(plan.summaries.items())
    ]
    return pd.DataFrame(rows)


def scenario_settings(store: CaseStore) -> dict[str, Any]:
    """The scenario's settings the methods section states."""
    scenario = store.scenario
    projection, optimisation = scenario.projection, scenario.optimisation
    return {
        "years": f"{projection.first_year}–{projection.last_year}",
        "slot_minutes": projection.slot_minutes,
        "charging_strategy": projection.charging_strategy,
        "offpeak_window": f"{projection.offpeak_start}–{projection.offpeak_end}",
        "ladder_policy": optimisation.ladder_policy,
        "offpeak_policy": optimisation.offpeak_policy,
        "sharing": optimisation.sharing,
        "unmet_penalty_eur_per_kwh": optimisation.unmet_penalty_eur_per_kwh,
        "reinforcement_cost_eur_per_kva": optimisation.reinforcement_cost_eur_per_kva,
        "solver": optimisation.solver,
        "mip_gap": optimisation.mip_gap,
        "k_anonymity": scenario.grid.k_anonymity,
    }
