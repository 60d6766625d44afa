"""Sorting a list model's rows in memory, keeping the selection: persistent indexes follow their rows."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractItemModel


def reorder_rows(model: QAbstractItemModel, order: list[int], rearrange: Callable[[list[int]], None]) -> None:
    """Show the rows in `order` (new position → old row); `rearrange(order)` reorders the model's data.

    Without changePersistentIndexList a selection would stay on the row numbers, now other customers.
    """
    model.layoutAboutToBeChanged.emit()
    # Read after the signal: views turn their selections into persistent indexes on it.
    old = model.persistentIndexList()
    rearrange(order)
    new_row = [0] * len(order)
    for new, previous in enumerate(order):
        new_row[previous] = new
    model.changePersistentIndexList(old, [model.index(new_row[i.row()], i.column()) for i in old])
    model.layoutChanged.emit()
