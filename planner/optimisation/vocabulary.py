"""The plan's vocabulary: its cost keys and the names of the files it is written to.

One definition each, imported by the code that makes a plan (:mod:`.results`, :mod:`.decompose`,
:mod:`.multiyear`), writes it (:mod:`.writers`) and reads it back (the dashboard, the sweeps,
the benchmarks).  Nothing here reads or writes a file.
"""

from __future__ import annotations

from enum import StrEnum


class CostKey(StrEnum):
    """Keys of a plan's cost breakdown, EUR per year (see :mod:`.results`)."""

    SITES = "sites_eur"  # annuity of this year's new sites
    CHARGERS = "chargers_eur"  # annuity of this year's new chargers
    CARRIED_INVESTMENT = "carried_investment_eur"  # annuity of earlier plan years' investments
    ENERGY = "energy_eur"
    ACCESS = "access_eur"
    REINFORCEMENT = "reinforcement_eur"  # all reinforcement requested so far
    UNMET_PENALTY = "unmet_penalty_eur"  # reported apart, not part of the objective
    LADDER_PREMIUM = "ladder_premium_eur"  # reported apart, not part of the objective


#: The costs whose sum is a plan's ``objective_eur``, in report order.
COST_KEYS: tuple[CostKey, ...] = (
    CostKey.SITES,
    CostKey.CHARGERS,
    CostKey.CARRIED_INVESTMENT,
    CostKey.ENERGY,
    CostKey.ACCESS,
    CostKey.REINFORCEMENT,
)

#: The costs reported beside the objective but not part of it.
REPORTED_APART_KEYS: tuple[CostKey, ...] = (CostKey.UNMET_PENALTY, CostKey.LADDER_PREMIUM)


class PlanFile(StrEnum):
    """The files of a plan folder, as ``laadplan plan`` writes them."""

    SUMMARY = "summary.json"
    SITES = "sites.csv"
    ASSIGNMENTS = "assignments.csv"
    NODE_LOAD = "node_load.csv"
    REINFORCEMENT = "reinforcement.csv"
    UNMET = "unmet.csv"
    CHARGERS_BY_MUNICIPALITY = "chargers_by_municipality.csv"
    CHARGERS_BY_VERVOERREGIO = "chargers_by_vervoerregio.csv"
    CONGESTION_EXEMPTIONS = "congestion_exemptions.csv"  # planner only: organisation rows
    PROPOSED_SITES = "proposed_sites.csv"  # of --propose-sites
    NETCDF = "plan.nc"
    EXCEL = "plan.xlsx"


#: Sub-folder of ``laadplan run``'s results folder that holds the plan's files.
PLAN_FOLDER = "plan"
