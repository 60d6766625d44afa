"""Field widgets built from a list of field specs: the customer window and the dialogs share them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from PySide6.QtCore import QDate, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.i18n import _, current_language
from app.services import labels

NO_DATE = QDate(1900, 1, 1)
RATINGS = range(1, 6)
ERROR_STYLE = "border: 1px solid #c62828;"
ERROR_TEXT = "color: #c62828;"  # the red of a field's error message


def date_format() -> str:
    """The order people write dates in each language: 2024年3月5日 / Mar 5, 2024."""
    return "yyyy年M月d日" if current_language() == "zh_CN" else "MMM d, yyyy"


class FieldErrors:
    """A dialog's error messages: a red line under each field (`under` puts the field and its line in
    one widget for the form) and `general`, a line for what belongs to no field, for the dialog to place.

    `show(errors)` takes a ValidationError's errors: each field's message under it with the field
    framed red, the rest in `general`, and the focus on the first field named.
    """

    def __init__(self, general_name: str) -> None:
        self.labels: dict[str, QLabel] = {}
        self.widgets: dict[str, QWidget] = {}
        self.general = self._label(general_name)

    @staticmethod
    def _label(name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setStyleSheet(ERROR_TEXT)
        label.setWordWrap(True)
        label.hide()
        return label

    def under(self, name: str, widget: QWidget) -> QWidget:
        cell = QWidget()
        box = QVBoxLayout(cell)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(widget)
        self.labels[name] = self._label(f"error_{name}")
        self.widgets[name] = widget
        box.addWidget(self.labels[name])
        return cell

    def show(self, errors: dict[str, str]) -> None:
        for name, label in self.labels.items():
            label.setText(errors.get(name, ""))
            label.setVisible(name in errors)
            self.widgets[name].setStyleSheet(ERROR_STYLE if name in errors else "")
        others = [message for name, message in errors.items() if name not in self.widgets]
        self.general.setText("\n".join(others))
        self.general.setVisible(bool(others))
        first = next((self.widgets[n] for n in errors if n in self.widgets), None)
        if first is not None:
            _bring_forward(first)
            first.setFocus()


def _bring_forward(widget: QWidget) -> None:
    """Make each tab page that holds `widget` the current one, so that it is seen and can take the focus."""
    ancestor = widget.parentWidget()
    while ancestor is not None:
        if isinstance(ancestor, QTabWidget):
            for index in range(ancestor.count()):
                page = ancestor.widget(index)
                if page is widget or page.isAncestorOf(widget):
                    ancestor.setCurrentIndex(index)
        ancestor = ancestor.parentWidget()


def index_of(combo: QComboBox, value) -> int:
    """The item whose data equals `value`, or -1. Qt's findData matches a Python object (a UUID) only
    when it is the very same object, so ids read in another query would never be found."""
    return next((i for i in range(combo.count()) if combo.itemData(i) == value), -1)


@dataclass(frozen=True)
class FieldSpec:
    """One field; `kind`: text, multiline, date, money, int, bool, choice, editable (free combo), staff,
    rating (1–5 or not rated)."""

    name: str
    kind: str = "text"
    vocabulary: dict[str, str] | None = None
    required: bool = False
    label: str = ""  # marked with N_(); empty: the field's usual label


class OptionalDateEdit(QDateEdit):
    """A date that may be empty: the lowest date stands for "none" and shows as blank."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setMinimumDate(NO_DATE)
        self.setSpecialValueText(" ")
        self.setDisplayFormat(date_format())
        self.setDate(NO_DATE)
        self.setToolTip(_("Press Delete to clear the date."))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        # An empty date's calendar would open in January 1900; open it on this month instead.
        if self.value() is None:
            today = QDate.currentDate()
            self.calendarWidget().setCurrentPage(today.year(), today.month())
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Delete empties the whole date: without it a date, once set, could never be removed.
        if event.key() == Qt.Key.Key_Delete:
            self.set_value(None)
            return
        super().keyPressEvent(event)

    def value(self) -> date | None:
        current = self.date()
        return None if current == NO_DATE else current.toPython()

    def set_value(self, value: date | None) -> None:
        self.setDate(QDate(value) if value else NO_DATE)


class FormFields(QObject):
    """The widgets for a set of fields, reading and writing plain values and showing errors at each field."""

    changed = Signal()

    def __init__(self, specs: list[FieldSpec], parent: QWidget, staff: list | None = None) -> None:
        super().__init__(parent)
        self.specs = {spec.name: spec for spec in specs}
        self.widgets: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self._tips: dict[str, str] = {}
        self._staff = staff or []
        for spec in specs:
            widget = self._make(spec, parent)
            widget.setObjectName(f"field_{spec.name}")
            self.widgets[spec.name] = widget
            self._tips[spec.name] = widget.toolTip()  # shown again once an error is cleared
            error = QLabel(parent)
            error.setObjectName(f"error_{spec.name}")
            error.setStyleSheet(ERROR_TEXT)
            error.setWordWrap(True)
            error.hide()
            self.errors[spec.name] = error

    def _make(self, spec: FieldSpec, parent: QWidget) -> QWidget:
        if spec.kind == "multiline":
            widget = QPlainTextEdit(parent)
            widget.setTabChangesFocus(True)
            widget.setFixedHeight(64)
            widget.textChanged.connect(self.changed)
        elif spec.kind == "date":
            widget = OptionalDateEdit(parent)
            widget.dateChanged.connect(self.changed)
        elif spec.kind == "bool":
            widget = QCheckBox(parent)
            widget.toggled.connect(self.changed)
        elif spec.kind == "rating":
            widget = QComboBox(parent)
            widget.addItem(_("Not rated"), "")
            for rating in RATINGS:
                widget.addItem(str(rating), rating)
            widget.currentIndexChanged.connect(self.changed)
        elif spec.kind in ("choice", "editable", "staff"):
            widget = QComboBox(parent)
            widget.setEditable(spec.kind == "editable")
            widget.addItem("", "")
            if spec.kind == "staff":
                for member in self._staff:
                    # As text: Qt cannot compare Python UUID objects when it looks an item up.
                    widget.addItem(member.name, str(member.id))
            else:
                for key in spec.vocabulary or {}:
                    widget.addItem(labels.label(spec.vocabulary, key), key)
            widget.currentIndexChanged.connect(self.changed)
            if widget.isEditable():
                widget.editTextChanged.connect(self.changed)
        else:
            widget = QLineEdit(parent)
            widget.setClearButtonEnabled(spec.kind == "text")
            widget.textChanged.connect(self.changed)
        return widget

    def form_layout(self, names: list[str] | None = None) -> QFormLayout:
        """A two-column form of the given fields, each with its error line under the widget."""
        layout = QFormLayout()
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for name in names or list(self.specs):
            spec = self.specs[name]
            cell = QWidget()
            box = QVBoxLayout(cell)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(2)
            box.addWidget(self.widgets[name])
            box.addWidget(self.errors[name])
            text = (_(spec.label) if spec.label else labels.field_label(name)) + (
                " *" if spec.required else ""
            )
            label = QLabel(text)
            label.setBuddy(self.widgets[name])
            if spec.kind == "multiline":
                label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            layout.addRow(label, cell)
        return layout

    # -- values

    def set_values(self, source: object) -> None:
        for widget in self.widgets.values():
            widget.blockSignals(True)  # loading a record is not an edit
        try:
            for name, widget in self.widgets.items():
                self._write(self.specs[name], widget, getattr(source, name))
        finally:
            for widget in self.widgets.values():
                widget.blockSignals(False)
        self.clear_errors()

    def set_value(self, name: str, value) -> None:
        """Show one field's value without it counting as an edit."""
        widget = self.widgets[name]
        widget.blockSignals(True)
        try:
            self._write(self.specs[name], widget, value)
        finally:
            widget.blockSignals(False)

    def set_read_only(self, name: str, read_only: bool, tip: str = "") -> None:
        """Shown but not editable, with `tip` saying why (kept when errors come and go)."""
        widget = self.widgets[name]
        widget.setEnabled(not read_only)
        self._tips[name] = tip
        if not widget.styleSheet():  # an error shown meanwhile keeps its message as the tooltip
            widget.setToolTip(tip)

    def _write(self, spec: FieldSpec, widget: QWidget, value) -> None:
        if isinstance(widget, OptionalDateEdit):
            widget.set_value(value)
        elif isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QComboBox):
            if spec.kind == "staff" and value is not None:
                value = str(value)
            index = widget.findData(value if value is not None else "")
            if index < 0 and widget.isEditable():
                widget.setEditText(labels.value_label(spec.name, value or ""))
            elif index < 0 and value:
                # A value outside the list (a tier named by a rule set, a departed manager): keep it.
                widget.addItem(str(value), value)
                widget.setCurrentIndex(widget.count() - 1)
            else:
                widget.setCurrentIndex(max(index, 0))
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(value or "")
        else:
            widget.setText(self._text_of(spec, value))

    @staticmethod
    def _text_of(spec: FieldSpec, value) -> str:
        if value is None:
            return ""
        if spec.kind == "money" and isinstance(value, Decimal):
            return f"{value:,.2f}"
        return str(value)

    def values(self) -> tuple[dict, dict[str, str]]:
        """The entered values, and the fields that cannot even be read (e.g. letters in a number)."""
        values: dict = {}
        errors: dict[str, str] = {}
        for name, widget in self.widgets.items():
            spec = self.specs[name]
            if isinstance(widget, OptionalDateEdit):
                values[name] = widget.value()
            elif isinstance(widget, QCheckBox):
                values[name] = widget.isChecked()
            elif isinstance(widget, QComboBox):
                if widget.isEditable():
                    text = widget.currentText().strip()
                    index = widget.findText(text)
                    values[name] = widget.itemData(index) if index >= 0 else text
                else:
                    data = widget.currentData()
                    if spec.kind == "rating":
                        values[name] = data if isinstance(data, int) else None
                    elif spec.kind == "staff":
                        values[name] = uuid.UUID(data) if data else None
                    else:
                        values[name] = data or ""
            elif isinstance(widget, QPlainTextEdit):
                values[name] = widget.toPlainText()
            else:
                text = widget.text().strip()
                if spec.kind == "int":
                    if not text:
                        values[name] = None
                    elif text.replace(",", "").isdigit():
                        values[name] = int(text.replace(",", ""))
                    else:
                        errors[name] = _("{field} must be a whole number of 0 or more.").format(
                            field=labels.field_label(name)
                        )
                elif spec.kind == "money":
                    values[name] = text or None
                else:
                    values[name] = text
        return values, errors

    def show_errors(self, errors: dict[str, str]) -> QWidget | None:
        """Mark each field in error; returns the first such widget so the caller can focus it."""
        self.clear_errors()
        first = None
        for name, message in errors.items():
            if name not in self.widgets:
                continue
            self.errors[name].setText(message)
            self.errors[name].show()
            self.widgets[name].setStyleSheet(ERROR_STYLE)
            self.widgets[name].setToolTip(message)
            first = first or self.widgets[name]
        return first

    def clear_errors(self) -> None:
        for name, label in self.errors.items():
            label.hide()
            label.clear()
            self.widgets[name].setStyleSheet("")
            self.widgets[name].setToolTip(self._tips.get(name, ""))


def set_wizard_buttons(wizard: QWizard, commit: str) -> None:
    """The wizard's buttons in the user's language (Qt's own texts stay English without a Qt
    translation), `commit` on the page that does the work; no Back or Cancel once it is done."""
    wizard.setOption(QWizard.WizardOption.NoBackButtonOnLastPage)
    wizard.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage)
    for button, text in (
        (QWizard.WizardButton.NextButton, _("Next >")),
        (QWizard.WizardButton.BackButton, _("< Back")),
        (QWizard.WizardButton.CommitButton, commit),
        (QWizard.WizardButton.FinishButton, _("Close")),
        (QWizard.WizardButton.CancelButton, _("Cancel")),
    ):
        wizard.setButtonText(button, text)


class ReadyPage(QWizardPage):
    """A wizard page whose Next button follows `ready()` (and waits while `busy()`).

    A hidden mandatory field holds "1" when the page is ready, and Qt's own isComplete() reads it, so
    no page emits completeChanged from Python: PySide6 6.12's Signal.emit() loses a reference to True
    on each call, and under CPython 3.11 enough of them abort the interpreter (bool_dealloc)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self._ready = QLineEdit(self)
        self._ready.hide()
        self.registerField(f"{name}_ready*", self._ready)

    def ready(self) -> bool:
        return True

    def busy(self) -> bool:
        return False

    def update_ready(self) -> None:
        self._ready.setText("1" if self.ready() and not self.busy() else "")


def wants_reload(parent: QWidget, message: str) -> bool:
    """Someone else saved the record meanwhile (`message` says who and when): True if the user would
    rather reload it than keep their own edits on screen."""
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        _("Changed by someone else"),
        message,
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    reload_button = box.addButton(_("Reload (discard my edits)"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(_("Keep my edits"), QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return box.clickedButton() is reload_button
