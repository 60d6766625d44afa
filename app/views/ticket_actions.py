"""Opening a complaint ticket from anywhere (the tickets page, a customer file, its timeline, a shortcut)."""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import QMessageBox, QWidget

from app.db import Database
from app.i18n import _
from app.services.actor import Actor
from app.services.complaints import TicketDetail
from app.services.customers import CustomerService
from app.services.errors import ServiceError
from app.views.contact_actions import CustomerPicker
from app.views.settings import Settings
from app.views.ticket_window import TicketDialog

GEOMETRY = "ticket_dialog"


def choose_customer(parent: QWidget, db: Database, actor: Actor) -> uuid.UUID | None:
    """Who complains, found by name, code, phone or pinyin as when logging a contact; None if cancelled."""
    picker = CustomerPicker(parent, CustomerService(db), actor, _("New complaint"))
    try:
        return picker.customer_id if picker.exec() else None
    finally:
        picker.deleteLater()


def new_ticket(
    parent: QWidget, db: Database, actor: Actor, settings: Settings, customer_id: uuid.UUID | None = None
) -> TicketDetail | None:
    """Record a complaint: the customer is asked for first when none is given. None if nothing was saved."""
    if customer_id is None:
        customer_id = choose_customer(parent, db, actor)
        if customer_id is None:
            return None
    dialog = TicketDialog(
        db,
        actor,
        customer_id=customer_id,
        parent=parent,
        pick_customer=lambda owner: choose_customer(owner, db, actor),
    )
    return _run(dialog, settings)


def open_ticket(
    parent: QWidget, db: Database, actor: Actor, settings: Settings, ticket_id: uuid.UUID
) -> TicketDetail | None:
    """Show a ticket to edit it and take its steps; the ticket as last saved, or None if nothing was."""
    try:
        dialog = TicketDialog(db, actor, ticket_id=ticket_id, parent=parent)
    except ServiceError as exc:  # removed meanwhile
        QMessageBox.warning(parent, _("Complaint ticket"), str(exc))
        return None
    return _run(dialog, settings)


def _run(dialog: TicketDialog, settings: Settings) -> TicketDetail | None:
    geometry = settings.geometry(GEOMETRY)
    if not geometry.isEmpty():
        dialog.restoreGeometry(geometry)
    try:
        dialog.exec()
        settings.set_geometry(GEOMETRY, dialog.saveGeometry())
        return dialog.detail if dialog.saved_any else None
    finally:
        dialog.deleteLater()  # parented to a long-lived window: without this each one would stay
