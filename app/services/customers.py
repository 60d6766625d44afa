"""Customer files: create, edit, soft-delete and restore, list and search, contacts, transactions, history."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.db import Database
from app.i18n import _, format_datetime
from app.models import ChangeLog, ContactPerson, Counter, Customer, Department, Staff, Transaction, utcnow
from app.models.enums import Category, CreditRating, EnterpriseNature, PaymentMethod
from app.services import events, search
from app.services.actor import Actor
from app.services.errors import ConcurrencyError, NotFoundError, ServiceError, ValidationError
from app.services.labels import field_label
from app.services.validation import (
    clean_field,
    clean_text,
    normalize_email,
    normalize_phone,
    normalize_uscc,
    parse_money,
)

CODE_COUNTER = "customer_code"
CODE_PREFIX = "C"
CODE_DIGITS = 6


# ---------------------------------------------------------------- plain data in and out


@dataclass
class CustomerInput:
    """What a form or an import hands in; the service cleans and checks every field."""

    name: str = ""
    code: str = ""  # empty: the next free code is given
    short_name: str = ""
    category: str = Category.POTENTIAL.value
    tier: str = ""
    industry: str = ""
    enterprise_nature: str = ""
    province: str = ""
    city: str = ""
    address: str = ""
    postcode: str = ""
    legal_representative: str = ""
    founded: date | None = None
    registered_capital: Decimal | str | None = None
    uscc: str = ""
    business_scope: str = ""
    phone: str = ""
    fax: str = ""
    email: str = ""
    website: str = ""
    annual_revenue: Decimal | str | None = None
    employees: int | None = None
    purchasing_pattern: str = ""
    needs: str = ""
    business_trend: str = ""
    credit_rating: str = ""
    financial_status: str = ""
    cooperation_start: date | None = None
    brands: str = ""
    competitors: str = ""
    lost_reason: str = ""
    notes: str = ""
    potential_rating: int | None = None  # 1–5, weighed by tier rules
    influence_rating: int | None = None
    manager_id: uuid.UUID | None = None
    department_id: uuid.UUID | None = None
    registered_on: date | None = None


INPUT_FIELDS = tuple(f.name for f in fields(CustomerInput))


@dataclass(frozen=True)
class CustomerDetail:
    """A whole customer file as read, with the names of the staff it points at."""

    id: uuid.UUID
    version: int
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    updated_by: str
    manager_name: str
    department_name: str
    data: CustomerInput

    def __getattr__(self, name: str):
        # detail.name, detail.city … read straight from the data.
        if name != "data" and name in INPUT_FIELDS:
            return getattr(self.data, name)
        raise AttributeError(name)

    @property
    def cooperation_years(self) -> int | None:
        if self.data.cooperation_start is None:
            return None
        today = date.today()
        start = self.data.cooperation_start
        return today.year - start.year - ((today.month, today.day) < (start.month, start.day))


@dataclass(frozen=True)
class CustomerRow:
    """One line of the customers table."""

    id: uuid.UUID
    code: str
    name: str
    short_name: str
    category: str
    tier: str
    industry: str
    province: str
    city: str
    manager: str
    phone: str
    email: str
    updated_at: datetime
    # Last and defaulted, so rows built positionally by older callers stay valid.
    uscc: str = ""
    founded: date | None = None


@dataclass(frozen=True)
class CustomerQuery:
    """Search, filters and sort of a customer list; the empty query lists every live customer."""

    text: str = ""
    category: str = ""
    tier: str = ""
    industry: str = ""
    region: str = ""  # a province or a city
    manager_id: uuid.UUID | None = None
    manager_name: str = ""  # the command line names the manager
    deleted: bool = False  # the "deleted customers" view
    sort: str = "code"
    descending: bool = False


@dataclass
class ContactInput:
    name: str = ""
    title: str = ""
    mobile: str = ""
    phone: str = ""
    email: str = ""
    wechat: str = ""
    birthday: date | None = None
    preferences: str = ""
    is_decision_maker: bool = False
    notes: str = ""


@dataclass(frozen=True)
class ContactDetail:
    id: uuid.UUID
    customer_id: uuid.UUID
    version: int
    data: ContactInput


@dataclass
class TransactionInput:
    occurred_on: date | None = None
    amount: Decimal | str | None = None
    profit: Decimal | str | None = None
    product: str = ""
    contract_no: str = ""
    payment_method: str = ""
    notes: str = ""


@dataclass(frozen=True)
class TransactionDetail:
    id: uuid.UUID
    customer_id: uuid.UUID
    version: int
    data: TransactionInput


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: str
    entity: str  # customer, contact, transaction
    action: str  # create, update, delete, restore
    field: str
    old_value: str
    new_value: str


@dataclass(frozen=True)
class StaffMember:
    id: uuid.UUID
    name: str
    department: str
    role: str
    active: bool


@dataclass(frozen=True)
class FilterOptions:
    industries: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    tiers: list[str] = field(default_factory=list)
    managers: list[StaffMember] = field(default_factory=list)


# ---------------------------------------------------------------- validation


CUSTOMER_TEXT_LIMITS = {
    "name": 200,
    "code": 32,
    "short_name": 100,
    "industry": 60,
    "province": 40,
    "city": 40,
    "address": 300,
    "postcode": 10,
    "legal_representative": 60,
    "website": 200,
    "tier": 40,
}


def checked_field(errors: dict[str, str], name: str, fn, value):
    try:
        return fn(value)
    except ValueError as exc:
        errors[name] = _("{field} {reason}.").format(field=field_label(name), reason=exc)
        return value


def _check_choice(errors: dict[str, str], name: str, value: str, allowed: set[str]) -> str:
    value = clean_text(value)
    if value and value not in allowed:
        errors[name] = _("{field} has an unknown value: {value}.").format(
            field=field_label(name), value=value
        )
    return value


def clean_customer(data: CustomerInput) -> CustomerInput:
    """Normalise every field; ValidationError names each field that cannot be saved and why."""
    errors: dict[str, str] = {}
    values = {}
    for name in INPUT_FIELDS:
        value = getattr(data, name)
        values[name] = clean_field(name, value) if isinstance(value, str) else value
    if not values["name"]:
        errors["name"] = _("Company name is required.")
    values["code"] = values["code"].upper().replace(" ", "")
    for name, limit in CUSTOMER_TEXT_LIMITS.items():
        if len(values[name]) > limit:
            errors[name] = _("{field} is longer than {limit} characters.").format(
                field=field_label(name), limit=limit
            )
    values["uscc"] = checked_field(errors, "uscc", normalize_uscc, values["uscc"])
    values["phone"] = checked_field(errors, "phone", normalize_phone, values["phone"])
    values["fax"] = checked_field(errors, "fax", normalize_phone, values["fax"])
    values["email"] = checked_field(errors, "email", normalize_email, values["email"])
    values["registered_capital"] = checked_field(
        errors, "registered_capital", parse_money, values["registered_capital"]
    )
    values["annual_revenue"] = checked_field(errors, "annual_revenue", parse_money, values["annual_revenue"])
    values["category"] = _check_choice(errors, "category", values["category"], {c.value for c in Category})
    if not values["category"]:
        values["category"] = Category.POTENTIAL.value
    values["enterprise_nature"] = _check_choice(
        errors, "enterprise_nature", values["enterprise_nature"], {e.value for e in EnterpriseNature}
    )
    values["credit_rating"] = _check_choice(
        errors, "credit_rating", values["credit_rating"], {r.value for r in CreditRating}
    )
    employees = values["employees"]
    if employees is not None and (not isinstance(employees, int) or employees < 0):
        errors["employees"] = _("{field} must be a whole number of 0 or more.").format(
            field=field_label("employees")
        )
    for name in ("potential_rating", "influence_rating"):
        rating = values[name]
        if rating is not None and (not isinstance(rating, int) or not 1 <= rating <= 5):
            errors[name] = _("{field} must be a whole number from 1 to 5.").format(field=field_label(name))
    if values["founded"] and values["founded"] > date.today():
        errors["founded"] = _("{field} is in the future.").format(field=field_label("founded"))
    if errors:
        raise ValidationError(errors)
    return CustomerInput(**values)


def clean_contact(data: ContactInput) -> ContactInput:
    errors: dict[str, str] = {}
    values = {f.name: getattr(data, f.name) for f in fields(ContactInput)}
    for key, value in values.items():
        if isinstance(value, str):
            values[key] = clean_field(key, value)
    if not values["name"]:
        errors["name"] = _("The contact person's name is required.")
    values["mobile"] = checked_field(errors, "mobile", normalize_phone, values["mobile"])
    values["phone"] = checked_field(errors, "phone", normalize_phone, values["phone"])
    values["email"] = checked_field(errors, "email", normalize_email, values["email"])
    if values["birthday"] and values["birthday"] > date.today():
        errors["birthday"] = _("{field} is in the future.").format(field=field_label("birthday"))
    if errors:
        raise ValidationError(errors)
    return ContactInput(**values)


def clean_transaction(data: TransactionInput) -> TransactionInput:
    errors: dict[str, str] = {}
    values = {f.name: getattr(data, f.name) for f in fields(TransactionInput)}
    for key, value in values.items():
        if isinstance(value, str):
            values[key] = clean_field(key, value)
    if values["occurred_on"] is None:
        errors["occurred_on"] = _("The transaction date is required.")
    values["amount"] = checked_field(errors, "amount", parse_money, values["amount"])
    if values["amount"] is None and "amount" not in errors:
        errors["amount"] = _("The amount is required.")
    values["profit"] = checked_field(errors, "profit", parse_money, values["profit"])
    values["payment_method"] = _check_choice(
        errors, "payment_method", values["payment_method"], {p.value for p in PaymentMethod}
    )
    if errors:
        raise ValidationError(errors)
    return TransactionInput(**values)


# ---------------------------------------------------------------- helpers


def history_text(value) -> str:
    """A field's value as the change history keeps it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def next_number(session: Session, counter: str) -> int:
    """The next value of a named sequence, taken inside the caller's transaction (so two computers on
    one server never get the same one)."""
    bump = update(Counter).where(Counter.name == counter).values(value=Counter.value + 1)
    return session.execute(bump.returning(Counter.value)).scalar_one()


def log_change(
    session: Session,
    actor: Actor,
    customer_id,
    entity: str,
    entity_id,
    action: str,
    changes: list[tuple[str, str, str]] | None = None,
) -> None:
    now = utcnow()
    # An action without fields (created, deleted) is one entry with none.
    for name, old, new in changes or [("", "", "")]:
        session.add(
            ChangeLog(
                customer_id=customer_id,
                entity=entity,
                entity_id=entity_id,
                action=action,
                field=name,
                old_value=old,
                new_value=new,
                actor_id=actor.staff_id,
                at=now,
            )
        )


def changed_fields(row, data, names) -> list[tuple[str, str, str]]:
    changes = []
    for name in names:
        old, new = getattr(row, name), getattr(data, name)
        if old != new:
            changes.append((name, history_text(old), history_text(new)))
    return changes


def staff_name(session: Session, staff_id) -> str:
    """A staff member's name by id; empty for nobody."""
    if staff_id is None:
        return ""
    return session.scalar(select(Staff.name).where(Staff.id == staff_id)) or ""


def concurrency_error(session: Session, row) -> ConcurrencyError:
    who = staff_name(session, row.updated_by_id)
    return ConcurrencyError(
        _("{who} changed this record at {when}. Reload it to see their changes, then edit again.").format(
            who=who or _("Someone"), when=format_datetime(row.updated_at)
        ),
        who,
        row.updated_at,
    )


def _child_detail(row, input_class, detail_class):
    """A contact person or transaction row as plain data: its input fields plus id and version."""
    data = input_class(**{f.name: getattr(row, f.name) for f in fields(input_class)})
    return detail_class(id=row.id, customer_id=row.customer_id, version=row.version, data=data)


def refresh_customer_search(session: Session, customer_ids: list[uuid.UUID]) -> None:
    """Rewrite the search text of these customers from their file and live contact persons."""
    for start in range(0, len(customer_ids), 500):
        part = list(customer_ids[start : start + 500])
        contacts: dict[uuid.UUID, list] = {cid: [] for cid in part}
        for contact in session.execute(
            select(
                ContactPerson.customer_id, ContactPerson.name, ContactPerson.mobile, ContactPerson.phone
            ).where(ContactPerson.customer_id.in_(part), ContactPerson.deleted_at.is_(None))
        ):
            contacts[contact.customer_id].append(contact)
        documents = {}
        for row in session.execute(
            select(
                Customer.id,
                Customer.name,
                Customer.short_name,
                Customer.code,
                Customer.uscc,
                Customer.phone,
                Customer.fax,
            ).where(Customer.id.in_(part))
        ):
            people = contacts[row.id]
            documents[row.id] = search.search_document(
                name=row.name,
                short_name=row.short_name,
                code=row.code,
                uscc=row.uscc,
                phones=[row.phone, row.fax, *(c.mobile for c in people), *(c.phone for c in people)],
                contact_names=[c.name for c in people],
            )
        search.refresh_search_rows(session, documents)


# Above this many matches a page of search results is found by walking the list in order.
WALK_THRESHOLD = 10_000


def _distinct_values(session: Session, column) -> list:
    """The distinct values of an indexed column in order, by hopping from one value to the next
    through its index (a few dozen lookups) instead of reading every row."""
    hops = select(func.min(column).label("value")).cte("hops", recursive=True)
    following = select(func.min(column)).where(column > hops.c.value).scalar_subquery()
    hops = hops.union_all(select(following).where(hops.c.value.is_not(None)))
    return list(session.scalars(select(hops.c.value).where(hops.c.value.is_not(None))))


SORT_COLUMNS = {
    "code": Customer.code,
    "name": Customer.name,
    "short_name": Customer.short_name,
    "category": Customer.category,
    "tier": Customer.tier,
    "industry": Customer.industry,
    "city": Customer.city,
    "province": Customer.province,
    # A customer without a manager sorts as "" everywhere (PostgreSQL would put NULL last, SQLite first).
    "manager": func.coalesce(Staff.name, ""),
    "phone": Customer.phone,
    "email": Customer.email,
    "updated_at": Customer.updated_at,
}


class CustomerService:
    """Use cases on customer files. Every method is one unit of work and returns plain data."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- reading lists

    def _filtered(self, stmt: Select, query: CustomerQuery, walk: bool = False) -> Select:
        stmt = stmt.where(
            Customer.deleted_at.is_not(None) if query.deleted else Customer.deleted_at.is_(None)
        )
        condition = search.search_condition(
            Customer.search_key, query.text, self.db.engine.dialect.name, walk
        )
        if condition is not None:
            stmt = stmt.where(condition)
        if query.category:
            stmt = stmt.where(Customer.category == query.category)
        if query.tier:
            stmt = stmt.where(Customer.tier == query.tier)
        if query.industry:
            stmt = stmt.where(Customer.industry == query.industry)
        if query.region:
            stmt = stmt.where((Customer.city == query.region) | (Customer.province == query.region))
        if query.manager_id is not None:
            stmt = stmt.where(Customer.manager_id == query.manager_id)
        if query.manager_name:
            stmt = stmt.where(
                Customer.manager_id.in_(select(Staff.id).where(Staff.name == query.manager_name))
            )
        return stmt

    def matching_ids(self, actor: Actor, query: CustomerQuery) -> Select:
        """The ids of the customers a query lists, to select other rows by (an export's transactions)."""
        return self._filtered(select(Customer.id), query)

    def count(self, actor: Actor, query: CustomerQuery) -> int:
        stmt = self._filtered(select(func.count()).select_from(Customer), query)
        with self.db.session() as session:
            return session.scalar(stmt) or 0

    def list(
        self, actor: Actor, query: CustomerQuery, offset: int = 0, limit: int | None = 200
    ) -> list[CustomerRow]:
        order = self._order(query)
        # The page's ids first, then their rows: skipping to row 900,000 then walks an index of live
        # customers only, without reading the 900,000 rows it skips.
        page = select(Customer.id).order_by(*order).offset(offset).limit(limit)
        if query.sort == "manager":
            page = page.outerjoin(Staff, Staff.id == Customer.manager_id)
        with self.db.session() as session:
            page = self._filtered(page, query, walk=self._many_matches(session, query))
            stmt = self._row_select().where(Customer.id.in_(page.scalar_subquery())).order_by(*order)
            return [CustomerRow(*row) for row in session.execute(stmt)]

    @staticmethod
    def _order(query: CustomerQuery) -> list:
        column = SORT_COLUMNS.get(query.sort, Customer.code)
        order = [column.desc() if query.descending else column.asc()]
        if column is not Customer.code:
            order.append(Customer.code.desc() if query.descending else Customer.code.asc())
        return order

    def _many_matches(self, session: Session, query: CustomerQuery) -> bool:
        """Whether a search matches so many customers that walking the list in its order beats
        fetching every match and sorting it (SQLite's planner cannot tell the two apart)."""
        dialect = self.db.engine.dialect.name
        if not query.text or dialect != "sqlite":
            return False
        return search.match_estimate(session, query.text, dialect, WALK_THRESHOLD) >= WALK_THRESHOLD

    @staticmethod
    def _row_select() -> Select:
        """The columns of a CustomerRow, in its field order."""
        return select(
            Customer.id,
            Customer.code,
            Customer.name,
            Customer.short_name,
            Customer.category,
            Customer.tier,
            Customer.industry,
            Customer.province,
            Customer.city,
            func.coalesce(Staff.name, "").label("manager"),
            Customer.phone,
            Customer.email,
            Customer.updated_at,
            Customer.uscc,
            Customer.founded,
        ).outerjoin(Staff, Staff.id == Customer.manager_id)

    def iter_rows(self, actor: Actor, query: CustomerQuery, page_size: int = 1000) -> Iterator[CustomerRow]:
        """Every row of the list in the query's order, fetched a page at a time."""
        return (CustomerRow(*row) for row in self.iter_records(actor, query, page_size))

    def iter_records(self, actor: Actor, query: CustomerQuery, page_size: int = 1000) -> Iterator:
        """iter_rows() as the database's light named tuples (same field names as CustomerRow): an
        export of a hundred thousand customers spends no time building dataclasses.

        In code order each page is its own unit of work and continues after the last code seen:
        OFFSET would rescan every earlier row for each page, which makes a million rows take hours.
        In any other order the ids are read in that order first, then their rows page by page.
        """
        if query.sort != "code" or query.descending:
            yield from self._iter_in_order(query, page_size)
            return
        last_code = None
        while True:
            stmt = self._row_select().order_by(Customer.code).limit(page_size)
            if last_code is not None:
                stmt = stmt.where(Customer.code > last_code)
            stmt = self._filtered(stmt, query)
            with self.db.session() as session:
                rows = session.execute(stmt).all()
            yield from rows
            if len(rows) < page_size:
                return
            last_code = rows[-1].code

    def _iter_in_order(self, query: CustomerQuery, page_size: int) -> Iterator:
        ids = select(Customer.id).order_by(*self._order(query))
        if query.sort == "manager":
            ids = ids.outerjoin(Staff, Staff.id == Customer.manager_id)
        with self.db.session() as session:
            ordered = list(session.scalars(self._filtered(ids, query)))
        for start in range(0, len(ordered), page_size):
            part = ordered[start : start + page_size]
            with self.db.session() as session:
                rows = {
                    row.id: row for row in session.execute(self._row_select().where(Customer.id.in_(part)))
                }
            yield from (rows[i] for i in part if i in rows)

    def is_empty(self, actor: Actor) -> bool:
        """True for a database that has never had a customer (not even a deleted one)."""
        with self.db.session() as session:
            return session.scalar(select(Customer.id).limit(1)) is None

    def filter_options(self, actor: Actor) -> FilterOptions:
        """The values the filters offer: every industry, region and tier in use, and the staff.

        Values only deleted customers have are offered too (choosing one shows an empty list): the
        alternative, a DISTINCT over every live row, takes seconds on a million customers.
        """
        with self.db.session() as session:

            def distinct(column) -> list[str]:
                return [v for v in _distinct_values(session, column) if v]

            regions = sorted(set(distinct(Customer.province)) | set(distinct(Customer.city)))
            return FilterOptions(
                industries=distinct(Customer.industry),
                regions=regions,
                tiers=distinct(Customer.tier),
                managers=self._staff(session),
            )

    def staff(self, actor: Actor) -> list[StaffMember]:
        with self.db.session() as session:
            return self._staff(session)

    @staticmethod
    def _staff(session: Session) -> list[StaffMember]:
        rows = session.execute(
            select(Staff.id, Staff.name, func.coalesce(Department.name, ""), Staff.role, Staff.active)
            .outerjoin(Department, Department.id == Staff.department_id)
            .where(Staff.deleted_at.is_(None))
            .order_by(Staff.name)
        )
        return [StaffMember(*row) for row in rows]

    # -- one customer

    def get(self, actor: Actor, customer_id: uuid.UUID) -> CustomerDetail:
        with self.db.session() as session:
            return self._detail(session, self._row(session, customer_id))

    def get_by_code(self, actor: Actor, code: str) -> CustomerDetail:
        with self.db.session() as session:
            row = session.scalar(select(Customer).where(Customer.code == code.strip().upper()))
            if row is None:
                raise NotFoundError(_("There is no customer with code {code}.").format(code=code))
            return self._detail(session, row)

    @staticmethod
    def _row(session: Session, customer_id: uuid.UUID) -> Customer:
        row = session.get(Customer, customer_id)
        if row is None:
            raise NotFoundError(_("This customer no longer exists."))
        return row

    @classmethod
    def live_row(cls, session: Session, customer_id: uuid.UUID) -> Customer:
        """The customer, to be changed: a deleted file is read-only until it is restored."""
        row = cls._row(session, customer_id)
        if row.deleted_at is not None:
            raise ServiceError(_("This customer has been deleted. Restore it first to change it."))
        return row

    @staticmethod
    def _detail(session: Session, row: Customer) -> CustomerDetail:
        department = session.scalar(select(Department.name).where(Department.id == row.department_id)) or ""
        return CustomerDetail(
            id=row.id,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
            deleted_at=row.deleted_at,
            updated_by=staff_name(session, row.updated_by_id),
            manager_name=staff_name(session, row.manager_id),
            department_name=department,
            data=CustomerInput(**{name: getattr(row, name) for name in INPUT_FIELDS}),
        )

    def _next_code(self, session: Session) -> str:
        while True:
            number = next_number(session, CODE_COUNTER)
            code = f"{CODE_PREFIX}{number:0{CODE_DIGITS}d}"
            if session.scalar(select(Customer.id).where(Customer.code == code)) is None:
                return code

    def _check_code_free(self, session: Session, code: str, own_id: uuid.UUID | None) -> None:
        other = session.scalar(select(Customer.name).where(Customer.code == code, Customer.id != own_id))
        if other is not None:
            raise ValidationError(
                {"code": _("Customer code {code} is already used by {name}.").format(code=code, name=other)}
            )

    def _refresh_search(self, session: Session, row: Customer) -> None:
        refresh_customer_search(session, [row.id])

    def create(self, actor: Actor, data: CustomerInput) -> CustomerDetail:
        try:
            return self._create(actor, data)
        except IntegrityError:
            # Someone saved the same code in the moment between our check and our write.
            raise ValidationError(
                {"code": _("Customer code {code} is already used.").format(code=data.code)}
            ) from None

    def _create(self, actor: Actor, data: CustomerInput) -> CustomerDetail:
        clean = clean_customer(data)
        with self.db.session() as session:
            if clean.code:
                self._check_code_free(session, clean.code, None)
            else:
                clean = replace(clean, code=self._next_code(session))
            if clean.department_id is None and clean.manager_id is not None:
                clean.department_id = session.scalar(
                    select(Staff.department_id).where(Staff.id == clean.manager_id)
                )
            row = Customer(**{name: getattr(clean, name) for name in INPUT_FIELDS})
            row.registered_on = clean.registered_on or date.today()
            row.created_by_id = row.updated_by_id = actor.staff_id
            session.add(row)
            session.flush()
            log_change(session, actor, row.id, "customer", row.id, "create")
            self._refresh_search(session, row)
            detail = self._detail(session, row)
        events.publish(events.Change("customer", frozenset({detail.id})))
        return detail

    def update(
        self, actor: Actor, customer_id: uuid.UUID, data: CustomerInput, expected_version: int
    ) -> CustomerDetail:
        """Save an edited file; ConcurrencyError if someone saved it since `expected_version` was read."""
        clean = clean_customer(data)
        try:
            with self.db.session() as session:
                row = self._row(session, customer_id)
                if row.version != expected_version:
                    raise concurrency_error(session, row)  # who deleted or changed it, and when
                self.live_row(session, customer_id)
                if not clean.code:
                    clean = replace(clean, code=row.code)
                self._check_code_free(session, clean.code, row.id)
                changes = changed_fields(row, clean, INPUT_FIELDS)
                if not changes:
                    return self._detail(session, row)
                for name, _old, _new in changes:
                    setattr(row, name, getattr(clean, name))
                row.updated_at = utcnow()
                row.updated_by_id = actor.staff_id
                session.flush()
                log_change(session, actor, row.id, "customer", row.id, "update", changes)
                self._refresh_search(session, row)
                detail = self._detail(session, row)
        except StaleDataError:
            with self.db.session() as session:
                raise concurrency_error(session, self._row(session, customer_id)) from None
        except IntegrityError:
            message = _("Customer code {code} is already used.").format(code=clean.code)
            raise ValidationError({"code": message}) from None
        events.publish(events.Change("customer", frozenset({customer_id})))
        return detail

    def delete(self, actor: Actor, customer_ids: list[uuid.UUID]) -> list[uuid.UUID]:
        """Soft delete: the files move to "deleted customers" and can be restored."""
        return self._set_deleted(actor, customer_ids, deleted=True)

    def restore(self, actor: Actor, customer_ids: list[uuid.UUID]) -> list[uuid.UUID]:
        return self._set_deleted(actor, customer_ids, deleted=False)

    def _set_deleted(self, actor: Actor, customer_ids: list[uuid.UUID], deleted: bool) -> list[uuid.UUID]:
        done = []
        now = utcnow()
        with self.db.session() as session:
            for row in session.scalars(select(Customer).where(Customer.id.in_(list(customer_ids)))):
                if (row.deleted_at is not None) == deleted:
                    continue
                row.deleted_at = now if deleted else None
                row.updated_at = now
                row.updated_by_id = actor.staff_id
                log_change(session, actor, row.id, "customer", row.id, "delete" if deleted else "restore")
                done.append(row.id)
        if done:
            events.publish(events.Change("customer", frozenset(done)))
        return done

    def history(self, actor: Actor, customer_id: uuid.UUID) -> list[HistoryEntry]:
        """Every change of the file and of its contacts and transactions, newest first."""
        with self.db.session() as session:
            rows = session.execute(
                select(
                    ChangeLog.at,
                    func.coalesce(Staff.name, ""),
                    ChangeLog.entity,
                    ChangeLog.action,
                    ChangeLog.field,
                    ChangeLog.old_value,
                    ChangeLog.new_value,
                )
                .outerjoin(Staff, Staff.id == ChangeLog.actor_id)
                .where(ChangeLog.customer_id == customer_id)
                .order_by(ChangeLog.at.desc(), ChangeLog.field)
            )
            entries = [HistoryEntry(*row) for row in rows]
            names = self._staff_names(session, entries)
        # An account manager is stored as an id; the history shows the person's name.
        return [
            replace(
                e,
                old_value=names.get(e.old_value, e.old_value),
                new_value=names.get(e.new_value, e.new_value),
            )
            if e.field in ("manager_id", "department_id")
            else e
            for e in entries
        ]

    @staticmethod
    def _staff_names(session: Session, entries: list[HistoryEntry]) -> dict[str, str]:
        ids = {
            v
            for e in entries
            if e.field in ("manager_id", "department_id")
            for v in (e.old_value, e.new_value)
            if v
        }
        if not ids:
            return {}
        uuids = [uuid.UUID(v) for v in ids]
        staff = session.execute(select(Staff.id, Staff.name).where(Staff.id.in_(uuids)))
        names = {str(k): v for k, v in staff}
        departments = session.execute(select(Department.id, Department.name).where(Department.id.in_(uuids)))
        names.update({str(k): v for k, v in departments})
        return names

    # -- contact persons

    def contacts(self, actor: Actor, customer_id: uuid.UUID) -> list[ContactDetail]:
        with self.db.session() as session:
            rows = session.scalars(
                select(ContactPerson)
                .where(ContactPerson.customer_id == customer_id, ContactPerson.deleted_at.is_(None))
                .order_by(ContactPerson.is_decision_maker.desc(), ContactPerson.created_at)
            )
            return [self._contact_detail(r) for r in rows]

    @staticmethod
    def _contact_detail(row: ContactPerson) -> ContactDetail:
        return _child_detail(row, ContactInput, ContactDetail)

    def save_contact(
        self,
        actor: Actor,
        customer_id: uuid.UUID,
        data: ContactInput,
        contact_id: uuid.UUID | None = None,
        expected_version: int | None = None,
    ) -> ContactDetail:
        """Add (contact_id None) or edit a contact person; one decision maker per customer."""
        clean = clean_contact(data)

        def write(session: Session, customer: Customer) -> ContactDetail:
            row = self._write_child(
                session,
                actor,
                customer,
                ContactPerson,
                "contact",
                clean,
                contact_id,
                expected_version,
                _("This contact person no longer exists."),
                summary="name",
                prefix_updates=True,
            )
            if clean.is_decision_maker:
                others = session.scalars(
                    select(ContactPerson).where(
                        ContactPerson.customer_id == customer_id,
                        ContactPerson.id != row.id,
                        ContactPerson.is_decision_maker.is_(True),
                        ContactPerson.deleted_at.is_(None),
                    )
                )
                for other in others:
                    other.is_decision_maker = False
                    log_change(
                        session,
                        actor,
                        customer_id,
                        "contact",
                        other.id,
                        "update",
                        [("is_decision_maker", f"{other.name}: 1", "0")],
                    )
            session.flush()
            self._refresh_search(session, customer)
            return self._contact_detail(row)

        return self._in_customer(customer_id, write)

    def _in_customer(self, customer_id: uuid.UUID, write):
        """Run `write(session, customer)` as one unit of work on a row inside a customer file."""
        try:
            with self.db.session() as session:
                result = write(session, self.live_row(session, customer_id))
        except StaleDataError:
            with self.db.session() as session:
                raise concurrency_error(session, self._row(session, customer_id)) from None
        events.publish(events.Change("customer", frozenset({customer_id})))
        return result

    @staticmethod
    def _write_child(
        session: Session,
        actor: Actor,
        customer: Customer,
        model,
        entity: str,
        clean,
        child_id: uuid.UUID | None,
        expected_version: int | None,
        gone: str,
        summary: str,
        prefix_updates: bool = False,
    ):
        """Insert or update a contact person or transaction of `customer`, writing its history.

        `summary` is the field the history shows when the row is added; with `prefix_updates` each
        changed field is shown with it (which contact's phone changed, not just that a phone did).
        """
        names = [f.name for f in fields(clean)]
        if child_id is None:
            row = model(
                customer_id=customer.id, updated_by_id=actor.staff_id, **{n: getattr(clean, n) for n in names}
            )
            session.add(row)
            session.flush()
            log_change(
                session,
                actor,
                customer.id,
                entity,
                row.id,
                "create",
                [(summary, "", history_text(getattr(clean, summary)))],
            )
            return row
        row = session.get(model, child_id)
        if row is None or row.customer_id != customer.id or row.deleted_at is not None:
            raise NotFoundError(gone)
        if expected_version is not None and row.version != expected_version:
            raise concurrency_error(session, row)  # whoever last saved this contact or transaction
        changes = changed_fields(row, clean, names)
        if not changes:
            return row  # OK pressed without an edit: no new version, no empty history line
        label = history_text(getattr(row, summary))
        for name, _old, _new in changes:
            setattr(row, name, getattr(clean, name))
        row.updated_at = utcnow()
        row.updated_by_id = actor.staff_id
        if prefix_updates:
            changes = [(n, f"{label}: {o}" if n != summary else o, nv) for n, o, nv in changes]
        log_change(session, actor, customer.id, entity, row.id, "update", changes)
        session.flush()
        return row

    def delete_contact(self, actor: Actor, customer_id: uuid.UUID, contact_id: uuid.UUID) -> None:
        def write(session: Session, customer: Customer) -> None:
            self._delete_child(
                session,
                actor,
                customer,
                ContactPerson,
                "contact",
                contact_id,
                _("This contact person no longer exists."),
                summary="name",
            )
            session.flush()
            self._refresh_search(session, customer)

        self._in_customer(customer_id, write)

    @staticmethod
    def _delete_child(
        session: Session,
        actor: Actor,
        customer: Customer,
        model,
        entity: str,
        child_id: uuid.UUID,
        gone: str,
        summary: str,
    ) -> None:
        row = session.get(model, child_id)
        if row is None or row.customer_id != customer.id or row.deleted_at is not None:
            raise NotFoundError(gone)
        row.deleted_at = row.updated_at = utcnow()
        row.updated_by_id = actor.staff_id
        log_change(
            session,
            actor,
            customer.id,
            entity,
            row.id,
            "delete",
            [(summary, history_text(getattr(row, summary)), "")],
        )

    # -- transactions

    def transactions(self, actor: Actor, customer_id: uuid.UUID) -> list[TransactionDetail]:
        with self.db.session() as session:
            rows = session.scalars(
                select(Transaction)
                .where(Transaction.customer_id == customer_id, Transaction.deleted_at.is_(None))
                .order_by(Transaction.occurred_on.desc(), Transaction.created_at.desc())
            )
            return [self._transaction_detail(r) for r in rows]

    @staticmethod
    def _transaction_detail(row: Transaction) -> TransactionDetail:
        return _child_detail(row, TransactionInput, TransactionDetail)

    def save_transaction(
        self,
        actor: Actor,
        customer_id: uuid.UUID,
        data: TransactionInput,
        transaction_id: uuid.UUID | None = None,
        expected_version: int | None = None,
    ) -> TransactionDetail:
        """Add (transaction_id None) or edit a transaction of the customer."""
        clean = clean_transaction(data)

        def write(session: Session, customer: Customer) -> TransactionDetail:
            row = self._write_child(
                session,
                actor,
                customer,
                Transaction,
                "transaction",
                clean,
                transaction_id,
                expected_version,
                _("This transaction no longer exists."),
                summary="amount",
            )
            return self._transaction_detail(row)

        return self._in_customer(customer_id, write)

    def delete_transaction(self, actor: Actor, customer_id: uuid.UUID, transaction_id: uuid.UUID) -> None:
        self._in_customer(
            customer_id,
            lambda session, customer: self._delete_child(
                session,
                actor,
                customer,
                Transaction,
                "transaction",
                transaction_id,
                _("This transaction no longer exists."),
                summary="amount",
            ),
        )
