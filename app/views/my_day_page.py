"""My day: escalated complaints, overdue, today's and this week's follow-ups, birthdays and holidays ahead."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from enum import IntEnum

from PySide6.QtCore import QDate, QLocale, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.db import Database
from app.dialogs.form import ERROR_TEXT
from app.i18n import N_, _, current_language, format_date, format_datetime, format_number
from app.services import events, labels
from app.services.actor import Actor
from app.services.care import REMINDER_DAYS, CareReminder, CareService
from app.services.complaints import time_left_text
from app.services.contacts import ContactLogInput, ContactService
from app.services.customers import CustomerService, StaffMember
from app.services.errors import ServiceError
from app.services.escalation import EscalationItem, escalations_for
from app.services.followups import FollowUpInfo, FollowUpService
from app.services.tiers import TierService
from app.views.contact_actions import cancel_follow_up, log_contact, reschedule_follow_up
from app.views.holidays_window import HolidaysWindow
from app.views.qt_events import ReloadWhenShown
from app.views.settings import Settings
from app.views.tables import RETURN_KEYS

# What a write must touch for this page to show something else.
RELOAD_ON = frozenset({"contact_log", "follow_up", "customer", "holiday", "staff", "complaint"})
WECHAT = "wechat"  # greetings go out by WeChat; the contact kind they are logged as
GREETING_TIERS = 2  # a holiday greeting goes to the best tiers of the rule set in use (and key customers)
EVERYONE = "*"  # the staff combo's data for everyone's day (a staff member's is their id as text)
HINT_STYLE = "color: #777;"
MAX_ROWS = 10  # rows a follow-up list shows before it scrolls
MAX_CARE_ROWS = 12


# A manager's view of the whole office can hold thousands of follow-ups: each list shows the first ones.
LIST_LIMIT = 200


class Column(IntEnum):
    DUE = 0
    CUSTOMER = 1
    TIER = 2
    PURPOSE = 3
    OWNER = 4


FITTED = (Column.DUE, Column.TIER, Column.OWNER)  # as wide as their widest text, the same in all three lists
HEADERS = {
    Column.DUE: N_("Due"),
    Column.CUSTOMER: N_("Customer"),
    Column.TIER: N_("Tier"),
    Column.PURPOSE: N_("Purpose"),
    Column.OWNER: N_("Owner"),
}


class CareColumn(IntEnum):
    DATE = 0
    WHAT = 1
    CUSTOMER = 2
    PERSON = 3
    GREETING = 4


class EscalationColumn(IntEnum):
    LEVEL = 0
    TICKET = 1
    CUSTOMER = 2
    LATE = 3
    DESCRIPTION = 4


ESCALATION_HEADERS = {
    EscalationColumn.LEVEL: N_("Level"),
    EscalationColumn.TICKET: N_("Ticket"),
    EscalationColumn.CUSTOMER: N_("Customer"),
    EscalationColumn.LATE: N_("Late"),
    EscalationColumn.DESCRIPTION: N_("Complaint"),
}
PROPOSE_REASSIGN_TIP = N_("The complaint policy proposes handing this customer over to other staff")
LEVEL_TIPS = {
    1: N_("Past its deadline: raised to the department's manager"),
    2: N_("Still open after the second period: raised to the general manager"),
}


CARE_HEADERS = {
    CareColumn.DATE: N_("Date"),
    CareColumn.WHAT: N_("Occasion"),
    CareColumn.CUSTOMER: N_("Customer"),
    CareColumn.PERSON: N_("Person"),
    CareColumn.GREETING: N_("Suggested greeting"),
}


def long_date(day: date) -> str:
    """The date with its weekday, as people write it in the user's language."""
    if current_language() == "zh_CN":
        locale = QLocale(QLocale.Language.Chinese, QLocale.Country.China)
    else:
        locale = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    return locale.toString(QDate(day), QLocale.FormatType.LongFormat)


def days_text(day: date, today: date) -> str:
    """How far a day is from today, in words: "3 days late", "today", "in 2 days"."""
    days = (day - today).days
    if days < -1:
        return _("{n} days late").format(n=-days)
    if days == -1:
        return _("1 day late")
    if days == 0:
        return _("today")
    if days == 1:
        return _("tomorrow")
    return _("in {n} days").format(n=days)


def _table(name: str, headers: dict) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels([_(text) for text in headers.values()])
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
    table.horizontalHeader().setHighlightSections(False)
    # The text columns stretch to the width instead: a scroll bar would cover the last row.
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return table


def _add_action(widget: QWidget, text: str, keys: list[QKeySequence], slot) -> QAction:
    """A key that acts on the widget while it has the focus (Return on a list, say)."""
    action = QAction(text, widget)
    action.setShortcuts(keys)
    action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    action.triggered.connect(slot)
    widget.addAction(action)
    return action




class Section(QWidget):
    """A titled table, as tall as its rows (up to a point), that gives way to a friendly grey line when
    it has none."""

    def __init__(self, name: str, table: QTableWidget, empty_text: str, max_rows: int) -> None:
        super().__init__()
        self.setObjectName(f"{name}_section")
        self.table = table
        self.max_rows = max_rows
        self.title = QLabel()
        self.title.setObjectName(f"{name}_title")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.empty = QLabel(empty_text)
        self.empty.setObjectName(f"{name}_empty")
        self.empty.setStyleSheet(HINT_STYLE)
        self.empty.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.table)
        layout.addWidget(self.empty)

    def set_state(self, title: str, alert: bool = False) -> None:
        rows = self.table.rowCount()
        self.title.setText(title)
        self.title.setStyleSheet(ERROR_TEXT if alert and rows else "")
        self.table.setVisible(rows > 0)
        self.empty.setVisible(rows == 0)
        # A few rows need no scroll bar of their own; a long list scrolls past `max_rows`.
        table = self.table
        height = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
        height += sum(table.rowHeight(r) for r in range(min(rows, self.max_rows)))
        table.setFixedHeight(height)


class MyDayPage(QWidget):
    """The start page of sales staff: whom to contact (overdue, today, this week) and whom to greet."""

    open_customer = Signal(object)  # a customer's id
    open_ticket = Signal(object)  # a complaint ticket's id
    # The handover of customers to other staff, as the service watch asks for it: the account manager's id
    # and the list of customer ids.
    reassign_requested = Signal(object, object)
    message = Signal(str)  # a passing message for the status bar

    def __init__(self, db: Database, actor: Actor, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MyDayPage")
        self.db = db
        self.actor = actor
        self.settings = settings
        self.followups = FollowUpService(db)
        self.care = CareService(db)
        self.contacts = ContactService(db)
        self.customers = CustomerService(db)
        self.manager = actor.is_manager
        self.today = date.today()
        self._staff: list[StaffMember] = []
        self._reminders: list[CareReminder] = []
        self._escalations: list[EscalationItem] = []
        self._holidays_window: HolidaysWindow | None = None
        self._reloader = ReloadWhenShown(self, lambda: self.reload())  # when first shown, and after changes

        self.heading = QLabel()
        self.heading.setObjectName("my_day_heading")
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.35)
        self.heading.setFont(font)
        self.staff_combo = QComboBox()
        self.staff_combo.setObjectName("my_day_staff")
        self.staff_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.staff_combo.addItem(self._me_text(), str(actor.staff_id))
        self.staff_combo.setEnabled(self.manager)
        if not self.manager:
            self.staff_combo.setToolTip(_("Managers can see another person's day."))
        self.staff_combo.currentIndexChanged.connect(lambda _index: self.reload())
        staff_label = QLabel(_("Whose day"))
        staff_label.setBuddy(self.staff_combo)
        self.refresh_button = QPushButton(_("Refresh"))
        self.refresh_button.setObjectName("refresh")
        self.refresh_button.clicked.connect(self.reload)
        self.holidays_button = QPushButton(_("Holidays…"))
        self.holidays_button.setObjectName("holidays")
        self.holidays_button.setToolTip(_("The holidays whose greetings My day suggests"))
        self.holidays_button.clicked.connect(self.show_holidays)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(staff_label)
        top.addWidget(self.staff_combo)
        top.addWidget(self.refresh_button)
        top.addWidget(self.holidays_button)

        self.overdue_table = self._follow_up_table("overdue_table")
        self.today_table = self._follow_up_table("today_table")
        self.week_table = self._follow_up_table("week_table")
        self.follow_up_tables = (self.overdue_table, self.today_table, self.week_table)
        self.escalated_section = self._build_escalations()
        self.overdue_section = Section("overdue", self.overdue_table, _("Nothing overdue."), MAX_ROWS)
        self.today_section = Section("today", self.today_table, _("Nothing due today."), MAX_ROWS)
        self.week_section = Section("week", self.week_table, _("Nothing else due this week."), MAX_ROWS)
        # Read from top to bottom like a list of the day's work; the column scrolls as a whole.
        column = QWidget()
        column_layout = QVBoxLayout(column)
        column_layout.setContentsMargins(0, 0, 0, 0)
        for section in (self.escalated_section, self.overdue_section, self.today_section, self.week_section):
            column_layout.addWidget(section)
        column_layout.addStretch(1)
        self.follow_ups_area = QScrollArea()
        self.follow_ups_area.setObjectName("follow_ups_area")
        self.follow_ups_area.setWidgetResizable(True)
        self.follow_ups_area.setFrameShape(QFrame.Shape.NoFrame)
        self.follow_ups_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.follow_ups_area.setWidget(column)
        self.log_button = QPushButton(_("Log it"))
        self.log_button.setObjectName("log_follow_up")
        self.log_button.setToolTip(_("Log the contact that completes this follow-up (Enter)"))
        self.log_button.clicked.connect(self.log_follow_up)
        self.reschedule_button = QPushButton(_("Reschedule…"))
        self.reschedule_button.setObjectName("reschedule")
        self.reschedule_button.clicked.connect(self.reschedule)
        self.cancel_button = QPushButton(_("Cancel follow-up…"))
        self.cancel_button.setObjectName("cancel_follow_up")
        self.cancel_button.clicked.connect(self.cancel_follow_up)
        self.open_button = QPushButton(_("Open customer"))
        self.open_button.setObjectName("open_follow_up_customer")
        self.open_button.clicked.connect(self._open_follow_up_customer)
        follow_up_buttons = QHBoxLayout()
        follow_up_buttons.addWidget(self.log_button)
        follow_up_buttons.addWidget(self.reschedule_button)
        follow_up_buttons.addWidget(self.cancel_button)
        follow_up_buttons.addWidget(self.open_button)
        follow_up_buttons.addStretch(1)
        follow_ups = QWidget()
        follow_ups_layout = QVBoxLayout(follow_ups)
        follow_ups_layout.setContentsMargins(0, 0, 6, 0)
        follow_ups_layout.addWidget(self.follow_ups_area, 1)
        follow_ups_layout.addLayout(follow_up_buttons)

        care = self._build_care()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("my_day_splitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(follow_ups)
        self.splitter.addWidget(care)
        if not self.splitter.restoreState(settings.my_day_splitter):
            self.splitter.setSizes([500, 500])
        # Saved as it is moved: the page needs no part in the main window's closing.
        self.splitter.splitterMoved.connect(self._save_splitter)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)
        self._update_heading()
        self._update_buttons()

    def _me_text(self) -> str:
        return _("Me ({name})").format(name=self.actor.name)

    def _follow_up_table(self, name: str) -> QTableWidget:
        table = _table(name, HEADERS)
        header = table.horizontalHeader()
        for column in FITTED:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(Column.CUSTOMER, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(Column.PURPOSE, QHeaderView.ResizeMode.Stretch)
        table.setColumnHidden(Column.OWNER, True)
        table.doubleClicked.connect(lambda index, t=table: self._open_row_customer(t, index.row()))
        table.itemSelectionChanged.connect(lambda t=table: self._follow_up_selected(t))
        _add_action(table, _("Log it"), RETURN_KEYS, self.log_follow_up)
        return table

    def _build_escalations(self) -> Section:
        """The complaints whose deadline check reached the person whose day it is: most urgent of all,
        so on top; not there at all while there are none."""
        table = _table("escalated_table", ESCALATION_HEADERS)
        header = table.horizontalHeader()
        for column in (EscalationColumn.LEVEL, EscalationColumn.TICKET, EscalationColumn.LATE):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(EscalationColumn.CUSTOMER, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(EscalationColumn.DESCRIPTION, QHeaderView.ResizeMode.Stretch)
        table.doubleClicked.connect(lambda _index: self.open_escalated_ticket())
        table.itemSelectionChanged.connect(self._update_buttons)
        _add_action(table, _("Open ticket"), RETURN_KEYS, self.open_escalated_ticket)
        self.escalated_table = table
        section = Section("escalated", table, "", MAX_ROWS)
        self.open_ticket_button = QPushButton(_("Open ticket"))
        self.open_ticket_button.setObjectName("open_escalated_ticket")
        self.open_ticket_button.setToolTip(_("Open the complaint ticket to handle it (Enter)"))
        self.open_ticket_button.clicked.connect(self.open_escalated_ticket)
        self.reassign_button = QPushButton(_("Reassign customer…"))
        self.reassign_button.setObjectName("reassign_escalated_customer")
        self.reassign_button.setToolTip(_(PROPOSE_REASSIGN_TIP))
        self.reassign_button.clicked.connect(self.reassign_escalated_customer)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_ticket_button)
        buttons.addWidget(self.reassign_button)
        buttons.addStretch(1)
        section.layout().addLayout(buttons)
        section.hide()
        return section

    def _build_care(self) -> QWidget:
        self.care_table = _table("care_table", CARE_HEADERS)
        header = self.care_table.horizontalHeader()
        # Fitted once after each fill (_fill_care): a column resized to its contents on every
        # setItem made filling a few thousand reminders take seconds.
        header.setSectionResizeMode(CareColumn.DATE, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(CareColumn.PERSON, QHeaderView.ResizeMode.Interactive)
        for column in (CareColumn.WHAT, CareColumn.CUSTOMER, CareColumn.GREETING):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.care_table.doubleClicked.connect(lambda _index: self._open_care_customer())
        self.care_table.itemSelectionChanged.connect(self._care_selected)
        _add_action(self.care_table, _("Log it"), RETURN_KEYS, self.log_reminder)
        _add_action(
            self.care_table,
            _("Copy greeting"),
            [QKeySequence(QKeySequence.StandardKey.Copy)],
            self.copy_greeting,
        )
        self.care_section = Section(
            "care",
            self.care_table,
            _("No birthdays, founding anniversaries or holidays in the next {days} days.").format(
                days=REMINDER_DAYS
            ),
            MAX_CARE_ROWS,
        )
        # The whole greeting of the chosen reminder: the table's column shows only its start.
        self.greeting_view = QLabel()
        self.greeting_view.setObjectName("care_greeting")
        self.greeting_view.setWordWrap(True)
        self.greeting_view.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.greeting_view.setMinimumHeight(self.fontMetrics().height() * 3)
        self.greeting_view.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.copy_button = QPushButton(_("Copy greeting"))
        self.copy_button.setObjectName("copy_greeting")
        self.copy_button.setToolTip(_("Copy the suggested greeting to paste into WeChat (Ctrl+C)"))
        self.copy_button.clicked.connect(self.copy_greeting)
        self.log_greeting_button = QPushButton(_("Log it"))
        self.log_greeting_button.setObjectName("log_greeting")
        self.log_greeting_button.setToolTip(_("Log the greeting as a WeChat contact (Enter)"))
        self.log_greeting_button.clicked.connect(self.log_reminder)
        self.open_care_button = QPushButton(_("Open customer"))
        self.open_care_button.setObjectName("open_care_customer")
        self.open_care_button.clicked.connect(self._open_care_customer)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.log_greeting_button)
        buttons.addWidget(self.open_care_button)
        buttons.addStretch(1)
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(6, 0, 0, 0)
        layout.addWidget(self.care_section)
        layout.addWidget(self.greeting_view)
        layout.addStretch(1)
        layout.addLayout(buttons)  # level with the follow-ups' buttons
        return panel

    def _save_splitter(self) -> None:
        self.settings.my_day_splitter = self.splitter.saveState()

    # -- whose day

    def staff_id(self) -> uuid.UUID | None:
        """The staff member whose day is shown; None: everyone's."""
        data = self.staff_combo.currentData()
        if data == EVERYONE:
            return None
        return uuid.UUID(data) if data else self.actor.staff_id

    def set_staff(self, staff_id: uuid.UUID | None) -> None:
        """Show this staff member's day (None: everyone's), if it is offered to the person acting."""
        index = self.staff_combo.findData(EVERYONE if staff_id is None else str(staff_id))
        if index >= 0:
            self.staff_combo.setCurrentIndex(index)

    def _fill_staff(self, staff: list[StaffMember]) -> None:
        current = self.staff_combo.currentData()
        self.staff_combo.blockSignals(True)
        self.staff_combo.clear()
        self.staff_combo.addItem(self._me_text(), str(self.actor.staff_id))
        for member in staff:
            if member.active and member.id != self.actor.staff_id:
                text = f"{member.name}（{member.department}）" if member.department else member.name
                self.staff_combo.addItem(text, str(member.id))
        self.staff_combo.insertSeparator(self.staff_combo.count())
        self.staff_combo.addItem(_("Everyone"), EVERYONE)
        # Someone who has left meanwhile is no longer offered: back to one's own day.
        self.staff_combo.setCurrentIndex(max(self.staff_combo.findData(current), 0))
        self.staff_combo.blockSignals(False)

    def _viewed_name(self) -> str:
        """The name of the person whose day is shown (the combo adds their department)."""
        staff_id = self.staff_id()
        return next((m.name for m in self._staff if m.id == staff_id), self.staff_combo.currentText())

    # -- loading

    def showEvent(self, event: QShowEvent) -> None:
        # Changes made while hidden, or a new day since the page was last read.
        if self._reloader.stale or self.today != date.today():
            self.reload()
        super().showEvent(event)

    def on_change(self, change: events.Change) -> None:
        """A write anywhere: reload when it touches what the page shows, once shown again if hidden."""
        if change.entity in RELOAD_ON:
            self._reloader.request()

    def reload(self) -> None:
        """Read the day again: one call to each service."""
        self._reloader.reloading()
        self.today = date.today()
        if self.manager:
            self._staff = self.customers.staff(self.actor)
            self._fill_staff(self._staff)
        staff_id = self.staff_id()
        kept = self.current_follow_up()
        kept_reminder = self.current_reminder()
        kept_escalation = self.current_escalation()
        due = self.followups.due(self.actor, staff_id, self.today, limit=LIST_LIMIT)
        # Everyone's day shows the escalations that reached the person acting: each reaches one person.
        self._escalations = escalations_for(self.db, self.actor, staff_id)
        self._reminders = self.care.reminders(self.actor, staff_id, self.today)
        everyone = staff_id is None
        for table, section, rows, total, title, alert in (
            (
                self.overdue_table,
                self.overdue_section,
                due.overdue,
                due.overdue_total,
                _("Overdue ({n})"),
                True,
            ),
            (self.today_table, self.today_section, due.today, due.today_total, _("Due today ({n})"), False),
            (self.week_table, self.week_section, due.this_week, due.week_total, _("This week ({n})"), False),
        ):
            self._fill_follow_ups(table, rows)
            table.setColumnHidden(Column.OWNER, not everyone)  # one person's day: all theirs
            text = title.format(n=format_number(total))
            if total > len(rows):
                text += " " + _("— the first {shown}").format(shown=format_number(len(rows)))
            section.set_state(text, alert)
        self._align_columns()
        self._fill_escalations(kept_escalation)
        self._fill_care()
        self.care_section.set_state(
            _("Care reminders, next {days} days ({n})").format(days=REMINDER_DAYS, n=len(self._reminders))
        )
        self._reselect(kept, kept_reminder)
        self._update_heading()
        self._update_buttons()
        self._show_greeting()

    def _update_heading(self) -> None:
        day = long_date(self.today)
        staff_id = self.staff_id()
        if staff_id == self.actor.staff_id:
            text = _("My day — {date}").format(date=day)
        elif staff_id is None:
            text = _("Everyone's day — {date}").format(date=day)
        else:
            text = _("{name}'s day — {date}").format(name=self._viewed_name(), date=day)
        self.heading.setText(text)

    def _fill_follow_ups(self, table: QTableWidget, rows: list[FollowUpInfo]) -> None:
        table.blockSignals(True)
        table.clearSelection()
        table.setRowCount(len(rows))
        for r, info in enumerate(rows):
            due = format_date(info.due_on)
            if info.due_on != self.today:
                due = f"{due} ({days_text(info.due_on, self.today)})"
            customer = f"{info.customer_code}  {info.customer_name}"
            values = {
                Column.DUE: due,
                Column.CUSTOMER: customer,
                Column.TIER: labels.label(labels.TIER_NAMES, info.tier) if info.tier else "",
                Column.PURPOSE: info.purpose,
                Column.OWNER: info.owner,
            }
            for column, text in values.items():
                item = QTableWidgetItem(text)
                if column in (Column.CUSTOMER, Column.PURPOSE):
                    item.setToolTip(text)
                table.setItem(r, column, item)
            table.item(r, Column.DUE).setData(Qt.ItemDataRole.UserRole, info)
        table.blockSignals(False)

    def _fill_escalations(self, kept: EscalationItem | None) -> None:
        table = self.escalated_table
        now = datetime.now(timezone.utc)
        table.blockSignals(True)
        table.clearSelection()
        shown = self._escalations[:LIST_LIMIT]
        table.setRowCount(len(shown))
        for r, item in enumerate(shown):
            values = {
                EscalationColumn.LEVEL: str(item.level),
                EscalationColumn.TICKET: f"#{item.number}",
                EscalationColumn.CUSTOMER: item.customer_name,
                EscalationColumn.LATE: time_left_text(item.due_at - now) if item.due_at else "",
                EscalationColumn.DESCRIPTION: item.description,
            }
            for column, text in values.items():
                cell = QTableWidgetItem(text)
                if column == EscalationColumn.LEVEL:
                    cell.setToolTip(
                        _(LEVEL_TIPS.get(item.level, LEVEL_TIPS[2]))
                        + "\n"
                        + _("Escalated on {when}").format(when=format_datetime(item.at))
                    )
                elif column == EscalationColumn.LATE and item.due_at is not None:
                    cell.setToolTip(_("Due {when}").format(when=format_datetime(item.due_at)))
                elif column == EscalationColumn.CUSTOMER and item.propose_reassign:
                    cell.setToolTip(_(PROPOSE_REASSIGN_TIP))
                elif text:
                    cell.setToolTip(text)
                table.setItem(r, column, cell)
        table.blockSignals(False)
        keys = [(e.ticket_id, e.level) for e in shown]
        if kept is not None and (kept.ticket_id, kept.level) in keys:
            table.selectRow(keys.index((kept.ticket_id, kept.level)))
        title = _("Escalated complaints ({n})").format(n=format_number(len(self._escalations)))
        if len(self._escalations) > len(shown):
            title += " " + _("— the first {shown}").format(shown=format_number(len(shown)))
        self.escalated_section.set_state(title, alert=True)
        self.escalated_section.setVisible(bool(self._escalations))
        self.reassign_button.setVisible(self.manager and any(e.propose_reassign for e in self._escalations))

    def _align_columns(self) -> None:
        """One width per fitted column across the three lists, so they read as one table."""
        metrics = self.overdue_table.fontMetrics()
        padding = 3 * self.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin) + 8
        for column in FITTED:
            texts = [_(HEADERS[column])] + [
                table.item(row, column).text()
                for table in self.follow_up_tables
                for row in range(table.rowCount())
            ]
            width = max(metrics.horizontalAdvance(text) for text in texts) + padding
            for table in self.follow_up_tables:
                table.horizontalHeader().resizeSection(column, width)

    def _fill_care(self) -> None:
        table = self.care_table
        table.blockSignals(True)
        table.clearSelection()
        table.setRowCount(len(self._reminders))
        for r, reminder in enumerate(self._reminders):
            if reminder.kind == "holiday":
                what = _("Holiday: {name}").format(name=reminder.title)
            else:
                what = reminder.title  # "王芳's birthday", "10 years since … was founded" say what they are
            customer = f"{reminder.customer_code}  {reminder.customer_name}" if reminder.customer_id else ""
            values = {
                CareColumn.DATE: format_date(reminder.on),
                CareColumn.WHAT: what,
                CareColumn.CUSTOMER: customer,
                CareColumn.PERSON: reminder.person,
                CareColumn.GREETING: reminder.greeting,
            }
            for column, text in values.items():
                item = QTableWidgetItem(text)
                if column == CareColumn.DATE:
                    item.setToolTip(days_text(reminder.on, self.today))
                elif text:
                    item.setToolTip(text)
                if reminder.on == self.today:  # today's greetings first in the eye
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                table.setItem(r, column, item)
        table.resizeColumnToContents(CareColumn.DATE)
        table.resizeColumnToContents(CareColumn.PERSON)
        table.blockSignals(False)

    def _reselect(self, follow_up: FollowUpInfo | None, reminder: CareReminder | None) -> None:
        """After a reload, the same follow-up and reminder stay chosen if they are still listed."""
        if follow_up is not None:
            found = next(
                (
                    (table, row)
                    for table in self.follow_up_tables
                    for row in range(table.rowCount())
                    if self._follow_up_at(table, row).id == follow_up.id
                ),
                None,
            )
            if found is not None:
                found[0].selectRow(found[1])
        if reminder is not None:
            keys = [_reminder_key(r) for r in self._reminders]
            if _reminder_key(reminder) in keys:
                self.care_table.selectRow(keys.index(_reminder_key(reminder)))

    # -- the follow-ups

    @staticmethod
    def _follow_up_at(table: QTableWidget, row: int) -> FollowUpInfo:
        return table.item(row, Column.DUE).data(Qt.ItemDataRole.UserRole)

    def current_follow_up(self) -> FollowUpInfo | None:
        """The follow-up selected in any of the three lists (one at a time is selected)."""
        for table in self.follow_up_tables:
            rows = table.selectionModel().selectedRows()
            if rows:
                return self._follow_up_at(table, rows[0].row())
        return None

    def _follow_up_selected(self, table: QTableWidget) -> None:
        if table.selectionModel().selectedRows():
            for other in self.follow_up_tables:
                if other is not table:
                    other.blockSignals(True)
                    other.clearSelection()
                    other.blockSignals(False)
        self._update_buttons()

    def _open_row_customer(self, table: QTableWidget, row: int) -> None:
        if 0 <= row < table.rowCount():
            self.open_customer.emit(self._follow_up_at(table, row).customer_id)

    def _open_follow_up_customer(self) -> None:
        follow_up = self.current_follow_up()
        if follow_up is not None:
            self.open_customer.emit(follow_up.customer_id)

    def log_follow_up(self) -> None:
        """Log the contact that answers the selected follow-up; the follow-up is then done."""
        follow_up = self.current_follow_up()
        if follow_up is None:
            return
        preset = ContactLogInput(completes=follow_up.id, subject=follow_up.purpose)
        detail = log_contact(self, self.db, self.actor, follow_up.customer_id, preset)
        if detail is not None:
            self.message.emit(_("Contact with {customer} logged.").format(customer=follow_up.customer_name))
            self._reloader.request()

    def reschedule(self) -> None:
        follow_up = self.current_follow_up()
        if follow_up is None:
            return
        moved = reschedule_follow_up(self, self.db, self.actor, follow_up)
        if moved is not None:
            self.message.emit(
                _("Follow-up with {customer} moved to {date}.").format(
                    customer=follow_up.customer_name, date=format_date(moved.due_on)
                )
            )
        self._reloader.request()

    def cancel_follow_up(self) -> None:
        follow_up = self.current_follow_up()
        if follow_up is not None and cancel_follow_up(self, self.db, self.actor, follow_up):
            self.message.emit(
                _("Follow-up with {customer} cancelled.").format(customer=follow_up.customer_name)
            )
            self._reloader.request()

    # -- escalated complaints

    def current_escalation(self) -> EscalationItem | None:
        rows = self.escalated_table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._escalations):
            return None
        return self._escalations[rows[0].row()]

    def open_escalated_ticket(self) -> None:
        item = self.current_escalation()
        if item is not None:
            self.open_ticket.emit(item.ticket_id)

    def reassign_escalated_customer(self) -> bool:
        """Ask for the handover of the customer of an escalated ticket, as the policy proposes."""
        item = self.current_escalation()
        if item is None or not item.propose_reassign or not self.manager:
            return False
        try:
            manager_id = self.customers.get(self.actor, item.customer_id).manager_id
        except ServiceError as exc:
            QMessageBox.warning(self, _("Reassign customer"), str(exc))
            return False
        if manager_id is None:
            QMessageBox.information(
                self,
                _("Reassign customer"),
                _("{customer} has no account manager: choose one in the customer's file.").format(
                    customer=item.customer_name
                ),
            )
            return False
        self.reassign_requested.emit(manager_id, [item.customer_id])
        return True

    # -- care reminders

    def current_reminder(self) -> CareReminder | None:
        rows = self.care_table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._reminders):
            return None
        return self._reminders[rows[0].row()]

    def _care_selected(self) -> None:
        self._update_buttons()
        self._show_greeting()

    def _show_greeting(self) -> None:
        reminder = self.current_reminder()
        if reminder is None:
            self.greeting_view.setStyleSheet(HINT_STYLE)
            self.greeting_view.setText(_("Choose a reminder to see its whole greeting."))
            self.greeting_view.setVisible(bool(self._reminders))
        else:
            self.greeting_view.setStyleSheet("")
            self.greeting_view.setText(reminder.greeting)
            self.greeting_view.setVisible(True)

    def _open_care_customer(self) -> None:
        reminder = self.current_reminder()
        if reminder is not None and reminder.customer_id is not None:
            self.open_customer.emit(reminder.customer_id)

    def copy_greeting(self) -> None:
        reminder = self.current_reminder()
        if reminder is None or not reminder.greeting:
            return
        QApplication.clipboard().setText(reminder.greeting)
        self.message.emit(_("Greeting copied"))

    def log_reminder(self) -> None:
        """Log the greeting: to its customer for a birthday or anniversary, to many for a holiday."""
        reminder = self.current_reminder()
        if reminder is None:
            return
        if reminder.kind == "holiday":
            self._log_holiday_greeting(reminder)
            return
        preset = ContactLogInput(
            kind=WECHAT,
            subject=reminder.title,
            summary=reminder.greeting,
            contact_person_id=reminder.contact_person_id,
        )
        detail = log_contact(self, self.db, self.actor, reminder.customer_id, preset)
        if detail is not None:
            self.message.emit(_("Greeting to {customer} logged.").format(customer=reminder.customer_name))
            self._reloader.request()

    def _log_holiday_greeting(self, reminder: CareReminder) -> None:
        title = _("Log holiday greeting")
        staff_id = self.staff_id()
        try:
            best = TierService(self.db).rule_set(self.actor).definition.tiers[:GREETING_TIERS]
            customer_ids = self.care.greeting_customers(self.actor, staff_id, [t.key for t in best])
        except ServiceError as exc:
            QMessageBox.warning(self, title, str(exc))
            return
        tiers = " / ".join(t.name for t in best)
        if not customer_ids:
            QMessageBox.information(
                self,
                title,
                _("Nobody to greet: no customers in tiers {tiers} and no key customers.").format(tiers=tiers),
            )
            return
        if staff_id == self.actor.staff_id:
            question = _(
                "Log the {holiday} greeting for {n} customers: your customers in tiers {tiers} and key "
                "customers?"
            )
        elif staff_id is None:
            question = _(
                "Log the {holiday} greeting for {n} customers: all customers in tiers {tiers} and all key "
                "customers?"
            )
        else:
            question = _(
                "Log the {holiday} greeting for {n} customers: {person}'s customers in tiers {tiers} and key "
                "customers?"
            )
        text = question.format(
            holiday=reminder.title, n=len(customer_ids), tiers=tiers, person=self._viewed_name()
        )
        answer = QMessageBox.question(
            self,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        data = ContactLogInput(kind=WECHAT, subject=reminder.title, summary=reminder.greeting)
        try:
            logged = self.contacts.log_many(self.actor, customer_ids, data)
        except ServiceError as exc:
            QMessageBox.warning(self, title, str(exc))
            return
        self.message.emit(_("Greeting logged for {n} customers").format(n=logged))
        self._reloader.request()

    # -- holidays

    def show_holidays(self) -> HolidaysWindow:
        """The holidays window, beside the page (one at a time)."""
        if self._holidays_window is None:
            window = HolidaysWindow(self.db, self.actor, self)
            window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            window.changed.connect(self._reloader.request)
            window.destroyed.connect(self._holidays_closed)
            self._holidays_window = window
        self._holidays_window.show()
        self._holidays_window.raise_()
        self._holidays_window.activateWindow()
        return self._holidays_window

    def _holidays_closed(self) -> None:
        self._holidays_window = None

    # -- buttons

    def _update_buttons(self) -> None:
        follow_up = self.current_follow_up() is not None
        for button in (self.log_button, self.reschedule_button, self.cancel_button, self.open_button):
            button.setEnabled(follow_up)
        escalated = self.current_escalation()
        self.open_ticket_button.setEnabled(escalated is not None)
        self.reassign_button.setEnabled(escalated is not None and escalated.propose_reassign)
        reminder = self.current_reminder()
        self.copy_button.setEnabled(reminder is not None and bool(reminder.greeting))
        self.log_greeting_button.setEnabled(reminder is not None)
        self.open_care_button.setEnabled(reminder is not None and reminder.customer_id is not None)


def _reminder_key(reminder: CareReminder) -> tuple:
    return reminder.kind, reminder.on, reminder.customer_id, reminder.contact_person_id, reminder.title
