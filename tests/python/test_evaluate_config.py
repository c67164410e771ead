"""The evaluator's configuration (dev/evaluate/): every exception and tuned variable says why."""

from __future__ import annotations

import csv
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parents[2] / "dev" / "evaluate"


def test_every_exception_names_its_rule_and_says_why():
    with (HERE / "exceptions.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    for row in rows:
        assert row["fct_name"].startswith("fct_"), row
        assert row["column_name"] and row["id_to_exclude"], row
        assert len(row["comment"].split()) >= 8, row  # a reason, not a label


def test_every_tuned_variable_is_preceded_by_its_reason():
    text = (HERE / "vars.yml").read_text(encoding="utf-8")
    variables = yaml.safe_load(text)
    lines = text.splitlines()
    for name in variables:
        index = next(i for i, line in enumerate(lines) if line.startswith(f"{name}:"))
        above = lines[index - 1]
        assert above.startswith("#") or lines[index - 1].startswith(tuple(variables)), name
