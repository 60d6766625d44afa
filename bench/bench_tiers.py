"""Times tier evaluation (100,000 customers, 1,000,000 transactions) and the PDF report of 10,000 customers.

    python bench/bench_tiers.py                      # builds /work/bench-data/tiers-100k.db and tiers-10k.db
    python bench/bench_tiers.py --runs 5 --skip-pdf

The evaluation database is the demo's 100,000 customers with transactions added until there are
1,000,000 (deterministic, by seed), spread over the last three years. Each preset rule set is
evaluated `--runs` times: the whole of TierService.evaluate, from reading the rule set to the stored
proposals. The report database is 10,000 demo customers, evaluated and applied; what is timed is
gathering the report and writing the PDF, as `clientdesk report tiers --pdf` does, in a new process.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import delete, func, insert, select, update

from app.db import open_database
from app.models import Customer, TierEvaluation, TierHistory, TierProposal, Transaction
from app.services.actor import DEFAULT_ACTOR
from app.services.demo import generate_demo
from app.services.tiers import TierService

DATA = Path("/work/bench-data")
AS_OF = date(2026, 11, 23)
CHUNK = 20_000


def build(path: Path, customers: int, transactions: int) -> None:
    db = open_database(f"sqlite:///{path}", create_folder=True)
    with db.session() as session:
        have = session.scalar(select(func.count()).select_from(Customer))
    if not have:
        print(f"generating {customers:,} demo customers in {path} …", flush=True)
        generate_demo(db, DEFAULT_ACTOR, customers, seed=1)
    with db.session() as session:
        ids = session.scalars(select(Customer.id).order_by(Customer.code)).all()
        count = session.scalar(select(func.count()).select_from(Transaction))
    rng = random.Random(7)
    missing = transactions - count
    if missing > 0:
        print(f"adding {missing:,} transactions …", flush=True)
    while missing > 0:
        rows = []
        for _ in range(min(CHUNK, missing)):
            amount = rng.randrange(100_00, 500_000_00) / 100
            rows.append(
                {
                    "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                    "customer_id": ids[int(rng.paretovariate(1.2) * 7) % len(ids)],
                    "occurred_on": AS_OF - timedelta(days=rng.randrange(0, 3 * 365)),
                    "amount": amount,
                    "profit": round(amount * rng.uniform(0.05, 0.3), 2),
                    "product": "",
                    "contract_no": "",
                    "payment_method": "",
                    "notes": "",
                }
            )
        with db.session() as session:
            session.execute(insert(Transaction), rows)
        missing -= len(rows)
    db.dispose()


def time_evaluations(path: Path, runs: int) -> None:
    db = open_database(f"sqlite:///{path}")
    service = TierService(db)
    # The same start every time: no evaluations kept from earlier runs (each stores 100,000 proposals).
    with db.session() as session:
        session.execute(delete(TierHistory))
        session.execute(delete(TierProposal))
        session.execute(delete(TierEvaluation))
        session.execute(update(Customer).values(tier=""))
    with db.session() as session:
        customers = session.scalar(select(func.count()).select_from(Customer))
        transactions = session.scalar(select(func.count()).select_from(Transaction))
    print(f"evaluation: {customers:,} customers, {transactions:,} transactions, as of {AS_OF}")
    for rule_set in service.rule_sets(DEFAULT_ACTOR):
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            info = service.evaluate(DEFAULT_ACTOR, rule_set.id, AS_OF)
            times.append(time.perf_counter() - started)
            service.discard(DEFAULT_ACTOR, info.id)
        print(
            f"  {rule_set.name:<16} median {statistics.median(times):6.2f} s  max {max(times):6.2f} s  "
            f"({info.customers:,} evaluated, {info.changes:,} changes)"
        )
    info = service.evaluate(DEFAULT_ACTOR, None, AS_OF)
    started = time.perf_counter()
    result = service.apply(DEFAULT_ACTOR, info.id)
    print(
        f"  approve all (every customer's first tier): {time.perf_counter() - started:.2f} s "
        f"({result.applied:,})"
    )
    db.dispose()


def time_pdf(path: Path, runs: int) -> None:
    db = open_database(f"sqlite:///{path}", create_folder=True)
    service = TierService(db)
    with db.session() as session:
        have = session.scalar(select(func.count()).select_from(Customer))
    if not have:
        print(f"generating 10,000 demo customers in {path} …", flush=True)
        generate_demo(db, DEFAULT_ACTOR, 10_000, seed=2)
    if not service.evaluations(DEFAULT_ACTOR, limit=1):
        service.apply(DEFAULT_ACTOR, service.evaluate(DEFAULT_ACTOR, None, AS_OF).id)
    db.dispose()
    times = []
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "tiers.pdf"
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "app.cli", "report", "tiers", "--db", str(path), "--pdf", str(target)],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            times.append(time.perf_counter() - started)
        size = target.stat().st_size
    print(
        f"PDF tier report, 10,000 customers (a new process each, start-up included): "
        f"median {statistics.median(times):.2f} s, max {max(times):.2f} s, {size / 1e6:.1f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DATA / "tiers-100k.db")
    parser.add_argument("--report-db", type=Path, default=DATA / "tiers-10k.db")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--transactions", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-pdf", action="store_true")
    args = parser.parse_args()
    build(args.db, args.customers, args.transactions)
    time_evaluations(args.db, args.runs)
    if not args.skip_pdf:
        time_pdf(args.report_db, args.runs)


if __name__ == "__main__":
    main()
