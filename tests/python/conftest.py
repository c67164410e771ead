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
