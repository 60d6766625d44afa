"""Command line over the same services as the window: python -m app.cli (or clientdesk) COMMAND."""

from __future__ import annotations

import argparse
import json
import os
import sys
import unicodedata
import uuid
from collections.abc import Callable, Iterable
from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from app import i18n
from app.db import Database, DatabaseOpenError, explain_database_error, open_database
from app.i18n import _
from app.models.enums import Category
from app.services import labels
from app.services.actor import DEFAULT_ACTOR
from app.services.customers import (
    INPUT_FIELDS,
    ContactInput,
    CustomerDetail,
    CustomerQuery,
    CustomerRow,
    CustomerService,
    TransactionInput,
)
from app.services.errors import ServiceError

PAGE_SIZE = 1000


class CliError(Exception):
    """A problem the user can fix; printed without a traceback."""


# ---------------------------------------------------------------- opening the database


def database_url(value: str | None) -> str | None:
    """--db takes a SQLAlchemy URL; a plain file path is taken to mean an SQLite file."""
    if value is None or "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


def open_db(value: str | None, *, create: bool, upgrade: bool = True) -> Database:
    """Open the database of --db (default: the embedded one); only `create` commands make a new file."""
    url = database_url(value)
    if url is not None and not create:
        try:
            parsed = make_url(url)
        except ArgumentError:
            parsed = None  # open_database explains a bad address
        is_file = (
            parsed is not None
            and parsed.get_backend_name() == "sqlite"
            and parsed.database not in (None, "", ":memory:")
        )
        if is_file:
            path = Path(parsed.database).expanduser()
            if not path.exists():
                # A mistyped path would otherwise silently become a new, empty database.
                raise CliError(
                    _("There is no database at {path}. Create one with: clientdesk init --db {url}").format(
                        path=path, url=value
                    )
                )
    return open_database(url, upgrade=upgrade)


# ---------------------------------------------------------------- output helpers


def parse_date(value: str) -> date:
    """An argparse type: a date written YYYY-MM-DD."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{value} is not a date: write it as YYYY-MM-DD.").format(value=value)
        ) from None


def customer_id_by_code(db: Database, code: str) -> uuid.UUID:
    return CustomerService(db).get_by_code(DEFAULT_ACTOR, code.strip()).id


def json_value(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, Decimal):
        return f"{value:.2f}"  # money stays exact: a string, not a float
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)  # UUIDs


def row_json(row: CustomerRow) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "code": row.code,
        "name": row.name,
        "short_name": row.short_name,
        "category": row.category,
        "tier": row.tier,
        "industry": row.industry,
        "province": row.province,
        "city": row.city,
        "phone": row.phone,
        "email": row.email,
        "uscc": row.uscc,
        "founded": json_value(row.founded),
        "manager": row.manager,
        "updated_at": json_value(row.updated_at),
    }


def _fields_json(data, kind) -> dict[str, Any]:
    return {f.name: json_value(getattr(data, f.name)) for f in fields(kind)}


def detail_json(detail: CustomerDetail, contacts, transactions) -> dict[str, Any]:
    data = {name: json_value(getattr(detail.data, name)) for name in INPUT_FIELDS}
    data.update(
        {
            "id": str(detail.id),
            "manager": detail.manager_name,
            "department": detail.department_name,
            "cooperation_years": detail.cooperation_years,
            "version": detail.version,
            "created_at": json_value(detail.created_at),
            "updated_at": json_value(detail.updated_at),
            "updated_by": detail.updated_by,
            "deleted_at": json_value(detail.deleted_at),
            "contacts": [{"id": str(c.id), **_fields_json(c.data, ContactInput)} for c in contacts],
            "transactions": [
                {"id": str(t.id), **_fields_json(t.data, TransactionInput)} for t in transactions
            ],
        }
    )
    return data


def write_json(value: Any, out: TextIO) -> None:
    """One JSON document (an object), indented for reading; dates, money and ids as json_value writes them."""
    json.dump(value, out, ensure_ascii=False, indent=2, default=json_value)
    out.write("\n")


def write_json_array(items: Iterable[dict], out: TextIO) -> None:
    """A JSON array written item by item, so a million rows never sit in memory at once."""
    out.write("[")
    first = True
    for item in items:
        out.write("\n" if first else ",\n")
        out.write(json.dumps(item, ensure_ascii=False))
        first = False
    out.write("\n]\n" if not first else "]\n")


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    """Left-aligned in `width` terminal columns (a Chinese character takes two); cut with … if longer."""
    if display_width(text) > width:
        while text and display_width(text) > width - 1:
            text = text[:-1]
        text += "…"
    return text + " " * (width - display_width(text))


LIST_COLUMNS: list[tuple[str, int, Callable[[CustomerRow], str]]] = [
    ("Customer code", 8, lambda r: r.code),
    ("Company name", 40, lambda r: r.name),
    ("Category", 10, lambda r: labels.label(labels.CATEGORY, r.category)),
    ("Tier", 14, lambda r: labels.label(labels.TIER, r.tier)),
    ("City", 12, lambda r: r.city),
    ("Account manager", 8, lambda r: r.manager),
    ("Phone", 0, lambda r: r.phone),  # last: not padded
]


def write_table(rows: Iterable[CustomerRow], out: TextIO) -> None:
    titles = [_(title) for title, _w, _f in LIST_COLUMNS]
    # a column is as wide as its title at least (titles are longer in some languages)
    widths = [
        max(width, display_width(t)) if width else 0
        for t, (_t, width, _f) in zip(titles, LIST_COLUMNS, strict=True)
    ]
    out.write("  ".join(pad(t, w) if w else t for t, w in zip(titles, widths, strict=True)) + "\n")
    for row in rows:
        cells = (get(row) for _t, _w, get in LIST_COLUMNS)
        out.write("  ".join(pad(c, w) if w else c for c, w in zip(cells, widths, strict=True)) + "\n")


def _shown(name: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Decimal):
        return i18n.format_money(value)
    if isinstance(value, datetime):
        return i18n.format_datetime(value)
    if isinstance(value, date):
        return i18n.format_date(value)
    if isinstance(value, int):
        return i18n.format_number(value)
    return labels.value_label(name, str(value))


def write_detail(detail: CustomerDetail, contacts, transactions, out: TextIO) -> None:
    lines: list[tuple[str, str]] = []
    for name in INPUT_FIELDS:
        if name in ("manager_id", "department_id"):
            continue
        lines.append((labels.field_label(name), _shown(name, getattr(detail.data, name))))
    lines.append((labels.field_label("manager_id"), detail.manager_name))
    lines.append((labels.field_label("department_id"), detail.department_name))
    if detail.deleted_at is not None:
        lines.append((_("Deleted"), i18n.format_datetime(detail.deleted_at)))
    width = max(display_width(label) for label, _v in lines)
    out.write(f"{detail.data.code}  {detail.data.name}\n")
    for label, value in lines:
        if value:
            out.write(f"  {pad(label, width)}  {value}\n")
    out.write("\n" + _("Contact persons ({count})").format(count=len(contacts)) + "\n")
    for c in contacts:
        data = c.data
        mark = "  *" if data.is_decision_maker else "   "
        parts = [data.name, data.title, data.mobile, data.phone, data.email]
        out.write(mark + "  ".join(p for p in parts if p) + "\n")
    if any(c.data.is_decision_maker for c in contacts):
        out.write("   (* " + labels.field_label("is_decision_maker") + ")\n")
    out.write("\n" + _("Transactions ({count})").format(count=len(transactions)) + "\n")
    for t in transactions:
        data = t.data
        profit = ""
        if data.profit is not None:
            profit = _("profit {amount}").format(amount=i18n.format_money(data.profit))
        parts = [
            i18n.format_date(data.occurred_on),
            i18n.format_money(data.amount),
            profit,
            data.product,
            data.contract_no,
            labels.value_label("payment_method", data.payment_method),
        ]
        out.write("   " + "  ".join(p for p in parts if p) + "\n")


# ---------------------------------------------------------------- commands


def cmd_init(args, out: TextIO) -> int:
    db = open_db(args.db, create=True)
    try:
        out.write(
            _("Database ready: {where} (schema {revision}).").format(
                where=db.where, revision=db.current_revision()
            )
            + "\n"
        )
    finally:
        db.dispose()
    return 0


def cmd_db_upgrade(args, out: TextIO) -> int:
    db = open_db(args.db, create=True, upgrade=False)
    try:
        before = db.current_revision()
        db.upgrade()
        after = db.current_revision()
        if before == after:
            message = _("{where} is up to date (schema {revision}).").format(where=db.where, revision=after)
            out.write(message + "\n")
        else:
            out.write(
                _("{where} upgraded from schema {old} to {new}.").format(
                    where=db.where, old=before or _("(empty)"), new=after
                )
                + "\n"
            )
    finally:
        db.dispose()
    return 0


def cmd_db_current(args, out: TextIO) -> int:
    db = open_db(args.db, create=False, upgrade=False)
    try:
        current, head = db.current_revision(), db.head_revision()
        out.write(_("Database: {where}").format(where=db.where) + "\n")
        out.write(_("Schema: {revision}").format(revision=current or _("(empty)")) + "\n")
        if current == head:
            out.write(_("Up to date.") + "\n")
        else:
            out.write(
                _("This version of ClientDesk uses schema {head}: run clientdesk db upgrade.").format(
                    head=head
                )
                + "\n"
            )
    finally:
        db.dispose()
    return 0


def _progress_printer(describe: Callable[[int, int], str]) -> tuple[Callable[[int, int], None], bool]:
    """progress(done, total) for stderr: one updating line on a terminal, a line per tenth in a log."""
    err = sys.stderr
    live = err.isatty()
    last_tenth = [-1]

    def progress(done: int, total: int) -> None:
        text = describe(done, total)
        if live:
            err.write("\r" + text)
            err.flush()
        else:
            tenth = done * 10 // total if total else 10
            if tenth != last_tenth[0]:
                last_tenth[0] = tenth
                err.write(text + "\n")

    return progress, live


def _percent(done: int, total: int) -> str:
    return f"{done * 100 // total if total else 100} %"


def cmd_demo(args, out: TextIO) -> int:
    from app.services.demo import generate_demo
    from app.services.demo_complaints import add_complaints
    from app.services.demo_contacts import add_contact_work

    if args.customers < 0:
        raise CliError(_("--customers must be 0 or more."))
    db = open_db(args.db, create=True)
    progress, live = _progress_printer(
        lambda done, total: _("Demo data: {done} of {total} customers").format(
            done=i18n.format_number(done), total=i18n.format_number(total)
        )
    )

    try:
        summary = generate_demo(db, DEFAULT_ACTOR, args.customers, seed=args.seed, progress=progress)
        work = tickets = None
        if summary.customers and not args.no_contact_work:
            work = add_contact_work(db, DEFAULT_ACTOR, summary.first_code, summary.last_code, seed=args.seed)
            tickets = add_complaints(db, DEFAULT_ACTOR, summary.first_code, summary.last_code, seed=args.seed)
    finally:
        if live:
            sys.stderr.write("\n")
        db.dispose()
    out.write(
        _(
            "Added {customers} customers ({first} to {last}) with {contacts} contact persons and "
            "{transactions} transactions in {seconds:.1f} s."
        ).format(
            customers=i18n.format_number(summary.customers),
            first=summary.first_code or "-",
            last=summary.last_code or "-",
            contacts=i18n.format_number(summary.contacts),
            transactions=i18n.format_number(summary.transactions),
            seconds=summary.seconds,
        )
        + "\n"
    )
    if work is not None:
        out.write(
            _("Their contact work: {logs} contact logs, {follow_ups} open follow-ups.").format(
                logs=i18n.format_number(work.contact_logs), follow_ups=i18n.format_number(work.follow_ups)
            )
            + "\n"
        )
    if tickets is not None:
        out.write(
            _("Complaint tickets: {tickets}, of which {open} open and {overdue} overdue.").format(
                tickets=i18n.format_number(tickets.tickets),
                open=i18n.format_number(tickets.open),
                overdue=i18n.format_number(tickets.overdue),
            )
            + "\n"
        )
    return 0


def _rows(service: CustomerService, query: CustomerQuery, limit: int | None) -> Iterable[CustomerRow]:
    if limit is not None:
        if limit < 0:
            raise CliError(_("--limit must be 0 or more."))
        return service.list(DEFAULT_ACTOR, query, offset=0, limit=limit) if limit else []
    return service.iter_rows(DEFAULT_ACTOR, query, page_size=PAGE_SIZE)


def _print_rows(args, rows: Iterable[CustomerRow], out: TextIO) -> int:
    if args.json:
        write_json_array((row_json(r) for r in rows), out)
    else:
        write_table(rows, out)
    return 0


def cmd_customers_list(args, out: TextIO) -> int:
    db = open_db(args.db, create=False)
    try:
        query = CustomerQuery(
            tier=args.tier or "", manager_name=args.manager or "", category=args.category or ""
        )
        return _print_rows(args, _rows(CustomerService(db), query, args.limit), out)
    finally:
        db.dispose()


def cmd_customers_search(args, out: TextIO) -> int:
    db = open_db(args.db, create=False)
    try:
        return _print_rows(args, _rows(CustomerService(db), CustomerQuery(text=args.text), args.limit), out)
    finally:
        db.dispose()


def cmd_customers_show(args, out: TextIO) -> int:
    db = open_db(args.db, create=False)
    try:
        service = CustomerService(db)
        detail = service.get_by_code(DEFAULT_ACTOR, args.code)
        contacts = service.contacts(DEFAULT_ACTOR, detail.id)
        transactions = service.transactions(DEFAULT_ACTOR, detail.id)
    finally:
        db.dispose()
    if args.json:
        write_json(detail_json(detail, contacts, transactions), out)
    else:
        write_detail(detail, contacts, transactions, out)
    return 0


# ---------------------------------------------------------------- import and export


def _problem_line(problem) -> str:
    where = _("{sheet}, row {row}").format(sheet=problem.sheet, row=problem.row)
    if problem.column:
        where += f", {problem.column}"
    value = f" «{problem.value}»" if problem.value else ""
    return f"  {where}{value}: {problem.message}"


def cmd_import(args, out: TextIO) -> int:
    from app.services.exports import save_report
    from app.services.imports import ImportOptions, ImportService

    db = open_db(args.db, create=False)
    options = ImportOptions(
        kind=args.kind,
        sheet=args.sheet,
        header_row=args.header_row,
        mode=args.mode,
        on_duplicate=args.on_duplicate,
    )
    progress, live = _progress_printer(
        lambda d, t: _("Importing {file}: {percent}").format(
            file=Path(args.file).name, percent=_percent(d, t)
        )
    )
    try:
        summary = ImportService(db).import_file(DEFAULT_ACTOR, args.file, options, progress)
    finally:
        if live:
            sys.stderr.write("\n")
        db.dispose()
    if args.report:
        save_report(args.file, summary.sheet, summary.problems, args.report)
    if args.json:
        write_json(summary.as_json(), out)
    else:
        counts = _("{created} created, {updated} updated, {skipped} skipped, {merged} merged.").format(
            created=summary.created, updated=summary.updated, skipped=summary.skipped, merged=summary.merged
        )
        if summary.written:
            out.write(
                _("Imported {file} as batch {batch}: {counts}").format(
                    file=summary.file, batch=str(summary.batch)[:8], counts=counts
                )
                + "\n"
            )
        else:
            out.write(_("Nothing was imported from {file}.").format(file=summary.file) + "\n")
        for level, title in (("error", _("Errors:")), ("warning", _("Warnings:"))):
            found = [p for p in summary.problems if p.level == level]
            if found:
                out.write(title + "\n")
                out.writelines(_problem_line(p) + "\n" for p in found)
    return 0 if summary.written else 2


def cmd_import_list(args, out: TextIO) -> int:
    from app.services.imports import ImportService

    db = open_db(args.db, create=False)
    try:
        batches = ImportService(db).batches(DEFAULT_ACTOR)
    finally:
        db.dispose()
    if args.json:
        write_json_array(
            (
                {
                    "batch": str(b.id),
                    "kind": b.kind,
                    "file": b.file,
                    "sheet": b.sheet,
                    "at": b.at.isoformat(),
                    "by": b.by,
                    "created": b.created,
                    "updated": b.updated,
                    "skipped": b.skipped,
                    "merged": b.merged,
                    "warnings": b.warnings,
                    "errors": b.errors,
                    "undone_at": b.undone_at.isoformat() if b.undone_at else None,
                }
                for b in batches
            ),
            out,
        )
        return 0
    for b in batches:
        state = _("undone") if b.undone_at else ""
        out.write(
            f"{str(b.id)[:8]}  {i18n.format_datetime(b.at)}  {b.kind:<13} {b.file}  "
            + _("{created} created, {updated} updated").format(created=b.created, updated=b.updated)
            + (f"  [{state}]" if state else "")
            + "\n"
        )
    return 0


def cmd_import_undo(args, out: TextIO) -> int:
    from app.services.imports import ImportService

    db = open_db(args.db, create=False)
    try:
        service = ImportService(db)
        summary = service.undo(DEFAULT_ACTOR, service.find_batch(DEFAULT_ACTOR, args.batch))
    finally:
        db.dispose()
    out.write(
        _("Undone: {removed} records removed, {restored} restored.").format(
            removed=summary.removed, restored=summary.restored
        )
        + "\n"
    )
    out.writelines(f"  {line}\n" for line in summary.kept)
    return 0


def cmd_export(args, out: TextIO) -> int:
    from app.services import exports

    if args.kind == "template":
        exports.write_template(args.file)
        out.write(_("Template written to {file}.").format(file=args.file) + "\n")
        return 0
    db = open_db(args.db, create=False)
    query = CustomerQuery(
        text=args.search or "",
        tier=args.tier or "",
        manager_name=args.manager or "",
        category=args.category or "",
    )
    progress, live = _progress_printer(lambda d, t: _("Exporting: {percent}").format(percent=_percent(d, t)))
    try:
        if args.kind == "customers":
            columns = (
                [c.strip() for c in args.columns.split(",")]
                if args.columns
                else exports.DEFAULT_CUSTOMER_COLUMNS
            )
            summary = exports.export_customers(db, DEFAULT_ACTOR, args.file, query, columns, progress)
        elif args.kind == "transactions":
            summary = exports.export_transactions(db, DEFAULT_ACTOR, args.file, query, progress)
        else:
            summary = exports.export_contact_logs(db, DEFAULT_ACTOR, args.file, query, progress)
    finally:
        if live:
            sys.stderr.write("\n")
        db.dispose()
    out.write(exports.describe(summary) + "\n")
    return 0


# ---------------------------------------------------------------- the parser


def build_parser() -> argparse.ArgumentParser:
    # --db is accepted before or after the command; SUPPRESS keeps a subcommand's default from
    # hiding a value given before it.
    db_option = argparse.ArgumentParser(add_help=False)
    db_option.add_argument(
        "--db",
        metavar="URL",
        default=argparse.SUPPRESS,
        help=_("database: a SQLAlchemy URL or an SQLite file path (default: the embedded database)"),
    )
    json_option = argparse.ArgumentParser(add_help=False)
    json_option.add_argument("--json", action="store_true", help=_("print JSON (UTF-8)"))
    json_option.add_argument("--limit", type=int, metavar="N", help=_("at most N customers (default: all)"))

    parser = argparse.ArgumentParser(
        prog="clientdesk", parents=[db_option], description=_("ClientDesk client management, command line.")
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    commands.add_parser(
        "init", parents=[db_option], help=_("create the database or bring it up to date")
    ).set_defaults(func=cmd_init)

    db_cmd = commands.add_parser("db", parents=[db_option], help=_("database schema"))
    db_commands = db_cmd.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_commands.add_parser(
        "upgrade", parents=[db_option], help=_("migrate the schema to this version")
    ).set_defaults(func=cmd_db_upgrade)
    db_commands.add_parser("current", parents=[db_option], help=_("show the schema version")).set_defaults(
        func=cmd_db_current
    )

    demo = commands.add_parser("demo", parents=[db_option], help=_("add generated demo customers"))
    demo.add_argument("--customers", type=int, required=True, metavar="N", help=_("how many customers"))
    demo.add_argument("--seed", type=int, default=0, help=_("the same seed gives the same data (default 0)"))
    demo.add_argument(
        "--no-contact-work",
        action="store_true",
        help=_("only customer files: no contact logs, follow-ups, second staff or complaints"),
    )
    demo.set_defaults(func=cmd_demo)

    customers = commands.add_parser(
        "customers", parents=[db_option], help=_("list, search and show customers")
    )
    customer_commands = customers.add_subparsers(dest="customers_command", metavar="ACTION", required=True)
    listing = customer_commands.add_parser("list", parents=[db_option, json_option], help=_("list customers"))
    listing.add_argument("--tier", help=_("only this tier (e.g. vip, important, normal, potential)"))
    listing.add_argument("--manager", metavar="NAME", help=_("only customers of this account manager"))
    listing.add_argument("--category", choices=[c.value for c in Category], help=_("only this category"))
    listing.set_defaults(func=cmd_customers_list)
    finding = customer_commands.add_parser(
        "search",
        parents=[db_option, json_option],
        help=_("find customers by name, pinyin, code, phone, credit code or contact"),
    )
    finding.add_argument("text")
    finding.set_defaults(func=cmd_customers_search)
    show = customer_commands.add_parser("show", parents=[db_option], help=_("show one customer file"))
    show.add_argument("code")
    show.add_argument("--json", action="store_true", help=_("print JSON (UTF-8)"))
    show.set_defaults(func=cmd_customers_show)
    _import_parsers(commands, db_option)
    # their commands import from this module
    from app import cli_complaints, cli_contacts, cli_staff, cli_tiers

    cli_tiers.add_parsers(commands, db_option)
    cli_staff.add_parsers(commands, db_option)
    cli_contacts.add_parsers(commands, db_option)
    cli_complaints.add_parsers(commands, db_option)
    return parser


def _import_parsers(commands, db_option) -> None:
    from app.services.import_columns import KINDS
    from app.services.imports import MODES, ON_DUPLICATE

    importing = commands.add_parser(
        "import", parents=[db_option], help=_("import from Excel or CSV, list or undo imports")
    )
    import_commands = importing.add_subparsers(dest="import_command", metavar="WHAT", required=True)
    for kind in KINDS:
        one = import_commands.add_parser(
            kind, parents=[db_option], help=_("import {kind} from FILE").format(kind=kind)
        )
        one.add_argument("file", metavar="FILE", help=_(".xlsx, .xlsm, .xls, .csv or .txt"))
        one.add_argument("--sheet", help=_("the sheet to read (default: the first)"))
        one.add_argument(
            "--header-row",
            type=int,
            metavar="N",
            help=_("the header row as Excel numbers it (default: found)"),
        )
        one.add_argument(
            "--mode",
            choices=MODES,
            default=MODES[0],
            help=_(
                "all-or-nothing: any error and nothing is written (default); valid-only: write the good rows"
            ),
        )
        one.add_argument(
            "--on-duplicate",
            choices=ON_DUPLICATE,
            default=ON_DUPLICATE[0],
            help=_(
                "a row matching an existing record: skip it (default), update the record, or create anyway"
            ),
        )
        one.add_argument(
            "--report", metavar="FILE.xlsx", help=_("save the file with a column of the problems found")
        )
        one.add_argument("--json", action="store_true", help=_("print JSON (UTF-8)"))
        one.set_defaults(func=cmd_import, kind=kind)
    listing = import_commands.add_parser("list", parents=[db_option], help=_("list the imports made"))
    listing.add_argument("--json", action="store_true", help=_("print JSON (UTF-8)"))
    listing.set_defaults(func=cmd_import_list)
    undo = import_commands.add_parser("undo", parents=[db_option], help=_("take an import back"))
    undo.add_argument("batch", metavar="BATCH", help=_("the batch id (or its start) that import list shows"))
    undo.set_defaults(func=cmd_import_undo)

    exporting = commands.add_parser("export", parents=[db_option], help=_("export to .xlsx or .csv"))
    export_commands = exporting.add_subparsers(dest="export_command", metavar="WHAT", required=True)
    for kind in ("customers", "transactions", "contact-logs", "template"):
        one = export_commands.add_parser(
            kind, parents=[db_option], help=_("export {kind} to FILE").format(kind=kind)
        )
        one.add_argument("file", metavar="FILE", help=_("a .xlsx or .csv file"))
        if kind != "template":
            one.add_argument("--tier", help=_("only customers of this tier"))
            one.add_argument("--manager", metavar="NAME", help=_("only customers of this account manager"))
            one.add_argument("--category", choices=[c.value for c in Category], help=_("only this category"))
            one.add_argument("--search", metavar="TEXT", help=_("only customers this search finds"))
        if kind == "customers":
            one.add_argument(
                "--columns",
                metavar="COL,COL",
                help=_("the columns, in order (default: all but the time changed)"),
            )
        one.set_defaults(func=cmd_export, kind=kind)


def _utf8(stream: TextIO) -> TextIO:
    # Chinese names must come out whatever the console's code page (Windows' is often not UTF-8).
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(encoding="utf-8", errors="replace")
    return stream


def main(argv: list[str] | None = None) -> int:
    i18n.set_language(i18n.system_language())
    out = _utf8(sys.stdout)
    _utf8(sys.stderr)
    args = build_parser().parse_args(argv)
    if not hasattr(args, "db"):
        args.db = None  # the embedded database
    try:
        return args.func(args, out)
    except (DatabaseOpenError, ServiceError, CliError) as exc:
        sys.stderr.write(_("clientdesk: {message}").format(message=exc) + "\n")
        return 1
    except DBAPIError as exc:
        message = explain_database_error(exc, args.db or "")
        sys.stderr.write(_("clientdesk: {message}").format(message=message) + "\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("\n" + _("Interrupted.") + "\n")
        return 130
    except BrokenPipeError:
        # `clientdesk customers list | head`: the reader left, which is not an error. Point stdout at
        # nothing so that Python's final flush does not complain about the closed pipe either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    # Run the imported module's main, not this __main__ copy: the command modules raise app.cli's
    # CliError, which a handler of __main__.CliError (another class) would not catch.
    from app import cli

    sys.exit(cli.main())
