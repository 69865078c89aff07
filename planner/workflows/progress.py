"""Progress on long work: timing lines per stage.

Messages go to the ``laadplan`` logger (standard error in the CLI), never to standard output, so
that command output stays machine-readable.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

LOGGER = logging.getLogger("laadplan")


@contextmanager
def stage(label: str) -> Iterator[None]:
    """Log the start and the duration of one stage of work.

    Examples
    --------
    >>> with stage("projecting demand"):
    ...     pass
    """
    LOGGER.info("%s …", label)
    started = time.perf_counter()
    yield
    LOGGER.info("%s: done in %.2f s", label, time.perf_counter() - started)
