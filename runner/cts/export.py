"""Export the public marts: Parquet + CSV per relation, a data dictionary and a file manifest.

Only relations in schema `marts` whose dbt node is declared `access: public` leave the warehouse
(read from the manifest.json of the last build); without a manifest, every table of schema
`marts`. Schema `restricted` is never read. Outputs are deterministic byte for byte for the same
warehouse: rows are ordered by all columns, one writer thread, and nothing time-based is written.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from cts import __version__
from cts.paths import Workdir, find_project_root
from cts.progress import Progress
from cts.pseudonym import DEMO_KEY, KEY_ENV, is_demo_key
from cts.publication import declaration

PUBLIC_SCHEMA = "marts"
FORBIDDEN_SCHEMAS = frozenset({"restricted"})
DICTIONARY_JSON = "data_dictionary.json"
DICTIONARY_MD = "data_dictionary.md"
MANIFEST = "manifest.json"
FORMATS = ("parquet", "csv")
BUILD_INFO = "build_info.json"


class ExportError(Exception):
    """A user-facing reason why the export cannot be made."""


@dataclass
class PublicRelation:
    """One relation to export, with the documentation dbt has for it."""

    name: str
    schema: str = PUBLIC_SCHEMA
    unique_id: str | None = None
    description: str = ""
    documented_columns: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def qualified(self) -> str:
        return f"{quote(self.schema)}.{quote(self.name)}"


@dataclass
class ExportSummary:
    directory: Path
    source: str  # "manifest" or "schema"
    relations: list[str]
    files: list[dict[str, Any]]


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def pseudonym_key_kind() -> str:
    """`demo` when CTS_PSEUDONYM_KEY is unset or the documented demo key, else `custom`."""
    return "demo" if is_demo_key() else "custom"


def write_build_info(workdir: Workdir) -> Path:
    """Record at build time which kind of pseudonym key the warehouse was built with."""
    path = workdir.root / BUILD_INFO
    info = {"built_by": f"cts {__version__}", "pseudonym_key": pseudonym_key_kind()}
    path.write_text(json.dumps(info, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def read_build_info(workdir: Workdir) -> dict[str, Any] | None:
    try:
        info = json.loads((workdir.root / BUILD_INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) else None


def build_key_kind(workdir: Workdir) -> tuple[str, str]:
    """(kind, source): the key kind of the last `cts build`, else of the current environment."""
    info = read_build_info(workdir) or {}
    kind = info.get("pseudonym_key")
    if kind in ("demo", "custom"):
        return kind, BUILD_INFO
    return pseudonym_key_kind(), "environment (no build_info.json)"


def release_problem(workdir: Workdir) -> str | None:
    """Why a release export must not be made from this work dir, or None."""
    if is_demo_key():
        return (
            f"refusing a release export: {KEY_ENV} is unset or the demo key"
            f" ({DEMO_KEY!r}); set the secret key and run `cts build` again"
        )
    info = read_build_info(workdir) or {}
    kind = info.get("pseudonym_key")
    if kind == "demo":
        return (
            "refusing a release export: the warehouse was built with the demo pseudonym key;"
            f" run `cts build` again with {KEY_ENV} set"
        )
    if kind != "custom":
        return (
            f"refusing a release export: no {BUILD_INFO} says which pseudonym key the"
            f" warehouse was built with; run `cts build` again with {KEY_ENV} set"
        )
    return None


def disclosure_control(threshold: int, key_kind: str) -> dict[str, Any]:
    """The disclosure rules the export follows, for the manifest and the dictionary.

    Long because it is the rules' text, one entry each."""
    return {
        "threshold": threshold,
        "primary": f"counts from 1 to {threshold} are withheld (null, flag SUPPRESSED)",
        "complementary": (
            "further counts are withheld under the same flag so that no withheld count can be"
            " worked out from totals, sibling cells or any other published relation; a"
            " complementary count may be any count, zeros included, so the flag says only that"
            " a withheld count is at least 0"
        ),
        "flags": ["SUPPRESSED"],
        "zeros_shown": True,
        "table_design": (
            "a cell crosses at most two of agency, program category and demographic"
            " dimension (demographics by agency over all categories, or by category"
            " statewide); exit reasons are published by agency and category, not by"
            " demographics, and every exit reason is listed, zeros too"
        ),
        "method": (
            "the attacker's subproblem of cell suppression (Fischetti and Salazar-Gonzalez,"
            " JASA 95, 2000): for the counts to protect, a linear program (HiGHS) finds a"
            " solution of every published relation in which each small count sits 2 away from"
            " its true value (any other withheld count 1), at the least loss of information;"
            " every published count that solution moves is withheld too. The relations are"
            " split by half-year of the window, so each program is a few thousand unknowns"
        ),
        "proof": (
            "every withheld count has such a solution, checked against every relation: the"
            " published numbers allow it values at least 2 apart (1 for complementary counts);"
            " `cts check-disclosure` finds them again from the export alone and the true counts"
        ),
        "rates": (
            f"a rate is withheld (null) when any count it is built from is withheld or its"
            f" denominator is {threshold} or less"
        ),
        "rate_min_denominator": threshold + 1,
        "relations_protected": [
            "demographic dimension values against the dimension ALL row",
            "agencies against the statewide (ALL) row",
            "program categories against all categories (ALL)",
            "calendar years against fiscal years over the whole window",
            "outcome groups against total exits",
            "exit reasons against their outcome group",
            "an agency's programs against its totals",
            "rates against their numerator and denominator",
            "distinct persons against the events or exits they are counted from (at most)",
            "a program's exits against its enrollments (at most)",
            "distinct persons of each agency, category, sex, race-ethnicity, age group or"
            " custody status against their ALL row (at most) and the ALL row against their sum"
            " (at most)",
            "a fiscal year against the two calendar years it overlaps, and a calendar year"
            " against the two fiscal years (at most)",
        ],
        "person_keys": (
            "no person-level data is published; pseudonymous person keys in restricted data are"
            f" HMAC-SHA256 under a secret key ({KEY_ENV})"
        ),
        "pseudonym_key": key_kind,
        "synthetic_demo": key_kind != "custom",
    }


def read_manifest(path: Path) -> dict[str, Any] | None:
    """The dbt manifest, or None when there is none (never built) or it cannot be read."""
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def public_nodes(manifest: dict[str, Any]) -> list[PublicRelation]:
    """Models of schema `marts` declared `access: public`, sorted by relation name."""
    relations = []
    for unique_id, node in manifest.get("nodes", {}).items():
        if node.get("resource_type") != "model":
            continue
        schema = node.get("schema") or ""
        access = node.get("access") or node.get("config", {}).get("access")
        if access != "public" or schema != PUBLIC_SCHEMA or schema in FORBIDDEN_SCHEMAS:
            continue
        relations.append(
            PublicRelation(
                name=node.get("alias") or node["name"],
                schema=schema,
                unique_id=unique_id,
                description=(node.get("description") or "").strip(),
                documented_columns={
                    name.lower(): column for name, column in (node.get("columns") or {}).items()
                },
            )
        )
    return sorted(relations, key=lambda relation: relation.name)


def warehouse_tables(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables"
        " where table_catalog = current_database() and table_schema = ?"
        " order by table_name",
        [schema],
    ).fetchall()
    return [row[0] for row in rows]


def warehouse_columns(con: duckdb.DuckDBPyConnection, relation: PublicRelation) -> list[tuple]:
    return con.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_catalog = current_database() and table_schema = ? and table_name = ?"
        " order by ordinal_position",
        [relation.schema, relation.name],
    ).fetchall()


def select_relations(
    con: duckdb.DuckDBPyConnection, manifest: dict[str, Any] | None
) -> tuple[str, list[PublicRelation]]:
    """Which relations to export and where that list came from."""
    present = set(warehouse_tables(con, PUBLIC_SCHEMA))
    if manifest is None:
        return "schema", [PublicRelation(name=name) for name in sorted(present)]
    relations = public_nodes(manifest)
    missing = [relation.name for relation in relations if relation.name not in present]
    if missing:
        raise ExportError(
            f"public marts missing from the warehouse: {', '.join(missing)} (run `cts build`)"
        )
    return "manifest", relations


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_entry(path: Path, rows: int | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"path": path.name, "bytes": path.stat().st_size}
    if rows is not None:
        entry["rows"] = rows
    entry["sha256"] = sha256(path)
    return entry


def copy_relation(
    con: duckdb.DuckDBPyConnection, relation: PublicRelation, directory: Path
) -> list[Path]:
    """Write one relation as Parquet and CSV, rows ordered by every column."""
    query = f"select * from {relation.qualified} order by all"
    options = {
        "parquet": "format parquet, compression zstd",
        "csv": "format csv, header true, delimiter ','",
    }
    written = []
    for extension in FORMATS:
        target = directory / f"{relation.name}.{extension}"
        con.execute(f"copy ({query}) to {sql_string(str(target))} ({options[extension]})")
        written.append(target)
    return written


def dictionary_entry(relation: PublicRelation, columns: list[tuple], rows: int) -> dict[str, Any]:
    described = []
    for column_name, warehouse_type in columns:
        documented = relation.documented_columns.get(column_name.lower(), {})
        described.append(
            {
                "name": column_name,
                "data_type": (documented.get("data_type") or warehouse_type).lower(),
                "description": (documented.get("description") or "").strip(),
            }
        )
    return {
        "name": relation.name,
        "relation": f"{relation.schema}.{relation.name}",
        "dbt_node": relation.unique_id,
        "description": relation.description,
        "rows": rows,
        "files": [f"{relation.name}.{extension}" for extension in FORMATS],
        "columns": described,
    }


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|") or "–"


def disclosure_markdown(control: dict[str, Any]) -> list[str]:
    threshold = control["threshold"]
    lines = [
        "## Disclosure control",
        "",
    ]
    if control["synthetic_demo"]:
        lines += [
            "**Synthetic demo data:** this export was built with the documented demo pseudonym",
            f"key (`{KEY_ENV}` unset); it is not a release.",
            "",
        ]
    lines += [
        f"- **Threshold {threshold}.** A count from 1 to {threshold} is withheld: the value is"
        " null and the column `<count>_suppression` says `SUPPRESSED`. Zeros are shown.",
        "- **Complementary suppression.** Further counts are withheld under the same flag so"
        " that no withheld count can be worked out from the published ones. The flag does not"
        " say why: a complementary count may be any count, zeros included, so a withheld count"
        " is only known to be at least 0.",
        f"- **Table design.** {control['table_design'][0].upper()}{control['table_design'][1:]}.",
        f"- **Method.** {control['method'][0].upper()}{control['method'][1:]}.",
        f"- **Proof.** {control['proof'][0].upper()}{control['proof'][1:]}.",
        f"- **Rates** (`completion_rate`, `completions_over_all_exits`) are null when any count"
        f" they are built from is withheld or their denominator is {threshold} or less.",
        "- **Relations protected** (none of them gives a withheld count away): "
        + "; ".join(control["relations_protected"])
        + ".",
        "- **No person-level data**: no names, birth dates, SIDs, PCF, OBTN, booking or"
        " commitment numbers or agency person ids. Pseudonymous person keys exist only in the"
        f" restricted layer, as HMAC-SHA256 under a secret key (`{KEY_ENV}`); an unkeyed hash"
        " of a SID could be reversed by trying every SID.",
        f"- **Pseudonym key of this build:** `{control['pseudonym_key']}`"
        + (" (documented demo key: not for release)." if control["synthetic_demo"] else "."),
        "",
    ]
    return lines


def dictionary_markdown(
    entries: list[dict[str, Any]], control: dict[str, Any] | None = None
) -> str:
    lines = [
        "# Data dictionary: public marts",
        "",
        "Generated by `cts export` from the dbt manifest of the last build. Every file is",
        "offered as Parquet and CSV; `manifest.json` lists row counts, sizes and SHA-256 sums.",
        "",
    ]
    if control is not None:
        lines += disclosure_markdown(control)
    for entry in entries:
        lines += [
            f"## {entry['name']}",
            "",
            entry["description"] or "(no description)",
            "",
            f"Rows: {entry['rows']}. Files: "
            + ", ".join(f"`{name}`" for name in entry["files"])
            + ".",
            "",
            "| column | type | description |",
            "|---|---|---|",
        ]
        for column in entry["columns"]:
            kind, text = _cell(column["data_type"]), _cell(column["description"])
            lines.append(f"| `{column['name']}` | {kind} | {text} |")
        lines.append("")
    return "\n".join(lines)


def write_text(path: Path, text: str) -> None:
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


def remove_stale(directory: Path, keep: set[str]) -> None:
    """Drop exports of an earlier run that this run did not write (e.g. a removed mart)."""
    for path in directory.iterdir():
        stale_kind = path.suffix in {".parquet", ".csv"} or path.name in {
            DICTIONARY_JSON,
            DICTIONARY_MD,
            MANIFEST,
        }
        if path.is_file() and stale_kind and path.name not in keep:
            path.unlink()


QUALITY_RELATION = PublicRelation(name="rpt_data_quality", schema="quality")


def export_quality(workdir: Workdir, warehouse: Path | None = None) -> list[dict[str, Any]]:
    """Write the agencies' data-quality report beside the public data (`<workdir>/quality/`).

    Row counts per agency, submission, file, outcome and reason: what each feed should fix.
    It holds counts of rows, never of persons, and no record-level values. Returns the files
    written (none when the warehouse has no quality report yet).
    """
    con = duckdb.connect(str(warehouse or workdir.warehouse), read_only=True)
    try:
        con.execute("set threads = 1")
        con.execute("set enable_progress_bar = false")
        if QUALITY_RELATION.name not in warehouse_tables(con, QUALITY_RELATION.schema):
            return []
        directory = workdir.quality
        directory.mkdir(parents=True, exist_ok=True)
        rows = con.execute(f"select count(*) from {QUALITY_RELATION.qualified}").fetchall()[0][0]
        written = copy_relation(con, QUALITY_RELATION, directory)
    finally:
        con.close()
    files = [file_entry(path, rows) for path in written]
    write_text(directory / MANIFEST, json.dumps({"files": files}, indent=2, sort_keys=True))
    return files


def export_public(
    workdir: Workdir,
    generation: dict[str, Any] | None = None,
    progress: Progress | None = None,
    release: bool = False,
    project_dir: Path | None = None,
    warehouse: Path | None = None,
) -> ExportSummary:
    """Export the public marts of the work dir's warehouse (or of `warehouse`, a DuckDB copy of
    another engine's marts) into `<workdir>/public/`.

    A release export (``release=True``) refuses a warehouse built with the demo pseudonym key
    or an environment without the secret key; any other export is marked as synthetic demo
    data when the build used the demo key.
    """
    warehouse = warehouse or workdir.warehouse
    if not warehouse.is_file():
        raise ExportError(
            f"no warehouse at {warehouse} (run `cts run`, or `cts load` and `cts build`)"
        )
    if release:
        problem = release_problem(workdir)
        if problem is not None:
            raise ExportError(problem)
    key_kind, _key_source = build_key_kind(workdir)
    project_dir = project_dir or find_project_root()
    publication = declaration.load(project_dir)
    control = disclosure_control(publication.threshold, key_kind)
    manifest = read_manifest(workdir.target / "manifest.json")
    directory = workdir.public
    directory.mkdir(parents=True, exist_ok=True)
    source, relations, files, entries = export_relations(warehouse, manifest, directory, progress)
    dictionary = {
        "title": "Cross-Tracking System program data: public marts",
        "disclosure_control": control,
        "models": entries,
        # the publication as declared (dbt_project.yml): tables, code lists, relations
        "publication": declaration.as_dict(publication, project_dir),
    }
    write_text(directory / DICTIONARY_JSON, json.dumps(dictionary, indent=2, sort_keys=True))
    write_text(directory / DICTIONARY_MD, dictionary_markdown(entries, control))
    files += [file_entry(directory / name, None) for name in (DICTIONARY_JSON, DICTIONARY_MD)]
    files.sort(key=lambda entry: entry["path"])
    export_manifest = {
        **release_manifest(manifest, source, generation, release, control),
        "files": files,
    }
    write_text(directory / MANIFEST, json.dumps(export_manifest, indent=2, sort_keys=True))
    remove_stale(directory, {entry["path"] for entry in files} | {MANIFEST})
    return ExportSummary(
        directory=directory,
        source=source,
        relations=[relation.name for relation in relations],
        files=files,
    )


def export_relations(
    warehouse: Path,
    manifest: dict[str, Any] | None,
    directory: Path,
    progress: Progress | None,
) -> tuple[str, list[PublicRelation], list[dict[str, Any]], list[dict[str, Any]]]:
    """Write every public relation as Parquet and CSV into `directory`. Returns where the list
    of relations came from, the relations, the files written and the dictionary entries."""
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as error:
        raise ExportError(f"cannot open the warehouse {warehouse}: {error}") from error
    try:
        # One thread: the same bytes every time (row groups never depend on scheduling).
        con.execute("set threads = 1")
        con.execute("set enable_progress_bar = false")
        source, relations = select_relations(con, manifest)
        if not relations:
            raise ExportError(
                f"nothing to export: no public relation in schema {PUBLIC_SCHEMA} (run `cts build`)"
            )
        entries, files = [], []
        for index, relation in enumerate(relations):
            if relation.schema in FORBIDDEN_SCHEMAS:  # defence in depth; never reached
                raise ExportError(f"refusing to export {relation.qualified}")
            if progress is not None:
                progress("export", index, len(relations), relation.name)
            rows = con.execute(f"select count(*) from {relation.qualified}").fetchall()[0][0]
            written = copy_relation(con, relation, directory)
            files += [file_entry(path, rows) for path in written]
            entries.append(dictionary_entry(relation, warehouse_columns(con, relation), rows))
        if progress is not None:
            progress("export", len(relations), len(relations), "data dictionary")
    finally:
        con.close()
    return source, relations, files, entries


def release_manifest(
    manifest: dict[str, Any] | None,
    source: str,
    generation: dict[str, Any] | None,
    release: bool,
    control: dict[str, Any],
) -> dict[str, Any]:
    """The export manifest's description of the release (all but its list of files)."""
    metadata = (manifest or {}).get("metadata", {})
    return {
        "generated_by": f"cts {__version__}",
        "relations_from": "dbt manifest (access: public)"
        if source == "manifest"
        else f"all tables of schema {PUBLIC_SCHEMA} (no dbt manifest found)",
        "dbt_version": metadata.get("dbt_version"),
        "project": metadata.get("project_name"),
        "generation": generation or None,
        "release": release,
        "pseudonym_key": control["pseudonym_key"],
        "synthetic_demo": control["synthetic_demo"],
        "disclosure_control": {
            "threshold": control["threshold"],
            "rate_min_denominator": control["rate_min_denominator"],
            "flags": control["flags"],
        },
    }
