"""GUI tests of the complaint policy and categories dialog: a policy saved and read back, new tickets due by
it (dates worked out by hand), a bad value refused at its field with the typing kept, the preview, and the
category list edited."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit

from app.services.actor import DEFAULT_ACTOR, Actor
from app.services.complaints import ComplaintPolicy, ComplaintService, TicketInput
from app.services.customers import CustomerInput, CustomerService
from app.services.deadlines import DeadlinePolicy, WorkCalendar
from app.views.complaint_policy_dialog import ComplaintPolicyDialog

ME = DEFAULT_ACTOR
SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Friday in a March without public holidays or swapped weekends in China.
FRIDAY_10AM = datetime(2025, 3, 14, 10, 0, tzinfo=SHANGHAI)
SATURDAY, MONDAY = date(2025, 3, 15), date(2025, 3, 17)


@pytest.fixture
def dialog(qtbot, sqlite_db, local_zone):
    local_zone("Asia/Shanghai")
    dialog = ComplaintPolicyDialog(sqlite_db, ME)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def save(dialog: ComplaintPolicyDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()


def add_day(days, day: date) -> None:
    days.date_edit.setDate(QDate(day))
    days.add_button.click()


def type_policy(dialog: ComplaintPolicyDialog) -> None:
    """Working days; critical complaints 1 day, VIP customers' 2; the general manager 4 days after the
    deadline, with a proposal to reassign; closed on Monday 17 March, open on Saturday 15 March."""
    dialog.working_radio.setChecked(True)
    dialog.severity_edits["critical"].setText("1")
    dialog.tier_edits["vip"].setText("2")
    dialog.second_spin.setValue(4)
    dialog.reassign_check.setChecked(True)
    add_day(dialog.closed_days, MONDAY)
    add_day(dialog.open_days, SATURDAY)


def error_text(dialog: ComplaintPolicyDialog, field: str) -> str | None:
    label = dialog.field_errors.labels[field]
    return label.text() if label.isVisible() else None


def test_a_saved_policy_is_read_back_and_new_tickets_are_due_by_it(dialog, sqlite_db):
    type_policy(dialog)
    save(dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    service = ComplaintService(sqlite_db)
    assert service.policy(ME) == ComplaintPolicy(
        deadlines=DeadlinePolicy(
            days=3,
            by_severity=(("critical", 1),),
            by_tier=(("vip", 2),),
            working_days=True,
            second_level_days=4,
        ),
        calendar=WorkCalendar(days_off=frozenset({MONDAY}), workdays=frozenset({SATURDAY})),
        propose_reassign=True,
    )
    customers = CustomerService(sqlite_db)
    plain = customers.create(ME, CustomerInput(name="客户甲")).id
    vip = customers.create(ME, CustomerInput(name="客户乙", tier="vip")).id
    category = service.categories(ME)[0].id

    def due(customer, severity: str) -> datetime:
        data = TicketInput(
            customer_id=customer,
            received_at=FRIDAY_10AM,
            category_id=category,
            severity=severity,
            description="x",
        )
        return service.open(ME, data).due_at

    # From Friday 10:00: Saturday 15 is open (1), Sunday 16 off, Monday 17 closed, Tuesday 18 (2),
    # Wednesday 19 (3); critical: 1 day; VIP: 2 days.
    assert due(plain, "normal") == datetime(2025, 3, 19, 10, 0, tzinfo=SHANGHAI)
    assert due(plain, "critical") == datetime(2025, 3, 15, 10, 0, tzinfo=SHANGHAI)
    assert due(vip, "normal") == datetime(2025, 3, 18, 10, 0, tzinfo=SHANGHAI)


def test_the_preview_follows_the_policy_as_typed(dialog):
    type_policy(dialog)
    assert dialog.preview_at(FRIDAY_10AM).splitlines() == [
        "A normal complaint received now is due Mar 19, 2025, 10:00:00\u202fAM.",
        "A critical complaint received now is due Mar 15, 2025, 10:00:00\u202fAM.",
    ]
    assert dialog.preview.text()  # the line under the tabs, for the present moment
    dialog.severity_edits["critical"].setText("x")
    assert "whole numbers" in dialog.preview.text()


def test_a_bad_value_is_refused_at_its_field_and_what_was_typed_stays(dialog, sqlite_db):
    type_policy(dialog)
    dialog.tabs.setCurrentIndex(2)
    dialog.severity_edits["critical"].setText("两天")
    save(dialog)
    assert dialog.isVisible()
    assert error_text(dialog, "by_severity") == "Critical: type a whole number of days, or leave it empty."
    assert dialog.tabs.currentIndex() == 0  # the tab with the field in error
    assert dialog.severity_edits["critical"].text() == "两天"
    assert ComplaintService(sqlite_db).policy(ME) == ComplaintPolicy()  # nothing saved

    dialog.severity_edits["critical"].setText("400")
    save(dialog)
    assert dialog.isVisible()
    assert error_text(dialog, "by_severity") == "The deadline must be between 0 and 365 days."
    assert dialog.severity_edits["critical"].text() == "400"
    assert dialog.tier_edits["vip"].text() == "2" and dialog.closed_days.days() == {MONDAY}
    assert ComplaintService(sqlite_db).policy(ME) == ComplaintPolicy()

    dialog.severity_edits["critical"].setText("1")
    save(dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert ComplaintService(sqlite_db).policy(ME).deadlines.by_severity == (("critical", 1),)


def row_of(dialog: ComplaintPolicyDialog, name: str) -> int:
    table = dialog.category_table
    return next(r for r in range(table.rowCount()) if table.item(r, 0).text() == name)


def type_in_editor(qtbot, dialog: ComplaintPolicyDialog, text: str) -> None:
    table = dialog.category_table
    editor = table.indexWidget(table.currentIndex())  # the open editor
    assert isinstance(editor, QLineEdit)
    row = table.currentRow()
    editor.setText(text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: table.item(row, 0).text() == text)  # Qt commits an edit after the key


def test_categories_are_added_renamed_moved_and_removed_and_tickets_keep_theirs(qtbot, sqlite_db):
    service = ComplaintService(sqlite_db)
    delivery = next(c for c in service.categories(ME) if c.key == "delivery")
    customer = CustomerService(sqlite_db).create(ME, CustomerInput(name="客户甲")).id
    ticket = service.open(
        ME, TicketInput(customer_id=customer, category_id=delivery.id, description="送货晚了三天")
    ).id
    dialog = ComplaintPolicyDialog(sqlite_db, ME)  # after the ticket: it shows the count
    qtbot.addWidget(dialog)
    dialog.show()
    table = dialog.category_table
    assert table.item(row_of(dialog, "Delivery"), 1).text() == "1"

    table.setCurrentCell(row_of(dialog, "Delivery"), 0)
    dialog.remove_category()
    assert dialog.category_note.text() == "“Delivery” leaves the list; the tickets filed under it keep it: 1."
    table.setCurrentCell(row_of(dialog, "Billing"), 0)
    dialog.rename_category()
    type_in_editor(qtbot, dialog, "开票问题")
    dialog.add_category()
    type_in_editor(qtbot, dialog, "包装破损")
    dialog.move_category(-1)  # above "Other"

    dialog.add_category()  # left without a name: refused, on the categories' tab
    type_in_editor(qtbot, dialog, "  ")
    dialog.tabs.setCurrentIndex(0)
    save(dialog)
    assert dialog.isVisible()
    assert error_text(dialog, "categories") == "A category needs a name."
    assert dialog.tabs.currentIndex() == 2
    table.setCurrentCell(table.rowCount() - 1, 0)
    dialog.remove_category()
    save(dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted

    assert [(c.name, c.in_use) for c in service.categories(ME, counted=True)] == [
        ("Product quality", 0),
        ("开票问题", 0),
        ("Service not in place", 0),
        ("Staff attitude", 0),
        ("Staff acting for themselves", 0),
        ("Dispute between departments", 0),
        ("包装破损", 0),
        ("Other", 0),
    ]
    kept = service.get(ME, ticket)
    assert kept.data.category_id == delivery.id
    assert service.list(ME).rows[0].category == "Delivery"


def test_only_a_manager_may_save(qtbot, sqlite_db):
    dialog = ComplaintPolicyDialog(sqlite_db, Actor(staff_id=ME.staff_id, name="王芳", role="sales"))
    qtbot.addWidget(dialog)
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Save).isEnabled()


def test_a_name_still_being_typed_is_saved(qtbot, sqlite_db):
    dialog = ComplaintPolicyDialog(sqlite_db, ME)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.tabs.setCurrentIndex(2)
    dialog.add_category()
    table = dialog.category_table
    table.indexWidget(table.currentIndex()).setText("包装破损")  # no Enter: Save is clicked at once
    save(dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert ComplaintService(sqlite_db).categories(ME)[-1].name == "包装破损"


def test_the_tiers_the_customers_carry_can_have_their_own_days(qtbot, sqlite_db, local_zone):
    """An office on the RFM tiers gives its top tier a shorter deadline too, not only the default four."""
    local_zone("Asia/Shanghai")
    CustomerService(sqlite_db).create(ME, CustomerInput(name="华信科技", tier="champions"))
    dialog = ComplaintPolicyDialog(sqlite_db, ME)
    qtbot.addWidget(dialog)
    assert list(dialog.tier_edits) == ["vip", "important", "normal", "potential", "champions"]
    dialog.tier_edits["champions"].setText("1")
    save(dialog)
    policy = ComplaintService(sqlite_db).policy(ME)
    assert policy.deadlines.by_tier == (("champions", 1),)
