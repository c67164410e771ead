"""The relation system: every declared relation between published counts, as linear rows.

A row is `lo <= sum(coefficient * unknown) <= hi` over the cells of the long table and over
hidden unknowns that are never published (the half-years that calendar and fiscal years share).
Each relation kind of the declaration (`breakdown`, `half_years`, `sum`, `at_most`, `rate`)
becomes rows here; the solver and the protection only see rows.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from scipy import sparse

from cts.publication.declaration import KEY_COLUMNS, Publication

POSITION = {column: index for index, column in enumerate(KEY_COLUMNS)}
INFINITY = float("inf")


@dataclass
class Cells:
    """The published counts in long form: one entry per table, measure and key."""

    table: list[str]
    measure: list[str]
    key: list[tuple]  # values of KEY_COLUMNS, None where the table has no such column
    value: np.ndarray  # float: the count (true or published); nan where withheld and unknown
    flag: list[str | None]  # None (published), PRIMARY or COMPLEMENTARY
    rates: dict[tuple[str, tuple, str], Decimal] = field(default_factory=dict)
    index: dict[tuple[str, str, tuple], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.index:
            self.index = {
                (t, m, k): i
                for i, (t, m, k) in enumerate(zip(self.table, self.measure, self.key, strict=True))
            }

    def __len__(self) -> int:
        return len(self.table)

    def withheld(self) -> np.ndarray:
        return np.array([flag is not None for flag in self.flag], dtype=bool)

    def describe(self, i: int) -> dict[str, Any]:
        cell = {"table": self.table[i], "measure": self.measure[i]}
        cell.update({c: v for c, v in zip(KEY_COLUMNS, self.key[i], strict=True) if v is not None})
        return cell


@dataclass
class System:
    """Rows over `n_cells` cells (columns 0..n_cells-1) and `n_hidden` hidden unknowns."""

    matrix: sparse.csr_matrix
    lo: np.ndarray
    hi: np.ndarray
    relation: np.ndarray  # index into `names`, per row
    names: list[str]
    n_cells: int
    n_hidden: int
    # per hidden unknown: the half-year it stands for (0 = first half of the window's first
    # year), and a value that satisfies every row when the cells hold their true counts (nan
    # where the cells' values are not all known)
    hidden_half: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    hidden_base: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # per period series: its cells, the half-years each holds, whether it counts persons, and
    # its first hidden unknown (column n_cells + first)
    series: list[tuple[list[int], list[tuple[int, ...]], bool, int]] = field(default_factory=list)
    _series_of: np.ndarray | None = field(default=None, repr=False)  # per cell: its series

    def hidden_values(self, values: np.ndarray, moved: np.ndarray) -> np.ndarray:
        """Half-year values for cells holding `values`, which differ from the values the system
        was built on only at `moved` (see `_half_year_base`): the only ones for a series of
        events, the largest allowed for persons. With them, `values` satisfies every row if any
        half-years do."""
        if self._series_of is None:
            self._series_of = np.full(self.n_cells, -1, dtype=np.int64)
            for number, (group, _, _, _) in enumerate(self.series):
                self._series_of[group] = number
        hidden = self.hidden_base.copy()
        n_halves = int(self.hidden_half.max()) + 1 if self.n_hidden else 0
        for number in np.unique(self._series_of[moved]):
            if number < 0:
                continue
            group, covers, persons, first = self.series[number]
            group_values = [float(values[i]) for i in group]
            hidden[first : first + n_halves] = _half_year_base(
                group_values, covers, n_halves, persons
            )
        return hidden


class _Rows:
    def __init__(self, n_cells: int) -> None:
        self.n_cells = n_cells
        self.n_hidden = 0
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.data: list[float] = []
        self.lo: list[float] = []
        self.hi: list[float] = []
        self.relation: list[int] = []
        self.hidden_half: list[int] = []
        self.hidden_base: list[float] = []
        self.series: list[tuple[list[int], list[tuple[int, ...]], bool, int]] = []

    def hidden(self, base: list[float]) -> int:
        """New hidden unknowns, one per half-year of the window, with their base values."""
        first = self.n_cells + self.n_hidden
        self.n_hidden += len(base)
        self.hidden_half.extend(range(len(base)))
        self.hidden_base.extend(base)
        return first

    def add(self, terms: Iterable[tuple[int, float]], lo: float, hi: float, relation: int) -> None:
        row = len(self.lo)
        for col, coefficient in terms:
            self.rows.append(row)
            self.cols.append(col)
            self.data.append(coefficient)
        self.lo.append(lo)
        self.hi.append(hi)
        self.relation.append(relation)

    def equal(self, whole: Iterable[int], parts: Iterable[int], relation: int) -> None:
        """sum(whole) = sum(parts)."""
        terms = [(i, 1.0) for i in whole] + [(i, -1.0) for i in parts]
        self.add(terms, 0.0, 0.0, relation)

    def at_most(self, smaller: Iterable[int], larger: Iterable[int], relation: int) -> None:
        """sum(smaller) <= sum(larger)."""
        terms = [(i, 1.0) for i in larger] + [(i, -1.0) for i in smaller]
        self.add(terms, 0.0, INFINITY, relation)

    def union(self, whole: int, parts: list[int], relation: int) -> None:
        """Distinct persons of a union: each part at most the whole, the whole at most their sum."""
        for part in parts:
            self.at_most([part], [whole], relation)
        self.at_most([whole], parts, relation)

    def system(self, names: list[str]) -> System:
        shape = (len(self.lo), self.n_cells + self.n_hidden)
        matrix = sparse.csr_matrix(
            (np.array(self.data), (np.array(self.rows), np.array(self.cols))), shape=shape
        )
        return System(
            matrix=matrix,
            lo=np.array(self.lo, dtype=float),
            hi=np.array(self.hi, dtype=float),
            relation=np.array(self.relation, dtype=np.int32),
            names=names,
            n_cells=self.n_cells,
            n_hidden=self.n_hidden,
            hidden_half=np.array(self.hidden_half, dtype=np.int32),
            hidden_base=np.array(self.hidden_base, dtype=float),
            series=self.series,
        )


def _blank(key: tuple, positions: tuple[int, ...]) -> tuple:
    blanked = list(key)
    for i in positions:
        blanked[i] = None
    return tuple(blanked)


def _matches(key: tuple, when: dict[str, Any] | None) -> bool:
    for column, wanted in (when or {}).items():
        value = key[POSITION[column]]
        if isinstance(wanted, str) and wanted.startswith("~"):
            if value == wanted[1:]:
                return False
        elif str(value) != str(wanted):
            return False
    return True


def _by_table(cells: Cells) -> dict[str, list[int]]:
    members: dict[str, list[int]] = defaultdict(list)
    for i, table in enumerate(cells.table):
        members[table].append(i)
    return members


def build(publication: Publication, cells: Cells) -> System:
    """Every declared relation as rows over `cells` (rate rows where a rate is known)."""
    rows = _Rows(len(cells))
    tables = _by_table(cells)
    names = []
    builders = {
        "breakdown": _breakdown,
        "half_years": _half_years,
        "sum": _sum,
        "at_most": _at_most,
        "rate": _rate,
    }
    for number, relation in enumerate(publication.relations):
        names.append(relation["name"])
        builders[relation["kind"]](publication, cells, tables, rows, relation, number)
    return rows.system(names)


def _breakdown(publication, cells, tables, rows, relation, number) -> None:
    dimension = publication.dimensions[relation["dimension"]]
    positions = tuple(POSITION[c] for c in dimension.columns)
    first = positions[0]  # the column that tells a breakdown (dimension) from the total
    for table_name, members in tables.items():
        table = publication.tables[table_name]
        if dimension.name not in table.keys:
            continue
        totals: dict[tuple, int] = {}
        parts: dict[tuple, list[int]] = defaultdict(list)
        for i in members:
            key = cells.key[i]
            rest = (cells.measure[i], _blank(key, positions))
            if key[first] == dimension.total:
                totals[rest] = i
            else:
                breakdown = key[first] if len(positions) > 1 else None
                parts[(rest, breakdown)].append(i)
        for (rest, breakdown), group in parts.items():
            whole = totals.get(rest)
            if whole is None:
                continue
            counts = table.measures[rest[0]].counts
            if counts == "events" or publication.partitions_persons(dimension.name, breakdown):
                rows.equal([whole], group, number)
            else:
                rows.union(whole, group, number)


@functools.cache
def covered_halves(period_type: str, year: int, first_year: int, last_year: int) -> tuple[int, ...]:
    """The window's half-years (0 = first half of `first_year`) a calendar or fiscal year holds."""
    if period_type == "CALENDAR_YEAR":
        halves = [(year, 1), (year, 2)]
    else:  # fiscal year N: 1 July N-1 to 30 June N
        halves = [(year - 1, 2), (year, 1)]
    return tuple(2 * (y - first_year) + h - 1 for y, h in halves if first_year <= y <= last_year)


def _half_year_base(values: list[float], covers: list[list[int]], n_halves: int, persons: bool):
    """Half-year values that satisfy the series' rows when its years hold their true counts.

    Events: the chain is solved from the window's start (its first fiscal year holds only the
    first half-year). Distinct persons: each half-year at the least of the years holding it,
    which meets every union bound whenever the true half-year counts do (they are at most that
    least, and a year is at most the sum of its true halves)."""
    base = [float("nan")] * n_halves
    if any(np.isnan(v) for v in values):
        return base
    if persons:
        for value, halves in zip(values, covers, strict=True):
            for half in halves:
                base[half] = value if np.isnan(base[half]) else min(base[half], value)
        return [0.0 if np.isnan(b) else b for b in base]
    by_last = {max(h): (value, h) for value, h in zip(values, covers, strict=True) if h}
    for half in range(n_halves):
        if half not in by_last:
            return [float("nan")] * n_halves
        value, halves = by_last[half]
        earlier = [base[h] for h in halves if h != half]
        base[half] = value - sum(earlier)
    return base


def _half_years(publication, cells, tables, rows, relation, number) -> None:
    dimension = publication.dimensions[relation["dimension"]]
    type_at, year_at = (POSITION[c] for c in dimension.columns)
    first_year, last_year = publication.years()
    n_halves = 2 * (last_year - first_year + 1)
    for table_name, members in tables.items():
        table = publication.tables[table_name]
        if dimension.name not in table.keys:
            continue
        series: dict[tuple, list[int]] = defaultdict(list)
        for i in members:
            series[(cells.measure[i], _blank(cells.key[i], (type_at, year_at)))].append(i)
        for (measure, _), group in series.items():
            persons = table.measures[measure].counts == "persons"
            covers = [
                covered_halves(
                    cells.key[i][type_at], int(cells.key[i][year_at]), first_year, last_year
                )
                for i in group
            ]
            values = [float(cells.value[i]) for i in group]
            base = rows.hidden(_half_year_base(values, covers, n_halves, persons))
            rows.series.append((group, covers, persons, base - rows.n_cells))
            for i, halves in zip(group, covers, strict=True):
                hidden = [base + half for half in halves]
                if persons:
                    rows.union(i, hidden, number)
                else:
                    rows.equal([i], hidden, number)


def _side_members(publication, cells, tables, side: dict[str, Any], by: str | None):
    """(measure name or None, cell) pairs of one side of a `sum` relation."""
    table = publication.tables[side["table"]]
    wanted = side.get("measures")
    for i in tables.get(side["table"], []):
        measure = cells.measure[i]
        if not _matches(cells.key[i], side.get("when")):
            continue
        if wanted is not None and measure not in wanted:
            continue
        if "measure_of" in side:
            group = table.measures[measure].outcome_group
            if group is None:
                continue
            yield group, i
        else:
            yield measure, i


def _sum(publication, cells, tables, rows, relation, number) -> None:
    parts_side, total_side = relation["parts"], relation["total"]
    by = parts_side.get("by")
    parts_keys = publication.tables[parts_side["table"]].keys
    total_keys = publication.tables[total_side["table"]].keys
    match = relation.get("match") or [d for d in parts_keys if d in total_keys and d != by]
    match_positions = [
        (POSITION[c], publication.dimensions[d].total)
        for d in match
        for c in publication.dimensions[d].columns
    ]
    pairwise = len(total_side.get("measures", [])) > 1
    by_at = POSITION[publication.dimensions[by].columns[0]] if by else None

    parts = list(_side_members(publication, cells, tables, parts_side, by))
    # a dimension whose total the parts' table does not publish (programs have no ALL agency)
    # is summed over: a part counts toward its own value and toward the total
    rolled = {
        position
        for position, total in match_positions
        if total is not None and not any(cells.key[i][position] == total for _, i in parts)
    }

    def rollups(key: tuple) -> list[tuple]:
        keys = [()]
        for position, total in match_positions:
            options = [key[position], total] if position in rolled else [key[position]]
            keys = [k + (option,) for k in keys for option in options]
        return keys

    sides: dict[tuple, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for measure, i in parts:
        label = cells.key[i][by_at] if by else (measure if pairwise else None)
        for key in rollups(cells.key[i]):
            sides[(key, label)][0].append(i)
    for label, i in _side_members(publication, cells, tables, total_side, by):
        label = label if (by or pairwise) else None
        key = tuple(cells.key[i][position] for position, _ in match_positions)
        if (key, label) in sides:
            sides[(key, label)][1].append(i)
    for parts, totals in sides.values():
        if parts and totals:
            rows.equal(totals, parts, number)


def _at_most(publication, cells, tables, rows, relation, number) -> None:
    smaller, larger = set(relation["smaller"]), set(relation["larger"])
    sides: dict[tuple, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for i in tables.get(relation["table"], []):
        measure = cells.measure[i]
        if measure in smaller:
            sides[cells.key[i]][0].append(i)
        if measure in larger:
            sides[cells.key[i]][1].append(i)
    for small, large in sides.values():
        if small and large:
            rows.at_most(small, large, number)


def _rate(publication, cells, tables, rows, relation, number) -> None:
    rate = publication.tables[relation["table"]].rates[relation["rate"]]
    half = 0.5 * 10 ** (-rate.decimals)
    for (table, key, name), value in cells.rates.items():
        if table != relation["table"] or name != rate.name or value is None:
            continue
        numerator = [cells.index[(table, m, key)] for m in rate.numerator]
        denominator = [cells.index[(table, m, key)] for m in rate.denominator]
        for low, high, bound in (
            (-INFINITY, 0.0, float(value) + half),
            (0.0, INFINITY, float(value) - half),
        ):
            terms: dict[int, float] = defaultdict(float)
            for i in numerator:
                terms[i] += 1.0
            for i in denominator:
                terms[i] -= bound
            rows.add(terms.items(), low, high, number)
