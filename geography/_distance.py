"""Great-circle distances and the nearest municipality, vectorised with numpy."""

from __future__ import annotations

import functools

import numpy as np
import numpy.typing as npt

from geography._errors import GeographyError
from geography._reference import municipalities

#: Mean Earth radius (IUGG), in km.
EARTH_RADIUS_KM = 6371.0088
#: Points compared with all 285 municipalities at once (keeps the work matrix near 1 MB).
_CHUNK_POINTS = 2048

FloatArray = npt.NDArray[np.float64]


def haversine_km(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> FloatArray:
    """Return the great-circle distance between points, in km, on a sphere of mean radius.

    Parameters
    ----------
    lat1, lon1, lat2, lon2
        Decimal degrees (WGS84); any shapes that broadcast together.

    Returns
    -------
    numpy.ndarray
        Distances in km, of the broadcast shape; NaN where a coordinate is missing.

    Examples
    --------
    >>> round(float(haversine_km(50.0, 4.0, 51.0, 4.0)), 1)
    111.2
    """
    phi1, lam1, phi2, lam2 = (
        np.radians(np.asarray(value, dtype=np.float64)) for value in (lat1, lon1, lat2, lon2)
    )
    half_chord = (
        np.sin((phi2 - phi1) / 2.0) ** 2
        + np.cos(phi1) * np.cos(phi2) * np.sin((lam2 - lam1) / 2.0) ** 2
    )
    return np.asarray(2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(half_chord, 0.0, 1.0))))


def nearest_municipality(lat: npt.ArrayLike, lon: npt.ArrayLike) -> npt.NDArray[np.str_]:
    """Return, for each point, the NIS code of the municipality with the nearest point.

    "Nearest" compares with the representative points of :func:`geography.municipalities`, so
    near a boundary the answer can be the neighbour; and a point outside Flanders still gets the
    nearest Flemish municipality (combine with :func:`geography.points_in_flanders`).

    Parameters
    ----------
    lat, lon
        Decimal degrees (WGS84), broadcastable to one shape.

    Returns
    -------
    numpy.ndarray
        5-character NIS codes of the broadcast shape; ``""`` where a coordinate is missing.
    """
    lat_b, lon_b = as_coordinates(lat, lon)
    codes, ref_lat, ref_lon = _reference_points()
    flat_lat, flat_lon = lat_b.ravel(), lon_b.ravel()
    result = np.full(flat_lat.shape, "", dtype="<U5")
    for start in range(0, flat_lat.size, _CHUNK_POINTS):
        part = slice(start, start + _CHUNK_POINTS)
        distance_km = haversine_km(
            flat_lat[part, None], flat_lon[part, None], ref_lat[None, :], ref_lon[None, :]
        )
        known = np.isfinite(flat_lat[part]) & np.isfinite(flat_lon[part])
        nearest = codes[np.argmin(np.nan_to_num(distance_km, nan=np.inf), axis=1)]
        result[part] = np.where(known, nearest, "")
    return result.reshape(lat_b.shape)


def as_coordinates(lat: npt.ArrayLike, lon: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Read lat/lon as float arrays of one (broadcast) shape, or explain why not.

    Raises
    ------
    GeographyError
        When a value is not a number or the shapes do not broadcast.
    """
    try:
        lat_deg = np.asarray(lat, dtype=np.float64)
        lon_deg = np.asarray(lon, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise GeographyError(f"lat and lon must be numbers in decimal degrees: {error}") from None
    try:
        lat_b, lon_b = np.broadcast_arrays(lat_deg, lon_deg)
    except ValueError:
        raise GeographyError(
            f"lat and lon must have the same shape: got {lat_deg.shape} and {lon_deg.shape}"
        ) from None
    return lat_b, lon_b


@functools.cache
def _reference_points() -> tuple[npt.NDArray[np.str_], FloatArray, FloatArray]:
    """NIS codes and representative lat/lon of the 285 municipalities, as arrays."""
    table = municipalities()
    lat_deg = table["lat"].to_numpy(dtype=np.float64)
    lon_deg = table["lon"].to_numpy(dtype=np.float64)
    return table["nis_code"].to_numpy(dtype=str), lat_deg, lon_deg
