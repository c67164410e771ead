"""Secondary suppression: which counts to withhold beyond the small ones, proved by certificates.

The method is the attacker's subproblem of cell suppression (Fischetti and Salazar-González,
"Models and algorithms for optimizing cell suppression in tabular data with linear
constraints", JASA 95, 2000; the same protection levels tau-ARGUS and sdcTable audit): a
withheld count is protected when the attacker's linear system, every declared relation and the
bounds the flags give, has a solution where the count sits far enough from its true value. The
protection looks for such a solution directly. For a set of counts that need protection it
solves one linear program over *perturbations* of the true counts,

    minimize  sum_j cost_j * |d_j|
    such that every declared relation holds for true + d,
              the bounds hold (a withheld count at least 1, a PRIMARY one at most the threshold,
              a hidden half-year at least 0, a zero never moves: zeros are shown),
              d_i >= 2 (or <= -2) for each PRIMARY count i to protect,

and withholds every published count the solution moves (`COMPLEMENTARY`). true + d is then a
solution of the attacker's system in which count i is 2 away from its true value, so its
interval [min, max] is at least that wide: a *certificate*, checked against every row. The cost
prefers what loses the least information: counts already withheld are free, then small counts,
then detailed rows before totals (each ALL in a count's key raises its cost).

The relations tie every count to every other one (calendar and fiscal years share half-years),
so the system is split by half-year: a perturbation that moves one half-year of the window moves
only the calendar and the fiscal year that hold it (and period-free tables), while every other
count keeps its true value. Each block is a few thousand unknowns; its solutions are solutions
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
from dataclasses import dataclass, field

import highspy
import numpy as np
from scipy import sparse

from cts.publication import relations
from cts.publication.declaration import COMPLEMENTARY, KEY_COLUMNS, PRIMARY, Publication
from cts.publication.relations import INFINITY, Cells, System

PRIMARY_MOVE = 2.0  # a PRIMARY count must be shown to take values 2 apart ("1 or 2" gives it away)
OTHER_MOVE = 1.0  # any other withheld count: 1 apart (not pinned)
TOLERANCE = 1e-7
WITHHELD_COST = 1e-3  # moving a count that is already withheld: almost free
HIDDEN_COST = 1e-4
SHORTFALL_COST = 1e6  # a requirement the block cannot meet (it is tried again elsewhere)
DEFAULT_ROUNDS = 8
SOLVER_OPTIONS: dict = {}
BATCH = 1 << 16  # requirements per program in the first round; / 8 each round after
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

    def width(self) -> np.ndarray:
        return self.up + self.down


def primary_flags(cells: Cells, threshold: int) -> list[str | None]:
    return [PRIMARY if 1 <= v <= threshold else None for v in cells.value]


def information_cost(cells: Cells) -> np.ndarray:
    """Cost per unit of moving a published count: its size and how many totals its key holds."""
    totals = np.array(
        [sum(1 for v in key if v == ALL_VALUE) for key in cells.key], dtype=float
    )
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
        self.columns = columns
        touched = np.unique(csc[:, columns].tocoo().row)
        self.rows = touched
        block = system.matrix[touched]
        constant = block @ base  # every row at the true counts and base half-years
        self.row_lo = system.lo[touched] - constant
        self.row_hi = system.hi[touched] - constant
        self.matrix = block.tocsc()[:, columns]

    def solve(
        self, col_lo: np.ndarray, col_hi: np.ndarray, cost: np.ndarray, need: dict[int, float]
    ) -> np.ndarray:
        """The cheapest perturbation d (per block column) meeting `need` {column: signed move}.

        Columns: d = p - q with p, q >= 0, then one shortfall column per requirement."""
        n = len(self.columns)
        need_items = sorted(need.items())
        m = self.matrix.shape[0]
        p_hi = np.maximum(col_hi, 0.0)
        q_hi = np.maximum(-col_lo, 0.0)
        a = self.matrix
        req_rows = []
        req_cols = []
        req_data = []
        req_lo = []
        for r, (column, move) in enumerate(need_items):
            # p_c - q_c + sign * s_r >= move (sign of the move), written as sign*(p-q) + s >= |move|
            sign = 1.0 if move > 0 else -1.0
            req_rows += [r, r, r]
            req_cols += [column, n + column, 2 * n + r]
            req_data += [sign, -sign, 1.0]
            req_lo.append(abs(move))
        k = len(need_items)
        requirements = sparse.csr_matrix(
            (req_data, (req_rows, req_cols)), shape=(k, 2 * n + k)
        )
        full = sparse.vstack(
            [sparse.hstack([a, -a, sparse.csc_matrix((m, k))]), requirements]
        ).tocsc()
        highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
        for option, value in SOLVER_OPTIONS.items():
            highs.setOptionValue(option, value)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = 2 * n + k, m + k
        lp.col_cost_ = np.concatenate([cost, cost, np.full(k, SHORTFALL_COST)])
        lp.col_lower_ = np.zeros(2 * n + k)
        lp.col_upper_ = np.concatenate([p_hi, q_hi, np.full(k, INFINITY)])
        lp.row_lower_ = np.concatenate([self.row_lo, np.array(req_lo, dtype=float)])
        lp.row_upper_ = np.concatenate([self.row_hi, np.full(k, INFINITY)])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = full.indptr
        lp.a_matrix_.index_ = full.indices
        lp.a_matrix_.value_ = full.data
        highs.passModel(lp)
        highs.run()
        status = highs.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise ProtectionError(
                f"protection program of a half-year block: {highs.modelStatusToString(status)}"
                " (the true counts break a declared relation?)"
            )
        x = np.array(highs.getSolution().col_value)
        d = x[:n] - x[n : 2 * n]
        d[np.abs(d) < TOLERANCE] = 0.0
        return d


def protect(
    publication: Publication,
    cells: Cells,
    rounds: int = DEFAULT_ROUNDS,
    say=lambda _: None,
    lower: float = 0.0,
    capped: bool = False,
    pairs: bool = False,
) -> Protection:
    """PRIMARY and COMPLEMENTARY flags for the true counts `cells`, with proven moves."""
    started = time.perf_counter()
    threshold = publication.threshold
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
            f"the true counts break {len(broken)} rows of the declared relations"
            f" (first: {name})"
        )
    n_cells = system.n_cells
    csc = system.matrix.tocsc()
    flags = primary_flags(cells, threshold)
    cost_published = information_cost(cells)
    halves = _halves_of(publication, cells)
    n_halves = 2 * (publication.years()[1] - publication.years()[0] + 1)
    movable = values > 0 if lower >= 1 else np.ones(n_cells, dtype=bool)
    timeless = [i for i in range(n_cells) if not halves[i] and movable[i]]
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(n_cells):
        if movable[i]:
            for half in halves[i]:
                members[half].append(i)
    hidden_of: dict[int, np.ndarray] = {
        half: n_cells + np.flatnonzero(system.hidden_half == half) for half in range(n_halves)
    }
    up = np.zeros(n_cells)
    down = np.zeros(n_cells)
    blocks: dict[int, _Block] = {}
    attempts: dict[int, int] = defaultdict(int)
    report = []

    def required(i: int) -> float:
        return PRIMARY_MOVE if flags[i] == PRIMARY else OTHER_MOVE

    def proven(i: int) -> float:
        return math.floor(up[i] + TOLERANCE) + math.floor(down[i] + TOLERANCE)

    def block_for(i: int) -> int:
        """With `pairs`, blocks are pairs of half-years (h, h + 1), named by h: the pair the
        count's own year holds first, then the pairs that hold one of its halves. Otherwise
        single half-years: the second half of the count's year first."""
        own = halves[i] or [0]
        if not pairs:
            options = sorted(own, key=lambda h: (h % 2 == 0, h))
            return options[attempts[i] % len(options)]
        options = [own[0]] if len(own) == 2 else []
        options += [h for h in (own[0] - 1, own[-1]) if 0 <= h < n_halves - 1 and h not in options]
        if not options:
            options = [min(own[0], n_halves - 2)]
        return options[attempts[i] % len(options)]

    def move_for(i: int) -> float:
        """Up when the bounds allow it, down otherwise, the other way after two failed tries;
        once one way is proven, the rest of the width the other way or further the same way,
        in turn."""
        need = required(i)
        upper = threshold if capped and flags[i] == PRIMARY else INFINITY
        have_up, have_down = math.floor(up[i] + TOLERANCE), math.floor(down[i] + TOLERANCE)
        rest = need - have_up - have_down
        if have_up or have_down:  # one way proven: the rest the other way, or further the same
            if have_up:
                options = [
                    (-rest, values[i] - rest >= lower),
                    (have_up + rest, values[i] + have_up + rest <= upper),
                ]
            else:
                options = [
                    (rest, values[i] + rest <= upper),
                    (-(have_down + rest), values[i] - have_down - rest >= lower),
                ]
            valid = [move for move, allowed in options if allowed] or [options[0][0]]
            return valid[attempts[i] % len(valid)]
        sign = 1.0 if values[i] + need <= upper else -1.0
        if attempts[i] >= 2:
            sign = -sign
        return sign * need

    for round_number in range(1, rounds + 1):
        pending = [i for i in range(n_cells) if flags[i] is not None and proven(i) < required(i)]
        if not pending:
            break
        by_half: dict[int, list[int]] = defaultdict(list)
        for i in pending:
            by_half[block_for(i)].append(i)
        round_started = time.perf_counter()
        added = 0
        solved = 0
        for half in sorted(by_half):
            if half not in blocks:
                spanned = (half, half + 1) if pairs else (half,)
                held = sorted({i for h in spanned for i in members.get(h, [])})
                columns = np.array(held + timeless, dtype=np.int64)
                columns = np.concatenate([columns, *(hidden_of[h] for h in spanned)])
                blocks[half] = _Block(system, csc, base, columns)
            block = blocks[half]
            columns = block.columns
            is_cell = columns < n_cells
            cells_here = columns[is_cell]
            col_lo = np.empty(len(columns))
            col_hi = np.empty(len(columns))
            cost = np.empty(len(columns))
            withheld_here = np.array([flags[i] is not None for i in cells_here], dtype=bool)
            col_lo[is_cell] = lower - values[cells_here]
            col_hi[is_cell] = np.where(
                np.array([capped and flags[i] == PRIMARY for i in cells_here], dtype=bool),
                threshold - values[cells_here],
                INFINITY,
            )
            cost[is_cell] = np.where(withheld_here, WITHHELD_COST, cost_published[cells_here])
            col_lo[~is_cell] = -base[columns[~is_cell]]
            col_hi[~is_cell] = INFINITY
            cost[~is_cell] = HIDDEN_COST
            position = {int(c): n for n, c in enumerate(columns)}
            # all of a block's requirements in one program first; requirements that clash
            # (one solution cannot move them all) are retried in ever smaller batches
            size = max(1, BATCH >> (3 * (round_number - 1)))
            todo = by_half[half]
            for start in range(0, len(todo), size):
                batch = todo[start : start + size]
                need = {position[i]: move_for(i) for i in batch}
                d = block.solve(col_lo, col_hi, cost, need)
                solved += 1
                moved = np.flatnonzero(d[is_cell] != 0)
                for n in moved:
                    i = int(cells_here[n])
                    if flags[i] is None:
                        flags[i] = COMPLEMENTARY
                        cost[n] = WITHHELD_COST
                        col_hi[n] = INFINITY
                        added += 1
                    if d[n] > 0:
                        up[i] = max(up[i], d[n])
                    else:
                        down[i] = max(down[i], -d[n])
                for i in batch:
                    attempts[i] += 1
        withheld = sum(f is not None for f in flags)
        entry = {
            "round": round_number,
            "blocks": len(by_half),
            "pending": len(pending),
            "complementary_added": added,
            "programs": solved,
            "withheld": withheld,
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
    )


def certificate_widths(protection: Protection) -> np.ndarray:
    """The proven width of each withheld count (integer: moves are to whole counts)."""
    return np.floor(protection.up + TOLERANCE) + np.floor(protection.down + TOLERANCE)

