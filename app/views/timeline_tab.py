"""A customer file's Timeline tab: contacts, follow-ups, sales, tier changes, complaints and changes."""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _, format_date, format_minute, format_number
from app.services.contacts import TIMELINE_KINDS, TimelineEntry, timeline_kind_name

# A light tint per kind, so a long timeline can be scanned by eye; the kind is also written out.
KIND_COLOURS = {
    "contact": "#e8f1fb",
    "follow_up": "#fff6e0",
    "transaction": "#eaf6ec",
    "tier": "#f1ebfa",
    "complaint": "#fdecea",
    "change": "#ffffff",
}


class Column(IntEnum):
    WHEN = 0
    KIND = 1
    WHAT = 2
    TEXT = 3
    WHO = 4


HEADERS = {
    Column.WHEN: N_("When"),
    Column.KIND: N_("Kind"),
    Column.WHAT: N_("What"),
    Column.TEXT: N_("Details"),
    Column.WHO: N_("Who"),
}


class TimelineModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.entries: list[TimelineEntry] = []

    def set_entries(self, entries: list[TimelineEntry]) -> None:
        self.beginResetModel()
        self.entries = entries
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(HEADERS[Column(section)])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        entry = self.entries[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            if column == Column.WHEN:
                if entry.on:
                    return format_date(entry.on)
                return format_minute(entry.at)  # the computer's time zone, to the minute
            if column == Column.KIND:
                return timeline_kind_name(entry.kind, one=True)
            if column == Column.WHAT:
                return entry.title
            if column == Column.TEXT:
                return "  ·  ".join(x for x in (entry.text, *entry.details) if x)
            return entry.who
        if role == Qt.ItemDataRole.ToolTipRole and column in (Column.WHAT, Column.TEXT):
            return "\n".join(x for x in (entry.title, entry.text, *entry.details) if x)
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(KIND_COLOURS[entry.kind]))
        return None


class TimelineTab(QWidget):
    """Filter buttons per kind over the list; double-click (or Enter) opens an entry: a contact log, a
    follow-up, a complaint ticket.

    The customer window fills it (`show_entries`) and acts on `open_requested(entry)`, `log_requested`
    and `plan_requested`.
    """

    open_requested = Signal(object)
    log_requested = Signal()
    plan_requested = Signal()
    filter_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timeline_tab")
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.log_button = QPushButton(_("Log contact…"))
        self.log_button.setObjectName("log_contact")
        self.log_button.setToolTip(_("Log a call, visit, letter, e-mail or WeChat exchange (Ctrl+L)"))
        self.log_button.clicked.connect(self.log_requested)
        self.plan_button = QPushButton(_("Plan follow-up…"))
        self.plan_button.setObjectName("plan_follow_up")
        self.plan_button.clicked.connect(self.plan_requested)
        bar.addWidget(self.log_button)
        bar.addWidget(self.plan_button)
        bar.addSpacing(16)
        bar.addWidget(QLabel(_("Show:")))
        self.kind_buttons: dict[str, QPushButton] = {}
        for kind in TIMELINE_KINDS:
            button = QPushButton(timeline_kind_name(kind))
            button.setObjectName(f"timeline_kind_{kind}")
            button.setCheckable(True)
            button.setChecked(True)
            button.setStyleSheet(f"QPushButton:checked {{ background: {KIND_COLOURS[kind]}; }}")
            button.toggled.connect(lambda _on: self.filter_changed.emit())
            bar.addWidget(button)
            self.kind_buttons[kind] = button
        bar.addStretch(1)
        self.count = QLabel()
        self.count.setObjectName("timeline_count")
        bar.addWidget(self.count)
        layout.addLayout(bar)
        self.model = TimelineModel(self)
        self.view = QTableView()
        self.view.setObjectName("timeline_view")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(Column.TEXT, QHeaderView.ResizeMode.Stretch)
        for column, width in ((Column.WHEN, 165), (Column.KIND, 80), (Column.WHAT, 220), (Column.WHO, 90)):
            self.view.setColumnWidth(column, width)
        self.view.activated.connect(self._open)
        layout.addWidget(self.view, 1)

    def kinds(self) -> set[str]:
        return {kind for kind, button in self.kind_buttons.items() if button.isChecked()}

    def show_entries(self, entries: list[TimelineEntry]) -> None:
        self.model.set_entries(entries)
        self.count.setText(_("{count} entries").format(count=format_number(len(entries))))

    def current_entry(self) -> TimelineEntry | None:
        index = self.view.currentIndex()
        return self.model.entries[index.row()] if index.isValid() else None

    def _open(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_requested.emit(self.model.entries[index.row()])
