"""Exact feasibility intervals of withheld counts, by linear programming (HiGHS).

For every withheld count x_i, the attacker's question is: over every assignment of the
withheld counts and hidden unknowns that satisfies all declared relations and the bounds the
flags give (a withheld count is at least 1; a PRIMARY one at most the threshold), what are
min x_i and max x_i? Each is one linear program. The system splits into connected components
of unknowns (two unknowns meet when a row holds both), solved one at a time.

Most of the 2n programs need not be solved: a bound that the flags give (1, or the threshold)
and that some feasible solution attains is already exact. Every solution the solver returns is
feasible, so its values attain bounds for every unknown at once. This is the filtering of
optimization-based bound tightening (Gleixner, Berthold, Müller and Weltge, "Three enhancements
for optimization-based bound tightening", J. Global Optim. 67, 2017): solve min and max of the
sum first, then only the unknowns whose bounds no solution has attained yet.

Integrality: counts are integers, so an interval is reported as [ceil(min), floor(max)] of the
linear program's interval. It is the linear relaxation: an attacker with an integer program
may find tighter intervals where the relations are not totally unimodular (the README says so).
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from cts.publication.relations import INFINITY, System

TOLERANCE = 1e-6
RANDOM_OBJECTIVES = 6  # random-sign objectives solved per component before single columns


class SolverError(RuntimeError):
    """The published numbers contradict the declared relations (no feasible assignment)."""


@dataclass
class Intervals:
    """Per cell: the integer interval [low, high] of a withheld count (nan for published)."""

    low: np.ndarray
    high: np.ndarray
    components: int
    largest_component: int
    programs_solved: int
    untested: list[int]  # withheld counts of components larger than the limit: not solved

    def width(self) -> np.ndarray:
        return self.high - self.low


def _bounds(flags: list[str | None], withheld: np.ndarray, threshold: int, n_hidden: int):
    """What the public knows of each withheld count: at least 0, nothing above (one flag for
    every reason; zeros may be withheld)."""
    cells = np.flatnonzero(withheld)
    lower = np.zeros(len(cells))
    upper = np.full(len(cells), INFINITY)
    return (
        np.concatenate([lower, np.zeros(n_hidden)]),
        np.concatenate([upper, np.full(n_hidden, INFINITY)]),
    )


def highs_program(
    matrix: sparse.csc_matrix, cost, row_lo, row_hi, col_lo, col_hi, options=None
) -> highspy.Highs:
    """A silent HiGHS instance holding `lo <= matrix x <= hi` with column bounds and costs."""
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    for option, value in (options or {}).items():
        highs.setOptionValue(option, value)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = matrix.shape[1], matrix.shape[0]
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_, lp.col_upper_ = col_lo, col_hi
    lp.row_lower_, lp.row_upper_ = row_lo, row_hi
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr
    lp.a_matrix_.index_ = matrix.indices
    lp.a_matrix_.value_ = matrix.data
    highs.passModel(lp)
    return highs


class _Program:
    """One component's linear program, kept warm between objectives."""

    def __init__(self, matrix: sparse.csc_matrix, row_lo, row_hi, col_lo, col_hi) -> None:
        zero = np.zeros(matrix.shape[1])
        self.highs = highs_program(matrix, zero, row_lo, row_hi, col_lo, col_hi)
        self.n = matrix.shape[1]
        self.cost = np.zeros(self.n)
        self.solved = 0

    def optimize(self, cost: np.ndarray, maximize: bool) -> tuple[float, np.ndarray | None]:
        """The optimum of cost·x and a solution; +-inf and None when unbounded."""
        changed = np.flatnonzero(cost != self.cost)
        if len(changed):
            self.highs.changeColsCost(len(changed), changed.astype(np.int32), cost[changed])
            self.cost = cost.copy()
        sense = highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
        self.highs.changeObjectiveSense(sense)
        self.highs.run()
        self.solved += 1
        status = self.highs.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            solution = np.array(self.highs.getSolution().col_value)
            return float(self.highs.getInfo().objective_function_value), solution
        if status in (
            highspy.HighsModelStatus.kUnbounded,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        ):
            if status == highspy.HighsModelStatus.kUnboundedOrInfeasible:
                self._check_feasible()
            return (INFINITY if maximize else -INFINITY), None
        if status == highspy.HighsModelStatus.kInfeasible:
            raise SolverError("the published counts contradict the declared relations")
        raise SolverError(f"HiGHS: {self.highs.modelStatusToString(status)}")

    def _check_feasible(self) -> None:
        self.optimize(np.zeros(self.n), maximize=False)


def implied_bounds(matrix: sparse.csr_matrix, row_lo, row_hi, col_lo, col_hi, passes: int = 4):
    """Valid column bounds implied row by row (feasibility-based bound tightening).

    For every row and column in it, the column's bound that the row gives when every other
    column of the row sits at the bound that helps most. Valid for every feasible solution,
    so a solution that attains one proves it is the exact optimum."""
    coo = matrix.tocoo()
    rows, cols, a = coo.row, coo.col, coo.data
    lo, hi = col_lo.astype(float).copy(), col_hi.astype(float).copy()
    n_rows = matrix.shape[0]
    with np.errstate(invalid="ignore"):
        for _ in range(passes):
            least = np.where(a > 0, a * lo[cols], a * hi[cols])  # each term's least value
            most = np.where(a > 0, a * hi[cols], a * lo[cols])
            least_inf, most_inf = ~np.isfinite(least), ~np.isfinite(most)
            least_sum = np.bincount(rows, np.where(least_inf, 0, least), n_rows)
            most_sum = np.bincount(rows, np.where(most_inf, 0, most), n_rows)
            least_count = np.bincount(rows, least_inf, n_rows)[rows] - least_inf
            most_count = np.bincount(rows, most_inf, n_rows)[rows] - most_inf
            # the others' least and most sums, where finite
            others_least = np.where(
                least_count == 0, least_sum[rows] - np.where(least_inf, 0, least), np.nan
            )
            others_most = np.where(
                most_count == 0, most_sum[rows] - np.where(most_inf, 0, most), np.nan
            )
            from_hi = (row_hi[rows] - others_least) / a  # a > 0: upper bound; a < 0: lower
            from_lo = (row_lo[rows] - others_most) / a  # a > 0: lower bound; a < 0: upper
            upper = np.where(a > 0, from_hi, from_lo)
            lower = np.where(a > 0, from_lo, from_hi)
            upper = np.where(np.isnan(upper), INFINITY, upper)
            lower = np.where(np.isnan(lower), -INFINITY, lower)
            new_hi, new_lo = hi.copy(), lo.copy()
            np.minimum.at(new_hi, cols, upper)
            np.maximum.at(new_lo, cols, lower)
            if np.array_equal(new_hi, hi) and np.array_equal(new_lo, lo):
                break
            hi, lo = new_hi, new_lo
    return lo, hi


def _component_intervals(
    program: _Program, matrix, row_lo, row_hi, col_lo, col_hi, targets: np.ndarray
):
    """Exact [min, max] of each target column (the component's withheld counts).

    A bound is exact once a solution attains a valid bound (the flags' or an implied one);
    solutions come from the sum of the targets, a few random-sign objectives, and the
    programs solved for single columns."""
    sure_lo, sure_hi = implied_bounds(matrix.tocsr(), row_lo, row_hi, col_lo, col_hi)
    seen_lo = np.full(program.n, INFINITY)
    seen_hi = np.full(program.n, -INFINITY)

    def seen(solution: np.ndarray | None) -> None:
        if solution is not None:
            np.minimum(seen_lo, solution, out=seen_lo)
            np.maximum(seen_hi, solution, out=seen_hi)

    weights = np.zeros(program.n)
    weights[targets] = 1.0
    seen(program.optimize(weights, maximize=False)[1])
    seen(program.optimize(weights, maximize=True)[1])
    random = np.random.default_rng(len(targets))  # deterministic per component
    for _ in range(RANDOM_OBJECTIVES if len(targets) > 2 else 0):
        weights = np.zeros(program.n)
        weights[targets] = random.choice((-1.0, 1.0), len(targets))
        seen(program.optimize(weights, maximize=False)[1])
    low = np.empty(len(targets))
    high = np.empty(len(targets))
    for n, column in enumerate(targets):
        cost = np.zeros(program.n)
        cost[column] = 1.0
        if seen_lo[column] <= sure_lo[column] + TOLERANCE:
            low[n] = sure_lo[column]
        else:
            value, solution = program.optimize(cost, maximize=False)
            low[n] = value
            seen(solution)
        if seen_hi[column] >= sure_hi[column] - TOLERANCE:
            high[n] = sure_hi[column]
        else:
            value, solution = program.optimize(cost, maximize=True)
            high[n] = value
            seen(solution)
    return low, high


def intervals(
    system: System,
    values: np.ndarray,
    flags: list[str | None],
    threshold: int,
    max_component: int | None = None,
) -> Intervals:
    """The exact interval of every withheld count under every row of `system`.

    A component with more than `max_component` withheld counts is not solved: its counts are
    listed in `untested` (and count as a failed check), never reported safe."""
    withheld = np.array([flag is not None for flag in flags], dtype=bool)
    known = np.where(withheld, 0.0, np.nan_to_num(values))
    cell_matrix = system.matrix[:, : system.n_cells]
    constant = cell_matrix @ known
    unknown_columns = np.concatenate(
        [np.flatnonzero(withheld), system.n_cells + np.arange(system.n_hidden)]
    )
    unknown = system.matrix.tocsc()[:, unknown_columns].tocsr()
    col_lo, col_hi = _bounds(flags, withheld, threshold, system.n_hidden)
    n_withheld = int(withheld.sum())
    low = np.full(system.n_cells, np.nan)
    high = np.full(system.n_cells, np.nan)
    if n_withheld == 0:
        return Intervals(low, high, 0, 0, 0, [])

    active = np.flatnonzero(np.diff(unknown.indptr) > 0)
    unknown = unknown[active]
    m, k = unknown.shape
    graph = sparse.bmat([[None, unknown], [unknown.T, None]], format="csr")
    count, labels = connected_components(graph, directed=False)
    row_labels, col_labels = labels[:m], labels[m:]
    rows_by = _group(row_labels, count)
    cols_by = _group(col_labels, count)
    cell_of = np.flatnonzero(withheld)
    solved = 0
    largest = 0
    components = 0
    untested: list[int] = []
    row_lo = system.lo[active] - constant[active]
    row_hi = system.hi[active] - constant[active]
    for label in range(count):
        cols = cols_by[label]
        targets = np.flatnonzero(cols < n_withheld)
        if len(targets) == 0:
            continue
        components += 1
        largest = max(largest, len(targets))
        if max_component is not None and len(targets) > max_component:
            untested.extend(int(i) for i in cell_of[cols[targets]])
            continue
        rows = rows_by[label]
        if len(rows) == 0:  # a withheld count in no relation: only its flag bounds it
            low[cell_of[cols]] = col_lo[cols]
            high[cell_of[cols]] = col_hi[cols]
            continue
        block = unknown[rows][:, cols].tocsc()
        program = _Program(block, row_lo[rows], row_hi[rows], col_lo[cols], col_hi[cols])
        lo, hi = _component_intervals(
            program, block, row_lo[rows], row_hi[rows], col_lo[cols], col_hi[cols], targets
        )
        solved += program.solved
        low[cell_of[cols[targets]]] = lo
        high[cell_of[cols[targets]]] = hi
    low = np.where(np.isnan(low), low, np.ceil(low - TOLERANCE))
    high = np.where(np.isnan(high), high, np.floor(high + TOLERANCE))
    return Intervals(low, high, components, largest, solved, untested)


def _group(labels: np.ndarray, count: int) -> list[np.ndarray]:
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(count + 1))
    return [order[bounds[i] : bounds[i + 1]] for i in range(count)]


def violated_rows(system: System, values: np.ndarray) -> list[int]:
    """Rows that the given (complete) cell values break, hidden unknowns solved for.

    Rows over cells only are evaluated; rows with hidden unknowns are checked by one linear
    program per connected component of hidden unknowns (feasible or not)."""
    cells = system.matrix[:, : system.n_cells] @ np.nan_to_num(values)
    hidden = system.matrix[:, system.n_cells :]
    plain = np.diff(hidden.tocsr().indptr) == 0
    broken = np.flatnonzero(
        plain & ((cells < system.lo - TOLERANCE) | (cells > system.hi + TOLERANCE))
    )
    result = [int(r) for r in broken]
    rows = np.flatnonzero(~plain)
    block = hidden.tocsr()[rows]
    if len(rows) and not _feasible(
        block, system.lo[rows] - cells[rows], system.hi[rows] - cells[rows]
    ):
        # some component is infeasible: find which, one linear program per component
        m = block.shape[0]
        graph = sparse.bmat([[None, block], [block.T, None]], format="csr")
        count, labels = connected_components(graph, directed=False)
        for members in _group(labels[:m], count):
            if len(members) == 0:
                continue
            cols = np.unique(block[members].indices)
            sub = block[members][:, cols].tocsc()
            program = _Program(
                sub,
                system.lo[rows[members]] - cells[rows[members]],
                system.hi[rows[members]] - cells[rows[members]],
                np.zeros(len(cols)),
                np.full(len(cols), INFINITY),
            )
            try:
                program.optimize(np.zeros(len(cols)), maximize=False)
            except SolverError:
                result.extend(int(r) for r in rows[members])
    return sorted(result)


def _feasible(block: sparse.csr_matrix, row_lo: np.ndarray, row_hi: np.ndarray) -> bool:
    """Whether row_lo <= block·h <= row_hi has a solution h >= 0: one linear program over
    every component at once (they share no unknown, so it is feasible when each one is)."""
    cols = np.unique(block.indices)
    program = _Program(
        block[:, cols].tocsc(), row_lo, row_hi, np.zeros(len(cols)), np.full(len(cols), INFINITY)
    )
    try:
        program.optimize(np.zeros(len(cols)), maximize=False)
    except SolverError:
        return False
    return True


def is_disclosed(low: float, high: float, small: bool) -> bool:
    """Pinned (width 0), or a small count (1 to the threshold) narrowed to two values or fewer."""
    width = high - low
    return width < 1 or (small and width <= 1)
