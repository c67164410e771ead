"""Audited complementary suppression: suppress more until the attacker recovers nothing.

The SQL rounds of ``int_published_counts_suppressed`` protect each relation group on its own
(no lone suppressed cell, no group whose flags pin its cells). Groups interlock, though: a
count pinned in one group becomes a known value in the next, and the published tables hold
hundreds of thousands of such groups. This module closes the gap with the disclosure checker
itself (:mod:`cts.disclosure`) as the auditor:

1. build the published tables from the long table of counts, with the current suppressions;
2. run the checker's attacker on them (substitution, bounds, rank tests on every relation
   R1..R7 the tables obey and every inequality I1..I4 their definitions give);
3. for every count it recovers, take the nearest relation equation that offers a change and
   make it there, once per equation and round: withhold its smallest published non-zero count
   (the least information lost); or, where the flags' bounds pin it, flag the equation's
   largest PRIMARY count COMPLEMENTARY (any count from 1 up instead of 1..threshold), so that
   the flags no longer pin a small total (ten PRIMARY categories of at least 1 under a
   PRIMARY total of at most 10 are each 1: flagged COMPLEMENTARY, the total is no longer
   known to be at most 10);
4. repeat until nothing is recovered.

Each change only relaxes what an attacker knows (a fixed value becomes a variable, a bound
widens), so no count recovered in a later round was safe before; each round adds changes and
the loop ends. If it has not ended after ``max_rounds``, or a component of the system is too
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

from cts.disclosure import (
    CELL_KEY,
    DEFAULT_DENSE_LIMIT,
    TABLES,
    Cell,
    Export,
    Recovery,
    Solver,
    build_system,
)

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
    reach: int = 50_000,
) -> Protection:
    """Suppress more counts of ``published`` (in place) until none can be recovered.

    ``reach`` bounds how many equations the search for a change near a recovered count visits.
    """
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
        partners = _partners(system, solver.recovered, published, reach) if recovered else []
        for cell in partners:
            published.suppress(cell)
            added[published.cells[cell][0]] = number
        rounds.append(
            Round(
                number,
                len(system.cells()),
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
            # nothing near what is left can be withheld or widened (no published count and no
            # PRIMARY count in reach): the disclosure check reports it
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


def _partners(system, recoveries: list[Recovery], published: Published, reach: int) -> list[Cell]:
    """One more count to withhold, or one flag to widen, near each recovered count.

    The search walks the relations outward from the recovered count, breadth first (its own
    equations, fewest suppressed cells first, then the equations of the suppressed cells they
    hold, up to ``reach`` equations), and changes the first equation that offers one of these
    (in this order for a count given away by an equation; ``relabel`` first for a count pinned
    by the bounds the flags give):

    - ``shown``: its smallest published non-zero count, withheld as COMPLEMENTARY;
    - ``relabel``: its largest PRIMARY count (a total, where the total is PRIMARY), flagged
      COMPLEMENTARY instead: no published number is lost, and the flag no longer says "at
      most the threshold".

    Each equation gets at most one change per round.
    """
    equations = system.equations
    holding: dict[int, list[int]] = defaultdict(list)
    for index, equation in enumerate(equations):
        for unknown in equation.terms:
            holding[unknown].append(index)
    for indexes in holding.values():
        indexes.sort(key=lambda i: (len(equations[i].terms), i))

    def candidates(index: int, kind: str, chosen: dict[Cell, None]) -> list[Cell]:
        equation = equations[index]
        if kind == "shown":
            found = list(equation.shown)
        else:
            found = [
                system.unknowns[unknown]
                for unknown in equation.terms
                if system.flags[unknown] == "PRIMARY"
            ]
        return [cell for cell in found if cell not in chosen]

    touched: set[int] = set()
    chosen: dict[Cell, None] = {}
    methods: dict[int, str] = {}
    for recovery in recoveries:
        methods.setdefault(recovery.unknown, recovery.method)
    for unknown, method in sorted(methods.items()):
        # a wider flag changes no equation: it only helps against the bounds
        kinds = ("relabel", "shown") if method == "bounds" else ("shown",)

        def offers(index: int, kinds: tuple[str, ...] = kinds) -> tuple[str, list[Cell]] | None:
            for kind in kinds:
                found = candidates(index, kind, chosen)
                if found:
                    return kind, found
            return None

        index = _nearest(unknown, holding, equations, reach, offers)
        if index is not None and index not in touched:
            kind, found = offers(index)
            if kind == "relabel":  # the largest PRIMARY count bounds the others
                cell = max(
                    found, key=lambda cell: (published.cells[cell][1], -published.cells[cell][0])
                )
            else:  # the least information lost
                cell = min(found, key=lambda cell: published.cells[cell][::-1])
            chosen[cell] = None
            touched.add(index)
    return list(chosen)


def _nearest(start: int, holding, equations, reach: int, offers) -> int | None:
    """The first equation, breadth first from unknown ``start``, for which ``offers`` is not
    empty (None when there is none within ``reach`` equations)."""
    queue = deque([start])
    seen_unknowns = {start}
    seen_equations: set[int] = set()
    while queue and len(seen_equations) < reach:
        current = queue.popleft()
        for index in holding.get(current, ()):
            if index in seen_equations:
                continue
            seen_equations.add(index)
            if offers(index):
                return index
            for other in equations[index].terms:
                if other not in seen_unknowns:
                    seen_unknowns.add(other)
                    queue.append(other)
    return None
