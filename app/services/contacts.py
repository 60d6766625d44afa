"""Contact logs: record an interaction, edit it within the office's window, and each customer's timeline."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.db import Database
from app.i18n import N_, _, format_date, format_datetime, format_money
from app.models import (
    ChangeLog,
    Complaint,
    ComplaintStep,
    ContactLog,
    ContactPerson,
    Customer,
    FollowUp,
    OfficeSetting,
    Staff,
    TierHistory,
    Transaction,
    contact_log_staff,
    utcnow,
)
from app.models.enums import ContactKind, FollowUpStatus
from app.services import events, labels
from app.services.actor import Actor
from app.services.complaint_flow import step_name
from app.services.customers import (
    CustomerService,
    changed_fields,
    concurrency_error,
    history_text,
    log_change,
    staff_name,
)
from app.services.errors import NotFoundError, ServiceError, ValidationError
from app.services.tiers import TierService

EDIT_DAYS_KEY = "contact_edit_days"
DEFAULT_EDIT_DAYS = 7
# A contact may be logged a little ahead (a meeting this afternoon), not days ahead: a typo in the year
# would otherwise keep the customer off the service watch for a long time.
FUTURE_SLACK = timedelta(days=1)
TEXT_LIMITS = {"subject": 200}
# Timeline kinds, in the order the filter offers them: the filter's name and one entry's.
TIMELINE_KINDS = ("contact", "follow_up", "transaction", "tier", "complaint", "change")
TIMELINE_KIND_NAMES = {
    "contact": (N_("Contact logs"), N_("Contact log")),
    "follow_up": (N_("Follow-ups"), N_("Follow-up")),
    "transaction": (N_("Transactions"), N_("Sale")),
    "tier": (N_("Tier changes"), N_("Tier")),
    "complaint": (N_("Complaints"), N_("Complaint")),
    "change": (N_("Changes"), N_("Change")),
}


@dataclass(frozen=True)
class ContactLogInput:
    kind: str = ContactKind.PHONE.value
    occurred_at: datetime | None = None  # aware; None: now
    staff_ids: tuple[uuid.UUID, ...] = ()  # who took part; the first is the one it is counted for
    contact_person_id: uuid.UUID | None = None
    subject: str = ""
    summary: str = ""
    outcome: str = ""
    next_step: str = ""
    next_date: date | None = None  # becomes an open follow-up
    completes: uuid.UUID | None = None  # the open follow-up this contact was (marked done)


@dataclass(frozen=True)
class ContactLogDetail:
    id: uuid.UUID
    customer_id: uuid.UUID
    version: int
    data: ContactLogInput
    author: str
    author_id: uuid.UUID | None
    created_at: datetime
    staff_names: tuple[str, ...]
    contact_person: str
    can_edit: bool


@dataclass(frozen=True)
class CadenceProposal:
    """The next contact the customer's tier asks for: `days` after the last one."""

    due_on: date
    days: int
    tier: str
    tier_name: str


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime  # when, for ordering; a date-only event (a sale) sorts at the start of its day
    kind: str  # one of TIMELINE_KINDS
    title: str
    text: str
    who: str = ""
    on: date | None = None  # set for date-only events: shown as a date, not a time
    ref_id: uuid.UUID | None = None
    details: tuple[str, ...] = field(default_factory=tuple)


def refresh_last_contact(session: Session, customer_ids) -> None:
    """Set each customer's last_contact_at to its newest live contact log (None without one)."""
    ids = list(customer_ids)
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        newest = (
            select(func.max(ContactLog.occurred_at))
            .where(ContactLog.customer_id == Customer.id, ContactLog.deleted_at.is_(None))
            .scalar_subquery()
        )
        session.execute(
            update(Customer).where(Customer.id.in_(part)).values(last_contact_at=newest),
            execution_options={"synchronize_session": False},
        )


def edit_days(session: Session) -> int:
    value = session.scalar(select(OfficeSetting.value).where(OfficeSetting.key == EDIT_DAYS_KEY))
    try:
        return max(0, int(value)) if value is not None else DEFAULT_EDIT_DAYS
    except ValueError:
        return DEFAULT_EDIT_DAYS


def day_start(day: date) -> datetime:
    """Local midnight of a day, as an aware time: how a date-only event and an `--as-of` date meet the
    stored UTC times (the office's day is the machine's, not Greenwich's)."""
    return datetime.combine(day, time.min).astimezone()


def _may_edit(actor: Actor, row: ContactLog, window_days: int, now: datetime) -> bool:
    if actor.is_manager:
        return True
    return row.created_by_id == actor.staff_id and now - row.created_at <= timedelta(days=window_days)


def clean_log(session: Session, customer_id: uuid.UUID, data: ContactLogInput) -> ContactLogInput:
    """The input checked field by field; ValidationError names each wrong field in the user's words."""
    errors: dict[str, str] = {}
    if data.kind not in labels.CONTACT_KIND:
        errors["kind"] = _("{value} is not a contact type.").format(value=data.kind)
    occurred = data.occurred_at or utcnow()
    if occurred.tzinfo is None:
        raise ValueError("naive datetime: pass an aware datetime")
    if occurred > utcnow() + FUTURE_SLACK:
        errors["occurred_at"] = _("The contact is dated in the future ({date}).").format(
            date=format_date(occurred.astimezone().date())
        )
    subject, summary = " ".join(data.subject.split()), data.summary.strip()
    if not subject and not summary:
        errors["summary"] = _("Write what the contact was about: a subject or a summary.")
    if len(subject) > TEXT_LIMITS["subject"]:
        errors["subject"] = _("The subject is longer than {limit} characters.").format(
            limit=TEXT_LIMITS["subject"]
        )
    if data.next_date is not None and data.next_date < occurred.astimezone().date():  # the user's day
        errors["next_date"] = _("The next contact ({date}) is before this one.").format(
            date=format_date(data.next_date)
        )
    staff_ids = tuple(dict.fromkeys(data.staff_ids))
    if staff_ids:
        known = set(
            session.scalars(select(Staff.id).where(Staff.id.in_(staff_ids), Staff.deleted_at.is_(None)))
        )
        if set(staff_ids) - known:
            errors["staff_ids"] = _("A staff member chosen no longer exists.")
    if data.contact_person_id is not None:
        owner = session.scalar(
            select(ContactPerson.customer_id).where(
                ContactPerson.id == data.contact_person_id, ContactPerson.deleted_at.is_(None)
            )
        )
        if owner != customer_id:
            errors["contact_person_id"] = _("The contact person is not one of this customer's.")
    if errors:
        raise ValidationError(errors)
    return replace(
        data,
        occurred_at=occurred,
        staff_ids=staff_ids,
        subject=subject,
        summary=summary,
        outcome=data.outcome.strip(),
        next_step=data.next_step.strip(),
    )


LOGGED_FIELDS = (
    "kind",
    "occurred_at",
    "contact_person_id",
    "subject",
    "summary",
    "outcome",
    "next_step",
    "next_date",
)


class ContactService:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- reading

    def logs(self, actor: Actor, customer_id: uuid.UUID) -> list[ContactLogDetail]:
        """The customer's contact logs, newest first."""
        with self.db.session() as session:
            rows = session.scalars(
                select(ContactLog)
                .where(ContactLog.customer_id == customer_id, ContactLog.deleted_at.is_(None))
                .order_by(ContactLog.occurred_at.desc())
            ).all()
            return self._details(session, actor, rows)

    def get(self, actor: Actor, log_id: uuid.UUID) -> ContactLogDetail:
        with self.db.session() as session:
            return self._details(session, actor, [self._row(session, log_id)])[0]

    @staticmethod
    def _row(session: Session, log_id: uuid.UUID) -> ContactLog:
        row = session.get(ContactLog, log_id)
        if row is None or row.deleted_at is not None:
            raise NotFoundError(_("This contact log no longer exists."))
        return row

    @staticmethod
    def _details(session: Session, actor: Actor, rows: list[ContactLog]) -> list[ContactLogDetail]:
        if not rows:
            return []
        ids = [r.id for r in rows]
        names = dict(session.execute(select(Staff.id, Staff.name)).all())
        people = dict(
            session.execute(
                select(ContactPerson.id, ContactPerson.name).where(
                    ContactPerson.id.in_({r.contact_person_id for r in rows if r.contact_person_id})
                )
            ).all()
        )
        others: dict[uuid.UUID, list[uuid.UUID]] = {i: [] for i in ids}
        for log_id, staff_id in session.execute(
            select(contact_log_staff.c.contact_log_id, contact_log_staff.c.staff_id).where(
                contact_log_staff.c.contact_log_id.in_(ids)
            )
        ):
            others[log_id].append(staff_id)
        completed = dict(
            session.execute(
                select(FollowUp.contact_log_id, FollowUp.id).where(FollowUp.contact_log_id.in_(ids))
            ).all()
        )
        window, now = edit_days(session), utcnow()
        result = []
        for r in rows:
            staff_ids = tuple(
                ([r.staff_id] if r.staff_id else []) + sorted(others[r.id], key=lambda s: names.get(s, ""))
            )
            data = ContactLogInput(
                kind=r.kind,
                occurred_at=r.occurred_at,
                staff_ids=staff_ids,
                contact_person_id=r.contact_person_id,
                subject=r.subject,
                summary=r.summary,
                outcome=r.outcome,
                next_step=r.next_step,
                next_date=r.next_date,
                completes=completed.get(r.id),
            )
            result.append(
                ContactLogDetail(
                    id=r.id,
                    customer_id=r.customer_id,
                    version=r.version,
                    data=data,
                    author=names.get(r.created_by_id, ""),
                    author_id=r.created_by_id,
                    created_at=r.created_at,
                    staff_names=tuple(names.get(s, "") for s in staff_ids),
                    contact_person=people.get(r.contact_person_id, ""),
                    can_edit=_may_edit(actor, r, window, now),
                )
            )
        return result

    def proposed_next(
        self, actor: Actor, customer_id: uuid.UUID, after: date | None = None
    ) -> CadenceProposal:
        """The next contact by the customer's tier cadence (the tier rules in use, or the defaults)."""
        after = after or date.today()
        with self.db.session() as session:
            tier = session.scalar(select(Customer.tier).where(Customer.id == customer_id))
        if tier is None:
            raise NotFoundError(_("This customer no longer exists."))
        policy = TierService(self.db).policy(actor, tier)
        return CadenceProposal(
            due_on=after + timedelta(days=policy.cadence_days),
            days=policy.cadence_days,
            tier=tier,
            tier_name=labels.label(labels.TIER_NAMES, tier) if tier else "",
        )

    def edit_window(self, actor: Actor) -> int:
        with self.db.session() as session:
            return edit_days(session)

    def save_edit_window(self, actor: Actor, days: int) -> None:
        if not actor.is_manager:
            raise ServiceError(_("Only a manager may change how long a contact log stays editable."))
        if not 0 <= days <= 365:
            raise ValidationError({"contact_edit_days": _("Write a number of days from 0 to 365.")})
        with self.db.session() as session:
            row = session.get(OfficeSetting, EDIT_DAYS_KEY)
            if row is None:
                session.add(OfficeSetting(key=EDIT_DAYS_KEY, value=str(days)))
            else:
                row.value = str(days)
        events.publish(events.Change("office_setting"))

    # -- writing

    def log(self, actor: Actor, customer_id: uuid.UUID, data: ContactLogInput) -> ContactLogDetail:
        """Record a contact; its next date becomes a follow-up, and a follow-up it completes is done."""
        with self.db.session() as session:
            customer = CustomerService.live_row(session, customer_id)
            clean = clean_log(session, customer_id, data)
            main, *others = clean.staff_ids or (actor.staff_id,)
            row = ContactLog(
                customer_id=customer_id,
                kind=clean.kind,
                occurred_at=clean.occurred_at,
                staff_id=main,
                contact_person_id=clean.contact_person_id,
                subject=clean.subject,
                summary=clean.summary,
                outcome=clean.outcome,
                next_step=clean.next_step,
                next_date=clean.next_date,
                created_by_id=actor.staff_id,
                updated_by_id=actor.staff_id,
            )
            session.add(row)
            session.flush()
            if others:
                session.execute(
                    insert(contact_log_staff), [{"contact_log_id": row.id, "staff_id": s} for s in others]
                )
            what = clean.subject or clean.summary
            log_change(
                session, actor, customer_id, "contact_log", row.id, "create", [("subject", "", what[:200])]
            )
            if clean.completes is not None:
                self._complete(session, actor, customer_id, clean.completes, row)
            if clean.next_date is not None:
                session.add(
                    FollowUp(
                        customer_id=customer_id,
                        owner_id=customer.manager_id or main,
                        due_on=clean.next_date,
                        purpose=clean.next_step
                        or _("Follow up on: {what}").format(what=(clean.subject or clean.summary)[:80]),
                        origin="next_step",
                        created_by_id=actor.staff_id,
                        updated_by_id=actor.staff_id,
                    )
                )
            # Compared in the UPDATE itself: two people logging at once each keep the newer time.
            session.execute(
                update(Customer)
                .where(
                    Customer.id == customer_id,
                    or_(Customer.last_contact_at.is_(None), Customer.last_contact_at < clean.occurred_at),
                )
                .values(last_contact_at=clean.occurred_at),
                execution_options={"synchronize_session": False},
            )
            session.flush()
            detail = self._details(session, actor, [row])[0]
        self._announce(customer_id)
        return detail

    def log_many(self, actor: Actor, customer_ids: list[uuid.UUID], data: ContactLogInput) -> int:
        """The same contact (a holiday greeting, say) logged for many customers in one transaction."""
        if not customer_ids:
            return 0
        with self.db.session() as session:
            clean = clean_log(session, customer_ids[0], replace(data, contact_person_id=None, completes=None))
            main = (clean.staff_ids or (actor.staff_id,))[0]
            now = utcnow()
            live = list(
                session.scalars(
                    select(Customer.id).where(Customer.id.in_(customer_ids), Customer.deleted_at.is_(None))
                )
            )
            logs, changes = [], []
            for customer_id in live:
                log_id = uuid.uuid4()
                logs.append(
                    {
                        "id": log_id,
                        "customer_id": customer_id,
                        "kind": clean.kind,
                        "occurred_at": clean.occurred_at,
                        "staff_id": main,
                        "subject": clean.subject,
                        "summary": clean.summary,
                        "outcome": clean.outcome,
                        "next_step": "",
                        "created_by_id": actor.staff_id,
                        "updated_by_id": actor.staff_id,
                        "created_at": now,
                        "updated_at": now,
                        "version": 1,
                    }
                )
                changes.append(
                    {
                        "id": uuid.uuid4(),
                        "customer_id": customer_id,
                        "entity": "contact_log",
                        "entity_id": log_id,
                        "action": "create",
                        "field": "subject",
                        "old_value": "",
                        "new_value": clean.subject,
                        "actor_id": actor.staff_id,
                        "at": now,
                    }
                )
            for start in range(0, len(logs), 1000):
                session.execute(insert(ContactLog), logs[start : start + 1000])
                session.execute(insert(ChangeLog), changes[start : start + 1000])
            refresh_last_contact(session, live)
        events.publish(events.Change("contact_log", frozenset(live) if len(live) <= 1000 else frozenset()))
        return len(live)

    @staticmethod
    def _complete(session: Session, actor: Actor, customer_id, follow_up_id, log: ContactLog) -> None:
        follow_up = session.get(FollowUp, follow_up_id)
        if follow_up is None or follow_up.customer_id != customer_id or follow_up.deleted_at is not None:
            raise ValidationError(
                {"completes": _("The follow-up to complete is not one of this customer's.")}
            )
        if follow_up.status != FollowUpStatus.OPEN.value:
            raise ValidationError({"completes": _("That follow-up is already done or cancelled.")})
        follow_up.status = FollowUpStatus.DONE.value
        follow_up.done_at = utcnow()
        follow_up.contact_log_id = log.id
        follow_up.updated_at = utcnow()
        follow_up.updated_by_id = actor.staff_id
        log_change(
            session,
            actor,
            customer_id,
            "follow_up",
            follow_up.id,
            "done",
            [("purpose", "", follow_up.purpose)],
        )

    def update(
        self, actor: Actor, log_id: uuid.UUID, data: ContactLogInput, expected_version: int
    ) -> ContactLogDetail:
        """Edit a log: its author within the edit window, a manager any time; the history keeps the old."""
        try:
            with self.db.session() as session:
                row = self._row(session, log_id)
                self._check_may_edit(session, actor, row)
                if row.version != expected_version:
                    raise concurrency_error(session, row)
                CustomerService.live_row(session, row.customer_id)
                if data.occurred_at is None:
                    data = replace(data, occurred_at=row.occurred_at)
                clean = clean_log(session, row.customer_id, data)
                changes = [
                    (name, *self._person_names(session, old, new))
                    if name == "contact_person_id"
                    else (name, old, new)
                    for name, old, new in changed_fields(row, clean, LOGGED_FIELDS)
                ]
                old_staff = [row.staff_id, *self._others(session, row.id)]
                new_staff = list(clean.staff_ids) or [row.staff_id]
                # The first counts for the log; the others' order is only how the list showed them.
                if old_staff[0] != new_staff[0] or set(old_staff[1:]) != set(new_staff[1:]):
                    names = dict(session.execute(select(Staff.id, Staff.name)).all())
                    changes.append(
                        (
                            "staff_ids",
                            ", ".join(names.get(s, "") for s in old_staff if s),
                            ", ".join(names.get(s, "") for s in new_staff if s),
                        )
                    )
                    row.staff_id = new_staff[0]
                    session.execute(
                        delete(contact_log_staff).where(contact_log_staff.c.contact_log_id == row.id)
                    )
                    if new_staff[1:]:
                        session.execute(
                            insert(contact_log_staff),
                            [{"contact_log_id": row.id, "staff_id": s} for s in new_staff[1:]],
                        )
                if changes:
                    for name in LOGGED_FIELDS:
                        setattr(row, name, getattr(clean, name))
                    row.updated_at = utcnow()
                    row.updated_by_id = actor.staff_id
                    log_change(session, actor, row.customer_id, "contact_log", row.id, "update", changes)
                    session.flush()
                    refresh_last_contact(session, [row.customer_id])
                detail = self._details(session, actor, [row])[0]
        except StaleDataError:
            with self.db.session() as session:
                raise concurrency_error(session, self._row(session, log_id)) from None
        self._announce(detail.customer_id)
        return detail

    def delete(self, actor: Actor, log_id: uuid.UUID) -> None:
        """Remove a log (same rule as editing); the history keeps what it said."""
        with self.db.session() as session:
            row = self._row(session, log_id)
            self._check_may_edit(session, actor, row)
            row.deleted_at = row.updated_at = utcnow()
            row.updated_by_id = actor.staff_id
            log_change(
                session,
                actor,
                row.customer_id,
                "contact_log",
                row.id,
                "delete",
                [("subject", history_text(row.subject or row.summary[:200]), "")],
            )
            session.flush()
            refresh_last_contact(session, [row.customer_id])
            customer_id = row.customer_id
        self._announce(customer_id)

    @staticmethod
    def _person_names(session: Session, *ids: str) -> tuple[str, ...]:
        """Contact persons by name in the history (the log stores their ids)."""
        found = dict(
            session.execute(
                select(ContactPerson.id, ContactPerson.name).where(
                    ContactPerson.id.in_([uuid.UUID(i) for i in ids if i])
                )
            ).all()
        )
        return tuple(found.get(uuid.UUID(i), i) if i else "" for i in ids)

    @staticmethod
    def _others(session: Session, log_id) -> list[uuid.UUID]:
        return sorted(
            session.scalars(
                select(contact_log_staff.c.staff_id).where(contact_log_staff.c.contact_log_id == log_id)
            ),
            key=str,
        )

    @staticmethod
    def _check_may_edit(session: Session, actor: Actor, row: ContactLog) -> None:
        window = edit_days(session)
        if not _may_edit(actor, row, window, utcnow()):
            if row.created_by_id != actor.staff_id:
                raise ServiceError(
                    _("Only its author ({author}) or a manager may change this contact log.").format(
                        author=staff_name(session, row.created_by_id) or _("unknown")
                    )
                )
            raise ServiceError(
                _("A contact log can be changed by its author for {days} days; ask a manager.").format(
                    days=window
                )
            )

    @staticmethod
    def _announce(customer_id: uuid.UUID) -> None:
        events.publish(events.Change("contact_log", frozenset({customer_id})))
        events.publish(events.Change("follow_up", frozenset({customer_id})))

    # -- the timeline

    def timeline(
        self, actor: Actor, customer_id: uuid.UUID, kinds: set[str] | None = None
    ) -> list[TimelineEntry]:
        """Everything that happened to the customer, newest first: contacts, follow-ups, sales, tier changes,
        complaints and changes of the file."""
        kinds = set(kinds or TIMELINE_KINDS)
        entries: list[TimelineEntry] = []
        with self.db.session() as session:
            names = dict(session.execute(select(Staff.id, Staff.name)).all())
            if "contact" in kinds:
                entries += self._contact_entries(session, customer_id, names)
            if "follow_up" in kinds:
                entries += self._follow_up_entries(session, customer_id, names)
            if "transaction" in kinds:
                for t in session.execute(
                    select(
                        Transaction.id,
                        Transaction.occurred_on,
                        Transaction.amount,
                        Transaction.product,
                        Transaction.contract_no,
                    ).where(Transaction.customer_id == customer_id, Transaction.deleted_at.is_(None))
                ):
                    entries.append(
                        TimelineEntry(
                            at=day_start(t.occurred_on),
                            on=t.occurred_on,
                            kind="transaction",
                            title=_("Sale {amount}").format(amount=format_money(t.amount)),
                            text=" · ".join(x for x in (t.product, t.contract_no) if x),
                            ref_id=t.id,
                        )
                    )
            if "tier" in kinds:
                for h in session.execute(
                    select(TierHistory).where(TierHistory.customer_id == customer_id)
                ).scalars():
                    entries.append(
                        TimelineEntry(
                            at=h.at,
                            kind="tier",
                            title=_("Tier {old} → {new}").format(
                                old=labels.label(labels.TIER_NAMES, h.from_tier) or "—",
                                new=labels.label(labels.TIER_NAMES, h.to_tier) or "—",
                            ),
                            text=h.reason or _(h.rule_set_name),
                            who=names.get(h.actor_id, ""),
                            ref_id=h.id,
                        )
                    )
            if "complaint" in kinds:
                # Each step of each ticket: opened (with what the customer said), accepted, … closed.
                for step in session.execute(
                    select(
                        ComplaintStep.id,
                        ComplaintStep.at,
                        ComplaintStep.from_status,
                        ComplaintStep.to_status,
                        ComplaintStep.staff_id,
                        ComplaintStep.note,
                        Complaint.id.label("ticket_id"),
                        Complaint.number,
                        Complaint.description,
                    )
                    .join(Complaint, Complaint.id == ComplaintStep.complaint_id)
                    .where(Complaint.customer_id == customer_id, Complaint.deleted_at.is_(None))
                ):
                    entries.append(
                        TimelineEntry(
                            at=step.at,
                            kind="complaint",
                            title=_("Complaint #{number}: {step}").format(
                                number=step.number, step=step_name(step.from_status, step.to_status)
                            ),
                            text=step.note if step.from_status else step.description,
                            who=names.get(step.staff_id, ""),
                            ref_id=step.ticket_id,
                        )
                    )
            if "change" in kinds:
                entries += self._change_entries(session, customer_id, names)
        entries.sort(key=lambda e: e.at, reverse=True)
        return entries

    @staticmethod
    def _contact_entries(session: Session, customer_id, names: dict) -> list[TimelineEntry]:
        rows = session.execute(
            select(
                ContactLog.id,
                ContactLog.occurred_at,
                ContactLog.kind,
                ContactLog.staff_id,
                ContactLog.subject,
                ContactLog.summary,
                ContactLog.outcome,
                ContactLog.next_step,
                ContactLog.next_date,
                func.coalesce(ContactPerson.name, ""),
            )
            .outerjoin(ContactPerson, ContactPerson.id == ContactLog.contact_person_id)
            .where(ContactLog.customer_id == customer_id, ContactLog.deleted_at.is_(None))
        ).all()
        entries = []
        for log_id, at, kind, staff_id, subject, summary, outcome, next_step, next_date, person in rows:
            details = []
            if outcome:
                details.append(_("Outcome: {text}").format(text=outcome))
            if next_step or next_date:
                details.append(
                    _("Next: {text}").format(
                        text=" ".join(
                            x for x in (format_date(next_date) if next_date else "", next_step) if x
                        )
                    )
                )
            title = labels.label(labels.CONTACT_KIND, kind)
            if person:
                title += " · " + person
            entries.append(
                TimelineEntry(
                    at=at,
                    kind="contact",
                    title=title,
                    text=" — ".join(x for x in (subject, summary) if x),
                    who=names.get(staff_id, ""),
                    ref_id=log_id,
                    details=tuple(details),
                )
            )
        return entries

    @staticmethod
    def _follow_up_entries(session: Session, customer_id, names: dict) -> list[TimelineEntry]:
        entries = []
        for f in session.execute(
            select(FollowUp.id, FollowUp.due_on, FollowUp.purpose, FollowUp.owner_id, FollowUp.status).where(
                FollowUp.customer_id == customer_id,
                FollowUp.deleted_at.is_(None),
                FollowUp.status != FollowUpStatus.DONE.value,  # a done one is its contact log
            )
        ):
            title = (
                _("Follow-up due {date}")
                if f.status == FollowUpStatus.OPEN.value
                else _("Follow-up cancelled ({date})")
            ).format(date=format_date(f.due_on))
            entries.append(
                TimelineEntry(
                    at=day_start(f.due_on),
                    on=f.due_on,
                    kind="follow_up",
                    title=title,
                    text=f.purpose,
                    who=names.get(f.owner_id, ""),
                    ref_id=f.id,
                )
            )
        return entries

    @staticmethod
    def _change_entries(session: Session, customer_id, names: dict) -> list[TimelineEntry]:
        """The file's change history, one entry per saved change (its fields as details)."""
        rows = session.execute(
            select(
                ChangeLog.at,
                ChangeLog.actor_id,
                ChangeLog.entity,
                ChangeLog.entity_id,
                ChangeLog.action,
                ChangeLog.field,
                ChangeLog.old_value,
                ChangeLog.new_value,
            )
            .where(ChangeLog.customer_id == customer_id)
            .order_by(ChangeLog.at, ChangeLog.entity_id, ChangeLog.field)
        ).all()
        entries: list[TimelineEntry] = []
        group: list = []

        def flush() -> None:
            if not group:
                return
            first = group[0]
            # A new contact log or sale is on the timeline itself; a repeat would only add noise.
            if first.entity in ("contact_log", "transaction") and first.action in ("create", "import"):
                return
            details = tuple(
                _("{field}: {old} → {new}").format(
                    field=labels.field_label(r.field),
                    old=_shown(r.field, r.old_value, names) or "—",
                    new=_shown(r.field, r.new_value, names) or "—",
                )
                for r in group
                if r.field and r.action == "update"
            )
            text = (
                "" if details else " ".join(_shown(r.field, r.new_value or r.old_value, names) for r in group)
            )
            entries.append(
                TimelineEntry(
                    at=first.at,
                    kind="change",
                    title=labels.change_title(first.entity, first.action),
                    text=text.strip(),
                    who=names.get(first.actor_id, ""),
                    ref_id=first.entity_id,
                    details=details,
                )
            )

        for row in rows:
            if group and (row.at, row.entity_id, row.action) != (
                group[0].at,
                group[0].entity_id,
                group[0].action,
            ):
                flush()
                group = []
            group.append(row)
        flush()
        return entries


def _shown(field_name: str, value: str, names: dict) -> str:
    """A history value as read: a staff id by the person's name, a key by its label."""
    if field_name in ("manager_id", "staff_id", "owner_id") and value:
        try:
            return names.get(uuid.UUID(value), value)
        except ValueError:
            return value
    if field_name == "occurred_at" and value:
        return format_datetime(datetime.fromisoformat(value))
    if field_name in ("due_on", "next_date") and value:
        return format_date(date.fromisoformat(value))
    return labels.value_label(field_name, value)


def timeline_kind_name(kind: str, one: bool = False) -> str:
    """The filter's name of a kind ("Contact logs"), or with `one` an entry's ("Contact")."""
    return _(TIMELINE_KIND_NAMES[kind][1 if one else 0])
