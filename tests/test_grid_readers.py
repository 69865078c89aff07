"""Readers of grid capacity data onto the canonical grid table."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from grid_data import (
    GRID_COLUMNS,
    GridReadError,
    GridShape,
    MappingError,
    default_mapping,
    detect_shape,
    load_mapping,
    read_grid,
)
from grid_data.mapping import mapping_from_toml
from grid_data.normalize import parse_numbers
from validation import LaadplanError, TableValidationError

FIXTURES = Path(__file__).parent / "fixtures" / "grid"


def issues_of(excinfo: pytest.ExceptionInfo[TableValidationError]) -> list[str]:
    return [issue.message() for issue in excinfo.value.report.sorted_issues()]


def by_id(grid: pd.DataFrame) -> pd.DataFrame:
    return grid.set_index("node_id")


# --- canonical -------------------------------------------------------------------------------


def test_canonical_reads_every_column_with_canonical_types() -> None:
    grid = read_grid(FIXTURES / "canonical_ok.csv")
    assert list(grid.columns) == list(GRID_COLUMNS)
    assert len(grid) == 6
    assert grid["lat"].dtype == np.float64
    assert grid["headroom_estimated"].dtype == bool
    assert grid["node_id"].tolist()[:2] == ["SUB-LEU", "SUB-HEV"]
    assert by_id(grid).loc["CAB-001", "parent_id"] == "SUB-LEU"
    assert by_id(grid)["parent_id"].isna()["SUB-LEU"]
    assert by_id(grid).loc["CAB-001", "as_of"] == "2025-06-30"


def test_headroom_is_firm_minus_peak_when_missing() -> None:
    grid = by_id(read_grid(FIXTURES / "canonical_ok.csv"))
    assert grid.loc["SUB-HEV", "headroom_kva"] == pytest.approx(30000 - 28500)
    assert grid.loc["CAB-002", "headroom_kva"] == pytest.approx(1000 - 400)
    assert not grid.loc["CAB-002", "headroom_estimated"]


def test_missing_status_is_derived_from_headroom_share() -> None:
    grid = by_id(read_grid(FIXTURES / "canonical_ok.csv"))
    # 1500 / 30000 = 5 %: at the orange threshold; 600 / 1000 = 60 %: green.
    assert grid.loc["SUB-HEV", "status"] == "orange"
    assert grid.loc["CAB-002", "status"] == "green"
    assert grid.loc["CAB-001", "status"] == "orange"  # given, kept


def test_status_thresholds_come_from_the_mapping() -> None:
    strict = dataclasses.replace(
        default_mapping("canonical"),
        status_thresholds={"green_min_share": 0.7, "orange_min_share": 0.1},
    )
    grid = by_id(read_grid(FIXTURES / "canonical_ok.csv", mapping=strict))
    assert grid.loc["CAB-002", "status"] == "orange"  # 60 % < 70 %
    assert grid.loc["SUB-HEV", "status"] == "red"  # 5 % < 10 %


def test_status_only_node_gets_an_estimated_headroom() -> None:
    grid = by_id(read_grid(FIXTURES / "canonical_ok.csv"))
    assert grid.loc["CAB-003", "headroom_kva"] == 0.0
    assert grid.loc["CAB-003", "headroom_estimated"]
    assert grid["headroom_estimated"].sum() == 1


def test_canonical_errors_list_every_bad_row_with_suggestions() -> None:
    with pytest.raises(TableValidationError) as excinfo:
        read_grid(FIXTURES / "canonical_bad.csv")
    report = excinfo.value.report
    assert report.bad_rows == [3, *range(5, 17)]  # row 4 is the first, valid CAB-1
    text = "\n".join(issues_of(excinfo))
    assert "row 3, column 'node_id': (empty) is empty" in text
    assert "row 5, column 'node_id': 'CAB-1' duplicates the node id of row 4" in text
    assert "row 6, column 'parent_id': 'SUB-X' is not the id of any node" in text
    assert "did you mean 'SUB-A'?" in text
    assert "row 7, column 'level': 'mv_cabine' is not a grid level" in text
    assert "did you mean 'mv_cabin'?" in text
    assert "row 8, column 'status': 'gren'" in text and "did you mean 'green'?" in text
    assert "row 9, column 'firm_capacity_kva': '12a' is not a number" in text
    assert "row 10, column 'peak_load_kva': '-5' is negative" in text
    assert "row 11, column 'lat': '48.8566, 2.3522' lies outside Belgium" in text
    assert "did you mean 'lat 50.879, lon 4.701'?" in text  # swapped coordinates, row 12
    assert "row 13, column 'lat': (empty) is empty" in text
    assert "row 16, column 'as_of': '30/06/2025' is not a date" in text


def test_a_feeding_cycle_is_reported_on_each_of_its_rows() -> None:
    with pytest.raises(TableValidationError) as excinfo:
        read_grid(FIXTURES / "canonical_bad.csv")
    cycle = [m for m in issues_of(excinfo) if "feeding cycle" in m]
    assert len(cycle) == 2
    assert cycle[0].startswith("row 14") and cycle[1].startswith("row 15")
    assert "CAB-10 ← CAB-11 ← CAB-10" in cycle[0]


def test_self_fed_node_is_a_cycle(tmp_path: Path) -> None:
    path = tmp_path / "grid.csv"
    path.write_text("node_id,level,parent_id,lat,lon\nA,mv_cabin,A,50.9,4.7\n", encoding="utf-8")
    with pytest.raises(TableValidationError, match="closes a feeding cycle: A ← A"):
        read_grid(path)


def test_substation_fed_from_a_cabin_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "grid.csv"
    path.write_text(
        "node_id,level,parent_id,lat,lon\nC,mv_cabin,,50.9,4.7\nS,hv_mv_substation,C,50.9,4.7\n",
        encoding="utf-8",
    )
    with pytest.raises(TableValidationError, match=r"row 3.*cannot be fed from a cabin"):
        read_grid(path)


def test_status_headroom_argument_overrides_defaults() -> None:
    grid = by_id(read_grid(FIXTURES / "status_map.csv", status_headroom_kva={"green": 500}))
    assert grid.loc["VG-01", "headroom_kva"] == 500
    assert grid.loc["VG-02", "headroom_kva"] == 250  # default kept


def test_status_headroom_argument_rejects_unknown_status() -> None:
    with pytest.raises(LaadplanError, match="did you mean 'orange'"):
        read_grid(FIXTURES / "status_map.csv", status_headroom_kva={"ornge": 10})


# --- Opendatasoft ------------------------------------------------------------------------------


def test_opendatasoft_csv_converts_mva_and_finds_parents_by_name() -> None:
    grid = by_id(read_grid(FIXTURES / "opendatasoft.csv"))
    assert grid.loc["OS-GENT", "firm_capacity_kva"] == pytest.approx(50_000)
    assert grid.loc["CB-100", "headroom_kva"] == pytest.approx(130)
    assert grid.loc["CB-100", "parent_id"] == "OS-GENT"
    assert grid["parent_id"].isna()["CB-102"]
    assert grid.loc["OS-GENT", "status"] == "green"  # "Groen": translation ignores case
    assert grid.loc["CB-100", "level"] == "mv_cabin"
    assert (grid.loc["OS-GENT", "lat"], grid.loc["OS-GENT", "lon"]) == (51.05, 3.74)
    assert grid.loc["CB-100", "source"] == "opendata.fluvius.be"


def test_opendatasoft_overloaded_node_keeps_negative_headroom() -> None:
    grid = by_id(read_grid(FIXTURES / "opendatasoft.csv"))
    assert grid.loc["CB-102", "headroom_kva"] == pytest.approx(400 - 420)
    assert grid.loc["CB-102", "status"] == "red"


@pytest.mark.parametrize(
    "name", ["opendatasoft_results.json", "opendatasoft_list.json", "opendatasoft.geojson"]
)
def test_opendatasoft_json_forms_read_like_the_csv_export(name: str) -> None:
    from_json = read_grid(FIXTURES / name)
    from_csv = read_grid(FIXTURES / "opendatasoft.csv").iloc[: len(from_json)]
    pd.testing.assert_frame_equal(from_json, from_csv)


def test_opendatasoft_json_errors_name_record_numbers() -> None:
    with pytest.raises(TableValidationError) as excinfo:
        read_grid(FIXTURES / "opendatasoft_bad.json")
    text = "\n".join(issues_of(excinfo))
    assert "record numbers" in excinfo.value.report.source
    assert "row 1, column 'capaciteit_mva': 'veel' is not a number" in text
    assert "row 2, column 'geo_point_2d': '51.056' is not a point" in text
    assert "did you mean 'Cabine'?" in text
    assert "'Gent West' is not the name of any node" in text and "'Gent Oost'" in text


def test_belgian_decimal_commas_and_dates_via_mapping() -> None:
    grid = by_id(
        read_grid(FIXTURES / "opendatasoft_comma.csv", mapping=FIXTURES / "opendatasoft_comma.toml")
    )
    assert grid.loc["OS-GENT", "firm_capacity_kva"] == pytest.approx(1_250_500)
    assert grid.loc["CB-100", "firm_capacity_kva"] == pytest.approx(630)
    assert grid.loc["CB-100", "headroom_kva"] == pytest.approx(0.13)  # mapped unit kVA
    assert grid.loc["CB-100", "as_of"] == "2025-05-01"
    assert grid.loc["CB-100", "source"] == "opendatasoft_comma.csv"  # no default: file name


@given(st.floats(min_value=0, max_value=1e7, allow_nan=False).map(lambda x: round(x, 2)))
def test_parse_numbers_reads_belgian_formatting(value: float) -> None:
    text = f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    mapping = dataclasses.replace(default_mapping("canonical"), decimal=",", thousands=".")
    parsed, bad = parse_numbers(pd.Series([text]), mapping)
    assert not bad[0]
    assert parsed[0] == pytest.approx(value)


# --- status-only map ---------------------------------------------------------------------------


def test_status_map_translates_dutch_codes_and_estimates_headroom() -> None:
    grid = by_id(read_grid(FIXTURES / "status_map.csv"))
    assert grid["status"].tolist() == ["green", "orange", "unknown", "red"]
    assert grid["headroom_kva"].tolist() == [1000, 250, 0, 0]
    assert grid["headroom_estimated"].all()
    assert (grid["level"] == "hv_mv_substation").all()  # mapping default
    assert grid["as_of"].isna()["VG-04"]


def test_status_map_errors() -> None:
    with pytest.raises(TableValidationError) as excinfo:
        read_grid(FIXTURES / "status_map_bad.csv")
    text = issues_of(excinfo)
    assert len(text) == 2
    assert text[0].startswith("row 3, column 'afname': '5' is not a capacity status")
    assert text[1].startswith("row 5, column 'voedingsgebied_id': 'VG-01' duplicates")


# --- UK headroom table -------------------------------------------------------------------------


def test_uk_headroom_table() -> None:
    grid = by_id(read_grid(FIXTURES / "uk_headroom.csv"))
    assert grid.loc["PRI-1", "parent_id"] == "BSP-1"
    assert grid.loc["PRI-1", "status"] == "orange"  # Amber
    assert grid.loc["PRI-2", "headroom_kva"] == pytest.approx(-600)
    assert grid.loc["PRI-3", "headroom_kva"] == pytest.approx(8000)  # 20 − 12 MVA
    assert grid.loc["PRI-3", "status"] == "green"  # 8 / 20 = 40 %
    assert grid.loc["BSP-1", "level"] == "hv_mv_substation"
    assert grid.loc["PRI-1", "level"] == "mv_cabin"


def test_uk_errors_with_near_misses() -> None:
    with pytest.raises(TableValidationError) as excinfo:
        read_grid(FIXTURES / "uk_headroom_bad.csv")
    text = "\n".join(issues_of(excinfo))
    assert "'Ambr' is not a capacity status" in text and "did you mean 'Amber'?" in text
    assert "'Bruge BSP' is not the name of any node" in text
    assert "did you mean 'Brugge BSP'?" in text
    assert "row 4, column 'Firm Capacity (MVA)': '-15' is negative" in text
    assert "did you mean 'Primary'?" in text


def test_renamed_column_names_source_column_and_canonical_field() -> None:
    with pytest.raises(TableValidationError) as excinfo:
        read_grid(FIXTURES / "uk_renamed_column.csv", shape="uk_headroom")
    (message,) = issues_of(excinfo)
    assert "column 'Firm Capacity (MVA)'" in message
    assert "canonical field 'firm_capacity_kva'" in message
    assert "did you mean 'Firm Capacity MVA'?" in message


def test_renamed_column_without_shape_says_what_each_shape_lacks() -> None:
    with pytest.raises(GridReadError, match=r"uk_headroom lacks Firm Capacity \(MVA\)"):
        read_grid(FIXTURES / "uk_renamed_column.csv")


# --- units ---------------------------------------------------------------------------------------


def test_unknown_unit_in_mapping_is_refused_with_near_miss() -> None:
    with pytest.raises(TableValidationError) as excinfo:
        read_grid(FIXTURES / "uk_headroom.csv", mapping=FIXTURES / "mapping_bad_unit.toml")
    (message,) = issues_of(excinfo)  # "mva" in lower case is accepted
    assert "column 'Firm Capacity (MVA)': 'MWh' is not a power unit" in message
    assert "did you mean 'MW'?" in message


def test_unit_per_row_and_power_factor(tmp_path: Path) -> None:
    lines = (FIXTURES / "unit_column.csv").read_text(encoding="utf-8").splitlines()
    good = tmp_path / "units.csv"
    good.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    mapping = FIXTURES / "unit_column.toml"
    grid = by_id(read_grid(good, mapping=mapping, power_factor=0.95))
    assert grid.loc["SUB-1", "firm_capacity_kva"] == pytest.approx(38_000 / 0.95)
    assert grid.loc["CAB-1", "firm_capacity_kva"] == pytest.approx(500)
    assert grid.loc["CAB-2", "firm_capacity_kva"] == pytest.approx(630)  # kVA: no power factor
    unity = by_id(read_grid(good, mapping=mapping, power_factor=1.0))
    assert unity.loc["SUB-1", "firm_capacity_kva"] == pytest.approx(38_000)


def test_bad_unit_per_row_is_reported() -> None:
    with pytest.raises(TableValidationError) as excinfo:
        read_grid(FIXTURES / "unit_column.csv", mapping=FIXTURES / "unit_column.toml")
    (message,) = issues_of(excinfo)
    assert message.startswith("row 5, column 'unit': 'MVAh' is not a power unit")


@pytest.mark.parametrize("power_factor", [0.0, 1.2, -0.9])
def test_power_factor_must_be_a_share(power_factor: float) -> None:
    with pytest.raises(LaadplanError, match="power factor"):
        read_grid(FIXTURES / "canonical_ok.csv", power_factor=power_factor)


# --- shapes and mappings -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "shape"),
    [
        ("canonical_ok.csv", GridShape.CANONICAL),
        ("opendatasoft.csv", GridShape.OPENDATASOFT_CSV),
        ("opendatasoft_results.json", GridShape.OPENDATASOFT_JSON),
        ("opendatasoft.geojson", GridShape.OPENDATASOFT_JSON),
        ("status_map.csv", GridShape.STATUS_MAP),
        ("uk_headroom.csv", GridShape.UK_HEADROOM),
    ],
)
def test_shape_detection(name: str, shape: GridShape) -> None:
    assert detect_shape(FIXTURES / name) is shape


def test_unknown_extension_and_unknown_shape_name(tmp_path: Path) -> None:
    path = tmp_path / "grid.xlsx"
    path.write_bytes(b"")
    with pytest.raises(GridReadError, match=r"readable: \.csv, \.geojson, \.json, \.txt"):
        read_grid(path)
    with pytest.raises(LaadplanError, match="did you mean 'uk_headroom'"):
        read_grid(FIXTURES / "uk_headroom.csv", shape="uk-headroom")


def test_mapping_of_another_shape_is_refused() -> None:
    with pytest.raises(MappingError, match="serves uk_headroom, not canonical"):
        read_grid(
            FIXTURES / "canonical_ok.csv",
            shape="canonical",
            mapping=FIXTURES / "mapping_bad_unit.toml",
        )


@pytest.mark.parametrize("shape", [s.value for s in GridShape])
def test_shipped_mappings_load_and_serve_their_shape(shape: str) -> None:
    mapping = default_mapping(shape)
    assert shape in mapping.shapes
    assert "node_id" in mapping.columns


def test_mapping_errors_are_all_listed_with_near_misses() -> None:
    text = """
shapes = ["canonical", "uk"]
[colums]
[columns]
node_id = "id"
nodeid = "x"
[levels]
"Cabine" = "mv_cabine"
[format]
decimal = ";"
"""
    with pytest.raises(MappingError) as excinfo:
        mapping_from_toml(text, name="m.toml")
    message = str(excinfo.value)
    assert "unknown key 'colums'" in message and "did you mean 'columns'?" in message
    assert "unknown shape 'uk'" in message
    assert "unknown field in [columns] 'nodeid'" in message
    assert "did you mean 'mv_cabin'?" in message
    assert "decimal ';'" in message


def test_missing_mapping_file(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="cannot be read"):
        load_mapping(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"total_count": 1}', "none of the accepted forms"),
        ("[1, 2]", r"record\(s\) \[1, 2\] are not JSON objects"),
        ("[" * 200_000, "nested too deeply"),
    ],
)
def test_unreadable_json(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "grid.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(GridReadError, match=message):
        read_grid(path)


def test_missing_file() -> None:
    with pytest.raises(GridReadError, match="no such file"):
        read_grid(FIXTURES / "absent.csv", shape="canonical")


def test_json_v1_records_with_integer_codes_and_nulls(tmp_path: Path) -> None:
    areas = [(7, "A", 51.04, 4.48, 0), (8, "B", 51.02, 4.47, 3), (9, "C", 51.03, 4.54, None)]
    keys = ("voedingsgebied_id", "station", "lat", "lon", "afname")
    records = [{"fields": dict(zip(keys, area, strict=True))} for area in areas]
    path = tmp_path / "areas.json"
    path.write_text(json.dumps({"records": records}), encoding="utf-8")
    mapping = dataclasses.replace(default_mapping("status_map"), shapes=("opendatasoft_json",))
    grid = read_grid(path, mapping=mapping)
    assert grid["node_id"].tolist() == ["7", "8", "9"]
    assert grid["status"].tolist() == ["green", "red", "unknown"]  # a null code stays unknown
