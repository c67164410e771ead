"""The Python versions of the engine functions (Spark's, `cts.engines.functions`): the golden
values of seeds/engines/engine_conformance.csv, and DuckDB's own functions on random inputs."""

from __future__ import annotations

import csv
import datetime
import random
from pathlib import Path

import duckdb
import pytest
from cts.engines import functions

SEED = Path(__file__).resolve().parents[2] / "seeds" / "engines" / "engine_conformance.csv"
DEMO_KEY_NOTE = "(demo key)"


def _checks() -> list[dict[str, str]]:
    with SEED.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _computed(check: dict[str, str]):
    name, first, second = check["function_name"], check["input_1"], check["input_2"]
    if name in ("jaro_winkler", "string_similarity"):
        return functions.jaro_winkler(first, second)
    if name == "edit_distance":
        return functions.damerau_levenshtein(first, second)
    if name == "strip_accents":
        return functions.strip_accents(first)
    if name == "parse_date":
        return functions.try_parse_date(first, second)
    if name == "pseudonym":
        return functions.pseudonym(first, "cts-demo-key-not-for-release")
    if name == "log2":
        return functions.log2(float(first))
    raise AssertionError(f"no Python version of {name}")


@pytest.mark.parametrize("check", _checks(), ids=lambda c: c["check_id"])
def test_every_golden_value_holds_in_python(check):
    got, expected = _computed(check), check["expected"]
    if check["function_name"] == "parse_date":
        assert got == (datetime.date.fromisoformat(expected) if expected else None)
    elif check["function_name"] in ("jaro_winkler", "string_similarity", "log2"):
        assert got == float(expected)  # exact, bit for bit
    elif check["function_name"] == "edit_distance":
        assert got == int(expected)
    else:
        assert got == expected


def _words(generator: random.Random, count: int) -> list[str]:
    letters = "ABCDEÉOSTÑ"
    return ["".join(generator.choices(letters, k=generator.randint(0, 9))) for _ in range(count)]


def test_string_functions_agree_with_duckdb_on_random_strings():
    generator = random.Random(11)
    pairs = list(zip(_words(generator, 3000), _words(generator, 3000), strict=True))
    with duckdb.connect() as con:
        rows = con.execute(
            "select jaro_winkler_similarity(a, b), damerau_levenshtein(a, b), strip_accents(a)"
            " from (select unnest($1::varchar[]) as a, unnest($2::varchar[]) as b)",
            [[a for a, _ in pairs], [b for _, b in pairs]],
        ).fetchall()
    for (a, b), (similarity, distance, stripped) in zip(pairs, rows, strict=True):
        assert functions.jaro_winkler(a, b) == similarity, (a, b)
        assert functions.damerau_levenshtein(a, b) == distance, (a, b)
        assert functions.strip_accents(a) == stripped, a


def test_dates_and_logarithms_agree_with_duckdb_on_random_inputs():
    generator = random.Random(12)
    formats = ["%m/%d/%Y", "%Y-%m-%d", "%Y%m%d", "%d-%b-%Y", "%d/%m/%Y", "%m-%d-%Y", "%m/%d/%y"]
    texts, fmts = [], []
    for _ in range(3000):
        fmt = generator.choice(formats)
        day = datetime.date(1950, 1, 1) + datetime.timedelta(days=generator.randint(0, 40000))
        text = day.strftime(fmt).lower() if generator.random() < 0.5 else day.strftime(fmt)
        if generator.random() < 0.3:  # damage it: drop, swap or add a character
            at = generator.randrange(len(text))
            text = text[:at] + generator.choice(["", "0", "9", "/", "-", "x"]) + text[at + 1 :]
        texts.append(text)
        fmts.append(fmt)
    values = [generator.uniform(1e-6, 1e6) for _ in range(3000)]
    expected_dates = {}
    with duckdb.connect() as con:
        for fmt in formats:  # DuckDB takes the format as a constant
            mine = [t for t, f in zip(texts, fmts, strict=True) if f == fmt]
            parsed = con.execute(
                f"select cast(try_strptime(trim(t), '{fmt}') as date)"
                " from (select unnest($1::varchar[]) as t)",
                [mine],
            ).fetchall()
            expected_dates.update(
                zip(((t, fmt) for t in mine), (d for (d,) in parsed), strict=True)
            )
        logs = con.execute("select log2(unnest($1::double[]))", [values]).fetchall()
    damaged_parsed = 0
    for (text, fmt), expected in expected_dates.items():
        if expected is not None and expected.year < 1:
            continue  # year 0 (1 BC): no Python or Spark date holds it; both give null
        assert functions.try_parse_date(text, fmt) == expected, (text, fmt)
        damaged_parsed += expected is None
    assert damaged_parsed > 100  # the damaged texts were tried, not only clean ones
    for value, (expected,) in zip(values, logs, strict=True):
        assert functions.log2(value) == expected, value
