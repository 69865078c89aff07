"""Reading cells as people and Excel write them, and saying so.

Each function takes one raw (text) column and returns the column in the contract's canonical
form together with warnings (:class:`~validation.report.RowIssue`) that name what was read
differently, so a sender sees ``'Diesel' read as 'diesel'`` rather than a refusal.  Values that
cannot be read are left as written: the schema's checks then report them.

- :func:`canonical_choices`: closed sets, case-, accent- and space-insensitive, with synonyms.
- :func:`canonical_times`: ``HH:MM``, ``H:MM``, ``HH:MM:SS`` (seconds ``00``) and, from
  workbooks, Excel time fractions (``0.8333…`` = 20:00).
- :func:`number_convention` and :func:`canonical_numbers`: decimal commas or points and
  thousands separators, by the file's own convention; a number that reads two ways in a file
  whose convention is mixed is refused naming both readings.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from validation.report import FIRST_DATA_ROW, RowIssue
from validation.timeofday import MINUTES_PER_DAY

#: Decimal marks.
POINT, COMMA = ".", ","


def fold(text: str) -> str:
    """Case-, accent-, space- and hyphen-insensitive key of a word.

    Examples
    --------
    >>> fold(" Électrique "), fold("N2-h"), fold("plug-in hybrid")
    ('electrique', 'n2h', 'pluginhybrid')
    """
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[\s\-_.]+", "", plain.casefold())


def row_list(indices: Iterable[int]) -> str:
    """File rows of data indices, with runs shortened.

    Examples
    --------
    >>> row_list([0, 1, 2, 5, 7, 8])
    'rows 2–4, 7, 9–10'
    >>> row_list([3])
    'row 5'
    """
    rows = sorted({int(index) + FIRST_DATA_ROW for index in indices})
    runs: list[list[int]] = []
    for row in rows:
        if runs and row == runs[-1][-1] + 1:
            runs[-1].append(row)
        else:
            runs.append([row])
    parts = [str(run[0]) if len(run) == 1 else f"{run[0]}–{run[-1]}" for run in runs]
    return ("rows " if len(rows) > 1 else "row ") + ", ".join(parts)


def _grouped_warnings(
    column: str, original: pd.Series, changed: pd.Series, reading: pd.Series, how: str
) -> list[RowIssue]:
    """One warning per distinct (written, read) pair, naming its rows."""
    if not changed.any():
        return []
    pairs = pd.DataFrame({"written": original[changed], "read": reading[changed]})
    warnings = []
    for (written, read), group in pairs.groupby(["written", "read"], sort=True):
        warnings.append(
            RowIssue(
                None,
                column,
                written,
                f"was read as '{read}'{how} ({row_list(group.index)})",
            )
        )
    return warnings


def canonical_choices(
    values: pd.Series,
    column: str,
    options: Sequence[str],
    synonyms: Mapping[str, str] | None = None,
) -> tuple[pd.Series, list[RowIssue]]:
    """Map each value to its option when it matches ignoring case, accents and spaces.

    Parameters
    ----------
    values
        The raw column.
    column
        Its name, for the warnings.
    options
        The canonical values.
    synonyms
        Further words (any case or accents) and the option each means, e.g.
        ``{"benzine": "petrol"}``.

    Examples
    --------
    >>> read, notes = canonical_choices(pd.Series(["Diesel", "petrol", "x"]), "fuel",
    ...                                 ["diesel", "petrol"])
    >>> read.tolist(), [n.message() for n in notes]
    (['diesel', 'petrol', 'x'], ["column 'fuel': 'Diesel' was read as 'diesel' (row 2)"])
    """
    lookup = {fold(option): option for option in options}
    lookup.update({fold(word): option for word, option in (synonyms or {}).items()})
    unique = {
        text: lookup.get(fold(text), text) if text != "" else text for text in values.unique()
    }
    read = values.map(unique)
    changed = read != values
    return read.astype(str), _grouped_warnings(column, values, changed, read, "")


_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def _clock_time(text: str) -> str | None:
    """``H:MM``, ``HH:MM`` or ``HH:MM:SS`` with zero seconds as ``HH:MM``; ``None`` otherwise."""
    match = _CLOCK.match(text)
    if match is None or (match.group(3) not in (None, "00")):
        return None
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        return None
    return f"{hours:02d}:{minutes:02d}"


def _fraction_time(text: str) -> str | None:
    """An Excel time (fraction of a day, 0 to 1) as ``HH:MM`` when it falls on a minute."""
    try:
        fraction = float(text)
    except ValueError:
        return None
    minutes = fraction * MINUTES_PER_DAY
    if not 0 <= fraction <= 1 or abs(minutes - round(minutes)) > 1e-6:
        return None
    whole = round(minutes)
    return f"{whole // 60:02d}:{whole % 60:02d}"


def canonical_times(
    values: pd.Series, column: str, *, excel_fractions: bool = False
) -> tuple[pd.Series, list[RowIssue]]:
    """Times of day as ``HH:MM``.

    Parameters
    ----------
    values
        The raw column.
    column
        Its name, for the warnings.
    excel_fractions
        Whether a number from 0 to 1 is an Excel time (only for workbooks: a time cell typed as
        a number, ``0.8333333333`` = 20:00).

    Examples
    --------
    >>> read, notes = canonical_times(pd.Series(["20:00:00", "7:30", "06:00", "0.75"]),
    ...                               "dwell_start", excel_fractions=True)
    >>> read.tolist()
    ['20:00', '07:30', '06:00', '18:00']
    >>> [note.message() for note in notes]  # doctest: +NORMALIZE_WHITESPACE
    ["column 'dwell_start': '20:00:00' was read as '20:00', as were the other times written
    so (rows 2–3)",
     "column 'dwell_start': '0.75' was read as '18:00' (an Excel time) (row 5)"]
    """
    clock = {text: _clock_time(text) or text for text in values.unique()}
    read = values.map(clock)
    fractions = pd.Series(False, index=values.index)
    if excel_fractions:
        by_fraction = {
            text: _fraction_time(text) if ":" not in text else None for text in values.unique()
        }
        as_fraction = values.map(by_fraction)
        fractions = as_fraction.notna()
        read = read.where(~fractions, as_fraction)
    changed = (read != values) & ~fractions
    warnings = _reformatted_times(column, values, changed, read)
    warnings += _grouped_warnings(column, values, fractions, read, " (an Excel time)")
    return read.astype(str), warnings


def _reformatted_times(
    column: str, original: pd.Series, changed: pd.Series, read: pd.Series
) -> list[RowIssue]:
    """One warning per column for times that only changed form (``20:00:00`` → ``20:00``)."""
    if not changed.any():
        return []
    written, first_read = original[changed].iloc[0], read[changed].iloc[0]
    others = ", as were the other times written so" if changed.sum() > 1 else ""
    rows = row_list(original.index[changed])
    return [RowIssue(None, column, written, f"was read as '{first_read}'{others} ({rows})")]


@dataclass(frozen=True)
class NumberConvention:
    """How a file writes numbers.

    Attributes
    ----------
    decimal
        The decimal mark the file uses (``"."`` or ``","``); the other mark is the thousands
        separator.
    mixed
        Whether the file shows both marks as decimals; then a number with one group of three
        digits after a mark (``1.200``, ``1,200``) reads two ways and is refused.
    """

    decimal: str
    mixed: bool = False

    @property
    def thousands(self) -> str:
        """The thousands separator."""
        return COMMA if self.decimal == POINT else POINT

    def describe(self) -> str:
        """The convention in words."""
        if self.mixed:
            return "this file uses both decimal points and decimal commas"
        name = "decimal commas" if self.decimal == COMMA else "decimal points"
        return f"this file uses {name}"


def _grouped_pattern(thousands: str, decimal: str) -> re.Pattern[str]:
    t, d = re.escape(thousands), re.escape(decimal)
    return re.compile(rf"^[-+]?[1-9]\d{{0,2}}(?:{t}\d{{3}})+(?:{d}\d+)?$")


def _plain_pattern(decimal: str) -> re.Pattern[str]:
    return re.compile(rf"^[-+]?\d*{re.escape(decimal)}?\d+$")


#: Per decimal mark: a plain number, and one grouped with the other mark.
_PLAIN = {mark: _plain_pattern(mark) for mark in (POINT, COMMA)}
_GROUPED = {POINT: _grouped_pattern(COMMA, POINT), COMMA: _grouped_pattern(POINT, COMMA)}


def _reading(text: str, decimal: str) -> float | None:
    """The value of a text under one decimal mark (the other mark grouping thousands)."""
    thousands = COMMA if decimal == POINT else POINT
    if _PLAIN[decimal].match(text):
        return float(text.replace(decimal, "."))
    if _GROUPED[decimal].match(text):
        return float(text.replace(thousands, "").replace(decimal, "."))
    return None


def _shows_decimal(text: str, decimal: str) -> bool:
    """Whether a text can only be a number with this decimal mark."""
    other = COMMA if decimal == POINT else POINT
    return _reading(text, decimal) is not None and (
        _reading(text, other) is None and decimal in text
    )


def number_convention(
    frame: pd.DataFrame, columns: Iterable[str], delimiter: str
) -> NumberConvention:
    """The decimal convention of a file, from its numeric columns.

    A comma-separated file (and a workbook) uses decimal points.  A ``;``- or tab-separated file
    uses decimal commas (Excel in Belgian locales) unless its numbers show only decimal points;
    when both show, the convention is mixed.

    Examples
    --------
    >>> frame = pd.DataFrame({"km": ["1.200", "12,5"], "lat": ["50.8798", ""]})
    >>> number_convention(frame, ["km", "lat"], ";")
    NumberConvention(decimal=',', mixed=True)
    """
    if delimiter == ",":
        return NumberConvention(POINT)
    cells = {text for column in columns if column in frame for text in frame[column].unique()}
    cells.discard("")
    comma = any(_shows_decimal(text, COMMA) for text in cells)
    point = any(_shows_decimal(text, POINT) for text in cells)
    if point and not comma:
        return NumberConvention(POINT)
    return NumberConvention(COMMA, mixed=point and comma)


def _format(value: float) -> str:
    """The shortest decimal text that reads back as the same float (no exponent below 1e15)."""
    if abs(value) >= 1e15:
        return repr(value)
    return np.format_float_positional(value, trim="-")


def canonical_numbers(
    values: pd.Series,
    column: str,
    convention: NumberConvention,
    plausible: Callable[[float], bool] = lambda _: True,
) -> tuple[pd.Series, list[RowIssue], list[RowIssue]]:
    """Numbers as plain decimal-point text, thousands separators removed.

    Parameters
    ----------
    values
        The raw column.
    column
        Its name, for messages.
    convention
        The file's convention (:func:`number_convention`).
    plausible
        Whether a value fits the column (its range): in a file of mixed convention, when a
        number reads two ways and only one reading fits, that reading is taken (with a
        warning); otherwise the file's convention decides.

    Returns
    -------
    tuple
        The column (unreadable and ambiguous cells as written), warnings (thousands separators
        read) and issues (numbers that read two ways, naming both).

    Examples
    --------
    >>> read, notes, bad = canonical_numbers(pd.Series(["1.200", "2,5", "7"]), "daily_km",
    ...                                      NumberConvention(","))
    >>> read.tolist(), len(notes), bad
    (['1200', '2.5', '7'], 1, [])
    """
    read: list[str] = []
    warnings: list[tuple[object, str, str, str]] = []
    issues: list[RowIssue] = []
    texts = values.astype(str)
    outcomes = {text: _read_number(text, convention, plausible) for text in texts.unique()}
    for index, text in zip(values.index, texts, strict=True):
        outcome = outcomes[text]
        if outcome is None or outcome[0] is None:
            read.append(text)
            if outcome is not None:
                issues.append(_ambiguous(index, column, text, convention))
            continue
        value, note = outcome[0], outcome[1]
        read.append(_format(value))
        if note:
            warnings.append((index, text, read[-1], note))
    as_read = pd.Series(read, index=values.index, dtype=str)
    return as_read, _number_warnings(column, warnings), issues


def _read_number(
    text: str, convention: NumberConvention, plausible: Callable[[float], bool]
) -> tuple[float | None, str] | None:
    """``(value, note)``; ``(None, "")`` when ambiguous; ``None`` when not a number at all."""
    own = _reading(text, convention.decimal)
    other = _reading(text, convention.thousands)
    if own is None and other is None:
        return None
    if own is None or other is None or own == other:
        if own is not None:
            grouped = convention.thousands in text
            return own, " (thousands separator)" if grouped else ""
        assert other is not None
        mark = "decimal comma" if convention.thousands == COMMA else "decimal point"
        return other, f" ({mark})" if convention.thousands in text else ""
    if not convention.mixed:  # the file's convention decides; a range check reports the rest
        return own, " (thousands separator)" if convention.thousands in text else ""
    fits = [reading for reading in (own, other) if plausible(reading)]
    if len(fits) == 1:
        return fits[0], " (the only reading in range)"
    return None, ""


def _number_warnings(column: str, readings: list[tuple[object, str, str, str]]) -> list[RowIssue]:
    if not readings:
        return []
    frame = pd.DataFrame(readings, columns=["index", "written", "read", "note"]).set_index("index")
    warnings = []
    for (written, read, note), group in frame.groupby(["written", "read", "note"], sort=True):
        warnings.append(
            RowIssue(None, column, written, f"was read as {read}{note} ({row_list(group.index)})")
        )
    return warnings


def _ambiguous(index: object, column: str, text: str, convention: NumberConvention) -> RowIssue:
    as_thousands = _reading(text, COMMA if POINT in text else POINT)
    as_decimal = _reading(text, POINT if POINT in text else COMMA)
    assert as_thousands is not None and as_decimal is not None
    mark = "'.'" if POINT in text else "','"
    return RowIssue(
        int(str(index)) + FIRST_DATA_ROW,
        column,
        text,
        f"reads two ways: {_format(as_thousands)} ({mark} as thousands separator) or "
        f"{_format(as_decimal)} ({mark} as decimal mark), and {convention.describe()}",
        f"the number without a thousands separator: {_format(as_thousands)}, "
        f"or {_format(as_decimal).replace('.', ',')} for the decimal",
    )
