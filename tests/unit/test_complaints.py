"""ComplaintService on real databases: the workflow through the service (every step allowed and refused),
validation by field, deadlines from the policy (hand-computed), attachments, categories, permissions,
numbers, the lists and their order, finding a ticket, concurrent edits, the timeline and the tier
dimension."""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.models import TierProposal
from app.services.actor import DEFAULT_ACTOR, Actor
from app.services.complaints import (
    ATTACHMENT_LIMIT,
    CategoryInfo,
    ComplaintPolicy,
    ComplaintService,
    Feedback,
    Resolution,
    TicketFilter,
    TicketInput,
)
from app.services.contacts import ContactService
from app.services.customers import ContactInput, CustomerInput, CustomerService
from app.services.deadlines import DeadlinePolicy
from app.services.errors import ConcurrencyError, NotFoundError, ServiceError, ValidationError
from app.services.staff import StaffInput, StaffService
from app.services.tier_rules import PRESETS
from app.services.tiers import TierService

ONLY_MANAGERS = re.escape("Only a manager can do this.")
RESOLUTION = Resolution(root_cause="运输途中挤压", action_taken="补发三台新设备")
FEEDBACK = Feedback(channel="phone", satisfaction=4, comment="客户认可处理结果")


@pytest.fixture(autouse=True)
def utc_machine(local_zone):
    """Deadlines count days on the local clock; these cases were worked out for a machine on UTC."""
    local_zone("UTC")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


@pytest.fixture
def office(db) -> SimpleNamespace:
    staff = StaffService(db)
    sales = staff.save_department(DEFAULT_ACTOR, "销售部").id
    seller = staff.save(DEFAULT_ACTOR, StaffInput(name="王芳", department_id=sales))
    colleague = staff.save(DEFAULT_ACTOR, StaffInput(name="李娜", department_id=sales))
    customers = CustomerService(db)
    huaxin = customers.create(DEFAULT_ACTOR, CustomerInput(name="华信科技", manager_id=seller.id))
    changjiang = customers.create(DEFAULT_ACTOR, CustomerInput(name="长江机械", tier="vip"))
    complaints = ComplaintService(db)
    categories = {c.key: c for c in complaints.categories(DEFAULT_ACTOR)}
    return SimpleNamespace(
        db=db,
        sales=sales,
        seller=Actor(staff_id=seller.id, name="王芳", role="sales"),
        colleague=Actor(staff_id=colleague.id, name="李娜", role="sales"),
        huaxin=huaxin,
        changjiang=changjiang,
        complaints=complaints,
        categories=categories,
        quality=categories["product_quality"].id,
    )


def ticket_input(office, customer=None, **kwargs) -> TicketInput:
    return TicketInput(
        customer_id=(customer or office.huaxin).id,
        received_at=kwargs.pop("received_at", utc(2026, 3, 2, 9, 0)),
        category_id=kwargs.pop("category_id", office.quality),
        description=kwargs.pop("description", "包装破损，三台设备外壳变形"),
        **kwargs,
    )


def open_ticket(office, customer=None, actor=DEFAULT_ACTOR, **kwargs):
    return office.complaints.open(actor, ticket_input(office, customer, **kwargs))


# The usual way to each status, with what each step needs.
PATH = [
    ("accepted", {}),
    ("investigating", {}),
    ("resolved", {"resolution": RESOLUTION}),
    ("feedback_given", {"feedback": FEEDBACK}),
    ("closed", {}),
]
ALLOWED = {
    "new": {"accepted"},
    "accepted": {"investigating"},
    "investigating": {"resolved"},
    "resolved": {"feedback_given", "closed", "investigating"},
    "feedback_given": {"closed", "investigating"},
    "closed": {"investigating"},
}
STATUSES = list(ALLOWED)


def drive(office, ticket_id: uuid.UUID, status: str, actor=DEFAULT_ACTOR):
    """Move the ticket the usual way, from where it stands, until it is in `status`."""
    detail = office.complaints.get(actor, ticket_id)
    order = [target for target, _extra in PATH]
    start = order.index(detail.status) + 1 if detail.status in order else 0
    for target, extra in PATH[start:]:
        if detail.status == status:
            break
        detail = office.complaints.move(actor, ticket_id, target, **extra)
    assert detail.status == status
    return detail


# ---------------------------------------------------------------- the workflow


def test_the_whole_way_records_every_step_with_who_when_and_note(office):
    seller = office.seller
    before = datetime.now(timezone.utc)
    ticket = open_ticket(office, actor=seller)
    assert (ticket.number, ticket.status, ticket.created_by) == (1, "new", "王芳")
    complaints = office.complaints
    complaints.move(seller, ticket.id, "accepted", "  已受理，  安排质检 ")
    complaints.move(seller, ticket.id, "investigating", "质检部现场检查")
    resolved = complaints.move(seller, ticket.id, "resolved", "补发完成", resolution=RESOLUTION)
    assert resolved.status == "resolved"
    assert resolved.resolution == replace(RESOLUTION, preventive_action="", compensation=None)
    assert before <= resolved.resolved_at <= datetime.now(timezone.utc)
    assert resolved.closed_at is None
    fed_back = complaints.move(seller, ticket.id, "feedback_given", "电话回访", feedback=FEEDBACK)
    assert fed_back.feedback == FEEDBACK
    closed = complaints.move(DEFAULT_ACTOR, ticket.id, "closed", "结案")
    after = datetime.now(timezone.utc)
    assert closed.status == "closed"
    assert closed.resolved_at == resolved.resolved_at
    assert before <= closed.closed_at <= after
    steps = complaints.get(DEFAULT_ACTOR, ticket.id).steps
    assert [(s.from_status, s.to_status, s.who, s.note) for s in steps] == [
        ("", "new", "王芳", ""),
        ("new", "accepted", "王芳", "已受理，  安排质检"),  # stored as prose is: trimmed at the ends
        ("accepted", "investigating", "王芳", "质检部现场检查"),
        ("investigating", "resolved", "王芳", "补发完成"),
        ("resolved", "feedback_given", "王芳", "电话回访"),
        ("feedback_given", "closed", "Administrator", "结案"),
    ]
    # The opening is dated when the complaint came in; the steps when they were taken.
    assert steps[0].at == utc(2026, 3, 2, 9, 0)
    assert all(before <= s.at <= after for s in steps[1:])
    assert [s.at for s in steps[1:]] == sorted(s.at for s in steps[1:])


@pytest.mark.parametrize("status", ["resolved", "feedback_given", "closed"])
def test_reopening_goes_back_to_investigating_with_a_reason_and_clears_the_handled_times(office, status):
    ticket = open_ticket(office)
    drive(office, ticket.id, status)
    reopened = office.complaints.move(DEFAULT_ACTOR, ticket.id, "investigating", "客户再次来电，问题未解决")
    assert reopened.status == "investigating"
    assert (reopened.resolved_at, reopened.closed_at) == (None, None)
    assert reopened.steps[-1].from_status == status
    assert reopened.steps[-1].note == "客户再次来电，问题未解决"
    # What was written stays: the next resolution starts from it.
    assert reopened.resolution.root_cause == "运输途中挤压"
    again = office.complaints.move(DEFAULT_ACTOR, ticket.id, "resolved")
    assert again.resolved_at is not None


def test_a_reopened_ticket_gets_a_new_deadline_from_the_reopening_and_escalates_afresh(office):
    """The customer came back: handling starts over, three days from the moment of reopening; the
    escalations of the first round stay on record and the new round escalates again once late."""
    from app.services.escalation import check_deadlines

    ticket = open_ticket(office)  # received 2 March 09:00, due 5 March 09:00
    assert [e.level for e in check_deadlines(office.db, DEFAULT_ACTOR, now=utc(2026, 3, 8, 10, 0))] == [1, 2]
    drive(office, ticket.id, "resolved")
    before = datetime.now(timezone.utc)
    reopened = office.complaints.move(DEFAULT_ACTOR, ticket.id, "investigating", "问题再次出现")
    after = datetime.now(timezone.utc)
    assert before + timedelta(days=3) <= reopened.due_at <= after + timedelta(days=3)
    assert reopened.escalation_level == 0
    assert check_deadlines(office.db, DEFAULT_ACTOR, now=reopened.due_at - timedelta(minutes=1)) == []
    late = check_deadlines(office.db, DEFAULT_ACTOR, now=reopened.due_at + timedelta(hours=1))
    assert [(e.number, e.level) for e in late] == [(reopened.number, 1)]
    assert [e.level for e in office.complaints.get(DEFAULT_ACTOR, ticket.id).escalations] == [1, 2, 1]


def test_a_resolved_ticket_closes_with_the_reason_why_there_is_no_feedback(office):
    ticket = open_ticket(office)
    drive(office, ticket.id, "resolved")
    with pytest.raises(ServiceError) as refused:
        office.complaints.move(DEFAULT_ACTOR, ticket.id, "closed")
    assert str(refused.value) == (
        "A ticket closes only with the customer's feedback recorded, "
        "or with the reason why none could be had."
    )
    closed = office.complaints.move(
        DEFAULT_ACTOR, ticket.id, "closed", feedback=Feedback(no_feedback_reason="客户电话已停机")
    )
    assert closed.status == "closed"
    assert closed.feedback.no_feedback_reason == "客户电话已停机"
    assert closed.closed_at is not None


@pytest.mark.parametrize("status", STATUSES)
def test_every_step_out_of_order_is_refused_and_saves_nothing(office, status):
    ticket = open_ticket(office)
    before = drive(office, ticket.id, status)
    for target in STATUSES:
        if target in ALLOWED[status]:
            continue
        with pytest.raises(ServiceError):
            office.complaints.move(
                DEFAULT_ACTOR, ticket.id, target, "试一试", resolution=Resolution("x", "y")
            )
    after = office.complaints.get(DEFAULT_ACTOR, ticket.id)
    assert (after.status, after.version, after.steps, after.resolution) == (
        status,
        before.version,
        before.steps,
        before.resolution,
    )


def test_what_a_refusal_says(office):
    ticket = open_ticket(office)
    complaints = office.complaints
    with pytest.raises(
        ServiceError, match=re.escape("A ticket that is “Received” cannot move to “Resolved”")
    ):
        complaints.move(DEFAULT_ACTOR, ticket.id, "resolved")
    with pytest.raises(ServiceError, match=re.escape("The ticket is already “Received”.")):
        complaints.move(DEFAULT_ACTOR, ticket.id, "new")
    with pytest.raises(ServiceError, match=re.escape("done is not a ticket status.")):
        complaints.move(DEFAULT_ACTOR, ticket.id, "done")
    drive(office, ticket.id, "investigating")
    # A resolution without the action taken: refused, and the root cause that came with it is not kept.
    with pytest.raises(
        ServiceError,
        match=re.escape("Write the root cause and the action taken before resolving the ticket."),
    ):
        complaints.move(
            DEFAULT_ACTOR, ticket.id, "resolved", resolution=Resolution(root_cause="运输途中挤压")
        )
    assert complaints.get(DEFAULT_ACTOR, ticket.id).resolution.root_cause == ""
    drive(office, ticket.id, "resolved")
    with pytest.raises(
        ServiceError, match=re.escape("Record how the customer was told and their satisfaction")
    ):
        complaints.move(DEFAULT_ACTOR, ticket.id, "feedback_given", feedback=Feedback(channel="phone"))
    with pytest.raises(ServiceError, match=re.escape("Write why the ticket is reopened.")):
        complaints.move(DEFAULT_ACTOR, ticket.id, "investigating", "   ")
    assert complaints.get(DEFAULT_ACTOR, ticket.id).status == "resolved"


# ---------------------------------------------------------------- validation


def test_a_ticket_needs_customer_category_and_description(office):
    with pytest.raises(ValidationError) as wrong:
        office.complaints.open(DEFAULT_ACTOR, TicketInput(received_at=utc(2026, 3, 2), description=" \n "))
    assert wrong.value.errors == {
        "customer_id": "Choose the customer who complains.",
        "description": "Describe the complaint.",
        "category_id": "Choose a category.",
    }


def test_a_ticket_dated_in_the_future_is_refused(office):
    soon = datetime.now(timezone.utc) + timedelta(minutes=5)  # clocks differ a little between computers
    assert open_ticket(office, received_at=soon).data.received_at == soon
    with pytest.raises(ValidationError) as wrong:
        open_ticket(office, received_at=datetime.now(timezone.utc) + timedelta(hours=2))
    assert list(wrong.value.errors) == ["received_at"]
    assert wrong.value.errors["received_at"].startswith("The complaint is dated in the future (")


def test_wrong_channel_severity_and_contact_person(office):
    person = CustomerService(office.db).save_contact(
        DEFAULT_ACTOR, office.changjiang.id, ContactInput(name="周强")
    )
    with pytest.raises(ValidationError) as wrong:
        open_ticket(office, channel="fax", severity="urgent", contact_person_id=person.id)
    assert wrong.value.errors == {
        "channel": "fax is not a way a complaint comes in.",
        "severity": "urgent is not a severity; use one of: low, normal, high, critical.",
        "contact_person_id": "The contact person is not one of this customer's.",
    }


@pytest.mark.parametrize(
    ("feedback", "resolution", "errors"),
    [
        (
            Feedback(channel="phone", satisfaction=6),
            None,
            {"satisfaction": "Satisfaction is a number from 1 to 5."},
        ),
        (
            Feedback(channel="phone", satisfaction=0),
            None,
            {"satisfaction": "Satisfaction is a number from 1 to 5."},
        ),
        (Feedback(channel="pigeon"), None, {"feedback_channel": "pigeon is not a way to tell the customer."}),
        (
            None,
            Resolution(compensation=Decimal("-0.01")),
            {"compensation": "The compensation must be zero or more, and below 100,000,000."},
        ),
        (
            None,
            Resolution(compensation=Decimal("100000000")),
            {"compensation": "The compensation must be zero or more, and below 100,000,000."},
        ),
        (
            None,
            Resolution(compensation=Decimal("1.005")),
            {"compensation": "The compensation has more than two decimal places."},
        ),
    ],
)
def test_resolution_and_feedback_are_checked_by_field(office, feedback, resolution, errors):
    ticket = open_ticket(office)
    with pytest.raises(ValidationError) as wrong:
        office.complaints.update(
            DEFAULT_ACTOR, ticket.id, ticket.version, ticket.data, resolution=resolution, feedback=feedback
        )
    assert wrong.value.errors == errors
    assert office.complaints.get(DEFAULT_ACTOR, ticket.id).version == ticket.version


def test_compensation_is_kept_as_money(office):
    ticket = open_ticket(office)
    saved = office.complaints.update(
        DEFAULT_ACTOR,
        ticket.id,
        ticket.version,
        ticket.data,
        resolution=replace(RESOLUTION, compensation="¥1,280.5"),
    )
    assert saved.resolution.compensation == Decimal("1280.50")
    assert saved.version == ticket.version + 1


# ---------------------------------------------------------------- deadlines from the policy


@pytest.mark.parametrize(
    ("customer", "severity", "due"),
    [
        # Policy: 5 days; high 3, critical 1; VIP customers 2; the strictest applies. Received Monday
        # 2026-03-02 09:00, counted in calendar days.
        ("huaxin", "normal", utc(2026, 3, 7, 9, 0)),
        ("huaxin", "low", utc(2026, 3, 7, 9, 0)),
        ("huaxin", "high", utc(2026, 3, 5, 9, 0)),
        ("huaxin", "critical", utc(2026, 3, 3, 9, 0)),
        ("changjiang", "normal", utc(2026, 3, 4, 9, 0)),  # VIP
        ("changjiang", "high", utc(2026, 3, 4, 9, 0)),  # VIP 2 beats high 3
        ("changjiang", "critical", utc(2026, 3, 3, 9, 0)),
    ],
)
def test_the_deadline_comes_from_severity_and_tier(office, customer, severity, due):
    office.complaints.save_policy(
        DEFAULT_ACTOR,
        ComplaintPolicy(
            deadlines=DeadlinePolicy(
                days=5, by_severity=(("high", 3), ("critical", 1)), by_tier=(("vip", 2),)
            )
        ),
    )
    assert open_ticket(office, getattr(office, customer), severity=severity).due_at == due


def test_the_default_deadline_is_three_calendar_days(office):
    assert office.complaints.policy(DEFAULT_ACTOR) == ComplaintPolicy()
    assert open_ticket(office).due_at == utc(2026, 3, 5, 9, 0)


def test_a_new_severity_moves_the_deadline_of_an_open_ticket_only(office):
    office.complaints.save_policy(
        DEFAULT_ACTOR, ComplaintPolicy(deadlines=DeadlinePolicy(by_severity=(("critical", 1),)))
    )
    ticket = open_ticket(office)
    assert ticket.due_at == utc(2026, 3, 5, 9, 0)
    critical = office.complaints.update(
        DEFAULT_ACTOR, ticket.id, ticket.version, replace(ticket.data, severity="critical")
    )
    assert critical.due_at == utc(2026, 3, 3, 9, 0)
    # Received a day later than first typed: one day from then.
    later = office.complaints.update(
        DEFAULT_ACTOR, ticket.id, critical.version, replace(critical.data, received_at=utc(2026, 3, 3, 9, 0))
    )
    assert later.due_at == utc(2026, 3, 4, 9, 0)
    drive(office, ticket.id, "resolved")
    handled = office.complaints.get(DEFAULT_ACTOR, ticket.id)
    saved = office.complaints.update(
        DEFAULT_ACTOR, ticket.id, handled.version, replace(handled.data, severity="low")
    )
    assert (saved.data.severity, saved.due_at) == ("low", utc(2026, 3, 4, 9, 0))


def test_a_policy_applies_to_tickets_opened_afterwards(office):
    first = open_ticket(office)
    office.complaints.save_policy(DEFAULT_ACTOR, ComplaintPolicy(deadlines=DeadlinePolicy(days=1)))
    assert office.complaints.get(DEFAULT_ACTOR, first.id).due_at == utc(2026, 3, 5, 9, 0)
    assert open_ticket(office).due_at == utc(2026, 3, 3, 9, 0)


def test_policy_values_out_of_range_are_refused(office):
    wrong_policy = ComplaintPolicy(
        deadlines=DeadlinePolicy(days=366, second_level_days=-1, by_severity=(("high", 400),))
    )
    with pytest.raises(ValidationError) as wrong:
        office.complaints.save_policy(DEFAULT_ACTOR, wrong_policy)
    assert wrong.value.errors == {
        "days": "The deadline must be between 0 and 365 days.",
        "second_level_days": "The second level must come between 0 and 365 days later.",
        "by_severity": "The deadline must be between 0 and 365 days.",
    }
    assert office.complaints.policy(DEFAULT_ACTOR) == ComplaintPolicy()


def test_the_policy_is_read_back_as_saved(office):
    policy = ComplaintPolicy(
        deadlines=DeadlinePolicy(
            days=4,
            by_severity=(("critical", 1),),
            by_tier=(("vip", 2),),
            working_days=True,
            second_level_days=1,
        ),
        propose_reassign=True,
    )
    office.complaints.save_policy(DEFAULT_ACTOR, policy)
    assert office.complaints.policy(office.seller) == policy


# ---------------------------------------------------------------- who is responsible


def test_the_account_manager_and_their_department_handle_a_ticket_by_default(office):
    ticket = open_ticket(office)
    assert (ticket.data.responsible_staff_id, ticket.data.department_id) == (
        office.seller.staff_id,
        office.sales,
    )
    # 长江机械 has no account manager: the customer's department (the built-in one) stands.
    nobody = open_ticket(office, office.changjiang)
    assert nobody.data.responsible_staff_id is None
    assert nobody.data.department_id == office.changjiang.data.department_id


# ---------------------------------------------------------------- attachments


def test_attachments_are_copied_into_the_ticket(office, tmp_path):
    ticket = open_ticket(office)
    photo = tmp_path / "破损照片.jpg"
    content = bytes(range(256)) * 400 + b"\x00\xff"
    photo.write_bytes(content)
    info = office.complaints.attach(office.seller, ticket.id, photo)
    assert (info.filename, info.size, info.added_by) == ("破损照片.jpg", len(content), "王芳")
    photo.unlink()  # the original is gone: the ticket keeps its copy
    assert office.complaints.attachment_content(DEFAULT_ACTOR, info.id) == ("破损照片.jpg", content)
    listed = office.complaints.get(DEFAULT_ACTOR, ticket.id).attachments
    assert [(a.id, a.filename, a.size, a.added_by) for a in listed] == [
        (info.id, "破损照片.jpg", len(content), "王芳")
    ]


def test_a_file_too_big_or_missing_is_refused(office, tmp_path):
    ticket = open_ticket(office)
    big = tmp_path / "video.mp4"
    with big.open("wb") as f:
        f.truncate(ATTACHMENT_LIMIT + 1)  # sparse: the size counts, not the bytes
    with pytest.raises(
        ServiceError, match=re.escape("video.mp4 is 25.0 MB; attachments may be at most 25 MB.")
    ):
        office.complaints.attach(DEFAULT_ACTOR, ticket.id, big)
    with pytest.raises(ServiceError, match=re.escape("gone.pdf could not be read")):
        office.complaints.attach(DEFAULT_ACTOR, ticket.id, tmp_path / "gone.pdf")
    assert office.complaints.get(DEFAULT_ACTOR, ticket.id).attachments == ()


def test_only_who_added_an_attachment_or_a_manager_removes_it(office, tmp_path):
    ticket = open_ticket(office)
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4 scan")
    first = office.complaints.attach(office.seller, ticket.id, scan)
    second = office.complaints.attach(office.seller, ticket.id, scan)
    with pytest.raises(ServiceError, match="Only the person who added an attachment, or a manager"):
        office.complaints.remove_attachment(office.colleague, first.id)
    office.complaints.remove_attachment(office.seller, first.id)
    office.complaints.remove_attachment(DEFAULT_ACTOR, second.id)
    assert office.complaints.get(DEFAULT_ACTOR, ticket.id).attachments == ()
    with pytest.raises(NotFoundError, match=re.escape("The attachment no longer exists.")):
        office.complaints.attachment_content(DEFAULT_ACTOR, first.id)
    with pytest.raises(NotFoundError):
        office.complaints.remove_attachment(DEFAULT_ACTOR, first.id)


# ---------------------------------------------------------------- categories


BUILT_IN_NAMES = [
    "Product quality",
    "Delivery",
    "Billing",
    "Service not in place",
    "Staff attitude",
    "Staff acting for themselves",
    "Dispute between departments",
    "Other",
]


def test_categories_rename_add_and_remove_while_tickets_keep_theirs(office):
    complaints = office.complaints
    before = complaints.categories(DEFAULT_ACTOR)
    assert [c.name for c in before] == BUILT_IN_NAMES
    other = office.categories["other"].id
    ticket = open_ticket(office, category_id=other)
    assert complaints.categories(DEFAULT_ACTOR, counted=True)[-1].in_use == 1
    wanted = [replace(c, name="物流配送") if c.key == "delivery" else c for c in before if c.key != "other"]
    complaints.save_categories(DEFAULT_ACTOR, [*wanted, CategoryInfo(None, "  发票  错误 ")])
    after = complaints.categories(DEFAULT_ACTOR)
    assert [c.name for c in after] == [
        "Product quality",
        "物流配送",
        "Billing",
        "Service not in place",
        "Staff attitude",
        "Staff acting for themselves",
        "Dispute between departments",
        "发票 错误",
    ]
    assert after[1].key == "delivery"
    assert after[-1].key is None
    # The removed category is no longer offered; the ticket keeps it and shows its name.
    assert complaints.get(DEFAULT_ACTOR, ticket.id).data.category_id == other
    assert [r.category for r in complaints.list(DEFAULT_ACTOR).rows] == ["Other"]
    with pytest.raises(ValidationError) as wrong:
        open_ticket(office, category_id=other)
    assert wrong.value.errors == {"category_id": "The category chosen no longer exists."}
    new = open_ticket(office, category_id=after[-1].id)
    assert complaints.get(DEFAULT_ACTOR, new.id).data.category_id == after[-1].id
    # Taken back by name: the built-in comes back under its translated name.
    complaints.save_categories(DEFAULT_ACTOR, [*after, CategoryInfo(other, "Other")])
    assert [c.name for c in complaints.categories(DEFAULT_ACTOR)][-1] == "Other"


@pytest.mark.parametrize(
    ("names", "error"),
    [
        (["质量", " "], "A category needs a name."),
        (["质量", "Quality", "quality"], "The category “quality” is in the list twice."),
        (["x" * 101], "A category name is longer than 100 characters."),
        ([], "Keep at least one category."),
    ],
)
def test_wrong_category_lists_are_refused(office, names, error):
    with pytest.raises(ValidationError) as wrong:
        office.complaints.save_categories(DEFAULT_ACTOR, [CategoryInfo(None, n) for n in names])
    assert wrong.value.errors == {"categories": error}
    assert [c.name for c in office.complaints.categories(DEFAULT_ACTOR)] == BUILT_IN_NAMES


# ---------------------------------------------------------------- permissions


def test_only_managers_change_policy_and_categories_or_delete_tickets(office):
    complaints, seller = office.complaints, office.seller
    ticket = open_ticket(office, actor=seller)  # anyone records a complaint
    with pytest.raises(ServiceError, match=ONLY_MANAGERS):
        complaints.save_policy(seller, ComplaintPolicy(deadlines=DeadlinePolicy(days=1)))
    with pytest.raises(ServiceError, match=ONLY_MANAGERS):
        complaints.save_categories(seller, [CategoryInfo(None, "质量")])
    with pytest.raises(ServiceError, match=ONLY_MANAGERS):
        complaints.delete(seller, ticket.id)
    assert complaints.policy(seller) == ComplaintPolicy()
    assert len(complaints.categories(seller)) == 8
    manager = Actor(staff_id=uuid.uuid4(), name="张伟", role="manager")
    complaints.save_policy(manager, ComplaintPolicy(deadlines=DeadlinePolicy(days=1)))
    complaints.delete(DEFAULT_ACTOR, ticket.id)
    with pytest.raises(NotFoundError, match=re.escape("The complaint ticket no longer exists.")):
        complaints.get(DEFAULT_ACTOR, ticket.id)
    assert complaints.list(DEFAULT_ACTOR).total == 0


# ---------------------------------------------------------------- numbers, lists, finding


def test_ticket_numbers_follow_one_another(office):
    numbers = [open_ticket(office).number for _ in range(3)]
    assert numbers == [1, 2, 3]
    office.complaints.delete(DEFAULT_ACTOR, office.complaints.find(DEFAULT_ACTOR, "3"))
    assert open_ticket(office).number == 4  # a deleted ticket's number is not given again


@pytest.fixture
def listed(office) -> SimpleNamespace:
    """Five tickets: three open (due 03-04, 03-05, 03-06), one resolved, one closed."""
    o = office
    handled_old = open_ticket(o, received_at=utc(2026, 2, 20, 9), description="发票抬头错误")
    drive(o, handled_old.id, "closed")
    later = open_ticket(o, received_at=utc(2026, 3, 3, 9), severity="high", description="送货延误两天")
    first = open_ticket(o, o.changjiang, received_at=utc(2026, 3, 1, 9), description="客服电话无人接听")
    handled_new = open_ticket(o, received_at=utc(2026, 3, 2, 10), description="安装人员态度差")
    drive(o, handled_new.id, "resolved")
    middle = open_ticket(
        o,
        received_at=utc(2026, 3, 2, 9),
        category_id=o.categories["delivery"].id,
        responsible_staff_id=o.colleague.staff_id,
    )
    return SimpleNamespace(
        first=first, middle=middle, later=later, handled_new=handled_new, handled_old=handled_old
    )


def numbers(page) -> list[int]:
    return [r.number for r in page.rows]


def test_the_list_shows_open_tickets_by_deadline_then_handled_ones_newest_first(office, listed):
    page = office.complaints.list(DEFAULT_ACTOR)
    assert page.total == 5
    assert numbers(page) == [
        listed.first.number,
        listed.middle.number,
        listed.later.number,
        listed.handled_new.number,
        listed.handled_old.number,
    ]
    row = page.rows[0]
    assert (row.customer_name, row.category, row.severity, row.status) == (
        "长江机械",
        "Product quality",
        "normal",
        "new",
    )
    assert (row.received_at, row.due_at, row.escalation_level, row.responsible) == (
        utc(2026, 3, 1, 9),
        utc(2026, 3, 4, 9),
        0,
        "",
    )
    assert row.time_left(utc(2026, 3, 4, 8)) == timedelta(hours=1)
    assert row.time_left(utc(2026, 3, 5, 9)) == timedelta(days=-1)
    assert page.rows[3].time_left(utc(2026, 3, 4)) is None  # handled: no clock
    assert page.rows[1].responsible == "李娜"
    limited = office.complaints.list(DEFAULT_ACTOR, limit=2)
    assert (numbers(limited), limited.total) == ([listed.first.number, listed.middle.number], 5)
    only_handled_first = office.complaints.list(
        DEFAULT_ACTOR, TicketFilter(statuses=("closed", "resolved")), limit=1
    )
    assert (numbers(only_handled_first), only_handled_first.total) == ([listed.handled_new.number], 2)


def test_the_list_filters(office, listed):
    o, t = office, listed

    def found(**kwargs) -> list[int]:
        page = o.complaints.list(DEFAULT_ACTOR, TicketFilter(**kwargs))
        assert page.total == len(page.rows)
        return numbers(page)

    assert found(open_only=True) == [t.first.number, t.middle.number, t.later.number]
    assert found(statuses=("closed",)) == [t.handled_old.number]
    # Overdue as of 2026-03-05 10:00: due 03-04 09:00 and 03-05 09:00 passed, 03-06 09:00 not yet.
    assert found(overdue_only=True, as_of=utc(2026, 3, 5, 10)) == [t.first.number, t.middle.number]
    assert found(category_id=o.categories["delivery"].id) == [t.middle.number]
    assert found(severity="high") == [t.later.number]
    assert found(responsible_staff_id=o.colleague.staff_id) == [t.middle.number]
    assert found(customer_id=o.changjiang.id) == [t.first.number]
    assert found(text="长江") == [t.first.number]
    assert found(text=o.changjiang.code.lower()) == [t.first.number]
    assert found(text="态度") == [t.handled_new.number]
    assert found(text=f"#{t.later.number}") == [t.later.number]
    # Received 2026-03-02 (the whole day) to 03-03.
    assert found(received_from=date(2026, 3, 2), received_to=date(2026, 3, 3)) == [
        t.middle.number,
        t.later.number,
        t.handled_new.number,
    ]
    assert found(received_to=date(2026, 2, 28)) == [t.handled_old.number]


def test_a_customers_tickets(office, listed):
    rows = office.complaints.for_customer(DEFAULT_ACTOR, office.huaxin.id)
    assert [r.number for r in rows] == [
        listed.middle.number,
        listed.later.number,
        listed.handled_new.number,
        listed.handled_old.number,
    ]
    assert {r.customer_id for r in rows} == {office.huaxin.id}
    assert office.complaints.for_customer(DEFAULT_ACTOR, uuid.uuid4()) == []


def test_find_by_number_hash_number_or_id(office):
    first = open_ticket(office)
    second = open_ticket(office)
    complaints = office.complaints
    assert complaints.find(DEFAULT_ACTOR, "2") == second.id
    assert complaints.find(DEFAULT_ACTOR, " #1 ") == first.id
    assert complaints.find(DEFAULT_ACTOR, str(second.id)) == second.id
    for wrong in ("3", "#x", str(uuid.uuid4()), ""):
        with pytest.raises(NotFoundError, match=re.escape(f"There is no complaint ticket {wrong}.")):
            complaints.find(DEFAULT_ACTOR, wrong)
    complaints.delete(DEFAULT_ACTOR, first.id)
    with pytest.raises(NotFoundError):
        complaints.find(DEFAULT_ACTOR, "1")


# ---------------------------------------------------------------- concurrent edits


def test_an_edit_from_a_stale_version_is_refused(office):
    complaints = office.complaints
    ticket = open_ticket(office)
    mine = complaints.update(office.seller, ticket.id, ticket.version, replace(ticket.data, severity="high"))
    assert mine.version > ticket.version
    with pytest.raises(ConcurrencyError) as stale:
        complaints.update(
            office.colleague, ticket.id, ticket.version, replace(ticket.data, description="别的描述")
        )
    assert stale.value.changed_by == "王芳"
    assert str(stale.value).startswith("王芳 changed this record at ")
    with pytest.raises(ConcurrencyError):
        complaints.move(office.colleague, ticket.id, "accepted", version=ticket.version)
    kept = complaints.get(DEFAULT_ACTOR, ticket.id)
    assert (kept.status, kept.data.severity, kept.data.description) == (
        "new",
        "high",
        "包装破损，三台设备外壳变形",
    )
    assert complaints.move(office.colleague, ticket.id, "accepted", version=mine.version).status == "accepted"


# ---------------------------------------------------------------- the timeline and the tiers


def test_the_timeline_shows_each_step_of_each_ticket(office):
    ticket = open_ticket(office, actor=office.seller, description="包装破损")
    complaints = office.complaints
    complaints.move(office.seller, ticket.id, "accepted", "已受理")
    drive(office, ticket.id, "closed")
    complaints.move(DEFAULT_ACTOR, ticket.id, "investigating", "客户再次来电")
    other = open_ticket(office, office.changjiang)  # another customer's
    entries = ContactService(office.db).timeline(DEFAULT_ACTOR, office.huaxin.id, {"complaint"})
    assert [(e.kind, e.title, e.text, e.who, e.ref_id) for e in entries] == [
        ("complaint", "Complaint #1: Reopened", "客户再次来电", "Administrator", ticket.id),
        ("complaint", "Complaint #1: Closed", "", "Administrator", ticket.id),
        ("complaint", "Complaint #1: Feedback given", "", "Administrator", ticket.id),
        ("complaint", "Complaint #1: Resolved", "", "Administrator", ticket.id),
        ("complaint", "Complaint #1: Investigating", "", "Administrator", ticket.id),
        ("complaint", "Complaint #1: Accepted", "已受理", "王芳", ticket.id),
        ("complaint", "Complaint #1: Opened", "包装破损", "王芳", ticket.id),
    ]
    assert entries[-1].at == utc(2026, 3, 2, 9, 0)
    assert other.number == 2
    complaints.delete(DEFAULT_ACTOR, ticket.id)
    assert ContactService(office.db).timeline(DEFAULT_ACTOR, office.huaxin.id, {"complaint"}) == []


def test_a_ticket_opened_through_the_service_counts_for_the_tier_rules(office):
    # The window is the 12 months up to today: a ticket of 30 days ago counts, one of 400 days ago and a
    # deleted one do not.
    now = datetime.now(timezone.utc)
    open_ticket(office, received_at=now - timedelta(days=30))
    open_ticket(office, received_at=now - timedelta(days=400))
    deleted = open_ticket(office, received_at=now - timedelta(days=10))
    office.complaints.delete(DEFAULT_ACTOR, deleted.id)
    info = TierService(office.db).evaluate(DEFAULT_ACTOR, PRESETS[0].id, as_of=date.today())
    with office.db.session() as session:
        counted = dict(
            session.execute(
                select(TierProposal.customer_id, TierProposal.complaints).where(
                    TierProposal.evaluation_id == info.id
                )
            ).all()
        )
    assert counted == {office.huaxin.id: 1, office.changjiang.id: 0}


# ---------------------------------------------------------------- found in review


def test_a_ticket_whose_category_or_customer_went_away_can_still_be_edited_and_moved(office):
    """Removing a category (its tickets keep it) or deleting the customer's file must not leave a ticket
    that nobody can save or take further."""
    ticket = open_ticket(office)
    kept = office.complaints.get(DEFAULT_ACTOR, ticket.id)
    others = [c for c in office.complaints.categories(DEFAULT_ACTOR) if c.key != "product_quality"]
    office.complaints.save_categories(DEFAULT_ACTOR, others)
    CustomerService(office.db).delete(DEFAULT_ACTOR, [office.huaxin.id])
    # The window sends the whole form back: the same category, department and customer.
    saved = office.complaints.update(
        DEFAULT_ACTOR, ticket.id, kept.version, replace(kept.data, description="包装破损，四台设备外壳变形")
    )
    assert saved.data.category_id == office.quality
    moved = office.complaints.move(
        DEFAULT_ACTOR, ticket.id, "accepted", data=saved.data, version=saved.version
    )
    assert moved.status == "accepted"
    # Choosing the removed category anew is still refused.
    other = open_ticket(office, office.changjiang, category_id=others[0].id)
    with pytest.raises(ValidationError) as refused:
        office.complaints.update(
            DEFAULT_ACTOR, other.id, other.version, replace(other.data, category_id=office.quality)
        )
    assert refused.value.errors == {"category_id": "The category chosen no longer exists."}


def test_a_fed_back_ticket_with_its_feedback_cleared_does_not_close_and_a_resolved_one_keeps_its_resolution(
    office,
):
    ticket = drive(office, open_ticket(office).id, "feedback_given")
    with pytest.raises(ValidationError) as refused:
        office.complaints.move(DEFAULT_ACTOR, ticket.id, "closed", feedback=Feedback())
    assert set(refused.value.errors) == {"satisfaction"}
    with pytest.raises(ValidationError) as refused:
        office.complaints.update(
            DEFAULT_ACTOR, ticket.id, ticket.version, ticket.data, resolution=Resolution()
        )
    assert set(refused.value.errors) == {"root_cause"}
    after = office.complaints.get(DEFAULT_ACTOR, ticket.id)
    assert (after.status, after.resolution, after.feedback) == ("feedback_given", RESOLUTION, FEEDBACK)


def test_my_day_shows_only_the_escalations_of_the_current_round(office):
    from app.services.escalation import check_deadlines, escalations_for

    ticket = open_ticket(office)  # due 5 March 09:00
    check_deadlines(office.db, DEFAULT_ACTOR, now=utc(2026, 3, 8, 10, 0))  # levels 1 and 2, to the admin
    assert [e.level for e in escalations_for(office.db, DEFAULT_ACTOR)] == [2, 1]
    drive(office, ticket.id, "resolved")
    reopened = office.complaints.move(DEFAULT_ACTOR, ticket.id, "investigating", "客户再次投诉")
    assert escalations_for(office.db, DEFAULT_ACTOR) == []  # a new deadline, days ahead
    check_deadlines(office.db, DEFAULT_ACTOR, now=reopened.due_at + timedelta(hours=1))
    shown = escalations_for(office.db, DEFAULT_ACTOR)
    assert [(e.number, e.level, e.due_at) for e in shown] == [(ticket.number, 1, reopened.due_at)]


def test_the_person_complained_about_cannot_change_or_move_the_ticket(office):
    ticket = open_ticket(office, against_staff_id=office.colleague.staff_id)
    refusal = "This complaint is about you: a colleague or a manager handles it."
    with pytest.raises(ServiceError, match=refusal):
        office.complaints.update(
            office.colleague, ticket.id, ticket.version, replace(ticket.data, against_staff_id=None)
        )
    with pytest.raises(ServiceError, match=refusal):
        office.complaints.move(office.colleague, ticket.id, "accepted")
    assert office.complaints.move(office.seller, ticket.id, "accepted").status == "accepted"
    assert office.complaints.get(DEFAULT_ACTOR, ticket.id).data.against_staff_id == office.colleague.staff_id
