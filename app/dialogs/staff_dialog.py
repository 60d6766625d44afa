"""Add or edit a staff member: name, department, role, phone and e-mail."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.dialogs.form import FieldErrors, index_of
from app.i18n import _
from app.services import labels
from app.services.staff import EMAIL_LIMIT, NAME_LIMIT, PHONE_LIMIT, DepartmentInfo, StaffInfo, StaffInput


class StaffDialog(QDialog):
    """Returns `value`, a StaffInput; the caller shows the service's errors with `show_errors` and runs
    the dialog again, so nothing typed is lost."""

    def __init__(
        self, parent: QWidget | None, departments: list[DepartmentInfo], staff: StaffInfo | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("staff_dialog")
        self.setWindowTitle(_("Add staff member") if staff is None else _("Edit staff member"))
        self.setMinimumWidth(440)
        self.name_edit = QLineEdit(staff.name if staff else "")
        self.name_edit.setObjectName("staff_name")
        self.name_edit.setMaxLength(NAME_LIMIT)
        self.department_combo = QComboBox()
        self.department_combo.setObjectName("staff_department")
        self.department_combo.addItem(_("(no department)"), None)
        for department in departments:
            self.department_combo.addItem(department.name, department.id)
        if staff is not None and staff.department_id is not None:
            index = index_of(self.department_combo, staff.department_id)
            if index < 0:
                # A department deleted since: a former employee may stay in it, so it is kept on offer.
                self.department_combo.addItem(staff.department, staff.department_id)
                index = self.department_combo.count() - 1
            self.department_combo.setCurrentIndex(index)
        self.role_combo = QComboBox()
        self.role_combo.setObjectName("staff_role")
        for key in labels.STAFF_ROLE:
            self.role_combo.addItem(labels.label(labels.STAFF_ROLE, key), key)
        role = staff.role if staff else StaffInput(name="").role
        self.role_combo.setCurrentIndex(max(self.role_combo.findData(role), 0))
        self.phone_edit = QLineEdit(staff.phone if staff else "")
        self.phone_edit.setObjectName("staff_phone")
        self.phone_edit.setMaxLength(PHONE_LIMIT)
        self.email_edit = QLineEdit(staff.email if staff else "")
        self.email_edit.setObjectName("staff_email")
        self.email_edit.setMaxLength(EMAIL_LIMIT)

        # Keyed by StaffInput's field names, as ValidationError names them.
        self.field_errors = FieldErrors("staff_error")
        form = QFormLayout()
        form.addRow(_("Name *"), self.field_errors.under("name", self.name_edit))
        form.addRow(_("Department"), self.field_errors.under("department_id", self.department_combo))
        form.addRow(_("Role"), self.field_errors.under("role", self.role_combo))
        form.addRow(_("Phone"), self.field_errors.under("phone", self.phone_edit))
        form.addRow(_("E-mail"), self.field_errors.under("email", self.email_edit))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.field_errors.general)
        layout.addWidget(self.buttons)
        self.name_edit.setFocus()

    def show_errors(self, errors: dict[str, str]) -> None:
        self.field_errors.show(errors)

    @property
    def value(self) -> StaffInput:
        return StaffInput(
            name=self.name_edit.text(),
            department_id=self.department_combo.currentData(),
            role=self.role_combo.currentData(),
            phone=self.phone_edit.text(),
            email=self.email_edit.text(),
        )
