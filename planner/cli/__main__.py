"""``python -m planner.cli``: the ``laadplan`` command line."""

from planner.cli import main

raise SystemExit(main())
