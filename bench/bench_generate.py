"""Benchmark the synthetic data generator: wall time, peak memory and raw rows.

    python bench/bench_generate.py                # full scale into a temporary directory
    python bench/bench_generate.py --scale demo --out work/bench-demo --keep

Generation runs in a child process. Memory is reported two ways: the peak resident set of the
largest single process (getrusage of the children), and the peak of the proportional set size
summed over the whole process tree (sampled from /proc; forked workers share pages with their
parent, so PSS does not count shared pages twice). Figures go to
bench/results/generate_<scale>.json and are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
CHILD = """
import json, sys
from pathlib import Path
from cts.generate import generate
summary = generate(sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]))
Path(sys.argv[4]).write_text(json.dumps(summary))
"""


def _tree(pid: int) -> list[int]:
    """pid and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def _memory_kb(pid: int) -> tuple[int, int]:
    """(summed PSS, summed RSS) of a process tree in KiB."""
    pss = rss = 0
    for member in _tree(pid):
        try:
            text = Path(f"/proc/{member}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith("Pss:"):
                pss += int(line.split()[1])
            elif line.startswith("Rss:"):
                rss += int(line.split()[1])
    return pss, rss


class Sampler(threading.Thread):
    def __init__(self, pid: int, every: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.peak_pss = self.peak_rss = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            pss, rss = _memory_kb(self.pid)
            self.peak_pss = max(self.peak_pss, pss)
            self.peak_rss = max(self.peak_rss, rss)
            self.done.wait(self.every)


def count_rows(out: Path) -> tuple[int, int]:
    """(data lines, files) over every submission file: lines minus the header."""
    rows = files = 0
    for path in (out / "submissions").rglob("*"):
        if path.is_file():
            rows += path.read_bytes().count(b"\n") - 1
            files += 1
    return rows, files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default="full", choices=("tiny", "demo", "full"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, help="output directory (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args(argv)

    out = args.out or Path(tempfile.mkdtemp(prefix=f"cts-bench-{args.scale}-"))
    out.mkdir(parents=True, exist_ok=True)
    summary_path = out / "bench-summary.json"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "runner"), env.get("PYTHONPATH")]))
    command = [sys.executable, "-c", CHILD, args.scale, str(args.seed), str(out), str(summary_path)]
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env)
    sampler = Sampler(child.pid)
    sampler.start()
    code = child.wait()
    wall = time.perf_counter() - started
    sampler.done.set()
    sampler.join()
    if code != 0:
        print(f"generation failed with exit code {code}", file=sys.stderr)
        return code
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    summary = json.loads(summary_path.read_text())
    rows, files = count_rows(out)
    result = {
        "scale": args.scale,
        "seed": args.seed,
        "wall_seconds": round(wall, 2),
        "peak_rss_largest_process_mb": round(usage.ru_maxrss / 1024, 1),
        "peak_pss_process_tree_mb": round(sampler.peak_pss / 1024, 1),
        "peak_rss_process_tree_mb": round(sampler.peak_rss / 1024, 1),
        "cpu_user_seconds": round(usage.ru_utime, 1),
        "cpu_system_seconds": round(usage.ru_stime, 1),
        "raw_rows": rows,
        "raw_rows_reported": summary["total_rows"],
        "files": files,
        "submissions": summary["submissions"],
        "rows_per_agency": summary["rows_per_agency"],
        "rows_per_file_kind": summary["rows_per_file_kind"],
        "persons": summary["persons"],
        "program_names": summary["program_names"],
        "generator_version": summary["generator_version"],
        "limits": {"wall_seconds": 180, "peak_memory_mb": 4096, "min_raw_rows_full": 9_400_000},
        "machine": {
            "cpus": os.cpu_count(),
            # Other work on the machine stretches wall time; CPU seconds are the steadier figure.
            "load_average_1min_before": round(load_before, 2),
            "load_average_1min_after": round(os.getloadavg()[0], 2),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / f"generate_{args.scale}.json"
    target.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    print(f"written to {target.relative_to(ROOT)}")
    if not args.keep and args.out is None:
        shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
