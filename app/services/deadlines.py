"""Deadlines counted in calendar or working days: weekends, China's public holidays and the weekends worked
in exchange (调休, from the holidays package), and the office's own closures and extra working days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays as holiday_calendars


@lru_cache(maxsize=32)
def _china(year: int) -> holiday_calendars.HolidayBase:
    return holiday_calendars.China(years=year)


@dataclass(frozen=True)
class WorkCalendar:
    """Which days the office works: China's official calendar, then the office's own exceptions."""

    days_off: frozenset[date] = frozenset()  # closures on what would be working days
    workdays: frozenset[date] = frozenset()  # days worked that would be off

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.days_off:
            return False
        return _china(day.year).is_working_day(day)


def deadline(
    received_at: datetime, days: int, working_days: bool, calendar: WorkCalendar | None = None
) -> datetime:
    """When something received at `received_at` (aware) is due, in local time.

    Calendar days keep the time of day: 3 days after Monday 10:00 is Thursday 10:00. Working days do
    too, stepping over the days off: 3 working days after Friday 16:00 is Wednesday 16:00. Received on
    a day off, the clock starts at the next working day's midnight: 3 working days after a Saturday is
    the end of Wednesday (Thursday 00:00)."""
    if days < 0:
        raise ValueError("days must not be negative")
    local = received_at.astimezone()
    if not working_days or days == 0:
        return local + timedelta(days=days)
    calendar = calendar or WorkCalendar()
    day = local.date()
    on_a_working_day = calendar.is_working_day(day)
    for _ in range(days):
        day += timedelta(days=1)
        while not calendar.is_working_day(day):
            day += timedelta(days=1)
    if on_a_working_day:
        return datetime.combine(day, local.time()).astimezone()
    return datetime.combine(day + timedelta(days=1), time.min).astimezone()  # the end of the last one


@dataclass(frozen=True)
class DeadlinePolicy:
    """How long a complaint may take: `days` from receipt, fewer for some severities or customer tiers
    (the strictest that applies wins), in calendar or working days. Overdue, it escalates to the
    department's manager; `second_level_days` later still, to the general manager."""

    days: int = 3
    by_severity: tuple[tuple[str, int], ...] = ()  # (severity, days), e.g. (("critical", 1),)
    by_tier: tuple[tuple[str, int], ...] = ()  # (tier key, days)
    working_days: bool = False
    second_level_days: int = 2

    def days_for(self, severity: str, tier: str | None) -> int:
        special = [d for s, d in self.by_severity if s == severity] + [
            d for t, d in self.by_tier if t == tier
        ]
        return min([self.days, *special])

    def due_at(
        self, received_at: datetime, severity: str, tier: str | None, calendar: WorkCalendar | None = None
    ) -> datetime:
        return deadline(received_at, self.days_for(severity, tier), self.working_days, calendar)

    def escalation_level(self, due_at: datetime, now: datetime, calendar: WorkCalendar | None = None) -> int:
        """0 while on time; 1 once past the deadline; 2 once `second_level_days` past that too."""
        if now <= due_at:
            return 0
        second = deadline(due_at, self.second_level_days, self.working_days, calendar)
        return 2 if now > second else 1
