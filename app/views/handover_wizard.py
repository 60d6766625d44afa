"""The handover wizard (交接): whose customers → who takes which → confirm and run → what was done."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from enum import IntEnum

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QCloseEvent, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
    QWizard,
)

from app.db import Database
from app.dialogs.form import ERROR_TEXT, ReadyPage, index_of, set_wizard_buttons
from app.i18n import N_, _, format_date, format_money, format_number
from app.services import handover, labels
from app.services.actor import Actor
from app.services.errors import ServiceError
from app.services.handover import HandoverCustomer, HandoverResult, HandoverSituation
from app.services.staff import StaffInfo, StaffService
from app.views.row_order import reorder_rows
from app.views.settings import Settings
from app.views.tasks import Task

WHOSE_PAGE, CUSTOMERS_PAGE, CONFIRM_PAGE, RESULT_PAGE = range(4)
BY_HAND = "hand"
HINT_STYLE = "color: #777;"
UNASSIGNED = QColor("#c62828")
SETTINGS_NAME = "handover_wizard"
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class Column(IntEnum):
    CODE = 0
    NAME = 1
    TIER = 2
    REVENUE = 3
    FOLLOW_UPS = 4
    TO = 5


_TO = int(Column.TO)
_SELECTABLE = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_EDITABLE = _SELECTABLE | Qt.ItemFlag.ItemIsEditable
HEADERS = {
    Column.CODE: N_("Code"),
    Column.NAME: N_("Customer"),
    Column.TIER: N_("Tier"),
    Column.REVENUE: N_("12-month revenue"),
    Column.FOLLOW_UPS: N_("Open follow-ups"),
    Column.TO: N_("To"),
}


def _tier(key: str) -> str:
    return labels.label(labels.TIER_NAMES, key) if key else ""


def _label(name: str, style: str = "") -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)  # names typed by users are not markup
    if style:
        label.setStyleSheet(style)
    return label


class AssignmentModel(QAbstractTableModel):
    """The customers handed over and who takes each (customer id → staff id); the "To" column is edited
    with a combo of the recipients. Thousands of rows: a model, not a widget per row."""

    assignment_changed = Signal()
    edited = Signal()  # a row's recipient changed by the user in the "To" column

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.customers: list[HandoverCustomer] = []
        self.assignment: dict[uuid.UUID, uuid.UUID] = {}
        self.names: dict[uuid.UUID, str] = {}

    def set_customers(self, customers: list[HandoverCustomer], names: dict[uuid.UUID, str]) -> None:
        self.beginResetModel()
        self.customers = list(customers)
        self.names = dict(names)
        self.assignment = {}
        self.endResetModel()
        self.assignment_changed.emit()

    def set_assignment(self, assignment: dict[uuid.UUID, uuid.UUID]) -> None:
        self.assignment = dict(assignment)
        self._to_changed(0, len(self.customers) - 1)

    def assign(self, rows: list[int], staff_id: uuid.UUID) -> None:
        for row in rows:
            self.assignment[self.customers[row].id] = staff_id
        if rows:
            self._to_changed(min(rows), max(rows))

    def _to_changed(self, first: int, last: int) -> None:
        if self.customers and last >= first:
            self.dataChanged.emit(self.index(first, Column.TO), self.index(last, Column.TO))
        self.assignment_changed.emit()

    def unassigned(self) -> int:
        return sum(1 for c in self.customers if c.id not in self.assignment)

    # -- Qt's model interface

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.customers)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(HEADERS[Column(section)])
        right = section in (Column.REVENUE, Column.FOLLOW_UPS)
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.TextAlignmentRole and right:
            return int(RIGHT)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        # Asked for every cell when thousands of rows are selected: no flag arithmetic here.
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _EDITABLE if index.column() == _TO else _SELECTABLE

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.customers):
            return None
        customer = self.customers[index.row()]
        column = index.column()
        recipient = self.assignment.get(customer.id)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == Column.CODE:
                return customer.code
            if column == Column.NAME:
                return customer.name
            if column == Column.TIER:
                return _tier(customer.tier)
            if column == Column.REVENUE:
                return format_money(customer.revenue_12m)
            if column == Column.FOLLOW_UPS:
                return format_number(customer.open_follow_ups)
            if column == Column.TO:
                return self.names.get(recipient, "") if recipient else _("— nobody yet —")
        elif role == Qt.ItemDataRole.EditRole and column == Column.TO:
            return recipient
        elif role == Qt.ItemDataRole.TextAlignmentRole and column in (Column.REVENUE, Column.FOLLOW_UPS):
            return int(RIGHT)
        elif role == Qt.ItemDataRole.ForegroundRole and column == Column.TO and recipient is None:
            return QBrush(UNASSIGNED)
        elif role == Qt.ItemDataRole.ToolTipRole and column == Column.NAME:
            return customer.name
        elif role == Qt.ItemDataRole.UserRole:
            return customer.id
        return None

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        if not index.isValid() or index.column() != Column.TO or role != Qt.ItemDataRole.EditRole:
            return False
        if not isinstance(value, uuid.UUID) or value not in self.names:
            return False
        self.assign([index.row()], value)
        self.edited.emit()
        return True

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        keys: dict[int, Callable[[HandoverCustomer], object]] = {
            Column.CODE: lambda c: c.code,
            Column.NAME: lambda c: c.name,
            Column.TIER: lambda c: _tier(c.tier),
            Column.REVENUE: lambda c: c.revenue_12m,
            Column.FOLLOW_UPS: lambda c: c.open_follow_ups,
            Column.TO: lambda c: self.names.get(self.assignment.get(c.id), ""),
        }
        if column not in keys:
            return
        key = keys[column]
        # By code first: equal values keep one order whichever way they are sorted.
        by_code = sorted(range(len(self.customers)), key=lambda r: self.customers[r].code)
        rows = sorted(
            by_code, key=lambda r: key(self.customers[r]), reverse=order == Qt.SortOrder.DescendingOrder
        )

        def rearrange(rows: list[int]) -> None:
            self.customers = [self.customers[r] for r in rows]

        reorder_rows(self, rows, rearrange)


class RecipientDelegate(QStyledItemDelegate):
    """The "To" cell edited with a combo of the staff ticked as recipients."""

    def __init__(self, recipients: Callable[[], list[tuple[uuid.UUID, str]]], parent: QObject) -> None:
        super().__init__(parent)
        self._recipients = recipients

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: QModelIndex) -> QWidget:
        combo = QComboBox(parent)
        combo.setObjectName("to_editor")
        for staff_id, name in self._recipients():
            combo.addItem(name, staff_id)
        # A choice is taken at once, without a further Enter.
        combo.activated.connect(lambda _i, c=combo: self._commit(c))
        return combo

    def _commit(self, combo: QComboBox) -> None:
        self.commitData.emit(combo)
        self.closeEditor.emit(combo)

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:
        editor.setCurrentIndex(max(index_of(editor, index.data(Qt.ItemDataRole.EditRole)), 0))

    def setModelData(self, editor: QWidget, model, index: QModelIndex) -> None:
        if editor.currentIndex() >= 0:
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class _Page(ReadyPage):
    """A handover page: Next waits while the wizard reads or writes."""

    def __init__(self, wizard: HandoverWizard, name: str) -> None:
        super().__init__(name)
        self._wizard = wizard

    def busy(self) -> bool:
        return self._wizard.busy

    def cleanupPage(self) -> None:
        # Going Back keeps what was chosen here (Qt would reset the fields).
        pass


class HandoverWizard(QWizard):
    """Moves one staff member's customers (all, or those of `customer_ids`) to others in one transaction."""

    done = Signal(object)  # the HandoverResult, once the handover is written

    def __init__(
        self,
        db: Database,
        actor: Actor,
        settings: Settings,
        parent: QWidget | None = None,
        staff_id: uuid.UUID | None = None,
        customer_ids: list[uuid.UUID] | None = None,
        mark_left: bool | None = None,
    ) -> None:
        """`mark_left`: whether "has left the company" starts ticked; None: when a staff member is
        given and all their customers go (a handover started from Leave…)."""
        super().__init__(parent)
        self.setObjectName("HandoverWizard")
        self.setWindowTitle(_("Hand over customers"))
        self.db = db
        self.actor = actor
        self.settings = settings
        self.preset_staff_id = staff_id
        self.customer_ids = list(customer_ids) if customer_ids is not None else None
        self.mark_left_default = (
            mark_left if mark_left is not None else staff_id is not None and customer_ids is None
        )
        self.situation: HandoverSituation | None = None
        self.situation_error = ""
        self.handover_result: HandoverResult | None = None  # once written (not QDialog.result())
        self.task: Task | None = None
        self.as_of = date.today()
        staff = StaffService(db)
        self.staff: list[StaffInfo] = staff.staff(actor)

        self.whose_page = WhosePage(self)
        self.customers_page = CustomersPage(self)
        self.confirm_page = ConfirmPage(self)
        self.result_page = ResultPage(self)
        self.setPage(WHOSE_PAGE, self.whose_page)
        self.setPage(CUSTOMERS_PAGE, self.customers_page)
        self.setPage(CONFIRM_PAGE, self.confirm_page)
        self.setPage(RESULT_PAGE, self.result_page)
        set_wizard_buttons(self, _("Hand over"))
        geometry = settings.geometry(SETTINGS_NAME)
        if geometry.isEmpty():
            self.resize(940, 640)
        else:
            self.restoreGeometry(geometry)
        self.finished.connect(lambda _result: settings.set_geometry(SETTINGS_NAME, self.saveGeometry()))
        self.whose_page.fill()

    # -- the situation

    @property
    def leaver(self) -> StaffInfo | None:
        return self.situation.staff if self.situation else None

    def load_situation(self, staff_id: uuid.UUID | None) -> None:
        """Read what a handover of `staff_id` moves (grouped queries: quick even for thousands)."""
        self.situation = None
        self.situation_error = ""
        if staff_id is not None:
            try:
                self.situation = handover.situation(
                    self.db, self.actor, staff_id, self.as_of, customer_ids=self.customer_ids
                )
            except ServiceError as exc:
                self.situation_error = str(exc)
        self.update_pages()

    def recipients(self) -> list[StaffInfo]:
        """Who may take customers over: active staff, not the person handing over."""
        leaver = self.leaver.id if self.leaver else None
        return [s for s in self.staff if s.active and s.id != leaver]

    # -- running

    @property
    def busy(self) -> bool:
        return self.task is not None

    def update_pages(self) -> None:
        for page in (self.whose_page, self.customers_page, self.confirm_page, self.result_page):
            page.update_ready()
        if self.busy:
            self.button(QWizard.WizardButton.BackButton).setEnabled(False)

    def run(self) -> None:
        """Write the handover in a Task; the confirm page says why if it fails, with nothing changed."""
        situation = self.situation
        if situation is None or self.busy:
            return
        assignment = dict(self.customers_page.model.assignment)
        leave = self.confirm_page.marks_left()
        as_of = self.as_of

        def work(progress, cancelled) -> HandoverResult:
            return handover.execute(
                self.db,
                self.actor,
                situation.staff.id,
                assignment,
                mark_left=leave,
                as_of=as_of,
                progress=progress,
                cancelled=cancelled,
            )

        task = Task(self, _("Handing over the customers…"), work)
        task.finished.connect(lambda result: self._ended(task, result, None))
        task.failed.connect(lambda exc: self._ended(task, None, exc))
        self.task = task
        self.confirm_page.show_error("")
        self.update_pages()
        task.start()

    def _ended(self, task: Task, result: HandoverResult | None, exc: object) -> None:
        self.task = None
        task.deleteLater()
        self.update_pages()
        if exc is not None:
            self.confirm_page.show_error(str(exc))
            if not isinstance(exc, ServiceError):
                raise exc  # a bug, for the error dialog; the page has said what happened
            return
        self.handover_result = result
        self.next()  # the confirm page lets it through now that the result is in
        self.done.emit(result)

    # -- closing

    def reject(self) -> None:
        if self.busy:
            return  # the progress dialog's Cancel stops the work; the wizard waits for it
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.busy:
            event.ignore()
            return
        super().closeEvent(event)


class WhosePage(_Page):
    def __init__(self, wizard: HandoverWizard) -> None:
        super().__init__(wizard, "whose")
        self.setTitle(_("Whose customers"))
        self.setSubTitle(_("Choose the staff member whose customers and open follow-ups go to others."))
        self.staff_combo = QComboBox()
        self.staff_combo.setObjectName("handover_staff")
        self.staff_combo.setMinimumContentsLength(30)
        self.staff_combo.currentIndexChanged.connect(self._chosen)
        self.chosen_label = _label("handover_chosen")
        font = self.chosen_label.font()
        font.setBold(True)
        self.chosen_label.setFont(font)
        self.error = _label("whose_error", ERROR_TEXT)
        self.error.hide()
        grid = QGridLayout()
        self.figures: dict[str, QLabel] = {}
        for row, (name, caption) in enumerate(
            (
                ("customers", _("Customers")),
                ("revenue", _("Their 12-month revenue")),
                ("follow_ups", _("Open follow-ups that move with them")),
                ("additional", _("Customers they serve as additional staff")),
            )
        ):
            value = QLabel("–")
            value.setObjectName(f"situation_{name}")
            value.setAlignment(RIGHT)
            value.setStyleSheet("font-weight: bold;")
            grid.addWidget(QLabel(caption), row, 0)
            grid.addWidget(value, row, 1)
            self.figures[name] = value
        grid.setColumnStretch(2, 1)
        self.additional_note = _label("situation_additional_note", HINT_STYLE)
        layout = QVBoxLayout(self)
        form = QHBoxLayout()
        self.combo_label = QLabel(_("Staff member"))
        self.combo_label.setBuddy(self.staff_combo)
        form.addWidget(self.combo_label)
        form.addWidget(self.staff_combo, 1)
        layout.addLayout(form)
        layout.addWidget(self.chosen_label)
        layout.addWidget(self.error)
        layout.addSpacing(8)
        layout.addLayout(grid)
        layout.addWidget(self.additional_note)
        layout.addStretch(1)

    def fill(self) -> None:
        """Those who manage customers (and the person asked for, whatever they manage)."""
        wizard = self._wizard
        chosen = wizard.customer_ids is not None
        self.staff_combo.blockSignals(True)
        self.staff_combo.clear()
        for person in wizard.staff:
            if person.customers or person.id == wizard.preset_staff_id:
                text = person.name
                if person.department:
                    text += f"（{person.department}）"
                if not person.active:
                    text += " " + _("(left)")
                text += " · " + _("{n} customers").format(n=format_number(person.customers))
                self.staff_combo.addItem(text, person.id)
        index = index_of(self.staff_combo, wizard.preset_staff_id) if wizard.preset_staff_id else 0
        self.staff_combo.setCurrentIndex(max(index, 0) if self.staff_combo.count() else -1)
        self.staff_combo.blockSignals(False)
        # Chosen customers belong to one person, named in a line instead of a choice.
        self.staff_combo.setVisible(not chosen)
        self.combo_label.setVisible(not chosen)
        self.chosen_label.setVisible(chosen)
        self._chosen()

    def staff_id(self) -> uuid.UUID | None:
        if self._wizard.customer_ids is not None:
            return self._wizard.preset_staff_id
        return self.staff_combo.currentData()

    def _chosen(self) -> None:
        wizard = self._wizard
        wizard.load_situation(self.staff_id())
        situation = wizard.situation
        error = wizard.situation_error
        if not error and self.staff_id() is None:
            error = _("Nobody manages any customers: there is nothing to hand over.")
        elif (
            not error
            and situation is not None
            and wizard.customer_ids is not None
            and not situation.customers
        ):
            error = _(
                "None of the chosen customers is still {name}'s: there is nothing to hand over."
            ).format(name=situation.staff.name)
        self.error.setText(error)
        self.error.setVisible(bool(error))
        if situation is None:
            for value in self.figures.values():
                value.setText("–")
            self.additional_note.clear()
            return
        name = situation.staff.name
        self.chosen_label.setText(
            _("{n} chosen customers of {name}").format(n=format_number(len(situation.customers)), name=name)
        )
        self.figures["customers"].setText(format_number(len(situation.customers)))
        self.figures["revenue"].setText(
            format_money(sum((c.revenue_12m for c in situation.customers), Decimal(0)))
        )
        self.figures["follow_ups"].setText(format_number(situation.open_follow_ups))
        self.figures["additional"].setText(format_number(situation.additional_of))
        if situation.additional_of:
            self.additional_note.setText(
                _(
                    "The handover does not change those: {name} stays their additional staff unless marked "
                    "as left at the end, which takes {name} off them."
                ).format(name=name)
            )
        else:
            self.additional_note.clear()

    def ready(self) -> bool:
        situation = self._wizard.situation
        if situation is None:
            return False
        # With no customers to move, a handover can only mark an active person as left.
        return bool(situation.customers) or (self._wizard.customer_ids is None and situation.staff.active)


class CustomersPage(_Page):
    def __init__(self, wizard: HandoverWizard) -> None:
        super().__init__(wizard, "customers")
        self.setTitle(_("Who takes which customer"))
        self.setSubTitle(
            _(
                "Tick who takes the customers over and how to share them; change any row's “To” "
                "(double-click it) or give the selected rows to one person."
            )
        )
        self._loaded_for: HandoverSituation | None = None
        self.model = AssignmentModel(self)
        self.model.assignment_changed.connect(self._assignment_changed)
        self.model.edited.connect(self._to_hand)
        self.table = QTableView()
        self.table.setObjectName("handover_table")
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(Column.TO, RecipientDelegate(self._recipient_choices, self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.SelectedClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(Column.NAME, QHeaderView.ResizeMode.Stretch)
        for column, width in (
            (Column.CODE, 90),
            (Column.TIER, 80),
            (Column.REVENUE, 130),
            (Column.FOLLOW_UPS, 110),
        ):
            header.resizeSection(column, width)
        header.resizeSection(Column.TO, 130)
        # Largest first, as the situation lists them; a click on a header sorts by it.
        header.setSortIndicator(Column.REVENUE, Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)
        self.table.selectionModel().selectionChanged.connect(lambda *_args: self._update_assign())

        self.assign_combo = QComboBox()
        self.assign_combo.setObjectName("assign_to")
        self.assign_combo.setMinimumContentsLength(12)
        self.assign_button = QPushButton(_("Assign"))
        self.assign_button.setObjectName("assign_selected")
        self.assign_button.setToolTip(_("Give the selected customers to this person"))
        self.assign_button.clicked.connect(self.assign_selected)
        assign_label = QLabel(_("Assign selected to"))
        assign_label.setBuddy(self.assign_combo)
        assign_row = QHBoxLayout()
        assign_row.addWidget(assign_label)
        assign_row.addWidget(self.assign_combo)
        assign_row.addWidget(self.assign_button)
        assign_row.addStretch(1)
        self.totals = _label("recipient_totals")
        self.reason = _label("assign_reason", ERROR_TEXT)

        self.recipient_list = QListWidget()
        self.recipient_list.setObjectName("recipients")
        self.recipient_list.itemChanged.connect(lambda _item: self.resplit())
        self.split_group = QButtonGroup(self)
        self.split_buttons: dict[str, QRadioButton] = {}
        split_box = QGroupBox(_("Share them"))
        split_layout = QVBoxLayout(split_box)
        for key, text, tip in (
            (handover.BY_COUNT, _("By number of customers"), _("Everyone gets about as many customers")),
            (
                handover.BY_REVENUE,
                _("By 12-month revenue"),
                _("Everyone gets about as much revenue: the largest customers are shared first"),
            ),
            (BY_HAND, _("By hand"), _("Choose each customer's new account manager yourself")),
        ):
            button = QRadioButton(text)
            button.setObjectName(f"split_{key}")
            button.setToolTip(tip)
            self.split_group.addButton(button)
            self.split_buttons[key] = button
            split_layout.addWidget(button)
        self.split_buttons[handover.BY_COUNT].setChecked(True)
        self.split_group.buttonToggled.connect(lambda _button, checked: checked and self.resplit())
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(QLabel(_("Take over:")))
        side_layout.addWidget(self.recipient_list, 1)
        side_layout.addWidget(split_box)
        main = QWidget()
        main_layout = QVBoxLayout(main)
        main_layout.setContentsMargins(0, 0, 0, 0)
        main_layout.addWidget(self.table, 1)
        main_layout.addLayout(assign_row)
        main_layout.addWidget(self.totals)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(main)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([600, 300])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.reason)

    def initializePage(self) -> None:
        situation = self._wizard.situation
        if situation is self._loaded_for:
            return  # back and forth: the choices made stay
        self._loaded_for = situation
        recipients = self._wizard.recipients()
        self.recipient_list.blockSignals(True)
        self.recipient_list.clear()
        for person in recipients:
            text = person.name + (f"（{person.department}）" if person.department else "")
            text += " · " + _("{n} customers").format(n=format_number(person.customers))
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, person.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.recipient_list.addItem(item)
        self.recipient_list.blockSignals(False)
        customers = situation.customers if situation else []
        self.model.set_customers(customers, {p.id: p.name for p in recipients})
        self.table.sortByColumn(Column.REVENUE, Qt.SortOrder.DescendingOrder)
        self.resplit()

    # -- choices

    def recipient_ids(self) -> list[uuid.UUID]:
        """The staff ticked, in the list's order."""
        return [
            self.recipient_list.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.recipient_list.count())
            if self.recipient_list.item(row).checkState() == Qt.CheckState.Checked
        ]

    def set_recipients(self, staff_ids: list[uuid.UUID]) -> None:
        """Tick exactly these staff (as a user would, one change and one new split)."""
        self.recipient_list.blockSignals(True)
        for row in range(self.recipient_list.count()):
            item = self.recipient_list.item(row)
            wanted = item.data(Qt.ItemDataRole.UserRole) in staff_ids
            item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)
        self.recipient_list.blockSignals(False)
        self.resplit()

    def split_mode(self) -> str:
        return next(key for key, button in self.split_buttons.items() if button.isChecked())

    def set_split_mode(self, mode: str) -> None:
        self.split_buttons[mode].setChecked(True)

    def _recipient_choices(self) -> list[tuple[uuid.UUID, str]]:
        return [(i, self.model.names.get(i, "")) for i in self.recipient_ids()]

    def resplit(self) -> None:
        """The proposal again after a change of recipients or of the way to share; by hand, only the
        rows of someone no longer ticked lose their recipient."""
        recipients = self.recipient_ids()
        mode = self.split_mode()
        situation = self._wizard.situation
        if mode == BY_HAND:
            kept = {c: r for c, r in self.model.assignment.items() if r in recipients}
            self.model.set_assignment(kept)
        elif recipients and situation and situation.customers:
            self.model.set_assignment(
                handover.split(situation.customers, recipients, mode, leaver=situation.staff.id)
            )
        else:
            self.model.set_assignment({})
        self._fill_assign_combo()

    def _fill_assign_combo(self) -> None:
        current = self.assign_combo.currentData()
        self.assign_combo.clear()
        for staff_id, name in self._recipient_choices():
            self.assign_combo.addItem(name, staff_id)
        self.assign_combo.setCurrentIndex(max(index_of(self.assign_combo, current), 0))
        self._update_assign()

    def _update_assign(self) -> None:
        chosen = self.table.selectionModel().hasSelection()
        self.assign_button.setEnabled(chosen and self.assign_combo.count() > 0)

    def selected_rows(self) -> list[int]:
        """The rows selected, read from the selection's ranges: thousands of rows make a few ranges, where
        selectedRows() would make an index object for each."""
        rows: set[int] = set()
        for selected in self.table.selectionModel().selection():
            rows.update(range(selected.top(), selected.bottom() + 1))
        return sorted(rows)

    def _to_hand(self) -> None:
        """A change of a proposal's row makes the sharing "by hand", so no re-split undoes it."""
        button = self.split_buttons[BY_HAND]
        if not button.isChecked():
            self.split_group.blockSignals(True)
            button.setChecked(True)
            self.split_group.blockSignals(False)

    def assign_selected(self) -> None:
        staff_id = self.assign_combo.currentData()
        rows = self.selected_rows()
        if staff_id is None or not rows:
            return
        self._to_hand()
        self.model.assign(rows, staff_id)

    def _assignment_changed(self) -> None:
        self._show_totals()
        self.update_ready()

    def _show_totals(self) -> None:
        counts: dict[uuid.UUID, int] = {}
        revenue: dict[uuid.UUID, Decimal] = {}
        for customer in self.model.customers:
            recipient = self.model.assignment.get(customer.id)
            if recipient is not None:
                counts[recipient] = counts.get(recipient, 0) + 1
                revenue[recipient] = revenue.get(recipient, Decimal(0)) + customer.revenue_12m
        order = self.recipient_ids() + [r for r in counts if r not in self.recipient_ids()]
        parts = [
            _("{name}: {n} customers, {revenue}").format(
                name=self.model.names.get(r, ""),
                n=format_number(counts.get(r, 0)),
                revenue=format_money(revenue.get(r, Decimal(0))),
            )
            for r in order
        ]
        self.totals.setText("   ·   ".join(parts))
        self.reason.setText(self.reason_text())

    def totals_by_recipient(self) -> dict[uuid.UUID, tuple[int, Decimal]]:
        """Each recipient's customers and their 12-month revenue, as the line under the table shows them."""
        totals: dict[uuid.UUID, tuple[int, Decimal]] = {}
        for customer in self.model.customers:
            recipient = self.model.assignment.get(customer.id)
            if recipient is not None:
                n, amount = totals.get(recipient, (0, Decimal(0)))
                totals[recipient] = (n + 1, amount + customer.revenue_12m)
        return totals

    def reason_text(self) -> str:
        """Why Next is not available yet; empty when it is."""
        situation = self._wizard.situation
        if situation is None or not situation.customers:
            return ""
        if not self.recipient_list.count():
            return _("No other active staff member can take the customers over: add one in Staff first.")
        if not self.recipient_ids():
            return _("Tick at least one staff member to take the customers over.")
        missing = self.model.unassigned()
        if missing:
            return _(
                "{n} customers have nobody to take them over yet: choose someone in their “To” column."
            ).format(n=format_number(missing))
        return ""

    def ready(self) -> bool:
        return self._wizard.situation is not None and not self.reason_text()


class ConfirmPage(_Page):
    def __init__(self, wizard: HandoverWizard) -> None:
        super().__init__(wizard, "confirm")
        self.setTitle(_("Confirm the handover"))
        self.setSubTitle(_("Nothing is changed until you press Hand over; it is then done all at once."))
        self.setCommitPage(True)
        self.summary = _label("handover_summary")
        self.mark_left = QCheckBox()
        self.mark_left.setObjectName("mark_left")
        self.mark_left.toggled.connect(lambda _checked: self._refresh())
        self.left_note = _label("handover_left_note", HINT_STYLE)
        self.error = _label("handover_error", ERROR_TEXT)
        self.error.hide()
        self._leaver_for: uuid.UUID | None = None
        self._can_mark = False
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addSpacing(8)
        layout.addWidget(self.mark_left)
        layout.addWidget(self.left_note)
        layout.addWidget(self.error)
        layout.addStretch(1)

    def initializePage(self) -> None:
        wizard = self._wizard
        leaver = wizard.leaver
        if leaver is None:
            return
        self.error.hide()
        if leaver.id != self._leaver_for:  # a new person: the default again, else the user's choice stays
            self._leaver_for = leaver.id
            self.mark_left.setChecked(wizard.mark_left_default and leaver.id == wizard.preset_staff_id)
        self.mark_left.setText(_("{name} has left the company: mark them as left").format(name=leaver.name))
        # Moving chosen customers is not a departure; one who has left already needs no marking.
        self._can_mark = wizard.customer_ids is None and leaver.active
        self.mark_left.setVisible(self._can_mark)
        if not leaver.active:
            self.left_note.setText(
                _("{name} left on {date}.").format(name=leaver.name, date=format_date(leaver.left_on))
                if leaver.left_on
                else _("{name} has left.").format(name=leaver.name)
            )
        else:
            self.left_note.clear()
        self._refresh()

    def marks_left(self) -> bool:
        return self._can_mark and self.mark_left.isChecked()

    def _refresh(self) -> None:
        self.summary.setText(self.summary_text())
        self.update_ready()

    def summary_text(self) -> str:
        wizard = self._wizard
        situation = wizard.situation
        if situation is None:
            return ""
        page = wizard.customers_page
        totals = page.totals_by_recipient()
        names = page.model.names
        name = situation.staff.name
        if not totals:
            text = _("{name} manages no customers to hand over.").format(name=name)
        else:
            shares = ", ".join(
                _("{n} to {name}").format(n=format_number(n), name=names.get(r, ""))
                for r, (n, _revenue) in sorted(totals.items(), key=lambda item: -item[1][0])
            )
            moved = sum(n for n, _revenue in totals.values())
            text = _("{n} customers of {name} change account manager: {shares}.").format(
                n=format_number(moved), name=name, shares=shares
            )
            follow_ups = sum(c.open_follow_ups for c in situation.customers if c.id in page.model.assignment)
            if follow_ups:
                text += "\n" + _("{n} open follow-ups move with them.").format(n=format_number(follow_ups))
            due = wizard.as_of + timedelta(days=handover.INTRODUCE_AFTER_DAYS)
            text += "\n" + _(
                "Each new account manager gets a follow-up “{purpose}” for each customer, due on {date}."
            ).format(purpose=_("Introduce the new account manager"), date=format_date(due))
        if self.marks_left():
            text += "\n" + _("{name} is marked as left on {date}.").format(
                name=name, date=format_date(wizard.as_of)
            )
            if situation.additional_of:
                text += " " + _("{name} stops serving {n} customers as additional staff.").format(
                    name=name, n=format_number(situation.additional_of)
                )
        return text

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def ready(self) -> bool:
        return bool(self._wizard.customers_page.model.assignment) or self.marks_left()

    def validatePage(self) -> bool:
        # The first press runs the handover in a Task; when it has succeeded the wizard moves on.
        if self._wizard.handover_result is not None:
            return True
        self._wizard.run()
        return False


class ResultPage(_Page):
    def __init__(self, wizard: HandoverWizard) -> None:
        super().__init__(wizard, "result")
        self.setTitle(_("Handover done"))
        self.text = _label("handover_result")
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addStretch(1)

    def initializePage(self) -> None:
        self.text.setText(self.result_text())

    def result_text(self) -> str:
        wizard = self._wizard
        result, situation = wizard.handover_result, wizard.situation
        if result is None or situation is None:
            return ""
        name = situation.staff.name
        names = wizard.customers_page.model.names
        lines = []
        if result.moved:
            shares = ", ".join(
                _("{n} to {name}").format(n=format_number(n), name=names.get(r, ""))
                for r, n in sorted(result.per_recipient.items(), key=lambda item: -item[1])
                if n
            )
            lines.append(
                _("{n} customers of {name} have a new account manager: {shares}.").format(
                    n=format_number(result.moved), name=name, shares=shares
                )
            )
            lines.append(
                _("{moved} open follow-ups moved with them; {created} introductions were planned.").format(
                    moved=format_number(result.follow_ups_moved),
                    created=format_number(result.follow_ups_created),
                )
            )
        skipped = len(wizard.customers_page.model.assignment) - result.moved
        if skipped > 0:
            lines.append(
                _(
                    "{n} customers were left as they are: they were no longer {name}'s when the handover ran."
                ).format(n=format_number(skipped), name=name)
            )
        if result.marked_left:
            lines.append(_("{name} is marked as left.").format(name=name))
        if result.follow_ups_reassigned:
            lines.append(_(handover.REASSIGNED).format(n=format_number(result.follow_ups_reassigned)))
        return "\n".join(lines)
