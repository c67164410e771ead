"""Reference data: agencies, their layouts and sizes, facilities and the canonical catalog.

The canonical catalog and the facility list live in the dbt seeds (`seeds/reference/`); the
generator reads the same files so that the pipeline and the generator share one definition.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .profiles import AgencyProfile, ProfileError, load_profiles, month_of_period, project_dir

# Day numbers are days since 1970-01-01 (numpy datetime64[D] as int).
WINDOW_START = int(np.datetime64("2017-01-01", "D").astype(int))
WINDOW_END = int(np.datetime64("2025-12-31", "D").astype(int))
FIRST_MONTH = int(np.datetime64("2017-01", "M").astype(int))  # months since 1970-01
N_MONTHS = 108  # 2017-01 .. 2025-12


def day(text: str) -> int:
    return int(np.datetime64(text, "D").astype(int))


# The agencies that hold people, in the order of the agencies seed, each with its layout, sizes
# and files from its sources YAML (cts.generate.profiles): nothing here names an agency.
AGENCIES: tuple[AgencyProfile, ...] = load_profiles()
AGENCY_CODES: tuple[str, ...] = tuple(a.code for a in AGENCIES)
AGENCY_INDEX: dict[str, int] = {a.code: i for i, a in enumerate(AGENCIES)}
# The state prison system (agency type STATE): commitment-keyed, receives county transfers.
_STATE = [a.code for a in AGENCIES if a.is_state]
if len(_STATE) != 1:
    raise ProfileError(f"expected one state agency holding people, found {len(_STATE)}")
STATE_AGENCY: str = _STATE[0]
SHERIFFS: tuple[str, ...] = tuple(a.code for a in AGENCIES if not a.is_state)
# The month (index) the state agency's layout changed: its last layout version's first month.
DOC_V2_MONTH = max(
    (
        month_of_period(v.first_period)
        for v in AGENCIES[AGENCY_INDEX[STATE_AGENCY]].versions
        if v.first_period
    ),
    default=0,
)

SEX = ("M", "F")
RACES = ("A", "B", "I", "W", "U")
ETHNICITIES = ("Y", "N", "U")
STATUSES = ("PRETRIAL", "SENTENCED", "CIVIL", "FEDERAL")
PRETRIAL, SENTENCED, CIVIL, FEDERAL = range(4)

CATEGORIES = (
    "EDUCATION",
    "VOCATIONAL",
    "WORK",
    "SUBSTANCE_USE",
    "BEHAVIORAL_HEALTH",
    "COGNITIVE_BEHAVIORAL",
    "VIOLENCE_ANGER",
    "REENTRY",
    "FAMILY_PARENTING",
    "LIFE_SKILLS_WELLNESS",
    "MENTORSHIP",
    "RELIGIOUS",
    "COMMUNITY_REINVESTMENT",
)

# Exit reasons (DOMAIN.md §4) and their outcome groups.
EXIT_REASONS = (
    "COMPLETED",
    "MAX_BENEFIT",
    "REMOVED_BEHAVIOR",
    "REMOVED_NONCOMPLIANCE",
    "WITHDREW_REFUSED",
    "ESCAPE_ABSCOND",
    "RELEASED_FROM_CUSTODY",
    "TRANSFERRED_FACILITY",
    "PROGRAM_CHANGE",
    "PROGRAM_ENDED",
    "MEDICAL_MH",
    "DECEASED",
    "OTHER_KNOWN",
    "UNKNOWN",
)
EXIT_INDEX = {code: i for i, code in enumerate(EXIT_REASONS)}
OUTCOME_GROUP = {
    "COMPLETED": "SUCCESSFUL",
    "MAX_BENEFIT": "SUCCESSFUL",
    "REMOVED_BEHAVIOR": "UNSUCCESSFUL",
    "REMOVED_NONCOMPLIANCE": "UNSUCCESSFUL",
    "WITHDREW_REFUSED": "UNSUCCESSFUL",
    "ESCAPE_ABSCOND": "UNSUCCESSFUL",
    "RELEASED_FROM_CUSTODY": "ADMINISTRATIVE",
    "TRANSFERRED_FACILITY": "ADMINISTRATIVE",
    "PROGRAM_CHANGE": "ADMINISTRATIVE",
    "PROGRAM_ENDED": "ADMINISTRATIVE",
    "MEDICAL_MH": "ADMINISTRATIVE",
    "DECEASED": "ADMINISTRATIVE",
    "OTHER_KNOWN": "UNKNOWN",
    "UNKNOWN": "UNKNOWN",
}

# Stay release reasons (internal codes; each layout words them its own way).
RELEASE_REASONS = (
    "BAIL",  # bailed / released on recognizance
    "COURT",  # released by court (dismissed, time served, probation)
    "EXPIRED",  # sentence served
    "PAROLE",
    "STATUS_CHANGE",  # new booking after sentencing at the same agency
    "TO_DOC",  # transferred to the Department of Correction
    "TO_COUNTY",  # transferred to a county
    "DIED",
    "ESCAPE",
)
REL = {code: i for i, code in enumerate(RELEASE_REASONS)}


@dataclass(frozen=True)
class Facility:
    code: str
    agency: str
    name: str
    kind: str
    opened: int | None
    closed: int | None


@dataclass(frozen=True)
class CanonicalProgram:
    code: str
    name: str
    category: str
    aliases: tuple[str, ...]
    duration: int
    evidence_based: bool


def seeds_dir() -> Path:
    candidate = project_dir() / "seeds" / "reference"
    if not (candidate / "canonical_programs.csv").is_file():
        raise FileNotFoundError(f"{candidate}/canonical_programs.csv not found")
    return candidate


@lru_cache(maxsize=1)
def canonical_programs() -> tuple[CanonicalProgram, ...]:
    with (seeds_dir() / "canonical_programs.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return tuple(
        CanonicalProgram(
            code=row["canonical_program_code"],
            name=row["canonical_program_name"],
            category=row["category_code"],
            aliases=tuple(a for a in row["aliases"].split("|") if a),
            duration=int(row["typical_duration_days"]),
            evidence_based=row["is_evidence_based"] == "true",
        )
        for row in rows
    )


@lru_cache(maxsize=1)
def facilities() -> tuple[Facility, ...]:
    with (seeds_dir() / "facilities.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return tuple(
        Facility(
            code=row["facility_code"],
            agency=row["agency_code"],
            name=row["facility_name"],
            kind=row["facility_type"],
            opened=day(row["opened_date"]) if row["opened_date"] else None,
            closed=day(row["closed_date"]) if row["closed_date"] else None,
        )
        for row in rows
    )


def facility_codes() -> tuple[str, ...]:
    return tuple(f.code for f in facilities())


def facility_index() -> dict[str, int]:
    return {code: i for i, code in enumerate(facility_codes())}
