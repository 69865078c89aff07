"""Overview: headline figures and the map's tables for a selection (pandas and xarray only)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

import geography
from charging_sites import TIER_VALUES
from dashboards.plan_data import PlanOutputs, chargers_by_tier, energy_by_tier, rows_of_year
from dashboards.selection import Selection, area_mask, nearest_year, need_mask
from dashboards.store import GridOverlay


@dataclass(frozen=True)
class Headline:
    """Headline figures of a selection and year.

    ``None`` means "not available" (no plan, no grid data).
    """

    ze_vehicles: float
    energy_mwh_per_day: float
    peak_kw: float
    chargers_by_tier: dict[str, int] | None
    energy_share_by_tier: dict[str, float] | None
    unmet_kwh_per_day: float
    unmet_from_plan: bool
    shortfall_kva: float | None
    shortfall_from_plan: bool = False


def selected_demand(demand: xr.Dataset, selection: Selection) -> xr.Dataset:
    """The needs of the selection in the selection's year (nearest projected year)."""
    year = nearest_year([int(y) for y in demand["year"].to_numpy()], selection.year)
    return demand.isel(need=np.flatnonzero(need_mask(demand, selection))).sel(year=year)


def make_headline(
    demand: xr.Dataset,
    selection: Selection,
    plan: PlanOutputs | None = None,
    overlay: GridOverlay | None = None,
    grid: pd.DataFrame | None = None,
) -> Headline:
    """Headline figures: ZE vehicles, energy, coincident peak, plan and grid figures."""
    chosen = selected_demand(demand, selection)
    peak_kw = float(chosen["power_kw"].sum("need").max()) if chosen.sizes["need"] else 0.0
    unmet = float(chosen["unserved_kwh_per_day"].sum())
    chargers = shares = None
    plan_year = plan.year_of(selection.year) if plan is not None else None
    if plan is not None and plan_year is not None:
        chargers, shares, unmet = _plan_figures(plan, plan_year, chosen, selection)
    from_plan = plan is not None and "extra_capacity_kva" in plan.capacity_requests.columns
    requests = plan.capacity_requests if plan is not None and from_plan else None
    if requests is None and overlay is not None:
        requests = overlay.requests
    return Headline(
        ze_vehicles=float(chosen["ze_vehicles"].sum()),
        energy_mwh_per_day=float(chosen["energy_kwh_per_day"].sum()) / 1000,
        peak_kw=peak_kw,
        chargers_by_tier=chargers,
        energy_share_by_tier=shares,
        unmet_kwh_per_day=unmet,
        unmet_from_plan=plan_year is not None,
        shortfall_kva=None if requests is None else requested_kva(requests, grid, selection),
        shortfall_from_plan=from_plan,
    )


def _plan_figures(
    plan: PlanOutputs, year: int, chosen: xr.Dataset, selection: Selection
) -> tuple[dict[str, int], dict[str, float], float]:
    sites = rows_of_year(plan.sites, year)
    if not sites.empty:
        sites = sites[area_mask(sites["nis_code"], sites["vervoerregio_code"], selection)]
    need_ids = set(chosen["need"].to_numpy().astype(str))
    assignments = rows_of_year(plan.assignments, year)
    assignments = assignments[assignments["need_id"].astype(str).isin(need_ids)]
    unmet = rows_of_year(plan.unmet, year)
    unmet_kwh = float(unmet[unmet["need_id"].astype(str).isin(need_ids)]["unmet_kwh_per_day"].sum())
    return chargers_by_tier(sites), tier_shares(energy_by_tier(assignments)), unmet_kwh


def tier_shares(energy: dict[str, float]) -> dict[str, float]:
    """Share of each tier in the total energy (all 0 when there is none).

    Examples
    --------
    >>> tier_shares({"private": 3.0, "public": 1.0})
    {'private': 0.75, 'public': 0.25}
    """
    total = sum(energy.values())
    return {tier: (value / total if total > 0 else 0.0) for tier, value in energy.items()}


def requested_kva(requests: pd.DataFrame, grid: pd.DataFrame | None, selection: Selection) -> float:
    """Extra capacity requested in the year (capacity requests), kVA, in the selected area.

    ``requests`` is the plan's ``capacity_requests.csv`` when there is a plan (the number the
    grid operator receives), else the overlay's ("before planning").  Requests without a node
    (suppressed, below k) count only for the whole of Flanders.
    """
    year = nearest_year(
        sorted(set(requests["year"].astype(int))) or [selection.year], selection.year
    )
    rows = requests[requests["year"] == year]
    if (selection.region is not None or selection.municipality is not None) and grid is not None:
        nodes = grid[area_mask(grid["nis_code"], grid["vervoerregio_code"], selection)]
        rows = rows[rows["node_id"].astype(str).isin(set(nodes["node_id"]))]
    return float(rows["extra_capacity_kva"].fillna(0).sum())


def depot_table(demand: xr.Dataset, selection: Selection) -> pd.DataFrame:
    """Per depot of the selection: place, ZE vehicles and energy per working day in the year."""
    chosen = selected_demand(demand, selection)
    frame = pd.DataFrame(
        {
            "depot_id": chosen["depot_id"].to_numpy().astype(str),
            "municipality": chosen["municipality"].to_numpy().astype(str),
            "lat": chosen["lat"].to_numpy().astype(float),
            "lon": chosen["lon"].to_numpy().astype(float),
            "ze_vehicles": chosen["ze_vehicles"].to_numpy().astype(float),
            "energy_kwh_per_day": chosen["energy_kwh_per_day"].to_numpy().astype(float),
        }
    )
    keys = ["depot_id", "municipality", "lat", "lon"]
    table = frame.groupby(keys, as_index=False)[["ze_vehicles", "energy_kwh_per_day"]].sum()
    return table.sort_values("energy_kwh_per_day", ascending=False, ignore_index=True)


def municipality_table(
    demand: xr.Dataset, selection: Selection, plan: PlanOutputs | None = None
) -> pd.DataFrame:
    """Per municipality of the selection: ZE vehicles, energy and coincident peak in the year.

    With a plan, also the chargers of every tier in place in the plan's year
    (``chargers_private``, ``chargers_semi_public``, ``chargers_public``; the planner's own
    view: private counts are not k-filtered here, the aggregate files are).
    """
    chosen = selected_demand(demand, selection)
    codes = chosen["nis_code"].to_numpy().astype(str)
    frame = pd.DataFrame(
        {
            "nis_code": codes,
            "municipality": chosen["municipality"].to_numpy().astype(str),
            "vervoerregio": chosen["vervoerregio"].to_numpy().astype(str),
            "ze_vehicles": chosen["ze_vehicles"].to_numpy().astype(float),
            "energy_kwh_per_day": chosen["energy_kwh_per_day"].to_numpy().astype(float),
        }
    )
    table = frame.groupby(["nis_code", "municipality", "vervoerregio"], as_index=False).sum()
    power = pd.DataFrame(chosen["power_kw"].to_numpy(), index=codes).groupby(level=0).sum()
    table["peak_kw"] = table["nis_code"].map(power.max(axis=1)).fillna(0.0)
    if plan is not None:
        table = _with_chargers(table, plan, selection)
    return table.sort_values("energy_kwh_per_day", ascending=False, ignore_index=True).round(1)


def _with_chargers(table: pd.DataFrame, plan: PlanOutputs, selection: Selection) -> pd.DataFrame:
    """The table with the plan's chargers per tier and municipality (also where no depot is)."""
    sites = rows_of_year(plan.sites, plan.year_of(selection.year))
    columns = [f"chargers_{tier}" for tier in TIER_VALUES]
    if not sites.empty:
        sites = sites[area_mask(sites["nis_code"], sites["vervoerregio_code"], selection)]
    counts = (
        sites.pivot_table(
            index="nis_code", columns="tier", values="chargers", aggfunc="sum", fill_value=0
        )
        if not sites.empty
        else pd.DataFrame(index=pd.Index([], name="nis_code"))
    )
    counts = counts.reindex(columns=list(TIER_VALUES), fill_value=0)
    counts.columns = pd.Index(columns)
    merged = table.merge(counts, left_on="nis_code", right_index=True, how="outer")
    places = geography.municipalities().set_index(
        geography.municipalities()["nis_code"].astype(str)
    )
    codes = merged["nis_code"].astype(str)
    merged["municipality"] = merged["municipality"].fillna(codes.map(places["name_nl"]))
    merged["vervoerregio"] = merged["vervoerregio"].fillna(codes.map(places["vervoerregio_name"]))
    merged[columns] = merged[columns].fillna(0).astype(int)
    return merged.fillna({"ze_vehicles": 0.0, "energy_kwh_per_day": 0.0, "peak_kw": 0.0})


def rollout_by_year(plan: PlanOutputs | None, selection: Selection) -> pd.DataFrame:
    """The plan's roll-out in the selected area, per year and tier.

    Open sites, chargers, connectors and installed kW, for every tier and planned year (0
    where none; empty without a plan).
    """
    columns = ["year", "tier", "sites", "chargers", "connectors", "installed_kw"]
    if plan is None or not plan.years:
        return pd.DataFrame(columns=columns)
    sites = plan.sites
    if not sites.empty:
        sites = sites[area_mask(sites["nis_code"], sites["vervoerregio_code"], selection)]
    grid = pd.MultiIndex.from_product([plan.years, list(TIER_VALUES)], names=["year", "tier"])
    summed = {c: (c, "sum") for c in columns[3:] if c in sites.columns}
    table = (
        sites.groupby(["year", "tier"]).agg(sites=("site_id", "nunique"), **summed)
        if not sites.empty
        else pd.DataFrame(index=grid)
    )
    table = table.reindex(grid, fill_value=0).reset_index().reindex(columns=columns, fill_value=0)
    counts = ["sites", "chargers", "connectors"]
    table[counts] = table[counts].fillna(0).astype(int)
    table["installed_kw"] = table["installed_kw"].fillna(0.0).astype(float)
    return table


def site_table(
    sites: pd.DataFrame | None, plan: PlanOutputs | None, selection: Selection
) -> pd.DataFrame:
    """Candidate sites of the area with ``chosen`` and ``chargers`` from the plan (if any)."""
    columns = ["site_id", "name", "tier", "lat", "lon", "nis_code", "chosen", "chargers"]
    if sites is None:
        return pd.DataFrame(columns=columns)
    table = sites[area_mask(sites["nis_code"], sites["vervoerregio_code"], selection)].copy()
    table["chosen"] = False
    table["chargers"] = table["existing_chargers"].astype(int)
    plan_year = plan.year_of(selection.year) if plan is not None else None
    if plan is not None and plan_year is not None:
        open_sites = rows_of_year(plan.sites, plan_year).set_index("site_id")["chargers"]
        table["chosen"] = table["site_id"].isin(open_sites.index)
        table["chargers"] = table["site_id"].map(open_sites).fillna(table["chargers"]).astype(int)
    return table[columns].reset_index(drop=True)


def grid_node_table(grid: pd.DataFrame | None, selection: Selection) -> pd.DataFrame:
    """Grid nodes of the area with their level, status and headroom."""
    columns = ["node_id", "name", "level", "status", "headroom_kva", "lat", "lon"]
    if grid is None:
        return pd.DataFrame(columns=columns)
    table = grid[area_mask(grid["nis_code"], grid["vervoerregio_code"], selection)]
    return table[columns].reset_index(drop=True)
