"""Proposed hubs: new public candidate sites where unserved demand clusters.

:func:`propose_hubs` chooses up to ``n`` places greedily (maximum coverage): each time the depot
location that has the most not-yet-covered unserved energy within reach (straight line × detour
factor ≤ the public tier's detour limit), so that every need it counts could charge there.  The
hub takes the grid node with the most headroom within ``node_distance_km`` (else the nearest
node), is open all day (so it is available in every dwell window), and gets enough chargers for
what it covers.  Ties go to the first depot in the table: same input, same proposals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

import geography
from charging_sites.tiers import Tier

#: Prefix of a proposed site's id.
PROPOSAL_PREFIX = "PROPOSED-"
#: Hours a hub charger is counted as busy per day when sizing it.
CHARGER_HOURS_PER_DAY = 12.0


@dataclass(frozen=True)
class HubTemplate:
    """What a proposed hub is given besides its place.

    Attributes
    ----------
    charger_kw
        Power of the charger type the hub is sized for, kW.
    fixed_cost_eur
        Fixed cost of opening the hub (as ``fixed_cost_eur`` in ``sites.csv``).
    max_power_kw
        Connection cap of the hub, kW.
    min_chargers
        The fewest chargers a hub may hold.
    """

    charger_kw: float = 150.0
    fixed_cost_eur: float = 50_000.0
    max_power_kw: float = 2_000.0
    min_chargers: int = 4


def propose_hubs(
    demand: pd.DataFrame,
    n: int,
    reach_km: float,
    nodes: pd.DataFrame | None = None,
    template: HubTemplate | None = None,
    detour_factor: float = 1.3,
    node_distance_km: float = 2.0,
) -> pd.DataFrame:
    """Up to ``n`` hubs covering the most unserved energy, as rows of ``sites.csv``.

    Parameters
    ----------
    demand
        ``need_id``, ``lat``, ``lon``, ``unmet_kwh_per_day`` of the needs left unserved.
    n
        Hubs to propose at most.
    reach_km
        Detour limit of the hubs' tier (road estimate), km.
    nodes
        Grid nodes: ``node_id``, ``lat``, ``lon`` and ``headroom_kva`` (optional).
    template
        Charger power, costs and caps of a hub.
    detour_factor
        Road distance ÷ straight-line distance.
    node_distance_km
        How far a hub may be from the grid node it is connected to.

    Returns
    -------
    pandas.DataFrame
        The columns of ``sites.csv`` plus ``covered_needs`` and
        ``covered_unmet_kwh_per_day``; ``site_id`` is ``PROPOSED-1``, ``PROPOSED-2`` …
    """
    template = template or HubTemplate()
    located = demand.dropna(subset=["lat", "lon"]).reset_index(drop=True)
    located = located[located["unmet_kwh_per_day"] > 0].reset_index(drop=True)
    if located.empty or n <= 0:
        return _rows([], template)
    reach = _reach_matrix(located, reach_km, detour_factor)
    weight = located["unmet_kwh_per_day"].to_numpy(float)
    left = np.ones(len(located), dtype=bool)
    hubs = []
    for number in range(1, n + 1):
        covered_kwh = reach @ (weight * left)
        best = int(np.argmax(covered_kwh))
        if covered_kwh[best] <= 0:
            break
        members = reach[best] & left
        left &= ~members
        hubs.append(_hub(number, located.iloc[best], located[members], nodes, node_distance_km))
    return _rows(hubs, template)


def _reach_matrix(points: pd.DataFrame, reach_km: float, detour_factor: float) -> np.ndarray:
    lat = points["lat"].to_numpy(float)
    lon = points["lon"].to_numpy(float)
    km = geography.haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    within: np.ndarray = np.asarray(km) * detour_factor <= reach_km
    return within


def _hub(
    number: int,
    seed: pd.Series,
    members: pd.DataFrame,
    nodes: pd.DataFrame | None,
    node_distance_km: float,
) -> dict[str, object]:
    lat, lon = float(seed["lat"]), float(seed["lon"])
    nis = str(np.asarray(geography.nearest_municipality(np.array([lat]), np.array([lon])))[0])
    return {
        "number": number,
        "lat": lat,
        "lon": lon,
        "nis_code": nis,
        "grid_node_id": _grid_node(lat, lon, nodes, node_distance_km),
        "covered_needs": len(members),
        "covered_unmet_kwh_per_day": float(members["unmet_kwh_per_day"].sum()),
    }


def _grid_node(lat: float, lon: float, nodes: pd.DataFrame | None, within_km: float) -> str:
    """The node with most headroom within ``within_km``, else the nearest; ``""`` without."""
    if nodes is None or nodes.empty:
        return ""
    placed = nodes.dropna(subset=["lat", "lon"])
    if placed.empty:
        return ""
    km = np.asarray(
        geography.haversine_km(
            lat, lon, placed["lat"].to_numpy(float), placed["lon"].to_numpy(float)
        )
    )
    near = placed[km <= within_km]
    if not near.empty and "headroom_kva" in near and near["headroom_kva"].notna().any():
        headroom = near["headroom_kva"].astype(float).fillna(-np.inf).to_numpy()
        return str(near["node_id"].to_numpy()[int(np.argmax(headroom))])
    return str(placed.iloc[int(np.argmin(km))]["node_id"])


def _rows(hubs: list[dict[str, object]], template: HubTemplate) -> pd.DataFrame:
    rows = []
    for hub in hubs:
        energy = float(str(hub["covered_unmet_kwh_per_day"]))
        chargers = max(
            template.min_chargers, math.ceil(energy / (template.charger_kw * CHARGER_HOURS_PER_DAY))
        )
        rows.append(
            {
                "site_id": f"{PROPOSAL_PREFIX}{hub['number']}",
                "name": f"Proposed hub {hub['number']}",
                "tier": Tier.PUBLIC.value,
                "owner_organisation_id": "",
                "lat": hub["lat"],
                "lon": hub["lon"],
                "nis_code": hub["nis_code"],
                "grid_node_id": hub["grid_node_id"],
                "max_chargers": chargers,
                "existing_chargers": 0,
                "max_power_kw": template.max_power_kw,
                "fixed_cost_eur": template.fixed_cost_eur,
                "available_from": "00:00",
                "available_to": "00:00",
                "shared": True,
                "covered_needs": hub["covered_needs"],
                "covered_unmet_kwh_per_day": energy,
            }
        )
    columns = [
        "site_id", "name", "tier", "owner_organisation_id", "lat", "lon", "nis_code",
        "grid_node_id", "max_chargers", "existing_chargers", "max_power_kw", "fixed_cost_eur",
        "available_from", "available_to", "shared", "covered_needs", "covered_unmet_kwh_per_day",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)
