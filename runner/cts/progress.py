"""How a pipeline step tells its user what it is doing: one progress convention, one reporter.

Every step that counts its work (the generator, the loader, dbt, the export, the disclosure
check) reports it through the same call:

    progress(stage, done, total, detail="")

`stage` names what is counted (one bar per stage; a new stage ends the one before), `done` of
`total` units are finished (absolute counts, never increments; `total` is None while it is not
known yet), and `detail` says what is being worked on now.

A `Reporter` carries that callback and the lines a step prints. The base class is silent (for
library use and tests); the command line's `cts.console.ConsoleReporter` draws progress bars
with counts and elapsed time on stderr and prints the lines.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """The one progress calling convention (see the module docstring)."""

    def __call__(self, stage: str, done: int, total: int | None, detail: str = "") -> None: ...


class Reporter:
    """What the pipeline says while it runs. This base class says nothing.

    - `progress(stage, done, total, detail="")`: the `Progress` callback;
    - `info(text)`: what is happening, for the person watching (stderr on the command line);
    - `problem(text)`: what went wrong, line by line, before the step fails (stderr, red);
    - `output(text)`: a line of the command's own result (stdout on the command line).

    A line of text ends the progress bars drawn before it, so lines and bars keep their order.
    """

    def progress(self, stage: str, done: int, total: int | None, detail: str = "") -> None:
        """Report `done` of `total` units of `stage` (see the module docstring)."""

    def info(self, text: str) -> None:
        """Say what is happening."""

    def problem(self, text: str) -> None:
        """Say what went wrong."""

    def output(self, text: str) -> None:
        """Print a line of the command's result."""


SILENT = Reporter()
