"""Complaint tickets: open, edit, move through the workflow, attach files; the categories and the policy."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.exc import StaleDataError

from app.db import Database
from app.i18n import _, format_datetime
from app.models import (
    Complaint,
    ComplaintAttachment,
    ComplaintCategory,
    ComplaintEscalation,
    ComplaintStep,
    ContactPerson,
    Customer,
    Department,
    OfficeSetting,
    Staff,
    utcnow,
)
from app.models.complaint import OPEN_STATUSES
from app.models.enums import ComplaintChannel, ComplaintSeverity, ComplaintStatus
from app.services import events, labels, search
from app.services.actor import Actor
from app.services.complaint_flow import REOPENABLE, TicketFacts, kept_on_record, refusal
from app.services.contacts import day_start
from app.services.customers import CustomerService, concurrency_error, log_change, next_number
from app.services.deadlines import DeadlinePolicy, WorkCalendar
from app.services.errors import NotFoundError, ServiceError, ValidationError
from app.services.validation import clean_prose, parse_money

POLICY_KEY = "complaint_policy"
NUMBER_COUNTER = "complaint_number"
# A ticket is received now or earlier; a few minutes allow for clocks that differ between computers.
FUTURE_SLACK = timedelta(minutes=10)
ATTACHMENT_LIMIT = 25 * 1024 * 1024  # bytes: photos, scans and mails, not videos
COMPENSATION_LIMIT = Decimal("100000000")
CATEGORY_NAME_LIMIT = 100
CHANNELS = [c.value for c in ComplaintChannel]
SEVERITIES = [s.value for s in ComplaintSeverity]


@dataclass(frozen=True)
class TicketInput:
    """What is recorded when a complaint comes in."""

    customer_id: uuid.UUID | None = None
    contact_person_id: uuid.UUID | None = None
    channel: str = ComplaintChannel.PHONE.value
    received_at: datetime | None = None  # aware; None: now
    category_id: uuid.UUID | None = None
    severity: str = ComplaintSeverity.NORMAL.value
    description: str = ""
    against_staff_id: uuid.UUID | None = None  # the staff member complained about
    responsible_staff_id: uuid.UUID | None = None  # who handles it; None: the customer's account manager
    department_id: uuid.UUID | None = None  # None: the responsible staff member's department


@dataclass(frozen=True)
class Resolution:
    root_cause: str = ""
    action_taken: str = ""
    preventive_action: str = ""  # corrective and preventive action (纠正预防措施)
    compensation: Decimal | None = None


@dataclass(frozen=True)
class Feedback:
    channel: str = ""  # how the customer was told: one of CHANNELS
    satisfaction: int | None = None  # 1–5
    comment: str = ""
    no_feedback_reason: str = ""  # why none could be had (a resolved ticket may then close)


@dataclass(frozen=True)
class StepInfo:
    at: datetime
    from_status: str  # "" for the opening
    to_status: str
    who: str
    note: str


@dataclass(frozen=True)
class EscalationInfo:
    at: datetime
    level: int
    to_name: str
    propose_reassign: bool


@dataclass(frozen=True)
class AttachmentInfo:
    id: uuid.UUID
    filename: str
    size: int
    added_at: datetime
    added_by: str


@dataclass(frozen=True)
class TicketRow:
    """One line of a ticket list."""

    id: uuid.UUID
    number: int
    customer_id: uuid.UUID
    customer_code: str
    customer_name: str
    category: str  # shown name
    severity: str
    status: str
    received_at: datetime
    due_at: datetime | None
    escalation_level: int
    responsible: str
    description: str

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def time_left(self, now: datetime) -> timedelta | None:
        """Until the deadline (negative: overdue); None once the ticket is handled."""
        if not self.is_open or self.due_at is None:
            return None
        return self.due_at - now


@dataclass(frozen=True)
class TicketDetail:
    id: uuid.UUID
    number: int
    version: int
    customer_code: str
    customer_name: str
    status: str
    data: TicketInput
    resolution: Resolution
    feedback: Feedback
    due_at: datetime | None
    escalation_level: int
    resolved_at: datetime | None
    closed_at: datetime | None
    created_by: str
    steps: tuple[StepInfo, ...] = ()
    escalations: tuple[EscalationInfo, ...] = ()
    attachments: tuple[AttachmentInfo, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(frozen=True)
class TicketFilter:
    statuses: tuple[str, ...] = ()  # empty: every status
    open_only: bool = False  # new, accepted or investigating
    overdue_only: bool = False  # open and past the deadline at `as_of`
    category_id: uuid.UUID | None = None
    severity: str = ""
    responsible_staff_id: uuid.UUID | None = None
    customer_id: uuid.UUID | None = None
    text: str = ""  # in the number, customer code or name, or description
    received_from: date | None = None
    received_to: date | None = None
    as_of: datetime | None = None  # aware; None: now


@dataclass(frozen=True)
class TicketPage:
    rows: list[TicketRow]
    total: int  # how many match, of which `rows` holds the first (by deadline, then receipt)


@dataclass(frozen=True)
class CategoryInfo:
    id: uuid.UUID | None  # None: a new one, when saving
    name: str  # as shown (a built-in's translated name)
    key: str | None = None
    in_use: int = 0


@dataclass(frozen=True)
class ComplaintPolicy:
    """The office's deadline rules and the days it works, and whether escalation proposes reassigning."""

    deadlines: DeadlinePolicy = field(default_factory=DeadlinePolicy)
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    propose_reassign: bool = False


def time_left_text(left: timedelta) -> str:
    """“2 d 4 h left” or “overdue 1 d 3 h”: days and hours, or under a day hours and minutes (one wording
    for the window, My day and the command line)."""
    minutes = int(abs(left).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        span = _("{days} d {hours} h").format(days=days, hours=hours)
    elif hours:
        span = _("{hours} h {minutes} min").format(hours=hours, minutes=mins)
    else:
        span = _("{minutes} min").format(minutes=mins)
    if left < timedelta(0):
        return _("overdue {time}").format(time=span)
    return _("{time} left").format(time=span)


def read_policy(session: Session) -> ComplaintPolicy:
    raw = session.scalar(select(OfficeSetting.value).where(OfficeSetting.key == POLICY_KEY))
    if not raw:
        return ComplaintPolicy()
    stored = json.loads(raw)
    return ComplaintPolicy(
        deadlines=DeadlinePolicy(
            days=int(stored.get("days", 3)),
            by_severity=tuple((k, int(v)) for k, v in stored.get("by_severity", {}).items()),
            by_tier=tuple((k, int(v)) for k, v in stored.get("by_tier", {}).items()),
            working_days=bool(stored.get("working_days", False)),
            second_level_days=int(stored.get("second_level_days", 2)),
        ),
        calendar=WorkCalendar(
            days_off=frozenset(date.fromisoformat(d) for d in stored.get("days_off", [])),
            workdays=frozenset(date.fromisoformat(d) for d in stored.get("workdays", [])),
        ),
        propose_reassign=bool(stored.get("propose_reassign", False)),
    )


def category_name(key: str | None, name: str) -> str:
    """A category as shown: a built-in one translated, unless the office renamed it."""
    return name or labels.label(labels.COMPLAINT_CATEGORY, key or "")


def _status_facts(row: Complaint, note: str) -> TicketFacts:
    return TicketFacts(
        has_resolution=bool(row.root_cause.strip() and row.action_taken.strip()),
        has_feedback=bool(row.feedback_channel and row.satisfaction is not None),
        no_feedback_reason=row.no_feedback_reason,
        note=note,
    )


def _row_select() -> Select:
    responsible = aliased(Staff)
    return (
        select(
            Complaint.id,
            Complaint.number,
            Complaint.customer_id,
            Customer.code,
            Customer.name,
            ComplaintCategory.key,
            ComplaintCategory.name.label("category_name"),
            Complaint.severity,
            Complaint.status,
            Complaint.received_at,
            Complaint.due_at,
            Complaint.escalation_level,
            func.coalesce(responsible.name, ""),
            func.substr(Complaint.description, 1, 200),
        )
        .join(Customer, Customer.id == Complaint.customer_id)
        .outerjoin(ComplaintCategory, ComplaintCategory.id == Complaint.category_id)
        .outerjoin(responsible, responsible.id == Complaint.responsible_staff_id)
        .where(Complaint.deleted_at.is_(None))
    )


def _ticket_row(r) -> TicketRow:
    return TicketRow(
        id=r[0],
        number=r[1] or 0,
        customer_id=r[2],
        customer_code=r[3],
        customer_name=r[4],
        category=category_name(r[5], r[6] or ""),
        severity=r[7],
        status=r[8],
        received_at=r[9],
        due_at=r[10],
        escalation_level=r[11],
        responsible=r[12],
        description=" ".join(r[13].split()),
    )


def _filtered(query: Select, f: TicketFilter, now: datetime, dialect: str) -> Select:
    if f.statuses:
        query = query.where(Complaint.status.in_(f.statuses))
    if f.open_only or f.overdue_only:
        query = query.where(Complaint.status.in_(OPEN_STATUSES))
    if f.overdue_only:
        query = query.where(Complaint.due_at < now)
    if f.category_id is not None:
        query = query.where(Complaint.category_id == f.category_id)
    if f.severity:
        query = query.where(Complaint.severity == f.severity)
    if f.responsible_staff_id is not None:
        query = query.where(Complaint.responsible_staff_id == f.responsible_staff_id)
    if f.customer_id is not None:
        query = query.where(Complaint.customer_id == f.customer_id)
    if f.received_from is not None:
        query = query.where(Complaint.received_at >= day_start(f.received_from))
    if f.received_to is not None:
        query = query.where(Complaint.received_at < day_start(f.received_to + timedelta(days=1)))
    text = f.text.strip()
    if text:
        number = text.lstrip("#")
        pattern = search.like_pattern(text)
        # SQLite's LIKE ignores the case of Latin letters already; lower() on both sides only costs time.
        described = Complaint.description.like if dialect == "sqlite" else Complaint.description.ilike
        conditions = [described(pattern, escape=search.LIKE_ESCAPE)]
        # The customers as they are found everywhere (name, code, contacts, phones, pinyin), through the
        # search index and once, not looked up for each ticket: the description is all a ticket is read for.
        customer_found = search.search_condition(Customer.search_key, text, dialect)
        if customer_found is not None:
            conditions.append(Complaint.customer_id.in_(select(Customer.id).where(customer_found)))
        if number.isdigit():
            conditions.append(Complaint.number == int(number))
        query = query.where(or_(*conditions))
    return query


class ComplaintService:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- reading

    def list(self, actor: Actor, f: TicketFilter | None = None, limit: int = 500) -> TicketPage:
        """Tickets matching the filter: open ones by deadline first (the most urgent on top), then the
        handled ones newest first; at most `limit` rows and the count of all that match."""
        f = f or TicketFilter()
        now = f.as_of or utcnow()
        dialect = self.db.engine.dialect.name
        with self.db.session() as session:
            rows: list[TicketRow] = []
            if f.statuses and not set(f.statuses) & set(OPEN_STATUSES):
                parts = [False]  # only handled tickets asked for
            elif f.open_only or f.overdue_only or (f.statuses and set(f.statuses) <= set(OPEN_STATUSES)):
                parts = [True]
            else:
                parts = [True, False]
            for open_part in parts:
                if len(rows) >= limit:
                    break
                query = _filtered(_row_select(), f, now, dialect)
                if open_part:
                    query = query.where(Complaint.status.in_(OPEN_STATUSES)).order_by(
                        Complaint.due_at, Complaint.number
                    )
                else:
                    query = query.where(Complaint.status.not_in(OPEN_STATUSES)).order_by(
                        Complaint.received_at.desc(), Complaint.number.desc()
                    )
                rows += [_ticket_row(r) for r in session.execute(query.limit(limit - len(rows)))]
            # Fewer than the limit: these are all; counting would read the matching tickets again.
            total = len(rows)
            if total >= limit:
                total = session.scalar(
                    _filtered(select(func.count()).where(Complaint.deleted_at.is_(None)), f, now, dialect)
                )
        return TicketPage(rows=rows, total=total or 0)

    def row(self, actor: Actor, ticket_id: uuid.UUID) -> TicketRow:
        """One ticket as the lists show it (its category's and its handler's names)."""
        with self.db.session() as session:
            found = session.execute(_row_select().where(Complaint.id == ticket_id)).first()
        if found is None:
            raise NotFoundError(_("The complaint ticket no longer exists."))
        return _ticket_row(found)

    def for_customer(self, actor: Actor, customer_id: uuid.UUID) -> list[TicketRow]:
        return self.list(actor, TicketFilter(customer_id=customer_id), limit=10_000).rows

    def get(self, actor: Actor, ticket_id: uuid.UUID) -> TicketDetail:
        with self.db.session() as session:
            return self._detail(session, self._row(session, ticket_id))

    def find(self, actor: Actor, reference: str) -> uuid.UUID:
        """A ticket by its number (123 or #123) or its id, as typed at the command line."""
        text = reference.strip().lstrip("#")
        with self.db.session() as session:
            if text.isdigit():
                found = session.scalar(
                    select(Complaint.id).where(Complaint.number == int(text), Complaint.deleted_at.is_(None))
                )
            else:
                try:
                    wanted = uuid.UUID(text)
                except ValueError:
                    wanted = None
                found = wanted and session.scalar(
                    select(Complaint.id).where(Complaint.id == wanted, Complaint.deleted_at.is_(None))
                )
        if found is None:
            raise NotFoundError(_("There is no complaint ticket {ref}.").format(ref=reference))
        return found

    @staticmethod
    def _row(session: Session, ticket_id: uuid.UUID) -> Complaint:
        row = session.get(Complaint, ticket_id)
        if row is None or row.deleted_at is not None:
            raise NotFoundError(_("The complaint ticket no longer exists."))
        return row

    @staticmethod
    def _detail(session: Session, row: Complaint) -> TicketDetail:
        names = dict(session.execute(select(Staff.id, Staff.name)).all())
        customer = session.execute(
            select(Customer.code, Customer.name).where(Customer.id == row.customer_id)
        ).one()
        steps = session.execute(
            select(ComplaintStep)
            .where(ComplaintStep.complaint_id == row.id)
            .order_by(ComplaintStep.at, ComplaintStep.id)
        ).scalars()
        escalations = session.execute(
            select(ComplaintEscalation)
            .where(ComplaintEscalation.complaint_id == row.id)
            .order_by(ComplaintEscalation.at, ComplaintEscalation.level)
        ).scalars()
        attachments = session.execute(
            select(
                ComplaintAttachment.id,
                ComplaintAttachment.filename,
                ComplaintAttachment.size,
                ComplaintAttachment.created_at,
                ComplaintAttachment.added_by_id,
            )
            .where(ComplaintAttachment.complaint_id == row.id, ComplaintAttachment.deleted_at.is_(None))
            .order_by(ComplaintAttachment.created_at)
        )
        return TicketDetail(
            id=row.id,
            number=row.number or 0,
            version=row.version,
            customer_code=customer.code,
            customer_name=customer.name,
            status=row.status,
            data=TicketInput(**{f.name: getattr(row, f.name) for f in fields(TicketInput)}),
            resolution=Resolution(
                root_cause=row.root_cause,
                action_taken=row.action_taken,
                preventive_action=row.preventive_action,
                compensation=row.compensation,
            ),
            feedback=Feedback(
                channel=row.feedback_channel,
                satisfaction=row.satisfaction,
                comment=row.feedback_comment,
                no_feedback_reason=row.no_feedback_reason,
            ),
            due_at=row.due_at,
            escalation_level=row.escalation_level,
            resolved_at=row.resolved_at,
            closed_at=row.closed_at,
            created_by=names.get(row.created_by_id, ""),
            steps=tuple(
                StepInfo(s.at, s.from_status, s.to_status, names.get(s.staff_id, ""), s.note) for s in steps
            ),
            escalations=tuple(
                EscalationInfo(e.at, e.level, names.get(e.to_staff_id, ""), e.propose_reassign)
                for e in escalations
            ),
            attachments=tuple(
                AttachmentInfo(a.id, a.filename, a.size, a.created_at, names.get(a.added_by_id, ""))
                for a in attachments
            ),
        )

    # -- writing

    def open(self, actor: Actor, data: TicketInput) -> TicketDetail:
        """Record a complaint as received; its deadline comes from the office's policy."""
        with self.db.session() as session:
            clean = _clean_ticket(session, data)
            customer = CustomerService.live_row(session, clean.customer_id)
            row = Complaint(
                number=next_number(session, NUMBER_COUNTER),
                status=ComplaintStatus.NEW.value,
                created_by_id=actor.staff_id,
                updated_by_id=actor.staff_id,
                **_assigned(session, clean, customer),
            )
            row.due_at = _due_at(session, row, customer.tier)
            session.add(row)
            session.flush()
            session.add(
                ComplaintStep(
                    complaint_id=row.id, to_status=row.status, staff_id=actor.staff_id, at=row.received_at
                )
            )
            log_change(
                session,
                actor,
                row.customer_id,
                "complaint",
                row.id,
                "create",
                [("description", "", row.description[:200])],
            )
            session.flush()
            detail = self._detail(session, row)
        _announce(detail.data.customer_id, detail.id)
        return detail

    def update(
        self,
        actor: Actor,
        ticket_id: uuid.UUID,
        version: int,
        data: TicketInput,
        resolution: Resolution | None = None,
        feedback: Feedback | None = None,
    ) -> TicketDetail:
        """Save the ticket's fields; a new receipt time or severity moves the deadline of an open ticket."""
        with self.db.session() as session:
            row = self._row(session, ticket_id)
            self._write(session, actor, row, version, data, resolution, feedback)
            detail = self._detail(session, row)
        _announce(detail.data.customer_id, detail.id)
        return detail

    def move(
        self,
        actor: Actor,
        ticket_id: uuid.UUID,
        target: str,
        note: str = "",
        *,
        version: int | None = None,
        data: TicketInput | None = None,
        resolution: Resolution | None = None,
        feedback: Feedback | None = None,
    ) -> TicketDetail:
        """Take a workflow step, saving what came with it (the resolution, the feedback) in the same
        transaction; a step the ticket is not ready for is refused with the reason and saves nothing."""
        try:
            target_status = ComplaintStatus(target)
        except ValueError:
            raise ServiceError(_("{value} is not a ticket status.").format(value=target)) from None
        note = clean_prose(note)
        with self.db.session() as session:
            row = self._row(session, ticket_id)
            self._write(
                session, actor, row, row.version if version is None else version, data, resolution, feedback
            )
            current = ComplaintStatus(row.status)
            reason = refusal(current, target_status, _status_facts(row, note))
            if reason:
                raise ServiceError(reason)
            now = utcnow()
            row.status = target_status.value
            if target_status == ComplaintStatus.RESOLVED:
                row.resolved_at = now
            if target_status == ComplaintStatus.CLOSED:
                row.closed_at = now
            if target_status == ComplaintStatus.INVESTIGATING and current in REOPENABLE:
                # Reopened: the customer came back, so handling starts over with a new deadline from now
                # (the escalations already sent stay on record).
                row.resolved_at = None
                row.closed_at = None
                row.due_at = _due_at(session, row, _tier(session, row.customer_id), now)
                row.escalation_level = 0
            row.updated_by_id = actor.staff_id
            session.add(
                ComplaintStep(
                    complaint_id=row.id,
                    from_status=current.value,
                    to_status=row.status,
                    staff_id=actor.staff_id,
                    at=now,
                    note=note,
                )
            )
            log_change(
                session,
                actor,
                row.customer_id,
                "complaint",
                row.id,
                "update",
                [("status", current.value, row.status)],
            )
            self._flush(session, row.id)
            detail = self._detail(session, row)
        _announce(detail.data.customer_id, detail.id)
        return detail

    def _write(
        self,
        session: Session,
        actor: Actor,
        row: Complaint,
        version: int,
        data: TicketInput | None,
        resolution: Resolution | None,
        feedback: Feedback | None,
    ) -> None:
        _check_not_about_self(actor, row)
        if row.version != version:
            raise concurrency_error(session, row)
        with session.no_autoflush:  # the checks below query; the row is written once, at the end
            changes = self._apply(session, row, data, resolution, feedback)
        if changes:
            row.updated_by_id = actor.staff_id
            row.updated_at = utcnow()
            log_change(
                session,
                actor,
                row.customer_id,
                "complaint",
                row.id,
                "update",
                [(name, old[:200], new[:200]) for name, old, new in changes],
            )
            self._flush(session, row.id)

    @classmethod
    def _flush(cls, session: Session, ticket_id: uuid.UUID) -> None:
        """Write the ticket; someone else's save since it was read (a newer version) is refused by name."""
        try:
            session.flush()
        except StaleDataError:
            session.rollback()
            raise concurrency_error(session, cls._row(session, ticket_id)) from None

    @staticmethod
    def _apply(
        session: Session,
        row: Complaint,
        data: TicketInput | None,
        resolution: Resolution | None,
        feedback: Feedback | None,
    ) -> list[tuple[str, str, str]]:
        """Set what is given on the row; returns (field, old, new) of each change, for the history."""
        changes: list[tuple[str, str, str]] = []

        def set_all(values: dict) -> None:
            for name, value in values.items():
                if getattr(row, name) != value:
                    changes.append((name, str(getattr(row, name) or ""), str(value or "")))
                    setattr(row, name, value)

        if data is not None:
            clean = _clean_ticket(
                session, replace(data, customer_id=data.customer_id or row.customer_id), row
            )
            # Another customer must be live; the ticket's own stays workable even if its file was deleted.
            if clean.customer_id == row.customer_id:
                customer = session.get(Customer, row.customer_id)
            else:
                customer = CustomerService.live_row(session, clean.customer_id)
            set_all(_assigned(session, clean, customer))
            moved = {name for name, _old, _new in changes} & {"received_at", "severity", "customer_id"}
            if row.status in OPEN_STATUSES and moved:
                row.due_at = _due_at(session, row, customer.tier)
                row.escalation_level = 0  # a new deadline starts the escalation afresh
        if resolution is not None:
            set_all(_clean_resolution(resolution))
        if feedback is not None:
            set_all(_clean_feedback(feedback))
        missing = kept_on_record(ComplaintStatus(row.status), _status_facts(row, ""))
        if missing:
            raise ValidationError(dict([missing]))
        return changes

    def delete(self, actor: Actor, ticket_id: uuid.UUID) -> None:
        """Remove a ticket opened by mistake (managers only); its history stays in the customer file."""
        actor.require_manager()
        with self.db.session() as session:
            row = self._row(session, ticket_id)
            row.deleted_at = utcnow()
            row.updated_by_id = actor.staff_id
            log_change(session, actor, row.customer_id, "complaint", row.id, "delete")
            customer_id = row.customer_id
        _announce(customer_id, ticket_id)

    # -- attachments

    def attach(self, actor: Actor, ticket_id: uuid.UUID, path: Path) -> AttachmentInfo:
        """Copy a file into the ticket: the ticket keeps it even if the original is moved or deleted."""
        path = Path(path)
        try:
            size = path.stat().st_size
            if size > ATTACHMENT_LIMIT:
                raise ServiceError(
                    _("{file} is {size} MB; attachments may be at most {limit} MB.").format(
                        file=path.name, size=round(size / 2**20, 1), limit=ATTACHMENT_LIMIT // 2**20
                    )
                )
            content = path.read_bytes()
        except OSError as error:
            raise ServiceError(
                _("{file} could not be read: {reason}").format(file=path.name, reason=error.strerror or error)
            ) from error
        with self.db.session() as session:
            row = self._row(session, ticket_id)
            attachment = ComplaintAttachment(
                complaint_id=row.id,
                filename=path.name[:255],
                size=len(content),
                content=content,
                added_by_id=actor.staff_id,
            )
            session.add(attachment)
            log_change(
                session,
                actor,
                row.customer_id,
                "complaint",
                row.id,
                "update",
                [("attachment", "", path.name)],
            )
            session.flush()
            info = AttachmentInfo(
                attachment.id, attachment.filename, attachment.size, attachment.created_at, actor.name
            )
            customer_id = row.customer_id
        _announce(customer_id, ticket_id)
        return info

    def attachment_content(self, actor: Actor, attachment_id: uuid.UUID) -> tuple[str, bytes]:
        with self.db.session() as session:
            found = session.execute(
                select(ComplaintAttachment.filename, ComplaintAttachment.content).where(
                    ComplaintAttachment.id == attachment_id, ComplaintAttachment.deleted_at.is_(None)
                )
            ).first()
        if found is None:
            raise NotFoundError(_("The attachment no longer exists."))
        return found.filename, found.content

    def remove_attachment(self, actor: Actor, attachment_id: uuid.UUID) -> None:
        with self.db.session() as session:
            attachment = session.get(ComplaintAttachment, attachment_id)
            if attachment is None or attachment.deleted_at is not None:
                raise NotFoundError(_("The attachment no longer exists."))
            if attachment.added_by_id != actor.staff_id and not actor.is_manager:
                raise ServiceError(_("Only the person who added an attachment, or a manager, can remove it."))
            attachment.deleted_at = utcnow()
            row = self._row(session, attachment.complaint_id)
            log_change(
                session,
                actor,
                row.customer_id,
                "complaint",
                row.id,
                "update",
                [("attachment", attachment.filename, "")],
            )
            customer_id, ticket_id = row.customer_id, row.id
        _announce(customer_id, ticket_id)

    # -- categories and policy

    def categories(self, actor: Actor, counted: bool = False) -> list[CategoryInfo]:
        """The category list in its order; `counted` also says how many tickets each has (`in_use`), which
        reads every ticket: only the list's editor wants it."""
        with self.db.session() as session:
            used = {}
            if counted:
                used = dict(
                    session.execute(
                        select(Complaint.category_id, func.count())
                        .where(Complaint.deleted_at.is_(None))
                        .group_by(Complaint.category_id)
                    ).all()
                )
            rows = session.execute(
                select(ComplaintCategory)
                .where(ComplaintCategory.deleted_at.is_(None))
                .order_by(ComplaintCategory.position, ComplaintCategory.name)
            ).scalars()
            return [CategoryInfo(r.id, category_name(r.key, r.name), r.key, used.get(r.id, 0)) for r in rows]

    def save_categories(self, actor: Actor, wanted: list[CategoryInfo]) -> None:
        """Make the list `wanted`, in its order (managers only). A category left out is removed; tickets
        keep it. A built-in whose name is unchanged stays translated."""
        actor.require_manager()
        names = [" ".join(c.name.split()) for c in wanted]
        errors: dict[str, str] = {}
        if any(not n for n in names):
            errors["categories"] = _("A category needs a name.")
        elif any(len(n) > CATEGORY_NAME_LIMIT for n in names):
            errors["categories"] = _("A category name is longer than {limit} characters.").format(
                limit=CATEGORY_NAME_LIMIT
            )
        else:
            seen: set[str] = set()
            for n in names:
                if n.casefold() in seen:
                    errors["categories"] = _("The category “{name}” is in the list twice.").format(name=n)
                    break
                seen.add(n.casefold())
        if not names:
            errors["categories"] = _("Keep at least one category.")
        if errors:
            raise ValidationError(errors)
        with self.db.session() as session:
            existing = {r.id: r for r in session.execute(select(ComplaintCategory)).scalars()}
            kept = set()
            for position, (item, name) in enumerate(zip(wanted, names, strict=True)):
                row = existing.get(item.id) if item.id is not None else None
                if row is None:
                    row = ComplaintCategory(name=name)
                    session.add(row)
                else:
                    kept.add(row.id)
                    row.deleted_at = None
                    row.name = "" if row.key and name == category_name(row.key, "") else name
                row.position = position
            for row_id, row in existing.items():
                if row_id not in kept and row.deleted_at is None:
                    row.deleted_at = utcnow()
        events.publish(events.Change("complaint_category"))

    def policy(self, actor: Actor) -> ComplaintPolicy:
        with self.db.session() as session:
            return read_policy(session)

    def save_policy(self, actor: Actor, policy: ComplaintPolicy) -> None:
        """Store the office's deadline policy (managers only); it applies to tickets opened from now on."""
        actor.require_manager()
        d = policy.deadlines
        errors: dict[str, str] = {}
        if not 0 <= d.days <= 365:
            errors["days"] = _("The deadline must be between 0 and 365 days.")
        if not 0 <= d.second_level_days <= 365:
            errors["second_level_days"] = _("The second level must come between 0 and 365 days later.")
        for key, days in (*d.by_severity, *d.by_tier):
            if not 0 <= days <= 365:
                errors["by_" + ("severity" if key in SEVERITIES else "tier")] = _(
                    "The deadline must be between 0 and 365 days."
                )
        if errors:
            raise ValidationError(errors)
        stored = {
            "days": d.days,
            "by_severity": dict(d.by_severity),
            "by_tier": dict(d.by_tier),
            "working_days": d.working_days,
            "second_level_days": d.second_level_days,
            "propose_reassign": policy.propose_reassign,
            "days_off": sorted(day.isoformat() for day in policy.calendar.days_off),
            "workdays": sorted(day.isoformat() for day in policy.calendar.workdays),
        }
        with self.db.session() as session:
            row = session.get(OfficeSetting, POLICY_KEY)
            if row is None:
                session.add(OfficeSetting(key=POLICY_KEY, value=json.dumps(stored)))
            else:
                row.value = json.dumps(stored)
        events.publish(events.Change("office_setting"))


def _check_not_about_self(actor: Actor, row: Complaint) -> None:
    """The person complained about may read the ticket, not change or move it: that is for others."""
    if row.against_staff_id is not None and row.against_staff_id == actor.staff_id and not actor.is_manager:
        raise ServiceError(_("This complaint is about you: a colleague or a manager handles it."))


def _announce(customer_id: uuid.UUID, ticket_id: uuid.UUID) -> None:
    events.publish(events.Change("complaint", frozenset({ticket_id})))
    events.publish(events.Change("customer_timeline", frozenset({customer_id})))


def _due_at(session: Session, row: Complaint, tier: str, start: datetime | None = None) -> datetime:
    """The deadline of a ticket handled from `start` (default: its receipt), by the office's policy."""
    policy = read_policy(session)
    return policy.deadlines.due_at(start or row.received_at, row.severity, tier or None, policy.calendar)


def _tier(session: Session, customer_id: uuid.UUID) -> str:
    return session.scalar(select(Customer.tier).where(Customer.id == customer_id)) or ""


def _assigned(session: Session, clean: TicketInput, customer: Customer) -> dict:
    """The stored columns: who handles it defaults to the account manager, the department to theirs."""
    responsible = clean.responsible_staff_id or customer.manager_id
    department = clean.department_id
    if department is None and responsible is not None:
        department = session.scalar(select(Staff.department_id).where(Staff.id == responsible))
    return {
        "customer_id": clean.customer_id,
        "contact_person_id": clean.contact_person_id,
        "channel": clean.channel,
        "received_at": clean.received_at,
        "category_id": clean.category_id,
        "severity": clean.severity,
        "description": clean.description,
        "against_staff_id": clean.against_staff_id,
        "responsible_staff_id": responsible,
        "department_id": department or customer.department_id,
    }


def _clean_ticket(session: Session, data: TicketInput, stored: Complaint | None = None) -> TicketInput:
    """The input checked field by field; ValidationError names each wrong field in the user's words.

    A reference the ticket already holds (`stored`) is not checked again: a category removed from the
    list, a department or contact person deleted since, keeps its tickets workable."""
    errors: dict[str, str] = {}

    def changed(name: str) -> bool:
        return stored is None or getattr(stored, name) != getattr(data, name)

    if data.customer_id is None:
        errors["customer_id"] = _("Choose the customer who complains.")
    if data.channel not in CHANNELS:
        errors["channel"] = _("{value} is not a way a complaint comes in.").format(value=data.channel)
    if data.severity not in SEVERITIES:
        errors["severity"] = _("{value} is not a severity; use one of: {allowed}.").format(
            value=data.severity, allowed=", ".join(SEVERITIES)
        )
    received = data.received_at or utcnow()
    if received.tzinfo is None:
        raise ValueError("naive datetime: pass an aware datetime")
    if received > utcnow() + FUTURE_SLACK:
        errors["received_at"] = _("The complaint is dated in the future ({when}).").format(
            when=format_datetime(received)
        )
    description = clean_prose(data.description)
    if not description:
        errors["description"] = _("Describe the complaint.")
    if data.category_id is None:
        errors["category_id"] = _("Choose a category.")
    elif changed("category_id") and (
        session.scalar(
            select(ComplaintCategory.id).where(
                ComplaintCategory.id == data.category_id, ComplaintCategory.deleted_at.is_(None)
            )
        )
        is None
    ):
        errors["category_id"] = _("The category chosen no longer exists.")
    staff_ids = {
        getattr(data, name) for name in ("against_staff_id", "responsible_staff_id") if changed(name)
    } - {None}
    if staff_ids:
        known = set(
            session.scalars(select(Staff.id).where(Staff.id.in_(staff_ids), Staff.deleted_at.is_(None)))
        )
        for name in ("against_staff_id", "responsible_staff_id"):
            if getattr(data, name) in staff_ids - known:
                errors[name] = _("A staff member chosen no longer exists.")
    if (
        data.department_id is not None
        and changed("department_id")
        and (
            session.scalar(
                select(Department.id).where(
                    Department.id == data.department_id, Department.deleted_at.is_(None)
                )
            )
            is None
        )
    ):
        errors["department_id"] = _("The department chosen no longer exists.")
    if (
        data.contact_person_id is not None
        and data.customer_id is not None
        and (changed("contact_person_id") or changed("customer_id"))
    ):
        owner = session.scalar(
            select(ContactPerson.customer_id).where(
                ContactPerson.id == data.contact_person_id, ContactPerson.deleted_at.is_(None)
            )
        )
        if owner != data.customer_id:
            errors["contact_person_id"] = _("The contact person is not one of this customer's.")
    if errors:
        raise ValidationError(errors)
    return replace(data, received_at=received, description=description)


def _clean_resolution(resolution: Resolution) -> dict:
    compensation = resolution.compensation
    if compensation is not None:
        try:
            compensation = parse_money(compensation)
        except ValueError as error:
            raise ValidationError(
                {"compensation": _("The compensation {reason}.").format(reason=error)}
            ) from None
        if compensation is not None and not Decimal(0) <= compensation < COMPENSATION_LIMIT:
            raise ValidationError(
                {"compensation": _("The compensation must be zero or more, and below 100,000,000.")}
            )
    return {
        "root_cause": clean_prose(resolution.root_cause),
        "action_taken": clean_prose(resolution.action_taken),
        "preventive_action": clean_prose(resolution.preventive_action),
        "compensation": compensation,
    }


def _clean_feedback(feedback: Feedback) -> dict:
    errors: dict[str, str] = {}
    if feedback.channel and feedback.channel not in CHANNELS:
        errors["feedback_channel"] = _("{value} is not a way to tell the customer.").format(
            value=feedback.channel
        )
    if feedback.satisfaction is not None and not 1 <= feedback.satisfaction <= 5:
        errors["satisfaction"] = _("Satisfaction is a number from 1 to 5.")
    if errors:
        raise ValidationError(errors)
    return {
        "feedback_channel": feedback.channel,
        "satisfaction": feedback.satisfaction,
        "feedback_comment": clean_prose(feedback.comment),
        "no_feedback_reason": clean_prose(feedback.no_feedback_reason),
    }
