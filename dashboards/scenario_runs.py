"""Plan runs with changed scenario knobs, for the Scenarios page (no Dash).

A run takes the case as the store read it (:attr:`dashboards.store.CaseStore.case`), applies
the changed scenario and plans it through the one planning workflow
(:func:`planner.workflows.plan_case.plan_case`) — per vervoerregio, carrying what a year builds
into the next, exactly as ``laadplan plan`` does, in the dashboard's own process. With
``chain_years`` off (the default on the page) only the chosen year is planned, from the
chargers already in place: a quick answer to "what if".
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from charging_sites import TIER_VALUES
from dashboards.jobs import Progress
from dashboards.plan_data import PlanOutputs, plan_outputs_from_results
from planner.scenario import Scenario, check_scenario
from planner.workflows.case import Case
from planner.workflows.parallel import Engine
from planner.workflows.plan_case import CasePlan, plan_case
from planner.workflows.proposals import propose_sites

#: Time limit of one solver call in a dashboard run unless the scenario's is lower, s.
DEFAULT_TIME_LIMIT_S = 60.0


@dataclass(frozen=True)
class Knobs:
    """The scenario settings the Scenarios page can change.

    Attributes
    ----------
    year
        The year to plan (the last one with ``chain_years``).
    ladder_policy, offpeak_policy
        ``[optimisation]`` policies (see :class:`planner.scenario.OptimisationSettings`).
    sharing, allow_reinforcement
        Sharing of private chargers; grid reinforcement.
    price_peak_eur_per_kwh, price_offpeak_eur_per_kwh
        Energy prices, EUR/kWh.
    detour_km_max
        Farthest detour per tier, km.
    time_limit_s
        Time limit of one solver call, s.
    chain_years
        Plan every year from the first projected one up to ``year``, carrying what is built.
    propose_sites
        Hubs to propose where the plan leaves energy unmet, then plan again with them
        (``laadplan plan --propose-sites N``; 0: none).
    """

    year: int
    ladder_policy: str
    offpeak_policy: str
    sharing: bool
    allow_reinforcement: bool
    price_peak_eur_per_kwh: float
    price_offpeak_eur_per_kwh: float
    detour_km_max: dict[str, float]
    time_limit_s: float = DEFAULT_TIME_LIMIT_S
    chain_years: bool = False
    propose_sites: int = 0

    def describe(self) -> dict[str, Any]:
        """The knobs as flat settings named as in ``[optimisation]`` (:func:`flat_settings`)."""
        settings = {
            "year": self.year,
            "chain_years": self.chain_years,
            "ladder_policy": self.ladder_policy,
            "offpeak_policy": self.offpeak_policy,
            "sharing": self.sharing,
            "allow_reinforcement": self.allow_reinforcement,
            "energy_price_eur_per_kwh": {
                "peak": self.price_peak_eur_per_kwh,
                "offpeak": self.price_offpeak_eur_per_kwh,
            },
            "detour_km_max": self.detour_km_max,
            "time_limit_s": self.time_limit_s,
            "propose_sites": self.propose_sites,
        }
        return flat_settings(settings)


#: Flat names of the settings the knobs change, in the order shown.
KNOB_SETTINGS = (
    "year", "chain_years", "ladder_policy", "offpeak_policy", "sharing", "allow_reinforcement",
    "energy_price_eur_per_kwh_peak", "energy_price_eur_per_kwh_offpeak", "detour_km_max_private",
    "detour_km_max_semi_public", "detour_km_max_public", "time_limit_s", "propose_sites",
)  # fmt: skip


def flat_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """Nested settings flattened with ``_``: ``{"a": {"b": 1}}`` → ``{"a_b": 1}``.

    Examples
    --------
    >>> flat_settings({"detour_km_max": {"public": 10.0}, "sharing": True})
    {'detour_km_max_public': 10.0, 'sharing': True}
    """
    flat: dict[str, Any] = {}
    for key, value in settings.items():
        if isinstance(value, dict):
            flat.update({f"{key}_{inner}": item for inner, item in flat_settings(value).items()})
        else:
            flat[key] = value
    return flat


def knobs_of(scenario: Scenario, year: int) -> Knobs:
    """The knobs as the scenario sets them, for one year."""
    settings = scenario.optimisation
    prices = settings.energy_price_eur_per_kwh
    return Knobs(
        year=year,
        ladder_policy=settings.ladder_policy,
        offpeak_policy=settings.offpeak_policy,
        sharing=settings.sharing,
        allow_reinforcement=settings.allow_reinforcement,
        price_peak_eur_per_kwh=float(prices["peak"]),
        price_offpeak_eur_per_kwh=float(prices["offpeak"]),
        detour_km_max={tier: float(settings.detour_km_max[tier]) for tier in TIER_VALUES},
        time_limit_s=min(DEFAULT_TIME_LIMIT_S, float(settings.time_limit_s)),
    )


def apply_knobs(scenario: Scenario, knobs: Knobs) -> Scenario:
    """The scenario with the knobs' settings.

    Raises
    ------
    planner.scenario.ScenarioError
        When a knob has an invalid value (the scenario's own checks, every problem listed).
    """
    settings = dataclasses.replace(
        scenario.optimisation,
        ladder_policy=knobs.ladder_policy,
        offpeak_policy=knobs.offpeak_policy,
        sharing=knobs.sharing,
        allow_reinforcement=knobs.allow_reinforcement,
        energy_price_eur_per_kwh={
            "peak": knobs.price_peak_eur_per_kwh,
            "offpeak": knobs.price_offpeak_eur_per_kwh,
        },
        detour_km_max=dict(knobs.detour_km_max),
        time_limit_s=knobs.time_limit_s,
    )
    changed = dataclasses.replace(scenario, optimisation=settings)
    check_scenario(changed, "scenario knobs")
    return changed


def planned_years(years: list[int], knobs: Knobs) -> list[int]:
    """The years a run plans: the chosen one, or every year up to it.

    Examples
    --------
    >>> knobs = Knobs(2030, "none", "soft", True, True, 0.25, 0.15, {})
    >>> planned_years([2027, 2028, 2029, 2030, 2031], knobs)
    [2030]
    >>> planned_years([2027, 2028, 2029, 2030], dataclasses.replace(knobs, chain_years=True))
    [2027, 2028, 2029, 2030]
    """
    if knobs.chain_years:
        return [year for year in years if year <= knobs.year]
    return [knobs.year] if knobs.year in years else [min(years, key=lambda y: abs(y - knobs.year))]


def run_plan(case: Case, knobs: Knobs, report: Progress, label: str = "") -> PlanOutputs:
    """Plan the case with the knobs applied; report progress as the years are solved.

    The sub-problems are solved one after the other in this process (the dashboard runs one
    job at a time; the cores go to the solver).  With ``propose_sites`` the hubs are proposed
    and the case planned again with them (:func:`planner.workflows.proposals.propose_sites`);
    the last progress line says how much unmet energy they take away.
    """
    changed = case.with_scenario(apply_knobs(case.scenario, knobs))
    projection = changed.scenario.projection
    years = planned_years(list(range(projection.first_year, projection.last_year + 1)), knobs)

    def plan(with_sites: Case) -> CasePlan:
        return plan_case(with_sites, years, engine=Engine(workers=1), progress=report)

    planned = plan(changed)
    settings = knobs.describe()
    done = ", ".join(str(r.status) for r in planned.plan.results)
    if knobs.propose_sites > 0:
        proposals = propose_sites(changed, planned, knobs.propose_sites, plan)
        planned = proposals.planned
        settings["unmet_before_proposals_kwh_per_day"] = round(
            proposals.unmet_before_kwh_per_day, 1
        )
        done = proposals.describe()
    results = planned.plan.results
    report(1.0, f"{len(years)} year(s) planned: {done}")
    outputs = plan_outputs_from_results(results, label)
    return dataclasses.replace(outputs, settings=settings)
