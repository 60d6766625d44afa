"""Every visible string of the main window and a customer file is Chinese in zh_CN; dates and money follow."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QLabel,
    QLineEdit,
    QMenu,
    QTableView,
    QTableWidget,
    QTabWidget,
    QWidget,
)

from app import i18n
from app.services.actor import DEFAULT_ACTOR
from app.services.customers import CustomerInput, CustomerService
from app.views.main_window import MainWindow
from app.views.settings import Settings

# Words that stay as they are in a Chinese interface: names (ClientDesk, Excel), file formats (PDF, xlsx),
# codes, "VIP", grades.
ALLOWED = {"ClientDesk", "Excel", "VIP", "AAA", "AA", "A", "B", "C", "Administrator", "Ctrl", "PDF", "xlsx"}
ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")
PLACEHOLDER = re.compile(r"\{\w*\}")


def catalogue():
    with i18n.po_path("zh_CN").open("rb") as fh:
        return read_po(fh)


def test_every_string_in_the_code_has_a_chinese_translation():
    translated = {m.id: m.string for m in catalogue() if m.id and m.string and not m.fuzzy}
    root = i18n.RESOURCES.parent / "app"
    missing = sorted(
        {
            message
            for _file, _line, message, *_ in extract_from_dir(
                root, method_map=[("**.py", "python")], keywords={"_": None, "N_": None}
            )
            if message not in translated
        }
    )
    assert not missing, (
        "untranslated (run resources/translations/update_catalog.py, then translate):\n" + "\n".join(missing)
    )


def test_translations_keep_their_placeholders():
    wrong = [
        m.id
        for m in catalogue()
        if m.id and m.string and set(PLACEHOLDER.findall(m.id)) != set(PLACEHOLDER.findall(m.string))
    ]
    assert not wrong


def test_dates_and_money_follow_the_language():
    i18n.set_language("zh_CN")
    assert i18n.format_date(date(2024, 3, 5)) == "2024年3月5日"
    assert i18n.format_money(Decimal("1234567.5")) == "¥1,234,567.50"
    i18n.set_language("en")
    assert i18n.format_date(date(2024, 3, 5)) == "Mar 5, 2024"
    assert i18n.format_money(Decimal("-12.3")) == "-¥12.30"


def visible_texts(root: QWidget) -> list[str]:
    """Texts a person reads on screen: labels, buttons, tabs, headers, menus, placeholders, choices."""
    texts = [root.windowTitle()]
    for widget in [root, *root.findChildren(QWidget)]:
        shows_data = widget.objectName() in ("database_label", "database_location")
        if isinstance(widget, (QLabel, QAbstractButton)) and not shows_data:
            texts.append(widget.text())
        elif isinstance(widget, QTabWidget):
            texts.extend(widget.tabText(i) for i in range(widget.count()))
        elif isinstance(widget, QLineEdit):
            texts.append(widget.placeholderText())
        elif (
            isinstance(widget, QComboBox)
            and not widget.isEditable()
            and not widget.objectName().startswith(
                ("filter_manager", "filter_industry", "field_manager_id", "language")
            )
        ):
            texts.extend(widget.itemText(i) for i in range(widget.count()))
        elif isinstance(widget, QMenu):
            texts.extend(action.text() for action in widget.actions())
        if isinstance(widget, (QTableView, QTableWidget)):
            model = widget.model()
            texts.extend(
                str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(model.columnCount())
            )
    return [t for t in texts if t]


def untranslated(texts: list[str]) -> list[str]:
    return sorted(
        {t for t in texts if any(w not in ALLOWED for w in ENGLISH_WORD.findall(t.replace("&", "")))}
    )


@pytest.fixture
def chinese_window(qtbot, sqlite_db, tmp_path):
    i18n.set_language("zh_CN")
    service = CustomerService(sqlite_db)
    service.create(
        DEFAULT_ACTOR,
        CustomerInput(name="北京华信科技有限公司", category="key", tier="vip", founded=date(2001, 5, 8)),
    )
    window = MainWindow(sqlite_db, DEFAULT_ACTOR, Settings(str(tmp_path / "s.ini")))
    window.show()
    yield window
    window.close()
    window.deleteLater()


def test_main_window_speaks_chinese(chinese_window):
    texts = visible_texts(chinese_window)
    assert "客户" in " ".join(texts)
    assert untranslated(texts) == []


def test_customer_file_speaks_chinese(qtbot, chinese_window):
    customer = chinese_window.open_customer(chinese_window.customers_page.model.customer_id(0))
    texts = visible_texts(customer)
    assert untranslated(texts) == []
    assert customer.fields.widgets["category"].currentText() == "重点客户"
    customer.close()


def test_status_and_dates_in_chinese(chinese_window):
    page = chinese_window.customers_page
    assert chinese_window.status_text.text() == "共 1 个客户"
    updated = page.model.data(page.model.index(0, 10))
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", updated)
    assert i18n.format_datetime(datetime(2024, 3, 5, 12, tzinfo=timezone.utc)).startswith("2024年3月")
