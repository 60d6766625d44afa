"""Departments, staff, a customer's additional staff, and the handover of a leaver's customers, by hand."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, insert, select, text, update

from app.models import ChangeLog, Customer, CustomerStaff, FollowUp, Staff
from app.services import events, handover
from app.services.actor import DEFAULT_ACTOR, Actor
from app.services.customers import CustomerInput, CustomerService, TransactionInput
from app.services.errors import Cancelled, NotFoundError, ServiceError, ValidationError
from app.services.handover import HandoverCustomer
from app.services.staff import StaffInput, StaffService

AS_OF = date(2026, 3, 10)  # the handover's day; introductions are due 2026-03-13


@pytest.fixture
def staff(db) -> StaffService:
    return StaffService(db)


def person(staff: StaffService, name: str, **kwargs) -> uuid.UUID:
    return staff.save(DEFAULT_ACTOR, StaffInput(name=name, **kwargs)).id


def customer(db, code: str, manager_id: uuid.UUID | None, **kwargs) -> uuid.UUID:
    data = CustomerInput(name=f"Customer {code}", code=code, manager_id=manager_id, **kwargs)
    return CustomerService(db).create(DEFAULT_ACTOR, data).id


def buy(db, customer_id: uuid.UUID, day: date, amount: str) -> None:
    CustomerService(db).save_transaction(
        DEFAULT_ACTOR, customer_id, TransactionInput(occurred_on=day, amount=Decimal(amount))
    )


def add_follow_up(db, customer_id, owner_id, due_on: date, status: str = "open") -> uuid.UUID:
    follow_up_id = uuid.uuid4()
    with db.session() as session:
        session.add(
            FollowUp(
                id=follow_up_id,
                customer_id=customer_id,
                owner_id=owner_id,
                due_on=due_on,
                purpose="Call back",
                status=status,
            )
        )
    return follow_up_id


def managers(db) -> dict[str, uuid.UUID | None]:
    with db.session() as session:
        return dict(session.execute(select(Customer.code, Customer.manager_id)).all())


def follow_ups(db) -> list[tuple]:
    """(customer code, owner id, due on, origin, purpose) of every follow-up, in a fixed order."""
    with db.session() as session:
        return sorted(
            session.execute(
                select(
                    Customer.code, FollowUp.owner_id, FollowUp.due_on, FollowUp.origin, FollowUp.purpose
                ).join(Customer, Customer.id == FollowUp.customer_id)
            ).all(),
            key=lambda r: (r[0], r[2], r[3]),
        )


def manager_history(db) -> list[tuple[uuid.UUID, str, str]]:
    with db.session() as session:
        return sorted(
            session.execute(
                select(ChangeLog.customer_id, ChangeLog.old_value, ChangeLog.new_value).where(
                    ChangeLog.field == "manager_id"
                )
            ).all()
        )


# ---------------------------------------------------------------- departments


def test_department_names_are_required_and_unique_whatever_their_case(staff):
    with pytest.raises(ValidationError) as empty:
        staff.save_department(DEFAULT_ACTOR, "   ")
    assert empty.value.errors == {"name": "The department name is required."}
    east = staff.save_department(DEFAULT_ACTOR, "  Sales   East ")
    assert east.name == "Sales East" and east.staff_count == 0
    with pytest.raises(ValidationError) as duplicate:
        staff.save_department(DEFAULT_ACTOR, "sales east")
    assert duplicate.value.errors == {"name": "There is already a department named sales east."}
    # Its own name in another case is a rename, not a duplicate.
    renamed = staff.save_department(DEFAULT_ACTOR, "SALES EAST", east.id)
    assert renamed.id == east.id and renamed.name == "SALES EAST"
    person(staff, "Wang Fang", department_id=east.id)
    assert [(d.name, d.staff_count) for d in staff.departments(DEFAULT_ACTOR)] == [
        ("Head office", 1),  # the built-in administrator
        ("SALES EAST", 1),
    ]


def test_a_department_with_active_staff_cannot_be_deleted(staff):
    east = staff.save_department(DEFAULT_ACTOR, "East")
    wang = person(staff, "Wang Fang", department_id=east.id)
    li = person(staff, "Li Lei", department_id=east.id)
    with pytest.raises(ServiceError) as refused:
        staff.delete_department(DEFAULT_ACTOR, east.id)
    assert str(refused.value) == "East still has 2 active staff: move them to another department first."
    staff.leave(DEFAULT_ACTOR, wang, date(2026, 1, 31))
    staff.save(DEFAULT_ACTOR, StaffInput(name="Li Lei", department_id=None), li)
    staff.delete_department(DEFAULT_ACTOR, east.id)  # only a former employee is left in it
    assert [d.name for d in staff.departments(DEFAULT_ACTOR)] == ["Head office"]
    with pytest.raises(NotFoundError):
        staff.delete_department(DEFAULT_ACTOR, east.id)
    # The former employee's file can still be edited; nobody new joins the deleted department.
    assert (
        staff.save(
            DEFAULT_ACTOR, StaffInput(name="Wang Fang", department_id=east.id, phone="8001"), wang
        ).phone
        == "8001"
    )
    with pytest.raises(ValidationError) as closed:
        staff.save(DEFAULT_ACTOR, StaffInput(name="Zhao Min", department_id=east.id))
    assert closed.value.errors == {"department_id": "This department no longer exists."}


# ---------------------------------------------------------------- staff


def test_saving_staff_names_every_wrong_field(staff):
    with pytest.raises(ValidationError) as wrong:
        staff.save(
            DEFAULT_ACTOR,
            StaffInput(name=" ", role="boss", email="not-an-address", department_id=uuid.uuid4()),
        )
    assert wrong.value.errors == {
        "name": "The staff member's name is required.",
        "role": "boss is not a role: choose one of sales, manager, general_manager, admin.",
        "email": "E-mail is not a valid e-mail address.",
        "department_id": "This department no longer exists.",
    }


def test_staff_are_saved_cleaned_and_listed_active_first_with_their_customers(db, staff):
    east = staff.save_department(DEFAULT_ACTOR, "East")
    zhao = staff.save(
        DEFAULT_ACTOR,
        StaffInput(name=" Zhao  Min ", department_id=east.id, role="manager", email="Zhao@Example.COM"),
    )
    assert (zhao.name, zhao.department, zhao.role, zhao.email, zhao.active, zhao.left_on) == (
        "Zhao Min",
        "East",
        "manager",
        "Zhao@example.com",  # the domain in lower case, as customers' addresses are kept
        True,
        None,
    )
    bai = person(staff, "Bai Lu")
    ai = person(staff, "Ai Qing")
    customer(db, "C1", zhao.id)
    customer(db, "C2", zhao.id)
    gone = customer(db, "C3", zhao.id)
    CustomerService(db).delete(DEFAULT_ACTOR, [gone])  # a deleted customer is nobody's any more
    staff.leave(DEFAULT_ACTOR, ai, date(2026, 2, 1))
    listed = staff.staff(DEFAULT_ACTOR)
    assert [(s.name, s.active, s.customers) for s in listed] == [
        ("Administrator", True, 0),
        ("Bai Lu", True, 0),
        ("Zhao Min", True, 2),
        ("Ai Qing", False, 0),  # former staff last, though first by name
    ]
    assert listed[3].left_on == date(2026, 2, 1)
    assert [s.id for s in staff.staff(DEFAULT_ACTOR, include_left=False)] == [
        listed[0].id,
        bai,
        zhao.id,
    ]
    assert staff.get(DEFAULT_ACTOR, zhao.id).customers == 2


def test_find_by_id_or_name_and_what_it_says_when_it_cannot(staff):
    wang = person(staff, "Wang Fang")
    assert staff.find(DEFAULT_ACTOR, "wang fang").id == wang  # any case
    assert staff.find(DEFAULT_ACTOR, f" {wang} ").id == wang
    with pytest.raises(NotFoundError) as missing:
        staff.find(DEFAULT_ACTOR, "Nobody")
    assert str(missing.value) == "There is no staff member Nobody."
    with pytest.raises(NotFoundError) as no_id:
        staff.find(DEFAULT_ACTOR, str(uuid.UUID(int=7)))
    assert str(no_id.value) == f"There is no staff member {uuid.UUID(int=7)}."
    first, second = person(staff, "Li Lei"), person(staff, "LI LEI")
    with pytest.raises(ServiceError) as ambiguous:
        staff.find(DEFAULT_ACTOR, "Li Lei")
    ids = ", ".join(sorted([str(first), str(second)]))
    assert str(ambiguous.value) == f"2 staff members are named Li Lei: give the id instead, one of {ids}."
    assert staff.find(DEFAULT_ACTOR, str(second)).name == "LI LEI"


def test_leave_and_rejoin_but_the_administrator_never_leaves(staff):
    wang = person(staff, "Wang Fang")
    left = staff.leave(DEFAULT_ACTOR, wang, date(2026, 1, 15))
    assert (left.active, left.left_on) == (False, date(2026, 1, 15))
    back = staff.rejoin(DEFAULT_ACTOR, wang)
    assert (back.active, back.left_on) == (True, None)
    admin = staff.find(DEFAULT_ACTOR, "Administrator")
    with pytest.raises(ServiceError, match=re.escape("The built-in administrator cannot leave.")):
        staff.leave(DEFAULT_ACTOR, admin.id)
    assert staff.get(DEFAULT_ACTOR, admin.id).active


def test_only_a_manager_changes_staff_and_departments(db, staff):
    east = staff.save_department(DEFAULT_ACTOR, "East")
    empty = staff.save_department(DEFAULT_ACTOR, "Empty")
    wang = person(staff, "Wang Fang", department_id=east.id)
    gone = person(staff, "Gone Guo")
    staff.leave(DEFAULT_ACTOR, gone, date(2026, 1, 31))
    sales = Actor(staff_id=wang, name="Wang Fang", role="sales")
    before = (staff.departments(DEFAULT_ACTOR), staff.staff(DEFAULT_ACTOR))
    attempts = [
        lambda: staff.save(sales, StaffInput(name="Li Lei")),
        lambda: staff.save(sales, StaffInput(name="Wang Fang", role="admin"), wang),
        lambda: staff.save_department(sales, "West"),
        lambda: staff.save_department(sales, "Far East", east.id),
        lambda: staff.delete_department(sales, empty.id),
        lambda: staff.leave(sales, wang, date(2026, 3, 1)),
        lambda: staff.rejoin(sales, gone),
    ]
    for attempt in attempts:
        with pytest.raises(ServiceError, match=re.escape("Only a manager can do this.")):
            attempt()
    assert (staff.departments(DEFAULT_ACTOR), staff.staff(DEFAULT_ACTOR)) == before
    # A department manager may.
    manager = Actor(staff_id=person(staff, "Zhao Min", role="manager"), name="Zhao Min", role="manager")
    assert staff.save(manager, StaffInput(name="Li Lei")).name == "Li Lei"
    assert staff.rejoin(manager, gone).active


def test_additional_staff_are_replaced_as_a_set_with_history(db, staff):
    manager = person(staff, "Manager Ma")
    a, b, c = person(staff, "A Ann"), person(staff, "B Bo"), person(staff, "C Cai")
    target = customer(db, "K1", manager)
    seen = []
    stop = events.subscribe(seen.append)
    try:
        # The account manager passed along is not listed twice; a repeated id counts once.
        staff.set_customer_staff(DEFAULT_ACTOR, target, [b, manager, a, b])
    finally:
        stop()
    assert [s.name for s in staff.customer_staff(DEFAULT_ACTOR, target)] == ["A Ann", "B Bo"]
    assert events.Change("customer", frozenset({target})) in seen
    staff.set_customer_staff(DEFAULT_ACTOR, target, [c, b])
    assert [s.name for s in staff.customer_staff(DEFAULT_ACTOR, target)] == ["B Bo", "C Cai"]
    staff.set_customer_staff(DEFAULT_ACTOR, target, [b, c])  # the same set: no history entry
    history = [
        (h.old_value, h.new_value)
        for h in CustomerService(db).history(DEFAULT_ACTOR, target)
        if h.field == "additional_staff"
    ]
    assert sorted(history) == [("", "A Ann, B Bo"), ("A Ann, B Bo", "B Bo, C Cai")]
    with db.session() as session:
        rows = session.execute(
            select(CustomerStaff.staff_id, CustomerStaff.deleted_at.is_(None)).where(
                CustomerStaff.customer_id == target
            )
        ).all()
    # A's row is kept, marked deleted (soft delete): three rows, two live.
    assert sorted((str(s), live) for s, live in rows) == sorted(
        [(str(a), False), (str(b), True), (str(c), True)]
    )
    staff.leave(DEFAULT_ACTOR, c, date(2026, 2, 1))
    assert [s.name for s in staff.customer_staff(DEFAULT_ACTOR, target)] == ["B Bo"]  # a leaver serves none
    with pytest.raises(ServiceError, match=re.escape("C Cai has left and cannot serve customers.")):
        staff.set_customer_staff(DEFAULT_ACTOR, target, [b, c])


# ---------------------------------------------------------------- splitting


def plain(code: str, revenue: str) -> HandoverCustomer:
    return HandoverCustomer(uuid.uuid4(), code, code, "", Decimal(revenue), 0)


def by_recipient(customers, assignment, recipients) -> dict:
    return {r: [c.code for c in customers if assignment[c.id] == r] for r in recipients}


def test_split_by_count_goes_round_robin_in_the_given_order():
    customers = [plain(f"C{i}", "0") for i in range(1, 6)]
    a, b = uuid.uuid4(), uuid.uuid4()
    assignment = handover.split(customers, [a, b], "count")
    # C1 → A, C2 → B, C3 → A, C4 → B, C5 → A: three and two.
    assert by_recipient(customers, assignment, [a, b]) == {a: ["C1", "C3", "C5"], b: ["C2", "C4"]}


def test_split_by_revenue_balances_greedily():
    a, b = uuid.uuid4(), uuid.uuid4()
    customers = [plain("C1", "500"), plain("C2", "300"), plain("C3", "200"), plain("C4", "100")]
    # 500 → A (both 0: first in order); 300 → B (0 < 500); 200 → B (300 < 500); 100: A 500 = B 500,
    # A has fewer customers (1 < 2) → A. A: 500 + 100 = 600, B: 300 + 200 = 500.
    assert by_recipient(customers, handover.split(customers, [a, b], "revenue"), [a, b]) == {
        a: ["C1", "C4"],
        b: ["C2", "C3"],
    }
    r1, r2, r3 = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    customers = [
        plain("D1", "400"),
        plain("D2", "300"),
        plain("D3", "300"),
        plain("D4", "200"),
        plain("D5", "100"),
    ]
    # 400 → R1; 300 (D2) → R2; 300 (D3) → R3; 200: R2 300 = R3 300, both one customer → R2 (order), 500;
    # 100: R1 400, R2 500, R3 300 → R3, 400.
    assert by_recipient(customers, handover.split(customers, [r1, r2, r3], "revenue"), [r1, r2, r3]) == {
        r1: ["D1"],
        r2: ["D2", "D4"],
        r3: ["D3", "D5"],
    }


def test_split_refuses_no_recipients_the_leaver_and_an_unknown_way():
    customers = [plain("C1", "1")]
    leaver, other = uuid.uuid4(), uuid.uuid4()
    with pytest.raises(ServiceError, match="Choose at least one staff member"):
        handover.split(customers, [], "count")
    with pytest.raises(ServiceError, match="cannot be handed over to the person handing them over"):
        handover.split(customers, [other, leaver], "count", leaver=leaver)
    with pytest.raises(
        ServiceError, match=re.escape("Split the customers by count or revenue, not alphabet.")
    ):
        handover.split(customers, [other], "alphabet")


# ---------------------------------------------------------------- the situation


def test_situation_sums_twelve_months_of_revenue_and_counts_follow_ups(db, staff):
    wang, li = person(staff, "Wang Fang"), person(staff, "Li Lei")
    c1, c2, c3 = customer(db, "C1", wang), customer(db, "C2", wang), customer(db, "C3", wang)
    customer(db, "C4", li)
    gone = customer(db, "C5", wang)
    CustomerService(db).delete(DEFAULT_ACTOR, [gone])
    # The window is (2025-03-10, 2026-03-10].
    buy(db, c1, date(2025, 3, 10), "9000")  # the day a year before: outside
    buy(db, c1, date(2025, 3, 11), "100.50")  # inside
    buy(db, c1, date(2026, 3, 10), "200")  # as_of itself: inside → 300.50
    buy(db, c1, date(2026, 3, 11), "5000")  # after: outside
    buy(db, c2, date(2025, 12, 1), "300.50")  # the same 300.50: C1 before C2 by code
    buy(db, c3, date(2025, 12, 1), "1000")
    CustomerService(db).delete_transaction(
        DEFAULT_ACTOR, c3, CustomerService(db).transactions(DEFAULT_ACTOR, c3)[0].id
    )  # deleted: C3 has 0
    add_follow_up(db, c1, wang, date(2026, 3, 1))
    add_follow_up(db, c1, wang, date(2026, 4, 1))
    add_follow_up(db, c1, wang, date(2026, 2, 1), status="done")  # not open
    add_follow_up(db, c2, li, date(2026, 3, 1))  # someone else's
    other = customer(db, "C6", li)
    staff.set_customer_staff(DEFAULT_ACTOR, other, [wang])
    found = handover.situation(db, DEFAULT_ACTOR, wang, AS_OF)
    assert found.staff.name == "Wang Fang" and found.staff.customers == 3
    assert [(c.code, c.revenue_12m, c.open_follow_ups) for c in found.customers] == [
        ("C1", Decimal("300.50"), 2),
        ("C2", Decimal("300.50"), 0),
        ("C3", Decimal("0.00"), 0),
    ]
    assert (found.open_follow_ups, found.additional_of) == (2, 1)
    chosen = handover.situation(db, DEFAULT_ACTOR, wang, AS_OF, customer_ids=[c3, c2, other])
    # C6 is not Wang's: only the customers given that Wang manages.
    assert [c.code for c in chosen.customers] == ["C2", "C3"]


# ---------------------------------------------------------------- execute


@pytest.fixture
def office(db, staff):
    """Wang Fang leaves; four customers with 12-month revenues 500, 300, 200, 100 go to Li Lei and Han Mei."""
    ids = {name: person(staff, name) for name in ("Wang Fang", "Li Lei", "Han Mei", "Zhao Min")}
    wang = ids["Wang Fang"]
    for code, revenue in (("C1", "500"), ("C2", "300"), ("C3", "200"), ("C4", "100")):
        ids[code] = customer(db, code, wang)
        buy(db, ids[code], date(2026, 1, 5), revenue)
    ids["Z1"] = customer(db, "Z1", ids["Zhao Min"])  # Zhao's; Wang serves it as additional staff
    staff.set_customer_staff(DEFAULT_ACTOR, ids["Z1"], [wang])
    staff.set_customer_staff(DEFAULT_ACTOR, ids["C2"], [ids["Han Mei"]])
    ids["f_open"] = add_follow_up(db, ids["C1"], wang, date(2026, 3, 20))
    ids["f_done"] = add_follow_up(db, ids["C2"], wang, date(2026, 2, 1), status="done")
    ids["f_other"] = add_follow_up(db, ids["C3"], ids["Zhao Min"], date(2026, 3, 25))
    return ids


def test_handover_by_revenue_moves_customers_follow_ups_and_writes_history(db, staff, office):
    wang, li, han, zhao = (office[n] for n in ("Wang Fang", "Li Lei", "Han Mei", "Zhao Min"))
    found = handover.situation(db, DEFAULT_ACTOR, wang, AS_OF)
    assert [c.code for c in found.customers] == ["C1", "C2", "C3", "C4"]
    assignment = handover.split(found.customers, [li, han], "revenue", leaver=wang)
    with db.session() as session:
        versions = dict(session.execute(select(Customer.code, Customer.version)).all())
    seen, progress = [], []
    stop = events.subscribe(seen.append)
    try:
        result = handover.execute(
            db, DEFAULT_ACTOR, wang, assignment, as_of=AS_OF, progress=lambda d, t: progress.append((d, t))
        )
    finally:
        stop()
    # As by hand: Li 500 + 100 (C1, C4), Han 300 + 200 (C2, C3).
    assert (result.moved, result.per_recipient) == (4, {li: 2, han: 2})
    assert (result.follow_ups_moved, result.follow_ups_created, result.marked_left) == (1, 4, False)
    assert progress[0] == (0, 4) and progress[-1] == (4, 4)
    assert managers(db) == {"C1": li, "C2": han, "C3": han, "C4": li, "Z1": zhao}
    with db.session() as session:
        after = dict(session.execute(select(Customer.code, Customer.version)).all())
    assert {code: after[code] - versions[code] for code in after} == {
        "C1": 1,
        "C2": 1,
        "C3": 1,
        "C4": 1,
        "Z1": 0,
    }
    assert manager_history(db) == sorted(
        [
            (office["C1"], str(wang), str(li)),
            (office["C2"], str(wang), str(han)),
            (office["C3"], str(wang), str(han)),
            (office["C4"], str(wang), str(li)),
        ]
    )
    shown = [h for h in CustomerService(db).history(DEFAULT_ACTOR, office["C2"]) if h.field == "manager_id"]
    assert [(h.old_value, h.new_value) for h in shown] == [("Wang Fang", "Han Mei")]
    # The open follow-up went with C1 to Li; the done one and Zhao's stayed; one introduction each,
    # due three days after the handover (2026-03-10 + 3).
    introduce = "Introduce the new account manager"
    assert follow_ups(db) == [
        ("C1", li, date(2026, 3, 13), "handover", introduce),
        ("C1", li, date(2026, 3, 20), "manual", "Call back"),
        ("C2", wang, date(2026, 2, 1), "manual", "Call back"),
        ("C2", han, date(2026, 3, 13), "handover", introduce),
        ("C3", han, date(2026, 3, 13), "handover", introduce),
        ("C3", zhao, date(2026, 3, 25), "manual", "Call back"),
        ("C4", li, date(2026, 3, 13), "handover", introduce),
    ]
    # Han was an additional staff of C2 and is now its manager: no longer listed twice.
    assert staff.customer_staff(DEFAULT_ACTOR, office["C2"]) == []
    assert [s.name for s in staff.customer_staff(DEFAULT_ACTOR, office["Z1"])] == ["Wang Fang"]
    assert staff.get(DEFAULT_ACTOR, wang).active
    assert events.Change("customer", frozenset(office[c] for c in ("C1", "C2", "C3", "C4"))) in seen
    assert events.Change("follow_up") in seen and events.Change("staff") in seen


def test_handover_can_mark_the_leaver_as_left(db, staff, office):
    wang, li = office["Wang Fang"], office["Li Lei"]
    assignment = {office["C1"]: li, office["C2"]: li}
    result = handover.execute(db, DEFAULT_ACTOR, wang, assignment, mark_left=True, as_of=AS_OF)
    assert (result.moved, result.marked_left) == (2, True)
    wang_now = staff.get(DEFAULT_ACTOR, wang)
    assert (wang_now.active, wang_now.left_on, wang_now.customers) == (False, AS_OF, 2)  # C3, C4 still his
    assert staff.customer_staff(DEFAULT_ACTOR, office["Z1"]) == []
    removed = [
        h for h in CustomerService(db).history(DEFAULT_ACTOR, office["Z1"]) if h.field == "additional_staff"
    ]
    assert (removed[0].old_value, removed[0].new_value) == ("Wang Fang", "")


def test_customers_the_leaver_no_longer_manages_are_skipped(db, staff, office):
    wang, li, zhao = office["Wang Fang"], office["Li Lei"], office["Zhao Min"]
    service = CustomerService(db)
    moved_meanwhile = service.get(DEFAULT_ACTOR, office["C3"])
    data = moved_meanwhile.data
    data.manager_id = zhao
    service.update(DEFAULT_ACTOR, office["C3"], data, moved_meanwhile.version)
    service.delete(DEFAULT_ACTOR, [office["C4"]])
    assignment = {office[c]: li for c in ("C1", "C2", "C3", "C4")}
    result = handover.execute(db, DEFAULT_ACTOR, wang, assignment, as_of=AS_OF)
    assert (result.moved, result.per_recipient, result.follow_ups_created) == (2, {li: 2}, 2)
    assert managers(db) == {"C1": li, "C2": li, "C3": zhao, "C4": wang, "Z1": zhao}
    # C3's history has its change to Zhao (by hand) only; C4's none: the handover wrote C1's and C2's.
    assert [(c, new) for c, old, new in manager_history(db) if old == str(wang)] == sorted(
        [(office["C1"], str(li)), (office["C2"], str(li)), (office["C3"], str(zhao))]
    )
    assert sum(1 for f in follow_ups(db) if f[3] == "handover") == 2


def nothing_changed(db, office) -> None:
    wang = office["Wang Fang"]
    assert managers(db) == {"C1": wang, "C2": wang, "C3": wang, "C4": wang, "Z1": office["Zhao Min"]}
    assert manager_history(db) == []
    assert [f[3] for f in follow_ups(db)] == ["manual"] * 3
    assert [f[1] for f in follow_ups(db) if f[0] == "C1"] == [wang]
    with db.session() as session:
        assert session.scalar(select(Staff.active).where(Staff.id == wang)) is True


def test_recipients_who_left_or_the_leaver_himself_are_refused_before_anything_is_written(db, staff, office):
    wang, li, han = office["Wang Fang"], office["Li Lei"], office["Han Mei"]
    staff.leave(DEFAULT_ACTOR, han, date(2026, 3, 1))
    with pytest.raises(ServiceError, match=re.escape("Han Mei has left and cannot take over customers.")):
        handover.execute(db, DEFAULT_ACTOR, wang, {office["C1"]: li, office["C2"]: han}, mark_left=True)
    with pytest.raises(ServiceError, match="cannot be handed over to the person handing them over"):
        handover.execute(db, DEFAULT_ACTOR, wang, {office["C1"]: li, office["C2"]: wang}, mark_left=True)
    with pytest.raises(NotFoundError):
        handover.execute(db, DEFAULT_ACTOR, wang, {office["C1"]: uuid.uuid4()})
    admin = DEFAULT_ACTOR.staff_id
    with pytest.raises(ServiceError, match=re.escape("The built-in administrator cannot leave.")):
        handover.execute(db, DEFAULT_ACTOR, admin, {}, mark_left=True)
    nothing_changed(db, office)


@pytest.fixture
def fail_on_introduction(db):
    """A trigger that refuses the introduction follow-up of one customer: a real failure half-way."""

    def make(customer_id: uuid.UUID) -> None:
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "sqlite":
                conn.execute(
                    text(
                        "CREATE TRIGGER boom BEFORE INSERT ON follow_up "
                        f"WHEN NEW.customer_id = '{customer_id.hex}' BEGIN SELECT RAISE(ABORT, 'boom'); END"
                    )
                )
            else:
                conn.execute(
                    text(
                        "CREATE OR REPLACE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS "
                        "$$ BEGIN RAISE EXCEPTION 'boom'; END $$"
                    )
                )
                conn.execute(
                    text(
                        "CREATE TRIGGER boom BEFORE INSERT ON follow_up FOR EACH ROW "
                        f"WHEN (NEW.customer_id = '{customer_id}'::uuid) EXECUTE FUNCTION boom()"
                    )
                )

    yield make
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER IF EXISTS boom"))
        else:
            conn.execute(text("DROP TRIGGER IF EXISTS boom ON follow_up"))
            conn.execute(text("DROP FUNCTION IF EXISTS boom()"))


def test_a_failure_half_way_changes_nothing(db, staff, office, fail_on_introduction):
    wang, li, han = office["Wang Fang"], office["Li Lei"], office["Han Mei"]
    # Li's chunk (C1, C2) is written first, then Han's (C3, C4) fails at C4's introduction.
    assignment = {office["C1"]: li, office["C2"]: li, office["C3"]: han, office["C4"]: han}
    fail_on_introduction(office["C4"])
    with pytest.raises(Exception, match="boom"):
        handover.execute(db, DEFAULT_ACTOR, wang, assignment, mark_left=True, as_of=AS_OF)
    nothing_changed(db, office)
    assert [s.name for s in staff.customer_staff(DEFAULT_ACTOR, office["Z1"])] == ["Wang Fang"]


def test_cancel_between_chunks_rolls_everything_back(db, office):
    wang, li, han = office["Wang Fang"], office["Li Lei"], office["Han Mei"]
    assignment = {office["C1"]: li, office["C2"]: li, office["C3"]: han, office["C4"]: han}
    asked = []

    def cancelled() -> bool:
        asked.append(True)
        return len(asked) == 2  # before Han's chunk: Li's is already written

    progress = []
    with pytest.raises(Cancelled, match=re.escape("The handover was cancelled; nothing was changed.")):
        handover.execute(
            db,
            DEFAULT_ACTOR,
            wang,
            assignment,
            mark_left=True,
            as_of=AS_OF,
            progress=lambda d, t: progress.append((d, t)),
            cancelled=cancelled,
        )
    assert progress == [(0, 4), (2, 4)]
    nothing_changed(db, office)


def test_a_handover_of_5000_customers_moves_every_one_in_chunks(sqlite_db):
    """5,000 customers split between two people: every chunk of 500 is written (bench/bench_contacts.py
    times it)."""
    db = sqlite_db
    service = StaffService(db)
    wang, li, han = (person(service, n) for n in ("Wang Fang", "Li Lei", "Han Mei"))
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    rows = [
        {
            "id": uuid.uuid4(),
            "code": f"C{i:06d}",
            "name": f"Customer {i}",
            "manager_id": wang,
            "created_at": now,
        }
        for i in range(5000)
    ]
    with db.session() as session:
        session.execute(insert(Customer), rows)
        session.execute(
            insert(FollowUp),
            [{"customer_id": r["id"], "owner_id": wang, "due_on": date(2026, 4, 1)} for r in rows[::2]],
        )
    found = handover.situation(db, DEFAULT_ACTOR, wang, AS_OF)
    assignment = handover.split(found.customers, [li, han], "count", leaver=wang)
    result = handover.execute(db, DEFAULT_ACTOR, wang, assignment, mark_left=True, as_of=AS_OF)
    assert (result.moved, result.per_recipient) == (5000, {li: 2500, han: 2500})
    assert (result.follow_ups_moved, result.follow_ups_created) == (2500, 5000)
    with db.session() as session:
        assert session.scalar(select(func.count()).where(Customer.manager_id == wang)) == 0
        assert session.scalar(select(func.count()).where(ChangeLog.field == "manager_id")) == 5000


def test_a_follow_up_already_moved_by_someone_else_is_not_counted(db, office):
    """Only the leaver's own open follow-ups move: one reassigned meanwhile stays where it is."""
    wang, li, zhao = office["Wang Fang"], office["Li Lei"], office["Zhao Min"]
    with db.session() as session:
        session.execute(update(FollowUp).where(FollowUp.id == office["f_open"]).values(owner_id=zhao))
    result = handover.execute(db, DEFAULT_ACTOR, wang, {office["C1"]: li}, as_of=AS_OF)
    assert (result.moved, result.follow_ups_moved) == (1, 0)
    assert [f[1] for f in follow_ups(db) if f[0] == "C1" and f[3] == "manual"] == [zhao]


def test_only_a_manager_runs_a_handover_though_anyone_may_look(db, office):
    wang, li = office["Wang Fang"], office["Li Lei"]
    sales = Actor(staff_id=li, name="Li Lei", role="sales")
    # The situation and the split are a preview: open to read.
    found = handover.situation(db, sales, wang, AS_OF)
    assert [c.code for c in found.customers] == ["C1", "C2", "C3", "C4"]
    with pytest.raises(ServiceError, match=re.escape("Only a manager can do this.")):
        handover.execute(db, sales, wang, {office["C1"]: li}, mark_left=True, as_of=AS_OF)
    nothing_changed(db, office)
    assert [f[1] for f in follow_ups(db) if f[0] == "C1"] == [wang]


def test_marking_the_leaver_as_left_gives_their_other_follow_ups_to_someone_active(db, staff, office):
    """Wang's open follow-ups of customers not moved: to the customer's manager if active, else to the
    first recipient (Li: the recipient of the first customer in the assignment, though Han comes first by
    name)."""
    wang, li, han, zhao = (office[n] for n in ("Wang Fang", "Li Lei", "Han Mei", "Zhao Min"))
    gu = person(staff, "Gu Gang")
    g1 = customer(db, "G1", gu)  # its manager leaves before the handover
    n1 = customer(db, "N1", None)  # no manager
    staff.leave(DEFAULT_ACTOR, gu, date(2026, 3, 1))
    on_z1 = add_follow_up(db, office["Z1"], wang, date(2026, 3, 15))  # Zhao's customer, Wang serves it
    on_g1 = add_follow_up(db, g1, wang, date(2026, 3, 16))
    on_n1 = add_follow_up(db, n1, wang, date(2026, 3, 17))
    on_c3 = add_follow_up(db, office["C3"], wang, date(2026, 3, 18))  # still Wang's customer: not handed over
    done_z1 = add_follow_up(db, office["Z1"], wang, date(2026, 3, 1), status="done")
    dropped = add_follow_up(db, office["Z1"], wang, date(2026, 3, 2))
    with db.session() as session:
        session.execute(
            update(FollowUp)
            .where(FollowUp.id == dropped)
            .values(deleted_at=datetime(2026, 3, 5, tzinfo=timezone.utc))
        )

    def owners() -> dict[uuid.UUID, tuple]:
        with db.session() as session:
            return {
                i: (o, v, by)
                for i, o, v, by in session.execute(
                    select(FollowUp.id, FollowUp.owner_id, FollowUp.version, FollowUp.updated_by_id)
                )
            }

    # Without leaving, Wang keeps them.
    kept = handover.execute(db, DEFAULT_ACTOR, wang, {office["C4"]: li}, as_of=AS_OF)
    assert (kept.follow_ups_moved, kept.follow_ups_reassigned) == (0, 0)
    assert {owners()[f][0] for f in (on_z1, on_g1, on_n1, on_c3)} == {wang}

    before = owners()
    result = handover.execute(
        db, DEFAULT_ACTOR, wang, {office["C1"]: li, office["C2"]: han}, mark_left=True, as_of=AS_OF
    )
    after = owners()
    # C1's open follow-up went with C1 to Li; Z1's to Zhao (its active manager); G1's manager has left,
    # N1 has none and C3's is Wang himself: to Li. Done, deleted and Zhao's own follow-ups stay.
    assert (result.follow_ups_moved, result.follow_ups_reassigned) == (1, 4)
    assert {f: after[f][0] for f in before} == {
        **{f: before[f][0] for f in before},
        office["f_open"]: li,
        on_z1: zhao,
        on_g1: li,
        on_n1: li,
        on_c3: li,
    }
    assert after[done_z1][0] == after[dropped][0] == wang and after[office["f_other"]][0] == zhao
    # Written as a follow-up moving with its customer is: one version more, by the actor.
    for follow_up in (on_z1, on_g1, on_n1, on_c3):
        assert after[follow_up][1:] == (before[follow_up][1] + 1, DEFAULT_ACTOR.staff_id)
    assert after[done_z1][1] == before[done_z1][1]
    assert not staff.get(DEFAULT_ACTOR, wang).active
