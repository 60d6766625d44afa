"""Composition root: QApplication, settings, language, database and migrations, the main window."""

from __future__ import annotations

import argparse
import sys

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from app import i18n
from app.db import Database, DatabaseOpenError, open_database
from app.dialogs.settings_dialog import SettingsDialog
from app.i18n import _
from app.services.actor import DEFAULT_ACTOR, actor_for
from app.services.customers import CustomerService
from app.views.main_window import MainWindow
from app.views.settings import Settings
from app.views.tasks import Task

DEMO_CUSTOMERS = 300
ICON = i18n.RESOURCES / "icons" / "clientdesk.svg"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="clientdesk-gui", description="ClientDesk")
    parser.add_argument("--db", help="SQLAlchemy database URL (default: the embedded database)")
    parser.add_argument("--lang", choices=sorted(i18n.LANGUAGES), help="interface language")
    parser.add_argument("--settings", help="settings file (.ini) to use instead of the user's")
    parser.add_argument(
        "--no-demo-offer", action="store_true", help="do not offer demo data on an empty database"
    )
    return parser.parse_args(argv)


class Application:
    """Holds what lives as long as the process: settings, the database, the Qt translator, the window."""

    def __init__(self, qt_app: QApplication, settings: Settings, db: Database) -> None:
        self.qt_app = qt_app
        self.settings = settings
        self.db = db
        self.window: MainWindow | None = None
        self._qt_translator: QTranslator | None = None

    def apply_language(self, language: str) -> None:
        i18n.set_language(language)
        QLocale.setDefault(
            QLocale(QLocale.Language.Chinese, QLocale.Country.China)
            if language == "zh_CN"
            else QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
        )
        if self._qt_translator is not None:
            self.qt_app.removeTranslator(self._qt_translator)
            self._qt_translator = None
        if language != "en":
            # Qt's own texts: the buttons of message boxes, the context menu of a text field …
            translator = QTranslator(self.qt_app)
            if translator.load(
                f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
            ):
                self.qt_app.installTranslator(translator)
                self._qt_translator = translator

    def show_main_window(self) -> MainWindow:
        self.window = MainWindow(self.db, actor_for(self.db, self.settings.staff_id), self.settings)
        self.window.language_chosen.connect(self.switch_language)
        self.window.user_chosen.connect(self.switch_user)
        self.window.show()
        return self.window

    def switch_user(self, staff_id) -> None:
        """Rebuild the window for the person now working here (their day, their name on every change)."""
        self.settings.staff_id = staff_id
        self.switch_language(i18n.current_language())

    def switch_language(self, language: str) -> None:
        """Rebuild the window in the new language; open files with unsaved edits may veto it."""
        old = self.window
        # Closing the only window would otherwise end the application before the new one opens.
        self.qt_app.setQuitOnLastWindowClosed(False)
        try:
            if old is not None and not old.close():
                return
        finally:
            self.qt_app.setQuitOnLastWindowClosed(True)
        self.settings.language = language
        self.apply_language(language)
        self.show_main_window()
        if old is not None:
            old.deleteLater()

    def offer_demo(self) -> None:
        service = CustomerService(self.db)
        if not service.is_empty(DEFAULT_ACTOR):
            return
        answer = QMessageBox.question(
            self.window,
            _("Empty database"),
            _(
                "The database has no customers yet. Load {count} demo customers to try ClientDesk out?\n"
                "(You can delete them later.)"
            ).format(count=DEMO_CUSTOMERS),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        from app.services.demo import generate_demo
        from app.services.demo_complaints import add_complaints
        from app.services.demo_contacts import add_contact_work

        def work(progress, cancelled):
            summary = generate_demo(
                self.db, DEFAULT_ACTOR, DEMO_CUSTOMERS, seed=1, progress=progress, cancelled=cancelled
            )
            if summary.customers:
                add_contact_work(self.db, DEFAULT_ACTOR, summary.first_code, summary.last_code, seed=1)
                add_complaints(self.db, DEFAULT_ACTOR, summary.first_code, summary.last_code, seed=1)
            return summary

        task = Task(self.window, _("Loading demo data…"), work)
        task.finished.connect(lambda _result: self.window and self.window.refresh())
        task.failed.connect(lambda exc: QMessageBox.warning(self.window, _("Demo data"), str(exc)))
        task.start()


def install_error_dialog() -> None:
    """An error nobody foresaw is shown to the user (and printed) instead of vanishing in a slot."""
    previous = sys.excepthook

    def show(kind, value, tb) -> None:
        previous(kind, value, tb)
        if QApplication.instance() is None or issubclass(kind, KeyboardInterrupt):
            return
        message = str(value) if isinstance(value, DatabaseOpenError) else _(
            "Something went wrong: {error}\nYour last action may not have been saved.").format(error=value)
        QMessageBox.critical(QApplication.activeWindow(), "ClientDesk", message)

    sys.excepthook = show


def choose_first_language(settings: Settings) -> str:
    dialog = SettingsDialog(None, i18n.system_language(), first_start=True)
    language = dialog.language if dialog.exec() else i18n.system_language()
    settings.language = language
    return language


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    qt_app.setApplicationName("ClientDesk")
    qt_app.setOrganizationName("ClientDesk")
    if ICON.exists():
        qt_app.setWindowIcon(QIcon(str(ICON)))
    settings = Settings(args.settings)
    language = args.lang or settings.language or choose_first_language(settings)
    i18n.set_language(language)
    try:
        db = open_database(args.db or settings.database_url or None)
    except DatabaseOpenError as exc:
        holder = Application(qt_app, settings, None)  # only for the translated message box
        holder.apply_language(language)
        QMessageBox.critical(None, _("Cannot open the database"), str(exc))
        return 1
    install_error_dialog()
    app = Application(qt_app, settings, db)
    app.apply_language(language)
    app.show_main_window()
    if not args.no_demo_offer:
        app.offer_demo()
    code = qt_app.exec()
    db.dispose()
    return code


if __name__ == "__main__":
    sys.exit(main())
