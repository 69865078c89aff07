"""``laadplan sweep``: plan a case under every combination of scenario variants.

``laadplan sweep --data DIR --grid-of scenario-variants.toml --out OUT`` reads the case once,
lays every variant of the variants file (:mod:`planner.workflows.sweep`) over the case's
scenario and plans each one, one Dask task per variant and vervoerregio (``--workers N`` for
the local cluster, ``--scheduler ADDRESS`` for an existing one).  It writes ``OUT/sweep.nc`` (the
headline figures with a dimension per axis and ``year``), ``OUT/sweep.csv`` (the same, one
row per variant and year) and each variant's plan files in ``OUT/<variant>/`` as
``laadplan plan`` writes them, and prints a table.  A task that fails twice is reported and
its variant gets no plan; the exit code is then 1.
"""

from __future__ import annotations

import argparse
import logging
import math
from pathlib import Path
from typing import Any

import pandas as pd

from charging_sites import Tier
from planner.cli.common import (
    add_data_arguments,
    add_engine_arguments,
    data_folder_from,
    engine_from,
)
from planner.cli.plan import add_undivided_argument
from planner.scenario import read_toml
from planner.workflows.case import read_case
from planner.workflows.plan_files import write_plan
from planner.workflows.progress import stage
from planner.workflows.sweep import SweepResult, load_sweep_grid, run_sweep
from validation.export import neutralise_formulas

LOGGER = logging.getLogger("laadplan")

NETCDF_FILE = "sweep.nc"
CSV_FILE = "sweep.csv"

EXAMPLES = """examples:
  laadplan sweep --data demo-case --grid-of scenario-variants.toml --out demo-sweep
  laadplan sweep --data flanders-case --grid-of variants.toml --out sweep --workers 2
  laadplan sweep --data flanders-case --grid-of variants.toml --out sweep \\
      --scheduler tcp://10.0.0.5:8786

a variants file:
  years = [2030, 2035]
  [axes.ladder.lexicographic]
  optimisation = { ladder_policy = "lexicographic" }
  [axes.ladder.weighted]
  optimisation = { ladder_policy = "weighted" }
"""


def register(subparsers: Any) -> None:
    """Add the ``sweep`` command."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "sweep",
        help="plan a case under every combination of scenario variants (Dask tasks)",
        description=(
            "Plan the case once per combination of the variants file's axis values, laid over "
            "the case's scenario, as parallel Dask tasks, and gather the headline figures."
        ),
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_data_arguments(parser)
    parser.add_argument(
        "--grid-of",
        type=Path,
        required=True,
        metavar="FILE",
        dest="grid_of",
        help="the variants file (axes of named scenario variants)",
    )
    parser.add_argument("--out", type=Path, required=True, metavar="OUT", help="folder to write")
    add_undivided_argument(parser)
    add_engine_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the sweep, write its files and print its table."""
    folder = data_folder_from(args)
    base = _base_scenario(folder.scenario)
    grid = load_sweep_grid(args.grid_of, base)
    LOGGER.info(
        "%d variant(s): %s",
        len(grid.variants),
        " × ".join(f"{axis} ({len(values)})" for axis, values in grid.axes.items()),
    )
    case = read_case(folder)
    result = run_sweep(case, grid, engine_from(args), decompose=not args.undivided)
    out = Path(args.out)
    write_sweep(result, out)
    print(format_sweep(result, out))
    return 1 if result.tasks.failed or len(result.plans) < len(grid.variants) else 0


def _base_scenario(path: Path | None) -> dict[str, Any]:
    return {} if path is None else read_toml(path)


def sweep_table(result: SweepResult) -> pd.DataFrame:
    """One row per variant and year: the axis values and the headline figures."""
    figures = result.figures
    if not figures.data_vars:
        return pd.DataFrame()
    axes = list(result.grid.axes)
    flat = figures[
        ["objective_eur", "unmet_kwh_per_day", "sites_open", "chargers", "reinforcement_kva"]
    ].transpose(*axes, "year")
    table = flat.to_dataframe().reset_index()
    shares = figures["energy_share"].to_dataframe().reset_index()
    shares = shares.pivot_table(index=[*axes, "year"], columns="tier", values="energy_share")
    shares.columns = [f"share_{tier}" for tier in shares.columns]
    status = figures["status"].to_dataframe().reset_index()
    table = table.merge(status, on=[*axes, "year"]).merge(
        shares.reset_index(), on=[*axes, "year"], how="left"
    )
    return table[
        [*axes, "year", "status", *[c for c in table.columns if c not in (*axes, "year", "status")]]
    ]


def write_sweep(result: SweepResult, out: Path) -> list[Path]:
    """Write ``sweep.nc``, ``sweep.csv`` and each variant's plan; return the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with stage(f"writing the sweep to {out}"):
        figures = result.figures.copy()
        if "status" in figures:
            figures["status"] = figures["status"].astype(str)
        figures.attrs["title"] = "laadplan scenario sweep"
        figures.to_netcdf(out / NETCDF_FILE, engine="netcdf4")
        written.append(out / NETCDF_FILE)
        neutralise_formulas(sweep_table(result)).to_csv(
            out / CSV_FILE, index=False, lineterminator="\n"
        )
        written.append(out / CSV_FILE)
        for variant in result.grid.variants:
            plan = result.plans.get(variant.label)
            if plan is not None:
                written += write_plan(plan, out / variant.label, variant.scenario)
    return written


def format_sweep(result: SweepResult, out: Path) -> str:
    """The sweep's table as printed."""
    axes = list(result.grid.axes)
    lines = [f"Sweep of {len(result.grid.variants)} variant(s) written to {out}:"]
    table = sweep_table(result)
    if len(table):
        header = "  " + " ".join(f"{a:<14}" for a in axes)
        header += f" {'year':<5} {'status':<10} {'cost EUR/yr':>12} {'unmet kWh/d':>11}"
        header += f" {Tier.PRIVATE:>8} {'semi':>6} {Tier.PUBLIC:>7} {'chargers':>8}"
        lines.append(header)
        lines += [_format_row(row, axes) for row in table.to_dict("records")]
    for key in result.tasks.retried:
        report = result.tasks.reports[key]
        outcome = "failed twice, no plan" if report.failed else "succeeded on the retry"
        lines.append(f"  task {key} {outcome}: {' | '.join(report.errors)}")
    return "\n".join(lines)


def _format_row(row: dict[Any, Any], axes: list[str]) -> str:
    return (
        "  "
        + " ".join(f"{row[a]!s:<14}" for a in axes)
        + f" {row['year']:<5} {row['status']:<10} "
        + _amount(row["objective_eur"]).rjust(12)
        + _amount(row["unmet_kwh_per_day"]).rjust(12)
        + f" {row.get(f'share_{Tier.PRIVATE}', 0):>8.1%}"
        + f" {row.get(f'share_{Tier.SEMI_PUBLIC}', 0):>6.1%}"
        + f" {row.get(f'share_{Tier.PUBLIC}', 0):>7.1%} "
        + _amount(row["chargers"]).rjust(8)
    )


def _amount(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:,.0f}"
