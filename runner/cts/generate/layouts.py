"""The agencies' file layouts (docs/layouts.md): file names, headers, delimiters, encodings,
date formats and code values, built from each agency's sources YAML (cts.generate.profiles).
Internal column keys map to each agency's header names. What is written here is shared by every
agency of a layout: the words of release reasons, exit reasons and movements."""

from __future__ import annotations

from dataclasses import dataclass, field

from .profiles import AgencyProfile, LayoutVersion, load_profiles, month_of_period


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


# --- enroll -----------------------------------------------------------------------------------
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


# --- events -----------------------------------------------------------------------------------
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


# --- attend -----------------------------------------------------------------------------------
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


def _layout(version: LayoutVersion) -> Layout:
    """One layout version of an agency, from its sources YAML."""
    first = version.files[0]
    codes = {
        name: tuple(version.codes[name])
        for name in ("sex", "race", "ethnicity", "status", "release")
        if name in version.codes
    }
    return Layout(
        layout=version.name,
        delimiter=first.delimiter,
        encoding=first.encoding,
        date_format=first.date_format,
        files={f.file_role: FileSpec(f.name, f.columns) for f in version.files},
        **codes,
    )


PROFILES: dict[str, AgencyProfile] = {p.code: p for p in load_profiles()}
# Every agency's layout versions: (first month, layout), oldest first.
VERSIONS: dict[str, tuple[tuple[int, Layout], ...]] = {
    code: tuple(
        (month_of_period(v.first_period) if v.first_period else 0, _layout(v))
        for v in profile.versions
    )
    for code, profile in PROFILES.items()
}
# Status-change event codes of the agencies that send events, in the order of EVENT_TYPES.
EVENT_CODES: dict[str, tuple[str, ...]] = {
    code: p.event_types for code, p in PROFILES.items() if p.event_types
}
# Which agencies keep accents in names (the others fold to ASCII) and write names in capitals.
KEEPS_ACCENTS = {code for code, p in PROFILES.items() if p.keeps_accents}
UPPER_NAMES = {code for code, p in PROFILES.items() if p.upper_case_names}


def agency_layout(agency: str, month: int) -> Layout:
    """The layout the agency sends in `month` (months since 2017-01)."""
    current = VERSIONS[agency][0][1]
    for first_month, layout in VERSIONS[agency]:
        if first_month <= month:
            current = layout
    return current


def roles(agency: str) -> tuple[str, ...]:
    """The generator's file roles of the agency (people, stays or movements, catalog, ...)."""
    return tuple(VERSIONS[agency][0][1].files)
