"""Add or edit a transaction (a sale) of a customer."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QWidget

from app.dialogs.form import FieldSpec
from app.dialogs.record_dialog import RecordDialog
from app.i18n import _
from app.services import labels
from app.services.customers import TransactionInput, clean_transaction

TRANSACTION_FIELDS = [
    FieldSpec("occurred_on", "date", required=True),
    FieldSpec("amount", "money", required=True),
    FieldSpec("profit", "money"),
    FieldSpec("product"),
    FieldSpec("contract_no"),
    FieldSpec("payment_method", "choice", labels.PAYMENT_METHOD),
    FieldSpec("notes", "multiline"),
]


def transaction_dialog(parent: QWidget | None, initial: TransactionInput | None = None) -> RecordDialog:
    title = _("New transaction") if initial is None else _("Edit transaction")
    return RecordDialog(
        parent,
        title,
        TRANSACTION_FIELDS,
        initial or TransactionInput(occurred_on=date.today()),
        lambda values: TransactionInput(**values),
        clean_transaction,
    )
