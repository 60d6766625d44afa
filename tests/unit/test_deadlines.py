"""Deadlines in calendar and working days, against dates worked out by hand from the 2026 calendar
(国务院办公厅: 春节 2月15日至23日放假调休，2月14日（周六）、2月28日（周六）上班)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.services.deadlines import DeadlinePolicy, WorkCalendar, deadline


@pytest.fixture(autouse=True)
def beijing(local_zone):
    local_zone("Asia/Shanghai")


def local(*parts: int) -> datetime:
    return datetime(*parts).astimezone()


def at(*parts: int) -> datetime:
    """A wall-clock time in Beijing, made local inside the test (the zone is set by then)."""
    return datetime(*parts)


@pytest.mark.parametrize(
    ("received", "days", "working", "due"),
    [
        # Calendar days keep the time of day, weekends or not.
        (at(2026, 3, 6, 16, 0), 3, False, at(2026, 3, 9, 16, 0)),
        # Friday 16:00 + 3 working days: Monday, Tuesday, Wednesday 16:00.
        (at(2026, 3, 6, 16, 0), 3, True, at(2026, 3, 11, 16, 0)),
        # Received on Saturday: Monday, Tuesday, Wednesday count; due at the end of Wednesday.
        (at(2026, 3, 7, 10, 0), 3, True, at(2026, 3, 12, 0, 0)),
        # Friday before the Spring Festival: Saturday 14 Feb is worked, then off until Monday 23 Feb
        # included; Tuesday 24 and Wednesday 25 follow.
        (at(2026, 2, 13, 15, 0), 3, True, at(2026, 2, 25, 15, 0)),
        # National Day: 1–7 October off (the 3rd and 4th a weekend), Saturday 10 October worked.
        (at(2026, 9, 30, 9, 0), 2, True, at(2026, 10, 9, 9, 0)),
        (at(2026, 9, 30, 9, 0), 3, True, at(2026, 10, 10, 9, 0)),
        (at(2026, 3, 6, 16, 0), 0, True, at(2026, 3, 6, 16, 0)),
    ],
)
def test_deadlines(received, days, working, due):
    assert deadline(received.astimezone(), days, working) == due.astimezone()


def test_the_offices_own_closures_and_working_days():
    closed_monday = WorkCalendar(days_off=frozenset({date(2026, 3, 9)}))
    assert deadline(local(2026, 3, 6, 16, 0), 3, True, closed_monday) == local(2026, 3, 12, 16, 0)
    saturday_worked = WorkCalendar(workdays=frozenset({date(2026, 3, 7)}))
    assert deadline(local(2026, 3, 6, 16, 0), 3, True, saturday_worked) == local(2026, 3, 10, 16, 0)


def test_a_time_in_utc_counts_by_the_local_day():
    # 2026-03-06 23:30 UTC is Saturday 07:30 in Beijing: a day off, so the clock starts on Monday.
    received = datetime.fromisoformat("2026-03-06T23:30:00+00:00")
    assert deadline(received, 1, True) == local(2026, 3, 10, 0, 0)


def test_the_strictest_rule_that_applies_sets_the_days():
    policy = DeadlinePolicy(days=3, by_severity=(("critical", 1), ("high", 2)), by_tier=(("vip", 2),))
    assert policy.days_for("normal", "normal") == 3
    assert policy.days_for("high", None) == 2
    assert policy.days_for("normal", "vip") == 2
    assert policy.days_for("critical", "vip") == 1
    # Critical, in working days, received on Friday 16:00: due on Monday 16:00.
    working = DeadlinePolicy(by_severity=(("critical", 1),), working_days=True)
    assert working.due_at(local(2026, 3, 6, 16, 0), "critical", None) == local(2026, 3, 9, 16, 0)


def test_escalation_levels_by_the_clock():
    policy = DeadlinePolicy()  # 3 calendar days, then 2 more to the general manager
    due = policy.due_at(local(2026, 3, 2, 9, 0), "normal", "normal")
    assert due == local(2026, 3, 5, 9, 0)
    assert policy.escalation_level(due, local(2026, 3, 5, 9, 0)) == 0  # on the stroke: still on time
    assert policy.escalation_level(due, local(2026, 3, 5, 9, 1)) == 1
    assert policy.escalation_level(due, local(2026, 3, 7, 9, 0)) == 1
    assert policy.escalation_level(due, local(2026, 3, 7, 9, 1)) == 2
    # In working days the second period steps over the weekend: Thursday 9:00 + 2 → Monday 9:00.
    working = DeadlinePolicy(working_days=True)
    assert working.escalation_level(due, local(2026, 3, 9, 8, 59)) == 1
    assert working.escalation_level(due, local(2026, 3, 9, 9, 1)) == 2
