"""The complaint tickets page: the most urgent first, with the time left or overdue, filtered in SQL."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import IntEnum

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.db import Database
from app.dialogs.form import OptionalDateEdit
from app.i18n import N_, _, format_minute, format_number
from app.models import utcnow
from app.services import events, labels
from app.services.actor import Actor
from app.services.complaints import ComplaintService, TicketFilter, TicketRow, time_left_text
from app.services.customers import CustomerService
from app.services.errors import ServiceError
from app.views import ticket_actions
from app.views.qt_events import ReloadWhenShown
from app.views.settings import Settings
from app.views.tables import RETURN_KEYS, RIGHT, add_table_action, current_row, keep_header, list_table
from app.views.ticket_window import escalation_text, time_left_colour

LIMIT = 500  # rows listed; the count above the list says how many match in all
SEARCH_DELAY_MS = 300
CLOCK_MS = 60_000  # the time left is worked out again each minute while the page is shown
RELOAD_ON = frozenset({"complaint", "complaint_category", "customer", "staff"})
# The status filter: the open tickets, the overdue ones, all, or one status.
OPEN, OVERDUE, ALL = "open", "overdue", "all"
STATUS_CHOICES = {OPEN: N_("Unresolved"), OVERDUE: N_("Overdue"), ALL: N_("All statuses")}


class Column(IntEnum):
    NUMBER = 0
    CUSTOMER = 1
    CATEGORY = 2
    SEVERITY = 3
    STATUS = 4
    RECEIVED = 5
    DEADLINE = 6
    TIME_LEFT = 7
    RESPONSIBLE = 8
    ESCALATION = 9


HEADERS = {
    Column.NUMBER: N_("#"),
    Column.CUSTOMER: N_("Customer"),
    Column.CATEGORY: N_("Complaint category"),
    Column.SEVERITY: N_("Severity"),
    Column.STATUS: N_("Status"),
    Column.RECEIVED: N_("Received at"),
    Column.DEADLINE: N_("Deadline"),
    Column.TIME_LEFT: N_("Time left"),
    Column.RESPONSIBLE: N_("Responsible"),
    Column.ESCALATION: N_("Escalation"),
}
WIDTHS = {
    Column.NUMBER: 60,
    Column.CUSTOMER: 220,
    Column.CATEGORY: 130,
    Column.SEVERITY: 70,
    Column.STATUS: 100,
    Column.RECEIVED: 150,
    Column.DEADLINE: 150,
    Column.TIME_LEFT: 165,
    Column.RESPONSIBLE: 90,
    Column.ESCALATION: 150,
}


class TicketsModel(QAbstractTableModel):
    """A page of ticket rows (the service's order: open ones by deadline, then the handled ones); each
    cell's text is made when it is shown, so 500 rows fill at once. `now` is what the time left counts
    from; `set_now` moves it on without reading the rows again."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[TicketRow] = []
        self.now = utcnow()

    def set_rows(self, rows: list[TicketRow], now: datetime | None = None) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.now = now or utcnow()
        self.endResetModel()

    def set_now(self, now: datetime) -> None:
        self.now = now
        if self.rows:
            self.dataChanged.emit(
                self.index(0, Column.TIME_LEFT),
                self.index(len(self.rows) - 1, Column.TIME_LEFT),
                [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole],
            )

    def row_at(self, row: int) -> TicketRow:
        return self.rows[row]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _(HEADERS[Column(section)])
        if role == Qt.ItemDataRole.TextAlignmentRole and section == Column.NUMBER:
            return int(RIGHT)
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == Column.TIME_LEFT:
            left = row.time_left(self.now)
            return None if left is None else QBrush(QColor(time_left_colour(left)))
        if role == Qt.ItemDataRole.TextAlignmentRole and column == Column.NUMBER:
            return int(RIGHT)
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.description or None
        return None

    def text(self, row: TicketRow, column: Column) -> str:
        if column == Column.NUMBER:
            return str(row.number)
        if column == Column.CUSTOMER:
            return row.customer_name
        if column == Column.CATEGORY:
            return row.category
        if column == Column.SEVERITY:
            return labels.label(labels.COMPLAINT_SEVERITY, row.severity)
        if column == Column.STATUS:
            return labels.label(labels.COMPLAINT_STATUS, row.status)
        if column == Column.RECEIVED:
            return format_minute(row.received_at)
        if column == Column.DEADLINE:
            return format_minute(row.due_at)
        if column == Column.TIME_LEFT:
            left = row.time_left(self.now)
            return "" if left is None else time_left_text(left)
        if column == Column.RESPONSIBLE:
            return row.responsible
        return escalation_text(row.escalation_level)


def ticket_table(name: str, model: TicketsModel) -> QTableView:
    """A read-only list of tickets, one selected at a time, in the service's order."""
    table = list_table(name, model, stretch_last=True)
    for column, width in WIDTHS.items():
        table.horizontalHeader().resizeSection(column, width)
    return table


def add_open_action(table: QTableView, slot) -> None:
    """Enter (as a double-click) opens the selected ticket."""
    add_table_action(table, _("Open"), RETURN_KEYS, slot)
    table.doubleClicked.connect(lambda _index: slot())


def current_ticket(table: QTableView) -> TicketRow | None:
    return current_row(table)


def select_ticket(table: QTableView, ticket_id: uuid.UUID | None) -> None:
    model = table.model()
    for row in range(model.rowCount()):
        if model.row_at(row).id == ticket_id:
            table.selectRow(row)
            return


class TicketsPage(QWidget):
    """Every complaint ticket the filters let through; double-click or Enter opens one."""

    open_customer = Signal(object)  # a customer's id
    message = Signal(str)  # a passing message for the status bar

    def __init__(self, db: Database, actor: Actor, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TicketsPage")
        self.db = db
        self.actor = actor
        self.settings = settings
        self.service = ComplaintService(db)
        self.customers = CustomerService(db)
        self._options_stale = True  # categories and staff are read again after a change to them
        self._saved = settings.tickets_filter  # chosen again once the combos hold their choices
        self._reloader = ReloadWhenShown(self, lambda: self.reload())  # when first shown, and after changes
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.reload)
        self._clock = QTimer(self)
        self._clock.setInterval(CLOCK_MS)
        self._clock.timeout.connect(lambda: self.model.set_now(utcnow()))

        heading = QLabel(_("Complaint tickets"))
        heading.setObjectName("tickets_heading")
        font = heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.35)
        heading.setFont(font)

        self.status_filter = QComboBox()
        self.status_filter.setObjectName("tickets_status")
        for key, text in STATUS_CHOICES.items():
            self.status_filter.addItem(_(text), key)
        for key, text in labels.COMPLAINT_STATUS.items():
            self.status_filter.addItem(_(text), key)
        self.category_filter = self._combo("tickets_category", _("All categories"))
        self.severity_filter = self._combo("tickets_severity", _("All severities"))
        for key, text in labels.COMPLAINT_SEVERITY.items():
            self.severity_filter.addItem(_(text), key)
        self.responsible_filter = self._combo("tickets_responsible", _("Anyone responsible"))
        self.search = QLineEdit()
        self.search.setObjectName("tickets_search")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(_("Number, customer code or name, or words of the description"))
        self.received_from = OptionalDateEdit()
        self.received_from.setObjectName("tickets_from")
        self.received_to = OptionalDateEdit()
        self.received_to.setObjectName("tickets_to")
        self.clear_button = QPushButton(_("Clear filters"))
        self.clear_button.setObjectName("tickets_clear")
        self.clear_button.clicked.connect(self.clear_filters)
        self._restore_filters()
        for combo in (
            self.status_filter,
            self.category_filter,
            self.severity_filter,
            self.responsible_filter,
        ):
            combo.currentIndexChanged.connect(lambda _index: self.reload())
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self.reload)
        for edit in (self.received_from, self.received_to):
            edit.dateChanged.connect(lambda _date: self.reload())

        top = QHBoxLayout()
        top.addWidget(heading, 1)
        top.addWidget(self.status_filter)
        top.addWidget(self.category_filter)
        top.addWidget(self.severity_filter)
        top.addWidget(self.responsible_filter)
        second = QHBoxLayout()
        second.addWidget(self.search, 1)
        received = QLabel(_("Received from"))
        received.setBuddy(self.received_from)
        second.addWidget(received)
        second.addWidget(self.received_from)
        second.addWidget(QLabel(_("to")))
        second.addWidget(self.received_to)
        second.addWidget(self.clear_button)

        self.count = QLabel()
        self.count.setObjectName("tickets_count")
        self.model = TicketsModel(self)
        self.table = ticket_table("tickets_table", self.model)
        keep_header(settings, self.table, "tickets/list")
        add_open_action(self.table, self.open_current)
        self.table.selectionModel().selectionChanged.connect(lambda *_args: self._update_buttons())

        self.new_button = QPushButton(_("New ticket…"))
        self.new_button.setObjectName("tickets_new")
        self.new_button.clicked.connect(lambda: self.new_ticket())
        self.open_button = QPushButton(_("Open"))
        self.open_button.setObjectName("tickets_open")
        self.open_button.setToolTip(_("Open the ticket (Enter)"))
        self.open_button.clicked.connect(self.open_current)
        self.customer_button = QPushButton(_("Open customer"))
        self.customer_button.setObjectName("tickets_open_customer")
        self.customer_button.clicked.connect(self._open_customer)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.customer_button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(second)
        layout.addWidget(self.count)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._update_buttons()

    @staticmethod
    def _combo(name: str, everything: str) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        combo.addItem(everything, "")
        return combo

    # -- filters

    def _restore_filters(self) -> None:
        saved = self._saved
        self.status_filter.setCurrentIndex(max(self.status_filter.findData(saved.get("status", OPEN)), 0))
        self.severity_filter.setCurrentIndex(max(self.severity_filter.findData(saved.get("severity", "")), 0))
        self.search.setText(saved.get("text", ""))
        for edit, key in ((self.received_from, "from"), (self.received_to, "to")):
            try:
                edit.set_value(date.fromisoformat(saved[key]) if saved.get(key) else None)
            except ValueError:
                edit.set_value(None)  # a hand-edited settings file

    def _fill_options(self) -> None:
        """The categories and the staff to filter by, keeping (or, the first time, restoring) the choice."""
        self._options_stale = False
        categories = self.service.categories(self.actor)
        staff = [m for m in self.customers.staff(self.actor) if m.active]
        for combo, key, items in (
            (self.category_filter, "category", [(c.name, str(c.id)) for c in categories]),
            (self.responsible_filter, "responsible", [(m.name, str(m.id)) for m in staff]),
        ):
            wanted = self._saved.get(key, "") if self._saved is not None else combo.currentData()
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for text, value in items:
                combo.addItem(text, value)
            combo.setCurrentIndex(max(combo.findData(wanted), 0))
            combo.blockSignals(False)
        self._saved = None

    def filter_values(self) -> dict[str, str]:
        """The filters as settings keep them."""
        start, end = self.received_from.value(), self.received_to.value()
        return {
            "status": self.status_filter.currentData(),
            "category": self.category_filter.currentData() or "",
            "severity": self.severity_filter.currentData() or "",
            "responsible": self.responsible_filter.currentData() or "",
            "text": self.search.text().strip(),
            "from": start.isoformat() if start else "",
            "to": end.isoformat() if end else "",
        }

    def ticket_filter(self, now: datetime) -> TicketFilter:
        values = self.filter_values()
        status = values["status"]
        category, responsible = values["category"], values["responsible"]
        return TicketFilter(
            statuses=() if status in STATUS_CHOICES else (status,),
            open_only=status == OPEN,
            overdue_only=status == OVERDUE,
            category_id=uuid.UUID(category) if category else None,
            severity=values["severity"],
            responsible_staff_id=uuid.UUID(responsible) if responsible else None,
            text=values["text"],
            received_from=self.received_from.value(),
            received_to=self.received_to.value(),
            as_of=now,
        )

    def set_status_filter(self, key: str) -> None:
        """Show the tickets of one status key: open, overdue, all, or a ticket status."""
        self.status_filter.setCurrentIndex(max(self.status_filter.findData(key), 0))

    def clear_filters(self) -> None:
        """Back to the open tickets of every kind."""
        for widget in (
            self.status_filter,
            self.category_filter,
            self.severity_filter,
            self.responsible_filter,
        ):
            widget.blockSignals(True)
            widget.setCurrentIndex(0)
            widget.blockSignals(False)
        for edit in (self.received_from, self.received_to, self.search):
            edit.blockSignals(True)
        self.search.clear()
        self.received_from.set_value(None)
        self.received_to.set_value(None)
        for edit in (self.received_from, self.received_to, self.search):
            edit.blockSignals(False)
        self.reload()

    # -- loading

    def showEvent(self, event: QShowEvent) -> None:
        if self._reloader.stale:
            self.reload()
        else:
            self.model.set_now(utcnow())
        self._clock.start()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        self._clock.stop()
        super().hideEvent(event)

    def on_change(self, change: events.Change) -> None:
        """A write anywhere: read the list again when it touches tickets, at once if shown."""
        if change.entity in RELOAD_ON:
            if change.entity in ("complaint_category", "staff"):
                self._options_stale = True
            self._reloader.request()

    def reload(self) -> None:
        """Read the first 500 tickets that match (≤ 300 ms on 200,000 tickets)."""
        self._reloader.reloading()
        self._search_timer.stop()
        try:
            if self._options_stale:
                self._fill_options()
            now = utcnow()
            page = self.service.list(self.actor, self.ticket_filter(now), limit=LIMIT)
        except ServiceError as exc:
            self.message.emit(str(exc))
            return
        kept = current_ticket(self.table)
        self.model.set_rows(page.rows, now)
        if kept is not None:
            select_ticket(self.table, kept.id)
        self.count.setText(self._count_text(page.total, len(page.rows)))
        self.settings.tickets_filter = self.filter_values()
        self._update_buttons()

    @staticmethod
    def _count_text(total: int, shown: int) -> str:
        if not total:
            return _("No ticket matches the filters.")
        if shown < total:
            return _("Showing the first {shown} of {total} tickets").format(
                shown=format_number(shown), total=format_number(total)
            )
        return _("{total} tickets").format(total=format_number(total))

    # -- actions

    def current_ticket(self) -> TicketRow | None:
        return current_ticket(self.table)

    def _update_buttons(self) -> None:
        chosen = self.current_ticket() is not None
        self.open_button.setEnabled(chosen)
        self.customer_button.setEnabled(chosen)

    def new_ticket(self, customer_id: uuid.UUID | None = None) -> None:
        """Record a complaint; the customer is asked for when none is given."""
        detail = ticket_actions.new_ticket(self, self.db, self.actor, self.settings, customer_id)
        if detail is not None:
            self.message.emit(_("Complaint #{number} recorded.").format(number=detail.number))
            self._reloader.request()

    def open_ticket(self, ticket_id: uuid.UUID) -> None:
        if ticket_actions.open_ticket(self, self.db, self.actor, self.settings, ticket_id) is not None:
            self._reloader.request()

    def open_current(self) -> None:
        chosen = self.current_ticket()
        if chosen is not None:
            self.open_ticket(chosen.id)

    def _open_customer(self) -> None:
        chosen = self.current_ticket()
        if chosen is not None:
            self.open_customer.emit(chosen.customer_id)
