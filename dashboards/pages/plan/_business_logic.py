"""Plan: chosen sites, ladder split, public chargers, reinforcement, unmet (pandas only)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboards.plan_data import TIERS, PlanOutputs, rows_of_year
from planner.demand.projection import municipality_names

#: Tiers counted as public charging per municipality.
PUBLIC_TIERS = ("semi_public", "public")


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
    ladder = sites["tier"].map({tier: rank for rank, tier in enumerate(TIERS)})
    order = sites.assign(ladder=ladder).sort_values(["ladder", "chargers"], ascending=[True, False])
    return order.drop(columns="ladder").reset_index(drop=True)


def ladder_by_year(plan: PlanOutputs) -> pd.DataFrame:
    """Energy per working day per tier and year, kWh, with each tier's share of the year."""
    rows = []
    for year, summary in sorted(plan.summaries.items()):
        energy = summary.get("energy_kwh_per_day_by_tier") or {}
        total = sum(float(value or 0) for value in energy.values())
        for tier in TIERS:
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
    public = sites[sites["tier"].isin(PUBLIC_TIERS)]
    table = public.pivot_table(
        index="nis_code", columns="year", values="chargers", aggfunc="sum", fill_value=0
    )
    table.columns = [str(year) for year in table.columns]
    table = table.reset_index()
    table.insert(1, "municipality", table["nis_code"].map(municipality_names()).fillna(""))
    return table.sort_values(table.columns[-1], ascending=False, ignore_index=True)


def reinforcement_of(plan: PlanOutputs, year: int) -> pd.DataFrame:
    """Reinforcement requested per node in the year (largest first)."""
    table = rows_of_year(plan.reinforcement, year)
    return (
        table.sort_values("total_kva", ascending=False, ignore_index=True)
        if not table.empty
        else table
    )


def unmet_of(plan: PlanOutputs, year: int) -> pd.DataFrame:
    """Needs not (fully) served in the year, with the reason (largest first)."""
    table = rows_of_year(plan.unmet, year)
    return (
        table.sort_values("unmet_kwh_per_day", ascending=False, ignore_index=True)
        if not table.empty
        else table
    )
