"""Whole-table checks of a canonical grid table, and the derivation of missing figures.

The checks see the table after every field was read, so they can report keys, duplicates,
parents, feeding cycles, coordinates and negative capacities of every row at once.
"""

from __future__ import annotations

from collections.abc import Mapping

import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd

from geography import points_in_belgium
from grid_data.mapping import GridMapping
from grid_data.normalize import source_column
from grid_data.raw import NearMiss, RawTable, add_row_issues
from grid_data.schema import NON_NEGATIVE_FIELDS, GridLevel, GridStatus, level_values
from validation import RowIssue, ValidationReport, describe_valid

FloatArray = npt.NDArray[np.float64]


def derive_headroom(grid: pd.DataFrame) -> None:
    """Fill a missing headroom with firm capacity − peak load where both are known (kVA)."""
    missing = grid["headroom_kva"].isna()
    derived = grid["firm_capacity_kva"] - grid["peak_load_kva"]
    grid.loc[missing, "headroom_kva"] = derived[missing]


def derive_status(grid: pd.DataFrame, thresholds: Mapping[str, float], green_kva: float) -> None:
    """Fill a missing status from the headroom.

    With a firm capacity the share headroom / firm decides: at least ``green_min_share`` is
    green, at least ``orange_min_share`` (and above 0 kVA) orange, less red.  Without one, a
    headroom of at least ``green_kva`` is green, above 0 kVA orange, else red.  Without a
    headroom the status is ``unknown``.
    """
    head = grid["headroom_kva"].to_numpy(dtype=np.float64)
    firm = grid["firm_capacity_kva"].to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(firm > 0, head / firm, np.nan)
    by_share = _status_by_share(share, head, thresholds)
    by_size = np.select(
        [head >= green_kva, head > 0, head <= 0],
        [GridStatus.GREEN.value, GridStatus.ORANGE.value, GridStatus.RED.value],
        GridStatus.UNKNOWN.value,
    )
    derived = np.where(np.isfinite(share), by_share, by_size)
    missing = grid["status"] == ""
    grid.loc[missing, "status"] = derived[missing.to_numpy()]


def _status_by_share(
    share: FloatArray, head: FloatArray, thresholds: Mapping[str, float]
) -> npt.NDArray[np.str_]:
    green = share >= thresholds["green_min_share"]
    orange = (share >= thresholds["orange_min_share"]) & (head > 0)
    return np.select(
        [green, orange],
        [GridStatus.GREEN.value, GridStatus.ORANGE.value],
        GridStatus.RED.value,
    )


def estimate_headroom_from_status(
    grid: pd.DataFrame, status_headroom_kva: Mapping[str, float]
) -> None:
    """Give nodes still without headroom the conservative figure of their status (flagged)."""
    missing = grid["headroom_kva"].isna().to_numpy()
    by_status = [status_headroom_kva.get(status, 0.0) for status in grid["status"]]
    grid["headroom_kva"] = np.where(missing, by_status, grid["headroom_kva"])
    grid["headroom_estimated"] = grid["headroom_estimated"].to_numpy() | missing


def check_grid_rows(
    grid: pd.DataFrame, raw: RawTable, mapping: GridMapping, report: ValidationReport
) -> None:
    """Report every row-level problem of a canonical table read from ``raw``."""
    _check_required(grid, raw, mapping, report)
    _check_duplicates(grid, raw, mapping, report)
    _check_parents(grid, raw, mapping, report)
    _check_cycles(grid, raw, mapping, report)
    _check_coordinates(grid, raw, mapping, report)
    for field in NON_NEGATIVE_FIELDS:
        negative = grid[field] < 0
        column = source_column(raw, mapping, field)
        shown = raw.frame[column] if column is not None else grid[field]
        add_row_issues(report, raw, negative, column, shown, f"is negative ({field})", ">= 0")


def _check_required(
    grid: pd.DataFrame, raw: RawTable, mapping: GridMapping, report: ValidationReport
) -> None:
    empty_id = grid["node_id"] == ""
    id_column = source_column(raw, mapping, "node_id")
    add_row_issues(report, raw, empty_id, id_column, None, "is empty; every node needs an id")
    level_column = source_column(raw, mapping, "level")
    no_level = grid["level"] == ""
    empty_level = no_level & (cell_is_empty(raw, level_column))
    valid = describe_valid(level_values())
    add_row_issues(report, raw, empty_level, level_column, None, "is empty", valid)


def cell_is_empty(raw: RawTable, column: str | None) -> npt.NDArray[np.bool_]:
    """Whether each cell of a source column is empty (all True when there is no column)."""
    if column is None:
        return np.ones(len(raw.frame), dtype=bool)
    values = raw.frame[column]
    return np.array([v is None or str(v).strip() in ("", "nan") for v in values], dtype=bool)


def _check_duplicates(
    grid: pd.DataFrame, raw: RawTable, mapping: GridMapping, report: ValidationReport
) -> None:
    ids = grid["node_id"]
    first_row: dict[str, int] = {}
    column = source_column(raw, mapping, "node_id")
    for position, node in enumerate(ids):
        if not node:
            continue
        row = int(raw.rows[position])
        if node in first_row:
            problem = f"duplicates the node id of row {first_row[node]}"
            report.add(RowIssue(row, column, node, problem, "a node id used once"))
        else:
            first_row[node] = row


def _parent_column(raw: RawTable, mapping: GridMapping) -> str | None:
    return source_column(raw, mapping, "parent_id") or source_column(raw, mapping, "parent_name")


def _check_parents(
    grid: pd.DataFrame, raw: RawTable, mapping: GridMapping, report: ValidationReport
) -> None:
    ids = set(grid["node_id"])
    levels = dict(zip(grid["node_id"], grid["level"], strict=True))
    column = _parent_column(raw, mapping)
    near_miss = NearMiss(ids)
    for position, (parent, level) in enumerate(zip(grid["parent_id"], grid["level"], strict=True)):
        if not parent:
            continue
        row = int(raw.rows[position])
        if parent not in ids:
            hint = near_miss(parent)
            report.add(RowIssue(row, column, parent, "is not the id of any node", None, hint))
        elif level == GridLevel.HV_MV_SUBSTATION and levels[parent] == GridLevel.MV_CABIN:
            problem = "is an MV cabin; an HV/MV substation cannot be fed from a cabin"
            report.add(RowIssue(row, column, parent, problem))


def _check_cycles(
    grid: pd.DataFrame, raw: RawTable, mapping: GridMapping, report: ValidationReport
) -> None:
    parent_of = _parent_links(grid)
    graph = nx.DiGraph(list(parent_of.items()))
    in_cycles = [c for c in nx.strongly_connected_components(graph) if len(c) > 1]
    in_cycles += [{node} for node, _ in nx.selfloop_edges(graph)]
    column = _parent_column(raw, mapping)
    position_of = {node: i for i, node in reversed(list(enumerate(grid["node_id"])))}
    for members in in_cycles:
        text = describe_cycle(min(members), parent_of)
        for node in sorted(members):
            row = int(raw.rows[position_of[node]])
            parent = parent_of[node]
            report.add(RowIssue(row, column, parent, f"closes a feeding cycle: {text}"))


def _parent_links(grid: pd.DataFrame) -> dict[str, str]:
    """Node → parent for rows whose parent exists (first row of a duplicated id wins)."""
    ids = set(grid["node_id"])
    links: dict[str, str] = {}
    for node, parent in zip(grid["node_id"], grid["parent_id"], strict=True):
        if node and parent in ids and node not in links:
            links[node] = parent
    return links


def describe_cycle(start: str, parent_of: Mapping[str, str]) -> str:
    """Return a cycle as ``A ← B ← C ← A`` (each node fed from the next one).

    Examples
    --------
    >>> describe_cycle("a", {"a": "b", "b": "a"})
    'a ← b ← a'
    """
    path = [start]
    node = parent_of[start]
    while node != start:
        path.append(node)
        node = parent_of[node]
    return " ← ".join([*path, start])


def _check_coordinates(
    grid: pd.DataFrame, raw: RawTable, mapping: GridMapping, report: ValidationReport
) -> None:
    lat = grid["lat"].to_numpy(dtype=np.float64)
    lon = grid["lon"].to_numpy(dtype=np.float64)
    column = source_column(raw, mapping, "lat") or source_column(raw, mapping, "geo_point")
    known = np.isfinite(lat) & np.isfinite(lon)
    empty = _coordinate_cells_empty(raw, mapping)
    valid = "WGS84 decimal degrees (lat, lon) in Belgium"
    add_row_issues(report, raw, ~known & empty, column, None, "is empty", valid)
    inside = points_in_belgium(np.where(known, lat, 0.0), np.where(known, lon, 0.0)) & known
    swapped = points_in_belgium(np.where(known, lon, 0.0), np.where(known, lat, 0.0)) & known
    for position in np.flatnonzero(known & ~inside):
        hint = f"lat {lon[position]}, lon {lat[position]}" if swapped[position] else None
        point = f"{lat[position]}, {lon[position]}"
        row = int(raw.rows[position])
        report.add(RowIssue(row, column, point, "lies outside Belgium", valid, hint))


def _coordinate_cells_empty(raw: RawTable, mapping: GridMapping) -> npt.NDArray[np.bool_]:
    lat_column = source_column(raw, mapping, "lat")
    lon_column = source_column(raw, mapping, "lon")
    if lat_column is not None and lon_column is not None:
        return cell_is_empty(raw, lat_column) | cell_is_empty(raw, lon_column)
    return cell_is_empty(raw, source_column(raw, mapping, "geo_point"))
