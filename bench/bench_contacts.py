"""Times My day, the service watch, a 2,000-entry timeline and a 5,000-customer handover.

    python bench/bench_contacts.py                  # builds /work/bench-data/contacts-100k.db once
    python bench/bench_contacts.py --runs 7

The database is the demo's 100,000 customers (bench/bench_demo.py's file, copied) with 2,000,000 contact
logs over the last two years (deterministic, by seed) logged by each customer's account manager, an
open follow-up for one customer in five (due within two months either side of today), and one customer
with 2,000 contact logs. Each figure is the median of `--runs`:

- My day: one sales person's due lists and care reminders (the services), and the page's reload
  (services and tables, offscreen Qt);
- service watch: the lapsed customers (count and the first page of 500) and the key customers short of
  staff, and the page's reload;
- the timeline of the customer with 2,000 contact logs: the service and the Timeline tab filled;
- handover: 5,000 customers of one account manager to three others, by count, in one transaction
  (moved back, untimed, between runs).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import delete, func, insert, select, text
from timing import report  # bench/timing.py, beside this script

from app.db import open_database
from app.models import ContactLog, Customer, FollowUp, Staff
from app.services import handover, watch
from app.services.actor import DEFAULT_ACTOR, Actor
from app.services.care import CareService
from app.services.contacts import ContactService
from app.services.followups import FollowUpService

DATA = Path("/work/bench-data")
SOURCE = DATA / "demo-100k.db"
TARGET = DATA / "contacts-100k.db"
LOGS = 2_000_000
TIMELINE_LOGS = 2_000
CHUNK = 50_000
TODAY = date.today()


def build(path: Path) -> None:
    if not SOURCE.exists():
        raise SystemExit(f"{SOURCE} is missing: run bench/bench_demo.py first (it builds 100,000 customers)")
    shutil.copyfile(SOURCE, path)
    db = open_database(f"sqlite:///{path}")  # upgrades the copy to the current schema
    rng = random.Random(11)
    with db.session() as session:
        customers = session.execute(select(Customer.id, Customer.manager_id).order_by(Customer.code)).all()
    now = datetime.now(timezone.utc)
    timeline_customer = customers[0].id
    print(f"adding {LOGS:,} contact logs to {path} …", flush=True)
    written = 0
    while written < LOGS:
        rows = []
        for _ in range(min(CHUNK, LOGS - written)):
            if written + len(rows) < TIMELINE_LOGS:
                customer_id, manager_id = customers[0]
            else:
                customer_id, manager_id = customers[int(rng.paretovariate(1.1) * 11) % len(customers)]
            at = now - timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
            rows.append(
                {
                    "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                    "customer_id": customer_id,
                    "kind": rng.choice(("phone", "visit", "wechat", "email")),
                    "occurred_at": at,
                    "staff_id": manager_id,
                    "subject": "回访",
                    "summary": "了解近期采购计划",
                    "outcome": "",
                    "next_step": "",
                    "created_by_id": manager_id,
                    "updated_by_id": manager_id,
                    "created_at": at,
                    "updated_at": at,
                    "version": 1,
                }
            )
        with db.session() as session:
            session.execute(insert(ContactLog), rows)
        written += len(rows)
        print(f"  {written:,}", flush=True)
    print("follow-ups and each customer's last contact …", flush=True)
    follow_ups = [
        {
            "id": uuid.UUID(int=rng.getrandbits(128), version=4),
            "customer_id": c.id,
            "owner_id": c.manager_id,
            "due_on": TODAY + timedelta(days=rng.randrange(-60, 60)),
            "purpose": "定期回访",
            "origin": "cadence",
            "status": "open",
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        for c in customers[::5]
    ]
    with db.session() as session:
        session.execute(insert(FollowUp), follow_ups)
        session.execute(
            text(
                "UPDATE customer SET last_contact_at = (SELECT max(l.occurred_at) FROM contact_log l "
                "WHERE l.customer_id = customer.id AND l.deleted_at IS NULL)"
            )
        )
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    db.dispose()
    print(f"timeline customer: {timeline_customer}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--skip-gui", action="store_true")
    args = parser.parse_args()
    if args.rebuild or not TARGET.exists():
        build(TARGET)
    db = open_database(f"sqlite:///{TARGET}")
    with db.session() as session:
        logs = session.scalar(select(func.count()).select_from(ContactLog))
        customers = session.scalar(select(func.count()).select_from(Customer))
        busiest = session.execute(
            select(Staff.id, Staff.name, Staff.role, func.count(Customer.id).label("n"))
            .join(Customer, Customer.manager_id == Staff.id)
            .where(Customer.deleted_at.is_(None))
            .group_by(Staff.id)
            .order_by(func.count(Customer.id).desc())
        ).all()
        # The first customer by code: the build gives it exactly 2,000 logs (the others get indexes ≥ 11).
        timeline_customer = session.scalar(select(Customer.id).order_by(Customer.code).limit(1))
    print(f"{customers:,} customers, {logs:,} contact logs; {args.runs} runs each")
    seller = busiest[0]
    me = Actor(staff_id=seller.id, name=seller.name, role=seller.role)
    print(f"My day of {seller.name} ({seller.n:,} customers):")
    follow_ups, care = FollowUpService(db), CareService(db)
    lists = report(
        "due lists + care reminders (services)",
        args.runs,
        lambda: (follow_ups.due(me, me.staff_id, TODAY), care.reminders(me, me.staff_id, TODAY)),
        "≤ 200 ms",
    )
    due, reminders = lists
    print(f"    {len(due.overdue)} overdue, {len(due.today)} today, {len(due.this_week)} this week, "
          f"{len(reminders)} reminders")  # fmt: skip
    report(
        "everyone's due lists + care reminders (a manager's view)",
        args.runs,
        lambda: (follow_ups.due(DEFAULT_ACTOR, None, TODAY), care.reminders(DEFAULT_ACTOR, None, TODAY)),
    )
    print("service watch:")
    total, _page = report(
        "lapsed customers: count + first 500 (90 days)",
        args.runs,
        lambda: watch.lapsed(db, DEFAULT_ACTOR, TODAY, limit=500),
        "≤ 200 ms",
    )
    print(f"    {total:,} lapsed")
    short = report(
        "key customers with fewer than two staff", args.runs, lambda: watch.understaffed(db, DEFAULT_ACTOR)
    )
    print(f"    {len(short):,} short of staff")
    report("account-manager overview", args.runs, lambda: watch.overview(db, DEFAULT_ACTOR, TODAY))
    print("timeline:")
    entries = report(
        "timeline of the customer with 2,000 contact logs (service)",
        args.runs,
        lambda: ContactService(db).timeline(DEFAULT_ACTOR, timeline_customer),
        "≤ 200 ms",
    )
    print(f"    {len(entries):,} entries")
    if not args.skip_gui:
        time_pages(db, me, timeline_customer, args.runs)
    time_handover(db, busiest, args.runs)
    db.dispose()


def time_pages(db, me: Actor, timeline_customer, runs: int) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from app.views.my_day_page import MyDayPage
    from app.views.settings import Settings
    from app.views.timeline_tab import TimelineTab
    from app.views.watch_page import WatchPage

    app = QApplication.instance() or QApplication([])
    settings = Settings(str(Path(os.environ.get("TMPDIR", "/tmp")) / "bench-contacts-settings.ini"))
    print("pages (offscreen Qt):")
    my_day = MyDayPage(db, me, settings)
    my_day.resize(1280, 700)
    my_day.show()
    report("My day page reload", runs, lambda: (my_day.reload(), app.processEvents()), "≤ 200 ms")
    watch_page = WatchPage(db, DEFAULT_ACTOR, settings)
    watch_page.resize(1280, 700)
    watch_page.show()
    report("service watch page reload", runs, lambda: (watch_page.reload(), app.processEvents()), "≤ 200 ms")
    tab = TimelineTab()
    tab.resize(1000, 600)
    tab.show()
    service = ContactService(db)
    report(
        "Timeline tab: read and shown",
        runs,
        lambda: (tab.show_entries(service.timeline(DEFAULT_ACTOR, timeline_customer)), app.processEvents()),
        "≤ 200 ms",
    )
    for widget in (my_day, watch_page, tab):
        widget.close()


def time_handover(db, busiest, runs: int) -> None:
    leaver, recipients = busiest[0], [row.id for row in busiest[1:4]]
    print(f"handover of 5,000 of {leaver.name}'s customers to {', '.join(r.name for r in busiest[1:4])}:")
    times = []
    for _ in range(runs):
        situation = handover.situation(db, DEFAULT_ACTOR, leaver.id)
        moving = situation.customers[:5000]
        assignment = handover.split(moving, recipients, "count")
        start = time.perf_counter()
        result = handover.execute(db, DEFAULT_ACTOR, leaver.id, assignment)
        times.append(time.perf_counter() - start)
        assert result.moved == len(moving), result
        for recipient in recipients:  # back again, untimed
            back = {c: leaver.id for c, r in assignment.items() if r == recipient}
            handover.execute(db, DEFAULT_ACTOR, recipient, back)
        # Without the "introduce the new account manager" follow-ups both ways wrote, so the next run
        # of My day measures the same day.
        with db.session() as session:
            session.execute(delete(FollowUp).where(FollowUp.origin == "handover"))
    print(
        f"  {'5,000 customers, one transaction':<58} median {statistics.median(times):7.2f} s   "
        f"max {max(times):7.2f} s   (target ≤ 3 s)"
    )


if __name__ == "__main__":
    main()
