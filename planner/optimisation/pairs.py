"""Which need may charge at which site, and what driving there costs.

Only pairs that can exist get variables in the model.  A need may charge at:

* **its own depot's site**: a ``private`` site of its organisation within
  :data:`OWN_SITE_KM` of the depot, when the need has ``private_terrain``; no access cost;
* **another private site of its organisation** within ``detour_km_max.private``;
* **another organisation's private site** within ``detour_km_max.private`` when ``sharing``
  is on, the site is ``shared`` and its owner is share-willing.  The owner is share-willing
  when any of the owner's needs says ``share_willing``; an owner without needs in the table
  has only the site's ``shared`` flag to speak for it, which then decides;
* **a semi-public or public site** within ``detour_km_max`` of its tier.

Of the sites of a tier other than the need's own, only the ``max_sites_per_tier`` nearest are
kept (farther ones cost more to reach and are rarely chosen; the limit keeps the model small).

Distance is the road distance when given (``distances``, e.g. from a road graph), else the
straight line × ``detour_factor``.  Access cost per kWh = a round trip of that distance per
vehicle and working day × ``access_cost_eur_per_km`` ÷ the vehicle's daily energy.  A pair
listed in ``access_cost.csv`` exists whatever its distance (when its tier rule allows it) and
takes the listed ``cost_eur_per_kwh``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from charging_sites import Tier
from geography import haversine_km
from planner.scenario import OptimisationSettings

#: A private site of the need's organisation this close to the depot is the depot's own site.
OWN_SITE_KM = 0.25
#: Needs compared with all sites at once when computing straight-line distances.
_CHUNK = 2000


def straight_distances(
    needs: pd.DataFrame, sites: pd.DataFrame, settings: OptimisationSettings
) -> pd.DataFrame:
    """Need–site pairs within reach by straight line × detour factor.

    Parameters
    ----------
    needs
        ``need_id``, ``lat``, ``lon``.
    sites
        ``site_id``, ``tier``, ``lat``, ``lon``.
    settings
        ``detour_factor`` and ``detour_km_max`` per tier are used.

    Returns
    -------
    pandas.DataFrame
        ``need_id``, ``site_id``, ``distance_km`` (road estimate) for every pair within the
        tier's maximum detour, or within :data:`OWN_SITE_KM` in a straight line.
    """
    reach = sites["tier"].map(settings.detour_km_max).fillna(0.0).to_numpy(dtype=np.float64)
    site_lat = sites["lat"].to_numpy(dtype=np.float64)
    site_lon = sites["lon"].to_numpy(dtype=np.float64)
    lat = needs["lat"].to_numpy(dtype=np.float64)
    lon = needs["lon"].to_numpy(dtype=np.float64)
    frames = []
    for start in range(0, len(needs), _CHUNK):
        stop = min(start + _CHUNK, len(needs))
        km = haversine_km(lat[start:stop, None], lon[start:stop, None], site_lat, site_lon)
        road_km = km * settings.detour_factor
        rows, cols = np.nonzero((road_km <= reach) | (km <= OWN_SITE_KM))
        frames.append(
            pd.DataFrame(
                {
                    "need_id": needs["need_id"].to_numpy()[start + rows],
                    "site_id": sites["site_id"].to_numpy()[cols],
                    "distance_km": road_km[rows, cols],
                }
            )
        )
    return _concat(frames, ["need_id", "site_id", "distance_km"])


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame(
            {c: pd.Series(dtype="float64" if c == "distance_km" else "str") for c in columns}
        )
    return pd.concat(frames, ignore_index=True)


def share_willing_owners(needs: pd.DataFrame) -> dict[str, bool]:
    """Whether each organisation with needs is share-willing (any of its needs says so)."""
    willing = needs.groupby("organisation_id")["share_willing"].any()
    return {str(org): bool(flag) for org, flag in willing.items()}


def make_pairs(
    needs: pd.DataFrame,
    sites: pd.DataFrame,
    settings: OptimisationSettings,
    distances: pd.DataFrame | None = None,
    access_cost: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The need–site pairs that may exist, with distance and access cost.

    Parameters
    ----------
    needs
        ``need_id``, ``organisation_id``, ``lat``, ``lon``, ``private_terrain``,
        ``share_willing``, ``energy_per_vehicle_kwh_per_day``.
    sites
        ``site_id``, ``tier``, ``owner_organisation_id``, ``lat``, ``lon``, ``shared``.
    settings
        The ``[optimisation]`` settings.
    distances
        Road distances (``need_id``, ``site_id``, ``distance_km``) of the pairs in reach; by
        default straight line × detour factor (:func:`straight_distances`).
    access_cost
        Optional ``need_id``, ``site_id``, ``cost_eur_per_kwh`` overriding the cost.

    Returns
    -------
    pandas.DataFrame
        ``need_id``, ``site_id``, ``distance_km``, ``access_cost_eur_per_kwh``, ``own``.
    """
    candidates = distances if distances is not None else straight_distances(needs, sites, settings)
    candidates = _with_straight_km(candidates, needs, sites)
    if access_cost is not None and not access_cost.empty:
        listed = access_cost[["need_id", "site_id"]].assign(listed=True)
        candidates = candidates.merge(listed, on=["need_id", "site_id"], how="outer")
        candidates = _with_straight_km(candidates.drop(columns="straight_km"), needs, sites)
    else:
        candidates = candidates.assign(listed=False)
    frame = _attach(candidates, needs, sites)
    frame = frame[_allowed(frame, needs, settings)].copy()
    frame["own"] = _is_own(frame)
    frame = frame[_nearest(frame, settings.max_sites_per_tier)]
    frame["distance_km"] = frame["distance_km"].where(~frame["own"], 0.0)
    frame["access_cost_eur_per_kwh"] = _access_cost(frame, settings, access_cost)
    columns = ["need_id", "site_id", "distance_km", "access_cost_eur_per_kwh", "own"]
    return frame[columns].sort_values(["need_id", "site_id"], ignore_index=True)


def _with_straight_km(
    pairs: pd.DataFrame, needs: pd.DataFrame, sites: pd.DataFrame
) -> pd.DataFrame:
    need_pos = pd.Index(needs["need_id"]).get_indexer(pairs["need_id"])
    site_pos = pd.Index(sites["site_id"]).get_indexer(pairs["site_id"])
    km = haversine_km(
        needs["lat"].to_numpy(dtype=np.float64)[need_pos],
        needs["lon"].to_numpy(dtype=np.float64)[need_pos],
        sites["lat"].to_numpy(dtype=np.float64)[site_pos],
        sites["lon"].to_numpy(dtype=np.float64)[site_pos],
    )
    return pairs.assign(straight_km=km)


def _attach(pairs: pd.DataFrame, needs: pd.DataFrame, sites: pd.DataFrame) -> pd.DataFrame:
    need_cols = ["need_id", "organisation_id", "private_terrain", "energy_per_vehicle_kwh_per_day"]
    site_cols = ["site_id", "tier", "owner_organisation_id", "shared"]
    frame = pairs.merge(needs[need_cols], on="need_id").merge(sites[site_cols], on="site_id")
    frame["listed"] = frame["listed"].fillna(False).astype(bool)
    return frame


def _is_own(frame: pd.DataFrame) -> pd.Series:
    same = frame["organisation_id"] == frame["owner_organisation_id"]
    at_depot = frame["straight_km"].fillna(np.inf) <= OWN_SITE_KM
    return (frame["tier"] == Tier.PRIVATE) & same & at_depot


def _allowed(frame: pd.DataFrame, needs: pd.DataFrame, settings: OptimisationSettings) -> pd.Series:
    reach = frame["tier"].map(settings.detour_km_max).fillna(0.0)
    in_reach = (frame["distance_km"] <= reach) | frame["listed"]
    private = frame["tier"] == Tier.PRIVATE
    same_org = frame["organisation_id"] == frame["owner_organisation_id"]
    own = _is_own(frame)
    own_ok = own & frame["private_terrain"]
    other_own_org = same_org & ~own & in_reach
    willing = share_willing_owners(needs)
    owner_willing = frame["owner_organisation_id"].map(willing)
    owner_willing = owner_willing.where(owner_willing.notna(), frame["shared"]).astype(bool)
    shared_ok = settings.sharing & frame["shared"].astype(bool) & owner_willing & in_reach
    private_ok = own_ok | other_own_org | (~same_org & shared_ok)
    return (private & private_ok) | (~private & in_reach)


def _nearest(frame: pd.DataFrame, limit: int) -> pd.Series:
    """Keep at most ``limit`` sites per need and tier, nearest first.

    The need's own site and pairs listed in ``access_cost.csv`` are always kept; 0 keeps all.
    """
    if limit <= 0:
        return pd.Series(True, index=frame.index)
    kept = frame["own"] | frame["listed"]
    ranked = frame[~kept].sort_values(["distance_km", "site_id"], kind="stable")
    rank = ranked.groupby(["need_id", "tier"], sort=False).cumcount()
    return kept | rank.reindex(frame.index, fill_value=0).lt(limit)


def _access_cost(
    frame: pd.DataFrame, settings: OptimisationSettings, access_cost: pd.DataFrame | None
) -> pd.Series:
    per_vehicle = frame["energy_per_vehicle_kwh_per_day"].astype(float)
    trip_eur = 2.0 * frame["distance_km"].fillna(0.0) * settings.access_cost_eur_per_km
    cost = (trip_eur / per_vehicle.where(per_vehicle > 0)).fillna(0.0)
    cost = cost.where(~frame["own"], 0.0)
    if access_cost is None or access_cost.empty:
        return cost
    keyed = access_cost.set_index(["need_id", "site_id"])["cost_eur_per_kwh"]
    given = pd.MultiIndex.from_frame(frame[["need_id", "site_id"]]).map(keyed.to_dict())
    listed = pd.Series(given, index=frame.index, dtype="float64")
    return listed.where(listed.notna(), cost)
