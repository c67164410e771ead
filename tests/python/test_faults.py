"""The fault corpus (issue 18): ways a submission goes wrong, each driven through the CLI.

Every case starts from a small work dir whose warehouse already holds SUF 2019-02 r1, offers
something (a new submission, a changed one, a strange file), then runs `cts validate` and
`cts load` in-process. Each case asserts its own exit code and its one line (or the rows it
loads), that `cts validate` said the same without touching the warehouse file, and that a
rejected submission changed nothing in the warehouse but the ledger.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import random
import shutil
import tracemalloc
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from cts.cli import cli
from cts.manifest import MANIFEST_NAME, describe_bytes, write_folder_manifest, write_manifest
from cts.preflight import SNIFF_BYTES, check_stream
from cts.specs import load_source_specs
from submission_kit import (
    PROJECT,
    REPO,
    SUF_HEADERS,
    copy_warehouse,
    one_error_line,
    query,
    snapshot,
    suf_files,
    write_submission,
    zone_files,
)

NEW = "SUF/2019-03/r9"
LOADED = "SUF/2019-02/r1"
LEDGER = "raw_meta.load_ledger"
EXPECTED_FILES = "expected files: inmates.csv, bookings.csv, programs.csv, enrollments.csv"


@dataclass
class Site:
    """A work dir and its data dir (`<root>/data/submissions/…`), driven by `cts`."""

    root: Path
    project: Path = PROJECT

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def workdir(self) -> Path:
        return self.root / "work"

    @property
    def warehouse(self) -> Path:
        return self.workdir / "warehouse.duckdb"

    def folder(self, sid: str) -> Path:
        return self.data / "submissions" / sid

    def cts(self, *args: str):
        command = ["--project-dir", str(self.project), "--workdir", str(self.workdir), *args]
        return CliRunner().invoke(cli, [str(a) for a in command])

    def offer(
        self,
        files: dict[str, bytes],
        sid: str = NEW,
        manifest: bool = True,
        after: Callable[[Path], None] | None = None,
    ) -> Path:
        """Write a submission as its agency would (manifest of the files as written), then let
        `after` damage it (in transit, after the manifest was written)."""
        agency, period, revision = sid.split("/")
        folder = write_submission(self.data, agency, period, revision, files)
        if manifest:
            totals = [describe_bytes(name, data) for name, data in files.items()]
            number = int(revision[1:]) if revision[1:].isdigit() else None
            write_manifest(folder, totals, agency, period, number)
        if after:
            after(folder)
        return folder

    def require_manifest(self, agency_folder: str) -> None:
        """Use a copy of the fixture project where this agency must send a manifest."""
        self.project = self.root / "project"
        shutil.copytree(PROJECT, self.project)
        path = self.project / "models" / "staging" / agency_folder
        sources = next(path.glob("_*__sources.yml"))
        text = sources.read_text()
        sources.write_text(text.replace("layout: enroll}", "layout: enroll, manifest: required}"))


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A work dir with SUF 2019-02 r1 (and its manifest) loaded, copied by every case."""
    site = Site(tmp_path_factory.mktemp("base"))
    site.offer(suf_files(5), sid=LOADED)
    result = site.cts("load", site.data)
    assert result.exit_code == 0, result.output
    return site.root


@pytest.fixture
def site(base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Site:
    monkeypatch.delenv("CTS_WORKDIR", raising=False)
    shutil.copytree(base, tmp_path / "site", symlinks=True)
    return Site(tmp_path / "site")


def _file_hash(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def _summary(result) -> dict:
    return json.loads(result.stdout)


def _validate_then_load(site: Site, target: Path, code: int) -> dict:
    """`cts validate` then `cts load` on `target`: both exit `code` and say the same."""
    warehouse_bytes = _file_hash(site.warehouse)
    zone_before = zone_files(site.workdir / "raw")
    checked = site.cts("validate", target, "--json")
    assert checked.exit_code == code, checked.output
    assert "Traceback" not in checked.output
    assert _file_hash(site.warehouse) == warehouse_bytes, "cts validate changed the warehouse"
    assert zone_files(site.workdir / "raw") == zone_before, "cts validate changed the raw zone"
    loaded = site.cts("load", target, "--json")
    assert loaded.exit_code == code, loaded.output
    assert "Traceback" not in loaded.output
    summary, dry = _summary(loaded), _summary(checked)
    assert summary["exit_code"] == dry["exit_code"] == code
    for key in ("accepted", "rejected"):
        assert [s["submission_id"] for s in summary[key]] == [s["submission_id"] for s in dry[key]]
    assert [s["reasons"] for s in summary["rejected"]] == [s["reasons"] for s in dry["rejected"]]
    return {"summary": summary, "result": loaded}


# ----------------------------------------------------------------------------- rejections


def _replace(name: str, data: bytes) -> Callable[[dict[str, bytes]], None]:
    return lambda files: files.__setitem__(name, data)


def _header(name: str, header: str) -> Callable[[dict[str, bytes]], None]:
    def mutate(files: dict[str, bytes]) -> None:
        files[name] = header.encode() + files[name][files[name].index(b"\n") :]

    return mutate


def _edit(name: str, edit: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    return lambda folder: (folder / name).write_bytes(edit((folder / name).read_bytes()))


def _edit_manifest(change: Callable[[dict], None]) -> Callable[[Path], None]:
    def after(folder: Path) -> None:
        document = json.loads((folder / MANIFEST_NAME).read_text())
        change(document)
        (folder / MANIFEST_NAME).write_text(json.dumps(document))

    return after


def _manifest_entry(document: dict, name: str) -> dict:
    return next(f for f in document["files"] if f["name"] == name)


def _random_bytes(size: int) -> bytes:
    return random.Random(18).randbytes(size)


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def _outside_link(name: str, target: str = "elsewhere.csv") -> Callable[[Path], None]:
    """Replace a file of the folder with a symbolic link to a file outside the submissions."""

    def after(folder: Path) -> None:
        outside = folder.parents[4] / "outside"
        outside.mkdir(exist_ok=True)
        (outside / target).write_bytes((folder / name).read_bytes())
        (folder / name).unlink()
        (folder / name).symlink_to(outside / target)

    return after


def _broken_link(name: str) -> Callable[[Path], None]:
    def after(folder: Path) -> None:
        (folder / name).unlink()
        (folder / name).symlink_to(folder / "gone.csv")

    return after


def _ess_files(people_row: str) -> dict[str, bytes]:
    headers = {
        "inmates.txt": "INMATE_NUM\tSID_NUM\tLAST_NAME\tFIRST_NAME\tMIDDLE_NAME\tDOB\tSEX\tRACE"
        "\tETHNIC",
        "bookings.txt": "BOOKING_NUM\tINMATE_NUM\tFACILITY\tBOOK_DATE\tREL_DATE\tLEGAL_STATUS"
        "\tREL_REASON",
        "programs.txt": "PROGRAM_ID\tPROGRAM_NAME\tPROGRAM_TYPE\tFACILITY",
        "enrollments.txt": "ENROLL_ID\tBOOKING_NUM\tPROGRAM_ID\tSTART_DT\tEND_DT\tEXIT_REASON",
    }
    files = {name: (header + "\r\n").encode("cp1252") for name, header in headers.items()}
    files["inmates.txt"] += (people_row + "\r\n").encode("utf-8")
    return files


MANY_BAD = (
    SUF_HEADERS["inmates.csv"] + "\n" + "I1,2,3\n" * 4 + "I2,1,a,b,,c,M,W,N\n" * 20
).encode()


@dataclass(frozen=True)
class Rejection:
    """One fault: how to make it, the exit code, and the start of its one line."""

    arrange: Callable[[Site], Path]
    code: int
    text: str
    sid: str = NEW


def new(
    before: Callable[[dict[str, bytes]], None] | None = None,
    after: Callable[[Path], None] | None = None,
    sid: str = NEW,
    manifest: bool = True,
    alone: bool = False,
) -> Callable[[Site], Path]:
    """Offer a new submission made by `before` (the agency's own mistake, in its manifest)
    and damaged by `after`; load the whole data dir, or with `alone` only that folder."""

    def arrange(site: Site) -> Path:
        files = suf_files(5, offset=50)
        if before:
            before(files)
        folder = site.offer(files, sid, manifest, after)
        return folder if alone else site.data

    return arrange


def loaded(after: Callable[[Path], None]) -> Callable[[Site], Path]:
    """Change the loaded submission in place."""

    def arrange(site: Site) -> Path:
        after(site.folder(LOADED))
        return site.data

    return arrange


def _duplicate(site: Site) -> Path:
    site.offer(suf_files(5), sid="SUF/2019-02/r2")
    return site.data


def _other_manifest(site: Site) -> Path:
    folder = site.offer(suf_files(5, offset=50))
    shutil.copyfile(site.folder(LOADED) / MANIFEST_NAME, folder / MANIFEST_NAME)
    return site.data


def _required_manifest_missing(site: Site) -> Path:
    site.require_manifest("suf")
    site.offer(suf_files(5, offset=50), manifest=False)
    return site.data


def _symlinked_folder(site: Site) -> Path:
    outside = site.root / "outside" / "r9"
    outside.mkdir(parents=True)
    for name, data in suf_files(5, offset=50).items():
        (outside / name).write_bytes(data)
    site.folder(NEW).parent.mkdir(parents=True)
    site.folder(NEW).symlink_to(outside, target_is_directory=True)
    return site.data


def _utf8_declared_cp1252(site: Site) -> Path:
    site.offer(_ess_files("1\t2\tMüller\tJosé\t\t03-JAN-1980\tM\tW\tHISP"), sid="ESS/2019-03/r9")
    return site.data


def _ascii_cr(data: bytes) -> bytes:
    return data.replace(b"\n", b"\r")


REJECTIONS: dict[str, Rejection] = {
    "empty_file": Rejection(
        new(_replace("bookings.csv", b"")),
        4,
        "SUF 2019-03 r9 bookings.csv line 1: file is empty (0 bytes): even an empty month has a "
        "header line",
    ),
    "empty_file_offered_alone": Rejection(
        new(_replace("bookings.csv", b""), alone=True),
        5,
        "SUF 2019-03 r9 bookings.csv line 1: file is empty (0 bytes)",
    ),
    "cut_mid_line": Rejection(
        new(lambda f: f.__setitem__("inmates.csv", f["inmates.csv"][:-20])),
        4,
        "SUF 2019-03 r9 inmates.csv line 6: file is truncated: the last line has no line end "
        "and is malformed (4 fields, expected 9)",
    ),
    "cut_at_a_line_boundary": Rejection(
        new(after=_edit("enrollments.csv", lambda d: b"".join(d.splitlines(True)[:3]))),
        4,
        "SUF 2019-03 r9 enrollments.csv: file is shorter than its manifest says (148 bytes, "
        "the manifest says 265): truncated or not fully copied",
    ),
    "appended_after_manifest": Rejection(
        new(after=_edit("enrollments.csv", lambda d: d + b"E9,B9,P1,2019-03-09,,Completed\n")),
        4,
        "SUF 2019-03 r9 enrollments.csv: file is longer than its manifest says (296 bytes, the "
        "manifest says 265): changed after the manifest was written",
    ),
    "changed_after_manifest": Rejection(
        new(after=_edit("inmates.csv", lambda d: d.replace(b"Ann", b"Amy", 1))),
        4,
        "SUF 2019-03 r9 inmates.csv: content differs from its manifest (sha256 ",
    ),
    "manifest_counts_wrong": Rejection(
        new(after=_edit_manifest(lambda m: _manifest_entry(m, "programs.csv").update(rows=4))),
        4,
        "SUF 2019-03 r9 programs.csv: file has 3 data lines, its manifest says 4: lines lost or "
        "added",
    ),
    "manifest_lists_a_file_not_sent": Rejection(
        new(
            after=_edit_manifest(
                lambda m: m["files"].append(
                    {"name": "notes.txt", "bytes": 1, "rows": 0, "sha256": "0" * 64}
                )
            )
        ),
        4,
        "SUF 2019-03 r9 notes.txt: manifest.json lists notes.txt, not in the folder",
    ),
    "file_not_in_manifest": Rejection(
        new(after=_edit_manifest(lambda m: m["files"].remove(_manifest_entry(m, "inmates.csv")))),
        4,
        "SUF 2019-03 r9 inmates.csv: inmates.csv is not listed in manifest.json",
    ),
    "manifest_not_json": Rejection(
        new(after=lambda folder: (folder / MANIFEST_NAME).write_text("{files: [")),
        4,
        "SUF 2019-03 r9 manifest.json: manifest.json is not valid JSON (line 1: Expecting "
        "property name enclosed in double quotes)",
    ),
    "manifest_of_another_submission": Rejection(
        _other_manifest,
        4,
        "SUF 2019-03 r9 manifest.json: manifest.json is the manifest of SUF/2019-02/r1, not of "
        "this submission",
    ),
    "manifest_required_but_missing": Rejection(
        _required_manifest_missing,
        4,
        "SUF 2019-03 r9 manifest.json: no manifest.json: agency SUF must send one "
        "(meta.manifest: required in _suf__sources.yml)",
    ),
    "column_missing": Rejection(
        new(_header("enrollments.csv", "enrollment_id,booking_no,program_code,start_date")),
        4,
        "SUF 2019-03 r9 enrollments.csv line 1: header is missing column(s) 'end_date', "
        "'exit_reason' (4 columns, expected 6)",
    ),
    "column_renamed": Rejection(
        new(
            _header(
                "enrollments.csv",
                "enrollment_id,booking_no,prog_code,start_date,end_date,exit_reason",
            )
        ),
        4,
        "SUF 2019-03 r9 enrollments.csv line 1: header column 3 is 'prog_code', expected "
        "'program_code'",
    ),
    "binary_garbage": Rejection(
        new(_replace("inmates.csv", _random_bytes(4096))),
        4,
        "SUF 2019-03 r9 inmates.csv line 1: not a text file: ",
    ),
    "gzip_sent_as_csv": Rejection(
        new(lambda f: f.__setitem__("inmates.csv", gzip.compress(f["inmates.csv"], mtime=0))),
        4,
        "SUF 2019-03 r9 inmates.csv line 1: not a text file: it is a gzip archive; send the "
        "plain file",
    ),
    "workbook_sent_as_csv": Rejection(
        new(_replace("programs.csv", _xlsx())),
        4,
        "SUF 2019-03 r9 programs.csv line 1: not a text file: it is a zip archive (or an .xlsx "
        "workbook); send the plain file",
    ),
    "loaded_file_overwritten": Rejection(
        loaded(lambda folder: (folder / "inmates.csv").write_bytes(suf_files(6)["inmates.csv"])),
        5,
        "SUF 2019-02 r1: already loaded with different content; send it as a new revision "
        "(differs: inmates.csv)",
        sid=LOADED,
    ),
    "loaded_file_changed_in_place": Rejection(
        loaded(_edit("bookings.csv", lambda d: d.replace(b"SENTENCED", b"PRETRIAL ", 1))),
        5,
        "SUF 2019-02 r1: already loaded with different content; send it as a new revision "
        "(differs: bookings.csv)",
        sid=LOADED,
    ),
    "duplicate_under_a_new_revision": Rejection(
        _duplicate,
        4,
        "SUF 2019-02 r2: same files as SUF/2019-02/r1, the month's latest loaded revision: a "
        "new revision must correct something (nothing to load)",
        sid="SUF/2019-02/r2",
    ),
    "month_outside_the_window": Rejection(
        new(sid="SUF/2016-12/r9"),
        4,
        "SUF 2016-12 r9: period '2016-12' is not a month YYYY-MM in 2017-01..2025-12",
        sid="SUF/2016-12/r9",
    ),
    "unknown_agency_folder": Rejection(
        new(sid="XYZ/2019-03/r9"),
        4,
        "XYZ 2019-03 r9: unknown agency 'XYZ' (no models/staging/xyz/_xyz__sources.yml declares "
        "it)",
        sid="XYZ/2019-03/r9",
    ),
    "revision_folder_misnamed": Rejection(
        new(sid="SUF/2019-03/rev2", manifest=False),
        4,
        "SUF 2019-03 rev2: revision folder 'rev2' is not r1..r99",
        sid="SUF/2019-03/rev2",
    ),
    "bare_cr_line_ends": Rejection(
        new(lambda f: f.__setitem__("inmates.csv", _ascii_cr(f["inmates.csv"]))),
        4,
        "SUF 2019-03 r9 inmates.csv line 1: lines end with a bare carriage return (CR): line "
        "ends must be LF or CRLF",
    ),
    "cp1252_declared_utf8": Rejection(
        new(
            _replace(
                "inmates.csv",
                (SUF_HEADERS["inmates.csv"] + "\nI1,2,Müller,A,,x,M,W,N\n").encode("cp1252"),
            )
        ),
        4,
        "SUF 2019-03 r9 inmates.csv line 2: not valid utf-8 (byte 0xfc at line 2); the file "
        "must be encoded as utf-8",
    ),
    "utf8_declared_cp1252": Rejection(
        _utf8_declared_cp1252,
        4,
        "ESS 2019-03 r9 inmates.txt line 2: file is UTF-8 encoded but declared cp1252 (first "
        "non-ASCII text at line 2); send it as cp1252",
        sid="ESS/2019-03/r9",
    ),
    "utf16_file": Rejection(
        new(lambda f: f.__setitem__("inmates.csv", f["inmates.csv"].decode().encode("utf-16"))),
        4,
        "SUF 2019-03 r9 inmates.csv line 1: file is UTF-16 encoded (byte-order mark FF FE); "
        "the file must be encoded as utf-8",
    ),
    "header_repeated_mid_file": Rejection(
        new(
            lambda f: f.__setitem__(
                "inmates.csv", f["inmates.csv"] + f["inmates.csv"].replace(b"I0005", b"I0105")
            )
        ),
        4,
        "SUF 2019-03 r9 inmates.csv line 7: repeats the header line (two extracts joined into "
        "one file?)",
    ),
    "missing_file": Rejection(
        new(lambda f: f.pop("programs.csv")),
        4,
        "SUF 2019-03 r9 programs.csv: missing file programs.csv",
    ),
    "unexpected_file_with_a_non_ascii_name": Rejection(
        new(_replace("notes é.txt", b"hello\n")),
        4,
        f"SUF 2019-03 r9 notes é.txt: unexpected file notes é.txt ({EXPECTED_FILES})",
    ),
    "wrong_delimiter": Rejection(
        new(
            _replace("programs.csv", b"program_code|program_name|program_type|facility\nA|B|C|D\n")
        ),
        4,
        "SUF 2019-03 r9 programs.csv line 1: header has no comma ',' delimiter but splits on "
        "pipe '|': the file must be comma ','-delimited",
    ),
    "too_many_malformed_lines": Rejection(
        new(_replace("inmates.csv", MANY_BAD)),
        4,
        "SUF 2019-03 r9 inmates.csv line 2: 4 of 24 data lines are malformed (over 5%); first at "
        "line 2: 3 fields, expected 9",
    ),
    "symlink_outside_the_submissions": Rejection(
        new(after=_outside_link("inmates.csv")),
        4,
        "SUF 2019-03 r9 inmates.csv: inmates.csv is a symbolic link to ",
    ),
    "broken_symlink": Rejection(
        new(after=_broken_link("programs.csv")),
        4,
        "SUF 2019-03 r9 programs.csv: programs.csv is a broken symbolic link",
    ),
    "submission_folder_linked_from_outside": Rejection(
        _symlinked_folder,
        4,
        "SUF 2019-03 r9: submission folder is a symbolic link to ",
    ),
}


def assert_rejected(site: Site, case: Rejection, before: dict[str, list[tuple]]) -> None:
    """The one line, the exit code, and a warehouse where only the ledger changed."""
    outcome = _validate_then_load(site, case.arrange(site), case.code)
    summary, result = outcome["summary"], outcome["result"]
    [rejected] = summary["rejected"]
    assert rejected["submission_id"] == case.sid
    assert len(rejected["reasons"]) == 1, rejected["reasons"]
    assert rejected["reasons"][0].startswith(case.text), rejected["reasons"][0]
    assert f"rejected: {rejected['reasons'][0]}" in result.stderr
    ending = "every submission was rejected: nothing loaded"
    if case.code == 4:
        ending = f"1 of {summary['counts']['submissions']} submissions rejected (the rest loaded)"
    assert one_error_line(result) == f"cts load: error: {ending}"
    after = snapshot(site.warehouse)
    for table, rows in after.items():
        if table != LEDGER:
            assert rows == before.get(table, []), table
    added = [row for row in after["raw_meta.load_ledger"] if row not in before[LEDGER]]
    assert added and {(row[0], row[8]) for row in added} == {(case.sid, "rejected")}
    assert any(case.text in row[9] for row in added)
    assert all(row in after[LEDGER] for row in before[LEDGER])


@pytest.mark.parametrize("name", list(REJECTIONS))
def test_fault_is_rejected_with_one_line(site: Site, name: str) -> None:
    assert_rejected(site, REJECTIONS[name], snapshot(site.warehouse))


# ----------------------------------------------------------------------------- acceptances


@dataclass(frozen=True)
class Acceptance:
    """A file that looks odd but is fine: what is loaded (rows per raw table of the new
    submission) and what is kept aside (lines of raw_meta.rejected_lines)."""

    arrange: Callable[[Site], Path]
    rows: dict[str, int]
    kept_aside: tuple[tuple[str, int, str], ...] = ()
    sid: str = NEW


def _with_line_ends(ends: Callable[[int], bytes]) -> Callable[[dict[str, bytes]], None]:
    def mutate(files: dict[str, bytes]) -> None:
        for name, data in files.items():
            lines = data.split(b"\n")[:-1]
            files[name] = b"".join(line + ends(i) for i, line in enumerate(lines))

    return mutate


def _insert_line(name: str, index: int, line: bytes) -> Callable[[dict[str, bytes]], None]:
    def mutate(files: dict[str, bytes]) -> None:
        lines = files[name].split(b"\n")
        lines.insert(index, line)
        files[name] = b"\n".join(lines)

    return mutate


def _touch_loaded(site: Site) -> Path:
    os.utime(site.folder(LOADED) / "inmates.csv", (1, 1))
    return site.data


FULL = {"inmates": 5, "bookings": 5, "programs": 3, "enrollments": 5}
ACCEPTANCES: dict[str, Acceptance] = {
    "utf8_byte_order_mark": Acceptance(
        new(lambda f: f.__setitem__("inmates.csv", b"\xef\xbb\xbf" + f["inmates.csv"])), FULL
    ),
    "crlf_line_ends": Acceptance(new(_with_line_ends(lambda i: b"\r\n")), FULL),
    "mixed_line_ends": Acceptance(
        new(_with_line_ends(lambda i: b"\r\n" if i % 2 else b"\n")), FULL
    ),
    "last_line_without_line_end": Acceptance(
        new(lambda f: f.__setitem__("programs.csv", f["programs.csv"].rstrip(b"\n"))), FULL
    ),
    "header_only_month": Acceptance(
        new(lambda f: f.update({n: (h + "\n").encode() for n, h in SUF_HEADERS.items()})),
        {"inmates": 0, "bookings": 0, "programs": 0, "enrollments": 0},
    ),
    "nul_byte_in_a_line": Acceptance(
        new(_insert_line("inmates.csv", 3, b"I77777,1,Sm\x00ith,Ann,,1980-01-01,F,W,N")),
        FULL,
        (("inmates.csv", 4, "MALFORMED_CHARACTER"),),
    ),
    "quoted_field_with_delimiter_and_newline": Acceptance(
        new(_insert_line("programs.csv", 1, b'P9,"Re-entry, Phase 1\nand 2",RE-ENTRY,SUF-HOC')),
        {**FULL, "programs": 4},
    ),
    "blank_line_and_one_malformed_line": Acceptance(
        new(_insert_line("enrollments.csv", 2, b"\nE9,B9,P1")),
        FULL,
        (("enrollments.csv", 3, "BLANK_LINE"), ("enrollments.csv", 4, "MALFORMED_FIELD_COUNT")),
    ),
    "no_manifest_where_optional": Acceptance(new(manifest=False), FULL),
}


@pytest.mark.parametrize("name", list(ACCEPTANCES))
def test_odd_but_valid_submission_is_accepted(site: Site, name: str) -> None:
    case = ACCEPTANCES[name]
    outcome = _validate_then_load(site, case.arrange(site), 0)
    summary, result = outcome["summary"], outcome["result"]
    assert [s["submission_id"] for s in summary["accepted"]] == [case.sid]
    assert summary["rejected"] == [] and "rejected:" not in result.stderr
    counts = dict(
        query(
            site.warehouse,
            "SELECT 'inmates', count(*) FROM raw_suf.inmates WHERE _submission_id = "
            f"'{case.sid}' UNION ALL SELECT 'bookings', count(*) FROM raw_suf.bookings WHERE "
            f"_submission_id = '{case.sid}' UNION ALL SELECT 'programs', count(*) FROM "
            f"raw_suf.programs WHERE _submission_id = '{case.sid}' UNION ALL SELECT "
            f"'enrollments', count(*) FROM raw_suf.enrollments WHERE _submission_id = '{case.sid}'",
        )
    )
    assert counts == case.rows
    kept = query(
        site.warehouse,
        "SELECT regexp_extract(file, '[^/]+$'), line, reason FROM raw_meta.rejected_lines "
        f"WHERE submission_id = '{case.sid}' ORDER BY file, line",
    )
    assert tuple(kept) == case.kept_aside


def test_quoted_field_keeps_its_delimiter_and_newline(site: Site) -> None:
    ACCEPTANCES["quoted_field_with_delimiter_and_newline"].arrange(site)
    assert site.cts("load", site.data).exit_code == 0
    names = query(site.warehouse, "SELECT program_name FROM raw_suf.programs WHERE _line = 2")
    assert ("Re-entry, Phase 1\nand 2",) in names


def test_missing_manifest_is_a_warning_in_the_ledger(site: Site) -> None:
    new(manifest=False)(site)
    result = site.cts("load", site.data, "--json")
    assert result.exit_code == 0, result.output
    warning = "accepted without a manifest.json: sizes, data lines and checksums not checked"
    assert f"warning: SUF 2019-03 r9: {warning}" in result.stderr
    assert _summary(result)["accepted"][0]["warnings"][0].startswith(warning)
    messages = query(
        site.warehouse,
        f"SELECT DISTINCT outcome, message FROM raw_meta.load_ledger WHERE submission_id = '{NEW}'",
    )
    assert len(messages) == 1 and messages[0][0] == "loaded"
    assert messages[0][1].startswith(warning)


def test_touched_but_unchanged_loaded_file_is_skipped(site: Site) -> None:
    before = snapshot(site.warehouse)
    outcome = _validate_then_load(site, _touch_loaded(site), 0)
    assert outcome["summary"]["skipped"] == [
        {"submission_id": LOADED, "reason": "already loaded with identical content"}
    ]
    assert snapshot(site.warehouse) == before


# ----------------------------------------------------------------------------- paths and sizes


def test_paths_with_spaces_and_non_ascii_characters(tmp_path: Path) -> None:
    site = Site(tmp_path / "Envois reçus" / "données été")
    site.offer(suf_files(3), sid=LOADED)
    outcome = _validate_then_load(site, site.data, 0)
    assert [s["submission_id"] for s in outcome["summary"]["accepted"]] == [LOADED]
    files = query(site.warehouse, "SELECT DISTINCT _file FROM raw_suf.inmates")
    assert files == [("SUF/2019-02/r1/inmates.csv",)]
    assert query(site.warehouse, "SELECT count(*) FROM raw_suf.inmates") == [(3,)]


TWO_GB = 2 << 30


def _huge_file(folder: Path, name: str) -> Path:
    """A 2 GB file: a valid start (larger than the first block looked at) and then a sparse
    hole of zero bytes, so it takes no disk space."""
    path = folder / name
    line = b"I00001,100001,Smith1,Ann,,1980-01-02,F,W,N\n"
    with path.open("wb") as handle:
        handle.write(SUF_HEADERS["inmates.csv"].encode() + b"\n")
        handle.write(line * (2 * SNIFF_BYTES // len(line)))
        handle.truncate(TWO_GB)
    return path


@pytest.mark.parametrize(
    ("manifest", "text"),
    [
        (
            True,
            "SUF 2019-03 r9 inmates.csv: file is longer than its manifest says (2,147,483,648 "
            "bytes, the manifest says 290)",
        ),
        (
            False,
            "SUF 2019-03 r9 inmates.csv line 3050: runs over 16,777,216 characters without a "
            "line end: not a line-oriented text file",
        ),
    ],
    ids=["manifest_size_mismatch", "no_manifest_streamed"],
)
def test_two_gigabyte_file_is_refused_in_bounded_memory(
    site: Site, manifest: bool, text: str
) -> None:
    """Streamed, never read whole: rejected early by the manifest's size, or, without a
    manifest, read block by block until its zeros run past the longest line allowed."""
    before = snapshot(site.warehouse)
    case = Rejection(
        new(after=lambda folder: _huge_file(folder, "inmates.csv"), manifest=manifest), 4, text
    )
    tracemalloc.start()
    try:
        assert_rejected(site, case, before)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    print(f"peak traced memory: {peak / 1e6:.1f} MB")
    assert peak < 64 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB of Python memory for a 2 GB file"


def test_a_large_valid_file_streams_block_by_block() -> None:
    """Accepted records leave the check block by block: what is held at once is one block's
    records, whatever the file's size."""
    inmates = next(t for t in load_source_specs(PROJECT)["SUF"].tables if t.name == "inmates")
    line = b"I00001,100001,Smith1,Ann,,1980-01-02,F,W,N\n"
    data = SUF_HEADERS["inmates.csv"].encode() + b"\n" + line * 20_000
    writes: list[int] = []
    check = check_stream(
        "inmates.csv", io.BytesIO(data), inmates, 1, lambda t: writes.append(len(t)), 64 * 1024
    )
    assert check.fault is None and check.rows == 20_000 and check.complete
    assert len(writes) >= len(data) // (64 * 1024)
    assert max(writes) < 2 * 64 * 1024


# ----------------------------------------------------------------------------- a built warehouse


def _fingerprints(warehouse: Path) -> dict[str, tuple]:
    """Every table's and raw relation's row count and order-free content hash (the raw
    relations are views over the raw zone), and the views' names."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() UNION SELECT schema_name,"
            " view_name FROM duckdb_views() WHERE NOT internal AND starts_with(schema_name,"
            " 'raw_') ORDER BY ALL"
        ).fetchall()
        prints = {
            f"{schema}.{table}": con.execute(
                f'SELECT count(*), sum(hash(t)::hugeint) FROM "{schema}"."{table}" AS t'
            ).fetchall()[0]
            for schema, table in tables
        }
        views = con.execute(
            "SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal ORDER BY ALL"
        ).fetchall()
        prints["views"] = tuple(views)
        return prints
    finally:
        con.close()


def test_rejection_leaves_every_built_schema_unchanged(tiny: Path, tmp_path: Path) -> None:
    """On a copy of the tiny build (raw tables plus every schema dbt built from them) and the
    real sources YAMLs: Suffolk sends r9 of a loaded month with a renamed column; the loaded
    months are skipped, r9 is refused (exit 4), and only the ledger records it."""
    site = Site(tmp_path / "site", project=REPO)
    shutil.copytree(tiny / "data" / "submissions" / "SUF", site.data / "submissions" / "SUF")
    copy_warehouse(tiny, site.workdir)
    before = _fingerprints(site.warehouse)
    zone_before = zone_files(site.workdir / "raw")
    folder = site.folder("SUF/2019-03/r9")
    shutil.copytree(site.folder("SUF/2019-03/r1"), folder)
    enrollments = (folder / "enrollments.csv").read_bytes()
    (folder / "enrollments.csv").write_bytes(enrollments.replace(b"program_code", b"prog_code", 1))
    write_folder_manifest(folder)  # what `python -m cts.manifest FOLDER` does for an agency
    outcome = _validate_then_load(site, site.data, 4)
    [rejected] = outcome["summary"]["rejected"]
    assert rejected["reasons"] == [
        "SUF 2019-03 r9 enrollments.csv line 1: header column 3 is 'prog_code', expected "
        "'program_code'"
    ]
    assert outcome["summary"]["counts"]["skipped_already_loaded"] > 100
    after = _fingerprints(site.warehouse)
    changed = {name for name in before if after.get(name) != before[name]}
    assert changed == {LEDGER}
    # in the raw zone: the ledger's file and the manifest, nothing else
    zone_after = zone_files(site.workdir / "raw")
    changed_files = {
        p for p in zone_before.keys() | zone_after.keys() if zone_before.get(p) != zone_after.get(p)
    }
    assert {p.split("/run-")[0] for p in changed_files} == {"_meta/load_ledger", "manifest.json"}
    outcomes = query(
        site.warehouse,
        f"SELECT DISTINCT outcome FROM {LEDGER} WHERE submission_id = 'SUF/2019-03/r9'",
    )
    assert outcomes == [("rejected",)]
