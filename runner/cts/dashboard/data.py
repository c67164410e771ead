"""Read the public exports and turn them into the compact data the dashboard page embeds.

Only files of `<workdir>/public/` are read (Parquet when present, else CSV), through an
in-memory DuckDB connection: the warehouse, and so its restricted schemas, is never opened.

The report marts (~115k rows each at any scale) are embedded as *cubes*: each key column is
replaced by an index into a short list of its values, the row's position in the product of those
lists is its cell, and each measure is one flat array ordered by cell. A mart holding every cell
needs no cell list at all; a sparse one (exits by reason) carries the gaps between its cells.

Counts keep their suppression: a published count is itself (0 included), a suppressed one is
-1 (one flag whatever the reason), and a missing one null. Rates are integers in
ten-thousandths (decimal(7,4) exactly) or null when withheld.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

SUPPRESSED = -1
SUPPRESSION_CODES = {"SUPPRESSED": SUPPRESSED}

MARTS = ("dim_programs", "rpt_program_enrollments", "rpt_program_outcomes", "rpt_program_exits")
PERIOD_TYPES = ("CALENDAR_YEAR", "FISCAL_YEAR")
ENROLLMENT_MEASURES = (("enrollment_events", "count"), ("distinct_persons", "count"))
OUTCOME_MEASURES = (
    ("successful_exits", "count"),
    ("unsuccessful_exits", "count"),
    ("administrative_exits", "count"),
    ("unknown_exits", "count"),
    ("total_exits", "count"),
    ("completion_rate", "rate"),
    ("completions_over_all_exits", "rate"),
)
EXIT_MEASURES = (("exits", "count"), ("distinct_persons", "count"))
EMBEDDED_EXIT_MEASURES = (("exits", "count"),)
PROGRAM_COLUMNS = (
    "agency_code",
    "agency_program_code",
    "agency_program_name",
    "agency_program_type",
    "canonical_program_code",
    "canonical_program_name",
    "category_code",
    "mapping_method",
    "first_year_offered",
    "last_year_offered",
)
PROGRAM_COUNTS = (
    "enrollment_events",
    "distinct_persons",
    "successful_exits",
    "unsuccessful_exits",
)


class DashboardError(Exception):
    """A user-facing reason why the dashboard cannot be built."""


def read_publication(directory: Path) -> dict[str, Any]:
    """The publication as declared (code lists with labels and order, breakdown titles), from
    the export's data dictionary: the dashboard keeps no copy of its own."""
    path = directory / "data_dictionary.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))["publication"]
    except (OSError, ValueError, KeyError) as error:
        raise DashboardError(
            f"{path}: no publication declaration in the data dictionary (run `cts export`)"
        ) from error


def code_order(publication: dict[str, Any], name: str) -> list[str]:
    return [entry["code"] for entry in publication["code_lists"].get(name, [])]


def labels(publication: dict[str, Any]) -> dict[str, Any]:
    """Display labels: breakdown titles, their values, exit reasons and outcome groups."""
    lists = publication["code_lists"]
    breakdowns = publication["breakdowns"]
    return {
        "dimensions": {"ALL": "All", **breakdowns},
        "values": {
            "ALL": {"ALL": "All"},
            **{
                name: {entry["code"]: entry["label"] for entry in lists[name]}
                for name in breakdowns
            },
        },
        "reasons": {entry["code"]: entry["label"] for entry in lists["exit_reason"]},
        "outcomeGroups": {entry["code"]: entry["label"] for entry in lists["outcome_group"]},
        # the outcome groups in their order, each with the Program Outcomes column counting it
        "outcomes": [
            {"code": entry["code"], "column": column, "name": entry["label"]}
            for entry in lists["outcome_group"]
            for column, measure in publication["tables"]["rpt_program_outcomes"]["measures"].items()
            if measure.get("outcome_group") == entry["code"]
        ],
    }


@dataclass(frozen=True)
class PublicExport:
    """The export directory and, per mart, the file the dashboard reads."""

    directory: Path
    files: dict[str, Path]
    manifest: dict[str, Any]


def find_export(directory: Path) -> PublicExport:
    """The mart files of an export directory; Parquet preferred, CSV accepted."""
    if not directory.is_dir():
        raise DashboardError(f"no public exports at {directory} (run `cts export` first)")
    files: dict[str, Path] = {}
    missing = []
    for mart in MARTS:
        for extension in ("parquet", "csv"):
            candidate = directory / f"{mart}.{extension}"
            if candidate.is_file():
                files[mart] = candidate
                break
        else:
            missing.append(mart)
    if missing:
        raise DashboardError(
            f"public exports missing from {directory}: {', '.join(missing)} (run `cts export`)"
        )
    manifest: dict[str, Any] = {}
    manifest_path = directory / "manifest.json"
    if manifest_path.is_file():
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except ValueError as error:
            raise DashboardError(f"cannot read {manifest_path}: {error}") from error
    return PublicExport(directory=directory, files=files, manifest=manifest)


def _scan(path: Path) -> str:
    literal = "'" + str(path).replace("'", "''") + "'"
    if path.suffix == ".parquet":
        return f"read_parquet({literal})"
    return f"read_csv({literal}, header = true, auto_detect = true)"


def read_rows(
    con: duckdb.DuckDBPyConnection, path: Path, columns: list[str]
) -> list[dict[str, Any]]:
    """The given columns of one export file, as dicts (a missing column is an error)."""
    available = [row[0] for row in con.execute(f"describe select * from {_scan(path)}").fetchall()]
    absent = [column for column in columns if column not in available]
    if absent:
        raise DashboardError(f"{path.name} lacks columns: {', '.join(absent)}")
    select = ", ".join('"' + column + '"' for column in columns)
    cursor = con.execute(f"select {select} from {_scan(path)}")
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def encode_count(value: Any, flag: Any) -> int | None:
    """A count as embedded: itself, -1 when suppressed, or None."""
    if flag:
        code = SUPPRESSION_CODES.get(str(flag).upper())
        if code is None:
            raise DashboardError(f"unknown suppression flag {flag!r}")
        return code
    if value is None:
        return None
    return int(value)


def encode_rate(value: Any) -> int | None:
    """A rate in ten-thousandths (0.3750 → 3750), or None when withheld."""
    if value is None:
        return None
    return int(round(float(value) * 10000))


def _ordered(values: set[str], preferred: list[str]) -> list[str]:
    known = [value for value in preferred if value in values]
    return known + sorted(values - set(known))


def _truthy_flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "yes", "1", "demo", "synthetic"}
    return bool(value)


def is_synthetic(manifest: dict[str, Any]) -> bool:
    """Does the export manifest say the data is synthetic or made with the demo pseudonym key?

    Accepts the ways an export can say so: the generator's record (`generation`, written when
    `cts generate` made the data), or any key naming the demo key or synthetic data (e.g.
    `demo_key: true`, `pseudonym_key: "demo"`, `synthetic: true`, `data: "synthetic"`).
    """

    def walk(node: Any) -> bool:
        if isinstance(node, dict):
            for key, value in node.items():
                name = str(key).lower()
                if name == "generation" and value:
                    return True
                if ("demo" in name or "synthetic" in name) and _truthy_flag(value):
                    return True
                if isinstance(value, str) and value.strip().lower() in {"synthetic", "demo"}:
                    return True
                if isinstance(value, dict | list) and walk(value):
                    return True
        elif isinstance(node, list):
            return any(walk(item) for item in node if isinstance(item, dict | list))
        return False

    return walk({key: value for key, value in manifest.items() if key != "files"})


def build_cube(
    rows: list[dict[str, Any]],
    keys: dict[str, list[Any]],
    key_of: dict[str, Any],
    measures: tuple[tuple[str, str], ...],
) -> dict[str, Any]:
    """Rows as a cube: key lists give the axes, measures are flat arrays in cell order.

    `keys` maps each axis name to its ordered values; `key_of[axis](row)` gives a row's value
    on that axis. Cells follow the product of the axes, last axis fastest.
    """
    axes = list(keys)
    positions = {axis: {value: index for index, value in enumerate(keys[axis])} for axis in axes}
    located = []
    for row in rows:
        cell = 0
        for axis in axes:
            cell = cell * len(keys[axis]) + positions[axis][key_of[axis](row)]
        located.append((cell, row))
    located.sort(key=lambda item: item[0])
    size = 1
    for axis in axes:
        size *= len(keys[axis])
    cells = [cell for cell, _ in located]
    if len(set(cells)) != len(cells):
        raise DashboardError("duplicate cells in a report mart")
    cube: dict[str, Any] = {"axes": axes, "size": size, "rows": len(located)}
    if len(located) != size:
        previous, gaps = -1, []
        for cell in cells:
            gaps.append(cell - previous)
            previous = cell
        cube["gaps"] = gaps  # cell of row i = sum of gaps[0..i] - 1
    values: dict[str, list[int | None]] = {}
    for column, kind in measures:
        if kind == "rate":
            values[column] = [encode_rate(row[column]) for _, row in located]
        else:
            flag = column + "_suppression"
            values[column] = [encode_count(row[column], row[flag]) for _, row in located]
    cube["values"] = values
    return cube


def _count_columns(measures: tuple[tuple[str, str], ...]) -> list[str]:
    columns = []
    for column, kind in measures:
        columns.append(column)
        if kind == "count":
            columns.append(column + "_suppression")
    return columns


KEY_COLUMNS = [
    "period_type",
    "period_year",
    "period_label",
    "is_partial_period",
    "agency_code",
    "category_code",
    "dimension",
    "dimension_value",
]


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


ALL_AGENCIES = "All agencies (statewide)"
# Each cube axis's key of a report row.
KEY_OF = {
    "period": lambda row: (row["period_type"], int(row["period_year"])),
    "agency": lambda row: row["agency_code"],
    "category": lambda row: row["category_code"],
    "breakdown": lambda row: (row["dimension"], row["dimension_value"]),
    "reason": lambda row: row["exit_reason_code"],
}


def load_dashboard_data(export: PublicExport, threshold: int | None = None) -> dict[str, Any]:
    """Everything the page needs, as one JSON-able dict."""
    publication = read_publication(export.directory)
    programs, enrollments, outcomes, exits = _read_marts(export)
    reports = enrollments + outcomes + exits
    periods = _periods(reports)
    period_keys = [(period[0], period[1]) for period in periods]
    agency_names = {row["agency_code"]: row["agency_name"] for row in programs}
    category_names = {row["category_code"]: row["category_name"] for row in programs}
    agencies = _codes(reports, "agency_code", agency_names)
    categories = _codes(reports, "category_code", category_names)
    breakdowns = _breakdowns(reports, publication)
    reason_groups = {row["exit_reason_code"]: row["outcome_group"] for row in exits}
    reasons = _ordered(set(reason_groups), code_order(publication, "exit_reason"))
    axes = {
        "period": period_keys,
        "agency": agencies,
        "category": categories,
        "breakdown": breakdowns,
    }
    programs.sort(key=lambda row: (row["agency_code"], row["agency_program_code"]))
    return {
        "threshold": threshold or publication["threshold"],
        "synthetic": is_synthetic(export.manifest),
        "release": {
            "generated_by": export.manifest.get("generated_by"),
            "generation": export.manifest.get("generation"),
            "dbt_version": export.manifest.get("dbt_version"),
        },
        "periods": [
            {"type": period[0], "year": period[1], "label": period[2], "partial": period[3]}
            for period in periods
        ],
        "agencies": [
            {"code": code, "name": ALL_AGENCIES if code == "ALL" else agency_names.get(code, code)}
            for code in agencies
        ],
        "categories": _category_entries(categories, category_names, programs),
        "breakdowns": [list(breakdown) for breakdown in breakdowns],
        "labels": labels(publication),
        "reasons": [{"code": code, "group": reason_groups[code]} for code in reasons],
        "programColumns": [*PROGRAM_COLUMNS, *PROGRAM_COUNTS],
        "programs": [_program_entry(row) for row in programs],
        "enrollments": build_cube(enrollments, axes, KEY_OF, ENROLLMENT_MEASURES),
        "outcomes": build_cube(outcomes, axes, KEY_OF, OUTCOME_MEASURES),
        # The page shows exit reasons statewide or per agency and category, not per
        # demographic value: only those rows (and only the exit counts) are embedded.
        "exits": build_cube(
            [row for row in exits if row["dimension"] == "ALL"],
            {"period": period_keys, "agency": agencies, "category": categories, "reason": reasons},
            KEY_OF,
            EMBEDDED_EXIT_MEASURES,
        ),
    }


def _read_marts(export: PublicExport) -> tuple[list[dict[str, Any]], ...]:
    """The rows of dim_programs and of the three report marts, with the columns the page uses."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("set enable_progress_bar = false")
        programs = read_rows(
            con,
            export.files["dim_programs"],
            [
                *PROGRAM_COLUMNS,
                "agency_name",
                "category_name",
                "psi_super_category",
                *(column for count in PROGRAM_COUNTS for column in (count, count + "_suppression")),
            ],
        )
        enrollments = read_rows(
            con,
            export.files["rpt_program_enrollments"],
            KEY_COLUMNS + _count_columns(ENROLLMENT_MEASURES),
        )
        outcomes = read_rows(
            con,
            export.files["rpt_program_outcomes"],
            KEY_COLUMNS + _count_columns(OUTCOME_MEASURES),
        )
        exits = read_rows(
            con,
            export.files["rpt_program_exits"],
            [*KEY_COLUMNS, "outcome_group", "exit_reason_code", *_count_columns(EXIT_MEASURES)],
        )
    except duckdb.Error as error:
        raise DashboardError(f"cannot read the public exports: {error}") from error
    finally:
        con.close()
    return programs, enrollments, outcomes, exits


def _periods(reports: list[dict[str, Any]]) -> list[tuple[str, int, str, bool]]:
    """Every period of the reports (type, year, label, partial), calendar years first."""
    return sorted(
        {
            (row["period_type"], int(row["period_year"]), row["period_label"])
            + (_as_bool(row["is_partial_period"]),)
            for row in reports
        },
        key=lambda period: (PERIOD_TYPES.index(period[0]), period[1]),
    )


def _breakdowns(reports: list[dict[str, Any]], publication: dict[str, Any]) -> list[tuple]:
    """Every (dimension, value) of the reports, in the publication's order."""
    dimension_values: dict[str, set[str]] = {}
    for row in reports:
        dimension_values.setdefault(row["dimension"], set()).add(row["dimension_value"])
    dimensions = _ordered(set(dimension_values), ["ALL", *publication["breakdowns"]])
    return [
        (dimension, value)
        for dimension in dimensions
        for value in _ordered(
            dimension_values[dimension],
            ["ALL"] if dimension == "ALL" else code_order(publication, dimension),
        )
    ]


def _codes(reports: list[dict[str, Any]], column: str, named: dict[str, str]) -> list[str]:
    """ALL, then every code of `column` in the reports or with a name, sorted."""
    return ["ALL", *sorted(({row[column] for row in reports} - {"ALL"}) | set(named))]


def _category_entries(
    categories: list[str], names: dict[str, str], programs: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    super_categories = {row["category_code"]: row["psi_super_category"] for row in programs}
    return [
        {
            "code": code,
            "name": "All categories"
            if code == "ALL"
            else names.get(code) or code.replace("_", " ").title(),
            "super": super_categories.get(code),
        }
        for code in categories
    ]


def _program_entry(row: dict[str, Any]) -> list[Any]:
    entry: list[Any] = [row[column] for column in PROGRAM_COLUMNS]
    entry += [encode_count(row[count], row[count + "_suppression"]) for count in PROGRAM_COUNTS]
    return entry
