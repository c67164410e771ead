"""The loader's tables: their columns, the warehouse connection, the SQL reading a run's temp
files and the ledger.

The raw tables (`raw_<agency>.<table>`: the file's columns as text, then the lineage columns)
and `raw_meta` are written to the raw zone (`cts.rawzone`) and read in the warehouse through
views. `raw_meta` holds what the loader knows about past loads:
- `load_ledger`: one row per file of every submission attempted (outcome `loaded`/`rejected`);
  a rejected attempt's rows are replaced when the same submission is attempted again, so
  re-running a load never grows the ledger;
- `submissions`: one row per accepted submission;
- `rejected_lines`: every line left out of an accepted submission, verbatim, with its reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from cts.specs import LoadError, TableSpec

META_SCHEMA = "raw_meta"
# `load_ledger.outcome` of a file: part of an accepted submission, or of a rejected one.
LOADED = "loaded"
REJECTED = "rejected"

META_TABLES: dict[str, list[tuple[str, str]]] = {
    "load_ledger": [
        ("submission_id", "VARCHAR"),
        ("agency_code", "VARCHAR"),
        ("period", "VARCHAR"),
        ("revision", "INTEGER"),
        ("file", "VARCHAR"),
        ("sha256", "VARCHAR"),
        ("data_rows", "BIGINT"),
        ("rejected_lines", "BIGINT"),
        ("outcome", "VARCHAR"),
        ("message", "VARCHAR"),
        ("loaded_at", "TIMESTAMP"),
    ],
    "submissions": [
        ("submission_id", "VARCHAR"),
        ("agency_code", "VARCHAR"),
        ("period", "VARCHAR"),
        ("revision", "INTEGER"),
        ("file_count", "INTEGER"),
        ("data_rows", "BIGINT"),
        ("rejected_lines", "BIGINT"),
        ("loaded_at", "TIMESTAMP"),
    ],
    "rejected_lines": [
        ("submission_id", "VARCHAR"),
        ("agency_code", "VARCHAR"),
        ("period", "VARCHAR"),
        ("revision", "INTEGER"),
        ("file", "VARCHAR"),
        ("line", "BIGINT"),
        ("reason", "VARCHAR"),
        ("detail", "VARCHAR"),
        ("raw_text", "VARCHAR"),
        ("loaded_at", "TIMESTAMP"),
    ],
}

# Lineage columns appended to every raw table (after the declared columns).
LINEAGE_TYPES: list[tuple[str, str]] = [
    ("_submission_id", "VARCHAR"),
    ("_agency_code", "VARCHAR"),
    ("_period", "VARCHAR"),
    ("_revision", "INTEGER"),
    ("_file", "VARCHAR"),
    ("_line", "BIGINT"),
    ("_loaded_at", "TIMESTAMP"),
]


@dataclass(frozen=True)
class SourceFile:
    """A file of an accepted submission: its number in the run (the temp files' `_file_no`)
    and the lineage its rows get."""

    file_no: int
    submission_id: str
    agency_code: str
    period: str
    revision: int
    file: str


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def connect(warehouse: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse (creating its folder unless read-only); a lock held elsewhere is a
    user error."""
    if not read_only:
        warehouse.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(warehouse), read_only=read_only)
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            raise LoadError(
                f"warehouse {warehouse} is locked by another process; wait for it to finish"
            ) from None
        raise LoadError(f"cannot open warehouse {warehouse}: {text.splitlines()[0]}") from None
    except duckdb.Error as exc:
        raise LoadError(f"cannot open warehouse {warehouse}: {str(exc).splitlines()[0]}") from None
    con.execute("SET enable_progress_bar = false")
    return con


def relation_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    """A table or a view of that name (the raw relations are views over the raw zone)."""
    rows = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_catalog ="
        " current_database() AND table_schema = ? AND table_name = ?",
        [schema, name],
    ).fetchall()
    return rows[0][0] > 0


def warehouse_ledger(con: duckdb.DuckDBPyConnection) -> str | None:
    """The ledger relation of the warehouse, if it has one."""
    if relation_exists(con, META_SCHEMA, "load_ledger"):
        return f"{META_SCHEMA}.load_ledger"
    return None


def loaded_hashes(
    con: duckdb.DuckDBPyConnection, relation: str | None
) -> dict[str, dict[str, str]]:
    """submission_id → {file name: sha256} for every submission loaded so far, from a ledger
    relation (the raw zone's ledger files, or a warehouse table); {} without one."""
    if relation is None:
        return {}
    rows = con.execute(
        f"SELECT submission_id, file, sha256 FROM {relation} WHERE outcome = ?",
        [LOADED],
    ).fetchall()
    known: dict[str, dict[str, str]] = {}
    for submission_id, file, sha in rows:
        known.setdefault(submission_id, {})[file.rsplit("/", 1)[-1]] = sha
    return known


def loads_per_agency(
    con: duckdb.DuckDBPyConnection, relation: str | None
) -> list[tuple[str, int, int, str]] | None:
    """Per agency (in order): accepted submissions, data rows loaded and the last load time
    (text), from a ledger relation; None without one (nothing loaded yet)."""
    if relation is None:
        return None
    return con.execute(
        "SELECT agency_code, count(DISTINCT submission_id), sum(data_rows),"
        f" CAST(max(loaded_at) AS VARCHAR) FROM {relation} WHERE outcome = ?"
        " GROUP BY agency_code ORDER BY agency_code",
        [LOADED],
    ).fetchall()


def raw_columns(spec: TableSpec) -> list[tuple[str, str]]:
    """A raw table's columns: the file's (text), then the lineage columns."""
    return [(name, "VARCHAR") for name in spec.columns] + LINEAGE_TYPES


def _read_csv(path: Path, delimiter: str, columns: Sequence[tuple[str, str]], max_line: int):
    """read_csv of a temp file the loader wrote: every record ends with "\n" (new_line is
    given: DuckDB sniffs it even without auto_detect, and took a carriage return inside a
    quoted field for the line end, then failed on the file; found by the property test
    test_corrupted_file_is_loaded_whole_or_not_at_all)."""
    struct = ", ".join(f"{sql_string(name)}: {sql_string(kind)}" for name, kind in columns)
    return (
        f"read_csv({sql_string(str(path))}, delim={sql_string(delimiter)}, quote='\"', "
        f"escape='\"', new_line='\\n', header=false, auto_detect=false, strict_mode=true, "
        f"null_padding=false, encoding='utf-8', max_line_size={max_line}, "
        f"buffer_size={max(max_line * 4, 16 * 1024 * 1024)}, columns={{{struct}}})"
    )


def max_line_size(longest_record: int) -> int:
    """A `max_line_size` comfortably above the longest record written (UTF-8 bytes)."""
    return max(2 * 1024 * 1024, 4 * longest_record + 1024)


def raw_select(
    spec: TableSpec,
    path: Path,
    files: Sequence[SourceFile],
    loaded_at_sql: str,
    longest_record: int,
) -> str:
    """The rows of a raw table's normalized temp file with their lineage (submission, file,
    line, load time): each record's file number joined to `files`, the table's files."""
    columns = [(name, "VARCHAR") for name in spec.columns] + [
        ("_file_no", "BIGINT"),
        ("_line", "BIGINT"),
    ]
    source = _read_csv(path, spec.delimiter, columns, max_line_size(longest_record))
    values = ", ".join(
        f"({f.file_no}, {sql_string(f.submission_id)}, {sql_string(f.agency_code)}, "
        f"{sql_string(f.period)}, {int(f.revision)}, {sql_string(f.file)})"
        for f in files
    )
    file_list = (
        f"(VALUES {values}) AS f(file_no, submission_id, agency_code, period, revision, file)"
    )
    data = ", ".join(f"r.{ident(name)}" for name in spec.columns)
    return (
        f"SELECT {data}, f.submission_id AS _submission_id, f.agency_code AS _agency_code, "
        f"f.period AS _period, CAST(f.revision AS INTEGER) AS _revision, f.file AS _file, "
        f"r._line AS _line, {loaded_at_sql} AS _loaded_at FROM {source} AS r "
        f"INNER JOIN {file_list} ON r._file_no = f.file_no"
    )


def meta_select(table: str, path: Path, longest_record: int) -> str:
    """The rows of a `raw_meta` table's temp file, typed."""
    return (
        f"SELECT * FROM {_read_csv(path, ',', META_TABLES[table], max_line_size(longest_record))}"
    )
