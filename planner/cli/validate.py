"""``laadplan validate``: check a needs file and print every problem."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from planner.intake.needs import validate_needs_file
from planner.rules.zones import load_zones, zone_warnings
from planner.workflows.datafolder import CaseFile

ZONES_FILE = CaseFile.ZONES.value


def register(subparsers: Any) -> None:
    """Add the ``validate`` command."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "validate",
        help="check a needs.csv/.xlsx and report every bad row",
        description=(
            "Validate a needs file against the contract. Prints every problem with its row, "
            "column, value and what is valid; exits with 1 when anything is wrong."
        ),
    )
    parser.add_argument("needs", type=Path, help="needs.csv or needs.xlsx")
    parser.add_argument("--limit", type=int, default=None, help="show at most this many problems")
    parser.add_argument(
        "--zones",
        type=Path,
        default=None,
        help="zones.csv to check zes_cities against (default: zones.csv next to the needs file, "
        "if there is one); a city missing from it is a warning",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Validate the file and print the report; 0 when valid, 1 otherwise."""
    table, report = validate_needs_file(args.needs)
    zones_path = args.zones or Path(args.needs).with_name(ZONES_FILE)
    if table is not None and (args.zones is not None or zones_path.is_file()):
        report.warn(zone_warnings(table, load_zones(zones_path)))
    print(report.format(limit=args.limit))
    if table is not None:
        vehicles = int(table["vehicles"].sum())
        organisations = table["organisation_id"].nunique()
        print(f"{len(table)} needs, {vehicles} vehicles, {organisations} organisations.")
    return 0 if report.ok else 1
