"""Who stands behind the figures of the plan's area files (``chargers_by_*.csv``).

One definition for the files' writer (:mod:`planner.workflows.plan_files`) and for their guard
against the last hand-out (:mod:`planner.workflows.handouts`).  Two families of figures:

* :data:`ENERGY_FIGURES` sum what the organisations *charging* at an area's sites draw;
* :data:`COUNT_COLUMNS` count the sites' infrastructure.  On shared sites it is public; on
  private sites it is the *owner's* (a company's own chargers), so those counts are company
  figures too, behind the sites' owners (:func:`site_owners`).
"""

from __future__ import annotations

import pandas as pd

from charging_sites import Tier

#: Columns of the area files summed over an area's sites (those the sites table has).
COUNT_COLUMNS = ("sites", "chargers", "new_chargers", "connectors", "installed_kw")
#: Figures of an area row that sum what the organisations charging there draw.
ENERGY_FIGURES = ("energy_kwh_per_day", "organisations")
#: Owner of a private site whose owner the sites table does not name: all such sites count as
#: one organisation (fewer organisations, never more).
UNNAMED_OWNER = "?"


def site_owners(sites: pd.DataFrame) -> pd.DataFrame:
    """The owner of each private site: ``year``, ``site_id``, ``tier``, ``organisation_id``.

    Examples
    --------
    >>> sites = pd.DataFrame({"year": 2030, "site_id": ["P1", "P2", "S1"],
    ...     "tier": ["private", "private", "public"], "owner_organisation_id": ["a", "", ""]})
    >>> site_owners(sites)["organisation_id"].tolist()
    ['a', '?']
    """
    private = sites[sites["tier"].astype(str) == Tier.PRIVATE]
    named = (
        private["owner_organisation_id"].fillna("").astype(str)
        if "owner_organisation_id" in private.columns
        else pd.Series("", index=private.index, dtype=str)
    )
    return private[["year", "site_id", "tier"]].assign(
        organisation_id=named.where(named != "", UNNAMED_OWNER)
    )
