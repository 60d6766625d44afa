"""Departments and staff: who works here, who has left, and who serves a customer besides its manager."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, and_, func, insert, select, update
from sqlalchemy.orm import Session

from app.db import Database
from app.i18n import _
from app.models import ADMIN_STAFF_ID, ChangeLog, Customer, CustomerStaff, Department, Staff, utcnow
from app.models.enums import StaffRole
from app.services import events
from app.services.actor import Actor
from app.services.customers import CustomerService, checked_field, log_change
from app.services.errors import NotFoundError, ServiceError, ValidationError
from app.services.validation import clean_text, normalize_email

NAME_LIMIT = 100
PHONE_LIMIT = 40
EMAIL_LIMIT = 200
# Rows changed per statement: well under every backend's limit on bound parameters.
CHUNK = 500


@dataclass(frozen=True)
class DepartmentInfo:
    id: uuid.UUID
    name: str
    staff_count: int  # active staff


@dataclass(frozen=True)
class StaffInfo:
    id: uuid.UUID
    name: str
    department_id: uuid.UUID | None
    department: str
    role: str  # a StaffRole value; labels.STAFF_ROLE names it
    phone: str
    email: str
    active: bool
    left_on: date | None
    customers: int  # live customers whose account manager this person is


@dataclass(frozen=True)
class StaffInput:
    name: str
    department_id: uuid.UUID | None = None
    role: str = StaffRole.SALES.value
    phone: str = ""
    email: str = ""


# ---------------------------------------------------------------- reading


def serving(staff=Staff) -> ColumnElement[bool]:
    """SQL: this staff row (Staff or an alias of it) works here: active, not left, not deleted."""
    return and_(staff.active.is_(True), staff.left_on.is_(None), staff.deleted_at.is_(None))


def _managed_counts() -> Select:
    return (
        select(Customer.manager_id.label("staff_id"), func.count().label("n"))
        .where(Customer.deleted_at.is_(None), Customer.manager_id.is_not(None))
        .group_by(Customer.manager_id)
    )


def _info_select(only: Iterable[uuid.UUID] | None = None) -> Select:
    """StaffInfo's columns in its field order, for live staff (only those of `only`, if given)."""
    managed = _managed_counts()
    if only is not None:
        only = list(only)
        managed = managed.where(Customer.manager_id.in_(only))
    counts = managed.subquery("managed")
    stmt = (
        select(
            Staff.id,
            Staff.name,
            Staff.department_id,
            func.coalesce(Department.name, ""),
            Staff.role,
            Staff.phone,
            Staff.email,
            Staff.active,
            Staff.left_on,
            func.coalesce(counts.c.n, 0),
        )
        .outerjoin(Department, Department.id == Staff.department_id)
        .outerjoin(counts, counts.c.staff_id == Staff.id)
        .where(Staff.deleted_at.is_(None))
    )
    if only is not None:
        stmt = stmt.where(Staff.id.in_(only))
    return stmt


def staff_info(session: Session, staff_id: uuid.UUID) -> StaffInfo:
    """One live staff member; NotFoundError if there is none with this id."""
    row = session.execute(_info_select([staff_id])).first()
    if row is None:
        raise NotFoundError(_("This staff member no longer exists."))
    return StaffInfo(*row)


def _live_department(session: Session, department_id: uuid.UUID) -> Department:
    row = session.get(Department, department_id)
    if row is None or row.deleted_at is not None:
        raise NotFoundError(_("This department no longer exists."))
    return row


def _names_text(names: Iterable[str]) -> str:
    return ", ".join(names)


# ---------------------------------------------------------------- additional staff, shared with the handover


def _additional_rows(session: Session, customer_ids: list[uuid.UUID]) -> list:
    """The live additional-staff rows of these customers (id, customer_id, staff_id, name), by name."""
    rows = []
    for start in range(0, len(customer_ids), CHUNK):
        part = customer_ids[start : start + CHUNK]
        rows.extend(
            session.execute(
                select(CustomerStaff.id, CustomerStaff.customer_id, CustomerStaff.staff_id, Staff.name)
                .join(Staff, Staff.id == CustomerStaff.staff_id)
                .where(CustomerStaff.customer_id.in_(part), CustomerStaff.deleted_at.is_(None))
                .order_by(Staff.name, CustomerStaff.staff_id)
            )
        )
    return rows


def drop_additional_staff(
    session: Session, actor: Actor, pairs: Iterable[tuple[uuid.UUID, uuid.UUID]], now: datetime | None = None
) -> list[uuid.UUID]:
    """Soft-delete the additional-staff rows of these (customer, staff) pairs, with one history entry
    per customer (its list of additional staff before and after); returns the customers changed.

    Set-based, for the handover: a leaver may serve hundreds of customers.
    """
    now = now or utcnow()
    dropping: dict[uuid.UUID, set[uuid.UUID]] = {}
    for customer_id, staff_id in pairs:
        dropping.setdefault(customer_id, set()).add(staff_id)
    if not dropping:
        return []
    current: dict[uuid.UUID, list] = {}
    for row in _additional_rows(session, list(dropping)):
        current.setdefault(row.customer_id, []).append(row)
    row_ids, history, changed = [], [], []
    for customer_id, rows in current.items():
        gone = [r for r in rows if r.staff_id in dropping[customer_id]]
        if not gone:
            continue
        row_ids.extend(r.id for r in gone)
        changed.append(customer_id)
        history.append(
            change_row(
                actor,
                customer_id,
                "additional_staff",
                _names_text(r.name for r in rows),
                _names_text(r.name for r in rows if r not in gone),
                now,
            )
        )
    table = CustomerStaff.__table__
    for start in range(0, len(row_ids), CHUNK):
        session.execute(
            update(table)
            .where(table.c.id.in_(row_ids[start : start + CHUNK]))
            .values(deleted_at=now, updated_at=now, updated_by_id=actor.staff_id, version=table.c.version + 1)
        )
    if history:
        session.execute(insert(ChangeLog.__table__), history)
    return changed


def change_row(actor: Actor, customer_id: uuid.UUID, field: str, old: str, new: str, now: datetime) -> dict:
    """A ChangeLog row of a customer's own field, for an executemany insert."""
    return {
        "id": uuid.uuid4(),
        "customer_id": customer_id,
        "entity": "customer",
        "entity_id": customer_id,
        "action": "update",
        "field": field,
        "old_value": old,
        "new_value": new,
        "actor_id": actor.staff_id,
        "at": now,
    }


def mark_left(session: Session, actor: Actor, staff: Staff, on: date, now: datetime) -> list[uuid.UUID]:
    """Make `staff` a former employee as of `on`; they stop being additional staff of any customer
    (a leaver serves nobody). Returns the customers whose additional staff changed."""
    if staff.id == ADMIN_STAFF_ID:
        raise ServiceError(_("The built-in administrator cannot leave."))
    staff.active = False
    staff.left_on = on
    staff.updated_at = now
    pairs = session.execute(
        select(CustomerStaff.customer_id, CustomerStaff.staff_id).where(
            CustomerStaff.staff_id == staff.id, CustomerStaff.deleted_at.is_(None)
        )
    ).all()
    return drop_additional_staff(session, actor, pairs, now)


# ---------------------------------------------------------------- the service


class StaffService:
    """Use cases on departments and staff. Every method is one unit of work and returns plain data."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- departments

    def departments(self, actor: Actor) -> list[DepartmentInfo]:
        active = (
            select(Staff.department_id, func.count().label("n"))
            .where(Staff.deleted_at.is_(None), Staff.active.is_(True))
            .group_by(Staff.department_id)
            .subquery("active")
        )
        stmt = (
            select(Department.id, Department.name, func.coalesce(active.c.n, 0))
            .outerjoin(active, active.c.department_id == Department.id)
            .where(Department.deleted_at.is_(None))
            .order_by(Department.name, Department.id)
        )
        with self.db.session() as session:
            return [DepartmentInfo(*row) for row in session.execute(stmt)]

    def save_department(
        self, actor: Actor, name: str, department_id: uuid.UUID | None = None
    ) -> DepartmentInfo:
        """Add a department (department_id None) or rename one; names are unique, whatever their case.
        Managers only."""
        actor.require_manager()
        name = clean_text(name)
        if not name:
            raise ValidationError({"name": _("The department name is required.")})
        if len(name) > NAME_LIMIT:
            raise ValidationError(
                {"name": _("The department name is longer than {limit} characters.").format(limit=NAME_LIMIT)}
            )
        with self.db.session() as session:
            # Compared in Python: SQLite's lower() knows ASCII only, PostgreSQL's every script.
            others = session.execute(
                select(Department.id, Department.name).where(Department.deleted_at.is_(None))
            )
            if any(i != department_id and n.casefold() == name.casefold() for i, n in others):
                raise ValidationError(
                    {"name": _("There is already a department named {name}.").format(name=name)}
                )
            if department_id is None:
                row = Department(name=name)
                session.add(row)
            else:
                row = _live_department(session, department_id)
                row.name = name
                row.updated_at = utcnow()
            session.flush()
            count = session.scalar(
                select(func.count())
                .select_from(Staff)
                .where(Staff.department_id == row.id, Staff.deleted_at.is_(None), Staff.active.is_(True))
            )
            info = DepartmentInfo(row.id, row.name, count or 0)
        events.publish(events.Change("staff"))
        return info

    def delete_department(self, actor: Actor, department_id: uuid.UUID) -> None:
        """Soft delete; refused while active staff belong to it (former staff may stay in it).
        Managers only."""
        actor.require_manager()
        with self.db.session() as session:
            row = _live_department(session, department_id)
            count = session.scalar(
                select(func.count())
                .select_from(Staff)
                .where(Staff.department_id == row.id, Staff.deleted_at.is_(None), Staff.active.is_(True))
            )
            if count:
                raise ServiceError(
                    _("{name} still has {count} active staff: move them to another department first.").format(
                        name=row.name, count=count
                    )
                )
            row.deleted_at = row.updated_at = utcnow()
        events.publish(events.Change("staff"))

    # -- staff

    def staff(self, actor: Actor, include_left: bool = True) -> list[StaffInfo]:
        """Live staff, active first, then by name."""
        stmt = _info_select().order_by(Staff.active.desc(), Staff.name, Staff.id)
        if not include_left:
            stmt = stmt.where(Staff.active.is_(True))
        with self.db.session() as session:
            return [StaffInfo(*row) for row in session.execute(stmt)]

    def get(self, actor: Actor, staff_id: uuid.UUID) -> StaffInfo:
        with self.db.session() as session:
            return staff_info(session, staff_id)

    def find(self, actor: Actor, text: str) -> StaffInfo:
        """A staff member by id (as text) or by name, whatever its case; former staff are found too."""
        wanted = clean_text(text)
        try:
            staff_id = uuid.UUID(wanted)
        except ValueError:
            staff_id = None
        with self.db.session() as session:
            if staff_id is not None:
                found = session.scalar(
                    select(Staff.id).where(Staff.id == staff_id, Staff.deleted_at.is_(None))
                )
                if found is not None:
                    return staff_info(session, found)
            else:
                rows = session.execute(select(Staff.id, Staff.name).where(Staff.deleted_at.is_(None)))
                matches = sorted(str(i) for i, n in rows if n.casefold() == wanted.casefold())
                if len(matches) > 1:
                    raise ServiceError(
                        _(
                            "{count} staff members are named {name}: give the id instead, one of {ids}."
                        ).format(count=len(matches), name=wanted, ids=", ".join(matches))
                    )
                if matches:
                    return staff_info(session, uuid.UUID(matches[0]))
        raise NotFoundError(_("There is no staff member {name}.").format(name=wanted))

    def save(self, actor: Actor, data: StaffInput, staff_id: uuid.UUID | None = None) -> StaffInfo:
        """Add a staff member (staff_id None) or edit one; ValidationError names each field wrong.
        Managers only."""
        actor.require_manager()
        errors: dict[str, str] = {}
        name = clean_text(data.name)
        if not name:
            errors["name"] = _("The staff member's name is required.")
        elif len(name) > NAME_LIMIT:
            errors["name"] = _("The name is longer than {limit} characters.").format(limit=NAME_LIMIT)
        role = clean_text(data.role) or StaffRole.SALES.value
        roles = [r.value for r in StaffRole]
        if role not in roles:
            errors["role"] = _("{role} is not a role: choose one of {roles}.").format(
                role=role, roles=", ".join(roles)
            )
        phone = clean_text(data.phone)
        if len(phone) > PHONE_LIMIT:
            errors["phone"] = _("The phone is longer than {limit} characters.").format(limit=PHONE_LIMIT)
        email = checked_field(errors, "email", normalize_email, data.email)
        if "email" not in errors and len(email) > EMAIL_LIMIT:
            errors["email"] = _("The e-mail address is longer than {limit} characters.").format(
                limit=EMAIL_LIMIT
            )
        with self.db.session() as session:
            row = None
            if staff_id is not None:
                row = session.get(Staff, staff_id)
                if row is None or row.deleted_at is not None:
                    raise NotFoundError(_("This staff member no longer exists."))
            # A former employee may stay in a department deleted since; no one joins one.
            if data.department_id is not None and (row is None or row.department_id != data.department_id):
                department = session.get(Department, data.department_id)
                if department is None or department.deleted_at is not None:
                    errors["department_id"] = _("This department no longer exists.")
            if errors:
                raise ValidationError(errors)
            if row is None:
                row = Staff(active=True)
                session.add(row)
            else:
                row.updated_at = utcnow()
            row.name, row.department_id, row.role, row.phone, row.email = (
                name,
                data.department_id,
                role,
                phone,
                email,
            )
            session.flush()
            info = staff_info(session, row.id)
        events.publish(events.Change("staff"))
        return info

    def leave(self, actor: Actor, staff_id: uuid.UUID, on: date | None = None) -> StaffInfo:
        """Mark a staff member as left on `on` (default today). Their customers stay theirs until a
        handover moves them; their places as additional staff of customers are given up. Managers only."""
        actor.require_manager()
        now = utcnow()
        with self.db.session() as session:
            row = session.get(Staff, staff_id)
            if row is None or row.deleted_at is not None:
                raise NotFoundError(_("This staff member no longer exists."))
            changed = mark_left(session, actor, row, on or date.today(), now)
            session.flush()
            info = staff_info(session, row.id)
        events.publish(events.Change("staff"))
        if changed:
            events.publish(events.Change("customer", frozenset(changed)))
        return info

    def rejoin(self, actor: Actor, staff_id: uuid.UUID) -> StaffInfo:
        """A former staff member works here again. Managers only."""
        actor.require_manager()
        with self.db.session() as session:
            row = session.get(Staff, staff_id)
            if row is None or row.deleted_at is not None:
                raise NotFoundError(_("This staff member no longer exists."))
            row.active = True
            row.left_on = None
            row.updated_at = utcnow()
            session.flush()
            info = staff_info(session, row.id)
        events.publish(events.Change("staff"))
        return info

    # -- the staff of a customer besides its account manager

    def customer_staff(self, actor: Actor, customer_id: uuid.UUID) -> list[StaffInfo]:
        """The additional staff of a customer (not its account manager), by name."""
        with self.db.session() as session:
            ids = [r.staff_id for r in _additional_rows(session, [customer_id])]
            if not ids:
                return []
            rows = session.execute(_info_select(ids).order_by(Staff.name, Staff.id))
            return [StaffInfo(*row) for row in rows]

    def set_customer_staff(self, actor: Actor, customer_id: uuid.UUID, staff_ids: list[uuid.UUID]) -> None:
        """Make `staff_ids` the customer's additional staff: rows of people not in it are removed,
        new people added. The account manager is never listed twice (passing them changes nothing)."""
        with self.db.session() as session:
            customer = CustomerService.live_row(session, customer_id)
            wanted = list(dict.fromkeys(i for i in staff_ids if i != customer.manager_id))
            current = _additional_rows(session, [customer_id])
            have = {r.staff_id for r in current}
            adding = [i for i in wanted if i not in have]
            if adding:
                people = {
                    r.id: r
                    for r in session.scalars(
                        select(Staff).where(Staff.id.in_(adding), Staff.deleted_at.is_(None))
                    )
                }
                for staff_id in adding:
                    person = people.get(staff_id)
                    if person is None:
                        raise NotFoundError(_("This staff member no longer exists."))
                    if not person.active:
                        raise ServiceError(
                            _("{name} has left and cannot serve customers.").format(name=person.name)
                        )
            removing = [(customer_id, r.staff_id) for r in current if r.staff_id not in wanted]
            if not adding and not removing:
                return
            old = _names_text(r.name for r in current)
            now = utcnow()
            table = CustomerStaff.__table__
            if removing:
                gone = [r.id for r in current if r.staff_id not in wanted]
                session.execute(
                    update(table)
                    .where(table.c.id.in_(gone))
                    .values(
                        deleted_at=now,
                        updated_at=now,
                        updated_by_id=actor.staff_id,
                        version=table.c.version + 1,
                    )
                )
            for staff_id in adding:
                session.add(
                    CustomerStaff(customer_id=customer_id, staff_id=staff_id, updated_by_id=actor.staff_id)
                )
            session.flush()
            new = _names_text(r.name for r in _additional_rows(session, [customer_id]))
            log_change(
                session,
                actor,
                customer_id,
                "customer",
                customer_id,
                "update",
                [("additional_staff", old, new)],
            )
        events.publish(events.Change("customer", frozenset({customer_id})))
