"""Headroom per node and time slot, node profiles and the typical MV shape (hand-computed).

``headroom_grid.csv`` holds one substation S1 (10 000 kVA firm, 9 900 kVA peak) feeding six
cabins, each giving a different combination of figures; ``grid_profiles.csv`` gives hourly
profiles for C5 (500 kVA, 700 at 18 h) and C6 (100 kVA, 200 at 08–09 h).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from grid_data import read_grid
from grid_data.headroom import (
    make_base_load,
    make_headroom,
    offpeak_mask,
    path_headroom_by_slot,
)
from grid_data.profiles import (
    TYPICAL_MV_WEEKDAY,
    profile_matrix,
    read_grid_profiles,
    slot_starts,
    typical_shape,
)
from grid_data.raw import GridReadError
from grid_data.topology import build_topology
from validation import TableValidationError

FIXTURES = Path(__file__).parent / "fixtures" / "grid"
NIGHT, EVENING = 3, 18  # hours: factor 0.45 and 1.0


@pytest.fixture(scope="module")
def grid() -> pd.DataFrame:
    return read_grid(FIXTURES / "headroom_grid.csv")


@pytest.fixture(scope="module")
def profiles(grid: pd.DataFrame) -> pd.DataFrame:
    return read_grid_profiles(FIXTURES / "grid_profiles.csv", node_ids=set(grid["node_id"]))


@pytest.fixture(scope="module")
def headroom(grid: pd.DataFrame, profiles: pd.DataFrame) -> xr.DataArray:
    return make_headroom(grid, slot_minutes=60, profiles=profiles)


def test_typical_shape_is_the_documented_stylised_day() -> None:
    shape = np.array(TYPICAL_MV_WEEKDAY)
    assert len(shape) == 24
    assert shape[18] == shape[19] == shape.max() == 1.0
    assert 0.45 <= shape[0:6].min() <= shape[0:6].max() <= 0.55
    night = shape[[22, 23, 0, 1, 2, 3, 4, 5, 6]]
    assert night.max() < 0.75


def test_typical_shape_repeats_hours_in_shorter_slots() -> None:
    quarter = typical_shape(15)
    assert quarter.shape == (96,)
    assert quarter[18 * 4 : 18 * 4 + 4].tolist() == [1.0] * 4
    assert quarter[3 * 4 + 2] == TYPICAL_MV_WEEKDAY[3]
    with pytest.raises(GridReadError, match="valid: 15, 30 or 60"):
        typical_shape(20)


def test_headroom_array_layout(headroom: xr.DataArray) -> None:
    assert headroom.name == "headroom_kva"
    assert headroom.dims == ("node", "slot")
    assert headroom.sizes == {"node": 7, "slot": 24}
    assert headroom["slot_start"].values[18] == "18:00"
    assert headroom.attrs["units"] == "kVA"


@pytest.mark.parametrize(
    ("node", "evening_kva", "night_kva"),
    [
        ("S1", 10000 - 9900, 10000 - 9900 * 0.45),  # firm − peak × factor
        ("C1", 630 - 600, 630 - 600 * 0.45),
        ("C2", 400, 1000 - (1000 - 400) * 0.45),  # peak = firm − headroom
        ("C3", 100, (300 + 100) - 300 * 0.45),  # capacity = peak + headroom
        ("C4", 0, 0),  # status only (red): constant estimate, no off-peak bonus
        ("C5", 800 - 700, 800 - 500),  # profile under firm capacity
        ("C6", (200 + 50) - 100, (200 + 50) - 100),  # capacity = profile max + headroom
    ],
)
def test_headroom_by_hand(
    headroom: xr.DataArray, node: str, evening_kva: float, night_kva: float
) -> None:
    at = headroom.sel(node=node)
    assert float(at.sel(slot=EVENING)) == pytest.approx(evening_kva)
    assert float(at.sel(slot=NIGHT)) == pytest.approx(night_kva)


def test_profile_node_peak_in_the_morning(headroom: xr.DataArray) -> None:
    assert float(headroom.sel(node="C6", slot=8)) == pytest.approx(50)


def test_offpeak_has_more_headroom_than_the_evening_peak(headroom: xr.DataArray) -> None:
    offpeak = offpeak_mask(list(headroom["slot_start"].values), "22:00", "07:00")
    evening = headroom.sel(slot=[18, 19]).min("slot")
    shaped = ["S1", "C1", "C2", "C3", "C5"]
    worst_offpeak = headroom.isel(slot=np.flatnonzero(offpeak)).min("slot")
    assert (worst_offpeak.sel(node=shaped) > evening.sel(node=shaped)).all()


def test_offpeak_mask_wraps_midnight_and_accepts_a_day_window() -> None:
    starts = slot_starts(60)
    night = offpeak_mask(starts)
    assert np.flatnonzero(night).tolist() == [0, 1, 2, 3, 4, 5, 6, 22, 23]
    midday = offpeak_mask(starts, "10:00", "14:00")
    assert np.flatnonzero(midday).tolist() == [10, 11, 12, 13]


def test_negative_headroom_is_kept_as_a_shortfall(tmp_path: Path) -> None:
    path = tmp_path / "grid.csv"
    path.write_text(
        "node_id,level,lat,lon,firm_capacity_kva,peak_load_kva\nX,mv_cabin,50.9,4.7,400,500\n",
        encoding="utf-8",
    )
    values = make_headroom(read_grid(path)).sel(node="X")
    assert float(values.sel(slot=EVENING)) == pytest.approx(-100)
    assert float(values.sel(slot=NIGHT)) == pytest.approx(400 - 500 * 0.45)


def test_quarter_hour_slots_repeat_the_hourly_profile(
    grid: pd.DataFrame, profiles: pd.DataFrame, headroom: xr.DataArray
) -> None:
    quarter = make_headroom(grid, slot_minutes=15, profiles=profiles)
    assert quarter.sizes["slot"] == 96
    assert quarter["slot_start"].values[73] == "18:15"
    np.testing.assert_allclose(quarter.isel(slot=73), headroom.isel(slot=18))


def test_base_load(grid: pd.DataFrame, profiles: pd.DataFrame) -> None:
    base = make_base_load(grid, profiles=profiles)
    assert base.name == "base_load_kva"
    assert float(base.sel(node="C1", slot=EVENING)) == pytest.approx(600)
    assert float(base.sel(node="C5", slot=EVENING)) == pytest.approx(700)
    assert np.isnan(base.sel(node="C4")).all()


def test_path_headroom_by_slot(grid: pd.DataFrame, headroom: xr.DataArray) -> None:
    path = path_headroom_by_slot(build_topology(grid), headroom)
    assert path.name == "path_headroom_kva"
    evening = path.sel(slot=EVENING).to_series().to_dict()
    # S1 has 100 kVA left at the evening peak, which binds every cabin with more.
    assert evening == pytest.approx(
        {"S1": 100, "C1": 30, "C2": 100, "C3": 100, "C4": 0, "C5": 100, "C6": 100}
    )
    night = path.sel(slot=NIGHT).to_series()
    assert night["C2"] == pytest.approx(1000 - 600 * 0.45)  # S1 (5545 kVA) does not bind
    assert night["S1"] == pytest.approx(10000 - 9900 * 0.45)


def test_read_profiles(profiles: pd.DataFrame) -> None:
    assert list(profiles.columns) == ["node_id", "slot", "load_kva"]
    assert len(profiles) == 48
    assert profiles["load_kva"].dtype == np.float64


def test_bad_profiles_list_every_row(grid: pd.DataFrame) -> None:
    with pytest.raises(TableValidationError) as excinfo:
        read_grid_profiles(FIXTURES / "grid_profiles_bad.csv", node_ids=set(grid["node_id"]))
    text = "\n".join(issue.message() for issue in excinfo.value.report.sorted_issues())
    assert "row 3, column 'node_id': 'C55' is not a node of the grid — did you mean 'C5'?" in text
    assert "row 4, column 'slot': '25:00' is not a slot start" in text
    assert "row 5, column 'load_kva': '-3' is negative" in text
    assert "row 6, column 'load_kva': 'lots' is not a number" in text
    assert "row 7, column 'slot': '00:00' repeats node and slot of row 2" in text
    assert "row 8, column 'node_id': (empty) is empty" in text


def test_profile_must_cover_a_whole_day(tmp_path: Path) -> None:
    path = tmp_path / "grid_profiles.csv"
    path.write_text("node_id,slot,load_kva\nC5,00:00,1\nC5,01:00,1\n", encoding="utf-8")
    with pytest.raises(TableValidationError, match="2 slot\\(s\\) that do not make one whole day"):
        read_grid_profiles(path)


def test_profiles_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "grid_profiles.csv"
    path.write_text("node_id,slot,load_kw\nC5,00:00,1\n", encoding="utf-8")
    with pytest.raises(TableValidationError, match="did you mean 'load_kw'"):
        read_grid_profiles(path)


def test_finer_profile_reduces_to_the_slot_maximum() -> None:
    quarter = pd.DataFrame(
        {"node_id": "N", "slot": slot_starts(15), "load_kva": np.arange(96, dtype=float)}
    )
    loads, has_profile = profile_matrix(quarter, ["N", "M"], slot_minutes=60)
    assert loads.shape == (2, 24)
    assert loads[0, :3].tolist() == [3.0, 7.0, 11.0]  # largest quarter of each hour
    assert has_profile.tolist() == [True, False]
    assert np.isnan(loads[1]).all()


def test_profiles_must_share_one_slot_length(tmp_path: Path) -> None:
    hourly = [f"A,{start},1" for start in slot_starts(60)]
    half_hourly = [f"B,{start},1" for start in slot_starts(30)]
    path = tmp_path / "grid_profiles.csv"
    path.write_text("\n".join(["node_id,slot,load_kva", *hourly, *half_hourly]) + "\n", "utf-8")
    with pytest.raises(TableValidationError, match=r"mix slot lengths \(60 min: A; 30 min: B\)"):
        read_grid_profiles(path)


def test_estimated_headroom_does_not_invent_a_peak(tmp_path: Path) -> None:
    path = tmp_path / "grid.csv"
    path.write_text(
        "node_id,level,lat,lon,firm_capacity_kva,status\nX,mv_cabin,50.9,4.7,800,orange\n",
        encoding="utf-8",
    )
    grid = read_grid(path)
    assert grid.loc[0, "headroom_estimated"]
    values = make_headroom(grid).sel(node="X")
    assert (values == 250).all()  # the orange estimate in every slot, no night bonus
