"""Progress on long work: timing lines per stage and a counter for loops.

Messages go to the ``laadplan`` logger (standard error in the CLI), never to standard output, so
that command output stays machine-readable.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

LOGGER = logging.getLogger("laadplan")

T = TypeVar("T")


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


def track(items: Iterable[T], label: str, total: int, every_percent: int = 10) -> Iterator[T]:
    """Yield the items while logging progress every ``every_percent`` percent.

    Parameters
    ----------
    items
        What to iterate over.
    label
        What is being done, for the log line.
    total
        How many items there are.
    every_percent
        Log at most once per this many percent of progress.
    """
    step = max(1, total * every_percent // 100)
    started = time.perf_counter()
    for index, item in enumerate(items, start=1):
        yield item
        if index % step == 0 or index == total:
            elapsed = time.perf_counter() - started
            LOGGER.info(
                "%s: %d/%d (%.0f%%), %.1f s", label, index, total, 100 * index / total, elapsed
            )
