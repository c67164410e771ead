"""The agencies the generator simulates, read from the project: which agencies hold people and
their names (`seeds/reference/agencies.csv`), and for each its files, headers, delimiter,
encoding, date format and code values (its sources YAML, `models/staging/<agency>/`), the
same files the loader checks submissions against. Settings that only synthetic data needs
(sizes, identifier formats, catalog style, facility rules) sit in the source's
`meta.generate` block. Nothing here names an agency (docs/adding_an_agency.md).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

from cts.paths import find_project_root

# The generator's role of a file and its internal column keys, by the table's `meta.entity`
# and each column's `meta.role`.
ENTITY_FILE_ROLE = {
    "persons": "people",
    "stays": "stays",
    "movements": "movements",
    "programs": "catalog",
    "enrollments": "activity",
    "program_events": "activity",
    "attendance": "activity",
    "program_exits": "exits",
}
FILE_ROLE_ORDER = ("people", "stays", "movements", "catalog", "activity", "exits")
ROLE_KEYS = {
    "persons": {
        "agency_person_id": "id",
        "sid": "sid",
        "last_name": "last",
        "first_name": "first",
        "middle_name": "middle",
        "birth_date": "dob",
        "sex": "sex",
        "race": "race",
        "ethnicity": "eth",
        "pcf_number": "pcf",
    },
    "stays": {
        "stay_id": "stay_id",
        "agency_person_id": "person_id",
        "facility": "facility",
        "admission_date": "start",
        "release_date": "end",
        "custody_status": "status",
        "release_reason": "reason",
        "sending_agency": "sending",
    },
    "movements": {
        "agency_person_id": "id",
        "movement_date": "date",
        "movement_code": "code",
        "movement_description": "desc",
        "facility": "facility",
        "custody_status": "status",
    },
    "programs": {
        "agency_program_code": "code",
        "agency_program_name": "name",
        "agency_program_type": "type",
        "facility": "facility",
    },
    "enrollments": {
        "enrollment_id": "enroll_id",
        "stay_id": "stay_id",
        "agency_person_id": "stay_id",  # commitment-keyed layouts: the person id is the stay
        "agency_program_code": "program",
        "start_date": "start",
        "end_date": "end",
        "exit_reason_code": "reason_code",
        "exit_reason": "reason",
    },
    "program_events": {
        "event_id": "event_id",
        "agency_person_id": "person_id",
        "stay_id": "stay_id",
        "agency_program_code": "program",
        "event_date": "date",
        "event_type": "type",
        "event_reason": "reason",
    },
    "attendance": {
        "attendance_id": "att_id",
        "agency_person_id": "person_id",
        "agency_program_code": "program",
        "session_date": "date",
        "attended": "attended",
    },
    "program_exits": {
        "exit_id": "exit_id",
        "agency_person_id": "person_id",
        "agency_program_code": "program",
        "exit_date": "date",
        "exit_status": "status",
        "exit_reason": "note",
    },
}


class ProfileError(ValueError):
    """An agency the generator cannot simulate from the project's files."""


@dataclass(frozen=True)
class TableFile:
    """One file of one layout version: its name and its (header, internal key) columns."""

    file_role: str
    name: str
    columns: tuple[tuple[str, str], ...]
    delimiter: str
    encoding: str
    date_format: str


@dataclass(frozen=True)
class LayoutVersion:
    """The files an agency sends from `first_period` on, and the code values they carry."""

    name: str  # the layout, with its version when the agency changed layout (doc_v1)
    first_period: str | None
    files: tuple[TableFile, ...]
    codes: dict[str, object]


@dataclass(frozen=True)
class FacilityRule:
    """A custody stay goes to `facility` when it matches every condition given."""

    facility: str
    status: str | None = None
    sex: str | None = None
    share: float | None = None  # only this share of the matching stays
    from_date: str | None = None  # stays that start on or after this date


@dataclass(frozen=True)
class AgencyProfile:
    code: str
    name: str
    layout: str  # doc | enroll | events | attend
    is_state: bool  # the state prison system (commitment-keyed, transfers from counties)
    admissions: float  # admissions per year at full scale (2024 level; the state: commitments)
    catalog_size: int  # distinct program offerings at full scale
    ids: dict[str, dict]
    catalog: dict[str, object]
    sites: tuple[str, ...]
    keeps_accents: bool
    upper_case_names: bool
    versions: tuple[LayoutVersion, ...]
    facilities: tuple[FacilityRule, ...] = ()
    women_held_by: str | None = None
    also_holds_per_year: float = 0.0  # people of a county with no jail, held here
    statuses_recorded: tuple[str, ...] | None = None
    event_types: tuple[str, ...] | None = field(default=None)


def project_dir() -> Path:
    """The project the generator reads: `CTS_PROJECT_DIR`, else the checkout of the package."""
    return find_project_root()


def _table_file(table: dict, where: str) -> tuple[str | None, TableFile]:
    meta = table.get("meta") or {}
    entity = meta.get("entity")
    if entity not in ROLE_KEYS:
        raise ProfileError(f"{where}: table {table.get('name')!r} has no known meta.entity")
    keys = ROLE_KEYS[entity]
    columns = []
    for column in table.get("columns") or []:
        column_meta = column.get("meta") or {}
        role = column_meta.get("role")
        if role not in keys:
            raise ProfileError(f"{where}: column {column.get('name')!r} has role {role!r}")
        columns.append((str(column_meta.get("header") or column["name"]), keys[role]))
    return meta.get("layout_version"), TableFile(
        file_role=ENTITY_FILE_ROLE[entity],
        name=str(meta["file"]),
        columns=tuple(columns),
        delimiter=str(meta.get("delimiter", ",")),
        encoding=str(meta.get("encoding", "utf-8")),
        date_format=str(meta["date_format"]),
    )


def _versions(source: dict, generate: dict, layout: str, where: str) -> tuple[LayoutVersion, ...]:
    grouped: dict[str | None, list[TableFile]] = {}
    first_period: dict[str | None, str | None] = {}
    for table in source.get("tables") or []:
        version, table_file = _table_file(table, where)
        grouped.setdefault(version, []).append(table_file)
        first_period.setdefault(version, (table.get("meta") or {}).get("valid_from"))
    by_version = generate.get("codes_by_layout_version") or {}
    versions = []
    for version, files in grouped.items():
        order = sorted(files, key=lambda f: FILE_ROLE_ORDER.index(f.file_role))
        codes = {**(generate.get("codes") or {}), **(by_version.get(version) or {})}
        name = f"{layout}_{version}" if version else layout
        versions.append(LayoutVersion(name, first_period[version], tuple(order), codes))
    return tuple(sorted(versions, key=lambda v: v.first_period or ""))


def _profile(row: dict, source: dict, where: str) -> AgencyProfile:
    meta = source.get("meta") or {}
    generate = meta.get("generate")
    if not isinstance(generate, dict):
        raise ProfileError(f"{where}: the source has no meta.generate block")
    layout = str(meta.get("layout") or row["layout"])
    codes = generate.get("codes") or {}
    return AgencyProfile(
        code=row["agency_code"],
        name=row["agency_name"],
        layout=layout,
        is_state=row["agency_type"] == "STATE",
        admissions=float(generate["admissions_per_year"]),
        catalog_size=int(generate["catalog_size"]),
        ids=dict(generate.get("ids") or {}),
        catalog=dict(generate["catalog"]),
        sites=tuple(generate["sites"]),
        keeps_accents=bool((generate.get("names") or {}).get("keeps_accents")),
        upper_case_names=bool((generate.get("names") or {}).get("upper_case")),
        versions=_versions(source, generate, layout, where),
        facilities=tuple(
            FacilityRule(
                facility=rule["facility"],
                status=rule.get("status"),
                sex=rule.get("sex"),
                share=rule.get("share"),
                from_date=rule.get("from"),
            )
            for rule in generate.get("facilities") or []
        ),
        women_held_by=generate.get("women_held_by"),
        also_holds_per_year=float(generate.get("also_holds_per_year") or 0.0),
        statuses_recorded=tuple(generate["statuses_recorded"])
        if generate.get("statuses_recorded")
        else None,
        event_types=tuple(codes["event_types"]) if codes.get("event_types") else None,
    )


@lru_cache(maxsize=4)
def load_profiles(project: Path | None = None) -> tuple[AgencyProfile, ...]:
    """Every agency that holds people, in the order of the agencies seed."""
    project = Path(project) if project else project_dir()
    sources: dict[str, tuple[dict, str]] = {}
    for path in sorted(project.glob("models/staging/*/_*__sources.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for source in document.get("sources") or []:
            code = (source.get("meta") or {}).get("agency_code")
            if code:
                sources[str(code)] = (source, str(path.relative_to(project)))
    seed = project / "seeds" / "reference" / "agencies.csv"
    with seed.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["holds_people"] == "true"]
    profiles = []
    for row in rows:
        if row["agency_code"] not in sources:
            raise ProfileError(f"agency {row['agency_code']} holds people but has no sources YAML")
        source, where = sources[row["agency_code"]]
        profiles.append(_profile(row, source, where))
    return tuple(profiles)


def month_of_period(period: str) -> int:
    """Months since 2017-01 of a `YYYY-MM` period."""
    return int(np.datetime64(period, "M").astype(int)) - int(
        np.datetime64("2017-01", "M").astype(int)
    )
