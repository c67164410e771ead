"""Ground truth under out/truth/: what really happened, and every defect injected.

Workers write per-agency parts (truth/.parts/<AGENCY>-<name>.csv); the parent concatenates them in
agency order so that the result does not depend on which worker finished first.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import numpy as np

from .dates import NA, month_label, render
from .layouts import agency_layout
from .reference import (
    AGENCY_CODES,
    ETHNICITIES,
    EXIT_REASONS,
    OUTCOME_GROUP,
    RACES,
    RELEASE_REASONS,
    SEX,
    STATE_AGENCY,
    STATUSES,
    canonical_programs,
)
from .world import OPEN

ISO = "%Y-%m-%d"
HEADERS = {
    "persons": [
        "person_id",
        "first_name",
        "middle_name",
        "last_name",
        "dob",
        "sex",
        "race",
        "ethnicity",
        "sid",
        "origin",
    ],
    "records": [
        "agency_code",
        "record_kind",
        "agency_person_id",
        "person_id",
        "last_name",
        "first_name",
        "middle_name",
        "dob",
        "sid",
        "in_people_file",
    ],
    "stays": [
        "agency_code",
        "stay_id",
        "agency_person_id",
        "person_id",
        "facility_code",
        "admission_date",
        "release_date",
        "custody_status",
        "release_reason",
        "sending_agency",
    ],
    "programs": [
        "agency_code",
        "program_code",
        "program_name",
        "facility_code",
        "valid_from",
        "valid_to",
        "canonical_program_code",
        "category_code",
        "is_local_name",
    ],
    "enrollments": [
        "truth_enrollment_id",
        "agency_code",
        "agency_enrollment_id",
        "agency_person_id",
        "person_id",
        "stay_id",
        "program_code",
        "canonical_program_code",
        "category_code",
        "facility_code",
        "start_date",
        "end_date",
        "exit_reason",
        "outcome_group",
        "custody_status",
    ],
    "referrals": [
        "agency_code",
        "agency_person_id",
        "person_id",
        "stay_id",
        "program_code",
        "referral_date",
    ],
    "defects": ["defect", "agency", "submission", "file", "line", "record_key", "detail"],
}
PART_NAMES = ("records", "stays", "programs", "enrollments", "referrals", "defects")


def person_ids(index: np.ndarray) -> np.ndarray:
    return np.array([f"P{v:07d}" for v in np.asarray(index).tolist()], dtype=object)


def _write(path: Path, columns: list[np.ndarray] | list[list], header: bool = False, name=""):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if header:
        writer.writerow(HEADERS[name])
    writer.writerows(zip(*columns, strict=True))
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _iso(days: np.ndarray) -> np.ndarray:
    days = np.asarray(days, dtype=np.int64)
    return render(np.where(days >= OPEN, NA, days), ISO)


def write_agency_parts(parts: Path, code: str, **kw) -> None:
    """Write the agency's part of every truth file into `parts` (merged by `merge_parts`):
    person records, stays, programs, enrollments, referrals and defects."""
    parts.mkdir(parents=True, exist_ok=True)
    _write_records(parts, code, kw)
    first_facility = kw["stays"].facility.copy()
    segments = kw["segments"]
    if code == STATE_AGENCY:
        first_seg = np.r_[True, segments.stay[1:] != segments.stay[:-1]]
        first_facility[segments.stay[first_seg]] = segments.facility[first_seg]
    _write_stays(parts, code, kw, first_facility)
    _write_programs(parts, code, kw["offerings"])
    _write_enrollments(parts, code, kw)
    _write_referrals(parts, code, kw)
    _write(
        parts / f"{code}-defects.csv", _defect_rows(code, kw["log"], kw["tables"], kw["revisions"])
    )


STATUS_NAMES = np.array(STATUSES, dtype=object)


def _write_records(parts: Path, code: str, kw: dict) -> None:
    rec_ids, identity = kw["rec_ids"], kw["identity"]
    n_rec = len(rec_ids)
    _write(
        parts / f"{code}-records.csv",
        [
            [code] * n_rec,
            ["person"] * n_rec,
            rec_ids,
            person_ids(kw["rec_person"]),
            identity["last"],
            identity["first"],
            identity["middle"],
            _iso(identity["dob"]),
            identity["sid_latest"],
            np.where(kw["in_people"], "true", "false"),
        ],
    )


def _write_stays(parts: Path, code: str, kw: dict, first_facility: np.ndarray) -> None:
    stays = kw["stays"]
    release_names = np.array([*RELEASE_REASONS, ""], dtype=object)
    n = len(stays)
    _write(
        parts / f"{code}-stays.csv",
        [
            [code] * n,
            kw["stay_ids"],
            kw["rec_ids"][kw["rec_of_stay"]],
            person_ids(stays.person),
            kw["fac_codes"][first_facility],
            _iso(stays.start),
            _iso(stays.end),
            STATUS_NAMES[stays.status],
            release_names[np.where(stays.release < 0, len(RELEASE_REASONS), stays.release)],
            [AGENCY_CODES[s] if s >= 0 else "" for s in stays.sending.tolist()],
        ],
    )


def _write_programs(parts: Path, code: str, offerings) -> None:
    """One row per name of every program the agency offered, with the months it held it."""
    programs = canonical_programs()
    rows = []
    for o in offerings:
        for i, (start, name) in enumerate(o.versions):
            end = o.versions[i + 1][0] - 1 if i + 1 < len(o.versions) else o.last_month
            p = programs[o.canonical]
            rows.append(
                [
                    code,
                    o.code,
                    name,
                    o.facility,
                    month_label(max(start, o.first_month)),
                    month_label(end),
                    p.code,
                    p.category,
                    "true" if o.is_local else "false",
                ]
            )
    _write(parts / f"{code}-programs.csv", list(zip(*rows, strict=True)) if rows else [[]] * 9)


def _write_enrollments(parts: Path, code: str, kw: dict) -> None:
    programs = canonical_programs()
    stays, enr, off, enr_ids = kw["stays"], kw["enr"], kw["offerings"], kw["enr_ids"]
    m = len(enr)
    canon = np.array([programs[off[o].canonical].code for o in enr.offering.tolist()], object)
    cat = np.array([programs[off[o].canonical].category for o in enr.offering.tolist()], object)
    exits = np.array([*EXIT_REASONS, ""], dtype=object)[
        np.where(enr.exit < 0, len(EXIT_REASONS), enr.exit)
    ]
    outcome = np.array([OUTCOME_GROUP.get(e, "ACTIVE") for e in exits.tolist()], dtype=object)
    _write(
        parts / f"{code}-enrollments.csv",
        [
            [f"{code}-E{i:07d}" for i in range(m)],
            [code] * m,
            enr_ids if enr_ids is not None else [""] * m,
            kw["rec_ids"][kw["rec_of_stay"][enr.stay]],
            person_ids(stays.person[enr.stay]),
            kw["stay_ids"][enr.stay],
            np.array([o.code for o in off], dtype=object)[enr.offering],
            canon,
            cat,
            kw["fac_codes"][kw["segments"].facility[enr.segment]],
            _iso(enr.start),
            _iso(enr.end),
            exits,
            outcome,
            STATUS_NAMES[stays.status[enr.stay]],
        ],
    )


def _write_referrals(parts: Path, code: str, kw: dict) -> None:
    ref, stays = kw["referrals"], kw["stays"]
    k = len(ref.stay)
    _write(
        parts / f"{code}-referrals.csv",
        [
            [code] * k,
            kw["rec_ids"][kw["rec_of_stay"][ref.stay]],
            person_ids(stays.person[ref.stay]),
            kw["stay_ids"][ref.stay],
            np.array([o.code for o in kw["offerings"]], dtype=object)[ref.offering],
            _iso(ref.day),
        ],
    )


def _defect_rows(code: str, log, tables, revisions) -> list[list]:
    rows = []
    for e in log.entries:
        table = tables.get(e.role)
        if e.position is not None and table is not None:
            month = int(table.month[e.position])
            revision = len(revisions.get(month, [None]))
            line = table.line_number(e.position)
        else:
            month = e.month if e.month is not None else 0
            revision = e.revision if e.revision is not None else len(revisions.get(month, [None]))
            line = e.line
        if e.revision is not None:
            revision = e.revision
        layout = agency_layout(code, month)
        file_name = layout.files[e.role].name if e.role in layout.files else ""
        rows.append(
            [
                e.defect,
                code,
                f"{code}/{month_label(month)}/r{revision}",
                file_name,
                "" if line is None else line,
                e.key,
                e.detail,
            ]
        )
    rows.sort(key=lambda r: (r[2], r[3], r[4] if r[4] != "" else 0, r[0], r[5]))
    return [list(col) for col in zip(*rows, strict=True)] if rows else [[]] * 7


def write_persons(truth_dir: Path, persons) -> None:
    from .names import ORIGINS

    n = len(persons)
    sex = np.array(SEX, dtype=object)[persons.sex]
    race = np.array(RACES, dtype=object)[persons.race]
    eth = np.array(ETHNICITIES, dtype=object)[persons.eth]
    origin = np.array([o.code for o in ORIGINS], dtype=object)[persons.origin]
    sid = np.array([f"MA{s:09d}" if s > 0 else "" for s in persons.sid.tolist()], dtype=object)
    _write(
        truth_dir / "persons.csv",
        [
            person_ids(np.arange(n)),
            persons.first,
            persons.middle,
            persons.last,
            _iso(persons.dob),
            sex,
            race,
            eth,
            sid,
            origin,
        ],
        header=True,
        name="persons",
    )


def merge_parts(truth_dir: Path) -> dict[str, int]:
    """Concatenate per-agency parts in agency order; returns row counts per truth file."""
    parts = truth_dir / ".parts"
    counts = {}
    for name in PART_NAMES:
        target = truth_dir / f"{name}.csv"
        lines = 0
        with target.open("w", encoding="utf-8", newline="") as out:
            out.write(",".join(HEADERS[name]) + "\n")
            for code in AGENCY_CODES:
                part = parts / f"{code}-{name}.csv"
                if part.exists():
                    text = part.read_text(encoding="utf-8")
                    out.write(text)
                    lines += text.count("\n")
        counts[name] = lines
    shutil.rmtree(parts)
    return counts


def write_config(truth_dir: Path, config: dict) -> None:
    (truth_dir / "config.json").write_text(
        json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
