"""The synthetic data generator at tiny scale: layout contract, determinism, defects, truth."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from cts.generate import DEFAULT_DEFECT_RATES, SCALES, generate
from cts.generate.layouts import agency_layout, roles
from cts.generate.profiles import month_of_period
from cts.manifest import MANIFEST_NAME, describe_file, read_manifest

SEED = 7
AGENCIES = ["DOC", "BAR", "BER", "BRI", "DUK", "ESS", "FRA", "HMD", "HMS", "MID", "NOR", "PLY"]
AGENCIES += ["SUF", "WOR"]


@pytest.fixture(scope="session")
def generated(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("tiny")
    summary = generate("tiny", SEED, out)
    return out, summary


def _layout(agency: str, month: str):
    return agency_layout(agency, month_of_period(month[:7]))


def _read(path: Path, agency: str, month: str) -> list[list[str]]:
    layout = _layout(agency, month)
    text = path.read_bytes().decode(layout.encoding)
    return list(csv.reader(io.StringIO(text), delimiter=layout.delimiter))


def _submissions(root: Path):
    """(agency, month, revision number, folder) of every submission."""
    for agency_dir in sorted((root / "submissions").iterdir()):
        for month_dir in sorted(agency_dir.iterdir()):
            for rev_dir in sorted(month_dir.iterdir()):
                yield agency_dir.name, month_dir.name, int(rev_dir.name[1:]), rev_dir


def _data_files(folder: Path) -> list[Path]:
    """The files of a submission folder but its manifest."""
    return sorted(p for p in folder.iterdir() if p.name != MANIFEST_NAME)


def _truth(root: Path, name: str) -> list[dict[str, str]]:
    with (root / "truth" / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def test_bad_scale_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="unknown scale"):
        generate("huge", 1, tmp_path)
    assert set(SCALES) == {"tiny", "demo", "full"}


def test_bad_defect_name_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="unknown defect"):
        generate("tiny", 1, tmp_path, defect_rates={"no_such_defect": 0.1})


def test_same_seed_gives_identical_files(generated, tmp_path):
    out, _ = generated
    # Rerun into a directory holding stale output: it must be replaced, not merged.
    stale = tmp_path / "submissions" / "NAN" / "2017-01" / "r1"
    stale.mkdir(parents=True)
    (stale / "junk.csv").write_text("x\n")
    generate("tiny", SEED, tmp_path)
    assert _tree_hash(out) == _tree_hash(tmp_path)


def test_every_agency_and_month_present(generated):
    out, _ = generated
    present = sorted(p.name for p in (out / "submissions").iterdir())
    assert present == sorted(AGENCIES)
    assert "NAN" not in present
    for agency in AGENCIES:
        months = sorted(p.name for p in (out / "submissions" / agency).iterdir())
        assert len(months) == 108 and months[0] == "2017-01" and months[-1] == "2025-12"


def test_every_submission_has_every_file_of_its_layout(generated):
    out, _ = generated
    kinds = set()
    for agency, month, _, folder in _submissions(out):
        layout = _layout(agency, month)
        kinds.add(layout.layout)
        expected = {layout.files[role].name for role in roles(agency)}
        assert {p.name for p in _data_files(folder)} == expected, folder
    assert kinds == {"doc_v1", "doc_v2", "enroll", "events", "attend"}


def test_every_submission_has_a_manifest_of_its_files(generated):
    out, _ = generated
    for agency, month, revision, folder in _submissions(out):
        manifest = read_manifest(folder / MANIFEST_NAME)
        assert (manifest.agency, manifest.period, manifest.revision) == (agency, month, revision)
        assert manifest.files == {p.name: describe_file(p) for p in _data_files(folder)}


def test_headers_follow_the_contract(generated):
    out, _ = generated
    literal = {
        ("DOC", "2018-05", "inmates.csv"): "COMMIT_NO,SID,LAST_NAME,FIRST_NAME,MIDDLE_NAME,DOB,"
        "SEX,RACE,HISP,PCF_NO",
        ("DOC", "2021-05", "enrollment.txt"): "enrollment_number|commitment_number|program_code|"
        "start_date|end_date|end_reason_code|end_reason",
        ("ESS", "2019-01", "bookings.txt"): "BOOKING_NUM\tINMATE_NUM\tFACILITY\tBOOK_DATE\t"
        "REL_DATE\tLEGAL_STATUS\tREL_REASON",
        ("BRI", "2019-01", "stays.csv"): "stay_id;person_id;facility;admission_date;"
        "release_date;legal_status;release_reason;sending_agency",
        ("NOR", "2019-01", "persons.psv"): "PersonID|SID|LastName|FirstName|MiddleName|"
        "DateOfBirth|Sex|Race|Ethnicity",
        ("FRA", "2019-01", "attendance.csv"): "attendance_id|client_id|course_id|session_date|"
        "attended",
        ("WOR", "2019-01", "enrollments.csv"): "enroll_no,booking_no,prog_code,enroll_date,"
        "exit_date,exit_reason",
    }
    for (agency, month, name), header in literal.items():
        path = out / "submissions" / agency / month / "r1" / name
        encoding = "cp1252" if agency in ("ESS", "BRI") else "utf-8"
        assert path.read_bytes().decode(encoding).split("\n", 1)[0] == header
    for agency, month, _, folder in _submissions(out):
        layout = _layout(agency, month)
        for role in roles(agency):
            spec = layout.files[role]
            rows = _read(folder / spec.name, agency, month)
            assert rows[0] == spec.header


def test_encodings_and_accents(generated):
    out, _ = generated
    accented = Counter()
    for agency, month, _, folder in _submissions(out):
        layout = _layout(agency, month)
        for path in _data_files(folder):
            data = path.read_bytes()
            text = data.decode(layout.encoding)  # strict: raises on a wrong encoding
            if any(ord(ch) > 127 for ch in text):
                accented[agency] += 1
    assert accented["ESS"] > 0 and accented["BRI"] > 0


def _data_lines(out: Path) -> int:
    total = 0
    for _, _, _, folder in _submissions(out):
        for path in _data_files(folder):
            total += path.read_bytes().count(b"\n") - 1
    return total


def test_summary_counts_rows_and_tiny_size(generated):
    out, summary = generated
    assert summary["total_rows"] == _data_lines(out)
    assert 35_000 <= summary["total_rows"] <= 60_000
    assert sum(summary["rows_per_agency"].values()) == summary["total_rows"]
    assert summary["submissions"] >= 14 * 108


def test_dates_parse_in_each_agency_format(generated):
    """Dates parse with the documented format, except the rows the defect log names."""
    from datetime import datetime

    out, _ = generated
    bad = 0
    checked = 0
    flagged = {
        (d["submission"], d["file"], d["line"])
        for d in _truth(out, "defects")
        if d["defect"] in ("unparseable_date", "malformed_line")
    }
    superseded = {d["submission"] for d in _truth(out, "defects") if d["defect"] == "correction"}
    for agency, month, rev, folder in _submissions(out):
        layout = _layout(agency, month)
        submission = f"{agency}/{month}/r{rev}"
        if submission in superseded:
            continue
        spec = layout.files["activity"]
        date_cols = [i for i, k in enumerate(spec.keys) if k in ("start", "date", "end")]
        for line, row in enumerate(_read(folder / spec.name, agency, month)[1:], start=2):
            if (submission, spec.name, str(line)) in flagged or len(row) != len(spec.keys):
                continue
            for i in date_cols:
                if not row[i]:
                    continue
                checked += 1
                try:
                    datetime.strptime(row[i], layout.date_format)
                except ValueError:
                    bad += 1
    assert checked > 10_000
    assert bad == 0


def test_defect_rates_match_their_settings(generated):
    out, summary = generated
    log = _truth(out, "defects")
    counts = Counter(d["defect"] for d in log)
    # A corrected month logs one entry per damaged file: count months.
    counts["correction"] = len(
        {d["submission"].rsplit("/", 1)[0] for d in log if d["defect"] == "correction"}
    )
    opportunities = summary["defect_opportunities"]
    checked = 0
    for defect, rate in DEFAULT_DEFECT_RATES.items():
        n = opportunities.get(defect, 0)
        assert n > 0, defect
        expected = n * rate
        tolerance = 4 * math.sqrt(expected * (1 - rate)) + 3
        if defect == "late_record":  # late rows that cannot move (next send too close) drop out
            assert 0.5 * expected - tolerance <= counts[defect] <= expected + tolerance, defect
        else:
            assert abs(counts[defect] - expected) <= tolerance, (defect, counts[defect], expected)
        checked += 1
    assert checked == len(DEFAULT_DEFECT_RATES)
    # Independent of the generator's own bookkeeping: duplicates against counted rows.
    rows = sum(
        v for k, v in summary["rows_per_file_kind"].items() if not k.endswith((".catalog", "exits"))
    )
    assert counts["duplicate_row"] <= rows * DEFAULT_DEFECT_RATES["duplicate_row"] * 1.6 + 5


def test_defect_log_points_at_real_lines(generated):
    out, _ = generated
    checked = 0
    for d in _truth(out, "defects"):
        if (
            d["defect"] not in ("duplicate_row", "unknown_program_code", "nickname")
            or not d["line"]
        ):
            continue
        agency, month, rev = d["submission"].split("/")
        path = out / "submissions" / agency / month / rev / d["file"]
        rows = _read(path, agency, month)
        row = rows[int(d["line"]) - 1]
        assert d["record_key"] in row, d
        if d["defect"] == "duplicate_row":
            assert rows[int(d["line"]) - 2] == row
        checked += 1
    assert checked > 50


def test_zero_rates_give_clean_data(tmp_path):
    rates = {name: 0.0 for name in DEFAULT_DEFECT_RATES}
    summary = generate("tiny", 3, tmp_path, defect_rates=rates)
    assert summary["defect_counts"] == {}
    assert len(_truth(tmp_path, "defects")) == 0


def _people_ids(out: Path) -> dict[str, set[str]]:
    ids: dict[str, set[str]] = defaultdict(set)
    for agency, month, _, folder in _submissions(out):
        layout = _layout(agency, month)
        for row in _read(folder / layout.files["people"].name, agency, month)[1:]:
            ids[agency].add(row[0])
    return ids


def test_truth_records_exist_in_people_files(generated):
    out, _ = generated
    ids = _people_ids(out)
    records = _truth(out, "records")
    persons = {p["person_id"] for p in _truth(out, "persons")}
    assert records
    for record in records:
        assert record["person_id"] in persons
        present = record["agency_person_id"] in ids[record["agency_code"]]
        assert present == (record["in_people_file"] == "true"), record


def _activity_keys(out: Path) -> dict[str, set[tuple]]:
    """Per agency, the keys by which a truth enrollment can be found in the activity files."""
    keys: dict[str, set[tuple]] = defaultdict(set)
    for agency, month, _, folder in _submissions(out):
        layout = _layout(agency, month)
        spec = layout.files["activity"]
        for row in _read(folder / spec.name, agency, month)[1:]:
            if len(row) != len(spec.keys):
                continue
            record = dict(zip(spec.keys, row, strict=True))
            if layout.layout in ("doc_v1", "doc_v2", "enroll"):
                keys[agency].add((record["enroll_id"],))
            elif layout.layout == "events":
                keys[agency].add((record["stay_id"], record["program"], record["date"]))
            else:
                keys[agency].add((record["person_id"], record["program"], record["date"]))
    return keys


def test_truth_enrollments_appear_in_submissions(generated):
    from datetime import date

    out, _ = generated
    keys = _activity_keys(out)
    found = missing = 0
    for e in _truth(out, "enrollments"):
        agency = e["agency_code"]
        layout = _layout(agency, e["start_date"][:7])
        if layout.layout in ("doc_v1", "doc_v2", "enroll"):
            key = (e["agency_enrollment_id"],)
        else:
            start = date.fromisoformat(e["start_date"])
            when = start.strftime(layout.date_format)
            who = e["stay_id"] if layout.layout == "events" else e["agency_person_id"]
            key = (who, e["program_code"], when)
        if key in keys[agency]:
            found += 1
        else:
            missing += 1
    # Only rows hit by a field defect (blank code, unknown code, broken line...) may be missing.
    assert found > 2000
    assert missing <= 0.02 * (found + missing)


def test_stays_open_and_close_and_sending_agency(generated):
    out, _ = generated
    stays = _truth(out, "stays")
    senders = {s["sending_agency"] for s in stays if s["facility_code"] == "HMD_WMRWCC"}
    assert senders & {"BER", "FRA", "HMS"}
    assert {s["sending_agency"] for s in stays if s["agency_code"] != "HMD"} == {""}
    statuses = Counter(s["custody_status"] for s in stays if s["agency_code"] != "DOC")
    share = statuses["PRETRIAL"] / sum(statuses.values())
    assert 0.5 < share < 0.75


def test_program_catalog_maps_to_canonical_programs(generated):
    out, _ = generated
    from cts.generate.reference import canonical_programs

    canonical = {p.code for p in canonical_programs()}
    assert len(canonical) >= 60
    programs = _truth(out, "programs")
    assert programs
    assert {p["canonical_program_code"] for p in programs} <= canonical
    local = sum(p["is_local_name"] == "true" for p in programs)
    assert local <= max(3, 0.03 * len(programs))
    names = defaultdict(set)
    for agency, month, _, folder in _submissions(out):
        layout = _layout(agency, month)
        for row in _read(folder / layout.files["catalog"].name, agency, month)[1:]:
            names[agency].add((row[0], row[1]))
    for p in programs:
        assert (p["program_code"], p["program_name"]) in names[p["agency_code"]], p


def test_truth_enrollment_outcomes_are_consistent(generated):
    out, _ = generated
    groups = {
        "COMPLETED": "SUCCESSFUL",
        "MAX_BENEFIT": "SUCCESSFUL",
        "RELEASED_FROM_CUSTODY": "ADMINISTRATIVE",
        "": "ACTIVE",
    }
    enrollments = _truth(out, "enrollments")
    for e in enrollments:
        if e["exit_reason"] in groups:
            assert e["outcome_group"] == groups[e["exit_reason"]]
        if e["end_date"]:
            assert e["end_date"] >= e["start_date"]
    statuses = {e["custody_status"] for e in enrollments}
    assert {"PRETRIAL", "SENTENCED"} <= statuses


def test_config_records_the_run(generated):
    out, _ = generated
    config = json.loads((out / "truth" / "config.json").read_text())
    assert config["scale"] == "tiny" and config["seed"] == SEED
    assert config["defect_rates"] == DEFAULT_DEFECT_RATES
    assert config["generator_version"]


def test_phonetic_spelling_sounds_alike():
    import numpy as np
    from cts.generate.names import phonetic_spelling

    rng = np.random.default_rng(1)
    for name in ("Stephen", "Phillips", "Kelly", "Catherine", "Sullivan"):
        spelled = phonetic_spelling(name, rng)
        assert spelled != name and spelled[0] == name[0], (name, spelled)
    assert phonetic_spelling("Phil", np.random.default_rng(2)) in ("Phill", "Phyl")
