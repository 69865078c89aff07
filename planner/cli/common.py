"""Arguments shared by commands: the data folder and its per-file overrides."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from planner.workflows.datafolder import CONTRACT_FILES, DataFolder, resolve_data_folder
from planner.workflows.parallel import Engine
from validation import LaadplanError

Subparsers = "argparse._SubParsersAction[argparse.ArgumentParser]"


def add_data_arguments(parser: argparse.ArgumentParser, *files: str) -> None:
    """Add ``--data DIR`` and one override flag per contract file used by the command.

    Parameters
    ----------
    parser
        The command's parser.
    *files
        Contract names the command reads (``"needs"``, ``"zones"`` …); all when none are given.
    """
    parser.add_argument("--data", type=Path, metavar="DIR", help="the data folder of the case")
    for name in files or tuple(CONTRACT_FILES):
        default_name = CONTRACT_FILES[name][0]
        parser.add_argument(
            "--" + name.replace("_", "-"),
            type=Path,
            metavar="FILE",
            dest=f"{name}_file",
            help=f"use FILE instead of DIR/{default_name}",
        )


def data_folder_from(args: argparse.Namespace) -> DataFolder:
    """Resolve the data folder and overrides given on the command line."""
    overrides: dict[str, Any] = {
        name: getattr(args, f"{name}_file", None) for name in CONTRACT_FILES
    }
    return resolve_data_folder(args.data, **overrides)


def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--workers N`` and ``--scheduler ADDRESS`` (where parallel tasks run)."""
    group = parser.add_argument_group("parallel work (Dask)")
    group.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="worker processes of the local Dask cluster (default: one per CPU core; "
        "1 runs every task in this process)",
    )
    group.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="send the tasks to an existing Dask scheduler (tcp://host:8786) instead",
    )


def engine_from(args: argparse.Namespace) -> Engine:
    """The :class:`~planner.workflows.parallel.Engine` of ``--workers`` and ``--scheduler``.

    Raises
    ------
    LaadplanError
        When ``--workers`` is below 1.
    """
    workers = getattr(args, "workers", None)
    if workers is not None and workers < 1:
        raise LaadplanError(f"--workers {workers}: give 1 or more worker processes")
    return Engine(workers=workers, scheduler=getattr(args, "scheduler", None))
