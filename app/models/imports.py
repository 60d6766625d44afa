"""Import batches: what each import wrote (so it can be undone) and the problems it found in the file."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime, utcnow


class ImportBatch(Base):
    """One run of an import: its file, options and counts; undone_at once it has been taken back."""

    __tablename__ = "import_batch"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    file_name: Mapped[str] = mapped_column(String(260), nullable=False)
    sheet: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    mode: Mapped[str] = mapped_column(String(20), nullable=False)
    on_duplicate: Mapped[str] = mapped_column(String(10), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("staff.id"))
    created: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    updated: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    skipped: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    merged: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    warnings: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    errors: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("staff.id"))


class ImportItem(Base):
    """A record an import created or updated; `before` holds the updated fields' old values (JSON)."""

    __tablename__ = "import_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("import_batch.id"), nullable=False)
    entity: Mapped[str] = mapped_column(String(20), nullable=False)
    entity_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    action: Mapped[str] = mapped_column(String(10), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # the record's version the import left
    before: Mapped[str] = mapped_column(Text, nullable=False, default="")

    __table_args__ = (Index("ix_import_item_batch", "batch_id"),)


class ImportIssue(Base):
    """A problem found in one cell (or row) of an imported file.

    Warnings of rows that were imported carry the customer they concern: the customer file shows
    them as data-quality flags, with the value the user typed, until someone dismisses them.
    """

    __tablename__ = "import_issue"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("import_batch.id"), nullable=False)
    level: Mapped[str] = mapped_column(String(10), nullable=False)  # "error" or "warning"
    sheet: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    row: Mapped[int] = mapped_column(Integer, nullable=False)  # as Excel numbers it (1-based)
    column: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    field: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    value: Mapped[str] = mapped_column(Text, nullable=False, default="")
    message: Mapped[str] = mapped_column(Text, nullable=False)
    customer_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("customer.id"))
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_import_issue_batch", "batch_id"),
        Index("ix_import_issue_customer", "customer_id"),
    )


class ImportMapping(Base):
    """The column mapping a user last chose for a set of headers, to be offered again."""

    __tablename__ = "import_mapping"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # kind + headers, hashed
    mapping: Mapped[str] = mapped_column(Text, nullable=False)  # JSON {header: field}
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
