"""One entry point, :func:`read_grid`, over one reader ("backend") per source shape.

A backend only knows how to get the cells of its file format (:mod:`grid_data.raw`); what the
cells mean comes from the shape's column mapping (:mod:`grid_data.mapping`), and the rest — units,
codes, derived figures and every check — is shared, so all shapes are validated alike.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from grid_data.checks import (
    check_grid_rows,
    derive_headroom,
    derive_status,
    estimate_headroom_from_status,
)
from grid_data.mapping import GridMapping, MappingError, default_mapping, load_mapping
from grid_data.normalize import (
    check_source_columns,
    read_code_field,
    read_coordinates,
    read_dates,
    read_flag,
    read_quantity,
    read_text_field,
    resolve_parent_names,
)
from grid_data.raw import GridReadError, RawTable, read_header, read_raw_csv, read_raw_json
from grid_data.schema import (
    DEFAULT_POWER_FACTOR,
    FLAG_FIELDS,
    GRID_COLUMNS,
    QUANTITY_FIELDS,
    GridShape,
    status_values,
)
from validation import LaadplanError, TableValidationError, ValidationReport, suggest

LOGGER = logging.getLogger("laadplan")


@dataclass(frozen=True)
class GridBackend:
    """How to read the cells of one source shape.

    Attributes
    ----------
    shape
        The shape served.
    load_raw
        Reads a file into a :class:`~grid_data.raw.RawTable` using a mapping's format settings.
    extensions
        File name endings (lower case) that point to this shape.
    """

    shape: GridShape
    load_raw: Callable[[Path, GridMapping], RawTable]
    extensions: tuple[str, ...]


_CSV = (".csv", ".txt")
_JSON = (".json", ".geojson")

#: Backends in the order shape detection tries them.
BACKENDS: dict[GridShape, GridBackend] = {
    GridShape.CANONICAL: GridBackend(GridShape.CANONICAL, read_raw_csv, _CSV),
    GridShape.OPENDATASOFT_CSV: GridBackend(GridShape.OPENDATASOFT_CSV, read_raw_csv, _CSV),
    GridShape.OPENDATASOFT_JSON: GridBackend(GridShape.OPENDATASOFT_JSON, read_raw_json, _JSON),
    GridShape.STATUS_MAP: GridBackend(GridShape.STATUS_MAP, read_raw_csv, _CSV),
    GridShape.UK_HEADROOM: GridBackend(GridShape.UK_HEADROOM, read_raw_csv, _CSV),
}


def read_grid(
    path: Path | str,
    shape: str | None = None,
    mapping: Path | str | GridMapping | None = None,
    power_factor: float = DEFAULT_POWER_FACTOR,
    status_headroom_kva: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Read a capacity-map source onto the canonical grid table.

    Parameters
    ----------
    path
        The source file.
    shape
        A :class:`~grid_data.schema.GridShape` value; ``None`` detects it (see
        :func:`detect_shape`).
    mapping
        A mapping TOML file (or a parsed :class:`~grid_data.mapping.GridMapping`); ``None``
        uses the mapping shipped for the shape.
    power_factor
        cos φ used to turn kW and MW into kVA, in (0, 1].
    status_headroom_kva
        Conservative headroom per status (kVA) for nodes known only by their status; statuses
        not given keep the mapping's figures (defaults
        :data:`~grid_data.schema.DEFAULT_STATUS_HEADROOM_KVA`).

    Returns
    -------
    pandas.DataFrame
        The canonical grid table (:mod:`grid_data.schema`), one row per node.

    Raises
    ------
    TableValidationError
        Listing every offending row; nothing is returned.
    GridReadError, MappingError
        When the file or the mapping cannot be read at all.
    """
    path = Path(path)
    _check_power_factor(power_factor)
    given = load_mapping(Path(mapping)) if isinstance(mapping, str | Path) else mapping
    chosen = GridShape(_check_shape_name(shape)) if shape is not None else None
    resolved = chosen or detect_shape(path, given)
    grid_mapping = given or default_mapping(resolved)
    if resolved.value not in grid_mapping.shapes:
        raise MappingError(
            f"mapping {grid_mapping.name} serves {', '.join(grid_mapping.shapes)}, "
            f"not {resolved.value}"
        )
    raw = BACKENDS[resolved].load_raw(path, grid_mapping)
    headroom_by_status = _status_headroom(grid_mapping, status_headroom_kva)
    grid = canonical_from_raw(raw, grid_mapping, power_factor, headroom_by_status, path.name)
    LOGGER.info("%s: %d grid nodes read as %s", path.name, len(grid), resolved.value)
    return grid


def _check_power_factor(power_factor: float) -> None:
    if not 0 < power_factor <= 1:
        raise LaadplanError(f"power factor {power_factor}: valid: above 0, at most 1")


def _check_shape_name(shape: str) -> str:
    valid = [item.value for item in GridShape]
    if shape not in valid:
        hint = suggest(shape, valid)
        raise LaadplanError(
            f"unknown grid shape '{shape}'; valid: {', '.join(valid)}"
            + (f" — did you mean '{hint}'?" if hint else "")
        )
    return shape


def _status_headroom(
    mapping: GridMapping, overrides: Mapping[str, float] | None
) -> dict[str, float]:
    table = dict(mapping.status_headroom_kva)
    for status, value in (overrides or {}).items():
        if status not in status_values():
            hint = suggest(status, status_values())
            raise LaadplanError(
                f"status_headroom_kva: unknown status '{status}'; valid: "
                + ", ".join(status_values())
                + (f" — did you mean '{hint}'?" if hint else "")
            )
        if not value >= 0:
            raise LaadplanError(f"status_headroom_kva: {status} = {value}: valid: a number >= 0")
        table[status] = float(value)
    return table


def detect_shape(path: Path, mapping: GridMapping | None = None) -> GridShape:
    """Detect the shape of a source file.

    The extension decides first: ``.json``/``.geojson`` is ``opendatasoft_json``; for
    ``.csv``/``.txt`` the first line is split with each candidate mapping's delimiter and the
    first shape whose mapped, non-optional columns are all in it wins, in the order
    ``canonical``, ``opendatasoft_csv``, ``status_map``, ``uk_headroom``.  With a mapping, only
    the shapes it serves are candidates (and its columns are the ones looked for).

    Raises
    ------
    GridReadError
        When no shape fits, saying which columns each candidate lacks.
    """
    candidates = [GridShape(s) for s in mapping.shapes] if mapping else list(BACKENDS)
    suffix = path.suffix.lower()
    by_extension = [s for s in candidates if suffix in BACKENDS[s].extensions]
    if not by_extension:
        endings = sorted({e for s in candidates for e in BACKENDS[s].extensions})
        raise GridReadError(
            f"{path.name}: cannot tell the shape from the extension '{suffix}' "
            f"(readable: {', '.join(endings)}); give the shape explicitly"
        )
    if len(by_extension) == 1:
        return by_extension[0]
    return _shape_from_header(path, by_extension, mapping)


def _shape_from_header(
    path: Path, candidates: list[GridShape], mapping: GridMapping | None
) -> GridShape:
    lacking: list[str] = []
    for shape in candidates:
        shape_mapping = mapping or default_mapping(shape)
        header = set(read_header(path, shape_mapping))
        missing = [c for f, c in shape_mapping.columns.items() if f not in shape_mapping.optional]
        absent = [column for column in missing if column not in header]
        if not absent:
            return shape
        lacking.append(f"{shape.value} lacks {', '.join(absent)}")
    raise GridReadError(
        f"{path.name}: the columns fit no known shape ({'; '.join(lacking)}); "
        "give the shape and a mapping for this source"
    )


def canonical_from_raw(
    raw: RawTable,
    mapping: GridMapping,
    power_factor: float,
    status_headroom_kva: Mapping[str, float],
    file_name: str,
) -> pd.DataFrame:
    """Map, derive and check a raw table; return the canonical grid table.

    Raises
    ------
    TableValidationError
        With every issue found; nothing is returned.
    """
    report = ValidationReport(source=raw.source, rows_checked=len(raw.frame))
    check_source_columns(raw, mapping, report)
    if not report.ok:
        raise TableValidationError(report)
    grid = _read_fields(raw, mapping, power_factor, report, file_name)
    derive_headroom(grid)
    green_kva = status_headroom_kva["green"]
    derive_status(grid, mapping.status_thresholds, green_kva)
    estimate_headroom_from_status(grid, status_headroom_kva)
    check_grid_rows(grid, raw, mapping, report)
    if not report.ok:
        raise TableValidationError(report)
    return _finish(grid)


def _read_fields(
    raw: RawTable,
    mapping: GridMapping,
    power_factor: float,
    report: ValidationReport,
    file_name: str,
) -> pd.DataFrame:
    node_id = read_text_field(raw, mapping, "node_id")
    name = read_text_field(raw, mapping, "name")
    name = name.where(name != "", node_id)
    parent_id = read_text_field(raw, mapping, "parent_id")
    by_name = resolve_parent_names(raw, mapping, node_id, name, report)
    lat, lon = read_coordinates(raw, mapping, report)
    source = read_text_field(raw, mapping, "source")
    columns: dict[str, object] = {
        "node_id": node_id,
        "name": name,
        "level": read_code_field(raw, mapping, "level", mapping.levels, report),
        "parent_id": parent_id.where(parent_id != "", by_name),
        "lat": lat,
        "lon": lon,
        **{f: read_quantity(raw, mapping, f, power_factor, report) for f in QUANTITY_FIELDS},
        "status": read_code_field(raw, mapping, "status", mapping.status, report),
        "as_of": read_dates(raw, mapping, report),
        "source": source.where(source != "", file_name),
        **{f: read_flag(raw, mapping, f, report) for f in FLAG_FIELDS},
    }
    return pd.DataFrame(columns, index=raw.frame.index)


def _finish(grid: pd.DataFrame) -> pd.DataFrame:
    result = grid.loc[:, list(GRID_COLUMNS)].reset_index(drop=True)
    result["parent_id"] = result["parent_id"].where(result["parent_id"] != "", np.nan)
    for column in ("node_id", "name", "level", "parent_id", "status", "as_of", "source"):
        result[column] = result[column].astype("str")
    for column in ("lat", "lon", *QUANTITY_FIELDS):
        result[column] = result[column].astype(np.float64)
    for column in FLAG_FIELDS:
        result[column] = result[column].astype(bool)
    return result
