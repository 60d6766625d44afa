"""What the GUI tests share: a main window over a test's database, closed cleanly afterwards."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog

from app.services.actor import DEFAULT_ACTOR
from app.views.main_window import MainWindow
from app.views.settings import Settings


def shown_main_window(qtbot, db, tmp_path) -> Iterator[MainWindow]:
    """For a fixture to `yield from`: the window shown, then closed without questions."""
    main = MainWindow(db, DEFAULT_ACTOR, Settings(str(tmp_path / "settings.ini")))
    main.show()
    qtbot.waitExposed(main)
    yield main
    # Edits a test left unsaved would ask "save?" on close and wait for an answer forever.
    for customer_window in list(main.customer_windows):
        customer_window.dirty = False
    main.close()
    main.deleteLater()


def on_modal(kind: type, act: Callable[[QDialog], None]) -> None:
    """Run `act(dialog)` once a modal dialog of this kind shows (exec() blocks the test meanwhile).

    Whatever else shows instead (a warning, say) is closed, and a failing `act` rejects the dialog, so
    a mistake fails the test rather than hanging it."""
    tries = [0]

    def attempt() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, kind) and dialog.isVisible():
            try:
                act(dialog)
            finally:
                if dialog.isVisible():
                    dialog.reject()
        elif dialog is not None and dialog.isVisible():
            dialog.close()
        elif tries[0] < 500:
            tries[0] += 1
            QTimer.singleShot(10, attempt)

    QTimer.singleShot(0, attempt)
