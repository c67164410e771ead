"""The agencies' file layouts (docs/layouts.md): file names, headers, delimiters, encodings,
date formats and code values. Internal column keys map to each agency's header names."""

from __future__ import annotations

from dataclasses import dataclass, field

from .reference import DOC_V2_MONTH


@dataclass(frozen=True)
class FileSpec:
    name: str
    columns: tuple[tuple[str, str], ...]  # (header, internal key)

    @property
    def header(self) -> list[str]:
        return [h for h, _ in self.columns]

    @property
    def keys(self) -> list[str]:
        return [k for _, k in self.columns]


@dataclass(frozen=True)
class Layout:
    layout: str  # doc_v1 | doc_v2 | enroll | events | attend
    delimiter: str
    encoding: str
    date_format: str
    files: dict[str, FileSpec]  # role → file
    sex: tuple[str, str] = ("M", "F")
    race: tuple[str, ...] = ("A", "B", "I", "W", "U")  # order of reference.RACES
    ethnicity: tuple[str, str, str] = ("Y", "N", "U")
    status: tuple[str, str, str, str] = ("PRETRIAL", "SENTENCED", "CIVIL", "FEDERAL")
    release: tuple[str, ...] = ()  # words for reference.RELEASE_REASONS
    extra: dict[str, object] = field(default_factory=dict)


def _f(name: str, pairs: str) -> FileSpec:
    cols = []
    for item in pairs.split(","):
        header, _, key = item.strip().partition("=")
        cols.append((header, key))
    return FileSpec(name, tuple(cols))


RELEASE_WORDS = {
    "upper": (
        "BAILED",
        "COURT RELEASE",
        "SENTENCE EXPIRED",
        "PAROLED",
        "SENTENCED - REBOOKED",
        "TRANSFER TO DOC",
        "TRANSFER TO OTHER COUNTY",
        "DECEASED",
        "ESCAPE",
    ),
    "title": (
        "Bail",
        "Court Order",
        "End of Sentence",
        "Parole",
        "Status Change",
        "To DOC",
        "To County",
        "Death",
        "Escape",
    ),
    "short": ("BL", "CRT", "EOS", "PAR", "SEN", "DOC", "CTY", "DTH", "ESC"),
    "mixed": (
        "Bailed",
        "Released by Court",
        "Sentence Complete",
        "Paroled",
        "Sentenced",
        "Transferred to DOC",
        "Transferred",
        "Died",
        "Escaped",
    ),
}


def _people(pairs: str) -> str:
    return pairs


# --- DOC -------------------------------------------------------------------------------------
DOC_V1 = Layout(
    layout="doc_v1",
    delimiter=",",
    encoding="utf-8",
    date_format="%m/%d/%y",
    files={
        "people": _f(
            "inmates.csv",
            "COMMIT_NO=id,SID=sid,LAST_NAME=last,FIRST_NAME=first,MIDDLE_NAME=middle,DOB=dob,"
            "SEX=sex,RACE=race,HISP=eth,PCF_NO=pcf",
        ),
        "movements": _f(
            "movements.csv",
            "COMMIT_NO=id,MOVE_DATE=date,MOVE_CODE=code,MOVE_DESC=desc,FACILITY=facility,"
            "LEGAL_STATUS=status",
        ),
        "catalog": _f(
            "programs.csv", "PROG_ID=code,PROG_NAME=name,PROG_TYPE=type,FACILITY=facility"
        ),
        "activity": _f(
            "prog_enroll.csv",
            "ENROLL_ID=enroll_id,COMMIT_NO=stay_id,PROG_ID=program,ENROLL_DT=start,EXIT_DT=end,"
            "EXIT_CODE=reason_code,EXIT_DESC=reason",
        ),
    },
    ethnicity=("Y", "N", ""),
    status=("AWT", "SENT", "CIV", "FED"),
)
DOC_V2 = Layout(
    layout="doc_v2",
    delimiter="|",
    encoding="utf-8",
    date_format="%Y-%m-%d",
    files={
        "people": _f(
            "person.txt",
            "commitment_number=id,state_id=sid,name_last=last,name_first=first,"
            "name_middle=middle,birth_date=dob,gender=sex,race_code=race,ethnicity=eth,"
            "pcf_number=pcf",
        ),
        "movements": _f(
            "movement.txt",
            "commitment_number=id,movement_date=date,movement_type=code,movement_reason=desc,"
            "facility_code=facility,legal_status=status",
        ),
        "catalog": _f(
            "program.txt",
            "program_code=code,program_name=name,program_category=type,facility_code=facility",
        ),
        "activity": _f(
            "enrollment.txt",
            "enrollment_number=enroll_id,commitment_number=stay_id,program_code=program,"
            "start_date=start,end_date=end,end_reason_code=reason_code,end_reason=reason",
        ),
    },
    sex=("MALE", "FEMALE"),
    ethnicity=("HISPANIC", "NON-HISPANIC", "UNKNOWN"),
    status=("AWAITING TRIAL", "SENTENCED", "CIVIL", "FEDERAL"),
)
DOC_EXIT_CODES = {
    "COMPLETED": "CMP",
    "MAX_BENEFIT": "MXB",
    "REMOVED_NONCOMPLIANCE": "DRP",
    "REMOVED_BEHAVIOR": "DSC",
    "WITHDREW_REFUSED": "WTH",
    "ESCAPE_ABSCOND": "ESC",
    "RELEASED_FROM_CUSTODY": "REL",
    "TRANSFERRED_FACILITY": "TRN",
    "PROGRAM_CHANGE": "PCH",
    "PROGRAM_ENDED": "PEN",
    "MEDICAL_MH": "MED",
    "DECEASED": "DTH",
    "UNKNOWN": "",
}
DOC_EXIT_DESC = {
    "COMPLETED": ("COMPLETED PROGRAM", "SUCCESSFUL COMPLETION", "GRADUATED"),
    "MAX_BENEFIT": ("MAXIMUM BENEFIT",),
    "REMOVED_NONCOMPLIANCE": ("DROPPED - NON COMPLIANCE", "POOR ATTENDANCE"),
    "REMOVED_BEHAVIOR": ("DISCIPLINARY REMOVAL", "D-REPORT REMOVAL"),
    "WITHDREW_REFUSED": ("WITHDREW", "REFUSED"),
    "ESCAPE_ABSCOND": ("ESCAPE",),
    "RELEASED_FROM_CUSTODY": ("PRISON RELEASE", "RELEASED", "PAROLED"),
    "TRANSFERRED_FACILITY": ("TRANSFERRED", "INSTITUTIONAL TRANSFER"),
    "PROGRAM_CHANGE": ("PROGRAM CHANGE", "JOB CHANGE"),
    "PROGRAM_ENDED": ("PROGRAM ENDED", "PROGRAM CANCELLED"),
    "MEDICAL_MH": ("MEDICAL", "MENTAL HEALTH"),
    "DECEASED": ("DECEASED",),
    "UNKNOWN": ("", "", "UNKNOWN"),
}
# DOC movement codes (docs/layouts.md) and their free-text descriptions.
DOC_MOVES = {
    "ADM": ("NEW COMMITMENT", "New court commitment"),
    "PVA": ("PAROLE VIOLATOR", "Parole violation return"),
    "TRI": ("TRANSFER IN FROM COUNTY", "Transfer in"),
    "TRF": ("INSTITUTIONAL TRANSFER", "Transfer between facilities"),
    "REL": ("EXPIRATION OF SENTENCE", "Released - wrap up"),
    "PAR": ("PAROLED", "Released to parole"),
    "CRT": ("RELEASED BY COURT", "Court release"),
    "DTH": ("DECEASED", "Death"),
    "ESC": ("ESCAPE", "Escaped"),
    "TRO": ("TRANSFER OUT", "Transfer to county/other state"),
}


def doc_layout(month: int) -> Layout:
    return DOC_V1 if month < DOC_V2_MONTH else DOC_V2


# --- enroll: SUF, WOR, ESS, NOR, DUK ---------------------------------------------------------
ENROLL_EXIT_TEXT = {
    "COMPLETED": ("SUCCESSFUL COMPLETION", "Completed", "COMPLETED", "Successfully Completed"),
    "MAX_BENEFIT": ("MAXIMUM BENEFIT", "Max Benefit", "Maximum Benefit Achieved"),
    "REMOVED_BEHAVIOR": ("DISCIPLINARY REMOVAL", "Removed - Disciplinary", "Removed for behavior"),
    "REMOVED_NONCOMPLIANCE": ("Removed - Non-Compliance", "NON-COMPLIANCE", "Non Compliant"),
    "WITHDREW_REFUSED": ("Refused", "Withdrew", "WITHDREW", "Voluntary Withdrawal"),
    "ESCAPE_ABSCOND": ("Escape", "ESCAPED", "Walkaway"),
    "RELEASED_FROM_CUSTODY": ("PRISON RELEASE", "Released", "Bailed", "RELEASED", "Discharged"),
    "TRANSFERRED_FACILITY": ("Transferred", "TRANSFER", "Transferred to another facility"),
    "PROGRAM_CHANGE": ("Program Change", "Changed programs", "PROGRAM CHANGE"),
    "PROGRAM_ENDED": ("Program Ended", "Program Cancelled", "PROGRAM ENDED"),
    "MEDICAL_MH": ("Medical", "MEDICAL", "Medical/Mental Health"),
    "DECEASED": ("Deceased", "DECEASED"),
    "OTHER_KNOWN": ("Other", "See notes", "Court order"),
    "UNKNOWN": ("", "Unknown", "UNKNOWN", "unk"),
}


def _enroll(
    people: str,
    stays: str,
    catalog: str,
    activity: str,
    names: tuple[str, str, str, str],
    delimiter: str,
    encoding: str,
    date_format: str,
    **codes,
) -> Layout:
    return Layout(
        layout="enroll",
        delimiter=delimiter,
        encoding=encoding,
        date_format=date_format,
        files={
            "people": _f(names[0], people),
            "stays": _f(names[1], stays),
            "catalog": _f(names[2], catalog),
            "activity": _f(names[3], activity),
        },
        **codes,
    )


LAYOUTS: dict[str, Layout] = {
    "SUF": _enroll(
        "inmate_id=id,sid=sid,last_name=last,first_name=first,middle_name=middle,dob=dob,"
        "sex=sex,race=race,ethnicity=eth",
        "booking_no=stay_id,inmate_id=person_id,facility=facility,booking_date=start,"
        "release_date=end,custody_status=status,release_reason=reason",
        "program_code=code,program_name=name,program_type=type,facility=facility",
        "enrollment_id=enroll_id,booking_no=stay_id,program_code=program,start_date=start,"
        "end_date=end,exit_reason=reason",
        ("inmates.csv", "bookings.csv", "programs.csv", "enrollments.csv"),
        ",",
        "utf-8",
        "%Y-%m-%d",
        ethnicity=("H", "N", "U"),
        release=RELEASE_WORDS["upper"],
    ),
    "WOR": _enroll(
        "person_no=id,state_id=sid,lname=last,fname=first,mname=middle,birth_date=dob,"
        "gender=sex,race=race,hispanic=eth",
        "booking_no=stay_id,person_no=person_id,facility=facility,admit_date=start,"
        "release_date=end,status=status,release_type=reason",
        "prog_code=code,prog_name=name,prog_type=type,facility=facility",
        "enroll_no=enroll_id,booking_no=stay_id,prog_code=program,enroll_date=start,"
        "exit_date=end,exit_reason=reason",
        ("people.csv", "bookings.csv", "programs.csv", "enrollments.csv"),
        ",",
        "utf-8",
        "%m/%d/%Y",
        sex=("Male", "Female"),
        race=("Asian", "Black", "American Indian", "White", "Unknown"),
        ethnicity=("Y", "N", ""),
        status=("Pre-Trial", "Sentenced", "Civil", "Federal"),
        release=RELEASE_WORDS["title"],
    ),
    "ESS": _enroll(
        "INMATE_NUM=id,SID_NUM=sid,LAST_NAME=last,FIRST_NAME=first,MIDDLE_NAME=middle,DOB=dob,"
        "SEX=sex,RACE=race,ETHNIC=eth",
        "BOOKING_NUM=stay_id,INMATE_NUM=person_id,FACILITY=facility,BOOK_DATE=start,"
        "REL_DATE=end,LEGAL_STATUS=status,REL_REASON=reason",
        "PROGRAM_ID=code,PROGRAM_NAME=name,PROGRAM_TYPE=type,FACILITY=facility",
        "ENROLL_ID=enroll_id,BOOKING_NUM=stay_id,PROGRAM_ID=program,START_DT=start,END_DT=end,"
        "EXIT_REASON=reason",
        ("inmates.txt", "bookings.txt", "programs.txt", "enrollments.txt"),
        "\t",
        "cp1252",
        "%d-%b-%Y",
        ethnicity=("HISP", "NONHISP", "UNK"),
        status=("AWAITING TRIAL", "SENTENCED", "CIVIL", "FED"),
        release=RELEASE_WORDS["upper"],
    ),
    "NOR": _enroll(
        "PersonID=id,SID=sid,LastName=last,FirstName=first,MiddleName=middle,"
        "DateOfBirth=dob,Sex=sex,Race=race,Ethnicity=eth",
        "CommitmentID=stay_id,PersonID=person_id,Facility=facility,AdmitDate=start,"
        "ReleaseDate=end,CustodyStatus=status,ReleaseReason=reason",
        "ProgramCode=code,ProgramName=name,ProgramType=type,Facility=facility",
        "EnrollmentID=enroll_id,CommitmentID=stay_id,ProgramCode=program,StartDate=start,"
        "EndDate=end,ExitReason=reason",
        ("persons.psv", "commitments.psv", "programs.psv", "enrollments.psv"),
        "|",
        "utf-8",
        "%Y%m%d",
        sex=("1", "2"),
        race=("ASIAN/PI", "BLACK", "NATIVE AM", "WHITE", "UNK"),
        status=("PT", "SENT", "CIV", "FED"),
        release=RELEASE_WORDS["short"],
    ),
    "DUK": _enroll(
        "inmate_no=id,sid=sid,last=last,first=first,middle=middle,dob=dob,sex=sex,race=race,"
        "hispanic=eth",
        "booking_no=stay_id,inmate_no=person_id,facility=facility,booking_date=start,"
        "release_date=end,status=status,release_reason=reason",
        "program_code=code,program_name=name,program_type=type,facility=facility",
        "enrollment_id=enroll_id,booking_no=stay_id,program_code=program,start_date=start,"
        "end_date=end,exit_reason=reason",
        ("inmates.csv", "bookings.csv", "programs.csv", "enrollments.csv"),
        ",",
        "utf-8",
        "%m/%d/%Y",
        ethnicity=("Y", "N", ""),
        status=("Pretrial", "Sentenced", "", ""),  # civil/federal holds do not occur at DUK
        release=RELEASE_WORDS["mixed"],
    ),
}

# --- events: HMD, BRI, PLY, BAR --------------------------------------------------------------
EVENT_FILES = {
    "people": _f(
        "persons.csv",
        "person_id=id,sid=sid,last_name=last,first_name=first,middle_name=middle,"
        "date_of_birth=dob,sex=sex,race=race,ethnicity=eth",
    ),
    "stays": _f(
        "stays.csv",
        "stay_id=stay_id,person_id=person_id,facility=facility,admission_date=start,"
        "release_date=end,legal_status=status,release_reason=reason,sending_agency=sending",
    ),
    "catalog": _f(
        "program_list.csv", "program_id=code,program_title=name,program_area=type,location=facility"
    ),
    "activity": _f(
        "program_events.csv",
        "event_id=event_id,person_id=person_id,stay_id=stay_id,program_id=program,"
        "event_date=date,event_type=type,event_reason=reason",
    ),
}
EVENT_TYPES = (
    "REFERRED",
    "STARTED",
    "SUSPENDED",
    "RESUMED",
    "COMPLETED",
    "REMOVED",
    "WITHDRAWN",
    "RELEASED",
    "TRANSFERRED",
    "ENDED",
)
EVENT_CODES = {
    "HMD": EVENT_TYPES,
    "BRI": ("10", "20", "30", "35", "40", "50", "55", "60", "65", "70"),
    "PLY": ("REF", "STA", "SUS", "RES", "CMP", "REM", "WDR", "REL", "TRF", "END"),
    "BAR": ("REF", "STA", "SUS", "RES", "CMP", "REM", "WDR", "REL", "TRF", "END"),
}
# Terminal event (type, reasons) per exit reason. OTHER_KNOWN/UNKNOWN are not sent by these
# agencies (their systems force a terminal type); the generator maps them to PROGRAM_ENDED.
EVENT_EXIT = {
    "COMPLETED": ("COMPLETED", ("", "", "Successful completion")),
    "MAX_BENEFIT": ("COMPLETED", ("Maximum benefit",)),
    "REMOVED_BEHAVIOR": ("REMOVED", ("Disciplinary", "Disciplinary removal")),
    "REMOVED_NONCOMPLIANCE": ("REMOVED", ("Non-compliance", "Noncompliant")),
    "WITHDREW_REFUSED": ("WITHDRAWN", ("", "Refused", "Withdrew")),
    "ESCAPE_ABSCOND": ("REMOVED", ("Escape",)),
    "RELEASED_FROM_CUSTODY": ("RELEASED", ("", "Released", "Bailed")),
    "TRANSFERRED_FACILITY": ("TRANSFERRED", ("", "Transferred")),
    "PROGRAM_CHANGE": ("ENDED", ("Program change",)),
    "PROGRAM_ENDED": ("ENDED", ("", "Program ended", "Program cancelled")),
    "MEDICAL_MH": ("ENDED", ("Medical",)),
    "DECEASED": ("ENDED", ("Deceased",)),
}


def _events(
    delimiter: str, encoding: str, date_format: str, sex, status, release, race=None
) -> Layout:
    kwargs = {"race": race} if race else {}
    return Layout(
        layout="events",
        delimiter=delimiter,
        encoding=encoding,
        date_format=date_format,
        files=EVENT_FILES,
        sex=sex,
        status=status,
        release=release,
        **kwargs,
    )


LAYOUTS.update(
    {
        "HMD": _events(
            ",",
            "utf-8",
            "%Y-%m-%d",
            ("M", "F"),
            ("PRE-TRIAL", "SENTENCED", "CIVIL", "FEDERAL"),
            RELEASE_WORDS["upper"],
        ),
        "BRI": _events(
            ";",
            "cp1252",
            "%d/%m/%Y",
            ("M", "F"),
            ("PT", "SEN", "CIV", "FED"),
            RELEASE_WORDS["short"],
            race=("A", "B", "I", "W", "U", "O"),
        ),
        "PLY": _events(
            ",",
            "utf-8",
            "%m/%d/%Y",
            ("Male", "Female"),
            ("Pretrial", "Sentenced", "Civil", "Federal"),
            RELEASE_WORDS["mixed"],
        ),
        "BAR": _events(
            ",",
            "utf-8",
            "%Y-%m-%d",
            ("M", "F"),
            ("PRE", "SEN", "CIV", "FED"),
            RELEASE_WORDS["title"],
        ),
    }
)

# --- attend: MID, BER, FRA, HMS --------------------------------------------------------------
ATTEND_FILES = {
    "people": _f(
        "clients.csv",
        "client_id=id,sid=sid,surname=last,given_name=first,middle_name=middle,"
        "birth_date=dob,gender=sex,race=race,hispanic_origin=eth",
    ),
    "stays": _f(
        "commitments.csv",
        "commitment_id=stay_id,client_id=person_id,facility=facility,start_date=start,"
        "end_date=end,status=status,end_reason=reason",
    ),
    "catalog": _f("courses.csv", "course_id=code,course_name=name,course_type=type,site=facility"),
    "activity": _f(
        "attendance.csv",
        "attendance_id=att_id,client_id=person_id,course_id=program,session_date=date,"
        "attended=attended",
    ),
    "exits": _f(
        "course_exits.csv",
        "exit_id=exit_id,client_id=person_id,course_id=program,exit_date=date,"
        "exit_status=status,exit_note=note",
    ),
}
ATTEND_EXIT = {
    "COMPLETED": ("CMP", ("", "Completed", "Certificate issued")),
    "MAX_BENEFIT": ("MXB", ("", "Max benefit")),
    "REMOVED_BEHAVIOR": ("REM", ("Disciplinary", "Removed - behavior")),
    "REMOVED_NONCOMPLIANCE": ("NCP", ("", "Poor attendance")),
    "WITHDREW_REFUSED": ("WTH", ("", "Refused to attend")),
    "ESCAPE_ABSCOND": ("ESC", ("",)),
    "RELEASED_FROM_CUSTODY": ("REL", ("", "Released", "Bailed")),
    "TRANSFERRED_FACILITY": ("TRN", ("", "Transferred")),
    "PROGRAM_CHANGE": ("PCH", ("", "Moved to other course")),
    "PROGRAM_ENDED": ("END", ("", "Course cancelled")),
    "MEDICAL_MH": ("MED", ("",)),
    "DECEASED": ("DEC", ("",)),
    "UNKNOWN": ("UNK", ("",)),
}
for _code, _fmt, _delim in (
    ("MID", "%m/%d/%Y", ","),
    ("BER", "%Y-%m-%d", ","),
    ("FRA", "%m/%d/%Y", "|"),
    ("HMS", "%m-%d-%Y", ","),
):
    LAYOUTS[_code] = Layout(
        layout="attend",
        delimiter=_delim,
        encoding="utf-8",
        date_format=_fmt,
        files=ATTEND_FILES,
        release=RELEASE_WORDS["mixed" if _code in ("MID", "HMS") else "title"],
    )

# Which agencies keep accents in names (the others fold to ASCII) and write names in capitals.
KEEPS_ACCENTS = {"ESS", "BRI", "SUF", "HMD", "MID"}
UPPER_NAMES = {"DOC", "ESS", "PLY", "BRI"}


def agency_layout(agency: str, month: int) -> Layout:
    return doc_layout(month) if agency == "DOC" else LAYOUTS[agency]


def roles(agency: str) -> tuple[str, ...]:
    if agency == "DOC":
        return ("people", "movements", "catalog", "activity")
    if LAYOUTS[agency].layout == "attend":
        return ("people", "stays", "catalog", "activity", "exits")
    return ("people", "stays", "catalog", "activity")
