"""``laadplan dashboard``: serve the dashboard of a case.

Registered through the ``laadplan.commands`` entry-point group (``pyproject.toml``), so that
``planner`` never imports ``dashboards``. Dash is imported only when the command runs.

``laadplan dashboard --data DIR [--results OUT] [--port 8050] [--host 127.0.0.1]
[--tiles auto|on|off]`` reads the case once, prints the URL and serves until interrupted.
"""

from __future__ import annotations

import argparse
import logging
import urllib.request
from pathlib import Path
from typing import Any

LOGGER = logging.getLogger("laadplan")

#: A tile of the OpenStreetMap server, asked once with ``--tiles auto``.
TILE_PROBE_URL = "https://tile.openstreetmap.org/0/0/0.png"
TILE_PROBE_TIMEOUT_S = 2.0


def register(subparsers: Any) -> None:
    """Add the ``dashboard`` command."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "dashboard",
        help="serve the Dash dashboard of a case (demand, grid, plan, scenarios, intake)",
        description=(
            "Serve the dashboard of a planning case: demand, grid and plan on a map of "
            "Flanders, scenarios side by side, intake of needs files with row-level errors."
        ),
    )
    parser.add_argument(
        "--data", type=Path, required=True, metavar="DIR", help="the case's data folder"
    )
    parser.add_argument(
        "--results",
        type=Path,
        metavar="OUT",
        help="results of laadplan run / laadplan plan (optional)",
    )
    parser.add_argument("--port", type=int, default=8050, help="port (default 8050)")
    parser.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    parser.add_argument(
        "--tiles",
        choices=("auto", "on", "off"),
        default="auto",
        help="map tiles: 'auto' uses OpenStreetMap when reachable, else outlines from data only",
    )
    parser.set_defaults(func=run)


def tiles_reachable(url: str = TILE_PROBE_URL, timeout_s: float = TILE_PROBE_TIMEOUT_S) -> bool:
    """Whether the tile server answers (one small request)."""
    request = urllib.request.Request(
        url, method="HEAD", headers={"User-Agent": "laadplan-dashboard"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            return bool(200 <= response.status < 400)
    except (OSError, ValueError):
        return False


def use_tiles(choice: str) -> bool:
    """The tile setting for ``--tiles``."""
    if choice == "auto":
        return tiles_reachable()
    return choice == "on"


def run(args: argparse.Namespace) -> int:
    """Read the case, print the URL and serve; return 0 when stopped."""
    from dashboards.app import create_app, warm_app

    tiles = use_tiles(args.tiles)
    app = create_app(args.data, args.results, tiles=tiles)
    warm_app(app)
    url = f"http://{args.host}:{args.port}/"
    maps = "on map tiles" if tiles else "drawn from data, no tiles"
    print(f"laadplan dashboard of {args.data}: {url} (maps {maps}; Ctrl+C stops)", flush=True)
    app.run(host=args.host, port=args.port, debug=False)
    return 0
