"""The planning scenario: the knobs of a run, read from ``scenario.toml``.

Every value has a documented default, so an empty file is a valid scenario.  Unknown sections or
keys are refused with the valid names, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.domain import ChargingStrategy, VehicleCategory, values
from validation import LaadplanError, suggest
from validation.timeofday import is_hhmm

FIRST_YEAR = 2027
LAST_YEAR = 2035


class ScenarioError(LaadplanError):
    """The scenario file is malformed or holds an invalid value."""


def _per_category(**kwargs: float) -> dict[str, float]:
    return dict(kwargs)


@dataclass(frozen=True)
class ProjectionSettings:
    """Settings of the demand projection (section ``[projection]``).

    Attributes
    ----------
    first_year, last_year
        Years projected, inclusive.
    slot_minutes
        Length of a time slot of the daily profile: 15, 30 or 60 minutes.
    charging_strategy
        ``immediate``, ``spread`` or ``offpeak_first``.
    charging_efficiency
        Share of the energy drawn from the charger that reaches the battery (0–1].
    offpeak_start, offpeak_end
        Off-peak window (HH:MM, may wrap midnight), default 22:00–07:00.
    replacement_age_years
        Age at which a vehicle of each category is replaced.
    kwh_per_km
        Default consumption of a battery-electric vehicle per category, used where a need gives
        no ``kwh_per_km``.
    max_charge_kw
        Highest charging power one vehicle of each category takes.
    voluntary_uptake
        Share (0–1) of the vehicles that the rules do not yet require to be zero-emission that
        are zero-emission anyway, per year; years not listed take the last listed share before
        them (0 before the first).
    """

    first_year: int = FIRST_YEAR
    last_year: int = LAST_YEAR
    slot_minutes: int = 60
    charging_strategy: str = ChargingStrategy.SPREAD.value
    charging_efficiency: float = 0.9
    offpeak_start: str = "22:00"
    offpeak_end: str = "07:00"
    replacement_age_years: dict[str, float] = field(
        default_factory=lambda: _per_category(N1=8, N2L=8, N2H=10, N3=10, T=15)
    )
    kwh_per_km: dict[str, float] = field(
        default_factory=lambda: _per_category(N1=0.25, N2L=0.35, N2H=0.6, N3=1.2, T=1.4)
    )
    max_charge_kw: dict[str, float] = field(
        default_factory=lambda: _per_category(N1=11, N2L=22, N2H=50, N3=150, T=150)
    )
    voluntary_uptake: dict[int, float] = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        """The projected years, in order."""
        return list(range(self.first_year, self.last_year + 1))

    def uptake_share(self, year: int) -> float:
        """Voluntary zero-emission share in a year (step function of ``voluntary_uptake``)."""
        share = 0.0
        for listed_year in sorted(self.voluntary_uptake):
            if listed_year <= year:
                share = self.voluntary_uptake[listed_year]
        return share


@dataclass(frozen=True)
class Scenario:
    """A whole scenario.

    Attributes
    ----------
    name
        Label shown in reports.
    projection
        Demand projection settings.
    """

    name: str = "default"
    projection: ProjectionSettings = field(default_factory=ProjectionSettings)


_SECTIONS: dict[str, type[Any]] = {"projection": ProjectionSettings}
_TOP_LEVEL_KEYS = {"name"}


def load_scenario(path: Path | None) -> Scenario:
    """Read a scenario file; ``None`` gives the default scenario.

    Parameters
    ----------
    path
        A ``scenario.toml`` file.

    Raises
    ------
    ScenarioError
        When the file cannot be parsed or holds unknown keys or invalid values.
    """
    if path is None:
        return Scenario()
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from exc
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot be read: {exc.strerror}") from exc
    return scenario_from_mapping(raw, source=str(path))


def scenario_from_mapping(raw: Mapping[str, Any], source: str = "scenario") -> Scenario:
    """Build and check a scenario from parsed TOML.

    Raises
    ------
    ScenarioError
        On unknown sections or keys and on invalid values; the message lists every problem.
    """
    problems: list[str] = []
    sections: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _TOP_LEVEL_KEYS:
            continue
        if key not in _SECTIONS:
            problems.append(_unknown(key, [*_TOP_LEVEL_KEYS, *_SECTIONS], "section"))
            continue
        sections[key] = _build_section(key, value, problems)
    name = str(raw.get("name", "default"))
    if problems:
        raise ScenarioError(f"{source}: " + "; ".join(problems))
    scenario = Scenario(name=name, **sections)
    check_scenario(scenario, source)
    return scenario


def _unknown(key: str, options: list[str], what: str) -> str:
    hint = suggest(key, options)
    text = f"unknown {what} '{key}' (valid: {', '.join(sorted(options))})"
    return text + (f" — did you mean '{hint}'?" if hint else "")


def _build_section(name: str, raw: object, problems: list[str]) -> Any:
    cls = _SECTIONS[name]
    if not isinstance(raw, Mapping):
        problems.append(f"[{name}] must be a table")
        return cls()
    known = {f.name for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            problems.append(_unknown(key, sorted(known), f"key in [{name}]"))
            continue
        kwargs[key] = _merge_default(cls, key, value)
    return cls(**kwargs)


def _merge_default(cls: type[Any], key: str, value: object) -> object:
    """Per-category tables given partly keep the defaults of the categories not given."""
    default = next(f for f in dataclasses.fields(cls) if f.name == key)
    if isinstance(value, Mapping) and default.default_factory is not dataclasses.MISSING:
        base = default.default_factory()
        if key == "voluntary_uptake":
            return {int(year): float(share) for year, share in value.items()}
        return {**base, **{str(k): v for k, v in value.items()}}
    return value


def check_scenario(scenario: Scenario, source: str = "scenario") -> None:
    """Check the values of a scenario.

    Raises
    ------
    ScenarioError
        Listing every invalid value.
    """
    problems = _check_projection(scenario.projection)
    if problems:
        raise ScenarioError(f"{source}: " + "; ".join(problems))


def _check_projection(p: ProjectionSettings) -> list[str]:
    problems: list[str] = []
    if not FIRST_YEAR <= p.first_year <= p.last_year <= 2050:
        problems.append(
            f"[projection] first_year {p.first_year} and last_year {p.last_year} must satisfy "
            f"{FIRST_YEAR} <= first_year <= last_year <= 2050"
        )
    if p.slot_minutes not in (15, 30, 60):
        problems.append(f"[projection] slot_minutes {p.slot_minutes!r}: valid: 15, 30 or 60")
    if p.charging_strategy not in values(ChargingStrategy):
        hint = suggest(p.charging_strategy, values(ChargingStrategy))
        problems.append(
            f"[projection] charging_strategy '{p.charging_strategy}': valid: "
            + ", ".join(values(ChargingStrategy))
            + (f" — did you mean '{hint}'?" if hint else "")
        )
    if not 0 < p.charging_efficiency <= 1:
        problems.append(
            f"[projection] charging_efficiency {p.charging_efficiency}: valid: above 0, at most 1"
        )
    for key in ("offpeak_start", "offpeak_end"):
        if not is_hhmm(getattr(p, key)):
            problems.append(f"[projection] {key} '{getattr(p, key)}': valid: HH:MM, e.g. 22:00")
    for key in ("replacement_age_years", "kwh_per_km", "max_charge_kw"):
        table: dict[str, float] = getattr(p, key)
        for category, number in table.items():
            if category not in values(VehicleCategory):
                problems.append(
                    _unknown(category, values(VehicleCategory), f"category in [projection] {key}")
                )
            elif not isinstance(number, int | float) or number <= 0:
                problems.append(f"[projection] {key}.{category} {number!r}: valid: a number > 0")
    for year, share in p.voluntary_uptake.items():
        if not 0 <= share <= 1:
            problems.append(f"[projection] voluntary_uptake.{year} {share}: valid: 0 to 1")
    return problems
