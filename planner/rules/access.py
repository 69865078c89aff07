"""ZES access rules: whether a vehicle may enter a zero-emission zone for city logistics.

The rules follow the Flemish framework agreement as summarised in the design reference
(section "Vehicle categories and ZES access rules"). Two calendars apply:

========================  ==============  ==============  ===================  ==============
group                     new must be ZE  new 2027–2028   free / permit until  whole fleet ZE
========================  ==============  ==============  ===================  ==============
light (N1, N2L)           2027-01-01      —               2032-12-31           2033-01-01
heavy (N2H, N3)           2029-01-01      Euro VI / III   2034-12-31           2035-01-01
heavy (T)                 2029-01-01      Phase IV        2034-12-31           2035-01-01
========================  ==============  ==============  ===================  ==============

Existing vehicles have free access with diesel Euro 6/VI or petrol Euro 3/III or better
(T: Phase IV or better), need a paid individual permit at diesel Euro 5/V or petrol Euro 2/II
(T: Phase IIIb) and have no access below that.

Decisions made here where the agreement is silent, each covered by a test:

* Zero-emission vehicles (electric, hydrogen) always have free access; their norm is ignored.
  This wins over an exemption code: an exempt *electric* vehicle still needs charging, so it is
  reported as ``free`` rather than ``exempt`` (the exemption code is still checked against the
  category).
* Plug-in hybrids are not zero-emission. Plug-in hybrids and CNG vehicles are held to the
  petrol (spark-ignition) thresholds, as the Flemish low-emission zones (LEZ) do.
* For tractors (T) only the emission stage counts; the fuel matters only for zero emission.
* Before 1 January 2027 no ZES can have started: every vehicle has free access. From that date
  the answer is given as if a ZES applies; whether one does in a year is the projection's call.
* The rules are applied as written even when the vehicle is registered after the date asked
  about (a planned vehicle): the answer is the status that vehicle would have.
* A combustion vehicle needs its norm unless it is exempt; a norm given for an exempt combustion
  vehicle is still checked.

Norm levels: Euro norms map to 0–6 (``'5'``, ``'V'``, ``'Euro 5'`` → 5; ``'6d-TEMP'``,
``'VI-E'`` → 6; ``'EEV'`` → 5, as in the LEZ). Tractor stages map to ordered levels
I → 1, II → 2, IIIa → 3, IIIb → 4, IV → 5, V → 6.
"""

from __future__ import annotations

import math
import operator
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import SupportsIndex

from planner.domain import (
    CALENDAR_GROUP,
    EXEMPTION_CATEGORIES,
    ZERO_EMISSION_FUELS,
    CalendarGroup,
    Exemption,
    Fuel,
    VehicleCategory,
    values,
)
from validation import LaadplanError, describe_valid, suggest

#: The earliest date a ZES can start.
FIRST_ZES_START = date(2027, 1, 1)


class Access(StrEnum):
    """The answer of the access rules for one vehicle on one date."""

    FREE = "free"
    PAID_PERMIT = "paid_permit"
    EXEMPT = "exempt"
    NO_ACCESS = "no_access"


@dataclass(frozen=True)
class AccessDecision:
    """An access answer with the rule behind it.

    Attributes
    ----------
    access
        Free, paid permit, exempt or no access.
    reason
        One plain English sentence naming the rule and its date.
    """

    access: Access
    reason: str


class AccessInputError(LaadplanError, ValueError):
    """A category, fuel, norm, exemption or date the access rules cannot use.

    Parameters
    ----------
    subject
        What the value is, e.g. ``"category"`` or ``"norm"``.
    value
        The offending value; ``None`` when it is missing.
    problem
        What is wrong, e.g. ``"is not a vehicle category"``.
    valid
        What would be valid.
    suggestion
        The near miss the person probably meant, if any.
    """

    def __init__(
        self,
        subject: str,
        value: object,
        problem: str,
        valid: str | None = None,
        suggestion: str | None = None,
    ) -> None:
        self.subject = subject
        self.value = value
        self.problem = problem
        self.valid = valid
        self.suggestion = suggestion
        super().__init__(self._compose())

    def _compose(self) -> str:
        if self.value is None:
            text = f"{self.subject} is missing: {self.problem}"
        else:
            text = f"{self.subject} {str(self.value)!r} {self.problem}"
        if self.valid:
            text += f"; valid: {self.valid}"
        if self.suggestion is not None:
            text += f" — did you mean '{self.suggestion}'?"
        return text


class NormError(AccessInputError):
    """An emission norm that is missing, unreadable or outside the category's scale."""


class ExemptionCategoryError(AccessInputError):
    """An exemption code that does not apply to the vehicle's category."""


# --- calendars and thresholds -------------------------------------------------------------


@dataclass(frozen=True)
class _Calendar:
    """The dates of one calendar group; ``new_norm_from`` starts the heavy 2027–2028 rule."""

    new_ze_from: date
    whole_fleet_ze_from: date
    new_norm_from: date | None

    @property
    def free_until(self) -> date:
        """Last day of free access and of the paid permit."""
        return self.whole_fleet_ze_from - timedelta(days=1)


_CALENDARS = {
    CalendarGroup.LIGHT: _Calendar(date(2027, 1, 1), date(2033, 1, 1), None),
    CalendarGroup.HEAVY: _Calendar(date(2029, 1, 1), date(2035, 1, 1), FIRST_ZES_START),
}


@dataclass(frozen=True)
class _Threshold:
    """Lowest norm level for free access and for a paid permit, with the scale's name."""

    free_level: int
    permit_level: int
    scale: str


_DIESEL = _Threshold(free_level=6, permit_level=5, scale="diesel")
_PETROL = _Threshold(free_level=3, permit_level=2, scale="petrol")
_STAGE = _Threshold(free_level=5, permit_level=4, scale="")

#: Fuels held to the petrol thresholds (spark ignition; plug-in hybrids and CNG as in the LEZ).
PETROL_THRESHOLD_FUELS = frozenset({Fuel.PETROL, Fuel.CNG, Fuel.PHEV})

EXEMPTION_LABELS: dict[Exemption, str] = {
    Exemption.F5: "concrete mixer or pump",
    Exemption.F9: "aerial work platform",
    Exemption.SB: "armoured vehicle",
    Exemption.DT: "tow truck",
    Exemption.ADR: "ADR transport of liquids or gases",
    Exemption.F8: "N2/N3 cleaning vehicle",
    Exemption.F7: "refuse truck",
    Exemption.GENSET: "vehicle with a fixed emergency generator",
    Exemption.T_LT_130KW: "tractor below 130 kW",
    Exemption.PRIORITY: "priority vehicle",
    Exemption.EXCEPTIONAL: "exceptional transport with a permit",
    Exemption.MILITARY: "military vehicle",
    Exemption.WHEELCHAIR: "wheelchair-accessible vehicle",
    Exemption.CRANE: "mobile crane",
}


def _calendar(category: VehicleCategory) -> _Calendar:
    return _CALENDARS[CALENDAR_GROUP[category]]


def new_vehicles_ze_from(category: str | VehicleCategory) -> date:
    """Return the first registration date from which new vehicles must be zero-emission.

    Examples
    --------
    >>> new_vehicles_ze_from("N1"), new_vehicles_ze_from("T")
    (datetime.date(2027, 1, 1), datetime.date(2029, 1, 1))
    """
    return _calendar(parse_category(category)).new_ze_from


def whole_fleet_ze_from(category: str | VehicleCategory) -> date:
    """Return the date from which every vehicle of the category must be zero-emission.

    Examples
    --------
    >>> whole_fleet_ze_from("N2L"), whole_fleet_ze_from("N3")
    (datetime.date(2033, 1, 1), datetime.date(2035, 1, 1))
    """
    return _calendar(parse_category(category)).whole_fleet_ze_from


# --- parsing the inputs -----------------------------------------------------------------------


def parse_category(value: str | VehicleCategory) -> VehicleCategory:
    """Return the vehicle category written exactly as in the needs contract.

    Raises
    ------
    AccessInputError
        For anything else, with the valid categories and the near miss (``N2h`` → ``N2H``).
    """
    return VehicleCategory(_parse_closed(value, VehicleCategory, "category", "a vehicle category"))


def parse_fuel(value: str | Fuel) -> Fuel:
    """Return the fuel written exactly as in the needs contract (lower case).

    Raises
    ------
    AccessInputError
        For anything else, with the valid fuels and the near miss.
    """
    return Fuel(_parse_closed(value, Fuel, "fuel", "a fuel"))


def _parse_closed(value: str | StrEnum, enum: type[StrEnum], subject: str, noun: str) -> str:
    text = str(value).strip()
    options = values(enum)
    if text not in options:
        problem = f"is not {noun}"
        raise AccessInputError(
            subject, value, problem, describe_valid(options), suggest(text, options)
        )
    return text


def parse_exemption(
    category: str | VehicleCategory, value: str | Exemption | None
) -> Exemption | None:
    """Return the exemption code, or ``None`` for no exemption (``None`` or blank).

    Raises
    ------
    AccessInputError
        When the code is unknown (with the valid codes and the near miss).
    ExemptionCategoryError
        When the code does not apply to the category (F8 only for N2/N3, T_LT_130KW only for T).
    """
    vehicle_category = parse_category(category)
    if value is None or not str(value).strip():
        return None
    exemption = Exemption(_parse_closed(value, Exemption, "exemption", "an exemption code"))
    if vehicle_category not in _exemption_categories(exemption):
        raise _exemption_category_error(vehicle_category, exemption)
    return exemption


def _exemption_categories(exemption: Exemption) -> frozenset[VehicleCategory]:
    return EXEMPTION_CATEGORIES.get(exemption, frozenset(VehicleCategory))


def _exemption_category_error(
    category: VehicleCategory, exemption: Exemption
) -> ExemptionCategoryError:
    allowed = [c.value for c in VehicleCategory if c in _exemption_categories(exemption)]
    noun = "categories" if len(allowed) > 1 else "category"
    label = EXEMPTION_LABELS[exemption]
    problem = (
        f"does not apply to category {category}: {exemption} ({label}) is only for "
        f"{noun} {', '.join(allowed)}"
    )
    codes = [code.value for code in Exemption if category in _exemption_categories(code)]
    valid = f"no exemption, or for {category} " + describe_valid(codes)
    return ExemptionCategoryError("exemption", exemption.value, problem, valid)


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6}
_EURO_PATTERN = re.compile(
    r"(?P<core>[0-6]|vi|v|iv|i{1,3})"
    r"(?P<step>[\s\-_]*[a-e](?:[\s\-_]*(?:temp|isc|fcm|bis|plus))*)?"
)
_STAGE_PATTERN = re.compile(r"(?P<core>[1-5]|v|iv|i{1,3})(?:[\s\-_]*(?P<sub>[ab]))?")
_EURO_PREFIX = re.compile(r"^euro[\s\-_]*")
_STAGE_PREFIX = re.compile(r"^(?:stage|phase|fase)[\s\-_]*")
_ANY_PREFIX = re.compile(r"^(?:euro|stage|phase|fase)[\s\-_]*")
_ROMAN_NAMES = {number: name.upper() for name, number in _ROMAN.items()}
_STAGE_LEVELS = {"1": 1, "2": 2, "3a": 3, "3b": 4, "4": 5, "5": 6}
_STAGE_NAMES = {1: "I", 2: "II", 3: "IIIa", 4: "IIIb", 5: "IV", 6: "V"}
_EURO_FORMS = [*(str(level) for level in range(7)), "I", "II", "III", "IV", "V", "VI", "EEV"]
_EURO_VALID = (
    "Euro 0 to 6 in arabic or roman figures (5, V, Euro 6, EURO VI), "
    "with an optional step (6d-TEMP, VI-E), or EEV"
)
_STAGE_VALID = "one of I, II, IIIa, IIIb, IV, V (case-insensitive, optionally after Stage or Phase)"


def parse_norm(category: str | VehicleCategory, text: str) -> int:
    """Return the emission norm as an ordered level on the category's scale.

    Parameters
    ----------
    category
        The vehicle category: tractors (``T``) use emission stages, the others Euro norms.
    text
        The norm as written. Euro norms: ``'5'``, ``'V'``, ``'Euro 5'``, ``'euro V'``,
        ``'EURO VI'``, ``'6d'``, ``'6d-TEMP'``, ``'VI-E'``, ``'EEV'`` (= 5) …, case-insensitive.
        Stages: ``'I'``, ``'II'``, ``'IIIa'``, ``'IIIb'``, ``'IV'``, ``'V'`` (or ``'1'`` to
        ``'5'`` with ``'3a'``/``'3b'``), optionally after ``'Stage'`` or ``'Phase'``.

    Returns
    -------
    int
        Euro level 0–6, or stage level I=1, II=2, IIIa=3, IIIb=4, IV=5, V=6.

    Raises
    ------
    NormError
        With the valid forms and the near miss when the text is not a norm of the scale.

    Examples
    --------
    >>> parse_norm("N1", "Euro 6d-TEMP"), parse_norm("N3", "V"), parse_norm("T", "Stage IIIb")
    (6, 5, 4)
    """
    vehicle_category = parse_category(category)
    lowered = str(text).strip().lower()
    is_tractor = vehicle_category is VehicleCategory.T
    level = _stage_level(lowered) if is_tractor else _euro_level(lowered)
    if level is None:
        raise _unreadable_norm(vehicle_category, text)
    return level


def _euro_level(lowered: str) -> int | None:
    cleaned = _EURO_PREFIX.sub("", lowered)
    if cleaned == "eev":
        return 5
    match = _EURO_PATTERN.fullmatch(cleaned)
    if match is None:
        return None
    core = match["core"]
    level = int(core) if core.isdigit() else _ROMAN[core]
    if match["step"] and level < 5:
        return None
    return level


def _stage_level(lowered: str) -> int | None:
    match = _STAGE_PATTERN.fullmatch(_STAGE_PREFIX.sub("", lowered))
    if match is None:
        return None
    core = match["core"]
    key = core if core.isdigit() else str(_ROMAN[core])
    return _STAGE_LEVELS.get(key + (match["sub"] or ""))


def _unreadable_norm(category: VehicleCategory, text: str) -> NormError:
    if category is VehicleCategory.T:
        forms, valid, noun = list(_STAGE_NAMES.values()), _STAGE_VALID, "an emission stage"
    else:
        forms, valid, noun = _EURO_FORMS, _EURO_VALID, "a Euro norm"
    problem = f"is not {noun} for category {category}"
    cleaned = _ANY_PREFIX.sub("", str(text).strip().lower())
    return NormError("norm", text, problem, valid, suggest(cleaned, forms))


def format_norm(category: str | VehicleCategory, level: int) -> str:
    """Return a norm level as people write it.

    Light categories use arabic Euro figures, heavy ones roman, tractors phases.

    Examples
    --------
    >>> format_norm("N1", 6), format_norm("N3", 6), format_norm("T", 4)
    ('Euro 6', 'Euro VI', 'Phase IIIb')
    """
    vehicle_category = parse_category(category)
    if vehicle_category is VehicleCategory.T:
        return f"Phase {_STAGE_NAMES[level]}"
    if CALENDAR_GROUP[vehicle_category] is CalendarGroup.LIGHT or level == 0:
        return f"Euro {level}"
    return f"Euro {_ROMAN_NAMES[level]}"


def _norm_level(category: VehicleCategory, norm: object) -> int | None:
    """Return the level of a norm given as text or as a level (int); ``None`` when absent.

    Blank text and a float NaN (an empty spreadsheet cell) count as absent. Other floats are
    refused: for tractors ``4.0`` could mean stage IV (level 5) or level 4 (IIIb).
    """
    if norm is None or (isinstance(norm, float) and math.isnan(norm)):
        return None
    if isinstance(norm, str):
        return parse_norm(category, norm) if norm.strip() else None
    lowest = 1 if category is VehicleCategory.T else 0
    valid = f"the norm as text, or an integer level from {lowest} to 6"
    if not isinstance(norm, SupportsIndex):
        raise NormError("norm", norm, "is neither text nor a norm level", valid)
    level = operator.index(norm)
    if not lowest <= level <= 6:
        raise NormError("norm", level, f"is not a norm level for category {category}", valid)
    return level


# --- the vehicle and the rules ------------------------------------------------------------------


@dataclass(frozen=True)
class _Vehicle:
    """A validated vehicle; ``level`` is ``None`` only when the norm does not matter."""

    category: VehicleCategory
    registered: date
    fuel: Fuel
    level: int | None
    exemption: Exemption | None

    @property
    def zero_emission(self) -> bool:
        return self.fuel in ZERO_EMISSION_FUELS

    @property
    def threshold(self) -> _Threshold:
        if self.category is VehicleCategory.T:
            return _STAGE
        return _PETROL if self.fuel in PETROL_THRESHOLD_FUELS else _DIESEL

    @property
    def norm_level(self) -> int:
        if self.level is None:  # pragma: no cover - _make_vehicle requires it when it matters
            raise AssertionError("norm level needed but not given")
        return self.level

    def describe(self) -> str:
        text = f"{self.category} {self.fuel}"
        if self.level is not None and not self.zero_emission:
            text += " " + format_norm(self.category, self.level)
        return text

    def needs(self, level: int) -> str:
        scale = self.threshold.scale
        return f"{scale} {format_norm(self.category, level)}".strip() + " or better"


def _make_vehicle(
    category: str | VehicleCategory,
    registered: date,
    fuel: str | Fuel,
    norm: str | int | None,
    exemption: str | Exemption | None,
) -> _Vehicle:
    vehicle_category = parse_category(category)
    vehicle_fuel = parse_fuel(fuel)
    vehicle_exemption = parse_exemption(vehicle_category, exemption)
    if vehicle_fuel in ZERO_EMISSION_FUELS:
        return _Vehicle(vehicle_category, registered, vehicle_fuel, None, vehicle_exemption)
    level = _norm_level(vehicle_category, norm)
    if level is None and vehicle_exemption is None:
        raise _missing_norm(vehicle_category, vehicle_fuel)
    return _Vehicle(vehicle_category, registered, vehicle_fuel, level, vehicle_exemption)


def _missing_norm(category: VehicleCategory, fuel: Fuel) -> NormError:
    valid = _STAGE_VALID if category is VehicleCategory.T else _EURO_VALID
    problem = f"{category} {fuel} needs its emission norm (--norm, or the euro_norm column)"
    return NormError("norm", None, problem, valid)


def access_decision(
    category: str | VehicleCategory,
    registered: date,
    fuel: str | Fuel,
    norm: str | int | None,
    on: date,
    exemption: str | Exemption | None = None,
) -> AccessDecision:
    """Decide whether a vehicle may enter a ZES on a date, and why.

    Parameters
    ----------
    category
        ``N1``, ``N2L``, ``N2H``, ``N3`` or ``T``.
    registered
        Date of first registration (DEI).
    fuel
        A fuel of the needs contract.
    norm
        Euro norm (or stage for T) as text, or a level as returned by :func:`parse_norm`;
        may be ``None`` for zero-emission and exempt vehicles.
    on
        The date asked about, answered as if a ZES applies on it.
    exemption
        An exemption code, or ``None``.

    Raises
    ------
    AccessInputError
        For an unknown category, fuel or exemption code, an exemption that does not apply to
        the category (:class:`ExemptionCategoryError`), or a missing or unreadable norm
        (:class:`NormError`).

    Examples
    --------
    >>> access_decision("N1", date(2026, 6, 1), "diesel", "6", date(2030, 1, 1))
    AccessDecision(access=<Access.FREE: 'free'>, reason='N1 diesel Euro 6 registered before 2027-01-01: free access until 2032-12-31')
    """  # noqa: E501
    vehicle = _make_vehicle(category, registered, fuel, norm, exemption)
    return _decide(vehicle, on)


def _decide(vehicle: _Vehicle, on: date) -> AccessDecision:
    if vehicle.zero_emission:
        return AccessDecision(Access.FREE, f"{vehicle.describe()} is zero-emission: free access")
    if vehicle.exemption is not None:
        return _exempt(vehicle, vehicle.exemption)
    if on < FIRST_ZES_START:
        reason = f"{on} is before the first ZES can start ({FIRST_ZES_START}): free access"
        return AccessDecision(Access.FREE, f"{vehicle.describe()}: {reason}")
    calendar = _calendar(vehicle.category)
    if on >= calendar.whole_fleet_ze_from:
        return _whole_fleet_rule(vehicle, calendar)
    if vehicle.registered >= calendar.new_ze_from:
        return _new_vehicle_rule(vehicle, calendar)
    if calendar.new_norm_from is not None and vehicle.registered >= calendar.new_norm_from:
        return _transition_rule(vehicle, calendar)
    return _existing_vehicle_rule(vehicle, calendar, f"registered before {FIRST_ZES_START}")


def _exempt(vehicle: _Vehicle, exemption: Exemption) -> AccessDecision:
    label = EXEMPTION_LABELS[exemption]
    reason = f"{vehicle.describe()} with exemption {exemption} ({label}): exempt from the ZES"
    return AccessDecision(Access.EXEMPT, reason + " zero-emission obligation")


def _whole_fleet_rule(vehicle: _Vehicle, calendar: _Calendar) -> AccessDecision:
    rule = f"from {calendar.whole_fleet_ze_from} every {vehicle.category} vehicle must be"
    return AccessDecision(
        Access.NO_ACCESS, f"{vehicle.describe()}: {rule} zero-emission, no access"
    )


def _new_vehicle_rule(vehicle: _Vehicle, calendar: _Calendar) -> AccessDecision:
    rule = f"new {vehicle.category} vehicles registered on or after {calendar.new_ze_from}"
    reason = f"{vehicle.describe()} registered {vehicle.registered}: {rule} must be zero-emission"
    return AccessDecision(Access.NO_ACCESS, reason + ", no access")


def _transition_rule(vehicle: _Vehicle, calendar: _Calendar) -> AccessDecision:
    """Heavy vehicles first registered in 2027–2028 must meet the free-access norm."""
    last_day = calendar.new_ze_from - timedelta(days=1)
    window = f"from {calendar.new_norm_from} to {last_day}"
    required = vehicle.needs(vehicle.threshold.free_level)
    if vehicle.norm_level >= vehicle.threshold.free_level:
        return _existing_vehicle_rule(vehicle, calendar, f"registered {window}")
    rule = f"new {vehicle.category} vehicles registered {window} must be {required}"
    reason = f"{vehicle.describe()} registered {vehicle.registered}: {rule}, no access"
    return AccessDecision(Access.NO_ACCESS, reason)


def _existing_vehicle_rule(vehicle: _Vehicle, calendar: _Calendar, when: str) -> AccessDecision:
    level, threshold = vehicle.norm_level, vehicle.threshold
    head = f"{vehicle.describe()} {when}"
    if level >= threshold.free_level:
        return AccessDecision(Access.FREE, f"{head}: free access until {calendar.free_until}")
    if level >= threshold.permit_level:
        free_needs = vehicle.needs(threshold.free_level)
        reason = f"{head}: paid individual permit until {calendar.free_until}"
        return AccessDecision(Access.PAID_PERMIT, f"{reason} (free access needs {free_needs})")
    permit_needs = vehicle.needs(threshold.permit_level)
    reason = f"{head}: a paid permit needs {permit_needs}, no access"
    return AccessDecision(Access.NO_ACCESS, reason)


def access_in_year(
    category: str | VehicleCategory,
    registered: date,
    fuel: str | Fuel,
    norm: str | int | None,
    year: int,
    exemption: str | Exemption | None = None,
) -> AccessDecision:
    """Decide access for a whole calendar year, as evaluated on 1 January of that year.

    Every date of the calendar starts on 1 January (2027, 2029, 2033, 2035) and free access and
    permits end on 31 December, so the answer on 1 January holds for every day of the year:
    "no access from 2033-01-01" makes 2033 a year without access, and 2032 still a free year.

    Examples
    --------
    >>> access_in_year("N1", date(2020, 3, 1), "diesel", "6", 2033).access
    <Access.NO_ACCESS: 'no_access'>
    """
    return access_decision(category, registered, fuel, norm, date(year, 1, 1), exemption)


def zero_emission_required(
    category: str | VehicleCategory,
    registered: date,
    fuel: str | Fuel,
    norm: str | int | None,
    on: date,
    exemption: str | Exemption | None = None,
) -> bool:
    """Whether a vehicle must be replaced by a zero-emission one to keep entering a ZES.

    True when the vehicle is not zero-emission, not exempt and has neither free access nor a
    paid permit on the date.

    Examples
    --------
    >>> zero_emission_required("N3", date(2024, 5, 1), "diesel", "V", date(2030, 1, 1))
    False
    >>> zero_emission_required("N3", date(2024, 5, 1), "diesel", "IV", date(2030, 1, 1))
    True
    """
    decision = access_decision(category, registered, fuel, norm, on, exemption)
    return decision.access is Access.NO_ACCESS
