"""Proposed hubs: greedy maximum coverage of unserved energy, within reach, on a grid node."""

from __future__ import annotations

import numpy as np
import pandas as pd

import geography
from charging_sites.proposals import HubTemplate, propose_hubs

#: Depots in three clusters around Leuven (east), Tienen and Aarschot; unserved kWh per day.
CLUSTERS = {
    "LEU": (50.879, 4.701, [300.0, 200.0, 100.0]),
    "TIE": (50.807, 4.938, [400.0, 350.0]),
    "AAR": (50.987, 4.836, [50.0]),
}


def unmet_demand() -> pd.DataFrame:
    rows = []
    for name, (lat, lon, energies) in CLUSTERS.items():
        for i, energy in enumerate(energies):
            rows.append(
                {
                    "need_id": f"{name}-{i}",
                    "lat": lat + 0.003 * i,
                    "lon": lon + 0.003 * i,
                    "unmet_kwh_per_day": energy,
                }
            )
    return pd.DataFrame(rows)


def test_the_largest_clusters_come_first_and_every_covered_need_is_in_reach() -> None:
    demand = unmet_demand()
    hubs = propose_hubs(demand, n=2, reach_km=5.0)
    assert hubs["site_id"].tolist() == ["PROPOSED-1", "PROPOSED-2"]
    assert hubs["covered_unmet_kwh_per_day"].tolist() == [750.0, 600.0]
    for hub in hubs.to_dict("records"):
        lat, lon = demand["lat"].to_numpy(float), demand["lon"].to_numpy(float)
        km = np.asarray(geography.haversine_km(hub["lat"], hub["lon"], lat, lon)) * 1.3
        in_reach = float(demand["unmet_kwh_per_day"].to_numpy(float)[km <= 5.0].sum())
        assert in_reach >= hub["covered_unmet_kwh_per_day"]
    assert set(hubs["tier"]) == {"public"}
    assert (hubs["available_from"] == hubs["available_to"]).all()  # open all day


def test_no_more_hubs_than_there_is_demand_and_none_without_it() -> None:
    assert len(propose_hubs(unmet_demand(), n=10, reach_km=5.0)) == 3
    empty = unmet_demand().assign(unmet_kwh_per_day=0.0)
    assert propose_hubs(empty, n=3, reach_km=5.0).empty


def test_hub_takes_the_node_with_most_headroom_nearby() -> None:
    lat, lon, _ = CLUSTERS["TIE"]
    nodes = pd.DataFrame(
        {
            "node_id": ["NEAR-SMALL", "NEAR-BIG", "FAR-HUGE"],
            "lat": [lat + 0.001, lat - 0.002, lat + 0.2],
            "lon": [lon, lon, lon],
            "headroom_kva": [100.0, 900.0, 9000.0],
        }
    )
    hubs = propose_hubs(unmet_demand(), n=1, reach_km=5.0, nodes=nodes)
    assert hubs.loc[0, "grid_node_id"] == "NEAR-BIG"


def test_chargers_are_sized_for_what_the_hub_covers() -> None:
    template = HubTemplate(charger_kw=50.0, min_chargers=1)
    hubs = propose_hubs(unmet_demand(), n=1, reach_km=5.0, template=template)
    assert hubs.loc[0, "max_chargers"] == int(np.ceil(750.0 / (50.0 * 12.0)))


def test_same_input_same_proposals() -> None:
    first = propose_hubs(unmet_demand(), n=3, reach_km=5.0)
    second = propose_hubs(unmet_demand().sample(frac=1.0, random_state=0).sort_index(), 3, 5.0)
    pd.testing.assert_frame_equal(first, second)
