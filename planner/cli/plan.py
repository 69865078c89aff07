"""``laadplan plan``: choose charging sites and chargers, year by year.

``laadplan plan --data DIR --out OUT [--year Y] [--scenario FILE]`` reads the case (needs,
zones, sites, grid with ``grid_profiles.csv``, optional ``access_cost.csv`` and ``roads.csv``),
projects the demand and solves the site-selection MILP for one year, or for every projected year
in order (what a year builds is carried into the next).  A case that spans several
vervoerregio's is split into one sub-problem per vervoerregio, solved as parallel Dask tasks
(``--workers N``, ``--scheduler ADDRESS``) and merged
(:func:`planner.workflows.plan_case.plan_case`); ``--undivided`` solves it as one problem.  It
writes into ``OUT``: ``summary.json``, ``sites.csv``, ``assignments.csv``, ``node_load.csv``,
``reinforcement.csv``, ``unmet.csv``, ``chargers_by_municipality.csv``,
``chargers_by_vervoerregio.csv``, ``congestion_exemptions.csv`` (planner only), ``plan.nc`` and
``plan.xlsx``, and prints the headline figures per year.  A year that ends infeasible or without
a plan in the time limit is reported with its status; the exit code is then 1.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
from pathlib import Path
from typing import Any

import xarray as xr

from charging_sites import Tier
from planner.cli.common import (
    add_data_arguments,
    add_engine_arguments,
    data_folder_from,
    engine_from,
)
from planner.optimisation.solve import options_from
from planner.optimisation.vocabulary import PlanFile
from planner.scenario import SolverName, with_optimisation
from planner.workflows.capacity_requests import with_locations
from planner.workflows.case import Case, read_case
from planner.workflows.exemptions import ZesMembership
from planner.workflows.multiyear import MultiYearPlan
from planner.workflows.parallel import Engine
from planner.workflows.plan_case import CasePlan, plan_case
from planner.workflows.plan_files import write_plan
from planner.workflows.progress import stage
from planner.workflows.proposals import SiteProposals, propose_sites
from validation import LaadplanError

LOGGER = logging.getLogger("laadplan")

#: The proposed hubs of ``--propose-sites``.
PROPOSALS_FILE = PlanFile.PROPOSED_SITES

EXAMPLES = """examples:
  laadplan plan --data demo-case --out demo-plan
  laadplan plan --data demo-case --out demo-plan-2030 --year 2030
  laadplan plan --data demo-case --scenario offpeak-hard.toml --out plan-hard --solver cbc
  laadplan plan --data flanders-case --out flanders-plan --year 2030 --workers 2
  laadplan plan --data flanders-case --out flanders-plan --year 2030 --mip-gap 0.02
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
    parser.add_argument(
        "--mip-gap",
        type=float,
        metavar="G",
        help="override [optimisation] mip_gap: the proven relative gap at which a solve stops "
        "(0.02: within 2 %% of the best possible plan; of the whole plan where it is split "
        "per vervoerregio)",
    )
    parser.add_argument(
        "--propose-sites",
        type=int,
        default=0,
        metavar="N",
        help="propose up to N public hubs where unmet energy clusters, plan again with them and "
        f"write what each serves to OUT/{PROPOSALS_FILE}",
    )
    add_undivided_argument(parser)
    add_previous_argument(parser)
    add_engine_arguments(parser)
    parser.set_defaults(func=run)


def add_previous_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--previous`` (the plan folder handed out last time, to compare the files with)."""
    parser.add_argument(
        "--previous",
        type=Path,
        metavar="FOLDER",
        help="the plan folder whose files were handed out last time: the aggregates and the "
        "capacity requests withhold what their difference would reveal of fewer than k "
        "organisations (docs/privacy.md)",
    )


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
    if args.mip_gap is not None:
        overrides["mip_gap"] = args.mip_gap
    out = Path(args.out)
    case = read_case(data_folder_from(args))
    engine = engine_from(args)
    planned = plan_and_write(
        case, out, args.year, engine=engine, decompose=not args.undivided,
        previous=args.previous, **overrides,
    )  # fmt: skip
    if args.propose_sites > 0:
        proposals = propose_sites(
            case,
            planned,
            args.propose_sites,
            lambda with_hubs: plan_and_write(
                with_hubs, out, args.year, engine=engine, decompose=not args.undivided,
                previous=args.previous, **overrides,
            ),
        )  # fmt: skip
        write_proposals(proposals, out)
        planned = proposals.planned
        print(proposals.describe())
    print(format_summary(planned.plan, out))
    return 0 if all(result.has_plan for result in planned.plan.results) else 1


def write_proposals(proposals: SiteProposals, out: Path) -> Path:
    """``OUT/proposed_sites.csv``: the proposed hubs and what each serves in the new plan."""
    path = out / PROPOSALS_FILE
    proposals.proposals.to_csv(path, index=False, lineterminator="\n")
    return path


def plan_and_write(
    case: Case,
    out: Path,
    year: int | None = None,
    demand: xr.Dataset | None = None,
    engine: Engine | None = None,
    decompose: bool = True,
    previous: Path | None = None,
    **overrides: Any,
) -> CasePlan:
    """Plan a case read once (:func:`planner.workflows.plan_case.plan_case`) and write it.

    Parameters
    ----------
    case
        The case (:func:`planner.workflows.case.read_case`).
    out
        The folder to write into.
    year
        One year to plan; ``None`` plans every projected year in order.
    demand
        The case's projection when already made (``laadplan run``); projected otherwise.
    engine
        Where the sub-problems are solved (by default a local Dask cluster, one worker per
        core, when there are several).
    decompose
        Split a case of several vervoerregio's into one sub-problem per vervoerregio.
    previous
        The plan folder handed out last time (``--previous``), or ``None``.
    **overrides
        ``[optimisation]`` settings replacing the scenario's (``solver``, ``time_limit_s``,
        ``mip_gap``); ``summary.json`` shows the settings the plan was made with.

    Raises
    ------
    LaadplanError
        When the year is not projected, an override is not valid or an input is invalid.
    """
    scenario = with_optimisation(case.scenario, "command line", **overrides)
    case = dataclasses.replace(case, scenario=scenario)
    options = options_from(scenario.optimisation)
    planned = plan_case(
        case,
        _years(year, case),
        demand=demand,
        engine=engine,
        decompose=decompose,
        options=options,
    )
    with stage(f"writing the plan to {out}"):
        nodes = with_locations(planned.prepared.grid.nodes, case.grid)
        zes = ZesMembership.of(case.needs, case.zones)
        write_plan(
            planned.plan, out, case.scenario, planned.workflow(), nodes, previous=previous, zes=zes
        )
    return planned


def _years(year: int | None, case: Case) -> list[int] | None:
    if year is None:
        return None
    projection = case.scenario.projection
    if not projection.first_year <= year <= projection.last_year:
        raise LaadplanError(
            f"--year {year}: not a projected year; valid: {projection.first_year}–"
            f"{projection.last_year} ([projection] first_year and last_year)"
        )
    return [year]


def format_summary(plan: MultiYearPlan, out: Path) -> str:
    """The headline figures per year, as printed."""
    lines = [f"Plan written to {out} (status {plan.status.value}):"]
    header = (
        f"  {'year':<5} {'status':<10} {'cost EUR/yr':>12} {'unmet kWh/d':>11} "
        f"{Tier.PRIVATE:>8} {'semi':>6} {Tier.PUBLIC:>7} {'sites':>6} {'chargers':>8} "
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
            f"{share.get(Tier.PRIVATE, 0):>8.1%} {share.get(Tier.SEMI_PUBLIC, 0):>6.1%} "
            f"{share.get(Tier.PUBLIC, 0):>7.1%} {s['sites_open']:>6} {s['chargers']:>8} "
            f"{s['reinforcement_kva'] or 0:>10,.0f} {s['build_s']:>8.1f} {s['solve_s']:>8.1f}"
        )
    for result in plan.results:
        if not result.has_plan:
            lines.append(f"  {result.year}: {result.message}")
    return "\n".join(lines)
