"""Import history: every import batch, with "Undo import" and its problems (to read or save as a report)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QCloseEvent, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.db import Database
from app.dialogs.import_problems import ProblemsDialog
from app.i18n import _, format_datetime, format_number
from app.services import import_columns
from app.services.actor import Actor
from app.services.imports import BatchInfo, ImportService, UndoSummary
from app.views import file_choice, import_actions
from app.views.settings import Settings


class ImportHistoryDialog(QDialog):
    """Lists the import batches, newest first; undone ones stay listed, greyed, with when they were undone."""

    undone = Signal(object)  # the UndoSummary, once a batch was undone

    def __init__(self, db: Database, actor: Actor, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ImportHistoryDialog")
        self.setWindowTitle(_("Import history"))
        self.service = ImportService(db)
        self.actor = actor
        self.settings = settings
        self.batches: list[BatchInfo] = []
        self.problems_dialog: ProblemsDialog | None = None

        self.table = QTableWidget(0, 11)
        self.table.setObjectName("batch_table")
        self.table.setHorizontalHeaderLabels(
            [
                _("When"),
                _("Who"),
                _("What"),
                _("File"),
                _("Created"),
                _("Updated"),
                _("Skipped"),
                _("Merged"),
                _("Warnings"),
                _("Errors"),
                _("Undone"),
            ]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _index: self.show_problems())
        self.empty = QLabel(_("Nothing has been imported yet. File → Import… brings in a spreadsheet."))
        self.empty.setObjectName("history_empty")

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.undo_button = self._add(buttons, _("Undo import"), "undo_batch", self.undo_selected)
        self.problems_button = self._add(buttons, _("Problems…"), "batch_problems", self.show_problems)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)

        geometry = settings.geometry("import_history")
        if geometry.isEmpty():
            self.resize(1000, 420)
        else:
            self.restoreGeometry(geometry)
        self.reload()

    @staticmethod
    def _add(buttons: QDialogButtonBox, text: str, name: str, slot) -> QPushButton:
        button = buttons.addButton(text, QDialogButtonBox.ButtonRole.ActionRole)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    def reload(self) -> None:
        selected = self.selected()
        self.batches = self.service.batches(self.actor)
        self.table.setRowCount(len(self.batches))
        grey = QBrush(QColor("#888888"))
        for row, batch in enumerate(self.batches):
            kind = import_columns.KIND_LABELS.get(batch.kind)
            cells = [
                format_datetime(batch.at),
                batch.by,
                _(kind) if kind else batch.kind,
                f"{batch.file} — {batch.sheet}" if batch.sheet else batch.file,
                *(
                    format_number(n)
                    for n in (
                        batch.created,
                        batch.updated,
                        batch.skipped,
                        batch.merged,
                        batch.warnings,
                        batch.errors,
                    )
                ),
                format_datetime(batch.undone_at),
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if 4 <= column <= 9:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if batch.undone_at is not None:
                    item.setForeground(grey)
                self.table.setItem(row, column, item)
        self.empty.setVisible(not self.batches)
        self.table.setVisible(bool(self.batches))
        if selected is not None:
            for row, batch in enumerate(self.batches):
                if batch.id == selected.id:
                    self.table.selectRow(row)
        elif self.batches:
            self.table.selectRow(0)
        self._update_buttons()

    def selected(self) -> BatchInfo | None:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        return self.batches[min(rows)] if rows and min(rows) < len(self.batches) else None

    def _update_buttons(self) -> None:
        batch = self.selected()
        self.undo_button.setEnabled(batch is not None and batch.undone_at is None)
        self.problems_button.setEnabled(batch is not None)

    # -- acting on a batch

    def undo_selected(self) -> None:
        batch = self.selected()
        if batch is None or batch.undone_at is not None:
            return

        def undone(summary: UndoSummary) -> None:
            self.reload()
            self.undone.emit(summary)

        import_actions.undo_import(self, self.service, self.actor, batch.id, undone)

    def show_problems(self) -> ProblemsDialog | None:
        batch = self.selected()
        if batch is None:
            return None
        problems = self.service.batch_problems(self.actor, batch.id)
        dialog = ProblemsDialog(
            self,
            _("Problems of {file} ({when})").format(file=batch.file, when=format_datetime(batch.at)),
            problems,
            lambda: self._save_report(batch, problems),
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.problems_dialog = dialog
        dialog.destroyed.connect(lambda *_args: setattr(self, "problems_dialog", None))
        dialog.open()
        return dialog

    def _save_report(self, batch: BatchInfo, problems: list) -> None:
        """The report is a copy of the imported sheet: it needs the file, where it was, or where it is now."""
        parent = self.problems_dialog or self
        source = Path(self.settings.import_source(str(batch.id)) or batch.file)
        if not source.is_file():
            QMessageBox.information(
                parent,
                _("Save report"),
                _(
                    "The report is a copy of {file} with the problems beside each row. {file} is not where "
                    "it was imported from: please show where it is now."
                ).format(file=batch.file),
            )
            chosen = file_choice.choose_open(
                parent,
                self.settings,
                "import",
                _("Where is {file}?").format(file=batch.file),
                file_choice.spreadsheet_filter(),
            )
            if chosen is None:
                return
            source = chosen
            self.settings.remember_import_source(str(batch.id), str(source))
        import_actions.save_report_as(
            parent,
            self.settings,
            source,
            batch.sheet,
            problems,
            lambda path: QMessageBox.information(
                parent, _("Save report"), _("Report saved as {file}.").format(file=path)
            ),
        )

    def done(self, result: int) -> None:
        self.settings.set_geometry("import_history", self.saveGeometry())
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.set_geometry("import_history", self.saveGeometry())
        super().closeEvent(event)
