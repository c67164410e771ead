"""What a work dir holds: loads per agency (from the load ledger) and the last dbt results."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from cts import ledger, rawzone
from cts.paths import Workdir

# `cts build` keeps a copy of its run_results.json: `cts docs` overwrites the original.
LAST_BUILD_RESULTS = "last_build_run_results.json"


class StatusError(Exception):
    """The warehouse exists but cannot be read."""


@dataclass
class AgencyLoads:
    agency: str
    submissions: int
    rows: int
    last_loaded_at: str | None


@dataclass
class BuildResults:
    command: str | None
    generated_at: str | None
    elapsed_seconds: float | None
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[tuple[str, str, str]] = field(default_factory=list)


def ledger_summary(warehouse: Path) -> list[AgencyLoads] | None:
    """Loads per agency, from the loader's ledger (in the raw zone beside the warehouse, or in
    a warehouse loaded before the zone); None when nothing was ever loaded here."""
    zone = rawzone.zone_dir(warehouse)
    try:
        manifest = rawzone.read_manifest(zone)
    except rawzone.ZoneError as error:
        raise StatusError(str(error)) from error
    if manifest is None and not warehouse.is_file():
        return None
    try:
        if manifest is not None:
            con = duckdb.connect()
        else:
            con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as error:
        raise StatusError(f"cannot open the warehouse {warehouse}: {error}") from error
    try:
        if manifest is not None:
            relation = rawzone.ledger_relation(zone, manifest)
        else:
            relation = ledger.warehouse_ledger(con)
        loads = ledger.loads_per_agency(con, relation)
    except duckdb.Error as error:
        raise StatusError(f"cannot read {ledger.META_SCHEMA}.load_ledger: {error}") from error
    finally:
        con.close()
    if loads is None:
        return None
    return [
        AgencyLoads(agency, submissions, rows, last_loaded_at)
        for agency, submissions, rows, last_loaded_at in loads
    ]


def last_build(target: Path) -> BuildResults | None:
    """The results of the last dbt build (else the last dbt command), if any."""
    path = target / LAST_BUILD_RESULTS
    if not path.is_file():
        path = target / "run_results.json"
    if not path.is_file():
        return None
    try:
        artifact: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    counts: dict[str, int] = {}
    failures = []
    for result in artifact.get("results", []):
        status = str(result.get("status", "unknown"))
        counts[status] = counts.get(status, 0) + 1
        if status in {"error", "fail", "runtime error"}:
            message = (result.get("message") or status).strip().splitlines()
            failures.append((result.get("unique_id", "?"), status, message[0] if message else ""))
    args = artifact.get("args", {})
    return BuildResults(
        command=args.get("which"),
        generated_at=artifact.get("metadata", {}).get("generated_at"),
        elapsed_seconds=artifact.get("elapsed_time"),
        counts=dict(sorted(counts.items())),
        failures=failures,
    )


@dataclass
class Status:
    """What `cts status` shows: loads per agency (None: nothing loaded) and the last build."""

    workdir: Path
    loads: list[AgencyLoads] | None
    last_build: BuildResults | None


def describe(workdir: Workdir) -> Status:
    return Status(workdir.root, ledger_summary(workdir.warehouse), last_build(workdir.target))
