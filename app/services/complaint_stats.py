"""Complaint statistics for a period: what is still open and how old, why customers complain, how fast and
how well tickets are handled; and the same figures as an .xlsx workbook."""

from __future__ import annotations

import math
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

# Age of open tickets: (upper bound in days, label); the last has no bound.
AGE_BUCKETS = (
    (1, N_("Up to 1 day")),
    (3, N_("1–3 days")),
    (7, N_("3–7 days")),
    (30, N_("7–30 days")),
    (None, N_("Over 30 days")),
)


@dataclass(frozen=True)
class ComplaintStats:
    """Tickets received from `start` to `end` (local days, both included), as they stand at `as_of`."""

    start: date
    end: date
    as_of: datetime
    received: int
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

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.on_time_base if self.on_time_base else None


def _seconds_between(dialect: str, start: ColumnElement, end: ColumnElement) -> ColumnElement:
    if dialect == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0  # SQLite keeps the UTC times as text


def nearest_rank(values: list[float], share: float) -> float | None:
    """The value at rank ⌈share·n⌉ of the sorted values (the nearest-rank percentile); None for none."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


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
    with db.session() as session:
        dialect = session.get_bind().dialect.name
        in_period = (
            Complaint.deleted_at.is_(None),
            Complaint.received_at >= day_start(start),
            Complaint.received_at < day_start(end + timedelta(days=1)),
        )
        received = session.scalar(select(func.count()).select_from(Complaint).where(*in_period)) or 0
        is_open = Complaint.status.in_(OPEN_STATUSES)
        by_status = dict(
            session.execute(
                select(Complaint.status, func.count()).where(*in_period, is_open).group_by(Complaint.status)
            ).all()
        )
        ages = _open_by_age(session, dialect, in_period, is_open, now)
        categories = session.execute(
            select(ComplaintCategory.key, ComplaintCategory.name, func.count())
            .select_from(Complaint)
            .outerjoin(ComplaintCategory, ComplaintCategory.id == Complaint.category_id)
            .where(*in_period)
            .group_by(ComplaintCategory.id, ComplaintCategory.key, ComplaintCategory.name)
        ).all()
        tiers = session.execute(
            select(Customer.tier, func.count())
            .select_from(Complaint)
            .join(Customer, Customer.id == Complaint.customer_id)
            .where(*in_period)
            .group_by(Customer.tier)
        ).all()
        staff = session.execute(
            select(Staff.name, func.count())
            .select_from(Complaint)
            .outerjoin(Staff, Staff.id == Complaint.responsible_staff_id)
            .where(*in_period)
            .group_by(Staff.id, Staff.name)
        ).all()
        durations = [
            seconds / 3600
            for (seconds,) in session.execute(
                select(_seconds_between(dialect, Complaint.received_at, Complaint.resolved_at)).where(
                    *in_period, Complaint.resolved_at.is_not(None)
                )
            )
        ]
        timely = session.execute(
            select(
                func.count(case((Complaint.resolved_at <= Complaint.due_at, 1))),
                func.count(
                    case(
                        (Complaint.resolved_at.is_not(None), 1),
                        (is_open & (Complaint.due_at < now), 1),
                    )
                ),
                func.avg(Complaint.satisfaction),
                func.count(Complaint.satisfaction),
            ).where(*in_period)
        ).one()
    nobody = _("(nobody)")
    return ComplaintStats(
        start=start,
        end=end,
        as_of=now,
        received=received,
        open_by_status=[
            (labels.label(labels.COMPLAINT_STATUS, s), by_status.get(s, 0)) for s in OPEN_STATUSES
        ],
        open_by_age=[(_(name), n) for (_bound, name), n in zip(AGE_BUCKETS, ages, strict=True)],
        by_category=_most_first((category_name(key, name or ""), n) for key, name, n in categories),
        by_tier=_most_first(
            (labels.label(labels.TIER_NAMES, tier) if tier else _("(no tier)"), n) for tier, n in tiers
        ),
        by_staff=_most_first((name or nobody, n) for name, n in staff),
        resolved=len(durations),
        mean_hours=sum(durations) / len(durations) if durations else None,
        p90_hours=nearest_rank(durations, 0.9),
        on_time=timely[0],
        on_time_base=timely[1],
        satisfaction_mean=float(timely[2]) if timely[2] is not None else None,
        satisfaction_count=timely[3],
    )


def _open_by_age(session: Session, dialect: str, in_period, is_open, now: datetime) -> list[int]:
    age = _seconds_between(dialect, Complaint.received_at, literal(now, UTCDateTime()))
    bounds = [b for b, _name in AGE_BUCKETS if b is not None]
    bucket = case(*[(age <= bound * 86400, index) for index, bound in enumerate(bounds)], else_=len(bounds))
    counts = dict(
        session.execute(select(bucket, func.count()).where(*in_period, is_open).group_by(bucket)).all()
    )
    return [counts.get(index, 0) for index in range(len(AGE_BUCKETS))]


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
        tables = [
            (_("Open tickets by status"), stats.open_by_status),
            (_("Open tickets by age"), stats.open_by_age),
            (_("Tickets per category"), stats.by_category),
            (_("Tickets per customer tier"), stats.by_tier),
            (_("Tickets per responsible staff member"), stats.by_staff),
        ]
        for name, pairs in tables:
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
        book.close()
    return path
