"""The ``laadplan`` command line.

Each command lives in its own module under :mod:`planner.cli` and registers its parser
there; this module only assembles them and turns domain errors into readable messages with a
non-zero exit code.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points

from validation import LaadplanError

#: Entry-point group through which other packages (the dashboard, the service) add commands
#: without ``planner`` importing them: ``name = "module:register"`` in their pyproject.
PLUGIN_GROUP = "laadplan.commands"

#: Command modules, in the order ``laadplan --help`` lists them.
COMMAND_MODULES = (
    "planner.cli.generate",
    "planner.cli.validate",
    "planner.cli.access",
    "planner.cli.demand",
    "planner.cli.grid",
    "planner.cli.plan",
    "planner.cli.run",
    "planner.cli.sweep",
)

EXIT_OK = 0
EXIT_FAILED = 1


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every command."""
    parser = argparse.ArgumentParser(
        prog="laadplan",
        description="Charging-infrastructure planning for the Flemish zero-emission zones (ZES).",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="show errors only")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    for plugin in sorted(entry_points(group=PLUGIN_GROUP), key=lambda entry: entry.name):
        plugin.load()(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="[laadplan] %(message)s",
        stream=sys.stderr,
        force=True,
    )
    try:
        code: int = args.func(args)
    except LaadplanError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
