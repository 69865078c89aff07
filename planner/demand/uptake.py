"""Voluntary zero-emission uptake: the low, mid and high curves and where they come from.

``[projection] uptake = "low" | "mid" | "high"`` picks one curve per calendar group (vans: N1,
N2L; trucks: N2H, N3, T).  A curve gives, per year, the share of the vehicles that the ZES rules
do *not* (yet) require to be zero-emission that are battery-electric anyway (see
:mod:`planner.rules.fleet`, "Voluntary uptake").  It is a stock share, derived by fleet turnover
from published figures rather than guessed year by year:

``S(Y) = S(2024) + Σ_{y=2025..Y} s_new(y) / turnover_years``, capped at 1,

with ``S(2024)`` the battery-electric share of the EU stock, ``s_new(y)`` the battery-electric
share of new registrations (linear between the anchor years) and ``turnover_years`` the years
in which a fleet is renewed once (the default replacement ages: 8 for vans, 10 for trucks).

Sources of the anchors
----------------------
- Stock in 2024: ACEA, *Vehicles on European Roads* (2024 data): battery-electric 1.3 % of EU
  vans and 0.3 % of EU trucks.
- New registrations in 2024: ACEA, *New commercial vehicle registrations*, full year 2024:
  electrically chargeable vans 6.1 % (7.2 % in 2023), trucks 2.3 % (stable).
- Supply targets: EU CO₂ standards for vans (Regulation (EU) 2019/631 as amended by (EU)
  2023/851: −50 % in 2030, −100 % in 2035) and for heavy-duty vehicles (Regulation (EU)
  2024/1610: −45 % in 2030, −65 % in 2035), read as the zero-emission share of new sales they
  require of manufacturers.

The three levels:

- ``low``: new-sales shares stay at their 2024 level (the market of 2023–2024 stalls).
- ``mid``: new-sales shares grow linearly to what the CO₂ standards require (vans 50 % in 2030,
  100 % in 2035; trucks 35 % in 2030, 65 % in 2035).
- ``high``: the standards' 2035 levels are reached in 2030 (vans 100 %; trucks 65 %, 100 % in
  2035).

These are planning assumptions for a range, not forecasts; a scenario can replace them with its
own ``[projection.voluntary_uptake]`` table.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from planner.domain import CALENDAR_GROUP, CalendarGroup, VehicleCategory


class UptakeLevel(StrEnum):
    """The named voluntary-uptake curves."""

    LOW = "low"
    MID = "mid"
    HIGH = "high"


@dataclass(frozen=True)
class UptakeAnchors:
    """What one curve is derived from.

    Attributes
    ----------
    stock_share_2024
        Battery-electric share of the stock in 2024 (0–1).
    new_sales_share
        Battery-electric share of new registrations in anchor years (0–1), linear in between
        and constant after the last.
    turnover_years
        Years in which the fleet is renewed once.
    """

    stock_share_2024: float
    new_sales_share: tuple[tuple[int, float], ...]
    turnover_years: float

    def new_sales_in(self, year: int) -> float:
        """The new-sales share in a year (linear between anchors).

        Examples
        --------
        >>> UptakeAnchors(0.0, ((2024, 0.1), (2030, 0.4)), 8).new_sales_in(2027)
        0.25
        """
        anchors = self.new_sales_share
        if year <= anchors[0][0]:
            return anchors[0][1]
        for (year_a, share_a), (year_b, share_b) in itertools.pairwise(anchors):
            if year_a <= year <= year_b:
                return share_a + (share_b - share_a) * (year - year_a) / (year_b - year_a)
        return anchors[-1][1]


#: Base year of the stock share.
BASE_YEAR = 2024
VAN_STOCK_2024, TRUCK_STOCK_2024 = 0.013, 0.003
VAN_NEW_2024, TRUCK_NEW_2024 = 0.061, 0.023
VAN_TURNOVER_YEARS, TRUCK_TURNOVER_YEARS = 8.0, 10.0

ANCHORS: dict[UptakeLevel, dict[CalendarGroup, UptakeAnchors]] = {
    UptakeLevel.LOW: {
        CalendarGroup.LIGHT: UptakeAnchors(
            VAN_STOCK_2024, ((BASE_YEAR, VAN_NEW_2024),), VAN_TURNOVER_YEARS
        ),
        CalendarGroup.HEAVY: UptakeAnchors(
            TRUCK_STOCK_2024, ((BASE_YEAR, TRUCK_NEW_2024),), TRUCK_TURNOVER_YEARS
        ),
    },
    UptakeLevel.MID: {
        CalendarGroup.LIGHT: UptakeAnchors(
            VAN_STOCK_2024,
            ((BASE_YEAR, VAN_NEW_2024), (2030, 0.50), (2035, 1.0)),
            VAN_TURNOVER_YEARS,
        ),
        CalendarGroup.HEAVY: UptakeAnchors(
            TRUCK_STOCK_2024,
            ((BASE_YEAR, TRUCK_NEW_2024), (2030, 0.35), (2035, 0.65)),
            TRUCK_TURNOVER_YEARS,
        ),
    },
    UptakeLevel.HIGH: {
        CalendarGroup.LIGHT: UptakeAnchors(
            VAN_STOCK_2024, ((BASE_YEAR, VAN_NEW_2024), (2030, 1.0)), VAN_TURNOVER_YEARS
        ),
        CalendarGroup.HEAVY: UptakeAnchors(
            TRUCK_STOCK_2024,
            ((BASE_YEAR, TRUCK_NEW_2024), (2030, 0.65), (2035, 1.0)),
            TRUCK_TURNOVER_YEARS,
        ),
    },
}


def stock_share(anchors: UptakeAnchors, year: int) -> float:
    """The stock share a curve gives in a year (see the module docstring).

    Examples
    --------
    >>> round(stock_share(ANCHORS[UptakeLevel.LOW][CalendarGroup.LIGHT], 2027), 4)
    0.0359
    """
    share = anchors.stock_share_2024
    for each in range(BASE_YEAR + 1, year + 1):
        share += anchors.new_sales_in(each) / anchors.turnover_years
    return min(share, 1.0)


@cache
def uptake_share(level: str, category: str, year: int) -> float:
    """The voluntary ZE share of a named curve for a vehicle category in a year.

    Examples
    --------
    >>> [round(uptake_share(level, "N1", 2030), 3) for level in ("low", "mid", "high")]
    [0.059, 0.251, 0.47]
    >>> [round(uptake_share(level, "N3", 2030), 3) for level in ("low", "mid", "high")]
    [0.017, 0.131, 0.236]
    """
    group = CALENDAR_GROUP[VehicleCategory(category)]
    return stock_share(ANCHORS[UptakeLevel(level)][group], year)


def uptake_table(level: str, years: list[int]) -> dict[str, list[float]]:
    """A curve per vehicle category over years (for documentation and the dashboard)."""
    return {
        category.value: [uptake_share(level, category.value, year) for year in years]
        for category in VehicleCategory
    }
