"""What the import wizard and the import history share: saving a report, undoing a batch, showing failures."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from app.db import DatabaseOpenError
from app.i18n import _, format_number
from app.services import exports
from app.services.actor import Actor
from app.services.errors import ServiceError
from app.services.imports import ImportService, Problem, UndoSummary
from app.views import file_choice
from app.views.settings import Settings
from app.views.tasks import Task


def show_failure(parent: QWidget, title: str, exc: object) -> None:
    """A failure the user can act on is shown; anything else is a bug and goes to the error dialog."""
    if isinstance(exc, ServiceError | DatabaseOpenError | OSError):
        QMessageBox.warning(parent, title, str(exc))
        return
    raise exc  # type: ignore[misc]


def report_name(source: Path) -> str:
    return _("{name} - problems").format(name=source.stem) + ".xlsx"


def save_report_as(
    parent: QWidget,
    settings: Settings,
    source: Path,
    sheet: str,
    problems: Sequence[Problem],
    saved: Callable[[Path], None] | None = None,
) -> Task | None:
    """Ask where, then write the report: a copy of the source sheet with each row's problems beside it."""
    path = file_choice.choose_save(
        parent, settings, "export", _("Save import report"), report_name(source), file_choice.xlsx_filter()
    )
    if path is None:
        return None
    if path.suffix.lower() != ".xlsx":
        path = path.with_name(path.name + ".xlsx")  # the report is a workbook whatever the name typed
    task = Task(
        parent,
        _("Saving the report…"),
        lambda _progress, _cancelled: exports.save_report(source, sheet, list(problems), path),
    )
    if saved is not None:
        task.finished.connect(saved)
    task.failed.connect(lambda exc: show_failure(parent, _("Cannot save the report"), exc))
    task.start()
    return task


def undo_text(summary: UndoSummary) -> str:
    text = _("{removed} records removed, {restored} records given their old values back.").format(
        removed=format_number(summary.removed), restored=format_number(summary.restored)
    )
    if summary.kept:
        text += "\n\n" + _("Kept as they are:") + "\n" + "\n".join(f"• {reason}" for reason in summary.kept)
    return text


def undo_import(
    parent: QWidget,
    service: ImportService,
    actor: Actor,
    batch_id: uuid.UUID,
    done: Callable[[UndoSummary], None] | None = None,
) -> Task | None:
    """Ask first, then undo the batch; the outcome, with why any record was kept, is shown."""
    answer = QMessageBox.question(
        parent,
        _("Undo import"),
        _(
            "Undo this import? The records it created are removed and the ones it updated get their old "
            "values back — except records changed since, which are kept."
        ),
    )
    if answer != QMessageBox.StandardButton.Yes:
        return None

    def finished(summary: UndoSummary) -> None:
        QMessageBox.information(parent, _("Import undone"), undo_text(summary))
        if done is not None:
            done(summary)

    task = Task(parent, _("Undoing the import…"), lambda _progress, _cancelled: service.undo(actor, batch_id))
    task.finished.connect(finished)
    task.failed.connect(lambda exc: show_failure(parent, _("Cannot undo the import"), exc))
    task.start()
    return task


def save_template(parent: QWidget, settings: Settings) -> Path | None:
    """Ask where, and write the blank customer sheet there; None if the user chose nothing or it failed."""
    path = file_choice.choose_save(
        parent,
        settings,
        "export",
        _("Save import template"),
        _("Customer import template") + ".xlsx",
        file_choice.xlsx_filter(),
    )
    if path is None:
        return None
    try:
        exports.write_template(path)
    except (ServiceError, OSError) as exc:
        QMessageBox.warning(parent, _("Cannot save the template"), str(exc))
        return None
    return path
