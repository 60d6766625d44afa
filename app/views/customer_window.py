"""A customer file in its window: Basic, Contact persons, Timeline, Complaints, Characteristics, Tier,
Transactions."""

from __future__ import annotations

import uuid
from dataclasses import replace
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.db import DatabaseOpenError
from app.dialogs.contact_dialog import CONTACT_NAME, contact_dialog
from app.dialogs.follow_up_dialog import FollowUpDialog
from app.dialogs.form import FieldSpec, FormFields, wants_reload
from app.dialogs.import_problems import target_title
from app.dialogs.override_dialog import OverrideDialog
from app.dialogs.staff_picker_dialog import StaffPickerDialog
from app.dialogs.transaction_dialog import transaction_dialog
from app.i18n import _, format_date, format_datetime, format_money, format_number
from app.services import labels
from app.services.actor import Actor
from app.services.contacts import ContactService, TimelineEntry
from app.services.customers import (
    ContactDetail,
    CustomerDetail,
    CustomerInput,
    CustomerService,
    StaffMember,
    TransactionDetail,
)
from app.services.errors import ConcurrencyError, ServiceError, ValidationError
from app.services.events import Change
from app.services.followups import FollowUpInput, FollowUpService
from app.services.imports import ImportService, QualityFlag
from app.services.staff import StaffService
from app.services.tier_rules import ABC, RFM, WEIGHTED, RuleDefinition
from app.services.tiers import (
    EVALUATION,
    OVERRIDE,
    OVERRIDE_END,
    CustomerTier,
    TierService,
    score_text,
    tier_name,
)
from app.views import contact_actions, ticket_actions
from app.views.customer_tickets_tab import CustomerTicketsTab
from app.views.qt_events import ChangeNotifier
from app.views.settings import Settings
from app.views.tier_text import dimension_value, percent
from app.views.timeline_tab import TimelineTab

BASIC_LEFT = [
    "name",
    "short_name",
    "code",
    "category",
    "tier",
    "industry",
    "enterprise_nature",
    "manager_id",
    "registered_on",
    "legal_representative",
    "founded",
    "registered_capital",
]
BASIC_RIGHT = [
    "uscc",
    "phone",
    "fax",
    "email",
    "website",
    "province",
    "city",
    "address",
    "postcode",
    "business_scope",
    "notes",
]
CHARACTERISTICS = [
    "annual_revenue",
    "employees",
    "credit_rating",
    "potential_rating",
    "influence_rating",
    "cooperation_start",
    "purchasing_pattern",
    "needs",
    "business_trend",
    "financial_status",
    "brands",
    "competitors",
    "lost_reason",
]

CUSTOMER_FIELDS = [
    FieldSpec("name", required=True),
    FieldSpec("short_name"),
    FieldSpec("code"),
    FieldSpec("category", "choice", labels.CATEGORY),
    FieldSpec("tier", "editable", labels.TIER),
    FieldSpec("industry"),
    FieldSpec("enterprise_nature", "choice", labels.ENTERPRISE_NATURE),
    FieldSpec("manager_id", "staff"),
    FieldSpec("registered_on", "date"),
    FieldSpec("legal_representative"),
    FieldSpec("founded", "date"),
    FieldSpec("registered_capital", "money"),
    FieldSpec("uscc"),
    FieldSpec("phone"),
    FieldSpec("fax"),
    FieldSpec("email"),
    FieldSpec("website"),
    FieldSpec("province"),
    FieldSpec("city"),
    FieldSpec("address"),
    FieldSpec("postcode"),
    FieldSpec("business_scope", "multiline"),
    FieldSpec("notes", "multiline"),
    FieldSpec("annual_revenue", "money"),
    FieldSpec("employees", "int"),
    FieldSpec("credit_rating", "choice", labels.CREDIT_RATING),
    FieldSpec("potential_rating", "rating"),
    FieldSpec("influence_rating", "rating"),
    FieldSpec("cooperation_start", "date"),
    FieldSpec("purchasing_pattern", "multiline"),
    FieldSpec("needs", "multiline"),
    FieldSpec("business_trend", "multiline"),
    FieldSpec("financial_status", "multiline"),
    FieldSpec("brands", "multiline"),
    FieldSpec("competitors", "multiline"),
    FieldSpec("lost_reason", "multiline"),
]


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.setAlternatingRowColors(True)
    return table


def _fill(table: QTableWidget, rows: list[list[str]], ids: list[uuid.UUID]) -> None:
    table.setRowCount(len(rows))
    for r, (values, row_id) in enumerate(zip(rows, ids, strict=True)):
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            item.setData(Qt.ItemDataRole.UserRole, row_id)
            table.setItem(r, c, item)


def _fit_height(table: QTableWidget) -> None:
    """As tall as its rows, so a short table inside a scrolling page needs no scroll bar of its own."""
    height = table.horizontalHeader().height() + 2 * table.frameWidth()
    height += sum(table.rowHeight(r) for r in range(table.rowCount()))
    table.setFixedHeight(max(height, table.horizontalHeader().height() + 8))


def _scrolling(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setWidget(widget)
    return area


class CustomerWindow(QMainWindow):
    """Edits one customer file (or a new one when `customer_id` is None)."""

    def __init__(
        self,
        service: CustomerService,
        actor: Actor,
        staff: list[StaffMember],
        settings: Settings,
        customer_id: uuid.UUID | None = None,
        parent: QWidget | None = None,
        imports: ImportService | None = None,
        tiers: TierService | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setObjectName("CustomerWindow")
        self._service = service
        self._imports = imports or ImportService(service.db)
        self._tiers = tiers or TierService(service.db)
        self.tier_info: CustomerTier | None = None
        self.quality_flags: list[QualityFlag] = []
        self._actor = actor
        self._settings = settings
        self.customer_id = customer_id
        self.detail: CustomerDetail | None = None
        self.dirty = False
        self._contacts: list[ContactDetail] = []
        self._transactions: list[TransactionDetail] = []
        self._additional: list = []

        self.fields = FormFields(CUSTOMER_FIELDS, self, staff)
        self.fields.changed.connect(self._mark_dirty)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("customer_tabs")
        # Whose file this is, always in view whichever tab is open.
        self.heading = QLabel()
        self.heading.setObjectName("customer_heading")
        self.heading.setStyleSheet("font-size: 15px; font-weight: bold; padding: 4px 2px;")
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(6, 4, 6, 6)
        column.addWidget(self.heading)
        self._build_quality_banner()
        column.addWidget(self.quality_banner)
        column.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self._build_basic()
        self._build_contacts()
        self._build_timeline()
        self._build_complaints()
        self._build_characteristics()
        self._build_tier()
        self._build_transactions()
        self._build_history()
        self._build_actions()
        self.statusBar()

        geometry = settings.geometry("customer_window")
        if not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(980, 680)
        # Tiers applied from the Tiers page, or set by hand elsewhere, show here at once.
        self.notifier = ChangeNotifier(self)
        self.notifier.changed.connect(self._on_change)
        self.load()

    # -- building

    def _build_quality_banner(self) -> None:
        """Values an import left out (an invalid e-mail, a wrong credit code), as typed, until dismissed."""
        self.quality_banner = QFrame()
        self.quality_banner.setObjectName("quality_banner")
        self.quality_banner.setStyleSheet(
            "#quality_banner { background: #FFF4CE; border: 1px solid #E0B000; border-radius: 3px; }"
            "#quality_banner QLabel { color: #4a3800; }"
        )
        self.quality_text = QLabel()
        self.quality_text.setObjectName("quality_text")
        self.quality_text.setWordWrap(True)
        self.quality_text.setTextFormat(Qt.TextFormat.PlainText)  # values as typed, never markup
        self.quality_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.dismiss_button = QPushButton(_("Dismiss"))
        self.dismiss_button.setObjectName("dismiss_flags")
        self.dismiss_button.setToolTip(_("The values have been checked: stop showing this note."))
        self.dismiss_button.clicked.connect(self.dismiss_quality_flags)
        row = QHBoxLayout(self.quality_banner)
        row.setContentsMargins(8, 6, 8, 6)
        row.addWidget(self.quality_text, 1)
        row.addWidget(self.dismiss_button, 0, Qt.AlignmentFlag.AlignTop)
        self.quality_banner.hide()

    def _load_quality_flags(self) -> None:
        self.quality_flags = (
            self._imports.quality_flags(self._actor, self.customer_id) if self.customer_id is not None else []
        )
        if not self.quality_flags:
            self.quality_banner.hide()
            return
        lines = [_("An import left out values that need checking:")]
        for flag in self.quality_flags:
            lines.append(
                _("• {field}: “{value}” — {message} ({file}, row {row})").format(
                    field=target_title(flag.field),
                    value=flag.value,
                    message=flag.message,
                    file=flag.file,
                    row=flag.row,
                )
            )
        self.quality_text.setText("\n".join(lines))
        self.quality_banner.show()

    def dismiss_quality_flags(self) -> None:
        try:
            self._imports.dismiss_flags(self._actor, [flag.id for flag in self.quality_flags])
        except (ServiceError, DatabaseOpenError) as exc:
            QMessageBox.warning(self, _("Cannot save"), str(exc))
            return
        self.quality_flags = []
        self.quality_banner.hide()

    def _build_basic(self) -> None:
        page = QWidget()
        outer = QVBoxLayout(page)
        columns = QHBoxLayout()
        columns.addLayout(self.fields.form_layout(BASIC_LEFT), 1)
        columns.addSpacing(16)
        columns.addLayout(self.fields.form_layout(BASIC_RIGHT), 1)
        outer.addLayout(columns)
        # Key customers are served by two or more people: the account manager and these.
        staff_row = QHBoxLayout()
        staff_row.addWidget(QLabel(_("Additional staff:")))
        self.additional_staff = QLabel()
        self.additional_staff.setObjectName("additional_staff")
        self.additional_staff.setWordWrap(True)
        staff_row.addWidget(self.additional_staff, 1)
        self.change_staff_button = QPushButton(_("Change…"))
        self.change_staff_button.setObjectName("change_additional_staff")
        self.change_staff_button.clicked.connect(self.change_additional_staff)
        staff_row.addWidget(self.change_staff_button)
        outer.addLayout(staff_row)
        outer.addStretch(1)  # rows keep their natural height; the spare room goes below
        self.basic_tab = _scrolling(page)
        self.tabs.addTab(self.basic_tab, _("Basic"))

    def _build_characteristics(self) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addLayout(self.fields.form_layout(CHARACTERISTICS))
        self.cooperation_years = QLabel()
        self.cooperation_years.setObjectName("cooperation_years")
        layout.addWidget(self.cooperation_years)
        layout.addStretch(1)
        self.characteristics_tab = _scrolling(page)
        self.tabs.addTab(self.characteristics_tab, _("Characteristics"))

    def _build_tier(self) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)

        current = QGroupBox(_("Current tier"))
        box = QVBoxLayout(current)
        self.tier_label = QLabel()
        self.tier_label.setObjectName("tier_current")
        self.tier_label.setStyleSheet("font-size: 22px; font-weight: bold;")
        self.tier_label.setTextFormat(Qt.TextFormat.PlainText)  # a rule set's tier names are typed by users
        box.addWidget(self.tier_label)
        self.override_label = QLabel()
        self.override_label.setObjectName("tier_override")
        self.override_label.setWordWrap(True)
        self.override_label.setTextFormat(Qt.TextFormat.PlainText)
        self.override_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.override_label)
        buttons = self._buttons(
            box,
            ("set_tier_by_hand", _("Set tier by hand…"), self.set_tier_by_hand),
            ("return_to_rules", _("Return to the rules"), self.return_to_rules),
        )
        self.override_button = buttons["set_tier_by_hand"]
        self.end_override_button = buttons["return_to_rules"]
        self.end_override_button.setToolTip(
            _("The next evaluation proposes this customer's tier by the rules again.")
        )
        layout.addWidget(current)

        policy = QGroupBox(_("Service policy"))
        form = QFormLayout(policy)
        self.cadence_label = QLabel()
        self.cadence_label.setObjectName("tier_cadence")
        self.service_level_label = QLabel()
        self.service_level_label.setObjectName("tier_service_level")
        self.guidance_label = QLabel()
        self.guidance_label.setObjectName("tier_guidance")
        for label in (self.cadence_label, self.service_level_label, self.guidance_label):
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
        form.addRow(_("Contact cadence"), self.cadence_label)
        form.addRow(_("Service level"), self.service_level_label)
        form.addRow(_("Guidance"), self.guidance_label)
        layout.addWidget(policy)

        evaluation = QGroupBox(_("Latest evaluation"))
        box = QVBoxLayout(evaluation)
        self.score_label = QLabel()
        self.score_label.setObjectName("tier_score")
        self.score_label.setStyleSheet("font-weight: bold;")
        self.reason_label = QLabel()
        self.reason_label.setObjectName("tier_reason")
        self.previous_label = QLabel()
        self.previous_label.setObjectName("tier_previous")
        for label in (self.score_label, self.reason_label, self.previous_label):
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
            box.addWidget(label)
        self.breakdown_table = _table(
            [
                _("Dimension"),
                _("Value"),
                _("Scaled score"),
                _("Weight"),
                _("Share of total"),
                _("Previous value"),
                _("Previous scaled score"),
            ]
        )
        self.breakdown_table.setObjectName("tier_breakdown")
        self.breakdown_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.breakdown_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # The spare width goes to the names, not to whichever figure happens to be the last column shown.
        header = self.breakdown_table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        box.addWidget(self.breakdown_table)
        layout.addWidget(evaluation)

        history = QGroupBox(_("Tier history"))
        box = QVBoxLayout(history)
        self.tier_history_table = _table([_("When"), _("From → to"), _("Who"), _("What"), _("Reason")])
        self.tier_history_table.setObjectName("tier_history")
        self.tier_history_table.setMinimumHeight(160)
        box.addWidget(self.tier_history_table)
        layout.addWidget(history, 1)

        self.tier_tab = _scrolling(page)
        self.tabs.addTab(self.tier_tab, _("Tier"))

    def _buttons(self, layout: QVBoxLayout, *buttons: tuple[str, str, object]) -> dict[str, QPushButton]:
        row = QHBoxLayout()
        made = {}
        for name, text, slot in buttons:
            button = QPushButton(text)
            button.setObjectName(name)
            button.clicked.connect(slot)
            row.addWidget(button)
            made[name] = button
        row.addStretch(1)
        layout.addLayout(row)
        return made

    def _build_contacts(self) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.contacts_table = _table(
            [_(CONTACT_NAME)]
            + [
                labels.field_label(n)
                for n in (
                    "title",
                    "mobile",
                    "phone",
                    "email",
                    "wechat",
                    "birthday",
                    "is_decision_maker",
                    "preferences",
                )
            ]
        )
        self.contacts_table.setObjectName("contacts_table")
        self.contacts_table.doubleClicked.connect(self.edit_contact)
        self._buttons(
            layout,
            ("add_contact", _("Add…"), self.add_contact),
            ("edit_contact", _("Edit…"), self.edit_contact),
            ("remove_contact", _("Remove"), self.remove_contact),
        )
        layout.addWidget(self.contacts_table)
        self.contacts_tab = page
        self.tabs.addTab(page, _("Contact persons"))

    def _build_timeline(self) -> None:
        self.timeline = TimelineTab()
        self.timeline.log_requested.connect(self.log_contact)
        self.timeline.plan_requested.connect(self.plan_follow_up)
        self.timeline.open_requested.connect(self.open_timeline_entry)
        self.timeline.filter_changed.connect(self._load_timeline)
        self.timeline_tab = self.timeline
        self.tabs.addTab(self.timeline, _("Timeline"))

    def _build_complaints(self) -> None:
        self.complaints_tab = CustomerTicketsTab(self._service.db, self._actor, self._settings)
        self.tabs.addTab(self.complaints_tab, _("Complaints"))

    def _build_transactions(self) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.transactions_table = _table(
            [
                labels.field_label(n)
                for n in (
                    "occurred_on",
                    "amount",
                    "profit",
                    "product",
                    "contract_no",
                    "payment_method",
                    "notes",
                )
            ]
        )
        self.transactions_table.setObjectName("transactions_table")
        self.transactions_table.doubleClicked.connect(self.edit_transaction)
        self._buttons(
            layout,
            ("add_transaction", _("Add…"), self.add_transaction),
            ("edit_transaction", _("Edit…"), self.edit_transaction),
            ("remove_transaction", _("Remove"), self.remove_transaction),
        )
        layout.addWidget(self.transactions_table)
        self.transactions_total = QLabel()
        self.transactions_total.setObjectName("transactions_total")
        layout.addWidget(self.transactions_total)
        self.transactions_tab = page
        self.tabs.addTab(page, _("Transactions"))

    def _build_history(self) -> None:
        self.history_table = _table(
            [_("When"), _("Who"), _("What"), _("Field"), _("Old value"), _("New value")]
        )
        self.history_table.setObjectName("history_table")
        self.history_tab = self.history_table
        self.tabs.addTab(self.history_table, _("History"))

    def _build_actions(self) -> None:
        toolbar = QToolBar(_("File"))
        toolbar.setObjectName("customer_toolbar")
        toolbar.setMovable(False)
        self.addToolBar(toolbar)
        self.save_action = QAction(_("Save"), self)
        self.save_action.setShortcut(QKeySequence.StandardKey.Save)
        self.save_action.triggered.connect(self.save)
        self.reload_action = QAction(_("Reload"), self)
        self.reload_action.setShortcut(QKeySequence.StandardKey.Refresh)
        self.reload_action.triggered.connect(self.reload)
        close_action = QAction(_("Close"), self)
        close_action.setShortcuts([QKeySequence.StandardKey.Close, QKeySequence(Qt.Key.Key_Escape)])
        close_action.triggered.connect(self.close)
        self.log_action = QAction(_("Log contact…"), self)
        self.log_action.setShortcut(QKeySequence("Ctrl+L"))
        self.log_action.triggered.connect(self.log_contact)
        for action in (self.save_action, self.reload_action, self.log_action, close_action):
            toolbar.addAction(action)
            action.setToolTip(
                f"{action.text()} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
            )

    # -- loading and saving

    def load(self) -> None:
        if self.customer_id is None:
            self.detail = None
            self.fields.set_values(CustomerInput())
        else:
            self.detail = self._service.get(self._actor, self.customer_id)
            self.fields.set_values(self.detail.data)
        self._load_children()
        self._set_dirty(False)

    def _load_children(self) -> None:
        exists = self.customer_id is not None
        for tab in (
            self.contacts_tab,
            self.timeline_tab,
            self.complaints_tab,
            self.tier_tab,
            self.transactions_tab,
            self.history_tab,
        ):
            self.tabs.setTabEnabled(self.tabs.indexOf(tab), exists)
        self.log_action.setEnabled(exists)
        self.change_staff_button.setEnabled(exists)
        self._additional = (
            StaffService(self._service.db).customer_staff(self._actor, self.customer_id) if exists else []
        )
        self.additional_staff.setText(", ".join(s.name for s in self._additional) or _("none"))
        # A tier changes through "Set tier by hand" with a reason, so its history stays complete; only a
        # new customer chooses a first tier here.
        self.fields.set_read_only(
            "tier", exists, _("The tier is set on the Tier tab: by the rules, or by hand with a reason.")
        )
        years = self.detail.cooperation_years if self.detail else None
        self.cooperation_years.setText(
            _("Years of cooperation: {years}").format(years=years) if years is not None else ""
        )
        self._load_quality_flags()
        if not exists:
            return
        self._load_tier()
        self._load_timeline()
        self.complaints_tab.set_customer(self.customer_id)
        self._contacts = self._service.contacts(self._actor, self.customer_id)
        _fill(
            self.contacts_table,
            [
                [
                    c.data.name,
                    c.data.title,
                    c.data.mobile,
                    c.data.phone,
                    c.data.email,
                    c.data.wechat,
                    format_date(c.data.birthday),
                    "✔" if c.data.is_decision_maker else "",
                    c.data.preferences,
                ]
                for c in self._contacts
            ],
            [c.id for c in self._contacts],
        )
        self._transactions = self._service.transactions(self._actor, self.customer_id)
        _fill(
            self.transactions_table,
            [
                [
                    format_date(t.data.occurred_on),
                    format_money(t.data.amount),
                    format_money(t.data.profit),
                    t.data.product,
                    t.data.contract_no,
                    labels.value_label("payment_method", t.data.payment_method),
                    t.data.notes,
                ]
                for t in self._transactions
            ],
            [t.id for t in self._transactions],
        )
        for row in range(self.transactions_table.rowCount()):
            for column in (1, 2):
                item = self.transactions_table.item(row, column)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        total = sum((t.data.amount for t in self._transactions), Decimal(0))
        self.transactions_total.setText(
            _("{count} transactions, total {total}").format(
                count=format_number(len(self._transactions)), total=format_money(total)
            )
        )
        history = self._service.history(self._actor, self.customer_id)
        _fill(
            self.history_table,
            [
                [
                    format_datetime(h.at),
                    h.actor,
                    labels.change_title(h.entity, h.action),
                    labels.field_label(h.field) if h.field else "",
                    labels.value_label(h.field, h.old_value),
                    labels.value_label(h.field, h.new_value),
                ]
                for h in history
            ],
            [self.customer_id] * len(history),
        )

    # -- the tier

    def _load_tier(self) -> None:
        try:
            info = self._tiers.customer_tier(self._actor, self.customer_id)
            rules = info.rules
        except (ServiceError, DatabaseOpenError) as exc:
            self.tier_info = None
            self.tier_label.setText("—")
            self.override_label.setText(str(exc))
            self.override_button.setEnabled(False)
            self.end_override_button.setEnabled(False)
            return
        self.tier_info = info
        self.tier_label.setText(info.tier_name)
        override = info.override
        if override is None:
            self.override_label.setText(_("Set by the rules."))
        else:
            until = (
                _("until {date}").format(date=format_date(override.until))
                if override.until
                else _("until returned to the rules")
            )
            self.override_label.setText(
                _("Set by hand to {tier} by {who} on {when}, {until}.\nReason: {reason}").format(
                    tier=tier_name(rules, override.tier),
                    who=override.by or "—",
                    when=format_datetime(override.at),
                    until=until,
                    reason=override.reason,
                )
            )
        self.override_button.setEnabled(True)
        self.end_override_button.setEnabled(override is not None)

        policy = info.policy
        days = policy.cadence_days
        self.cadence_label.setText(_("Every {days} days").format(days=format_number(days)) if days else "—")
        # Preset texts are stored as their English msgid; a user's own text passes through unchanged.
        self.service_level_label.setText(_(policy.service_level) if policy.service_level else "—")
        self.guidance_label.setText(_(policy.guidance) if policy.guidance else "—")
        self._load_explanation(info, rules)

        history = info.history
        kinds = {OVERRIDE: _("Set by hand"), OVERRIDE_END: _("Returned to the rules")}
        rows = []
        for h in history:
            if h.kind == EVALUATION:
                what = _("Evaluation: {rule_set}, version {version}").format(
                    rule_set=h.rule_set, version=h.rule_version or "—"
                )
            else:
                what = kinds.get(h.kind, h.kind)
            change = (
                tier_name(rules, h.to_tier)
                if h.from_tier == h.to_tier
                else f"{tier_name(rules, h.from_tier)} → {tier_name(rules, h.to_tier)}"
            )
            rows.append([format_datetime(h.at), change, h.by, what, h.reason])
        _fill(self.tier_history_table, rows, [self.customer_id] * len(rows))

    def _load_explanation(self, info: CustomerTier, rules: RuleDefinition) -> None:
        explanation = info.explanation
        table = self.breakdown_table
        if explanation is None:
            self.score_label.setText(_("This customer has not been evaluated yet."))
            for label in (self.reason_label, self.previous_label):
                label.hide()
            table.hide()
            return
        score = explanation.score
        if score is None:
            text = _("No score")
        elif explanation.method == RFM:
            text = _("RFM score {score} of 15").format(score=score_text(score))
        elif explanation.method == ABC:
            text = _("Share of revenue {score} %").format(score=score_text(score))
        else:
            text = _("Score {score} of 100").format(score=score_text(score))
        self.score_label.setText(text)
        evaluated = _("Evaluated as of {date} under {rule_set}, version {version}.").format(
            date=format_date(explanation.as_of),
            rule_set=explanation.rule_set,
            version=explanation.rule_version,
        )
        reason = evaluated + "\n" + explanation.reason
        if info.override is None and explanation.new_tier != info.tier:
            reason += "\n" + _("It proposes {tier}; the proposal has not been applied.").format(
                tier=tier_name(rules, explanation.new_tier)
            )
        self.reason_label.setText(reason)
        self.reason_label.show()
        previous = explanation.previous_as_of is not None
        if previous:
            self.previous_label.setText(
                _("Previous evaluation, as of {date}: {score}, {tier}.").format(
                    date=format_date(explanation.previous_as_of),
                    score=_("no score")
                    if explanation.previous_score is None
                    else score_text(explanation.previous_score),
                    tier=tier_name(rules, explanation.previous_tier or ""),
                )
            )
        self.previous_label.setVisible(previous)
        weighted = explanation.method == WEIGHTED
        # A dimension a weighted set gives no weight adds nothing to the score: leave it out.
        parts = [p for p in explanation.parts if p.weight > 0 or not weighted]
        total_weight = sum(p.weight for p in parts) or 1.0
        rows = [
            [
                part.label,
                dimension_value(part.key, part.raw),
                "" if part.scaled is None else score_text(part.scaled),
                percent(part.weight / total_weight),
                percent(part.share),
                dimension_value(part.key, part.previous_raw) if previous else "",
                "" if part.previous_scaled is None else score_text(part.previous_scaled),
            ]
            for part in parts
        ]
        _fill(table, rows, [self.customer_id] * len(rows))
        for row in range(table.rowCount()):
            for column in range(1, table.columnCount()):
                table.item(row, column).setTextAlignment(
                    Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                )
        # Only the columns the method has: ABC scales nothing, only a weighted score has weights.
        table.setColumnHidden(2, explanation.method == ABC)
        table.setColumnHidden(3, not weighted)
        table.setColumnHidden(4, not weighted)
        table.setColumnHidden(5, not previous)
        table.setColumnHidden(6, not previous or explanation.method == ABC)
        table.show()
        _fit_height(table)

    def set_tier_by_hand(self) -> None:
        if self.customer_id is None:
            return
        if self.tier_info is None:
            return  # the Tier tab could not be read; it says why
        rules, current = self.tier_info.rules, self.tier_info.tier
        name = self.detail.data.name if self.detail else ""
        dialog = OverrideDialog(self, name, [(t.key, t.name) for t in rules.tiers], current)
        while dialog.exec():
            try:
                self._tiers.override(self._actor, self.customer_id, dialog.tier, dialog.reason, dialog.until)
            except ValidationError as exc:
                others = dialog.show_errors(exc.errors)
                if others:
                    QMessageBox.warning(
                        self,
                        _("Cannot save"),
                        "\n".join(f"{labels.field_label(n)}: {m}" for n, m in others.items()),
                    )
                continue  # the dialog again, with what was typed and the errors at their fields
            except (ServiceError, DatabaseOpenError) as exc:
                QMessageBox.warning(self, _("Cannot save"), str(exc))
            else:
                self._after_tier_change()
            break

    def return_to_rules(self) -> None:
        if self.customer_id is None:
            return
        try:
            self._tiers.end_override(self._actor, self.customer_id)
        except (ServiceError, DatabaseOpenError) as exc:
            QMessageBox.warning(self, _("Cannot save"), str(exc))
        else:
            self._after_tier_change()

    def _after_tier_change(self) -> None:
        """The tier (and the file's version) may have changed: show it, keeping any unsaved edits."""
        if self.customer_id is None:
            return
        if not self.dirty:
            self.load()
            return
        try:
            fresh = self._service.get(self._actor, self.customer_id)
        except (ServiceError, DatabaseOpenError):
            return
        if self.detail is not None and replace(self.detail.data, tier=fresh.data.tier) == fresh.data:
            # Only the tier moved: take it and the new version, so saving the edits raises no conflict.
            self.detail = fresh
            self.fields.set_value("tier", fresh.data.tier)
            self._set_dirty(True)
        # Otherwise someone else changed the file too: saving will say so and offer a reload.
        self._load_tier()

    def _on_change(self, change: Change) -> None:
        if self.customer_id is None:
            return
        if change.entity in ("contact_log", "follow_up", "customer_timeline") and (
            not change.ids or self.customer_id in change.ids
        ):
            self._load_timeline()
        elif change.entity == "complaint":
            # Its ids are tickets', not customers': one customer's list is quick to read again, once shown.
            self.complaints_tab.request_reload()
        elif change.entity == "customer" and (not change.ids or self.customer_id in change.ids):
            self._after_tier_change()
        elif change.entity in ("tier_evaluation", "tier_rule_set"):
            self._load_tier()

    def _mark_dirty(self) -> None:
        self._set_dirty(True)

    def _set_dirty(self, dirty: bool) -> None:
        self.dirty = dirty
        if self.detail is None:
            title = heading = _("New customer")
        else:
            data = self.detail.data
            title = f"{data.name} ({data.code})"
            facts = [
                data.code,
                labels.value_label("category", data.category),
                labels.value_label("tier", data.tier),
                self.detail.manager_name,
            ]
            heading = f"{data.name}　" + " · ".join(f for f in facts if f)
        self.setWindowTitle(f"{'* ' if dirty else ''}{title} — ClientDesk")
        self.heading.setText(heading)
        self.save_action.setEnabled(dirty or self.customer_id is None)

    def save(self) -> bool:
        """Save the form; errors are shown at their fields and nothing is written."""
        values, errors = self.fields.values()
        if errors:
            self._show_errors(errors)
            return False
        if self.detail is not None:
            # The tier of an existing customer changes only through the Tier tab, never with a save.
            values.pop("tier", None)
        # Fields this window does not show (the department, say) keep what the file holds.
        data = replace(self.detail.data if self.detail else CustomerInput(), **values)
        try:
            if self.customer_id is None:
                self.detail = self._service.create(self._actor, data)
                self.customer_id = self.detail.id
            else:
                self.detail = self._service.update(self._actor, self.customer_id, data, self.detail.version)
        except ValidationError as exc:
            self._show_errors(exc.errors)
            return False
        except ConcurrencyError as exc:
            self._offer_reload(str(exc))
            return False
        except (ServiceError, DatabaseOpenError) as exc:
            QMessageBox.warning(self, _("Cannot save"), str(exc))
            return False
        self.fields.set_values(self.detail.data)
        self._load_children()
        self._set_dirty(False)
        self.statusBar().showMessage(_("Saved."), 4000)
        return True

    def _show_errors(self, errors: dict[str, str]) -> None:
        widget = self.fields.show_errors(errors)
        if widget is None:
            QMessageBox.warning(self, _("Cannot save"), "\n".join(errors.values()))
            return
        tab = (
            self.characteristics_tab
            if any(n in CHARACTERISTICS for n in errors)
            and not any(n in BASIC_LEFT + BASIC_RIGHT for n in errors)
            else self.basic_tab
        )
        self.tabs.setCurrentWidget(tab)
        widget.setFocus()
        self.statusBar().showMessage(_("Not saved: please correct the marked fields."), 6000)

    def _offer_reload(self, message: str) -> None:
        if wants_reload(self, message):
            self.load()

    def reload(self) -> None:
        if (
            self.dirty
            and QMessageBox.question(
                self, _("Reload"), _("Discard your unsaved changes and reload this customer?")
            )
            != QMessageBox.StandardButton.Yes
        ):
            return
        self.load()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.dirty:
            answer = QMessageBox.question(
                self,
                _("Unsaved changes"),
                _("Save the changes to this customer before closing?"),
                QMessageBox.StandardButton.Save
                | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel,
            )
            if answer == QMessageBox.StandardButton.Cancel or (
                answer == QMessageBox.StandardButton.Save and not self.save()
            ):
                event.ignore()
                return
        self._settings.set_geometry("customer_window", self.saveGeometry())
        self.notifier.close()  # no refresh of a closed window
        event.accept()

    # -- contacts logged and follow-ups

    def _load_timeline(self) -> None:
        if self.customer_id is None:
            return
        try:
            entries = ContactService(self._service.db).timeline(
                self._actor, self.customer_id, self.timeline.kinds()
            )
        except (ServiceError, DatabaseOpenError) as exc:
            self.statusBar().showMessage(str(exc), 8000)
            return
        self.timeline.show_entries(entries)

    def log_contact(self) -> None:
        if self.customer_id is None:
            return
        detail = contact_actions.log_contact(self, self._service.db, self._actor, self.customer_id)
        if detail is not None:
            self.statusBar().showMessage(_("Contact logged."), 5000)

    def open_timeline_entry(self, entry: TimelineEntry) -> None:
        if entry.kind == "contact" and entry.ref_id is not None:
            contact_actions.open_contact_log(self, self._service.db, self._actor, entry.ref_id)
        elif entry.kind == "follow_up" and entry.ref_id is not None:
            contact_actions.change_follow_up(self, self._service.db, self._actor, entry.ref_id)
        elif entry.kind == "transaction":
            self.tabs.setCurrentWidget(self.transactions_tab)
        elif entry.kind == "tier":
            self.tabs.setCurrentWidget(self.tier_tab)
        elif entry.kind == "complaint" and entry.ref_id is not None:
            ticket_actions.open_ticket(self, self._service.db, self._actor, self._settings, entry.ref_id)

    def change_additional_staff(self) -> None:
        if self.customer_id is None or self.detail is None:
            return
        dialog = StaffPickerDialog(
            self,
            _("Additional staff"),
            _(
                "Who serves {customer} besides its account manager? Key customers have two or more staff."
            ).format(customer=self.detail.data.name),
            self._service.staff(self._actor),
            {s.id for s in self._additional},
            excluded=self.detail.data.manager_id,
        )
        if dialog.exec():
            self._run(
                lambda: StaffService(self._service.db).set_customer_staff(
                    self._actor, self.customer_id, dialog.chosen_ids
                )
            )

    def plan_follow_up(self) -> None:
        if self.customer_id is None or self.detail is None:
            return
        staff = self._service.staff(self._actor)
        owner = self.detail.data.manager_id or self._actor.staff_id
        dialog = FollowUpDialog(self, f"{self.detail.data.name} ({self.detail.data.code})", staff, owner)
        service = FollowUpService(self._service.db)
        while dialog.exec():
            try:
                service.create(
                    self._actor,
                    FollowUpInput(self.customer_id, dialog.due_on, dialog.owner_id, dialog.purpose_text),
                )
            except ValidationError as exc:
                dialog.show_errors(exc.errors)
            except (ServiceError, DatabaseOpenError) as exc:
                QMessageBox.warning(self, _("Cannot save"), str(exc))
                return
            else:
                return

    # -- contact persons and transactions

    def _selected_id(self, table: QTableWidget) -> uuid.UUID | None:
        items = table.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def _run(self, action) -> None:
        try:
            action()
        except ConcurrencyError as exc:
            self._offer_reload(str(exc))
        except (ServiceError, DatabaseOpenError) as exc:
            QMessageBox.warning(self, _("Cannot save"), str(exc))
        self._load_children()

    def add_contact(self) -> None:
        dialog = contact_dialog(self)
        if dialog.exec():
            self._run(lambda: self._service.save_contact(self._actor, self.customer_id, dialog.result_value))

    def edit_contact(self) -> None:
        contact_id = self._selected_id(self.contacts_table)
        contact = next((c for c in self._contacts if c.id == contact_id), None)
        if contact is None:
            return
        dialog = contact_dialog(self, contact.data)
        if dialog.exec():
            self._run(
                lambda: self._service.save_contact(
                    self._actor, self.customer_id, dialog.result_value, contact.id, contact.version
                )
            )

    def remove_contact(self) -> None:
        contact_id = self._selected_id(self.contacts_table)
        contact = next((c for c in self._contacts if c.id == contact_id), None)
        if contact is None:
            return
        if (
            QMessageBox.question(
                self,
                _("Remove contact person"),
                _("Remove {name} from this customer?").format(name=contact.data.name),
            )
            == QMessageBox.StandardButton.Yes
        ):
            self._run(lambda: self._service.delete_contact(self._actor, self.customer_id, contact.id))

    def add_transaction(self) -> None:
        dialog = transaction_dialog(self)
        if dialog.exec():
            self._run(
                lambda: self._service.save_transaction(self._actor, self.customer_id, dialog.result_value)
            )

    def edit_transaction(self) -> None:
        transaction_id = self._selected_id(self.transactions_table)
        found = next((t for t in self._transactions if t.id == transaction_id), None)
        if found is None:
            return
        dialog = transaction_dialog(self, found.data)
        if dialog.exec():
            self._run(
                lambda: self._service.save_transaction(
                    self._actor, self.customer_id, dialog.result_value, found.id, found.version
                )
            )

    def remove_transaction(self) -> None:
        transaction_id = self._selected_id(self.transactions_table)
        found = next((t for t in self._transactions if t.id == transaction_id), None)
        if found is None:
            return
        question = _("Remove the transaction of {date} over {amount}?").format(
            date=format_date(found.data.occurred_on), amount=format_money(found.data.amount)
        )
        if QMessageBox.question(self, _("Remove transaction"), question) == QMessageBox.StandardButton.Yes:
            self._run(lambda: self._service.delete_transaction(self._actor, self.customer_id, found.id))
