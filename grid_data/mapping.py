"""Column mappings: how a source's columns, units and codes map onto the canonical grid table.

A mapping is a small TOML file, so a renamed column in a source is a configuration change.  One
mapping per shape ships in ``grid_data/mappings/``; see ``canonical.toml`` there for every key
with comments.  Sections:

``shapes``
    The shapes this mapping serves (:class:`~grid_data.schema.GridShape` values).
``optional``
    Canonical fields whose mapped source column may be absent from a file.
``[format]``
    ``delimiter``, ``decimal``, ``thousands``, ``encoding`` and ``date_format`` (``ISO8601`` or
    a :func:`~datetime.datetime.strptime` pattern) of the source.
``[columns]``
    Canonical field → source column; ``geo_point`` (``"lat, lon"`` text or a ``{lat, lon}``
    object) may replace ``lat`` and ``lon``, ``parent_name`` (the parent's *name*) may replace
    ``parent_id``.
``[units]`` / ``[unit_columns]``
    Unit of each quantity field (``kVA``, ``MVA``, ``kW``, ``MW``), or the source column that
    holds the unit per row.
``[levels]`` / ``[status]``
    Source value → canonical level / status.  Canonical values are always accepted as well.
``[defaults]``
    Value used when a field has no column or an empty cell (``level``, ``status``, ``source``,
    ``as_of``).
``[status_headroom_kva]`` / ``[status_thresholds]``
    Override :data:`~grid_data.schema.DEFAULT_STATUS_HEADROOM_KVA` and
    :data:`~grid_data.schema.DEFAULT_STATUS_THRESHOLDS`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from grid_data.schema import (
    DEFAULT_STATUS_HEADROOM_KVA,
    DEFAULT_STATUS_THRESHOLDS,
    GRID_COLUMNS,
    QUANTITY_FIELDS,
    UNIT_FACTORS_TO_KVA,
    GridShape,
    level_values,
    status_values,
)
from validation import LaadplanError, describe_valid, suggest

#: Pseudo-fields a ``[columns]`` section may use besides the canonical columns.
PSEUDO_FIELDS: tuple[str, ...] = ("geo_point", "parent_name")

_TOP_KEYS = ("shapes", "optional", "description")
_SECTIONS = (
    "format",
    "columns",
    "units",
    "unit_columns",
    "levels",
    "status",
    "defaults",
    "status_headroom_kva",
    "status_thresholds",
)
_FORMAT_KEYS = ("delimiter", "decimal", "thousands", "encoding", "date_format")
_DEFAULT_KEYS = ("level", "status", "source", "as_of")


class MappingError(LaadplanError):
    """A column-mapping file is malformed."""


@dataclass(frozen=True)
class GridMapping:
    """A parsed column mapping (see the module docstring for the meaning of each part)."""

    name: str
    shapes: tuple[str, ...]
    columns: dict[str, str]
    optional: frozenset[str] = frozenset()
    delimiter: str = ","
    decimal: str = "."
    thousands: str = ""
    encoding: str = "utf-8-sig"
    date_format: str = "ISO8601"
    units: dict[str, str] = field(default_factory=dict)
    unit_columns: dict[str, str] = field(default_factory=dict)
    levels: dict[str, str] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    status_headroom_kva: dict[str, float] = field(
        default_factory=lambda: dict(DEFAULT_STATUS_HEADROOM_KVA)
    )
    status_thresholds: dict[str, float] = field(
        default_factory=lambda: dict(DEFAULT_STATUS_THRESHOLDS)
    )

    def source_column(self, canonical: str) -> str | None:
        """Return the source column mapped to a canonical field, or ``None``."""
        return self.columns.get(canonical)


def default_mapping(shape: str) -> GridMapping:
    """Return the mapping shipped for a shape.

    Parameters
    ----------
    shape
        A :class:`~grid_data.schema.GridShape` value.
    """
    file_name = _SHIPPED[GridShape(shape)]
    text = resources.files("grid_data").joinpath("mappings", file_name).read_text("utf-8")
    return mapping_from_toml(text, name=f"grid_data/mappings/{file_name}")


_SHIPPED: dict[GridShape, str] = {
    GridShape.CANONICAL: "canonical.toml",
    GridShape.OPENDATASOFT_CSV: "opendatasoft.toml",
    GridShape.OPENDATASOFT_JSON: "opendatasoft.toml",
    GridShape.STATUS_MAP: "status_map.toml",
    GridShape.UK_HEADROOM: "uk_headroom.toml",
}


def load_mapping(path: Path) -> GridMapping:
    """Read a mapping TOML file.

    Raises
    ------
    MappingError
        When the file cannot be read or parsed, or holds unknown keys or values.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise MappingError(f"mapping {path} cannot be read: {exc.strerror}") from exc
    return mapping_from_toml(text, name=str(path))


def mapping_from_toml(text: str, name: str) -> GridMapping:
    """Parse and check a mapping given as TOML text.

    Raises
    ------
    MappingError
        Listing every problem in the mapping.
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"mapping {name}: not valid TOML: {exc}") from exc
    problems: list[str] = []
    kwargs = _parse_mapping(raw, problems)
    if problems:
        raise MappingError(f"mapping {name}: " + "; ".join(problems))
    return GridMapping(name=name, **kwargs)


def _parse_mapping(raw: Mapping[str, Any], problems: list[str]) -> dict[str, Any]:
    for key in raw:
        if key not in (*_TOP_KEYS, *_SECTIONS):
            problems.append(_unknown(key, [*_TOP_KEYS, *_SECTIONS], "key"))
    kwargs: dict[str, Any] = {
        "shapes": _parse_shapes(raw.get("shapes"), problems),
        "optional": frozenset(_string_list(raw.get("optional", []), "optional", problems)),
        "columns": _parse_columns(_table(raw, "columns", problems), problems),
    }
    kwargs.update(_parse_format(_table(raw, "format", problems), problems))
    kwargs["units"] = _keyed_strings(raw, "units", QUANTITY_FIELDS, problems)
    kwargs["unit_columns"] = _keyed_strings(raw, "unit_columns", QUANTITY_FIELDS, problems)
    kwargs["levels"] = _translations(raw, "levels", level_values(), problems)
    kwargs["status"] = _translations(raw, "status", status_values(), problems)
    kwargs["defaults"] = _keyed_strings(raw, "defaults", _DEFAULT_KEYS, problems)
    kwargs["status_headroom_kva"] = {
        **DEFAULT_STATUS_HEADROOM_KVA,
        **_numbers(raw, "status_headroom_kva", status_values(), problems),
    }
    kwargs["status_thresholds"] = {
        **DEFAULT_STATUS_THRESHOLDS,
        **_numbers(raw, "status_thresholds", list(DEFAULT_STATUS_THRESHOLDS), problems),
    }
    return kwargs


def _unknown(key: str, options: list[str], what: str) -> str:
    hint = suggest(key, options)
    text = f"unknown {what} '{key}' (valid: {', '.join(options)})"
    return text + (f" — did you mean '{hint}'?" if hint else "")


def _table(raw: Mapping[str, Any], section: str, problems: list[str]) -> dict[str, Any]:
    value = raw.get(section, {})
    if not isinstance(value, Mapping):
        problems.append(f"[{section}] must be a table")
        return {}
    return dict(value)


def _string_list(value: object, key: str, problems: list[str]) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(f"'{key}' must be a list of strings")
        return []
    return list(value)


def _parse_shapes(value: object, problems: list[str]) -> tuple[str, ...]:
    shapes = _string_list(value if value is not None else [], "shapes", problems)
    valid = [shape.value for shape in GridShape]
    for shape in shapes:
        if shape not in valid:
            problems.append(_unknown(shape, valid, "shape"))
    if not shapes:
        problems.append(f"'shapes' must name at least one shape ({describe_valid(valid)})")
    return tuple(shapes)


def _parse_columns(table: dict[str, Any], problems: list[str]) -> dict[str, str]:
    valid = [*GRID_COLUMNS, *PSEUDO_FIELDS]
    columns: dict[str, str] = {}
    for key, value in table.items():
        if key not in valid:
            problems.append(_unknown(key, valid, "field in [columns]"))
        elif not isinstance(value, str) or not value:
            problems.append(f"[columns] {key} must be a non-empty column name")
        else:
            columns[key] = value
    if "node_id" not in columns:
        problems.append("[columns] must map node_id")
    return columns


def _parse_format(table: dict[str, Any], problems: list[str]) -> dict[str, str]:
    result: dict[str, str] = {}
    for key, value in table.items():
        if key not in _FORMAT_KEYS:
            problems.append(_unknown(key, list(_FORMAT_KEYS), "key in [format]"))
        elif not isinstance(value, str):
            problems.append(f"[format] {key} must be a string")
        else:
            result[key] = value
    if result.get("decimal", ".") not in (".", ","):
        problems.append(f"[format] decimal '{result['decimal']}': valid: '.' or ','")
    return result


def _keyed_strings(
    raw: Mapping[str, Any], section: str, keys: tuple[str, ...], problems: list[str]
) -> dict[str, str]:
    result: dict[str, str] = {}
    for key, value in _table(raw, section, problems).items():
        if key not in keys:
            problems.append(_unknown(key, list(keys), f"key in [{section}]"))
        elif not isinstance(value, str):
            problems.append(f"[{section}] {key} must be a string")
        else:
            result[key] = value
    return result


def _translations(
    raw: Mapping[str, Any], section: str, targets: list[str], problems: list[str]
) -> dict[str, str]:
    result: dict[str, str] = {}
    for key, value in _table(raw, section, problems).items():
        if value not in targets:
            hint = suggest(value, targets)
            problems.append(
                f"[{section}] '{key}' = {value!r}: valid: {describe_valid(targets)}"
                + (f" — did you mean '{hint}'?" if hint else "")
            )
        else:
            result[str(key)] = str(value)
    return result


def _numbers(
    raw: Mapping[str, Any], section: str, keys: list[str], problems: list[str]
) -> dict[str, float]:
    result: dict[str, float] = {}
    for key, value in _table(raw, section, problems).items():
        if key not in keys:
            problems.append(_unknown(key, keys, f"key in [{section}]"))
        elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            problems.append(f"[{section}] {key} = {value!r}: valid: a number >= 0")
        else:
            result[key] = float(value)
    return result


def normalise_unit(text: object) -> str | None:
    """Return the canonical spelling of a power unit, or ``None`` when it is not one.

    Examples
    --------
    >>> normalise_unit("mva"), normalise_unit(" kW "), normalise_unit("kWh")
    ('MVA', 'kW', None)
    """
    lowered = {unit.lower(): unit for unit in UNIT_FACTORS_TO_KVA}
    return lowered.get(str(text).strip().lower())
