"""The same submissions built on DuckDB and on Spark (and PostgreSQL when asked), back to back.

    python bench/bench_engines.py --scale demo --seed 7 --workdir /tmp/cts_engines \\
        --targets duckdb spark --out bench/results/engines_demo.json

Generates and loads once into `<workdir>/duckdb`, copies the loaded warehouse to one work dir
per target, then times `cts build`, `cts export` and `cts check-disclosure` on each (one `cts`
process per step, under GNU time: wall, CPU, peak resident memory of the process and its
children, the JVM of Spark included). The exports are then compared file by file with
DuckDB's (`dev/compare_exports.py`): the engines must agree byte for byte. The 1-minute load
average is recorded before and after each step (the machine is shared).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
STEPS = ("build", "export", "check-disclosure")


def timed(command: list[str], label: str) -> dict:
    """Run a command under GNU time; stop the benchmark if it fails."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as timing:
        before = round(os.getloadavg()[0], 2)
        result = subprocess.run(
            ["/usr/bin/time", "-f", "%e %U %S %M", "-o", timing.name, *command],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        if result.returncode != 0:
            sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
            raise SystemExit(f"{label} failed with exit code {result.returncode}")
        wall, user, system, peak_kb = timing.read().split()[-4:]
    return {
        "seconds": float(wall),
        "cpu_seconds": round(float(user) + float(system), 1),
        "peak_rss_mb": round(int(peak_kb) / 1024),
        "load_before": before,
        "load_after": round(os.getloadavg()[0], 2),
    }


def cts(workdir: Path, *args: str) -> list[str]:
    return [str(BIN / "cts"), "--workdir", str(workdir), *args]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="demo")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--targets", nargs="+", default=["duckdb", "spark"])
    parser.add_argument("--out", type=Path, required=True)
    options = parser.parse_args(argv)
    if shutil.which("time") is None and not Path("/usr/bin/time").is_file():
        raise SystemExit("GNU time is needed (Debian: apt-get install time)")
    root = options.workdir.resolve()
    shutil.rmtree(root, ignore_errors=True)
    base = root / "duckdb"
    figures: dict = {
        "scale": options.scale,
        "seed": options.seed,
        "machine": f"{os.cpu_count()} cores, {platform.machine()}",
        "targets": {},
    }
    figures["generate"] = timed(
        cts(base, "generate", "--scale", options.scale, "--seed", str(options.seed)), "generate"
    )
    figures["load"] = timed(cts(base, "load"), "load")
    for target in options.targets:
        home = base if target == "duckdb" else root / target
        if home != base:
            home.mkdir(parents=True)
            for name in ("warehouse.duckdb", "generation.json"):
                shutil.copyfile(base / name, home / name)
            shutil.copytree(base / "raw", home / "raw")  # the raw zone the warehouse reads
        steps = {}
        for step in STEPS:
            steps[step] = timed(cts(home, step, "--target", target), f"{target} {step}")
            print(target, step, steps[step], flush=True)
        figures["targets"][target] = {
            "steps": steps,
            "seconds": round(sum(entry["seconds"] for entry in steps.values()), 1),
            "peak_rss_mb": max(entry["peak_rss_mb"] for entry in steps.values()),
        }
    spec = importlib.util.spec_from_file_location("compare", ROOT / "dev" / "compare_exports.py")
    compare = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(compare)  # type: ignore[union-attr]
    for target in options.targets:
        if target != "duckdb":
            entry = figures["targets"][target]
            entry["public_differences"] = compare.compare(base / "public", root / target / "public")
            entry["quality_differences"] = compare.compare(
                base / "quality", root / target / "quality"
            )
            entry["ratio_to_duckdb"] = round(
                entry["seconds"] / figures["targets"]["duckdb"]["seconds"], 1
            )
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
    print(json.dumps(figures["targets"], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
