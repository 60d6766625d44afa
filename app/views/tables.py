"""What the pages' read-only lists share: a table over a model of rows, its remembered header, Enter."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from app.views.settings import Settings

RETURN_KEYS = [QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)]
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def list_table(
    name: str, model: QAbstractItemModel, multi: bool = False, stretch_last: bool = False
) -> QTableView:
    """A read-only list, whole rows selected (one, or several with `multi`), columns the user sizes."""
    table = QTableView()
    table.setObjectName(name)
    table.setModel(model)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(
        QAbstractItemView.SelectionMode.ExtendedSelection
        if multi
        else QAbstractItemView.SelectionMode.SingleSelection
    )
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setStretchLastSection(stretch_last)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return table


def keep_header(settings: Settings, table: QTableView, name: str) -> None:
    """Column widths, order and sorting as the user left them (settings `name`), saved as they change."""
    header = table.horizontalHeader()
    state = settings.header_state(name)
    if not state.isEmpty():
        header.restoreState(state)

    def save(*_args) -> None:
        settings.set_header_state(name, header.saveState())

    header.sectionResized.connect(save)
    header.sectionMoved.connect(save)
    header.sortIndicatorChanged.connect(save)


def add_table_action(table: QTableView, text: str, keys: list[QKeySequence], slot) -> None:
    """A key that acts on the table's selection while the table has the focus (Enter: open)."""
    action = QAction(text, table)
    action.setShortcuts(keys)
    action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    action.triggered.connect(slot)
    table.addAction(action)


def current_row(table: QTableView):
    """The first selected row's item (the model's `row_at`), or None."""
    rows = table.selectionModel().selectedRows()
    return table.model().row_at(rows[0].row()) if rows else None
