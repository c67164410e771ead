"""Expected submission formats, read from the dbt sources YAMLs (the only place they are declared).

Every agency has `models/staging/<agency>/_<agency>__sources.yml` with one dbt source whose
`meta` names the agency and whose tables' `meta` describe the file each raw table is loaded from:

    sources:
      - name: suf
        schema: raw_suf
        meta: {agency_code: SUF, layout: enroll}
        tables:
          - name: inmates
            meta: {file: inmates.csv, delimiter: ",", encoding: utf-8,
                   valid_from: "2017-01", valid_to: "2025-12"}
            columns:
              - name: inmate_id

`meta` may also sit under `config:` (dbt >= 1.10 style); both are read. The source's `meta` may
say `manifest: required` (default `optional`): a submission of that agency without its
`manifest.json` is then refused (see `cts.manifest`). Adding an agency means adding its YAML;
nothing here names an agency.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from cts.manifest import MANIFEST_NAME

PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
DEFAULT_WINDOW = ("2017-01", "2025-12")
LINEAGE_COLUMNS = (
    "_submission_id",
    "_agency_code",
    "_period",
    "_revision",
    "_file",
    "_line",
    "_loaded_at",
)
_DELIMITER_WORDS = {"\\t": "\t", "tab": "\t", "comma": ",", "pipe": "|", "semicolon": ";"}


class LoadError(Exception):
    """A user error while loading submissions; its message is one clear line."""


class SpecError(LoadError):
    """A sources YAML that cannot be used to check submissions."""


def normalize_column_name(name: str) -> str:
    """Header name → lower snake case: `DateOfBirth` → `date_of_birth`, `Booking Date` →
    `booking_date`, `PersonID` → `person_id`, `COMMIT_NO` → `commit_no`."""
    text = name.strip()
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", text)
    text = re.sub(r"[^a-z0-9]+", "_", text.lower())
    return text.strip("_")


@dataclass(frozen=True)
class TableSpec:
    """One raw table and the file of a submission it is loaded from."""

    agency_code: str
    schema: str
    name: str
    file: str
    delimiter: str
    encoding: str
    quotechar: str
    columns: tuple[str, ...]
    valid_from: str | None = None
    valid_to: str | None = None

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"

    def expected_in(self, period: str) -> bool:
        """Whether a submission for `period` (YYYY-MM) must contain this file."""
        if self.valid_from is not None and period < self.valid_from:
            return False
        return not (self.valid_to is not None and period > self.valid_to)

    def validity_text(self) -> str:
        if self.valid_from and self.valid_to:
            return f"{self.valid_from}..{self.valid_to}"
        if self.valid_to:
            return f"periods up to {self.valid_to}"
        return f"periods from {self.valid_from}" if self.valid_from else "every period"


@dataclass(frozen=True)
class AgencySpec:
    """One agency: its raw schema and the tables (files) its submissions carry."""

    code: str
    source_name: str
    schema: str
    layout: str | None
    tables: tuple[TableSpec, ...]
    source_file: Path
    manifest_required: bool = False

    def tables_for(self, period: str) -> list[TableSpec]:
        return [t for t in self.tables if t.expected_in(period)]

    def table_for_file(self, file_name: str) -> list[TableSpec]:
        return [t for t in self.tables if t.file == file_name]


def _meta(node: dict) -> dict:
    meta: dict = {}
    config = node.get("config")
    if isinstance(config, dict) and isinstance(config.get("meta"), dict):
        meta.update(config["meta"])
    if isinstance(node.get("meta"), dict):
        meta.update(node["meta"])
    return meta


def _period(value: object, where: str, key: str) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if not PERIOD_RE.match(text):
        raise SpecError(f"{where}: meta.{key} is {value!r}, expected 'YYYY-MM'")
    return text


def _delimiter(value: object, where: str) -> str:
    text = _DELIMITER_WORDS.get(str(value).lower(), str(value)) if value is not None else ","
    if len(text) != 1 or text in "\r\n\"'" or text.isalnum():
        raise SpecError(f"{where}: meta.delimiter {value!r} is not a single delimiter character")
    return text


def _encoding(value: object, where: str) -> str:
    text = str(value or "utf-8").strip()
    try:
        return codecs.lookup(text).name
    except LookupError:
        raise SpecError(f"{where}: meta.encoding {text!r} is not a known encoding") from None


def _table(
    source: dict, agency: str, schema: str, node: object, where: str, index: int
) -> TableSpec:
    if not isinstance(node, dict) or not node.get("name"):
        raise SpecError(f"{where}: table #{index + 1} has no name")
    name = str(node.get("identifier") or node["name"])
    where = f"{where}: table {name!r}"
    meta = _meta(node)
    file_name = meta.get("file")
    if not file_name or "/" in str(file_name) or "\\" in str(file_name):
        raise SpecError(f"{where}: meta.file must name the file inside a submission folder")
    if str(file_name) == MANIFEST_NAME:
        raise SpecError(f"{where}: meta.file {MANIFEST_NAME} is reserved for the manifest")
    columns = []
    for column in node.get("columns") or []:
        column_name = str(column.get("name", "")) if isinstance(column, dict) else ""
        if not column_name:
            raise SpecError(f"{where}: a column has no name")
        if normalize_column_name(column_name) != column_name:
            raise SpecError(
                f"{where}: column {column_name!r} is not in normalized form "
                f"(write {normalize_column_name(column_name)!r})"
            )
        if column_name in columns:
            raise SpecError(f"{where}: column {column_name!r} is declared twice")
        columns.append(column_name)
    if not columns:
        raise SpecError(f"{where}: no columns declared (the header check needs them)")
    quotechar = str(meta.get("quotechar", '"'))
    if len(quotechar) != 1:
        raise SpecError(f"{where}: meta.quotechar must be one character")
    spec = TableSpec(
        agency_code=agency,
        schema=schema,
        name=name,
        file=str(file_name),
        delimiter=_delimiter(meta.get("delimiter", ","), where),
        encoding=_encoding(meta.get("encoding"), where),
        quotechar=quotechar,
        columns=tuple(columns),
        valid_from=_period(meta.get("valid_from"), where, "valid_from"),
        valid_to=_period(meta.get("valid_to"), where, "valid_to"),
    )
    if spec.delimiter == spec.quotechar:
        raise SpecError(f"{where}: delimiter and quote character are the same")
    if spec.valid_from and spec.valid_to and spec.valid_from > spec.valid_to:
        raise SpecError(f"{where}: valid_from {spec.valid_from} is after valid_to {spec.valid_to}")
    return spec


def _overlap(a: TableSpec, b: TableSpec) -> bool:
    return (a.valid_from or "0000-00") <= (b.valid_to or "9999-99") and (
        b.valid_from or "0000-00"
    ) <= (a.valid_to or "9999-99")


def _agency(source: dict, path: Path, where: str) -> AgencySpec | None:
    meta = _meta(source)
    tables = source.get("tables") or []
    has_files = any(isinstance(t, dict) and _meta(t).get("file") for t in tables)
    if not meta.get("agency_code") and not has_files:
        return None  # not a submission-backed source
    name = str(source.get("name") or "")
    code = str(meta.get("agency_code") or name).strip().upper()
    if not re.fullmatch(r"[A-Z][A-Z0-9_]*", code):
        raise SpecError(f"{where}: agency_code {code!r} is not an upper-case code")
    schema = str(source.get("schema") or f"raw_{code.lower()}")
    specs = [_table(source, code, schema, t, where, i) for i, t in enumerate(tables)]
    seen: dict[str, TableSpec] = {}
    for spec in specs:
        if spec.name in seen:
            raise SpecError(f"{where}: table {spec.name!r} is declared twice")
        seen[spec.name] = spec
    for i, a in enumerate(specs):
        for b in specs[i + 1 :]:
            if a.file == b.file and _overlap(a, b):
                raise SpecError(
                    f"{where}: tables {a.name!r} and {b.name!r} both expect file {a.file!r} "
                    "in overlapping periods"
                )
    if not specs:
        raise SpecError(f"{where}: source {name!r} declares no tables")
    manifest = str(meta.get("manifest", "optional")).strip().lower()
    if manifest not in ("required", "optional"):
        raise SpecError(f"{where}: meta.manifest is {manifest!r}, expected required or optional")
    return AgencySpec(
        code=code,
        source_name=name,
        schema=schema,
        layout=meta.get("layout"),
        tables=tuple(specs),
        source_file=path,
        manifest_required=manifest == "required",
    )


def load_source_specs(project_dir: Path) -> dict[str, AgencySpec]:
    """Every agency's expected files, from `models/staging/*/_*__sources.yml` under the project."""
    project_dir = Path(project_dir)
    agencies: dict[str, AgencySpec] = {}
    for path in sorted(project_dir.glob("models/staging/*/_*__sources.yml")):
        where = str(path.relative_to(project_dir))
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise SpecError(f"{where}: cannot read YAML ({first})") from None
        sources = document.get("sources") if isinstance(document, dict) else None
        for source in sources or []:
            if not isinstance(source, dict):
                continue
            agency = _agency(source, path, where)
            if agency is None:
                continue
            if agency.code in agencies:
                other = agencies[agency.code].source_file.relative_to(project_dir)
                raise SpecError(f"{where}: agency {agency.code} is already declared in {other}")
            agencies[agency.code] = agency
    return agencies


def load_period_window(project_dir: Path) -> tuple[str, str]:
    """The reporting window (first, last period) from `dbt_project.yml` vars, if declared."""
    path = Path(project_dir) / "dbt_project.yml"
    try:
        variables = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("vars") or {}
    except (OSError, yaml.YAMLError, AttributeError):
        return DEFAULT_WINDOW
    start = str(variables.get("window_start_date") or "")[:7]
    end = str(variables.get("window_end_date") or "")[:7]
    if PERIOD_RE.match(start) and PERIOD_RE.match(end) and start <= end:
        return start, end
    return DEFAULT_WINDOW
