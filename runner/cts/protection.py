"""Audited complementary suppression: suppress more until the attacker recovers nothing.

The SQL rounds of ``int_published_counts_suppressed`` protect each relation group on its own
(no lone suppressed cell, no group whose flags pin its cells). Groups interlock, though: a
count pinned in one group becomes a known value in the next, and the published tables hold
hundreds of thousands of such groups. This module closes the gap with the disclosure checker
itself (:mod:`cts.disclosure`) as the auditor:

1. build the published tables from the long table of counts, with the current suppressions;
2. run the checker's attacker on them (substitution, bounds, rank tests on every relation
   R1..R7 the tables obey);
3. for every count it recovers, take the relation equation holding that count with the
   fewest suppressed cells and suppress one more of its published counts there (the smallest
   non-zero one: the least information lost), once per equation and round;
4. repeat until nothing is recovered.

Suppressing a count only relaxes what an attacker knows (a fixed value becomes a variable),
so no count recovered in a later round was safe before; each round adds suppressions and the
loop ends. If it has not ended after ``max_rounds``, or a component of the system is too
large to test, :class:`ProtectionError` says so and the build fails.

Rates need nothing here: a rate is published only when every count it is built from is
(``cts_published_rate``), so it ties no suppressed count to anything.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cts.disclosure import CELL_KEY, DEFAULT_DENSE_LIMIT, TABLES, Cell, Export, Solver, build_system

# the columns of int_published_counts_suppressed this module reads, in this order
COLUMNS = (
    "cell_number",
    "mart",
    "measure",
    *CELL_KEY,
    "outcome_group",
    "exit_reason_code",
    "agency_program_code",
    "true_value",
    "suppression",
)


class ProtectionError(Exception):
    """The audit could not make every suppressed count safe."""


@dataclass
class Published:
    """The public tables as the checker reads them, plus each cell's number and true value."""

    export: Export
    cells: dict[Cell, tuple[int, int]] = field(default_factory=dict)  # -> (number, value)

    def suppress(self, cell: Cell) -> None:
        table, key, column = cell
        record = self.export.tables[table][key]
        record[column] = None
        record[f"{column}_suppression"] = "COMPLEMENTARY"


@dataclass
class Round:
    number: int
    unknowns: int
    recovered: int
    added: int
    seconds: float


@dataclass
class Protection:
    added: dict[int, int]  # cell number -> audit round that suppressed it
    rounds: list[Round]
    residual: int = 0  # suppressed counts still recoverable (no published count left near)


def published_tables(rows: Iterable[tuple], threshold: int) -> Published:
    """Rows of ``COLUMNS`` (any order of rows) -> the public tables with their flags."""
    tables: dict[str, dict[tuple, dict[str, Any]]] = {}
    published = Published(Export(tables=tables, threshold=threshold))
    for row in sorted(rows, key=lambda row: row[0]):
        record = dict(zip(COLUMNS, row, strict=True))
        table = record["mart"]
        keys = TABLES[table][0]
        key = tuple(record[name] for name in keys)
        values = tables.setdefault(table, {}).setdefault(key, {})
        measure = record["measure"]
        values[measure] = None if record["suppression"] else record["true_value"]
        values[f"{measure}_suppression"] = record["suppression"]
        if table == "dim_programs":
            values["category_code"] = record["category_code"]
        published.cells[(table, key, measure)] = (record["cell_number"], record["true_value"])
    return published


def protect(
    published: Published,
    max_rounds: int = 40,
    dense_limit: int = DEFAULT_DENSE_LIMIT,
    log=None,
    strict: bool = False,
) -> Protection:
    """Suppress more counts of ``published`` (in place) until none can be recovered."""
    added: dict[int, int] = {}
    rounds: list[Round] = []
    for number in range(1, max_rounds + 1):
        started = time.perf_counter()
        system = build_system(published.export)
        solver = Solver(system, dense_limit=dense_limit, iterative=True)
        solver.run()
        if solver.untested:
            raise ProtectionError(
                f"audit round {number}: {len(solver.untested)} component(s) of the published "
                "relations could not be tested (the null-space search did not converge)"
            )
        recovered = sorted({recovery.unknown for recovery in solver.recovered})
        partners = _partners(system, recovered, published) if recovered else []
        for cell in partners:
            published.suppress(cell)
            added[published.cells[cell][0]] = number
        rounds.append(
            Round(
                number,
                len(system.unknowns),
                len(recovered),
                len(partners),
                round(time.perf_counter() - started, 2),
            )
        )
        if log is not None:
            last = rounds[-1]
            log(
                f"audit round {number}: {last.unknowns} suppressed, {last.recovered} "
                f"recoverable, {last.added} more suppressed ({last.seconds} s)"
            )
        if not recovered:
            return Protection(added, rounds)
        if not partners:
            # what is left is pinned by the flags alone (a PRIMARY total of at most the
            # threshold over breakdowns whose PRIMARY cells are each at least 1): suppressing
            # more cannot help; the disclosure check reports these
            if strict:
                raise ProtectionError(
                    f"audit round {number}: {len(recovered)} suppressed count(s) can be "
                    "recovered and no relation holding them has a published count left to "
                    "suppress"
                )
            return Protection(added, rounds, residual=len(recovered))
    raise ProtectionError(
        f"suppressed counts could still be recovered after {max_rounds} audit rounds"
    )


def _partners(system, recovered: list[int], published: Published, reach: int = 5000) -> list[Cell]:
    """One more count to suppress near each recovered count.

    The search walks the relations outward from the recovered count, breadth first (its own
    equations, fewest suppressed cells first, then the equations of the suppressed cells they
    hold, up to ``reach`` equations), and suppresses the smallest published non-zero count of
    the first equation that has one, unless this round already gives that equation one.
    """
    equations = system.equations
    holding: dict[int, list[int]] = defaultdict(list)
    for index, equation in enumerate(equations):
        for unknown in equation.terms:
            holding[unknown].append(index)
    for indexes in holding.values():
        indexes.sort(key=lambda i: (len(equations[i].terms), i))
    touched: set[int] = set()
    chosen: dict[Cell, None] = {}
    for unknown in recovered:
        queue = deque([unknown])
        seen_unknowns = {unknown}
        seen_equations: set[int] = set()
        while queue and len(seen_equations) < reach:
            index = _first_partner(queue, holding, equations, seen_unknowns, seen_equations, chosen)
            if index is None:
                continue
            if index not in touched:
                free = [cell for cell in equations[index].shown if cell not in chosen]
                chosen[min(free, key=lambda cell: published.cells[cell][::-1])] = None
                touched.add(index)
            break
    return list(chosen)


def _first_partner(queue, holding, equations, seen_unknowns, seen_equations, chosen) -> int | None:
    """Expand the next unknown of the walk: the first of its equations with a free partner."""
    current = queue.popleft()
    for index in holding.get(current, ()):
        if index in seen_equations:
            continue
        seen_equations.add(index)
        if any(cell not in chosen for cell in equations[index].shown):
            return index
        for other in equations[index].terms:
            if other not in seen_unknowns:
                seen_unknowns.add(other)
                queue.append(other)
    return None
