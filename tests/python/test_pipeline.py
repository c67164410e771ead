"""The pipeline functions called directly, without click: results, errors, progress, step usage."""

from __future__ import annotations

import os
import subprocess
import sys
import types
from pathlib import Path
from types import SimpleNamespace

import pytest
from cts import dbt as dbt_module
from cts import pipeline
from cts.load import LoadResult
from cts.paths import Workdir
from cts.progress import Reporter
from cts.resources import measure, tree_rss
from submission_kit import PROJECT, suf_files, write_submission

MB = 2**20


class Recorder(Reporter):
    """Keeps every progress report and line, in order."""

    def __init__(self) -> None:
        self.reports: list[tuple[str, int, int | None, str]] = []
        self.lines: list[tuple[str, str]] = []

    def progress(self, stage: str, done: int, total: int | None, detail: str = "") -> None:
        self.reports.append((stage, done, total, detail))

    def info(self, text: str) -> None:
        self.lines.append(("info", text))

    def problem(self, text: str) -> None:
        self.lines.append(("problem", text))

    def output(self, text: str) -> None:
        self.lines.append(("output", text))

    def stages(self) -> list[str]:
        return list(dict.fromkeys(stage for stage, *_ in self.reports))


@pytest.fixture
def home(tmp_path: Path) -> Workdir:
    return Workdir(tmp_path / "work")


# --- generate and load -----------------------------------------------------------------------


def test_generate_records_scale_and_seed_and_reports_progress(home, monkeypatch):
    def generate(scale, seed, out, progress=None):
        out.mkdir(parents=True)
        progress("Writing agency submissions", 1, 2)
        progress("Writing agency submissions", 2, 2)
        return {"submissions": 2}

    monkeypatch.setitem(sys.modules, "cts.generate", types.SimpleNamespace(generate=generate))
    reporter = Recorder()
    target = pipeline.generate(home, "tiny", 3, reporter=reporter)
    assert target == home.data
    assert pipeline.generation_record(home) == {"scale": "tiny", "seed": 3}
    assert reporter.reports[-1] == ("Writing agency submissions", 2, 2, "")
    assert reporter.lines == [("info", f"Generating tiny submissions (seed 3) into {target}")]


def test_load_returns_the_loaders_result_and_counts_its_steps(home):
    write_submission(home.data, "SUF", "2019-03", "r1", suf_files(3))
    reporter = Recorder()
    result = pipeline.load(home, PROJECT, reporter=reporter)
    assert isinstance(result, LoadResult)
    assert result.accepted == ["SUF/2019-03/r1"] and result.exit_code == 0
    assert reporter.stages() == ["load"]
    stage, done, total, _ = reporter.reports[-1]
    assert done == total and total >= 1
    assert reporter.lines[1] == (
        "info",
        f"Loaded: 1 submissions accepted ({result.total_rows:,} rows), 0 rejected.",
    )
    pipeline.raise_for_rejections(result)  # nothing rejected: no error


def test_load_of_a_missing_path_is_a_user_error(home):
    with pytest.raises(pipeline.PipelineError, match="no submissions at") as caught:
        pipeline.load(home, PROJECT, home.root / "nowhere")
    assert caught.value.exit_code == 1


@pytest.mark.parametrize(
    ("result", "nothing_loaded_only", "exit_code"),
    [
        (LoadResult(accepted=["A/2019-01/r1"], rejected=["B/2019-01/r1"]), False, 4),
        (LoadResult(accepted=["A/2019-01/r1"], rejected=["B/2019-01/r1"]), True, None),
        (LoadResult(rejected=["B/2019-01/r1"]), True, 5),
        (LoadResult(accepted=["A/2019-01/r1"]), False, None),
    ],
)
def test_rejections_raise_with_the_submissions_exit_code(result, nothing_loaded_only, exit_code):
    if exit_code is None:
        pipeline.raise_for_rejections(result, nothing_loaded_only)
        return
    with pytest.raises(pipeline.PipelineError) as caught:
        pipeline.raise_for_rejections(result, nothing_loaded_only)
    assert caught.value.exit_code == exit_code


# --- build -----------------------------------------------------------------------------------


def event(name: str, **data) -> SimpleNamespace:
    return SimpleNamespace(info=SimpleNamespace(name=name), data=SimpleNamespace(**data))


class EventfulRunner:
    """Stands in for dbtRunner: sends dbt's start and finish events for two nodes."""

    def __init__(self, callbacks):
        self.callbacks = callbacks

    def invoke(self, args):
        results = []
        for index, name in enumerate(("stg_a", "fct_b"), start=1):
            info = SimpleNamespace(node_name=name)
            for callback in self.callbacks:
                callback(event("LogStartLine", index=index, total=2, node_info=info))
                callback(event("NodeFinished", node_info=info))
            results.append(SimpleNamespace(node=SimpleNamespace(unique_id=name), status="success"))
        return SimpleNamespace(
            success=True, exception=None, result=SimpleNamespace(results=results)
        )


def test_build_reports_nodes_done_of_nodes_to_run(home, monkeypatch):
    home.ensure()
    home.warehouse.touch()
    monkeypatch.setattr(dbt_module, "_runner", EventfulRunner)
    reporter = Recorder()
    outcome = pipeline.build(home, PROJECT, ["--select", "x"], reporter)
    # two dbt builds (the public side after the protection step), each of the fake's 2 nodes
    assert outcome.ok and outcome.nodes == 4
    assert reporter.stages() == ["dbt seed", "dbt build", "dbt build (public)"]
    build = [report for report in reporter.reports if report[0] == "dbt build"]
    assert build == [
        ("dbt build", 0, None, ""),
        ("dbt build", 1, 2, "stg_a"),
        ("dbt build", 2, 2, "fct_b"),
    ]
    assert ("info", "dbt build: 2 nodes, all passed") in reporter.lines
    assert (home.root / "build_info.json").is_file()


def test_build_failure_lists_the_failing_nodes_then_raises(home, monkeypatch):
    home.ensure()
    home.warehouse.touch()
    failed = SimpleNamespace(
        success=False,
        exception=None,
        result=SimpleNamespace(
            results=[
                SimpleNamespace(
                    node=SimpleNamespace(unique_id="test.x"), status="fail", message="Got 3"
                )
            ]
        ),
    )
    monkeypatch.setattr(
        dbt_module, "_runner", lambda callbacks: SimpleNamespace(invoke=lambda args: failed)
    )
    reporter = Recorder()
    with pytest.raises(pipeline.PipelineError, match="dbt build failed: test.x") as caught:
        pipeline.build(home, PROJECT, (), reporter)
    assert caught.value.exit_code == 1
    assert reporter.lines == [
        ("problem", "dbt build: 1 nodes failed"),
        ("problem", "  FAIL test.x: Got 3"),
    ]


def test_build_without_a_warehouse_did_not_run(home):
    with pytest.raises(pipeline.PipelineError, match="no warehouse at") as caught:
        pipeline.build(home, PROJECT)
    assert caught.value.exit_code == 2


# --- the rest --------------------------------------------------------------------------------


def test_export_and_disclosure_check_without_an_export_are_user_errors(home):
    with pytest.raises(pipeline.PipelineError, match="no warehouse at"):
        pipeline.export(home, PROJECT)
    with pytest.raises(pipeline.PipelineError, match="no public export at"):
        pipeline.check_disclosure(home, PROJECT)


def test_status_of_an_empty_work_dir(home):
    status = pipeline.status(home)
    assert (status.workdir, status.loads, status.last_build) == (home.root, None, None)


def test_locations_say_what_is_missing(home):
    rows = dict(pipeline.locations(home))
    assert rows["public exports"] == "– (cts export)"
    assert rows["dbt docs"] == "– (cts docs)"
    assert "dashboard" not in rows


def test_run_measures_every_step_in_order(home, monkeypatch):
    calls = []
    for name in ("generate", "load", "build", "export", "check_disclosure", "dashboard"):
        monkeypatch.setattr(
            pipeline, name, lambda *args, name=name, **kwargs: calls.append(name) or LoadResult()
        )
    result = pipeline.run(home, PROJECT, "tiny", 7)
    names = ["generate", "load", "build", "export", "check disclosure", "dashboard"]
    assert [usage.step for usage in result.steps] == names
    assert calls == ["generate", "load", "build", "export", "check_disclosure", "dashboard"]
    assert all(usage.seconds >= 0 and usage.peak_rss_bytes > 0 for usage in result.steps)
    assert result.locations == pipeline.locations(home)
    calls.clear()
    result = pipeline.run(home, PROJECT, "tiny", 7, with_export=False)
    assert [usage.step for usage in result.steps] == ["generate", "load", "build"]


# --- step usage ------------------------------------------------------------------------------


def test_measure_sees_memory_allocated_in_the_step():
    usages = []
    with measure("allocate", usages):
        block = bytearray(200 * MB)
        block[::4096] = b"x" * len(block[::4096])  # touch every page
        del block
    with measure("nothing", usages):
        pass
    allocate, nothing = usages
    assert allocate.step == "allocate" and allocate.peak_rss_bytes >= 200 * MB
    assert nothing.peak_rss_bytes < allocate.peak_rss_bytes - 150 * MB  # reset per step


def test_measure_counts_the_processes_a_step_starts():
    usages = []
    baseline = tree_rss(os.getpid())
    script = (
        "b = bytearray(150 * 2**20); b[::4096] = b'x' * len(b[::4096]); import time; time.sleep(1)"
    )
    with measure("child", usages):
        subprocess.run([sys.executable, "-c", script], check=True)
    assert usages[0].peak_rss_bytes >= baseline + 150 * MB


def test_run_result_prints_a_table_of_steps(capsys):
    from cts.console import print_run
    from cts.resources import StepUsage

    steps = [StepUsage("load", 1.3, 300 * MB), StepUsage("build", 10.0, 1200 * MB)]
    print_run(pipeline.RunResult(LoadResult(), steps, [("work dir", "/w")]))
    printed = capsys.readouterr().out
    assert "Where everything is" in printed
    for text in ("load", "1.3 s", "300 MB", "build", "10.0 s", "1,200 MB", "11.3 s"):
        assert text in printed
