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
the raw tables. `cts load` writes them to the raw zone (`<workdir>/raw/`, cts.rawzone), which
the warehouse reads through views: every build first makes sure they read exactly the zone's
files (`attach_raw_zone`).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cts import dbt as dbt_runner
from cts import rawzone
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
    from cts.engines.postgres import Connection as PostgresConnection
    from cts.engines.spark import SparkTarget
    from cts.export import ExportSummary

    # a started engine other than DuckDB: a PostgreSQL server or the Spark session
    Connection = PostgresConnection | SparkTarget

# Imported where used, not here, because they take a second to import and most commands do
# not need them: cts.generate (numpy), cts.export (dbt-duckdb), cts.disclosure (numpy),
# cts.publication.check (scipy, HiGHS), cts.dashboard.

SCALES = ("tiny", "demo", "full")
DEFAULT_SCALE = "demo"
DEFAULT_SEED = 7


# The public side of the build: what reads the protection's decisions. `cts build` runs dbt in
# two phases around the protection step (cts.publication.decisions): everything else, then the
# decisions, then these.
PROTECTED = "source:protection+"  # the decisions, their tests and all that reads them
COUNTS_NODE = "model.cts_programs.int_published_counts_unpivoted"
PROTECTION_REPORT = "protection_report.json"
SELECT_FLAGS = ("--select", "-s", "--models", "-m")


class PipelineError(Exception):
    """A user error: one line for the user, and the exit code to end with (1 unless told)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


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
    if target == "spark":
        from cts.engines import spark

        reporter.info("Spark: a local session (local[2])")
        try:
            with spark.session(workdir.root) as session:
                yield session
        except spark.SparkError as error:
            raise PipelineError(str(error), exit_code=dbt_runner.EXIT_NOT_RUN) from error
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
    if not workdir.warehouse.is_file() and not (workdir.raw_zone / rawzone.MANIFEST_NAME).is_file():
        raise PipelineError(
            f"no warehouse at {workdir.warehouse} (load submissions first: `cts load`)",
            exit_code=dbt_runner.EXIT_NOT_RUN,
        )
    attach_raw_zone(workdir)
    if connection is not None or target == DEFAULT_TARGET:
        return _build(workdir, project_dir, dbt_args, reporter, changed, target, connection)
    with engine(workdir, target, reporter) as started:
        return _build(workdir, project_dir, dbt_args, reporter, changed, target, started)


def attach_raw_zone(workdir: Workdir) -> int:
    """The warehouse's raw views over exactly the raw zone's files, made again where they are
    stale (a load killed after its manifest, a work dir copied or moved; a warehouse removed
    is made again from the zone). Cheap when nothing changed. Returns the views made."""
    try:
        return rawzone.attach_duckdb(workdir.warehouse)
    except LoadError as error:
        raise PipelineError(str(error)) from error


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

    if _is_spark(connection):
        _prepare_spark(workdir, reporter, connection)
    elif connection is not None:
        _prepare_postgres(workdir, project_dir, reporter, target, connection)
    if dbt_args or changed:
        seed = _dbt(["seed"], workdir, project_dir, "seed", reporter, target)
        _passed(seed, "seed", reporter)
    selection = dbt_runner.changed_selection(workdir, target) if changed else []
    args = [*selection, *dbt_args]
    # 1. everything but the public side
    first = _dbt(
        ["build", *with_exclusion(args, PROTECTED)], workdir, project_dir, "build", reporter, target
    )
    write_build_info(workdir)  # which pseudonym key the warehouse now holds (demo or custom)
    counts_built = _ran(workdir, COUNTS_NODE)
    _keep_results(workdir)
    _passed(first, "build", reporter)
    # 2. the protection's decisions, when the counts were rebuilt or no decisions exist yet
    # (and the counts do: a selection may build neither)
    counts, decisions = _protection_tables(workdir, connection)
    if counts and (counts_built or not decisions):
        protect(workdir, project_dir, reporter, connection)
    # 3. the public side, within the same selection
    second = _dbt(
        ["build", *within(args, PROTECTED)],
        workdir,
        project_dir,
        "build (public)",
        reporter,
        target,
    )
    _keep_results(workdir, append=True)
    _passed(second, "build (public)", reporter)
    if dbt_runner.builds_everything_changed(["build", *args], workdir, target):
        dbt_runner.keep_state(workdir, target)  # what the next `--changed` build compares to
    if first.nodes + second.nodes == 0 and not changed:
        raise PipelineError("dbt build selected nothing (check --select/--exclude)")
    return dbt_runner.DbtOutcome(
        args=first.args + second.args,
        exit_code=second.exit_code,
        nodes=first.nodes + second.nodes,
        skipped=first.skipped + second.skipped,
    )


def _prepare_postgres(
    workdir: Workdir, project_dir: Path, reporter: Reporter, target: str, connection: Connection
) -> None:
    """Copy the raw tables into the server and create the engine's exact functions."""
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


def _is_spark(connection: Connection | None) -> bool:
    return type(connection).__name__ == "SparkTarget"


def _prepare_spark(workdir: Workdir, reporter: Reporter, target: SparkTarget) -> None:
    """Give the session the raw tables: each read from exactly the raw zone's files."""
    from cts.engines.spark import SparkError

    reporter.progress("attach raw tables", 0, 1, "the raw zone's Parquet files, into Spark")
    try:
        rows = target.attach_raw_tables(workdir.warehouse)
    except SparkError as error:
        raise PipelineError(str(error), exit_code=dbt_runner.EXIT_NOT_RUN) from error
    reporter.progress("attach raw tables", 1, 1)
    reporter.info(f"Attached {rows:,} raw rows to Spark")


def with_exclusion(args: Sequence[str], selector: str) -> list[str]:
    """dbt arguments with `selector` added to their --exclude (one option, several values)."""
    args = list(args)
    if "--exclude" in args:
        at = args.index("--exclude") + 1
        return [*args[:at], selector, *args[at:]]
    return [*args, "--exclude", selector]


def within(args: Sequence[str], selector: str) -> list[str]:
    """dbt arguments whose selection is intersected with `selector` (`a,b`: in both)."""
    args = list(args)
    selecting = False
    found = False
    result = []
    for arg in args:
        if arg in SELECT_FLAGS:
            selecting = found = True
            result.append(arg)
            continue
        if arg.startswith("-"):
            selecting = False
        result.append(f"{arg},{selector}" if selecting else arg)
    return result if found else [*result, "--select", selector]


def _ran(workdir: Workdir, unique_id: str) -> bool:
    results = workdir.target / "run_results.json"
    if not results.is_file():
        return False
    data = json.loads(results.read_text(encoding="utf-8"))
    return any(
        r.get("unique_id") == unique_id and r.get("status") == "success"
        for r in data.get("results", [])
    )


def _keep_results(workdir: Workdir, append: bool = False) -> None:
    """run_results.json kept apart (`cts docs` overwrites it); the public phase's results are
    added to the first phase's, in both files, so that they tell the whole build."""
    results = workdir.target / "run_results.json"
    kept = workdir.target / LAST_BUILD_RESULTS
    if not results.is_file():
        return
    if append and kept.is_file():
        before = json.loads(kept.read_text(encoding="utf-8"))
        after = json.loads(results.read_text(encoding="utf-8"))
        before["results"] = before.get("results", []) + after.get("results", [])
        before["elapsed_time"] = before.get("elapsed_time", 0) + after.get("elapsed_time", 0)
        text = json.dumps(before)
        kept.write_text(text, encoding="utf-8")
        results.write_text(text, encoding="utf-8")
    else:
        shutil.copyfile(results, kept)


def _protection_tables(workdir: Workdir, connection: Connection | None) -> tuple[bool, bool]:
    """Whether the long table of true counts and the decisions table exist."""
    from cts.publication.decisions import (
        COUNTS_RELATION,
        COUNTS_SCHEMA,
        SCHEMA,
        TABLE,
        relation_exists,
    )

    if _is_spark(connection):
        cursor = connection.cursor()
        return (
            relation_exists(cursor, COUNTS_SCHEMA, COUNTS_RELATION),
            relation_exists(cursor, SCHEMA, TABLE),
        )
    query = (
        "select count(*) filter (where table_schema = ? and table_name = ?),"
        " count(*) filter (where table_schema = ? and table_name = ?)"
        " from information_schema.tables"
    )
    values = [COUNTS_SCHEMA, COUNTS_RELATION, SCHEMA, TABLE]
    if connection is None:
        import duckdb

        try:
            with duckdb.connect(str(workdir.warehouse), read_only=True) as con:
                counts, decisions = con.execute(query, values).fetchone()
        except duckdb.Error:  # not a warehouse dbt built (nothing to protect)
            return False, False
    else:
        with connection.connect() as pg, pg.cursor() as cursor:
            cursor.execute(query.replace("?", "%s"), values)
            counts, decisions = cursor.fetchone()
    return bool(counts), bool(decisions)


def protect(
    workdir: Workdir,
    project_dir: Path,
    reporter: Reporter = SILENT,
    connection: Connection | None = None,
) -> dict[str, Any]:
    """The protection step: decide which counts to withhold, write protection.cell_decisions."""
    from cts.publication import decisions, declaration
    from cts.publication.protect import ProtectionError

    stage = "protect"
    reporter.progress(stage, 0, None, "reading the true counts")
    publication = declaration.load(project_dir)

    def say(entry: dict[str, Any]) -> None:
        reporter.progress(
            stage,
            entry["round"],
            None,
            f"round {entry['round']}: {entry['pending']:,} counts to prove,"
            f" {entry['programs']} programs, {entry['seconds']} s",
        )

    try:
        if connection is None:
            import duckdb

            with duckdb.connect(str(workdir.warehouse)) as con:
                rows = decisions.read_rows(con.cursor())
                chosen, certificates, summary = decisions.decide(publication, rows, say=say)
                decisions.write_duckdb(con, chosen, certificates)
        elif _is_spark(connection):
            rows = decisions.read_rows(connection.cursor())
            chosen, certificates, summary = decisions.decide(publication, rows, say=say)
            decisions.write_spark(connection, chosen, certificates)
        else:
            pg = connection.connect()
            try:
                with pg.cursor() as cursor:
                    rows = decisions.read_rows(cursor)
                chosen, certificates, summary = decisions.decide(publication, rows, say=say)
                decisions.write_postgres(pg, chosen, certificates)
            finally:
                pg.close()
    except ProtectionError as error:
        raise PipelineError(f"protection: {error}", exit_code=dbt_runner.EXIT_FAILED) from error
    report = summary.as_dict()
    _write_report(report, workdir.root / PROTECTION_REPORT, SILENT)
    reporter.info(
        f"Protection: {summary.primary:,} small counts and {summary.complementary:,} complementary"
        f" ({summary.complementary_zeros:,} of them zeros) withheld of {summary.counts:,}; every"
        f" one proven by a solution of the relations ({summary.seconds} s)"
    )
    return report


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
    if _is_spark(connection):
        from cts.engines.postgres import EXPORT_SCHEMAS

        warehouse = connection.mirror_for_export(EXPORT_SCHEMAS)
    elif connection is not None:
        from cts.engines import postgres

        try:
            warehouse = postgres.mirror_for_export(connection, workdir.root)
        except postgres.PostgresError as error:
            raise PipelineError(str(error)) from error
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


def _write_report(report: dict[str, Any], target: Path, reporter: Reporter) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    reporter.output(f"report: {target}")


def check_disclosure(
    workdir: Workdir,
    project_dir: Path,
    output: Path | None = None,
    exact: bool = False,
    max_component: int | None = None,
    reporter: Reporter = SILENT,
    target: str = DEFAULT_TARGET,
    connection: Connection | None = None,
) -> dict[str, Any]:
    """Check `<workdir>/public` by linear programming; write and return the report, and raise
    unless every withheld count is proven safe. Default: the protection's certificates verified
    against the export, and a search for any count they leave (the true counts and the
    certificates come from the warehouse of `target`; `connection`: a server already started
    by `engine`). `exact`: each interval exactly, per connected component, from the export
    alone."""
    if exact:
        return _check_exact(workdir, project_dir, output, max_component, reporter)
    _check_target(target)
    if not (workdir.public / "manifest.json").is_file():
        raise PipelineError(f"no public export at {workdir.public} (run `cts export`)")
    if connection is None and target != DEFAULT_TARGET:
        with engine(workdir, target, reporter) as started:
            return check_disclosure(
                workdir, project_dir, output, reporter=reporter, target=target, connection=started
            )
    from cts.publication.check import proof_lines

    stage = "check disclosure"
    reporter.progress(stage, 0, 1, "certificates, verified against the export")
    report = _prove(workdir, project_dir, connection)
    reporter.progress(stage, 1, 1)
    for line in proof_lines(report):
        reporter.output(line)
    _write_report(report, _report_path(output, workdir, "disclosure_report.json"), reporter)
    if not report["ok"]:
        raise PipelineError(
            f"disclosure check failed: {report['unproved_count']} withheld counts not proven"
            f" safe, {report['small_published_counts']} small counts published"
        )
    return report


def _prove(workdir: Workdir, project_dir: Path, connection: Connection | None) -> dict[str, Any]:
    """`prove_export` with a cursor of the warehouse: DuckDB's file, or the server's."""
    from cts.publication.check import prove_export
    from cts.publication.protect import ProtectionError

    try:
        if connection is None:
            import duckdb

            if not workdir.warehouse.is_file():
                raise PipelineError(f"no warehouse at {workdir.warehouse} (run `cts build`)")
            with duckdb.connect(str(workdir.warehouse), read_only=True) as con:
                return prove_export(project_dir, workdir.public, con.cursor())
        if _is_spark(connection):
            return prove_export(project_dir, workdir.public, connection.cursor())
        pg = connection.connect()
        try:
            with pg.cursor() as cursor:
                return prove_export(project_dir, workdir.public, cursor)
        finally:
            pg.close()
    except (OSError, ValueError, ProtectionError) as error:
        raise PipelineError(f"disclosure check: {error}") from error


def _report_path(output: Path | None, workdir: Workdir, default: str) -> Path:
    return (output or workdir.root / default).expanduser().resolve()


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

    `fresh` starts from an empty warehouse, raw zone and data dir (and, on postgres, a new local
    cluster). Stops (raises) when nothing could be loaded or a step fails; rejected submissions
    do not stop it (see `raise_for_rejections`). On postgres the server runs from the build to
    the export.
    """
    _check_target(target)
    workdir.ensure()
    if fresh:
        for path in (workdir.warehouse, workdir.warehouse.with_name("warehouse.duckdb.wal")):
            path.unlink(missing_ok=True)
        shutil.rmtree(workdir.raw_zone, ignore_errors=True)
        if workdir.data.is_dir():
            shutil.rmtree(workdir.data)
        for engine_dir in (workdir.root / "postgres", workdir.root / "spark"):
            if target != DEFAULT_TARGET and engine_dir.is_dir():
                shutil.rmtree(engine_dir)
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
                export(workdir, project_dir, False, reporter, target, connection)
            with measure("check disclosure", steps):
                check_disclosure(
                    workdir, project_dir, reporter=reporter, target=target, connection=connection
                )
    if with_export:
        with measure("dashboard", steps):
            dashboard(workdir, reporter=reporter)
    return RunResult(loaded, steps, locations(workdir))


def locations(workdir: Workdir) -> list[tuple[str, str]]:
    """Where everything of the work dir is (`–` and the command to run for what is missing)."""
    exported = (workdir.public / "manifest.json").is_file()
    rows = [
        ("work dir", str(workdir.root)),
        ("submissions", str(workdir.data) if workdir.data.exists() else "–"),
        ("warehouse", str(workdir.warehouse)),
        ("raw zone", str(workdir.raw_zone) if workdir.raw_zone.is_dir() else "– (cts load)"),
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
