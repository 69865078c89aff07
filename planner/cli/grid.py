"""``laadplan grid …``: grid capacity data — download a capacity map, overlay the demand on it.

Each subcommand is a pair of functions: ``_register_<name>(subparsers)`` adds its parser and
sets ``func`` to ``_run_<name>(args) -> int``.  To add a subcommand, write such a pair and list
the register function in :data:`SUBCOMMANDS`.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TypeAlias

from grid_data.fetch import DEFAULT_BASE_URL, EXPORT_FORMATS, fetch_dataset
from grid_data.overlay import select_year
from grid_data.reports import OVERLAY_FILES
from planner.cli.common import add_data_arguments, data_folder_from
from planner.cli.demand import project_case
from planner.scenario import load_scenario
from planner.workflows.datafolder import GRID_PROFILES_FILE
from planner.workflows.overlay import (
    check_profiles_file,
    format_overlay_summary,
    overlay_case,
    overlay_settings,
    write_overlay,
)
from validation import LaadplanError

LOGGER = logging.getLogger("laadplan")

SubParsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def register(subparsers: SubParsers) -> None:
    """Add the ``grid`` command and its subcommands."""
    parser = subparsers.add_parser(
        "grid",
        help="grid capacity data: download capacity-map exports, overlay the demand",
        description="Grid capacity data of the distribution system operator.",
    )
    grid_subparsers = parser.add_subparsers(
        dest="grid_command", required=True, metavar="SUBCOMMAND"
    )
    for register_subcommand in SUBCOMMANDS:
        register_subcommand(grid_subparsers)


def _register_fetch(subparsers: SubParsers) -> None:
    parser = subparsers.add_parser(
        "fetch",
        help="download a dataset export from an Opendatasoft portal",
        description=(
            "Download a dataset from the export API of an Opendatasoft portal "
            "(/api/explore/v2.1/catalog/datasets/ID/exports/FORMAT). Dataset ids change "
            "without notice; look them up in the portal's catalogue."
        ),
    )
    parser.add_argument("--dataset", required=True, metavar="ID", help="dataset id on the portal")
    parser.add_argument("--out", required=True, type=Path, metavar="FILE", help="file to write")
    parser.add_argument(
        "--base-url",
        default=DEFAULT_BASE_URL,
        metavar="URL",
        help="the portal (default: Fluvius)",
    )
    parser.add_argument(
        "--where", metavar="EXPR", help="ODSQL filter, e.g. \"gemeente = 'Gent'\" (case-sensitive)"
    )
    parser.add_argument(
        "--format",
        dest="fmt",
        choices=EXPORT_FORMATS,
        default="csv",
        help="default csv",
    )
    parser.add_argument(
        "--timeout", type=float, default=30.0, metavar="S", help="seconds per request (default 30)"
    )
    parser.add_argument(
        "--retries",
        type=int,
        default=3,
        metavar="N",
        help="retries after failures (default 3)",
    )
    parser.set_defaults(func=_run_fetch)


def _run_fetch(args: argparse.Namespace) -> int:
    path = fetch_dataset(
        args.dataset,
        args.out,
        base_url=args.base_url,
        fmt=args.fmt,
        where=args.where,
        timeout_s=args.timeout,
        retries=args.retries,
    )
    print(f"{path} ({path.stat().st_size} bytes)")
    return 0


def _register_overlay(subparsers: SubParsers) -> None:
    parser = subparsers.add_parser(
        "overlay",
        help="compare the projected demand of depots with the grid's headroom per slot",
        description=(
            "Project the demand of a case, place the depots with private terrain on the grid "
            "(grid_node_id, else the nearest MV cabin), add their demand up the feeding tree "
            "and compare it with each node's headroom per time slot. Writes "
            + ", ".join(f"OUT/{name}" for name in OVERLAY_FILES)
            + ". The congestion and capacity-request files are for the grid operator: a "
            "node's figures appear only when at least k organisations stand behind them, "
            "and no organisation id appears."
        ),
    )
    add_data_arguments(parser, "needs", "zones", "scenario", "grid", "sites")
    parser.add_argument(
        "--grid-profiles",
        type=Path,
        metavar="FILE",
        help=f"base-load profiles per node (default: DIR/{GRID_PROFILES_FILE} when present)",
    )
    parser.add_argument(
        "--out", type=Path, required=True, metavar="OUT", help="folder to write the files to"
    )
    parser.add_argument(
        "--year", type=int, metavar="Y", help="write only this year (default: every year)"
    )
    parser.add_argument(
        "--k",
        type=int,
        metavar="K",
        help="least organisations behind a published figure (default: [grid] k_anonymity, 3)",
    )
    parser.add_argument(
        "--max-distance-km",
        type=float,
        metavar="KM",
        help="farthest a depot is mapped to the nearest cabin (default: [grid], 2 km)",
    )
    parser.set_defaults(func=_run_overlay)


def _run_overlay(args: argparse.Namespace) -> int:
    folder = data_folder_from(args)
    profiles = check_profiles_file(args.grid_profiles)
    folder.require("grid")
    scenario = load_scenario(folder.scenario)
    settings = overlay_settings(scenario, args.k, args.max_distance_km)
    settings.check()
    if args.year is not None and args.year not in scenario.projection.years:
        years = scenario.projection.years
        raise LaadplanError(f"--year {args.year}: valid: {years[0]}–{years[-1]} (the scenario)")
    demand = project_case(folder)
    result = overlay_case(folder, demand, scenario, settings, profiles)
    if args.year is not None:
        result = select_year(result, args.year)
    paths = write_overlay(result, Path(args.out))
    print(format_overlay_summary(result, paths))
    return 0


#: Register functions of the ``grid`` subcommands, in the order ``--help`` lists them.
SUBCOMMANDS: tuple[Callable[[SubParsers], None], ...] = (_register_fetch, _register_overlay)
