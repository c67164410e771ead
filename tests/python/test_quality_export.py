"""The agencies' data-quality report is exported beside (never inside) the public data."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from cts.export import export_quality
from cts.paths import Workdir


def make_warehouse(root: Path, with_report: bool) -> Workdir:
    workdir = Workdir(root)
    root.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(workdir.warehouse))
    con.execute("create schema quality")
    if with_report:
        con.execute(
            "create table quality.rpt_data_quality as select * from (values"
            " ('SUF', 'SUF/2019-03/r1', 'SUF/2019-03/r1/inmates.csv', 'CLEAN', 'USED', 12),"
            " ('SUF', 'SUF/2019-03/r1', 'SUF/2019-03/r1/inmates.csv', 'QUARANTINED',"
            " 'MISSING_AGENCY_PERSON_ID', 1))"
            " as t(agency_code, submission_id, source_file, row_outcome, reason, row_count)"
        )
    con.close()
    return workdir


def test_quality_report_is_written_beside_the_public_data(tmp_path: Path) -> None:
    workdir = make_warehouse(tmp_path / "work", with_report=True)
    files = export_quality(workdir)
    assert sorted(entry["path"] for entry in files) == [
        "rpt_data_quality.csv",
        "rpt_data_quality.parquet",
    ]
    assert all(entry["rows"] == 2 for entry in files)
    csv_lines = (workdir.quality / "rpt_data_quality.csv").read_text().splitlines()
    assert csv_lines[0].startswith("agency_code,submission_id")
    assert "MISSING_AGENCY_PERSON_ID" in csv_lines[1] + csv_lines[2]
    manifest = json.loads((workdir.quality / "manifest.json").read_text())
    assert {entry["path"] for entry in manifest["files"]} == {entry["path"] for entry in files}
    assert not workdir.public.exists()


def test_no_quality_report_writes_nothing(tmp_path: Path) -> None:
    workdir = make_warehouse(tmp_path / "work", with_report=False)
    assert export_quality(workdir) == []
    assert not workdir.quality.exists()
