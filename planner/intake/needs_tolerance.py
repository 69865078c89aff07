"""Reading a needs file as companies send it: Excel's forms turned into the contract's.

Before the needs schema runs, :func:`prepare_needs` turns what Excel and people write into the
contract's canonical text, and says what it read (warnings, never blocking):

- explanation rows of the template (``need_id`` starting with ``#``) are skipped;
- ``vehicle_category``, ``fuel`` and ``exemption`` match ignoring case, accents and spaces
  (``n1`` → ``N1``, ``Diesel`` → ``diesel``), with Dutch and French fuel names
  (``benzine``/``essence`` → ``petrol``, ``elektrisch`` → ``electric`` …);
- ``dwell_start``/``dwell_end`` as ``HH:MM``, ``H:MM``, ``HH:MM:SS`` and, in workbooks, Excel
  time fractions;
- numbers by the file's decimal convention, thousands separators removed; a number that reads
  two ways is refused naming both readings (:mod:`validation.tolerance`).

After preparation every number is written with a decimal point, so the prepared table is
comma-convention (``attrs["delimiter"] == ","``) whatever the file was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from planner.domain import Exemption, Fuel, VehicleCategory, values
from planner.intake.needs_schema import NUMBER_RULES
from validation.checks import NumberRule
from validation.reading import FORMAT_ATTR
from validation.report import RowIssue
from validation.tolerance import (
    canonical_choices,
    canonical_numbers,
    canonical_times,
    number_convention,
)

#: Other words for the contract's fuels (Dutch, French, English), matched like the fuels.
FUEL_SYNONYMS: dict[str, str] = {
    "gasoil": "diesel",
    "gazole": "diesel",
    "benzine": "petrol",
    "essence": "petrol",
    "gasoline": "petrol",
    "aardgas": "cng",
    "gnc": "cng",
    "elektrisch": "electric",
    "électrique": "electric",
    "bev": "electric",
    "waterstof": "hydrogen",
    "hydrogène": "hydrogen",
    "h2": "hydrogen",
    "plug-in hybride": "phev",
    "plug-in hybrid": "phev",
    "hybride rechargeable": "phev",
}
TIME_COLUMNS = ("dwell_start", "dwell_end")
#: First characters of an explanation row (the template's second row) in ``need_id``.
EXPLANATION_MARK = "#"


@dataclass
class PreparedNeeds:
    """A raw needs table in canonical text, with what was read tolerantly and what cannot be.

    Attributes
    ----------
    raw
        The table to validate (index kept: index ``i`` is file row ``i + 2``).
    warnings
        What was read differently from how it was written.
    issues
        Cells that cannot be read unambiguously (numbers that read two ways).
    """

    raw: pd.DataFrame
    warnings: list[RowIssue] = field(default_factory=list)
    issues: list[RowIssue] = field(default_factory=list)


def prepare_needs(raw: pd.DataFrame) -> PreparedNeeds:
    """Turn a raw needs table (all text, as read) into the contract's canonical text.

    A table naming a column twice is left as it is: its cells cannot be told apart, and the
    header check reports the column (:func:`validation.schema.duplicate_column_issues`).
    """
    if raw.columns.astype(str).str.strip().duplicated().any():
        return PreparedNeeds(raw.copy())
    table = _without_explanation_rows(raw)
    prepared = PreparedNeeds(table)
    _prepare_choices(prepared)
    _prepare_times(prepared, excel_fractions=raw.attrs.get(FORMAT_ATTR) == "xlsx")
    _prepare_numbers(prepared, str(raw.attrs.get("delimiter", ",")))
    prepared.raw.attrs = {**raw.attrs, "delimiter": ","}
    return prepared


def _without_explanation_rows(raw: pd.DataFrame) -> pd.DataFrame:
    if "need_id" not in raw.columns:
        return raw.copy()
    explanation = raw["need_id"].astype(str).str.startswith(EXPLANATION_MARK)
    return raw.loc[~explanation].copy()


def _prepare_choices(prepared: PreparedNeeds) -> None:
    closed_sets: dict[str, tuple[list[str], dict[str, str]]] = {
        "vehicle_category": (values(VehicleCategory), {}),
        "fuel": (values(Fuel), FUEL_SYNONYMS),
        "exemption": (values(Exemption), {}),
    }
    for column, (options, synonyms) in closed_sets.items():
        if column in prepared.raw.columns:
            read, warnings = canonical_choices(prepared.raw[column], column, options, synonyms)
            prepared.raw[column] = read
            prepared.warnings += warnings


def _prepare_times(prepared: PreparedNeeds, *, excel_fractions: bool) -> None:
    for column in TIME_COLUMNS:
        if column in prepared.raw.columns:
            read, warnings = canonical_times(
                prepared.raw[column], column, excel_fractions=excel_fractions
            )
            prepared.raw[column] = read
            prepared.warnings += warnings


def _prepare_numbers(prepared: PreparedNeeds, delimiter: str) -> None:
    convention = number_convention(prepared.raw, NUMBER_RULES, delimiter)
    for column, rule in NUMBER_RULES.items():
        if column in prepared.raw.columns:
            read, warnings, issues = canonical_numbers(
                prepared.raw[column], column, convention, _fits(rule)
            )
            prepared.raw[column] = read
            prepared.warnings += warnings
            prepared.issues += issues


def _fits(rule: NumberRule) -> Callable[[float], bool]:
    def fits(value: float) -> bool:
        if rule.integer and value != int(value):
            return False
        return bool(rule.in_range(pd.Series([value], dtype=float)).iloc[0])

    return fits
