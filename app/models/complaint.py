"""Complaint tickets (投诉): the ticket, its steps, escalations, attachments and the editable categories."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from app.models.base import Base, Money, SyncedMixin, UTCDateTime, utcnow
from app.models.enums import ComplaintChannel, ComplaintSeverity, ComplaintStatus

# Statuses whose deadline still runs: the ticket is not handled until it is resolved.
OPEN_STATUSES = (
    ComplaintStatus.NEW.value,
    ComplaintStatus.ACCEPTED.value,
    ComplaintStatus.INVESTIGATING.value,
)
LIVE_OPEN = "status IN ('new', 'accepted', 'investigating') AND deleted_at IS NULL"


class ComplaintCategory(SyncedMixin, Base):
    """Why customers complain; the built-in ones keep an English `key` and show translated."""

    __tablename__ = "complaint_category"

    key: Mapped[str | None] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Complaint(SyncedMixin, Base):
    """A complaint ticket from receipt to the customer's feedback."""

    __tablename__ = "complaint"

    number: Mapped[int | None] = mapped_column(Integer, unique=True)  # shown as #123, typed at the CLI
    customer_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("customer.id"), nullable=False)
    contact_person_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("contact_person.id"))
    channel: Mapped[str] = mapped_column(String(12), nullable=False, default=ComplaintChannel.PHONE.value)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    category_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("complaint_category.id"))
    severity: Mapped[str] = mapped_column(String(10), nullable=False, default=ComplaintSeverity.NORMAL.value)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    against_staff_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("staff.id"))
    responsible_staff_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("staff.id"))
    department_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("department.id"))
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=ComplaintStatus.NEW.value)
    # Set from the office's policy when the ticket is opened (and again if severity or receipt change).
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalation_level: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    root_cause: Mapped[str] = mapped_column(Text, nullable=False, default="")
    action_taken: Mapped[str] = mapped_column(Text, nullable=False, default="")
    preventive_action: Mapped[str] = mapped_column(Text, nullable=False, default="")
    compensation: Mapped[Decimal | None] = mapped_column(Money)
    feedback_channel: Mapped[str] = mapped_column(String(12), nullable=False, default="")
    satisfaction: Mapped[int | None] = mapped_column(Integer)
    feedback_comment: Mapped[str] = mapped_column(Text, nullable=False, default="")
    no_feedback_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("staff.id"))
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("staff.id"))

    __table_args__ = (
        Index("ix_complaint_customer_received", "customer_id", "received_at"),
        # The tickets page and the deadline check: open tickets by deadline.
        Index(
            "ix_complaint_open_due",
            "due_at",
            sqlite_where=text(LIVE_OPEN),
            postgresql_where=text(LIVE_OPEN),
        ),
        Index("ix_complaint_status_received", "status", "received_at"),
        # The statistics read every figure of a period's tickets from this index alone (covering): from
        # the table, 200,000 tickets took over a second.
        Index(
            "ix_complaint_stats",
            "received_at",
            "status",
            "category_id",
            "responsible_staff_id",
            "customer_id",
            "resolved_at",
            "due_at",
            "satisfaction",
            "deleted_at",  # though always NULL here: SQLite reads the table for any column left out
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
        Index("ix_complaint_received", "received_at"),
    )


class ComplaintStep(Base):
    """One step of a ticket's workflow (opened, accepted, … reopened): who, when, and their note."""

    __tablename__ = "complaint_step"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    complaint_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("complaint.id"), nullable=False, index=True
    )
    from_status: Mapped[str] = mapped_column(String(16), nullable=False, default="")  # "" when opened
    to_status: Mapped[str] = mapped_column(String(16), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    staff_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("staff.id"))
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")


class ComplaintEscalation(Base):
    """An overdue ticket raised: level 1 to the department's manager, level 2 to the general manager."""

    __tablename__ = "complaint_escalation"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    complaint_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("complaint.id"), nullable=False, index=True
    )
    level: Mapped[int] = mapped_column(Integer, nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    to_staff_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("staff.id"), index=True)
    # The policy asked the manager to consider moving the customer to other staff.
    propose_reassign: Mapped[bool] = mapped_column(nullable=False, default=False)


class ComplaintAttachment(SyncedMixin, Base):
    """A file kept with a ticket, its bytes in the database: safe from moved folders, shared by a server."""

    __tablename__ = "complaint_attachment"

    complaint_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("complaint.id"), nullable=False, index=True
    )
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    added_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("staff.id"))
