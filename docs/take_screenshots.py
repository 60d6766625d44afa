"""Screenshots of the real windows for the README: run under an X server (Xvfb), both languages.

    xvfb-run -a -s "-screen 0 1400x860x24" python docs/take_screenshots.py

Builds a demo database in a temporary folder, opens the main window and a customer file in each
language, and saves what the X screen shows to docs/screenshots/.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from app import i18n
from app.bootstrap import Application
from app.db import open_database
from app.services.actor import DEFAULT_ACTOR
from app.services.demo import generate_demo
from app.views.settings import Settings

OUT = Path(__file__).resolve().parent / "screenshots"


def settle(app: QApplication, ms: int = 400) -> None:
    # A local loop: QApplication.quit() would also close the windows we want to photograph.
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def grab(app: QApplication, name: str, window=None) -> None:
    """Save what the X screen shows: all of it, or just the area of `window`."""
    settle(app)
    path = OUT / name
    area = window.frameGeometry() if window is not None else None
    screen = QGuiApplication.primaryScreen()
    shot = (
        screen.grabWindow(0, area.x(), area.y(), area.width(), area.height())
        if area
        else screen.grabWindow(0)
    )
    shot.save(str(path))
    print(path)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    qt_app = QApplication(sys.argv[:1])
    qt_app.setQuitOnLastWindowClosed(False)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{tmp}/screens.db")
        generate_demo(db, DEFAULT_ACTOR, 2000, seed=7)
        for language in ("zh_CN", "en"):
            settings = Settings(f"{tmp}/settings-{language}.ini")
            app = Application(qt_app, settings, db)
            app.apply_language(language)
            window = app.show_main_window()
            window.setGeometry(0, 0, 1400, 860)
            grab(qt_app, f"customers-{language}.png")
            page = window.customers_page
            page.search.setText("科技" if language == "zh_CN" else "sh")
            page.apply_filters()
            grab(qt_app, f"customers-search-{language}.png")
            page.table.selectRow(0)
            customer = window.open_customer(page.model.customer_id(0))
            customer.setGeometry(120, 60, 1100, 720)
            grab(qt_app, f"customer-basic-{language}.png", customer)
            customer.tabs.setCurrentWidget(customer.contacts_tab)
            grab(qt_app, f"customer-contacts-{language}.png", customer)
            customer.tabs.setCurrentWidget(customer.transactions_tab)
            grab(qt_app, f"customer-transactions-{language}.png", customer)
            customer.close()
            window.close()
            window.deleteLater()
            settle(qt_app, 100)
        db.dispose()
    i18n.set_language("en")
    return 0


if __name__ == "__main__":
    sys.exit(main())
