"""``laadplan run``: the main job — every stage on one case, with a short summary.

Stages, in the order data flows: validate the needs → project the demand → overlay the demand
on the grid (when the data folder has ``grid.csv``) → plan the charging sites for every
projected year (when it has ``sites.csv``; the plan goes to ``OUT/plan/``). Each stage logs
its duration; the results land in ``OUT`` exactly as the stage's own command would write them.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from planner.cli import demand
from planner.cli.common import (
    add_data_arguments,
    add_engine_arguments,
    data_folder_from,
    engine_from,
)
from planner.cli.plan import add_undivided_argument, plan_folder
from planner.cli.plan import format_summary as format_plan_summary
from planner.scenario import load_scenario
from planner.workflows.overlay import format_overlay_summary, overlay_case, write_overlay
from planner.workflows.progress import stage

LOGGER = logging.getLogger("laadplan")

#: Sub-folder of OUT holding the plan files.
PLAN_FOLDER = "plan"


def register(subparsers: Any) -> None:
    """Add the ``run`` command."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "run",
        help="run every stage on a case and print a summary",
        description=(
            "Validate the needs, project the demand, overlay it on the grid (when the data "
            "folder has grid.csv) and plan the charging sites (when it has sites.csv), writing "
            "every stage's results to OUT and printing a short summary."
        ),
    )
    add_data_arguments(parser)
    parser.add_argument(
        "--out", type=Path, required=True, metavar="OUT", help="folder to write the results to"
    )
    add_undivided_argument(parser)
    add_engine_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the stages in order; return 0, or 1 when a year has no plan."""
    folder = data_folder_from(args)
    out = Path(args.out)
    dataset = demand.project_case(folder)
    with stage(f"writing the demand results to {out}"):
        demand.write_outputs(dataset, out)
    print(demand.format_summary(dataset, out))
    if folder.grid is None:
        LOGGER.info("no grid.csv in the data folder: the grid overlay is skipped")
    else:
        result = overlay_case(folder, dataset, load_scenario(folder.scenario))
        print(format_overlay_summary(result, write_overlay(result, out)))
    if folder.sites is None:
        LOGGER.info("no sites.csv in the data folder: the site selection is skipped")
        return 0
    plan = plan_folder(
        folder,
        out / PLAN_FOLDER,
        demand=dataset,
        engine=engine_from(args),
        decompose=not args.undivided,
    )
    print(format_plan_summary(plan, out / PLAN_FOLDER))
    return 0 if all(result.has_plan for result in plan.results) else 1
