"""Synthetic zero-emission zones: every centrumstad from 2027, a few other cities later."""

from __future__ import annotations

import numpy as np
import pandas as pd

CENTRUMSTAD_START_YEAR = 2027
LATER_START_YEARS = np.array([2028, 2029, 2030])
#: One other city with a ZES per this many municipalities of a vervoerregio (at least one).
MUNICIPALITIES_PER_OTHER_ZES = 10
ZONES_COLUMNS = ["nis_code", "zes_start_year"]


def make_zones(rng: np.random.Generator, municipalities: pd.DataFrame) -> pd.DataFrame:
    """Return ``zones.csv``: the centrumsteden start in 2027, some other cities in 2028–2030.

    Every vervoerregio gets at least one other city with a ZES, so that a region without a
    centrumstad has a zone too.
    """
    centra = municipalities.loc[municipalities["is_centrumstad"], "nis_code"].tolist()
    rows = [(code, CENTRUMSTAD_START_YEAR) for code in centra]
    for _, group in municipalities.groupby("vervoerregio_code", sort=True):
        candidates = group.loc[~group["is_centrumstad"], "nis_code"].to_numpy()
        count = min(len(candidates), max(1, round(len(group) / MUNICIPALITIES_PER_OTHER_ZES)))
        chosen = rng.choice(candidates, size=count, replace=False)
        years = rng.choice(LATER_START_YEARS, size=count)
        rows.extend((str(code), int(year)) for code, year in zip(chosen, years, strict=True))
    zones = pd.DataFrame(rows, columns=ZONES_COLUMNS)
    return zones.sort_values("nis_code").reset_index(drop=True)


def main_cities(municipalities: pd.DataFrame, zones: pd.DataFrame) -> pd.DataFrame:
    """Return the cities public charging is planned around.

    Per vervoerregio: its centrumsteden, or its ZES cities where it has no centrumstad.
    """
    with_zes = municipalities[municipalities["nis_code"].isin(zones["nis_code"])]
    has_centrum = with_zes.groupby("vervoerregio_code")["is_centrumstad"].transform("any")
    chosen = with_zes[with_zes["is_centrumstad"] | ~has_centrum]
    return chosen.sort_values(["vervoerregio_code", "nis_code"]).reset_index(drop=True)
