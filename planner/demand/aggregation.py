"""Totals of the demand projection per municipality, vervoerregio, ZES city, category or sector.

Vehicles, energy and the slot power profile are summed over the needs of a group; the group's
``peak_kw`` is the highest slot of its *summed* profile (the coincident peak), not the sum of the
needs' own peaks.

A need serving several ZES cities is split evenly across them for ``zes_city`` (a need serving
Leuven and Gent counts half in each), so that the groups add up to the total; needs serving no
ZES city form the group ``""``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import xarray as xr

from planner.demand.projection import municipality_names

#: Groupings understood by :func:`aggregate_demand`.
GROUPINGS = ("municipality", "vervoerregio", "category", "sector", "zes_city")
#: Variables summed per group (with their dimensions after ``need``).
SUMMED = (
    "vehicles_total",
    "ze_vehicles",
    "bev_vehicles",
    "energy_kwh_per_day",
    "unserved_kwh_per_day",
    "power_kw",
)
#: Columns of :func:`demand_by_region_table`, in order.
REGION_TABLE_COLUMNS = (
    "vervoerregio_code",
    "vervoerregio",
    "year",
    "category",
    "ze_vehicles",
    "bev_vehicles",
    "energy_kwh_per_day",
    "peak_kw",
    "vehicles_total",
    "unserved_kwh_per_day",
)


@dataclass(frozen=True)
class Membership:
    """Which needs belong to which group, with what weight.

    Attributes
    ----------
    keys
        One row per group, in output order; one column per grouping coordinate.
    need_index, group_index, weight
        One entry per (need, group) pair: the need's position, the group's row in ``keys``
        and the share of the need counted in the group (1, or 1/k when split).
    """

    keys: pd.DataFrame
    need_index: npt.NDArray[np.int64]
    group_index: npt.NDArray[np.int64]
    weight: npt.NDArray[np.float64]


def aggregate_demand(dataset: xr.Dataset, by: str) -> xr.Dataset:
    """Sum the demand projection per group.

    Parameters
    ----------
    dataset
        A dataset from :func:`planner.demand.projection.project_demand`.
    by
        One of :data:`GROUPINGS`. Municipalities and ZES cities are labelled by NIS code and
        vervoerregio's by code, each with a ``name`` coordinate.

    Returns
    -------
    xarray.Dataset
        Dimension ``by`` (plus ``year`` and ``slot``): the summed variables of :data:`SUMMED`,
        ``peak_kw`` (group, year) and ``organisations`` (distinct organisations in the group).

    Raises
    ------
    ValueError
        For an unknown grouping.
    """
    membership = _membership(dataset, by)
    summed = sum_by_group(dataset, membership, by)
    labels = membership.keys.iloc[:, 0].to_numpy()
    summed = summed.assign_coords({by: (by, labels)})
    names = _group_names(dataset, by, labels.tolist())
    if names is not None:
        summed = summed.assign_coords(name=(by, names))
    summed["organisations"] = (by, _organisation_counts(dataset, membership))
    summed.attrs = dict(dataset.attrs, grouping=by)
    return summed


def sum_by_group(dataset: xr.Dataset, membership: Membership, dim: str) -> xr.Dataset:
    """Sum the :data:`SUMMED` variables over needs into groups, and add ``peak_kw``.

    Parameters
    ----------
    dataset
        A demand dataset.
    membership
        The groups and the needs' weights in them.
    dim
        Name of the group dimension of the result.
    """
    variables: dict[str, xr.DataArray] = {}
    for name in SUMMED:
        source = dataset[name]
        values = _weighted_sum(source.to_numpy(), membership)
        dims = (dim, *source.dims[1:])
        variables[name] = xr.DataArray(values, dims=dims, attrs=source.attrs)
    result = xr.Dataset(variables, coords={"year": dataset["year"], "slot": dataset["slot"]})
    result["peak_kw"] = result["power_kw"].max("slot")
    result["peak_kw"].attrs = {"units": "kW", "description": "coincident peak of the group"}
    return result.assign_coords(slot_start=dataset["slot_start"], is_offpeak=dataset["is_offpeak"])


def _weighted_sum(values: np.ndarray, membership: Membership) -> np.ndarray:
    shape = (len(membership.keys), *values.shape[1:])
    out = np.zeros(shape, dtype=np.float64)
    weight = membership.weight.reshape(-1, *([1] * (values.ndim - 1)))
    np.add.at(out, membership.group_index, values[membership.need_index] * weight)
    return out


def _membership(dataset: xr.Dataset, by: str) -> Membership:
    if by == "zes_city":
        return _split_membership(dataset["zes_cities"].to_numpy().astype(str))
    columns = {
        "municipality": ["nis_code"],
        "vervoerregio": ["vervoerregio_code"],
        "category": ["category"],
        "sector": ["sector"],
    }
    if by not in columns:
        raise ValueError(f"cannot aggregate by {by!r}; valid: {', '.join(GROUPINGS)}")
    return membership_of(dataset, columns[by])


def membership_of(dataset: xr.Dataset, coordinates: Sequence[str]) -> Membership:
    """Group needs by the values of one or more ``need`` coordinates (one group each).

    Groups are sorted by their key values.
    """
    frame = pd.DataFrame({name: dataset[name].to_numpy() for name in coordinates})
    keys = frame.drop_duplicates().sort_values(list(coordinates), ignore_index=True)
    position = pd.Series(np.arange(len(keys)), index=pd.MultiIndex.from_frame(keys))
    codes = position.loc[pd.MultiIndex.from_frame(frame)].to_numpy()
    n_needs = len(frame)
    return Membership(
        keys,
        np.arange(n_needs, dtype=np.int64),
        np.asarray(codes, dtype=np.int64),
        np.ones(n_needs, dtype=np.float64),
    )


def _split_membership(zes_cities: np.ndarray) -> Membership:
    """Each need split evenly over the cities in its ``zes_cities`` (group ``""`` if none)."""
    pairs: list[tuple[int, str, float]] = []
    for index, text in enumerate(zes_cities):
        cities = [code.strip() for code in str(text).split(";") if code.strip()] or [""]
        pairs.extend((index, city, 1.0 / len(cities)) for city in cities)
    labels = sorted({city for _, city, _ in pairs})
    position = {label: i for i, label in enumerate(labels)}
    return Membership(
        pd.DataFrame({"zes_city": pd.Series(labels, dtype=str)}),
        np.array([p[0] for p in pairs], dtype=np.int64),
        np.array([position[p[1]] for p in pairs], dtype=np.int64),
        np.array([p[2] for p in pairs], dtype=np.float64),
    )


def _group_names(dataset: xr.Dataset, by: str, labels: list[object]) -> np.ndarray | None:
    if by in ("municipality", "zes_city"):
        names = municipality_names()
        return np.array([names.get(str(label), "") for label in labels], dtype=str)
    if by == "vervoerregio":
        lookup = dict(
            zip(
                dataset["vervoerregio_code"].to_numpy().tolist(),
                dataset["vervoerregio"].to_numpy().astype(str).tolist(),
                strict=True,
            )
        )
        return np.array([lookup[label] for label in labels], dtype=str)
    return None


def _organisation_counts(dataset: xr.Dataset, membership: Membership) -> np.ndarray:
    organisations = dataset["organisation_id"].to_numpy().astype(str)
    pairs = pd.DataFrame(
        {"group": membership.group_index, "organisation": organisations[membership.need_index]}
    )
    counts = pairs.groupby("group")["organisation"].nunique()
    groups = range(len(membership.keys))
    return counts.reindex(groups, fill_value=0).to_numpy(dtype=np.int64)


def demand_by_region_table(dataset: xr.Dataset) -> pd.DataFrame:
    """Return vehicles, energy and coincident peak per vervoerregio, year and category.

    Parameters
    ----------
    dataset
        A dataset from :func:`planner.demand.projection.project_demand`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`REGION_TABLE_COLUMNS`, one row per vervoerregio × year × category present
        in the needs, sorted by vervoerregio code, year and category. ``peak_kw`` is the highest
        slot of the group's summed profile.
    """
    membership = membership_of(dataset, ["vervoerregio_code", "category"])
    summed = sum_by_group(dataset, membership, "group")
    keys = membership.keys
    names = _group_names(dataset, "vervoerregio", keys["vervoerregio_code"].tolist())
    frames = []
    for position, year in enumerate(dataset["year"].to_numpy().tolist()):
        frame = pd.DataFrame(
            {
                "vervoerregio_code": keys["vervoerregio_code"].astype(np.int64),
                "vervoerregio": names,
                "year": int(year),
                "category": keys["category"].astype(str),
            }
        )
        for name in REGION_TABLE_COLUMNS[4:]:
            values = summed[name].to_numpy()
            frame[name] = values if values.ndim == 1 else values[:, position]
        frames.append(frame)
    columns = list(REGION_TABLE_COLUMNS)
    if not frames:
        return pd.DataFrame(columns=columns)
    table = pd.concat(frames, ignore_index=True)[columns]
    return table.sort_values(["vervoerregio_code", "year", "category"], ignore_index=True)


def summary_by_year(dataset: xr.Dataset) -> pd.DataFrame:
    """Return the totals over all needs per year.

    Returns
    -------
    pandas.DataFrame
        ``year``, ``ze_vehicles``, ``bev_vehicles``, ``energy_mwh_per_day``,
        ``unserved_mwh_per_day`` and ``peak_mw`` (the coincident peak of all needs together).
    """
    total = dataset["power_kw"].sum("need")
    return pd.DataFrame(
        {
            "year": dataset["year"].to_numpy(),
            "ze_vehicles": dataset["ze_vehicles"].sum("need").to_numpy(),
            "bev_vehicles": dataset["bev_vehicles"].sum("need").to_numpy(),
            "energy_mwh_per_day": dataset["energy_kwh_per_day"].sum("need").to_numpy() / 1000,
            "unserved_mwh_per_day": dataset["unserved_kwh_per_day"].sum("need").to_numpy() / 1000,
            "peak_mw": total.max("slot").to_numpy() / 1000,
        }
    )
