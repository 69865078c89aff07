"""``laadplan grid …``: grid capacity data (download now; the overlay joins later).

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

LOGGER = logging.getLogger("laadplan")

SubParsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def register(subparsers: SubParsers) -> None:
    """Add the ``grid`` command and its subcommands."""
    parser = subparsers.add_parser(
        "grid",
        help="grid capacity data: download capacity-map exports",
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


#: Register functions of the ``grid`` subcommands, in the order ``--help`` lists them.
SUBCOMMANDS: tuple[Callable[[SubParsers], None], ...] = (_register_fetch,)
