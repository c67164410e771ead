"""The protection step between two dbt builds: true counts in, decisions out, on any engine.

dbt builds the long table of true counts (`intermediate.int_published_counts_unpivoted`) on
every target. This step reads it through a DB-API connection, decides with
:func:`cts.publication.protect.protect`, and writes `protection.cell_decisions` (one row per
withheld count: its cell id, why, and the proven width of its interval) in one transaction.
dbt then builds `int_published_counts_protected` and the public marts from that table, the same
SQL on DuckDB and PostgreSQL.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import numpy as np

from cts.publication import protect
from cts.publication.cells import from_rows
from cts.publication.declaration import KEY_COLUMNS, PRIMARY, Publication

COUNTS_SCHEMA = "intermediate"
COUNTS_RELATION = "int_published_counts_unpivoted"
SCHEMA = "protection"
TABLE = "cell_decisions"
# the protection's solutions, restricted: for each, the counts it moves and their values there
# (every other count at its true value); the disclosure check verifies them against the export
CERTIFICATES = "cell_certificates"


@dataclass
class Decided:
    """What the step did, for the runner to print and `cts run` to keep."""

    counts: int
    primary: int
    complementary: int
    complementary_zeros: int
    unproved: int
    rounds: list[dict[str, Any]]
    seconds: float
    by_table: dict[str, dict[str, int]]

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def relation_exists(cursor, schema: str, name: str) -> bool:
    """Whether `schema.name` exists, through a DB-API cursor (Spark's cursor answers itself:
    Spark has no information_schema)."""
    if hasattr(cursor, "relation_exists"):
        return bool(cursor.relation_exists(schema, name))
    cursor.execute(
        "select count(*) from information_schema.tables"
        f" where table_schema = '{schema}' and table_name = '{name}'"
    )
    return bool(cursor.fetchone()[0])


def read_rows(cursor) -> list[tuple]:
    columns = ", ".join(["cell_number", "mart", "measure", *KEY_COLUMNS, "true_value", "cell_id"])
    cursor.execute(f"select {columns} from {COUNTS_SCHEMA}.{COUNTS_RELATION} order by cell_number")
    return cursor.fetchall()


def decide(publication: Publication, rows: list[tuple], workers: int = 2, say=lambda _: None):
    """The protection of the long table's `rows`: (decision rows, certificate rows, summary).

    A certificate row: (certificate number, cell id, the count's value in that solution)."""
    cells, _ = from_rows([row[:-1] for row in rows])
    ids = [row[-1] for row in rows]
    result = protect.protect(publication, cells, workers=workers, say=say)
    widths = protect.certificate_widths(result)
    decisions = [
        (ids[i], flag, int(widths[i])) for i, flag in enumerate(result.flags) if flag is not None
    ]
    certificates = [
        (number, ids[int(i)], float(value))
        for number, (moved, alternative) in enumerate(result.certificates, start=1)
        for i, value in zip(moved, alternative, strict=True)
    ]
    by_table: dict[str, dict[str, int]] = {}
    for i, flag in enumerate(result.flags):
        entry = by_table.setdefault(
            cells.table[i], {"counts": 0, "primary": 0, "complementary": 0, "zeros_withheld": 0}
        )
        entry["counts"] += 1
        if flag == PRIMARY:
            entry["primary"] += 1
        elif flag is not None:
            entry["complementary"] += 1
            entry["zeros_withheld"] += int(cells.value[i] == 0)
    values = np.asarray(cells.value)
    complementary = [i for i, f in enumerate(result.flags) if f is not None and f != PRIMARY]
    summary = Decided(
        counts=len(cells),
        primary=sum(1 for f in result.flags if f == PRIMARY),
        complementary=len(complementary),
        complementary_zeros=int(sum(values[i] == 0 for i in complementary)),
        unproved=len(result.unproved),
        rounds=result.rounds,
        seconds=round(result.seconds, 2),
        by_table=by_table,
    )
    if result.unproved:
        first = cells.describe(result.unproved[0])
        raise protect.ProtectionError(
            f"protection could not prove {len(result.unproved)} withheld counts safe"
            f" in {len(result.rounds)} rounds (first: {first})"
        )
    return decisions, certificates, summary


def write_duckdb(con, decisions: list[tuple], certificates: list[tuple]) -> None:
    """Replace the decisions and certificates tables in one transaction (DuckDB)."""
    con.execute("begin transaction")
    try:
        con.execute(f"create schema if not exists {SCHEMA}")
        con.execute(
            f"create or replace table {SCHEMA}.{TABLE} as"
            " select unnest($1::varchar[]) as cell_id,"
            " unnest($2::varchar[]) as suppression_reason,"
            " unnest($3::integer[]) as proven_width",
            [list(column) for column in zip(*decisions, strict=True)] or [[], [], []],
        )
        con.execute(
            f"create or replace table {SCHEMA}.{CERTIFICATES} as"
            " select unnest($1::integer[]) as certificate,"
            " unnest($2::varchar[]) as cell_id,"
            " unnest($3::double[]) as alternative_value",
            [list(column) for column in zip(*certificates, strict=True)] or [[], [], []],
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def write_postgres(connection, decisions: list[tuple], certificates: list[tuple]) -> None:
    """Replace the decisions and certificates tables in one transaction (PostgreSQL, COPY)."""

    def text(value) -> str:  # COPY's text format: backslash, tab and newline escaped
        if isinstance(value, float):
            return repr(value)  # shortest text that reads back as the same double
        value = str(value)
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")

    def copy(cursor, table: str, columns: str, rows: list[tuple]) -> None:
        cursor.execute(f"drop table if exists {SCHEMA}.{table}")
        cursor.execute(f"create table {SCHEMA}.{table} ({columns})")
        buffer = io.StringIO("".join("\t".join(map(text, row)) + "\n" for row in rows))
        cursor.copy_expert(f"copy {SCHEMA}.{table} from stdin", buffer)

    # one transaction: committed on success, rolled back on error
    with connection, connection.cursor() as cursor:
        cursor.execute(f"create schema if not exists {SCHEMA}")
        copy(
            cursor,
            TABLE,
            "cell_id varchar, suppression_reason varchar, proven_width integer",
            decisions,
        )
        copy(
            cursor,
            CERTIFICATES,
            "certificate integer, cell_id varchar, alternative_value double precision",
            certificates,
        )


def write_spark(target, decisions: list[tuple], certificates: list[tuple]) -> None:
    """Replace the decisions and certificates tables (Spark: `cts.engines.spark.SparkTarget`)."""
    target.write_decisions(
        SCHEMA,
        {
            TABLE: ("cell_id string, suppression_reason string, proven_width int", decisions),
            CERTIFICATES: (
                "certificate int, cell_id string, alternative_value double",
                certificates,
            ),
        },
    )
