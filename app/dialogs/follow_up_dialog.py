"""Plan a follow-up by hand: when, who and what for."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.dialogs.form import FieldErrors, date_format, index_of
from app.i18n import _
from app.services.customers import StaffMember


class FollowUpDialog(QDialog):
    """Returns `due_on`, `owner_id` and `purpose_text`; `show_errors` shows the service's errors."""

    def __init__(
        self,
        parent: QWidget | None,
        customer: str,
        staff: list[StaffMember],
        owner: uuid.UUID | None,
        due_on: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("follow_up_dialog")
        self.setWindowTitle(_("Plan a follow-up"))
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        heading = QLabel(customer)
        heading.setStyleSheet("font-weight: bold;")
        layout.addWidget(heading)
        self.field_errors = FieldErrors("follow_up_error")
        form = QFormLayout()
        self.due = QDateEdit(QDate(due_on or date.today() + timedelta(days=7)))
        self.due.setObjectName("follow_up_due")
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat(date_format())
        form.addRow(_("Due on"), self.field_errors.under("due_on", self.due))
        self.owner = QComboBox()
        self.owner.setObjectName("follow_up_owner")
        for member in staff:
            if member.active:
                self.owner.addItem(member.name, member.id)
        self.owner.setCurrentIndex(max(index_of(self.owner, owner), 0))
        form.addRow(_("Owner"), self.field_errors.under("owner_id", self.owner))
        self.purpose = QLineEdit()
        self.purpose.setObjectName("follow_up_purpose")
        self.purpose.setPlaceholderText(_("e.g. present the new price list"))
        form.addRow(_("Purpose"), self.field_errors.under("purpose", self.purpose))
        layout.addLayout(form)
        layout.addWidget(self.field_errors.general)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.purpose.setFocus()

    @property
    def due_on(self) -> date:
        return self.due.date().toPython()

    @property
    def owner_id(self) -> uuid.UUID | None:
        return self.owner.currentData()

    @property
    def purpose_text(self) -> str:
        return self.purpose.text()

    def show_errors(self, errors: dict[str, str]) -> None:
        self.field_errors.show(errors)
