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
import csv
import io
import re
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


@dataclass(frozen=True)
class ScaffoldResult:
    code: str
    like: str
    layout: str
    written: tuple[Path, ...]  # new files, relative to the project
    edited: tuple[Path, ...]  # seeds and the declared staged models


def _read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _append_rows(path: Path, fields: list[str], rows: list[dict[str, str]]) -> None:
    """Append rows in the file's own CSV dialect (LF line ends, minimal quoting)."""
    text = path.read_text(encoding="utf-8")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writerows(rows)
    if text and not text.endswith("\n"):
        text += "\n"
    path.write_text(text + buffer.getvalue(), encoding="utf-8")


def _copy_text(text: str, like: str, code: str, like_name: str, name: str) -> str:
    """The template agency's YAML or SQL with the new agency's code and name."""
    low, like_low = code.lower(), like.lower()
    text = re.sub(rf"\bstg_{like_low}__", f"stg_{low}__", text)
    text = re.sub(rf"\b_{like_low}__", f"_{low}__", text)
    text = re.sub(rf"\(\s*'{like_low}'\s*,", f"('{low}',", text)  # stage_x('suf', 'table')
    text = re.sub(rf"(?m)^(\s*- name: ){like_low}$", rf"\g<1>{low}", text)  # the source name
    text = re.sub(rf"(?m)^(\s*schema: )raw_{like_low}$", rf"\g<1>raw_{low}", text)
    text = re.sub(rf"(?m)^(\s*agency_code: ){like}$", rf"\g<1>{code}", text)
    text = text.replace(f"{like_name} ({like})", f"{name} ({code})")
    return re.sub(rf"\bAgency {like}\b", f"Agency {code}", text)


def _generate_block(text: str, code: str, facility: str, site: str) -> str:
    """The copied `meta.generate`: the new agency's own facility and site; the template's
    geography (facility rules, women held elsewhere, people of another county) dropped."""
    lines = text.split("\n")
    out: list[str] = []
    skipping = None
    for line in lines:
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if skipping is not None:
            if stripped and indent <= skipping:
                skipping = None
            else:
                continue
        key = stripped.split(":", 1)[0]
        if indent == 8 and key in ("facilities", "women_held_by", "also_holds_per_year"):
            if key == "facilities":
                out += [line.split(":")[0] + ":", " " * 10 + f"- {{facility: {facility}}}"]
            skipping = indent
            continue
        if indent == 8 and key == "sites":
            line = " " * 8 + f'sites: ["{site}"]'
        out.append(line)
    text = "\n".join(out)
    if "        facilities:" not in text:
        text = text.replace(
            "      generate:\n",
            f"      generate:\n        facilities:\n          - {{facility: {facility}}}\n",
            1,
        )
    return text


def _copy_staging_folder(
    project: Path, source_dir: Path, target_dir: Path, template: dict, code: str, name: str
) -> list[Path]:
    """The template's staging folder under the new agency's code and name."""
    like = template["agency_code"]
    written = []
    target_dir.mkdir(parents=True)
    for path in sorted(source_dir.iterdir()):
        if path.suffix not in (".sql", ".yml"):
            continue
        target = target_dir / re.sub(
            rf"^(_|stg_){like.lower()}__", rf"\g<1>{code.lower()}__", path.name
        )
        text = _copy_text(
            path.read_text(encoding="utf-8"), like, code, template["agency_name"], name
        )
        target.write_text(text, encoding="utf-8")
        written.append(target.relative_to(project))
    return written


def _add_seed_rows(project: Path, like: str, code: str, name: str, facility: str) -> list[Path]:
    """The new agency's facility, and the template's crosswalk rows under the new code."""
    facility_fields, _ = _read_rows(project / FACILITIES_SEED)
    facility_row = dict.fromkeys(facility_fields, "")
    facility_row.update(
        facility_code=facility,
        agency_code=code,
        facility_name=f"{name} House of Correction",
        facility_type="HOUSE_OF_CORRECTION",
    )
    _append_rows(project / FACILITIES_SEED, facility_fields, [facility_row])
    edited = [FACILITIES_SEED]
    for seed in AGENCY_SEEDS:
        seed_fields, rows = _read_rows(project / seed)
        copied = [{**r, "agency_code": code} for r in rows if r["agency_code"] == like]
        if copied:
            _append_rows(project / seed, seed_fields, copied)
            edited.append(seed)
    return edited


def add_agency(
    project: Path, code: str, like: str, name: str, county: str | None = None
) -> ScaffoldResult:
    """Scaffold agency `code` with the layout, files and crosswalks of agency `like`: its sources
    YAML, staging models and their YAML, its agencies and facilities rows and crosswalk rows,
    then the declared staged models. The new agency sends the template's headers and codes;
    edit its sources YAML and crosswalk rows where the real agency differs."""
    code, like = code.strip().upper(), like.strip().upper()
    if not re.fullmatch(r"[A-Z][A-Z0-9]{1,9}", code):
        raise ScaffoldError(f"agency code {code!r} must be 2-10 upper-case letters or digits")
    fields, agencies = _read_rows(project / AGENCIES_SEED)
    by_code = {row["agency_code"]: row for row in agencies}
    if code in by_code:
        raise ScaffoldError(f"agency {code} is already in {AGENCIES_SEED}")
    if like not in by_code:
        raise ScaffoldError(f"no agency {like} in {AGENCIES_SEED} to copy")
    template = by_code[like]
    if template["agency_type"] == "STATE" or template["holds_people"] != "true":
        raise ScaffoldError(f"{like} is not a county agency holding people: copy a sheriff")
    source_dir = project / "models" / "staging" / like.lower()
    target_dir = project / "models" / "staging" / code.lower()
    if not source_dir.is_dir():
        raise ScaffoldError(f"no staging folder {source_dir.relative_to(project)}")
    if target_dir.exists():
        raise ScaffoldError(f"{target_dir.relative_to(project)} exists already")
    facility = f"{code}_HOC"
    written = _copy_staging_folder(project, source_dir, target_dir, template, code, name)
    for path in written:
        if path.name.endswith("__sources.yml"):
            text = (project / path).read_text(encoding="utf-8")
            text = _generate_block(text, code, facility, county or name)
            (project / path).write_text(text, encoding="utf-8")
    row = {**template, "agency_code": code, "agency_name": name, "county": county or "", "note": ""}
    _append_rows(project / AGENCIES_SEED, fields, [row])
    edited = [AGENCIES_SEED, *_add_seed_rows(project, like, code, name, facility)]
    sync(project)
    edited.append(DECLARED_MACRO)
    return ScaffoldResult(code, like, template["layout"], tuple(written), tuple(edited))


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
