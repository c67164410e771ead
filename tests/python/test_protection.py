"""The disclosure audit (cts.protection): suppress more until the checker's attacker recovers
nothing, choosing the least informative partner, deterministically."""

from __future__ import annotations

import pytest
from cts.disclosure import check
from cts.protection import COLUMNS, ProtectionError, protect, published_tables


def row(
    number: int,
    agency: str,
    value: int,
    suppression: str | None = None,
    period: tuple[str, int] = ("CALENDAR_YEAR", 2020),
) -> tuple:
    """One enrollment-events count (of calendar 2020), all categories and dimensions."""
    record = {
        "cell_number": number,
        "mart": "rpt_program_enrollments",
        "measure": "enrollment_events",
        "period_type": period[0],
        "period_year": period[1],
        "agency_code": agency,
        "category_code": "ALL",
        "dimension": "ALL",
        "dimension_value": "ALL",
        "outcome_group": None,
        "exit_reason_code": None,
        "agency_program_code": None,
        "true_value": value,
        "suppression": suppression,
    }
    return tuple(record[column] for column in COLUMNS)


def statewide_rows() -> list[tuple]:
    # AAA's 5 is alone in its relation: the statewide row gives it away by subtraction
    return [
        row(1, "ALL", 165),
        row(2, "AAA", 5, "PRIMARY"),
        row(3, "BBB", 40),
        row(4, "CCC", 120),
        row(5, "DDD", 0),
    ]


def test_a_lone_suppressed_count_gets_the_smallest_non_zero_partner():
    published = published_tables(statewide_rows(), threshold=10)
    assert check(published.export)["recovered_count"] == 1
    protection = protect(published)
    assert protection.added == {3: 1}  # BBB (40), not CCC (120) nor the zero DDD
    assert protection.residual == 0
    assert [r.recovered for r in protection.rounds] == [1, 0]
    report = check(published.export)
    assert report["recovered_count"] == 0 and report["ok"], report["recovered"]
    assert published.export.tables["rpt_program_enrollments"][
        ("CALENDAR_YEAR", 2020, "BBB", "ALL", "ALL", "ALL")
    ]["enrollment_events_suppression"] == ("COMPLEMENTARY")


def test_a_safe_publication_is_left_alone():
    rows = statewide_rows()
    rows[2] = row(3, "BBB", 40, "COMPLEMENTARY")
    protection = protect(published_tables(rows, threshold=10))
    assert protection.added == {} and protection.residual == 0


def test_the_audit_is_deterministic_whatever_the_row_order():
    forward = protect(published_tables(statewide_rows(), threshold=10))
    backward = protect(published_tables(list(reversed(statewide_rows())), threshold=10))
    assert forward.added == backward.added


def test_a_small_total_pinned_by_its_flags_gets_a_wider_flag():
    # ten PRIMARY agencies under a PRIMARY statewide 10: every withheld count is at least 1 and
    # a PRIMARY one at most 10, so every one is pinned. No count is published to withhold;
    # flagging the statewide total COMPLEMENTARY (any count from 1 up) unpins them all.
    rows = [row(1, "ALL", 10, "PRIMARY"), row(2, "ZZZ", 0)]
    rows += [row(3 + n, f"A{n:02d}", 1, "PRIMARY") for n in range(10)]
    published = published_tables(rows, threshold=10)
    assert check(published.export)["recovered_count"] == 11
    protection = protect(published)
    assert protection.added == {1: 1} and protection.residual == 0
    report = check(published.export)
    assert report["recovered_count"] == 0 and report["ok"], report["recovered"]
    record = published.export.tables["rpt_program_enrollments"][
        ("CALENDAR_YEAR", 2020, "ALL", "ALL", "ALL", "ALL")
    ]
    assert record["enrollment_events"] is None
    assert record["enrollment_events_suppression"] == "COMPLEMENTARY"


def test_counts_nothing_near_can_protect_are_reported_not_hidden():
    # with no equation in reach, the audit has nothing to change: it reports what is left
    # (and the build fails on it), and strict raises
    rows = statewide_rows()
    protection = protect(published_tables(rows, threshold=10), reach=0)
    assert protection.added == {} and protection.residual == 1
    with pytest.raises(ProtectionError, match="1 suppressed count"):
        protect(published_tables(rows, threshold=10), reach=0, strict=True)
