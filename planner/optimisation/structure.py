"""The index structure of one year's problem: blocks, pair–block rows, binding grid rows.

:func:`make_structure` decides which variables and rows exist before anything is handed to
PuLP, all with numpy:

* **Off-peak only.** Under ``offpeak_policy = "hard"`` a need charges only off-peak when its
  dwell window holds enough off-peak time to charge its daily energy at full power
  (vehicles × ``max_charge_kw``); a need whose window does not allow it keeps its whole window.
* **Binding grid rows.** Headroom below 0 is an existing shortfall, not something the new load
  must repair: the new load must fit in max(headroom, 0) plus reinforcement.  A node and slot
  whose headroom (plus reinforcement already requested) is at least the connection capacity
  of all sites below it cannot bind and gets no row; NaN headroom does not bind either.
* **Blocks** (:mod:`planner.optimisation.timeblocks`) from the windows that matter and the
  binding headroom.
* **Pair–block rows**: one power variable per pair and block in which the need may charge at
  the site (dwell window ∩ availability ∩ off-peak where hard), with its upper bound
  (vehicles × ``max_kw_per_vehicle`` × share of the slot) and its energy price.  Pairs whose
  vehicle category no catalogue type suits, or with no such block, are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from planner.optimisation.inputs import ChargerOption, PlanInputs, charger_floors
from planner.optimisation.timeblocks import (
    Blocks,
    BoolArray,
    FloatArray,
    make_blocks,
    minute_mask,
    slot_share,
    slot_signatures,
)
from planner.scenario import OffpeakPolicy

IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True)
class PlanStructure:
    """Positions and coefficients of the model's variables and rows.

    Attributes
    ----------
    blocks
        Slots merged into blocks.
    need_hard
        Per need: charges off-peak only.
    pair_need, pair_site
        Per kept pair (rows of ``pairs``): position of its need and site.
    pairs
        The kept pairs (a subset of the input's pairs, re-indexed).
    row_pair, row_block
        Per pair–block row: its pair and block.
    row_ub_kw
        Highest power of the pair in each slot of the block, kW.
    row_price_eur_per_kwh
        Energy price of the pair in the block, EUR/kWh.
    need_block_cap_kw
        Highest power of each need in each block (vehicles × max kW × window share), kW.
    binding_kva
        Headroom per (grid node, block) where it binds (≥ 0), NaN where it cannot, kVA.
    site_nodes
        Per site: positions of its grid node and the nodes above it (empty when unmapped).
    site_categories
        Per site: vehicle categories of the needs paired with it and their vehicle kW.
    site_types
        Per site: positions (in the catalogue) of the charger types it may get.
    """

    blocks: Blocks
    need_hard: BoolArray
    pairs: pd.DataFrame
    pair_need: IntArray
    pair_site: IntArray
    row_pair: IntArray
    row_block: IntArray
    row_ub_kw: FloatArray
    row_price_eur_per_kwh: FloatArray
    need_block_cap_kw: FloatArray
    binding_kva: FloatArray
    site_nodes: list[list[int]]
    site_categories: list[dict[str, float]]
    site_types: list[list[int]]

    @property
    def row_hours(self) -> FloatArray:
        """Hours of the block of each pair–block row."""
        hours: FloatArray = self.blocks.hours[self.row_block]
        return hours


def make_structure(inputs: PlanInputs, coarse: bool = False) -> PlanStructure:
    """Decide the blocks, the pair–block rows and the binding grid rows of a year's problem.

    Parameters
    ----------
    inputs
        The year's inputs.
    coarse
        Merge slots that differ only in grid headroom (hours where a window starts or ends
        stay apart) and bound each block's load by the mean headroom of its slots
        (:func:`_block_mean_headroom`): a relaxation of the hourly model (see
        :mod:`planner.optimisation.coarse`).
    """
    needs, sites = inputs.needs, inputs.sites
    offpeak = minute_mask(*inputs.offpeak_window)
    need_cap_kw = needs["vehicles"].to_numpy(float) * needs["max_kw_per_vehicle"].to_numpy(float)
    hard = _need_hard(inputs, offpeak, need_cap_kw)
    pairs = _suited_pairs(inputs)
    pair_need = pd.Index(needs["need_id"]).get_indexer(pairs["need_id"]).astype(np.intp)
    pair_site = pd.Index(sites["site_id"]).get_indexer(pairs["site_id"]).astype(np.intp)
    share, price = _pair_slots(inputs, pair_need, pair_site, hard)
    ub_kw = need_cap_kw[pair_need, None] * share
    site_nodes = _site_nodes(inputs)
    binding, potential = _binding_headroom(inputs, site_nodes, pair_site, ub_kw)
    shaping = np.zeros((0, inputs.n_slots)) if coarse else binding
    blocks = make_blocks(
        slot_signatures(_masks(inputs, pairs, offpeak), shaping, inputs.slot_minutes),
        inputs.slot_minutes,
    )
    rows = _pair_block_rows(ub_kw, price, blocks)
    kept = np.unique(rows[0])
    remap = np.full(len(pairs), -1, dtype=np.intp)
    remap[kept] = np.arange(len(kept))
    categories = _site_categories(inputs, pair_need[kept], pair_site[kept])
    binding_kva = (
        _block_mean_headroom(binding, potential, blocks)
        if coarse
        else binding[:, blocks.first_slot]
    )
    return PlanStructure(
        blocks=blocks,
        need_hard=hard,
        pairs=pairs.iloc[kept].reset_index(drop=True),
        pair_need=pair_need[kept],
        pair_site=pair_site[kept],
        row_pair=remap[rows[0]],
        row_block=rows[1],
        row_ub_kw=rows[2],
        row_price_eur_per_kwh=rows[3],
        need_block_cap_kw=_need_block_cap_kw(inputs, hard, blocks, need_cap_kw),
        binding_kva=binding_kva,
        site_nodes=site_nodes,
        site_categories=categories,
        site_types=_site_types(inputs, categories, set(charger_floors(inputs))),
    )


def _need_hard(inputs: PlanInputs, offpeak: BoolArray, need_cap_kw: FloatArray) -> BoolArray:
    """Needs that charge off-peak only (``hard`` policy, enough off-peak time in the window)."""
    needs = inputs.needs
    if inputs.settings.offpeak_policy != OffpeakPolicy.HARD:
        return np.zeros(len(needs), dtype=bool)
    hours = np.array(
        [
            (minute_mask(a, b) & offpeak).sum() / 60
            for a, b in zip(needs["dwell_start"], needs["dwell_end"], strict=True)
        ]
    )
    energy = needs["energy_kwh_per_day"].to_numpy(float)
    return np.asarray(hours * need_cap_kw >= energy - 1e-9, dtype=bool)


def _need_block_cap_kw(
    inputs: PlanInputs, hard: BoolArray, blocks: Blocks, need_cap_kw: FloatArray
) -> FloatArray:
    """Highest power of each need in each block: vehicles × max kW × its window's share.

    The share is worked out once per distinct (dwell window, off-peak only).
    """
    needs = inputs.needs
    windows = list(
        zip(needs["dwell_start"].astype(str), needs["dwell_end"].astype(str), strict=True)
    )
    keys = [(start, end, bool(h)) for (start, end), h in zip(windows, hard.tolist(), strict=True)]
    shares = {key: _block_share(_window_mask(inputs, *key), blocks, inputs) for key in set(keys)}
    share = np.stack([shares[key] for key in keys]) if keys else np.zeros((0, blocks.count))
    cap: FloatArray = need_cap_kw[:, None] * share
    return cap


def _window_mask(inputs: PlanInputs, start: str, end: str, hard: bool) -> BoolArray:
    """Minutes of a dwell window, off-peak only when ``hard``."""
    mask = minute_mask(start, end)
    return mask & minute_mask(*inputs.offpeak_window) if hard else mask


def _block_share(mask: BoolArray, blocks: Blocks, inputs: PlanInputs) -> FloatArray:
    share: FloatArray = slot_share(mask, inputs.slot_minutes)[blocks.first_slot]
    return share


def _suited_pairs(inputs: PlanInputs) -> pd.DataFrame:
    """Pairs whose need's category some catalogue type suits."""
    suited = {c for option in inputs.chargers for c in option.categories}
    category = inputs.pairs["need_id"].map(
        dict(zip(inputs.needs["need_id"], inputs.needs["category"], strict=True))
    )
    return inputs.pairs[category.isin(suited).to_numpy()].reset_index(drop=True)


def _site_nodes(inputs: PlanInputs) -> list[list[int]]:
    node_ids = inputs.grid.nodes["node_id"].tolist()
    position = {node: i for i, node in enumerate(node_ids)}
    paths = inputs.grid.ancestors()
    return [[position[n] for n in paths.get(node, [])] for node in inputs.sites["grid_node_id"]]


def _binding_headroom(
    inputs: PlanInputs, site_nodes: list[list[int]], pair_site: IntArray, ub_kw: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Headroom per (node, slot) where it can bind, NaN elsewhere (see the module docstring).

    Also the potential load per (node, slot): what every site below could draw, kVA.

    The most a site can draw in a slot is the smaller of its connection cap and the sum of
    what its paired needs can take then.
    """
    grid = inputs.grid
    site_load = np.zeros((len(inputs.sites), inputs.n_slots))
    np.add.at(site_load, pair_site, ub_kw)
    site_load = np.minimum(site_load, inputs.sites["max_power_kw"].to_numpy(float)[:, None])
    potential = np.zeros((len(grid.nodes), inputs.n_slots))
    for site in np.unique(pair_site):
        for node in site_nodes[site]:
            potential[node] += site_load[site] / inputs.power_factor
    carried = grid.nodes["node_id"].map(inputs.built.reinforcement_kva).fillna(0.0).to_numpy(float)
    headroom = np.clip(grid.headroom_kva, 0.0, None) + carried[:, None]
    return np.where(headroom < potential - 1e-9, headroom, np.nan), potential


def _block_mean_headroom(binding: FloatArray, potential: FloatArray, blocks: Blocks) -> FloatArray:
    """Per (node, block): the mean over the block's slots of what the load may reach, kVA.

    In each slot the load below a node is at most its headroom and at most its potential
    (what every site below could draw then), so it is at most the smaller of the two; a
    load constant over the block (the block's variables) that respects the hourly rows
    respects their mean.  NaN where no slot of the block binds.
    """
    if not len(binding):
        return np.zeros((0, blocks.count))
    reach = np.where(np.isnan(binding), potential, np.minimum(binding, potential))
    result = np.full((len(binding), blocks.count), np.nan)
    for block, slots in enumerate(blocks.slots):
        at = list(slots)
        binds = ~np.isnan(binding[:, at]).all(axis=1)
        result[binds, block] = reach[binds][:, at].mean(axis=1)
    return result


def _masks(inputs: PlanInputs, pairs: pd.DataFrame, offpeak: BoolArray) -> list[BoolArray]:
    """The distinct windows that shape the day: needs', used sites', and off-peak if priced."""
    needs, sites = inputs.needs, inputs.sites
    windows = set(zip(needs["dwell_start"], needs["dwell_end"], strict=True))
    used = sites[sites["site_id"].isin(set(pairs["site_id"]))]
    windows |= set(zip(used["available_from"], used["available_to"], strict=True))
    masks = [minute_mask(str(a), str(b)) for a, b in sorted(windows)]
    if inputs.settings.offpeak_policy != OffpeakPolicy.NONE:
        masks.append(offpeak)
    return masks


def _pair_slots(
    inputs: PlanInputs, pair_need: IntArray, pair_site: IntArray, hard: BoolArray
) -> tuple[FloatArray, FloatArray]:
    """Per pair and slot: the share of the slot open to it and its energy price (EUR/kWh)."""
    keys = pd.DataFrame(
        {
            "need_window": inputs.needs["dwell_start"].to_numpy()[pair_need]
            + "-"
            + inputs.needs["dwell_end"].to_numpy()[pair_need],
            "site_window": inputs.sites["available_from"].to_numpy()[pair_site]
            + "-"
            + inputs.sites["available_to"].to_numpy()[pair_site],
            "hard": hard[pair_need],
        }
    )
    share = np.zeros((len(keys), inputs.n_slots))
    price = np.zeros((len(keys), inputs.n_slots))
    for (need_window, site_window, is_hard), group in keys.groupby(
        ["need_window", "site_window", "hard"], sort=False
    ):
        rows = group.index.to_numpy(np.intp)
        share[rows], price[rows] = _window_slots(
            inputs, str(need_window), str(site_window), bool(is_hard)
        )
    return share, price


def _window_slots(
    inputs: PlanInputs, need_window: str, site_window: str, hard: bool
) -> tuple[FloatArray, FloatArray]:
    """Share of each slot open to a need–site window pair, and its energy price (EUR/kWh)."""
    offpeak = minute_mask(*inputs.offpeak_window)
    mask = minute_mask(*need_window.split("-")) & minute_mask(*site_window.split("-"))
    if hard:
        mask = mask & offpeak
    share = slot_share(mask, inputs.slot_minutes)
    offpeak_share = slot_share(mask & offpeak, inputs.slot_minutes)
    prices = inputs.settings.energy_price_eur_per_kwh
    peak, low = float(prices.get("peak", 0.0)), float(prices.get("offpeak", 0.0))
    if inputs.settings.offpeak_policy == OffpeakPolicy.NONE:
        return share, np.full(share.size, peak)
    safe = np.where(share > 0, share, 1.0)
    price = (offpeak_share * low + (share - offpeak_share) * peak) / safe
    return share, np.where(share > 0, price, peak)


def _pair_block_rows(
    ub_kw: FloatArray, price: FloatArray, blocks: Blocks
) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """Pair, block, upper bound (kW) and price (EUR/kWh) of every pair–block row.

    Every slot of a block has the same data, so the block's first slot speaks for it.
    """
    first = blocks.first_slot
    pair, block = np.nonzero(ub_kw[:, first] > 0)
    return (
        pair.astype(np.intp),
        block.astype(np.intp),
        ub_kw[pair, np.asarray(first)[block]],
        price[pair, np.asarray(first)[block]],
    )


def charger_kw(option: ChargerOption, category: str, vehicle_kw: float) -> float:
    """Power one charger of a type gives one vehicle of a category, kW (0 if unsuited).

    Examples
    --------
    >>> dc350 = ChargerOption("DC 350 kW", 350.0, 150_000.0, frozenset({"N3"}))
    >>> charger_kw(dc350, "N3", 150.0), charger_kw(dc350, "N1", 11.0)
    (150.0, 0.0)
    """
    return min(option.power_kw, vehicle_kw) if option.suits(category) else 0.0


def _site_categories(
    inputs: PlanInputs, pair_need: IntArray, pair_site: IntArray
) -> list[dict[str, float]]:
    """Per site: the categories of the needs paired with it and their vehicle kW."""
    category = inputs.needs["category"].to_numpy()[pair_need]
    vehicle_kw = inputs.needs["max_kw_per_vehicle"].to_numpy(float)[pair_need]
    at_site: list[dict[str, float]] = [{} for _ in range(len(inputs.sites))]
    for site, cat, kw in zip(pair_site, category, vehicle_kw, strict=True):
        at_site[site][str(cat)] = max(at_site[site].get(str(cat), 0.0), float(kw))
    return at_site


def _site_types(
    inputs: PlanInputs, categories: list[dict[str, float]], floors: set[tuple[int, int]]
) -> list[list[int]]:
    """Charger types worth offering each site.

    Those that serve a category paired with the site and are not dominated, plus the types
    it already has.  Type ``k`` is dominated when another type costs no more, has at least
    as many connectors and gives every category at the site at least as much power per
    charger (:func:`charger_kw`): any plan with a ``k`` charger is then no better than the
    same plan with the other type.
    """
    result = []
    for site, cats in enumerate(categories):
        vectors = [
            np.array([charger_kw(option, c, kw) for c, kw in sorted(cats.items())])
            for option in inputs.chargers
        ]
        useful = [k for k, v in enumerate(vectors) if v.size and v.max() > 0]
        kept = [
            k for k in useful if (site, k) in floors or not _dominated(k, useful, vectors, inputs)
        ]
        result.append(sorted(set(kept) | {k for s, k in floors if s == site}))
    return result


def _dominated(k: int, useful: list[int], vectors: list[FloatArray], inputs: PlanInputs) -> bool:
    capex = [option.capex_eur for option in inputs.chargers]
    plugs = [option.connectors for option in inputs.chargers]
    for other in useful:
        if other == k or capex[other] > capex[k] or not np.all(vectors[other] >= vectors[k]):
            continue
        if plugs[other] < plugs[k]:
            continue
        strictly = (
            capex[other] < capex[k]
            or plugs[other] > plugs[k]
            or np.any(vectors[other] > vectors[k])
        )
        if strictly or other < k:
            return True
    return False
