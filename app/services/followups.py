"""Follow-ups: planned contacts with a due date, owner and purpose; the due lists of "My day"."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.db import Database
from app.i18n import _, format_date
from app.models import Customer, CustomerStaff, FollowUp, Staff, utcnow
from app.models.enums import FollowUpStatus
from app.services import events
from app.services.actor import Actor
from app.services.customers import CustomerService, concurrency_error, history_text, log_change
from app.services.errors import NotFoundError, ValidationError

# "This week" on My day: the days after today up to a week ahead, whatever weekday today is.
WEEK_DAYS = 7


@dataclass(frozen=True)
class FollowUpInput:
    customer_id: uuid.UUID
    due_on: date
    owner_id: uuid.UUID | None = None  # None: the customer's account manager, else whoever plans it
    purpose: str = ""


@dataclass(frozen=True)
class FollowUpInfo:
    id: uuid.UUID
    version: int
    customer_id: uuid.UUID
    customer_code: str
    customer_name: str
    tier: str
    owner_id: uuid.UUID | None
    owner: str
    due_on: date
    purpose: str
    origin: str
    status: str


@dataclass(frozen=True)
class DueLists:
    """One person's (or everyone's) open follow-ups as of a day."""

    as_of: date
    overdue: list[FollowUpInfo]
    today: list[FollowUpInfo]
    this_week: list[FollowUpInfo]
    # How many there are in all: with a `limit` the lists hold only the first of them.
    overdue_total: int = 0
    today_total: int = 0
    week_total: int = 0


def _info_select() -> Select:
    return (
        select(
            FollowUp.id,
            FollowUp.version,
            FollowUp.customer_id,
            Customer.code,
            Customer.name,
            Customer.tier,
            FollowUp.owner_id,
            func.coalesce(Staff.name, ""),
            FollowUp.due_on,
            FollowUp.purpose,
            FollowUp.origin,
            FollowUp.status,
        )
        .join(Customer, Customer.id == FollowUp.customer_id)
        .outerjoin(Staff, Staff.id == FollowUp.owner_id)
        .where(FollowUp.deleted_at.is_(None), Customer.deleted_at.is_(None))
    )


def _open() -> list:
    # Spelled as the partial indexes' condition, so the database can use them.
    return [FollowUp.status == FollowUpStatus.OPEN.value, FollowUp.deleted_at.is_(None)]


def customers_served_by(staff_id: uuid.UUID):
    """The condition "this person is the customer's account manager or one of its additional staff"."""
    additional = select(CustomerStaff.customer_id).where(
        CustomerStaff.staff_id == staff_id, CustomerStaff.deleted_at.is_(None)
    )
    return or_(Customer.manager_id == staff_id, Customer.id.in_(additional))


@dataclass(frozen=True)
class ContactPlan:
    """What a new contact does to a customer's follow-ups, in the window and on the command line alike."""

    answers: FollowUpInfo | None  # the earliest open follow-up due by a week after the contact
    # Plan the next contact by the cadence: only when no other follow-up stays open, or every contact
    # would pile up one more.
    plan_next: bool


def contact_plan(open_follow_ups: list[FollowUpInfo], on: date) -> ContactPlan:
    """`open_follow_ups` sorted by due date, as `for_customer` gives them; `on`, the contact's day."""
    answers = next((f for f in open_follow_ups if f.due_on <= on + timedelta(days=WEEK_DAYS)), None)
    return ContactPlan(answers, plan_next=all(f is answers for f in open_follow_ups))


class FollowUpService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def due(
        self, actor: Actor, staff_id: uuid.UUID | None, as_of: date | None = None, limit: int | None = None
    ) -> DueLists:
        """Open follow-ups owned by `staff_id` (None: everyone's): overdue, due on `as_of`, the week after,
        each in date order and cut at `limit` (a manager's view of the whole office can run to thousands)."""
        as_of = as_of or date.today()
        week_end = as_of + timedelta(days=WEEK_DAYS)
        owner = [FollowUp.owner_id == staff_id] if staff_id is not None else []
        sections = {
            "overdue": FollowUp.due_on < as_of,
            "today": FollowUp.due_on == as_of,
            "week": (FollowUp.due_on > as_of) & (FollowUp.due_on <= week_end),
        }
        lists: dict[str, list[FollowUpInfo]] = {}
        totals: dict[str, int] = {}
        with self.db.session() as session:
            for name, condition in sections.items():
                stmt = (
                    _info_select().where(*_open(), *owner, condition).order_by(FollowUp.due_on, Customer.code)
                )
                lists[name] = [FollowUpInfo(*r) for r in session.execute(stmt.limit(limit))]
                totals[name] = (
                    len(lists[name])
                    if limit is None or len(lists[name]) < limit
                    else session.scalar(
                        select(func.count())
                        .select_from(FollowUp)
                        .join(Customer, Customer.id == FollowUp.customer_id)
                        .where(*_open(), *owner, condition, Customer.deleted_at.is_(None))
                    )
                )
        return DueLists(
            as_of=as_of,
            overdue=lists["overdue"],
            today=lists["today"],
            this_week=lists["week"],
            overdue_total=totals["overdue"],
            today_total=totals["today"],
            week_total=totals["week"],
        )

    def for_customer(
        self, actor: Actor, customer_id: uuid.UUID, open_only: bool = True
    ) -> list[FollowUpInfo]:
        stmt = _info_select().where(FollowUp.customer_id == customer_id)
        if open_only:
            stmt = stmt.where(*_open())
        with self.db.session() as session:
            return [FollowUpInfo(*r) for r in session.execute(stmt.order_by(FollowUp.due_on))]

    def get(self, actor: Actor, follow_up_id: uuid.UUID) -> FollowUpInfo:
        with self.db.session() as session:
            return self._info(session, follow_up_id)

    @staticmethod
    def _info(session: Session, follow_up_id: uuid.UUID) -> FollowUpInfo:
        row = session.execute(_info_select().where(FollowUp.id == follow_up_id)).first()
        if row is None:
            raise NotFoundError(_("This follow-up no longer exists."))
        return FollowUpInfo(*row)

    def create(self, actor: Actor, data: FollowUpInput) -> FollowUpInfo:
        purpose = data.purpose.strip()
        if not purpose:
            raise ValidationError({"purpose": _("Write the follow-up's purpose.")})
        with self.db.session() as session:
            customer = CustomerService.live_row(session, data.customer_id)
            owner = data.owner_id or customer.manager_id or actor.staff_id
            row = FollowUp(
                customer_id=customer.id,
                owner_id=owner,
                due_on=data.due_on,
                purpose=purpose,
                origin="manual",
                created_by_id=actor.staff_id,
                updated_by_id=actor.staff_id,
            )
            session.add(row)
            session.flush()
            log_change(
                session,
                actor,
                customer.id,
                "follow_up",
                row.id,
                "create",
                [("due_on", "", history_text(data.due_on))],
            )
            info = self._info(session, row.id)
        self._announce(data.customer_id)
        return info

    def reschedule(
        self,
        actor: Actor,
        follow_up_id: uuid.UUID,
        due_on: date,
        reason: str,
        expected_version: int | None = None,
    ) -> FollowUpInfo:
        """Move an open follow-up to another day; the reason goes into the file's history."""
        reason = reason.strip()
        if not reason:
            raise ValidationError({"reason": _("Say why the follow-up moves.")})
        return self._change(actor, follow_up_id, expected_version, "reschedule", reason, due_on=due_on)

    def cancel(
        self, actor: Actor, follow_up_id: uuid.UUID, reason: str, expected_version: int | None = None
    ) -> FollowUpInfo:
        reason = reason.strip()
        if not reason:
            raise ValidationError({"reason": _("Say why the follow-up is cancelled.")})
        return self._change(actor, follow_up_id, expected_version, "cancel", reason)

    def _change(self, actor: Actor, follow_up_id, expected_version, action: str, reason: str, due_on=None):
        try:
            with self.db.session() as session:
                row = session.get(FollowUp, follow_up_id)
                if row is None or row.deleted_at is not None:
                    raise NotFoundError(_("This follow-up no longer exists."))
                if expected_version is not None and row.version != expected_version:
                    raise concurrency_error(session, row)
                if row.status != FollowUpStatus.OPEN.value:
                    raise ValidationError({"status": _("This follow-up is already done or cancelled.")})
                changes = [("reason", "", reason)]
                if action == "reschedule":
                    if due_on == row.due_on:
                        raise ValidationError(
                            {
                                "due_on": _("The follow-up is already due on {date}.").format(
                                    date=format_date(due_on)
                                )
                            }
                        )
                    changes.insert(0, ("due_on", history_text(row.due_on), history_text(due_on)))
                    row.due_on = due_on
                else:
                    row.status = FollowUpStatus.CANCELLED.value
                row.updated_at = utcnow()
                row.updated_by_id = actor.staff_id
                session.flush()
                log_change(session, actor, row.customer_id, "follow_up", row.id, action, changes)
                info = self._info(session, row.id)
        except StaleDataError:
            with self.db.session() as session:
                raise concurrency_error(session, session.get(FollowUp, follow_up_id)) from None
        self._announce(info.customer_id)
        return info

    @staticmethod
    def _announce(customer_id: uuid.UUID) -> None:
        events.publish(events.Change("follow_up", frozenset({customer_id})))
