"""The postgres target: the engine module's pieces, and (marked `postgres`, `make
test-postgres`) a tiny build on PostgreSQL compared with the DuckDB build of the same data."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import duckdb
import pytest
from cts import pipeline
from cts.engines import postgres
from cts.paths import Workdir
from project_kit import copy_project
from submission_kit import copy_warehouse, leave_killed_load_files

CHECKOUT = Path(__file__).resolve().parents[2]
PROJECT = CHECKOUT


def _dev(name: str):
    spec = importlib.util.spec_from_file_location(name, CHECKOUT / "dev" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


# --- without a server ------------------------------------------------------------------------


def test_dsn_gives_the_profile_its_connection():
    connection = postgres.from_dsn("postgresql://ann:secret@db.example:6543/cts_prod")
    assert connection.profile_environment() == {
        "CTS_POSTGRES_HOST": "db.example",
        "CTS_POSTGRES_PORT": "6543",
        "CTS_POSTGRES_USER": "ann",
        "CTS_POSTGRES_PASSWORD": "secret",
        "CTS_POSTGRES_DBNAME": "cts_prod",
    }
    assert postgres.from_dsn("host=/tmp/sockets port=5433 user=u dbname=d").host == "/tmp/sockets"


def test_a_bad_dsn_is_one_clear_error():
    with pytest.raises(postgres.PostgresError, match="CTS_POSTGRES_DSN"):
        postgres.from_dsn("not a dsn at all =")


def test_the_pseudonym_key_reaches_sessions_escaped_and_only_meanwhile(monkeypatch):
    monkeypatch.delenv("PGOPTIONS", raising=False)
    with postgres.session_settings({"cts.pseudonym_key": "a key\\with"}):
        assert os.environ["PGOPTIONS"] == "-c cts.pseudonym_key=a\\ key\\\\with"
    assert "PGOPTIONS" not in os.environ


def test_types_map_both_ways():
    assert postgres._postgres_type("DECIMAL(7,4)") == "numeric(7,4)"
    assert postgres._postgres_type("VARCHAR") == "text"
    assert postgres._duckdb_type("numeric", 7, 4) == "DECIMAL(7,4)"
    assert postgres._duckdb_type("double precision", 53, None) == "DOUBLE"
    with pytest.raises(postgres.PostgresError):
        postgres._postgres_type("STRUCT(a INTEGER)")


def test_unknown_target_is_a_usage_error(tmp_path):
    with pytest.raises(pipeline.PipelineError, match="unknown target"):
        pipeline.build(Workdir(tmp_path), PROJECT, target="oracle")


# --- on PostgreSQL (make test-postgres) -------------------------------------------------------


def _require_postgres() -> None:
    """PostgreSQL's server programs, or a skip; a failure where they are required (`make
    test-postgres` sets CTS_REQUIRE_POSTGRES=1 after installing them)."""
    try:
        postgres.bin_dir()
    except postgres.PostgresError as error:
        if os.environ.get("CTS_REQUIRE_POSTGRES"):
            pytest.fail(str(error))
        pytest.skip(f"{error} (make postgres)")


@pytest.fixture(scope="module")
def built_on_postgres(tiny: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny DuckDB build's loaded submissions, built again on a throwaway local cluster,
    the raw zone holding a killed load's files too (never copied to the server)."""
    if os.environ.get(postgres.DSN_ENV):
        pytest.skip("CTS_POSTGRES_DSN is set: these tests start their own cluster")
    _require_postgres()
    home = Workdir(tmp_path_factory.mktemp("pg") / "work").ensure()
    copy_warehouse(tiny, home.root)
    shutil.copyfile(tiny / "generation.json", home.generation_record)
    assert leave_killed_load_files(home.root) > 0
    outcome = pipeline.build(home, PROJECT, target="postgres")
    assert outcome.ok
    return home.root


# Identity clusters compare exactly; match_probability, a double summed over EM rounds, may
# differ in its last bit (the engines add in other orders): see README "Other engines".
CLUSTER_COLUMNS = "agency_code, agency_person_id, person_id, link_method, sid_status"


@pytest.mark.postgres
def test_postgres_builds_the_same_relations_as_duckdb(tiny, built_on_postgres, tmp_path):
    """Program mapping, the counts to publish, the restricted fact and the quality reports: the
    same rows, written out as the same bytes; identity clusters the same."""
    compare = _dev("compare_engines")
    relations = [r for r in compare.DEFAULT_RELATIONS if r != "intermediate.int_persons_linked"]
    relations.append("raw_suf.inmates")  # beside a killed load's files: only the manifest's
    results = compare.compare(tiny, built_on_postgres, relations)
    different = [entry for entry in results if not entry["identical"]]
    assert different == []
    rows = {entry["relation"]: entry["postgres_rows"] for entry in results}
    assert rows["restricted.fct_program_enrollments"] > 1000
    copy = tmp_path / "linked.duckdb"
    with postgres.server(built_on_postgres) as connection:
        postgres.mirror(connection, copy, [("intermediate", "int_persons_linked")])
    con = duckdb.connect()
    con.execute(f"attach '{copy}' as on_postgres (read_only)")
    con.execute(f"attach '{tiny / 'warehouse.duckdb'}' as on_duckdb (read_only)")
    clusters = {
        side: con.execute(
            f"select {CLUSTER_COLUMNS} from {side}.intermediate.int_persons_linked order by all"
        ).fetchall()
        for side in ("on_duckdb", "on_postgres")
    }
    assert len(clusters["on_duckdb"]) > 100
    assert clusters["on_duckdb"] == clusters["on_postgres"]
    drift = con.execute(
        "select max(abs(d.match_probability - p.match_probability))"
        " from on_duckdb.intermediate.int_persons_linked as d"
        " inner join on_postgres.intermediate.int_persons_linked as p"
        " using (agency_code, agency_person_id)"
    ).fetchall()[0][0]
    assert drift is None or drift < 1e-12


@pytest.mark.postgres
def test_postgres_quality_export_is_byte_identical(tiny, built_on_postgres):
    home = Workdir(built_on_postgres)
    pipeline.export(home, PROJECT, target="postgres")
    assert _dev("compare_exports").compare(tiny / "quality", home.quality) == []


@pytest.mark.postgres
def test_postgres_public_export_is_byte_identical(tiny, built_on_postgres):
    home = Workdir(built_on_postgres)
    pipeline.export(home, PROJECT, target="postgres")
    assert _dev("compare_exports").compare(tiny / "public", home.public) == []


@pytest.mark.postgres
@pytest.mark.postgres_more
def test_the_disclosure_check_verifies_the_certificates_kept_on_postgres(built_on_postgres):
    home = Workdir(built_on_postgres)
    pipeline.export(home, PROJECT, target="postgres")
    # the DuckDB file copied in holds the DuckDB build's decisions: the check must read the
    # server's, so the file is out of the way meanwhile
    aside = home.warehouse.with_name("aside.duckdb")
    home.warehouse.rename(aside)
    try:
        report = pipeline.check_disclosure(home, PROJECT, target="postgres")
    finally:
        aside.rename(home.warehouse)
    assert report["ok"] and report["certificates"]["given"] > 0
    assert report["certificates"]["rejected"] == 0
    assert report["certificates"]["counts_proven"] == report["withheld"] > 0
    assert report["searched"]["counts"] == 0


@pytest.mark.postgres
def test_cluster_is_stopped_after_the_build(built_on_postgres):
    cluster = postgres.cluster_dir(built_on_postgres)
    assert (cluster / "PG_VERSION").is_file()
    assert not (cluster / "postmaster.pid").exists()


@pytest.mark.postgres
@pytest.mark.postgres_more
def test_a_dsn_server_is_used_as_it_is(built_on_postgres, tmp_path, monkeypatch):
    """With CTS_POSTGRES_DSN set, cts starts no cluster of its own and builds on that server."""
    with postgres.local_cluster(built_on_postgres) as server:
        dsn = f"host={server.host} port={server.port} user={server.user} dbname=elsewhere"
        admin = server.connect()
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("drop database if exists elsewhere")
            cursor.execute("create database elsewhere")
        admin.close()
        monkeypatch.setenv(postgres.DSN_ENV, dsn)
        home = Workdir(tmp_path / "work").ensure()
        copy_warehouse(built_on_postgres, home.root)
        selection = ["--select", "engine_conformance+", "stg_suf__persons"]
        outcome = pipeline.build(home, PROJECT, selection, target="postgres")
        assert outcome.ok
        assert not (home.root / "postgres").exists()
        other = postgres.Connection(server.host, server.port, server.user, "elsewhere").connect()
        with other.cursor() as cursor:
            cursor.execute("select count(*) from raw_suf.inmates")
            assert cursor.fetchone()[0] > 0
        other.close()


@pytest.mark.postgres
def test_the_export_mirror_keeps_types_and_nulls(tmp_path):
    """The CSV round trip of the mirror: empty strings stay empty, NULLs stay NULL."""
    source = tmp_path / "raw.duckdb"
    con = duckdb.connect(str(source))
    con.execute("create schema raw_x")
    con.execute("create table raw_x.t (a varchar, b integer, c timestamp)")
    con.execute("insert into raw_x.t values ('', 1, null), (null, null, '2020-01-02 03:04:05')")
    con.execute("insert into raw_x.t values ('say \"hi\", then\nbye', 3, null)")
    con.close()
    _require_postgres()
    with postgres.local_cluster(tmp_path) as connection:
        postgres.copy_raw_tables(source, connection)
        copy = postgres.mirror(connection, tmp_path / "mirror.duckdb", [("raw_x", "t")])
    rows = duckdb.connect(str(copy)).execute("select * from raw_x.t order by b").fetchall()
    assert [row[:2] for row in rows] == [("", 1), ('say "hi", then\nbye', 3), (None, None)]
    assert str(rows[2][2]) == "2020-01-02 03:04:05"


@pytest.mark.postgres
@pytest.mark.postgres_more
def test_changed_on_postgres_builds_only_the_edited_model_and_its_dependents(
    built_on_postgres, tmp_path
):
    import json

    from cts import dbt as dbt_module

    home = Workdir(built_on_postgres)
    project = copy_project(tmp_path / "project")
    # the whole build on postgres kept its own state, apart from DuckDB's
    assert (dbt_module.state_dir(home, "postgres") / "manifest.json").is_file()
    assert dbt_module.state_dir(home, "postgres") != dbt_module.state_dir(home)
    model = project / "models" / "intermediate" / "int_raw_rows_dispositioned.sql"
    model.write_text("-- edited\n" + model.read_text())
    outcome = pipeline.build(home, project, changed=True, target="postgres")
    assert outcome.ok
    ran = {
        node["unique_id"]
        for node in json.loads((home.target / "run_results.json").read_text())["results"]
    }
    models = {unique_id for unique_id in ran if unique_id.startswith("model.")}
    assert models == {
        "model.cts_programs.int_raw_rows_dispositioned",
        "model.cts_programs.rpt_data_quality",
    }
    assert any(unique_id.startswith("test.") for unique_id in ran)
