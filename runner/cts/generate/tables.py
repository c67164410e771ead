"""Row tables of one agency's files, rendered month by month into submission folders.

A table keeps internal values (day numbers, code indexes, strings) and renders them only when a
month is written, so the full scale never holds tens of millions of Python strings at once.
Row-level defects are stored as overrides of single fields or whole lines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cts.manifest import describe_bytes, write_manifest

from . import dates
from .layouts import Layout, agency_layout, roles
from .reference import N_MONTHS

Renderer = Callable[[np.ndarray, Layout], np.ndarray]


def s_col(values: np.ndarray, layout: Layout) -> np.ndarray:
    return values


def d_col(values: np.ndarray, layout: Layout) -> np.ndarray:
    return dates.render(values, layout.date_format)


def code_col(attr: str) -> Renderer:
    def render(values: np.ndarray, layout: Layout) -> np.ndarray:
        vocab = np.array([*getattr(layout, attr), ""], dtype=object)
        return vocab[np.where(values < 0, len(vocab) - 1, values)]

    return render


def int_col(fmt: str) -> Renderer:
    def render(values: np.ndarray, layout: Layout) -> np.ndarray:
        return np.array([fmt.format(v) for v in values.tolist()], dtype=object)

    return render


@dataclass
class Table:
    role: str
    data: dict[str, np.ndarray]
    renderers: dict[str, Renderer]
    month: np.ndarray
    seq: np.ndarray  # order within the month (date, then id)
    rec: np.ndarray  # record id: rows of one record are sends of the same thing
    key: np.ndarray  # record key written to the defect log (object array)
    string_cols: frozenset[str] = frozenset()
    overrides: dict[int, dict[str, str]] = field(default_factory=dict)
    line_override: dict[int, Callable[[list[str], str], str]] = field(default_factory=dict)
    bounds: np.ndarray | None = None  # month → first row (after finalize)

    def __len__(self) -> int:
        return len(self.month)

    def take(self, index: np.ndarray) -> Table:
        return Table(
            role=self.role,
            data={k: v[index] for k, v in self.data.items()},
            renderers=self.renderers,
            month=self.month[index],
            seq=self.seq[index],
            rec=self.rec[index],
            key=self.key[index],
            string_cols=self.string_cols,
        )

    def append(self, other: Table) -> Table:
        return Table(
            role=self.role,
            data={k: np.concatenate([v, other.data[k]]) for k, v in self.data.items()},
            renderers=self.renderers,
            month=np.concatenate([self.month, other.month]),
            seq=np.concatenate([self.seq, other.seq]),
            rec=np.concatenate([self.rec, other.rec]),
            key=np.concatenate([self.key, other.key]),
            string_cols=self.string_cols,
        )

    def finalize(self) -> np.ndarray:
        """Sort rows by (month, seq); returns the permutation applied (old row → position)."""
        order = np.lexsort((self.seq, self.month))
        sorted_table = self.take(order)
        self.data, self.month, self.seq = sorted_table.data, sorted_table.month, sorted_table.seq
        self.rec, self.key = sorted_table.rec, sorted_table.key
        self.bounds = np.searchsorted(self.month, np.arange(N_MONTHS + 1))
        position = np.empty(len(order), dtype=np.int64)
        position[order] = np.arange(len(order))
        return position

    def month_rows(self, month: int) -> tuple[int, int]:
        assert self.bounds is not None
        return int(self.bounds[month]), int(self.bounds[month + 1])

    def line_number(self, position: int) -> int:
        """Line of a row in its month's file (the header is line 1)."""
        start, _ = self.month_rows(int(self.month[position]))
        return position - start + 2

    def render(self, lo: int, hi: int, layout: Layout, keys: list[str]) -> list[str]:
        delim = layout.delimiter
        cols = []
        for k in keys:
            col = self.renderers[k](self.data[k][lo:hi], layout)
            if k in self.string_cols:
                col = _quote(col, delim)
            cols.append(col)
        if hi <= lo:
            return []
        overrides = {p: o for p, o in self.overrides.items() if lo <= p < hi}
        if overrides:
            cols = [c.copy() for c in cols]
            index = {k: i for i, k in enumerate(keys)}
            for pos, fields in overrides.items():
                for k, value in fields.items():
                    if k in index:
                        cols[index[k]][pos - lo] = value
        lines = [delim.join(row) for row in zip(*cols, strict=True)]
        for pos, broken in self.line_override.items():
            if lo <= pos < hi:
                fields = [str(c[pos - lo]) for c in cols]
                lines[pos - lo] = broken(fields, delim)
        return lines


def _quote(col: np.ndarray, delim: str) -> np.ndarray:
    out = col
    for i, value in enumerate(col.tolist()):
        if delim in value or '"' in value:
            if out is col:
                out = col.copy()
            out[i] = '"' + value.replace('"', '""') + '"'
    return out


@dataclass
class Revision:
    """How one revision of a month differs from the final content."""

    number: int
    drop: dict[str, set[int]] = field(default_factory=dict)  # role → row positions left out
    duplicate: dict[str, set[int]] = field(default_factory=dict)  # role → rows sent twice
    date_format: dict[str, str] = field(default_factory=dict)  # role → wrong date format


def write_agency(
    out: Path,
    agency: str,
    tables: dict[str, Table],
    catalog_lines: Callable[[int, Layout], list[str]],
    revisions: dict[int, list[Revision]],
) -> dict[str, int]:
    """Write every month (every revision) of an agency; returns data-line counts per role."""
    counts: dict[str, int] = {}
    for month in range(N_MONTHS):
        layout = agency_layout(agency, month)
        label = dates.month_label(month)
        plan = revisions.get(month) or [Revision(1)]
        for revision in plan:
            folder = out / "submissions" / agency / label / f"r{revision.number}"
            folder.mkdir(parents=True, exist_ok=True)
            written = []
            for role in roles(agency):
                spec = layout.files[role]
                if role == "catalog":
                    lines = catalog_lines(month, layout)
                else:
                    table = tables[role]
                    lo, hi = table.month_rows(month)
                    use = layout
                    if role in revision.date_format:
                        use = _with_date_format(layout, revision.date_format[role])
                    lines = table.render(lo, hi, use, spec.keys)
                    drop = revision.drop.get(role)
                    dup = revision.duplicate.get(role)
                    if drop or dup:
                        kept = []
                        for pos, line in zip(range(lo, hi), lines, strict=True):
                            if drop and pos in drop:
                                continue
                            kept.append(line)
                            if dup and pos in dup:
                                kept.append(line)
                        lines = kept
                counts[role] = counts.get(role, 0) + len(lines)
                text = layout.delimiter.join(spec.header) + "\n"
                if lines:
                    text += "\n".join(lines) + "\n"
                data = text.encode(layout.encoding)
                (folder / spec.name).write_bytes(data)
                written.append(describe_bytes(spec.name, data))
            write_manifest(folder, written, agency, label, revision.number)
    return counts


def _with_date_format(layout: Layout, fmt: str) -> Layout:
    from dataclasses import replace

    return replace(layout, date_format=fmt)
