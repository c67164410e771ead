"""The `cts` command: generate → load → build → export, plus docs and status.

Every artifact lives in one work dir (`--workdir`, $CTS_WORKDIR, default `work/` in the
checkout). User errors end as one line on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cts import __version__
from cts import dbt as dbt_runner
from cts.paths import Workdir, find_project_root, resolve_workdir
from cts.status import LAST_BUILD_RESULTS

SCALES = ("tiny", "demo", "full")
DEFAULT_SCALE = "demo"
DEFAULT_SEED = 7
PROJECT_DIR_ENV = "CTS_PROJECT_DIR"
DEBUG_ENV = "CTS_DEBUG"


class CtsError(click.ClickException):
    """A user error: printed as one line, exits with `exit_code` (1 unless told)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class CtsGroup(click.Group):
    """A group whose errors are one line on stderr: `cts <command>: error: <why>`."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)  # pipeline order, as defined below

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        del _COMMAND_PATH[1:]
        try:
            outcome = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as error:
            where = error.ctx.command_path if error.ctx else "cts"
            click.echo(f"{where}: error: {error.format_message()} (see '{where} --help')", err=True)
            sys.exit(error.exit_code)
        except click.ClickException as error:
            where = _current_command_path()
            click.echo(f"{where}: error: {error.format_message()}", err=True)
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("cts: aborted", err=True)
            sys.exit(130)
        except Exception as error:  # an unexpected failure: still one line unless debugging
            if os.environ.get(DEBUG_ENV):
                raise
            click.echo(
                f"{_current_command_path()}: internal error: {type(error).__name__}: {error}"
                f" (set {DEBUG_ENV}=1 for the traceback)",
                err=True,
            )
            sys.exit(3)
        sys.exit(outcome if isinstance(outcome, int) else 0)


_COMMAND_PATH = ["cts"]


def _current_command_path() -> str:
    return _COMMAND_PATH[-1]


@dataclass
class State:
    """Options shared by every subcommand, resolved on first use."""

    workdir_option: str | None = None
    project_dir_option: str | None = None

    @property
    def project_dir(self) -> Path:
        chosen = self.project_dir_option or os.environ.get(PROJECT_DIR_ENV)
        if chosen:
            path = Path(chosen).expanduser().resolve()
            if not (path / "dbt_project.yml").is_file():
                raise CtsError(f"no dbt_project.yml in {path}")
            return path
        try:
            return find_project_root()
        except FileNotFoundError as error:
            raise CtsError(str(error)) from error

    @property
    def workdir(self) -> Workdir:
        return resolve_workdir(self.workdir_option, self.project_dir)


def _remember_workdir(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(State).workdir_option = value


WORKDIR_HELP = "Work dir holding every artifact [env CTS_WORKDIR; default: work/ in the checkout]."


def workdir_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """Accept `--workdir` after the subcommand too: `cts run --workdir w`."""
    return click.option(
        "--workdir",
        metavar="DIR",
        expose_value=False,
        callback=_remember_workdir,
        help=WORKDIR_HELP,
    )(command)


def state() -> State:
    return click.get_current_context().ensure_object(State)


def out() -> Console:
    return Console(highlight=False)


def err() -> Console:
    return Console(stderr=True, highlight=False)


# --- progress --------------------------------------------------------------------------------


class ProgressReporter:
    """Rich progress bars fed by a callback of the generator or the loader.

    The callback may be called as `(description, done, total)`, `(done, total)`,
    `(done, total, description)` or with keywords `description`/`stage`, `completed`/`done`,
    `total`, `advance`; each new description gets its own bar. The display starts on the
    first call, so a step that fails before reporting anything prints nothing.
    """

    def __init__(self) -> None:
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err(),
        )
        self.started = False
        self.tasks: dict[str, Any] = {}
        self.current: str | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        if not self.started:
            self.progress.start()
            self.started = True
        if len(args) == 1 and isinstance(args[0], dict):
            kwargs = {**args[0], **kwargs}
            args = ()
        texts = [arg for arg in args if isinstance(arg, str)]
        numbers = [
            arg for arg in args if isinstance(arg, int | float) and not isinstance(arg, bool)
        ]
        description = str(
            kwargs.get("description")
            or kwargs.get("stage")
            or kwargs.get("label")
            or kwargs.get("step")
            or (texts[0] if texts else None)
            or self.current
            or "working"
        )
        completed = kwargs.get("completed", kwargs.get("done"))
        total = kwargs.get("total")
        advance = kwargs.get("advance")
        if numbers:
            completed = numbers[0] if completed is None else completed
            if len(numbers) > 1 and total is None:
                total = numbers[1]
        if description not in self.tasks:
            self._complete(self.current)
            self.tasks[description] = self.progress.add_task(description, total=total)
        self.current = description
        update: dict[str, Any] = {}
        if total is not None:
            update["total"] = total
        if completed is not None:
            update["completed"] = completed
        elif advance is not None:
            update["advance"] = advance
        self.progress.update(self.tasks[description], **update)

    def step(self, name: str, advance: int, total: int, detail: str) -> None:
        """One bar fed `(steps just done, total steps, what now)`, as the loader reports."""
        if not self.started:
            self.progress.start()
            self.started = True
        if name not in self.tasks:
            self.tasks[name] = self.progress.add_task(name, total=total)
        label = f"{name}: {detail}"
        label = label if len(label) <= 40 else label[:39] + "…"
        task_id = self.tasks[name]
        if detail == "done":
            self.progress.update(task_id, total=total, completed=total, description=name)
        else:
            self.progress.update(task_id, total=total, advance=advance, description=f"{label:<40}")

    def _complete(self, description: str | None) -> None:
        if description is None:
            return
        task_id = self.tasks[description]
        task = next(task for task in self.progress.tasks if task.id == task_id)
        if task.total is not None:
            self.progress.update(task_id, completed=task.total)

    def stop(self, succeeded: bool) -> None:
        if not self.started:
            return
        if succeeded:
            for description in self.tasks:
                self._complete(description)
        self.progress.stop()


@contextmanager
def progress_reporter() -> Iterator[ProgressReporter]:
    reporter = ProgressReporter()
    try:
        yield reporter
    except BaseException:
        reporter.stop(succeeded=False)
        raise
    reporter.stop(succeeded=True)


# --- the steps, shared by the subcommands and `run` ------------------------------------------


def _generation_record(workdir: Workdir) -> dict[str, Any] | None:
    try:
        record = json.loads(workdir.generation_record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return {key: record.get(key) for key in ("scale", "seed")}


def do_generate(workdir: Workdir, scale: str, seed: int, out_dir: Path | None) -> Path:
    try:
        from cts.generate import generate
    except ImportError as error:
        raise CtsError(f"the generator is not available: {error}") from error
    target = (out_dir or workdir.data).expanduser().resolve()
    workdir.ensure()
    err().print(
        f"Generating [bold]{scale}[/] submissions (seed {seed}) into {target}", soft_wrap=True
    )
    try:
        with progress_reporter() as reporter:
            summary = generate(scale, seed, target, progress=reporter)
    except (ValueError, OSError) as error:
        raise CtsError(str(error)) from error
    record = {"scale": scale, "seed": seed, "out": str(target), "summary": summary}
    workdir.generation_record.write_text(
        json.dumps(record, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8"
    )
    return target


SUBMISSION_EXIT_CODES = """\b
Exit codes (one table for cts load, cts validate and cts run):
  0    every submission offered was accepted or already loaded
       (cts run: and every step passed)
  1    a user error (one line on stderr); cts run: failing dbt models or
       tests, or a failed disclosure check
  2    a bad option, or dbt could not run
  3    an internal error (CTS_DEBUG=1 shows the traceback)
  4    some submissions were rejected, the rest loaded (cts run goes on)
  5    nothing could be loaded: every submission offered was rejected
  130  interrupted"""


def do_load(workdir: Workdir, project_dir: Path, path: Path, dry_run: bool = False):
    """Load (or with `dry_run` only check) the submissions under `path`; print what happened
    and return the loader's result. Rejections are not raised here: see `end_submissions`."""
    path = path.expanduser().resolve()
    if not path.exists():
        raise CtsError(f"no submissions at {path} (run `cts generate` first)")
    from cts.load import LoadError, load_submissions, summary_lines, validate_submissions

    if dry_run:
        err().print(f"Checking submissions in {path} (nothing is written)", soft_wrap=True)
    else:
        workdir.ensure()
        err().print(f"Loading submissions from {path} into {workdir.warehouse}", soft_wrap=True)
    name = "validate" if dry_run else "load"
    try:
        with progress_reporter() as reporter:

            def step(advance: int, total: int, detail: str) -> None:
                reporter.step(name, advance, total, detail)

            if dry_run:
                result = validate_submissions(path, project_dir, workdir.warehouse, step)
            else:
                result = load_submissions(path, workdir.warehouse, project_dir, step)
    except LoadError as error:
        raise CtsError(str(error)) from error
    console = err()
    for line in summary_lines(result):
        console.print(line, markup=False, soft_wrap=True)
    return result


def end_submissions(result: Any, only_if_nothing_loaded: bool = False) -> None:
    """Exit 4 or 5 (one line) when submissions were rejected; with `only_if_nothing_loaded`,
    exit 5 only. No result (a load step that reported nothing) says nothing."""
    from cts.load import EXIT_NOTHING_LOADED, outcome_line

    if result is None or (only_if_nothing_loaded and result.exit_code != EXIT_NOTHING_LOADED):
        return
    line = outcome_line(result)
    if line:
        raise CtsError(line, exit_code=result.exit_code)


def submissions_command(path: Path, as_json: bool, dry_run: bool) -> None:
    """`cts load` and `cts validate`: run, print the JSON summary if asked, exit by outcome."""
    current = state()
    workdir = current.workdir
    try:
        result = do_load(workdir, current.project_dir, path or workdir.data, dry_run)
    except CtsError as error:
        if as_json:
            summary = {"outcome": "error", "exit_code": error.exit_code, "error": error.message}
            click.echo(json.dumps(summary, indent=2))
        raise
    if as_json:
        click.echo(json.dumps(result.report, indent=2))
    end_submissions(result)


def _dbt(command: list[str], workdir: Workdir, project_dir: Path, label: str):
    console = err()
    finished = [0]
    with console.status(f"dbt {label}…") as spinner:

        def on_event(message: Any) -> None:
            try:
                if message.info.name != "NodeFinished":
                    return
                finished[0] += 1
                node = message.data.node_info.node_name
                spinner.update(f"dbt {label}: {finished[0]} nodes done (last: {node})")
            except AttributeError:
                return

        try:
            return dbt_runner.invoke(command, workdir, project_dir, on_event=on_event)
        except dbt_runner.DbtBusyError as error:
            raise CtsError(str(error), exit_code=dbt_runner.EXIT_NOT_RUN) from error


def report_dbt(outcome: dbt_runner.DbtOutcome, label: str, count_nodes: bool = True) -> None:
    """Say how a dbt command went; raise with its exit code if it did not pass."""
    console = err()
    if outcome.exit_code == dbt_runner.EXIT_NOT_RUN:
        raise CtsError(
            f"dbt {label} could not run: {outcome.exception or 'unknown error'}",
            exit_code=dbt_runner.EXIT_NOT_RUN,
        )
    if outcome.exit_code == dbt_runner.EXIT_FAILED:
        console.print(f"[red]dbt {label}: {len(outcome.failures)} nodes failed[/]")
        for failure in outcome.failures:
            console.print(
                f"  [red]{failure.status.upper()}[/] {failure.unique_id}: {failure.message}",
                soft_wrap=True,
            )
        if outcome.skipped:
            console.print(f"  ({outcome.skipped} nodes skipped because of them)")
        failed = ", ".join(failure.unique_id for failure in outcome.failures) or "see dbt log"
        raise CtsError(f"dbt {label} failed: {failed}", exit_code=dbt_runner.EXIT_FAILED)
    console.print(
        f"dbt {label}: {outcome.nodes} nodes, all passed" if count_nodes else f"dbt {label}: done"
    )


def do_build(workdir: Workdir, project_dir: Path, extra: list[str], changed: bool = False) -> None:
    if not workdir.warehouse.is_file():
        raise CtsError(
            f"no warehouse at {workdir.warehouse} (load submissions first: `cts load`)",
            exit_code=dbt_runner.EXIT_NOT_RUN,
        )
    from cts.export import write_build_info

    outcome = _dbt(["build", *extra], workdir, project_dir, "build")
    write_build_info(workdir)  # which pseudonym key the warehouse now holds (demo or custom)
    results = workdir.target / "run_results.json"
    if results.is_file():  # kept apart: `cts docs` overwrites run_results.json
        shutil.copyfile(results, workdir.target / LAST_BUILD_RESULTS)
    report_dbt(outcome, "build")
    if outcome.nodes == 0 and not changed:
        raise CtsError("dbt build selected nothing (check --select/--exclude)")


def do_export(workdir: Workdir, project_dir: Path | None = None, release: bool = False) -> None:
    from cts.export import ExportError, export_public, export_quality

    try:
        with progress_reporter() as reporter:
            summary = export_public(
                workdir,
                generation=_generation_record(workdir),
                progress=lambda _name, done, total: reporter("export", done, total),
                release=release,
                project_dir=project_dir,
            )
        quality_files = export_quality(workdir)
    except ExportError as error:
        raise CtsError(str(error)) from error
    data_files = [entry for entry in summary.files if "rows" in entry]
    err().print(
        f"Exported {len(summary.relations)} public marts ({len(data_files)} files) to"
        f" {summary.directory}",
        soft_wrap=True,
    )
    if quality_files:
        err().print(f"Data-quality report for the agencies: {workdir.quality}", soft_wrap=True)


def do_check_disclosure(
    workdir: Workdir, output: Path | None = None, dense_limit: int | None = None
) -> None:
    """Run the disclosure checker on <workdir>/public; CtsError unless it recovers nothing."""
    from cts.disclosure import DEFAULT_DENSE_LIMIT, DisclosureError, check_export, summary_lines

    try:
        with err().status("checking disclosure…"):
            report = check_export(workdir.public, dense_limit=dense_limit or DEFAULT_DENSE_LIMIT)
    except DisclosureError as error:
        raise CtsError(str(error)) from error
    target = (output or workdir.root / "disclosure_report.json").expanduser().resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    console = out()
    for line in summary_lines(report):
        console.print(line, markup=False, soft_wrap=True)
    console.print(f"report: {target}", markup=False, soft_wrap=True)
    if not report["ok"]:
        problems = []
        if report["recovered_count"]:
            problems.append(f"{report['recovered_count']} suppressed counts recoverable")
        if report["small_published_counts"]["count"]:
            problems.append(f"{report['small_published_counts']['count']} small counts published")
        if report["rate_rule_violations"]["count"]:
            problems.append(f"{report['rate_rule_violations']['count']} rates break the rate rule")
        if report["components"]["untested"]:
            problems.append(f"{len(report['components']['untested'])} components untested")
        raise CtsError("disclosure check failed: " + ", ".join(problems))


def do_check_disclosure_exact(
    workdir: Workdir, output: Path | None = None, max_component: int | None = None
) -> None:
    """The exact (linear-programming) check of <workdir>/public; CtsError unless it passes."""
    from cts.publication.check import DEFAULT_MAX_COMPONENT, check_export, summary_lines

    try:
        with err().status("checking disclosure exactly (linear programs)…"):
            report = check_export(
                find_project_root(), workdir.public, max_component or DEFAULT_MAX_COMPONENT
            )
    except (OSError, ValueError) as error:
        raise CtsError(str(error)) from error
    target = (output or workdir.root / "disclosure_exact.json").expanduser().resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    console = out()
    for line in summary_lines(report):
        console.print(line, markup=False, soft_wrap=True)
    console.print(f"report: {target}", markup=False, soft_wrap=True)
    if not report["ok"]:
        raise CtsError(
            f"exact disclosure check failed: {report['disclosed_count']} disclosed,"
            f" {report['untested_count']} untested, {report['small_published_counts']} small"
            " counts published"
        )


def do_dashboard(workdir: Workdir, out_dir: Path | None = None, copy_data: bool = False) -> Path:
    """Build the static dashboard from <workdir>/public into <workdir>/site (or `out_dir`)."""
    from cts.dashboard import DashboardError, build_site

    target = (out_dir or workdir.site).expanduser().resolve()
    try:
        with err().status("Building the dashboard…"):
            summary = build_site(workdir.public, target, copy_data=copy_data)
    except DashboardError as error:
        raise CtsError(str(error)) from error
    err().print(
        f"Dashboard: {summary.programs} programs, {summary.total_bytes / 1e6:.1f} MB,"
        f" written to {summary.index}",
        soft_wrap=True,
    )
    return summary.index


def where_everything_is(workdir: Workdir) -> None:
    rows = [
        ("work dir", str(workdir.root)),
        ("submissions", str(workdir.data) if workdir.data.exists() else "–"),
        ("warehouse", str(workdir.warehouse)),
        (
            "public exports",
            str(workdir.public)
            if (workdir.public / "manifest.json").is_file()
            else "– (cts export)",
        ),
    ]
    for site in (workdir.site / "index.html", workdir.root / "dashboard" / "index.html"):
        if site.is_file():
            rows.append(("dashboard", str(site)))
            break
    docs = workdir.docs / "index.html"
    rows.append(("dbt docs", str(docs) if docs.is_file() else "– (cts docs)"))
    rows.append(("dbt artifacts", str(workdir.target)))
    console = out()
    console.print("[bold]Where everything is[/]")
    for label, value in rows:
        console.print(f"  {label:<15} {value}", soft_wrap=True)


# --- the commands ----------------------------------------------------------------------------


@click.group(name="cts", cls=CtsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--workdir", metavar="DIR", default=None, help=WORKDIR_HELP)
@click.option(
    "--project-dir",
    metavar="DIR",
    default=None,
    hidden=True,
    help="dbt project to use [env CTS_PROJECT_DIR; default: the checkout].",
)
@click.version_option(__version__, prog_name="cts")
@click.pass_context
def cli(ctx: click.Context, workdir: str | None, project_dir: str | None) -> None:
    """Cross-Tracking System program data: generate, load, build and export.

    \b
    Typical use:
      cts run --scale demo          everything, end to end
      cts status                    what is loaded and how the last build went
    """
    current = ctx.ensure_object(State)
    if workdir is not None and current.workdir_option is None:
        current.workdir_option = workdir
    current.project_dir_option = project_dir
    if ctx.invoked_subcommand:
        _COMMAND_PATH.append(f"cts {ctx.invoked_subcommand}")


@cli.command(short_help="Generate synthetic agency submissions.")
@click.option("--scale", type=click.Choice(SCALES), default=DEFAULT_SCALE, show_default=True)
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Random seed.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write submissions and truth [default: <workdir>/data].",
)
@workdir_option
def generate(scale: str, seed: int, out_dir: Path | None) -> None:
    """Generate synthetic agency submissions (and the truth behind them)."""
    target = do_generate(state().workdir, scale, seed, out_dir)
    out().print(f"Submissions written to {target}", soft_wrap=True)


JSON_HELP = "Print a JSON summary on stdout: accepted, skipped and rejected submissions, reasons."


@cli.command(
    short_help="Load submissions into the warehouse.",
    help="Load submissions from PATH [default: <workdir>/data] into the warehouse.\n\n"
    "Every submission is checked first (as `cts validate` does); a bad one is rejected whole, "
    "recorded in the ledger, and the others load.\n\n" + SUBMISSION_EXIT_CODES,
)
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@workdir_option
def load(path: Path | None, as_json: bool) -> None:
    submissions_command(path, as_json, dry_run=False)


@cli.command(
    short_help="Check submissions without loading them (dry run).",
    help="Run every check `cts load` makes on the submissions under PATH, with the same "
    "messages and exit codes, without touching the warehouse (its ledger is only read, when "
    "it exists, to tell what is already loaded). An agency can test its extract before "
    "sending it.\n\n" + SUBMISSION_EXIT_CODES,
)
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@workdir_option
def validate(path: Path, as_json: bool) -> None:
    submissions_command(path, as_json, dry_run=True)


@cli.command(
    short_help="Run dbt build: seeds, models, tests (extra args go to dbt build).",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
)
@click.argument("dbt_args", nargs=-1, type=click.UNPROCESSED)
@click.option(
    "--changed",
    is_flag=True,
    help="Only the models changed since the last successful build, and what depends on them"
    " (dbt state:modified+, deferring to that build).",
)
@workdir_option
def build(dbt_args: tuple[str, ...], changed: bool) -> None:
    """Run dbt build (seeds, models and tests) on the warehouse; DBT_ARGS go to dbt build.

    \b
    Examples:
      cts build
      cts build --changed
      cts build -- --select marts
    Exit codes: 0 all passed, 1 models or tests failed, 2 dbt could not run.
    """
    current = state()
    selection = dbt_runner.changed_selection(current.workdir) if changed else []
    do_build(current.workdir, current.project_dir, [*selection, *dbt_args], changed)


@cli.command(short_help="Export the public marts (Parquet, CSV, dictionary).")
@click.option(
    "--release",
    is_flag=True,
    help="A public release: refuse a build made with the demo pseudonym key"
    " (CTS_PSEUDONYM_KEY unset or the demo key).",
)
@workdir_option
def export(release: bool) -> None:
    """Export the public marts to <workdir>/public (Parquet, CSV, dictionary, manifest).

    Without --release, an export built with the demo pseudonym key is marked as synthetic
    demo data (manifest.json: "pseudonym_key": "demo", "synthetic_demo": true).
    """
    current = state()
    do_export(current.workdir, current.project_dir, release=release)


@cli.command(
    "check-disclosure", short_help="Try to recover suppressed counts from the public export."
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the JSON report [default: <workdir>/disclosure_report.json].",
)
@click.option(
    "--dense-limit",
    type=click.IntRange(min=1),
    default=None,
    help="Largest component of unknowns given an exact dense rank test (larger: iterative).",
)
@click.option(
    "--exact",
    is_flag=True,
    help="Exact check: every withheld count's feasibility interval by linear programming"
    " (HiGHS) under every relation declared in dbt_project.yml (vars.publication).",
)
@click.option(
    "--max-component",
    type=click.IntRange(min=1),
    default=None,
    help="With --exact: largest component of withheld counts to solve (larger ones are"
    " reported untested, and the check fails).",
)
@workdir_option
def check_disclosure(
    output: Path | None, dense_limit: int | None, exact: bool, max_component: int | None
) -> None:
    """Play the attacker on <workdir>/public: solve the published relations (totals,
    agencies, categories, calendar vs fiscal years, outcome rows, exit reasons, programs,
    rates) for the suppressed counts, and check that no count of 1..threshold is published
    and no rate is built on a suppressed count.

    With --exact, compute each withheld count's exact interval [min, max] by linear
    programming; a count with width 0, or a PRIMARY count with width 1 or less, is disclosed.

    Exit codes: 0 nothing recoverable, 1 a suppressed count is recoverable or a rule is broken
    (the report lists them).
    """
    if exact:
        do_check_disclosure_exact(state().workdir, output, max_component)
    else:
        do_check_disclosure(state().workdir, output, dense_limit)


@cli.command(short_help="Build the static dashboard site from the public exports.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write the site [default: <workdir>/site].",
)
@click.option(
    "--copy-data",
    is_flag=True,
    help="Copy the downloadable files into the site (data/) instead of linking to ../public/.",
)
@workdir_option
def dashboard(out_dir: Path | None, copy_data: bool) -> None:
    """Build the Program Dashboard from <workdir>/public into <workdir>/site/index.html.

    A static page that opens offline (file://): Program Summary, Program Enrollments and
    Program Exits, with the methodology and links to the public files. Run `cts export` first.
    """
    index = do_dashboard(state().workdir, out_dir, copy_data)
    out().print(f"Dashboard written to {index}", soft_wrap=True)


@cli.command(
    short_help="generate → load → build → export → check → dashboard, end to end.",
    help="Generate, load, build, export, check the export for disclosure and build the "
    "dashboard: the whole pipeline in one work dir (a failed disclosure check stops it, exit "
    "1). Rejected submissions (with --keep) do not stop it unless nothing could be loaded; "
    "it then ends with exit 4.\n\n" + SUBMISSION_EXIT_CODES,
)
@click.option("--scale", type=click.Choice(SCALES), default=DEFAULT_SCALE, show_default=True)
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Random seed.")
@click.option(
    "--no-export", is_flag=True, help="Stop after the dbt build (no export, no dashboard)."
)
@click.option(
    "--fresh/--keep",
    default=True,
    show_default=True,
    help="Start from an empty warehouse and data dir, or keep what the work dir holds.",
)
@workdir_option
def run(scale: str, seed: int, no_export: bool, fresh: bool) -> None:
    current = state()
    workdir = current.workdir.ensure()
    project_dir = current.project_dir
    if fresh:
        for path in (workdir.warehouse, workdir.warehouse.with_name("warehouse.duckdb.wal")):
            path.unlink(missing_ok=True)
        if workdir.data.is_dir():
            shutil.rmtree(workdir.data)
    do_generate(workdir, scale, seed, None)
    loaded = do_load(workdir, project_dir, workdir.data)
    end_submissions(loaded, only_if_nothing_loaded=True)
    do_build(workdir, project_dir, [])
    if not no_export:
        do_export(workdir, project_dir)
        do_check_disclosure(workdir)
        do_dashboard(workdir)
    where_everything_is(workdir)
    end_submissions(loaded)


@cli.command(short_help="Link a CSV of person records into persons.")
@click.option(
    "--input",
    "input_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV with record_id, agency_code, agency_person_id, sid, last_name, first_name,"
    " middle_name, date_of_birth (YYYY-MM-DD), sex, race.",
)
@click.option(
    "--output",
    "output_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV to write: record_id, person_id, link_method, match_probability.",
)
@click.option(
    "--keep",
    "keep_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Build in this directory and keep its warehouse.duckdb (pairs, weights) for inspection.",
)
def link(input_path: Path, output_path: Path, keep_dir: Path | None) -> None:
    """Link person records with the warehouse's identity models, on a scratch database.

    \b
    The CSV is loaded into a DuckDB database in a temporary directory (never the warehouse) and
    the dbt models tagged `identity` are built there; every input record gets a person_id.
    Exit codes: 0 linked, 1 bad input or failing identity tests, 2 dbt could not run.
    """
    import tempfile

    from cts.link import IDENTITY_SELECTOR, INPUT_RELATION, LinkError, export_links, load_input

    project_dir = state().project_dir
    with tempfile.TemporaryDirectory(prefix="cts-link-") as scratch:
        scratch_dir = Workdir((keep_dir or Path(scratch)).expanduser().resolve()).ensure()
        scratch_dir.warehouse.unlink(missing_ok=True)
        try:
            records = load_input(input_path.expanduser().resolve(), scratch_dir.warehouse)
        except LinkError as error:
            raise CtsError(str(error)) from error
        err().print(f"Linking {records:,} records from {input_path}", soft_wrap=True)
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
        report_dbt(_dbt(command, scratch_dir, project_dir, "build (identity)"), "build (identity)")
        try:
            summary = export_links(scratch_dir.warehouse, output_path.expanduser().resolve())
        except LinkError as error:
            raise CtsError(str(error)) from error
    out().print(
        f"Linked {summary['records']:,} records into {summary['persons']:,} persons: {output_path}",
        soft_wrap=True,
    )


@cli.command(short_help="Generate the dbt docs site into <workdir>/docs.")
@workdir_option
def docs() -> None:
    """Generate the dbt docs site into <workdir>/docs/index.html (one static file)."""
    current = state()
    workdir = current.workdir
    if not workdir.warehouse.is_file():
        raise CtsError(f"no warehouse at {workdir.warehouse} (run `cts run` first)")
    outcome = _dbt(["docs", "generate", "--static"], workdir, current.project_dir, "docs")
    report_dbt(outcome, "docs generate", count_nodes=False)
    static = workdir.target / "static_index.html"
    if not static.is_file():
        raise CtsError(f"dbt did not write {static}", exit_code=dbt_runner.EXIT_NOT_RUN)
    workdir.docs.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(static, workdir.docs / "index.html")
    out().print(f"Docs written to {workdir.docs / 'index.html'}", soft_wrap=True)


@cli.command(short_help="What is loaded per agency; how the last build went.")
@workdir_option
def status() -> None:
    """Show what is loaded per agency and how the last dbt build went."""
    from cts.status import StatusError, describe

    workdir = state().workdir
    console = out()
    console.print(f"Work dir: {workdir.root}", soft_wrap=True)
    try:
        loads, build_results = describe(workdir)
    except StatusError as error:
        raise CtsError(str(error)) from error
    if loads is None:
        console.print("Loaded: nothing yet (run `cts load` or `cts run`).")
    else:
        table = Table(title="Loaded submissions per agency")
        for column, justify in (
            ("agency", "left"),
            ("submissions", "right"),
            ("rows", "right"),
            ("last loaded", "left"),
        ):
            table.add_column(column, justify=justify)
        for row in loads:
            rows = "–" if row.rows is None else f"{row.rows:,}"
            table.add_row(row.agency, str(row.submissions), rows, row.last_loaded_at or "–")
        console.print(table)
    if build_results is None:
        console.print("Last build: none (run `cts build`).")
    else:
        counts = ", ".join(f"{count} {name}" for name, count in build_results.counts.items())
        elapsed = build_results.elapsed_seconds
        took = f" in {elapsed:.1f} s" if isinstance(elapsed, int | float) else ""
        console.print(
            f"Last dbt {build_results.command or 'command'} at {build_results.generated_at}"
            f"{took}: {counts or 'no nodes'}"
        )
        for unique_id, node_status, message in build_results.failures:
            console.print(f"  {node_status.upper()} {unique_id}: {message}", soft_wrap=True)


def main() -> None:
    """Entry point of the `cts` console script."""
    cli(prog_name="cts")


if __name__ == "__main__":  # pragma: no cover
    main()
