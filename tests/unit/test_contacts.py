"""Contact logs, follow-ups, cadence, the timeline and care reminders, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from app.models import ChangeLog, ContactLog, Customer, FollowUp, Staff
from app.services.actor import DEFAULT_ACTOR, Actor
from app.services.care import CareService, HolidayInput
from app.services.contacts import ContactLogInput, ContactService
from app.services.customers import ContactInput, CustomerInput, CustomerService
from app.services.errors import ServiceError, ValidationError
from app.services.followups import FollowUpInput, FollowUpService

UTC = timezone.utc


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def add_staff(db, name: str, role: str = "sales") -> Actor:
    staff_id = uuid.uuid4()
    with db.session() as session:
        session.add(Staff(id=staff_id, name=name, role=role))
    return Actor(staff_id=staff_id, name=name, role=role)


def add_customer(db, name: str, **values) -> uuid.UUID:
    return CustomerService(db).create(DEFAULT_ACTOR, CustomerInput(name=name, **values)).id


def last_contact(db, customer_id) -> datetime | None:
    with db.session() as session:
        return session.scalar(select(Customer.last_contact_at).where(Customer.id == customer_id))


# ---------------------------------------------------------------- logging


def test_a_logged_contact_is_kept_with_its_staff_and_moves_the_last_contact(db):
    zhang, li = add_staff(db, "张伟"), add_staff(db, "李娜")
    customer = add_customer(db, "华东机电", manager_id=zhang.staff_id)
    service = ContactService(db)
    visit = ContactLogInput(
        kind="visit",
        occurred_at=at(date(2026, 3, 2)),
        staff_ids=(zhang.staff_id, li.staff_id),
        subject="年度合同",
        summary="谈了明年的价格",
    )
    first = service.log(zhang, customer, visit)
    service.log(
        zhang, customer, ContactLogInput(kind="phone", occurred_at=at(date(2026, 2, 1)), summary="问候")
    )
    assert first.staff_names == ("张伟", "李娜")
    assert first.author == "张伟" and first.can_edit
    # The newest of the two, not the one logged last.
    assert last_contact(db, customer) == at(date(2026, 3, 2))
    logs = service.logs(zhang, customer)
    assert [log.data.summary for log in logs] == ["谈了明年的价格", "问候"]
    assert logs[1].staff_names == ("张伟",)  # nobody chosen: whoever logs it


def test_bad_input_names_each_field_and_writes_nothing(db):
    customer = add_customer(db, "华东机电")
    other = add_customer(db, "西部钢铁")
    stranger = CustomerService(db).save_contact(DEFAULT_ACTOR, other, ContactInput(name="王芳"))
    service = ContactService(db)
    with pytest.raises(ValidationError) as caught:
        service.log(
            DEFAULT_ACTOR,
            customer,
            ContactLogInput(kind="pigeon", occurred_at=datetime.now(UTC) + timedelta(days=3),
                            contact_person_id=stranger.id, next_date=date(2000, 1, 1)),
        )  # fmt: skip
    assert set(caught.value.errors) == {"kind", "occurred_at", "summary", "contact_person_id", "next_date"}
    assert "subject or a summary" in caught.value.errors["summary"]
    assert service.logs(DEFAULT_ACTOR, customer) == []
    assert last_contact(db, customer) is None


def test_the_next_date_becomes_a_follow_up_of_the_account_manager(db):
    zhang, li = add_staff(db, "张伟"), add_staff(db, "李娜")
    customer = add_customer(db, "华东机电", manager_id=zhang.staff_id)
    ContactService(db).log(
        li,
        customer,
        ContactLogInput(summary="样品已寄出", occurred_at=at(date(2026, 5, 4)), next_step="确认样品",
                        next_date=date(2026, 5, 11)),
    )  # fmt: skip
    [follow_up] = FollowUpService(db).for_customer(li, customer)
    assert (follow_up.due_on, follow_up.purpose, follow_up.owner, follow_up.origin) == (
        date(2026, 5, 11), "确认样品", "张伟", "next_step",
    )  # fmt: skip


def test_logging_the_contact_completes_the_follow_up_it_answers(db):
    customer = add_customer(db, "华东机电")
    follow_ups = FollowUpService(db)
    planned = follow_ups.create(DEFAULT_ACTOR, FollowUpInput(customer, date(2026, 5, 11), purpose="回访"))
    log = ContactService(db).log(
        DEFAULT_ACTOR, customer, ContactLogInput(summary="回访完成", occurred_at=at(date(2026, 5, 12)),
                                                 completes=planned.id)
    )  # fmt: skip
    assert follow_ups.for_customer(DEFAULT_ACTOR, customer) == []
    with db.session() as session:
        row = session.get(FollowUp, planned.id)
        assert (row.status, row.contact_log_id) == ("done", log.id)
    assert log.data.completes == planned.id
    with pytest.raises(ValidationError, match="already done"):
        ContactService(db).log(
            DEFAULT_ACTOR, customer, ContactLogInput(summary="again", completes=planned.id)
        )


@pytest.mark.parametrize(
    ("tier", "days"),
    # The documents' defaults (VIP monthly …) and 90 days for a customer without a tier.
    [("vip", 30), ("important", 60), ("normal", 90), ("potential", 120), ("", 90)],
)
def test_the_next_contact_is_proposed_by_the_tier_cadence(db, tier, days):
    customer = add_customer(db, "华东机电", tier=tier)
    proposal = ContactService(db).proposed_next(DEFAULT_ACTOR, customer, date(2026, 1, 31))
    assert proposal.days == days
    assert proposal.due_on == date(2026, 1, 31) + timedelta(days=days)


# ---------------------------------------------------------------- editing


def _age(db, log_id, days: int) -> None:
    with db.session() as session:
        session.execute(
            update(ContactLog)
            .where(ContactLog.id == log_id)
            .values(created_at=datetime.now(UTC) - timedelta(days=days))
        )


def test_the_author_edits_for_seven_days_then_only_a_manager_and_the_history_keeps_the_old_text(db):
    zhang, li = add_staff(db, "张伟"), add_staff(db, "李娜")
    boss = add_staff(db, "王经理", role="manager")
    customer = add_customer(db, "华东机电")
    service = ContactService(db)
    log = service.log(zhang, customer, ContactLogInput(summary="谈了价格", occurred_at=at(date(2026, 5, 4))))
    edited = service.update(zhang, log.id, replace(log.data, summary="谈了价格和交期"), log.version)
    with pytest.raises(ServiceError, match="Only its author"):
        service.update(li, log.id, replace(edited.data, summary="李娜改的"), edited.version)
    _age(db, log.id, 8)
    with pytest.raises(ServiceError, match="for 7 days"):
        service.update(zhang, log.id, replace(edited.data, summary="太晚了"), edited.version)
    assert not service.get(zhang, log.id).can_edit
    final = service.update(boss, log.id, replace(edited.data, summary="经理更正"), edited.version)
    assert final.data.summary == "经理更正"
    with db.session() as session:
        summaries = session.execute(
            select(ChangeLog.old_value, ChangeLog.new_value)
            .where(ChangeLog.entity_id == log.id, ChangeLog.field == "summary")
            .order_by(ChangeLog.at)
        ).all()
    assert [tuple(r) for r in summaries] == [("谈了价格", "谈了价格和交期"), ("谈了价格和交期", "经理更正")]


def test_saving_the_same_staff_in_another_order_records_no_change(db):
    zhang, li, wang = add_staff(db, "张伟"), add_staff(db, "李娜"), add_staff(db, "王芳")
    customer = add_customer(db, "华东机电")
    service = ContactService(db)
    log = service.log(
        zhang,
        customer,
        ContactLogInput(
            summary="三人拜访",
            occurred_at=at(date(2026, 5, 4)),
            staff_ids=(zhang.staff_id, wang.staff_id, li.staff_id),
        ),
    )
    for others in ((li.staff_id, wang.staff_id), (wang.staff_id, li.staff_id)):  # whatever order is stored
        log = service.update(
            zhang, log.id, replace(log.data, staff_ids=(zhang.staff_id, *others)), log.version
        )
    with db.session() as session:
        fields = session.scalars(select(ChangeLog.field).where(ChangeLog.entity_id == log.id)).all()
    assert "staff_ids" not in fields


def test_the_next_contact_may_fall_on_the_same_local_day_west_of_greenwich(db, local_zone):
    local_zone("America/New_York")  # 20:00 on 9 March there is 01:00 on 10 March in UTC
    customer = add_customer(db, "华东机电")
    evening = datetime(2026, 3, 9, 20, 0).astimezone()
    log = ContactService(db).log(
        DEFAULT_ACTOR,
        customer,
        ContactLogInput(summary="晚上的电话", occurred_at=evening, next_date=date(2026, 3, 9)),
    )
    assert log.data.next_date == date(2026, 3, 9)


def test_moving_or_removing_a_log_recomputes_the_last_contact(db):
    customer = add_customer(db, "华东机电")
    service = ContactService(db)
    old = service.log(
        DEFAULT_ACTOR, customer, ContactLogInput(summary="一", occurred_at=at(date(2026, 1, 5)))
    )
    new = service.log(
        DEFAULT_ACTOR, customer, ContactLogInput(summary="二", occurred_at=at(date(2026, 4, 5)))
    )
    service.update(DEFAULT_ACTOR, new.id, replace(new.data, occurred_at=at(date(2025, 12, 1))), new.version)
    assert last_contact(db, customer) == at(date(2026, 1, 5))
    service.delete(DEFAULT_ACTOR, old.id)
    assert last_contact(db, customer) == at(date(2025, 12, 1))


# ---------------------------------------------------------------- follow-ups


def test_due_lists_as_of_a_day(db):
    zhang, li = add_staff(db, "张伟"), add_staff(db, "李娜")
    customer = add_customer(db, "华东机电", manager_id=zhang.staff_id)
    service = FollowUpService(db)
    as_of = date(2026, 6, 10)
    plans = [
        (-3, zhang, "逾期"),
        (0, zhang, "今天"),
        (7, zhang, "一周内"),
        (8, zhang, "以后"),
        (0, li, "别人的"),
    ]
    for days, owner, purpose in plans:
        service.create(zhang, FollowUpInput(customer, as_of + timedelta(days=days), owner.staff_id, purpose))
    mine = service.due(zhang, zhang.staff_id, as_of)
    assert [f.purpose for f in mine.overdue] == ["逾期"]
    assert [f.purpose for f in mine.today] == ["今天"]
    assert [f.purpose for f in mine.this_week] == ["一周内"]  # 8 days ahead is after this week
    everyone = service.due(zhang, None, as_of)
    assert sorted(f.purpose for f in everyone.today) == ["今天", "别人的"]
    # The day after, today's follow-up is overdue.
    assert [f.purpose for f in service.due(zhang, zhang.staff_id, as_of + timedelta(days=1)).overdue] == [
        "逾期",
        "今天",
    ]


def test_rescheduling_needs_a_reason_and_is_written_to_the_history(db):
    customer = add_customer(db, "华东机电")
    service = FollowUpService(db)
    planned = service.create(DEFAULT_ACTOR, FollowUpInput(customer, date(2026, 6, 10), purpose="送样"))
    with pytest.raises(ValidationError) as caught:
        service.reschedule(DEFAULT_ACTOR, planned.id, date(2026, 6, 20), "  ")
    assert set(caught.value.errors) == {"reason"}
    moved = service.reschedule(DEFAULT_ACTOR, planned.id, date(2026, 6, 20), "客户出差", planned.version)
    assert moved.due_on == date(2026, 6, 20)
    with db.session() as session:
        rows = session.execute(
            select(ChangeLog.field, ChangeLog.old_value, ChangeLog.new_value).where(
                ChangeLog.entity_id == planned.id, ChangeLog.action == "reschedule"
            )
        ).all()
    assert sorted(tuple(r) for r in rows) == [
        ("due_on", "2026-06-10", "2026-06-20"),
        ("reason", "", "客户出差"),
    ]
    service.cancel(DEFAULT_ACTOR, planned.id, "客户已转他人")
    assert service.for_customer(DEFAULT_ACTOR, customer) == []
    with pytest.raises(ValidationError, match="already done or cancelled"):
        service.reschedule(DEFAULT_ACTOR, planned.id, date(2026, 7, 1), "再改")


# ---------------------------------------------------------------- the timeline


def test_the_timeline_merges_everything_newest_first_and_filters_by_kind(db):
    customer = add_customer(db, "华东机电")
    customers = CustomerService(db)
    from app.services.customers import TransactionInput

    customers.save_transaction(
        DEFAULT_ACTOR, customer, TransactionInput(occurred_on=date(2026, 2, 1), amount="1000")
    )
    ContactService(db).log(
        DEFAULT_ACTOR, customer, ContactLogInput(summary="电话", occurred_at=at(date(2026, 3, 1)))
    )
    FollowUpService(db).create(DEFAULT_ACTOR, FollowUpInput(customer, date(2099, 1, 1), purpose="将来"))
    entries = ContactService(db).timeline(DEFAULT_ACTOR, customer)
    kinds = [e.kind for e in entries]
    assert kinds[0] == "follow_up"  # due in 2099: the newest moment
    assert kinds.index("contact") < kinds.index("transaction")  # March before February, newest first
    assert "change" in kinds  # the file's creation
    # A new contact or sale is on the timeline once, not again as a change.
    assert not any(e.kind == "change" and e.title in ("Contact logged", "Transaction added") for e in entries)
    only = ContactService(db).timeline(DEFAULT_ACTOR, customer, {"contact"})
    assert [e.kind for e in only] == ["contact"]
    assert only[0].text == "电话"


# ---------------------------------------------------------------- care reminders


def test_built_in_holidays_follow_the_lunar_calendar_and_a_deleted_one_stays_deleted(db):
    care = CareService(db)
    days = {h.name: h.on for h in care.holidays(DEFAULT_ACTOR, 2026)}
    # 2026: 春节 is 17 February, 端午 19 June, 中秋 25 September (the State Council's calendar).
    assert days["Spring Festival"] == date(2026, 2, 17)
    assert days["Dragon Boat Festival"] == date(2026, 6, 19)
    assert days["Mid-Autumn Festival"] == date(2026, 9, 25)
    assert days["National Day"] == date(2026, 10, 1)
    spring = next(h for h in care.holidays(DEFAULT_ACTOR, 2026) if h.name == "Spring Festival")
    care.delete_holiday(DEFAULT_ACTOR, spring.id)
    assert "Spring Festival" not in {h.name for h in care.holidays(DEFAULT_ACTOR, 2026)}
    care.save_holiday(DEFAULT_ACTOR, HolidayInput("公司周年庆", date(2026, 8, 8), "感谢一路相伴"))
    with pytest.raises(ValidationError, match="already on the list"):
        care.save_holiday(DEFAULT_ACTOR, HolidayInput("公司周年庆", date(2026, 8, 8)))
    assert "公司周年庆" in {h.name for h in care.holidays(DEFAULT_ACTOR, 2026)}


def test_reminders_of_a_week_for_the_customers_a_person_serves(db):
    zhang, li = add_staff(db, "张伟"), add_staff(db, "李娜")
    customers = CustomerService(db)
    mine = add_customer(db, "华东机电", manager_id=zhang.staff_id, founded=date(2016, 9, 24))
    theirs = add_customer(db, "西部钢铁", manager_id=li.staff_id, founded=date(2010, 9, 22))
    customers.save_contact(
        DEFAULT_ACTOR,
        mine,
        ContactInput(name="王芳", title="总经理", birthday=date(1980, 9, 21), is_decision_maker=True),
    )
    customers.save_contact(
        DEFAULT_ACTOR, mine, ContactInput(name="赵六", birthday=date(1985, 9, 21))
    )  # not a decider
    customers.save_contact(
        DEFAULT_ACTOR, theirs, ContactInput(name="孙七", birthday=date(1979, 9, 23), is_decision_maker=True)
    )
    care = CareService(db)
    # 20–27 September 2026: 中秋 on the 25th is in the window.
    reminders = care.reminders(zhang, zhang.staff_id, date(2026, 9, 20))
    assert [(r.kind, r.on, r.title) for r in reminders] == [
        ("birthday", date(2026, 9, 21), "王芳's birthday"),
        ("anniversary", date(2026, 9, 24), "10 years since 华东机电 was founded"),  # 2026 − 2016
        ("holiday", date(2026, 9, 25), "Mid-Autumn Festival"),
    ]
    assert "王芳" in reminders[0].greeting
    everyone = care.reminders(DEFAULT_ACTOR, None, date(2026, 9, 20))
    assert {r.title for r in everyone} >= {"孙七's birthday", "16 years since 西部钢铁 was founded"}


def test_a_29_february_birthday_is_remembered_on_28_february_in_other_years(db):
    customer = add_customer(db, "华东机电")
    CustomerService(db).save_contact(
        DEFAULT_ACTOR, customer, ContactInput(name="周八", birthday=date(1988, 2, 29), is_decision_maker=True)
    )
    [birthday] = [
        r for r in CareService(db).reminders(DEFAULT_ACTOR, None, date(2027, 2, 25)) if r.kind == "birthday"
    ]
    assert birthday.on == date(2027, 2, 28)


def test_a_holiday_greeting_is_logged_for_many_customers_at_once(db):
    a = add_customer(db, "甲", tier="vip")
    b = add_customer(db, "乙", tier="normal", category="key")
    add_customer(db, "丙", tier="normal")
    care, contacts = CareService(db), ContactService(db)
    targets = care.greeting_customers(DEFAULT_ACTOR, None, ["vip", "important"])
    assert set(targets) == {a, b}  # the top tiers and key customers
    count = contacts.log_many(
        DEFAULT_ACTOR,
        targets,
        ContactLogInput(kind="wechat", subject="中秋问候", occurred_at=at(date(2026, 9, 24))),
    )
    assert count == 2
    assert last_contact(db, a) == last_contact(db, b) == at(date(2026, 9, 24))
    assert [log.data.subject for log in contacts.logs(DEFAULT_ACTOR, b)] == ["中秋问候"]


def test_a_limited_due_list_still_counts_them_all(db):
    customer = add_customer(db, "华东机电")
    service = FollowUpService(db)
    as_of = date(2026, 6, 10)
    for days in (-5, -4, -3, 0):
        service.create(
            DEFAULT_ACTOR, FollowUpInput(customer, as_of + timedelta(days=days), purpose=f"{days}")
        )
    lists = service.due(DEFAULT_ACTOR, None, as_of, limit=2)
    assert [f.purpose for f in lists.overdue] == ["-5", "-4"]  # the longest overdue first
    assert (lists.overdue_total, lists.today_total, lists.week_total) == (3, 1, 0)


def test_demo_contact_work_is_reproducible_and_consistent(db):
    from app.services.demo import generate_demo
    from app.services.demo_contacts import add_contact_work

    today = date(2026, 6, 30)
    summary = generate_demo(db, DEFAULT_ACTOR, 40, seed=3, today=today)
    work = add_contact_work(db, DEFAULT_ACTOR, summary.first_code, summary.last_code, seed=3, today=today)
    assert work.contact_logs > 0 and work.follow_ups > 0
    with db.session() as session:
        logs = session.execute(
            select(ContactLog.customer_id, ContactLog.occurred_at, ContactLog.staff_id)
        ).all()
        managers = dict(session.execute(select(Customer.id, Customer.manager_id)).all())
        last = dict(session.execute(select(Customer.id, Customer.last_contact_at)).all())
        owners = session.execute(select(FollowUp.customer_id, FollowUp.owner_id, FollowUp.due_on)).all()
    assert len(logs) == work.contact_logs
    # Each log by the customer's account manager, within the year before today.
    assert all(staff == managers[customer] for customer, _at, staff in logs)
    assert all(today - timedelta(days=366) < at.date() < today for _c, at, _s in logs)
    newest: dict = {}
    for customer, at, _staff in logs:
        newest[customer] = max(at, newest.get(customer, at))
    assert {c: v for c, v in last.items() if v is not None} == newest
    assert all(owner == managers[c] and abs((due - today).days) <= 20 for c, owner, due in owners)
