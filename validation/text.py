r"""One normalisation of text cells for every contract table, and the checks that go with it.

Every cell is put in Unicode NFC and trimmed (:func:`normalise_text`). What is then refused,
with a row issue naming row, column and value (invisible characters shown as ``\u…``):

- control characters (NUL, escape, line breaks inside a cell …), bidirectional overrides and
  isolates, zero-width characters and other invisible format characters, surrogates, line and
  paragraph separators: they make equal-looking values differ (a zero-width space got past the
  duplicate check) or text read differently from how it is stored;
- in identifier columns (``*_id``), compatibility characters such as full-width letters or
  ligatures (``ＡＢＣ`` → did you mean ``ABC``?), and a first character that makes a
  spreadsheet read the cell as a formula (``=``, ``+``, ``-``, ``@``);
- cells longer than :data:`MAX_IDENTIFIER_CHARS` (identifiers) or :data:`MAX_TEXT_CHARS`
  (any other cell): the limit is the same whatever database stores the value.
"""

from __future__ import annotations

import unicodedata

import pandas as pd

from validation.export import FORMULA_STARTS
from validation.report import FIRST_DATA_ROW, RowIssue

#: Longest identifier (``need_id``, ``site_id`` …), characters; the database columns hold 200.
MAX_IDENTIFIER_CHARS = 200
#: Longest other text cell, characters.
MAX_TEXT_CHARS = 1000
#: Unicode categories refused anywhere: control, format (bidi, zero-width), surrogate,
#: line and paragraph separators.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
#: How many issues one column may add before the rest are summarised away.
MAX_ISSUES_PER_COLUMN = 50


def normalise_text(text: str) -> str:
    r"""NFC, surrounding white space removed.

    Examples
    --------
    >>> normalise_text(" Cafe\u0301 ")
    'Café'
    """
    return unicodedata.normalize("NFC", text).strip()


def is_identifier_column(column: str) -> bool:
    """Whether a column holds identifiers (its name ends in ``_id``)."""
    return str(column).endswith("_id")


def length_limit(column: str) -> int:
    """The most characters a cell of the column may hold (identifiers or other text)."""
    return MAX_IDENTIFIER_CHARS if is_identifier_column(column) else MAX_TEXT_CHARS


def refused_characters(text: str) -> list[str]:
    r"""The characters of a text that no cell may hold.

    Examples
    --------
    >>> refused_characters("A\u200bB\x00")
    ['\u200b', '\x00']
    """
    if text.isascii() and text.isprintable():
        return []
    return [char for char in text if unicodedata.category(char) in REFUSED_CATEGORIES]


def visible(text: str) -> str:
    r"""A text with its refused characters written as escapes (``\u200b``), for messages.

    Examples
    --------
    >>> visible("A\u202eB")
    'A\\u202eB'
    """
    return "".join(
        f"\\u{ord(char):04x}" if unicodedata.category(char) in REFUSED_CATEGORIES else char
        for char in text
    )


def normalise_table(raw: pd.DataFrame) -> pd.DataFrame:
    """Every cell and column name of a raw text table normalised (:func:`normalise_text`)."""
    frame = raw.copy()
    frame.columns = [normalise_text(str(column)) for column in frame.columns]
    for position in range(frame.shape[1]):
        texts = frame.iloc[:, position].astype(str).tolist()
        frame.isetitem(position, _normalised_cells(texts))
    frame.attrs = dict(raw.attrs)
    return frame


def _normalised_cells(texts: list[str]) -> list[str]:
    """The cells of one column normalised (:func:`normalise_text`).

    A column whose text is all ASCII, as most are, needs only trimming; the cells are
    taken as Python strings in one go (a pandas string column handed them out one by one
    at about a microsecond each: 485,000 cells of the Flanders benchmark's needs).
    """
    if "".join(texts).isascii():
        return [text.strip() for text in texts]
    return [text.strip() if text.isascii() else normalise_text(text) for text in texts]


def text_issues(raw: pd.DataFrame) -> list[RowIssue]:
    """Refused characters, compatibility forms in identifiers and over-long cells.

    ``raw`` should be normalised first (:func:`normalise_table`).
    """
    issues: list[RowIssue] = []
    for column in raw.columns:
        texts = raw[column].astype(str).tolist()
        if _plain_column(str(column), texts):
            continue
        found: list[RowIssue] = []
        for index, text in zip(raw.index.tolist(), texts, strict=True):
            issue = cell_issue(str(column), text, int(str(index)) + FIRST_DATA_ROW)
            if issue is not None:
                found.append(issue)
        issues += found[:MAX_ISSUES_PER_COLUMN]
    return issues


def _plain_column(column: str, texts: list[str]) -> bool:
    r"""Whether no cell of a column can have an issue under :func:`cell_issue`.

    Printable ASCII holds no refused character and no compatibility form, so only the
    lengths and, in an identifier column, a formula's first character are left to look at;
    checked over the whole column at once, the cells of a clean column are not visited one
    by one.

    Examples
    --------
    >>> _plain_column("need_id", ["N1", "N2"]), _plain_column("need_id", ["N1", "=N2"])
    (True, False)
    >>> _plain_column("name", ["a\tb"]), _plain_column("name", ["Café"])
    (False, False)
    """
    joined = "".join(texts)
    if not (joined.isascii() and joined.isprintable()):
        return False
    identifier = is_identifier_column(column)
    if max(map(len, texts), default=0) > length_limit(column):
        return False
    return not (identifier and any(text.startswith(FORMULA_STARTS) for text in texts))


def cell_issue(column: str, text: str, row: int | None) -> RowIssue | None:
    """What is wrong with one normalised cell under the text rules, if anything."""
    identifier = is_identifier_column(column)
    limit = length_limit(column)
    if refused_characters(text):
        shown = visible(text)
        return RowIssue(
            row, column, shown[:limit], "holds invisible or control characters "
            f"({', '.join(sorted({visible(c) for c in refused_characters(text)}))})",
            "printable text without control, bidirectional or zero-width characters",
            "".join(c for c in text if not refused_characters(c)) or None,
        )  # fmt: skip
    if len(text) > limit:
        return RowIssue(
            row, column, text[:40] + "…", f"is {len(text)} characters long",
            f"at most {limit} characters", None,
        )  # fmt: skip
    if identifier and text.startswith(FORMULA_STARTS):
        return RowIssue(
            row, column, text, "starts like a spreadsheet formula",
            "an identifier starting with a letter or digit", text.lstrip("".join(FORMULA_STARTS)),
        )  # fmt: skip
    if identifier and not text.isascii():
        compatible = unicodedata.normalize("NFKC", text)
        if compatible != text:
            return RowIssue(
                row, column, text, "holds full-width or other compatibility characters",
                "an identifier in plain characters", compatible,
            )  # fmt: skip
    return None
