"""A complaint ticket: record a new one, or take one through its steps with its resolution, the customer's
feedback, its history and its attachments."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from PySide6.QtCore import QDateTime, QTime, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.db import Database
from app.dialogs.form import FieldErrors, date_format, index_of, wants_reload
from app.i18n import N_, _, format_date, format_minute, format_number
from app.models.enums import ComplaintStatus
from app.services import labels
from app.services.actor import Actor
from app.services.complaint_flow import REOPENABLE, next_steps, step_name
from app.services.complaints import (
    AttachmentInfo,
    ComplaintService,
    Feedback,
    Resolution,
    TicketDetail,
    TicketInput,
    time_left_text,
)
from app.services.customers import CustomerService
from app.services.errors import ConcurrencyError, ServiceError, ValidationError
from app.services.staff import StaffService

OVERDUE_COLOUR = "#c62828"
SOON_COLOUR = "#e65100"  # less than a day left
ON_TIME_COLOUR = "#2e7d32"
SOON = timedelta(hours=24)
# What each usual step's button says; closing without feedback and reopening are named apart.
STEP_BUTTONS = {
    ComplaintStatus.ACCEPTED: N_("Accept"),
    ComplaintStatus.INVESTIGATING: N_("Start investigating"),
    ComplaintStatus.RESOLVED: N_("Resolve"),
    ComplaintStatus.FEEDBACK_GIVEN: N_("Feedback given"),
    ComplaintStatus.CLOSED: N_("Close ticket"),
}
WHEN_FORMAT = " HH:mm"


def time_left_colour(left: timedelta) -> str:
    """Red once overdue, orange with less than a day left, green otherwise."""
    if left < timedelta(0):
        return OVERDUE_COLOUR
    return SOON_COLOUR if left < SOON else ON_TIME_COLOUR


def escalation_text(level: int) -> str:
    if level >= 2:
        return _("Level 2: general manager")
    if level == 1:
        return _("Level 1: department manager")
    return ""


def size_text(size: int) -> str:
    if size < 1024:
        return _("{n} bytes").format(n=format_number(size))
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 2**20:.1f} MB"


def step_button_text(current: ComplaintStatus, target: ComplaintStatus) -> str:
    if target == ComplaintStatus.INVESTIGATING and current in REOPENABLE:
        return _("Reopen…")
    if target == ComplaintStatus.CLOSED and current == ComplaintStatus.RESOLVED:
        return _("Close without feedback…")
    return _(STEP_BUTTONS[target])


def _utc(edit: QDateTimeEdit) -> datetime:
    """The time shown, to the minute (the edit keeps the seconds it was given, unseen), in UTC."""
    local = edit.dateTime().toPython().replace(second=0, microsecond=0)
    return local.astimezone().astimezone(timezone.utc)


def _text_edit(name: str, height: int = 64) -> QPlainTextEdit:
    widget = QPlainTextEdit()
    widget.setObjectName(name)
    widget.setTabChangesFocus(True)
    widget.setFixedHeight(height)
    return widget


def _combo(name: str, items: list[tuple[str, object]]) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    for text, value in items:
        combo.addItem(text, value)
    return combo


def _list_table(name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
    table.setWordWrap(False)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return table


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            item.setToolTip(value)
            table.setItem(r, c, item)


class TicketDialog(QDialog):
    """Opens a new ticket (`ticket_id` None) or edits one; it saves through ComplaintService itself, since
    every workflow step saves what is typed with it. `detail` is the ticket as last saved or read, and
    `saved_any` says whether anything was written.

    `pick_customer(parent)` (the customer picker) lets a new ticket change its customer."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        ticket_id: uuid.UUID | None = None,
        customer_id: uuid.UUID | None = None,
        parent: QWidget | None = None,
        pick_customer: Callable[[QWidget], uuid.UUID | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ticket_dialog")
        self.actor = actor
        self.service = ComplaintService(db)
        self.customers = CustomerService(db)
        self.pick_customer = pick_customer
        self.detail: TicketDetail | None = None
        self.saved_any = False
        self.dirty = False
        self._loading = False
        self._received_shown = QDateTime()  # the receipt time as loaded: unchanged, the stored one is kept
        self.attachments: list[AttachmentInfo] = []
        self._persons_of: uuid.UUID | None = None  # whose contact persons the list holds
        detail = self.service.get(actor, ticket_id) if ticket_id is not None else None
        self.customer_id = detail.data.customer_id if detail is not None else customer_id
        self.staff = self.customers.staff(actor)
        self.departments = StaffService(db).departments(actor)
        self.categories = self.service.categories(actor)
        self.field_errors = FieldErrors("ticket_error")
        self.setMinimumSize(680, 600)

        self.heading = QLabel()
        self.heading.setObjectName("ticket_heading")
        self.heading.setStyleSheet("font-weight: bold; font-size: 14px;")
        self.tabs = QTabWidget()
        self.tabs.setObjectName("ticket_tabs")
        self.details_tab = self._build_details()
        self.resolution_tab = self._build_resolution()
        self.feedback_tab = self._build_feedback()
        self.history_tab = self._build_history()
        self.attachments_tab = self._build_attachments()
        self.tabs.addTab(self.details_tab, _("Details"))
        self.tabs.addTab(self.resolution_tab, _("Resolution"))
        self.tabs.addTab(self.feedback_tab, _("Feedback"))
        self.tabs.addTab(self.history_tab, _("History"))
        self.tabs.addTab(self.attachments_tab, _("Attachments"))

        self.steps_box = QGroupBox(_("Next step"))
        self.steps_box.setObjectName("ticket_steps")
        steps = QVBoxLayout(self.steps_box)
        self.step_buttons_row = QHBoxLayout()
        steps.addLayout(self.step_buttons_row)
        self.step_note = QLineEdit()
        self.step_note.setObjectName("step_note")
        self.step_note.setPlaceholderText(_("A note for the step (optional; a reopening needs the reason)"))
        steps.addWidget(self.step_note)
        self.step_buttons: dict[str, QPushButton] = {}

        self.save_button = QPushButton(_("Save"))
        self.save_button.setObjectName("ticket_save")
        self.save_button.setToolTip(_("Save (Ctrl+S); Ctrl+Enter saves and closes"))
        self.save_button.clicked.connect(self.save)
        self.close_button = QPushButton(_("Close"))
        self.close_button.setObjectName("ticket_close")
        self.close_button.setToolTip(_("Close (Esc)"))
        self.close_button.clicked.connect(self.reject)
        for button in (self.save_button, self.close_button):
            button.setAutoDefault(False)  # Enter in a field must not save or close
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.field_errors.general)
        layout.addWidget(self.steps_box)
        layout.addLayout(bottom)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.save_and_close)
        QShortcut(QKeySequence("Ctrl+Enter"), self, activated=self.save_and_close)

        if detail is not None:
            self._show_detail(detail)
        else:
            self._show_new()

    # -- building

    def _row(self, form: QFormLayout, name: str, label: str, widget: QWidget) -> None:
        form.addRow(label, self.field_errors.under(name, widget))

    def _watch(self, *widgets: QWidget) -> None:
        """Edits in these widgets make the ticket unsaved."""
        for widget in widgets:
            if isinstance(widget, QComboBox):
                widget.currentIndexChanged.connect(self._edited)
            elif isinstance(widget, QPlainTextEdit):
                widget.textChanged.connect(self._edited)
            elif isinstance(widget, QDateTimeEdit):
                widget.dateTimeChanged.connect(self._edited)
            elif isinstance(widget, QLineEdit):
                widget.textChanged.connect(self._edited)

    def _build_details(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.status_label = QLabel()
        self.status_label.setObjectName("ticket_status")
        self.deadline_label = QLabel()
        self.deadline_label.setObjectName("ticket_deadline")
        self.time_left_label = QLabel()
        self.time_left_label.setObjectName("ticket_time_left")
        deadline = QHBoxLayout()
        deadline.addWidget(self.deadline_label)
        deadline.addWidget(self.time_left_label, 1)
        self.escalation_label = QLabel()
        self.escalation_label.setObjectName("ticket_escalation")
        self.facts_box = QWidget()
        facts = QFormLayout(self.facts_box)
        facts.setContentsMargins(0, 0, 0, 0)
        facts.addRow(_("Status"), self.status_label)
        facts.addRow(_("Deadline"), deadline)
        facts.addRow(_("Escalation"), self.escalation_label)
        layout.addWidget(self.facts_box)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        customer = QWidget()
        customer_row = QHBoxLayout(customer)
        customer_row.setContentsMargins(0, 0, 0, 0)
        self.customer_label = QLabel()
        self.customer_label.setObjectName("ticket_customer")
        self.choose_customer_button = QPushButton(_("Choose…"))
        self.choose_customer_button.setObjectName("ticket_choose_customer")
        self.choose_customer_button.setAutoDefault(False)
        self.choose_customer_button.clicked.connect(self.choose_customer)
        customer_row.addWidget(self.customer_label, 1)
        customer_row.addWidget(self.choose_customer_button)
        self._row(form, "customer_id", _("Customer"), customer)

        self.contact_person = _combo("ticket_contact_person", [])
        self._row(form, "contact_person_id", _("Contact person"), self.contact_person)
        self.channel = _combo(
            "ticket_channel", [(_(name), key) for key, name in labels.COMPLAINT_CHANNEL.items()]
        )
        self._row(form, "channel", _("Received by"), self.channel)
        self.received = QDateTimeEdit()
        self.received.setObjectName("ticket_received")
        self.received.setCalendarPopup(True)
        self.received.setDisplayFormat(date_format() + WHEN_FORMAT)
        self._row(form, "received_at", _("Received at"), self.received)
        self.category = _combo(
            "ticket_category", [(_("(choose a category)"), None)] + [(c.name, c.id) for c in self.categories]
        )
        self._row(form, "category_id", _("Complaint category"), self.category)
        self.severity = _combo(
            "ticket_severity", [(_(name), key) for key, name in labels.COMPLAINT_SEVERITY.items()]
        )
        self._row(form, "severity", _("Severity"), self.severity)
        self.description = _text_edit("ticket_description", 90)
        self._row(form, "description", _("Description"), self.description)
        active = [(m.name, m.id) for m in self.staff if m.active]
        self.against = _combo("ticket_against", [(_("(nobody in particular)"), None), *active])
        self._row(form, "against_staff_id", _("Complaint about"), self.against)
        self.responsible = _combo("ticket_responsible", [("", None), *active])
        self._row(form, "responsible_staff_id", _("Responsible"), self.responsible)
        self.department = _combo(
            "ticket_department",
            [(_("(the responsible person's department)"), None)] + [(d.name, d.id) for d in self.departments],
        )
        self._row(form, "department_id", _("Department"), self.department)
        # Handed to someone else, the ticket goes with them to their department (and its manager, for the
        # escalation), unless the user then picks another department.
        self.responsible.activated.connect(lambda _index: self.department.setCurrentIndex(0))
        layout.addLayout(form)
        layout.addStretch(1)
        self._watch(
            self.contact_person,
            self.channel,
            self.received,
            self.category,
            self.severity,
            self.description,
            self.against,
            self.responsible,
            self.department,
        )
        return page

    def _build_resolution(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        form = QFormLayout()
        layout.addLayout(form)
        layout.addStretch(1)  # the fields keep their height; the spare room goes below
        self.root_cause = _text_edit("ticket_root_cause")
        self._row(form, "root_cause", _("Root cause"), self.root_cause)
        self.action_taken = _text_edit("ticket_action_taken")
        self._row(form, "action_taken", _("Action taken"), self.action_taken)
        self.preventive_action = _text_edit("ticket_preventive_action")
        self._row(form, "preventive_action", _("Corrective and preventive action"), self.preventive_action)
        self.compensation = QLineEdit()
        self.compensation.setObjectName("ticket_compensation")
        self.compensation.setPlaceholderText(_("Amount in yuan, e.g. 500.00"))
        self._row(form, "compensation", _("Compensation"), self.compensation)
        self._watch(self.root_cause, self.action_taken, self.preventive_action, self.compensation)
        return page

    def _build_feedback(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        form = QFormLayout()
        layout.addLayout(form)
        layout.addStretch(1)  # the fields keep their height; the spare room goes below
        self.feedback_channel = _combo(
            "ticket_feedback_channel",
            [(_("(not told yet)"), "")] + [(_(name), key) for key, name in labels.COMPLAINT_CHANNEL.items()],
        )
        self._row(form, "feedback_channel", _("Customer told by"), self.feedback_channel)
        self.satisfaction = _combo(
            "ticket_satisfaction", [(_("Not rated"), None)] + [(str(n), n) for n in range(1, 6)]
        )
        self.satisfaction.setToolTip(_("1: very dissatisfied … 5: very satisfied"))
        self._row(form, "satisfaction", _("Satisfaction"), self.satisfaction)
        self.feedback_comment = _text_edit("ticket_feedback_comment")
        self._row(form, "feedback_comment", _("Customer's comment"), self.feedback_comment)
        self.no_feedback_reason = _text_edit("ticket_no_feedback_reason")
        self.no_feedback_reason.setToolTip(
            _("A resolved ticket may close without feedback only with a reason.")
        )
        self._row(form, "no_feedback_reason", _("Why no feedback could be had"), self.no_feedback_reason)
        self._watch(self.feedback_channel, self.satisfaction, self.feedback_comment, self.no_feedback_reason)
        return page

    def _build_history(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel(_("Steps")))
        self.steps_table = _list_table("ticket_steps_table", [_("When"), _("Step"), _("Who"), _("Note")])
        layout.addWidget(self.steps_table, 2)
        layout.addWidget(QLabel(_("Escalations")))
        self.escalations_table = _list_table(
            "ticket_escalations_table", [_("When"), _("Level"), _("To"), _("Proposal")]
        )
        layout.addWidget(self.escalations_table, 1)
        for table in (self.steps_table, self.escalations_table):
            table.setColumnWidth(0, 170)
            table.setColumnWidth(1, 190)
            table.setColumnWidth(2, 110)
        return page

    def _build_attachments(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.attachments_table = _list_table(
            "ticket_attachments_table", [_("File"), _("Size"), _("Added"), _("By")]
        )
        self.attachments_table.setColumnWidth(0, 260)
        self.attachments_table.doubleClicked.connect(lambda _index: self.open_attachment())
        self.attachments_table.itemSelectionChanged.connect(self._update_attachment_buttons)
        layout.addWidget(self.attachments_table, 1)
        row = QHBoxLayout()
        self.attachment_buttons: dict[str, QPushButton] = {}
        for name, text, slot in (
            ("add", _("Add…"), self.add_attachments),
            ("open", _("Open"), self.open_attachment),
            ("save", _("Save as…"), self.save_attachment_as),
            ("remove", _("Remove"), self.remove_attachment),
        ):
            button = QPushButton(text)
            button.setObjectName(f"attachment_{name}")
            button.setAutoDefault(False)
            button.clicked.connect(slot)
            row.addWidget(button)
            self.attachment_buttons[name] = button
        row.addStretch(1)
        layout.addLayout(row)
        return page

    # -- showing

    def _show_new(self) -> None:
        self._loading = True
        try:
            now = QDateTime.currentDateTime()
            now.setTime(QTime(now.time().hour(), now.time().minute()))  # as shown: to the minute
            self.received.setDateTime(now)
            self.channel.setCurrentIndex(0)
            self.severity.setCurrentIndex(max(self.severity.findData("normal"), 0))
            self._set_customer(self.customer_id)
        finally:
            self._loading = False
        for tab in (self.resolution_tab, self.feedback_tab, self.history_tab, self.attachments_tab):
            self.tabs.setTabVisible(self.tabs.indexOf(tab), False)
        self.facts_box.hide()
        self.steps_box.hide()
        self.choose_customer_button.setVisible(self.pick_customer is not None)
        self.setWindowTitle(_("New complaint"))
        self._set_dirty(False)
        self.description.setFocus()

    def _set_customer(self, customer_id: uuid.UUID | None) -> None:
        """The customer of a new ticket: its name, its contact persons, its account manager."""
        self.customer_id = customer_id
        manager = ""
        if customer_id is None:
            self.customer_label.setText(_("(choose the customer)"))
            self.heading.setText(_("New complaint"))
        else:
            customer = self.customers.get(self.actor, customer_id)
            manager = customer.manager_name
            self.customer_label.setText(f"{customer.data.name} ({customer.data.code})")
            self.heading.setText(
                _("New complaint from {customer}").format(customer=self.customer_label.text())
            )
        self._fill_persons(customer_id)
        self.responsible.setItemText(
            0,
            _("(the account manager: {name})").format(name=manager)
            if manager
            else _("(the account manager)"),
        )

    def _fill_persons(self, customer_id: uuid.UUID | None) -> None:
        """The customer's contact persons to choose from (none for no customer)."""
        self._persons_of = customer_id
        self.contact_person.clear()
        self.contact_person.addItem(_("(nobody in particular)"), None)
        if customer_id is not None:
            for person in self.customers.contacts(self.actor, customer_id):
                title = f" · {person.data.title}" if person.data.title else ""
                self.contact_person.addItem(f"{person.data.name}{title}", person.id)

    def _show_detail(self, detail: TicketDetail) -> None:
        """Everything the ticket holds, as read or saved: the form forgets what was typed before."""
        self.detail = detail
        data = detail.data
        self._loading = True
        try:
            self.customer_id = data.customer_id
            customer = f"{detail.customer_name} ({detail.customer_code})"
            self.customer_label.setText(customer)
            self.heading.setText(
                _("Complaint #{number} · {customer}").format(number=detail.number, customer=customer)
            )
            if self._persons_of != data.customer_id:  # a saved ticket keeps its customer: read them once
                self._fill_persons(data.customer_id)
            self._select(self.contact_person, data.contact_person_id, _("(a removed contact person)"))
            self._select(self.channel, data.channel, data.channel)
            local = data.received_at.astimezone().replace(tzinfo=None)
            self.received.setDateTime(QDateTime(local))
            self._received_shown = self.received.dateTime()
            self._select(self.category, data.category_id, _("(a removed category)"))
            self._select(self.severity, data.severity, data.severity)
            self.description.setPlainText(data.description)
            self._select(self.against, data.against_staff_id, self._staff_name(data.against_staff_id))
            self._select(
                self.responsible, data.responsible_staff_id, self._staff_name(data.responsible_staff_id)
            )
            self._select(self.department, data.department_id, _("(a removed department)"))
            resolution = detail.resolution
            self.root_cause.setPlainText(resolution.root_cause)
            self.action_taken.setPlainText(resolution.action_taken)
            self.preventive_action.setPlainText(resolution.preventive_action)
            compensation = resolution.compensation
            self.compensation.setText("" if compensation is None else f"{compensation:.2f}")
            feedback = detail.feedback
            self._select(self.feedback_channel, feedback.channel, feedback.channel)
            self._select(self.satisfaction, feedback.satisfaction, str(feedback.satisfaction))
            self.feedback_comment.setPlainText(feedback.comment)
            self.no_feedback_reason.setPlainText(feedback.no_feedback_reason)
        finally:
            self._loading = False
        self._show_facts(detail)
        self._show_history(detail)
        self._show_attachments(detail.attachments)
        self._show_steps(detail)
        for index in range(self.tabs.count()):
            self.tabs.setTabVisible(index, True)
        self.facts_box.show()
        self.steps_box.show()
        self.choose_customer_button.hide()  # a ticket stays with the customer it was opened for
        self.setWindowTitle(_("Complaint #{number}").format(number=detail.number))
        self.field_errors.show({})
        self._set_dirty(False)

    def _staff_name(self, staff_id: uuid.UUID | None) -> str:
        member = next((m for m in self.staff if m.id == staff_id), None)
        if member is None:
            return _("(a removed staff member)")
        return _("{name} (left)").format(name=member.name) if not member.active else member.name

    @staticmethod
    def _select(combo: QComboBox, value, missing_text: str) -> None:
        """Show `value`; one no longer offered (a person who left, a removed category) is added."""
        index = index_of(combo, value)
        if index < 0 and value not in (None, ""):
            combo.addItem(missing_text, value)
            index = combo.count() - 1
        combo.setCurrentIndex(max(index, 0))

    def _show_facts(self, detail: TicketDetail) -> None:
        self.status_label.setText(labels.label(labels.COMPLAINT_STATUS, detail.status))
        due = detail.due_at
        self.deadline_label.setText(format_minute(due))
        left = due - datetime.now(timezone.utc) if due is not None and detail.is_open else None
        if left is None:
            self.time_left_label.setText("")
            self.time_left_label.setStyleSheet("")
        else:
            self.time_left_label.setText(time_left_text(left))
            self.time_left_label.setStyleSheet(f"color: {time_left_colour(left)}; font-weight: bold;")
        self.escalation_label.setText(escalation_text(detail.escalation_level) or _("none"))

    def _show_history(self, detail: TicketDetail) -> None:
        _fill(
            self.steps_table,
            [
                [format_minute(s.at), step_name(s.from_status, s.to_status), s.who, s.note]
                for s in detail.steps
            ],
        )
        _fill(
            self.escalations_table,
            [
                [
                    format_minute(e.at),
                    escalation_text(e.level),
                    e.to_name,
                    _("Consider moving the customer to other staff") if e.propose_reassign else "",
                ]
                for e in detail.escalations
            ],
        )

    def _show_attachments(self, attachments: tuple[AttachmentInfo, ...]) -> None:
        self.attachments = list(attachments)
        _fill(
            self.attachments_table,
            [
                [a.filename, size_text(a.size), format_date(a.added_at.astimezone().date()), a.added_by]
                for a in attachments
            ],
        )
        self._update_attachment_buttons()

    def _show_steps(self, detail: TicketDetail) -> None:
        """A button per step the ticket may take now, the usual one first."""
        while self.step_buttons_row.count():
            widget = self.step_buttons_row.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.step_buttons = {}
        current = ComplaintStatus(detail.status)
        for target in next_steps(current):
            button = QPushButton(step_button_text(current, target))
            button.setObjectName(f"step_{target.value}")
            button.setAutoDefault(False)
            button.clicked.connect(lambda _checked=False, t=target.value: self.take_step(t))
            self.step_buttons_row.addWidget(button)
            self.step_buttons[target.value] = button
        if not self.step_buttons:
            self.step_buttons_row.addWidget(QLabel(_("The ticket is closed.")))
        self.step_buttons_row.addStretch(1)
        self.step_note.setEnabled(bool(self.step_buttons))

    def _edited(self, *_args) -> None:
        if not self._loading:
            self._set_dirty(True)

    def _set_dirty(self, dirty: bool) -> None:
        self.dirty = dirty
        title = self.windowTitle().removeprefix("* ")
        self.setWindowTitle(("* " if dirty else "") + title)

    # -- what was typed

    def ticket_input(self) -> TicketInput:
        received = _utc(self.received)
        if self.detail is not None and self.received.dateTime() == self._received_shown:
            # Shown to the minute; the stored time, to the second, must not count as a change (it would
            # move the deadline and restart the escalation).
            received = self.detail.data.received_at
        return TicketInput(
            customer_id=self.customer_id,
            contact_person_id=self.contact_person.currentData(),
            channel=self.channel.currentData(),
            received_at=received,
            category_id=self.category.currentData(),
            severity=self.severity.currentData(),
            description=self.description.toPlainText(),
            against_staff_id=self.against.currentData(),
            responsible_staff_id=self.responsible.currentData(),
            department_id=self.department.currentData(),
        )

    def resolution(self) -> Resolution:
        # The amount goes as typed: the service reads it (¥, thousands separators) and says what is wrong.
        return Resolution(
            root_cause=self.root_cause.toPlainText(),
            action_taken=self.action_taken.toPlainText(),
            preventive_action=self.preventive_action.toPlainText(),
            compensation=self.compensation.text().strip() or None,
        )

    def feedback(self) -> Feedback:
        return Feedback(
            channel=self.feedback_channel.currentData() or "",
            satisfaction=self.satisfaction.currentData(),
            comment=self.feedback_comment.toPlainText(),
            no_feedback_reason=self.no_feedback_reason.toPlainText(),
        )

    # -- saving and the steps

    def choose_customer(self) -> None:
        if self.pick_customer is None or self.detail is not None:
            return
        chosen = self.pick_customer(self)
        if chosen is not None and chosen != self.customer_id:
            self._set_customer(chosen)
            self._set_dirty(True)

    def save(self) -> bool:
        """Open the new ticket or save the edits; the dialog stays open with the saved ticket."""
        try:
            if self.detail is None:
                detail = self.service.open(self.actor, self.ticket_input())
            else:
                detail = self.service.update(
                    self.actor,
                    self.detail.id,
                    self.detail.version,
                    self.ticket_input(),
                    self.resolution(),
                    self.feedback(),
                )
        except ServiceError as exc:
            self._refused(exc)
            return False
        self.saved_any = True
        self._show_detail(detail)
        return True

    def save_and_close(self) -> None:
        if self.save():
            self.accept()

    def take_step(self, target: str) -> bool:
        """Move the ticket to `target`, saving with the step what is typed; a refusal keeps it all."""
        if self.detail is None:
            return False
        current = ComplaintStatus(self.detail.status)
        note = self.step_note.text()
        if target == ComplaintStatus.INVESTIGATING.value and current in REOPENABLE and not note.strip():
            note, ok = QInputDialog.getMultiLineText(
                self, _("Reopen ticket"), _("Why is the ticket reopened?")
            )
            if not ok:
                return False
            self.step_note.setText(" ".join(note.split()))  # kept there if the step is refused
        if (
            target == ComplaintStatus.CLOSED.value
            and current == ComplaintStatus.RESOLVED
            and not self.no_feedback_reason.toPlainText().strip()
        ):
            reason, ok = QInputDialog.getMultiLineText(
                self, _("Close without feedback"), _("Why could no feedback be had from the customer?")
            )
            if not ok:
                return False
            self.no_feedback_reason.setPlainText(reason)  # saved with the step, kept if it is refused
        try:
            detail = self.service.move(
                self.actor,
                self.detail.id,
                target,
                note,
                version=self.detail.version,
                data=self.ticket_input(),
                resolution=self.resolution(),
                feedback=self.feedback(),
            )
        except ServiceError as exc:
            self._refused(exc, target)
            return False
        self.saved_any = True
        self.step_note.clear()
        self._show_detail(detail)
        return True

    def _refused(self, exc: ServiceError, target: str = "") -> None:
        """Say why nothing was saved; the fields keep what was typed."""
        if isinstance(exc, ValidationError):
            self.field_errors.show(exc.errors)  # on the tab of the first field named
            return
        if isinstance(exc, ConcurrencyError):
            self._changed_elsewhere(exc)
            return
        self.field_errors.show({})
        QMessageBox.warning(self, _("Complaint ticket"), str(exc))
        # The tab with what the step lacks, so it can be written at once.
        if target == ComplaintStatus.RESOLVED.value:
            self.tabs.setCurrentWidget(self.resolution_tab)
        elif target in (ComplaintStatus.FEEDBACK_GIVEN.value, ComplaintStatus.CLOSED.value):
            self.tabs.setCurrentWidget(self.feedback_tab)

    def _changed_elsewhere(self, exc: ConcurrencyError) -> None:
        if wants_reload(self, str(exc)):
            self.reload()

    def reload(self) -> None:
        if self.detail is None:
            return
        try:
            detail = self.service.get(self.actor, self.detail.id)
        except ServiceError as exc:
            QMessageBox.warning(self, _("Complaint ticket"), str(exc))
            return
        self._persons_of = None  # read afresh, contact persons too
        self._show_detail(detail)

    def reject(self) -> None:
        """Esc, Close or the window's ✕: unsaved edits are saved, dropped or kept open, as the user says."""
        if self.dirty:
            answer = QMessageBox.question(
                self,
                _("Unsaved changes"),
                _("Save the changes to this ticket before closing?"),
                QMessageBox.StandardButton.Save
                | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel,
            )
            if answer == QMessageBox.StandardButton.Cancel:
                return
            if answer == QMessageBox.StandardButton.Save:
                if self.save():
                    self.accept()
                return
        super().reject()

    # -- attachments

    def _current_attachment(self) -> AttachmentInfo | None:
        rows = self.attachments_table.selectionModel().selectedRows()
        return self.attachments[rows[0].row()] if rows else None

    def _update_attachment_buttons(self) -> None:
        chosen = self._current_attachment() is not None
        for name in ("open", "save", "remove"):
            self.attachment_buttons[name].setEnabled(chosen)

    def add_attachments(self) -> None:
        paths, _filter = QFileDialog.getOpenFileNames(self, _("Attach files"), "", _("All files (*)"))
        if paths:
            self.attach_files([Path(p) for p in paths])

    def attach_files(self, paths: list[Path]) -> int:
        """Copy the files into the ticket; those that cannot be read are named. Returns how many went in."""
        if self.detail is None:
            return 0
        problems = []
        added = 0
        for path in paths:
            try:
                self.service.attach(self.actor, self.detail.id, path)
                added += 1
            except ServiceError as exc:
                problems.append(str(exc))
        self._reload_attachments()
        if problems:
            QMessageBox.warning(self, _("Attachments"), "\n".join(problems))
        return added

    def _reload_attachments(self) -> None:
        """Only the attachments: the version and the edits on the other tabs stay as they are."""
        if self.detail is None:
            return
        try:
            fresh = self.service.get(self.actor, self.detail.id)
        except ServiceError as exc:
            QMessageBox.warning(self, _("Attachments"), str(exc))
            return
        self.detail = replace(self.detail, attachments=fresh.attachments)
        self._show_attachments(fresh.attachments)

    def temporary_copy(self, attachment_id: uuid.UUID) -> Path:
        """The attachment written to a temporary folder, for the program that opens it."""
        name, content = self.service.attachment_content(self.actor, attachment_id)
        folder = Path(tempfile.gettempdir()) / "clientdesk-attachments" / str(attachment_id)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / Path(name).name  # a stored name is a bare name; never a path out of the folder
        path.write_bytes(content)
        return path

    def open_attachment(self) -> None:
        chosen = self._current_attachment()
        if chosen is None:
            return
        try:
            path = self.temporary_copy(chosen.id)
        except (ServiceError, OSError) as exc:
            QMessageBox.warning(self, _("Attachments"), str(exc))
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def save_attachment_as(self) -> None:
        chosen = self._current_attachment()
        if chosen is None:
            return
        target, _filter = QFileDialog.getSaveFileName(self, _("Save attachment"), chosen.filename)
        if target:
            self.save_attachment(chosen.id, Path(target))

    def save_attachment(self, attachment_id: uuid.UUID, target: Path) -> bool:
        try:
            _name, content = self.service.attachment_content(self.actor, attachment_id)
            target.write_bytes(content)
        except ServiceError as exc:
            QMessageBox.warning(self, _("Attachments"), str(exc))
            return False
        except OSError as exc:
            QMessageBox.warning(
                self,
                _("Attachments"),
                _("{file} could not be written: {reason}").format(file=target, reason=exc.strerror or exc),
            )
            return False
        return True

    def remove_attachment(self) -> bool:
        chosen = self._current_attachment()
        if chosen is None:
            return False
        question = _("Remove {file} from the ticket?").format(file=chosen.filename)
        if QMessageBox.question(self, _("Remove attachment"), question) != QMessageBox.StandardButton.Yes:
            return False
        try:
            self.service.remove_attachment(self.actor, chosen.id)
        except ServiceError as exc:
            QMessageBox.warning(self, _("Attachments"), str(exc))
            return False
        self._reload_attachments()
        return True
