"""Helpers shared by the loader's tests: small valid submissions, warehouse snapshots, and the
one-error-line check of the CLI."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb

PROJECT = Path(__file__).parent / "fixtures" / "load" / "project"
REPO = Path(__file__).resolve().parents[2]

SUF_HEADERS = {
    "inmates.csv": "inmate_id,sid,last_name,first_name,middle_name,dob,sex,race,ethnicity",
    "bookings.csv": "booking_no,inmate_id,facility,booking_date,release_date,custody_status,"
    "release_reason",
    "programs.csv": "program_code,program_name,program_type,facility",
    "enrollments.csv": "enrollment_id,booking_no,program_code,start_date,end_date,exit_reason",
}


def suf_files(rows: int = 5, offset: int = 0) -> dict[str, bytes]:
    """A valid SUF submission (enroll layout, comma, UTF-8) with `rows` records per file."""
    people, stays, enrollments = [], [], []
    for n in range(offset, offset + rows):
        people.append(f"I{n:05d},{100000 + n},Smith{n},Ann,,1980-01-{n % 28 + 1:02d},F,W,N")
        stays.append(f"B{n:05d},I{n:05d},SUF-HOC,2019-0{n % 9 + 1}-01,,SENTENCED,")
        enrollments.append(f"E{n:05d},B{n:05d},P{n % 3},2019-03-01,,Completed")
    programs = ['P0,"Anger Management, Level 1",BEHAVIORAL,SUF-HOC', "P1,GED,EDUCATION,SUF-HOC"]
    programs.append("P2,Carpentry,VOCATIONAL,SUF-HOC")
    bodies = {
        "inmates.csv": people,
        "bookings.csv": stays,
        "programs.csv": programs,
        "enrollments.csv": enrollments,
    }
    return {
        name: ("\n".join([SUF_HEADERS[name], *lines]) + "\n").encode()
        for name, lines in bodies.items()
    }


def write_submission(
    root: Path, agency: str, period: str, revision: str, files: dict[str, bytes]
) -> Path:
    folder = root / "submissions" / agency / period / revision
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def query(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    """Every table's and view's full content (the raw relations are views over the raw zone),
    for comparing warehouse states."""
    if not warehouse.exists():
        return {}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables"
            " WHERE table_catalog = current_database() ORDER BY ALL"
        ).fetchall()
        return {
            f"{s}.{t}": sorted(con.execute(f'SELECT * FROM "{s}"."{t}"').fetchall(), key=repr)
            for s, t in tables
        }
    finally:
        con.close()


def zone_files(zone: Path) -> dict[str, str]:
    """Every file under a raw zone (listed or not) → its sha256."""
    if not zone.is_dir():
        return {}
    return {
        path.relative_to(zone).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(zone.rglob("*"))
        if path.is_file()
    }


def views(warehouse: Path) -> dict[str, tuple[str, str]]:
    """The warehouse's views: name → (SQL, comment)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "SELECT schema_name || '.' || view_name, sql, comment FROM duckdb_views()"
            " WHERE NOT internal ORDER BY ALL"
        ).fetchall()
        return {name: (sql, comment) for name, sql, comment in rows}
    finally:
        con.close()


def copy_warehouse(source: Path, target: Path) -> None:
    """A work dir's warehouse and the raw zone it reads (`raw/`), copied into another."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source / "warehouse.duckdb", target / "warehouse.duckdb")
    if (source / "raw").is_dir():
        shutil.copytree(source / "raw", target / "raw")


def leave_killed_load_files(work: Path, table: str = "raw_suf/inmates") -> int:
    """What a load killed before its manifest leaves in a work dir's raw zone: a file of a
    run the manifest does not know, beside a listed one of `table`, and a submission folder
    of its own; returns the rows they hold (rows no engine may read)."""
    folders = sorted((work / "raw" / table).glob("agency=*/submission=*"))
    listed = sorted(folders[0].glob("*.parquet"))[0]
    orphans = [
        folders[0] / "run-9999_0.parquet",
        folders[0].with_name(folders[0].name[:-1] + "9") / "run-9999_0.parquet",
    ]
    for orphan in orphans:
        orphan.parent.mkdir(exist_ok=True)
        shutil.copyfile(listed, orphan)
    with duckdb.connect() as con:
        return sum(
            con.execute("select count(*) from read_parquet(?)", [str(o)]).fetchone()[0]
            for o in orphans
        )


def one_error_line(result) -> str:
    """The error is one line, the last one on stderr; no traceback anywhere."""
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if ": error:" in line]
    assert len(errors) == 1 and lines[-1] == errors[0], result.stderr
    return errors[0]
