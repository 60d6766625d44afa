"""What an import found wrong, as a table (errors red, warnings yellow) and as a dialog with its report."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_number
from app.services import import_columns, labels
from app.services.imports import Problem

# The colours of the saved report, so the screen and the file look alike.
COLORS = {"error": QColor("#F8CBAD"), "warning": QColor("#FFF2CC"), "merged": QColor("#DDEBF7")}
# A table of a hundred thousand rows helps no one and takes seconds to build; the report has them all.
SHOWN_PROBLEMS = 2000


def level_label(level: str) -> str:
    return {"error": _("Error"), "warning": _("Warning"), "merged": _("Merged")}.get(level, level)


def target_title(name: str, kind: str = "customers") -> str:
    """A field an import fills, as the user calls it: "E-mail", or "Contact person's E-mail" for the
    contact person's columns of a customer import (the customer has an e-mail of its own)."""
    found = import_columns.targets(kind).get(name)
    if found is None:
        for other in import_columns.KINDS:
            found = import_columns.targets(other).get(name)
            if found is not None:
                break
    if found is None:
        return labels.field_label(name)
    if name.startswith("contact_") and name != "contact_name" and kind == "customers":
        return _("Contact person's {field}").format(field=found.title)
    return found.title


def count_text(problems: Sequence[Problem]) -> str:
    """ "2 errors, 1 warning, 1 merged row" — what a list of problems holds, in a few words."""
    errors = sum(1 for p in problems if p.level == "error")
    warnings = sum(1 for p in problems if p.level == "warning")
    merged = sum(1 for p in problems if p.level == "merged")
    return _("Errors: {errors} · Warnings: {warnings} · Merged rows: {merged}").format(
        errors=format_number(errors), warnings=format_number(warnings), merged=format_number(merged)
    )


class ProblemTable(QTableWidget):
    """One problem a row: level, sheet, row (as Excel numbers it), column, value and reason."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 6, parent)
        self.setObjectName("problem_table")
        self.setHorizontalHeaderLabels(
            [_("Level"), _("Sheet"), _("Row"), _("Column"), _("Value"), _("Reason")]
        )
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((70, 90, 50, 130, 150)):
            self.setColumnWidth(column, width)
        self.shown_all = True

    def set_problems(self, problems: Sequence[Problem]) -> None:
        shown = sorted(problems, key=lambda p: (p.row, p.level != "error"))[:SHOWN_PROBLEMS]
        self.shown_all = len(shown) == len(problems)
        self.setRowCount(len(shown))
        for row, problem in enumerate(shown):
            cells = [
                level_label(problem.level),
                problem.sheet,
                str(problem.row),
                problem.column,
                problem.value,
                problem.message,
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setBackground(QBrush(COLORS.get(problem.level, QColor("white"))))
                item.setForeground(QBrush(QColor("black")))  # readable on the light colours in any theme
                if column == 5:
                    item.setToolTip(text)
                if column == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.setItem(row, column, item)


class ProblemsDialog(QDialog):
    """The problems of one import batch; "Save report…" calls `save_report` (None: no such button)."""

    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        problems: Sequence[Problem],
        save_report: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ProblemsDialog")
        self.setWindowTitle(title)
        self.resize(900, 480)
        layout = QVBoxLayout(self)
        counts = QLabel(count_text(problems) if problems else _("This import found no problems."))
        counts.setObjectName("problem_counts")
        layout.addWidget(counts)
        self.table = ProblemTable()
        self.table.set_problems(problems)
        layout.addWidget(self.table, 1)
        if not self.table.shown_all:
            more = QLabel(
                _("The first {shown} of {count} problems are shown; the saved report lists them all.").format(
                    shown=format_number(SHOWN_PROBLEMS), count=format_number(len(problems))
                )
            )
            more.setWordWrap(True)
            layout.addWidget(more)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.save_button: QPushButton | None = None
        if save_report is not None:
            self.save_button = buttons.addButton(_("Save report…"), QDialogButtonBox.ButtonRole.ActionRole)
            self.save_button.setObjectName("save_report")
            self.save_button.setEnabled(bool(problems))
            self.save_button.clicked.connect(save_report)
        layout.addWidget(buttons)
