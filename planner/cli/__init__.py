"""The ``laadplan`` command line.

Each command lives in its own module under :mod:`planner.cli` and registers its parser
there; this module only assembles them and turns domain errors into readable messages with a
non-zero exit code.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import logging
import sys
from collections.abc import Sequence
from importlib.metadata import EntryPoint, entry_points

from validation import LaadplanError

#: Entry-point group through which other packages (the dashboard, the service) add commands
#: without ``planner`` importing them: ``name = "module:register"`` in their pyproject.
PLUGIN_GROUP = "laadplan.commands"

#: Each command and the module that registers it, in the order ``laadplan --help`` lists them.
#: Only the module of the command given is imported (a plan need not load the generator).
COMMAND_MODULES = {
    "generate": "planner.cli.generate",
    "validate": "planner.cli.validate",
    "template": "planner.cli.template",
    "access": "planner.cli.access",
    "demand": "planner.cli.demand",
    "grid": "planner.cli.grid",
    "plan": "planner.cli.plan",
    "run": "planner.cli.run",
    "sweep": "planner.cli.sweep",
}

EXIT_FAILED = 1


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Build the argument parser with every command, or with ``command`` only.

    Parameters
    ----------
    command
        The command given, when it is known: only its module is imported.
    """
    parser = argparse.ArgumentParser(
        prog="laadplan",
        description="Charging-infrastructure planning for the Flemish zero-emission zones (ZES).",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="show errors only")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module_name in COMMAND_MODULES.items():
        if command in (None, name):
            importlib.import_module(module_name).register(subparsers)
    for plugin in _plugins():
        if command in (None, plugin.name):
            plugin.load()(subparsers)
    return parser


@functools.cache
def _plugins() -> tuple[EntryPoint, ...]:
    """The installed plugin commands, by name (read once: parsing metadata takes time)."""
    return tuple(sorted(entry_points(group=PLUGIN_GROUP), key=lambda entry: entry.name))


def command_given(argv: Sequence[str]) -> str | None:
    """The command named on the command line when it is a known one, else ``None``.

    Examples
    --------
    >>> command_given(["-q", "plan", "--data", "x"])
    'plan'
    >>> command_given(["--help", "plan"]) is None  # the whole list is asked for
    True
    """
    at = next((i for i, word in enumerate(argv) if not word.startswith("-")), None)
    if at is None or {"-h", "--help"} & set(argv[:at]):
        return None
    known = {*COMMAND_MODULES, *(plugin.name for plugin in _plugins())}
    return argv[at] if argv[at] in known else None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(command_given(words))
    args = parser.parse_args(words)
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
