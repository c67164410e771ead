"""The disclosure check of a public export, by linear programming (HiGHS), two ways.

A withheld count is disclosed when its feasibility interval [min, max] under every declared
relation (the published numbers, and what the public knows of a withheld count: at least 0)
has width 0, or when it is a small count (1 to the threshold) and the interval holds two values
or fewer (width <= 1: "1 or 2" gives it away).

- :func:`prove_export` (the default): for every withheld count, solutions of the attacker's
  whole system in which the count sits 2 (small counts) or 1 away from its true value. The
  system is built from the export alone (published counts, the flag, published rates) plus the
  true counts of the withheld cells, read from the restricted warehouse as the data owner can.
  The protection's solutions (`protection.cell_certificates`) are *verified* against it: a
  solution may move withheld counts only, keeps each at least 0, and with the half-years it
  implies satisfies every row (to a millionth of each row's size). Verifying is arithmetic, not
  a search: seconds at full scale; a solution that fails is rejected, whoever made it. The
  counts no verified solution proves are searched for by linear programs (`protect.certify`,
  split by half-year, published counts fixed); a count with no such solution fails the check.
- :func:`check_cells` (`--exact`): each interval exactly, one linear program per bound, per
  connected component of withheld counts, from the export alone; components over a size limit
  are reported untested (the published tables tie most withheld counts into one).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cts.publication import declaration, relations, solver
from cts.publication.cells import from_rows, read_export
from cts.publication.declaration import Publication
from cts.publication.relations import Cells

DEFAULT_MAX_COMPONENT = 5000
VERIFY_TOLERANCE = 1e-6
WIDTH_BUCKETS = ("0", "1", "2-4", "5-9", "10-99", "100+", "unbounded")


def _bucket(width: float) -> str:
    if width == float("inf"):
        return "unbounded"
    for label, top in (("0", 0), ("1", 1), ("2-4", 4), ("5-9", 9), ("10-99", 99)):
        if width <= top:
            return label
    return "100+"


def check_cells(
    publication: Publication,
    cells: Cells,
    max_component: int | None = DEFAULT_MAX_COMPONENT,
    small: np.ndarray | None = None,
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
        low, high = result.low[i], result.high[i]
        widths[_bucket(high - low)] += 1
        is_small = bool(small[i]) if small is not None else False
        if solver.is_disclosed(low, high, is_small):
            disclosed.append({**cells.describe(int(i)), "small": is_small, "interval": [low, high]})
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


PROVED_BUCKETS = ("0", "1", "2", "3+")


def with_truth(cells: Cells, truth: Cells) -> tuple[Cells, np.ndarray]:
    """The export's cells with the true counts of the withheld ones filled in, and which are
    small (1 to the threshold is decided by the caller)."""
    values = cells.value.copy()
    for i in np.flatnonzero(cells.withheld()):
        at = truth.index.get((cells.table[i], cells.measure[i], cells.key[i]))
        if at is None:
            raise ValueError(f"no true count for withheld {cells.describe(int(i))}")
        values[i] = truth.value[at]
    filled = Cells(cells.table, cells.measure, cells.key, values, cells.flag, cells.rates)
    return filled, values


@dataclass
class Certificate:
    """One solution the protection found: withheld counts (export positions) and their values
    there; every other count at its true value."""

    number: int
    cells: np.ndarray
    values: np.ndarray


def verify(
    system: relations.System,
    values: np.ndarray,
    withheld: np.ndarray,
    certificate: Certificate,
) -> str | None:
    """Why `certificate` is not a solution of the attacker's system `system` whose cells hold
    `values` (the published counts and the true withheld ones), or None when it is: it moves
    only withheld counts, keeps each at least 0, and with the half-years it implies satisfies
    every row (to a tolerance of a millionth of the row's size)."""
    if not withheld[certificate.cells].all():
        return "moves a published count"
    moved = values.copy()
    moved[certificate.cells] = certificate.values
    if (moved[certificate.cells] < -VERIFY_TOLERANCE).any():
        return "a withheld count below 0"
    hidden = system.hidden_values(moved, certificate.cells)
    if np.isnan(hidden).any() or (hidden < -VERIFY_TOLERANCE).any():
        return "a half-year below 0"
    x = np.concatenate([moved, hidden])
    row = system.matrix @ x
    size = 1.0 + abs(system.matrix) @ np.abs(x)
    broken = (row < system.lo - VERIFY_TOLERANCE * size) | (
        row > system.hi + VERIFY_TOLERANCE * size
    )
    if broken.any():
        first = int(np.flatnonzero(broken)[0])
        return f"breaks {int(broken.sum())} rows (first: {system.names[system.relation[first]]})"
    return None


def verified_moves(
    system: relations.System,
    values: np.ndarray,
    withheld: np.ndarray,
    certificates: list[Certificate],
) -> tuple[np.ndarray, np.ndarray, list[dict[str, Any]]]:
    """The largest moves (up, down) per count that the valid `certificates` prove, and why
    each invalid one was rejected."""
    up, down = np.zeros(len(values)), np.zeros(len(values))
    rejected = []
    for certificate in certificates:
        reason = verify(system, values, withheld, certificate)
        if reason is not None:
            rejected.append({"certificate": certificate.number, "reason": reason})
            continue
        move = certificate.values - values[certificate.cells]
        up[certificate.cells] = np.maximum(up[certificate.cells], move)
        down[certificate.cells] = np.maximum(down[certificate.cells], -move)
    return up, down, rejected


def prove_cells(
    publication: Publication,
    cells: Cells,
    truth: Cells,
    certificates: list[Certificate] = (),
    workers: int = 2,
) -> dict[str, Any]:
    """The certificate check of an export's `cells` (see the module): every withheld count
    proven at least as wide as the rule asks, by solutions of the whole attacker's system. The
    protection's `certificates` are verified first; the counts they leave unproven are searched
    for by linear programs."""
    from cts.publication import protect

    started = time.perf_counter()
    filled, values = with_truth(cells, truth)
    threshold, withheld = publication.threshold, cells.withheld()
    small = withheld & (values >= 1) & (values <= threshold)
    required = np.where(small, protect.PRIMARY_MOVE, protect.OTHER_MOVE)
    system = relations.build(publication, filled)
    up, down, rejected = verified_moves(system, values, withheld, certificates)
    verified = time.perf_counter()
    widths = protect.proven_width(up, down)
    by_certificates = int(np.sum(withheld & (widths >= required)))
    rounds: list[dict] = []
    unproved_at = []
    if by_certificates < int(withheld.sum()):  # search for what the certificates leave
        result = protect.certify(
            publication, filled, list(cells.flag), small, False, workers=workers, known=(up, down)
        )
        widths = protect.certificate_widths(result)
        rounds, unproved_at = result.rounds, result.unproved
    buckets = Counter("3+" if w >= 3 else str(int(w)) for w in widths[withheld])
    published = ~withheld
    small_published = int(np.sum(published & (cells.value >= 1) & (cells.value <= threshold)))
    unproved = [
        {**cells.describe(i), "small": bool(small[i]), "proven_width": int(widths[i])}
        for i in unproved_at
    ]
    return {
        "ok": not unproved and small_published == 0,
        "method": "certificates: solutions of the declared relations over the export",
        "threshold": threshold,
        "counts": len(cells),
        "withheld": int(withheld.sum()),
        "withheld_small": int(small.sum()),
        "small_published_counts": small_published,
        "certificates": {
            "given": len(certificates),
            "rejected": len(rejected),
            "rejections": rejected[:20],
            "counts_proven": by_certificates,
            "seconds": round(verified - started, 2),
        },
        "searched": {"counts": int(withheld.sum()) - by_certificates, "rounds": rounds},
        "unproved_count": len(unproved),
        "unproved": unproved[:200],
        "proven_widths": {label: buckets.get(label, 0) for label in PROVED_BUCKETS},
        "seconds": round(time.perf_counter() - started, 2),
    }


def read_certificates(cursor, cells: Cells, truth: Cells, cell_ids: list[str]) -> list[Certificate]:
    """The protection's certificates (`protection.cell_certificates`, through a DB-API cursor
    of any engine), as positions in `cells`, the export's counts, found through the long
    table's counts `truth` and their `cell_ids`; none when the table is missing (a warehouse
    protected before certificates were kept)."""
    from cts.publication.decisions import CERTIFICATES, SCHEMA, relation_exists

    if not relation_exists(cursor, SCHEMA, CERTIFICATES):
        return []
    position = {}
    for n, cell_id in enumerate(cell_ids):
        at = cells.index.get((truth.table[n], truth.measure[n], truth.key[n]))
        if at is not None:
            position[cell_id] = at
    cursor.execute(
        f"select certificate, cell_id, alternative_value from {SCHEMA}.{CERTIFICATES}"
        " order by certificate, cell_id"
    )
    grouped: dict[int, tuple[list[int], list[float]]] = {}
    for number, cell_id, value in cursor.fetchall():
        if cell_id not in position:
            raise ValueError(f"certificate {number}: count {cell_id} is not in the export")
        positions, values = grouped.setdefault(number, ([], []))
        positions.append(position[cell_id])
        values.append(float(value))
    return [
        Certificate(number, np.array(positions, dtype=np.int64), np.array(values, dtype=float))
        for number, (positions, values) in sorted(grouped.items())
    ]


def prove_export(project_dir: Path, directory: Path, cursor, workers: int = 2) -> dict[str, Any]:
    """The certificate check of a public export, with the withheld counts' true values and the
    protection's certificates read from the restricted warehouse (a DB-API `cursor` of the
    engine that built it)."""
    from cts.publication.decisions import read_rows

    publication = declaration.load(project_dir)
    cells = read_export(publication, directory)
    rows = read_rows(cursor)
    truth, _ = from_rows([row[:-1] for row in rows])
    certificates = read_certificates(cursor, cells, truth, [row[-1] for row in rows])
    return prove_cells(publication, cells, truth, certificates, workers)


def proof_lines(report: dict[str, Any]) -> list[str]:
    widths = ", ".join(f"{k}: {v}" for k, v in report["proven_widths"].items())
    lines = [
        f"disclosure check (certificates, HiGHS): {report['withheld']:,} withheld of"
        f" {report['counts']:,} counts ({report['withheld_small']:,} of them 1 to"
        f" {report['threshold']}), {report['seconds']} s",
        f"certificates: {report['certificates']['given']} verified against the export,"
        f" {report['certificates']['rejected']} rejected; they prove"
        f" {report['certificates']['counts_proven']:,} counts, linear programs searched for"
        f" {report['searched']['counts']:,}",
        f"proven interval widths (at least): {widths}",
        f"not proven: {report['unproved_count']}; small counts published:"
        f" {report['small_published_counts']}",
    ]
    for cell in report["unproved"][:10]:
        lines.append(f"  not proven: {cell}")
    return lines


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
