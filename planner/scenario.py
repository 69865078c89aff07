"""The planning scenario: the knobs of a run, read from ``scenario.toml``.

Every value has a documented default, so an empty file is a valid scenario.  Unknown sections or
keys are refused with the valid names, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import geography
from charging_sites import TIER_VALUES, ChargerCatalogueError, catalogue_from_records
from grid_data.schema import DEFAULT_POWER_FACTOR, status_values
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
    uptake
        A named voluntary-uptake curve: ``"low"``, ``"mid"`` or ``"high"`` (per calendar group,
        derived from published figures: :mod:`planner.demand.uptake`); when given it replaces the
        ``voluntary_uptake`` table (so a sweep axis can set it over any case); ``""`` for none
        (the table applies).
    unreported_share
        Estimated share (0 to below 1) of the logistics fleet that did not report its needs,
        for every municipality: the projection adds ``…_incl_unreported`` figures scaled by
        ``1 / (1 - share)`` so a planner sees the reported demand and the estimated total.
    unreported_share_by_nis
        The same per municipality (NIS code → share), overriding ``unreported_share`` there.
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
    uptake: str = ""
    unreported_share: float = 0.0
    unreported_share_by_nis: dict[str, float] = field(default_factory=dict)

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


class OffpeakPolicy(StrEnum):
    """How the optimisation treats the off-peak window (``[optimisation] offpeak_policy``)."""

    HARD = "hard"  # charge only off-peak where the need's dwell window allows it
    SOFT = "soft"  # peak and off-peak energy prices
    NONE = "none"  # one price (the peak price) at every hour


class LadderPolicy(StrEnum):
    """How the optimisation follows the charging ladder (``[optimisation] ladder_policy``)."""

    LEXICOGRAPHIC = "lexicographic"  # max private energy, then semi-public, then min cost
    WEIGHTED = "weighted"  # a cost premium per kWh per tier
    NONE = "none"  # cost only


class SolverName(StrEnum):
    """MILP solvers the optimisation can call (``[optimisation] solver``)."""

    HIGHS = "highs"
    CBC = "cbc"


#: Tiers of the charging ladder, in ladder order.
SITE_TIERS = TIER_VALUES
#: Keys of ``[optimisation] energy_price_eur_per_kwh``.
PRICE_PERIODS = ("peak", "offpeak")


def _per_tier(**kwargs: float) -> dict[str, float]:
    return dict(kwargs)


@dataclass(frozen=True)
class OptimisationSettings:
    """Settings of the site-selection optimisation (section ``[optimisation]``).

    Slot length, charging efficiency (already in the projected energy), the off-peak window
    and ``max_charge_kw`` per category are those of ``[projection]``.

    Attributes
    ----------
    capex_annuity_factor
        Share of an investment (site fixed cost, charger capex) counted as cost per year,
        1/year; 0.1 ≈ 15 years at 6 %.
    operating_days_per_year
        Working days per year that turn daily energy and access cost into annual cost.
    energy_price_eur_per_kwh
        Energy price ``peak`` and ``offpeak``, EUR/kWh drawn from the charger.
    offpeak_policy
        ``hard``: a need whose dwell window holds enough off-peak time to charge its daily
        energy at full power charges only off-peak; ``soft``: peak and off-peak prices;
        ``none``: the peak price at every hour.
    ladder_policy
        ``weighted`` (default): one MIP whose cost carries ``tier_premium_eur_per_kwh``, so
        that private ≻ semi-public ≻ public, solved coarse to fine
        (:mod:`planner.optimisation.coarse`) with a certificate of the tier levels in
        ``summary.json``; ``lexicographic``: maximise energy on private sites, then on
        semi-public sites with that held, then minimise cost with both held (small cases);
        ``none``: cost only (coarse to fine too).
    ladder_tolerance
        Relative tolerance on the energy levels held by the lexicographic ladder (0–0.1).
    tier_premium_eur_per_kwh
        Cost premium per kWh per tier (``weighted`` ladder), EUR/kWh; not part of the
        reported cost.
    sharing
        Whether needs may charge on another organisation's private site (when the site is
        ``shared`` and its owner ``share_willing``).  Semi-public and public sites are
        always shared.
    detour_km_max
        Farthest a need drives from its depot to a site, per tier, km (road distance, or
        straight line × ``detour_factor``); for ``private`` it applies to sites other than
        the need's own depot.
    max_sites_per_tier
        Largest number of sites of each tier a need may use, nearest first (0: no limit; the
        need's own depot site and pairs listed in ``access_cost.csv`` always count).  Farther
        sites of a tier cost more to reach and are rarely chosen; the limit keeps the model
        small (Leuven demo: 4× faster for a cost difference below 0.1 %).
    access_cost_eur_per_km
        Cost of driving to a site that is not the need's own depot and back, per km, once
        per vehicle and working day, EUR/km.
    detour_factor
        Road distance ÷ straight-line distance where no road graph is given (≥ 1).
    chargers
        Charger catalogue: tables (``[[optimisation.chargers]]``) with ``name``,
        ``power_kw``, ``capex_eur`` and the ``categories`` they suit
        (:func:`charging_sites.catalogue_from_records`); empty means
        :func:`charging_sites.default_catalogue`.
    existing_charger_type
        Catalogue type of the ``existing_chargers`` of a site; empty means the lowest-power
        type that suits every category (else the lowest-power type).
    unmet_penalty_eur_per_kwh
        Penalty per kWh of daily energy not served (times the operating days); keeps every
        plan solvable and is reported apart from the cost, EUR/kWh.
    reinforcement_cost_eur_per_kva
        Annual cost of grid reinforcement per kVA requested at a node, EUR/(kVA·year).
    allow_reinforcement
        Whether the plan may request reinforcement where headroom is short.
    replug_rounds
        How many vehicles one connector of a private site serves in one dwell window (the
        operator re-plugs vehicles during the night that many times); 1: every vehicle parked
        at the same time has its own connector.
    min_assignment_kwh_per_day
        Least energy a need charges at a site, kWh per working day, unless it is the need's
        whole energy; no site is opened for less (0: no minimum).
    solver
        ``highs`` (via highspy) or ``cbc``.
    time_limit_s
        Time limit of one solver call, s (the lexicographic ladder makes three, and every
        solve ends with a short polish of sites and chargers).
    mip_gap
        Relative MIP gap at which a solve counts as optimal (0–1); 1 % by default: planning
        data are far less precise than that.
    """

    capex_annuity_factor: float = 0.1
    operating_days_per_year: float = 260.0
    energy_price_eur_per_kwh: dict[str, float] = field(
        default_factory=lambda: {"peak": 0.25, "offpeak": 0.15}
    )
    offpeak_policy: str = OffpeakPolicy.SOFT.value
    ladder_policy: str = LadderPolicy.WEIGHTED.value
    ladder_tolerance: float = 1e-4
    tier_premium_eur_per_kwh: dict[str, float] = field(
        default_factory=lambda: _per_tier(private=0.0, semi_public=2.5, public=5.0)
    )
    sharing: bool = True
    detour_km_max: dict[str, float] = field(
        default_factory=lambda: _per_tier(private=5.0, semi_public=10.0, public=10.0)
    )
    max_sites_per_tier: int = 5
    access_cost_eur_per_km: float = 1.0
    detour_factor: float = 1.3
    chargers: list[dict[str, Any]] = field(default_factory=list)
    existing_charger_type: str = ""
    unmet_penalty_eur_per_kwh: float = 10.0
    reinforcement_cost_eur_per_kva: float = 25.0
    allow_reinforcement: bool = True
    replug_rounds: int = 1
    min_assignment_kwh_per_day: float = 1.0
    solver: str = SolverName.HIGHS.value
    time_limit_s: float = 300.0
    mip_gap: float = 0.01


@dataclass(frozen=True)
class GridSettings:
    """Settings of the grid overlay (section ``[grid]``).

    The off-peak window and the slot length are those of ``[projection]``.

    Attributes
    ----------
    power_factor
        cos φ between charging power (kW) and the grid's capacities (kVA), in (0, 1]; also
        turns kW and MW of a capacity-map source into kVA.
    k_anonymity
        Least number of organisations behind a node's figures in the files for the grid
        operator (congestion and capacity requests); smaller groups are merged into the
        parent node or suppressed.
    max_mapping_distance_km
        Farthest a depot with private terrain is mapped to the nearest MV cabin, km.
    status_headroom_kva
        Conservative headroom per status (``green``, ``orange``, ``red``, ``unknown``) for
        nodes known only by their status, kVA; statuses not given keep the mapping's figures.
    """

    power_factor: float = DEFAULT_POWER_FACTOR
    k_anonymity: int = 3
    max_mapping_distance_km: float = 2.0
    status_headroom_kva: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    """A whole scenario.

    Attributes
    ----------
    name
        Label shown in reports.
    projection
        Demand projection settings.
    optimisation
        Site-selection optimisation settings.
    grid
        Grid overlay settings.
    """

    name: str = "default"
    projection: ProjectionSettings = field(default_factory=ProjectionSettings)
    optimisation: OptimisationSettings = field(default_factory=OptimisationSettings)
    grid: GridSettings = field(default_factory=GridSettings)


_SECTIONS: dict[str, type[Any]] = {
    "projection": ProjectionSettings,
    "optimisation": OptimisationSettings,
    "grid": GridSettings,
}
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
    return scenario_from_mapping(read_toml(path), source=str(path))


def read_toml(path: Path, error: type[ScenarioError] = ScenarioError) -> dict[str, Any]:
    """Parse a TOML file.

    Raises
    ------
    ScenarioError
        (or ``error``) naming the file when it cannot be read or is not valid TOML.
    """
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: not valid TOML: {exc}") from exc
    except OSError as exc:
        raise error(f"{path}: cannot be read: {exc.strerror}") from exc


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


def with_optimisation(scenario: Scenario, source: str, **overrides: Any) -> Scenario:
    """The scenario (checked when read) with ``[optimisation]`` keys replaced (``--mip-gap``).

    Raises
    ------
    ScenarioError
        Naming ``source`` and each replaced value that is not valid.
    """
    if not overrides:
        return scenario
    optimisation = dataclasses.replace(scenario.optimisation, **overrides)
    problems = _check_optimisation(optimisation)
    if problems:
        raise ScenarioError(f"{source}: " + "; ".join(problems))
    return dataclasses.replace(scenario, optimisation=optimisation)


def check_scenario(scenario: Scenario, source: str = "scenario") -> None:
    """Check the values of a scenario.

    Raises
    ------
    ScenarioError
        Listing every invalid value.
    """
    problems = _check_projection(scenario.projection)
    problems += _check_optimisation(scenario.optimisation)
    problems += _check_grid(scenario.grid)
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
    return problems + _check_uptake(p) + _check_unreported(p)


def _check_uptake(p: ProjectionSettings) -> list[str]:
    levels = ["low", "mid", "high"]
    if p.uptake == "":
        return []
    if p.uptake not in levels:
        hint = suggest(p.uptake, levels)
        return [
            f"[projection] uptake '{p.uptake}': valid: low, mid or high (or leave it out)"
            + (f" — did you mean '{hint}'?" if hint else "")
        ]
    return []


def _check_unreported(p: ProjectionSettings) -> list[str]:
    problems = []
    shares = {"unreported_share": p.unreported_share} | {
        f"unreported_share_by_nis.{code}": share
        for code, share in p.unreported_share_by_nis.items()
    }
    for key, share in shares.items():
        if not isinstance(share, int | float) or not 0 <= share < 1:
            problems.append(f"[projection] {key} {share!r}: valid: a share from 0 to below 1")
    for code in p.unreported_share_by_nis:
        if not geography.is_flemish_nis(code):
            problems.append(
                f"[projection] unreported_share_by_nis: '{code}' is not the NIS code of a "
                "Flemish municipality; valid: 5-digit NIS codes (2025)"
            )
    return problems


def _check_optimisation(o: OptimisationSettings) -> list[str]:
    problems = _check_optimisation_numbers(o)
    for key, enum in (
        ("offpeak_policy", OffpeakPolicy),
        ("ladder_policy", LadderPolicy),
        ("solver", SolverName),
    ):
        problems += _check_choice(key, getattr(o, key), values(enum))
    problems += _check_table("energy_price_eur_per_kwh", o.energy_price_eur_per_kwh, PRICE_PERIODS)
    problems += _check_table("tier_premium_eur_per_kwh", o.tier_premium_eur_per_kwh, SITE_TIERS)
    problems += _check_table("detour_km_max", o.detour_km_max, SITE_TIERS)
    for key in ("sharing", "allow_reinforcement"):
        if not isinstance(getattr(o, key), bool):
            problems.append(f"[optimisation] {key} {getattr(o, key)!r}: valid: true or false")
    for key in ("max_sites_per_tier", "replug_rounds"):
        number = getattr(o, key)
        if isinstance(number, float | bool):
            problems.append(f"[optimisation] {key} {number!r}: valid: a whole number")
    problems += _check_chargers(o.chargers)
    return problems


#: Numeric keys of ``[optimisation]``: (lowest, highest, lowest allowed itself).
_OPTIMISATION_RANGES: dict[str, tuple[float, float, bool]] = {
    "capex_annuity_factor": (0.0, 1.0, True),
    "operating_days_per_year": (0.0, 366.0, False),
    "ladder_tolerance": (0.0, 0.1, True),
    "access_cost_eur_per_km": (0.0, math.inf, True),
    "detour_factor": (1.0, math.inf, True),
    "unmet_penalty_eur_per_kwh": (0.0, math.inf, False),
    "reinforcement_cost_eur_per_kva": (0.0, math.inf, True),
    "time_limit_s": (0.0, math.inf, False),
    "mip_gap": (0.0, 1.0, True),
    "max_sites_per_tier": (0.0, math.inf, True),
    "replug_rounds": (1.0, math.inf, True),
    "min_assignment_kwh_per_day": (0.0, math.inf, True),
}


def _check_optimisation_numbers(o: OptimisationSettings) -> list[str]:
    problems: list[str] = []
    for key, (low, high, low_allowed) in _OPTIMISATION_RANGES.items():
        number = getattr(o, key)
        fits = isinstance(number, int | float) and not isinstance(number, bool)
        if fits:
            fits = (low <= number if low_allowed else low < number) and number <= high
        if not fits:
            bound = f"{'at least' if low_allowed else 'above'} {low:g}"
            upper = f", at most {high:g}" if math.isfinite(high) else ""
            problems.append(f"[optimisation] {key} {number!r}: valid: a number {bound}{upper}")
    return problems


def _check_choice(key: str, value: object, options: list[str]) -> list[str]:
    if value in options:
        return []
    hint = suggest(str(value), options)
    text = f"[optimisation] {key} {value!r}: valid: {', '.join(options)}"
    return [text + (f" — did you mean '{hint}'?" if hint else "")]


def _check_table(key: str, table: Mapping[str, Any], keys: tuple[str, ...]) -> list[str]:
    problems: list[str] = []
    for name, number in table.items():
        if name not in keys:
            problems.append(_unknown(name, list(keys), f"key in [optimisation.{key}]"))
        elif isinstance(number, bool) or not isinstance(number, int | float) or number < 0:
            problems.append(f"[optimisation] {key}.{name} {number!r}: valid: a number >= 0")
    return problems


def _check_chargers(chargers: object) -> list[str]:
    if not isinstance(chargers, list):
        return ["[optimisation] chargers: valid: a list of tables ([[optimisation.chargers]])"]
    if not chargers:
        return []
    try:
        catalogue_from_records(chargers)
    except ChargerCatalogueError as exc:
        return [f"[optimisation] chargers: {problem}" for problem in exc.problems]
    return []


def _check_grid(g: GridSettings) -> list[str]:
    problems: list[str] = []
    number = g.power_factor
    if isinstance(number, bool) or not isinstance(number, int | float) or not 0 < number <= 1:
        problems.append(f"[grid] power_factor {number!r}: valid: above 0, at most 1")
    k = g.k_anonymity
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        problems.append(f"[grid] k_anonymity {k!r}: valid: a whole number >= 1")
    km = g.max_mapping_distance_km
    if isinstance(km, bool) or not isinstance(km, int | float) or not 0 <= km < math.inf:
        problems.append(f"[grid] max_mapping_distance_km {km!r}: valid: a number >= 0")
    for status, kva in g.status_headroom_kva.items():
        if status not in status_values():
            problems.append(
                _unknown(status, status_values(), "status in [grid.status_headroom_kva]")
            )
        elif isinstance(kva, bool) or not isinstance(kva, int | float) or kva < 0:
            problems.append(f"[grid] status_headroom_kva.{status} {kva!r}: valid: a number >= 0")
    return problems
