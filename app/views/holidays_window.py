"""The holidays window: the days the office greets its customers on, a year at a time, to edit."""

from __future__ import annotations

import uuid
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.db import Database
from app.dialogs.holiday_dialog import HolidayDialog
from app.i18n import _, format_date
from app.services.actor import Actor
from app.services.care import CareService, HolidayInfo
from app.services.errors import ServiceError, ValidationError

# The years the Chinese holiday calendar can fill in.
FIRST_YEAR, LAST_YEAR = 2000, 2099


class HolidaysWindow(QDialog):
    """Lists one year's holidays (the service fills in the built-in ones the first time a year is asked)."""

    changed = Signal()  # a holiday was added, edited or deleted here

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("holidays_window")
        self.setWindowTitle(_("Holidays"))
        self.resize(680, 460)
        self.actor = actor
        self.service = CareService(db)
        self._holidays: list[HolidayInfo] = []

        intro = QLabel(
            _(
                "Greetings for these days appear in My day a week ahead. "
                "Dates of lunar holidays (春节, 中秋 …) differ every year."
            )
        )
        intro.setObjectName("holidays_intro")
        intro.setWordWrap(True)
        self.year_spin = QSpinBox()
        self.year_spin.setObjectName("holidays_year")
        self.year_spin.setRange(FIRST_YEAR, LAST_YEAR)
        self.year_spin.setValue(min(max(date.today().year, FIRST_YEAR), LAST_YEAR))
        self.year_spin.valueChanged.connect(lambda _year: self.reload())
        year_label = QLabel(_("Year"))
        year_label.setBuddy(self.year_spin)

        self.table = QTableWidget(0, 3)
        self.table.setObjectName("holidays_table")
        self.table.setHorizontalHeaderLabels([_("Holiday"), _("Date"), _("Greeting")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _index: self.edit())
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self._table_action(
            _("Edit holiday"), [QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)], self.edit
        )
        self._table_action(_("Delete holiday"), [QKeySequence(QKeySequence.StandardKey.Delete)], self.delete)

        self.add_button = QPushButton(_("Add…"))
        self.add_button.setObjectName("add_holiday")
        self.add_button.setToolTip(_("Add a holiday (Ctrl+N)"))
        self.add_button.clicked.connect(self.add)
        self.edit_button = QPushButton(_("Edit…"))
        self.edit_button.setObjectName("edit_holiday")
        self.edit_button.clicked.connect(self.edit)
        self.delete_button = QPushButton(_("Delete"))
        self.delete_button.setObjectName("delete_holiday")
        self.delete_button.setToolTip(_("Delete the holiday (Delete)"))
        self.delete_button.clicked.connect(self.delete)
        QShortcut(QKeySequence(QKeySequence.StandardKey.New), self, activated=self.add)
        for button in (self.add_button, self.edit_button, self.delete_button):
            # Return in the list edits the holiday; it must not press a button of the window instead.
            button.setAutoDefault(False)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        close.button(QDialogButtonBox.StandardButton.Close).setAutoDefault(False)

        top = QHBoxLayout()
        top.addWidget(year_label)
        top.addWidget(self.year_spin)
        top.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.reload()
        self.table.setFocus()

    def _table_action(self, text: str, keys: list[QKeySequence], slot) -> None:
        action = QAction(text, self.table)
        action.setShortcuts(keys)
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(slot)
        self.table.addAction(action)

    # -- the list

    @property
    def year(self) -> int:
        return self.year_spin.value()

    def reload(self, select: uuid.UUID | None = None) -> None:
        """List the year's holidays again, keeping (or moving to) the one selected."""
        current = self.current_holiday()
        wanted = select or (current.id if current else None)
        try:
            self._holidays = self.service.holidays(self.actor, self.year)
        except ServiceError as exc:
            self._holidays = []
            QMessageBox.warning(self, _("Holidays"), str(exc))
        self.table.setRowCount(len(self._holidays))
        for row, holiday in enumerate(self._holidays):
            greeting = " ".join(holiday.greeting.split())  # one line in the list; whole in the tooltip
            for column, text in enumerate((holiday.name, format_date(holiday.on), greeting)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, holiday.id)
                if column == 2 and holiday.greeting:
                    item.setToolTip(holiday.greeting)
                self.table.setItem(row, column, item)
        ids = [h.id for h in self._holidays]
        if wanted in ids:
            self.table.selectRow(ids.index(wanted))
        self._update_buttons()

    def current_holiday(self) -> HolidayInfo | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self._holidays):
            return None
        return self._holidays[rows[0].row()]

    def _update_buttons(self) -> None:
        chosen = self.current_holiday() is not None
        self.edit_button.setEnabled(chosen)
        self.delete_button.setEnabled(chosen)

    # -- changes

    def add(self) -> HolidayInfo | None:
        today = date.today()
        on = today if today.year == self.year else date(self.year, 1, 1)
        return self._save(HolidayDialog(self, on=on), None)

    def edit(self) -> HolidayInfo | None:
        holiday = self.current_holiday()
        if holiday is None:
            return None
        return self._save(HolidayDialog(self, holiday), holiday.id)

    def _save(self, dialog: HolidayDialog, holiday_id: uuid.UUID | None) -> HolidayInfo | None:
        """Run the dialog until the service takes its input or the user cancels; nothing typed is lost."""
        try:
            while dialog.exec() == QDialog.DialogCode.Accepted:
                try:
                    info = self.service.save_holiday(self.actor, dialog.value, holiday_id)
                except ValidationError as exc:
                    dialog.show_errors(exc.errors)
                    continue
                except ServiceError as exc:
                    QMessageBox.warning(self, _("Holidays"), str(exc))
                    self.reload()
                    return None
                if info.on.year != self.year:
                    # Show the holiday where it went, or it would seem to vanish.
                    self.year_spin.blockSignals(True)
                    self.year_spin.setValue(info.on.year)
                    self.year_spin.blockSignals(False)
                self.reload(select=info.id)
                self.changed.emit()
                return info
            return None
        finally:
            dialog.deleteLater()

    def delete(self) -> bool:
        holiday = self.current_holiday()
        if holiday is None:
            return False
        answer = QMessageBox.question(
            self,
            _("Delete holiday"),
            _("Delete {name} on {date}? My day will no longer remind anyone of it.").format(
                name=holiday.name, date=format_date(holiday.on)
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        try:
            self.service.delete_holiday(self.actor, holiday.id)
        except ServiceError as exc:
            QMessageBox.warning(self, _("Holidays"), str(exc))
            self.reload()
            return False
        self.reload()
        self.changed.emit()
        return True
