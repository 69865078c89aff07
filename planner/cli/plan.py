"""``laadplan plan``: choose charging sites and chargers, year by year.

``laadplan plan --data DIR --out OUT [--year Y] [--scenario FILE]`` reads the case (needs,
zones, sites, grid with ``grid_profiles.csv``, optional ``access_cost.csv`` and
``roads.csv``), projects the demand and solves the site-selection MILP for one year, or for
every projected year in order (what a year builds is carried into the next).  A case that
spans several vervoerregio's is split into one sub-problem per vervoerregio, solved as
parallel Dask tasks (``--workers N``, ``--scheduler ADDRESS``) and merged
(:mod:`planner.workflows.decompose`); ``--undivided`` solves it as one problem.  It writes into
``OUT``: ``summary.json``, ``sites.csv``, ``assignments.csv``, ``node_load.csv``,
``reinforcement.csv``, ``unmet.csv``, ``chargers_by_municipality.csv``,
``chargers_by_vervoerregio.csv``, ``plan.nc`` and ``plan.xlsx``, and prints the headline
figures per year.  A year that ends infeasible or without a plan in the time limit is
reported with its status; the exit code is then 1.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
from pathlib import Path
from typing import Any

import xarray as xr

from planner.cli.common import (
    add_data_arguments,
    add_engine_arguments,
    data_folder_from,
    engine_from,
)
from planner.optimisation.case import read_plan_case
from planner.optimisation.regional import plan_case
from planner.optimisation.solve import options_from
from planner.scenario import SolverName, load_scenario
from planner.workflows.datafolder import DataFolder
from planner.workflows.multiyear import MultiYearPlan
from planner.workflows.parallel import Engine, TaskResults
from planner.workflows.plan_files import write_plan
from planner.workflows.progress import stage
from validation import LaadplanError

LOGGER = logging.getLogger("laadplan")

EXAMPLES = """examples:
  laadplan plan --data demo-case --out demo-plan
  laadplan plan --data demo-case --out demo-plan-2030 --year 2030
  laadplan plan --data demo-case --scenario offpeak-hard.toml --out plan-hard --solver cbc
  laadplan plan --data flanders-case --out flanders-plan --year 2030 --workers 2
  laadplan plan --data flanders-case --out flanders-plan --scheduler tcp://10.0.0.5:8786
"""


def register(subparsers: Any) -> None:
    """Add the ``plan`` command."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "plan",
        help="choose charging sites and chargers year by year (MILP)",
        description=(
            "Choose charging sites, charger counts and which needs they serve, following the "
            "charging ladder within grid headroom, with off-peak and shared charging, for one "
            "year or every year in order."
        ),
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_data_arguments(parser)
    parser.add_argument("--out", type=Path, required=True, metavar="OUT", help="folder to write")
    parser.add_argument("--year", type=int, metavar="Y", help="plan this year only")
    parser.add_argument(
        "--solver", choices=[s.value for s in SolverName], help="override [optimisation] solver"
    )
    parser.add_argument(
        "--time-limit", type=float, metavar="S", help="override [optimisation] time_limit_s"
    )
    add_undivided_argument(parser)
    add_engine_arguments(parser)
    parser.set_defaults(func=run)


def add_undivided_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--undivided`` (plan a case of several vervoerregio's as one problem)."""
    parser.add_argument(
        "--undivided",
        action="store_true",
        help="solve a case of several vervoerregio's as one problem instead of one "
        "sub-problem per vervoerregio",
    )


def run(args: argparse.Namespace) -> int:
    """Plan the case, write the files and print the headline figures."""
    overrides: dict[str, Any] = {}
    if args.solver:
        overrides["solver"] = args.solver
    if args.time_limit is not None:
        overrides["time_limit_s"] = args.time_limit
    out = Path(args.out)
    plan = plan_folder(
        data_folder_from(args),
        out,
        args.year,
        engine=engine_from(args),
        decompose=not args.undivided,
        **overrides,
    )
    print(format_summary(plan, out))
    return 0 if all(result.has_plan for result in plan.results) else 1


def plan_folder(
    folder: DataFolder,
    out: Path,
    year: int | None = None,
    demand: xr.Dataset | None = None,
    engine: Engine | None = None,
    decompose: bool = True,
    **overrides: Any,
) -> MultiYearPlan:
    """Plan a data folder (one year, or all projected years) and write the files into ``out``.

    Parameters
    ----------
    folder
        The data folder.
    out
        The folder to write into.
    year
        One year to plan; ``None`` plans every projected year in order.
    demand
        The folder's demand projection when already made; projected here otherwise.
    engine
        Where the sub-problems are solved (by default a local Dask cluster, one worker per
        core, when there are several).
    decompose
        Split a case of several vervoerregio's into one sub-problem per vervoerregio.
    **overrides
        :class:`~planner.optimisation.base.SolveOptions` fields replacing the scenario's.

    Raises
    ------
    LaadplanError
        When the year is not projected or an input is invalid.
    """
    scenario = load_scenario(folder.scenario)
    case = read_plan_case(folder, scenario, demand)
    years = _years(year, case.years)
    options = dataclasses.replace(options_from(scenario.optimisation), **overrides)
    regional = plan_case(case, years, options, engine, decompose)
    report_tasks(regional.tasks)
    plan = regional.plan
    with stage(f"writing the plan to {out}"):
        write_plan(plan, out, scenario)
    return plan


def report_tasks(tasks: TaskResults[Any]) -> None:
    """Log the tasks that needed a retry or failed."""
    for key in tasks.retried:
        report = tasks.reports[key]
        outcome = "failed twice" if report.failed else "succeeded on the retry"
        LOGGER.warning("vervoerregio %s %s: %s", key, outcome, " | ".join(report.errors))


def _years(year: int | None, projected: list[int]) -> list[int]:
    if year is None:
        return projected
    if year not in projected:
        raise LaadplanError(
            f"--year {year}: not a projected year; valid: {projected[0]}–{projected[-1]} "
            "([projection] first_year and last_year)"
        )
    return [year]


def format_summary(plan: MultiYearPlan, out: Path) -> str:
    """The headline figures per year, as printed."""
    lines = [f"Plan written to {out} (status {plan.status.value}):"]
    header = (
        f"  {'year':<5} {'status':<10} {'cost EUR/yr':>12} {'unmet kWh/d':>11} "
        f"{'private':>8} {'semi':>6} {'public':>7} {'sites':>6} {'chargers':>8} "
        f"{'reinf. kVA':>10} {'build s':>8} {'solve s':>8}"
    )
    lines.append(header)
    for result in plan.results:
        s = result.summary()
        share = s["energy_share_by_tier"]
        cost = "-" if s["objective_eur"] is None else f"{s['objective_eur']:,.0f}"
        unmet = "-" if s["unmet_kwh_per_day"] is None else f"{s['unmet_kwh_per_day']:,.0f}"
        lines.append(
            f"  {s['year']:<5} {s['status']:<10} {cost:>12} {unmet:>11} "
            f"{share.get('private', 0):>8.1%} {share.get('semi_public', 0):>6.1%} "
            f"{share.get('public', 0):>7.1%} {s['sites_open']:>6} {s['chargers']:>8} "
            f"{s['reinforcement_kva'] or 0:>10,.0f} {s['build_s']:>8.1f} {s['solve_s']:>8.1f}"
        )
    for result in plan.results:
        if not result.has_plan:
            lines.append(f"  {result.year}: {result.message}")
    return "\n".join(lines)
