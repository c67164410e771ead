"""What a work dir holds: loads per agency (from the load ledger) and the last dbt results."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from cts.paths import Workdir

LEDGER_SCHEMA = "raw_meta"
LEDGER_TABLE = "load_ledger"

# The ledger is the loader's table; these are the column names it may use for each role.
AGENCY_COLUMNS = ("agency", "agency_code")
ROWS_COLUMNS = (
    "data_rows",
    "rows_loaded",
    "row_count",
    "rows",
    "n_rows",
    "record_count",
    "rows_accepted",
)
LOADED_AT_COLUMNS = ("loaded_at", "load_time", "loaded_at_utc", "load_timestamp")
SUBMISSION_COLUMNS = ("submission", "submission_id", "submission_path", "path")
STATUS_COLUMNS = ("status", "outcome", "result")
# `cts build` keeps a copy of its run_results.json: `cts docs` overwrites the original.
LAST_BUILD_RESULTS = "last_build_run_results.json"


class StatusError(Exception):
    """The warehouse exists but cannot be read."""


@dataclass
class AgencyLoads:
    agency: str
    submissions: int
    rows: int | None
    last_loaded_at: str | None


@dataclass
class BuildResults:
    command: str | None
    generated_at: str | None
    elapsed_seconds: float | None
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[tuple[str, str, str]] = field(default_factory=list)


def _pick(columns: list[str], candidates: tuple[str, ...]) -> str | None:
    lowered = {column.lower(): column for column in columns}
    return next((lowered[name] for name in candidates if name in lowered), None)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def ledger_summary(warehouse: Path) -> list[AgencyLoads] | None:
    """Loads per agency, or None when nothing was ever loaded into this warehouse."""
    if not warehouse.is_file():
        return None
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as error:
        raise StatusError(f"cannot open the warehouse {warehouse}: {error}") from error
    try:
        columns = [
            row[0]
            for row in con.execute(
                "select column_name from information_schema.columns"
                " where table_schema = ? and table_name = ? order by ordinal_position",
                [LEDGER_SCHEMA, LEDGER_TABLE],
            ).fetchall()
        ]
        if not columns:
            return None
        agency = _pick(columns, AGENCY_COLUMNS)
        if agency is None:
            raise StatusError(f"{LEDGER_SCHEMA}.{LEDGER_TABLE} has no agency column")
        rows = _pick(columns, ROWS_COLUMNS)
        loaded_at = _pick(columns, LOADED_AT_COLUMNS)
        submission = _pick(columns, SUBMISSION_COLUMNS)
        status = _pick(columns, STATUS_COLUMNS)
        submissions_sql = f"count(distinct {_quote(submission)})" if submission else "count(*)"
        rows_sql = f"sum({_quote(rows)})" if rows else "null"
        loaded_sql = f"cast(max({_quote(loaded_at)}) as varchar)" if loaded_at else "null"
        where = ""
        if status is not None:
            # Count what was loaded, not what was rejected.
            where = f" where lower(cast({_quote(status)} as varchar)) not in ('rejected', 'failed')"
        query = (
            f"select cast({_quote(agency)} as varchar), {submissions_sql}, {rows_sql},"
            f" {loaded_sql} from {LEDGER_SCHEMA}.{LEDGER_TABLE}{where}"
            " group by 1 order by 1"
        )
        return [
            AgencyLoads(
                agency=row[0],
                submissions=int(row[1]),
                rows=None if row[2] is None else int(row[2]),
                last_loaded_at=row[3],
            )
            for row in con.execute(query).fetchall()
        ]
    except duckdb.Error as error:
        raise StatusError(f"cannot read {LEDGER_SCHEMA}.{LEDGER_TABLE}: {error}") from error
    finally:
        con.close()


def last_build(target: Path) -> BuildResults | None:
    """The results of the last dbt build (else the last dbt command), if any."""
    path = target / LAST_BUILD_RESULTS
    if not path.is_file():
        path = target / "run_results.json"
    if not path.is_file():
        return None
    try:
        artifact: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    counts: dict[str, int] = {}
    failures = []
    for result in artifact.get("results", []):
        status = str(result.get("status", "unknown"))
        counts[status] = counts.get(status, 0) + 1
        if status in {"error", "fail", "runtime error"}:
            message = (result.get("message") or status).strip().splitlines()
            failures.append((result.get("unique_id", "?"), status, message[0] if message else ""))
    args = artifact.get("args", {})
    return BuildResults(
        command=args.get("which"),
        generated_at=artifact.get("metadata", {}).get("generated_at"),
        elapsed_seconds=artifact.get("elapsed_time"),
        counts=dict(sorted(counts.items())),
        failures=failures,
    )


def describe(workdir: Workdir) -> tuple[list[AgencyLoads] | None, BuildResults | None]:
    return ledger_summary(workdir.warehouse), last_build(workdir.target)
