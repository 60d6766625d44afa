"""The service watch against hand-computed cases: lapsed customers (today and a past day), key customers with
too few staff, and the account-manager overview."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, update

from app.models import ContactLog, Customer, CustomerStaff, FollowUp, Staff
from app.services import watch
from app.services.actor import DEFAULT_ACTOR, Actor
from app.services.contacts import refresh_last_contact
from app.services.customers import CustomerInput, CustomerService, TransactionInput
from app.services.errors import ServiceError, ValidationError
from app.services.staff import StaffInput, StaffService

BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def utc_machine(local_zone):
    """The cases below were worked out for a machine on UTC; the time-zone tests switch to Beijing."""
    local_zone("UTC")


def utc(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), timezone.utc)


def beijing(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), BEIJING)


def person(db, name: str) -> uuid.UUID:
    return StaffService(db).save(DEFAULT_ACTOR, StaffInput(name=name)).id


def customer(db, code: str, manager_id=None, **kwargs) -> uuid.UUID:
    data = CustomerInput(name=f"Customer {code}", code=code, manager_id=manager_id, **kwargs)
    return CustomerService(db).create(DEFAULT_ACTOR, data).id


def log(db, customer_id: uuid.UUID, *moments: datetime, staff_id=None, deleted: bool = False) -> None:
    """Contact logs written as the contact service writes them, then the customer's last contact kept."""
    with db.session() as session:
        session.execute(
            insert(ContactLog),
            [
                {
                    "customer_id": customer_id,
                    "occurred_at": at,
                    "staff_id": staff_id,
                    "deleted_at": utc(date(2020, 1, 1)) if deleted else None,
                }
                for at in moments
            ],
        )
        refresh_last_contact(session, [customer_id])


def codes_and_days(result) -> list[tuple[str, int]]:
    return [(c.code, c.days_without) for c in result[1]]


# ---------------------------------------------------------------- settings


def test_watch_days_default_save_and_refuse_out_of_range(db):
    assert watch.watch_days(db) == {}
    assert watch.DEFAULT_WATCH_DAYS == 90
    watch.save_watch_days(db, DEFAULT_ACTOR, {"vip": 30, "important": 60})
    assert watch.watch_days(db) == {"vip": 30, "important": 60}
    with pytest.raises(ValidationError) as wrong:
        watch.save_watch_days(db, DEFAULT_ACTOR, {"vip": 0, "normal": 3651, "important": 3650})
    assert wrong.value.errors == {
        "vip": "VIP: the days without contact must be a whole number from 1 to 3650.",
        "normal": "Normal: the days without contact must be a whole number from 1 to 3650.",
    }
    assert watch.watch_days(db) == {"vip": 30, "important": 60}  # nothing saved
    watch.save_watch_days(db, DEFAULT_ACTOR, {"normal": 120})
    assert watch.watch_days(db) == {"normal": 120}  # the whole setting is replaced


def test_only_a_manager_saves_the_watch_days(db):
    watch.save_watch_days(db, DEFAULT_ACTOR, {"vip": 30})
    sales = Actor(staff_id=person(db, "Wang Fang"), name="Wang Fang", role="sales")
    with pytest.raises(ServiceError, match=re.escape("Only a manager can do this.")):
        watch.save_watch_days(db, sales, {"vip": 60})
    assert watch.watch_days(db) == {"vip": 30}
    manager = Actor(staff_id=person(db, "Zhao Min"), name="Zhao Min", role="general_manager")
    watch.save_watch_days(db, manager, {"vip": 45})
    assert watch.watch_days(db) == {"vip": 45}


# ---------------------------------------------------------------- lapsed, as of today (the kept column)


@pytest.fixture
def today_office(db):
    """Customers whose last contact lies N days before today; VIP watched at 30 days, the rest at 90."""
    today = date.today()
    watch.save_watch_days(db, DEFAULT_ACTOR, {"vip": 30})
    wang, li = person(db, "Wang Fang"), person(db, "Li Lei")
    ids = {}

    def add(code, days_ago=None, *, tier="normal", manager=wang, registered=None, **kwargs):
        ids[code] = customer(
            db, code, manager, tier=tier, registered_on=registered or today - timedelta(400), **kwargs
        )
        if days_ago is not None:
            log(db, ids[code], utc(today - timedelta(days=days_ago)))

    add("A", 31, tier="vip")  # 31 > 30: lapsed
    add("B", 30, tier="vip")  # 30, not more than 30
    add("C", 91, manager=li)  # 91 > 90
    add("D", 90)  # 90
    add("E", tier="", registered=today - timedelta(days=100))  # never contacted: 100 days since registration
    add("F", 200, category="lost")  # lost customers are not watched
    add("G", tier="", registered=today)  # just registered
    add("H", 300)
    CustomerService(db).delete(DEFAULT_ACTOR, [ids["H"]])  # deleted
    add("I", 200)
    log(db, ids["I"], utc(today - timedelta(days=10)), deleted=True)  # a deleted log does not count
    return today, ids, wang, li


def test_lapsed_today_uses_each_tiers_days(db, today_office):
    today, _ids, wang, _li = today_office
    result = watch.lapsed(db, DEFAULT_ACTOR, as_of=today)
    # Longest without first: I 200, E 100, C 91, A 31.
    assert result[0] == 4
    assert codes_and_days(result) == [("I", 200), ("E", 100), ("C", 91), ("A", 31)]
    first = result[1][0]
    assert (first.name, first.tier, first.category, first.manager, first.manager_id) == (
        "Customer I",
        "normal",
        "potential",
        "Wang Fang",
        wang,
    )
    assert first.last_contact_at == utc(today - timedelta(days=200))
    assert result[1][1].last_contact_at is None  # E: never contacted


def test_lapsed_days_override_staff_and_paging(db, today_office):
    today, _ids, _wang, li = today_office
    # More than 95 days: I 200, E 100. More than 30: also C 91, D 90, A 31 (B's 30 is not more).
    assert codes_and_days(watch.lapsed(db, DEFAULT_ACTOR, as_of=today, days=95)) == [("I", 200), ("E", 100)]
    assert codes_and_days(watch.lapsed(db, DEFAULT_ACTOR, as_of=today, days=30)) == [
        ("I", 200),
        ("E", 100),
        ("C", 91),
        ("D", 90),
        ("A", 31),
    ]
    assert codes_and_days(watch.lapsed(db, DEFAULT_ACTOR, as_of=today, staff_id=li)) == [("C", 91)]
    assert watch.lapsed(db, DEFAULT_ACTOR, as_of=today, limit=2)[0] == 4
    assert codes_and_days(watch.lapsed(db, DEFAULT_ACTOR, as_of=today, limit=2)) == [("I", 200), ("E", 100)]
    assert codes_and_days(watch.lapsed(db, DEFAULT_ACTOR, as_of=today, offset=2, limit=5)) == [
        ("C", 91),
        ("A", 31),
    ]


def test_a_new_contact_takes_a_customer_off_the_list(db, today_office):
    today, ids, _wang, _li = today_office
    log(db, ids["I"], utc(today, 0, 1))
    assert [c.code for c in watch.lapsed(db, DEFAULT_ACTOR, as_of=today)[1]] == ["E", "C", "A"]


# ---------------------------------------------------------------- lapsed, as of a past day (the logs)

PAST = date(2025, 6, 30)


@pytest.fixture
def past_office(db):
    watch.save_watch_days(db, DEFAULT_ACTOR, {"vip": 30})
    ids = {}

    def add(code, *moments, tier="normal", registered=date(2024, 1, 1), **kwargs):
        ids[code] = customer(db, code, None, tier=tier, registered_on=registered, **kwargs)
        if moments:
            log(db, ids[code], *moments)

    # Logs after the end of 2025-06-30 (UTC) did not exist yet on that day.
    add("P1", utc(date(2025, 5, 20)), utc(date(2025, 7, 15)), tier="vip")  # May 20 → Jun 30: 41 > 30
    add("P2", utc(date(2025, 3, 31), 23, 30))  # Mar 31 → Jun 30: 91 > 90
    add("P3", utc(date(2025, 4, 1), 0, 30))  # Apr 1 → Jun 30: 90
    add("P4", utc(date(2025, 1, 1)), utc(PAST, 23, 59), utc(date(2025, 7, 1), 0, 0))  # the last minute counts
    add("P5", registered=date(2025, 1, 1))  # none: Jan 1 → Jun 30 is 31+28+31+30+31+29 = 180
    add("P6", utc(date(2025, 8, 1)), registered=date(2024, 12, 31))  # none yet then: 181 since registered
    add("P7", utc(date(2024, 1, 1)), category="lost")
    add("P8")
    with db.session() as session:
        # Neither a contact nor a registration date: the file's creation.
        # Feb 28 → Jun 30 = 1 + 31 + 30 + 31 + 29 = 122.
        session.execute(
            update(Customer)
            .where(Customer.id == ids["P8"])
            .values(registered_on=None, created_at=utc(date(2025, 2, 28), 12))
        )
    add("P9", registered=date(2025, 7, 20))  # registered after the day: not lapsed then
    return ids


def test_lapsed_on_a_past_day_reads_the_logs_up_to_its_end(db, past_office):
    result = watch.lapsed(db, DEFAULT_ACTOR, as_of=PAST)
    assert result[0] == 5
    assert codes_and_days(result) == [("P6", 181), ("P5", 180), ("P8", 122), ("P2", 91), ("P1", 41)]
    last = {c.code: c.last_contact_at for c in result[1]}
    # P1's reference is May 20th although its newest log (July 15th) is what the column holds.
    assert last == {
        "P6": None,
        "P5": None,
        "P8": None,
        "P2": utc(date(2025, 3, 31), 23, 30),
        "P1": utc(date(2025, 5, 20)),
    }
    # 60 days: P3's 90 is more; P1's 41 is not.
    assert codes_and_days(watch.lapsed(db, DEFAULT_ACTOR, as_of=PAST, days=60)) == [
        ("P6", 181),
        ("P5", 180),
        ("P8", 122),
        ("P2", 91),
        ("P3", 90),
    ]


def test_lapsed_refuses_negative_days(db):
    with pytest.raises(ValidationError, match=re.escape("The days without contact cannot be negative.")):
        watch.lapsed(db, DEFAULT_ACTOR, days=-1)


# ---------------------------------------------------------------- understaffed key customers


def test_key_customers_with_fewer_than_two_staff(db):
    staff = StaffService(db)
    ma, ann, gone = person(db, "Ma Ming"), person(db, "An Ann"), person(db, "Gone Guo")
    ids = {}
    ids["K1"] = customer(db, "K1", ma, category="key")  # manager only: 1
    ids["K2"] = customer(db, "K2", ma, tier="vip", category="general")  # manager + Ann: 2
    staff.set_customer_staff(DEFAULT_ACTOR, ids["K2"], [ann])
    ids["K3"] = customer(db, "K3", None, tier="vip")  # no manager + Ann: 1
    staff.set_customer_staff(DEFAULT_ACTOR, ids["K3"], [ann])
    ids["K4"] = customer(db, "K4", ma, category="key")  # manager + a person who has left: 1
    staff.set_customer_staff(DEFAULT_ACTOR, ids["K4"], [gone])
    ids["K5"] = customer(db, "K5", ma, category="key")  # the manager also listed as additional staff: 1
    ids["K6"] = customer(db, "K6", None, tier="normal", category="general")  # not a key customer
    ids["K7"] = customer(db, "K7", None, tier="vip", category="lost")  # lost
    ids["K8"] = customer(db, "K8", None, category="key")
    CustomerService(db).delete(DEFAULT_ACTOR, [ids["K8"]])  # deleted
    ids["K9"] = customer(db, "K9", None, category="key")  # nobody: 0
    with db.session() as session:
        # Rows the services would not write, as an older version or a synchronised laptop might have.
        session.execute(update(Staff).where(Staff.id == gone).values(active=False))
        session.add(CustomerStaff(customer_id=ids["K5"], staff_id=ma))
    found = watch.understaffed(db, DEFAULT_ACTOR)
    assert [(c.code, c.staff_count) for c in found] == [("K9", 0), ("K1", 1), ("K3", 1), ("K4", 1), ("K5", 1)]
    assert (found[1].manager, found[1].category, found[2].tier, found[0].manager) == (
        "Ma Ming",
        "key",
        "vip",
        "",
    )
    assert [c.code for c in watch.understaffed(db, DEFAULT_ACTOR, staff_id=ma)] == ["K1", "K4", "K5"]


def test_a_key_customer_whose_manager_has_left_is_short_of_staff(db):
    """The account manager counts only while active: a key customer with a manager who left and one
    active additional staff member has one person serving it."""
    staff = StaffService(db)
    ma, ann, bo = person(db, "Ma Ming"), person(db, "An Ann"), person(db, "Bo Bai")
    gone, deleted, half = person(db, "Gone Guo"), person(db, "Del Deng"), person(db, "Half He")
    ids = {}
    for code, manager in (("L1", gone), ("L2", deleted), ("L3", half), ("L4", ma)):
        ids[code] = customer(db, code, manager, category="key")
        staff.set_customer_staff(DEFAULT_ACTOR, ids[code], [ann])  # one active additional staff each
    ids["L5"] = customer(db, "L5", gone, category="key")  # a left manager and nobody else: 0
    ids["L6"] = customer(db, "L6", ma, category="key")  # Ann and Bo, who left since: 1 with Ma
    staff.set_customer_staff(DEFAULT_ACTOR, ids["L6"], [ann, bo])
    staff.leave(DEFAULT_ACTOR, gone, date(2026, 1, 31))  # still L1's and L5's manager
    staff.leave(DEFAULT_ACTOR, bo, date(2026, 1, 31))
    with db.session() as session:
        session.execute(update(Staff).where(Staff.id == deleted).values(deleted_at=utc(date(2026, 2, 1))))
        # Active but with a leaving date (a row the services would not write): counted as left.
        session.execute(update(Staff).where(Staff.id == half).values(left_on=date(2026, 2, 1)))
        # Bo's row kept active behind the services' back, but with a leaving date: not counted either.
        session.execute(update(Staff).where(Staff.id == bo).values(active=True))
        session.add(CustomerStaff(customer_id=ids["L6"], staff_id=bo))
    found = watch.understaffed(db, DEFAULT_ACTOR)
    # L1, L2, L3: Ann only → 1; L4: Ma + Ann → 2, not short; L5: 0; L6: Ma + Ann → 2.
    assert [(c.code, c.staff_count) for c in found] == [("L5", 0), ("L1", 1), ("L2", 1), ("L3", 1)]
    assert (found[1].manager, found[0].manager) == ("Gone Guo", "Gone Guo")  # still named as manager
    assert [(c.code, c.staff_count) for c in watch.understaffed(db, DEFAULT_ACTOR, staff_id=gone)] == [
        ("L5", 0),
        ("L1", 1),
    ]


# ---------------------------------------------------------------- the local time zone (Beijing, UTC+8)


def test_a_contact_counts_for_its_local_day_today(db, local_zone):
    local_zone("Asia/Shanghai")
    today = date.today()  # Beijing's date
    t30 = customer(db, "T30", None, registered_on=today - timedelta(days=400))
    t31 = customer(db, "T31", None, registered_on=today - timedelta(days=400))
    # 07:00 in Beijing is 23:00 UTC the day before: the contact is still of its Beijing date.
    log(db, t30, beijing(today - timedelta(days=30), 7))
    log(db, t31, beijing(today - timedelta(days=31), 7))
    assert beijing(today, 7).astimezone(timezone.utc).date() == today - timedelta(days=1)
    # More than 30 days: T31 (31), not T30 (30); by UTC dates they would be 32 and 31.
    assert codes_and_days(watch.lapsed(db, DEFAULT_ACTOR, as_of=today, days=30)) == [("T31", 31)]
    assert watch.lapsed(db, DEFAULT_ACTOR, as_of=today, days=30)[0] == 1


def test_a_past_day_runs_from_local_midnight_to_local_midnight(db, local_zone):
    local_zone("Asia/Shanghai")
    as_of = date(2025, 6, 30)  # its Beijing day: 2025-06-29 16:00 to 2025-06-30 16:00 UTC
    ids = {}

    def add(code, *moments, registered=date(2024, 1, 1)):
        ids[code] = customer(db, code, None, registered_on=registered)
        if moments:
            log(db, ids[code], *moments)

    add("M1", beijing(date(2025, 5, 31), 7))  # May 31st in Beijing (May 30th UTC): 30 days, not more
    add("M2", beijing(date(2025, 5, 30), 23, 30))  # May 30th: 31 days
    # Logged at 07:00 on July 1st in Beijing (23:00 on June 30th UTC): after the day's end, not yet
    # there then; before it, May 1st: 60 days.
    add("M3", beijing(date(2025, 5, 1), 12), beijing(date(2025, 7, 1), 7))
    add("M4", beijing(date(2025, 6, 30), 7))  # on the day itself (June 29th UTC): 0 days
    # Never contacted nor registered: the local date of the file's creation.
    add("N1", registered=None)
    add("N2", registered=None)
    with db.session() as session:
        for code, created in (("N1", beijing(date(2025, 5, 31), 7)), ("N2", beijing(date(2025, 5, 30), 7))):
            session.execute(
                update(Customer)
                .where(Customer.id == ids[code])
                .values(registered_on=None, created_at=created)
            )
    total, rows = watch.lapsed(db, DEFAULT_ACTOR, as_of=as_of, days=30)
    # M3 60; M2 and N2 both May 30th, 31 days (by code).
    assert (total, [(c.code, c.days_without) for c in rows]) == (3, [("M3", 60), ("M2", 31), ("N2", 31)])
    assert rows[0].last_contact_at == beijing(date(2025, 5, 1), 12)
    # With 29 days, M1 and N1 (30 each) join; M4 never does.
    assert codes_and_days(watch.lapsed(db, DEFAULT_ACTOR, as_of=as_of, days=29)) == [
        ("M3", 60),
        ("M2", 31),
        ("N2", 31),
        ("M1", 30),
        ("N1", 30),
    ]


def test_the_overview_counts_contacts_by_local_days(db, local_zone):
    local_zone("Asia/Shanghai")
    as_of = date(2025, 6, 30)
    pan, qian, ren = person(db, "Pan Ping"), person(db, "Qian Qi"), person(db, "Ren Ran")
    c1 = customer(db, "C1", pan, registered_on=date(2025, 6, 1))
    # The 30 days are June 1st to 30th in Beijing: 2025-05-31 16:00 to 2025-06-30 16:00 UTC; the 90 days
    # start on April 2nd in Beijing (April 1st 16:00 UTC).
    log(db, c1, beijing(date(2025, 6, 1), 7), staff_id=pan)  # May 31st 23:00 UTC: in both
    log(db, c1, beijing(date(2025, 7, 1), 7), staff_id=qian)  # June 30th 23:00 UTC: the next day, in neither
    log(db, c1, beijing(date(2025, 4, 2), 7), staff_id=ren)  # April 1st 23:00 UTC: in the 90 days only
    log(db, c1, beijing(date(2025, 4, 1), 23), staff_id=ren)  # April 1st 15:00 UTC: in neither
    rows = {o.name: (o.contacts_30, o.contacts_90) for o in watch.overview(db, DEFAULT_ACTOR, as_of)}
    assert (rows["Pan Ping"], rows["Qian Qi"], rows["Ren Ran"]) == ((1, 1), (0, 0), (0, 1))


# ---------------------------------------------------------------- the overview


def test_overview_figures_by_hand(db):
    as_of = date(2025, 6, 30)
    watch.save_watch_days(db, DEFAULT_ACTOR, {"vip": 30})
    p, q, r, s = (person(db, n) for n in ("Pan Ping", "Qian Qi", "Ren Ran", "Song Shu"))
    service = CustomerService(db)
    old = date(2024, 1, 1)
    c1 = customer(db, "C1", p, tier="vip", registered_on=old)
    c2 = customer(db, "C2", p, tier="normal", registered_on=date(2025, 1, 1))
    c3 = customer(db, "C3", p, tier="normal", registered_on=old)
    c4 = customer(db, "C4", q, tier="vip", registered_on=old)
    customer(db, "C5", s, tier="normal", registered_on=date(2025, 6, 1))

    def buy(customer_id, day, amount):
        return service.save_transaction(
            DEFAULT_ACTOR, customer_id, TransactionInput(occurred_on=day, amount=Decimal(amount))
        ).id

    buy(c1, date(2025, 6, 30), "1000")  # in (2024-06-30, 2025-06-30]
    buy(c1, date(2024, 6, 30), "500")  # the day a year before: out
    buy(c1, date(2024, 7, 1), "250.50")  # in
    buy(c2, date(2025, 7, 1), "999")  # after: out
    buy(c2, date(2025, 1, 15), "100")  # in
    service.delete_transaction(DEFAULT_ACTOR, c2, buy(c2, date(2025, 2, 1), "50"))  # deleted: out
    buy(c3, date(2025, 3, 1), "700")  # C3 is deleted below: out
    buy(c4, date(2025, 2, 2), "300")
    # The 30 days end with June 30th: [June 1st 00:00, July 1st 00:00) UTC; the 90 days start April 2nd.
    log(db, c1, utc(as_of, 23), utc(date(2025, 6, 1), 0), staff_id=p)  # in 30 and 90
    log(db, c1, utc(date(2025, 5, 31), 23, 59), utc(date(2025, 4, 2), 0), staff_id=p)  # in 90 only
    log(db, c1, utc(date(2025, 4, 1), 23, 59), utc(date(2025, 7, 1), 0), staff_id=p)  # in neither
    log(db, c1, utc(date(2025, 6, 15)), staff_id=p, deleted=True)  # deleted: in neither
    log(db, c4, utc(date(2025, 6, 10)), staff_id=q)
    with db.session() as session:
        session.execute(
            insert(FollowUp),
            [
                {
                    "customer_id": customer_id,
                    "owner_id": owner,
                    "due_on": due,
                    "status": status,
                    "deleted_at": gone,
                }
                for customer_id, owner, due, status, gone in (
                    (c1, p, date(2025, 6, 29), "open", None),  # overdue
                    (c1, p, as_of, "open", None),  # due on the day: not overdue
                    (c2, p, date(2025, 6, 1), "done", None),
                    (c3, p, date(2025, 6, 1), "open", None),  # its customer is deleted below
                    (c2, p, date(2025, 5, 1), "open", utc(as_of)),  # deleted
                    (c4, q, date(2025, 1, 1), "open", None),  # overdue
                )
            ],
        )
    service.delete(DEFAULT_ACTOR, [c3])
    StaffService(db).leave(DEFAULT_ACTOR, r, date(2025, 5, 1))  # left, no customers: not shown
    StaffService(db).leave(DEFAULT_ACTOR, s, date(2025, 5, 1))  # left, still manages C5: shown
    rows = watch.overview(db, DEFAULT_ACTOR, as_of)
    got = {
        o.name: (
            o.active,
            o.customers,
            o.by_tier,
            o.revenue_12m,
            o.contacts_30,
            o.contacts_90,
            o.overdue_follow_ups,
            o.lapsed,
        )
        for o in rows
    }
    assert [o.name for o in rows] == ["Administrator", "Pan Ping", "Qian Qi", "Song Shu"]
    # Pan: 1000 + 250.50 + 100 = 1350.50; C2 (normal, never contacted, registered Jan 1st: 180 days) lapsed,
    # C1 (VIP, contacted June 30th) not. Qian: C4 contacted June 10th, 20 days ≤ 30. Song: C5 registered
    # June 1st, 29 days.
    assert got == {
        "Administrator": (True, 0, {}, Decimal("0.00"), 0, 0, 0, 0),
        "Pan Ping": (True, 2, {"normal": 1, "vip": 1}, Decimal("1350.50"), 2, 4, 1, 1),
        "Qian Qi": (True, 1, {"vip": 1}, Decimal("300.00"), 1, 1, 1, 0),
        "Song Shu": (False, 1, {"normal": 1}, Decimal("0.00"), 0, 0, 0, 0),
    }
