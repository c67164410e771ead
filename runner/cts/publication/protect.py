"""Secondary suppression: which counts to withhold beyond the small ones, proved by certificates.

The method is the attacker's subproblem of cell suppression (Fischetti and Salazar-González,
"Models and algorithms for optimizing cell suppression in tabular data with linear
constraints", JASA 95, 2000; the same protection levels tau-ARGUS and sdcTable audit): a
withheld count is protected when the attacker's linear system, every declared relation and the
bounds the public knows, has a solution where the count sits far enough from its true value. The
protection looks for such a solution directly. For a set of counts that need protection it
solves one linear program over *perturbations* of the true counts,

    minimize  sum_j cost_j * |d_j|
    such that every declared relation holds for true + d,
              the bounds the public knows hold (a withheld count at least 0, a hidden
              half-year at least 0),
              d_i >= 2 (or <= -2) for each small count i to protect (1 for any other),

and withholds every published count the solution moves (`COMPLEMENTARY`). true + d is then a
solution of the attacker's system in which count i is 2 away from its true value, so its
interval [min, max] is at least that wide: a *certificate*, checked against every row. The cost
prefers what loses the least information: counts already withheld are free, then small counts,
then detailed rows before totals (each ALL in a count's key raises its cost).

The relations tie every count to every other one (calendar and fiscal years share half-years),
so the system is split by half-year: a perturbation that moves one half-year of the window moves
only the calendar and the fiscal year that hold it (and period-free tables), while every other
count keeps its true value. Each block is some 40,000 unknowns; its solutions are solutions
of the whole system, because nothing outside the block moves. A PRIMARY count is protected in
the block of one of its two half-years (the second, first if that fails), a COMPLEMENTARY count
whose certificate moved it by less than 1 gets its own requirement, until every withheld count
is proved or the rounds run out.

Certificates only accumulate: withholding more counts removes equations from the attacker's
system, so every earlier solution stays a solution.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import highspy
import numpy as np
from scipy import sparse

from cts.publication import relations
from cts.publication.declaration import COMPLEMENTARY, KEY_COLUMNS, PRIMARY, Publication
from cts.publication.relations import INFINITY, Cells, System
from cts.publication.solver import highs_program

PRIMARY_MOVE = 2.0  # a PRIMARY count must be shown to take values 2 apart ("1 or 2" gives it away)
OTHER_MOVE = 1.0  # any other withheld count: 1 apart (not pinned)
TOLERANCE = 1e-7
# What a withheld count is known to be, to the public: at least 0 (zeros may be withheld as
# complementary counts, and the published flag does not tell a small count from a complementary
# one, so nothing says "at most the threshold").
LOWER = 0.0
# Costs span five powers of ten, not ten: the interior point method needs fewer iterations on a
# better-scaled program (one full-scale block: 40 instead of 55).
WITHHELD_COST = 1e-2  # moving a count that is already withheld: almost free
HIDDEN_COST = 1e-2
SHORTFALL_COST = 1e4  # a requirement the block cannot meet (it is tried again elsewhere)
DEFAULT_ROUNDS = 8
# Which HiGHS method solves a block's program, measured on the blocks of seed 7 (two at once):
# dual simplex for a few requirements (4 times faster there), and for blocks whose counts are
# mostly zeros (tiny: 77% zeros, 13,000 iterations a block, 2 s against 3-9 s by the interior
# point method), the interior point method (with crossover to a vertex) for many requirements
# among larger counts (demo, 36% zeros: 56 s a round against 71 s; full, 19% zeros: 14 s a
# block against 33 s). Zeros are free partners: few pivots find them.
IPM_FROM_REQUIREMENTS = 1000
SIMPLEX_FROM_ZERO_SHARE = 0.5
# An inequality whose bound is at least this far from the true counts starts out of a block's
# interior-point program (added when a solution breaks it). One full-scale block: 6.7 s with
# 30 (no row added back), 7.8 s with 20, 11 s with 3 (six re-solves), 9.9 s with every row in.
# Not for dual simplex: one full-scale block of 85 requirements took 68 s instead of 6.
LAZY_ROOM = 30.0
BATCH = 1 << 16  # requirements per program in the first round; / 8 each round after
# Batches of at most this many requirements (the last ones of a round) are first solved on
# their neighbourhood: the block columns within NEAR_DEPTH rows of them (a count, its totals
# and siblings, theirs, ...), then twice as far, up to FAR_DEPTH, before the whole block. Full
# scale, seed 7: round 2's 169 requirements in two blocks took 10 s on the whole blocks, 0.6 s
# on neighbourhoods.
NEAR_BATCH = 128
NEAR_DEPTH = 3
FAR_DEPTH = 12
PERIOD_AT = KEY_COLUMNS.index("period_type")
YEAR_AT = KEY_COLUMNS.index("period_year")
ALL_VALUE = "ALL"


class ProtectionError(RuntimeError):
    """The true counts break a declared relation, or protection could not prove every count."""


@dataclass
class Protection:
    flags: list[str | None]
    up: np.ndarray  # per cell: the largest proven move above the true count
    down: np.ndarray  # and below it
    rounds: list[dict] = field(default_factory=list)
    unproved: list[int] = field(default_factory=list)
    seconds: float = 0.0
    # the solutions found: (cells, their values there); every other count at its true value
    certificates: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)

    def width(self) -> np.ndarray:
        return self.up + self.down


def primary_flags(cells: Cells, threshold: int) -> list[str | None]:
    return [PRIMARY if 1 <= v <= threshold else None for v in cells.value]


def information_cost(cells: Cells) -> np.ndarray:
    """Cost per unit of moving a published count: its size and how many totals its key holds."""
    totals = np.array([sum(1 for v in key if v == ALL_VALUE) for key in cells.key], dtype=float)
    return (1.0 + totals) * np.log2(2.0 + np.asarray(cells.value, dtype=float))


def _halves_of(publication: Publication, cells: Cells) -> list[list[int]]:
    first, last = publication.years()
    halves = []
    for key in cells.key:
        if key[PERIOD_AT] is None:
            halves.append([])
        else:
            halves.append(relations.covered_halves(key[PERIOD_AT], int(key[YEAR_AT]), first, last))
    return halves


class _Block:
    """The linear program of one half-year: perturbations of the counts that hold it."""

    def __init__(
        self, system: System, csc: sparse.csc_matrix, base: np.ndarray, columns: np.ndarray
    ) -> None:
        self.system, self.csc, self.base = system, csc, base
        self.columns = columns
        touched = np.unique(csc[:, columns].tocoo().row)
        self.rows = touched
        block = system.matrix[touched]
        constant = block @ base  # every row at the true counts and base half-years
        self.row_lo = system.lo[touched] - constant
        self.row_hi = system.hi[touched] - constant
        self.matrix = block.tocsc()[:, columns]
        self._pattern: sparse.csc_matrix | None = None

    def around(self, columns: list[int], depth: int) -> np.ndarray:
        """The block columns within `depth` rows of `columns` (sorted positions)."""
        if self._pattern is None:  # built once per block, reused by every requirement
            self._pattern = self.matrix.astype(bool).astype(np.int8)
        pattern = self._pattern
        reached = np.zeros(pattern.shape[1], dtype=bool)
        reached[columns] = True
        for _ in range(depth):
            rows = (pattern @ reached.astype(np.int8)) > 0
            reached |= (pattern.T @ rows.astype(np.int8)) > 0
        return np.flatnonzero(reached)

    def solve_near(
        self,
        col_lo: np.ndarray,
        col_hi: np.ndarray,
        cost: np.ndarray,
        need: dict[int, float],
        depth: int,
    ) -> np.ndarray:
        """`solve` on the neighbourhood of the requirements only (everything else of the block
        at its base value): a few hundred columns instead of tens of thousands. It may meet
        only some of them (the caller tries the rest on a wider neighbourhood)."""
        keep = self.around(sorted(need), depth)
        sub = _Block(self.system, self.csc, self.base, self.columns[keep])
        where = {int(column): n for n, column in enumerate(keep)}
        d_near = sub.solve(
            col_lo[keep], col_hi[keep], cost[keep], {where[c]: m for c, m in need.items()}
        )
        d = np.zeros(len(self.columns))
        d[keep] = d_near
        return d

    def zero_share(self) -> float:
        """The share of the block's counts that are 0 at their base values."""
        return float(np.mean(self.base[self.columns] == 0)) if len(self.columns) else 1.0

    def solve(
        self, col_lo: np.ndarray, col_hi: np.ndarray, cost: np.ndarray, need: dict[int, float]
    ) -> np.ndarray:
        """The cheapest perturbation d (per block column) meeting `need` {column: signed move}.

        Columns: d = p - q with p, q >= 0, then one shortfall column per requirement."""
        n, k = len(self.columns), len(need)
        full, req_lo = self._program_matrix(need)
        many = k >= IPM_FROM_REQUIREMENTS
        solver = "ipm" if many and self.zero_share() < SIMPLEX_FROM_ZERO_SHARE else "simplex"
        # lazy rows, for the interior point method: an inequality with room to spare at the
        # true counts is left out until a solution breaks it (then added, and the program
        # re-solved by dual simplex from its last basis)
        keep = (self.row_lo == self.row_hi) | (np.minimum(-self.row_lo, self.row_hi) < LAZY_ROOM)
        if solver == "simplex":
            keep[:] = True
        m = self.matrix.shape[0]
        highs = highs_program(
            sparse.vstack([full[np.flatnonzero(keep)], full[m:]]).tocsc(),
            np.concatenate([cost, cost, np.full(k, SHORTFALL_COST)]),
            np.concatenate([self.row_lo[keep], req_lo]),
            np.concatenate([self.row_hi[keep], np.full(k, INFINITY)]),
            np.zeros(2 * n + k),
            np.concatenate(
                [np.maximum(col_hi, 0.0), np.maximum(-col_lo, 0.0), np.full(k, INFINITY)]
            ),
            {"solver": solver},
        )
        d = self._run_lazily(highs, full, keep)
        d[np.abs(d) < TOLERANCE] = 0.0
        return d

    def _program_matrix(self, need: dict[int, float]) -> tuple[sparse.csr_matrix, np.ndarray]:
        """The rows over (p, q, shortfalls): the block's rows, then one per requirement
        (sign * (p_c - q_c) + s_r >= |move|), with the requirements' lower bounds."""
        n, m, k = len(self.columns), self.matrix.shape[0], len(need)
        req_rows, req_cols, req_data, req_lo = [], [], [], []
        for r, (column, move) in enumerate(sorted(need.items())):
            sign = 1.0 if move > 0 else -1.0
            req_rows += [r, r, r]
            req_cols += [column, n + column, 2 * n + r]
            req_data += [sign, -sign, 1.0]
            req_lo.append(abs(move))
        requirements = sparse.csr_matrix((req_data, (req_rows, req_cols)), shape=(k, 2 * n + k))
        a = self.matrix
        full = sparse.vstack([sparse.hstack([a, -a, sparse.csc_matrix((m, k))]), requirements])
        return full.tocsr(), np.array(req_lo, dtype=float)

    def _run_lazily(self, highs, full: sparse.csr_matrix, keep: np.ndarray) -> np.ndarray:
        """Solve; add the left-out rows the solution breaks, and solve again, until none."""
        n = len(self.columns)
        while True:
            highs.run()
            status = highs.getModelStatus()
            if status != highspy.HighsModelStatus.kOptimal:
                raise ProtectionError(
                    "protection program of a half-year block:"
                    f" {highs.modelStatusToString(status)}"
                    " (the true counts break a declared relation?)"
                )
            x = np.array(highs.getSolution().col_value)
            d = x[:n] - x[n : 2 * n]
            row = self.matrix @ d
            broken = np.flatnonzero(
                ~keep & ((row < self.row_lo - TOLERANCE) | (row > self.row_hi + TOLERANCE))
            )
            if not len(broken):
                return d
            keep[broken] = True
            added = full[broken]
            highs.setOptionValue("solver", "simplex")
            highs.addRows(
                len(broken),
                self.row_lo[broken],
                self.row_hi[broken],
                added.nnz,
                added.indptr.astype(np.int32),
                added.indices.astype(np.int32),
                added.data,
            )


@dataclass
class _Task:
    """One block's programs in a round: its bounds and costs then, and its batches of
    requirements ({block column: signed move}), solved in turn."""

    block: _Block
    n_cells: int
    col_lo: np.ndarray
    col_hi: np.ndarray
    cost: np.ndarray
    batches: list[dict[int, float]]

    def run(self) -> list[np.ndarray]:
        cost, col_hi = self.cost.copy(), self.col_hi.copy()
        moves = []

        def keep(d: np.ndarray) -> None:
            moved = np.flatnonzero(d[: self.n_cells] != 0)
            cost[moved] = np.minimum(cost[moved], WITHHELD_COST)  # withheld from now on
            moves.append(d)

        for need in self.batches:
            # a few requirements: first on their neighbourhood, ever wider, each solution kept
            # for the requirements it meets; the whole block for the rest
            depth = NEAR_DEPTH
            while need and len(need) <= NEAR_BATCH and depth <= FAR_DEPTH:
                d = self.block.solve_near(self.col_lo, col_hi, cost, need, depth)
                if d.any():
                    keep(d)
                need = {c: m for c, m in need.items() if np.sign(m) * d[c] < abs(m) - TOLERANCE}
                depth *= 2
            if need:
                keep(self.block.solve(self.col_lo, col_hi, cost, need))
        return moves


def protect(
    publication: Publication,
    cells: Cells,
    rounds: int = DEFAULT_ROUNDS,
    workers: int = 1,
    say=lambda _: None,
) -> Protection:
    """PRIMARY and COMPLEMENTARY flags for the true counts `cells`, with proven moves.

    `workers`: blocks of one round solved at once (threads: HiGHS runs without the GIL). Each
    block starts from the flags at the start of the round, so the result does not depend on
    the order in which they finish."""
    flags = primary_flags(cells, publication.threshold)
    small = np.array([flag == PRIMARY for flag in flags], dtype=bool)
    return certify(publication, cells, flags, small, True, rounds, workers, say)


def certify(
    publication: Publication,
    cells: Cells,
    flags: list[str | None],
    small: np.ndarray,
    may_withhold: bool,
    rounds: int = DEFAULT_ROUNDS,
    workers: int = 1,
    say=lambda _: None,
    known: tuple[np.ndarray, np.ndarray] | None = None,
) -> Protection:
    """Certificates for the withheld counts of `cells` (`flags` not None), whose values are all
    the true counts: for each, solutions of every row in which it moves 2 (`small` counts) or 1
    away from its true value in all, up and down together. `may_withhold`: the protection, free
    to withhold published counts that a solution moves (they become COMPLEMENTARY); else the
    check, where published counts stay fixed and an unproved count is the verdict. `known`:
    moves (up, down) already proven by other solutions; only the rest is searched.

    Long because its steps share the state of the rounds (flags, proven moves, tries per
    count) through small closures: the rounds' loop, which block and which way each count is
    tried next, and the program of each block."""
    started = time.perf_counter()
    flags = list(flags)
    values = np.asarray(cells.value, dtype=float)
    system = relations.build(publication, cells)
    if np.isnan(system.hidden_base).any():
        raise ProtectionError("half-year base values are missing: a period series is incomplete")
    base = np.concatenate([values, system.hidden_base])
    residual = system.matrix @ base
    broken = np.flatnonzero((residual < system.lo - 1e-6) | (residual > system.hi + 1e-6))
    if len(broken):
        name = system.names[system.relation[broken[0]]]
        raise ProtectionError(
            f"the true counts break {len(broken)} rows of the declared relations (first: {name})"
        )
    n_cells = system.n_cells
    csc = system.matrix.tocsc()
    cost_published = information_cost(cells)
    halves = _halves_of(publication, cells)
    # the counts a block's solutions may move: every count for the protection, the withheld
    # ones for the check (a published count is a constant there)
    movable = [i for i in range(n_cells) if may_withhold or flags[i] is not None]
    timeless = [i for i in movable if not halves[i]]
    members: dict[int, list[int]] = defaultdict(list)
    for i in movable:
        for half in halves[i]:
            members[half].append(i)
    up = np.zeros(n_cells) if known is None else known[0].copy()
    down = np.zeros(n_cells) if known is None else known[1].copy()
    certificates: list[tuple[np.ndarray, np.ndarray]] = []
    blocks: dict[int, _Block] = {}
    attempts: dict[int, int] = defaultdict(int)
    report = []

    def required(i: int) -> float:
        return PRIMARY_MOVE if small[i] else OTHER_MOVE

    def proven(i: int) -> float:
        return proven_width(up[i], down[i])

    def half_for(i: int) -> int:
        """The half-year whose block moves the count: its year's second half first."""
        options = sorted(halves[i] or [0], key=lambda h: (h % 2 == 0, h))
        return options[attempts[i] % len(options)]

    def move_for(i: int) -> float:
        """Up first (nothing bounds a withheld count above), down on tries 2 and 3 (one per
        half-year), up on 4 and 5, ...; once one way is proven, the rest of the width the other
        way or further the same way, in turn."""
        need = required(i)
        have_up, have_down = math.floor(up[i] + TOLERANCE), math.floor(down[i] + TOLERANCE)
        rest = need - have_up - have_down
        if have_up:
            options = [-rest, have_up + rest] if values[i] - rest >= LOWER else [have_up + rest]
            return options[(attempts[i] // 2) % len(options)]  # each way in both half-years
        if have_down:
            return rest if (attempts[i] // 2) % 2 == 0 else -(have_down + rest)
        if (attempts[i] // 2) % 2 == 1 and values[i] - need >= LOWER:
            return -need  # tries 2 and 3 (one per half-year), 6 and 7, ...: down
        return need

    def task(half: int, todo: list[int], size: int) -> _Task:
        if half not in blocks:
            columns = np.array(sorted(members.get(half, [])) + timeless, dtype=np.int64)
            hidden = n_cells + np.flatnonzero(system.hidden_half == half)
            blocks[half] = _Block(system, csc, base, np.concatenate([columns, hidden]))
        block = blocks[half]
        columns = block.columns
        is_cell = columns < n_cells
        cells_here = columns[is_cell]
        withheld_here = np.array([flags[i] is not None for i in cells_here], dtype=bool)
        col_lo = np.concatenate([LOWER - values[cells_here], -base[columns[~is_cell]]])
        col_hi = np.full(len(columns), INFINITY)
        if not may_withhold:  # the check: published counts are what they are
            fixed = np.flatnonzero(~withheld_here)
            col_lo[fixed] = 0.0
            col_hi[fixed] = 0.0
        cost = np.concatenate(
            [
                np.where(withheld_here, WITHHELD_COST, cost_published[cells_here]),
                np.full(int((~is_cell).sum()), HIDDEN_COST),
            ]
        )
        position = {int(c): n for n, c in enumerate(columns)}
        batches = [
            {position[i]: move_for(i) for i in todo[start : start + size]}
            for start in range(0, len(todo), size)
        ]
        return _Task(block, len(cells_here), col_lo, col_hi, cost, batches)

    for round_number in range(1, rounds + 1):
        pending = [i for i in range(n_cells) if flags[i] is not None and proven(i) < required(i)]
        if not pending:
            break
        round_started = time.perf_counter()
        by_half: dict[int, list[int]] = defaultdict(list)
        for i in pending:
            by_half[half_for(i)].append(i)
        # all of a block's requirements in one program first; requirements that clash (one
        # solution cannot move them all) are retried in ever smaller batches
        size = max(1, BATCH >> (3 * (round_number - 1)))
        tasks = [(half, task(half, by_half[half], size)) for half in sorted(by_half)]
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            results = list(pool.map(lambda item: item[1].run(), tasks))
        added = 0
        for (half, work), moves in zip(tasks, results, strict=True):
            cells_here = work.block.columns[: work.n_cells]
            for d in moves:
                moved = np.flatnonzero(d[: work.n_cells] != 0)
                certificates.append((cells_here[moved], values[cells_here[moved]] + d[moved]))
                for n in moved:
                    i = int(cells_here[n])
                    if flags[i] is None:  # only where may_withhold: else its bounds are 0
                        flags[i] = COMPLEMENTARY
                        added += 1
                    if d[n] > 0:
                        up[i] = max(up[i], d[n])
                    else:
                        down[i] = max(down[i], -d[n])
            for i in by_half[half]:
                attempts[i] += 1
        entry = {
            "round": round_number,
            "blocks": len(tasks),
            "programs": sum(len(work.batches) for _, work in tasks),
            "pending": len(pending),
            "complementary_added": added,
            "withheld": sum(f is not None for f in flags),
            "seconds": round(time.perf_counter() - round_started, 2),
        }
        report.append(entry)
        say(entry)
    unproved = [i for i in range(n_cells) if flags[i] is not None and proven(i) < required(i)]
    return Protection(
        flags=flags,
        up=up,
        down=down,
        rounds=report,
        unproved=unproved,
        seconds=time.perf_counter() - started,
        certificates=certificates,
    )


def proven_width(up, down):
    """The proven width (integer: counts are whole) of moves `up` and `down` from the truth."""
    return np.floor(up + TOLERANCE) + np.floor(down + TOLERANCE)


def certificate_widths(protection: Protection) -> np.ndarray:
    """The proven width of each withheld count."""
    return proven_width(protection.up, protection.down)
