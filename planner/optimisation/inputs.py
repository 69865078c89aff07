"""What one year's site-selection problem is built from: :class:`PlanInputs`.

The inputs are plain, validated tables, so that a micro-case for a test is a few rows and a
case folder is turned into them once (:mod:`planner.optimisation.case`).

Tables and their columns
------------------------
``needs`` (one row per need with energy in the year)
    ``need_id``, ``organisation_id``, ``depot_id``, ``category``, ``energy_kwh_per_day``
    (drawn from the charger per working day), ``vehicles`` (battery-electric vehicles),
    ``max_kw_per_vehicle``, ``dwell_start``, ``dwell_end`` (HH:MM), ``nis_code``,
    ``vervoerregio_code``, ``share_willing``, ``private_terrain``.
``sites``
    ``site_id``, ``name``, ``tier`` (``private``, ``semi_public``, ``public``),
    ``owner_organisation_id`` ('' when none), ``nis_code``, ``vervoerregio_code``,
    ``grid_node_id`` ('' when the site is not tied to the grid), ``max_chargers``,
    ``existing_chargers``, ``max_power_kw``, ``fixed_cost_eur``, ``available_from``,
    ``available_to`` (HH:MM; equal means all day).
``pairs`` (the need–site pairs that may exist; see :mod:`planner.optimisation.pairs`)
    ``need_id``, ``site_id``, ``distance_km``, ``access_cost_eur_per_kwh``, ``own``.
``grid.nodes``
    ``node_id``, ``name``, ``level``, ``parent_id`` ('' for a root); with
    ``grid.headroom_kva`` of shape (nodes, slots), NaN where unknown (does not bind).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from planner.domain import VehicleCategory, values
from planner.scenario import SITE_TIERS, OptimisationSettings
from validation import LaadplanError
from validation.timeofday import MINUTES_PER_DAY

FloatArray = npt.NDArray[np.float64]

NEED_COLUMNS = (
    "need_id",
    "organisation_id",
    "depot_id",
    "category",
    "energy_kwh_per_day",
    "vehicles",
    "max_kw_per_vehicle",
    "dwell_start",
    "dwell_end",
    "nis_code",
    "vervoerregio_code",
    "share_willing",
    "private_terrain",
)
SITE_COLUMNS = (
    "site_id",
    "name",
    "tier",
    "owner_organisation_id",
    "nis_code",
    "vervoerregio_code",
    "grid_node_id",
    "max_chargers",
    "existing_chargers",
    "max_power_kw",
    "fixed_cost_eur",
    "available_from",
    "available_to",
    "shared",
)
PAIR_COLUMNS = ("need_id", "site_id", "distance_km", "access_cost_eur_per_kwh", "own")
NODE_COLUMNS = ("node_id", "name", "level", "parent_id")


class PlanInputError(LaadplanError):
    """The inputs of a plan are inconsistent (a missing column, an unknown id …)."""


@dataclass(frozen=True)
class ChargerOption:
    """A charger type of the catalogue.

    Attributes
    ----------
    name
        Label, unique in the catalogue.
    power_kw
        Power of one charger, kW.
    capex_eur
        Investment per charger, EUR.
    categories
        Vehicle categories it suits.
    connectors
        Plugs of one charger: vehicles plugged in at once.
    """

    name: str
    power_kw: float
    capex_eur: float
    categories: frozenset[str]
    connectors: int = 1

    def suits(self, category: str) -> bool:
        """Whether a vehicle of ``category`` can charge on this type."""
        return category in self.categories


def chargers_from(catalogue: Iterable[Any]) -> tuple[ChargerOption, ...]:
    """Turn catalogue entries (objects or mappings with the same names) into options.

    Entries without ``categories`` (or with an empty set) suit every category; entries
    without ``connectors`` have one.
    """
    options = []
    for entry in catalogue:
        categories = _field(entry, "categories") or values(VehicleCategory)
        options.append(
            ChargerOption(
                name=str(_field(entry, "name")),
                power_kw=float(_field(entry, "power_kw")),
                capex_eur=float(_field(entry, "capex_eur")),
                categories=frozenset(str(c) for c in categories),
                connectors=int(_field(entry, "connectors") or 1),
            )
        )
    return tuple(options)


def _field(entry: Any, key: str) -> Any:
    return entry.get(key) if isinstance(entry, Mapping) else getattr(entry, key, None)


@dataclass(frozen=True)
class GridInputs:
    """The grid as the model needs it.

    Attributes
    ----------
    nodes
        ``node_id``, ``name``, ``level``, ``parent_id`` ('' for a root).
    headroom_kva
        Headroom per node (rows of ``nodes``) and slot, kVA; NaN does not bind.
    """

    nodes: pd.DataFrame
    headroom_kva: FloatArray

    @classmethod
    def empty(cls, n_slots: int) -> GridInputs:
        """A case without grid data: nothing binds."""
        return cls(
            pd.DataFrame({c: pd.Series(dtype="str") for c in NODE_COLUMNS}), np.zeros((0, n_slots))
        )

    def ancestors(self) -> dict[str, list[str]]:
        """Each node and the nodes above it, from the node up to its root."""
        parent = dict(zip(self.nodes["node_id"], self.nodes["parent_id"], strict=True))
        paths: dict[str, list[str]] = {}
        for node in parent:
            path, current = [], node
            while current and current not in path:
                path.append(current)
                current = parent.get(current, "")
            paths[node] = path
        return paths


@dataclass(frozen=True)
class BuiltCapacity:
    """What earlier plan years built: carried into a year, never removed.

    Attributes
    ----------
    chargers
        Chargers per (site, charger type) in place (pre-existing ones included).
    opened
        Sites already open.
    reinforcement_kva
        Reinforcement already requested per node, kVA.
    investment_eur_per_year
        Annuity of the sites opened and chargers bought in earlier plan years, EUR/year
        (pre-existing chargers excluded).
    """

    chargers: Mapping[tuple[str, str], int] = field(default_factory=dict)
    opened: frozenset[str] = frozenset()
    reinforcement_kva: Mapping[str, float] = field(default_factory=dict)
    investment_eur_per_year: float = 0.0


@dataclass(frozen=True)
class PlanInputs:
    """Everything one year's problem is built from (see the module docstring).

    Attributes
    ----------
    year
        The plan year.
    needs, sites, pairs
        The tables of the module docstring.
    chargers
        The charger catalogue.
    grid
        Grid nodes and headroom per slot.
    settings
        The ``[optimisation]`` settings.
    slot_minutes
        Slot length, minutes (``[projection] slot_minutes``).
    offpeak_window
        Off-peak start and end, HH:MM (``[projection]``).
    power_factor
        cos φ between charging power (kW) and grid capacity (kVA) (``[grid]``).
    built
        Capacity carried from earlier years.
    """

    year: int
    needs: pd.DataFrame
    sites: pd.DataFrame
    pairs: pd.DataFrame
    chargers: tuple[ChargerOption, ...]
    grid: GridInputs
    settings: OptimisationSettings = field(default_factory=OptimisationSettings)
    slot_minutes: int = 60
    offpeak_window: tuple[str, str] = ("22:00", "07:00")
    power_factor: float = 1.0
    built: BuiltCapacity = field(default_factory=BuiltCapacity)

    def __post_init__(self) -> None:
        check_plan_inputs(self)

    @property
    def n_slots(self) -> int:
        """Slots per day."""
        return MINUTES_PER_DAY // self.slot_minutes


def check_plan_inputs(inputs: PlanInputs) -> None:
    """Check that the tables fit together.

    Raises
    ------
    PlanInputError
        Naming every problem found.
    """
    problems: list[str] = []
    for name, columns in (
        ("needs", NEED_COLUMNS),
        ("sites", SITE_COLUMNS),
        ("pairs", PAIR_COLUMNS),
    ):
        table: pd.DataFrame = getattr(inputs, name)
        missing = [c for c in columns if c not in table.columns]
        if missing:
            problems.append(f"{name}: missing column(s) {', '.join(missing)}")
    if problems:
        raise PlanInputError("; ".join(problems))
    problems += _unique("needs", inputs.needs["need_id"]) + _unique(
        "sites", inputs.sites["site_id"]
    )
    problems += _known("pairs need_id", inputs.pairs["need_id"], inputs.needs["need_id"])
    problems += _known("pairs site_id", inputs.pairs["site_id"], inputs.sites["site_id"])
    bad_tiers = sorted(set(inputs.sites["tier"]) - set(SITE_TIERS))
    if bad_tiers:
        problems.append(f"sites: unknown tier(s) {bad_tiers}; valid: {', '.join(SITE_TIERS)}")
    nodes = inputs.grid.nodes["node_id"]
    mapped = inputs.sites["grid_node_id"][inputs.sites["grid_node_id"] != ""]
    problems += _known("sites grid_node_id", mapped, nodes)
    if inputs.grid.headroom_kva.shape != (len(nodes), inputs.n_slots):
        problems.append(
            f"grid headroom has shape {inputs.grid.headroom_kva.shape}; "
            f"expected ({len(nodes)}, {inputs.n_slots}) for nodes × slots"
        )
    if not inputs.chargers:
        problems.append("the charger catalogue is empty")
    if problems:
        raise PlanInputError("; ".join(problems))


def _unique(name: str, ids: pd.Series) -> list[str]:
    doubles = sorted(set(ids[ids.duplicated()].astype(str)))
    return [f"{name}: repeated id(s) {', '.join(doubles[:5])}"] if doubles else []


def _known(name: str, ids: pd.Series, valid: pd.Series) -> list[str]:
    unknown = sorted(set(ids.astype(str)) - set(valid.astype(str)))
    return [f"{name}: unknown id(s) {', '.join(unknown[:5])}"] if unknown else []


def existing_type(chargers: tuple[ChargerOption, ...], settings: OptimisationSettings) -> str:
    """Catalogue type of the sites' ``existing_chargers``.

    ``settings.existing_charger_type`` when set; otherwise the lowest-power type that suits
    every category, or else the lowest-power type.

    Raises
    ------
    PlanInputError
        When the type set in the scenario is not in the catalogue.
    """
    names = [c.name for c in chargers]
    if settings.existing_charger_type:
        if settings.existing_charger_type not in names:
            raise PlanInputError(
                f"[optimisation] existing_charger_type '{settings.existing_charger_type}' is "
                f"not in the charger catalogue (valid: {', '.join(names)})"
            )
        return settings.existing_charger_type
    everything = set(values(VehicleCategory))
    universal = [c for c in chargers if everything <= c.categories]
    return min(universal or chargers, key=lambda c: c.power_kw).name


def charger_floors(inputs: PlanInputs) -> dict[tuple[int, int], int]:
    """Chargers in place per (site, type) positions: built earlier, else existing ones.

    A site's ``existing_chargers`` count as the :func:`existing_type`; chargers carried from
    earlier plan years (which include the existing ones) replace them.
    """
    site_pos = {str(s): i for i, s in enumerate(inputs.sites["site_id"])}
    type_pos = {option.name: k for k, option in enumerate(inputs.chargers)}
    floor: dict[tuple[int, int], int] = {}
    carried_sites = {site for site, _ in inputs.built.chargers}
    existing_k = type_pos[existing_type(inputs.chargers, inputs.settings)]
    for site_id, count in zip(
        inputs.sites["site_id"], inputs.sites["existing_chargers"], strict=True
    ):
        if int(count) > 0 and site_id not in carried_sites:
            floor[(site_pos[str(site_id)], existing_k)] = int(count)
    for (site_id, name), count in inputs.built.chargers.items():
        if count > 0 and site_id in site_pos and name in type_pos:
            floor[(site_pos[site_id], type_pos[name])] = int(count)
    return floor
