"""``laadplan run``: the main job — every stage on one case, with a short summary.

Stages, in the order data flows: read the case once (:func:`planner.workflows.case.read_case`:
every file, ``grid.csv`` included, is read one time) → project the demand → overlay the demand
on the grid (when the data folder has ``grid.csv``; the "before planning" view of the reported
depot demand) → plan the charging sites for every projected year (when it has ``sites.csv``;
the plan, with the grid operator's ``capacity_requests.csv`` from the plan's own loads, goes to
``OUT/plan/``, :func:`planner.workflows.plan_case.plan_case`). Each stage logs its duration;
the results land in ``OUT`` exactly as the stage's own command would write them.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

import pandas as pd

from planner.cli import demand
from planner.cli.common import (
    add_data_arguments,
    add_engine_arguments,
    data_folder_from,
    engine_from,
)
from planner.cli.plan import add_previous_argument, add_undivided_argument, plan_and_write
from planner.cli.plan import format_summary as format_plan_summary
from planner.optimisation.vocabulary import PLAN_FOLDER
from planner.workflows.capacity_requests import REQUESTS_FILE
from planner.workflows.case import read_case
from planner.workflows.overlay import format_overlay_summary, overlay_of, write_overlay
from planner.workflows.progress import stage

LOGGER = logging.getLogger("laadplan")


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
    add_previous_argument(parser)
    add_engine_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the stages in order; return 0, or 1 when a year has no plan."""
    folder = data_folder_from(args)
    out = Path(args.out)
    case = read_case(folder)
    dataset = case.project()
    with stage(f"writing the demand results to {out}"):
        demand.write_outputs(dataset, out)
    print(demand.format_summary(dataset, out))
    if case.grid is None:
        LOGGER.info("no grid.csv in the data folder: the grid overlay is skipped")
    else:
        result = overlay_of(case, dataset)
        print("Before planning (reported depot demand only):")
        print(format_overlay_summary(result, write_overlay(result, out)))
    if case.sites is None:
        LOGGER.info("no sites.csv in the data folder: the site selection is skipped")
        return 0
    planned = plan_and_write(
        case,
        out / PLAN_FOLDER,
        demand=dataset,
        engine=engine_from(args),
        decompose=not args.undivided,
        previous=args.previous,
    )
    print(format_plan_summary(planned.plan, out / PLAN_FOLDER))
    requests = out / PLAN_FOLDER / REQUESTS_FILE
    if requests.is_file():
        print(format_requests_line(pd.read_csv(requests), requests))
    return 0 if all(result.has_plan for result in planned.plan.results) else 1


def format_requests_line(requests: pd.DataFrame, path: Path) -> str:
    """One line on the operator's file from the plan: rows named, merged and suppressed."""
    kind = requests["disclosure"]
    merged_rows = kind == "merged_from_children"
    merged = int(requests.loc[merged_rows, "merged_nodes"].sum())
    suppressed = int(requests.loc[kind == "suppressed", "merged_nodes"].sum())
    return (
        f"Capacity requests from the plan for the grid operator: {int((kind == 'own').sum())} "
        f"named, {merged} node-years merged into {int(merged_rows.sum())} rows, {suppressed} "
        f"node-years suppressed (k-anonymous) → {path}."
    )
