"""Choosing a file to read or write: opens in the folder last used for the same purpose, adds the suffix."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from app.i18n import _
from app.views.settings import Settings


def spreadsheet_filter() -> str:
    return ";;".join(
        (
            _("Spreadsheets (*.xlsx *.xlsm *.xls *.csv *.txt)"),
            _("Excel workbooks (*.xlsx *.xlsm *.xls)"),
            _("CSV and text files (*.csv *.txt)"),
            _("All files (*)"),
        )
    )


def xlsx_filter() -> str:
    return _("Excel workbook (*.xlsx)")


def table_filter() -> str:
    return ";;".join((_("Excel workbook (*.xlsx)"), _("CSV, UTF-8 (*.csv)")))


def _start(settings: Settings, purpose: str, name: str = "") -> str:
    folder = settings.last_folder(purpose)
    if not folder or not Path(folder).is_dir():
        folder = str(Path.home())
    return str(Path(folder) / name) if name else folder


def choose_open(
    parent: QWidget | None, settings: Settings, purpose: str, title: str, filters: str
) -> Path | None:
    """A file to read, or None when the user cancelled."""
    chosen, _selected = QFileDialog.getOpenFileName(parent, title, _start(settings, purpose), filters)
    if not chosen:
        return None
    settings.set_last_folder(purpose, str(Path(chosen).parent))
    return Path(chosen)


def choose_save(
    parent: QWidget | None, settings: Settings, purpose: str, title: str, name: str, filters: str
) -> Path | None:
    """A file to write (the file dialog has asked before replacing one), or None when cancelled.

    A name typed without a suffix gets the one of the chosen filter, e.g. "客户" → "客户.xlsx"."""
    chosen, selected = QFileDialog.getSaveFileName(parent, title, _start(settings, purpose, name), filters)
    if not chosen:
        return None
    path = Path(chosen)
    if not path.suffix:
        start = selected.rfind("*.")
        if start >= 0:
            path = path.with_name(path.name + selected[start + 1 :].split()[0].rstrip(")"))
    settings.set_last_folder(purpose, str(path.parent))
    return path
