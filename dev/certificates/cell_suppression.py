"""Complementary cell suppression, certified cell by cell (DOMAIN.md §5).

The public marts publish one long table of counts (``int_published_counts``) tied by linear
relations: dimension values add up to their ALL row, agencies to the statewide row, categories
to the ALL category, calendar years to the same total as fiscal years, outcome groups to total
exits, exit reasons to their outcome group and an agency's programs to its calendar-year totals.
Counts from 1 to the threshold are suppressed (PRIMARY). An attacker who knows the relations,
the published counts and that a PRIMARY cell lies in 1..threshold (any cell is >= 0) may still
solve for a suppressed count. This module chooses the COMPLEMENTARY cells so that nobody can.

The proof is constructive: every small count gets a *certificate*, a set of integer changes
to the true table that keeps every relation, stays within every bound the flags reveal and
changes that count. The changed table explains the publication as well as the true one, so no
method (substitution, bounds, linear algebra, integer programming) can pin the count. Every
cell a certificate changes is withheld (COMPLEMENTARY). Certificates are built against the true
table only, so they never interfere with each other. ``assert_suppression_is_certified``
re-checks them in SQL against the relation groups; ``cts check-disclosure`` attacks the
exported files independently.

A certificate is a *closure*: an integer vector that every relation sums to zero. The
relations are sums along one axis of a dense cube (period, agency, category, demographic
value, and for exits the outcome tree), so a tensor product of one null vector per axis is a
closure: along the agency axis a pair of agencies with opposite signs, or an agency with its
statewide row; along the demographic axis two values of one dimension, or a value with the ALL
row and one value of every other dimension; and so on. For each small count the search tries
every combination of the best few vectors of each axis, and the demographic axis exactly (its
partners are chosen one dimension at a time), keeping the combination whose corners are all
feasible (no value outside the revealed bounds, no missing row, no zero unless allowed) and
that withholds the fewest and least aggregated published cells, preferring corners already
withheld or still unprotected. Program Summary rows are tied to the cube through their
agency's calendar-year totals; a closure that moves those totals moves one program of the
same agency and category.

Everything is deterministic: the same counts give the same certificates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

ALL = "ALL"
CALENDAR, FISCAL = "CALENDAR_YEAR", "FISCAL_YEAR"
OUTCOME_GROUPS = ("SUCCESSFUL", "UNSUCCESSFUL", "ADMINISTRATIVE", "UNKNOWN")
# Distinct persons add up only over a dimension a person keeps all period.
PERSON_DIMENSIONS = frozenset({"SEX", "RACE_ETHNICITY"})
PROGRAM_MEASURES = ("enrollment_events", "successful_exits", "unsuccessful_exits")
# Cube measure (outcome coordinate) each Program Summary measure is tied to.
PROGRAM_TIES = {
    "enrollment_events": ("EV", None),
    "successful_exits": ("OX", ("group", "SUCCESSFUL")),
    "unsuccessful_exits": ("OX", ("group", "UNSUCCESSFUL")),
}
VIOLATION = 1e6  # penalty of one infeasible corner: descent may cross infeasible states
COVER_BONUS = 0.4  # a corner that protects a still unprotected primary cell
BREADTHS = ((2, 2), (3, 5))  # up and alternating vectors per axis, widening on failure
BIG = np.int64(1) << 40
_THRESHOLD = [10]  # set by choose(): the value a PRIMARY cell cannot exceed

Option = tuple[tuple[int, ...], tuple[int, ...]]  # (coordinates, coefficients)


class SuppressionError(Exception):
    """The published counts do not have the shape the relations assume."""


# --- axes ------------------------------------------------------------------------------------


class Axis:
    """One axis of a cube and the null vectors of its relation, each with coefficient +1 at
    the seed coordinate ``x``: *up* vectors (all +1: the seed with its totals, or a total with
    one of its parts) and *alternating* ones (+1 at ``x``, -1 at a sibling)."""

    kind = "free"

    def __init__(self, name: str, labels: list[Any]) -> None:
        self.name = name
        self.labels = labels
        self.index = {label: number for number, label in enumerate(labels)}
        self.aggregate = np.zeros(len(labels), dtype=np.int64)  # 1 on total coordinates

    def __len__(self) -> int:
        return len(self.labels)

    def up(self, x: int, current: Option | None, line: np.ndarray, sign: int) -> list[Option]:
        return [((x,), (1,))]

    def alternating(self, x: int) -> list[Option]:
        return []


class StarAxis(Axis):
    """Coordinate 0 is the total (ALL) of all the others."""

    kind = "star"

    def __init__(self, name: str, labels: list[Any]) -> None:
        super().__init__(name, labels)
        self.aggregate[0] = 1

    def up(self, x: int, current: Option | None, line: np.ndarray, sign: int) -> list[Option]:
        if x == 0:
            return _ranked([((0, part), (1, 1)) for part in range(1, len(self))], line, sign)
        return [((x, 0), (1, 1))]

    def alternating(self, x: int) -> list[Option]:
        if x == 0:
            return []
        return [((x, other), (1, -1)) for other in range(1, len(self)) if other != x]


class PeriodAxis(Axis):
    """Calendar and fiscal years: both cover the window, so their sums are equal. An up vector
    (a calendar with a fiscal year) moves the calendar-year sum the Program Summary is tied
    to; an alternating one (two years of one kind) does not."""

    kind = "period"

    def __init__(self, name: str, labels: list[Any]) -> None:
        super().__init__(name, labels)
        self.calendar = [n for n, (kind, _year) in enumerate(labels) if kind == CALENDAR]
        self.fiscal = [n for n, (kind, _year) in enumerate(labels) if kind == FISCAL]
        self.is_calendar = np.zeros(len(labels), dtype=bool)
        self.is_calendar[self.calendar] = True

    def _sides(self, x: int) -> tuple[list[int], list[int]]:
        if self.is_calendar[x]:
            return self.calendar, self.fiscal
        return self.fiscal, self.calendar

    def up(self, x: int, current: Option | None, line: np.ndarray, sign: int) -> list[Option]:
        _same, other = self._sides(x)
        return _ranked([((x, y), (1, 1)) for y in other], line, sign)

    def alternating(self, x: int) -> list[Option]:
        same, _other = self._sides(x)
        return [((x, y), (1, -1)) for y in same if y != x]


class DimensionAxis(Axis):
    """The ALL row and the values of each demographic dimension; the values of a constrained
    dimension add up to the ALL row, those of another dimension are tied to nothing."""

    kind = "dimension"

    def __init__(self, name: str, labels: list[Any], constrained: frozenset[str] | None) -> None:
        super().__init__(name, labels)
        self.all = self.index[(ALL, ALL)]
        self.aggregate[self.all] = 1
        self.dimension_of = [dimension for dimension, _value in labels]
        dimensions = sorted({d for d in self.dimension_of if d != ALL})
        if constrained is not None:
            dimensions = [d for d in dimensions if d in constrained]
        self.values = {
            d: [n for n, (dimension, _v) in enumerate(labels) if dimension == d] for d in dimensions
        }

    def free(self, x: int) -> bool:
        return x != self.all and self.dimension_of[x] not in self.values

    def up(self, x: int, current: Option | None, line: np.ndarray, sign: int) -> list[Option]:
        """The seed with the ALL row and one value of every other constrained dimension: the
        current partners, then each partner changed in turn."""
        if self.free(x):
            return [((x,), (1,))]
        own = self.dimension_of[x]
        anchor = (x,) if x == self.all else (x, self.all)
        partners: dict[str, int] = {}
        if current is not None and len(current[0]) > 2:
            for coordinate in current[0][len(anchor) :]:
                partners[self.dimension_of[coordinate]] = coordinate
        for d, values in self.values.items():
            if d != own and d not in partners:
                partners[d] = _ranked([((v,), (1,)) for v in values], line, sign)[0][0][0]

        def option(chosen: dict[str, int]) -> Option:
            coordinates = (*anchor, *chosen.values())
            return coordinates, (1,) * len(coordinates)

        options = [option(partners)]
        for d, values in self.values.items():
            if d != own:
                options += [option({**partners, d: v}) for v in values if v != partners[d]]
        return options

    def alternating(self, x: int) -> list[Option]:
        if self.free(x) or x == self.all:
            return []
        return [((x, v), (1, -1)) for v in self.values[self.dimension_of[x]] if v != x]


class OutcomeAxis(Axis):
    """Total exits, the four outcome groups and the exit reasons of each group."""

    kind = "outcome"

    def __init__(self, name: str, labels: list[Any]) -> None:
        super().__init__(name, labels)
        self.total = self.index[("total",)]
        self.aggregate[self.total] = 1
        self.group = {g: self.index[("group", g)] for g in OUTCOME_GROUPS}
        self.reasons = {
            g: [n for n, label in enumerate(labels) if label[0] == "reason" and label[1] == g]
            for g in OUTCOME_GROUPS
        }
        self.group_of: dict[int, str] = {}
        for g in OUTCOME_GROUPS:
            self.group_of[self.group[g]] = g
            for r in self.reasons[g]:
                self.group_of[r] = g

    def _pairs(self, skip: str | None) -> list[tuple[int, int]]:
        return [(self.group[g], r) for g in OUTCOME_GROUPS if g != skip for r in self.reasons[g]]

    def up(self, x: int, current: Option | None, line: np.ndarray, sign: int) -> list[Option]:
        if x == self.total:
            options = [((x, group, r), (1, 1, 1)) for group, r in self._pairs(None)]
        else:
            g = self.group_of[x]
            if x == self.group[g]:
                options = [((x, self.total, r), (1, 1, 1)) for r in self.reasons[g]]
            else:
                options = [((x, self.group[g], self.total), (1, 1, 1))]
        return _ranked(options, line, sign)

    def alternating(self, x: int) -> list[Option]:
        if x == self.total:
            return []
        g = self.group_of[x]
        if x == self.group[g]:
            return [
                ((x, r, group, other), (1, 1, -1, -1))
                for r in self.reasons[g]
                for group, other in self._pairs(g)
            ]
        options = [((x, r), (1, -1)) for r in self.reasons[g] if r != x]
        options += [
            ((x, self.group[g], group, other), (1, 1, -1, -1)) for group, other in self._pairs(g)
        ]
        return options


def _ranked(options: list[Option], line: np.ndarray, sign: int) -> list[Option]:
    """Options ordered by how well their partner cells on the seed's line take a change of
    ``sign``: non-zero and away from the bound first, then larger counts (stable)."""

    def key(option: Option) -> tuple[int, int]:
        values = [int(line[c]) for c in option[0][1:]] or [int(line[option[0][0]])]
        low = min(values)
        if sign > 0:
            fits = all(v >= 1 and v != _THRESHOLD[0] for v in values)
        else:
            fits = all(v >= 2 for v in values)
        return (0 if fits else 1, -low)

    return sorted(options, key=key)


# --- cubes -----------------------------------------------------------------------------------


@dataclass
class Cube:
    """Dense counts over the product of some axes; cells not published are ``exists`` False."""

    name: str
    axes: list[Axis]
    true: np.ndarray
    exists: np.ndarray
    cell_number: np.ndarray  # -1 where no cell
    threshold: int
    primary: np.ndarray = field(init=False)
    suppressed: np.ndarray = field(init=False)  # withheld: primary or in a certificate
    covered: np.ndarray = field(init=False)  # changed by some certificate
    low: np.ndarray = field(init=False)
    high: np.ndarray = field(init=False)
    weight: np.ndarray = field(init=False)
    strides: list[int] = field(init=False)

    def __post_init__(self) -> None:
        shape = tuple(len(axis) for axis in self.axes)
        self.true = self.true.reshape(-1)
        self.exists = self.exists.reshape(-1)
        self.cell_number = self.cell_number.reshape(-1)
        self.primary = self.exists & (self.true >= 1) & (self.true <= self.threshold)
        self.suppressed = self.primary.copy()
        self.covered = np.zeros_like(self.primary)
        self.low = np.where(self.primary, 1, 0).astype(np.int64)
        self.high = np.where(self.primary, self.threshold, BIG).astype(np.int64)
        strides = []
        step = 1
        for size in reversed(shape):
            strides.append(step)
            step *= size
        self.strides = list(reversed(strides))
        # The more aggregated a cell, the dearer its suppression.
        level = np.zeros(shape, dtype=np.float64)
        for number, axis in enumerate(self.axes):
            index = [np.newaxis] * len(shape)
            index[number] = slice(None)
            level = level + axis.aggregate[tuple(index)]
        self.weight = (1.0 + level).reshape(-1)

    def coordinates(self, flat: int) -> list[int]:
        return [
            (flat // stride) % len(axis)
            for stride, axis in zip(self.strides, self.axes, strict=False)
        ]

    def line(self, coordinates: list[int], axis: int, values: np.ndarray) -> np.ndarray:
        """``values`` along ``axis`` through the cell at ``coordinates``."""
        base = (
            sum(c * s for c, s in zip(coordinates, self.strides, strict=False))
            - coordinates[axis] * (self.strides[axis])
        )
        return values[base + np.arange(len(self.axes[axis])) * self.strides[axis]]


@dataclass
class Programs:
    """Program Summary counts tied to a cube's agency calendar-year totals (one measure)."""

    measure: str
    true: np.ndarray
    cell_number: np.ndarray
    agency: np.ndarray  # index on the cube's agency axis
    category: np.ndarray  # index on the cube's category axis (never ALL)
    threshold: int
    primary: np.ndarray = field(init=False)
    suppressed: np.ndarray = field(init=False)
    covered: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.primary = (self.true >= 1) & (self.true <= self.threshold)
        self.suppressed = self.primary.copy()
        self.covered = np.zeros_like(self.primary)

    def feasible(self, number: int, change: int, allow_zero: bool) -> bool:
        value = self.true[number] + change
        if self.true[number] == 0 and not allow_zero:
            return False
        if self.primary[number]:
            return 1 <= value <= self.threshold
        return value >= 0


# --- the search ------------------------------------------------------------------------------


class Search:
    def __init__(self, cube: Cube, programs: dict[str, Programs], ties: dict) -> None:
        self.cube = cube
        self.programs = programs  # program measure -> Programs tied to this cube
        self.ties = ties  # program measure -> outcome coordinate (or None) on this cube
        self.allow_zero = False
        self.breadth = (2, 2)  # best up and alternating vectors tried per axis
        self.certificates: list[tuple[np.ndarray, np.ndarray]] = []  # (cell numbers, changes)
        axes = cube.axes
        self.period = next((n for n, a in enumerate(axes) if a.kind == "period"), None)
        self.agency = next((n for n, a in enumerate(axes) if a.name == "agency"), None)
        self.category = next((n for n, a in enumerate(axes) if a.name == "category"), None)
        self.dimension = next((n for n, a in enumerate(axes) if a.kind == "dimension"), None)
        self.outcome = next((n for n, a in enumerate(axes) if a.kind == "outcome"), None)

    # scoring ---------------------------------------------------------------------------------

    def _corners(self, options: list[Option]) -> tuple[np.ndarray, np.ndarray]:
        """Flat indices and changes of the tensor product of one option per axis."""
        flat = np.zeros(1, dtype=np.int64)
        change = np.ones(1, dtype=np.int64)
        for (coordinates, coefficients), stride in zip(options, self.cube.strides, strict=False):
            flat = (flat[:, None] + np.asarray(coordinates) * stride).reshape(-1)
            change = (change[:, None] * np.asarray(coefficients)).reshape(-1)
        return flat, change

    def _candidates(self, axis_number: int, x: int, line: np.ndarray, mode: str, sign: int):
        axis = self.cube.axes[axis_number]
        period = axis.kind == "period"
        ups = [] if (period and mode == "same") else axis.up(x, None, line, sign)
        alts = [] if (period and mode == "cross") else axis.alternating(x)
        return (
            _ranked(ups, line, sign)[: self.breadth[0]]
            + _ranked(alts, line, sign)[: self.breadth[1]]
        )

    def close(self, seed: int, mode: str, sign: int) -> tuple[list[Option], float]:
        """The cheapest closure through ``seed`` with change ``sign`` there, searched over
        every combination of the best few null vectors of each axis, and exactly over the
        demographic axis (whose partners can be chosen one dimension at a time)."""
        cube = self.cube
        coordinates = cube.coordinates(seed)
        current = cube.true
        v_axis = self.dimension
        dimension = cube.axes[v_axis]
        lists = {}
        for number in range(len(cube.axes)):
            if number != v_axis:
                line = cube.line(coordinates, number, current)
                lists[number] = self._candidates(number, coordinates[number], line, mode, sign)
                if not lists[number]:
                    return [], float("inf")
        # product of the other axes' options: flat offsets and changes, one row per combination
        others = [n for n in range(len(cube.axes)) if n != v_axis]
        flat = np.zeros((1, 1), dtype=np.int64)
        change = np.full((1, 1), sign, dtype=np.int64)
        for number in others:
            options = lists[number]
            width = max(len(o[0]) for o in options)
            coords = np.zeros((len(options), width), dtype=np.int64)
            coefs = np.zeros((len(options), width), dtype=np.int64)
            for row, (c, e) in enumerate(options):
                coords[row, : len(c)] = c
                coefs[row, : len(e)] = e
            stride = cube.strides[number]
            flat = (flat[:, None, :, None] + coords[None, :, None, :] * stride).reshape(
                flat.shape[0] * len(options), -1
            )
            change = (change[:, None, :, None] * coefs[None, :, None, :]).reshape(
                change.shape[0] * len(options), -1
            )
        size = len(dimension)
        corner = flat[:, :, None] + np.arange(size)[None, None, :] * cube.strides[v_axis]
        plus = self._slice_scores(corner, change[:, :, None])  # (combinations, values)
        minus = self._slice_scores(corner, -change[:, :, None])
        x = coordinates[v_axis]
        best_scores = [plus[:, x]]
        builders = [lambda row: ((x,), (1,))]
        if not dimension.free(x):
            own = dimension.dimension_of[x]
            if x != dimension.all:
                siblings = [v for v in dimension.values[own] if v != x]
                if siblings:
                    alt = plus[:, x][:, None] + minus[:, siblings]
                    pick = np.argmin(alt, axis=1)
                    best_scores[0] = alt[np.arange(alt.shape[0]), pick]
                    builders[0] = lambda row, pick=pick, siblings=siblings: (
                        (x, siblings[pick[row]]),
                        (1, -1),
                    )
            up = plus[:, x].copy()
            anchor = (x,) if x == dimension.all else (x, dimension.all)
            if x != dimension.all:
                up = up + plus[:, dimension.all]
            chosen = {}
            for d, values in dimension.values.items():
                if d == own:
                    continue
                pick = np.argmin(plus[:, values], axis=1)
                up = (
                    up
                    + plus[np.arange(plus.shape[0])[:, None], np.asarray(values)[pick][:, None]][
                        :, 0
                    ]
                )
                chosen[d] = np.asarray(values)[pick]
            best_scores.append(up)

            def build_up(row, chosen=chosen, anchor=anchor):
                coords = (*anchor, *(int(v[row]) for v in chosen.values()))
                return coords, (1,) * len(coords)

            builders.append(build_up)
        table = np.stack(best_scores, axis=1)  # (combinations, kinds)
        row, kind = np.unravel_index(int(np.argmin(table)), table.shape)
        score = float(table[row, kind])
        options: list[Option] = [None] * len(cube.axes)  # type: ignore[list-item]
        remainder = int(row)
        for number in reversed(others):
            count = len(lists[number])
            options[number] = lists[number][remainder % count]
            remainder //= count
        options[v_axis] = builders[kind](int(row))
        return options, score

    def _slice_scores(self, flat: np.ndarray, change: np.ndarray) -> np.ndarray:
        """Scores summed over the corner axis (1) of ``flat``/``change`` (0 = no corner)."""
        cube = self.cube
        change = np.broadcast_to(change, flat.shape)
        active = change != 0
        true = cube.true[flat]
        value = true + change
        primary = cube.primary[flat]
        bad = ~cube.exists[flat] | (value < cube.low[flat]) | (value > cube.high[flat])
        if not self.allow_zero:
            bad |= true == 0
        score = np.where(active & bad, VIOLATION, 0.0)
        score += np.where(active & ~cube.suppressed[flat], cube.weight[flat], 0.0)
        score -= COVER_BONUS * (active & primary & ~cube.covered[flat])
        return score.sum(axis=1)

    def program_changes(
        self, flat: np.ndarray, change: np.ndarray, prefer: tuple[str, int] | None
    ) -> list[tuple[str, int, int]] | None:
        """Program Summary changes that keep the programs adding up to the agency's
        calendar-year totals after the cube changes ``change`` at ``flat``; None if none fit."""
        if not self.programs or self.period is None:
            return []
        cube = self.cube
        period_axis = cube.axes[self.period]
        coordinates = np.stack(
            [
                (flat // stride) % len(axis)
                for stride, axis in zip(cube.strides, cube.axes, strict=False)
            ]
        )
        tied = period_axis.is_calendar[coordinates[self.period]]
        tied &= coordinates[self.agency] != 0
        tied &= coordinates[self.dimension] == cube.axes[self.dimension].all
        tied &= coordinates[self.category] != 0
        result: list[tuple[str, int, int]] = []
        for measure, programs in self.programs.items():
            coordinate = self.ties[measure]
            mask = tied
            if coordinate is not None:
                mask = mask & (coordinates[self.outcome] == coordinate)
            if not mask.any():
                continue
            needs: dict[tuple[int, int], int] = {}
            for a, c, delta in zip(
                coordinates[self.agency][mask].tolist(),
                coordinates[self.category][mask].tolist(),
                change[mask].tolist(),
                strict=False,
            ):
                needs[(a, c)] = needs.get((a, c), 0) + delta
            for (a, c), delta in sorted(needs.items()):
                if delta == 0:
                    continue
                choice = self._pick_program(programs, a, c, delta, prefer, measure)
                if choice is None:
                    return None
                result.append((measure, choice, delta))
        return result

    def _pick_program(
        self, programs: Programs, a: int, c: int, delta: int, prefer, measure: str
    ) -> int | None:
        members = np.flatnonzero((programs.agency == a) & (programs.category == c))
        if (
            prefer is not None
            and prefer[0] == measure
            and prefer[1] in members
            and programs.feasible(prefer[1], delta, self.allow_zero)
        ):
            return prefer[1]
        best, best_key = None, None
        for number in members.tolist():
            if not programs.feasible(number, delta, self.allow_zero):
                continue
            key = (
                0
                if (programs.primary[number] and not programs.covered[number])
                else 1
                if programs.suppressed[number]
                else 2,
                int(programs.true[number]),
                number,
            )
            if best_key is None or key < best_key:
                best, best_key = number, key
        return best

    def apply(self, seed: int, prefer=None) -> bool:
        """Find and add a feasible closure through ``seed``; False if none was found. With
        ``prefer`` (a Program Summary cell), the closure must move that program."""
        cube = self.cube
        signs = [1, -1] if cube.true[seed] < cube.high[seed] else [-1, 1]
        modes = ["cross"] if prefer is not None else ["any", "same"]
        attempts = [(b, m, s) for b in BREADTHS for s in signs for m in modes]
        for breadth, mode, sign in attempts:
            self.breadth = breadth
            if True:
                options, score = self.close(seed, mode, sign)
                if not options or score >= VIOLATION / 2:
                    continue
                flat, change = self._corners(options)
                change = sign * change
                programs = self.program_changes(flat, change, prefer)
                if programs is None:
                    continue
                if prefer is not None and not any((m, n) == prefer for m, n, _d in programs):
                    continue
                cube.suppressed[flat] = True
                cube.covered[flat] = True
                cells = [cube.cell_number[flat]]
                changes = [change]
                for measure, number, delta in programs:
                    table = self.programs[measure]
                    table.suppressed[number] = table.covered[number] = True
                    cells.append(table.cell_number[[number]])
                    changes.append(np.asarray([delta]))
                self.certificates.append((np.concatenate(cells), np.concatenate(changes)))
                return True
        return False


# --- building the cubes from the published counts --------------------------------------------


def _axis_labels(values: list[Any], total: Any) -> list[Any]:
    return [total] + sorted({v for v in values if v != total})


def _build(columns: dict[str, np.ndarray], threshold: int) -> tuple[dict, dict]:
    mart = columns["mart"].astype(str)
    measure = columns["measure"].astype(str)
    n = len(mart)
    get = {name: columns[name].tolist() for name in columns}
    periods = sorted(
        {
            (get["period_type"][i], int(get["period_year"][i]))
            for i in range(n)
            if get["period_type"][i] is not None
        }
    )
    agencies = _axis_labels([a for a in get["agency_code"] if a is not None], ALL)
    categories = _axis_labels([c for c in get["category_code"] if c is not None], ALL)
    dimensions = sorted(
        {
            (get["dimension"][i], get["dimension_value"][i])
            for i in range(n)
            if get["dimension"][i] is not None
        },
        key=lambda pair: (pair[0] != ALL, pair),
    )
    reasons = sorted(
        {
            (get["outcome_group"][i], get["exit_reason_code"][i])
            for i in range(n)
            if mart[i] == "rpt_program_exits"
        }
    )
    unknown_groups = {g for g, _r in reasons} - set(OUTCOME_GROUPS)
    if unknown_groups:
        raise SuppressionError(f"unknown outcome groups {sorted(unknown_groups)}")
    outcome_labels = [("total",)] + [("group", g) for g in OUTCOME_GROUPS]
    outcome_labels += [("reason", g, r) for g, r in reasons]
    outcome_of_measure = {"total_exits": ("total",)}
    outcome_of_measure.update({f"{g.lower()}_exits": ("group", g) for g in OUTCOME_GROUPS})

    def axes(kind: str) -> list[Axis]:
        period = PeriodAxis("period", periods)
        agency = StarAxis("agency", agencies)
        category = StarAxis("category", categories)
        constrained = PERSON_DIMENSIONS if kind.endswith("persons") else None
        dimension = DimensionAxis("dimension", dimensions, constrained)
        if kind == "events":
            return [period, agency, category, dimension]
        if kind == "exits":
            return [OutcomeAxis("outcome", outcome_labels), period, agency, category, dimension]
        if kind == "enrollment persons":
            free = [Axis(a.name, a.labels) for a in (period, agency, category)]
            return [*free, dimension]
        reason_labels = [("reason", g, r) for g, r in reasons]
        free = [Axis(a.name, a.labels) for a in (period, agency, category)]
        return [Axis("outcome", reason_labels), *free, dimension]

    layout = {
        "EV": (
            "events",
            lambda i: mart[i] == "rpt_program_enrollments" and measure[i] == "enrollment_events",
        ),
        "EP": (
            "enrollment persons",
            lambda i: mart[i] == "rpt_program_enrollments" and measure[i] == "distinct_persons",
        ),
        "OX": (
            "exits",
            lambda i: (
                mart[i] == "rpt_program_outcomes"
                or (mart[i] == "rpt_program_exits" and measure[i] == "exits")
            ),
        ),
        "XP": (
            "exit persons",
            lambda i: mart[i] == "rpt_program_exits" and measure[i] == "distinct_persons",
        ),
    }
    members: dict[str, list[int]] = {name: [] for name in layout}
    for i in range(n):
        for name, (_kind, test) in layout.items():
            if test(i):
                members[name].append(i)
                break
    cubes: dict[str, Cube] = {}
    for name, (kind, _test) in layout.items():
        cube_axes = axes(kind)
        shape = tuple(len(a) for a in cube_axes)
        true = np.zeros(shape, dtype=np.int64)
        exists = np.zeros(shape, dtype=bool)
        cell_number = np.full(shape, -1, dtype=np.int64)
        for i in members[name]:
            key = []
            for axis in cube_axes:
                if axis.name == "period":
                    key.append(axis.index[(get["period_type"][i], int(get["period_year"][i]))])
                elif axis.name == "agency":
                    key.append(axis.index[get["agency_code"][i]])
                elif axis.name == "category":
                    key.append(axis.index[get["category_code"][i]])
                elif axis.name == "dimension":
                    key.append(axis.index[(get["dimension"][i], get["dimension_value"][i])])
                elif mart[i] == "rpt_program_outcomes":
                    key.append(axis.index[outcome_of_measure[measure[i]]])
                else:
                    key.append(
                        axis.index[("reason", get["outcome_group"][i], get["exit_reason_code"][i])]
                    )
            position = tuple(key)
            if exists[position]:
                raise SuppressionError(f"two counts for one cell ({name} {position})")
            true[position] = get["true_value"][i]
            exists[position] = True
            cell_number[position] = get["cell_number"][i]
        if kind in ("events", "enrollment persons") and not exists.all():
            raise SuppressionError(f"{name}: the dense mart lacks {int((~exists).sum())} cells")
        cubes[name] = Cube(name, cube_axes, true, exists, cell_number, threshold)

    programs: dict[str, Programs] = {}
    free_programs = []
    agency_axis, category_axis = cubes["EV"].axes[1], cubes["EV"].axes[2]
    for program_measure in (*PROGRAM_MEASURES, "distinct_persons"):
        rows = [i for i in range(n) if mart[i] == "dim_programs" and measure[i] == program_measure]
        true = np.asarray([get["true_value"][i] for i in rows], dtype=np.int64)
        numbers = np.asarray([get["cell_number"][i] for i in rows], dtype=np.int64)
        if program_measure == "distinct_persons":
            free_programs.append((true, numbers))
            continue
        programs[program_measure] = Programs(
            program_measure,
            true,
            numbers,
            np.asarray([agency_axis.index[get["agency_code"][i]] for i in rows], dtype=np.int64),
            np.asarray(
                [category_axis.index[get["category_code"][i]] for i in rows], dtype=np.int64
            ),
            threshold,
        )
    return cubes, {"programs": programs, "free": free_programs}


# --- the whole choice ------------------------------------------------------------------------


def choose(columns: dict[str, np.ndarray], threshold: int) -> dict[str, Any]:
    """Certificates of non-disclosure for every small count of the published tables.

    ``columns``: arrays ``cell_number, mart, measure, period_type, period_year, agency_code,
    category_code, dimension, dimension_value, outcome_group, exit_reason_code, true_value``
    (one row per count, as in ``int_published_counts``). Returns ``certificate``,
    ``cell_number`` and ``change`` arrays (one row per cell a certificate changes: adding the
    changes of one certificate to the true counts gives another table that obeys every
    relation and every bound the flags reveal) and ``stats``. A cell is suppressed when it is
    small (PRIMARY) or changed by a certificate (COMPLEMENTARY); every small cell is changed
    by at least one certificate unless ``stats['unprotected']`` says otherwise.
    """
    _THRESHOLD[0] = threshold
    cubes, extra = _build(columns, threshold)
    programs: dict[str, Programs] = extra["programs"]
    searches = {}
    for name, cube in cubes.items():
        tied = {m: p for m, p in programs.items() if PROGRAM_TIES[m][0] == name}
        ties = {}
        for m in tied:
            outcome = PROGRAM_TIES[m][1]
            ties[m] = None if outcome is None else cube.axes[0].index[outcome]
        searches[name] = Search(cube, tied, ties)
    certificates: list[tuple[np.ndarray, np.ndarray]] = []
    for search in searches.values():
        if search.outcome is None and search.period is None:
            certificates += _lone_cells(search.cube, search.dimension)
    for allow_zero in (False, True):
        for search in searches.values():
            search.allow_zero = allow_zero
            cube = search.cube
            for seed in np.flatnonzero(cube.primary & ~cube.covered).tolist():
                if not cube.covered[seed]:
                    search.apply(seed)
        for measure, table in programs.items():
            search = searches[PROGRAM_TIES[measure][0]]
            search.allow_zero = allow_zero
            for number in np.flatnonzero(table.primary & ~table.covered).tolist():
                _protect_program(search, table, number)
    for search in searches.values():
        certificates += search.certificates
    for true, cell_number in extra["free"]:  # distinct persons of a program: tied to nothing
        small = (true >= 1) & (true <= threshold)
        for number, value in zip(cell_number[small].tolist(), true[small].tolist(), strict=False):
            certificates.append(
                (np.asarray([number]), np.asarray([1 if value < threshold else -1]))
            )
    unprotected = sum(int((c.primary & ~c.covered).sum()) for c in cubes.values())
    unprotected += sum(int((t.primary & ~t.covered).sum()) for t in programs.values())
    sizes = np.asarray([len(cells) for cells, _ in certificates], dtype=np.int64)
    stats = {
        "certificates": len(certificates),
        "largest_certificate": int(sizes.max()) if sizes.size else 0,
        "unprotected": unprotected,
        "zero_cells_withheld": int(
            sum(int((c.suppressed & (c.true == 0)).sum()) for c in cubes.values())
        ),
    }
    if not certificates:
        empty = np.zeros(0, dtype=np.int64)
        return {"certificate": empty, "cell_number": empty, "change": empty, "stats": stats}
    return {
        "certificate": np.repeat(np.arange(1, len(certificates) + 1, dtype=np.int64), sizes),
        "cell_number": np.concatenate([cells for cells, _ in certificates]).astype(np.int64),
        "change": np.concatenate([changes for _, changes in certificates]).astype(np.int64),
        "stats": stats,
    }


def _lone_cells(cube: Cube, dimension_axis: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Distinct persons under a dimension a person can change within a period (age group,
    custody status) are tied to nothing: each small one is its own certificate."""
    axis = cube.axes[dimension_axis]
    free = np.asarray([axis.free(v) for v in range(len(axis))])
    coordinate = (np.arange(cube.true.size) // cube.strides[dimension_axis]) % len(axis)
    lone = np.flatnonzero(cube.primary & free[coordinate])
    cube.covered[lone] = True
    changes = np.where(cube.true[lone] < cube.threshold, 1, -1)
    return [
        (cube.cell_number[[cell]], np.asarray([change]))
        for cell, change in zip(lone.tolist(), changes.tolist(), strict=False)
    ]


def _protect_program(search: Search, table: Programs, number: int) -> bool:
    """A small Program Summary count: one unit moved to a sibling program of the same agency
    and category, else through the agency's calendar-year totals (a closure in the cube)."""
    same = np.flatnonzero(
        (table.agency == table.agency[number]) & (table.category == table.category[number])
    )
    sign = 1 if table.true[number] < table.threshold else -1
    best, best_key = None, None
    for other in same.tolist():
        if other == number:
            continue
        for s in (sign, -sign):
            if not (
                table.feasible(number, s, search.allow_zero)
                and table.feasible(other, -s, search.allow_zero)
            ):
                continue
            key = (0 if table.suppressed[other] else 1, int(table.true[other]), other)
            if best_key is None or key < best_key:
                best, best_key = (other, s), key
    if best is not None:
        other, s = best
        table.suppressed[[number, other]] = True
        table.covered[[number, other]] = True
        search.certificates.append(
            (table.cell_number[[number, other]], np.asarray([s, -s], dtype=np.int64))
        )
        return True
    cube = search.cube
    coordinate = search.ties[table.measure]
    agency, category = int(table.agency[number]), int(table.category[number])
    period_axis = cube.axes[search.period]
    dimension_all = cube.axes[search.dimension].all
    for year in period_axis.calendar:
        key = [0] * len(cube.axes)
        key[search.period] = year
        key[search.agency] = agency
        key[search.category] = category
        key[search.dimension] = dimension_all
        if search.outcome is not None:
            key[search.outcome] = coordinate
        seed = sum(k * s for k, s in zip(key, cube.strides, strict=False))
        if cube.true[seed] == 0 and not search.allow_zero:
            continue
        if search.apply(seed, prefer=(table.measure, number)):
            return True
    return False
