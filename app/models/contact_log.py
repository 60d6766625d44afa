"""Contact logs: each call, visit, letter, fax, e-mail or WeChat exchange recorded in a customer file."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, SyncedMixin, UTCDateTime
from app.models.enums import ContactKind


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
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("staff.id"))

    __table_args__ = (Index("ix_contact_log_customer_occurred", "customer_id", "occurred_at"),)
