"""Times importing a large customer sheet against python-calamine parsing the same file, in one run.

    python bench/bench_import.py                      # 100,000 rows × 15 columns
    python bench/bench_import.py --rows 20000 --keep /tmp/import-bench

The sheet is written first (realistic Chinese customer rows with phones, credit codes, dates and money
in the forms offices type them). Then, each in a fresh process so neither warms the other's caches:
  1. python-calamine alone: open the workbook and turn every row into Python values;
  2. ClientDesk's whole import into a new SQLite database: read, normalise, validate, look for
     duplicates, write customers, contact persons, search index, history and the batch in one transaction.
Also printed: the longest gap between two progress reports, how long Cancel takes to stop an import
and whether the database is unchanged after it, and each process's peak memory.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from app.services.validation import USCC_ALPHABET, uscc_check_character

COLUMNS = [
    "客户编号",
    "客户名称",
    "简称",
    "客户类别",
    "客户等级",
    "所属行业",
    "省份",
    "城市",
    "地址",
    "联系电话",
    "邮箱",
    "统一社会信用代码",
    "成立日期",
    "年营业额(万元)",
    "联系人",
]
CITIES = [
    ("广东", "深圳", "0755"),
    ("北京", "北京", "010"),
    ("上海", "上海", "021"),
    ("浙江", "杭州", "0571"),
    ("江苏", "南京", "025"),
    ("四川", "成都", "028"),
]
WORDS = "华信鹏达宏远恒通盛世金桥东方天成永安瑞丰新科百川汇源"
TRADES = ["科技", "贸易", "物流", "电子", "机械", "食品", "建材", "医药"]
SURNAMES = "王李张刘陈杨黄赵吴周"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超"


def write_sheet(path: Path, rows: int, seed: int = 7) -> None:
    import xlsxwriter

    rnd = random.Random(seed)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("客户表")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, COLUMNS)
    for i in range(1, rows + 1):
        province, city, area = rnd.choice(CITIES)
        name = f"{city}{rnd.choice(WORDS)}{rnd.choice(WORDS)}{rnd.choice(TRADES)}有限公司{i}"
        first17 = (
            "9144"
            + "".join(rnd.choice("0123456789") for _ in range(4))
            + "".join(rnd.choice(USCC_ALPHABET) for _ in range(9))
        )
        phone = (
            f"1{rnd.choice('3589')}{rnd.randrange(10**9):09d}"
            if i % 2
            else f"{area}-{rnd.randrange(10**7, 10**8)}"
        )
        values = [
            f"K{i:07d}",
            name,
            name[2:6],
            rnd.choice(["重点客户", "一般客户", "潜在客户", "目标客户"]),
            rnd.choice(["VIP", "重要", "普通", "潜在"]),
            rnd.choice(TRADES),
            province,
            city,
            f"{city}市{rnd.choice(WORDS)}路{rnd.randrange(1, 999)}号",
            None,
            f"info{i}@example.com",
            first17 + uscc_check_character(first17),
            None,
            rnd.randrange(10, 50000),
            rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN),
        ]
        for column, value in enumerate(values):
            if column == 9:
                # Mobiles come in as numbers, landlines as text: the way Excel keeps them.
                if i % 2:
                    sheet.write_number(i, column, int(phone))
                else:
                    sheet.write_string(i, column, phone)
            elif column == 12:
                sheet.write_datetime(i, column, date(1990, 1, 1) + timedelta(days=rnd.randrange(12000)), day)
            elif isinstance(value, int):
                sheet.write_number(i, column, value)
            else:
                sheet.write_string(i, column, value)
    book.close()


CALAMINE = """
import resource, sys, time
from python_calamine import CalamineWorkbook
start = time.perf_counter()
book = CalamineWorkbook.from_path(sys.argv[1])
rows = 0
for row in book.get_sheet_by_index(0).iter_rows():
    rows += 1
seconds = time.perf_counter() - start
print(seconds, rows, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""

IMPORT = """
import json, resource, sys, time
from app.db import open_database
from app.services.actor import DEFAULT_ACTOR
from app.services.imports import ImportOptions, ImportService
db = open_database("sqlite:///" + sys.argv[2], create_folder=True)
gaps, last = [], [time.perf_counter()]
def progress(done, total):
    now = time.perf_counter(); gaps.append(now - last[0]); last[0] = now
start = time.perf_counter()
summary = ImportService(db).import_file(DEFAULT_ACTOR, sys.argv[1], ImportOptions(), progress)
seconds = time.perf_counter() - start
gaps.append(time.perf_counter() - last[0])
print(json.dumps({"seconds": seconds, "created": summary.created, "max_gap": max(gaps),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
"""

CANCEL = """
import json, sys, threading, time
from sqlalchemy import func, select
from app.db import open_database
from app.models import Customer
from app.services.actor import DEFAULT_ACTOR
from app.services.errors import Cancelled
from app.services.imports import ImportOptions, ImportService
db = open_database("sqlite:///" + sys.argv[2], create_folder=True)
flag = threading.Event()
pressed = []
def press():
    time.sleep(float(sys.argv[3])); pressed.append(time.perf_counter()); flag.set()
threading.Thread(target=press, daemon=True).start()
try:
    ImportService(db).import_file(DEFAULT_ACTOR, sys.argv[1], ImportOptions(), None, flag.is_set)
    outcome = "finished before cancel"
except Cancelled:
    outcome = "cancelled"
stopped = time.perf_counter()
with db.session() as s:
    left = s.scalar(select(func.count()).select_from(Customer))
print(json.dumps({"outcome": outcome, "stop_seconds": stopped - pressed[0] if pressed else None,
                  "customers_after": left}))
"""


def run(code: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="folder to keep the sheet and databases in")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="clientdesk-import-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    sheet = folder / f"customers-{args.rows}.xlsx"
    if not sheet.exists():
        started = time.perf_counter()
        write_sheet(sheet, args.rows)
        print(f"wrote {sheet} ({sheet.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s")
    calamine_seconds, rows, calamine_mb = run(CALAMINE, str(sheet)).split()
    calamine_seconds = float(calamine_seconds)
    for stale in folder.glob("import*.db*"):
        stale.unlink()
    result = json.loads(run(IMPORT, str(sheet), str(folder / "import.db")))
    cancel_at = max(0.5, result["seconds"] / 2)
    cancel = json.loads(run(CANCEL, str(sheet), str(folder / "import-cancel.db"), str(cancel_at)))
    print(f"rows x columns:            {int(rows) - 1:,} x {len(COLUMNS)}")
    print(f"python-calamine parse:     {calamine_seconds:.2f} s   (peak {calamine_mb} MB)")
    print(
        f"ClientDesk import:         {result['seconds']:.2f} s   (peak {result['rss_mb']} MB), "
        f"{result['created']:,} customers created"
    )
    print(f"ratio import / calamine:   {result['seconds'] / calamine_seconds:.2f}x   (target <= 2x)")
    print(f"longest progress gap:      {result['max_gap']:.2f} s   (target <= 0.5 s)")
    print(
        f"cancel pressed at {cancel_at:.1f} s:    {cancel['outcome']}, stopped in "
        f"{cancel['stop_seconds']:.2f} s (target <= 1 s); customers after: {cancel['customers_after']}"
    )


if __name__ == "__main__":
    main()
