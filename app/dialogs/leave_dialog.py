"""Ask the day a staff member leaves (or left) the company."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from app.dialogs.form import date_format
from app.i18n import _


class LeaveDialog(QDialog):
    """Returns `left_on`, the date chosen (today at first)."""

    def __init__(self, parent: QWidget | None, name: str, note: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("leave_dialog")
        self.setWindowTitle(_("Staff member leaves"))
        self.setMinimumWidth(400)
        intro = QLabel(
            _(
                "{name} will no longer be offered as an account manager or as additional staff, and "
                "gives up their places as additional staff of customers."
            ).format(name=name)
        )
        intro.setWordWrap(True)
        self.date_edit = QDateEdit(QDate.currentDate())
        self.date_edit.setObjectName("leave_date")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat(date_format())
        form = QFormLayout()
        form.addRow(_("Left on"), self.date_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        if note:
            note_label = QLabel(note)
            note_label.setObjectName("leave_note")
            note_label.setWordWrap(True)
            layout.addWidget(note_label)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Mark as left"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.date_edit.setFocus()

    @property
    def left_on(self) -> date:
        return self.date_edit.date().toPython()
