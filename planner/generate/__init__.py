"""Synthetic planning cases: ``laadplan generate``.

A case is a complete data folder in the data contracts (``needs.csv``, ``sites.csv``,
``grid.csv``, ``grid_profiles.csv``, ``zones.csv``, ``scenario.toml``) for one vervoerregio or
all of Flanders: real municipalities, invented organisations, fleets, sites and grid, labelled
synthetic in every file.  The same region, seed and sizes always give byte-identical files.

Examples
--------
>>> from pathlib import Path
>>> case = generate_case("Leuven", seed=1)  # doctest: +SKIP
>>> write_case(case, Path("demo-case"))  # doctest: +SKIP
"""

from planner.generate.case import SyntheticCase, generate_case, source_text
from planner.generate.sizes import CaseSizes, GenerateError, SizeRequest
from planner.generate.writer import write_case

__all__ = [
    "CaseSizes",
    "GenerateError",
    "SizeRequest",
    "SyntheticCase",
    "generate_case",
    "source_text",
    "write_case",
]
