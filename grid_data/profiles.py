"""Base load of grid nodes over the day: node profiles (``grid_profiles.csv``) or a typical shape.

``grid_profiles.csv`` (UTF-8, comma-separated): ``node_id``, ``slot`` (start of the slot,
``HH:MM``), ``load_kva`` (average base load in the slot, kVA).  Every node listed must give
every slot of one day at 15, 30 or 60 minutes, all nodes at the same length.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from grid_data.raw import GridReadError
from validation import RowIssue, TableValidationError, ValidationReport, suggest
from validation.report import FIRST_DATA_ROW
from validation.timeofday import is_hhmm

FloatArray = npt.NDArray[np.float64]

#: Slot lengths a day can be divided into, minutes.
SLOT_MINUTES: tuple[int, ...] = (15, 30, 60)

#: A stylised weekday load shape of a Flemish medium-voltage node, as a share of its peak, one
#: factor per hour (index = hour the slot starts).  Encoded by us, not measured: a night trough
#: of 0.45–0.55 (03–05 h lowest), a morning rise, a flat working day around 0.8, and the
#: evening peak of households and heat pumps at 18–19 h = 1.0.
TYPICAL_MV_WEEKDAY: tuple[float, ...] = (
    0.55, 0.50, 0.47, 0.45, 0.45, 0.48,  # 00–05 h
    0.55, 0.65, 0.75, 0.80, 0.82, 0.83,  # 06–11 h
    0.82, 0.80, 0.78, 0.78, 0.82, 0.92,  # 12–17 h
    1.00, 1.00, 0.92, 0.80, 0.70, 0.62,  # 18–23 h
)  # fmt: skip

PROFILE_COLUMNS: tuple[str, ...] = ("node_id", "slot", "load_kva")


def check_slot_minutes(slot_minutes: int) -> None:
    """Raise :class:`GridReadError` unless the slot length divides an hour (15, 30 or 60)."""
    if slot_minutes not in SLOT_MINUTES:
        raise GridReadError(f"slot length {slot_minutes} min: valid: 15, 30 or 60")


def slot_starts(slot_minutes: int) -> list[str]:
    """Return the start of every slot of a day as ``HH:MM``.

    Examples
    --------
    >>> slot_starts(30)[:3]
    ['00:00', '00:30', '01:00']
    """
    check_slot_minutes(slot_minutes)
    return [f"{m // 60:02d}:{m % 60:02d}" for m in range(0, 24 * 60, slot_minutes)]


def typical_shape(slot_minutes: int = 60) -> FloatArray:
    """Return :data:`TYPICAL_MV_WEEKDAY` per slot (each hour's factor repeated in its slots)."""
    check_slot_minutes(slot_minutes)
    return np.repeat(np.array(TYPICAL_MV_WEEKDAY, dtype=np.float64), 60 // slot_minutes)


def read_grid_profiles(path: Path, node_ids: Collection[str] | None = None) -> pd.DataFrame:
    """Read and validate ``grid_profiles.csv``.

    Parameters
    ----------
    path
        The profiles file.
    node_ids
        Nodes of the grid; when given, every profile must belong to one of them.

    Returns
    -------
    pandas.DataFrame
        ``node_id`` (str), ``slot`` (``HH:MM``), ``load_kva`` (float, kVA), sorted.

    Raises
    ------
    TableValidationError
        Listing every bad row; nothing is returned.
    """
    frame = _read_text_table(Path(path))
    report = ValidationReport(source=Path(path).name, rows_checked=len(frame))
    missing = [column for column in PROFILE_COLUMNS if column not in frame.columns]
    for column in missing:
        valid = "columns " + ", ".join(PROFILE_COLUMNS)
        hint = suggest(column, [str(c) for c in frame.columns])
        report.add(RowIssue(None, column, None, "column is missing", valid, hint))
    if missing:
        raise TableValidationError(report)
    load_kva = _check_profile_rows(frame, node_ids, report)
    if report.ok:
        _check_profile_slots(frame, report)
    if not report.ok:
        raise TableValidationError(report)
    result = pd.DataFrame(
        {"node_id": frame["node_id"], "slot": frame["slot"], "load_kva": load_kva}
    )
    return result.sort_values(["node_id", "slot"], ignore_index=True)


def _read_text_table(path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise GridReadError(f"{path}: no such file") from exc
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise GridReadError(f"{path}: not a readable UTF-8 CSV file: {exc}") from exc
    frame.columns = [str(column).strip() for column in frame.columns]
    for column in frame.columns:
        frame[column] = frame[column].str.strip()
    return frame


def _check_profile_rows(
    frame: pd.DataFrame, node_ids: Collection[str] | None, report: ValidationReport
) -> FloatArray:
    """Check every row; the checks run on whole columns and only bad rows are looked at."""
    nodes, slots = frame["node_id"], frame["slot"]
    load_kva = pd.to_numeric(frame["load_kva"], errors="coerce").to_numpy(dtype=np.float64)
    first_row = _first_row_of_key(frame)
    repeated = first_row != np.arange(len(frame)) + FIRST_DATA_ROW
    starts = {slot: _is_slot_start(slot) for slot in slots.unique()}
    bad_slot = ~slots.map(starts).to_numpy(dtype=bool)
    unknown = nodes.eq("").to_numpy(dtype=bool)
    if node_ids is not None:
        unknown = unknown | ~nodes.isin(set(node_ids)).to_numpy(dtype=bool)
    with np.errstate(invalid="ignore"):
        bad_load = ~np.isfinite(load_kva) | (load_kva < 0)
    known = set(node_ids) if node_ids is not None else None
    for position in np.flatnonzero(unknown | bad_slot | repeated | bad_load).tolist():
        row = position + FIRST_DATA_ROW
        node, slot = str(nodes.iat[position]), str(slots.iat[position])
        _check_node(row, node, known, report)
        if bad_slot[position]:
            report.add(RowIssue(row, "slot", slot, "is not a slot start", "HH:MM, 00:00–23:59"))
        if repeated[position]:
            problem = f"repeats node and slot of row {first_row[position]}"
            report.add(RowIssue(row, "slot", slot, problem))
        _check_load(row, str(frame["load_kva"].iat[position]), load_kva[position], report)
    return load_kva


def _first_row_of_key(frame: pd.DataFrame) -> npt.NDArray[np.int64]:
    """Per row: the file row where its (node, slot) first occurs."""
    if frame.empty:
        return np.zeros(0, dtype=np.int64)
    codes = frame.groupby(["node_id", "slot"], sort=False).ngroup().to_numpy(dtype=np.int64)
    _, first = np.unique(codes, return_index=True)
    rows: npt.NDArray[np.int64] = first[codes] + FIRST_DATA_ROW
    return rows


def _is_slot_start(slot: str) -> bool:
    return is_hhmm(slot) and slot != "24:00"


def _check_node(row: int, node: str, known: set[str] | None, report: ValidationReport) -> None:
    if not node:
        report.add(RowIssue(row, "node_id", None, "is empty; every profile row needs a node"))
    elif known is not None and node not in known:
        hint = suggest(node, known)
        report.add(RowIssue(row, "node_id", node, "is not a node of the grid", None, hint))


def _check_load(row: int, text: str, value: float, report: ValidationReport) -> None:
    if not np.isfinite(value):
        report.add(RowIssue(row, "load_kva", text, "is not a number", "a load in kVA, >= 0"))
    elif value < 0:
        report.add(RowIssue(row, "load_kva", text, "is negative", "a load in kVA, >= 0"))


def _check_profile_slots(frame: pd.DataFrame, report: ValidationReport) -> None:
    """Every node gives one whole day, and all nodes at the same slot length."""
    lengths: dict[int, list[str]] = {}
    per_node = _slot_lengths(frame)
    for node, count, first, minutes in per_node.itertuples(index=False):
        if minutes == 0:
            first_row = int(first) + FIRST_DATA_ROW
            problem = f"(node '{node}') has {count} slot(s) that do not make one whole day"
            valid = "every slot of a day at 15, 30 or 60 min (96, 48 or 24 rows)"
            report.add(RowIssue(first_row, "slot", None, problem, valid))
        else:
            lengths.setdefault(int(minutes), []).append(str(node))
    if len(lengths) > 1:
        text = "; ".join(f"{m} min: {', '.join(nodes[:3])}" for m, nodes in lengths.items())
        report.add(RowIssue(None, "slot", None, f"profiles mix slot lengths ({text})"))


def _slot_lengths(frame: pd.DataFrame) -> pd.DataFrame:
    """Per node (sorted): distinct slots, first position and whole-day slot length.

    The slot length is the one whose day the node's slots are exactly, 0 when none is.
    """
    table = frame[["node_id", "slot"]].assign(position=np.arange(len(frame)))
    by_node = table.groupby("node_id", sort=True)
    result = pd.DataFrame(
        {"count": by_node["slot"].nunique(), "first": by_node["position"].min(), "minutes": 0}
    )
    for minutes in SLOT_MINUTES:
        grid = slot_starts(minutes)
        inside = table.assign(inside=table["slot"].isin(grid)).groupby("node_id", sort=True)
        whole = inside["inside"].all() & result["count"].eq(len(grid))
        result.loc[whole & result["minutes"].eq(0), "minutes"] = minutes
    return result.rename_axis("node_id").reset_index()


def profile_matrix(
    profiles: pd.DataFrame, node_ids: list[str], slot_minutes: int
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Arrange profiles as (node, slot) at the wanted slot length.

    A coarser profile is repeated in the finer slots; a finer one is reduced to the largest
    load in each slot (conservative for headroom).

    Returns
    -------
    loads_kva, has_profile
        Array (len(node_ids), slots per day) in kVA, NaN for nodes without a profile; and the
        mask of nodes that have one.
    """
    check_slot_minutes(slot_minutes)
    if profiles.empty:
        return np.full((len(node_ids), len(slot_starts(slot_minutes))), np.nan), np.zeros(
            len(node_ids), dtype=bool
        )
    table = profiles.pivot(index="node_id", columns="slot", values="load_kva")
    table = table.reindex(index=node_ids, columns=sorted(table.columns))
    loads = table.to_numpy(dtype=np.float64)
    source_minutes = 24 * 60 // max(loads.shape[1], 1)
    if source_minutes > slot_minutes:
        loads = np.repeat(loads, source_minutes // slot_minutes, axis=1)
    elif source_minutes < slot_minutes:
        groups = slot_minutes // source_minutes
        loads = loads.reshape(len(node_ids), -1, groups).max(axis=2)
    return loads, ~np.isnan(loads).all(axis=1)
