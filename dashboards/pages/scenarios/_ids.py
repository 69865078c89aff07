"""Component ids of the Scenarios page, shared by its layout and its callbacks."""

from __future__ import annotations

from charging_sites import TIER_VALUES

CHAIN = "sc-chain"
CHARGERS = "sc-chargers"
COMPARE = "sc-compare"
COMPARE_TABLE = "sc-compare-table"
COSTS = "sc-costs"
CURRENT = "sc-current"
ENERGY = "sc-energy"
ERROR = "sc-error"
ERROR_TEXT = "sc-error-text"
LADDER = "sc-ladder"
MAP_A = "sc-map-a"
MAP_B = "sc-map-b"
NAME = "sc-name"
OFFPEAK = "sc-offpeak"
POLL = "sc-poll"
PRICE_OFFPEAK = "sc-price-offpeak"
PRICE_PEAK = "sc-price-peak"
PROGRESS = "sc-progress"
PROPOSE = "sc-propose"
REINFORCEMENT = "sc-reinforcement"
RUN = "sc-run"
RUNS = "sc-runs"
RUN_A = "sc-run-a"
RUN_B = "sc-run-b"
RUN_STATUS = "sc-run-status"
SHARING = "sc-sharing"
TIME_LIMIT = "sc-time-limit"
YEAR = "sc-year"

#: The detour limit's number input of each tier.
DETOUR = {tier: f"sc-detour-{tier}" for tier in TIER_VALUES}

#: Knob name → control id, in the order of the run callback's states.
KNOB_CONTROLS = {
    "year": YEAR,
    "ladder_policy": LADDER,
    "offpeak_policy": OFFPEAK,
    "sharing": SHARING,
    "reinforcement": REINFORCEMENT,
    "price_peak": PRICE_PEAK,
    "price_offpeak": PRICE_OFFPEAK,
    **{f"detour_{tier}": DETOUR[tier] for tier in TIER_VALUES},
    "time_limit": TIME_LIMIT,
    "chain": CHAIN,
    "propose_sites": PROPOSE,
}
