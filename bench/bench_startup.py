"""Cold start: seconds from launching `python main.py` to the main window's first paint.

    python bench/bench_startup.py --db /work/bench-data/demo-1m.db [--runs 5]

Each run is a new process (with a fresh settings file), as a user double-clicking the app gets it.
Uses the X display when DISPLAY is set (Xvfb), else Qt's offscreen platform.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Runs inside the measured process: start the real app, report the first paint of the main window.
CHILD = r"""
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
from app import bootstrap

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and obj.objectName() == "MainWindow":
            print(f"PAINTED {time.time():.6f}", flush=True)
            QTimer.singleShot(0, QApplication.instance().quit)
            QApplication.instance().removeEventFilter(self)
        return False

original = bootstrap.Application.show_main_window
def show_main_window(self):
    self.qt_app.installEventFilter(self._first_paint_filter)
    return original(self)
bootstrap.Application.show_main_window = show_main_window
bootstrap.Application._first_paint_filter = FirstPaint()
sys.exit(bootstrap.main(sys.argv[1:]))
"""


def run_once(db: str, settings: str) -> float:
    env = dict(os.environ)
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    started = time.time()
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            CHILD,
            "--db",
            f"sqlite:///{db}",
            "--lang",
            "zh_CN",
            "--settings",
            settings,
            "--no-demo-offer",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    for line in out.stdout.splitlines():
        if line.startswith("PAINTED "):
            return float(line.split()[1]) - started
    raise RuntimeError(f"the window never painted:\n{out.stdout}\n{out.stderr}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="path of a demo SQLite database")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs):
            times.append(run_once(args.db, f"{tmp}/settings-{i}.ini"))
            print(f"run {i + 1}: {times[-1]:.2f} s", flush=True)
    print(
        f"cold start to painted main window: median {statistics.median(times):.2f} s, "
        f"max {max(times):.2f} s over {len(times)} runs (target ≤ 2 s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
