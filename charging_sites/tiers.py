"""The three tiers of the charging ladder (*ladder van laden*)."""

from __future__ import annotations

from enum import StrEnum


class Tier(StrEnum):
    """Tier of a candidate charging site, in ladder order.

    The framework agreement asks for as much charging as possible on private (company) terrain,
    supplemented by semi-public sites, and finally public sites.
    """

    PRIVATE = "private"  # a company's own terrain
    SEMI_PUBLIC = "semi_public"  # business parks, logistics hubs, De Lijn depots by day
    PUBLIC = "public"  # public charging hubs


#: The tiers in ladder order: private first, public last.
TIER_ORDER: tuple[Tier, ...] = (Tier.PRIVATE, Tier.SEMI_PUBLIC, Tier.PUBLIC)

#: Tier values as plain strings, in ladder order.
TIER_VALUES: tuple[str, ...] = tuple(tier.value for tier in TIER_ORDER)

#: The tiers open to every organisation (their sites are always shared).
SHARED_TIERS: tuple[Tier, ...] = (Tier.SEMI_PUBLIC, Tier.PUBLIC)
