"""GUI tests of logging contacts: the dialog, the customer file's Timeline tab, the global shortcut,
additional staff and who works at this computer (pytest-qt, real widgets over a real SQLite file)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialogButtonBox

from app.dialogs.contact_log_dialog import ContactLogDialog
from app.dialogs.follow_up_dialog import FollowUpDialog
from app.dialogs.form import index_of
from app.dialogs.settings_dialog import SettingsDialog
from app.dialogs.staff_picker_dialog import StaffPickerDialog
from app.models import Staff
from app.services.actor import DEFAULT_ACTOR
from app.services.contacts import ContactLogInput, ContactService
from app.services.customers import CustomerInput, CustomerService
from app.services.followups import FollowUpInput, FollowUpService
from app.services.staff import StaffService
from app.views import contact_actions
from app.views.contact_actions import CustomerPicker
from app.views.handover_wizard import HandoverWizard
from app.views.main_window import MainWindow
from tests.gui.conftest import on_modal, shown_main_window


@pytest.fixture
def staff(sqlite_db) -> dict[str, uuid.UUID]:
    ids = {"张伟": uuid.uuid4(), "李娜": uuid.uuid4()}
    with sqlite_db.session() as session:
        for name, staff_id in ids.items():
            session.add(Staff(id=staff_id, name=name, role="sales"))
    return ids


@pytest.fixture
def customer(sqlite_db, staff) -> uuid.UUID:
    service = CustomerService(sqlite_db)
    return service.create(
        DEFAULT_ACTOR, CustomerInput(name="华东机电有限公司", tier="important", manager_id=staff["张伟"])
    ).id


@pytest.fixture
def window(qtbot, sqlite_db, customer, tmp_path) -> Iterator[MainWindow]:
    yield from shown_main_window(qtbot, sqlite_db, tmp_path)


def test_logging_a_contact_from_the_timeline_plans_the_next_by_the_tier_cadence(
    qtbot, window, sqlite_db, customer
):
    editor = window.open_customer(customer)
    qtbot.waitExposed(editor)
    editor.tabs.setCurrentWidget(editor.timeline_tab)

    def fill(dialog: ContactLogDialog) -> None:
        # An important customer: a contact every 60 days, proposed from today.
        assert dialog.plan_next.isChecked()
        assert dialog.next_date.date() == QDate(date.today() + timedelta(days=60))
        assert "60" in dialog.cadence_hint.text()
        dialog.kind.setCurrentIndex(dialog.kind.findData("visit"))
        dialog.subject.setText("年度合同")
        dialog.summary.setPlainText("谈了明年的价格和交期")
        dialog.next_step.setText("寄送报价单")
        dialog.accept()

    on_modal(ContactLogDialog, fill)
    qtbot.mouseClick(editor.timeline.log_button, Qt.MouseButton.LeftButton)
    [follow_up] = FollowUpService(sqlite_db).for_customer(DEFAULT_ACTOR, customer)
    assert (follow_up.due_on, follow_up.purpose) == (date.today() + timedelta(days=60), "寄送报价单")
    model = editor.timeline.model
    qtbot.waitUntil(lambda: any(e.kind == "contact" for e in model.entries))
    contact = next(e for e in model.entries if e.kind == "contact")
    assert contact.title == "Visit" and contact.text == "年度合同 — 谈了明年的价格和交期"
    assert any(e.kind == "follow_up" for e in model.entries)
    # Only contact logs, then everything again.
    for kind, button in editor.timeline.kind_buttons.items():
        button.setChecked(kind == "contact")
    assert {e.kind for e in model.entries} == {"contact"}


def test_a_refused_contact_keeps_what_was_typed_and_names_the_field(qtbot, window, sqlite_db, customer):
    editor = window.open_customer(customer)
    qtbot.waitExposed(editor)
    checked: list[bool] = []

    def fill(dialog: ContactLogDialog) -> None:
        dialog.outcome.setPlainText("客户满意")  # but neither subject nor summary
        on_modal(ContactLogDialog, check)  # refused: the dialog comes back with the message
        dialog.accept()

    def check(dialog: ContactLogDialog) -> None:
        assert dialog.field_errors.labels["summary"].isVisible()
        assert "subject or a summary" in dialog.field_errors.labels["summary"].text()
        assert dialog.outcome.toPlainText() == "客户满意"
        checked.append(True)
        dialog.reject()

    on_modal(ContactLogDialog, fill)
    editor.log_action.trigger()
    assert checked == [True]
    assert ContactService(sqlite_db).logs(DEFAULT_ACTOR, customer) == []


def test_the_contact_completes_the_follow_up_it_answers(qtbot, window, sqlite_db, customer):
    follow_ups = FollowUpService(sqlite_db)
    planned = follow_ups.create(DEFAULT_ACTOR, FollowUpInput(customer, date.today(), purpose="送样品"))
    editor = window.open_customer(customer)
    qtbot.waitExposed(editor)

    def fill(dialog: ContactLogDialog) -> None:
        assert dialog.completes.currentData() == planned.id  # the one due today, chosen already
        dialog.summary.setPlainText("样品已送到")
        dialog.plan_next.setChecked(False)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()

    on_modal(ContactLogDialog, fill)
    editor.log_action.trigger()
    assert follow_ups.for_customer(DEFAULT_ACTOR, customer) == []
    [log] = ContactService(sqlite_db).logs(DEFAULT_ACTOR, customer)
    assert log.data.completes == planned.id and log.data.next_date is None


def test_ctrl_l_asks_which_customer_then_logs(qtbot, window, sqlite_db, customer):
    window.show_page(window.my_day_page)

    def pick(picker: CustomerPicker) -> None:
        picker.search.setText("华东")
        qtbot.waitUntil(lambda: picker.results.count() == 1)
        on_modal(ContactLogDialog, log)
        picker.accept()

    def log(dialog: ContactLogDialog) -> None:
        dialog.summary.setPlainText("电话问候")
        dialog.accept()

    on_modal(CustomerPicker, pick)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(ContactService(sqlite_db).logs(DEFAULT_ACTOR, customer)) == 1)


def test_additional_staff_are_chosen_on_the_basic_tab(qtbot, window, sqlite_db, customer, staff):
    editor = window.open_customer(customer)
    qtbot.waitExposed(editor)
    assert editor.additional_staff.text() == "none"

    def choose(dialog: StaffPickerDialog) -> None:
        names = [dialog.list.item(r).text() for r in range(dialog.list.count())]
        assert "张伟" not in names  # the account manager is not offered twice
        row = names.index("李娜")
        dialog.list.item(row).setCheckState(Qt.CheckState.Checked)
        dialog.accept()

    on_modal(StaffPickerDialog, choose)
    qtbot.mouseClick(editor.change_staff_button, Qt.MouseButton.LeftButton)
    assert [s.name for s in StaffService(sqlite_db).customer_staff(DEFAULT_ACTOR, customer)] == ["李娜"]
    qtbot.waitUntil(lambda: editor.additional_staff.text() == "李娜")


def test_choosing_who_works_here_in_settings(qtbot, window, staff):
    chosen: list = []
    window.user_chosen.connect(chosen.append)

    def choose(dialog: SettingsDialog) -> None:
        dialog.staff_combo.setCurrentIndex(index_of(dialog.staff_combo, staff["李娜"]))
        dialog.accept()

    on_modal(SettingsDialog, choose)
    window.show_settings()
    assert chosen == [staff["李娜"]]
    # OK without a change keeps the same person (the administrator here).
    on_modal(SettingsDialog, lambda dialog: dialog.accept())
    window.show_settings()
    assert chosen == [staff["李娜"]]


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # the offscreen platform's limit
def test_the_pages_and_the_staff_windows_are_reached_from_the_main_window(qtbot, window, staff):
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentWidget() is window.watch_page
    assert window.watch_action.isChecked() and window.windowTitle() == "ClientDesk — Service watch"
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentWidget() is window.my_day_page
    staff_window = window.show_staff()
    qtbot.waitExposed(staff_window)
    assert window.show_staff() is staff_window  # one window, brought forward
    # Leave… on someone with customers offers the handover first: the wizard opens for that person.
    staff_window.handover_requested.emit(staff["张伟"])
    wizard = next(w for w in window.findChildren(HandoverWizard))
    qtbot.waitExposed(wizard)
    wizard.reject()
    staff_window.close()


def test_planning_a_follow_up_needs_its_purpose(qtbot, window, sqlite_db, customer, staff):
    editor = window.open_customer(customer)
    qtbot.waitExposed(editor)
    filled: list[bool] = []

    def empty(dialog: FollowUpDialog) -> None:
        assert dialog.owner.currentData() == staff["张伟"]  # the account manager, by default
        on_modal(FollowUpDialog, fill)  # no purpose: refused, the dialog comes back with the message
        dialog.accept()

    def fill(dialog: FollowUpDialog) -> None:
        assert "purpose" in dialog.field_errors.labels["purpose"].text()
        dialog.purpose.setText("送新价目表")
        dialog.due.setDate(QDate(date.today() + timedelta(days=3)))
        filled.append(True)
        dialog.accept()

    on_modal(FollowUpDialog, empty)
    qtbot.mouseClick(editor.timeline.plan_button, Qt.MouseButton.LeftButton)
    assert filled == [True]
    [planned] = FollowUpService(sqlite_db).for_customer(DEFAULT_ACTOR, customer)
    assert (planned.purpose, planned.due_on, planned.owner) == (
        "送新价目表",
        date.today() + timedelta(days=3),
        "张伟",
    )


def test_editing_a_log_keeps_its_staff_in_order_even_one_who_has_left(
    qtbot, window, sqlite_db, customer, staff
):
    wang = uuid.uuid4()
    with sqlite_db.session() as session:
        session.add(Staff(id=wang, name="王芳", role="sales"))
    order = (staff["李娜"], wang, staff["张伟"])
    log = ContactService(sqlite_db).log(
        DEFAULT_ACTOR, customer, ContactLogInput(summary="三人拜访", staff_ids=order, next_date=None)
    )
    StaffService(sqlite_db).leave(DEFAULT_ACTOR, wang, date.today())
    editor = window.open_customer(customer)
    qtbot.waitExposed(editor)
    seen: dict = {}

    def look(dialog: ContactLogDialog) -> None:
        items = [dialog.staff_list.item(r) for r in range(dialog.staff_list.count())]
        checked = [i for i in items if i.checkState() == Qt.CheckState.Checked]
        seen["first"] = checked[0].data(Qt.ItemDataRole.UserRole)  # the one the log counts for
        seen["checked"] = {i.data(Qt.ItemDataRole.UserRole) for i in checked}
        seen["left"] = next(i.text() for i in items if i.data(Qt.ItemDataRole.UserRole) == wang)
        seen["completes"] = dialog.completes.isEnabled()
        dialog.summary.setPlainText("三人拜访，谈了交期")
        dialog.accept()

    on_modal(ContactLogDialog, look)
    contact_actions.open_contact_log(editor, sqlite_db, DEFAULT_ACTOR, log.id)
    assert seen == {"first": staff["李娜"], "checked": set(order), "left": "王芳 (left)", "completes": False}
    saved = ContactService(sqlite_db).get(DEFAULT_ACTOR, log.id)
    assert saved.data.staff_ids[0] == staff["李娜"] and set(saved.data.staff_ids) == set(order)


def test_ctrl_l_on_my_day_answers_the_selected_follow_up(qtbot, window, sqlite_db, customer):
    follow_ups = FollowUpService(sqlite_db)
    planned = follow_ups.create(
        DEFAULT_ACTOR, FollowUpInput(customer, date.today(), DEFAULT_ACTOR.staff_id, purpose="送样品")
    )
    window.show_page(window.my_day_page)
    page = window.my_day_page
    qtbot.waitUntil(lambda: page.today_table.rowCount() == 1)
    page.today_table.selectRow(0)
    seen: dict = {}

    def log(dialog: ContactLogDialog) -> None:
        seen["completes"] = dialog.completes.currentData()
        dialog.summary.setPlainText("样品已送到")
        dialog.plan_next.setChecked(False)
        dialog.accept()

    on_modal(ContactLogDialog, log)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert seen == {"completes": planned.id}
    assert follow_ups.for_customer(DEFAULT_ACTOR, customer) == []
