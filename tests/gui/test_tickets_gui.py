"""GUI tests of complaint tickets: the ticket dialog (opening, every step, refusals that keep what was typed,
reopening, closing without feedback, attachments, a concurrent edit), the tickets page (time left,
filters, remembered settings, speed) and a customer file's Complaints tab and timeline (pytest-qt, real
widgets over a real SQLite file)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QInputDialog, QMessageBox

from app.dialogs.form import index_of
from app.services.actor import DEFAULT_ACTOR, Actor
from app.services.complaints import ComplaintService, Feedback, Resolution, TicketInput, TicketRow
from app.services.customers import ContactInput, CustomerInput, CustomerService
from app.services.escalation import check_deadlines
from app.services.staff import StaffInput, StaffService
from app.views.contact_actions import CustomerPicker
from app.views.main_window import MainWindow
from app.views.qt_events import ChangeNotifier
from app.views.settings import Settings
from app.views.ticket_window import TicketDialog
from app.views.tickets_page import Column, TicketsModel, TicketsPage, ticket_table
from tests.gui.conftest import on_modal, shown_main_window

ME = DEFAULT_ACTOR
RED = QColor("#c62828")
ORANGE = QColor("#e65100")
GREEN = QColor("#2e7d32")
RESOLUTION = Resolution(root_cause="运输途中挤压", action_taken="补发三台新设备")
FEEDBACK = Feedback(channel="phone", satisfaction=4, comment="客户认可")


@pytest.fixture(autouse=True)
def shanghai(local_zone):
    """Times are typed and shown in the machine's zone; Shanghai is not UTC, so a mix-up shows."""
    local_zone("Asia/Shanghai")


@pytest.fixture
def office(sqlite_db) -> SimpleNamespace:
    """华东机电 (HD001), whose account manager is 张伟 of 客服部, with its contact 陈经理; and 李娜."""
    db = sqlite_db
    staff = StaffService(db)
    department = staff.save_department(ME, "客服部").id
    zhang = staff.save(ME, StaffInput(name="张伟", department_id=department)).id
    li = staff.save(ME, StaffInput(name="李娜", department_id=department)).id
    customers = CustomerService(db)
    customer = customers.create(ME, CustomerInput(name="华东机电有限公司", code="HD001", manager_id=zhang)).id
    contact = customers.save_contact(ME, customer, ContactInput(name="陈经理", title="采购经理")).id
    complaints = ComplaintService(db)
    categories = {c.key: c.id for c in complaints.categories(ME)}
    return SimpleNamespace(
        db=db,
        department=department,
        zhang=zhang,
        li=li,
        customer=customer,
        contact=contact,
        complaints=complaints,
        categories=categories,
    )


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(str(tmp_path / "settings.ini"))


def now() -> datetime:
    return datetime.now(timezone.utc)


def open_ticket(office, received_at: datetime | None = None, description: str = "三台电机外壳变形", **kwargs):
    return office.complaints.open(
        ME,
        TicketInput(
            customer_id=office.customer,
            received_at=received_at or now() - timedelta(hours=1),
            description=description,
            **{"category_id": office.categories["product_quality"], **kwargs},
        ),
    )


def make_page(qtbot, office, settings) -> TicketsPage:
    page = TicketsPage(office.db, ME, settings)
    qtbot.addWidget(page)
    # As the main window does: the services' announcements reach the page.
    notifier = ChangeNotifier(page)
    notifier.changed.connect(page.on_change)
    page.resize(1300, 600)
    page.show()
    qtbot.waitExposed(page)
    return page


def make_dialog(qtbot, office, ticket_id=None, customer_id=None) -> TicketDialog:
    """The dialog shown without exec(), for the tests that call its methods directly."""
    dialog = TicketDialog(office.db, ME, ticket_id=ticket_id, customer_id=customer_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def texts(page_or_model, column: Column) -> list[str]:
    model = page_or_model if isinstance(page_or_model, TicketsModel) else page_or_model.model
    return [model.data(model.index(row, column)) for row in range(model.rowCount())]


def warn_with(messages: list[str]):
    """on_modal's act for a message box: note its text and press its default button."""

    def act(box: QMessageBox) -> None:
        messages.append(box.text())
        box.accept()

    return act


# ---------------------------------------------------------------- opening a ticket


def test_a_ticket_is_recorded_through_the_picker_and_the_dialog_and_listed(qtbot, office, settings):
    page = make_page(qtbot, office, settings)
    assert page.model.rowCount() == 0
    assert page.count.text() == "No ticket matches the filters."
    received = QDateTime.currentDateTime().addSecs(-2 * 3600)
    checked = []

    def pick(picker: CustomerPicker) -> None:
        picker.search.setText("HD001")
        picker.refresh()
        on_modal(TicketDialog, fill)
        picker.accept()

    def fill(dialog: TicketDialog) -> None:
        assert dialog.customer_label.text() == "华东机电有限公司 (HD001)"
        assert dialog.responsible.currentText() == "(the account manager: 张伟)"
        # Not yet: without a category or a description the service names both fields.
        dialog.save()
        assert dialog.detail is None
        assert dialog.field_errors.labels["category_id"].text() == "Choose a category."
        assert dialog.field_errors.labels["description"].text() == "Describe the complaint."
        dialog.contact_person.setCurrentIndex(index_of(dialog.contact_person, office.contact))
        dialog.channel.setCurrentIndex(dialog.channel.findData("visit"))
        dialog.received.setDateTime(received)
        dialog.category.setCurrentIndex(index_of(dialog.category, office.categories["delivery"]))
        dialog.severity.setCurrentIndex(dialog.severity.findData("high"))
        dialog.description.setPlainText("三台电机晚到一周")
        dialog.against.setCurrentIndex(index_of(dialog.against, office.li))
        assert dialog.dirty
        dialog.save_and_close()
        checked.append(True)

    on_modal(CustomerPicker, pick)
    page.new_ticket()
    assert checked == [True]
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    row = page.model.row_at(0)
    assert texts(page, Column.NUMBER) == ["1"]
    assert texts(page, Column.CUSTOMER) == ["华东机电有限公司"]
    assert texts(page, Column.STATUS) == ["Received"]
    assert texts(page, Column.SEVERITY) == ["High"]
    assert texts(page, Column.CATEGORY) == ["Delivery"]
    assert texts(page, Column.RESPONSIBLE) == ["张伟"]
    assert page.count.text() == "1 tickets"
    detail = office.complaints.get(ME, row.id)
    data = detail.data
    assert (data.channel, data.severity, data.description) == ("visit", "high", "三台电机晚到一周")
    assert (data.contact_person_id, data.against_staff_id) == (office.contact, office.li)
    assert (data.responsible_staff_id, data.department_id) == (office.zhang, office.department)
    # Typed in Shanghai time, to the minute; stored in UTC.
    expected = received.toPython().replace(second=0, microsecond=0).astimezone(timezone.utc)
    assert data.received_at == expected
    # The default policy: three calendar days.
    assert detail.due_at == expected + timedelta(days=3)


def test_an_unchanged_ticket_saves_nothing_and_keeps_its_escalation(qtbot, office):
    # Received at a time with seconds: the dialog shows minutes, and saving must not move the deadline.
    ticket = open_ticket(office, received_at=now() - timedelta(days=4, seconds=17))
    check_deadlines(office.db, ME)
    before = office.complaints.get(ME, ticket.id)
    assert before.escalation_level == 1
    dialog = make_dialog(qtbot, office, ticket.id)
    assert dialog.escalation_label.text() == "Level 1: department manager"
    assert dialog.save()
    after = office.complaints.get(ME, ticket.id)
    assert (after.version, after.due_at, after.escalation_level) == (before.version, before.due_at, 1)


# ---------------------------------------------------------------- the workflow


def test_a_ticket_goes_from_accepted_to_closed_and_a_refusal_keeps_what_was_typed(qtbot, office, settings):
    ticket = open_ticket(office)
    page = make_page(qtbot, office, settings)
    refusals: list[str] = []
    statuses: list[str] = []

    def work(dialog: TicketDialog) -> None:
        assert set(dialog.step_buttons) == {"accepted"}
        assert dialog.step_buttons["accepted"].text() == "Accept"
        dialog.step_note.setText("已受理")
        dialog.step_buttons["accepted"].click()
        statuses.append(dialog.detail.status)
        assert dialog.step_note.text() == ""
        assert dialog.step_buttons["investigating"].text() == "Start investigating"
        dialog.step_buttons["investigating"].click()
        statuses.append(dialog.detail.status)

        # Resolving without the root cause is refused: the message shows and nothing typed is lost.
        dialog.action_taken.setPlainText("补发三台新设备")
        dialog.compensation.setText("1,500.00")
        on_modal(QMessageBox, warn_with(refusals))
        dialog.step_buttons["resolved"].click()
        assert dialog.detail.status == "investigating"
        assert dialog.action_taken.toPlainText() == "补发三台新设备"
        assert dialog.compensation.text() == "1,500.00"
        assert dialog.tabs.currentWidget() is dialog.resolution_tab
        stored = office.complaints.get(ME, ticket.id)
        assert (stored.status, stored.resolution.action_taken) == ("investigating", "")

        dialog.root_cause.setPlainText("运输途中挤压")
        dialog.step_buttons["resolved"].click()
        statuses.append(dialog.detail.status)
        assert set(dialog.step_buttons) == {"feedback_given", "closed", "investigating"}
        assert dialog.step_buttons["closed"].text() == "Close without feedback…"
        assert dialog.step_buttons["investigating"].text() == "Reopen…"

        dialog.feedback_channel.setCurrentIndex(dialog.feedback_channel.findData("phone"))
        dialog.satisfaction.setCurrentIndex(dialog.satisfaction.findData(4))
        dialog.feedback_comment.setPlainText("客户认可")
        dialog.step_buttons["feedback_given"].click()
        statuses.append(dialog.detail.status)
        assert dialog.step_buttons["closed"].text() == "Close ticket"
        dialog.step_buttons["closed"].click()
        statuses.append(dialog.detail.status)
        assert not dialog.dirty
        dialog.close_button.click()

    on_modal(TicketDialog, work)
    page.open_ticket(ticket.id)
    assert statuses == ["accepted", "investigating", "resolved", "feedback_given", "closed"]
    assert refusals == ["Write the root cause and the action taken before resolving the ticket."]
    closed = office.complaints.get(ME, ticket.id)
    assert closed.resolution == Resolution("运输途中挤压", "补发三台新设备", "", Decimal("1500.00"))
    assert closed.feedback == Feedback("phone", 4, "客户认可", "")
    assert [(s.to_status, s.note) for s in closed.steps] == [
        ("new", ""),
        ("accepted", "已受理"),
        ("investigating", ""),
        ("resolved", ""),
        ("feedback_given", ""),
        ("closed", ""),
    ]
    # Closed tickets are not open: the default filter no longer lists it.
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)


def test_reopening_needs_a_reason(qtbot, office, settings):
    ticket = open_ticket(office)
    for target, extra in (
        ("accepted", {}),
        ("investigating", {}),
        ("resolved", {"resolution": RESOLUTION}),
        ("feedback_given", {"feedback": FEEDBACK}),
        ("closed", {}),
    ):
        office.complaints.move(ME, ticket.id, target, **extra)
    dialog = make_dialog(qtbot, office, ticket.id)
    assert set(dialog.step_buttons) == {"investigating"}
    reopen = dialog.step_buttons["investigating"]
    assert reopen.text() == "Reopen…"

    # Cancelled when asked why: nothing happens.
    on_modal(QInputDialog, lambda box: box.reject())
    reopen.click()
    assert office.complaints.get(ME, ticket.id).status == "closed"

    # No reason given: the service refuses, and says so.
    refusals: list[str] = []

    def no_reason(box: QInputDialog) -> None:
        box.setTextValue("   ")
        on_modal(QMessageBox, warn_with(refusals))
        box.accept()

    on_modal(QInputDialog, no_reason)
    reopen.click()
    assert refusals == ["Write why the ticket is reopened."]
    assert office.complaints.get(ME, ticket.id).status == "closed"

    def reason(box: QInputDialog) -> None:
        box.setTextValue("客户又来电话，问题未解决")
        box.accept()

    on_modal(QInputDialog, reason)
    dialog.step_buttons["investigating"].click()
    reopened = office.complaints.get(ME, ticket.id)
    assert reopened.status == "investigating"
    assert reopened.closed_at is None
    assert (reopened.steps[-1].from_status, reopened.steps[-1].note) == ("closed", "客户又来电话，问题未解决")
    # The History tab lists the steps by name.
    step_names = [dialog.steps_table.item(r, 1).text() for r in range(dialog.steps_table.rowCount())]
    assert step_names == [
        "Opened",
        "Accepted",
        "Investigating",
        "Resolved",
        "Feedback given",
        "Closed",
        "Reopened",
    ]
    dialog.close_button.click()


def test_a_resolved_ticket_closes_without_feedback_only_with_the_reason(qtbot, office):
    ticket = open_ticket(office)
    for target, extra in (("accepted", {}), ("investigating", {}), ("resolved", {"resolution": RESOLUTION})):
        office.complaints.move(ME, ticket.id, target, **extra)
    dialog = make_dialog(qtbot, office, ticket.id)

    def reason(box: QInputDialog) -> None:
        assert box.labelText() == "Why could no feedback be had from the customer?"
        box.setTextValue("客户电话停机，多次联系不上")
        box.accept()

    on_modal(QInputDialog, reason)
    dialog.step_buttons["closed"].click()
    closed = office.complaints.get(ME, ticket.id)
    assert closed.status == "closed"
    assert closed.feedback.no_feedback_reason == "客户电话停机，多次联系不上"
    assert dialog.no_feedback_reason.toPlainText() == "客户电话停机，多次联系不上"
    assert dialog.step_buttons["investigating"].text() == "Reopen…"
    dialog.close_button.click()


def test_someone_elses_save_meanwhile_names_them_and_keeps_the_edits(qtbot, office):
    ticket = open_ticket(office)
    dialog = make_dialog(qtbot, office, ticket.id)
    li = Actor(staff_id=office.li, name="李娜", role="sales")
    office.complaints.update(li, ticket.id, ticket.version, replace(ticket.data, description="李娜改过"))
    dialog.description.setPlainText("我的修改")
    messages: list[str] = []

    def keep(box: QMessageBox) -> None:
        messages.append(box.text())
        next(b for b in box.buttons() if b.text() == "Keep my edits").click()

    on_modal(QMessageBox, keep)
    assert not dialog.save()
    assert len(messages) == 1 and messages[0].startswith("李娜 changed this record at ")
    assert dialog.description.toPlainText() == "我的修改"
    assert office.complaints.get(ME, ticket.id).data.description == "李娜改过"
    dialog.dirty = False  # the test ends without the closing question
    dialog.close()


def test_closing_with_unsaved_edits_asks_first(qtbot, office):
    ticket = open_ticket(office)
    dialog = make_dialog(qtbot, office, ticket.id)
    dialog.root_cause.setPlainText("包装不足")
    assert dialog.windowTitle() == "* Complaint #1"

    on_modal(QMessageBox, lambda box: box.button(QMessageBox.StandardButton.Cancel).click())
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()
    assert dialog.root_cause.toPlainText() == "包装不足"

    on_modal(QMessageBox, lambda box: box.button(QMessageBox.StandardButton.Save).click())
    dialog.close_button.click()
    assert not dialog.isVisible()
    assert office.complaints.get(ME, ticket.id).resolution.root_cause == "包装不足"


# ---------------------------------------------------------------- attachments


def test_an_attachment_is_kept_in_the_database_after_the_original_is_gone(qtbot, office, tmp_path):
    ticket = open_ticket(office)
    photo = tmp_path / "破损照片.jpg"
    content = bytes(range(256)) * 40  # 10,240 bytes
    photo.write_bytes(content)
    dialog = make_dialog(qtbot, office, ticket.id)
    assert dialog.attach_files([photo]) == 1
    photo.unlink()
    [attachment] = office.complaints.get(ME, ticket.id).attachments
    assert (attachment.filename, attachment.size) == ("破损照片.jpg", 10240)
    assert office.complaints.attachment_content(ME, attachment.id) == ("破损照片.jpg", content)
    table = dialog.attachments_table
    assert [table.item(0, c).text() for c in (0, 1)] == ["破损照片.jpg", "10 KB"]
    assert not dialog.dirty  # attaching saves at once; nothing else is waiting

    table.selectRow(0)
    copy = tmp_path / "copy.jpg"
    assert dialog.save_attachment(attachment.id, copy)
    assert copy.read_bytes() == content
    assert dialog.temporary_copy(attachment.id).read_bytes() == content

    on_modal(QMessageBox, lambda box: box.button(QMessageBox.StandardButton.Yes).click())
    assert dialog.remove_attachment()
    assert office.complaints.get(ME, ticket.id).attachments == ()
    assert table.rowCount() == 0

    missing = tmp_path / "gone.pdf"
    messages: list[str] = []
    on_modal(QMessageBox, warn_with(messages))
    assert dialog.attach_files([missing]) == 0
    assert messages and messages[0].startswith("gone.pdf could not be read")
    dialog.close()


# ---------------------------------------------------------------- the page


def test_time_left_is_shown_and_coloured(qtbot, office, settings):
    start = now()
    # Three calendar days from receipt (the default policy), worked out by hand:
    overdue = open_ticket(
        office, start - timedelta(days=4, hours=3, minutes=30), "逾期"
    )  # 1 d 3 h 30 min late
    soon = open_ticket(office, start - timedelta(days=2, hours=4, minutes=30, seconds=30), "快到期")
    fresh = open_ticket(office, start - timedelta(hours=1, seconds=30), "新的")  # 2 d 22 h 59 min 30 s left
    handled = open_ticket(office, start - timedelta(days=10), "已解决")
    for target, extra in (("accepted", {}), ("investigating", {}), ("resolved", {"resolution": RESOLUTION})):
        office.complaints.move(ME, handled.id, target, **extra)
    page = make_page(qtbot, office, settings)
    page.set_status_filter("all")
    # Open ones by deadline, the most urgent first; the handled one after them.
    assert [page.model.row_at(r).id for r in range(4)] == [overdue.id, soon.id, fresh.id, handled.id]
    assert texts(page, Column.TIME_LEFT) == ["overdue 1 d 3 h", "19 h 29 min left", "2 d 22 h left", ""]
    model = page.model
    colours = [model.data(model.index(r, Column.TIME_LEFT), Qt.ItemDataRole.ForegroundRole) for r in range(4)]
    assert [c.color() if c else None for c in colours] == [RED, ORANGE, GREEN, None]
    assert texts(page, Column.STATUS) == ["Received", "Received", "Received", "Resolved"]


def test_the_filters_and_their_memory(qtbot, office, settings):
    late = open_ticket(office, now() - timedelta(days=5), "外壳变形", severity="high")
    on_time = open_ticket(
        office, now() - timedelta(hours=2), "发票开错", category_id=office.categories["billing"]
    )
    done = open_ticket(office, now() - timedelta(days=1), "送货晚了")
    for target, extra in (
        ("accepted", {}),
        ("investigating", {}),
        ("resolved", {"resolution": RESOLUTION}),
        ("closed", {"feedback": Feedback(no_feedback_reason="联系不上")}),
    ):
        office.complaints.move(ME, done.id, target, **extra)
    assert (late.number, on_time.number, done.number) == (1, 2, 3)
    page = make_page(qtbot, office, settings)

    def numbers() -> list[str]:
        return texts(page, Column.NUMBER)

    assert page.status_filter.currentData() == "open"
    assert numbers() == ["1", "2"]
    page.set_status_filter("overdue")
    assert numbers() == ["1"]
    page.set_status_filter("all")
    assert numbers() == ["1", "2", "3"]
    page.set_status_filter("closed")
    assert numbers() == ["3"]
    page.set_status_filter("all")
    page.category_filter.setCurrentIndex(page.category_filter.findData(str(office.categories["billing"])))
    assert numbers() == ["2"]
    page.category_filter.setCurrentIndex(0)
    page.severity_filter.setCurrentIndex(page.severity_filter.findData("high"))
    assert numbers() == ["1"]
    page.severity_filter.setCurrentIndex(0)
    qtbot.keyClicks(page.search, "#2")
    qtbot.waitUntil(lambda: numbers() == ["2"])
    page.search.setText("送货")
    page.reload()
    assert numbers() == ["3"]
    page.search.clear()
    page.set_status_filter("overdue")
    assert page.count.text() == "1 tickets"

    # A new page (the next start) shows what was last chosen.
    again = make_page(qtbot, office, settings)
    assert again.status_filter.currentData() == "overdue"
    assert texts(again, Column.NUMBER) == ["1"]
    again.clear_filters()
    assert again.status_filter.currentData() == "open"
    assert texts(again, Column.NUMBER) == ["1", "2"]


def test_the_page_lists_a_ticket_opened_elsewhere_and_opens_it_with_enter(qtbot, office, settings):
    page = make_page(qtbot, office, settings)
    ticket = open_ticket(office)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    page.table.selectRow(0)
    seen = []

    def look(dialog: TicketDialog) -> None:
        seen.append(dialog.windowTitle())
        dialog.close_button.click()

    on_modal(TicketDialog, look)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert seen == ["Complaint #1"]
    assert not settings.geometry("ticket_dialog").isEmpty()
    with qtbot.waitSignal(page.open_customer) as opened:
        page.customer_button.click()
    assert opened.args == [ticket.data.customer_id]


def test_five_hundred_rows_fill_at_once(qtbot, qtmodeltester):
    start = now()
    rows = [
        TicketRow(
            id=uuid.uuid4(),
            number=n,
            customer_id=uuid.uuid4(),
            customer_code=f"C{n:05d}",
            customer_name=f"客户{n}",
            category="Delivery",
            severity="normal",
            status="new",
            received_at=start - timedelta(hours=n),
            due_at=start + timedelta(days=3) - timedelta(hours=n),
            escalation_level=n % 3,
            responsible="张伟",
            description="送货晚了",
        )
        for n in range(500)
    ]
    model = TicketsModel()
    table = ticket_table("speed", model)
    qtbot.addWidget(table)
    table.resize(1300, 800)
    table.show()
    qtbot.waitExposed(table)
    began = time.perf_counter()
    model.set_rows(rows, start)
    table.viewport().repaint()
    assert time.perf_counter() - began < 0.1
    qtmodeltester.check(model)


# ---------------------------------------------------------------- the customer file


@pytest.fixture
def window(qtbot, office, tmp_path) -> Iterator[MainWindow]:
    yield from shown_main_window(qtbot, office.db, tmp_path)


def test_the_customer_file_lists_its_tickets_and_the_timeline_their_steps(qtbot, office, window):
    ticket = open_ticket(office)
    office.complaints.move(ME, ticket.id, "accepted", "已受理")
    editor = window.open_customer(office.customer)
    qtbot.waitExposed(editor)
    tab = editor.complaints_tab
    editor.tabs.setCurrentWidget(tab)
    assert texts(tab.model, Column.NUMBER) == ["1"]
    assert texts(tab.model, Column.STATUS) == ["Accepted"]
    assert tab.table.isColumnHidden(Column.CUSTOMER)
    assert tab.count.text() == "1 complaints, 1 open"

    entries = [e for e in editor.timeline.model.entries if e.kind == "complaint"]
    assert [(e.title, e.text) for e in entries] == [
        ("Complaint #1: Accepted", "已受理"),
        ("Complaint #1: Opened", "三台电机外壳变形"),
    ]

    # Opening a complaint on the timeline opens its ticket; a step taken there shows on the timeline.
    def accept(dialog: TicketDialog) -> None:
        assert dialog.windowTitle() == "Complaint #1"
        dialog.step_buttons["investigating"].click()
        dialog.close_button.click()

    on_modal(TicketDialog, accept)
    editor.open_timeline_entry(entries[0])
    qtbot.waitUntil(
        lambda: any(e.title == "Complaint #1: Investigating" for e in editor.timeline.model.entries)
    )
    qtbot.waitUntil(lambda: texts(tab.model, Column.STATUS) == ["Investigating"])

    # A new complaint from the tab is the customer's without asking.
    def record(dialog: TicketDialog) -> None:
        assert dialog.customer_label.text() == "华东机电有限公司 (HD001)"
        dialog.category.setCurrentIndex(index_of(dialog.category, office.categories["billing"]))
        dialog.description.setPlainText("发票抬头错误")
        dialog.save_and_close()

    on_modal(TicketDialog, record)
    tab.new_button.click()
    assert sorted(texts(tab.model, Column.NUMBER)) == ["1", "2"]
    assert tab.count.text() == "2 complaints, 2 open"


def test_handing_the_ticket_to_someone_in_another_department_takes_it_there(qtbot, office):
    """Its department (whose manager an escalation reaches) follows the new responsible person."""
    staff = StaffService(office.db)
    service_department = staff.save_department(ME, "售后服务部").id
    zhao = staff.save(ME, StaffInput(name="赵工", department_id=service_department)).id
    ticket = open_ticket(office)
    assert ticket.data.department_id == office.department  # 张伟's, the account manager's
    dialog = make_dialog(qtbot, office, ticket.id)
    index = index_of(dialog.responsible, zhao)
    assert index > 0
    dialog.responsible.setCurrentIndex(index)
    dialog.responsible.activated.emit(index)  # as a choice in the list sends it
    assert dialog.save()
    data = office.complaints.get(ME, ticket.id).data
    assert (data.responsible_staff_id, data.department_id) == (zhao, service_department)
