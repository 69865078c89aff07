"""Plan: chosen sites, ladder split, public chargers, reinforcement, unmet (pandas only)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from charging_sites import TIER_VALUES
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


#: Columns of :func:`chargers_per_municipality`: the chargers of each tier.
TIER_CHARGER_COLUMNS = [f"chargers_{tier}" for tier in TIER_VALUES]


def chargers_per_municipality(plan: PlanOutputs) -> pd.DataFrame:
    """Chargers of every tier per municipality and year, with their sum and installed kW.

    Columns ``year``, ``nis_code``, ``municipality``, ``chargers_private``,
    ``chargers_semi_public``, ``chargers_public``, ``chargers``, ``installed_kw``; per year
    the municipalities with the most chargers first.
    """
    columns = ["year", "nis_code", "municipality", *TIER_CHARGER_COLUMNS, "chargers"]
    sites = plan.sites
    if sites.empty or "tier" not in sites.columns:
        return pd.DataFrame(columns=[*columns, "installed_kw"])
    table = sites.pivot_table(
        index=["year", "nis_code"], columns="tier", values="chargers", aggfunc="sum", fill_value=0
    ).reindex(columns=list(TIER_VALUES), fill_value=0)
    table.columns = pd.Index(TIER_CHARGER_COLUMNS)
    table["chargers"] = table.sum(axis=1)
    if "installed_kw" in sites.columns:
        table["installed_kw"] = sites.groupby(["year", "nis_code"])["installed_kw"].sum()
    table = table.reset_index()
    table.insert(2, "municipality", table["nis_code"].map(municipality_names()).fillna(""))
    return table.sort_values(["year", "chargers"], ascending=[True, False], ignore_index=True)


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
