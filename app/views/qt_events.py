"""Brings the services' change announcements onto the GUI thread as a Qt signal."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal

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
