"""`cts build --changed` on a copy of the tiny build: only the edited model and what depends on it
run (dbt state:modified+ against the last successful build, deferring to it)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cts import dbt as dbt_module
from cts.cli import cli
from cts.paths import Workdir
from project_kit import copy_project
from submission_kit import copy_warehouse

CHECKOUT = Path(__file__).resolve().parents[2]
EDITED = "model.cts_programs.int_raw_rows_dispositioned"


def descendants(manifest: dict, unique_id: str) -> set[str]:
    found, todo = set(), [unique_id]
    while todo:
        for child in manifest["child_map"].get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


@pytest.fixture
def copied(tiny: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the project and of the tiny warehouse, with the state of a build of the copy."""
    project = copy_project(tmp_path / "project")
    workdir = tmp_path / "work"
    copy_warehouse(tiny, workdir)
    # the state of the last successful build: the manifest of the unchanged project
    outcome = dbt_module.invoke(["parse"], Workdir(workdir), project)
    assert outcome.ok, outcome.exception
    state = dbt_module.state_dir(Workdir(workdir))
    state.mkdir()
    shutil.copyfile(workdir / "target" / "manifest.json", state / "manifest.json")
    return project, workdir


def build_changed(runner, project: Path, workdir: Path):
    return runner.invoke(
        cli, ["--project-dir", str(project), "--workdir", str(workdir), "build", "--changed"]
    )


def test_changed_builds_only_the_edited_model_and_its_dependents(runner, copied):
    project, workdir = copied
    model = project / "models" / "intermediate" / "int_raw_rows_dispositioned.sql"
    model.write_text("-- edited\n" + model.read_text())
    result = build_changed(runner, project, workdir)
    assert result.exit_code == 0, result.output
    manifest = json.loads((workdir / "target" / "manifest.json").read_text())
    ran = {
        node["unique_id"]
        for node in json.loads((workdir / "target" / "run_results.json").read_text())["results"]
    }
    assert EDITED in ran
    assert ran - {EDITED} <= descendants(manifest, EDITED)
    models = {unique_id for unique_id in ran if unique_id.startswith("model.")}
    assert models == {EDITED, "model.cts_programs.rpt_data_quality"}
    assert any(unique_id.startswith("test.") for unique_id in ran)
    # the state moved on: nothing has changed since this build
    again = build_changed(runner, project, workdir)
    assert again.exit_code == 0, again.output
    assert "dbt build: 0 nodes" in again.stderr, again.stderr


def test_changed_without_an_earlier_build_selects_everything(workdir):
    assert dbt_module.changed_selection(Workdir(workdir)) == []
