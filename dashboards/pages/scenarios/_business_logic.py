"""Scenarios: knobs from the page's controls, and two plans side by side (pandas only)."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from charging_sites import TIER_VALUES
from dashboards.plan_data import PlanOutputs, chargers_by_tier, rows_of_year
from dashboards.scenario_runs import KNOB_SETTINGS, Knobs, flat_settings
from planner.optimisation.vocabulary import COST_KEYS

#: Number controls: knob value name → what the message calls it.
NUMBER_FIELDS = {
    "price_peak": "peak price",
    "price_offpeak": "off-peak price",
    "detour_private": "detour private",
    "detour_semi_public": "detour semi-public",
    "detour_public": "detour public",
    "time_limit": "time limit",
    "propose_sites": "hubs to propose",
}
#: Number fields that take whole numbers only (0 when left empty).
WHOLE_FIELDS = ("propose_sites",)


def knobs_from_controls(values: dict[str, Any], default_year: int) -> Knobs:
    """Knobs from the control values (checklists give lists, inputs may be empty).

    Raises
    ------
    ValueError
        Naming every number field that is empty or not a number.
    """
    numbers, problems = read_numbers(values)
    if problems:
        raise ValueError("; ".join(problems))
    return Knobs(
        year=int(values.get("year") or default_year),
        ladder_policy=str(values.get("ladder_policy") or "lexicographic"),
        offpeak_policy=str(values.get("offpeak_policy") or "soft"),
        sharing=bool(values.get("sharing")),
        allow_reinforcement=bool(values.get("reinforcement")),
        price_peak_eur_per_kwh=numbers["price_peak"],
        price_offpeak_eur_per_kwh=numbers["price_offpeak"],
        detour_km_max={tier: numbers[f"detour_{tier}"] for tier in TIER_VALUES},
        time_limit_s=numbers["time_limit"],
        chain_years=bool(values.get("chain")),
        propose_sites=int(numbers["propose_sites"]),
    )


def read_numbers(values: dict[str, Any]) -> tuple[dict[str, float], list[str]]:
    """The number fields as floats, and a problem per field that is empty or not a number.

    A whole-number field (:data:`WHOLE_FIELDS`) left empty is 0; it must be a whole number of
    0 or more.
    """
    numbers: dict[str, float] = {}
    problems: list[str] = []
    for key, name in NUMBER_FIELDS.items():
        value = values.get(key)
        if key in WHOLE_FIELDS and value in (None, ""):
            value = 0
        try:
            numbers[key] = float(str(value)) if value not in (None, "") else math.nan
        except ValueError:
            numbers[key] = math.nan
        if math.isnan(numbers[key]):
            problems.append(f"{name}: '{value if value is not None else ''}' is not a number")
        elif key in WHOLE_FIELDS and (numbers[key] < 0 or not numbers[key].is_integer()):
            problems.append(f"{name}: '{value}' is not a whole number of 0 or more")
    return numbers, problems


def last_year(plan: PlanOutputs) -> int | None:
    """The last planned year of a plan."""
    return plan.years[-1] if plan.years else None


def plan_figures(plan: PlanOutputs) -> dict[str, Any]:
    """Headline figures of a plan's last year (flat, for the comparison table)."""
    year = last_year(plan)
    summary = plan.summaries.get(year, {}) if year is not None else {}
    sites = rows_of_year(plan.sites, year)
    reinforcement = rows_of_year(plan.reinforcement, year)
    shares = summary.get("energy_share_by_tier") or {}
    figures: dict[str, Any] = {
        "year": year,
        "status": summary.get("status"),
        "objective_eur": summary.get("objective_eur"),
        "unmet_kwh_per_day": summary.get("unmet_kwh_per_day"),
        "sites_open": len(sites),
        "reinforcement_kva": float(reinforcement["total_kva"].sum())
        if not reinforcement.empty
        else 0.0,
        "solve_s": summary.get("solve_s"),
    }
    for tier, count in chargers_by_tier(sites).items():
        figures[f"chargers_{tier}"] = count
    for tier in TIER_VALUES:
        figures[f"energy_share_{tier}"] = round(float(shares.get(tier) or 0.0), 4)
    return figures


def compare_table(a: PlanOutputs, b: PlanOutputs | None = None) -> pd.DataFrame:
    """Headline figures and knob settings of plan A and B side by side, with B − A for numbers.

    Without B only A's column is filled.
    """
    left = {**plan_figures(a), **knob_settings(a)}
    right = {**plan_figures(b), **knob_settings(b)} if b is not None else {}
    keys = list(dict.fromkeys([*left, *right]))
    rows = [
        {
            "quantity": key,
            "A": left.get(key),
            "B": right.get(key),
            "B_minus_A": _difference(left.get(key), right.get(key)),
        }
        for key in keys
    ]
    return pd.DataFrame(rows, columns=["quantity", "A", "B", "B_minus_A"])


def knob_settings(plan: PlanOutputs) -> dict[str, Any]:
    """The plan's settings that the knobs change, as ``setting:<name>``."""
    flat = flat_settings(plan.settings)
    return {f"setting:{key}": flat[key] for key in KNOB_SETTINGS if key in flat}


def _difference(a: object, b: object) -> float | None:
    numbers = (int, float)
    if (
        isinstance(a, bool)
        or isinstance(b, bool)
        or not (isinstance(a, numbers) and isinstance(b, numbers))
    ):
        return None
    return round(float(b) - float(a), 4)


def tier_comparison(plans: dict[str, PlanOutputs]) -> pd.DataFrame:
    """Per run and tier: energy per working day (kWh) and chargers, in each plan's last year."""
    rows = []
    for run, plan in plans.items():
        year = last_year(plan)
        energy = (plan.summaries.get(year, {}) if year is not None else {}).get(
            "energy_kwh_per_day_by_tier"
        ) or {}
        chargers = chargers_by_tier(rows_of_year(plan.sites, year))
        for tier in TIER_VALUES:
            rows.append(
                {
                    "run": run,
                    "tier": tier,
                    "energy_kwh_per_day": float(energy.get(tier) or 0.0),
                    "chargers": chargers[tier],
                }
            )
    return pd.DataFrame(rows, columns=["run", "tier", "energy_kwh_per_day", "chargers"])


def cost_comparison(plans: dict[str, PlanOutputs]) -> pd.DataFrame:
    """Per run and cost item: EUR per year in each plan's last year."""
    rows = []
    for run, plan in plans.items():
        year = last_year(plan)
        costs = (plan.summaries.get(year, {}) if year is not None else {}).get(
            "costs_eur_per_year"
        ) or {}
        rows += [
            {"run": run, "cost": key, "eur_per_year": float(costs.get(key) or 0.0)}
            for key in COST_KEYS
        ]
    return pd.DataFrame(rows, columns=["run", "cost", "eur_per_year"])


def run_rows(jobs: list[Any]) -> pd.DataFrame:
    """The runs as a table: id, name, state, elapsed seconds, last message or error."""
    rows = [
        {
            "run": job.job_id,
            "name": job.name,
            "state": str(job.state),
            "elapsed_s": round(job.elapsed_s, 1),
            "message": job.error or job.message,
        }
        for job in jobs
    ]
    return pd.DataFrame(rows, columns=["run", "name", "state", "elapsed_s", "message"])
