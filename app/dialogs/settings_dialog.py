"""Settings: the language (also asked at first start), who works here, the company name, the database."""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.dialogs.form import index_of
from app.i18n import LANGUAGES, _
from app.services.customers import StaffMember


class SettingsDialog(QDialog):
    """Returns the chosen `language` and, when given to edit, the `company_name`, who works at this
    computer (`staff_id`) and how many days a contact log stays editable by its author (`edit_days`,
    None when the user may not change it); shows the database location read-only."""

    def __init__(
        self,
        parent: QWidget | None,
        language: str,
        database: str | None = None,
        first_start: bool = False,
        company: str | None = None,
        staff: list[StaffMember] | None = None,
        me: uuid.UUID | None = None,
        edit_days: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("ClientDesk" if first_start else _("Settings"))
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        if first_start:
            # Both languages at once: the user has not chosen one yet.
            welcome = QLabel(
                "欢迎使用 ClientDesk！请选择界面语言。\nWelcome to ClientDesk! Choose the interface language."
            )
            welcome.setWordWrap(True)
            layout.addWidget(welcome)
        form = QFormLayout()
        self.language_combo = QComboBox()
        self.language_combo.setObjectName("language")
        for code, name in LANGUAGES.items():
            self.language_combo.addItem(name, code)
        self.language_combo.setCurrentIndex(max(self.language_combo.findData(language), 0))
        form.addRow("语言 / Language" if first_start else _("Language"), self.language_combo)
        # None: not asked (the first start knows no database yet); the name lives in the database.
        self.company_edit: QLineEdit | None = None
        if company is not None:
            self.company_edit = QLineEdit(company)
            self.company_edit.setObjectName("company_name")
            self.company_edit.setMaxLength(200)
            form.addRow(_("Company name (printed on reports)"), self.company_edit)
        self.staff_combo: QComboBox | None = None
        if staff is not None:
            self.staff_combo = QComboBox()
            self.staff_combo.setObjectName("current_staff")
            for member in staff:
                if member.active:
                    self.staff_combo.addItem(
                        member.name + (f"（{member.department}）" if member.department else ""), member.id
                    )
            self.staff_combo.setCurrentIndex(max(index_of(self.staff_combo, me), 0))
            self.staff_combo.setToolTip(_("My day, the contacts you log and every change are yours."))
            form.addRow(_("You are"), self.staff_combo)
        self.edit_days_spin: QSpinBox | None = None
        if edit_days is not None:
            self.edit_days_spin = QSpinBox()
            self.edit_days_spin.setObjectName("contact_edit_days")
            self.edit_days_spin.setRange(0, 365)
            self.edit_days_spin.setValue(edit_days)
            self.edit_days_spin.setSuffix(_(" days"))
            form.addRow(_("Authors may edit their contact logs for"), self.edit_days_spin)
        if database:
            where = QLabel(database)
            where.setObjectName("database_location")
            where.setWordWrap(True)
            where.setTextInteractionFlags(
                where.textInteractionFlags() | where.textInteractionFlags().TextSelectableByMouse
            )
            form.addRow(_("Database"), where)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    @property
    def language(self) -> str:
        return self.language_combo.currentData()

    @property
    def staff_id(self) -> uuid.UUID | None:
        return self.staff_combo.currentData() if self.staff_combo is not None else None

    @property
    def edit_days(self) -> int | None:
        return self.edit_days_spin.value() if self.edit_days_spin is not None else None

    @property
    def company_name(self) -> str:
        return self.company_edit.text().strip() if self.company_edit is not None else ""
