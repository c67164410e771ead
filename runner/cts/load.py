"""Load agencies' monthly submissions into the raw zone and the warehouse, all or nothing.

    result = load_submissions(Path("work/demo"), Path("work/warehouse.duckdb"), project_dir)
    result = validate_submissions(Path("extract"), project_dir)   # every check, nothing written

1. Find submission folders `<AGENCY>/<YYYY-MM>/r<N>/` under the given path.
2. Skip those already loaded with identical content (sha256 per file, from the raw zone's
   ledger); reject those loaded before with different content, and a new revision identical
   to the month's latest loaded one.
3. Preflight every other submission against its agency's sources YAML and its manifest (see
   `cts.preflight`, `cts.manifest`), streaming each file once; accepted records go to one
   normalized temp file per raw table (a rejected submission's records are cut off again).
4. Write the run to the raw zone (`cts.rawzone`, `<warehouse dir>/raw/`): once an agency's
   submissions are all checked (they come in agency order), each of its raw tables' temp file
   with one `COPY (SELECT ... FROM read_csv(...)) TO ... (FORMAT parquet, PARTITION_BY ...)`,
   one Parquet file per submission, in the background while the next agency is checked; every
   file's rows checked against the preflight's; then the ledger (rewritten whole), submissions
   and rejected lines; then the zone's manifest, atomically: the commit. A process killed
   before it leaves the zone and the warehouse as they were (its files are orphans, which the
   next load removes).
5. Make the warehouse's raw relations views over exactly the manifest's files, in one
   transaction (killed before it, the next load or build makes them).
6. Write a JSON report to `<warehouse dir>/load_reports/load-NNNN.json` and return it.

The outcome is also an exit code a scheduler can act on (`LoadResult.exit_code`): 0 everything
offered was accepted or already loaded, 4 some submissions were rejected (the rest loaded), 5
nothing could be loaded (every submission offered was rejected).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import duckdb

from cts import ledger, rawzone
from cts.manifest import (
    MANIFEST_NAME,
    FileTotals,
    Manifest,
    ManifestError,
    describe_file,
    read_manifest,
)
from cts.preflight import BLANK, Fault, FileCheck, Writer, check_stream
from cts.progress import Progress
from cts.specs import (
    PERIOD_RE,
    AgencySpec,
    LoadError,
    TableSpec,
    load_period_window,
    load_source_specs,
)

__all__ = [
    "EXIT_NOTHING_LOADED",
    "EXIT_OK",
    "EXIT_SOME_REJECTED",
    "LoadError",
    "LoadResult",
    "Problem",
    "load_submissions",
    "validate_submissions",
]

# Exit codes of `cts load`, `cts validate` and `cts run` for the submissions' outcome (the CLI
# keeps 1 for user errors and failing models, 2 for bad options or dbt not running, 3 for
# internal errors).
EXIT_OK = 0
EXIT_SOME_REJECTED = 4
EXIT_NOTHING_LOADED = 5
OUTCOMES = {
    EXIT_OK: "ok",
    EXIT_SOME_REJECTED: "some_rejected",
    EXIT_NOTHING_LOADED: "nothing_loaded",
}

REVISION_RE = re.compile(r"^r([1-9][0-9]?)$")
_LOOSE_PERIOD_RE = re.compile(r"^\d{4}-?\d{2}$")
# Test hooks: SIGKILL the loading process after N raw tables' Parquet files are written (before
# the manifest), or right after the manifest (before the warehouse's views).
CRASH_HOOK_ENV = "CTS_LOAD_CRASH_AFTER_TABLES"
CRASH_AFTER_MANIFEST_ENV = "CTS_LOAD_CRASH_AFTER_MANIFEST"
REPORT_DIR = "load_reports"
MEMORY_LIMIT_ENV = "CTS_DUCKDB_MEMORY_LIMIT"
SKIPPED_REASON = "already loaded with identical content"
NO_MANIFEST = (
    f"accepted without a {MANIFEST_NAME}: sizes, data lines and checksums not checked "
    "against the sender's"
)


def exit_code_for(accepted: int, skipped: int, rejected: int) -> int:
    """0 nothing rejected; 4 some rejected, the rest loaded now or before; 5 all rejected."""
    if not rejected:
        return EXIT_OK
    return EXIT_SOME_REJECTED if accepted or skipped else EXIT_NOTHING_LOADED


@dataclass(frozen=True)
class Problem:
    """Something wrong with a submission. `fatal` problems reject the whole submission; the
    others (single malformed lines, warnings) do not."""

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
    warnings: list[Problem] = field(default_factory=list)
    report: dict = field(default_factory=dict)
    report_path: Path | None = None
    elapsed_seconds: float = 0.0
    dry_run: bool = False

    @property
    def total_rows(self) -> int:
        return sum(self.rows_loaded.values())

    @property
    def exit_code(self) -> int:
        return exit_code_for(
            len(self.accepted), len(self.skipped_already_loaded), len(self.rejected)
        )

    @property
    def outcome(self) -> str:
        return OUTCOMES[self.exit_code]


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
        stray.append(Problem(None, None, rel, None, "STRAY_ENTRY", what, fatal=False))

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


def _link_problem(entry: Path, root: Path) -> str | None:
    """Why a symbolic link may not stand in a submission, if it is one."""
    if not entry.is_symlink():
        return None
    try:
        target = entry.resolve(strict=True)
    except (OSError, RuntimeError):
        return f"{entry.name} is a broken symbolic link"
    if target.is_relative_to(root):
        return None
    return (
        f"{entry.name} is a symbolic link to {target}, outside the submissions folder: "
        "send the file itself"
    )


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
    handle: IO[bytes]
    rows: int = 0
    longest: int = 0
    submitted: bool = False  # closed and handed to the raw zone's writer


def _discard(_text: str) -> None:
    return None


# ----------------------------------------------------------------------------- manifest checks


def _size_mismatch(path: Path, listed: FileTotals) -> str | None:
    size = path.stat().st_size
    if size == listed.bytes:
        return None
    said = f"({size:,} bytes, the manifest says {listed.bytes:,})"
    if size < listed.bytes:
        return f"file is shorter than its manifest says {said}: truncated or not fully copied"
    return f"file is longer than its manifest says {said}: changed after the manifest was written"


def _content_mismatch(check: FileCheck, listed: FileTotals) -> str | None:
    if check.data_lines != listed.rows:
        return (
            f"file has {check.data_lines:,} data lines, its manifest says {listed.rows:,}: "
            "lines lost or added"
        )
    if check.sha256 != listed.sha256:
        return (
            f"content differs from its manifest (sha256 {check.sha256 or '?':.12}…, the manifest "
            f"says {listed.sha256:.12}…): changed after the manifest was written"
        )
    return None


# ----------------------------------------------------------------------------- the checks


class _Problems(list[Problem]):
    """The problems found in one submission so far; `fatal` adds one that rejects it."""

    def __init__(self, candidate: _Candidate) -> None:
        super().__init__()
        self.candidate = candidate

    def fatal(self, code: str, message: str, file: str | None = None, line: int | None = None):
        candidate = self.candidate
        self.append(Problem(candidate.agency, candidate.submission_id, file, line, code, message))


class _Run:
    def __init__(
        self,
        root: Path,
        specs: dict[str, AgencySpec],
        window: tuple[str, str],
        tmp: Path,
        known: dict[str, dict[str, str]],
        loaded_at: datetime,
        dry_run: bool = False,
        writer: rawzone.RunWriter | None = None,
    ) -> None:
        self.root = root
        self.writer = writer
        self.specs = specs
        self.window = window
        self.tmp = tmp
        self.known = known
        self.dry_run = dry_run
        self.loaded_at = loaded_at
        self.loaded_at_text = loaded_at.isoformat(sep=" ")
        self.result = LoadResult(dry_run=dry_run)
        self.file_no = 0
        self.outputs: dict[str, _TableOutput] = {}
        # raw table → submission id → rows accepted (what the zone's files must hold)
        self.expected: dict[str, dict[str, int]] = {}
        # raw table → its accepted files (number, submission, path): its rows' lineage
        self.table_files: dict[str, list[ledger.SourceFile]] = {}
        self.ledger = _MetaWriter(tmp / "load_ledger.csv")
        self.submissions = _MetaWriter(tmp / "submissions.csv")
        self.rejected_lines = _MetaWriter(tmp / "rejected_lines.csv")
        self.attempted: list[str] = []
        self.report_accepted: list[dict] = []
        self.report_rejected: list[dict] = []
        # (agency, period) → (revision, submission id, file hashes) of the latest loaded revision
        self.latest: dict[tuple[str, str], tuple[int, str, dict[str, str]]] = {}
        for sid, hashes in known.items():
            agency, period, revision_name = sid.split("/")
            self._remember(agency, period, int(revision_name[1:]), sid, hashes)

    def _remember(
        self, agency: str, period: str, revision: int, sid: str, hashes: dict[str, str]
    ) -> None:
        current = self.latest.get((agency, period))
        if current is None or revision >= current[0]:
            self.latest[(agency, period)] = (revision, sid, hashes)

    # --- per submission

    def handle(self, candidate: _Candidate) -> None:
        """Check one submission, cheapest checks first, and accept, reject or skip it (already
        loaded): its folder (agency, period, revision, links), whether it was loaded before,
        its set of files, its manifest, every file's content, and whether it repeats the
        month's latest revision."""
        problems = _Problems(candidate)
        entries = sorted(candidate.folder.iterdir())
        agency = self._check_folder(candidate, problems)
        contents = {e.name: e for e in entries}
        manifest_path = contents.pop(MANIFEST_NAME, None)
        if not problems:
            for entry in entries:
                if why := _link_problem(entry, self.root):
                    problems.fatal("SYMLINK", why, entry.name)
        if problems:
            self._reject(candidate, problems, {}, entries)
            return
        assert agency is not None  # an unknown agency is a problem
        if candidate.submission_id in self.known:
            self._loaded_before(candidate, contents, entries, problems)
            return
        expected = self._check_file_set(candidate, agency, contents, problems)
        expected_names = [t.file for t in expected]
        warnings: list[str] = []
        manifest = self._manifest(
            candidate, agency, manifest_path, contents, expected_names, problems.fatal, warnings
        )
        checks, marks = self._check_files(expected, contents, manifest, problems)
        hashes = {name: check.sha256 or "" for name, check in checks.items()}
        latest = self.latest.get((candidate.agency, candidate.period))
        if not problems and latest is not None and latest[2] == hashes:
            problems.fatal(
                "DUPLICATE_SUBMISSION",
                f"same files as {latest[1]}, the month's latest loaded revision: a new revision "
                "must correct something (nothing to load)",
            )
        if problems:
            self._cut_back(marks)
            self._reject(candidate, problems, checks, entries)
        else:
            self._accept(candidate, checks, warnings)
            revision = candidate.revision or 0
            self._remember(
                candidate.agency, candidate.period, revision, candidate.submission_id, hashes
            )

    def _check_folder(self, candidate: _Candidate, problems: _Problems) -> AgencySpec | None:
        """The agency (None: unknown), and the first problem of the folder's name or place."""
        agency = self.specs.get(candidate.agency)
        if agency is None:
            lower = candidate.agency.lower()
            problems.fatal(
                "UNKNOWN_AGENCY",
                f"unknown agency {candidate.agency!r} (no models/staging/{lower}/"
                f"_{lower}__sources.yml declares it)",
            )
        elif not PERIOD_RE.match(candidate.period) or not (
            self.window[0] <= candidate.period <= self.window[1]
        ):
            problems.fatal(
                "BAD_PERIOD",
                f"period {candidate.period!r} is not a month YYYY-MM in "
                f"{self.window[0]}..{self.window[1]}",
            )
        elif candidate.revision is None:
            problems.fatal(
                "BAD_REVISION",
                f"revision folder {candidate.revision_name!r} is not r1..r99",
            )
        elif not candidate.folder.resolve().is_relative_to(self.root):
            problems.fatal(
                "SYMLINK",
                f"submission folder is a symbolic link to {candidate.folder.resolve()}, outside "
                "the submissions folder: send the files themselves",
            )
        return agency

    def _loaded_before(
        self,
        candidate: _Candidate,
        contents: dict[str, Path],
        entries: list[Path],
        problems: _Problems,
    ) -> None:
        """A submission the ledger knows: skipped when its files are the same, else rejected."""
        sid = candidate.submission_id
        files = {name: path for name, path in contents.items() if path.is_file()}
        hashes = {name: describe_file(path).sha256 for name, path in files.items()}
        if hashes == self.known[sid] and len(hashes) == len(contents):
            self.result.skipped_already_loaded.append(sid)
            return
        changed = sorted(
            set(hashes) ^ set(self.known[sid])
            | {n for n in hashes if self.known[sid].get(n) != hashes[n]}
        )
        problems.fatal(
            "CHANGED_CONTENT",
            "already loaded with different content; send it as a new revision "
            f"(differs: {', '.join(changed) or 'folder entries'})",
        )
        self._reject(candidate, problems, {}, entries, hashes)

    def _check_file_set(
        self,
        candidate: _Candidate,
        agency: AgencySpec,
        contents: dict[str, Path],
        problems: _Problems,
    ) -> list[TableSpec]:
        """The files the agency sends for that period: every one there, nothing else."""
        expected = agency.tables_for(candidate.period)
        expected_names = [t.file for t in expected]
        for name, entry in contents.items():
            if name in expected_names:
                if not entry.is_file():
                    problems.fatal("UNEXPECTED_FILE", f"{name} is a folder, expected a file", name)
                continue
            other = agency.table_for_file(name)
            if other:
                hint = f"expected only in {other[0].validity_text()}"
            else:
                hint = f"expected files: {', '.join(expected_names)}"
            kind = "folder" if entry.is_dir() else "file"
            problems.fatal("UNEXPECTED_FILE", f"unexpected {kind} {name} ({hint})", name)
        for table in expected:
            if table.file not in contents:
                problems.fatal("MISSING_FILE", f"missing file {table.file}", table.file)
        return expected

    def _check_files(
        self,
        expected: list[TableSpec],
        contents: dict[str, Path],
        manifest: Manifest | None,
        problems: _Problems,
    ) -> tuple[dict[str, FileCheck], dict[str, int]]:
        """Read every expected file once (against its manifest entry, when there is one); its
        accepted records go to the raw tables' temp files. Returns the checks and where this
        submission's records start in each temp file."""
        checks: dict[str, FileCheck] = {}
        marks: dict[str, int] = {}
        for table in expected:
            entry = contents.get(table.file)
            if entry is None or not entry.is_file():
                continue
            listed = manifest.files.get(table.file) if manifest else None
            if listed is not None and (why := _size_mismatch(entry, listed)):
                problems.fatal("MANIFEST_MISMATCH", why, table.file)
                continue
            self.file_no += 1
            check = self._check(entry, table, self._sink(table, marks))
            checks[table.file] = check
            if check.fault is not None:
                problems.fatal(check.fault.code, check.fault.message, table.file, check.fault.line)
            elif listed is not None and (why := _content_mismatch(check, listed)):
                problems.fatal("MANIFEST_MISMATCH", why, table.file)
        return checks, marks

    def _manifest(
        self,
        candidate: _Candidate,
        agency: AgencySpec,
        path: Path | None,
        contents: dict[str, Path],
        expected_names: list[str],
        fatal: Callable[..., None],
        warnings: list[str],
    ) -> Manifest | None:
        """The submission's manifest, checked against the folder (not yet the files' content)."""
        if path is None:
            if agency.manifest_required:
                fatal(
                    "MANIFEST_MISSING",
                    f"no {MANIFEST_NAME}: agency {agency.code} must send one "
                    f"(meta.manifest: required in {agency.source_file.name})",
                    MANIFEST_NAME,
                )
            else:
                warnings.append(NO_MANIFEST)
            return None
        try:
            manifest = read_manifest(path)
        except ManifestError as exc:
            fatal("MANIFEST_INVALID", str(exc), MANIFEST_NAME)
            return None
        other = manifest.names_other_folder(candidate.agency, candidate.period, candidate.revision)
        if other:
            fatal(
                "MANIFEST_INVALID",
                f"{MANIFEST_NAME} is the manifest of {other}, not of this submission",
                MANIFEST_NAME,
            )
            return None
        for name in manifest.files:
            if name not in contents and name not in expected_names:
                fatal("MANIFEST_MISMATCH", f"{MANIFEST_NAME} lists {name}, not in the folder", name)
        for name in contents:
            if name not in manifest.files and name in expected_names:
                fatal("MANIFEST_MISMATCH", f"{name} is not listed in {MANIFEST_NAME}", name)
        return manifest

    def _check(self, path: Path, table: TableSpec, write: Writer) -> FileCheck:
        try:
            with path.open("rb") as source:
                return check_stream(table.file, source, table, self.file_no, write)
        except OSError as exc:
            check = FileCheck(name=table.file, table=table, file_no=self.file_no)
            check.fault = Fault("UNREADABLE", None, f"cannot read the file ({exc.strerror})")
            return check

    def _sink(self, table: TableSpec, marks: dict[str, int]) -> Writer:
        """Where a file's accepted records go: the end of its raw table's temp file (where
        this submission's part starts is kept in `marks`, to cut it off on rejection)."""
        if self.dry_run:
            return _discard
        output = self._output(table)
        marks.setdefault(table.qualified_name, output.handle.tell())
        write = output.handle.write
        return lambda text: write(text.encode("utf-8"))

    def _cut_back(self, marks: dict[str, int]) -> None:
        for key, position in marks.items():
            handle = self.outputs[key].handle
            handle.seek(position)
            handle.truncate()

    def _rel(self, candidate: _Candidate, name: str) -> str:
        return (candidate.folder / name).relative_to(self.root).as_posix()

    def _reject(
        self,
        candidate: _Candidate,
        problems: list[Problem],
        checks: dict[str, FileCheck],
        entries: list[Path],
        hashes: dict[str, str] | None = None,
    ) -> None:
        """Record a rejection. A file's sha256 goes to the ledger when it was read to the end
        (a huge file refused early is not read again just to hash it)."""
        sid = candidate.submission_id
        self.result.rejected.append(sid)
        self.result.problems.extend(problems)
        self.attempted.append(sid)
        summary = str(problems[0]) + (f" (+{len(problems) - 1} more)" if len(problems) > 1 else "")
        names = sorted({e.name for e in entries} | {p.file for p in problems if p.file})
        for name in names or [None]:
            check = checks.get(name) if name else None
            own = [str(p) for p in problems if p.file == name]
            sha = check.sha256 if check else (hashes or {}).get(name or "")
            self.ledger.write(
                sid,
                candidate.agency,
                candidate.period,
                candidate.revision,
                self._rel(candidate, name) if name else None,
                sha,
                check.rows if check and check.fault is None else 0,
                0,
                ledger.REJECTED,
                "; ".join(own) if own else f"submission rejected: {summary}",
                self.loaded_at_text,
            )
        self.report_rejected.append(
            {
                "submission_id": sid,
                "reasons": [str(p) for p in problems],
                "problems": [_problem_dict(p) for p in problems],
            }
        )

    def _accept(self, candidate: _Candidate, checks: dict[str, FileCheck], warnings: list[str]):
        sid = candidate.submission_id
        self.result.accepted.append(sid)
        self.attempted.append(sid)
        for warning in warnings:
            self.result.warnings.append(
                Problem(candidate.agency, sid, None, None, "NO_MANIFEST", warning, fatal=False)
            )
        files_report = [
            self._accept_file(candidate, name, check, warnings) for name, check in checks.items()
        ]
        total_rows = sum(check.rows for check in checks.values())
        total_rejected = sum(len(check.rejected) for check in checks.values())
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
                "warnings": warnings,
                "files": files_report,
            }
        )

    def _accept_file(
        self, candidate: _Candidate, name: str, check: FileCheck, warnings: list[str]
    ) -> dict:
        """Record one file of an accepted submission: file list, rows for its raw table, lines
        left out, ledger row; return its part of the load report."""
        sid = candidate.submission_id
        table = check.table
        assert table is not None
        rel = self._rel(candidate, name)
        key = table.qualified_name
        if self.dry_run:
            self.result.rows_loaded[key] = self.result.rows_loaded.get(key, 0) + check.rows
        else:
            source = ledger.SourceFile(
                check.file_no, sid, candidate.agency, candidate.period, candidate.revision, rel
            )
            self.table_files.setdefault(key, []).append(source)
            output = self.outputs[key]
            output.rows += check.rows
            output.longest = max(output.longest, check.max_record_chars)
            self.expected.setdefault(key, {})[sid] = check.rows
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
                Problem(candidate.agency, sid, name, bad.line, bad.reason, bad.detail, fatal=False)
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
            ledger.LOADED,
            "; ".join(warnings) or None,
            self.loaded_at_text,
        )
        return {
            "file": rel,
            "table": table.qualified_name,
            "data_rows": check.rows,
            "rejected_lines": [
                {"line": r.line, "reason": r.reason, "detail": r.detail} for r in check.rejected
            ],
            "blank_lines": sum(1 for r in check.rejected if r.reason == BLANK),
        }

    def _output(self, table: TableSpec) -> _TableOutput:
        key = table.qualified_name
        if key not in self.outputs:
            path = self.tmp / f"{table.schema}.{table.name}.txt"
            self.outputs[key] = _TableOutput(table, path, path.open("w+b"))
        return self.outputs[key]

    def agency_checked(self, agency: str) -> None:
        """Every submission of `agency` is checked (they come in agency order): its raw tables'
        temp files are final, so their Parquet files are written now, in the background, while
        the next agency's are checked."""
        if self.dry_run or self.writer is None:
            return
        outputs = [
            (key, output)
            for key, output in sorted(self.outputs.items())
            if output.spec.agency_code == agency and not output.submitted
        ]
        loaded_at_sql = f"TIMESTAMP '{self.loaded_at_text}'"
        for key, output in outputs:
            output.handle.close()
            output.submitted = True
            if output.rows:
                files = self.table_files[key]
                select = ledger.raw_select(
                    output.spec, output.path, files, loaded_at_sql, output.longest
                )
                self.writer.submit_raw(key, select, self.expected.get(key, {}))

    def close_files(self) -> None:
        for writer in (self.ledger, self.submissions, self.rejected_lines):
            writer.close()
        for output in self.outputs.values():
            output.handle.close()

    # --- the commit

    def commit(self, con, zone: Path, steps: _Steps) -> rawzone.ZoneManifest:
        """Finish the run in the raw zone (the raw tables' files, written while the checks
        went on; the ledger, submissions and rejected lines; then the manifest: the commit),
        then the warehouse's views over it; returns the new manifest."""
        assert self.writer is not None
        writer = self.writer
        crash_after = int(os.environ.get(CRASH_HOOK_ENV, "0") or 0)
        for key in self.outputs:
            self.result.rows_loaded[key] = 0
        steps.start("writing the raw tables")
        written_tables: list[str] = []

        def written(key: str, count: int) -> None:
            accepted = self.outputs[key].rows
            if count != accepted:
                raise RuntimeError(f"{key}: wrote {count} rows, preflight accepted {accepted}")
            self.result.rows_loaded[key] = count
            written_tables.append(key)
            steps.finish(f"wrote {key}")
            if crash_after and len(written_tables) >= crash_after:
                os.kill(os.getpid(), signal.SIGKILL)  # the test hook: files, no manifest

        writer.finish_raw(written)
        new_ledger = ledger.meta_select("load_ledger", self.ledger.path, self.ledger.longest)
        select, kept = writer.ledger_select(new_ledger, self.attempted)
        writer.write_meta("load_ledger", select, kept + self.ledger.rows, replace=True)
        for table, meta in (
            ("submissions", self.submissions),
            ("rejected_lines", self.rejected_lines),
        ):
            if meta.rows:
                order = rawzone.META_ORDER[table]
                select = f"{ledger.meta_select(table, meta.path, meta.longest)} ORDER BY {order}"
                writer.write_meta(table, select, meta.rows)
        record = {
            "kind": "load",
            "loaded_at": self.loaded_at_text,
            "accepted": self.result.accepted,
            "rejected": self.result.rejected,
        }
        manifest = writer.commit(record)
        if os.environ.get(CRASH_AFTER_MANIFEST_ENV):
            os.kill(os.getpid(), signal.SIGKILL)
        rawzone.sync_views(con, zone, manifest)
        rawzone.remove_orphans(zone, manifest)  # the superseded ledger file
        return manifest

    # --- the report

    def report(self, command: str, path: Path, warehouse: Path | None, count: int) -> dict:
        result = self.result
        return {
            "command": command,
            "outcome": result.outcome,
            "exit_code": result.exit_code,
            "path": str(path),
            "submissions_root": str(self.root),
            "warehouse": str(warehouse) if warehouse else None,
            "loaded_at": None if self.dry_run else self.loaded_at_text,
            "elapsed_seconds": result.elapsed_seconds,
            "counts": {
                "submissions": count,
                "accepted": len(result.accepted),
                "skipped_already_loaded": len(result.skipped_already_loaded),
                "rejected": len(result.rejected),
                "rows_loaded": result.total_rows,
                "rejected_lines": result.rejected_lines,
                "warnings": len(result.warnings),
            },
            "rows_loaded": dict(sorted(result.rows_loaded.items())),
            "accepted": self.report_accepted,
            "skipped": [
                {"submission_id": sid, "reason": SKIPPED_REASON}
                for sid in result.skipped_already_loaded
            ],
            "rejected": self.report_rejected,
            "warnings": [_problem_dict(p) for p in result.warnings],
        }


def _problem_dict(problem: Problem) -> dict:
    data = asdict(problem)
    del data["fatal"]
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


def _prepare(path: Path, project_dir: Path):
    specs = load_source_specs(Path(project_dir))
    if not specs:
        raise LoadError(
            f"no agency sources found under {project_dir}/models/staging "
            "(expected _<agency>__sources.yml files)"
        )
    window = load_period_window(Path(project_dir))
    root, candidates, stray = _discover(Path(path))
    return specs, window, root, candidates, stray


class _Steps:
    """The loader's steps (one per submission checked, one per raw table inserted), reported to
    a `Progress` callback as stage `load` or `validate`."""

    def __init__(self, stage: str, total: int, progress: Progress | None) -> None:
        self.stage, self.total, self.progress = stage, total, progress
        self.done = 0

    def start(self, detail: str) -> None:
        if self.progress is not None:
            self.progress(self.stage, self.done, self.total, detail)

    def finish(self, detail: str) -> None:
        self.done += 1
        self.start(detail)

    def end(self) -> None:
        self.done = self.total
        self.start("")


def _check_all(run: _Run, candidates: list[_Candidate], steps: _Steps) -> None:
    for number, candidate in enumerate(candidates):
        steps.start(f"checking {candidate.submission_id}")
        run.handle(candidate)
        steps.finish(f"checked {candidate.submission_id}")
        following = candidates[number + 1] if number + 1 < len(candidates) else None
        if following is None or following.agency != candidate.agency:
            run.agency_checked(candidate.agency)
    run.close_files()


def load_submissions(
    path: Path,
    warehouse: Path,
    project_dir: Path,
    progress: Progress | None = None,
) -> LoadResult:
    """Preflight every submission under `path` and load the accepted ones, all or nothing, into
    the raw zone beside `warehouse` (`<warehouse dir>/raw/`) and the warehouse's views over it.

    Raises `LoadError` (one clear line) for user errors: missing path, no submissions found,
    unusable sources YAML, warehouse locked. Rejected submissions are not errors: they are listed
    in the result and the report, and give the result its exit code.
    """
    started = time.perf_counter()
    warehouse = Path(warehouse).resolve()
    specs, window, root, candidates, stray = _prepare(path, project_dir)
    con = ledger.connect(warehouse)  # held to the end: one load at a time
    tmp = warehouse.parent / f".{warehouse.name}.load-tmp"
    zone = rawzone.zone_dir(warehouse)
    writer: rawzone.RunWriter | None = None
    try:
        # the profile's memory cap (profiles.yml), which the Parquet writers stay under
        limit = os.environ.get(MEMORY_LIMIT_ENV) or "3GB"
        con.execute(f"SET memory_limit = {ledger.sql_string(limit)}")
        if tmp.exists():  # left behind by a killed run; we hold the warehouse lock now
            shutil.rmtree(tmp)
        tmp.mkdir()
        manifest = rawzone.open_for_load(con, zone)
        known = ledger.loaded_hashes(con, rawzone.ledger_relation(zone, manifest))
        writer = rawzone.RunWriter(con, zone, manifest)
        for agency in specs.values():
            for table in agency.tables:
                writer.ensure_table(table.schema, table.name, ledger.raw_columns(table))
        for name, columns in ledger.META_TABLES.items():
            writer.ensure_table(ledger.META_SCHEMA, name, columns)
        loaded_at = datetime.now(UTC).replace(tzinfo=None)
        run = _Run(root, specs, window, tmp, known, loaded_at, writer=writer)
        run.result.warnings.extend(stray)
        steps = _Steps(
            "load", len(candidates) + sum(len(a.tables) for a in specs.values()), progress
        )
        _check_all(run, candidates, steps)
        if run.attempted:
            run.commit(con, zone, steps)
        steps.end()
    finally:
        if writer is not None:
            writer.close()  # after a failure: the background writes stopped (orphans)
        con.close()
        shutil.rmtree(tmp, ignore_errors=True)
    result = run.result
    result.elapsed_seconds = round(time.perf_counter() - started, 3)
    report_path = _next_report_path(warehouse)
    result.report = {
        "run": int(report_path.stem.split("-")[1]),
        **run.report("load", Path(path), warehouse, len(candidates)),
    }
    report_path.write_text(json.dumps(result.report, indent=2) + "\n", encoding="utf-8")
    result.report_path = report_path
    return result


def _known_read_only(warehouse: Path | None) -> dict[str, dict[str, str]]:
    """What is loaded, read from the raw zone's ledger beside the warehouse (or, before the
    zone, the warehouse's ledger table); nothing is written."""
    if warehouse is None:
        return {}
    zone = rawzone.zone_dir(Path(warehouse))
    for attempt in (1, 2):
        manifest = rawzone.read_manifest(zone)
        if manifest is None:
            break
        with contextlib.closing(duckdb.connect()) as con:
            try:
                return ledger.loaded_hashes(con, rawzone.ledger_relation(zone, manifest))
            except duckdb.IOException:  # a load replaced the ledger file meanwhile
                if attempt == 2:
                    raise
    if not Path(warehouse).is_file():
        return {}
    con = ledger.connect(Path(warehouse), read_only=True)
    try:
        return ledger.loaded_hashes(con, ledger.warehouse_ledger(con))
    finally:
        con.close()


def validate_submissions(
    path: Path,
    project_dir: Path,
    warehouse: Path | None = None,
    progress: Progress | None = None,
) -> LoadResult:
    """Every check `load_submissions` makes, with the same problems and exit code, writing
    nothing: no warehouse is created or changed, no report is written. Given a warehouse that
    exists, its ledger is read (read-only) for the already-loaded and changed-content checks."""
    started = time.perf_counter()
    specs, window, root, candidates, stray = _prepare(path, project_dir)
    known = _known_read_only(warehouse)
    with tempfile.TemporaryDirectory(prefix="cts-validate-") as tmp:
        loaded_at = datetime.now(UTC).replace(tzinfo=None)
        run = _Run(root, specs, window, Path(tmp), known, loaded_at, dry_run=True)
        run.result.warnings.extend(stray)
        steps = _Steps("validate", len(candidates), progress)
        _check_all(run, candidates, steps)
        steps.end()
    result = run.result
    result.elapsed_seconds = round(time.perf_counter() - started, 3)
    used = Path(warehouse) if known else None
    result.report = run.report("validate", Path(path), used, len(candidates))
    return result


# ----------------------------------------------------------------------------- what to say


def summary_lines(result: LoadResult, shown: int = 20) -> list[str]:
    """What `cts load` and `cts validate` print about a result (the same problem lines)."""
    accepted = "would be accepted" if result.dry_run else "accepted"
    head = "Checked" if result.dry_run else "Loaded"
    line = f"{head}: {len(result.accepted)} submissions {accepted} ({result.total_rows:,} rows)"
    line += f", {len(result.rejected)} rejected"
    if result.skipped_already_loaded:
        line += f", {len(result.skipped_already_loaded)} skipped (already loaded)"
    lines = [line + "."]
    fatal = [p for p in result.problems if p.fatal]
    lines += [f"  rejected: {p}" for p in fatal[:shown]]
    if len(fatal) > shown:
        lines.append(f"  … and {len(fatal) - shown} more rejections")
    lines += [f"  warning: {p}" for p in result.warnings[:5]]
    if len(result.warnings) > 5:
        lines.append(f"  … and {len(result.warnings) - 5} more warnings")
    minor = len(result.problems) - len(fatal)
    if minor:
        where = "listed by --json" if result.dry_run else "see the load report"
        lines.append(f"  {minor} malformed lines left out ({where})")
    if result.report_path:
        lines.append(f"  load report: {result.report_path}")
    return lines


def outcome_line(result: LoadResult) -> str | None:
    """The one line that ends a run whose exit code is not 0."""
    code = result.exit_code
    if code == EXIT_OK:
        return None
    if code == EXIT_NOTHING_LOADED:
        verb = "would be" if result.dry_run else "was"
        return f"every submission {verb} rejected: nothing loaded"
    offered = len(result.accepted) + len(result.skipped_already_loaded) + len(result.rejected)
    rest = "would load" if result.dry_run else "loaded"
    return f"{len(result.rejected):,} of {offered:,} submissions rejected (the rest {rest})"
