"""The deadline check: overdue complaint tickets escalate to the department's manager, then the general
manager.

Run at start and every few minutes by the window, or by `complaints check-deadlines`. Each level is
recorded once per ticket (a ticket found two levels late gets both), and shows in "My day" of the person
it reaches until the ticket is handled."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, aliased

from app.db import Database
from app.models import (
    ADMIN_STAFF_ID,
    Complaint,
    ComplaintEscalation,
    Customer,
    Staff,
    utcnow,
)
from app.models.complaint import OPEN_STATUSES
from app.models.enums import StaffRole
from app.services import events
from app.services.actor import Actor
from app.services.complaints import read_policy
from app.services.staff import serving


@dataclass(frozen=True)
class Escalated:
    """One escalation the check made."""

    ticket_id: uuid.UUID
    number: int
    level: int
    to_staff_id: uuid.UUID
    to_name: str
    propose_reassign: bool


@dataclass(frozen=True)
class EscalationItem:
    """An escalation as "My day" shows it to the person it reached."""

    ticket_id: uuid.UUID
    number: int
    customer_id: uuid.UUID
    customer_name: str
    level: int
    at: datetime
    due_at: datetime | None
    description: str
    propose_reassign: bool


def _recipients(session: Session) -> tuple[dict[uuid.UUID | None, uuid.UUID], uuid.UUID]:
    """Each department's manager, and the general manager: the first by name of those still working here.
    A department without a manager escalates to the general manager; an office without one, to the
    administrator, so that nothing escalates to nobody."""
    people = session.execute(
        select(Staff.id, Staff.department_id, Staff.role)
        .where(serving(), Staff.role.in_([StaffRole.MANAGER.value, StaffRole.GENERAL_MANAGER.value]))
        .order_by(Staff.name, Staff.id)
    ).all()
    general = next((p.id for p in people if p.role == StaffRole.GENERAL_MANAGER.value), ADMIN_STAFF_ID)
    managers: dict[uuid.UUID | None, uuid.UUID] = {}
    for p in people:
        if p.role == StaffRole.MANAGER.value:
            managers.setdefault(p.department_id, p.id)
    return managers, general


def check_deadlines(db: Database, actor: Actor, now: datetime | None = None) -> list[Escalated]:
    """Escalate every open ticket past its deadline at `now` that has not reached its level yet."""
    now = now or utcnow()
    with db.session() as session:
        policy = read_policy(session)
        # Only tickets whose deadline has passed and that are not at the top level: the open-by-deadline
        # index finds them without reading the handled ones.
        late = session.execute(
            select(
                Complaint.id,
                Complaint.number,
                Complaint.due_at,
                Complaint.escalation_level,
                Complaint.department_id,
            )
            .join(Customer, Customer.id == Complaint.customer_id)
            .where(
                Complaint.status.in_(OPEN_STATUSES),
                Complaint.deleted_at.is_(None),
                Complaint.due_at < now,
                Complaint.escalation_level < 2,
                Customer.deleted_at.is_(None),  # a deleted customer's file (and its tickets) rest
            )
            .order_by(Complaint.due_at)
        ).all()
        if not late:
            return []
        # Each ticket's new level, grouped by (old level, new level) so one UPDATE claims a whole group.
        raising: dict[tuple[int, int], list] = {}
        for t in late:
            level = policy.deadlines.escalation_level(t.due_at, now, policy.calendar)
            if level > t.escalation_level:
                raising.setdefault((t.escalation_level, level), []).append(t)
        if not raising:
            return []
        managers, general = _recipients(session)
        names = dict(session.execute(select(Staff.id, Staff.name)).all())
        done: list[Escalated] = []
        for (old, new), tickets in raising.items():
            for start in range(0, len(tickets), 500):
                part = {t.id: t for t in tickets[start : start + 500]}
                # Claimed only if still at the level read: another computer checking at the same moment
                # has then raised it already, and its escalations are not recorded twice. No new version:
                # the level is the check's, and someone editing the ticket keeps their edit.
                claimed = session.scalars(
                    update(Complaint)
                    .where(Complaint.id.in_(part), Complaint.escalation_level == old)
                    .values(escalation_level=new)
                    .returning(Complaint.id),
                    execution_options={"synchronize_session": False},
                ).all()
                for ticket_id in claimed:
                    t = part[ticket_id]
                    for step in range(old + 1, new + 1):
                        to = managers.get(t.department_id, general) if step == 1 else general
                        done.append(
                            Escalated(
                                ticket_id=t.id,
                                number=t.number or 0,
                                level=step,
                                to_staff_id=to,
                                to_name=names.get(to, ""),
                                propose_reassign=policy.propose_reassign and step == 1,
                            )
                        )
        if not done:
            return []
        position = {t.id: index for index, t in enumerate(late)}  # the most overdue first
        done.sort(key=lambda e: (position[e.ticket_id], e.level))
        session.execute(
            insert(ComplaintEscalation),
            [
                {
                    "id": uuid.uuid4(),
                    "complaint_id": e.ticket_id,
                    "level": e.level,
                    "at": now,
                    "to_staff_id": e.to_staff_id,
                    "propose_reassign": e.propose_reassign,
                }
                for e in done
            ],
        )
    events.publish(events.Change("complaint", frozenset(e.ticket_id for e in done)))
    return done


def latest_escalation(db: Database) -> datetime | None:
    """When the newest escalation was recorded, by any computer: a window notices others' checks by it."""
    with db.session() as session:
        return session.scalar(select(func.max(ComplaintEscalation.at)))


def escalations_for(db: Database, actor: Actor, staff_id: uuid.UUID | None = None) -> list[EscalationItem]:
    """The escalations that reached `staff_id` (default: the actor) on tickets still open, newest first."""
    staff_id = staff_id or actor.staff_id
    e = aliased(ComplaintEscalation)
    with db.session() as session:
        rows = session.execute(
            select(
                Complaint.id,
                Complaint.number,
                Complaint.customer_id,
                Customer.name,
                e.level,
                e.at,
                Complaint.due_at,
                func.substr(Complaint.description, 1, 200),
                e.propose_reassign,
            )
            .join(Complaint, Complaint.id == e.complaint_id)
            .join(Customer, Customer.id == Complaint.customer_id)
            .where(
                e.to_staff_id == staff_id,
                Complaint.status.in_(OPEN_STATUSES),
                Complaint.deleted_at.is_(None),
                Customer.deleted_at.is_(None),
                # Only this round's: a ticket reopened or given a later deadline starts over at level 0,
                # and what was escalated before that stays on the ticket's record, not in My day.
                e.level <= Complaint.escalation_level,
                e.at >= Complaint.due_at,
            )
            .order_by(e.at.desc(), e.level.desc(), Complaint.number)
        ).all()
    return [
        EscalationItem(
            ticket_id=r[0],
            number=r[1] or 0,
            customer_id=r[2],
            customer_name=r[3],
            level=r[4],
            at=r[5],
            due_at=r[6],
            description=" ".join(r[7].split()),
            propose_reassign=r[8],
        )
        for r in rows
    ]
