"""Day numbers (days since 1970-01-01) and their rendering in each agency's date format."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .reference import FIRST_MONTH

NA = -(10**6)  # missing day
TABLE_START = int(np.datetime64("1900-01-01", "D").astype(int))
TABLE_END = int(np.datetime64("2110-12-31", "D").astype(int))
MONTH_ABBR = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d64 = np.asarray(days, dtype="int64").astype("datetime64[D]")
    months = d64.astype("datetime64[M]")
    years = months.astype("datetime64[Y]")
    y = years.astype(int) + 1970
    m = (months - years).astype(int) + 1
    d = (d64 - months).astype(int) + 1
    return y, m, d


def from_ymd(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Day numbers from year/month/day arrays (day clipped to the month's length)."""
    y = np.asarray(y, dtype="int64")
    m = np.asarray(m, dtype="int64")
    first = ((y - 1970) * 12 + (m - 1)).astype("datetime64[M]")
    nxt = first + np.timedelta64(1, "M")
    length = (nxt.astype("datetime64[D]") - first.astype("datetime64[D]")).astype(int)
    dd = np.minimum(np.asarray(d, dtype="int64"), length)
    return first.astype("datetime64[D]").astype("int64") + dd - 1


def month_index(days: np.ndarray) -> np.ndarray:
    """Reporting month index (0 = 2017-01) of day numbers."""
    d64 = np.asarray(days, dtype="int64").astype("datetime64[D]")
    return d64.astype("datetime64[M]").astype("int64") - FIRST_MONTH


def month_label(index: int) -> str:
    return str(np.datetime64(FIRST_MONTH + index, "M"))


def one(y: int, m: int, d: int, fmt: str) -> str:
    """Render year/month/day (not validated: used for impossible dates too)."""
    if fmt == "%Y-%m-%d":
        return f"{y:04d}-{m:02d}-{d:02d}"
    if fmt == "%m/%d/%Y":
        return f"{m:02d}/{d:02d}/{y:04d}"
    if fmt == "%m/%d/%y":
        return f"{m:02d}/{d:02d}/{y % 100:02d}"
    if fmt == "%d/%m/%Y":
        return f"{d:02d}/{m:02d}/{y:04d}"
    if fmt == "%m-%d-%Y":
        return f"{m:02d}-{d:02d}-{y:04d}"
    if fmt == "%Y%m%d":
        return f"{y:04d}{m:02d}{d:02d}"
    if fmt == "%d-%b-%Y":
        month = MONTH_ABBR[m - 1] if 1 <= m <= 12 else f"{m:02d}"
        return f"{d:02d}-{month}-{y:04d}"
    raise ValueError(f"unsupported date format {fmt}")


@lru_cache(maxsize=16)
def _table(fmt: str) -> np.ndarray:
    days = np.arange(TABLE_START, TABLE_END + 1)
    y, m, d = ymd(days)
    return np.array(
        [one(a, b, c, fmt) for a, b, c in zip(y.tolist(), m.tolist(), d.tolist(), strict=True)],
        dtype=object,
    )


def render(days: np.ndarray, fmt: str) -> np.ndarray:
    """Object array of formatted dates; NA (and anything out of range) renders empty."""
    days = np.asarray(days, dtype="int64")
    table = _table(fmt)
    ok = (days >= TABLE_START) & (days <= TABLE_END)
    out = np.full(days.shape, "", dtype=object)
    out[ok] = table[days[ok] - TABLE_START]
    return out
