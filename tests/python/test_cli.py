"""The `cts` command driven in-process: help, error paths, build exit codes, export, status."""

from __future__ import annotations

import hashlib
import json
import sys
import types
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest
from click.testing import CliRunner
from cts import dbt as dbt_module
from cts import pipeline
from cts.cli import cli
from cts.console import ConsoleReporter
from submission_kit import one_error_line

SUBCOMMANDS = ["generate", "load", "validate", "build", "export", "run", "docs", "status"]


def invoke(runner: CliRunner, workdir: Path, *args: str):
    return runner.invoke(cli, ["--workdir", str(workdir), *args])


# --- help --------------------------------------------------------------------------------------


def test_group_help_lists_every_subcommand(runner):
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in SUBCOMMANDS:
        assert name in result.output


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_every_subcommand_has_help(runner, name):
    result = runner.invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert f"Usage: cts {name}" in result.output
    assert "--workdir" in result.output


# --- work dir --------------------------------------------------------------------------------


def test_default_workdir_is_work_in_the_checkout(runner, workdir):
    checkout = Path(__file__).resolve().parents[2]
    result = runner.invoke(cli, ["status"])
    assert f"Work dir: {checkout / 'work'}" in result.output


def test_workdir_from_env_and_from_subcommand_option(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("CTS_WORKDIR", str(tmp_path / "from-env"))
    result = runner.invoke(cli, ["status"])
    assert str(tmp_path / "from-env") in result.output
    result = runner.invoke(cli, ["status", "--workdir", str(tmp_path / "from-option")])
    assert str(tmp_path / "from-option") in result.output


# --- user errors: one line, non-zero, no traceback ---------------------------------------------


def test_bad_scale_is_one_line_and_exit_2(runner, workdir):
    result = invoke(runner, workdir, "generate", "--scale", "huge")
    assert result.exit_code == 2
    line = one_error_line(result)
    assert result.stderr.strip() == line
    assert line.startswith("cts generate: error:")
    assert "huge" in line


def test_load_of_a_missing_path_is_one_line(runner, workdir):
    result = invoke(runner, workdir, "load", str(workdir / "nowhere"))
    assert result.exit_code != 0
    assert "no submissions at" in one_error_line(result)


def test_export_without_a_warehouse_is_one_line(runner, workdir):
    result = invoke(runner, workdir, "export")
    assert result.exit_code == 1
    assert "no warehouse at" in one_error_line(result)


def test_build_without_a_warehouse_did_not_run(runner, workdir):
    result = invoke(runner, workdir, "build")
    assert result.exit_code == 2
    assert "no warehouse at" in one_error_line(result)


def test_docs_without_a_warehouse_is_one_line(runner, workdir):
    result = invoke(runner, workdir, "docs")
    assert result.exit_code == 1
    assert "no warehouse at" in one_error_line(result)


# --- generate and load through fakes of their APIs --------------------------------------------


@pytest.fixture
def fake_generate(monkeypatch):
    calls = []

    def generate(scale, seed, out, defect_rates=None, progress=None):
        if seed < 0:
            raise ValueError("seed must be >= 0")
        calls.append((scale, seed, out))
        out.mkdir(parents=True, exist_ok=True)
        for done in range(3):
            progress("agencies", done + 1, 3)
        return {"submissions": 3}

    module = types.ModuleType("cts.generate")
    module.generate = generate
    module.SCALES = {"tiny": {}, "demo": {}, "full": {}}
    monkeypatch.setitem(sys.modules, "cts.generate", module)
    return calls


@pytest.fixture
def fake_load(monkeypatch):
    """The loader the pipeline calls, replaced: two submissions accepted, one rejected."""
    from cts import load as load_module

    calls = []

    def load_submissions(path, warehouse, project_dir, progress=None):
        calls.append((path, warehouse, project_dir))
        if (path / "broken").exists():
            raise load_module.LoadError(f"submission {path / 'broken'} has no header")
        progress("load", 0, 2, "checking DOC/2019-01/r1")
        progress("load", 1, 2, "checked DOC/2019-01/r1")
        progress("load", 2, 2)
        duckdb.connect(str(warehouse)).close()
        problem = load_module.Problem("BAR", "BAR/2019-03/r1", None, None, "X", "bad header")
        return load_module.LoadResult(
            accepted=["DOC/2019-01/r1", "DOC/2019-02/r1"],
            rejected=["BAR/2019-03/r1"],
            rows_loaded={"raw_doc.inmates": 1234},
            problems=[problem],
        )

    monkeypatch.setattr(pipeline, "load_submissions", load_submissions)
    return calls


def test_generate_writes_into_the_work_dir_and_records_the_seed(runner, workdir, fake_generate):
    result = invoke(runner, workdir, "generate", "--scale", "tiny", "--seed", "11")
    assert result.exit_code == 0, result.output
    assert fake_generate == [("tiny", 11, workdir.resolve() / "data")]
    record = json.loads((workdir / "generation.json").read_text())
    assert (record["scale"], record["seed"]) == ("tiny", 11)


def test_generate_value_error_is_one_line(runner, workdir, fake_generate):
    result = invoke(runner, workdir, "generate", "--seed", "-1")
    assert result.exit_code == 1
    assert "seed must be >= 0" in one_error_line(result)


def test_load_reports_accepted_rejected_and_problems(runner, workdir, fake_load):
    (workdir / "data").mkdir(parents=True)
    result = invoke(runner, workdir, "load")
    assert result.exit_code == 4, result.output
    assert one_error_line(result).endswith("1 of 3 submissions rejected (the rest loaded)")
    assert fake_load[0][0] == workdir.resolve() / "data"
    assert fake_load[0][1] == workdir.resolve() / "warehouse.duckdb"
    assert "2 submissions accepted (1,234 rows), 1 rejected" in result.stderr
    assert "bad header" in result.stderr


def test_load_error_is_one_line(runner, workdir, fake_load):
    (workdir / "data" / "broken").mkdir(parents=True)
    result = invoke(runner, workdir, "load")
    assert result.exit_code == 1
    assert "has no header" in one_error_line(result)


def test_run_chains_the_steps_and_says_where_everything_is(
    runner, workdir, fake_generate, fake_load, monkeypatch
):
    steps = []
    monkeypatch.setattr(pipeline, "build", lambda *args: steps.append("build"))
    monkeypatch.setattr(pipeline, "export", lambda *args, **kwargs: steps.append("export"))
    result = invoke(runner, workdir, "run", "--scale", "tiny", "--seed", "3", "--no-export")
    assert result.exit_code == 4, result.output  # a rejected submission does not stop the run
    assert steps == ["build"]
    assert fake_generate[0][:2] == ("tiny", 3)
    assert "Where everything is" in result.output
    assert "warehouse.duckdb" in result.output
    table = result.output[result.output.index("Time and peak memory") :]
    for step in ("generate", "load", "build", "all"):
        assert step in table
    assert " MB " in table and " s " in table


def test_run_stops_when_nothing_could_be_loaded(runner, workdir, fake_generate, monkeypatch):
    from cts import load as load_module

    rejected = load_module.LoadResult(rejected=["BAR/2019-03/r1"])
    monkeypatch.setattr(pipeline, "load_submissions", lambda *args, **kwargs: rejected)
    steps = []
    monkeypatch.setattr(pipeline, "build", lambda *args: steps.append("build"))
    result = invoke(runner, workdir, "run", "--scale", "tiny", "--no-export")
    assert result.exit_code == 5 and steps == []
    assert one_error_line(result).endswith("every submission was rejected: nothing loaded")


def test_load_json_reports_a_user_error_too(runner, workdir):
    result = invoke(runner, workdir, "load", str(workdir / "nowhere"), "--json")
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert (summary["outcome"], summary["exit_code"]) == ("error", 1)
    assert summary["error"].startswith("no submissions at")


# --- build: dbt exit codes ---------------------------------------------------------------------


class FakeRunner:
    """Stands in for dbtRunner: records the arguments, returns a prepared result."""

    def __init__(self, result, seen):
        self.result, self.seen = result, seen

    def invoke(self, args):
        import os

        self.seen.append((list(args), os.environ.get("CTS_WAREHOUSE")))
        return self.result(args) if callable(self.result) else self.result


def node_result(unique_id, status, message):
    return SimpleNamespace(
        node=SimpleNamespace(unique_id=unique_id), status=status, message=message
    )


@pytest.fixture
def warehouse(workdir):
    workdir.mkdir(parents=True)
    duckdb.connect(str(workdir / "warehouse.duckdb")).close()
    return workdir / "warehouse.duckdb"


def patch_dbt(monkeypatch, result):
    seen = []
    monkeypatch.setattr(dbt_module, "_runner", lambda callbacks: FakeRunner(result, seen))
    return seen


def one_model_passed() -> SimpleNamespace:
    return SimpleNamespace(
        success=True,
        exception=None,
        result=SimpleNamespace(results=[node_result("model.cts_programs.x", "success", "OK")]),
    )


def test_build_passes_extra_args_and_keeps_artifacts_in_the_work_dir(
    runner, workdir, warehouse, monkeypatch
):
    seen = patch_dbt(monkeypatch, one_model_passed())
    result = invoke(runner, workdir, "build", "--", "--select", "x")
    assert result.exit_code == 0, result.output
    (seed_args, _), (build_args, env_warehouse), (public_args, _) = seen
    assert seed_args[0] == "seed"
    assert build_args[:5] == ["build", "--select", "x", "--exclude", "source:protection+"]
    assert public_args[:3] == ["build", "--select", "x,source:protection+"]
    assert build_args[build_args.index("--target-path") + 1] == str(workdir.resolve() / "target")
    assert build_args[build_args.index("--log-path") + 1] == str(workdir.resolve() / "logs")
    assert env_warehouse == str(warehouse.resolve())


def test_a_whole_build_is_two_dbt_builds_around_the_protection_loading_the_seeds_itself(
    runner, workdir, warehouse, monkeypatch
):
    seen = patch_dbt(monkeypatch, one_model_passed())
    result = invoke(runner, workdir, "build")
    assert result.exit_code == 0, result.output
    assert [args[0] for args, _ in seen] == ["build", "build"]
    first, second = (list(args) for args, _ in seen)
    assert first[first.index("--exclude") + 1] == "source:protection+"
    assert second[second.index("--select") + 1] == "source:protection+"


def test_build_failure_lists_failing_nodes_and_exits_1(runner, workdir, warehouse, monkeypatch):
    def outcome(args):
        if args[0] == "seed":
            return SimpleNamespace(success=True, exception=None, result=SimpleNamespace(results=[]))
        results = [
            node_result("model.cts_programs.ok", "success", "OK"),
            node_result("test.cts_programs.unique_x", "fail", "Got 3 results, configured to fail"),
            node_result("model.cts_programs.downstream", "skipped", None),
        ]
        return SimpleNamespace(
            success=False, exception=None, result=SimpleNamespace(results=results)
        )

    patch_dbt(monkeypatch, outcome)
    result = invoke(runner, workdir, "build")
    assert result.exit_code == 1
    assert "test.cts_programs.unique_x: Got 3 results" in result.stderr
    assert "1 nodes skipped" in result.stderr
    assert "Traceback" not in result.output


def test_build_that_could_not_run_shows_the_exception_and_exits_2(
    runner, workdir, warehouse, monkeypatch
):
    broken = SimpleNamespace(
        success=False, exception=RuntimeError("Parsing Error: bad yaml"), result=None
    )
    patch_dbt(monkeypatch, broken)
    result = invoke(runner, workdir, "build")
    assert result.exit_code == 2
    assert "Parsing Error: bad yaml" in one_error_line(result)


def test_two_dbt_invocations_never_overlap(workdir, tmp_path):
    from cts.paths import Workdir

    assert dbt_module._LOCK.acquire(blocking=False)
    try:
        with pytest.raises(dbt_module.DbtBusyError):
            dbt_module.invoke(["build"], Workdir(workdir), tmp_path)
    finally:
        dbt_module._LOCK.release()


MINI_PROJECT = {
    "dbt_project.yml": """
name: cts_programs
version: "0.1.0"
config-version: 2
profile: cts_programs
models:
  cts_programs:
    +materialized: table
    +schema: marts
""",
    "models/fct_numbers.sql": "select 1 as number_id union all select 1 as number_id\n",
    "models/_models.yml": """
models:
  - name: fct_numbers
    description: Two rows with the same key, so the unique test fails.
    columns:
      - name: number_id
        data_tests: [unique]
""",
}


def test_build_with_real_dbt_fails_on_a_failing_test(runner, workdir, warehouse, tmp_path):
    project = tmp_path / "project"
    for name, text in MINI_PROJECT.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text.lstrip())
    root = Path(__file__).resolve().parents[2]
    (project / "profiles.yml").write_text((root / "profiles.yml").read_text())
    result = runner.invoke(cli, ["--project-dir", str(project), "--workdir", str(workdir), "build"])
    assert result.exit_code == 1, result.output
    assert "test.cts_programs.unique_fct_numbers_number_id" in result.stderr
    assert (workdir / "target" / "manifest.json").is_file()
    assert not (project / "target").exists()


# --- export ------------------------------------------------------------------------------------


def model_node(name, schema, access, columns=None, description=""):
    return {
        "resource_type": "model",
        "name": name,
        "alias": name,
        "schema": schema,
        "access": access,
        "description": description,
        "columns": columns or {},
    }


@pytest.fixture
def marts_warehouse(workdir):
    """A warehouse with public, protected and restricted relations and a manifest naming them."""
    workdir.mkdir(parents=True)
    con = duckdb.connect(str(workdir / "warehouse.duckdb"))
    con.execute("create schema marts")
    con.execute("create schema restricted")
    con.execute(
        "create table marts.fct_enrollments as select * from (values"
        " (2019, 'DOC', 40, 0.5), (2018, 'BAR', 12, null), (2019, 'BAR', 15, 0.25))"
        " as t(year, agency_code, enrollments, completion_rate)"
    )
    con.execute("create table marts.dim_agencies as select 'DOC' as agency_code")
    con.execute("create table marts.int_helper as select 1 as x")
    con.execute("create table restricted.persons as select 'MA123456789' as sid")
    con.close()
    columns = {
        "year": {"name": "year", "data_type": "integer", "description": "Calendar year."},
        "enrollments": {"name": "enrollments", "data_type": "bigint", "description": "Count."},
    }
    nodes = {
        "model.cts_programs.fct_enrollments": model_node(
            "fct_enrollments", "marts", "public", columns, "Enrollments per year."
        ),
        "model.cts_programs.dim_agencies": model_node("dim_agencies", "marts", "public"),
        "model.cts_programs.int_helper": model_node("int_helper", "marts", "protected"),
        "model.cts_programs.persons": model_node("persons", "restricted", "public"),
    }
    (workdir / "target").mkdir()
    manifest = {"metadata": {"dbt_version": "1.11.16", "project_name": "cts_programs"}}
    manifest["nodes"] = nodes
    (workdir / "target" / "manifest.json").write_text(json.dumps(manifest))
    return workdir


def public_files(workdir):
    return sorted(path.name for path in (workdir / "public").iterdir())


def test_export_writes_public_marts_only(runner, marts_warehouse):
    workdir = marts_warehouse
    result = invoke(runner, workdir, "export")
    assert result.exit_code == 0, result.output
    assert public_files(workdir) == [
        "data_dictionary.json",
        "data_dictionary.md",
        "dim_agencies.csv",
        "dim_agencies.parquet",
        "fct_enrollments.csv",
        "fct_enrollments.parquet",
        "manifest.json",
    ]
    csv = (workdir / "public" / "fct_enrollments.csv").read_text().splitlines()
    assert csv == [
        "year,agency_code,enrollments,completion_rate",
        "2018,BAR,12,",
        "2019,BAR,15,0.25",
        "2019,DOC,40,0.50",
    ]
    rows = duckdb.execute(
        f"select count(*) from '{workdir / 'public' / 'fct_enrollments.parquet'}'"
    ).fetchall()
    assert rows == [(3,)]
    for path in (workdir / "public").iterdir():
        assert "MA123456789" not in path.read_bytes().decode("latin-1")
        assert "persons" not in path.name and "int_helper" not in path.name


def test_export_dictionary_and_manifest_describe_the_files(runner, marts_warehouse):
    workdir = marts_warehouse
    assert invoke(runner, workdir, "export").exit_code == 0
    dictionary = json.loads((workdir / "public" / "data_dictionary.json").read_text())
    models = {model["name"]: model for model in dictionary["models"]}
    assert set(models) == {"fct_enrollments", "dim_agencies"}
    enrollments = models["fct_enrollments"]
    assert enrollments["description"] == "Enrollments per year."
    assert enrollments["columns"][0] == {
        "name": "year",
        "data_type": "integer",
        "description": "Calendar year.",
    }
    assert enrollments["columns"][1]["data_type"] == "varchar"  # from the warehouse
    assert "| `enrollments` | bigint | Count. |" in (
        (workdir / "public" / "data_dictionary.md").read_text()
    )
    manifest = json.loads((workdir / "public" / "manifest.json").read_text())
    for entry in manifest["files"]:
        data = (workdir / "public" / entry["path"]).read_bytes()
        assert entry["bytes"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    rows = {entry["path"]: entry.get("rows") for entry in manifest["files"]}
    assert rows["fct_enrollments.parquet"] == 3 and rows["dim_agencies.csv"] == 1


def test_export_is_deterministic_byte_for_byte(runner, marts_warehouse):
    workdir = marts_warehouse

    def digests():
        assert invoke(runner, workdir, "export").exit_code == 0
        return {
            path.name: hashlib.sha256(path.read_bytes()).hexdigest()
            for path in (workdir / "public").iterdir()
        }

    assert digests() == digests()


def test_export_without_manifest_takes_schema_marts_never_restricted(runner, marts_warehouse):
    workdir = marts_warehouse
    (workdir / "target" / "manifest.json").unlink()
    result = invoke(runner, workdir, "export")
    assert result.exit_code == 0, result.output
    names = public_files(workdir)
    assert "int_helper.parquet" in names
    assert not [name for name in names if name.startswith("persons")]


def test_export_fails_when_a_public_mart_was_not_built(runner, marts_warehouse):
    workdir = marts_warehouse
    con = duckdb.connect(str(workdir / "warehouse.duckdb"))
    con.execute("drop table marts.dim_agencies")
    con.close()
    result = invoke(runner, workdir, "export")
    assert result.exit_code == 1
    assert "dim_agencies" in one_error_line(result)


# --- status ------------------------------------------------------------------------------------


def test_status_on_an_empty_work_dir(runner, workdir):
    result = invoke(runner, workdir, "status")
    assert result.exit_code == 0, result.output
    assert "nothing yet" in result.output
    assert "Last build: none" in result.output


def test_status_shows_loads_per_agency_and_the_last_build(runner, workdir):
    workdir.mkdir(parents=True)
    con = duckdb.connect(str(workdir / "warehouse.duckdb"))
    con.execute("create schema raw_meta")
    con.execute(
        "create table raw_meta.load_ledger as select * from (values"
        " ('DOC', 'DOC/2019-01/r1', 100, timestamp '2026-01-02 03:04:05', 'loaded'),"
        " ('DOC', 'DOC/2019-02/r1', 50, timestamp '2026-01-03 03:04:05', 'loaded'),"
        " ('BAR', 'BAR/2019-01/r1', 0, timestamp '2026-01-02 03:04:05', 'rejected'))"
        " as t(agency_code, submission_id, data_rows, loaded_at, outcome)"
    )
    con.close()
    (workdir / "target").mkdir()
    run_results = {
        "metadata": {"generated_at": "2026-01-03T04:00:00Z"},
        "args": {"which": "build"},
        "elapsed_time": 12.5,
        "results": [
            {"unique_id": "model.cts_programs.a", "status": "success", "message": "OK"},
            {"unique_id": "test.cts_programs.b", "status": "fail", "message": "Got 2 results"},
        ],
    }
    (workdir / "target" / "run_results.json").write_text(json.dumps(run_results))
    result = invoke(runner, workdir, "status")
    assert result.exit_code == 0, result.output
    assert "DOC" in result.output and "150" in result.output
    assert "BAR" not in result.output  # only rejected submissions
    assert "1 fail, 1 success" in result.output
    assert "test.cts_programs.b: Got 2 results" in result.output


# --- progress --------------------------------------------------------------------------------


def test_console_reporter_draws_one_bar_per_stage_and_completes_them():
    with ConsoleReporter() as reporter:
        reporter.progress("Simulating the world", 0, 1)
        reporter.progress("Simulating the world", 1, 1)
        reporter.progress("load", 0, None)  # the total is not known yet
        reporter.progress("load", 3, 10, "checking DOC/2019-01/r1")
        bars = reporter.bars
        tasks = {task.description.strip(): task for task in bars.tasks}
        assert tasks["load: checking DOC/2019-01/r1"].completed == 3
        assert tasks["load: checking DOC/2019-01/r1"].total == 10
    assert reporter.bars is None
    assert all(task.completed == task.total for task in bars.tasks)
    assert [task.description for task in bars.tasks] == ["Simulating the world", "load"]


def test_console_reporter_leaves_the_bars_of_a_failed_step_as_they_were():
    with pytest.raises(RuntimeError), ConsoleReporter() as reporter:
        reporter.progress("export", 2, 6, "rpt_program_exits")
        bars = reporter.bars
        raise RuntimeError("failed")
    assert [(task.completed, task.total) for task in bars.tasks] == [(2, 6)]


def test_a_line_ends_the_bars_before_it(capsys):
    reporter = ConsoleReporter()
    reporter.progress("export", 6, 6)
    reporter.info("Exported 4 public marts")
    assert reporter.bars is None
    reporter.output("report: here")
    captured = capsys.readouterr()
    assert "Exported 4 public marts" in captured.err and captured.out == "report: here\n"
