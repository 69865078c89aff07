"""Figures of a run for everyone: the public demand per vervoerregio, and tables as JSON.

Kept apart from :mod:`service.planning` (which runs the planner) so that the API can guard a
publication without importing the planner.  The disclosure rule is
:mod:`grid_data.disclosure`; ``docs/privacy.md`` states it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import xarray as xr

from grid_data.disclosure import Hierarchy, guard_change

#: Name of the merged row of small groups in ``public_demand``.
OTHER_REGIONS = "other"


def public_demand_basis(demand: xr.Dataset, years: Sequence[int]) -> pd.DataFrame:
    """What each organisation contributes to the public demand (planner only).

    One row per year, vervoerregio and organisation with demand: :data:`BASIS_COLUMNS`.  Kept
    with the run so that a later publication can be compared with it
    (:func:`public_demand_rows`).
    """
    needs = pd.DataFrame(
        {
            "organisation_id": demand["organisation_id"].values.astype(str),
            "vervoerregio_code": demand["vervoerregio_code"].values.astype(str),
            "vervoerregio": demand["vervoerregio"].values.astype(str),
        }
    )
    frames = []
    for year in years:
        energy = demand["energy_kwh_per_day"].sel(year=year).values.astype(float)
        vehicles = demand["bev_vehicles"].sel(year=year).values.astype(float)
        frame = needs.assign(year=int(year), bev_vehicles=vehicles, energy_kwh_per_day=energy)
        frames.append(frame[frame["energy_kwh_per_day"] > 0])
    basis = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=BASIS_COLUMNS)
    keys = ["year", "vervoerregio_code", "vervoerregio", "organisation_id"]
    summed = basis.groupby(keys, as_index=False)[["bev_vehicles", "energy_kwh_per_day"]].sum()
    return summed.round({"bev_vehicles": 1, "energy_kwh_per_day": 1})[BASIS_COLUMNS]


BASIS_COLUMNS = [
    "year", "vervoerregio_code", "vervoerregio", "organisation_id", "bev_vehicles",
    "energy_kwh_per_day",
]  # fmt: skip


def public_demand_rows(
    basis: pd.DataFrame,
    k: int,
    previous_basis: pd.DataFrame | None = None,
    previous_rows: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Demand per vervoerregio and year as it may be published: :data:`PUBLIC_COLUMNS`.

    The rule of :mod:`grid_data.disclosure` on the hierarchy vervoerregio → Flanders of each
    year: a vervoerregio is shown when at least ``k`` organisations (or none) stand behind it;
    the others are merged into one ``other`` row (Flanders minus the regions shown) when it
    holds ``k`` or more, else suppressed.  With a previous publication (its basis and rows),
    :func:`~grid_data.disclosure.guard_change` withholds what would reveal a change of fewer
    than ``k`` organisations by difference.
    """
    rows: list[dict[str, Any]] = []
    for year in sorted({int(y) for y in basis["year"]}):
        now = basis[basis["year"] == year]
        before = None if previous_basis is None else previous_basis[previous_basis["year"] == year]
        shown_before = (
            None if previous_rows is None else previous_rows[previous_rows["year"] == year]
        )
        rows += _year_rows(now, before, shown_before, year, k)
    return pd.DataFrame(rows, columns=PUBLIC_COLUMNS)


PUBLIC_COLUMNS = [
    "year", "vervoerregio_code", "vervoerregio", "organisations", "bev_vehicles",
    "energy_kwh_per_day",
]  # fmt: skip


def _year_rows(
    now: pd.DataFrame,
    before: pd.DataFrame | None,
    shown_before: pd.DataFrame | None,
    year: int,
    k: int,
) -> list[dict[str, Any]]:
    frames = [now] if before is None else [now, before]
    regions = sorted({str(code) for frame in frames for code in frame["vervoerregio_code"]})
    hierarchy = Hierarchy.from_parents(
        [OTHER_REGIONS, *regions], [None, *[OTHER_REGIONS] * len(regions)]
    )
    current = _contributions(now, hierarchy)
    published = np.ones(len(hierarchy.ids), dtype=bool)
    if before is None or shown_before is None:
        disclosed = guard_change(hierarchy, current, published, k=k)
    else:
        previous = _contributions(before, hierarchy)
        was_shown = _shown_nodes(hierarchy, shown_before, previous)
        disclosed = guard_change(hierarchy, current, published, previous, was_shown, k)
    rows = []
    for code, group in now.groupby("vervoerregio_code"):
        if disclosed[hierarchy.ids.index(str(code))]:
            rows.append(_public_row(group, year, str(code), str(group["vervoerregio"].iloc[0])))
    rest = now[[not disclosed[hierarchy.ids.index(str(c))] for c in now["vervoerregio_code"]]]
    if disclosed[0] and len(rest):
        rows.append(_public_row(rest, year, OTHER_REGIONS, "regions with fewer than k"))
    return rows


def _contributions(basis: pd.DataFrame, hierarchy: Hierarchy) -> list[dict[str, tuple[float, ...]]]:
    """Per node of the year's hierarchy, each organisation's (vehicles, energy)."""
    contributions: list[dict[str, tuple[float, ...]]] = [{} for _ in hierarchy.ids]
    columns = ["vervoerregio_code", "organisation_id", "bev_vehicles", "energy_kwh_per_day"]
    for code, organisation, vehicles, energy in basis[columns].itertuples(index=False):
        node = hierarchy.ids.index(str(code))
        contributions[node][str(organisation)] = (float(vehicles), float(energy))
    return contributions


def _shown_nodes(
    hierarchy: Hierarchy, rows: pd.DataFrame, contributions: list[dict[str, tuple[float, ...]]]
) -> npt.NDArray[np.bool_]:
    """Which nodes a publication showed: its regions, and Flanders when the rest was shown."""
    codes = {str(code) for code in rows["vervoerregio_code"]}
    shown = np.array([node in codes for node in hierarchy.ids])
    hidden_rest = any(contributions[n] for n in range(1, len(hierarchy.ids)) if not shown[n])
    shown[0] = OTHER_REGIONS in codes or not hidden_rest
    return shown


def _public_row(group: pd.DataFrame, year: int, code: str, name: str) -> dict[str, Any]:
    return {
        "year": year,
        "vervoerregio_code": code,
        "vervoerregio": name,
        "organisations": int(group["organisation_id"].nunique()),
        "bev_vehicles": round(float(group["bev_vehicles"].sum()), 1),
        "energy_kwh_per_day": round(float(group["energy_kwh_per_day"].sum()), 1),
    }


def republish_public_demand(
    tables: dict[str, list[dict[str, Any]]],
    previous: dict[str, list[dict[str, Any]]] | None,
    k: int,
) -> list[dict[str, Any]]:
    """The public demand records of a run about to be published, guarded against the last one.

    ``tables`` and ``previous`` hold the runs' ``public_demand_basis`` and ``public_demand``
    records (``previous`` is ``None`` for a first publication).
    """
    basis = pd.DataFrame(tables.get("public_demand_basis") or [], columns=BASIS_COLUMNS)
    if previous is None:
        rows = public_demand_rows(basis, k)
    else:
        before = pd.DataFrame(previous.get("public_demand_basis") or [], columns=BASIS_COLUMNS)
        shown = pd.DataFrame(previous.get("public_demand") or [], columns=PUBLIC_COLUMNS)
        rows = public_demand_rows(basis, k, before, shown)
    records: list[dict[str, Any]] = as_table(rows)["records"]
    return records


def as_table(frame: pd.DataFrame) -> dict[str, Any]:
    """A table as JSON-ready ``{"columns", "records"}`` (NaN → null)."""
    records = [
        {str(key): _json_value(value) for key, value in record.items()}
        for record in frame.to_dict("records")
    ]
    return {"columns": [str(column) for column in frame.columns], "records": records}


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, int | float | str | bool):
        return value
    return str(value)
