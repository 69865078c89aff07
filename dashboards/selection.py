"""What the person chose in the filters: year, vervoerregio, municipality, categories.

Plain data and masks over tables; no Dash.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import xarray as xr

import geography

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Selection:
    """A filter selection.

    Attributes
    ----------
    year
        The year shown.
    region
        Vervoerregio code, or ``None`` for all of them.
    municipality
        NIS code, or ``None`` for all municipalities (of the region).
    categories
        Vehicle categories; empty means all.
    """

    year: int
    region: int | None = None
    municipality: str | None = None
    categories: tuple[str, ...] = ()


def make_selection(
    year: object,
    region: object = None,
    municipality: object = None,
    categories: Sequence[str] | None = None,
    default_year: int = 2035,
) -> Selection:
    """Build a selection from the values of the filter controls (``None``/``""`` = all).

    Examples
    --------
    >>> make_selection("2030", "7", "", ["N1"])
    Selection(year=2030, region=7, municipality=None, categories=('N1',))
    """
    year_value = int(str(year)) if year not in (None, "") else default_year
    region_value = int(str(region)) if region not in (None, "") else None
    nis = str(municipality) if municipality not in (None, "") else None
    return Selection(year_value, region_value, nis, tuple(categories or ()))


def area_mask(nis_codes: npt.ArrayLike, regions: npt.ArrayLike, selection: Selection) -> BoolArray:
    """Rows in the selected vervoerregio and municipality."""
    codes = np.asarray(nis_codes, dtype=str)
    mask = np.ones(len(codes), dtype=bool)
    if selection.region is not None:
        mask &= np.asarray(regions, dtype=np.int64) == selection.region
    if selection.municipality is not None:
        mask &= codes == selection.municipality
    return mask


def category_mask(categories: npt.ArrayLike, selection: Selection) -> BoolArray:
    """Rows of the selected vehicle categories (all when none are selected)."""
    values = np.asarray(categories, dtype=str)
    if not selection.categories:
        return np.ones(len(values), dtype=bool)
    return np.isin(values, list(selection.categories))


def need_mask(demand: xr.Dataset, selection: Selection) -> BoolArray:
    """Needs of the demand dataset in the selected area and categories."""
    area = area_mask(
        demand["nis_code"].to_numpy(), demand["vervoerregio_code"].to_numpy(), selection
    )
    return area & category_mask(demand["category"].to_numpy(), selection)


def nearest_year(years: Sequence[int], wanted: int) -> int:
    """The year of ``years`` to show for ``wanted``: itself, else the closest one."""
    if wanted in years:
        return wanted
    return min(years, key=lambda year: (abs(year - wanted), year))


def region_options() -> list[tuple[int, str]]:
    """(code, name) of the 15 vervoerregio's, by name."""
    table = geography.vervoerregios().sort_values("vervoerregio_name")
    return list(
        zip(
            table["vervoerregio_code"].astype(int),
            table["vervoerregio_name"].astype(str),
            strict=True,
        )
    )


def municipality_options(region: int | None) -> list[tuple[str, str]]:
    """(NIS code, name) of the municipalities of a vervoerregio (all when ``None``), by name."""
    table = geography.municipalities()
    if region is not None:
        table = table[table["vervoerregio_code"] == region]
    table = table.sort_values("name_nl")
    return list(zip(table["nis_code"].astype(str), table["name_nl"].astype(str), strict=True))
