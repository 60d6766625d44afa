"""After a write the services announce what changed; open views subscribe and refresh themselves."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Change:
    """`entity` is e.g. "customer"; `ids` the rows touched (empty: too many to list, refresh all)."""

    entity: str
    ids: frozenset[uuid.UUID] = field(default_factory=frozenset)


Listener = Callable[[Change], None]
_listeners: list[Listener] = []
_lock = threading.Lock()


def subscribe(listener: Listener) -> Callable[[], None]:
    """Call `listener` after every write; returns the function that stops it."""
    with _lock:
        _listeners.append(listener)

    def unsubscribe() -> None:
        with _lock:
            if listener in _listeners:
                _listeners.remove(listener)

    return unsubscribe


def publish(change: Change) -> None:
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        listener(change)
