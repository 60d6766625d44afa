"""Exports to .xlsx and CSV read back with openpyxl and csv: what Excel shows, round trips, the template
and the import report."""

from __future__ import annotations

import csv
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest

from app.services import exports
from app.services.actor import DEFAULT_ACTOR
from app.services.customers import CustomerInput, CustomerQuery, CustomerService, TransactionInput
from app.services.errors import Cancelled, ServiceError
from app.services.imports import ImportOptions, ImportService

A = DEFAULT_ACTOR


def _customers(db):
    service = CustomerService(db)
    made = [
        service.create(
            A,
            CustomerInput(
                name="北京华信科技有限公司",
                tier="vip",
                category="key",
                phone="13800138000",
                city="北京",
                founded=date(2019, 3, 5),
                uscc="91350100M000100Y30",
            ),
        ),
        service.create(
            A,
            CustomerInput(name="上海东方贸易有限公司", tier="normal", city="上海", email="info@dongfang.cn"),
        ),
        service.create(A, CustomerInput(name="深圳鹏达电子有限公司", tier="vip", city="深圳")),
    ]
    service.save_transaction(
        A,
        made[0].id,
        TransactionInput(
            occurred_on=date(2024, 5, 6),
            amount=Decimal("12345.60"),
            profit=Decimal("2000"),
            product="服务器",
            payment_method="bank_transfer",
        ),
    )
    return service, made


def test_customer_list_as_shown_to_xlsx(sqlite_db, tmp_path):
    _customers(sqlite_db)
    path = tmp_path / "客户.xlsx"
    query = CustomerQuery(tier="vip", sort="name", descending=True)
    summary = exports.export_customers(
        sqlite_db, A, path, query, ["name", "code", "tier", "founded", "phone"]
    )
    assert summary.rows == 2
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Company name", "Customer code", "Tier", "Founded", "Phone")
    # Name descending by code point: 深 (U+6DF1) after 北 (U+5317).
    assert [r[0] for r in rows[1:]] == ["深圳鹏达电子有限公司", "北京华信科技有限公司"]
    assert rows[2][2] == "VIP"
    assert rows[2][3] == datetime(2019, 3, 5)  # a real Excel date, not text
    assert sheet["D3"].number_format == "yyyy-mm-dd"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:E3"
    assert sheet["A1"].font.b
    assert sheet.column_dimensions["A"].width >= 20  # a Chinese company name fits


def test_customer_list_to_csv_has_a_bom_for_excel(sqlite_db, tmp_path):
    _customers(sqlite_db)
    path = tmp_path / "customers.csv"
    exports.export_customers(sqlite_db, A, path, CustomerQuery(), ["code", "name", "city"])
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows == [
        ["Customer code", "Company name", "City"],
        ["C000001", "北京华信科技有限公司", "北京"],
        ["C000002", "上海东方贸易有限公司", "上海"],
        ["C000003", "深圳鹏达电子有限公司", "深圳"],
    ]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_export_then_import_changes_nothing(db, tmp_path, suffix, language):
    from app import i18n

    i18n.set_language(language)
    service, made = _customers(db)
    before = [service.get(A, c.id) for c in made]
    path = tmp_path / f"round{suffix}"
    exports.export_customers(db, A, path, CustomerQuery(), exports.DEFAULT_CUSTOMER_COLUMNS)
    for on_duplicate in ("skip", "update"):
        summary = ImportService(db).import_file(A, path, ImportOptions(on_duplicate=on_duplicate))
        assert (summary.created, summary.updated, summary.skipped) == (0, 0, 3), on_duplicate
        assert [p for p in summary.problems if p.level != "merged"] == []
    assert [service.get(A, c.id) for c in made] == before  # versions included


def test_transactions_export_and_round_trip(sqlite_db, tmp_path):
    _customers(sqlite_db)
    path = tmp_path / "transactions.xlsx"
    assert exports.export_transactions(sqlite_db, A, path).rows == 1
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert rows[1][:6] == ("C000001", "北京华信科技有限公司", datetime(2024, 5, 6), 12345.6, 2000, "服务器")
    assert rows[1][7] == "Bank transfer"
    summary = ImportService(sqlite_db).import_file(A, path, ImportOptions(kind="transactions"))
    assert (summary.created, summary.skipped) == (0, 1)


def test_cancelled_export_leaves_no_file(sqlite_db, tmp_path, monkeypatch):
    _customers(sqlite_db)
    monkeypatch.setattr(exports, "PROGRESS_SECONDS", 0)
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(Cancelled):
        exports.export_customers(
            sqlite_db, A, folder / "c.xlsx", CustomerQuery(), ["code"], cancelled=lambda: True
        )
    assert list(folder.iterdir()) == []


def test_unknown_format_and_column_are_refused(sqlite_db, tmp_path):
    with pytest.raises(ServiceError, match=r"\.ods"):
        exports.export_customers(sqlite_db, A, tmp_path / "c.ods", CustomerQuery(), ["code"])
    with pytest.raises(ServiceError, match="colour"):
        exports.export_customers(sqlite_db, A, tmp_path / "c.xlsx", CustomerQuery(), ["code", "colour"])


def test_template_has_the_tier_table_layout_and_imports_when_filled(sqlite_db, tmp_path):
    path = exports.write_template(tmp_path / "template.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    groups = [sheet.cell(2, c).value for c in range(1, sheet.max_column + 1)]
    assert [g for g in groups if g] == ["Basic information", "Tier criteria", "Tier"]
    headers = [sheet.cell(3, c).value for c in range(1, sheet.max_column + 1)]
    assert headers[:3] == ["Customer code", "Company name", "Contact person"]
    assert headers[-1] == "Tier"
    # Someone fills two rows in.
    sheet.cell(4, 2, "杭州恒通物流有限公司")
    sheet.cell(4, 4, "13900139000")
    sheet.cell(4, headers.index("Annual revenue") + 1, "120万")
    sheet.cell(4, len(headers), "Important")
    sheet.cell(5, 2, "南京永安机械有限公司")
    book.save(path)
    summary = ImportService(sqlite_db).import_file(A, path, ImportOptions())
    assert summary.created == 2
    detail = CustomerService(sqlite_db).get_by_code(A, "C000001")
    assert (detail.name, detail.tier, detail.annual_revenue) == (
        "杭州恒通物流有限公司",
        "important",
        Decimal("1200000.00"),
    )


def test_report_is_the_source_with_the_problems_beside_each_row(sqlite_db, tmp_path):
    import xlsxwriter

    source = tmp_path / "in.xlsx"
    book = xlsxwriter.Workbook(str(source))
    ws = book.add_worksheet("客户")
    ws.write_row(0, 0, ["客户名称", "邮箱"])
    ws.write_row(1, 0, ["甲公司", "jia@example.com"])
    ws.write_row(2, 0, ["", "nobody@example.com"])
    ws.write_row(3, 0, ["丙公司", "bad@"])
    book.close()
    service = ImportService(sqlite_db)
    plan = service.plan(A, source, ImportOptions(mode="valid-only"))
    out = exports.save_report(source, "客户", plan.problems, tmp_path / "report.xlsx")
    report = openpyxl.load_workbook(out)
    rows = list(report["客户"].iter_rows(values_only=True))
    # Same rows as the source, the problems in a first column.
    assert rows[0][1:] == ("客户名称", "邮箱")
    assert rows[1] == (None, "甲公司", "jia@example.com")
    assert "Company name is required" in rows[2][0]
    assert rows[2][2] == "nobody@example.com"
    assert "B 邮箱" in rows[3][0] and "e-mail" in rows[3][0]
    assert report["客户"]["A3"].fill.fgColor.rgb.endswith("F8CBAD")  # an error row is red
    listing = list(report["Problems"].iter_rows(values_only=True))
    assert [(r[0], r[2]) for r in listing[1:]] == [("Error", 3), ("Warning", 4)]


def test_contact_logs_export_and_round_trip(db, tmp_path):
    _customers(db)
    source = tmp_path / "logs.csv"
    source.write_text(
        "客户编号,联系时间,联系方式,主题,联系内容,下次联系日期\n"
        "C000002,2024-05-06 14:30,拜访,报价,带样品上门，客户满意,2024-06-01\n",
        encoding="utf-8",
    )
    service = ImportService(db)
    assert service.import_file(A, source, ImportOptions(kind="contact-logs")).created == 1
    path = tmp_path / "logs.xlsx"
    assert exports.export_contact_logs(db, A, path).rows == 1
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert rows[1][:4] == ("C000002", "上海东方贸易有限公司", datetime(2024, 5, 6, 14, 30), "Visit")
    assert rows[1][6:8] == ("报价", "带样品上门，客户满意")
    assert rows[1][10] == datetime(2024, 6, 1)
    again = service.import_file(A, path, ImportOptions(kind="contact-logs"))
    assert (again.created, again.skipped) == (0, 1)


def test_cancel_while_the_workbook_is_being_packed_answers_at_once(sqlite_db, tmp_path, monkeypatch):
    import threading
    import time

    import xlsxwriter

    _customers(sqlite_db)
    monkeypatch.setattr(exports, "PROGRESS_SECONDS", 0.05)
    real_close = xlsxwriter.Workbook.close
    packing = threading.Event()

    def slow_close(book):
        packing.set()
        time.sleep(1.5)  # as packing 100,000 rows takes
        return real_close(book)

    monkeypatch.setattr(xlsxwriter.Workbook, "close", slow_close)
    folder = tmp_path / "out"
    folder.mkdir()
    started = []

    def cancelled() -> bool:
        if packing.is_set() and not started:
            started.append(time.monotonic())
        return packing.is_set()

    with pytest.raises(Cancelled):
        exports.export_customers(
            sqlite_db, A, folder / "c.xlsx", CustomerQuery(), ["code"], cancelled=cancelled
        )
    assert time.monotonic() - started[0] < 0.5  # not the 1.5 s the packing takes
    deadline = time.monotonic() + 5
    while list(folder.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(folder.iterdir()) == []  # finished in the background, then removed
