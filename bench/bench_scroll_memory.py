"""Scrolling the customers table from top to bottom: resident memory and time per screenful.

    python bench/bench_scroll_memory.py --db /work/bench-data/demo-1m.db [--steps 400]

Opens the real main window on the database, then moves the table's scroll bar from the first row to
the last in equal steps (as dragging the bar does), painting each time. Prints the peak resident
memory (target ≤ 300 MB with the page open) and how long each step took.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--steps", type=int, default=400)
    args = parser.parse_args()
    if not os.environ.get("DISPLAY"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"

    from PySide6.QtWidgets import QApplication

    from app import i18n
    from app.db import open_database
    from app.services.actor import DEFAULT_ACTOR
    from app.views.main_window import MainWindow
    from app.views.settings import Settings

    app = QApplication(sys.argv[:1])
    i18n.set_language("zh_CN")
    db = open_database(f"sqlite:///{args.db}")
    with tempfile.TemporaryDirectory() as tmp:
        window = MainWindow(db, DEFAULT_ACTOR, Settings(f"{tmp}/s.ini"))
        window.resize(1400, 860)
        window.show()
        app.processEvents()
        table = window.customers_page.table
        model = window.customers_page.model
        model.wait_for_count()
        bar = table.verticalScrollBar()
        print(f"rows: {model.rowCount():,}; memory with the page open: {rss_mb():.0f} MB", flush=True)
        peak = rss_mb()
        durations = []
        for step in range(args.steps + 1):
            started = time.perf_counter()
            bar.setValue(round(bar.maximum() * step / args.steps))
            table.viewport().repaint()
            app.processEvents()
            durations.append(time.perf_counter() - started)
            peak = max(peak, rss_mb())
        last_row = table.rowAt(table.viewport().height() - 1)
        print(
            f"scrolled to row {last_row + 1 if last_row >= 0 else model.rowCount():,} "
            f"of {model.rowCount():,}; "
            f"rows held in memory: {model.cached_rows():,}"
        )
        print(
            f"per step: median {statistics.median(durations) * 1000:.0f} ms, "
            f"p95 {sorted(durations)[int(len(durations) * 0.95) - 1] * 1000:.0f} ms, "
            f"max {max(durations) * 1000:.0f} ms"
        )
        print(f"peak resident memory: {peak:.0f} MB (target ≤ 300 MB)")
        window.close()
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
