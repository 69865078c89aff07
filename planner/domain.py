"""Closed sets of the domain: vehicle categories, fuels, exemption codes, charging strategies.

Sources: the Flemish framework agreement on zero-emission zones for city logistics (ZES) as
summarised in the project's design reference.
"""

from __future__ import annotations

from enum import StrEnum

from charging_sites.categories import VehicleCategory as VehicleCategory


class CalendarGroup(StrEnum):
    """The two ZES calendars: light (N1, N2L) and heavy (N2H, N3, T)."""

    LIGHT = "light"
    HEAVY = "heavy"


CALENDAR_GROUP: dict[VehicleCategory, CalendarGroup] = {
    VehicleCategory.N1: CalendarGroup.LIGHT,
    VehicleCategory.N2L: CalendarGroup.LIGHT,
    VehicleCategory.N2H: CalendarGroup.HEAVY,
    VehicleCategory.N3: CalendarGroup.HEAVY,
    VehicleCategory.T: CalendarGroup.HEAVY,
}


class Fuel(StrEnum):
    """Fuels of the needs contract."""

    DIESEL = "diesel"
    PETROL = "petrol"
    CNG = "cng"
    ELECTRIC = "electric"
    HYDROGEN = "hydrogen"
    PHEV = "phev"


#: Zero-emission fuels. Plug-in hybrids are not zero-emission.
ZERO_EMISSION_FUELS = frozenset({Fuel.ELECTRIC, Fuel.HYDROGEN})


class Exemption(StrEnum):
    """Exemption codes: vehicles without a ZE obligation (so without a charging need)."""

    F5 = "F5"  # concrete mixer / concrete pump
    F9 = "F9"  # aerial work platform
    SB = "SB"  # armoured vehicle
    DT = "DT"  # tow truck
    ADR = "ADR"  # ADR transport of liquids or gases
    F8 = "F8"  # N2/N3 cleaning vehicle (not N1 street sweepers)
    F7 = "F7"  # refuse truck
    GENSET = "GENSET"  # fixed emergency generator
    T_LT_130KW = "T_LT_130KW"  # tractor below 130 kW
    PRIORITY = "PRIORITY"  # priority vehicles (LEZ exemption)
    EXCEPTIONAL = "EXCEPTIONAL"  # exceptional transport with a permit
    MILITARY = "MILITARY"
    WHEELCHAIR = "WHEELCHAIR"  # wheelchair-accessible vehicles
    CRANE = "CRANE"  # mobile cranes (body codes KG, SF)


#: Exemptions limited to some categories; the others apply to every category.
EXEMPTION_CATEGORIES: dict[Exemption, frozenset[VehicleCategory]] = {
    Exemption.F8: frozenset({VehicleCategory.N2L, VehicleCategory.N2H, VehicleCategory.N3}),
    Exemption.T_LT_130KW: frozenset({VehicleCategory.T}),
}


class ChargingStrategy(StrEnum):
    """How a vehicle draws its daily energy within its dwell window."""

    IMMEDIATE = "immediate"  # at full power from the moment it is plugged in
    SPREAD = "spread"  # evenly over the dwell window
    OFFPEAK_FIRST = "offpeak_first"  # off-peak slots of the window first, the rest spread


def values(enum: type[StrEnum]) -> list[str]:
    """Return the string values of a closed set, in declaration order.

    Examples
    --------
    >>> values(VehicleCategory)
    ['N1', 'N2L', 'N2H', 'N3', 'T']
    """
    return [member.value for member in enum]
