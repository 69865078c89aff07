"""A synthetic medium-voltage grid: substations feeding cabins, with hourly base-load profiles.

Cabins are placed near the candidate sites (so sites can be tied to a cabin) and elsewhere in
the region; each is fed from its nearest substation.  Most cabins follow a residential profile
that peaks in the evening (17–20 h) and is low at night; some are congested at the evening
peak while the night leaves room.  Cabins at business parks follow a daytime profile.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from grid_data.schema import DEFAULT_STATUS_THRESHOLDS, GRID_FILE_COLUMNS
from planner.generate.places import (
    FloatArray,
    make_ids,
    nearest_km,
    scatter_around,
    weighted_choice,
)

PROFILE_COLUMNS = ["node_id", "slot", "load_kva"]
AS_OF = "2026-01-01"
SUBSTATION = "hv_mv_substation"
CABIN = "mv_cabin"
#: Base load per hour of the day as a share of the daily peak.
RESIDENTIAL_SHAPE = np.array(
    [0.45, 0.40, 0.37, 0.35, 0.35, 0.38, 0.50, 0.62, 0.65, 0.62, 0.60, 0.62,
     0.64, 0.62, 0.60, 0.63, 0.72, 0.88, 1.00, 0.98, 0.90, 0.78, 0.64, 0.52]
)  # fmt: skip
COMMERCIAL_SHAPE = np.array(
    [0.30, 0.28, 0.27, 0.27, 0.28, 0.32, 0.45, 0.70, 0.90, 0.97, 1.00, 0.98,
     0.95, 0.98, 0.97, 0.92, 0.85, 0.70, 0.55, 0.45, 0.40, 0.36, 0.33, 0.31]
)  # fmt: skip
SHAPE_NOISE = 0.03
#: Transformer ratings of cabins, kVA.
CABIN_RATINGS_KVA = np.array([400, 630, 800, 1000, 1250, 1600])
#: Substation firm capacity, MVA (drawn uniformly, whole MVA).
SUBSTATION_FIRM_MVA = (20, 60)
#: Utilisation classes (peak ÷ firm): probability, low, high.
RESIDENTIAL_UTILISATION = np.array([[0.15, 0.95, 1.08], [0.2, 0.78, 0.95], [0.65, 0.30, 0.78]])
COMMERCIAL_UTILISATION = np.array([[0.1, 0.92, 1.02], [0.9, 0.30, 0.85]])
SUBSTATION_UTILISATION = np.array([[0.1, 0.92, 1.02], [0.2, 0.80, 0.92], [0.7, 0.45, 0.80]])
#: Share of the cabins placed next to a candidate site, and their distance from it (km).
CABINS_AT_SITES_SHARE = 0.7
CABIN_SITE_KM = (0.05, 0.4)
#: Share of the cabins away from business sites that feed mainly offices and shops.
OTHER_COMMERCIAL_SHARE = 0.25


def make_grid(
    rng: np.random.Generator,
    municipalities: pd.DataFrame,
    sites: pd.DataFrame,
    business_site: npt.NDArray[np.bool_],
    counts: tuple[int, int],
    source: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``grid.csv`` (substations, then cabins) and the hourly base-load profiles.

    Parameters
    ----------
    rng
        The case's random generator.
    municipalities
        The region's municipalities (with ``reach_km``).
    sites
        Candidate sites (``lat``, ``lon``); cabins are placed next to many of them.
    business_site
        Per site, whether it is a business site (its cabin follows a daytime profile).
    counts
        Number of substations and of cabins.
    source
        Text of the ``source`` column.
    """
    n_substations, n_cabins = counts
    substations = _place_substations(rng, municipalities, n_substations)
    cabins, commercial = _place_cabins(rng, municipalities, sites, business_site, n_cabins)
    parent, _ = nearest_km(
        cabins["lat"].to_numpy(), cabins["lon"].to_numpy(),
        substations["lat"].to_numpy(), substations["lon"].to_numpy(),
    )  # fmt: skip
    cabins["parent_id"] = substations["node_id"].to_numpy()[parent]
    station_firm = 1000.0 * rng.integers(*SUBSTATION_FIRM_MVA, n_substations, endpoint=True)
    station_peak = station_firm * _utilisation(rng, SUBSTATION_UTILISATION, n_substations)
    cabin_firm = rng.choice(CABIN_RATINGS_KVA, n_cabins).astype(float)
    share, commercial = _cabin_utilisation(rng, commercial)
    loads = _profiles(
        rng,
        _shapes(n_substations, commercial),
        np.concatenate([station_peak, cabin_firm * share]),
    )
    nodes = pd.concat([substations, cabins], ignore_index=True)
    grid = _with_capacity(nodes, np.concatenate([station_firm, cabin_firm]), loads, source)
    return grid, profile_table(grid["node_id"].to_numpy(), loads)


def _shapes(n_substations: int, commercial: npt.NDArray[np.bool_]) -> FloatArray:
    """Daily shape per node: substations mixed, cabins residential or commercial."""
    mixed = 0.6 * RESIDENTIAL_SHAPE + 0.4 * COMMERCIAL_SHAPE
    cabins = np.where(commercial[:, None], COMMERCIAL_SHAPE, RESIDENTIAL_SHAPE)
    return np.vstack([np.tile(mixed, (n_substations, 1)), cabins])


def _place_substations(
    rng: np.random.Generator, municipalities: pd.DataFrame, count: int
) -> pd.DataFrame:
    weights = np.where(municipalities["is_centrumstad"].to_numpy(), 4.0, 1.0)
    if count <= len(municipalities):
        town = rng.choice(len(municipalities), size=count, replace=False, p=weights / weights.sum())
    else:
        extra = weighted_choice(rng, weights, count - len(municipalities))
        town = np.concatenate([np.arange(len(municipalities)), extra])
    place = municipalities.iloc[np.sort(town)].reset_index(drop=True)
    reach = place["reach_km"].to_numpy()
    lat, lon = scatter_around(
        rng, place["lat"].to_numpy(), place["lon"].to_numpy(), 0.2 * reach, 0.9 * reach
    )
    return pd.DataFrame(
        {
            "node_id": make_ids("SYN-SS", count),
            "name": _numbered("Synthetic substation ", place["name_nl"]),
            "level": SUBSTATION,
            "parent_id": "",
            "lat": lat.round(6),
            "lon": lon.round(6),
        }
    )


def _place_cabins(
    rng: np.random.Generator,
    municipalities: pd.DataFrame,
    sites: pd.DataFrame,
    business_site: npt.NDArray[np.bool_],
    count: int,
) -> tuple[pd.DataFrame, npt.NDArray[np.bool_]]:
    """Cabins next to sites (business sites first) and spread over the towns; commercial flags."""
    at_sites = min(count, round(CABINS_AT_SITES_SHARE * count), len(sites))
    order = np.lexsort((rng.random(len(sites)), ~business_site))[:at_sites]
    town = weighted_choice(rng, np.ones(len(municipalities)), count - at_sites)
    reach = municipalities["reach_km"].to_numpy()[town]
    anchor_lat = np.concatenate(
        [sites["lat"].to_numpy()[order], municipalities["lat"].to_numpy()[town]]
    )
    anchor_lon = np.concatenate(
        [sites["lon"].to_numpy()[order], municipalities["lon"].to_numpy()[town]]
    )
    low = np.concatenate([np.full(at_sites, CABIN_SITE_KM[0]), np.zeros(town.size)])
    high = np.concatenate([np.full(at_sites, CABIN_SITE_KM[1]), reach])
    lat, lon = scatter_around(rng, anchor_lat, anchor_lon, low, high)
    commercial = np.concatenate(
        [business_site[order], rng.random(town.size) < OTHER_COMMERCIAL_SHARE]
    )
    nearest_town, _ = nearest_km(
        lat, lon, municipalities["lat"].to_numpy(), municipalities["lon"].to_numpy()
    )
    cabins = pd.DataFrame(
        {
            "node_id": make_ids("SYN-CAB", count),
            "name": _numbered("Synthetic cabin ", municipalities["name_nl"].iloc[nearest_town]),
            "level": CABIN,
            "lat": lat.round(6),
            "lon": lon.round(6),
        }
    )
    return cabins, commercial.astype(bool)


def _numbered(prefix: str, towns: pd.Series) -> list[str]:
    """``prefix + town + running number`` (the number per town, from 1)."""
    number = towns.groupby(towns.to_numpy()).cumcount().to_numpy() + 1
    return [f"{prefix}{town} {n}" for town, n in zip(towns, number, strict=True)]


def _utilisation(rng: np.random.Generator, classes: FloatArray, count: int) -> FloatArray:
    """Peak ÷ firm capacity drawn from utilisation classes (probability, low, high)."""
    chosen = weighted_choice(rng, classes[:, 0], count)
    share: FloatArray = rng.uniform(classes[chosen, 1], classes[chosen, 2])
    return share


def _cabin_utilisation(
    rng: np.random.Generator, commercial: npt.NDArray[np.bool_]
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Return peak ÷ firm per cabin and the commercial flags (one residential one congested)."""
    residential = _utilisation(rng, RESIDENTIAL_UTILISATION, commercial.size)
    business = _utilisation(rng, COMMERCIAL_UTILISATION, commercial.size)
    share = np.where(commercial, business, residential)
    commercial = commercial.copy()
    if not np.any(~commercial & (share >= RESIDENTIAL_UTILISATION[0, 1])):
        commercial[0] = False
        share[0] = RESIDENTIAL_UTILISATION[0, 1:].mean()
    return share, commercial


def _profiles(rng: np.random.Generator, shapes: FloatArray, peak_kva: FloatArray) -> FloatArray:
    """Hourly base load (kVA) per node: a noisy shape scaled so that its maximum is the peak."""
    noisy = shapes * (1.0 + rng.normal(0.0, SHAPE_NOISE, shapes.shape))
    noisy /= noisy.max(axis=1, keepdims=True)
    return np.round(noisy * peak_kva[:, None], 1)


def _with_capacity(
    nodes: pd.DataFrame, firm_kva: FloatArray, loads: FloatArray, source: str
) -> pd.DataFrame:
    peak = loads.max(axis=1)
    headroom = np.round(firm_kva - peak, 1)
    status = status_of(headroom, firm_kva)
    grid = nodes.assign(
        firm_capacity_kva=firm_kva.astype(np.int64),
        peak_load_kva=peak,
        headroom_kva=headroom,
        status=status,
        as_of=AS_OF,
        source=source,
    )
    return grid[list(GRID_FILE_COLUMNS)]


def status_of(headroom_kva: FloatArray, firm_kva: FloatArray) -> npt.NDArray[np.str_]:
    """Return the status per node by the grid reader's thresholds on headroom ÷ firm capacity.

    Examples
    --------
    >>> status_of(np.array([300.0, 100.0, 10.0, -5.0]), np.full(4, 1000.0)).tolist()
    ['green', 'orange', 'red', 'red']
    """
    share = headroom_kva / firm_kva
    green = share >= DEFAULT_STATUS_THRESHOLDS["green_min_share"]
    orange = (share >= DEFAULT_STATUS_THRESHOLDS["orange_min_share"]) & (headroom_kva > 0)
    status: npt.NDArray[np.str_] = np.select([green, orange], ["green", "orange"], "red")
    return status


def profile_table(node_ids: npt.NDArray[np.object_], loads: FloatArray) -> pd.DataFrame:
    """Long table ``node_id, slot, load_kva`` (slot = start of the hour, ``HH:MM``)."""
    hours = loads.shape[1]
    starts = np.array([f"{hour:02d}:00" for hour in range(hours)], dtype=object)
    return pd.DataFrame(
        {
            "node_id": np.repeat(node_ids, hours),
            "slot": np.tile(starts, len(node_ids)),
            "load_kva": loads.ravel(),
        }
    )


def cabin_status_counts(grid: pd.DataFrame) -> dict[str, int]:
    """Count the cabins per status, for the command's summary."""
    cabins = grid[grid["level"] == CABIN]
    return {str(k): int(v) for k, v in cabins["status"].value_counts().sort_index().items()}
