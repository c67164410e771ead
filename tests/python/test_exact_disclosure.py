"""The exact disclosure checker (cts.publication) on hand-made tables, and the declaration.

Each hand-made table hides a count that *is* recoverable, through a chain of relations or
through inequalities only, and the checker must find it; a safe twin must come out safe. The
last tests read the tiny build: every declared relation holds on its true counts.
"""

from __future__ import annotations

import copy
import json
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pytest
import yaml
from cts import dbt as dbt_module
from cts.paths import Workdir
from cts.publication import cells as cells_module
from cts.publication import declaration, relations, solver
from cts.publication.check import check_cells
from cts.publication.relations import Cells

CHECKOUT = Path(__file__).resolve().parents[2]
VARIABLES = yaml.safe_load((CHECKOUT / "dbt_project.yml").read_text())["vars"]
PUBLICATION = declaration.parse(VARIABLES)
P, C = "PRIMARY", "COMPLEMENTARY"


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
    # total, and BER's total then pins its category.
    cells = make(
        [
            ("enrollment_events", key(), 60, None),
            ("enrollment_events", key("BER"), 13, C),
            ("enrollment_events", key("SUF"), 47, None),
            ("enrollment_events", key("BER", "EDUCATION"), 4, P),
            ("enrollment_events", key("BER", "RELIGIOUS"), 9, P),
            ("enrollment_events", key("BER", "WORK"), 0, None),
        ]
    )
    # BER = 13 by subtraction; EDUCATION + RELIGIOUS = 13 with each at most 10: 3..10 and 3..10
    found = intervals(cells)
    assert found[("enrollment_events", key("BER"))] == (13, 13)
    assert found[("enrollment_events", key("BER", "EDUCATION"))] == (3, 10)


def test_two_withheld_counts_under_a_published_total_are_safe():
    cells = make(
        [
            ("enrollment_events", key(), 60, None),
            ("enrollment_events", key("BER"), 4, P),
            ("enrollment_events", key("SUF"), 40, C),
            ("enrollment_events", key("WOR"), 16, None),
        ]
    )
    found = intervals(cells)
    assert found[("enrollment_events", key("BER"))] == (1, 10)
    assert found[("enrollment_events", key("SUF"))] == (34, 43)


def test_inequalities_alone_pin_counts():
    # distinct persons of all categories (20) are at most the sum of the categories' persons,
    # each PRIMARY (at most 10): both must be 10. No equation holds here, only bounds.
    cells = make(
        [
            ("distinct_persons", key(), 20, None),
            ("distinct_persons", key(category="EDUCATION"), 10, P),
            ("distinct_persons", key(category="RELIGIOUS"), 10, P),
        ]
    )
    found = intervals(cells)
    assert found[("distinct_persons", key(category="EDUCATION"))] == (10, 10)


def test_persons_at_most_events_bounds_a_withheld_count():
    cells = make(
        [
            ("enrollment_events", key("BER"), 1, P),
            ("distinct_persons", key("BER"), 1, P),
        ]
    )
    # one withheld count of events at most 10 bounds the persons from above, not to one value
    assert intervals(cells)[("distinct_persons", key("BER"))] == (1, 10)


def test_fiscal_and_calendar_years_share_half_years():
    publication = one_year()
    # CY2020 = H1 + H2; FY2020 = H1 (with H2 of 2019 outside a window starting in 2020);
    # FY2021 = H2. With CY2020 and FY2021 published, FY2020 is pinned.
    cells = make(
        [
            ("enrollment_events", key(year=2020), 12, None),
            ("enrollment_events", key(year=2020, period="FISCAL_YEAR"), 4, P),
            ("enrollment_events", key(year=2021, period="FISCAL_YEAR"), 8, None),
        ]
    )
    found = intervals(cells, publication)
    assert found[("enrollment_events", key(year=2020, period="FISCAL_YEAR"))] == (4, 4)
    cells.flag[2], cells.value[2] = P, np.nan
    found = intervals(cells, publication)
    assert found[("enrollment_events", key(year=2020, period="FISCAL_YEAR"))] == (2, 10)


def test_a_published_rate_pins_a_withheld_part():
    k = key("BER")
    cells = make(
        [
            ("successful_exits", k, 20, None),
            ("unsuccessful_exits", k, 10, P),
            ("administrative_exits", k, 0, None),
            ("unknown_exits", k, 0, None),
            ("total_exits", k, 30, C),
        ],
        table="rpt_program_outcomes",
    )
    cells.rates[("rpt_program_outcomes", k, "completion_rate")] = Decimal("0.6667")
    found = intervals(cells)
    assert found[("unsuccessful_exits", k)] == (10, 10)
    del cells.rates[("rpt_program_outcomes", k, "completion_rate")]
    # without the rate, the withheld total leaves the part anywhere from 1 to 10
    assert intervals(cells)[("unsuccessful_exits", k)] == (1, 10)


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
    assert report["ok"] and report["interval_widths"]["5-9"] == 2


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
    assert intervals(cells, without)[("enrollment_events", key("BER"))] == (1, 10)
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
        cells, _ = cells_module.read_counts(con, "intermediate")
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
        "distinct_persons_suppression": None if events == 0 else "COMPLEMENTARY",
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
        counts, _ = cells_module.read_counts(con, "intermediate")
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
    shutil.copyfile(tiny / "warehouse.duckdb", workdir.warehouse)
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
