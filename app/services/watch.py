"""Service watch: customers left without contact, key customers with too few staff, each manager's figures.

Dates and times: the office works in this computer's time zone. A day `as_of` runs from local midnight
to local midnight (the stored times are UTC and compared with those bounds), and "the date" of a contact
is its local date: in Beijing a contact at 07:00 on March 10th (23:00 UTC on the 9th) is of March 10th.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import (
    CTE,
    ColumnElement,
    Date,
    Interval,
    Subquery,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session, aliased

from app.db import Database
from app.i18n import _
from app.models import (
    ContactLog,
    Customer,
    CustomerStaff,
    Department,
    FollowUp,
    OfficeSetting,
    Staff,
    Transaction,
)
from app.models.enums import Category, FollowUpStatus
from app.services import events
from app.services.actor import Actor
from app.services.contacts import day_start
from app.services.errors import ValidationError
from app.services.handover import revenue_window
from app.services.labels import TIER_NAMES, label
from app.services.staff import serving
from app.services.tiers import TierService

WATCH_DAYS_KEY = "watch_days"
# Three months without contact, and a customer may be given to other staff (seed 004).
DEFAULT_WATCH_DAYS = 90
MAX_WATCH_DAYS = 3650


@dataclass(frozen=True)
class LapsedCustomer:
    id: uuid.UUID
    code: str
    name: str
    tier: str
    category: str
    manager_id: uuid.UUID | None
    manager: str
    last_contact_at: datetime | None  # the newest contact up to as_of; None: never contacted
    days_without: int  # from the local date of the last contact (else registration, else creation) to as_of


@dataclass(frozen=True)
class UnderstaffedCustomer:
    id: uuid.UUID
    code: str
    name: str
    tier: str
    category: str
    manager: str
    staff_count: int  # the account manager if active, and the active additional staff


@dataclass(frozen=True)
class StaffOverview:
    staff_id: uuid.UUID
    name: str
    department: str
    active: bool
    customers: int  # live customers they manage
    by_tier: dict[str, int]  # of those, per tier key ("" for none)
    revenue_12m: Decimal  # of those, in (as_of − 1 year, as_of]
    contacts_30: int  # contact logs by them in the 30 days ending with as_of
    contacts_90: int
    overdue_follow_ups: int  # open, theirs, due before as_of
    lapsed: int  # of their customers


# ---------------------------------------------------------------- settings


def _watch_days(session: Session) -> dict[str, int]:
    raw = session.scalar(select(OfficeSetting.value).where(OfficeSetting.key == WATCH_DAYS_KEY))
    try:
        saved = json.loads(raw) if raw else {}
    except ValueError:
        return {}  # a setting written by hand and broken: the defaults, rather than no watch at all
    if not isinstance(saved, dict):
        return {}
    return {str(k): v for k, v in saved.items() if _valid_days(v)}


def _valid_days(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_WATCH_DAYS


def watch_days(db: Database) -> dict[str, int]:
    """The saved days without contact per tier key; a tier not in it is watched at DEFAULT_WATCH_DAYS."""
    with db.session() as session:
        return _watch_days(session)


def save_watch_days(db: Database, actor: Actor, days: dict[str, int]) -> None:
    """Replace the days without contact per tier (1 to 3650 each) for the whole office. Managers only."""
    actor.require_manager()
    errors = {}
    for tier, value in days.items():
        if not _valid_days(value):
            errors[tier] = _(
                "{tier}: the days without contact must be a whole number from 1 to {most}."
            ).format(tier=label(TIER_NAMES, tier) if tier else _("No tier"), most=MAX_WATCH_DAYS)
    if errors:
        raise ValidationError(errors)
    value = json.dumps(days, sort_keys=True)
    with db.session() as session:
        row = session.get(OfficeSetting, WATCH_DAYS_KEY)
        if row is None:
            session.add(OfficeSetting(key=WATCH_DAYS_KEY, value=value))
        else:
            row.value = value
    events.publish(events.Change("office_setting"))


# ---------------------------------------------------------------- lapsed customers


def _local_date(dialect: str, expr, offset: timedelta) -> ColumnElement:
    """The date of a stored (UTC) time `offset` east of UTC: the local date, for ordering in SQL.

    The offset is one for every row (the local one at as_of): exact where the clocks do not change, as in
    China; elsewhere a time within an hour of midnight may sort as of the neighbouring day.
    """
    if dialect == "postgresql":
        # Not a plain cast: that would take the date in the session's time zone. An interval as the zone
        # counts east of UTC as positive (ISO), unlike a text offset.
        return cast(func.timezone(literal(offset, Interval), expr), Date)
    # SQLite keeps UTC times as text; date() takes its day after the shift.
    return func.date(expr, f"{int(offset.total_seconds()):+d} seconds", type_=Date)


def _in_past(as_of: date) -> bool:
    return as_of < date.today()


def _watched(session: Session, as_of: date, staff_id: uuid.UUID | None) -> Subquery | CTE:
    """The customers the watch looks at (live, not lost) with their last contact up to the end of as_of.

    From today on that is the column every contact log write keeps (an indexed read; a log dated in
    the future counts too); for a day in the past the newest live log before its end, looked up per
    customer in (customer_id, occurred_at) — once per customer: materialised, so that the conditions
    on it do not each look it up again.
    """
    past = _in_past(as_of)
    if not past:
        last = Customer.last_contact_at
    else:
        last = (
            select(ContactLog.occurred_at)
            .where(
                ContactLog.customer_id == Customer.id,
                ContactLog.deleted_at.is_(None),
                ContactLog.occurred_at < day_start(as_of + timedelta(days=1)),
            )
            .order_by(ContactLog.occurred_at.desc())
            .limit(1)
            .scalar_subquery()
        )
    stmt = select(
        Customer.id,
        Customer.code,
        Customer.name,
        Customer.tier,
        Customer.category,
        Customer.manager_id,
        last.label("last_contact_at"),
        Customer.registered_on,
        Customer.created_at,
    ).where(Customer.deleted_at.is_(None), Customer.category != Category.LOST.value)
    if staff_id is not None:
        stmt = stmt.where(Customer.manager_id == staff_id)
    if not past:
        return stmt.subquery("watched")
    if session.get_bind().dialect.name == "postgresql":
        # The planner's cost for a hundred thousand index probes switches JIT compilation on, which
        # takes longer than the probes themselves.
        session.execute(text("SET LOCAL jit = off"))
    # PostgreSQL would otherwise repeat the look-up in each condition on it (SQLite measured the same
    # either way, and older SQLite versions do not know the word).
    return stmt.cte("watched").prefix_with("MATERIALIZED", dialect="postgresql")


def _lapsed_condition(
    w: Subquery | CTE, as_of: date, days: int | None, per_tier: dict[str, int]
) -> ColumnElement:
    """Lapsed: the date of the reference moment (last contact, else registration, else creation) lies
    more than N days before as_of, i.e. before as_of − N.

    Spelled as comparisons of each column itself, one branch per distinct N, so that from today on the
    database can read the last contacts from their index instead of computing a date for every row.
    """

    def older_than(n: int) -> ColumnElement:
        cut = as_of - timedelta(days=n)
        cut_at = day_start(cut)
        never = and_(
            w.c.last_contact_at.is_(None),
            or_(w.c.registered_on < cut, and_(w.c.registered_on.is_(None), w.c.created_at < cut_at)),
        )
        return or_(w.c.last_contact_at < cut_at, never)

    if days is not None:
        return older_than(days)
    tiers_by_days: dict[int, list[str]] = {}
    for tier, n in per_tier.items():
        if n != DEFAULT_WATCH_DAYS:
            tiers_by_days.setdefault(n, []).append(tier)
    branches = [and_(w.c.tier.in_(tiers), older_than(n)) for n, tiers in sorted(tiers_by_days.items())]
    special = [t for tiers in tiers_by_days.values() for t in tiers]
    default = older_than(DEFAULT_WATCH_DAYS)
    branches.append(and_(w.c.tier.not_in(special), default) if special else default)
    return or_(*branches)


def _reference_day(dialect: str, w: Subquery | CTE, as_of: date) -> ColumnElement:
    """The local date of the reference moment (last contact, else registration, else creation), in SQL:
    the order of the list. The days shown are counted in Python from the times themselves."""
    offset = day_start(as_of).utcoffset() or timedelta()
    return func.coalesce(
        _local_date(dialect, w.c.last_contact_at, offset),
        w.c.registered_on,
        _local_date(dialect, w.c.created_at, offset),
        type_=Date,
    )


def _days_without(
    as_of: date, last: datetime | None, registered_on: date | None, created_at: datetime
) -> int:
    if last is not None:
        return (as_of - last.astimezone().date()).days
    if registered_on is not None:
        return (as_of - registered_on).days
    return (as_of - created_at.astimezone().date()).days


def lapsed(
    db: Database,
    actor: Actor,
    as_of: date | None = None,
    days: int | None = None,
    staff_id: uuid.UUID | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> tuple[int, list[LapsedCustomer]]:
    """Live customers (not lost) without contact for more than their tier's watch days (or `days`) at
    the end of `as_of` (default today): the count of all of them and a page, longest without first."""
    as_of = as_of or date.today()
    if days is not None and days < 0:
        raise ValidationError({"days": _("The days without contact cannot be negative.")})
    dialect = db.engine.dialect.name
    with db.session() as session:
        per_tier = _watch_days(session)
        w = _watched(session, as_of, staff_id)
        condition = _lapsed_condition(w, as_of, days, per_tier)
        reference = _reference_day(dialect, w, as_of)
        past = _in_past(as_of)
        # The page is chosen by id first and its rows read after: from today on, choosing and counting
        # read only the customers' watch index (ix_customer_watch), never the wide rows themselves.
        chosen = (
            select(w.c.id, w.c.last_contact_at, w.c.registered_on, w.c.created_at)
            .where(condition)
            .order_by(reference, w.c.code)
            .offset(offset)
            .limit(limit)
        )
        if past:
            # The count rides along with the page: the logs are looked up once, not once for each.
            chosen = chosen.add_columns(func.count().over().label("total"))
        picked = session.execute(chosen).all()
        if past and picked:
            total = picked[0].total
        else:  # from today on the count is a quick read of the index; or a page past the end
            total = session.scalar(select(func.count()).select_from(w).where(condition)) or 0
        details = {
            row[0]: row
            for row in session.execute(
                select(
                    Customer.id,
                    Customer.code,
                    Customer.name,
                    Customer.tier,
                    Customer.category,
                    Customer.manager_id,
                    func.coalesce(Staff.name, ""),
                )
                .outerjoin(Staff, Staff.id == Customer.manager_id)
                .where(Customer.id.in_([p.id for p in picked]))
            )
        }
    return total, [
        LapsedCustomer(
            *details[p.id],
            p.last_contact_at,
            days_without=_days_without(as_of, p.last_contact_at, p.registered_on, p.created_at),
        )
        for p in picked
    ]


# ---------------------------------------------------------------- key customers with too few staff


def understaffed(db: Database, actor: Actor, staff_id: uuid.UUID | None = None) -> list[UnderstaffedCustomer]:
    """Key customers (category key, or the top tier of the rules in use) served by fewer than two
    staff: the account manager counts one if active (not left, not deleted), each active additional
    staff member one more. Lost customers are left out. `staff_id`: only the customers this person
    manages."""
    rules = TierService(db).rule_set(actor).definition
    top = rules.tiers[0].key if rules.tiers else None
    owner = aliased(Customer)
    others = (
        select(CustomerStaff.customer_id, func.count().label("n"))
        .join(Staff, Staff.id == CustomerStaff.staff_id)
        .join(owner, owner.id == CustomerStaff.customer_id)
        .where(
            CustomerStaff.deleted_at.is_(None),
            serving(Staff),
            or_(owner.manager_id.is_(None), owner.manager_id != CustomerStaff.staff_id),
        )
        .group_by(CustomerStaff.customer_id)
        .subquery("others")
    )
    manager = aliased(Staff)
    manager_active = and_(manager.id.is_not(None), serving(manager))
    staff_count = (case((manager_active, 1), else_=0) + func.coalesce(others.c.n, 0)).label("staff_count")
    key = Customer.category == Category.KEY.value
    if top is not None:
        key = or_(key, Customer.tier == top)
    stmt = (
        select(
            Customer.id,
            Customer.code,
            Customer.name,
            Customer.tier,
            Customer.category,
            func.coalesce(manager.name, ""),
            staff_count,
        )
        .select_from(Customer)
        .outerjoin(manager, manager.id == Customer.manager_id)
        .outerjoin(others, others.c.customer_id == Customer.id)
        .where(Customer.deleted_at.is_(None), Customer.category != Category.LOST.value, key, staff_count < 2)
        .order_by(staff_count, Customer.code)
    )
    if staff_id is not None:
        stmt = stmt.where(Customer.manager_id == staff_id)
    with db.session() as session:
        return [UnderstaffedCustomer(*row) for row in session.execute(stmt)]


# ---------------------------------------------------------------- the account-manager overview


def overview(db: Database, actor: Actor, as_of: date | None = None) -> list[StaffOverview]:
    """One row per staff member who is active or still manages customers, by name.

    Each figure is one grouped query over everyone (never a query per person or customer).
    """
    as_of = as_of or date.today()
    end = day_start(as_of + timedelta(days=1))
    # Local midnights of each first day (not `end` less 30 × 24 hours, wrong across a change of the clocks).
    start_30, start_90 = day_start(as_of - timedelta(days=29)), day_start(as_of - timedelta(days=89))
    live = Customer.deleted_at.is_(None)
    with db.session() as session:
        by_tier: dict[uuid.UUID, dict[str, int]] = {}
        for manager_id, tier, n in session.execute(
            select(Customer.manager_id, Customer.tier, func.count())
            .where(live, Customer.manager_id.is_not(None))
            .group_by(Customer.manager_id, Customer.tier)
        ):
            by_tier.setdefault(manager_id, {})[tier] = n
        revenue = dict(
            session.execute(
                select(Customer.manager_id, func.sum(Transaction.amount))
                .join(Customer, Customer.id == Transaction.customer_id)
                .where(*revenue_window(as_of), live, Customer.manager_id.is_not(None))
                .group_by(Customer.manager_id)
            ).all()
        )
        contacts = {
            staff_id: (n30, n90)
            for staff_id, n30, n90 in session.execute(
                select(
                    ContactLog.staff_id,
                    func.sum(case((ContactLog.occurred_at >= start_30, 1), else_=0)),
                    func.count(),
                )
                .where(
                    ContactLog.staff_id.is_not(None),
                    ContactLog.occurred_at >= start_90,
                    ContactLog.occurred_at < end,
                    ContactLog.deleted_at.is_(None),
                )
                .group_by(ContactLog.staff_id)
            )
        }
        # Follow-ups of deleted customers are left out, as on My day.
        overdue = dict(
            session.execute(
                select(FollowUp.owner_id, func.count())
                .join(Customer, Customer.id == FollowUp.customer_id)
                .where(
                    FollowUp.status == FollowUpStatus.OPEN.value,
                    FollowUp.deleted_at.is_(None),
                    FollowUp.due_on < as_of,
                    live,
                    FollowUp.owner_id.is_not(None),
                )
                .group_by(FollowUp.owner_id)
            ).all()
        )
        w = _watched(session, as_of, None)
        lapsed_counts = dict(
            session.execute(
                select(w.c.manager_id, func.count())
                .where(w.c.manager_id.is_not(None), _lapsed_condition(w, as_of, None, _watch_days(session)))
                .group_by(w.c.manager_id)
            ).all()
        )
        people = session.execute(
            select(Staff.id, Staff.name, func.coalesce(Department.name, ""), Staff.active)
            .outerjoin(Department, Department.id == Staff.department_id)
            .where(Staff.deleted_at.is_(None))
            .order_by(Staff.name, Staff.id)
        ).all()
    result = []
    for staff_id, name, department, active in people:
        tiers = by_tier.get(staff_id, {})
        customers = sum(tiers.values())
        if not active and not customers:
            continue
        n30, n90 = contacts.get(staff_id, (0, 0))
        result.append(
            StaffOverview(
                staff_id=staff_id,
                name=name,
                department=department,
                active=active,
                customers=customers,
                by_tier=dict(sorted(tiers.items())),
                revenue_12m=revenue.get(staff_id) or Decimal("0.00"),
                contacts_30=int(n30 or 0),
                contacts_90=int(n90),
                overdue_follow_ups=overdue.get(staff_id, 0),
                lapsed=lapsed_counts.get(staff_id, 0),
            )
        )
    return result
