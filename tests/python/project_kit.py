"""A copy of the dbt project to edit in a test (`cts build --changed` on DuckDB and PostgreSQL)."""

from __future__ import annotations

import shutil
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]
PROJECT_PARTS = ["dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests"]


def copy_project(destination: Path) -> Path:
    """A copy of the dbt project (no Python tests) to edit, at `destination`."""
    for part in PROJECT_PARTS:
        source = CHECKOUT / part
        if source.is_dir():
            shutil.copytree(source, destination / part, ignore=shutil.ignore_patterns("python"))
        else:
            destination.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination / part)
    return destination
