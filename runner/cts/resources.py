"""Wall time and peak memory of a pipeline step, measured while it runs.

    usages: list[StepUsage] = []
    with measure("build", usages):
        ...
    usages[0].seconds, usages[0].peak_rss_bytes

Peak memory is resident memory (RSS), the larger of two measurements:

- this process's own high-water mark (`VmHWM`), reset when the step starts (Linux
  `/proc/self/clear_refs`), so it is exact for everything done in-process: dbt, DuckDB, the
  loader, the export, the disclosure check;
- the RSS of this process plus every process it started (the generator's workers), sampled
  every `SAMPLE_SECONDS` from `/proc`. Pages a forked worker still shares with its parent count
  in both, so this sum is an upper bound.

Where `/proc` is missing (not Linux), the peak is `resource.getrusage`'s maximum RSS of this
process and of its finished children: a high-water mark of the whole run so far, not of the
step alone.
"""

from __future__ import annotations

import os
import re
import resource
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.1
PROC = Path("/proc")
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass(frozen=True)
class StepUsage:
    """What one step took: wall time and peak resident memory (None: not measured)."""

    step: str
    seconds: float
    peak_rss_bytes: int | None


def _rss(pid: int) -> int:
    """Resident bytes of one process (0 once it has gone)."""
    try:
        fields = (PROC / str(pid) / "statm").read_text().split()
    except OSError:
        return 0
    return int(fields[1]) * PAGE_BYTES


def _children(pid: int) -> list[int]:
    children: list[int] = []
    try:
        tasks = list((PROC / str(pid) / "task").iterdir())
    except OSError:
        return children
    for task in tasks:
        try:
            children += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return children


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        total += _rss(current)
        pending += _children(current)
    return total


def _high_water_mark() -> int | None:
    """This process's peak RSS since the last reset (`VmHWM`), in bytes."""
    try:
        status = (PROC / "self" / "status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) * 1024 if found else None


def _reset_high_water_mark() -> bool:
    try:
        (PROC / "self" / "clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _rusage_peak() -> int:
    """Peak RSS of this process and of its largest finished child, from getrusage."""
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, kilobytes elsewhere
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) * scale


class _Sampler(threading.Thread):
    """Samples the RSS of this process tree until stopped; keeps the largest."""

    def __init__(self) -> None:
        super().__init__(name="cts-rss-sampler", daemon=True)
        self.peak = tree_rss(os.getpid())
        self.stopped = threading.Event()

    def run(self) -> None:
        pid = os.getpid()
        while not self.stopped.wait(SAMPLE_SECONDS):
            self.peak = max(self.peak, tree_rss(pid))

    def stop(self) -> int:
        self.stopped.set()
        self.join()
        return max(self.peak, tree_rss(os.getpid()))


@contextmanager
def measure(step: str, usages: list[StepUsage]) -> Iterator[None]:
    """Time the block and measure its peak RSS; append a `StepUsage` even when it fails."""
    on_proc = _reset_high_water_mark()
    sampler = _Sampler() if on_proc else None
    if sampler is not None:
        sampler.start()
    started = time.perf_counter()
    try:
        yield
    finally:
        seconds = time.perf_counter() - started
        if sampler is not None:
            peak: int | None = max(sampler.stop(), _high_water_mark() or 0)
        else:
            peak = _rusage_peak()
        usages.append(StepUsage(step, seconds, peak))
