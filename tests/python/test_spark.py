"""The spark target (marked `spark`, `make test-spark`): the tiny build's loaded submissions
built again on a local Spark session and compared with the DuckDB build, byte for byte."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest
from cts import pipeline
from cts.paths import Workdir
from submission_kit import copy_warehouse, leave_killed_load_files

CHECKOUT = Path(__file__).resolve().parents[2]
PROJECT = CHECKOUT
# compared row for row (identity clusters through their persons: see below)
RELATIONS = [
    "intermediate.int_programs_mapped",
    "intermediate.int_published_counts_unpivoted",
    "restricted.fct_program_enrollments",
    "quality.rpt_data_quality",
    "quality.rpt_program_mapping_audit",
]
CLUSTERS = "intermediate.int_persons_linked"
RAW = "raw_suf.inmates"  # beside a killed load's files (leave_killed_load_files)
CLUSTER_COLUMNS = "agency_code, agency_person_id, person_id, link_method, sid_status"


def _dev(name: str):
    spec = importlib.util.spec_from_file_location(name, CHECKOUT / "dev" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


@pytest.fixture(scope="module")
def built_on_spark(tiny: Path, tmp_path_factory: pytest.TempPathFactory):
    """Build, export and check on one Spark session, the raw zone holding a killed load's
    files; the compared relations copied out."""
    if importlib.util.find_spec("pyspark") is None:
        pytest.fail("pyspark is not installed: make test-spark installs requirements-spark.txt")
    home = Workdir(tmp_path_factory.mktemp("spark") / "work").ensure()
    copy_warehouse(tiny, home.root)
    shutil.copyfile(tiny / "generation.json", home.generation_record)
    assert leave_killed_load_files(home.root) > 0
    relations = home.root / "relations.duckdb"
    with pipeline.engine(home, "spark") as session:
        outcome = pipeline.build(home, PROJECT, target="spark", connection=session)
        pipeline.export(home, PROJECT, target="spark", connection=session)
        report = pipeline.check_disclosure(home, PROJECT, target="spark", connection=session)
        tables = [tuple(r.split(".", 1)) for r in [*RELATIONS, CLUSTERS, RAW]]
        session.mirror(relations, tables)
    return home, outcome, report, relations


@pytest.mark.spark
def test_spark_build_passes_every_test_the_engine_functions_included(built_on_spark):
    _, outcome, _, _ = built_on_spark
    assert outcome.ok and outcome.nodes > 800  # models, seeds, data and unit tests


@pytest.mark.spark
def test_spark_public_export_is_byte_identical(tiny, built_on_spark):
    home = built_on_spark[0]
    assert _dev("compare_exports").compare(tiny / "public", home.public) == []


@pytest.mark.spark
def test_spark_quality_export_is_byte_identical(tiny, built_on_spark):
    home = built_on_spark[0]
    assert _dev("compare_exports").compare(tiny / "quality", home.quality) == []


@pytest.mark.spark
def test_spark_builds_the_same_relations_as_duckdb(tiny, built_on_spark):
    relations = built_on_spark[3]
    digest = _dev("compare_engines").digest
    for relation in RELATIONS:
        assert digest(relations, relation) == digest(tiny / "warehouse.duckdb", relation), relation
    import duckdb

    con = duckdb.connect()
    con.execute(f"attach '{relations}' as on_spark (read_only)")
    con.execute(f"attach '{tiny / 'warehouse.duckdb'}' as on_duckdb (read_only)")
    query = "select {} from {}.{} order by all"
    clusters = {
        side: con.execute(query.format(CLUSTER_COLUMNS, side, CLUSTERS)).fetchall()
        for side in ("on_duckdb", "on_spark")
    }
    assert len(clusters["on_duckdb"]) > 100
    assert clusters["on_duckdb"] == clusters["on_spark"]


@pytest.mark.spark
def test_the_disclosure_check_verifies_the_certificates_kept_on_spark(built_on_spark):
    report = built_on_spark[2]
    assert report["ok"] and report["certificates"]["given"] > 0
    assert report["certificates"]["rejected"] == 0
    assert report["certificates"]["counts_proven"] == report["withheld"] > 0


@pytest.mark.spark
def test_spark_reads_the_raw_zone_in_place_and_only_its_manifest_files(tiny, built_on_spark):
    """The raw tables are views over exactly the manifest's files: a killed load's files in
    the same folders are not read, and the rows are DuckDB's."""
    home, relations = built_on_spark[0], built_on_spark[3]
    digest = _dev("compare_engines").digest
    assert digest(relations, RAW) == digest(tiny / "warehouse.duckdb", RAW)
    with pipeline.engine(home, "spark") as session:
        kind = session.session.catalog.getTable(RAW).tableType
    assert kind == "VIEW"
