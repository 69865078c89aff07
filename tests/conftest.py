"""Hypothesis settings for the whole suite.

The ``ci`` profile (the default) draws the same cases every run and sets no per-example
deadline, so a run never depends on luck or on how loaded the machine is;
``HYPOTHESIS_PROFILE=explore`` draws fresh cases to search for new counter-examples.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("explore", derandomize=False, deadline=None, max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
