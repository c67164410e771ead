"""The exact disclosure check: every withheld count's feasibility interval, and a verdict.

A withheld count is disclosed when its interval has width 0, or when it is PRIMARY and its
interval holds two values or fewer (width <= 1: "1 or 2" gives a small count away). The check
passes when no withheld count is disclosed and every component was solved.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from cts.publication import declaration, relations, solver
from cts.publication.cells import read_export
from cts.publication.declaration import Publication
from cts.publication.relations import Cells

DEFAULT_MAX_COMPONENT = 5000
WIDTH_BUCKETS = ("0", "1", "2-4", "5-9", "10-99", "100+", "unbounded")


def _bucket(width: float) -> str:
    if width == float("inf"):
        return "unbounded"
    for label, top in (("0", 0), ("1", 1), ("2-4", 4), ("5-9", 9), ("10-99", 99)):
        if width <= top:
            return label
    return "100+"


def check_cells(
    publication: Publication, cells: Cells, max_component: int | None = DEFAULT_MAX_COMPONENT
) -> dict[str, Any]:
    """The report on `cells`: widths, disclosed counts, components and timings."""
    started = time.perf_counter()
    system = relations.build(publication, cells)
    built = time.perf_counter()
    result = solver.intervals(
        system, cells.value, cells.flag, publication.threshold, max_component=max_component
    )
    withheld = np.flatnonzero(cells.withheld())
    untested = set(result.untested)
    widths: Counter[str] = Counter()
    disclosed = []
    for i in withheld:
        if int(i) in untested:
            continue
        low, high, flag = result.low[i], result.high[i], cells.flag[i]
        widths[_bucket(high - low)] += 1
        if solver.is_disclosed(low, high, flag):
            disclosed.append({**cells.describe(int(i)), "flag": flag, "interval": [low, high]})
    published = ~cells.withheld()
    small = int(np.sum(published & (cells.value >= 1) & (cells.value <= publication.threshold)))
    return {
        "ok": not disclosed and not untested and small == 0,
        "threshold": publication.threshold,
        "counts": len(cells),
        "withheld": len(withheld),
        "small_published_counts": small,
        "disclosed_count": len(disclosed),
        "disclosed": disclosed[:200],
        "untested_count": len(untested),
        "interval_widths": {label: widths.get(label, 0) for label in WIDTH_BUCKETS},
        "relations": {
            name: int(np.sum(system.relation == n)) for n, name in enumerate(system.names)
        },
        "components": {
            "with_withheld_counts": result.components,
            "largest": result.largest_component,
            "limit": max_component,
        },
        "linear_programs_solved": result.programs_solved,
        "seconds": {
            "relations": round(built - started, 2),
            "solve": round(time.perf_counter() - built, 2),
        },
    }


def check_export(
    project_dir: Path, directory: Path, max_component: int | None = DEFAULT_MAX_COMPONENT
) -> dict[str, Any]:
    """Check a public export (`<workdir>/public`) as an outside attacker would see it."""
    publication = declaration.load(project_dir)
    return check_cells(publication, read_export(publication, directory), max_component)


def summary_lines(report: dict[str, Any]) -> list[str]:
    widths = ", ".join(f"{k}: {v}" for k, v in report["interval_widths"].items())
    lines = [
        f"exact check (linear programs, HiGHS): {report['withheld']} withheld of"
        f" {report['counts']} counts; {report['linear_programs_solved']} programs solved",
        f"interval widths: {widths}",
        f"disclosed: {report['disclosed_count']}; untested (component over"
        f" {report['components']['limit']}): {report['untested_count']};"
        f" small counts published: {report['small_published_counts']}",
    ]
    for cell in report["disclosed"][:10]:
        lines.append(f"  disclosed: {cell}")
    return lines
