"""Time and peak memory of every step of the pipeline, and dbt's overhead over the bare engine.

    python bench/bench_pipeline.py --scale full --seed 7 --workdir /tmp/cts_full \\
        --out bench/results/pipeline_full.json

Steps: generate, load (into a fresh warehouse), build, export; each a separate `cts` process
under GNU time, which reports its wall time, CPU time and peak resident memory. `--repeat N`
runs load, build and export N times (the figures are the medians); `--reuse-data` keeps the
submissions already generated in the work dir.

The build is `cts build` as it is: two dbt builds around the disclosure protection's runner
step. The protection's own seconds (`protection_seconds`, from
`<workdir>/protection_report.json`) are reported beside each build's wall time, so that the
budget of everything else can be read off.

dbt against the bare engine: bench/run_bare.py executes the same SQL (dbt's target/run files:
every model's DDL, every data test and unit test) in the order dbt ran it, with the DuckDB
client; the ratio is the `cts build` wall time over the bare wall time, measured back to back
(`--pairs` times, alternating which goes first; the median is reported, and the same ratio
of CPU seconds, which the machine's other load disturbs less). The ten slowest nodes of the
build, with their share of the build's node time, say where the time goes. Every step records
the 1-minute load average before and after it. CTS_PROJECT_DIR=<another checkout> measures
that version of the project with the same steps (e.g. before and after a change).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PROTECTION_REPORT = "protection_report.json"


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def timed(command: list[str], label: str) -> dict:
    """Run a command under GNU time: wall, CPU and peak RSS; stop the benchmark if it fails."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as timing:
        before = load_average()
        completed = subprocess.run(
            ["/usr/bin/time", "-f", "%e %U %S %M", "-o", timing.name, *command],
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed, user, system, max_rss_kb = timing.read().split()[-4:]
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout[-4000:] + completed.stderr[-4000:])
        raise SystemExit(f"{label} failed with exit code {completed.returncode}")
    return {
        "step": label,
        "seconds": round(float(elapsed), 1),
        "cpu_seconds": round(float(user) + float(system), 1),
        "peak_rss_mb": round(int(max_rss_kb) / 1024),
        "load_average": [before, load_average()],
    }


def cts(workdir: Path, *args: str) -> list[str]:
    return [str(BIN / "cts"), "--workdir", str(workdir), *args]


def keep_artifacts(workdir: Path, results: Path) -> None:
    """Copy the build's run_results.json and manifest.json (bench/run_bare.py replays them)."""
    target = workdir / "target"
    shutil.copyfile(target / "run_results.json", results / "build.json")
    shutil.copyfile(target / "manifest.json", results / "build.manifest.json")


def build(workdir: Path, results: Path) -> dict:
    """`cts build`, with the protection's own seconds; keeps its run_results.json."""
    results.mkdir(parents=True, exist_ok=True)
    report = workdir / PROTECTION_REPORT
    report.unlink(missing_ok=True)
    step = timed(cts(workdir, "build"), "build")
    if report.is_file():
        step["protection_seconds"] = json.loads(report.read_text())["seconds"]
    keep_artifacts(workdir, results)
    return step


def bare(workdir: Path, results: Path) -> dict:
    """The same SQL through the DuckDB client (bench/run_bare.py), in its own process."""
    report = results / "bare.json"
    command = [sys.executable, str(ROOT / "bench" / "run_bare.py"), str(workdir)]
    command += ["--results", str(results / "build.json"), "--out", str(report)]
    step = timed(command, "bare")
    step["nodes"] = json.loads(report.read_text())["nodes"]
    return step


def slowest_nodes(results: Path, count: int = 10) -> list[dict]:
    """The slowest nodes of the build with their share of its node time."""
    timings = [
        (result["unique_id"], result["execution_time"])
        for result in json.loads((results / "build.json").read_text())["results"]
    ]
    total = sum(seconds for _, seconds in timings)
    slowest = sorted(timings, key=lambda timing: -timing[1])[:count]
    return [
        {"node": node, "seconds": round(seconds, 2), "share": round(seconds / total, 3)}
        for node, seconds in slowest
    ]


def median_step(runs: list[dict]) -> dict:
    """The median of repeated runs of one step (memory: the largest)."""
    step = {
        "step": runs[0]["step"],
        "seconds": round(statistics.median(run["seconds"] for run in runs), 1),
        "cpu_seconds": round(statistics.median(run["cpu_seconds"] for run in runs), 1),
        "peak_rss_mb": max(run["peak_rss_mb"] for run in runs),
        "runs_seconds": [run["seconds"] for run in runs],
        "load_averages": [run["load_average"] for run in runs],
    }
    if all("protection_seconds" in run for run in runs):
        step["protection_seconds"] = statistics.median(run["protection_seconds"] for run in runs)
    return step


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


def fresh_warehouse(workdir: Path) -> None:
    for path in (workdir / "warehouse.duckdb", workdir / "warehouse.duckdb.wal"):
        path.unlink(missing_ok=True)
    shutil.rmtree(workdir / "warehouse.duckdb.tmp", ignore_errors=True)
    shutil.rmtree(workdir / "raw", ignore_errors=True)  # the raw zone cts load writes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="demo", choices=["tiny", "demo", "full"])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--repeat", type=int, default=1, help="runs of load, build, export")
    parser.add_argument(
        "--pairs", type=int, default=1, help="dbt/bare pairs for the ratio (0: none)"
    )
    parser.add_argument(
        "--reuse-data", action="store_true", help="keep submissions already generated"
    )
    args = parser.parse_args()
    workdir = args.workdir.resolve()
    results = workdir / "bench"
    generated = workdir / "generation.json"
    steps: dict[str, list[dict]] = {"load": [], "build": [], "export": []}
    generation = None
    if args.reuse_data and generated.is_file():
        record = json.loads(generated.read_text())
        if (record.get("scale"), record.get("seed")) != (args.scale, args.seed):
            raise SystemExit(f"{workdir} holds scale {record.get('scale')}, not {args.scale}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
        command = cts(workdir, "generate", "--scale", args.scale, "--seed", str(args.seed))
        generation = timed(command, "generate")
    shutil.rmtree(workdir / "public", ignore_errors=True)
    for _ in range(args.repeat):
        fresh_warehouse(workdir)
        steps["load"].append(timed(cts(workdir, "load"), "load"))
        steps["build"].append(build(workdir, results))
        steps["export"].append(timed(cts(workdir, "export"), "export"))
    slowest = slowest_nodes(results)
    pairs = []
    for number in range(args.pairs):
        if number % 2 == 0:
            bare_step, dbt_step = bare(workdir, results), build(workdir, results)
        else:
            dbt_step, bare_step = build(workdir, results), bare(workdir, results)
        # the bare side replays the SQL only: the protection's seconds (a runner step between
        # the two dbt builds) are taken out of the dbt side's wall time and CPU time (the
        # CPU time as if it ran on one core: an estimate)
        protection = dbt_step.get("protection_seconds", 0.0)
        dbt_seconds = round(dbt_step["seconds"] - protection, 1)
        pairs.append(
            {
                "cts_build_seconds": dbt_step["seconds"],
                "protection_seconds": protection,
                "dbt_seconds": dbt_seconds,
                "bare_seconds": bare_step["seconds"],
                "ratio": round(dbt_seconds / bare_step["seconds"], 2),
                "dbt_cpu_seconds": round(dbt_step["cpu_seconds"] - protection, 1),
                "bare_cpu_seconds": bare_step["cpu_seconds"],
                "bare_nodes": bare_step["nodes"],
                "load_average": [bare_step["load_average"], dbt_step["load_average"]],
            }
        )
    pipeline = [median_step(runs) for runs in steps.values()]
    result = {
        "scale": args.scale,
        "seed": args.seed,
        "project_dir": os.environ.get("CTS_PROJECT_DIR", str(ROOT)),
        "protection": "included (runner step; its seconds reported per build)",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "generate": generation,
        "steps": pipeline,
        "load_build_export_seconds": round(sum(step["seconds"] for step in pipeline), 1),
        "peak_rss_mb": max(step["peak_rss_mb"] for step in pipeline),
        "dbt_vs_bare": {
            "ratio_median": statistics.median(pair["ratio"] for pair in pairs) if pairs else None,
            "cpu_ratio_median": (
                statistics.median(
                    round(pair["dbt_cpu_seconds"] / pair["bare_cpu_seconds"], 2) for pair in pairs
                )
                if pairs
                else None
            ),
            "pairs": pairs,
        },
        "slowest_nodes": slowest,
        **warehouse_counts(workdir),
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
