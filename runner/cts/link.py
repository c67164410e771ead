"""`cts link`: the identity linkage models run on a CSV of person records.

The CSV is loaded into a scratch DuckDB database in a temporary directory (never the
warehouse), the dbt models tagged `identity` are built there with the variable
`identity_input_relation` pointing at the loaded table, and each record's person is exported.
The linkage is the warehouse's own dbt models, not a second implementation.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import duckdb

REQUIRED_COLUMNS = (
    "record_id",
    "agency_code",
    "agency_person_id",
    "sid",
    "last_name",
    "first_name",
    "middle_name",
    "date_of_birth",
    "sex",
    "race",
)
OUTPUT_COLUMNS = ("record_id", "person_id", "link_method", "match_probability")
# The table the identity models read in the scratch database (schema main).
INPUT_RELATION = "main.link_input"
IDENTITY_SELECTOR = "tag:identity"
PERSONS_RELATION = "intermediate.int_identity_persons_resolved"


class LinkError(ValueError):
    """The input cannot be linked; the message is one line for the user."""


def read_header(path: Path) -> list[str]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle), None)
    except FileNotFoundError as error:
        raise LinkError(f"no such file: {path}") from error
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise LinkError(f"cannot read {path}: {error}") from error
    if not header:
        raise LinkError(f"{path} is empty (expected a header line)")
    return [name.strip().lower() for name in header]


def check_header(path: Path) -> None:
    header = read_header(path)
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise LinkError(
            f"{path.name}: missing required column{'s' if len(missing) > 1 else ''}"
            f" {', '.join(missing)} (expected: {', '.join(REQUIRED_COLUMNS)})"
        )


def load_input(path: Path, database: Path) -> int:
    """Check the CSV and load it as `main.link_input` in the scratch database; rows loaded."""
    check_header(path)
    con = duckdb.connect(str(database))
    try:
        con.execute("set enable_progress_bar = false")
        try:
            con.execute(
                "create table raw_input as select * from read_csv(?, header = true,"
                " all_varchar = true, normalize_names = true)",
                [str(path)],
            )
        except duckdb.Error as error:
            first_line = str(error).strip().splitlines()[0]
            raise LinkError(f"cannot read {path.name}: {first_line}") from error
        rows = _check_records(con, path.name)
        # agency_person_id <- record_id: the linkage keys records by (agency_code,
        # agency_person_id), and record_id is the one column guaranteed unique.
        con.execute(
            f"""
            create table {INPUT_RELATION} as
            select
                row_number() over () as input_order,
                trim(record_id) as record_id,
                trim(agency_code) as agency_code,
                trim(record_id) as agency_person_id,
                nullif(trim(sid), '') as sid,
                nullif(trim(last_name), '') as last_name,
                nullif(trim(first_name), '') as first_name,
                nullif(trim(middle_name), '') as middle_name,
                cast(nullif(trim(date_of_birth), '') as date) as birth_date,
                nullif(upper(trim(sex)), '') as sex_code,
                nullif(upper(trim(race)), '') as race_code
            from raw_input
            """
        )
        con.execute("drop table raw_input")
        return rows
    finally:
        con.close()


def _check_records(con: duckdb.DuckDBPyConnection, name: str) -> int:
    """The records of `raw_input` (their count), or the first reason they cannot be linked:
    none at all, a record without a record_id or agency_code, a repeated record_id, a birth
    date not written YYYY-MM-DD."""
    rows, blank_ids, duplicate_ids, blank_agencies = con.execute(
        """
        select
            count(*),
            count(*) filter (where nullif(trim(record_id), '') is null),
            count(*) - count(distinct trim(record_id)),
            count(*) filter (where nullif(trim(agency_code), '') is null)
        from raw_input
        """
    ).fetchone()
    if rows == 0:
        raise LinkError(f"{name} has no records")
    if blank_ids:
        raise LinkError(f"{name}: {blank_ids} records without a record_id")
    if duplicate_ids:
        raise LinkError(f"{name}: record_id is not unique ({duplicate_ids} repeats)")
    if blank_agencies:
        raise LinkError(f"{name}: {blank_agencies} records without an agency_code")
    bad_date = con.execute(
        """
        select record_id, date_of_birth from raw_input
        where nullif(trim(date_of_birth), '') is not null
            and (try_strptime(trim(date_of_birth), '%Y-%m-%d') is null
                or not regexp_full_match(trim(date_of_birth), '[0-9]{4}-[0-9]{2}-[0-9]{2}'))
        limit 1
        """
    ).fetchall()
    if bad_date:
        record_id, value = bad_date[0]
        raise LinkError(f"{name}: record {record_id}: date_of_birth {value!r} is not YYYY-MM-DD")
    return int(rows)


@dataclass(frozen=True)
class Links:
    """What `export_links` wrote: how many input records, linked into how many persons."""

    records: int
    persons: int


def export_links(database: Path, output: Path) -> Links:
    """Write record_id, person_id, link_method, match_probability for every input record."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        con.execute("set enable_progress_bar = false")
        rows = con.execute(
            f"""
            select
                link_input.record_id,
                persons.person_id,
                persons.link_method,
                round(persons.match_probability, 6) as match_probability
            from {INPUT_RELATION} as link_input
            left join {PERSONS_RELATION} as persons
                on link_input.agency_code = persons.agency_code
                and link_input.agency_person_id = persons.agency_person_id
            order by link_input.input_order
            """
        ).fetchall()
    finally:
        con.close()
    unresolved = [row[0] for row in rows if row[1] is None]
    if unresolved:
        raise LinkError(f"{len(unresolved)} records got no person (first: {unresolved[0]})")
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(OUTPUT_COLUMNS)
        for record_id, person_id, link_method, probability in rows:
            writer.writerow(
                [record_id, person_id, link_method, "" if probability is None else probability]
            )
    return Links(records=len(rows), persons=len({row[1] for row in rows}))
