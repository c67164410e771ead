"""The publication, as declared once in `dbt_project.yml` (`vars.publication`).

Everything that publishes or protects counts reads this: the published tables with their key
dimensions and measures, the dimensions' code lists (seeds, with labels and display order) and
every relation between published counts. dbt reads the same var (int_published_counts_unpivoted
and the rpt_ marts), so there is nothing to keep in step.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# The long table's key columns, in this order (int_published_counts_unpivoted and the
# checker's cells).
KEY_COLUMNS = (
    "period_type",
    "period_year",
    "agency_code",
    "category_code",
    "dimension",
    "dimension_value",
    "outcome_group",
    "exit_reason_code",
    "agency_program_code",
)
# Why a count is withheld (restricted: protection.cell_decisions, int_published_counts_protected)
PRIMARY = "PRIMARY"
COMPLEMENTARY = "COMPLEMENTARY"
# The one public flag of a withheld count, whatever the reason (the public marts)
SUPPRESSED = "SUPPRESSED"
FLAGS = (SUPPRESSED,)


class DeclarationError(ValueError):
    """The declaration is missing or inconsistent: one line naming what is wrong."""


@dataclass(frozen=True)
class Measure:
    name: str
    counts: str  # "events" (they add up) or "persons" (distinct persons)
    outcome_group: str | None = None


@dataclass(frozen=True)
class Rate:
    name: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    decimals: int
    withheld_with: tuple[str, ...] = ()  # counts whose withholding withholds the rate

    def parts(self) -> tuple[str, ...]:
        """The counts whose withholding withholds the rate: declared, else its own parts."""
        return self.withheld_with or tuple(dict.fromkeys(self.numerator + self.denominator))


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    keys: tuple[str, ...]  # dimension names
    measures: dict[str, Measure]
    rates: dict[str, Rate] = field(default_factory=dict)


@dataclass(frozen=True)
class Dimension:
    name: str
    columns: tuple[str, ...]
    total: str | None
    spec: dict[str, Any]


@dataclass(frozen=True)
class Publication:
    threshold: int
    window_start: str
    window_end: str
    dimensions: dict[str, Dimension]
    tables: dict[str, Table]
    relations: tuple[dict[str, Any], ...]

    def key_columns(self, table: str) -> tuple[str, ...]:
        """The long-table key columns a table fills (the others are null)."""
        used = {c for d in self.tables[table].keys for c in self.dimensions[d].columns}
        return tuple(c for c in KEY_COLUMNS if c in used)

    def partitions_persons(self, dimension: str, breakdown: str | None = None) -> bool:
        spec = self.dimensions[dimension].spec
        if breakdown is not None:
            return bool(spec.get("breakdowns", {}).get(breakdown, {}).get("partitions_persons"))
        return bool(spec.get("partitions_persons"))

    def years(self) -> tuple[int, int]:
        return int(self.window_start[:4]), int(self.window_end[:4])

    def code_lists(self, project_dir: Path) -> dict[str, list[dict[str, Any]]]:
        """Every dimension's codes with label and display order, read from its seed."""
        lists: dict[str, list[dict[str, Any]]] = {}
        for dimension in self.dimensions.values():
            sources = dict(dimension.spec.get("breakdowns", {}))
            if "codes" in dimension.spec:
                sources[dimension.name] = dimension.spec["codes"]
            for name, source in sources.items():
                lists[name] = read_codes(project_dir, source)
        return lists


def read_codes(project_dir: Path, source: dict[str, Any]) -> list[dict[str, Any]]:
    path = project_dir / "seeds" / "reference" / f"{source['seed']}.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if source.get("where"):
        rows = [row for row in rows if row[source["where"]].strip().lower() == "true"]
    if source.get("order"):
        rows.sort(key=lambda row: float(row[source["order"]]))
    codes = []
    for position, row in enumerate(rows, start=1):
        entry = {"code": row[source["code"]], "label": row[source["label"]], "order": position}
        if source.get("parent"):
            entry["parent"] = row[source["parent"]]
        codes.append(entry)
    return codes


def load(project_dir: Path) -> Publication:
    """Read the declaration from `<project_dir>/dbt_project.yml`."""
    path = project_dir / "dbt_project.yml"
    try:
        variables = (yaml.safe_load(path.read_text(encoding="utf-8")) or {})["vars"]
        return parse(variables)
    except (OSError, KeyError, TypeError, yaml.YAMLError) as error:
        raise DeclarationError(f"{path}: cannot read vars.publication: {error}") from error


def parse(variables: dict[str, Any]) -> Publication:
    spec = variables["publication"]
    dimensions = {
        name: Dimension(name, tuple(d["columns"]), d.get("total"), d)
        for name, d in spec["dimensions"].items()
    }
    tables = {}
    for name, t in spec["tables"].items():
        unknown = [key for key in t["keys"] if key not in dimensions]
        if unknown:
            raise DeclarationError(f"table {name}: unknown dimensions {unknown}")
        measures = {
            m: Measure(m, v["counts"], v.get("outcome_group")) for m, v in t["measures"].items()
        }
        rates = {
            r: Rate(
                r,
                tuple(v["numerator"]),
                tuple(v["denominator"]),
                int(v["decimals"]),
                tuple(v.get("withheld_with") or ()),
            )
            for r, v in (t.get("rates") or {}).items()
        }
        tables[name] = Table(name, t.get("title", name), tuple(t["keys"]), measures, rates)
    relations = tuple(spec["relations"])
    names = [relation["name"] for relation in relations]
    if len(set(names)) != len(names):
        raise DeclarationError("relation names must be unique")
    return Publication(
        threshold=int(variables["suppression_threshold"]),
        window_start=str(variables["window_start_date"]),
        window_end=str(variables["window_end_date"]),
        dimensions=dimensions,
        tables=tables,
        relations=relations,
    )


def as_dict(publication: Publication, project_dir: Path) -> dict[str, Any]:
    """The declaration as published in the data dictionary (tables, code lists, relations)."""
    return {
        "threshold": publication.threshold,
        "window": {"start": publication.window_start, "end": publication.window_end},
        "tables": {
            name: {
                "title": table.title,
                "keys": [c for d in table.keys for c in publication.dimensions[d].columns],
                "measures": {
                    m.name: {"counts": m.counts, "outcome_group": m.outcome_group}
                    if m.outcome_group
                    else {"counts": m.counts}
                    for m in table.measures.values()
                },
                "rates": {
                    r.name: {
                        "numerator": list(r.numerator),
                        "denominator": list(r.denominator),
                        "withheld_with": list(r.parts()),
                        "decimals": r.decimals,
                    }
                    for r in table.rates.values()
                },
            }
            for name, table in publication.tables.items()
        },
        "code_lists": publication.code_lists(project_dir),
        "breakdowns": {
            name: spec.get("title", name)
            for dimension in publication.dimensions.values()
            for name, spec in dimension.spec.get("breakdowns", {}).items()
        },
        "relations": [dict(relation) for relation in publication.relations],
    }
