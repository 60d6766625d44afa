"""Add or edit a holiday the office greets its customers on: its name, date and suggested greeting."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.dialogs.form import FieldErrors, date_format
from app.i18n import _
from app.services.care import HolidayInfo, HolidayInput

NAME_LIMIT = 60  # as the service allows


class HolidayDialog(QDialog):
    """Returns `value`, a HolidayInput; the caller shows the service's errors with `show_errors` and runs
    the dialog again, so nothing typed is lost."""

    def __init__(
        self, parent: QWidget | None, holiday: HolidayInfo | None = None, on: date | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("holiday_dialog")
        self.setWindowTitle(_("Add holiday") if holiday is None else _("Edit holiday"))
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        self.name_edit = QLineEdit(holiday.name if holiday else "")
        self.name_edit.setObjectName("holiday_name")
        self.name_edit.setMaxLength(NAME_LIMIT)
        self.date_edit = QDateEdit()
        self.date_edit.setObjectName("holiday_date")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat(date_format())
        self.date_edit.setDate(QDate(holiday.on if holiday else on or date.today()))
        self.greeting_edit = QPlainTextEdit(holiday.greeting if holiday else "")
        self.greeting_edit.setObjectName("holiday_greeting")
        self.greeting_edit.setTabChangesFocus(True)
        self.greeting_edit.setFixedHeight(96)
        self.greeting_edit.setPlaceholderText(_("The message My day suggests sending, ready to copy"))
        self.field_errors = FieldErrors("holiday_error")
        form = QFormLayout()
        form.addRow(_("Holiday name *"), self.field_errors.under("name", self.name_edit))
        form.addRow(_("Date *"), self.field_errors.under("on", self.date_edit))
        form.addRow(_("Greeting"), self.field_errors.under("greeting", self.greeting_edit))
        layout.addLayout(form)
        layout.addWidget(self.field_errors.general)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Save).setToolTip(_("Save (Ctrl+Enter)"))
        self.buttons = buttons
        layout.addWidget(buttons)
        # The greeting box takes Enter for new lines; Ctrl+Enter saves from anywhere, as in the contact log.
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.accept)
        QShortcut(QKeySequence("Ctrl+Enter"), self, activated=self.accept)
        self.name_edit.setFocus()

    def show_errors(self, errors: dict[str, str]) -> None:
        self.field_errors.show(errors)

    @property
    def value(self) -> HolidayInput:
        return HolidayInput(
            name=self.name_edit.text(),
            on=self.date_edit.date().toPython(),
            greeting=self.greeting_edit.toPlainText(),
        )
