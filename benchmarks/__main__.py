"""``make bench``: plan the benchmark cases and print the table of what it took.

Rows (cases are generated once into ``--cases``, never committed):

* ``demo``: the demo region (Leuven, ``make demo``'s case), one year;
* ``region``: one large vervoerregio (Antwerpen at the density of the Flanders case), one year;
* ``flanders-year``: all of Flanders (20,000 needs, 3,000 sites, 300 substations, 5,000
  cabins), one year, one sub-problem per vervoerregio on a local Dask cluster;
* ``flanders-all``: the same, 2027–2035.

Per row: model build and solve seconds (from the plan's ``summary.json``; for a decomposed case
the sums over the sub-problems, i.e. worker seconds), the whole ``laadplan plan`` command's
wall-clock seconds (read, project, build, solve, merge, write) and its peak memory (the process
and its Dask workers), and, for the single-problem rows, the bare HiGHS solve of the same
model written as MPS, with the ratio of the product's solve time to it.

``python -m benchmarks [--rows demo,region] [--time-limit S] [--workers N] [--out DIR]``
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.measure import Measured, run_measured

#: Generator arguments of each case.
CASES: dict[str, list[str]] = {
    "leuven": ["--region", "Leuven", "--seed", "1"],
    "antwerpen": [
        "--region",
        "Antwerpen",
        "--seed",
        "7",
        "--needs",
        "2760",
        "--sites",
        "440",
        "--substations",
        "25",
        "--cabins",
        "420",
    ],
    "flanders": [
        "--region",
        "all",
        "--seed",
        "7",
        "--needs",
        "20000",
        "--sites",
        "3000",
        "--substations",
        "300",
        "--cabins",
        "5000",
    ],
}
YEAR = 2030


@dataclasses.dataclass(frozen=True)
class Row:
    """One benchmark: a case, its years, and whether the bare solver is compared."""

    name: str
    label: str
    case: str
    year: int | None  # None: every projected year
    bare: bool
    time_limit_s: float  # per solver stage


ROWS = (
    Row("demo", f"demo region (Leuven, {YEAR})", "leuven", YEAR, True, 60.0),
    Row("region", f"large vervoerregio (Antwerpen, {YEAR})", "antwerpen", YEAR, True, 20.0),
    Row("flanders-year", f"all Flanders, {YEAR} (15 sub-problems)", "flanders", YEAR, False, 10.0),
    Row("flanders-all", "all Flanders, 2027–2035", "flanders", None, False, 10.0),
)
TARGETS_S = {"demo": 30.0, "region": 30.0, "flanders-year": 120.0, "flanders-all": 600.0}
TARGET_MEMORY_MB = 4000.0


def main(argv: list[str] | None = None) -> int:
    """Run the rows and print the table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--rows", default=",".join(r.name for r in ROWS))
    parser.add_argument(
        "--time-limit", type=float, help="per solver stage, s (default: each row's own)"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cases", type=Path, default=Path("bench-cases"))
    parser.add_argument("--out", type=Path, default=Path("bench-out"))
    args = parser.parse_args(argv)
    chosen = [row for row in ROWS if row.name in args.rows.split(",")]
    args.out.mkdir(parents=True, exist_ok=True)
    results = []
    for row in chosen:
        folder = ensure_case(args.cases, row.case)
        print(f"[bench] {row.label} …", file=sys.stderr, flush=True)
        result = run_row(row, folder, args)
        results.append(result)
        (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
        print(f"[bench] {row.label}: {json.dumps(result)}", file=sys.stderr, flush=True)
    table = format_table(results, args)
    (args.out / "table.md").write_text(table + "\n", encoding="utf-8")
    print(table)
    return 0


def ensure_case(cases: Path, name: str) -> Path:
    """Generate the case once (the generator is deterministic for its arguments)."""
    folder = cases / name
    stamp = folder / ".made-by"
    arguments = CASES[name]
    if stamp.exists() and stamp.read_text(encoding="utf-8") == " ".join(arguments):
        return folder
    command = [_laadplan(), "-q", "generate", *arguments, "--out", str(folder), "--force"]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    stamp.write_text(" ".join(arguments), encoding="utf-8")
    return folder


def _laadplan() -> str:
    return str(Path(sys.executable).with_name("laadplan"))


def run_row(row: Row, folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Plan the case with the CLI, measured; then the bare HiGHS solve where asked."""
    out = args.out / row.name
    command = [_laadplan(), "plan", "--data", str(folder), "--out", str(out)]
    command += ["--time-limit", str(_limit(row, args)), "--workers", str(args.workers)]
    if row.year is not None:
        command += ["--year", str(row.year)]
    measured = run_measured(command, args.out / f"{row.name}.log")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    result: dict[str, Any] = {
        "row": row.name,
        "label": row.label,
        "status": summary["status"],
        "mip_gap": summary["mip_gap"],
        "unmet_kwh_per_day": summary["unmet_kwh_per_day"],
        "years": len(summary["planned_years"]),
        "variables": summary["model"]["variables"],
        "integers": summary["model"]["integers"],
        "build_s": summary["build_s"],
        "solve_s": summary["solve_s"],
        "pipeline_s": round(measured.wall_s, 1),
        "peak_memory_mb": round(measured.peak_rss_mb),
        "returncode": measured.returncode,
    }
    result["time_limit_s"] = _limit(row, args)
    if row.bare:
        result.update(bare_highs(folder, row.year or YEAR, _limit(row, args), summary, measured))
    return result


def _limit(row: Row, args: argparse.Namespace) -> float:
    return float(args.time_limit if args.time_limit is not None else row.time_limit_s)


def bare_highs(
    folder: Path, year: int, limit_s: float, summary: dict[str, Any], measured: Measured
) -> dict[str, Any]:
    """Write the year's model as MPS and solve it with HiGHS alone, same limits."""
    from planner.optimisation.case import inputs_for_year, read_plan_case
    from planner.optimisation.model import build_problem
    from planner.workflows.datafolder import resolve_data_folder

    case = read_plan_case(resolve_data_folder(folder))
    problem = build_problem(inputs_for_year(case, year))
    mps = folder.parent / f"{folder.name}-{year}.mps"
    problem.prob.writeMPS(str(mps))
    command = [sys.executable, "-m", "benchmarks.bare_highs", str(mps)]
    command += ["--time-limit", str(limit_s)]
    command += ["--mip-gap", str(case.scenario.optimisation.mip_gap)]
    started = time.perf_counter()
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    bare = json.loads(output.strip().splitlines()[-1])  # after the HiGHS banner
    bare_wall_s = time.perf_counter() - started
    mps.unlink()
    return {
        "bare_status": bare["status"],
        "bare_gap": bare["mip_gap"],
        "bare_solve_s": round(bare["solve_s"], 2),
        "bare_wall_s": round(bare_wall_s, 2),
        "solve_ratio": round(summary["solve_s"] / max(bare["solve_s"], 1e-9), 2),
        "pipeline_ratio": round(measured.wall_s / max(bare_wall_s, 1e-9), 2),
    }


def format_table(results: list[dict[str, Any]], args: argparse.Namespace) -> str:
    """The Markdown table of the README."""
    lines = [
        f"{args.workers} Dask workers, machine: {_machine()}.",
        "",
        "| case | stage limit s | status (largest gap) | unmet kWh/day | variables (integer) "
        "| build s | solve s | pipeline s | target s | peak MB | bare HiGHS s "
        "| product ÷ bare (solve, pipeline) |",
        "|---|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        gap = "" if r["mip_gap"] is None else f" ({100 * r['mip_gap']:.1f} %)"
        bare = f"{r['bare_solve_s']:.1f} ({r['bare_status']})" if "bare_solve_s" in r else "—"
        ratio = f"{r['solve_ratio']:.2f}, {r['pipeline_ratio']:.2f}" if "solve_ratio" in r else "—"
        lines.append(
            f"| {r['label']} | {r['time_limit_s']:g} | {r['status']}{gap} "
            f"| {r.get('unmet_kwh_per_day') or 0:,.0f} | {r['variables']:,} ({r['integers']:,}) "
            f"| {r['build_s']:.1f} | {r['solve_s']:.1f} | {r['pipeline_s']:.1f} "
            f"| {TARGETS_S[r['row']]:.0f} | {r['peak_memory_mb']:,} | {bare} | {ratio} |"
        )
    return "\n".join(lines)


def _machine() -> str:
    import os

    import psutil

    return f"{os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB"


if __name__ == "__main__":
    raise SystemExit(main())
