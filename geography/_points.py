"""A representative point (lat/lon) for each Flemish municipality.

The point is the GeoNames position of the place that carries the municipality's name. Where no
such place exists (municipalities named after a landscape or invented at a merger, such as
Pajottegem or Oudsbergen), or where the main village lies at one end of a large territory, the
point is the mean of the positions of the municipality's sections (*deelgemeenten*) listed in
:data:`SECTION_PLACES`. A hyphenated merger name (``Merelbeke-Melle``) without a place of its
own uses the mean of its parts.

:data:`SECTION_PLACES` and :data:`ENCODED_PLACES` are facts of Belgian geography encoded for
this project; the positions otherwise come from GeoNames (CC BY 4.0). The points are meant for
placing a depot known only by municipality and for nearest-municipality look-ups; they are not
official centroids (the test suite checks them against area centroids: all within 5 km).
"""

from __future__ import annotations

from geography._errors import GeographyError
from geography._geonames import find_flemish_place

#: NIS code → places whose positions are averaged, with the municipality's name as a comment.
#: Sections whose name is ambiguous within Flanders (Berchem in Kluisbergen, Ruisbroek in
#: Puurs-Sint-Amands) are left out, because a name look-up would find the larger namesake.
SECTION_PLACES: dict[str, tuple[str, ...]] = {
    "11057": ("Oostmalle", "Westmalle"),  # Malle
    "12041": (  # Puurs-Sint-Amands
        "Puurs",
        "Sint-Amands",
        "Oppuurs",
        "Breendonk",
        "Liezele",
        "Lippelo",
    ),
    "13025": ("Mol", "Postel"),  # Mol: the town lies in the south-west of a large territory
    "13035": ("Ravels", "Poppel", "Weelde"),  # Ravels
    "23097": ("Pamel", "Borchtlombeek", "Onze-Lieve-Vrouw-Lombeek", "Strijtem"),  # Roosdaal
    "23105": ("Hekelgem", "Teralfene", "Essene"),  # Affligem
    "23106": ("Galmaarden", "Gooik", "Herne"),  # Pajottegem
    "24133": (  # Linter
        "Neerlinter",
        "Drieslinter",
        "Wommersom",
        "Orsmaal-Gussenhoven",
        "Overhespen",
    ),
    "31005": (  # Brugge: its eight deelgemeenten, as the territory reaches north to Zeebrugge
        "Brugge",
        "Assebroek",
        "Dudzele",
        "Koolkerke",
        "Lissewege",
        "Sint-Andries",
        "Sint-Kruis",
        "Sint-Michiels",
    ),
    "33039": (  # Heuvelland
        "Kemmel",
        "Dranouter",
        "Loker",
        "Westouter",
        "Nieuwkerke",
        "Wijtschate",
    ),
    "33041": ("Oostvleteren", "Westvleteren", "Woesten"),  # Vleteren
    "44085": ("Lovendegem", "Waarschoot", "Zomergem"),  # Lievegem
    "45060": ("Kwaremont", "Ruien", "Zulzeke"),  # Kluisbergen
    "45062": ("Sint-Maria-Horebeke", "Sint-Kornelis-Horebeke"),  # Horebeke
    "45063": ("Sint-Maria-Lierde", "Sint-Martens-Lierde", "Deftinge"),  # Lierde
    "45064": ("Etikhove", "Maarke-Kerkem", "Nukerke", "Schorisse"),  # Maarkedal
    "45065": ("Nederzwalm-Hermelgem", "Munkzwalm", "Sint-Denijs-Boekel", "Roborst"),  # Zwalm
    "46030": (  # Beveren-Kruibeke-Zwijndrecht: includes the left-bank port villages
        "Beveren",
        "Kruibeke",
        "Zwijndrecht",
        "Burcht",
        "Bazel",
        "Rupelmonde",
        "Melsele",
        "Haasdonk",
        "Vrasene",
        "Kieldrecht",
        "Verrebroek",
        "Kallo",
    ),
    "71071": ("Tessenderlo", "Kwaadmechelen", "Oostham"),  # Tessenderlo-Ham
    "72021": ("Maaseik", "Neeroeteren", "Opoeteren"),  # Maaseik
    "72042": ("Meeuwen", "Gruitrode", "Opglabbeek"),  # Oudsbergen
    "73028": ("Herstappe",),  # Herstappe
    "73109": (  # Voeren (Teuven and Remersdaal are too small for GeoNames-500)
        "'s-Gravenvoeren",
        "Sint-Martens-Voeren",
        "Sint-Pieters-Voeren",
        "Moelingen",
    ),
}

#: Places too small for the GeoNames table we use (fewer than 500 inhabitants there), with a
#: position encoded by us: (lat, lon) in decimal degrees, WGS84, at the village centre.
ENCODED_PLACES: dict[str, tuple[float, float]] = {
    "Herstappe": (50.7258, 5.4236),  # the smallest municipality of Belgium, west of Tongeren
    "Postel": (51.2570, 5.2340),  # hamlet of Mol around Postel Abbey, near the Dutch border
}


def representative_point(nis_code: str, name_nl: str) -> tuple[float, float]:
    """Return the representative (lat, lon) of one municipality, in decimal degrees.

    Raises
    ------
    GeographyError
        When neither the sections table nor GeoNames can place the municipality; the fix is a
        :data:`SECTION_PLACES` entry.
    """
    if nis_code in SECTION_PLACES:
        return _mean_point([_place_point(name) for name in SECTION_PLACES[nis_code]])
    found = _find_point(name_nl)
    if found is not None:
        return found
    parts = [_find_point(part) for part in name_nl.split("-")] if "-" in name_nl else []
    if parts and all(part is not None for part in parts):
        return _mean_point([part for part in parts if part is not None])
    raise GeographyError(
        f"no representative point for municipality {nis_code} ({name_nl}): GeoNames has no "
        "place of that name; list its sections in geography._points.SECTION_PLACES"
    )


def _place_point(name: str) -> tuple[float, float]:
    """Return the position of one listed section, or raise if neither table knows it."""
    found = _find_point(name)
    if found is None:
        raise GeographyError(
            f"section '{name}' is neither in GeoNames (Flanders, 500+ inhabitants) nor in "
            "geography._points.ENCODED_PLACES"
        )
    return found


def _find_point(name: str) -> tuple[float, float] | None:
    if name in ENCODED_PLACES:
        return ENCODED_PLACES[name]
    place = find_flemish_place(name)
    return None if place is None else (place.lat, place.lon)


def _mean_point(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Average positions in degrees; fine for places a few kilometres apart."""
    return (
        sum(lat for lat, _ in points) / len(points),
        sum(lon for _, lon in points) / len(points),
    )
