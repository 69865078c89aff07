"""Which need may charge where: own depot, shared private sites, detour limits, access cost."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from planner.optimisation.pairs import make_pairs
from planner.scenario import OptimisationSettings

LAT, LON = 50.88, 4.70
KM = 1 / 111.2  # degrees of latitude per km


def needs_table() -> pd.DataFrame:
    rows = [
        ("A1", "ORG-A", 0.0, True, False),
        ("A2", "ORG-A", 0.0, False, False),  # same depot, no own terrain
        ("B1", "ORG-B", 1.0, True, True),
        ("C1", "ORG-C", 2.0, True, False),
        ("D1", "ORG-D", 3.0, True, True),
    ]
    return pd.DataFrame(
        {
            "need_id": [r[0] for r in rows],
            "organisation_id": [r[1] for r in rows],
            "lat": [LAT + r[2] * KM for r in rows],
            "lon": [LON] * len(rows),
            "private_terrain": [r[3] for r in rows],
            "share_willing": [r[4] for r in rows],
            "energy_per_vehicle_kwh_per_day": [40.0] * len(rows),
        }
    )


def sites_table() -> pd.DataFrame:
    rows = [
        ("DEPOT-A", "private", "ORG-A", 0.0, False),
        ("DEPOT-B", "private", "ORG-B", 1.0, True),  # shared, owner willing
        ("DEPOT-C", "private", "ORG-C", 2.0, True),  # shared, owner not willing
        ("DEPOT-D", "private", "ORG-D", 3.0, False),  # owner willing, site not shared
        ("DEPOT-E", "private", "ORG-E", 0.5, True),  # owner without needs: shared decides
        ("PARK-1", "semi_public", "", 2.0, True),
        ("PARK-2", "semi_public", "", 4.0, True),
        ("FAR", "public", "", 30.0, True),
    ]
    return pd.DataFrame(
        {
            "site_id": [r[0] for r in rows],
            "tier": [r[1] for r in rows],
            "owner_organisation_id": [r[2] for r in rows],
            "lat": [LAT + r[3] * KM for r in rows],
            "lon": [LON] * len(rows),
            "shared": [r[4] for r in rows],
        }
    )


def sites_of(pairs: pd.DataFrame, need_id: str) -> set[str]:
    return set(pairs.loc[pairs["need_id"] == need_id, "site_id"])


SETTINGS = OptimisationSettings(max_sites_per_tier=0)


def test_private_sites_serve_their_owner_and_share_willing_owners_shared_sites() -> None:
    pairs = make_pairs(needs_table(), sites_table(), SETTINGS)
    assert sites_of(pairs, "A1") == {"DEPOT-A", "DEPOT-B", "DEPOT-E", "PARK-1", "PARK-2"}
    own = pairs.set_index(["need_id", "site_id"])
    assert bool(own.loc[("A1", "DEPOT-A"), "own"])
    assert own.loc[("A1", "DEPOT-A"), "access_cost_eur_per_kwh"] == 0.0
    # no own terrain: the depot's private site is not the need's
    assert "DEPOT-A" not in sites_of(pairs, "A2")
    # C's site is marked shared but C is not share-willing; D is willing but its site is closed
    assert "DEPOT-C" not in sites_of(pairs, "A1") and "DEPOT-D" not in sites_of(pairs, "A1")
    assert {"DEPOT-C"} <= sites_of(pairs, "C1") and {"DEPOT-D"} <= sites_of(pairs, "D1")


def test_beyond_the_detour_limit_a_pair_does_not_exist() -> None:
    pairs = make_pairs(needs_table(), sites_table(), SETTINGS)
    assert "FAR" not in set(pairs["site_id"])
    wide = dataclasses.replace(
        SETTINGS, detour_km_max={"private": 5, "semi_public": 10, "public": 50}
    )
    assert "FAR" in set(make_pairs(needs_table(), sites_table(), wide)["site_id"])


def test_without_sharing_only_the_organisations_own_private_sites_count() -> None:
    pairs = make_pairs(needs_table(), sites_table(), dataclasses.replace(SETTINGS, sharing=False))
    assert sites_of(pairs, "A1") == {"DEPOT-A", "PARK-1", "PARK-2"}


def test_access_cost_is_a_round_trip_per_vehicle_and_day() -> None:
    pairs = make_pairs(needs_table(), sites_table(), SETTINGS).set_index(["need_id", "site_id"])
    key = ("A1", "PARK-1")
    # 2 km straight × 1.3 = 2.6 km there, 2.6 back, at 1 EUR/km, for 40 kWh per vehicle
    assert pairs.at[key, "distance_km"] == pytest.approx(2.6, rel=1e-3)
    assert pairs.at[key, "access_cost_eur_per_kwh"] == pytest.approx(2 * 2.6 / 40, rel=1e-3)


def test_only_the_nearest_sites_of_a_tier_are_kept() -> None:
    pairs = make_pairs(
        needs_table(), sites_table(), dataclasses.replace(SETTINGS, max_sites_per_tier=1)
    )
    assert sites_of(pairs, "A1") == {"DEPOT-A", "DEPOT-E", "PARK-1"}  # own site always kept


def test_listed_access_cost_overrides_distance_and_reach() -> None:
    listed = pd.DataFrame(
        {"need_id": ["A1", "A1"], "site_id": ["FAR", "PARK-1"], "cost_eur_per_kwh": [0.5, 0.01]}
    )
    pairs = make_pairs(needs_table(), sites_table(), SETTINGS, access_cost=listed)
    indexed = pairs.set_index(["need_id", "site_id"])["access_cost_eur_per_kwh"]
    assert indexed[("A1", "FAR")] == 0.5
    assert indexed[("A1", "PARK-1")] == 0.01
    assert "FAR" not in sites_of(pairs, "A2")
