"""Handover (交接): a staff member's customers and open follow-ups moved to others, in one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, func, insert, select, update
from sqlalchemy.orm import Session, aliased

from app.db import Database
from app.i18n import N_, _
from app.models import (
    ADMIN_STAFF_ID,
    ChangeLog,
    Customer,
    CustomerStaff,
    FollowUp,
    Staff,
    Transaction,
    utcnow,
)
from app.models.enums import FollowUpStatus
from app.services import events
from app.services.actor import Actor
from app.services.errors import Cancelled, NotFoundError, ServiceError
from app.services.staff import CHUNK, StaffInfo, change_row, drop_additional_staff, serving, staff_info
from app.services.staff import mark_left as mark_staff_left
from app.services.tiers import year_before

BY_COUNT = "count"
BY_REVENUE = "revenue"
SPLITS = (BY_COUNT, BY_REVENUE)
# The new manager introduces themselves within this many days of the handover.
INTRODUCE_AFTER_DAYS = 3
HANDOVER_ORIGIN = "handover"
# More customers than this and the change is announced as "everything" (views reload all).
ANNOUNCE_IDS_LIMIT = 1000


@dataclass(frozen=True)
class HandoverCustomer:
    id: uuid.UUID
    code: str
    name: str
    tier: str
    revenue_12m: Decimal
    open_follow_ups: int  # the handing-over person's, on this customer


@dataclass(frozen=True)
class HandoverSituation:
    staff: StaffInfo
    customers: list[HandoverCustomer]
    open_follow_ups: int  # the handing-over person's open follow-ups on these customers (what moves)
    additional_of: int  # live customers this person serves as additional staff


# How the CLI and the wizard report follow-ups given away because their owner was marked as left.
REASSIGNED = N_("{n} other open follow-ups of the leaver's went to the customers' account managers.")


@dataclass(frozen=True)
class HandoverResult:
    moved: int
    per_recipient: dict[uuid.UUID, int]
    follow_ups_moved: int  # the leaver's open follow-ups that went with the customers moved
    follow_ups_created: int
    marked_left: bool
    # Marked as left: the leaver's other open follow-ups (customers not moved), given to someone active.
    follow_ups_reassigned: int = 0


def revenue_window(as_of: date) -> tuple[ColumnElement[bool], ...]:
    """The transactions a 12-month revenue sums: live, in (as_of − 1 year, as_of], the window of a
    tier evaluation."""
    return (
        Transaction.deleted_at.is_(None),
        Transaction.occurred_on > year_before(as_of),
        Transaction.occurred_on <= as_of,
    )


def revenues_12m(session: Session, customer_ids: list[uuid.UUID], as_of: date) -> dict[uuid.UUID, Decimal]:
    """The 12-month revenue of each of these customers that has one: grouped sums over chunks of ids,
    each read from the (customer_id, occurred_on, amount) index whatever the planner's statistics say."""
    found: dict[uuid.UUID, Decimal] = {}
    for start in range(0, len(customer_ids), CHUNK):
        part = customer_ids[start : start + CHUNK]
        found.update(
            session.execute(
                select(Transaction.customer_id, func.sum(Transaction.amount))
                .where(Transaction.customer_id.in_(part), *revenue_window(as_of))
                .group_by(Transaction.customer_id)
            ).all()
        )
    return found


def situation(
    db: Database,
    actor: Actor,
    staff_id: uuid.UUID,
    as_of: date | None = None,
    customer_ids: list[uuid.UUID] | None = None,
) -> HandoverSituation:
    """What a handover of `staff_id` moves: the live customers they manage (or only those of
    `customer_ids` they manage), largest 12-month revenue first, then by code.

    Grouped queries (revenue per 500 customers, follow-ups), never one per customer.
    """
    as_of = as_of or date.today()
    managed = select(Customer.id, Customer.code, Customer.name, Customer.tier).where(
        Customer.manager_id == staff_id, Customer.deleted_at.is_(None)
    )
    with db.session() as session:
        info = staff_info(session, staff_id)
        if customer_ids is None:
            rows = session.execute(managed).all()
        else:
            ids = list(dict.fromkeys(customer_ids))
            rows = []
            for start in range(0, len(ids), CHUNK):
                rows.extend(session.execute(managed.where(Customer.id.in_(ids[start : start + CHUNK]))))
        revenue = revenues_12m(session, [r.id for r in rows], as_of)
        # All the person's open follow-ups, from the partial index of open ones by owner (no join a
        # planner could get wrong); those of the customers listed are used.
        follow_ups = dict(
            session.execute(
                select(FollowUp.customer_id, func.count())
                .where(
                    FollowUp.owner_id == staff_id,
                    FollowUp.status == FollowUpStatus.OPEN.value,
                    FollowUp.deleted_at.is_(None),
                )
                .group_by(FollowUp.customer_id)
            ).all()
        )
        additional_of = session.scalar(
            select(func.count())
            .select_from(CustomerStaff)
            .join(Customer, Customer.id == CustomerStaff.customer_id)
            .where(
                CustomerStaff.staff_id == staff_id,
                CustomerStaff.deleted_at.is_(None),
                Customer.deleted_at.is_(None),
            )
        )
    customers = [
        HandoverCustomer(*r, revenue.get(r.id) or Decimal("0.00"), follow_ups.get(r.id, 0)) for r in rows
    ]
    customers.sort(key=lambda c: (-c.revenue_12m, c.code))
    return HandoverSituation(
        staff=info,
        customers=customers,
        open_follow_ups=sum(c.open_follow_ups for c in customers),
        additional_of=additional_of or 0,
    )


def split(
    customers: list[HandoverCustomer],
    recipients: list[uuid.UUID],
    by: str,
    leaver: uuid.UUID | None = None,
) -> dict[uuid.UUID, uuid.UUID]:
    """Who takes which customer (customer id → recipient), a proposal to show and adjust.

    "count": in the customers' order, round-robin over the recipients in their order, so their counts
    differ by at most one. "revenue": largest revenue first, each to the recipient with the least
    revenue so far (ties: fewer customers, then the recipients' order) — the greedy balance.
    """
    recipients = list(dict.fromkeys(recipients))
    _check_recipient_list(recipients, leaver)
    if by == BY_COUNT:
        return {c.id: recipients[i % len(recipients)] for i, c in enumerate(customers)}
    if by != BY_REVENUE:
        raise ServiceError(
            _("Split the customers by {choices}, not {by}.").format(choices=" or ".join(SPLITS), by=by)
        )
    totals = [Decimal(0)] * len(recipients)
    counts = [0] * len(recipients)
    assignment = {}
    # sorted() is stable: equal revenues keep the order they were given in.
    for customer in sorted(customers, key=lambda c: -c.revenue_12m):
        i = min(range(len(recipients)), key=lambda k: (totals[k], counts[k], k))
        assignment[customer.id] = recipients[i]
        totals[i] += customer.revenue_12m
        counts[i] += 1
    return assignment


def _check_recipient_list(recipients, leaver: uuid.UUID | None) -> None:
    if not recipients:
        raise ServiceError(_("Choose at least one staff member to take over the customers."))
    if leaver is not None and leaver in recipients:
        raise ServiceError(
            _("The customers cannot be handed over to the person handing them over: choose someone else.")
        )


def _check_recipients(session: Session, leaver: Staff, recipients: list[uuid.UUID]) -> None:
    if not recipients:
        return  # nothing to move: a handover may only mark the person as left
    _check_recipient_list(recipients, leaver.id)
    people = {r.id: r for r in session.scalars(select(Staff).where(Staff.id.in_(recipients)))}
    for recipient in recipients:
        person = people.get(recipient)
        if person is None or person.deleted_at is not None:
            raise NotFoundError(_("This staff member no longer exists."))
        if not person.active:
            raise ServiceError(_("{name} has left and cannot take over customers.").format(name=person.name))


def execute(
    db: Database,
    actor: Actor,
    from_staff_id: uuid.UUID,
    assignment: dict[uuid.UUID, uuid.UUID],
    mark_left: bool = False,
    as_of: date | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> HandoverResult:
    """Move the customers of `assignment` (customer id → recipient) from `from_staff_id`, all or nothing.

    For each customer moved: the new account manager and a history entry (old → new manager); the
    leaver's open follow-ups of it go to the new manager, who also gets a follow-up to introduce
    themselves, due `as_of` + 3 days; a new manager who was an additional staff of it is no longer
    listed as one. A customer the leaver no longer manages (changed meanwhile, or deleted) is left
    alone and not counted. `mark_left`: the leaver leaves on `as_of` and stops being additional staff,
    and their other open follow-ups (of customers not moved: those they only served, others' customers,
    their own customers left out of `assignment`) go to the customer's account manager if that manager
    is active, else to the first recipient (of the first customer in `assignment`); with no recipient,
    only those with an active account manager move.

    Managers only. One transaction; a failure or Cancel (checked between chunks of 500) leaves everything
    as it was.
    """
    actor.require_manager()
    return _execute(
        db, actor, from_staff_id, assignment, mark_left, as_of or date.today(), progress, cancelled
    )


def _execute(db, actor, from_staff_id, assignment, leave, as_of, progress, cancelled) -> HandoverResult:
    by_recipient: dict[uuid.UUID, list[uuid.UUID]] = {}
    for customer_id, recipient in assignment.items():
        by_recipient.setdefault(recipient, []).append(customer_id)
    total = len(assignment)
    per_recipient = dict.fromkeys(by_recipient, 0)
    purpose = _("Introduce the new account manager")
    due_on = as_of + timedelta(days=INTRODUCE_AFTER_DAYS)
    moved_all: list[uuid.UUID] = []
    follow_ups_moved = follow_ups_reassigned = 0
    now = utcnow()
    customers = Customer.__table__

    def check_cancel() -> None:
        if cancelled is not None and cancelled():
            raise Cancelled(_("The handover was cancelled; nothing was changed."))

    with db.session() as session:
        leaver = session.get(Staff, from_staff_id)
        if leaver is None or leaver.deleted_at is not None:
            raise NotFoundError(_("This staff member no longer exists."))
        _check_recipients(session, leaver, list(by_recipient))
        if leave and leaver.id == ADMIN_STAFF_ID:
            raise ServiceError(_("The built-in administrator cannot leave."))  # said before any work
        if progress is not None:
            progress(0, total)
        done = 0
        for recipient, ids in by_recipient.items():
            for start in range(0, len(ids), CHUNK):
                check_cancel()
                part = ids[start : start + CHUNK]
                moved = list(
                    session.execute(
                        update(customers)
                        .where(
                            customers.c.id.in_(part),
                            customers.c.manager_id == from_staff_id,
                            customers.c.deleted_at.is_(None),
                        )
                        .values(
                            manager_id=recipient,
                            updated_at=now,
                            updated_by_id=actor.staff_id,
                            version=customers.c.version + 1,
                        )
                        .returning(customers.c.id)
                    ).scalars()
                )
                done += len(part)
                if moved:
                    follow_ups_moved += _move_chunk(
                        session, actor, from_staff_id, recipient, moved, purpose, due_on, now
                    )
                    per_recipient[recipient] += len(moved)
                    moved_all.extend(moved)
                if progress is not None:
                    progress(done, total)
        if leave:
            first_recipient = next(iter(by_recipient), None)
            follow_ups_reassigned = _reassign_other_follow_ups(
                session, actor, from_staff_id, first_recipient, now
            )
            mark_staff_left(session, actor, leaver, as_of, now)
        check_cancel()  # the last moment Cancel can still keep everything as it was
    ids = frozenset(moved_all) if len(moved_all) <= ANNOUNCE_IDS_LIMIT else frozenset()
    events.publish(events.Change("customer", ids))
    events.publish(events.Change("follow_up"))
    events.publish(events.Change("staff"))
    return HandoverResult(
        moved=len(moved_all),
        per_recipient=per_recipient,
        follow_ups_moved=follow_ups_moved,
        follow_ups_created=len(moved_all),
        marked_left=leave,
        follow_ups_reassigned=follow_ups_reassigned,
    )


def _move_chunk(
    session: Session,
    actor: Actor,
    from_staff_id: uuid.UUID,
    recipient: uuid.UUID,
    moved: list[uuid.UUID],
    purpose: str,
    due_on: date,
    now,
) -> int:
    """Everything that follows a chunk of customers to their new manager; returns follow-ups moved."""
    follow_ups = FollowUp.__table__
    moved_follow_ups = _give_open_follow_ups(
        session, actor, from_staff_id, recipient, follow_ups.c.customer_id.in_(moved), now
    )
    introductions = [
        {
            "id": uuid.uuid4(),
            "customer_id": customer_id,
            "owner_id": recipient,
            "due_on": due_on,
            "purpose": purpose,
            "origin": HANDOVER_ORIGIN,
            "status": FollowUpStatus.OPEN.value,
            "created_by_id": actor.staff_id,
            "updated_by_id": actor.staff_id,
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        for customer_id in moved
    ]
    session.execute(insert(follow_ups), introductions)
    # The history as the customer file shows it: the manager (an id the History tab names) and the
    # follow-up planned, as FollowUpService.create records one.
    history = [
        change_row(actor, customer_id, "manager_id", str(from_staff_id), str(recipient), now)
        for customer_id in moved
    ]
    history += [
        {
            **change_row(actor, row["customer_id"], "due_on", "", row["due_on"].isoformat(), now),
            "entity": "follow_up",
            "entity_id": row["id"],
            "action": "create",
        }
        for row in introductions
    ]
    session.execute(insert(ChangeLog.__table__), history)
    # The new manager was perhaps one of the customer's additional staff: now they are its manager.
    pairs = session.execute(
        select(CustomerStaff.customer_id, CustomerStaff.staff_id).where(
            CustomerStaff.customer_id.in_(moved),
            CustomerStaff.staff_id == recipient,
            CustomerStaff.deleted_at.is_(None),
        )
    ).all()
    drop_additional_staff(session, actor, pairs, now)
    return moved_follow_ups


def _reassign_other_follow_ups(
    session: Session, actor: Actor, leaver_id: uuid.UUID, fallback: uuid.UUID | None, now
) -> int:
    """The leaver's open follow-ups still theirs after the customers moved (so of customers not moved)
    go to the customer's account manager when that is someone else who is active, else to `fallback`
    (none: they stay). Written as the follow-ups moving with a customer are; returns how many moved.

    Read from the partial index of open follow-ups by owner; updated in chunks of 500.
    """
    manager = aliased(Staff)
    rows = session.execute(
        select(FollowUp.id, manager.id)
        .join(Customer, Customer.id == FollowUp.customer_id)
        .outerjoin(
            manager,
            and_(
                manager.id == Customer.manager_id,
                manager.id != leaver_id,
                serving(manager),
            ),
        )
        .where(
            FollowUp.owner_id == leaver_id,
            FollowUp.status == FollowUpStatus.OPEN.value,
            FollowUp.deleted_at.is_(None),
        )
    ).all()
    by_owner: dict[uuid.UUID, list[uuid.UUID]] = {}
    for follow_up_id, active_manager in rows:
        owner = active_manager or fallback
        if owner is not None:
            by_owner.setdefault(owner, []).append(follow_up_id)
    reassigned = 0
    for owner, ids in by_owner.items():
        for start in range(0, len(ids), CHUNK):
            part = ids[start : start + CHUNK]
            reassigned += _give_open_follow_ups(session, actor, leaver_id, owner, FollowUp.id.in_(part), now)
    return reassigned


def _give_open_follow_ups(
    session: Session, actor: Actor, from_id: uuid.UUID, to_id: uuid.UUID, which: ColumnElement[bool], now
) -> int:
    """`from_id`'s open follow-ups among `which` become `to_id`'s (a new version each); how many."""
    follow_ups = FollowUp.__table__
    return session.execute(
        update(follow_ups)
        .where(
            which,
            follow_ups.c.owner_id == from_id,
            follow_ups.c.status == FollowUpStatus.OPEN.value,
            follow_ups.c.deleted_at.is_(None),
        )
        .values(
            owner_id=to_id, updated_at=now, updated_by_id=actor.staff_id, version=follow_ups.c.version + 1
        )
    ).rowcount
