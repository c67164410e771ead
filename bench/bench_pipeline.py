"""Time and peak memory of every step of `cts run`, each step in its own process.

    python bench/bench_pipeline.py --scale full --seed 7 --workdir /tmp/cts_full \
        --out bench/results/pipeline_full.json

Steps: generate, load, build (dbt seed + build, every test), export. Each runs as a separate
`cts` process under GNU time, which reports its wall time and peak resident memory; the row
counts come from the generator summary and the warehouse. Figures go to a JSON file.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

STEPS = ("generate", "load", "build", "export")


def run_step(cts: str, workdir: Path, step: str, scale: str, seed: int) -> dict:
    args = [cts, "--workdir", str(workdir), step]
    if step == "generate":
        args += ["--scale", scale, "--seed", str(seed)]
    with tempfile.NamedTemporaryFile("r", suffix=".time") as timing:
        command = ["/usr/bin/time", "-f", "%e %M", "-o", timing.name, *args]
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
        elapsed, max_rss_kb = timing.read().split()[-2:]
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout[-4000:] + completed.stderr[-4000:])
        raise SystemExit(f"step {step} failed with exit code {completed.returncode}")
    return {
        "step": step,
        "seconds": round(float(elapsed), 1),
        "peak_rss_mb": round(int(max_rss_kb) / 1024),
    }


def warehouse_counts(workdir: Path) -> dict:
    import duckdb

    con = duckdb.connect(str(workdir / "warehouse.duckdb"), read_only=True)
    try:
        raw_rows = con.execute(
            "select sum(loaded_rows) from staging.stg_raw_meta__load_ledger"
            " where load_outcome = 'loaded'"
        ).fetchone()[0]
        spells = con.execute("select count(*) from restricted.fct_program_enrollments").fetchone()[
            0
        ]
    finally:
        con.close()
    return {"raw_rows_loaded": int(raw_rows or 0), "enrollment_spells": int(spells)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="demo", choices=["tiny", "demo", "full"])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    cts = shutil.which("cts") or str(Path(sys.executable).with_name("cts"))
    if args.workdir.exists():
        shutil.rmtree(args.workdir)
    args.workdir.mkdir(parents=True)
    steps = [run_step(cts, args.workdir, step, args.scale, args.seed) for step in STEPS]
    result = {
        "scale": args.scale,
        "seed": args.seed,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "steps": steps,
        "total_seconds": round(sum(step["seconds"] for step in steps), 1),
        "peak_rss_mb": max(step["peak_rss_mb"] for step in steps),
        **warehouse_counts(args.workdir),
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
