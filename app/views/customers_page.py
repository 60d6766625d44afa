"""The Customers page: search as you type, filters, a sortable lazily-filled table, delete with undo."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.db import DatabaseOpenError
from app.i18n import _, format_number
from app.services import labels
from app.services.actor import Actor
from app.services.customers import CustomerQuery, CustomerService
from app.services.errors import ServiceError
from app.views.customer_table_model import HEADERS, SORT_KEYS, Column, CustomerTableModel
from app.views.settings import Settings

SEARCH_DELAY_MS = 250
FILTERS = ("category", "tier", "industry", "region", "manager")


class SetDeletedCommand(QUndoCommand):
    """A delete (or restore) that has been done, as one undoable step: undo does the opposite.

    The page does the first write itself and pushes the command only when it succeeded, so a
    failed delete never lands on the stack. A failed undo or redo says why and leaves the stack.
    """

    def __init__(self, page: CustomersPage, ids: list[uuid.UUID], delete: bool, text: str) -> None:
        super().__init__(text)
        self._page = page
        self._ids = ids
        self._delete = delete
        self._done = True  # the first redo() (from QUndoStack.push) has already happened

    def _apply(self, delete: bool) -> None:
        if not self._page.set_deleted(self._ids, delete):
            self.setObsolete(True)

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self._apply(self._delete)

    def undo(self) -> None:
        self._apply(not self._delete)


class CustomersPage(QWidget):
    open_requested = Signal(object)  # a customer id, or None for a new customer
    status_changed = Signal(str)
    hint = Signal(str)  # a passing message, e.g. how to undo what was just done
    import_requested = Signal()

    def __init__(
        self,
        service: CustomerService,
        actor: Actor,
        settings: Settings,
        undo_stack: QUndoStack,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("CustomersPage")
        self._service = service
        self._actor = actor
        self._settings = settings
        self._undo = undo_stack
        self.model = CustomerTableModel(service, actor, self)
        self.model.count_changed.connect(self.announce)

        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(_("Search name, code, contact, phone, credit code or pinyin (Ctrl+F)"))
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(self._search_timer.start)
        self.search.returnPressed.connect(self._search_now)

        self.filters: dict[str, QComboBox] = {}
        for name in FILTERS:
            combo = QComboBox()
            combo.setObjectName(f"filter_{name}")
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMinimumContentsLength(6)
            self.filters[name] = combo
        self.filters["region"].setEditable(True)
        self.filters["region"].setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.clear_button = QPushButton(_("Clear filters"))
        self.clear_button.setObjectName("clear_filters")
        self.clear_button.clicked.connect(self.clear_filters)

        self.view_mode = QComboBox()
        self.view_mode.setObjectName("view_mode")
        self.view_mode.addItem(_("Customers"), False)
        self.view_mode.addItem(_("Deleted customers"), True)
        self.view_mode.currentIndexChanged.connect(self.apply_filters)

        self.table = QTableView()
        self.table.setObjectName("customers_table")
        self.table.setModel(self.model)
        # Qt's headers start out descending; a customer list starts at the first code. Sorting is
        # switched on only once the saved state is back, so the list is read once at start-up.
        self.table.horizontalHeader().setSortIndicator(Column.CODE, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.doubleClicked.connect(lambda index: self.open_selected())
        vertical = self.table.verticalHeader()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # uniform rows: no per-row measuring
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 10)
        vertical.hide()
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        self._default_widths()

        self.delete_button = QPushButton(_("Delete"))
        self.delete_button.setObjectName("delete_button")
        self.delete_button.clicked.connect(self.delete_selected)
        self.restore_button = QPushButton(_("Restore"))
        self.restore_button.setObjectName("restore_button")
        self.restore_button.clicked.connect(self.restore_selected)
        self.new_button = QPushButton(_("New customer"))
        self.new_button.setObjectName("new_button")
        self.new_button.clicked.connect(lambda: self.open_requested.emit(None))

        top = QHBoxLayout()
        top.addWidget(self.view_mode)
        top.addWidget(self.search, 3)
        filter_labels = {
            "category": _("Category"),
            "tier": _("Tier"),
            "industry": _("Industry"),
            "region": _("Region"),
            "manager": _("Account manager"),
        }
        for name, combo in self.filters.items():
            label = QLabel(filter_labels[name])
            label.setBuddy(combo)
            top.addWidget(label)
            top.addWidget(combo, 1)
        top.addWidget(self.clear_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.new_button)
        bottom.addWidget(self.delete_button)
        bottom.addWidget(self.restore_button)
        bottom.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        self.list_area = QStackedWidget()
        self.list_area.addWidget(self.table)
        self.list_area.addWidget(self._empty_hint())
        layout.addWidget(self.list_area, 1)
        layout.addLayout(bottom)

        self._build_actions()
        self.reload_filter_options()
        self._restore_state()
        for combo in self.filters.values():
            combo.currentIndexChanged.connect(self.apply_filters)
        self.filters["region"].lineEdit().editingFinished.connect(self.apply_filters)
        self.apply_filters()
        self.table.setSortingEnabled(True)  # asks the model to sort as it already does: no new read

    # -- set-up

    def _empty_hint(self) -> QWidget:
        """What a new database shows instead of an empty table: where customers come from."""
        hint = QWidget()
        hint.setObjectName("empty_hint")
        text = QLabel(
            _("No customers yet. Bring in the Excel sheet you keep them in, or enter the first one by hand.")
        )
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        import_button = QPushButton(_("Import from Excel… (Ctrl+I)"))
        import_button.setObjectName("empty_import")
        import_button.clicked.connect(self.import_requested)
        new_button = QPushButton(_("New customer (Ctrl+N)"))
        new_button.setObjectName("empty_new")
        new_button.clicked.connect(lambda: self.open_requested.emit(None))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(import_button)
        buttons.addWidget(new_button)
        buttons.addStretch(1)
        column = QVBoxLayout(hint)
        column.addStretch(1)
        column.addWidget(text)
        column.addLayout(buttons)
        column.addStretch(2)
        return hint

    def _default_widths(self) -> None:
        widths = {
            Column.CODE: 90,
            Column.NAME: 260,
            Column.SHORT_NAME: 90,
            Column.CATEGORY: 80,
            Column.TIER: 80,
            Column.INDUSTRY: 100,
            Column.CITY: 100,
            Column.MANAGER: 120,
            Column.PHONE: 120,
            Column.EMAIL: 180,
        }
        for column, width in widths.items():
            self.table.setColumnWidth(column, width)

    def _build_actions(self) -> None:
        self.open_action = QAction(_("Open"), self)
        self.open_action.setShortcuts([QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)])
        self.open_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.open_action.triggered.connect(self.open_selected)
        self.delete_action = QAction(_("Delete"), self)
        self.delete_action.setShortcut(QKeySequence.StandardKey.Delete)
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.delete_action.triggered.connect(self.delete_selected)
        self.restore_action = QAction(_("Restore"), self)
        self.restore_action.triggered.connect(self.restore_selected)
        self.table.addAction(self.open_action)
        self.table.addAction(self.delete_action)

    def reload_filter_options(self) -> None:
        options = self._service.filter_options(self._actor)
        choices = {
            "category": [(labels.label(labels.CATEGORY, k), k) for k in labels.CATEGORY],
            "tier": [
                (labels.label(labels.TIER_NAMES, k), k) for k in dict.fromkeys([*labels.TIER, *options.tiers])
            ],
            "industry": [(v, v) for v in options.industries],
            "region": [(v, v) for v in options.regions],
            "manager": [(m.name, str(m.id)) for m in options.managers],
        }
        for name, combo in self.filters.items():
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(_("All"), "")
            for text, value in choices[name]:
                combo.addItem(text, value)
            index = combo.findData(current) if current else 0
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)

    def _restore_state(self) -> None:
        header = self._settings.customers_header
        if not header.isEmpty():
            self.table.horizontalHeader().restoreState(header)
        saved = self._settings.customers_filter
        self.search.blockSignals(True)
        self.search.setText(saved.get("text", ""))
        self.search.blockSignals(False)
        for name, combo in self.filters.items():
            value = saved.get(name, "")
            index = combo.findData(value) if value else 0
            combo.setCurrentIndex(max(index, 0))
            if index < 0 and combo.isEditable():
                combo.setEditText(value)  # a region typed by hand

    def save_state(self) -> None:
        self._settings.customers_header = self.table.horizontalHeader().saveState()
        self._settings.customers_filter = self.filter_values()

    # -- filtering

    def filter_values(self) -> dict[str, str]:
        values = {"text": self.search.text().strip()}
        for name, combo in self.filters.items():
            data = combo.currentData()
            if name == "region" and combo.currentText() and combo.findText(combo.currentText()) < 0:
                data = combo.currentText().strip()  # a region typed by hand
            elif name == "region" and not combo.currentText():
                data = ""
            values[name] = data or ""
        return values

    def _search_now(self) -> None:
        self._search_timer.stop()
        self.apply_filters()

    def apply_filters(self) -> None:
        self._search_timer.stop()
        values = self.filter_values()
        header = self.table.horizontalHeader()
        query = CustomerQuery(
            text=values["text"],
            category=values["category"],
            tier=values["tier"],
            industry=values["industry"],
            region=values["region"],
            manager_id=uuid.UUID(values["manager"]) if values["manager"] else None,
            deleted=bool(self.view_mode.currentData()),
            sort=SORT_KEYS.get(header.sortIndicatorSection(), "code"),
            descending=header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder,
        )
        deleted_view = query.deleted
        self.delete_button.setVisible(not deleted_view)
        self.restore_button.setVisible(deleted_view)
        self.new_button.setVisible(not deleted_view)
        self.model.set_query(query)
        self._settings.customers_filter = values

    def clear_filters(self) -> None:
        for combo in self.filters.values():
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.filters["region"].setEditText("")
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.apply_filters()

    def announce(self) -> None:
        """Say in the status bar how many customers the list holds."""
        if self.model.counting:
            count = _("counting…")
        elif self.model.count_failed:
            count = _("count unavailable (the first {count} are shown)").format(count=self.model.rowCount())
        else:
            count = format_number(self.model.rowCount())
        if self.model.query.deleted:
            text = _("Deleted customers: {count}").format(count=count)
        elif any(v for v in self.filter_values().values()):
            text = _("Matching customers: {count}").format(count=count)
        else:
            text = _("Customers: {count}").format(count=count)
        self.status_changed.emit(text)
        # Only an unfiltered, empty list of live customers is a database without customers.
        empty = (
            not self.model.counting
            and self.model.rowCount() == 0
            and not self.model.query.deleted
            and not any(self.filter_values().values())
        )
        self.list_area.setCurrentIndex(1 if empty else 0)

    def refresh(self) -> None:
        """Re-read after a write, keeping the scroll position and the selected customer if possible."""
        selected = self.selected_ids()
        scroll = self.table.verticalScrollBar().value()
        self.model.refresh(keep_count=True)
        self.table.verticalScrollBar().setValue(scroll)
        if selected:
            self._reselect(selected[0])

    def _reselect(self, customer_id: uuid.UUID) -> None:
        first = self.table.rowAt(0)
        last = self.table.rowAt(self.table.viewport().height() - 1)
        if first < 0:
            return
        last = last if last >= 0 else self.model.rowCount() - 1
        for row in range(first, last + 1):
            if self.model.customer_id(row) == customer_id:
                self.table.selectionModel().select(
                    self.model.index(row, 0),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
                )
                self.table.setCurrentIndex(self.model.index(row, 0))
                return

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # -- acting on the selection

    def selected_ids(self) -> list[uuid.UUID]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [cid for cid in (self.model.customer_id(r) for r in rows) if cid is not None]

    def open_selected(self) -> None:
        index: QModelIndex = self.table.currentIndex()
        ids = self.selected_ids() or ([self.model.customer_id(index.row())] if index.isValid() else [])
        for customer_id in ids[:10]:  # opening hundreds of windows by accident helps no one
            if customer_id is not None:
                self.open_requested.emit(customer_id)

    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if not ids or self.model.query.deleted:
            return
        name = self.model.row_at(self.table.currentIndex().row())
        text = (
            _("Delete {name}").format(name=name.name)
            if len(ids) == 1 and name
            else _("Delete {count} customers").format(count=len(ids))
        )
        if self.set_deleted(ids, True):
            self._undo.push(SetDeletedCommand(self, ids, True, text))
            self.hint.emit(_("{text}: done. Press Ctrl+Z to undo.").format(text=text))

    def restore_selected(self) -> None:
        ids = self.selected_ids()
        if not ids or not self.model.query.deleted:
            return
        text = _("Restore {count} customers").format(count=len(ids))
        if self.set_deleted(ids, False):
            self._undo.push(SetDeletedCommand(self, ids, False, text))

    def set_deleted(self, ids: list[uuid.UUID], delete: bool) -> bool:
        """Delete or restore; a failure is shown and reported as False (nothing was changed)."""
        try:
            if delete:
                self._service.delete(self._actor, ids)
            else:
                self._service.restore(self._actor, ids)
        except (ServiceError, DatabaseOpenError) as exc:
            QMessageBox.warning(self, _("Cannot delete") if delete else _("Cannot restore"), str(exc))
            return False
        return True

    def shown_columns(self) -> list[Column]:
        """The columns the list shows, in the order they are shown (the user may move and hide them)."""
        header = self.table.horizontalHeader()
        logical = (header.logicalIndex(visual) for visual in range(header.count()))
        return [Column(i) for i in logical if 0 <= i < len(Column) and not header.isSectionHidden(i)]

    def _header_menu(self, pos) -> None:
        """Right-click on the header: show or hide columns (what the list shows is what gets exported)."""
        header = self.table.horizontalHeader()
        shown = self.shown_columns()
        menu = QMenu(self)
        for visual in range(header.count()):
            column = Column(header.logicalIndex(visual))
            action = menu.addAction(_(HEADERS[column]))
            action.setCheckable(True)
            action.setChecked(column in shown)
            action.setEnabled(column not in shown or len(shown) > 1)  # one column at least stays
            action.toggled.connect(lambda on, c=column: header.setSectionHidden(c, not on))
        menu.exec(header.mapToGlobal(pos))

    def _context_menu(self, pos) -> None:
        menu = QMenu(self)
        if self.model.query.deleted:
            menu.addAction(self.restore_action)
        else:
            menu.addAction(self.open_action)
            menu.addAction(self.delete_action)
        menu.exec(self.table.viewport().mapToGlobal(pos))
