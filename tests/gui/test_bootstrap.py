"""Start-up: a database that cannot be opened, the first-start language choice, demo data, language switch."""

from __future__ import annotations

import re

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from app import bootstrap, i18n
from app.services.actor import DEFAULT_ACTOR
from app.services.customers import CustomerQuery, CustomerService
from app.views.settings import Settings


def click_when_shown(kind: type, act) -> list:
    """Runs `act(widget)` on the next modal widget of `kind`; returns the widgets seen."""
    seen: list = []

    def poll() -> None:
        widget = QApplication.activeModalWidget()
        if isinstance(widget, kind):
            seen.append(widget)
            act(widget)
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)
    return seen


def test_unopenable_database_shows_the_path_and_creates_nothing(qtbot, tmp_path):
    missing = tmp_path / "no-such-folder" / "clientdesk.db"
    texts: list[str] = []
    click_when_shown(QMessageBox, lambda box: (texts.append(box.text()), box.accept()))
    code = bootstrap.main(
        ["--db", f"sqlite:///{missing}", "--lang", "en", "--settings", str(tmp_path / "s.ini")]
    )
    assert code == 1
    assert str(missing.parent) in texts[0]
    assert not missing.parent.exists()


def test_not_a_database_is_refused_in_chinese(qtbot, tmp_path):
    fake = tmp_path / "客户.db"
    fake.write_text("姓名,电话\n张三,138\n", encoding="utf-8")
    texts: list[str] = []
    click_when_shown(QMessageBox, lambda box: (texts.append(box.text()), box.accept()))
    code = bootstrap.main(
        ["--db", f"sqlite:///{fake}", "--lang", "zh_CN", "--settings", str(tmp_path / "s.ini")]
    )
    assert code == 1
    assert str(fake) in texts[0]
    assert fake.read_text(encoding="utf-8") == "姓名,电话\n张三,138\n"
    chinese_only = texts[0].replace(str(fake), "").replace("ClientDesk", "").replace("SQLite", "")
    assert not re.search(r"[A-Za-z]{3}", chinese_only)


def test_first_start_asks_the_language_and_remembers_it(qtbot, tmp_path):
    settings = Settings(str(tmp_path / "first.ini"))

    def choose_english(dialog: QDialog) -> None:
        dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("en"))
        dialog.accept()

    click_when_shown(QDialog, choose_english)
    assert bootstrap.choose_first_language(settings) == "en"
    assert Settings(str(tmp_path / "first.ini")).language == "en"


def test_empty_database_offers_demo_data(qtbot, sqlite_db, tmp_path):
    app = bootstrap.Application(QApplication.instance(), Settings(str(tmp_path / "s.ini")), sqlite_db)
    app.apply_language("en")
    window = app.show_main_window()
    click_when_shown(QMessageBox, lambda box: box.button(QMessageBox.StandardButton.Yes).click())
    app.offer_demo()
    service = CustomerService(sqlite_db)
    qtbot.waitUntil(lambda: window.customers_page.model.rowCount() == bootstrap.DEMO_CUSTOMERS, timeout=30000)
    assert service.count(DEFAULT_ACTOR, CustomerQuery()) == bootstrap.DEMO_CUSTOMERS
    window.close()


def test_switching_language_rebuilds_the_window(qtbot, sqlite_db, tmp_path):
    settings = Settings(str(tmp_path / "s.ini"))
    app = bootstrap.Application(QApplication.instance(), settings, sqlite_db)
    app.apply_language("en")
    english = app.show_main_window()
    assert english.menuBar().actions()[0].text() == "&File"
    app.switch_language("zh_CN")
    chinese = app.window
    assert chinese is not english
    assert chinese.menuBar().actions()[0].text() == "文件(&F)"
    assert settings.language == "zh_CN"
    assert i18n.current_language() == "zh_CN"
    chinese.close()


def test_the_installed_pyside_keeps_its_references_on_emit():
    # PySide6 6.12.0 lost a reference to True on every emit() from Python, and CPython 3.11 aborts
    # ("bool_dealloc") once they are gone: after a few thousand searches in a long session.
    import sys

    from PySide6.QtCore import QObject, Signal

    class Emitter(QObject):
        bare = Signal()
        number = Signal(int)

    emitter = Emitter()
    before = sys.getrefcount(True)
    for i in range(500):
        emitter.bare.emit()
        emitter.number.emit(i)
    assert sys.getrefcount(True) >= before - 10
