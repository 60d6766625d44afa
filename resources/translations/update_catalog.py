"""Re-extract every translatable string of app/ and merge it into each language's .po catalogue.

Run after adding or changing texts: python resources/translations/update_catalog.py
New strings arrive untranslated; the test suite fails until each one has its translation.
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
LANGUAGES = ["zh_CN"]
KEYWORDS = {"_": None, "N_": None}


def extract() -> Catalog:
    template = Catalog(project="ClientDesk", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT / "app", method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        template.add(message, None, [(f"app/{filename}", lineno)], auto_comments=comments, context=context)
    return template


def update(template: Catalog) -> None:
    for language in LANGUAGES:
        path = HERE / language / "LC_MESSAGES" / "clientdesk.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("rb") as fh:
                catalog = read_po(fh, locale=language)
        else:
            catalog = Catalog(locale=language, project="ClientDesk", charset="utf-8")
        # No fuzzy guesses: a wrong "similar" translation is worse than a visible gap.
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        buffer = io.BytesIO()
        write_po(buffer, catalog, width=0, omit_header=False, sort_output=False)
        path.write_bytes(buffer.getvalue())
        missing = [m.id for m in catalog if m.id and not m.string]
        print(f"{path.relative_to(ROOT)}: {len(catalog)} messages, {len(missing)} untranslated")


if __name__ == "__main__":
    update(extract())
