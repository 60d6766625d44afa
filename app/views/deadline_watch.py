"""The deadline check while the window is open: at start and every five minutes, quietly, in a thread."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from app.db import Database, DatabaseOpenError
from app.i18n import _
from app.services import events
from app.services.actor import Actor
from app.services.errors import ServiceError
from app.services.escalation import Escalated, check_deadlines, latest_escalation
from app.views.tasks import BackgroundTask

CHECK_EVERY_MS = 5 * 60 * 1000
NUMBERS_SHOWN = 5  # ticket numbers a status-bar message names before "…"


def escalated_text(escalated: list[Escalated]) -> str:
    """What a check did, for the status bar: "Overdue complaints escalated: #12, #15"."""
    numbers = list(dict.fromkeys(e.number for e in escalated))
    shown = ", ".join(f"#{n}" for n in numbers[:NUMBERS_SHOWN])
    if len(numbers) > NUMBERS_SHOWN:
        shown += ", …"
    return _("Overdue complaints escalated: {tickets}").format(tickets=shown)


class DeadlineWatch(QObject):
    """Escalates the overdue complaint tickets: a first check as soon as the event loop runs, then one
    every `interval_ms`. The check writes, so it runs in a thread; a check still running when the next
    is due is not doubled (the next tick catches up)."""

    escalated = Signal(list)  # the Escalated items of a check that escalated something
    message = Signal(str)  # a passing message for the status bar: what was escalated, or why the check failed

    def __init__(
        self, db: Database, actor: Actor, parent: QObject | None = None, interval_ms: int = CHECK_EVERY_MS
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self.interval_ms = interval_ms
        self.task: BackgroundTask | None = None
        self.latest = None  # the newest escalation seen, by whichever computer made it
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(0)  # the first check once the window is up, not before it shows

    @property
    def busy(self) -> bool:
        return self.task is not None

    def check(self) -> bool:
        """Start a check now; False if one is still running."""
        if self.timer.interval() != self.interval_ms:
            self.timer.start(self.interval_ms)
        if self.task is not None:
            return False
        db, actor = self.db, self.actor

        def work(_progress, _cancelled) -> tuple[list[Escalated], object]:
            return check_deadlines(db, actor), latest_escalation(db)

        task = BackgroundTask(self, work)
        task.finished.connect(lambda result: self._ended(task, result, None))
        task.failed.connect(lambda exc: self._ended(task, None, exc))
        self.task = task
        task.start()
        return True

    def _ended(self, task: BackgroundTask, outcome: tuple | None, exc: object) -> None:
        self.task = None
        task.deleteLater()
        if exc is not None:
            # A database gone for a moment (a server restarting, a locked file): say so and try again later.
            if isinstance(exc, (ServiceError, DatabaseOpenError)):
                self.message.emit(
                    _("The complaint deadlines could not be checked: {reason}").format(reason=exc)
                )
                return
            raise exc  # a bug, for the error dialog
        result, latest = outcome
        if result:
            self.escalated.emit(result)
            self.message.emit(escalated_text(result))
        elif latest != self.latest and self.latest is not None:
            # Another computer (or a scheduled `complaints check-deadlines`) escalated since the last look:
            # its change was announced there, not here.
            events.publish(events.Change("complaint"))
        self.latest = latest

    def shutdown(self) -> None:
        """Stop checking and wait for a check under way: call before the window closes, or the thread
        would outlive its task."""
        self.timer.stop()
        if self.task is not None:
            self.task.wait()
