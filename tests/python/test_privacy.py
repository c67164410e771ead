"""Public-release privacy: the disclosure checker, identifiers, small cells, the release key.

The checker is first tested on small hand-made tables (one suppressed cell is given away by
each relation; two suppressed cells per relation give nothing away). The other tests read a
tiny public export: $CTS_TEST_WORKDIR, else work/test-tiny (built by `make dbt-test`), else one
built here once per session (`cts run --scale tiny --seed 7`, about a minute).
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from cts import disclosure
from cts.cli import cli
from cts.disclosure import Export, check
from cts.protection import COLUMNS, published_tables
from cts.pseudonym import DEMO_KEY, KEY_ENV

CHECKOUT = Path(__file__).resolve().parents[2]
PUBLIC_MARTS = ("dim_programs", "rpt_program_enrollments", "rpt_program_exits")
PUBLIC_MARTS += ("rpt_program_outcomes",)

# --- the checker on hand-made tables ---------------------------------------------------------


def cell_key(
    agency: str = "ALL",
    category: str = "ALL",
    dimension: str = "ALL",
    value: str = "ALL",
    period: tuple[str, int] = ("CALENDAR_YEAR", 2020),
) -> tuple:
    return (*period, agency, category, dimension, value)


def count(value: int, flag: str | None = None) -> dict[str, object]:
    """A published count, or (with a flag) a suppressed one whose true value is `value`."""
    return {"value": None if flag else value, "flag": flag}


def enrollments(cells: dict[tuple, dict[str, object]]) -> Export:
    rows = {
        key: {
            "enrollment_events": cell["value"],
            "enrollment_events_suppression": cell["flag"],
        }
        for key, cell in cells.items()
    }
    return Export(tables={"rpt_program_enrollments": rows})


def outcomes(
    successful, unsuccessful, administrative, unknown, total, **rates: float | None
) -> Export:
    row: dict[str, object] = {}
    for column, cell in zip(
        disclosure.OUTCOME_COLUMNS + ("total_exits",),
        (successful, unsuccessful, administrative, unknown, total),
        strict=True,
    ):
        row[column] = cell["value"]
        row[f"{column}_suppression"] = cell["flag"]
    for name in disclosure.RATES:
        value = rates.get(name)
        row[name] = None if value is None else Decimal(str(value))
    return Export(tables={"rpt_program_outcomes": {cell_key(): row}})


def recovered(report: dict) -> dict[tuple, object]:
    return {
        (item["table"], item.get("agency_code"), item.get("dimension_value"), item["column"])
        + ((item["period_type"], item["period_year"]) if "period_year" in item else ()): item[
            "value"
        ]
        for item in report["recovered"]
    }


def test_r1_a_lone_suppressed_dimension_value_is_recovered_from_the_total():
    report = check(
        enrollments(
            {
                cell_key(): count(30),
                cell_key(dimension="SEX", value="F"): count(25),
                cell_key(dimension="SEX", value="M"): count(5, "PRIMARY"),
            }
        )
    )
    assert report["recovered_count"] == 1
    (item,) = report["recovered"]
    assert (item["dimension_value"], item["value"]) == ("M", 5)
    assert item["relation"] == "R1_dimension" and not report["ok"]


def test_r1_two_suppressed_values_give_nothing_away():
    report = check(
        enrollments(
            {
                cell_key(): count(30),
                cell_key(dimension="SEX", value="F"): count(20),
                cell_key(dimension="SEX", value="M"): count(4, "PRIMARY"),
                cell_key(dimension="SEX", value="U"): count(6, "PRIMARY"),
            }
        )
    )
    assert report["recovered_count"] == 0 and report["ok"], report["recovered"]


def test_r2_a_lone_suppressed_agency_is_recovered_from_the_statewide_row():
    report = check(
        enrollments(
            {
                cell_key(): count(27),
                cell_key("AAA"): count(20),
                cell_key("BBB"): count(7, "PRIMARY"),
            }
        )
    )
    assert [(i["agency_code"], i["value"], i["relation"]) for i in report["recovered"]] == [
        ("BBB", 7, "R2_agency")
    ]


def test_r2_two_suppressed_agencies_give_nothing_away():
    report = check(
        enrollments(
            {
                cell_key(): count(35),
                cell_key("AAA"): count(7, "PRIMARY"),
                cell_key("BBB"): count(8, "PRIMARY"),
                cell_key("CCC"): count(20),
            }
        )
    )
    assert report["recovered_count"] == 0, report["recovered"]


def test_r3_a_lone_suppressed_category_is_recovered():
    report = check(
        enrollments(
            {
                cell_key(): count(40),
                cell_key(category="EDUCATION"): count(31),
                cell_key(category="OTHER"): count(9, "PRIMARY"),
            }
        )
    )
    assert [(i["category_code"], i["value"]) for i in report["recovered"]] == [("OTHER", 9)]


def test_r4_calendar_and_fiscal_years_give_a_lone_year_away():
    cy, fy = "CALENDAR_YEAR", "FISCAL_YEAR"
    cells = {
        cell_key(period=(cy, 2017)): count(30),
        cell_key(period=(cy, 2018)): count(6, "PRIMARY"),
        cell_key(period=(fy, 2017)): count(20),
        cell_key(period=(fy, 2018)): count(16),
    }
    report = check(enrollments(cells))
    assert [(i["period_year"], i["value"], i["relation"]) for i in report["recovered"]] == [
        (2018, 6, "R4_period")
    ]
    cells[cell_key(period=(fy, 2018))] = count(16, "COMPLEMENTARY")
    assert check(enrollments(cells))["recovered_count"] == 0


def test_r5_the_outcome_row_gives_a_lone_group_away():
    report = check(outcomes(count(20), count(15), count(4, "PRIMARY"), count(0), count(39)))
    assert [(i["column"], i["value"], i["relation"]) for i in report["recovered"]] == [
        ("administrative_exits", 4, "R5_outcome_row")
    ]
    two = outcomes(count(20), count(15), count(4, "PRIMARY"), count(12, "COMPLEMENTARY"), count(51))
    assert check(two)["recovered_count"] == 0


def test_r6_holds_only_at_the_levels_exit_reasons_are_published_at():
    # exit reasons listed for the ALL row only: the SEX rows of Program Outcomes have no reasons
    # published, which must not read as "no exits" (that would give their counts away as 0)
    rows = dict(
        outcomes(count(0), count(0), count(15), count(0), count(15)).tables["rpt_program_outcomes"]
    )
    (statewide,) = rows.values()
    for value, flag in (("F", "PRIMARY"), ("M", "COMPLEMENTARY")):  # 4 and 11 exits
        row = dict(statewide)
        for column in ("administrative_exits", "total_exits"):
            row[column], row[f"{column}_suppression"] = None, flag
        rows[cell_key(dimension="SEX", value=value)] = row
    reasons = {
        (*cell_key(), "ADMINISTRATIVE", "RELEASED_FROM_CUSTODY"): {
            "exits": 15,
            "exits_suppression": None,
        }
    }
    export = Export(tables={"rpt_program_outcomes": rows, "rpt_program_exits": reasons})
    report = check(export)
    assert report["relations"]["R6_exit_reasons"]["equations"] == 4  # the ALL row's groups
    assert report["recovered_count"] == 0 and not report["inconsistent"], report["recovered"]


def test_r8_a_rate_gives_its_lone_suppressed_part_away():
    export = outcomes(
        count(30),
        count(20, "COMPLEMENTARY"),
        count(0),
        count(0),
        count(50, "COMPLEMENTARY"),
        completion_rate=0.6,
    )
    report = check(export)
    by_column = {item["column"]: item for item in report["recovered"]}
    assert by_column["unsuccessful_exits"]["value"] == 20
    assert by_column["unsuccessful_exits"]["relation"] == "R8_rates"
    assert report["rate_rule_violations"]["count"] == 1  # published over a suppressed part


def test_r8_a_rate_over_two_suppressed_parts_gives_nothing_away():
    export = outcomes(
        count(30, "COMPLEMENTARY"),
        count(20, "COMPLEMENTARY"),
        count(0),
        count(0),
        count(50, "COMPLEMENTARY"),
        completion_rate=0.6,
    )
    assert check(export)["recovered_count"] == 0


def test_bounds_two_primary_cells_adding_up_to_two_are_both_one():
    report = check(
        enrollments(
            {
                cell_key(): count(22),
                cell_key(dimension="SEX", value="F"): count(20),
                cell_key(dimension="SEX", value="M"): count(1, "PRIMARY"),
                cell_key(dimension="SEX", value="U"): count(1, "PRIMARY"),
            }
        )
    )
    assert sorted(i["value"] for i in report["recovered"]) == [1, 1]
    assert {i["method"] for i in report["recovered"]} == {"bounds"}


def test_bounds_every_withheld_count_is_at_least_one():
    # zeros are never withheld: under a PRIMARY statewide 10, ten withheld agencies (one of
    # them COMPLEMENTARY) are each at least 1, so all eleven are pinned; while 12 = F + M with
    # F COMPLEMENTARY (any count from 1 up) and M PRIMARY pins neither
    cells = {cell_key(): count(10, "PRIMARY"), cell_key(agency="A00"): count(1, "COMPLEMENTARY")}
    for number in range(1, 10):
        cells[cell_key(agency=f"A{number:02d}")] = count(1, "PRIMARY")
    report = check(enrollments(cells))
    assert sorted(item["value"] for item in report["recovered"]) == [1] * 10 + [10]
    twelve = {
        cell_key(): count(12),
        cell_key(dimension="SEX", value="F"): count(11, "COMPLEMENTARY"),
        cell_key(dimension="SEX", value="M"): count(1, "PRIMARY"),
    }
    assert check(enrollments(twelve))["recovered_count"] == 0


def test_bounds_a_complementary_total_is_not_held_to_the_threshold():
    # a statewide 10 over ten agencies of 1 (PRIMARY): flagged PRIMARY, the total is at most
    # 10 and the ten parts of at least 1 are pinned; flagged COMPLEMENTARY, nothing is
    cells = {cell_key(): count(10, "COMPLEMENTARY")}
    for number in range(10):
        cells[cell_key(agency=f"A{number:02d}")] = count(1, "PRIMARY")
    report = check(enrollments(cells))
    assert report["recovered_count"] == 0 and report["ok"], report["recovered"][:3]
    cells[cell_key()] = count(10, "PRIMARY")
    assert check(enrollments(cells))["recovered_count"] == 11


def test_inequalities_a_program_cannot_exit_more_than_it_enrolled():
    # 12 enrollments, 11 completed: at most 1 unsuccessful exit, and a withheld count is at
    # least 1 (I2); with 13 enrollments the unsuccessful exits are 1 or 2
    def program(enrolled: int) -> Export:
        record = {"category_code": "EDUCATION"}
        for column, value, flag in (
            ("enrollment_events", enrolled, None),
            ("distinct_persons", 12, None),
            ("successful_exits", 11, None),
            ("unsuccessful_exits", None, "PRIMARY"),
        ):
            record[column], record[f"{column}_suppression"] = value, flag
        return Export(tables={"dim_programs": {("AAA", "P1"): record}})

    report = check(program(12))
    assert [(i["column"], i["value"], i["relation"]) for i in report["recovered"]] == [
        ("unsuccessful_exits", 1, "I2_program_exits")
    ]
    assert check(program(13))["recovered_count"] == 0


def test_inequalities_persons_are_at_most_the_events_they_are_counted_from():
    # age group B's events are 12 - 11 = 1 (R1), so its persons (not additive over age
    # groups, a person can change group within a year) are at most 1 (I1)
    rows = {}
    for key, events, persons in (
        (cell_key(), count(12), count(11)),
        (cell_key(dimension="AGE_GROUP", value="A"), count(11), count(11)),
        (cell_key(dimension="AGE_GROUP", value="B"), count(1, "PRIMARY"), count(1, "PRIMARY")),
    ):
        rows[key] = {
            "enrollment_events": events["value"],
            "enrollment_events_suppression": events["flag"],
            "distinct_persons": persons["value"],
            "distinct_persons_suppression": persons["flag"],
        }
    report = check(Export(tables={"rpt_program_enrollments": rows}))
    assert sorted((i["column"], i["value"], i["relation"]) for i in report["recovered"]) == [
        ("distinct_persons", 1, "I1_persons"),
        ("enrollment_events", 1, "R1_dimension"),
    ]


def test_inequalities_a_fiscal_year_is_at_most_the_calendar_years_it_overlaps():
    # distinct persons do not add up over years, but FY2021 (July 2020 to June 2021) has no
    # one CY2020 and CY2021 do not: 30 <= 20 + CY2021 pins a PRIMARY CY2021 at 10 (I4)
    rows = {}
    for period, persons in (
        (("CALENDAR_YEAR", 2020), count(20)),
        (("CALENDAR_YEAR", 2021), count(10, "PRIMARY")),
        (("FISCAL_YEAR", 2020), count(15)),
        (("FISCAL_YEAR", 2021), count(30)),
        (("FISCAL_YEAR", 2022), count(0)),
    ):
        rows[cell_key(period=period)] = {
            "distinct_persons": persons["value"],
            "distinct_persons_suppression": persons["flag"],
        }
    report = check(Export(tables={"rpt_program_enrollments": rows}))
    assert [(i["period_year"], i["value"], i["relation"]) for i in report["recovered"]] == [
        (2021, 10, "I4_period_overlap")
    ]
    rows[cell_key(period=("FISCAL_YEAR", 2021))]["distinct_persons"] = 29
    assert check(Export(tables={"rpt_program_enrollments": rows}))["recovered_count"] == 0


@pytest.mark.parametrize("dense_limit", [100, 1])  # dense SVD, then conjugate gradients
def test_rank_test_finds_cells_no_single_equation_gives_away(dense_limit):
    # x0 + x1 = 50, x1 + x2 = 60, x0 + x2 = 70: every equation has two unknowns, no bound
    # helps, yet x0 = 30, x1 = 20, x2 = 40; and a 2x2 block (y) with its margins stays hidden
    system = disclosure.System(Export(tables={}))
    for index in range(7):
        system.unknowns.append(("rpt_program_enrollments", (index,), "enrollment_events"))
        system.flags.append("COMPLEMENTARY")
    for terms, rhs in (
        ({0: 1, 1: 1}, 50),
        ({1: 1, 2: 1}, 60),
        ({0: 1, 2: 1}, 70),
        ({3: 1, 4: 1}, 30),
        ({5: 1, 6: 1}, 30),
        ({3: 1, 5: 1}, 30),
        ({4: 1, 6: 1}, 30),
    ):
        system.equations.append(disclosure.Equation("R2_agency", terms, disclosure.Fraction(rhs)))
    solver = disclosure.Solver(system, dense_limit=dense_limit, iterative=True)
    solver.run()
    found = {recovery.unknown: recovery.value for recovery in solver.recovered}
    assert found == {0: 30, 1: 20, 2: 40}
    assert {recovery.method for recovery in solver.recovered} <= {"rank", "rank (iterative)"}
    assert not solver.untested


def test_only_fraction_pins_a_ratio_when_denominators_are_small():
    lo, hi = disclosure.Fraction(59995, 100000), disclosure.Fraction(60005, 100000)
    assert disclosure.only_fraction(lo, hi, 50) == disclosure.Fraction(3, 5)
    assert disclosure.only_fraction(lo, hi, 20000) is None


# --- the tiny export -------------------------------------------------------------------------


def exported_columns(public: Path) -> dict[str, list[str]]:
    con = duckdb.connect()
    try:
        return {
            mart: [
                row[0]
                for row in con.execute(
                    "select column_name from (describe select * from read_csv(?))",
                    [str(public / f"{mart}.csv")],
                ).fetchall()
            ]
            for mart in PUBLIC_MARTS
        }
    finally:
        con.close()


IDENTIFYING_COLUMN = re.compile(
    r"(^|_)(sid|pcf|obtn|dob|birth|first_name|last_name|middle_name|surname|commit|booking"
    r"|inmate|person_id|stay_id|person_key|pseudonym|name_key|ssn)",
    re.IGNORECASE,
)
RAW_IDENTIFYING_COLUMN = re.compile(
    r"(^|_)(sid|pcf|obtn|dob|date_of_birth|birth|first_name|last_name|middle_name|commit"
    r"|booking|inmate|person_id|agency_person_id|stay_id)",
    re.IGNORECASE,
)


def test_no_exported_column_is_an_identifier(tiny):
    for mart, columns in exported_columns(tiny / "public").items():
        flagged = [column for column in columns if IDENTIFYING_COLUMN.search(column)]
        assert not flagged, f"{mart} exports identifying columns {flagged}"


def _identifiers(tiny: Path) -> tuple[set[str], set[str]]:
    """Identifying values of the raw data, and values that are public by design (programs).

    Values shorter than 3 characters (middle initials, sex codes) identify nobody alone.
    """
    found: set[str] = set()
    public: set[str] = set()
    files = sorted((tiny / "data").rglob("*.csv"))
    assert files, f"no raw submissions or truth files under {tiny / 'data'}"
    for path in files:
        with path.open(encoding="utf-8", errors="replace", newline="") as handle:
            header = handle.readline()
            delimiter = max(",|;\t", key=header.count)
            handle.seek(0)
            reader = csv.reader(handle, delimiter=delimiter)
            columns = [name.strip() for name in next(reader, [])]
            identifying = [
                index
                for index, name in enumerate(columns)
                if RAW_IDENTIFYING_COLUMN.search(name)
                or name.lower() in {"agency_enrollment_id", "truth_enrollment_id"}
            ]
            program_file = "program" in path.name.lower()
            full_name = (
                (columns.index("first_name"), columns.index("last_name"))
                if {"first_name", "last_name"} <= set(columns)
                else None
            )
            for row in reader:
                for index in identifying:
                    if index < len(row):
                        found.add(row[index].strip().lower())
                if program_file:
                    public.update(
                        value.strip().lower()
                        for index, value in enumerate(row)
                        if index not in identifying
                    )
                if full_name and max(full_name) < len(row):
                    found.add(f"{row[full_name[0]]} {row[full_name[1]]}".strip().lower())
    return {value for value in found if len(value) >= 3}, public


def test_no_exported_value_is_a_raw_identifier(tiny):
    identifiers, public_by_design = _identifiers(tiny)
    assert len(identifiers) > 100
    con = duckdb.connect()
    leaks = []
    try:
        for mart in PUBLIC_MARTS:
            path = str(tiny / "public" / f"{mart}.csv")
            columns = exported_columns(tiny / "public")[mart]
            for column in columns:
                values = con.execute(
                    f'select distinct lower(trim("{column}")) from read_csv(?, all_varchar = true)'
                    f' where "{column}" is not null',
                    [path],
                ).fetchall()
                hits = {row[0] for row in values} & identifiers - public_by_design
                if hits:
                    leaks.append((mart, column, sorted(hits)[:5]))
    finally:
        con.close()
    assert not leaks, leaks


def test_no_published_count_is_small(tiny):
    export = disclosure.read_export(tiny / "public")
    small = disclosure.small_published_counts(export)
    assert not small, small[:5]


@pytest.fixture(scope="module")
def tiny_report(tiny):
    export = disclosure.read_export(tiny / "public")
    flags = {
        record.get(f"{column}_suppression")
        for table, rows in export.tables.items()
        for record in rows.values()
        for column in disclosure.TABLES[table][1]
    }
    assert "COMPLEMENTARY" in flags, "complementary suppression left no COMPLEMENTARY flag"
    # `cts run` checked this export already and kept the report beside it: the same checker on
    # the same files, so it is read rather than solved a second time (tens of seconds)
    report = tiny / "disclosure_report.json"
    manifest = tiny / "public" / "manifest.json"
    if report.is_file() and report.stat().st_mtime >= manifest.stat().st_mtime:
        return json.loads(report.read_text())
    return check(export)


def test_the_tiny_export_breaks_no_rate_rule_and_leaves_nothing_untested(tiny_report):
    assert tiny_report["rate_rule_violations"]["count"] == 0, tiny_report["rate_rule_violations"]
    assert not tiny_report["components"]["untested"], tiny_report["components"]
    assert not tiny_report["small_published_counts"]["count"], tiny_report["small_published_counts"]


def test_the_tiny_export_gives_no_suppressed_count_away(tiny_report):
    # the attacker knows what the rules make every flag say (every withheld count at least 1,
    # PRIMARY at most the threshold) and solves every published relation: it must pin nothing
    assert tiny_report["recovered_count"] == 0, tiny_report["recovered"][:10]
    assert tiny_report["unknowns_by_flag"].get("COMPLEMENTARY", 0) > 0


def test_what_the_checker_assumes_of_each_flag_is_true_of_the_tiny_export(tiny):
    # the attacker's reading must be what the rules make true, else "recovers nothing" proves
    # nothing: every withheld count is at least 1 (zeros are shown), a PRIMARY one at most the
    # threshold, and COMPLEMENTARY ones include small counts (so it may not assume more)
    con = duckdb.connect(str(tiny / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "select suppression, min(true_value), max(true_value), count(*),"
            " count(*) filter (where true_value <= 10)"
            " from intermediate.int_published_counts_protected"
            " where suppression is not null group by suppression order by suppression"
        ).fetchall()
    finally:
        con.close()
    found = {flag: (low, high, small) for flag, low, high, _count, small in rows}
    assert set(found) == {"COMPLEMENTARY", "PRIMARY"}
    for flag, (low, high, _small) in found.items():
        bound_low, bound_high = disclosure.flag_bounds(flag, 10)
        assert bound_low <= low and high <= bound_high, (flag, low, high)
    assert found["PRIMARY"][:2] == (1, 10)
    assert found["COMPLEMENTARY"][2] > 0 and found["COMPLEMENTARY"][1] > 10


def test_every_relation_the_checker_uses_holds_on_the_true_counts(tiny):
    # the attacker's equations (R1..R7) and inequalities (I1..I4) must be true of the real
    # counts, else what it "recovers" or cannot recover means nothing: with every count of
    # the tiny build published, none is violated and none is dropped
    con = duckdb.connect(str(tiny / "warehouse.duckdb"), read_only=True)
    try:
        columns = ", ".join(
            "cast(null as varchar) as suppression" if name == "suppression" else name
            for name in COLUMNS
        )
        rows = con.execute(
            f"select {columns} from intermediate.int_published_counts_protected"
        ).fetchall()
    finally:
        con.close()
    system = disclosure.build_system(published_tables(rows, threshold=10).export)
    assert not system.unknowns
    assert not any(system.violations.values()), dict(system.violations)
    assert not system.dropped, system.dropped
    relations = {name for name, checked in system.checked.items() if checked}
    assert relations >= set(disclosure.RELATIONS) - {"R8_rates"}, relations


def test_the_tiny_export_lists_every_exit_reason(tiny):
    # zeros shown: a listed exit reason must not tell that it had exits
    export = disclosure.read_export(tiny / "public")
    exits = export.tables["rpt_program_exits"]
    assert any(record["exits"] == 0 for record in exits.values())
    seed = CHECKOUT / "seeds" / "reference" / "exit_reasons.csv"
    reasons = len(seed.read_text(encoding="utf-8").splitlines()) - 1
    cells = {key[: len(disclosure.CELL_KEY)] for key in exits}
    assert reasons == 14 and len(exits) == reasons * len(cells)


# --- release exports and the pseudonym key ---------------------------------------------------


@pytest.fixture
def tiny_copy(tiny: Path, tmp_path: Path) -> Path:
    """The tiny warehouse and dbt manifest in a scratch work dir (export writes there)."""
    target = tmp_path / "work"
    (target / "target").mkdir(parents=True)
    shutil.copyfile(tiny / "warehouse.duckdb", target / "warehouse.duckdb")
    shutil.copyfile(tiny / "target" / "manifest.json", target / "target" / "manifest.json")
    return target


def test_release_export_with_the_demo_key_fails_with_one_line(runner, tiny_copy, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    result = runner.invoke(cli, ["--workdir", str(tiny_copy), "export", "--release"])
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "demo key" in lines[0], result.stderr
    assert not (tiny_copy / "public" / "manifest.json").exists()
    monkeypatch.setenv(KEY_ENV, DEMO_KEY)
    result = runner.invoke(cli, ["--workdir", str(tiny_copy), "export", "--release"])
    assert result.exit_code == 1 and "demo key" in result.stderr


def test_release_export_refuses_a_build_made_with_the_demo_key(runner, tiny_copy, monkeypatch):
    (tiny_copy / "build_info.json").write_text(json.dumps({"pseudonym_key": "demo"}))
    monkeypatch.setenv(KEY_ENV, "a-secret-kept-outside-the-repo")
    result = runner.invoke(cli, ["--workdir", str(tiny_copy), "export", "--release"])
    assert result.exit_code == 1
    assert "built with the demo pseudonym key" in result.stderr


def test_release_export_with_a_secret_key_passes_the_key_check(runner, tiny_copy, monkeypatch):
    (tiny_copy / "build_info.json").write_text(json.dumps({"pseudonym_key": "custom"}))
    monkeypatch.setenv(KEY_ENV, "a-secret-kept-outside-the-repo")
    result = runner.invoke(cli, ["--workdir", str(tiny_copy), "export", "--release"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tiny_copy / "public" / "manifest.json").read_text())
    assert manifest["pseudonym_key"] == "custom" and manifest["synthetic_demo"] is False
    assert manifest["release"] is True
    dictionary = (tiny_copy / "public" / "data_dictionary.md").read_text()
    assert "## Disclosure control" in dictionary and "Synthetic demo data" not in dictionary


def test_a_demo_export_is_marked_as_such(runner, tiny_copy, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    result = runner.invoke(cli, ["--workdir", str(tiny_copy), "export"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tiny_copy / "public" / "manifest.json").read_text())
    assert manifest["pseudonym_key"] == "demo" and manifest["synthetic_demo"] is True
    assert manifest["disclosure_control"]["threshold"] == 10
    dictionary = (tiny_copy / "public" / "data_dictionary.md").read_text()
    assert "## Disclosure control" in dictionary and "Synthetic demo data" in dictionary


def test_build_info_records_the_key_kind(tmp_path, monkeypatch):
    from cts.export import write_build_info
    from cts.paths import Workdir

    workdir = Workdir(tmp_path)
    monkeypatch.delenv(KEY_ENV, raising=False)
    assert json.loads(write_build_info(workdir).read_text())["pseudonym_key"] == "demo"
    monkeypatch.setenv(KEY_ENV, "secret")
    assert json.loads(write_build_info(workdir).read_text())["pseudonym_key"] == "custom"


def test_check_disclosure_command_reports_and_fails_on_recoveries(runner, tmp_path):
    public = tmp_path / "work" / "public"
    public.mkdir(parents=True)
    con = duckdb.connect()
    try:
        con.execute(
            "copy (select * from (values"
            " ('CALENDAR_YEAR', 2020, 'ALL', 'ALL', 'ALL', 'ALL', 30::bigint, null::varchar),"
            " ('CALENDAR_YEAR', 2020, 'ALL', 'ALL', 'SEX', 'F', 25, null),"
            " ('CALENDAR_YEAR', 2020, 'ALL', 'ALL', 'SEX', 'M', null, 'PRIMARY'))"
            " as t(period_type, period_year, agency_code, category_code, dimension,"
            " dimension_value, enrollment_events, enrollment_events_suppression))"
            f" to '{public / 'rpt_program_enrollments.parquet'}' (format parquet)"
        )
    finally:
        con.close()
    result = runner.invoke(cli, ["--workdir", str(tmp_path / "work"), "check-disclosure"])
    assert result.exit_code == 1
    assert "1 suppressed counts recoverable" in result.stderr
    report = json.loads((tmp_path / "work" / "disclosure_report.json").read_text())
    assert report["recovered"][0]["value"] == 5
