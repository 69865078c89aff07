"""Running the ``laadplan`` command line inside a test without keeping its logging set-up."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import pytest

from planner.cli import main


@contextmanager
def kept_logging() -> Iterator[None]:
    """``main`` points the root logger at the current stderr; put it back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def run_cli(argv: Sequence[str]) -> int:
    """Run ``laadplan`` with ``argv`` and return its exit code, logging restored."""
    with kept_logging():
        return main(list(argv))


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """Restore the root logger after each test of a module that imports this fixture."""
    with kept_logging():
        yield
