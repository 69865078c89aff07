"""``laadplan generate``: write a synthetic planning case into a data folder."""

from __future__ import annotations

import argparse
from pathlib import Path

from planner.generate import SizeRequest, generate_case, write_case
from planner.generate.grid import cabin_status_counts
from planner.generate.writer import check_output_folder
from planner.workflows.progress import stage

EXAMPLES = """examples:
  laadplan generate --region Leuven --seed 1 --out demo-case
  laadplan generate --region all --seed 7 --out bench --needs 20000 --sites 3000 \\
      --substations 300 --cabins 5000
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``generate`` command to the command line."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "generate",
        help="write a synthetic planning case (needs, sites, grid, zones, scenario)",
        description=(
            "Write a complete synthetic planning case in the data contracts: real municipalities "
            "of a vervoerregio (or all of Flanders), invented organisations, fleets, candidate "
            "sites and medium-voltage grid, labelled synthetic in every file. The same region, "
            "seed and sizes always give the same files."
        ),
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--region", required=True, help="a vervoerregio name or code (Leuven, 7), or 'all'"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder to write")
    parser.add_argument("--force", action="store_true", help="overwrite a folder that is not empty")
    sizes = parser.add_argument_group("sizes (default: in proportion to the region)")
    for name, what in (
        ("needs", "vehicle groups (rows of needs.csv)"),
        ("sites", "candidate sites of all tiers"),
        ("substations", "HV/MV substations"),
        ("cabins", "MV cabins"),
    ):
        sizes.add_argument(f"--{name}", type=int, metavar="N", help=f"number of {what}")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Generate the case, write it and print what was written."""
    request = SizeRequest(
        needs=args.needs, sites=args.sites, substations=args.substations, cabins=args.cabins
    )
    check_output_folder(args.out, args.force)  # before the work, not after it
    case = generate_case(args.region, args.seed, request)
    with stage(f"writing {args.out}"):
        rows = write_case(case, args.out, force=args.force)
    print(f"Synthetic case '{case.label}' (seed {case.seed}) written to {args.out}:")
    for name, count in rows.items():
        print(f"  {name:<18} {count:>8} rows")
    print(f'  {"scenario.toml":<18} name "{case.label} (synthetic)"')
    print(f"  {'README.txt':<18} says the data are synthetic and how to make them again")
    tiers = case.sites["tier"].value_counts()
    print("  sites by tier:   " + ", ".join(f"{t} {tiers.get(t, 0)}" for t in _TIERS))
    cabins = cabin_status_counts(case.grid)
    print("  cabins by status: " + ", ".join(f"{s} {n}" for s, n in cabins.items()))
    return 0


_TIERS = ("private", "semi_public", "public")
