"""Public-release privacy: the disclosure checker, identifiers, small cells, the release key.

The disclosure checker and the protection are tested on hand-made tables in
test_exact_disclosure.py; these tests read a tiny public export: $CTS_TEST_WORKDIR, else
work/test-tiny (built by `make dbt-test`), else one
built here once per session (`cts run --scale tiny --seed 7`, about a minute).
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from cts.cli import cli
from cts.pseudonym import DEMO_KEY, KEY_ENV
from cts.publication import declaration
from cts.publication.cells import read_export
from submission_kit import copy_warehouse

CHECKOUT = Path(__file__).resolve().parents[2]
PUBLIC_MARTS = ("dim_programs", "rpt_program_enrollments", "rpt_program_exits")
PUBLIC_MARTS += ("rpt_program_outcomes",)

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
    publication = declaration.load(CHECKOUT)
    cells = read_export(publication, tiny / "public")
    small = [cells.describe(i) for i, value in enumerate(cells.value) if 1 <= value <= 10]
    assert not small, small[:5]


def test_the_public_flag_tells_nothing_the_decisions_do_not_prove(tiny):
    # one public flag whatever the reason, so the attacker knows a withheld count is at least
    # 0 and nothing more: the protection's assumption. Small counts are all withheld, and the
    # complementary ones include zeros and counts above the threshold (so the flag cannot be
    # read as "1 to 10" or as "at least 1").
    con = duckdb.connect(str(tiny / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "select suppression, suppression_reason, min(true_value), max(true_value),"
            " count(*) filter (where true_value = 0), min(proven_width)"
            " from intermediate.int_published_counts_protected"
            " where suppression is not null group by all order by all"
        ).fetchall()
    finally:
        con.close()
    found = {reason: (flag, *rest) for flag, reason, *rest in rows}
    assert set(found) == {"COMPLEMENTARY", "PRIMARY"}
    assert {flag for flag, *_ in found.values()} == {"SUPPRESSED"}
    assert found["PRIMARY"][1:3] == (1, 10) and found["PRIMARY"][4] >= 2
    assert found["COMPLEMENTARY"][3] > 0 and found["COMPLEMENTARY"][2] > 10
    assert found["COMPLEMENTARY"][4] >= 1


def test_the_tiny_export_passes_the_disclosure_check(tiny):
    # `cts run` checked this export and kept the report beside it
    report = json.loads((tiny / "disclosure_report.json").read_text())
    assert report["ok"], report["unproved"][:5]
    assert report["unproved_count"] == 0 and report["small_published_counts"] == 0
    assert report["withheld"] > report["withheld_small"] > 0


def test_the_tiny_export_lists_every_exit_reason(tiny):
    # zeros shown: a listed exit reason must not tell that it had exits
    publication = declaration.load(CHECKOUT)
    cells = read_export(publication, tiny / "public")
    exits = [i for i, table in enumerate(cells.table) if table == "rpt_program_exits"]
    exits = [i for i in exits if cells.measure[i] == "exits"]
    assert any(cells.value[i] == 0 for i in exits)
    seed = CHECKOUT / "seeds" / "reference" / "exit_reasons.csv"
    reasons = len(seed.read_text(encoding="utf-8").splitlines()) - 1
    reason_at = declaration.KEY_COLUMNS.index("exit_reason_code")
    group_at = declaration.KEY_COLUMNS.index("outcome_group")
    keys = {cells.key[i][:group_at] for i in exits}
    assert {cells.key[i][reason_at] for i in exits} and reasons == 14
    assert len(exits) == reasons * len(keys)


# --- release exports and the pseudonym key ---------------------------------------------------


@pytest.fixture
def tiny_copy(tiny: Path, tmp_path: Path) -> Path:
    """The tiny warehouse and dbt manifest in a scratch work dir (export writes there)."""
    target = tmp_path / "work"
    (target / "target").mkdir(parents=True)
    copy_warehouse(tiny, target)
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
