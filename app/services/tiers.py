"""Tier assignment: rule sets, evaluation in SQL with an explanation per customer, approval, overrides."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Date,
    Float,
    Integer,
    Numeric,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    update,
)
from sqlalchemy import Uuid as UuidType
from sqlalchemy.orm import Session

from app.db import Database
from app.i18n import _
from app.models import (
    Complaint,
    Customer,
    Staff,
    TierEvaluation,
    TierHistory,
    TierOverride,
    TierProposal,
    TierRuleSet,
    TierRuleVersion,
    Transaction,
    utcnow,
)
from app.models.enums import Category
from app.services import events
from app.services.actor import Actor
from app.services.customers import staff_name
from app.services.errors import Cancelled, ConcurrencyError, NotFoundError, ServiceError, ValidationError
from app.services.labels import TIER_NAMES, label
from app.services.tier_rules import (
    ABC,
    CADENCE_MONTHS,
    DEFAULT_CADENCE_DAYS,
    DIMENSIONS,
    FALLBACK_CADENCE_DAYS,
    PRESETS,
    RFM,
    THRESHOLDS,
    WEIGHTED,
    RuleDefinition,
    TierDef,
    check_definition,
    dimension_label,
)

# History kinds.
EVALUATION = "evaluation"
OVERRIDE = "override"
OVERRIDE_END = "override_end"

CHANGES = ("up", "down", "new", "same")
MONEY_DIMENSIONS = frozenset({"revenue", "profit"})
# Where a proposal keeps each dimension's raw figure.
RAW_COLUMNS = {
    "revenue": "revenue",
    "profit": "profit",
    "purchases": "purchases",
    "recency": "recency_days",
    "cooperation": "cooperation_years",
    "complaints": "complaints",
    "potential": "potential",
    "influence": "influence",
}
# Scores are kept to this many places, and tiers are cut on the kept value, so what the explanation
# shows (80.0 ≥ 80) is what decided.
SCORE_PLACES = 4


# ---------------------------------------------------------------- plain data out


@dataclass(frozen=True)
class RuleSetInfo:
    id: uuid.UUID
    name: str
    method: str
    version: int
    in_use: bool
    definition: RuleDefinition
    updated_at: datetime


@dataclass(frozen=True)
class EvaluationInfo:
    id: uuid.UUID
    rule_set_id: uuid.UUID
    rule_set_name: str
    rule_version: int
    definition: RuleDefinition
    as_of: date
    at: datetime
    actor: str
    customers: int
    changes: int
    applied: int
    applied_at: datetime | None
    counts: dict[str, int] = field(default_factory=dict)  # change → customers
    overridden: int = 0  # customers whose tier is set by hand, so no change is proposed


@dataclass(frozen=True)
class ProposalRow:
    customer_id: uuid.UUID
    code: str
    name: str
    manager: str
    old_tier: str
    new_tier: str
    computed_tier: str
    change: str
    overridden: bool
    applied: bool
    score: float | None
    revenue: Decimal


@dataclass(frozen=True)
class DimensionPart:
    """One line of an explanation: a dimension's raw figure, scaled score, weight and share of the total."""

    key: str
    label: str
    raw: float | Decimal | None
    scaled: float | None
    weight: float
    share: float | None  # of the total score, 0–1
    previous_raw: float | Decimal | None = None
    previous_scaled: float | None = None


@dataclass(frozen=True)
class Explanation:
    customer_id: uuid.UUID
    code: str
    name: str
    method: str
    score: float | None
    old_tier: str
    computed_tier: str
    new_tier: str
    overridden: bool
    parts: list[DimensionPart]
    reason: str  # the cut-off crossed, in words
    previous_score: float | None = None
    previous_tier: str | None = None
    previous_as_of: date | None = None
    as_of: date | None = None  # of the evaluation explained, with its rules
    rule_set: str = ""
    rule_version: int | None = None


@dataclass(frozen=True)
class ApplyResult:
    applied: int
    skipped: list[str]  # codes whose tier changed since the evaluation: left as they are


@dataclass(frozen=True)
class OverrideInfo:
    tier: str
    reason: str
    until: date | None
    at: datetime
    by: str


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    from_tier: str
    to_tier: str
    by: str
    kind: str
    rule_set: str
    rule_version: int | None
    reason: str


@dataclass(frozen=True)
class CustomerTier:
    """What the customer file's Tier tab shows."""

    tier: str
    tier_name: str
    policy: TierDef
    override: OverrideInfo | None
    explanation: Explanation | None
    history: list[HistoryRow]
    rules: RuleDefinition  # the rule set in use: its tiers are the ones a tier can be set to


@dataclass(frozen=True)
class DueNotice:
    rule_set: str
    last: date | None
    due_since: date


# ---------------------------------------------------------------- helpers


def year_before(day: date) -> date:
    """The same day a year earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def months_after(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def tier_name(definition: RuleDefinition | None, key: str) -> str:
    """A tier's name under a rule set; a key it does not know is named by the default vocabulary."""
    tier = definition.tier(key) if definition else None
    if tier is not None:
        return tier.name
    return label(TIER_NAMES, key) if key else "—"


def _days_between(dialect: str, later: date, column):
    """Whole days from `column` (a date) to `later`, computed by the database."""
    if dialect == "sqlite":
        return cast(func.julianday(literal(later.isoformat())) - func.julianday(column), Integer)
    return literal(later, Date) - column


def _quintile(percent_rank, dialect: str):
    """The quintile 1–5 of a value, as pandas.qcut(values, 5) gives it, from its percent rank.

    qcut cuts at the quantiles 0.2 … 0.8 with linear interpolation and closes bins on the right, which
    for the value of rank r (1 = smallest, ties share the lowest rank) among n comes to
    max(1, ceil(5 (r − 1) / (n − 1))) = max(1, ceil(5 × percent rank)). Taken as 1 + floor(5 × rank − ε):
    ε absorbs the rounding of an exact boundary (2.0000000000000004), and is far below the smallest real
    step, 5 / (n − 1).
    """
    shifted = percent_rank * 5 - 1e-9
    # SQLite has no floor() in every build; its integer cast truncates toward zero, which is floor from
    # 0 upwards and 0 at −ε (a percent rank of 0); PostgreSQL's cast rounds, so it takes floor from 0 up.
    whole = func.greatest(func.floor(shifted), 0) if dialect == "postgresql" else cast(shifted, Integer)
    return 1 + cast(whole, Integer)


def _round_score(expr):
    return cast(func.round(cast(expr, Numeric(18, 8)), SCORE_PLACES), Float)


class TierService:
    """Use cases of tier assignment. Every method is one unit of work and returns plain data."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- rule sets

    def _ensure_presets(self, session: Session) -> None:
        if session.scalar(select(func.count()).select_from(TierRuleSet)):
            return
        for preset in PRESETS:
            definition = check_definition(preset.name, preset.definition)
            row = TierRuleSet(
                id=preset.id,
                name=preset.name,  # the English name: shown translated, in each user's language
                method=definition.method,
                definition=definition.to_json(),
                in_use=preset.definition.method == WEIGHTED,
            )
            session.add(row)
            session.flush()
            self._snapshot(session, row, None)

    @staticmethod
    def _snapshot(session: Session, row: TierRuleSet, actor: Actor | None) -> TierRuleVersion:
        version = TierRuleVersion(
            rule_set_id=row.id,
            number=row.version,
            name=row.name,
            definition=row.definition,
            actor_id=actor.staff_id if actor else None,
        )
        session.add(version)
        session.flush()
        return version

    @staticmethod
    def _info(row: TierRuleSet) -> RuleSetInfo:
        return RuleSetInfo(
            id=row.id,
            name=_(row.name),
            method=row.method,
            version=row.version,
            in_use=row.in_use,
            definition=RuleDefinition.from_json(row.definition),
            updated_at=row.updated_at,
        )

    def rule_sets(self, actor: Actor) -> list[RuleSetInfo]:
        with self.db.session() as session:
            self._ensure_presets(session)
            rows = session.scalars(
                select(TierRuleSet).where(TierRuleSet.deleted_at.is_(None)).order_by(TierRuleSet.name)
            )
            return [self._info(r) for r in rows]

    def _find_rule_set(self, session: Session, which: uuid.UUID | str | None) -> TierRuleSet:
        self._ensure_presets(session)
        live = select(TierRuleSet).where(TierRuleSet.deleted_at.is_(None))
        if which is None:
            row = session.scalar(live.where(TierRuleSet.in_use.is_(True)))
            if row is None:
                row = session.scalar(live.order_by(TierRuleSet.name).limit(1))
        elif isinstance(which, uuid.UUID):
            row = session.scalar(live.where(TierRuleSet.id == which))
        else:
            wanted = which.strip().lower()
            # By its stored name, or a preset's name as shown in the user's language.
            row = next(
                (r for r in session.scalars(live) if wanted in (r.name.lower(), _(r.name).lower())), None
            )
        if row is None:
            raise NotFoundError(_("There is no tier rule set {name}.").format(name=which or ""))
        return row

    def rule_set(self, actor: Actor, which: uuid.UUID | str | None = None) -> RuleSetInfo:
        """A rule set by id or name (any case); None: the one in use."""
        with self.db.session() as session:
            return self._info(self._find_rule_set(session, which))

    def save_rule_set(
        self,
        actor: Actor,
        name: str,
        definition: RuleDefinition,
        rule_set_id: uuid.UUID | None = None,
        expected_version: int | None = None,
    ) -> RuleSetInfo:
        """Create a rule set or save a new version of one; the old versions stay for past evaluations."""
        name = name.strip()
        definition = check_definition(name, definition)
        with self.db.session() as session:
            self._ensure_presets(session)
            others = session.scalars(select(TierRuleSet).where(TierRuleSet.deleted_at.is_(None)))
            if any(
                name.lower() in (r.name.lower(), _(r.name).lower()) for r in others if r.id != rule_set_id
            ):
                raise ValidationError(
                    {"name": _("A rule set named {name} exists already.").format(name=name)}
                )
            if rule_set_id is None:
                row = TierRuleSet(name=name, method=definition.method, definition=definition.to_json())
                row.updated_by_id = actor.staff_id
                session.add(row)
            else:
                row = self._find_rule_set(session, rule_set_id)
                if expected_version is not None and row.version != expected_version:
                    raise ConcurrencyError(
                        _("Someone else saved this rule set meanwhile; nothing was overwritten."),
                        changed_by="",
                        changed_at=row.updated_at,
                    )
                if name == _(row.name):
                    name = row.name  # a preset's shown name: keep the stored one, translated when shown
                if row.name == name and RuleDefinition.from_json(row.definition) == definition:
                    return self._info(row)  # nothing changed: no new version
                row.name = name
                row.method = definition.method
                row.definition = definition.to_json()
                row.updated_at = utcnow()
                row.updated_by_id = actor.staff_id
            session.flush()
            self._snapshot(session, row, actor)
            info = self._info(row)
        events.publish(events.Change("tier_rule_set", frozenset({info.id})))
        return info

    def use_rule_set(self, actor: Actor, rule_set_id: uuid.UUID) -> None:
        """Make a rule set the one whose tiers, cadence and reminders the office works with."""
        with self.db.session() as session:
            row = self._find_rule_set(session, rule_set_id)
            session.execute(
                update(TierRuleSet).where(TierRuleSet.id != row.id).values(in_use=False),
                execution_options={"synchronize_session": False},
            )
            row.in_use = True
        events.publish(events.Change("tier_rule_set"))

    def delete_rule_set(self, actor: Actor, rule_set_id: uuid.UUID) -> None:
        with self.db.session() as session:
            row = self._find_rule_set(session, rule_set_id)
            if row.in_use:
                raise ServiceError(
                    _("{name} is the rule set in use: choose another one to use first.").format(
                        name=_(row.name)
                    )
                )
            row.deleted_at = utcnow()
        events.publish(events.Change("tier_rule_set"))

    # -- evaluation

    def evaluate(
        self,
        actor: Actor,
        rule_set: uuid.UUID | str | None = None,
        as_of: date | None = None,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> EvaluationInfo:
        """Score every active customer under a rule set as of a date and store the proposals.

        Everything is computed by the database in one INSERT … SELECT; nothing changes on the customers
        until `apply`. Lost and deleted customers are not evaluated.
        """
        as_of = as_of or date.today()
        steps = 3
        if progress:
            progress(0, steps)
        with self.db.session() as session:
            row = self._find_rule_set(session, rule_set)
            definition = RuleDefinition.from_json(row.definition)
            version_id = (
                session.scalar(
                    select(TierRuleVersion.id).where(
                        TierRuleVersion.rule_set_id == row.id, TierRuleVersion.number == row.version
                    )
                )
                or self._snapshot(session, row, actor).id
            )
            evaluation = TierEvaluation(
                rule_version_id=version_id, rule_set_id=row.id, as_of=as_of, actor_id=actor.staff_id
            )
            session.add(evaluation)
            session.flush()
            if progress:
                progress(1, steps)
            if cancelled and cancelled():
                raise Cancelled(_("The evaluation was cancelled; nothing was kept."))
            with _roomy_sqlite(session):
                session.execute(self._proposals_insert(session, evaluation.id, definition, as_of))
            if progress:
                progress(2, steps)
            if cancelled and cancelled():
                session.rollback()
                raise Cancelled(_("The evaluation was cancelled; nothing was kept."))
            counts: dict[str, int] = {}
            overridden = 0
            for change, by_hand, n in session.execute(
                select(TierProposal.change, TierProposal.overridden, func.count())
                .where(TierProposal.evaluation_id == evaluation.id)
                .group_by(TierProposal.change, TierProposal.overridden)
            ):
                counts[change] = counts.get(change, 0) + n
                overridden += n if by_hand else 0
            evaluation.counts = json.dumps(counts, sort_keys=True)
            evaluation.overridden = overridden
            evaluation.customers = sum(counts.values())
            evaluation.changes = evaluation.customers - counts.get("same", 0)
            session.flush()
            info = self._evaluation_info(session, evaluation)
        if progress:
            progress(steps, steps)
        events.publish(events.Change("tier_evaluation", frozenset({info.id})))
        return info

    def _proposals_insert(
        self, session: Session, evaluation_id: uuid.UUID, rules: RuleDefinition, as_of: date
    ):
        dialect = session.get_bind().dialect.name
        start = year_before(as_of)
        t = Transaction.__table__
        in_window = t.c.occurred_on > start  # the WHERE below already ends it at as_of
        stats = (
            select(
                t.c.customer_id,
                func.sum(case((in_window, t.c.amount), else_=0)).label("revenue"),
                func.sum(case((in_window, func.coalesce(t.c.profit, 0)), else_=0)).label("profit"),
                func.count(case((in_window, 1))).label("purchases"),
                func.max(t.c.occurred_on).label("last"),
                func.min(t.c.occurred_on).label("first"),
            )
            .where(t.c.deleted_at.is_(None), t.c.occurred_on <= as_of)
            .group_by(t.c.customer_id)
            .subquery("stats")
        )
        window_start = datetime.combine(start + timedelta(days=1), time(), timezone.utc)
        window_end = datetime.combine(as_of + timedelta(days=1), time(), timezone.utc)
        k = Complaint.__table__
        complaints = (
            select(k.c.customer_id, func.count().label("n"))
            .where(k.c.deleted_at.is_(None), k.c.received_at >= window_start, k.c.received_at < window_end)
            .group_by(k.c.customer_id)
            .subquery("complaints")
        )
        o = TierOverride.__table__
        overrides = (
            select(o.c.customer_id, func.max(o.c.tier).label("tier"))
            .where(o.c.ended_at.is_(None), or_(o.c.until.is_(None), o.c.until >= as_of))
            .group_by(o.c.customer_id)
            .subquery("overrides")
        )
        c = Customer.__table__
        cooperation_days = _days_between(dialect, as_of, func.coalesce(c.c.cooperation_start, stats.c.first))
        base = (
            select(
                c.c.id.label("customer_id"),
                c.c.code,
                c.c.tier.label("old_tier"),
                c.c.potential_rating.label("potential"),
                c.c.influence_rating.label("influence"),
                # Fen as plain integers: arithmetic on the money type would scale its literals too.
                cast(func.coalesce(stats.c.revenue, 0), BigInteger).label("revenue"),
                cast(func.coalesce(stats.c.profit, 0), BigInteger).label("profit"),
                func.coalesce(stats.c.purchases, 0).label("purchases"),
                _days_between(dialect, as_of, stats.c.last).label("recency_days"),
                case((cooperation_days < 0, 0.0), else_=cast(cooperation_days, Float) / 365.25).label(
                    "cooperation_years"
                ),
                func.coalesce(complaints.c.n, 0).label("complaints"),
                case((stats.c.last.is_(None), 0), else_=1).label("bought"),
                overrides.c.tier.label("override_tier"),
            )
            .select_from(
                c.outerjoin(stats, stats.c.customer_id == c.c.id)
                .outerjoin(complaints, complaints.c.customer_id == c.c.id)
                .outerjoin(overrides, overrides.c.customer_id == c.c.id)
            )
            .where(
                # Not "deleted_at IS NULL", which SQLite answers through a partial index and a lookup
                # per row: reading the whole table is three times faster when nearly all rows qualify.
                func.coalesce(c.c.deleted_at, None).is_(None),
                c.c.category != Category.LOST.value,
            )
            .cte("base")
        )
        if rules.method == RFM:
            scored = self._rfm(base, rules, dialect)
        elif rules.method == ABC:
            scored = self._abc(base, rules)
        else:
            scored = self._weighted(base, rules)
        final = self._with_tiers(scored, rules)
        columns = [col.name for col in final.selected_columns]
        stmt = select(literal(evaluation_id, UuidType).label("evaluation_id"), *final.selected_columns)
        return insert(TierProposal).from_select(["evaluation_id", *columns], stmt)

    @staticmethod
    def _value(base, key: str):
        """A dimension's figure for ranking: a missing rating counts as its neutral value, and a customer
        who never bought as the longest possible time since."""
        column = {
            "revenue": base.c.revenue,
            "profit": base.c.profit,
            "purchases": base.c.purchases,
            "recency": func.coalesce(base.c.recency_days, 1_000_000),
            "cooperation": base.c.cooperation_years,
            "complaints": base.c.complaints,
            "potential": func.coalesce(base.c.potential, DIMENSIONS["potential"].missing),
            "influence": func.coalesce(base.c.influence, DIMENSIONS["influence"].missing),
        }
        return column[key]

    def _weighted(self, base, rules: RuleDefinition):
        scaled = {}
        for dim in rules.dimensions:
            if dim.weight <= 0:
                continue
            value = self._value(base, dim.key)
            lower_better = DIMENSIONS[dim.key].lower_is_better
            if dim.scale == THRESHOLDS:
                # Money thresholds are typed in yuan; the figures are fen.
                factor = 100 if dim.key in MONEY_DIMENSIONS else 1
                reached = [
                    case(((value <= t * factor) if lower_better else (value >= t * factor), 1), else_=0)
                    for t in dim.thresholds
                ]
                scaled[dim.key] = sum(reached[1:], reached[0]) * 100.0 / len(dim.thresholds)
            else:
                order = value.desc() if lower_better else value.asc()
                scaled[dim.key] = func.percent_rank().over(order_by=order) * 100.0
        inner = select(
            *base.c, *[cast(expr, Float).label(f"s_{key}") for key, expr in scaled.items()]
        ).subquery("scaled")
        total_weight = sum(rules.weights.values())
        total = sum(
            (inner.c[f"s_{key}"] * (w / total_weight) for key, w in rules.weights.items()), literal(0.0)
        )
        return select(
            *inner.c,
            _round_score(total).label("score"),
            cast(null(), Float).label("cumulative_share"),
        ).subquery("scored")

    def _rfm(self, base, rules: RuleDefinition, dialect: str):
        bought = base.c.bought

        def quintile(value):
            return _quintile(func.percent_rank().over(partition_by=bought, order_by=value.asc()), dialect)

        inner = select(
            *base.c,
            (6 - quintile(self._value(base, "recency"))).label("s_recency"),
            quintile(base.c.purchases).label("s_purchases"),
            quintile(base.c.revenue).label("s_revenue"),
        ).subquery("scaled")
        return select(
            *inner.c,
            case(
                (inner.c.bought == 1, inner.c.s_recency + inner.c.s_purchases + inner.c.s_revenue),
                else_=null(),
            ).label("score"),
            cast(null(), Float).label("cumulative_share"),
        ).subquery("scored")

    def _abc(self, base, rules: RuleDefinition):
        bought = base.c.bought
        before = func.sum(base.c.revenue).over(
            partition_by=bought, order_by=(base.c.revenue.desc(), base.c.code.asc()), rows=(None, -1)
        )
        inner = select(
            *base.c,
            func.coalesce(before, 0).label("before"),
            func.sum(base.c.revenue).over(partition_by=bought).label("total"),
        ).subquery("scaled")
        has_total = and_(inner.c.bought == 1, inner.c.total > 0)
        return select(
            *[col for col in inner.c if col.name not in ("before", "total")],
            # The dimension's score is the customer's own share of the revenue, in %.
            case((has_total, _round_score(inner.c.revenue * 100.0 / inner.c.total)), else_=null()).label(
                "s_revenue"
            ),
            case((has_total, _round_score(inner.c.revenue * 100.0 / inner.c.total)), else_=null()).label(
                "score"
            ),
            case((has_total, _round_score(inner.c.before * 100.0 / inner.c.total)), else_=null()).label(
                "cumulative_share"
            ),
            inner.c.before,
            inner.c.total,
        ).subquery("scored")

    @staticmethod
    def _with_tiers(scored, rules: RuleDefinition):
        """The tier the rules give, the tier proposed (the old one under an override) and the change."""
        graded = [t for t in rules.tiers if t.key != rules.no_purchase_tier] or list(rules.tiers)
        lowest = graded[-1].key
        s = scored.c
        if rules.method == RFM:
            whens = [
                (
                    and_(s.s_recency.between(t.r_min, t.r_max), s.s_purchases.between(t.f_min, t.f_max)),
                    t.key,
                )
                for t in graded
            ]
        elif rules.method == ABC:
            # Integer comparison (fen × 10,000 against basis points × fen), so 80 % is exactly 80 %.
            whens = [(s.revenue <= 0, lowest)] + [
                (s.before * 10_000 < round(t.up_to * 100) * s.total, t.key) for t in graded[:-1]
            ]
        else:
            whens = [(s.score >= t.min_score, t.key) for t in graded[:-1]]
        rules_say = case(*whens, else_=lowest) if whens else literal(lowest)
        if rules.no_purchase_tier:
            no_purchase = s.bought == 0
            if rules.method == WEIGHTED:
                # A manual rating lets the score decide for a customer who has not bought yet.
                no_purchase = and_(no_purchase, s.potential.is_(None), s.influence.is_(None))
            computed = case((no_purchase, rules.no_purchase_tier), else_=rules_say)
        else:
            computed = rules_say
        proposed = case((s.override_tier.is_not(None), s.old_tier), else_=computed)
        rank = {t.key: i for i, t in enumerate(rules.tiers)}

        def rank_of(expr):
            return case(*[(expr == key, i) for key, i in rank.items()], else_=None)

        change = case(
            (proposed == s.old_tier, "same"),
            (or_(s.old_tier == "", s.old_tier.not_in(list(rank))), "new"),
            (rank_of(proposed) < rank_of(s.old_tier), "up"),
            else_="down",
        )
        dims = [
            "revenue",
            "profit",
            "purchases",
            "recency",
            "cooperation",
            "complaints",
            "potential",
            "influence",
        ]
        return select(
            s.customer_id,
            s.old_tier,
            computed.label("computed_tier"),
            proposed.label("new_tier"),
            change.label("change"),
            case((s.override_tier.is_not(None), True), else_=False).label("overridden"),
            literal(False).label("applied"),
            s.score,
            s.revenue,
            s.profit,
            s.purchases,
            s.recency_days,
            s.cooperation_years,
            s.complaints,
            s.potential,
            s.influence,
            s.cumulative_share,
            *[(s[f"s_{d}"] if f"s_{d}" in s else cast(null(), Float)).label(f"s_{d}") for d in dims],
        )

    # -- reading evaluations

    def _evaluation_info(self, session: Session, row: TierEvaluation) -> EvaluationInfo:
        version = session.get(TierRuleVersion, row.rule_version_id)
        return EvaluationInfo(
            id=row.id,
            rule_set_id=row.rule_set_id,
            rule_set_name=_(version.name),
            rule_version=version.number,
            definition=RuleDefinition.from_json(version.definition),
            as_of=row.as_of,
            at=row.at,
            actor=staff_name(session, row.actor_id),
            customers=row.customers,
            changes=row.changes,
            applied=row.applied,
            applied_at=row.applied_at,
            counts=json.loads(row.counts),
            overridden=row.overridden,
        )

    def evaluations(self, actor: Actor, limit: int = 50) -> list[EvaluationInfo]:
        with self.db.session() as session:
            rows = session.scalars(select(TierEvaluation).order_by(TierEvaluation.at.desc()).limit(limit))
            return [self._evaluation_info(session, r) for r in rows]

    def evaluation(self, actor: Actor, which: uuid.UUID | str | None = None) -> EvaluationInfo:
        """An evaluation by id (or the start of one); None: the latest."""
        with self.db.session() as session:
            return self._evaluation_info(session, find_evaluation(session, which))

    def proposals(
        self,
        actor: Actor,
        evaluation_id: uuid.UUID,
        changes: Iterable[str] | None = None,
        overridden: bool | None = None,
        text: str = "",
        manager_id: uuid.UUID | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[ProposalRow]:
        """The proposals of an evaluation, by change (up, down, new, same), best score first; a page of
        them with `offset` and `limit`."""
        stmt = (
            select(
                TierProposal.customer_id,
                Customer.code,
                Customer.name,
                func.coalesce(Staff.name, ""),
                TierProposal.old_tier,
                TierProposal.new_tier,
                TierProposal.computed_tier,
                TierProposal.change,
                TierProposal.overridden,
                TierProposal.applied,
                TierProposal.score,
                TierProposal.revenue,
            )
            .join(Customer, Customer.id == TierProposal.customer_id)
            .outerjoin(Staff, Staff.id == Customer.manager_id)
            .where(TierProposal.evaluation_id == evaluation_id)
            .order_by(TierProposal.score.desc().nulls_last(), Customer.code)
            .offset(offset)
        )
        if changes is not None:
            stmt = stmt.where(TierProposal.change.in_(list(changes)))
        if overridden is not None:
            stmt = stmt.where(TierProposal.overridden.is_(overridden))
        if text.strip():
            needle = f"%{text.strip().lower()}%"
            stmt = stmt.where(
                or_(func.lower(Customer.code).like(needle), func.lower(Customer.name).like(needle))
            )
        if manager_id is not None:
            stmt = stmt.where(Customer.manager_id == manager_id)
        if limit is not None:
            stmt = stmt.limit(limit)
        with self.db.session() as session:
            return [ProposalRow(*r) for r in session.execute(stmt)]

    def proposal_records(self, actor: Actor, evaluation_id: uuid.UUID) -> Iterable[dict]:
        """Every proposal with its dimension scores, as the command line's JSON gives them."""
        with self.db.session() as session:
            evaluation = self._evaluation_info(session, find_evaluation(session, evaluation_id))
            weighted = [d.key for d in evaluation.definition.dimensions if d.weight > 0]
            stmt = (
                select(TierProposal, Customer.code)
                .join(Customer, Customer.id == TierProposal.customer_id)
                .where(TierProposal.evaluation_id == evaluation_id)
                .order_by(Customer.code)
            )
            for proposal, code in session.execute(stmt):
                yield {
                    "code": code,
                    "old_tier": proposal.old_tier,
                    "new_tier": proposal.new_tier,
                    "computed_tier": proposal.computed_tier,
                    "changed": proposal.new_tier != proposal.old_tier,
                    "change": proposal.change,
                    "overridden": proposal.overridden,
                    "score": proposal.score,
                    "dimensions": {
                        key: {"value": _raw(proposal, key), "score": getattr(proposal, f"s_{key}")}
                        for key in weighted
                    },
                }

    def explain(self, actor: Actor, evaluation_id: uuid.UUID, customer_id: uuid.UUID) -> Explanation:
        with self.db.session() as session:
            evaluation = find_evaluation(session, evaluation_id)
            return self._explain(session, evaluation, customer_id)

    def _explain(self, session: Session, evaluation: TierEvaluation, customer_id: uuid.UUID) -> Explanation:
        proposal = session.scalar(
            select(TierProposal).where(
                TierProposal.evaluation_id == evaluation.id, TierProposal.customer_id == customer_id
            )
        )
        if proposal is None:
            raise NotFoundError(_("This customer was not part of the evaluation."))
        customer = session.get(Customer, customer_id)
        version = session.get(TierRuleVersion, evaluation.rule_version_id)
        rules = RuleDefinition.from_json(version.definition)
        earlier = _latest_evaluation_of(
            session,
            customer_id,
            TierEvaluation.rule_set_id == evaluation.rule_set_id,
            TierEvaluation.at < evaluation.at,
        )
        previous, previous_as_of = None, None
        if earlier is not None:
            previous_as_of = earlier.as_of
            previous = session.scalar(
                select(TierProposal).where(
                    TierProposal.evaluation_id == earlier.id, TierProposal.customer_id == customer_id
                )
            )
        weights = rules.weights if rules.method == WEIGHTED else {d.key: 1.0 for d in rules.dimensions}
        total_weight = sum(weights.values()) or 1.0
        parts = []
        for dim in rules.dimensions:
            scaled = getattr(proposal, f"s_{dim.key}")
            weight = weights.get(dim.key, 0.0)
            share = None
            if rules.method == WEIGHTED and proposal.score and scaled is not None:
                share = scaled * weight / total_weight / proposal.score
            parts.append(
                DimensionPart(
                    key=dim.key,
                    label=dimension_label(dim.key),
                    raw=_raw(proposal, dim.key),
                    scaled=scaled if rules.method != ABC else None,
                    weight=weight,
                    share=share,
                    previous_raw=_raw(previous, dim.key) if previous else None,
                    previous_scaled=getattr(previous, f"s_{dim.key}") if previous else None,
                )
            )
        return Explanation(
            customer_id=customer_id,
            code=customer.code,
            name=customer.name,
            method=rules.method,
            score=proposal.score,
            old_tier=proposal.old_tier,
            computed_tier=proposal.computed_tier,
            new_tier=proposal.new_tier,
            overridden=proposal.overridden,
            parts=parts,
            reason=_reason(rules, proposal),
            previous_score=previous.score if previous else None,
            previous_tier=previous.computed_tier if previous else None,
            previous_as_of=previous_as_of,
            as_of=evaluation.as_of,
            rule_set=_(version.name),
            rule_version=version.number,
        )

    # -- approval

    def apply(
        self, actor: Actor, evaluation_id: uuid.UUID, customer_ids: Iterable[uuid.UUID] | None = None
    ) -> ApplyResult:
        """Give the approved customers their proposed tier and write each change to the tier history.

        All in one transaction. A customer whose tier changed since the evaluation is left as it is and
        named in `skipped`; an overridden one is never changed.
        """
        now = utcnow()
        with self.db.session() as session, _roomy_sqlite(session):
            evaluation = find_evaluation(session, evaluation_id)
            version = session.get(TierRuleVersion, evaluation.rule_version_id)
            p = TierProposal.__table__
            c = Customer.__table__
            wanted = and_(
                p.c.evaluation_id == evaluation.id,
                p.c.new_tier != p.c.old_tier,
                p.c.overridden.is_(False),
                p.c.applied.is_(False),
            )
            if customer_ids is not None:
                ids = list(dict.fromkeys(customer_ids))
                wanted = and_(wanted, p.c.customer_id.in_(ids))
            stale = (
                session.execute(
                    select(c.c.code)
                    .join(p, p.c.customer_id == c.c.id)
                    .where(wanted, or_(c.c.tier != p.c.old_tier, c.c.deleted_at.is_not(None)))
                    .order_by(c.c.code)
                )
                .scalars()
                .all()
            )
            eligible = and_(wanted, c.c.tier == p.c.old_tier, c.c.deleted_at.is_(None))
            eligible_ids = select(p.c.customer_id).join(c, c.c.id == p.c.customer_id).where(eligible)
            dialect = session.get_bind().dialect.name
            new_id = (
                func.gen_random_uuid()
                if dialect == "postgresql"
                else func.lower(func.hex(func.randomblob(16)))
            )
            session.execute(
                insert(TierHistory).from_select(
                    [
                        "id",
                        "customer_id",
                        "from_tier",
                        "to_tier",
                        "at",
                        "actor_id",
                        "kind",
                        "rule_set_name",
                        "rule_version",
                        "evaluation_id",
                        "reason",
                    ],
                    select(
                        new_id,
                        p.c.customer_id,
                        p.c.old_tier,
                        p.c.new_tier,
                        literal(now, TierHistory.at.type),
                        literal(actor.staff_id, UuidType),
                        literal(EVALUATION),
                        literal(version.name),
                        literal(version.number),
                        literal(evaluation.id, UuidType),
                        literal(""),
                    )
                    .join(c, c.c.id == p.c.customer_id)
                    .where(eligible),
                )
            )
            new_tier = (
                select(p.c.new_tier)
                .where(p.c.evaluation_id == evaluation.id, p.c.customer_id == c.c.id)
                .scalar_subquery()
            )
            applied = session.execute(
                update(c)
                .where(c.c.id.in_(eligible_ids))
                .values(
                    tier=new_tier,
                    version=c.c.version + 1,
                    updated_at=literal(now, Customer.updated_at.type),
                    updated_by_id=actor.staff_id,
                )
            ).rowcount
            session.execute(
                update(p)
                .where(
                    p.c.evaluation_id == evaluation.id,
                    p.c.customer_id.in_(
                        select(TierHistory.customer_id).where(
                            TierHistory.evaluation_id == evaluation.id, TierHistory.at == now
                        )
                    ),
                )
                .values(applied=True)
            )
            evaluation.applied += applied
            evaluation.applied_at = now
            evaluation.applied_by_id = actor.staff_id
        events.publish(events.Change("customer"))
        events.publish(events.Change("tier_evaluation", frozenset({evaluation.id})))
        return ApplyResult(applied=applied, skipped=list(stale))

    def discard(self, actor: Actor, evaluation_id: uuid.UUID) -> None:
        """Forget an evaluation nobody approved anything of."""
        with self.db.session() as session:
            evaluation = find_evaluation(session, evaluation_id)
            if evaluation.applied:
                raise ServiceError(_("Part of this evaluation was applied: it stays in the record."))
            session.execute(delete(TierProposal).where(TierProposal.evaluation_id == evaluation.id))
            session.delete(evaluation)
        events.publish(events.Change("tier_evaluation"))

    # -- overrides

    @staticmethod
    def _active_override(session: Session, customer_id: uuid.UUID, today: date) -> TierOverride | None:
        return session.scalar(
            select(TierOverride)
            .where(
                TierOverride.customer_id == customer_id,
                TierOverride.ended_at.is_(None),
                or_(TierOverride.until.is_(None), TierOverride.until >= today),
            )
            .order_by(TierOverride.at.desc())
            .limit(1)
        )

    def override(
        self,
        actor: Actor,
        customer_id: uuid.UUID,
        tier: str,
        reason: str,
        until: date | None = None,
        today: date | None = None,
    ) -> None:
        """Set a customer's tier by hand; evaluations propose no change for it until `until` (or for good)."""
        today = today or date.today()
        tier, reason = tier.strip(), reason.strip()
        errors = {}
        if not tier:
            errors["tier"] = _("Choose the tier.")
        if not reason:
            errors["reason"] = _("Say why the tier is set by hand: the reason goes into the history.")
        if until is not None and until < today:
            errors["until"] = _("The end date {date} has passed.").format(date=until.isoformat())
        if errors:
            raise ValidationError(errors)
        now = utcnow()
        with self.db.session() as session:
            customer = session.get(Customer, customer_id)
            if customer is None or customer.deleted_at is not None:
                raise NotFoundError(_("This customer no longer exists."))
            rules = RuleDefinition.from_json(self._find_rule_set(session, None).definition)
            if rules.tier(tier) is None:
                raise ValidationError(
                    {
                        "tier": _("{tier} is not a tier of the rules in use; choose one of: {tiers}.").format(
                            tier=tier, tiers=", ".join(t.name for t in rules.tiers)
                        )
                    }
                )
            session.execute(
                update(TierOverride)
                .where(TierOverride.customer_id == customer_id, TierOverride.ended_at.is_(None))
                .values(ended_at=now, ended_by_id=actor.staff_id)
            )
            session.add(
                TierOverride(
                    customer_id=customer_id,
                    tier=tier,
                    reason=reason,
                    until=until,
                    at=now,
                    actor_id=actor.staff_id,
                )
            )
            session.add(
                TierHistory(
                    customer_id=customer_id,
                    from_tier=customer.tier,
                    to_tier=tier,
                    at=now,
                    actor_id=actor.staff_id,
                    kind=OVERRIDE,
                    reason=reason
                    if until is None
                    else _("{reason} (until {date})").format(reason=reason, date=until.isoformat()),
                )
            )
            if customer.tier != tier:
                customer.tier = tier
                customer.updated_at = now
                customer.updated_by_id = actor.staff_id
        events.publish(events.Change("customer", frozenset({customer_id})))

    def end_override(self, actor: Actor, customer_id: uuid.UUID) -> None:
        """Hand the customer back to the rules: the next evaluation proposes its tier again."""
        now = utcnow()
        with self.db.session() as session:
            current = self._active_override(session, customer_id, date.today())
            if current is None:
                raise ServiceError(_("This customer's tier is not set by hand."))
            current.ended_at = now
            current.ended_by_id = actor.staff_id
            customer = session.get(Customer, customer_id)
            session.add(
                TierHistory(
                    customer_id=customer_id,
                    from_tier=customer.tier,
                    to_tier=customer.tier,
                    at=now,
                    actor_id=actor.staff_id,
                    kind=OVERRIDE_END,
                    reason=_("The tier is set by the rules again."),
                )
            )
        events.publish(events.Change("customer", frozenset({customer_id})))

    # -- the customer file

    def history(self, actor: Actor, customer_id: uuid.UUID) -> list[HistoryRow]:
        with self.db.session() as session:
            return self._history(session, customer_id)

    @staticmethod
    def _history(session: Session, customer_id: uuid.UUID) -> list[HistoryRow]:
        rows = session.execute(
            select(TierHistory, func.coalesce(Staff.name, ""))
            .outerjoin(Staff, Staff.id == TierHistory.actor_id)
            .where(TierHistory.customer_id == customer_id)
            .order_by(TierHistory.at.desc())
        )
        return [
            HistoryRow(
                at=h.at,
                from_tier=h.from_tier,
                to_tier=h.to_tier,
                by=name,
                kind=h.kind,
                rule_set=_(h.rule_set_name) if h.rule_set_name else "",
                rule_version=h.rule_version,
                reason=h.reason,
            )
            for h, name in rows
        ]

    def customer_tier(self, actor: Actor, customer_id: uuid.UUID, today: date | None = None) -> CustomerTier:
        today = today or date.today()
        with self.db.session() as session:
            customer = session.get(Customer, customer_id)
            if customer is None:
                raise NotFoundError(_("This customer no longer exists."))
            rules = RuleDefinition.from_json(self._find_rule_set(session, None).definition)
            active = self._active_override(session, customer_id, today)
            override = None
            if active is not None:
                override = OverrideInfo(
                    tier=active.tier,
                    reason=active.reason,
                    until=active.until,
                    at=active.at,
                    by=staff_name(session, active.actor_id),
                )
            latest = _latest_evaluation_of(session, customer_id)
            explanation = self._explain(session, latest, customer_id) if latest is not None else None
            return CustomerTier(
                tier=customer.tier,
                tier_name=tier_name(rules, customer.tier),
                policy=self._policy(session, customer.tier, rules),
                override=override,
                explanation=explanation,
                history=self._history(session, customer_id),
                rules=rules,
            )

    def _policy(self, session: Session, tier: str, in_use: RuleDefinition | None = None) -> TierDef:
        if in_use is None:
            in_use = RuleDefinition.from_json(self._find_rule_set(session, None).definition)
        found = in_use.tier(tier)
        if found is None:
            for definition in session.scalars(
                select(TierRuleSet.definition).where(TierRuleSet.deleted_at.is_(None))
            ):
                found = RuleDefinition.from_json(definition).tier(tier)
                if found is not None:
                    break
        if found is None:
            found = TierDef(tier, "", cadence_days=DEFAULT_CADENCE_DAYS.get(tier, FALLBACK_CADENCE_DAYS))
        return found

    def policy(self, actor: Actor, tier: str) -> TierDef:
        """A tier's service policy (contact cadence, service level, what to do) under the rules in use."""
        with self.db.session() as session:
            return self._policy(session, tier)

    def due(self, actor: Actor, today: date | None = None) -> DueNotice | None:
        """The reminder when the rule set in use is due for evaluation by its cadence; None if not due."""
        today = today or date.today()
        with self.db.session() as session:
            row = self._find_rule_set(session, None)
            months = CADENCE_MONTHS.get(RuleDefinition.from_json(row.definition).cadence)
            if months is None:
                return None
            last = session.scalar(
                select(func.max(TierEvaluation.as_of)).where(TierEvaluation.rule_set_id == row.id)
            )
            if last is None:
                return DueNotice(rule_set=_(row.name), last=None, due_since=today)
            due_since = months_after(last, months)
            if due_since > today:
                return None
            return DueNotice(rule_set=_(row.name), last=last, due_since=due_since)


# What one evaluation may use on SQLite: a page cache that holds the million-row figures index and the
# proposals' index, sorts in memory, and the file read through memory mapping. A third faster than the
# defaults (2 MB cache, sorts spilled to temporary files); set back afterwards, so the rest of the app
# keeps its small footprint.
_SQLITE_EVALUATION_PRAGMAS = {"cache_size": -131072, "temp_store": 2, "mmap_size": 1 << 30}


@contextmanager
def _roomy_sqlite(session: Session) -> Iterator[None]:
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    before = {
        name: connection.exec_driver_sql(f"PRAGMA {name}").scalar() for name in _SQLITE_EVALUATION_PRAGMAS
    }
    for name, value in _SQLITE_EVALUATION_PRAGMAS.items():
        connection.exec_driver_sql(f"PRAGMA {name} = {int(value)}")
    try:
        yield
    finally:
        for name, value in before.items():
            connection.exec_driver_sql(f"PRAGMA {name} = {int(value or 0)}")


def find_evaluation(session: Session, which: uuid.UUID | str | None) -> TierEvaluation:
    """An evaluation by id or the start of one (as the command line takes it); None: the latest."""
    if which is None:
        row = session.scalar(select(TierEvaluation).order_by(TierEvaluation.at.desc()).limit(1))
    elif isinstance(which, uuid.UUID):
        row = session.get(TierEvaluation, which)
    else:
        # An id or its first characters, as the command line takes it.
        prefix = which.strip().lower().replace("-", "")
        matches = []
        if len(prefix) >= 4:
            candidates = session.scalars(select(TierEvaluation).order_by(TierEvaluation.at.desc()))
            matches = [r for r in candidates if r.id.hex.startswith(prefix)]
        if len(matches) > 1:
            raise ServiceError(
                _("{value} names more than one evaluation: give more of it.").format(value=which)
            )
        row = matches[0] if matches else None
    if row is None:
        raise NotFoundError(_("There is no tier evaluation {id}.").format(id=which or ""))
    return row


def _latest_evaluation_of(session: Session, customer_id: uuid.UUID, *conditions) -> TierEvaluation | None:
    """The newest evaluation (meeting `conditions`) that scored this customer.

    Walks the few evaluations newest first and looks the customer up in each by the (evaluation,
    customer) index, rather than reading every proposal ever made."""
    scored = (
        select(TierProposal.id)
        .where(TierProposal.evaluation_id == TierEvaluation.id, TierProposal.customer_id == customer_id)
        .exists()
    )
    return session.scalar(
        select(TierEvaluation).where(scored, *conditions).order_by(TierEvaluation.at.desc()).limit(1)
    )


def _raw(proposal: TierProposal | None, key: str):
    if proposal is None:
        return None
    value = getattr(proposal, RAW_COLUMNS[key])
    return round(value, 1) if key == "cooperation" and value is not None else value


def score_text(value: float) -> str:
    """A score as sentences write it: one decimal at most (80, 72.5)."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _reason(rules: RuleDefinition, p: TierProposal) -> str:
    """The cut-off the customer crossed, in words."""
    tier = rules.tier(p.computed_tier)
    name = tier_name(rules, p.computed_tier)
    if p.computed_tier == rules.no_purchase_tier and p.revenue == 0 and p.recency_days is None:
        text = _("No purchase yet: {tier}.").format(tier=name)
    elif rules.method == RFM:
        text = _(
            "Recency {r}, frequency {f}, monetary {m}: {tier} (R {r_min}–{r_max}, F {f_min}–{f_max})."
        ).format(
            r=int(p.s_recency or 0),
            f=int(p.s_purchases or 0),
            m=int(p.s_revenue or 0),
            tier=name,
            r_min=tier.r_min if tier else 1,
            r_max=tier.r_max if tier else 5,
            f_min=tier.f_min if tier else 1,
            f_max=tier.f_max if tier else 5,
        )
    elif rules.method == ABC:
        if p.cumulative_share is None or p.revenue == 0:
            text = _("No revenue in the last 12 months: {tier}.").format(tier=name)
        else:
            text = _(
                "The customers before this one make up {share} % of the revenue; {tier} covers up to {cut} %."
            ).format(
                share=score_text(p.cumulative_share), tier=name, cut=score_text(tier.up_to if tier else 100)
            )
    else:
        graded = [t for t in rules.tiers if t.key != rules.no_purchase_tier]
        higher = None
        for t in graded:
            if t.key == p.computed_tier:
                break
            higher = t
        score = p.score or 0.0
        text = _("Score {score} reaches {tier} (from {cut}).").format(
            score=score_text(score), tier=name, cut=score_text(tier.min_score if tier else 0)
        )
        if higher is not None:
            text += " " + _("{points} more for {tier}.").format(
                points=score_text(higher.min_score - score), tier=higher.name
            )
    if p.overridden:
        text += " " + _("The tier is set by hand: no change is proposed.")
    return text
