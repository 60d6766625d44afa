"""Work off the GUI thread: a plain function taking progress and cancel callables; with a dialog, or quiet."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.i18n import _

Work = Callable[[Callable[[int, int], None], Callable[[], bool]], Any]


class _Worker(QObject):
    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, work: Work, cancel_flag: threading.Event) -> None:
        super().__init__()
        self._work = work
        self._cancel = cancel_flag

    def run(self) -> None:
        try:
            result = self._work(self.progressed.emit, self._cancel.is_set)
        except BaseException as exc:  # handed to the GUI thread, which shows it
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)
        finally:
            # The thread ends with the work, so wait() returns even before the GUI thread hears of it (a
            # window closing waits while its event loop is blocked).
            QThread.currentThread().quit()


class BackgroundTask(QObject):
    """Runs `work(progress, cancelled)` in a thread without a word to the user: for work nobody waits on,
    such as the periodic deadline check. `finished(result)` or `failed(exception)` is emitted on the GUI
    thread when it ends."""

    finished = Signal(object)
    failed = Signal(object)

    def __init__(self, parent: QObject, work: Work) -> None:
        super().__init__(parent)
        self._cancel = threading.Event()
        self._thread = QThread(self)
        self._worker = _Worker(work, self._cancel)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.succeeded.connect(self._on_success)
        self._worker.failed.connect(self._on_failure)

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        """The work stops at its next check."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def wait(self) -> None:
        self._thread.wait()

    def _finish(self) -> None:
        self._thread.quit()
        self._thread.wait()

    def _on_success(self, result: object) -> None:
        self._finish()
        self.finished.emit(result)

    def _on_failure(self, exc: object) -> None:
        self._finish()
        self.failed.emit(exc)


class Task(BackgroundTask):
    """Runs `work(progress, cancelled)` in a thread with a modal progress dialog and a Cancel button.

    `finished(result)` or `failed(exception)` is emitted on the GUI thread when it ends.
    """

    def __init__(self, parent: QWidget, title: str, work: Work) -> None:
        super().__init__(parent, work)
        self.dialog = QProgressDialog(title, _("Cancel"), 0, 0, parent)
        self.dialog.setWindowTitle(title)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(300)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self._cancel.set)
        self._worker.progressed.connect(self._on_progress)

    def start(self) -> None:
        # A first value starts the dialog's clock: without one Qt waits its default four seconds, not 300 ms.
        self.dialog.setValue(0)
        super().start()

    def _on_progress(self, done: int, total: int) -> None:
        if self.dialog.maximum() != total:
            self.dialog.setMaximum(total)
        self.dialog.setValue(done)

    def _finish(self) -> None:
        super()._finish()
        self.dialog.close()
