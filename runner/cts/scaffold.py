"""Agencies described once: the staged-model list derived from the sources YAML, and a new
agency scaffolded from an existing one of the same layout (docs/adding_an_agency.md).

Every source table of an agency has a `meta.entity` (persons, stays, movements, programs,
enrollments, program_events, attendance, program_exits) and is staged by exactly one model,
named after the entity:

    stg_<source>__<entity>                    e.g. stg_suf__persons
    stg_<source>__<layout_version>_<entity>   after a layout change, e.g. stg_doc__v1_persons

The dbt macro `cts_staged_models(entity)` unions them. dbt fixes a model's parents when it
parses the SQL, before it reads any YAML, so the names the unions ref are written into
`macros/staging/cts_staged_models_declared.sql` by this module (`sync`); at compile time the
macro derives them again from the sources YAML and stops the build if they differ.

    python -m cts.scaffold --sync          # rewrite the declared list from the sources YAML
    python -m cts.scaffold --check         # exit 1 if it is stale
    cts add-agency XYZ --like SUF --name "Xyz County Sheriff's Office"
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from cts.paths import find_project_root

DECLARED_MACRO = Path("macros/staging/cts_staged_models_declared.sql")
AGENCIES_SEED = Path("seeds/reference/agencies.csv")
# Seeds whose rows belong to one agency (column agency_code): copied for a scaffolded agency.
AGENCY_SEEDS = (
    Path("seeds/crosswalks/xwalk_custody_status.csv"),
    Path("seeds/crosswalks/xwalk_ethnicity.csv"),
    Path("seeds/crosswalks/xwalk_event_types.csv"),
    Path("seeds/crosswalks/xwalk_exit_reasons.csv"),
    Path("seeds/crosswalks/xwalk_race.csv"),
    Path("seeds/crosswalks/xwalk_sex.csv"),
)
FACILITIES_SEED = Path("seeds/reference/facilities.csv")


class ScaffoldError(Exception):
    """A user error: one clear line."""


@dataclass(frozen=True)
class StagedTable:
    """One agency source table and the staging model that stages it."""

    source_name: str
    table_name: str
    entity: str
    layout_version: str | None

    @property
    def model_name(self) -> str:
        version = f"{self.layout_version}_" if self.layout_version else ""
        return f"stg_{self.source_name}__{version}{self.entity}"


def _sources_files(project: Path) -> list[Path]:
    return sorted(project.glob("models/staging/*/_*__sources.yml"))


def staged_tables(project: Path) -> list[StagedTable]:
    """Every source table with a `meta.entity`, in file order."""
    tables = []
    for path in _sources_files(project):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for source in document.get("sources") or []:
            for table in source.get("tables") or []:
                meta = table.get("meta") or {}
                if meta.get("entity"):
                    tables.append(
                        StagedTable(
                            source_name=str(source["name"]),
                            table_name=str(table["name"]),
                            entity=str(meta["entity"]),
                            layout_version=meta.get("layout_version"),
                        )
                    )
    return tables


def staged_models(project: Path) -> dict[str, list[str]]:
    """Entity → the staging models of that entity, sorted by name."""
    models: dict[str, list[str]] = {}
    for table in staged_tables(project):
        models.setdefault(table.entity, []).append(table.model_name)
    return {entity: sorted(names) for entity, names in sorted(models.items())}


def render_declared(models: dict[str, list[str]]) -> str:
    """The text of the generated macro holding the staged models for dbt's parser."""
    lines = [
        "{#- Generated from the sources YAML (meta.entity) by `python -m cts.scaffold --sync`;",
        "    do not edit. dbt needs a union's parents while it parses the SQL, before it reads",
        "    the YAML: this is that list, and cts_staged_models() checks it against the YAML at",
        "    compile time. -#}",
        "{% macro cts_staged_models_declared() %}",
        "    {{ return({",
    ]
    for entity, names in models.items():
        lines.append(f"        '{entity}': [")
        lines += [f"            '{name}'," for name in names]
        lines.append("        ],")
    lines += ["    }) }}", "{% endmacro %}", ""]
    return "\n".join(lines)


def sync(project: Path) -> bool:
    """Rewrite the declared staged models from the sources YAML; True if the file changed."""
    path = project / DECLARED_MACRO
    text = render_declared(staged_models(project))
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def is_current(project: Path) -> bool:
    path = project / DECLARED_MACRO
    return path.is_file() and path.read_text(encoding="utf-8") == render_declared(
        staged_models(project)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cts.scaffold", description=__doc__)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--sync", action="store_true", help="rewrite the declared staged models")
    group.add_argument("--check", action="store_true", help="exit 1 if they are stale")
    args = parser.parse_args(argv)
    project = find_project_root()
    if args.check:
        if is_current(project):
            return 0
        print(f"{DECLARED_MACRO} is stale: run python -m cts.scaffold --sync", file=sys.stderr)
        return 1
    changed = sync(project)
    print(f"{DECLARED_MACRO} {'rewritten' if changed else 'already current'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
