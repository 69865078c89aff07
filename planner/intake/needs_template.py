"""A needs template to fill in: the contract's columns, what each means, and Excel's checks.

- :func:`template_workbook`: an ``.xlsx`` with a ``needs`` sheet (header, frozen, with Excel
  data validation: dropdowns for categories, fuels, yes/no and exemptions, ranges for numbers,
  times as ``hh:mm`` cells) and an ``uitleg`` (explanation) sheet.
- :func:`template_csv`: a ``;``-separated UTF-8 file (with BOM, so Excel in a Belgian locale
  opens it in columns and reads accents right) with the header and one explanation row; that row
  starts with ``#`` and is skipped when the file is read back
  (:mod:`planner.intake.needs_tolerance`).

Both round-trip: filled in, they pass ``laadplan validate``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from planner.domain import Exemption, Fuel, VehicleCategory, values
from planner.intake.needs_schema import NEEDS_COLUMNS, NUMBER_RULES, OPTIONAL_COLUMNS
from planner.intake.needs_tolerance import EXPLANATION_MARK
from validation import LaadplanError
from validation.checks import NumberRule

#: Data rows that carry Excel's checks in the workbook.
TEMPLATE_ROWS = 1000
DATA_SHEET = "needs"
EXPLANATION_SHEET = "uitleg"
YES_NO = ("ja", "nee")
TEMPLATE_FORMATS = ("xlsx", "csv")


@dataclass(frozen=True)
class ColumnHelp:
    """What to write in one column, in Dutch and English."""

    nl: str
    en: str


COLUMN_HELP: dict[str, ColumnHelp] = {
    "need_id": ColumnHelp("Eigen unieke code per rij", "Your own unique id per row"),
    "organisation_id": ColumnHelp("Code van uw organisatie", "Your organisation's code"),
    "sector": ColumnHelp("Sector (vrije tekst, bv. pakjes, bouw)", "Sector (free text)"),
    "depot_id": ColumnHelp("Code van de vestiging/het depot", "Code of the depot"),
    "lat": ColumnHelp("Breedtegraad van het depot (WGS84)", "Latitude of the depot (WGS84)"),
    "lon": ColumnHelp("Lengtegraad van het depot (WGS84)", "Longitude of the depot (WGS84)"),
    "nis_code": ColumnHelp(
        "NIS-code van de gemeente (5 cijfers, geen postcode) als lat/lon leeg zijn",
        "NIS code of the municipality (5 digits, not a postcode) when lat/lon are empty",
    ),
    "vehicle_category": ColumnHelp(
        "Voertuigcategorie: N1, N2L (< 2610 kg referentiemassa), N2H, N3, T",
        "Vehicle category: N1, N2L (reference mass < 2610 kg), N2H, N3, T",
    ),
    "vehicles": ColumnHelp("Aantal voertuigen in deze groep", "Number of vehicles in the group"),
    "first_registration_year": ColumnHelp(
        "Jaar van eerste inschrijving (DEI)", "Year of first registration"
    ),
    "fuel": ColumnHelp("Brandstof", "Fuel"),
    "euro_norm": ColumnHelp(
        "Euronorm (6, VI …) of voor T de fase (IIIb, IV, V); leeg voor elektrisch",
        "Euro norm (6, VI …) or for T the stage (IIIb, IV, V); empty for electric",
    ),
    "daily_km": ColumnHelp("Kilometers per werkdag per voertuig", "Kilometres per working day"),
    "kwh_per_km": ColumnHelp(
        "Verbruik elektrisch (kWh/km), leeg = standaard per categorie",
        "Electric consumption (kWh/km), empty = default per category",
    ),
    "working_days_per_week": ColumnHelp("Werkdagen per week", "Working days per week"),
    "dwell_start": ColumnHelp(
        "Begin van de stilstand op het depot (UU:MM)", "Start of the dwell at the depot (HH:MM)"
    ),
    "dwell_end": ColumnHelp(
        "Einde van de stilstand (UU:MM, mag na middernacht)", "End of the dwell (may wrap midnight)"
    ),
    "private_terrain": ColumnHelp("Eigen terrein om te laden?", "Own terrain to charge on?"),
    "share_willing": ColumnHelp("Bereid laadpunten te delen?", "Willing to share chargers?"),
    "zes_cities": ColumnHelp(
        "NIS-codes van de ZES-steden die u bedient, gescheiden door ;",
        "NIS codes of the ZES cities served, separated by ;",
    ),
    "exemption": ColumnHelp(
        "Vrijstellingscode (leeg als niet vrijgesteld)", "Exemption code (empty if none)"
    ),
    "energy_kwh_per_day": ColumnHelp(
        "Energie per werkdag uit de lader (kWh), vervangt de schatting uit km",
        "Energy per working day from the charger (kWh), replaces the km estimate",
    ),
}

#: Closed sets offered as dropdowns.
CHOICES: dict[str, tuple[str, ...]] = {
    "vehicle_category": tuple(values(VehicleCategory)),
    "fuel": tuple(values(Fuel)),
    "private_terrain": YES_NO,
    "share_willing": YES_NO,
    "exemption": tuple(values(Exemption)),
}
TIME_COLUMNS = ("dwell_start", "dwell_end")


class TemplateError(LaadplanError):
    """A template cannot be made as asked (unknown kind or format)."""


def valid_text(column: str) -> str:
    """What is valid in a column, for the explanation."""
    if column in CHOICES:
        return ", ".join(CHOICES[column]) + (" (of leeg)" if column in OPTIONAL_COLUMNS else "")
    if column in NUMBER_RULES:
        return NUMBER_RULES[column].describe()
    if column in TIME_COLUMNS:
        return "HH:MM, 00:00–24:00"
    return "verplicht" if column not in OPTIONAL_COLUMNS else "optioneel"


def template_workbook() -> bytes:
    """The needs template as ``.xlsx`` bytes."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = DATA_SHEET
    _write_header(sheet)
    for column in NEEDS_COLUMNS:
        _add_validation(sheet, column)
    _write_explanation(book.create_sheet(EXPLANATION_SHEET))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _letter(column: str) -> str:
    return str(get_column_letter(NEEDS_COLUMNS.index(column) + 1))


def _write_header(sheet: Worksheet) -> None:
    sheet.append(list(NEEDS_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    sheet.freeze_panes = "A2"
    for column in NEEDS_COLUMNS:
        sheet.column_dimensions[_letter(column)].width = max(12, len(column) + 2)
    for column in TIME_COLUMNS:
        for row in range(2, TEMPLATE_ROWS + 2):
            sheet[f"{_letter(column)}{row}"].number_format = "hh:mm"
    for column in ("nis_code", "zes_cities", "need_id", "organisation_id", "depot_id"):
        for row in range(2, TEMPLATE_ROWS + 2):
            sheet[f"{_letter(column)}{row}"].number_format = "@"  # text: keeps codes as written


def _add_validation(sheet: Worksheet, column: str) -> None:
    validation = _validation_for(column)
    if validation is None:
        return
    help_text = COLUMN_HELP[column]
    validation.error = f"{column}: {valid_text(column)}"
    validation.errorTitle = column
    validation.prompt = help_text.nl
    validation.promptTitle = column
    validation.showErrorMessage = True
    validation.showInputMessage = True
    validation.allow_blank = column in OPTIONAL_COLUMNS or column not in CHOICES
    sheet.add_data_validation(validation)
    letter = _letter(column)
    validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")


def _validation_for(column: str) -> DataValidation | None:
    if column in CHOICES:
        return DataValidation(type="list", formula1='"' + ",".join(CHOICES[column]) + '"')
    if column in NUMBER_RULES:
        return _number_validation(NUMBER_RULES[column])
    if column in TIME_COLUMNS:
        return DataValidation(type="time", operator="between", formula1="0", formula2="1")
    if column == "nis_code":
        return DataValidation(type="textLength", operator="equal", formula1="5")
    return None


def _number_validation(rule: NumberRule) -> DataValidation:
    kind = "whole" if rule.integer else "decimal"
    low = -1e9 if rule.low is None else rule.low
    high = 1e9 if rule.high is None else rule.high
    return DataValidation(type=kind, operator="between", formula1=f"{low:g}", formula2=f"{high:g}")


def _write_explanation(sheet: Worksheet) -> None:
    sheet.append(["kolom / column", "verplicht / required", "geldig / valid", "uitleg", "help"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in NEEDS_COLUMNS:
        required = "nee / no" if column in OPTIONAL_COLUMNS else "ja / yes"
        help_text = COLUMN_HELP[column]
        sheet.append([column, required, valid_text(column), help_text.nl, help_text.en])
    sheet.append([])
    sheet.append(
        [
            "Eén rij per organisatie × depot × voertuiggroep. Lege rijen worden genegeerd. "
            "Tijden als UU:MM; ja/nee; decimale komma of punt."
        ]
    )
    for letter, width in zip("ABCDE", (24, 20, 40, 60, 60), strict=True):
        sheet.column_dimensions[letter].width = width
        for cell in sheet[letter]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def template_csv() -> bytes:
    """The needs template as ``;``-separated UTF-8 (with BOM): header and explanation row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(NEEDS_COLUMNS)
    explanation = [f"{COLUMN_HELP[c].nl} — {valid_text(c)}" for c in NEEDS_COLUMNS]
    explanation[0] = f"{EXPLANATION_MARK} {explanation[0]} (deze uitlegrij mag blijven staan)"
    writer.writerow(explanation)
    return buffer.getvalue().encode("utf-8-sig")


def needs_template(file_format: str) -> bytes:
    """The needs template in a format (``"xlsx"`` or ``"csv"``).

    Raises
    ------
    TemplateError
        For another format.
    """
    if file_format == "xlsx":
        return template_workbook()
    if file_format == "csv":
        return template_csv()
    raise TemplateError(f"unknown template format {file_format!r}; valid: xlsx, csv")


def write_needs_template(path: Path) -> Path:
    """Write the needs template; the format follows the suffix (``.xlsx`` or ``.csv``).

    Raises
    ------
    TemplateError
        When the suffix is neither.
    """
    path = Path(path)
    path.write_bytes(needs_template(path.suffix.lower().lstrip(".")))
    return path
