"""Every macro of the project (and every generic data test) is documented in
macros/_macros.yml, each argument included."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEFINITION = re.compile(r"\{%-?\s*(macro|test)\s+(\w+)\s*\(([^)]*)\)")


def defined() -> dict[str, list[str]]:
    """Macro name -> argument names, from macros/ and tests/generic/ (tests as test_<name>)."""
    found = {}
    files = [*ROOT.joinpath("macros").rglob("*.sql"), *ROOT.joinpath("tests/generic").glob("*.sql")]
    for path in files:
        for kind, name, arguments in DEFINITION.findall(path.read_text(encoding="utf-8")):
            key = f"test_{name}" if kind == "test" else name
            found[key] = [a.split("=")[0].strip() for a in arguments.split(",") if a.strip()]
    return found


def documented() -> dict[str, dict]:
    properties = yaml.safe_load((ROOT / "macros" / "_macros.yml").read_text(encoding="utf-8"))
    return {entry["name"]: entry for entry in properties["macros"]}


def test_every_macro_and_argument_is_documented():
    macros, docs = defined(), documented()
    assert sorted(set(macros) - set(docs)) == [], "macros without docs"
    assert sorted(set(docs) - set(macros)) == [], "docs of macros that do not exist"
    for name, arguments in macros.items():
        entry = docs[name]
        assert entry.get("description", "").strip(), name
        listed = [(a["name"], a.get("description", "").strip()) for a in entry.get("arguments", [])]
        assert [a for a, _ in listed] == arguments, name
        assert all(text for _, text in listed), name
