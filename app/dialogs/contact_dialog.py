"""Add or edit a contact person of a customer."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.dialogs.form import FieldSpec
from app.dialogs.record_dialog import RecordDialog
from app.i18n import N_, _
from app.services.customers import ContactInput, clean_contact

CONTACT_NAME = N_("Name")  # a person's name, not the company's

CONTACT_FIELDS = [
    FieldSpec("name", required=True, label=CONTACT_NAME),
    FieldSpec("title"),
    FieldSpec("mobile"),
    FieldSpec("phone"),
    FieldSpec("email"),
    FieldSpec("wechat"),
    FieldSpec("birthday", "date"),
    FieldSpec("is_decision_maker", "bool"),
    FieldSpec("preferences", "multiline"),
    FieldSpec("notes", "multiline"),
]


def contact_dialog(parent: QWidget | None, initial: ContactInput | None = None) -> RecordDialog:
    title = _("New contact person") if initial is None else _("Edit contact person")
    return RecordDialog(
        parent,
        title,
        CONTACT_FIELDS,
        initial or ContactInput(),
        lambda values: ContactInput(**values),
        clean_contact,
    )
