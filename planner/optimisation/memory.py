"""Give a process's freed memory back to the operating system.

A year's models are freed by reference counting (the garbage collector is paused while a
year is planned), but the C heap keeps the pages they held wherever live blocks lie
scattered between them: a process's resident memory otherwise stays at the peak of its
largest model for as long as it lives.  :func:`release_memory` is called where a model has
gone: between a year's coarse and hourly models and after each year
(:func:`~planner.workflows.multiyear.plan_year`), and after each task on a worker
(:mod:`planner.workflows.parallel`).
"""

from __future__ import annotations

import ctypes
import gc


def release_memory() -> None:
    """Collect garbage and give the C heap's free pages back to the operating system.

    Freed memory stays in the process's heap where live blocks are scattered through it
    (a solved model leaves its result among the freed rows): glibc's ``malloc_trim`` returns
    the free pages in between, as Dask's documentation advises for worker memory that is not
    released.  Where the C library has no ``malloc_trim`` (not glibc) only the garbage is
    collected.
    """
    gc.collect()
    try:
        trim = getattr(ctypes.CDLL(None), "malloc_trim", None)  # the process's own C library
    except (OSError, TypeError):  # no C library to load by the process's name (Windows)
        return
    if trim is not None:
        trim(0)
