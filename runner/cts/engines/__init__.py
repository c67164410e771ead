"""Warehouse engines other than DuckDB (the default): how `cts` reaches them.

`cts.engines.postgres`: a PostgreSQL server (a throwaway local cluster unless
CTS_POSTGRES_DSN names one), the raw tables copied into it, the public marts copied out of it.
"""

TARGETS = ("duckdb", "postgres")
DEFAULT_TARGET = "duckdb"
