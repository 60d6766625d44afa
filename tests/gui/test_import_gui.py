"""GUI tests of import and export: the wizard, the import history, exports as shown, data-quality flags."""

from __future__ import annotations

import csv
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWizard

from app.dialogs.import_problems import COLORS, ProblemsDialog
from app.services.actor import DEFAULT_ACTOR
from app.services.customers import CustomerInput, CustomerQuery, CustomerService, TransactionInput
from app.services.exports import CUSTOMER_COLUMNS
from app.services.imports import ImportOptions, ImportService
from app.views import file_choice
from app.views.customer_table_model import EXPORT_KEYS, Column
from app.views.import_wizard import ERROR_ROW, FILE_PAGE, MAPPING_PAGE, PREVIEW_PAGE, RUN_PAGE
from app.views.main_window import MainWindow
from tests.gui.conftest import shown_main_window

EXISTING = [
    ("深圳市鹏达电子股份有限公司", "potential", "important", "深圳"),
    ("南京长江机械有限公司", "general", "normal", "南京"),
    ("成都天府软件有限公司", "general", "vip", "成都"),
    ("武汉光谷生物科技有限公司", "key", "normal", "武汉"),
]
HEADERS = ["客户名称", "联系人", "手机", "邮箱", "城市", "等级", "跟进情况"]
# Excel rows 3 to 8, under a title row (1) and the header row (2).
ROWS = [
    ["北京华信科技有限公司", "张伟", "13812345678", "zw@huaxin.cn", "北京", "VIP", "已签约"],
    ["上海明德贸易有限公司", "李娜", "139 0000 1111", "not-an-email", "上海", "普通", "报价中"],
    ["", "王强", "13700002222", "wq@example.cn", "广州", "普通", ""],  # no name: an error
    ["深圳市鹏达电子股份有限公司", "赵敏", "13600003333", "", "深圳", "重要", ""],  # already in ClientDesk
    ["杭州西湖物流有限公司", "刘洋", "13500004444", "ly@xihu.cn", "杭州", "普通", ""],
    ["北京华信科技有限公司", "陈静", "13400005555", "", "北京", "", ""],  # row 3's customer again
]
NEW_NAMES = {"北京华信科技有限公司", "上海明德贸易有限公司", "杭州西湖物流有限公司"}


@pytest.fixture
def service(sqlite_db) -> CustomerService:
    service = CustomerService(sqlite_db)
    for name, category, tier, city in EXISTING:
        service.create(DEFAULT_ACTOR, CustomerInput(name=name, category=category, tier=tier, city=city))
    return service


@pytest.fixture
def window(qtbot, service, sqlite_db, tmp_path) -> Iterator[MainWindow]:
    yield from shown_main_window(qtbot, sqlite_db, tmp_path)


@pytest.fixture
def sheet(tmp_path) -> Path:
    """A customer list as an office keeps it: a title row over the header, one bad e-mail, one row
    without a name, one customer already in ClientDesk and one customer on two rows."""
    path = tmp_path / "客户名单.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("客户")
    ws.merge_range(0, 0, 0, len(HEADERS) - 1, "2025年客户名单", book.add_format({"bold": True}))
    ws.write_row(1, 0, HEADERS)
    for index, row in enumerate(ROWS, start=2):
        ws.write_row(index, 0, row)
    book.close()
    return path


def answer_message_boxes(*buttons: QMessageBox.StandardButton) -> list[str]:
    """Click `buttons` on the next message boxes, one each, in turn; returns the texts they showed."""
    seen: list[str] = []
    waiting = list(buttons)

    def click() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.isVisible():
            seen.append(box.text())
            box.button(waiting.pop(0)).click()
        if waiting:
            QTimer.singleShot(20, click)

    QTimer.singleShot(0, click)
    return seen


def names(service: CustomerService) -> set[str]:
    return {row.name for row in service.list(DEFAULT_ACTOR, CustomerQuery(), limit=None)}


def idle(wizard) -> bool:
    return not wizard.busy


def go_to_preview(qtbot, window, path: Path):
    wizard = window.show_import_wizard()
    qtbot.waitExposed(wizard)
    assert wizard.currentId() == FILE_PAGE
    assert wizard.file_page.kind_combo.currentData() == "customers"
    wizard.file_page.path_edit.setText(str(path))
    wizard.button(QWizard.WizardButton.NextButton).click()
    qtbot.waitUntil(lambda: wizard.currentId() == MAPPING_PAGE and idle(wizard))
    wizard.button(QWizard.WizardButton.NextButton).click()
    qtbot.waitUntil(lambda: wizard.currentId() == PREVIEW_PAGE and wizard.plan is not None and idle(wizard))
    return wizard


def test_wizard_end_to_end(qtbot, window, service, sheet):
    wizard = window.show_import_wizard()
    qtbot.waitExposed(wizard)
    wizard.file_page.path_edit.setText(str(sheet))
    wizard.button(QWizard.WizardButton.NextButton).click()
    qtbot.waitUntil(lambda: wizard.currentId() == MAPPING_PAGE and idle(wizard))

    # The header row is found under the title row, and each column's field by its header.
    page = wizard.mapping_page
    assert page.header_spin.value() == 2
    assert page.sheet_combo.currentText() == "客户"
    assert [combo.currentData() for combo in page.combos] == [
        "name",
        "contact_name",
        "contact_mobile",
        "email",
        "city",
        "tier",
        "",
    ]
    assert page.table.item(0, 0).text() == "A 客户名称"
    assert "北京华信科技有限公司" in page.table.item(0, 1).text()
    assert page.combos[0].currentText() == "Company name *"  # required
    # 跟进情况 (follow-up) is not a column ClientDesk knows: the user sends it to the notes.
    notes = page.combos[6]
    notes.setCurrentIndex(notes.findData("notes"))
    assert "7 of 7 columns" in page.hint.text()
    wizard.button(QWizard.WizardButton.NextButton).click()
    qtbot.waitUntil(lambda: wizard.currentId() == PREVIEW_PAGE and wizard.plan is not None and idle(wizard))

    # Six rows read: three new customers, one already in ClientDesk, one merged with row 3, one error.
    preview = wizard.preview_page
    counts = {name: label.text() for name, label in preview.count_labels.items()}
    assert counts == {
        "rows_read": "6",
        "new": "3",
        "duplicates": "1",
        "merged": "1",
        "errors": "1",
        "warnings": "1",
    }
    # All-or-nothing (the default) with an error: nothing can be imported, and the page says what to do.
    assert preview.mode_all.isChecked()
    assert wizard.plan.blocked
    assert not wizard.button(QWizard.WizardButton.CommitButton).isEnabled()
    assert preview.message.isVisible()
    assert "Valid rows only" in preview.message.text()
    assert preview.report_button.isEnabled()
    # The first rows as in the file: the bad e-mail yellow, the row without a name red, reasons as tips.
    table = preview.table
    assert table.verticalHeaderItem(1).text() == "4"
    email = table.item(1, 3)
    assert email.text() == "not-an-email"
    assert email.background().color() == COLORS["warning"]
    assert "e-mail" in email.toolTip().lower()
    assert table.item(1, 0).background().color() != COLORS["warning"]
    nameless = table.item(2, 1)
    assert table.verticalHeaderItem(2).text() == "5"
    assert nameless.background().color() in (COLORS["error"], ERROR_ROW)
    assert "required" in nameless.toolTip()
    assert "→ Notes" in table.horizontalHeaderItem(6).text()
    assert preview.problems.rowCount() == 3

    preview.mode_valid.click()
    assert not wizard.plan.blocked
    assert "left out" in preview.message.text()
    commit = wizard.button(QWizard.WizardButton.CommitButton)
    assert commit.isEnabled()
    assert commit.text() == "Import"
    commit.click()
    run = wizard.run_page
    qtbot.waitUntil(lambda: wizard.currentId() == RUN_PAGE and run.finished and idle(wizard))

    summary = {name: label.text() for name, label in run.count_labels.items()}
    assert summary == {"created": "3", "updated": "0", "skipped": "1", "merged": "1"}
    assert "was imported" in run.headline.text()
    assert run.undo_button.isVisible()
    assert run.problems.rowCount() == 3
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    assert names(service) == {n for n, *_ in EXISTING} | NEW_NAMES
    huaxin = next(r for r in service.list(DEFAULT_ACTOR, CustomerQuery(text="华信"), limit=None))
    detail = service.get(DEFAULT_ACTOR, huaxin.id)
    assert detail.data.notes == "已签约"  # the column the user mapped by hand
    assert detail.data.tier == "vip"
    assert sorted(c.data.name for c in service.contacts(DEFAULT_ACTOR, huaxin.id)) == ["张伟", "陈静"]
    mingde = next(r for r in service.list(DEFAULT_ACTOR, CustomerQuery(text="明德"), limit=None))
    assert service.get(DEFAULT_ACTOR, mingde.id).data.email == ""  # left out, kept as a flag
    qtbot.waitUntil(lambda: window.customers_page.model.rowCount() == 7)
    assert "was imported" in window.statusBar().currentMessage()

    # The mapping the user chose is offered for the next file with these headers.
    layout = ImportService(window.db).inspect(DEFAULT_ACTOR, sheet, ImportOptions())
    assert layout.remembered
    assert layout.mapping[6] == "notes"
    wizard.button(QWizard.WizardButton.FinishButton).click()
    qtbot.waitUntil(lambda: not wizard.isVisible())


def test_wizard_pages_keep_pythons_references(qtbot, window, sheet):
    """PySide6 6.12's Signal.emit() drops a reference to True on every call from Python, and CPython 3.11
    aborts once they run out: the pages tell the wizard they are ready without emitting from Python."""
    wizard = window.show_import_wizard()
    wizard.file_page.path_edit.setText(str(sheet))
    wizard.button(QWizard.WizardButton.NextButton).click()
    qtbot.waitUntil(lambda: wizard.currentId() == MAPPING_PAGE and idle(wizard))
    combo = wizard.mapping_page.combos[0]
    before = sys.getrefcount(True)
    for _ in range(200):  # the page is not ready without a company name, then ready again
        combo.setCurrentIndex(0)
        combo.setCurrentIndex(combo.findData("name"))
    assert sys.getrefcount(True) > before - 50
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    wizard.reject()


def test_cancel_leaves_the_database_unchanged_and_undo_from_the_summary(qtbot, window, service, sheet):
    wizard = go_to_preview(qtbot, window, sheet)
    wizard.preview_page.mode_valid.click()
    before = names(service)
    real_run = wizard.service.run
    released = threading.Event()

    def slow_run(actor, plan, progress, cancelled):
        # Holds the import until the user has pressed Cancel, then lets the real one notice it.
        progress(0, 100)  # as the real import reports at once
        deadline = time.monotonic() + 10
        while not cancelled() and time.monotonic() < deadline:
            time.sleep(0.01)
        released.set()
        return real_run(actor, plan, progress, cancelled)

    wizard.service.run = slow_run
    wizard.button(QWizard.WizardButton.CommitButton).click()
    qtbot.waitUntil(lambda: wizard.task is not None and wizard.task.dialog.isVisible(), timeout=5000)
    cancel = wizard.task.dialog.findChild(QPushButton)
    cancel.click()
    run = wizard.run_page
    qtbot.waitUntil(lambda: run.finished and idle(wizard), timeout=5000)
    assert released.is_set()
    assert "cancelled" in run.headline.text()
    assert "Nothing was changed" in run.headline.text()
    assert names(service) == before
    assert ImportService(window.db).batches(DEFAULT_ACTOR) == []
    assert run.retry_button.isVisible()

    wizard.service.run = real_run
    run.retry_button.click()
    qtbot.waitUntil(lambda: run.finished and idle(wizard) and wizard.summary is not None)
    assert names(service) == before | NEW_NAMES

    seen = answer_message_boxes(QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.Ok)
    run.undo_button.click()
    qtbot.waitUntil(lambda: len(seen) == 2 and idle(wizard), timeout=5000)
    assert "Undo this import?" in seen[0]
    assert "7 records removed" in seen[1]  # three customers and their four contact persons
    assert names(service) == before
    assert not run.undo_button.isEnabled()


def import_directly(window, sheet: Path):
    """The import the wizard would make (valid rows only), without the wizard; its source is remembered."""
    summary = ImportService(window.db).import_file(DEFAULT_ACTOR, sheet, ImportOptions(mode="valid-only"))
    window.settings.remember_import_source(str(summary.batch), str(sheet))
    return summary


def test_undo_from_the_import_history(qtbot, window, service, sheet):
    before = names(service)
    import_directly(window, sheet)
    assert names(service) == before | NEW_NAMES
    dialog = window.show_import_history()
    qtbot.waitExposed(dialog)
    table = dialog.table
    assert table.rowCount() == 1
    row = [table.item(0, c).text() for c in range(table.columnCount())]
    assert row[1:10] == ["Administrator", "Customers", "客户名单.xlsx — 客户", "3", "0", "1", "1", "1", "1"]
    assert row[10] == ""
    assert dialog.undo_button.isEnabled()

    seen = answer_message_boxes(QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.Ok)
    dialog.undo_button.click()
    qtbot.waitUntil(lambda: len(seen) == 2 and table.item(0, 10).text() != "", timeout=5000)
    assert "7 records removed" in seen[1]
    assert names(service) == before
    assert not dialog.undo_button.isEnabled()  # an undone import cannot be undone again
    qtbot.waitUntil(lambda: window.customers_page.model.rowCount() == len(before))
    assert "undone" in window.statusBar().currentMessage()


def test_history_problems_are_listed_and_saved_as_a_report(qtbot, window, sheet, tmp_path, monkeypatch):
    import_directly(window, sheet)
    dialog = window.show_import_history()
    problems = dialog.show_problems()
    assert isinstance(problems, ProblemsDialog)
    texts = [problems.table.item(r, 5).text() for r in range(problems.table.rowCount())]
    assert len(texts) == 3
    assert any("e-mail" in t.lower() for t in texts)
    report = tmp_path / "report.xlsx"
    monkeypatch.setattr(file_choice, "choose_save", lambda *args: report)
    seen = answer_message_boxes(QMessageBox.StandardButton.Ok)
    problems.save_button.click()
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=5000)
    assert str(report) in seen[0]
    book = openpyxl.load_workbook(report, read_only=True)
    first = book.worksheets[0]
    messages = {row[0].row: row[0].value for row in first.iter_rows(min_col=1, max_col=1) if row[0].value}
    assert "e-mail" in messages[4].lower()  # beside the row it is about, as Excel numbers it
    assert "required" in messages[5]
    book.close()
    problems.close()


def test_an_unreadable_file_is_explained_on_the_first_page(qtbot, window, tmp_path):
    fake = tmp_path / "客户.xlsx"
    fake.write_text("客户名称,电话\n华信,123\n", encoding="utf-8")  # a text file with an Excel name
    wizard = window.show_import_wizard()
    wizard.file_page.path_edit.setText(str(fake))
    wizard.button(QWizard.WizardButton.NextButton).click()
    qtbot.waitUntil(lambda: idle(wizard) and wizard.file_page.error.text() != "")
    assert wizard.currentId() == FILE_PAGE
    assert "客户.xlsx" in wizard.file_page.error.text()
    wizard.reject()


def test_a_sheet_without_a_known_header_lets_the_user_point_at_it(qtbot, window, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text(
        "名目,号码\n北京华信科技有限公司,010-12345678\n上海明德贸易有限公司,021-87654321\n", "utf-8"
    )
    wizard = window.show_import_wizard()
    wizard.file_page.path_edit.setText(str(path))
    wizard.button(QWizard.WizardButton.NextButton).click()
    qtbot.waitUntil(lambda: wizard.currentId() == MAPPING_PAGE and idle(wizard))
    page = wizard.mapping_page
    assert page.first_rows.isVisible() and not page.table.isVisible()
    assert page.first_rows.item(1, 0).text() == "北京华信科技有限公司"
    assert page.header_spin.text() == "find"
    assert "Click the row" in page.header_note.text()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    page.first_rows.cellClicked.emit(0, 0)  # the user clicks row 1
    qtbot.waitUntil(lambda: idle(wizard) and page.table.isVisible())
    assert page.header_spin.value() == 1
    assert [page.table.item(r, 0).text() for r in range(2)] == ["A 名目", "B 号码"]
    assert "Company name" in page.hint.text()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    page.combos[0].setCurrentIndex(page.combos[0].findData("name"))
    page.combos[1].setCurrentIndex(page.combos[1].findData("phone"))
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    wizard.button(QWizard.WizardButton.NextButton).click()
    qtbot.waitUntil(lambda: wizard.plan is not None and idle(wizard))
    assert wizard.preview_page.count_labels["new"].text() == "2"
    wizard.reject()


def test_transactions_are_imported_to_their_customers(qtbot, window, service, tmp_path):
    path = tmp_path / "成交.csv"
    path.write_text(
        "客户名称,成交日期,金额,产品\n"
        '南京长江机械有限公司,2025/3/5,"¥12,000.50",数控机床\n'
        "成都天府软件有限公司,2025年4月1日,3万,软件许可\n"
        "不存在的公司,2025-04-02,100,\n",
        encoding="utf-8-sig",
    )
    wizard = window.show_import_wizard()
    wizard.file_page.path_edit.setText(str(path))
    kind = wizard.file_page.kind_combo
    kind.setCurrentIndex(kind.findData("transactions"))
    wizard.button(QWizard.WizardButton.NextButton).click()
    qtbot.waitUntil(lambda: wizard.currentId() == MAPPING_PAGE and idle(wizard))
    mapping = [combo.currentData() for combo in wizard.mapping_page.combos]
    assert mapping == ["customer_name", "occurred_on", "amount", "product"]
    wizard.button(QWizard.WizardButton.NextButton).click()
    qtbot.waitUntil(lambda: wizard.plan is not None and idle(wizard))
    counts = wizard.preview_page.count_labels
    assert (counts["new"].text(), counts["errors"].text()) == ("2", "1")  # no such customer: an error
    wizard.preview_page.mode_valid.click()
    wizard.button(QWizard.WizardButton.CommitButton).click()
    qtbot.waitUntil(lambda: wizard.run_page.finished and idle(wizard))
    assert wizard.run_page.count_labels["created"].text() == "2"
    nanjing = next(r for r in service.list(DEFAULT_ACTOR, CustomerQuery(text="长江"), limit=None))
    editor = window.open_customer(nanjing.id)
    assert editor.transactions_table.item(0, 1).text() == "¥12,000.50"
    history = [editor.history_table.item(r, 2).text() for r in range(editor.history_table.rowCount())]
    assert "Transaction imported" in history
    wizard.accept()


def test_quality_flag_banner_shows_the_typed_value_until_dismissed(qtbot, window, service, sheet):
    import_directly(window, sheet)
    mingde = next(r for r in service.list(DEFAULT_ACTOR, CustomerQuery(text="明德"), limit=None))
    editor = window.open_customer(mingde.id)
    qtbot.waitExposed(editor)
    assert editor.quality_banner.isVisible()
    text = editor.quality_text.text()
    assert "not-an-email" in text
    assert "E-mail" in text
    assert "客户名单.xlsx, row 4" in text
    history = [editor.history_table.item(r, 2).text() for r in range(editor.history_table.rowCount())]
    assert "Customer imported" in history
    qtbot.mouseClick(editor.dismiss_button, Qt.MouseButton.LeftButton)
    assert not editor.quality_banner.isVisible()
    editor.close()
    qtbot.waitUntil(lambda: not window.customer_windows)
    again = window.open_customer(mingde.id)
    assert not again.quality_banner.isVisible()
    huaxin = next(r for r in service.list(DEFAULT_ACTOR, CustomerQuery(text="华信"), limit=None))
    assert not window.open_customer(huaxin.id).quality_banner.isVisible()  # nothing to check there


def test_export_the_customer_list_as_shown(qtbot, window, service, tmp_path, monkeypatch):
    page = window.customers_page
    category = page.filters["category"]
    category.setCurrentIndex(category.findData("general"))
    page.table.sortByColumn(Column.NAME, Qt.SortOrder.DescendingOrder)
    header = page.table.horizontalHeader()
    header.setSectionHidden(Column.SHORT_NAME, True)
    header.setSectionHidden(Column.UPDATED, True)
    header.moveSection(header.visualIndex(Column.CITY), 0)  # the city first
    shown = page.shown_columns()
    assert shown[0] == Column.CITY and Column.SHORT_NAME not in shown
    expected_rows = [
        [page.model.data(page.model.index(r, c)) for c in shown] for r in range(page.model.rowCount())
    ]
    shown_names = [row[shown.index(Column.NAME)] for row in expected_rows]
    assert shown_names == sorted(["南京长江机械有限公司", "成都天府软件有限公司"], reverse=True)
    target = tmp_path / "export.xlsx"
    monkeypatch.setattr(file_choice, "choose_save", lambda *args: target)
    window.export_action.trigger()
    qtbot.waitUntil(lambda: "rows written" in window.statusBar().currentMessage(), timeout=5000)
    assert "2 rows written to export.xlsx" in window.statusBar().currentMessage()
    book = openpyxl.load_workbook(target, read_only=True)
    rows = [
        [("" if v is None else str(v)) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)
    ]
    book.close()
    assert rows[0] == [CUSTOMER_COLUMNS[EXPORT_KEYS[c]].label for c in shown]
    assert rows[1:] == expected_rows


def test_export_transactions_of_the_listed_customers(qtbot, window, service, tmp_path, monkeypatch):
    for row in service.list(DEFAULT_ACTOR, CustomerQuery(), limit=None):
        service.save_transaction(
            DEFAULT_ACTOR,
            row.id,
            TransactionInput(occurred_on=date(2025, 5, 1), amount="100", product=row.name),
        )
    page = window.customers_page
    page.search.setText("成都")
    page.apply_filters()
    target = tmp_path / "transactions.csv"
    monkeypatch.setattr(file_choice, "choose_save", lambda *args: target)
    window.export("transactions")
    qtbot.waitUntil(lambda: "rows written" in window.statusBar().currentMessage(), timeout=5000)
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == 2
    assert rows[1][1] == "成都天府软件有限公司"


def test_save_the_import_template(qtbot, window, tmp_path, monkeypatch):
    target = tmp_path / "template.xlsx"
    monkeypatch.setattr(file_choice, "choose_save", lambda *args: target)
    window.save_template()
    assert target.is_file()
    assert "template.xlsx" in window.statusBar().currentMessage()
    layout = ImportService(window.db).inspect(DEFAULT_ACTOR, target, ImportOptions())
    assert layout.header_row == 3  # the template reads back: title, groups, then the header
    assert "name" in layout.mapping.values()


def test_a_total_line_under_the_table_is_shown_greyed_and_left_out(qtbot, window, tmp_path):
    path = tmp_path / "with-total.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("客户")
    ws.write_row(0, 0, ["客户名称", "年营业额"])
    ws.write_row(1, 0, ["北京华信科技有限公司", 100])
    ws.write_row(2, 0, ["合计", 100])
    book.close()
    wizard = go_to_preview(qtbot, window, path)
    page = wizard.preview_page
    assert page.count_labels["rows_read"].text() == "1"
    total = page.table.item(1, 0)
    assert total.text() == "合计"
    assert "total" in total.toolTip()
    mapping_samples = wizard.mapping_page.table.item(0, 1).text()
    assert mapping_samples == "北京华信科技有限公司"  # the total is no sample value of the name column
    wizard.reject()


def test_an_empty_database_shows_where_customers_come_from(qtbot, sqlite_db, tmp_path):
    gen = shown_main_window(qtbot, sqlite_db, tmp_path)
    window = next(gen)
    page = window.customers_page
    hint = page.findChild(QPushButton, "empty_import").parentWidget()
    assert page.list_area.currentWidget() is hint  # not an empty table
    page.findChild(QPushButton, "empty_import").click()
    wizard = window.findChild(QWizard)
    qtbot.waitUntil(lambda: wizard is not None and wizard.isVisible())
    wizard.reject()
    # The first customer arrives: the table takes the hint's place.
    CustomerService(sqlite_db).create(DEFAULT_ACTOR, CustomerInput(name="北京华信科技有限公司"))
    qtbot.waitUntil(lambda: page.list_area.currentWidget() is page.table)
    # A search that finds nothing is an empty result, not an empty database.
    page.search.setText("不存在的公司")
    page.apply_filters()
    qtbot.waitUntil(lambda: page.model.rowCount() == 0 and not page.model.counting)
    assert page.list_area.currentWidget() is page.table
    next(gen, None)
