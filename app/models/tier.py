"""Tier rule sets and versions, evaluations with a proposal per customer, overrides and tier history."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Money, SyncedMixin, UTCDateTime, utcnow


class TierRuleSet(SyncedMixin, Base):
    """A named rule set; `definition` is its current version's JSON and `version` that version's number."""

    __tablename__ = "tier_rule_set"

    name: Mapped[str] = mapped_column(String(100), nullable=False)
    method: Mapped[str] = mapped_column(String(20), nullable=False)
    definition: Mapped[str] = mapped_column(Text, nullable=False)
    in_use: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("staff.id"))


class TierRuleVersion(Base):
    """Every saved version of a rule set, kept so an evaluation can always say which rules it used."""

    __tablename__ = "tier_rule_version"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    rule_set_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("tier_rule_set.id"), nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    definition: Mapped[str] = mapped_column(Text, nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("staff.id"))

    __table_args__ = (UniqueConstraint("rule_set_id", "number"),)


class TierEvaluation(Base):
    """One run of a rule set over the active customers, as of a date; applied_at once approved."""

    __tablename__ = "tier_evaluation"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    rule_version_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("tier_rule_version.id"), nullable=False
    )
    rule_set_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("tier_rule_set.id"), nullable=False)
    as_of: Mapped[date] = mapped_column(Date, nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("staff.id"))
    customers: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    changes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Customers per change (up, down, new, same) as JSON, counted once when the proposals are stored:
    # they never change, and counting 100,000 proposals again for every listing would be slow.
    counts: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    overridden: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # of them, set by hand
    applied: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    applied_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("staff.id"))

    __table_args__ = (Index("ix_tier_evaluation_rule_set_at", "rule_set_id", "at"),)


class TierProposal(Base):
    """One customer in one evaluation: the raw figures, each dimension's scaled score, the total and tiers.

    `computed_tier` is what the rules say; `new_tier` what is proposed (the old tier while an override
    holds). `change` is same, up, down or new, so the lists filter in SQL.
    """

    __tablename__ = "tier_proposal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    evaluation_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("tier_evaluation.id"), nullable=False
    )
    customer_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("customer.id"), nullable=False)
    old_tier: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    computed_tier: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    new_tier: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    change: Mapped[str] = mapped_column(String(10), nullable=False, default="same")
    overridden: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    applied: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    score: Mapped[float | None] = mapped_column(Float)
    # Raw figures (money in fen, as everywhere), then the scaled score of each dimension.
    revenue: Mapped[Decimal] = mapped_column(Money, nullable=False, default=0)
    profit: Mapped[Decimal] = mapped_column(Money, nullable=False, default=0)
    purchases: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    recency_days: Mapped[int | None] = mapped_column(Integer)
    cooperation_years: Mapped[float | None] = mapped_column(Float)
    complaints: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    potential: Mapped[int | None] = mapped_column(Integer)
    influence: Mapped[int | None] = mapped_column(Integer)
    cumulative_share: Mapped[float | None] = mapped_column(Float)  # ABC: revenue share before this customer
    s_revenue: Mapped[float | None] = mapped_column(Float)
    s_profit: Mapped[float | None] = mapped_column(Float)
    s_purchases: Mapped[float | None] = mapped_column(Float)
    s_recency: Mapped[float | None] = mapped_column(Float)
    s_cooperation: Mapped[float | None] = mapped_column(Float)
    s_complaints: Mapped[float | None] = mapped_column(Float)
    s_potential: Mapped[float | None] = mapped_column(Float)
    s_influence: Mapped[float | None] = mapped_column(Float)

    # One index only: a customer's proposals are found through the (few) evaluations, and every
    # further index would slow the insert of 100,000 proposals per evaluation.
    __table_args__ = (Index("ix_tier_proposal_evaluation_customer", "evaluation_id", "customer_id"),)


class TierOverride(Base):
    """A manager's tier for one customer that evaluations leave alone until `until` or until ended."""

    __tablename__ = "tier_override"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("customer.id"), nullable=False)
    tier: Mapped[str] = mapped_column(String(40), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    until: Mapped[date | None] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("staff.id"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("staff.id"))

    __table_args__ = (Index("ix_tier_override_customer", "customer_id"),)


class TierHistory(Base):
    """One change of a customer's tier: from, to, when, by whom, under which rules and why."""

    __tablename__ = "tier_history"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("customer.id"), nullable=False)
    from_tier: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    to_tier: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("staff.id"))
    kind: Mapped[str] = mapped_column(String(20), nullable=False)  # evaluation, override, override_end
    rule_set_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    rule_version: Mapped[int | None] = mapped_column(Integer)
    evaluation_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("tier_evaluation.id"))
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")

    __table_args__ = (Index("ix_tier_history_customer_at", "customer_id", "at"),)


class OfficeSetting(Base):
    """Settings shared by everyone using this database (the company's name on printed reports)."""

    __tablename__ = "office_setting"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False, default="")
