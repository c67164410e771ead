"""Shared fixtures: a throwaway work dir, a CliRunner that drives `cts` in-process, and a tiny
build with its public export (built once per session when `make dbt-test` has not made one)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from cts.pseudonym import KEY_ENV

CHECKOUT = Path(__file__).resolve().parents[2]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty work dir; CTS_WORKDIR from the caller's shell must not leak in."""
    monkeypatch.delenv("CTS_WORKDIR", raising=False)
    return tmp_path / "work"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _has_export(path: Path) -> bool:
    return (path / "public" / "manifest.json").is_file() and (path / "warehouse.duckdb").is_file()


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A work dir holding a tiny build and its public export."""
    chosen = os.environ.get("CTS_TEST_WORKDIR")
    if chosen:
        path = Path(chosen).resolve()
        if not _has_export(path):
            pytest.fail(f"CTS_TEST_WORKDIR={chosen} holds no built tiny export")
        return path
    default = CHECKOUT / "work" / "test-tiny"
    if _has_export(default):
        return default
    path = tmp_path_factory.mktemp("tiny")
    environment = {k: v for k, v in os.environ.items() if k not in ("CTS_WORKDIR", KEY_ENV)}
    command = [sys.executable, "-m", "cts.cli", "run", "--scale", "tiny", "--seed", "7"]
    result = subprocess.run(
        [*command, "--workdir", str(path)],
        capture_output=True,
        text=True,
        env=environment,
        cwd=CHECKOUT,
    )
    if result.returncode != 0:
        pytest.fail(f"tiny build failed ({result.returncode}): {result.stderr[-2000:]}")
    return path


# The slowest files first, so that two workers (`make test`: pytest -n 2 --dist loadfile, a
# file per worker at a time) end together rather than one waiting on a long file started
# last: the PostgreSQL build and comparison about 90 s, the scaffolded agency 45 s, the
# deferred build 30 s, the exact relations 30 s, the linkage and the raw zone 15 s each.
SLOWEST_FIRST = (
    "test_engines.py",
    "test_scaffold.py",
    "test_changed.py",
    "test_exact_disclosure.py",
    "test_link.py",
    "test_rawzone.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return SLOWEST_FIRST.index(name) if name in SLOWEST_FIRST else len(SLOWEST_FIRST)

    items.sort(key=rank)  # stable: within a file, and among the rest, the order stays
