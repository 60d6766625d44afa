"""Typed user settings over QSettings: language, window state, table layout, the last filter and folders."""

from __future__ import annotations

import json
import uuid
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from app import i18n

ORGANIZATION = "ClientDesk"
APPLICATION = "ClientDesk"

_DEFAULTS: dict[str, Any] = {
    "language": "",  # empty until the first start asks
    "database_url": "",  # empty: the embedded database
    "main_window/geometry": QByteArray(),
    "main_window/state": QByteArray(),
    "customers/header": QByteArray(),
    "customers/filter": {},
    "customer_window/geometry": QByteArray(),
    "import_wizard/geometry": QByteArray(),
    "import_history/geometry": QByteArray(),
    "tiers/splitter": QByteArray(),  # the Tiers page: proposals beside their explanation
    "tier_rules/geometry": QByteArray(),
    "tier_rules/splitter": QByteArray(),
    "my_day/splitter": QByteArray(),  # My day: the follow-ups beside the care reminders
    "handover_wizard/geometry": QByteArray(),
    "watch/tab": 0,  # Service watch: the tab last shown
    "watch/lapsed_header": QByteArray(),
    "watch/understaffed_header": QByteArray(),
    "watch/overview_header": QByteArray(),
    "tickets/list_header": QByteArray(),  # the complaint tickets page
    "tickets/customer_header": QByteArray(),  # a customer file's Complaints tab
    "tickets/filter": {},
    "ticket_dialog/geometry": QByteArray(),
    "folders/import": "",
    "folders/export": "",
    "user/staff_id": "",  # who works at this computer: the staff member the app acts as
    "imports/sources": "",  # JSON: [[batch id, path], …], oldest first
}
# Source files remembered for the import history's reports: as many as it lists.
MAX_IMPORT_SOURCES = 200


class Settings:
    """Reads and writes one settings store; tests pass an .ini path so nothing real is touched."""

    def __init__(self, path: str | None = None) -> None:
        if path is None:
            self._store = QSettings(
                QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION
            )
        else:
            self._store = QSettings(path, QSettings.Format.IniFormat)

    def _get(self, key: str) -> Any:
        default = _DEFAULTS[key]
        value = self._store.value(key, default)
        if isinstance(default, QByteArray) and not isinstance(value, QByteArray):
            return QByteArray()
        if isinstance(default, dict) and not isinstance(value, dict):
            return {}
        return value

    def _set(self, key: str, value: Any) -> None:
        self._store.setValue(key, value)

    def sync(self) -> None:
        self._store.sync()

    @property
    def language(self) -> str:
        value = str(self._get("language") or "")
        return value if value in i18n.LANGUAGES else ""

    @language.setter
    def language(self, value: str) -> None:
        self._set("language", value)

    @property
    def database_url(self) -> str:
        return str(self._get("database_url") or "")

    @database_url.setter
    def database_url(self, value: str) -> None:
        self._set("database_url", value)

    @property
    def staff_id(self) -> uuid.UUID | None:
        try:
            return uuid.UUID(str(self._get("user/staff_id")))
        except ValueError:
            return None

    @staff_id.setter
    def staff_id(self, value: uuid.UUID | None) -> None:
        self._set("user/staff_id", str(value) if value else "")

    def geometry(self, name: str) -> QByteArray:
        return self._get(f"{name}/geometry")

    def set_geometry(self, name: str, value: QByteArray) -> None:
        self._set(f"{name}/geometry", value)

    @property
    def main_window_state(self) -> QByteArray:
        return self._get("main_window/state")

    @main_window_state.setter
    def main_window_state(self, value: QByteArray) -> None:
        self._set("main_window/state", value)

    def last_folder(self, purpose: str) -> str:
        """The folder a file was last chosen in for `purpose` ("import" or "export"); empty at first."""
        return str(self._get(f"folders/{purpose}") or "")

    def set_last_folder(self, purpose: str, folder: str) -> None:
        self._set(f"folders/{purpose}", folder)

    def _import_sources(self) -> dict[str, str]:
        try:
            pairs = json.loads(str(self._get("imports/sources") or "[]"))
            return {str(batch): str(path) for batch, path in pairs}
        except (ValueError, TypeError):
            return {}  # a hand-edited or damaged entry: forgetting the paths loses nothing else

    def import_source(self, batch_id: str) -> str:
        """The file an import batch was read from, to save its report later; empty if unknown."""
        return self._import_sources().get(batch_id, "")

    def remember_import_source(self, batch_id: str, path: str) -> None:
        sources = self._import_sources()
        sources[batch_id] = path
        # JSON, not a settings map: a map comes back sorted by key and the oldest could not be found.
        pairs = list(sources.items())[-MAX_IMPORT_SOURCES:]
        self._set("imports/sources", json.dumps(pairs, ensure_ascii=False))

    @property
    def tiers_splitter(self) -> QByteArray:
        return self._get("tiers/splitter")

    @tiers_splitter.setter
    def tiers_splitter(self, value: QByteArray) -> None:
        self._set("tiers/splitter", value)

    @property
    def tier_rules_splitter(self) -> QByteArray:
        return self._get("tier_rules/splitter")

    @tier_rules_splitter.setter
    def tier_rules_splitter(self, value: QByteArray) -> None:
        self._set("tier_rules/splitter", value)

    @property
    def customers_header(self) -> QByteArray:
        return self._get("customers/header")

    @customers_header.setter
    def customers_header(self, value: QByteArray) -> None:
        self._set("customers/header", value)

    @property
    def customers_filter(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in dict(self._get("customers/filter")).items()}

    @customers_filter.setter
    def customers_filter(self, value: dict[str, str]) -> None:
        self._set("customers/filter", dict(value))

    @property
    def my_day_splitter(self) -> QByteArray:
        return self._get("my_day/splitter")

    @my_day_splitter.setter
    def my_day_splitter(self, value: QByteArray) -> None:
        self._set("my_day/splitter", value)

    def header_state(self, name: str) -> QByteArray:
        """A table's column widths and order, by the table's settings name (e.g. "watch/lapsed")."""
        return self._get(f"{name}_header")

    def set_header_state(self, name: str, value: QByteArray) -> None:
        self._set(f"{name}_header", value)

    @property
    def tickets_filter(self) -> dict[str, str]:
        """The tickets page's filters as last set: status, category, severity, responsible, text, dates."""
        return {str(k): str(v) for k, v in dict(self._get("tickets/filter")).items()}

    @tickets_filter.setter
    def tickets_filter(self, value: dict[str, str]) -> None:
        self._set("tickets/filter", dict(value))

    @property
    def watch_tab(self) -> int:
        try:
            return int(self._get("watch/tab"))
        except (TypeError, ValueError):
            return 0

    @watch_tab.setter
    def watch_tab(self, value: int) -> None:
        self._set("watch/tab", int(value))
