"""The raw zone (`cts.rawzone`): the Parquet files `cts load` writes, their manifest, and the
warehouse's views over exactly those files."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest
from cts import pipeline, rawzone
from cts.ledger import LINEAGE_TYPES
from cts.load import CRASH_AFTER_MANIFEST_ENV, LoadError, load_submissions, validate_submissions
from cts.paths import Workdir
from submission_kit import (
    PROJECT,
    REPO,
    SUF_HEADERS,
    copy_warehouse,
    query,
    snapshot,
    suf_files,
    views,
    write_submission,
    zone_files,
)

RAW_FILE = re.compile(
    r"^raw_[a-z]+/[a-z_]+/agency=[A-Z]+/submission=[A-Z]+-\d{4}-\d{2}-r\d+/run-\d{4}_0\.parquet$"
)
META_FILE = re.compile(r"^_meta/(load_ledger|submissions|rejected_lines)/run-\d{4}\.parquet$")
LINEAGE = [name for name, _ in LINEAGE_TYPES]


def load(root: Path):
    return load_submissions(root, root / "wh.duckdb", PROJECT)


def with_malformed_line(rows: int, offset: int = 0) -> dict[str, bytes]:
    files = suf_files(rows, offset)
    files["inmates.csv"] += b"I99999,1,2\n"  # kept aside in raw_meta.rejected_lines
    return files


def _read(con: duckdb.DuckDBPyConnection, path: Path, columns: str = "*") -> list[tuple]:
    return con.execute(
        f"SELECT {columns} FROM read_parquet(?, hive_partitioning = false)", [str(path)]
    ).fetchall()


# ----------------------------------------------------------------------------- the zone


def test_zone_is_written_and_matches_its_manifest(tmp_path: Path) -> None:
    write_submission(tmp_path, "SUF", "2019-03", "r1", with_malformed_line(4))
    write_submission(tmp_path, "SUF", "2019-04", "r1", suf_files(3, offset=10))
    result = load(tmp_path)
    assert result.accepted == ["SUF/2019-03/r1", "SUF/2019-04/r1"]
    zone = tmp_path / "raw"
    manifest = rawzone.read_manifest(zone)
    # every file on disk is listed, with the rows, bytes and sha256 it has
    assert {f.path for f in manifest.files()} | {"manifest.json"} == set(zone_files(zone))
    assert rawzone.verify(zone, manifest) == []
    paths = sorted(f.path for f in manifest.files())
    assert [p for p in paths if not (RAW_FILE.match(p) or META_FILE.match(p))] == []
    assert "raw_suf/inmates/agency=SUF/submission=SUF-2019-03-r1/run-0001_0.parquet" in paths
    assert [p for p in paths if p.startswith("_meta/")] == [
        "_meta/load_ledger/run-0001.parquet",
        "_meta/rejected_lines/run-0001.parquet",
        "_meta/submissions/run-0001.parquet",
    ]
    # one file per raw table and submission, holding that submission's rows
    inmates = manifest.tables["raw_suf.inmates"]
    assert [(f.submission_id, f.rows, f.run) for f in inmates.files] == [
        ("SUF/2019-03/r1", 4, 1),
        ("SUF/2019-04/r1", 3, 1),
    ]
    con = duckdb.connect()
    for entry in manifest.files():
        lines = _read(con, zone / entry.path, "*")
        assert len(lines) == entry.rows
        if entry.submission_id:
            rows = _read(con, zone / entry.path, "_submission_id, _line")
            assert {sid for sid, _ in rows} == {entry.submission_id}
    # each table's columns and types, as the files and the warehouse's views have them
    assert inmates.columns == tuple(
        [(name, "VARCHAR") for name in SUF_HEADERS["inmates.csv"].split(",")] + LINEAGE_TYPES
    )
    wh = tmp_path / "wh.duckdb"
    for key, table in manifest.tables.items():
        schema, name = key.split(".")
        typed = query(
            wh,
            "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = "
            f"'{schema}' AND table_name = '{name}' ORDER BY column_index",
        )
        assert tuple(typed) == table.columns, key
        if table.files:
            described = con.execute(
                "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?,"
                " hive_partitioning = false))",
                [str(zone / table.files[0].path)],
            ).fetchall()
            assert tuple(described) == table.columns, key
    assert manifest.runs == [
        {
            "run": 1,
            "kind": "load",
            "loaded_at": manifest.runs[0]["loaded_at"],
            "accepted": ["SUF/2019-03/r1", "SUF/2019-04/r1"],
            "rejected": [],
        }
    ]
    json.loads((zone / "manifest.json").read_text())  # plain JSON for any reader


def test_warehouse_raw_relations_are_views_over_exactly_the_listed_files(tmp_path: Path) -> None:
    write_submission(tmp_path, "SUF", "2019-03", "r1", with_malformed_line(4))
    load(tmp_path)
    wh, zone = tmp_path / "wh.duckdb", tmp_path / "raw"
    manifest = rawzone.read_manifest(zone)
    kinds = query(
        wh,
        "SELECT DISTINCT table_type FROM information_schema.tables"
        " WHERE starts_with(table_schema, 'raw_')",
    )
    assert kinds == [("VIEW",)]
    con = duckdb.connect(str(wh), read_only=True)
    for key, table in manifest.tables.items():
        in_view = sorted(con.execute(f"SELECT * FROM {key}").fetchall(), key=repr)
        in_files = [row for f in table.files for row in _read(con, zone / f.path)]
        assert in_view == sorted(in_files, key=repr), key
    con.close()
    # a table without files is a typed empty view: dbt sources always resolve
    assert query(wh, "SELECT count(*) FROM raw_ess.inmates") == [(0,)]
    assert query(wh, "SELECT typeof(_line), typeof(_revision) FROM raw_ess.inmates") == []
    # a file the manifest does not list is not seen, even inside a table's folder
    stray = zone / "raw_suf/inmates/agency=SUF/submission=SUF-2019-03-r1/run-0009_0.parquet"
    shutil.copyfile(zone / manifest.tables["raw_suf.inmates"].files[0].path, stray)
    assert query(wh, "SELECT count(*) FROM raw_suf.inmates") == [(4,)]


def test_every_raw_row_carries_its_lineage(tmp_path: Path) -> None:
    write_submission(tmp_path, "SUF", "2019-03", "r1", suf_files(4))
    write_submission(tmp_path, "SUF", "2019-03", "r2", suf_files(2, offset=7))
    load(tmp_path)
    wh = tmp_path / "wh.duckdb"
    for table in ("inmates", "bookings", "programs", "enrollments"):
        columns = [row[0] for row in query(wh, f"DESCRIBE raw_suf.{table}")][-len(LINEAGE) :]
        assert columns == LINEAGE
        nulls = " OR ".join(f"{name} IS NULL" for name in LINEAGE)
        assert query(wh, f"SELECT count(*) FROM raw_suf.{table} WHERE {nulls}") == [(0,)]
        lineage = query(
            wh,
            "SELECT DISTINCT _submission_id, _agency_code, _period, _revision, _file,"
            f" _loaded_at IS NOT NULL FROM raw_suf.{table} ORDER BY ALL",
        )
        assert lineage == [
            ("SUF/2019-03/r1", "SUF", "2019-03", 1, f"SUF/2019-03/r1/{table}.csv", True),
            ("SUF/2019-03/r2", "SUF", "2019-03", 2, f"SUF/2019-03/r2/{table}.csv", True),
        ]
    lines = query(wh, "SELECT _line FROM raw_suf.inmates WHERE _revision = 1 ORDER BY 1")
    assert lines == [(2,), (3,), (4,), (5,)]


# ----------------------------------------------------------------------------- idempotence


def test_reload_adds_nothing_to_the_zone(tmp_path: Path) -> None:
    write_submission(tmp_path, "SUF", "2019-03", "r1", suf_files(5))
    load(tmp_path)
    zone, wh = tmp_path / "raw", tmp_path / "wh.duckdb"
    files, before, view_sql = zone_files(zone), snapshot(wh), views(wh)
    again = load(tmp_path)
    assert again.skipped_already_loaded == ["SUF/2019-03/r1"] and again.accepted == []
    assert zone_files(zone) == files  # manifest included: no run recorded
    assert snapshot(wh) == before and views(wh) == view_sql


def test_changed_content_and_repeated_revision_are_refused_from_the_zones_ledger(tmp_path):
    folder = write_submission(tmp_path, "SUF", "2019-03", "r1", suf_files(5))
    load(tmp_path)
    (tmp_path / "wh.duckdb").unlink()  # the ledger read is the zone's, not the warehouse's
    write_submission(tmp_path, "SUF", "2019-03", "r2", suf_files(5))
    (folder / "programs.csv").write_bytes(suf_files(6)["programs.csv"].replace(b"GED", b"HSE"))
    checked = validate_submissions(tmp_path, PROJECT, tmp_path / "wh.duckdb")
    result = load(tmp_path)
    for outcome in (checked, result):
        assert outcome.rejected == ["SUF/2019-03/r1", "SUF/2019-03/r2"]
        assert [p.code for p in outcome.problems] == ["CHANGED_CONTENT", "DUPLICATE_SUBMISSION"]


def test_a_corrected_resend_forgets_the_rejection_and_keeps_one_ledger_file(tmp_path):
    bad = suf_files(5)
    bad["programs.csv"] = b"program_code|program_name|program_type|facility\nA|B|C|D\n"
    folder = write_submission(tmp_path, "SUF", "2019-03", "r1", bad)
    assert load(tmp_path).rejected == ["SUF/2019-03/r1"]
    assert load(tmp_path).rejected == ["SUF/2019-03/r1"]  # again: its rows replaced
    zone = tmp_path / "raw"
    ledger = query(tmp_path / "wh.duckdb", "SELECT outcome FROM raw_meta.load_ledger")
    assert ledger == [("rejected",)] * 4
    (folder / "programs.csv").write_bytes(suf_files(5)["programs.csv"])
    assert load(tmp_path).accepted == ["SUF/2019-03/r1"]
    outcomes = query(tmp_path / "wh.duckdb", "SELECT DISTINCT outcome FROM raw_meta.load_ledger")
    assert outcomes == [("loaded",)]
    manifest = rawzone.read_manifest(zone)
    assert [f.path for f in manifest.tables["raw_meta.load_ledger"].files] == [
        "_meta/load_ledger/run-0003.parquet"
    ]
    assert not (zone / "_meta/load_ledger/run-0002.parquet").exists()  # superseded: removed
    assert [run["kind"] for run in manifest.runs] == ["load"] * 3


# ----------------------------------------------------------------------------- crash safety


def test_load_killed_after_its_manifest_is_repaired_before_the_next_build(tmp_path: Path):
    """Killed between the manifest (the commit) and the warehouse's views: the zone holds the
    run, the views do not yet; `attach_raw_zone` (the first thing of every build) and the next
    load make them read the manifest's files, and are no-ops when nothing changed."""
    write_submission(tmp_path, "SUF", "2019-03", "r1", suf_files(5))
    load(tmp_path)
    write_submission(tmp_path, "SUF", "2019-04", "r1", suf_files(3, offset=10))
    script = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from cts.load import load_submissions
        load_submissions(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path), str(tmp_path / "wh.duckdb"), str(PROJECT)],
        env=dict(os.environ, **{CRASH_AFTER_MANIFEST_ENV: "1"}),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == -9, proc.stderr
    wh = tmp_path / "wh.duckdb"
    manifest = rawzone.read_manifest(tmp_path / "raw")
    assert [run["run"] for run in manifest.runs] == [1, 2]
    assert query(wh, "SELECT count(*) FROM raw_suf.inmates") == [(5,)]  # stale views
    # what `cts build` does first (the work dir's warehouse is `warehouse.duckdb`)
    work = tmp_path / "work"
    copy_warehouse_as(tmp_path, work)
    assert pipeline.attach_raw_zone(Workdir(work)) > 0
    assert query(work / "warehouse.duckdb", "SELECT count(*) FROM raw_suf.inmates") == [(8,)]
    assert pipeline.attach_raw_zone(Workdir(work)) == 0  # nothing changed: nothing made
    # and the next load, in the original
    again = load(tmp_path)
    assert again.skipped_already_loaded == ["SUF/2019-03/r1", "SUF/2019-04/r1"]
    assert query(wh, "SELECT count(*) FROM raw_suf.inmates") == [(8,)]
    assert rawzone.attach_duckdb(wh) == 0


def copy_warehouse_as(root: Path, work: Path) -> None:
    """The loader tests' `wh.duckdb` and its zone as a work dir (`warehouse.duckdb`, `raw/`)."""
    work.mkdir()
    shutil.copyfile(root / "wh.duckdb", work / "warehouse.duckdb")
    shutil.copytree(root / "raw", work / "raw")


# ----------------------------------------------------------------------------- work dirs


def test_a_copied_work_dir_reads_its_own_zone(tmp_path: Path) -> None:
    first = tmp_path / "first"
    write_submission(first, "SUF", "2019-03", "r1", suf_files(5))
    load_submissions(first, first / "warehouse.duckdb", PROJECT)
    second = tmp_path / "second"
    copy_warehouse(first, second)
    shutil.rmtree(first / "raw")
    assert pipeline.attach_raw_zone(Workdir(second)) > 0
    assert query(second / "warehouse.duckdb", "SELECT count(*) FROM raw_suf.inmates") == [(5,)]
    comments = {comment for _, comment in views(second / "warehouse.duckdb").values()}
    assert all(str(second / "raw") in comment for comment in comments)
    # a warehouse copied without its zone: one clear line, not a broken build
    third = tmp_path / "third"
    third.mkdir()
    shutil.copyfile(second / "warehouse.duckdb", third / "warehouse.duckdb")
    with pytest.raises(pipeline.PipelineError, match="reads a raw zone, but .* is missing"):
        pipeline.attach_raw_zone(Workdir(third))


def test_the_warehouse_is_made_again_from_the_zone(tmp_path: Path) -> None:
    write_submission(tmp_path, "SUF", "2019-03", "r1", with_malformed_line(5))
    load_submissions(tmp_path, tmp_path / "warehouse.duckdb", PROJECT)
    before = snapshot(tmp_path / "warehouse.duckdb")
    (tmp_path / "warehouse.duckdb").unlink()
    assert pipeline.attach_raw_zone(Workdir(tmp_path)) == len(before)
    assert snapshot(tmp_path / "warehouse.duckdb") == before


def test_a_warehouse_of_the_loader_before_the_zone_is_moved_into_it(tmp_path: Path) -> None:
    """Raw and raw_meta tables, no zone (what the loader wrote before): the next load writes
    them to the zone as run 1 (rows, lineage and ledger as they were) and loads as run 2."""
    write_submission(tmp_path, "SUF", "2019-03", "r1", with_malformed_line(5))
    bad = suf_files(2, offset=20)
    bad.pop("programs.csv")
    write_submission(tmp_path, "SUF", "2019-05", "r1", bad)
    load(tmp_path)
    wh = tmp_path / "wh.duckdb"
    before = snapshot(wh)
    con = duckdb.connect(str(wh))
    for name in before:  # every view made a table, as the old loader left them
        con.execute(f"CREATE TABLE {name}__t AS SELECT * FROM {name}")
        con.execute(f"DROP VIEW {name}")
        con.execute(f"ALTER TABLE {name}__t RENAME TO {name.split('.')[1]}")
    con.close()
    shutil.rmtree(tmp_path / "raw")
    assert snapshot(wh) == before
    checked = validate_submissions(tmp_path, PROJECT, wh)  # reads the old ledger table
    assert checked.skipped_already_loaded == ["SUF/2019-03/r1"]
    write_submission(tmp_path, "SUF", "2019-04", "r1", suf_files(3, offset=10))
    result = load(tmp_path)
    assert result.accepted == ["SUF/2019-04/r1"] and result.rejected == ["SUF/2019-05/r1"]
    assert result.skipped_already_loaded == ["SUF/2019-03/r1"]
    manifest = rawzone.read_manifest(tmp_path / "raw")
    assert [(run["run"], run["kind"]) for run in manifest.runs] == [(1, "converted"), (2, "load")]
    assert rawzone.verify(tmp_path / "raw", manifest) == []
    after = snapshot(wh)
    for name, rows in before.items():
        if name != "raw_meta.load_ledger":
            assert all(row in after[name] for row in rows), name
    assert len(after["raw_suf.inmates"]) == 5 + 3
    assert query(wh, "SELECT count(*) FROM duckdb_tables() WHERE schema_name LIKE 'raw%'") == [(0,)]
    ledger = query(wh, "SELECT submission_id, outcome FROM raw_meta.load_ledger")
    assert sorted(set(ledger)) == [
        ("SUF/2019-03/r1", "loaded"),
        ("SUF/2019-04/r1", "loaded"),
        ("SUF/2019-05/r1", "rejected"),
    ]


def test_changed_columns_are_one_clear_error(tmp_path: Path) -> None:
    write_submission(tmp_path, "SUF", "2019-03", "r1", suf_files(2))
    load(tmp_path)
    project = tmp_path / "project"
    shutil.copytree(PROJECT, project)
    sources = next((project / "models" / "staging" / "suf").glob("_*__sources.yml"))
    sources.write_text(sources.read_text().replace("- name: ethnicity", "- name: ethnic_group"))
    header = SUF_HEADERS["inmates.csv"].replace("ethnicity", "ethnic_group")
    files = suf_files(2, offset=5)
    files["inmates.csv"] = (
        header.encode() + files["inmates.csv"][files["inmates.csv"].index(b"\n") :]
    )
    write_submission(tmp_path, "SUF", "2019-04", "r1", files)
    with pytest.raises(LoadError, match=r"table raw_suf\.inmates in the raw zone has columns"):
        load_submissions(tmp_path, tmp_path / "wh.duckdb", project)


def test_parquet_tables_list_each_tables_files_and_types(tmp_path: Path) -> None:
    """What another engine (Spark) attaches to: the manifest's files, typed columns."""
    assert rawzone.parquet_tables(tmp_path / "raw") == []
    write_submission(tmp_path, "SUF", "2019-03", "r1", with_malformed_line(3))
    write_submission(tmp_path, "SUF", "2019-04", "r1", suf_files(2, offset=10))
    load(tmp_path)
    tables = {f"{t.schema}.{t.name}": t for t in rawzone.parquet_tables(tmp_path / "raw")}
    assert set(tables) == set(rawzone.read_manifest(tmp_path / "raw").tables)
    inmates = tables["raw_suf.inmates"]
    assert inmates.rows == 5 and len(inmates.paths) == 2
    assert all(p.is_absolute() and p.is_relative_to(inmates.directory) for p in inmates.paths)
    assert inmates.columns[-1] == ("_loaded_at", "TIMESTAMP")
    assert tables["raw_ess.inmates"].paths == () and tables["raw_ess.inmates"].rows == 0
    rejected = tables["raw_meta.rejected_lines"]
    assert rejected.rows == 1 and rejected.paths[0].name == "run-0001.parquet"
    con = duckdb.connect()
    count = con.execute("SELECT count(*) FROM read_parquet(?)", [[str(p) for p in inmates.paths]])
    assert count.fetchone() == (5,)


def test_a_correction_replaces_the_earlier_revision_downstream(tiny: Path) -> None:
    """On the tiny build: the raw views keep every revision of a corrected month (r1 and r2
    side by side in the zone), and downstream every row of an earlier revision is SUPERSEDED,
    none of the latest."""
    con = duckdb.connect(str(tiny / "warehouse.duckdb"), read_only=True)
    try:
        corrected = con.execute(
            "SELECT count(*) FROM (SELECT agency_code, period FROM raw_meta.submissions"
            " GROUP BY ALL HAVING count(*) > 1)"
        ).fetchone()[0]
        outcomes = con.execute(
            """
            with latest as (
                select agency_code, period, max(revision) as revision
                from raw_meta.submissions group by all
            )
            select d.revision_number = l.revision as is_latest, d.disposition = 'SUPERSEDED',
                count(*)
            from intermediate.int_raw_rows_dispositioned as d
            inner join latest as l
                on d.agency_code = l.agency_code and d.reporting_period = l.period
            group by all order by all
            """
        ).fetchall()
        revisions = con.execute(
            "SELECT count(DISTINCT _submission_id) FROM raw_suf.enrollments"
        ).fetchone()[0]
    finally:
        con.close()
    assert corrected > 0
    assert [(latest, superseded) for latest, superseded, _ in outcomes] == [
        (False, True),
        (True, False),
    ]
    suf = rawzone.read_manifest(tiny / "raw").tables["raw_suf.enrollments"]
    assert revisions == len({f.submission_id for f in suf.files})


@pytest.mark.parametrize("rows", [0, 1, 127, 128, 70_000, 300_000])
def test_parquet_row_count_reads_the_footer(tmp_path: Path, rows: int) -> None:
    """The footer parser the loader checks every file with agrees with DuckDB's reader."""
    path = tmp_path / "t.parquet"
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT i, i::VARCHAR AS s, NULL::TIMESTAMP AS t, i % 2 = 0 AS b,"
        f" [i, i] AS l, {{'k': i}} AS m FROM range({rows}) r(i)) TO '{path}'"
        " (FORMAT parquet, ROW_GROUP_SIZE 100000)"
    )
    expected = con.execute("SELECT num_rows FROM parquet_file_metadata(?)", [str(path)])
    assert rawzone.parquet_row_count(path.read_bytes()) == expected.fetchone()[0] == rows
    with pytest.raises(ValueError, match="not a Parquet file"):
        rawzone.parquet_row_count(b"PAR1 not really")


def test_the_same_submissions_give_the_same_files(tiny: Path, tmp_path: Path) -> None:
    """The tiny build's submissions loaded again: the same files as the tiny build's own load,
    each with the same rows in the same order (every COPY on one thread), every file as its
    manifest says."""
    load_submissions(tiny / "data", tmp_path / "again" / "warehouse.duckdb", REPO)
    zones = [tiny / "raw", tmp_path / "again" / "raw"]
    manifests = [rawzone.read_manifest(zone) for zone in zones]
    assert rawzone.verify(zones[0], manifests[0]) == []
    files = [sorted((f.path, f.rows) for f in m.files()) for m in manifests]
    assert files[0] == files[1] and len(files[0]) > 1000
    con = duckdb.connect()
    for table in manifests[0].tables.values():
        if table.schema == "raw_meta" or not table.files:
            continue
        orders = [
            con.execute(
                "SELECT filename[length(?) + 1:], _submission_id, _line FROM read_parquet(?,"
                " filename = true, file_row_number = true, hive_partitioning = false)"
                " ORDER BY filename, file_row_number",
                [str(zone), [str(zone / f.path) for f in table.files]],
            ).fetchall()
            for zone in zones
        ]
        assert orders[0] == orders[1], table.qualified_name
