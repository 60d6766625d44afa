"""What a tier report says (per-tier summary, changes, customers of each tier), gathered for any renderer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from app.db import Database
from app.i18n import _
from app.models import Customer, Department, Staff, TierEvaluation, TierHistory, TierProposal, TierRuleVersion
from app.models.base import CENT
from app.services import office
from app.services.actor import Actor
from app.services.errors import Cancelled, NotFoundError
from app.services.progress import IsCancelled, Progress
from app.services.tier_rules import RuleDefinition
from app.services.tiers import find_evaluation, tier_name, year_before


@dataclass(frozen=True)
class TierSummary:
    tier: str
    name: str
    customers: int
    share: float  # of the customers, 0–1
    revenue: Decimal
    revenue_share: float  # of the revenue, 0–1
    average_score: float | None


@dataclass(frozen=True)
class TierChange:
    code: str
    name: str
    manager: str
    from_name: str
    to_name: str
    direction: str  # up, down, new, same (an override ended)
    at: datetime
    reason: str


@dataclass(frozen=True)
class ReportCustomer:
    code: str
    name: str
    manager: str
    department: str
    revenue: Decimal
    score: float | None


@dataclass(frozen=True)
class TierSection:
    tier: str
    name: str
    customers: list[ReportCustomer]


@dataclass(frozen=True)
class TierReport:
    company: str
    rule_set: str
    rule_version: int
    method: str
    period_start: date
    as_of: date
    generated_at: datetime
    filter_text: str  # "Account manager: 张伟", or empty for the whole office
    summary: list[TierSummary]
    changes: list[TierChange]
    sections: list[TierSection]
    previous_at: datetime | None  # the evaluation the changes are counted from

    @property
    def customers(self) -> int:
        return sum(s.customers for s in self.summary)

    @property
    def revenue(self) -> Decimal:
        return sum((s.revenue for s in self.summary), Decimal("0.00"))


def gather(
    db: Database,
    actor: Actor,
    evaluation: uuid.UUID | str | None = None,
    manager: uuid.UUID | str | None = None,
    department: uuid.UUID | str | None = None,
    progress: Progress | None = None,
    cancelled: IsCancelled | None = None,
) -> TierReport:
    """The report of an evaluation (default: the latest) over the customers' tiers as they are now.

    `manager` and `department` are an id or a name; revenue and score are the evaluation's.
    """
    with db.session() as session:
        row = find_evaluation(session, evaluation)
        version = session.get(TierRuleVersion, row.rule_version_id)
        rules = RuleDefinition.from_json(version.definition)
        filters, filter_text = customer_filters(session, manager, department)
        stmt = evaluated_customers(row.id, filters)
        by_tier: dict[str, list[ReportCustomer]] = {t.key: [] for t in rules.tiers}
        for index, r in enumerate(session.execute(stmt)):
            if cancelled and index % 1000 == 0 and cancelled():
                raise Cancelled(_("The report was cancelled."))
            proposal = r.TierProposal
            by_tier.setdefault(r.tier, []).append(
                ReportCustomer(r.code, r.name, r.manager, r.department, proposal.revenue, proposal.score)
            )
        if progress:
            progress(1, 2)
        total_customers = sum(len(v) for v in by_tier.values()) or 1
        total_revenue = sum((c.revenue for v in by_tier.values() for c in v), Decimal("0.00"))
        summary, sections = [], []
        for key, customers in by_tier.items():
            revenue = sum((c.revenue for c in customers), Decimal("0.00")).quantize(CENT)
            scores = [c.score for c in customers if c.score is not None]
            name = tier_name(rules, key)
            summary.append(
                TierSummary(
                    tier=key,
                    name=name,
                    customers=len(customers),
                    share=len(customers) / total_customers,
                    revenue=revenue,
                    revenue_share=float(revenue / total_revenue) if total_revenue else 0.0,
                    average_score=sum(scores) / len(scores) if scores else None,
                )
            )
            if customers:
                sections.append(TierSection(key, name, customers))
        previous_at = session.scalar(
            select(func.max(TierEvaluation.at)).where(
                TierEvaluation.rule_set_id == row.rule_set_id, TierEvaluation.at < row.at
            )
        )
        changes = _changes(session, rules, row.id, previous_at, filters)
        if progress:
            progress(2, 2)
        return TierReport(
            company=office.company_name(session),
            rule_set=_(version.name),
            rule_version=version.number,
            method=rules.method,
            period_start=year_before(row.as_of) + timedelta(days=1),
            as_of=row.as_of,
            generated_at=datetime.now().astimezone(),
            filter_text=filter_text,
            summary=summary,
            changes=changes,
            sections=sections,
            previous_at=previous_at,
        )


def evaluated_customers(evaluation_id: uuid.UUID, filters: list) -> Select:
    """The live customers an evaluation scored, with their account manager's and department's names and
    their proposal, best score first: what the printed report and the tier table list."""
    manager_staff = aliased(Staff)
    return (
        select(
            Customer.code,
            Customer.name,
            func.coalesce(manager_staff.name, "").label("manager"),
            func.coalesce(Department.name, "").label("department"),
            Customer.industry,
            Customer.category,
            Customer.tier,
            TierProposal,
        )
        .join(TierProposal, TierProposal.customer_id == Customer.id)
        .outerjoin(manager_staff, manager_staff.id == Customer.manager_id)
        .outerjoin(Department, Department.id == Customer.department_id)
        .where(TierProposal.evaluation_id == evaluation_id, Customer.deleted_at.is_(None), *filters)
        .order_by(TierProposal.score.desc().nulls_last(), Customer.code)
    )


def customer_filters(session: Session, manager, department) -> tuple[list, str]:
    """The conditions on Customer for an account manager and a department (ids or names), and their words."""
    filters, texts = [], []
    if manager:
        staff = _find(session, Staff, manager)
        if staff is None:
            raise NotFoundError(_("There is no staff member {name}.").format(name=manager))
        filters.append(Customer.manager_id == staff.id)
        texts.append(_("Account manager: {name}").format(name=staff.name))
    if department:
        found = _find(session, Department, department)
        if found is None:
            raise NotFoundError(_("There is no department {name}.").format(name=department))
        filters.append(Customer.department_id == found.id)
        texts.append(_("Department: {name}").format(name=found.name))
    return filters, "; ".join(texts)


def _find(session: Session, model, which):
    if isinstance(which, uuid.UUID):
        return session.get(model, which)
    try:
        return session.get(model, uuid.UUID(str(which)))
    except ValueError:
        return session.scalar(select(model).where(model.name == str(which).strip()).limit(1))


def _changes(
    session: Session, rules: RuleDefinition, evaluation_id: uuid.UUID, since: datetime | None, filters: list
) -> list[TierChange]:
    """The changes this evaluation proposes (dated once approved), then the tiers set by hand since the
    evaluation before it. What was applied from the previous evaluation belongs to that one's report."""
    manager_staff = aliased(Staff)
    approved_at = (
        select(func.max(TierHistory.at))
        .where(
            TierHistory.evaluation_id == evaluation_id, TierHistory.customer_id == TierProposal.customer_id
        )
        .scalar_subquery()
    )
    proposed = (
        select(
            TierProposal.old_tier,
            TierProposal.new_tier,
            TierProposal.change,
            approved_at,
            Customer.code,
            Customer.name,
            func.coalesce(manager_staff.name, ""),
        )
        .join(Customer, Customer.id == TierProposal.customer_id)
        .outerjoin(manager_staff, manager_staff.id == Customer.manager_id)
        .where(
            TierProposal.evaluation_id == evaluation_id,
            TierProposal.change != "same",
            Customer.deleted_at.is_(None),
            *filters,
        )
        .order_by(TierProposal.score.desc().nulls_last(), Customer.code)
    )
    result = [
        TierChange(
            code=code,
            name=name,
            manager=manager_name,
            from_name=tier_name(rules, old) if old else "—",
            to_name=tier_name(rules, new),
            direction=change,
            at=at,
            reason=_("Approved") if at is not None else _("Proposed"),
        )
        for old, new, change, at, code, name, manager_name in session.execute(proposed)
    ]
    by_hand = (
        select(TierHistory, Customer.code, Customer.name, func.coalesce(manager_staff.name, ""))
        .join(Customer, Customer.id == TierHistory.customer_id)
        .outerjoin(manager_staff, manager_staff.id == Customer.manager_id)
        .where(TierHistory.evaluation_id.is_(None), Customer.deleted_at.is_(None), *filters)
        .order_by(TierHistory.at.desc(), Customer.code)
    )
    if since is not None:
        by_hand = by_hand.where(TierHistory.at > since)
    for history, code, name, manager_name in session.execute(by_hand):
        old, new = rules.rank(history.from_tier), rules.rank(history.to_tier)
        if history.from_tier == history.to_tier:
            direction = "same"
        elif old is None or new is None:
            direction = "new"
        else:
            direction = "up" if new < old else "down"
        result.append(
            TierChange(
                code=code,
                name=name,
                manager=manager_name,
                from_name=tier_name(rules, history.from_tier) if history.from_tier else "—",
                to_name=tier_name(rules, history.to_tier),
                direction=direction,
                at=history.at,
                reason=history.reason,
            )
        )
    return result
