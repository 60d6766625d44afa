"""RFM tiers: a hand-computed example and the quintiles checked against pandas.qcut on random data."""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import insert, select

from app.models import Customer, TierProposal, Transaction
from app.services.actor import DEFAULT_ACTOR
from app.services.tier_rules import PRESETS
from app.services.tiers import TierService

RFM_ID = PRESETS[1].id

AS_OF = date(2024, 6, 30)  # the 12-month window is (2023-06-30, 2024-06-30]


@pytest.fixture
def tiers(db) -> TierService:
    return TierService(db)


def add_customers(db, customers: list[dict], transactions: list[dict]) -> None:
    with db.session() as session:
        session.execute(insert(Customer), customers)
        if transactions:
            session.execute(insert(Transaction), transactions)


def customer(code: str, category: str = "general") -> dict:
    return {"id": uuid.uuid4(), "code": code, "name": f"客户{code}", "category": category, "tier": ""}


def proposals_by_code(db, evaluation_id: uuid.UUID) -> dict[str, TierProposal]:
    with db.session() as session:
        rows = session.execute(
            select(TierProposal, Customer.code)
            .join(Customer, Customer.id == TierProposal.customer_id)
            .where(TierProposal.evaluation_id == evaluation_id)
        ).all()
        return {code: p for p, code in rows}


def test_rfm_preset_gives_the_hand_computed_quintiles_and_segments(db, tiers):
    # Five buyers, each purchase 100 yuan, all on the day of the last purchase:
    #   code  last purchase   days  purchases  revenue
    #   P1    2024-06-25         5      6        600
    #   P2    2024-06-10        20      1        100
    #   P3    2024-05-01        60      3        300
    #   P4    2024-01-01       181      5        500
    #   P5    2023-08-01       334      2        200
    # Quintiles of 5 distinct values are their ranks 1–5 (qcut edges at positions 0.8, 1.6, 2.4, 3.2).
    # R reversed (fewest days = 5): P1 5, P2 4, P3 3, P4 2, P5 1.
    # F: P2 1, P5 2, P3 3, P4 4, P1 5.   M (same order as F): P2 1, P5 2, P3 3, P4 4, P1 5.
    # Segments, first match in RFM_PRESET order:
    #   P1 R5 F5 → champions (R 5, F 4–5); P2 R4 F1 → promising (R 4, F 1);
    #   P3 R3 F3 → need_attention (R 3, F 3); P4 R2 F4 → at_risk (R 1–2, F 3–4);
    #   P5 R1 F2 → hibernating (R 1–2, F 1–2).
    # Score R + F + M: P1 15, P2 4+1+1 = 6, P3 9, P4 2+4+4 = 10, P5 1+2+2 = 5.
    plan = {
        "P1": (date(2024, 6, 25), 6),
        "P2": (date(2024, 6, 10), 1),
        "P3": (date(2024, 5, 1), 3),
        "P4": (date(2024, 1, 1), 5),
        "P5": (date(2023, 8, 1), 2),
    }
    customers, transactions = [], []
    for code, (day, count) in plan.items():
        row = customer(code)
        customers.append(row)
        transactions += [
            {"id": uuid.uuid4(), "customer_id": row["id"], "occurred_on": day, "amount": Decimal(100)}
            for _ in range(count)
        ]
    never = customer("N")  # no purchase → potential, not ranked
    lost = customer("L", category="lost")  # not evaluated, not ranked
    customers += [never, lost]
    transactions.append(
        {"id": uuid.uuid4(), "customer_id": lost["id"], "occurred_on": date(2024, 6, 29), "amount": 10**6}
    )
    add_customers(db, customers, transactions)
    got = proposals_by_code(db, tiers.evaluate(DEFAULT_ACTOR, RFM_ID, as_of=AS_OF).id)
    assert set(got) == {"P1", "P2", "P3", "P4", "P5", "N"}
    expected = {
        # code: (R, F, M, score, segment)
        "P1": (5, 5, 5, 15, "champions"),
        "P2": (4, 1, 1, 6, "promising"),
        "P3": (3, 3, 3, 9, "need_attention"),
        "P4": (2, 4, 4, 10, "at_risk"),
        "P5": (1, 2, 2, 5, "hibernating"),
    }
    for code, (r, f, m, score, segment) in expected.items():
        p = got[code]
        assert (p.s_recency, p.s_purchases, p.s_revenue, p.score) == (r, f, m, score), code
        assert p.computed_tier == segment, code
    assert got["P4"].recency_days == 181
    assert got["P1"].revenue == Decimal("600.00")
    assert (got["N"].computed_tier, got["N"].score) == ("potential", None)


def test_rfm_as_of_in_the_past_ignores_later_purchases(db, tiers):
    # As of 2023-06-30 (window (2022-06-30, 2023-06-30]): X bought once on 2023-06-01 (29 days),
    # Y once on 2022-12-01 (211 days) and many times after as_of (ignored); Z bought only after as_of,
    # so it has no purchase yet. Quintiles among the 2 buyers (rank 1 → 1, rank 2 → the top, 5):
    # purchases X 1 = Y 1 (a tie: both rank 1 → F 1); revenue Y 100 < X 500 → M Y 1, X 5;
    # days X 29 < Y 211 → X rank 1, Y rank 2 → reversed: R X 5, Y 1.
    x, y, z = customer("X"), customer("Y"), customer("Z")
    t = [
        {"id": uuid.uuid4(), "customer_id": x["id"], "occurred_on": date(2023, 6, 1), "amount": 500},
        {"id": uuid.uuid4(), "customer_id": y["id"], "occurred_on": date(2022, 12, 1), "amount": 100},
    ]
    t += [
        {
            "id": uuid.uuid4(),
            "customer_id": c["id"],
            "occurred_on": date(2024, 1, 1) + timedelta(i),
            "amount": 9999,
        }
        for c in (y, z)
        for i in range(5)
    ]
    add_customers(db, [x, y, z], t)
    got = proposals_by_code(db, tiers.evaluate(DEFAULT_ACTOR, RFM_ID, as_of=date(2023, 6, 30)).id)
    assert (got["X"].s_recency, got["X"].s_purchases, got["X"].s_revenue) == (5, 1, 5)
    assert (got["Y"].s_recency, got["Y"].s_purchases, got["Y"].s_revenue) == (1, 1, 1)
    assert got["X"].computed_tier == "new_customers"  # R 5, F 1
    assert got["Y"].computed_tier == "hibernating"  # R 1, F 1
    assert got["Z"].computed_tier == "potential"
    assert got["Y"].recency_days == 211


@pytest.mark.parametrize("seed", [7, 2024])
def test_rfm_quintiles_match_pandas_qcut(db, tiers, seed):
    rng = random.Random(seed)
    n = 300
    revenues = rng.sample(range(10_000, 5_000_000), n)  # distinct, in yuan
    counts = [rng.randint(1, 30) for _ in range(n)]
    days = [rng.randint(0, 360) for _ in range(n)]
    customers, transactions = [], []
    for i in range(n):
        row = customer(f"R{i:04d}")
        customers.append(row)
        last = AS_OF - timedelta(days=days[i])
        # The first purchase carries the rest of the revenue; the others are 1 yuan each, all within the
        # window and on or before the last purchase.
        for k in range(counts[i]):
            amount = revenues[i] - (counts[i] - 1) if k == 0 else 1
            day = last if k == 0 else last - timedelta(days=rng.randint(0, 363 - days[i]))
            transactions.append(
                {"id": uuid.uuid4(), "customer_id": row["id"], "occurred_on": day, "amount": Decimal(amount)}
            )
    # Customers who never bought and lost customers must not shift anyone's quintile.
    customers += [customer(f"N{i:03d}") for i in range(15)]
    for i in range(10):
        lost = customer(f"L{i:03d}", category="lost")
        customers.append(lost)
        transactions.append(
            {"id": uuid.uuid4(), "customer_id": lost["id"], "occurred_on": AS_OF, "amount": Decimal(10**7)}
        )
    add_customers(db, customers, transactions)

    frame = pd.DataFrame(
        {"code": [c["code"] for c in customers[:n]], "revenue": revenues, "purchases": counts, "days": days}
    )
    # Unique edges, or qcut would refuse (and the comparison would mean nothing).
    for column in ("revenue", "purchases", "days"):
        assert frame[column].quantile([0, 0.2, 0.4, 0.6, 0.8, 1]).is_unique, column
    frame["M"] = pd.qcut(frame["revenue"], 5, labels=[1, 2, 3, 4, 5]).astype(int)
    frame["F"] = pd.qcut(frame["purchases"], 5, labels=[1, 2, 3, 4, 5]).astype(int)
    frame["R"] = pd.qcut(frame["days"], 5, labels=[5, 4, 3, 2, 1]).astype(int)
    expected = {row.code: (row.R, row.F, row.M) for row in frame.itertuples()}

    info = tiers.evaluate(DEFAULT_ACTOR, RFM_ID, as_of=AS_OF)
    records = {r["code"]: r for r in tiers.proposal_records(DEFAULT_ACTOR, info.id)}
    got = {
        code: tuple(int(r["dimensions"][k]["score"]) for k in ("recency", "purchases", "revenue"))
        for code, r in records.items()
        if code.startswith("R")
    }
    mismatches = {code: (got.get(code), want) for code, want in expected.items() if got.get(code) != want}
    assert not mismatches, f"{len(mismatches)} customers differ (got, qcut): {list(mismatches.items())[:5]}"
    # Raw figures as generated.
    assert all(records[c]["dimensions"]["purchases"]["value"] == counts[i] for i, c in enumerate(frame.code))
    assert all(records[c]["dimensions"]["recency"]["value"] == days[i] for i, c in enumerate(frame.code))
    assert all(records[f"N{i:03d}"]["new_tier"] == "potential" for i in range(15))
    assert not any(code.startswith("L") for code in records)
