"""The service watch against hand-computed cases: lapsed customers (today and a past day), key customers with
too few staff, and the account-manager overview."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import insert, update

from app.models import ContactLog, Customer, CustomerStaff, FollowUp, Staff
from app.services import watch
from app.services.actor import DEFAULT_ACTOR
from app.services.contacts import refresh_last_contact
from app.services.customers import CustomerInput, CustomerService, TransactionInput
from app.services.errors import ValidationError
from app.services.staff import StaffInput, StaffService


def utc(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), timezone.utc)


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
