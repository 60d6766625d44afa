"""The customers table model: knows the count, fetches only the pages the view shows (never all rows)."""

from __future__ import annotations

import contextlib
import sys
import uuid
from collections import OrderedDict
from dataclasses import replace
from enum import IntEnum

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QThreadPool,
    Signal,
)

from app.i18n import N_, _, format_datetime
from app.services import labels
from app.services.actor import Actor
from app.services.customers import CustomerQuery, CustomerRow, CustomerService

PAGE_SIZE = 100
# About 5,000 rows in memory at most, whatever the table's length.
MAX_PAGES = 50


class Column(IntEnum):
    CODE = 0
    NAME = 1
    SHORT_NAME = 2
    CATEGORY = 3
    TIER = 4
    INDUSTRY = 5
    CITY = 6
    MANAGER = 7
    PHONE = 8
    EMAIL = 9
    UPDATED = 10


HEADERS = {
    Column.CODE: N_("Code"),
    Column.NAME: N_("Company name"),
    Column.SHORT_NAME: N_("Short name"),
    Column.CATEGORY: N_("Category"),
    Column.TIER: N_("Tier"),
    Column.INDUSTRY: N_("Industry"),
    Column.CITY: N_("City"),
    Column.MANAGER: N_("Account manager"),
    Column.PHONE: N_("Phone"),
    Column.EMAIL: N_("E-mail"),
    Column.UPDATED: N_("Last changed"),
}

# The service's sort key for each column.
SORT_KEYS = {
    Column.CODE: "code",
    Column.NAME: "name",
    Column.SHORT_NAME: "short_name",
    Column.CATEGORY: "category",
    Column.TIER: "tier",
    Column.INDUSTRY: "industry",
    Column.CITY: "city",
    Column.MANAGER: "manager",
    Column.PHONE: "phone",
    Column.EMAIL: "email",
    Column.UPDATED: "updated_at",
}

# The export's column for each column (app.services.exports.CUSTOMER_COLUMNS): the same keys as the
# sort, so a list is exported as shown.
EXPORT_KEYS = SORT_KEYS


def _display(row: CustomerRow, column: Column) -> str:
    if column == Column.CODE:
        return row.code
    if column == Column.NAME:
        return row.name
    if column == Column.SHORT_NAME:
        return row.short_name
    if column == Column.CATEGORY:
        return labels.label(labels.CATEGORY, row.category)
    if column == Column.TIER:
        return labels.label(labels.TIER_NAMES, row.tier)
    if column == Column.INDUSTRY:
        return row.industry
    if column == Column.CITY:
        return row.city or row.province
    if column == Column.MANAGER:
        return row.manager
    if column == Column.PHONE:
        return row.phone
    if column == Column.EMAIL:
        return row.email
    return format_datetime(row.updated_at)


class CustomerTableModel(QAbstractTableModel):
    """Rows come from CustomerService.list a page at a time; filtering and sorting run in SQL."""

    count_changed = Signal()
    _counted = Signal(int, int)  # generation, count: from the counting thread

    def __init__(self, service: CustomerService, actor: Actor, parent=None) -> None:
        super().__init__(parent)
        self._service = service
        self._actor = actor
        self._query = CustomerQuery()
        self._count = 0
        self._counting = False
        self._generation = 0  # which refresh a background count belongs to
        self.count_failed = False
        # One counting thread: a count for text typed since is skipped, not run beside the new one.
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._pages: OrderedDict[int, list[CustomerRow]] = OrderedDict()
        self._counted.connect(self._on_counted, Qt.ConnectionType.QueuedConnection)

    # -- what the view asks

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(Column)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        return _display(row, Column(index.column()))

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return _(HEADERS[Column(section)]) if 0 <= section < len(Column) else None
        return section + 1

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(Column):
            return
        query = replace(
            self._query, sort=SORT_KEYS[Column(column)], descending=order == Qt.SortOrder.DescendingOrder
        )
        if query != self._query:
            self.set_query(query)

    # -- what the page asks

    @property
    def query(self) -> CustomerQuery:
        return self._query

    def set_query(self, query: CustomerQuery) -> None:
        self._query = query
        self.refresh()

    @property
    def counting(self) -> bool:
        """True while the full count is still being made (the rows shown so far are the first page)."""
        return self._counting

    def refresh(self, keep_count: bool = False) -> None:
        """Forget cached rows and read the first page now; count the rest in the background.

        The first page of a search comes back at once even when it matches a hundred thousand
        customers; counting them all can take a few hundred milliseconds, which typing must not wait for.
        `keep_count` (a refresh after a write) keeps the old length until the new count is in, so the
        view keeps its scroll position.
        """
        previous = self._count
        # Read before the reset begins: if the database fails, the model stays as it was.
        first = self._service.list(self._actor, self._query, offset=0, limit=PAGE_SIZE)
        self._generation += 1
        self.count_failed = False
        self.beginResetModel()
        self._pages.clear()
        self._pages[0] = first
        self._counting = len(first) == PAGE_SIZE
        self._count = max(len(first), previous) if keep_count and self._counting else len(first)
        self.endResetModel()
        if self._counting:
            generation, query = self._generation, self._query
            self._pool.start(lambda: self._count_in_background(generation, query))
        self.count_changed.emit()

    def _count_in_background(self, generation: int, query: CustomerQuery) -> None:
        if generation != self._generation:
            return  # typed on since: this count would be thrown away
        try:
            count = self._service.count(self._actor, query)
        except Exception as exc:  # shown where the count would have been; the rows stay usable
            count = -1
            print(f"counting customers failed: {exc}", file=sys.stderr)
        with contextlib.suppress(RuntimeError):  # the model was closed meanwhile
            self._counted.emit(generation, count)

    def _on_counted(self, generation: int, count: int) -> None:
        if generation != self._generation:
            return  # an answer to a query that has since changed
        self._counting = False
        self.count_failed = count < 0
        if count > self._count:
            self.beginInsertRows(QModelIndex(), self._count, count - 1)
            self._count = count
            self.endInsertRows()
        elif 0 <= count < self._count:
            self.beginRemoveRows(QModelIndex(), count, self._count - 1)
            self._count = count
            self.endRemoveRows()
        self.count_changed.emit()

    def wait_for_count(self) -> None:
        """Block until the background count is in (for the command line of tests and benchmarks)."""
        while self._counting:
            self._pool.waitForDone(50)
            QCoreApplication.processEvents()

    def close(self) -> None:
        """Wait for a count still running, before the database it reads is closed."""
        self._generation += 1
        self._pool.waitForDone()

    def row_at(self, row: int) -> CustomerRow | None:
        if not 0 <= row < self._count:
            return None
        page_no, offset = divmod(row, PAGE_SIZE)
        page = self._pages.get(page_no)
        if page is None:
            page = self._service.list(self._actor, self._query, offset=page_no * PAGE_SIZE, limit=PAGE_SIZE)
            self._pages[page_no] = page
            while len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_no)
        return page[offset] if offset < len(page) else None

    def customer_id(self, row: int) -> uuid.UUID | None:
        found = self.row_at(row)
        return found.id if found else None

    def cached_rows(self) -> int:
        return sum(len(p) for p in self._pages.values())
