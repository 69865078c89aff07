"""``laadplan run``: the main job — every stage on one case, with a short summary.

Stages, in the order data flows: validate the needs → project the demand.  Each stage logs its
duration; the results land in ``OUT`` exactly as the stage's own command would write them.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from planner.commands import demand
from planner.commands.common import add_data_arguments, data_folder_from
from planner.progress import stage


def register(subparsers: Any) -> None:
    """Add the ``run`` command."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "run",
        help="run every stage on a case and print a summary",
        description=(
            "Validate the needs and project the demand of a planning case, writing every "
            "stage's results to OUT and printing a short summary."
        ),
    )
    add_data_arguments(parser)
    parser.add_argument(
        "--out", type=Path, required=True, metavar="OUT", help="folder to write the results to"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the stages in order; return 0."""
    folder = data_folder_from(args)
    out = Path(args.out)
    dataset = demand.project_case(folder)
    with stage(f"writing the demand results to {out}"):
        demand.write_outputs(dataset, out)
    print(demand.format_summary(dataset, out))
    return 0
