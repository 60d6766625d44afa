"""Settings: the interface language (also asked at first start), the company name, where the database is."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.i18n import LANGUAGES, _


class SettingsDialog(QDialog):
    """Returns the chosen language in `language` and, when one was given to edit, the company name in
    `company_name`; shows the database location read-only."""

    def __init__(
        self,
        parent: QWidget | None,
        language: str,
        database: str | None = None,
        first_start: bool = False,
        company: str | None = None,
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
    def company_name(self) -> str:
        return self.company_edit.text().strip() if self.company_edit is not None else ""
