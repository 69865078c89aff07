"""Plan: chosen sites, ladder split, public chargers, reinforcement, unmet (pandas only)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from charging_sites import SHARED_TIERS, TIER_VALUES
from dashboards.plan_data import PlanOutputs, rows_of_year
from planner.demand.projection import municipality_names


def status_of(plan: PlanOutputs, year: int) -> dict[str, Any]:
    """Status, message and cost of the year's solve."""
    summary = plan.summaries.get(year, {})
    return {
        key: summary.get(key)
        for key in ("year", "status", "message", "objective_eur", "unmet_kwh_per_day")
    }


def chosen_sites(plan: PlanOutputs, year: int) -> pd.DataFrame:
    """Open sites of the year with chargers per type, sharing and utilisation."""
    sites = rows_of_year(plan.sites, year)
    if sites.empty:
        return sites
    sites = sites.assign(
        shared_by_organisations=sites["organisations"] > 1,
        utilisation=sites["utilisation"].round(3),
    )
    ladder = sites["tier"].map({tier: rank for rank, tier in enumerate(TIER_VALUES)})
    order = sites.assign(ladder=ladder).sort_values(["ladder", "chargers"], ascending=[True, False])
    return order.drop(columns="ladder").reset_index(drop=True)


def ladder_by_year(plan: PlanOutputs) -> pd.DataFrame:
    """Energy per working day per tier and year, kWh, with each tier's share of the year."""
    rows = []
    for year, summary in sorted(plan.summaries.items()):
        energy = summary.get("energy_kwh_per_day_by_tier") or {}
        total = sum(float(value or 0) for value in energy.values())
        for tier in TIER_VALUES:
            value = float(energy.get(tier) or 0.0)
            rows.append(
                {
                    "year": year,
                    "tier": tier,
                    "energy_kwh_per_day": value,
                    "share": value / total if total else 0.0,
                }
            )
    return pd.DataFrame(rows, columns=["year", "tier", "energy_kwh_per_day", "share"])


def chargers_per_municipality(plan: PlanOutputs) -> pd.DataFrame:
    """Semi-public and public chargers per municipality and year (one column per year)."""
    sites = plan.sites
    if sites.empty or "tier" not in sites.columns:
        return pd.DataFrame(columns=["nis_code", "municipality"])
    public = sites[sites["tier"].isin(SHARED_TIERS)]
    table = public.pivot_table(
        index="nis_code", columns="year", values="chargers", aggfunc="sum", fill_value=0
    )
    table.columns = [str(year) for year in table.columns]
    table = table.reset_index()
    table.insert(1, "municipality", table["nis_code"].map(municipality_names()).fillna(""))
    return table.sort_values(table.columns[-1], ascending=False, ignore_index=True)


def reinforcement_of(plan: PlanOutputs, year: int) -> pd.DataFrame:
    """Reinforcement requested per node in the year (largest first).

    With the plan's operator file, ``requested_kva`` and ``reported_as`` say what the grid
    operator receives for the node: the same kVA, named (``own``), merged into an ancestor's
    request (``merged:<node_id>``) or counted as ``suppressed``.
    """
    table = rows_of_year(plan.reinforcement, year)
    by_node = rows_of_year(plan.requests_by_node, year)
    if not table.empty and "reported_as" in by_node.columns:
        labels = by_node.set_index(by_node["node_id"].astype(str))
        nodes = table["node_id"].astype(str)
        table = table.assign(
            requested_kva=nodes.map(labels["extra_capacity_kva"]),
            reported_as=nodes.map(labels["reported_as"]).fillna(""),
        )
    return (
        table.sort_values("total_kva", ascending=False, ignore_index=True)
        if not table.empty
        else table
    )


def unmet_of(plan: PlanOutputs, year: int) -> pd.DataFrame:
    """Needs not (fully) served in the year, with cause and binding figure (largest first)."""
    table = rows_of_year(plan.unmet, year)
    return (
        table.sort_values("unmet_kwh_per_day", ascending=False, ignore_index=True)
        if not table.empty
        else table
    )
