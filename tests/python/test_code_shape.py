"""Code a newcomer can read: no function of the runner, nor of the dashboard's scripts, longer
than about a screen."""

from __future__ import annotations

import ast
import re
from pathlib import Path

RUNNER = Path(__file__).resolve().parents[2] / "runner"
MAX_LINES = 60
# Functions still longer, each with why. Anything else over MAX_LINES says why in its docstring
# ("Long because …").
NOT_SPLIT_YET = {
    # The exact solver (`cts check-disclosure --exact`): to be split with its next change.
    "cts/publication/solver.py": {"intervals"},
}


def long_functions() -> list[str]:
    found = []
    for path in sorted(RUNNER.rglob("*.py")):
        module = path.relative_to(RUNNER).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            lines = node.end_lineno - node.lineno + 1
            reason = "Long because" in (ast.get_docstring(node) or "")
            if lines > MAX_LINES and not reason and node.name not in NOT_SPLIT_YET.get(module, ()):
                found.append(f"{module}:{node.lineno} {node.name} ({lines} lines)")
    return found


def test_no_function_is_longer_than_a_screen_without_a_reason():
    assert long_functions() == []


# --- the dashboard's scripts -------------------------------------------------------------------

DASHBOARD_SCRIPTS = RUNNER / "cts" / "dashboard" / "static"


def _code_only(text: str) -> str:
    """The script with its comments and string literals blanked (newlines kept), so that braces
    are only the code's. Regular expression literals are taken as code: the dashboard's hold no
    brace or quote."""
    out, i, quote = [], 0, None
    while i < len(text):
        char, pair = text[i], text[i : i + 2]
        if quote:
            if char == "\\":
                out.append("  ")
                i += 2
                continue
            if char == quote:
                quote = None
            out.append(char if char == "\n" else " ")
        elif pair in ("//", "/*"):
            end = text.find("\n" if pair == "//" else "*/", i)
            end = len(text) if end < 0 else end + (0 if pair == "//" else 2)
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
            continue
        else:
            quote = char if char in "\"'" else None
            out.append(char)
        i += 1
    return "".join(out)


def long_script_functions() -> list[str]:
    """Functions of the dashboard's scripts over MAX_LINES, except each file's wrapper
    `(function (CTS) {…})` and those whose comment just above says "Long because"."""
    found = []
    for path in sorted(DASHBOARD_SCRIPTS.glob("*.js")):
        text = path.read_text(encoding="utf-8")
        code = _code_only(text)
        for match in re.finditer(r"\bfunction\b", code):
            if code.startswith("(function (CTS)", match.start() - 1):
                continue
            depth, end = 0, code.index("{", match.end())
            while True:
                depth += {"{": 1, "}": -1}.get(code[end], 0)
                if depth == 0:
                    break
                end += 1
            first = code.count("\n", 0, match.start()) + 1
            lines = code.count("\n", match.start(), end) + 1
            above = "\n".join(text.splitlines()[max(0, first - 4) : first])
            if lines > MAX_LINES and "Long because" not in above:
                found.append(f"{path.name}:{first} ({lines} lines)")
    return found


def test_no_dashboard_script_function_is_longer_than_a_screen():
    assert sorted(path.name for path in DASHBOARD_SCRIPTS.glob("*.js"))  # the scripts are there
    assert long_script_functions() == []
