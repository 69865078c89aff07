"""Micro planning cases for the optimisation tests: a few needs, sites and grid nodes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from planner.domain import VehicleCategory, values
from planner.optimisation.inputs import (
    NODE_COLUMNS,
    BuiltCapacity,
    ChargerOption,
    GridInputs,
    PlanInputs,
)
from planner.optimisation.model import PlanProblem, build_problem
from planner.optimisation.results import PlanResult
from planner.optimisation.solve import solve
from planner.scenario import OptimisationSettings

ALL = frozenset(values(VehicleCategory))
#: One all-purpose charger type: 50 kW, 10 000 EUR.
DC50 = ChargerOption("DC50", 50.0, 10_000.0, ALL)
#: Truck chargers (N3 only): a depot DC charger and a fast one.
DC40 = ChargerOption("DC40", 40.0, 20_000.0, frozenset({"N3"}))
DC150 = ChargerOption("DC150", 150.0, 70_000.0, frozenset({"N3"}))


def need(
    need_id: str,
    organisation: str = "ORG-A",
    energy: float = 100.0,
    vehicles: float = 1.0,
    max_kw: float = 50.0,
    dwell: tuple[str, str] = ("00:00", "00:00"),
    category: str = "N1",
    private_terrain: bool = False,
    share_willing: bool = False,
    nis_code: str = "24062",
) -> dict[str, Any]:
    """One row of the needs table."""
    return {
        "need_id": need_id,
        "organisation_id": organisation,
        "depot_id": f"DEP-{need_id}",
        "category": category,
        "energy_kwh_per_day": energy,
        "vehicles": vehicles,
        "max_kw_per_vehicle": max_kw,
        "dwell_start": dwell[0],
        "dwell_end": dwell[1],
        "nis_code": nis_code,
        "vervoerregio_code": "7",
        "share_willing": share_willing,
        "private_terrain": private_terrain,
    }


def site(
    site_id: str,
    tier: str = "public",
    owner: str = "",
    max_chargers: int = 10,
    existing: int = 0,
    max_power_kw: float = 1000.0,
    fixed_cost: float = 0.0,
    available: tuple[str, str] = ("00:00", "00:00"),
    shared: bool = True,
    node: str = "",
    nis_code: str = "24062",
) -> dict[str, Any]:
    """One row of the sites table."""
    return {
        "site_id": site_id,
        "name": f"site {site_id}",
        "tier": tier,
        "owner_organisation_id": owner,
        "nis_code": nis_code,
        "vervoerregio_code": "7",
        "grid_node_id": node,
        "max_chargers": max_chargers,
        "existing_chargers": existing,
        "max_power_kw": max_power_kw,
        "fixed_cost_eur": fixed_cost,
        "available_from": available[0],
        "available_to": available[1],
        "shared": shared,
    }


def pair(need_id: str, site_id: str, cost: float = 0.0, own: bool = False) -> dict[str, Any]:
    """One row of the pairs table."""
    return {
        "need_id": need_id,
        "site_id": site_id,
        "distance_km": 0.0,
        "access_cost_eur_per_kwh": cost,
        "own": own,
    }


def grid(
    nodes: Sequence[tuple[str, str]],
    headroom_kva: dict[str, float | Sequence[float]],
    slots: int = 24,
) -> GridInputs:
    """Grid of (node, parent) pairs; headroom per node, constant or per slot (NaN if absent)."""
    table = pd.DataFrame(
        {
            "node_id": [n for n, _ in nodes],
            "name": [f"node {n}" for n, _ in nodes],
            "level": ["mv_cabin" if p else "hv_mv_substation" for _, p in nodes],
            "parent_id": [p for _, p in nodes],
        }
    )[list(NODE_COLUMNS)]
    headroom = np.full((len(nodes), slots), np.nan)
    for row, (node, _) in enumerate(nodes):
        if node in headroom_kva:
            headroom[row] = headroom_kva[node]
    return GridInputs(table, headroom)


def micro_inputs(
    needs: Sequence[dict[str, Any]],
    sites: Sequence[dict[str, Any]],
    pairs: Sequence[dict[str, Any]] | None = None,
    chargers: Sequence[ChargerOption] = (DC50,),
    grid_inputs: GridInputs | None = None,
    slot_minutes: int = 60,
    built: BuiltCapacity | None = None,
    **settings: Any,
) -> PlanInputs:
    """Plan inputs of a micro case; every need–site pair exists unless ``pairs`` is given.

    ``settings`` override :class:`OptimisationSettings` (defaults: no ladder, no off-peak
    prices, MIP gap 0 so that "optimal" means optimal).
    """
    if pairs is None:
        pairs = [pair(n["need_id"], s["site_id"]) for n in needs for s in sites]
    base = OptimisationSettings(
        ladder_policy="none",
        offpeak_policy="none",
        mip_gap=0.0,
        energy_price_eur_per_kwh={"peak": 0.0, "offpeak": 0.0},
        unmet_penalty_eur_per_kwh=100.0,
    )
    n_slots = 24 * 60 // slot_minutes
    return PlanInputs(
        year=2030,
        needs=pd.DataFrame(list(needs)),
        sites=pd.DataFrame(list(sites)),
        pairs=pd.DataFrame(
            list(pairs),
            columns=["need_id", "site_id", "distance_km", "access_cost_eur_per_kwh", "own"],
        ),
        chargers=tuple(chargers),
        grid=grid_inputs or GridInputs.empty(n_slots),
        settings=replace(base, **settings),
        slot_minutes=slot_minutes,
        built=built or BuiltCapacity(),
    )


def solve_micro(inputs: PlanInputs) -> tuple[PlanProblem, PlanResult]:
    """Build and solve a micro case (HiGHS, the case's settings)."""
    problem = build_problem(inputs)
    return problem, solve(problem)


def energy_at(result: PlanResult, site_id: str, need_id: str | None = None) -> float:
    """Energy per day charged at a site (by one need), kWh."""
    rows = result.assignments[result.assignments["site_id"] == site_id]
    if need_id is not None:
        rows = rows[rows["need_id"] == need_id]
    return float(rows["energy_kwh_per_day"].sum())


def power_by_slot(result: PlanResult, site_id: str, slots: int = 24) -> np.ndarray:
    """Power per slot of a site, kW (zeros when it does not charge)."""
    rows = result.site_power[result.site_power["site_id"] == site_id]
    power = np.zeros(slots)
    power[rows["slot"].to_numpy(int)] = rows["power_kw"].to_numpy(float)
    return power
