"""The errors raised by :mod:`charging_sites`; all derive from :class:`validation.LaadplanError`."""

from __future__ import annotations

from validation import LaadplanError


class ChargingSitesError(LaadplanError):
    """Site, charger or access data that cannot be used as given."""


class ChargerCatalogueError(ChargingSitesError):
    """The charger catalogue holds invalid entries.

    Parameters
    ----------
    problems
        One readable line per problem; every problem of the catalogue is listed.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(f"charger catalogue: {len(self.problems)} problem(s)\n{lines}")


class AccessError(ChargingSitesError):
    """Access distances cannot be computed from the given depots, sites or settings."""
