"""Intake: validate an uploaded needs file and tell what it would add (pandas only).

An upload is never taken into the case: a valid file is shown with what it would add, an
invalid one with every bad row, and nothing is loaded (the validation's own rule).
"""

from __future__ import annotations

import base64
import binascii
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

import pandas as pd
import xarray as xr

from dashboards.downloads import EXCEL_TYPE
from planner.demand.projection import project_demand
from planner.intake.needs import validate_needs_file
from planner.intake.needs_template import needs_template
from planner.rules.zones import zone_warnings
from planner.scenario import Scenario
from planner.workflows.datafolder import CaseFile
from validation import LaadplanError, ValidationReport

#: File types accepted by the upload.
SUFFIXES = (".csv", ".xlsx")
#: Rows of the preview.
PREVIEW_ROWS = 20
ERROR_COLUMNS = ["row", "column", "value", "problem", "valid", "suggestion", "message"]
#: Columns of the warnings shown (what was read tolerantly: encoding, ``Diesel`` as ``diesel`` …).
WARNING_COLUMNS = ["column", "value", "message"]


@dataclass(frozen=True)
class IntakeResult:
    """The outcome of one upload.

    Attributes
    ----------
    filename
        The uploaded file's name.
    table
        The validated needs table, ``None`` unless the file is valid.
    report
        The validation report, ``None`` when the file could not be read at all.
    error
        Why the file could not be read, or ``""``.
    """

    filename: str
    table: pd.DataFrame | None
    report: ValidationReport | None
    error: str = ""

    @property
    def valid(self) -> bool:
        """Whether the file is a valid needs file."""
        return self.table is not None


def decode_upload(contents: str) -> bytes:
    """The bytes of a ``dcc.Upload`` value (``data:<type>;base64,<data>``).

    Raises
    ------
    ValueError
        When the value is not base64 content.
    """
    _, _, data = contents.partition(",")
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("the upload is not base64 content") from exc


def validate_upload(filename: str, content: bytes) -> IntakeResult:
    """Validate an uploaded needs file (``.csv`` or ``.xlsx``) row by row."""
    name = PurePath(filename).name or CaseFile.NEEDS
    if Path(name).suffix.lower() not in SUFFIXES:
        return IntakeResult(name, None, None, f"wrong_type:{name}")
    with tempfile.TemporaryDirectory(prefix="laadplan-upload-") as folder:
        path = Path(folder) / ("needs" + Path(name).suffix.lower())
        path.write_bytes(content)
        try:
            table, report = validate_needs_file(path)
        except LaadplanError as exc:
            return IntakeResult(name, None, None, str(exc).replace(str(path), name))
    report.source = name
    return IntakeResult(name, table, report)


def add_zone_warnings(result: IntakeResult, zones: pd.Series) -> None:
    """Warn about ZES cities of a valid upload that the case's zones do not list."""
    if result.table is not None and result.report is not None:
        result.report.warn(zone_warnings(result.table, zones))


def template_download(kind: str) -> dict[str, Any]:
    """The needs template as ``dcc.Download`` data (``kind``: ``"xlsx"`` or ``"csv"``)."""
    content = base64.b64encode(needs_template(kind)).decode("ascii")
    media = EXCEL_TYPE if kind == "xlsx" else "text/csv"
    return {"content": content, "filename": f"needs.{kind}", "type": media, "base64": True}


def error_table(result: IntakeResult) -> pd.DataFrame:
    """Every problem of an invalid file, one row per problem, by row number."""
    if result.report is None:
        return pd.DataFrame(columns=ERROR_COLUMNS)
    return result.report.to_frame()[ERROR_COLUMNS]


def preview(table: pd.DataFrame, rows: int = PREVIEW_ROWS) -> pd.DataFrame:
    """The first rows of a validated table with its contract columns."""
    return table.head(rows).reset_index(drop=True)


def additions(
    table: pd.DataFrame, zones: pd.Series, scenario: Scenario, case_demand: xr.Dataset
) -> pd.DataFrame:
    """What a valid file would add to the case, next to the case's own figures.

    Returns
    -------
    pandas.DataFrame
        ``quantity``, ``upload``, ``case`` and ``share_of_case`` for vehicles, organisations,
        ZE vehicles and energy per working day (MWh) in the last projected year.
    """
    demand = project_demand(table, zones, scenario)
    year = int(demand["year"].to_numpy()[-1])
    upload = _figures(demand, year)
    case = _figures(case_demand, year)
    frame = pd.DataFrame(
        {"quantity": list(upload), "upload": list(upload.values()), "case": list(case.values())}
    )
    frame["share_of_case"] = (frame["upload"] / frame["case"].where(frame["case"] > 0)).round(3)
    frame.attrs["year"] = year
    return frame


def _figures(demand: xr.Dataset, year: int) -> dict[str, float]:
    in_year = demand.sel(year=year) if year in demand["year"].to_numpy() else demand.isel(year=-1)
    return {
        "vehicles": float(demand["vehicles_total"].sum()),
        "organisations": float(len(set(demand["organisation_id"].to_numpy().astype(str)))),
        "ze_vehicles": round(float(in_year["ze_vehicles"].sum()), 1),
        "energy_mwh_per_day": round(float(in_year["energy_kwh_per_day"].sum()) / 1000, 2),
    }
