"""The deadline check against moments worked out by hand: the two levels and whom they reach (with the
fallbacks), a check run twice, handled tickets, working days across a weekend and the Spring Festival,
the proposal to reassign, and what "My day" lists for the person an escalation reached."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, datetime, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.models import ADMIN_STAFF_ID, ComplaintEscalation
from app.services.actor import DEFAULT_ACTOR, Actor
from app.services.complaints import ComplaintPolicy, ComplaintService, Resolution, TicketInput
from app.services.customers import CustomerInput, CustomerService
from app.services.deadlines import DeadlinePolicy
from app.services.escalation import Escalated, check_deadlines, escalations_for
from app.services.staff import StaffInput, StaffService

BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def utc_machine(local_zone):
    """Calendar days are counted on the office's local clock: these cases were worked out on UTC; the
    working-day ones switch to Beijing."""
    local_zone("UTC")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def beijing(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=BEIJING)


@pytest.fixture
def office(db) -> SimpleNamespace:
    """Sales (manager 张伟, seller 王芳) and after-sales service (seller 李娜, no manager), the general
    manager 赵敏, and one customer of each seller."""
    staff = StaffService(db)
    sales = staff.save_department(DEFAULT_ACTOR, "销售部").id
    service = staff.save_department(DEFAULT_ACTOR, "售后服务部").id

    def person(name: str, department_id, role: str = "sales") -> Actor:
        info = staff.save(DEFAULT_ACTOR, StaffInput(name=name, department_id=department_id, role=role))
        return Actor(staff_id=info.id, name=name, role=role)

    manager = person("张伟", sales, "manager")
    general = person("赵敏", None, "general_manager")
    seller = person("王芳", sales)
    other_seller = person("李娜", service)
    customers = CustomerService(db)
    huaxin = customers.create(DEFAULT_ACTOR, CustomerInput(name="华信科技", manager_id=seller.staff_id))
    changjiang = customers.create(
        DEFAULT_ACTOR, CustomerInput(name="长江机械", manager_id=other_seller.staff_id)
    )
    complaints = ComplaintService(db)
    return SimpleNamespace(
        db=db,
        sales=sales,
        service=service,
        manager=manager,
        general=general,
        seller=seller,
        other_seller=other_seller,
        huaxin=huaxin,
        changjiang=changjiang,
        complaints=complaints,
        category=complaints.categories(DEFAULT_ACTOR)[0].id,
    )


def open_ticket(office, customer, received: datetime, **kwargs):
    data = TicketInput(
        customer_id=customer.id,
        received_at=received,
        category_id=office.category,
        description=kwargs.pop("description", "包装破损，三台设备外壳变形"),
        **kwargs,
    )
    return office.complaints.open(DEFAULT_ACTOR, data)


def escalation_count(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(ComplaintEscalation))


def resolve(office, ticket_id: uuid.UUID) -> None:
    complaints = office.complaints
    complaints.move(DEFAULT_ACTOR, ticket_id, "accepted")
    complaints.move(DEFAULT_ACTOR, ticket_id, "investigating")
    complaints.move(
        DEFAULT_ACTOR,
        ticket_id,
        "resolved",
        resolution=Resolution(root_cause="运输途中挤压", action_taken="补发三台新设备"),
    )


def set_policy(office, **deadlines) -> None:
    propose = deadlines.pop("propose_reassign", False)
    office.complaints.save_policy(
        DEFAULT_ACTOR, ComplaintPolicy(deadlines=DeadlinePolicy(**deadlines), propose_reassign=propose)
    )


# ---------------------------------------------------------------- calendar days (the default policy)
# Received Monday 2026-03-02 09:00: due 3 calendar days later, Thursday 03-05 09:00; the second level
# comes 2 days after that, Saturday 03-07 09:00.


def test_on_the_deadline_nothing_escalates(office):
    ticket = open_ticket(office, office.huaxin, utc(2026, 3, 2, 9, 0))
    assert ticket.due_at == utc(2026, 3, 5, 9, 0)
    assert check_deadlines(office.db, DEFAULT_ACTOR, now=utc(2026, 3, 4, 9, 0)) == []
    assert check_deadlines(office.db, DEFAULT_ACTOR, now=utc(2026, 3, 5, 9, 0)) == []
    assert escalation_count(office.db) == 0
    assert office.complaints.get(DEFAULT_ACTOR, ticket.id).escalation_level == 0


def test_just_late_goes_to_the_department_manager_then_on_to_the_general_manager(office):
    ticket = open_ticket(office, office.huaxin, utc(2026, 3, 2, 9, 0))
    first = utc(2026, 3, 5, 9, 1)
    assert check_deadlines(office.db, DEFAULT_ACTOR, now=first) == [
        Escalated(ticket.id, ticket.number, 1, office.manager.staff_id, "张伟", False)
    ]
    detail = office.complaints.get(DEFAULT_ACTOR, ticket.id)
    assert detail.escalation_level == 1
    assert [(e.at, e.level, e.to_name, e.propose_reassign) for e in detail.escalations] == [
        (first, 1, "张伟", False)
    ]
    # Two days after the deadline, to the minute, is still the first level.
    assert check_deadlines(office.db, DEFAULT_ACTOR, now=utc(2026, 3, 7, 9, 0)) == []
    second = utc(2026, 3, 7, 9, 1)
    assert check_deadlines(office.db, DEFAULT_ACTOR, now=second) == [
        Escalated(ticket.id, ticket.number, 2, office.general.staff_id, "赵敏", False)
    ]
    detail = office.complaints.get(DEFAULT_ACTOR, ticket.id)
    assert detail.escalation_level == 2
    assert [(e.at, e.level, e.to_name) for e in detail.escalations] == [
        (first, 1, "张伟"),
        (second, 2, "赵敏"),
    ]


def test_a_ticket_found_two_levels_late_gets_both_records_and_a_second_run_adds_nothing(office):
    ticket = open_ticket(office, office.huaxin, utc(2026, 3, 2, 9, 0))
    now = utc(2026, 3, 10, 12, 0)
    assert check_deadlines(office.db, DEFAULT_ACTOR, now=now) == [
        Escalated(ticket.id, ticket.number, 1, office.manager.staff_id, "张伟", False),
        Escalated(ticket.id, ticket.number, 2, office.general.staff_id, "赵敏", False),
    ]
    assert escalation_count(office.db) == 2
    assert check_deadlines(office.db, DEFAULT_ACTOR, now=now) == []
    assert check_deadlines(office.db, DEFAULT_ACTOR, now=utc(2026, 4, 1)) == []
    assert escalation_count(office.db) == 2
    assert office.complaints.get(DEFAULT_ACTOR, ticket.id).escalation_level == 2


def test_several_tickets_in_one_check_each_to_their_own_level(office):
    # Due 03-05 09:00 (level 2 after 03-07 09:00), 03-06 09:00 (level 1), 03-09 09:00 (on time).
    early = open_ticket(office, office.huaxin, utc(2026, 3, 2, 9, 0))
    middle = open_ticket(office, office.huaxin, utc(2026, 3, 3, 9, 0))
    late = open_ticket(office, office.huaxin, utc(2026, 3, 6, 9, 0))
    result = check_deadlines(office.db, DEFAULT_ACTOR, now=utc(2026, 3, 8, 0, 0))
    assert [(e.number, e.level) for e in result] == [(early.number, 1), (early.number, 2), (middle.number, 1)]
    assert office.complaints.get(DEFAULT_ACTOR, late.id).escalation_level == 0


def test_a_department_without_a_manager_escalates_to_the_general_manager(office):
    # 长江机械 is 李娜's customer, in after-sales service, which has no manager.
    ticket = open_ticket(office, office.changjiang, utc(2026, 3, 2, 9, 0))
    assert office.complaints.get(DEFAULT_ACTOR, ticket.id).data.department_id == office.service
    result = check_deadlines(office.db, DEFAULT_ACTOR, now=utc(2026, 3, 5, 9, 1))
    assert [(e.level, e.to_staff_id, e.to_name) for e in result] == [(1, office.general.staff_id, "赵敏")]


def test_the_responsible_department_decides_not_the_customers(office):
    # 长江机械's ticket handled by 王芳 of sales: the sales manager hears of it.
    ticket = open_ticket(
        office, office.changjiang, utc(2026, 3, 2, 9, 0), responsible_staff_id=office.seller.staff_id
    )
    assert office.complaints.get(DEFAULT_ACTOR, ticket.id).data.department_id == office.sales
    result = check_deadlines(office.db, DEFAULT_ACTOR, now=utc(2026, 3, 5, 9, 1))
    assert [(e.level, e.to_name) for e in result] == [(1, "张伟")]


def test_a_manager_who_has_left_no_longer_receives_escalations(office):
    StaffService(office.db).leave(DEFAULT_ACTOR, office.manager.staff_id, date(2026, 3, 1))
    ticket = open_ticket(office, office.huaxin, utc(2026, 3, 2, 9, 0))
    result = check_deadlines(office.db, DEFAULT_ACTOR, now=utc(2026, 3, 5, 9, 1))
    assert [(e.number, e.level, e.to_name) for e in result] == [(ticket.number, 1, "赵敏")]


def test_with_nobody_to_escalate_to_the_administrator_hears_of_it(office):
    staff = StaffService(office.db)
    staff.leave(DEFAULT_ACTOR, office.manager.staff_id, date(2026, 3, 1))
    staff.leave(DEFAULT_ACTOR, office.general.staff_id, date(2026, 3, 1))
    ticket = open_ticket(office, office.huaxin, utc(2026, 3, 2, 9, 0))
    result = check_deadlines(office.db, DEFAULT_ACTOR, now=utc(2026, 3, 9, 0, 0))
    assert [(e.number, e.level, e.to_staff_id, e.to_name) for e in result] == [
        (ticket.number, 1, ADMIN_STAFF_ID, "Administrator"),
        (ticket.number, 2, ADMIN_STAFF_ID, "Administrator"),
    ]


def test_handled_tickets_never_escalate(office):
    resolved = open_ticket(office, office.huaxin, utc(2026, 3, 2, 9, 0))
    resolve(office, resolved.id)
    closed = open_ticket(office, office.huaxin, utc(2026, 3, 2, 10, 0))
    resolve(office, closed.id)
    office.complaints.move(
        DEFAULT_ACTOR,
        closed.id,
        "closed",
        feedback=replace(
            office.complaints.get(DEFAULT_ACTOR, closed.id).feedback, no_feedback_reason="客户电话停机"
        ),
    )
    deleted = open_ticket(office, office.huaxin, utc(2026, 3, 2, 11, 0))
    office.complaints.delete(DEFAULT_ACTOR, deleted.id)
    assert check_deadlines(office.db, DEFAULT_ACTOR, now=utc(2026, 6, 1)) == []
    assert escalation_count(office.db) == 0


def test_a_ticket_resolved_at_the_first_level_goes_no_further(office):
    ticket = open_ticket(office, office.huaxin, utc(2026, 3, 2, 9, 0))
    assert len(check_deadlines(office.db, DEFAULT_ACTOR, now=utc(2026, 3, 6))) == 1
    resolve(office, ticket.id)
    assert check_deadlines(office.db, DEFAULT_ACTOR, now=utc(2026, 3, 20)) == []
    assert escalation_count(office.db) == 1


# ---------------------------------------------------------------- working days, in Beijing


def test_working_days_step_over_the_weekend(office, local_zone):
    local_zone("Asia/Shanghai")
    set_policy(office, working_days=True)
    # Thursday 03-05 10:00 + 3 working days: Friday 6, Monday 9, Tuesday 10 → Tuesday 03-10 10:00 (in
    # calendar days it would have been Sunday 03-08). The second level: Wednesday 11, Thursday 12 →
    # Thursday 03-12 10:00.
    ticket = open_ticket(office, office.huaxin, beijing(2026, 3, 5, 10, 0))
    assert ticket.due_at == beijing(2026, 3, 10, 10, 0)
    assert check_deadlines(office.db, DEFAULT_ACTOR, now=beijing(2026, 3, 9, 12, 0)) == []
    assert check_deadlines(office.db, DEFAULT_ACTOR, now=beijing(2026, 3, 10, 10, 0)) == []
    assert [e.level for e in check_deadlines(office.db, DEFAULT_ACTOR, now=beijing(2026, 3, 10, 10, 1))] == [
        1
    ]
    assert check_deadlines(office.db, DEFAULT_ACTOR, now=beijing(2026, 3, 12, 10, 0)) == []
    assert [e.level for e in check_deadlines(office.db, DEFAULT_ACTOR, now=beijing(2026, 3, 12, 10, 1))] == [
        2
    ]


def test_working_days_step_over_the_spring_festival(office, local_zone):
    local_zone("Asia/Shanghai")
    set_policy(office, working_days=True, second_level_days=3)
    # 2026: Saturday 14 February is worked, 15–23 February are off, Saturday 28 February is worked (调休).
    # Friday 02-13 15:00 + 3 working days: Saturday 14, Tuesday 24, Wednesday 25 → 02-25 15:00.
    # The second level, 3 working days on: Thursday 26, Friday 27, Saturday 28 → 02-28 15:00.
    ticket = open_ticket(office, office.huaxin, beijing(2026, 2, 13, 15, 0))
    assert ticket.due_at == beijing(2026, 2, 25, 15, 0)
    assert check_deadlines(office.db, DEFAULT_ACTOR, now=beijing(2026, 2, 23, 23, 59)) == []
    assert check_deadlines(office.db, DEFAULT_ACTOR, now=beijing(2026, 2, 25, 15, 0)) == []
    first = check_deadlines(office.db, DEFAULT_ACTOR, now=beijing(2026, 2, 25, 15, 1))
    assert [(e.level, e.to_name) for e in first] == [(1, "张伟")]
    assert check_deadlines(office.db, DEFAULT_ACTOR, now=beijing(2026, 2, 28, 14, 59)) == []
    second = check_deadlines(office.db, DEFAULT_ACTOR, now=beijing(2026, 2, 28, 15, 1))
    assert [(e.level, e.to_name) for e in second] == [(2, "赵敏")]


# ---------------------------------------------------------------- reassigning, and My day


def test_the_policy_can_propose_reassigning_at_the_first_level(office):
    set_policy(office, propose_reassign=True)
    ticket = open_ticket(office, office.huaxin, utc(2026, 3, 2, 9, 0))
    result = check_deadlines(office.db, DEFAULT_ACTOR, now=utc(2026, 3, 9))
    assert [(e.level, e.propose_reassign) for e in result] == [(1, True), (2, False)]
    detail = office.complaints.get(DEFAULT_ACTOR, ticket.id)
    assert [(e.level, e.propose_reassign) for e in detail.escalations] == [(1, True), (2, False)]
    assert [i.propose_reassign for i in escalations_for(office.db, office.manager)] == [True]


def test_escalations_show_to_whom_they_reached_until_the_ticket_is_resolved(office):
    ticket = open_ticket(
        office, office.huaxin, utc(2026, 3, 2, 9, 0), description="包装破损，\n三台设备外壳变形"
    )
    other = open_ticket(office, office.changjiang, utc(2026, 3, 4, 9, 0))
    check_deadlines(office.db, DEFAULT_ACTOR, now=utc(2026, 3, 6, 9, 0))  # ticket: level 1; other: on time
    check_deadlines(office.db, DEFAULT_ACTOR, now=utc(2026, 3, 7, 10, 0))  # ticket: level 2; other: level 1
    mine = escalations_for(office.db, office.manager)
    assert [(i.ticket_id, i.number, i.level, i.at) for i in mine] == [
        (ticket.id, ticket.number, 1, utc(2026, 3, 6, 9, 0))
    ]
    item = mine[0]
    assert (item.customer_id, item.customer_name, item.due_at) == (
        office.huaxin.id,
        "华信科技",
        utc(2026, 3, 5, 9),
    )
    assert item.description == "包装破损， 三台设备外壳变形"  # on one line
    assert item.propose_reassign is False
    # The general manager: the sales ticket's second level and the service ticket's first (no manager
    # there), newest first, the higher level first at the same moment.
    general = escalations_for(office.db, office.general)
    assert [(i.number, i.level, i.at) for i in general] == [
        (ticket.number, 2, utc(2026, 3, 7, 10, 0)),
        (other.number, 1, utc(2026, 3, 7, 10, 0)),
    ]
    # A manager looks at someone else's escalations by staff id.
    assert escalations_for(office.db, DEFAULT_ACTOR, office.manager.staff_id) == mine
    assert escalations_for(office.db, office.seller) == []
    resolve(office, ticket.id)
    assert escalations_for(office.db, office.manager) == []
    assert [i.number for i in escalations_for(office.db, office.general)] == [other.number]
