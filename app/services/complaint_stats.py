"""Complaint statistics for a period: what is still open and how old, why customers complain, how fast and
how well tickets are handled; and the same figures as an .xlsx workbook."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import ColumnElement, case, func, literal, select
from sqlalchemy.orm import Session

from app.db import Database
from app.i18n import N_, _, format_date
from app.models import Complaint, ComplaintCategory, Customer, Staff, utcnow
from app.models.base import UTCDateTime
from app.models.complaint import OPEN_STATUSES
from app.services import labels
from app.services.actor import Actor
from app.services.complaints import category_name
from app.services.contacts import day_start
from app.services.errors import ServiceError
from app.services.tiers import months_after, year_before

# Age of open tickets: (upper bound in days, label); the last has no bound.
AGE_BUCKETS = (
    (1, N_("Up to 1 day")),
    (3, N_("1–3 days")),
    (7, N_("3–7 days")),
    (30, N_("7–30 days")),
    (None, N_("Over 30 days")),
)


# The breakdowns, in the order the page, the workbook and the command line show them: field and title.
BREAKDOWNS = (
    ("open_by_status", N_("Open tickets by status")),
    ("open_by_age", N_("Open tickets by age")),
    ("by_category", N_("Tickets per category")),
    ("by_tier", N_("Tickets per customer tier")),
    ("by_staff", N_("Tickets per responsible staff member")),
)


@dataclass(frozen=True)
class ComplaintStats:
    """Tickets received from `start` to `end` (local days, both included), as they stand at `as_of`."""

    start: date
    end: date
    as_of: datetime
    received: int
    # Open at `as_of`, received by the end of the period (however long before its start):
    open_by_status: list[tuple[str, int]]  # (status label, tickets), in workflow order
    open_by_age: list[tuple[str, int]]  # (age bucket label, tickets)
    by_category: list[tuple[str, int]]  # most first
    by_tier: list[tuple[str, int]]
    by_staff: list[tuple[str, int]]  # the responsible staff member
    resolved: int
    mean_hours: float | None  # receipt to resolution
    p90_hours: float | None  # nearest rank: 9 in 10 resolved tickets took at most this long
    on_time: int  # resolved by their deadline
    on_time_base: int  # resolved, or still open and past the deadline
    satisfaction_mean: float | None
    satisfaction_count: int

    def breakdowns(self) -> list[tuple[str, list[tuple[str, int]]]]:
        """Each breakdown's title (translated) and its (name, tickets) pairs."""
        return [(_(title), getattr(self, field)) for field, title in BREAKDOWNS]

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.on_time_base if self.on_time_base else None


def preset_period(key: str, today: date) -> tuple[date, date]:
    """The days a preset period covers, today included: this_month, last_3_months, this_year, or the last
    12 months (the page's and the command line's default)."""
    if key == "this_month":
        return today.replace(day=1), today
    if key == "last_3_months":
        return months_after(today, -3) + timedelta(days=1), today
    if key == "this_year":
        return date(today.year, 1, 1), today
    return year_before(today) + timedelta(days=1), today


def _seconds_between(dialect: str, start: ColumnElement, end: ColumnElement) -> ColumnElement:
    if dialect == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0  # SQLite keeps the UTC times as text


def nearest_rank_index(count: int, share: float) -> int:
    """Where the nearest-rank percentile sits among `count` sorted values: rank ⌈share·n⌉, from 0."""
    return max(1, math.ceil(share * count)) - 1


def complaint_stats(
    db: Database, actor: Actor, start: date, end: date, as_of: datetime | None = None
) -> ComplaintStats:
    if end < start:
        raise ServiceError(
            _("The period ends ({end}) before it starts ({start}).").format(
                start=format_date(start), end=format_date(end)
            )
        )
    now = as_of or utcnow()
    dialect = db.engine.dialect.name
    in_period = (
        Complaint.deleted_at.is_(None),
        Complaint.received_at >= day_start(start),
        Complaint.received_at < day_start(end + timedelta(days=1)),
    )
    is_open = Complaint.status.in_(OPEN_STATUSES)
    # The period's tickets are read twice, on two connections side by side (two cores): the grouped
    # figures here, the tiers and the percentile there. One after the other took most of a second.
    with ThreadPoolExecutor(max_workers=1) as pool:
        beside = pool.submit(_tiers_and_percentile, db, dialect, in_period)
        with db.session() as session:
            groups = _grouped(session, dialect, in_period, is_open, now)
            category_names = {
                row_id: category_name(key, name)
                for row_id, key, name in session.execute(
                    select(ComplaintCategory.id, ComplaintCategory.key, ComplaintCategory.name)
                )
            }
            staff_names = dict(session.execute(select(Staff.id, Staff.name)).all())
            # Open tickets however old: one received before the period and still open is the most worrying.
            open_now = _open_by_status_and_age(session, dialect, end, is_open, now)
        tiers, p90_seconds = beside.result()
    on_time, on_time_base, satisfaction_total, satisfaction_count, resolved = (
        sum(int(group[column]) for group in groups) for column in range(4, 9)
    )
    resolution_seconds = sum(float(group[9]) for group in groups)
    by_status: dict[str, int] = {}
    by_category: dict[str, int] = {}
    by_staff: dict[str, int] = {}
    nobody = _("(nobody)")
    for category_id, staff_id, status, n, *_figures in groups:
        by_status[status] = by_status.get(status, 0) + n
        category = category_names.get(category_id, category_name(None, ""))
        by_category[category] = by_category.get(category, 0) + n
        staff = staff_names.get(staff_id) or nobody
        by_staff[staff] = by_staff.get(staff, 0) + n
    return ComplaintStats(
        start=start,
        end=end,
        as_of=now,
        received=sum(by_status.values()),
        open_by_status=[
            (
                labels.label(labels.COMPLAINT_STATUS, status),
                sum(n for (s, _bucket), n in open_now.items() if s == status),
            )
            for status in OPEN_STATUSES
        ],
        open_by_age=[
            (_(name), sum(n for (_s, b), n in open_now.items() if b == bucket))
            for bucket, (_bound, name) in enumerate(AGE_BUCKETS)
        ],
        by_category=_most_first(by_category.items()),
        by_tier=_most_first(
            (labels.label(labels.TIER_NAMES, tier) if tier else _("(no tier)"), int(n)) for tier, n in tiers
        ),
        by_staff=_most_first(by_staff.items()),
        resolved=resolved,
        mean_hours=resolution_seconds / resolved / 3600 if resolved else None,
        p90_hours=p90_seconds / 3600 if p90_seconds is not None else None,
        on_time=on_time,
        on_time_base=on_time_base,
        satisfaction_mean=satisfaction_total / satisfaction_count if satisfaction_count else None,
        satisfaction_count=satisfaction_count,
    )


def _grouped(session: Session, dialect: str, in_period, is_open, now: datetime) -> list:
    """One pass over the period's tickets for every figure that needs no other table, grouped into a few
    rows (categories × staff × statuses): a query per breakdown read 200,000 tickets each time."""
    resolution = _seconds_between(dialect, Complaint.received_at, Complaint.resolved_at)
    return session.execute(
        select(
            Complaint.category_id,
            Complaint.responsible_staff_id,
            Complaint.status,
            func.count(),
            func.count(case((Complaint.resolved_at <= Complaint.due_at, 1))),
            func.count(
                case(
                    (Complaint.resolved_at.is_not(None), 1),
                    (is_open & (Complaint.due_at < now), 1),
                )
            ),
            func.coalesce(func.sum(Complaint.satisfaction), 0),
            func.count(Complaint.satisfaction),
            func.count(Complaint.resolved_at),
            func.coalesce(func.sum(resolution), 0),
        )
        .where(*in_period)
        .group_by(Complaint.category_id, Complaint.responsible_staff_id, Complaint.status)
    ).all()


def _tiers_and_percentile(db: Database, dialect: str, in_period) -> tuple[list, float | None]:
    """Tickets per customer tier, and the 90th-percentile resolution time in seconds (None: none resolved)."""
    with db.session() as session:
        # Counted per customer first, then joined: one look-up per customer, not one per ticket.
        per_customer = (
            select(Complaint.customer_id, func.count().label("tickets"))
            .where(*in_period)
            .group_by(Complaint.customer_id)
            .subquery()
        )
        tiers = session.execute(
            select(Customer.tier, func.sum(per_customer.c.tickets))
            .join(per_customer, per_customer.c.customer_id == Customer.id)
            .group_by(Customer.tier)
        ).all()
        resolved_in_period = (*in_period, Complaint.resolved_at.is_not(None))
        resolved = session.scalar(select(func.count()).select_from(Complaint).where(*resolved_in_period))
        if not resolved:
            return tiers, None
        # The nearest rank read by the database: fetching 100,000 durations took longer than sorting them.
        resolution = _seconds_between(dialect, Complaint.received_at, Complaint.resolved_at)
        seconds = session.scalar(
            select(resolution)
            .where(*resolved_in_period)
            .order_by(resolution)
            .offset(nearest_rank_index(resolved, 0.9))
            .limit(1)
        )
        return tiers, float(seconds)


def _open_by_status_and_age(
    session: Session, dialect: str, end: date, is_open, now: datetime
) -> dict[tuple[str, int], int]:
    """Tickets open at `now` and received by the end of the period, counted by (status, age bucket)."""
    age = _seconds_between(dialect, Complaint.received_at, literal(now, UTCDateTime()))
    bounds = [b for b, _name in AGE_BUCKETS if b is not None]
    bucket = case(*[(age <= bound * 86400, index) for index, bound in enumerate(bounds)], else_=len(bounds))
    return {
        (status, index): n
        for status, index, n in session.execute(
            select(Complaint.status, bucket, func.count())
            .where(
                Complaint.deleted_at.is_(None),
                is_open,
                Complaint.received_at < day_start(end + timedelta(days=1)),
            )
            .group_by(Complaint.status, bucket)
        )
    }


def _most_first(pairs) -> list[tuple[str, int]]:
    merged: dict[str, int] = {}
    for name, n in pairs:
        merged[name] = merged.get(name, 0) + n
    return sorted(merged.items(), key=lambda item: (-item[1], item[0]))


def write_stats(stats: ComplaintStats, path: str | Path) -> Path:
    """The statistics as an .xlsx workbook: the key figures, then each breakdown as a table with its chart."""
    import xlsxwriter

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ServiceError(_("The statistics are an .xlsx workbook; give a file name ending in .xlsx."))
    book = xlsxwriter.Workbook(str(path))
    try:
        ws = book.add_worksheet(_("Complaints")[:31])
        bold = book.add_format({"bold": True})
        title = book.add_format({"bold": True, "font_size": 14})
        header = book.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1})
        hours = book.add_format({"num_format": "0.0"})
        share = book.add_format({"num_format": "0.0%"})
        ws.set_column(0, 0, 34)
        ws.set_column(1, 1, 14)
        ws.write(0, 0, _("Complaint statistics"), title)
        ws.write(
            1,
            0,
            _("Received from {start} to {end}").format(
                start=format_date(stats.start), end=format_date(stats.end)
            ),
        )
        figures = [
            (_("Tickets received"), stats.received, None),
            (_("Resolved"), stats.resolved, None),
            (_("Average resolution time (hours)"), stats.mean_hours, hours),
            (_("90th percentile resolution time (hours)"), stats.p90_hours, hours),
            (_("Resolved on time"), stats.on_time_share, share),
            (_("Average satisfaction (1–5)"), stats.satisfaction_mean, hours),
            (_("Satisfaction ratings"), stats.satisfaction_count, None),
        ]
        for row, (name, value, style) in enumerate(figures, start=3):
            ws.write(row, 0, name, bold)
            if value is None:
                ws.write_blank(row, 1, None)
            else:
                ws.write_number(row, 1, value, style)
        row = 3 + len(figures) + 1
        for name, pairs in stats.breakdowns():
            ws.write_row(row, 0, [name, _("Tickets")], header)
            for offset, (key, n) in enumerate(pairs, start=1):
                ws.write(row + offset, 0, key)
                ws.write_number(row + offset, 1, n)
            if pairs:
                chart = book.add_chart({"type": "bar"})
                chart.add_series(
                    {
                        "name": name,
                        "categories": [ws.name, row + 1, 0, row + len(pairs), 0],
                        "values": [ws.name, row + 1, 1, row + len(pairs), 1],
                    }
                )
                chart.set_legend({"none": True})
                chart.set_y_axis({"reverse": True})
                chart.set_size({"width": 480, "height": max(160, 24 * len(pairs) + 80)})
                ws.insert_chart(row, 3, chart)
            row += max(len(pairs) + 2, 10)
    finally:
        _close(book, path)
    return path


def _close(book, path: Path) -> None:
    """Write the workbook out; a folder that is missing or read-only is the user's to fix, not a bug."""
    from xlsxwriter.exceptions import FileCreateError

    try:
        book.close()
    except FileCreateError as error:
        cause = error.args[0] if error.args else error
        reason = getattr(cause, "strerror", None) or cause
        raise ServiceError(_("Cannot write {file}: {reason}").format(file=path.name, reason=reason)) from None
