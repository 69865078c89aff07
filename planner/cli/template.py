"""``laadplan template``: write a template to fill in (``needs`` as ``.xlsx`` or ``.csv``)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from planner.intake.needs_template import write_needs_template

LOG = logging.getLogger(__name__)
TEMPLATE_KINDS = ("needs",)


def register(subparsers: Any) -> None:
    """Add the ``template`` command."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "template",
        help="write a needs template to fill in (.xlsx with dropdowns, or .csv)",
        description=(
            "Write a template with the contract's columns and what each means. The .xlsx has "
            "Excel data validation (dropdowns for categories, fuels, yes/no and exemptions; "
            "ranges for numbers) and an explanation sheet; the .csv (';', UTF-8) has an "
            "explanation row that is skipped when the file is read. Filled in, it passes "
            "'laadplan validate'."
        ),
    )
    parser.add_argument("kind", choices=TEMPLATE_KINDS, help="which template")
    parser.add_argument(
        "--out", type=Path, required=True, help="file to write: needs.xlsx or needs.csv"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the template."""
    path = write_needs_template(args.out)
    LOG.info("wrote the %s template to %s", args.kind, path)
    return 0
