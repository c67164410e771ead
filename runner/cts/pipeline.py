"""The pipeline behind the `cts` commands: one function per command, no command line.

    from cts import pipeline
    from cts.paths import Workdir, find_project_root

    workdir, project = Workdir(Path("/tmp/cts").resolve()), find_project_root()
    pipeline.generate(workdir, "tiny", 7)
    loaded = pipeline.load(workdir, project)                  # a LoadResult
    pipeline.build(workdir, project)                          # a DbtOutcome
    pipeline.export(workdir, project)                         # an ExportSummary
    pipeline.build(workdir, project, target="postgres")       # the same on PostgreSQL
    pipeline.check_disclosure(workdir, project)               # the checker's report
    pipeline.dashboard(workdir)                               # a SiteSummary
    result = pipeline.run(workdir, project, "tiny", 7)        # all of it: a RunResult

Each function does its step in the work dir, tells a `Reporter` (cts.progress) what happens
(silent unless given one: the command line passes one that draws progress bars and prints the
lines) and returns a typed result. A user error raises `PipelineError`: one line, and the
exit code the command ends with.

`target` (build, export, run) is the profile's target: `duckdb` (the default) builds in the
work dir's warehouse; `postgres` builds on a PostgreSQL server (cts.engines.postgres: a
throwaway cluster under the work dir, or CTS_POSTGRES_DSN), into which the runner first copies
the raw tables that `cts load` wrote to the warehouse.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cts import dbt as dbt_runner
from cts.engines import DEFAULT_TARGET, TARGETS
from cts.link import IDENTITY_SELECTOR, INPUT_RELATION, LinkError, Links, export_links, load_input
from cts.load import (
    EXIT_NOTHING_LOADED,
    LoadError,
    LoadResult,
    load_submissions,
    outcome_line,
    summary_lines,
    validate_submissions,
)
from cts.paths import Workdir
from cts.progress import SILENT, Reporter
from cts.resources import StepUsage, measure
from cts.scaffold import ScaffoldError, ScaffoldResult
from cts.scaffold import add_agency as scaffold_agency
from cts.status import LAST_BUILD_RESULTS, Status, StatusError, describe

if TYPE_CHECKING:
    from cts.dashboard import SiteSummary
    from cts.engines.postgres import Connection
    from cts.export import ExportSummary

# Imported where used, not here, because they take a second to import and most commands do
# not need them: cts.generate (numpy), cts.export (dbt-duckdb), cts.disclosure (numpy),
# cts.publication.check (scipy, HiGHS), cts.dashboard.

SCALES = ("tiny", "demo", "full")
DEFAULT_SCALE = "demo"
DEFAULT_SEED = 7


# Not built on PostgreSQL yet: the disclosure protection's SQL rounds and its dbt Python model
# (DuckDB only), and everything that reads them (the public rpt_ marts and dim_programs, their
# tests). TODO(issue 20): the protection is being replaced by a runner step that reads
# int_published_counts_unpivoted (built on every target) and writes a table of decisions; once
# that is on main, wire it for postgres and drop this exclusion, so that public exports compare.
POSTGRES_EXCLUDED = (
    "int_published_cells_grouped",
    "int_published_counts_suppressed",
    "int_published_counts_protected+",
)


class PipelineError(Exception):
    """A user error: one line for the user, and the exit code to end with (1 unless told)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class NotOnThisTarget(PipelineError):
    """A step this target cannot do yet (the public export on postgres, see POSTGRES_EXCLUDED)."""


# --- generate --------------------------------------------------------------------------------


def generate(
    workdir: Workdir,
    scale: str,
    seed: int,
    out_dir: Path | None = None,
    reporter: Reporter = SILENT,
) -> Path:
    """Generate synthetic submissions (and their truth) into `out_dir` (default
    `<workdir>/data`); record scale, seed and the generator's summary; return where they are."""
    from cts.generate import generate as generate_submissions

    target = (out_dir or workdir.data).expanduser().resolve()
    workdir.ensure()
    reporter.info(f"Generating {scale} submissions (seed {seed}) into {target}")
    try:
        summary = generate_submissions(scale, seed, target, progress=reporter.progress)
    except (ValueError, OSError) as error:
        raise PipelineError(str(error)) from error
    record = {"scale": scale, "seed": seed, "out": str(target), "summary": summary}
    workdir.generation_record.write_text(
        json.dumps(record, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8"
    )
    return target


def generation_record(workdir: Workdir) -> dict[str, Any] | None:
    """Scale and seed of the last `cts generate` into this work dir, if any."""
    try:
        record = json.loads(workdir.generation_record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return {key: record.get(key) for key in ("scale", "seed")}


# --- load and validate -----------------------------------------------------------------------


def _submissions_at(path: Path) -> Path:
    path = path.expanduser().resolve()
    if not path.exists():
        raise PipelineError(f"no submissions at {path} (run `cts generate` first)")
    return path


def _say_loaded(result: LoadResult, reporter: Reporter) -> LoadResult:
    for line in summary_lines(result):
        reporter.info(line)
    return result


def load(
    workdir: Workdir, project_dir: Path, path: Path | None = None, reporter: Reporter = SILENT
) -> LoadResult:
    """Check and load the submissions under `path` (default `<workdir>/data`).

    Rejected submissions are in the result, not raised: see `raise_for_rejections`.
    """
    path = _submissions_at(path or workdir.data)
    workdir.ensure()
    reporter.info(f"Loading submissions from {path} into {workdir.warehouse}")
    try:
        result = load_submissions(path, workdir.warehouse, project_dir, reporter.progress)
    except LoadError as error:
        raise PipelineError(str(error)) from error
    return _say_loaded(result, reporter)


def validate(
    workdir: Workdir, project_dir: Path, path: Path, reporter: Reporter = SILENT
) -> LoadResult:
    """Every check `load` makes, writing nothing (the warehouse's ledger is only read)."""
    path = _submissions_at(path)
    reporter.info(f"Checking submissions in {path} (nothing is written)")
    try:
        result = validate_submissions(path, project_dir, workdir.warehouse, reporter.progress)
    except LoadError as error:
        raise PipelineError(str(error)) from error
    return _say_loaded(result, reporter)


def raise_for_rejections(result: LoadResult, only_if_nothing_loaded: bool = False) -> None:
    """Raise (exit 4 or 5, one line) when submissions were rejected; with
    `only_if_nothing_loaded`, only when nothing could be loaded (exit 5)."""
    if only_if_nothing_loaded and result.exit_code != EXIT_NOTHING_LOADED:
        return
    line = outcome_line(result)
    if line:
        raise PipelineError(line, exit_code=result.exit_code)


# --- dbt -------------------------------------------------------------------------------------


class _NodeCounter:
    """Turns dbt's events into progress: nodes finished of the nodes dbt said it would run."""

    def __init__(self, stage: str, reporter: Reporter) -> None:
        self.stage, self.reporter = stage, reporter
        self.done, self.total = 0, None
        self.lock = threading.Lock()  # dbt reports from its worker threads

    def __call__(self, message: Any) -> None:
        name = message.info.name
        if name not in ("LogStartLine", "NodeFinished"):
            return
        with self.lock:
            if name == "LogStartLine":
                self.total = message.data.total
                return
            self.done += 1
            node = message.data.node_info.node_name
            self.reporter.progress(self.stage, self.done, self.total, node)


def _dbt(
    command: list[str],
    workdir: Workdir,
    project_dir: Path,
    label: str,
    reporter: Reporter,
    target: str | None = None,
) -> dbt_runner.DbtOutcome:
    counter = _NodeCounter(f"dbt {label}", reporter)
    reporter.progress(counter.stage, 0, None)
    try:
        return dbt_runner.invoke(
            command, workdir, project_dir, on_event=counter, target=_profile_target(target)
        )
    except dbt_runner.DbtBusyError as error:
        raise PipelineError(str(error), exit_code=dbt_runner.EXIT_NOT_RUN) from error


def _passed(
    outcome: dbt_runner.DbtOutcome, label: str, reporter: Reporter, count_nodes: bool = True
) -> dbt_runner.DbtOutcome:
    """Say how a dbt command went; raise with its exit code if it did not pass."""
    if outcome.exit_code == dbt_runner.EXIT_NOT_RUN:
        raise PipelineError(
            f"dbt {label} could not run: {outcome.exception or 'unknown error'}",
            exit_code=dbt_runner.EXIT_NOT_RUN,
        )
    if outcome.exit_code == dbt_runner.EXIT_FAILED:
        reporter.problem(f"dbt {label}: {len(outcome.failures)} nodes failed")
        for failure in outcome.failures:
            reporter.problem(f"  {failure.status.upper()} {failure.unique_id}: {failure.message}")
        if outcome.skipped:
            reporter.info(f"  ({outcome.skipped} nodes skipped because of them)")
        failed = ", ".join(failure.unique_id for failure in outcome.failures) or "see dbt log"
        raise PipelineError(f"dbt {label} failed: {failed}", exit_code=dbt_runner.EXIT_FAILED)
    reporter.info(
        f"dbt {label}: {outcome.nodes} nodes, all passed" if count_nodes else f"dbt {label}: done"
    )
    return outcome


def _profile_target(target: str | None) -> str | None:
    """The --target to give dbt: none for the default (the profile's own default)."""
    return None if target in (None, DEFAULT_TARGET) else target


def _check_target(target: str) -> None:
    if target not in TARGETS:
        raise PipelineError(f"unknown target {target!r} (one of: {', '.join(TARGETS)})", 2)


@contextlib.contextmanager
def engine(
    workdir: Workdir, target: str = DEFAULT_TARGET, reporter: Reporter = SILENT
) -> Iterator[Connection | None]:
    """The server of `target` while in use (None for duckdb, which needs none): for postgres,
    the throwaway cluster under the work dir, started and stopped here, or CTS_POSTGRES_DSN's
    server. The pseudonym key reaches its sessions as the setting cts.pseudonym_key."""
    _check_target(target)
    if target == DEFAULT_TARGET:
        yield None
        return
    from cts.engines import postgres
    from cts.pseudonym import current_key

    where = "CTS_POSTGRES_DSN" if os.environ.get(postgres.DSN_ENV) else "a local cluster"
    reporter.info(f"PostgreSQL: {where}")
    try:
        with (
            postgres.server(workdir.root) as connection,
            postgres.session_settings({"cts.pseudonym_key": current_key()}),
        ):
            yield connection
    except postgres.PostgresError as error:
        raise PipelineError(str(error), exit_code=dbt_runner.EXIT_NOT_RUN) from error


def build(
    workdir: Workdir,
    project_dir: Path,
    dbt_args: Sequence[str] = (),
    reporter: Reporter = SILENT,
    changed: bool = False,
    target: str = DEFAULT_TARGET,
    connection: Connection | None = None,
) -> dbt_runner.DbtOutcome:
    """dbt build with `dbt_args` on the work dir's warehouse (or on `target`'s server, after
    copying the warehouse's raw tables into it).

    A whole build loads the seeds itself; a selection (`dbt_args` or `changed`) may leave them
    out, so the seeds are loaded first by `dbt seed`.
    `changed`: only the models changed since the last successful build and their dependents
    (`state:modified+`, deferring to that build); selecting nothing is then no error.
    `connection`: a server already started by `engine` (else started and stopped here)."""
    _check_target(target)
    if changed and target != DEFAULT_TARGET:
        raise PipelineError("--changed works on the duckdb target only", exit_code=2)
    if not workdir.warehouse.is_file():
        raise PipelineError(
            f"no warehouse at {workdir.warehouse} (load submissions first: `cts load`)",
            exit_code=dbt_runner.EXIT_NOT_RUN,
        )
    if connection is not None or target == DEFAULT_TARGET:
        return _build(workdir, project_dir, dbt_args, reporter, changed, target, connection)
    with engine(workdir, target, reporter) as started:
        return _build(workdir, project_dir, dbt_args, reporter, changed, target, started)


def _build(
    workdir: Workdir,
    project_dir: Path,
    dbt_args: Sequence[str],
    reporter: Reporter,
    changed: bool,
    target: str,
    connection: Connection | None,
) -> dbt_runner.DbtOutcome:
    from cts.export import write_build_info

    exclusions: list[str] = []
    if connection is not None:
        from cts.engines import postgres

        reporter.progress("copy raw tables", 0, 1, "COPY into PostgreSQL")
        try:
            rows = postgres.copy_raw_tables(workdir.warehouse, connection)
        except postgres.PostgresError as error:
            raise PipelineError(str(error), exit_code=dbt_runner.EXIT_NOT_RUN) from error
        reporter.progress("copy raw tables", 1, 1)
        reporter.info(f"Copied {rows:,} raw rows into PostgreSQL")
        # the exact versions of DuckDB's functions the dispatched macros call (cts_engine)
        functions = ["run-operation", "cts_create_engine_functions"]
        created = _dbt(functions, workdir, project_dir, "run-operation", reporter, target)
        _passed(created, "run-operation cts_create_engine_functions", reporter, False)
        exclusions = ["--exclude", *POSTGRES_EXCLUDED]
    if dbt_args or changed:
        seed = _dbt(["seed"], workdir, project_dir, "seed", reporter, target)
        _passed(seed, "seed", reporter)
    selection = dbt_runner.changed_selection(workdir) if changed else []
    command = ["build", *selection, *dbt_args, *exclusions]
    outcome = _dbt(command, workdir, project_dir, "build", reporter, target)
    write_build_info(workdir)  # which pseudonym key the warehouse now holds (demo or custom)
    results = workdir.target / "run_results.json"
    if results.is_file():  # kept apart: `cts docs` overwrites run_results.json
        shutil.copyfile(results, workdir.target / LAST_BUILD_RESULTS)
    _passed(outcome, "build", reporter)
    if outcome.nodes == 0 and not changed:
        raise PipelineError("dbt build selected nothing (check --select/--exclude)")
    return outcome


def docs(workdir: Workdir, project_dir: Path, reporter: Reporter = SILENT) -> Path:
    """The dbt docs site as one static file, `<workdir>/docs/index.html`."""
    if not workdir.warehouse.is_file():
        raise PipelineError(f"no warehouse at {workdir.warehouse} (run `cts run` first)")
    command = ["docs", "generate", "--static"]
    _passed(_dbt(command, workdir, project_dir, "docs", reporter), "docs generate", reporter, False)
    static = workdir.target / "static_index.html"
    if not static.is_file():
        raise PipelineError(f"dbt did not write {static}", exit_code=dbt_runner.EXIT_NOT_RUN)
    workdir.docs.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(static, workdir.docs / "index.html")
    return workdir.docs / "index.html"


# --- export, disclosure check, dashboard -------------------------------------------------------


def export(
    workdir: Workdir,
    project_dir: Path,
    release: bool = False,
    reporter: Reporter = SILENT,
    target: str = DEFAULT_TARGET,
    connection: Connection | None = None,
) -> ExportSummary:
    """Export the public marts to `<workdir>/public` and the data-quality report to
    `<workdir>/quality`; return the export's `ExportSummary`. On postgres they are read from
    a DuckDB copy of the server's marts (`<workdir>/postgres/export.duckdb`): the same writer,
    the same bytes. `connection`: a server already started by `engine`."""
    _check_target(target)
    if connection is not None or target == DEFAULT_TARGET:
        return _export(workdir, project_dir, release, reporter, connection)
    with engine(workdir, target, reporter) as started:
        return _export(workdir, project_dir, release, reporter, started)


def _export(
    workdir: Workdir,
    project_dir: Path,
    release: bool,
    reporter: Reporter,
    connection: Connection | None,
) -> ExportSummary:
    from cts.export import ExportError, export_public, export_quality

    warehouse = None
    if connection is not None:
        from cts.engines import postgres

        try:
            warehouse = postgres.mirror_for_export(connection, workdir.root)
        except postgres.PostgresError as error:
            raise PipelineError(str(error)) from error
        missing = _public_marts_missing(workdir, warehouse)
        if missing:  # TODO(issue 20): gone once the protection runs on every target
            quality_files = export_quality(workdir, warehouse)
            raise NotOnThisTarget(
                f"the public marts ({', '.join(missing)}) are not built on postgres yet: the"
                " disclosure protection runs on DuckDB only until its runner step lands"
                f" (the data-quality report was exported to {workdir.quality})"
            )
    try:
        summary = export_public(
            workdir,
            generation=generation_record(workdir),
            progress=reporter.progress,
            release=release,
            project_dir=project_dir,
            warehouse=warehouse,
        )
        quality_files = export_quality(workdir, warehouse)
    except ExportError as error:
        raise PipelineError(str(error)) from error
    data_files = [entry for entry in summary.files if "rows" in entry]
    reporter.info(
        f"Exported {len(summary.relations)} public marts ({len(data_files)} files) to"
        f" {summary.directory}"
    )
    if quality_files:
        reporter.info(f"Data-quality report for the agencies: {workdir.quality}")
    return summary


def _public_marts_missing(workdir: Workdir, warehouse: Path) -> list[str]:
    """The public marts of the last build's manifest that `warehouse` does not hold."""
    import duckdb

    from cts.export import PUBLIC_SCHEMA, public_nodes, read_manifest, warehouse_tables

    manifest = read_manifest(workdir.target / "manifest.json") or {}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        present = set(warehouse_tables(con, PUBLIC_SCHEMA))
    finally:
        con.close()
    return [node.name for node in public_nodes(manifest) if node.name not in present]


def _write_report(report: dict[str, Any], target: Path, reporter: Reporter) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    reporter.output(f"report: {target}")


def check_disclosure(
    workdir: Workdir,
    project_dir: Path,
    output: Path | None = None,
    exact: bool = False,
    dense_limit: int | None = None,
    max_component: int | None = None,
    reporter: Reporter = SILENT,
) -> dict[str, Any]:
    """Play the attacker on `<workdir>/public`; write and return the checker's report, and
    raise unless nothing can be recovered. `exact`: the linear-programming check instead."""
    if exact:
        return _check_exact(workdir, project_dir, output, max_component, reporter)
    from cts.disclosure import DEFAULT_DENSE_LIMIT, DisclosureError, check_export
    from cts.disclosure import summary_lines as disclosure_lines

    stage = "check disclosure"
    reporter.progress(stage, 0, 1, "solving the published relations")
    try:
        report = check_export(workdir.public, dense_limit=dense_limit or DEFAULT_DENSE_LIMIT)
    except DisclosureError as error:
        raise PipelineError(str(error)) from error
    reporter.progress(stage, 1, 1)
    for line in disclosure_lines(report):
        reporter.output(line)
    _write_report(report, _report_path(output, workdir, "disclosure_report.json"), reporter)
    if not report["ok"]:
        raise PipelineError("disclosure check failed: " + ", ".join(_disclosure_problems(report)))
    return report


def _report_path(output: Path | None, workdir: Workdir, default: str) -> Path:
    return (output or workdir.root / default).expanduser().resolve()


def _disclosure_problems(report: dict[str, Any]) -> list[str]:
    problems = []
    if report["recovered_count"]:
        problems.append(f"{report['recovered_count']} suppressed counts recoverable")
    if report["small_published_counts"]["count"]:
        problems.append(f"{report['small_published_counts']['count']} small counts published")
    if report["rate_rule_violations"]["count"]:
        problems.append(f"{report['rate_rule_violations']['count']} rates break the rate rule")
    if report["components"]["untested"]:
        problems.append(f"{len(report['components']['untested'])} components untested")
    return problems


def _check_exact(
    workdir: Workdir,
    project_dir: Path,
    output: Path | None,
    max_component: int | None,
    reporter: Reporter,
) -> dict[str, Any]:
    from cts.publication.check import DEFAULT_MAX_COMPONENT, check_export, summary_lines

    stage = "check disclosure (exact)"
    reporter.progress(stage, 0, 1, "linear programs")
    try:
        report = check_export(project_dir, workdir.public, max_component or DEFAULT_MAX_COMPONENT)
    except (OSError, ValueError) as error:
        raise PipelineError(str(error)) from error
    reporter.progress(stage, 1, 1)
    for line in summary_lines(report):
        reporter.output(line)
    _write_report(report, _report_path(output, workdir, "disclosure_exact.json"), reporter)
    if not report["ok"]:
        raise PipelineError(
            f"exact disclosure check failed: {report['disclosed_count']} disclosed,"
            f" {report['untested_count']} untested, {report['small_published_counts']} small"
            " counts published"
        )
    return report


def dashboard(
    workdir: Workdir,
    out_dir: Path | None = None,
    copy_data: bool = False,
    reporter: Reporter = SILENT,
) -> SiteSummary:
    """Build the static dashboard from `<workdir>/public` into `<workdir>/site` (or
    `out_dir`); return its `SiteSummary`."""
    from cts.dashboard import DashboardError, build_site

    target = (out_dir or workdir.site).expanduser().resolve()
    reporter.progress("dashboard", 0, 1, "reading the export")
    try:
        summary = build_site(workdir.public, target, copy_data=copy_data)
    except DashboardError as error:
        raise PipelineError(str(error)) from error
    reporter.progress("dashboard", 1, 1)
    reporter.info(
        f"Dashboard: {summary.programs} programs, {summary.total_bytes / 1e6:.1f} MB,"
        f" written to {summary.index}"
    )
    return summary


# --- run -------------------------------------------------------------------------------------


@dataclass
class RunResult:
    """What `run` did: the load's result, each step's time and memory, where things are."""

    loaded: LoadResult
    steps: list[StepUsage]
    locations: list[tuple[str, str]]


def run(
    workdir: Workdir,
    project_dir: Path,
    scale: str = DEFAULT_SCALE,
    seed: int = DEFAULT_SEED,
    with_export: bool = True,
    fresh: bool = True,
    reporter: Reporter = SILENT,
    target: str = DEFAULT_TARGET,
) -> RunResult:
    """generate → load → build → export → check disclosure → dashboard, in one work dir.

    `fresh` starts from an empty warehouse and data dir (and, on postgres, a new local
    cluster). Stops (raises) when nothing could be loaded or a step fails; rejected submissions
    do not stop it (see `raise_for_rejections`). On postgres the server runs from the build to
    the export.
    """
    _check_target(target)
    workdir.ensure()
    if fresh:
        for path in (workdir.warehouse, workdir.warehouse.with_name("warehouse.duckdb.wal")):
            path.unlink(missing_ok=True)
        if workdir.data.is_dir():
            shutil.rmtree(workdir.data)
        local_cluster = workdir.root / "postgres"
        if target != DEFAULT_TARGET and local_cluster.is_dir():
            shutil.rmtree(local_cluster)
    steps: list[StepUsage] = []
    with measure("generate", steps):
        generate(workdir, scale, seed, reporter=reporter)
    with measure("load", steps):
        loaded = load(workdir, project_dir, workdir.data, reporter)
    raise_for_rejections(loaded, only_if_nothing_loaded=True)
    with engine(workdir, target, reporter) as connection:
        with measure("build", steps):
            build(workdir, project_dir, (), reporter, False, target, connection)
        if with_export:
            with measure("export", steps):
                try:
                    export(workdir, project_dir, False, reporter, target, connection)
                except NotOnThisTarget as reason:
                    reporter.problem(f"no public export: {reason.message}")
                    with_export = False
    if with_export:
        later: list[tuple[str, Callable[[], object]]] = [
            ("check disclosure", lambda: check_disclosure(workdir, project_dir, reporter=reporter)),
            ("dashboard", lambda: dashboard(workdir, reporter=reporter)),
        ]
        for name, step in later:
            with measure(name, steps):
                step()
    return RunResult(loaded, steps, locations(workdir))


def locations(workdir: Workdir) -> list[tuple[str, str]]:
    """Where everything of the work dir is (`–` and the command to run for what is missing)."""
    exported = (workdir.public / "manifest.json").is_file()
    rows = [
        ("work dir", str(workdir.root)),
        ("submissions", str(workdir.data) if workdir.data.exists() else "–"),
        ("warehouse", str(workdir.warehouse)),
        ("public exports", str(workdir.public) if exported else "– (cts export)"),
    ]
    for site in (workdir.site / "index.html", workdir.root / "dashboard" / "index.html"):
        if site.is_file():
            rows.append(("dashboard", str(site)))
            break
    index = workdir.docs / "index.html"
    rows.append(("dbt docs", str(index) if index.is_file() else "– (cts docs)"))
    rows.append(("dbt artifacts", str(workdir.target)))
    return rows


# --- add an agency ----------------------------------------------------------------------------


def add_agency(
    project_dir: Path, code: str, like: str, name: str, county: str | None = None
) -> ScaffoldResult:
    """Scaffold agency `code` from the sheriff `like` of the same layout (cts.scaffold)."""
    try:
        return scaffold_agency(project_dir, code, like, name, county)
    except ScaffoldError as error:
        raise PipelineError(str(error)) from error


# --- link and status -------------------------------------------------------------------------


def link(
    project_dir: Path,
    input_path: Path,
    output_path: Path,
    keep_dir: Path | None = None,
    reporter: Reporter = SILENT,
) -> Links:
    """Link the person records of a CSV with the identity models, built in a scratch database
    (a temporary directory, or `keep_dir` to keep it); write each record's person."""
    with tempfile.TemporaryDirectory(prefix="cts-link-") as scratch:
        scratch_dir = Workdir((keep_dir or Path(scratch)).expanduser().resolve()).ensure()
        scratch_dir.warehouse.unlink(missing_ok=True)
        try:
            records = load_input(input_path.expanduser().resolve(), scratch_dir.warehouse)
        except LinkError as error:
            raise PipelineError(str(error)) from error
        reporter.info(f"Linking {records:,} records from {input_path}")
        command = [
            "build",
            "--select",
            IDENTITY_SELECTOR,
            "--exclude-resource-type",
            "unit_test",
            "--indirect-selection",
            "cautious",
            "--vars",
            json.dumps({"identity_input_relation": INPUT_RELATION}),
        ]
        label = "build (identity)"
        _passed(_dbt(command, scratch_dir, project_dir, label, reporter), label, reporter)
        try:
            return export_links(scratch_dir.warehouse, output_path.expanduser().resolve())
        except LinkError as error:
            raise PipelineError(str(error)) from error


def status(workdir: Workdir) -> Status:
    """What is loaded per agency and how the last dbt build went."""
    try:
        return describe(workdir)
    except StatusError as error:
        raise PipelineError(str(error)) from error
