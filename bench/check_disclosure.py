"""Run the disclosure checker on a built work dir and keep the result.

    .venv/bin/python bench/check_disclosure.py WORKDIR [--scale NAME]

Writes bench/results/disclosure_<scale>.json: timing, the summary of the report (relations,
unknowns, recoveries by method and relation, components) and the first 50 recovered cells.
The scale defaults to the one recorded in WORKDIR/generation.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from cts.disclosure import DisclosureError, check_export, summary_lines

RESULTS = Path(__file__).resolve().parent / "results"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--scale", default=None, help="name in the results file")
    parser.add_argument("--dense-limit", type=int, default=1500)
    args = parser.parse_args(argv)
    workdir = args.workdir.resolve()
    scale = args.scale
    if scale is None:
        try:
            scale = json.loads((workdir / "generation.json").read_text())["scale"]
        except (OSError, ValueError, KeyError):
            scale = workdir.name
    started = time.perf_counter()
    try:
        report = check_export(workdir / "public", dense_limit=args.dense_limit)
    except DisclosureError as error:
        print(f"check_disclosure: error: {error}", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - started
    result = {
        "workdir": str(workdir),
        "scale": scale,
        "seconds": round(seconds, 1),
        **{key: value for key, value in report.items() if key != "recovered"},
        "recovered_examples": report["recovered"][:50],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / f"disclosure_{scale}.json"
    target.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    for line in summary_lines(report):
        print(line)
    print(f"{seconds:.1f} s; written to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
