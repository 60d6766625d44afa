"""Logging and editing a contact from anywhere (customer file, My day, a shortcut), and picking a customer."""

from __future__ import annotations

import uuid
from datetime import date

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from app.db import Database
from app.dialogs.contact_log_dialog import ContactLogContext, ContactLogDialog
from app.dialogs.reschedule_dialog import RescheduleDialog
from app.i18n import _, format_date
from app.services.actor import Actor
from app.services.contacts import ContactLogDetail, ContactLogInput, ContactService
from app.services.customers import CustomerQuery, CustomerService
from app.services.errors import ServiceError, ValidationError
from app.services.followups import FollowUpInfo, FollowUpService, contact_plan

PICKER_ROWS = 30


def log_context(db: Database, actor: Actor, customer_id: uuid.UUID, new: bool) -> ContactLogContext:
    customers = CustomerService(db)
    detail = customers.get(actor, customer_id)
    follow_ups = FollowUpService(db).for_customer(actor, customer_id) if new else []
    return ContactLogContext(
        customer=f"{detail.data.name} ({detail.data.code})",
        persons=customers.contacts(actor, customer_id),
        staff=customers.staff(actor),
        follow_ups=follow_ups,
        proposal=ContactService(db).proposed_next(actor, customer_id) if new else None,
        me=actor.staff_id,
        plan=contact_plan(follow_ups, date.today()),
    )


def _run(parent: QWidget, dialog: ContactLogDialog, save) -> ContactLogDetail | None:
    """Show the dialog until the service takes its input or the user cancels; nothing typed is lost."""
    try:
        while dialog.exec() == QDialog.DialogCode.Accepted:
            try:
                return save(dialog.value())
            except ValidationError as exc:
                dialog.show_errors(exc.errors)
            except ServiceError as exc:
                QMessageBox.warning(parent, _("Contact log"), str(exc))
        return None
    finally:
        dialog.deleteLater()  # parented to a long-lived window: without this each one would stay


def log_contact(
    parent: QWidget, db: Database, actor: Actor, customer_id: uuid.UUID, preset: ContactLogInput | None = None
) -> ContactLogDetail | None:
    """Ask for a new contact with this customer and record it; None if cancelled."""
    try:
        context = log_context(db, actor, customer_id, new=True)
    except ServiceError as exc:
        QMessageBox.warning(parent, _("Contact log"), str(exc))
        return None
    dialog = ContactLogDialog(parent, context, preset)
    return _run(parent, dialog, lambda data: ContactService(db).log(actor, customer_id, data))


def open_contact_log(
    parent: QWidget, db: Database, actor: Actor, log_id: uuid.UUID
) -> ContactLogDetail | None:
    """Show a log; its author (within the edit window) or a manager may change it."""
    service = ContactService(db)
    try:
        detail = service.get(actor, log_id)
        context = log_context(db, actor, detail.customer_id, new=False)
    except ServiceError as exc:
        QMessageBox.warning(parent, _("Contact log"), str(exc))
        return None
    reason = ""
    if not detail.can_edit:
        reason = _(
            "Logged by {author}. A contact log can be changed by its author for {days} days, "
            "then only by a manager."
        ).format(author=detail.author or _("someone else"), days=service.edit_window(actor))
    dialog = ContactLogDialog(parent, context, detail.data, read_only_reason=reason)
    if reason:
        dialog.exec()
        dialog.deleteLater()
        return None
    return _run(parent, dialog, lambda data: service.update(actor, log_id, data, detail.version))


def reschedule_follow_up(
    parent: QWidget, db: Database, actor: Actor, follow_up: FollowUpInfo
) -> FollowUpInfo | None:
    """Ask for the new date and why, then move the follow-up; None if cancelled or refused."""
    dialog = RescheduleDialog(parent, follow_up)
    try:
        while dialog.exec() == QDialog.DialogCode.Accepted:
            try:
                return FollowUpService(db).reschedule(
                    actor, follow_up.id, dialog.due_on, dialog.reason, follow_up.version
                )
            except ValidationError as exc:
                dialog.show_errors(exc.errors)
            except ServiceError as exc:  # changed or removed by someone else meanwhile
                QMessageBox.warning(parent, _("Reschedule follow-up"), str(exc))
                return None
        return None
    finally:
        dialog.deleteLater()


def cancel_follow_up(parent: QWidget, db: Database, actor: Actor, follow_up: FollowUpInfo) -> bool:
    reason, ok = QInputDialog.getText(
        parent,
        _("Cancel follow-up"),
        _("Why is the follow-up “{purpose}” no longer needed?").format(purpose=follow_up.purpose),
    )
    while ok:
        try:
            FollowUpService(db).cancel(actor, follow_up.id, reason, follow_up.version)
            return True
        except ServiceError as exc:
            reason, ok = QInputDialog.getText(parent, _("Cancel follow-up"), str(exc), text=reason)
    return False


def change_follow_up(parent: QWidget, db: Database, actor: Actor, follow_up_id: uuid.UUID) -> None:
    """An open follow-up from the timeline: log the contact that does it, move it, or cancel it."""
    try:
        follow_up = FollowUpService(db).get(actor, follow_up_id)
    except ServiceError as exc:
        QMessageBox.warning(parent, _("Follow-up"), str(exc))
        return
    if follow_up.status != "open":
        return
    box = QMessageBox(parent)
    box.setWindowTitle(_("Follow-up"))
    box.setText(
        _("{purpose}\nDue {date} · {owner}").format(
            purpose=follow_up.purpose, date=format_date(follow_up.due_on), owner=follow_up.owner
        )
    )
    log = box.addButton(_("Log it…"), QMessageBox.ButtonRole.AcceptRole)
    move = box.addButton(_("Reschedule…"), QMessageBox.ButtonRole.ActionRole)
    drop = box.addButton(_("Cancel follow-up…"), QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Close)
    box.exec()
    if box.clickedButton() is log:
        preset = ContactLogInput(subject=follow_up.purpose, completes=follow_up.id)
        log_contact(parent, db, actor, follow_up.customer_id, preset)
    elif box.clickedButton() is move:
        reschedule_follow_up(parent, db, actor, follow_up)
    elif box.clickedButton() is drop:
        cancel_follow_up(parent, db, actor, follow_up)


class CustomerPicker(QDialog):
    """Find a customer by name, code, phone or pinyin, for an action begun without one open."""

    def __init__(self, parent: QWidget | None, service: CustomerService, actor: Actor, title: str) -> None:
        super().__init__(parent)
        self.setObjectName("customer_picker")
        self.setWindowTitle(title)
        self.resize(520, 420)
        self._service = service
        self._actor = actor
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("Which customer? Type a name, code, phone or pinyin initials.")))
        self.search = QLineEdit()
        self.search.setObjectName("picker_search")
        self.search.setClearButtonEnabled(True)
        layout.addWidget(self.search)
        self.results = QListWidget()
        self.results.setObjectName("picker_results")
        layout.addWidget(self.results, 1)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout.addWidget(buttons)
        self._timer = QTimer(self, singleShot=True, interval=200)
        self._timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._timer.start)
        self.search.returnPressed.connect(self.accept)
        self.results.itemDoubleClicked.connect(lambda _item: self.accept())
        self.results.currentRowChanged.connect(lambda row: self.ok.setEnabled(row >= 0))
        self.refresh()

    def refresh(self) -> None:
        rows = self._service.list(
            self._actor, CustomerQuery(text=self.search.text()), offset=0, limit=PICKER_ROWS
        )
        self.results.clear()
        for row in rows:
            item = QListWidgetItem(f"{row.code}  {row.name}" + (f"  · {row.manager}" if row.manager else ""))
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            self.results.addItem(item)
        self.results.setCurrentRow(0 if rows else -1)
        self.ok.setEnabled(bool(rows))

    def keyPressEvent(self, event) -> None:
        # Up and Down move through the results while typing continues in the search box.
        if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.results.keyPressEvent(event)
            return
        super().keyPressEvent(event)

    @property
    def customer_id(self) -> uuid.UUID | None:
        item = self.results.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None
