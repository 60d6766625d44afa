"""A dialog that edits one record through FormFields and checks it with the service's own rules."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from app.dialogs.form import FieldSpec, FormFields
from app.services.errors import ValidationError


class RecordDialog(QDialog):
    """Shows `initial`; on OK runs `clean` (pure validation, no database) and keeps the dialog open
    with the errors shown at their fields until the input is valid. `result_value` holds the clean record."""

    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        specs: list[FieldSpec],
        initial: object,
        build: Callable[[dict], object],
        clean: Callable[[object], object],
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        self._build = build
        self._clean = clean
        self.result_value: object | None = None
        self.fields = FormFields(specs, self)
        layout = QVBoxLayout(self)
        layout.addLayout(self.fields.form_layout())
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.fields.set_values(initial)
        first = next(iter(self.fields.widgets.values()))
        first.setFocus()

    def accept(self) -> None:
        values, errors = self.fields.values()
        if not errors:
            try:
                self.result_value = self._clean(self._build(values))
            except ValidationError as exc:
                errors = exc.errors
        if errors:
            widget = self.fields.show_errors(errors)
            if widget is not None:
                widget.setFocus()
            return
        super().accept()
