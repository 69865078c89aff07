"""``laadplan report``: the charging plan of one vervoerregio as a PDF (or HTML) document.

Registered through the ``laadplan.commands`` entry-point group, like ``laadplan dashboard``.

``laadplan report --data DIR --results OUT --region NAME|CODE --out FILE.pdf
[--format pdf|html] [--lang nl|en]``
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

LOGGER = logging.getLogger("laadplan")


def register(subparsers: Any) -> None:
    """Add the ``report`` command."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "report",
        help="write the charging plan of one vervoerregio as a PDF or HTML document",
        description=(
            "Write the supra-local charging plan of a vervoerregio from a case and the results "
            "of laadplan run / plan: ZES calendar, demand, roll-out per tier and municipality, "
            "the grid operator's requests (k-anonymous), unmet energy, methods."
        ),
    )
    parser.add_argument("--data", type=Path, required=True, metavar="DIR", help="data folder")
    parser.add_argument(
        "--results", type=Path, required=True, metavar="OUT", help="results of laadplan run"
    )
    parser.add_argument(
        "--region", required=True, metavar="NAME|CODE", help="vervoerregio name or code 1–15"
    )
    parser.add_argument("--out", type=Path, required=True, metavar="FILE", help="file to write")
    parser.add_argument("--format", choices=("pdf", "html"), default="pdf", dest="fmt")
    parser.add_argument("--lang", choices=("nl", "en"), default="nl", help="language (nl)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the report; return 0."""
    from dashboards.report import write_report

    out = write_report(args.data, args.results, args.region, args.out, args.fmt, args.lang)
    LOGGER.info("report of vervoerregio %s written to %s", args.region, out)
    return 0
