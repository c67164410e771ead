"""Shared fixtures: a throwaway work dir and a CliRunner that drives `cts` in-process."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty work dir; CTS_WORKDIR from the caller's shell must not leak in."""
    monkeypatch.delenv("CTS_WORKDIR", raising=False)
    return tmp_path / "work"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
