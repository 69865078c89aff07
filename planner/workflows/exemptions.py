"""Candidates for a grid-congestion exemption: vehicles left uncharged by the grid's headroom.

Where a plan leaves a need's energy unserved because a grid node has no headroom left and may
not be reinforced (:attr:`~planner.optimisation.unmet_causes.UnmetCause.GRID_HEADROOM`), the
need's vehicles cannot all drive zero-emission.  They are the candidates for a temporary
solution or a grid-congestion exemption (the Dutch zones grant one nationally since
1 January 2026; the Flemish framework agreement promises "a suitable solution" where capacity
is missing for companies that told Fluvius in time).

:func:`congestion_exemptions` counts them per year, ZES city and organisation (the planner's
file :attr:`~planner.optimisation.vocabulary.PlanFile.CONGESTION_EXEMPTIONS`); vehicles are
whole (``vehicles_unmet`` of the unmet table: the unmet energy in vehicle-days, rounded up).
Only needs under a ZES that has started in the year count: a vehicle driving electric before
its zone starts needs no exemption.  A need serving several ZES cities is counted once, under
the city whose zone started first (list order breaks a tie): the zone that makes it
zero-emission.  So the cities' rows add up to the region's.

:func:`disclosed_exemptions` is what may leave the planner role (the report): vehicles,
organisations and energy per ZES city and vervoerregio and year, shown only where the
disclosure rule (:func:`grid_data.disclosure.disclose_nodes`, city → vervoerregio → Flanders)
allows it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geography import municipalities, vervoerregios
from grid_data.disclosure import Hierarchy, disclose_nodes
from planner.intake.needs_schema import split_codes
from planner.optimisation.unmet_causes import UnmetCause

#: Columns of the planner's file, in order.
EXEMPTION_COLUMNS = [
    "year",
    "zes_city",
    "name",
    "zes_start_year",
    "organisation_id",
    "needs",
    "vehicles_unmet",
    "unmet_kwh_per_day",
    "categories",
    "binding",
]
#: Columns of :func:`disclosed_exemptions`, in order.
DISCLOSED_COLUMNS = [
    "year",
    "level",
    "code",
    "name",
    "vervoerregio_code",
    "disclosed",
    "vehicles_unmet",
    "organisations",
    "unmet_kwh_per_day",
]
#: The unpublished root of the disclosure hierarchy.
FLANDERS = "flanders"


@dataclass(frozen=True)
class ZesMembership:
    """Which ZES cities each need serves, and the year each city's zone starts.

    Attributes
    ----------
    cities_of_need
        Per need id, the NIS codes of its ``zes_cities`` in the order written.
    zes_start_year
        ZES start year indexed by NIS code (the zones table).
    """

    cities_of_need: Mapping[str, tuple[str, ...]]
    zes_start_year: pd.Series

    @classmethod
    def of(cls, needs: pd.DataFrame, zones: pd.Series) -> ZesMembership:
        """From a needs table (``need_id``, ``zes_cities``) and the zones."""
        cities = {
            str(need): tuple(split_codes(str(text)))
            for need, text in zip(needs["need_id"], needs["zes_cities"].fillna(""), strict=True)
        }
        return cls(cities, zones.rename(index=str))

    def city_in(self, need_id: str, year: int) -> str:
        """The ZES city a need counts under in ``year`` ('' when none of its zones started).

        Examples
        --------
        >>> zones = pd.Series({"24062": 2030, "44021": 2028})
        >>> member = ZesMembership({"N1": ("24062", "44021")}, zones)
        >>> member.city_in("N1", 2027), member.city_in("N1", 2029), member.city_in("N1", 2031)
        ('', '44021', '44021')
        """
        started = [
            (int(self.zes_start_year[city]), order, city)
            for order, city in enumerate(self.cities_of_need.get(need_id, ()))
            if city in self.zes_start_year.index and int(self.zes_start_year[city]) <= year
        ]
        return min(started)[2] if started else ""


def congestion_exemptions(unmet: pd.DataFrame, zes: ZesMembership) -> pd.DataFrame:
    """The planner's file: per year, ZES city and organisation, the vehicles left uncharged.

    Parameters
    ----------
    unmet
        The plan's unmet table over its years (``year``, ``need_id``, ``organisation_id``,
        ``category``, ``unmet_kwh_per_day``, ``vehicles_unmet``, ``cause``, ``binding``).
    zes
        The needs' ZES cities and the zones.

    Returns
    -------
    pandas.DataFrame
        :data:`EXEMPTION_COLUMNS`; ``needs`` counts the organisation's needs, ``categories``
        and ``binding`` list the distinct ones (``;``-separated).  Empty when the grid's
        headroom leaves no vehicle of a started ZES uncharged.
    """
    rows = candidate_rows(unmet, zes)
    if rows.empty:
        return pd.DataFrame({column: [] for column in EXEMPTION_COLUMNS})
    keys = ["year", "zes_city", "organisation_id"]
    table = rows.groupby(keys, as_index=False).agg(
        needs=("need_id", "nunique"),
        vehicles_unmet=("vehicles_unmet", "sum"),
        unmet_kwh_per_day=("unmet_kwh_per_day", "sum"),
        categories=("category", _distinct),
        binding=("binding", _distinct),
    )
    table["name"] = table["zes_city"].map(_municipality_names()).fillna("")
    table["zes_start_year"] = table["zes_city"].map(zes.zes_start_year.to_dict()).astype(int)
    table["vehicles_unmet"] = table["vehicles_unmet"].astype(int)
    return table[EXEMPTION_COLUMNS].sort_values(keys, ignore_index=True)


def candidate_rows(unmet: pd.DataFrame, zes: ZesMembership) -> pd.DataFrame:
    """The unmet rows caused by grid headroom, with whole vehicles, under a started ZES."""
    needed = {"cause", "vehicles_unmet", "year", "need_id"}
    if unmet.empty or not needed <= set(unmet.columns):
        return pd.DataFrame(columns=[*unmet.columns, "zes_city"])
    rows = unmet[
        (unmet["cause"] == UnmetCause.GRID_HEADROOM) & (unmet["vehicles_unmet"] > 0)
    ].copy()
    cities = [
        zes.city_in(str(need), int(year))
        for need, year in zip(rows["need_id"], rows["year"], strict=True)
    ]
    rows["zes_city"] = cities
    rows["organisation_id"] = rows["organisation_id"].astype(str)
    return rows[rows["zes_city"] != ""]


def _distinct(values: pd.Series) -> str:
    return ";".join(sorted({str(value) for value in values if str(value)}))


def _municipality_names() -> dict[str, str]:
    table = municipalities()
    return dict(zip(table["nis_code"].astype(str), table["name_nl"].astype(str), strict=True))


def disclosed_exemptions(exemptions: pd.DataFrame, k: int) -> pd.DataFrame:
    """Vehicles, organisations and energy per ZES city and vervoerregio, as others may see them.

    Per year, the hierarchy ZES city → vervoerregio → Flanders (unpublished) passes
    :func:`grid_data.disclosure.disclose_nodes` with both levels published: a row's figures
    are blank (``disclosed`` false) where fewer than ``k`` organisations stand behind it, or
    where the vervoerregio minus its shown cities would isolate fewer than ``k``.

    Parameters
    ----------
    exemptions
        The planner's table (:func:`congestion_exemptions`).
    k
        Least number of organisations behind a shown figure.

    Returns
    -------
    pandas.DataFrame
        :data:`DISCLOSED_COLUMNS`; ``level`` is ``vervoerregio`` or ``zes_city``.
    """
    if exemptions.empty:
        return pd.DataFrame({column: [] for column in DISCLOSED_COLUMNS})
    table = municipalities()
    region_of = dict(zip(table["nis_code"].astype(str), table["vervoerregio_code"], strict=True))
    codes = exemptions["zes_city"].astype(str).map(region_of).fillna(0).astype(int)
    return disclosed_by_region(exemptions.assign(vervoerregio_code=codes), "zes_city", k)


def disclosed_by_region(rows: pd.DataFrame, cell: str, k: int) -> pd.DataFrame:
    """Vehicles, organisations and unmet energy per vervoerregio and ``cell``, per year, disclosed.

    Per year, the hierarchy ``cell`` within its vervoerregio → vervoerregio → Flanders
    (unpublished) passes :func:`grid_data.disclosure.disclose_nodes` with both levels
    published; figures not disclosed are blank.

    Parameters
    ----------
    rows
        ``year``, ``vervoerregio_code``, ``cell``, ``name``, ``organisation_id``,
        ``vehicles_unmet``, ``unmet_kwh_per_day``: one row per contribution.
    cell
        The column that splits a vervoerregio (a ZES city, a cause).
    k
        Least number of organisations behind a shown figure.

    Returns
    -------
    pandas.DataFrame
        :data:`DISCLOSED_COLUMNS`; ``level`` is ``vervoerregio`` or ``cell``'s name.
    """
    if rows.empty:
        return pd.DataFrame({column: [] for column in DISCLOSED_COLUMNS})
    frames = [
        _disclosed_year(int(str(year)), group, cell, k) for year, group in rows.groupby("year")
    ]
    return pd.concat(frames, ignore_index=True)[DISCLOSED_COLUMNS]


#: What :func:`disclosed_by_region` sums per row.
SUMMED = {
    "vehicles_unmet": ("vehicles_unmet", "sum"),
    "organisations": ("organisation_id", "nunique"),
    "unmet_kwh_per_day": ("unmet_kwh_per_day", "sum"),
}


def _disclosed_year(year: int, rows: pd.DataFrame, cell: str, k: int) -> pd.DataFrame:
    cells = rows.groupby(["vervoerregio_code", cell, "name"], as_index=False).agg(**SUMMED)
    regions = rows.groupby("vervoerregio_code", as_index=False).agg(**SUMMED)
    ids = [FLANDERS, *(f"vr:{code}" for code in regions["vervoerregio_code"])]
    parents: list[str | None] = [None, *([FLANDERS] * len(regions))]
    keys = zip(cells["vervoerregio_code"], cells[cell], strict=True)
    ids += [f"cell:{region}:{value}" for region, value in keys]
    parents += [f"vr:{code}" for code in cells["vervoerregio_code"]]
    direct: list[set[str]] = [set() for _ in ids]
    position = {node: i for i, node in enumerate(ids)}
    contributions = zip(rows["vervoerregio_code"], rows[cell], rows["organisation_id"], strict=True)
    for region, value, organisation in contributions:
        direct[position[f"cell:{region}:{value}"]].add(str(organisation))
    published = np.array([node != FLANDERS for node in ids])
    shown = disclose_nodes(Hierarchy.from_parents(ids, parents), direct, published, k)
    region_names = vervoerregios().set_index("vervoerregio_code")["vervoerregio_name"].to_dict()
    table = pd.concat(
        [
            regions.assign(
                level="vervoerregio",
                code=regions["vervoerregio_code"].astype(str),
                name=regions["vervoerregio_code"].map(region_names).fillna(""),
            ),
            cells.assign(level=cell, code=cells[cell].astype(str)),
        ],
        ignore_index=True,
    )
    table["disclosed"] = shown[1:]
    for column in SUMMED:
        table[column] = table[column].astype(float).where(table["disclosed"])
    return table.assign(year=year)
