"""Checks one submitted file against its source spec, in Python, reading it as a stream.

A file passes through here once, block by block (memory stays bounded whatever its size):
decoded in its declared encoding, its header compared with the declared columns, every data line
split and counted, its bytes hashed. The accepted records come out as normalized text (UTF-8, the
table's own delimiter, standard `"` quoting, two extra fields: the file number and the physical
line where the record starts) ready for DuckDB's `read_csv`.

Fault levels:
- file faults (empty, binary, undecodable, wrong delimiter or line ends, header differences, a
  header repeated further down, truncated, a line that never ends, too many malformed lines)
  reject the file and with it the whole submission;
- line faults (wrong field count, broken quoting, stray control characters, blank lines) reject
  only that physical line; it is kept verbatim in `raw_meta.rejected_lines`.

Every physical data line ends up in exactly one place: inside one accepted record (a quoted field
may span lines) or as one rejected line. After a line fault, parsing restarts at the next line.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from cts.manifest import Totals
from cts.specs import TableSpec, normalize_column_name

Writer = Callable[[str], None]

BLOCK_BYTES = 1 << 20  # read this much of a file at a time
SNIFF_BYTES = 1 << 16  # looked at for binary content before decoding
MAX_LINE_CHARS = 16 << 20  # a longer line: not a line-oriented text file
UTF8_BOM = b"\xef\xbb\xbf"
_UNICODE_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)
_BINARY_SIGNATURES = (
    (b"\x1f\x8b", "a gzip archive"),
    (b"PK\x03\x04", "a zip archive (or an .xlsx workbook)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel .xls workbook"),
    (b"%PDF-", "a PDF document"),
    (b"PAR1", "a Parquet file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
)
# C0 control bytes other than tab, line feed, form feed and carriage return, and DEL.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"
_NON_ASCII_RE = re.compile(rb"[\x80-\xff]")

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
    """The outcome of checking one file. Its accepted records went to the check's writer."""

    name: str
    sha256: str | None = None  # None when the check stopped before the end of the file
    size: int = 0  # bytes read
    table: TableSpec | None = None
    file_no: int = 0
    data_lines: int = 0
    rows: int = 0
    chunks: list[str] = field(default_factory=list)  # the records, from `check_file` only
    rejected: list[RejectedLine] = field(default_factory=list)
    max_record_chars: int = 0
    fault: Fault | None = None

    @property
    def malformed(self) -> int:
        return sum(1 for r in self.rejected if r.reason != BLANK)

    @property
    def complete(self) -> bool:
        """Whether the whole file was read (its sha256, size and data lines are known)."""
        return self.sha256 is not None


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


def _split_header(header: str, table: TableSpec) -> tuple[list[str] | None, Fault | None]:
    if table.quotechar not in header:
        return header.split(table.delimiter), None
    reader = csv.reader([header], delimiter=table.delimiter, quotechar=table.quotechar, strict=True)
    try:
        return next(reader), None
    except (csv.Error, StopIteration) as exc:
        return None, Fault("HEADER_QUOTING", 1, f"header line has broken quoting ({exc})")


def _one_field_header(header: str, table: TableSpec) -> Fault:
    """The fault of a header that is one field where the table has several: empty, or split
    by another delimiter."""
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
        f"header is one field, expected {len(table.columns)} columns separated by "
        f"{delimiter_name(table.delimiter)}",
    )


def _check_header(raw_names: list[str], table: TableSpec) -> Fault | None:
    expected = list(table.columns)
    if len(raw_names) == 1 and len(expected) > 1:
        return _one_field_header(raw_names[0], table)
    got = [normalize_column_name(name) for name in raw_names]
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


# ----------------------------------------------------------------------------- the stream


def _sniff(head: bytes, table: TableSpec) -> Fault | None:
    """Faults visible in the first bytes: another Unicode form, a known binary format, or
    bytes that are mostly control characters."""
    for bom, form in _UNICODE_BOMS:
        if head.startswith(bom):
            return Fault(
                "ENCODING",
                1,
                f"file is {form} encoded (byte-order mark {bom.hex(' ').upper()}); "
                f"the file must be encoded as {table.encoding}",
            )
    for signature, kind in _BINARY_SIGNATURES:
        if head.startswith(signature):
            return Fault("BINARY_FILE", 1, f"not a text file: it is {kind}; send the plain file")
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if controls >= 4 and controls * 20 > len(head):
        return Fault(
            "BINARY_FILE",
            1,
            f"not a text file: {controls:,} of its first {len(head):,} bytes are control "
            "characters",
        )
    return None


class _Scan:
    """The line-by-line part of a check, fed batches of complete lines in file order.

    A record whose quoted field runs past the end of a batch is carried into the next batch
    (`pending`), so records never depend on where the blocks of the file were cut.
    """

    def __init__(self, result: FileCheck, table: TableSpec, write: Writer) -> None:
        self.result = result
        self.table = table
        self.write = write
        self.ncols = len(table.columns)
        self.suffix = f"{table.delimiter}{result.file_no}{table.delimiter}"
        specials = "".join(sorted({table.quotechar, '"', "\x00", "\r"}))
        self.special_re = re.compile("[" + re.escape(specials) + "]")
        self.header: str | None = None
        self.pending: list[str] = []
        self.base = 0  # 0-based index in the file of the next batch's first line
        self.last_has_newline = True

    def feed(self, lines: list[str], final: bool, last_has_newline: bool = True) -> bool:
        """Check a batch of lines; False once the file has a fault (stop reading)."""
        self.last_has_newline = last_has_newline
        if self.pending:
            lines = self.pending + lines
            self.pending = []
        start = 0
        if self.header is None and lines:
            if not self._header(lines[0]):
                return False
            start = 1
        if lines:
            self.result.max_record_chars = max(self.result.max_record_chars, *map(len, lines))
        done = self._records(lines, start, final, last_has_newline)
        self.pending = lines[done:]
        self.base += done
        if final:
            self._finish()
        return self.result.fault is None

    def _header(self, line: str) -> bool:
        header = line[:-1] if line.endswith("\r") else line
        if "\r" in header:
            self.result.fault = _bare_cr_fault()
            return False
        names, fault = _split_header(header, self.table)
        if fault is None and names is not None:
            fault = _check_header(names, self.table)
        self.result.fault = fault
        self.header = header
        return fault is None

    def _records(self, lines: list[str], i: int, final: bool, last_has_newline: bool) -> int:
        """Check lines[i:]; returns the index of the first line not consumed."""
        delimiter, suffix, ncols = self.table.delimiter, self.suffix, self.ncols
        separators = ncols - 1
        header, base, special_re = self.header, self.base, self.special_re
        n = len(lines)
        out: list[str] = []
        append = out.append
        rejected = self.result.rejected
        feed = _Feed(lines, last_has_newline or not final)
        reader = csv.reader(feed, delimiter=delimiter, quotechar=self.table.quotechar, strict=True)

        def reject(index: int, reason: str, detail: str) -> None:
            rejected.append(RejectedLine(base + index + 1, reason, detail, lines[index]))

        while i < n:
            line = lines[i]
            body = line[:-1] if line.endswith("\r") else line
            if body == header:
                self.result.fault = Fault(
                    "HEADER_REPEATED",
                    base + i + 1,
                    "repeats the header line (two extracts joined into one file?)",
                )
                break
            if special_re.search(body) is None:
                if body.count(delimiter) == separators and body:
                    append(f"{body}{suffix}{base + i + 1}\n")
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
            following = self._quoted(reader, feed, lines, i, final, append, reject)
            if following is None:
                break  # a quoted field goes on in the next block
            i = following
        if out:
            self.write("".join(out))
            self.result.rows += len(out)
        return i

    def _quoted(
        self,
        reader: Iterator[list[str]],
        feed: _Feed,
        lines: list[str],
        i: int,
        final: bool,
        append: Callable[[str], None],
        reject: Callable[[int, str, str], None],
    ) -> int | None:
        """A line with a quote or a carriage return, parsed by the csv module (a quoted field
        may hold line ends): the index of the line after its record, or None when the record
        goes on in the next block. The fast path of `_records` handles every other line."""
        feed.pos = i
        try:
            record = next(reader)
        except csv.Error as exc:
            if not final and "unexpected end of data" in str(exc):
                return None
            reason, detail = _csv_error_reason(exc)
            reject(i, reason, detail)
            return i + 1
        except StopIteration:  # pragma: no cover - a non-blank line always yields a record
            reject(i, QUOTING, "unparseable line")
            return i + 1
        if len(record) != self.ncols:
            reject(i, FIELD_COUNT, f"{len(record)} fields, expected {self.ncols}")
            return i + 1
        consumed = feed.pos - i
        if consumed > 1 and any("\x00" in value for value in record):
            reject(i, CHARACTER, "NUL byte in a quoted field")
            return i + 1
        if consumed > 1:
            self.result.max_record_chars = max(
                self.result.max_record_chars, sum(len(x) + 1 for x in lines[i : feed.pos])
            )
        delimiter = self.table.delimiter
        fields = delimiter.join([_quote_for_output(v, delimiter) for v in record])
        append(f"{fields}{self.suffix}{self.base + i + 1}\n")
        return feed.pos

    def _finish(self) -> None:
        result = self.result
        physical = self.base + len(self.pending)
        if result.fault is not None:
            return
        if self.header is None:
            result.fault = Fault("HEADER_EMPTY", 1, "file has no header line")
            return
        result.data_lines = max(physical - 1, 0)
        rejected = result.rejected
        if not self.last_has_newline and rejected and rejected[-1].line == physical:
            last = rejected[-1]
            result.fault = Fault(
                "TRUNCATED_FILE",
                last.line,
                f"file is truncated: the last line has no line end and is malformed "
                f"({last.detail})",
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


def _bare_cr_fault() -> Fault:
    return Fault(
        "LINE_ENDINGS",
        1,
        "lines end with a bare carriage return (CR): line ends must be LF or CRLF",
    )


def _discard(_text: str) -> None:
    return None


def check_stream(
    name: str,
    source: BinaryIO,
    table: TableSpec,
    file_no: int,
    write: Writer | None = None,
    block_bytes: int = BLOCK_BYTES,
) -> FileCheck:
    """Check a file read from `source` block by block against `table`.

    The accepted records, normalized, are passed to `write` as they are found (a rejected file
    may already have written some: the caller discards them). Memory stays bounded whatever the
    file's size: one block, plus the lines of a record still open at its end.
    """
    result = FileCheck(name=name, table=table, file_no=file_no)
    totals = Totals()
    head = source.read(SNIFF_BYTES)
    totals.update(head)
    if not head:
        result.sha256, result.size = totals.digest.hexdigest(), 0
        result.fault = Fault(
            "EMPTY_FILE", 1, "file is empty (0 bytes): even an empty month has a header line"
        )
        return result
    result.fault = _sniff(head, table)
    if result.fault is not None:
        return result
    if table.encoding == "utf-8" and head.startswith(UTF8_BOM):
        head = head[len(UTF8_BOM) :]
    decoding = _Decoding(table.encoding)
    scan = _Scan(result, table, write or _discard)
    if not _scan_blocks(_blocks(head, source, totals, block_bytes), decoding, scan):
        return result
    result.sha256, result.size = totals.digest.hexdigest(), totals.size
    if result.fault is None:
        result.fault = decoding.sent_as_utf8()
    return result


def _blocks(head: bytes, source: BinaryIO, totals: Totals, block_bytes: int) -> Iterator[bytes]:
    """The file's blocks: the head already read, then the rest, counted into `totals`."""
    for start in range(0, len(head), block_bytes):
        yield head[start : start + block_bytes]
    while block := source.read(block_bytes):
        totals.update(block)
        yield block


def _scan_blocks(blocks: Iterator[bytes], decoding: _Decoding, scan: _Scan) -> bool:
    """Decode the blocks and feed their complete lines to `scan`; False when the file has a
    fault and reading stopped early (the fault is in the scan's result)."""
    result = scan.result
    partial = ""
    for block in blocks:
        text, fault = decoding.decode(block)
        parts = (partial + text).split("\n")
        partial = parts.pop()
        if parts and not scan.feed(parts, final=False):
            return False
        if fault is not None:
            result.fault = fault
            return False
        if len(partial) > MAX_LINE_CHARS:
            line = scan.base + len(scan.pending) + 1
            result.fault = _bare_cr_fault() if "\r" in partial[:-1] else _long_line_fault(line)
            return False
    rest, fault = decoding.finish()
    if fault is not None:
        result.fault = fault
        return False
    partial += rest
    scan.feed([partial] if partial else [], final=True, last_has_newline=partial == "")
    return True


class _Decoding:
    """A file's text, decoded block by block in its declared encoding.

    A file declared in another encoding that is valid UTF-8 with non-ASCII text was sent as
    UTF-8 by mistake: it is probed alongside, and judged at the end (`sent_as_utf8`).
    """

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.decoder = codecs.getincrementaldecoder(encoding)()
        self.probe = codecs.getincrementaldecoder("utf-8")() if encoding != "utf-8" else None
        self.first_non_ascii: int | None = None
        self.newlines = 0  # line ends in the bytes decoded so far

    def decode(self, block: bytes) -> tuple[str, Fault | None]:
        """The block's text, up to a byte it cannot decode (then also the fault: the lines
        before the bad byte are still checked)."""
        try:
            text = self.decoder.decode(block)
        except UnicodeDecodeError as exc:
            return exc.object[: exc.start].decode(self.encoding), self._fault(exc)
        if self.probe is not None:
            if self.first_non_ascii is None and not block.isascii():
                position = _NON_ASCII_RE.search(block).start()  # type: ignore[union-attr]
                self.first_non_ascii = self.newlines + block.count(b"\n", 0, position) + 1
            try:
                self.probe.decode(block)
            except UnicodeDecodeError:
                self.probe = None
        self.newlines += block.count(b"\n")
        return text, None

    def finish(self) -> tuple[str, Fault | None]:
        """What the decoder still holds at the end of the file."""
        try:
            return self.decoder.decode(b"", final=True), None
        except UnicodeDecodeError as exc:
            return "", self._fault(exc)

    def sent_as_utf8(self) -> Fault | None:
        """The fault of a file declared in another encoding but sent as UTF-8, if it is one."""
        if self.probe is None or self.first_non_ascii is None:
            return None
        try:
            self.probe.decode(b"", final=True)
        except UnicodeDecodeError:
            return None
        return Fault(
            "ENCODING",
            self.first_non_ascii,
            f"file is UTF-8 encoded but declared {self.encoding} (first non-ASCII text at line "
            f"{self.first_non_ascii}); send it as {self.encoding}",
        )

    def _fault(self, exc: UnicodeDecodeError) -> Fault:
        line = self.newlines + exc.object.count(b"\n", 0, exc.start) + 1
        bad = exc.object[exc.start : exc.start + 1].hex()
        return Fault(
            "ENCODING",
            line,
            f"not valid {self.encoding} (byte 0x{bad} at line {line}); "
            f"the file must be encoded as {self.encoding}",
        )


def _long_line_fault(line: int) -> Fault:
    return Fault(
        "LINE_TOO_LONG",
        line,
        f"runs over {MAX_LINE_CHARS:,} characters without a line end: not a line-oriented "
        "text file",
    )


def check_file(name: str, data: bytes, table: TableSpec, file_no: int) -> FileCheck:
    """`check_stream` on bytes in memory; the accepted records are kept in `chunks`."""
    chunks: list[str] = []
    result = check_stream(name, io.BytesIO(data), table, file_no, chunks.append)
    result.chunks = chunks
    result.sha256, result.size = hashlib.sha256(data).hexdigest(), len(data)
    return result
