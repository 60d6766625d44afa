"""The staff window: departments and staff to add, rename, edit, mark as left and take back."""

from __future__ import annotations

import uuid
from enum import IntEnum

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.db import Database
from app.dialogs.leave_dialog import LeaveDialog
from app.dialogs.staff_dialog import StaffDialog
from app.i18n import N_, _, format_date, format_number
from app.services import events, labels
from app.services.actor import Actor
from app.services.errors import ServiceError, ValidationError
from app.services.staff import DepartmentInfo, StaffInfo, StaffService
from app.views.qt_events import ChangeNotifier
from app.views.tables import RETURN_KEYS

RELOAD_ON = frozenset({"staff", "customer"})
LEFT_COLOR = QColor("#777777")  # former staff: shown, but greyed
HINT_STYLE = "color: #777;"


class StaffColumn(IntEnum):
    NAME = 0
    DEPARTMENT = 1
    ROLE = 2
    PHONE = 3
    EMAIL = 4
    CUSTOMERS = 5
    STATUS = 6


STAFF_HEADERS = {
    StaffColumn.NAME: N_("Name"),
    StaffColumn.DEPARTMENT: N_("Department"),
    StaffColumn.ROLE: N_("Role"),
    StaffColumn.PHONE: N_("Phone"),
    StaffColumn.EMAIL: N_("E-mail"),
    StaffColumn.CUSTOMERS: N_("Customers"),
    StaffColumn.STATUS: N_("Status"),
}


def _table(name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.horizontalHeader().setHighlightSections(False)
    return table


def _button(text: str, name: str, slot, tip: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.clicked.connect(slot)
    # Return in a list edits its row; it must not press a button of the window instead.
    button.setAutoDefault(False)
    if tip:
        button.setToolTip(tip)
    return button


class StaffWindow(QDialog):
    """Departments beside the staff. Managers change them; everyone else reads them."""

    changed = Signal()  # a department or staff member was added, changed, or left here
    handover_requested = Signal(object)  # a staff member's id: hand their customers over (they are leaving)

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("staff_window")
        self.setWindowTitle(_("Staff and departments"))
        self.resize(1080, 560)
        self.actor = actor
        self.service = StaffService(db)
        self.manager = actor.is_manager
        self._departments: list[DepartmentInfo] = []
        self._staff: list[StaffInfo] = []
        # Writes from elsewhere (a handover, another window) show here too; several in a row make one reload.
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(0)
        self._reload_timer.timeout.connect(self.reload)
        self.notifier = ChangeNotifier(self)
        self.notifier.changed.connect(self.on_change)

        self.read_only_note = QLabel(
            _("Only managers can change staff and departments; you can read them here.")
        )
        self.read_only_note.setObjectName("staff_read_only")
        self.read_only_note.setStyleSheet(HINT_STYLE)
        self.read_only_note.setWordWrap(True)
        self.read_only_note.setVisible(not self.manager)

        # -- departments
        self.departments_table = _table("departments_table", [_("Department"), _("Active staff")])
        header = self.departments_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.departments_table.itemSelectionChanged.connect(self._update_buttons)
        self.add_department_button = _button(_("Add…"), "add_department", self.add_department)
        self.rename_department_button = _button(_("Rename…"), "rename_department", self.rename_department)
        self.delete_department_button = _button(
            _("Delete"), "delete_department", self.delete_department, _("Delete the department (Delete)")
        )
        if self.manager:
            self.departments_table.doubleClicked.connect(lambda _index: self.rename_department())
            self._table_action(
                self.departments_table, _("Rename department"), RETURN_KEYS, self.rename_department
            )
            self._table_action(
                self.departments_table,
                _("Delete department"),
                [QKeySequence(QKeySequence.StandardKey.Delete)],
                self.delete_department,
            )
        department_buttons = QHBoxLayout()
        for button in (
            self.add_department_button,
            self.rename_department_button,
            self.delete_department_button,
        ):
            button.setVisible(self.manager)
            department_buttons.addWidget(button)
        department_buttons.addStretch(1)
        departments_box = QGroupBox(_("Departments"))
        departments_layout = QVBoxLayout(departments_box)
        departments_layout.addWidget(self.departments_table, 1)
        departments_layout.addLayout(department_buttons)

        # -- staff
        self.show_left = QCheckBox(_("Show those who left"))
        self.show_left.setObjectName("show_left")
        self.show_left.toggled.connect(lambda _checked: self.reload())
        self.staff_table = _table("staff_table", [_(text) for text in STAFF_HEADERS.values()])
        header = self.staff_table.horizontalHeader()
        for column in StaffColumn:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(StaffColumn.NAME, QHeaderView.ResizeMode.Stretch)
        self.staff_table.itemSelectionChanged.connect(self._update_buttons)
        self.add_staff_button = _button(
            _("Add…"), "add_staff", self.add_staff, _("Add a staff member (Ctrl+N)")
        )
        self.edit_staff_button = _button(_("Edit…"), "edit_staff", self.edit_staff, _("Edit (Enter)"))
        self.leave_button = _button(
            _("Leave…"),
            "leave_staff",
            self.leave,
            _("Mark the staff member as left, after a handover if needed"),
        )
        self.rejoin_button = _button(
            _("Rejoin"), "rejoin_staff", self.rejoin, _("Take a former staff member back as active")
        )
        if self.manager:
            self.staff_table.doubleClicked.connect(lambda _index: self.edit_staff())
            self._table_action(self.staff_table, _("Edit staff member"), RETURN_KEYS, self.edit_staff)
            QShortcut(QKeySequence(QKeySequence.StandardKey.New), self, activated=self.add_staff)
        staff_buttons = QHBoxLayout()
        for button in (self.add_staff_button, self.edit_staff_button, self.leave_button, self.rejoin_button):
            button.setVisible(self.manager)
            staff_buttons.addWidget(button)
        staff_buttons.addStretch(1)
        staff_box = QGroupBox(_("Staff"))
        staff_layout = QVBoxLayout(staff_box)
        staff_layout.addWidget(self.show_left)
        staff_layout.addWidget(self.staff_table, 1)
        staff_layout.addLayout(staff_buttons)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(departments_box)
        self.splitter.addWidget(staff_box)
        self.splitter.setSizes([300, 780])
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        close.button(QDialogButtonBox.StandardButton.Close).setAutoDefault(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.read_only_note)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(close)
        self.reload()
        self.staff_table.setFocus()

    @staticmethod
    def _table_action(table: QTableWidget, text: str, keys: list[QKeySequence], slot) -> None:
        action = QAction(text, table)
        action.setShortcuts(keys)
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(slot)
        table.addAction(action)

    # -- reading

    def on_change(self, change: events.Change) -> None:
        if change.entity in RELOAD_ON:
            self._reload_timer.start()

    def reload(self) -> None:
        """Read the departments and staff again, keeping the rows selected."""
        self._reload_timer.stop()
        kept_department = self.current_department()
        kept_staff = self.current_staff()
        try:
            self._departments = self.service.departments(self.actor)
            self._staff = self.service.staff(self.actor, include_left=self.show_left.isChecked())
        except ServiceError as exc:
            QMessageBox.warning(self, _("Staff and departments"), str(exc))
            return
        self._fill_departments()
        self._fill_staff()
        if kept_department is not None:
            self.select_department(kept_department.id)
        if kept_staff is not None:
            self.select_staff(kept_staff.id)
        self._update_buttons()

    def _fill_departments(self) -> None:
        table = self.departments_table
        table.blockSignals(True)
        table.clearSelection()
        table.setRowCount(len(self._departments))
        for row, department in enumerate(self._departments):
            table.setItem(row, 0, QTableWidgetItem(department.name))
            count = QTableWidgetItem(format_number(department.staff_count))
            count.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(row, 1, count)
        table.blockSignals(False)

    def _fill_staff(self) -> None:
        table = self.staff_table
        table.blockSignals(True)
        table.clearSelection()
        table.setRowCount(len(self._staff))
        for row, person in enumerate(self._staff):
            if person.active:
                status = _("Active")
            elif person.left_on is not None:
                status = _("Left on {date}").format(date=format_date(person.left_on))
            else:
                status = _("Left")
            values = {
                StaffColumn.NAME: person.name,
                StaffColumn.DEPARTMENT: person.department,
                StaffColumn.ROLE: labels.label(labels.STAFF_ROLE, person.role),
                StaffColumn.PHONE: person.phone,
                StaffColumn.EMAIL: person.email,
                StaffColumn.CUSTOMERS: format_number(person.customers),
                StaffColumn.STATUS: status,
            }
            for column, text in values.items():
                item = QTableWidgetItem(text)
                if column == StaffColumn.CUSTOMERS:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if not person.active:
                    item.setForeground(QBrush(LEFT_COLOR))
                table.setItem(row, column, item)
        table.blockSignals(False)

    def current_department(self) -> DepartmentInfo | None:
        rows = self.departments_table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._departments):
            return None
        return self._departments[rows[0].row()]

    def current_staff(self) -> StaffInfo | None:
        rows = self.staff_table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._staff):
            return None
        return self._staff[rows[0].row()]

    def select_department(self, department_id: uuid.UUID) -> None:
        ids = [d.id for d in self._departments]
        if department_id in ids:
            self.departments_table.selectRow(ids.index(department_id))

    def select_staff(self, staff_id: uuid.UUID) -> None:
        ids = [s.id for s in self._staff]
        if staff_id in ids:
            self.staff_table.selectRow(ids.index(staff_id))

    def _update_buttons(self) -> None:
        department = self.current_department() is not None
        self.rename_department_button.setEnabled(department)
        self.delete_department_button.setEnabled(department)
        person = self.current_staff()
        self.edit_staff_button.setEnabled(person is not None)
        self.leave_button.setEnabled(person is not None and person.active)
        self.rejoin_button.setEnabled(person is not None and not person.active)

    # -- departments

    def add_department(self) -> DepartmentInfo | None:
        return self._ask_department(_("Add department"), None, "")

    def rename_department(self) -> DepartmentInfo | None:
        department = self.current_department()
        if department is None:
            return None
        return self._ask_department(_("Rename department"), department.id, department.name)

    def _ask_department(
        self, title: str, department_id: uuid.UUID | None, name: str
    ) -> DepartmentInfo | None:
        """Ask for the name until the service takes it; its refusal is shown above what was typed."""
        if not self.manager:
            return None
        prompt = _("Department name:")
        while True:
            name, ok = QInputDialog.getText(self, title, prompt, QLineEdit.EchoMode.Normal, name)
            if not ok:
                return None
            try:
                info = self.service.save_department(self.actor, name, department_id)
            except ValidationError as exc:
                prompt = "\n".join(exc.errors.values()) + "\n\n" + _("Department name:")
                continue
            except ServiceError as exc:
                QMessageBox.warning(self, title, str(exc))
                self.reload()
                return None
            self.reload()
            self.select_department(info.id)
            self.changed.emit()
            return info

    def delete_department(self) -> bool:
        department = self.current_department()
        if department is None or not self.manager:
            return False
        title = _("Delete department")
        answer = QMessageBox.question(
            self,
            title,
            _("Delete the department {name}?").format(name=department.name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        try:
            self.service.delete_department(self.actor, department.id)
        except ServiceError as exc:
            QMessageBox.warning(self, title, str(exc))
            return False
        self.reload()
        self.changed.emit()
        return True

    # -- staff

    def add_staff(self) -> StaffInfo | None:
        if not self.manager:
            return None
        return self._save_staff(StaffDialog(self, self._departments), None)

    def edit_staff(self) -> StaffInfo | None:
        person = self.current_staff()
        if person is None or not self.manager:
            return None
        return self._save_staff(StaffDialog(self, self._departments, person), person.id)

    def _save_staff(self, dialog: StaffDialog, staff_id: uuid.UUID | None) -> StaffInfo | None:
        """Run the dialog until the service takes its input or the user cancels; nothing typed is lost."""
        try:
            while dialog.exec() == QDialog.DialogCode.Accepted:
                try:
                    info = self.service.save(self.actor, dialog.value, staff_id)
                except ValidationError as exc:
                    dialog.show_errors(exc.errors)
                    continue
                except ServiceError as exc:
                    QMessageBox.warning(self, dialog.windowTitle(), str(exc))
                    self.reload()
                    return None
                self.reload()
                self.select_staff(info.id)
                self.changed.emit()
                return info
            return None
        finally:
            dialog.deleteLater()

    def leave(self) -> StaffInfo | None:
        """Mark the selected person as left; one who still manages customers is offered the handover first."""
        person = self.current_staff()
        if person is None or not person.active or not self.manager:
            return None
        note = ""
        if person.customers:
            box = QMessageBox(self)
            box.setObjectName("leave_question")
            box.setIcon(QMessageBox.Icon.Question)
            box.setWindowTitle(_("Staff member leaves"))
            box.setText(
                _(
                    "{name} still manages {n} customers. Hand them over to other staff first? "
                    "The handover can mark {name} as left when it is done."
                ).format(name=person.name, n=format_number(person.customers))
            )
            handover = box.addButton(_("Hand over first…"), QMessageBox.ButtonRole.AcceptRole)
            only_leave = box.addButton(_("Only mark as left…"), QMessageBox.ButtonRole.ActionRole)
            box.addButton(QMessageBox.StandardButton.Cancel)
            box.setDefaultButton(handover)
            box.exec()
            clicked = box.clickedButton()
            box.deleteLater()
            if clicked is handover:
                self.handover_requested.emit(person.id)
                return None
            if clicked is not only_leave:
                return None
            note = _("Their {n} customers stay theirs until a handover moves them.").format(
                n=format_number(person.customers)
            )
        dialog = LeaveDialog(self, person.name, note)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            try:
                info = self.service.leave(self.actor, person.id, dialog.left_on)
            except ServiceError as exc:
                QMessageBox.warning(self, _("Staff member leaves"), str(exc))
                self.reload()
                return None
        finally:
            dialog.deleteLater()
        # The person just marked stays in sight, now as a former employee.
        self.show_left.blockSignals(True)
        self.show_left.setChecked(True)
        self.show_left.blockSignals(False)
        self.reload()
        self.select_staff(info.id)
        self.changed.emit()
        return info

    def rejoin(self) -> StaffInfo | None:
        person = self.current_staff()
        if person is None or person.active or not self.manager:
            return None
        try:
            info = self.service.rejoin(self.actor, person.id)
        except ServiceError as exc:
            QMessageBox.warning(self, _("Rejoin"), str(exc))
            self.reload()
            return None
        self.reload()
        self.select_staff(info.id)
        self.changed.emit()
        return info
