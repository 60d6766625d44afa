"""Times exporting a large customer list against XlsxWriter alone writing the same cells, in one run.

    python bench/bench_export.py /work/bench-data/demo-100k.db      # built first if missing
    python bench/bench_export.py /tmp/x.db --customers 20000 --runs 3

XlsxWriter alone (constant_memory, as ClientDesk uses it) gets every cell already read and formatted
in memory: what is timed is writing the workbook. ClientDesk's export reads the list from the
database page by page, turns keys into labels, sizes the columns, styles the header, freezes it,
adds the auto-filter and writes dates as Excel dates. Each run is its own process (neither inherits
the other's memory or caches), the two alternate, and the medians are compared. Also printed: CSV
export time, the longest gap between progress reports, and how long Cancel takes to stop an export.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app.services.exports import DEFAULT_CUSTOMER_COLUMNS as DEFAULT_COLUMNS

ALONE = """
import sys, time
import xlsxwriter
from app.db import open_database
from app.services import exports
from app.services.actor import DEFAULT_ACTOR
from app.services.customers import CustomerQuery, CustomerService
db = open_database("sqlite:///" + sys.argv[1])
columns = [exports.CUSTOMER_COLUMNS[k] for k in exports.DEFAULT_CUSTOMER_COLUMNS]
records = CustomerService(db).iter_records(DEFAULT_ACTOR, CustomerQuery())
cells = [[c.of(r) for c in columns] for r in records]
kinds = [c.kind for c in columns]
started = time.perf_counter()
book = xlsxwriter.Workbook(sys.argv[2], {"constant_memory": True})
ws = book.add_worksheet("Customers")
formats = {"date": book.add_format({"num_format": "yyyy-mm-dd"}),
           "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm"})}
ws.write_row(0, 0, [c.label for c in columns])
for r, row in enumerate(cells, start=1):
    for c, value in enumerate(row):
        if value is None or value == "":
            continue
        if kinds[c] == "text":
            ws.write_string(r, c, value)
        else:
            ws.write_datetime(r, c, value, formats[kinds[c]])
book.close()
print(time.perf_counter() - started)
"""

OURS = """
import json, os, sys, threading, time
from app.db import open_database
from app.services import exports
from app.services.actor import DEFAULT_ACTOR
from app.services.customers import CustomerQuery
from app.services.errors import Cancelled
db = open_database("sqlite:///" + sys.argv[1])
cancel_after = float(sys.argv[3])
flag, pressed, gaps, last = threading.Event(), [], [], [time.perf_counter()]
def progress(done, total):
    now = time.perf_counter(); gaps.append(now - last[0]); last[0] = now
def press():
    time.sleep(cancel_after); pressed.append(time.perf_counter()); flag.set()
if cancel_after > 0:
    threading.Thread(target=press, daemon=True).start()
started = time.perf_counter()
try:
    columns = exports.DEFAULT_CUSTOMER_COLUMNS
    exports.export_customers(db, DEFAULT_ACTOR, sys.argv[2], CustomerQuery(), columns, progress, flag.is_set)
    outcome = "finished"
except Cancelled:
    outcome = "cancelled"
ended = time.perf_counter()
gaps.append(ended - last[0])
print(json.dumps({"seconds": ended - started, "max_gap": max(gaps), "outcome": outcome,
                  "stop": ended - pressed[0] if pressed else None, "left": os.path.exists(sys.argv[2])}))
"""


def run(code: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("database", type=Path)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not args.database.exists():
        from app.db import open_database
        from app.services.actor import DEFAULT_ACTOR
        from app.services.demo import generate_demo

        db = open_database(f"sqlite:///{args.database}", create_folder=True)
        started = time.perf_counter()
        generate_demo(db, DEFAULT_ACTOR, args.customers, seed=1)
        db.dispose()
        seconds = time.perf_counter() - started
        print(f"built {args.database} with {args.customers:,} customers in {seconds:.0f} s")
    folder = Path(tempfile.mkdtemp(prefix="clientdesk-export-bench-"))
    database = str(args.database)
    alone, ours, csv_seconds, gaps = [], [], [], []
    for _ in range(args.runs):
        alone.append(float(run(ALONE, database, str(folder / "alone.xlsx"))))
        result = json.loads(run(OURS, database, str(folder / "ours.xlsx"), "0"))
        ours.append(result["seconds"])
        gaps.append(result["max_gap"])
        csv_seconds.append(json.loads(run(OURS, database, str(folder / "ours.csv"), "0"))["seconds"])
    cancel = json.loads(run(OURS, database, str(folder / "cancelled.xlsx"), str(statistics.median(ours) / 2)))
    late = json.loads(run(OURS, database, str(folder / "late.xlsx"), str(statistics.median(ours) * 0.9)))
    a, o = statistics.median(alone), statistics.median(ours)
    print(f"columns:                  {', '.join(DEFAULT_COLUMNS)}")
    runs = ", ".join(f"{x:.2f}" for x in alone)
    print(f"XlsxWriter alone:         {a:.2f} s   (median of {args.runs}; runs {runs})")
    print(f"ClientDesk export .xlsx:  {o:.2f} s   (runs {', '.join(f'{x:.2f}' for x in ours)})")
    print(f"ratio export / alone:     {o / a:.2f}x   (target <= 1.3x)")
    print(f"ClientDesk export .csv:   {statistics.median(csv_seconds):.2f} s")
    print(f"longest progress gap:     {max(gaps):.2f} s   (target <= 0.5 s)")
    for label, outcome in (("cancel half way", cancel), ("cancel while packing", late)):
        print(
            f"{label + ':':<26}{outcome['outcome']}, stopped in {outcome['stop']:.2f} s (target <= 1 s); "
            f"file left: {outcome['left']}"
        )


if __name__ == "__main__":
    main()
