"""Where things live: the project root (the checkout) and the work dir with every artifact."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

WORKDIR_ENV = "CTS_WORKDIR"
WAREHOUSE_ENV = "CTS_WAREHOUSE"
# Another copy of the project to run on (dbt files, sources YAML, seeds); default: the checkout
# that holds this package.
PROJECT_ENV = "CTS_PROJECT_DIR"


def find_project_root(start: Path | None = None) -> Path:
    """The directory holding dbt_project.yml: `CTS_PROJECT_DIR` when set, else searched upwards
    from this package (or `start`).

    An editable install keeps the package inside the checkout, so the search from the package
    location finds the project; the current directory is the fallback.
    """
    override = os.environ.get(PROJECT_ENV)
    if start is None and override:
        if not (Path(override) / "dbt_project.yml").is_file():
            raise FileNotFoundError(f"{PROJECT_ENV}={override} holds no dbt_project.yml")
        return Path(override).resolve()
    starts = [start] if start is not None else [Path(__file__).resolve().parent, Path.cwd()]
    for origin in starts:
        for directory in (origin, *origin.parents):
            if (directory / "dbt_project.yml").is_file():
                return directory
    raise FileNotFoundError(
        "cannot find dbt_project.yml above the cts package or the current directory"
    )


@dataclass(frozen=True)
class Workdir:
    """The layout of one work dir; every path is absolute."""

    root: Path

    @property
    def data(self) -> Path:
        """Generated submissions and truth files."""
        return self.root / "data"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def raw_zone(self) -> Path:
        """The raw zone `cts load` writes (Parquet and its manifest; cts.rawzone), which the
        warehouse's raw views and every engine read."""
        return self.root / "raw"

    @property
    def public(self) -> Path:
        """Public exports (Parquet, CSV, data dictionary, manifest)."""
        return self.root / "public"

    @property
    def quality(self) -> Path:
        """The data-quality report for the agencies, exported beside the public data."""
        return self.root / "quality"

    @property
    def target(self) -> Path:
        """dbt's target path (manifest.json, run_results.json, compiled SQL)."""
        return self.root / "target"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def site(self) -> Path:
        """The static dashboard site, when something has built one."""
        return self.root / "site"

    @property
    def generation_record(self) -> Path:
        """What `cts generate` last wrote here: scale, seed and the generator's summary."""
        return self.root / "generation.json"

    def ensure(self) -> Workdir:
        self.root.mkdir(parents=True, exist_ok=True)
        return self


def resolve_workdir(option: str | os.PathLike[str] | None, project_root: Path) -> Workdir:
    """The work dir: the option if given, else $CTS_WORKDIR, else `work/` in the checkout.

    Relative paths are taken from the current directory, like any command-line path.
    """
    chosen = option if option not in (None, "") else os.environ.get(WORKDIR_ENV) or None
    root = Path(chosen) if chosen is not None else project_root / "work"
    return Workdir(root.expanduser().resolve())
