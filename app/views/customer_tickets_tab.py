"""A customer file's Complaints tab: the customer's tickets, open ones first, and a new complaint."""

from __future__ import annotations

import uuid

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.db import Database
from app.i18n import _, format_number
from app.services.actor import Actor
from app.services.complaints import ComplaintService
from app.services.errors import ServiceError
from app.views import ticket_actions
from app.views.qt_events import ReloadWhenShown
from app.views.settings import Settings
from app.views.tables import keep_header
from app.views.tickets_page import (
    Column,
    TicketsModel,
    add_open_action,
    current_ticket,
    select_ticket,
    ticket_table,
)


class CustomerTicketsTab(QWidget):
    """The tickets page's list for one customer (without the customer column); the customer window sets
    the customer and asks for a reload after changes to complaints (read once shown)."""

    def __init__(self, db: Database, actor: Actor, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("customer_tickets_tab")
        self.db = db
        self.actor = actor
        self.settings = settings
        self.service = ComplaintService(db)
        self.customer_id: uuid.UUID | None = None

        self.new_button = QPushButton(_("New complaint…"))
        self.new_button.setObjectName("customer_new_complaint")
        self.new_button.clicked.connect(self.new_ticket)
        self.open_button = QPushButton(_("Open"))
        self.open_button.setObjectName("customer_open_complaint")
        self.open_button.setToolTip(_("Open the ticket (Enter)"))
        self.open_button.clicked.connect(self.open_current)
        self.count = QLabel()
        self.count.setObjectName("customer_tickets_count")
        bar = QHBoxLayout()
        bar.addWidget(self.new_button)
        bar.addWidget(self.open_button)
        bar.addStretch(1)
        bar.addWidget(self.count)

        self.model = TicketsModel(self)
        self.table = ticket_table("customer_tickets_table", self.model)
        keep_header(settings, self.table, "tickets/customer")
        self.table.setColumnHidden(Column.CUSTOMER, True)  # whose they are is the file's heading
        add_open_action(self.table, self.open_current)
        self.table.selectionModel().selectionChanged.connect(lambda *_args: self._update_buttons())

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        self._reloader = ReloadWhenShown(self, self.reload)
        self._update_buttons()

    def set_customer(self, customer_id: uuid.UUID | None) -> None:
        self.customer_id = customer_id
        self.request_reload()

    def request_reload(self) -> None:
        """Read the list again: at once if the tab is shown, else when it is (a burst of changes, once)."""
        self._reloader.request()

    def showEvent(self, event: QShowEvent) -> None:
        if self._reloader.stale:
            self.reload()
        super().showEvent(event)

    def reload(self) -> None:
        self._reloader.reloading()
        if self.customer_id is None:
            self.model.set_rows([])
            self.count.clear()
            return
        kept = current_ticket(self.table)
        try:
            rows = self.service.for_customer(self.actor, self.customer_id)
        except ServiceError as exc:
            self.count.setText(str(exc))
            return
        self.model.set_rows(rows)
        if kept is not None:
            select_ticket(self.table, kept.id)
        still_open = sum(1 for row in rows if row.is_open)
        self.count.setText(
            _("{count} complaints, {open} open").format(
                count=format_number(len(rows)), open=format_number(still_open)
            )
        )
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.new_button.setEnabled(self.customer_id is not None)
        self.open_button.setEnabled(current_ticket(self.table) is not None)

    def new_ticket(self) -> None:
        if self.customer_id is not None:
            ticket_actions.new_ticket(self, self.db, self.actor, self.settings, self.customer_id)
            self.reload()  # at once, whether or not the window hears of the change first

    def open_current(self) -> None:
        chosen = current_ticket(self.table)
        if chosen is not None:
            ticket_actions.open_ticket(self, self.db, self.actor, self.settings, chosen.id)
