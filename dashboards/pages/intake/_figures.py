"""Intake figures: the texts shown for an upload's outcome."""

from __future__ import annotations

import pandas as pd

from dashboards.i18n import t
from dashboards.pages.intake._business_logic import IntakeResult

QUANTITY_KEYS = {
    "vehicles": "q.vehicles",
    "organisations": "intake.organisations",
    "ze_vehicles": "intake.ze_2035",
    "energy_mwh_per_day": "intake.energy_2035",
}


def outcome_text(result: IntakeResult, lang: str) -> str:
    """One line saying whether the file is valid, cannot be read, or how many rows are bad."""
    if result.error.startswith("wrong_type:"):
        return t("intake.wrong_type", lang, name=result.error.split(":", 1)[1])
    if result.report is None:
        return t("intake.unreadable", lang, error=result.error)
    report = result.report
    if result.valid:
        return t("intake.valid", lang, rows=report.rows_checked)
    return t(
        "intake.invalid",
        lang,
        problems=len(report.issues),
        bad_rows=len(report.bad_rows),
        rows=report.rows_checked,
    )


#: Quantities that count whole things (shown without decimals).
COUNTED = ("vehicles", "organisations", "ze_vehicles")


def additions_table(additions: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The additions with their quantities named in the language; vehicles as whole numbers."""
    year = additions.attrs.get("year", "")
    names = [t(QUANTITY_KEYS[q], lang, year=year) for q in additions["quantity"]]
    counted = additions["quantity"].isin(COUNTED)
    table = additions.astype({"upload": object, "case": object})
    for column in ("upload", "case"):
        table.loc[counted, column] = [round(float(v)) for v in additions.loc[counted, column]]
    return table.assign(quantity=names)
