"""Times customer search the way the customer list runs it, on a large demo database.

    python bench/bench_search.py /work/bench-data/demo-1m.db            # built first if missing
    python bench/bench_search.py /tmp/small.db --customers 100000 --runs 9

Each of a fixed set of 20 queries is measured, after one warm-up pass over all of them, as the
list shows it: the first page of results (CustomerService.list, offset 0, 100 rows), which is what
the user waits for, and the exact count (CustomerService.count), which the list makes in the
background and puts in the status bar when it is in.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from app.db import open_database
from app.services.actor import DEFAULT_ACTOR
from app.services.customers import CustomerQuery, CustomerService
from app.services.demo import generate_demo

PAGE = 100
# What people type into the search box; every one of them finds customers in a demo database.
QUERIES = [
    ("华信", "Chinese, 2 characters (a trade name)"),
    ("科技", "Chinese, 2 characters, very common"),
    ("深圳", "Chinese, 2 characters (a city)"),
    ("张伟", "Chinese, 2 characters (a contact person)"),
    ("鹏达", "Chinese, 2 characters"),
    ("北京华信", "Chinese, 4 characters"),
    ("物流有限", "Chinese, 4 characters, common"),
    ("电子股份", "Chinese, 4 characters"),
    ("bjhx", "pinyin initials (北京华信)"),
    ("szpd", "pinyin initials (深圳鹏达)"),
    ("shhx", "pinyin initials (上海华信)"),
    ("huaxin", "full pinyin"),
    ("shenzhen", "full pinyin, very common"),
    ("pengda", "full pinyin"),
    ("6552", "phone, 4 digits"),
    ("0755263", "phone, 7 digits"),
    ("13812", "mobile, 5 digits"),
    ("C000123", "customer code"),
    ("C04567", "customer code fragment"),
    ("91440305", "credit code prefix (Shenzhen Nanshan)"),
]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="SQLite demo database (built with --customers if missing)")
    parser.add_argument("--customers", type=int, default=1_000_000, help="size of a database built here")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5, help="measured runs per query (after one warm-up)")
    args = parser.parse_args(argv)

    path = args.path.resolve()
    db = open_database(f"sqlite:///{path}", create_folder=True)
    service = CustomerService(db)
    if service.is_empty(DEFAULT_ACTOR):
        print(f"building {args.customers:,} demo customers in {path} …", file=sys.stderr, flush=True)
        summary = generate_demo(db, DEFAULT_ACTOR, args.customers, seed=args.seed)
        print(f"built in {summary.seconds:.1f} s", file=sys.stderr)
    total = service.count(DEFAULT_ACTOR, CustomerQuery())

    def measure(text: str) -> tuple[float, float, int, int]:
        query = CustomerQuery(text=text)
        t0 = time.perf_counter()
        found = service.count(DEFAULT_ACTOR, query)
        t1 = time.perf_counter()
        rows = service.list(DEFAULT_ACTOR, query, offset=0, limit=PAGE)
        t2 = time.perf_counter()
        return (t1 - t0) * 1000, (t2 - t1) * 1000, found, len(rows)

    for text, _what in QUERIES:  # warm-up: caches, prepared statements, pages in memory
        measure(text)
    print(f"database {path}: {total:,} customers; {args.runs} runs per query after one warm-up")
    print(f"{'query':<10} {'found':>9} {'first page ms':>14} {'count ms':>9}  what")
    pages: list[float] = []
    counts: list[float] = []
    for text, what in QUERIES:
        runs = [measure(text) for _ in range(args.runs)]
        pages.extend(r[1] for r in runs)
        counts.extend(r[0] for r in runs)
        found = runs[0][2]
        print(
            f"{text:<10} {found:>9,} {statistics.median(r[1] for r in runs):>14.1f} "
            f"{statistics.median(r[0] for r in runs):>9.1f}  {what}"
        )
    for label, values in (
        (f"first page of results, all {len(pages)} runs (target p95 ≤ 50 ms)", pages),
        (f"exact count in the background, all {len(counts)} runs", counts),
    ):
        print(
            f"{label}: p50 {percentile(values, 0.5):.1f} ms, p95 {percentile(values, 0.95):.1f} ms, "
            f"max {max(values):.1f} ms"
        )
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
