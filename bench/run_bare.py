"""Run the SQL of a dbt build again, bare: dbt's own target/run files through the DuckDB client.

    python bench/run_bare.py WORKDIR [--results run_results.json ...] [--out nodes.json]

Reads the run_results.json (and the manifest.json written with it) of one or more
`dbt build` invocations in WORKDIR/target, and executes the same nodes in the order dbt
finished them (a topological order): each model's DDL from target/run (created under its
`__dbt_tmp` name, then swapped in like dbt does), each data test and unit test's query
(fetched, and its failures counted). Seeds are not loaded again (they are in the warehouse
already); Python models are skipped. The connection gets the profile's memory cap and spill
directory (the same environment variables and defaults as profiles.yml), DuckDB threads on
every core (bare runs one node at a time; dbt runs two, each on one thread) and the
cts_pseudonym() function.

Prints, or writes as JSON, the wall and CPU seconds of every node and of the whole run, so
that the same SQL can be timed with and without dbt around it (bench_pipeline.py does that).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

# The profile's DuckDB settings (profiles.yml, output `duckdb`): the same memory cap; threads,
# though, default to every core, since bare runs one node at a time where dbt runs two.
SETTINGS = {
    "memory_limit": ("CTS_DUCKDB_MEMORY_LIMIT", "3GB"),
    "threads": ("CTS_DUCKDB_THREADS", str(os.cpu_count() or 1)),
}
TEMP_DIRECTORY_ENV = "CTS_DUCKDB_TEMP_DIRECTORY"


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def connect(warehouse: Path):
    """A DuckDB connection set up like dbt-duckdb's: settings, progress bar off, pseudonyms."""
    import duckdb
    from dbt.adapters.duckdb.plugins import BasePlugin

    config = {name: os.environ.get(env, default) for name, (env, default) in SETTINGS.items()}
    config["temp_directory"] = os.environ.get(TEMP_DIRECTORY_ENV, f"{warehouse}.tmp")
    connection = duckdb.connect(str(warehouse), config=config)
    connection.execute("set enable_progress_bar = false")
    BasePlugin.create("cts.pseudonym").configure_connection(connection)
    return connection


def manifest_of(results_file: Path, target: Path) -> Path:
    """The manifest written with a run_results.json: `<name>.manifest.json` beside a copy of
    it, else target/manifest.json (dbt fills in build paths only for the nodes it ran)."""
    beside = results_file.with_suffix(".manifest.json")
    return beside if beside.is_file() else target / "manifest.json"


def executed_nodes(target: Path, results_files: list[Path]) -> list[dict]:
    """The nodes the dbt invocations ran, in the order they finished, with what bare needs."""
    executed = []
    for results_file in results_files:
        manifest = json.loads(manifest_of(results_file, target).read_text())
        nodes = {**manifest["nodes"], **manifest.get("unit_tests", {})}
        for result in json.loads(results_file.read_text())["results"]:
            node = nodes.get(result["unique_id"])
            if node is None or result["status"] in ("skipped", "error"):
                continue
            build_path = node.get("build_path")
            if build_path is None and node["resource_type"] in ("model", "test"):
                # run by an earlier invocation of the same `cts build` (the manifest is the
                # last one's): where dbt wrote it, target/run/<package>/<file>[/<test>.sql]
                build_path = target / "run" / node["package_name"] / node["original_file_path"]
                if build_path.suffix == ".yml":  # a generic test, defined in a YAML file
                    build_path = build_path / node["path"]
            elif build_path is None and node["resource_type"] == "unit_test":
                # target/run/<package>/<yml file>/<model folder>/<unit test>.sql
                folder = target / "run" / node["package_name"] / node["original_file_path"]
                build_path = next(folder.rglob(f"{node['name']}.sql"), None)
            executed.append(
                {
                    "unique_id": result["unique_id"],
                    "resource_type": node["resource_type"],
                    "language": node.get("language", "sql"),
                    "materialized": node.get("config", {}).get("materialized"),
                    "relation": node.get("relation_name"),
                    "build_path": build_path,
                    "dbt_seconds": result["execution_time"],
                }
            )
    return executed


def _swap_in(connection, relation: str, kind: str) -> None:
    """Replace `relation` with the freshly built `<relation>__dbt_tmp`, as dbt does."""
    database, schema, name = (part.strip('"') for part in relation.split("."))
    existing = connection.execute(
        "select table_type from information_schema.tables"
        " where table_catalog = ? and table_schema = ? and table_name = ?",
        [database, schema, name],
    ).fetchall()
    if existing:
        old_kind = "view" if existing[0][0] == "VIEW" else "table"
        connection.execute(f"drop {old_kind} {relation}")
    connection.execute(f'alter {kind} "{database}"."{schema}"."{name}__dbt_tmp" rename to "{name}"')


def run_node(connection, node: dict) -> dict:
    """Execute one node bare; return its timings (and failures for a test)."""
    outcome = {"unique_id": node["unique_id"], "dbt_seconds": node["dbt_seconds"]}
    sql = Path(node["build_path"]).read_text()
    wall, cpu = time.perf_counter(), _cpu_seconds()
    if node["resource_type"] == "model":
        kind = "view" if node["materialized"] == "view" else "table"
        database, schema, name = (part.strip('"') for part in node["relation"].split("."))
        connection.execute(f'drop {kind} if exists "{database}"."{schema}"."{name}__dbt_tmp"')
        connection.execute(sql)
        _swap_in(connection, node["relation"], kind)
    else:
        rows = connection.execute(sql).fetchall()
        if node["resource_type"] == "test":
            outcome["failures"] = int(rows[0][0]) if rows else 0
    outcome["seconds"] = round(time.perf_counter() - wall, 3)
    outcome["cpu_seconds"] = round(_cpu_seconds() - cpu, 3)
    return outcome


def run_bare(workdir: Path, results_files: list[Path]) -> dict:
    """Execute every node the given run_results ran; the timings per node and in total."""
    target = workdir / "target"
    nodes = [
        node
        for node in executed_nodes(target, results_files)
        if node["resource_type"] in ("model", "test", "unit_test") and node["language"] == "sql"
    ]
    wall, cpu = time.perf_counter(), _cpu_seconds()
    connection = connect(workdir / "warehouse.duckdb")
    try:
        timings = [run_node(connection, node) for node in nodes]
    finally:
        connection.close()
    failing = [t["unique_id"] for t in timings if t.get("failures")]
    return {
        "nodes": len(timings),
        "seconds": round(time.perf_counter() - wall, 2),
        "cpu_seconds": round(_cpu_seconds() - cpu, 2),
        "failing_tests": failing,
        "timings": timings,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workdir", type=Path)
    parser.add_argument(
        "--results",
        type=Path,
        action="append",
        help="run_results.json of the dbt invocations to replay (default: target/run_results.json)",
    )
    parser.add_argument("--out", type=Path, help="write the timings here as JSON")
    parser.add_argument("--top", type=int, default=15, help="print the N slowest nodes")
    args = parser.parse_args()
    workdir = args.workdir.resolve()
    results_files = args.results or [workdir / "target" / "run_results.json"]
    report = run_bare(workdir, results_files)
    if args.out:
        args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"{report['nodes']} nodes in {report['seconds']} s ({report['cpu_seconds']} s CPU)")
    slowest = sorted(report["timings"], key=lambda t: -t["seconds"])[: args.top]
    for timing in slowest:
        print(
            f"{timing['seconds']:8.2f} s {timing['cpu_seconds']:8.2f} s CPU  {timing['unique_id']}"
        )
    if report["failing_tests"]:
        sys.exit(f"failing tests: {', '.join(report['failing_tests'])}")


if __name__ == "__main__":
    main()
