"""Reporting progress and honouring Cancel in long work (imports, exports) without slowing it down."""

from __future__ import annotations

import time
from collections.abc import Callable

from app.services.errors import Cancelled

Progress = Callable[[int, int], None]
IsCancelled = Callable[[], bool]


class Ticker:
    """Called at every step; passes progress on and checks Cancel at most every `interval` seconds,
    so a loop over a hundred thousand rows pays for neither on each row."""

    def __init__(
        self, progress: Progress | None, cancelled: IsCancelled | None, cancel_message: str, interval: float
    ) -> None:
        self._progress = progress
        self._cancelled = cancelled
        self._message = cancel_message
        self._interval = interval
        self._last = 0.0
        self._done, self._total = 0, 0

    def __call__(self, done: int, total: int, force: bool = False) -> None:
        self._done, self._total = done, total
        now = time.monotonic()
        if not force and now - self._last < self._interval:
            return
        self._last = now
        if self._cancelled is not None and self._cancelled():
            raise Cancelled(self._message)
        if self._progress is not None:
            self._progress(done, total)

    def alive(self) -> None:
        """Between counted steps (a lookup, a commit): check Cancel and report the same progress again."""
        self(self._done, self._total)
