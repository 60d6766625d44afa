"""What the GUI tests share: a main window over a test's database, closed cleanly afterwards."""

from __future__ import annotations

from collections.abc import Iterator

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
