"""Load agencies' monthly submissions into the warehouse's raw tables, all or nothing.

    result = load_submissions(Path("work/demo"), Path("work/warehouse.duckdb"), project_dir)

1. Find submission folders `<AGENCY>/<YYYY-MM>/r<N>/` under the given path.
2. Skip those already loaded with identical content (sha256 per file, from the ledger); reject
   those loaded before with different content.
3. Preflight every other submission in Python against its agency's sources YAML (see
   `cts.preflight`); accepted records go to one normalised temp file per raw table.
4. In ONE transaction: create missing schemas/tables, insert each raw table's temp file with one
   `INSERT ... SELECT ... FROM read_csv(...)`, write ledger, submissions and rejected lines;
   commit. A process killed before the commit leaves the warehouse as it was.
5. Write a JSON report to `<warehouse dir>/load_reports/load-NNNN.json` and return it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from cts import ledger
from cts.preflight import BLANK, FileCheck, check_file
from cts.specs import (
    PERIOD_RE,
    AgencySpec,
    LoadError,
    TableSpec,
    load_period_window,
    load_source_specs,
)

__all__ = ["LoadError", "LoadResult", "Problem", "load_submissions"]

Progress = Callable[[int, int, str], None]

REVISION_RE = re.compile(r"^r([1-9][0-9]?)$")
_LOOSE_PERIOD_RE = re.compile(r"^\d{4}-?\d{2}$")
CRASH_HOOK_ENV = "CTS_LOAD_CRASH_AFTER_TABLES"  # test hook: SIGKILL self after N table inserts
REPORT_DIR = "load_reports"


@dataclass(frozen=True)
class Problem:
    """Something wrong with a submission. `fatal` problems reject the whole submission; the
    others (single malformed lines) only leave that line out."""

    agency: str | None
    submission: str | None
    file: str | None
    line: int | None
    code: str
    message: str
    fatal: bool = True

    def __str__(self) -> str:
        where = self.submission.replace("/", " ") if self.submission else (self.agency or "")
        if self.file:
            where = f"{where} {self.file}".strip()
        if self.line is not None:
            where = f"{where} line {self.line}"
        return f"{where}: {self.message}" if where else self.message


@dataclass
class LoadResult:
    accepted: list[str] = field(default_factory=list)
    skipped_already_loaded: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    rows_loaded: dict[str, int] = field(default_factory=dict)
    rejected_lines: int = 0
    problems: list[Problem] = field(default_factory=list)
    report: dict = field(default_factory=dict)
    report_path: Path | None = None
    elapsed_seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows_loaded.values())


@dataclass
class _Candidate:
    folder: Path
    agency: str
    period: str
    revision_name: str

    @property
    def submission_id(self) -> str:
        return f"{self.agency}/{self.period}/{self.revision_name}"

    @property
    def revision(self) -> int | None:
        match = REVISION_RE.match(self.revision_name)
        return int(match.group(1)) if match else None


# ----------------------------------------------------------------------------- discovery


def _subdirs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir())


def _resolve_scope(path: Path) -> tuple[Path, Path, int]:
    """(submissions root, folder to scan, depth of that folder below the root: 0..3)."""
    if (path / "submissions").is_dir():
        return path / "submissions", path / "submissions", 0
    if path.name == "submissions":
        return path, path, 0
    for depth, ancestor in enumerate(path.parents, start=1):
        if ancestor.name == "submissions" and depth <= 3:
            return ancestor, path, depth
    if len(path.parents) > 2 and (
        REVISION_RE.match(path.name) or _LOOSE_PERIOD_RE.match(path.parent.name)
    ):
        return path.parents[2], path, 3
    if len(path.parents) > 1 and _LOOSE_PERIOD_RE.match(path.name):
        return path.parents[1], path, 2
    if any(_LOOSE_PERIOD_RE.match(p.name) for p in _subdirs(path)):
        return path.parent, path, 1
    return path, path, 0


def _discover(path: Path) -> tuple[Path, list[_Candidate], list[Problem]]:
    path = Path(path)
    if not path.exists():
        raise LoadError(f"{path}: no such folder")
    if not path.is_dir():
        raise LoadError(f"{path}: not a folder (give a submissions folder or one inside it)")
    root, scope, depth = _resolve_scope(path.resolve())
    stray: list[Problem] = []

    def stray_entry(entry: Path, what: str) -> None:
        rel = entry.relative_to(root).as_posix()
        stray.append(Problem(None, None, rel, None, "STRAY_ENTRY", what))

    def walk(folder: Path, level: int) -> list[Path]:
        if level == 3:
            return [folder]
        found: list[Path] = []
        for entry in sorted(folder.iterdir()):
            if entry.is_dir():
                found.extend(walk(entry, level + 1))
            else:
                expected = ("an agency folder", "a period folder YYYY-MM", "a revision folder r<N>")
                stray_entry(entry, f"file outside a submission folder (expected {expected[level]})")
        return found

    candidates = []
    for folder in walk(scope, depth):
        agency, period, revision = folder.relative_to(root).parts[-3:]
        candidates.append(_Candidate(folder, agency, period, revision))
    candidates.sort(key=lambda c: (c.agency, c.period, c.revision or 0, c.revision_name))
    if not candidates:
        raise LoadError(
            f"no submissions found under {path} (expected <AGENCY>/<YYYY-MM>/r<N>/ folders)"
        )
    return root, candidates, stray


# ----------------------------------------------------------------------------- temp files


def _csv_field(value: object) -> str:
    if value is None:
        return ""
    text = str(value)
    if text and ("," in text or '"' in text or "\n" in text or "\r" in text):
        return '"' + text.replace('"', '""') + '"'
    return text


class _MetaWriter:
    """A temp CSV (comma, standard quoting, no header) for one `raw_meta` table."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: IO[str] = path.open("w", encoding="utf-8", newline="")
        self.rows = 0
        self.longest = 0

    def write(self, *values: object) -> None:
        line = ",".join(_csv_field(v) for v in values) + "\n"
        self.longest = max(self.longest, len(line))
        self.handle.write(line)
        self.rows += 1

    def close(self) -> None:
        self.handle.close()


@dataclass
class _TableOutput:
    spec: TableSpec
    path: Path
    handle: IO[str]
    rows: int = 0
    longest: int = 0


# ----------------------------------------------------------------------------- the load


class _Run:
    def __init__(
        self,
        root: Path,
        specs: dict[str, AgencySpec],
        window: tuple[str, str],
        tmp: Path,
        known: dict[str, dict[str, str]],
        loaded_at: datetime,
    ) -> None:
        self.root = root
        self.specs = specs
        self.window = window
        self.tmp = tmp
        self.known = known
        self.loaded_at = loaded_at
        self.loaded_at_text = loaded_at.isoformat(sep=" ")
        self.result = LoadResult()
        self.file_no = 0
        self.outputs: dict[str, _TableOutput] = {}
        self.files = _MetaWriter(tmp / "files.csv")
        self.ledger = _MetaWriter(tmp / "load_ledger.csv")
        self.submissions = _MetaWriter(tmp / "submissions.csv")
        self.rejected_lines = _MetaWriter(tmp / "rejected_lines.csv")
        self.attempted: list[str] = []
        self.report_accepted: list[dict] = []
        self.report_rejected: list[dict] = []

    # --- per submission

    def handle(self, candidate: _Candidate) -> None:
        sid = candidate.submission_id
        agency = self.specs.get(candidate.agency)
        problems: list[Problem] = []

        def fatal(code: str, message: str, file: str | None = None, line: int | None = None):
            problems.append(Problem(candidate.agency, sid, file, line, code, message))

        entries = sorted(candidate.folder.iterdir())
        if agency is None:
            lower = candidate.agency.lower()
            fatal(
                "UNKNOWN_AGENCY",
                f"unknown agency {candidate.agency!r} (no models/staging/{lower}/"
                f"_{lower}__sources.yml declares it)",
            )
        elif not PERIOD_RE.match(candidate.period) or not (
            self.window[0] <= candidate.period <= self.window[1]
        ):
            fatal(
                "BAD_PERIOD",
                f"period {candidate.period!r} is not a month YYYY-MM in "
                f"{self.window[0]}..{self.window[1]}",
            )
        elif candidate.revision is None:
            fatal(
                "BAD_REVISION",
                f"revision folder {candidate.revision_name!r} is not r1..r99",
            )
        if problems:
            self._reject(candidate, problems, {}, entries)
            return

        assert agency is not None
        contents = {e.name: e for e in entries}
        if sid in self.known:
            hashes = {name: _sha256(path) for name, path in contents.items() if path.is_file()}
            if hashes == self.known[sid] and len(hashes) == len(contents):
                self.result.skipped_already_loaded.append(sid)
                return
            changed = sorted(
                set(hashes) ^ set(self.known[sid])
                | {n for n in hashes if self.known[sid].get(n) != hashes[n]}
            )
            fatal(
                "CHANGED_CONTENT",
                "already loaded with different content; send it as a new revision "
                f"(differs: {', '.join(changed) or 'folder entries'})",
            )
            self._reject(candidate, problems, {}, entries)
            return

        expected = agency.tables_for(candidate.period)
        expected_names = [t.file for t in expected]
        for name, entry in contents.items():
            if name in expected_names:
                if not entry.is_file():
                    fatal("UNEXPECTED_FILE", f"{name} is a folder, expected a file", name)
                continue
            other = agency.table_for_file(name)
            if other:
                hint = f"expected only in {other[0].validity_text()}"
            else:
                hint = f"expected files: {', '.join(expected_names)}"
            kind = "folder" if entry.is_dir() else "file"
            fatal("UNEXPECTED_FILE", f"unexpected {kind} {name} ({hint})", name)
        for table in expected:
            if table.file not in contents:
                fatal("MISSING_FILE", f"missing file {table.file}", table.file)

        checks: dict[str, FileCheck] = {}
        for table in expected:
            entry = contents.get(table.file)
            if entry is None or not entry.is_file():
                continue
            self.file_no += 1
            check = check_file(table.file, entry.read_bytes(), table, self.file_no)
            checks[table.file] = check
            if check.fault is not None:
                fatal(check.fault.code, check.fault.message, table.file, check.fault.line)
        if problems:
            self._reject(candidate, problems, checks, entries)
        else:
            self._accept(candidate, agency, checks)

    def _rel(self, candidate: _Candidate, name: str) -> str:
        return (candidate.folder / name).relative_to(self.root).as_posix()

    def _reject(
        self,
        candidate: _Candidate,
        problems: list[Problem],
        checks: dict[str, FileCheck],
        entries: list[Path],
    ) -> None:
        sid = candidate.submission_id
        self.result.rejected.append(sid)
        self.result.problems.extend(problems)
        self.attempted.append(sid)
        summary = str(problems[0]) + (f" (+{len(problems) - 1} more)" if len(problems) > 1 else "")
        names = sorted({e.name for e in entries} | {p.file for p in problems if p.file})
        for name in names or [None]:
            check = checks.get(name) if name else None
            own = [str(p) for p in problems if p.file == name]
            sha = check.sha256 if check else None
            path = candidate.folder / name if name else None
            if sha is None and path is not None and path.is_file():
                sha = _sha256(path)
            self.ledger.write(
                sid,
                candidate.agency,
                candidate.period,
                candidate.revision,
                self._rel(candidate, name) if name else None,
                sha,
                check.rows if check and check.fault is None else 0,
                0,
                "rejected",
                "; ".join(own) if own else f"submission rejected: {summary}",
                self.loaded_at_text,
            )
        for check in checks.values():
            check.drop_output()
        self.report_rejected.append(
            {"submission_id": sid, "problems": [_problem_dict(p) for p in problems]}
        )

    def _accept(
        self, candidate: _Candidate, agency: AgencySpec, checks: dict[str, FileCheck]
    ) -> None:
        sid = candidate.submission_id
        self.result.accepted.append(sid)
        self.attempted.append(sid)
        total_rows = total_rejected = 0
        files_report = []
        for name, check in checks.items():
            table = check.table
            assert table is not None
            rel = self._rel(candidate, name)
            self.files.write(
                check.file_no, sid, candidate.agency, candidate.period, candidate.revision, rel
            )
            output = self._output(table)
            output.handle.write("".join(check.chunks))
            output.rows += check.rows
            output.longest = max(output.longest, check.max_record_chars)
            for bad in check.rejected:
                self.rejected_lines.write(
                    sid,
                    candidate.agency,
                    candidate.period,
                    candidate.revision,
                    rel,
                    bad.line,
                    bad.reason,
                    bad.detail,
                    bad.raw,
                    self.loaded_at_text,
                )
                self.result.problems.append(
                    Problem(
                        candidate.agency, sid, name, bad.line, bad.reason, bad.detail, fatal=False
                    )
                )
            self.ledger.write(
                sid,
                candidate.agency,
                candidate.period,
                candidate.revision,
                rel,
                check.sha256,
                check.rows,
                len(check.rejected),
                "loaded",
                None,
                self.loaded_at_text,
            )
            total_rows += check.rows
            total_rejected += len(check.rejected)
            files_report.append(
                {
                    "file": rel,
                    "table": table.qualified_name,
                    "data_rows": check.rows,
                    "rejected_lines": [
                        {"line": r.line, "reason": r.reason, "detail": r.detail}
                        for r in check.rejected
                    ],
                    "blank_lines": sum(1 for r in check.rejected if r.reason == BLANK),
                }
            )
            check.drop_output()
        self.submissions.write(
            sid,
            candidate.agency,
            candidate.period,
            candidate.revision,
            len(checks),
            total_rows,
            total_rejected,
            self.loaded_at_text,
        )
        self.result.rejected_lines += total_rejected
        self.report_accepted.append(
            {
                "submission_id": sid,
                "data_rows": total_rows,
                "rejected_lines": total_rejected,
                "files": files_report,
            }
        )

    def _output(self, table: TableSpec) -> _TableOutput:
        key = table.qualified_name
        if key not in self.outputs:
            path = self.tmp / f"{table.schema}.{table.name}.txt"
            handle = path.open("w", encoding="utf-8", newline="")
            self.outputs[key] = _TableOutput(table, path, handle)
        return self.outputs[key]

    def close_files(self) -> None:
        for writer in (self.files, self.ledger, self.submissions, self.rejected_lines):
            writer.close()
        for output in self.outputs.values():
            output.handle.close()

    # --- the transaction

    def commit(self, con, progress: Progress | None, total_steps: int) -> None:
        crash_after = int(os.environ.get(CRASH_HOOK_ENV, "0") or 0)
        loaded_at_sql = f"TIMESTAMP '{self.loaded_at_text}'"
        inserted_tables = 0
        con.execute("BEGIN TRANSACTION")
        try:
            ledger.ensure_meta_tables(con)
            for agency in self.specs.values():
                for table in agency.tables:
                    ledger.ensure_raw_table(con, table)
            ledger.create_file_list(con, self.files.path)
            for key in sorted(self.outputs):
                output = self.outputs[key]
                if progress:
                    progress(0, total_steps, f"inserting {key}")
                count = ledger.insert_raw(
                    con, output.spec, output.path, loaded_at_sql, output.longest
                )
                if count != output.rows:
                    raise RuntimeError(
                        f"{key}: inserted {count} rows but preflight accepted {output.rows}"
                    )
                self.result.rows_loaded[key] = count
                inserted_tables += 1
                if progress:
                    progress(1, total_steps, f"inserted {key}")
                if crash_after and inserted_tables >= crash_after:
                    os.kill(os.getpid(), signal.SIGKILL)
            ledger.forget_rejections(con, self.attempted)
            for table, writer in (
                ("load_ledger", self.ledger),
                ("submissions", self.submissions),
                ("rejected_lines", self.rejected_lines),
            ):
                if writer.rows:
                    count = ledger.insert_meta(con, table, writer.path, writer.longest)
                    if count != writer.rows:
                        raise RuntimeError(f"raw_meta.{table}: inserted {count} of {writer.rows}")
            con.execute("DROP TABLE IF EXISTS _cts_load_files")
            con.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(Exception):
                con.execute("ROLLBACK")
            raise


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _problem_dict(problem: Problem) -> dict:
    data = asdict(problem)
    data["text"] = str(problem)
    return data


def _next_report_path(warehouse: Path) -> Path:
    folder = warehouse.parent / REPORT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    numbers = [
        int(m.group(1))
        for p in folder.glob("load-*.json")
        if (m := re.fullmatch(r"load-(\d+)\.json", p.name))
    ]
    return folder / f"load-{max(numbers, default=0) + 1:04d}.json"


def load_submissions(
    path: Path,
    warehouse: Path,
    project_dir: Path,
    progress: Progress | None = None,
) -> LoadResult:
    """Preflight and load every submission under `path` into `warehouse`, in one transaction.

    Raises `LoadError` (one clear line) for user errors: missing path, no submissions found,
    unusable sources YAML, warehouse locked. Rejected submissions are not errors: they are listed
    in the result and the report.
    """
    started = time.perf_counter()
    project_dir = Path(project_dir)
    warehouse = Path(warehouse).resolve()
    specs = load_source_specs(project_dir)
    if not specs:
        raise LoadError(
            f"no agency sources found under {project_dir}/models/staging "
            "(expected _<agency>__sources.yml files)"
        )
    window = load_period_window(project_dir)
    root, candidates, stray = _discover(Path(path))
    con = ledger.connect(warehouse)
    tmp = warehouse.parent / f".{warehouse.name}.load-tmp"
    try:
        if tmp.exists():  # left behind by a killed run; we hold the warehouse lock now
            shutil.rmtree(tmp)
        tmp.mkdir()
        known = ledger.loaded_hashes(con)
        loaded_at = datetime.now(UTC).replace(tzinfo=None)
        run = _Run(root, specs, window, tmp, known, loaded_at)
        run.result.problems.extend(stray)
        table_count = sum(len(a.tables) for a in specs.values())
        total_steps = len(candidates) + table_count
        for candidate in candidates:
            if progress:
                progress(0, total_steps, f"checking {candidate.submission_id}")
            run.handle(candidate)
            if progress:
                progress(1, total_steps, f"checked {candidate.submission_id}")
        run.close_files()
        if run.attempted:
            run.commit(con, progress, total_steps)
        if progress:
            progress(total_steps, total_steps, "done")
    finally:
        con.close()
        shutil.rmtree(tmp, ignore_errors=True)
    result = run.result
    result.elapsed_seconds = round(time.perf_counter() - started, 3)
    report_path = _next_report_path(warehouse)
    result.report = {
        "run": int(report_path.stem.split("-")[1]),
        "path": str(Path(path)),
        "submissions_root": str(root),
        "warehouse": str(warehouse),
        "loaded_at": run.loaded_at_text,
        "elapsed_seconds": result.elapsed_seconds,
        "counts": {
            "submissions": len(candidates),
            "accepted": len(result.accepted),
            "skipped_already_loaded": len(result.skipped_already_loaded),
            "rejected": len(result.rejected),
            "rows_loaded": result.total_rows,
            "rejected_lines": result.rejected_lines,
        },
        "rows_loaded": dict(sorted(result.rows_loaded.items())),
        "accepted": run.report_accepted,
        "skipped_already_loaded": result.skipped_already_loaded,
        "rejected": run.report_rejected,
        "stray_entries": [_problem_dict(p) for p in stray],
    }
    report_path.write_text(json.dumps(result.report, indent=2) + "\n", encoding="utf-8")
    result.report_path = report_path
    return result
