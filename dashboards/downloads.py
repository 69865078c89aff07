"""Downloads as ``dcc.Download`` takes them: CSV, Excel and GeoJSON, built without Dash.

Each function returns the dictionary a ``dcc.Download`` component accepts (``content``,
``filename``, ``type`` and ``base64`` for binary content). Formula-like text is neutralised
(:func:`validation.export.neutralise_formulas`).
"""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import pandas as pd

from validation.export import neutralise_formulas, write_workbook

#: Download kinds offered next to tables and maps.
KINDS = ("csv", "xlsx", "geojson")
EXCEL_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Longest sheet name Excel accepts.
SHEET_NAME_MAX = 31


def csv_download(table: pd.DataFrame, stem: str) -> dict[str, Any]:
    """The table as UTF-8 CSV (comma-separated, header row, no index)."""
    content = neutralise_formulas(table).to_csv(index=False)
    return {"content": content, "filename": f"{stem}.csv", "type": "text/csv", "base64": False}


def excel_download(table: pd.DataFrame, stem: str) -> dict[str, Any]:
    """The table as an Excel workbook with one sheet named after the stem."""
    buffer = io.BytesIO()
    write_workbook(buffer, {stem[:SHEET_NAME_MAX]: table})
    content = base64.b64encode(buffer.getvalue()).decode("ascii")
    return {"content": content, "filename": f"{stem}.xlsx", "type": EXCEL_TYPE, "base64": True}


def geojson_download(collection: dict[str, Any], stem: str) -> dict[str, Any]:
    """A GeoJSON FeatureCollection as a ``.geojson`` file."""
    content = json.dumps(collection, ensure_ascii=False)
    return {
        "content": content,
        "filename": f"{stem}.geojson",
        "type": "application/geo+json",
        "base64": False,
    }


def table_download(kind: str, table: pd.DataFrame, stem: str) -> dict[str, Any]:
    """A CSV or Excel download of a table by kind (``"csv"`` or ``"xlsx"``).

    Raises
    ------
    ValueError
        For another kind.
    """
    if kind == "csv":
        return csv_download(table, stem)
    if kind == "xlsx":
        return excel_download(table, stem)
    raise ValueError(f"unknown table download {kind!r}; valid: csv, xlsx")
