"""Times the tickets list with its filters, the complaint statistics of a year and the deadline check.

    python bench/bench_complaints.py                  # builds /work/bench-data/complaints-200k.db once
    python bench/bench_complaints.py --runs 7

The database is the demo's 100,000 customers (bench/bench_demo.py's file, or bench_contacts.py's, copied:
the originals stay as they are) with 200,000 complaint tickets over two years from the demo generator
(app/services/demo_complaints.py): most closed, a few thousand left open past their deadline and not yet
escalated. Each figure is the median of `--runs`:

- the tickets page: ComplaintService.list as the page opens (open tickets) and with "All", the overdue,
  a category and severity, and a text filter; and the page's reload (offscreen Qt);
- the statistics of the last 12 months: complaint_stats, and the page opened until its figures are drawn;
- the deadline check: a first run that escalates every late ticket (the escalations are removed again,
  untimed, between runs) and a steady run with nothing new.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import delete, func, select, update
from timing import report  # bench/timing.py, beside this script

from app.db import open_database
from app.models import Complaint, ComplaintCategory, ComplaintEscalation, ComplaintStep, Customer
from app.services.actor import DEFAULT_ACTOR
from app.services.complaint_stats import complaint_stats
from app.services.complaints import ComplaintService, TicketFilter
from app.services.demo_complaints import add_complaints
from app.services.escalation import check_deadlines

DATA = Path("/work/bench-data")
SOURCES = (DATA / "demo-100k.db", DATA / "contacts-100k.db")
TARGET = DATA / "complaints-200k.db"
TICKETS = 200_000
PAGE_TARGET, STATS_TARGET, CHECK_TARGET = "≤ 300 ms", "≤ 1 s", "≤ 1 s"


def build(path: Path) -> None:
    source = next((s for s in SOURCES if s.exists()), None)
    if source is None:
        raise SystemExit(f"none of {', '.join(map(str, SOURCES))}: run bench/bench_demo.py first")
    print(f"copying {source} to {path} …", flush=True)
    shutil.copyfile(source, path)
    db = open_database(f"sqlite:///{path}")  # upgrades the copy to the current schema
    with db.session() as session:
        session.execute(delete(ComplaintEscalation))
        session.execute(delete(ComplaintStep))
        session.execute(delete(Complaint))
        first, last = session.execute(select(func.min(Customer.code), func.max(Customer.code))).one()
    print(f"adding {TICKETS:,} complaint tickets …", flush=True)
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if done % 50_000 == 0 or done == total:
            print(f"  {done:,}  {time.perf_counter() - started:.0f} s", flush=True)

    summary = add_complaints(
        db, DEFAULT_ACTOR, first, last, seed=1, tickets=TICKETS, escalate=False, progress=progress
    )
    print(f"  {summary.open:,} open, {summary.overdue:,} overdue (not escalated yet)", flush=True)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--skip-gui", action="store_true")
    args = parser.parse_args()
    if args.rebuild or not TARGET.exists():
        build(TARGET)
    db = open_database(f"sqlite:///{TARGET}")
    now = datetime.now(timezone.utc)
    service = ComplaintService(db)
    with db.session() as session:
        tickets = session.scalar(select(func.count()).select_from(Complaint))
        customers = session.scalar(select(func.count()).select_from(Customer))
        delivery = session.scalar(select(ComplaintCategory.id).where(ComplaintCategory.key == "delivery"))
    print(f"{customers:,} customers, {tickets:,} complaint tickets; {args.runs} runs each")
    print("tickets list (ComplaintService.list, first 500 and the count):")
    for label, f in (
        ("open tickets (as the page opens)", TicketFilter(open_only=True)),
        ("all tickets", TicketFilter()),
        ("overdue", TicketFilter(overdue_only=True)),
        ("category and severity", TicketFilter(category_id=delivery, severity="high")),
        ("text “包装”", TicketFilter(text="包装")),
    ):
        page = report(label, args.runs, lambda f=f: service.list(DEFAULT_ACTOR, f), PAGE_TARGET)
        print(f"    {page.total:,} match")
    print("statistics:")
    today = date.today()
    stats = report(
        "last 12 months (complaint_stats)",
        args.runs,
        lambda: complaint_stats(db, DEFAULT_ACTOR, today - timedelta(days=365), today),
        STATS_TARGET,
    )
    print(f"    {stats.received:,} received in the period")
    if not args.skip_gui:
        print("the pages:")
        time_pages(db, args.runs)
    print("deadline check:")

    def forget_escalations() -> None:
        with db.session() as session:
            session.execute(delete(ComplaintEscalation))
            session.execute(
                update(Complaint).where(Complaint.escalation_level > 0).values(escalation_level=0)
            )

    escalated = report(
        "first run: every late ticket escalated",
        args.runs,
        lambda: check_deadlines(db, DEFAULT_ACTOR, now=now),
        CHECK_TARGET,
        before=forget_escalations,
    )
    print(f"    {len(escalated):,} escalations of {len({e.ticket_id for e in escalated}):,} tickets")
    steady = report(
        "steady run: nothing new",
        args.runs,
        lambda: check_deadlines(db, DEFAULT_ACTOR, now=now),
        CHECK_TARGET,
    )
    assert steady == [], steady
    forget_escalations()  # the file stays as built: the next run's first check escalates again
    db.dispose()


def time_pages(db, runs: int) -> None:
    """The two pages as a user opens them (offscreen Qt): the tickets list filled, and the statistics
    read in the background and drawn."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from app.views.complaint_stats_page import ComplaintStatsPage
    from app.views.settings import Settings
    from app.views.tickets_page import TicketsPage

    app = QApplication.instance() or QApplication([])
    settings = Settings(str(Path(os.environ.get("TMPDIR", "/tmp")) / "bench-complaints-settings.ini"))
    page = TicketsPage(db, DEFAULT_ACTOR, settings)
    page.resize(1280, 700)
    page.show()
    app.processEvents()
    report(
        "tickets page reload (offscreen Qt)", runs, lambda: (page.reload(), app.processEvents()), PAGE_TARGET
    )
    page.close()

    # The window builds its pages at start; Ctrl+6 shows this one, which then reads and draws its figures.
    stats_page = ComplaintStatsPage(db, DEFAULT_ACTOR, settings)
    stats_page.resize(1400, 860)

    def drawn() -> None:
        while stats_page.task is not None or stats_page.stats is None:
            app.processEvents()
            time.sleep(0.002)
        app.processEvents()  # the charts painted

    started = time.perf_counter()
    stats_page.show()
    drawn()
    first = 1000 * (time.perf_counter() - started)
    print(f"  {'statistics page: first shown until drawn (pyqtgraph set up)':<58} {first:7.1f} ms")

    def shown_again() -> None:
        stats_page.stats = None
        stats_page.reload()
        drawn()

    report("statistics page: figures read again and drawn", runs, shown_again, STATS_TARGET)
    stats_page.close()


if __name__ == "__main__":
    main()
