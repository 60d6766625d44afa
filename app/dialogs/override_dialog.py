"""Set a customer's tier by hand: the tier, why (for the history) and until when."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.dialogs.form import ERROR_STYLE, ERROR_TEXT, date_format
from app.i18n import _

DEFAULT_MONTHS = 3


class OverrideDialog(QDialog):
    """Returns the chosen `tier` key, the `reason` and `until` (None: until handed back to the rules).

    `tiers` are (key, name) pairs of the rule set in use, best first; a current tier it does not name is
    not offered (the service refuses it). The caller passes the service's
    errors to `show_errors` and runs the dialog again, so nothing typed is lost.
    """

    def __init__(
        self,
        parent: QWidget | None,
        customer: str,
        tiers: list[tuple[str, str]],
        current: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("override_dialog")
        self.setWindowTitle(_("Set tier by hand"))
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        intro = QLabel(
            _(
                "The tier of {customer} stays as you set it: evaluations propose no change for it "
                "until the end date, or until it is returned to the rules."
            ).format(customer=customer)
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        form = QFormLayout()
        self.tier_combo = QComboBox()
        self.tier_combo.setObjectName("override_tier")
        for key, name in tiers:
            self.tier_combo.addItem(name, key)
        self.tier_combo.setCurrentIndex(max(self.tier_combo.findData(current), 0))
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setObjectName("override_reason")
        self.reason_edit.setTabChangesFocus(True)
        self.reason_edit.setFixedHeight(80)
        self.reason_edit.setPlaceholderText(_("Why the tier is set by hand (goes into the tier history)"))
        self.until_check = QCheckBox(_("Until"))
        self.until_check.setObjectName("override_until_check")
        self.until_edit = QDateEdit()
        self.until_edit.setObjectName("override_until")
        self.until_edit.setCalendarPopup(True)
        self.until_edit.setDisplayFormat(date_format())
        today = QDate.currentDate()
        self.until_edit.setMinimumDate(today)
        self.until_edit.setDate(today.addMonths(DEFAULT_MONTHS))
        self.until_edit.setEnabled(False)
        self.until_check.toggled.connect(self.until_edit.setEnabled)
        until_row = QHBoxLayout()
        until_row.addWidget(self.until_check)
        until_row.addWidget(self.until_edit, 1)
        self.errors: dict[str, QLabel] = {}
        self._rows = {"tier": self.tier_combo, "reason": self.reason_edit, "until": self.until_edit}
        form.addRow(_("Tier"), self._with_error("tier", self.tier_combo))
        form.addRow(_("Reason *"), self._with_error("reason", self.reason_edit))
        until_cell = QWidget()
        until_box = QVBoxLayout(until_cell)
        until_box.setContentsMargins(0, 0, 0, 0)
        until_box.addLayout(until_row)
        hint = QLabel(_("Without an end date the tier stays until it is returned to the rules."))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #666;")
        until_box.addWidget(hint)
        until_box.addWidget(self._error_label("until"))
        form.addRow(_("End"), until_cell)
        layout.addLayout(form)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.reason_edit.textChanged.connect(self._update_ok)
        self._update_ok()
        self.reason_edit.setFocus()

    def _error_label(self, name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(f"error_{name}")
        label.setStyleSheet(ERROR_TEXT)
        label.setWordWrap(True)
        label.hide()
        self.errors[name] = label
        return label

    def _with_error(self, name: str, widget: QWidget) -> QWidget:
        cell = QWidget()
        box = QVBoxLayout(cell)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(widget)
        box.addWidget(self._error_label(name))
        return cell

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def _update_ok(self) -> None:
        # The reason is what makes the history complete: no reason, no override.
        self.ok_button.setEnabled(bool(self.reason))

    def show_errors(self, errors: dict[str, str]) -> dict[str, str]:
        """Shows each error at its field; returns those that name no field of this dialog."""
        for name, label in self.errors.items():
            label.setVisible(name in errors)
            label.setText(errors.get(name, ""))
            self._rows[name].setStyleSheet(ERROR_STYLE if name in errors else "")
        first = next((self._rows[n] for n in errors if n in self._rows), None)
        if first is not None:
            first.setFocus()
        return {n: m for n, m in errors.items() if n not in self._rows}

    # -- the result

    @property
    def tier(self) -> str:
        return self.tier_combo.currentData() or ""

    @property
    def reason(self) -> str:
        return self.reason_edit.toPlainText().strip()

    @property
    def until(self) -> date | None:
        return self.until_edit.date().toPython() if self.until_check.isChecked() else None
