"""Demand projection: fleet renewal by hand, energy, the dataset, NetCDF, aggregation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from planner.demand.aggregation import (
    GROUPINGS,
    REGION_TABLE_COLUMNS,
    aggregate_demand,
    demand_by_region_table,
    summary_by_year,
)
from planner.demand.projection import project_demand, read_demand, write_demand
from planner.rules.fleet import project_fleet
from planner.scenario import ProjectionSettings, Scenario
from tests._demand_fixtures import make_needs

YEARS = list(range(2027, 2036))
LEUVEN, GENT, ANTWERPEN = "24062", "44021", "11002"


def zones(**starts: int) -> pd.Series:
    codes = {"leuven": LEUVEN, "gent": GENT, "antwerpen": ANTWERPEN}
    return pd.Series(
        list(starts.values()),
        index=pd.Index([codes[name] for name in starts], name="nis_code"),
        name="zes_start_year",
    )


def ze_from(change: dict[str, Any], zone_table: pd.Series, **settings: Any) -> int | None:
    """First year in which the need's single vehicle is ZE (None: never), checking it stays ZE."""
    fleet = project_fleet(make_needs(change), zone_table, ProjectionSettings(**settings))
    ze = fleet.ze_vehicles[0]
    years = [year for year, value in zip(YEARS, ze, strict=True) if value == 1.0]
    if not years:
        assert (ze == 0).all()
        return None
    assert years == YEARS[YEARS.index(years[0]) :], "once ZE, always ZE"
    return years[0]


# --- fleet renewal -----------------------------------------------------------------------------


def test_euro6_van_of_2024_is_replaced_by_a_ze_van_in_2032() -> None:
    # replacement at 8 years: 2032, on/after 2027 (new vans ZE) and the ZES applies: ZE
    assert ze_from({}, zones(leuven=2027)) == 2032


def test_euro6_van_of_2026_is_forced_at_the_whole_fleet_date_before_its_replacement() -> None:
    # replacement would be 2034; from 2033 every N1 must be ZE
    assert ze_from({"first_registration_year": 2026}, zones(leuven=2027)) == 2033


def test_euro4_diesel_has_no_access_and_is_replaced_when_the_zes_starts() -> None:
    change = {"euro_norm": "4", "first_registration_year": 2015}
    assert ze_from(change, zones(leuven=2028)) == 2028


def test_paid_permit_holder_keeps_the_vehicle_until_the_permit_ends() -> None:
    change = {"euro_norm": "5", "first_registration_year": 2014}
    ages = {"N1": 20, "N2L": 8, "N2H": 10, "N3": 10, "T": 15}
    assert ze_from(change, zones(leuven=2027), replacement_age_years=ages) == 2033


def test_zes_start_year_decides_when_replacements_are_ze() -> None:
    change = {"first_registration_year": 2020}  # Euro 6, replaced in 2028
    assert ze_from(change, zones(leuven=2027)) == 2028
    # replaced in 2028 before the ZES by a diesel registered after 2027, which has no access
    # once the ZES starts in 2030
    assert ze_from(change, zones(leuven=2030)) == 2030
    assert ze_from(change, zones(leuven=2034)) == 2034
    assert ze_from(change, zones(gent=2027)) is None  # Leuven has no ZES
    assert ze_from({**change, "zes_cities": ""}, zones(leuven=2027)) is None


def test_a_need_serving_several_cities_follows_the_earliest_start() -> None:
    change = {"first_registration_year": 2020, "zes_cities": f"{GENT};{LEUVEN}"}
    assert ze_from(change, zones(leuven=2031, gent=2030)) == 2030


def test_heavy_replacement_before_2029_stays_diesel_until_the_whole_fleet_date() -> None:
    change = {"vehicle_category": "N3", "euro_norm": "VI"}
    # replaced in 2028 (< 2029, new N3 need not be ZE yet) by a Euro VI diesel: free until 2034
    assert ze_from({**change, "first_registration_year": 2018}, zones(leuven=2027)) == 2035
    # replaced in 2031 (>= 2029) while the ZES applies: ZE
    assert ze_from({**change, "first_registration_year": 2021}, zones(leuven=2027)) == 2031


def test_tractor_phase_iiia_has_no_access() -> None:
    change = {"vehicle_category": "T", "euro_norm": "IIIa", "first_registration_year": 2016}
    assert ze_from(change, zones(leuven=2029)) == 2029


def test_exempt_vehicles_never_become_ze_not_even_voluntarily() -> None:
    change = {"vehicle_category": "N3", "euro_norm": "III", "exemption": "F5"}
    uptake = {2027: 0.5}
    assert ze_from(change, zones(leuven=2027), voluntary_uptake=uptake) is None


def test_electric_and_hydrogen_are_ze_but_only_electric_charges() -> None:
    needs = make_needs(
        {"fuel": "electric", "euro_norm": "", "vehicles": 3},
        {"fuel": "hydrogen", "euro_norm": "", "vehicles": 2},
        {"fuel": "electric", "euro_norm": "", "exemption": "F5", "vehicles": 1},
    )
    fleet = project_fleet(needs, zones(), ProjectionSettings())
    assert fleet.ze_vehicles.tolist() == [[3.0] * 9, [2.0] * 9, [1.0] * 9]
    assert fleet.bev_vehicles.tolist() == [[3.0] * 9, [0.0] * 9, [1.0] * 9]
    assert not fleet.required.any()


def test_voluntary_uptake_applies_to_vehicles_not_yet_required() -> None:
    needs = make_needs(
        {"vehicles": 10, "zes_cities": ""},
        {"vehicles": 10, "euro_norm": "4", "first_registration_year": 2015},
    )
    settings = ProjectionSettings(voluntary_uptake={2030: 0.2, 2033: 0.5})
    fleet = project_fleet(needs, zones(leuven=2029), settings)
    assert fleet.ze_vehicles[0].tolist() == [0, 0, 0, 2, 2, 2, 5, 5, 5]
    assert fleet.ze_vehicles[1].tolist() == [0, 0, 10, 10, 10, 10, 10, 10, 10]
    assert fleet.required[1].tolist() == [False, False] + [True] * 7


def test_voluntary_share_never_falls() -> None:
    needs = make_needs({"vehicles": 10, "zes_cities": ""})
    settings = ProjectionSettings(voluntary_uptake={2028: 0.3, 2030: 0.1})
    fleet = project_fleet(needs, zones(), settings)
    assert fleet.ze_vehicles[0].tolist() == pytest.approx([0] + [3] * 8)


def test_many_needs_give_the_same_answer_as_one_by_one() -> None:
    changes = [
        {"first_registration_year": year, "euro_norm": norm, "vehicle_category": category}
        for year in (2012, 2018, 2024)
        for norm, category in (("4", "N1"), ("6", "N2L"), ("V", "N3"), ("VI", "N2H"))
    ]
    table = zones(leuven=2029)
    together = project_fleet(make_needs(*changes), table, ProjectionSettings()).ze_vehicles
    alone = [
        project_fleet(make_needs(c), table, ProjectionSettings()).ze_vehicles[0] for c in changes
    ]
    np.testing.assert_array_equal(together, np.array(alone))


# --- energy and the dataset ---------------------------------------------------------------------


def electric(**change: Any) -> dict[str, Any]:
    return {"fuel": "electric", "euro_norm": "", **change}


def test_energy_per_day_from_km_consumption_and_efficiency() -> None:
    needs = make_needs(
        electric(vehicles=2),  # 100 km × 0.25 kWh/km (N1 default) ÷ 0.9
        electric(kwh_per_km=0.3),
        electric(energy_kwh_per_day=40.0, daily_km=np.nan),
        {"fuel": "hydrogen", "euro_norm": ""},
    )
    ds = project_demand(needs, zones(), Scenario())
    per_vehicle = ds["energy_per_vehicle_kwh_per_day"].to_numpy()
    assert per_vehicle[:3] == pytest.approx([100 * 0.25 / 0.9, 100 * 0.3 / 0.9, 40.0])
    energy = ds["energy_kwh_per_day"].sel(year=2030).to_numpy()
    assert energy == pytest.approx([2 * 100 * 0.25 / 0.9, 100 * 0.3 / 0.9, 40.0, 0.0])
    assert ds["power_kw"].isel(need=3).sum() == 0


def test_dataset_dimensions_coordinates_and_units() -> None:
    needs = make_needs({}, electric(vehicle_category="N3", sector="retail", nis_code=GENT))
    scenario = Scenario(name="test", projection=ProjectionSettings(slot_minutes=15))
    ds = project_demand(needs, zones(leuven=2027), scenario)
    assert dict(ds.sizes) == {"need": 2, "year": 9, "slot": 96}
    assert ds["need"].to_numpy().tolist() == ["N-1", "N-2"]
    assert ds["municipality"].to_numpy().tolist() == ["Leuven", "Gent"]
    assert ds["category"].to_numpy().tolist() == ["N1", "N3"]
    assert ds["private_terrain"].dtype == bool
    assert ds["slot_start"].to_numpy()[[0, 1, 95]].tolist() == ["00:00", "00:15", "23:45"]
    assert ds["is_offpeak"].to_numpy()[[0, 40, 90]].tolist() == [True, False, True]
    assert ds["zes_start_year"].to_numpy()[0] == 2027
    assert ds["power_kw"].attrs["units"] == "kW"
    assert ds["energy_kwh_per_day"].attrs["units"] == "kWh per working day"
    assert ds.attrs["scenario"] == "test"
    assert ds.attrs["slot_minutes"] == 15
    assert ds.attrs["charging_strategy"] == "spread"


def test_power_profile_conserves_energy_per_need_and_year() -> None:
    needs = make_needs(
        electric(vehicles=3, dwell_start="17:30", dwell_end="07:00"),
        electric(  # 1500 kWh in 4 hours at 150 kW: 900 kWh do not fit
            vehicle_category="N3",
            energy_kwh_per_day=1500.0,
            daily_km=np.nan,
            dwell_start="08:00",
            dwell_end="12:00",
        ),
        {"first_registration_year": 2020, "vehicles": 4},
    )
    for strategy in ("immediate", "spread", "offpeak_first"):
        scenario = Scenario(projection=ProjectionSettings(charging_strategy=strategy))
        ds = project_demand(needs, zones(leuven=2027), scenario)
        delivered = ds["power_kw"].sum("slot") * ds.attrs["slot_minutes"] / 60
        total = delivered + ds["unserved_kwh_per_day"]
        np.testing.assert_allclose(total, ds["energy_kwh_per_day"], rtol=1e-12)
        assert float(ds["unserved_kwh_per_day"].isel(need=1, year=0)) == pytest.approx(900.0)
        assert float(ds["power_kw"].isel(need=1).max()) == pytest.approx(150.0)


def test_power_scales_with_the_battery_electric_vehicles_of_the_year() -> None:
    needs = make_needs({"first_registration_year": 2020, "vehicles": 4})
    ds = project_demand(needs, zones(leuven=2027), Scenario())
    before = ds["power_kw"].sel(year=2027).isel(need=0)
    after = ds["power_kw"].sel(year=2028).isel(need=0)
    assert float(before.sum()) == 0.0
    per_vehicle = 100 * 0.25 / 0.9 / 12  # spread over 18:00–06:00
    assert float(after.max()) == pytest.approx(4 * per_vehicle)


def test_empty_needs_table_gives_an_empty_projection() -> None:
    needs = make_needs({}).iloc[0:0]
    ds = project_demand(needs, zones(leuven=2027), Scenario())
    assert ds.sizes["need"] == 0
    assert demand_by_region_table(ds).empty


def test_netcdf_round_trip(tmp_path: Path) -> None:
    needs = make_needs({}, electric(share_willing=True, exemption="", zes_cities=""))
    ds = project_demand(needs, zones(leuven=2027), Scenario(name="rt"))
    path = tmp_path / "out" / "demand.nc"
    write_demand(ds, path)
    back = read_demand(path)
    xr.testing.assert_equal(back, ds)
    assert back["private_terrain"].dtype == bool
    assert back["is_offpeak"].dtype == bool
    assert back["zes_cities"].to_numpy().tolist() == [LEUVEN, ""]
    assert back.attrs["scenario"] == "rt"
    assert back["power_kw"].attrs["units"] == "kW"


# --- aggregation -------------------------------------------------------------------------------


@pytest.fixture
def mixed() -> xr.Dataset:
    needs = make_needs(
        electric(vehicles=2, zes_cities=f"{LEUVEN};{GENT}"),
        electric(
            vehicle_category="N3",
            organisation_id="ORG-B",
            dwell_start="08:00",
            dwell_end="12:00",
            sector="retail",
        ),
        electric(nis_code=GENT, vervoerregio_code=4, vervoerregio_name="Gent", zes_cities=""),
        {
            "first_registration_year": 2020,
            "vehicles": 5,
            "nis_code": ANTWERPEN,
            "vervoerregio_code": 2,
            "vervoerregio_name": "Antwerpen",
            "zes_cities": ANTWERPEN,
        },
    )
    return project_demand(needs, zones(leuven=2027, antwerpen=2029), Scenario())


@pytest.mark.parametrize("by", GROUPINGS)
def test_aggregated_totals_equal_the_sum_over_needs(mixed: xr.Dataset, by: str) -> None:
    groups = aggregate_demand(mixed, by)
    for name in ("ze_vehicles", "bev_vehicles", "energy_kwh_per_day", "power_kw"):
        np.testing.assert_allclose(groups[name].sum(by), mixed[name].sum("need"))
    np.testing.assert_allclose(groups["peak_kw"], groups["power_kw"].max("slot"))


def test_zes_city_splits_a_need_evenly(mixed: xr.Dataset) -> None:
    groups = aggregate_demand(mixed, "zes_city")
    assert groups["zes_city"].to_numpy().tolist() == ["", ANTWERPEN, LEUVEN, GENT]
    ze = groups["ze_vehicles"].sel(year=2035).to_series().to_dict()
    # need 1 (2 vans, Leuven;Gent) half in each; need 2 (1, Leuven); need 3 (no city); need 4
    assert ze == {"": 1.0, ANTWERPEN: 5.0, GENT: 1.0, LEUVEN: 2.0}
    assert groups["name"].sel(zes_city=GENT).item() == "Gent"
    assert groups["organisations"].sel(zes_city=LEUVEN).item() == 2


def test_municipality_and_vervoerregio_groups_are_named(mixed: xr.Dataset) -> None:
    by_region = aggregate_demand(mixed, "vervoerregio")
    assert by_region["vervoerregio"].to_numpy().tolist() == [2, 4, 7]
    assert by_region["name"].to_numpy().tolist() == ["Antwerpen", "Gent", "Leuven"]
    by_town = aggregate_demand(mixed, "municipality")
    assert by_town["name"].sel(municipality=LEUVEN).item() == "Leuven"


def test_unknown_grouping_is_refused(mixed: xr.Dataset) -> None:
    with pytest.raises(ValueError, match="valid: municipality"):
        aggregate_demand(mixed, "province")


def test_region_table_columns_totals_and_coincident_peak(mixed: xr.Dataset) -> None:
    table = demand_by_region_table(mixed)
    assert list(table.columns) == list(REGION_TABLE_COLUMNS)
    assert len(table) == 4 * 9  # (Antwerpen N1, Gent N1, Leuven N1, Leuven N3) × 9 years
    totals = table.groupby("year")[["ze_vehicles", "energy_kwh_per_day"]].sum()
    np.testing.assert_allclose(totals["ze_vehicles"], mixed["ze_vehicles"].sum("need"))
    np.testing.assert_allclose(
        totals["energy_kwh_per_day"], mixed["energy_kwh_per_day"].sum("need")
    )
    leuven_n1 = table[
        (table.vervoerregio_code == 7) & (table.category == "N1") & (table.year == 2030)
    ]
    assert leuven_n1["vervoerregio"].item() == "Leuven"
    assert leuven_n1["peak_kw"].item() == pytest.approx(2 * 100 * 0.25 / 0.9 / 12)


def test_coincident_peak_is_not_the_sum_of_peaks() -> None:
    needs = make_needs(
        electric(dwell_start="00:00", dwell_end="06:00"),
        electric(dwell_start="12:00", dwell_end="18:00"),
    )
    table = demand_by_region_table(project_demand(needs, zones(), Scenario()))
    per_vehicle_kw = 100 * 0.25 / 0.9 / 6
    assert table["peak_kw"].tolist() == pytest.approx([per_vehicle_kw] * 9)


def test_summary_by_year_adds_all_needs(mixed: xr.Dataset) -> None:
    summary = summary_by_year(mixed)
    assert summary["year"].tolist() == YEARS
    expected = mixed["energy_kwh_per_day"].sum("need").to_numpy() / 1000
    np.testing.assert_allclose(summary["energy_mwh_per_day"], expected)
    assert (summary["peak_mw"] > 0).all()
