"""Translations and locale formatting shared by the GUI, the command line and the services (no Qt).

One gettext catalogue per language under resources/translations, read straight from its .po file,
so the CLI and the service messages speak the same language as the window.
"""

from __future__ import annotations

import functools
import gettext
import locale
import os
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
TRANSLATIONS = RESOURCES / "translations"
DOMAIN = "clientdesk"
LANGUAGES = {"zh_CN": "简体中文", "en": "English"}
DEFAULT_LANGUAGE = "zh_CN"

_current = "en"
_translation: gettext.NullTranslations = gettext.NullTranslations()


class _PoTranslations(gettext.NullTranslations):
    """A catalogue read from a .po file; empty or fuzzy entries fall back to the English text."""

    def __init__(self, po_path: Path) -> None:
        super().__init__()
        from babel.messages.pofile import read_po

        with po_path.open("rb") as fh:
            catalog = read_po(fh)
        self._messages = {
            msg.id: msg.string
            for msg in catalog
            if msg.id and isinstance(msg.id, str) and msg.string and not msg.fuzzy
        }

    def gettext(self, message: str) -> str:
        return self._messages.get(message, message)


def po_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def set_language(language: str) -> None:
    global _current, _translation
    if language not in LANGUAGES:
        language = "en"
    path = po_path(language)
    _translation = _PoTranslations(path) if language != "en" and path.exists() else gettext.NullTranslations()
    _current = language


_catalogues: dict[str, gettext.NullTranslations] = {}


def translate_to(language: str, message: str) -> str:
    """`message` in a given language, whatever the current one: imports recognise labels in both."""
    if language not in _catalogues:
        path = po_path(language)
        _catalogues[language] = (
            _PoTranslations(path) if language != "en" and path.exists() else gettext.NullTranslations()
        )
    return _catalogues[language].gettext(message)


def current_language() -> str:
    return _current


def system_language() -> str:
    """The language the user's system prefers, for a first start and for the command line."""
    for name in ("CLIENTDESK_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "zh_CN" if value.lower().startswith("zh") else "en"
    code = (locale.getlocale()[0] or "").lower()
    return "zh_CN" if code.startswith("zh") or code.startswith("chinese") else "en"


def _(message: str) -> str:
    return _translation.gettext(message)


def N_(message: str) -> str:
    """Marks a string for translation where it is defined; `_()` translates it where it is shown."""
    return message


def _babel_locale() -> str:
    return "zh_Hans_CN" if _current == "zh_CN" else "en_US"


def format_date(value: date | None) -> str:
    if value is None:
        return ""
    from babel.dates import format_date as babel_format_date

    return babel_format_date(value, format="medium", locale=_babel_locale())


def format_datetime(value: datetime | None) -> str:
    """A stored UTC time shown in the machine's local time zone."""
    if value is None:
        return ""
    from babel.dates import format_datetime as babel_format_datetime

    local = value.astimezone()
    return babel_format_datetime(local, format="medium", tzinfo=local.tzinfo, locale=_babel_locale())


def format_minute(value: datetime | None) -> str:
    """A stored UTC time as the lists show it: the local date and the time to the minute."""
    if value is None:
        return ""
    local = value.astimezone()
    return f"{format_date(local.date())} {local:%H:%M}"


@functools.lru_cache(maxsize=4)
def _money_format(locale: str):
    # Parsed once per language: a printed report formats tens of thousands of amounts, and babel
    # would otherwise parse the locale and the pattern for each.
    from babel import Locale
    from babel.numbers import parse_pattern

    return parse_pattern("#,##0.00"), Locale.parse(locale)


def format_money(value: Decimal | None) -> str:
    if value is None:
        return ""
    pattern, locale = _money_format(_babel_locale())
    text = pattern.apply(abs(value), locale)
    return f"-¥{text}" if value < 0 else f"¥{text}"


def format_number(value: int | None) -> str:
    if value is None:
        return ""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=_babel_locale())
