"""GUI tests of My day's escalated complaints: what the person an escalation reached sees, opening the
ticket, the proposed reassignment, and the list emptied once the ticket is resolved."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.services.actor import DEFAULT_ACTOR, Actor
from app.services.complaints import ComplaintPolicy, ComplaintService, Resolution, TicketInput, time_left_text
from app.services.customers import CustomerInput, CustomerService
from app.services.escalation import check_deadlines
from app.services.events import Change
from app.services.staff import StaffInput, StaffService
from app.views.my_day_page import EscalationColumn, MyDayPage
from app.views.settings import Settings
from tests.gui.conftest import on_modal


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def utc_machine(local_zone):
    local_zone("UTC")


@pytest.fixture
def office(sqlite_db) -> SimpleNamespace:
    """张伟 manages sales; 王芳 sells to 华信科技; 长江机械 has no account manager but is in sales. Both
    complained on 2026-03-02 09:00 (due 03-05 09:00); the check of 03-06 raised both to 张伟."""
    staff = StaffService(sqlite_db)
    sales = staff.save_department(DEFAULT_ACTOR, "销售部").id
    manager = staff.save(DEFAULT_ACTOR, StaffInput(name="张伟", department_id=sales, role="manager"))
    seller = staff.save(DEFAULT_ACTOR, StaffInput(name="王芳", department_id=sales))
    customers = CustomerService(sqlite_db)
    huaxin = customers.create(DEFAULT_ACTOR, CustomerInput(name="华信科技", manager_id=seller.id))
    changjiang = customers.create(DEFAULT_ACTOR, CustomerInput(name="长江机械", department_id=sales))
    complaints = ComplaintService(sqlite_db)
    complaints.save_policy(DEFAULT_ACTOR, ComplaintPolicy(propose_reassign=True))
    category = complaints.categories(DEFAULT_ACTOR)[0].id

    def open_ticket(customer, description: str):
        data = TicketInput(
            customer_id=customer.id,
            received_at=utc(2026, 3, 2, 9, 0),
            category_id=category,
            description=description,
        )
        return complaints.open(DEFAULT_ACTOR, data)

    first = open_ticket(huaxin, "包装破损，\n三台设备外壳变形")
    second = open_ticket(changjiang, "发票金额有误")
    check_deadlines(sqlite_db, DEFAULT_ACTOR, now=utc(2026, 3, 6, 9, 0))
    return SimpleNamespace(
        db=sqlite_db,
        manager=Actor(staff_id=manager.id, name="张伟", role="manager"),
        seller=Actor(staff_id=seller.id, name="王芳", role="sales"),
        huaxin=huaxin,
        changjiang=changjiang,
        complaints=complaints,
        first=first,
        second=second,
    )


def make_page(qtbot, db, tmp_path, actor: Actor) -> MyDayPage:
    page = MyDayPage(db, actor, Settings(str(tmp_path / "settings.ini")))
    qtbot.addWidget(page)
    page.resize(1280, 700)
    page.show()
    qtbot.waitExposed(page)
    return page


def cells(page: MyDayPage, column: EscalationColumn) -> list[str]:
    table = page.escalated_table
    return [table.item(r, column).text() for r in range(table.rowCount())]


def row_of(page: MyDayPage, number: int) -> int:
    return cells(page, EscalationColumn.TICKET).index(f"#{number}")


def test_the_manager_sees_the_escalations_that_reached_them(qtbot, office, tmp_path):
    page = make_page(qtbot, office.db, tmp_path, office.manager)
    assert page.escalated_section.isVisible()
    assert page.escalated_section.title.text() == "Escalated complaints (2)"
    # The same moment and level: by ticket number.
    assert cells(page, EscalationColumn.TICKET) == ["#1", "#2"]
    assert cells(page, EscalationColumn.LEVEL) == ["1", "1"]
    assert cells(page, EscalationColumn.CUSTOMER) == ["华信科技", "长江机械"]
    assert cells(page, EscalationColumn.DESCRIPTION) == ["包装破损， 三台设备外壳变形", "发票金额有误"]
    late = (datetime.now(timezone.utc) - utc(2026, 3, 5, 9, 0)).days  # the clock runs on: far past due
    assert all(text.startswith(f"overdue {late} d ") for text in cells(page, EscalationColumn.LATE))
    assert (
        page.escalated_table.item(0, EscalationColumn.LEVEL)
        .toolTip()
        .startswith("Past its deadline: raised to the department's manager")
    )
    assert not page.open_ticket_button.isEnabled()  # nothing chosen yet
    assert page.reassign_button.isVisible()


def test_how_late_or_how_long_left_in_words():
    assert time_left_text(timedelta(minutes=-40)) == "overdue 40 min"
    assert time_left_text(timedelta(hours=-1)) == "overdue 1 h 0 min"
    assert time_left_text(timedelta(hours=-23, minutes=-59)) == "overdue 23 h 59 min"
    assert time_left_text(timedelta(days=-3, hours=-2, minutes=-30)) == "overdue 3 d 2 h"
    assert time_left_text(timedelta(days=2, hours=22, minutes=5)) == "2 d 22 h left"


def test_opening_an_escalated_ticket(qtbot, office, tmp_path):
    page = make_page(qtbot, office.db, tmp_path, office.manager)
    opened: list = []
    page.open_ticket.connect(opened.append)
    page.escalated_table.selectRow(row_of(page, office.second.number))
    assert page.open_ticket_button.isEnabled()
    qtbot.mouseClick(page.open_ticket_button, Qt.MouseButton.LeftButton)
    assert opened == [office.second.id]
    page.activateWindow()
    page.escalated_table.setFocus()
    qtbot.waitUntil(page.escalated_table.hasFocus)
    qtbot.keyClick(page.escalated_table, Qt.Key.Key_Return)
    assert opened == [office.second.id, office.second.id]
    page.escalated_table.selectRow(row_of(page, office.first.number))
    with qtbot.waitSignal(page.open_ticket) as signal:
        page.escalated_table.doubleClicked.emit(page.escalated_table.currentIndex())
    assert signal.args == [office.first.id]


def test_the_proposed_reassignment_asks_for_the_handover_of_the_customer(qtbot, office, tmp_path):
    page = make_page(qtbot, office.db, tmp_path, office.manager)
    asked: list = []
    page.reassign_requested.connect(lambda staff_id, ids: asked.append((staff_id, ids)))
    page.escalated_table.selectRow(row_of(page, office.first.number))
    assert page.reassign_button.isEnabled()
    qtbot.mouseClick(page.reassign_button, Qt.MouseButton.LeftButton)
    # From 华信科技's account manager, as the service watch asks for a handover.
    assert asked == [(office.seller.staff_id, [office.huaxin.id])]


def test_a_customer_without_an_account_manager_is_not_handed_over(qtbot, office, tmp_path):
    page = make_page(qtbot, office.db, tmp_path, office.manager)
    asked: list = []
    page.reassign_requested.connect(lambda *args: asked.append(args))
    page.escalated_table.selectRow(row_of(page, office.second.number))
    said: list[str] = []
    on_modal(QMessageBox, lambda box: (said.append(box.text()), box.accept()))
    assert page.reassign_escalated_customer() is False
    assert said == ["长江机械 has no account manager: choose one in the customer's file."]
    assert asked == []


def test_no_reassignment_offered_unless_the_policy_proposes_it(qtbot, office, tmp_path):
    office.complaints.save_policy(DEFAULT_ACTOR, ComplaintPolicy(propose_reassign=False))
    third = office.complaints.open(
        DEFAULT_ACTOR,
        TicketInput(
            customer_id=office.huaxin.id,
            received_at=utc(2026, 3, 3, 9, 0),
            category_id=office.complaints.categories(DEFAULT_ACTOR)[0].id,
            description="送货延误",
        ),
    )
    check_deadlines(office.db, DEFAULT_ACTOR, now=utc(2026, 3, 7, 9, 0))
    page = make_page(qtbot, office.db, tmp_path, office.manager)
    page.escalated_table.selectRow(row_of(page, third.number))
    assert page.reassign_button.isVisible()  # the others propose it
    assert not page.reassign_button.isEnabled()
    assert page.reassign_escalated_customer() is False


def test_a_resolved_ticket_leaves_the_list_and_an_empty_list_leaves_the_page(qtbot, office, tmp_path):
    page = make_page(qtbot, office.db, tmp_path, office.manager)
    resolution = Resolution(root_cause="运输途中挤压", action_taken="补发三台新设备")
    for ticket in (office.first, office.second):
        office.complaints.move(DEFAULT_ACTOR, ticket.id, "accepted")
        office.complaints.move(DEFAULT_ACTOR, ticket.id, "investigating")
        office.complaints.move(DEFAULT_ACTOR, ticket.id, "resolved", resolution=resolution)
        page.on_change(Change("complaint", frozenset({ticket.id})))
        if ticket is office.first:
            qtbot.waitUntil(lambda: cells(page, EscalationColumn.TICKET) == ["#2"])
            assert page.escalated_section.title.text() == "Escalated complaints (1)"
    qtbot.waitUntil(lambda: not page.escalated_section.isVisible())


def test_a_seller_the_escalations_did_not_reach_sees_none(qtbot, office, tmp_path):
    page = make_page(qtbot, office.db, tmp_path, office.seller)
    assert page.escalated_table.rowCount() == 0
    assert not page.escalated_section.isVisible()
    assert not page.reassign_button.isVisible()
