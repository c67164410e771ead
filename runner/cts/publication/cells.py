"""The published counts in long form (`Cells`), read from the warehouse or from the export.

The protection reads the true counts (`int_published_counts_unpivoted`, restricted); the
checker reads only what was published (`<workdir>/public/<table>.parquet`), as an outside attacker
would.
Both shape them by the declaration: one cell per table, measure and key.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np

from cts.publication.declaration import FLAGS, KEY_COLUMNS, Publication
from cts.publication.relations import Cells


def normalize_key(key: tuple) -> tuple:
    """A key with its year as an integer (engines return it as text, decimal or int)."""
    year_at = KEY_COLUMNS.index("period_year")
    if key[year_at] is None:
        return key
    return key[:year_at] + (int(key[year_at]),) + key[year_at + 1 :]


def from_rows(rows: list[tuple]) -> tuple[Cells, list[int]]:
    """Cells from (cell_number, table, measure, *KEY_COLUMNS, value) rows, in that order."""
    numbers = [row[0] for row in rows]
    cells = Cells(
        table=[row[1] for row in rows],
        measure=[row[2] for row in rows],
        key=[normalize_key(tuple(row[3 : 3 + len(KEY_COLUMNS)])) for row in rows],
        value=np.array([float(row[-1]) for row in rows]),
        flag=[None] * len(rows),
    )
    return cells, numbers


def read_counts(con: duckdb.DuckDBPyConnection) -> tuple[Cells, list[int]]:
    """The true counts of the long table, ordered by cell number (`decisions.read_rows`)."""
    from cts.publication.decisions import read_rows  # decisions builds on this module

    return from_rows([row[:-1] for row in read_rows(con.cursor())])


def read_export(publication: Publication, directory: Path) -> Cells:
    """The published cells of every declared table in `directory` (Parquet), flags and rates."""
    con = duckdb.connect()
    table, measure, keys, values, flags = [], [], [], [], []
    rates: dict[tuple[str, tuple, str], Decimal] = {}
    try:
        for name, declared in publication.tables.items():
            path = directory / f"{name}.parquet"
            if not path.exists():
                raise FileNotFoundError(f"{path}: missing from the export")
            present = publication.key_columns(name)
            key_sql = ", ".join(column if column in present else "null" for column in KEY_COLUMNS)
            measure_sql = ", ".join(f"{m}, {m}_suppression" for m in declared.measures)
            rate_sql = "".join(f", {r}" for r in declared.rates)
            query = f"select {key_sql}, {measure_sql}{rate_sql} from read_parquet(?)"
            width = len(KEY_COLUMNS)
            for row in con.execute(query, [str(path)]).fetchall():
                key = normalize_key(tuple(row[:width]))
                for n, m in enumerate(declared.measures):
                    value, flag = row[width + 2 * n], row[width + 2 * n + 1]
                    if flag is not None and flag not in FLAGS:
                        raise ValueError(f"{path}: {m}_suppression has unknown flag {flag!r}")
                    table.append(name)
                    measure.append(m)
                    keys.append(key)
                    values.append(np.nan if value is None else float(value))
                    flags.append(flag)
                offset = width + 2 * len(declared.measures)
                for n, r in enumerate(declared.rates):
                    if row[offset + n] is not None:
                        rates[(name, key, r)] = Decimal(str(row[offset + n]))
    finally:
        con.close()
    return Cells(table, measure, keys, np.array(values, dtype=float), flags, rates)
