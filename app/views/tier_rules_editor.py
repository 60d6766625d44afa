"""The Tier rules window: the rule sets and an editor for one (dimensions, tiers, cadence); saves versions."""

from __future__ import annotations

import re
import uuid
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.db import Database
from app.i18n import N_, _
from app.services.actor import Actor
from app.services.errors import ServiceError, ValidationError
from app.services.tier_rules import (
    ABC,
    CADENCES,
    DIMENSIONS,
    METHODS,
    PERCENTILE,
    PRESETS,
    RFM,
    SCALES,
    THRESHOLDS,
    WEIGHTED,
    Dimension,
    RuleDefinition,
    TierDef,
    dimension_label,
)
from app.services.tiers import RuleSetInfo, TierService
from app.views.settings import Settings

# The tier columns each method edits: (TierDef field, header, kind).
_NAME = ("key", N_("Tier"), "text")
_CADENCE = ("cadence_days", N_("Contact every (days)"), "int")
_POLICY = (("service_level", N_("Service level"), "text"), ("guidance", N_("Guidance"), "text"))
TIER_COLUMNS = {
    WEIGHTED: (_NAME, ("min_score", N_("Minimum score"), "float"), _CADENCE, *_POLICY),
    ABC: (_NAME, ("up_to", N_("Cumulative revenue share up to %"), "float"), _CADENCE, *_POLICY),
    RFM: (
        _NAME,
        ("r_min", N_("R from"), "int"),
        ("r_max", N_("R to"), "int"),
        ("f_min", N_("F from"), "int"),
        ("f_max", N_("F to"), "int"),
        _CADENCE,
        *_POLICY,
    ),
}
DIMENSION_COLUMNS = (N_("Dimension"), N_("Weight"), N_("Scale"), N_("Thresholds (comma-separated)"))
_ERROR = QColor(255, 205, 205)
_SPLIT = re.compile(r"[,，;；\s]+")


def parse_thresholds(text: str) -> tuple[float, ...]:
    """ "1, 3, 5" (also with Chinese commas or spaces) as numbers; ValueError for anything else."""
    return tuple(float(part) for part in _SPLIT.split(text.strip()) if part)


def _number_text(value: float) -> str:
    return f"{value:g}"


class TierRulesEditor(QDialog):
    """Lists the rule sets and edits the selected one; every save is a new version of it."""

    def __init__(self, db: Database, actor: Actor, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TierRulesEditor")
        self.setWindowTitle(_("Tier rules"))
        self.service = TierService(db)
        self.actor = actor
        self.settings = settings
        self.info: RuleSetInfo | None = None
        self._loaded_state: tuple = ()
        self._switching = False

        self.rule_list = QListWidget()
        self.rule_list.setObjectName("rule_sets")
        self.rule_list.setSpacing(3)
        self.rule_list.currentRowChanged.connect(self._row_changed)
        self.new_button = QPushButton(_("New"))
        self.new_button.setObjectName("new_rule_set")
        new_menu = QMenu(self.new_button)
        for preset in PRESETS:
            action = new_menu.addAction(_("From the preset {name}").format(name=_(preset.name)))
            action.triggered.connect(
                lambda _checked=False, p=preset: self.new_from_preset(p.definition.method)
            )
        self.new_button.setMenu(new_menu)
        self.duplicate_button = QPushButton(_("Duplicate"))
        self.duplicate_button.clicked.connect(self.duplicate)
        self.delete_button = QPushButton(_("Delete"))
        self.delete_button.clicked.connect(self.delete)
        self.use_button = QPushButton(_("Use this one"))
        self.use_button.setObjectName("use_rule_set")
        self.use_button.clicked.connect(self.use)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.rule_list, 1)
        list_buttons = QHBoxLayout()
        for button in (self.new_button, self.duplicate_button, self.delete_button):
            list_buttons.addWidget(button)
        left_layout.addLayout(list_buttons)
        left_layout.addWidget(self.use_button)

        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("name")
        self.method_label = QLabel()
        self.method_label.setObjectName("method")
        self.version_label = QLabel()
        self.version_label.setObjectName("version")
        self.cadence_combo = QComboBox()
        self.cadence_combo.setObjectName("cadence")
        for key, label in CADENCES.items():
            self.cadence_combo.addItem(_(label), key)
        form = QFormLayout()
        form.addRow(_("Rule set name"), self.name_edit)
        form.addRow(_("Method"), self.method_label)
        form.addRow(_("Version"), self.version_label)
        form.addRow(_("Evaluate"), self.cadence_combo)

        self.dimensions = QTableWidget(len(DIMENSIONS), len(DIMENSION_COLUMNS))
        self.dimensions.setObjectName("dimensions")
        self.dimensions.setHorizontalHeaderLabels([_(h) for h in DIMENSION_COLUMNS])
        self.dimensions.verticalHeader().hide()
        self.dimensions.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.dimensions.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.dimensions.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 12)
        self.weight_spins: dict[str, QDoubleSpinBox] = {}
        self.scale_combos: dict[str, QComboBox] = {}
        for row, (key, info) in enumerate(DIMENSIONS.items()):
            item = QTableWidgetItem(_(info.label))
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.dimensions.setItem(row, 0, item)
            spin = QDoubleSpinBox()
            spin.setRange(0, 1000)
            spin.setDecimals(1)
            spin.setFrame(False)
            self.weight_spins[key] = spin
            self.dimensions.setCellWidget(row, 1, spin)
            combo = QComboBox()
            combo.setObjectName(f"scale_{key}")
            for scale, label in SCALES.items():
                combo.addItem(_(label), scale)
            combo.setFrame(False)
            self.scale_combos[key] = combo
            self.dimensions.setCellWidget(row, 2, combo)
            self.dimensions.setItem(row, 3, QTableWidgetItem(""))
        self.dimensions.setColumnWidth(1, 80)
        self.dimensions.setColumnWidth(2, 160)
        self.dimensions_box = QGroupBox(_("Dimensions and weights"))
        box_layout = QVBoxLayout(self.dimensions_box)
        box_layout.addWidget(self.dimensions)

        self.tiers = QTableWidget(0, 0)
        self.tiers.setObjectName("tiers")
        self.tiers.verticalHeader().hide()
        self.tiers.horizontalHeader().setStretchLastSection(True)
        self.tiers.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tiers.itemChanged.connect(self._tier_item_changed)
        self.add_tier_button = QPushButton(_("Add tier"))
        self.add_tier_button.clicked.connect(self.add_tier)
        self.remove_tier_button = QPushButton(_("Remove tier"))
        self.remove_tier_button.clicked.connect(self.remove_tier)
        self.up_button = QPushButton(_("Move up"))
        self.up_button.clicked.connect(lambda: self.move_tier(-1))
        self.down_button = QPushButton(_("Move down"))
        self.down_button.clicked.connect(lambda: self.move_tier(1))
        self.no_purchase_combo = QComboBox()
        self.no_purchase_combo.setObjectName("no_purchase_tier")
        self.tiers_hint = QLabel()
        self.tiers_hint.setWordWrap(True)
        self.tiers_box = QGroupBox(_("Tiers"))
        tiers_layout = QVBoxLayout(self.tiers_box)
        tiers_layout.addWidget(self.tiers_hint)
        tiers_layout.addWidget(self.tiers, 1)
        tier_buttons = QHBoxLayout()
        for button in (self.add_tier_button, self.remove_tier_button, self.up_button, self.down_button):
            tier_buttons.addWidget(button)
        tier_buttons.addStretch(1)
        tier_buttons.addWidget(QLabel(_("Tier for customers without purchases")))
        tier_buttons.addWidget(self.no_purchase_combo)
        tiers_layout.addLayout(tier_buttons)

        self.errors_label = QLabel()
        self.errors_label.setObjectName("errors")
        self.errors_label.setWordWrap(True)
        self.errors_label.setStyleSheet("color: #b00000;")
        self.saved_label = QLabel()
        self.saved_label.setObjectName("saved")
        self.save_button = QPushButton(_("Save"))
        self.save_button.setObjectName("save")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton(_("Revert"))
        self.revert_button.setObjectName("revert")
        self.revert_button.clicked.connect(self.revert)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addLayout(form)
        right_layout.addWidget(self.dimensions_box, 3)
        right_layout.addWidget(self.tiers_box, 2)
        right_layout.addWidget(self.errors_label)
        save_row = QHBoxLayout()
        save_row.addWidget(self.saved_label, 1)
        save_row.addWidget(self.revert_button)
        save_row.addWidget(self.save_button)
        right_layout.addLayout(save_row)
        self.editor = right

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(close)

        geometry = settings.geometry("tier_rules")
        if geometry.isEmpty():
            self.resize(1100, 720)
        else:
            self.restoreGeometry(geometry)
        state = settings.tier_rules_splitter
        if not state.isEmpty():
            self.splitter.restoreState(state)
        else:
            self.splitter.setSizes([260, 840])
        self.reload()

    # -- the list

    def reload(self, select: uuid.UUID | None = None) -> None:
        wanted = select or (self.info.id if self.info else None)
        self._switching = True
        self.rule_list.clear()
        row_to_select = 0
        for index, info in enumerate(self.service.rule_sets(self.actor)):
            mark = "✓ " if info.in_use else ""
            text = f"{mark}{info.name}\n" + _("{method}, version {version}").format(
                method=_(METHODS.get(info.method, info.method)), version=info.version
            )
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, info)
            if info.in_use:
                item.setToolTip(_("The rule set in use"))
            self.rule_list.addItem(item)
            if info.id == wanted or (wanted is None and info.in_use):
                row_to_select = index
        self.rule_list.setCurrentRow(row_to_select)
        self._switching = False
        item = self.rule_list.currentItem()
        self.load(item.data(Qt.ItemDataRole.UserRole) if item else None)

    def _row_changed(self, row: int) -> None:
        if self._switching:
            return
        item = self.rule_list.item(row)
        info = item.data(Qt.ItemDataRole.UserRole) if item else None
        if self.info is not None and info is not None and info.id == self.info.id:
            return
        if not self.settle():
            self._select(self.info.id if self.info else None)
            return
        self.load(info)

    def _select(self, rule_set_id: uuid.UUID | None) -> None:
        self._switching = True
        for row in range(self.rule_list.count()):
            if self.rule_list.item(row).data(Qt.ItemDataRole.UserRole).id == rule_set_id:
                self.rule_list.setCurrentRow(row)
        self._switching = False

    def settle(self) -> bool:
        """Unsaved edits: save, discard or stay. True when it is fine to move on."""
        if not self.dirty:
            return True
        answer = QMessageBox.question(
            self,
            _("Tier rules"),
            _("The rule set {name} has unsaved changes. Save them as a new version?").format(
                name=self.info.name if self.info else ""
            ),
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def _unique_name(self, base: str) -> str:
        taken = {info.name.lower() for info in self.service.rule_sets(self.actor)}
        name, n = base, 2
        while name.lower() in taken:
            name, n = f"{base} {n}", n + 1
        return name

    def new_from_preset(self, method: str) -> None:
        if not self.settle():
            return
        preset = next(p for p in PRESETS if p.definition.method == method)
        try:
            info = self.service.save_rule_set(
                self.actor, self._unique_name(_(preset.name)), preset.definition
            )
        except ServiceError as exc:
            QMessageBox.warning(self, _("Tier rules"), str(exc))
            return
        self.info = None
        self.reload(select=info.id)
        self.name_edit.setFocus()
        self.name_edit.selectAll()

    def duplicate(self) -> None:
        if self.info is None or not self.settle():
            return
        try:
            info = self.service.save_rule_set(
                self.actor,
                self._unique_name(_("{name} (copy)").format(name=self.info.name)),
                self.info.definition,
            )
        except ServiceError as exc:
            QMessageBox.warning(self, _("Tier rules"), str(exc))
            return
        self.info = None
        self.reload(select=info.id)

    def delete(self) -> None:
        if self.info is None:
            return
        answer = QMessageBox.question(
            self,
            _("Delete rule set"),
            _("Delete the rule set {name}? Past evaluations keep the version they used.").format(
                name=self.info.name
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.service.delete_rule_set(self.actor, self.info.id)
        except ServiceError as exc:
            QMessageBox.warning(self, _("Delete rule set"), str(exc))
            return
        self.info = None
        self._loaded_state = ()
        self.reload()

    def use(self) -> None:
        if self.info is None or not self.settle():
            return
        try:
            self.service.use_rule_set(self.actor, self.info.id)
        except ServiceError as exc:
            QMessageBox.warning(self, _("Tier rules"), str(exc))
            return
        self.reload(select=self.info.id)
        self.saved_label.setText(_("{name} is now the rule set in use.").format(name=self.info.name))

    # -- the editor

    def load(self, info: RuleSetInfo | None) -> None:
        self.info = info
        self._clear_errors()
        self.saved_label.clear()
        self.editor.setEnabled(info is not None)
        for button in (self.duplicate_button, self.delete_button, self.use_button):
            button.setEnabled(info is not None)
        if info is None:
            self._loaded_state = self._form_state()
            return
        definition = info.definition
        self.use_button.setEnabled(not info.in_use)
        self.delete_button.setEnabled(not info.in_use)
        self.name_edit.setText(info.name)
        self.method_label.setText(_(METHODS.get(definition.method, definition.method)))
        self.version_label.setText(_("version {version}").format(version=info.version))
        self.cadence_combo.setCurrentIndex(max(self.cadence_combo.findData(definition.cadence), 0))
        dims = {d.key: d for d in definition.dimensions}
        for row, key in enumerate(DIMENSIONS):
            dim = dims.get(key, Dimension(key, 0.0))
            self.weight_spins[key].setValue(dim.weight)
            self.scale_combos[key].setCurrentIndex(max(self.scale_combos[key].findData(dim.scale), 0))
            self.dimensions.item(row, 3).setText(", ".join(_number_text(t) for t in dim.thresholds))
        self.dimensions_box.setVisible(definition.method == WEIGHTED)
        hints = {
            WEIGHTED: _(
                "A customer gets the first tier whose minimum score (0–100) it reaches; the weights are "
                "shares of the score."
            ),
            ABC: _(
                "Customers sorted by revenue, largest first: a tier covers them up to the cumulative "
                "share of revenue given; the last graded tier must reach 100 %."
            ),
            RFM: _(
                "Recency (R) and frequency (F) are scored 1–5 by quintile; the first segment whose "
                "ranges hold both is given."
            ),
        }
        self.tiers_hint.setText(hints.get(definition.method, ""))
        self._fill_tiers(definition)
        self._loaded_state = self._form_state()

    def _columns(self) -> tuple:
        method = self.info.definition.method if self.info else WEIGHTED
        return TIER_COLUMNS.get(method, TIER_COLUMNS[WEIGHTED])

    def _fill_tiers(self, definition: RuleDefinition) -> None:
        columns = self._columns()
        self.tiers.blockSignals(True)
        self.tiers.clear()
        self.tiers.setColumnCount(len(columns))
        self.tiers.setHorizontalHeaderLabels([_(header) for _field, header, _kind in columns])
        self.tiers.setRowCount(0)
        for tier in definition.tiers:
            self._append_tier(tier, tier.name)
        self.tiers.blockSignals(False)
        self.tiers.resizeColumnsToContents()
        for c in range(len(columns) - 1):
            self.tiers.setColumnWidth(c, max(self.tiers.columnWidth(c), 80))
        self._fill_no_purchase(definition.no_purchase_tier)

    def _append_tier(self, tier: TierDef | None, name: str) -> None:
        row = self.tiers.rowCount()
        self.tiers.insertRow(row)
        template = tier or TierDef("")
        for c, (field_name, _header, kind) in enumerate(self._columns()):
            if field_name == "key":
                text = name
            else:
                value = getattr(template, field_name)
                text = (
                    _(value)
                    if kind == "text" and value
                    else str(value if kind == "text" else _number_text(value))
                )
            item = QTableWidgetItem(text)
            if c == 0:
                # A tier of the rule set keeps its key (customers carry it) whatever it is called.
                item.setData(Qt.ItemDataRole.UserRole, tier)
            self.tiers.setItem(row, c, item)

    def _row_key(self, row: int) -> str:
        item = self.tiers.item(row, 0)
        original: TierDef | None = item.data(Qt.ItemDataRole.UserRole)
        return original.key if original is not None else item.text().strip()

    def _fill_no_purchase(self, wanted: str | None = None) -> None:
        current = wanted if wanted is not None else self.no_purchase_combo.currentData()
        self.no_purchase_combo.blockSignals(True)
        self.no_purchase_combo.clear()
        self.no_purchase_combo.addItem(_("(graded like the others)"), "")
        for row in range(self.tiers.rowCount()):
            key = self._row_key(row)
            if key:
                self.no_purchase_combo.addItem(self.tiers.item(row, 0).text().strip(), key)
        self.no_purchase_combo.setCurrentIndex(max(self.no_purchase_combo.findData(current), 0))
        self.no_purchase_combo.blockSignals(False)

    def _tier_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() == 0:
            self._fill_no_purchase()

    def add_tier(self) -> None:
        self.tiers.blockSignals(True)
        self._append_tier(None, "")
        self.tiers.blockSignals(False)
        row = self.tiers.rowCount() - 1
        self.tiers.setCurrentCell(row, 0)
        self.tiers.editItem(self.tiers.item(row, 0))

    def remove_tier(self) -> None:
        row = self.tiers.currentRow()
        if row >= 0:
            self.tiers.removeRow(row)
            self._fill_no_purchase()

    def move_tier(self, step: int) -> None:
        row = self.tiers.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.tiers.rowCount():
            return
        self.tiers.blockSignals(True)
        for c in range(self.tiers.columnCount()):
            a, b = self.tiers.takeItem(row, c), self.tiers.takeItem(target, c)
            self.tiers.setItem(row, c, b)
            self.tiers.setItem(target, c, a)
        self.tiers.blockSignals(False)
        self.tiers.setCurrentCell(target, self.tiers.currentColumn())
        self._fill_no_purchase()

    def _form_state(self) -> tuple:
        """Everything the user can edit, as text: unsaved edits are a difference from the loaded state."""
        dims = tuple(
            (
                self.weight_spins[k].value(),
                self.scale_combos[k].currentData(),
                self.dimensions.item(r, 3).text(),
            )
            for r, k in enumerate(DIMENSIONS)
        )
        tiers = tuple(
            tuple(
                self.tiers.item(r, c).text() if self.tiers.item(r, c) else ""
                for c in range(self.tiers.columnCount())
            )
            for r in range(self.tiers.rowCount())
        )
        return (
            self.name_edit.text(),
            self.cadence_combo.currentData(),
            dims,
            tiers,
            self.no_purchase_combo.currentData(),
        )

    @property
    def dirty(self) -> bool:
        return self.info is not None and self._form_state() != self._loaded_state

    def definition(self) -> RuleDefinition:
        """The definition as edited; ValidationError (keys as check_definition's) for what cannot be read."""
        base = self.info.definition
        errors: dict[str, str] = {}
        dimensions = base.dimensions
        if base.method == WEIGHTED:
            dims = []
            for row, key in enumerate(DIMENSIONS):
                text = self.dimensions.item(row, 3).text()
                try:
                    thresholds = parse_thresholds(text)
                except ValueError:
                    errors[f"dimension:{key}"] = _(
                        "{dimension}: the thresholds must be numbers separated by commas."
                    ).format(dimension=dimension_label(key))
                    thresholds = ()
                scale = self.scale_combos[key].currentData()
                weight = self.weight_spins[key].value()
                if weight == 0 and scale == PERCENTILE and not thresholds:
                    continue  # not weighed: nothing to keep
                dims.append(Dimension(key, weight, scale or THRESHOLDS, thresholds))
            dimensions = tuple(dims)
        tiers = []
        for row in range(self.tiers.rowCount()):
            name_item = self.tiers.item(row, 0)
            original: TierDef | None = name_item.data(Qt.ItemDataRole.UserRole)
            typed = name_item.text().strip()
            if original is not None:
                label = original.label if typed == original.name else typed
                tier = replace(original, label=label)
            else:
                tier = TierDef(typed, "")
            values = {}
            for c, (field_name, header, kind) in enumerate(self._columns()):
                if field_name == "key":
                    continue
                text = self.tiers.item(row, c).text().strip() if self.tiers.item(row, c) else ""
                if kind == "text":
                    # A preset's text stays a message id, so it follows the language, unless edited.
                    keep = getattr(original, field_name) if original is not None else ""
                    values[field_name] = keep if keep and text == _(keep) else text
                    continue
                try:
                    values[field_name] = int(text) if kind == "int" else float(text.replace(",", "."))
                except ValueError:
                    errors.setdefault(
                        f"tier:{tier.key or row}",
                        _("{tier}: {column} must be a number.").format(
                            tier=tier.name or _("row {n}").format(n=row + 1), column=_(header)
                        ),
                    )
            tiers.append(replace(tier, **values))
        if errors:
            raise ValidationError(errors)
        return replace(
            base,
            cadence=self.cadence_combo.currentData(),
            dimensions=dimensions,
            tiers=tuple(tiers),
            no_purchase_tier=self.no_purchase_combo.currentData() or "",
        )

    def save(self) -> bool:
        if self.info is None:
            return False
        self._clear_errors()
        try:
            definition = self.definition()
            info = self.service.save_rule_set(
                self.actor, self.name_edit.text(), definition, self.info.id, self.info.version
            )
        except ValidationError as exc:
            self._show_errors(exc.errors)
            return False
        except ServiceError as exc:  # someone else's save meanwhile among them
            QMessageBox.warning(self, _("Tier rules"), str(exc))
            return False
        saved_version = info.version
        self.info = None
        self.reload(select=info.id)
        self.saved_label.setText(_("Saved as version {version}.").format(version=saved_version))
        return True

    def revert(self) -> None:
        if self.info is not None:
            self.load(self.info)

    # -- errors

    def _clear_errors(self) -> None:
        self.errors_label.clear()
        self.name_edit.setStyleSheet("")
        for table in (self.dimensions, self.tiers):
            for row in range(table.rowCount()):
                item = table.item(row, 0)
                if item is not None:
                    item.setBackground(QBrush())
                    item.setToolTip("")

    def _show_errors(self, errors: dict[str, str]) -> None:
        """Each message, and the row or field at fault marked with it; nothing typed is lost."""
        self.errors_label.setText("\n".join(errors.values()))
        for where, message in errors.items():
            kind, _sep, key = where.partition(":")
            item = None
            if kind == "dimension":
                row = list(DIMENSIONS).index(key) if key in DIMENSIONS else -1
                item = self.dimensions.item(row, 0) if row >= 0 else None
            elif kind == "tier":
                for row in range(self.tiers.rowCount()):
                    if self._row_key(row) == key or str(row) == key:
                        item = self.tiers.item(row, 0)
                        break
            elif kind == "name":
                self.name_edit.setStyleSheet("background: #ffcdcd;")
                self.name_edit.setToolTip(message)
            if item is not None:
                item.setBackground(QBrush(_ERROR))
                item.setToolTip(message)
                item.tableWidget().scrollToItem(item)

    # -- closing

    def _remember(self) -> None:
        self.settings.set_geometry("tier_rules", self.saveGeometry())
        self.settings.tier_rules_splitter = self.splitter.saveState()

    def reject(self) -> None:
        # Escape, the Close button and the window's close box all come here (QDialog.closeEvent too).
        if not self.settle():
            return
        self._remember()
        super().reject()
