"""The proposals of a tier evaluation as a table model: a check per row to approve some, changes marked."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from enum import IntEnum

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from app.i18n import N_, _, format_money
from app.services.tier_rules import RuleDefinition
from app.services.tiers import ProposalRow, tier_name

Index = QModelIndex | QPersistentModelIndex
# Rows read at a time: the first page at once, the next as the list is scrolled to its end, so a first
# evaluation of 100,000 customers opens as fast as one of a hundred.
PAGE_SIZE = 500
Fetch = Callable[[int, int], list[ProposalRow]]  # (offset, limit) → rows


class Column(IntEnum):
    CHECK = 0
    CODE = 1
    NAME = 2
    MANAGER = 3
    OLD_TIER = 4
    NEW_TIER = 5
    SCORE = 6
    REVENUE = 7


HEADERS = {
    Column.CHECK: N_("Approve"),
    Column.CODE: N_("Code"),
    Column.NAME: N_("Name"),
    Column.MANAGER: N_("Account manager"),
    Column.OLD_TIER: N_("Current tier"),
    Column.NEW_TIER: N_("Proposed tier"),
    Column.SCORE: N_("Score"),
    Column.REVENUE: N_("Revenue, last 12 months"),
}

ARROWS = {"up": "▲", "down": "▼", "new": "●", "same": ""}
_UP = QColor(0, 128, 0)
_DOWN = QColor(192, 0, 0)
_OVERRIDDEN = QColor(120, 120, 120)


def checkable(row: ProposalRow) -> bool:
    """Only a pending change can be approved: an overridden, unchanged or applied row cannot."""
    return row.change != "same" and not row.overridden and not row.applied


class ProposalModel(QAbstractTableModel):
    """Rows as the service lists them (filtered and sorted in SQL), read a page at a time as the view
    scrolls; checks kept by customer id, so they survive a change of filter."""

    checks_changed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[ProposalRow] = []
        self._definition: RuleDefinition | None = None
        self._checked: set[uuid.UUID] = set()
        self._fetch: Fetch | None = None
        self._more = False

    # -- filling

    def set_rows(self, rows: list[ProposalRow], definition: RuleDefinition | None) -> None:
        self.beginResetModel()
        self._rows = rows
        self._definition = definition
        self._fetch, self._more = None, False
        self.endResetModel()

    def set_source(self, fetch: Fetch, definition: RuleDefinition | None) -> None:
        """Show the rows `fetch(offset, limit)` gives, the first page now and the rest on demand."""
        self.beginResetModel()
        self._fetch, self._definition = fetch, definition
        self._rows = fetch(0, PAGE_SIZE)
        self._more = len(self._rows) == PAGE_SIZE
        self.endResetModel()

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and self._more

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if parent.isValid() or not self._more or self._fetch is None:
            return
        rows = self._fetch(len(self._rows), PAGE_SIZE)
        self._more = len(rows) == PAGE_SIZE
        if rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()

    def clear_checks(self) -> None:
        self._checked.clear()
        if self._rows:
            self.dataChanged.emit(self.index(0, Column.CHECK), self.index(len(self._rows) - 1, Column.CHECK))
        self.checks_changed.emit()

    def row(self, index: int) -> ProposalRow:
        return self._rows[index]

    def row_of(self, customer_id: uuid.UUID) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.customer_id == customer_id), None)

    @property
    def checked_ids(self) -> list[uuid.UUID]:
        return sorted(self._checked)

    def toggle(self, row: int) -> None:
        if not 0 <= row < len(self._rows):
            return
        checked = self._rows[row].customer_id in self._checked
        self.setData(
            self.index(row, Column.CHECK),
            Qt.CheckState.Unchecked.value if checked else Qt.CheckState.Checked.value,
            Qt.ItemDataRole.CheckStateRole,
        )

    # -- Qt model

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        horizontal = orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
        if horizontal and 0 <= section < len(Column):
            return _(HEADERS[Column(section)])
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == Column.CHECK and checkable(self._rows[index.row()]):
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def _tier(self, key: str) -> str:
        return tier_name(self._definition, key)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == Column.CHECK:
                if row.overridden:
                    return _("Set by hand")
                if row.applied:
                    return _("Applied")
                return None
            if column == Column.CODE:
                return row.code
            if column == Column.NAME:
                return row.name
            if column == Column.MANAGER:
                return row.manager
            if column == Column.OLD_TIER:
                return self._tier(row.old_tier) if row.old_tier else "—"
            if column == Column.NEW_TIER:
                if row.overridden and row.computed_tier != row.new_tier:
                    # What the rules would give, so the manager sees what the override holds back.
                    return _("{tier} (rules: {computed})").format(
                        tier=self._tier(row.new_tier), computed=self._tier(row.computed_tier)
                    )
                arrow = ARROWS.get(row.change, "")
                return f"{arrow} {self._tier(row.new_tier)}".strip()
            if column == Column.SCORE:
                return "" if row.score is None else f"{row.score:.1f}"
            if column == Column.REVENUE:
                return format_money(row.revenue)
        elif role == Qt.ItemDataRole.CheckStateRole and column == Column.CHECK and checkable(row):
            return Qt.CheckState.Checked if row.customer_id in self._checked else Qt.CheckState.Unchecked
        elif role == Qt.ItemDataRole.ForegroundRole:
            if row.overridden:
                return QBrush(_OVERRIDDEN)
            if column == Column.NEW_TIER and row.change in ("up", "down"):
                return QBrush(_UP if row.change == "up" else _DOWN)
        elif role == Qt.ItemDataRole.TextAlignmentRole and column in (Column.SCORE, Column.REVENUE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        elif role == Qt.ItemDataRole.ToolTipRole and row.overridden:
            return _("The tier is set by hand: no change is proposed.")
        elif role == Qt.ItemDataRole.UserRole:
            return row.customer_id
        return None

    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (
            not index.isValid()
            or index.column() != Column.CHECK
            or role != Qt.ItemDataRole.CheckStateRole
            or not checkable(self._rows[index.row()])
        ):
            return False
        customer_id = self._rows[index.row()].customer_id
        state = value.value if isinstance(value, Qt.CheckState) else int(value)
        if state == Qt.CheckState.Checked.value:
            self._checked.add(customer_id)
        else:
            self._checked.discard(customer_id)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.checks_changed.emit()
        return True
