"""Assemble a whole synthetic planning case from one seed."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from charging_sites.sites_schema import SITES_COLUMNS
from planner.generate.depots import make_depots, municipality_weights
from planner.generate.fleet import make_needs
from planner.generate.grid import make_grid
from planner.generate.places import RegionGeography, read_region
from planner.generate.sites import (
    KIND_INDEX,
    assign_grid_nodes,
    make_private_sites,
    make_shared_sites,
)
from planner.generate.sizes import CaseSizes, SizeRequest, resolve_sizes, split_sites
from planner.generate.zones import make_zones
from planner.workflows.progress import stage

#: Kinds of shared site whose cabin follows a daytime (commercial) profile.
BUSINESS_KINDS = (KIND_INDEX["business_park"], KIND_INDEX["retail_car_park"])


@dataclass(frozen=True)
class SyntheticCase:
    """A generated planning case: every table in its data contract.

    Attributes
    ----------
    label
        ``"Leuven"`` or ``"Flanders"``.
    region
        The region as asked (``"Leuven"``, ``"all"``).
    seed
        The seed of the random generator.
    sizes
        Rows per table.
    needs, sites, grid, grid_profiles, zones
        The tables, with the contract's columns in order.
    """

    label: str
    region: str
    seed: int
    sizes: CaseSizes
    needs: pd.DataFrame
    sites: pd.DataFrame
    grid: pd.DataFrame
    grid_profiles: pd.DataFrame
    zones: pd.DataFrame

    @property
    def source(self) -> str:
        """Text of the ``source`` column of the grid table."""
        return source_text(self.seed)


def source_text(seed: int) -> str:
    """Label of synthetic data made with a seed.

    Examples
    --------
    >>> source_text(1)
    'synthetic (laadplan generate, seed 1)'
    """
    return f"synthetic (laadplan generate, seed {seed})"


def generate_case(region: str, seed: int, request: SizeRequest | None = None) -> SyntheticCase:
    """Generate a synthetic planning case for a vervoerregio, or for Flanders (``"all"``).

    The same region, seed and sizes always give the same tables.

    Parameters
    ----------
    region
        A vervoerregio name or code (``"Leuven"``), or ``"all"``.
    seed
        Seed of :func:`numpy.random.default_rng`.
    request
        Sizes asked for; those not given take the region's defaults.

    Raises
    ------
    LaadplanError
        When the region is unknown (with a did-you-mean) or a size is too small.
    """
    with stage("reading the Flemish reference geography"):
        geo = read_region(region)
    sizes = resolve_sizes(request or SizeRequest(), len(geo.municipalities))
    rng = np.random.default_rng(seed)
    with _stage("zones and depots", geo):
        munis = geo.municipalities
        zones = make_zones(rng, munis)
        split = split_sites(sizes)
        depots = make_depots(rng, munis, zones, split)
    with _stage(f"{sizes.needs} vehicle groups", geo):
        needs = make_needs(rng, depots, sizes.needs)
    with _stage(f"{sizes.sites} candidate sites", geo):
        private = make_private_sites(rng, depots, needs)
        weights = municipality_weights(munis, zones)
        shared, kind = make_shared_sites(rng, munis, zones, weights, split.shared_sites)
        sites = pd.concat([private, shared], ignore_index=True)
        business = np.concatenate([np.zeros(len(private), bool), np.isin(kind, BUSINESS_KINDS)])
    with _stage(f"grid of {sizes.substations} substations, {sizes.cabins} cabins", geo):
        counts = (sizes.substations, sizes.cabins)
        grid, profiles = make_grid(rng, munis, sites, business, counts, source_text(seed))
        cabins = grid[grid["level"] == "mv_cabin"]
        sites["grid_node_id"] = assign_grid_nodes(rng, sites, cabins)
    return SyntheticCase(
        label=geo.label,
        region=region,
        seed=seed,
        sizes=sizes,
        needs=needs,
        sites=sites[list(SITES_COLUMNS)],
        grid=grid,
        grid_profiles=profiles,
        zones=zones,
    )


@contextlib.contextmanager
def _stage(label: str, geo: RegionGeography) -> Iterator[None]:
    """Progress lines for the large Flanders-wide cases only."""
    if not geo.is_all:
        yield
        return
    with stage(f"generating {label}"):
        yield
