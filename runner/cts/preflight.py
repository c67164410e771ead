"""Checks one submitted file (and one submission folder) against its source spec, in Python.

A file passes through here once: decoded in its declared encoding, its header compared with the
declared columns, every data line split and counted. The accepted records come out as normalised
text (UTF-8, the table's own delimiter, standard `"` quoting, two extra fields: the file number
and the physical line where the record starts) ready for DuckDB's `read_csv`.

Fault levels:
- file faults (empty, undecodable, wrong delimiter, header differences, truncated, too many
  malformed lines) reject the file and with it the whole submission;
- line faults (wrong field count, broken quoting, stray control characters, blank lines) reject
  only that physical line; it is kept verbatim in `raw_meta.rejected_lines`.

Every physical data line ends up in exactly one place: inside one accepted record (a quoted field
may span lines) or as one rejected line. After a line fault, parsing restarts at the next line.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from cts.specs import TableSpec, normalise_column_name

# A file is rejected when more than this share of its data lines, and more than
# MALFORMED_MIN_LINES lines, are malformed.
MALFORMED_MAX_SHARE = 0.05
MALFORMED_MIN_LINES = 3

# Line fault reasons (stored in raw_meta.rejected_lines.reason).
FIELD_COUNT = "MALFORMED_FIELD_COUNT"
QUOTING = "MALFORMED_QUOTING"
CHARACTER = "MALFORMED_CHARACTER"
BLANK = "BLANK_LINE"

_DELIMITER_NAMES = {",": "comma ','", "\t": "tab", "|": "pipe '|'", ";": "semicolon ';'"}
_CANDIDATE_DELIMITERS = (",", "\t", "|", ";")


def delimiter_name(delimiter: str) -> str:
    return _DELIMITER_NAMES.get(delimiter, repr(delimiter))


@dataclass(frozen=True)
class Fault:
    """A file-level fault: the file (and its submission) is rejected."""

    code: str
    line: int | None
    message: str


@dataclass(frozen=True)
class RejectedLine:
    line: int
    reason: str
    detail: str
    raw: str


@dataclass
class FileCheck:
    """The outcome of checking one file."""

    name: str
    sha256: str
    size: int
    table: TableSpec | None = None
    file_no: int = 0
    data_lines: int = 0
    rows: int = 0
    chunks: list[str] = field(default_factory=list)
    rejected: list[RejectedLine] = field(default_factory=list)
    max_record_chars: int = 0
    fault: Fault | None = None

    @property
    def malformed(self) -> int:
        return sum(1 for r in self.rejected if r.reason != BLANK)

    def drop_output(self) -> None:
        self.chunks = []
        self.rejected = []


class _Feed:
    """Lines for `csv.reader`, restartable at any line after a parse error."""

    __slots__ = ("lines", "pos", "last", "last_has_newline")

    def __init__(self, lines: list[str], last_has_newline: bool) -> None:
        self.lines = lines
        self.pos = 0
        self.last = len(lines) - 1
        self.last_has_newline = last_has_newline

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        pos = self.pos
        if pos > self.last:
            raise StopIteration
        self.pos = pos + 1
        if pos == self.last and not self.last_has_newline:
            return self.lines[pos]
        return self.lines[pos] + "\n"


def _quote_for_output(value: str, delimiter: str) -> str:
    if value and (delimiter in value or '"' in value or "\n" in value or "\r" in value):
        return '"' + value.replace('"', '""') + '"'
    return value


def _csv_error_reason(error: csv.Error) -> tuple[str, str]:
    text = str(error)
    if "NUL" in text:
        return CHARACTER, "NUL byte in line"
    if "new-line character" in text:
        return CHARACTER, "carriage return inside an unquoted field"
    if "field larger than field limit" in text:
        return QUOTING, "unterminated quoted field (runs past the field size limit)"
    if "unexpected end of data" in text:
        return QUOTING, "quoted field never closed"
    return QUOTING, f"broken quoting ({text})"


def _decode(data: bytes, table: TableSpec) -> tuple[str | None, Fault | None]:
    encoding = table.encoding
    if encoding == "utf-8" and data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 1].hex()
        return None, Fault(
            "ENCODING",
            line,
            f"not valid {encoding} (byte 0x{bad} at line {line}); "
            f"the file must be encoded as {encoding}",
        )
    if encoding != "utf-8" and not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            first = next(i for i, b in enumerate(data) if b >= 0x80)
            line = data.count(b"\n", 0, first) + 1
            return None, Fault(
                "ENCODING",
                line,
                f"file is UTF-8 encoded but declared {encoding} (first non-ASCII text at line "
                f"{line}); send it as {encoding}",
            )
    return text, None


def _split_header(header: str, table: TableSpec) -> tuple[list[str] | None, Fault | None]:
    if table.quotechar not in header:
        return header.split(table.delimiter), None
    reader = csv.reader([header], delimiter=table.delimiter, quotechar=table.quotechar, strict=True)
    try:
        return next(reader), None
    except (csv.Error, StopIteration) as exc:
        return None, Fault("HEADER_QUOTING", 1, f"header line has broken quoting ({exc})")


def _check_header(raw_names: list[str], table: TableSpec) -> Fault | None:
    expected = list(table.columns)
    if len(raw_names) == 1 and len(expected) > 1:
        header = raw_names[0]
        if not header.strip():
            return Fault("HEADER_EMPTY", 1, "header line is empty")
        for candidate in _CANDIDATE_DELIMITERS:
            if candidate != table.delimiter and header.count(candidate) >= 1:
                return Fault(
                    "WRONG_DELIMITER",
                    1,
                    f"header has no {delimiter_name(table.delimiter)} delimiter but splits on "
                    f"{delimiter_name(candidate)}: the file must be "
                    f"{delimiter_name(table.delimiter)}-delimited",
                )
        return Fault(
            "WRONG_DELIMITER",
            1,
            f"header is one field, expected {len(expected)} columns separated by "
            f"{delimiter_name(table.delimiter)}",
        )
    got = [normalise_column_name(name) for name in raw_names]
    if got == expected:
        return None
    duplicates = sorted({name for name in got if got.count(name) > 1})
    if duplicates:
        return Fault(
            "HEADER_DUPLICATE_COLUMN",
            1,
            "header repeats column(s) " + ", ".join(repr(d) for d in duplicates),
        )
    missing = [name for name in expected if name not in got]
    extra = [name for name in got if name not in expected]
    listing = ", ".join
    if len(got) == len(expected) and missing:
        renamed = [
            f"header column {i + 1} is {g!r}, expected {e!r}"
            for i, (g, e) in enumerate(zip(got, expected, strict=True))
            if g != e and g in extra
        ]
        return Fault("HEADER_RENAMED_COLUMN", 1, "; ".join(renamed))
    if missing and not extra:
        return Fault(
            "HEADER_MISSING_COLUMN",
            1,
            f"header is missing column(s) {listing(repr(m) for m in missing)} "
            f"({len(got)} columns, expected {len(expected)})",
        )
    if extra and not missing:
        return Fault(
            "HEADER_EXTRA_COLUMN",
            1,
            f"header has unexpected extra column(s) {listing(repr(x) for x in extra)} "
            f"({len(got)} columns, expected {len(expected)})",
        )
    if missing or extra:
        return Fault(
            "HEADER_MISMATCH",
            1,
            f"header is missing column(s) {listing(repr(m) for m in missing)} and has "
            f"unexpected column(s) {listing(repr(x) for x in extra)}",
        )
    first = next(i for i, (g, e) in enumerate(zip(got, expected, strict=True)) if g != e)
    return Fault(
        "HEADER_COLUMN_ORDER",
        1,
        f"header columns are out of order: column {first + 1} is {got[first]!r}, "
        f"expected {expected[first]!r}",
    )


def check_file(name: str, data: bytes, table: TableSpec, file_no: int) -> FileCheck:
    """Check one file's bytes against `table`; collect its normalised accepted records."""
    result = FileCheck(name=name, sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    result.table = table
    result.file_no = file_no
    if not data:
        result.fault = Fault(
            "EMPTY_FILE", 1, "file is empty (0 bytes): even an empty month has a header line"
        )
        return result
    text, fault = _decode(data, table)
    if fault is not None or text is None:
        result.fault = fault
        return result
    del data
    lines = text.split("\n")
    del text
    ends_with_newline = lines[-1] == ""
    if ends_with_newline:
        lines.pop()
    header = lines[0][:-1] if lines[0].endswith("\r") else lines[0]
    names, fault = _split_header(header, table)
    if fault is None and names is not None:
        fault = _check_header(names, table)
    if fault is not None:
        result.fault = fault
        return result
    _scan_records(result, lines, ends_with_newline, table)
    return result


def _scan_records(
    result: FileCheck, lines: list[str], ends_with_newline: bool, table: TableSpec
) -> None:
    delimiter, quotechar = table.delimiter, table.quotechar
    ncols = len(table.columns)
    separators = ncols - 1
    n = len(lines)
    result.data_lines = n - 1
    result.max_record_chars = max(map(len, lines)) if lines else 0
    suffix = f"{delimiter}{result.file_no}{delimiter}"
    out: list[str] = []
    append = out.append
    rejected = result.rejected
    rows = 0
    specials = {quotechar, '"', "\x00", "\r"}
    special_re = re.compile("[" + re.escape("".join(sorted(specials))) + "]")
    feed = _Feed(lines, ends_with_newline)
    reader = csv.reader(feed, delimiter=delimiter, quotechar=quotechar, strict=True)

    def reject(index: int, reason: str, detail: str) -> None:
        rejected.append(RejectedLine(index + 1, reason, detail, lines[index]))

    i = 1
    while i < n:
        line = lines[i]
        body = line[:-1] if line.endswith("\r") else line
        if special_re.search(body) is None:
            if body.count(delimiter) == separators and body:
                append(f"{body}{suffix}{i + 1}\n")
                rows += 1
            elif not body.strip():
                reject(i, BLANK, "blank line")
            else:
                count = body.count(delimiter) + 1
                reject(i, FIELD_COUNT, f"{count} fields, expected {ncols}")
            i += 1
            continue
        if "\x00" in body:
            reject(i, CHARACTER, "NUL byte in line")
            i += 1
            continue
        feed.pos = i
        try:
            record = next(reader)
        except csv.Error as exc:
            reason, detail = _csv_error_reason(exc)
            reject(i, reason, detail)
            i += 1
            continue
        except StopIteration:  # pragma: no cover - a non-blank line always yields a record
            reject(i, QUOTING, "unparseable line")
            i += 1
            continue
        if len(record) != ncols:
            reject(i, FIELD_COUNT, f"{len(record)} fields, expected {ncols}")
            i += 1
            continue
        consumed = feed.pos - i
        if consumed > 1 and any("\x00" in value for value in record):
            reject(i, CHARACTER, "NUL byte in a quoted field")
            i += 1
            continue
        if consumed > 1:
            result.max_record_chars = max(
                result.max_record_chars, sum(len(x) + 1 for x in lines[i : feed.pos])
            )
        append(
            delimiter.join([_quote_for_output(v, delimiter) for v in record]) + f"{suffix}{i + 1}\n"
        )
        rows += 1
        i = feed.pos
    result.rows = rows
    result.chunks = out
    if not ends_with_newline and rejected and rejected[-1].line == n:
        last = rejected[-1]
        result.fault = Fault(
            "TRUNCATED_FILE",
            last.line,
            f"file is truncated: the last line has no line end and is malformed ({last.detail})",
        )
        return
    malformed = result.malformed
    if malformed > MALFORMED_MIN_LINES and malformed > MALFORMED_MAX_SHARE * result.data_lines:
        first = next(r for r in rejected if r.reason != BLANK)
        result.fault = Fault(
            "TOO_MANY_MALFORMED_LINES",
            first.line,
            f"{malformed} of {result.data_lines} data lines are malformed (over "
            f"{MALFORMED_MAX_SHARE:.0%}); first at line {first.line}: {first.detail}",
        )
