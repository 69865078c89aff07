"""The benchmark table states the merged plan's gap and, beside it, the largest region's."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from benchmarks.__main__ import format_table, plan_digest


def row(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "row": "flanders-year",
        "label": "all Flanders, 2030 (15 sub-problems)",
        "status": "feasible",
        "mip_gap": 0.0145,
        "mip_gap_largest_region": 0.021,
        "unmet_kwh_per_day": 6594.0,
        "unmet_structural_kwh_per_day": 0.0,
        "variables": 10,
        "integers": 2,
        "build_s": 1.0,
        "solve_s": 2.0,
        "pipeline_s": 3.0,
        "pipeline_cpu_s": 4.0,
        "peak_memory_mb": 3900,
    }
    return {**base, **overrides}


def test_a_merged_row_shows_its_gap_and_the_largest_region_s() -> None:
    table = format_table([row()], argparse.Namespace(workers=2))
    assert "| 1.45 %, largest region 2.10 % (2 %) |" in table


def test_an_undivided_row_shows_its_gap_alone() -> None:
    table = format_table(
        [row(row="demo", mip_gap_largest_region=None)], argparse.Namespace(workers=2)
    )
    assert "| 1.45 % (1 %) |" in table and "largest region" not in table


def test_the_table_states_the_machine_s_speed_before_each_row_and_after_the_last() -> None:
    probed = row(speed_probe_s=1.4612, lp_probe_s=1.8)
    rows = [probed, row(row="demo", mip_gap_largest_region=None)]
    lines = format_table(rows, argparse.Namespace(workers=2), (3.55, 4.1)).splitlines()
    assert lines[0].endswith(
        "Probes, s, before each row: a plain Python loop of 30,000,000 additions / HiGHS on a "
        "600 × 1200 transport LP; after the last row 3.55 / 4.10."
    )
    assert lines[2].endswith("| probes s (loop / LP) |")
    assert lines[4].endswith("| 1.46 / 1.80 |") and lines[5].endswith("| — / — |")


def test_a_repeated_row_shows_its_fastest_run_and_whether_its_plans_differ() -> None:
    same = row(pipeline_s=29.7, wall_s_of_runs=[31.0, 29.7, 33.2], same_plan_in_every_run=True)
    differ = row(row="demo", mip_gap_largest_region=None, same_plan_in_every_run=False)
    lines = format_table([same, differ], argparse.Namespace(workers=2)).splitlines()
    assert "| 29.7 (120), fastest of 3 |" in lines[4] and "| feasible |" in lines[4]
    assert "| feasible, plans differ between runs |" in lines[5] and "| 3.0 (10) |" in lines[5]


def test_the_plan_digest_tells_plan_files_apart_by_their_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for folder in (first, second):
        folder.mkdir()
        (folder / "sites.csv").write_text("site_id,chargers\nS1,2\n")
        (folder / "summary.json").write_text(f'{{"wall_s": {len(folder.name)}}}')
    assert plan_digest(first) == plan_digest(second)  # a summary's timings do not count
    (second / "sites.csv").write_text("site_id,chargers\nS1,3\n")
    assert plan_digest(first) != plan_digest(second)


def test_the_hourly_model_s_size_says_how_many_of_the_candidate_pairs_it_holds() -> None:
    """Built on the pairs the coarse plan uses, the hourly model is not the year's size."""
    measured = row(variables=48_860, integers=5_380, pairs=3_156, candidate_pairs=34_551)
    lines = format_table([measured, row(row="demo")], argparse.Namespace(workers=2)).splitlines()
    assert "hourly model: variables (integer); pairs of candidates" in lines[2]
    assert "| 48,860 (5,380); 3,156 of 34,551 |" in lines[4]
    assert "| 10 (2) |" in lines[5]  # measured before the pairs were reported
