"""The office's complaint policy (deadlines by severity and customer tier, in calendar or working days, the
escalation, the office's own closures and working days) and its editable list of complaint categories."""

from __future__ import annotations

from datetime import date, datetime, timezone

from PySide6.QtCore import QDate, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.db import Database
from app.dialogs.form import FieldErrors, date_format
from app.i18n import _, format_date, format_datetime, format_number
from app.services import labels
from app.services.actor import Actor
from app.services.complaints import SEVERITIES, CategoryInfo, ComplaintPolicy, ComplaintService
from app.services.customers import CustomerService
from app.services.deadlines import DeadlinePolicy, WorkCalendar
from app.services.errors import ServiceError, ValidationError

DAYS_LIMIT = 365  # as the service allows
HINT_STYLE = "color: #777;"
NAME_COLUMN, TICKETS_COLUMN = 0, 1


class DateList(QWidget):
    """Days to add and remove: the list, a date to add, and the buttons; `changed` after each edit."""

    changed = Signal()

    def __init__(self, name: str, days: frozenset[date]) -> None:
        super().__init__()
        self.list = QListWidget()
        self.list.setObjectName(f"{name}_list")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.date_edit = QDateEdit(QDate.currentDate())
        self.date_edit.setObjectName(f"{name}_date")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat(date_format())
        self.add_button = QPushButton(_("Add"))
        self.add_button.setObjectName(f"{name}_add")
        self.add_button.clicked.connect(self.add)
        self.remove_button = QPushButton(_("Remove"))
        self.remove_button.setObjectName(f"{name}_remove")
        self.remove_button.clicked.connect(self.remove)
        row = QHBoxLayout()
        row.addWidget(self.date_edit, 1)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addLayout(row)
        self._days = set(days)
        self._show()

    def days(self) -> frozenset[date]:
        return frozenset(self._days)

    def add(self) -> None:
        self._days.add(self.date_edit.date().toPython())
        self._show()
        self.changed.emit()

    def remove(self) -> None:
        for item in self.list.selectedItems():
            self._days.discard(item.data(Qt.ItemDataRole.UserRole))
        self._show()
        self.changed.emit()

    def _show(self) -> None:
        self.list.clear()
        for day in sorted(self._days):
            item = QListWidgetItem(format_date(day))
            item.setData(Qt.ItemDataRole.UserRole, day)
            self.list.addItem(item)


class ComplaintPolicyDialog(QDialog):
    """Reads the policy and the categories, and saves them on Save (managers only: the service refuses
    others). An error keeps the dialog open with everything typed, the message at its field."""

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("complaint_policy_dialog")
        self.setWindowTitle(_("Complaint policy and categories"))
        self.setMinimumWidth(680)
        self.actor = actor
        self.service = ComplaintService(db)
        self.tiers_in_use = CustomerService(db).filter_options(actor).tiers
        self._policy = self.service.policy(actor)
        self._categories = self.service.categories(actor, counted=True)
        self.field_errors = FieldErrors("policy_error")

        self.tabs = QTabWidget()
        self.tabs.setObjectName("policy_tabs")
        self.tabs.addTab(self._build_deadlines(self._policy), _("Deadlines"))
        self.tabs.addTab(self._build_calendar(self._policy.calendar), _("Office calendar"))
        self.tabs.addTab(self._build_categories(), _("Categories"))
        self.preview = QLabel()
        self.preview.setObjectName("policy_preview")
        self.preview.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setEnabled(actor.is_manager)
        if not actor.is_manager:
            save.setToolTip(_("Only a manager can do this."))
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.preview)
        layout.addWidget(self.field_errors.general)
        layout.addWidget(self.buttons)
        self._update_preview()

    # -- building

    @staticmethod
    def _days_spin(name: str, value: int) -> QSpinBox:
        spin = QSpinBox()
        spin.setObjectName(name)
        spin.setRange(0, DAYS_LIMIT)
        spin.setSuffix(_(" days"))
        spin.setValue(value)
        spin.setMaximumWidth(120)
        return spin

    def _optional_days(self, name: str, days: int | None) -> QLineEdit:
        """Days for one severity or tier; empty: the usual deadline applies."""
        edit = QLineEdit("" if days is None else str(days))
        edit.setObjectName(name)
        edit.setPlaceholderText(_("usual"))
        edit.setMaximumWidth(90)
        edit.textChanged.connect(self._update_preview)
        return edit

    def _build_deadlines(self, policy: ComplaintPolicy) -> QWidget:
        d = policy.deadlines
        self.days_spin = self._days_spin("policy_days", d.days)
        self.days_spin.valueChanged.connect(self._update_preview)
        self.calendar_radio = QRadioButton(_("Calendar days"))
        self.calendar_radio.setObjectName("policy_calendar_days")
        self.working_radio = QRadioButton(_("Working days (not weekends, public holidays or closures)"))
        self.working_radio.setObjectName("policy_working_days")
        counting = QButtonGroup(self)
        counting.addButton(self.calendar_radio)
        counting.addButton(self.working_radio)
        (self.working_radio if d.working_days else self.calendar_radio).setChecked(True)
        self.working_radio.toggled.connect(self._update_preview)
        count_box = QWidget()
        count_layout = QVBoxLayout(count_box)
        count_layout.setContentsMargins(0, 0, 0, 0)
        count_layout.addWidget(self.calendar_radio)
        count_layout.addWidget(self.working_radio)

        by_severity = dict(d.by_severity)
        self.severity_edits = {
            key: self._optional_days(f"policy_severity_{key}", by_severity.get(key)) for key in SEVERITIES
        }
        by_tier = dict(d.by_tier)
        # The default tiers, those the customers carry (an office on RFM or ABC tiers), and any with days.
        tiers = dict.fromkeys([*labels.TIER, *self.tiers_in_use, *by_tier])
        self.tier_edits = {key: self._optional_days(f"policy_tier_{key}", by_tier.get(key)) for key in tiers}
        self.second_spin = self._days_spin("policy_second_level_days", d.second_level_days)
        self.reassign_check = QCheckBox(_("An overdue ticket proposes reassigning the customer"))
        self.reassign_check.setObjectName("policy_propose_reassign")
        self.reassign_check.setChecked(policy.propose_reassign)
        self.reassign_check.setToolTip(
            _("The department manager who receives an overdue ticket is asked to consider other staff")
        )

        form = QFormLayout()
        form.addRow(_("A complaint is due within"), self.field_errors.under("days", self.days_spin))
        form.addRow(_("Counted in"), count_box)
        self.second_spin.setToolTip(
            _(
                "An overdue ticket goes to its department's manager; this much later still, to the general "
                "manager"
            )
        )
        form.addRow(
            _("Then to the general manager after"),
            self.field_errors.under("second_level_days", self.second_spin),
        )
        form.addRow("", self.reassign_check)
        special = QGridLayout()
        special.addWidget(
            self._special_box(
                _("Days by severity"), "by_severity", labels.COMPLAINT_SEVERITY, self.severity_edits
            ),
            0,
            0,
        )
        special.addWidget(
            self._special_box(_("Days by customer tier"), "by_tier", labels.TIER_NAMES, self.tier_edits), 0, 1
        )
        hint = QLabel(
            _(
                "Leave a box empty for the usual deadline. When a severity and a tier both give days, the "
                "shortest deadline applies."
            )
        )
        hint.setStyleSheet(HINT_STYLE)
        hint.setWordWrap(True)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addLayout(form)
        layout.addLayout(special)
        layout.addWidget(hint)
        layout.addStretch(1)
        return page

    def _special_box(self, title: str, field: str, vocabulary: dict[str, str], edits: dict[str, QLineEdit]):
        box = QGroupBox(title)
        form = QFormLayout(box)
        for key, edit in edits.items():
            form.addRow(labels.label(vocabulary, key), edit)
        return self.field_errors.under(field, box)

    def _build_calendar(self, calendar: WorkCalendar) -> QWidget:
        intro = QLabel(
            _(
                "Working days already follow China's public holidays and the weekends worked in exchange. "
                "Add the days the office closes besides, and the days it opens that would be off."
            )
        )
        intro.setWordWrap(True)
        self.closed_days = DateList("policy_closed", calendar.days_off)
        self.open_days = DateList("policy_open", calendar.workdays)
        for days in (self.closed_days, self.open_days):
            days.changed.connect(self._update_preview)
        closed = QGroupBox(_("Closed on"))
        QVBoxLayout(closed).addWidget(self.closed_days)
        opened = QGroupBox(_("Open on"))
        QVBoxLayout(opened).addWidget(self.open_days)
        lists = QHBoxLayout()
        lists.addWidget(closed)
        lists.addWidget(opened)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(intro)
        layout.addLayout(lists, 1)
        return page

    def _build_categories(self) -> QWidget:
        self.category_table = QTableWidget(0, 2)
        self.category_table.setObjectName("policy_categories")
        self.category_table.setHorizontalHeaderLabels([_("Complaint category"), _("Tickets")])
        self.category_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.category_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.category_table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.category_table.verticalHeader().hide()
        header = self.category_table.horizontalHeader()
        header.setSectionResizeMode(NAME_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(TICKETS_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        for info in self._categories:
            self._append_category(info)
        buttons = QVBoxLayout()
        for text, name, slot in (
            (_("Add"), "category_add", self.add_category),
            (_("Rename"), "category_rename", self.rename_category),
            (_("Move up"), "category_up", lambda: self.move_category(-1)),
            (_("Move down"), "category_down", lambda: self.move_category(1)),
            (_("Remove"), "category_remove", self.remove_category),
        ):
            button = QPushButton(text)
            button.setObjectName(name)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.category_note = QLabel()
        self.category_note.setObjectName("category_note")
        self.category_note.setStyleSheet(HINT_STYLE)
        self.category_note.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.field_errors.under("categories", self.category_table), 1)
        row.addLayout(buttons)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addLayout(row, 1)
        layout.addWidget(self.category_note)
        return page

    # -- categories

    def _append_category(self, info: CategoryInfo | None) -> int:
        row = self.category_table.rowCount()
        self.category_table.insertRow(row)
        name = QTableWidgetItem(info.name if info else "")
        name.setData(Qt.ItemDataRole.UserRole, info)  # None: added here
        count = QTableWidgetItem(format_number(info.in_use if info else 0))
        count.setFlags(count.flags() & ~Qt.ItemFlag.ItemIsEditable)
        count.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        count.setToolTip(_("Tickets filed under this category; they keep it if it is removed"))
        self.category_table.setItem(row, NAME_COLUMN, name)
        self.category_table.setItem(row, TICKETS_COLUMN, count)
        return row

    def add_category(self) -> None:
        row = self._append_category(None)
        self.category_table.setCurrentCell(row, NAME_COLUMN)
        self.category_table.editItem(self.category_table.item(row, NAME_COLUMN))

    def rename_category(self) -> None:
        row = self.category_table.currentRow()
        if row >= 0:
            self.category_table.editItem(self.category_table.item(row, NAME_COLUMN))

    def move_category(self, step: int) -> None:
        row = self.category_table.currentRow()
        other = row + step
        if row < 0 or not 0 <= other < self.category_table.rowCount():
            return
        for column in (NAME_COLUMN, TICKETS_COLUMN):
            moving = self.category_table.takeItem(row, column)
            self.category_table.setItem(row, column, self.category_table.takeItem(other, column))
            self.category_table.setItem(other, column, moving)
        self.category_table.setCurrentCell(other, NAME_COLUMN)

    def remove_category(self) -> None:
        row = self.category_table.currentRow()
        if row < 0:
            return
        item = self.category_table.item(row, NAME_COLUMN)
        info: CategoryInfo | None = item.data(Qt.ItemDataRole.UserRole)
        name = item.text().strip()
        self.category_table.removeRow(row)
        if info is not None and info.in_use:
            note = _("“{name}” leaves the list; the tickets filed under it keep it: {n}.").format(
                name=name, n=format_number(info.in_use)
            )
        else:
            note = _("“{name}” leaves the list.").format(name=name)
        self.category_note.setText(note)

    def categories(self) -> list[CategoryInfo]:
        """The list as shown, in its order; a category added here has no id yet."""
        wanted = []
        for row in range(self.category_table.rowCount()):
            item = self.category_table.item(row, NAME_COLUMN)
            info: CategoryInfo | None = item.data(Qt.ItemDataRole.UserRole)
            wanted.append(
                CategoryInfo(
                    id=info.id if info else None,
                    name=item.text(),
                    key=info.key if info else None,
                    in_use=info.in_use if info else 0,
                )
            )
        return wanted

    # -- the policy

    def policy(self) -> tuple[ComplaintPolicy | None, dict[str, str]]:
        """The policy as typed, or None and what cannot be read as days, by field."""
        errors: dict[str, str] = {}
        special: dict[str, list[tuple[str, int]]] = {}
        for field, vocabulary, edits in (
            ("by_severity", labels.COMPLAINT_SEVERITY, self.severity_edits),
            ("by_tier", labels.TIER_NAMES, self.tier_edits),
        ):
            special[field] = []
            for key, edit in edits.items():
                text = edit.text().strip()
                if not text:
                    continue
                if text.isdigit():
                    special[field].append((key, int(text)))
                else:
                    errors[field] = _("{name}: type a whole number of days, or leave it empty.").format(
                        name=labels.label(vocabulary, key)
                    )
        if errors:
            return None, errors
        policy = ComplaintPolicy(
            deadlines=DeadlinePolicy(
                days=self.days_spin.value(),
                by_severity=tuple(special["by_severity"]),
                by_tier=tuple(special["by_tier"]),
                working_days=self.working_radio.isChecked(),
                second_level_days=self.second_spin.value(),
            ),
            calendar=WorkCalendar(days_off=self.closed_days.days(), workdays=self.open_days.days()),
            propose_reassign=self.reassign_check.isChecked(),
        )
        return policy, {}

    def preview_at(self, received: datetime) -> str:
        """When a normal and a critical complaint received at `received` are due under the policy typed."""
        policy, errors = self.policy()
        if errors:
            return _("Type whole numbers of days to see when a complaint would be due.")
        d = policy.deadlines
        return "\n".join(
            (
                _("A normal complaint received now is due {when}.").format(
                    when=format_datetime(d.due_at(received, "normal", None, policy.calendar))
                ),
                _("A critical complaint received now is due {when}.").format(
                    when=format_datetime(d.due_at(received, "critical", None, policy.calendar))
                ),
            )
        )

    def _update_preview(self) -> None:
        self.preview.setText(self.preview_at(datetime.now(timezone.utc)))

    # -- saving

    def accept(self) -> None:
        """Save what changed; on a refusal the dialog stays open with the message at its field."""
        policy, errors = self.policy()
        if errors:
            self.show_errors(errors)
            return
        # A name still being typed counts: leaving its cell hands it to the table.
        self.category_table.setCurrentIndex(QModelIndex())
        categories = self.categories()
        try:
            if policy != self._policy:
                self.service.save_policy(self.actor, policy)
                self._policy = policy  # saved: a refusal of the categories below does not undo it
            if [(c.id, c.name) for c in categories] != [(c.id, c.name) for c in self._categories]:
                self.service.save_categories(self.actor, categories)
        except ValidationError as exc:
            self.show_errors(exc.errors)
            return
        except ServiceError as exc:
            self.show_errors({"general": str(exc)})
            return
        super().accept()

    def show_errors(self, errors: dict[str, str]) -> None:
        """Each message at its field, on the tab that holds the first of them."""
        self.field_errors.show(errors)
