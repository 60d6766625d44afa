"""GUI tests of the handover wizard and the staff window: a leaver's customers shared by revenue and by hand,
the staff window's add, leave and department refusal."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QInputDialog,
    QMessageBox,
    QWizard,
)

from app.dialogs.leave_dialog import LeaveDialog
from app.dialogs.staff_dialog import StaffDialog
from app.services.actor import DEFAULT_ACTOR, Actor
from app.services.customers import CustomerInput, CustomerService, TransactionInput
from app.services.followups import FollowUpInput, FollowUpService
from app.services.handover import HandoverResult
from app.services.staff import StaffInput, StaffService
from app.views.handover_wizard import (
    CONFIRM_PAGE,
    CUSTOMERS_PAGE,
    RESULT_PAGE,
    WHOSE_PAGE,
    Column,
    HandoverWizard,
)
from app.views.settings import Settings
from app.views.staff_window import StaffColumn, StaffWindow
from tests.gui.conftest import on_modal

ME = DEFAULT_ACTOR
TODAY = date.today()
INTRODUCE = "Introduce the new account manager"


@pytest.fixture
def office(sqlite_db) -> SimpleNamespace:
    """张伟 leaves; his four customers bought 500, 300, 200 and 100 in the last year; he has open
    follow-ups on two of them and serves a customer of 李娜's as additional staff."""
    staff = StaffService(sqlite_db)
    customers = CustomerService(sqlite_db)
    follow_ups = FollowUpService(sqlite_db)
    department = staff.save_department(ME, "销售一部")
    leaver = staff.save(ME, StaffInput(name="张伟", department_id=department.id)).id
    li = staff.save(ME, StaffInput(name="李娜", department_id=department.id)).id
    wang = staff.save(ME, StaffInput(name="王强")).id
    zhao = staff.save(ME, StaffInput(name="赵敏")).id
    ids = {}
    for code, amount in (("C1", "500"), ("C2", "300"), ("C3", "200"), ("C4", "100")):
        ids[code] = customers.create(ME, CustomerInput(name=f"客户{code}", code=code, manager_id=leaver)).id
        customers.save_transaction(
            ME, ids[code], TransactionInput(occurred_on=TODAY - timedelta(days=10), amount=Decimal(amount))
        )
    # Bought more than a year ago: not in the 12-month revenue.
    customers.save_transaction(
        ME, ids["C4"], TransactionInput(occurred_on=TODAY - timedelta(days=400), amount=Decimal("9000"))
    )
    for code in ("C1", "C3"):
        follow_ups.create(ME, FollowUpInput(ids[code], TODAY + timedelta(days=2), leaver, "Send the offer"))
    served = customers.create(ME, CustomerInput(name="李娜的客户", code="L1", manager_id=li)).id
    staff.set_customer_staff(ME, served, [leaver])
    return SimpleNamespace(
        db=sqlite_db,
        leaver=leaver,
        li=li,
        wang=wang,
        zhao=zhao,
        ids=ids,
        served=served,
        department=department,
    )


def make_wizard(qtbot, office, tmp_path, **kwargs) -> HandoverWizard:
    wizard = HandoverWizard(office.db, ME, Settings(str(tmp_path / "settings.ini")), **kwargs)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    return wizard


def next_button(wizard: HandoverWizard):
    return wizard.button(QWizard.WizardButton.NextButton)


def manager_of(db, customer_id: uuid.UUID) -> uuid.UUID | None:
    return CustomerService(db).get(ME, customer_id).data.manager_id


def recipients_shown(wizard: HandoverWizard) -> dict[str, str]:
    """Customer code → the name in the "To" column."""
    model = wizard.customers_page.model
    return {
        model.index(r, Column.CODE).data(): model.index(r, Column.TO).data() for r in range(model.rowCount())
    }


def test_the_situation_and_a_handover_by_revenue(qtbot, office, tmp_path, qtmodeltester):
    wizard = make_wizard(qtbot, office, tmp_path, staff_id=office.leaver)
    page = wizard.whose_page
    assert wizard.currentId() == WHOSE_PAGE
    assert page.staff_combo.currentData() == office.leaver
    # Only those who manage customers are offered: 张伟 and 李娜.
    names = [page.staff_combo.itemText(i) for i in range(page.staff_combo.count())]
    assert len(names) == 2 and names[0].startswith("张伟（销售一部）") and names[1].startswith("李娜")
    assert page.figures["customers"].text() == "4"
    assert page.figures["revenue"].text() == "¥1,100.00"
    assert page.figures["follow_ups"].text() == "2"
    assert page.figures["additional"].text() == "1"
    assert next_button(wizard).isEnabled()

    wizard.next()
    assert wizard.currentId() == CUSTOMERS_PAGE
    customers = wizard.customers_page
    qtmodeltester.check(customers.model)
    model = customers.model
    # Largest first, revenue right-aligned.
    assert [model.index(r, Column.CODE).data() for r in range(4)] == ["C1", "C2", "C3", "C4"]
    assert model.index(0, Column.REVENUE).data() == "¥500.00"
    assert (
        model.index(0, Column.REVENUE).data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    )
    assert model.index(0, Column.FOLLOW_UPS).data() == "1"
    offered = [
        customers.recipient_list.item(i).data(Qt.ItemDataRole.UserRole)
        for i in range(customers.recipient_list.count())
    ]
    assert office.leaver not in offered and {office.li, office.wang, office.zhao} <= set(offered)
    # Nobody ticked: Next waits, and says why.
    assert not next_button(wizard).isEnabled()
    assert customers.reason.text() == "Tick at least one staff member to take the customers over."

    customers.set_split_mode("revenue")
    customers.set_recipients([office.li, office.wang])
    # 500 → 李娜, 300 → 王强, 200 → 王强 (300 < 500), 100 → 李娜 (500 = 500, fewer customers).
    assert recipients_shown(wizard) == {"C1": "李娜", "C2": "王强", "C3": "王强", "C4": "李娜"}
    assert customers.totals.text() == "李娜: 2 customers, ¥600.00   ·   王强: 2 customers, ¥500.00"
    assert customers.reason.text() == ""
    assert next_button(wizard).isEnabled()

    wizard.next()
    assert wizard.currentId() == CONFIRM_PAGE
    confirm = wizard.confirm_page
    # Started for one person and all their customers (as from Leave…): "has left" is ticked.
    assert confirm.mark_left.isChecked()
    assert confirm.mark_left.text() == "张伟 has left the company: mark them as left"
    due = TODAY + timedelta(days=3)
    summary = confirm.summary.text()
    assert summary.startswith("4 customers of 张伟 change account manager: 2 to 李娜, 2 to 王强.")
    assert "2 open follow-ups move with them." in summary
    assert f"“{INTRODUCE}” for each customer, due on " in summary
    assert "张伟 stops serving 1 customers as additional staff." in summary
    commit = wizard.button(QWizard.WizardButton.CommitButton)
    assert commit.text() == "Hand over" and commit.isEnabled()

    with qtbot.waitSignal(wizard.done, timeout=10000) as finished:
        commit.click()
    result = finished.args[0]
    assert isinstance(result, HandoverResult)
    assert (result.moved, result.follow_ups_moved, result.follow_ups_created, result.marked_left) == (
        4,
        2,
        4,
        True,
    )
    assert wizard.currentId() == RESULT_PAGE
    assert wizard.result_page.text.text().startswith("4 customers of 张伟 have a new account manager:")

    db = office.db
    assert {code: manager_of(db, i) for code, i in office.ids.items()} == {
        "C1": office.li,
        "C2": office.wang,
        "C3": office.wang,
        "C4": office.li,
    }
    leaver = StaffService(db).get(ME, office.leaver)
    assert not leaver.active and leaver.left_on == TODAY
    assert StaffService(db).customer_staff(ME, office.served) == []  # a leaver serves nobody
    follow_ups = FollowUpService(db)
    for code, owner in (("C1", office.li), ("C3", office.wang), ("C4", office.li)):
        open_ones = follow_ups.for_customer(ME, office.ids[code])
        assert (INTRODUCE, due, owner) in [(f.purpose, f.due_on, f.owner_id) for f in open_ones]
        assert all(f.owner_id == owner for f in open_ones)  # the leaver's follow-ups moved too
    history = CustomerService(db).history(ME, office.ids["C2"])
    assert ("manager_id", "张伟", "王强") in [(h.field, h.old_value, h.new_value) for h in history]
    wizard.accept()
    assert not Settings(str(tmp_path / "settings.ini")).geometry("handover_wizard").isEmpty()


def test_by_hand_for_chosen_customers(qtbot, office, tmp_path):
    """A manager hands two chosen customers over by hand; Next waits until each has a recipient."""
    chosen = [office.ids["C2"], office.ids["C4"]]
    wizard = make_wizard(qtbot, office, tmp_path, staff_id=office.leaver, customer_ids=chosen)
    page = wizard.whose_page
    assert page.staff_combo.isHidden()
    assert page.chosen_label.text() == "2 chosen customers of 张伟"
    assert page.figures["revenue"].text() == "¥400.00"
    assert page.figures["follow_ups"].text() == "0"
    wizard.next()
    customers = wizard.customers_page
    customers.set_split_mode("hand")
    customers.set_recipients([office.wang, office.zhao])
    assert recipients_shown(wizard) == {"C2": "— nobody yet —", "C4": "— nobody yet —"}
    assert not next_button(wizard).isEnabled()
    assert customers.reason.text().startswith("2 customers have nobody to take them over yet")

    # C2 (the first row) through the "To" column's combo, C4 with "Assign selected to".
    model = customers.model
    index = model.index(0, Column.TO)
    assert model.index(0, Column.CODE).data() == "C2"
    customers.table.setCurrentIndex(index)
    customers.table.edit(index)
    editor = customers.table.findChild(QComboBox, "to_editor")
    assert editor is not None
    editor.setCurrentIndex(editor.findText("赵敏"))
    editor.activated.emit(editor.currentIndex())
    assert recipients_shown(wizard)["C2"] == "赵敏"
    assert not next_button(wizard).isEnabled()
    assert customers.reason.text().startswith("1 customers have nobody")

    # Sorted by code, C4 comes first; the selection follows its customer through a sort.
    customers.table.clearSelection()
    customers.table.sortByColumn(Column.CODE, Qt.SortOrder.DescendingOrder)
    customers.table.selectRow(0)
    customers.table.sortByColumn(Column.CODE, Qt.SortOrder.AscendingOrder)
    assert customers.selected_rows() == [1]
    customers.assign_combo.setCurrentIndex(customers.assign_combo.findText("王强"))
    customers.assign_button.click()
    assert recipients_shown(wizard) == {"C2": "赵敏", "C4": "王强"}
    assert customers.split_mode() == "hand"
    assert next_button(wizard).isEnabled()

    wizard.next()
    confirm = wizard.confirm_page
    assert confirm.mark_left.isHidden()  # moving chosen customers is no departure
    assert not confirm.marks_left()
    with qtbot.waitSignal(wizard.done, timeout=10000):
        wizard.button(QWizard.WizardButton.CommitButton).click()
    db = office.db
    assert manager_of(db, office.ids["C2"]) == office.zhao
    assert manager_of(db, office.ids["C4"]) == office.wang
    assert manager_of(db, office.ids["C1"]) == office.leaver  # not chosen: stays
    assert StaffService(db).get(ME, office.leaver).active


def test_a_hand_edit_of_a_proposal_is_kept(qtbot, office, tmp_path):
    wizard = make_wizard(qtbot, office, tmp_path, staff_id=office.leaver)
    wizard.next()
    customers = wizard.customers_page
    customers.set_recipients([office.li, office.wang])
    assert customers.split_mode() == "count"
    assert recipients_shown(wizard) == {"C1": "李娜", "C2": "王强", "C3": "李娜", "C4": "王强"}
    customers.table.selectRow(0)
    customers.assign_combo.setCurrentIndex(customers.assign_combo.findText("王强"))
    customers.assign_button.click()
    assert customers.split_mode() == "hand"
    # Unticking 李娜 by hand takes away only her rows.
    customers.set_recipients([office.wang])
    assert recipients_shown(wizard) == {"C1": "王强", "C2": "王强", "C3": "— nobody yet —", "C4": "王强"}
    assert not next_button(wizard).isEnabled()
    customers.set_split_mode("count")
    assert set(recipients_shown(wizard).values()) == {"王强"}
    assert next_button(wizard).isEnabled()


def test_a_refused_handover_stays_on_the_confirm_page(qtbot, office, tmp_path):
    wizard = make_wizard(qtbot, office, tmp_path, staff_id=office.leaver)
    wizard.next()
    wizard.customers_page.set_recipients([office.li])
    wizard.next()
    StaffService(office.db).leave(ME, office.li)  # meanwhile, elsewhere
    wizard.button(QWizard.WizardButton.CommitButton).click()
    qtbot.waitUntil(lambda: not wizard.busy)
    assert wizard.currentId() == CONFIRM_PAGE
    assert wizard.confirm_page.error.text() == "李娜 has left and cannot take over customers."
    assert not wizard.confirm_page.error.isHidden()
    assert manager_of(office.db, office.ids["C1"]) == office.leaver  # nothing changed
    assert StaffService(office.db).get(ME, office.leaver).active


# ---------------------------------------------------------------- the staff window


def make_window(qtbot, db, actor: Actor = ME) -> StaffWindow:
    window = StaffWindow(db, actor)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def staff_names(window: StaffWindow) -> list[str]:
    table = window.staff_table
    return [table.item(r, StaffColumn.NAME).text() for r in range(table.rowCount())]


def staff_row(window: StaffWindow, name: str) -> int:
    names = staff_names(window)
    assert name in names, names
    return names.index(name)


def test_staff_window_add_with_a_validation_error(qtbot, office):
    window = make_window(qtbot, office.db)
    changes: list[bool] = []
    window.changed.connect(lambda: changes.append(True))
    row = staff_row(window, "张伟")
    table = window.staff_table
    assert table.item(row, StaffColumn.DEPARTMENT).text() == "销售一部"
    assert table.item(row, StaffColumn.ROLE).text() == "Sales"
    assert table.item(row, StaffColumn.CUSTOMERS).text() == "4"
    assert table.item(row, StaffColumn.STATUS).text() == "Active"
    seen = {}

    def without_name(dialog: StaffDialog) -> None:
        dialog.phone_edit.setText("138 0000 0000")
        dialog.department_combo.setCurrentIndex(dialog.department_combo.findText("销售一部"))
        dialog.role_combo.setCurrentIndex(dialog.role_combo.findData("manager"))
        on_modal(StaffDialog, with_name)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()

    def with_name(dialog: StaffDialog) -> None:
        seen["error"] = dialog.field_errors.labels["name"].text()
        seen["shown"] = not dialog.field_errors.labels["name"].isHidden()
        seen["phone"] = dialog.phone_edit.text()  # nothing typed is lost
        dialog.name_edit.setText("陈静")
        dialog.accept()

    on_modal(StaffDialog, without_name)
    window.add_staff_button.click()
    assert seen == {"error": "The staff member's name is required.", "shown": True, "phone": "138 0000 0000"}
    row = staff_row(window, "陈静")
    assert window.current_staff().name == "陈静"
    assert table.item(row, StaffColumn.ROLE).text() == "Department manager"
    assert table.item(row, StaffColumn.DEPARTMENT).text() == "销售一部"
    assert changes == [True]
    saved = StaffService(office.db).find(ME, "陈静")
    assert (saved.phone, saved.department_id, saved.role) == (
        "138 0000 0000",
        office.department.id,
        "manager",
    )
    department_row = [d.name for d in window._departments].index("销售一部")
    assert window.departments_table.item(department_row, 1).text() == "3"


def test_staff_window_leave_with_the_date(qtbot, office, monkeypatch):
    window = make_window(qtbot, office.db)
    assert not window.show_left.isChecked()
    window.staff_table.selectRow(staff_row(window, "赵敏"))  # manages no customers: no handover offered
    left_on = TODAY - timedelta(days=5)

    def fill(dialog: LeaveDialog) -> None:
        dialog.date_edit.setDate(QDate(left_on))
        dialog.accept()

    on_modal(LeaveDialog, fill)
    window.leave_button.click()
    info = StaffService(office.db).get(ME, office.zhao)
    assert (info.active, info.left_on) == (False, left_on)
    assert window.show_left.isChecked()  # the person just marked stays in sight
    row = staff_row(window, "赵敏")
    assert window.staff_table.item(row, StaffColumn.STATUS).text().startswith("Left on ")
    assert window.current_staff().id == office.zhao
    assert window.rejoin_button.isEnabled() and not window.leave_button.isEnabled()
    window.show_left.setChecked(False)
    assert "赵敏" not in staff_names(window)


def test_leaving_with_customers_offers_the_handover(qtbot, office):
    window = make_window(qtbot, office.db)
    requested: list[uuid.UUID] = []
    window.handover_requested.connect(requested.append)
    window.staff_table.selectRow(staff_row(window, "张伟"))
    seen = {}

    def answer(box: QMessageBox) -> None:
        seen["text"] = box.text()
        next(b for b in box.buttons() if b.text() == "Hand over first…").click()

    on_modal(QMessageBox, answer)
    window.leave_button.click()
    assert seen["text"].startswith("张伟 still manages 4 customers.")
    assert requested == [office.leaver]
    assert StaffService(office.db).get(ME, office.leaver).active  # the handover marks them, not this


def test_departments_refusal_and_rename(qtbot, office):
    window = make_window(qtbot, office.db)
    window.select_department(office.department.id)
    assert window.current_department().name == "销售一部"
    warnings: list[str] = []

    def yes(box: QMessageBox) -> None:
        on_modal(QMessageBox, lambda warning: (warnings.append(warning.text()), warning.accept()))
        box.button(QMessageBox.StandardButton.Yes).click()

    on_modal(QMessageBox, yes)
    window.delete_department_button.click()
    assert warnings == ["销售一部 still has 2 active staff: move them to another department first."]
    seen = {}

    def rename(dialog: QInputDialog) -> None:
        dialog.setTextValue("")
        on_modal(QInputDialog, again)
        dialog.accept()

    def again(dialog: QInputDialog) -> None:
        seen["label"] = dialog.labelText()
        dialog.setTextValue("销售二部")
        dialog.accept()

    on_modal(QInputDialog, rename)
    window.rename_department_button.click()
    assert seen["label"].startswith("The department name is required.")
    assert StaffService(office.db).get(ME, office.leaver).department == "销售二部"
    assert window.current_department().name == "销售二部"
    assert "销售二部" in [
        window.departments_table.item(r, 0).text() for r in range(window.departments_table.rowCount())
    ]


def test_staff_window_is_read_only_for_sales_staff(qtbot, office):
    actor = Actor(staff_id=office.li, name="李娜", role="sales")
    window = make_window(qtbot, office.db, actor)
    assert not window.read_only_note.isHidden()
    for button in (window.add_staff_button, window.edit_staff_button, window.add_department_button):
        assert button.isHidden()
    assert window.add_staff() is None
    assert "张伟" in staff_names(window)
