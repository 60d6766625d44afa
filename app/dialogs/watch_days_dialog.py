"""How many days each tier may go without contact before the service watch lists a customer."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.dialogs.form import FieldErrors
from app.i18n import _
from app.services.watch import DEFAULT_WATCH_DAYS, MAX_WATCH_DAYS


class WatchDaysDialog(QDialog):
    """One spin box per tier (key, name), "" standing for customers without a tier. Returns `value`,
    the days per tier key; the caller saves it and shows a refusal with `show_errors`."""

    def __init__(self, parent: QWidget | None, tiers: list[tuple[str, str]], days: dict[str, int]) -> None:
        super().__init__(parent)
        self.setObjectName("watch_days_dialog")
        self.setWindowTitle(_("Watch days"))
        self.setMinimumWidth(420)
        intro = QLabel(
            _(
                "A customer appears under “Without contact” once nobody has contacted them for more "
                "days than their tier allows. Three months (90 days) is the office's usual limit."
            )
        )
        intro.setWordWrap(True)
        self.spins: dict[str, QSpinBox] = {}
        self.field_errors = FieldErrors("watch_days_error")
        form = QFormLayout()
        for key, name in tiers:
            spin = QSpinBox()
            spin.setObjectName(f"watch_days_{key or 'none'}")
            spin.setRange(1, MAX_WATCH_DAYS)
            spin.setSuffix(_(" days"))
            spin.setValue(days.get(key, DEFAULT_WATCH_DAYS))
            form.addRow(name, self.field_errors.under(key, spin))
            self.spins[key] = spin
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.field_errors.general)
        layout.addWidget(buttons)
        if self.spins:
            next(iter(self.spins.values())).setFocus()

    def show_errors(self, errors: dict[str, str]) -> None:
        self.field_errors.show(errors)

    @property
    def value(self) -> dict[str, int]:
        return {key: spin.value() for key, spin in self.spins.items()}
