"""``laadplan access``: the ZES access answer for one vehicle on a date or in a year.

Examples
--------
``laadplan access --category N1 --registered 2026-06-01 --fuel diesel --norm 6 --year 2030``
prints ``free: N1 diesel Euro 6 registered before 2027-01-01: free access until 2032-12-31``;
with ``--json`` it prints ``{"access": "free", "reason": "..."}``.
"""

from __future__ import annotations

import argparse
import json
import re
from datetime import date

from planner.domain import Exemption, Fuel, VehicleCategory, values
from planner.rules.access import (
    AccessDecision,
    AccessInputError,
    access_decision,
    access_in_year,
)

_YEAR = re.compile(r"\d{4}")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``access`` command to the ``laadplan`` parser."""
    parser = subparsers.add_parser(
        "access",
        help="ZES access of one vehicle: free, paid_permit, exempt or no_access, with the reason",
        description=(
            "Answer whether a vehicle may enter a zero-emission zone for city logistics (ZES) "
            "on a date or in a year, as if a ZES applies then."
        ),
    )
    parser.add_argument(
        "--category", required=True, help="vehicle category: " + ", ".join(values(VehicleCategory))
    )
    parser.add_argument(
        "--registered",
        required=True,
        metavar="YYYY-MM-DD",
        help="date of first registration (DEI); a bare year YYYY means 1 January",
    )
    parser.add_argument("--fuel", required=True, help="fuel: " + ", ".join(values(Fuel)))
    parser.add_argument(
        "--norm",
        help="Euro norm (5, V, 6d-TEMP, Euro VI …) or, for T, stage (IIIa, IIIb, IV, V)",
    )
    when = parser.add_mutually_exclusive_group(required=True)
    when.add_argument("--year", help="calendar year, evaluated on 1 January")
    when.add_argument("--on", metavar="YYYY-MM-DD", help="a single date")
    parser.add_argument("--exemption", help="exemption code: " + ", ".join(values(Exemption)))
    parser.add_argument("--json", action="store_true", help='print {"access": …, "reason": …}')
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the access decision; return exit code 0."""
    registered = parse_date_argument("--registered", args.registered, year_allowed=True)
    if args.year is not None:
        decision = access_in_year(
            args.category, registered, args.fuel, args.norm, parse_year(args.year), args.exemption
        )
    else:
        on = parse_date_argument("--on", args.on, year_allowed=False)
        decision = access_decision(
            args.category, registered, args.fuel, args.norm, on, args.exemption
        )
    print(format_decision(decision, as_json=args.json))
    return 0


def format_decision(decision: AccessDecision, *, as_json: bool) -> str:
    """Return the decision as ``access: reason`` or as a JSON object.

    Examples
    --------
    >>> from planner.rules.access import Access
    >>> format_decision(AccessDecision(Access.FREE, "zero-emission"), as_json=True)
    '{"access": "free", "reason": "zero-emission"}'
    """
    if as_json:
        return json.dumps({"access": decision.access.value, "reason": decision.reason})
    return f"{decision.access}: {decision.reason}"


def parse_year(text: str) -> int:
    """Return a four-digit calendar year.

    Raises
    ------
    AccessInputError
        When the text is not a four-digit year.
    """
    value = text.strip()
    if _YEAR.fullmatch(value) is None or int(value) == 0:
        raise AccessInputError("--year", text, "is not a year", "a year such as 2030")
    return int(value)


def parse_date_argument(option: str, text: str, *, year_allowed: bool) -> date:
    """Return the date of an ``YYYY-MM-DD`` argument (or ``YYYY`` when a year is allowed).

    Raises
    ------
    AccessInputError
        When the text is not such a date.
    """
    value = text.strip()
    if year_allowed and _YEAR.fullmatch(value) is not None and int(value) > 0:
        return date(int(value), 1, 1)
    valid = "a date YYYY-MM-DD" + (" or a year YYYY" if year_allowed else "")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is None:
        raise AccessInputError(option, text, "is not a date", valid)
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise AccessInputError(option, text, f"is not a date ({exc})", valid) from exc
