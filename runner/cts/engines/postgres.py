"""The `postgres` target: a server to build on, the raw tables in it, the marts out of it.

    from cts.engines import postgres

    with postgres.server(workdir) as connection:      # a Connection; the profile's env is set
        postgres.copy_raw_tables(workdir.warehouse, connection)
        ... dbt build --target postgres ...
        postgres.mirror_for_export(connection, workdir)   # -> <workdir>/postgres/export.duckdb

With CTS_POSTGRES_DSN unset, `server` starts a throwaway cluster under the work dir
(`<workdir>/postgres/cluster`, initdb on first use, a Unix socket only, no TCP port) and stops
it on the way out; the cluster's files stay, so the next command finds the built relations.
With CTS_POSTGRES_DSN set (a libpq URI or key=value string), it uses that server and starts
nothing.

The raw zone is the Parquet that `cts load` writes under the work dir (`cts.rawzone`: accepted
rows with their lineage, the ledger, rejected lines), which the DuckDB warehouse reads through
views: before every build the runner copies those raw relations into PostgreSQL with COPY,
replacing what was there (the same bytes every engine reads). The public export reads a DuckDB
mirror of the public and quality marts, so the Parquet and CSV writers are the same on every
engine.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DSN_ENV = "CTS_POSTGRES_DSN"
# What the profile's `postgres` target reads (profiles.yml); set by `server`.
PROFILE_ENV = {
    "host": "CTS_POSTGRES_HOST",
    "port": "CTS_POSTGRES_PORT",
    "user": "CTS_POSTGRES_USER",
    "password": "CTS_POSTGRES_PASSWORD",
    "dbname": "CTS_POSTGRES_DBNAME",
}
LOCAL_USER = "cts"
LOCAL_DATABASE = "cts"
# A throwaway cluster: nothing to recover after a crash, so no fsync (the build is rerun).
LOCAL_SETTINGS = {
    "listen_addresses": "''",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "256MB",
    "work_mem": "64MB",
    "maintenance_work_mem": "256MB",
    "max_connections": "20",
}
# Unix socket paths are limited to 107 bytes; a longer work dir gets a short temporary one.
_SOCKET_PATH_LIMIT = 100
# Schemas `cts load` writes into the DuckDB warehouse and the build reads as sources.
RAW_SCHEMA_PREFIX = "raw_"
# DuckDB column types of the raw tables and the marts, as PostgreSQL spells them.
_TO_POSTGRES = {
    "VARCHAR": "text",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "SMALLINT": "smallint",
    "BOOLEAN": "boolean",
    "DOUBLE": "double precision",
    "FLOAT": "real",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
}
# And back: PostgreSQL types of the marts as DuckDB spells them (the export mirror).
_TO_DUCKDB = {
    "text": "VARCHAR",
    "character varying": "VARCHAR",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "smallint": "SMALLINT",
    "boolean": "BOOLEAN",
    "double precision": "DOUBLE",
    "real": "FLOAT",
    "date": "DATE",
    "timestamp without time zone": "TIMESTAMP",
    "timestamp with time zone": "TIMESTAMP WITH TIME ZONE",
}
# The relations the public export reads (cts.export): every table of these schemas.
EXPORT_SCHEMAS = ("marts", "quality")
MIRROR_NAME = "export.duckdb"


class PostgresError(RuntimeError):
    """The server could not be started or reached, or a copy failed (one line for the user)."""


@dataclass(frozen=True)
class Connection:
    """Where the server is: libpq connection parameters (host may be a socket directory)."""

    host: str
    port: int
    user: str
    dbname: str
    password: str = ""

    def connect(self):  # -> psycopg2 connection
        import psycopg2

        try:
            return psycopg2.connect(
                host=self.host,
                port=self.port,
                user=self.user,
                dbname=self.dbname,
                password=self.password or None,
            )
        except psycopg2.Error as error:
            first = str(error).strip().splitlines()[0] if str(error).strip() else error
            raise PostgresError(f"cannot connect to PostgreSQL: {first}") from error

    def profile_environment(self) -> dict[str, str]:
        return {
            PROFILE_ENV["host"]: self.host,
            PROFILE_ENV["port"]: str(self.port),
            PROFILE_ENV["user"]: self.user,
            PROFILE_ENV["password"]: self.password,
            PROFILE_ENV["dbname"]: self.dbname,
        }


def from_dsn(dsn: str) -> Connection:
    """The connection a libpq DSN (URI or key=value) names; libpq's defaults fill the rest."""
    from psycopg2.extensions import parse_dsn

    try:
        parts = parse_dsn(dsn)
    except Exception as error:  # psycopg2.ProgrammingError: one line
        raise PostgresError(f"{DSN_ENV} is not a valid connection string: {error}") from error
    return Connection(
        host=parts.get("host") or os.environ.get("PGHOST") or "localhost",
        port=int(parts.get("port") or os.environ.get("PGPORT") or 5432),
        user=parts.get("user") or os.environ.get("PGUSER") or "postgres",
        dbname=parts.get("dbname") or os.environ.get("PGDATABASE") or "postgres",
        password=parts.get("password") or os.environ.get("PGPASSWORD") or "",
    )


# --- a throwaway local cluster ---------------------------------------------------------------


def bin_dir() -> Path:
    """Where initdb and pg_ctl are: pg_config's bindir, else the newest Debian install."""
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        candidate = Path(found.stdout.strip())
        if found.returncode == 0 and (candidate / "initdb").is_file():
            return candidate
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    if versions:
        return versions[-1].parent
    if shutil.which("initdb"):
        return Path(shutil.which("initdb")).parent  # type: ignore[arg-type]
    raise PostgresError(
        "PostgreSQL is not installed (initdb not found): run `make setup`"
        " (apt-get install postgresql), or set CTS_POSTGRES_DSN to use a server"
    )


def _as_server_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as the `postgres` system user."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def _hand_to_server_user(path: Path) -> None:
    """As root: the server user owns `path`, and can reach it (search permission, not read,
    on every directory above that lacks it, e.g. a private temporary directory)."""
    if os.geteuid() != 0:
        return
    shutil.chown(path, user="postgres", group="postgres")
    for directory in path.resolve().parents:
        mode = directory.stat().st_mode
        if not mode & stat.S_IXOTH:
            directory.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)


def _free_port() -> int:
    """A port number no one listens on (it names the socket; no TCP port is opened)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise PostgresError(f"{what} failed: {detail[-1] if detail else done.returncode}")


def cluster_dir(workdir_root: Path) -> Path:
    return workdir_root / "postgres" / "cluster"


def init_cluster(cluster: Path) -> None:
    """initdb a cluster (trust auth for the local socket, UTF-8, byte-order collation)."""
    cluster.parent.mkdir(parents=True, exist_ok=True)
    cluster.mkdir(mode=0o700, exist_ok=True)
    _hand_to_server_user(cluster)
    _run(
        _as_server_user(
            [
                str(bin_dir() / "initdb"),
                "--pgdata",
                str(cluster),
                "--username",
                LOCAL_USER,
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                # Strings sort by bytes, as in DuckDB; upper/lower know Unicode letters.
                "--lc-collate",
                "C",
                "--lc-ctype",
                "C.UTF-8",
                "--no-sync",
            ]
        ),
        "initdb",
    )


@contextlib.contextmanager
def local_cluster(workdir_root: Path) -> Iterator[Connection]:
    """Start the work dir's cluster (initdb first if needed); stop it on the way out."""
    cluster = cluster_dir(workdir_root.resolve())  # the server runs from its data directory
    if not (cluster / "PG_VERSION").is_file():
        if cluster.exists():
            shutil.rmtree(cluster)
        init_cluster(cluster)
    sockets = cluster.parent / "run"
    short = len(str(sockets)) <= _SOCKET_PATH_LIMIT
    socket_dir = sockets if short else Path(tempfile.mkdtemp(prefix="cts-pg-"))
    socket_dir.mkdir(parents=True, exist_ok=True)
    _hand_to_server_user(socket_dir)
    port = _free_port()
    options = " ".join(f"-c {name}={value}" for name, value in LOCAL_SETTINGS.items())
    options += f" -c unix_socket_directories='{socket_dir}' -p {port}"
    log = cluster.parent / "server.log"
    log.touch()
    _hand_to_server_user(log)
    pg_ctl = str(bin_dir() / "pg_ctl")
    _run(
        _as_server_user(
            [pg_ctl, "start", "--wait", "--pgdata", str(cluster), "-o", options, "-l", str(log)]
        ),
        f"starting PostgreSQL (log: {log})",
    )
    try:
        connection = Connection(str(socket_dir), port, LOCAL_USER, LOCAL_DATABASE)
        _ensure_database(connection)
        yield connection
    finally:
        stopped = subprocess.run(
            _as_server_user([pg_ctl, "stop", "--wait", "--pgdata", str(cluster), "-m", "fast"]),
            capture_output=True,
            text=True,
        )
        if stopped.returncode != 0:
            with log.open("a", encoding="utf-8") as handle:
                handle.write(f"cts: pg_ctl stop failed: {stopped.stderr or stopped.stdout}\n")
        if not short:
            shutil.rmtree(socket_dir, ignore_errors=True)


def _ensure_database(connection: Connection) -> None:
    maintenance = Connection(connection.host, connection.port, connection.user, "postgres")
    con = maintenance.connect()
    try:
        con.autocommit = True
        with con.cursor() as cursor:
            cursor.execute("select 1 from pg_database where datname = %s", [connection.dbname])
            if cursor.fetchone() is None:
                cursor.execute(f'create database "{connection.dbname}"')
    finally:
        con.close()


@contextlib.contextmanager
def server(workdir_root: Path) -> Iterator[Connection]:
    """The server to build on, with the profile's environment set while it is in use."""
    dsn = os.environ.get(DSN_ENV)
    if dsn:
        connection = from_dsn(dsn)
        connection.connect().close()  # fail early, one line, when it cannot be reached
        with _environment(connection.profile_environment()):
            yield connection
        return
    with local_cluster(workdir_root) as connection, _environment(connection.profile_environment()):
        yield connection


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def session_settings(settings: dict[str, str]) -> Iterator[None]:
    """Give every connection opened meanwhile these settings (libpq's PGOPTIONS), so that a
    secret such as the pseudonym key reaches the server without appearing in any SQL."""
    options = [os.environ.get("PGOPTIONS", "")] if os.environ.get("PGOPTIONS") else []
    for name, value in settings.items():
        escaped = value.replace("\\", "\\\\").replace(" ", "\\ ")
        options.append(f"-c {name}={escaped}")
    with _environment({"PGOPTIONS": " ".join(options)}):
        yield


# --- the raw tables in, the marts out --------------------------------------------------------


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _postgres_type(duckdb_type: str) -> str:
    upper = duckdb_type.upper()
    if upper.startswith("DECIMAL"):
        return upper.replace("DECIMAL", "numeric")
    if upper not in _TO_POSTGRES:
        raise PostgresError(f"no PostgreSQL type for the DuckDB type {duckdb_type}")
    return _TO_POSTGRES[upper]


def _duckdb_type(postgres_type: str, precision: int | None, scale: int | None) -> str:
    if postgres_type == "numeric":
        return f"DECIMAL({precision},{scale})" if precision is not None else "DOUBLE"
    if postgres_type not in _TO_DUCKDB:
        raise PostgresError(f"no DuckDB type for the PostgreSQL type {postgres_type}")
    return _TO_DUCKDB[postgres_type]


def copy_raw_tables(warehouse: Path, connection: Connection) -> int:
    """Copy every relation of the warehouse's raw schemas into PostgreSQL (COPY, CSV),
    replacing the copies there in one transaction; returns the number of rows copied. The raw
    relations are views over the raw zone's Parquet files (made current by
    `cts.rawzone.attach_duckdb` before the build), or tables in a warehouse loaded before the
    zone."""
    import duckdb

    if not warehouse.is_file():
        raise PostgresError(f"no warehouse at {warehouse} (load submissions first: `cts load`)")
    source = duckdb.connect(str(warehouse), read_only=True)
    target = connection.connect()
    copied = 0
    try:
        source.execute("set enable_progress_bar = false")
        tables = source.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_catalog = current_database() and starts_with(table_schema, ?)"
            " order by table_schema, table_name",
            [RAW_SCHEMA_PREFIX],
        ).fetchall()
        with tempfile.TemporaryDirectory(prefix="cts-copy-") as scratch, target.cursor() as cursor:
            for schema, table in tables:
                columns = source.execute(
                    "select column_name, data_type from information_schema.columns"
                    " where table_schema = ? and table_name = ? order by ordinal_position",
                    [schema, table],
                ).fetchall()
                qualified = f"{_quote(schema)}.{_quote(table)}"
                cursor.execute(f"create schema if not exists {_quote(schema)}")
                wanted = [(name, _postgres_type(kind)) for name, kind in columns]
                if _columns_on_server(cursor, schema, table) == _canonical(cursor, wanted):
                    # the same table: emptied, so that the views built on it (staging) stay,
                    # which a `--changed` build defers to
                    cursor.execute(f"truncate table {qualified}")
                else:
                    cursor.execute(f"drop table if exists {qualified} cascade")
                    definition = ", ".join(f"{_quote(name)} {kind}" for name, kind in wanted)
                    cursor.execute(f"create table {qualified} ({definition})")
                csv = Path(scratch) / f"{schema}.{table}.csv"
                # An empty string is written quoted and NULL as nothing: COPY tells them apart.
                source.execute(
                    f"copy {qualified} to '{csv}' (format csv, header false)"  # noqa: S608
                )
                with csv.open("rb") as handle:
                    cursor.copy_expert(f"copy {qualified} from stdin (format csv)", handle)
                copied += cursor.rowcount if cursor.rowcount and cursor.rowcount > 0 else 0
        target.commit()
    except Exception:
        target.rollback()
        raise
    finally:
        target.close()
        source.close()
    return copied


def _columns_on_server(cursor, schema: str, table: str) -> list[tuple[str, str]]:
    """(name, type as PostgreSQL spells it) of a table's columns, in order; [] if it is not
    there."""
    cursor.execute(
        "select a.attname, format_type(a.atttypid, a.atttypmod) from pg_attribute a"
        " join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = %s and c.relname = %s and a.attnum > 0 and not a.attisdropped"
        " order by a.attnum",
        [schema, table],
    )
    return [(name, kind) for name, kind in cursor.fetchall()]


def _canonical(cursor, columns: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The same columns with their types as PostgreSQL spells them (varchar: character
    varying)."""
    spelled = []
    for name, kind in columns:
        cursor.execute("select format_type(%s::regtype, null)", [kind])
        spelled.append((name, cursor.fetchone()[0]))
    return spelled


def mirror_for_export(connection: Connection, workdir_root: Path) -> Path:
    """Copy the tables the export reads (schemas marts and quality) into a fresh DuckDB file,
    `<workdir>/postgres/export.duckdb`, typed as in PostgreSQL; return its path."""
    target = workdir_root / "postgres" / MIRROR_NAME
    return mirror(connection, target, tables_of_schemas(connection, EXPORT_SCHEMAS))


def tables_of_schemas(connection: Connection, schemas: tuple[str, ...]) -> list[tuple[str, str]]:
    """(schema, table) of every table of `schemas` on the server."""
    con = connection.connect()
    try:
        with con.cursor() as cursor:
            cursor.execute(
                "select table_schema, table_name from information_schema.tables"
                " where table_schema = any(%s) and table_type = 'BASE TABLE'"
                " order by table_schema, table_name",
                [list(schemas)],
            )
            return [(schema, table) for schema, table in cursor.fetchall()]
    finally:
        con.close()


def mirror(connection: Connection, path: Path, tables: list[tuple[str, str]]) -> Path:
    """Copy `tables` (schema, table) from PostgreSQL into a fresh DuckDB file at `path`, each
    column typed as DuckDB spells its PostgreSQL type (COPY out as CSV, read back typed)."""
    import duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    source = connection.connect()
    target = duckdb.connect(str(path))
    try:
        target.execute("set enable_progress_bar = false")
        with tempfile.TemporaryDirectory(prefix="cts-mirror-") as scratch, source.cursor() as cur:
            for schema, table in tables:
                cur.execute(
                    "select column_name, data_type, numeric_precision, numeric_scale"
                    " from information_schema.columns"
                    " where table_schema = %s and table_name = %s order by ordinal_position",
                    [schema, table],
                )
                columns = [
                    (name, _duckdb_type(kind, precision, scale))
                    for name, kind, precision, scale in cur.fetchall()
                ]
                if not columns:
                    raise PostgresError(f"no table {schema}.{table} on the server")
                qualified = f"{_quote(schema)}.{_quote(table)}"
                csv = Path(scratch) / f"{schema}.{table}.csv"
                with csv.open("wb") as handle:
                    cur.copy_expert(f"copy {qualified} to stdout (format csv)", handle)
                target.execute(f"create schema if not exists {_quote(schema)}")
                definition = ", ".join(f"{_quote(name)} {kind}" for name, kind in columns)
                target.execute(f"create table {qualified} ({definition})")
                names = ", ".join(_quote(name) for name, _ in columns)
                types = "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in columns) + "}"
                target.execute(
                    f"insert into {qualified} select {names} from read_csv('{csv}',"
                    f" header = false, columns = {types}, quote = '\"', escape = '\"',"
                    " allow_quoted_nulls = false, auto_detect = false)"
                )
    finally:
        target.close()
        source.close()
    return path
