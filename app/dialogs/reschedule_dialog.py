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

from app.dialogs.form import ERROR_STYLE, ERROR_TEXT, date_format
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
        self.errors: dict[str, QLabel] = {}
        self._widgets: dict[str, QWidget] = {"due_on": self.date_edit, "reason": self.reason_edit}
        form = QFormLayout()
        form.addRow(_("New date"), self._with_error("due_on", self.date_edit))
        form.addRow(_("Reason *"), self._with_error("reason", self.reason_edit))
        layout.addLayout(form)
        # An error that names no field here (the follow-up was done meanwhile, say).
        self.general_error = QLabel()
        self.general_error.setObjectName("reschedule_error")
        self.general_error.setStyleSheet(ERROR_TEXT)
        self.general_error.setWordWrap(True)
        self.general_error.hide()
        layout.addWidget(self.general_error)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout.addWidget(buttons)
        self.reason_edit.setFocus()

    def _with_error(self, name: str, widget: QWidget) -> QWidget:
        cell = QWidget()
        box = QVBoxLayout(cell)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(widget)
        label = QLabel()
        label.setObjectName(f"error_{name}")
        label.setStyleSheet(ERROR_TEXT)
        label.setWordWrap(True)
        label.hide()
        box.addWidget(label)
        self.errors[name] = label
        return cell

    def show_errors(self, errors: dict[str, str]) -> None:
        for name, label in self.errors.items():
            label.setText(errors.get(name, ""))
            label.setVisible(name in errors)
            self._widgets[name].setStyleSheet(ERROR_STYLE if name in errors else "")
        others = [message for name, message in errors.items() if name not in self._widgets]
        self.general_error.setText("\n".join(others))
        self.general_error.setVisible(bool(others))
        first = next((self._widgets[n] for n in errors if n in self._widgets), None)
        if first is not None:
            first.setFocus()

    @property
    def due_on(self) -> date:
        return self.date_edit.date().toPython()

    @property
    def reason(self) -> str:
        return self.reason_edit.text().strip()
