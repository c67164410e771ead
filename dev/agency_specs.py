"""One-off scaffolding: writes the per-agency sources YAML, staging models and model YAML.

The written files are the source of truth afterwards (edit them by hand); this script is kept
so a new agency of an existing layout can be scaffolded the same way:
    .venv/bin/python dev/agency_specs.py SUF   # rewrites models/staging/suf/
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

ROLE_DOCS = {
    # people
    "agency_person_id": "The agency's own person identifier (DOC: the commitment number).",
    "sid": "State Identification Number (fingerprint based), as sent.",
    "last_name": "Surname as sent.",
    "first_name": "Given name as sent.",
    "middle_name": "Middle name or initial as sent.",
    "birth_date": "Date of birth as sent (agency date format).",
    "sex": "Assigned sex in the agency's code.",
    "race": "Race in the agency's code.",
    "ethnicity": "Hispanic ethnicity in the agency's code.",
    "pcf_number": "Probation central file number.",
    # stays
    "stay_id": "The agency's identifier of one custody stay (booking or commitment).",
    "facility": "Facility code (see the facilities seed).",
    "admission_date": "Date the stay began.",
    "release_date": "Date the stay ended; blank while in custody.",
    "custody_status": "Legal status in the agency's code (pre-trial, sentenced, ...).",
    "release_reason": "Why the stay ended, free text.",
    "sending_agency": "County agency whose person is held here (Hampden women's centre).",
    # movements
    "movement_date": "Date of the movement.",
    "movement_code": "Movement code (ADM, PVA, TRI, TRF, REL, PAR, CRT, DTH, ESC, TRO).",
    "movement_description": "Movement reason, free text.",
    # programs
    "agency_program_code": "The agency's program code.",
    "agency_program_name": "The agency's program name, free text.",
    "agency_program_type": "The agency's own program type or category words.",
    # enrollments
    "enrollment_id": "The agency's identifier of one enrollment.",
    "start_date": "Program start date.",
    "end_date": "Program end (exit) date; blank while active.",
    "exit_reason_code": "Agency exit code.",
    "exit_reason": "Exit reason, free text.",
    # events
    "event_id": "The agency's identifier of one status event.",
    "event_date": "Date of the status change.",
    "event_type": "Status change type in the agency's code.",
    "event_reason": "Reason given with a terminal event, free text.",
    # attendance
    "attendance_id": "The agency's identifier of one attendance record.",
    "session_date": "Date of the program session.",
    "attended": "Y if the person attended the session, N if absent.",
    # exits
    "exit_id": "The agency's identifier of one program exit record.",
    "exit_date": "Date the person left the program.",
    "exit_status": "Exit status code.",
    "exit_note": "Free-text note on the exit.",
}

ENTITY_DOCS = {
    "people": "Person records, one row per person (DOC: per commitment) per submission.",
    "stays": "Custody stays (bookings, commitments), sent when opened and again when closed.",
    "movements": "Admissions, transfers and releases of commitments.",
    "programs": "Program catalog snapshot: every program the agency offered that month.",
    "enrollments": "Program enrollments, sent at start and again at exit.",
    "events": "Program status-change events (referred, started, suspended, completed, ...).",
    "attendance": "Program session attendance, one row per person per session.",
    "exits": "Program exits recorded separately from attendance.",
}

# entity -> ordered roles
ENTITY_ROLES = {
    "people": [
        "agency_person_id",
        "sid",
        "last_name",
        "first_name",
        "middle_name",
        "birth_date",
        "sex",
        "race",
        "ethnicity",
    ],
    "stays": [
        "stay_id",
        "agency_person_id",
        "facility",
        "admission_date",
        "release_date",
        "custody_status",
        "release_reason",
    ],
    "programs": ["agency_program_code", "agency_program_name", "agency_program_type", "facility"],
}


def snake(name: str) -> str:
    import re

    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name.strip())
    s = re.sub(r"[^0-9A-Za-z]+", "_", s).strip("_").lower()
    return re.sub(r"_+", "_", s)


def table(
    name,
    file,
    entity,
    cols,
    *,
    delimiter=",",
    encoding="utf-8",
    date_format,
    valid_from=None,
    valid_to=None,
    key=None,
):
    """cols: list of (raw header name, role)."""
    return dict(
        name=name,
        file=file,
        entity=entity,
        cols=cols,
        delimiter=delimiter,
        encoding=encoding,
        date_format=date_format,
        valid_from=valid_from,
        valid_to=valid_to,
        key=key,
    )


def doc_tables():
    v1 = dict(delimiter=",", encoding="utf-8", date_format="%m/%d/%y", valid_to="2020-06")
    v2 = dict(delimiter="|", encoding="utf-8", date_format="%Y-%m-%d", valid_from="2020-07")
    return [
        table(
            "inmates",
            "inmates.csv",
            "people",
            [
                ("COMMIT_NO", "agency_person_id"),
                ("SID", "sid"),
                ("LAST_NAME", "last_name"),
                ("FIRST_NAME", "first_name"),
                ("MIDDLE_NAME", "middle_name"),
                ("DOB", "birth_date"),
                ("SEX", "sex"),
                ("RACE", "race"),
                ("HISP", "ethnicity"),
                ("PCF_NO", "pcf_number"),
            ],
            **v1,
        ),
        table(
            "movements",
            "movements.csv",
            "movements",
            [
                ("COMMIT_NO", "agency_person_id"),
                ("MOVE_DATE", "movement_date"),
                ("MOVE_CODE", "movement_code"),
                ("MOVE_DESC", "movement_description"),
                ("FACILITY", "facility"),
                ("LEGAL_STATUS", "custody_status"),
            ],
            **v1,
        ),
        table(
            "programs",
            "programs.csv",
            "programs",
            [
                ("PROG_ID", "agency_program_code"),
                ("PROG_NAME", "agency_program_name"),
                ("PROG_TYPE", "agency_program_type"),
                ("FACILITY", "facility"),
            ],
            **v1,
        ),
        table(
            "prog_enroll",
            "prog_enroll.csv",
            "enrollments",
            [
                ("ENROLL_ID", "enrollment_id"),
                ("COMMIT_NO", "agency_person_id"),
                ("PROG_ID", "agency_program_code"),
                ("ENROLL_DT", "start_date"),
                ("EXIT_DT", "end_date"),
                ("EXIT_CODE", "exit_reason_code"),
                ("EXIT_DESC", "exit_reason"),
            ],
            **v1,
        ),
        table(
            "person",
            "person.txt",
            "people",
            [
                ("commitment_number", "agency_person_id"),
                ("state_id", "sid"),
                ("name_last", "last_name"),
                ("name_first", "first_name"),
                ("name_middle", "middle_name"),
                ("birth_date", "birth_date"),
                ("gender", "sex"),
                ("race_code", "race"),
                ("ethnicity", "ethnicity"),
                ("pcf_number", "pcf_number"),
            ],
            **v2,
        ),
        table(
            "movement",
            "movement.txt",
            "movements",
            [
                ("commitment_number", "agency_person_id"),
                ("movement_date", "movement_date"),
                ("movement_type", "movement_code"),
                ("movement_reason", "movement_description"),
                ("facility_code", "facility"),
                ("legal_status", "custody_status"),
            ],
            **v2,
        ),
        table(
            "program",
            "program.txt",
            "programs",
            [
                ("program_code", "agency_program_code"),
                ("program_name", "agency_program_name"),
                ("program_category", "agency_program_type"),
                ("facility_code", "facility"),
            ],
            **v2,
        ),
        table(
            "enrollment",
            "enrollment.txt",
            "enrollments",
            [
                ("enrollment_number", "enrollment_id"),
                ("commitment_number", "agency_person_id"),
                ("program_code", "agency_program_code"),
                ("start_date", "start_date"),
                ("end_date", "end_date"),
                ("end_reason_code", "exit_reason_code"),
                ("end_reason", "exit_reason"),
            ],
            **v2,
        ),
    ]


ENROLL = {
    # agency: (files, delimiter, encoding, date format, people, stays, programs, activity)
    "SUF": (
        ("inmates.csv", "bookings.csv", "programs.csv", "enrollments.csv"),
        ",",
        "utf-8",
        "%Y-%m-%d",
        "inmate_id sid last_name first_name middle_name dob sex race ethnicity",
        "booking_no inmate_id facility booking_date release_date custody_status release_reason",
        "program_code program_name program_type facility",
        "enrollment_id booking_no program_code start_date end_date exit_reason",
    ),
    "WOR": (
        ("people.csv", "bookings.csv", "programs.csv", "enrollments.csv"),
        ",",
        "utf-8",
        "%m/%d/%Y",
        "person_no state_id lname fname mname birth_date gender race hispanic",
        "booking_no person_no facility admit_date release_date status release_type",
        "prog_code prog_name prog_type facility",
        "enroll_no booking_no prog_code enroll_date exit_date exit_reason",
    ),
    "ESS": (
        ("inmates.txt", "bookings.txt", "programs.txt", "enrollments.txt"),
        "\t",
        "cp1252",
        "%d-%b-%Y",
        "INMATE_NUM SID_NUM LAST_NAME FIRST_NAME MIDDLE_NAME DOB SEX RACE ETHNIC",
        "BOOKING_NUM INMATE_NUM FACILITY BOOK_DATE REL_DATE LEGAL_STATUS REL_REASON",
        "PROGRAM_ID PROGRAM_NAME PROGRAM_TYPE FACILITY",
        "ENROLL_ID BOOKING_NUM PROGRAM_ID START_DT END_DT EXIT_REASON",
    ),
    "NOR": (
        ("persons.psv", "commitments.psv", "programs.psv", "enrollments.psv"),
        "|",
        "utf-8",
        "%Y%m%d",
        "PersonID SID LastName FirstName MiddleName DateOfBirth Sex Race Ethnicity",
        "CommitmentID PersonID Facility AdmitDate ReleaseDate CustodyStatus ReleaseReason",
        "ProgramCode ProgramName ProgramType Facility",
        "EnrollmentID CommitmentID ProgramCode StartDate EndDate ExitReason",
    ),
    "DUK": (
        ("inmates.csv", "bookings.csv", "programs.csv", "enrollments.csv"),
        ",",
        "utf-8",
        "%m/%d/%Y",
        "inmate_no sid last first middle dob sex race hispanic",
        "booking_no inmate_no facility booking_date release_date status release_reason",
        "program_code program_name program_type facility",
        "enrollment_id booking_no program_code start_date end_date exit_reason",
    ),
}
ENROLL_ACTIVITY_ROLES = [
    "enrollment_id",
    "stay_id",
    "agency_program_code",
    "start_date",
    "end_date",
    "exit_reason",
]

EVENTS = {
    "HMD": (",", "utf-8", "%Y-%m-%d"),
    "BRI": (";", "cp1252", "%d/%m/%Y"),
    "PLY": (",", "utf-8", "%m/%d/%Y"),
    "BAR": (",", "utf-8", "%Y-%m-%d"),
}
ATTEND = {
    "MID": (",", "%m/%d/%Y"),
    "BER": (",", "%Y-%m-%d"),
    "FRA": ("|", "%m/%d/%Y"),
    "HMS": (",", "%m-%d-%Y"),
}


def zip_roles(header: str, roles: list[str]):
    names = header.split()
    assert len(names) == len(roles), (names, roles)
    return list(zip(names, roles, strict=True))


def enroll_tables(agency):
    files, delim, enc, fmt, people, stays, programs, activity = ENROLL[agency]
    opts = dict(delimiter=delim, encoding=enc, date_format=fmt)
    return [
        table(
            Path(files[0]).stem,
            files[0],
            "people",
            zip_roles(people, ENTITY_ROLES["people"]),
            **opts,
        ),
        table(
            Path(files[1]).stem, files[1], "stays", zip_roles(stays, ENTITY_ROLES["stays"]), **opts
        ),
        table(
            Path(files[2]).stem,
            files[2],
            "programs",
            zip_roles(programs, ENTITY_ROLES["programs"]),
            **opts,
        ),
        table(
            Path(files[3]).stem,
            files[3],
            "enrollments",
            zip_roles(activity, ENROLL_ACTIVITY_ROLES),
            **opts,
        ),
    ]


def events_tables(agency):
    delim, enc, fmt = EVENTS[agency]
    opts = dict(delimiter=delim, encoding=enc, date_format=fmt)
    return [
        table(
            "persons",
            "persons.csv",
            "people",
            zip_roles(
                "person_id sid last_name first_name middle_name date_of_birth sex race ethnicity",
                ENTITY_ROLES["people"],
            ),
            **opts,
        ),
        table(
            "stays",
            "stays.csv",
            "stays",
            zip_roles(
                "stay_id person_id facility admission_date release_date legal_status "
                "release_reason sending_agency",
                ENTITY_ROLES["stays"] + ["sending_agency"],
            ),
            **opts,
        ),
        table(
            "program_list",
            "program_list.csv",
            "programs",
            zip_roles("program_id program_title program_area location", ENTITY_ROLES["programs"]),
            **opts,
        ),
        table(
            "program_events",
            "program_events.csv",
            "events",
            zip_roles(
                "event_id person_id stay_id program_id event_date event_type event_reason",
                [
                    "event_id",
                    "agency_person_id",
                    "stay_id",
                    "agency_program_code",
                    "event_date",
                    "event_type",
                    "event_reason",
                ],
            ),
            **opts,
        ),
    ]


def attend_tables(agency):
    delim, fmt = ATTEND[agency]
    opts = dict(delimiter=delim, encoding="utf-8", date_format=fmt)
    return [
        table(
            "clients",
            "clients.csv",
            "people",
            zip_roles(
                "client_id sid surname given_name middle_name birth_date gender race "
                "hispanic_origin",
                ENTITY_ROLES["people"],
            ),
            **opts,
        ),
        table(
            "commitments",
            "commitments.csv",
            "stays",
            zip_roles(
                "commitment_id client_id facility start_date end_date status end_reason",
                ENTITY_ROLES["stays"],
            ),
            **opts,
        ),
        table(
            "courses",
            "courses.csv",
            "programs",
            zip_roles("course_id course_name course_type site", ENTITY_ROLES["programs"]),
            **opts,
        ),
        table(
            "attendance",
            "attendance.csv",
            "attendance",
            zip_roles(
                "attendance_id client_id course_id session_date attended",
                [
                    "attendance_id",
                    "agency_person_id",
                    "agency_program_code",
                    "session_date",
                    "attended",
                ],
            ),
            **opts,
        ),
        table(
            "course_exits",
            "course_exits.csv",
            "exits",
            zip_roles(
                "exit_id client_id course_id exit_date exit_status exit_note",
                [
                    "exit_id",
                    "agency_person_id",
                    "agency_program_code",
                    "exit_date",
                    "exit_status",
                    "exit_reason",
                ],
            ),
            **opts,
        ),
    ]


AGENCY_NAMES = {
    "DOC": "Massachusetts Department of Correction",
    "BAR": "Barnstable County Sheriff's Office",
    "BER": "Berkshire County Sheriff's Office",
    "BRI": "Bristol County Sheriff's Office",
    "DUK": "Dukes County Sheriff's Office",
    "ESS": "Essex County Sheriff's Department",
    "FRA": "Franklin County Sheriff's Office",
    "HMD": "Hampden County Sheriff's Department",
    "HMS": "Hampshire County Sheriff's Office",
    "MID": "Middlesex Sheriff's Office",
    "NOR": "Norfolk County Sheriff's Office",
    "PLY": "Plymouth County Sheriff's Department",
    "SUF": "Suffolk County Sheriff's Department",
    "WOR": "Worcester County Sheriff's Office",
}


def agency_tables(agency):
    if agency == "DOC":
        return "doc", doc_tables()
    if agency in ENROLL:
        return "enroll", enroll_tables(agency)
    if agency in EVENTS:
        return "events", events_tables(agency)
    return "attend", attend_tables(agency)


KEY_ROLE = {
    "people": "agency_person_id",
    "stays": "stay_id",
    "movements": None,
    "programs": "agency_program_code",
    "enrollments": "enrollment_id",
    "events": "event_id",
    "attendance": "attendance_id",
    "exits": "exit_id",
}


LINEAGE = [
    "source_row_id",
    "submission_id",
    "reporting_period",
    "revision_number",
    "source_file",
    "source_line",
    "loaded_at",
    "is_latest_revision",
    "agency_code",
]
STAGING_COLUMNS = {
    "people": LINEAGE
    + [
        "agency_person_id",
        "sid",
        "pcf_number",
        "last_name",
        "first_name",
        "middle_name",
        "sex_raw",
        "race_raw",
        "ethnicity_raw",
        "birth_date",
        "birth_date_raw",
        "sex_code",
        "race_code",
        "ethnicity_code",
        "has_unknown_code",
    ],
    "stays": LINEAGE
    + [
        "stay_id",
        "agency_person_id",
        "facility_code",
        "sending_agency_code",
        "custody_status_raw",
        "release_reason_raw",
        "admission_date",
        "admission_date_raw",
        "release_date",
        "release_date_raw",
        "custody_status_code",
        "has_unknown_code",
    ],
    "movements": LINEAGE
    + [
        "agency_person_id",
        "facility_code",
        "movement_code",
        "movement_description",
        "custody_status_raw",
        "movement_date",
        "movement_date_raw",
        "custody_status_code",
        "has_unknown_code",
    ],
    "programs": LINEAGE
    + ["agency_program_code", "facility_code", "agency_program_name", "agency_program_type"],
    "enrollments": LINEAGE
    + [
        "enrollment_id",
        "stay_id",
        "agency_person_id",
        "agency_program_code",
        "exit_reason_code_raw",
        "exit_reason_raw",
        "start_date",
        "start_date_raw",
        "end_date",
        "end_date_raw",
        "exit_reason_lookup",
        "exit_reason_code",
    ],
    "events": LINEAGE
    + [
        "event_id",
        "agency_person_id",
        "stay_id",
        "agency_program_code",
        "event_type_raw",
        "event_reason_raw",
        "event_reason_lookup",
        "event_date",
        "event_date_raw",
        "event_type_code",
        "is_terminal_event",
        "exit_reason_code",
    ],
    "attendance": LINEAGE
    + [
        "attendance_id",
        "agency_person_id",
        "agency_program_code",
        "attended_raw",
        "is_attended",
        "session_date",
        "session_date_raw",
    ],
    "exits": LINEAGE
    + [
        "exit_id",
        "agency_person_id",
        "agency_program_code",
        "exit_reason_code_raw",
        "exit_reason_raw",
        "exit_date",
        "exit_date_raw",
        "exit_reason_code",
    ],
}
ACCEPTED = {
    "sex_code": ("sex_codes", "sex_code"),
    "race_code": ("race_codes", "race_code"),
    "ethnicity_code": ("ethnicity_codes", "ethnicity_code"),
    "custody_status_code": ("custody_statuses", "custody_status_code"),
    "exit_reason_code": ("exit_reasons", "exit_reason_code"),
    "agency_code": ("agencies", "agency_code"),
}


def q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_agency(agency: str) -> None:
    layout, tables = agency_tables(agency)
    low = agency.lower()
    folder = ROOT / "models" / "staging" / low
    folder.mkdir(parents=True, exist_ok=True)
    src = [
        "sources:",
        f"  - name: {low}",
        f"    description: Raw monthly submissions of the {AGENCY_NAMES[agency]}"
        f" ({agency}), layout `{layout}`, loaded as sent by `cts load`.",
        f"    schema: raw_{low}",
        f"    meta: {{agency_code: {agency}, layout: {layout}}}",
        "    loaded_at_field: _loaded_at",
        "    freshness:",
        "      warn_after: {count: 45, period: day}",
        "      error_after: {count: 100, period: day}",
        "    tables:",
    ]
    models = ["models:"]
    for t in tables:
        meta = [
            f"file: {t['file']}",
            f"delimiter: {q(t['delimiter'])}",
            f"encoding: {t['encoding']}",
            f"entity: {t['entity']}",
            f"date_format: {q(t['date_format'])}",
        ]
        if t["valid_from"]:
            meta.append(f"valid_from: {q(t['valid_from'])}")
        if t["valid_to"]:
            meta.append(f"valid_to: {q(t['valid_to'])}")
        src += (
            [
                f"      - name: {t['name']}",
                f'        description: "{ENTITY_DOCS[t["entity"]]} File `{t["file"]}`."',
                "        meta:",
            ]
            + [f"          {m}" for m in meta]
            + ["        columns:"]
        )
        for raw, role in t["cols"]:
            src += [
                f"          - name: {snake(raw)}",
                f'            description: "{ROLE_DOCS[role]}"',
                f"            meta: {{role: {role}}}",
            ]
        model = f"stg_{low}__{t['name']}"
        (folder / f"{model}.sql").write_text(
            f"{{{{ stage_{t['entity']}('{low}', '{t['name']}') }}}}\n"
        )
        models += [
            f"  - name: {model}",
            f'    description: \'{{{{ doc("stg_{t["entity"]}") }}}}'
            f" Agency {agency}, file `{t['file']}`.'",
            "    columns:",
        ]
        for column in STAGING_COLUMNS[t["entity"]]:
            models.append(f"      - name: {column}")
            models.append(f"        description: '{{{{ doc(\"{column}\") }}}}'")
            if column == "source_row_id":
                models.append("        data_tests: [unique, not_null]")
            elif column in ACCEPTED:
                seed, code_col = ACCEPTED[column]
                models += [
                    "        data_tests:",
                    "          - relationships:",
                    "              arguments:",
                    f"                to: ref('{seed}')",
                    f"                field: {code_col}",
                ]
    (folder / f"_{low}__sources.yml").write_text("\n".join(src) + "\n")
    (folder / f"_{low}__models.yml").write_text("\n".join(models) + "\n")


if __name__ == "__main__":
    for code in sys.argv[1:] or sorted(AGENCY_NAMES):
        write_agency(code)
