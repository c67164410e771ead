"""Warehouse engines other than DuckDB (the default): how `cts` reaches them.

`cts.engines.postgres`: a PostgreSQL server (a throwaway local cluster unless
CTS_POSTGRES_DSN names one), the raw tables copied into it, the public marts copied out of it.
`cts.engines.spark`: a local Spark session in the cts process, the raw tables attached as
external Parquet tables, the engine functions registered on it, the public marts copied out.
"""

TARGETS = ("duckdb", "postgres", "spark")
DEFAULT_TARGET = "duckdb"
