"""Times demo-data generation into a fresh SQLite database (default: a million customers); prints figures.

    python bench/bench_demo.py                       # 1,000,000 customers into a temporary folder
    python bench/bench_demo.py --customers 100000 --path /tmp/demo.db
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from app.db import open_database
from app.services.actor import DEFAULT_ACTOR
from app.services.demo import CHUNK_SIZE, generate_demo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE)
    parser.add_argument("--path", type=Path, help="database to create and keep (default: a temporary file)")
    args = parser.parse_args(argv)

    folder = None
    if args.path is None:
        folder = Path(tempfile.mkdtemp(prefix="clientdesk-bench-"))
        path = folder / "demo.db"
    else:
        path = args.path.resolve()
        if path.exists():
            parser.error(f"{path} exists: the benchmark needs a fresh database")
    try:
        started = time.perf_counter()
        db = open_database(f"sqlite:///{path}", create_folder=True)
        migrated = time.perf_counter() - started
        step = max(args.customers // 10, 1)
        next_mark = [step]

        def progress(done: int, total: int) -> None:
            if done >= next_mark[0] or (done == total and total):
                elapsed = time.perf_counter() - started
                print(f"  {done:>10,} customers  {elapsed:7.1f} s  ({done / elapsed:,.0f}/s)",
                      file=sys.stderr, flush=True)
                while next_mark[0] <= done:
                    next_mark[0] += step

        summary = generate_demo(db, DEFAULT_ACTOR, args.customers, seed=args.seed, progress=progress,
                                chunk_size=args.chunk_size)
        total = time.perf_counter() - started
        db.dispose()
        size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
        with sqlite3.connect(path) as conn:
            search_rows = conn.execute("SELECT count(*) FROM customer_search").fetchone()[0]
        print(f"database      {path}" + ("  (removed afterwards)" if folder else ""))
        print(f"customers     {summary.customers:,}  ({summary.first_code} … {summary.last_code})")
        print(f"contacts      {summary.contacts:,}")
        print(f"transactions  {summary.transactions:,}")
        print(f"search rows   {search_rows:,}")
        print(f"open+migrate  {migrated:.2f} s")
        rate = summary.customers / summary.seconds
        print(f"generate      {summary.seconds:.1f} s  ({rate:,.0f} customers/s)")
        print(f"total         {total:.1f} s")
        print(f"file size     {size / 2**20:,.0f} MiB")
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
