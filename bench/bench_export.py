"""Times exporting a large customer list against XlsxWriter alone writing the same cells, in one run.

    python bench/bench_export.py /work/bench-data/demo-100k.db      # built first if missing
    python bench/bench_export.py /tmp/x.db --customers 20000 --runs 3

XlsxWriter alone (constant_memory, as ClientDesk uses it) gets every cell already read and formatted
in memory: what is left to it is writing the workbook. ClientDesk's export reads the list from the
database page by page, turns keys into labels, sizes the columns, styles the header, freezes it,
adds the auto-filter and writes dates as Excel dates. Each is run --runs times alternately; the
medians are compared. Also printed: CSV export time, the longest gap between progress reports, and
how long Cancel takes to stop an export.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

from app.db import open_database
from app.services import exports
from app.services.actor import DEFAULT_ACTOR
from app.services.customers import CustomerQuery
from app.services.demo import generate_demo
from app.services.errors import Cancelled


def xlsxwriter_alone(path: Path, header: list[str], kinds: list[str], cells: list[list]) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet("Customers")
    formats = {
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
    }
    ws.write_row(0, 0, header)
    for r, row in enumerate(cells, start=1):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if kinds[c] == "text":
                ws.write_string(r, c, value)
            else:
                ws.write_datetime(r, c, value, formats[kinds[c]])
    book.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("database", type=Path)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not args.database.exists():
        db = open_database(f"sqlite:///{args.database}", create_folder=True)
        started = time.perf_counter()
        generate_demo(db, DEFAULT_ACTOR, args.customers, seed=1)
        print(
            f"built {args.database} with {args.customers:,} customers "
            f"in {time.perf_counter() - started:.0f} s"
        )
    else:
        db = open_database(f"sqlite:///{args.database}")
    query = CustomerQuery()
    keys = list(exports.DEFAULT_CUSTOMER_COLUMNS)
    columns = [exports.CUSTOMER_COLUMNS[k] for k in keys]
    from app.services.customers import CustomerService

    rows = list(CustomerService(db).iter_rows(DEFAULT_ACTOR, query))
    cells = [[c.of(r) for c in columns] for r in rows]
    header = [c.label for c in columns]
    kinds = [c.kind for c in columns]
    folder = Path(tempfile.mkdtemp(prefix="clientdesk-export-bench-"))
    alone, ours, ours_csv, gaps = [], [], [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        xlsxwriter_alone(folder / "alone.xlsx", header, kinds, cells)
        alone.append(time.perf_counter() - started)
        last = [time.perf_counter()]

        def progress(done: int, total: int, last=last) -> None:
            now = time.perf_counter()
            gaps.append(now - last[0])
            last[0] = now

        started = time.perf_counter()
        exports.export_customers(db, DEFAULT_ACTOR, folder / "ours.xlsx", query, keys, progress)
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        exports.export_customers(db, DEFAULT_ACTOR, folder / "ours.csv", query, keys)
        ours_csv.append(time.perf_counter() - started)
    flag = threading.Event()
    pressed: list[float] = []

    def press() -> None:
        time.sleep(statistics.median(ours) / 2)
        pressed.append(time.perf_counter())
        flag.set()

    threading.Thread(target=press, daemon=True).start()
    try:
        exports.export_customers(db, DEFAULT_ACTOR, folder / "cancelled.xlsx", query, keys, None, flag.is_set)
        outcome, stop = "finished before cancel", float("nan")
    except Cancelled:
        outcome, stop = "cancelled", time.perf_counter() - pressed[0]
    left = (folder / "cancelled.xlsx").exists()
    a, o = statistics.median(alone), statistics.median(ours)
    print(f"rows x columns:           {len(rows):,} x {len(columns)}")
    print(f"XlsxWriter alone:         {a:.2f} s   (median of {args.runs})")
    print(f"ClientDesk export .xlsx:  {o:.2f} s")
    print(f"ratio export / alone:     {o / a:.2f}x   (target <= 1.3x)")
    print(f"ClientDesk export .csv:   {statistics.median(ours_csv):.2f} s")
    print(f"longest progress gap:     {max(gaps):.2f} s   (target <= 0.5 s)")
    print(f"cancel:                   {outcome}, stopped in {stop:.2f} s (target <= 1 s); file left: {left}")


if __name__ == "__main__":
    main()
