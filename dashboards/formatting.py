"""Numbers, years and shares as the dashboard (and the report) write them, through Babel.

Dutch (Belgium) writes ``1.234,5``, English ``1,234.5``; a year is never grouped (``2030``,
not ``2.030`` or ``2 030``); counts of things (vehicles, chargers, sites) are whole numbers.
Plotly figures get the same separators through :func:`locale_layout`.  One module for every
page and for the regional report, so that a figure reads the same everywhere.

Examples
--------
>>> format_number(1234.5, "nl", 1), format_number(1234.5, "en", 1)
('1.234,5', '1,234.5')
>>> format_cell("year", 2030.0, "nl"), format_cell("ze_vehicles", 50.8, "nl")
('2030', '51')
>>> format_cell("unmet_kwh_per_day", 3.2, "nl")
'3,2'
"""

from __future__ import annotations

import math
import numbers
import re
from typing import Any

from babel.numbers import format_decimal, format_percent

#: Babel locale of each language.
LOCALES = {"nl": "nl_BE", "en": "en_GB"}
#: Plotly's ``separators`` (decimal, then thousands) of each language.
PLOTLY_SEPARATORS = {"nl": ",.", "en": ".,"}

#: Columns holding a year (written without grouping).
YEAR_COLUMN = re.compile(r"(^|_)year$|^year_|_year_")
#: Columns holding codes and numbers that name things (written as they are).
CODE_COLUMN = re.compile(r"(^|_)(id|code|row|slot)$")
#: Columns counting whole things: vehicles, chargers, sites, organisations …
COUNT_COLUMN = re.compile(
    r"vehicles|chargers|connectors|^sites(_|$)|organisations|^needs$|_nodes$|sites_open"
    r"|working_days|candidate_sites"
)
#: Columns holding a share between 0 and 1 (written as a percentage).
SHARE_COLUMN = re.compile(r"(^|_)share(_|$)|utilisation")


def _locale(lang: str) -> str:
    return LOCALES.get(lang, LOCALES["nl"])


def is_missing(value: object) -> bool:
    """Whether a value is empty (``None``, NaN, ``pd.NA``)."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN and pd.NA
    except TypeError:  # pd.NA compared
        return True


def format_number(value: object, lang: str = "nl", digits: int = 0) -> str:
    """A number with exactly ``digits`` decimals in the language's convention; '' when missing.

    Examples
    --------
    >>> format_number(1234567.25, "nl", 2)
    '1.234.567,25'
    >>> format_number(None, "nl")
    ''
    """
    if is_missing(value):
        return ""
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return str(format_decimal(float(str(value)), format=pattern, locale=_locale(lang)))


def format_decimal_places(value: float, lang: str = "nl", most: int = 2) -> str:
    """A number with at most ``most`` decimals, trailing zeros dropped.

    Examples
    --------
    >>> format_decimal_places(3.2, "nl"), format_decimal_places(0.125, "en", 3)
    ('3,2', '0.125')
    """
    pattern = "#,##0" + ("." + "#" * most if most > 0 else "")
    return str(format_decimal(value, format=pattern, locale=_locale(lang)))


def format_quantity(value: object, unit: str, lang: str = "nl", digits: int = 0) -> str:
    """A number and its unit, e.g. ``1.234 kWh``; '' when missing.

    Examples
    --------
    >>> format_quantity(12345.6, "kWh", "nl")
    '12.346 kWh'
    """
    text = format_number(value, lang, digits)
    return f"{text} {unit}".strip() if text else ""


def format_share(value: object, lang: str = "nl", digits: int = 0) -> str:
    r"""A share (0–1) as a percentage: ``75 %`` (Dutch) or ``75%`` (English).

    Examples
    --------
    >>> format_share(0.755, "nl", 1), format_share(0.75, "en")
    ('75,5\xa0%', '75%')
    """
    if is_missing(value):
        return ""
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "") + "%"
    text = str(format_percent(float(str(value)), format=pattern, locale=_locale(lang)))
    return text.replace("%", "\u00a0%") if lang != "en" else text


def format_year(value: object) -> str:
    """A year as four digits (``2030``); '' when missing; text that is no number unchanged.

    Examples
    --------
    >>> format_year(2030.0), format_year("2030")
    ('2030', '2030')
    """
    if is_missing(value):
        return ""
    try:
        return str(int(float(str(value))))
    except ValueError:
        return str(value)


def format_count(value: object, lang: str = "nl") -> str:
    """A count of things as a whole number (``50,8`` vehicles are shown as ``51``)."""
    return format_number(value, lang, 0)


def format_cell(column: str, value: Any, lang: str = "nl") -> str:
    r"""A table cell as shown: by the column's kind (year, code, count, share) or the value's.

    Examples
    --------
    >>> format_cell("nis_code", 24062, "nl"), format_cell("utilisation", 0.5, "nl")
    ('24062', '50\xa0%')
    >>> format_cell("energy_kwh_per_day", 1234.56, "nl"), format_cell("peak_kw", 7.25, "en")
    ('1.234,6', '7.25')
    """
    if is_missing(value):
        return ""
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        return str(value)
    if YEAR_COLUMN.search(column) or CODE_COLUMN.search(column):
        return format_year(value)
    if COUNT_COLUMN.search(column) or column.isdigit():  # a column per year holds counts
        return format_count(value, lang)
    if SHARE_COLUMN.search(column):
        return format_share(value, lang)
    return format_plain(float(value), lang)  # type: ignore[arg-type]


def format_plain(value: float, lang: str = "nl") -> str:
    """A measured value: whole numbers as such, else 1 decimal from 10 on, else 2.

    Examples
    --------
    >>> format_plain(1500.0, "nl"), format_plain(52.25, "nl"), format_plain(0.125, "nl")
    ('1.500', '52,2', '0,12')
    """
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if value == round(value):
        return format_number(value, lang, 0)
    return format_decimal_places(value, lang, 1 if abs(value) >= 10 else 2)


def locale_layout(lang: str) -> dict[str, Any]:
    """Plotly layout settings that write numbers in the language (``separators``)."""
    return {"separators": PLOTLY_SEPARATORS.get(lang, PLOTLY_SEPARATORS["nl"])}


#: Decimal numbers inside a sentence (``10.66 km``), not parts of ids or dates.
_DECIMAL_IN_TEXT = re.compile(r"(?<![\w.])(\d+)\.(\d+)(?![\w.])")


def localise_decimals(text: str, lang: str) -> str:
    """Decimal points of numbers inside a sentence as the language writes them.

    Examples
    --------
    >>> localise_decimals("nearest site 10.66 km, limit 10 km (gap 0.10%)", "nl")
    'nearest site 10,66 km, limit 10 km (gap 0,10%)'
    """
    if lang == "en":
        return text
    return _DECIMAL_IN_TEXT.sub(r"\1,\2", text)
