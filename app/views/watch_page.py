"""The Service watch page: customers without contact, key customers short of staff, each manager's figures."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.db import Database
from app.dialogs.form import ERROR_TEXT, date_format, index_of
from app.dialogs.watch_days_dialog import WatchDaysDialog
from app.i18n import N_, _, format_date, format_money, format_number
from app.services import events, labels, watch
from app.services.actor import Actor
from app.services.errors import Cancelled, ServiceError, ValidationError
from app.services.staff import StaffService
from app.services.tiers import TierService
from app.services.watch import LapsedCustomer, StaffOverview, UnderstaffedCustomer
from app.views.contact_actions import log_contact
from app.views.qt_events import ReloadWhenShown
from app.views.row_order import reorder_rows
from app.views.settings import Settings
from app.views.tables import RETURN_KEYS, RIGHT, add_table_action, current_row, keep_header, list_table
from app.views.tasks import Task

# What a write must touch for this page to show something else.
RELOAD_ON = frozenset({"contact_log", "customer", "staff", "follow_up", "office_setting"})
LAPSED_LIMIT = 500  # rows listed; the count above the list says how many there are in all
FILTER_DELAY_MS = 300  # the list is read again once the days spin box rests
LAPSED_TAB, UNDERSTAFFED_TAB, OVERVIEW_TAB = range(3)
HINT_STYLE = "color: #777;"
# Days without contact, by how far past the tier's limit: a little, half as long again, twice as long.
LATE = QColor("#9a6700")
LATER = QColor("#d84315")
LATEST = QColor("#b71c1c")
ALERT = QColor("#c62828")


@dataclass(frozen=True)
class Col:
    """A column of a RowsModel: its header (marked with N_) and how a row shows in it."""

    title: str
    text: Callable[[Any], str]
    sort: Callable[[Any], Any] | None = None  # None: by the text
    right: bool = False
    color: Callable[[Any], QColor | None] | None = None
    bold: Callable[[Any], bool] | None = None
    tip: Callable[[Any], str] | None = None


class RowsModel(QAbstractTableModel):
    """Rows of plain data, each row's texts made when it is first shown (of thousands of key customers
    a screenful is); sorted in memory."""

    def __init__(self, columns: list[Col], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = columns
        self.rows: list[Any] = []
        self._texts: list[list[str] | None] = []
        self._bold = QFont()
        self._bold.setBold(True)

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self._texts = [None] * len(self.rows)
        self.endResetModel()

    def _row_texts(self, row: int) -> list[str]:
        texts = self._texts[row]
        if texts is None:
            texts = self._texts[row] = [column.text(self.rows[row]) for column in self.columns]
        return texts

    def row_at(self, row: int) -> Any:
        return self.rows[row]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _(self.columns[section].title)
        if role == Qt.ItemDataRole.TextAlignmentRole and self.columns[section].right:
            return int(RIGHT)
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        column = self.columns[index.column()]
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._row_texts(index.row())[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and column.right:
            return int(RIGHT)
        if role == Qt.ItemDataRole.ForegroundRole and column.color is not None:
            color = column.color(row)
            return QBrush(color) if color is not None else None
        if role == Qt.ItemDataRole.FontRole and column.bold is not None and column.bold(row):
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole and column.tip is not None:
            return column.tip(row) or None
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            return
        spec = self.columns[column]

        def key(row: int) -> Any:
            return self._row_texts(row)[column] if spec.sort is None else spec.sort(self.rows[row])

        # Stable: rows equal in this column keep the service's order, whichever way they are sorted.
        rows = sorted(range(len(self.rows)), key=key, reverse=order == Qt.SortOrder.DescendingOrder)

        def rearrange(order: list[int]) -> None:
            self.rows = [self.rows[r] for r in order]
            self._texts = [self._texts[r] for r in order]

        reorder_rows(self, rows, rearrange)


def _tier(key: str) -> str:
    return labels.label(labels.TIER_NAMES, key) if key else ""


def _category(key: str) -> str:
    return labels.label(labels.CATEGORY, key) if key else ""


def _button(text: str, name: str, slot, tip: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.clicked.connect(slot)
    if tip:
        button.setToolTip(tip)
    return button


def _label(name: str, style: str = "") -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if style:
        label.setStyleSheet(style)
    return label


class WatchPage(QWidget):
    """For managers: whom nobody has contacted for too long, which key customers have one staff member
    only, and each account manager's figures. Sales staff see their own customers here."""

    open_customer = Signal(object)  # a customer's id
    reassign_requested = Signal(object, object)  # the account manager's id, the list of customer ids
    message = Signal(str)  # a passing message for the status bar

    def __init__(self, db: Database, actor: Actor, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("WatchPage")
        self.db = db
        self.actor = actor
        self.settings = settings
        self.manager = actor.is_manager
        self.staff_service = StaffService(db)
        # The tabs whose list is to be read again: a tab's list is read when the tab is shown.
        self._stale_tabs = {LAPSED_TAB, UNDERSTAFFED_TAB, OVERVIEW_TAB}
        self._staff_stale = True  # the account manager combo; read again after a change of staff
        self._overview_again = False  # a change came while the figures were being read
        self.overview_task: Task | None = None
        self._watch_days: dict[str, int] = {}
        self.lapsed_total = 0
        self._reloader = ReloadWhenShown(self, lambda: self.reload())  # when first shown, and after changes
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.reload_lapsed)

        heading = QLabel(_("Service watch"))
        heading.setObjectName("watch_heading")
        font = heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.35)
        heading.setFont(font)
        self.manager_combo = QComboBox()
        self.manager_combo.setObjectName("watch_manager")
        self.manager_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        if self.manager:
            self.manager_combo.addItem(_("All account managers"), None)
        else:
            self.manager_combo.addItem(_("Me ({name})").format(name=actor.name), actor.staff_id)
            self.manager_combo.setEnabled(False)
            self.manager_combo.setToolTip(_("Managers can watch everyone's customers."))
        self.manager_combo.currentIndexChanged.connect(lambda _index: self._filters_changed())
        manager_label = QLabel(_("Account manager"))
        manager_label.setBuddy(self.manager_combo)
        self.refresh_button = _button(_("Refresh"), "watch_refresh", self.refresh)
        top = QHBoxLayout()
        top.addWidget(heading, 1)
        top.addWidget(manager_label)
        top.addWidget(self.manager_combo)
        top.addWidget(self.refresh_button)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("watch_tabs")
        self.tabs.addTab(self._build_lapsed(), _("Without contact"))
        self.tabs.addTab(self._build_understaffed(), _("Key customers short of staff"))
        self.tabs.addTab(self._build_overview(), _("Account managers"))
        self.tabs.setCurrentIndex(min(max(settings.watch_tab, 0), self.tabs.count() - 1))
        self.tabs.currentChanged.connect(self._tab_changed)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        self._update_buttons()

    # -- building

    def _build_lapsed(self) -> QWidget:
        self.per_tier = QCheckBox(_("As each tier allows"))
        self.per_tier.setObjectName("watch_per_tier")
        self.per_tier.setChecked(True)
        self.per_tier.setToolTip(_("Each tier's own watch days; untick to give one number of days for all"))
        self.per_tier.toggled.connect(self._per_tier_toggled)
        self.days_spin = QSpinBox()
        self.days_spin.setObjectName("watch_days")
        self.days_spin.setRange(0, watch.MAX_WATCH_DAYS)
        self.days_spin.setValue(watch.DEFAULT_WATCH_DAYS)
        self.days_spin.setSuffix(_(" days"))
        self.days_spin.setEnabled(False)  # until "as each tier allows" is unticked
        self.days_spin.valueChanged.connect(lambda _value: self._filter_timer.start())
        days_label = QLabel(_("Without contact for more than"))
        days_label.setBuddy(self.days_spin)
        self.watch_days_button = _button(
            _("Watch days…"),
            "edit_watch_days",
            self.edit_watch_days,
            _("How long each tier may go without contact"),
        )
        self.watch_days_button.setVisible(self.manager)
        filters = QHBoxLayout()
        filters.addWidget(days_label)
        filters.addWidget(self.days_spin)
        filters.addWidget(self.per_tier)
        filters.addStretch(1)
        filters.addWidget(self.watch_days_button)
        self.lapsed_count = _label("lapsed_count")
        self.lapsed_model = RowsModel(
            [
                Col(N_("Code"), lambda c: c.code),
                Col(N_("Customer"), lambda c: c.name, tip=lambda c: c.name),
                Col(N_("Tier"), lambda c: _tier(c.tier)),
                Col(N_("Category"), lambda c: _category(c.category)),
                Col(N_("Account manager"), lambda c: c.manager),
                Col(
                    N_("Last contact"),
                    self._last_contact_text,
                    sort=lambda c: c.last_contact_at.timestamp() if c.last_contact_at else 0.0,
                    tip=lambda c: (
                        "" if c.last_contact_at else _("Counted from the day the customer was registered")
                    ),
                ),
                Col(
                    N_("Days without contact"),
                    lambda c: format_number(c.days_without),
                    sort=lambda c: c.days_without,
                    right=True,
                    color=self._days_color,
                    bold=lambda c: c.days_without >= 2 * self._limit_for(c.tier),
                    tip=self._days_tip,
                ),
            ],
            self,
        )
        self.lapsed_table = list_table("lapsed_table", self.lapsed_model, multi=True)
        header = self.lapsed_table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 90), (2, 90), (3, 90), (4, 120), (5, 120), (6, 150)):
            header.resizeSection(column, width)
        # Longest without contact first, as the service lists them.
        header.setSortIndicator(6, Qt.SortOrder.DescendingOrder)
        keep_header(self.settings, self.lapsed_table, "watch/lapsed")
        self.lapsed_table.setSortingEnabled(True)
        self.lapsed_table.doubleClicked.connect(lambda index: self._open_row(self.lapsed_table, index.row()))
        self.lapsed_table.selectionModel().selectionChanged.connect(lambda *_args: self._update_buttons())
        add_table_action(self.lapsed_table, _("Open customer"), RETURN_KEYS, self._open_lapsed)
        self.open_lapsed_button = _button(
            _("Open customer"), "open_lapsed", self._open_lapsed, _("Open (Enter)")
        )
        self.log_button = _button(_("Log contact…"), "log_lapsed", self.log_contact)
        self.reassign_button = _button(
            _("Reassign…"),
            "reassign",
            self.reassign,
            _("Hand the selected customers of one account manager over to other staff"),
        )
        self.reassign_button.setVisible(self.manager)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_lapsed_button)
        buttons.addWidget(self.log_button)
        buttons.addWidget(self.reassign_button)
        buttons.addStretch(1)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addLayout(filters)
        layout.addWidget(self.lapsed_count)
        layout.addWidget(self.lapsed_table, 1)
        layout.addLayout(buttons)
        return tab

    def _build_understaffed(self) -> QWidget:
        self.understaffed_count = _label("understaffed_count")
        self.understaffed_model = RowsModel(
            [
                Col(N_("Code"), lambda c: c.code),
                Col(N_("Customer"), lambda c: c.name, tip=lambda c: c.name),
                Col(N_("Tier"), lambda c: _tier(c.tier)),
                Col(N_("Category"), lambda c: _category(c.category)),
                Col(N_("Account manager"), lambda c: c.manager or _("nobody")),
                Col(
                    N_("Staff"),
                    lambda c: format_number(c.staff_count),
                    sort=lambda c: c.staff_count,
                    right=True,
                ),
            ],
            self,
        )
        self.understaffed_table = list_table("understaffed_table", self.understaffed_model)
        header = self.understaffed_table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 90), (2, 90), (3, 90), (4, 140), (5, 70)):
            header.resizeSection(column, width)
        header.setSortIndicator(5, Qt.SortOrder.AscendingOrder)
        keep_header(self.settings, self.understaffed_table, "watch/understaffed")
        self.understaffed_table.setSortingEnabled(True)
        self.understaffed_table.doubleClicked.connect(
            lambda index: self._open_row(self.understaffed_table, index.row())
        )
        self.understaffed_table.selectionModel().selectionChanged.connect(
            lambda *_args: self._update_buttons()
        )
        add_table_action(self.understaffed_table, _("Open customer"), RETURN_KEYS, self._open_understaffed)
        self.open_understaffed_button = _button(
            _("Open customer"),
            "open_understaffed",
            self._open_understaffed,
            _("Add staff on the customer's Basic tab (Enter)"),
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_understaffed_button)
        buttons.addStretch(1)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(self.understaffed_count)
        layout.addWidget(self.understaffed_table, 1)
        layout.addLayout(buttons)
        return tab

    def _build_overview(self) -> QWidget:
        self._tier_order: list[str] = []
        self.as_of_edit = QDateEdit(QDate.currentDate())
        self.as_of_edit.setObjectName("overview_as_of")
        self.as_of_edit.setCalendarPopup(True)
        self.as_of_edit.setDisplayFormat(date_format())
        self.as_of_edit.dateChanged.connect(lambda _date: self._overview_date_changed())
        as_of_label = QLabel(_("As of"))
        as_of_label.setBuddy(self.as_of_edit)
        self.overview_status = _label("overview_status", HINT_STYLE)
        row = QHBoxLayout()
        row.addWidget(as_of_label)
        row.addWidget(self.as_of_edit)
        row.addWidget(self.overview_status, 1)
        self.overview_model = RowsModel(
            [
                Col(
                    N_("Name"),
                    lambda s: s.name if s.active else _("{name} (left)").format(name=s.name),
                    color=lambda s: None if s.active else QColor("#777777"),
                ),
                Col(N_("Department"), lambda s: s.department),
                Col(
                    N_("Customers"),
                    lambda s: format_number(s.customers),
                    sort=lambda s: s.customers,
                    right=True,
                ),
                Col(N_("By tier"), self._by_tier_text, tip=self._by_tier_text),
                Col(
                    N_("12-month revenue"),
                    lambda s: format_money(s.revenue_12m),
                    sort=lambda s: s.revenue_12m,
                    right=True,
                ),
                Col(
                    N_("Contacts, 30 days"),
                    lambda s: format_number(s.contacts_30),
                    sort=lambda s: s.contacts_30,
                    right=True,
                ),
                Col(
                    N_("Contacts, 90 days"),
                    lambda s: format_number(s.contacts_90),
                    sort=lambda s: s.contacts_90,
                    right=True,
                ),
                Col(
                    N_("Overdue follow-ups"),
                    lambda s: format_number(s.overdue_follow_ups),
                    sort=lambda s: s.overdue_follow_ups,
                    right=True,
                    color=lambda s: ALERT if s.overdue_follow_ups > 0 else None,
                    bold=lambda s: s.overdue_follow_ups > 0,
                ),
                Col(
                    N_("Without contact"),
                    lambda s: format_number(s.lapsed),
                    sort=lambda s: s.lapsed,
                    right=True,
                    color=lambda s: LATER if s.lapsed > 0 else None,
                    tip=lambda s: _("Customers without contact for longer than their tier allows"),
                ),
            ],
            self,
        )
        self.overview_table = list_table("overview_table", self.overview_model)
        header = self.overview_table.horizontalHeader()
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 130), (1, 110), (2, 80), (4, 130), (5, 110), (6, 110), (7, 120), (8, 110)):
            header.resizeSection(column, width)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        keep_header(self.settings, self.overview_table, "watch/overview")
        self.overview_table.setSortingEnabled(True)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addLayout(row)
        layout.addWidget(self.overview_table, 1)
        return tab

    # -- texts

    def _limit_for(self, tier: str) -> int:
        if not self.per_tier.isChecked():
            return max(self.days_spin.value(), 1)
        return self._watch_days.get(tier, watch.DEFAULT_WATCH_DAYS)

    def _days_color(self, customer: LapsedCustomer) -> QColor:
        ratio = customer.days_without / self._limit_for(customer.tier)
        if ratio >= 2:
            return LATEST
        if ratio >= 1.5:
            return LATER
        return LATE

    def _days_tip(self, customer: LapsedCustomer) -> str:
        return _("{days} days without contact; the limit is {limit} days").format(
            days=format_number(customer.days_without), limit=format_number(self._limit_for(customer.tier))
        )

    @staticmethod
    def _last_contact_text(customer: LapsedCustomer) -> str:
        if customer.last_contact_at is None:
            return _("never")
        return format_date(customer.last_contact_at.astimezone().date())

    def _by_tier_text(self, row: StaffOverview) -> str:
        order = {key: i for i, key in enumerate(self._tier_order)}
        keys = sorted(row.by_tier, key=lambda k: (k == "", order.get(k, len(order)), k))
        return " · ".join(f"{_tier(k) if k else _('No tier')} {format_number(row.by_tier[k])}" for k in keys)

    # -- loading

    def showEvent(self, event: QShowEvent) -> None:
        if self._reloader.stale:
            self.reload()
        else:
            self._load_current_tab()
        super().showEvent(event)

    def on_change(self, change: events.Change) -> None:
        """A write anywhere: reload when it touches what the page shows, once shown again if hidden."""
        if change.entity in RELOAD_ON:
            if change.entity == "staff":
                self._staff_stale = True
            self._reloader.request()

    def refresh(self) -> None:
        """Everything read again, the staff too (the Refresh button)."""
        self._staff_stale = True
        self.reload()

    def reload(self) -> None:
        """Read again what the current tab shows: one page of customers without contact (lapsed, limit
        500) or the key customers short of staff; the overview in the background. The other tabs are
        read when they are shown, so that a reload reads one list (≤ 200 ms on 100,000 customers)."""
        self._reloader.reloading()
        try:
            if self.manager and self._staff_stale:
                self._fill_managers()
            self._watch_days = watch.watch_days(self.db)
        except ServiceError as exc:
            self.message.emit(str(exc))
        self._stale_tabs = {LAPSED_TAB, UNDERSTAFFED_TAB, OVERVIEW_TAB}
        self._load_current_tab()

    def _load_current_tab(self) -> None:
        index = self.tabs.currentIndex()
        if index not in self._stale_tabs:
            return
        if index == LAPSED_TAB:
            self.reload_lapsed()
        elif index == UNDERSTAFFED_TAB:
            self.reload_understaffed()
        elif self.isVisible():
            self.load_overview()

    def _fill_managers(self) -> None:
        """All account managers, then each active person and each former one who still has customers."""
        self._staff_stale = False
        current = self.manager_combo.currentData()
        people = [p for p in self.staff_service.staff(self.actor) if p.active or p.customers]
        self.manager_combo.blockSignals(True)
        self.manager_combo.clear()
        self.manager_combo.addItem(_("All account managers"), None)
        for person in people:
            text = person.name if person.active else _("{name} (left)").format(name=person.name)
            self.manager_combo.addItem(text, person.id)
        self.manager_combo.setCurrentIndex(max(index_of(self.manager_combo, current), 0))
        self.manager_combo.blockSignals(False)

    def staff_id(self) -> uuid.UUID | None:
        """Whose customers are watched; None: everyone's."""
        return self.manager_combo.currentData() if self.manager else self.actor.staff_id

    def set_staff(self, staff_id: uuid.UUID | None) -> None:
        index = index_of(self.manager_combo, staff_id)
        if index >= 0:
            self.manager_combo.setCurrentIndex(index)

    def days(self) -> int | None:
        """The fixed days without contact; None: each tier's own."""
        return None if self.per_tier.isChecked() else self.days_spin.value()

    def _filters_changed(self) -> None:
        self._stale_tabs |= {LAPSED_TAB, UNDERSTAFFED_TAB}
        self._load_current_tab()

    def _per_tier_toggled(self, checked: bool) -> None:
        self.days_spin.setEnabled(not checked)
        self.reload_lapsed()

    def reload_lapsed(self) -> None:
        self._filter_timer.stop()
        self._stale_tabs.discard(LAPSED_TAB)
        kept = set(self.selected_lapsed_ids())
        days = self.days()
        try:
            total, rows = watch.lapsed(
                self.db, self.actor, days=days, staff_id=self.staff_id(), limit=LAPSED_LIMIT
            )
        except ServiceError as exc:
            total, rows = 0, []
            self.message.emit(str(exc))
        self.lapsed_total = total
        self.lapsed_model.set_rows(rows)
        self._resort(self.lapsed_table)
        self._reselect(self.lapsed_table, kept)
        self.lapsed_count.setText(self._lapsed_text(total, len(rows), days))
        self.lapsed_count.setToolTip(self._watch_days_text() if days is None else "")
        self._update_buttons()

    def _lapsed_text(self, total: int, shown: int, days: int | None) -> str:
        if not total:
            if days is None:
                return _("No customer is without contact for longer than their tier allows.")
            return _("No customer is without contact for more than {days} days.").format(
                days=format_number(days)
            )
        if days is None:
            text = _("{n} customers without contact for longer than their tier allows").format(
                n=format_number(total)
            )
        else:
            text = _("{n} customers without contact for more than {days} days").format(
                n=format_number(total), days=format_number(days)
            )
        if shown < total:
            text += " — " + _("showing the {shown} longest").format(shown=format_number(shown))
        return text

    def _watch_days_text(self) -> str:
        parts = [
            _("{tier}: {days} days").format(tier=_tier(key) if key else _("No tier"), days=days)
            for key, days in sorted(self._watch_days.items())
        ]
        parts.append(_("others: {days} days").format(days=watch.DEFAULT_WATCH_DAYS))
        return " · ".join(parts)

    def reload_understaffed(self) -> None:
        self._stale_tabs.discard(UNDERSTAFFED_TAB)
        current = current_row(self.understaffed_table)
        try:
            rows = watch.understaffed(self.db, self.actor, staff_id=self.staff_id())
        except ServiceError as exc:
            rows = []
            self.message.emit(str(exc))
        self.understaffed_model.set_rows(rows)
        self._resort(self.understaffed_table)
        self._reselect(self.understaffed_table, {current.id} if current else set())
        if rows:
            text = _(
                "{n} key customers are served by fewer than two staff. "
                "Open one to add staff on its Basic tab."
            ).format(n=format_number(len(rows)))
        else:
            text = _("Every key customer is served by at least two staff.")
        self.understaffed_count.setText(text)
        self._update_buttons()

    @staticmethod
    def _resort(table: QTableView) -> None:
        if table.isSortingEnabled():
            header = table.horizontalHeader()
            table.model().sort(header.sortIndicatorSection(), header.sortIndicatorOrder())

    @staticmethod
    def _reselect(table: QTableView, ids: set[uuid.UUID]) -> None:
        if not ids:
            return
        model = table.model()
        selection = table.selectionModel()
        for row in range(model.rowCount()):
            if model.row_at(row).id in ids:
                selection.select(
                    model.index(row, 0),
                    selection.SelectionFlag.Select | selection.SelectionFlag.Rows,
                )

    # -- the overview, off the GUI thread

    def _tab_changed(self, index: int) -> None:
        self.settings.watch_tab = index
        if self.isVisible():
            self._load_current_tab()

    def _overview_date_changed(self) -> None:
        self._stale_tabs.add(OVERVIEW_TAB)
        if self.isVisible():
            self._load_current_tab()

    def load_overview(self) -> None:
        """Read every account manager's figures in a Task (about a second on 100,000 customers)."""
        if self.overview_task is not None:
            self._overview_again = True  # read again once this reading ends: it may miss the change
            return
        self._stale_tabs.discard(OVERVIEW_TAB)
        self._overview_again = False
        as_of = self.as_of_edit.date().toPython()
        db, actor = self.db, self.actor

        def work(_progress, cancelled) -> tuple[date, list[StaffOverview], list[str]]:
            rows = watch.overview(db, actor, as_of)
            order = [tier.key for tier in TierService(db).rule_set(actor).definition.tiers]
            # The reading cannot stop half-way; a Cancel meanwhile drops what it read.
            if cancelled():
                raise Cancelled(_("Reading the figures was cancelled."))
            return as_of, rows, order

        task = Task(self, _("Reading the account managers' figures…"), work)
        task.finished.connect(lambda result: self._overview_ended(task, result, None))
        task.failed.connect(lambda exc: self._overview_ended(task, None, exc))
        self.overview_task = task
        self.overview_status.setText(_("Reading the figures…"))
        self.overview_status.setStyleSheet(HINT_STYLE)
        task.start()

    def _overview_ended(self, task: Task, result, exc: object) -> None:
        self.overview_task = None
        task.deleteLater()
        if exc is not None:
            self._stale_tabs.add(OVERVIEW_TAB)
            self.overview_status.setText(str(exc))
            self.overview_status.setStyleSheet(HINT_STYLE if isinstance(exc, Cancelled) else ERROR_TEXT)
            if not isinstance(exc, ServiceError):
                raise exc  # a bug, for the error dialog
        else:
            as_of, rows, self._tier_order = result
            if not self.manager:
                rows = [r for r in rows if r.staff_id == self.actor.staff_id]
            current = current_row(self.overview_table)
            self.overview_model.set_rows(rows)
            self._resort(self.overview_table)
            if current is not None:
                ids = [r.staff_id for r in self.overview_model.rows]
                if current.staff_id in ids:
                    self.overview_table.selectRow(ids.index(current.staff_id))
            total = sum((r.revenue_12m for r in rows), Decimal(0))
            self.overview_status.setText(
                _("As of {date}: {n} staff, {revenue} 12-month revenue of their customers").format(
                    date=format_date(as_of), n=format_number(len(rows)), revenue=format_money(total)
                )
            )
            self.overview_status.setStyleSheet(HINT_STYLE)
        if self._overview_again:
            self._stale_tabs.add(OVERVIEW_TAB)
            if self.isVisible():
                self._load_current_tab()

    def shutdown(self) -> None:
        """Stop reading the figures and wait for the thread: call before the page is deleted (the main
        window's closing), or the thread would outlive its Task."""
        task = self.overview_task
        if task is not None:
            task.cancel()
            task.wait()

    # -- rows and actions

    def selected_lapsed(self) -> list[LapsedCustomer]:
        rows = sorted(index.row() for index in self.lapsed_table.selectionModel().selectedRows())
        return [self.lapsed_model.row_at(row) for row in rows]

    def selected_lapsed_ids(self) -> list[uuid.UUID]:
        return [c.id for c in self.selected_lapsed()]

    def _open_row(self, table: QTableView, row: int) -> None:
        if 0 <= row < table.model().rowCount():
            self.open_customer.emit(table.model().row_at(row).id)

    def _open_lapsed(self) -> None:
        chosen = self.selected_lapsed()
        if chosen:
            self.open_customer.emit(chosen[0].id)

    def _open_understaffed(self) -> None:
        current: UnderstaffedCustomer | None = current_row(self.understaffed_table)
        if current is not None:
            self.open_customer.emit(current.id)

    def _update_buttons(self) -> None:
        chosen = self.selected_lapsed()
        self.open_lapsed_button.setEnabled(bool(chosen))
        self.log_button.setEnabled(len(chosen) == 1)
        self.reassign_button.setEnabled(bool(chosen))
        self.open_understaffed_button.setEnabled(current_row(self.understaffed_table) is not None)

    def log_contact(self) -> None:
        chosen = self.selected_lapsed()
        if len(chosen) != 1:
            return
        if log_contact(self, self.db, self.actor, chosen[0].id) is not None:
            self.message.emit(_("Contact with {customer} logged.").format(customer=chosen[0].name))
            self._reloader.request()

    def reassign(self) -> bool:
        """Ask for the handover of the selected customers, who must share one account manager."""
        chosen = self.selected_lapsed()
        if not chosen or not self.manager:
            return False
        title = _("Reassign customers")
        managers = {c.manager_id for c in chosen}
        if len(managers) > 1:
            QMessageBox.information(
                self,
                title,
                _(
                    "The selected customers have {n} different account managers. Choose customers of one "
                    "account manager to hand over together (the account manager filter above helps)."
                ).format(n=len(managers)),
            )
            return False
        manager_id = managers.pop()
        if manager_id is None:
            QMessageBox.information(
                self,
                title,
                _("The selected customers have no account manager: choose one in each customer's file."),
            )
            return False
        self.reassign_requested.emit(manager_id, [c.id for c in chosen])
        return True

    def edit_watch_days(self) -> bool:
        """Let a manager set each tier's days without contact; saved for the whole office."""
        if not self.manager:
            return False
        try:
            saved = watch.watch_days(self.db)
            rules = TierService(self.db).rule_set(self.actor).definition
        except ServiceError as exc:
            QMessageBox.warning(self, _("Watch days"), str(exc))
            return False
        tiers = [(tier.key, tier.name) for tier in rules.tiers]
        known = {key for key, _name in tiers}
        tiers += [(key, _tier(key)) for key in sorted(saved) if key and key not in known]
        tiers.append(("", _("No tier")))
        dialog = WatchDaysDialog(self, tiers, saved)
        try:
            while dialog.exec() == QDialog.DialogCode.Accepted:
                try:
                    watch.save_watch_days(self.db, self.actor, dialog.value)
                except ValidationError as exc:
                    dialog.show_errors(exc.errors)
                    continue
                except ServiceError as exc:
                    QMessageBox.warning(self, _("Watch days"), str(exc))
                    return False
                self.message.emit(_("Watch days saved"))
                self.reload()
                return True
            return False
        finally:
            dialog.deleteLater()
