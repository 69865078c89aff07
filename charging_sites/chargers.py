"""Charger types: power, investment and the vehicle categories each suits.

The default catalogue (:func:`default_catalogue`) holds **planning assumptions**: round,
order-of-magnitude investment costs per charge point (hardware and installation on a site that
already has its connection; the connection and civil works are the site's ``fixed_cost_eur``).
They are not quotes and not taken from one published source: prices vary by a factor of two
between suppliers, volumes and sites.  Replace them with local figures in ``scenario.toml``::

    [[chargers]]
    name = "DC 150 kW"
    power_kw = 150
    capex_eur = 70000
    categories = ["N2H", "N3", "T"]
    connectors = 1

A type's ``categories`` are the vehicle categories it is meant for: an AC wallbox suits vans,
not a 40-tonne truck that needs several hundred kWh overnight.  A type's ``connectors`` (plugs,
default 1) is how many vehicles can be plugged in at once; at a company depot every vehicle
parked at the same time needs one (see ``[optimisation] replug_rounds``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from charging_sites.categories import VehicleCategory
from charging_sites.errors import ChargerCatalogueError
from validation import describe_valid, suggest

#: The vehicle categories of the ZES rules, as plain strings.
VEHICLE_CATEGORIES: tuple[str, ...] = tuple(category.value for category in VehicleCategory)

#: The keys of one catalogue entry.
CHARGER_KEYS = ("name", "power_kw", "capex_eur", "categories", "connectors")
#: The keys every catalogue entry must give (``connectors`` defaults to 1).
REQUIRED_CHARGER_KEYS = ("name", "power_kw", "capex_eur", "categories")


@dataclass(frozen=True)
class ChargerType:
    """One kind of charge point.

    Attributes
    ----------
    name
        Unique label, e.g. ``"DC 150 kW"``.
    power_kw
        Highest power of one charge point, kW.
    capex_eur
        Investment per charge point (hardware and installation), EUR.
    categories
        Vehicle categories (``N1``, ``N2L``, ``N2H``, ``N3``, ``T``) it is meant for.
    connectors
        Plugs of one charge point: vehicles it can have plugged in at once.
    """

    name: str
    power_kw: float
    capex_eur: float
    categories: frozenset[str]
    connectors: int = 1

    def suits(self, category: str) -> bool:
        """Whether vehicles of ``category`` charge on this type.

        Examples
        --------
        >>> ChargerType("AC 11 kW", 11, 2500, frozenset({"N1", "N2L"})).suits("N3")
        False
        """
        return category in self.categories


def default_catalogue() -> tuple[ChargerType, ...]:
    """Return the default charger types, from slow AC to megawatt charging.

    The investment figures are order-of-magnitude planning assumptions per charge point (see the
    module docstring), meant to be overridden by ``[[chargers]]`` entries in ``scenario.toml``.

    Returns
    -------
    tuple of ChargerType
        AC 11 kW and AC 22 kW (N1, N2L), a DC 40 kW depot charger for overnight charging of
        heavy vehicles (N2H, N3, T), DC 50 kW (N1 to N2H), DC 150 kW (N2H, N3, T), DC 350 kW
        (N3, T) and MCS 1000 kW (N3, T), ordered by power; one connector each.
    """
    n1, n2l, n2h, n3, t = (category.value for category in VehicleCategory)
    light, up_to_n2h, heavy = (n1, n2l), (n1, n2l, n2h), (n3, t)
    return (
        ChargerType("AC 11 kW", 11.0, 2_500.0, frozenset(light)),
        ChargerType("AC 22 kW", 22.0, 4_000.0, frozenset(light)),
        ChargerType("DC 40 kW depot", 40.0, 20_000.0, frozenset((n2h, *heavy))),
        ChargerType("DC 50 kW", 50.0, 30_000.0, frozenset(up_to_n2h)),
        ChargerType("DC 150 kW", 150.0, 70_000.0, frozenset((n2h, *heavy))),
        ChargerType("DC 350 kW", 350.0, 150_000.0, frozenset(heavy)),
        ChargerType("MCS 1000 kW", 1000.0, 400_000.0, frozenset(heavy)),
    )


def catalogue_from_records(records: Sequence[Mapping[str, Any]]) -> tuple[ChargerType, ...]:
    """Build and check a charger catalogue from records (e.g. ``[[chargers]]`` in TOML).

    Parameters
    ----------
    records
        One mapping per type with ``name``, ``power_kw`` (> 0), ``capex_eur`` (> 0),
        ``categories`` (a list of vehicle categories, or one text separated by ``;`` or ``,``)
        and optionally ``connectors`` (a whole number ≥ 1, default 1).

    Returns
    -------
    tuple of ChargerType
        The types in the order given.

    Raises
    ------
    ChargerCatalogueError
        Listing every problem: missing or unknown keys (with the near miss), an empty or
        repeated name, a power or investment that is not a positive number, an unknown vehicle
        category (with the near miss), no categories, or no records at all.
    """
    if not records:
        raise ChargerCatalogueError(["the catalogue is empty; valid: at least one charger type"])
    problems: list[str] = []
    types = []
    for number, record in enumerate(records, start=1):
        found, record_problems = _charger_from(number, record)
        problems += record_problems
        if found is not None:
            types.append(found)
    problems += _duplicate_names(records)
    if problems:
        raise ChargerCatalogueError(problems)
    return tuple(types)


def _charger_from(number: int, record: Mapping[str, Any]) -> tuple[ChargerType | None, list[str]]:
    if not isinstance(record, Mapping):
        return None, [
            f"charger {number}: {record!r} is not a table of {', '.join(REQUIRED_CHARGER_KEYS)}"
        ]
    name = record.get("name")
    named = isinstance(name, str) and name.strip()
    where = f"charger {number}" + (f" ({name!r})" if named else "")
    problems = _key_problems(where, record)
    if "name" in record and (not isinstance(name, str) or not name.strip()):
        problems.append(f"{where}: name {name!r} is not a non-empty text")
    power_kw = _positive(where, record, "power_kw", "kW", problems)
    capex_eur = _positive(where, record, "capex_eur", "EUR", problems)
    categories = _categories(where, record, problems)
    connectors = _connectors(where, record, problems)
    if problems or power_kw is None or capex_eur is None:
        return None, problems
    return ChargerType(str(name).strip(), power_kw, capex_eur, categories, connectors), []


def _connectors(where: str, record: Mapping[str, Any], problems: list[str]) -> int:
    value = record.get("connectors", 1)
    whole = isinstance(value, int) and not isinstance(value, bool)
    if not whole or value < 1:
        problems.append(
            f"{where}: connectors {value!r} is not a whole number >= 1; valid: the plugs of "
            "one charge point, e.g. 2"
        )
        return 1
    return int(value)


def _key_problems(where: str, record: Mapping[str, Any]) -> list[str]:
    problems = []
    unknown = [str(key) for key in record if key not in CHARGER_KEYS]
    for key in REQUIRED_CHARGER_KEYS:
        if key not in record:
            hint = suggest(key, unknown) if unknown else None
            problems.append(f"{where}: {key} is missing{_did_you_mean(hint, 'the key')}")
    for key in unknown:
        hint = suggest(key, CHARGER_KEYS)
        problems.append(
            f"{where}: {key!r} is not a charger key; valid: {describe_valid(CHARGER_KEYS)}"
            + _did_you_mean(hint)
        )
    return problems


def _did_you_mean(hint: str | None, prefix: str = "") -> str:
    if hint is None:
        return ""
    return f" — did you mean {prefix + ' ' if prefix else ''}'{hint}'?"


def _positive(
    where: str, record: Mapping[str, Any], key: str, unit: str, problems: list[str]
) -> float | None:
    if key not in record:
        return None
    value = record[key]
    number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
    if number is None or not math.isfinite(number) or number <= 0:
        problems.append(
            f"{where}: {key} {value!r} is not a positive number; valid: a number > 0 ({unit})"
        )
        return None
    return float(number)


def _categories(where: str, record: Mapping[str, Any], problems: list[str]) -> frozenset[str]:
    if "categories" not in record:
        return frozenset()
    value = record["categories"]
    if isinstance(value, str):
        items = [part.strip() for part in value.replace(",", ";").split(";") if part.strip()]
    elif isinstance(value, list | tuple | set | frozenset):
        items = [str(item).strip() for item in value]
    else:
        items = []
    if not items:
        problems.append(
            f"{where}: categories {value!r} names no vehicle category; valid: a list of "
            f"{describe_valid(VEHICLE_CATEGORIES)}"
        )
    for item in items:
        if item not in VEHICLE_CATEGORIES:
            problems.append(
                f"{where}: categories holds {item!r}, which is not a vehicle category; valid: "
                f"{describe_valid(VEHICLE_CATEGORIES)}"
                + _did_you_mean(suggest(item, VEHICLE_CATEGORIES))
            )
    return frozenset(items)


def _duplicate_names(records: Sequence[Mapping[str, Any]]) -> list[str]:
    first: dict[str, int] = {}
    problems = []
    for number, record in enumerate(records, start=1):
        name = record.get("name") if isinstance(record, Mapping) else None
        if not isinstance(name, str) or not name.strip():
            continue
        key = name.strip().casefold()
        if key in first:
            problems.append(
                f"charger {number}: name {name.strip()!r} is already used by charger "
                f"{first[key]}; valid: a unique name per type (ignoring case)"
            )
        else:
            first[key] = number
    return problems
