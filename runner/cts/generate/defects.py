"""Defect rates and the defect log (truth/defects.csv).

Each rate is the probability that one opportunity (a row, a record, an agency-month; see
OPPORTUNITY) carries the defect. Every injected instance is logged with the submission, file and
line where it can be seen (blank line when the defect is an absence).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from . import dates
from .names import typo

DEFAULT_DEFECT_RATES: dict[str, float] = {
    "duplicate_row": 0.004,
    "exit_before_start": 0.003,
    "unknown_program_code": 0.002,
    "unparseable_date": 0.0015,
    "future_date": 0.0005,
    "century_dob": 0.003,
    "placeholder_sid": 0.015,
    "shared_sid": 0.004,
    "sid_typo": 0.006,
    "name_typo": 0.02,
    "name_typo_both": 0.012,
    "phonetic_spelling": 0.035,
    "missing_first_name": 0.008,
    "missing_dob": 0.008,
    "dob_replaced": 0.012,
    "nickname": 0.06,
    "surname_change": 0.02,
    "dob_day_month_swap": 0.006,
    "missing_required": 0.002,
    "orphan_activity": 0.004,
    "overlapping_spell": 0.004,
    "malformed_line": 0.0002,
    "late_record": 0.015,
    "correction": 0.035,
}
# What one opportunity of each defect is (documented in docs/synthetic_world.md).
OPPORTUNITY: dict[str, str] = {
    "duplicate_row": "row of a people, stays/movements or activity file",
    "exit_before_start": "closing row of a stay or an enrollment (end date sent)",
    "unknown_program_code": "activity row",
    "unparseable_date": "activity row",
    "future_date": "activity row",
    "century_dob": "person record (not DOC records first sent in the two-digit-year layout)",
    "placeholder_sid": "person record",
    "shared_sid": "person record",
    "sid_typo": "person record sent with a SID",
    "name_typo": "person record",
    "name_typo_both": "person record (a typo in the first name and one in the last name)",
    "phonetic_spelling": "person record (first or last name spelled as it sounds)",
    "missing_first_name": "person record",
    "missing_dob": "person record",
    "dob_replaced": "person record (another birth date, 1 to 15 years away)",
    "nickname": "person record whose first name has a common nickname",
    "surname_change": "person record of a woman (men: a tenth of the rate)",
    "dob_day_month_swap": "person record whose birth day is 1-12 and differs from the month",
    "missing_required": "row of a people, stays or activity file",
    "orphan_activity": "person record with activity",
    "overlapping_spell": "enrollment (enroll, doc) or stay followed by another (events, attend)",
    "malformed_line": "activity row",
    "late_record": "row of a people, stays/movements or activity file",
    "correction": "agency-month (resubmitted as r2, sometimes r3)",
}
PLACEHOLDER_SID = "MA000000000"


@dataclass
class Entry:
    defect: str
    role: str
    position: int | None  # row position in the final table (None: not visible in the file)
    key: str
    detail: str
    month: int | None = None  # for entries without a row (absences)
    revision: int | None = None  # a superseded revision (r1/r2 of corrected months)
    line: int | None = None
    file: str | None = None


@dataclass
class DefectLog:
    agency: str
    rates: dict[str, float]
    rng: np.random.Generator
    entries: list[Entry] = field(default_factory=list)
    opportunities: Counter = field(default_factory=Counter)
    pending: list[tuple[Entry, int]] = field(default_factory=list)  # (entry, pre-sort row)

    def choose(
        self, defect: str, eligible: np.ndarray, rng: np.random.Generator | None = None
    ) -> np.ndarray:
        """Indices (into `eligible` positions where True) picked at the defect's rate (drawn
        from `rng` when given, else from the log's generator)."""
        eligible = np.asarray(eligible, dtype=bool)
        self.opportunities[defect] += int(eligible.sum())
        rate = self.rates.get(defect, 0.0)
        if rate <= 0:
            return np.zeros(0, dtype=np.int64)
        draws = (rng or self.rng).random(len(eligible))
        return np.flatnonzero(eligible & (draws < rate))

    def before_sort(self, defect: str, role: str, row: int, key: str, detail: str) -> None:
        self.pending.append((Entry(defect, role, None, key, detail), row))

    def add(self, defect: str, role: str, position: int | None, key: str, detail: str, **kw):
        self.entries.append(Entry(defect, role, position, key, detail, **kw))

    def resolve(self, role: str, positions: np.ndarray) -> None:
        """Map rows logged before sorting to their final positions."""
        rest = []
        for entry, row in self.pending:
            if entry.role == role:
                entry.position = int(positions[row])
                self.entries.append(entry)
            else:
                rest.append((entry, row))
        self.pending = rest


# --- field-level corruptions ---------------------------------------------------------------


def sid_typo(sid: str, rng: np.random.Generator) -> str:
    digits = list(sid[2:])
    i = int(rng.integers(0, 8))
    if rng.random() < 0.5 and digits[i] != digits[i + 1]:
        digits[i], digits[i + 1] = digits[i + 1], digits[i]
    else:
        j = int(rng.integers(0, 9))
        digits[j] = str((int(digits[j]) + int(rng.integers(1, 10))) % 10)
    return sid[:2] + "".join(digits)


def unparseable_date(fmt: str, year: int, rng: np.random.Generator) -> str:
    kind = int(rng.integers(6))
    if kind == 0:
        return dates.one(year, 2, 30, fmt)
    if kind == 1:
        return dates.one(year, 13, 5, fmt) if "%b" not in fmt else f"05-MAR-{year % 100:02d}X"
    if kind == 2:
        return dates.one(year, 4, 31, fmt)
    if kind == 3:
        return ("UNKNOWN", "N/A", "TBD", "?")[int(rng.integers(4))]
    if kind == 4:
        return dates.one(0, 0, 0, fmt) if "%b" not in fmt else "00-000-0000"
    return f"{year}{int(rng.integers(1, 13)):02d}"  # truncated


def name_typo(name: str, rng: np.random.Generator) -> str:
    return typo(name, rng) if len(name) >= 3 else name + name[-1:]


def malformed(rng: np.random.Generator):
    """A line-level corruption: wrong field count or broken quoting."""
    kind = int(rng.integers(3))

    def broken(fields: list[str], delim: str) -> str:
        if kind == 0 and len(fields) > 2:  # a field lost
            return delim.join(fields[:-1])
        if kind == 1:  # an extra delimiter inside a value
            i = len(fields) // 2
            return delim.join([*fields[:i], fields[i] + delim + "X", *fields[i + 1 :]])
        i = max(1, len(fields) - 2)  # stray quote after a quoted value
        return delim.join([*fields[:i], f'"{fields[i]}"x', *fields[i + 1 :]])

    return broken, ("field lost", "extra delimiter", "broken quoting")[kind]
