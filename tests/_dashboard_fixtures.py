"""Small inputs for the dashboard tests: hand-made demand, overlay and plan, a generated case."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from dashboards.plan_data import PlanOutputs
from dashboards.store import GridOverlay
from planner.cli import main as laadplan
from planner.demand.projection import project_demand
from planner.scenario import ProjectionSettings, Scenario
from tests._demand_fixtures import make_needs

#: Years of the hand-made projections and generated cases (kept short: fast tests).
FIRST_YEAR, LAST_YEAR = 2027, 2029

#: Three needs in two municipalities and two categories, electric (always zero-emission), with
#: the energy given: Leuven N1 ×2 at 50 kWh charging at night, Leuven N3 ×1 at 200 kWh by day,
#: Tienen N1 ×4 at 30 kWh at night. Hand totals per year: 7 ZE vehicles, 420 kWh per day.
HAND_NEEDS: tuple[dict[str, Any], ...] = (
    {
        "depot_id": "D-1",
        "vehicles": 2,
        "fuel": "electric",
        "euro_norm": "",
        "energy_kwh_per_day": 50.0,
    },
    {
        "depot_id": "D-1",
        "vehicle_category": "N3",
        "vehicles": 1,
        "fuel": "electric",
        "euro_norm": "",
        "energy_kwh_per_day": 200.0,
        "dwell_start": "09:00",
        "dwell_end": "15:00",
        "sector": "construction",
    },
    {
        "depot_id": "D-2",
        "organisation_id": "ORG-B",
        "nis_code": "24107",
        "lat": 50.807,
        "lon": 4.938,
        "vehicles": 4,
        "fuel": "electric",
        "euro_norm": "",
        "energy_kwh_per_day": 30.0,
    },
)


def hand_scenario(strategy: str = "spread") -> Scenario:
    """A scenario over the test years with the given charging strategy."""
    settings = ProjectionSettings(
        first_year=FIRST_YEAR, last_year=LAST_YEAR, charging_strategy=strategy
    )
    return Scenario(name="test", projection=settings)


def hand_zones() -> pd.Series:
    """Leuven (24062) and Tienen (24107) with a ZES from 2027."""
    return pd.Series({"24062": 2027, "24107": 2027}, name="zes_start_year")


def hand_demand(strategy: str = "spread") -> xr.Dataset:
    """The projection of :data:`HAND_NEEDS`."""
    return project_demand(make_needs(*HAND_NEEDS), hand_zones(), hand_scenario(strategy))


def hand_overlay() -> GridOverlay:
    """Three nodes, two slots, two years: C1 short in slot 1 of 2028; C2 below k; S1 idle."""
    demand = np.array(
        [[[10.0, 50.0], [20.0, 90.0]], [[5.0, 5.0], [5.0, 5.0]], [[0.0, 0.0], [0.0, 0.0]]]
    )
    headroom = np.array([[100.0, 80.0], [40.0, 40.0], [500.0, 500.0]])
    node_load = xr.Dataset(
        {
            "demand_kw": (("node", "year", "slot"), demand),
            "headroom_kw": (("node", "slot"), headroom),
            "shortfall_kw": (
                ("node", "year", "slot"),
                np.maximum(demand - headroom[:, None, :], 0),
            ),
            "disclosed": (("node", "year"), np.array([[1, 1], [0, 0], [1, 1]], dtype=np.int8)),
        },
        coords={
            "node": ["C1", "C2", "S1"],
            "name": ("node", ["Cabin 1", "Cabin 2", "Substation 1"]),
            "level": ("node", ["mv_cabin", "mv_cabin", "hv_mv_substation"]),
            "lat": ("node", [50.88, 50.81, 50.85]),
            "lon": ("node", [4.70, 4.94, 4.80]),
            "year": [2027, 2028],
            "slot": [0, 1],
            "slot_start": ("slot", ["00:00", "12:00"]),
        },
    )
    congestion = pd.DataFrame(
        {"node_id": ["C1"], "year": [2028], "slot": ["12:00"], "demand_kw": [90.0],
         "headroom_kw": [80.0], "shortfall_kw": [10.0], "offpeak": [False]}
    )  # fmt: skip
    requests = pd.DataFrame(
        {"node_id": ["C1", ""], "name": ["Cabin 1", ""], "level": ["mv_cabin", ""],
         "lat": [50.88, np.nan], "lon": [4.70, np.nan], "year": [2028, 2028],
         "extra_capacity_kva": [10.5, 4.0], "disclosure": ["own", "suppressed"]}
    )  # fmt: skip
    return GridOverlay(node_load, congestion, requests, "test")


def hand_plan(label: str = "hand") -> PlanOutputs:
    """A plan of two years: private and public sites, one reinforcement, one unmet need."""
    years = [2027, 2027, 2028, 2028, 2028]
    tiers = ["private", "public", "private", "public", "semi_public"]
    site_ids = ["P1", "PUB1", "P1", "PUB1", "SEMI1"]
    sites = pd.DataFrame(
        {
            "site_id": site_ids,
            "name": ["Depot", "Square", "Depot", "Square", "Park"],
            "tier": tiers,
            "nis_code": ["24062", "24062", "24062", "24062", "24107"],
            "vervoerregio_code": [7] * 5,
            "chargers": [2, 1, 3, 2, 4],
            "organisations": [1, 2, 1, 3, 2],
            "utilisation": [0.5, 0.2, 0.6, 0.3, 0.1],
            "year": years,
        }
    )
    assignments = pd.DataFrame(
        {
            "need_id": ["N-1", "N-2", "N-1", "N-2", "N-3"],
            "site_id": site_ids,
            "tier": tiers,
            "energy_kwh_per_day": [100.0, 200.0, 100.0, 150.0, 50.0],
            "year": years,
        }
    )
    reinforcement = pd.DataFrame(
        {
            "node_id": ["C1"],
            "name": ["Cabin 1"],
            "new_kva": [20.0],
            "total_kva": [20.0],
            "year": [2028],
        }
    )
    unmet = pd.DataFrame(
        {"need_id": ["N-3"], "nis_code": ["24107"], "category": ["N1"], "unmet_kwh_per_day": [70.0],
         "reason": ["no site within reach"], "year": [2028]}
    )  # fmt: skip
    summaries = {
        year: {
            "year": year,
            "status": "optimal",
            "message": "ok",
            "objective_eur": cost,
            "unmet_kwh_per_day": unmet_kwh,
            "energy_kwh_per_day_by_tier": tiers,
            "energy_share_by_tier": {k: v / sum(tiers.values()) for k, v in tiers.items()},
            "costs_eur_per_year": {"sites_eur": cost / 2, "energy_eur": cost / 2},
            "chargers": chargers,
        }
        for year, cost, unmet_kwh, tiers, chargers in (
            (2027, 1000.0, 0.0, {"private": 100.0, "semi_public": 0.0, "public": 200.0}, 3),
            (2028, 1500.0, 70.0, {"private": 100.0, "semi_public": 50.0, "public": 150.0}, 9),
        )
    }
    return PlanOutputs(
        summaries, sites, assignments, reinforcement, unmet, label, {"ladder_policy": "none"}
    )


def generate_case(folder: Path, needs: int = 40, sites: int = 20) -> Path:
    """A small synthetic case (Leuven) over :data:`FIRST_YEAR`–:data:`LAST_YEAR`."""
    arguments = [
        "-q", "generate", "--region", "Leuven", "--seed", "3", "--needs", str(needs),
        "--sites", str(sites), "--substations", "2", "--cabins", "20", "--out", str(folder),
        "--force",
    ]  # fmt: skip
    with contextlib.redirect_stdout(io.StringIO()):
        assert laadplan(arguments) == 0
    scenario = folder / "scenario.toml"
    text = re.sub(r"(?m)^last_year = \d+", f"last_year = {LAST_YEAR}", scenario.read_text("utf-8"))
    scenario.write_text(text, "utf-8")
    return folder


def run_case(folder: Path, out: Path) -> Path:
    """``laadplan run`` on a case (demand and grid overlay into ``out``)."""
    with contextlib.redirect_stdout(io.StringIO()):
        assert laadplan(["-q", "run", "--data", str(folder), "--out", str(out)]) == 0
    return out


def break_needs(source: Path, target: Path) -> list[int]:
    """Copy a needs file with two bad rows; return their file line numbers."""
    table = pd.read_csv(source, dtype=str, keep_default_na=False)
    table.loc[1, "vehicle_category"] = "N2h"
    table.loc[4, "daily_km"] = "2000"
    table.to_csv(target, index=False)
    return [3, 6]
