"""Dashboard support: background jobs, downloads, labels and the approximate outlines."""

from __future__ import annotations

import base64
import io
import json
import re
import threading
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import shapely
from shapely.geometry import shape

from dashboards import downloads
from dashboards.geo import flanders_outline, municipality_outlines, to_km
from dashboards.i18n import LABELS, LANGUAGES, t
from dashboards.jobs import JobRegistry, JobState

DASHBOARDS = Path(__file__).resolve().parents[1] / "dashboards"


# --- jobs --------------------------------------------------------------------------------------


def test_jobs_run_in_the_background_with_progress_and_results():
    registry = JobRegistry()
    release = threading.Event()

    def work(report):
        report(0.5, "half way")
        release.wait(5)
        return 42

    job_id = registry.submit("answer", {"k": 1}, work)
    second = registry.submit("later", {}, lambda report: "second")
    assert getattr(registry.snapshot(second), "state", None) == JobState.QUEUED  # one at a time
    release.set()
    done = registry.wait(job_id, 5)
    assert done is not None
    assert done.state == JobState.DONE and done.result == 42 and done.progress == 1.0
    assert getattr(registry.wait(second, 5), "result", None) == "second"
    assert [job.job_id for job in registry.jobs()] == [job_id, second]
    registry.shutdown()


def test_a_failed_job_keeps_its_error():
    registry = JobRegistry()

    def fail(report):
        raise RuntimeError("solver exploded")

    job = registry.wait(registry.submit("bad", {}, fail), 5)
    assert job is not None
    assert job.state == JobState.FAILED and job.error == "solver exploded"
    assert registry.snapshot("run-99") is None
    registry.shutdown()


# --- downloads and labels ----------------------------------------------------------------------


def test_downloads_round_trip():
    table = pd.DataFrame({"node_id": ["C1", "C2"], "extra_capacity_kva": [10.5, 0.0]})
    csv = downloads.table_download("csv", table, "requests")
    assert csv["filename"] == "requests.csv"
    assert pd.read_csv(io.StringIO(csv["content"])).equals(table)
    excel = downloads.table_download("xlsx", table, "requests")
    sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(excel["content"]))).active
    assert [cell.value for cell in sheet[2]] == ["C1", 10.5]
    geo = downloads.geojson_download({"type": "FeatureCollection", "features": []}, "map")
    assert json.loads(geo["content"])["type"] == "FeatureCollection"
    with pytest.raises(ValueError, match="valid: csv, xlsx"):
        downloads.table_download("pdf", table, "x")


def test_every_label_has_both_languages_and_every_key_used_exists():
    assert all(
        len(pair) == len(LANGUAGES) and all(text.strip() for text in pair)
        for pair in LABELS.values()
    )
    source = "\n".join(path.read_text("utf-8") for path in DASHBOARDS.rglob("*.py"))
    used = set(
        re.findall(
            r"""(?:label|heading|t|kpi_card|field)\(\s*f?["']([a-z_]+\.[a-z_.]+)["']""", source
        )
    )
    literal = {key for key in used if "{" not in key}
    assert literal, "the scan found no label keys"
    assert literal <= set(LABELS), sorted(literal - set(LABELS))
    assert t("nav.grid", "en") == "Grid" and t("nav.grid", "xx") == "Net"


# --- approximate outlines ----------------------------------------------------------------------

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "data" / "flanders"


def test_outlines_partition_flanders_and_hold_their_own_point():
    outlines = municipality_outlines()
    assert len(outlines) == 285 and outlines["nis_code"].is_unique
    cells = [to_km_geometry(geometry) for geometry in outlines["geometry"]]
    points = shapely.points(outlines["lon"].to_numpy(), outlines["lat"].to_numpy())
    assert shapely.covers(outlines["geometry"].to_numpy(), points).all()
    flanders_km2 = float(shapely.area(flanders_outline()))
    total_km2 = float(shapely.area(cells).sum())
    assert total_km2 == pytest.approx(flanders_km2, rel=0.01)  # no gaps, no overlaps
    assert float(shapely.area(shapely.union_all(cells))) == pytest.approx(total_km2, rel=0.01)


@pytest.mark.skipif(not REFERENCE.is_dir(), reason=f"reference data {REFERENCE} is absent")
def test_outlines_approximate_the_true_municipalities():
    true_shapes = json.loads((REFERENCE / "municipalities_2025_crs84.geojson").read_text("utf-8"))
    truth = {f["properties"]["geoitem"]: shape(f["geometry"]) for f in true_shapes["features"]}
    outlines = municipality_outlines()
    true_km = [to_km_geometry(truth[code]) for code in outlines["nis_code"]]
    cells_km = [to_km_geometry(cell) for cell in outlines["geometry"]]
    covered = shapely.area(shapely.intersection(true_km, cells_km)) / shapely.area(true_km)
    assert np.median(covered) > 0.6  # measured 0.76: approximate, as every map says


def to_km_geometry(geometry: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(
        geometry, lambda pairs: np.column_stack(to_km(pairs[:, 0], pairs[:, 1]))
    )
