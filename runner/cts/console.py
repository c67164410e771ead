"""The terminal side of the pipeline: progress bars, lines and tables (rich).

`ConsoleReporter` is the `cts.progress.Reporter` the command line gives the pipeline: one bar
per stage with its counts and elapsed time on stderr, info and problems on stderr, the command's
own output on stdout. The `print_*` functions print the typed results of `cts.pipeline`.
"""

from __future__ import annotations

import threading
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from cts.pipeline import RunResult
from cts.progress import Reporter
from cts.resources import StepUsage
from cts.status import Status

LABEL_WIDTH = 40  # a bar's label: its stage and what it works on now, cut to this width


def stdout() -> Console:
    return Console(highlight=False)


def stderr() -> Console:
    return Console(stderr=True, highlight=False)


class ConsoleReporter(Reporter):
    """Bars and lines on the terminal; use it as a context manager around a command.

    The bars start with the first progress report and end (stay on screen, finished) when a
    line is printed or the command ends; when the command fails, they stay as they were.
    """

    def __init__(self) -> None:
        self.bars: Progress | None = None
        self.tasks: dict[str, TaskID] = {}
        self.current: str | None = None
        self.lock = threading.Lock()  # dbt reports progress from its worker threads

    def __enter__(self) -> ConsoleReporter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._end_bars(succeeded=kind is None)

    def progress(self, stage: str, done: int, total: int | None, detail: str = "") -> None:
        with self.lock:
            if self.bars is None:
                self.bars = Progress(
                    TextColumn("{task.description}"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeElapsedColumn(),
                    console=stderr(),
                )
                self.bars.start()
            if stage not in self.tasks:
                self._complete(self.current)
                self.tasks[stage] = self.bars.add_task(stage, total=total)
            self.current = stage
            label = stage
            if detail and done != total:
                label = f"{stage}: {detail}"
                label = label if len(label) <= LABEL_WIDTH else label[: LABEL_WIDTH - 1] + "…"
                label = f"{label:<{LABEL_WIDTH}}"
            update: dict[str, object] = {"completed": done, "description": label}
            if total is not None:
                update["total"] = total
            self.bars.update(self.tasks[stage], **update)  # type: ignore[arg-type]

    def info(self, text: str) -> None:
        self._end_bars(succeeded=True)
        stderr().print(text, markup=False, soft_wrap=True)

    def problem(self, text: str) -> None:
        self._end_bars(succeeded=False)
        stderr().print(text, style="red", markup=False, soft_wrap=True)

    def output(self, text: str) -> None:
        self._end_bars(succeeded=True)
        stdout().print(text, markup=False, soft_wrap=True)

    def _complete(self, stage: str | None) -> None:
        if stage is None or self.bars is None:
            return
        task = self.bars.tasks[self.tasks[stage]]
        if task.total is not None:
            self.bars.update(task.id, completed=task.total, description=stage)

    def _end_bars(self, succeeded: bool) -> None:
        with self.lock:
            if self.bars is None:
                return
            if succeeded:
                for stage in self.tasks:
                    self._complete(stage)
            self.bars.stop()
            self.bars, self.tasks, self.current = None, {}, None


def _megabytes(size: int | None) -> str:
    return "–" if size is None else f"{size / 2**20:,.0f} MB"


def steps_table(steps: list[StepUsage]) -> Table:
    """Each step's wall time and peak memory, and the whole run's."""
    table = Table(title="Time and peak memory (RSS) per step")
    table.add_column("step")
    table.add_column("wall time", justify="right")
    table.add_column("peak memory", justify="right")
    for usage in steps:
        table.add_row(usage.step, f"{usage.seconds:,.1f} s", _megabytes(usage.peak_rss_bytes))
    peaks = [usage.peak_rss_bytes for usage in steps if usage.peak_rss_bytes is not None]
    total = sum(usage.seconds for usage in steps)
    table.add_row("all", f"{total:,.1f} s", _megabytes(max(peaks) if peaks else None))
    return table


def print_locations(rows: list[tuple[str, str]]) -> None:
    console = stdout()
    console.print("[bold]Where everything is[/]")
    for label, value in rows:
        console.print(f"  {label:<15} {value}", soft_wrap=True)


def print_run(result: RunResult) -> None:
    print_locations(result.locations)
    stdout().print(steps_table(result.steps))


def print_status(status: Status) -> None:
    console = stdout()
    console.print(f"Work dir: {status.workdir}", soft_wrap=True)
    if status.loads is None:
        console.print("Loaded: nothing yet (run `cts load` or `cts run`).")
    else:
        table = Table(title="Loaded submissions per agency")
        for column, justify in (
            ("agency", "left"),
            ("submissions", "right"),
            ("rows", "right"),
            ("last loaded", "left"),
        ):
            table.add_column(column, justify=justify)  # type: ignore[arg-type]
        for row in status.loads:
            table.add_row(row.agency, str(row.submissions), f"{row.rows:,}", row.last_loaded_at)
        console.print(table)
    build = status.last_build
    if build is None:
        console.print("Last build: none (run `cts build`).")
        return
    counts = ", ".join(f"{count} {name}" for name, count in build.counts.items())
    took = "" if build.elapsed_seconds is None else f" in {build.elapsed_seconds:.1f} s"
    console.print(
        f"Last dbt {build.command or 'command'} at {build.generated_at}{took}: "
        f"{counts or 'no nodes'}"
    )
    for unique_id, node_status, message in build.failures:
        console.print(f"  {node_status.upper()} {unique_id}: {message}", soft_wrap=True)
