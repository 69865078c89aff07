"""Real places for synthetic data: the municipalities of a region and points scattered near them.

Every point is drawn around an anchor (a municipality's representative point, a site, a
depot) and redrawn closer to its anchor until it lies in Flanders.  Points drawn around a
municipality stay within its *reach*: less than half the distance to the nearest other
municipality's representative point, so that the municipality a point is given is also the
nearest one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

import geography

LOGGER = logging.getLogger("laadplan")

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: The region value that covers all of Flanders.
ALL_REGIONS = "all"
#: Kilometres per degree of latitude.
KM_PER_DEGREE = 111.195
#: Largest distance of a depot or site from its municipality's representative point, km.
MAX_REACH_KM = 3.0
#: Share of the distance to the nearest other municipality a point may lie from its own.
REACH_SHARE = 0.45
#: How many times a point outside Flanders is redrawn (each time closer to its anchor).
REDRAW_ATTEMPTS = 12


@dataclass(frozen=True)
class RegionGeography:
    """The municipalities a case covers.

    Attributes
    ----------
    label
        ``"Leuven"`` for a vervoerregio, ``"Flanders"`` for all of them.
    municipalities
        One row per municipality: ``nis_code``, ``name_nl``, ``vervoerregio_code``,
        ``vervoerregio_name``, ``is_centrumstad`` (bool), ``lat``, ``lon`` and ``reach_km``.
    """

    label: str
    municipalities: pd.DataFrame

    @property
    def is_all(self) -> bool:
        """Whether the case covers all of Flanders."""
        return self.label == "Flanders"


def read_region(region: str) -> RegionGeography:
    """Return the municipalities of a vervoerregio, or of Flanders for ``"all"``.

    Raises
    ------
    LaadplanError
        The geography error (with a did-you-mean) when the region is unknown.
    """
    everything = geography.municipalities()
    if region.strip().lower() == ALL_REGIONS:
        chosen, label = everything, "Flanders"
    else:
        code = geography.resolve_vervoerregio(region)
        chosen = geography.municipalities_of(code)
        label = str(chosen["vervoerregio_name"].iloc[0])
    table = _tidy(chosen)
    _warn_points_outside(table)
    reach = _reach_km(table, _tidy(everything))
    return RegionGeography(label=label, municipalities=table.assign(reach_km=reach))


def _warn_points_outside(table: pd.DataFrame) -> None:
    """Log municipalities whose point lies outside Flanders (points placed there may too)."""
    inside = geography.points_in_flanders(table["lat"].to_numpy(), table["lon"].to_numpy())
    for name in table.loc[~np.asarray(inside, dtype=bool), "name_nl"]:
        LOGGER.warning("the representative point of %s lies outside Flanders", name)


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    columns = ["nis_code", "name_nl", "vervoerregio_code", "vervoerregio_name", "lat", "lon"]
    table = frame[columns].copy()
    table["nis_code"] = table["nis_code"].astype(str).str.zfill(5)
    table["vervoerregio_code"] = table["vervoerregio_code"].astype(int)
    table["is_centrumstad"] = frame["is_centrumstad"].astype(bool).to_numpy()
    table["lat"] = table["lat"].astype(float)
    table["lon"] = table["lon"].astype(float)
    return table.sort_values("nis_code").reset_index(drop=True)


def _reach_km(table: pd.DataFrame, everything: pd.DataFrame) -> FloatArray:
    """Distance a point may lie from each municipality's point and still be nearest to it."""
    lat, lon = table["lat"].to_numpy(), table["lon"].to_numpy()
    distance = distance_matrix_km(
        lat, lon, everything["lat"].to_numpy(), everything["lon"].to_numpy()
    )
    distance[distance < 1e-9] = np.inf  # the municipality itself
    reach: FloatArray = np.minimum(MAX_REACH_KM, REACH_SHARE * distance.min(axis=1))
    return reach


def distance_matrix_km(
    lat_a: FloatArray, lon_a: FloatArray, lat_b: FloatArray, lon_b: FloatArray
) -> FloatArray:
    """Great-circle distances between every point of ``a`` and every point of ``b``, km."""
    return np.asarray(
        geography.haversine_km(lat_a[:, None], lon_a[:, None], lat_b[None, :], lon_b[None, :]),
        dtype=np.float64,
    )


def nearest_km(
    lat_a: FloatArray, lon_a: FloatArray, lat_b: FloatArray, lon_b: FloatArray, chunk: int = 512
) -> tuple[IntArray, FloatArray]:
    """Index of the nearest point of ``b`` for every point of ``a``, and its distance in km.

    The distance matrix is built in chunks of ``chunk`` rows to keep memory small.
    """
    index = np.zeros(len(lat_a), dtype=np.int64)
    distance = np.zeros(len(lat_a), dtype=np.float64)
    for start in range(0, len(lat_a), chunk):
        part = slice(start, start + chunk)
        matrix = distance_matrix_km(lat_a[part], lon_a[part], lat_b, lon_b)
        index[part] = matrix.argmin(axis=1)
        distance[part] = matrix[np.arange(matrix.shape[0]), index[part]]
    return index, distance


def scatter_around(
    rng: np.random.Generator,
    lat: FloatArray,
    lon: FloatArray,
    min_km: FloatArray | float,
    max_km: FloatArray | float,
) -> tuple[FloatArray, FloatArray]:
    """Draw one point per anchor at a distance between ``min_km`` and ``max_km`` from it.

    Points outside Flanders are redrawn, each attempt closer to the anchor; a point still
    outside after :data:`REDRAW_ATTEMPTS` attempts is put on its anchor.
    """
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    low = np.broadcast_to(np.asarray(min_km, dtype=np.float64), lat.shape)
    high = np.broadcast_to(np.asarray(max_km, dtype=np.float64), lat.shape)
    out_lat, out_lon = lat.copy(), lon.copy()
    todo = np.arange(len(lat))
    for attempt in range(REDRAW_ATTEMPTS):
        shrink = 1.0 - attempt / REDRAW_ATTEMPTS
        new_lat, new_lon = _offset(
            rng, lat[todo], lon[todo], low[todo] * shrink, high[todo] * shrink
        )
        inside = np.asarray(geography.points_in_flanders(new_lat, new_lon), dtype=bool)
        out_lat[todo[inside]], out_lon[todo[inside]] = new_lat[inside], new_lon[inside]
        todo = todo[~inside]
        if todo.size == 0:
            break
    return out_lat, out_lon


def _offset(
    rng: np.random.Generator, lat: FloatArray, lon: FloatArray, low: FloatArray, high: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Move points a random distance (uniform over the ring's area) in a random direction."""
    fraction = rng.random(lat.size)
    radius_km = np.sqrt(low**2 + fraction * (high**2 - low**2))
    angle = rng.uniform(0.0, 2.0 * np.pi, lat.size)
    new_lat = lat + radius_km * np.cos(angle) / KM_PER_DEGREE
    new_lon = lon + radius_km * np.sin(angle) / (KM_PER_DEGREE * np.cos(np.radians(lat)))
    return new_lat, new_lon


def weighted_choice(rng: np.random.Generator, weights: FloatArray, size: int) -> IntArray:
    """Draw ``size`` indices with replacement, with probability proportional to ``weights``."""
    probabilities = np.asarray(weights, dtype=np.float64)
    return rng.choice(len(probabilities), size=size, p=probabilities / probabilities.sum())


def choose_rows(rng: np.random.Generator, table: FloatArray, rows: IntArray) -> IntArray:
    """Draw one column per element of ``rows`` from the probability row ``table[rows[i]]``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> choose_rows(rng, np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([0, 1, 1])).tolist()
    [0, 1, 1]
    """
    cumulative = np.cumsum(table / table.sum(axis=1, keepdims=True), axis=1)
    cumulative[cumulative > 1.0 - 1e-12] = 1.0  # never past the last possible column
    draws = rng.random(len(rows))
    chosen = (draws[:, None] >= cumulative[rows]).sum(axis=1)
    column: IntArray = np.minimum(chosen, table.shape[1] - 1).astype(np.int64)
    return column


def make_ids(prefix: str, count: int) -> npt.NDArray[np.str_]:
    """Make identifiers ``PREFIX-0001`` … numbered from 1, zero-padded to at least four digits.

    Examples
    --------
    >>> make_ids("SYN-ORG", 2).tolist()
    ['SYN-ORG-0001', 'SYN-ORG-0002']
    """
    width = max(4, len(str(count)))
    return np.array([f"{prefix}-{number:0{width}d}" for number in range(1, count + 1)])
