"""The benchmark table states the merged plan's gap and, beside it, the largest region's."""

from __future__ import annotations

import argparse
from typing import Any

from benchmarks.__main__ import format_table


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
    rows = [row(speed_probe_s=1.4612), row(row="demo", mip_gap_largest_region=None)]
    lines = format_table(rows, argparse.Namespace(workers=2), 3.55).splitlines()
    assert lines[0].endswith(
        "Speed probe: a plain Python loop of 30,000,000 additions, s, before each row and "
        "after the last (3.55 s)."
    )
    assert lines[2].endswith("| speed probe s |")
    assert lines[4].endswith("| 1.46 |") and lines[5].endswith("| — |")
