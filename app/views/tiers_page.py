"""The Tiers page: evaluate a rule set, review the proposed changes and why, approve them, report."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.db import Database
from app.i18n import _, format_date, format_datetime, format_number
from app.services import events, exports, tier_report
from app.services.actor import Actor
from app.services.customers import CustomerService, StaffMember
from app.services.errors import Cancelled, ServiceError
from app.services.tiers import DueNotice, EvaluationInfo, Explanation, TierService, score_text, tier_name
from app.views import file_choice, import_actions, tier_report_print
from app.views.proposal_model import Column, ProposalModel
from app.views.settings import Settings
from app.views.tasks import Task
from app.views.tier_text import dimension_value, percent, score_or_dash

SEARCH_DELAY_MS = 250
# Filter buttons: key → which proposals they list (changes, overridden) as TierService.proposals takes them.
FILTERS: dict[str, tuple[tuple[str, ...] | None, bool | None]] = {
    "changes": (("up", "down", "new"), None),
    "up": (("up",), None),
    "down": (("down",), None),
    "new": (("new",), None),
    "same": (("same",), None),
    "overridden": (None, True),
}


def fill_managers(combo: QComboBox, staff: list[StaffMember], current: uuid.UUID | None) -> None:
    """'All account managers' and each staff member, with `current` chosen again."""
    combo.clear()
    combo.addItem(_("All account managers"), None)
    for member in staff:
        combo.addItem(member.name, member.id)
    combo.setCurrentIndex(max(combo.findData(current), 0))


class ReportFilterDialog(QDialog):
    """Which customers a tier report or table covers: everyone, one account manager's or one department's."""

    def __init__(
        self, parent: QWidget, title: str, staff: list[StaffMember], manager: uuid.UUID | None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        form = QFormLayout(self)
        self.manager_combo = QComboBox()
        self.manager_combo.setObjectName("filter_manager_report")
        fill_managers(self.manager_combo, staff, manager)
        self.department_combo = QComboBox()
        self.department_combo.setObjectName("filter_manager_department")
        self.department_combo.addItem(_("All departments"), None)
        for name in sorted({m.department for m in staff if m.department}):
            self.department_combo.addItem(name, name)
        form.addRow(_("Account manager"), self.manager_combo)
        form.addRow(_("Department"), self.department_combo)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    @property
    def manager(self) -> uuid.UUID | None:
        return self.manager_combo.currentData()

    @property
    def department(self) -> str | None:
        return self.department_combo.currentData()


class TiersPage(QWidget):
    message = Signal(str)  # a passing message for the status bar
    rules_requested = Signal()

    def __init__(self, db: Database, actor: Actor, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TiersPage")
        self.db = db
        self.actor = actor
        self.settings = settings
        self.tiers = TierService(db)
        self.customers = CustomerService(db)
        self.evaluation: EvaluationInfo | None = None
        self.task: Task | None = None
        self._loaded = False
        self._staff: list[StaffMember] = []

        self.rule_combo = QComboBox()
        self.rule_combo.setObjectName("rule_set")
        self.rule_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.as_of = QDateEdit(QDate.currentDate())
        self.as_of.setObjectName("as_of")
        self.as_of.setCalendarPopup(True)
        self.as_of.setDisplayFormat("yyyy-MM-dd")  # unambiguous in either language
        self.evaluate_button = QPushButton(_("Evaluate"))
        self.evaluate_button.setObjectName("evaluate")
        self.evaluate_button.setToolTip(_("Score every active customer under the rule set as of the date"))
        self.evaluate_button.clicked.connect(self.evaluate)
        self.rules_button = QPushButton(_("Tier rules…"))
        self.rules_button.clicked.connect(self.rules_requested.emit)
        self.evaluation_combo = QComboBox()
        self.evaluation_combo.setObjectName("evaluation")
        self.evaluation_combo.setMinimumContentsLength(30)
        self.evaluation_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.evaluation_combo.currentIndexChanged.connect(self._evaluation_chosen)

        self.banner = QFrame()
        self.banner.setObjectName("due_banner")
        self.banner.setStyleSheet("#due_banner { background: #fff3b0; border: 1px solid #e0c050; }")
        self.banner_text = QLabel()
        self.banner_text.setObjectName("due_text")
        self.banner_button = QPushButton(_("Evaluate now"))
        self.banner_button.clicked.connect(self.evaluate_now)
        banner_layout = QHBoxLayout(self.banner)
        banner_layout.setContentsMargins(8, 4, 8, 4)
        banner_layout.addWidget(self.banner_text, 1)
        banner_layout.addWidget(self.banner_button)
        self.banner.hide()

        self.filter_group = QButtonGroup(self)
        self.filter_group.setExclusive(True)
        self.filter_buttons: dict[str, QPushButton] = {}
        for key in FILTERS:
            button = QPushButton()
            button.setObjectName(f"show_{key}")
            button.setCheckable(True)
            button.clicked.connect(self.reload_rows)
            self.filter_group.addButton(button)
            self.filter_buttons[key] = button
        self.filter_buttons["changes"].setChecked(True)
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(_("Search code or name"))
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.reload_rows)
        self.search.textChanged.connect(self._search_timer.start)
        self.manager_combo = QComboBox()
        self.manager_combo.setObjectName("filter_manager")
        self.manager_combo.currentIndexChanged.connect(self.reload_rows)

        self.model = ProposalModel(self)
        self.model.checks_changed.connect(self._update_buttons)
        self.table = QTableView()
        self.table.setObjectName("proposals")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        for column, width in (
            (Column.CHECK, 90),
            (Column.CODE, 90),
            (Column.NAME, 230),
            (Column.MANAGER, 120),
            (Column.OLD_TIER, 100),
            (Column.NEW_TIER, 150),
            (Column.SCORE, 60),
        ):
            header.resizeSection(column, width)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)

        self.toggle_action = QAction(_("Check or uncheck"), self.table)
        self.toggle_action.setShortcut(QKeySequence(Qt.Key.Key_Space))
        self.toggle_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.toggle_action.triggered.connect(self.toggle_current)
        self.table.addAction(self.toggle_action)

        self.explanation = self._build_explanation()
        # Below the list, so the proposals keep the whole width for their columns.
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("tiers_splitter")
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.explanation)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        state = settings.tiers_splitter
        if not state.isEmpty():
            self.splitter.restoreState(state)
        else:
            self.splitter.setSizes([440, 300])

        self.approve_checked_button = QPushButton(_("Approve checked"))
        self.approve_checked_button.setObjectName("approve_checked")
        self.approve_checked_button.setToolTip(_("Ctrl+Enter"))
        self.approve_checked_button.clicked.connect(self.approve_checked)
        self.approve_all_button = QPushButton(_("Approve all changes"))
        self.approve_all_button.setObjectName("approve_all")
        self.approve_all_button.clicked.connect(self.approve_all)
        self.discard_button = QPushButton(_("Discard evaluation"))
        self.discard_button.setObjectName("discard")
        self.discard_button.clicked.connect(self.discard)
        self.print_button = QPushButton(_("Print tier report…"))
        self.print_button.clicked.connect(self.print_report)
        self.pdf_button = QPushButton(_("Save tier report as PDF…"))
        self.pdf_button.clicked.connect(self.save_pdf)
        self.xlsx_button = QPushButton(_("Export tier table (.xlsx)…"))
        self.xlsx_button.clicked.connect(self.export_table)
        self.approve_action = QAction(_("Approve checked"), self)
        self.approve_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.approve_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.approve_action.triggered.connect(self.approve_checked)
        self.addAction(self.approve_action)
        self.status = QLabel()
        self.status.setObjectName("tiers_status")

        top = QHBoxLayout()
        top.addWidget(QLabel(_("Rule set")))
        top.addWidget(self.rule_combo)
        as_of_label = QLabel(_("As of"))
        as_of_label.setBuddy(self.as_of)
        top.addWidget(as_of_label)
        top.addWidget(self.as_of)
        top.addWidget(self.evaluate_button)
        top.addWidget(self.rules_button)
        top.addSpacing(16)
        top.addWidget(QLabel(_("Evaluation")))
        top.addWidget(self.evaluation_combo, 1)
        filters = QHBoxLayout()
        for button in self.filter_buttons.values():
            filters.addWidget(button)
        filters.addSpacing(16)
        filters.addWidget(self.search, 1)
        manager_label = QLabel(_("Account manager"))
        manager_label.setBuddy(self.manager_combo)
        filters.addWidget(manager_label)
        filters.addWidget(self.manager_combo)
        bottom = QHBoxLayout()
        bottom.addWidget(self.approve_checked_button)
        bottom.addWidget(self.approve_all_button)
        bottom.addWidget(self.discard_button)
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.print_button)
        bottom.addWidget(self.pdf_button)
        bottom.addWidget(self.xlsx_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addLayout(filters)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(bottom)
        self._update_counts()
        self._update_buttons()
        self._show_explanation(None)

    def _build_explanation(self) -> QWidget:
        panel = QWidget()
        panel.setObjectName("explanation")
        self.explain_title = QLabel()
        self.explain_title.setObjectName("explain_title")
        font = self.explain_title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.explain_title.setFont(font)
        self.explain_summary = QLabel()
        self.explain_summary.setWordWrap(True)
        self.explain_reason = QLabel()
        self.explain_reason.setObjectName("explain_reason")
        self.explain_reason.setWordWrap(True)
        self.explain_table = QTableWidget(0, 7)
        self.explain_table.setObjectName("explain_table")
        self.explain_table.setHorizontalHeaderLabels(
            [
                _("Dimension"),
                _("Raw value"),
                _("Scaled"),
                _("Weight"),
                _("Share of total"),
                _("Previous raw"),
                _("Previous scaled"),
            ]
        )
        self.explain_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.explain_table.verticalHeader().hide()
        self.explain_table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.explain_table.setAlternatingRowColors(True)
        header = self.explain_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.explain_previous = QLabel()
        self.explain_previous.setObjectName("explain_previous")
        self.explain_previous.setWordWrap(True)
        text = QVBoxLayout()
        text.addWidget(self.explain_title)
        text.addWidget(self.explain_summary)
        text.addWidget(self.explain_reason)
        text.addWidget(self.explain_previous)
        text.addStretch(1)
        layout = QHBoxLayout(panel)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(text, 2)
        layout.addWidget(self.explain_table, 3)
        return panel

    # -- loading

    def showEvent(self, event: QShowEvent) -> None:
        # Hidden at start-up: the proposals are read the first time the page is shown, not before.
        if not self._loaded:
            self.refresh()
        super().showEvent(event)

    def refresh(self) -> None:
        self._loaded = True
        self.reload_rule_sets()
        self.reload_managers()
        self.reload_evaluations()
        self.update_due()

    def reload_rule_sets(self) -> None:
        current = self.rule_combo.currentData()
        self.rule_combo.blockSignals(True)
        self.rule_combo.clear()
        in_use = None
        for info in self.tiers.rule_sets(self.actor):
            text = _("{name} (in use)").format(name=info.name) if info.in_use else info.name
            self.rule_combo.addItem(text, info.id)
            if info.in_use:
                in_use = info.id
        index = self.rule_combo.findData(current if current is not None else in_use)
        self.rule_combo.setCurrentIndex(max(index, 0))
        self.rule_combo.blockSignals(False)

    def reload_managers(self) -> None:
        current = self.manager_combo.currentData()
        self._staff = self.customers.staff(self.actor)
        self.manager_combo.blockSignals(True)
        fill_managers(self.manager_combo, self._staff, current)
        self.manager_combo.blockSignals(False)

    def _evaluation_text(self, info: EvaluationInfo) -> str:
        if info.applied:
            state = _("{n} applied").format(n=format_number(info.applied))
        elif info.changes:
            state = _("not applied")
        else:
            state = _("no changes")
        return _("As of {date} — {rule_set}, version {version} — {state}").format(
            date=format_date(info.as_of), rule_set=info.rule_set_name, version=info.rule_version, state=state
        )

    def reload_evaluations(self, select: uuid.UUID | None = None) -> None:
        """Refill the list of evaluations, keeping (or moving to) the one shown; the latest at first."""
        wanted = select or (self.evaluation.id if self.evaluation else None)
        self.evaluation_combo.blockSignals(True)
        self.evaluation_combo.clear()
        for info in self.tiers.evaluations(self.actor):
            self.evaluation_combo.addItem(self._evaluation_text(info), info.id)
            self.evaluation_combo.setItemData(
                self.evaluation_combo.count() - 1,
                _("Run {at} by {actor}; {customers} customers").format(
                    at=format_datetime(info.at),
                    actor=info.actor or "—",
                    customers=format_number(info.customers),
                ),
                Qt.ItemDataRole.ToolTipRole,
            )
        index = self.evaluation_combo.findData(wanted) if wanted is not None else 0
        if index < 0:
            index = 0
        self.evaluation_combo.setCurrentIndex(index if self.evaluation_combo.count() else -1)
        self.evaluation_combo.blockSignals(False)
        chosen = self.evaluation_combo.currentData()
        if chosen is None:
            self.show_evaluation(None)
        elif self.evaluation is None or chosen != self.evaluation.id or select is not None:
            self.show_evaluation(chosen)

    def _evaluation_chosen(self, _index: int) -> None:
        self.show_evaluation(self.evaluation_combo.currentData())

    def show_evaluation(self, evaluation_id: uuid.UUID | None) -> None:
        changed = self.evaluation is None or evaluation_id != self.evaluation.id
        self.evaluation = self.tiers.evaluation(self.actor, evaluation_id) if evaluation_id else None
        if changed:
            self.model.clear_checks()
        self._update_counts()
        self.reload_rows()

    def reload_rows(self) -> None:
        selected = self.current_customer()
        if self.evaluation is None:
            self.model.set_rows([], None)
        else:
            key = next((k for k, b in self.filter_buttons.items() if b.isChecked()), "changes")
            changes, overridden = FILTERS[key]
            evaluation_id = self.evaluation.id
            text, manager_id = self.search.text(), self.manager_combo.currentData()

            def fetch(offset: int, limit: int) -> list:
                return self.tiers.proposals(
                    self.actor,
                    evaluation_id,
                    changes=changes,
                    overridden=overridden,
                    text=text,
                    manager_id=manager_id,
                    limit=limit,
                    offset=offset,
                )

            self.model.set_source(fetch, self.evaluation.definition)
        row = self.model.row_of(selected) if selected is not None else None
        if row is not None:
            self.table.selectRow(row)
        elif self.model.rowCount():
            self.table.selectRow(0)
        else:
            self._show_explanation(None)
        self._update_buttons()

    def _update_counts(self) -> None:
        counts = self.evaluation.counts if self.evaluation else {}
        changes = self.evaluation.changes if self.evaluation else 0
        overridden = self.evaluation.overridden if self.evaluation else 0
        texts = {
            "changes": _("All changes {n}").format(n=format_number(changes)),
            "up": _("Promotions ▲ {n}").format(n=format_number(counts.get("up", 0))),
            "down": _("Demotions ▼ {n}").format(n=format_number(counts.get("down", 0))),
            "new": _("New {n}").format(n=format_number(counts.get("new", 0))),
            "same": _("Unchanged {n}").format(n=format_number(counts.get("same", 0))),
            "overridden": _("Overridden {n}").format(n=format_number(overridden)),
        }
        for key, button in self.filter_buttons.items():
            button.setText(texts[key])

    def pending(self) -> int:
        """Changes of the evaluation shown that are not applied yet (an overridden customer has none)."""
        if self.evaluation is None:
            return 0
        return max(self.evaluation.changes - self.evaluation.applied, 0)

    def _update_buttons(self) -> None:
        has = self.evaluation is not None
        checked = len(self.model.checked_ids)
        self.approve_checked_button.setText(
            _("Approve checked ({n})").format(n=format_number(checked)) if checked else _("Approve checked")
        )
        self.approve_checked_button.setEnabled(checked > 0)
        self.approve_all_button.setEnabled(self.pending() > 0)
        self.discard_button.setEnabled(has and not self.evaluation.applied)
        if not has:
            self.status.setText(_("No evaluation yet: choose a rule set and a date, then Evaluate."))
        else:
            self.status.setText(
                _("{customers} customers, {changes} changes, {pending} to approve").format(
                    customers=format_number(self.evaluation.customers),
                    changes=format_number(self.evaluation.changes),
                    pending=format_number(self.pending()),
                )
            )

    def update_due(self) -> None:
        self.show_due(self.tiers.due(self.actor))

    def show_due(self, notice: DueNotice | None) -> None:
        """The banner when the rule set in use is due for evaluation."""
        if notice is None:
            self.banner.hide()
            return
        if notice.last is None:
            text = _("Tier evaluation is due: {rule_set} has not been evaluated yet.").format(
                rule_set=notice.rule_set
            )
        else:
            text = _("Tier evaluation is due: last run as of {date} ({rule_set}).").format(
                date=format_date(notice.last), rule_set=notice.rule_set
            )
        self.banner_text.setText(text)
        self.banner.show()

    # -- the explanation

    def current_customer(self) -> uuid.UUID | None:
        index = self.table.currentIndex()
        return self.model.row(index.row()).customer_id if index.isValid() else None

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid() or self.evaluation is None:
            self._show_explanation(None)
            return
        row = self.model.row(current.row())
        try:
            explanation = self.tiers.explain(self.actor, self.evaluation.id, row.customer_id)
        except ServiceError as exc:
            self._show_explanation(None, str(exc))
            return
        self._show_explanation(explanation)

    def _show_explanation(self, explanation: Explanation | None, note: str = "") -> None:
        table = self.explain_table
        table.setRowCount(0)
        if explanation is None:
            self.explain_title.setText(_("Explanation"))
            self.explain_summary.setText(note or _("Select a customer to see how the tier was reached."))
            self.explain_reason.clear()
            self.explain_previous.clear()
            return
        definition = self.evaluation.definition if self.evaluation else None
        self.explain_title.setText(f"{explanation.code}  {explanation.name}")
        old = tier_name(definition, explanation.old_tier) if explanation.old_tier else "—"
        self.explain_summary.setText(
            _("Score {score}. Current tier: {old}; proposed: {new}.").format(
                score=score_or_dash(explanation.score),
                old=old,
                new=tier_name(definition, explanation.new_tier),
            )
        )
        self.explain_reason.setText(explanation.reason)
        table.setRowCount(len(explanation.parts))
        for r, part in enumerate(explanation.parts):
            values = [
                part.label,
                dimension_value(part.key, part.raw),
                score_or_dash(part.scaled),
                score_text(part.weight),
                percent(part.share) or "—",
                dimension_value(part.key, part.previous_raw) if explanation.previous_as_of else "",
                score_or_dash(part.previous_scaled),
            ]
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(r, c, item)
        if explanation.previous_as_of is None:
            self.explain_previous.setText(_("No earlier evaluation of this rule set covers this customer."))
        else:
            self.explain_previous.setText(
                _("Previous evaluation as of {date}: tier {tier}, score {score}.").format(
                    date=format_date(explanation.previous_as_of),
                    tier=tier_name(definition, explanation.previous_tier or ""),
                    score=score_or_dash(explanation.previous_score),
                )
            )

    # -- evaluating

    def evaluate_now(self) -> Task | None:
        """The banner's button: the rule set in use, as of today."""
        self.reload_rule_sets()
        in_use = self.tiers.rule_set(self.actor)
        self.rule_combo.setCurrentIndex(max(self.rule_combo.findData(in_use.id), 0))
        self.as_of.setDate(QDate.currentDate())
        return self.evaluate()

    def evaluate(self) -> Task | None:
        if self.task is not None:
            return None
        rule_set = self.rule_combo.currentData()
        as_of: date = self.as_of.date().toPython()

        def work(progress, cancelled):
            return self.tiers.evaluate(self.actor, rule_set, as_of, progress, cancelled)

        return self._run(_("Evaluating tiers…"), work, self._evaluated, _("Cannot evaluate"))

    def _evaluated(self, info: EvaluationInfo) -> None:
        self.filter_buttons["changes"].setChecked(True)
        self.reload_evaluations(select=info.id)
        self.update_due()
        self.message.emit(
            _("{customers} customers evaluated: {up} promotions, {down} demotions, {new} new.").format(
                customers=format_number(info.customers),
                up=format_number(info.counts.get("up", 0)),
                down=format_number(info.counts.get("down", 0)),
                new=format_number(info.counts.get("new", 0)),
            )
        )

    def _run(self, title: str, work, done: Callable[[object], None], failure: str) -> Task:
        task = Task(self, title, work)

        def finished(result: object) -> None:
            self.task = None
            done(result)

        def failed(exc: object) -> None:
            self.task = None
            if isinstance(exc, Cancelled):
                self.message.emit(str(exc))
                return
            import_actions.show_failure(self, failure, exc)

        task.finished.connect(finished)
        task.failed.connect(failed)
        self.task = task
        task.start()
        return task

    def shutdown(self) -> None:
        """Before the window closes: long work stops and its thread ends first."""
        if self.task is not None:
            self.task.cancel()
            self.task.wait()
        self.settings.tiers_splitter = self.splitter.saveState()

    # -- approving

    def toggle_current(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self.model.toggle(index.row())

    def approve_checked(self) -> None:
        ids = self.model.checked_ids
        if self.evaluation is None or not ids:
            return
        question = _(
            "Give the {n} checked customers their proposed tier? Each change is written to the tier history."
        )
        if self._confirm(question.format(n=format_number(len(ids)))):
            self._apply(ids)

    def approve_all(self) -> None:
        pending = self.pending()
        if self.evaluation is None or not pending:
            return
        question = _(
            "Give all {n} customers with a proposed change their new tier? "
            "Each change is written to the tier history; overridden customers keep theirs."
        )
        if self._confirm(question.format(n=format_number(pending))):
            self._apply(None)

    def _confirm(self, text: str) -> bool:
        answer = QMessageBox.question(
            self,
            _("Approve tier changes"),
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _apply(self, customer_ids: list[uuid.UUID] | None) -> Task:
        evaluation_id = self.evaluation.id

        def work(_progress, cancelled):
            # One transaction, which cannot stop half way: Cancel counts only before it starts.
            if cancelled():
                raise Cancelled(_("Nothing was approved."))
            return self.tiers.apply(self.actor, evaluation_id, customer_ids)

        def done(result) -> None:
            text = _("{n} customers got their new tier.").format(n=format_number(result.applied))
            if result.skipped:
                text += "\n\n" + _(
                    "Left as they are, because their tier changed since the evaluation: {codes}"
                ).format(codes=", ".join(result.skipped))
            self.model.clear_checks()
            self.show_evaluation(evaluation_id)
            self.reload_evaluations()
            QMessageBox.information(self, _("Tier changes applied"), text)

        return self._run(_("Approving the tier changes…"), work, done, _("Cannot apply"))

    def discard(self) -> None:
        if self.evaluation is None:
            return
        text = _(
            "Discard the evaluation as of {date} ({rule_set})? Its {changes} proposed changes are forgotten; "
            "no customer's tier changes."
        ).format(
            date=format_date(self.evaluation.as_of),
            rule_set=self.evaluation.rule_set_name,
            changes=format_number(self.evaluation.changes),
        )
        answer = QMessageBox.question(
            self,
            _("Discard evaluation"),
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.tiers.discard(self.actor, self.evaluation.id)
        except ServiceError as exc:
            QMessageBox.warning(self, _("Cannot discard"), str(exc))
            return
        self.evaluation = None
        self.reload_evaluations()
        self.update_due()
        self.message.emit(_("The evaluation was discarded."))

    def on_change(self, change: events.Change) -> None:
        """A write somewhere (this page, a rules window, another window): refresh what it touches."""
        if not self._loaded:
            return
        # The due banner follows from the main window, which checks once for both its reminders.
        if change.entity == "tier_rule_set":
            self.reload_rule_sets()
        elif change.entity == "tier_evaluation":
            self.reload_evaluations()

    # -- reports

    def _report_filter(self, title: str) -> tuple[uuid.UUID | None, str | None] | None:
        staff = self._staff or self.customers.staff(self.actor)
        dialog = ReportFilterDialog(self, title, staff, self.manager_combo.currentData())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.manager, dialog.department

    def _evaluation_id(self) -> uuid.UUID | None:
        return self.evaluation.id if self.evaluation else None

    def _has_evaluation(self, title: str) -> bool:
        if self.evaluation is None and not self.tiers.evaluations(self.actor, limit=1):
            QMessageBox.information(
                self, title, _("There is no evaluation to report on yet: evaluate first.")
            )
            return False
        return True

    def _report_scope(self, title: str) -> tuple[uuid.UUID | None, str | None] | None:
        """The account manager and department a report covers, or None when there is nothing to do."""
        if not self._has_evaluation(title):
            return None
        return self._report_filter(title)

    def _gather(self, manager, department) -> Callable:
        evaluation = self._evaluation_id()

        def work(progress, cancelled):
            return tier_report.gather(
                self.db, self.actor, evaluation, manager, department, progress, cancelled
            )

        return work

    def print_report(self) -> Task | None:
        title = _("Print tier report")
        scope = self._report_scope(title)
        if scope is None:
            return None
        return self._run(
            _("Preparing the tier report…"),
            self._gather(*scope),
            lambda report: tier_report_print.show_print_preview(report, self),
            _("Cannot print"),
        )

    def save_pdf(self, path: Path | None = None) -> Task | None:
        title = _("Save tier report as PDF")
        scope = self._report_scope(title)
        if scope is None:
            return None
        if path is None:
            name = _("Tier report {date}").format(date=date.today().isoformat()) + ".pdf"
            path = file_choice.choose_save(
                self, self.settings, "export", title, name, _("PDF document (*.pdf)")
            )
            if path is None:
                return None

        def write(report) -> None:
            # The charts are drawn here, on the GUI thread (pyqtgraph needs a widget); the pages elsewhere.
            charts = tier_report_print.chart_images(report)

            def work(progress, cancelled):
                return tier_report_print.write_pdf(report, path, progress, cancelled, charts)

            self._run(
                _("Writing {file}…").format(file=path.name),
                work,
                lambda _pages: self.message.emit(_("The tier report was saved to {file}.").format(file=path)),
                _("Cannot save the tier report"),
            )

        return self._run(
            _("Preparing the tier report…"), self._gather(*scope), write, _("Cannot save the tier report")
        )

    def export_table(self, path: Path | None = None) -> Task | None:
        title = _("Export tier table")
        scope = self._report_scope(title)
        if scope is None:
            return None
        if path is None:
            name = _("Tiers {date}").format(date=date.today().isoformat()) + ".xlsx"
            path = file_choice.choose_save(
                self, self.settings, "export", title, name, file_choice.xlsx_filter()
            )
            if path is None:
                return None
        evaluation = self._evaluation_id()

        def work(progress, cancelled):
            return exports.export_tier_table(
                self.db, self.actor, path, evaluation, *scope, progress, cancelled
            )

        return self._run(
            _("Exporting to {file}…").format(file=path.name),
            work,
            lambda summary: self.message.emit(exports.describe(summary)),
            _("Cannot export"),
        )
