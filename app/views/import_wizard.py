"""The import wizard: file → sheet, header row and columns → options and preview → import → summary."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QCloseEvent, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
)

from app.db import Database, DatabaseOpenError
from app.dialogs.form import ERROR_TEXT, ReadyPage, set_wizard_buttons
from app.dialogs.import_problems import COLORS, ProblemTable, count_text, level_label, target_title
from app.i18n import _, format_number
from app.services import import_columns
from app.services.actor import Actor
from app.services.errors import Cancelled, ServiceError
from app.services.import_columns import is_total_row
from app.services.imports import (
    PREVIEW_ROWS,
    ImportOptions,
    ImportPlan,
    ImportService,
    ImportSummary,
    Layout,
    UndoSummary,
)
from app.views import file_choice, import_actions
from app.views.settings import Settings
from app.views.tasks import Task

FILE_PAGE, MAPPING_PAGE, PREVIEW_PAGE, RUN_PAGE = range(4)
SAMPLE_VALUES = 3  # shown beside each column on the mapping page
HEADER_DELAY_MS = 400  # the header row is read again once the spin box rests
ERROR_ROW = QColor("#FDE9E1")  # a row that will not be imported; its faulty cell is stronger red
BANNER = "background: #FDECEA; border: 1px solid #E0A0A0; padding: 6px; color: #5f1010;"


def _count_grid(prefix: str, titles: dict[str, str]) -> tuple[QGridLayout, dict[str, QLabel]]:
    """A row of large numbers with their captions under them; the labels by name, to fill in later."""
    grid = QGridLayout()
    labels: dict[str, QLabel] = {}
    for column, (name, title) in enumerate(titles.items()):
        value = QLabel("–")
        value.setObjectName(f"{prefix}_{name}")
        value.setStyleSheet("font-size: 16px; font-weight: bold;")
        value.setAlignment(Qt.AlignmentFlag.AlignCenter)
        caption = QLabel(title)
        caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        grid.addWidget(value, 0, column)
        grid.addWidget(caption, 1, column)
        labels[name] = value
    return grid, labels


def _label(object_name: str = "", style: str = "") -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)  # file names and cell values are not markup
    if object_name:
        label.setObjectName(object_name)
    if style:
        label.setStyleSheet(style)
    return label


def _button(text: str, object_name: str, slot: Callable) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(object_name)
    button.clicked.connect(slot)
    return button


class ImportWizard(QWizard):
    """Walks the user through one import; every slow step runs in a Task with progress and Cancel."""

    imported = Signal(object)  # the ImportSummary of an import that wrote something
    undone = Signal(object)  # the UndoSummary of "Undo this import"

    def __init__(self, db: Database, actor: Actor, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ImportWizard")
        self.setWindowTitle(_("Import from Excel or CSV"))
        self.service = ImportService(db)
        self.actor = actor
        self.settings = settings
        self.layout_info: Layout | None = None  # the sheet as last read
        self.offered: dict[int, str] = {}  # the mapping ClientDesk offered for these headers
        self.chosen: dict[int, str] | None = None  # the user's mapping, kept when going back and forth
        self.inspected_for: tuple[str, str] | None = None  # (file, kind) the layout belongs to
        self.plan: ImportPlan | None = None
        self.summary: ImportSummary | None = None
        self.task: Task | None = None

        self.file_page = FilePage(self)
        self.mapping_page = MappingPage(self)
        self.preview_page = PreviewPage(self)
        self.run_page = RunPage(self)
        self.setPage(FILE_PAGE, self.file_page)
        self.setPage(MAPPING_PAGE, self.mapping_page)
        self.setPage(PREVIEW_PAGE, self.preview_page)
        self.setPage(RUN_PAGE, self.run_page)
        set_wizard_buttons(self, _("Import"))
        geometry = settings.geometry("import_wizard")
        if geometry.isEmpty():
            self.resize(980, 680)
        else:
            self.restoreGeometry(geometry)

    # -- what the pages have chosen

    @property
    def path(self) -> Path:
        return Path(self.file_page.path_edit.text().strip())

    @property
    def kind(self) -> str:
        return self.file_page.kind_combo.currentData()

    def import_options(self) -> ImportOptions:
        info = self.layout_info
        return ImportOptions(
            kind=self.kind,
            sheet=info.sheet if info else None,
            header_row=info.header_row if info else None,
            mapping=self.mapping_page.mapping(),
            mode=self.preview_page.mode(),
            on_duplicate=self.preview_page.on_duplicate(),
        )

    # -- long work

    @property
    def busy(self) -> bool:
        return self.task is not None

    def start(
        self,
        title: str,
        work: Callable,
        done: Callable[[object], None],
        failed: Callable[[object], None],
    ) -> None:
        """Run `work(progress, cancelled)` off the GUI thread; `done(result)` or `failed(exception)` after.

        Every failure goes to `failed`, so the page says what happened; one the user cannot act on (not
        a file that cannot be read, a cancel, a database that went away) is a bug and is raised after,
        for the error dialog."""
        task = Task(self, title, work)

        def finish(handler: Callable[[object], None], value: object) -> None:
            self.task = None
            task.deleteLater()
            self._update_pages()
            handler(value)
            if handler is failed and not isinstance(value, ServiceError | DatabaseOpenError | OSError):
                raise value  # type: ignore[misc]

        task.finished.connect(lambda result: finish(done, result))
        task.failed.connect(lambda exc: finish(failed, exc))
        self.task = task
        self._update_pages()
        task.start()

    def _update_pages(self) -> None:
        for page in (self.file_page, self.mapping_page, self.preview_page, self.run_page):
            page.update_ready()

    def inspect(self, sheet: str | None, header_row: int | None, done: Callable[[], None]) -> None:
        """Read the sheet's layout again (header_row None: find it); `done()` once it is in."""
        path, kind = self.path, self.kind
        options = ImportOptions(kind=kind, sheet=sheet, header_row=header_row)

        def finished(layout: Layout) -> None:
            self.layout_info = layout
            self.offered = dict(layout.mapping)
            self.chosen = None
            self.inspected_for = (str(path), kind)
            self.plan = None
            done()

        self.start(
            _("Reading {file}…").format(file=path.name),
            lambda _progress, _cancelled: self.service.inspect(self.actor, path, options),
            finished,
            self._inspect_failed,
        )

    def _inspect_failed(self, exc: object) -> None:
        page = self.currentPage()
        if isinstance(page, FilePage | MappingPage):
            page.show_error(str(exc))

    # -- closing

    def done(self, result: int) -> None:
        if self.busy:
            return  # the progress dialog's Cancel stops the work; the wizard waits for it
        self.settings.set_geometry("import_wizard", self.saveGeometry())
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.busy:
            event.ignore()
            return
        super().closeEvent(event)


class _Page(ReadyPage):
    """An import page, with the wizard at hand."""

    def __init__(self, wizard: ImportWizard, name: str) -> None:
        super().__init__(name)
        self._wizard = wizard


class FilePage(_Page):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard, "file")
        self.setTitle(_("Choose the file"))
        self.setSubTitle(_("An Excel workbook (.xlsx, .xlsm, .xls) or a CSV/text file, and what it holds."))
        self.path_edit = QLineEdit()
        self.path_edit.setObjectName("import_file")
        self.path_edit.setPlaceholderText(_("The file to import"))
        self.path_edit.textChanged.connect(self._changed)
        browse = _button(_("Browse…"), "browse", self.browse)
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("import_kind")
        for kind in import_columns.KINDS:
            self.kind_combo.addItem(_(import_columns.KIND_LABELS[kind]), kind)
        self.kind_combo.currentIndexChanged.connect(self._changed)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(browse)
        form = QFormLayout()
        form.addRow(_("File"), file_row)
        form.addRow(_("What to import"), self.kind_combo)
        self.error = _label("file_error", ERROR_TEXT)
        template_note = _label()
        template_note.setText(
            _(
                "No sheet yet? Save the blank import template, hand it out, and import what comes back. "
                "ClientDesk also reads sheets laid out in other ways: it finds the header row and "
                "recognises the usual column names."
            )
        )
        template = _button(_("Save import template…"), "save_template", self.save_template)
        template_row = QHBoxLayout()
        template_row.addWidget(template)
        template_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(template_note)
        layout.addLayout(template_row)

    def _changed(self) -> None:
        self.error.clear()
        self.update_ready()

    def show_error(self, text: str) -> None:
        self.error.setStyleSheet(ERROR_TEXT)
        self.error.setText(text)

    def browse(self) -> None:
        chosen = file_choice.choose_open(
            self,
            self._wizard.settings,
            "import",
            _("Choose the file to import"),
            file_choice.spreadsheet_filter(),
        )
        if chosen is not None:
            self.path_edit.setText(str(chosen))

    def save_template(self) -> None:
        path = import_actions.save_template(self, self._wizard.settings)
        if path is not None:
            self.error.setStyleSheet("")
            self.error.setText(_("Template written to {file}.").format(file=path))

    def ready(self) -> bool:
        return bool(self.path_edit.text().strip()) and not self._wizard.busy

    def validatePage(self) -> bool:
        wizard = self._wizard
        if wizard.busy:
            return False
        if wizard.inspected_for == (str(wizard.path), wizard.kind) and wizard.layout_info is not None:
            return True
        self.error.setStyleSheet(ERROR_TEXT)
        self.error.clear()
        wizard.settings.set_last_folder("import", str(wizard.path.parent))

        wizard.inspect(None, None, wizard.next)
        return False  # the wizard moves on by itself once the file is read


class MappingPage(_Page):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard, "mapping")
        self.combos: list[QComboBox] = []
        self.setTitle(_("Sheet, header row and columns"))
        self.setSubTitle(
            _("Check which column goes into which field. Columns set to “don't import” are left out.")
        )
        self.sheet_combo = QComboBox()
        self.sheet_combo.setObjectName("sheet")
        self.sheet_combo.currentIndexChanged.connect(self._sheet_chosen)
        self.header_spin = QSpinBox()
        self.header_spin.setObjectName("header_row")
        # 0 stands for "find it": the header row is looked for again.
        self.header_spin.setRange(0, import_columns.HEADER_SEARCH_ROWS + PREVIEW_ROWS)
        self.header_spin.setSpecialValueText(_("find"))
        self.header_spin.setToolTip(_("The row that holds the column names, numbered as Excel numbers rows."))
        self._header_timer = QTimer(self)
        self._header_timer.setSingleShot(True)
        self._header_timer.setInterval(HEADER_DELAY_MS)
        self._header_timer.timeout.connect(self._header_chosen)
        self.header_spin.valueChanged.connect(self._header_timer.start)
        self.header_spin.valueChanged.connect(self.update_ready)
        self.header_note = _label("header_note")
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("mapping_table")
        self.table.setHorizontalHeaderLabels([_("Column in the file"), _("Sample values"), _("Import as")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(0, 200)
        self.table.setColumnWidth(2, 260)
        # Without a header row found: the sheet's first rows, to point at the one with the column names.
        self.first_rows = QTableWidget()
        self.first_rows.setObjectName("first_rows")
        self.first_rows.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.first_rows.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.first_rows.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.first_rows.setWordWrap(False)
        self.first_rows.cellClicked.connect(lambda row, _column: self._row_picked(row))
        self.first_rows.hide()
        self.hint = _label("mapping_hint")
        self.error = _label("mapping_error", ERROR_TEXT)
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Sheet")))
        top.addWidget(self.sheet_combo, 1)
        top.addSpacing(16)
        top.addWidget(QLabel(_("Header row")))
        top.addWidget(self.header_spin)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.header_note)
        layout.addWidget(self.error)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.first_rows, 1)
        layout.addWidget(self.hint)

    # -- filling in

    def initializePage(self) -> None:
        self.error.clear()
        self.fill()

    def fill(self) -> None:
        info = self._wizard.layout_info
        self._header_timer.stop()
        for widget in (self.sheet_combo, self.header_spin):
            widget.blockSignals(True)
        self.sheet_combo.clear()
        if info is not None:
            self.sheet_combo.addItems(info.sheet_names)
            self.sheet_combo.setCurrentText(info.sheet)
            self.sheet_combo.setEnabled(len(info.sheet_names) > 1)
            self.header_spin.setValue(info.header_row or 0)
        for widget in (self.sheet_combo, self.header_spin):
            widget.blockSignals(False)
        found = info is not None and info.header_row is not None
        self.table.setVisible(found or info is None)
        self.first_rows.setVisible(not found and info is not None)
        self.table.setRowCount(0)
        self.combos = []
        if info is None:
            self.header_note.clear()
        elif not found:
            self._fill_first_rows(info)
            self.header_note.setText(
                _(
                    "No row of sheet {sheet} names a column ClientDesk knows. Click the row that holds the "
                    "column names (or set its number above), then choose each column's field."
                ).format(sheet=info.sheet)
            )
        else:
            if info.remembered:
                text = _(
                    "Header row {row}; the columns are mapped as you mapped them for such a file before."
                )
            else:
                text = _(
                    "Row {row} looks like the header row. If the column names are in another row, change it."
                )
            self.header_note.setText(text.format(row=info.header_row))
            self._fill_mapping(info)
        self._update_hint()

    def _fill_mapping(self, info: Layout) -> None:
        mapping = self._wizard.chosen if self._wizard.chosen is not None else info.mapping
        self.table.setRowCount(len(info.headers))
        for index in range(len(info.headers)):
            name = QTableWidgetItem(info.column_name(index))
            name.setToolTip(info.column_name(index))
            self.table.setItem(index, 0, name)
            samples = [
                row[index]
                for row in info.sample
                if index < len(row) and row[index].strip() and not is_total_row(row)
            ]
            sample = QTableWidgetItem("  ·  ".join(samples[:SAMPLE_VALUES]))
            sample.setToolTip("\n".join(samples[:10]))
            self.table.setItem(index, 1, sample)
            combo = self._target_combo(index)
            combo.setCurrentIndex(max(combo.findData(mapping.get(index, "")), 0))
            combo.currentIndexChanged.connect(lambda _i, column=index: self._mapping_changed(column))
            self.table.setCellWidget(index, 2, combo)
            self.combos.append(combo)

    def _fill_first_rows(self, info: Layout) -> None:
        width = max((len(row) for row in info.sample), default=0)
        self.first_rows.clear()
        self.first_rows.setColumnCount(width)
        self.first_rows.setRowCount(len(info.sample))
        self.first_rows.setHorizontalHeaderLabels(
            [info.column_name(i).strip() or str(i + 1) for i in range(width)]
        )
        # The sample starts at the sheet's first row, which Excel numbers 1.
        self.first_rows.setVerticalHeaderLabels([str(r + 1) for r in range(len(info.sample))])
        for r, row in enumerate(info.sample):
            for c, text in enumerate(row):
                self.first_rows.setItem(r, c, QTableWidgetItem(text))
        self.first_rows.resizeColumnsToContents()
        for c in range(width):
            self.first_rows.setColumnWidth(c, min(self.first_rows.columnWidth(c), 220))

    def _target_combo(self, index: int) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(f"map_{index}")
        combo.addItem(_("— don't import —"), "")
        kind = self._wizard.kind
        separated = False
        for target in import_columns.TARGETS[kind]:
            if not separated and kind == "customers" and target.name.startswith("contact_"):
                combo.insertSeparator(combo.count())  # the customer's own fields above, its contact's below
                separated = True
            title = target_title(target.name, kind)
            combo.addItem(f"{title} *" if target.required else title, target.name)
        return combo

    def show_error(self, text: str) -> None:
        self.error.setText(text)

    # -- the user's choices

    def mapping(self) -> dict[int, str]:
        return {i: combo.currentData() for i, combo in enumerate(self.combos) if combo.currentData()}

    def _mapping_changed(self, column: int) -> None:
        field = self.combos[column].currentData()
        if field:
            # A field takes one column: the column that had it lets it go.
            for index, combo in enumerate(self.combos):
                if index != column and combo.currentData() == field:
                    combo.blockSignals(True)
                    combo.setCurrentIndex(0)
                    combo.blockSignals(False)
        self._wizard.plan = None
        self._wizard.chosen = self.mapping()
        self._update_hint()

    def missing(self) -> list[str]:
        """The required fields no column is mapped to, as the user calls them."""
        kind = self._wizard.kind
        mapped = set(self.mapping().values())
        missing = [
            target_title(t.name, kind)
            for t in import_columns.TARGETS[kind]
            if t.required and t.name not in mapped
        ]
        if kind != "customers" and not mapped & {"customer_code", "customer_uscc", "customer_name"}:
            missing.insert(0, _("the customer (its code, credit code or company name)"))
        return missing

    def _update_hint(self) -> None:
        missing = self.missing() if self.combos else []
        if missing:
            self.hint.setStyleSheet(ERROR_TEXT)
            self.hint.setText(_("Still to map (marked *): {fields}.").format(fields=", ".join(missing)))
        elif self.combos:
            self.hint.setStyleSheet("")
            self.hint.setText(
                _("{mapped} of {count} columns will be imported.").format(
                    mapped=len(self.mapping()), count=len(self.combos)
                )
            )
        else:
            self.hint.clear()
        self.update_ready()

    def _row_picked(self, row: int) -> None:
        self.header_spin.setValue(row + 1)
        self._header_timer.stop()
        self._header_chosen()

    def _sheet_chosen(self) -> None:
        self._reread(self.sheet_combo.currentText(), None)

    def _header_chosen(self) -> None:
        self._reread(self.sheet_combo.currentText() or None, self.header_spin.value() or None)

    def _reread(self, sheet: str | None, header_row: int | None) -> None:
        self.error.clear()
        self._wizard.inspect(sheet, header_row, self.fill)

    def ready(self) -> bool:
        return (
            not self._wizard.busy
            and not self._header_timer.isActive()
            and self._wizard.layout_info is not None
            and bool(self.combos)
            and not self.missing()
        )

    def validatePage(self) -> bool:
        wizard = self._wizard
        info = wizard.layout_info
        if info is None or wizard.busy:
            return False
        mapping = self.mapping()
        if mapping != wizard.offered:
            # Offered next time a file with these headers comes in.
            wizard.service.remember_mapping(wizard.kind, info.headers, mapping)
            wizard.offered = dict(mapping)
        return True


class PreviewPage(_Page):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard, "preview")
        self.setTitle(_("Options and preview"))
        self.setSubTitle(_("Nothing has been written yet. Check the counts and the problems, then import."))
        self.setCommitPage(True)

        self.mode_group = QButtonGroup(self)
        self.mode_all = QRadioButton(_("All or nothing: import only if no row has an error"))
        self.mode_all.setObjectName("mode_all")
        self.mode_valid = QRadioButton(_("Valid rows only: leave out the rows with errors"))
        self.mode_valid.setObjectName("mode_valid")
        self.mode_all.setChecked(True)
        modes = QGroupBox(_("Rows with errors"))
        mode_layout = QVBoxLayout(modes)
        for button in (self.mode_all, self.mode_valid):
            self.mode_group.addButton(button)
            mode_layout.addWidget(button)
        self.duplicate_group = QButtonGroup(self)
        self.duplicate_buttons = {
            "skip": QRadioButton(_("Skip them: keep what ClientDesk has")),
            "update": QRadioButton(_("Update them with the file's values")),
            "create": QRadioButton(_("Create new records anyway")),
        }
        self.duplicate_buttons["skip"].setChecked(True)
        duplicates = QGroupBox(_("Records already in ClientDesk"))
        duplicate_layout = QVBoxLayout(duplicates)
        for name, button in self.duplicate_buttons.items():
            button.setObjectName(f"duplicate_{name}")
            self.duplicate_group.addButton(button)
            duplicate_layout.addWidget(button)
        self.mode_group.buttonToggled.connect(self._options_changed)
        self.duplicate_group.buttonToggled.connect(self._options_changed)
        options = QHBoxLayout()
        options.addWidget(modes, 1)
        options.addWidget(duplicates, 1)

        counts, self.count_labels = _count_grid(
            "count",
            {
                "rows_read": _("Rows read"),
                "new": _("New"),
                "duplicates": _("Already in ClientDesk"),
                "merged": _("Merged in the file"),
                "errors": _("Rows with errors"),
                "warnings": _("Warnings"),
            },
        )

        self.message = _label("preview_message")
        self.message.setFrameShape(QFrame.Shape.StyledPanel)
        self.message.hide()
        self.table = QTableWidget()
        self.table.setObjectName("preview_table")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.problems = ProblemTable()
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.problems)
        splitter.setSizes([260, 140])
        self.reread_button = _button(_("Read the file again"), "reread", self.start_plan)
        self.reread_button.setToolTip(
            _("After fixing the file in Excel: read it again without leaving the wizard.")
        )
        self.report_button = _button(_("Save report…"), "save_report", self.save_report)
        self.report_note = _label("report_note")
        buttons = QHBoxLayout()
        buttons.addWidget(self.reread_button)
        buttons.addWidget(self.report_button)
        buttons.addWidget(self.report_note, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(options)
        layout.addLayout(counts)
        layout.addWidget(self.message)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)

    def mode(self) -> str:
        return "valid-only" if self.mode_valid.isChecked() else "all-or-nothing"

    def on_duplicate(self) -> str:
        return next(name for name, button in self.duplicate_buttons.items() if button.isChecked())

    # -- planning

    def initializePage(self) -> None:
        self.start_plan()

    def start_plan(self) -> None:
        wizard = self._wizard
        options = wizard.import_options()
        path = wizard.path
        wizard.plan = None
        self.report_note.clear()
        self._show_message("", False)
        for label in self.count_labels.values():
            label.setText("–")

        def planned(plan: ImportPlan) -> None:
            wizard.plan = plan
            self.show_plan()

        def failed(exc: object) -> None:
            self.table.setRowCount(0)
            self.problems.setRowCount(0)
            if isinstance(exc, Cancelled):
                self._show_message(_("The preview was cancelled. Read the file again to see it."), False)
            else:
                self._show_message(str(exc), True)
            self._update_buttons()

        wizard.start(
            _("Checking {file}…").format(file=path.name),
            lambda progress, cancelled: wizard.service.plan(wizard.actor, path, options, progress, cancelled),
            planned,
            failed,
        )
        self._update_buttons()

    def _options_changed(self, _button: QRadioButton, checked: bool) -> None:
        plan = self._wizard.plan
        if not checked or plan is None:
            return
        # The mode and the duplicate rule only decide what gets written: no need to read the file again.
        self._wizard.plan = replace(
            plan, options=replace(plan.options, mode=self.mode(), on_duplicate=self.on_duplicate())
        )
        self.show_plan()

    def show_plan(self) -> None:
        plan = self._wizard.plan
        if plan is None:
            return
        values = {
            "rows_read": plan.rows_read,
            "new": plan.new,
            "duplicates": plan.duplicates,
            "merged": plan.merged,
            "errors": len(plan.error_rows),
            "warnings": len(plan.warnings),
        }
        for name, value in values.items():
            self.count_labels[name].setText(format_number(value))
        self.count_labels["errors"].setStyleSheet(
            "font-size: 16px; font-weight: bold;" + (ERROR_TEXT if plan.error_rows else "")
        )
        self._fill_rows(plan)
        self.problems.set_problems(plan.problems)
        if plan.blocked:
            self._show_message(
                _(
                    "Rows with errors: {count}. In all-or-nothing mode nothing is imported while any row "
                    "has an error. Choose “Valid rows only” to import the other rows, or fix the file — "
                    "save the report to see what is wrong in which row — and read it again."
                ).format(count=format_number(len(plan.error_rows))),
                True,
            )
        elif not plan.records:
            self._show_message(_("The file has no rows that can be imported."), True)
        elif plan.error_rows:
            self._show_message(
                _("Rows with errors: {count}. They are left out; the other rows are imported.").format(
                    count=format_number(len(plan.error_rows))
                ),
                False,
            )
        else:
            self._show_message("", False)
        self._update_buttons()

    def _show_message(self, text: str, problem: bool) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(BANNER if problem else "padding: 6px;")
        self.message.setVisible(bool(text))

    def _fill_rows(self, plan: ImportPlan) -> None:
        """The first rows under the header as the file has them, problems coloured, reasons as tool tips."""
        info = plan.layout
        kind = plan.options.kind
        mapping = plan.options.mapping or info.mapping
        by_name = {info.column_name(i): i for i in range(len(info.headers))}
        width = max([len(info.headers), *(len(r) for r in info.sample)])
        self.table.clear()
        self.table.setColumnCount(width)
        self.table.setRowCount(len(info.sample))
        for index in range(width):
            field = mapping.get(index)
            text = info.column_name(index) if index < len(info.headers) else ""
            header = QTableWidgetItem(f"{text}\n→ {target_title(field, kind)}" if field else f"{text}\n")
            if not field:
                header.setForeground(QBrush(QColor("#888888")))
                header.setToolTip(_("Not imported"))
            self.table.setHorizontalHeaderItem(index, header)
        by_row: dict[int, list] = {}
        for problem in plan.problems:
            by_row.setdefault(problem.row, []).append(problem)
        first = (info.header_row or 0) + 1
        rank = {"error": 3, "warning": 2, "merged": 1}
        self.table.setVerticalHeaderLabels([str(first + r) for r in range(len(info.sample))])
        for r, row in enumerate(info.sample):
            number = first + r
            if is_total_row(row):  # 合计 / 备注 lines are left out: shown greyed, with the reason
                for c in range(width):
                    item = QTableWidgetItem(row[c] if c < len(row) else "")
                    item.setForeground(QBrush(QColor("#888888")))
                    item.setToolTip(_("Left out: a total or note line, not a record."))
                    self.table.setItem(r, c, item)
                continue
            found = by_row.get(number, [])
            cell_problems: dict[int, list] = {}
            row_problems = []
            for problem in found:
                index = by_name.get(problem.column)
                if index is None:
                    row_problems.append(problem)
                else:
                    cell_problems.setdefault(index, []).append(problem)
            for c in range(width):
                item = QTableWidgetItem(row[c] if c < len(row) else "")
                if not mapping.get(c):
                    item.setForeground(QBrush(QColor("#888888")))
                own = cell_problems.get(c, []) + row_problems
                if own:
                    worst = max(own, key=lambda p: rank.get(p.level, 0))
                    item.setBackground(QBrush(COLORS.get(worst.level, QColor("white"))))
                    item.setForeground(QBrush(QColor("black")))
                    item.setToolTip("\n".join(f"{level_label(p.level)}: {p.message}" for p in own))
                elif number in plan.error_rows:
                    item.setBackground(QBrush(ERROR_ROW))
                    item.setForeground(QBrush(QColor("black")))
                    item.setToolTip("\n".join(f"{level_label(p.level)}: {p.message}" for p in found))
                self.table.setItem(r, c, item)
            if found:
                self.table.verticalHeaderItem(r).setToolTip(
                    "\n".join(f"{level_label(p.level)}: {p.message}" for p in found)
                )
        self.table.resizeColumnsToContents()
        for c in range(width):
            self.table.setColumnWidth(c, min(self.table.columnWidth(c), 260))

    def _update_buttons(self) -> None:
        plan = self._wizard.plan
        self.report_button.setEnabled(plan is not None and bool(plan.problems) and not self._wizard.busy)
        self.reread_button.setEnabled(not self._wizard.busy)
        self.update_ready()

    def save_report(self) -> None:
        plan = self._wizard.plan
        if plan is None:
            return
        import_actions.save_report_as(
            self,
            self._wizard.settings,
            plan.path,
            plan.layout.sheet,
            plan.problems,
            lambda path: self.report_note.setText(_("Report saved as {file}.").format(file=path)),
        )

    def ready(self) -> bool:
        plan = self._wizard.plan
        return plan is not None and not plan.blocked and bool(plan.records) and not self._wizard.busy


class RunPage(_Page):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard, "run")
        self.finished = False
        self.setTitle(_("Import"))
        self.setSubTitle(_("What was written, and what was left out."))
        self.headline = _label("summary_headline")
        self.headline.setStyleSheet("font-size: 14px; font-weight: bold;")
        counts, self.count_labels = _count_grid(
            "summary",
            {
                "created": _("Created"),
                "updated": _("Updated"),
                "skipped": _("Skipped (already in ClientDesk)"),
                "merged": _("Rows merged in the file"),
            },
        )
        self.problem_counts = _label("summary_problem_counts")
        self.problems = ProblemTable()
        self.report_button = _button(_("Save report…"), "save_report", self.save_report)
        self.undo_button = _button(_("Undo this import"), "undo_import", self.undo)
        self.retry_button = _button(_("Try again"), "retry", self.start_run)
        self.note = _label("summary_note")
        buttons = QHBoxLayout()
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.report_button)
        buttons.addWidget(self.undo_button)
        buttons.addWidget(self.note, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addLayout(counts)
        layout.addWidget(self.problem_counts)
        layout.addWidget(self.problems, 1)
        layout.addLayout(buttons)

    def initializePage(self) -> None:
        self.start_run()

    def start_run(self) -> None:
        wizard = self._wizard
        plan = wizard.plan
        if plan is None:
            return
        self.finished = False
        self.headline.setStyleSheet("font-size: 14px; font-weight: bold;")
        self.headline.setText(_("Importing {file}…").format(file=plan.layout.file))
        self.note.clear()
        for button in (self.retry_button, self.report_button, self.undo_button):
            button.hide()
        wizard.start(
            _("Importing {file}…").format(file=plan.layout.file),
            lambda progress, cancelled: wizard.service.run(wizard.actor, plan, progress, cancelled),
            self._done,
            self._failed,
        )

    def _done(self, summary: ImportSummary) -> None:
        wizard = self._wizard
        wizard.summary = summary
        self.finished = True
        counts = {
            "created": summary.created,
            "updated": summary.updated,
            "skipped": summary.skipped,
            "merged": summary.merged,
        }
        for name, value in counts.items():
            self.count_labels[name].setText(format_number(value))
        if summary.written:
            self.headline.setText(
                _("{file} was imported: {created} created, {updated} updated.").format(
                    file=summary.file,
                    created=format_number(summary.created),
                    updated=format_number(summary.updated),
                )
            )
        else:
            self.headline.setText(_("Nothing was imported from {file}.").format(file=summary.file))
        self.problem_counts.setText(count_text(summary.problems) if summary.problems else _("No problems."))
        self.problems.set_problems(summary.problems)
        self.report_button.setVisible(True)
        self.report_button.setEnabled(bool(summary.problems))
        self.undo_button.setVisible(summary.written and summary.batch is not None)
        self.undo_button.setEnabled(True)
        if summary.written and summary.batch is not None:
            wizard.settings.remember_import_source(str(summary.batch), str(wizard.path))
            wizard.imported.emit(summary)
        self.update_ready()

    def _failed(self, exc: object) -> None:
        self.finished = True
        self.headline.setStyleSheet("font-size: 14px; font-weight: bold;" + ERROR_TEXT)
        if isinstance(exc, Cancelled):
            self.headline.setText(_("The import was cancelled. Nothing was changed in ClientDesk."))
        else:
            self.headline.setText(
                _("The import failed and nothing was changed in ClientDesk: {reason}").format(reason=exc)
            )
        self.retry_button.show()
        self.update_ready()

    def save_report(self) -> None:
        summary = self._wizard.summary
        if summary is None:
            return
        import_actions.save_report_as(
            self,
            self._wizard.settings,
            self._wizard.path,
            summary.sheet,
            summary.problems,
            lambda path: self.note.setText(_("Report saved as {file}.").format(file=path)),
        )

    def undo(self) -> None:
        summary = self._wizard.summary
        if summary is None or summary.batch is None:
            return

        def undone(result: UndoSummary) -> None:
            self.undo_button.setEnabled(False)
            self.headline.setText(_("This import was undone."))
            self._wizard.undone.emit(result)

        import_actions.undo_import(self, self._wizard.service, self._wizard.actor, summary.batch, undone)

    def ready(self) -> bool:
        return self.finished and not self._wizard.busy
