"""Contact logs and follow-ups: each interaction recorded in a customer file, and the next one planned."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, Index, String, Table, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, SyncedMixin, UTCDateTime
from app.models.enums import ContactKind, FollowUpStatus

# The staff who took part besides the one who logged it (a visit by two people is one log).
contact_log_staff = Table(
    "contact_log_staff",
    Base.metadata,
    Column("contact_log_id", Uuid, ForeignKey("contact_log.id"), primary_key=True),
    Column("staff_id", Uuid, ForeignKey("staff.id"), primary_key=True, index=True),
)


class ContactLog(SyncedMixin, Base):
    __tablename__ = "contact_log"

    customer_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("customer.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default=ContactKind.PHONE.value)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    staff_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("staff.id"))
    contact_person_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("contact_person.id"))
    subject: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    summary: Mapped[str] = mapped_column(Text, nullable=False, default="")
    outcome: Mapped[str] = mapped_column(Text, nullable=False, default="")
    next_step: Mapped[str] = mapped_column(Text, nullable=False, default="")
    next_date: Mapped[date | None] = mapped_column(Date)
    # The author may edit for a while (the office's edit window), then only a manager may.
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("staff.id"))
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("staff.id"))

    __table_args__ = (
        Index("ix_contact_log_customer_occurred", "customer_id", "occurred_at"),
        # The account-manager overview counts each person's live logs of the last 30 and 90 days from
        # this index alone (with deleted_at outside it, each of a million entries meant a table read).
        Index(
            "ix_contact_log_staff_occurred",
            "staff_id",
            "occurred_at",
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )


class FollowUp(SyncedMixin, Base):
    """A planned contact (跟进 / 回访): due date, owner and purpose; done by logging the contact."""

    __tablename__ = "follow_up"

    customer_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("customer.id"), nullable=False, index=True
    )
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("staff.id"))
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    purpose: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # Where it came from: "manual", "next_step" (a log's next step), "cadence" or "handover".
    origin: Mapped[str] = mapped_column(String(20), nullable=False, default="manual")
    status: Mapped[str] = mapped_column(String(12), nullable=False, default=FollowUpStatus.OPEN.value)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    contact_log_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("contact_log.id"))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("staff.id"))
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("staff.id"))

    __table_args__ = (
        # "My day": one person's open follow-ups in date order, and everyone's for a manager.
        Index(
            "ix_follow_up_open_owner_due",
            "owner_id",
            "due_on",
            sqlite_where=text("status = 'open' AND deleted_at IS NULL"),
            postgresql_where=text("status = 'open' AND deleted_at IS NULL"),
        ),
        Index(
            "ix_follow_up_open_due",
            "due_on",
            sqlite_where=text("status = 'open' AND deleted_at IS NULL"),
            postgresql_where=text("status = 'open' AND deleted_at IS NULL"),
        ),
    )
