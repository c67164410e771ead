"""Two versions of the project built back to back on one warehouse: which is faster, measured.

    python bench/bench_build_versions.py --workdir /tmp/cts_full --before d3cc0f2 \\
        --rounds 2 --out bench/results/build_versions_full.json

The machine is shared and drifts (the same step can take 20% longer an hour later), so
figures from different hours do not compare. This runs `cts build` with the project at
`--before` (a git revision, checked out in a temporary worktree, or a directory) and at
`--after` (default: this checkout), alternately, `--rounds` times each, on the same loaded work
dir, each as its own process under GNU time (bench_pipeline.timed). It records per build the
wall and CPU seconds, the peak memory, the protection's own seconds and dbt's, and reports the
medians per version and the after/before ratio of each round's pair. The runner (`cts`) is
this checkout's in both; only the dbt project (SQL, macros, YAML) differs. Each build parses
the project in full (dbt's partial parsing would carry the other version's paths over).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_pipeline import PROTECTION_REPORT, ROOT, cts, load_average, timed  # noqa: E402

PROJECT_ENV = "CTS_PROJECT_DIR"


def checkout(revision: str, into: Path) -> Path:
    """A directory holding the project at `revision`: the directory itself if it is one,
    else a git worktree of this repository under `into`."""
    if Path(revision).is_dir():
        return Path(revision).resolve()
    where = into / revision
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(where), revision],
        check=True,
    )
    return where


def one_build(workdir: Path, project: Path, label: str) -> dict:
    report = workdir / PROTECTION_REPORT
    report.unlink(missing_ok=True)
    # dbt's partial parsing keeps the other version's file paths (seeds among them): every
    # build parses the project in full, both versions alike
    (workdir / "target" / "partial_parse.msgpack").unlink(missing_ok=True)
    previous = os.environ.get(PROJECT_ENV)
    os.environ[PROJECT_ENV] = str(project)
    try:
        step = timed(cts(workdir, "build"), label)
    finally:
        if previous is None:
            os.environ.pop(PROJECT_ENV, None)
        else:
            os.environ[PROJECT_ENV] = previous
    step["protection_seconds"] = json.loads(report.read_text())["seconds"]
    results = json.loads((workdir / "target" / "run_results.json").read_text())
    step["dbt_seconds"] = round(step["seconds"] - step["protection_seconds"], 1)
    step["nodes"] = len(results["results"])
    print(json.dumps(step), flush=True)
    return step


def summary(builds: list[dict]) -> dict:
    return {
        key: round(statistics.median(build[key] for build in builds), 1)
        for key in ("seconds", "cpu_seconds", "peak_rss_mb", "protection_seconds", "dbt_seconds")
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, required=True, help="a loaded work dir")
    parser.add_argument("--before", required=True, help="git revision or project directory")
    parser.add_argument("--after", default=str(ROOT), help="git revision or project directory")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    workdir = args.workdir.resolve()
    with tempfile.TemporaryDirectory(prefix="cts-versions-") as scratch:
        before = checkout(args.before, Path(scratch))
        after = checkout(args.after, Path(scratch))
        rounds = []
        try:
            for number in range(args.rounds):
                # alternate which goes first, so that a drift favours neither
                order = [("before", before), ("after", after)]
                if number % 2:
                    order.reverse()
                pair = {label: one_build(workdir, project, label) for label, project in order}
                pair["ratio"] = round(pair["after"]["seconds"] / pair["before"]["seconds"], 3)
                pair["dbt_ratio"] = round(
                    pair["after"]["dbt_seconds"] / pair["before"]["dbt_seconds"], 3
                )
                rounds.append(pair)
        finally:
            for project in (before, after):
                if project.is_relative_to(Path(scratch)):
                    subprocess.run(
                        ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(project)],
                        check=False,
                    )
    result = {
        "workdir": str(workdir),
        "before": args.before,
        "after": args.after,
        "machine": {"cpus": os.cpu_count(), "load_average_at_end": load_average()},
        "rounds": rounds,
        "before_median": summary([pair["before"] for pair in rounds]),
        "after_median": summary([pair["after"] for pair in rounds]),
        "ratio_median": round(statistics.median(pair["ratio"] for pair in rounds), 3),
        "dbt_ratio_median": round(statistics.median(pair["dbt_ratio"] for pair in rounds), 3),
    }
    text = json.dumps(result, indent=2)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
