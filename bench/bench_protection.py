"""Disclosure protection and its certificate check, timed, on a built warehouse.

Reads the long table of true counts (`intermediate.int_published_counts_unpivoted`) of a
warehouse `cts build` made (or one built with `cts build -- --select
+int_published_counts_unpivoted`), runs the protection exactly as `cts build` does
(`cts.publication.decisions.decide`), then the certificate check on the pattern it chose
(`cts.publication.check.prove_cells`): the protection's certificates verified against the
attacker's system with the published counts fixed, and a search for any count they leave (the
export's published rates are left out: they add rows over published counts only). Writes wall
time, peak memory, how much was withheld beyond the small counts, per table, and the check's
verdict.

    python bench/bench_protection.py --warehouse work/warehouse.duckdb \\
        --out bench/results/protection_tiny.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import duckdb
import numpy as np
from cts.publication import declaration
from cts.publication.cells import from_rows
from cts.publication.check import Certificate, prove_cells
from cts.publication.decisions import decide, read_rows
from cts.publication.relations import Cells
from cts.resources import StepUsage, measure

CHECKOUT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--scale", default=None, help="label written into the results")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    publication = declaration.load(CHECKOUT)
    with duckdb.connect(str(args.warehouse), read_only=True) as con:
        rows = read_rows(con.cursor())
    usages: list[StepUsage] = []
    with measure("protect", usages):
        decisions, certificate_rows, summary = decide(
            publication, rows, workers=args.workers, say=print
        )
    truth, _ = from_rows([row[:-1] for row in rows])
    withheld = {cell_id for cell_id, _, _ in decisions}
    flags = ["SUPPRESSED" if row[-1] in withheld else None for row in rows]
    published = Cells(
        truth.table,
        truth.measure,
        truth.key,
        np.array([np.nan if f else v for v, f in zip(truth.value, flags, strict=True)]),
        flags,
    )
    position = {row[-1]: n for n, row in enumerate(rows)}
    grouped: dict[int, list[tuple[int, float]]] = {}
    for number, cell_id, value in certificate_rows:
        grouped.setdefault(number, []).append((position[cell_id], value))
    certificates = [
        Certificate(number, np.array([p for p, _ in moves]), np.array([v for _, v in moves]))
        for number, moves in sorted(grouped.items())
    ]
    with measure("check", usages):
        report = prove_cells(publication, published, truth, certificates, workers=args.workers)
    result = {
        "scale": args.scale,
        "machine": f"{os.cpu_count()} cores",
        "counts": summary.counts,
        "withheld_small": summary.primary,
        "withheld_complementary": summary.complementary,
        "complementary_zeros": summary.complementary_zeros,
        "complementary_per_small_count": round(summary.complementary / summary.primary, 3),
        "by_table": summary.by_table,
        "protection_rounds": summary.rounds,
        "check": {
            key: report[key]
            for key in (
                "ok",
                "withheld",
                "unproved_count",
                "proven_widths",
                "certificates",
                "searched",
            )
        },
        "steps": {
            usage.step: {
                "seconds": round(usage.seconds, 1),
                "peak_rss_mb": round(usage.peak_rss_bytes / 2**20),
            }
            for usage in usages
        },
        "seconds_protection_and_check": round(sum(u.seconds for u in usages), 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(result["steps"]), "check ok:", report["ok"])
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
