"""GUI tests of My day: the due lists, logging and rescheduling a follow-up, care reminders, holidays."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from app.dialogs.contact_log_dialog import ContactLogDialog
from app.dialogs.holiday_dialog import HolidayDialog
from app.dialogs.reschedule_dialog import RescheduleDialog
from app.services.actor import DEFAULT_ACTOR, Actor
from app.services.care import CareService, HolidayInput
from app.services.contacts import ContactService
from app.services.customers import ContactInput, CustomerInput, CustomerService
from app.services.events import Change
from app.services.followups import FollowUpInput, FollowUpService
from app.services.staff import StaffInput, StaffService
from app.views.holidays_window import HolidaysWindow
from app.views.my_day_page import CareColumn, Column, MyDayPage
from app.views.settings import Settings
from tests.gui.conftest import on_modal

TODAY = date.today()
ME = DEFAULT_ACTOR


@pytest.fixture
def data(sqlite_db) -> SimpleNamespace:
    customers = CustomerService(sqlite_db)
    follow_ups = FollowUpService(sqlite_db)
    other = StaffService(sqlite_db).save(ME, StaffInput(name="李娜"))
    mine = customers.create(ME, CustomerInput(name="华信科技", manager_id=ME.staff_id, tier="vip"))
    second = customers.create(ME, CustomerInput(name="长江机械", manager_id=ME.staff_id, tier="normal"))
    theirs = customers.create(ME, CustomerInput(name="西湖物流", manager_id=other.id, tier="vip"))
    birthday = TODAY + timedelta(days=2)
    person = customers.save_contact(
        ME,
        mine.id,
        ContactInput(
            name="王芳",
            title="总经理",
            birthday=date(1980, birthday.month, birthday.day),  # 1980 has a 29 February too
            is_decision_maker=True,
        ),
    )

    def plan(customer, days: int, purpose: str):
        return follow_ups.create(
            ME, FollowUpInput(customer.id, TODAY + timedelta(days=days), purpose=purpose)
        )

    return SimpleNamespace(
        other=other,
        mine=mine,
        second=second,
        theirs=theirs,
        person=person,
        overdue=plan(mine, -1, "Send the quotation"),
        today=plan(second, 0, "Call about the delivery"),
        soon=plan(mine, 3, "Visit the new plant"),
        later=plan(mine, 10, "Quarterly review"),
        their_call=plan(theirs, 0, "Their call"),
    )


def make_page(qtbot, db, tmp_path, actor: Actor = ME) -> MyDayPage:
    page = MyDayPage(db, actor, Settings(str(tmp_path / "settings.ini")))
    qtbot.addWidget(page)
    page.resize(1280, 700)
    page.show()
    qtbot.waitExposed(page)
    return page


@pytest.fixture
def page(qtbot, data, sqlite_db, tmp_path) -> MyDayPage:
    return make_page(qtbot, sqlite_db, tmp_path)


@pytest.fixture
def messages(page) -> list[str]:
    seen: list[str] = []
    page.message.connect(seen.append)
    return seen


def purposes(table) -> list[str]:
    return [table.item(r, Column.PURPOSE).text() for r in range(table.rowCount())]


def all_purposes(page: MyDayPage) -> list[str]:
    return [p for table in page.follow_up_tables for p in purposes(table)]


def care_whats(page: MyDayPage) -> list[str]:
    return [page.care_table.item(r, CareColumn.WHAT).text() for r in range(page.care_table.rowCount())]


def care_row(page: MyDayPage, what: str) -> int:
    texts = care_whats(page)
    assert what in texts, texts
    return texts.index(what)


def test_the_due_lists(qtbot, page, data):
    assert page.heading.text().startswith("My day — ")
    assert TODAY.strftime("%A") in page.heading.text()
    assert purposes(page.overdue_table) == ["Send the quotation"]
    assert purposes(page.today_table) == ["Call about the delivery"]
    assert purposes(page.week_table) == ["Visit the new plant"]
    assert "Quarterly review" not in all_purposes(page)  # ten days ahead: not this week
    assert "Their call" not in all_purposes(page)  # someone else's
    assert page.overdue_section.title.text() == "Overdue (1)"
    assert "#c62828" in page.overdue_section.title.styleSheet()  # overdue is red
    assert page.today_section.title.text() == "Due today (1)"
    assert page.week_section.title.text() == "This week (1)"
    assert page.overdue_table.item(0, Column.DUE).text().endswith("(1 day late)")
    assert page.week_table.item(0, Column.DUE).text().endswith("(in 3 days)")
    row = page.overdue_table.item(0, Column.CUSTOMER).text()
    assert row == f"{data.mine.data.code}  华信科技"
    assert page.overdue_table.item(0, Column.TIER).text() == "VIP"
    assert page.overdue_table.item(0, Column.DUE).data(Qt.ItemDataRole.UserRole).id == data.overdue.id
    assert page.overdue_table.isColumnHidden(Column.OWNER)  # all of them are mine

    combo = page.staff_combo
    assert combo.isEnabled()
    texts = [combo.itemText(i) for i in range(combo.count())]
    assert texts[0] == "Me (Administrator)"
    assert "李娜" in texts
    assert texts[-1] == "Everyone"

    page.set_staff(None)
    assert page.heading.text().startswith("Everyone's day — ")
    assert sorted(purposes(page.today_table)) == ["Call about the delivery", "Their call"]
    assert not page.today_table.isColumnHidden(Column.OWNER)
    assert page.today_section.title.text() == "Due today (2)"

    page.set_staff(data.other.id)
    assert page.heading.text().startswith("李娜's day — ")
    assert all_purposes(page) == ["Their call"]
    # Empty sections say so in a line instead of showing an empty table.
    assert page.overdue_section.title.text() == "Overdue (0)"
    assert page.overdue_table.isHidden()
    assert not page.overdue_section.empty.isHidden()
    assert page.overdue_section.empty.text() == "Nothing overdue."
    assert page.week_section.empty.text() == "Nothing else due this week."


def test_a_sales_person_sees_only_their_own_day(qtbot, data, sqlite_db, tmp_path):
    actor = Actor(staff_id=data.other.id, name="李娜", role="sales")
    page = make_page(qtbot, sqlite_db, tmp_path, actor)
    assert not page.staff_combo.isEnabled()
    assert page.staff_combo.count() == 1
    assert page.staff_combo.itemText(0) == "Me (李娜)"
    page.set_staff(None)  # not offered: nothing changes
    assert all_purposes(page) == ["Their call"]


def test_log_it_completes_the_follow_up(qtbot, page, data, sqlite_db, messages):
    assert not page.log_button.isEnabled()
    page.overdue_table.selectRow(0)
    assert page.log_button.isEnabled() and page.reschedule_button.isEnabled()
    seen = {}

    def fill(dialog: ContactLogDialog) -> None:
        seen["subject"] = dialog.subject.text()
        seen["completes"] = dialog.completes.currentData()
        seen["completes_text"] = dialog.completes.currentText()
        dialog.summary.setPlainText("Sent it; they answer by Friday.")
        dialog.plan_next.setChecked(False)
        dialog.accept()

    on_modal(ContactLogDialog, fill)
    page.log_button.click()
    assert seen.pop("completes_text").startswith("Yes: Send the quotation")
    assert seen == {"subject": "Send the quotation", "completes": data.overdue.id}
    open_ids = [f.id for f in FollowUpService(sqlite_db).for_customer(ME, data.mine.id)]
    assert data.overdue.id not in open_ids
    qtbot.waitUntil(lambda: page.overdue_table.rowCount() == 0)
    assert page.overdue_section.title.text() == "Overdue (0)"
    assert not page.overdue_section.empty.isHidden()
    assert messages == ["Contact with 华信科技 logged."]
    logs = ContactService(sqlite_db).logs(ME, data.mine.id)
    assert [log.data.summary for log in logs] == ["Sent it; they answer by Friday."]


def test_enter_on_a_list_logs_it(qtbot, page, data, sqlite_db):
    page.today_table.selectRow(0)
    page.activateWindow()
    page.today_table.setFocus()
    qtbot.waitUntil(page.today_table.hasFocus)

    def fill(dialog: ContactLogDialog) -> None:
        dialog.summary.setPlainText("Delivery confirmed for Tuesday.")
        dialog.plan_next.setChecked(False)
        dialog.accept()

    on_modal(ContactLogDialog, fill)
    qtbot.keyClick(page.today_table, Qt.Key.Key_Return)
    assert FollowUpService(sqlite_db).for_customer(ME, data.second.id) == []
    qtbot.waitUntil(lambda: page.today_table.rowCount() == 0)


def test_selecting_in_one_list_clears_the_others(qtbot, page):
    page.overdue_table.selectRow(0)
    page.week_table.selectRow(0)
    assert not page.overdue_table.selectionModel().selectedRows()
    assert page.current_follow_up().purpose == "Visit the new plant"


def test_reschedule_needs_a_reason(qtbot, page, data, sqlite_db, messages):
    service = FollowUpService(sqlite_db)
    page.week_table.selectRow(0)
    moved_to = TODAY + timedelta(days=5)
    seen = {}

    def without_reason(dialog: RescheduleDialog) -> None:
        dialog.date_edit.setDate(QDate(moved_to))
        dialog.reason_edit.clear()
        on_modal(RescheduleDialog, cancel_after_error)  # the dialog comes back with the error
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    def cancel_after_error(dialog: RescheduleDialog) -> None:
        seen["error"] = dialog.field_errors.labels["reason"].text()
        seen["shown"] = not dialog.field_errors.labels["reason"].isHidden()
        seen["date"] = dialog.due_on  # nothing typed is lost
        dialog.reject()

    on_modal(RescheduleDialog, without_reason)
    page.reschedule_button.click()
    assert seen == {"error": "Say why the follow-up moves.", "shown": True, "date": moved_to}
    assert service.get(ME, data.soon.id).due_on == TODAY + timedelta(days=3)

    def with_reason(dialog: RescheduleDialog) -> None:
        dialog.date_edit.setDate(QDate(moved_to))
        dialog.reason_edit.setText("They are closed until then")
        dialog.accept()

    on_modal(RescheduleDialog, with_reason)
    page.reschedule_button.click()
    assert service.get(ME, data.soon.id).due_on == moved_to
    qtbot.waitUntil(lambda: page.week_table.item(0, Column.DUE).text().endswith("(in 5 days)"))
    assert page.current_follow_up().id == data.soon.id  # still the one selected
    assert messages[-1].startswith("Follow-up with 华信科技 moved to ")


def test_birthday_greeting(qtbot, page, data, sqlite_db, messages):
    row = care_row(page, "王芳's birthday")
    greeting = page.care_table.item(row, CareColumn.GREETING).text()
    assert greeting.startswith("Dear 王芳, happy birthday!")
    assert page.care_table.item(row, CareColumn.PERSON).text() == "王芳 总经理"
    assert page.care_table.item(row, CareColumn.DATE).toolTip() == "in 2 days"
    assert page.care_section.title.text().startswith("Care reminders, next 7 days (")
    assert not page.copy_button.isEnabled()
    page.care_table.selectRow(row)
    assert page.greeting_view.text() == greeting
    page.copy_button.click()
    assert QApplication.clipboard().text() == greeting
    assert messages == ["Greeting copied"]

    seen = {}

    def fill(dialog: ContactLogDialog) -> None:
        seen["kind"] = dialog.kind.currentData()
        seen["subject"] = dialog.subject.text()
        seen["summary"] = dialog.summary.toPlainText()
        seen["person"] = dialog.person.currentData()
        dialog.completes.setCurrentIndex(0)  # a greeting, not one of the open follow-ups
        dialog.plan_next.setChecked(False)
        dialog.accept()

    on_modal(ContactLogDialog, fill)
    page.log_greeting_button.click()
    assert seen == {
        "kind": "wechat",
        "subject": "王芳's birthday",
        "summary": greeting,
        "person": data.person.id,
    }
    logs = ContactService(sqlite_db).logs(ME, data.mine.id)
    assert [(log.data.kind, log.data.subject) for log in logs] == [("wechat", "王芳's birthday")]
    assert messages[-1] == "Greeting to 华信科技 logged."


def test_holiday_greeting_for_many(qtbot, page, data, sqlite_db, messages, monkeypatch):
    CareService(sqlite_db).save_holiday(
        ME, HolidayInput(name="Company Day", on=TODAY + timedelta(days=1), greeting="Happy Company Day!")
    )
    page.on_change(Change("holiday"))
    qtbot.waitUntil(lambda: "Holiday: Company Day" in care_whats(page))
    page.care_table.selectRow(care_row(page, "Holiday: Company Day"))
    assert not page.open_care_button.isEnabled()  # a holiday has no one customer
    questions: list[str] = []

    def question(_parent, _title, text, *_args, **_kwargs):
        questions.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    page.log_greeting_button.click()
    # Mine in the two best tiers (VIP, Important) or key: 华信科技 (VIP), not 长江机械 (Normal).
    assert questions == [
        "Log the Company Day greeting for 1 customers: your customers in tiers VIP / Important and "
        "key customers?"
    ]
    logs = ContactService(sqlite_db).logs(ME, data.mine.id)
    assert [(log.data.kind, log.data.subject, log.data.summary) for log in logs] == [
        ("wechat", "Company Day", "Happy Company Day!")
    ]
    assert ContactService(sqlite_db).logs(ME, data.second.id) == []
    assert messages == ["Greeting logged for 1 customers"]


def test_changes_while_hidden_wait_for_the_page_to_show(qtbot, page, data, sqlite_db):
    page.hide()
    FollowUpService(sqlite_db).create(
        ME, FollowUpInput(data.second.id, TODAY, purpose="Ask about the invoice")
    )
    page.on_change(Change("follow_up", frozenset({data.second.id})))
    qtbot.wait(20)
    assert "Ask about the invoice" not in purposes(page.today_table)  # hidden: not read yet
    page.on_change(Change("tier_rule_set"))  # nothing My day shows
    page.show()
    qtbot.waitExposed(page)
    assert "Ask about the invoice" in purposes(page.today_table)


def test_holidays_window(qtbot, sqlite_db, monkeypatch):
    window = HolidaysWindow(sqlite_db, ME)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.year_spin.value() == TODAY.year

    def names() -> list[str]:
        return [window.table.item(r, 0).text() for r in range(window.table.rowCount())]

    assert "National Day" in names()  # the built-in ones fill in the first time a year is asked
    changes: list[bool] = []
    window.changed.connect(lambda: changes.append(True))
    seen = {}
    on = date(TODAY.year, 6, 18)

    def without_name(dialog: HolidayDialog) -> None:
        dialog.date_edit.setDate(QDate(on))
        dialog.greeting_edit.setPlainText("Happy Company Day!")
        on_modal(HolidayDialog, with_name)
        dialog.accept()

    def with_name(dialog: HolidayDialog) -> None:
        seen["error"] = dialog.field_errors.labels["name"].text()
        seen["greeting"] = dialog.greeting_edit.toPlainText()
        dialog.name_edit.setText("Company Day")
        dialog.accept()

    on_modal(HolidayDialog, without_name)
    window.add_button.click()
    assert seen == {"error": "Write the holiday's name.", "greeting": "Happy Company Day!"}
    assert "Company Day" in names()
    assert window.current_holiday().name == "Company Day"
    assert window.table.item(names().index("Company Day"), 2).text() == "Happy Company Day!"
    assert changes == [True]
    assert "Company Day" in [h.name for h in CareService(sqlite_db).holidays(ME, TODAY.year)]

    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    window.activateWindow()
    window.table.setFocus()
    qtbot.waitUntil(window.table.hasFocus)
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    assert "Company Day" not in names()
    assert "Company Day" not in [h.name for h in CareService(sqlite_db).holidays(ME, TODAY.year)]
    assert changes == [True, True]

    window.year_spin.setValue(TODAY.year + 1)
    assert window.table.rowCount() > 0
    holidays = CareService(sqlite_db).holidays(ME, TODAY.year + 1)
    assert all(h.on.year == TODAY.year + 1 for h in holidays)
    assert names() == [h.name for h in holidays]


# Bringing the open window forward asks the window system, which the offscreen platform does not have.
@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_the_holidays_button_opens_one_window(qtbot, page):
    first = page.show_holidays()
    qtbot.waitExposed(first)
    assert page.show_holidays() is first
    first.close()
    qtbot.waitUntil(lambda: page._holidays_window is None)
