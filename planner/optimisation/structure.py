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

from dataclasses import dataclass, replace

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
from validation.timeofday import MINUTES_PER_DAY, parse_hhmm

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


def make_structure(
    inputs: PlanInputs, coarse: bool = False, max_blocks: int | None = None
) -> PlanStructure:
    """Decide the blocks, the pair–block rows and the binding grid rows of a year's problem.

    Parameters
    ----------
    inputs
        The year's inputs.
    coarse
        Use the coarse blocks of :func:`coarse_blocks` (prices constant in each, a block
        starting where most dwell windows start or end) with the mean of each slot's bounds
        (:func:`block_values`) and of each node's headroom (:func:`_block_mean_headroom`):
        a relaxation of the hourly model (see :mod:`planner.optimisation.coarse`).
    max_blocks
        Most coarse blocks (default :data:`MAX_COARSE_BLOCKS`); with 1 the whole day is one
        block (prices then differ inside it: a relaxation of what can be charged, not of
        the cost).
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
    blocks = (
        coarse_blocks(inputs, offpeak, pair_need, pair_site, max_blocks or MAX_COARSE_BLOCKS)
        if coarse
        else make_blocks(
            slot_signatures(_masks(inputs, pairs, offpeak), binding, inputs.slot_minutes),
            inputs.slot_minutes,
        )
    )
    rows = _pair_block_rows(ub_kw, price, blocks, coarse)
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
        need_block_cap_kw=_need_block_cap_kw(inputs, hard, blocks, need_cap_kw, coarse),
        binding_kva=binding_kva,
        site_nodes=site_nodes,
        site_categories=categories,
        site_types=_site_types(inputs, categories, set(charger_floors(inputs))),
    )


def only_pairs(structure: PlanStructure, keep: BoolArray) -> PlanStructure:
    """The structure with only the ``keep`` pairs and their pair–block rows.

    Everything else stays as it is: the blocks, the binding grid rows, and each site's
    categories and charger types (so the rows a kept pair is in have the coefficients they
    have in the whole structure).  A model built on it is the whole model with the dropped
    pairs' variables taken out: it has the whole model's plans in which those pairs charge
    nothing (:func:`planner.optimisation.coarse.repair_pairs`).

    Examples
    --------
    >>> import pandas as pd
    >>> from planner.optimisation.timeblocks import Blocks
    >>> whole = PlanStructure(
    ...     blocks=Blocks(60, ((0,), (1,))),
    ...     need_hard=np.zeros(2, dtype=bool),
    ...     pairs=pd.DataFrame({"need_id": ["a", "a", "b"], "site_id": ["x", "y", "x"]}),
    ...     pair_need=np.array([0, 0, 1]), pair_site=np.array([0, 1, 0]),
    ...     row_pair=np.array([0, 0, 1, 2]), row_block=np.array([0, 1, 1, 0]),
    ...     row_ub_kw=np.array([1.0, 2.0, 3.0, 4.0]),
    ...     row_price_eur_per_kwh=np.array([0.1, 0.2, 0.3, 0.4]),
    ...     need_block_cap_kw=np.ones((2, 2)), binding_kva=np.full((0, 2), np.nan),
    ...     site_nodes=[[], []], site_categories=[{"N1": 11.0}, {"N1": 11.0}],
    ...     site_types=[[0], [0]],
    ... )
    >>> part = only_pairs(whole, np.array([True, False, True]))
    >>> part.pairs["site_id"].tolist(), part.row_pair.tolist(), part.row_ub_kw.tolist()
    (['x', 'x'], [0, 0, 1], [1.0, 2.0, 4.0])
    """
    kept = np.flatnonzero(keep)
    position = np.full(len(structure.pairs), -1, dtype=np.intp)
    position[kept] = np.arange(kept.size)
    rows = keep[structure.row_pair]
    return replace(
        structure,
        pairs=structure.pairs.iloc[kept].reset_index(drop=True),
        pair_need=structure.pair_need[kept],
        pair_site=structure.pair_site[kept],
        row_pair=position[structure.row_pair[rows]],
        row_block=structure.row_block[rows],
        row_ub_kw=structure.row_ub_kw[rows],
        row_price_eur_per_kwh=structure.row_price_eur_per_kwh[rows],
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
    inputs: PlanInputs, hard: BoolArray, blocks: Blocks, need_cap_kw: FloatArray, coarse: bool
) -> FloatArray:
    """Highest power of each need in each block: vehicles × max kW × its window's share.

    The share is worked out once per distinct (dwell window, off-peak only).
    """
    needs = inputs.needs
    windows = list(
        zip(needs["dwell_start"].astype(str), needs["dwell_end"].astype(str), strict=True)
    )
    keys = [(start, end, bool(h)) for (start, end), h in zip(windows, hard.tolist(), strict=True)]
    shares = {
        key: block_values(
            slot_share(_window_mask(inputs, *key), inputs.slot_minutes), blocks, coarse
        )
        for key in set(keys)
    }
    share = np.stack([shares[key] for key in keys]) if keys else np.zeros((0, blocks.count))
    cap: FloatArray = need_cap_kw[:, None] * share
    return cap


def _window_mask(inputs: PlanInputs, start: str, end: str, hard: bool) -> BoolArray:
    """Minutes of a dwell window, off-peak only when ``hard``."""
    mask = minute_mask(start, end)
    return mask & minute_mask(*inputs.offpeak_window) if hard else mask


def block_values(per_slot: FloatArray, blocks: Blocks, coarse: bool) -> FloatArray:
    """Per block (last axis): the first slot's value, or the mean over its slots when coarse.

    In an hourly block every slot has the same data, so the first slot speaks for it.

    Examples
    --------
    >>> blocks = Blocks(60, ((0, 1), (2,)))
    >>> block_values(np.array([1.0, 3.0, 5.0]), blocks, False).tolist()
    [1.0, 5.0]
    >>> block_values(np.array([1.0, 3.0, 5.0]), blocks, True).tolist()
    [2.0, 5.0]
    """
    if not coarse:
        first: FloatArray = per_slot[..., blocks.first_slot]
        return first
    means = [per_slot[..., list(slots)].mean(axis=-1) for slots in blocks.slots]
    result: FloatArray = np.stack(means, axis=-1)
    return result


#: Most blocks of the coarse model (:func:`coarse_blocks`).
MAX_COARSE_BLOCKS = 16


def coarse_blocks(
    inputs: PlanInputs,
    offpeak: BoolArray,
    pair_need: IntArray | None = None,
    pair_site: IntArray | None = None,
    max_blocks: int = MAX_COARSE_BLOCKS,
) -> Blocks:
    """The coarse model's blocks: hours where prices change, and where most windows turn.

    A block starts wherever the off-peak share of a slot changes (so every price is the same
    in all slots of a block) and, up to ``max_blocks`` blocks, at the slots where
    the most energy's dwell windows start or end (ties: earlier slot).  Any such partition
    gives a relaxation with block-mean data (:func:`block_values`).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> import pandas as pd
    >>> needs = pd.DataFrame({"dwell_start": ["18:00", "18:00", "08:00"],
    ...     "dwell_end": ["07:00", "07:00", "17:00"], "energy_kwh_per_day": [50.0, 50.0, 10.0]})
    >>> settings = SimpleNamespace(offpeak_policy="none")
    >>> inputs = SimpleNamespace(needs=needs, n_slots=24, slot_minutes=60, settings=settings)
    >>> blocks = coarse_blocks(inputs, minute_mask("22:00", "07:00"))
    >>> blocks.first_slot, blocks.slots[-1]
    ([7, 8, 17, 18], (18, 19, 20, 21, 22, 23, 0, 1, 2, 3, 4, 5, 6))
    """
    n = inputs.n_slots
    starts: set[int] = set()
    if max_blocks <= 1:
        return Blocks(inputs.slot_minutes, (tuple(range(n)),))
    if inputs.settings.offpeak_policy != OffpeakPolicy.NONE:
        share = slot_share(offpeak, inputs.slot_minutes)
        starts = {t for t in range(n) if share[t] != share[t - 1]}
    score = np.zeros(n)
    needs = inputs.needs
    energy = needs["energy_kwh_per_day"].to_numpy(float)
    for column in ("dwell_start", "dwell_end"):
        for need, hhmm in enumerate(needs[column].astype(str).tolist()):
            for slot in _slots_changed(hhmm, inputs.slot_minutes):
                score[slot % n] += energy[need]
    if pair_site is not None and pair_need is not None:
        sites = inputs.sites
        paired = np.bincount(pair_site, weights=energy[pair_need], minlength=len(sites))
        start, end = (sites[c].astype(str).tolist() for c in ("available_from", "available_to"))
        for site in np.flatnonzero(paired > 0).tolist():
            if start[site] != end[site]:
                for hhmm in (start[site], end[site]):
                    for slot in _slots_changed(hhmm, inputs.slot_minutes):
                        score[slot % n] += paired[site]
    for t in sorted(range(n), key=lambda t: (-score[t], t)):
        if len(starts) >= max_blocks or score[t] <= 0:
            break
        starts.add(t)
    if not starts:
        return Blocks(inputs.slot_minutes, (tuple(range(n)),))
    ordered = sorted(starts)
    ends = [*ordered[1:], ordered[0] + n]
    runs = [tuple(range(a, b)) for a, b in zip(ordered, ends, strict=True)]
    return Blocks(inputs.slot_minutes, tuple(tuple(t % n for t in run) for run in runs))


def _slots_changed(hhmm: str, slot_minutes: int) -> tuple[int, ...]:
    """The slots whose coverage a window starting or ending at a time of day changes.

    The slot it falls in, and the next one too when it falls inside a slot (that slot is
    partly covered).

    Examples
    --------
    >>> _slots_changed("07:00", 60), _slots_changed("07:30", 60)
    ((7,), (7, 8))
    """
    slot, offset = divmod(parse_hhmm(hhmm) % MINUTES_PER_DAY, slot_minutes)
    return (slot, slot + 1) if offset else (slot,)


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
    ub_kw: FloatArray, price: FloatArray, blocks: Blocks, coarse: bool
) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """Pair, block, upper bound (kW) and price (EUR/kWh) of every pair–block row.

    Hourly, every slot of a block has the same data, so the block's first slot speaks for
    it; coarse, the bound is the mean over the block's slots and the price the one of the
    slots the pair may charge in (the same in all of them, see :func:`coarse_blocks`).
    """
    ub = block_values(ub_kw, blocks, coarse)
    charged = block_values(ub_kw * price, blocks, coarse)
    pair, block = np.nonzero(ub > 0)
    row_ub = ub[pair, block]
    row_price = (
        charged[pair, block] / row_ub
        if coarse
        else price[pair, np.asarray(blocks.first_slot)[block]]
    )
    return pair.astype(np.intp), block.astype(np.intp), row_ub, row_price


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
