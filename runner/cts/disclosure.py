"""Disclosure check of a public export: can a suppressed count be recovered? (DOMAIN.md §5)

Reads ``<workdir>/public/*.parquet`` and plays the attacker: every suppressed count (null, with
a ``<column>_suppression`` flag) is an unknown, and every linear relation the published tables
obey is an equation among published and suppressed counts:

========  =====================================================================================
R1        dimension values add up to the row of dimension ALL (distinct persons too, for the
          dimensions a person keeps all period: sex, race/ethnicity)
R2        agencies add up to the statewide (ALL) row (events and exits)
R3        categories, OTHER included, add up to the ALL category row (events and exits)
R4        calendar years add up to what the fiscal years add up to (both cover the window)
R5        successful + unsuccessful + administrative + unknown exits = total exits
R6        exits by reason add up to their outcome group's exits in Program Outcomes
          (Program Exits lists every reason; a missing row would be a zero)
R7        an agency's programs (per agency and per agency and category) add up to the
          agency's calendar-year enrollments and successful/unsuccessful exits
R8        a published rate (rounded to 4 decimals) ties its numerator to its denominator
I1        distinct persons are at most the events (or exits) they are counted from
I2        a program's successful + unsuccessful exits are at most its enrollments
I3        distinct persons of a part (agency, category, age group, custody status) are at most
          its ALL row's, and the ALL row's at most the parts' sum (a person can be in two)
I4        a fiscal year's count is at most the two calendar years' it overlaps, a calendar
          year's at most the two fiscal years' (every count; a year outside the window is 0)
========  =====================================================================================

The inequalities I1..I4 hold by the definitions of the counts; each becomes an equation with a
slack unknown (at least 0) that is never reported. A test checks that every relation holds on
the true counts of the tiny build.

A suppressed count is *recovered* when the relations, the published counts and the published
flags leave it one possible value. The attacker knows the rules: zeros are never withheld, so
every suppressed count is at least 1, and a PRIMARY count is at most the threshold. A
COMPLEMENTARY count is any count from 1 up: it protects another count and may itself be small
(the audit flags a small count COMPLEMENTARY where PRIMARY flags would pin a small total).
Methods, cheapest first: substitution (an equation with one unknown), rate intervals (a rate
with one unknown part), bound propagation (e.g. two PRIMARY cells adding up to 2) and, for
what is left, a rank test per connected component of unknowns: x_i is fixed by A·x = b iff
e_i lies in the row space of A, i.e. iff every null-space vector of A is zero at i. Components
above ``dense_limit`` unknowns get a randomized null-space test (conjugate gradients on
A·Aᵀ); components where that does not converge are reported as untested, never passed.

Also checked: no published count lies in 1..threshold, and no rate is published when a part is
suppressed or its denominator is at most the threshold.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from cts.publication.declaration import KEY_COLUMNS

DEFAULT_THRESHOLD = 10
DEFAULT_DENSE_LIMIT = 1500
CELL_KEY = KEY_COLUMNS[:6]  # period, agency, category, dimension and its value
# where each of them is in a cell's key
PERIOD_TYPE, PERIOD_YEAR, AGENCY, CATEGORY, DIMENSION, VALUE = range(len(CELL_KEY))
# Distinct persons add up over the values of a dimension only when a person has one value for
# the whole period: sex and race/ethnicity. Age group and custody status can change within a
# year, so a person may count under two values (their sum is then at least the ALL row).
PERSON_CONSTANT_DIMENSIONS = frozenset({"SEX", "RACE_ETHNICITY"})
OUTCOME_GROUPS = ("SUCCESSFUL", "UNSUCCESSFUL", "ADMINISTRATIVE", "UNKNOWN")
OUTCOME_COLUMNS = tuple(f"{group.lower()}_exits" for group in OUTCOME_GROUPS)

# table -> (key columns, count columns, sparse: a missing row is a zero)
TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...], bool]] = {
    "rpt_program_enrollments": (CELL_KEY, ("enrollment_events", "distinct_persons"), False),
    "rpt_program_outcomes": (CELL_KEY, (*OUTCOME_COLUMNS, "total_exits"), False),
    "rpt_program_exits": (
        (*CELL_KEY, "outcome_group", "exit_reason_code"),
        ("exits", "distinct_persons"),
        True,
    ),
    "dim_programs": (
        ("agency_code", "agency_program_code"),
        ("enrollment_events", "distinct_persons", "successful_exits", "unsuccessful_exits"),
        False,
    ),
}
RATES = {  # rate column -> (numerator columns, denominator columns, parts that must be shown)
    "completion_rate": (
        ("successful_exits",),
        ("successful_exits", "unsuccessful_exits"),
        ("successful_exits", "unsuccessful_exits"),
    ),
    "completions_over_all_exits": (
        ("successful_exits",),
        ("total_exits",),
        OUTCOME_COLUMNS,
    ),
}
RELATIONS = {
    "R1_dimension": "dimension values add up to the dimension ALL row",
    "R2_agency": "agencies add up to the statewide (ALL) row",
    "R3_category": "categories add up to the ALL category row",
    "R4_period": "calendar years add up to the same as fiscal years",
    "R5_outcome_row": "outcome groups add up to total exits",
    "R6_exit_reasons": "exit reasons add up to their outcome group",
    "R7_programs": "an agency's programs add up to its calendar-year totals",
    "R8_rates": "published rates tie numerator to denominator",
    "I1_persons": "distinct persons are at most the events or exits they are counted from",
    "I2_program_exits": "a program's successful and unsuccessful exits are at most its enrollments",
    "I3_persons_overlap": "distinct persons of a part are at most its ALL row's, which are at"
    " most the parts' sum (agencies, categories, age group, custody status)",
    "I4_period_overlap": "a fiscal year's count is at most the two calendar years' it overlaps,"
    " and a calendar year's at most the two fiscal years'",
}
# I4: a period type -> the other type and the years of it that overlap year Y (Y + shift)
OVERLAPS = {"FISCAL_YEAR": ("CALENDAR_YEAR", (-1, 0)), "CALENDAR_YEAR": ("FISCAL_YEAR", (0, 1))}
# distinct persons beside the count they are counted from (I1)
PERSONS_OF = {
    "rpt_program_enrollments": "enrollment_events",
    "rpt_program_exits": "exits",
    "dim_programs": "enrollment_events",
}
RATE_HALF_WIDTH = Fraction(51, 1_000_000)  # 4-decimal rounding (5e-5), widened for safety
RATE_FRACTION_LIMIT = 20_000  # largest denominator bound for which R8 yields an exact equation

Cell = tuple[str, tuple, str]  # (table, key, column)


class DisclosureError(Exception):
    """The export cannot be checked (missing or unreadable)."""


class Column(dict):
    """One count column of one table: key -> published value, or -(unknown + 1) if suppressed."""

    def __init__(self, table: str, column: str) -> None:
        super().__init__()
        self.table, self.column = table, column


class Infeasible(Exception):
    """An equation no values within the bounds satisfy (the relation is not exact here)."""


@dataclass
class Equation:
    relation: str
    terms: dict[int, int]  # unknown -> integer coefficient
    rhs: Fraction  # sum(coefficient * unknown) == rhs
    shown: tuple[Cell, ...] = ()  # the published non-zero cells it also holds


@dataclass
class RateConstraint:
    """lo <= numerator / denominator <= hi, each side a sum of cells (some unknown)."""

    cell: Cell
    rate_column: str
    numerator: list[Cell]
    denominator: list[Cell]
    lo: Fraction
    hi: Fraction


@dataclass
class Recovery:
    unknown: int
    value: Fraction
    method: str
    relation: str


@dataclass
class Export:
    """The public tables: per table, key -> {column: value} (and the threshold)."""

    tables: dict[str, dict[tuple, dict[str, Any]]]
    threshold: int = DEFAULT_THRESHOLD
    directory: Path | None = None


# --- reading ---------------------------------------------------------------------------------


def export_threshold(directory: Path) -> int:
    """The threshold the export was made with: manifest, else data dictionary, else 10."""
    for path in (directory / "manifest.json", directory / "data_dictionary.json"):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        value = (document.get("disclosure_control") or {}).get("threshold")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return DEFAULT_THRESHOLD


def read_export(directory: Path) -> Export:
    """Read every known public table present as Parquet in ``directory``."""
    directory = Path(directory)
    if not directory.is_dir():
        raise DisclosureError(f"no public export at {directory} (run `cts export`)")
    con = duckdb.connect()
    tables: dict[str, dict[tuple, dict[str, Any]]] = {}
    try:
        con.execute("set enable_progress_bar = false")
        for table, (keys, columns, _sparse) in TABLES.items():
            path = directory / f"{table}.parquet"
            if not path.is_file():
                continue
            present = {
                row[0]
                for row in con.execute(
                    "select column_name from (describe select * from read_parquet(?))",
                    [str(path)],
                ).fetchall()
            }
            wanted = [*keys]
            for column in columns:
                wanted += [column, f"{column}_suppression"]
            if table == "rpt_program_outcomes":
                wanted += list(RATES)
            if table == "dim_programs":
                wanted.append("category_code")
            chosen = [column for column in wanted if column in present]
            missing = [column for column in keys if column not in present]
            if missing:
                raise DisclosureError(f"{path.name} lacks key columns {', '.join(missing)}")
            select = ", ".join(f'"{column}"' for column in chosen)
            rows = con.execute(f"select {select} from read_parquet(?)", [str(path)]).fetchall()
            index: dict[tuple, dict[str, Any]] = {}
            for row in rows:
                record = dict(zip(chosen, row, strict=True))
                index[tuple(record[column] for column in keys)] = record
            tables[table] = index
    except duckdb.Error as error:
        raise DisclosureError(f"cannot read the export in {directory}: {error}") from error
    finally:
        con.close()
    if not tables:
        raise DisclosureError(f"no public Parquet files in {directory} (run `cts export`)")
    return Export(tables=tables, threshold=export_threshold(directory), directory=directory)


# --- the system of relations -----------------------------------------------------------------


@dataclass
class System:
    export: Export
    unknowns: list[Cell] = field(default_factory=list)
    unknown_of: dict[Cell, int] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    equations: list[Equation] = field(default_factory=list)
    rates: list[RateConstraint] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    with_unknowns: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    violations: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    pending: dict[tuple, list[Equation]] = field(default_factory=lambda: defaultdict(list))
    violated_families: set[tuple] = field(default_factory=set)
    dropped: list[dict[str, Any]] = field(default_factory=list)
    columns: dict[tuple[str, str], Column] = field(default_factory=dict)
    lone: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # 1 unknown

    def __post_init__(self) -> None:
        for table, rows in self.export.tables.items():
            _keys, columns, _sparse = TABLES[table]
            for column in columns:
                values = self.columns[(table, column)] = Column(table, column)
                for key, record in rows.items():
                    if column not in record:
                        continue
                    value = record[column]
                    if value is None:
                        cell = (table, key, column)
                        self.unknown_of[cell] = len(self.unknowns)
                        values[key] = -len(self.unknowns) - 1
                        self.unknowns.append(cell)
                        self.flags.append(record.get(f"{column}_suppression") or "UNFLAGGED")
                    else:
                        values[key] = int(value)

    def column(self, table: str, column: str) -> Column:
        if (table, column) not in self.columns:
            self.columns[(table, column)] = Column(table, column)
        return self.columns[(table, column)]

    def lookup(self, cell: Cell) -> tuple[int | None, int]:
        """(unknown index, 0) or (None, published value); a missing row counts as 0."""
        table, key, column = cell
        code = self.column(table, column).get(key, 0)
        return (-code - 1, 0) if code < 0 else (None, code)

    def add(
        self,
        relation: str,
        family: tuple,
        terms: list[tuple[Column, tuple, int]],
        inequality: bool = False,
    ) -> None:
        """Record sum(coefficient * cell) == 0 (``inequality``: >= 0), substituting published
        values.

        ``terms`` are (column, key, coefficient). ``family`` names the kind of equation
        (relation, table, column…): a family with one violated, fully published instance does
        not hold exactly in this export and is left out of the system (see :meth:`finish`).
        An inequality becomes an equation with one more unknown, its slack (flag ``SLACK``,
        at least 0); one the flags' bounds already satisfy is left out.
        """
        coefficients: dict[int, int] = {}
        constant = 0
        for values, key, coefficient in terms:
            code = values.get(key, 0)
            if code >= 0:
                constant += coefficient * code
            else:
                unknown = -code - 1
                coefficients[unknown] = coefficients.get(unknown, 0) + coefficient
        self.checked[relation] += 1
        if coefficients:
            coefficients = {index: c for index, c in coefficients.items() if c}
            if coefficients and inequality:
                if self._least(coefficients) + constant >= 0:
                    return  # holds whatever the withheld counts are
                coefficients[self.slack()] = -1
            if coefficients:
                shown = tuple(
                    (values.table, key, values.column)
                    for values, key, _ in terms
                    if values.get(key, 0) > 0
                )
                self.pending[family].append(
                    Equation(relation, coefficients, Fraction(-constant), shown)
                )
                return
        if constant < 0 or (constant > 0 and not inequality):
            self.violated_families.add(family)
            self.violations[relation].append(
                {
                    "cells": [
                        describe_cell((values.table, key, values.column))
                        for values, key, _ in terms[:3]
                    ],
                    "difference": constant,
                }
            )

    def _least(self, coefficients: dict[int, int]) -> float:
        """The least sum(coefficient * unknown) the flags' bounds allow."""
        least = 0.0
        for unknown, c in coefficients.items():
            low, high = flag_bounds(self.flags[unknown], self.export.threshold)
            least += c * (low if c > 0 else high)
        return least

    def slack(self) -> int:
        """A new unknown, at least 0, that turns an inequality into an equation."""
        self.unknowns.append(("slack", (len(self.unknowns),), "slack"))
        self.flags.append(SLACK)
        return len(self.unknowns) - 1

    def cells(self) -> list[int]:
        """The unknowns that are withheld counts (not slacks)."""
        return [number for number, flag in enumerate(self.flags) if flag != SLACK]

    def finish(self) -> None:
        """Keep the equations of the families that hold wherever they can be checked."""
        for family, equations in sorted(self.pending.items(), key=lambda item: str(item[0])):
            if family in self.violated_families:
                self.dropped.append(
                    {"family": "/".join(map(str, family)), "equations": len(equations)}
                )
                continue
            for equation in equations:
                self.with_unknowns[equation.relation] += 1
                if len(equation.terms) == 1:
                    self.lone[equation.relation] += 1
                self.equations.append(equation)
        self.pending.clear()


def describe_cell(cell: Cell) -> dict[str, Any]:
    table, key, column = cell
    names = TABLES[table][0]
    return {"table": table, **dict(zip(names, key, strict=True)), "column": column}


def _without(key: tuple, *positions: int) -> tuple:
    return tuple(value for index, value in enumerate(key) if index not in positions)


def _count_columns(table: str, additive_only: bool) -> tuple[str, ...]:
    columns = TABLES[table][1]
    if additive_only:
        return tuple(column for column in columns if column != "distinct_persons")
    return columns


def _level(key: tuple) -> tuple[bool, bool, str]:
    """The level of detail of a cell: statewide?, all categories?, its dimension."""
    return key[AGENCY] == "ALL", key[CATEGORY] == "ALL", key[DIMENSION]


def complete(members: list[tuple[tuple, int]]) -> bool:
    """Both sides present: a dense table lists every cell, so a missing side is a gap."""
    return any(c > 0 for _, c in members) and any(c < 0 for _, c in members)


def build_system(export: Export) -> System:
    system = System(export)
    tables = export.tables
    report_tables = [
        name
        for name in ("rpt_program_enrollments", "rpt_program_outcomes", "rpt_program_exits")
        if name in tables
    ]
    dim, value, agency, category = DIMENSION, VALUE, AGENCY, CATEGORY
    period_type, period_year = PERIOD_TYPE, PERIOD_YEAR
    for table in report_tables:
        rows = tables[table]
        sparse = TABLES[table][2]  # dense tables: a relation needs its total and its parts
        # R1: per dimension, its values against the ALL row
        dimensions = sorted({key[dim] for key in rows if key[dim] != "ALL"})
        groups: dict[tuple, list[tuple[tuple, int]]] = defaultdict(list)
        for key in rows:
            base = _without(key, dim, value)
            if key[dim] == "ALL":
                for name in dimensions:
                    groups[(base, name)].append((key, -1))
            else:
                groups[(base, key[dim])].append((key, 1))
        for column in _count_columns(table, additive_only=False):
            values = system.column(table, column)
            for (_base, name), members in groups.items():
                if column == "distinct_persons" and name not in PERSON_CONSTANT_DIMENSIONS:
                    continue
                if not (sparse or complete(members)):
                    continue
                family = ("R1_dimension", table, column, name)
                system.add("R1_dimension", family, [(values, k, c) for k, c in members])
        # R2, R3: agencies and categories against their ALL rows
        for relation, position in (("R2_agency", agency), ("R3_category", category)):
            groups = defaultdict(list)
            for key in rows:
                groups[_without(key, position)].append((key, -1 if key[position] == "ALL" else 1))
            for column in _count_columns(table, additive_only=True):
                values = system.column(table, column)
                for members in groups.values():
                    if not (sparse or complete(members)):
                        continue
                    family = (relation, table, column)
                    system.add(relation, family, [(values, k, c) for k, c in members])
        # R4: calendar years against fiscal years
        kinds = {key[period_type] for key in rows}
        if {"CALENDAR_YEAR", "FISCAL_YEAR"} <= kinds or TABLES[table][2]:
            groups = defaultdict(list)
            for key in rows:
                sign = {"CALENDAR_YEAR": 1, "FISCAL_YEAR": -1}.get(key[period_type])
                if sign is not None:
                    groups[_without(key, period_type, period_year)].append((key, sign))
            for column in _count_columns(table, additive_only=True):
                values = system.column(table, column)
                for members in groups.values():
                    if not (sparse or complete(members)):
                        continue
                    family = ("R4_period", table, column)
                    system.add("R4_period", family, [(values, k, c) for k, c in members])

    outcomes = tables.get("rpt_program_outcomes")
    if outcomes is not None:
        parts = [system.column("rpt_program_outcomes", column) for column in OUTCOME_COLUMNS]
        total = system.column("rpt_program_outcomes", "total_exits")
        for key in outcomes:  # R5
            terms = [(values, key, 1) for values in parts]
            terms.append((total, key, -1))
            system.add("R5_outcome_row", ("R5_outcome_row",), terms)
        exits = tables.get("rpt_program_exits")
        if exits is not None:  # R6
            reasons: dict[tuple, list[tuple]] = defaultdict(list)
            for key in exits:
                reasons[(key[: len(CELL_KEY)], key[len(CELL_KEY)])].append(key)
            by_reason = system.column("rpt_program_exits", "exits")
            # exit reasons are published at some levels of detail only (statewide or by agency,
            # all or by category, by dimension): the relation holds at the levels listed
            levels = {_level(key) for key in exits}
            for key in outcomes:
                if _level(key) not in levels:
                    continue
                for group, values in zip(OUTCOME_GROUPS, parts, strict=True):
                    listed = reasons.get((key, group))
                    if listed is None and values.get(key, 0) == 0:
                        system.checked["R6_exit_reasons"] += 1  # no exits on either side
                        continue
                    terms = [(by_reason, k, 1) for k in listed or ()]
                    terms.append((values, key, -1))
                    system.add("R6_exit_reasons", ("R6_exit_reasons", group), terms)
        add_rates(system, outcomes)

    programs = tables.get("dim_programs")
    if programs is not None:  # R7
        add_program_relations(system, programs)
    add_inequalities(system)
    system.finish()
    return system


def add_inequalities(system: System) -> None:
    """I1..I4: what the definitions of the counts bound without adding up.

    A withheld count that no equation pins can still be pinned by these: a program's 12
    enrollments, 11 of them completed, leave at most 1 unsuccessful exit. A year missing
    beside a published one (before or after the window) counts as 0.
    """
    tables = system.export.tables
    for table, events in PERSONS_OF.items():  # I1
        if table not in tables:
            continue
        persons, counts = system.column(table, "distinct_persons"), system.column(table, events)
        for key in tables[table]:
            terms = [(counts, key, 1), (persons, key, -1)]
            system.add("I1_persons", ("I1_persons", table), terms, inequality=True)
    programs = tables.get("dim_programs")
    if programs is not None:  # I2
        columns = [
            (system.column("dim_programs", column), sign)
            for column, sign in (
                ("enrollment_events", 1),
                ("successful_exits", -1),
                ("unsuccessful_exits", -1),
            )
        ]
        for key in programs:
            terms = [(values, key, sign) for values, sign in columns]
            system.add("I2_program_exits", ("I2_program_exits",), terms, inequality=True)
    dim, value, agency, category = DIMENSION, VALUE, AGENCY, CATEGORY
    for table in ("rpt_program_enrollments", "rpt_program_exits"):  # I3
        rows = tables.get(table)
        if rows is None:
            continue
        persons = system.column(table, "distinct_persons")
        groups: dict[tuple, list] = defaultdict(lambda: [None, []])  # -> [ALL row, parts]
        for key in rows:
            for tag, positions in (("agency", (agency,)), ("category", (category,))):
                group = groups[(tag, _without(key, *positions))]
                if key[positions[0]] == "ALL":
                    group[0] = key
                else:
                    group[1].append(key)
            if key[dim] == "ALL":
                for name in ("AGE_GROUP", "CUSTODY_STATUS"):
                    groups[(name, _without(key, dim, value))][0] = key
            elif key[dim] not in PERSON_CONSTANT_DIMENSIONS:
                groups[(key[dim], _without(key, dim, value))][1].append(key)
        for (tag, _base), (total, parts) in groups.items():
            if total is None or not parts:
                continue
            family = ("I3_persons_overlap", table, tag)
            for part in parts:
                terms = [(persons, total, 1), (persons, part, -1)]
                system.add("I3_persons_overlap", family, terms, inequality=True)
            terms = [(persons, part, 1) for part in parts] + [(persons, total, -1)]
            system.add("I3_persons_overlap", family, terms, inequality=True)
    for table in ("rpt_program_enrollments", "rpt_program_outcomes", "rpt_program_exits"):  # I4
        rows = tables.get(table)
        if rows is None or not set(OVERLAPS) <= {key[PERIOD_TYPE] for key in rows}:
            continue
        for column in TABLES[table][1]:
            values = system.column(table, column)
            for key in rows:
                kind = key[PERIOD_TYPE]
                if kind not in OVERLAPS:
                    continue
                other, shifts = OVERLAPS[kind]
                terms = [(values, key, -1)]
                for shift in shifts:
                    moved = list(key)
                    moved[PERIOD_TYPE], moved[PERIOD_YEAR] = other, key[PERIOD_YEAR] + shift
                    terms.append((values, tuple(moved), 1))
                family = ("I4_period_overlap", table, column, kind)
                system.add("I4_period_overlap", family, terms, inequality=True)


def add_program_relations(system: System, programs: dict[tuple, dict[str, Any]]) -> None:
    tables = system.export.tables
    sides = {
        "enrollment_events": ("rpt_program_enrollments", "enrollment_events"),
        "successful_exits": ("rpt_program_outcomes", "successful_exits"),
        "unsuccessful_exits": ("rpt_program_outcomes", "unsuccessful_exits"),
    }
    groups: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for key, record in programs.items():
        groups[(key[0], "ALL")].append(key)
        if record.get("category_code") is not None:
            groups[(key[0], record["category_code"])].append(key)
    for program_column, (table, column) in sides.items():
        rows = tables.get(table)
        if rows is None:
            continue
        program_values = system.column("dim_programs", program_column)
        values = system.column(table, column)
        years: dict[tuple[str, str], list[tuple]] = defaultdict(list)
        for key in rows:
            if key[0] == "CALENDAR_YEAR" and key[4] == "ALL":
                years[(key[2], key[3])].append(key)
        for (agency_code, category_code), members in groups.items():
            totals = years.get((agency_code, category_code))
            if not totals:
                continue
            terms = [(program_values, key, 1) for key in members]
            terms += [(values, key, -1) for key in totals]
            family = ("R7_programs", program_column, agency_code)
            system.add("R7_programs", family, terms)


def add_rates(system: System, outcomes: dict[tuple, dict[str, Any]]) -> None:
    threshold = system.export.threshold
    for key, record in outcomes.items():
        for rate_column, (numerator, denominator, parts) in RATES.items():
            rate = record.get(rate_column)
            if rate is None:
                continue
            cell = ("rpt_program_outcomes", key, rate_column)
            suppressed = [part for part in parts if record.get(part) is None]
            values = [record.get(part) for part in denominator]
            shown = None if None in values else sum(values)
            if suppressed or (shown is not None and shown <= threshold):
                system.violations["rate_rule"].append(
                    {
                        **describe_cell(cell),
                        "rate": str(rate),
                        "suppressed_parts": suppressed,
                        "denominator": shown,
                    }
                )
            exact = Fraction(Decimal(str(rate)))
            cells = [("rpt_program_outcomes", key, part) for part in (*numerator, *denominator)]
            system.checked["R8_rates"] += 1
            if any(part in system.unknown_of for part in cells):
                system.with_unknowns["R8_rates"] += 1
                system.rates.append(
                    RateConstraint(
                        cell,
                        rate_column,
                        [("rpt_program_outcomes", key, part) for part in numerator],
                        [("rpt_program_outcomes", key, part) for part in denominator],
                        exact - RATE_HALF_WIDTH,
                        exact + RATE_HALF_WIDTH,
                    )
                )


# --- solving ---------------------------------------------------------------------------------


SLACK = "SLACK"  # the flag of an inequality's slack unknown


def flag_bounds(flag: str, threshold: int) -> tuple[int, float]:
    """What a flag tells of a withheld count. Zeros are never withheld, so every withheld count
    is at least 1; a PRIMARY count is at most the threshold. A COMPLEMENTARY count may be any
    count from 1 up: it is withheld to protect another, and may itself be small (the audit
    flags a small count COMPLEMENTARY where PRIMARY flags would pin a small total)."""
    if flag == "PRIMARY":
        return 1, threshold
    if flag == SLACK:
        return 0, math.inf
    return 1, math.inf


class Solver:
    """Substitution, rate intervals and bounds, then rank tests per component."""

    def __init__(self, system: System, dense_limit: int, iterative: bool) -> None:
        self.system = system
        self.dense_limit = dense_limit
        self.iterative = iterative
        threshold = system.export.threshold
        self.lower, self.upper = [], []
        for flag in system.flags:
            low, high = flag_bounds(flag, threshold)
            self.lower.append(low)
            self.upper.append(high)
        self.known: dict[int, Fraction] = {}
        self.recovered: list[Recovery] = []
        self.inconsistent: list[dict[str, Any]] = []
        self.untested: list[dict[str, Any]] = []
        self.infeasible: dict[str, int] = defaultdict(int)  # equations the bounds contradict
        self.bounds_stopped = False
        self.components: list[int] = []
        self.equations = [Equation(eq.relation, dict(eq.terms), eq.rhs) for eq in system.equations]
        self.by_unknown: dict[int, list[int]] = defaultdict(list)
        for number, equation in enumerate(self.equations):
            for unknown in equation.terms:
                self.by_unknown[unknown].append(number)

    # substitution ---------------------------------------------------------------------------

    def fix(self, unknown: int, value: Fraction, method: str, relation: str) -> None:
        if unknown in self.known:
            return
        if value.denominator != 1 or value < 0:
            self.inconsistent.append(
                {**describe_cell(self.system.unknowns[unknown]), "value": str(value)}
            )
        self.known[unknown] = value
        if self.system.flags[unknown] != SLACK:
            self.recovered.append(Recovery(unknown, value, method, relation))
        for number in self.by_unknown.get(unknown, ()):
            equation = self.equations[number]
            coefficient = equation.terms.pop(unknown, None)
            if coefficient is not None:
                equation.rhs -= coefficient * value

    def substitute(self) -> bool:
        progress = False
        pending = [n for n, eq in enumerate(self.equations) if len(eq.terms) == 1]
        while pending:
            equation = self.equations[pending.pop()]
            if len(equation.terms) != 1:
                continue
            ((unknown, coefficient),) = equation.terms.items()
            self.fix(unknown, equation.rhs / coefficient, "substitution", equation.relation)
            progress = True
            for number in self.by_unknown.get(unknown, ()):
                if len(self.equations[number].terms) == 1:
                    pending.append(number)
        return progress

    def _side(self, cells: list[Cell]) -> tuple[Fraction, dict[int, int]]:
        constant, terms = Fraction(0), defaultdict(int)
        for cell in cells:
            unknown, value = self.system.lookup(cell)
            if unknown is None:
                constant += value
            elif unknown in self.known:
                constant += self.known[unknown]
            else:
                terms[unknown] += 1
        return constant, terms

    def rate_intervals(self) -> bool:
        """A rate with one unknown part pins it when one integer fits the rounding interval."""
        progress = False
        for rate in self.system.rates:
            n0, n_terms = self._side(rate.numerator)
            d0, d_terms = self._side(rate.denominator)
            unknowns = set(n_terms) | set(d_terms)
            if len(unknowns) != 1:
                continue
            (unknown,) = unknowns
            a, b = n_terms.get(unknown, 0), d_terms.get(unknown, 0)
            low, high = Fraction(self.lower[unknown]), self.upper[unknown]
            # n0 + a x >= lo (d0 + b x)  and  n0 + a x <= hi (d0 + b x)
            for coefficient, constant in (
                (a - rate.lo * b, rate.lo * d0 - n0),
                (rate.hi * b - a, n0 - rate.hi * d0),
            ):
                if coefficient > 0:
                    low = max(low, constant / coefficient)
                elif coefficient < 0:
                    bound = constant / coefficient
                    high = bound if high == math.inf else min(high, bound)
                elif constant > 0:
                    high = Fraction(-1)  # infeasible: leave it to the inconsistency list
            if high == math.inf:
                continue
            first, last = math.ceil(low), math.floor(high)
            if first == last:
                self.fix(unknown, Fraction(first), "rate interval", "R8_rates")
                progress = True
        return progress

    def _tighten(self, equation: Equation) -> list[int]:
        """Tighten the bounds of the unknowns of one equation; the unknowns that changed."""
        lower, upper = self.lower, self.upper
        terms = equation.terms
        low_sum = high_sum = 0.0
        low_inf = high_inf = 0  # terms whose lowest / highest contribution is unbounded
        for unknown, c in terms.items():
            unbounded = upper[unknown] == math.inf
            if c > 0:
                low_sum += c * lower[unknown]
                if unbounded:
                    high_inf += 1
                else:
                    high_sum += c * upper[unknown]
            else:
                high_sum += c * lower[unknown]
                if unbounded:
                    low_inf += 1
                else:
                    low_sum += c * upper[unknown]
        rhs = float(equation.rhs)
        changed = []
        for unknown, c in terms.items():
            unbounded = upper[unknown] == math.inf
            if c > 0:
                own_low, own_high = c * lower[unknown], None if unbounded else c * upper[unknown]
            else:
                own_low, own_high = None if unbounded else c * upper[unknown], c * lower[unknown]
            # the other terms: rest in [rest_low, rest_high]; c·x = rhs - rest
            rest_low_inf = low_inf - (own_low is None)
            rest_high_inf = high_inf - (own_high is None)
            rest_low = low_sum - (own_low or 0.0)
            rest_high = high_sum - (own_high or 0.0)
            top = math.inf if rest_low_inf else rhs - rest_low  # c·x <= top
            bottom = -math.inf if rest_high_inf else rhs - rest_high  # c·x >= bottom
            new_low, new_high = (bottom / c, top / c) if c > 0 else (top / c, bottom / c)
            if new_low > upper[unknown] + 1e-6 or new_high < lower[unknown] - 1e-6:
                raise Infeasible
            moved = False
            if new_high < upper[unknown] - 1e-9:
                upper[unknown] = math.floor(new_high + 1e-9)
                moved = True
            if new_low > lower[unknown] + 1e-9:
                lower[unknown] = math.ceil(new_low - 1e-9)
                moved = True
            if moved:
                changed.append(unknown)
        return changed

    def bounds(self) -> bool:
        """Propagate 0 <= x (PRIMARY: 1..threshold) through the equations, to a fixed point."""
        progress = False
        queue = [n for n, eq in enumerate(self.equations) if eq.terms]
        queued = set(queue)
        steps, step_limit = 0, 50 * len(queue) + 1000
        while queue:
            number = queue.pop()
            queued.discard(number)
            equation = self.equations[number]
            if len(equation.terms) == 1:
                ((unknown, coefficient),) = equation.terms.items()
                value = equation.rhs / coefficient
                self.lower[unknown] = self.upper[unknown] = value
                self.fix(unknown, value, "substitution", equation.relation)
                progress = True
                changed = [unknown]
            elif equation.terms:
                steps += 1
                if steps > step_limit:
                    self.bounds_stopped = True
                    break
                try:
                    changed = self._tighten(equation)
                except Infeasible:
                    self.infeasible[equation.relation] += 1
                    equation.terms = {}
                    continue
            else:
                continue
            for unknown in changed:
                if self.lower[unknown] == self.upper[unknown] and unknown not in self.known:
                    self.fix(unknown, Fraction(self.lower[unknown]), "bounds", equation.relation)
                    progress = True
                for other in self.by_unknown.get(unknown, ()):
                    if other not in queued and self.equations[other].terms:
                        queued.add(other)
                        queue.append(other)
        return progress

    # rank tests ------------------------------------------------------------------------------

    def rate_equations(self) -> list[Equation]:
        """Exact q·numerator = p·denominator where only one fraction fits the rounded rate."""
        found = []
        bound = self._denominator_bound()
        for rate in self.system.rates:
            n0, n_terms = self._side(rate.numerator)
            d0, d_terms = self._side(rate.denominator)
            if not (set(n_terms) | set(d_terms)):
                continue
            limit = bound if d_terms else int(d0)
            if limit > RATE_FRACTION_LIMIT:
                continue
            fraction = only_fraction(rate.lo, rate.hi, limit)
            if fraction is None:
                continue
            p, q = fraction.numerator, fraction.denominator
            terms: dict[int, int] = defaultdict(int)
            for unknown, c in n_terms.items():
                terms[unknown] += q * c
            for unknown, c in d_terms.items():
                terms[unknown] -= p * c
            terms = {unknown: c for unknown, c in terms.items() if c}
            if terms:
                found.append(Equation("R8_rates", terms, p * d0 - q * n0))
        return found

    def _denominator_bound(self) -> int:
        values = [
            record.get("total_exits") or 0
            for record in self.system.export.tables.get("rpt_program_outcomes", {}).values()
        ]
        return max(values, default=0)

    def rank_tests(self) -> None:
        # an inequality whose slack is still free adds nothing to the row space at a withheld
        # count (the slack is in no other row), so only equations take part
        flags = self.system.flags
        equations = [
            eq
            for eq in self.equations
            if eq.terms and not any(flags[unknown] == SLACK for unknown in eq.terms)
        ]
        equations += self.rate_equations()
        parent: dict[int, int] = {}

        def find(item: int) -> int:
            root = item
            while parent.get(root, root) != root:
                root = parent[root]
            while parent.get(item, item) != root:
                parent[item], item = root, parent[item]
            return root

        for equation in equations:
            first, *rest = equation.terms
            parent.setdefault(first, first)
            for other in rest:
                a, b = find(first), find(other)
                if a != b:
                    parent[b] = a
        members: dict[int, list[int]] = defaultdict(list)
        for unknown in parent:
            members[find(unknown)].append(unknown)
        by_component: dict[int, list[Equation]] = defaultdict(list)
        for equation in equations:
            by_component[find(next(iter(equation.terms)))].append(equation)
        for root, unknowns in members.items():
            self.components.append(len(unknowns))
            rows = by_component[root]
            if len(unknowns) <= self.dense_limit:
                self._dense(sorted(unknowns), rows)
            elif self.iterative:
                if not self._iterative(sorted(unknowns), rows):
                    self.untested.append(self._describe_component(unknowns, rows, "no converge"))
            else:
                self.untested.append(self._describe_component(unknowns, rows, "too large"))

    def _describe_component(
        self, unknowns: list[int], rows: list[Equation], why: str
    ) -> dict[str, Any]:
        relations: dict[str, int] = defaultdict(int)
        for equation in rows:
            relations[equation.relation] += 1
        return {
            "unknowns": len(unknowns),
            "equations": len(rows),
            "relations": dict(sorted(relations.items())),
            "reason": why,
        }

    @staticmethod
    def _matrix(unknowns: list[int], rows: list[Equation]) -> tuple[np.ndarray, np.ndarray]:
        position = {unknown: index for index, unknown in enumerate(unknowns)}
        matrix = np.zeros((len(rows), len(unknowns)))
        rhs = np.zeros(len(rows))
        for number, equation in enumerate(rows):
            for unknown, c in equation.terms.items():
                matrix[number, position[unknown]] = c
            rhs[number] = float(equation.rhs)
        return matrix, rhs

    def _dense(self, unknowns: list[int], rows: list[Equation]) -> None:
        matrix, rhs = self._matrix(unknowns, rows)
        _, singular, vt = np.linalg.svd(matrix, full_matrices=True)
        tolerance = max(matrix.shape) * np.finfo(float).eps * (singular[0] if singular.size else 1)
        rank = int((singular > max(tolerance, 1e-9)).sum())
        null = vt[rank:]
        free = np.abs(null).max(axis=0) if null.size else np.zeros(len(unknowns))
        determined = np.flatnonzero(free < 1e-7)
        if determined.size == 0:
            return
        solution = np.linalg.lstsq(matrix, rhs, rcond=None)[0]
        relations = sorted({equation.relation for equation in rows})
        for index in determined:
            value = Fraction(round(float(solution[index]) * 1e6), 1_000_000).limit_denominator(1000)
            self.fix(unknowns[index], value, "rank", "+".join(relations))

    def _iterative(self, unknowns: list[int], rows: list[Equation], samples: int = 3) -> bool:
        """Random null-space vectors by conjugate gradients; x_i fixed iff all are 0 at i."""
        position = {unknown: index for index, unknown in enumerate(unknowns)}
        row_index, col_index, values = [], [], []
        for number, equation in enumerate(rows):
            for unknown, c in equation.terms.items():
                row_index.append(number)
                col_index.append(position[unknown])
                values.append(float(c))
        r = np.asarray(row_index)
        c = np.asarray(col_index)
        v = np.asarray(values)
        n_rows, n_cols = len(rows), len(unknowns)

        def times(x: np.ndarray) -> np.ndarray:  # A x
            return np.bincount(r, weights=v * x[c], minlength=n_rows)

        def times_t(y: np.ndarray) -> np.ndarray:  # Aᵀ y
            return np.bincount(c, weights=v * y[r], minlength=n_cols)

        generator = np.random.default_rng(20251124)
        largest = np.zeros(n_cols)
        for _ in range(samples):
            z = generator.standard_normal(n_cols)
            target = times(z)
            y = conjugate_gradients(lambda w: times(times_t(w)), target)
            if y is None:
                return False
            projection = z - times_t(y)  # the part of z in the null space of A
            largest = np.maximum(largest, np.abs(projection))
        determined = np.flatnonzero(largest < 1e-6)
        if determined.size:
            rhs = np.asarray([float(equation.rhs) for equation in rows])
            y = conjugate_gradients(lambda w: times(times_t(w)), rhs)
            if y is None:
                return False
            solution = times_t(y)
            relations = sorted({equation.relation for equation in rows})
            for index in determined:
                value = Fraction(round(float(solution[index]) * 1e4), 10_000).limit_denominator(100)
                self.fix(unknowns[index], value, "rank (iterative)", "+".join(relations))
        return True

    def run(self) -> None:
        while True:
            self.substitute()
            if self.rate_intervals():
                continue
            if not self.bounds():
                break
        self.rank_tests()


def conjugate_gradients(apply, target: np.ndarray, tolerance: float = 1e-12, limit: int = 20000):
    """Solve M y = target for symmetric positive semi-definite M (consistent); None if stuck."""
    y = np.zeros_like(target)
    residual = target.copy()
    direction = residual.copy()
    norm = float(residual @ residual)
    scale = max(float(target @ target), 1e-300)
    for _ in range(limit):
        if norm <= tolerance**2 * scale:
            return y
        step_vector = apply(direction)
        curvature = float(direction @ step_vector)
        if curvature <= 0:
            return y if norm <= 1e-16 * scale else None
        alpha = norm / curvature
        y += alpha * direction
        residual -= alpha * step_vector
        new_norm = float(residual @ residual)
        direction = residual + (new_norm / norm) * direction
        norm = new_norm
    return None


def only_fraction(lo: Fraction, hi: Fraction, limit: int) -> Fraction | None:
    """The one reduced fraction p/q in [lo, hi] with q <= limit, or None (none or several)."""
    if limit < 1:
        return None
    q = np.arange(1, limit + 1, dtype=np.int64)
    first = -((-lo.numerator * q) // lo.denominator)  # ceil(lo q)
    last = (hi.numerator * q) // hi.denominator  # floor(hi q)
    fits = np.flatnonzero(last >= first)
    if fits.size == 0:
        return None
    q0 = int(q[fits[0]])
    candidate = Fraction(int(first[fits[0]]), q0)
    if candidate.denominator != q0 or last[fits[0]] != first[fits[0]]:
        return None
    qs, firsts, lasts = q[fits], first[fits], last[fits]
    if np.any(lasts != firsts):
        return None
    if np.any(firsts * candidate.denominator != qs * candidate.numerator):
        return None
    return candidate


# --- the report ------------------------------------------------------------------------------


def small_published_counts(export: Export) -> list[dict[str, Any]]:
    found = []
    for table, rows in export.tables.items():
        for key, record in rows.items():
            for column in TABLES[table][1]:
                value = record.get(column)
                if value is not None and 1 <= value <= export.threshold:
                    found.append({**describe_cell((table, key, column)), "value": value})
    return found


def check_export(
    directory: Path, dense_limit: int = DEFAULT_DENSE_LIMIT, iterative: bool = True
) -> dict[str, Any]:
    """Read the export in ``directory`` and return the disclosure report."""
    return check(read_export(Path(directory)), dense_limit=dense_limit, iterative=iterative)


def check(
    export: Export, dense_limit: int = DEFAULT_DENSE_LIMIT, iterative: bool = True
) -> dict[str, Any]:
    system = build_system(export)
    solver = Solver(system, dense_limit=dense_limit, iterative=iterative)
    solver.run()
    flags: dict[str, int] = defaultdict(int)
    by_column: dict[str, int] = defaultdict(int)
    for (table, _key, column), flag in zip(system.unknowns, system.flags, strict=True):
        if flag == SLACK:
            continue
        flags[flag] += 1
        by_column[f"{table}.{column}"] += 1
    recovered = []
    for recovery in solver.recovered:
        cell = system.unknowns[recovery.unknown]
        value = recovery.value
        recovered.append(
            {
                **describe_cell(cell),
                "flag": system.flags[recovery.unknown],
                "value": int(value) if value.denominator == 1 else str(value),
                "method": recovery.method,
                "relation": recovery.relation,
            }
        )
    by_relation: dict[str, int] = defaultdict(int)
    by_method: dict[str, int] = defaultdict(int)
    for item in recovered:
        by_relation[item["relation"]] += 1
        by_method[item["method"]] += 1
    small = small_published_counts(export)
    rate_rule = system.violations.pop("rate_rule", [])
    relation_violations = {name: len(items) for name, items in system.violations.items() if items}
    components = sorted(solver.components, reverse=True)
    report = {
        "export": str(export.directory) if export.directory else None,
        "threshold": export.threshold,
        "relations": {
            name: {
                "description": text,
                "equations": system.checked.get(name, 0),
                "with_unknowns": system.with_unknowns.get(name, 0),
                "with_one_unknown": system.lone.get(name, 0),
                "violated": relation_violations.get(name, 0),
            }
            for name, text in RELATIONS.items()
        },
        "relation_violation_examples": {
            name: items[:5] for name, items in system.violations.items() if items
        },
        "unknowns": len(system.cells()),
        "unknowns_by_flag": dict(sorted(flags.items())),
        "unknowns_by_column": dict(sorted(by_column.items())),
        "recovered_count": len(recovered),
        "recovered_by_relation": dict(sorted(by_relation.items())),
        "recovered_by_method": dict(sorted(by_method.items())),
        "recovered": recovered,
        "inconsistent": solver.inconsistent,
        "infeasible_equations": dict(sorted(solver.infeasible.items())),
        "bounds_stopped_early": solver.bounds_stopped,
        "dropped_families": system.dropped,
        "components": {
            "count": len(components),
            "largest": components[:5],
            "dense_limit": dense_limit,
            "untested": solver.untested,
        },
        "small_published_counts": {"count": len(small), "examples": small[:20]},
        "rate_rule_violations": {"count": len(rate_rule), "examples": rate_rule[:20]},
    }
    report["ok"] = not (recovered or small or rate_rule or solver.untested)
    return report


def summary_lines(report: dict[str, Any]) -> list[str]:
    """A few lines for the terminal."""
    lines = [
        f"{report['unknowns']} suppressed counts"
        f" ({', '.join(f'{k} {v}' for k, v in report['unknowns_by_flag'].items()) or 'none'}),"
        f" threshold {report['threshold']}",
    ]
    for name, info in report["relations"].items():
        violated = f", {info['violated']} violated" if info["violated"] else ""
        lines.append(
            f"  {name:<16} {info['equations']:>8} equations, {info['with_unknowns']:>7}"
            f" with suppressed cells, {info['with_one_unknown']:>6} with one{violated}"
        )
    lines.append(f"recovered: {report['recovered_count']}")
    for method, count in report["recovered_by_method"].items():
        lines.append(f"  by {method}: {count}")
    for relation, count in report["recovered_by_relation"].items():
        lines.append(f"  via {relation}: {count}")
    components = report["components"]
    lines.append(
        f"components of unknowns left: {components['count']}"
        f" (largest {components['largest'][:3]}), untested {len(components['untested'])}"
    )
    lines.append(f"published counts in 1..threshold: {report['small_published_counts']['count']}")
    lines.append(f"rates breaking the rate rule: {report['rate_rule_violations']['count']}")
    return lines
