"""An agency is described once: the staged models come from the sources YAML, the generator
names no agency, and `cts add-agency` scaffolds a new agency that reaches the marts
(docs/adding_an_agency.md)."""

from __future__ import annotations

import ast
import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from cts import scaffold
from cts.cli import cli

ROOT = Path(__file__).resolve().parents[2]
CTS = Path(sys.executable).parent / "cts"
# What a copy of the project for a scratch build leaves out.
NOT_COPIED = {".git", ".venv", "work", "bench", "target", "logs", "dbt_packages", "docs", "runner"}


def agency_codes(project: Path = ROOT) -> set[str]:
    with (project / scaffold.AGENCIES_SEED).open(encoding="utf-8", newline="") as handle:
        return {row["agency_code"] for row in csv.DictReader(handle)}


def test_declared_staged_models_are_current():
    assert scaffold.is_current(ROOT), "run: python -m cts.scaffold --sync"


def test_every_source_table_is_staged_by_the_model_its_entity_names():
    staged = {t.model_name: t for t in scaffold.staged_tables(ROOT)}
    files = {}
    for path in ROOT.glob("models/staging/*/stg_*.sql"):
        match = re.search(r"stage_\w+\('(\w+)', '(\w+)'\)", path.read_text(encoding="utf-8"))
        if match:
            files[path.stem] = match.groups()
    assert sorted(files) == sorted(staged)
    for name, (source_name, table_name) in files.items():
        assert (staged[name].source_name, staged[name].table_name) == (source_name, table_name)


def test_the_generator_names_no_agency():
    codes = agency_codes()
    found = []
    for path in sorted((ROOT / "runner" / "cts" / "generate").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
            if is_text and (node.value in codes or re.match(rf"^({'|'.join(codes)})_", node.value)):
                found.append(f"{path.name}:{node.lineno} {node.value!r}")
    assert found == []


def test_add_agency_refuses_what_it_cannot_copy(tmp_path):
    project = copy_project(tmp_path / "project")
    with pytest.raises(scaffold.ScaffoldError, match="already"):
        scaffold.add_agency(project, "SUF", "WOR", "Suffolk again")
    with pytest.raises(scaffold.ScaffoldError, match="sheriff"):
        scaffold.add_agency(project, "XYZ", "DOC", "A second state system")
    with pytest.raises(scaffold.ScaffoldError, match="no agency"):
        scaffold.add_agency(project, "XYZ", "QQQ", "Copy of nothing")


def copy_project(target: Path) -> Path:
    def ignore(directory: str, names: list[str]) -> set[str]:
        top = Path(directory) == ROOT
        return {n for n in names if (top and n in NOT_COPIED) or n == "__pycache__"}

    shutil.copytree(ROOT, target, ignore=ignore)
    return target


def cts(project: Path, workdir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CTS_PROJECT_DIR": str(project), "CTS_WORKDIR": str(workdir)}
    return subprocess.run(
        [str(CTS), *args], env=env, cwd=project, capture_output=True, text=True, timeout=600
    )


@pytest.mark.scaffold
def test_a_scaffolded_agency_reaches_the_marts(tmp_path):
    """README "Adding an agency": scaffold XYZ like Dukes (layout enroll, the smallest county)
    in a copy of the project, generate tiny data, load, build the restricted and quality marts
    (not the disclosure protection) with XYZ's staging tests, and find XYZ's enrollments and
    files there."""
    project = copy_project(tmp_path / "project")
    workdir = tmp_path / "work"
    result = scaffold.add_agency(project, "XYZ", "DUK", "Xyz County Sheriff's Office", "Xyz")
    assert Path("models/staging/xyz/stg_xyz__enrollments.sql") in result.written
    assert "stg_xyz__persons" in scaffold.staged_models(project)["persons"]
    assert "XYZ" in agency_codes(project)

    steps = [
        ("generate", "--scale", "tiny", "--seed", "7"),
        ("load",),
        # The models the marts need, and the new agency's staging models with their tests.
        (
            "build",
            "--",
            "--select",
            "+fct_program_enrollments",
            "+rpt_data_quality",
            "path:models/staging/xyz",
            "--indirect-selection",
            "empty",
        ),
    ]
    for step in steps:
        done = cts(project, workdir, *step)
        assert done.returncode == 0, f"cts {' '.join(step)}:\n{done.stdout}\n{done.stderr}"
    assert (workdir / "data" / "submissions" / "XYZ").is_dir()

    with duckdb.connect(str(workdir / "warehouse.duckdb"), read_only=True) as con:
        enrollments = con.execute(
            "select count(*) from restricted.fct_program_enrollments where agency_code = 'XYZ'"
        ).fetchall()[0][0]
        files = con.execute(
            "select distinct source_file from quality.rpt_data_quality where agency_code = 'XYZ'"
        ).fetchall()
    assert enrollments > 0
    sent = {Path(name).name for (name,) in files}
    assert sent == {"inmates.csv", "bookings.csv", "programs.csv", "enrollments.csv"}


def test_cts_add_agency_writes_the_agency_and_refuses_a_second_time(tmp_path):
    project = copy_project(tmp_path / "project")
    args = ["--project-dir", str(project), "add-agency", "abc", "--like", "WOR", "--name", "Abc"]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert "models/staging/abc/stg_abc__enrollments.sql" in first.output
    assert scaffold.is_current(project)
    assert (project / "models/staging/abc/_abc__sources.yml").is_file()
    second = CliRunner().invoke(cli, args)
    assert second.exit_code == 1
    assert "ABC is already in seeds/reference/agencies.csv" in second.output
