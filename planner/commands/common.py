"""Arguments shared by commands: the data folder and its per-file overrides."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from planner.datafolder import CONTRACT_FILES, DataFolder, resolve_data_folder

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
