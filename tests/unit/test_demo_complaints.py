"""Demo complaint tickets: reproducible, numbered in the order they came, each the result of the steps the
workflow allows, handled ones with what handling needs, late open ones escalated."""

from __future__ import annotations

import itertools
import shutil
from collections import Counter
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select

from app.db import open_database
from app.models import Complaint, ComplaintEscalation, ComplaintStep
from app.models.enums import ComplaintStatus as S
from app.services import demo
from app.services.actor import DEFAULT_ACTOR
from app.services.complaint_flow import next_steps
from app.services.complaints import ComplaintService, TicketFilter
from app.services.demo_complaints import add_complaints

TODAY = date(2025, 6, 30)
NOON = datetime.combine(TODAY, time(12), timezone.utc)  # "now" for a run on a day past


@pytest.fixture(autouse=True)
def utc_machine(local_zone):
    local_zone("UTC")


@pytest.fixture
def demo_db(db):
    summary = demo.generate_demo(db, DEFAULT_ACTOR, 300, seed=4, today=TODAY)
    return db, summary


def tickets(db) -> list[Complaint]:
    with db.session() as session:
        rows = session.execute(select(Complaint).order_by(Complaint.number)).scalars().all()
        session.expunge_all()
        return rows


def steps_by_ticket(db) -> dict:
    with db.session() as session:
        rows = session.execute(select(ComplaintStep).order_by(ComplaintStep.at)).scalars().all()
    by_ticket: dict = {}
    for step in rows:
        by_ticket.setdefault(step.complaint_id, []).append(step)
    return by_ticket


def test_demo_tickets_follow_the_workflow(demo_db):
    db, customers = demo_db
    summary = add_complaints(
        db, DEFAULT_ACTOR, customers.first_code, customers.last_code, seed=4, today=TODAY
    )
    rows = tickets(db)
    assert summary.tickets == len(rows) == 60  # one for every five customers
    assert [t.number for t in rows] == list(range(1, 61))
    assert [t.received_at for t in rows] == sorted(t.received_at for t in rows)
    assert all(NOON - timedelta(days=730) <= t.received_at <= NOON for t in rows)
    steps = steps_by_ticket(db)
    for t in rows:
        # The default policy: three calendar days.
        assert t.due_at == t.received_at + timedelta(days=3)
        chain = steps[t.id]
        assert (chain[0].from_status, chain[0].to_status, chain[0].at) == ("", "new", t.received_at)
        for before, after in itertools.pairwise(chain):
            assert after.from_status == before.to_status
            assert S(after.to_status) in next_steps(S(after.from_status)), (t.number, after.to_status)
            assert after.at >= before.at
        assert chain[-1].to_status == t.status
        assert chain[-1].at <= NOON
        if t.status in ("resolved", "feedback_given", "closed"):
            assert t.root_cause and t.action_taken
            assert t.resolved_at is not None
        if t.status == "closed":
            assert t.closed_at == chain[-1].at
            assert (t.feedback_channel and 1 <= t.satisfaction <= 5) or t.no_feedback_reason
        if t.status in ("new", "accepted", "investigating"):
            assert (t.resolved_at, t.closed_at) == (None, None)
        assert t.description  # in Chinese, from the office's kinds of complaint
    statuses = Counter(t.status for t in rows)
    assert statuses["closed"] > len(rows) / 2  # most are handled
    open_count = sum(statuses[s] for s in ("new", "accepted", "investigating"))
    assert summary.open == open_count


def test_late_open_tickets_are_escalated_and_reading_them_back_works(demo_db):
    db, customers = demo_db
    summary = add_complaints(
        db, DEFAULT_ACTOR, customers.first_code, customers.last_code, seed=4, today=TODAY, tickets=600
    )
    late = [t for t in tickets(db) if t.status in ("new", "accepted", "investigating") and t.due_at < NOON]
    assert summary.overdue == len(late) > 0
    assert all(t.escalation_level > 0 for t in late)
    with db.session() as session:
        escalated = set(session.scalars(select(ComplaintEscalation.complaint_id)))
    assert escalated == {t.id for t in late}
    assert summary.escalations >= len(late)
    service = ComplaintService(db)
    page = service.list(DEFAULT_ACTOR, TicketFilter(overdue_only=True, as_of=NOON))
    assert page.total == len(late)
    assert service.get(DEFAULT_ACTOR, page.rows[0].id).steps


def test_the_same_seed_gives_the_same_tickets(sqlite_template, tmp_path):
    made = []
    for name in ("a.db", "b.db"):
        shutil.copyfile(sqlite_template, tmp_path / name)
        db = open_database(f"sqlite:///{tmp_path / name}")
        customers = demo.generate_demo(db, DEFAULT_ACTOR, 50, seed=9, today=TODAY)
        add_complaints(db, DEFAULT_ACTOR, customers.first_code, customers.last_code, seed=9, today=TODAY)
        made.append(
            [(t.id, t.number, t.customer_id, t.description, t.status, t.received_at) for t in tickets(db)]
        )
        db.dispose()
    assert len(made[0]) == 10
    assert made[0] == made[1]


def test_no_customers_no_tickets(db):
    assert add_complaints(db, DEFAULT_ACTOR, "X", "X", today=TODAY).tickets == 0
