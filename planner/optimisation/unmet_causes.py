"""Why a plan leaves a need's energy unserved: one cause per need, with the figure that binds.

The cause is read from the inputs and the solved plan, in this order (the first that holds):

1. :attr:`UnmetCause.NO_SITE_IN_REACH`: the need has no candidate site; the figure is the
   nearest site of a tier the need may use against that tier's detour limit;
2. :attr:`UnmetCause.OUTSIDE_AVAILABILITY`: every candidate site is closed during the dwell
   window;
3. a physical limit at every candidate site open in the window, the most frequent one named:
   :attr:`UnmetCause.CONNECTION_CAP` (the site draws its ``max_power_kw`` in a slot of the
   window), :attr:`UnmetCause.GRID_HEADROOM` (a grid node feeding the site has no margin left in
   a slot of the window and may not be reinforced), :attr:`UnmetCause.CAPACITY` (the site holds
   its ``max_chargers``);
4. :attr:`UnmetCause.COST`: capacity was there; serving costs more than the unmet penalty.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from charging_sites import Tier
from geography import haversine_km
from planner.optimisation.inputs import PlanInputs
from planner.optimisation.timeblocks import describe_slots, minute_mask, slot_share

#: A limit counts as reached within this share of it (solver tolerance).
AT_LIMIT = 1e-3


class UnmetCause(StrEnum):
    """What keeps a need's energy from being served."""

    NO_SITE_IN_REACH = "no_site_in_reach"
    OUTSIDE_AVAILABILITY = "dwell_window_outside_site_availability"
    CONNECTION_CAP = "site_connection_cap"
    GRID_HEADROOM = "grid_headroom_without_reinforcement"
    CAPACITY = "charger_capacity"
    COST = "cost_above_penalty"


def explain_unmet(
    inputs: PlanInputs,
    unmet: pd.DataFrame,
    sites: pd.DataFrame,
    site_power: pd.DataFrame,
    node_load: pd.DataFrame,
) -> pd.DataFrame:
    """``unmet`` with a ``cause`` (:class:`UnmetCause`) and a ``binding`` figure per row.

    Parameters
    ----------
    inputs
        The year's inputs.
    unmet, sites, site_power, node_load
        The plan's tables (:mod:`planner.optimisation.tables`).
    """
    plan = _PlanView(inputs, sites, site_power, node_load)
    causes = [plan.explain(str(need_id)) for need_id in unmet["need_id"]]
    return unmet.assign(
        cause=[str(cause) for cause, _ in causes], binding=[text for _, text in causes]
    )


class _PlanView:
    """The inputs and plan indexed for the per-need questions."""

    def __init__(
        self,
        inputs: PlanInputs,
        sites: pd.DataFrame,
        site_power: pd.DataFrame,
        node_load: pd.DataFrame,
    ) -> None:
        self.inputs = inputs
        self.needs = {str(row["need_id"]): row for row in inputs.needs.to_dict("records")}
        self.sites = {str(row["site_id"]): row for row in inputs.sites.to_dict("records")}
        self.site_table = inputs.sites
        self.pairs = inputs.pairs.groupby("need_id")["site_id"].agg(list).to_dict()
        chargers = zip(sites["site_id"], sites["chargers"], strict=True)
        self.chosen = {str(site): int(n) for site, n in chargers}
        self.power = _pivot(site_power, "site_id", "power_kw", self.n_slots)
        self.margin = _pivot(node_load, "node_id", "margin_kva", self.n_slots, fill=np.inf)
        parents = inputs.grid.nodes.set_index("node_id")["parent_id"]
        self.parents = {str(k): str(v) for k, v in parents.items() if isinstance(v, str) and v}

    @property
    def n_slots(self) -> int:
        return 24 * 60 // self.inputs.slot_minutes

    def explain(self, need_id: str) -> tuple[UnmetCause, str]:
        need = self.needs[need_id]
        candidates = [str(s) for s in self.pairs.get(need_id, [])]
        if not candidates:
            return UnmetCause.NO_SITE_IN_REACH, self.nearest_site(need)
        window = self.window_slots(str(need["dwell_start"]), str(need["dwell_end"]))
        open_sites = [s for s in candidates if (window & self.site_slots(s)).any()]
        if not open_sites:
            return UnmetCause.OUTSIDE_AVAILABILITY, self.availability(need, candidates)
        limits = [self.limit_at(site, window) for site in open_sites]
        reached = [limit for limit in limits if limit is not None]
        if len(reached) == len(open_sites):
            cause = Counter(cause for cause, _ in reached).most_common(1)[0][0]
            return cause, next(text for c, text in reached if c == cause)
        penalty = self.inputs.settings.unmet_penalty_eur_per_kwh
        return UnmetCause.COST, (
            f"{len(open_sites) - len(reached)} candidate site(s) had room; serving costs more "
            f"than the unmet penalty of {penalty:g} EUR/kWh"
        )

    def window_slots(self, start: str, end: str) -> np.ndarray:
        share: np.ndarray = slot_share(minute_mask(start, end), self.inputs.slot_minutes) > 0
        return share

    def site_slots(self, site_id: str) -> np.ndarray:
        site = self.sites[site_id]
        return self.window_slots(str(site["available_from"]), str(site["available_to"]))

    def nearest_site(self, need: Mapping[Hashable, Any]) -> str:
        settings = self.inputs.settings
        if pd.isna(need.get("lat")) or pd.isna(need.get("lon")):
            return "no candidate site for this need in the case"
        km = haversine_km(
            float(need["lat"]), float(need["lon"]),
            self.site_table["lat"].to_numpy(float), self.site_table["lon"].to_numpy(float),
        ) * settings.detour_factor  # fmt: skip
        table = self.site_table.assign(km=km)
        usable = table[table["tier"] != Tier.PRIVATE]
        if usable.empty:
            return "no semi-public or public site in the case"
        best = usable.sort_values(["km", "site_id"]).iloc[0].to_dict()
        limit = settings.detour_km_max.get(str(best["tier"]), 0.0)
        tier = str(best["tier"]).replace("_", "-")
        return f"nearest {tier} site {best['site_id']} {best['km']:.2f} km, limit {limit:g} km"

    def availability(self, need: Mapping[Hashable, Any], candidates: list[str]) -> str:
        windows = sorted(
            {
                f"{self.sites[s]['available_from']}–{self.sites[s]['available_to']}"
                for s in candidates
            }
        )
        return (
            f"dwell window {need['dwell_start']}–{need['dwell_end']}; the {len(candidates)} "
            f"site(s) in reach open {', '.join(windows[:3])}"
        )

    def limit_at(self, site_id: str, window: np.ndarray) -> tuple[UnmetCause, str] | None:
        site = self.sites[site_id]
        slots = self.slots_at_limit(self.power.get(site_id), float(site["max_power_kw"]), window)
        if slots:
            return UnmetCause.CONNECTION_CAP, (
                f"site {site_id} draws its {float(site['max_power_kw']):g} kW connection at "
                f"{describe_slots(slots, self.inputs.slot_minutes)}"
            )
        grid = self.grid_limit(str(site.get("grid_node_id", "") or ""), window)
        if grid is not None:
            return UnmetCause.GRID_HEADROOM, grid
        chargers = self.chosen_chargers(site_id)
        if chargers >= int(site["max_chargers"]) > 0:
            return UnmetCause.CAPACITY, (
                f"site {site_id} holds {chargers} of its {int(site['max_chargers'])} chargers"
            )
        return None

    def slots_at_limit(self, power: np.ndarray | None, cap: float, window: np.ndarray) -> list[int]:
        if power is None or not np.isfinite(cap) or cap <= 0:
            return []
        full = power >= cap * (1 - AT_LIMIT)
        return [int(slot) for slot in np.flatnonzero(full & window)]

    def grid_limit(self, node_id: str, window: np.ndarray) -> str | None:
        if self.inputs.settings.allow_reinforcement:
            return None
        while node_id:
            margin = self.margin.get(node_id)
            if margin is not None:
                tight = np.flatnonzero((margin <= AT_LIMIT) & window)
                if len(tight):
                    when = describe_slots(tight.tolist(), self.inputs.slot_minutes)
                    return (
                        f"grid node {node_id} has no headroom left at {when}; "
                        "reinforcement is not allowed"
                    )
            node_id = self.parents.get(node_id, "")
        return None

    def chosen_chargers(self, site_id: str) -> int:
        return self.chosen.get(site_id, 0)


def _pivot(
    table: pd.DataFrame, key: str, value: str, n_slots: int, fill: float = 0.0
) -> dict[str, np.ndarray]:
    """Per key an array over the slots of the day (``fill`` where the table has no row)."""
    arrays: dict[str, np.ndarray] = {}
    if table.empty:
        return arrays
    for name, rows in table.groupby(key):
        array = np.full(n_slots, fill, dtype=np.float64)
        array[rows["slot"].to_numpy(int)] = rows[value].to_numpy(float)
        arrays[str(name)] = array
    return arrays
