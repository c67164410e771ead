"""The raw zone: what `cts load` accepted, as validated Parquet files that every engine reads.

    from cts import rawzone

    root = rawzone.zone_dir(warehouse)             # <warehouse dir>/raw (the work dir's raw/)
    manifest = rawzone.read_manifest(root)         # None before the first load
    for table in rawzone.parquet_tables(root):     # what an engine attaches to
        table.schema, table.name, table.columns, table.paths
    rawzone.attach_duckdb(warehouse)               # the warehouse's raw views, repaired if stale

Layout (every path below is relative to `root`):

    manifest.json                                   the only list of what is visible
    <raw schema>/<table>/agency=<CODE>/submission=<CODE>-<YYYY-MM>-r<N>/run-<NNNN>_0.parquet
    _meta/load_ledger/run-<NNNN>.parquet            the whole ledger, rewritten by each run
    _meta/submissions/run-<NNNN>.parquet            the run's accepted submissions
    _meta/rejected_lines/run-<NNNN>.parquet         the run's malformed lines kept aside

One file per raw table and accepted submission (a submission sends one file per table),
written on one thread: the same rows give the same file, row order included (line order but
for a few rows DuckDB's partitioned writer moves; `_line` says where each row was); a file
with no data rows leaves no Parquet file. Each load run writes new files only (named after
the run), then the manifest: every visible file with its rows, bytes and sha256, each table's
columns and types, and the runs. The manifest is written last, to a temporary name and
renamed over the old one (atomic), so a file it does not list is invisible: a killed run's
files are orphans, removed by the next load (`remove_orphans`).

Engines attach to the same bytes: DuckDB by views (`sync_views`: each raw table of the
warehouse a view over exactly the manifest's files, typed; an empty typed view before any
file); PostgreSQL by COPY through those views (`cts.engines.postgres.copy_raw_tables`);
Spark by views over exactly the files `parquet_tables()` lists (`cts.engines.spark`).
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from cts.ledger import META_SCHEMA, META_TABLES, connect, ident, sql_string
from cts.specs import LoadError

ZONE_DIR = "raw"
MANIFEST_NAME = "manifest.json"
FORMAT = "cts-raw-zone/1"
META_DIR = "_meta"
LEDGER_TABLE = "load_ledger"
# The hive-style partition directories of a raw table's files (not columns of the files: the
# lineage columns _agency_code and _submission_id carry the same values).
PARTITION_COLUMNS = ("agency", "submission")
# The order of the rows in each `raw_meta` file.
META_ORDER = {
    "load_ledger": "loaded_at, submission_id, file NULLS FIRST, outcome",
    "submissions": "loaded_at, submission_id",
    "rejected_lines": "loaded_at, submission_id, file, line",
}
# The comment of every raw view the zone made: how `sync_views` knows a view and its files.
VIEW_COMMENT = "cts raw zone"
_TEMP_MANIFEST = ".manifest.json.tmp"


class ZoneError(LoadError):
    """The raw zone cannot be used as it is: one line for the user."""


def zone_dir(warehouse: Path) -> Path:
    """The raw zone of a warehouse: `raw/` beside it (in the work dir)."""
    return Path(warehouse).resolve().parent / ZONE_DIR


def run_name(run: int) -> str:
    return f"run-{run:04d}"


# ----------------------------------------------------------------------------- the manifest


@dataclass(frozen=True)
class ZoneFile:
    """One visible Parquet file: its path (relative to the zone, `/`-separated), rows, size,
    sha256, the run that wrote it and, for a raw table, the submission it holds."""

    path: str
    rows: int
    bytes: int
    sha256: str
    run: int
    submission_id: str | None = None

    def as_dict(self) -> dict:
        data = {
            "path": self.path,
            "rows": self.rows,
            "bytes": self.bytes,
            "sha256": self.sha256,
            "run": self.run,
        }
        if self.submission_id is not None:
            data["submission_id"] = self.submission_id
        return data


@dataclass
class ZoneTable:
    """A raw table (or a `raw_meta` table): its columns with their DuckDB types, its files."""

    schema: str
    name: str
    columns: tuple[tuple[str, str], ...]
    files: list[ZoneFile] = field(default_factory=list)

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def directory(self) -> str:
        """Where its files are, relative to the zone."""
        if self.schema == META_SCHEMA:
            return f"{META_DIR}/{self.name}"
        return f"{self.schema}/{self.name}"

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    def as_dict(self) -> dict:
        return {
            "schema": self.schema,
            "table": self.name,
            "directory": self.directory,
            "columns": [{"name": name, "type": kind} for name, kind in self.columns],
            "rows": self.rows,
            "files": [f.as_dict() for f in sorted(self.files, key=lambda f: f.path)],
        }


@dataclass
class ZoneManifest:
    """`manifest.json`: the tables (by qualified name) and the load runs, oldest first."""

    tables: dict[str, ZoneTable] = field(default_factory=dict)
    runs: list[dict] = field(default_factory=list)

    @property
    def next_run(self) -> int:
        return max((int(r["run"]) for r in self.runs), default=0) + 1

    def files(self) -> Iterable[ZoneFile]:
        for table in self.tables.values():
            yield from table.files

    def to_json(self) -> str:
        """The manifest as JSON: one line per run, table header and file (readable, and
        written by the C encoder: thousands of files)."""

        def line(value: object) -> str:
            return json.dumps(value, ensure_ascii=False)

        tables = []
        for key in sorted(self.tables):
            entry = self.tables[key].as_dict()
            files = entry.pop("files")
            head = line(entry)[:-1] + ', "files": ['
            body = ",\n".join("   " + line(f) for f in files)
            tables.append(f"  {head}\n{body}]}}" if files else f"  {head}]}}")
        runs = ",\n".join("  " + line(run) for run in self.runs)
        body = ",\n".join(tables)
        return f'{{"format": {line(FORMAT)},\n "runs": [\n{runs}],\n "tables": [\n{body}]}}\n'

    @classmethod
    def from_json(cls, text: str) -> ZoneManifest:
        document = json.loads(text)
        if document.get("format") != FORMAT:
            raise ValueError(f"format {document.get('format')!r}, expected {FORMAT!r}")
        tables = {}
        for entry in document["tables"]:
            table = ZoneTable(
                entry["schema"],
                entry["table"],
                tuple((c["name"], c["type"]) for c in entry["columns"]),
                [
                    ZoneFile(
                        f["path"],
                        f["rows"],
                        f["bytes"],
                        f["sha256"],
                        f["run"],
                        f.get("submission_id"),
                    )
                    for f in entry["files"]
                ],
            )
            tables[table.qualified_name] = table
        return cls(tables, list(document["runs"]))


def read_manifest(root: Path) -> ZoneManifest | None:
    """The zone's manifest; None when there is none yet (nothing loaded into the zone)."""
    path = Path(root) / MANIFEST_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as error:
        raise ZoneError(f"cannot read the raw zone's manifest {path}: {error.strerror}") from None
    try:
        return ZoneManifest.from_json(text)
    except (ValueError, KeyError, TypeError) as error:
        raise ZoneError(
            f"the raw zone's manifest {path} is not a valid manifest ({error}); remove the "
            "warehouse and its raw/ folder and load the submissions again"
        ) from None


def _fsync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_manifest(root: Path, manifest: ZoneManifest) -> Path:
    """Write the manifest atomically: a temporary file, synced, renamed over the old one."""
    root.mkdir(parents=True, exist_ok=True)
    temporary = root / _TEMP_MANIFEST
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(manifest.to_json())
        handle.flush()
        os.fsync(handle.fileno())
    target = root / MANIFEST_NAME
    os.replace(temporary, target)
    _fsync_directory(root)
    return target


# ----------------------------------------------------------------------------- the files


def describe(path: Path) -> tuple[int, str, int]:
    """(bytes, sha256, rows) of a Parquet file, read once: the rows from its footer."""
    data = path.read_bytes()
    return len(data), hashlib.sha256(data).hexdigest(), parquet_row_count(data)


# Thrift compact protocol (the Parquet footer): the few element types a skip needs to know.
_BOOL_TRUE, _BOOL_FALSE, _BYTE, _I16, _I32, _I64, _DOUBLE, _BINARY = 1, 2, 3, 4, 5, 6, 7, 8
_LIST, _SET, _MAP, _STRUCT = 9, 10, 11, 12


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def _skip(data: bytes, pos: int, kind: int, element: bool = False) -> int:
    """Past one value of a compact-protocol type (a boolean field holds its value in its
    type; a boolean element of a list or map is one byte)."""
    if kind in (_BOOL_TRUE, _BOOL_FALSE):
        return pos + 1 if element else pos
    if kind == _BYTE:
        return pos + 1
    if kind in (_I16, _I32, _I64):
        return _varint(data, pos)[1]
    if kind == _DOUBLE:
        return pos + 8
    if kind == _BINARY:
        size, pos = _varint(data, pos)
        return pos + size
    if kind in (_LIST, _SET):
        size, inner = data[pos] >> 4, data[pos] & 0x0F
        pos += 1
        if size == 15:
            size, pos = _varint(data, pos)
        for _ in range(size):
            pos = _skip(data, pos, inner, element=True)
        return pos
    if kind == _MAP:
        size, pos = _varint(data, pos)
        if size:
            key, value = data[pos] >> 4, data[pos] & 0x0F
            pos += 1
            for _ in range(size):
                pos = _skip(data, _skip(data, pos, key, element=True), value, element=True)
        return pos
    if kind == _STRUCT:
        while data[pos]:
            head = data[pos]
            pos += 1
            if not head >> 4:  # a long field id delta: the id follows
                pos = _varint(data, pos)[1]
            pos = _skip(data, pos, head & 0x0F)
        return pos + 1
    raise ValueError(f"unknown Thrift compact type {kind}")


def parquet_row_count(data: bytes) -> int:
    """The rows of a Parquet file (its bytes), from its footer: `FileMetaData.num_rows`, field
    3, read without a Parquet library (the file's bytes are read for its sha256 anyway)."""
    if len(data) < 12 or data[:4] != b"PAR1" or data[-4:] != b"PAR1":
        raise ValueError("not a Parquet file")
    pos = len(data) - 8 - int.from_bytes(data[-8:-4], "little")
    field = 0
    while data[pos]:
        head = data[pos]
        pos += 1
        if head >> 4:
            field += head >> 4
        else:
            raw, pos = _varint(data, pos)
            field = (raw >> 1) ^ -(raw & 1)
        if field == 3 and head & 0x0F == _I64:
            raw = _varint(data, pos)[0]
            return (raw >> 1) ^ -(raw & 1)
        pos = _skip(data, pos, head & 0x0F)
    raise ValueError("no row count in the Parquet footer")


def remove_orphans(root: Path, manifest: ZoneManifest | None) -> int:
    """Delete every file under the zone that the manifest does not list (a killed run's
    files, a superseded ledger file, a temporary manifest) and the folders left empty; returns
    the number of files removed."""
    root = Path(root)
    if not root.is_dir():
        return 0
    listed = {f.path for f in manifest.files()} if manifest else set()
    listed.add(MANIFEST_NAME)
    removed = 0
    emptied: set[str] = set()
    for folder, subfolders, names in os.walk(root, topdown=False):
        prefix = os.path.relpath(folder, root).replace(os.sep, "/")
        prefix = "" if prefix == "." else prefix + "/"
        kept = False
        for name in names:
            if prefix + name in listed:
                kept = True
                continue
            os.unlink(os.path.join(folder, name))
            removed += 1
        if prefix and not kept and all(prefix + sub in emptied for sub in subfolders):
            os.rmdir(folder)
            emptied.add(prefix[:-1])
    return removed


def check_files(root: Path, manifest: ZoneManifest) -> None:
    """Every listed file is there with its size (a cheap check: `verify` reads them all)."""
    for entry in manifest.files():
        path = root / entry.path
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise ZoneError(
                f"raw zone file {path} is listed in {root / MANIFEST_NAME} but missing; remove "
                "the warehouse and its raw/ folder and load the submissions again"
            ) from None
        if size != entry.bytes:
            raise ZoneError(
                f"raw zone file {path} has {size:,} bytes, its manifest says {entry.bytes:,}: "
                "changed after it was written; load the submissions again into a new work dir"
            )


def verify(root: Path, manifest: ZoneManifest) -> list[str]:
    """Every listed file read again: its size, sha256 and rows against the manifest; returns
    the problems (none: the zone is what its manifest says)."""
    problems = []
    con = duckdb.connect()
    try:
        for entry in manifest.files():
            path = root / entry.path
            if not path.is_file():
                problems.append(f"{entry.path}: missing")
                continue
            size, sha, footer_rows = describe(path)
            rows = con.execute(  # DuckDB's reading of the footer, and the footer parser's
                "SELECT num_rows FROM parquet_file_metadata(?)", [str(path)]
            ).fetchone()[0]
            if (size, sha, rows, footer_rows) != (entry.bytes, entry.sha256, entry.rows, rows):
                problems.append(
                    f"{entry.path}: {size} bytes, {rows} rows, sha256 {sha[:12]}…; the manifest "
                    f"says {entry.bytes}, {entry.rows}, {entry.sha256[:12]}…"
                )
    finally:
        con.close()
    return problems


@dataclass(frozen=True)
class ParquetTable:
    """One raw table as Parquet, for an engine to attach to (e.g. Spark)."""

    schema: str
    name: str
    columns: tuple[tuple[str, str], ...]  # (name, DuckDB type): VARCHAR, INTEGER, BIGINT, TIMESTAMP
    paths: tuple[Path, ...]  # absolute; exactly the manifest's files (none: an empty table)
    directory: Path  # absolute; those files (and a killed load's, until the next load)
    rows: int


def parquet_tables(root: Path) -> list[ParquetTable]:
    """Per raw table (agency schemas and `raw_meta`) of the zone, in name order: its columns
    with their types and its Parquet files, from the manifest ([] before the first load).

    Attach to `paths`, not to a glob of `directory`: a file the manifest does not list is not
    part of the zone (a killed load's leftovers, until the next load removes them). The files
    carry every column of the table, typed (the partition folders `agency=`/`submission=`
    only repeat the lineage columns `_agency_code` and `_submission_id`). Spark reads them
    through a view over one path glob of exactly these files (`cts.engines.spark`)."""
    root = Path(root).resolve()
    manifest = read_manifest(root)
    if manifest is None:
        return []
    return [
        ParquetTable(
            table.schema,
            table.name,
            table.columns,
            tuple(root / f.path for f in sorted(table.files, key=lambda f: f.path)),
            root / table.directory,
            table.rows,
        )
        for _, table in sorted(manifest.tables.items())
    ]


# ----------------------------------------------------------------------------- writing a run


def _submission_of(relative: str) -> str:
    """`raw_suf/inmates/agency=SUF/submission=SUF-2019-03-r1/run-0001_0.parquet` →
    SUF/2019-03/r1."""
    parts = dict(part.split("=", 1) for part in relative.split("/") if "=" in part)
    agency, rest = parts["submission"].split("-", 1)
    period, revision = rest.rsplit("-", 1)
    return f"{agency}/{period}/{revision}"


def _read_parquet(root: Path, files: Sequence[ZoneFile]) -> str:
    paths = ", ".join(sql_string(str(root / f.path)) for f in files)
    return f"read_parquet([{paths}], hive_partitioning = false, union_by_name = false)"


class RunWriter:
    """The new files of one load run, written where no manifest points yet; `commit` makes
    them visible (the manifest; files it no longer lists are left to `remove_orphans`).

    Every file is checked after it is written: its rows (from its footer) against what the
    run meant to write, per submission; its bytes and sha256 go to the manifest."""

    def __init__(self, con: duckdb.DuckDBPyConnection, root: Path, manifest: ZoneManifest):
        self.con = con
        self.root = Path(root).resolve()
        self.before = manifest
        self.manifest = copy.deepcopy(manifest)
        self.run = manifest.next_run
        self._pool: ThreadPoolExecutor | None = None
        self._futures: dict[Future, str] = {}
        self._threads = 1

    def ensure_table(self, schema: str, name: str, columns: Sequence[tuple[str, str]]) -> None:
        """Declare a table (its columns) in the zone; a table already there must have them."""
        key = f"{schema}.{name}"
        wanted = tuple((n, k) for n, k in columns)
        if schema != META_SCHEMA:
            for column in PARTITION_COLUMNS:
                if column in (n for n, _ in wanted):
                    raise ZoneError(
                        f"table {key}: column name {column!r} is reserved by the raw zone"
                    )
        table = self.manifest.tables.get(key)
        if table is None:
            self.manifest.tables[key] = ZoneTable(schema, name, wanted)
        elif table.columns != wanted:
            have = ", ".join(n for n, _ in table.columns)
            raise ZoneError(
                f"table {key} in the raw zone has columns {have} but the loader expects "
                f"{', '.join(n for n, _ in wanted)}; remove the warehouse and its raw/ folder "
                "and load the submissions again"
            )

    def submit_raw(
        self, key: str, select: str, expected: dict[str, int], order_by: str | None = None
    ) -> None:
        """Start writing a raw table's new rows in the background: `select` gives the table's
        columns with lineage (sorted by `order_by`, if given), `expected` the rows per
        submission id. One COPY, partitioned into one file per submission; the COPYs run side
        by side, each on its own connection and on one thread (so that each file is a
        deterministic function of its rows)."""
        if self._pool is None:
            setting = self.con.execute("SELECT current_setting('threads')").fetchone()[0]
            self._threads = int(setting)
            self.con.execute("SET threads = 1")  # the database's setting: every COPY's
            self._pool = ThreadPoolExecutor(max(1, min(self._threads, 4)))
        cursor = self.con.cursor()  # made here: a connection is not to be shared by threads
        future = self._pool.submit(self._write_raw, cursor, key, select, expected, order_by)
        self._futures[future] = key

    def finish_raw(self, done: Callable[[str, int], None] | None = None) -> dict[str, int]:
        """Wait for every raw table submitted; `done(table, rows)` follows each as it ends.
        Returns the rows written per table (the first failure is raised)."""
        written: dict[str, int] = {}
        try:
            for future in as_completed(self._futures):
                key = self._futures[future]
                files, rows = future.result()
                self.manifest.tables[key].files.extend(files)
                written[key] = rows
                if done is not None:
                    done(key, rows)
        finally:
            self.close()
        return written

    def write_raw_tables(
        self,
        jobs: Sequence[tuple[str, str, dict[str, int]]],
        done: Callable[[str, int], None] | None = None,
        order_by: str | None = None,
    ) -> dict[str, int]:
        """`submit_raw` every job (table, select, expected), then `finish_raw`."""
        for key, select, expected in jobs:
            self.submit_raw(key, select, expected, order_by)
        return self.finish_raw(done)

    def close(self) -> None:
        """Stop writing: what has not started is cancelled, what runs is awaited; the database
        gets its threads back. Files written and not committed stay orphans."""
        if self._pool is None:
            return
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool = None
        self._futures = {}
        self.con.execute(f"SET threads = {self._threads}")

    def _write_raw(
        self,
        cursor: duckdb.DuckDBPyConnection,
        key: str,
        select: str,
        expected: dict[str, int],
        order_by: str | None,
    ) -> tuple[list[ZoneFile], int]:
        """One raw table's COPY, and its files checked: the rows in each file's footer against
        `expected` for the submission of its folder."""
        table = self.manifest.tables[key]
        directory = self.root / table.directory
        directory.mkdir(parents=True, exist_ok=True)
        pattern = run_name(self.run) + "_{i}"
        # On one thread the files are a deterministic function of the rows given (in line
        # order within each submission). DuckDB's partitioned writer does not promise to keep
        # that order, and does not quite (89 of the 6,771 files of the full-scale load had a
        # few rows moved, with ORDER BY too): readers that want line order sort by _line.
        order = f" ORDER BY {order_by}" if order_by else ""
        sql = (
            f"COPY (SELECT *, _agency_code AS agency, replace(_submission_id, '/', '-') AS "
            f"submission FROM ({select}){order}) "
            f"TO {sql_string(str(directory))} (FORMAT parquet, PARTITION_BY (agency, "
            f"submission), FILENAME_PATTERN {sql_string(pattern)}, OVERWRITE_OR_IGNORE true, "
            "RETURN_FILES true)"
        )
        with contextlib.closing(cursor):
            written = cursor.execute(sql).fetchone()[1] or []
        files: list[ZoneFile] = []
        found: dict[str, int] = {}
        for name in written:
            path = Path(name)
            relative = path.relative_to(self.root).as_posix()
            sid = _submission_of(relative)
            size, sha, rows = describe(path)
            files.append(ZoneFile(relative, rows, size, sha, self.run, sid))
            found[sid] = found.get(sid, 0) + rows
        wanted = {sid: n for sid, n in expected.items() if n}
        if found != wanted:
            raise RuntimeError(
                f"{key}: the Parquet files hold {sum(found.values())} rows of {len(found)} "
                f"submissions, the run accepted {sum(wanted.values())} of {len(wanted)}"
            )
        return files, sum(found.values())

    def write_meta(self, name: str, select: str, expected: int, replace: bool = False) -> None:
        """Write a `raw_meta` table's rows (`select`) as this run's file; `replace`: the file
        holds the whole table and supersedes its earlier files (the ledger)."""
        table = self.manifest.tables[f"{META_SCHEMA}.{name}"]
        if replace:
            table.files = []
        if not expected:
            return
        directory = self.root / table.directory
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{run_name(self.run)}.parquet"
        self.con.execute(f"COPY ({select}) TO {sql_string(str(path))} (FORMAT parquet)")
        size, sha, rows = describe(path)
        if rows != expected:
            raise RuntimeError(f"{table.qualified_name}: wrote {rows} rows, expected {expected}")
        table.files.append(
            ZoneFile(path.relative_to(self.root).as_posix(), rows, size, sha, self.run)
        )

    def ledger_select(self, new_rows: str, forget: Sequence[str]) -> tuple[str, int]:
        """The whole ledger after this run: the earlier rows, but the rejected-attempt rows of
        the submissions attempted again (`forget`), then the run's (`new_rows`); and the count
        of the earlier rows kept."""
        table = self.before.tables.get(f"{META_SCHEMA}.{LEDGER_TABLE}")
        ids = "[" + ", ".join(sql_string(s) for s in sorted(set(forget))) + "]::VARCHAR[]"
        parts = []
        kept = 0
        if table is not None and table.files:
            earlier = (
                f"SELECT * FROM {_read_parquet(self.root, table.files)} "
                f"WHERE NOT (outcome = 'rejected' AND list_contains({ids}, submission_id))"
            )
            kept = self.con.execute(f"SELECT count(*) FROM ({earlier})").fetchone()[0]
            parts.append(earlier)
        parts.append(new_rows)
        union = " UNION ALL ".join(f"({part})" for part in parts)
        return f"SELECT * FROM ({union}) ORDER BY {META_ORDER[LEDGER_TABLE]}", kept

    def commit(self, record: dict) -> ZoneManifest:
        """Make the run visible: its record added, the manifest written (atomically) once the
        run's files are on disk (one `sync`: far cheaper than thousands of `fsync`s)."""
        self.manifest.runs.append({"run": self.run, **record})
        os.sync()
        write_manifest(self.root, self.manifest)
        return self.manifest


# ----------------------------------------------------------------------------- the ledger


def ledger_relation(root: Path, manifest: ZoneManifest | None) -> str | None:
    """SQL reading the zone's ledger (None: no ledger rows yet)."""
    if manifest is None:
        return None
    table = manifest.tables.get(f"{META_SCHEMA}.{LEDGER_TABLE}")
    if table is None or not table.files:
        return None
    return _read_parquet(Path(root), table.files)


# ----------------------------------------------------------------------------- DuckDB views


def _fingerprint(root: Path, table: ZoneTable) -> str:
    files = sorted((f.path, f.sha256) for f in table.files)
    text = json.dumps([str(root), table.qualified_name, table.columns, files])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def view_comment(root: Path, table: ZoneTable) -> str:
    """The comment of a table's view: says what it reads, and changes with every file."""
    return (
        f"{VIEW_COMMENT} {_fingerprint(root, table)}: {len(table.files)} Parquet files, "
        f"{table.rows} rows, under {root / table.directory}"
    )


def view_sql(root: Path, table: ZoneTable) -> str:
    """The SELECT of a table's view: exactly the manifest's files, every column typed."""
    if not table.files:
        nulls = ", ".join(f"CAST(NULL AS {kind}) AS {ident(name)}" for name, kind in table.columns)
        return f"SELECT {nulls} WHERE false"
    columns = ", ".join(
        f"CAST({ident(name)} AS {kind}) AS {ident(name)}" for name, kind in table.columns
    )
    return f"SELECT {columns} FROM {_read_parquet(root, table.files)}"


def zone_views(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """qualified name → comment of the warehouse's views made by the zone."""
    rows = con.execute(
        "SELECT schema_name, view_name, comment FROM duckdb_views() WHERE NOT internal"
        " AND database_name = current_database() AND starts_with(comment, ?)",
        [VIEW_COMMENT + " "],
    ).fetchall()
    return {f"{schema}.{name}": comment for schema, name, comment in rows}


def loader_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(schema, table) of the base tables in raw schemas (the loader before the zone)."""
    return con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name ="
        " current_database() AND starts_with(schema_name, 'raw_') ORDER BY ALL"
    ).fetchall()


def sync_views(con: duckdb.DuckDBPyConnection, root: Path, manifest: ZoneManifest) -> int:
    """Make each table of the manifest a view of the warehouse over exactly its files, in one
    transaction (a table the old loader made is replaced); only the views whose files changed
    are made again. Returns how many were."""
    root = Path(root).resolve()
    current = zone_views(con)
    stale = [
        table
        for _, table in sorted(manifest.tables.items())
        if current.get(table.qualified_name) != view_comment(root, table)
    ]
    if not stale:
        return 0
    check_files(root, ZoneManifest({t.qualified_name: t for t in stale}))
    tables = set(loader_tables(con))
    con.execute("BEGIN TRANSACTION")
    try:
        for table in stale:
            name = f"{ident(table.schema)}.{ident(table.name)}"
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {ident(table.schema)}")
            if (table.schema, table.name) in tables:
                con.execute(f"DROP TABLE {name}")
            con.execute(f"CREATE OR REPLACE VIEW {name} AS {view_sql(root, table)}")
            con.execute(f"COMMENT ON VIEW {name} IS {sql_string(view_comment(root, table))}")
        con.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    return len(stale)


def attach_duckdb(warehouse: Path) -> int:
    """Before a build: the warehouse's raw views made again where they do not read exactly the
    manifest's files (a load killed between its manifest and its views, a work dir copied or
    moved, a warehouse removed). Cheap when nothing changed: the manifest read, one query.
    Returns the views made.

    A warehouse of the loader before the zone (raw tables, no manifest) is left as it is: its
    next `cts load` moves the tables into the zone. A warehouse whose views read a zone that
    is not beside it is one clear error."""
    warehouse = Path(warehouse).resolve()
    root = zone_dir(warehouse)
    manifest = read_manifest(root)
    if manifest is None:
        if not warehouse.is_file():
            return 0
        try:
            con = connect(warehouse, read_only=True)
        except LoadError:  # not a warehouse this can read: the build will say why
            return 0
        try:
            if zone_views(con):
                raise ZoneError(
                    f"the warehouse {warehouse} reads a raw zone, but {root / MANIFEST_NAME} is "
                    "missing: keep the raw/ folder beside the warehouse (copy it with it), or "
                    "remove the warehouse and load the submissions again"
                )
        finally:
            con.close()
        return 0
    con = connect(warehouse)
    try:
        return sync_views(con, root, manifest)
    finally:
        con.close()


# ----------------------------------------------------------------------------- a load begins


def open_for_load(con: duckdb.DuckDBPyConnection, root: Path) -> ZoneManifest:
    """The zone as a load finds it, holding the warehouse's lock: a killed run's files removed,
    the listed files checked (present, their sizes), the views made again if stale. A
    warehouse of the loader before the zone has its raw tables moved into the zone first
    (`convert_loader_tables`). Returns the manifest (empty before the first load)."""
    root = Path(root).resolve()
    manifest = read_manifest(root)
    remove_orphans(root, manifest)
    if manifest is None:
        if not loader_tables(con):
            if zone_views(con):
                raise ZoneError(
                    f"the warehouse reads a raw zone, but {root / MANIFEST_NAME} is missing: "
                    "keep the raw/ folder beside the warehouse, or remove the warehouse and "
                    "load the submissions again"
                )
            return ZoneManifest()
        manifest = convert_loader_tables(con, root)
    check_files(root, manifest)
    sync_views(con, root, manifest)
    return manifest


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name ="
        " current_database() AND schema_name = ? AND table_name = ? ORDER BY column_index",
        [schema, table],
    ).fetchall()


def convert_loader_tables(con: duckdb.DuckDBPyConnection, root: Path) -> ZoneManifest:
    """Move the raw tables of a warehouse loaded before the zone into it, as run 1: every
    row of every raw and `raw_meta` table written to Parquet, lineage and ledger kept as they
    are; then the manifest, then the tables replaced by views (one transaction). Killed
    before the manifest, the tables are still there and the next load converts again."""
    writer = RunWriter(con, root, ZoneManifest())
    tables = [(s, t) for s, t in loader_tables(con) if s != META_SCHEMA or t in META_TABLES]
    for schema, name in tables:
        writer.ensure_table(schema, name, _columns(con, schema, name))
    for name, columns in META_TABLES.items():
        writer.ensure_table(META_SCHEMA, name, columns)
    jobs = []
    for schema, name in tables:
        source = f"SELECT * FROM {ident(schema)}.{ident(name)}"
        if schema == META_SCHEMA:
            count = con.execute(f"SELECT count(*) FROM ({source})").fetchone()[0]
            writer.write_meta(name, f"{source} ORDER BY {META_ORDER[name]}", count)
            continue
        counts = con.execute(f"SELECT _submission_id, count(*) FROM ({source}) GROUP BY ALL")
        jobs.append((f"{schema}.{name}", source, dict(counts.fetchall())))
    writer.write_raw_tables(jobs, order_by="_submission_id, _line")  # as inserted: sort
    manifest = writer.commit({"kind": "converted", "from": "the warehouse's raw tables"})
    sync_views(con, root, manifest)
    return manifest
