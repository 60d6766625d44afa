"""Importing customers, contact persons, transactions and contact logs from spreadsheets, as batches
that can be undone.

An import has two steps. `plan()` reads the file, finds the header row, maps the columns, reads every
cell as a person would, validates each row, merges rows of the same customer and looks for duplicates
in the database: nothing is written, and the plan is what the wizard's preview shows. `run()` then
writes the plan in one transaction (all-or-nothing refuses to write if any row has an error;
valid-only writes the good rows) and records the batch: what it created, what it updated and the
updated fields' old values, and every problem with its sheet, row, column and value. `undo()` takes
a batch back where its records have not been changed since.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

from sqlalchemy import delete, func, insert, literal_column, select, update
from sqlalchemy.orm import Session

from app.db import Database
from app.i18n import _
from app.models import (
    ChangeLog,
    ContactLog,
    ContactPerson,
    Counter,
    Customer,
    CustomerSearch,
    ImportBatch,
    ImportIssue,
    ImportItem,
    ImportMapping,
    Staff,
    Transaction,
    utcnow,
)
from app.models.enums import Category, ContactKind
from app.services import events, search
from app.services import import_columns as columns
from app.services import import_values as values
from app.services.actor import Actor
from app.services.contacts import refresh_last_contact
from app.services.customers import (
    CODE_COUNTER,
    CODE_DIGITS,
    CODE_PREFIX,
    CUSTOMER_TEXT_LIMITS,
    INPUT_FIELDS,
    CustomerInput,
    history_text,
    refresh_customer_search,
)
from app.services.errors import NotFoundError, ServiceError
from app.services.progress import IsCancelled, Progress, Ticker
from app.services.sheets import SourceError, Workbook, column_letter, open_workbook
from app.services.validation import normalize_email, normalize_uscc

MODES = ("all-or-nothing", "valid-only")
ON_DUPLICATE = ("skip", "update", "create")
PREVIEW_ROWS = 20
CHUNK = 500  # rows per IN (...) lookup: far below every database's parameter limit
PROGRESS_SECONDS = 0.2
WRITE_CHUNK = 1000
HEADER_SCALE = {
    "万元": Decimal(10_000),
    "万": Decimal(10_000),
    "亿元": Decimal(100_000_000),
    "千元": Decimal(1000),
}
MONEY_FIELDS = {"registered_capital", "annual_revenue", "amount", "profit"}
CONTACT_FIELDS = ("name", "title", "mobile", "phone", "email", "wechat", "birthday")
NAME_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "[", "】": "]"})


# ---------------------------------------------------------------- plain data


@dataclass
class ImportOptions:
    kind: str = "customers"
    sheet: str | None = None  # None: the first sheet
    header_row: int | None = None  # as Excel numbers rows; None: found in the file
    mapping: dict[int, str] | None = None  # column index (0 = A) → field; None: by the headers
    mode: str = "all-or-nothing"
    on_duplicate: str = "skip"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the file: an error keeps its row out, a warning keeps only the value out."""

    level: str  # "error", "warning" or "merged"
    sheet: str
    row: int  # as Excel numbers it
    column: str  # the column's letter and header, e.g. "C 电话"
    field: str
    value: str
    message: str


@dataclass
class Layout:
    """How a sheet is read: the header row found (or chosen) and each column's field."""

    file: str
    sheet_names: list[str]
    sheet: str
    header_row: int | None  # Excel row number
    headers: list[str]
    mapping: dict[int, str]
    remembered: bool
    sample: list[list[str]]  # the first rows under the header, as text
    first_column: int = 0

    def column_name(self, index: int) -> str:
        header = self.headers[index] if index < len(self.headers) else ""
        return f"{column_letter(self.first_column + index)} {header}".strip()


@dataclass
class Record:
    """One thing to write: a customer (with its contact persons, from one or several merged rows), a
    contact person, a transaction or a contact log."""

    row: int
    values: dict
    contacts: list[dict] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    customer_id: uuid.UUID | None = None  # the customer it belongs to (children) or duplicates (customers)
    duplicate_of: uuid.UUID | None = None
    warnings: list[Problem] = field(default_factory=list)


@dataclass
class ImportPlan:
    path: Path
    options: ImportOptions
    layout: Layout
    records: list[Record]
    problems: list[Problem]
    rows_read: int = 0
    error_rows: set[int] = field(default_factory=set)
    merged: int = 0

    @property
    def new(self) -> int:
        return sum(1 for r in self.records if r.duplicate_of is None)

    @property
    def duplicates(self) -> int:
        return sum(1 for r in self.records if r.duplicate_of is not None)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    @property
    def blocked(self) -> bool:
        """All-or-nothing with an error: nothing will be written."""
        return self.options.mode == "all-or-nothing" and bool(self.error_rows)


@dataclass
class ImportSummary:
    batch: uuid.UUID | None
    file: str
    sheet: str
    kind: str
    created: int = 0
    updated: int = 0
    skipped: int = 0
    merged: int = 0
    problems: list[Problem] = field(default_factory=list)
    written: bool = True

    def as_json(self) -> dict:
        def listed(level: str) -> list[dict]:
            return [
                {k: v for k, v in asdict(p).items() if k in ("sheet", "row", "column", "value")}
                | {"message": p.message, "field": p.field}
                for p in self.problems
                if p.level == level
            ]

        return {
            "batch": str(self.batch) if self.batch else None,
            "file": self.file,
            "sheet": self.sheet,
            "kind": self.kind,
            "written": self.written,
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
            "merged": self.merged,
            "warnings": listed("warning"),
            "errors": listed("error"),
        }


@dataclass(frozen=True)
class BatchInfo:
    id: uuid.UUID
    kind: str
    file: str
    sheet: str
    at: datetime
    by: str
    created: int
    updated: int
    skipped: int
    merged: int
    warnings: int
    errors: int
    undone_at: datetime | None


@dataclass(frozen=True)
class UndoSummary:
    removed: int
    restored: int
    kept: list[str]  # why each record that was changed since stays as it is


@dataclass(frozen=True)
class QualityFlag:
    id: int
    field: str
    value: str
    message: str
    file: str
    row: int
    at: datetime


# ---------------------------------------------------------------- helpers


def name_key(name: str) -> str:
    """Company names compared as people compare them: bracket width, spaces and the case of Latin
    letters do not matter. The database compares lower(replace(name, ' ', '')) of stored names
    (already half-width, single-spaced), which an index of migration 0005 answers."""
    text = values.cell_text(name).translate(NAME_BRACKETS).replace(" ", "")
    return "".join(ch.lower() if ch.isascii() else ch for ch in text)


# Literal quotes, not bound parameters: the expression must read exactly as the index's does.
NAME_KEY_SQL = func.lower(func.replace(Customer.name, literal_column("' '"), literal_column("''")))


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _ticker(progress: Progress | None, cancelled: IsCancelled | None) -> Ticker:
    return Ticker(progress, cancelled, _("The import was cancelled; nothing was changed."), PROGRESS_SECONDS)


def _header_scale(header: str) -> Decimal:
    """年营业额(万元): the column's numbers are in 万元."""
    match = re.search(r"[（(]\s*(万元|万|亿元|千元)\s*[）)]", header)
    return HEADER_SCALE[match.group(1)] if match else Decimal(1)


def _has_own_unit(raw: object) -> bool:
    """12万 or 500元 under a (万元) header gives its own unit; 120 (a number, or a CSV's text) does not."""
    return isinstance(raw, str) and re.search(r"[万萬亿億千元kKwW]", raw) is not None


# ---------------------------------------------------------------- the service


class ImportService:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- reading the layout

    def inspect(self, actor: Actor, path: str | Path, options: ImportOptions) -> Layout:
        """The sheet's header row and column mapping (the one remembered for these headers, or found);
        header_row is None when no row looks like a header, for the user to choose one."""
        if options.kind not in columns.KINDS:
            raise ServiceError(_("Unknown import kind: {kind}.").format(kind=options.kind))
        with open_workbook(path) as book:
            sheet = book.sheet(options.sheet)
            head: list[list] = []
            for row in sheet:
                head.append(list(row))
                if len(head) >= columns.HEADER_SEARCH_ROWS + PREVIEW_ROWS:
                    break
            return self._layout(
                book, sheet.name, sheet.first_row, sheet.first_column, head, options, require_header=False
            )

    def _layout(
        self,
        book: Workbook,
        sheet_name: str,
        first_row: int,
        first_column: int,
        head: list[list],
        options: ImportOptions,
        require_header: bool = True,
    ) -> Layout:
        """The sheet's layout; without a header row found, an error (or, for the wizard, which lets
        the user choose one, a layout with header_row None and the first rows as the sample)."""
        if options.header_row is not None:
            index = options.header_row - first_row
            if not 0 <= index < len(head):
                raise SourceError(
                    _(
                        "Row {row} of {file} is not among the rows read; "
                        "choose a header row from 1 to {last}."
                    ).format(row=options.header_row, file=book.name, last=first_row + len(head) - 1)
                )
        else:
            found = columns.find_header(options.kind, head)
            if found is None and not require_header:
                return Layout(
                    file=book.name,
                    sheet_names=list(book.sheet_names),
                    sheet=sheet_name,
                    header_row=None,
                    headers=[],
                    mapping={},
                    remembered=False,
                    sample=[[values.cell_text(c) for c in row] for row in head[:PREVIEW_ROWS]],
                    first_column=first_column,
                )
            if found is None:
                raise SourceError(
                    _(
                        "No header row found in {file}, sheet {sheet}: none of the first {rows} rows names "
                        "a column ClientDesk knows (such as 客户名称 or Company). Choose the header row and "
                        "the columns by hand."
                    ).format(file=book.name, sheet=sheet_name, rows=columns.HEADER_SEARCH_ROWS)
                )
            index = found
        headers = columns.headers_with_merged_above(head, index)
        mapping, remembered = options.mapping, False
        if mapping is None:
            mapping = self._remembered_mapping(options.kind, headers)
            remembered = mapping is not None
            if mapping is None:
                mapping = columns.auto_mapping(options.kind, headers)
        sample = [[values.cell_text(c) for c in row] for row in head[index + 1 : index + 1 + PREVIEW_ROWS]]
        return Layout(
            file=book.name,
            sheet_names=list(book.sheet_names),
            sheet=sheet_name,
            header_row=first_row + index,
            headers=headers,
            mapping=dict(mapping),
            remembered=remembered,
            sample=sample,
            first_column=first_column,
        )

    def _remembered_mapping(self, kind: str, headers: list[str]) -> dict[int, str] | None:
        with self.db.session() as session:
            stored = session.get(ImportMapping, columns.mapping_key(kind, headers))
            if stored is None:
                return None
            known = columns.targets(kind)
            mapping = {int(k): v for k, v in json.loads(stored.mapping).items() if v in known}
            return {k: v for k, v in mapping.items() if k < len(headers)}

    def remember_mapping(self, kind: str, headers: list[str], mapping: dict[int, str]) -> None:
        """Keep the mapping the user chose for these headers, to offer it for the next such file."""
        with self.db.session() as session:
            key = columns.mapping_key(kind, headers)
            text = json.dumps({str(k): v for k, v in sorted(mapping.items())})
            row = session.get(ImportMapping, key)
            if row is None:
                session.add(ImportMapping(key=key, mapping=text, updated_at=utcnow()))
            else:
                row.mapping, row.updated_at = text, utcnow()

    # -- planning

    def plan(
        self,
        actor: Actor,
        path: str | Path,
        options: ImportOptions,
        progress: Progress | None = None,
        cancelled: IsCancelled | None = None,
    ) -> ImportPlan:
        """Read and check the whole file; nothing is written."""
        if options.kind not in columns.KINDS:
            raise ServiceError(_("Unknown import kind: {kind}.").format(kind=options.kind))
        if options.mode not in MODES:
            raise ServiceError(_("Unknown import mode: {mode}.").format(mode=options.mode))
        if options.on_duplicate not in ON_DUPLICATE:
            raise ServiceError(_("Unknown duplicate handling: {value}.").format(value=options.on_duplicate))
        tick = _ticker(progress, cancelled)
        path = Path(path)
        with open_workbook(path) as book:
            sheet = book.sheet(options.sheet)
            rows = iter(sheet)
            head: list[list] = []
            for row in rows:
                head.append(list(row))
                if len(head) >= columns.HEADER_SEARCH_ROWS + PREVIEW_ROWS:
                    break
            layout = self._layout(book, sheet.name, sheet.first_row, sheet.first_column, head, options)
            self._check_mapping(options.kind, layout)
            plan = ImportPlan(path, options, layout, [], [])
            header_index = layout.header_row - sheet.first_row
            reader = _RowReader(options.kind, layout)

            def data_rows() -> Iterator[tuple[int, list]]:
                number = sheet.first_row
                for row in head:
                    if number > layout.header_row:
                        yield number, row
                    number += 1
                for row in rows:
                    yield number, row
                    number += 1

            total = max(sheet.height - header_index - 1, 1)
            for done, (number, row) in enumerate(data_rows()):
                tick(done, total)
                if all(values.is_blank(c) for c in row) or columns.is_total_row(row):
                    continue
                plan.rows_read += 1
                record, problems = reader.read(number, row)
                plan.problems.extend(problems)
                if record is None:
                    plan.error_rows.add(number)
                else:
                    plan.records.append(record)
        tick(total, total, force=True)
        with self.db.session() as session:
            _Matcher(session, options.kind, tick).match(plan)
        if options.kind == "customers":
            _merge_customers(plan)
        return plan

    @staticmethod
    def _check_mapping(kind: str, layout: Layout) -> None:
        mapped = set(layout.mapping.values())
        required = [t for t in columns.TARGETS[kind] if t.required and t.name not in mapped]
        if kind != "customers" and not mapped & {"customer_code", "customer_uscc", "customer_name"}:
            required.insert(0, columns.targets(kind)["customer_name"])
        if required:
            raise SourceError(
                _(
                    "{file}, sheet {sheet}: no column is mapped to {fields}. Map a column to each of them."
                ).format(file=layout.file, sheet=layout.sheet, fields=", ".join(t.title for t in required))
            )

    # -- writing

    def run(
        self,
        actor: Actor,
        plan: ImportPlan,
        progress: Progress | None = None,
        cancelled: IsCancelled | None = None,
    ) -> ImportSummary:
        """Write the plan in one transaction and record the batch; Cancelled rolls everything back."""
        options = plan.options
        summary = ImportSummary(
            None,
            plan.layout.file,
            plan.layout.sheet,
            options.kind,
            merged=plan.merged,
            problems=list(plan.problems),
        )
        if plan.blocked or not plan.records:
            summary.written = False
            summary.skipped = 0
            return summary
        tick = _ticker(progress, cancelled)
        with self.db.session() as session:
            # The database may have changed since the preview: duplicates are looked for again.
            _Matcher(session, options.kind, tick).match(plan)
            batch = ImportBatch(
                id=uuid.uuid4(),
                kind=options.kind,
                file_name=plan.layout.file[:260],
                sheet=plan.layout.sheet[:100],
                mode=options.mode,
                on_duplicate=options.on_duplicate,
                at=utcnow(),
                actor_id=actor.staff_id,
            )
            session.add(batch)
            session.flush()
            writer = _Writer(session, actor, batch, plan, tick)
            writer.write()
            summary.batch = batch.id
            summary.created, summary.updated, summary.skipped = writer.created, writer.updated, writer.skipped
            summary.problems = writer.problems
            batch.created, batch.updated, batch.skipped, batch.merged = (
                writer.created,
                writer.updated,
                writer.skipped,
                plan.merged,
            )
            batch.warnings = sum(1 for p in writer.problems if p.level == "warning")
            batch.errors = sum(1 for p in writer.problems if p.level == "error")
            writer.record_issues()
            tick(1, 1, force=True)
        events.publish(events.Change("customer", frozenset(writer.touched_customers)))
        return summary

    def import_file(
        self,
        actor: Actor,
        path: str | Path,
        options: ImportOptions,
        progress: Progress | None = None,
        cancelled: IsCancelled | None = None,
    ) -> ImportSummary:
        """plan() and run() in one go (the command line); progress covers reading, then writing."""

        def reading(done: int, total: int) -> None:
            if progress is not None:
                progress(done, total * 2)

        def writing(done: int, total: int) -> None:
            if progress is not None:
                progress(total + done, total * 2)

        plan = self.plan(actor, path, options, reading, cancelled)
        return self.run(actor, plan, writing, cancelled)

    # -- batches

    def batches(self, actor: Actor, limit: int = 200) -> list[BatchInfo]:
        with self.db.session() as session:
            rows = session.execute(
                select(ImportBatch, func.coalesce(Staff.name, ""))
                .outerjoin(Staff, Staff.id == ImportBatch.actor_id)
                .order_by(ImportBatch.at.desc())
                .limit(limit)
            ).all()
            return [
                BatchInfo(
                    b.id,
                    b.kind,
                    b.file_name,
                    b.sheet,
                    b.at,
                    who,
                    b.created,
                    b.updated,
                    b.skipped,
                    b.merged,
                    b.warnings,
                    b.errors,
                    b.undone_at,
                )
                for b, who in rows
            ]

    def batch_problems(self, actor: Actor, batch_id: uuid.UUID) -> list[Problem]:
        with self.db.session() as session:
            rows = session.scalars(
                select(ImportIssue)
                .where(ImportIssue.batch_id == batch_id)
                .order_by(ImportIssue.row, ImportIssue.id)
            )
            return [Problem(r.level, r.sheet, r.row, r.column, r.field, r.value, r.message) for r in rows]

    def find_batch(self, actor: Actor, text: str) -> uuid.UUID:
        """A batch by its id or the start of it (as `import list` prints it)."""
        text = text.strip().lower()
        with self.db.session() as session:
            ids = [
                i
                for i in session.scalars(select(ImportBatch.id))
                if str(i).startswith(text) or i.hex.startswith(text)
            ]
        if len(ids) != 1:
            raise NotFoundError(
                _("No import batch {batch}.").format(batch=text)
                if not ids
                else _("Several import batches start with {batch}; give more of it.").format(batch=text)
            )
        return ids[0]

    def undo(self, actor: Actor, batch_id: uuid.UUID) -> UndoSummary:
        """Remove what the batch created and restore what it updated, where unchanged since."""
        with self.db.session() as session:
            batch = session.get(ImportBatch, batch_id)
            if batch is None:
                raise NotFoundError(_("No import batch {batch}.").format(batch=batch_id))
            if batch.undone_at is not None:
                raise ServiceError(_("This import was already undone."))
            summary, touched = _Undo(session, actor, batch).run()
            batch.undone_at = utcnow()
            batch.undone_by_id = actor.staff_id
        if touched:
            events.publish(events.Change("customer", frozenset(touched)))
        return summary

    # -- data-quality flags

    def quality_flags(self, actor: Actor, customer_id: uuid.UUID) -> list[QualityFlag]:
        with self.db.session() as session:
            rows = session.execute(
                select(ImportIssue, ImportBatch.file_name, ImportBatch.at)
                .join(ImportBatch, ImportBatch.id == ImportIssue.batch_id)
                .where(
                    ImportIssue.customer_id == customer_id,
                    ImportIssue.dismissed_at.is_(None),
                    ImportIssue.level == "warning",
                )
                .order_by(ImportIssue.id)
            ).all()
            return [QualityFlag(i.id, i.field, i.value, i.message, f, i.row, at) for i, f, at in rows]

    def dismiss_flags(self, actor: Actor, flag_ids: Iterable[int]) -> None:
        with self.db.session() as session:
            session.execute(
                update(ImportIssue).where(ImportIssue.id.in_(list(flag_ids))).values(dismissed_at=utcnow())
            )


# ---------------------------------------------------------------- reading rows


class _RowReader:
    """One sheet row → a Record and its problems."""

    def __init__(self, kind: str, layout: Layout) -> None:
        self.kind = kind
        self.layout = layout
        self.targets = columns.targets(kind)
        self.columns = [
            (
                index,
                self.targets[name],
                layout.column_name(index),
                _header_scale(layout.headers[index] if index < len(layout.headers) else "")
                if name in MONEY_FIELDS
                else Decimal(1),
            )
            for index, name in sorted(layout.mapping.items())
            if name in self.targets
        ]

    def _problem(self, level: str, row: int, column: str, name: str, value: object, message: str) -> Problem:
        return Problem(level, self.layout.sheet, row, column, name, values.cell_text(value)[:500], message)

    def read(self, number: int, row: list) -> tuple[Record | None, list[Problem]]:
        problems: list[Problem] = []
        got: dict[str, object] = {}
        where: dict[str, tuple[str, object]] = {}
        failed = False
        for index, target, column, scale in self.columns:
            raw = row[index] if index < len(row) else None
            if values.is_blank(raw):
                continue
            where[target.name] = (column, raw)
            try:
                value = target.parse(raw)
                if scale != 1 and isinstance(value, Decimal) and not _has_own_unit(raw):
                    value = (value * scale).quantize(values.CENT)
                    if abs(value) >= values.MONEY_LIMIT:
                        raise ValueError(_("is too large"))
            except ValueError as exc:
                level = "error" if target.required else "warning"
                failed |= target.required
                message = _("{field} {reason}.").format(field=target.title, reason=exc)
                if not target.required:
                    message += " " + _("The value was left out; the row was imported.")
                problems.append(self._problem(level, number, column, target.name, raw, message))
                continue
            if value not in ("", None):
                got[target.name] = value
        for target in self.targets.values():
            if (
                target.required
                and target.name not in got
                and not any(p.field == target.name for p in problems)
            ):
                problems.append(
                    self._problem(
                        "error",
                        number,
                        "",
                        target.name,
                        "",
                        _("{field} is required.").format(field=target.title),
                    )
                )
                failed = True
        if (
            self.kind != "customers"
            and not failed
            and not (got.keys() & {"customer_code", "customer_uscc", "customer_name"})
        ):
            problems.append(
                self._problem(
                    "error",
                    number,
                    "",
                    "customer_name",
                    "",
                    _("The row names no customer (code, credit code or name)."),
                )
            )
            failed = True
        if failed:
            return None, problems
        record = Record(row=number, values=got, rows=[number])
        check = getattr(self, f"_check_{self.kind.replace('-', '_')}")
        if not check(record, where, problems):
            return None, problems
        record.warnings = [p for p in problems if p.level == "warning"]
        return record, problems

    def _soft(self, record: Record, where, problems: list[Problem], name: str, fn) -> None:
        """A checked optional value: when it is bad it is left out with a warning, the row still imports."""
        if name not in record.values:
            return
        try:
            record.values[name] = fn(record.values[name])
        except ValueError as exc:
            column, raw = where.get(name, ("", record.values[name]))
            title = self.targets[name].title if name in self.targets else name
            problems.append(
                self._problem(
                    "warning",
                    record.row,
                    column,
                    name,
                    raw,
                    _("{field} {reason}.").format(field=title, reason=exc)
                    + " "
                    + _("The value was left out; the row was imported."),
                )
            )
            del record.values[name]

    def _check_contact(self, record: Record, where, problems: list[Problem], prefix: str) -> None:
        self._soft(record, where, problems, f"{prefix}email", normalize_email)
        birthday = f"{prefix}birthday"
        self._soft(record, where, problems, birthday, _not_future)

    def _check_customers(self, record: Record, where, problems: list[Problem]) -> bool:
        data = record.values
        name = data.get("name", "")
        if len(name) > CUSTOMER_TEXT_LIMITS["name"]:
            column, raw = where["name"]
            problems.append(
                self._problem(
                    "error",
                    record.row,
                    column,
                    "name",
                    raw,
                    _("{field} is longer than {limit} characters.").format(
                        field=_("Company name"), limit=CUSTOMER_TEXT_LIMITS["name"]
                    ),
                )
            )
            return False
        self._soft(record, where, problems, "uscc", normalize_uscc)
        self._soft(record, where, problems, "email", normalize_email)
        self._soft(record, where, problems, "founded", _not_future)
        for key, limit in CUSTOMER_TEXT_LIMITS.items():
            if key != "name":
                self._soft(record, where, problems, key, lambda v, limit=limit: _limit(v, limit))
        self._check_contact(record, where, problems, "contact_")
        contact = {f: data.pop(f"contact_{f}") for f in CONTACT_FIELDS if f"contact_{f}" in data}
        if contact:
            if "name" not in contact:
                contact["name"] = _("Contact")
            _mobile_first(contact)
            record.contacts.append(contact)
        # Every field has now had the checks clean_customer() makes (the tests hold the two to the
        # same verdicts); running it again per row would double the cost of phones and e-mails.
        if "code" in data:
            data["code"] = data["code"].upper().replace(" ", "")
        return True

    def _check_contacts(self, record: Record, where, problems: list[Problem]) -> bool:
        self._check_contact(record, where, problems, "")
        _mobile_first(record.values)
        return True

    def _check_transactions(self, record: Record, where, problems: list[Problem]) -> bool:
        return True

    def _check_contact_logs(self, record: Record, where, problems: list[Problem]) -> bool:
        record.values.setdefault("kind", ContactKind.OTHER.value)
        return True


def _not_future(value: date) -> date:
    if value > date.today():
        raise ValueError(_("is in the future"))
    return value


def _limit(value: str, limit: int) -> str:
    if isinstance(value, str) and len(value) > limit:
        raise ValueError(_("is longer than {limit} characters").format(limit=limit))
    return value


def _mobile_first(contact: dict) -> None:
    """A mobile number given in the phone column goes to the mobile (and the other way round)."""
    mobile, phone = contact.get("mobile", ""), contact.get("phone", "")
    if mobile and not re.fullmatch(r"1[3-9]\d{9}", mobile) and not phone:
        contact["phone"] = contact.pop("mobile")
    elif phone and re.fullmatch(r"1[3-9]\d{9}", phone) and not mobile:
        contact["mobile"] = contact.pop("phone")


def _merge_customers(plan: ImportPlan) -> None:
    """Rows of one customer (same credit code, or the same name up to spaces and bracket width) become
    one record: the first row's values win, later rows fill what it left empty and add their contacts."""
    by_key: dict[str, Record] = {}
    kept: list[Record] = []
    for record in plan.records:
        keys = [f"u:{record.values['uscc']}"] if record.values.get("uscc") else []
        keys.append(f"n:{name_key(record.values['name'])}")
        first = next((by_key[k] for k in keys if k in by_key), None)
        if first is None:
            for key in keys:
                by_key[key] = record
            kept.append(record)
            continue
        for key, value in record.values.items():
            first.values.setdefault(key, value)
        names = {c["name"] for c in first.contacts}
        first.contacts.extend(c for c in record.contacts if c["name"] not in names)
        first.rows.append(record.row)
        first.warnings.extend(record.warnings)
        for key in keys:
            by_key.setdefault(key, first)
        plan.merged += 1
        plan.problems.append(
            Problem(
                "merged",
                plan.layout.sheet,
                record.row,
                "",
                "name",
                record.values["name"],
                _("Same customer as row {row}: merged into one customer.").format(row=first.row),
            )
        )
    plan.records = kept


# ---------------------------------------------------------------- matching against the database


class _Matcher:
    """Links each record to its customer (children) or to the customer it duplicates (customers)."""

    def __init__(self, session: Session, kind: str, tick: Ticker | None = None) -> None:
        self.session = session
        self.kind = kind
        self.tick = tick or _ticker(None, None)

    def _lookup(self, column, wanted: set) -> dict:
        found: dict = defaultdict(list)
        for part in _chunks(sorted(wanted)):
            self.tick.alive()
            for key, customer_id in self.session.execute(
                select(column, Customer.id).where(column.in_(part), Customer.deleted_at.is_(None))
            ):
                found[key].append(customer_id)
        return found

    def _customer_maps(self, records: list[Record], code: str, uscc: str, name: str):
        codes = self._lookup(Customer.code, {r.values[code].upper() for r in records if r.values.get(code)})
        usccs = self._lookup(Customer.uscc, {r.values[uscc].upper() for r in records if r.values.get(uscc)})
        names = self._lookup(NAME_KEY_SQL, {name_key(r.values[name]) for r in records if r.values.get(name)})
        return codes, usccs, names

    def match(self, plan: ImportPlan) -> None:
        if self.kind == "customers":
            self._match_customers(plan)
        else:
            self._link_children(plan)

    def _match_customers(self, plan: ImportPlan) -> None:
        codes, usccs, names = self._customer_maps(plan.records, "code", "uscc", "name")
        for record in plan.records:
            data = record.values
            found = (
                codes.get(data.get("code", "").upper())
                or usccs.get(data.get("uscc", ""))
                or names.get(name_key(data["name"]))
            )
            record.duplicate_of = found[0] if found else None

    def _link_children(self, plan: ImportPlan) -> None:
        codes, usccs, names = self._customer_maps(
            plan.records, "customer_code", "customer_uscc", "customer_name"
        )
        linked = []
        for record in plan.records:
            data = record.values
            if data.get("customer_code"):
                found, what, value = (
                    codes.get(data["customer_code"].upper()),
                    _("code"),
                    data["customer_code"],
                )
            elif data.get("customer_uscc"):
                found, what, value = (
                    usccs.get(data["customer_uscc"].upper()),
                    _("credit code"),
                    data["customer_uscc"],
                )
            else:
                found, what, value = (
                    names.get(name_key(data["customer_name"])),
                    _("name"),
                    data["customer_name"],
                )
            if not found or len(found) > 1:
                message = (
                    _("No customer with the {what} {value}.")
                    if not found
                    else _("Several customers have the {what} {value}; give the customer code.")
                ).format(what=what, value=value)
                plan.problems.append(
                    Problem("error", plan.layout.sheet, record.row, "", "customer", value, message)
                )
                plan.error_rows.add(record.row)
                continue
            record.customer_id = found[0]
            linked.append(record)
        plan.records = linked
        duplicate = getattr(self, f"_duplicates_{self.kind.replace('-', '_')}")
        customer_ids = sorted({r.customer_id for r in linked})
        existing: dict = {}
        for part in _chunks(customer_ids):
            for key, row_id in duplicate(part):
                existing.setdefault(key, row_id)
        for record in linked:
            record.duplicate_of = existing.get(self._child_key(record))
        if self.kind != "customers":
            self._link_staff(plan)

    def _child_key(self, record: Record) -> tuple:
        data = record.values
        if self.kind == "contacts":
            return (record.customer_id, data["name"])
        if self.kind == "transactions":
            return (record.customer_id, data["occurred_on"], data["amount"], data.get("contract_no", ""))
        return (record.customer_id, data["occurred_at"].replace(tzinfo=None), data.get("summary", ""))

    def _duplicates_contacts(self, customer_ids: list):
        for customer_id, name, row_id in self.session.execute(
            select(ContactPerson.customer_id, ContactPerson.name, ContactPerson.id).where(
                ContactPerson.customer_id.in_(customer_ids), ContactPerson.deleted_at.is_(None)
            )
        ):
            yield (customer_id, name), row_id

    def _duplicates_transactions(self, customer_ids: list):
        for customer_id, on, amount, contract, row_id in self.session.execute(
            select(
                Transaction.customer_id,
                Transaction.occurred_on,
                Transaction.amount,
                Transaction.contract_no,
                Transaction.id,
            ).where(Transaction.customer_id.in_(customer_ids), Transaction.deleted_at.is_(None))
        ):
            yield (customer_id, on, amount, contract), row_id

    def _duplicates_contact_logs(self, customer_ids: list):
        for customer_id, at, summary, row_id in self.session.execute(
            select(ContactLog.customer_id, ContactLog.occurred_at, ContactLog.summary, ContactLog.id).where(
                ContactLog.customer_id.in_(customer_ids), ContactLog.deleted_at.is_(None)
            )
        ):
            yield (customer_id, local_wall_clock(at), summary), row_id

    def _link_staff(self, plan: ImportPlan) -> None:
        """Contact logs name their staff, as people are called; an unknown name is a warning."""
        if self.kind != "contact-logs":
            return
        staff = _staff_by_name(self.session)
        contacts: dict = {}
        ids = sorted({r.customer_id for r in plan.records if r.values.get("contact_person")})
        for part in _chunks(ids):
            for customer_id, name, contact_id in self.session.execute(
                select(ContactPerson.customer_id, ContactPerson.name, ContactPerson.id).where(
                    ContactPerson.customer_id.in_(part), ContactPerson.deleted_at.is_(None)
                )
            ):
                contacts.setdefault((customer_id, name), contact_id)
        for record in plan.records:
            data = record.values
            if data.get("staff"):
                data["staff_id"] = staff.get(data["staff"])
                if data["staff_id"] is None:
                    _warn(
                        plan,
                        record,
                        "staff",
                        data["staff"],
                        _("No staff member is named {name}; the log was imported without staff.").format(
                            name=data["staff"]
                        ),
                    )
            if data.get("contact_person"):
                data["contact_person_id"] = contacts.get((record.customer_id, data["contact_person"]))
                if data["contact_person_id"] is None:
                    _warn(
                        plan,
                        record,
                        "contact_person",
                        data["contact_person"],
                        _(
                            "The customer has no contact person named {name}; the name was kept in the "
                            "summary."
                        ).format(name=data["contact_person"]),
                    )


def _warn(plan: ImportPlan, record: Record, name: str, value: str, message: str) -> None:
    problem = Problem("warning", plan.layout.sheet, record.row, "", name, value, message)
    # The matcher runs again at run(): the record's own short list tells whether it was said already.
    if problem not in record.warnings:
        plan.problems.append(problem)
        record.warnings.append(problem)


def _staff_by_name(session: Session) -> dict[str, uuid.UUID]:
    return {
        name: staff_id
        for staff_id, name in session.execute(
            select(Staff.id, Staff.name).where(Staff.deleted_at.is_(None)).order_by(Staff.created_at.desc())
        )
    }


def local_wall_clock(moment: datetime | None) -> datetime | None:
    """A stored UTC time as the local wall-clock time a spreadsheet shows (Excel has no time zones)."""
    return moment.astimezone().replace(tzinfo=None) if moment is not None else None


def _as_utc(moment: datetime) -> datetime:
    """A wall-clock time read from a file (local time) as stored (UTC)."""
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.astimezone(timezone.utc)


# ---------------------------------------------------------------- writing


class _Writer:
    """Writes a plan inside the caller's transaction, recording each record in the batch."""

    def __init__(
        self, session: Session, actor: Actor, batch: ImportBatch, plan: ImportPlan, tick: Ticker
    ) -> None:
        self.session = session
        self.actor = actor
        self.batch = batch
        self.plan = plan
        self.tick = tick
        self.created = self.updated = self.skipped = 0
        self.problems: list[Problem] = list(plan.problems)
        self.items: list[dict] = []
        self.touched_customers: set[uuid.UUID] = set()
        self.customer_of_row: dict[int, uuid.UUID] = {}
        self.now = utcnow()
        self.total = len(plan.records)
        self.done = 0

    def _warn(self, record: Record, name: str, value: str, message: str) -> None:
        problem = Problem("warning", self.plan.layout.sheet, record.row, "", name, value, message)
        self.problems.append(problem)
        record.warnings.append(problem)

    def _step(self, count: int = 1) -> None:
        self.done += count
        self.tick(self.done, self.total)

    def write(self) -> None:
        kind = self.plan.options.kind
        records = self.plan.records
        option = self.plan.options.on_duplicate
        new = [r for r in records if r.duplicate_of is None or option == "create"]
        dupes = [r for r in records if r.duplicate_of is not None and option != "create"]
        if option == "skip":
            self.skipped += len(dupes)
            self._step(len(dupes))
            dupes = []
        getattr(self, f"_write_{kind.replace('-', '_')}")(new, dupes)
        self._flush_items()

    def _flush_items(self) -> None:
        for part in _chunks(self.items, 5000):
            self.session.execute(ImportItem.__table__.insert(), part)
            self.tick.alive()
        self.items = []

    def _item(
        self, entity: str, entity_id: uuid.UUID, action: str, version: int, before: dict | None = None
    ) -> None:
        self.items.append(
            {
                "batch_id": self.batch.id,
                "entity": entity,
                "entity_id": entity_id,
                "action": action,
                "version": version,
                "before": json.dumps(before, default=str) if before else "",
            }
        )

    def _log(self, customer_id, entity: str, entity_id, action: str, changes=None) -> list[dict]:
        return [
            {
                "id": uuid.uuid4(),
                "customer_id": customer_id,
                "entity": entity,
                "entity_id": entity_id,
                "action": action,
                "field": name,
                "old_value": old,
                "new_value": new,
                "actor_id": self.actor.staff_id,
                "at": self.now,
            }
            for name, old, new in (changes or [("", "", self.plan.layout.file)])
        ]

    # customers

    def _write_customers(self, new: list[Record], dupes: list[Record]) -> None:
        staff = _staff_by_name(self.session)
        departments = dict(self.session.execute(select(Staff.id, Staff.department_id)).all())
        for record in new + dupes:
            manager = record.values.pop("manager", None)
            if manager:
                record.values["manager_id"] = staff.get(manager)
                if record.values["manager_id"] is None:
                    del record.values["manager_id"]
                    self._warn(
                        record,
                        "manager_id",
                        manager,
                        _("No staff member is named {name}; the account manager was left empty.").format(
                            name=manager
                        ),
                    )
        codes = self._codes(new)
        keys = self._search_keys(len(new))
        self.total = len(new) + len(dupes)
        # A thousand customers at a time: built, then written with Core executemany (not the ORM's
        # unit of work), so memory stays flat and progress moves however large the file.
        for start in range(0, len(new), WRITE_CHUNK):
            part = slice(start, start + WRITE_CHUNK)
            self._write_new_customers(new[part], codes[part], keys[part], departments)
            self._step(len(new[part]))
        for record in dupes:
            self._update_customer(record)
            self._step()

    def _write_new_customers(
        self, records: list[Record], codes: list[str], keys: list[int], departments: dict
    ):
        customers, contacts, logs, documents = [], [], [], []
        for record, code, key in zip(records, codes, keys, strict=True):
            customer_id = uuid.uuid4()
            data = CustomerInput(**{k: v for k, v in record.values.items() if k in INPUT_FIELDS})
            data.code = code
            if data.manager_id is not None and data.department_id is None:
                data.department_id = departments.get(data.manager_id)
            row = {name: getattr(data, name) for name in INPUT_FIELDS}
            row.update(
                id=customer_id,
                registered_on=data.registered_on or date.today(),
                created_at=self.now,
                updated_at=self.now,
                version=1,
                created_by_id=self.actor.staff_id,
                updated_by_id=self.actor.staff_id,
                category=data.category or Category.POTENTIAL.value,
                search_key=key,
            )
            customers.append(row)
            for contact in record.contacts:
                contacts.append(self._contact_row(customer_id, contact))
            logs.extend(self._log(customer_id, "customer", customer_id, "import"))
            body, grams = search.search_document(
                name=data.name,
                short_name=data.short_name,
                code=code,
                uscc=data.uscc,
                phones=[
                    data.phone,
                    data.fax,
                    *(c.get("mobile", "") for c in record.contacts),
                    *(c.get("phone", "") for c in record.contacts),
                ],
                contact_names=[c["name"] for c in record.contacts],
            )
            documents.append({"key": key, "customer_id": customer_id, "body": body, "grams": grams})
            self._item("customer", customer_id, "create", 1)
            self.customer_of_row.update(dict.fromkeys(record.rows, customer_id))
            self.touched_customers.add(customer_id)
            self.created += 1
        for contact in contacts:
            self._item("contact", contact["id"], "create", 1)
        for table, rows in (
            (Customer.__table__, customers),
            (ContactPerson.__table__, contacts),
            (CustomerSearch.__table__, documents),
            (ChangeLog.__table__, logs),
        ):
            if rows:
                self.session.execute(table.insert(), rows)
                self.tick.alive()
        self._flush_items()

    def _search_keys(self, count: int) -> list[int]:
        """Search-index keys for new customers, given out before the rows are written (no RETURNING,
        which SQLite would answer one row at a time)."""
        if not count:
            return []
        if self.session.get_bind().dialect.name == "postgresql":
            sequence = func.pg_get_serial_sequence("customer_search", "key")
            return list(
                self.session.scalars(
                    select(func.nextval(sequence)).select_from(func.generate_series(1, count))
                )
            )
        # SQLite: this transaction already holds the write lock, so nobody else takes these keys.
        last = self.session.scalar(select(func.max(CustomerSearch.key))) or 0
        return list(range(last + 1, last + 1 + count))

    def _codes(self, records: list[Record]) -> list[str]:
        """Each new customer's code: the file's when it is free, else the next from the counter."""
        wanted = [r.values.get("code", "").upper() for r in records]
        taken = set()
        for part in _chunks([c for c in wanted if c]):
            taken.update(self.session.scalars(select(Customer.code).where(Customer.code.in_(part))))
        codes, seen = [], set()
        for record, code in zip(records, wanted, strict=True):
            if code and (code in taken or code in seen):
                self._warn(
                    record,
                    "code",
                    code,
                    _("Customer code {code} is already used; the customer was given a new code.").format(
                        code=code
                    ),
                )
                code = ""
            seen.add(code)
            codes.append(code)
        missing = sum(1 for c in codes if not c)
        if missing:
            fresh = self._fresh_codes(missing, taken | seen)
            codes = [c or next(fresh) for c in codes]
        return codes

    def _fresh_codes(self, count: int, avoid: set[str]) -> Iterator[str]:
        while True:
            last = self.session.execute(
                update(Counter)
                .where(Counter.name == CODE_COUNTER)
                .values(value=Counter.value + count)
                .returning(Counter.value)
            ).scalar_one()
            candidates = [f"{CODE_PREFIX}{n:0{CODE_DIGITS}d}" for n in range(last - count + 1, last + 1)]
            used = set()
            for part in _chunks(candidates):
                used.update(self.session.scalars(select(Customer.code).where(Customer.code.in_(part))))
            free = [c for c in candidates if c not in used and c not in avoid]
            yield from free
            count = max(count - len(free), 1)

    def _contact_row(self, customer_id: uuid.UUID, contact: dict) -> dict:
        row = {f: contact.get(f, "" if f != "birthday" else None) for f in CONTACT_FIELDS}
        row.update(
            id=uuid.uuid4(),
            customer_id=customer_id,
            created_at=self.now,
            updated_at=self.now,
            version=1,
            updated_by_id=self.actor.staff_id,
            is_decision_maker=bool(contact.get("is_decision_maker")),
            preferences=contact.get("preferences", ""),
            notes=contact.get("notes", ""),
        )
        return row

    def _update_customer(self, record: Record) -> None:
        row = self.session.get(Customer, record.duplicate_of)
        wanted = {k: v for k, v in record.values.items() if k in INPUT_FIELDS and k != "code"}
        changes = [(k, getattr(row, k), v) for k, v in wanted.items() if getattr(row, k) != v]
        existing = {
            n
            for (n,) in self.session.execute(
                select(ContactPerson.name).where(
                    ContactPerson.customer_id == row.id, ContactPerson.deleted_at.is_(None)
                )
            )
        }
        contacts = [c for c in record.contacts if c["name"] not in existing]
        if not changes and not contacts:
            self.skipped += 1
            return
        if changes:
            before = {k: _json_value(old) for k, old, _new in changes}
            for key, _old, new in changes:
                setattr(row, key, new)
            row.updated_at = self.now
            row.updated_by_id = self.actor.staff_id
            self.session.flush()
            self._item("customer", row.id, "update", row.version, before)
            self.session.execute(
                insert(ChangeLog),
                self._log(
                    row.id,
                    "customer",
                    row.id,
                    "update",
                    [(k, history_text(old), history_text(new)) for k, old, new in changes],
                ),
            )
        for contact in contacts:
            values_ = self._contact_row(row.id, contact)
            self.session.execute(insert(ContactPerson), [values_])
            self._item("contact", values_["id"], "create", 1)
            self.session.execute(insert(ChangeLog), self._log(row.id, "contact", values_["id"], "import"))
        refresh_customer_search(self.session, [row.id])
        self.customer_of_row.update(dict.fromkeys(record.rows, row.id))
        self.touched_customers.add(row.id)
        self.updated += 1

    # children

    def _write_children(self, new: list[Record], dupes: list[Record], model, entity: str, make) -> None:
        rows, logs = [], []
        for record in new:
            row = make(record)
            row.update(
                id=uuid.uuid4(),
                customer_id=record.customer_id,
                created_at=self.now,
                updated_at=self.now,
                version=1,
                updated_by_id=self.actor.staff_id,
            )
            rows.append(row)
            self._item(entity, row["id"], "create", 1)
            if entity != "contact_log":
                logs.extend(self._log(record.customer_id, entity, row["id"], "import"))
            self.customer_of_row[record.row] = record.customer_id
            self.touched_customers.add(record.customer_id)
            self.created += 1
        for part in _chunks(rows, 2000):
            self.session.execute(model.__table__.insert(), part)
            self._step(len(part))
        for part in _chunks(logs, 5000):
            self.session.execute(insert(ChangeLog), part)
        for record in dupes:
            self._update_child(record, model, entity, make)
            self._step()

    def _update_child(self, record: Record, model, entity: str, make) -> None:
        row = self.session.get(model, record.duplicate_of)
        wanted = {k: v for k, v in make(record).items() if v not in ("", None)}
        changes = [(k, getattr(row, k), v) for k, v in wanted.items() if getattr(row, k) != v]
        if not changes:
            self.skipped += 1
            return
        before = {k: _json_value(old) for k, old, _new in changes}
        for key, _old, new in changes:
            setattr(row, key, new)
        row.updated_at = self.now
        row.updated_by_id = self.actor.staff_id
        self.session.flush()
        self._item(entity, row.id, "update", row.version, before)
        if entity != "contact_log":
            self.session.execute(
                insert(ChangeLog),
                self._log(
                    row.customer_id,
                    entity,
                    row.id,
                    "update",
                    [(k, history_text(old), history_text(new)) for k, old, new in changes],
                ),
            )
        self.customer_of_row[record.row] = record.customer_id
        self.touched_customers.add(record.customer_id)
        self.updated += 1

    def _write_contacts(self, new: list[Record], dupes: list[Record]) -> None:
        def make(record: Record) -> dict:
            data = record.values
            return {f: data.get(f, "" if f != "birthday" else None) for f in CONTACT_FIELDS} | {
                "is_decision_maker": bool(data.get("is_decision_maker")),
                "preferences": data.get("preferences", ""),
                "notes": data.get("notes", ""),
            }

        self._write_children(new, dupes, ContactPerson, "contact", make)
        refresh_customer_search(self.session, sorted(self.touched_customers))

    def _write_transactions(self, new: list[Record], dupes: list[Record]) -> None:
        def make(record: Record) -> dict:
            data = record.values
            return {
                "occurred_on": data["occurred_on"],
                "amount": data["amount"],
                "profit": data.get("profit"),
                "product": data.get("product", "")[:200],
                "contract_no": data.get("contract_no", "")[:60],
                "payment_method": data.get("payment_method", ""),
                "notes": data.get("notes", ""),
            }

        self._write_children(new, dupes, Transaction, "transaction", make)

    def _write_contact_logs(self, new: list[Record], dupes: list[Record]) -> None:
        def make(record: Record) -> dict:
            data = record.values
            summary = data.get("summary", "")
            if data.get("contact_person") and not data.get("contact_person_id"):
                summary = f"{data['contact_person']}: {summary}" if summary else data["contact_person"]
            return {
                "kind": data.get("kind") or ContactKind.OTHER.value,
                "occurred_at": _as_utc(data["occurred_at"]),
                "staff_id": data.get("staff_id"),
                "contact_person_id": data.get("contact_person_id"),
                "subject": data.get("subject", ""),
                "summary": summary,
                "outcome": data.get("outcome", ""),
                "next_step": data.get("next_step", ""),
                "next_date": data.get("next_date"),
            }

        self._write_children(new, dupes, ContactLog, "contact_log", make)
        refresh_last_contact(self.session, sorted(self.touched_customers))

    def record_issues(self) -> None:
        rows = [
            {
                "batch_id": self.batch.id,
                "level": p.level,
                "sheet": p.sheet[:100],
                "row": p.row,
                "column": p.column[:100],
                "field": p.field[:60],
                "value": p.value,
                "message": p.message,
                "customer_id": self.customer_of_row.get(p.row) if p.level == "warning" else None,
            }
            for p in self.problems
        ]
        for part in _chunks(rows, 5000):
            self.session.execute(insert(ImportIssue), part)


def _bind(name: str):
    from sqlalchemy import bindparam

    return bindparam(name)


def _json_value(value):
    if isinstance(value, uuid.UUID):
        return {"uuid": str(value)}
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    return value


def _from_json(value):
    if isinstance(value, dict):
        ((kind, text),) = value.items()
        return {
            "uuid": uuid.UUID,
            "datetime": datetime.fromisoformat,
            "date": date.fromisoformat,
            "decimal": Decimal,
        }[kind](text)
    return value


# ---------------------------------------------------------------- undo


MODELS = {
    "customer": Customer,
    "contact": ContactPerson,
    "transaction": Transaction,
    "contact_log": ContactLog,
}


class _Undo:
    def __init__(self, session: Session, actor: Actor, batch: ImportBatch) -> None:
        self.session = session
        self.actor = actor
        self.batch = batch
        self.kept: list[str] = []
        self.removed = self.restored = 0
        self.touched: set[uuid.UUID] = set()

    def run(self) -> tuple[UndoSummary, set[uuid.UUID]]:
        items = self.session.scalars(select(ImportItem).where(ImportItem.batch_id == self.batch.id)).all()
        created = [i for i in items if i.action == "create"]
        ours = {i.entity_id for i in created}
        # Children first, so a customer the batch created has only the batch's children left.
        for entity in ("contact_log", "transaction", "contact", "customer"):
            for item in (i for i in created if i.entity == entity):
                self._remove(item, ours)
        for item in (i for i in items if i.action == "update"):
            self._restore(item)
        remaining = sorted(c for c in self.touched if self.session.get(Customer, c))
        refresh_customer_search(self.session, remaining)
        # The service watch reads each customer's newest contact from the customer row.
        refresh_last_contact(self.session, remaining)
        return UndoSummary(self.removed, self.restored, self.kept), self.touched

    def _describe(self, row) -> str:
        name = getattr(row, "name", "") or getattr(row, "subject", "") or str(getattr(row, "amount", ""))
        return name or str(row.id)

    def _remove(self, item: ImportItem, ours: set) -> None:
        model = MODELS[item.entity]
        row = self.session.get(model, item.entity_id)
        if row is None:
            return
        if row.version != item.version or row.deleted_at is not None:
            self.kept.append(
                _("{name} was changed after the import and was kept.").format(name=self._describe(row))
            )
            return
        if item.entity == "customer":
            others = [
                child_id
                for child in (ContactPerson, Transaction, ContactLog)
                for child_id in self.session.scalars(select(child.id).where(child.customer_id == row.id))
                if child_id not in ours
            ]
            if others:
                self.kept.append(
                    _("{name} has records added after the import and was kept.").format(name=row.name)
                )
                return
            self.session.execute(delete(ChangeLog).where(ChangeLog.customer_id == row.id))
            self.session.execute(
                update(ImportIssue).where(ImportIssue.customer_id == row.id).values(customer_id=None)
            )
            self.session.execute(delete(CustomerSearch).where(CustomerSearch.customer_id == row.id))
            self.session.execute(update(Customer).where(Customer.id == row.id).values(search_key=None))
            self.touched.discard(row.id)
        else:
            self.touched.add(row.customer_id)
            if item.entity == "contact":
                self.session.execute(
                    update(ContactLog)
                    .where(ContactLog.contact_person_id == row.id)
                    .values(contact_person_id=None)
                )
            self.session.execute(delete(ChangeLog).where(ChangeLog.entity_id == row.id))
        self.session.delete(row)
        self.session.flush()
        self.removed += 1

    def _restore(self, item: ImportItem) -> None:
        model = MODELS[item.entity]
        row = self.session.get(model, item.entity_id)
        if row is None:
            return
        if row.version != item.version:
            self.kept.append(
                _("{name} was changed after the import and was kept.").format(name=self._describe(row))
            )
            return
        before = {k: _from_json(v) for k, v in json.loads(item.before).items()}
        changes = [(k, history_text(getattr(row, k)), history_text(v)) for k, v in before.items()]
        for key, value in before.items():
            setattr(row, key, value)
        row.updated_at = utcnow()
        row.updated_by_id = self.actor.staff_id
        self.session.flush()
        customer_id = row.id if item.entity == "customer" else row.customer_id
        if item.entity != "contact_log":
            for name, old, new in changes:
                self.session.add(
                    ChangeLog(
                        customer_id=customer_id,
                        entity=item.entity,
                        entity_id=row.id,
                        action="update",
                        field=name,
                        old_value=old,
                        new_value=new,
                        actor_id=self.actor.staff_id,
                        at=utcnow(),
                    )
                )
        self.touched.add(customer_id)
        self.restored += 1
