"""Customer files and what hangs off them: contact persons, transactions, change history, search text."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Money, SyncedMixin, UTCDateTime, utcnow
from app.models.enums import Category


class Customer(SyncedMixin, Base):
    __tablename__ = "customer"

    code: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    short_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    category: Mapped[str] = mapped_column(
        String(20), nullable=False, default=Category.POTENTIAL.value, index=True
    )
    tier: Mapped[str] = mapped_column(String(40), nullable=False, default="", index=True)
    industry: Mapped[str] = mapped_column(String(60), nullable=False, default="", index=True)
    enterprise_nature: Mapped[str] = mapped_column(String(30), nullable=False, default="")
    province: Mapped[str] = mapped_column(String(40), nullable=False, default="", index=True)
    city: Mapped[str] = mapped_column(String(40), nullable=False, default="", index=True)
    address: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    postcode: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    legal_representative: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    founded: Mapped[date | None] = mapped_column(Date)
    registered_capital: Mapped[Decimal | None] = mapped_column(Money)
    uscc: Mapped[str] = mapped_column(String(18), nullable=False, default="", index=True)
    business_scope: Mapped[str] = mapped_column(Text, nullable=False, default="")
    phone: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    fax: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    email: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    website: Mapped[str] = mapped_column(String(200), nullable=False, default="")

    # Characteristics (客户特征)
    annual_revenue: Mapped[Decimal | None] = mapped_column(Money)
    employees: Mapped[int | None] = mapped_column(Integer)
    purchasing_pattern: Mapped[str] = mapped_column(Text, nullable=False, default="")
    needs: Mapped[str] = mapped_column(Text, nullable=False, default="")
    business_trend: Mapped[str] = mapped_column(Text, nullable=False, default="")
    credit_rating: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    financial_status: Mapped[str] = mapped_column(Text, nullable=False, default="")
    cooperation_start: Mapped[date | None] = mapped_column(Date)
    brands: Mapped[str] = mapped_column(Text, nullable=False, default="")
    competitors: Mapped[str] = mapped_column(Text, nullable=False, default="")
    lost_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # Manual ratings 1–5 that tier rules weigh: future potential (潜力) and market influence (影响力).
    potential_rating: Mapped[int | None] = mapped_column(Integer)
    influence_rating: Mapped[int | None] = mapped_column(Integer)

    # Staff (归属)
    manager_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("staff.id"), index=True)
    department_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("department.id"))
    registered_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("staff.id"))
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("staff.id"))

    # The full-text index's integer key of this customer (customer_search.key): searches test it
    # directly instead of going through the UUID, which is what keeps a search over a million fast.
    search_key: Mapped[int | None] = mapped_column(Integer, unique=True)
    # The newest contact log's time, kept by every write of a log: the service watch finds the
    # customers left without contact from this one indexed column instead of millions of logs.
    last_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    contacts: Mapped[list[ContactPerson]] = relationship(back_populates="customer")
    transactions: Mapped[list[Transaction]] = relationship(back_populates="customer")

    __table_args__ = (
        Index("ix_customer_updated_at", "updated_at"),
        # The list's usual orders over live customers only: a deep page is found without reading
        # the rows before it (migration 0002).
        Index(
            "ix_customer_live_code",
            "code",
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
        Index(
            "ix_customer_live_name",
            "name",
            "code",
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
        # The service watch chooses and counts the customers without contact from this index alone: the
        # rows themselves are wide (a full read of 100,000 took longer than the whole answer may).
        Index(
            "ix_customer_watch",
            "deleted_at",
            "last_contact_at",
            "registered_on",
            "created_at",
            "category",
            "tier",
            "code",
            "manager_id",
            "id",
        ),
        Index(
            "ix_customer_live_updated_at",
            "updated_at",
            "code",
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )


class CustomerStaff(SyncedMixin, Base):
    """A staff member serving a customer besides its account manager (key customers have two or more)."""

    __tablename__ = "customer_staff"

    customer_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("customer.id"), nullable=False)
    staff_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("staff.id"), nullable=False, index=True)
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("staff.id"))

    __table_args__ = (
        Index(
            "uq_customer_staff_live",
            "customer_id",
            "staff_id",
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )


class ContactPerson(SyncedMixin, Base):
    __tablename__ = "contact_person"

    customer_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("customer.id"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(60), nullable=False)
    title: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    mobile: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    phone: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    email: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    wechat: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    birthday: Mapped[date | None] = mapped_column(Date)
    preferences: Mapped[str] = mapped_column(Text, nullable=False, default="")
    is_decision_maker: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("staff.id"))

    customer: Mapped[Customer] = relationship(back_populates="contacts")


class Transaction(SyncedMixin, Base):
    __tablename__ = "transaction_record"

    customer_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("customer.id"), nullable=False, index=True
    )
    occurred_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    amount: Mapped[Decimal] = mapped_column(Money, nullable=False)
    profit: Mapped[Decimal | None] = mapped_column(Money)
    product: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    contract_no: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    payment_method: Mapped[str] = mapped_column(String(30), nullable=False, default="")
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("staff.id"))

    customer: Mapped[Customer] = relationship(back_populates="transactions")

    __table_args__ = (
        # Tier evaluation sums each customer's figures from this index alone, in customer order,
        # instead of a million lookups into the table (migration 0006).
        Index(
            "ix_transaction_record_customer_figures",
            "customer_id",
            "occurred_on",
            "amount",
            "profit",
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )


class ChangeLog(Base):
    """One changed field of a customer file (or of a row inside it): who, when, old → new."""

    __tablename__ = "change_log"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("customer.id"), nullable=False)
    entity: Mapped[str] = mapped_column(String(30), nullable=False)
    entity_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    field: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    old_value: Mapped[str] = mapped_column(Text, nullable=False, default="")
    new_value: Mapped[str] = mapped_column(Text, nullable=False, default="")
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("staff.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (Index("ix_change_log_customer_at", "customer_id", "at"),)


class CustomerSearch(Base):
    """The text a customer is found by (names, codes, phones, contacts, pinyin).

    An integer key of its own, because SQLite's full-text index needs a stable integer rowid and
    the customer's key is a UUID.
    """

    __tablename__ = "customer_search"

    key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("customer.id"), nullable=False, unique=True
    )
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # Chinese single characters and pairs, space separated: what finds 1–2 character queries.
    grams: Mapped[str] = mapped_column(Text, nullable=False, default="")


class Counter(Base):
    """Named sequences, e.g. the next customer code number."""

    __tablename__ = "counter"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
