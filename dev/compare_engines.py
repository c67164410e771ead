"""Compare relations built on PostgreSQL with the same relations built on DuckDB, row for row.

    python dev/compare_engines.py DUCKDB_WORKDIR POSTGRES_WORKDIR [--relation schema.table ...]

POSTGRES_WORKDIR is a work dir built with `cts build --target postgres` (its local cluster is
started and stopped here; CTS_POSTGRES_DSN is honoured). Each relation is copied from
PostgreSQL into a DuckDB file (cts.engines.postgres.mirror) and both sides are written by
DuckDB as CSV, rows ordered by every column: the same bytes, or the relation differs. Prints a
line per relation (rows on each side, identical or not); exit 0 when all are identical.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from pathlib import Path

# The relations that decide what is published and who is who, and the reports built on them.
DEFAULT_RELATIONS = (
    "intermediate.int_persons_linked",
    "intermediate.int_programs_mapped",
    "intermediate.int_published_counts_unpivoted",
    "restricted.fct_program_enrollments",
    "quality.rpt_data_quality",
    "quality.rpt_program_mapping_audit",
)


def digest(database: Path, relation: str) -> tuple[int, str]:
    """Rows of `relation` in the DuckDB file and the sha256 of its CSV, ordered by all."""
    import duckdb

    con = duckdb.connect(str(database), read_only=True)
    try:
        con.execute("set threads = 1")
        con.execute("set enable_progress_bar = false")
        rows = con.execute(f"select count(*) from {relation}").fetchall()[0][0]
        with tempfile.TemporaryDirectory() as scratch:
            csv = Path(scratch) / "relation.csv"
            con.execute(
                f"copy (select * from {relation} order by all) to '{csv}' (format csv, header)"
            )
            return rows, hashlib.sha256(csv.read_bytes()).hexdigest()
    finally:
        con.close()


def compare(duckdb_workdir: Path, postgres_workdir: Path, relations: list[str]) -> list[dict]:
    """One entry per relation: rows on each side and whether the two are identical."""
    from cts.engines import postgres

    tables = [tuple(relation.split(".", 1)) for relation in relations]
    with tempfile.TemporaryDirectory(prefix="cts-compare-") as scratch:
        copy = Path(scratch) / "postgres.duckdb"
        with postgres.server(postgres_workdir) as connection:
            postgres.mirror(connection, copy, tables)  # type: ignore[arg-type]
        found = []
        for relation in relations:
            duckdb_rows, duckdb_digest = digest(duckdb_workdir / "warehouse.duckdb", relation)
            postgres_rows, postgres_digest = digest(copy, relation)
            found.append(
                {
                    "relation": relation,
                    "duckdb_rows": duckdb_rows,
                    "postgres_rows": postgres_rows,
                    "identical": duckdb_digest == postgres_digest,
                }
            )
        return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("duckdb_workdir", type=Path)
    parser.add_argument("postgres_workdir", type=Path)
    parser.add_argument("--relation", action="append", help="schema.table [default: a set]")
    args = parser.parse_args()
    relations = args.relation or list(DEFAULT_RELATIONS)
    results = compare(args.duckdb_workdir.resolve(), args.postgres_workdir.resolve(), relations)
    for entry in results:
        verdict = "identical" if entry["identical"] else "DIFFERENT"
        print(
            f"{entry['relation']}: duckdb {entry['duckdb_rows']} rows,"
            f" postgres {entry['postgres_rows']} rows, {verdict}"
        )
    return 0 if all(entry["identical"] for entry in results) else 1


if __name__ == "__main__":
    sys.exit(main())
