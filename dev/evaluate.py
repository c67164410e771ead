"""dbt Labs' project evaluator on this project, from copies kept outside the repository.

    make evaluate            # or: .venv/bin/python dev/evaluate.py [--dir DIR]

1. Clones dbt-project-evaluator and dbt-utils (the versions below) into DIR/packages, once,
   from DBT_PROJECT_EVALUATOR_GIT and DBT_UTILS_GIT (a URL or a local clone or mirror).
2. Copies the project's dbt files into DIR/project with the two packages in its dbt_packages/
   (no `dbt deps`, nothing downloaded, and the repository never holds their code), and
   dev/evaluate/exceptions.csv, the project's justified exceptions, in place of the package's
   empty exceptions seed.
3. Builds the evaluator's models on a scratch DuckDB database (DIR/evaluate.duckdb) with the
   variables tuned in dev/evaluate/vars.yml.
4. Prints each rule's findings; exits 1 when there is any, 2 when the evaluator did not run.

DIR is --dir, else $CTS_EVALUATE_DIR, else cts-evaluate in the system's temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import yaml

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "dev" / "evaluate"
PACKAGES = {  # directory in dbt_packages: (environment variable with the source, git ref)
    "dbt_project_evaluator": ("DBT_PROJECT_EVALUATOR_GIT", "v1.3.2"),
    "dbt_utils": ("DBT_UTILS_GIT", "1.4.1"),
}
DEFAULT_SOURCES = {
    "DBT_PROJECT_EVALUATOR_GIT": "https://github.com/dbt-labs/dbt-project-evaluator.git",
    "DBT_UTILS_GIT": "https://github.com/dbt-labs/dbt-utils.git",
}
PROJECT_FILES = ("dbt_project.yml", "profiles.yml", ".dbtignore")
PROJECT_DIRS = ("models", "macros", "seeds", "tests", "analyses")
EXCEPTIONS_SEED = "dbt_project_evaluator_exceptions"


def fail(message: str, code: int = 2) -> None:
    print(f"make evaluate: error: {message}", file=sys.stderr)
    raise SystemExit(code)


def clone(name: str, packages: Path) -> Path:
    """The package's clone at its pinned ref (made once)."""
    variable, ref = PACKAGES[name]
    target = packages / f"{name}-{ref}"
    if (target / "dbt_project.yml").is_file():
        return target
    source = os.environ.get(variable) or DEFAULT_SOURCES[variable]
    packages.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["git", "clone", "--quiet", "--branch", ref, source, str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        shutil.rmtree(target, ignore_errors=True)
        fail(
            f"cannot clone {name} {ref} from {source} ({done.stderr.strip().splitlines()[-1]}); "
            f"set {variable} to a reachable clone or mirror"
        )
    return target


def wrapper(directory: Path, clones: dict[str, Path]) -> Path:
    """A fresh copy of the project's dbt files with the packages installed beside them."""
    project = directory / "project"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    for name in PROJECT_FILES:
        shutil.copy2(ROOT / name, project / name)
    python_tests = shutil.ignore_patterns("python", "__pycache__")
    for name in PROJECT_DIRS:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, project / name, ignore=python_tests)
    for name, source in clones.items():
        shutil.copytree(
            source, project / "dbt_packages" / name, ignore=shutil.ignore_patterns(".git")
        )
    # The exceptions are a seed of the root project, the package's empty one disabled (the
    # package applies exceptions only from a seed of the root project).
    shutil.copy2(HERE / "exceptions.csv", project / "seeds" / f"{EXCEPTIONS_SEED}.csv")
    settings = yaml.safe_load((project / "dbt_project.yml").read_text(encoding="utf-8"))
    package_seeds = settings.setdefault("seeds", {}).setdefault("dbt_project_evaluator", {})
    package_seeds[EXCEPTIONS_SEED] = {"+enabled": False}
    (project / "dbt_project.yml").write_text(yaml.safe_dump(settings, sort_keys=False))
    return project


def run_evaluator(directory: Path, project: Path) -> dict:
    """dbt build of the evaluator's package; its run_results."""
    database = directory / "evaluate.duckdb"
    database.unlink(missing_ok=True)
    dbt = Path(sys.executable).with_name("dbt")
    command = [
        str(dbt),
        "build",
        "--select",
        f"package:dbt_project_evaluator {EXCEPTIONS_SEED}",
        "--vars",
        (HERE / "vars.yml").read_text(encoding="utf-8"),
        "--target-path",
        str(directory / "target"),
        "--log-path",
        str(directory / "logs"),
        "--no-use-colors",
    ]
    environment = {**os.environ, "CTS_WAREHOUSE": str(database)}
    done = subprocess.run(
        command, cwd=project, env=environment, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:])
        fail(f"dbt build of the evaluator failed (exit {done.returncode}); log in {directory}/logs")
    return json.loads((directory / "target" / "run_results.json").read_text(encoding="utf-8"))


def findings(directory: Path, results: dict) -> int:
    """Print every failing rule with its rows; return the number of findings."""
    total = 0
    con = duckdb.connect(str(directory / "evaluate.duckdb"), read_only=True)
    try:
        for result in sorted(results["results"], key=lambda r: r["unique_id"]):
            if not result["unique_id"].startswith("test.") or result["status"] == "pass":
                continue
            test = result["unique_id"].split(".")[2]
            count = int(result.get("failures") or 0)
            total += count
            print(f"{test}: {count}")
            rule = test.removeprefix("is_empty_").rstrip("_")
            if rule.startswith("fct_"):
                rows = con.execute(f"select * from main.{rule}").fetchall()
                for row in rows:
                    print("  " + " | ".join("" if value is None else str(value) for value in row))
    finally:
        con.close()
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.environ.get("CTS_EVALUATE_DIR") or Path(tempfile.gettempdir()) / "cts-evaluate"
    parser.add_argument("--dir", type=Path, default=Path(default))
    directory = parser.parse_args().dir.resolve()
    if directory == ROOT or ROOT in directory.parents:
        fail(f"{directory} is inside the repository: the evaluator's copies stay out of it")
    clones = {name: clone(name, directory / "packages") for name in PACKAGES}
    results = run_evaluator(directory, wrapper(directory, clones))
    total = findings(directory, results)
    rules = sum(1 for r in results["results"] if r["unique_id"].startswith("test."))
    print(f"dbt-project-evaluator: {total} findings ({rules} rules checked)")
    raise SystemExit(1 if total else 0)


if __name__ == "__main__":
    main()
