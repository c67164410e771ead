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

# Day numbers are days since 1970-01-01 (numpy datetime64[D] as int).
WINDOW_START = int(np.datetime64("2017-01-01", "D").astype(int))
WINDOW_END = int(np.datetime64("2025-12-31", "D").astype(int))
FIRST_MONTH = int(np.datetime64("2017-01", "M").astype(int))  # months since 1970-01
N_MONTHS = 108  # 2017-01 .. 2025-12
DOC_V2_MONTH = int(np.datetime64("2020-07", "M").astype(int)) - FIRST_MONTH  # month index 42


def day(text: str) -> int:
    return int(np.datetime64(text, "D").astype(int))


@dataclass(frozen=True)
class Agency:
    code: str
    name: str
    layout: str  # doc | enroll | events | attend
    admissions: float  # sheriff admissions per year at full scale (2024 level); DOC: commitments
    catalog_size: int  # distinct program offerings at full scale


# Admission volumes are proportioned on public figures (≈28k sheriff admissions in 2024; the
# large counties are Suffolk, Middlesex, Hampden, Bristol, Worcester and Essex; Dukes is tiny).
AGENCIES: tuple[Agency, ...] = (
    Agency("DOC", "Massachusetts Department of Correction", "doc", 1500, 175),
    Agency("BAR", "Barnstable County Sheriff's Office", "events", 1000, 70),
    Agency("BER", "Berkshire County Sheriff's Office", "attend", 700, 55),
    Agency("BRI", "Bristol County Sheriff's Office", "events", 3300, 105),
    Agency("DUK", "Dukes County Sheriff's Office", "enroll", 110, 24),
    Agency("ESS", "Essex County Sheriff's Department", "enroll", 3000, 110),
    Agency("FRA", "Franklin County Sheriff's Office", "attend", 520, 55),
    Agency("HMD", "Hampden County Sheriff's Department", "events", 3300, 120),
    Agency("HMS", "Hampshire County Sheriff's Office", "attend", 520, 50),
    Agency("MID", "Middlesex Sheriff's Office", "attend", 3500, 110),
    Agency("NOR", "Norfolk County Sheriff's Office", "enroll", 1300, 70),
    Agency("PLY", "Plymouth County Sheriff's Department", "events", 1900, 85),
    Agency("SUF", "Suffolk County Sheriff's Department", "enroll", 5600, 130),
    Agency("WOR", "Worcester County Sheriff's Office", "enroll", 3300, 105),
)
AGENCY_CODES: tuple[str, ...] = tuple(a.code for a in AGENCIES)
AGENCY_INDEX: dict[str, int] = {a.code: i for i, a in enumerate(AGENCIES)}
SHERIFFS: tuple[str, ...] = tuple(a.code for a in AGENCIES if a.code != "DOC")
# Counties whose women are held at Hampden's Western Mass Regional Women's Correctional Center.
WMRWCC_SENDERS: tuple[str, ...] = ("BER", "FRA", "HMS")

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
    here = Path(__file__).resolve()
    for directory in here.parents:
        candidate = directory / "seeds" / "reference"
        if (candidate / "canonical_programs.csv").is_file():
            return candidate
    raise FileNotFoundError("seeds/reference/canonical_programs.csv not found above the package")


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
