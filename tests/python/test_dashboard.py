"""The static dashboard (`cts dashboard`): site generator on a small fixture export, then the page
itself in headless Chromium (no console errors, filters work, suppressed never shown as 0,
usable at 375px), with screenshots.

The browser tests need /usr/bin/chromium and the `playwright` package (`make browser` installs
Chromium; `make test` runs them). Without them they are skipped, unless CTS_REQUIRE_BROWSER=1.
Screenshots go to <tmp>/screenshots and, when CTS_SCREENSHOT_DIR is set, there too.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from cts.cli import cli
from cts.dashboard import build_site, is_synthetic
from cts.dashboard.site import ASSETS, SCRIPTS
from cts.publication import declaration

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PROJECT_ROOT = Path(__file__).resolve().parents[2]

# --- a small export of the public marts' shape -------------------------------------------------

AGENCIES = {"AAA": "Alpha County Sheriff's Office", "BBB": "Beta Department of Correction"}
CATEGORIES = {
    "EDUCATION": ("Education", "Educational/Vocational"),
    "REENTRY": ("Reentry", "Support/Mentorship"),
}
BREAKDOWNS = [("ALL", "ALL")]
BREAKDOWNS += [("SEX", value) for value in ("M", "F", "U")]
BREAKDOWNS += [
    ("RACE_ETHNICITY", value)
    for value in ("WHITE_NH", "BLACK_NH", "HISPANIC", "API_NH", "AIAN_NH", "OTHER_NH", "UNKNOWN")
]
BREAKDOWNS += [
    ("AGE_GROUP", value)
    for value in ("18-24", "25-29", "30-34", "35-39", "40-44", "45-49", "50-54", "55-59", "60+")
]
BREAKDOWNS += [("CUSTODY_STATUS", value) for value in ("PRETRIAL", "SENTENCED", "CIVIL", "UNKNOWN")]
PERIODS = [("CALENDAR_YEAR", year, str(year), False) for year in range(2017, 2026)]
PERIODS += [("FISCAL_YEAR", year, f"FY{year}", year in (2017, 2026)) for year in range(2017, 2027)]
REASONS = {
    "COMPLETED": "SUCCESSFUL",
    "REMOVED_BEHAVIOR": "UNSUCCESSFUL",
    "RELEASED_FROM_CUSTODY": "ADMINISTRATIVE",
    "UNKNOWN": "UNKNOWN",
}
PROGRAMS = [
    # agency, code, name, category, events, persons, successful, unsuccessful
    ("AAA", "A-EDU1", "GED Preparation", "EDUCATION", 120, 80, 40, 20),
    ("AAA", "A-RE1", "Reentry Circle", "REENTRY", 7, 5, 0, 3),
    ("AAA", "A-EDU2", 'Reading <b>"Plus"</b> & more', "EDUCATION", 55, 30, 12, 0),
    ("BBB", "B-EDU1", "Welding Certificate", "EDUCATION", 300, 210, 95, 60),
    ("BBB", "B-RE1", "Family Reunification", "REENTRY", 42, 33, "C", 14),
]
# Cells with a known suppression, to find on the page: AAA statewide-category CY2025 events
# PRIMARY; BBB CY2025 events COMPLEMENTARY.
FORCED = {
    ("CALENDAR_YEAR", 2025, "AAA", "ALL", "ALL", "ALL"): 7,
    ("CALENDAR_YEAR", 2025, "BBB", "ALL", "ALL", "ALL"): "C",
}


def suppress(value) -> tuple[int | None, str | None]:
    """A raw count as published: 1..10 and "C" (complementary) SUPPRESSED, else itself."""
    if value == "C":
        return None, "SUPPRESSED"
    if 1 <= value <= 10:
        return None, "SUPPRESSED"
    return value, None


def write_table(directory: Path, name: str, columns: list[str], rows: list[list]) -> None:
    """One mart as CSV and Parquet, the way `cts export` writes them."""
    path = directory / f"{name}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if value is None else value for value in row])
    con = duckdb.connect()
    con.execute(
        f"copy (select * from read_csv('{path}', header = true)) to"
        f" '{directory / (name + '.parquet')}' (format parquet)"
    )
    con.close()


def cells():
    for period_type, year, label, partial in PERIODS:
        for agency in ["ALL", *AGENCIES]:
            for category in ["ALL", *CATEGORIES]:
                for dimension, value in BREAKDOWNS:
                    yield (period_type, year, label, partial, agency, category, dimension, value)


def make_export(directory: Path, manifest: dict | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    write_table(
        directory,
        "dim_programs",
        [
            "agency_code",
            "agency_name",
            "agency_program_code",
            "agency_program_name",
            "agency_program_type",
            "canonical_program_code",
            "canonical_program_name",
            "category_code",
            "category_name",
            "psi_super_category",
            "mapping_method",
            "first_year_offered",
            "last_year_offered",
            "enrollment_events",
            "enrollment_events_suppression",
            "distinct_persons",
            "distinct_persons_suppression",
            "successful_exits",
            "successful_exits_suppression",
            "unsuccessful_exits",
            "unsuccessful_exits_suppression",
        ],
        [
            [
                agency,
                AGENCIES[agency],
                code,
                name,
                "Program",
                "CANON_" + code,
                "Canonical " + name,
                category,
                *CATEGORIES[category],
                "EXACT",
                2017,
                2025,
                *(part for count in counts for part in suppress(count)),
            ]
            for agency, code, name, category, *counts in PROGRAMS
        ],
    )
    keys = [
        "period_type",
        "period_year",
        "period_label",
        "is_partial_period",
        "agency_code",
        "category_code",
        "dimension",
        "dimension_value",
    ]
    enrollments, outcomes, exits = [], [], []
    for index, cell in enumerate(cells()):
        period_type, year, _label, _partial, agency, category, dimension, value = cell
        forced = FORCED.get((period_type, year, agency, category, dimension, value))
        events = forced if forced is not None else (index * 7) % 61
        persons = (index * 3) % 29
        enrollments.append([*cell, *suppress(events), *suppress(persons)])
        parts = [(index * 5) % 37, (index * 11) % 23, (index * 13) % 31, index % 3]
        published = [suppress(part) for part in parts]
        total = sum(parts)
        success, failure = published[0][0], published[1][0]
        rate = over_all = None
        if success is not None and failure is not None and success + failure > 10:
            rate = round(success / (success + failure), 4)
        if success is not None and total > 10:
            over_all = round(success / total, 4)
        outcomes.append(
            [*cell, *(part for pair in published for part in pair), *suppress(total)]
            + [rate, over_all]
        )
        if dimension == "ALL":
            for position, (reason, group) in enumerate(REASONS.items()):
                count = (index + position * 17) % 19
                if count:
                    exits.append([*cell, group, reason, *suppress(count), *suppress(count)])
    write_table(
        directory,
        "rpt_program_enrollments",
        [
            *keys,
            "enrollment_events",
            "enrollment_events_suppression",
            "distinct_persons",
            "distinct_persons_suppression",
        ],
        enrollments,
    )
    outcome_columns = [
        f"{name}{suffix}"
        for name in ("successful", "unsuccessful", "administrative", "unknown", "total")
        for suffix in ("_exits", "_exits_suppression")
    ]
    write_table(
        directory,
        "rpt_program_outcomes",
        [*keys, *outcome_columns, "completion_rate", "completions_over_all_exits"],
        outcomes,
    )
    write_table(
        directory,
        "rpt_program_exits",
        [
            *keys,
            "outcome_group",
            "exit_reason_code",
            "exits",
            "exits_suppression",
            "distinct_persons",
            "distinct_persons_suppression",
        ],
        exits,
    )
    (directory / "data_dictionary.md").write_text("# Data dictionary\n", encoding="utf-8")
    publication = declaration.as_dict(declaration.load(PROJECT_ROOT), PROJECT_ROOT)
    dictionary = {"models": [], "publication": publication}
    (directory / "data_dictionary.json").write_text(json.dumps(dictionary), encoding="utf-8")
    record = manifest if manifest is not None else {"generation": {"scale": "tiny", "seed": 7}}
    (directory / "manifest.json").write_text(json.dumps(record), encoding="utf-8")
    return directory


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    return make_export(tmp_path_factory.mktemp("export") / "public")


@pytest.fixture(scope="module")
def site(export: Path) -> Path:
    build_site(export, export.parent / "site")
    return export.parent / "site"


def embedded(site: Path) -> dict:
    text = (site / "data.js").read_text(encoding="utf-8")
    assert text.startswith("window.CTS_DATA=") and text.endswith(";\n")
    return json.loads(text[len("window.CTS_DATA=") : -2])


# --- the site generator ------------------------------------------------------------------------


def test_site_has_its_files_and_no_external_resource(site):
    assert {path.name for path in site.iterdir()} >= {"index.html", "data.js", "assets"}
    page = (site / "index.html").read_text(encoding="utf-8")
    # The data first, then the page's scripts in the order each needs the ones before it.
    assert re.findall(r'<script src="([^"]+)">', page) == [
        "data.js",
        *(f"assets/{name}" for name in SCRIPTS),
    ]
    for asset in (*(f"assets/{name}" for name in ASSETS), "index.html"):
        text = (site / asset).read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), asset
        assert "@import" not in text and "fetch(" not in text


def test_scripts_are_classic_scripts_sharing_one_namespace(site):
    """Modules (`import`, `type="module"`) are not loaded from file://: each script is a classic
    script, one strict function adding its part to window.CTS."""
    page = (site / "index.html").read_text(encoding="utf-8")
    assert "module" not in " ".join(re.findall(r"<script[^>]*>", page))
    for name in SCRIPTS:
        text = (site / "assets" / name).read_text(encoding="utf-8")
        assert '(function (CTS) {\n  "use strict";\n' in text, name
        assert text.endswith("})(window.CTS = window.CTS || {});\n"), name
        assert not re.search(r"^\s*(import|export)\b", text, re.MULTILINE), name


def test_every_agency_and_program_is_embedded(site):
    data = embedded(site)
    assert [agency["code"] for agency in data["agencies"]] == ["ALL", "AAA", "BBB"]
    assert {agency["code"]: agency["name"] for agency in data["agencies"]}["BBB"] == AGENCIES["BBB"]
    columns = data["programColumns"]
    found = {
        (row[columns.index("agency_code")], row[columns.index("agency_program_code")])
        for row in data["programs"]
    }
    assert found == {(agency, code) for agency, code, *_ in PROGRAMS}
    assert {category["code"] for category in data["categories"]} == {"ALL", *CATEGORIES}


def test_suppressed_counts_are_never_embedded_as_zero(site, export):
    data = embedded(site)
    columns = data["programColumns"]
    by_code = {row[columns.index("agency_program_code")]: row for row in data["programs"]}
    assert by_code["A-RE1"][columns.index("enrollment_events")] == -1  # suppressed (small)
    assert by_code["A-RE1"][columns.index("successful_exits")] == 0  # a true zero stays 0
    # complementary: the same public flag
    assert by_code["B-RE1"][columns.index("successful_exits")] == -1
    con = duckdb.connect()
    rows = con.execute(
        f"select enrollment_events, enrollment_events_suppression"
        f" from read_parquet('{export / 'rpt_program_enrollments.parquet'}')"
    ).fetchall()
    values = data["enrollments"]["values"]["enrollment_events"]
    assert len(values) == len(rows)
    suppressed = sum(1 for _, flag in rows if flag)
    zeros = sum(1 for value, flag in rows if value == 0 and not flag)
    assert sum(1 for value in values if value is not None and value < 0) == suppressed > 0
    assert values.count(0) == zeros
    rates = con.execute(
        f"select count(completion_rate) from read_parquet('{export}/rpt_program_outcomes.parquet')"
    ).fetchall()[0][0]
    embedded_rates = data["outcomes"]["values"]["completion_rate"]
    assert sum(1 for value in embedded_rates if value is not None) == rates


def test_embedded_cells_follow_the_axes(site):
    data = embedded(site)
    periods = [(period["type"], period["year"]) for period in data["periods"]]
    agencies = [agency["code"] for agency in data["agencies"]]
    categories = [category["code"] for category in data["categories"]]
    breakdowns = [tuple(pair) for pair in data["breakdowns"]]
    cell = (
        (periods.index(("CALENDAR_YEAR", 2025)) * len(agencies) + agencies.index("BBB"))
        * len(categories)
        + categories.index("ALL")
    ) * len(breakdowns) + breakdowns.index(("ALL", "ALL"))
    assert "gaps" not in data["enrollments"]  # every cell present: no cell list
    assert data["enrollments"]["values"]["enrollment_events"][cell] == -1
    assert "gaps" in data["exits"]  # exits by reason are sparse
    assert sum(data["exits"]["gaps"]) - 1 < data["exits"]["size"]


def test_downloads_link_to_files_that_exist(site, export, tmp_path):
    page = (site / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"#]+)" download', page)
    names = {Path(link).name for link in links}
    assert {"rpt_program_enrollments.csv", "rpt_program_enrollments.parquet"} <= names
    assert {"data_dictionary.md", "data_dictionary.json", "dim_programs.parquet"} <= names
    assert all((site / link).resolve().is_file() for link in links)
    copied = build_site(export, tmp_path / "copied", copy_data=True).index.parent
    page = (copied / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"#]+)" download', page)
    assert links and all(link.startswith("data/") and (copied / link).is_file() for link in links)


def test_methodology_and_synthetic_banner(site, tmp_path):
    page = (site / "index.html").read_text(encoding="utf-8")
    assert "Synthetic demonstration data" in page
    for words in ("2017", "2025", "FY2017", "FY2026", "Complementary suppression", "1 to 10"):
        assert words in page
    assert "&le;" not in page  # the page never says a withheld count is at most 10
    assert "@@" not in page
    plain = make_export(tmp_path / "public", manifest={"generated_by": "cts", "files": []})
    page = build_site(plain, tmp_path / "site").index.read_text(encoding="utf-8")
    assert "Synthetic demonstration data" not in page


@pytest.mark.parametrize(
    ("manifest", "expected"),
    [
        ({"generation": {"scale": "demo", "seed": 7}}, True),
        ({"generation": None}, False),
        ({"pseudonym_key": "demo"}, True),
        ({"demo_key": True}, True),
        ({"privacy": {"demo_pseudonym_key": True}}, True),
        ({"data": "synthetic"}, True),
        ({"demo_key": False, "generated_by": "cts 0.1.0"}, False),
        ({"files": [{"path": "demo.csv"}]}, False),
    ],
)
def test_is_synthetic(manifest, expected):
    assert is_synthetic(manifest) is expected


def test_site_is_the_same_for_the_same_export(export, tmp_path):
    first = build_site(export, tmp_path / "a").index.parent
    second = build_site(export, tmp_path / "b").index.parent
    for name in ("index.html", "data.js", *(f"assets/{name}" for name in ASSETS)):
        assert (first / name).read_bytes() == (second / name).read_bytes()


def test_cli_dashboard_writes_the_site(runner, workdir):
    make_export(workdir / "public")
    result = runner.invoke(cli, ["--workdir", str(workdir), "dashboard"])
    assert result.exit_code == 0, result.output
    assert (workdir / "site" / "index.html").is_file()
    assert "Dashboard written to" in result.output


def test_cli_dashboard_without_exports_is_one_error_line(runner, workdir):
    result = runner.invoke(cli, ["--workdir", str(workdir), "dashboard"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "cts export" in result.stderr.strip().splitlines()[-1]


# --- the page in headless Chromium -------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    problem = None
    if not CHROMIUM.exists():
        problem = f"{CHROMIUM} missing (make browser)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        problem = problem or "the playwright package is not installed"
    if problem:
        if os.environ.get("CTS_REQUIRE_BROWSER"):
            pytest.fail(problem)
        pytest.skip(problem)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Page:
    """One page of the site with its console errors recorded."""

    def __init__(self, browser, url: str, width: int) -> None:
        self.errors: list[str] = []
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.page.on(
            "console",
            lambda message: self.errors.append(message.text) if message.type == "error" else None,
        )
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("requestfailed", lambda request: self.errors.append(request.url))
        self.page.goto(url)
        self.page.wait_for_selector("html[data-ready=true]", timeout=15000)

    def text(self, selector: str) -> str:
        """Its text, hidden parts included (tables sit in closed <details>)."""
        return self.page.text_content(selector) or ""


def screenshot_dirs(tmp_path: Path) -> list[Path]:
    directories = [tmp_path / "screenshots"]
    if os.environ.get("CTS_SCREENSHOT_DIR"):
        directories.append(Path(os.environ["CTS_SCREENSHOT_DIR"]))
    for directory in directories:
        directory.mkdir(parents=True, exist_ok=True)
    return directories


def save(page: Page, tmp_path: Path, name: str) -> None:
    first, *others = screenshot_dirs(tmp_path)
    page.page.screenshot(path=str(first / f"{name}.png"), full_page=True)
    for directory in others:
        shutil.copyfile(first / f"{name}.png", directory / f"{name}.png")


def test_page_in_chromium_desktop(browser, site, tmp_path):
    page = Page(browser, (site / "index.html").as_uri(), 1280)
    assert page.page.locator("#synthetic-banner").is_visible()
    rows = page.page.locator("#summary-table tbody tr")
    assert rows.count() == len(PROGRAMS)
    # The program with a suppressed enrollment count shows the marker, never 0, and never
    # "at most 10": the one public flag does not say which withheld counts are small.
    reentry = page.page.locator('#summary-table tr[data-program="A-RE1"]').inner_text()
    assert "suppressed" in reentry and "≤" not in reentry
    assert "suppressed" in page.page.locator('tr[data-program="B-RE1"]').inner_text()
    # Markup in a program name is text, not HTML.
    assert '<b>"Plus"</b>' in page.text("#summary-table")
    # Search filters the list and the live summary says so.
    page.page.fill("#summary-search", "welding")
    assert rows.count() == 1
    assert page.text("#summary-status").startswith("1 of 5 programs")
    page.page.click("#summary-reset")
    page.page.wait_for_function("document.querySelectorAll('#summary-table tbody tr').length == 5")

    # Enrollments: choosing an agency changes the status, the chart and its table.
    before_status = page.text("#enrollments-status")
    before_chart = page.page.inner_html("#enrollments-trend svg")
    page.page.select_option("#enrollments-agency", label=AGENCIES["AAA"])
    after_status = page.text("#enrollments-status")
    assert after_status != before_status and AGENCIES["AAA"] in after_status
    assert page.page.inner_html("#enrollments-trend svg") != before_chart
    assert "suppressed enrollment events" in after_status  # AAA, CY2025: shown as such
    trend_table = page.page.locator("#enrollments-trend table")
    last_row = trend_table.locator("tbody tr").last
    assert last_row.locator("th").text_content() == "2025"
    assert last_row.locator("td").text_content() == "suppressed"
    assert page.page.locator("#enrollments-trend svg rect.supp").count() >= 1
    page.page.select_option("#enrollments-agency", label=AGENCIES["BBB"])
    assert "suppressed enrollment events" in page.text("#enrollments-status")
    # Fiscal years bring the partial periods; the breakdown follows the dimension.
    page.page.select_option("#enrollments-period", "FISCAL_YEAR")
    assert "FY2026 (partial)" in page.text("#enrollments-trend table")
    page.page.select_option("#enrollments-dimension", "AGE_GROUP")
    assert "60 and over" in page.text("#enrollments-breakdown table")
    page.page.check("input[name=enrollments-measure][value=distinct_persons]")
    assert "Distinct persons" in page.text("#enrollments-trend figcaption")

    # Exits: every chart has its table; filters change what is shown.
    for chart in ("exits-rates", "exits-mix", "exits-mix-breakdown", "exits-rate-breakdown"):
        assert page.page.locator(f"#{chart} details table").count() >= 1, chart
    before = page.text("#exits-status")
    page.page.select_option("#exits-category", label="Education")
    assert page.text("#exits-status") != before
    assert "Released from custody" in page.text("#exits-reasons table")

    assert page.errors == []
    save(page, tmp_path, "dashboard-desktop")
    for name in ("dashboard-desktop.png",):
        assert (tmp_path / "screenshots" / name).stat().st_size > 10_000


def test_page_in_chromium_narrow_has_no_horizontal_scroll(browser, site, tmp_path):
    page = Page(browser, (site / "index.html").as_uri(), 375)
    # Keyboard: the first Tab reaches the skip link; typing in the search filters the list.
    page.page.keyboard.press("Tab")
    assert page.page.evaluate("document.activeElement.className") == "skip"
    page.page.focus("#summary-search")
    page.page.keyboard.type("reentry")
    assert page.page.locator("#summary-table tbody tr").count() == 2
    page.page.keyboard.press("Tab")
    assert page.page.evaluate("document.activeElement.id") == "summary-agency"
    width = page.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page is {width}px wide at 375px"
    page.page.select_option("#exits-dimension", "RACE_ETHNICITY")
    assert page.page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.errors == []
    save(page, tmp_path, "dashboard-narrow")


def test_page_of_the_tiny_build(browser, tmp_path):
    """The site of the last `make test` pipeline run ($CTS_TEST_WORKDIR, else work/test-tiny),
    when there is one: loads cleanly. The export is only read; the site goes to tmp_path."""
    chosen = os.environ.get("CTS_TEST_WORKDIR")
    public = (Path(chosen) if chosen else PROJECT_ROOT / "work" / "test-tiny") / "public"
    if not (public / "manifest.json").is_file():
        pytest.skip(f"no export at {public}")
    site = build_site(public, tmp_path / "site").index.parent
    for name, width in (("tiny-desktop", 1280), ("tiny-narrow", 375)):
        page = Page(browser, (site / "index.html").as_uri(), width)
        assert page.page.locator("#summary-table tbody tr").count() > 0
        assert page.page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.errors == []
        save(page, tmp_path, name)


def test_cts_run_checks_the_export_then_builds_the_dashboard(runner, workdir, monkeypatch):
    from cts import pipeline
    from cts.load import LoadResult

    steps = []
    for step in ("generate", "load", "build", "export", "check_disclosure", "dashboard"):
        monkeypatch.setattr(
            pipeline, step, lambda *args, step=step, **kwargs: steps.append(step) or LoadResult()
        )
    result = runner.invoke(cli, ["--workdir", str(workdir), "run", "--scale", "tiny"])
    assert result.exit_code == 0, result.output
    assert steps == ["generate", "load", "build", "export", "check_disclosure", "dashboard"]
    steps.clear()
    result = runner.invoke(cli, ["--workdir", str(workdir), "run", "--no-export"])
    assert result.exit_code == 0, result.output
    assert "dashboard" not in steps


def test_cts_run_stops_before_the_dashboard_when_the_disclosure_check_fails(
    runner, workdir, monkeypatch
):
    from cts import pipeline
    from cts.load import LoadResult

    steps = []
    for step in ("generate", "load", "build", "export", "dashboard"):
        monkeypatch.setattr(
            pipeline, step, lambda *args, step=step, **kwargs: steps.append(step) or LoadResult()
        )

    def failing_check(*args, **kwargs):
        raise pipeline.PipelineError("disclosure check failed: 3 suppressed counts recoverable")

    monkeypatch.setattr(pipeline, "check_disclosure", failing_check)
    result = runner.invoke(cli, ["--workdir", str(workdir), "run", "--scale", "tiny"])
    assert result.exit_code == 1
    assert "3 suppressed counts recoverable" in result.output
    assert steps == ["generate", "load", "build", "export"]
