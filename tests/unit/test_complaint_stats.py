"""Complaint statistics against the hand-computed tickets of tests/complaint_example.py, on both backends,
and the .xlsx workbook read back."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook

from app.services.actor import DEFAULT_ACTOR
from app.services.complaint_stats import complaint_stats, nearest_rank_index, write_stats
from app.services.errors import ServiceError
from tests.complaint_example import AS_OF, END, START, ZONE, add_example


@pytest.fixture
def example(db, local_zone):
    local_zone(ZONE)
    add_example(db)
    return db


def test_the_figures_of_march_match_the_hand_computation(example):
    stats = complaint_stats(example, DEFAULT_ACTOR, START, END, as_of=AS_OF)
    # Tickets 1–7: #1 came at 00:30 on 1 March and #6 at 23:00 on 31 March, Shanghai time; #8 (23:30 on
    # 29 February) and #9 (00:00 on 1 April) fall outside, and #10 is deleted.
    assert stats.received == 7
    # Resolved: #1 in 10 h, #2 in 24 h, #3 in 4 days 12 h = 108 h, #4 in 48 h.
    assert stats.resolved == 4
    assert stats.mean_hours == pytest.approx((10 + 24 + 108 + 48) / 4)  # 47.5
    assert stats.p90_hours == pytest.approx(108)  # rank ⌈0.9 · 4⌉ = 4 of [10, 24, 48, 108]
    # On time: #1, #2 and #4; #3 was resolved 36 h late. Counted against them: the four resolved, and
    # the open tickets past their deadline at 12:00 UTC on 3 April, #5 (due 28 March) and #7 (due
    # 2 April); #6 is due at 15:00 that day, not yet late.
    assert (stats.on_time, stats.on_time_base) == (3, 6)
    assert stats.on_time_share == pytest.approx(0.5)
    assert stats.satisfaction_mean == pytest.approx((5 + 4 + 2) / 3)  # #4 has no rating
    assert stats.satisfaction_count == 3
    # Open: #6 and #7 received, #5 investigating.
    assert stats.open_by_status == [("Received", 2), ("Accepted", 0), ("Investigating", 1)]
    # Ages at the as-of time: #6 2 days 21 h, #7 4 days 12 h, #5 9 days 4 h.
    assert stats.open_by_age == [
        ("Up to 1 day", 0),
        ("1–3 days", 1),
        ("3–7 days", 1),
        ("7–30 days", 1),
        ("Over 30 days", 0),
    ]
    # Delivery #1 #2 #5; billing #3 #6; product quality #4 #7 (ties by name).
    assert stats.by_category == [("Delivery", 3), ("Billing", 2), ("Product quality", 2)]
    # A (VIP) #1 #2 #6; B (normal) #3 #4; C (no tier) #5 #7.
    assert stats.by_tier == [("VIP", 3), ("(no tier)", 2), ("Normal", 2)]
    # 王芳 #1 #3 #4 #7; 李雷 #2 #6; nobody #5.
    assert stats.by_staff == [("王芳", 4), ("李雷", 2), ("(nobody)", 1)]


def test_a_shorter_period_counts_only_its_tickets(example):
    stats = complaint_stats(example, DEFAULT_ACTOR, START, date(2024, 3, 15), as_of=AS_OF)
    # #1, #2, #3, all resolved: 10, 24 and 108 h; rank ⌈0.9 · 3⌉ = 3.
    assert (stats.received, stats.resolved) == (3, 3)
    assert stats.mean_hours == pytest.approx(142 / 3)
    assert stats.p90_hours == pytest.approx(108)
    assert (stats.on_time, stats.on_time_base) == (2, 3)
    assert stats.open_by_status == [("Received", 0), ("Accepted", 0), ("Investigating", 0)]
    assert stats.by_staff == [("王芳", 2), ("李雷", 1)]


def test_open_tickets_received_before_the_period_still_count_as_open(example):
    """The backlog is what managers look for: #5 (received 25 March, still under investigation) is open
    whatever the period's start; #9, received after the period's end, is not counted."""
    stats = complaint_stats(example, DEFAULT_ACTOR, date(2024, 3, 31), date(2024, 3, 31), as_of=AS_OF)
    assert stats.received == 1  # #6 alone came on 31 March (#7 at 08:00 on the 30th, Shanghai time)
    assert stats.open_by_status == [("Received", 2), ("Accepted", 0), ("Investigating", 1)]
    assert [n for _name, n in stats.open_by_age] == [0, 1, 1, 1, 0]


def test_a_period_without_tickets_has_no_averages(example):
    stats = complaint_stats(example, DEFAULT_ACTOR, date(2023, 1, 1), date(2023, 1, 31), as_of=AS_OF)
    assert stats.received == stats.resolved == stats.satisfaction_count == 0
    assert stats.mean_hours is stats.p90_hours is stats.on_time_share is stats.satisfaction_mean is None
    assert stats.by_category == stats.by_tier == stats.by_staff == []


def test_a_period_that_ends_before_it_starts_is_refused(example):
    with pytest.raises(ServiceError, match="ends"):
        complaint_stats(example, DEFAULT_ACTOR, END, START)


def test_nearest_rank_takes_the_value_at_the_rounded_up_rank():
    # Places counted from 0 among the sorted values.
    assert nearest_rank_index(10, 0.9) == 8  # rank 9 of 10
    assert nearest_rank_index(2, 0.9) == 1  # rank ⌈1.8⌉ = 2
    assert nearest_rank_index(1, 0.9) == 0


def test_the_workbook_holds_the_figures_and_every_breakdown(example, tmp_path):
    stats = complaint_stats(example, DEFAULT_ACTOR, START, END, as_of=AS_OF)
    path = write_stats(stats, tmp_path / "投诉统计.xlsx")
    sheet = load_workbook(path).active
    rows = [tuple(cell.value for cell in row[:2]) for row in sheet.iter_rows()]
    figures = dict(row for row in rows if row[0] is not None)
    assert figures["Tickets received"] == 7
    assert figures["Resolved"] == 4
    assert figures["Average resolution time (hours)"] == pytest.approx(47.5)
    assert figures["90th percentile resolution time (hours)"] == pytest.approx(108)
    assert figures["Resolved on time"] == pytest.approx(0.5)
    assert figures["Average satisfaction (1–5)"] == pytest.approx(11 / 3)
    assert figures["Satisfaction ratings"] == 3
    start = rows.index(("Tickets per responsible staff member", "Tickets"))
    assert rows[start + 1 : start + 4] == [("王芳", 4), ("李雷", 2), ("(nobody)", 1)]
    start = rows.index(("Open tickets by age", "Tickets"))
    assert rows[start + 1 : start + 6] == [
        ("Up to 1 day", 0),
        ("1–3 days", 1),
        ("3–7 days", 1),
        ("7–30 days", 1),
        ("Over 30 days", 0),
    ]


def test_the_workbook_must_be_an_xlsx_file(example, tmp_path):
    stats = complaint_stats(example, DEFAULT_ACTOR, START, END, as_of=AS_OF)
    with pytest.raises(ServiceError, match=r"\.xlsx"):
        write_stats(stats, tmp_path / "stats.csv")


def test_a_folder_that_cannot_be_written_is_said_in_words(example, tmp_path):
    stats = complaint_stats(example, DEFAULT_ACTOR, START, END, as_of=AS_OF)
    with pytest.raises(ServiceError, match=r"Cannot write stats\.xlsx"):
        write_stats(stats, tmp_path / "missing" / "stats.xlsx")
