"""Intake figures: the texts shown for an upload's outcome."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from dashboards.i18n import t, translate_issue
from dashboards.pages.intake._business_logic import ERROR_COLUMNS, IntakeResult
from validation import RowIssue

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
        return t("intake.unreadable", lang, error=translate_issue(result.error, lang))
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


#: The column of the shown issue tables holding each issue as one line.
SHOWN_MESSAGE = "issue"


def issue_message(issue: RowIssue, lang: str) -> str:
    """One issue as one line in the language (in English exactly :meth:`RowIssue.message`).

    Examples
    --------
    >>> issue = RowIssue(3, "fuel", "diesl", "is not a fuel", "one of diesel, petrol", "diesel")
    >>> issue_message(issue, "nl")
    "rij 3, kolom 'fuel': 'diesl' is geen brandstof; geldig: een van diesel, petrol — bedoelde u \
'diesel'?"
    """
    if lang == "en":
        return issue.message()
    where = [] if issue.row is None else [t("intake.issue_row", lang, row=issue.row)]
    if issue.column is not None:
        where.append(t("intake.issue_column", lang, column=issue.column))
    text = f"{', '.join(where) or t('intake.issue_file', lang)}: "
    if issue.show_value:
        text += f"{_shown_value(issue.value, lang)} "
    text += translate_issue(issue.problem, lang)
    if issue.valid:
        text += t("intake.issue_valid", lang, valid=translate_issue(issue.valid, lang))
    if issue.suggestion is not None:
        text += t("intake.issue_did_you_mean", lang, suggestion=issue.suggestion)
    return text


def _shown_value(value: object, lang: str) -> str:
    if value is None or value == "" or (isinstance(value, float) and pd.isna(value)):
        return t("intake.issue_empty", lang)
    return repr(value) if isinstance(value, str) else f"'{value}'"


def issue_table(issues: Sequence[RowIssue], lang: str, columns: Sequence[str]) -> pd.DataFrame:
    """Issues or warnings as a table in the language (suggestions and values as written).

    Parameters
    ----------
    issues
        In the order to show them.
    lang
        ``"nl"`` translates the problem, what is valid and the message; ``"en"`` keeps them.
    columns
        The columns to keep, of ``row``, ``column``, ``value``, ``problem``, ``valid``,
        ``suggestion`` and ``message`` (shown as :data:`SHOWN_MESSAGE`: a line already in
        the language, not one of the planner's messages that tables translate).
    """
    records = [
        {
            "row": issue.row,
            "column": issue.column,
            "value": None if issue.value is None else str(issue.value),
            "problem": translate_issue(issue.problem, lang),
            "valid": None if issue.valid is None else translate_issue(issue.valid, lang),
            "suggestion": issue.suggestion,
            "message": issue_message(issue, lang),
        }
        for issue in issues
    ]
    frame = pd.DataFrame.from_records(records, columns=ERROR_COLUMNS)[list(columns)]
    return frame.rename(columns={"message": SHOWN_MESSAGE})
