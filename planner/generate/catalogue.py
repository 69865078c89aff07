"""Plausible fleets by sector: the probability tables the synthetic needs are drawn from.

Rows of the tables follow :data:`SECTORS`, columns follow :data:`CATEGORIES`, :data:`FUELS`,
:data:`DWELL_KINDS` or :data:`WORKING_DAYS`.  The numbers are judgement, not statistics: city
logistics is mostly vans (N1), with trucks in retail, construction, waste and food distribution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.domain import Exemption, Fuel, VehicleCategory

SECTORS = (
    "parcel",
    "retail",
    "construction",
    "facility",
    "waste",
    "horeca_supply",
    "food_distribution",
    "installation",
    "green_maintenance",
)
#: Name of an organisation of each sector (after "Synthetic").
SECTOR_NAMES = (
    "Parcel Express",
    "Retail Logistics",
    "Construction",
    "Facility Services",
    "Waste Collection",
    "Horeca Supply",
    "Food Distribution",
    "Installation Services",
    "Green Maintenance",
)
#: Share of the organisations in each sector.
SECTOR_WEIGHTS = np.array([0.20, 0.13, 0.14, 0.10, 0.05, 0.09, 0.08, 0.15, 0.06])
#: Relative number of depots an organisation of each sector runs.
DEPOT_WEIGHTS = np.array([4.0, 2.0, 1.0, 1.5, 1.5, 1.0, 1.5, 1.0, 1.0])
#: Relative number of vehicle groups per depot.
GROUP_WEIGHTS = np.array([3.0, 2.0, 1.5, 1.5, 2.0, 1.0, 2.0, 1.0, 1.5])

CATEGORIES = tuple(member.value for member in VehicleCategory)
#: Category mix per sector (columns N1, N2L, N2H, N3, T).
CATEGORY_MIX = np.array(
    [
        [0.80, 0.12, 0.06, 0.02, 0.00],  # parcel
        [0.25, 0.10, 0.30, 0.35, 0.00],  # retail
        [0.55, 0.05, 0.10, 0.30, 0.00],  # construction
        [0.78, 0.08, 0.09, 0.05, 0.00],  # facility
        [0.10, 0.00, 0.25, 0.65, 0.00],  # waste
        [0.35, 0.25, 0.30, 0.10, 0.00],  # horeca_supply
        [0.20, 0.10, 0.35, 0.35, 0.00],  # food_distribution
        [0.92, 0.05, 0.03, 0.00, 0.00],  # installation
        [0.55, 0.05, 0.10, 0.05, 0.25],  # green_maintenance
    ]
)

#: Daily kilometres per vehicle, low and high, per category.
DAILY_KM_RANGE = np.array([[60, 200], [80, 220], [100, 300], [100, 400], [30, 120]], dtype=float)
#: Median and largest number of vehicles in one group, per category.
VEHICLES_MEDIAN = np.array([4.0, 3.0, 2.0, 2.0, 1.0])
VEHICLES_MAX = np.array([60, 20, 15, 15, 4])

FUELS = tuple(member.value for member in Fuel)
#: Fuel mix per category (columns diesel, petrol, cng, electric, hydrogen, phev).
FUEL_MIX = np.array(
    [
        [0.80, 0.04, 0.03, 0.09, 0.000, 0.04],  # N1
        [0.88, 0.02, 0.03, 0.07, 0.000, 0.00],  # N2L
        [0.92, 0.00, 0.03, 0.05, 0.000, 0.00],  # N2H
        [0.93, 0.00, 0.03, 0.035, 0.005, 0.00],  # N3
        [1.00, 0.00, 0.00, 0.00, 0.000, 0.00],  # T
    ]
)
#: Share of the diesel groups with the older norm (Euro 5/V, Phase IIIb).
OLD_NORM_SHARE = 0.12
#: Current and older emission norm per category, as written in needs.csv.
NEW_NORM = ("Euro 6", "Euro 6", "Euro VI", "Euro VI", "Phase IV")
OLD_NORM = ("Euro 5", "Euro 5", "Euro V", "Euro V", "Phase IIIb")
#: Years of first registration: current norm, older norm, zero-emission (inclusive ranges).
YEARS_NEW_NORM = (2016, 2026)
YEARS_OLD_NORM = (2012, 2015)
YEARS_ZERO_EMISSION = (2020, 2026)

DWELL_KINDS = ("overnight", "daytime", "all_day")
#: Dwell kind per sector: parked overnight, parked during the day (night operations), always.
DWELL_MIX = np.array(
    [
        [0.88, 0.07, 0.05],
        [0.80, 0.15, 0.05],
        [0.92, 0.03, 0.05],
        [0.85, 0.10, 0.05],
        [0.95, 0.00, 0.05],
        [0.55, 0.40, 0.05],
        [0.50, 0.45, 0.05],
        [0.93, 0.02, 0.05],
        [0.90, 0.05, 0.05],
    ]
)
#: Waste trucks run early shifts: they are back from the afternoon.
EARLY_SHIFT_SECTOR = "waste"

WORKING_DAYS = (5, 6, 7)
WORKING_DAYS_MIX = np.array(
    [
        [0.60, 0.40, 0.00],
        [0.30, 0.60, 0.10],
        [0.90, 0.10, 0.00],
        [0.80, 0.15, 0.05],
        [0.70, 0.25, 0.05],
        [0.30, 0.60, 0.10],
        [0.40, 0.50, 0.10],
        [0.95, 0.05, 0.00],
        [0.90, 0.10, 0.00],
    ]
)


@dataclass(frozen=True)
class ExemptionRule:
    """Vehicle groups of a sector and category that are exempt with some probability."""

    sector: str
    categories: frozenset[str]
    code: Exemption
    probability: float


_N2L, _N2H, _N3, _T = (
    VehicleCategory.N2L,
    VehicleCategory.N2H,
    VehicleCategory.N3,
    VehicleCategory.T,
)
#: The exemptions the generator hands out; each respects the category limits of
#: :data:`planner.domain.EXEMPTION_CATEGORIES`.
EXEMPTION_RULES = (
    ExemptionRule("waste", frozenset({_N3}), Exemption.F7, 0.45),  # refuse trucks
    ExemptionRule("waste", frozenset({_N2H}), Exemption.F7, 0.25),
    ExemptionRule("construction", frozenset({_N3}), Exemption.F5, 0.30),  # concrete mixers
    ExemptionRule("facility", frozenset({_N2L, _N2H, _N3}), Exemption.F8, 0.30),  # sweepers
    ExemptionRule("green_maintenance", frozenset({_T}), Exemption.T_LT_130KW, 0.40),
)
