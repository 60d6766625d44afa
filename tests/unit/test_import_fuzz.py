"""A few hundred damaged source files, made deterministically from good ones: truncated, bytes flipped or
overwritten, junk inserted, zero-filled, extensions swapped, workbook parts damaged, dropped or doubled.
Each import must either give a summary or a ServiceError whose message names the file: never another
exception, and never a database left changed by an import that did not write (or not undone by Undo)."""

from __future__ import annotations

import io
import random
import re
import warnings
import zipfile
from collections.abc import Callable
from datetime import datetime

import xlsxwriter
from sqlalchemy import func, select

from app.models import ContactLog, ContactPerson, Customer, ImportBatch, Transaction
from app.services.actor import DEFAULT_ACTOR
from app.services.customers import CustomerInput, CustomerQuery, CustomerService
from app.services.errors import ServiceError
from app.services.imports import ImportOptions, ImportService

SEED = 20190305
MUTATIONS_PER_SOURCE = 75
LINKED = ("北京华信科技有限公司", "上海浦江机械制造有限公司", "深圳南山电子有限公司")


# ---------------------------------------------------------------- good sources


def customers_xlsx() -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("客户分层")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.merge_range("A1:K1", "2019年客户分层表")
    sheet.merge_range("A3:E3", "基本信息")
    sheet.merge_range("F3:H3", "分层标准")
    sheet.merge_range("I3:I4", "客户层级")
    sheet.write_row(
        3,
        0,
        ["序号", "客户名称", "统一社会信用代码", "联系人", "联系电话", "年营业额(万元)", "成立日期", "邮箱"],
    )
    sheet.write_string(3, 9, "企业性质")
    sheet.write_string(3, 10, "员工人数")
    tiers = ("VIP客户", "重要客户", "普通客户", "潜在客户")
    for n in range(24):
        row = 4 + n
        sheet.write_number(row, 0, n + 1)
        sheet.write_string(row, 1, f"测试{n:02d}贸易有限公司" if n % 7 else f"测试{n:02d}（集团）有限公司")
        sheet.write_string(
            row, 2, "914403001922038216" if n == 3 else ("9144030071526726XG" if n == 5 else "")
        )
        sheet.write_string(row, 3, f"联系人{n}")
        sheet.write_number(row, 4, 13800138000 + n) if n % 2 else sheet.write_string(
            row, 4, f"'1390013{n:04d}"
        )
        if n == 6:
            sheet.write_formula(row, 5, "=1/0", None, "#DIV/0!")
        else:
            sheet.write_formula(row, 5, f"={n}*10", None, n * 10)
        sheet.write_datetime(row, 6, datetime(2000 + n % 20, 1 + n % 12, 1 + n % 28), date_format)
        sheet.write_string(row, 7, f"user{n}@example.com" if n % 5 else "not-an-email")
        sheet.write_string(row, 8, tiers[n % 4])
        sheet.write_string(row, 9, ("国企", "民营", "外资", "合资")[n % 4])
        sheet.write_number(row, 10, 10 * n + 5)
    sheet.write_string(28, 0, "合计")
    sheet.write_formula(28, 5, "=SUM(F5:F28)", None, 2700)
    book.add_worksheet("说明").write_string(0, 0, "备注：年营业额单位为万元")
    book.close()
    return out.getvalue()


def customers_csv(encoding: str) -> bytes:
    lines = ["客户编号,客户名称,电话,城市,客户类别,注册资本,成立日期,员工人数"]
    for n in range(30):
        lines.append(
            f"{'' if n % 3 else f'X{n:05d}'},CSV客户{n:02d}有限公司,010-8234{n:04d},北京,"
            f'{("重点客户", "一般客户", "潜在客户")[n % 3]},"￥{n},234.50",'
            f"2019/{1 + n % 12}/{1 + n % 28},{n * 7}"
        )
    lines.append("合计,,,,,,,")
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def contacts_xlsx() -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("联系人")
    sheet.write_row(0, 0, ["客户名称", "姓名", "职务", "手机", "邮箱", "是否决策人", "生日"])
    for n in range(18):
        sheet.write_row(
            1 + n,
            0,
            [
                LINKED[n % 3],
                f"联系人{n:02d}",
                "经理",
                f"1380013{n:04d}",
                f"c{n}@example.com",
                "是" if n % 2 else "否",
            ],
        )
        sheet.write_number(1 + n, 6, 30000 + n * 100)  # a birthday as an Excel serial
    book.close()
    return out.getvalue()


SOURCES: list[tuple[str, str, Callable[[], bytes]]] = [
    ("customers.xlsx", "customers", customers_xlsx),
    ("customers.csv", "customers", lambda: customers_csv("utf-8-sig")),
    ("customers-gbk.csv", "customers", lambda: customers_csv("gbk")),
    ("contacts.xlsx", "contacts", contacts_xlsx),
]


# ---------------------------------------------------------------- mutations

JUNK = [
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b'"',
    b"\r",
    b"\n\n\n",
    b",,,,,,,,",
    b"\t",
    "合计".encode(),
    "客户名称".encode("gbk"),
    b"#REF!",
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    b"<",
    b"]]>",
    b"&#0;",
    b"9" * 40,
]
XML_JUNK = [
    b'<c r="A1" t="e"><v>#REF!</v></c>',
    b'<c r="XFD1048576"><v>1</v></c>',
    b"<v>1e999</v>",
    b"<v>-1e999</v>",
    b"<v>NaN</v>",
    b"<v>99999999999999999999999999999</v>",
    b'<row r="0">',
    b'<row r="99999999">',
    b't="s"',
    b't="e"',
    b"</sheetData>",
    b"<![CDATA[",
    b"&bogus;",
    b"\x00",
]
NASTY_NUMBERS = [
    b"1e999",
    b"-1e999",
    b"NaN",
    b"1e300",
    b"-1e300",
    b"99999999999999999999999999999",
    b"4e15",
    b"3000000000",
    b"-0",
    b"0.1",
    b"60",
    b"1",
    b"0",
    b"2958466",
    b"20191399",
    b"1.5e-300",
]
NASTY_TEXT = [
    "99999999999万".encode(),
    "1.2.3亿".encode(),
    b"(((1)))",
    b"#REF!",
    b"2019-02-30",
    b"'",
    "１２３".encode(),
    "\u200b".encode(),
    "¥".encode(),
    "万".encode(),
    b"+86",
    b"0086 1380013800012345",
    b"TRUE",
    b" ",
]
SUFFIXES = [".xlsx", ".xls", ".xlsm", ".xlsb", ".ods", ".csv", ".txt", ".tsv"]


def _span(rng: random.Random, data: bytes, longest: int) -> tuple[int, int]:
    start = rng.randrange(len(data)) if data else 0
    return start, min(len(data), start + rng.randint(1, longest))


def truncate(rng, name, data):
    return name, data[: rng.randrange(len(data))]


def flip_bits(rng, name, data):
    out = bytearray(data)
    for _ in range(rng.randint(1, 24)):
        at = rng.randrange(len(out))
        out[at] ^= 1 << rng.randrange(8)
    return name, bytes(out)


def overwrite(rng, name, data):
    start, end = _span(rng, data, 200)
    return name, data[:start] + rng.randbytes(end - start) + data[end:]


def insert_junk(rng, name, data):
    at = rng.randrange(len(data) + 1)
    junk = rng.choice(JUNK) * rng.randint(1, 4) if rng.random() < 0.7 else rng.randbytes(rng.randint(1, 300))
    return name, data[:at] + junk + data[at:]


def zero_fill(rng, name, data):
    start, end = _span(rng, data, 2048)
    return name, data[:start] + bytes(end - start) + data[end:]


def swap_extension(rng, name, data):
    stem, suffix = name.rsplit(".", 1)
    return f"{stem}.{rng.choice([s for s in SUFFIXES if s != '.' + suffix]).lstrip('.')}", data


def doubled(rng, name, data):
    return name, data + data


def nearly_empty(rng, name, data):
    return name, rng.choice([b"", b" ", b"\r\n", b"\x00" * 10, data[:1], data[:4], data[:30]])


def _rezip(data: bytes, change) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [(info.filename, archive.read(info.filename)) for info in archive.infolist()]
    members = change(members)
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are the point
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for member, content in members:
                archive.writestr(member, content)
    return out.getvalue()


def damage_zip_part(rng, name, data):
    """A part of the workbook (a sheet, shared strings, the workbook, its relations) with damaged XML."""

    def change(members):
        index = rng.randrange(len(members))
        if rng.random() < 0.6:  # mostly the first sheet, where the cells are
            index = _first_sheet(members, index)
        member, content = members[index]
        op = rng.randrange(3)
        if op == 0 and content:
            content = content[: rng.randrange(len(content))]
        elif op == 1 and content:
            at = rng.randrange(len(content) + 1)
            content = content[:at] + rng.choice(XML_JUNK) + content[at:]
        else:
            old = rng.choice([b't="s"', b't="str"', b'r="', b"<v>", b"<row"])
            content = content.replace(old, rng.choice(XML_JUNK), 3)
        members[index] = (member, content)
        return members

    return name, _rezip(data, change)


def nasty_cells(rng, name, data):
    """A well-formed sheet whose cells hold what no office types: numbers too large or not numbers at
    all (1e999 reads as infinity), or formula errors."""
    errors = rng.random() < 0.3

    def nasty(match: re.Match) -> bytes:
        cell, formula = match.group(1), match.group(2) or b""
        if rng.random() < 0.5:
            return match.group(0)
        if not errors:
            return cell + formula + b"<v>" + rng.choice(NASTY_NUMBERS) + b"</v>"
        code = rng.choice([b"#REF!", b"#N/A", b""])
        return cell[:-1] + b' t="e">' + formula + b"<v>" + code + b"</v>"

    def change(members):
        index = _first_sheet(members, 0)
        member, content = members[index]
        cells = rb'(<c r="[A-Z]+[0-9]+"(?: s="[0-9]+")?>)(<f>[^<]*</f>)?<v>[^<]*</v>'
        members[index] = (member, re.sub(cells, nasty, content))
        return members

    return name, _rezip(data, change)


def _first_sheet(members: list, default: int) -> int:
    return next((i for i, (m, _c) in enumerate(members) if m.startswith("xl/worksheets/")), default)


def drop_zip_part(rng, name, data):
    def change(members):
        del members[rng.randrange(len(members))]
        return members

    return name, _rezip(data, change)


def duplicate_zip_part(rng, name, data):
    def change(members):
        member, content = members[rng.randrange(len(members))]
        copy = content if rng.random() < 0.5 else content[: len(content) // 2]
        members.insert(rng.randrange(len(members) + 1), (member, copy))
        return members

    return name, _rezip(data, change)


def garble_text(rng, name, data):
    """Damage that keeps a CSV a text file: stray quotes, odd delimiters, long fields, mixed encodings."""
    op = rng.randrange(6)
    lines = data.split(b"\r\n")
    at = rng.randrange(len(lines))
    if op == 0:
        lines[at] = b'"' + lines[at]
    elif op == 1:
        lines[at] = lines[at].replace(b",", rng.choice([b";", b"\t", b"|", b",,"]))
    elif op == 2:
        lines[at] = lines[at] + b"," + b"x" * rng.randint(1000, 200_000)
    elif op == 3:
        lines.insert(at, "客户名称,电话".encode("gbk") if b"\xe5" in data else "客户名称,电话".encode())
    elif op == 4:
        lines[at] = b",".join([b"#N/A"] * rng.randint(1, 12))
    else:
        lines = lines[:1] + [lines[at]] * rng.randint(2, 50) + lines[1:]
    return name, b"\r\n".join(lines)


def nasty_fields(rng, name, data):
    """A readable CSV whose fields hold what no office types, in random cells."""
    lines = data.split(b"\r\n")
    for _ in range(rng.randint(5, 60)):
        row = rng.randrange(1, len(lines))
        cells = lines[row].split(b",")
        cells[rng.randrange(len(cells))] = rng.choice(NASTY_NUMBERS + NASTY_TEXT)
        lines[row] = b",".join(cells)
    return name, b"\r\n".join(lines)


BYTE_MUTATIONS = [
    truncate,
    flip_bits,
    overwrite,
    insert_junk,
    zero_fill,
    swap_extension,
    doubled,
    nearly_empty,
]
ZIP_MUTATIONS = [damage_zip_part, nasty_cells, drop_zip_part, duplicate_zip_part]
TEXT_MUTATIONS = [garble_text, nasty_fields]


def mutants(rng: random.Random, name: str, data: bytes):
    kinds = BYTE_MUTATIONS + (ZIP_MUTATIONS if name.endswith(".xlsx") else TEXT_MUTATIONS)
    for n in range(MUTATIONS_PER_SOURCE):
        first = kinds[n % len(kinds)]  # every kind, in turn
        new_name, new_data = first(rng, name, data)
        label = first.__name__
        if n % 5 == 4 and new_data:  # now and then a second mutation on top
            second = rng.choice(BYTE_MUTATIONS)
            new_name, new_data = second(rng, new_name, new_data)
            label += "+" + second.__name__
        yield n, label, new_name, new_data


# ---------------------------------------------------------------- the test


def counts(db) -> dict[str, int]:
    with db.session() as session:
        return {
            model.__name__: session.scalar(select(func.count()).select_from(model))
            for model in (Customer, ContactPerson, Transaction, ContactLog, ImportBatch)
        }


def test_damaged_files_never_crash_the_import_or_change_the_database(sqlite_db, tmp_path):
    customers = CustomerService(sqlite_db)
    for name in LINKED:
        customers.create(DEFAULT_ACTOR, CustomerInput(name=name))
    imports = ImportService(sqlite_db)
    rng = random.Random(SEED)
    failures: list[str] = []
    outcomes = {"summary": 0, "written": 0, "refused": 0}
    folder = tmp_path / "mutants"
    folder.mkdir()

    for source, kind, build in SOURCES:
        data = build()
        for n, label, name, mutated in mutants(rng, source, data):
            path = folder / f"{n:03d}-{label}-{name}"
            path.write_bytes(mutated)
            where = f"{path.name} ({len(mutated)} bytes)"
            before = counts(sqlite_db)
            mode = "valid-only" if n % 2 else "all-or-nothing"
            try:
                summary = imports.import_file(DEFAULT_ACTOR, path, ImportOptions(kind=kind, mode=mode))
            except ServiceError as exc:
                outcomes["refused"] += 1
                message = str(exc)
                if not message.strip() or path.name not in message:
                    failures.append(f"{where}: {type(exc).__name__} without the file's name: {message!r}")
                if counts(sqlite_db) != before:
                    failures.append(f"{where}: refused, but the database changed")
                continue
            except Exception as exc:  # the point of the test: nothing else may escape
                failures.append(f"{where}: {type(exc).__name__}: {exc}")
                continue
            outcomes["summary"] += 1
            after = counts(sqlite_db)
            if not summary.written:
                if after != before:
                    failures.append(f"{where}: nothing written, but the database changed")
                continue
            outcomes["written"] += 1
            expected = before["Customer"] + (summary.created if kind == "customers" else 0)
            if after["Customer"] != expected:
                failures.append(f"{where}: {after['Customer']} customers, expected {expected}")
            try:
                imports.undo(DEFAULT_ACTOR, summary.batch)
            except Exception as exc:
                failures.append(f"{where}: undo failed: {type(exc).__name__}: {exc}")
                continue
            undone = counts(sqlite_db)
            for table in ("Customer", "ContactPerson", "Transaction", "ContactLog"):
                if undone[table] != before[table]:
                    failures.append(
                        f"{where}: after undo {table} has {undone[table]} rows, not {before[table]}"
                    )

    assert not failures, "\n".join(failures)
    total = len(SOURCES) * MUTATIONS_PER_SOURCE
    assert sum(outcomes[k] for k in ("summary", "refused")) == total
    # The mutants are a mix: some still import, some are refused.
    assert outcomes["written"] > 0
    assert outcomes["refused"] > 0


def test_the_good_sources_import(sqlite_db, tmp_path):
    customers = CustomerService(sqlite_db)
    for name in LINKED:
        customers.create(DEFAULT_ACTOR, CustomerInput(name=name))
    imports = ImportService(sqlite_db)
    expected = {"customers.xlsx": 24, "customers.csv": 30, "customers-gbk.csv": 30, "contacts.xlsx": 18}
    for source, kind, build in SOURCES:
        path = tmp_path / source
        path.write_bytes(build())
        summary = imports.import_file(DEFAULT_ACTOR, path, ImportOptions(kind=kind, mode="valid-only"))
        assert summary.written, source
        assert summary.created + summary.merged == expected[source], source
        assert not [p for p in summary.problems if p.level == "error"], source
        imports.undo(DEFAULT_ACTOR, summary.batch)
    assert len(customers.list(DEFAULT_ACTOR, CustomerQuery())) == 3
