"""Choose several staff members from a checkable list (a key customer's additional staff)."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.customers import StaffMember


class StaffPickerDialog(QDialog):
    """Returns the checked people in `chosen_ids`; `excluded` (the account manager) is not offered."""

    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        intro: str,
        staff: list[StaffMember],
        chosen: set[uuid.UUID],
        excluded: uuid.UUID | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("staff_picker")
        self.setWindowTitle(title)
        self.resize(380, 420)
        layout = QVBoxLayout(self)
        note = QLabel(intro)
        note.setWordWrap(True)
        layout.addWidget(note)
        self.list = QListWidget()
        self.list.setObjectName("staff_picker_list")
        for member in staff:
            if member.id == excluded or not (member.active or member.id in chosen):
                continue
            item = QListWidgetItem(member.name + (f"（{member.department}）" if member.department else ""))
            item.setData(Qt.ItemDataRole.UserRole, member.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if member.id in chosen else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        layout.addWidget(self.list, 1)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    @property
    def chosen_ids(self) -> list[uuid.UUID]:
        return [
            self.list.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.list.count())
            if self.list.item(row).checkState() == Qt.CheckState.Checked
        ]
