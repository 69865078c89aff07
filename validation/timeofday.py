"""Times of day written as ``HH:MM`` (24-hour clock)."""

from __future__ import annotations

import re

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")

MINUTES_PER_DAY = 24 * 60


def parse_hhmm(text: str) -> int:
    """Return minutes after midnight for an ``HH:MM`` time.

    ``24:00`` is accepted as the end of the day (1440 minutes).

    Raises
    ------
    ValueError
        When the text is not a valid ``HH:MM`` time.

    Examples
    --------
    >>> parse_hhmm("07:30")
    450
    >>> parse_hhmm("24:00")
    1440
    """
    value = str(text).strip()
    if value == "24:00":
        return MINUTES_PER_DAY
    match = _HHMM.match(value)
    if match is None:
        raise ValueError(f"'{text}' is not a time of day; valid: HH:MM from 00:00 to 24:00")
    return int(match.group(1)) * 60 + int(match.group(2))


def is_hhmm(text: object) -> bool:
    """Whether a value is a valid ``HH:MM`` time.

    Examples
    --------
    >>> is_hhmm("22:00"), is_hhmm("7:00"), is_hhmm("25:00")
    (True, False, False)
    """
    try:
        parse_hhmm(str(text))
    except ValueError:
        return False
    return isinstance(text, str)
