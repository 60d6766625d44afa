"""GUI tests: drive the real main window, customers page and customer file window with pytest-qt."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from app.services.actor import DEFAULT_ACTOR
from app.services.customers import (
    ContactInput,
    CustomerInput,
    CustomerQuery,
    CustomerService,
    TransactionInput,
)
from app.views.customer_table_model import PAGE_SIZE, Column, CustomerTableModel
from app.views.main_window import MainWindow
from app.views.settings import Settings
from tests.gui.conftest import on_modal, shown_main_window

COMPANIES = [
    ("北京华信科技有限公司", "华信", "key", "vip", "信息技术", "北京", "北京"),
    ("上海明德贸易有限公司", "明德", "general", "normal", "批发零售", "上海", "上海"),
    ("深圳市鹏达电子股份有限公司", "鹏达", "potential", "important", "制造业", "广东", "深圳"),
    ("杭州西湖物流有限公司", "西湖物流", "general", "normal", "物流", "浙江", "杭州"),
]


@pytest.fixture
def service(sqlite_db) -> CustomerService:
    return CustomerService(sqlite_db)


@pytest.fixture
def filled(service) -> CustomerService:
    for name, short, category, tier, industry, province, city in COMPANIES:
        service.create(
            DEFAULT_ACTOR,
            CustomerInput(
                name=name,
                short_name=short,
                category=category,
                tier=tier,
                industry=industry,
                province=province,
                city=city,
            ),
        )
    return service


@pytest.fixture
def window(qtbot, filled, sqlite_db, tmp_path) -> Iterator[MainWindow]:
    yield from shown_main_window(qtbot, sqlite_db, tmp_path)


def answer_next_message_box(button: QMessageBox.StandardButton) -> list[str]:
    """Click `button` on the next modal message box; returns the texts it showed."""
    seen: list[str] = []

    def click(box: QMessageBox) -> None:
        seen.append(box.text())
        box.button(button).click()

    on_modal(QMessageBox, click)
    return seen


def visible_names(page) -> list[str]:
    model = page.model
    return [model.data(model.index(row, Column.NAME)) for row in range(model.rowCount())]


def test_model_passes_qt_model_tester(qtmodeltester, filled):
    model = CustomerTableModel(filled, DEFAULT_ACTOR)
    model.refresh()
    qtmodeltester.check(model)


def test_model_fetches_only_the_pages_it_shows(qtbot, qtmodeltester, service):
    for i in range(PAGE_SIZE * 3 + 7):
        service.create(DEFAULT_ACTOR, CustomerInput(name=f"测试公司{i:04d}"))
    model = CustomerTableModel(service, DEFAULT_ACTOR)
    counts = []
    model.count_changed.connect(lambda: counts.append((model.counting, model.rowCount())))
    model.refresh()
    assert counts == [(True, PAGE_SIZE)]  # the first page at once, the full count after
    qtbot.waitUntil(lambda: not model.counting)
    assert counts[-1] == (False, PAGE_SIZE * 3 + 7)
    assert model.cached_rows() == PAGE_SIZE
    assert model.data(model.index(PAGE_SIZE * 3 + 6, Column.NAME)) == f"测试公司{PAGE_SIZE * 3 + 6:04d}"
    assert model.cached_rows() == PAGE_SIZE + 7  # the first and the last page, nothing between
    qtmodeltester.check(model)


def test_status_bar_counts_customers(window):
    assert window.customers_page.model.rowCount() == 4
    assert "4" in window.status_text.text()


def test_search_as_you_type_is_debounced(qtbot, window):
    page = window.customers_page
    qtbot.keyClicks(page.search, "bjhx")
    assert page.model.rowCount() == 4  # not yet: the search waits for a pause in typing
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=2000)
    assert visible_names(page) == ["北京华信科技有限公司"]
    assert window.status_text.text() == "Matching customers: 1"
    page.search.clear()
    page.search.insert("物流")  # typed through an input method: QTest can only type ASCII keys
    qtbot.waitUntil(lambda: visible_names(page) == ["杭州西湖物流有限公司"], timeout=2000)


def test_filters_and_sorting(qtbot, window):
    page = window.customers_page
    combo = page.filters["category"]
    combo.setCurrentIndex(combo.findData("general"))
    assert sorted(visible_names(page)) == ["上海明德贸易有限公司", "杭州西湖物流有限公司"]
    region = page.filters["region"]
    region.setCurrentIndex(region.findData("浙江"))
    assert visible_names(page) == ["杭州西湖物流有限公司"]
    page.clear_filters()
    assert page.model.rowCount() == 4
    page.table.sortByColumn(Column.NAME, Qt.SortOrder.DescendingOrder)
    names = visible_names(page)
    assert names == sorted((c[0] for c in COMPANIES), reverse=True)


def test_filter_is_remembered(qtbot, filled, sqlite_db, tmp_path):
    settings_path = str(tmp_path / "remember.ini")
    first = MainWindow(sqlite_db, DEFAULT_ACTOR, Settings(settings_path))
    qtbot.addWidget(first)
    industry = first.customers_page.filters["industry"]
    industry.setCurrentIndex(industry.findData("物流"))
    first.close()
    second = MainWindow(sqlite_db, DEFAULT_ACTOR, Settings(settings_path))
    qtbot.addWidget(second)
    assert second.customers_page.filters["industry"].currentData() == "物流"
    assert visible_names(second.customers_page) == ["杭州西湖物流有限公司"]


def test_create_customer_from_the_keyboard(qtbot, window, service):
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(window.customer_windows) == 1)
    editor = window.customer_windows[0]
    editor.fields.widgets["name"].insert("广州南方建材有限公司")
    qtbot.keyClicks(editor.fields.widgets["phone"], "+86 20 8888 6666")
    assert editor.dirty
    editor.save_action.trigger()
    assert not editor.dirty
    saved = service.get(DEFAULT_ACTOR, editor.customer_id)
    assert saved.data.name == "广州南方建材有限公司"
    assert saved.data.phone == "020-88886666"
    assert saved.data.code == "C000005"
    qtbot.waitUntil(lambda: window.customers_page.model.rowCount() == 5)


def test_invalid_input_is_shown_at_the_field_and_saves_nothing(qtbot, window, service):
    window.new_action.trigger()
    editor = window.customer_windows[0]
    qtbot.keyClicks(editor.fields.widgets["email"], "not-an-address")
    qtbot.keyClicks(editor.fields.widgets["uscc"], "914403001922038217")
    editor.save_action.trigger()
    assert editor.fields.errors["name"].isVisibleTo(editor)
    assert "required" in editor.fields.errors["name"].text()
    assert "e-mail" in editor.fields.errors["email"].text().lower()
    assert "6" in editor.fields.errors["uscc"].text()  # the check character it should have been
    assert editor.customer_id is None
    assert service.count(DEFAULT_ACTOR, CustomerQuery()) == 4
    assert editor.fields.widgets["email"].text() == "not-an-address"  # nothing the user typed is lost


def test_edit_writes_history(qtbot, window, service):
    page = window.customers_page
    page.table.selectRow(0)
    page.open_selected()
    editor = window.customer_windows[0]
    city = editor.fields.widgets["city"]
    city.clear()
    city.insert("天津")
    editor.save_action.trigger()
    history = editor.history_table
    fields = [history.item(r, 3).text() for r in range(history.rowCount())]
    assert "City" in fields
    row = fields.index("City")
    assert history.item(row, 4).text() == "北京"
    assert history.item(row, 5).text() == "天津"
    assert history.item(row, 1).text() == "Administrator"


def test_second_editor_is_refused_and_offered_a_reload(qtbot, window, service):
    customer_id = window.customers_page.model.customer_id(0)
    first = window.open_customer(customer_id)
    detail = service.get(DEFAULT_ACTOR, customer_id)
    # Someone else saves the same customer in between.
    service.update(
        DEFAULT_ACTOR,
        customer_id,
        CustomerInput(**{**detail.data.__dict__, "city": "石家庄"}),
        detail.version,
    )
    first.fields.widgets["address"].setText("长安街1号")
    seen = []

    def reload_when_asked(box: QMessageBox) -> None:
        seen.append(box.text())
        box.buttons()[0].click()  # "Reload (discard my edits)"

    on_modal(QMessageBox, reload_when_asked)
    assert first.save() is False
    assert "Administrator" in seen[0]
    assert service.get(DEFAULT_ACTOR, customer_id).data.address == ""
    assert first.fields.widgets["city"].text() == "石家庄"  # reloaded


def test_delete_then_undo_with_keyboard(qtbot, window, service):
    page = window.customers_page
    page.table.setFocus()
    page.table.selectRow(0)
    doomed = page.selected_ids()[0]
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: page.model.rowCount() == 3)
    assert service.get(DEFAULT_ACTOR, doomed).deleted_at is not None
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.model.rowCount() == 4)
    assert service.get(DEFAULT_ACTOR, doomed).deleted_at is None


def test_deleted_customers_view_restores(qtbot, window, service):
    page = window.customers_page
    page.table.selectRow(1)
    doomed = page.selected_ids()[0]
    page.delete_selected()
    window.deleted_action.setChecked(True)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.restore_button.isVisible()
    page.table.selectRow(0)
    page.restore_selected()
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)
    window.deleted_action.setChecked(False)
    assert page.model.rowCount() == 4
    assert service.get(DEFAULT_ACTOR, doomed).deleted_at is None


def test_contacts_and_transactions_tabs(qtbot, window, service):
    customer_id = window.customers_page.model.customer_id(0)
    editor = window.open_customer(customer_id)

    def fill_contact(dialog: QDialog) -> None:
        dialog.fields.widgets["name"].setText("张伟")
        dialog.fields.widgets["mobile"].setText("138 1234 5678")
        dialog.fields.widgets["is_decision_maker"].setChecked(True)
        dialog.accept()

    on_modal(QDialog, fill_contact)
    editor.add_contact()
    assert editor.contacts_table.rowCount() == 1
    assert editor.contacts_table.item(0, 2).text() == "13812345678"
    assert service.contacts(DEFAULT_ACTOR, customer_id)[0].data.is_decision_maker

    def fill_transaction(dialog: QDialog) -> None:
        dialog.fields.widgets["occurred_on"].set_value(date(2025, 3, 5))
        dialog.fields.widgets["amount"].setText("¥12,345.60")
        dialog.accept()

    on_modal(QDialog, fill_transaction)
    editor.add_transaction()
    assert service.transactions(DEFAULT_ACTOR, customer_id)[0].data.amount == Decimal("12345.60")
    assert editor.transactions_table.item(0, 1).text() == "¥12,345.60"
    # the contact's name now finds the customer
    assert service.count(DEFAULT_ACTOR, CustomerQuery(text="张伟")) == 1


def test_contact_dialog_keeps_input_when_invalid(qtbot, window):
    from app.dialogs.contact_dialog import contact_dialog

    dialog = contact_dialog(window, ContactInput(name="李娜"))
    qtbot.addWidget(dialog)
    dialog.fields.widgets["mobile"].setText("12")
    dialog.accept()
    assert dialog.result() == 0  # still open
    assert dialog.fields.errors["mobile"].text()
    assert dialog.fields.widgets["mobile"].text() == "12"


def test_transaction_money_is_exact(service):
    created = service.create(DEFAULT_ACTOR, CustomerInput(name="精确公司"))
    for amount in ("0.10", "0.20"):
        service.save_transaction(
            DEFAULT_ACTOR, created.id, TransactionInput(occurred_on=date(2025, 1, 1), amount=amount)
        )
    total = sum(t.data.amount for t in service.transactions(DEFAULT_ACTOR, created.id))
    assert total == Decimal("0.30")


def test_enter_opens_and_ctrl_f_finds(qtbot, window):
    page = window.customers_page
    window.activateWindow()
    page.table.setFocus()
    page.table.selectRow(0)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(window.customer_windows) == 1)
    assert window.customer_windows[0].customer_id == page.model.customer_id(0)
    window.customer_windows[0].close()
    window.activateWindow()
    qtbot.keyClick(page.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(page.search.hasFocus)


def test_f5_sees_what_another_program_wrote(qtbot, window, sqlite_db):
    from sqlalchemy import text

    page = window.customers_page
    # Another ClientDesk on the same database renames a customer; this window has no event of it.
    with sqlite_db.engine.begin() as conn:
        conn.execute(text("UPDATE customer SET name = '北京华信集团' WHERE code = 'C000001'"))
    qtbot.keyClick(page.table, Qt.Key.Key_F5)
    assert visible_names(page)[0] == "北京华信集团"


def test_saving_keeps_what_the_window_does_not_show(qtbot, window, service, sqlite_db):
    from app.services.demo import generate_demo

    generate_demo(sqlite_db, DEFAULT_ACTOR, 3, seed=2, today=date(2025, 6, 30))
    detail = next(
        service.get(DEFAULT_ACTOR, r.id)
        for r in service.list(DEFAULT_ACTOR, CustomerQuery(), limit=None)
        if service.get(DEFAULT_ACTOR, r.id).data.department_id
    )
    editor = window.open_customer(detail.id)
    editor.fields.widgets["address"].setText("人民路1号")
    assert editor.save()
    saved = service.get(DEFAULT_ACTOR, detail.id)
    assert saved.data.department_id == detail.data.department_id
    assert saved.data.manager_id == detail.data.manager_id
    changed = {h.field for h in service.history(DEFAULT_ACTOR, detail.id) if h.action == "update"}
    assert changed == {"address"}


def test_undo_hint_stays_in_the_status_bar(qtbot, window):
    page = window.customers_page
    page.table.selectRow(0)
    page.delete_selected()
    qtbot.waitUntil(lambda: page.model.rowCount() == 3)
    assert "Ctrl+Z" in window.statusBar().currentMessage()


def test_delete_key_empties_a_date(qtbot):
    from app.dialogs.form import OptionalDateEdit

    edit = OptionalDateEdit()
    qtbot.addWidget(edit)
    edit.set_value(date(1990, 5, 17))
    assert edit.value() == date(1990, 5, 17)
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    assert edit.value() is None


def test_remove_a_transaction_after_confirming(qtbot, window, service):
    customer_id = window.customers_page.model.customer_id(0)
    service.save_transaction(
        DEFAULT_ACTOR, customer_id, TransactionInput(occurred_on=date(2025, 1, 2), amount="10")
    )
    editor = window.open_customer(customer_id)
    editor.tabs.setCurrentWidget(editor.transactions_tab)
    editor.transactions_table.selectRow(0)
    asked = answer_next_message_box(QMessageBox.StandardButton.Yes)
    editor.remove_transaction()
    assert "¥10.00" in asked[0]
    assert service.transactions(DEFAULT_ACTOR, customer_id) == []
    assert editor.transactions_table.rowCount() == 0


def test_an_empty_date_opens_its_calendar_on_this_month(qtbot):
    from PySide6.QtCore import QDate

    from app.dialogs.form import OptionalDateEdit

    edit = OptionalDateEdit()
    qtbot.addWidget(edit)
    edit.show()
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    calendar = edit.calendarWidget()
    today = QDate.currentDate()
    assert (calendar.yearShown(), calendar.monthShown()) == (today.year(), today.month())
    assert edit.value() is None  # looking is not choosing
