"""The `cts` command: argument parsing over `cts.pipeline`, one pipeline function per command.

Every artifact lives in one work dir (`--workdir`, $CTS_WORKDIR, default `work/` in the
checkout). User errors end as one line on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import click

from cts import __version__, pipeline
from cts.console import ConsoleReporter, print_run, print_status, stdout
from cts.engines import DEFAULT_TARGET, TARGETS
from cts.paths import Workdir, find_project_root, resolve_workdir
from cts.pipeline import DEFAULT_SCALE, DEFAULT_SEED, SCALES, PipelineError

PROJECT_DIR_ENV = "CTS_PROJECT_DIR"
DEBUG_ENV = "CTS_DEBUG"


def _fail(where: str, message: str, exit_code: int) -> NoReturn:
    """One line on stderr, then the exit code."""
    click.echo(f"{where}: {message}", err=True)
    raise click.exceptions.Exit(exit_code)


class CtsGroup(click.Group):
    """A group whose errors are one line on stderr: `cts <command>: error: <why>`."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)  # pipeline order, as defined below

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.Abort):
            raise
        except click.UsageError as error:
            where = error.ctx.command_path if error.ctx else "cts"
            _fail(where, f"error: {error.format_message()} (see '{where} --help')", error.exit_code)
        except (click.ClickException, PipelineError) as error:
            message = error.format_message() if isinstance(error, click.ClickException) else error
            _fail(_command_path(ctx), f"error: {message}", error.exit_code)
        except Exception as error:  # an unexpected failure: still one line unless debugging
            if os.environ.get(DEBUG_ENV):
                raise
            _fail(
                _command_path(ctx),
                f"internal error: {type(error).__name__}: {error}"
                f" (set {DEBUG_ENV}=1 for the traceback)",
                3,
            )

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            outcome = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as error:  # before any subcommand, e.g. `cts --bogus`
            where = error.ctx.command_path if error.ctx else "cts"
            click.echo(f"{where}: error: {error.format_message()} (see '{where} --help')", err=True)
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("cts: aborted", err=True)
            sys.exit(130)
        sys.exit(outcome if isinstance(outcome, int) else 0)


def _command_path(ctx: click.Context) -> str:
    return f"cts {ctx.invoked_subcommand}" if ctx.invoked_subcommand else "cts"


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
                raise PipelineError(f"no dbt_project.yml in {path}")
            return path
        try:
            return find_project_root()
        except FileNotFoundError as error:
            raise PipelineError(str(error)) from error

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


def target_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--target duckdb|postgres|spark`: the engine to build on (profiles.yml)."""
    return click.option(
        "--target",
        type=click.Choice(TARGETS),
        default=DEFAULT_TARGET,
        show_default=True,
        help="Engine to build on: duckdb (the work dir's warehouse), postgres (a throwaway"
        " local cluster under the work dir, or the server of CTS_POSTGRES_DSN) or spark (a"
        " local session; pip install -r requirements-spark.txt).",
    )(command)


def state() -> State:
    return click.get_current_context().ensure_object(State)


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


def submissions_command(path: Path | None, as_json: bool, dry_run: bool) -> None:
    """`cts load` and `cts validate`: run, print the JSON summary if asked, exit by outcome."""
    try:
        current = state()
        workdir, project_dir = current.workdir, current.project_dir
        with ConsoleReporter() as reporter:
            if dry_run:
                result = pipeline.validate(workdir, project_dir, path or workdir.data, reporter)
            else:
                result = pipeline.load(workdir, project_dir, path, reporter)
    except PipelineError as error:
        if as_json:
            summary = {"outcome": "error", "exit_code": error.exit_code, "error": error.message}
            click.echo(json.dumps(summary, indent=2))
        raise
    if as_json:
        click.echo(json.dumps(result.report, indent=2))
    pipeline.raise_for_rejections(result)


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
    with ConsoleReporter() as reporter:
        target = pipeline.generate(state().workdir, scale, seed, out_dir, reporter)
    stdout().print(f"Submissions written to {target}", soft_wrap=True)


JSON_HELP = "Print a JSON summary on stdout: accepted, skipped and rejected submissions, reasons."


@cli.command(
    short_help="Load submissions into the raw zone and the warehouse.",
    help="Load submissions from PATH [default: <workdir>/data] into the raw zone "
    "(<workdir>/raw: Parquet and its manifest) that the warehouse reads.\n\n"
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
    "messages and exit codes, without touching the raw zone or the warehouse (the ledger is "
    "only read, when it exists, to tell what is already loaded). An agency can test its "
    "extract before sending it.\n\n" + SUBMISSION_EXIT_CODES,
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
@target_option
@workdir_option
def build(dbt_args: tuple[str, ...], changed: bool, target: str) -> None:
    """Run dbt build (seeds, models and tests) on the warehouse; DBT_ARGS go to dbt build.

    \b
    Examples:
      cts build
      cts build --changed
      cts build -- --select marts
      cts build --target postgres
    Exit codes: 0 all passed, 1 models or tests failed, 2 dbt could not run.
    """
    current = state()
    with ConsoleReporter() as reporter:
        pipeline.build(
            current.workdir, current.project_dir, dbt_args, reporter, changed, target=target
        )


@cli.command(short_help="Export the public marts (Parquet, CSV, dictionary).")
@click.option(
    "--release",
    is_flag=True,
    help="A public release: refuse a build made with the demo pseudonym key"
    " (CTS_PSEUDONYM_KEY unset or the demo key).",
)
@target_option
@workdir_option
def export(release: bool, target: str) -> None:
    """Export the public marts to <workdir>/public (Parquet, CSV, dictionary, manifest).

    Without --release, an export built with the demo pseudonym key is marked as synthetic
    demo data (manifest.json: "pseudonym_key": "demo", "synthetic_demo": true).
    """
    current = state()
    with ConsoleReporter() as reporter:
        pipeline.export(current.workdir, current.project_dir, release, reporter, target=target)


@cli.command(
    "check-disclosure", short_help="Prove that no suppressed count of the export can be pinned."
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the JSON report [default: <workdir>/disclosure_report.json].",
)
@click.option(
    "--exact",
    is_flag=True,
    help="Every withheld count's exact feasibility interval, from the export alone, by linear"
    " programming per connected component (large components are reported untested).",
)
@click.option(
    "--max-component",
    type=click.IntRange(min=1),
    default=None,
    help="With --exact: largest component of withheld counts to solve (larger ones are"
    " reported untested, and the check fails).",
)
@workdir_option
@target_option
def check_disclosure(
    output: Path | None, exact: bool, max_component: int | None, target: str
) -> None:
    """Play the attacker on <workdir>/public with every relation declared in dbt_project.yml
    (vars.publication): for each suppressed count, find solutions of the published numbers'
    relations in which it is 2 (a count of 1..threshold) or 1 (any other) away from its true
    value, by linear programming (HiGHS) on half-year blocks; and check that no count of
    1..threshold is published. The true values of the suppressed counts come from the
    restricted warehouse (the data owner's check).

    With --exact, compute each withheld count's exact interval [min, max] from the export
    alone, per connected component; a count with width 0, or a small count with width 1 or
    less, is disclosed.

    Exit codes: 0 every suppressed count proven safe, 1 one is not, or a rule is broken (the
    report lists them).
    """
    current = state()
    with ConsoleReporter() as reporter:
        pipeline.check_disclosure(
            current.workdir,
            current.project_dir,
            output,
            exact=exact,
            max_component=max_component,
            reporter=reporter,
            target=target,
        )


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
    with ConsoleReporter() as reporter:
        summary = pipeline.dashboard(state().workdir, out_dir, copy_data, reporter)
    stdout().print(f"Dashboard written to {summary.index}", soft_wrap=True)


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
    help="Start from an empty warehouse, raw zone and data dir, or keep what the work dir holds.",
)
@target_option
@workdir_option
def run(scale: str, seed: int, no_export: bool, fresh: bool, target: str) -> None:
    current = state()
    with ConsoleReporter() as reporter:
        result = pipeline.run(
            current.workdir,
            current.project_dir,
            scale,
            seed,
            not no_export,
            fresh,
            reporter,
            target=target,
        )
    print_run(result)
    pipeline.raise_for_rejections(result.loaded)


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
    with ConsoleReporter() as reporter:
        links = pipeline.link(state().project_dir, input_path, output_path, keep_dir, reporter)
    stdout().print(
        f"Linked {links.records:,} records into {links.persons:,} persons: {output_path}",
        soft_wrap=True,
    )


@cli.command("add-agency", short_help="Scaffold a new agency from one of the same layout.")
@click.argument("code")
@click.option("--like", required=True, metavar="AGENCY", help="A sheriff's office to copy.")
@click.option("--name", required=True, help="The agency's full name.")
@click.option("--county", default=None, help="Its county (a site word in program names).")
def add_agency(code: str, like: str, name: str, county: str | None) -> None:
    """Scaffold agency CODE with the layout of agency --like (docs/adding_an_agency.md).

    \b
    Writes models/staging/<code>/ (sources YAML, staging models and their YAML), its rows in
    the agencies, facilities and crosswalk seeds, and the staged-model list. Edit the sources
    YAML and crosswalk rows where the new agency's files differ, then `make test`.
    """
    result = pipeline.add_agency(state().project_dir, code, like, name, county)
    out = stdout()
    out.print(f"Agency {result.code} scaffolded from {result.like} (layout {result.layout}):")
    for path in (*result.written, *result.edited):
        out.print(f"  {path}", soft_wrap=True)


@cli.command(short_help="Generate the dbt docs site into <workdir>/docs.")
@workdir_option
def docs() -> None:
    """Generate the dbt docs site into <workdir>/docs/index.html (one static file)."""
    current = state()
    with ConsoleReporter() as reporter:
        index = pipeline.docs(current.workdir, current.project_dir, reporter)
    stdout().print(f"Docs written to {index}", soft_wrap=True)


@cli.command(short_help="What is loaded per agency; how the last build went.")
@workdir_option
def status() -> None:
    """Show what is loaded per agency and how the last dbt build went."""
    print_status(pipeline.status(state().workdir))


def main() -> None:
    """Entry point of the `cts` console script."""
    cli(prog_name="cts")


if __name__ == "__main__":  # pragma: no cover
    main()
