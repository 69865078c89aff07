"""How big a synthetic case is: rows per file, defaults per region, and the split of sites."""

from __future__ import annotations

import math
from dataclasses import dataclass

from validation import LaadplanError

#: Default rows per municipality of the region.
NEEDS_PER_MUNICIPALITY = 12
SITES_PER_MUNICIPALITY = 5
CABINS_PER_MUNICIPALITY = 5
MUNICIPALITIES_PER_SUBSTATION = 3
#: Share of the candidate sites that are not company depots (semi-public and public).
SHARED_SITE_SHARE = 0.35
#: At least this many semi-public and public sites: a De Lijn depot, a public site near the
#: core, one at the city edge and a business park.
MIN_SHARED_SITES = 4
#: Share of the depots that have their own terrain (each gets a private candidate site).
PRIVATE_TERRAIN_SHARE = 0.8
#: At most this many vehicle groups (needs rows) per depot on average.
MAX_NEEDS_PER_DEPOT = 12


class GenerateError(LaadplanError):
    """A synthetic case cannot be generated as asked."""


@dataclass(frozen=True)
class SizeRequest:
    """Sizes asked for on the command line; ``None`` takes the region's default."""

    needs: int | None = None
    sites: int | None = None
    substations: int | None = None
    cabins: int | None = None


@dataclass(frozen=True)
class CaseSizes:
    """Rows of each table of a synthetic case.

    Attributes
    ----------
    needs
        Rows of ``needs.csv`` (vehicle groups).
    sites
        Rows of ``sites.csv`` (candidate sites of all tiers).
    substations, cabins
        Nodes of each level in ``grid.csv``.
    """

    needs: int
    sites: int
    substations: int
    cabins: int


@dataclass(frozen=True)
class SiteSplit:
    """How the sites and needs are spread over depots.

    Attributes
    ----------
    depots
        Depots (each has one or more vehicle groups).
    private_sites
        Depots with their own terrain; each is a private candidate site.
    shared_sites
        Semi-public and public candidate sites.
    """

    depots: int
    private_sites: int
    shared_sites: int


def resolve_sizes(request: SizeRequest, n_municipalities: int) -> CaseSizes:
    """Fill the sizes not asked for with the defaults of a region of that many municipalities.

    Raises
    ------
    GenerateError
        When a size is below its minimum.

    Examples
    --------
    >>> resolve_sizes(SizeRequest(needs=50), 31)
    CaseSizes(needs=50, sites=155, substations=10, cabins=155)
    """
    sizes = CaseSizes(
        needs=_given(request.needs, NEEDS_PER_MUNICIPALITY * n_municipalities),
        sites=_given(request.sites, SITES_PER_MUNICIPALITY * n_municipalities),
        substations=_given(
            request.substations, max(2, round(n_municipalities / MUNICIPALITIES_PER_SUBSTATION))
        ),
        cabins=_given(request.cabins, CABINS_PER_MUNICIPALITY * n_municipalities),
    )
    check_sizes(sizes)
    return sizes


def _given(value: int | None, default: int) -> int:
    return default if value is None else value


def check_sizes(sizes: CaseSizes) -> None:
    """Refuse sizes too small to make a complete case.

    Raises
    ------
    GenerateError
        Naming every size below its minimum.
    """
    minimum = {"needs": 1, "sites": MIN_SHARED_SITES, "substations": 1, "cabins": 1}
    problems = [
        f"--{name} {getattr(sizes, name)}: valid: at least {least}"
        for name, least in minimum.items()
        if getattr(sizes, name) < least
    ]
    if problems:
        raise GenerateError("; ".join(problems))


def split_sites(sizes: CaseSizes) -> SiteSplit:
    """Split the sites into private (company depots) and shared ones and size the depots.

    About :data:`SHARED_SITE_SHARE` of the sites are semi-public or public (at least
    :data:`MIN_SHARED_SITES`); every other site is the depot of an organisation with its own
    terrain, and about :data:`PRIVATE_TERRAIN_SHARE` of the depots have one.

    Examples
    --------
    >>> split_sites(CaseSizes(needs=20000, sites=3000, substations=300, cabins=5000))
    SiteSplit(depots=2438, private_sites=1950, shared_sites=1050)
    """
    shared = max(MIN_SHARED_SITES, round(SHARED_SITE_SHARE * sizes.sites))
    private = min(sizes.sites - shared, sizes.needs)
    depots = round(private / PRIVATE_TERRAIN_SHARE)
    depots = max(depots, private, math.ceil(sizes.needs / MAX_NEEDS_PER_DEPOT), 1)
    return SiteSplit(
        depots=min(depots, sizes.needs), private_sites=private, shared_sites=sizes.sites - private
    )
