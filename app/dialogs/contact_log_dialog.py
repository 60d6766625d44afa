"""Log (or edit) one contact with a customer: type, when, staff, whom, what, outcome and the next contact."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timezone

from PySide6.QtCore import QDate, QDateTime, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.dialogs.form import FieldErrors, date_format, index_of
from app.i18n import _, format_date
from app.services import labels
from app.services.contacts import CadenceProposal, ContactLogInput
from app.services.customers import ContactDetail, StaffMember
from app.services.followups import ContactPlan, FollowUpInfo


@dataclass(frozen=True)
class ContactLogContext:
    """What the dialog offers: the customer, its people, the staff, its open follow-ups, the cadence."""

    customer: str  # "name (code)"
    persons: list[ContactDetail]
    staff: list[StaffMember]
    follow_ups: list[FollowUpInfo]
    proposal: CadenceProposal | None
    me: uuid.UUID  # who logs it: checked among the staff of a new log
    # Which follow-up a contact today answers, and whether the cadence plans the next (a new log).
    plan: ContactPlan


class ContactLogDialog(QDialog):
    """Returns `value()`, a ContactLogInput; the caller shows the service's errors with `show_errors`."""

    def __init__(
        self,
        parent: QWidget | None,
        context: ContactLogContext,
        initial: ContactLogInput | None = None,
        read_only_reason: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("contact_log_dialog")
        self.context = context
        new = initial is None or initial.occurred_at is None
        self.setWindowTitle(_("Log a contact") if new else _("Contact log"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        heading = QLabel(context.customer)
        heading.setStyleSheet("font-weight: bold; font-size: 14px;")
        layout.addWidget(heading)
        form = QFormLayout()
        self.field_errors = FieldErrors("contact_error")
        self.widgets: dict[str, QWidget] = {}

        self.kind = QComboBox()
        for key, name in labels.CONTACT_KIND.items():
            self.kind.addItem(_(name), key)
        self._row(form, "kind", _("Type"), self.kind)

        self.when = QDateTimeEdit(QDateTime.currentDateTime())
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat(date_format() + " HH:mm")
        self._row(form, "occurred_at", _("When"), self.when)

        self.staff_list = QListWidget()
        self.staff_list.setObjectName("contact_staff")
        self.staff_list.setMaximumHeight(110)
        self.staff_list.setToolTip(_("Everyone who took part; the first checked is the one it counts for."))
        # A new log offers the active staff, me first; an edit keeps its staff in their order (the first
        # is the one it counts for), someone who has left included, then offers the others.
        stored = list(initial.staff_ids) if initial is not None and not new else [context.me]
        by_id = {member.id: member for member in context.staff}
        offered = [by_id[i] for i in stored if i in by_id] + [
            m for m in context.staff if m.active and m.id not in stored
        ]
        for member in offered:
            name = member.name + (f"（{member.department}）" if member.department else "")
            item = QListWidgetItem(name if member.active else _("{name} (left)").format(name=name))
            item.setData(Qt.ItemDataRole.UserRole, member.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if member.id == context.me else Qt.CheckState.Unchecked)
            self.staff_list.addItem(item)
        self._row(form, "staff_ids", _("Staff"), self.staff_list)

        self.person = QComboBox()
        self.person.setObjectName("contact_person")
        self.person.addItem(_("(nobody in particular)"), None)
        for person in context.persons:
            mark = " ★" if person.data.is_decision_maker else ""
            title = f" · {person.data.title}" if person.data.title else ""
            self.person.addItem(f"{person.data.name}{title}{mark}", person.id)
        self._row(form, "contact_person_id", _("Contact person"), self.person)

        self.subject = QLineEdit()
        self.subject.setObjectName("contact_subject")
        self.subject.setMaxLength(200)
        self._row(form, "subject", _("Subject"), self.subject)
        self.summary = self._text("contact_summary", 80)
        self._row(form, "summary", _("Summary"), self.summary)
        self.outcome = self._text("contact_outcome", 52)
        self._row(form, "outcome", _("Outcome"), self.outcome)

        self.completes = QComboBox()
        self.completes.setObjectName("contact_completes")
        self.completes.addItem(_("No"), None)
        for follow_up in context.follow_ups:
            self.completes.addItem(
                _("Yes: {purpose} (due {date})").format(
                    purpose=follow_up.purpose, date=format_date(follow_up.due_on)
                ),
                follow_up.id,
            )
        self._row(form, "completes", _("Completes follow-up"), self.completes)

        self.next_step = QLineEdit()
        self.next_step.setObjectName("contact_next_step")
        self._row(form, "next_step", _("Next step"), self.next_step)
        next_row = QHBoxLayout()
        self.plan_next = QCheckBox(_("Plan the next contact on"))
        self.plan_next.setObjectName("contact_plan_next")
        self.next_date = QDateEdit()
        self.next_date.setObjectName("contact_next_date")
        self.next_date.setCalendarPopup(True)
        self.next_date.setDisplayFormat(date_format())
        self.plan_next.toggled.connect(self.next_date.setEnabled)
        next_row.addWidget(self.plan_next)
        next_row.addWidget(self.next_date, 1)
        holder = QWidget()
        holder.setLayout(next_row)
        next_row.setContentsMargins(0, 0, 0, 0)
        self._row(form, "next_date", _("Next contact"), holder)
        self.cadence_hint = QLabel()
        self.cadence_hint.setObjectName("cadence_hint")
        self.cadence_hint.setStyleSheet("color: #555;")
        self.cadence_hint.setWordWrap(True)
        form.addRow("", self.cadence_hint)
        layout.addLayout(form)
        layout.addWidget(self.field_errors.general)

        self.notice = QLabel(read_only_reason)
        self.notice.setObjectName("contact_read_only")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: #8a5a00;")
        self.notice.setVisible(bool(read_only_reason))
        layout.addWidget(self.notice)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons = buttons
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Save).setToolTip(_("Save (Ctrl+Enter)"))
        layout.addWidget(buttons)
        if not read_only_reason:
            QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.accept)
            QShortcut(QKeySequence("Ctrl+Enter"), self, activated=self.accept)

        self._set(initial or ContactLogInput(), new, initial_is_blank=initial is None)
        if read_only_reason:
            for widget in self.widgets.values():
                widget.setEnabled(False)
            self.plan_next.setEnabled(False)
            buttons.setStandardButtons(QDialogButtonBox.StandardButton.Close)  # Close is a reject role
        self.subject.setFocus()

    def _text(self, name: str, height: int) -> QPlainTextEdit:
        widget = QPlainTextEdit()
        widget.setObjectName(name)
        widget.setTabChangesFocus(True)
        widget.setFixedHeight(height)
        return widget

    def _row(self, form: QFormLayout, name: str, label: str, widget: QWidget) -> None:
        form.addRow(label, self.field_errors.under(name, widget))
        self.widgets[name] = widget

    def _set(self, data: ContactLogInput, new: bool, initial_is_blank: bool) -> None:
        self.kind.setCurrentIndex(max(self.kind.findData(data.kind), 0))
        if data.occurred_at is not None:
            self.when.setDateTime(QDateTime(data.occurred_at.astimezone().replace(tzinfo=None)))
        if data.staff_ids:
            wanted = list(data.staff_ids)
            for row in range(self.staff_list.count()):
                item = self.staff_list.item(row)
                checked = item.data(Qt.ItemDataRole.UserRole) in wanted
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.person.setCurrentIndex(max(index_of(self.person, data.contact_person_id), 0))
        self.subject.setText(data.subject)
        self.summary.setPlainText(data.summary)
        self.outcome.setPlainText(data.outcome)
        self.next_step.setText(data.next_step)
        if data.completes is not None:
            index = index_of(self.completes, data.completes)
            if index < 0:  # already done by this log: shown, not offered to others
                self.completes.addItem(_("Yes"), data.completes)
                index = self.completes.count() - 1
            self.completes.setCurrentIndex(index)
        elif initial_is_blank and self.context.plan.answers is not None:
            # A plain new contact most likely answers the follow-up due soonest; a preset (a greeting,
            # say) names the follow-up it completes, or none.
            self.completes.setCurrentIndex(max(index_of(self.completes, self.context.plan.answers.id), 0))
        proposal = self.context.proposal
        if new:
            cadence = proposal.due_on if proposal and self.context.plan.plan_next else None
            planned = data.next_date or cadence
            self.plan_next.setChecked(planned is not None)
            self.next_date.setDate(QDate(planned or date.today()))
            self.next_date.setEnabled(planned is not None)
        else:
            # An edit changes the log, not the follow-ups: the next contact it planned stays as it is.
            self.plan_next.setChecked(data.next_date is not None)
            self.next_date.setDate(QDate(data.next_date or date.today()))
            self.plan_next.setEnabled(False)
            self.next_date.setEnabled(False)
            self.completes.setEnabled(False)  # which follow-up a log completed is not changed afterwards
        if proposal is not None and new:
            tier = proposal.tier_name or _("no tier")
            self.cadence_hint.setText(
                _("{tier}: a contact every {days} days, so the next one is proposed for {date}.").format(
                    tier=tier, days=proposal.days, date=format_date(proposal.due_on)
                )
            )
        self.cadence_hint.setVisible(bool(self.cadence_hint.text()))

    def value(self) -> ContactLogInput:
        checked = [
            self.staff_list.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.staff_list.count())
            if self.staff_list.item(row).checkState() == Qt.CheckState.Checked
        ]
        local = self.when.dateTime().toPython()
        return ContactLogInput(
            kind=self.kind.currentData(),
            occurred_at=local.astimezone().astimezone(timezone.utc),
            staff_ids=tuple(checked),
            contact_person_id=self.person.currentData(),
            subject=self.subject.text(),
            summary=self.summary.toPlainText(),
            outcome=self.outcome.toPlainText(),
            next_step=self.next_step.text(),
            next_date=self.next_date.date().toPython() if self.plan_next.isChecked() else None,
            completes=self.completes.currentData(),
        )

    def show_errors(self, errors: dict[str, str]) -> None:
        self.field_errors.show(errors)
