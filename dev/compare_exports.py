"""Compare two work dirs' public exports file by file (sha256): the same bytes, or what differs.

    python dev/compare_exports.py BEFORE_WORKDIR AFTER_WORKDIR [--folder public --folder quality]

For a change that must not change behaviour: build the tiny export before and after it
(`cts run --scale tiny --seed 7 --workdir DIR`) and compare. Exit 0 when every file of every
folder compared is byte-identical, 1 otherwise (each differing or missing file listed).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path


def digests(folder: Path) -> dict[str, str]:
    """sha256 of every file under `folder`, by its path relative to it."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def compare(before: Path, after: Path) -> list[str]:
    """One line per difference between the two folders (none: identical)."""
    old, new = digests(before), digests(after)
    lines = [f"only in {before}: {name}" for name in sorted(old.keys() - new.keys())]
    lines += [f"only in {after}: {name}" for name in sorted(new.keys() - old.keys())]
    lines += [
        f"differs: {name}" for name in sorted(old.keys() & new.keys()) if old[name] != new[name]
    ]
    if not old and not new:
        lines.append(f"no files in {before} nor {after}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--folder", action="append", help="folders to compare [default: public]")
    args = parser.parse_args()
    differences = []
    for folder in args.folder or ["public"]:
        found = compare(args.before / folder, args.after / folder)
        count = len(digests(args.before / folder))
        print(f"{folder}/: {count} files, " + ("identical" if not found else "DIFFERENT"))
        differences += found
    for line in differences:
        print(f"  {line}")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
