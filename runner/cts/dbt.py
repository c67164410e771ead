"""dbt, called in-process through `dbtRunner`, one invocation at a time.

Every invocation points dbt at the checkout (`--project-dir`, `--profiles-dir`), keeps its
artifacts and logs inside the work dir (`--target-path`, `--log-path`) and tells the profile
where the warehouse is through the CTS_WAREHOUSE environment variable.

Exit codes: 0 everything passed, 1 models or tests failed (the failing nodes are listed),
2 dbt could not run (the exception says why).

Only what changed (`cts build --changed`): after every successful build of the whole project,
its manifest is kept in `<workdir>/state/`; a changed build selects `state:modified+` against it
(the nodes whose code, config or inputs changed, and everything downstream) and defers the rest
to that build's relations.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cts.engines import DEFAULT_TARGET
from cts.paths import WAREHOUSE_ENV, Workdir

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_NOT_RUN = 2

# Statuses of a node result that mean "this node failed" (run/seed/test results).
FAILED_STATUSES = frozenset({"error", "fail", "runtime error"})

_LOCK = threading.Lock()

# The last successful complete build's manifest, for state selection (`cts build --changed`).
STATE_DIR = "state"
# dbt build options that choose nodes: a build using them is not a build of the whole project.
_SELECTION_OPTIONS = frozenset(
    {
        "--select",
        "-s",
        "--models",
        "-m",
        "--exclude",
        "--selector",
        "--resource-type",
        "--resource-types",
        "--exclude-resource-type",
        "--exclude-resource-types",
        "--inline",
    }
)


class DbtBusyError(RuntimeError):
    """Another dbt invocation is still running in this process."""


@dataclass(frozen=True)
class NodeFailure:
    unique_id: str
    status: str
    message: str


@dataclass
class DbtOutcome:
    """What one dbt invocation did, reduced to what the CLI reports."""

    args: list[str]
    exit_code: int
    nodes: int = 0
    failures: list[NodeFailure] = field(default_factory=list)
    skipped: int = 0
    exception: str | None = None

    @property
    def ok(self) -> bool:
        return self.exit_code == EXIT_OK


def dbt_args(
    command: Sequence[str], workdir: Workdir, project_dir: Path, target: str | None = None
) -> list[str]:
    """The full argument list for a dbt command run against this work dir (and `target` of
    profiles.yml, when given; the profile's default is duckdb)."""
    colors = "--use-colors" if sys.stdout.isatty() else "--no-use-colors"
    return [
        *command,
        *(["--target", target] if target else []),
        colors,
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir),
        "--target-path",
        str(workdir.target),
        "--log-path",
        str(workdir.logs),
    ]


def state_dir(workdir: Workdir, target: str | None = None) -> Path:
    """Where the manifest of the last successful whole build on `target` is kept: one per
    target (a manifest compiled for another engine differs everywhere, and `--defer` points at
    that engine's relations)."""
    if target in (None, DEFAULT_TARGET):
        return workdir.root / STATE_DIR
    return workdir.root / f"{STATE_DIR}-{target}"


def changed_selection(workdir: Workdir, target: str | None = None) -> list[str]:
    """dbt build arguments for only what changed since the last successful build on `target`.

    Selects `state:modified+` against the manifest kept from that build and defers everything
    else to its relations; with no such build yet, selects everything (a first build).
    """
    state = state_dir(workdir, target)
    if not (state / "manifest.json").is_file():
        return []
    return ["--select", "state:modified+", "--defer", "--state", str(state)]


def builds_everything_changed(
    command: Sequence[str], workdir: Workdir, target: str | None = None
) -> bool:
    """A build of the whole project, or of everything changed since the last kept state."""
    if not command or command[0] != "build":
        return False
    arguments = list(command[1:])
    changed = changed_selection(workdir, target)
    if changed and arguments[: len(changed)] == changed:
        arguments = arguments[len(changed) :]
    return not any(argument.split("=")[0] in _SELECTION_OPTIONS for argument in arguments)


def keep_state(workdir: Workdir, target: str | None = None) -> None:
    """Keep the manifest of a successful build as the state the next changed build compares to."""
    manifest = workdir.target / "manifest.json"
    if manifest.is_file():
        state = state_dir(workdir, target)
        state.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(manifest, state / "manifest.json")


def _runner(callbacks: list[Callable[[Any], None]]) -> Any:
    from dbt.cli.main import dbtRunner  # imported late: dbt takes a second to import

    return dbtRunner(callbacks=callbacks)


def _release_warehouse() -> None:
    """Close dbt-duckdb's cached database handle so that this process can open the file again."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # pragma: no cover - dbt-duckdb is a dependency
        return
    with DuckDBConnectionManager._LOCK:
        environment = DuckDBConnectionManager._ENV
        if environment is not None:
            with contextlib.suppress(Exception):  # closing is best effort
                environment.close()
            DuckDBConnectionManager._ENV = None


def summarize(args: list[str], res: Any) -> DbtOutcome:
    """Map a dbtRunnerResult onto an exit code and the list of failing nodes."""
    results = getattr(getattr(res, "result", None), "results", None) or []
    failures: list[NodeFailure] = []
    skipped = 0
    for node_result in results:
        status = str(getattr(node_result.status, "value", node_result.status)).lower()
        node = getattr(node_result, "node", None)
        unique_id = getattr(node, "unique_id", None) or "<unknown node>"
        if status in FAILED_STATUSES:
            message = (node_result.message or status).strip().splitlines()
            failures.append(NodeFailure(unique_id, status, message[0] if message else status))
        elif status == "skipped":
            skipped += 1
    if res.success:
        code = EXIT_OK
    elif res.exception is not None:
        code = EXIT_NOT_RUN
    else:
        code = EXIT_FAILED
    exception = None
    if res.exception is not None:
        exception = str(res.exception).strip() or type(res.exception).__name__
    return DbtOutcome(
        args=args,
        exit_code=code,
        nodes=len(results),
        failures=failures,
        skipped=skipped,
        exception=exception,
    )


def invoke(
    command: Sequence[str],
    workdir: Workdir,
    project_dir: Path,
    on_event: Callable[[Any], None] | None = None,
    target: str | None = None,
) -> DbtOutcome:
    """Run one dbt command in-process; refuse to start while another is running."""
    if not _LOCK.acquire(blocking=False):
        raise DbtBusyError("another dbt command is already running in this process")
    try:
        workdir.ensure()
        workdir.target.mkdir(parents=True, exist_ok=True)
        workdir.logs.mkdir(parents=True, exist_ok=True)
        args = dbt_args(command, workdir, project_dir, target)
        previous = os.environ.get(WAREHOUSE_ENV)
        os.environ[WAREHOUSE_ENV] = str(workdir.warehouse)
        try:
            res = _runner([on_event] if on_event is not None else []).invoke(args)
        finally:
            _release_warehouse()
            if previous is None:
                os.environ.pop(WAREHOUSE_ENV, None)
            else:
                os.environ[WAREHOUSE_ENV] = previous
        outcome = summarize(args, res)
        if outcome.ok and builds_everything_changed(command, workdir, target):
            keep_state(workdir, target)
        return outcome
    finally:
        _LOCK.release()
