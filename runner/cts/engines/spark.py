"""The spark target: a local Spark session (dbt-spark's `session` method) in the cts process.

dbt-spark's session method asks `SparkSession.builder.getOrCreate()` for its session, so the
session cts starts first is the one every model runs on. Before a build cts

1. starts it with the settings of profiles.yml's `spark` target (`local[2]`, a Hive metastore
   and warehouse under `<workdir>/spark/`);
2. registers the engine functions the `spark__` macros call (`cts.engines.functions`, exact
   Python versions of DuckDB's, checked against the same golden values);
3. attaches the raw tables: each raw table of the raw zone (`cts.rawzone`) as a Spark view of
   the same name over exactly the Parquet files its manifest lists (read in place).

Needs `pip install -r requirements-spark.txt` (dbt-spark[session], pyspark) and Java 17.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cts.engines import functions

SPARK_DIR = "spark"
LOCAL_IP = "127.0.0.1"


class SparkError(RuntimeError):
    """Spark could not start or be given the raw tables: one clear line."""


def spark_dir(workdir: Path) -> Path:
    return Path(workdir) / SPARK_DIR


def profile_environment(workdir: Path) -> dict[str, str]:
    """What profiles.yml's spark target reads."""
    return {"CTS_SPARK_DIR": str(spark_dir(workdir).resolve()), "SPARK_LOCAL_IP": LOCAL_IP}


def settings(workdir: Path) -> dict[str, str]:
    """The session's settings (profiles.yml's spark target repeats the master and the warehouse;
    dbt gets the session started with these)."""
    home = spark_dir(workdir).resolve()
    return {
        "spark.master": "local[2]",
        "spark.driver.memory": "2g",
        "spark.sql.shuffle.partitions": "4",
        "spark.sql.warehouse.dir": f"{home}/warehouse",
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={home}/metastore_db;create=true"
        ),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={home}",
        "spark.ui.enabled": "false",
        "spark.sql.ansi.enabled": "false",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.analyzer.maxIterations": "1000",
    }


def start(workdir: Path):
    """The Spark session of this process, started with `settings` and given the functions."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:
        raise SparkError(
            "the spark target needs pyspark and dbt-spark: pip install -r requirements-spark.txt"
        ) from error
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise SparkError("the spark target needs Java 17 (Debian: apt-get install openjdk-17-jre)")
    spark_dir(workdir).mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("SPARK_LOCAL_IP", LOCAL_IP)
    # the Python workers that run the functions: this interpreter, which can import cts
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.enableHiveSupport()
    for key, value in settings(workdir).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    register_functions(session)
    return session


def register_functions(session) -> None:
    """The engine functions, as session functions of the names the spark__ macros call."""
    from pyspark.sql.types import DateType, DoubleType, IntegerType, StringType

    for name, function, kind in (
        ("cts_jaro_winkler", functions.jaro_winkler, DoubleType()),
        ("cts_damerau_levenshtein", functions.damerau_levenshtein, IntegerType()),
        ("cts_strip_accents", functions.strip_accents, StringType()),
        ("cts_try_parse_date", functions.try_parse_date, DateType()),
        ("cts_log2", functions.log2, DoubleType()),
        ("cts_pseudonym", _pseudonym_under(functions.pseudonym), StringType()),
    ):
        session.udf.register(name, function, kind)


def _pseudonym_under(pseudonym):
    from cts.pseudonym import current_key

    key = current_key()  # read once, here: the key never reaches SQL

    def keyed(value: str | None) -> str | None:
        return pseudonym(value, key)

    return keyed


class _Cursor:
    """A DB-API cursor's few methods over the session, for the readers the engines share
    (`decisions.read_rows`, `check.read_certificates`)."""

    def __init__(self, session) -> None:
        self.session = session
        self.rows: list[tuple] = []

    def execute(self, sql: str, parameters=None) -> None:
        if parameters:
            raise SparkError("the Spark cursor takes no parameters")
        self.rows = [tuple(row) for row in self.session.sql(sql).collect()]

    def fetchall(self) -> list[tuple]:
        return self.rows

    def fetchone(self) -> tuple | None:
        return self.rows[0] if self.rows else None

    def relation_exists(self, schema: str, name: str) -> bool:
        return bool(self.session.catalog.tableExists(f"{schema}.{name}"))

    def close(self) -> None:
        self.rows = []

    def __enter__(self) -> _Cursor:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


@dataclass
class SparkTarget:
    """The started session of the spark target, with what the runner's steps do on it."""

    workdir_root: Path
    session: Any

    def cursor(self) -> _Cursor:
        return _Cursor(self.session)

    def attach_raw_tables(self, warehouse: Path) -> int:
        """Every raw table of the raw zone beside the warehouse as a Spark view of the same
        name over exactly the Parquet files its manifest lists (`files_view_sql`): the zone's
        bytes, read in place, never a killed load's leftovers; returns the rows attached.

        Not an external table: its LOCATION is one folder, read whole (a killed load's orphans
        and the ledger files of earlier runs included), and Spark's table options take no list
        of files."""
        from cts import rawzone

        tables = rawzone.parquet_tables(rawzone.zone_dir(warehouse))
        if not tables:
            raise SparkError(f"no raw zone beside {warehouse} (load submissions first: `cts load`)")
        catalog = self.session.catalog
        rows = 0
        for table in tables:
            qualified = f"`{table.schema}`.`{table.name}`"
            self.session.sql(f"create database if not exists `{table.schema}`")
            if catalog.tableExists(f"{table.schema}.{table.name}"):
                kind = catalog.getTable(f"{table.schema}.{table.name}").tableType
                if kind != "VIEW":  # a table of the copying attach before views
                    self.session.sql(f"drop table {qualified}")
            self.session.sql(f"create or replace view {qualified} as {files_view_sql(table)}")
            rows += table.rows
        return rows

    def write_decisions(self, schema: str, tables: dict[str, tuple[str, list[tuple]]]) -> None:
        """Replace each table {name: (Spark schema, rows)} of `schema`. Spark has no
        transaction over two tables: the build's data test and the disclosure check refuse
        decisions and certificates that do not match the counts."""
        self.session.sql(f"create database if not exists `{schema}`")
        for name, (columns, rows) in tables.items():
            frame = self.session.createDataFrame(rows, schema=columns)
            frame.write.mode("overwrite").saveAsTable(f"`{schema}`.`{name}`")

    def tables_of_schemas(self, schemas: tuple[str, ...]) -> list[tuple[str, str]]:
        """(schema, table) of every table of `schemas` (views left out)."""
        found = []
        for schema in schemas:
            if self.session.catalog.databaseExists(schema):
                found += [
                    (schema, table.name)
                    for table in self.session.catalog.listTables(schema)
                    if table.tableType != "VIEW" and not table.isTemporary
                ]
        return sorted(found)

    def mirror(self, path: Path, tables: list[tuple[str, str]]) -> Path:
        """`tables` (schema, table) copied into a fresh DuckDB file at `path`, through
        Parquet (Spark's types as DuckDB reads them: string VARCHAR, int INTEGER, ...)."""
        import duckdb

        staging = path.with_name(path.stem + "-parquet")
        shutil.rmtree(staging, ignore_errors=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        with contextlib.closing(duckdb.connect(str(path))) as mirror:
            mirror.execute("set enable_progress_bar = false")
            for schema, table in tables:
                folder = staging / f"{schema}.{table}"
                frame = self.session.table(f"`{schema}`.`{table}`")
                frame.coalesce(1).write.parquet(str(folder))
                mirror.execute(f'create schema if not exists "{schema}"')
                mirror.execute(
                    f'create table "{schema}"."{table}" as'
                    f" select * from read_parquet('{folder}/*.parquet')"
                )
        shutil.rmtree(staging, ignore_errors=True)
        return path

    def mirror_for_export(self, schemas: tuple[str, ...]) -> Path:
        """The tables the export reads (of `schemas`) in `<workdir>/spark/export.duckdb`."""
        target = spark_dir(self.workdir_root).resolve() / "export.duckdb"
        return self.mirror(target, self.tables_of_schemas(schemas))


# DuckDB's types of the raw zone's columns, as Spark spells them (for a table with no file yet)
_SPARK_TYPES = {
    "VARCHAR": "string",
    "INTEGER": "int",
    "BIGINT": "bigint",
    "TIMESTAMP": "timestamp_ntz",
    "DATE": "date",
    "DOUBLE": "double",
    "BOOLEAN": "boolean",
}


# What a Hadoop path glob reads as a pattern: escaped in a file's path.
_GLOB_SPECIAL = "\\{}[]*?,"


def files_glob(paths: tuple[Path, ...]) -> str:
    """One Hadoop path glob that matches exactly `paths` (absolute):
    `<common folder>/{<file 1>,<file 2>,...}`."""
    texts = [str(path) for path in paths]
    if len(texts) == 1:
        return _glob_escape(texts[0])
    root = os.path.commonpath(texts)
    rest = ",".join(_glob_escape(os.path.relpath(text, root)) for text in texts)
    return f"{_glob_escape(root)}/{{{rest}}}"


def _glob_escape(text: str) -> str:
    if "`" in text:
        raise SparkError(f"a raw zone path with a backtick cannot be read by Spark SQL: {text}")
    return "".join("\\" + c if c in _GLOB_SPECIAL else c for c in text)


def files_view_sql(table) -> str:
    """The SELECT of a raw table's view (a `cts.rawzone.ParquetTable`): its manifest's files,
    every column cast to its type (the partition folders' `agency` and `submission` left out,
    as on DuckDB); no rows of those types when it has no file yet."""
    if not table.paths:
        nulls = ", ".join(
            f"cast(null as {_spark_type(kind)}) as `{name}`" for name, kind in table.columns
        )
        return f"select {nulls} where false"
    columns = ", ".join(
        f"cast(`{name}` as {_spark_type(kind)}) as `{name}`" for name, kind in table.columns
    )
    return f"select {columns} from parquet.`{files_glob(table.paths)}`"


def _spark_type(kind: str) -> str:
    return _SPARK_TYPES[kind.upper()]


@contextlib.contextmanager
def session(workdir_root: Path) -> Iterator[SparkTarget]:
    """The spark target's session while in use (the profile's variables set), stopped
    afterwards."""
    with environment(workdir_root):
        started = start(workdir_root)
        try:
            yield SparkTarget(Path(workdir_root), started)
        finally:
            started.stop()


@contextlib.contextmanager
def environment(workdir: Path) -> Iterator[dict[str, str]]:
    """The profile's variables set while the block runs."""
    values = profile_environment(workdir)
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield values
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
