"""Submission manifests: the sending agency's control totals for one submission folder.

A manifest is `manifest.json` inside the submission folder (`<AGENCY>/<YYYY-MM>/r<N>/`), written
by the agency after its extract and listing every file of the submission:

    {
      "manifest_version": 1,
      "agency": "SUF", "period": "2019-03", "revision": 1,
      "files": [
        {"name": "inmates.csv", "bytes": 52311, "rows": 410, "sha256": "9f86d0…"},
        …
      ]
    }

`bytes` is the file's size, `sha256` the hex SHA-256 of its bytes and `rows` its data lines: the
physical lines after the header line, a last line without a line end included (`wc -l` minus one
for a file that ends with a line end). `agency`, `period` and `revision` are optional; when given
they must name the folder the manifest sits in. The format is documented in docs/layouts.md.

`python -m cts.manifest FOLDER…` writes the manifest of each submission folder given.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
MAX_MANIFEST_BYTES = 1 << 20
BLOCK_BYTES = 1 << 20
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


class ManifestError(ValueError):
    """A manifest that cannot be used; its message is one line."""


@dataclass(frozen=True)
class FileTotals:
    """What a manifest says about one file (or what a file turned out to hold)."""

    name: str
    bytes: int
    rows: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    files: dict[str, FileTotals]
    agency: str | None = None
    period: str | None = None
    revision: int | None = None

    def names_other_folder(self, agency: str, period: str, revision: int | None) -> str | None:
        """The submission the manifest says it belongs to, if that is not this folder."""
        said = (self.agency or agency, self.period or period, self.revision or revision)
        if said == (agency, period, revision):
            return None
        return f"{said[0]}/{said[1]}/r{said[2]}"


class Totals:
    """Byte count, SHA-256 and line count of a stream fed block by block."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.size = 0
        self.newlines = 0
        self.last_byte = b""

    def update(self, block: bytes) -> None:
        if block:
            self.digest.update(block)
            self.size += len(block)
            self.newlines += block.count(b"\n")
            self.last_byte = block[-1:]

    @property
    def data_lines(self) -> int:
        physical = self.newlines + (1 if self.size and self.last_byte != b"\n" else 0)
        return max(physical - 1, 0)

    def totals(self, name: str) -> FileTotals:
        return FileTotals(name, self.size, self.data_lines, self.digest.hexdigest())


def describe_bytes(name: str, data: bytes) -> FileTotals:
    totals = Totals()
    totals.update(data)
    return totals.totals(name)


def describe_file(path: Path) -> FileTotals:
    """The totals of one file, read in blocks (memory stays bounded for any size)."""
    totals = Totals()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(BLOCK_BYTES), b""):
            totals.update(block)
    return totals.totals(Path(path).name)


def manifest_document(
    files: Iterable[FileTotals],
    agency: str | None = None,
    period: str | None = None,
    revision: int | None = None,
) -> dict:
    document: dict = {"manifest_version": MANIFEST_VERSION}
    for key, value in (("agency", agency), ("period", period), ("revision", revision)):
        if value is not None:
            document[key] = value
    document["files"] = [asdict(f) for f in sorted(files, key=lambda f: f.name)]
    return document


def write_manifest(
    folder: Path,
    files: Iterable[FileTotals],
    agency: str | None = None,
    period: str | None = None,
    revision: int | None = None,
) -> Path:
    path = Path(folder) / MANIFEST_NAME
    document = manifest_document(files, agency, period, revision)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return path


def _folder_identity(folder: Path) -> tuple[str | None, str | None, int | None]:
    revision = re.fullmatch(r"r([1-9][0-9]?)", folder.name)
    if not revision:
        return None, None, None
    return folder.parent.parent.name, folder.parent.name, int(revision.group(1))


def write_folder_manifest(folder: Path) -> Path:
    """Describe every file of a submission folder (but an old manifest) and write its manifest."""
    folder = Path(folder)
    names = sorted(p for p in folder.iterdir() if p.is_file() and p.name != MANIFEST_NAME)
    files = [describe_file(p) for p in names]
    return write_manifest(folder, files, *_folder_identity(folder))


def _number(entry: dict, key: str, where: str) -> int:
    value = entry.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ManifestError(f"{where}: {key!r} must be a whole number >= 0, not {value!r}")
    return value


def parse_manifest(text: str) -> Manifest:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ManifestError(
            f"{MANIFEST_NAME} is not valid JSON (line {exc.lineno}: {exc.msg})"
        ) from None
    if not isinstance(document, dict) or not isinstance(document.get("files"), list):
        raise ManifestError(f"{MANIFEST_NAME} must be a JSON object with a 'files' list")
    version = document.get("manifest_version", MANIFEST_VERSION)
    if version != MANIFEST_VERSION:
        raise ManifestError(
            f"{MANIFEST_NAME}: manifest_version {version!r} is not supported "
            f"(expected {MANIFEST_VERSION})"
        )
    files: dict[str, FileTotals] = {}
    for index, entry in enumerate(document["files"], start=1):
        where = f"{MANIFEST_NAME} file #{index}"
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise ManifestError(f"{where}: must be an object with a 'name'")
        name = entry["name"]
        if not name or "/" in name or "\\" in name or name == MANIFEST_NAME:
            raise ManifestError(f"{where}: {name!r} is not a file name of the submission")
        if name in files:
            raise ManifestError(f"{MANIFEST_NAME} lists {name} twice")
        sha = str(entry.get("sha256", "")).lower()
        if not _SHA256_RE.match(sha):
            raise ManifestError(f"{where} ({name}): 'sha256' must be 64 hex digits")
        where = f"{where} ({name})"
        files[name] = FileTotals(
            name, _number(entry, "bytes", where), _number(entry, "rows", where), sha
        )
    revision = document.get("revision")
    if revision is not None and (isinstance(revision, bool) or not isinstance(revision, int)):
        raise ManifestError(f"{MANIFEST_NAME}: 'revision' must be a number, not {revision!r}")
    agency, period = document.get("agency"), document.get("period")
    return Manifest(
        files,
        str(agency) if agency is not None else None,
        str(period) if period is not None else None,
        revision,
    )


def read_manifest(path: Path) -> Manifest:
    """Read and check a manifest's form (not yet the files it lists)."""
    path = Path(path)
    if not path.is_file():
        raise ManifestError(f"{MANIFEST_NAME} is not a file")
    if path.stat().st_size > MAX_MANIFEST_BYTES:
        raise ManifestError(f"{MANIFEST_NAME} is larger than {MAX_MANIFEST_BYTES:,} bytes")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ManifestError(f"{MANIFEST_NAME} is not UTF-8 text") from None
    return parse_manifest(text)


def main(argv: list[str] | None = None) -> int:
    folders = sys.argv[1:] if argv is None else argv
    if not folders:
        print("usage: python -m cts.manifest SUBMISSION_FOLDER...", file=sys.stderr)
        return 2
    for folder in folders:
        if not Path(folder).is_dir():
            print(f"error: {folder}: not a folder", file=sys.stderr)
            return 1
        print(write_folder_manifest(Path(folder)))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
