"""`cts link` driven in-process: a small CSV linked by the dbt identity models, and its errors."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from cts.cli import cli

FIXTURE = Path(__file__).parent / "fixtures" / "link" / "persons.csv"


def read_links(path: Path) -> dict[str, dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["record_id"]: row for row in csv.DictReader(handle)}


def one_error_line(result) -> str:
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """The fixture CSV linked once (dbt parses the whole project: a few seconds)."""
    from click.testing import CliRunner

    output = tmp_path_factory.mktemp("link") / "links.csv"
    result = CliRunner().invoke(cli, ["link", "--input", str(FIXTURE), "--output", str(output)])
    assert result.exit_code == 0, result.output
    return read_links(output)


def test_every_record_gets_one_person(linked):
    with FIXTURE.open(newline="", encoding="utf-8") as handle:
        record_ids = [row["record_id"] for row in csv.DictReader(handle)]
    assert sorted(linked) == sorted(record_ids)
    assert all(row["person_id"] for row in linked.values())
    assert {row["link_method"] for row in linked.values()} <= {
        "SID",
        "PROBABILISTIC",
        "AGENCY_RECORD",
    }


def test_sid_nickname_and_typo_records_link(linked):
    # r01/r02 share a SID (Robert/Bob); r03 has no SID; r04 a SID one digit-swap off and a
    # surname typo.
    people = {linked[record]["person_id"] for record in ("r01", "r02", "r03", "r04")}
    assert len(people) == 1
    assert linked["r01"]["link_method"] == "SID"
    assert float(linked["r03"]["match_probability"]) >= 0.9


def test_hyphenated_surname_and_century_error_link(linked):
    assert linked["r05"]["person_id"] == linked["r06"]["person_id"]  # Pereira / Pereira-Costa
    assert linked["r09"]["person_id"] == linked["r10"]["person_id"]  # Jose 1968 / Pepe 2068


def test_placeholder_sid_does_not_link_different_people(linked):
    assert linked["r07"]["person_id"] != linked["r08"]["person_id"]  # both MA000000000
    assert linked["r08"]["link_method"] == "AGENCY_RECORD"
    assert linked["r08"]["match_probability"] == ""


def test_missing_required_column_is_one_clear_line(runner, tmp_path):
    broken = tmp_path / "persons.csv"
    with FIXTURE.open(newline="", encoding="utf-8") as source:
        rows = list(csv.reader(source))
    drop = rows[0].index("date_of_birth")
    with broken.open("w", newline="", encoding="utf-8") as target:
        csv.writer(target).writerows([row[:drop] + row[drop + 1 :] for row in rows])
    output = tmp_path / "links.csv"
    result = runner.invoke(cli, ["link", "--input", str(broken), "--output", str(output)])
    assert result.exit_code == 1
    line = one_error_line(result)
    assert line.startswith("cts link: error:") and "missing required column date_of_birth" in line
    assert not output.exists()


def test_bad_birth_date_is_one_clear_line(runner, tmp_path):
    broken = tmp_path / "persons.csv"
    shutil.copyfile(FIXTURE, broken)
    with broken.open("a", encoding="utf-8") as handle:
        handle.write("r99,DOC,W9,,Doe,Jane,,03/14/1980,F,W\n")
    result = runner.invoke(
        cli, ["link", "--input", str(broken), "--output", str(tmp_path / "links.csv")]
    )
    assert result.exit_code == 1
    assert "record r99: date_of_birth '03/14/1980' is not YYYY-MM-DD" in one_error_line(result)


def test_missing_input_file_is_one_clear_line(runner, tmp_path):
    result = runner.invoke(
        cli,
        ["link", "--input", str(tmp_path / "nope.csv"), "--output", str(tmp_path / "o.csv")],
    )
    assert result.exit_code == 1
    assert "no such file" in one_error_line(result)
