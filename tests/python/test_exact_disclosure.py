"""The exact disclosure checker (cts.publication) on hand-made tables, and the declaration.

Each hand-made table hides a count that *is* recoverable, through a chain of relations or
through inequalities only, and the checker must find it; a safe twin must come out safe. The
last tests read the tiny build: every declared relation holds on its true counts.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pytest
import yaml
from cts import dbt as dbt_module
from cts.paths import Workdir
from cts.publication import cells as cells_module
from cts.publication import declaration, protect, relations, solver
from cts.publication.check import Certificate, check_cells, prove_cells, verify, with_truth
from cts.publication.relations import Cells
from submission_kit import copy_warehouse

CHECKOUT = Path(__file__).resolve().parents[2]
VARIABLES = yaml.safe_load((CHECKOUT / "dbt_project.yml").read_text())["vars"]
PUBLICATION = declaration.parse(VARIABLES)
S = "SUPPRESSED"  # the one public flag: the public knows a withheld count is at least 0
P = C = S


def key(agency="ALL", category="ALL", year=2020, period="CALENDAR_YEAR", dim="ALL", value="ALL"):
    return (period, year, agency, category, dim, value, None, None, None)


def make(entries: list[tuple[str, tuple, float, str | None]], table="rpt_program_enrollments"):
    """Cells from (measure, key, true value, flag): a flagged count is withheld (value unknown)."""
    return Cells(
        table=[table] * len(entries),
        measure=[e[0] for e in entries],
        key=[e[1] for e in entries],
        value=np.array([np.nan if e[3] else e[2] for e in entries]),
        flag=[e[3] for e in entries],
    )


def intervals(cells: Cells, publication=PUBLICATION) -> dict[tuple, tuple[float, float]]:
    system = relations.build(publication, cells)
    result = solver.intervals(system, cells.value, cells.flag, publication.threshold)
    return {
        (cells.measure[i], cells.key[i]): (result.low[i], result.high[i])
        for i in np.flatnonzero(cells.withheld())
    }


def one_year(publication_vars=None):
    """The declaration with a one-year window, so that hand-made tables stay small."""
    variables = copy.deepcopy(publication_vars or VARIABLES)
    variables["window_start_date"], variables["window_end_date"] = "2020-01-01", "2020-12-31"
    return declaration.parse(variables)


def test_subtraction_from_a_published_total_pins_the_count():
    cells = make(
        [
            ("enrollment_events", key(), 50, None),
            ("enrollment_events", key("BER"), 3, P),
            ("enrollment_events", key("SUF"), 47, None),
        ]
    )
    assert intervals(cells)[("enrollment_events", key("BER"))] == (3, 3)


def test_a_chain_of_relations_pins_a_count_two_steps_away():
    # BER's total is withheld, and so is one of its categories; the statewide total pins BER's
    # total, and BER's total then pins the category whose sibling is published.
    cells = make(
        [
            ("enrollment_events", key(), 60, None),
            ("enrollment_events", key("BER"), 13, S),
            ("enrollment_events", key("SUF"), 47, None),
            ("enrollment_events", key("BER", "EDUCATION"), 4, S),
            ("enrollment_events", key("BER", "RELIGIOUS"), 9, None),
            ("enrollment_events", key("BER", "WORK"), 0, None),
        ]
    )
    found = intervals(cells)
    assert found[("enrollment_events", key("BER"))] == (13, 13)
    assert found[("enrollment_events", key("BER", "EDUCATION"))] == (4, 4)


def test_two_withheld_counts_under_a_published_total_are_safe():
    cells = make(
        [
            ("enrollment_events", key(), 60, None),
            ("enrollment_events", key("BER"), 4, S),
            ("enrollment_events", key("SUF"), 40, S),
            ("enrollment_events", key("WOR"), 16, None),
        ]
    )
    found = intervals(cells)
    assert found[("enrollment_events", key("BER"))] == (0, 44)
    assert found[("enrollment_events", key("SUF"))] == (0, 44)


def test_inequalities_alone_pin_counts():
    # EDUCATION's persons are withheld: at most its published events (5), and all categories'
    # persons (20) are at most the sum of the categories' (EDUCATION + 15): at least 5. No
    # equation holds here, only bounds.
    cells = make(
        [
            ("distinct_persons", key(), 20, None),
            ("distinct_persons", key(category="EDUCATION"), 5, S),
            ("enrollment_events", key(category="EDUCATION"), 5, None),
            ("distinct_persons", key(category="RELIGIOUS"), 15, None),
        ]
    )
    found = intervals(cells)
    assert found[("distinct_persons", key(category="EDUCATION"))] == (5, 5)


def test_persons_at_most_events_bounds_a_withheld_count():
    cells = make(
        [
            ("enrollment_events", key("BER"), 6, None),
            ("distinct_persons", key("BER"), 4, S),
        ]
    )
    # published events bound the withheld persons from above, not to one value
    assert intervals(cells)[("distinct_persons", key("BER"))] == (0, 6)


def test_fiscal_and_calendar_years_share_half_years():
    publication = one_year()
    # CY2020 = H1 + H2; FY2020 = H1 (with H2 of 2019 outside a window starting in 2020);
    # FY2021 = H2. With CY2020 and FY2021 published, FY2020 is pinned.
    cells = make(
        [
            ("enrollment_events", key(year=2020), 12, None),
            ("enrollment_events", key(year=2020, period="FISCAL_YEAR"), 4, S),
            ("enrollment_events", key(year=2021, period="FISCAL_YEAR"), 8, None),
        ]
    )
    found = intervals(cells, publication)
    assert found[("enrollment_events", key(year=2020, period="FISCAL_YEAR"))] == (4, 4)
    cells.flag[2], cells.value[2] = S, np.nan
    found = intervals(cells, publication)
    assert found[("enrollment_events", key(year=2020, period="FISCAL_YEAR"))] == (0, 12)


def test_a_published_rate_pins_a_withheld_part():
    k = key("BER")
    cells = make(
        [
            ("successful_exits", k, 20, None),
            ("unsuccessful_exits", k, 10, S),
            ("administrative_exits", k, 0, None),
            ("unknown_exits", k, 0, None),
            ("total_exits", k, 30, S),
        ],
        table="rpt_program_outcomes",
    )
    cells.rates[("rpt_program_outcomes", k, "completion_rate")] = Decimal("0.6667")
    found = intervals(cells)
    assert found[("unsuccessful_exits", k)] == (10, 10)
    del cells.rates[("rpt_program_outcomes", k, "completion_rate")]
    # without the rate, the withheld total leaves the part unbounded above
    assert intervals(cells)[("unsuccessful_exits", k)] == (0, float("inf"))


def test_the_report_fails_a_disclosed_count_and_passes_a_safe_table():
    disclosed = make(
        [
            ("enrollment_events", key(), 50, None),
            ("enrollment_events", key("BER"), 3, P),
            ("enrollment_events", key("SUF"), 47, None),
        ]
    )
    report = check_cells(PUBLICATION, disclosed)
    assert not report["ok"] and report["disclosed_count"] == 1
    assert report["disclosed"][0]["agency_code"] == "BER"
    safe = make(
        [
            ("enrollment_events", key(), 60, None),
            ("enrollment_events", key("BER"), 4, P),
            ("enrollment_events", key("SUF"), 40, C),
            ("enrollment_events", key("WOR"), 16, None),
        ]
    )
    report = check_cells(PUBLICATION, safe)
    assert report["ok"] and report["interval_widths"]["10-99"] == 2


def test_a_component_over_the_limit_is_untested_not_safe():
    cells = make(
        [
            ("enrollment_events", key(), 60, None),
            ("enrollment_events", key("BER"), 4, P),
            ("enrollment_events", key("SUF"), 40, C),
            ("enrollment_events", key("WOR"), 16, None),
        ]
    )
    report = check_cells(PUBLICATION, cells, max_component=1)
    assert not report["ok"] and report["untested_count"] == 2


# --- the protection and its certificates ------------------------------------------------------


def enrollments_by_agency(values: dict[str, tuple[int, int, int]]) -> Cells:
    """True enrollment events (CY2020, FY2020, FY2021) of agencies and their statewide ALL, in
    a one-year window (CY2020 = FY2020 + FY2021); nothing withheld yet."""
    totals = tuple(sum(v[n] for v in values.values()) for n in range(3))
    entries = []
    for agency, counts in {**values, "ALL": totals}.items():
        for (period, year), count in zip(
            [("CALENDAR_YEAR", 2020), ("FISCAL_YEAR", 2020), ("FISCAL_YEAR", 2021)],
            counts,
            strict=True,
        ):
            entries.append(("enrollment_events", key(agency, year=year, period=period), count))
    return Cells(
        table=["rpt_program_enrollments"] * len(entries),
        measure=[e[0] for e in entries],
        key=[e[1] for e in entries],
        value=np.array([float(e[2]) for e in entries]),
        flag=[None] * len(entries),
    )


def as_published(cells: Cells, flags: list[str | None]) -> Cells:
    """What the export shows: withheld counts as unknowns under the one public flag."""
    return Cells(
        table=cells.table,
        measure=cells.measure,
        key=cells.key,
        value=np.array([np.nan if f else v for v, f in zip(cells.value, flags, strict=True)]),
        flag=[S if f else None for f in flags],
    )


SMALL_BER = {"BER": (3, 1, 2), "SUF": (40, 25, 15), "WOR": (36, 20, 16)}


def test_counts_that_break_a_relation_through_half_years_are_found():
    """A calendar year larger than the two fiscal years it shares half-years with: the rows
    with hidden half-years that it breaks are found (the one-program check fails, then each
    component is checked on its own); the true counts break none."""
    publication = one_year()
    cells = enrollments_by_agency(SMALL_BER)
    system = relations.build(publication, cells)
    assert solver.violated_rows(system, cells.value) == []
    calendar_year = cells.key.index(key("BER", year=2020, period="CALENDAR_YEAR"))
    broken = cells.value.copy()
    broken[calendar_year] += 100
    found = solver.violated_rows(system, broken)
    names = {system.names[system.relation[r]] for r in found}
    assert "years_from_half_years" in names
    with_hidden = np.diff(system.matrix[:, system.n_cells :].tocsr().indptr) > 0
    assert with_hidden[found].any()


def test_the_protection_withholds_partners_and_the_exact_solver_confirms_it():
    publication = one_year()
    cells = enrollments_by_agency(SMALL_BER)
    result = protect.protect(publication, cells)
    assert not result.unproved
    primary = [cells.key[i][2] for i, f in enumerate(result.flags) if f == declaration.PRIMARY]
    assert primary == ["BER"] * 3
    assert sum(f == declaration.COMPLEMENTARY for f in result.flags) >= 2
    widths = protect.certificate_widths(result)
    for i, flag in enumerate(result.flags):
        if flag:
            assert widths[i] >= (2 if flag == declaration.PRIMARY else 1), cells.describe(i)
    # the exact intervals, from the published cells alone, are at least as wide
    published = as_published(cells, result.flags)
    exact = solver.intervals(
        relations.build(publication, published), published.value, published.flag, 10
    )
    for i, flag in enumerate(result.flags):
        if flag:
            assert exact.high[i] - exact.low[i] >= widths[i], cells.describe(i)


def test_the_protection_does_not_depend_on_how_many_blocks_run_at_once():
    publication = one_year()
    cells = enrollments_by_agency(SMALL_BER)
    one = protect.protect(publication, cells, workers=1)
    two = protect.protect(publication, cells, workers=2)
    assert one.flags == two.flags and np.array_equal(one.up, two.up)


def test_the_certificate_check_passes_the_protection_and_fails_a_lone_withheld_count():
    publication = one_year()
    truth = enrollments_by_agency(SMALL_BER)
    result = protect.protect(publication, truth)
    report = prove_cells(publication, as_published(truth, result.flags), truth, workers=1)
    assert report["ok"] and report["unproved_count"] == 0
    assert report["withheld_small"] == 3
    lone = [flag if truth.key[i][2] == "BER" else None for i, flag in enumerate(result.flags)]
    report = prove_cells(publication, as_published(truth, lone), truth, workers=1)
    assert not report["ok"] and report["unproved_count"] == 3  # pinned by ALL - SUF - WOR


def certificates_of(result: protect.Protection) -> list[Certificate]:
    return [
        Certificate(number, moved, values)
        for number, (moved, values) in enumerate(result.certificates, start=1)
    ]


def test_the_protections_certificates_prove_every_count_without_a_search():
    publication = one_year()
    truth = enrollments_by_agency(SMALL_BER)
    result = protect.protect(publication, truth)
    published = as_published(truth, result.flags)
    report = prove_cells(publication, published, truth, certificates_of(result), workers=1)
    assert report["ok"] and report["certificates"]["rejected"] == 0
    assert report["certificates"]["counts_proven"] == report["withheld"] > 3
    assert report["searched"] == {"counts": 0, "rounds": []}


def test_a_forged_certificate_is_rejected_and_the_check_searches_instead():
    publication = one_year()
    truth = enrollments_by_agency(SMALL_BER)
    result = protect.protect(publication, truth)
    published = as_published(truth, result.flags)
    withheld = published.withheld()
    _, values = with_truth(published, truth)
    system = relations.build(publication, with_truth(published, truth)[0])
    good = certificates_of(result)[0]
    assert verify(system, values, withheld, good) is None
    # one count moved alone breaks the sums it is part of
    broken = Certificate(9, good.cells[:1], good.values[:1] + 1)
    assert "breaks" in verify(system, values, withheld, broken)
    # a published count cannot move: the public sees it
    at = int(np.flatnonzero(~withheld)[0])
    assert verify(system, values, withheld, Certificate(9, np.array([at]), np.array([1e6]))) == (
        "moves a published count"
    )
    below = Certificate(9, good.cells, values[good.cells] - 1e3)
    assert verify(system, values, withheld, below) == "a withheld count below 0"
    report = prove_cells(publication, published, truth, [broken], workers=1)
    assert report["certificates"]["rejected"] == 1
    assert report["ok"] and report["searched"]["counts"] == report["withheld"]


def test_the_true_counts_must_obey_the_declared_relations():
    publication = one_year()
    cells = enrollments_by_agency(SMALL_BER)
    cells.value[0] += 1  # BER's calendar year no longer the sum of its fiscal halves
    with pytest.raises(protect.ProtectionError, match="break"):
        protect.protect(publication, cells)


# --- the declaration ---------------------------------------------------------------------------


def test_a_relation_is_one_entry_of_the_declaration():
    cells = make(
        [
            ("enrollment_events", key(), 50, None),
            ("enrollment_events", key("BER"), 3, P),
            ("enrollment_events", key("SUF"), 47, None),
        ]
    )
    variables = copy.deepcopy(VARIABLES)
    variables["publication"]["relations"] = [
        r for r in variables["publication"]["relations"] if r["name"] != "agencies_to_statewide"
    ]
    without = declaration.parse(variables)
    assert intervals(cells, without)[("enrollment_events", key("BER"))] == (0, float("inf"))
    variables["publication"]["relations"].append(
        {"name": "agencies_to_statewide", "kind": "breakdown", "dimension": "agency"}
    )
    assert intervals(cells, declaration.parse(variables))[("enrollment_events", key("BER"))] == (
        3,
        3,
    )


def test_a_dimension_value_is_one_row_of_its_code_list(tmp_path):
    for folder in ("reference",):
        (tmp_path / "seeds" / folder).mkdir(parents=True)
        for seed in (CHECKOUT / "seeds" / folder).glob("*.csv"):
            (tmp_path / "seeds" / folder / seed.name).write_text(seed.read_text())
    before = PUBLICATION.code_lists(tmp_path)["CUSTODY_STATUS"]
    path = tmp_path / "seeds" / "reference" / "custody_statuses.csv"
    path.write_text(path.read_text() + "PROBATION_HOLD,Probation hold,9\n")
    after = PUBLICATION.code_lists(tmp_path)["CUSTODY_STATUS"]
    assert [c["code"] for c in after] == [c["code"] for c in before] + ["PROBATION_HOLD"]
    assert after[-1]["label"] == "Probation hold"


def test_every_table_of_the_declaration_names_known_dimensions():
    variables = copy.deepcopy(VARIABLES)
    variables["publication"]["tables"]["rpt_program_exits"]["keys"].append("county")
    with pytest.raises(declaration.DeclarationError, match="county"):
        declaration.parse(variables)


# --- the tiny build ----------------------------------------------------------------------------


def test_every_declared_relation_holds_on_the_true_counts_of_the_tiny_build(tiny):
    con = duckdb.connect(str(tiny / "warehouse.duckdb"), read_only=True)
    try:
        cells, _ = cells_module.read_counts(con)
    finally:
        con.close()
    system = relations.build(PUBLICATION, cells)
    used = {system.names[r] for r in set(system.relation.tolist())}
    declared = {r["name"] for r in PUBLICATION.relations if r["kind"] != "rate"}
    assert used == declared  # every relation (rates need published rates) produced rows
    assert solver.violated_rows(system, cells.value) == []


# --- the command -------------------------------------------------------------------------------


def write_export(directory: Path, rows: dict[str, list[dict]]) -> None:
    """Parquet files of every declared table (columns from the declaration), given rows."""
    directory.mkdir(parents=True)
    con = duckdb.connect()
    for name, table in PUBLICATION.tables.items():
        columns = [c for c in PUBLICATION.key_columns(name)]
        columns += [f"{m}{suffix}" for m in table.measures for suffix in ("", "_suppression")]
        columns += list(table.rates)
        types = {
            c: "integer" if c == "period_year" or c in table.measures else "varchar"
            for c in columns
        }
        types.update({r: "decimal(7, 4)" for r in table.rates})
        con.execute(f"create table {name} ({', '.join(f'{c} {types[c]}' for c in columns)})")
        for row in rows.get(name, []):
            values = [row.get(c) for c in columns]
            con.execute(f"insert into {name} values ({', '.join('?' for _ in columns)})", values)
        con.execute(f"copy {name} to '{directory / (name + '.parquet')}' (format parquet)")
    con.close()


def enrollment_row(agency: str, events: int | None, flag: str | None = None) -> dict:
    return {
        "period_type": "CALENDAR_YEAR",
        "period_year": 2020,
        "agency_code": agency,
        "category_code": "ALL",
        "dimension": "ALL",
        "dimension_value": "ALL",
        "enrollment_events": events,
        "enrollment_events_suppression": flag,
        "distinct_persons": 0 if events == 0 else None,
        "distinct_persons_suppression": None if events == 0 else S,
    }


def test_check_disclosure_exact_fails_on_a_disclosed_count(runner, workdir):
    from cts.cli import cli

    rows = [enrollment_row("ALL", 50), enrollment_row("BER", None, P), enrollment_row("SUF", 47)]
    write_export(workdir / "public", {"rpt_program_enrollments": rows})
    result = runner.invoke(cli, ["--workdir", str(workdir), "check-disclosure", "--exact"])
    assert result.exit_code == 1
    assert "1 disclosed" in result.output
    report = (workdir / "disclosure_exact.json").read_text()
    assert '"agency_code": "BER"' in report and '"interval": [\n        3.0,\n        3.0' in report
    rows[2] = enrollment_row("SUF", None, C)
    rows.append(enrollment_row("WOR", 0))
    (workdir / "public").rename(workdir / "old")
    write_export(workdir / "public", {"rpt_program_enrollments": rows})
    result = runner.invoke(cli, ["--workdir", str(workdir), "check-disclosure", "--exact"])
    assert result.exit_code == 0, result.output
    assert "disclosed: 0" in result.output


def test_the_long_table_and_the_export_publish_what_is_declared(tiny):
    con = duckdb.connect(str(tiny / "warehouse.duckdb"), read_only=True)
    try:
        counts, _ = cells_module.read_counts(con)
    finally:
        con.close()
    declared = {(t, m) for t, table in PUBLICATION.tables.items() for m in table.measures}
    assert set(zip(counts.table, counts.measure, strict=True)) == declared
    exported = cells_module.read_export(PUBLICATION, tiny / "public")
    assert set(zip(exported.table, exported.measure, strict=True)) == declared
    assert sorted(zip(exported.table, exported.measure, exported.key, strict=True)) == sorted(
        zip(counts.table, counts.measure, counts.key, strict=True)
    )  # one published cell per count of the long table, same keys


def test_a_measure_added_to_the_declaration_reaches_the_long_table_and_the_mart(tiny, tmp_path):
    """One edit to vars.publication (a new outcome measure), and the SQL that counts, pivots and
    publishes follows: no list of measures is kept in the models."""
    variables = yaml.safe_load((CHECKOUT / "dbt_project.yml").read_text())["vars"]
    publication = copy.deepcopy(variables["publication"])
    outcomes = publication["tables"]["rpt_program_outcomes"]["measures"]
    outcomes["administrative_or_unknown_exits"] = {"counts": "events", "outcome_group": "UNKNOWN"}
    workdir = Workdir(tmp_path / "work")
    workdir.ensure()
    copy_warehouse(tiny, workdir.root)
    models = ["int_published_counts_unpivoted", "rpt_program_outcomes"]
    command = ["compile", "--select", *models, "--vars", json.dumps({"publication": publication})]
    outcome = dbt_module.invoke(command, workdir, CHECKOUT)
    assert outcome.exit_code == 0, outcome.exception or outcome.failures
    compiled = {
        path.stem: path.read_text() for path in (workdir.target / "compiled").rglob("*.sql")
    }
    counts, mart = compiled["int_published_counts_unpivoted"], compiled["rpt_program_outcomes"]
    assert "then exits else 0 end) as administrative_or_unknown_exits" in counts
    assert "'administrative_or_unknown_exits' as measure" in counts
    assert "published.administrative_or_unknown_exits_suppression" in mart
