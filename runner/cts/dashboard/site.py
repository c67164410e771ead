"""Write the static dashboard site: index.html, assets/, data.js, and the download links.

The page opens from `file://` with no network: the data is a script (`data.js`, one
`window.CTS_DATA = {…};` statement) rather than a file to fetch, and the charts are drawn by the
page's own small scripts as inline SVG. The scripts are classic scripts, not modules (which
Chromium does not load from `file://`), run in the order of `SCRIPTS`: each adds its part to one
namespace object, `window.CTS`, and `main.js` starts the page. No build step, no CDN. The same
export gives the same site, byte for byte.
"""

from __future__ import annotations

import html
import json
import os
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from cts.dashboard.data import DashboardError, PublicExport, find_export, load_dashboard_data

# The page's scripts in the order index.html loads them: each uses only those before it.
SCRIPTS = (
    "labels.js",  # names of dimensions, values, reasons, outcomes
    "format.js",  # number and rate text; suppressed is never zero
    "cube.js",  # the embedded data: cubes, cell indexes, periods, breakdowns
    "dom.js",  # element helpers
    "chart-scale.js",  # what both chart orientations share
    "chart-vertical.js",
    "chart-horizontal.js",
    "tables.js",  # the tables under the charts
    "chart.js",  # a chart in its figure, redrawn on resize
    "filters.js",  # filters of Enrollments and Exits
    "summary.js",  # Program Summary
    "enrollments.js",  # Program Enrollments
    "exits.js",  # Program Exits
    "main.js",  # starts the page
)
ASSETS = (*SCRIPTS, "style.css")
DOWNLOAD_ORDER = ("data_dictionary.md", "data_dictionary.json", "manifest.json")
DATA_DIR = "data"


@dataclass
class SiteSummary:
    index: Path
    total_bytes: int
    data_bytes: int
    programs: int
    synthetic: bool


def _static(name: str) -> str:
    return resources.files("cts.dashboard").joinpath("static", name).read_text(encoding="utf-8")


def data_script(data: dict[str, Any]) -> str:
    """The page's data as one script statement; `</` escaped so it can never close a tag."""
    text = json.dumps(data, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return "window.CTS_DATA=" + text.replace("</", "<\\/") + ";\n"


def _human_bytes(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def _download_files(export: PublicExport) -> list[Path]:
    """Files offered for download: every mart (Parquet, CSV), then dictionary and manifest."""
    marts = sorted(
        path
        for path in export.directory.iterdir()
        if path.is_file() and path.suffix in {".parquet", ".csv"}
    )
    extra = [export.directory / name for name in DOWNLOAD_ORDER]
    return marts + [path for path in extra if path.is_file()]


def downloads_html(export: PublicExport, files: list[Path], hrefs: dict[str, str]) -> str:
    rows_of = {
        entry.get("path"): entry.get("rows")
        for entry in export.manifest.get("files", [])
        if isinstance(entry, dict)
    }
    lines = [
        '<div class="table-scroll">',
        '<table class="data dl"><caption>Files of the public release</caption>',
        '<thead><tr><th scope="col">File</th><th scope="col">Format</th>'
        '<th scope="col" class="num">Rows</th><th scope="col" class="num">Size</th></tr></thead>',
        "<tbody>",
    ]
    kinds = {".parquet": "Parquet", ".csv": "CSV", ".md": "Markdown", ".json": "JSON"}
    for path in files:
        rows = rows_of.get(path.name)
        href, name = html.escape(hrefs[path.name]), html.escape(path.name)
        lines.append(
            "<tr>"
            f'<td><a href="{href}" download>{name}</a></td>'
            f"<td>{kinds.get(path.suffix, path.suffix.lstrip('.'))}</td>"
            f'<td class="num">{"" if rows is None else f"{rows:,}"}</td>'
            f'<td class="num">{_human_bytes(path.stat().st_size)}</td>'
            "</tr>"
        )
    lines += [
        "</tbody></table>",
        "</div>",
        "<p>The data dictionary describes every column; <code>manifest.json</code> gives the row"
        " count, size and SHA-256 of every file.</p>",
    ]
    return "\n    ".join(lines)


def banner_html(synthetic: bool) -> str:
    if not synthetic:
        return ""
    return (
        '<p class="banner" role="note" id="synthetic-banner">Synthetic demonstration data'
        " <span>&mdash; made by the project's generator (or pseudonymised with the published"
        " demo key): the figures describe no real person or program.</span></p>"
    )


def release_html(data: dict[str, Any]) -> str:
    release = data.get("release") or {}
    parts = []
    if release.get("generated_by"):
        parts.append(f"exported by {html.escape(str(release['generated_by']))}")
    generation = release.get("generation")
    if isinstance(generation, dict) and generation.get("scale"):
        parts.append(
            f"synthetic data at scale {html.escape(str(generation.get('scale')))}"
            f", seed {html.escape(str(generation.get('seed')))}"
        )
    if release.get("dbt_version"):
        parts.append(f"dbt {html.escape(str(release['dbt_version']))}")
    if not parts:
        return ""
    return "<h3>This release</h3>\n    <p>" + "; ".join(parts).capitalize() + ".</p>"


def render_index(
    data: dict[str, Any], export: PublicExport, files: list[Path], hrefs: dict[str, str]
) -> str:
    threshold = int(data["threshold"])
    page = _static("index.html")
    replacements = {
        "@@BANNER@@": banner_html(bool(data["synthetic"])),
        "@@THRESHOLD_NEXT@@": str(threshold + 1),
        "@@THRESHOLD@@": str(threshold),
        "@@DOWNLOADS@@": downloads_html(export, files, hrefs),
        "@@RELEASE@@": release_html(data),
    }
    for marker, value in replacements.items():
        page = page.replace(marker, value)
    return page


def build_site(
    public_dir: Path, out_dir: Path, copy_data: bool = False, threshold: int | None = None
) -> SiteSummary:
    """Build the dashboard from the export in `public_dir` into `out_dir`.

    Downloads link to the export files relatively (`../public/…` for the usual layout); with
    `copy_data` they are copied into `out_dir/data/` so the site stands alone.
    """
    public_dir = public_dir.resolve()
    out_dir = out_dir.resolve()
    export = find_export(public_dir)
    data = load_dashboard_data(export, threshold=threshold)
    if out_dir == public_dir or public_dir in out_dir.parents:
        raise DashboardError(f"the site cannot be written inside the export ({public_dir})")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "assets").mkdir(exist_ok=True)
    for name in ASSETS:
        (out_dir / "assets" / name).write_text(_static(name), encoding="utf-8")
    (out_dir / "data.js").write_text(data_script(data), encoding="utf-8")

    files = _download_files(export)
    copied = out_dir / DATA_DIR
    if copied.is_dir():
        shutil.rmtree(copied)
    if copy_data:
        copied.mkdir()
        for path in files:
            shutil.copyfile(path, copied / path.name)
        hrefs = {path.name: f"{DATA_DIR}/{path.name}" for path in files}
    else:
        relative = Path(os.path.relpath(public_dir, out_dir)).as_posix()
        hrefs = {path.name: f"{relative}/{path.name}" for path in files}
    index = out_dir / "index.html"
    index.write_text(render_index(data, export, files, hrefs), encoding="utf-8")

    total = sum(path.stat().st_size for path in out_dir.rglob("*") if path.is_file())
    return SiteSummary(
        index=index,
        total_bytes=total,
        data_bytes=(out_dir / "data.js").stat().st_size,
        programs=len(data["programs"]),
        synthetic=bool(data["synthetic"]),
    )
