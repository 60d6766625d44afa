"""Tier evaluation against hand-computed examples: weighted and ABC presets, approval, overrides, rules."""

from __future__ import annotations

import shutil
import uuid
from dataclasses import replace
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text, update

from app.db import open_database
from app.models import Complaint, Customer, TierHistory, TierProposal, Transaction
from app.services.actor import DEFAULT_ACTOR
from app.services.errors import ValidationError
from app.services.tier_rules import (
    ABC_PRESET,
    PRESETS,
    THRESHOLDS,
    WEIGHTED_PRESET,
    Dimension,
    TierDef,
    check_definition,
)
from app.services.tiers import TierService

WEIGHTED_ID, RFM_ID, ABC_ID = (p.id for p in PRESETS)

AS_OF = date(2024, 6, 30)  # the 12-month window is (2023-06-30, 2024-06-30]


@pytest.fixture
def tiers(db) -> TierService:
    return TierService(db)


def add_customer(
    db,
    code: str,
    *,
    tier: str = "",
    category: str = "general",
    cooperation_start: date | None = None,
    potential: int | None = None,
    influence: int | None = None,
    deleted: bool = False,
    purchases: tuple = (),
    complaints: tuple = (),
) -> uuid.UUID:
    """A customer with its transactions ((day, amount yuan, profit yuan)) and complaints (UTC datetimes)."""
    customer_id = uuid.uuid4()
    with db.session() as session:
        session.add(
            Customer(
                id=customer_id,
                code=code,
                name=f"客户{code}",
                tier=tier,
                category=category,
                cooperation_start=cooperation_start,
                potential_rating=potential,
                influence_rating=influence,
                deleted_at=datetime(2024, 1, 1, tzinfo=timezone.utc) if deleted else None,
            )
        )
        session.flush()
        for day, amount, profit in purchases:
            session.add(
                Transaction(
                    customer_id=customer_id,
                    occurred_on=day,
                    amount=Decimal(amount),
                    profit=None if profit is None else Decimal(profit),
                )
            )
        for at in complaints:
            session.add(Complaint(customer_id=customer_id, received_at=at))
    return customer_id


def proposals_by_code(db, evaluation_id: uuid.UUID) -> dict[str, dict]:
    """Every stored proposal of an evaluation as a plain dict, by customer code."""
    with db.session() as session:
        rows = session.execute(
            select(TierProposal, Customer.code)
            .join(Customer, Customer.id == TierProposal.customer_id)
            .where(TierProposal.evaluation_id == evaluation_id)
        ).all()
        return {
            code: {col.name: getattr(p, col.name) for col in TierProposal.__table__.columns}
            for p, code in rows
        }


def customer_tiers(db) -> dict[str, str]:
    with db.session() as session:
        return dict(session.execute(select(Customer.code, Customer.tier)).all())


def history_count(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(TierHistory))


def shift(day: date, years: int) -> date:
    return day.replace(year=day.year + years)


def utc(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.utc)


# ---------------------------------------------------------------- the weighted preset by hand


def weighted_example(db, years: int = 0) -> dict[str, uuid.UUID]:
    """Five evaluated customers (A–E), a lost one and a deleted one; every date moved by `years`.

    As of 2024-06-30 (window (2023-06-30, 2024-06-30]); no date is 29 February, so a shift keeps every
    day count below.
    """

    def d(y, m, dd):
        return shift(date(y, m, dd), years)

    ids = {}
    # A: 2 purchases in the window (60,000 + 40,000 = 100,000 yuan; profit 30,000), last 2024-06-20
    # (10 days); a purchase after as_of (2024-07-01) must not count; cooperation since 2010 (14.5 y);
    # rated 5/5; no complaints.
    ids["A"] = add_customer(
        db,
        "A",
        tier="normal",
        cooperation_start=d(2010, 1, 1),
        potential=5,
        influence=5,
        purchases=(
            (d(2024, 3, 1), "60000", "20000"),
            (d(2024, 6, 20), "40000", "10000"),
            (d(2024, 7, 1), "9000000", "9000000"),
        ),
    )
    # A has a second pair of purchases so it has 4 in the window, the most.
    with db.session() as session:
        for day in (d(2023, 9, 1), d(2023, 12, 1)):
            session.add(Transaction(customer_id=ids["A"], occurred_on=day, amount=Decimal("0.00")))
    # B: 50,000 yuan in the window (profit 10,000) in 2 purchases, last 2024-04-01 (90 days:
    # 29 + 31 + 30); a purchase 2020-05-01 outside the window gives the first purchase, so 4.17 years of
    # cooperation; unrated; one complaint inside the window (the last hour of as_of) and one just before it.
    ids["B"] = add_customer(
        db,
        "B",
        tier="vip",
        purchases=(
            (d(2020, 5, 1), "7000", "7000"),
            (d(2023, 7, 1), "20000", "4000"),
            (d(2024, 4, 1), "30000", "6000"),
        ),
        complaints=(utc(d(2024, 6, 30), 23, 30), utc(d(2023, 6, 30), 23, 59)),
    )
    # C: 50,000 yuan (tied with B; profit 5,000) in 1 purchase on 2023-12-31 (182 days); a purchase of
    # 1,000,000 on 2023-06-30 is exactly one year before as_of: outside the window; cooperation since
    # 2022-01-01 (2.5 years); unrated; no complaints.
    ids["C"] = add_customer(
        db,
        "C",
        tier="normal",
        cooperation_start=d(2022, 1, 1),
        purchases=((d(2023, 6, 30), "1000000", "500000"), (d(2023, 12, 31), "50000", "5000")),
    )
    # D: never bought, unrated: the no-purchase tier.
    ids["D"] = add_customer(db, "D")
    # E: never bought but rated 5/5: its score decides.
    ids["E"] = add_customer(db, "E", potential=5, influence=5)
    # Not evaluated: a lost customer and a deleted one, both with big revenue.
    ids["L"] = add_customer(db, "L", category="lost", purchases=((d(2024, 5, 1), "5000000", "100"),))
    ids["X"] = add_customer(db, "X", deleted=True, purchases=((d(2024, 5, 1), "5000000", "100"),))
    return ids


# percent_rank among the 5 evaluated customers = (rank − 1) / 4, ties sharing the lowest rank:
#   revenue   A 100,000  B 50,000  C 50,000  D 0  E 0  → A 100, B 50, C 50 (tie), D 0, E 0
#   profit    A 30,000   B 10,000  C 5,000   D 0  E 0  → A 100, B 75, C 50, D 0, E 0
#   purchases A 4        B 2       C 1       D 0  E 0  → A 100, B 75, C 50, D 0, E 0
# thresholds (100 × reached / 4):
#   cooperation (1, 3, 5, 10) y: A 14.5 → 100, B 4.17 → 50, C 2.5 → 25, D/E none → 0
#   recency (≤ 30, 90, 180, 365) d: A 10 → 100, B 90 → 75, C 182 → 25, D/E never → 0
#   complaints (≤ 0, 1, 2, 4): B 1 → 75, everyone else 0 → 100
#   potential/influence (≥ 2, 3, 4, 5): rated 5 → 100, unrated counts as 3 → 50
# weights 30 15 10 10 10 5 10 10 (sum 100):
#   A: all 100 → 100.0 → vip
#   B: 30·50 + 15·75 + 10·75 + 10·50 + 10·75 + 5·75 + 10·50 + 10·50 = 6000 → 60.0 → important (≥ 60)
#   C: 30·50 + 15·50 + 10·50 + 10·25 + 10·25 + 5·100 + 10·50 + 10·50 = 4750 → 47.5 → normal
#   D: 5·100 + 10·50 + 10·50 = 1500 → 15.0, but no purchase and unrated → potential
#   E: 5·100 + 10·100 + 10·100 = 2500 → 25.0, rated so the score decides → normal
WEIGHTED_EXPECTED = {
    "A": (100.0, "vip"),
    "B": (60.0, "important"),
    "C": (47.5, "normal"),
    "D": (15.0, "potential"),
    "E": (25.0, "normal"),
}
WEIGHTED_SCALED = {
    "A": dict(revenue=100, profit=100, purchases=100, cooperation=100, recency=100, complaints=100),
    "B": dict(revenue=50, profit=75, purchases=75, cooperation=50, recency=75, complaints=75),
    "C": dict(revenue=50, profit=50, purchases=50, cooperation=25, recency=25, complaints=100),
    "D": dict(revenue=0, profit=0, purchases=0, cooperation=0, recency=0, complaints=100),
    "E": dict(revenue=0, profit=0, purchases=0, cooperation=0, recency=0, complaints=100),
}


def check_weighted(db, evaluation_id):
    got = proposals_by_code(db, evaluation_id)
    assert set(got) == set(WEIGHTED_EXPECTED), "lost and deleted customers are not evaluated"
    for code, (score, tier) in WEIGHTED_EXPECTED.items():
        assert got[code]["score"] == pytest.approx(score), code
        assert got[code]["computed_tier"] == tier, code
        assert got[code]["new_tier"] == tier, code
        for key, value in WEIGHTED_SCALED[code].items():
            assert got[code][f"s_{key}"] == pytest.approx(value), (code, key)
    return got


def test_weighted_preset_gives_the_hand_computed_scores_and_tiers(db, tiers):
    weighted_example(db)
    info = tiers.evaluate(DEFAULT_ACTOR, WEIGHTED_ID, as_of=AS_OF)
    assert info.customers == 5
    got = check_weighted(db, info.id)
    # Raw figures: money in yuan, the window excludes 2023-06-30 and anything after as_of.
    assert got["A"]["revenue"] == Decimal("100000.00")
    assert got["A"]["purchases"] == 4
    assert got["A"]["recency_days"] == 10
    assert got["B"]["revenue"] == Decimal("50000.00")
    assert got["B"]["profit"] == Decimal("10000.00")
    assert got["B"]["recency_days"] == 90
    assert got["B"]["complaints"] == 1
    assert got["B"]["cooperation_years"] == pytest.approx(1521 / 365.25)  # 2020-05-01 → 2024-06-30
    assert got["C"]["revenue"] == Decimal("50000.00")
    assert got["C"]["purchases"] == 1
    assert got["C"]["recency_days"] == 182
    assert got["D"]["recency_days"] is None
    # Changes against the stored tier: A normal → vip up, B vip → important down, C stays, D/E new.
    assert {c: got[c]["change"] for c in "ABCDE"} == {
        "A": "up",
        "B": "down",
        "C": "same",
        "D": "new",
        "E": "new",
    }
    assert info.changes == 4


def test_as_of_in_the_past_evaluates_a_historical_data_set_as_of_its_own_time(db, tiers):
    ids = weighted_example(db, years=-5)
    # Purchases after the historical as_of (today's data) must not count: D's would make it a buyer,
    # C's would lift its revenue and recency.
    with db.session() as session:
        session.add(Transaction(customer_id=ids["D"], occurred_on=date(2024, 1, 5), amount=Decimal("1e6")))
        session.add(Transaction(customer_id=ids["C"], occurred_on=date(2020, 1, 5), amount=Decimal("1e6")))
    info = tiers.evaluate(DEFAULT_ACTOR, WEIGHTED_ID, as_of=date(2019, 6, 30))
    assert info.as_of == date(2019, 6, 30)
    check_weighted(db, info.id)


def test_the_explanation_shows_each_dimensions_share_and_the_cut_off(db, tiers):
    ids = weighted_example(db)
    info = tiers.evaluate(DEFAULT_ACTOR, WEIGHTED_ID, as_of=AS_OF)
    why = tiers.explain(DEFAULT_ACTOR, info.id, ids["B"])
    assert (why.score, why.computed_tier, why.old_tier) == (pytest.approx(60.0), "important", "vip")
    parts = {p.key: p for p in why.parts}
    # Share of the total: weight · scaled / 100 / score; revenue 30 · 50 / 100 / 60 = 0.25,
    # complaints 5 · 75 / 100 / 60 = 0.0625.
    assert parts["revenue"].share == pytest.approx(0.25)
    assert parts["complaints"].share == pytest.approx(0.0625)
    assert sum(p.share for p in why.parts) == pytest.approx(1.0)
    assert parts["complaints"].raw == 1
    assert "60" in why.reason and "Important" in why.reason and "20" in why.reason  # 80 − 60 to VIP
    assert "No purchase" in tiers.explain(DEFAULT_ACTOR, info.id, ids["D"]).reason


def test_proposals_list_changes_best_score_first(db, tiers):
    weighted_example(db)
    info = tiers.evaluate(DEFAULT_ACTOR, WEIGHTED_ID, as_of=AS_OF)
    rows = tiers.proposals(DEFAULT_ACTOR, info.id)
    assert [r.code for r in rows] == ["A", "B", "C", "E", "D"]  # 100, 60, 47.5, 25, 15
    assert [r.code for r in tiers.proposals(DEFAULT_ACTOR, info.id, changes=["up", "down"])] == ["A", "B"]
    assert info.counts == {"up": 1, "down": 1, "same": 1, "new": 2}


def test_a_complaint_in_the_last_12_months_lowers_the_score(db, tiers):
    ids = weighted_example(db)
    before = proposals_by_code(db, tiers.evaluate(DEFAULT_ACTOR, WEIGHTED_ID, as_of=AS_OF).id)
    # Two more complaints for C inside the window (the first day of it, 2023-07-01 00:00 UTC, counts):
    # complaints 2 → thresholds ≤ 2, ≤ 4 reached → 50; the score loses 5 · (100 − 50) / 100 = 2.5.
    with db.session() as session:
        for at in (datetime(2023, 7, 1, tzinfo=timezone.utc), utc(date(2024, 2, 1))):
            session.add(Complaint(customer_id=ids["C"], received_at=at))
    after = proposals_by_code(db, tiers.evaluate(DEFAULT_ACTOR, WEIGHTED_ID, as_of=AS_OF).id)
    assert after["C"]["complaints"] == 2
    assert after["C"]["s_complaints"] == pytest.approx(50)
    assert after["C"]["score"] == pytest.approx(before["C"]["score"] - 2.5) == pytest.approx(45.0)


def test_a_complaint_pushes_a_customer_on_the_cut_off_below_it(db, tiers):
    ids = weighted_example(db)
    # B sits exactly on 60.0 with one complaint; a second one: 75 → 50 on complaints, −1.25 → 58.75.
    with db.session() as session:
        session.add(Complaint(customer_id=ids["B"], received_at=utc(date(2024, 1, 10))))
    got = proposals_by_code(db, tiers.evaluate(DEFAULT_ACTOR, WEIGHTED_ID, as_of=AS_OF).id)
    assert got["B"]["score"] == pytest.approx(58.75)
    assert got["B"]["computed_tier"] == "normal"


def test_one_manual_rating_is_enough_to_let_the_score_decide_for_a_customer_without_purchases(db, tiers):
    add_customer(db, "A", purchases=((date(2024, 6, 1), "100", None),))
    add_customer(db, "P", potential=1)
    add_customer(db, "Q")
    got = proposals_by_code(db, tiers.evaluate(DEFAULT_ACTOR, WEIGHTED_ID, as_of=AS_OF).id)
    # P: potential 1 reaches none of (2, 3, 4, 5) → 0; influence unrated → 50; complaints 100;
    # every percentile dimension 0 (A is above it, P and Q tie at the bottom).
    # 5·100 + 10·0 + 10·50 = 1000 → 10.0 → normal (the score decides); Q: unrated → potential.
    assert got["P"]["score"] == pytest.approx(10.0)
    assert got["P"]["computed_tier"] == "normal"
    assert got["Q"]["computed_tier"] == "potential"


def test_a_tie_on_a_percentile_dimension_shares_the_lower_rank(db, tiers):
    # Revenue-only rule set: revenues 10, 20, 20, 20, 30 → ranks 1, 2, 2, 2, 5 → percent_rank
    # 0, 25, 25, 25, 100 (n − 1 = 4).
    rules = replace(
        WEIGHTED_PRESET,
        dimensions=tuple(
            replace(d, weight=30 if d.key == "revenue" else 0) for d in WEIGHTED_PRESET.dimensions
        ),
    )
    saved = tiers.save_rule_set(DEFAULT_ACTOR, "Revenue only", rules)
    for code, amount in zip("VWXYZ", ("10", "20", "20", "20", "30"), strict=True):
        add_customer(db, code, purchases=((date(2024, 5, 1), amount, None),))
    got = proposals_by_code(db, tiers.evaluate(DEFAULT_ACTOR, saved.id, as_of=AS_OF).id)
    assert {c: got[c]["s_revenue"] for c in "VWXYZ"} == pytest.approx(
        {"V": 0, "W": 25, "X": 25, "Y": 25, "Z": 100}
    )
    assert {c: got[c]["computed_tier"] for c in "VWXYZ"} == {
        "V": "normal",
        "W": "normal",
        "X": "normal",
        "Y": "normal",
        "Z": "vip",
    }


def test_revenue_thresholds_are_in_yuan(db, tiers):
    # Revenue by thresholds 1,000 / 10,000 yuan: 5,000 yuan reaches one of two → 50; 10,000 both → 100.
    rules = replace(
        WEIGHTED_PRESET,
        dimensions=(Dimension("revenue", 1, THRESHOLDS, (1000, 10000)),),
    )
    saved = tiers.save_rule_set(DEFAULT_ACTOR, "Revenue bars", rules)
    add_customer(db, "M", purchases=((date(2024, 5, 1), "5000", None),))
    add_customer(db, "N", purchases=((date(2024, 5, 1), "10000", None),))
    add_customer(db, "O", purchases=((date(2024, 5, 1), "999.99", None),))
    got = proposals_by_code(db, tiers.evaluate(DEFAULT_ACTOR, saved.id, as_of=AS_OF).id)
    assert got["M"]["score"] == pytest.approx(50.0)
    assert got["N"]["score"] == pytest.approx(100.0)
    assert got["O"]["score"] == pytest.approx(0.0)
    assert (got["M"]["computed_tier"], got["N"]["computed_tier"]) == ("normal", "vip")


# ---------------------------------------------------------------- ABC by hand


def test_abc_cuts_at_80_and_95_percent_of_revenue_before_the_customer(db, tiers):
    # Revenues 50,000 / 30,000 / 15,000 / 5,000 (total 100,000): revenue before each customer
    # 0 %, 50 %, 80 %, 95 % → A (< 80), A (< 80), B (80 is not < 80, but < 95), C (95 is not < 95).
    for code, amount in (("K1", "50000"), ("K2", "30000"), ("K3", "15000"), ("K4", "5000")):
        add_customer(db, code, purchases=((date(2024, 2, 1), amount, None),))
    add_customer(db, "K5")  # never bought → potential
    add_customer(db, "K6", purchases=((date(2022, 2, 1), "90000", None),))  # bought, not in 12 months
    add_customer(db, "K7", category="lost", purchases=((date(2024, 2, 1), "90000", None),))
    info = tiers.evaluate(DEFAULT_ACTOR, ABC_ID, as_of=AS_OF)
    got = proposals_by_code(db, info.id)
    assert set(got) == {"K1", "K2", "K3", "K4", "K5", "K6"}
    assert {c: got[c]["computed_tier"] for c in got} == {
        "K1": "A",
        "K2": "A",
        "K3": "B",
        "K4": "C",
        "K5": "potential",
        "K6": "C",  # no revenue in the window: the lowest graded tier
    }
    assert {c: got[c]["cumulative_share"] for c in ("K1", "K2", "K3", "K4")} == pytest.approx(
        {"K1": 0.0, "K2": 50.0, "K3": 80.0, "K4": 95.0}
    )
    assert {c: got[c]["score"] for c in ("K1", "K2", "K3", "K4")} == pytest.approx(
        {"K1": 50.0, "K2": 30.0, "K3": 15.0, "K4": 5.0}
    )


# ---------------------------------------------------------------- approval


@pytest.fixture
def evaluated(db, tiers):
    ids = weighted_example(db)
    info = tiers.evaluate(DEFAULT_ACTOR, WEIGHTED_ID, as_of=AS_OF)
    return ids, info


def test_apply_of_some_changes_only_those_and_writes_their_history(db, tiers, evaluated):
    ids, info = evaluated
    result = tiers.apply(DEFAULT_ACTOR, info.id, customer_ids=[ids["A"], ids["D"]])
    assert result.applied == 2
    assert result.skipped == []
    assert customer_tiers(db) == {
        "A": "vip",
        "B": "vip",
        "C": "normal",
        "D": "potential",
        "E": "",
        "L": "",
        "X": "",
    }
    with db.session() as session:
        rows = session.execute(
            select(Customer.code, TierHistory).join(Customer, Customer.id == TierHistory.customer_id)
        ).all()
    assert sorted(code for code, _ in rows) == ["A", "D"]
    history = {code: h for code, h in rows}
    assert (history["A"].from_tier, history["A"].to_tier) == ("normal", "vip")
    assert (history["D"].from_tier, history["D"].to_tier) == ("", "potential")
    for h in history.values():
        assert h.actor_id == DEFAULT_ACTOR.staff_id
        assert h.rule_set_name == "Weighted score"
        assert h.rule_version == 1
        assert h.evaluation_id == info.id
        assert h.kind == "evaluation"
    marked = {c: p["applied"] for c, p in proposals_by_code(db, info.id).items()}
    assert marked == {"A": True, "B": False, "C": False, "D": True, "E": False}
    rows = tiers.history(DEFAULT_ACTOR, ids["A"])
    assert [(r.from_tier, r.to_tier, r.by, r.rule_version) for r in rows] == [
        ("normal", "vip", "Administrator", 1)
    ]
    assert tiers.evaluation(DEFAULT_ACTOR, info.id).applied == 2


def test_a_customer_whose_tier_changed_since_the_evaluation_is_skipped_and_named(db, tiers, evaluated):
    ids, info = evaluated
    with db.session() as session:
        session.execute(update(Customer).where(Customer.id == ids["B"]).values(tier="normal"))
    result = tiers.apply(DEFAULT_ACTOR, info.id)
    assert result.skipped == ["B"]
    # A, D, E change; B keeps what someone set meanwhile; C was "same".
    assert result.applied == 3
    tiers_now = customer_tiers(db)
    assert (tiers_now["A"], tiers_now["B"], tiers_now["D"], tiers_now["E"]) == (
        "vip",
        "normal",
        "potential",
        "normal",
    )
    assert tiers.history(DEFAULT_ACTOR, ids["B"]) == []


@pytest.fixture
def fail_on(db):
    """Make the database refuse one row change (a trigger), as a real failure half-way through a write."""
    made = []

    def make(table: str, event: str, customer_id: uuid.UUID):
        column = "customer_id" if table == "tier_history" else "id"
        row = "NEW" if event == "INSERT" else "OLD"
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "sqlite":
                conn.execute(
                    text(
                        f"CREATE TRIGGER boom BEFORE {event} ON {table} "
                        f"WHEN {row}.{column} = '{customer_id.hex}' BEGIN SELECT RAISE(ABORT, 'boom'); END"
                    )
                )
            else:
                conn.execute(
                    text(
                        "CREATE OR REPLACE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS "
                        "$$ BEGIN RAISE EXCEPTION 'boom'; END $$"
                    )
                )
                conn.execute(
                    text(
                        f"CREATE TRIGGER boom BEFORE {event} ON {table} FOR EACH ROW "
                        f"WHEN ({row}.{column} = '{customer_id}'::uuid) EXECUTE FUNCTION boom()"
                    )
                )
        made.append(table)

    yield make
    with db.engine.begin() as conn:
        for table in made:
            if db.engine.dialect.name == "sqlite":
                conn.execute(text("DROP TRIGGER IF EXISTS boom"))
            else:
                conn.execute(text(f"DROP TRIGGER IF EXISTS boom ON {table}"))
                conn.execute(text("DROP FUNCTION IF EXISTS boom()"))


@pytest.mark.parametrize(
    "table, event",
    [("tier_history", "INSERT"), ("customer", "UPDATE")],
    ids=["history-insert-fails", "customer-update-fails"],
)
def test_apply_that_fails_half_way_changes_nothing(db, tiers, evaluated, fail_on, table, event):
    ids, info = evaluated
    tiers_before = customer_tiers(db)
    fail_on(table, event, ids["E"])  # E is the last to change (by code), A, B, D go before it
    with pytest.raises(Exception, match="boom"):
        tiers.apply(DEFAULT_ACTOR, info.id)
    assert customer_tiers(db) == tiers_before
    assert history_count(db) == 0
    assert not any(p["applied"] for p in proposals_by_code(db, info.id).values())
    again = tiers.evaluation(DEFAULT_ACTOR, info.id)
    assert (again.applied, again.applied_at) == (0, None)


# ---------------------------------------------------------------- overrides


def test_an_override_survives_evaluation_and_apply_until_ended(db, tiers):
    ids = weighted_example(db)
    tiers.override(DEFAULT_ACTOR, ids["C"], "vip", "Strategic partner", today=AS_OF)
    info = tiers.evaluate(DEFAULT_ACTOR, WEIGHTED_ID, as_of=AS_OF)
    got = proposals_by_code(db, info.id)
    assert got["C"]["computed_tier"] == "normal"  # 47.5, as by hand
    assert (got["C"]["new_tier"], got["C"]["overridden"], got["C"]["change"]) == ("vip", True, "same")
    tiers.apply(DEFAULT_ACTOR, info.id)
    assert customer_tiers(db)["C"] == "vip"
    assert tiers.customer_tier(DEFAULT_ACTOR, ids["C"], today=AS_OF).override is not None
    tiers.end_override(DEFAULT_ACTOR, ids["C"])
    got = proposals_by_code(db, tiers.evaluate(DEFAULT_ACTOR, WEIGHTED_ID, as_of=AS_OF).id)
    assert (got["C"]["new_tier"], got["C"]["overridden"], got["C"]["change"]) == ("normal", False, "down")


def test_an_override_that_expired_before_as_of_no_longer_holds(db, tiers):
    ids = weighted_example(db)
    tiers.override(
        DEFAULT_ACTOR, ids["C"], "vip", "Until the fair", until=date(2024, 5, 31), today=date(2024, 5, 1)
    )
    got = proposals_by_code(db, tiers.evaluate(DEFAULT_ACTOR, WEIGHTED_ID, as_of=AS_OF).id)
    assert (got["C"]["new_tier"], got["C"]["overridden"]) == ("normal", False)


# ---------------------------------------------------------------- rule set versions and checks


def test_an_evaluation_keeps_the_rule_version_it_used_after_the_set_is_edited(db, tiers):
    ids = weighted_example(db)
    first = tiers.evaluate(DEFAULT_ACTOR, WEIGHTED_ID, as_of=AS_OF)
    assert first.rule_version == 1
    current = tiers.rule_set(DEFAULT_ACTOR, WEIGHTED_ID)
    # Raise the VIP bar to 90: A (100) stays vip; nothing else reaches it anyway.
    edited = replace(
        current.definition,
        tiers=tuple(replace(t, min_score=90) if t.key == "vip" else t for t in current.definition.tiers),
    )
    saved = tiers.save_rule_set(
        DEFAULT_ACTOR, current.name, edited, rule_set_id=WEIGHTED_ID, expected_version=1
    )
    assert saved.version == 2
    second = tiers.evaluate(DEFAULT_ACTOR, WEIGHTED_ID, as_of=AS_OF)
    assert second.rule_version == 2
    assert second.definition.tier("vip").min_score == 90
    old = tiers.evaluation(DEFAULT_ACTOR, first.id)
    assert old.rule_version == 1
    assert old.definition.tier("vip").min_score == 80
    # Approving the old evaluation records the version it was made with.
    tiers.apply(DEFAULT_ACTOR, first.id, customer_ids=[ids["A"]])
    assert [h.rule_version for h in tiers.history(DEFAULT_ACTOR, ids["A"])] == [1]


def test_saving_an_unchanged_rule_set_makes_no_new_version(tiers):
    # The presets are stored with whole numbers ("weight": 30) and read back as floats (30.0): the same
    # rules all the same, so no new version.
    current = tiers.rule_set(DEFAULT_ACTOR, WEIGHTED_ID)
    again = tiers.save_rule_set(DEFAULT_ACTOR, current.name, current.definition, rule_set_id=WEIGHTED_ID)
    assert again.version == 1


def errors_of(definition, name: str = "Mine") -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        check_definition(name, definition)
    return info.value.errors


def test_check_refuses_thresholds_that_do_not_rise_naming_the_dimension():
    bad = replace(
        WEIGHTED_PRESET,
        dimensions=tuple(
            replace(d, thresholds=(3, 1, 5, 10)) if d.key == "cooperation" else d
            for d in WEIGHTED_PRESET.dimensions
        ),
    )
    errors = errors_of(bad)
    assert set(errors) == {"dimension:cooperation"}
    assert "Years of cooperation" in errors["dimension:cooperation"]
    equal = replace(bad, dimensions=(Dimension("recency", 1, THRESHOLDS, (30, 30)),))
    assert "Days since the last purchase" in errors_of(equal)["dimension:recency"]


def test_check_refuses_a_negative_weight_naming_the_dimension():
    bad = replace(
        WEIGHTED_PRESET,
        dimensions=tuple(
            replace(d, weight=-5) if d.key == "profit" else d for d in WEIGHTED_PRESET.dimensions
        ),
    )
    errors = errors_of(bad)
    assert set(errors) == {"dimension:profit"}
    assert "Profit, last 12 months" in errors["dimension:profit"]
    assert "negative" in errors["dimension:profit"]


def test_check_refuses_a_tier_named_twice_naming_the_tier():
    bad = replace(WEIGHTED_PRESET, tiers=(*WEIGHTED_PRESET.tiers, TierDef("vip", "", min_score=95)))
    errors = errors_of(bad)
    assert set(errors) == {"tier:vip"}
    assert "vip" in errors["tier:vip"].lower() and "twice" in errors["tier:vip"]


def test_check_refuses_abc_shares_that_do_not_end_at_100():
    bad = replace(
        ABC_PRESET, tiers=tuple(replace(t, up_to=90) if t.key == "C" else t for t in ABC_PRESET.tiers)
    )
    errors = errors_of(bad)
    assert set(errors) == {"tiers"}
    assert "100" in errors["tiers"]
    falling = replace(
        ABC_PRESET, tiers=tuple(replace(t, up_to=70) if t.key == "B" else t for t in ABC_PRESET.tiers)
    )
    assert "tiers" in errors_of(falling)


def test_check_accepts_the_presets_and_orders_weighted_tiers_by_bar():
    for preset in PRESETS:
        assert check_definition("x", preset.definition).method == preset.definition.method
    shuffled = replace(WEIGHTED_PRESET, tiers=tuple(reversed(WEIGHTED_PRESET.tiers)))
    assert [t.key for t in check_definition("x", shuffled).tiers] == [
        "vip",
        "important",
        "normal",
        "potential",
    ]


def test_save_rule_set_refuses_a_bad_definition_and_writes_nothing(tiers):
    bad = replace(WEIGHTED_PRESET, dimensions=(Dimension("revenue", -1),))
    with pytest.raises(ValidationError):
        tiers.save_rule_set(DEFAULT_ACTOR, "Broken", bad)
    assert [r.name for r in tiers.rule_sets(DEFAULT_ACTOR)] == ["ABC", "RFM", "Weighted score"]


# ---------------------------------------------------------------- properties (SQLite, a new file per example)


@pytest.fixture
def fresh(sqlite_template, tmp_path):
    """A factory of fresh migrated SQLite databases, one per hypothesis example."""
    opened = []

    def make():
        path = tmp_path / f"{uuid.uuid4().hex}.db"
        shutil.copyfile(sqlite_template, path)
        database = open_database(f"sqlite:///{path}")
        opened.append(database)
        return database

    yield make
    for database in opened:
        database.dispose()


revenues = st.lists(st.one_of(st.none(), st.integers(1, 500_000)), min_size=2, max_size=7)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    amounts=revenues,
    extra=st.integers(1, 1_000_000),
    w_revenue=st.integers(1, 50),
    w_profit=st.integers(0, 50),
    w_purchases=st.integers(0, 50),
)
def test_raising_a_customers_revenue_never_lowers_its_tier(
    fresh, amounts, extra, w_revenue, w_profit, w_purchases
):
    database = fresh()
    service = TierService(database)
    weights = {"revenue": w_revenue, "profit": w_profit, "purchases": w_purchases}
    rules = replace(
        WEIGHTED_PRESET,
        dimensions=tuple(replace(d, weight=weights.get(d.key, d.weight)) for d in WEIGHTED_PRESET.dimensions),
    )
    saved = service.save_rule_set(DEFAULT_ACTOR, "Property", rules)
    day = date(2024, 3, 1)
    ids = [
        add_customer(database, f"C{i}", purchases=() if a is None else ((day, str(a), "0"),))
        for i, a in enumerate(amounts)
    ]
    before = proposals_by_code(database, service.evaluate(DEFAULT_ACTOR, saved.id, as_of=AS_OF).id)["C0"]
    with database.session() as session:
        if amounts[0] is None:
            session.add(Transaction(customer_id=ids[0], occurred_on=day, amount=Decimal(extra), profit=0))
        else:
            session.execute(
                update(Transaction)
                .where(Transaction.customer_id == ids[0])
                .values(amount=Decimal(amounts[0] + extra))
            )
    after = proposals_by_code(database, service.evaluate(DEFAULT_ACTOR, saved.id, as_of=AS_OF).id)["C0"]
    definition = service.rule_set(DEFAULT_ACTOR, saved.id).definition
    assert after["revenue"] > before["revenue"]
    assert definition.rank(after["computed_tier"]) <= definition.rank(before["computed_tier"]), (
        before,
        after,
    )
    assert after["score"] >= before["score"] - 1e-9


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    amounts=revenues,
    which=st.integers(0, 6),
    forced=st.sampled_from(["vip", "important", "normal", "potential"]),
)
def test_an_override_survives_any_evaluation(fresh, amounts, which, forced):
    database = fresh()
    service = TierService(database)
    ids = [
        add_customer(database, f"C{i}", purchases=() if a is None else ((date(2024, 3, 1), str(a), "0"),))
        for i, a in enumerate(amounts)
    ]
    chosen = ids[which % len(ids)]
    code = f"C{which % len(ids)}"
    service.override(DEFAULT_ACTOR, chosen, forced, "By hand", today=AS_OF)
    info = service.evaluate(DEFAULT_ACTOR, WEIGHTED_ID, as_of=AS_OF)
    got = proposals_by_code(database, info.id)[code]
    assert (got["old_tier"], got["new_tier"], got["overridden"], got["change"]) == (
        forced,
        forced,
        True,
        "same",
    )
    service.apply(DEFAULT_ACTOR, info.id)
    assert customer_tiers(database)[code] == forced
    assert service.customer_tier(DEFAULT_ACTOR, chosen, today=AS_OF).override.tier == forced
