"""The periodic deadline check: at start, on demand and by its timer, in a thread that leaves the GUI free;
what it says when it escalated something, and when the database would not let it."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from app.services.actor import DEFAULT_ACTOR
from app.services.complaints import ComplaintService, TicketInput
from app.services.customers import CustomerInput, CustomerService
from app.services.escalation import Escalated
from app.views.deadline_watch import DeadlineWatch, escalated_text


@pytest.fixture
def office(sqlite_db) -> SimpleNamespace:
    """One customer and a way to record its complaints; no manager or general manager, so everything
    escalates to the administrator."""
    customer = CustomerService(sqlite_db).create(DEFAULT_ACTOR, CustomerInput(name="华信科技"))
    complaints = ComplaintService(sqlite_db)
    category = complaints.categories(DEFAULT_ACTOR)[0].id

    def open_ticket(received: datetime):
        return complaints.open(
            DEFAULT_ACTOR,
            TicketInput(
                customer_id=customer.id, received_at=received, category_id=category, description="包装破损"
            ),
        )

    return SimpleNamespace(db=sqlite_db, open_ticket=open_ticket)


@pytest.fixture
def make_watch(qtbot, office):
    made: list[DeadlineWatch] = []

    def make(**kwargs) -> DeadlineWatch:
        watch = DeadlineWatch(office.db, DEFAULT_ACTOR, **kwargs)
        made.append(watch)
        return watch

    yield make
    for watch in made:
        watch.shutdown()
        watch.deleteLater()


def levels(items: list[Escalated]) -> list[tuple[int, int]]:
    return [(e.number, e.level) for e in items]


def test_the_first_check_runs_at_start_and_says_what_it_escalated(qtbot, office, make_watch):
    # Received in March: long past its deadline (03-05) and the second level (03-07) by now.
    ticket = office.open_ticket(datetime(2026, 3, 2, 9, tzinfo=timezone.utc))
    watch = make_watch()  # its first check waits for the event loop: the signal below is connected in time
    with qtbot.waitSignal(watch.escalated, timeout=5000) as signal:
        pass
    assert levels(signal.args[0]) == [(ticket.number, 1), (ticket.number, 2)]
    assert [e.to_name for e in signal.args[0]] == ["Administrator", "Administrator"]


def test_a_check_on_demand_escalates_only_what_is_new(qtbot, office, make_watch):
    first = office.open_ticket(datetime(2026, 3, 2, 9, tzinfo=timezone.utc))
    watch = make_watch()
    messages: list[str] = []
    watch.message.connect(messages.append)
    escalated: list[list[Escalated]] = []
    watch.escalated.connect(escalated.append)
    qtbot.waitUntil(lambda: len(escalated) == 1, timeout=5000)
    qtbot.waitUntil(lambda: not watch.busy)
    assert levels(escalated[0]) == [(first.number, 1), (first.number, 2)]
    assert messages == [f"Overdue complaints escalated: #{first.number}"]
    # Nothing new: the check runs and says nothing.
    assert watch.check() is True
    qtbot.waitUntil(lambda: not watch.busy, timeout=5000)
    assert len(escalated) == 1
    second = office.open_ticket(datetime(2026, 4, 1, 9, tzinfo=timezone.utc))
    assert watch.check() is True
    qtbot.waitUntil(lambda: len(escalated) == 2, timeout=5000)
    assert levels(escalated[1]) == [(second.number, 1), (second.number, 2)]
    assert messages[-1] == f"Overdue complaints escalated: #{second.number}"


def test_the_timer_checks_again(qtbot, office, make_watch):
    watch = make_watch(interval_ms=50)
    escalated: list[list[Escalated]] = []
    watch.escalated.connect(escalated.append)
    qtbot.wait(200)  # a few checks with nothing to do
    assert escalated == []
    ticket = office.open_ticket(datetime(2026, 3, 2, 9, tzinfo=timezone.utc))
    qtbot.waitUntil(lambda: len(escalated) == 1, timeout=5000)
    assert levels(escalated[0]) == [(ticket.number, 1), (ticket.number, 2)]


def test_a_locked_database_is_said_once_and_a_running_check_is_not_doubled(
    qtbot, office, make_watch, tmp_path
):
    watch = make_watch()
    qtbot.waitUntil(lambda: watch.timer.interval() == watch.interval_ms)  # the start's check ran
    qtbot.waitUntil(lambda: not watch.busy)
    office.open_ticket(datetime(2026, 3, 2, 9, tzinfo=timezone.utc))
    messages: list[str] = []
    watch.message.connect(messages.append)
    # Another program holds the write lock longer than the database waits (five seconds).
    other = sqlite3.connect(tmp_path / "clientdesk.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        assert watch.check() is True
        assert watch.check() is False  # still running: the GUI was not blocked, and no second thread
        qtbot.waitUntil(lambda: not watch.busy, timeout=15000)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert len(messages) == 1
    assert messages[0].startswith("The complaint deadlines could not be checked: ")
    # Free again: the next check does the work.
    with qtbot.waitSignal(watch.escalated, timeout=5000):
        watch.check()


def test_shutdown_waits_for_a_check_under_way(qtbot, office, make_watch):
    office.open_ticket(datetime(2026, 3, 2, 9, tzinfo=timezone.utc))
    watch = make_watch()
    watch.check()
    assert watch.busy
    watch.shutdown()  # returns although the GUI thread has not heard that the check ended
    assert not watch.timer.isActive()


def test_what_the_status_bar_says():
    def item(number: int, level: int) -> Escalated:
        return Escalated(
            ticket_id=None, number=number, level=level, to_staff_id=None, to_name="", propose_reassign=False
        )

    assert escalated_text([item(12, 1), item(12, 2), item(15, 1)]) == "Overdue complaints escalated: #12, #15"
    many = [item(n, 1) for n in range(1, 8)]
    assert escalated_text(many) == "Overdue complaints escalated: #1, #2, #3, #4, #5, …"
