"""Vehicle categories of the ZES rules: the one definition every package imports.

It lives here, the lowest layer that needs it (charger types suit categories), because
``charging_sites`` may not import ``planner``; :mod:`planner.domain` re-exports it.
"""

from __future__ import annotations

from enum import StrEnum


class VehicleCategory(StrEnum):
    """Vehicle categories of the ZES rules."""

    N1 = "N1"
    N2L = "N2L"  # N2 with reference mass below 2610 kg
    N2H = "N2H"  # N2 with reference mass 2610 kg or more
    N3 = "N3"
    T = "T"
