"""What the tier report says: per-tier counts and revenue, and which changes it lists (proposed, approved)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.services import tier_report
from app.services.actor import DEFAULT_ACTOR
from app.services.tier_rules import PRESETS
from app.services.tiers import TierService
from tests.unit.test_tiers import add_customer

ABC_ID = PRESETS[2].id


@pytest.fixture
def office(db):
    # Revenue in the 12 months to 2024-06-30: 500, 300, 150, 50 → A, A, B, C (share before: 0, 50, 80, 95 %).
    ids = {
        code: add_customer(db, code, purchases=((date(2024, 3, 1), revenue, 0),))
        for code, revenue in (("K1", 500), ("K2", 300), ("K3", 150), ("K4", 50))
    }
    ids["K5"] = add_customer(db, "K5")  # never bought: the no-purchase tier
    return db, ids


def test_summary_counts_revenue_and_shares_per_tier(office):
    db, _ids = office
    tiers = TierService(db)
    tiers.apply(DEFAULT_ACTOR, tiers.evaluate(DEFAULT_ACTOR, ABC_ID, date(2024, 6, 30)).id)
    report = tier_report.gather(db, DEFAULT_ACTOR)
    summary = {s.tier: s for s in report.summary}
    assert {k: s.customers for k, s in summary.items()} == {"A": 2, "B": 1, "C": 1, "potential": 1}
    assert summary["A"].revenue == Decimal("800.00")
    assert summary["A"].revenue_share == pytest.approx(0.8)
    assert summary["B"].share == pytest.approx(0.2)  # 1 of 5 customers
    assert report.customers == 5 and report.revenue == Decimal("1000.00")
    assert [c.code for c in report.sections[0].customers] == ["K1", "K2"]  # best score first


def test_changes_are_the_evaluations_own_proposed_then_approved(office):
    db, ids = office
    tiers = TierService(db)
    first = tiers.evaluate(DEFAULT_ACTOR, ABC_ID, date(2024, 6, 30))
    pending = tier_report.gather(db, DEFAULT_ACTOR)
    assert len(pending.changes) == 5  # every customer gets a first tier
    assert all(c.at is None and c.reason == "Proposed" for c in pending.changes)

    tiers.apply(DEFAULT_ACTOR, first.id, [ids["K1"]])
    approved = {c.code: c for c in tier_report.gather(db, DEFAULT_ACTOR).changes}
    assert approved["K1"].at is not None and approved["K1"].reason == "Approved"
    assert approved["K2"].at is None

    # The next evaluation: what the first one applied is not repeated; a tier set by hand since is listed.
    tiers.apply(DEFAULT_ACTOR, first.id)
    tiers.use_rule_set(DEFAULT_ACTOR, ABC_ID)  # a tier set by hand is one of the rules in use
    tiers.override(DEFAULT_ACTOR, ids["K4"], "A", "战略客户")
    tiers.evaluate(DEFAULT_ACTOR, ABC_ID, date(2024, 6, 30))
    later = tier_report.gather(db, DEFAULT_ACTOR)
    assert [(c.code, c.from_name, c.to_name, c.direction, c.reason) for c in later.changes] == [
        ("K4", "C", "A", "up", "战略客户")
    ]


def test_a_manager_filter_keeps_only_their_customers(office):
    db, _ids = office
    tiers = TierService(db)
    tiers.evaluate(DEFAULT_ACTOR, ABC_ID, date(2024, 6, 30))
    report = tier_report.gather(db, DEFAULT_ACTOR, manager="Administrator")
    assert report.customers == 0 and report.filter_text == "Account manager: Administrator"
