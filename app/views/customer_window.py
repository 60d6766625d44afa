"""A customer file in its own window: Basic, Contact persons, Characteristics, Transactions, History."""

from __future__ import annotations

import uuid
from dataclasses import replace
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
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
from app.dialogs.form import FieldSpec, FormFields
from app.dialogs.import_problems import target_title
from app.dialogs.transaction_dialog import transaction_dialog
from app.i18n import _, format_date, format_datetime, format_money, format_number
from app.services import labels
from app.services.actor import Actor
from app.services.customers import (
    ContactDetail,
    CustomerDetail,
    CustomerInput,
    CustomerService,
    StaffMember,
    TransactionDetail,
)
from app.services.errors import ConcurrencyError, ServiceError, ValidationError
from app.services.imports import ImportService, QualityFlag
from app.views.settings import Settings

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
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setObjectName("CustomerWindow")
        self._service = service
        self._imports = imports or ImportService(service.db)
        self.quality_flags: list[QualityFlag] = []
        self._actor = actor
        self._settings = settings
        self.customer_id = customer_id
        self.detail: CustomerDetail | None = None
        self.dirty = False
        self._contacts: list[ContactDetail] = []
        self._transactions: list[TransactionDetail] = []

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
        self._build_characteristics()
        self._build_transactions()
        self._build_history()
        self._build_actions()
        self.statusBar()

        geometry = settings.geometry("customer_window")
        if not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(980, 680)
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
        for action in (self.save_action, self.reload_action, close_action):
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
        for tab in (self.contacts_tab, self.transactions_tab, self.history_tab):
            self.tabs.setTabEnabled(self.tabs.indexOf(tab), exists)
        years = self.detail.cooperation_years if self.detail else None
        self.cooperation_years.setText(
            _("Years of cooperation: {years}").format(years=years) if years is not None else ""
        )
        self._load_quality_flags()
        if not exists:
            return
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
                    self._what(h.entity, h.action),
                    labels.field_label(h.field) if h.field else "",
                    labels.value_label(h.field, h.old_value),
                    labels.value_label(h.field, h.new_value),
                ]
                for h in history
            ],
            [self.customer_id] * len(history),
        )

    @staticmethod
    def _what(entity: str, action: str) -> str:
        texts = {
            ("customer", "create"): _("Customer created"),
            ("customer", "update"): _("Customer changed"),
            ("customer", "delete"): _("Customer deleted"),
            ("customer", "restore"): _("Customer restored"),
            ("customer", "import"): _("Customer imported"),
            ("contact", "import"): _("Contact person imported"),
            ("transaction", "import"): _("Transaction imported"),
            ("contact", "create"): _("Contact person added"),
            ("contact", "update"): _("Contact person changed"),
            ("contact", "delete"): _("Contact person removed"),
            ("transaction", "create"): _("Transaction added"),
            ("transaction", "update"): _("Transaction changed"),
            ("transaction", "delete"): _("Transaction removed"),
        }
        return texts.get((entity, action), f"{entity} {action}")

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
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            _("Changed by someone else"),
            message,
            QMessageBox.StandardButton.NoButton,
            self,
        )
        reload_button = box.addButton(_("Reload (discard my edits)"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(_("Keep my edits"), QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if box.clickedButton() is reload_button:
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
        event.accept()

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
