"""Brings the services' change announcements onto the GUI thread, and turns them into reloads."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QWidget

from app.services import events


class ChangeNotifier(QObject):
    """Emits `changed(Change)` in the GUI thread, whichever thread the write happened in."""

    changed = Signal(object)
    _relay = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._relay.connect(self.changed.emit, Qt.ConnectionType.QueuedConnection)
        self._unsubscribe = events.subscribe(self._relay.emit)
        self.destroyed.connect(lambda *_: self._unsubscribe())

    def close(self) -> None:
        self._unsubscribe()


class ReloadWhenShown(QObject):
    """One reload for a burst of change announcements (a handover announces three): at once while the
    widget is shown, else when it shows again. `stale` is True until the first reload, for showEvent."""

    def __init__(self, widget: QWidget, reload: Callable[[], None]) -> None:
        super().__init__(widget)
        self.stale = True
        self._widget = widget
        self._reload = reload
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._reload_if_shown)

    def request(self) -> None:
        self.stale = True
        self._timer.start()

    def reloading(self) -> None:
        """Said by the reload itself: whatever was requested is being read now."""
        self._timer.stop()
        self.stale = False

    def _reload_if_shown(self) -> None:
        if self._widget.isVisible():
            self._reload()
