"""Synthetic candidate charging sites of all three tiers of the charging ladder.

Private sites are the depots of organisations with their own terrain.  Semi-public sites are
De Lijn bus depots (open to logistics 07:00–19:00), business parks and retail car parks (open
at night).  Public sites lie near the core and at the edge of the main city of each region, and
in other towns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from charging_sites import Tier
from planner.generate.catalogue import CATEGORIES
from planner.generate.places import (
    FloatArray,
    IntArray,
    make_ids,
    nearest_km,
    scatter_around,
    weighted_choice,
)
from planner.generate.zones import main_cities
from planner.scenario import ProjectionSettings

#: Share of the sites whose grid connection (nearest cabin) is stated.
GRID_NODE_SHARE = 0.6
#: A site is only tied to a cabin closer than this, km.
GRID_NODE_MAX_KM = 1.0
#: Share of the public sites that already have a few chargers.
EXISTING_PUBLIC_SHARE = 0.3


@dataclass(frozen=True)
class SiteKind:
    """A kind of semi-public or public site and the ranges its numbers are drawn from."""

    key: str
    label: str
    tier: Tier
    reach_share: tuple[float, float]  # distance from the town's point, share of its reach
    chargers: tuple[int, int]
    power_kw: tuple[float, float]
    cost_eur: tuple[float, float]
    available: tuple[str, str]
    anchor: str  # beyond the mandatory sites: "zes_city" (any ZES city) or "town" (any town)
    weight: float  # share among the sites beyond the mandatory ones


KINDS = (
    SiteKind("de_lijn", "De Lijn depot", Tier.SEMI_PUBLIC, (0.5, 1.0), (10, 30), (1000, 2500),
             (25_000, 60_000), ("07:00", "19:00"), "town", 0.03),
    SiteKind("public_core", "public charging hub {} centre", Tier.PUBLIC, (0.0, 0.3), (4, 16),
             (300, 1500), (30_000, 80_000), ("00:00", "00:00"), "zes_city", 0.12),
    SiteKind("public_edge", "public charging hub {} edge", Tier.PUBLIC, (0.7, 1.0), (6, 24),
             (500, 2500), (30_000, 80_000), ("00:00", "00:00"), "zes_city", 0.15),
    SiteKind("business_park", "business park", Tier.SEMI_PUBLIC, (0.3, 0.9), (6, 30), (500, 2000),
             (20_000, 50_000), ("06:00", "22:00"), "town", 0.37),
    SiteKind("retail_car_park", "retail car park", Tier.SEMI_PUBLIC, (0.2, 0.9), (4, 12),
             (200, 800), (15_000, 40_000), ("21:00", "07:00"), "town", 0.13),
    SiteKind("public_town", "public charging", Tier.PUBLIC, (0.1, 0.6), (2, 8), (100, 600),
             (20_000, 50_000), ("00:00", "00:00"), "town", 0.20),
)  # fmt: skip
#: Kinds every region gets first, at its main city (its centrumstad, or a ZES city where it
#: has none), in this order, while the site budget lasts.
MANDATORY_KINDS = ("de_lijn", "public_core", "public_edge", "business_park")
KIND_INDEX = {kind.key: index for index, kind in enumerate(KINDS)}


def make_private_sites(
    rng: np.random.Generator, depots: pd.DataFrame, needs: pd.DataFrame
) -> pd.DataFrame:
    """One private site per depot with its own terrain, sized to the depot's fleet."""
    own = depots[depots["private_terrain"]].reset_index(drop=True)
    fleet = _fleet_of_depots(needs).reindex(own["depot_id"]).fillna(0.0)
    n = len(own)
    chargers = np.clip(np.ceil(fleet["vehicles"].to_numpy() * rng.uniform(0.6, 1.0, n)), 2, 80)
    power = chargers * np.maximum(fleet["charge_kw"].to_numpy(), 11.0) * rng.uniform(0.4, 0.8, n)
    cost = 8000 + 2500 * chargers * rng.uniform(0.8, 1.2, n)
    return pd.DataFrame(
        {
            "site_id": "SITE-DEPOT-" + own["depot_id"],
            "name": own["organisation_name"] + " depot " + own["municipality"],
            "tier": Tier.PRIVATE.value,
            "owner_organisation_id": own["organisation_id"],
            "lat": own["lat"],
            "lon": own["lon"],
            "nis_code": own["nis_code"],
            "max_chargers": chargers.astype(np.int64),
            "existing_chargers": np.minimum(fleet["electric"].to_numpy(), chargers).astype(
                np.int64
            ),
            "max_power_kw": _round_to(np.clip(power, 50, 5000), 50),
            "fixed_cost_eur": _round_to(cost, 500),
            "available_from": "00:00",
            "available_to": "00:00",
            "shared": own["share_willing"].to_numpy() & (rng.random(n) < 0.5),
        }
    )


def _fleet_of_depots(needs: pd.DataFrame) -> pd.DataFrame:
    """Vehicles, electric vehicles and mean charging power (kW) per depot."""
    max_kw = ProjectionSettings().max_charge_kw
    kw = needs["vehicle_category"].map({c: max_kw[c] for c in CATEGORIES}).astype(float)
    frame = pd.DataFrame(
        {
            "depot_id": needs["depot_id"],
            "vehicles": needs["vehicles"].astype(float),
            "electric": needs["vehicles"].where(needs["fuel"] == "electric", 0).astype(float),
            "kw_vehicles": kw * needs["vehicles"],
        }
    )
    fleet = frame.groupby("depot_id").sum()
    fleet["charge_kw"] = fleet["kw_vehicles"] / fleet["vehicles"]
    return fleet


def _round_to(values: FloatArray, step: int) -> IntArray:
    """Round to whole multiples of ``step`` (at least one step)."""
    rounded: IntArray = np.maximum(step, np.round(values / step) * step).astype(np.int64)
    return rounded


def plan_shared_kinds(
    rng: np.random.Generator, n_sites: int, n_regions: int
) -> tuple[IntArray, IntArray]:
    """Kind of each shared site and, for the mandatory ones, the region it belongs to (-1 = any).

    Every region first gets a De Lijn depot, then a public site near its core, then one at its
    edge, then a business park, as far as ``n_sites`` reaches; the rest is drawn by weight.
    """
    mandatory = [KIND_INDEX[key] for key in MANDATORY_KINDS for _ in range(n_regions)]
    regions = [region for _ in MANDATORY_KINDS for region in range(n_regions)]
    count = min(n_sites, len(mandatory))
    rest = weighted_choice(rng, np.array([k.weight for k in KINDS]), n_sites - count)
    kind = np.concatenate([np.array(mandatory[:count], dtype=np.int64), rest])
    region = np.concatenate([np.array(regions[:count], dtype=np.int64), np.full(rest.size, -1)])
    return kind.astype(np.int64), region.astype(np.int64)


def make_shared_sites(
    rng: np.random.Generator,
    municipalities: pd.DataFrame,
    zones: pd.DataFrame,
    town_weights: FloatArray,
    n_sites: int,
) -> tuple[pd.DataFrame, IntArray]:
    """Semi-public and public sites, and the kind (index into :data:`KINDS`) of each.

    Parameters
    ----------
    rng
        The case's random generator.
    municipalities
        The region's municipalities (with ``reach_km``).
    zones
        The ZES cities.
    town_weights
        Relative chance of each municipality to host a business park or similar site.
    n_sites
        How many sites to make.
    """
    anchors = _Anchors.of(municipalities, zones, town_weights)
    kind, region = plan_shared_kinds(rng, n_sites, len(anchors.main_rows))
    town = anchors.draw(rng, kind, region)
    place = municipalities.iloc[town].reset_index(drop=True)
    reach = place["reach_km"].to_numpy()
    low = np.array([k.reach_share[0] for k in KINDS])[kind] * reach
    high = np.array([k.reach_share[1] for k in KINDS])[kind] * reach
    lat, lon = scatter_around(rng, place["lat"].to_numpy(), place["lon"].to_numpy(), low, high)
    sites = pd.DataFrame(
        {
            "site_id": make_ids("SYN-SITE", n_sites),
            "name": _shared_names(kind, place["name_nl"].to_numpy()),
            "tier": [str(KINDS[k].tier) for k in kind],
            "owner_organisation_id": "",
            "lat": lat.round(6),
            "lon": lon.round(6),
            "nis_code": place["nis_code"].to_numpy(),
        }
    )
    return pd.concat([sites, _shared_numbers(rng, kind)], axis=1), kind


@dataclass(frozen=True)
class _Anchors:
    """Rows (in the municipality table) that shared sites are placed in, with their weights."""

    main_rows: IntArray  # one main city per region
    zes_rows: IntArray
    weights: FloatArray  # of every municipality

    @classmethod
    def of(cls, municipalities: pd.DataFrame, zones: pd.DataFrame, weights: FloatArray) -> _Anchors:
        row_of = {code: row for row, code in enumerate(municipalities["nis_code"])}
        first = main_cities(municipalities, zones).drop_duplicates("vervoerregio_code")
        return cls(
            main_rows=np.array([row_of[c] for c in first["nis_code"]], dtype=np.int64),
            zes_rows=np.array([row_of[c] for c in zones["nis_code"]], dtype=np.int64),
            weights=weights,
        )

    def draw(self, rng: np.random.Generator, kind: IntArray, region: IntArray) -> IntArray:
        """Return the town of each site: its region's main city, a ZES city, or any town."""
        town = weighted_choice(rng, self.weights, len(kind))
        zes = self.zes_rows[weighted_choice(rng, self.weights[self.zes_rows], len(kind))]
        at_zes = np.array([KINDS[k].anchor == "zes_city" for k in kind], dtype=bool)
        town = np.where(at_zes, zes, town)
        return np.where(region >= 0, self.main_rows[np.maximum(region, 0)], town).astype(np.int64)


def _shared_names(kind: IntArray, town: npt.NDArray[np.object_]) -> list[str]:
    names = [
        "Synthetic "
        + (KINDS[k].label.format(t) if "{}" in KINDS[k].label else f"{KINDS[k].label} {t}")
        for k, t in zip(kind, town, strict=True)
    ]
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name} {seen[name]}")
    return unique


def _shared_numbers(rng: np.random.Generator, kind: IntArray) -> pd.DataFrame:
    """Capacity, cost and opening hours of the shared sites, drawn from each kind's ranges."""
    chargers = rng.integers(
        [KINDS[k].chargers[0] for k in kind], [KINDS[k].chargers[1] + 1 for k in kind]
    )
    power = rng.uniform([KINDS[k].power_kw[0] for k in kind], [KINDS[k].power_kw[1] for k in kind])
    cost = rng.uniform([KINDS[k].cost_eur[0] for k in kind], [KINDS[k].cost_eur[1] for k in kind])
    public = np.array([KINDS[k].tier == Tier.PUBLIC for k in kind])
    existing = np.where(
        public & (rng.random(len(kind)) < EXISTING_PUBLIC_SHARE), rng.integers(1, 3, len(kind)), 0
    )
    return pd.DataFrame(
        {
            "max_chargers": chargers.astype(np.int64),
            "existing_chargers": np.minimum(existing, chargers).astype(np.int64),
            "max_power_kw": _round_to(power, 50),
            "fixed_cost_eur": _round_to(cost, 500),
            "available_from": [KINDS[k].available[0] for k in kind],
            "available_to": [KINDS[k].available[1] for k in kind],
            "shared": True,
        }
    )


def assign_grid_nodes(
    rng: np.random.Generator, sites: pd.DataFrame, cabins: pd.DataFrame
) -> pd.Series:
    """Return the nearest cabin's ``node_id`` for some sites (:data:`GRID_NODE_SHARE`), else ''."""
    index, distance = nearest_km(
        sites["lat"].to_numpy(), sites["lon"].to_numpy(),
        cabins["lat"].to_numpy(), cabins["lon"].to_numpy(),
    )  # fmt: skip
    stated = (rng.random(len(sites)) < GRID_NODE_SHARE) & (distance < GRID_NODE_MAX_KM)
    node = cabins["node_id"].to_numpy()[index]
    return pd.Series(np.where(stated, node, ""), index=sites.index, name="grid_node_id")
