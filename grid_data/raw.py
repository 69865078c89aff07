"""Raw source tables: the cells of a file as read, with the row number a person sees.

CSV rows are numbered as lines of the file (header = 1, first data row = 2).  JSON records are
numbered from 1 in the order they appear (the report's source says so).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from grid_data.mapping import GridMapping
from validation import LaadplanError, RowIssue, ValidationReport, suggest
from validation.report import FIRST_DATA_ROW


class GridReadError(LaadplanError):
    """A grid source cannot be read at all (missing file, wrong encoding, broken JSON)."""


@dataclass(frozen=True)
class RawTable:
    """Cells of a source as read.

    Attributes
    ----------
    frame
        One column per source column, values as read (text for CSV; JSON scalars, objects or
        lists for JSON); index 0..n-1.
    rows
        Row number of each record for messages.
    source
        Label of the source in reports (file name, plus how rows are numbered for JSON).
    """

    frame: pd.DataFrame
    rows: npt.NDArray[np.int64]
    source: str

    @property
    def columns(self) -> list[str]:
        """Source column names."""
        return [str(column) for column in self.frame.columns]


def read_raw_csv(path: Path, mapping: GridMapping) -> RawTable:
    """Read a delimited text file as text cells.

    Raises
    ------
    GridReadError
        When the file is missing, not decodable with the mapping's encoding, or not parseable.
    """
    try:
        frame = pd.read_csv(
            path,
            sep=mapping.delimiter,
            dtype=str,
            keep_default_na=False,
            encoding=mapping.encoding,
        )
    except FileNotFoundError as exc:
        raise GridReadError(f"{path}: no such file") from exc
    except UnicodeDecodeError as exc:
        raise GridReadError(f"{path}: not readable as {mapping.encoding}: {exc.reason}") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise GridReadError(
            f"{path}: not a readable '{mapping.delimiter}'-separated file: {exc}"
        ) from exc
    frame.columns = [str(column).strip() for column in frame.columns]
    rows = np.arange(len(frame), dtype=np.int64) + FIRST_DATA_ROW
    return RawTable(frame=frame, rows=rows, source=Path(path).name)


def read_raw_json(path: Path, mapping: GridMapping) -> RawTable:
    """Read an Opendatasoft JSON or GeoJSON export as records.

    Accepted forms: a plain list of records (``exports/json``), the v2.1 records API page
    ``{"total_count": n, "results": [...]}``, the v1 form ``{"records": [{"fields": {...}}]}``
    and a GeoJSON ``FeatureCollection`` (properties, with a Point geometry as ``geo_point_2d``
    when the properties have none).

    Raises
    ------
    GridReadError
        When the file is missing, not JSON, or in none of the accepted forms.
    """
    try:
        payload = json.loads(Path(path).read_text(encoding=mapping.encoding))
    except FileNotFoundError as exc:
        raise GridReadError(f"{path}: no such file") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GridReadError(f"{path}: not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise GridReadError(f"{path}: JSON nested too deeply to be a capacity map") from exc
    records = _records(payload, path, mapping)
    frame = pd.DataFrame(records, columns=_record_columns(records), dtype=object)
    rows = np.arange(1, len(frame) + 1, dtype=np.int64)
    return RawTable(frame=frame, rows=rows, source=f"{Path(path).name} (rows are record numbers)")


def _records(payload: Any, path: Path, mapping: GridMapping) -> list[dict[str, Any]]:
    if isinstance(payload, dict) and payload.get("type") == "FeatureCollection":
        geo = mapping.source_column("geo_point") or "geo_point_2d"
        items = [_feature_record(feature, geo) for feature in payload.get("features", [])]
    elif isinstance(payload, dict) and isinstance(payload.get("results"), list):
        items = payload["results"]
    elif isinstance(payload, dict) and isinstance(payload.get("records"), list):
        items = [_v1_record(record) for record in payload["records"]]
    elif isinstance(payload, list):
        items = payload
    else:
        raise GridReadError(
            f"{path}: JSON is none of the accepted forms: a list of records, "
            '{"results": [...]}, {"records": [...]} or a GeoJSON FeatureCollection'
        )
    bad = [i + 1 for i, item in enumerate(items) if not isinstance(item, dict)]
    if bad:
        raise GridReadError(f"{path}: record(s) {bad[:10]} are not JSON objects")
    return list(items)


def _v1_record(record: Any) -> Any:
    if isinstance(record, dict) and isinstance(record.get("fields"), dict):
        return record["fields"]
    return record


def _feature_record(feature: Any, geo_column: str) -> Any:
    if not isinstance(feature, dict):
        return feature
    record = dict(feature.get("properties") or {})
    geometry = feature.get("geometry") or {}
    if geo_column not in record and geometry.get("type") == "Point":
        lon, lat = geometry["coordinates"][:2]
        record[geo_column] = {"lat": lat, "lon": lon}
    return record


def _record_columns(records: Sequence[dict[str, Any]]) -> list[str]:
    columns: dict[str, None] = {}
    for record in records:
        columns.update(dict.fromkeys(record))
    return list(columns)


def read_header(path: Path, mapping: GridMapping) -> list[str]:
    """Return the column names of a delimited file's first line (for shape detection)."""
    try:
        with Path(path).open(encoding=mapping.encoding, newline="") as handle:
            first = handle.readline()
    except FileNotFoundError as exc:
        raise GridReadError(f"{path}: no such file") from exc
    except UnicodeDecodeError as exc:
        raise GridReadError(f"{path}: not readable as {mapping.encoding}: {exc.reason}") from exc
    return [name.strip().strip('"') for name in first.rstrip("\r\n").split(mapping.delimiter)]


def add_row_issues(
    report: ValidationReport,
    raw: RawTable,
    mask: npt.NDArray[np.bool_] | pd.Series[bool],
    column: str | None,
    values: pd.Series[Any] | None,
    problem: str,
    valid: str | None = None,
) -> None:
    """Record one issue for every row where ``mask`` holds.

    Parameters
    ----------
    report
        Where the issues go.
    raw
        The source (for row numbers).
    mask
        Rows concerned, aligned with ``raw.frame``.
    column
        The *source* column a person would look at.
    values
        Offending value per row (aligned), or ``None``.
    problem, valid
        See :class:`validation.RowIssue`.
    """
    for position in np.flatnonzero(np.asarray(mask, dtype=bool)):
        value = None if values is None else values.iloc[position]
        report.add(RowIssue(int(raw.rows[position]), column, value, problem, valid))


class NearMiss:
    """Near-miss suggestions against a large option list, cached and capped.

    :func:`validation.suggest` compares with every option; over thousands of node ids that is
    slow when a whole column is wrong.  Each distinct value is looked up once, and after
    ``limit`` distinct look-ups no further suggestions are made (the report shows the first
    issues anyway).

    Examples
    --------
    >>> near = NearMiss(["CAB-1", "CAB-2"], limit=1)
    >>> near("CAB-11"), near("CAB-22")
    ('CAB-1', None)
    """

    def __init__(self, options: Iterable[str], limit: int = 25) -> None:
        self._options = [str(option) for option in options]
        self._limit = limit
        self._cache: dict[str, str | None] = {}

    def __call__(self, value: str) -> str | None:
        """Return the closest option to ``value``, or ``None``."""
        if value not in self._cache:
            if len(self._cache) >= self._limit:
                return None
            self._cache[value] = suggest(value, self._options)
        return self._cache[value]
