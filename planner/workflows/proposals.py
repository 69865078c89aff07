"""Propose hubs where a plan leaves energy unserved, plan again with them, and say what they do.

:func:`propose_sites` takes a planned case, places up to ``n`` public hubs where the last planned
year's unmet energy clusters (:func:`charging_sites.proposals.propose_hubs`: within the public
tier's reach of the needs, on the grid node with most headroom nearby, open all day), adds them
to the candidate sites and plans the case again.  :class:`SiteProposals` holds the new plan, the
proposals with what each serves and costs in the new plan, and the unmet energy before and after.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from charging_sites import Tier, check_sites
from charging_sites.proposals import HubTemplate, propose_hubs
from planner.workflows.case import Case
from planner.workflows.plan_case import CasePlan
from validation import LaadplanError

#: What the proposals table tells of each hub, besides its place.
PROPOSAL_COLUMNS = [
    "site_id",
    "lat",
    "lon",
    "nis_code",
    "grid_node_id",
    "max_chargers",
    "covered_needs",
    "covered_unmet_kwh_per_day",
    "year",
    "opened",
    "chargers",
    "energy_kwh_per_day",
    "investment_eur_per_year",
]


@dataclass(frozen=True)
class SiteProposals:
    """Hubs proposed for a plan's unmet energy, and the plan made with them.

    Attributes
    ----------
    proposals
        One row per hub (:data:`PROPOSAL_COLUMNS`): where, what it was placed for, and in the
        new plan's last year whether it opened, its chargers, energy and annual investment.
    planned
        The case planned again with the hubs among the candidates.
    unmet_before_kwh_per_day, unmet_after_kwh_per_day
        Unmet energy of the last planned year, without and with the hubs.
    year
        That year.
    """

    proposals: pd.DataFrame
    planned: CasePlan
    unmet_before_kwh_per_day: float
    unmet_after_kwh_per_day: float
    year: int

    def describe(self) -> str:
        """One line saying what the proposals change."""
        before, after = self.unmet_before_kwh_per_day, self.unmet_after_kwh_per_day
        opened = int(self.proposals["opened"].sum()) if len(self.proposals) else 0
        return (
            f"{len(self.proposals)} proposed hub(s), {opened} opened by the plan: unmet energy "
            f"in {self.year} from {before:,.0f} to {after:,.0f} kWh/day "
            f"({after - before:+,.0f} kWh/day)"
        )


def propose_sites(
    case: Case,
    planned: CasePlan,
    n: int,
    replan: Callable[[Case], CasePlan],
) -> SiteProposals:
    """Propose up to ``n`` hubs for ``planned``'s unmet energy and plan ``case`` again.

    Parameters
    ----------
    case
        The case that was planned (it must have sites).
    planned
        Its plan.
    n
        Hubs to propose at most.
    replan
        Plans a case the same way ``planned`` was made (years, engine, options).
    """
    if case.sites is None:
        raise LaadplanError("--propose-sites needs a case with sites.csv")
    last = planned.plan.results[-1]
    unmet = last.unmet.merge(case.needs[["need_id", "lat", "lon"]], on="need_id", how="left")
    settings = case.scenario.optimisation
    hubs = propose_hubs(
        unmet,
        n,
        reach_km=settings.detour_km_max.get(Tier.PUBLIC, 0.0),
        nodes=None if case.grid is None else case.grid,
        template=hub_template(case.sites),
        detour_factor=settings.detour_factor,
        node_distance_km=case.scenario.grid.max_mapping_distance_km,
    )
    frames: list[pd.DataFrame] = [case.sites, validated_sites(hubs, list(case.sites.columns))]
    sites = pd.concat(frames, ignore_index=True)
    again = replan(dataclasses.replace(case, sites=sites))
    after = again.plan.results[-1]
    return SiteProposals(
        proposals=served_by(hubs, after.sites, after.year),
        planned=again,
        unmet_before_kwh_per_day=float(last.unmet_kwh_per_day or 0.0),
        unmet_after_kwh_per_day=float(after.unmet_kwh_per_day or 0.0),
        year=after.year,
    )


def hub_template(sites: pd.DataFrame) -> HubTemplate:
    """A hub costs and may draw what the case's public sites do (medians), else the defaults."""
    public = sites[sites["tier"] == Tier.PUBLIC]
    if public.empty:
        return HubTemplate()
    return dataclasses.replace(
        HubTemplate(),
        fixed_cost_eur=float(public["fixed_cost_eur"].median()),
        max_power_kw=float(public["max_power_kw"].median()),
    )


def validated_sites(hubs: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The hubs as rows of the case's sites table, through the same checks as ``sites.csv``."""
    raw = hubs.drop(columns=["covered_needs", "covered_unmet_kwh_per_day"]).astype(str)
    raw["shared"] = "yes"
    table, report = check_sites(raw, "proposed sites")
    if table is None:
        raise LaadplanError(f"proposed sites failed the sites checks: {report}")
    return table[[column for column in columns if column in table.columns]]


def served_by(hubs: pd.DataFrame, sites: pd.DataFrame, year: int) -> pd.DataFrame:
    """The hubs with what each serves and costs in a year's plan (zero when not opened)."""
    chosen = sites.set_index("site_id") if len(sites) else pd.DataFrame()
    table = hubs.copy()
    opened = table["site_id"].isin(chosen.index)
    table["year"] = year
    table["opened"] = opened
    for column in ("chargers", "energy_kwh_per_day", "investment_eur_per_year"):
        values = chosen[column] if column in chosen else pd.Series(dtype=float)
        table[column] = np.where(opened, table["site_id"].map(values.to_dict()), 0)
    return table[PROPOSAL_COLUMNS]
