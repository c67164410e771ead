"""The engine functions the models call, in Python, exactly as DuckDB computes them.

Spark has none of them built in: `cts.engines.spark` registers these on the session as
functions (`cts_jaro_winkler`, ...), which the `spark__` macros call. PostgreSQL has its own
SQL and plpgsql versions (macros/engines/cts_engine_functions.sql). All are checked against the
same golden values (seeds/engines/engine_conformance.csv): in Python by
tests/python/test_engines.py, in SQL on every engine by tests/engines/.
"""

from __future__ import annotations

import datetime
import math
import unicodedata
from fractions import Fraction

from cts.pseudonym import pseudonym

__all__ = [
    "damerau_levenshtein",
    "jaro_winkler",
    "log2",
    "pseudonym",
    "strip_accents",
    "try_parse_date",
]

_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_MARKS = {"Mn", "Mc", "Me"}


def _fused_multiply_add(a: float, b: float, c: float) -> float:
    """a * b + c with one rounding, as DuckDB's x86-64 build computes the prefix bonus."""
    return float(Fraction(a) * Fraction(b) + Fraction(c))


def jaro_winkler(left: str | None, right: str | None) -> float | None:
    """DuckDB's jaro_winkler_similarity: match window max(len)/2 - 1, the prefix bonus (common
    prefix of at most 4, weight 0.1) only above a Jaro similarity of 0.7, empty strings 0."""
    if left is None or right is None:
        return None
    if not left or not right:
        return 0.0
    window = max(max(len(left), len(right)) // 2 - 1, 0)
    left_matched = [False] * len(left)
    right_matched = [False] * len(right)
    matches = 0
    for i, char in enumerate(left):
        for j in range(max(0, i - window), min(len(right), i + window + 1)):
            if not right_matched[j] and char == right[j]:
                left_matched[i] = right_matched[j] = True
                matches += 1
                break
    if not matches:
        return 0.0
    transpositions = 0
    j = 0
    for i, char in enumerate(left):
        if left_matched[i]:
            while not right_matched[j]:
                j += 1
            transpositions += char != right[j]
            j += 1
    similarity = (
        matches / len(left) + matches / len(right) + (matches - transpositions // 2) / matches
    ) / 3.0
    if similarity > 0.7:
        prefix = 0
        while prefix < min(4, len(left), len(right)) and left[prefix] == right[prefix]:
            prefix += 1
        similarity = _fused_multiply_add(prefix * 0.1, 1.0 - similarity, similarity)
    return similarity


def damerau_levenshtein(left: str | None, right: str | None) -> int | None:
    """DuckDB's damerau_levenshtein: unrestricted (adjacent transpositions also across edits)."""
    if left is None or right is None:
        return None
    if not left:
        return len(right)
    if not right:
        return len(left)
    infinity = len(left) + len(right)
    # h[i + 1][j + 1] holds the distance of left[:i] and right[:j]; row and column 0 infinity
    h = [[0] * (len(right) + 2) for _ in range(len(left) + 2)]
    h[0][0] = infinity
    for i in range(len(left) + 1):
        h[i + 1][0], h[i + 1][1] = infinity, i
    for j in range(len(right) + 1):
        h[0][j + 1], h[1][j + 1] = infinity, j
    last_row: dict[str, int] = {}
    for i in range(1, len(left) + 1):
        last_column = 0
        for j in range(1, len(right) + 1):
            k = last_row.get(right[j - 1], 0)
            l_ = last_column
            if left[i - 1] == right[j - 1]:
                cost = 0
                last_column = j
            else:
                cost = 1
            h[i + 1][j + 1] = min(
                h[i][j] + cost,
                h[i + 1][j] + 1,
                h[i][j + 1] + 1,
                h[k][l_] + (i - k - 1) + 1 + (j - l_ - 1),
            )
        last_row[left[i - 1]] = i
    return h[len(left) + 1][len(right) + 1]


def strip_accents(value: str | None) -> str | None:
    """DuckDB's strip_accents: canonical decomposition, every mark removed, composed again."""
    if value is None:
        return None
    decomposed = unicodedata.normalize("NFD", value)
    kept = "".join(c for c in decomposed if unicodedata.category(c) not in _MARKS)
    return unicodedata.normalize("NFC", kept)


def log2(value: float | None) -> float | None:
    """Base-2 logarithm, correctly rounded like DuckDB's."""
    if value is None:
        return None
    return math.log2(value)


def try_parse_date(value: str | None, date_format: str | None) -> datetime.date | None:
    """`try_strptime(value, format)::date` as DuckDB reads the formats agencies use: each number
    greedily (%Y up to 4 digits, %m %d %y up to 2), %b a three-letter month in any case, %y
    69-99 in the 1900s and 00-68 in the 2000s; None for anything else, impossible dates
    included (never an error). Surrounding spaces are ignored."""
    if value is None or date_format is None:
        return None
    value = value.strip(" ")
    at = 0
    year = month = day = None
    f = 0
    while f < len(date_format):
        if date_format[f] == "%" and f + 1 < len(date_format):
            directive = date_format[f + 1]
            f += 2
            if directive == "b":
                name = value[at : at + 3].lower()
                if name not in _MONTHS:
                    return None
                month = _MONTHS.index(name) + 1
                at += 3
                continue
            width = 4 if directive == "Y" else 2
            digits = ""
            while len(digits) < width and at < len(value) and value[at] in "0123456789":
                digits += value[at]
                at += 1
            if not digits:
                return None
            number = int(digits)
            if directive == "Y":
                year = number
            elif directive == "y":
                year = number + (1900 if number >= 69 else 2000)
            elif directive == "m":
                month = number
            elif directive == "d":
                day = number
            else:
                return None
        else:
            if at >= len(value) or value[at] != date_format[f]:
                return None
            at += 1
            f += 1
    if at < len(value) or year is None or month is None or day is None:
        return None
    try:
        return datetime.date(year, month, day)
    except ValueError:  # impossible dates, and year 0 (1 BC), which Python cannot hold
        return None
