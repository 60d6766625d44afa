"""Lists out to Excel and CSV: customers as shown, transactions, contact logs, the blank import template,
and an import's report as a copy of its source with the problems beside each row."""

from __future__ import annotations

import contextlib
import csv
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from operator import attrgetter
from pathlib import Path

from sqlalchemy import func, select

from app.db import Database
from app.i18n import N_, _, format_number
from app.models import ContactLog, ContactPerson, Customer, Staff, TierRuleVersion, Transaction
from app.services import labels
from app.services.actor import Actor
from app.services.customers import CustomerQuery, CustomerService
from app.services.errors import Cancelled, ServiceError
from app.services.imports import Problem, local_wall_clock
from app.services.progress import IsCancelled, Progress, Ticker
from app.services.sheets import CellError, open_workbook
from app.services.tier_report import customer_filters, evaluated_customers
from app.services.tier_rules import DIMENSIONS, RuleDefinition
from app.services.tiers import RAW_COLUMNS, find_evaluation, tier_name

PROGRESS_SECONDS = 0.2
WIDTH_SAMPLE = 200  # rows looked at to size the columns
MAX_WIDTH = 60
CSV_ENCODING = "utf-8-sig"  # the BOM makes Excel read the Chinese correctly
FORMATS = ("xlsx", "csv")


@dataclass(frozen=True)
class ExportColumn:
    key: str
    label: str  # English, marked for translation
    kind: str = "text"  # text, date, datetime, money, number
    value: Callable | None = None  # row → value; None reads the attribute `key`

    def of(self, row) -> object:
        return self.getter(row)

    @property
    def getter(self) -> Callable:
        return self.value if self.value is not None else attrgetter(self.key)


CUSTOMER_COLUMNS = {
    c.key: c
    for c in (
        ExportColumn("code", N_("Customer code")),
        ExportColumn("name", N_("Company name")),
        ExportColumn("short_name", N_("Short name")),
        ExportColumn("category", N_("Category"), value=lambda r: labels.label(labels.CATEGORY, r.category)),
        ExportColumn("tier", N_("Tier"), value=lambda r: labels.label(labels.TIER_NAMES, r.tier)),
        ExportColumn("industry", N_("Industry")),
        ExportColumn("province", N_("Province")),
        ExportColumn("city", N_("City")),
        ExportColumn("manager", N_("Account manager")),
        ExportColumn("phone", N_("Phone")),
        ExportColumn("email", N_("E-mail")),
        ExportColumn("uscc", N_("Unified social credit code")),
        ExportColumn("founded", N_("Founded"), "date"),
        ExportColumn("updated_at", N_("Last changed"), "datetime", lambda r: local_wall_clock(r.updated_at)),
    )
}
DEFAULT_CUSTOMER_COLUMNS = (
    "code",
    "name",
    "short_name",
    "category",
    "tier",
    "industry",
    "province",
    "city",
    "manager",
    "phone",
    "email",
    "uscc",
    "founded",
)


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    rows: int


def file_format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ServiceError(
            _("Export to .xlsx or .csv, not {suffix}.").format(suffix=path.suffix or path.name)
        )
    return suffix


def _cell_width(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    if isinstance(value, Decimal | float | int):
        return len(f"{value:,}") + 1
    text = str(value)
    # A Chinese character is twice as wide as a Latin one.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text.split("\n")[0])


def write_table(
    path: Path,
    sheet: str,
    columns: list[ExportColumn],
    rows: Iterable,
    total: int,
    progress: Progress | None = None,
    cancelled: IsCancelled | None = None,
    groups: list[tuple[str, int]] | None = None,
) -> ExportSummary:
    """Write rows to .xlsx (styled, frozen header, auto-filter, real dates and money) or UTF-8 CSV.

    `groups` (label, number of columns) puts a merged row of group headings above the xlsx header.
    The file is written beside its destination and moved there at the end, so a cancelled or failed
    export never leaves a half-written file where the user expects a whole one."""
    path = Path(path)
    kind = file_format(path)
    tick = Ticker(progress, cancelled, _("The export was cancelled."), PROGRESS_SECONDS)
    partial = path.with_name(f".{path.name}.partial")
    try:
        if kind == "csv":
            count = _write_csv(partial, columns, rows, total, tick)
        else:
            count = _write_xlsx(partial, sheet, columns, rows, total, tick, groups or [])
        partial.replace(path)
    except PermissionError:
        partial.unlink(missing_ok=True)
        raise ServiceError(
            _(
                "Cannot write {file}: it is open in another program or the folder is read-only. Close it and "
                "try again."
            ).format(file=path.name)
        ) from None
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ServiceError(
            _("Cannot write {file}: {reason}").format(file=path.name, reason=exc.strerror or exc)
        ) from None
    except BaseException:
        with contextlib.suppress(OSError):  # a workbook still being packed is removed when it is done
            partial.unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(count, max(count, total))
    return ExportSummary(path, count)


def _write_csv(path: Path, columns: list[ExportColumn], rows: Iterable, total: int, tick: Ticker) -> int:
    count = 0
    with path.open("w", encoding=CSV_ENCODING, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([_(c.label) for c in columns])
        for row in rows:
            out = []
            for column in columns:
                value = column.of(row)
                if value is None:
                    value = ""
                elif isinstance(value, datetime):
                    value = value.strftime("%Y-%m-%d %H:%M")
                elif isinstance(value, date):
                    value = value.isoformat()
                out.append(value)
            writer.writerow(out)
            count += 1
            tick(count, total)
    return count


def _write_xlsx(
    path: Path,
    sheet: str,
    columns: list[ExportColumn],
    rows: Iterable,
    total: int,
    tick: Ticker,
    groups: list[tuple[str, int]],
) -> int:
    import xlsxwriter

    book = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    try:
        ws = book.add_worksheet(sheet[:31])
        header = book.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1, "valign": "vcenter"})
        formats = {
            "date": book.add_format({"num_format": "yyyy-mm-dd"}),
            "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
            "money": book.add_format({"num_format": "#,##0.00"}),
            "number": book.add_format({"num_format": "0"}),
            "decimal": book.add_format({"num_format": "0.0"}),
        }
        iterator = iter(rows)
        getters = [c.getter for c in columns]
        first: list = []
        for row in iterator:
            first.append([get(row) for get in getters])
            if len(first) >= WIDTH_SAMPLE:
                break
        for index, column in enumerate(columns):
            width = max([_cell_width(_(column.label)), *(_cell_width(r[index]) for r in first)])
            ws.set_column(index, index, min(max(width + 2, 8), MAX_WIDTH), formats.get(column.kind))
        top = 1 if groups else 0  # the header's row
        if groups:
            group = book.add_format({"bold": True, "align": "center", "bg_color": "#B8CCE4", "border": 1})
            column = 0
            for label, span in groups:
                if span > 1:
                    ws.merge_range(0, column, 0, column + span - 1, _(label), group)
                else:
                    ws.write(0, column, _(label), group)
                column += span
        ws.write_row(top, 0, [_(c.label) for c in columns], header)
        ws.freeze_panes(top + 1, 0)
        kinds = [c.kind for c in columns]
        count = 0

        def all_rows() -> Iterator[list]:
            yield from first
            for row in iterator:
                yield [get(row) for get in getters]

        for count, values in enumerate(all_rows(), start=1):
            line = top + count
            for index, value in enumerate(values):
                if value is None or value == "":
                    continue
                kind = kinds[index]
                if kind == "text":
                    ws.write_string(line, index, value)
                elif kind in ("date", "datetime"):
                    ws.write_datetime(line, index, value, formats[kind])
                else:
                    ws.write_number(line, index, value, formats[kind])
            tick(count, total)
        ws.autofilter(top, 0, top + max(count, 1), len(columns) - 1)
    except BaseException:
        _discard(book, path)
        raise
    _close_watched(book, path, tick, count, total)
    return count


def _discard(book, path: Path, packed: threading.Event | None = None) -> None:
    """Let a workbook that is not wanted (cancelled, failed) finish packing in the background, which
    also removes XlsxWriter's temporary files, then delete it: the user does not wait for it."""

    def close_and_delete() -> None:
        if packed is not None:
            packed.wait()
        else:
            with contextlib.suppress(Exception):
                book.close()
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)

    threading.Thread(target=close_and_delete, name="xlsx-discard", daemon=True).start()


def _close_watched(book, path: Path, tick: Ticker, count: int, total: int) -> None:
    """XlsxWriter's close() packs the workbook, a few seconds for 100,000 rows that nothing can
    interrupt: it runs in a thread while this one keeps reporting progress and answering Cancel at
    once. A cancelled workbook is finished in the background, then its temporary file removed."""
    finished = threading.Event()
    failure: list[BaseException] = []

    def close() -> None:
        try:
            book.close()
        except BaseException as exc:
            failure.append(exc)
        finally:
            finished.set()

    threading.Thread(target=close, name="xlsx-close", daemon=True).start()
    while not finished.wait(PROGRESS_SECONDS):
        try:
            tick(count, total)
        except Cancelled:
            _discard(book, path, packed=finished)
            raise
    if failure:
        raise failure[0]


# ---------------------------------------------------------------- what can be exported


def export_customers(
    db: Database,
    actor: Actor,
    path: str | Path,
    query: CustomerQuery,
    columns: Iterable[str] = DEFAULT_CUSTOMER_COLUMNS,
    progress: Progress | None = None,
    cancelled: IsCancelled | None = None,
) -> ExportSummary:
    """The customer list as shown: its filter, sort and columns, in that order."""
    chosen = [CUSTOMER_COLUMNS[key] for key in columns if key in CUSTOMER_COLUMNS]
    unknown = [key for key in columns if key not in CUSTOMER_COLUMNS]
    if unknown or not chosen:
        raise ServiceError(
            _("Unknown column {column}; the columns are: {known}.").format(
                column=", ".join(unknown) or "—", known=", ".join(CUSTOMER_COLUMNS)
            )
        )
    service = CustomerService(db)
    total = service.count(actor, query)
    rows: Iterator = service.iter_records(actor, query)
    return write_table(Path(path), _("Customers"), chosen, rows, total, progress, cancelled)


def _export_statement(
    db: Database,
    actor: Actor,
    path: str | Path,
    sheet: str,
    columns: list[ExportColumn],
    stmt,
    query: CustomerQuery | None,
    progress: Progress | None,
    cancelled: IsCancelled | None,
) -> ExportSummary:
    """Rows of `stmt` (joined to Customer) for the customers the query lists, all live ones without one."""
    if query is None:
        stmt = stmt.where(Customer.deleted_at.is_(None))
    else:
        ids = CustomerService(db).matching_ids(actor, query)
        stmt = stmt.where(Customer.id.in_(ids.scalar_subquery()))
    with db.session() as session:
        total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    return write_table(Path(path), sheet, columns, _stream(db, stmt), total, progress, cancelled)


TRANSACTION_COLUMNS = [
    ExportColumn("customer_code", N_("Customer code")),
    ExportColumn("customer_name", N_("Company name")),
    ExportColumn("occurred_on", N_("Date"), "date"),
    ExportColumn("amount", N_("Amount"), "money"),
    ExportColumn("profit", N_("Profit"), "money"),
    ExportColumn("product", N_("Product")),
    ExportColumn("contract_no", N_("Contract no.")),
    ExportColumn(
        "payment_method",
        N_("Payment method"),
        value=lambda r: labels.label(labels.PAYMENT_METHOD, r.payment_method) if r.payment_method else "",
    ),
    ExportColumn("notes", N_("Notes")),
]

CONTACT_LOG_COLUMNS = [
    ExportColumn("customer_code", N_("Customer code")),
    ExportColumn("customer_name", N_("Company name")),
    ExportColumn("occurred_at", N_("Date and time"), "datetime", lambda r: local_wall_clock(r.occurred_at)),
    ExportColumn("kind", N_("Type"), value=lambda r: labels.label(labels.CONTACT_KIND, r.kind)),
    ExportColumn("staff", N_("Staff")),
    ExportColumn("contact_person", N_("Contact person")),
    ExportColumn("subject", N_("Subject")),
    ExportColumn("summary", N_("Summary")),
    ExportColumn("outcome", N_("Outcome")),
    ExportColumn("next_step", N_("Next step")),
    ExportColumn("next_date", N_("Next contact on"), "date"),
]


def _stream(db: Database, stmt, page_size: int = 2000) -> Iterator:
    with db.session() as session:
        yield from session.execute(stmt.execution_options(yield_per=page_size))


def export_transactions(
    db: Database,
    actor: Actor,
    path: str | Path,
    query: CustomerQuery | None = None,
    progress: Progress | None = None,
    cancelled: IsCancelled | None = None,
) -> ExportSummary:
    """Transactions of the customers the query lists (all live customers without one), newest first."""
    stmt = (
        select(
            Customer.code.label("customer_code"),
            Customer.name.label("customer_name"),
            Transaction.occurred_on,
            Transaction.amount,
            Transaction.profit,
            Transaction.product,
            Transaction.contract_no,
            Transaction.payment_method,
            Transaction.notes,
        )
        .join(Customer, Customer.id == Transaction.customer_id)
        .where(Transaction.deleted_at.is_(None))
        .order_by(Transaction.occurred_on.desc(), Customer.code)
    )
    return _export_statement(
        db, actor, path, _("Transactions"), TRANSACTION_COLUMNS, stmt, query, progress, cancelled
    )


def export_contact_logs(
    db: Database,
    actor: Actor,
    path: str | Path,
    query: CustomerQuery | None = None,
    progress: Progress | None = None,
    cancelled: IsCancelled | None = None,
) -> ExportSummary:
    stmt = (
        select(
            Customer.code.label("customer_code"),
            Customer.name.label("customer_name"),
            ContactLog.occurred_at,
            ContactLog.kind,
            func.coalesce(Staff.name, "").label("staff"),
            func.coalesce(ContactPerson.name, "").label("contact_person"),
            ContactLog.subject,
            ContactLog.summary,
            ContactLog.outcome,
            ContactLog.next_step,
            ContactLog.next_date,
        )
        .join(Customer, Customer.id == ContactLog.customer_id)
        .outerjoin(Staff, Staff.id == ContactLog.staff_id)
        .outerjoin(ContactPerson, ContactPerson.id == ContactLog.contact_person_id)
        .where(ContactLog.deleted_at.is_(None))
        .order_by(ContactLog.occurred_at.desc())
    )
    return _export_statement(
        db, actor, path, _("Contact logs"), CONTACT_LOG_COLUMNS, stmt, query, progress, cancelled
    )


# ---------------------------------------------------------------- the tier table


TIER_BASIC_COLUMNS = [
    ExportColumn("code", N_("Customer code")),
    ExportColumn("name", N_("Company name")),
    ExportColumn("manager", N_("Account manager")),
    ExportColumn("department", N_("Department")),
    ExportColumn("industry", N_("Industry")),
    ExportColumn("category", N_("Category"), value=lambda r: labels.label(labels.CATEGORY, r.category)),
]
# How the tier table writes a dimension's raw figure (counts and ratings as whole numbers otherwise).
TIER_CRITERIA_KINDS = {"revenue": "money", "profit": "money", "cooperation": "decimal"}


def export_tier_table(
    db: Database,
    actor: Actor,
    path: str | Path,
    evaluation: uuid.UUID | str | None = None,
    manager: uuid.UUID | str | None = None,
    department: uuid.UUID | str | None = None,
    progress: Progress | None = None,
    cancelled: IsCancelled | None = None,
) -> ExportSummary:
    """The tier table of seed 003: basic information | the criteria's figures and score | the tier.

    One row per customer of an evaluation (default: the latest), best score first; `manager` and
    `department` (an id or a name) narrow it as the printed report does.
    """
    with db.session() as session:
        found = find_evaluation(session, evaluation)
        rules = RuleDefinition.from_json(session.get(TierRuleVersion, found.rule_version_id).definition)
        filters, _text = customer_filters(session, manager, department)
        stmt = evaluated_customers(found.id, filters)
        total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    criteria = [
        ExportColumn(
            key,
            DIMENSIONS[key].label,
            TIER_CRITERIA_KINDS.get(key, "number"),
            value=lambda r, attribute=RAW_COLUMNS[key]: getattr(r.TierProposal, attribute),
        )
        for key in (d.key for d in rules.dimensions if d.weight > 0 or rules.method != "weighted")
    ]
    criteria.append(ExportColumn("score", N_("Score"), "decimal", lambda r: r.TierProposal.score))
    tier_columns = [
        ExportColumn("tier", N_("Tier"), value=lambda r: tier_name(rules, r.tier)),
        ExportColumn(
            "computed_tier",
            N_("Tier by the rules"),
            value=lambda r: tier_name(rules, r.TierProposal.computed_tier),
        ),
        ExportColumn(
            "overridden",
            N_("Set by hand"),
            value=lambda r: labels.label(labels.YES_NO, "1" if r.TierProposal.overridden else "0"),
        ),
    ]
    groups = [
        (N_("Basic information"), len(TIER_BASIC_COLUMNS)),
        (N_("Tier criteria"), len(criteria)),
        (N_("Tier"), len(tier_columns)),
    ]
    return write_table(
        Path(path),
        _("Customer tiers"),
        [*TIER_BASIC_COLUMNS, *criteria, *tier_columns],
        _stream(db, stmt),
        total,
        progress,
        cancelled,
        groups if file_format(Path(path)) == "xlsx" else None,
    )


# ---------------------------------------------------------------- the blank template


TEMPLATE_GROUPS = (
    (
        N_("Basic information"),
        ("code", "name", "contact_name", "contact_mobile", "address", "industry", "manager"),
    ),
    (N_("Tier criteria"), ("annual_revenue", "employees", "credit_rating", "cooperation_start", "category")),
    (N_("Tier"), ("tier",)),
)
TEMPLATE_CHOICES = {
    "tier": labels.TIER,
    "category": labels.CATEGORY,
    "credit_rating": labels.CREDIT_RATING,
}


def write_template(path: str | Path) -> Path:
    """The blank customer sheet to hand out: the tier-table layout of basic information, criteria and tier,
    with drop-down lists where the values are fixed, and a sheet explaining each column."""
    import xlsxwriter

    from app.services.import_columns import targets

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ServiceError(_("The template is an .xlsx workbook; give a file name ending in .xlsx."))
    fields = targets("customers")
    book = xlsxwriter.Workbook(str(path))
    try:
        ws = book.add_worksheet(_("Customer tiers")[:31])
        title = book.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
        group = book.add_format({"bold": True, "align": "center", "bg_color": "#B8CCE4", "border": 1})
        header = book.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True})
        required = book.add_format(
            {"bold": True, "bg_color": "#DCE6F1", "border": 1, "font_color": "#C00000"}
        )
        keys = [key for _group, members in TEMPLATE_GROUPS for key in members]
        ws.merge_range(0, 0, 0, len(keys) - 1, _("Customer tier table"), title)
        ws.set_row(0, 28)
        column = 0
        for name, members in TEMPLATE_GROUPS:
            if len(members) > 1:
                ws.merge_range(1, column, 1, column + len(members) - 1, _(name), group)
            else:
                ws.write(1, column, _(name), group)
            column += len(members)
        for index, key in enumerate(keys):
            target = fields[key]
            ws.write(2, index, target.title, required if target.required else header)
            ws.set_column(index, index, max(_cell_width(target.title) + 4, 12))
            if key in TEMPLATE_CHOICES:
                choices = [labels.label(TEMPLATE_CHOICES[key], k) for k in TEMPLATE_CHOICES[key]]
                ws.data_validation(
                    3, index, 5000, index, {"validate": "list", "source": choices, "error_type": "warning"}
                )
            if key in ("cooperation_start",):
                ws.data_validation(
                    3,
                    index,
                    5000,
                    index,
                    {
                        "validate": "date",
                        "criteria": ">",
                        "value": datetime(1900, 1, 1),
                        "error_type": "warning",
                    },
                )
        ws.freeze_panes(3, 1)
        notes = book.add_worksheet(_("How to fill in")[:31])
        notes.set_column(0, 0, 24)
        notes.set_column(1, 1, 80)
        notes.write_row(0, 0, [_("Column"), _("What to write")], header)
        explanations = {
            "name": _("Required. The company's full name."),
            "code": _("Optional. Leave empty and ClientDesk gives the next code."),
            "contact_mobile": _("A mobile or landline, e.g. 13800138000 or 010-12345678."),
            "annual_revenue": _("Yuan, e.g. 1200000, 120万 or ¥1,200,000."),
            "cooperation_start": _("A date, e.g. 2019-03-05."),
            "manager": _("The account manager's name as in ClientDesk."),
            "tier": _("VIP, Important, Normal or Prospect (or your own tier names)."),
        }
        for row, key in enumerate(keys, start=1):
            notes.write_row(row, 0, [fields[key].title, explanations.get(key, "")])
    finally:
        book.close()
    return path


# ---------------------------------------------------------------- the import report


def save_report(source: str | Path, sheet: str, problems: list[Problem], path: str | Path) -> Path:
    """A copy of the imported sheet with a column saying what is wrong in each row (errors red, warnings
    yellow), so the user fixes the file there and imports it again; a second sheet lists every problem."""
    import xlsxwriter

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ServiceError(_("The report is an .xlsx workbook; give a file name ending in .xlsx."))
    by_row: dict[int, list[Problem]] = {}
    for problem in problems:
        by_row.setdefault(problem.row, []).append(problem)
    book = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    try:
        error = book.add_format({"bg_color": "#F8CBAD", "text_wrap": True})
        warning = book.add_format({"bg_color": "#FFF2CC", "text_wrap": True})
        header = book.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1})
        date_format = book.add_format({"num_format": "yyyy-mm-dd"})
        ws = book.add_worksheet(sheet[:31] or _("Sheet"))
        with open_workbook(source) as workbook:
            rows = workbook.sheet(sheet)
            ws.set_column(0, 0, 50)
            ws.write(0, 0, _("Import problems"), header)
            for index, row in enumerate(rows):
                excel_row = rows.first_row + index
                out = excel_row - 1  # the same row numbers as the source, so messages match
                found = by_row.get(excel_row, [])
                if found:
                    worst = error if any(p.level == "error" for p in found) else warning
                    ws.write_string(
                        out,
                        0,
                        "\n".join(f"{p.column}: {p.message}" if p.column else p.message for p in found),
                        worst,
                    )
                for column, value in enumerate(row, start=1 + rows.first_column):
                    if isinstance(value, CellError):
                        ws.write_string(out, column, str(value))
                    elif isinstance(value, datetime | date):
                        ws.write_datetime(out, column, value, date_format)
                    elif isinstance(value, bool):
                        ws.write_boolean(out, column, value)
                    elif isinstance(value, int | float):
                        ws.write_number(out, column, value)
                    elif value not in (None, ""):
                        ws.write_string(out, column, str(value))
        listing = book.add_worksheet(_("Problems")[:31])
        listing.write_row(
            0, 0, [_("Level"), _("Sheet"), _("Row"), _("Column"), _("Value"), _("Reason")], header
        )
        level_names = {"error": _("Error"), "warning": _("Warning"), "merged": _("Merged")}
        for row, problem in enumerate(sorted(problems, key=lambda p: p.row), start=1):
            listing.write_row(
                row,
                0,
                [
                    level_names.get(problem.level, problem.level),
                    problem.sheet,
                    problem.row,
                    problem.column,
                    problem.value,
                    problem.message,
                ],
            )
        listing.set_column(0, 3, 14)
        listing.set_column(4, 4, 24)
        listing.set_column(5, 5, 80)
    finally:
        book.close()
    return path


def describe(summary: ExportSummary) -> str:
    return _("{count} rows written to {file}.").format(
        count=format_number(summary.rows), file=summary.path.name
    )
