"""Synthetic organisations and their depots, placed near real municipalities."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from planner.generate.catalogue import DEPOT_WEIGHTS, SECTOR_NAMES, SECTOR_WEIGHTS, SECTORS
from planner.generate.places import (
    FloatArray,
    IntArray,
    distance_matrix_km,
    make_ids,
    scatter_around,
    weighted_choice,
)
from planner.generate.sizes import SiteSplit

#: Relative chance that a depot lies in a centrumstad, another ZES city, or elsewhere.
CENTRUMSTAD_WEIGHT = 6.0
ZES_CITY_WEIGHT = 3.0
#: Depots per organisation, on average.
DEPOTS_PER_ORGANISATION = 1.4
#: Share of the organisations willing to share their charging infrastructure.
SHARE_WILLING_SHARE = 0.35
#: A depot serves the nearest ZES city within this distance (km) with this probability …
NEAREST_ZES_KM = 40.0
NEAREST_ZES_PROBABILITY = 0.9
#: … and each other ZES city within this distance with this probability, at most three.
OTHER_ZES_KM = 25.0
OTHER_ZES_PROBABILITY = 0.3
MAX_ZES_CITIES = 3


def municipality_weights(municipalities: pd.DataFrame, zones: pd.DataFrame) -> FloatArray:
    """Relative chance of each municipality to host a depot or a business site."""
    weights = np.ones(len(municipalities))
    weights[municipalities["nis_code"].isin(zones["nis_code"]).to_numpy()] = ZES_CITY_WEIGHT
    weights[municipalities["is_centrumstad"].to_numpy()] = CENTRUMSTAD_WEIGHT
    return weights


def make_depots(
    rng: np.random.Generator, municipalities: pd.DataFrame, zones: pd.DataFrame, split: SiteSplit
) -> pd.DataFrame:
    """Return one row per depot with its organisation, place, terrain and the ZES it serves.

    Columns: ``depot_id``, ``organisation_id``, ``organisation_name``, ``sector``,
    ``sector_index``, ``nis_code``, ``municipality``, ``lat``, ``lon``, ``private_terrain``,
    ``share_willing``, ``zes_cities``.  Exactly ``split.private_sites`` depots have their own
    terrain.
    """
    organisation, sector = _organisations_of_depots(rng, split.depots)
    place = weighted_choice(rng, municipality_weights(municipalities, zones), split.depots)
    reach = municipalities["reach_km"].to_numpy()[place]
    lat, lon = scatter_around(
        rng,
        municipalities["lat"].to_numpy()[place],
        municipalities["lon"].to_numpy()[place],
        0.0,
        reach,
    )
    private = np.zeros(split.depots, dtype=bool)
    private[rng.choice(split.depots, size=split.private_sites, replace=False)] = True
    willing = rng.random(organisation.max() + 1) < SHARE_WILLING_SHARE
    depots = pd.DataFrame(
        {
            "depot_id": make_ids("SYN-DEP", split.depots),
            "organisation_id": make_ids("SYN-ORG", organisation.max() + 1)[organisation],
            "organisation_name": [
                f"Synthetic {SECTOR_NAMES[s]} {o + 1:04d}"
                for s, o in zip(sector, organisation, strict=True)
            ],
            "sector": np.array(SECTORS)[sector],
            "sector_index": sector,
            "nis_code": municipalities["nis_code"].to_numpy()[place],
            "municipality": municipalities["name_nl"].to_numpy()[place],
            "lat": lat.round(6),
            "lon": lon.round(6),
            "private_terrain": private,
            "share_willing": willing[organisation],
        }
    )
    depots["zes_cities"] = served_zes_cities(rng, lat, lon, municipalities, zones)
    return depots


def _organisations_of_depots(rng: np.random.Generator, n_depots: int) -> tuple[IntArray, IntArray]:
    """Organisation (0-based, in depot order) and sector index of every depot."""
    n_organisations = max(1, math.ceil(n_depots / DEPOTS_PER_ORGANISATION))
    sector_of_org = weighted_choice(rng, SECTOR_WEIGHTS, n_organisations)
    extra = weighted_choice(rng, DEPOT_WEIGHTS[sector_of_org], n_depots - n_organisations)
    organisation = np.sort(np.concatenate([np.arange(n_organisations), extra]))
    return organisation.astype(np.int64), sector_of_org[organisation]


def served_zes_cities(
    rng: np.random.Generator,
    lat: FloatArray,
    lon: FloatArray,
    municipalities: pd.DataFrame,
    zones: pd.DataFrame,
) -> list[str]:
    """Return the ZES cities each depot's vehicles serve: ``;``-joined NIS codes, nearest first."""
    cities = municipalities.set_index("nis_code").loc[zones["nis_code"]]
    codes = cities.index.to_numpy()
    distance = distance_matrix_km(lat, lon, cities["lat"].to_numpy(), cities["lon"].to_numpy())
    serves = (distance < OTHER_ZES_KM) & (rng.random(distance.shape) < OTHER_ZES_PROBABILITY)
    rows = np.arange(len(lat))
    nearest = distance.argmin(axis=1)
    serves[rows, nearest] = (distance[rows, nearest] < NEAREST_ZES_KM) & (
        rng.random(len(lat)) < NEAREST_ZES_PROBABILITY
    )
    order = np.argsort(np.where(serves, distance, np.inf), axis=1, kind="stable")
    count = np.minimum(serves.sum(axis=1), MAX_ZES_CITIES)
    return [";".join(codes[order[i, : count[i]]]) for i in rows]
