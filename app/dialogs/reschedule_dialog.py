"""Move a follow-up to another day: the new date and why (the reason goes into the file's history)."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.dialogs.form import FieldErrors, date_format
from app.i18n import _, format_date
from app.services.followups import FollowUpInfo

REASON_LIMIT = 200


class RescheduleDialog(QDialog):
    """Returns `due_on` and `reason`; the caller shows the service's errors with `show_errors` and runs
    the dialog again, so nothing typed is lost."""

    def __init__(self, parent: QWidget | None, follow_up: FollowUpInfo) -> None:
        super().__init__(parent)
        self.setObjectName("reschedule_dialog")
        self.setWindowTitle(_("Reschedule follow-up"))
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        about = QLabel(
            _("{purpose}\n{customer} ({code}), due {date}").format(
                purpose=follow_up.purpose,
                customer=follow_up.customer_name,
                code=follow_up.customer_code,
                date=format_date(follow_up.due_on),
            )
        )
        about.setObjectName("reschedule_about")
        about.setWordWrap(True)
        layout.addWidget(about)

        today = date.today()
        self.date_edit = QDateEdit()
        self.date_edit.setObjectName("reschedule_date")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat(date_format())
        # Moving a follow-up into the past would only make it overdue again.
        self.date_edit.setMinimumDate(QDate(today))
        self.date_edit.setDate(QDate(max(follow_up.due_on, today) + timedelta(days=1)))
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("reschedule_reason")
        self.reason_edit.setMaxLength(REASON_LIMIT)
        self.reason_edit.setPlaceholderText(_("Why it moves (goes into the customer's history)"))
        self.field_errors = FieldErrors("reschedule_error")
        form = QFormLayout()
        form.addRow(_("New date"), self.field_errors.under("due_on", self.date_edit))
        form.addRow(_("Reason *"), self.field_errors.under("reason", self.reason_edit))
        layout.addLayout(form)
        # An error that names no field here (the follow-up was done meanwhile, say).
        layout.addWidget(self.field_errors.general)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout.addWidget(buttons)
        self.reason_edit.setFocus()

    def show_errors(self, errors: dict[str, str]) -> None:
        self.field_errors.show(errors)

    @property
    def due_on(self) -> date:
        return self.date_edit.date().toPython()

    @property
    def reason(self) -> str:
        return self.reason_edit.text().strip()
