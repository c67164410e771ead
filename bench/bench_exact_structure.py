"""How large the exact attacker's linear programs are, on a built warehouse.

    .venv/bin/python bench/bench_exact_structure.py WORKDIR [--scale NAME]

Reads the true counts (`intermediate.int_published_counts_unpivoted`) and the declared
relations, takes the primary suppression (counts 1..threshold) as the withheld set, and reports the
connected
components of withheld counts: under every declared relation, and with the relations that tie
periods together left out (calendar against fiscal years through half-years; programs against
their agency's calendar years). With WORKDIR/public present, it also reports the components
of what the export actually withholds.

Writes bench/results/exact_structure_<scale>.json.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import duckdb
import numpy as np
from cts.publication import declaration, relations
from cts.publication.cells import read_counts, read_export
from scipy import sparse
from scipy.sparse.csgraph import connected_components

RESULTS = Path(__file__).resolve().parent / "results"
PROJECT = Path(__file__).resolve().parents[1]
PERIOD_LINKS = {"years_from_half_years", "programs_to_agency_calendar_years"}
PERIOD_LINKS |= {"program_outcomes_to_agency_calendar_years"}


def components(system: relations.System, withheld: np.ndarray) -> dict[str, object]:
    columns = np.concatenate(
        [np.flatnonzero(withheld), system.n_cells + np.arange(system.n_hidden)]
    )
    unknown = system.matrix.tocsc()[:, columns].tocsr()
    unknown = unknown[np.flatnonzero(np.diff(unknown.indptr) > 0)]
    rows = unknown.shape[0]
    graph = sparse.bmat([[None, unknown], [unknown.T, None]], format="csr")
    _, labels = connected_components(graph, directed=False)
    sizes = np.bincount(labels[rows:][: int(withheld.sum())])
    sizes = np.sort(sizes[sizes > 0])[::-1]
    return {
        "withheld": int(withheld.sum()),
        "components": len(sizes),
        "largest": [int(s) for s in sizes[:5]],
        "rows": rows,
    }


def without(publication: declaration.Publication, names: set[str]) -> declaration.Publication:
    kept = tuple(r for r in publication.relations if r["name"] not in names)
    return declaration.Publication(**{**publication.__dict__, "relations": kept})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--scale", default=None)
    args = parser.parse_args(argv)
    workdir = args.workdir.resolve()
    scale = args.scale or json.loads((workdir / "generation.json").read_text())["scale"]
    publication = declaration.load(PROJECT)
    con = duckdb.connect(str(workdir / "warehouse.duckdb"), read_only=True)
    try:
        cells, _ = read_counts(con)
    finally:
        con.close()
    small = (cells.value >= 1) & (cells.value <= publication.threshold)
    result: dict[str, object] = {
        "scale": scale,
        "counts": len(cells),
        "small_counts": int(small.sum()),
        "zeros": int((cells.value == 0).sum()),
    }
    started = time.perf_counter()
    system = relations.build(publication, cells)
    result["relation_rows"] = int(system.matrix.shape[0])
    result["hidden_unknowns"] = int(system.n_hidden)
    result["build_seconds"] = round(time.perf_counter() - started, 2)
    result["primary_only"] = components(system, small)
    decoupled = relations.build(without(publication, PERIOD_LINKS), cells)
    result["primary_only_periods_decoupled"] = components(decoupled, small)
    if (workdir / "public" / "manifest.json").is_file():
        published = read_export(publication, workdir / "public")
        exported = relations.build(publication, published)
        result["export"] = components(exported, published.withheld())
    RESULTS.mkdir(exist_ok=True)
    target = RESULTS / f"exact_structure_{scale}.json"
    target.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
